//! The configuration's values. Loading goes through the configuration's own loader, so its
//! checks are the ones that count; what it cannot see (demo mode on a shop, no name for the
//! receipts, a low-balance threshold that never warns) is added here.

use std::path::{Path, PathBuf};

use super::{Check, shell_word, sudo};
use crate::config::{self, Config, ConfigError, Sources};

/// The configuration as loaded, where its file is, and the loader's verdict.
pub struct Loaded {
    pub config: Option<Config>,
    pub path: Option<PathBuf>,
    pub checks: Vec<Check>,
}

const NAME: &str = "Configuration";

/// The configuration through `config::load`. A file that holds keys and is readable by
/// everybody is refused by the loader (the service would not start); doctor still reads it
/// (`config::from_toml_text`, the same resolution) so that the other checks run, and the
/// file's own check says what to fix.
pub fn load(sources: &Sources<'_>) -> Loaded {
    let mut loaded = load_as_given(sources);
    // Fix commands are pasted from anywhere: absolute paths.
    loaded.path = loaded.path.map(|p| std::path::absolute(&p).unwrap_or(p));
    loaded
}

fn load_as_given(sources: &Sources<'_>) -> Loaded {
    match config::load(sources) {
        Ok(config) => Loaded {
            path: config.source.clone(),
            checks: vec![Check::ok(
                NAME,
                match &config.source {
                    Some(path) => format!(
                        "{} : valeurs lues et valides",
                        std::path::absolute(path)
                            .unwrap_or_else(|_| path.clone())
                            .display()
                    ),
                    None => "aucun fichier, valeurs par défaut".into(),
                },
            )],
            config: Some(config),
        },
        Err(ConfigError::WorldReadable { path, .. }) => {
            let reread = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| config::from_toml_text(&text, sources).map_err(|e| e.to_string()));
            match reread {
                Ok(mut config) => {
                    config.source = Some(path.clone());
                    Loaded {
                        config: Some(config),
                        checks: vec![Check::ok(
                            NAME,
                            "valeurs valides (mais le fichier est lisible par tous : voir plus haut)",
                        )],
                        path: Some(path),
                    }
                }
                Err(why) => failed(Some(path.clone()), why),
            }
        }
        Err(e) => {
            let path = match &e {
                ConfigError::Missing { path, .. }
                | ConfigError::Unreadable { path, .. }
                | ConfigError::Invalid { path, .. } => Some(path.clone()),
                _ => named_path(sources),
            };
            let mut loaded = failed(path, e.to_string());
            // The shop's file is the service's alone: doctor must then run as root.
            if let ConfigError::Unreadable { reason, .. } = &e
                && reason.contains("os error 13")
                && !super::sudo().is_empty()
            {
                loaded.checks[0] = Check::to_fix(
                    NAME,
                    e.to_string(),
                    "sudo caisse doctor   # le fichier n'est lisible que par le service et root",
                );
            }
            // A callback URL the loader refuses is the callback's line, where a shop looks.
            if let ConfigError::BadValue { name, .. } = &e
                && name.contains("[callback] url")
            {
                loaded.checks[0].name = "URL de callback".into();
            }
            loaded
        }
    }
}

/// The file named by `--config` or `CAISSE_CONFIG`, for the fix command of an error that
/// does not carry it.
fn named_path(sources: &Sources<'_>) -> Option<PathBuf> {
    sources
        .cli_path
        .map(Path::to_path_buf)
        .or_else(|| (sources.env)("CAISSE_CONFIG").map(PathBuf::from))
}

fn failed(path: Option<PathBuf>, why: String) -> Loaded {
    Loaded {
        config: None,
        checks: vec![Check::to_fix(NAME, why, edit_command(path.as_deref()))],
        path,
    }
}

/// The command that opens the configuration file for editing.
pub fn edit_command(path: Option<&Path>) -> String {
    let path = path.unwrap_or(Path::new("/etc/caisse/config.toml"));
    format!("{}editor {}", sudo(), shell_word(path))
}

/// What the loader does not check.
pub fn values(config: &Config, edit: &str) -> Vec<Check> {
    let mut checks = Vec::new();
    if config.is_demo() {
        checks.push(Check::to_fix(
            "Passerelle",
            "mode démo : aucune passerelle réelle (ni [intech] ni [intram]), aucun paiement \
             n'est vraiment encaissé",
            format!("{edit}   # [intech] api_key = \"…\" (la clé donnée par Intech)"),
        ));
    } else {
        let gateways: Vec<&str> = [
            config.intech.as_ref().map(|_| "Intech"),
            config.intram.as_ref().map(|_| "Intram"),
        ]
        .into_iter()
        .flatten()
        .collect();
        checks.push(Check::ok("Passerelle", gateways.join(" et ")));
    }
    checks.push(if config.shop.name.is_empty() {
        Check::to_fix(
            "Nom de la boutique",
            "absent : les reçus n'auraient pas d'en-tête",
            format!("{edit}   # [shop] name = \"…\""),
        )
    } else {
        Check::ok("Nom de la boutique", config.shop.name.clone())
    });
    checks.push(low_balance(config.low_balance));
    checks
}

/// `[shop] low_balance`: a threshold of 0 or none never warns before deposits fail.
fn low_balance(threshold: Option<i64>) -> Check {
    const NAME: &str = "Seuil de solde bas";
    match threshold {
        None => Check::warning(
            NAME,
            "aucun ([shop] low_balance) : les caisses ne préviennent pas avant que le solde \
             manque pour les dépôts",
        ),
        Some(0) => Check::warning(NAME, "0 FCFA : les caisses ne préviennent jamais"),
        Some(n) => Check::ok(NAME, crate::money::fcfa(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_text(text: &str) -> Config {
        let env = |_: &str| None;
        let sources = Sources {
            cli_path: None,
            env: &env,
            default_config_dir: None,
            default_data_dir: None,
        };
        config::from_toml_text(text, &sources).unwrap()
    }

    #[test]
    fn demo_mode_is_to_fix() {
        let checks = values(&from_text(""), "editor x");
        assert_eq!(checks[0].name, "Passerelle");
        assert!(!checks[0].passed());
    }

    #[test]
    fn a_shop_without_a_name_is_to_fix_and_a_zero_threshold_warns() {
        let checks = values(
            &from_text("[intech]\napi_key = \"k\"\n[shop]\nlow_balance = 0\n"),
            "editor x",
        );
        assert!(checks[0].passed());
        assert_eq!(checks[1].name, "Nom de la boutique");
        assert!(!checks[1].passed());
        assert!(matches!(
            checks[2].verdict,
            super::super::Verdict::Warning { .. }
        ));
    }

    #[test]
    fn a_refused_callback_url_is_the_callback_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[callback]\nurl = \"http://shop.example.sn/cb\"\n").unwrap();
        let env = |_: &str| None;
        let sources = Sources {
            cli_path: Some(&path),
            env: &env,
            default_config_dir: None,
            default_data_dir: None,
        };
        let loaded = load(&sources);
        assert!(loaded.config.is_none());
        assert_eq!(loaded.checks[0].name, "URL de callback");
        assert!(!loaded.checks[0].passed());
    }
}
