//! The statuses of an operation in caisse's journal, the set of those still to settle, and
//! the one rule about them: a status only moves forward.

use std::fmt;
use std::sync::LazyLock;

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
    /// Past the payment window, the gateway still answers nothing readable about it (an
    /// error code the documentation does not list…): still unsettled and still asked, but
    /// a person must look at it (a claim to Intech). Never guessed either way.
    Review,
}

impl TxStatus {
    pub const ALL: [TxStatus; 11] = [
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
        TxStatus::Review,
    ];

    /// The statuses still to settle: polled, resumed at start-up, counted as pending. Every
    /// query of the journal about "unsettled" rows is built from this one list.
    pub const UNSETTLED: [TxStatus; 5] = [
        TxStatus::New,
        TxStatus::Unknown,
        TxStatus::Pending,
        TxStatus::Processing,
        TxStatus::Review,
    ];

    /// `('NEW','UNKNOWN',…)`: [`TxStatus::UNSETTLED`] as an SQL list, for `status IN …`.
    pub fn unsettled_sql() -> &'static str {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            let names: Vec<String> = TxStatus::UNSETTLED
                .iter()
                .map(|s| format!("'{}'", s.as_str()))
                .collect();
            format!("({})", names.join(","))
        });
        &SQL
    }

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
            TxStatus::Review => "REVIEW",
        }
    }

    /// How far along a row is: every move allowed by [`TxStatus::may_become`] goes up.
    pub fn rank(self) -> u8 {
        match self {
            TxStatus::New => 0,
            TxStatus::Unknown => 1,
            TxStatus::Pending => 2,
            TxStatus::Processing => 3,
            TxStatus::Review => 4,
            TxStatus::Refunded => 6,
            _ => 5,
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        TxStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The word for the cashier in `lang`.
    pub fn label(self, lang: crate::i18n::Lang) -> &'static str {
        match lang {
            crate::i18n::Lang::Fr => self.french(),
            crate::i18n::Lang::En => match self {
                TxStatus::New => "being prepared",
                TxStatus::Unknown => "outcome unknown",
                TxStatus::Review => "to be checked",
                TxStatus::Pending => "waiting",
                TxStatus::Processing => "in progress",
                TxStatus::Success => "paid",
                TxStatus::Failed => "failed",
                TxStatus::Refunded => "refunded",
                TxStatus::Canceled => "cancelled",
                TxStatus::Expired => "expired",
                TxStatus::NotSent => "not received",
            },
        }
    }

    /// The French word for the cashier.
    pub fn french(self) -> &'static str {
        match self {
            TxStatus::New => "en préparation",
            TxStatus::Unknown => "résultat inconnu",
            TxStatus::Pending => "en attente",
            TxStatus::Processing => "en cours",
            TxStatus::Success => "réussi",
            TxStatus::Failed => "échoué",
            TxStatus::Refunded => "remboursé",
            TxStatus::Canceled => "annulé",
            TxStatus::Expired => "expiré",
            TxStatus::NotSent => "non reçu",
            TxStatus::Review => "à vérifier",
        }
    }

    pub fn is_final(self) -> bool {
        !TxStatus::UNSETTLED.contains(&self)
    }

    /// Whether a row in `self` may be moved to `next`. Final rows never move, except a
    /// refund of a success; nothing goes back to NEW; what is known (PENDING, PROCESSING)
    /// never becomes UNKNOWN; PROCESSING never goes back to PENDING; what the gateway once
    /// acknowledged is never declared "never received" (NOT_SENT). A row under REVIEW is
    /// settled by a readable final answer only. Every allowed move goes up
    /// [`TxStatus::rank`], so no sequence of events can loop or go back.
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
            Review => next.is_final(),
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

/// On the socket and in JSON output: the journal's word (`SUCCESS`, `PENDING`…).
impl serde::Serialize for TxStatus {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for TxStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TxStatus, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        TxStatus::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("statut inconnu « {text} »")))
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
        assert!(Pending.may_become(Review));
        assert!(Review.may_become(Success));
        assert!(!Review.may_become(Unknown));
        assert!(!Review.may_become(Pending));
        assert!(!Review.is_final());
        for a in TxStatus::ALL {
            for b in TxStatus::ALL {
                if a.may_become(b) {
                    assert!(b.rank() > a.rank(), "{a} -> {b} does not go up");
                }
            }
        }
    }

    #[test]
    fn the_sql_list_is_the_unsettled_set() {
        assert_eq!(
            TxStatus::unsettled_sql(),
            "('NEW','UNKNOWN','PENDING','PROCESSING','REVIEW')"
        );
        for s in TxStatus::ALL {
            assert_eq!(
                TxStatus::unsettled_sql().contains(&format!("'{}'", s.as_str())),
                !s.is_final(),
                "{s}"
            );
        }
    }
}
