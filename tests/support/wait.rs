//! Waiting on a condition with a deadline: the tests never sleep and then assert (which
//! passes by luck when the awaited thing simply did not happen yet, or fails on a slow
//! machine). A wait that times out fails the test and says what it waited for.

use std::future::Future;
use std::time::{Duration, Instant};

/// How often a condition is checked again.
const EVERY: Duration = Duration::from_millis(10);

/// Polls `check` (blocking) until it gives a value; panics after `within`.
pub fn until<T>(what: &str, within: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(EVERY);
    }
}

/// Polls the async `check` until it gives a value; panics after `within`.
pub async fn until_async<T, F>(what: &str, within: Duration, mut check: impl FnMut() -> F) -> T
where
    F: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(EVERY).await;
    }
}

/// For an absence ("nothing more happens"), which no condition can announce: checks
/// `holds` again and again for `during`, and fails as soon as it does not. Use it after a
/// wait has shown that what the absence follows did happen, never instead of that wait.
pub async fn stays_async<F>(what: &str, during: Duration, mut holds: impl FnMut() -> F)
where
    F: Future<Output = bool>,
{
    let end = Instant::now() + during;
    while Instant::now() < end {
        assert!(holds().await, "{what} no longer holds");
        tokio::time::sleep(EVERY).await;
    }
    assert!(holds().await, "{what} no longer holds");
}

/// As [`stays_async`], blocking.
pub fn stays(what: &str, during: Duration, mut holds: impl FnMut() -> bool) {
    let end = Instant::now() + during;
    while Instant::now() < end {
        assert!(holds(), "{what} no longer holds");
        std::thread::sleep(EVERY);
    }
    assert!(holds(), "{what} no longer holds");
}
