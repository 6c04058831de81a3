//! The `get-transaction-status` rate limit and the IP blacklist it leads to (the data; the
//! middleware that applies them is in `guard.rs`).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::Duration;

use tokio::time::Instant;

/// Above this many remembered (IP, transaction) pairs, stale ones are swept.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Default)]
pub(crate) struct Limits {
    /// Recent status calls per (caller IP, externalTransactionId).
    calls: HashMap<(IpAddr, String), VecDeque<Instant>>,
    /// Blacklisted IPs → until when.
    blacklist: HashMap<IpAddr, Instant>,
}

impl Limits {
    pub fn is_blacklisted(&mut self, ip: IpAddr, now: Instant) -> bool {
        match self.blacklist.get(&ip) {
            Some(until) if *until > now => true,
            Some(_) => {
                self.blacklist.remove(&ip);
                false
            }
            None => false,
        }
    }

    /// Counts one status call; false when it is one too many (the IP is then blacklisted
    /// and its call history forgotten, so that it starts afresh once the penalty is over).
    pub fn status_call(
        &mut self,
        ip: IpAddr,
        ext: &str,
        now: Instant,
        limit: u32,
        window: Duration,
        penalty: Duration,
    ) -> bool {
        if self.calls.len() > SWEEP_ABOVE {
            self.calls.retain(|_, calls| {
                calls
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        let calls = self.calls.entry((ip, ext.to_owned())).or_default();
        while calls
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            calls.pop_front();
        }
        if calls.len() >= limit as usize {
            self.blacklist.insert(ip, now + penalty);
            self.calls.retain(|(caller, _), _| *caller != ip);
            return false;
        }
        calls.push_back(now);
        true
    }

    pub fn clear(&mut self) {
        self.calls.clear();
        self.blacklist.clear();
    }
}
