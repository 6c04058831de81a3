//! Configuration: a TOML file, then environment variables on top.
//!
//! Where the file is: `--config PATH`, else `CAISSE_CONFIG`, else `config.toml` in the OS
//! config directory (`~/.config/caisse/` on Linux). A file named explicitly must exist; the
//! default one may be absent (then only the environment configures caisse, and with no
//! gateway configured the app runs in demo mode on the built-in sandbox).
//!
//! Secrets: every key is a [`Secret`], so `{:?}` of a `Config` prints `[REDACTED]`. A file
//! that holds a secret and is readable by every user of the machine is refused: on a shared
//! kiosk host that would hand the shop's API key to every cashier account.
//!
//! One file, past 600 lines, on purpose: it is the only place that knows every setting and
//! its environment variable, and the checks that tie them together; the file's syntax is
//! `config/file.rs`, the variables `config/environment.rs`, the tests `config/tests.rs`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub mod environment;
mod file;
use file::{FileConfig, FileHq, FileIntech, FileIntram, parse_text, read_file};

use crate::domain::PollPlan;
use crate::secret::Secret;

// The defaults belong to the parts that use them; the configuration only reads overrides.
pub use crate::engine::listener::{CALLBACK_DEADLINE, CALLBACK_HEADER_TIMEOUT, CallbackTimeouts};
pub use crate::gateway::{DEFAULT_INTECH_URL, DEFAULT_INTRAM_URL, DEFAULT_TIMEOUT};

#[derive(Debug, Clone, PartialEq)]
pub struct IntechSettings {
    pub url: String,
    pub api_key: Secret,
    pub hmac_secret: Option<Secret>,
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IntramSettings {
    pub url: String,
    pub public_key: Secret,
    pub private_key: Secret,
    pub secret_key: Secret,
    pub marchand_key: Option<Secret>,
    pub timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    French,
    English,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file that was read, if any.
    pub source: Option<PathBuf>,
    /// `None`: Intech is not configured (demo mode).
    pub intech: Option<IntechSettings>,
    pub intram: Option<IntramSettings>,
    pub journal_path: PathBuf,
    /// The URL sent to Intech as `callbackUrl`.
    pub callback_url: Option<String>,
    /// Where the callback listener binds, when it runs.
    pub callback_listen: Option<SocketAddr>,
    pub language: Language,
    /// `caisse serve`'s socket; the app and the CLI use it when set.
    pub socket: Option<PathBuf>,
    pub kiosk: KioskSettings,
    pub callback_timeouts: CallbackTimeouts,
    /// `[shop]`: the shop's name and address, for the receipts.
    pub shop: crate::domain::receipt::Shop,
    /// `[printer]`: `None` when no receipt printer is configured.
    pub printer: Option<PrinterSettings>,
    /// `[shop] low_balance`: below this gateway balance (FCFA) every counter's header warns.
    pub low_balance: Option<i64>,
    /// `[hq]`: the head office; `None` for a shop on its own (no outbox, no PostgreSQL).
    pub hq: Option<HqSettings>,
}

/// `[hq]`: where the journal is replicated, and as whom.
#[derive(Debug, Clone, PartialEq)]
pub struct HqSettings {
    /// The shop's own role (`url` and `shop_id` both given): the service replicates.
    pub shop: Option<HqShop>,
    pub ca_file: Option<PathBuf>,
    /// The head office's administrator, for `caisse hq migrate` and `caisse hq add-shop`.
    pub admin_url: Option<Secret>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HqShop {
    /// A URL with the role's password: a secret, and redacted in every message.
    pub url: Secret,
    pub shop_id: String,
}

/// Where the receipt printer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterTarget {
    /// A network printer (`host:9100`).
    Tcp(String),
    /// A device file (`/dev/usb/lp0`).
    Device(PathBuf),
}

/// `[printer]`: the thermal printer for receipts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterSettings {
    pub target: PrinterTarget,
    /// Characters per line: 32 (58 mm) or 48 (80 mm).
    pub width: usize,
    /// How long to wait for the printer at each step (connect, status, send).
    pub timeout: Duration,
    /// Ask a network printer its status (online, paper) before sending; off for a printer
    /// that never answers `DLE EOT`.
    pub check_status: bool,
}

/// Waiting longer for a printer would hold the cashier: 3 s unless configured.
pub const DEFAULT_PRINTER_TIMEOUT: Duration = Duration::from_secs(3);

/// `[kiosk]`: the cashiers' sessions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KioskSettings {
    /// The app starts in kiosk mode (as with `--kiosk`).
    pub enabled: bool,
    /// Idle time before the screen locks; `None`: the default (5 minutes).
    pub idle_lock: Option<std::time::Duration>,
    /// Unix user → cashier name: that user is only asked for the PIN.
    pub users: std::collections::BTreeMap<String, String>,
}

impl Config {
    /// True when no gateway is configured: the app then runs on the built-in sandbox.
    pub fn is_demo(&self) -> bool {
        self.intech.is_none() && self.intram.is_none()
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("fichier de configuration introuvable : {path} (donné par {origin})")]
    Missing { path: PathBuf, origin: &'static str },
    #[error("impossible de lire le fichier de configuration {path} : {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error(
        "le fichier de configuration {path} est lisible par tous les utilisateurs (droits {mode:03o}) \
         alors qu'il contient une clé secrète ; corrigez avec : chmod 600 {path}"
    )]
    WorldReadable { path: PathBuf, mode: u32 },
    /// `reason` never quotes the file's text: a line of it may hold a key.
    #[error("fichier de configuration {path} invalide{}: {reason}", line.map(|l| format!(" (ligne {l}) ")).unwrap_or_else(|| " ".into()))]
    Invalid {
        path: PathBuf,
        line: Option<usize>,
        reason: String,
    },
    #[error("valeur invalide pour {name} : {reason}")]
    BadValue { name: String, reason: String },
    #[error("{0}")]
    Incomplete(String),
}

/// Where configuration comes from; tests pass a fake environment and directories.
pub struct Sources<'a> {
    pub cli_path: Option<&'a Path>,
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// `config.toml`'s directory when neither `--config` nor `CAISSE_CONFIG` is given.
    pub default_config_dir: Option<PathBuf>,
    /// Where the journal goes when nothing says otherwise.
    pub default_data_dir: Option<PathBuf>,
}

impl Sources<'_> {
    /// The real process: its environment and the OS directories.
    pub fn from_process(cli_path: Option<&Path>) -> Sources<'_> {
        let dirs = directories::ProjectDirs::from("sn", "caisse", "caisse");
        Sources {
            cli_path,
            env: &process_env,
            default_config_dir: dirs.as_ref().map(|d| d.config_dir().to_path_buf()),
            default_data_dir: dirs.as_ref().map(|d| d.data_dir().to_path_buf()),
        }
    }
}

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Reads the file (if any) and applies the environment on top.
pub fn load(sources: &Sources<'_>) -> Result<Config, ConfigError> {
    let env = |name: &str| (sources.env)(name).filter(|v| !v.is_empty());

    let (path, origin) = match (sources.cli_path, env("CAISSE_CONFIG")) {
        (Some(p), _) => (Some(p.to_path_buf()), Some("--config")),
        (None, Some(p)) => (Some(PathBuf::from(p)), Some("CAISSE_CONFIG")),
        (None, None) => (
            sources
                .default_config_dir
                .as_ref()
                .map(|d| d.join("config.toml")),
            None,
        ),
    };

    let (file, source) = match path {
        Some(path) => match read_file(&path, origin)? {
            Some(file) => (file, Some(path)),
            None => (FileConfig::default(), None),
        },
        None => (FileConfig::default(), None),
    };
    resolve(file, source, sources)
}

/// A configuration given as TOML text rather than a file (no path, so no permission check),
/// with `sources`' environment on top. The fuzz target of the config parser goes through
/// here: the same parsing and resolution as [`load`].
pub fn from_toml_text(text: &str, sources: &Sources<'_>) -> Result<Config, ConfigError> {
    let file = parse_text(Path::new("<texte>"), text)?;
    resolve(file, None, sources)
}

/// The environment on top of the file's settings.
fn resolve(
    file: FileConfig,
    source: Option<PathBuf>,
    sources: &Sources<'_>,
) -> Result<Config, ConfigError> {
    let env = |name: &str| (sources.env)(name).filter(|v| !v.is_empty());
    let intech = resolve_intech(&file.intech, &env)?;
    let intram = resolve_intram(&file.intram, &env)?;

    let journal_path = env("CAISSE_DB")
        .map(PathBuf::from)
        .or(file.journal.path.clone())
        .or_else(|| {
            sources
                .default_data_dir
                .as_ref()
                .map(|d| d.join("journal.db"))
        })
        .unwrap_or_else(|| PathBuf::from("caisse-journal.db"));

    let callback_url = env("CAISSE_CALLBACK_URL").or(file.callback.url.clone());
    if let Some(url) = &callback_url {
        check_callback_url(url)?;
    }
    let callback_listen = match env("CAISSE_CALLBACK_LISTEN").or(file.callback.listen.clone()) {
        Some(addr) => Some(addr.parse().map_err(|_| ConfigError::BadValue {
            name: "CAISSE_CALLBACK_LISTEN / [callback] listen".into(),
            reason: format!("« {addr} » n'est pas une adresse IP:port"),
        })?),
        None => None,
    };

    let language = match env("CAISSE_LANG").or(file.ui.language.clone()).as_deref() {
        None | Some("fr") => Language::French,
        Some("en") => Language::English,
        Some(other) => {
            return Err(ConfigError::BadValue {
                name: "CAISSE_LANG / [ui] language".into(),
                reason: format!("« {other} » : choisissez fr ou en"),
            });
        }
    };

    let socket = env("CAISSE_SOCKET")
        .map(PathBuf::from)
        .or(file.serve.socket.clone());
    let idle_lock = match env("CAISSE_IDLE_LOCK_SECS") {
        Some(secs) => Some(
            secs.parse::<f64>()
                .ok()
                .and_then(idle_lock_from_secs)
                .ok_or_else(|| ConfigError::BadValue {
                    name: "CAISSE_IDLE_LOCK_SECS".into(),
                    reason: format!("« {secs} » : un nombre de secondes de 0 à 604800"),
                })?,
        ),
        None => match file.kiosk.idle_lock_minutes {
            Some(m) => {
                Some(
                    idle_lock_from_secs(m * 60.0).ok_or_else(|| ConfigError::BadValue {
                        name: "[kiosk] idle_lock_minutes".into(),
                        reason: format!("« {m} » : un nombre de minutes de 0 (jamais) à 10080"),
                    })?,
                )
            }
            None => None,
        },
    };
    let kiosk = KioskSettings {
        enabled: file.kiosk.enabled,
        idle_lock,
        users: file.kiosk.users.clone(),
    };
    let callback_timeouts = CallbackTimeouts {
        header: millis(
            &env,
            "CAISSE_CALLBACK_HEADER_TIMEOUT_MS",
            CALLBACK_HEADER_TIMEOUT,
        )?,
        deadline: millis(&env, "CAISSE_CALLBACK_DEADLINE_MS", CALLBACK_DEADLINE)?,
    };

    let shop = crate::domain::receipt::Shop {
        name: file.shop.name.clone().unwrap_or_default().trim().to_owned(),
        address: file
            .shop
            .address
            .as_deref()
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        whatsapp_fee: file
            .shop
            .whatsapp_fee
            .map(|n| n.min(i64::MAX as u64) as i64),
    };
    let printer = resolve_printer(&file.printer)?;
    let hq = resolve_hq(&file.hq, &env)?;

    Ok(Config {
        source,
        intech,
        intram,
        journal_path,
        callback_url,
        callback_listen,
        language,
        socket,
        kiosk,
        callback_timeouts,
        shop,
        printer,
        low_balance: file.shop.low_balance.map(|n| n.min(i64::MAX as u64) as i64),
        hq,
    })
}

/// `[hq]`: `url` and `shop_id` go together; `CAISSE_HQ_ADMIN_URL` overrides `admin_url`
/// (the administrator's password then stays out of the file).
fn resolve_hq(
    file: &FileHq,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<HqSettings>, ConfigError> {
    let admin_url = env("CAISSE_HQ_ADMIN_URL")
        .map(Secret::from)
        .or(file.admin_url.clone());
    let shop_id = file
        .shop_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let shop = match (&file.url, shop_id) {
        (None, None) => None,
        (Some(url), Some(id)) => {
            if !crate::hq::valid_shop_id(id) {
                return Err(ConfigError::BadValue {
                    name: "[hq] shop_id".into(),
                    reason: format!(
                        "« {id} » : de 1 à 40 lettres minuscules, chiffres, - ou _ (par exemple dakar-plateau)"
                    ),
                });
            }
            Some(HqShop {
                url: url.clone(),
                shop_id: id.to_owned(),
            })
        }
        (Some(_), None) => {
            return Err(ConfigError::Incomplete(
                "[hq] url donnée sans shop_id : ajoutez shop_id = \"…\" (l'identifiant de la \
                 boutique au siège, celui de « caisse hq add-shop »)"
                    .into(),
            ));
        }
        (None, Some(_)) => {
            return Err(ConfigError::Incomplete(
                "[hq] shop_id donné sans url : ajoutez url = \"postgres://…\" (le rôle de la \
                 boutique au siège)"
                    .into(),
            ));
        }
    };
    if shop.is_none() && admin_url.is_none() && file.ca_file.is_none() {
        return Ok(None);
    }
    Ok(Some(HqSettings {
        shop,
        ca_file: file.ca_file.clone(),
        admin_url,
    }))
}

/// `[printer]`: one target (`address` or `device`), a width of 32 or 48.
fn resolve_printer(file: &file::FilePrinter) -> Result<Option<PrinterSettings>, ConfigError> {
    let bad = |reason: String| ConfigError::BadValue {
        name: "[printer]".into(),
        reason,
    };
    let target = match (&file.address, &file.device) {
        (None, None) => {
            if file.width.is_some() || file.timeout_secs.is_some() || file.check_status.is_some() {
                return Err(bad(
                    "donnez address (hôte:9100) ou device (/dev/usb/lp0)".into()
                ));
            }
            return Ok(None);
        }
        (Some(_), Some(_)) => {
            return Err(bad("address ou device, pas les deux".into()));
        }
        (Some(address), None) => {
            let address = address.trim();
            if address.is_empty() {
                return Err(bad("address vide".into()));
            }
            let with_port = match address.rsplit_once(':') {
                Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
                    address.to_owned()
                }
                Some(_) => return Err(bad(format!("« {address} » : hôte:port attendu"))),
                None => format!("{address}:9100"),
            };
            PrinterTarget::Tcp(with_port)
        }
        (None, Some(device)) => PrinterTarget::Device(device.clone()),
    };
    let width = match file.width {
        None => crate::domain::receipt::NARROW,
        Some(w @ (32 | 48)) => w,
        Some(other) => {
            return Err(bad(format!(
                "width « {other} » : 32 (rouleau de 58 mm) ou 48 (80 mm)"
            )));
        }
    };
    let timeout = match file.timeout_secs {
        None => DEFAULT_PRINTER_TIMEOUT,
        Some(0) => return Err(bad("timeout_secs doit dépasser 0".into())),
        Some(secs) => Duration::from_secs(secs.min(60)),
    };
    Ok(Some(PrinterSettings {
        target,
        width,
        timeout,
        check_status: file.check_status.unwrap_or(true),
    }))
}

/// A delay in milliseconds from the environment (tuning, tests), else `default`; 0 is
/// refused, as it would close every connection at once.
fn millis(
    env: &dyn Fn(&str) -> Option<String>,
    name: &str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let Some(v) = env(name) else {
        return Ok(default);
    };
    match v.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(ConfigError::BadValue {
            name: name.into(),
            reason: format!("« {v} » : un nombre de millisecondes supérieur à 0"),
        }),
    }
}

/// An idle-lock delay: 0 (never) to a week; anything else (negative, NaN, infinite) is
/// refused rather than let overflow a timer.
pub fn idle_lock_from_secs(secs: f64) -> Option<std::time::Duration> {
    (secs.is_finite() && (0.0..=604_800.0).contains(&secs))
        .then(|| std::time::Duration::from_secs_f64(secs))
}

fn timeout(
    env: &dyn Fn(&str) -> Option<String>,
    name: &str,
    file: Option<u64>,
) -> Result<Duration, ConfigError> {
    let secs = match env(name) {
        Some(v) => v.trim().parse::<u64>().map_err(|_| ConfigError::BadValue {
            name: name.into(),
            reason: format!("« {v} » n'est pas un nombre de secondes"),
        })?,
        None => match file {
            Some(secs) => secs,
            None => return Ok(DEFAULT_TIMEOUT),
        },
    };
    if secs == 0 {
        return Err(ConfigError::BadValue {
            name: name.into(),
            reason: "le délai doit dépasser 0 s".into(),
        });
    }
    Ok(Duration::from_secs(secs))
}

fn resolve_intech(
    file: &FileIntech,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<IntechSettings>, ConfigError> {
    let url = env("CAISSE_INTECH_URL").or(file.url.clone());
    let api_key = env("CAISSE_INTECH_API_KEY")
        .map(Secret::from)
        .or(file.api_key.clone());
    let hmac_secret = env("CAISSE_INTECH_HMAC_SECRET")
        .map(Secret::from)
        .or(file.hmac_secret.clone());
    let api_key = match (url.is_some(), api_key) {
        (false, None) => return Ok(None),
        (true, None) => {
            return Err(ConfigError::Incomplete(
                "adresse Intech donnée mais clé API manquante : renseignez CAISSE_INTECH_API_KEY \
                 ou [intech] api_key"
                    .into(),
            ));
        }
        (_, Some(key)) => key,
    };
    Ok(Some(IntechSettings {
        url: trim_url(url.unwrap_or_else(|| DEFAULT_INTECH_URL.into())),
        api_key,
        hmac_secret,
        timeout: timeout(env, "CAISSE_INTECH_TIMEOUT_SECS", file.timeout_secs)?,
    }))
}

fn resolve_intram(
    file: &FileIntram,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<IntramSettings>, ConfigError> {
    let url = env("CAISSE_INTRAM_URL").or(file.url.clone());
    let key =
        |name: &str, from_file: &Option<Secret>| env(name).map(Secret::from).or(from_file.clone());
    let public_key = key("CAISSE_INTRAM_PUBLIC_KEY", &file.public_key);
    let private_key = key("CAISSE_INTRAM_PRIVATE_KEY", &file.private_key);
    let secret_key = key("CAISSE_INTRAM_SECRET_KEY", &file.secret_key);
    let marchand_key = key("CAISSE_INTRAM_MARCHAND_KEY", &file.marchand_key);
    if url.is_none() && public_key.is_none() && private_key.is_none() && secret_key.is_none() {
        return Ok(None);
    }
    let missing: Vec<&str> = [
        ("CAISSE_INTRAM_PUBLIC_KEY", public_key.is_none()),
        ("CAISSE_INTRAM_PRIVATE_KEY", private_key.is_none()),
        ("CAISSE_INTRAM_SECRET_KEY", secret_key.is_none()),
    ]
    .iter()
    .filter(|(_, absent)| *absent)
    .map(|(name, _)| *name)
    .collect();
    if !missing.is_empty() {
        return Err(ConfigError::Incomplete(format!(
            "configuration Intram incomplète : il manque {} (ou la clé correspondante dans [intram])",
            missing.join(", ")
        )));
    }
    Ok(Some(IntramSettings {
        url: trim_url(url.unwrap_or_else(|| DEFAULT_INTRAM_URL.into())),
        public_key: public_key.unwrap_or_default(),
        private_key: private_key.unwrap_or_default(),
        secret_key: secret_key.unwrap_or_default(),
        marchand_key,
        timeout: timeout(env, "CAISSE_INTRAM_TIMEOUT_SECS", file.timeout_secs)?,
    }))
}

fn trim_url(url: String) -> String {
    url.trim_end_matches('/').to_owned()
}

/// Intech's server refuses a `callbackUrl` that is not HTTPS: every sale would be refused.
/// Plain HTTP is allowed on the loopback only (a listener behind a local TLS proxy, tests).
pub fn check_callback_url(url: &str) -> Result<(), ConfigError> {
    let bad = |reason: String| ConfigError::BadValue {
        name: "CAISSE_CALLBACK_URL / [callback] url".into(),
        reason,
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(bad(format!(
            "« {url} » n'est pas une adresse web (https://…)"
        )));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    let loopback = host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match scheme.to_ascii_lowercase().as_str() {
        "https" if !host.is_empty() => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(bad(format!(
            "« {url} » : Intech refuse les adresses de callback qui ne sont pas en HTTPS ; \
             donnez une adresse https://… (le http n'est accepté que sur la boucle locale)"
        ))),
    }
}

/// The default poll plan with the overrides of the environment (for tuning and for tests
/// that accelerate time): `CAISSE_POLL_FIRST_MS` (comma-separated offsets),
/// `CAISSE_POLL_EVERY_MS`, `CAISSE_POLL_WINDOW_SECS`, `CAISSE_POLL_SLOW_MS`,
/// `CAISSE_STATUS_LIMIT`, `CAISSE_STATUS_WINDOW_MS`, `CAISSE_STATUS_PER_SECOND`,
/// `CAISSE_NOT_FOUND_GAP_MS`, `CAISSE_REVIEW_AFTER_MS`.
pub fn poll_plan(env: &dyn Fn(&str) -> Option<String>) -> Result<PollPlan, String> {
    let mut plan = PollPlan::default();
    let number = |name: &str| -> Result<Option<u64>, String> {
        env(name)
            .map(|v| {
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| format!("{name} : « {v} » n'est pas un nombre entier"))
            })
            .transpose()
    };
    if let Some(list) = env("CAISSE_POLL_FIRST_MS") {
        plan.first = list
            .split(',')
            .map(|v| v.trim().parse::<u64>().map(Duration::from_millis))
            .collect::<Result<_, _>>()
            .map_err(|_| {
                format!("CAISSE_POLL_FIRST_MS : « {list} » (attendu : 5000,25000,45000)")
            })?;
    }
    if let Some(v) = number("CAISSE_POLL_EVERY_MS")? {
        plan.every = Duration::from_millis(v.max(1));
    }
    if let Some(v) = number("CAISSE_POLL_WINDOW_SECS")? {
        plan.window = Duration::from_secs(v);
    }
    if let Some(v) = number("CAISSE_POLL_SLOW_MS")? {
        plan.slow = Duration::from_millis(v.max(1));
    }
    if let Some(v) = number("CAISSE_STATUS_LIMIT")? {
        plan.per_transaction = v.clamp(1, u32::MAX as u64) as u32;
    }
    if let Some(v) = number("CAISSE_STATUS_WINDOW_MS")? {
        plan.budget_window = Duration::from_millis(v.max(1));
    }
    if let Some(v) = number("CAISSE_STATUS_PER_SECOND")? {
        plan.per_second = v.clamp(1, u32::MAX as u64) as u32;
    }
    if let Some(v) = number("CAISSE_NOT_FOUND_GAP_MS")? {
        plan.not_found_gap = Duration::from_millis(v);
    }
    if let Some(v) = number("CAISSE_REVIEW_AFTER_MS")? {
        plan.review_after = Duration::from_millis(v);
    }
    Ok(plan)
}

impl From<Language> for crate::i18n::Lang {
    fn from(l: Language) -> crate::i18n::Lang {
        match l {
            Language::French => crate::i18n::Lang::Fr,
            Language::English => crate::i18n::Lang::En,
        }
    }
}

#[cfg(test)]
mod tests;
