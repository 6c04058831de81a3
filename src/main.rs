use clap::{CommandFactory, Parser};

use caisse::cli::{self, Cli};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);

    if cli.command.is_none() {
        // The terminal app arrives with issue "3 of 4"; until then, show what exists.
        let _ = Cli::command().print_help();
        return std::process::ExitCode::SUCCESS;
    }

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
fn init_logging(cli: &Cli) {
    let default = match cli.command {
        Some(cli::Command::Sandbox(_)) => "caisse=info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CAISSE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
