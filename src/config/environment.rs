//! What the process's environment says besides the configuration file: every environment
//! variable caisse reads is read here (the file's overrides in `config.rs` itself), so that
//! one place lists them all and tests can see what the program depends on.

use std::path::PathBuf;
use std::time::Duration;

use super::Language;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `CAISSE_SOCKET`: the shop's service to talk to, if named.
pub fn socket() -> Option<PathBuf> {
    var("CAISSE_SOCKET").map(PathBuf::from)
}

/// `CAISSE_LANG`, for a terminal that reads no configuration file (through the service).
pub fn language() -> Language {
    match var("CAISSE_LANG").as_deref() {
        Some("en") => Language::English,
        _ => Language::French,
    }
}

/// `CAISSE_IDLE_LOCK_SECS`: the idle-lock delay in seconds (tests shorten it).
pub fn idle_lock() -> Option<Duration> {
    var("CAISSE_IDLE_LOCK_SECS")
        .and_then(|s| s.parse::<f64>().ok())
        .and_then(super::idle_lock_from_secs)
}

/// `USER`: the Unix user's name, as the login shell set it.
pub fn unix_user() -> Option<String> {
    var("USER")
}

/// The SSH client's address (`SSH_CONNECTION`'s first word), when the session came by SSH.
pub fn ssh_client() -> Option<String> {
    var("SSH_CONNECTION").and_then(|s| s.split_whitespace().next().map(str::to_owned))
}

/// The variables a terminal's colours depend on (`NO_COLOR`, `COLORTERM`).
pub fn colour(name: &str) -> Option<String> {
    match name {
        "NO_COLOR" | "COLORTERM" | "TERM" => var(name),
        _ => None,
    }
}

/// A QR drawn with plain block characters instead of colours: when the output is not a
/// terminal (a file, a pipe: colour codes would be noise there) or `NO_COLOR` is set.
pub fn plain_qr(output_is_a_terminal: bool) -> bool {
    var("NO_COLOR").is_some() || !output_is_a_terminal
}

/// `CAISSE_LOG`: the log filter, when one is given.
pub fn log_filter() -> Option<String> {
    var("CAISSE_LOG")
}

/// `CAISSE_FAILPOINT`: the fail point armed for the crash tests (feature `failpoints`).
#[cfg(feature = "failpoints")]
pub fn failpoint() -> Option<String> {
    var("CAISSE_FAILPOINT")
}

/// Whether `CAISSE_DB` names the journal (demo mode then writes there too).
pub fn journal_named() -> bool {
    var("CAISSE_DB").is_some()
}

/// The poll plan's tuning variables (`CAISSE_POLL_*`, `CAISSE_STATUS_*`…), for
/// [`super::poll_plan`].
pub fn tuning(name: &str) -> Option<String> {
    var(name)
}
