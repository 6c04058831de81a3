//! What the gateways say about a transaction, and what it means for caisse: the two
//! vocabularies on the wire (Intech's `FAILLED`…, Intram's `FAIL`…), our reading of them
//! ([`PaymentStatus`]), and the journal status each reading gives. The only place where a
//! gateway's word becomes one of ours: the client, the poller and the callback listener
//! all go through it.

use std::fmt;

use super::TxStatus;

/// Which gateway an operation goes through.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum GatewayKind {
    #[default]
    Intech,
    Intram,
}

impl GatewayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GatewayKind::Intech => "intech",
            GatewayKind::Intram => "intram",
        }
    }

    pub fn parse(text: &str) -> Option<GatewayKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "intech" => Some(GatewayKind::Intech),
            "intram" => Some(GatewayKind::Intram),
            _ => None,
        }
    }
}

impl fmt::Display for GatewayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A transaction's status as Intech spells it (`FAILLED` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntechStatus {
    Pending,
    Processing,
    Success,
    Failed,
    Refunded,
    Canceled,
}

impl IntechStatus {
    /// The spelling on the wire.
    pub fn as_wire(self) -> &'static str {
        match self {
            IntechStatus::Pending => "PENDING",
            IntechStatus::Processing => "PROCESSING",
            IntechStatus::Success => "SUCCESS",
            IntechStatus::Failed => "FAILLED",
            IntechStatus::Refunded => "REFUNDED",
            IntechStatus::Canceled => "CANCELED",
        }
    }

    /// Reads the wire form; `FAILED` and `CANCELLED` are accepted too, in any case.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.trim().to_ascii_uppercase().as_str() {
            "PENDING" => IntechStatus::Pending,
            "PROCESSING" => IntechStatus::Processing,
            "SUCCESS" => IntechStatus::Success,
            "FAILLED" | "FAILED" => IntechStatus::Failed,
            "REFUNDED" => IntechStatus::Refunded,
            "CANCELED" | "CANCELLED" => IntechStatus::Canceled,
            _ => return None,
        })
    }

    /// SUCCESS, FAILLED, REFUNDED and CANCELED are final.
    pub fn is_final(self) -> bool {
        !matches!(self, IntechStatus::Pending | IntechStatus::Processing)
    }
}

impl fmt::Display for IntechStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_wire())
    }
}

/// SUCCESS, PENDING, CANCELED or FAIL; ERROR and REFUNDED are guessed from Intram's SDKs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntramStatus {
    Success,
    Pending,
    Canceled,
    Fail,
    Error,
    Refunded,
}

impl IntramStatus {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.trim().to_ascii_uppercase().as_str() {
            "SUCCESS" => IntramStatus::Success,
            "PENDING" => IntramStatus::Pending,
            "CANCELED" | "CANCELLED" => IntramStatus::Canceled,
            "FAIL" | "FAILED" => IntramStatus::Fail,
            "ERROR" => IntramStatus::Error,
            "REFUNDED" => IntramStatus::Refunded,
            _ => return None,
        })
    }

    pub fn as_wire(self) -> &'static str {
        match self {
            IntramStatus::Success => "SUCCESS",
            IntramStatus::Pending => "PENDING",
            IntramStatus::Canceled => "CANCELED",
            IntramStatus::Fail => "FAIL",
            IntramStatus::Error => "ERROR",
            IntramStatus::Refunded => "REFUNDED",
        }
    }
}

/// A status, whichever gateway, in caisse's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentStatus {
    Pending,
    Processing,
    Success,
    Failed {
        /// The gateway's catalogue code (`insufficient_balance`, `payment-timeout`…).
        code: Option<String>,
        message: Option<String>,
    },
    Refunded,
    Canceled,
}

/// The code Intech gives a payment the customer did not validate in time.
pub const PAYMENT_TIMEOUT: &str = "payment-timeout";

impl PaymentStatus {
    pub fn is_final(&self) -> bool {
        !matches!(self, PaymentStatus::Pending | PaymentStatus::Processing)
    }

    /// Intech's status with its `errorType` (code, message), as callbacks and status
    /// replies carry them. Empty codes and messages count as absent.
    pub fn from_intech(status: IntechStatus, code: Option<&str>, message: Option<&str>) -> Self {
        let present = |s: Option<&str>| {
            s.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        match status {
            IntechStatus::Pending => PaymentStatus::Pending,
            IntechStatus::Processing => PaymentStatus::Processing,
            IntechStatus::Success => PaymentStatus::Success,
            IntechStatus::Failed => PaymentStatus::Failed {
                code: present(code),
                message: present(message),
            },
            IntechStatus::Refunded => PaymentStatus::Refunded,
            IntechStatus::Canceled => PaymentStatus::Canceled,
        }
    }

    /// Intram's status with the reply's message.
    pub fn from_intram(status: IntramStatus, message: Option<&str>) -> Self {
        match status {
            IntramStatus::Pending => PaymentStatus::Pending,
            IntramStatus::Success => PaymentStatus::Success,
            IntramStatus::Canceled => PaymentStatus::Canceled,
            IntramStatus::Refunded => PaymentStatus::Refunded,
            IntramStatus::Error => PaymentStatus::Failed {
                code: Some("intram_error".into()),
                message: message
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(str::to_owned),
            },
            IntramStatus::Fail => PaymentStatus::Failed {
                code: None,
                message: message
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(str::to_owned),
            },
        }
    }

    /// The journal status this reading gives. `payment-timeout` is an expiry (the customer
    /// did not validate), not a failure of their funds.
    pub fn journal_status(&self) -> TxStatus {
        match self {
            PaymentStatus::Pending => TxStatus::Pending,
            PaymentStatus::Processing => TxStatus::Processing,
            PaymentStatus::Success => TxStatus::Success,
            PaymentStatus::Failed { code, .. } if code.as_deref() == Some(PAYMENT_TIMEOUT) => {
                TxStatus::Expired
            }
            PaymentStatus::Failed { .. } => TxStatus::Failed,
            PaymentStatus::Refunded => TxStatus::Refunded,
            PaymentStatus::Canceled => TxStatus::Canceled,
        }
    }

    /// The gateway's code and message of a failure.
    pub fn failure(&self) -> Option<(Option<&str>, Option<&str>)> {
        match self {
            PaymentStatus::Failed { code, message } => Some((code.as_deref(), message.as_deref())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_intech_status_maps_once() {
        for (wire, ours) in [
            ("PENDING", TxStatus::Pending),
            ("PROCESSING", TxStatus::Processing),
            ("SUCCESS", TxStatus::Success),
            ("FAILLED", TxStatus::Failed),
            ("failed", TxStatus::Failed),
            ("REFUNDED", TxStatus::Refunded),
            ("CANCELLED", TxStatus::Canceled),
        ] {
            let status = IntechStatus::parse(wire).unwrap();
            assert_eq!(
                PaymentStatus::from_intech(status, None, None).journal_status(),
                ours,
                "{wire}"
            );
        }
        assert_eq!(IntechStatus::parse("DONE"), None);
    }

    #[test]
    fn payment_timeout_is_an_expiry_and_empty_codes_are_absent() {
        let expired =
            PaymentStatus::from_intech(IntechStatus::Failed, Some(PAYMENT_TIMEOUT), Some(""));
        assert_eq!(expired.journal_status(), TxStatus::Expired);
        assert_eq!(expired.failure(), Some((Some(PAYMENT_TIMEOUT), None)));
        let blank = PaymentStatus::from_intech(IntechStatus::Failed, Some(" "), Some(""));
        assert_eq!(blank.failure(), Some((None, None)));
    }

    #[test]
    fn every_intram_status_maps_once() {
        for (wire, ours) in [
            ("SUCCESS", TxStatus::Success),
            ("PENDING", TxStatus::Pending),
            ("CANCELED", TxStatus::Canceled),
            ("FAIL", TxStatus::Failed),
            ("ERROR", TxStatus::Failed),
            ("REFUNDED", TxStatus::Refunded),
        ] {
            let status = IntramStatus::parse(wire).unwrap();
            assert_eq!(
                PaymentStatus::from_intram(status, Some("x")).journal_status(),
                ours
            );
        }
    }
}
