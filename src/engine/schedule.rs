//! When to ask a transaction's status, and what a gateway's answer means for the journal.
//! Pure functions: no clock, no I/O.

use std::time::Duration;

use crate::gateway::{GatewayError, PaymentStatus};
use crate::journal::TxStatus;

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
        }
    }
}

fn ms(d: Duration) -> i64 {
    d.as_millis() as i64
}

impl PollPlan {
    /// The default plan with the overrides of the environment (for tuning and for tests
    /// that accelerate time): `CAISSE_POLL_FIRST_MS` (comma-separated offsets),
    /// `CAISSE_POLL_EVERY_MS`, `CAISSE_POLL_WINDOW_SECS`, `CAISSE_POLL_SLOW_MS`,
    /// `CAISSE_STATUS_LIMIT`, `CAISSE_STATUS_WINDOW_MS`, `CAISSE_STATUS_PER_SECOND`,
    /// `CAISSE_NOT_FOUND_GAP_MS`.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<PollPlan, String> {
        let mut plan = PollPlan::default();
        let number = |name: &str| -> Result<Option<u64>, String> {
            env(name)
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .map_err(|_| format!("{name} : « {v} » n'est pas un nombre entier"))
                })
                .transpose()
        };
        if let Some(list) = env("CAISSE_POLL_FIRST_MS") {
            plan.first = list
                .split(',')
                .map(|v| v.trim().parse::<u64>().map(Duration::from_millis))
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    format!("CAISSE_POLL_FIRST_MS : « {list} » (attendu : 5000,25000,45000)")
                })?;
        }
        if let Some(v) = number("CAISSE_POLL_EVERY_MS")? {
            plan.every = Duration::from_millis(v.max(1));
        }
        if let Some(v) = number("CAISSE_POLL_WINDOW_SECS")? {
            plan.window = Duration::from_secs(v);
        }
        if let Some(v) = number("CAISSE_POLL_SLOW_MS")? {
            plan.slow = Duration::from_millis(v.max(1));
        }
        if let Some(v) = number("CAISSE_STATUS_LIMIT")? {
            plan.per_transaction = v.clamp(1, u32::MAX as u64) as u32;
        }
        if let Some(v) = number("CAISSE_STATUS_WINDOW_MS")? {
            plan.budget_window = Duration::from_millis(v.max(1));
        }
        if let Some(v) = number("CAISSE_STATUS_PER_SECOND")? {
            plan.per_second = v.clamp(1, u32::MAX as u64) as u32;
        }
        if let Some(v) = number("CAISSE_NOT_FOUND_GAP_MS")? {
            plan.not_found_gap = Duration::from_millis(v);
        }
        Ok(plan)
    }

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

/// The journal status a gateway status means. `payment-timeout` is an expiry, not a
/// failure of the customer's funds.
pub fn journal_status(status: &PaymentStatus) -> TxStatus {
    match status {
        PaymentStatus::Pending => TxStatus::Pending,
        PaymentStatus::Processing => TxStatus::Processing,
        PaymentStatus::Success => TxStatus::Success,
        PaymentStatus::Failed { code, .. } if code.as_deref() == Some("payment-timeout") => {
            TxStatus::Expired
        }
        PaymentStatus::Failed { .. } => TxStatus::Failed,
        PaymentStatus::Refunded => TxStatus::Refunded,
        PaymentStatus::Canceled => TxStatus::Canceled,
    }
}

/// What a failed send means for the row.
pub fn status_after_send_error(error: &GatewayError) -> TxStatus {
    match error {
        // Connection refused, DNS failure: no byte reached the gateway.
        GatewayError::Transport { connect: true, .. } => TxStatus::NotSent,
        e if e.outcome_unknown() => TxStatus::Unknown,
        // A readable refusal: the gateway said no (possibly after creating it, FAILLED).
        GatewayError::Refused { .. } => TxStatus::Failed,
        // 4xx without a readable refusal (403 of a blacklisted IP…): not processed.
        _ => TxStatus::NotSent,
    }
}

/// Whether a status-query error means "the gateway does not know this transaction".
pub fn is_not_found(error: &GatewayError) -> bool {
    matches!(error, GatewayError::Refused { code: 404, .. })
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

    #[test]
    fn send_errors_never_fail_what_may_have_happened() {
        use std::time::Duration;
        let timeout = GatewayError::Timeout {
            endpoint: "operation",
            after: Duration::from_secs(60),
        };
        assert_eq!(status_after_send_error(&timeout), TxStatus::Unknown);
        let http500 = GatewayError::Http {
            endpoint: "operation",
            status: 500,
            snippet: String::new(),
        };
        assert_eq!(status_after_send_error(&http500), TxStatus::Unknown);
        let reset = GatewayError::Transport {
            endpoint: "operation",
            connect: false,
            reason: String::new(),
        };
        assert_eq!(status_after_send_error(&reset), TxStatus::Unknown);
        let refused_conn = GatewayError::Transport {
            endpoint: "operation",
            connect: true,
            reason: String::new(),
        };
        assert_eq!(status_after_send_error(&refused_conn), TxStatus::NotSent);
        let decode = GatewayError::Decode {
            endpoint: "operation",
            path: "$".into(),
            reason: String::new(),
        };
        assert_eq!(status_after_send_error(&decode), TxStatus::Unknown);
        assert_eq!(
            journal_status(&PaymentStatus::Failed {
                code: Some("payment-timeout".into()),
                message: None
            }),
            TxStatus::Expired
        );
    }
}
