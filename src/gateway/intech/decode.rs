//! Reading Intech's replies, one function per endpoint, from the raw reply (HTTP status and
//! body bytes) to the typed model or a typed [`GatewayError`]. The client calls these after
//! each request; they touch no network, so the property tests and the fuzz targets drive the
//! very code the client runs.
//!
//! `secrets` are blanked out of the body snippets kept in HTTP errors.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::models::*;
use crate::gateway::wire::{self, RawReply};
use crate::gateway::{ErrorType, GatewayError};

/// The code Intech puts in the body of every successful reply.
pub const SUCCESS_CODE: i64 = 2000;

/// Reads the `{code, msg, error, data}` envelope: `code == 2000` gives `data` decoded as
/// `T`; any other code is a refusal carrying `msg`, `errorType` and field errors.
fn enveloped<T: DeserializeOwned>(
    endpoint: &'static str,
    reply: &RawReply,
    secrets: &[&str],
) -> Result<T, GatewayError> {
    let value = wire::parse_json(endpoint, reply, secrets)?;
    let data = check_envelope(endpoint, reply, value, secrets)?;
    wire::typed(endpoint, "data", data)
}

/// The list replies (`services`, `errors`): `{success, services: [...]}`.
fn list<T: DeserializeOwned>(
    endpoint: &'static str,
    reply: &RawReply,
    secrets: &[&str],
) -> Result<Vec<T>, GatewayError> {
    let value = wire::parse_json(endpoint, reply, secrets)?;
    // serde reads a struct from an array too (`[null, []]` would be an empty list): the
    // reply must be the documented object.
    if !value.is_object() {
        return Err(GatewayError::Decode {
            endpoint,
            path: "$".into(),
            reason: format!(
                "attendu un objet, trouvé {}",
                crate::gateway::lenient::kind(&value)
            ),
        });
    }
    // A refusal (wrong key…) comes in the usual envelope.
    if value.get("services").is_none() && value.get("code").is_some() {
        check_envelope(endpoint, reply, value, secrets)?;
        return Err(GatewayError::Decode {
            endpoint,
            path: "services".into(),
            reason: "liste absente".into(),
        });
    }
    if !reply.is_success() && value.get("services").is_none() {
        return Err(GatewayError::Http {
            endpoint,
            status: reply.status,
            snippet: wire::snippet(&reply.body, secrets),
        });
    }
    let list: ListReply<T> = wire::typed(endpoint, "", value)?;
    if list.success == Some(false) {
        return Err(GatewayError::Refused {
            code: 0,
            message: String::new(),
            error_type: None,
            fields: Default::default(),
            transaction_id: None,
            http_status: reply.status,
        });
    }
    Ok(list.services)
}

/// `GET /api-services/services`.
pub fn services(reply: &RawReply, secrets: &[&str]) -> Result<Vec<Service>, GatewayError> {
    list("services", reply, secrets)
}

/// `GET /api-services/errors` (the list comes under `services`).
pub fn errors(reply: &RawReply, secrets: &[&str]) -> Result<Vec<ErrorEntry>, GatewayError> {
    list("errors", reply, secrets)
}

/// `GET /api-services/balance`.
pub fn balance(reply: &RawReply, secrets: &[&str]) -> Result<Balance, GatewayError> {
    enveloped("balance", reply, secrets)
}

/// `POST /api-services/list-pending-bills`: nested (as the doc shows) or flat (as the
/// server does) bills, possibly none.
pub fn pending_bills(reply: &RawReply, secrets: &[&str]) -> Result<Vec<PendingBill>, GatewayError> {
    let data: PendingBillsData = enveloped("list-pending-bills", reply, secrets)?;
    Ok(data.into_bills())
}

/// `POST /api-services/operation`. A refusal may carry the gateway's transaction id.
pub fn operation(reply: &RawReply, secrets: &[&str]) -> Result<OperationReply, GatewayError> {
    enveloped("operation", reply, secrets)
}

/// `POST /api-services/get-transaction-status`.
pub fn transaction_status(reply: &RawReply, secrets: &[&str]) -> Result<StatusReply, GatewayError> {
    enveloped("get-transaction-status", reply, secrets)
}

/// `POST /api-services/new-claim` → `data.claim`.
pub fn claim(reply: &RawReply, secrets: &[&str]) -> Result<Claim, GatewayError> {
    let data: ClaimData = enveloped("new-claim", reply, secrets)?;
    Ok(data.claim)
}

/// `POST /api-services/transaction/refund-cancel`. The reply has no envelope; a
/// `statutTreatment` other than SUCCESS is a refusal (naming `transaction_id`, the one asked).
pub fn refund(
    reply: &RawReply,
    secrets: &[&str],
    transaction_id: &str,
) -> Result<RefundReply, GatewayError> {
    const ENDPOINT: &str = "refund-cancel";
    let value = wire::parse_json(ENDPOINT, reply, secrets)?;
    if value.get("statutTreatment").is_none() {
        // Errors such as a wrong key come in the usual envelope.
        if value.get("code").is_some() {
            check_envelope(ENDPOINT, reply, value, secrets)?;
        } else if !reply.is_success() {
            return Err(GatewayError::Http {
                endpoint: ENDPOINT,
                status: reply.status,
                snippet: wire::snippet(&reply.body, secrets),
            });
        }
        return Err(GatewayError::Decode {
            endpoint: ENDPOINT,
            path: "statutTreatment".into(),
            reason: "champ absent".into(),
        });
    }
    let refund: RefundReply = wire::typed(ENDPOINT, "", value)?;
    if refund.statut_treatment.eq_ignore_ascii_case("SUCCESS") {
        Ok(refund)
    } else {
        Err(GatewayError::Refused {
            code: 4000,
            message: refund.message,
            error_type: None,
            fields: Default::default(),
            transaction_id: Some(transaction_id.to_owned()),
            http_status: reply.status,
        })
    }
}

/// `POST /api-services/moneygram-reception-info`: who sent what to whom.
pub fn moneygram_reception(
    reply: &RawReply,
    secrets: &[&str],
) -> Result<MoneygramReception, GatewayError> {
    const ENDPOINT: &str = "moneygram-reception-info";
    let raw: Value = enveloped(ENDPOINT, reply, secrets)?;
    let data: ReceptionData = wire::typed(ENDPOINT, "data", raw.clone())?;
    let r = data.reference_number_response;
    Ok(MoneygramReception {
        sender_name: format!("{} {}", r.sender_first_name, r.sender_last_name)
            .trim()
            .to_owned(),
        receiver_name: format!("{} {}", r.receiver_first_name, r.receiver_last_name)
            .trim()
            .to_owned(),
        receiver_first_name: r.receiver_first_name,
        receiver_last_name: r.receiver_last_name,
        reference_number: r.reference_number,
        receive_amount: r.receive_amount,
        agent_check_amount: r.agent_check_amount,
        receive_currency: r.receive_currency,
        transaction_status: r.transaction_status,
        ok_for_pickup: r.ok_for_pickup,
        raw,
    })
}

/// `POST /api-services/moneygram-send-info`: fees and amount to collect for a send.
pub fn moneygram_send(
    reply: &RawReply,
    secrets: &[&str],
) -> Result<MoneygramSendInfo, GatewayError> {
    const ENDPOINT: &str = "moneygram-send-info";
    let raw: Value = enveloped(ENDPOINT, reply, secrets)?;
    let data: SendData = wire::typed(ENDPOINT, "data", raw.clone())?;
    let v = data.send_validation_response;
    Ok(MoneygramSendInfo {
        send_amount: v.send_amounts.send_amount,
        total_send_fees: v.send_amounts.total_send_fees,
        total_amount_to_collect: v.send_amounts.total_amount_to_collect,
        receive_amount: v.receive_amounts.and_then(|r| r.receive_amount),
        raw,
    })
}

/// `code == 2000` → `Ok(data)`; another code → `Refused`; no code → an HTTP error for a
/// non-2xx reply, a decode error otherwise.
pub(crate) fn check_envelope(
    endpoint: &'static str,
    reply: &RawReply,
    mut value: Value,
    secrets: &[&str],
) -> Result<Value, GatewayError> {
    let code = match value.get("code") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let Some(code) = code else {
        if !reply.is_success() {
            return Err(GatewayError::Http {
                endpoint,
                status: reply.status,
                snippet: wire::snippet(&reply.body, secrets),
            });
        }
        return Err(GatewayError::Decode {
            endpoint,
            path: "code".into(),
            reason: match value.get("code") {
                None => "champ absent".into(),
                Some(v) => format!(
                    "attendu un code numérique, trouvé {}",
                    crate::gateway::lenient::kind(v)
                ),
            },
        });
    };
    let data = value
        .get_mut("data")
        .map(Value::take)
        .unwrap_or(Value::Null);
    if code == SUCCESS_CODE {
        return Ok(data);
    }
    let message = value
        .get("msg")
        .or_else(|| value.get("message"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    // An uncaught exception: the real HTTP status, and the same number as `code`. Not a
    // refusal: it says nothing of what was done before the server threw.
    if !reply.is_success() && code == i64::from(reply.status) {
        return Err(GatewayError::Exception {
            endpoint,
            status: reply.status,
            message,
        });
    }
    Err(GatewayError::Refused {
        code,
        message,
        error_type: data
            .get("errorType")
            .and_then(|t| serde_json::from_value::<ErrorType>(t.clone()).ok())
            .map(Box::new),
        fields: field_errors(&data),
        transaction_id: data.get("transactionId").and_then(|id| match id {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }),
        http_status: reply.status,
    })
}

/// `data: {field: ["message", …]}` (validation errors); anything else gives no fields.
fn field_errors(data: &Value) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut fields = std::collections::BTreeMap::new();
    if let Value::Object(map) = data {
        for (k, v) in map {
            match v {
                Value::Array(items) if items.iter().all(Value::is_string) && !items.is_empty() => {
                    fields.insert(
                        k.clone(),
                        items
                            .iter()
                            .filter_map(|i| i.as_str().map(str::to_owned))
                            .collect(),
                    );
                }
                _ => {}
            }
        }
    }
    fields
}
