//! Reading Intram's replies and callbacks from raw bytes, without the network: the client
//! calls these after each request, and the property tests and fuzz targets drive them too.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::models::{IntramConfirm, IntramPaymentReply};
use crate::domain::IntramStatus;
use crate::gateway::GatewayError;
use crate::gateway::wire::{self, RawReply};

/// `POST payments/request`. A request Intram did not leave PENDING is refused (its SDKs
/// treat any other status as an error).
pub fn payment_reply(
    reply: &RawReply,
    secrets: &[&str],
) -> Result<IntramPaymentReply, GatewayError> {
    let started: IntramPaymentReply = decode("payments/request", reply, secrets)?;
    match started.status {
        None | Some(IntramStatus::Pending) => Ok(started),
        Some(other) => Err(GatewayError::Refused {
            code: i64::from(reply.status),
            message: started.message.clone().unwrap_or_else(|| {
                format!(
                    "demande de paiement refusée par Intram (statut {})",
                    other.as_wire()
                )
            }),
            error_type: None,
            fields: Default::default(),
            transaction_id: None,
            http_status: reply.status,
        }),
    }
}

/// What a confirmation carries for the receipt: the fees, the net amount, the customer's
/// wallet (`source`) and identity, as Intram names them.
pub fn confirm_details(confirm: &IntramConfirm) -> std::collections::BTreeMap<String, Value> {
    let mut details = std::collections::BTreeMap::new();
    for key in ["fees", "net_amount", "source", "amount", "account_number"] {
        if let Some(v) = confirm.extra.get(key).filter(|v| !v.is_null()) {
            details.insert(key.to_owned(), v.clone());
        }
    }
    if let Some(customer) = confirm.customer.clone().filter(|c| !c.is_null()) {
        details.insert("customer".into(), customer);
    }
    details
}

/// `GET transactions/confirm/{id}`.
pub fn confirm(reply: &RawReply, secrets: &[&str]) -> Result<IntramConfirm, GatewayError> {
    decode("transactions/confirm", reply, secrets)
}

/// 2xx → the typed reply, unless it says `error: true`; that, or a 4xx with a readable
/// message, → a refusal carrying the HTTP status as its code; 5xx and unreadable errors →
/// HTTP errors.
fn decode<T: DeserializeOwned>(
    endpoint: &'static str,
    reply: &RawReply,
    secrets: &[&str],
) -> Result<T, GatewayError> {
    let value = wire::parse_json(endpoint, reply, secrets)?;
    // Intram's error body (`{"error": true, "status": "ERROR", "message": …}`) comes with
    // HTTP 200 too (its SDK mocks send it so): a refusal, as with a 4xx. Found by the
    // property tests (written from the spec): with a `transaction_id` in it, it was taken
    // for a started payment.
    // (A 5xx stays an HTTP error: the outcome of the request is then unknown.)
    let error_body = value.get("error") == Some(&Value::Bool(true));
    if reply.is_success() && !error_body {
        return wire::typed(endpoint, "", value);
    }
    if (400..500).contains(&reply.status) || (error_body && reply.is_success()) {
        let message = value
            .get("message")
            .or_else(|| value.get("error"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        return Err(GatewayError::Refused {
            code: i64::from(reply.status),
            message,
            error_type: None,
            fields: Default::default(),
            transaction_id: None,
            http_status: reply.status,
        });
    }
    Err(GatewayError::Http {
        endpoint,
        status: reply.status,
        snippet: wire::snippet(&reply.body, secrets),
    })
}

/// Callback bodies larger than this are not read (the engine answers 413 above it).
pub const MAX_CALLBACK_BYTES: usize = crate::gateway::intech::callback::MAX_CALLBACK_BYTES;

/// The Intram transaction id named by a callback body, JSON (`{"transaction_id": "…"}`,
/// or under `transaction`) or form-encoded (`transaction_id=…&status=…`, as Intram's
/// legacy callbacks may come), of at most [`MAX_CALLBACK_BYTES`]. Legacy Intram callbacks
/// are not signed: the id only tells the engine which payment to confirm with Intram now.
pub fn callback_transaction_id(body: &[u8]) -> Option<String> {
    if body.len() > MAX_CALLBACK_BYTES {
        return None;
    }
    let id = match serde_json::from_slice::<Value>(body) {
        Ok(v) => v
            .get("transaction_id")
            .or_else(|| v.get("transaction").and_then(|t| t.get("transaction_id")))
            .and_then(|id| match id {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }),
        Err(_) => serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == "transaction_id" || k == "transaction[transaction_id]")
            .map(|(_, v)| v),
    };
    id.map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty() && s.len() <= 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (property tests): `error: true` with HTTP 200 was a started payment (or a
    /// decode error) instead of Intram's refusal.
    #[test]
    fn an_error_body_is_a_refusal() {
        for status in [200, 201, 401] {
            let reply = RawReply {
                status,
                body: br#"{"error":true,"status":"ERROR","transaction_id":"abc","message":"Invalid API keys"}"#.to_vec(),
            };
            for result in [
                payment_reply(&reply, &[]).map(drop),
                confirm(&reply, &[]).map(drop),
            ] {
                match result {
                    Err(GatewayError::Refused { code, message, .. }) => {
                        assert_eq!(code, i64::from(status));
                        assert_eq!(message, "Invalid API keys");
                    }
                    other => panic!("{status}: {other:?}"),
                }
            }
        }
        let server_error = RawReply {
            status: 500,
            body: br#"{"error":true,"message":"boom"}"#.to_vec(),
        };
        assert!(matches!(
            payment_reply(&server_error, &[]),
            Err(GatewayError::Http { status: 500, .. })
        ));
        let ok = RawReply {
            status: 200,
            body: br#"{"error":false,"status":"PENDING","transaction_id":"abc"}"#.to_vec(),
        };
        assert_eq!(payment_reply(&ok, &[]).unwrap().transaction_id, "abc");
    }
}
