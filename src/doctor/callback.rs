//! The callback URL: HTTPS (the loader refuses plain HTTP but on the loopback), a listener
//! configured behind it, and the URL reaching that listener. Both the listener's own address
//! and the public URL are asked `GET …/sante`, which the listener answers with an id drawn
//! when it started: the same id at both ends proves the Internet's requests reach this
//! shop's listener, not another server (`engine::callbacks`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::{CHECK_TIMEOUT, Check, sudo};
use crate::config::Config;
use crate::engine::HEALTH_SERVICE;

const URL: &str = "URL de callback";
const LISTENER: &str = "Écouteur des callbacks";

pub async fn checks(config: &Config, edit: &str) -> Vec<Check> {
    let Some(url) = config.callback_url.as_deref() else {
        if config.is_demo() {
            return vec![Check::not_configured(URL, "mode démo")];
        }
        return vec![Check::warning(
            URL,
            "aucune ([callback] url) : les paiements ne sont suivis qu'en interrogeant la \
             passerelle, plus lentement",
        )];
    };
    let mut checks = vec![scheme(url)];
    let Some(listen) = config.callback_listen else {
        checks.push(Check::to_fix(
            LISTENER,
            "aucune adresse d'écoute ([callback] listen) : personne ne reçoit les callbacks",
            format!("{edit}   # [callback] listen = \"127.0.0.1:8081\""),
        ));
        return checks;
    };
    if let Some(port) = loopback_port(url)
        && port != listen.port()
    {
        checks.push(Check::to_fix(
            LISTENER,
            format!(
                "l'URL {url} (boucle locale, sans proxy) vise le port {port}, mais l'écouteur est \
                 sur {listen}"
            ),
            format!("{edit}   # le même port dans [callback] url et listen"),
        ));
        return checks;
    }
    checks.push(reachable(url, listen).await);
    checks
}

fn scheme(url: &str) -> Check {
    if url.to_ascii_lowercase().starts_with("https://") {
        Check::ok(URL, format!("{url} (HTTPS)"))
    } else {
        // The loader lets plain HTTP through on the loopback only.
        Check::ok(
            URL,
            format!("{url} (HTTP sur la boucle locale : essais, ou proxy TLS sur cette machine)"),
        )
    }
}

/// The port of a plain-HTTP URL on the loopback: there, no proxy stands in between, so it
/// must be the listener's own.
pub fn loopback_port(url: &str) -> Option<u16> {
    let rest = url.strip_prefix("http://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (host, port) = authority.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let local = host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    local.then(|| port.parse().ok()).flatten()
}

/// Where doctor can reach a listener bound to `listen` (a wildcard is reached on loopback).
fn local_address(listen: SocketAddr) -> SocketAddr {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, listen.port())
}

/// What `GET …/sante` answered: the listener's id, or why there is none.
async fn health(client: &reqwest::Client, url: &str) -> Result<String, String> {
    let reply = client.get(url).send().await.map_err(|e| {
        if e.is_timeout() {
            format!("pas de réponse en {} s", CHECK_TIMEOUT.as_secs())
        } else if e.is_connect() {
            "connexion impossible".to_owned()
        } else {
            "connexion coupée".to_owned()
        }
    })?;
    let status = reply.status().as_u16();
    let body: serde_json::Value = reply
        .json()
        .await
        .map_err(|_| format!("HTTP {status}, pas une réponse de caisse"))?;
    if body["service"] != HEALTH_SERVICE {
        return Err(format!("HTTP {status}, pas une réponse de caisse"));
    }
    body["instance"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "réponse de caisse sans identifiant".to_owned())
}

async fn reachable(url: &str, listen: SocketAddr) -> Check {
    let client = crate::http::client_builder()
        .timeout(CHECK_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build();
    let Ok(client) = client else {
        return Check::warning(LISTENER, "non vérifié (client HTTP indisponible)");
    };
    let local = local_address(listen);
    let public = format!("{}/sante", url.trim_end_matches('/'));
    let own = format!("http://{local}/sante");
    let (here, there) = tokio::join!(health(&client, &own), health(&client, &public));
    let here = match here {
        Ok(id) => id,
        Err(why) => {
            return Check::to_fix(
                LISTENER,
                format!("rien ne répond sur {listen} ({why}) : caisse serve n'est pas démarré"),
                format!("{}systemctl restart caisse", sudo()),
            );
        }
    };
    match there {
        Ok(id) if id == here => Check::ok(
            LISTENER,
            format!("{public} mène bien à l'écouteur de cette boutique ({listen})"),
        ),
        Ok(_) => Check::to_fix(
            LISTENER,
            format!("{public} mène à un autre caisse que celui de cette boutique"),
            format!("corrigez le proxy HTTPS pour qu'il transmette à {listen}"),
        ),
        Err(why) => Check::to_fix(
            LISTENER,
            format!(
                "{public} ne mène pas à l'écouteur ({why}) : la passerelle ne pourra pas \
                 prévenir la boutique"
            ),
            format!("curl -sS {public}   # puis corrigez le proxy HTTPS vers {listen} ou le DNS"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_loopback_urls_name_the_listener_port() {
        assert_eq!(loopback_port("http://127.0.0.1:8081/cb"), Some(8081));
        assert_eq!(loopback_port("http://localhost:9000"), Some(9000));
        assert_eq!(loopback_port("http://[::1]:7000/x"), Some(7000));
        assert_eq!(loopback_port("https://127.0.0.1:8081/cb"), None);
        assert_eq!(loopback_port("http://shop.example.sn:8081/cb"), None);
        assert_eq!(loopback_port("http://127.0.0.1/cb"), None);
    }
}
