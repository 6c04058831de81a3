//! A sale's history in the cashier's words: each journal event by a French (or English)
//! name, what it brought, and the status it left ("rappel : succès annoncé, à confirmer"
//! rather than "callback PENDING").

use serde_json::Value;

use crate::domain::TxStatus;
use crate::i18n::Lang;
use crate::session::view::HistoryLine;

/// What the event was, in `lang`.
fn name(e: &HistoryLine, lang: Lang) -> String {
    let said = |key: &str| {
        e.detail
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let text = match e.kind.as_str() {
        "intent" => lang.tr("demande enregistrée", "request recorded"),
        "reply" if said("outcome") == "accepted" => {
            lang.tr("acceptée par la passerelle", "accepted by the gateway")
        }
        "reply" => lang.tr("réponse de la passerelle", "gateway's answer"),
        "poll" => lang.tr("vérification du statut", "status checked"),
        "callback" => match said("status") {
            "SUCCESS" => lang.tr("rappel : succès annoncé", "callback: success announced"),
            "FAILLED" | "FAILED" => {
                lang.tr("rappel : échec annoncé", "callback: failure announced")
            }
            _ => lang.tr("rappel de la passerelle", "gateway's callback"),
        },
        "recovery" => lang.tr("reprise au démarrage", "resumed at start-up"),
        "refund_requested" => lang.tr("remboursement demandé", "refund requested"),
        "refund" => lang.tr("remboursement effectué", "refund done"),
        "fields" => lang.tr("références ajoutées", "references added"),
        "lease_broken" => lang.tr("envoi interrompu repris", "interrupted send taken over"),
        "claim" => lang.tr("réclamation envoyée", "claim sent"),
        "claim_refused" => lang.tr("réclamation refusée", "claim refused"),
        "repeat" => lang.tr("rappel répété (ignoré)", "repeated callback (ignored)"),
        "mismatch" => lang.tr(
            "rappel refusé (autre transaction)",
            "callback refused (mismatch)",
        ),
        "callback_unknown" => lang.tr(
            "rappel d'une opération inconnue",
            "callback for an unknown operation",
        ),
        other => return other.replace('_', " "),
    };
    text.to_owned()
}

/// Where the event left the sale: the status it moved to, in words; a success announced
/// by a callback and still to be confirmed says so.
fn left(e: &HistoryLine, lang: Lang) -> String {
    let after = e
        .detail
        .get("after")
        .and_then(Value::as_str)
        .and_then(TxStatus::parse);
    let announced = e.detail.get("status").and_then(Value::as_str) == Some("SUCCESS");
    match after {
        Some(s) if e.kind == "callback" && announced && !s.is_final() => lang
            .tr(
                "à confirmer par une vérification",
                "to be confirmed by a check",
            )
            .to_owned(),
        Some(s) => format!("→ {}", s.label(lang)),
        None => String::new(),
    }
}

/// One line of the history: the time is the caller's.
pub fn line(e: &HistoryLine, lang: Lang) -> (String, String) {
    (name(e, lang), left(e, lang))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, detail: Value) -> HistoryLine {
        HistoryLine {
            at: 0,
            kind: kind.into(),
            detail,
            cashier: String::new(),
            terminal: String::new(),
        }
    }

    #[test]
    fn a_success_callback_reads_as_a_success_announced() {
        let cb = event(
            "callback",
            json!({"status": "SUCCESS", "before": "PENDING", "after": "PENDING"}),
        );
        assert_eq!(
            line(&cb, Lang::Fr),
            (
                "rappel : succès annoncé".to_owned(),
                "à confirmer par une vérification".to_owned()
            )
        );
        let settled = event(
            "callback",
            json!({"status": "SUCCESS", "before": "PENDING", "after": "SUCCESS"}),
        );
        assert_eq!(line(&settled, Lang::Fr).1, "→ réussi");
        let failed = event("callback", json!({"status": "FAILLED", "after": "FAILED"}));
        assert_eq!(line(&failed, Lang::Fr).0, "rappel : échec annoncé");
    }

    #[test]
    fn every_event_has_a_french_name() {
        for kind in [
            "intent",
            "reply",
            "poll",
            "callback",
            "recovery",
            "refund_requested",
            "refund",
            "fields",
            "lease_broken",
            "claim",
            "claim_refused",
        ] {
            let (name, _) = line(&event(kind, json!({})), Lang::Fr);
            assert!(!name.contains('_') && name != kind, "{kind}: {name}");
        }
        let intent = event("intent", json!({"after": "PENDING"}));
        assert_eq!(
            line(&intent, Lang::Fr),
            ("demande enregistrée".to_owned(), "→ en attente".to_owned())
        );
    }
}
