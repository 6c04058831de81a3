//! The callback listener: Intech (and Intram) post results here. The raw body is verified,
//! the journal written in one transaction, and only then is 200 answered. Forgeries get 401
//! and are recorded; callbacks for unknown ids are kept and flagged.
//!
//! Unless HMAC signing is on, a callback's status is not taken at its word (its hash covers
//! only the ids and the key): it triggers one status query, which decides.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use serde_json::json;

use super::{Engine, failpoint, schedule};
use crate::gateway::intech::callback::{CallbackRejection, CallbackVerifier, MAX_CALLBACK_BYTES};
use crate::gateway::intech::models::TransactionStatus;
use crate::gateway::{ErrorType, PaymentStatus};
use crate::journal::{Change, JournalError, TxStatus};

/// Serves the listener on `listen` until the task is dropped.
pub async fn serve_callbacks(
    engine: Arc<Engine>,
    listen: SocketAddr,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let app = axum::Router::new()
        .fallback(receive)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_CALLBACK_BYTES * 4))
        .with_state(engine);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, task))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
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
                failpoint::hit("after_callback");
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

    /// Handles an Intech callback; returns the HTTP status to answer once recorded.
    pub async fn intech_callback(
        &self,
        signature: Option<&str>,
        timestamp: Option<&str>,
        body: &[u8],
    ) -> Result<StatusCode, JournalError> {
        let now = self.now();
        if body.len() > MAX_CALLBACK_BYTES {
            let detail = json!({"reason": "corps trop volumineux", "bytes": body.len()});
            self.journal(move |j| j.record_event(None, "callback_rejected", &detail, now))
                .await?;
            return Ok(StatusCode::PAYLOAD_TOO_LARGE);
        }
        let Some(verifier) = self.verifier() else {
            let detail = json!({"reason": "Intech non configuré"});
            self.journal(move |j| j.record_event(None, "callback_rejected", &detail, now))
                .await?;
            return Ok(StatusCode::UNAUTHORIZED);
        };
        let callback = match verifier.verify(signature, timestamp, body) {
            Ok(cb) => cb,
            Err(rejection) => {
                let named = named_external_id(body);
                let code = match rejection {
                    CallbackRejection::Malformed(_) => StatusCode::BAD_REQUEST,
                    _ => StatusCode::UNAUTHORIZED,
                };
                tracing::warn!("callback refusé : {rejection}");
                let detail = json!({"reason": rejection.to_string(), "bytes": body.len()});
                // Recorded apart from the transaction's own history: a forgery names any id.
                self.journal(move |j| {
                    j.record_event(named.as_deref(), "callback_rejected", &detail, now)
                })
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
        });
        let Some(row) = row else {
            // Kept and flagged, acknowledged so that Intech stops retrying.
            self.journal(move |j| j.record_event(Some(&ext), "callback_unknown", &summary, now))
                .await?;
            return Ok(StatusCode::OK);
        };
        if let Some(known) = &row.gateway_tx_id
            && known != &t.transaction_id
        {
            let detail = json!({"reason": "transactionId différent de celui du journal", "callback": summary});
            self.journal(move |j| j.record_event(Some(&ext), "callback_rejected", &detail, now))
                .await?;
            return Ok(StatusCode::UNAUTHORIZED);
        }
        if row.status.is_final() {
            self.journal(move |j| j.record_event(Some(&ext), "callback_repeat", &summary, now))
                .await?;
            return Ok(StatusCode::OK);
        }
        let status =
            schedule::journal_status(&payment_status(callback.status, t.error_type.as_ref()));
        let trusted = self.config.hmac_secret.is_some();
        let change = if trusted || !status.is_final() {
            Change {
                status: Some(status),
                gateway_tx_id: Some(t.transaction_id.clone()),
                error_code: t
                    .error_type
                    .as_ref()
                    .map(|e| e.code.clone())
                    .filter(|c| !c.is_empty()),
                error_message: t.error_type.as_ref().map(|e| {
                    if e.message.is_empty() {
                        crate::catalog::errors::french_message(&e.code, row.amount)
                    } else {
                        crate::catalog::errors::fill_amount(&e.message, row.amount)
                    }
                }),
                ..Change::default()
            }
        } else {
            // Confirm by one status query before believing it.
            Change {
                gateway_tx_id: Some(t.transaction_id.clone()),
                confirm_success: Some(status == TxStatus::Success),
                next_poll_at: Some(Some(now)),
                ..Change::default()
            }
        };
        let applied = self
            .journal(move |j| j.apply(&ext, &change, "callback", &summary, now))
            .await?;
        if applied.status_changed {
            self.notify(&row.external_id, applied.after);
        }
        self.wake.notify_one();
        Ok(StatusCode::OK)
    }

    /// Intram's callback carries no signature: it only makes the engine ask Intram now.
    pub async fn intram_callback(&self, body: &[u8]) -> Result<StatusCode, JournalError> {
        let now = self.now();
        // The body is read by the gateway module (one function, fuzzed on its own).
        let Some(id) = crate::gateway::intram::decode::callback_transaction_id(body) else {
            let detail = json!({"reason": "callback Intram illisible", "bytes": body.len()});
            self.journal(move |j| j.record_event(None, "callback_rejected", &detail, now))
                .await?;
            return Ok(StatusCode::BAD_REQUEST);
        };
        let lookup = id.clone();
        let row = self.journal(move |j| j.find_by_gateway_id(&lookup)).await?;
        let Some(row) = row else {
            let detail = json!({"gateway": "intram", "transactionId": id});
            self.journal(move |j| j.record_event(None, "callback_unknown", &detail, now))
                .await?;
            return Ok(StatusCode::OK);
        };
        let ext = row.external_id.clone();
        let change = Change {
            next_poll_at: Some(Some(now)),
            ..Change::default()
        };
        let detail = json!({"gateway": "intram", "transactionId": id});
        self.journal(move |j| j.apply(&ext, &change, "callback", &detail, now))
            .await?;
        self.wake.notify_one();
        Ok(StatusCode::OK)
    }
}

fn payment_status(status: TransactionStatus, error: Option<&ErrorType>) -> PaymentStatus {
    match status {
        TransactionStatus::Pending => PaymentStatus::Pending,
        TransactionStatus::Processing => PaymentStatus::Processing,
        TransactionStatus::Success => PaymentStatus::Success,
        TransactionStatus::Failed => PaymentStatus::Failed {
            code: error.map(|e| e.code.clone()),
            message: error.map(|e| e.message.clone()),
        },
        TransactionStatus::Refunded => PaymentStatus::Refunded,
        TransactionStatus::Canceled => PaymentStatus::Canceled,
    }
}
