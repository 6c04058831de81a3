//! Building caisse from its configuration: the gateways (in demo mode the sandbox running
//! in-process, which lives as long as the context), the journal and the engine; and for a
//! counter or the shop's service, the engine's companions (poller, watcher of other
//! processes, callback listener) with the session hub. One place, for the single-counter
//! app and `caisse serve` alike.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{self, Config};
use crate::engine::{Engine, EngineConfig, Gateways};
use crate::exit::{ExitCode, Failure};
use crate::gateway::intech::{IntechClient, IntechConfig};
use crate::gateway::intram::{IntramClient, IntramConfig};
use crate::journal::Journal;
use crate::sandbox::SandboxConfig;
use crate::secret::Secret;

pub mod demo;
pub use demo::{Demo, Part};

pub struct Context {
    pub config: Config,
    pub gateways: Gateways,
    pub journal_path: PathBuf,
    /// In demo mode, the demo's one sandbox: this process's, or the running demo's.
    pub demo: Option<Demo>,
}

impl Context {
    /// True when the gateways are the in-process demo sandbox (it stops with the command).
    pub fn is_demo(&self) -> bool {
        self.demo.is_some()
    }

    pub fn intech(&self) -> Result<&IntechClient, Failure> {
        self.gateways.intech.as_deref().ok_or_else(|| Failure {
            message: "Intech n'est pas configuré (CAISSE_INTECH_URL, CAISSE_INTECH_API_KEY)".into(),
            code: ExitCode::Config,
        })
    }

    /// The engine on this context's journal and gateways, with tuning from the environment.
    pub fn engine(&self) -> Result<Arc<Engine>, Failure> {
        let journal = Journal::open(&self.journal_path).map_err(|e| Failure {
            message: e.to_string(),
            code: ExitCode::Config,
        })?;
        let plan = config::poll_plan(&config::environment::tuning).map_err(|m| Failure {
            message: m,
            code: ExitCode::Config,
        })?;
        let engine_config = EngineConfig {
            plan,
            callback_url: self.config.callback_url.clone(),
            send_timeout: self
                .config
                .intech
                .as_ref()
                .map(|i| i.timeout)
                .unwrap_or(config::DEFAULT_TIMEOUT),
            hmac_secret: self
                .config
                .intech
                .as_ref()
                .and_then(|i| i.hmac_secret.clone()),
            terminal: terminal_name(),
            cashier: config::environment::unix_user().unwrap_or_default(),
            shop: self.config.shop.clone(),
            printer: self.config.printer.clone(),
            ..EngineConfig::default()
        };
        Ok(Engine::new(
            journal,
            self.gateways.clone(),
            engine_config,
            crate::engine::system_clock(),
        ))
    }
}

/// Where this session runs: the SSH client's address, else the tty, else `local`.
pub fn terminal_name() -> String {
    if let Some(addr) = config::environment::ssh_client() {
        return format!("ssh:{addr}");
    }
    std::fs::read_link("/proc/self/fd/0")
        .ok()
        .map(|p| p.display().to_string())
        .filter(|p| p.starts_with("/dev/"))
        .unwrap_or_else(|| "local".into())
}

/// The journal the commands use: the configured one, or in demo mode `demo-journal.db`
/// beside it (demo sales never mix with real ones) unless `CAISSE_DB` names one.
pub fn journal_path(config: &Config) -> PathBuf {
    if config.is_demo() && !config::environment::journal_named() {
        config.journal_path.with_file_name("demo-journal.db")
    } else {
        config.journal_path.clone()
    }
}

/// Loads the configuration for a command; with no gateway configured, the demo's sandbox
/// (the running demo's, else one started here: `demo`).
pub async fn connect(config_path: Option<&Path>) -> Result<Context, Failure> {
    connect_as(config_path, Part::Command).await
}

/// [`connect`] for the app or the service, which refuse to start beside a running demo.
pub async fn connect_lasting(config_path: Option<&Path>) -> Result<Context, Failure> {
    connect_as(config_path, Part::Lasting).await
}

async fn connect_as(config_path: Option<&Path>, part: Part) -> Result<Context, Failure> {
    let mut config: Config = config::load(&config::Sources::from_process(config_path))?;
    let mut gateways = Gateways::default();
    let mut demo = None;
    let journal_path = journal_path(&config);
    if config.is_demo() {
        let demo_config = SandboxConfig::default();
        let running = demo::open(&journal_path, &demo_config, part).await?;
        let url = running.url();
        match &running {
            Demo::Own { .. } => eprintln!(
                "Mode DÉMO : aucune passerelle configurée, sandbox intégrée ({url}) — aucun argent réel ne circule."
            ),
            Demo::Joined { pid, .. } => eprintln!(
                "Mode DÉMO : la démo ouverte (processus {pid}) est utilisée, avec sa sandbox ({url}) — aucun argent réel ne circule."
            ),
        }
        gateways.intech = Some(Arc::new(IntechClient::new(IntechConfig::new(
            url.clone(),
            Secret::new(demo_config.api_key.clone()),
        ))?));
        gateways.intram = Some(Arc::new(IntramClient::new(IntramConfig::new(
            format!("{url}/api/v1"),
            Secret::new(demo_config.intram_public_key.clone()),
            Secret::new(demo_config.intram_private_key.clone()),
            Secret::new(demo_config.intram_secret_key.clone()),
        ))?));
        // Callbacks in demo too: the sandbox calls back a listener on loopback, so a sale
        // settles the moment the customer approves, as it would in a shop.
        if config.callback_listen.is_none()
            && let Ok(probe) = std::net::TcpListener::bind(("127.0.0.1", 0))
            && let Ok(addr) = probe.local_addr()
        {
            drop(probe);
            config.callback_listen = Some(addr);
            config.callback_url = Some(format!("http://{addr}/intech-callback"));
        }
        // The sandbox's fee per WhatsApp message, known before the first one is sent.
        config
            .shop
            .whatsapp_fee
            .get_or_insert(crate::sandbox::WHATSAPP_FEE);
        demo = Some(running);
    } else {
        if let Some(intech) = &config.intech {
            gateways.intech = Some(Arc::new(IntechClient::new(IntechConfig {
                base_url: intech.url.clone(),
                api_key: intech.api_key.clone(),
                hmac_secret: intech.hmac_secret.clone(),
                timeout: intech.timeout,
            })?));
        }
        if let Some(intram) = &config.intram {
            gateways.intram = Some(Arc::new(IntramClient::new(IntramConfig {
                base_url: intram.url.clone(),
                public_key: intram.public_key.clone(),
                private_key: intram.private_key.clone(),
                secret_key: intram.secret_key.clone(),
                marchand_key: intram.marchand_key.clone(),
                timeout: intram.timeout,
            })?));
        }
    }
    Ok(Context {
        config,
        gateways,
        journal_path,
        demo,
    })
}

/// The engine running with its companions, and what the hub needs.
pub struct Running {
    pub engine: Arc<Engine>,
    /// The poller, the watcher, the callback listener: aborted when dropped.
    pub tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Running {
    /// The session hub over this engine. `open_counter`: a single counter with no cashier
    /// accounts runs without a login (never in kiosk mode, never for the service).
    pub fn hub(&self, context: &Context, open_counter: bool) -> Arc<crate::session::Hub> {
        crate::session::Hub::new(
            self.engine.clone(),
            context.is_demo(),
            context.config.kiosk.clone(),
            context.config.low_balance,
            open_counter,
        )
    }
}

/// Starts the engine of `context` and what keeps sales moving: the unsettled rows resumed
/// (with `everything`, every one is asked about now, as the service does at start), the
/// poller, the watcher of other processes' writes, and the callback listener when one is
/// configured.
pub async fn start(context: &Context, everything: bool) -> Result<Running, Failure> {
    let failure = |message: String| Failure {
        message,
        code: ExitCode::Config,
    };
    let engine = context.engine()?;
    engine
        .resume(everything)
        .await
        .map_err(|e| failure(e.to_string()))?;
    let mut running = Running {
        tasks: vec![
            tokio::spawn(engine.clone().run_poller()),
            tokio::spawn(engine.clone().run_watcher(context.journal_path.clone())),
        ],
        engine,
    };
    if let Some(listen) = context.config.callback_listen {
        let (_, task) = crate::engine::serve_callbacks(
            running.engine.clone(),
            listen,
            context.config.callback_timeouts,
        )
        .await
        .map_err(|e| {
            failure(format!(
                "écoute des callbacks impossible sur {listen} : {e}"
            ))
        })?;
        running.tasks.push(task);
    }
    Ok(running)
}
