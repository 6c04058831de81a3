//! The journal searched beyond today: a period, what was typed (a phone number, a
//! reference, an amount), which statuses, and a page of at most `limit` operations after a
//! keyset cursor. Newest first; a page goes on from the (created_at, external_id) of the
//! previous page's last row, never by OFFSET: a page deep in a year costs what the first one
//! does, and operations recorded meanwhile shift nothing. The SQL is `journal::search`'s.

use super::Period;
use crate::domain::TxStatus;

/// The most operations a page may ask (a screen shows far fewer).
pub const MOST_PER_PAGE: u32 = 500;

/// Where a page starts: after the row with this creation time and id (in newest-first
/// order, rows strictly older, or as old with a smaller id).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cursor {
    pub created_at: i64,
    pub external_id: String,
}

/// One page asked for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Search {
    pub period: Period,
    /// As typed: a phone number, an operation id, the gateway's transaction id or an
    /// amount. Empty: every operation of the period.
    pub text: String,
    /// Only these statuses; empty: all.
    pub statuses: Vec<TxStatus>,
    /// The previous page's last row; `None`: the first page.
    pub after: Option<Cursor>,
    pub limit: u32,
}

/// What the typed text may be, each matched exactly against its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// The text itself: a phone as typed at the sale, an operation id, a gateway's id.
    pub exact: String,
    /// The phone with its spaces, dots and dashes left out (`77 245 71 00` → `772457100`).
    pub phone: Option<String>,
    /// The text read as an amount in FCFA (`1 500`, `1500 F`, `1.500 FCFA`).
    pub amount: Option<i64>,
}

impl Terms {
    /// `None` for an empty text (the whole period).
    pub fn of(text: &str) -> Option<Terms> {
        let exact = text.trim();
        if exact.is_empty() {
            return None;
        }
        let squeezed: String = exact
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '.' | '-'))
            .collect();
        let phone = (squeezed != exact
            && squeezed
                .trim_start_matches('+')
                .chars()
                .all(|c| c.is_ascii_digit()))
        .then(|| squeezed.clone());
        let upper = squeezed.to_uppercase();
        let number = upper
            .strip_suffix("FCFA")
            .or_else(|| upper.strip_suffix("CFA"))
            .or_else(|| upper.strip_suffix('F'))
            .unwrap_or(&upper);
        let amount = (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit()))
            .then(|| number.parse().ok())
            .flatten();
        Some(Terms {
            exact: exact.to_owned(),
            phone,
            amount,
        })
    }
}

impl Search {
    /// The page's size as the service serves it: at least 1, at most [`MOST_PER_PAGE`].
    pub fn page_size(&self) -> u32 {
        self.limit.clamp(1, MOST_PER_PAGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_reads_as_a_phone_an_amount_or_a_reference() {
        assert_eq!(Terms::of("  "), None);
        let t = Terms::of("77 245 71 00").unwrap();
        assert_eq!(t.exact, "77 245 71 00");
        assert_eq!(t.phone.as_deref(), Some("772457100"));
        assert_eq!(t.amount, Some(772_457_100));
        let t = Terms::of("1 500 FCFA").unwrap();
        assert_eq!(t.amount, Some(1500));
        assert_eq!(Terms::of("2500f").unwrap().amount, Some(2500));
        assert_eq!(Terms::of("1.500").unwrap().amount, Some(1500));
        let t = Terms::of("139663910423").unwrap();
        assert_eq!((t.phone, t.amount), (None, Some(139_663_910_423)));
        let t = Terms::of("01a20000-0000-7000-8000-000000000001").unwrap();
        assert_eq!((t.phone, t.amount), (None, None));
        let t = Terms::of("+221 77 245 71 00").unwrap();
        assert_eq!(t.phone.as_deref(), Some("+221772457100"));
        assert_eq!(t.amount, None);
    }
}
