//! One error type for every gateway call, whichever gateway.
//!
//! The question that matters for money is answered by [`GatewayError::outcome_unknown`]:
//! after a timeout, a broken connection, a 5xx or an unreadable reply, the request may have
//! been processed, so the transaction is UNKNOWN (settled later by a status query), never
//! FAILED.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::catalog::errors::{
    NamedRefusal, fill_amount, french_message as catalogue_message, named_refusal,
};
use crate::domain::answers::{Failure, NoAnswer};

/// The gateway's own description of a refusal (`errorType` on Intech).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
pub struct ErrorType {
    #[serde(default, deserialize_with = "crate::gateway::lenient::opt_i64")]
    pub id: Option<i64>,
    #[serde(default, rename = "codeService")]
    pub code_service: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::gateway::lenient::string_or_default"
    )]
    pub code: String,
    #[serde(
        default,
        deserialize_with = "crate::gateway::lenient::string_or_default"
    )]
    pub message: String,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum GatewayError {
    /// The gateway answered, readably, and said no (Intech `code != 2000`, Intram 4xx,
    /// refund `statutTreatment: FAILED`). Nothing moved, unless a transaction id is given and
    /// a FAILLED callback follows, which changes nothing either.
    #[error("refus de la passerelle (code {code}) : {message}")]
    Refused {
        /// Intech's `code` (4000, 404…) or Intram's HTTP status.
        code: i64,
        /// The gateway's `msg` / `message`, as sent.
        message: String,
        error_type: Option<Box<ErrorType>>,
        /// Validation errors by field (`data: {field: [messages]}`).
        fields: BTreeMap<String, Vec<String>>,
        /// Set when the gateway created the transaction before refusing it.
        transaction_id: Option<String>,
        http_status: u16,
    },
    /// No complete answer within the client's timeout.
    #[error("pas de réponse de la passerelle ({endpoint}) après {} s", .after.as_secs())]
    Timeout {
        endpoint: &'static str,
        after: Duration,
    },
    /// The connection failed. `connect: true` means it was never established, so nothing
    /// reached the gateway.
    #[error("connexion à la passerelle impossible ({endpoint}) : {reason}")]
    Transport {
        endpoint: &'static str,
        connect: bool,
        reason: String,
    },
    /// An HTTP error status with no readable gateway reply (an HTML page, a proxy error, the
    /// 403 of a blacklisted IP).
    #[error("erreur HTTP {status} de la passerelle ({endpoint})")]
    Http {
        endpoint: &'static str,
        status: u16,
        /// The start of the body, for the logs (never shown to the cashier).
        snippet: String,
    },
    /// The server threw: a real HTTP error status with the exception envelope (`code` = that
    /// status, "Une erreur est survenue"). After an operation it proves nothing: the
    /// operation may exist.
    #[error("erreur du serveur de la passerelle ({endpoint}, HTTP {status}) : {message}")]
    Exception {
        endpoint: &'static str,
        status: u16,
        message: String,
    },
    /// The reply could not be read as the documented JSON. `path` names where (`data.status`,
    /// `services[3].codeService`, `$` for the whole body).
    #[error("réponse illisible de la passerelle ({endpoint}) à {path} : {reason}")]
    Decode {
        endpoint: &'static str,
        path: String,
        reason: String,
    },
}

impl GatewayError {
    /// The error as the money rules read it ([`crate::domain::lifecycle`]).
    pub fn failure(&self) -> Failure {
        if self.names_a_known_id() {
            return Failure::NoAnswer(NoAnswer::AlreadyReceived);
        }
        match self {
            GatewayError::Refused {
                code,
                transaction_id,
                ..
            } => Failure::Refused {
                body_code: *code,
                code: self.error_code().map(str::to_owned),
                transaction_id: transaction_id.clone(),
            },
            GatewayError::Timeout { .. } => Failure::NoAnswer(NoAnswer::TimedOut),
            GatewayError::Transport { connect: true, .. } => {
                Failure::NoAnswer(NoAnswer::NotConnected)
            }
            GatewayError::Transport { .. } => Failure::NoAnswer(NoAnswer::ConnectionLost),
            GatewayError::Http { status, .. } => Failure::NoAnswer(NoAnswer::Http(*status)),
            GatewayError::Exception { status, .. } => {
                Failure::NoAnswer(NoAnswer::Exception(*status))
            }
            GatewayError::Decode { .. } => Failure::NoAnswer(NoAnswer::Unreadable),
        }
    }

    /// A short name of the failure, for the journal (`refused`, `timeout`…).
    pub fn failure_name(&self) -> &'static str {
        match self.failure() {
            Failure::Refused { .. } => "refused",
            Failure::NoAnswer(why) => why.code(),
        }
    }

    /// True when the request may have been processed although no success was read: the
    /// transaction must be settled by status queries, never shown as failed.
    pub fn outcome_unknown(&self) -> bool {
        self.failure().may_have_arrived()
    }

    /// The sentence for the cashier, in French. `amount` fills the catalogue's
    /// `__amount__` placeholder (`insufficient_balance`).
    pub fn french_message(&self, amount: Option<i64>) -> String {
        match self {
            GatewayError::Refused { .. } if self.names_a_known_id() => {
                "La passerelle a déjà reçu une opération sous cet identifiant : elle a peut-être \
                 abouti. Ne la refaites pas : son statut va être vérifié."
                    .to_owned()
            }
            GatewayError::Refused { .. } if self.named().is_some() => self
                .named()
                .map(|n| n.advice.to_owned())
                .unwrap_or_default(),
            GatewayError::Refused {
                message,
                error_type,
                fields,
                ..
            } => {
                if let Some(t) = error_type {
                    let text = if t.message.trim().is_empty() {
                        catalogue_message(&t.code, amount)
                    } else {
                        fill_amount(&t.message, amount)
                    };
                    return text;
                }
                let mut text = if message.trim().is_empty() {
                    catalogue_message("unknown_error", None)
                } else {
                    fill_amount(message, amount)
                };
                if !fields.is_empty() {
                    let details: Vec<String> = fields
                        .iter()
                        .map(|(field, msgs)| format!("{field} : {}", msgs.join(", ")))
                        .collect();
                    text.push_str(&format!(" ({})", details.join(" ; ")));
                }
                text
            }
            GatewayError::Timeout { after, .. } => format!(
                "La passerelle n'a pas répondu à temps ({} s). Si c'était un paiement, il a \
                 peut-être abouti : vérifiez son statut avant de recommencer.",
                after.as_secs().max(1)
            ),
            GatewayError::Transport { connect: true, .. } => {
                "Impossible de joindre la passerelle de paiement : vérifiez la connexion Internet, \
                 puis réessayez. Rien n'a été envoyé."
                    .to_owned()
            }
            GatewayError::Transport { connect: false, .. } => {
                "La connexion avec la passerelle a été coupée pendant la demande. Si c'était un \
                 paiement, il a peut-être abouti : vérifiez son statut avant de recommencer."
                    .to_owned()
            }
            GatewayError::Http { status: 403, .. } => {
                "La passerelle refuse l'accès (HTTP 403) : adresse IP non autorisée ou bloquée \
                 après trop de demandes de statut. Patientez avant de réessayer."
                    .to_owned()
            }
            GatewayError::Http { status, .. } if *status >= 500 => format!(
                "La passerelle est en erreur (HTTP {status}). Si c'était un paiement, il a \
                 peut-être abouti : vérifiez son statut avant de recommencer."
            ),
            GatewayError::Http { status, .. } => {
                format!("La passerelle a répondu par une erreur HTTP {status}.")
            }
            GatewayError::Exception { status, .. } => format!(
                "Le serveur de la passerelle a eu une erreur (HTTP {status}). Si c'était un \
                 paiement, il a peut-être abouti : vérifiez son statut avant de recommencer."
            ),
            GatewayError::Decode { .. } => {
                "La réponse de la passerelle est illisible. Si c'était un paiement, il a peut-être \
                 abouti : vérifiez son statut avant de recommencer."
                    .to_owned()
            }
        }
    }

    /// The catalogue code of a refusal (`insufficient_balance`…), if the gateway gave one,
    /// else the name of a refusal the server names (`SERVICE_DOWN`…).
    pub fn error_code(&self) -> Option<&str> {
        match self {
            GatewayError::Refused {
                error_type: Some(t),
                ..
            } if !t.code.is_empty() => Some(&t.code),
            _ => self.named().map(|n| n.code),
        }
    }

    /// The server refused our `externalTransactionId` as already used: it holds an
    /// operation under it, so an earlier send arrived (never "not done").
    fn names_a_known_id(&self) -> bool {
        matches!(self, GatewayError::Refused { fields, .. }
            if fields.values().flatten().any(|m| m.contains("Duplication du external transaction ID")))
    }

    /// The refusal the server names, found in its `msg`, `errorType` or field errors.
    pub fn named(&self) -> Option<&'static NamedRefusal> {
        let GatewayError::Refused {
            message,
            error_type,
            fields,
            ..
        } = self
        else {
            return None;
        };
        let mut texts: Vec<&str> = vec![message];
        if let Some(t) = error_type {
            texts.extend([t.code.as_str(), t.message.as_str()]);
        }
        for (field, messages) in fields {
            texts.push(field);
            texts.extend(messages.iter().map(String::as_str));
        }
        named_refusal(texts)
    }
}

/// A gateway's HTTP client, built on its first request (`http::LazyClient`); a client that
/// could not be built is a transport error on `endpoint`, as a refused connection would be.
pub(crate) async fn built_client<'a>(
    http: &'a crate::http::LazyClient,
    endpoint: &'static str,
) -> Result<&'a reqwest::Client, GatewayError> {
    http.get().await.map_err(|reason| GatewayError::Transport {
        endpoint,
        connect: true,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(error_type: Option<ErrorType>) -> GatewayError {
        GatewayError::Refused {
            code: 4000,
            message: "msg".into(),
            error_type: error_type.map(Box::new),
            fields: BTreeMap::new(),
            transaction_id: None,
            http_status: 201,
        }
    }

    #[test]
    fn unknown_outcomes() {
        let timeout = GatewayError::Timeout {
            endpoint: "operation",
            after: Duration::from_secs(60),
        };
        assert!(timeout.outcome_unknown());
        let refused_conn = GatewayError::Transport {
            endpoint: "operation",
            connect: true,
            reason: "refused".into(),
        };
        assert!(!refused_conn.outcome_unknown());
        let reset = GatewayError::Transport {
            endpoint: "operation",
            connect: false,
            reason: "reset".into(),
        };
        assert!(reset.outcome_unknown());
        let http = |status| GatewayError::Http {
            endpoint: "operation",
            status,
            snippet: String::new(),
        };
        assert!(http(502).outcome_unknown());
        assert!(!http(403).outcome_unknown());
        assert!(!refused(None).outcome_unknown());
    }

    #[test]
    fn french_messages_fill_the_amount() {
        let t = ErrorType {
            id: Some(26),
            code: "insufficient_balance".into(),
            message: "Le solde de votre compte ne vous permet pas d'effectuer un paiement de __amount__ CFA".into(),
            code_service: None,
        };
        assert!(
            refused(Some(t))
                .french_message(Some(300_000))
                .contains("300 000 CFA")
        );
        // An empty gateway message falls back to the catalogue.
        let t = ErrorType {
            code: "bad_amount_5".into(),
            ..ErrorType::default()
        };
        assert!(
            refused(Some(t))
                .french_message(None)
                .contains("multiple de 5")
        );
        for e in [
            GatewayError::Timeout {
                endpoint: "operation",
                after: Duration::from_secs(60),
            },
            GatewayError::Decode {
                endpoint: "operation",
                path: "data".into(),
                reason: "x".into(),
            },
        ] {
            assert!(e.french_message(None).contains("vérifiez son statut"));
        }
    }
}
