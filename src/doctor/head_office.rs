//! The head office, when `[hq]` names the shop's role: one connection and `SELECT 1`, with
//! the URL shown as the head office's code shows it (password blanked), then when it last
//! received this shop's journal, by its own clock. The shop's side of the lag (its outbox)
//! is `caisse hq status`'s: reading it here would open the journal, and doctor run as root
//! must never create a `-wal` or `-shm` the service could then not write.

use super::{CHECK_TIMEOUT, Check};
use crate::config::Config;
use crate::hq::Target;

const NAME: &str = "Siège";

pub async fn checks(config: &Config, edit: &str) -> Vec<Check> {
    let Some((hq, shop)) = config
        .hq
        .as_ref()
        .and_then(|hq| hq.shop.as_ref().map(|shop| (hq, shop)))
    else {
        return vec![Check::not_configured(NAME, "pas de [hq] url")];
    };
    let target = match Target::new(&shop.url, hq.ca_file.as_deref()) {
        Ok(target) => target,
        Err(e) => {
            return vec![Check::to_fix(
                NAME,
                e.to_string(),
                format!("{edit}   # [hq] url, ca_file"),
            )];
        }
    };
    let attempt = async {
        let client = target.connect().await.map_err(|e| e.to_string())?;
        client
            .simple_query("SELECT 1")
            .await
            .map_err(|e| target.refused(&e).to_string())?;
        Ok::<_, String>(last_received(&client, &shop.shop_id).await)
    };
    let check = match tokio::time::timeout(CHECK_TIMEOUT, attempt).await {
        Ok(Ok(received)) => Check::ok(
            NAME,
            format!(
                "{} joignable (boutique {}) ; {received}",
                target.shown(),
                shop.shop_id
            ),
        ),
        Ok(Err(why)) => Check::to_fix(
            NAME,
            why,
            format!("vérifiez la connexion au siège, ou [hq] url : {edit}"),
        ),
        Err(_) => Check::to_fix(
            NAME,
            format!(
                "{} ne répond pas en {} s",
                target.shown(),
                CHECK_TIMEOUT.as_secs()
            ),
            format!("vérifiez la connexion au siège, ou [hq] url : {edit}"),
        ),
    };
    vec![check]
}

/// When the head office last received a batch from this shop (its row of `hq.shops`, which
/// the shop's role may read), said in French; never a failure: a quiet shop sends nothing.
async fn last_received(client: &tokio_postgres::Client, shop_id: &str) -> String {
    let row = client
        .query_opt(
            "SELECT EXTRACT(EPOCH FROM now() - last_received_at)::bigint \
             FROM hq.shops WHERE shop_id = $1",
            &[&shop_id],
        )
        .await;
    match row {
        Ok(Some(row)) => match row.try_get::<_, Option<i64>>(0) {
            Ok(Some(secs)) => format!("dernier envoi reçu il y a {}", ago(secs)),
            Ok(None) => "rien reçu de cette boutique pour l'instant".into(),
            Err(_) => "dernier envoi inconnu".into(),
        },
        Ok(None) => "cette boutique n'y est pas inscrite (caisse hq add-shop, au siège)".into(),
        Err(_) => "dernier envoi inconnu (schéma du siège absent ?)".into(),
    }
}

/// A delay in seconds, in the largest unit that keeps it readable.
pub fn ago(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..120 => format!("{secs} s"),
        120..7200 => format!("{} min", secs / 60),
        _ => format!("{} h", secs / 3600),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn delays_read_in_their_unit() {
        assert_eq!(super::ago(-3), "0 s");
        assert_eq!(super::ago(59), "59 s");
        assert_eq!(super::ago(600), "10 min");
        assert_eq!(super::ago(10_800), "3 h");
    }
}
