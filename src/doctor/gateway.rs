//! The gateway: one balance request (the key accepted?) and the clock compared with the
//! gateway's `Date` header (signed requests and callbacks are valid 5 minutes). The key
//! travels only in the request, as for `caisse balance`; it is never shown.

use time::OffsetDateTime;

use super::{CHECK_TIMEOUT, Check, sudo};
use crate::config::Config;
use crate::gateway::GatewayError;
use crate::gateway::intech::{IntechClient, IntechConfig};

const BALANCE: &str = "Passerelle Intech";
const CLOCK: &str = "Horloge";

/// Past this, doctor asks for the clock to be fixed: well inside the 5-minute window, so
/// a clock that drifts is caught before signatures fail.
pub const MAX_CLOCK_OFFSET_SECS: i64 = 60;

/// The balance check and the clock's, both at once.
pub async fn checks(config: &Config, edit: &str) -> Vec<Check> {
    let Some(intech) = &config.intech else {
        let detail = if config.is_demo() {
            "mode démo"
        } else {
            "pas de [intech] (Intram seul)"
        };
        return vec![
            Check::not_configured(BALANCE, detail),
            Check::not_configured(CLOCK, detail),
        ];
    };
    let client = IntechClient::new(IntechConfig {
        base_url: intech.url.clone(),
        api_key: intech.api_key.clone(),
        hmac_secret: intech.hmac_secret.clone(),
        timeout: intech.timeout.min(CHECK_TIMEOUT),
    });
    let balance = async {
        match client {
            Ok(client) => match client.balance().await {
                Ok(balance) => Check::ok(
                    BALANCE,
                    format!(
                        "{} répond, clé acceptée ; solde : {}",
                        intech.url,
                        crate::money::fcfa_balance(balance.balance)
                    ),
                ),
                Err(e) => {
                    let (why, fix) = problem(&e, &intech.url, edit);
                    Check::to_fix(BALANCE, why, fix)
                }
            },
            Err(e) => Check::to_fix(BALANCE, e.french_message(None), edit.to_owned()),
        }
    };
    // At once: a gateway that does not answer costs one timeout, not two.
    let (balance, clock) = tokio::join!(balance, clock(&intech.url));
    vec![balance, clock]
}

/// Why the balance request failed, and what fixes it: network down, DNS, TLS, the key
/// refused, the address blocked.
pub fn problem(e: &GatewayError, url: &str, edit: &str) -> (String, String) {
    let host = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', ':'])
        .next()
        .unwrap_or_default();
    match e {
        GatewayError::Refused {
            code,
            message,
            fields,
            ..
        } if fields
            .keys()
            .any(|k| k.to_ascii_lowercase().contains("key"))
            || message.to_lowercase().contains("authentification") =>
        {
            (
                format!(
                    "clé API refusée par la passerelle (code {code}) : vérifiez [intech] api_key, \
                     sans espace ni guillemet en trop"
                ),
                format!("{edit}   # [intech] api_key = \"…\" (la clé donnée par Intech)"),
            )
        }
        GatewayError::Refused { code, message, .. } => (
            format!("la passerelle refuse la demande de solde (code {code}) : {message}"),
            "contactez le support Intech avec ce code".into(),
        ),
        GatewayError::Transport { reason, .. } => {
            let lower = reason.to_ascii_lowercase();
            if lower.contains("dns") || lower.contains("lookup") || lower.contains("resolve") {
                (
                    format!(
                        "le nom {host} est introuvable (DNS) : adresse mal écrite ou pas de DNS"
                    ),
                    format!("getent hosts {host}   # puis corrigez [intech] url : {edit}"),
                )
            } else if lower.contains("certificate")
                || lower.contains("tls")
                || lower.contains("handshake")
            {
                (
                    format!(
                        "la connexion sécurisée à {host} échoue (certificat TLS refusé) : \
                         certificats du système manquants ou horloge fausse"
                    ),
                    format!(
                        "{}apt-get install --reinstall ca-certificates && {}timedatectl set-ntp true",
                        sudo(),
                        sudo()
                    ),
                )
            } else if lower.contains("refused") {
                (
                    format!(
                        "connexion refusée par {url} : rien n'y écoute (passerelle arrêtée ou \
                         mauvaise adresse)"
                    ),
                    format!("{edit}   # [intech] url = \"https://api.intech.sn\""),
                )
            } else {
                (
                    format!("{url} injoignable : réseau coupé ?"),
                    format!("ping -c 3 {host}   # vérifiez la connexion Internet de la boutique"),
                )
            }
        }
        GatewayError::Timeout { after, .. } => (
            format!("{url} ne répond pas en {} s", after.as_secs().max(1)),
            format!("ping -c 3 {host}   # vérifiez la connexion Internet de la boutique"),
        ),
        GatewayError::Http { status: 403, .. } => (
            "la passerelle refuse l'adresse IP de la boutique (HTTP 403) : non autorisée, ou \
             bloquée après trop de demandes"
                .into(),
            "curl -s https://ifconfig.me   # donnez cette adresse IP au support Intech".into(),
        ),
        other => (
            format!("réponse inattendue de {url} : {other}"),
            format!("{edit}   # vérifiez [intech] url (https://api.intech.sn)"),
        ),
    }
}

/// The gateway's `Date` header against our clock, at the middle of the request.
async fn clock(url: &str) -> Check {
    let client = crate::http::client_builder()
        .timeout(CHECK_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build();
    let Ok(client) = client else {
        return Check::warning(CLOCK, "non vérifiée (client HTTP indisponible)");
    };
    let sent = OffsetDateTime::now_utc();
    let reply = client.get(format!("{url}/")).send().await;
    let received = OffsetDateTime::now_utc();
    let ours = sent + (received - sent) / 2;
    let theirs: Option<OffsetDateTime> = reply.ok().and_then(|r| {
        r.headers()
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::http::date::parse)
    });
    match theirs {
        Some(theirs) => {
            let offset: time::Duration = theirs - ours;
            // Rounded: the header has whole seconds, and 299.6 s off reads as 300.
            clock_verdict(offset.as_seconds_f64().round() as i64)
        }
        None => Check::warning(
            CLOCK,
            "non vérifiée : la passerelle n'a pas donné son heure (en-tête Date)",
        ),
    }
}

/// The verdict on an offset (the gateway's clock minus ours, in seconds).
pub fn clock_verdict(offset_secs: i64) -> Check {
    let said = if offset_secs >= 0 {
        format!("en retard de {offset_secs} s sur la passerelle")
    } else {
        format!("en avance de {} s sur la passerelle", -offset_secs)
    };
    if offset_secs.abs() > MAX_CLOCK_OFFSET_SECS {
        Check::to_fix(
            CLOCK,
            format!(
                "{said} : les signatures HMAC ne valent que 5 minutes, les paiements seraient \
                 refusés"
            ),
            format!("{}timedatectl set-ntp true", sudo()),
        )
    } else {
        Check::ok(CLOCK, format!("à l'heure ({said})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn a_minute_off_passes_a_little_more_does_not() {
        assert!(clock_verdict(60).passed());
        assert!(clock_verdict(-60).passed());
        assert!(!clock_verdict(61).passed());
        let late = clock_verdict(-600);
        let super::super::Verdict::ToFix { why, fix } = late.verdict else {
            panic!()
        };
        assert!(why.contains("en avance de 600 s"), "{why}");
        assert!(fix.ends_with("timedatectl set-ntp true"), "{fix}");
    }

    #[test]
    fn each_failure_is_named() {
        let url = "https://api.intech.sn";
        let edit = "editor /etc/caisse/config.toml";
        let refused = GatewayError::Refused {
            code: 4000,
            message: "L'authentification est requis !!!".into(),
            error_type: None,
            fields: BTreeMap::from([("secreteKey".into(), vec!["Invalide secrete key".into()])]),
            transaction_id: None,
            http_status: 200,
        };
        assert!(
            problem(&refused, url, edit)
                .0
                .starts_with("clé API refusée")
        );
        let transport = |reason: &str| GatewayError::Transport {
            endpoint: "balance",
            connect: true,
            reason: reason.into(),
        };
        let dns = transport("error sending request: dns error: failed to lookup address");
        assert!(problem(&dns, url, edit).0.contains("(DNS)"));
        assert_eq!(
            problem(&dns, url, edit).1,
            "getent hosts api.intech.sn   # puis corrigez [intech] url : editor /etc/caisse/config.toml"
        );
        let tls = transport("invalid peer certificate: UnknownIssuer");
        assert!(problem(&tls, url, edit).0.contains("TLS"));
        let closed = transport("tcp connect error: Connection refused (os error 111)");
        assert!(
            problem(&closed, url, edit)
                .0
                .starts_with("connexion refusée")
        );
    }
}
