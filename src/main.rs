use clap::{CommandFactory, FromArgMatches};

use caisse::cli::{self, Cli};

fn main() -> std::process::ExitCode {
    let log_path = caisse::logs::app_log_path();
    let matches = Cli::command()
        .after_help(caisse::logs::help_line(&log_path))
        .get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    init_logging(&cli, &log_path);
    #[cfg(feature = "failpoints")]
    caisse::engine::failpoint::arm(caisse::config::environment::failpoint());

    // The app runs on one thread: its loop, the link and (in the demo) the engine and the
    // sandbox are all waiting on I/O, and what is slow (SQLite, argon2, printing) goes to
    // blocking threads anyway. One thread is one wakeup per timer instead of a worker waking
    // the loop's thread, and less memory per kiosk session (issue 14). The service and the
    // commands keep a thread per core.
    let runtime = if cli.command.is_none() {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    }
    .enable_all()
    .build();
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            say(&format!(
                "Erreur : impossible de démarrer le moteur asynchrone : {e}"
            ));
            return std::process::ExitCode::from(1);
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(failure) => {
            say(&format!("Erreur : {}", failure.message));
            std::process::ExitCode::from(failure.code as u8)
        }
    }
}

/// Logs go to stderr, filtered by `CAISSE_LOG` (e.g. `CAISSE_LOG=debug`, `caisse=trace`). The sandbox logs
/// at info by default; the other commands only warn, so their output stays a clean table.
/// The app owns the terminal: its logs (warnings, or what `CAISSE_LOG` asks) go to a rotated
/// file, `log_path` (`caisse::logs`), never to the screen.
fn init_logging(cli: &Cli, log_path: &std::path::Path) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let default = match cli.command {
        Some(cli::Command::Sandbox(_) | cli::Command::Serve) => "caisse=info",
        _ => "warn",
    };
    // `target=level` pairs and a bare level, comma-separated; a filter that does not parse
    // is the default's.
    let filter: tracing_subscriber::filter::Targets = caisse::config::environment::log_filter()
        .and_then(|f| f.parse().ok())
        .unwrap_or_else(|| default.parse().expect("the default filters parse"));
    if cli.command.is_none() {
        // No log file (a read-only home): no logs, rather than logs over the screen.
        let Ok(file) = caisse::logs::rotating(log_path) else {
            return;
        };
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(file))
            .finish()
            .with(filter)
            .init();
        return;
    }
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .finish()
        .with(filter)
        .init();
}

/// A last word on stderr. Not `eprintln!`, which panics when stderr is gone: an SSH link
/// that dropped takes the terminal with it, and a panic on the way out would be an abort
/// (a core dump) instead of a clean exit.
fn say(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{text}");
}
