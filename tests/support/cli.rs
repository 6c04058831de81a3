//! The real binary as a script runs it: a clean environment with a home of its own, the
//! journal in it, the sandbox's address and key, and the poll plan sped up as these tests'
//! sandboxes run (3 status calls per 2 s).

use std::path::Path;
use std::process::{Command, Output};

/// `caisse` ready to run in `home` (arguments and any other variable are the caller's).
/// `gateway`: the sandbox's URL and the API key it accepts; none: the demo.
pub fn caisse(home: &Path, gateway: Option<(String, &str)>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_caisse"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("CAISSE_DB", home.join("journal.db"))
        .env("CAISSE_POLL_FIRST_MS", "200,500,900")
        .env("CAISSE_POLL_EVERY_MS", "700")
        .env("CAISSE_STATUS_WINDOW_MS", "2000");
    if let Some((url, key)) = gateway {
        command
            .env("CAISSE_INTECH_URL", url)
            .env("CAISSE_INTECH_API_KEY", key);
    }
    command
}

/// What a run printed, stdout then stderr.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
