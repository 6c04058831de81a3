//! Timers from the kernel: the countdown's once-a-second tick (the app), and the poll
//! loop's wait for the next row due (the engine). A `timerfd` the runtime's epoll waits
//! on, so each expiry is one wakeup of the thread.
//!
//! Why not `tokio::time::interval`: tokio's timer wheel keeps a timer a second away in a
//! slot 64 ms wide; the runtime wakes at the slot's start, moves the timer to the finer
//! level and sleeps again until its millisecond. That is two wakeups a tick, measured with
//! strace on a pending sale (issue 14's goal is two a second for everything a pending sale
//! does). Where no timerfd can be made, the tokio interval is the fallback.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

use tokio::io::unix::AsyncFd;

/// A periodic tick: the kernel's where it can, tokio's otherwise.
pub enum Ticker {
    Kernel(AsyncFd<OwnedFd>),
    Tokio(tokio::time::Interval),
}

/// Sleeps for `duration` on a one-shot kernel timer (tokio's where none can be made): one
/// wakeup however long the wait, where tokio's wheel wakes once per level it crosses (up
/// to three for a poll 20 s away).
pub async fn sleep(duration: Duration) {
    // A zero timerfd would be disarmed: it would never fire.
    let duration = duration.max(Duration::from_millis(1));
    match timerfd(duration, None) {
        Ok(fd) => Ticker::Kernel(fd).tick().await,
        Err(_) => tokio::time::sleep(duration).await,
    }
}

impl Ticker {
    /// Ticks every `period`, the first one `period` from now.
    pub fn every(period: Duration) -> Ticker {
        match timerfd(period, Some(period)) {
            Ok(fd) => Ticker::Kernel(fd),
            Err(e) => {
                tracing::debug!("timerfd : {e} ; minuterie de tokio");
                let start = tokio::time::Instant::now() + period;
                let mut interval = tokio::time::interval_at(start, period);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                Ticker::Tokio(interval)
            }
        }
    }

    /// Waits for the next tick. Ticks missed meanwhile count as one.
    pub async fn tick(&mut self) {
        match self {
            Ticker::Tokio(interval) => {
                interval.tick().await;
            }
            Ticker::Kernel(fd) => loop {
                let Ok(mut ready) = fd.readable().await else {
                    // Never seen; a failed registration would make every wait fail at once,
                    // so wait a period rather than spin.
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    return;
                };
                let mut expirations = [0u8; 8];
                // SAFETY: reads 8 bytes into a buffer of 8 from a descriptor this owns.
                let n = unsafe {
                    libc::read(
                        ready.get_inner().as_raw_fd(),
                        expirations.as_mut_ptr().cast(),
                        expirations.len(),
                    )
                };
                if n == 8 {
                    return;
                }
                // EAGAIN: woken without an expiration; wait again.
                ready.clear_ready();
            },
        }
    }
}

/// A non-blocking monotonic timerfd firing `first` from now, then every `period` (or once),
/// registered with the runtime.
fn timerfd(first: Duration, period: Option<Duration>) -> io::Result<AsyncFd<OwnedFd>> {
    // SAFETY: plain system calls; the descriptor is owned at once.
    let fd = unsafe {
        libc::timerfd_create(
            libc::CLOCK_MONOTONIC,
            libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just created and is owned by nothing else.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let spec = |d: Duration| libc::timespec {
        tv_sec: d.as_secs() as libc::time_t,
        tv_nsec: d.subsec_nanos() as libc::c_long,
    };
    let value = libc::itimerspec {
        it_interval: spec(period.unwrap_or(Duration::ZERO)),
        it_value: spec(first),
    };
    // SAFETY: `value` is a valid itimerspec; the old value is not asked for.
    if unsafe { libc::timerfd_settime(fd.as_raw_fd(), 0, &value, std::ptr::null_mut()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: an OwnedFd keeps its one descriptor open until it is dropped, with the
    // AsyncFd that owns it.
    Ok(unsafe { AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE) }?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first tick is a period away, not at once (as tokio's `interval` would have it).
    #[tokio::test]
    async fn the_first_tick_waits_for_its_period() {
        let mut ticker = Ticker::every(Duration::from_secs(3600));
        assert!(matches!(ticker, Ticker::Kernel(_)), "a timerfd on Linux");
        let at_once = tokio::time::timeout(Duration::ZERO, ticker.tick()).await;
        assert!(at_once.is_err(), "no tick before its period");
    }

    /// A one-shot sleep ends, the short and the zero one alike.
    #[tokio::test]
    async fn a_kernel_sleep_ends() {
        sleep(Duration::from_millis(5)).await;
        sleep(Duration::ZERO).await;
    }

    /// The kernel's timer goes on ticking, one tick per wait.
    #[tokio::test]
    async fn the_kernel_ticker_ticks_again_and_again() {
        let mut ticker = Ticker::every(Duration::from_millis(5));
        assert!(matches!(ticker, Ticker::Kernel(_)), "a timerfd on Linux");
        for _ in 0..3 {
            ticker.tick().await;
        }
    }
}
