//! Named fail points for the crash tests: with `CAISSE_FAILPOINT=NAME`, the process stops
//! dead at that point, as if the power went. It prints `FAILPOINT NAME` on stderr and
//! freezes; the test then kills it with SIGKILL. If nobody does within 30 s, it aborts (no
//! destructor, no flush: the same as a kill).
//!
//! Points: `after_intent` (intent committed, nothing sent), `after_send` (the gateway
//! answered, the answer is not recorded), `after_reply` (the answer recorded, waiting),
//! `after_callback` (a callback recorded, not yet acknowledged with 200).
//!
//! Only with the cargo feature `failpoints` (the README's test command turns it on):
//! without it `hit!` expands to nothing, `armed` does not exist and `CAISSE_FAILPOINT` is
//! not even read, so a release build carries no fail point.

/// Whether the fail points are compiled in (the crash tests check it before relying on them).
pub fn compiled_in() -> bool {
    cfg!(feature = "failpoints")
}

/// Whether `CAISSE_FAILPOINT` names this point (for points that do something else than
/// freezing: `ui_panic` makes the app panic at the first key, to test the terminal's
/// restoration). Only with the feature: callers put their use under the same `cfg`.
#[cfg(feature = "failpoints")]
pub fn armed(name: &str) -> bool {
    ARMED.get().and_then(Option::as_deref) == Some(name)
}

/// The point this process stops at, set once at start by `main` from `CAISSE_FAILPOINT`
/// (read in `config::environment`, like every variable); never set, nothing is armed.
#[cfg(feature = "failpoints")]
static ARMED: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

/// Arms `name` (or nothing) for this process; a second call changes nothing.
#[cfg(feature = "failpoints")]
pub fn arm(name: Option<String>) {
    let _ = ARMED.set(name);
}

/// `hit!("after_send")`: stops dead there when armed. Without the feature it expands to
/// nothing, so not even the point's name is left in the binary.
macro_rules! hit {
    ($name:literal) => {
        #[cfg(feature = "failpoints")]
        $crate::engine::failpoint::stop_if_armed($name);
    };
}
pub(crate) use hit;

#[cfg(feature = "failpoints")]
pub fn stop_if_armed(name: &str) {
    use std::io::Write;
    if !armed(name) {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "FAILPOINT {name}");
    let _ = err.flush();
    std::thread::sleep(std::time::Duration::from_secs(30));
    std::process::abort();
}
