//! The configuration file as written: TOML, every field optional, unknown keys refused (a
//! typo is an error, not a silent default), and refused when it holds a secret that every
//! user of the machine may read.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ConfigError;
use crate::secret::Secret;

/// The file as written (every field optional; unknown keys are refused to catch typos).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    #[serde(default)]
    pub(super) intech: FileIntech,
    #[serde(default)]
    pub(super) intram: FileIntram,
    #[serde(default)]
    pub(super) journal: FileJournal,
    #[serde(default)]
    pub(super) callback: FileCallback,
    #[serde(default)]
    pub(super) ui: FileUi,
    #[serde(default)]
    pub(super) serve: FileServe,
    #[serde(default)]
    pub(super) kiosk: FileKiosk,
    #[serde(default)]
    pub(super) shop: FileShop,
    #[serde(default)]
    pub(super) printer: FilePrinter,
    #[serde(default)]
    pub(super) hq: FileHq,
}

/// `[hq]`: the head office's PostgreSQL, which the service replicates the journal to.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileHq {
    /// `postgres://ROLE:PASSWORD@HOST:PORT/DB?sslmode=verify-full`: the shop's own role.
    pub(super) url: Option<Secret>,
    pub(super) shop_id: Option<String>,
    /// The certificate authority (PEM) that signed the head office's certificate.
    pub(super) ca_file: Option<PathBuf>,
    /// The head office's administrator (`caisse hq migrate`, `caisse hq add-shop`): on the
    /// head office's machine, never on a shop's.
    pub(super) admin_url: Option<Secret>,
}

/// `[shop]`: what the receipts say of the shop.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileShop {
    pub(super) name: Option<String>,
    /// One or more lines (a TOML multi-line string keeps them).
    pub(super) address: Option<String>,
    /// Below this gateway balance (FCFA), every counter's header warns: deposits would
    /// start failing.
    pub(super) low_balance: Option<u64>,
    /// What Intech charges per WhatsApp message (FCFA), shown before a receipt is sent by
    /// WhatsApp until the journal knows the fee the server charged.
    pub(super) whatsapp_fee: Option<u64>,
}

/// `[printer]`: the receipt printer (ESC/POS), over the network or a device file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilePrinter {
    /// `host:port` (port 9100 if omitted).
    pub(super) address: Option<String>,
    /// A device file such as `/dev/usb/lp0`.
    pub(super) device: Option<PathBuf>,
    /// 32 (58 mm) or 48 (80 mm).
    pub(super) width: Option<usize>,
    pub(super) timeout_secs: Option<u64>,
    /// Ask a network printer its status before sending (default true).
    pub(super) check_status: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileServe {
    pub(super) socket: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileKiosk {
    #[serde(default)]
    pub(super) enabled: bool,
    pub(super) idle_lock_minutes: Option<f64>,
    #[serde(default)]
    pub(super) users: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileIntech {
    pub(super) url: Option<String>,
    pub(super) api_key: Option<Secret>,
    pub(super) hmac_secret: Option<Secret>,
    pub(super) timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileIntram {
    pub(super) url: Option<String>,
    pub(super) public_key: Option<Secret>,
    pub(super) private_key: Option<Secret>,
    pub(super) secret_key: Option<Secret>,
    pub(super) marchand_key: Option<Secret>,
    pub(super) timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileJournal {
    pub(super) path: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileCallback {
    pub(super) url: Option<String>,
    pub(super) listen: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileUi {
    pub(super) language: Option<String>,
}

impl FileConfig {
    fn holds_secret(&self) -> bool {
        self.intech.api_key.is_some()
            || self.intech.hmac_secret.is_some()
            || self.intram.private_key.is_some()
            || self.intram.secret_key.is_some()
            || self.hq.url.is_some()
            || self.hq.admin_url.is_some()
    }
}

/// `Ok(None)` when the default file is simply absent.
pub(super) fn read_file(
    path: &Path,
    origin: Option<&'static str>,
) -> Result<Option<FileConfig>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match origin {
                Some(origin) => Err(ConfigError::Missing {
                    path: path.to_path_buf(),
                    origin,
                }),
                None => Ok(None),
            };
        }
        Err(e) => {
            return Err(ConfigError::Unreadable {
                path: path.to_path_buf(),
                reason: e.to_string(),
            });
        }
    };
    let file = parse_text(path, &text)?;
    if file.holds_secret() {
        check_not_world_readable(path)?;
    }
    Ok(Some(file))
}

/// The file's text as TOML; an error names the line but never quotes the text.
pub(super) fn parse_text(path: &Path, text: &str) -> Result<FileConfig, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        line: e
            .span()
            .map(|span| text[..span.start.min(text.len())].lines().count().max(1)),
        // `message()` is the parser's reason without the quoted source line.
        reason: e.message().to_owned(),
    })
}

#[cfg(unix)]
pub(super) fn check_not_world_readable(path: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| ConfigError::Unreadable {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o004 != 0 {
        return Err(ConfigError::WorldReadable {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
pub(super) fn check_not_world_readable(_path: &Path) -> Result<(), ConfigError> {
    Ok(())
}
