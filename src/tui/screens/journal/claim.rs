//! A claim to Intech about an operation: its form, and for an operation under review the
//! subject and message written in with its references.

use tui_input::Input;

use crate::i18n::Lang;
use crate::session::view::Operation;

#[derive(Debug, Clone)]
pub struct ClaimForm {
    pub subject: Input,
    pub message: Input,
    pub focus: usize,
}

pub(super) fn review_claim_subject(lang: Lang) -> String {
    lang.tr("Opération à vérifier", "Operation to be checked")
        .into()
}

/// The claim of an operation under review, with its references filled in.
pub fn review_claim_message(lang: Lang, r: &Operation) -> String {
    let amount = r
        .amount
        .map(crate::money::fcfa)
        .unwrap_or_else(|| "-".into());
    let intech = r.gateway_tx_id.as_deref().unwrap_or("-");
    let reason = r.error_message.as_deref().unwrap_or_default();
    match lang {
        Lang::Fr => format!(
            "Merci d'indiquer le statut de l'opération externalTransactionId {} (transaction \
             Intech {intech}), service {}, montant {amount}. Notre caisse ne peut pas lire \
             son statut : {reason}",
            r.external_id, r.service
        ),
        Lang::En => format!(
            "Please tell us the status of the operation externalTransactionId {} (Intech \
             transaction {intech}), service {}, amount {amount}. Our till cannot read its \
             status: {reason}",
            r.external_id, r.service
        ),
    }
}
