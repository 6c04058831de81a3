//! Test and demo controls under `/sandbox/` (no authentication, no rate limit): the
//! customer's decision, the transaction records, reset.

use std::sync::Arc;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::time::Instant;

use super::callbacks::Gateway;
use super::lifecycle::{self, Decided, Decision, Effects};
use super::pages;
use super::reply::{self, iso};
use super::state::{Attempt, IntechTx, IntramTx, Shared, State as Memory};

/// True when the request came from an HTML form (answer with a page, not JSON).
fn from_form(headers: &HeaderMap) -> bool {
    let has = |name, needle| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(needle))
    };
    has(header::ACCEPT, "text/html")
        || has(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        || has(header::CONTENT_TYPE, "multipart/form-data")
}

/// The phone an Intram customer pays with: `?phone=` or the payment page's form field.
#[derive(Deserialize, Default)]
pub(crate) struct CustomerPhone {
    phone: Option<String>,
}

/// `POST /sandbox/customer/{id}/approve|refuse` (Intech or Intram id). For Intram, an
/// optional `phone` (query or form) is the customer's: its last two digits pick the
/// outcome (`rules::IntramOutcome`).
pub(crate) async fn decide(
    State(shared): State<Arc<Shared>>,
    Path((id, decision)): Path<(String, String)>,
    Query(query): Query<CustomerPhone>,
    headers: HeaderMap,
    form: Result<Form<CustomerPhone>, FormRejection>,
) -> Response {
    let phone = query
        .phone
        .or_else(|| form.ok().and_then(|Form(f)| f.phone))
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty());
    let decision = match decision.as_str() {
        "approve" => Decision::Approve,
        "refuse" => Decision::Refuse,
        _ => {
            return reply::json(
                StatusCode::NOT_FOUND,
                &json!({ "message": "Décision inconnue : approve ou refuse" }),
            );
        }
    };
    let mut fx = Effects::default();
    let (decided, intram) = {
        let mut st = shared.lock();
        let intram = st.intram.contains_key(&id);
        let decided = lifecycle::decide(
            &mut st,
            &shared.config,
            &id,
            decision,
            phone,
            Instant::now(),
            &mut fx,
        );
        (decided, intram)
    };
    fx.run(&shared);
    let html = from_form(&headers);
    let (status, state, note) = match decided {
        Decided::Done(state) => (
            StatusCode::OK,
            state,
            match decision {
                Decision::Approve => "Paiement validé",
                Decision::Refuse => "Paiement refusé",
            },
        ),
        Decided::Conflict(state, why) => (StatusCode::CONFLICT, state, why),
        Decided::NotFound if html => return pages::not_found_page(),
        Decided::NotFound => {
            return reply::json(
                StatusCode::NOT_FOUND,
                &json!({ "transactionId": id, "message": "Transaction introuvable" }),
            );
        }
    };
    if html {
        return pages::decision_result(status, &id, intram, state, note);
    }
    if status == StatusCode::OK {
        reply::json(status, &json!({ "transactionId": id, "status": state }))
    } else {
        reply::json(
            status,
            &json!({ "transactionId": id, "status": state, "message": note }),
        )
    }
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    #[serde(rename = "externalTransactionId")]
    ext: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    gateway: &'static str,
    transaction_id: &'a str,
    external_transaction_id: Option<&'a str>,
    code_service: Option<&'static str>,
    phone: Option<&'a str>,
    amount: i64,
    status: &'static str,
    error_code: Option<&'static str>,
    created_at: String,
    updated_at: String,
    operation_attempts: u32,
    refund_attempts: u32,
    status_calls: u32,
    callbacks: Vec<AttemptOut<'a>>,
    /// A WhatsApp message's text, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AttemptOut<'a> {
    at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

fn attempts(list: &[Attempt]) -> Vec<AttemptOut<'_>> {
    list.iter()
        .map(|a| AttemptOut {
            at: iso(a.at),
            http_status: a.http_status,
            error: a.error.as_deref(),
        })
        .collect()
}

fn intech_record<'a>(st: &'a Memory, tx: &'a IntechTx) -> (u64, Record<'a>) {
    let record = Record {
        gateway: Gateway::Intech.as_str(),
        transaction_id: &tx.tid,
        external_transaction_id: Some(&tx.ext),
        code_service: Some(tx.service.code),
        phone: Some(&tx.phone),
        amount: tx.amount,
        status: tx.status.as_str(),
        error_code: tx.error.as_ref().map(|e| e.info.code),
        created_at: iso(tx.created_at),
        updated_at: iso(tx.updated_at),
        operation_attempts: st.attempts.get(&tx.ext).copied().unwrap_or(0),
        refund_attempts: st.refund_attempts.get(&tx.tid).copied().unwrap_or(0),
        status_calls: tx.status_calls,
        callbacks: attempts(&tx.callbacks),
        message: tx.message.as_deref(),
    };
    (tx.seq, record)
}

fn intram_record(tx: &IntramTx) -> (u64, Record<'_>) {
    let record = Record {
        gateway: Gateway::Intram.as_str(),
        transaction_id: &tx.id,
        external_transaction_id: None,
        code_service: None,
        phone: tx.phone.as_deref(),
        amount: tx.amount,
        status: tx.status.as_str(),
        error_code: None,
        created_at: iso(tx.created_at),
        updated_at: iso(tx.updated_at),
        operation_attempts: 0,
        refund_attempts: 0,
        status_calls: 0,
        callbacks: attempts(&tx.callbacks),
        message: None,
    };
    (tx.seq, record)
}

/// `GET /sandbox/transactions[?externalTransactionId=X]`, oldest first.
pub(crate) async fn transactions(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<ListQuery>,
) -> Response {
    let st = shared.lock();
    let mut records: Vec<(u64, Record)> = match &query.ext {
        Some(ext) => st
            .by_ext
            .get(ext)
            .and_then(|tid| st.intech.get(tid))
            .map(|tx| intech_record(&st, tx))
            .into_iter()
            .collect(),
        None => st
            .intech
            .values()
            .map(|tx| intech_record(&st, tx))
            .chain(st.intram.values().map(intram_record))
            .collect(),
    };
    records.sort_unstable_by_key(|(seq, _)| *seq);
    let list: Vec<Record> = records.into_iter().map(|(_, r)| r).collect();
    let body = serde_json::to_vec(&list).unwrap_or_default();
    drop(st);
    reply::json_bytes(StatusCode::OK, body)
}

/// `POST /sandbox/reset`: back to the initial state (balance, no transaction, no
/// blacklist); callbacks in flight are dropped.
pub(crate) async fn reset(State(shared): State<Arc<Shared>>) -> Response {
    shared.abort_tasks();
    *shared.lock() = Memory::new(shared.config.initial_balance);
    shared.limits().clear();
    shared.wake.notify_one();
    reply::json(
        StatusCode::OK,
        &json!({ "status": "RESET", "balance": shared.config.initial_balance }),
    )
}
