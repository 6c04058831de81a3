//! Named fail points for the crash tests: with `CAISSE_FAILPOINT=NAME`, the process stops
//! dead at that point, as if the power went. It prints `FAILPOINT NAME` on stderr and
//! freezes; the test then kills it with SIGKILL. If nobody does within 30 s, it aborts (no
//! destructor, no flush: the same as a kill).
//!
//! Points: `after_intent` (intent committed, nothing sent), `after_send` (the gateway
//! answered, the answer is not recorded), `after_reply` (the answer recorded, waiting),
//! `after_callback` (a callback recorded, not yet acknowledged with 200).

use std::io::Write;

/// Whether `CAISSE_FAILPOINT` names this point (for points that do something else than
/// freezing: `ui_panic` makes the app panic at the first key, to test the terminal's
/// restoration).
pub fn armed(name: &str) -> bool {
    crate::config::environment::failpoint().is_some_and(|v| v == name)
}

pub fn hit(name: &str) {
    let armed = armed(name);
    if !armed {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "FAILPOINT {name}");
    let _ = err.flush();
    std::thread::sleep(std::time::Duration::from_secs(30));
    std::process::abort();
}
