//! The one place that builds `reqwest` clients.
//!
//! reqwest is compiled with `rustls-no-provider` and rustls with the `ring` provider
//! (ring builds several times faster than aws-lc on a 2-core machine), so the process-wide
//! crypto provider must be installed before the first client is built.

use std::sync::{Arc, Once};

use tokio::sync::OnceCell;

pub mod date;

static INSTALL: Once = Once::new();

/// Installs rustls's `ring` provider once per process; harmless to call again.
pub fn install_crypto_provider() {
    INSTALL.call_once(|| {
        // Err only means another provider was installed first, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A `reqwest::ClientBuilder` with the crypto provider ready and no proxy lookup
/// (a shop's `HTTPS_PROXY` is honoured only when configured explicitly later).
pub fn client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder().user_agent(concat!("caisse/", env!("CARGO_PKG_VERSION")))
}

/// A client built on its first request. Building one reads the system's certificate store
/// (some 150 files, about 8 ms): at start-up that stood between the cashier and the first
/// frame, three times over (Intech, Intram, the demo's sandbox), for clients that may not
/// be used for seconds. Clones share the one client. It is built on a blocking thread: on
/// the app's single thread, those milliseconds of file reading would hold up the keys.
#[derive(Clone)]
pub struct LazyClient {
    client: Arc<OnceCell<Result<reqwest::Client, String>>>,
    build: Arc<dyn Fn() -> reqwest::Result<reqwest::Client> + Send + Sync>,
}

impl LazyClient {
    /// `build` runs once, on the first [`LazyClient::get`].
    pub fn new(
        build: impl Fn() -> reqwest::Result<reqwest::Client> + Send + Sync + 'static,
    ) -> LazyClient {
        // The provider is cheap to install, and other clients of the process (a test's own)
        // count on it being there once a client exists.
        install_crypto_provider();
        LazyClient {
            client: Arc::new(OnceCell::new()),
            build: Arc::new(build),
        }
    }

    /// The client, or why it could not be built (kept: it would fail the same again).
    /// Callers at the same moment wait for the one build.
    pub async fn get(&self) -> Result<&reqwest::Client, String> {
        self.client
            .get_or_init(|| async {
                let build = self.build.clone();
                match tokio::task::spawn_blocking(move || build()).await {
                    Ok(built) => built.map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                }
            })
            .await
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl std::fmt::Debug for LazyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.client.get() {
            None => "LazyClient(not built yet)",
            Some(Ok(_)) => "LazyClient(built)",
            Some(Err(_)) => "LazyClient(failed)",
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_lazy_client_is_built_once_on_first_use_and_shared_by_its_clones() {
        let built = Arc::new(AtomicUsize::new(0));
        let counter = built.clone();
        let lazy = LazyClient::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            client_builder().build()
        });
        let clone = lazy.clone();
        assert_eq!(built.load(Ordering::SeqCst), 0, "nothing built before use");
        assert!(lazy.get().await.is_ok());
        assert!(clone.get().await.is_ok());
        assert_eq!(built.load(Ordering::SeqCst), 1);
    }
}
