//! The Intech error catalogue (`GET /api-services/errors`), transcribed from the vendor's
//! table (the JSON example in the doc is cut at the page edge; the table has the full
//! messages). Several ids share a code; the first entry of a code is its usual message.
//!
//! The gateway's own list wins at run time; this copy gives French messages offline and
//! is what the sandbox serves.

use crate::money::group_thousands;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorInfo {
    /// `None` for `unknown_error`, as in the vendor's reply.
    pub id: Option<u32>,
    pub code: &'static str,
    pub message: &'static str,
}

const fn e(id: u32, code: &'static str, message: &'static str) -> ErrorInfo {
    ErrorInfo {
        id: Some(id),
        code,
        message,
    }
}

const UNKNOWN: &str =
    "Votre opération n'a pas pu être traitée pour le moment, réessayez plus tard.";
const EXCEEDS_LIMIT_TIME: &str = "Vous venez d'envoyer le même montant au même destinataire. Si vous souhaitez répéter la transaction, veuillez patienter quelques minutes.";
const MONTHLY_MAX: &str = "Le bénéficiaire a atteint le montant maximum autorisé par mois.";
const INTERVAL_MAX: &str = "Le bénéficiaire a atteint le montant maximum autorisé";
const CONNEXION: &str = "Problème lors de la connexion au reseaux";
const EXECUTION: &str = "Erreur lors de l'execution de la requete";

pub static ERRORS: &[ErrorInfo] = &[
    ErrorInfo {
        id: None,
        code: "unknown_error",
        message: UNKNOWN,
    },
    e(
        1,
        "invalid_phone_number",
        "Le numéro WAVE que vous avez saisie est incorrect",
    ),
    e(
        2,
        "insufficient_balance",
        "Le solde de votre compte Orange Money ne vous permet pas d'effectuer un paiement de __amount__ CFA",
    ),
    e(3, "logged-out-user-session", ""),
    e(
        4,
        "payment-timeout",
        "Le client n'a pas validé le paiement après 15 minutes",
    ),
    e(
        5,
        "no_om_account",
        "Le destinataire n'est pas un client Orange Money",
    ),
    e(6, "exceeds-limit-time", EXCEEDS_LIMIT_TIME),
    e(7, "exceeds-limit-time", EXCEEDS_LIMIT_TIME),
    e(8, "exceeds-limit-time", EXCEEDS_LIMIT_TIME),
    e(
        9,
        "no_om_account",
        "Le destinataire n'est pas un client Orange Money",
    ),
    e(
        11,
        "user_account_suspended",
        "Le compte Orange Money du client est suspendu",
    ),
    e(
        12,
        "whatsapp_user_not_found",
        "Ce numéro n'a pas de compte WhatsApp",
    ),
    e(
        14,
        "om_number_not_allowed",
        "Ce numéro n'est pas autorisé a fair des transaction Orange Money",
    ),
    e(
        15,
        "bad_amount_50",
        "Le montant pour ce service doit êre un multiple de 50 CFA",
    ),
    e(
        16,
        "bad_amount_100",
        "Le montant pour ce service doit êre un multiple de 100 CFA",
    ),
    e(
        17,
        "om_operator_internal_error",
        "L'opérateur Orange Money a eu une erreur interne. veuillez ressayez",
    ),
    e(18, "monthly_max_amount_cumul_reached", MONTHLY_MAX),
    e(19, "connexion_error", CONNEXION),
    e(20, "exceeds-limit-time", EXCEEDS_LIMIT_TIME),
    e(21, "exceeds-limit-time", EXCEEDS_LIMIT_TIME),
    e(22, "monthly_max_amount_cumul_reached", MONTHLY_MAX),
    e(
        23,
        "no_om_account",
        "Le numero Orange Money est introuvable",
    ),
    e(24, "interval_max_amount_cumul_reached", INTERVAL_MAX),
    e(25, "interval_max_amount_cumul_reached", INTERVAL_MAX),
    e(
        26,
        "insufficient_balance",
        "Le solde de votre compte ne vous permet pas d'effectuer un paiement de __amount__ CFA",
    ),
    e(27, "monthly_max_amount_cumul_reached", MONTHLY_MAX),
    e(
        28,
        "operator_down_time",
        "L'opérateur est momentanément indisponible",
    ),
    e(29, "execution_error", EXECUTION),
    e(30, "execution_error", EXECUTION),
    e(31, "execution_error", EXECUTION),
    e(32, "execution_error", EXECUTION),
    e(33, "execution_error", EXECUTION),
    e(34, "execution_error", EXECUTION),
    e(35, "execution_error", EXECUTION),
    e(36, "monthly_max_amount_cumul_reached", MONTHLY_MAX),
    e(
        37,
        "balance_check_failed",
        "Désolé, votre transaction n a pas aboutie. Prière vérifier votre solde puis réessayer.",
    ),
    e(
        38,
        "bad_amount_5",
        "Le montant pour ce service doit êre un multiple de 5 CFA",
    ),
    e(
        39,
        "no_mtn_account",
        "Le destinataire n'est pas un client Mtn Money",
    ),
    e(40, "monthly_max_amount_cumul_reached", MONTHLY_MAX),
    e(41, "interval_max_amount_cumul_reached", INTERVAL_MAX),
    e(42, "monthly_max_amount_cumul_reached", MONTHLY_MAX),
    e(43, "pos_already_connected", CONNEXION),
];

pub fn by_id(id: u32) -> Option<&'static ErrorInfo> {
    ERRORS.iter().find(|e| e.id == Some(id))
}

pub fn by_code(code: &str) -> Option<&'static ErrorInfo> {
    ERRORS.iter().find(|e| e.code == code)
}

/// Replaces the `__amount__` placeholder with the amount written the French way
/// (`12 500`), or with `ce montant` when the amount is not known.
pub fn fill_amount(message: &str, amount: Option<i64>) -> String {
    let text = amount
        .map(group_thousands)
        .unwrap_or_else(|| "ce montant".to_owned());
    message.replace("__amount__", &text)
}

/// The French message for an error code, with `__amount__` filled in. Unknown codes
/// (and codes whose catalogue message is empty) get the generic message.
pub fn french_message(code: &str, amount: Option<i64>) -> String {
    match by_code(code) {
        Some(info) if !info.message.is_empty() => fill_amount(info.message, amount),
        _ => UNKNOWN.to_owned(),
    }
}

/// The operators some catalogue messages name, by the prefix of their services' codes.
const NAMED: &[(&str, &str)] = &[
    ("orange money", "ORANGE_"),
    ("wave", "WAVE_"),
    ("mtn money", "MTN_"),
];

/// Whether `message` names an operator other than `service`'s (the vendor's table says
/// "Orange Money" in `insufficient_balance` and "WAVE" in `invalid_phone_number`).
pub fn names_another_operator(message: &str, service: &str) -> bool {
    let message = message.to_lowercase();
    NAMED
        .iter()
        .any(|(name, prefix)| message.contains(name) && !service.starts_with(prefix))
}

/// A code's sentence naming no operator, where every catalogue entry of the code names one.
fn neutral(code: &str) -> &'static str {
    match code {
        "invalid_phone_number" => "Le numéro que vous avez saisi est incorrect",
        "no_om_account" | "no_mtn_account" => {
            "Le destinataire n'a pas de compte chez cet opérateur"
        }
        "user_account_suspended" => "Le compte du client est suspendu",
        "om_number_not_allowed" => "Ce numéro n'est pas autorisé à faire cette transaction",
        "om_operator_internal_error" => "L'opérateur a eu une erreur interne, veuillez réessayer",
        _ => UNKNOWN,
    }
}

/// The catalogue's message for `code` that fits `service`'s operator, `__amount__` left in:
/// the code's first entry naming no other operator, else a neutral sentence. A Wave
/// refusal never reads as an Orange Money one.
pub fn catalogue_message(code: &str, service: &str) -> &'static str {
    ERRORS
        .iter()
        .filter(|e| e.code == code && !e.message.is_empty())
        .find(|e| !names_another_operator(e.message, service))
        .map_or_else(|| neutral(code), |e| e.message)
}

/// [`catalogue_message`] with the amount filled in.
pub fn message_for(code: &str, service: &str, amount: Option<i64>) -> String {
    fill_amount(catalogue_message(code, service), amount)
}

/// A refusal Intech's server names (code 4000) outside the error catalogue, with what the
/// cashier should understand and do. From the second reading of the server code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedRefusal {
    /// The server's name, kept as the journal's error code.
    pub code: &'static str,
    /// Texts that identify it in a reply (the name itself, or the server's French).
    pub marks: &'static [&'static str],
    /// The French sentence for the cashier: what happened and what to do.
    pub advice: &'static str,
}

/// The code given to the bad-key reply, which the server does not name.
pub const BAD_KEY: &str = "BAD_API_KEY";

pub static NAMED_REFUSALS: &[NamedRefusal] = &[
    NamedRefusal {
        code: "SAME_TRANSACTION_WITHIN_ONE_MINUTE_INTERVAL",
        marks: &[
            "SAME_TRANSACTION_WITHIN_ONE_MINUTE_INTERVAL",
            "en moins d'une minute d'interval",
        ],
        advice: "Opération identique (même service, même numéro, même montant) déjà envoyée il y \
                 a moins d'une minute : Intech refuse la seconde. Vérifiez dans le journal que \
                 la première est passée avant d'en refaire une ; sinon attendez une minute.",
    },
    NamedRefusal {
        code: "ACCOUNT_NO_ENABLED_FOR_PRODUCTION",
        marks: &["ACCOUNT_NO_ENABLED_FOR_PRODUCTION", "au dela de 300 CFA"],
        advice: "Le compte Intech de la boutique est un compte de test : pas plus de 300 FCFA \
                 par opération. Demandez à Intech de l'activer en production.",
    },
    NamedRefusal {
        code: "TRANSACTION_NOT_FOUND",
        marks: &["TRANSACTION_NOT_FOUND", "La transaction est introuvable"],
        advice: "Intech ne trouve pas cette transaction. Vérifiez sa référence dans le journal \
                 (caisse status) ; si elle n'a jamais été acceptée, il n'y a rien à réclamer.",
    },
    NamedRefusal {
        code: "ALREADY_OPENED_CLAIM",
        marks: &[
            "ALREADY_OPENED_CLAIM",
            "reclamation est deja en cours",
            "réclamation est déjà en cours",
        ],
        advice: "Une réclamation est déjà ouverte pour cette opération : attendez la réponse \
                 d'Intech, inutile d'en ouvrir une autre.",
    },
    NamedRefusal {
        code: "SERVICE_DOWN",
        marks: &["SERVICE_DOWN", "indisponible pour le moment"],
        advice: "Le service de l'opérateur est momentanément indisponible chez Intech : rien \
                 n'a été fait. Réessayez plus tard ou proposez un autre moyen de paiement.",
    },
    NamedRefusal {
        code: BAD_KEY,
        marks: &[
            "L'authentification est requis",
            "Invalide secrete key",
            "secreteKey",
        ],
        advice: "Intech refuse la clé API de la boutique : vérifiez la clé dans la \
                 configuration (CAISSE_INTECH_API_KEY ou [intech] api_key). Rien n'a été fait.",
    },
];

/// The named refusal one of `texts` marks, if any.
pub fn named_refusal<'a>(
    texts: impl IntoIterator<Item = &'a str>,
) -> Option<&'static NamedRefusal> {
    // Whatever the case: the server's sentences are not always written the same way.
    let texts: Vec<String> = texts.into_iter().map(str::to_lowercase).collect();
    NAMED_REFUSALS.iter().find(|n| {
        n.marks
            .iter()
            .any(|m| texts.iter().any(|t| t.contains(&m.to_lowercase())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_the_amount_placeholder() {
        assert_eq!(
            french_message("insufficient_balance", Some(12500)),
            "Le solde de votre compte Orange Money ne vous permet pas d'effectuer un paiement de 12 500 CFA"
        );
        assert!(by_id(26).unwrap().message.contains("__amount__"));
        assert!(!french_message("insufficient_balance", None).contains("__amount__"));
    }

    #[test]
    fn a_refusal_reads_in_its_own_operators_words() {
        assert_eq!(
            message_for("insufficient_balance", "WAVE_SN_API_CASH_OUT", Some(1500)),
            "Le solde de votre compte ne vous permet pas d'effectuer un paiement de 1 500 CFA"
        );
        assert!(
            message_for("insufficient_balance", "ORANGE_SN_API_CASH_OUT", None)
                .contains("Orange Money")
        );
        assert!(message_for("invalid_phone_number", "WAVE_SN_API_CASH_OUT", None).contains("WAVE"));
        assert_eq!(
            message_for("invalid_phone_number", "FREE_SN_WALLET_CASH_OUT", None),
            "Le numéro que vous avez saisi est incorrect"
        );
        for service in crate::catalog::services::SERVICES.iter().map(|s| s.code) {
            for e in ERRORS {
                let m = catalogue_message(e.code, service);
                assert!(
                    !names_another_operator(m, service),
                    "{service} {}: {m}",
                    e.code
                );
            }
        }
    }

    #[test]
    fn unknown_and_empty_codes_get_the_generic_message() {
        assert_eq!(french_message("no_such_code", None), UNKNOWN);
        assert_eq!(french_message("logged-out-user-session", None), UNKNOWN);
    }

    #[test]
    fn every_documented_code_is_present() {
        for code in [
            "unknown_error",
            "invalid_phone_number",
            "insufficient_balance",
            "logged-out-user-session",
            "payment-timeout",
            "no_om_account",
            "exceeds-limit-time",
            "user_account_suspended",
            "whatsapp_user_not_found",
            "om_number_not_allowed",
            "bad_amount_50",
            "bad_amount_100",
            "bad_amount_5",
            "om_operator_internal_error",
            "monthly_max_amount_cumul_reached",
            "connexion_error",
            "interval_max_amount_cumul_reached",
            "operator_down_time",
            "execution_error",
            "balance_check_failed",
            "no_mtn_account",
            "pos_already_connected",
        ] {
            assert!(by_code(code).is_some(), "{code}");
        }
    }
}
