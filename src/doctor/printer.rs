//! The receipt printer, when `[printer]` names one: a network printer must accept a
//! connection, a device file pass the printing code's own non-blocking check.

use super::{CHECK_TIMEOUT, Check};
use crate::config::{Config, PrinterTarget};

const NAME: &str = "Imprimante";

pub async fn checks(config: &Config, edit: &str) -> Vec<Check> {
    let Some(settings) = &config.printer else {
        return vec![Check::not_configured(NAME, "pas de [printer]")];
    };
    let check = match &settings.target {
        PrinterTarget::Tcp(address) => {
            tcp(address, settings.timeout.min(CHECK_TIMEOUT), edit).await
        }
        // As root, never opened: the configuration belongs to the service's user, who could
        // name any device (opening /dev/watchdog alone arms a reboot). Looked at only.
        PrinterTarget::Device(path) if running_as_root() => match std::fs::metadata(path) {
            Ok(meta) => {
                use std::os::unix::fs::FileTypeExt;
                let kind = meta.file_type();
                if kind.is_char_device() || kind.is_fifo() || kind.is_file() {
                    Check::ok(
                        NAME,
                        format!(
                            "{} présente (non ouverte par doctor en root ; en tant que caisse, \
                             doctor l'interroge)",
                            path.display()
                        ),
                    )
                } else {
                    Check::to_fix(
                        NAME,
                        format!("{} n'est pas une imprimante", path.display()),
                        format!("corrigez [printer] device : {edit}"),
                    )
                }
            }
            Err(e) => Check::to_fix(
                NAME,
                match e.kind() {
                    std::io::ErrorKind::NotFound => {
                        format!("{} : imprimante absente", path.display())
                    }
                    _ => format!("{} : {e}", path.display()),
                },
                format!("branchez l'imprimante, ou corrigez [printer] device : {edit}"),
            ),
        },
        PrinterTarget::Device(path) => {
            let path = path.clone();
            let ask = settings.check_status;
            let shown = path.display().to_string();
            match tokio::task::spawn_blocking(move || crate::printer::check_device(&path, ask))
                .await
            {
                Ok(Ok(())) => Check::ok(NAME, format!("{shown} prête")),
                Ok(Err(e)) => Check::to_fix(
                    NAME,
                    e.to_string(),
                    format!("vérifiez le câble et l'alimentation, ou [printer] device : {edit}"),
                ),
                Err(e) => Check::warning(NAME, format!("non vérifiée : {e}")),
            }
        }
    };
    vec![check]
}

fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

async fn tcp(address: &str, timeout: std::time::Duration, edit: &str) -> Check {
    let fix = format!(
        "allumez l'imprimante et vérifiez son câble réseau, ou corrigez [printer] address : {edit}"
    );
    let attempt = tokio::time::timeout(timeout, tokio::net::TcpStream::connect(address)).await;
    match attempt {
        Ok(Ok(_)) => Check::ok(NAME, format!("{address} accepte la connexion")),
        Ok(Err(e)) => {
            let why = match e.kind() {
                std::io::ErrorKind::ConnectionRefused => "connexion refusée".to_owned(),
                _ if e.to_string().contains("lookup") => "adresse inconnue".to_owned(),
                _ => e.to_string(),
            };
            Check::to_fix(NAME, format!("{address} injoignable : {why}"), fix)
        }
        Err(_) => Check::to_fix(
            NAME,
            format!("{address} ne répond pas en {} s", timeout.as_secs().max(1)),
            fix,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_device_that_is_not_there_is_to_fix() {
        let env = |_: &str| None;
        let sources = crate::config::Sources {
            cli_path: None,
            env: &env,
            default_config_dir: None,
            default_data_dir: None,
        };
        let config = crate::config::from_toml_text(
            "[printer]\ndevice = \"/dev/caisse-pas-d-imprimante-ici\"\n",
            &sources,
        )
        .unwrap();
        let checks = checks(&config, "editor x").await;
        let crate::doctor::Verdict::ToFix { why, fix } = &checks[0].verdict else {
            panic!("{checks:?}");
        };
        assert!(why.contains("imprimante absente"), "{why}");
        assert!(fix.contains("[printer] device"), "{fix}");
    }

    #[tokio::test]
    async fn no_printer_is_not_configured() {
        let env = |_: &str| None;
        let sources = crate::config::Sources {
            cli_path: None,
            env: &env,
            default_config_dir: None,
            default_data_dir: None,
        };
        let config = crate::config::from_toml_text("", &sources).unwrap();
        assert_eq!(
            checks(&config, "editor x").await[0].verdict,
            crate::doctor::Verdict::NotConfigured
        );
    }
}
