//! Reaching the head office's PostgreSQL: the URL read (its password never shown: every
//! message names the URL with the password blanked), and TLS through rustls with the
//! certificate checked against `[hq] ca_file` and the host name (libpq's `verify-full`).

use std::path::Path;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect};
use tokio_postgres::{Client, Config, NoTls};

use crate::secret::Secret;

/// How long connecting may take before the attempt counts as failed (a link that drops
/// packets must not hold the replicator forever).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum HqError {
    #[error("adresse du siège invalide ({url}) : {reason}")]
    BadUrl { url: String, reason: String },
    #[error("certificat du siège ({path}) illisible : {reason}")]
    Ca { path: String, reason: String },
    #[error("siège injoignable ({url}) : {reason}")]
    Unreachable { url: String, reason: String },
    #[error("siège ({url}) : {reason}")]
    Refused { url: String, reason: String },
    #[error("{0}")]
    Journal(#[from] crate::journal::JournalError),
}

/// The URL as messages may show it, made from its parsed parts: the role, `***` where a
/// password is set, the hosts and ports, the database. Never the password itself.
fn shown_from(config: &Config) -> String {
    use tokio_postgres::config::Host;
    let user = config.get_user().unwrap_or("");
    let password = if config.get_password().is_some() {
        ":***"
    } else {
        ""
    };
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            match host {
                Host::Tcp(name) => format!("{name}:{port}"),
                Host::Unix(dir) => format!("{}:{port}", dir.display()),
            }
        })
        .collect();
    let db = config.get_dbname().unwrap_or("");
    format!("postgres://{user}{password}@{}/{db}", hosts.join(","))
}

/// Whether every address the URL may reach is this machine: loopback names and
/// addresses, Unix sockets.
fn only_local(config: &Config) -> bool {
    use tokio_postgres::config::Host;
    let hosts_local = config.get_hosts().iter().all(|host| match host {
        Host::Unix(_) => true,
        Host::Tcp(name) => {
            name.eq_ignore_ascii_case("localhost")
                || name
                    .trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    });
    let addrs_local = config.get_hostaddrs().iter().all(|ip| ip.is_loopback());
    hosts_local && addrs_local
}

/// A head office to connect to: the parsed URL, how TLS goes, and the URL as shown.
#[derive(Clone)]
pub struct Target {
    config: Config,
    tls: Option<RustlsConnect>,
    shown: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Target({})", self.shown)
    }
}

impl Target {
    /// `url` as libpq writes it (`postgres://…` or `key=value …`). `sslmode=verify-full`
    /// (or `verify-ca`, checked as strictly) needs `ca_file`; with `ca_file`, TLS is
    /// required and verified whatever the URL says, so a certificate is never taken on
    /// trust. Without either, the link is plain (a loopback or a Unix socket).
    pub fn new(url: &Secret, ca_file: Option<&Path>) -> Result<Target, HqError> {
        // Before it is parsed, the URL is never shown: a password holding `/`, `?` or a
        // space defeats any blanking of the raw text (review of issue 15, F3).
        let unreadable = |reason: String| HqError::BadUrl {
            url: "[hq] url".into(),
            reason,
        };
        let (text, verify) = strip_verify_mode(url.expose());
        let mut config = Config::from_str(&text).map_err(|e| unreadable(e.to_string()))?;
        // What messages show is rebuilt from the parsed parts, which hold the password
        // apart: it cannot leak through the text around it.
        let shown = shown_from(&config);
        let bad = |reason: String| HqError::BadUrl {
            url: shown.clone(),
            reason,
        };
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        // The head office's sessions say who they are in pg_stat_activity.
        if config.get_application_name().is_none() {
            config.application_name("caisse");
        }
        let tls = match (ca_file, verify) {
            (Some(path), _) => {
                config.ssl_mode(tokio_postgres::config::SslMode::Require);
                Some(RustlsConnect::from_ca_file(path)?)
            }
            (None, true) => {
                return Err(bad(
                    "sslmode=verify-full demande le certificat de l'autorité du siège : \
                     ajoutez [hq] ca_file = \"/chemin/ca.pem\""
                        .into(),
                ));
            }
            (None, false) => {
                // Plain text only where nobody can listen (loopback, a Unix socket), or
                // when the URL says so itself (`sslmode=disable`). libpq's default,
                // `prefer`, would otherwise send a shop's sales, and its login, in clear to
                // anyone on the path (review of issue 15, F4).
                // (Disable is never the default: the URL said it.)
                let explicit_plain =
                    config.get_ssl_mode() == tokio_postgres::config::SslMode::Disable;
                if !explicit_plain && !only_local(&config) {
                    return Err(bad(
                        "le siège est sur le réseau : indiquez l'autorité de son certificat \
                         ([hq] ca_file = \"/chemin/ca.pem\" et sslmode=verify-full), ou \
                         sslmode=disable pour un lien en clair assumé"
                            .into(),
                    ));
                }
                if explicit_plain && !only_local(&config) {
                    tracing::warn!("siège {shown} : lien en clair (sslmode=disable)");
                }
                None
            }
        };
        Ok(Target { config, tls, shown })
    }

    /// The URL as messages show it (password blanked).
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The role this URL logs in as.
    pub fn user(&self) -> Option<&str> {
        self.config.get_user()
    }

    /// A session, its connection driven by a task of its own (ended with the client).
    pub async fn connect(&self) -> Result<Client, HqError> {
        let unreachable = |e: tokio_postgres::Error| HqError::Unreachable {
            url: self.shown.clone(),
            reason: describe(&e),
        };
        let attempt = async {
            match &self.tls {
                Some(tls) => {
                    let (client, connection) = self
                        .config
                        .connect(tls.clone())
                        .await
                        .map_err(unreachable)?;
                    tokio::spawn(async move {
                        let _ = connection.await;
                    });
                    Ok(client)
                }
                None => {
                    let (client, connection) =
                        self.config.connect(NoTls).await.map_err(unreachable)?;
                    tokio::spawn(async move {
                        let _ = connection.await;
                    });
                    Ok(client)
                }
            }
        };
        tokio::time::timeout(CONNECT_TIMEOUT, attempt)
            .await
            .unwrap_or_else(|_| {
                Err(HqError::Unreachable {
                    url: self.shown.clone(),
                    reason: format!("pas de réponse en {} s", CONNECT_TIMEOUT.as_secs()),
                })
            })
    }

    /// An error of a session of this target, in French, the URL blanked.
    pub fn refused(&self, e: &tokio_postgres::Error) -> HqError {
        if e.as_db_error().is_none() {
            return HqError::Unreachable {
                url: self.shown.clone(),
                reason: describe(e),
            };
        }
        HqError::Refused {
            url: self.shown.clone(),
            reason: describe(e),
        }
    }
}

/// The server's own message when it sent one (it never holds the password), else the
/// client's.
pub fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e} : {source}"),
            None => e.to_string(),
        },
    }
}

/// tokio-postgres knows `disable`, `prefer` and `require`; the verifying modes are ours.
fn strip_verify_mode(url: &str) -> (String, bool) {
    let mut verify = false;
    let keep = |kv: &str| {
        let mode = kv
            .strip_prefix("sslmode=")
            .map(|m| m.trim().to_ascii_lowercase());
        match mode.as_deref() {
            Some("verify-full" | "verify-ca") => None,
            _ => Some(kv.to_owned()),
        }
    };
    if url.contains("://") {
        let Some((base, query)) = url.split_once('?') else {
            return (url.to_owned(), false);
        };
        let kept: Vec<String> = query
            .split('&')
            .filter_map(|kv| {
                let k = keep(kv);
                verify |= k.is_none();
                k
            })
            .collect();
        let text = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        (text, verify)
    } else {
        let kept: Vec<String> = url
            .split_whitespace()
            .filter_map(|kv| {
                let k = keep(kv);
                verify |= k.is_none();
                k
            })
            .collect();
        (kept.join(" "), verify)
    }
}

/// TLS by rustls (the `ring` provider the rest of caisse uses), trusting only the head
/// office's authority, with the host name checked.
#[derive(Clone)]
pub struct RustlsConnect {
    config: Arc<rustls::ClientConfig>,
}

impl RustlsConnect {
    pub fn from_ca_file(path: &Path) -> Result<RustlsConnect, HqError> {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject;
        let ca = |reason: String| HqError::Ca {
            path: path.display().to_string(),
            reason,
        };
        let mut roots = rustls::RootCertStore::empty();
        let certs = CertificateDer::pem_file_iter(path).map_err(|e| ca(e.to_string()))?;
        for cert in certs {
            let cert = cert.map_err(|e| ca(e.to_string()))?;
            roots.add(cert).map_err(|e| ca(e.to_string()))?;
        }
        if roots.is_empty() {
            return Err(ca("aucun certificat PEM dans ce fichier".into()));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ca(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(RustlsConnect {
            config: Arc::new(config),
        })
    }
}

impl<S> MakeTlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = TlsStream<S>;
    type TlsConnect = RustlsHandshake;
    type Error = rustls::pki_types::InvalidDnsNameError;

    fn make_tls_connect(&mut self, domain: &str) -> Result<RustlsHandshake, Self::Error> {
        let name = rustls::pki_types::ServerName::try_from(domain.to_owned())?;
        Ok(RustlsHandshake {
            config: self.config.clone(),
            name,
        })
    }
}

pub struct RustlsHandshake {
    config: Arc<rustls::ClientConfig>,
    name: rustls::pki_types::ServerName<'static>,
}

impl<S> TlsConnect<S> for RustlsHandshake
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = TlsStream<S>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = std::io::Result<TlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        let connector = tokio_rustls::TlsConnector::from(self.config);
        Box::pin(async move {
            let tls = connector.connect(self.name, stream).await?;
            Ok(TlsStream(Box::new(tls)))
        })
    }
}

/// The TLS session as tokio-postgres wants it. No channel binding: SCRAM without it (the
/// certificate check is what stops a man in the middle here).
pub struct TlsStream<S>(Box<tokio_rustls::client::TlsStream<S>>);

impl<S: AsyncRead + AsyncWrite + Unpin> tokio_postgres::tls::TlsStream for TlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way a password can be written, in the URL or as `key=value`, stays out of
    /// what is shown (review of issue 15, F3: `/`, `?`, spaces, quotes, an encoded key).
    #[test]
    fn the_password_never_shows() {
        for url in [
            "postgres://shop:s3cr3t@127.0.0.1:5432/caisse",
            "postgres://shop:ab/cd-s3cr3t@127.0.0.1/caisse",
            "postgres://shop:ab%3Fs3cr3t@127.0.0.1/caisse",
            "postgresql://u@127.0.0.1/db?password=s3cr3t&sslmode=disable",
            "postgresql://u@127.0.0.1/db?pass%77ord=s3cr3t",
            "host=127.0.0.1 user=u password=s3cr3t",
            "host=127.0.0.1 user=u password = s3cr3t",
            "host=127.0.0.1 user=u password='a s3cr3t c'",
        ] {
            let target = Target::new(&Secret::new(url), None).unwrap();
            let shown = format!("{target:?} {}", target.shown());
            assert!(!shown.contains("s3cr3t"), "{url} → {shown}");
            assert!(
                shown.contains("***"),
                "a password is said to be there: {shown}"
            );
        }
        let target = Target::new(&Secret::new("postgres://u:s3cr3t@127.0.0.1:1/db"), None).unwrap();
        assert_eq!(target.shown(), "postgres://u:***@127.0.0.1:1/db");
        let err = Target::new(&Secret::new("postgres://u:s3cr3t@h/db?sslmode=bogus"), None)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("s3cr3t"), "{err}");
    }

    /// A head office across the network is reached over verified TLS, or in clear only
    /// when the URL says `sslmode=disable` (review of issue 15, F4).
    #[test]
    fn a_remote_head_office_is_never_reached_in_clear_by_default() {
        for url in [
            "postgres://u:p@hq.example/db",
            "postgres://u:p@hq.example/db?sslmode=prefer",
            "postgres://u:p@10.0.0.5/db?sslmode=require",
            "host=hq.example user=u",
        ] {
            let err = Target::new(&Secret::new(url), None)
                .unwrap_err()
                .to_string();
            assert!(err.contains("ca_file"), "{url}: {err}");
        }
        for url in [
            "postgres://u:p@127.0.0.1/db",
            "postgres://u:p@localhost/db",
            "postgres://u:p@[::1]/db",
            "host=/run/postgresql user=u",
            "postgres://u:p@hq.example/db?sslmode=disable",
        ] {
            assert!(Target::new(&Secret::new(url), None).is_ok(), "{url}");
        }
    }

    #[test]
    fn verify_full_needs_the_authority() {
        let err = Target::new(
            &Secret::new("postgres://u:p@hq.example/db?sslmode=verify-full"),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("ca_file"), "{err}");
        assert_eq!(
            strip_verify_mode("postgres://u@h/db?sslmode=verify-full&application_name=x"),
            ("postgres://u@h/db?application_name=x".to_owned(), true)
        );
    }
}
