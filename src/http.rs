//! The one place that builds `reqwest` clients.
//!
//! reqwest is compiled with `rustls-no-provider` and rustls with the `ring` provider
//! (ring builds several times faster than aws-lc on a 2-core machine), so the process-wide
//! crypto provider must be installed before the first client is built.

use std::sync::Once;

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
