//! The offline sandbox: an HTTP server that emulates Intech API V2 (`/api-services`) and
//! Intram (`/api/v1`) faithfully enough for the client, the demo mode and the integration
//! tests to run against it over real HTTP.
//!
//! * Outcomes are deterministic, chosen by the last digits of the phone number, the account
//!   number or the MoneyGram reference: the table is in `src/sandbox/rules.rs`.
//! * The customer's side is an HTML page (`/deep/{transactionId}`, `/payment/gate/{id}` or
//!   `/intram/pay/{id}`) or `POST /sandbox/customer/{id}/approve|refuse` (Intram: with the
//!   customer's `phone`); `GET /sandbox/transactions` shows every
//!   record (status, operation attempts, status calls, callback deliveries).
//! * Callbacks are sent from background tasks, retried until answered 200; all background
//!   work stops with [`SandboxHandle::shutdown`].
//!
//! Modules: `state` (shared memory), `rules` (validation, outcomes), `lifecycle`
//! (transitions, timers), `callbacks` (outgoing), `signing` (its own hashes and HMAC, not
//! the client's), `intech`, `intram` (routes), `control` (`/sandbox/`), `pages` (HTML),
//! `icons`, `bills`, `moneygram` (derived data), `limits` (rate limit, blacklist), `guard`
//! (blacklist check, request log), `reply` (envelopes), `png` (Intram's QR image).

mod bills;
mod callbacks;
mod control;
mod guard;
mod icons;
mod intech;
mod intram;
mod lifecycle;
mod limits;
mod moneygram;
mod pages;
mod png;
mod reply;
mod rules;
/// What the sandbox charges per WhatsApp message (the demo's `[shop] whatsapp_fee`).
pub use rules::WHATSAPP_FEE;
pub mod signing;
mod state;
#[cfg(test)]
mod tests;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};

use state::{Shared, State, Tasks};

/// Request bodies above this size are refused with 413.
const BODY_LIMIT: usize = 1024 * 1024;

/// The outcome table in short, for the start-up banner and the home page.
const OUTCOMES: &[(&str, &str)] = &[
    (
        "…85",
        "Intram (numéro du client à la validation) : statut ERROR",
    ),
    (
        "…86",
        "Intram (numéro du client à la validation) : SUCCESS puis REFUNDED",
    ),
    (
        "…87",
        "SERVICE_DOWN : refus immédiat (code 4000), rien n'est créé",
    ),
    (
        "…88",
        "encaissement : le client valide seul après le délai d'auto-validation",
    ),
    (
        "…89",
        "exception du serveur : HTTP 500 JSON « Une erreur est survenue » alors que la transaction est créée",
    ),
    (
        "…91",
        "client sans provision : encaissement refusé (insufficient_balance), dépôt FAILLED (balance_check_failed)",
    ),
    (
        "…92",
        "numéro inconnu : refus immédiat (no_om_account, no_mtn_account, whatsapp_user_not_found, invalid_phone_number)",
    ),
    (
        "…93",
        "opérateur indisponible : PENDING, PROCESSING puis FAILLED (operator_down_time)",
    ),
    (
        "…94",
        "réponse HTTP retenue (slow-reply), la transaction suit son cours",
    ),
    (
        "…95",
        "jamais de réponse de l'opérateur : FAILLED payment-timeout à l'expiration",
    ),
    (
        "…96",
        "HTTP 500 (page HTML) alors que la transaction est créée",
    ),
    (
        "…97",
        "JSON tronqué (HTTP 201) alors que la transaction est créée",
    ),
    ("…98", "le callback final arrive avant la réponse HTTP"),
    (
        "autres",
        "succès (encaissement : après validation du client sur la page /deep/… ; Woyofal : SUCCESS immédiat)",
    ),
];

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The Intech API key the sandbox accepts (`Secretkey` header, `apiKey` field).
    pub api_key: String,
    /// When set: every Intech POST must carry valid `Hmac-Signature` + `Timestamp`
    /// headers, and callbacks are signed too.
    pub hmac_secret: Option<String>,
    /// The shop's balance at start (and after a reset).
    pub initial_balance: f64,
    /// PENDING → PROCESSING for operations that need no customer.
    pub processing_delay: Duration,
    /// PROCESSING → final.
    pub settle_delay: Duration,
    /// Phones ending in 88: the customer approves a cash-out by themself after this.
    pub auto_approve_delay: Duration,
    /// A transaction not final after this becomes FAILLED `payment-timeout` (Intram: FAIL).
    pub payment_timeout: Duration,
    /// A callback not answered 200 is sent again after this.
    pub callback_retry: Duration,
    /// How long the "slow" outcome (…94) holds the operation reply.
    pub slow_reply: Duration,
    /// `get-transaction-status` calls allowed per transaction and caller IP per window.
    pub status_limit: u32,
    pub status_window: Duration,
    /// How long a caller IP that exceeded the limit gets 403 on everything.
    pub blacklist_duration: Duration,
    /// The one-minute rule (SAME_TRANSACTION_WITHIN_ONE_MINUTE_INTERVAL): the same service,
    /// phone and amount created again within this window is refused. `None` here, because
    /// the demo and the tests repeat identical sales on purpose; `caisse sandbox` turns it
    /// on (60 s, `--duplicate-window-secs`).
    pub duplicate_window: Option<Duration>,
    /// `list-pending-bills` in the doc's nested shape (`pendingBills.pendingBills`) instead of
    /// the server's flat one.
    pub nested_bills: bool,
    /// The API key belongs to an account not enabled for production: operations above
    /// 300 XOF are refused (ACCOUNT_NO_ENABLED_FOR_PRODUCTION).
    pub test_account: bool,
    /// Intram's error bodies with HTTP 200, as its SDK mocks send them, instead of the real
    /// status (401, 400, 404).
    pub intram_errors_http_200: bool,
    pub intram_public_key: String,
    pub intram_private_key: String,
    pub intram_secret_key: String,
    /// How long a MoneyGram operation's commit holds its reply (the server retries it, 15 s
    /// apart: a payout may take over 30 s).
    pub moneygram_commit_delay: Duration,
    /// From a MoneyGram operation's reply (PENDING) to its SUCCESS callback.
    pub moneygram_callback_delay: Duration,
    /// The clock the `Date` header shows, this many seconds off the real one (`caisse
    /// doctor`'s clock check is tested against it); 0: the real time.
    pub clock_offset_secs: i64,
}

/// The server's window for the duplicate rule.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(60);

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            api_key: "demo-intech-key".into(),
            hmac_secret: None,
            initial_balance: 250_000.0,
            processing_delay: Duration::from_secs(1),
            settle_delay: Duration::from_secs(2),
            auto_approve_delay: Duration::from_secs(5),
            payment_timeout: Duration::from_secs(15 * 60),
            callback_retry: Duration::from_secs(60),
            slow_reply: Duration::from_secs(90),
            status_limit: 3,
            status_window: Duration::from_secs(60),
            blacklist_duration: Duration::from_secs(10 * 60),
            duplicate_window: None,
            nested_bills: false,
            test_account: false,
            intram_errors_http_200: false,
            intram_public_key: "demo-intram-public".into(),
            intram_private_key: "demo-intram-private".into(),
            intram_secret_key: "demo-intram-secret".into(),
            moneygram_commit_delay: Duration::from_secs(3),
            moneygram_callback_delay: Duration::from_secs(5),
            clock_offset_secs: 0,
        }
    }
}

/// `caisse sandbox` options.
#[derive(Debug, clap::Args)]
pub struct SandboxArgs {
    /// Adresse d'écoute (port 0 : un port libre au hasard).
    #[arg(long, default_value = "127.0.0.1:8085", value_name = "ADRESSE:PORT")]
    pub listen: SocketAddr,
    /// Clé API Intech acceptée par la sandbox (en-tête Secretkey, champ apiKey).
    #[arg(
        long,
        env = "CAISSE_SANDBOX_API_KEY",
        default_value = "demo-intech-key",
        hide_env_values = true,
        value_name = "CLÉ"
    )]
    pub api_key: String,
    /// Secret HMAC : s'il est donné, chaque POST Intech doit être signé (en-têtes
    /// Hmac-Signature et Timestamp) et les callbacks sont signés.
    #[arg(
        long,
        env = "CAISSE_SANDBOX_HMAC_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub hmac_secret: Option<String>,
    /// Solde initial du compte marchand, en FCFA.
    #[arg(long, default_value_t = 250_000.0, value_name = "FCFA")]
    pub balance: f64,
    /// Délai PENDING → PROCESSING des opérations sans client (dépôts, factures…), en ms.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    pub processing_ms: u64,
    /// Délai PROCESSING → statut final, en ms.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    pub settle_ms: u64,
    /// Numéros finissant par 88 : délai avant que le client valide seul un encaissement, en ms.
    #[arg(long, default_value_t = 5000, value_name = "MS")]
    pub auto_approve_ms: u64,
    /// Délai avant qu'une transaction non finale passe en FAILLED (payment-timeout), en secondes.
    #[arg(long, default_value_t = 900, value_name = "S")]
    pub payment_timeout_secs: u64,
    /// Délai entre deux envois d'un callback qui n'a pas reçu de HTTP 200, en secondes.
    #[arg(long, default_value_t = 60, value_name = "S")]
    pub callback_retry_secs: u64,
    /// Numéros finissant par 94 : durée pendant laquelle la réponse est retenue, en secondes.
    #[arg(long, default_value_t = 90, value_name = "S")]
    pub slow_reply_secs: u64,
    /// Durée de la mise sur liste noire d'une IP trop insistante, en secondes.
    #[arg(long, default_value_t = 600, value_name = "S")]
    pub blacklist_secs: u64,
    /// Une opération identique (service, téléphone, montant) reçue dans ce délai est refusée
    /// (SAME_TRANSACTION_WITHIN_ONE_MINUTE_INTERVAL), en secondes ; 0 : jamais.
    #[arg(long, default_value_t = 60, value_name = "S")]
    pub duplicate_window_secs: u64,
    /// list-pending-bills sous la forme imbriquée de la documentation
    /// (pendingBills.pendingBills) au lieu de la forme plate du serveur.
    #[arg(long)]
    pub nested_bills: bool,
    /// Compte de test, non autorisé en production : opérations limitées à 300 XOF
    /// (ACCOUNT_NO_ENABLED_FOR_PRODUCTION).
    #[arg(long)]
    pub test_account: bool,
    /// Erreurs Intram avec HTTP 200 (comme les simulateurs des SDK) au lieu du vrai statut.
    #[arg(long)]
    pub intram_errors_http_200: bool,
    /// MoneyGram (paiement, envoi) : durée de la validation avant la réponse, en ms.
    #[arg(long, default_value_t = 3000, value_name = "MS")]
    pub moneygram_commit_ms: u64,
    /// MoneyGram : délai entre la réponse (PENDING) et le callback SUCCESS, en ms.
    #[arg(long, default_value_t = 5000, value_name = "MS")]
    pub moneygram_callback_ms: u64,
    /// Horloge décalée de ce nombre de secondes dans l'en-tête Date (essais de caisse doctor).
    #[arg(
        long,
        default_value_t = 0,
        value_name = "S",
        hide = true,
        allow_negative_numbers = true
    )]
    pub clock_offset_secs: i64,
}

impl SandboxArgs {
    pub fn config(&self) -> SandboxConfig {
        SandboxConfig {
            api_key: self.api_key.clone(),
            hmac_secret: self.hmac_secret.clone().filter(|s| !s.is_empty()),
            initial_balance: self.balance,
            processing_delay: Duration::from_millis(self.processing_ms),
            settle_delay: Duration::from_millis(self.settle_ms),
            auto_approve_delay: Duration::from_millis(self.auto_approve_ms),
            payment_timeout: Duration::from_secs(self.payment_timeout_secs),
            callback_retry: Duration::from_secs(self.callback_retry_secs),
            slow_reply: Duration::from_secs(self.slow_reply_secs),
            blacklist_duration: Duration::from_secs(self.blacklist_secs),
            duplicate_window: (self.duplicate_window_secs > 0)
                .then(|| Duration::from_secs(self.duplicate_window_secs)),
            nested_bills: self.nested_bills,
            test_account: self.test_account,
            intram_errors_http_200: self.intram_errors_http_200,
            moneygram_commit_delay: Duration::from_millis(self.moneygram_commit_ms),
            moneygram_callback_delay: Duration::from_millis(self.moneygram_callback_ms),
            clock_offset_secs: self.clock_offset_secs,
            ..SandboxConfig::default()
        }
    }

    pub fn listen(&self) -> SocketAddr {
        self.listen
    }
}

/// A running sandbox. Dropping it stops the background work too; [`shutdown`] also waits
/// for the server to finish.
///
/// [`shutdown`]: SandboxHandle::shutdown
pub struct SandboxHandle {
    addr: SocketAddr,
    url: String,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    timers: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, ends held replies, aborts callback deliveries, waits for the server.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        if let Some(timers) = self.timers.take() {
            let _ = timers.await;
        }
        let mut tasks = self.shared.close_tasks();
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut server)
                .await
                .is_err()
        {
            server.abort();
            let _ = server.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        // Dropping the set aborts its tasks.
        drop(self.shared.close_tasks());
    }
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// The URL clients use: the bound address, with loopback for an unspecified one.
fn public_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// Binds `listen` (port 0 allowed) and serves in a background task.
pub async fn spawn(config: SandboxConfig, listen: SocketAddr) -> std::io::Result<SandboxHandle> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let url = public_url(addr);
    // The callbacks' client, built on the first callback (`http::LazyClient`).
    let http = crate::http::LazyClient::new(|| {
        crate::http::client_builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
    });
    let (stop, stopped) = watch::channel(false);
    let (services_body, errors_body) = intech::catalogue_bodies(&url);
    let shared = Arc::new(Shared {
        state: Mutex::new(State::new(config.initial_balance)),
        config,
        base_url: url.clone(),
        limits: Mutex::default(),
        wake: Notify::new(),
        tasks: Mutex::new(Tasks {
            set: JoinSet::new(),
            closed: false,
        }),
        shutdown: stopped.clone(),
        http,
        services_body,
        errors_body,
    });
    let timers = tokio::spawn(lifecycle::run_timers(shared.clone()));
    let app = router(shared.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let mut signal = stopped;
    let server = tokio::spawn(async move {
        let graceful = async move {
            let _ = signal.wait_for(|stop| *stop).await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(graceful)
            .await
        {
            tracing::error!(target: "caisse::sandbox", "serveur sandbox arrêté : {e}");
        }
    });
    Ok(SandboxHandle {
        addr,
        url,
        stop,
        server: Some(server),
        timers: Some(timers),
        shared,
    })
}

/// Serves until Ctrl-C (or SIGTERM), after printing the URL and the outcome rules.
pub async fn run(config: SandboxConfig, listen: SocketAddr) -> std::io::Result<()> {
    let handle = spawn(config.clone(), listen).await?;
    eprintln!("{}", banner(&handle.url(), &config));
    wait_for_stop_signal().await;
    eprintln!("Arrêt de la sandbox…");
    handle.shutdown().await;
    Ok(())
}

/// What `run` prints at start (French): the URLs and the outcome rules. The API key is
/// shown only when it is the public demo key.
fn banner(url: &str, config: &SandboxConfig) -> String {
    let key = if config.api_key == SandboxConfig::default().api_key {
        format!("« {} »", config.api_key)
    } else {
        "celle fournie (--api-key / CAISSE_SANDBOX_API_KEY)".to_owned()
    };
    let hmac = if config.hmac_secret.is_some() {
        "exigée sur chaque POST Intech"
    } else {
        "désactivée"
    };
    let mut banner = format!(
        "Sandbox caisse à l'écoute sur {url}\n\
         \x20 Intech API V2 : {url}/api-services   (clé API : {key} ; signature HMAC : {hmac})\n\
         \x20 Intram        : {url}/api/v1\n\
         \x20 Transactions  : {url}/sandbox/transactions\n\
         \x20 Client        : {url}/deep/<transactionId>, {url}/payment/gate/<id> ou POST {url}/sandbox/customer/<id>/approve|refuse[?phone=…]\n\
         Issue selon les deux derniers chiffres du téléphone :\n"
    );
    for (digits, text) in OUTCOMES {
        banner.push_str(&format!("  {digits:<7}{text}\n"));
    }
    banner.push_str(
        "Factures (dernier chiffre du compte) : 0 aucune, 1-3 autant, 4 refus, 5-9 une.\n",
    );
    if let Some(window) = config.duplicate_window {
        banner.push_str(&format!(
            "Opération identique refusée pendant {} s (SAME_TRANSACTION_WITHIN_ONE_MINUTE_INTERVAL).\n",
            window.as_secs()
        ));
    }
    if config.test_account {
        banner.push_str("Compte de test : opérations limitées à 300 XOF.\n");
    }
    banner.push_str("Ctrl-C pour arrêter.");
    banner
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn router(shared: Arc<Shared>) -> Router {
    let public = Router::new()
        .route("/", get(pages::home))
        .route("/api-services/services", get(intech::services))
        .route("/api-services/errors", get(intech::errors))
        .route("/api-services/balance", get(intech::balance))
        .route(
            "/api-services/list-pending-bills",
            post(intech::pending_bills),
        )
        .route("/api-services/operation", post(intech::operation))
        .route(
            "/api-services/get-transaction-status",
            post(intech::transaction_status),
        )
        .route("/api-services/new-claim", post(intech::new_claim))
        .route(
            "/api-services/transaction/refund-cancel",
            post(intech::refund_cancel),
        )
        .route(
            "/api-services/moneygram-reception-info",
            post(intech::moneygram_reception),
        )
        .route(
            "/api-services/moneygram-send-info",
            post(intech::moneygram_send),
        )
        .route("/api/v1/payments/request", post(intram::payment_request))
        .route("/api/v1/transactions/confirm/{id}", get(intram::confirm))
        .route("/deep/{id}", get(pages::deep))
        .route("/intram/pay/{id}", get(pages::intram_pay))
        .route("/payment/gate/{id}", get(pages::intram_pay))
        .route("/icons/{file}", get(icons::serve))
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            guard::refuse_blacklisted,
        ));
    let control = Router::new()
        .route("/sandbox/customer/{id}/{decision}", post(control::decide))
        .route("/sandbox/transactions", get(control::transactions))
        .route("/sandbox/reset", post(control::reset));
    public
        .merge(control)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(guard::log_request))
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            guard::skewed_date,
        ))
        .with_state(shared)
}

/// Unknown routes: NestJS's JSON 404 under the API prefixes, a page elsewhere.
async fn not_found(uri: Uri, method: axum::http::Method) -> Response {
    let path = uri.path();
    if path.starts_with("/api-services") || path.starts_with("/api/") {
        reply::json(
            StatusCode::NOT_FOUND,
            &serde_json::json!({
                "statusCode": 404,
                "message": format!("Cannot {method} {path}"),
                "error": "Not Found",
            }),
        )
    } else {
        pages::not_found_page()
    }
}
