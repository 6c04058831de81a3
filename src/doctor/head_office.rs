//! The head office, when `[hq]` names the shop's role: one connection and `SELECT 1`, with
//! the URL shown as the head office's code shows it (password blanked).

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
            .map_err(|e| target.refused(&e).to_string())
    };
    let check = match tokio::time::timeout(CHECK_TIMEOUT, attempt).await {
        Ok(Ok(_)) => Check::ok(
            NAME,
            format!("{} joignable (boutique {})", target.shown(), shop.shop_id),
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
