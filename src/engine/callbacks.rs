//! The callback listener: Intech (and Intram) post results here. The raw body is verified,
//! the journal written in one transaction, and only then is 200 answered. Forgeries get 401
//! and are recorded; callbacks for unknown ids are kept and flagged.
//!
//! Unless HMAC signing is on, a callback's status is not taken at its word (its hash covers
//! only the ids and the key): it triggers one status query, which decides. What is turned
//! away, and repeats, are counted apart from the sales' histories within a fixed size.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use serde_json::json;

use super::listener::CallbackTimeouts;
use super::{Engine, failpoint, listener};
use crate::domain::lifecycle::{Effect, Event};
use crate::domain::{OpKind, PaymentStatus};
use crate::gateway::intech::callback::{CallbackRejection, CallbackVerifier, MAX_CALLBACK_BYTES};
use crate::journal::JournalError;

/// Serves the listener on `listen` until the task is dropped, with a cap on connections and
/// `timeouts` on each (`listener`: the port faces the Internet).
pub async fn serve_callbacks(
    engine: Arc<Engine>,
    listen: SocketAddr,
    timeouts: CallbackTimeouts,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let app = axum::Router::new()
        .fallback(dispatch)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_CALLBACK_BYTES * 4))
        .with_state(engine);
    let socket = tokio::net::TcpListener::bind(listen).await?;
    let addr = socket.local_addr()?;
    let task = tokio::spawn(listener::serve(socket, app, timeouts));
    Ok((addr, task))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// What a GET on `…/sante` answers: that this is caisse's callback listener, and which
/// running process (an id drawn at start-up, not a secret). `caisse doctor` compares the
/// answer at the public callback URL with the one at the listener's own address: the same id
/// proves the Internet reaches this shop's listener. Nothing is read or written.
pub const HEALTH_SERVICE: &str = "caisse-callbacks";

static INSTANCE: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| uuid::Uuid::new_v4().to_string());

/// The health path (`GET …/sante`, no state touched), else a callback.
async fn dispatch(
    state: State<Arc<Engine>>,
    method: axum::http::Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if method == axum::http::Method::GET && uri.path().trim_end_matches('/').ends_with("/sante") {
        return axum::Json(json!({ "service": HEALTH_SERVICE, "instance": *INSTANCE }))
            .into_response();
    }
    receive(state, uri, headers, body).await.into_response()
}

async fn receive(
    State(engine): State<Arc<Engine>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let result = if uri.path().trim_end_matches('/').ends_with("/intram") {
        engine.intram_callback(&body).await
    } else {
        engine
            .intech_callback(
                header(&headers, "hmac-signature"),
                header(&headers, "timestamp"),
                &body,
            )
            .await
    };
    match result {
        Ok(code) => {
            if code == StatusCode::OK {
                failpoint::hit!("after_callback");
            }
            code
        }
        Err(e) => {
            // The journal could not record it: let the gateway retry later.
            tracing::error!("callback non enregistré : {e}");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// The external id named in a body, if it can be read (for recording a rejection).
fn named_external_id(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("transaction")?
        .get("externalTransactionId")?
        .as_str()
        .map(str::to_owned)
}

impl Engine {
    fn verifier(&self) -> Option<CallbackVerifier> {
        let key = self.gateways.intech.as_ref()?.api_key().clone();
        let clock = self.clock.clone();
        Some(
            CallbackVerifier::new(key, self.config.hmac_secret.clone()).with_clock(move || clock()),
        )
    }

    /// Counts a callback turned away, apart from the sales' histories (bounded).
    async fn reject(
        &self,
        kind: &'static str,
        named: Option<String>,
        detail: serde_json::Value,
    ) -> Result<(), JournalError> {
        let now = self.now();
        let detail = self.redact_value(detail);
        self.journal(move |j| j.record_rejection(kind, named.as_deref(), &detail, now))
            .await
    }

    /// Handles an Intech callback; returns the HTTP status to answer once recorded.
    pub async fn intech_callback(
        &self,
        signature: Option<&str>,
        timestamp: Option<&str>,
        body: &[u8],
    ) -> Result<StatusCode, JournalError> {
        if body.len() > MAX_CALLBACK_BYTES {
            let detail = json!({"bytes": body.len()});
            self.reject("too_large", None, detail).await?;
            return Ok(StatusCode::PAYLOAD_TOO_LARGE);
        }
        let Some(verifier) = self.verifier() else {
            self.reject("not_configured", None, json!({})).await?;
            return Ok(StatusCode::UNAUTHORIZED);
        };
        let callback = match verifier.verify(signature, timestamp, body) {
            Ok(cb) => cb,
            Err(rejection) => {
                let code = match rejection {
                    CallbackRejection::Malformed(_) => StatusCode::BAD_REQUEST,
                    _ => StatusCode::UNAUTHORIZED,
                };
                let reason = self.redact(&rejection.to_string()).into_owned();
                tracing::warn!("callback refusé : {reason}");
                let detail = json!({"reason": reason, "bytes": body.len()});
                self.reject(rejection.kind(), named_external_id(body), detail)
                    .await?;
                return Ok(code);
            }
        };
        let t = &callback.transaction;
        let ext = t.external_transaction_id.clone();
        let row = self.get(&ext).await?;
        let summary = json!({
            "status": callback.status.as_wire(), "transactionId": t.transaction_id,
            "amount": t.amount, "codeService": t.code_service,
            "errorCode": t.error_type.as_ref().map(|e| e.code.clone()),
            // The shop's commission on this sale: the drawer credits it to the balance.
            "commission": t.commission,
        });
        let Some(row) = row else {
            // Kept and flagged (it is genuine: it carries our key's hash), acknowledged so
            // that Intech stops retrying.
            let now = self.now();
            self.journal(move |j| j.record_event(Some(&ext), "callback_unknown", &summary, now))
                .await?;
            return Ok(StatusCode::OK);
        };
        if row.kind == OpKind::Refund {
            self.reject("not_a_payment", Some(ext), summary).await?;
            return Ok(StatusCode::OK);
        }
        if let Some(known) = &row.gateway_tx_id
            && known != &t.transaction_id
        {
            let detail = json!({"reason": "transactionId différent de celui du journal", "callback": summary});
            self.reject("mismatch", Some(ext), detail).await?;
            return Ok(StatusCode::UNAUTHORIZED);
        }
        let error = t.error_type.as_ref();
        let message = error.map(|e| {
            use crate::catalog::errors;
            let given = self.redact(&e.message);
            // In the sale's operator's words: never an Orange Money sentence on a Wave sale.
            if given.trim().is_empty() || errors::names_another_operator(&given, &row.service) {
                errors::message_for(&e.code, &row.service, row.amount)
            } else {
                errors::fill_amount(&given, row.amount)
            }
        });
        let status = PaymentStatus::from_intech(
            callback.status,
            error.map(|e| e.code.as_str()),
            message.as_deref(),
        );
        let event = Event::Callback {
            status,
            gateway_tx_id: t.transaction_id.clone(),
            trusted: self.config.hmac_secret.is_some(),
        };
        let transition = self.step(&ext, event, summary.clone(), None).await?;
        if !transition
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Write(_)))
        {
            // A repeat (Intech retries; a replay would look the same): counted, not added
            // to the sale's history.
            self.reject("repeat", Some(ext), summary).await?;
        }
        Ok(StatusCode::OK)
    }

    /// Intram's callback carries no signature: it only makes the engine ask Intram now.
    pub async fn intram_callback(&self, body: &[u8]) -> Result<StatusCode, JournalError> {
        // The body is read by the gateway module (one function, fuzzed on its own).
        let id = crate::gateway::intram::decode::callback_transaction_id(body);
        let Some(id) = id.filter(|_| body.len() <= MAX_CALLBACK_BYTES) else {
            let detail = json!({"gateway": "intram", "bytes": body.len()});
            self.reject("intram_unreadable", None, detail).await?;
            return Ok(StatusCode::BAD_REQUEST);
        };
        let lookup = id.clone();
        let row = self.journal(move |j| j.find_by_gateway_id(&lookup)).await?;
        let Some(row) = row else {
            let detail = json!({"gateway": "intram", "transactionId": id});
            self.reject("intram_unknown", None, detail).await?;
            return Ok(StatusCode::OK);
        };
        // Not believed: the same as an unsigned callback with no status, one query decides.
        let now = self.now();
        let ext = row.external_id.clone();
        if row.status.is_final() {
            self.reject("repeat", Some(ext), json!({"gateway": "intram"}))
                .await?;
            return Ok(StatusCode::OK);
        }
        self.journal(move |j| j.reschedule(&ext, now)).await?;
        self.wake.notify_one();
        Ok(StatusCode::OK)
    }
}
