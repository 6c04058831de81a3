//! Intram under `/api/v1`: payment request, confirmation. Real HTTP status codes, JSON
//! errors `{status, message}`; the customer decides on the page at `receipt_url`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde::Serialize;
use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq;
use tokio::time::Instant;

use super::lifecycle::{self, Effects};
use super::reply;
use super::rules::whole_number;
use super::state::{IntramStatus, Shared};

const BAD_KEYS: &str = "Clés d'API invalides";

fn error(status: StatusCode, message: &str) -> Response {
    reply::json(
        status,
        &json!({ "status": status.as_u16(), "message": message }),
    )
}

fn same(expected: &str, given: Option<&str>) -> bool {
    given.is_some_and(|g| {
        expected.len() == g.len() && bool::from(expected.as_bytes().ct_eq(g.as_bytes()))
    })
}

/// `X-API-KEY` (public), `X-PRIVATE-KEY`, `X-SECRET-KEY`; `X-MARCHAND-KEY` is optional.
fn check_keys(shared: &Shared, headers: &HeaderMap) -> bool {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let config = &shared.config;
    same(&config.intram_public_key, header("x-api-key"))
        && same(&config.intram_private_key, header("x-private-key"))
        && same(&config.intram_secret_key, header("x-secret-key"))
}

#[derive(Serialize)]
struct RequestOut<'a> {
    status: &'static str,
    transaction_id: &'a str,
    receipt_url: String,
    message: &'static str,
    total_amount: i64,
}

fn text(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or_default()
        .to_owned()
}

pub(crate) async fn payment_request(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !check_keys(&shared, &headers) {
        return error(StatusCode::UNAUTHORIZED, BAD_KEYS);
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "Le corps de la requête doit être un objet JSON valide",
        );
    };
    let Some(invoice) = body.get("invoice").and_then(Value::as_object) else {
        return error(StatusCode::BAD_REQUEST, "Le champ invoice est obligatoire");
    };
    // Keys repeated in the body must match the headers.
    if let Some(keys) = invoice.get("keys").and_then(Value::as_object) {
        let config = &shared.config;
        for (name, expected) in [
            ("public", &config.intram_public_key),
            ("private", &config.intram_private_key),
            ("secret", &config.intram_secret_key),
        ] {
            if let Some(given) = keys.get(name)
                && !same(expected, given.as_str())
            {
                return error(StatusCode::UNAUTHORIZED, BAD_KEYS);
            }
        }
    }
    let Some(amount) = invoice
        .get("amount")
        .and_then(whole_number)
        .filter(|a| *a > 0)
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "invoice.amount doit être un nombre entier positif",
        );
    };
    if let Some(currency) = invoice.get("currency").and_then(Value::as_str)
        && currency != "XOF"
    {
        return error(StatusCode::BAD_REQUEST, "Seule la devise XOF est acceptée");
    }
    let custom_data = match invoice.get("custom_datas") {
        Some(v @ Value::Object(_)) => v.clone(),
        Some(Value::String(s)) => serde_json::from_str::<Value>(s)
            .ok()
            .filter(Value::is_object)
            .unwrap_or_else(|| Value::Object(Map::new())),
        _ => Value::Object(Map::new()),
    };
    let actions = body.get("actions");
    let callback_url = actions
        .and_then(|a| a.get("callback_url"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned);
    if callback_url
        .as_deref()
        .is_some_and(|u| !(u.starts_with("http://") || u.starts_with("https://")))
    {
        return error(
            StatusCode::BAD_REQUEST,
            "actions.callback_url doit être une URL http(s)",
        );
    }
    let description = text(invoice.get("description"));
    let store_name = text(body.get("store").and_then(|s| s.get("name")));

    let mut fx = Effects::default();
    let id = {
        let mut st = shared.lock();
        lifecycle::create_intram(
            &mut st,
            &shared.config,
            amount,
            callback_url,
            custom_data,
            description,
            store_name,
            Instant::now(),
            &mut fx,
        )
    };
    fx.run(&shared);
    reply::json(
        StatusCode::OK,
        &RequestOut {
            status: IntramStatus::Pending.as_str(),
            transaction_id: &id,
            receipt_url: format!("{}/intram/pay/{id}", shared.base_url),
            message: "Transaction créée",
            total_amount: amount,
        },
    )
}

#[derive(Serialize)]
struct ConfirmOut<'a> {
    status: &'static str,
    transaction_id: &'a str,
    total_amount: i64,
    customer: &'a Option<Value>,
    receipt_url: String,
    custom_data: &'a Value,
    message: &'static str,
}

pub(crate) async fn confirm(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !check_keys(&shared, &headers) {
        return error(StatusCode::UNAUTHORIZED, BAD_KEYS);
    }
    let st = shared.lock();
    let Some(tx) = st.intram.get(&id) else {
        drop(st);
        return error(StatusCode::NOT_FOUND, "Transaction introuvable");
    };
    let message = match tx.status {
        IntramStatus::Pending => "Transaction en attente de paiement",
        IntramStatus::Success => "Transaction effectuée avec succès",
        IntramStatus::Canceled => "Transaction annulée par le client",
        IntramStatus::Fail => "Transaction échouée : délai de paiement dépassé",
    };
    let out = ConfirmOut {
        status: tx.status.as_str(),
        transaction_id: &tx.id,
        total_amount: tx.amount,
        customer: &tx.customer,
        receipt_url: format!("{}/intram/pay/{}", shared.base_url, tx.id),
        custom_data: &tx.custom_data,
        message,
    };
    reply::json(StatusCode::OK, &out)
}
