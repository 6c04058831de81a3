//! When to ask a transaction's status. Pure functions: no clock, no I/O (the environment's
//! overrides are read in `config.rs`).

use std::time::Duration;

/// The polling plan. Defaults follow design.md: 5 s, 25 s, 45 s after the send, then every
/// 30 s until the 15-minute payment window closes, then a slow reconcile every 5 minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct PollPlan {
    /// Offsets from the send of the first polls.
    pub first: Vec<Duration>,
    /// Then one poll every `every` while the payment window is open.
    pub every: Duration,
    /// The customer's time to validate (Intech's `payment-timeout`).
    pub window: Duration,
    /// After the window: one poll every `slow`, until the row is final.
    pub slow: Duration,
    /// Intech's limit: `per_transaction` status calls in any `budget_window`.
    pub per_transaction: u32,
    pub budget_window: Duration,
    /// All transactions together, per second, for this host.
    pub per_second: u32,
    /// Two "not found" answers at least this far apart make an intent NOT_SENT.
    pub not_found_gap: Duration,
    /// An operation whose status answers stay unreadable this long after its send is put
    /// under REVIEW (the payment window plus a margin).
    pub review_after: Duration,
}

impl Default for PollPlan {
    fn default() -> Self {
        PollPlan {
            first: vec![
                Duration::from_secs(5),
                Duration::from_secs(25),
                Duration::from_secs(45),
            ],
            every: Duration::from_secs(30),
            window: Duration::from_secs(15 * 60),
            slow: Duration::from_secs(5 * 60),
            per_transaction: 3,
            budget_window: Duration::from_secs(60),
            per_second: 10,
            not_found_gap: Duration::from_secs(120),
            review_after: Duration::from_secs(20 * 60),
        }
    }
}

pub(crate) fn ms(d: Duration) -> i64 {
    d.as_millis() as i64
}

impl PollPlan {
    /// The next poll after one made at `now`, for a transaction sent at `sent_at`.
    pub fn next_after(&self, sent_at: i64, now: i64) -> i64 {
        let age = now - sent_at;
        if let Some(offset) = self.first.iter().map(|d| ms(*d)).find(|o| *o > age) {
            return sent_at + offset;
        }
        if age < ms(self.window) {
            return now + ms(self.every).max(1);
        }
        now + ms(self.slow).max(1)
    }

    /// The first poll for a transaction just sent (or just recovered, `sent_at` unknown).
    pub fn first_after_send(&self, sent_at: i64) -> i64 {
        sent_at + self.first.first().map(|d| ms(*d)).unwrap_or(ms(self.every))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_plan_is_5_25_45_then_30_then_slow() {
        let p = PollPlan::default();
        let s = 1_000_000;
        assert_eq!(p.first_after_send(s), s + 5_000);
        assert_eq!(p.next_after(s, s + 5_000), s + 25_000);
        assert_eq!(p.next_after(s, s + 25_010), s + 45_000);
        assert_eq!(p.next_after(s, s + 45_000), s + 75_000);
        assert_eq!(p.next_after(s, s + 14 * 60_000), s + 14 * 60_000 + 30_000);
        assert_eq!(p.next_after(s, s + 16 * 60_000), s + 16 * 60_000 + 300_000);
    }

    #[test]
    fn the_default_plan_never_exceeds_three_calls_a_minute() {
        let p = PollPlan::default();
        let s = 0;
        let mut polls = vec![p.first_after_send(s)];
        while *polls.last().unwrap() < 30 * 60_000 {
            let last = *polls.last().unwrap();
            polls.push(p.next_after(s, last));
        }
        for (i, t) in polls.iter().enumerate() {
            let in_window = polls[i..].iter().take_while(|u| **u < t + 60_000).count();
            assert!(in_window <= 3, "{in_window} polls in the minute from {t}");
        }
    }
}
