//! The same sale twice: a cashier who pressed Enter again, or typed the sale a second time
//! while the first is still pending, would take the customer's money twice. A new sale of
//! the same service, phone and amount as one still unsettled, or as one that succeeded
//! within [`RECENT_SALE_WINDOW`], is refused until the cashier confirms it (the app asks,
//! the command line wants `--allow-duplicate`). A failed, expired or refunded one is no
//! reason to ask: the retry is what the cashier means.

use std::time::Duration;

use super::TxStatus;
use crate::i18n::Lang;

/// How long a successful sale counts as "just sent": the customer is usually still at the
/// counter. Longer than the server's own one-minute rule (`SAME_SALE_WINDOW`), which only
/// refuses, too late for the cashier to understand why.
pub const RECENT_SALE_WINDOW: Duration = Duration::from_secs(10 * 60);

/// Whether an earlier sale of the same service, phone and amount (in `status`, created at
/// `created_at` and settled at `final_at`, in ms) makes a new one at `now` a likely repeat.
/// A success counts from when it succeeded: a cash-out approved after twelve minutes is
/// just as fresh for the customer at the counter.
pub fn is_repeat(status: TxStatus, created_at: i64, final_at: Option<i64>, now: i64) -> bool {
    match status {
        TxStatus::Success => {
            now - final_at.unwrap_or(created_at).max(created_at)
                < RECENT_SALE_WINDOW.as_millis() as i64
        }
        s => !s.is_final(),
    }
}

/// Whether a sale can be told apart from another at all: without the customer's phone
/// (Intram's payment page), two customers paying the same price are two sales.
pub fn is_checked(phone: Option<&str>) -> bool {
    phone.is_some_and(|p| !p.trim().is_empty())
}

/// "12 s", "4 min", "1 h 05".
pub fn age_text(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        _ => format!("{} h {:02}", secs / 3600, (secs % 3600) / 60),
    }
}

/// The sentence of a refusal for a repeat, in `lang`.
pub fn text(status: TxStatus, age_secs: i64, lang: Lang) -> String {
    let age = age_text(age_secs);
    match (lang, status) {
        (Lang::Fr, TxStatus::Success) => format!(
            "Vente identique (même service, même numéro, même montant) déjà réussie il y a \
             {age} : elle n'est pas renvoyée sans votre confirmation."
        ),
        (Lang::Fr, _) => format!(
            "Vente identique (même service, même numéro, même montant) envoyée il y a {age} et \
             pas encore réglée : elle n'est pas renvoyée sans votre confirmation."
        ),
        (Lang::En, TxStatus::Success) => format!(
            "Identical sale (same service, number and amount) already successful {age} ago: \
             it is not sent again without your confirmation."
        ),
        (Lang::En, _) => format!(
            "Identical sale (same service, number and amount) sent {age} ago and not settled \
             yet: it is not sent again without your confirmation."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn an_unsettled_sale_is_a_repeat_however_old() {
        for s in [
            TxStatus::New,
            TxStatus::Unknown,
            TxStatus::Pending,
            TxStatus::Processing,
            TxStatus::Review,
        ] {
            assert!(is_repeat(s, 0, None, 24 * 60 * MIN), "{s:?}");
        }
    }

    #[test]
    fn a_success_is_a_repeat_only_within_the_window_from_when_it_succeeded() {
        assert!(is_repeat(TxStatus::Success, 0, Some(0), 9 * MIN));
        assert!(!is_repeat(TxStatus::Success, 0, Some(0), 10 * MIN));
        // Approved at minute 12: still fresh at minute 15.
        assert!(is_repeat(TxStatus::Success, 0, Some(12 * MIN), 15 * MIN));
        assert!(!is_repeat(TxStatus::Success, 0, Some(12 * MIN), 22 * MIN));
    }

    #[test]
    fn a_sale_without_the_customers_phone_is_not_checked() {
        assert!(is_checked(Some("772450000")));
        assert!(!is_checked(None));
        assert!(!is_checked(Some(" ")));
    }

    #[test]
    fn a_failed_expired_or_refunded_sale_is_retried_freely() {
        for s in [
            TxStatus::Failed,
            TxStatus::Expired,
            TxStatus::Canceled,
            TxStatus::Refunded,
        ] {
            assert!(!is_repeat(s, 0, Some(0), 1_000), "{s:?}");
        }
    }

    #[test]
    fn ages_read_as_a_cashier_says_them() {
        assert_eq!(age_text(12), "12 s");
        assert_eq!(age_text(240), "4 min");
        assert_eq!(age_text(3_900), "1 h 05");
    }
}
