//! Why the service refused a request or could not do it, as the socket carries it: a kind
//! with its parameters, rendered by the app in its own language (`text`). Never a sentence
//! the other side would have to parse to know what happened.
//!
//! What comes from outside keeps its words: a gateway's message (the vendor's French), the
//! French of a field's check (`Invalid`), a storage failure (`Journal`).

use crate::domain::{GatewayKind, Refusal};
use crate::engine::EngineError;
use crate::i18n::Lang;
use crate::staff::{LoginError, REFUSED, clock_time};

/// What the cashier reads while the service cannot be reached.
pub const SERVICE_DOWN: &str = "service caisse indisponible : nouvelle tentative chaque seconde";

/// The connection dropped after the request left: the service may have done it.
pub const SERVICE_LOST: &str =
    "liaison avec le service coupée avant sa réponse : l'action a peut-être été faite";
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Problem {
    /// Nothing but the login before a login.
    NotLoggedIn,
    /// A cashier acting on another cashier's sale.
    NotYours,
    SupervisorOnly,
    /// A refund at a cashier's counter: a supervisor's PIN is asked.
    SupervisorPinNeeded,
    /// A login token from another day, or from before the service restarted.
    SessionExpired,
    AlreadyLoggedIn,
    /// A request that only makes sense once (the first Hello, the login).
    AlreadyHandled,
    CashierNameMissing,
    /// The Unix user's refused logins are over their allowance this minute.
    TooManyRefusals,
    /// An unknown name, a disabled account (to a guesser) or a wrong PIN: one answer.
    LoginRefused {
        left: Option<i64>,
    },
    /// Said to a disabled cashier who typed their own right PIN.
    Disabled,
    WrongSupervisorPin,
    /// Locked out until this time (ms since the epoch).
    LockedOut {
        until: i64,
    },
    UnknownCashier,
    IntechNotConfigured,
    OperationNotFound {
        id: String,
    },
    /// The request could not be read, or was too long.
    BadRequest,
    /// The service's handler failed (a bug) midway: what it did is not known.
    Internal,
    /// The service is unreachable: nothing was sent.
    ServiceDown,
    /// The link broke after the request left: it may have been done.
    ServiceLost,
    /// What a gateway answered, as it worded it.
    Gateway {
        message: String,
    },
    /// The journal could not be read or written.
    Journal {
        message: String,
    },
    /// Input refused by the checks, each as the check worded it.
    Invalid {
        messages: Vec<String>,
    },
    /// The engine's own rules refused it before anything moved.
    Refused(Refusal),
    /// Something else, in the words of the part that refused.
    Other {
        message: String,
    },
}

impl Problem {
    /// The sentence for the person at the counter, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        let pick = |f: &str, e: &str| if fr { f.to_owned() } else { e.to_owned() };
        match self {
            Problem::NotLoggedIn => pick(
                "connectez-vous d'abord (nom du caissier et code PIN)",
                "log in first (cashier's name and PIN)",
            ),
            Problem::NotYours => pick(
                "cette opération n'est pas la vôtre : voyez le superviseur",
                "this operation is not yours: ask the supervisor",
            ),
            Problem::SupervisorOnly => pick("réservé au superviseur", "supervisors only"),
            Problem::SupervisorPinNeeded => pick(
                "remboursement réservé au superviseur : son code PIN est demandé",
                "refunds are for supervisors: their PIN is asked",
            ),
            Problem::SessionExpired => pick(
                "session expirée : reconnectez-vous",
                "session expired: log in again",
            ),
            Problem::AlreadyLoggedIn => pick("déjà connecté", "already logged in"),
            Problem::AlreadyHandled => pick("déjà traité", "already done"),
            Problem::CashierNameMissing => {
                pick("nom du caissier manquant", "the cashier's name is missing")
            }
            Problem::TooManyRefusals => pick(
                "trop d'essais refusés : attendez une minute",
                "too many refused attempts: wait a minute",
            ),
            Problem::LoginRefused { left: None } => pick(REFUSED, "wrong name or PIN"),
            Problem::LoginRefused { left: Some(left) } if fr => {
                format!("{REFUSED} (encore {left} essai(s) avant blocage)")
            }
            Problem::LoginRefused { left: Some(left) } => {
                format!("wrong name or PIN ({left} attempt(s) left before lock-out)")
            }
            Problem::Disabled => pick(
                "ce caissier est désactivé : voyez le superviseur",
                "this cashier is disabled: ask the supervisor",
            ),
            Problem::WrongSupervisorPin => pick(
                "code superviseur incorrect (chaque erreur compte comme un de vos codes faux)",
                "wrong supervisor PIN (each one counts as one of your wrong PINs)",
            ),
            Problem::LockedOut { until } if fr => format!(
                "trop de codes PIN faux : bloqué jusqu'à {} (5 minutes)",
                clock_time(*until)
            ),
            Problem::LockedOut { until } => format!(
                "too many wrong PINs: locked until {} (5 minutes)",
                clock_time(*until)
            ),
            Problem::UnknownCashier => pick("caissier inconnu", "unknown cashier"),
            Problem::IntechNotConfigured => {
                pick("Intech non configuré", "Intech is not configured")
            }
            Problem::OperationNotFound { id } if fr => format!("opération {id} introuvable"),
            Problem::OperationNotFound { id } => format!("no operation {id}"),
            Problem::BadRequest => pick(
                "requête illisible ou trop longue",
                "unreadable or too long request",
            ),
            Problem::Internal => pick(
                "erreur interne du service : le résultat est inconnu, vérifiez le journal avant \
                 de refaire quoi que ce soit",
                "internal error of the service: the outcome is unknown, check the journal before \
                 doing anything again",
            ),
            Problem::ServiceDown => pick(
                SERVICE_DOWN,
                "caisse service unavailable: trying again every second",
            ),
            Problem::ServiceLost => pick(
                SERVICE_LOST,
                "the link to the service broke before its answer: it may have been done",
            ),
            Problem::Gateway { message }
            | Problem::Journal { message }
            | Problem::Other { message } => message.clone(),
            Problem::Refused(refusal) => refusal.text(lang),
            Problem::Invalid { messages } if fr => {
                format!("saisie refusée : {}", messages.join(" ; "))
            }
            Problem::Invalid { messages } => format!("input refused: {}", messages.join("; ")),
        }
    }

    /// The French sentence (the command line, the logs).
    pub fn french(&self) -> String {
        self.text(Lang::Fr)
    }
}

impl From<LoginError> for Problem {
    fn from(e: LoginError) -> Problem {
        match e {
            LoginError::Refused { left } => Problem::LoginRefused { left: Some(left) },
            LoginError::Disabled => Problem::Disabled,
            LoginError::WrongSupervisorPin => Problem::WrongSupervisorPin,
            LoginError::Locked { until } => Problem::LockedOut { until },
            LoginError::Journal(message) => Problem::Journal { message },
        }
    }
}

impl From<&EngineError> for Problem {
    fn from(e: &EngineError) -> Problem {
        match e {
            EngineError::Invalid(errors) => Problem::Invalid {
                messages: errors.iter().map(|e| e.message.clone()).collect(),
            },
            EngineError::NoGateway(GatewayKind::Intech) => Problem::IntechNotConfigured,
            EngineError::Refused(refusal) => Problem::Refused(refusal.clone()),
            EngineError::Gateway(message) => Problem::Gateway {
                message: message.clone(),
            },
            EngineError::Journal(e) => Problem::Journal {
                message: e.to_string(),
            },
            other => Problem::Other {
                message: other.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_in_both_languages() {
        let all = [
            Problem::NotLoggedIn,
            Problem::NotYours,
            Problem::SupervisorOnly,
            Problem::SupervisorPinNeeded,
            Problem::SessionExpired,
            Problem::AlreadyLoggedIn,
            Problem::AlreadyHandled,
            Problem::CashierNameMissing,
            Problem::TooManyRefusals,
            Problem::LoginRefused { left: Some(3) },
            Problem::Disabled,
            Problem::WrongSupervisorPin,
            Problem::LockedOut { until: 0 },
            Problem::UnknownCashier,
            Problem::IntechNotConfigured,
            Problem::OperationNotFound { id: "x".into() },
            Problem::BadRequest,
            Problem::Internal,
            Problem::ServiceDown,
            Problem::ServiceLost,
        ];
        for p in all {
            let (fr, en) = (p.text(Lang::Fr), p.text(Lang::En));
            assert!(!fr.is_empty() && !en.is_empty(), "{p:?}");
            assert_ne!(fr, en, "{p:?} has no English");
        }
        assert_eq!(
            Problem::LoginRefused { left: Some(2) }.french(),
            "nom ou code PIN incorrect (encore 2 essai(s) avant blocage)"
        );
    }
}
