//! Outgoing callbacks: the bodies (Intech with its `sha256Hash`, optionally HMAC-signed;
//! Intram's short one) and their delivery in background tasks, retried every
//! `callback_retry` until an HTTP 200, for at most a day, every attempt recorded.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::reply::now;
use super::signing::{callback_hash, hmac_signature, now_ms};
use super::state::{Attempt, IntechTx, IntramTx, Shared, TxError};

/// Deliveries are abandoned after this long.
const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gateway {
    Intech,
    Intram,
}

impl Gateway {
    pub fn as_str(self) -> &'static str {
        match self {
            Gateway::Intech => "intech",
            Gateway::Intram => "intram",
        }
    }
}

/// One callback to deliver: the body is fixed once, retries send the same bytes.
pub(crate) struct CallbackJob {
    pub gateway: Gateway,
    pub id: String,
    pub url: String,
    pub body: Bytes,
}

/// The server's callback body: the envelope's `code` and `error` too (always 2000 and
/// false: a FAILLED transaction is still a successful notification).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IntechCallback<'a> {
    code: i64,
    error: bool,
    msg: String,
    status: &'static str,
    sha256_hash: String,
    transaction: CallbackTransaction<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CallbackTransaction<'a> {
    status: &'static str,
    phone: &'a str,
    amount: i64,
    code_service: &'static str,
    name_service: &'static str,
    commission: i64,
    transaction_id: &'a str,
    sous_service_transaction_id: String,
    current_balance: f64,
    balance_before_transaction_init: f64,
    balance_after_transaction_init: f64,
    external_transaction_id: &'a str,
    callback_url: &'a str,
    error_type: Option<FullError>,
    data: &'a Value,
}

/// `errorType` as operation refusals and callbacks carry it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FullError {
    pub message: String,
    pub code: &'static str,
    pub code_service: &'static str,
    pub id: Option<u32>,
}

impl FullError {
    pub fn new(error: &TxError, code_service: &'static str) -> Self {
        FullError {
            message: error.message.clone().into_owned(),
            code: error.info.code,
            code_service,
            id: error.info.id,
        }
    }
}

/// The operator's own reference for the transaction (`T_ND2CME73XA` in the seed).
fn operator_reference(tid: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let digest = Sha256::digest(tid.as_bytes());
    let code: String = digest[..10]
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("T_{code}")
}

/// The Intech callback of a transaction that just became final; `before`/`after` are the
/// shop's balance around its movement (equal when nothing moved).
pub(crate) fn intech_job(tx: &IntechTx, api_key: &str, before: f64, after: f64) -> CallbackJob {
    let body = IntechCallback {
        code: 2000,
        error: false,
        msg: format!(
            "Opération de {} par {}",
            tx.service.type_operation.as_str(),
            tx.service.name
        ),
        status: tx.status.as_str(),
        sha256_hash: callback_hash(&tx.tid, &tx.ext, api_key),
        transaction: CallbackTransaction {
            status: tx.status.as_str(),
            phone: &tx.phone,
            amount: tx.amount,
            code_service: tx.service.code,
            name_service: tx.service.name,
            commission: 0,
            transaction_id: &tx.tid,
            sous_service_transaction_id: operator_reference(&tx.tid),
            current_balance: after,
            balance_before_transaction_init: before,
            balance_after_transaction_init: after,
            external_transaction_id: &tx.ext,
            callback_url: &tx.callback_url,
            error_type: tx
                .error
                .as_ref()
                .map(|e| FullError::new(e, tx.service.code)),
            data: &tx.data,
        },
    };
    CallbackJob {
        gateway: Gateway::Intech,
        id: tx.tid.clone(),
        url: tx.callback_url.clone(),
        body: serde_json::to_vec(&body).unwrap_or_default().into(),
    }
}

#[derive(Serialize)]
struct IntramCallback<'a> {
    transaction_id: &'a str,
    status: &'static str,
    total_amount: i64,
    custom_data: &'a Value,
}

/// The Intram callback, if the payment request gave a callback_url.
pub(crate) fn intram_job(tx: &IntramTx) -> Option<CallbackJob> {
    let url = tx.callback_url.clone()?;
    let body = IntramCallback {
        transaction_id: &tx.id,
        status: tx.status.as_str(),
        total_amount: tx.amount,
        custom_data: &tx.custom_data,
    };
    Some(CallbackJob {
        gateway: Gateway::Intram,
        id: tx.id.clone(),
        url,
        body: serde_json::to_vec(&body).unwrap_or_default().into(),
    })
}

/// Starts the deliveries in background tasks (never on the request path).
pub(crate) fn dispatch(shared: &Arc<Shared>, jobs: Vec<CallbackJob>) {
    for job in jobs {
        shared.spawn(deliver(shared.clone(), job));
    }
}

async fn deliver(shared: Arc<Shared>, job: CallbackJob) {
    let started = tokio::time::Instant::now();
    loop {
        let client = match shared.http.get().await {
            Ok(client) => client,
            Err(e) => {
                tracing::warn!("sandbox : rappel impossible, client HTTP : {e}");
                return;
            }
        };
        let mut request = client
            .post(&job.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(job.body.clone());
        if job.gateway == Gateway::Intech
            && let Some(secret) = &shared.config.hmac_secret
        {
            let timestamp = now_ms().to_string();
            let signature = hmac_signature(secret, "POST", &timestamp, &job.body);
            request = request
                .header("hmac-signature", signature)
                .header("timestamp", timestamp);
        }
        let (http_status, error) = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                // Read the answer so the connection can be reused.
                let _ = response.bytes().await;
                (Some(status), None)
            }
            Err(e) => (None, Some(describe(&e))),
        };
        record(&shared, &job, http_status, error);
        if http_status == Some(200) || started.elapsed() >= GIVE_UP_AFTER {
            return;
        }
        tokio::time::sleep(shared.config.callback_retry).await;
    }
}

fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "délai dépassé"
    } else if e.is_connect() {
        "connexion impossible"
    } else if e.is_builder() {
        "URL de callback invalide"
    } else {
        "erreur réseau"
    };
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} : {detail}")
    }
}

fn record(shared: &Shared, job: &CallbackJob, http_status: Option<u16>, error: Option<String>) {
    let attempt = Attempt {
        at: now(),
        http_status,
        error,
    };
    let mut state = shared.lock();
    match job.gateway {
        Gateway::Intech => {
            if let Some(tx) = state.intech.get_mut(&job.id) {
                tx.callbacks.push(attempt);
                if let Some(first) = tx.first_callback.take() {
                    let _ = first.send(());
                }
            }
        }
        Gateway::Intram => {
            if let Some(tx) = state.intram.get_mut(&job.id) {
                tx.callbacks.push(attempt);
            }
        }
    }
}
