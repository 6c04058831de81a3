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
//! without it `armed` is always false, `hit` does nothing and `CAISSE_FAILPOINT` is not
//! even read, so a release build carries no fail point.

/// Whether the fail points are compiled in (the crash tests check it before relying on them).
pub fn compiled_in() -> bool {
    cfg!(feature = "failpoints")
}

/// Whether `CAISSE_FAILPOINT` names this point (for points that do something else than
/// freezing: `ui_panic` makes the app panic at the first key, to test the terminal's
/// restoration).
#[cfg(feature = "failpoints")]
pub fn armed(name: &str) -> bool {
    crate::config::environment::failpoint().is_some_and(|v| v == name)
}

#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn armed(_name: &str) -> bool {
    false
}

#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn hit(_name: &str) {}

#[cfg(feature = "failpoints")]
pub fn hit(name: &str) {
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
