//! Intram under `/api/v1`: payment request, confirmation. Errors are Intram's body
//! `{"error": true, "status": "ERROR", "message": …}` with real HTTP status codes (or HTTP
//! 200, as Intram's SDK mocks send them, with `SandboxConfig::intram_errors_http_200`); the
//! customer decides on the page at `receipt_url`.

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
use super::png;
use super::reply;
use super::rules::whole_number;
use super::state::{IntramStatus, Shared};

const BAD_KEYS: &str = "Invalid API keys";

/// Intram's fee on a payment, in percent of the amount (the sandbox's choice), rounded to
/// the franc: `confirm` gives it and the net amount.
const FEE_PERCENT: i64 = 2;

fn fees(amount: i64) -> i64 {
    (amount * FEE_PERCENT + 50) / 100
}

fn error(shared: &Shared, status: StatusCode, message: &str) -> Response {
    let status = if shared.config.intram_errors_http_200 {
        StatusCode::OK
    } else {
        status
    };
    reply::json(
        status,
        &json!({ "error": true, "status": "ERROR", "message": message }),
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
    total_amount: i64,
    currency: &'static str,
    /// The receipt URL as a QR code (PNG data URI).
    qr_code: Option<String>,
    message: &'static str,
}

/// Where the customer pays: Intram's own path, `/payment/gate/<id>`, on the sandbox.
fn receipt_url(base_url: &str, id: &str) -> String {
    format!("{base_url}/payment/gate/{id}")
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
        return error(&shared, StatusCode::UNAUTHORIZED, BAD_KEYS);
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return error(
            &shared,
            StatusCode::BAD_REQUEST,
            "Le corps de la requête doit être un objet JSON valide",
        );
    };
    let Some(invoice) = body.get("invoice").and_then(Value::as_object) else {
        return error(
            &shared,
            StatusCode::BAD_REQUEST,
            "Le champ invoice est obligatoire",
        );
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
                return error(&shared, StatusCode::UNAUTHORIZED, BAD_KEYS);
            }
        }
    }
    let Some(amount) = invoice
        .get("amount")
        .and_then(whole_number)
        .filter(|a| *a > 0)
    else {
        return error(
            &shared,
            StatusCode::BAD_REQUEST,
            "invoice.amount doit être un nombre entier positif",
        );
    };
    if let Some(currency) = invoice.get("currency").and_then(Value::as_str)
        && !currency.eq_ignore_ascii_case("XOF")
    {
        return error(
            &shared,
            StatusCode::BAD_REQUEST,
            "Seule la devise XOF est acceptée",
        );
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
            &shared,
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
    let receipt_url = receipt_url(&shared.base_url, &id);
    reply::json(
        StatusCode::OK,
        &RequestOut {
            status: IntramStatus::Pending.as_str(),
            transaction_id: &id,
            qr_code: png::qr_data_uri(&receipt_url),
            receipt_url,
            total_amount: amount,
            currency: "xof",
            message: "Transaction créée",
        },
    )
}

#[derive(Serialize)]
struct ConfirmOut<'a> {
    status: &'static str,
    transaction_id: &'a str,
    total_amount: i64,
    amount: i64,
    fees: i64,
    net_amount: i64,
    /// The wallet the customer paid from, and its operator: `null` until they paid.
    account_number: Option<String>,
    source: Option<&'static str>,
    customer: &'a Option<Value>,
    receipt_url: String,
    custom_data: &'a Value,
    message: &'static str,
}

/// The operator of a customer's wallet, by its prefix (Senegal 9 digits, Côte d'Ivoire 10).
fn source(phone: &str) -> &'static str {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.as_str() {
        d if d.len() == 12 && d.starts_with("221") => &d[3..],
        d if d.len() == 13 && d.starts_with("225") => &d[3..],
        d => d,
    };
    match national.get(..2) {
        Some("76") => "FREE",
        Some("70") => "EXPRESSO",
        Some("01") if national.len() == 10 => "MOOV",
        Some("05") if national.len() == 10 => "MTN",
        Some("75") => "PROMOBILE",
        _ => "ORANGE",
    }
}

pub(crate) async fn confirm(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !check_keys(&shared, &headers) {
        return error(&shared, StatusCode::UNAUTHORIZED, BAD_KEYS);
    }
    let st = shared.lock();
    let Some(tx) = st.intram.get(&id) else {
        drop(st);
        return error(&shared, StatusCode::NOT_FOUND, "Transaction introuvable");
    };
    let message = match tx.status {
        IntramStatus::Pending => "Transaction en attente de paiement",
        IntramStatus::Success => "Transaction effectuée avec succès",
        IntramStatus::Canceled => "Transaction annulée par le client",
        IntramStatus::Fail => "Transaction échouée : délai de paiement dépassé",
        IntramStatus::Error => "Transaction en erreur chez l'opérateur",
        IntramStatus::Refunded => "Transaction remboursée au client",
    };
    let fees = fees(tx.amount);
    let out = ConfirmOut {
        status: tx.status.as_str(),
        transaction_id: &tx.id,
        total_amount: tx.amount,
        amount: tx.amount,
        fees,
        net_amount: tx.amount - fees,
        account_number: tx
            .phone
            .as_deref()
            .map(|p| p.trim_start_matches('+').to_owned()),
        source: tx.phone.as_deref().map(source),
        customer: &tx.customer,
        receipt_url: receipt_url(&shared.base_url, &tx.id),
        custom_data: &tx.custom_data,
        message,
    };
    reply::json(StatusCode::OK, &out)
}
