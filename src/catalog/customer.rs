//! What the customer does to pay, per operator: the one table the engine (what to send, the
//! link to rebuild when a reply is lost) and the payment screen (what to tell the customer)
//! read.
//!
//! From the API spec: Wave's reply carries `deepLinkUrl`, Intech's own landing page
//! `…/deep/<transactionId>`, and so does Orange Money's when it is sent `useOMQrCode: true`;
//! without it, Orange Money asks the customer to dial `#144#`. A card's reply carries the
//! 3-D Secure page (`authLinkUrl`), Intram's the payment page (`receipt_url`). The other
//! operators' replies carry no link: their customer approves the request that shows on the
//! phone (Orange Côte d'Ivoire: the `#144#` menu, as the spec says of Orange Money).

use crate::i18n::Lang;

/// How the customer approves a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Intech's landing page `{Intech}/deep/<transactionId>`: a QR and a link. Built from the
    /// transaction id alone, so a status answer gives it when the reply was lost.
    DeepLink,
    /// A page the reply names (3-D Secure, Intram's payment page): a QR and a link.
    Page,
    /// Dial this code on the phone, then approve in the operator's menu.
    Ussd(&'static str),
    /// Approve the operator's request that appears on the phone.
    Phone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerStep {
    pub service: &'static str,
    pub how: How,
    /// A flag the request must carry (`true`) for the link to exist (Orange Money's QR).
    pub flag: Option<&'static str>,
}

const fn step(service: &'static str, how: How) -> CustomerStep {
    CustomerStep {
        service,
        how,
        flag: None,
    }
}

/// Every service whose customer pays (the cash-outs, Intram).
pub static STEPS: &[CustomerStep] = &[
    step("WAVE_SN_API_CASH_OUT", How::DeepLink),
    CustomerStep {
        service: "ORANGE_SN_API_CASH_OUT",
        how: How::DeepLink,
        flag: Some("useOMQrCode"),
    },
    step("BANK_CARD_API_CASH_OUT", How::Page),
    step("INTRAM", How::Page),
    step("ORANGE_CI_API_CASH_OUT", How::Ussd("#144#")),
    // The spec names no code for these wallets: the operator's request shows on the phone.
    // A guessed code told to a customer would be worse than none.
    step("FREE_SN_WALLET_CASH_OUT", How::Phone),
    step("MTN_CI_API_CASH_OUT", How::Phone),
    step("MTN_CI_API_CASH_OUT_2", How::Phone),
    step("MOOV_CI_API_CASH_OUT", How::Phone),
    step("EXPRESSO_SN_WALLET_CASH_OUT", How::Phone),
    step("WIZALL_SN_API_CASH_OUT", How::Phone),
];

/// The customer's step for a service, if the customer has one.
pub fn find(service: &str) -> Option<&'static CustomerStep> {
    STEPS.iter().find(|s| s.service == service)
}

/// Intech's landing page for a transaction, on the Intech API at `base_url`.
pub fn deep_link(base_url: &str, transaction_id: &str) -> String {
    format!("{}/deep/{transaction_id}", base_url.trim_end_matches('/'))
}

impl How {
    /// What the cashier tells the customer, in `lang`.
    pub fn instruction(self, lang: Lang) -> String {
        match self {
            How::DeepLink | How::Page => lang
                .tr(
                    "Le client scanne le QR ou ouvre le lien :",
                    "The customer scans the QR or opens the link:",
                )
                .into(),
            How::Ussd(code) => match lang {
                Lang::Fr => format!(
                    "Le client compose {code} sur son téléphone et valide le paiement \
                     (ou confirme la demande qui s'affiche)."
                ),
                Lang::En => format!(
                    "The customer dials {code} on their phone and approves the payment (or \
                     confirms the request shown)."
                ),
            },
            How::Phone => lang
                .tr(
                    "Le client confirme le paiement sur son téléphone (demande de l'opérateur).",
                    "The customer confirms the payment on their phone (the operator's request).",
                )
                .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::services::{SERVICES, TypeOperation};

    #[test]
    fn every_cash_out_tells_its_customer_what_to_do() {
        for s in SERVICES {
            let customer_pays = s.type_operation == TypeOperation::Credit
                // A MoneyGram payout hands money out: the receiver pays nothing.
                && s.code != crate::domain::moneygram::PAYOUT;
            assert_eq!(
                find(s.code).is_some(),
                customer_pays,
                "{}: a step exactly for the services the customer pays",
                s.code
            );
        }
        assert!(find("INTRAM").is_some());
    }

    #[test]
    fn the_deep_link_is_built_from_the_transaction_id() {
        assert_eq!(
            deep_link("https://api.intech.sn/", "139663910423"),
            "https://api.intech.sn/deep/139663910423"
        );
    }
}
