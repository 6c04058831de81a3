use clap::Parser;

use caisse::cli::{self, Cli};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    #[cfg(feature = "failpoints")]
    caisse::engine::failpoint::arm(caisse::config::environment::failpoint());

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Erreur : impossible de démarrer le moteur asynchrone : {e}");
            return std::process::ExitCode::from(1);
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("Erreur : {}", failure.message);
            std::process::ExitCode::from(failure.code as u8)
        }
    }
}

/// Logs go to stderr, filtered by `CAISSE_LOG` (e.g. `CAISSE_LOG=debug`). The sandbox logs
/// at info by default; the other commands only warn, so their output stays a clean table.
/// The app owns the terminal: its logs go to `caisse.log` in the OS data directory, and only
/// when `CAISSE_LOG` asks for them.
fn init_logging(cli: &Cli) {
    let default = match cli.command {
        Some(cli::Command::Sandbox(_) | cli::Command::Serve) => "caisse=info",
        _ => "warn",
    };
    let filter = caisse::config::environment::log_filter()
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(default));
    if cli.command.is_none() {
        if caisse::config::environment::log_filter().is_none() {
            return;
        }
        let dir = directories::ProjectDirs::from("sn", "caisse", "caisse")
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(|| std::path::PathBuf::from("."));
        let _ = std::fs::create_dir_all(&dir);
        let Ok(file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("caisse.log"))
        else {
            return;
        };
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(file))
            .init();
        return;
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
