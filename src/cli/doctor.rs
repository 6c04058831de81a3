//! `caisse doctor`: the diagnosis printed (or as JSON), exit 0 only when nothing is to fix.

use std::path::Path;

use crate::doctor::{self, Options, render};
use crate::exit::{ExitCode, Failure};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Sans --config ni $CAISSE_CONFIG, la boutique telle que le service la lance : \
    /etc/caisse/config.toml, /var/lib/caisse/journal.db, /run/caisse/caisse.sock (à lancer en \
    root : sudo caisse doctor). Sort avec 0 si tout est bon, 9 s'il reste un point à corriger."
)]
pub struct DoctorArgs {
    /// Le diagnostic en JSON (pour un script de supervision).
    #[arg(long)]
    pub json: bool,
    /// Utilisateur Unix de « caisse serve », propriétaire attendu des fichiers (par défaut :
    /// caisse si la commande tourne en root, sinon vous).
    #[arg(long, value_name = "NOM")]
    pub service_user: Option<String>,
}

pub async fn run(
    config_path: Option<&Path>,
    socket: Option<&Path>,
    args: &DoctorArgs,
) -> Result<(), Failure> {
    let options = Options {
        config_path: config_path.map(Path::to_path_buf),
        socket: socket
            .map(Path::to_path_buf)
            .or_else(crate::config::environment::socket),
        service_user: args.service_user.clone(),
    };
    let checks = doctor::run(&options).await;
    let text = if args.json {
        render::json(&checks) + "\n"
    } else {
        render::text(&checks)
    };
    // Not `print!`, which panics when the reader is gone (`caisse doctor | head`).
    use std::io::Write;
    let _ = std::io::stdout().write_all(text.as_bytes());
    let to_fix = checks.iter().filter(|c| !c.passed()).count();
    if to_fix == 0 {
        return Ok(());
    }
    Err(Failure {
        message: format!("caisse doctor : {to_fix} point(s) à corriger"),
        code: ExitCode::Doctor,
    })
}
