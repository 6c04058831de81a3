//! The journal's statuses and the one rule about them: a status only moves forward.

use std::fmt;

/// Where a transaction stands, in caisse's journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TxStatus {
    /// The intent is committed; the request may be on its way.
    New,
    /// Sent, but no readable answer (timeout, reset, 5xx, garbage): money may have moved.
    /// Settled only by status queries or a callback, never by resending.
    Unknown,
    Pending,
    Processing,
    Success,
    Failed,
    /// A successful cash-out given back.
    Refunded,
    Canceled,
    /// The customer did not validate within the payment window.
    Expired,
    /// The gateway reported it unknown twice, minutes apart: it never arrived. The cashier
    /// may start a new sale (with a new id).
    NotSent,
}

impl TxStatus {
    pub const ALL: [TxStatus; 10] = [
        TxStatus::New,
        TxStatus::Unknown,
        TxStatus::Pending,
        TxStatus::Processing,
        TxStatus::Success,
        TxStatus::Failed,
        TxStatus::Refunded,
        TxStatus::Canceled,
        TxStatus::Expired,
        TxStatus::NotSent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TxStatus::New => "NEW",
            TxStatus::Unknown => "UNKNOWN",
            TxStatus::Pending => "PENDING",
            TxStatus::Processing => "PROCESSING",
            TxStatus::Success => "SUCCESS",
            TxStatus::Failed => "FAILED",
            TxStatus::Refunded => "REFUNDED",
            TxStatus::Canceled => "CANCELED",
            TxStatus::Expired => "EXPIRED",
            TxStatus::NotSent => "NOT_SENT",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        TxStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The French word for the cashier.
    pub fn french(self) -> &'static str {
        match self {
            TxStatus::New => "en préparation",
            TxStatus::Unknown => "à vérifier",
            TxStatus::Pending => "en attente",
            TxStatus::Processing => "en cours",
            TxStatus::Success => "réussi",
            TxStatus::Failed => "échoué",
            TxStatus::Refunded => "remboursé",
            TxStatus::Canceled => "annulé",
            TxStatus::Expired => "expiré",
            TxStatus::NotSent => "non reçu",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            TxStatus::Success
                | TxStatus::Failed
                | TxStatus::Refunded
                | TxStatus::Canceled
                | TxStatus::Expired
                | TxStatus::NotSent
        )
    }

    /// Whether a row in `self` may be moved to `next`. Final rows never move, except a
    /// refund of a success; nothing goes back to NEW; what is known (PENDING, PROCESSING)
    /// never becomes UNKNOWN; PROCESSING never goes back to PENDING.
    pub fn may_become(self, next: TxStatus) -> bool {
        use TxStatus::*;
        if self == next {
            return false;
        }
        match self {
            Success => next == Refunded,
            s if s.is_final() => false,
            New => true,
            Unknown => next != New,
            Pending => !matches!(next, New | Unknown | NotSent),
            Processing => !matches!(next, New | Unknown | Pending | NotSent),
            _ => false,
        }
    }
}

impl fmt::Display for TxStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_only_move_forward() {
        use TxStatus::*;
        for s in TxStatus::ALL {
            assert_eq!(TxStatus::parse(s.as_str()), Some(s));
            assert!(!s.may_become(s), "{s} to itself is not a change");
            assert!(!s.may_become(New) || s == New, "{s} back to NEW");
            if s.is_final() && s != Success {
                for n in TxStatus::ALL {
                    assert!(!s.may_become(n), "{s} is final, not {n}");
                }
            }
        }
        assert!(Success.may_become(Refunded));
        assert!(!Success.may_become(Failed));
        assert!(!Failed.may_become(Success));
        assert!(New.may_become(Unknown));
        assert!(Unknown.may_become(Success));
        assert!(Unknown.may_become(NotSent));
        assert!(!Pending.may_become(Unknown));
        assert!(!Pending.may_become(NotSent));
        assert!(Pending.may_become(Processing));
        assert!(!Processing.may_become(Pending));
        assert!(Processing.may_become(Expired));
    }
}
