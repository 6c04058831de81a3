//! `caisse doctor`: what a shop has set up wrong, checked and explained in French, each
//! failure with the command that fixes it. One module per family of checks (`files`,
//! `settings`, `gateway`, `callback`, `disk`, `printer`, `head_office`), each returning
//! [`Check`]s; `render` turns them into text or JSON and knows nothing of how they were made.
//!
//! Everything that waits on the network runs at once, each check under [`CHECK_TIMEOUT`]:
//! a dead network makes doctor slow by seconds, never hang.

mod callback;
mod disk;
mod files;
mod gateway;
mod head_office;
mod printer;
pub mod render;
mod settings;
mod users;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

/// What one request or connection of a check may take.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// A check's verdict. Only [`Verdict::ToFix`] makes doctor fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "statut")]
pub enum Verdict {
    #[serde(rename = "ok")]
    Ok,
    /// Wrong, with why and the command (or the one step) that fixes it.
    #[serde(rename = "a_corriger")]
    ToFix {
        #[serde(rename = "pourquoi")]
        why: String,
        #[serde(rename = "commande")]
        fix: String,
    },
    /// Worth knowing, but the shop works.
    #[serde(rename = "attention")]
    Warning {
        #[serde(rename = "pourquoi")]
        why: String,
    },
    /// Nothing to check: the feature is not configured (no printer, no head office…).
    #[serde(rename = "non_configure")]
    NotConfigured,
}

/// One line of the diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    #[serde(rename = "verification")]
    pub name: String,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// What was found (a mode, a balance, an offset), shown on every line.
    pub detail: String,
}

impl Check {
    pub fn ok(name: &str, detail: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            verdict: Verdict::Ok,
            detail: detail.into(),
        }
    }

    pub fn to_fix(name: &str, why: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            verdict: Verdict::ToFix {
                why: why.into(),
                fix: fix.into(),
            },
            detail: String::new(),
        }
    }

    pub fn warning(name: &str, why: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            verdict: Verdict::Warning { why: why.into() },
            detail: String::new(),
        }
    }

    pub fn not_configured(name: &str, detail: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            verdict: Verdict::NotConfigured,
            detail: detail.into(),
        }
    }

    pub fn passed(&self) -> bool {
        !matches!(self.verdict, Verdict::ToFix { .. })
    }
}

/// What the command line gives doctor.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub config_path: Option<PathBuf>,
    /// `--socket` or `CAISSE_SOCKET`, before the configuration's `[serve] socket`.
    pub socket: Option<PathBuf>,
    /// The Unix user `caisse serve` runs as, when not the default (see `users`).
    pub service_user: Option<String>,
}

/// The unit's layout (`debian/caisse.service`: `CAISSE_CONFIG`, `CAISSE_DB`, `--socket`).
pub const UNIT_CONFIG: &str = "/etc/caisse/config.toml";
pub const UNIT_JOURNAL: &str = "/var/lib/caisse/journal.db";
pub const UNIT_SOCKET: &str = "/run/caisse/caisse.sock";

/// Whether doctor checks the service as the unit runs it: nothing names a configuration
/// and the unit's exists. `sudo caisse doctor` would otherwise read root's own
/// `~/.config/caisse/config.toml`, not the shop's, and find a demo.
pub fn as_the_unit(cli_config: Option<&Path>, env_config: Option<&str>, unit_exists: bool) -> bool {
    cli_config.is_none() && env_config.is_none() && unit_exists
}

/// The whole diagnosis, in the order a shop would fix things: files, settings, gateway,
/// clock, callbacks, disk, printer, head office.
pub async fn run(options: &Options) -> Vec<Check> {
    let process = crate::config::Sources::from_process(None);
    let process_env = process.env;
    let unit = as_the_unit(
        options.config_path.as_deref(),
        process_env("CAISSE_CONFIG").as_deref(),
        Path::new(UNIT_CONFIG).is_file(),
    );
    let config_path = options
        .config_path
        .clone()
        .or_else(|| unit.then(|| PathBuf::from(UNIT_CONFIG)));
    // The unit's environment where the process has none.
    let env = move |name: &str| {
        process_env(name).or_else(|| (unit && name == "CAISSE_DB").then(|| UNIT_JOURNAL.into()))
    };
    let sources = crate::config::Sources {
        cli_path: config_path.as_deref(),
        env: &env,
        ..process
    };
    let loaded = settings::load(&sources);
    let mut checks = Vec::new();
    let account = match users::service_account(options.service_user.as_deref()) {
        Ok(account) => Some(account),
        Err(why) => {
            checks.push(Check::to_fix(
                "Utilisateur du service",
                why,
                format!(
                    "{}useradd --system --user-group --home-dir /var/lib/caisse --no-create-home \
                     --shell /usr/sbin/nologin caisse",
                    sudo()
                ),
            ));
            None
        }
    };
    let config = loaded.config.as_ref();
    // As the unit runs it, the journal is the unit's `CAISSE_DB`, demo or not (the demo's
    // own file name applies only where nothing names the journal).
    let journal = config.map(|c| match unit {
        true => c.journal_path.clone(),
        false => crate::wiring::journal_path(c),
    });
    let socket = options
        .socket
        .clone()
        .or_else(|| config.and_then(|c| c.socket.clone()))
        .or_else(|| unit.then(|| PathBuf::from(UNIT_SOCKET)));
    let edit = settings::edit_command(loaded.path.as_deref());
    if let Some(account) = &account {
        checks.extend(files::checks(
            loaded.path.as_deref(),
            journal.as_deref(),
            socket.as_deref(),
            account,
        ));
    }
    checks.extend(loaded.checks.iter().cloned());
    let Some(config) = config else {
        checks.push(Check::warning(
            "Autres vérifications",
            "non faites : la configuration ne se charge pas (corrigez-la d'abord)",
        ));
        return checks;
    };
    checks.extend(settings::values(config, &edit));
    let (gateway, callback, printer, head_office) = tokio::join!(
        bounded("Passerelle Intech", gateway::checks(config, &edit)),
        bounded("URL de callback", callback::checks(config, &edit)),
        bounded("Imprimante", printer::checks(config, &edit)),
        bounded("Siège", head_office::checks(config, &edit)),
    );
    checks.extend(gateway);
    checks.extend(callback);
    if let Some(journal) = &journal {
        checks.push(disk::check(journal));
    }
    checks.extend(printer);
    checks.extend(head_office);
    checks
}

/// A family of checks under a deadline a little past [`CHECK_TIMEOUT`]: each of its own
/// waits has that timeout already, this is the bound on the whole.
async fn bounded(name: &str, checks: impl Future<Output = Vec<Check>>) -> Vec<Check> {
    tokio::time::timeout(CHECK_TIMEOUT * 2, checks)
        .await
        .unwrap_or_else(|_| {
            vec![Check::to_fix(
                name,
                format!(
                    "pas de réponse en {} s (réseau coupé ?)",
                    (CHECK_TIMEOUT * 2).as_secs()
                ),
                "vérifiez la connexion Internet, puis relancez : caisse doctor",
            )]
        })
}

/// True when every check passed (warnings and « non configuré » included).
pub fn all_passed(checks: &[Check]) -> bool {
    checks.iter().all(Check::passed)
}

/// `sudo ` before a command that needs root, unless doctor already runs as root.
pub fn sudo() -> &'static str {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        ""
    } else {
        "sudo "
    }
}

/// A path as one shell word, quoted only when it must be, so fix commands paste as is.
pub fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@,=".contains(c));
    if plain {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(
            shell_word(Path::new("/etc/caisse/config.toml")),
            "/etc/caisse/config.toml"
        );
        assert_eq!(shell_word(Path::new("/tmp/a b")), "'/tmp/a b'");
        assert_eq!(shell_word(Path::new("/tmp/l'x")), r"'/tmp/l'\''x'");
    }

    #[test]
    fn the_unit_layout_only_when_nothing_names_a_configuration() {
        assert!(as_the_unit(None, None, true));
        assert!(!as_the_unit(None, None, false));
        assert!(!as_the_unit(Some(Path::new("/x.toml")), None, true));
        assert!(!as_the_unit(None, Some("/x.toml"), true));
    }

    #[test]
    fn only_a_fix_fails() {
        let checks = vec![
            Check::ok("a", "bien"),
            Check::warning("b", "à savoir"),
            Check::not_configured("c", "rien"),
        ];
        assert!(all_passed(&checks));
        let mut failing = checks;
        failing.push(Check::to_fix("d", "faux", "corriger"));
        assert!(!all_passed(&failing));
    }
}
