//! What may be refunded: a successful Intech operation of a service whose refund the server
//! has wired, never twice. One rule for the screens, the socket and the engine.

use super::{GatewayKind, OpKind, TxStatus};

/// The services Intech's server refunds (second reading of its code: refund-cancel is wired
/// for Wave SN cash-in and cash-out, MoneyGram cash-in and KPay; every other service answers
/// "Cette fonctionnalité n'est pas encore disponible pour ce Service"). KPay is not in the
/// service catalogue the documentation gives, so it has no code here.
pub const REFUNDABLE_SERVICES: &[&str] = &[
    "WAVE_SN_API_CASH_IN",
    "WAVE_SN_API_CASH_OUT",
    "MONEYGRAM_SN_API_CASH_IN",
];

/// Why an operation cannot be refunded, for the cashier.
pub fn not_refundable(lang: crate::i18n::Lang) -> &'static str {
    lang.tr(
        "Remboursement impossible : Intech ne rembourse que les opérations Wave Sénégal \
         (dépôt ou encaissement) et les envois MoneyGram réussis.",
        "No refund: Intech refunds only successful Wave Senegal operations (deposits or \
         collections) and MoneyGram sends.",
    )
}

/// Whether a recorded operation may be refunded now.
pub fn refundable(
    kind: OpKind,
    gateway: GatewayKind,
    service: &str,
    status: TxStatus,
    gateway_tx_id: Option<&str>,
) -> bool {
    kind == OpKind::Payment
        && status == TxStatus::Success
        && gateway == GatewayKind::Intech
        && gateway_tx_id.is_some()
        && REFUNDABLE_SERVICES.contains(&service)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_successful_intech_operation_of_a_wired_service_with_its_id() {
        let ok =
            |kind, gateway, service, status, id| refundable(kind, gateway, service, status, id);
        let p = OpKind::Payment;
        let wave = "WAVE_SN_API_CASH_OUT";
        assert!(ok(
            p,
            GatewayKind::Intech,
            wave,
            TxStatus::Success,
            Some("T1")
        ));
        assert!(!ok(
            p,
            GatewayKind::Intech,
            wave,
            TxStatus::Pending,
            Some("T1")
        ));
        assert!(!ok(
            p,
            GatewayKind::Intech,
            wave,
            TxStatus::Refunded,
            Some("T1")
        ));
        assert!(!ok(p, GatewayKind::Intech, wave, TxStatus::Success, None));
        assert!(!ok(
            p,
            GatewayKind::Intram,
            wave,
            TxStatus::Success,
            Some("T1")
        ));
        assert!(!ok(
            OpKind::Refund,
            GatewayKind::Intech,
            wave,
            TxStatus::Success,
            Some("T1")
        ));
    }
}
