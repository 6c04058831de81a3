//! Why the engine refuses a request before anything moves, as a kind with its parameters:
//! the app words it in its own language (`text`), the command line and the logs in French
//! (`Display`). A gateway's own words travel inside (`gateway`), as the gateway wrote them.

use super::TxStatus;
use crate::i18n::Lang;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Refusal {
    /// No operation under this id in the journal.
    NotFound {
        id: String,
    },
    /// A front-end's chosen id that is not a UUID.
    BadId {
        id: String,
    },
    AlreadyRefunded,
    /// Intech refunds only successful Wave Senegal operations and MoneyGram sends.
    NotRefundable,
    /// Only a successful sale may be refunded; this one is in `status`.
    NotSettled {
        status: TxStatus,
    },
    /// A refund of this sale is already under way or done (its id).
    RefundUnderWay {
        refund: String,
    },
    /// A MoneyGram send is reversed with its reason, not refunded plainly.
    MoneyGramSendNeedsReason,
    /// A MoneyGram reason on anything but a MoneyGram send.
    ReasonOnlyForMoneyGramSend,
    /// The gateway never recorded the operation: nothing to claim about.
    NoClaimPossible,
    ClaimRefused {
        gateway: String,
    },
    MoneyGramLookupFailed {
        gateway: String,
    },
    MoneyGramFeesFailed {
        gateway: String,
    },
    MoneyGramFeesIncomplete,
    /// The same service, phone and amount as `previous`, still unsettled or just
    /// successful (`domain::duplicate`): sent only once the cashier confirms.
    Duplicate {
        previous: String,
        status: TxStatus,
        age_secs: i64,
    },
}

impl Refusal {
    /// The sentence for the person at the counter, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        let pick = |f: String, e: String| if fr { f } else { e };
        match self {
            Refusal::NotFound { id } => pick(
                format!("opération {id} introuvable"),
                format!("operation {id} not found"),
            ),
            Refusal::BadId { id } => pick(
                format!("identifiant d'opération invalide « {id} »"),
                format!("invalid operation id \"{id}\""),
            ),
            Refusal::AlreadyRefunded => pick(
                "Cette vente est déjà remboursée.".into(),
                "This sale is already refunded.".into(),
            ),
            Refusal::NotRefundable => super::refund::not_refundable(lang).to_owned(),
            Refusal::NotSettled { status } => pick(
                format!(
                    "seule une vente réussie peut être remboursée (celle-ci est « {} »)",
                    status.french()
                ),
                format!(
                    "only a successful sale can be refunded (this one is \"{}\")",
                    status.label(Lang::En)
                ),
            ),
            Refusal::RefundUnderWay { refund } => pick(
                format!(
                    "un remboursement de cette vente est déjà en cours ou fait ({refund}) : pas \
                     de second envoi"
                ),
                format!(
                    "a refund of this sale is already under way or done ({refund}): no second \
                     send"
                ),
            ),
            Refusal::MoneyGramSendNeedsReason => pick(
                "Un envoi MoneyGram s'annule avec son motif : utilisez l'annulation MoneyGram \
                 (motif, remboursement des frais)."
                    .into(),
                "A MoneyGram send is cancelled with its reason: use the MoneyGram cancellation \
                 (reason, fee refund)."
                    .into(),
            ),
            Refusal::ReasonOnlyForMoneyGramSend => pick(
                "Seul un envoi MoneyGram s'annule avec un motif MoneyGram.".into(),
                "Only a MoneyGram send is cancelled with a MoneyGram reason.".into(),
            ),
            Refusal::NoClaimPossible => pick(
                "La passerelle n'a pas enregistré cette opération : pas de réclamation possible."
                    .into(),
                "The gateway never recorded this operation: no claim is possible.".into(),
            ),
            Refusal::ClaimRefused { gateway } => pick(
                format!("Réclamation refusée : {gateway}"),
                format!("Claim refused: {gateway}"),
            ),
            Refusal::MoneyGramLookupFailed { gateway } => pick(
                format!("Consultation MoneyGram impossible : {gateway}"),
                format!("MoneyGram look-up failed: {gateway}"),
            ),
            Refusal::MoneyGramFeesFailed { gateway } => pick(
                format!("Frais MoneyGram indisponibles : {gateway} (rien n'a été envoyé)"),
                format!("MoneyGram fees unavailable: {gateway} (nothing was sent)"),
            ),
            Refusal::MoneyGramFeesIncomplete => pick(
                "MoneyGram n'a pas donné de frais complets : rien n'a été envoyé".into(),
                "MoneyGram gave incomplete fees: nothing was sent".into(),
            ),
            Refusal::Duplicate {
                status, age_secs, ..
            } => super::duplicate::text(*status, *age_secs, lang),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::Fr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_reads_in_both_languages_and_differs_between_them() {
        let all = [
            Refusal::NotFound { id: "x".into() },
            Refusal::BadId { id: "x".into() },
            Refusal::AlreadyRefunded,
            Refusal::NotRefundable,
            Refusal::NotSettled {
                status: TxStatus::Pending,
            },
            Refusal::RefundUnderWay { refund: "r".into() },
            Refusal::MoneyGramSendNeedsReason,
            Refusal::ReasonOnlyForMoneyGramSend,
            Refusal::NoClaimPossible,
            Refusal::ClaimRefused {
                gateway: "g".into(),
            },
            Refusal::MoneyGramLookupFailed {
                gateway: "g".into(),
            },
            Refusal::MoneyGramFeesFailed {
                gateway: "g".into(),
            },
            Refusal::MoneyGramFeesIncomplete,
            Refusal::Duplicate {
                previous: "p".into(),
                status: TxStatus::Pending,
                age_secs: 12,
            },
        ];
        for r in all {
            let (fr, en) = (r.text(Lang::Fr), r.text(Lang::En));
            assert!(!fr.is_empty() && !en.is_empty(), "{r:?}");
            assert_ne!(fr, en, "{r:?}");
            assert_eq!(r.to_string(), fr);
        }
    }
}
