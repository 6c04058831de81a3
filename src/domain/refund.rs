//! What may be refunded: a successful Intech cash-out (the customer paid the shop), never
//! twice. One rule for the screens, the socket and the engine.

use super::{OpKind, TxStatus};
use crate::catalog::services::{self, TypeOperation};

/// Whether a recorded operation may be refunded now. (Which services Intech's server
/// actually refunds is narrower still: its answer says so when it refuses.)
pub fn refundable(
    kind: OpKind,
    gateway: &str,
    service: &str,
    status: TxStatus,
    gateway_tx_id: Option<&str>,
) -> bool {
    kind == OpKind::Payment
        && status == TxStatus::Success
        && gateway == "intech"
        && gateway_tx_id.is_some()
        && super::moneygram::refundable(service).unwrap_or_else(|| {
            services::find(service).is_some_and(|s| s.type_operation == TypeOperation::Credit)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_successful_intech_cash_out_with_its_id() {
        let ok =
            |kind, gateway, service, status, id| refundable(kind, gateway, service, status, id);
        let p = OpKind::Payment;
        let wave = "WAVE_SN_API_CASH_OUT";
        assert!(ok(p, "intech", wave, TxStatus::Success, Some("T1")));
        assert!(!ok(p, "intech", wave, TxStatus::Pending, Some("T1")));
        assert!(!ok(p, "intech", wave, TxStatus::Refunded, Some("T1")));
        assert!(!ok(p, "intech", wave, TxStatus::Success, None));
        assert!(!ok(p, "intram", wave, TxStatus::Success, Some("T1")));
        assert!(!ok(
            OpKind::Refund,
            "intech",
            wave,
            TxStatus::Success,
            Some("T1")
        ));
        assert!(!ok(
            p,
            "intech",
            "WAVE_SN_API_CASH_IN",
            TxStatus::Success,
            Some("T1")
        ));
    }
}
