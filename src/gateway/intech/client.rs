//! The Intech client: one method per documented endpoint.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::models::*;
use super::{decode, signing};
use crate::gateway::DEFAULT_TIMEOUT;
use crate::gateway::GatewayError;
use crate::gateway::wire::{self, RawReply};
use crate::secret::Secret;

#[derive(Debug, Clone)]
pub struct IntechConfig {
    /// `https://api.intech.sn`, or the sandbox's URL.
    pub base_url: String,
    pub api_key: Secret,
    /// Set only when Intech enabled HMAC signing on the account.
    pub hmac_secret: Option<Secret>,
    /// The vendor asks for at least 60 s.
    pub timeout: Duration,
}

impl IntechConfig {
    pub fn new(base_url: impl Into<String>, api_key: Secret) -> Self {
        IntechConfig {
            base_url: base_url.into(),
            api_key,
            hmac_secret: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

#[derive(Debug, Clone)]
pub struct IntechClient {
    http: crate::http::LazyClient,
    base: String,
    config: IntechConfig,
}

impl IntechClient {
    pub fn new(config: IntechConfig) -> Result<Self, GatewayError> {
        // Built on the first request (`http::LazyClient`): not at start-up.
        let timeout = config.timeout;
        let http = crate::http::LazyClient::new(move || {
            crate::http::client_builder()
                .timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(15)))
                // A POST is never replayed to another address.
                .redirect(reqwest::redirect::Policy::none())
                .build()
        });
        let base = config.base_url.trim_end_matches('/').to_owned();
        Ok(IntechClient { http, base, config })
    }

    /// The HTTP client, built on this first request.
    async fn client(&self, endpoint: &'static str) -> Result<&reqwest::Client, GatewayError> {
        crate::gateway::error::built_client(&self.http, endpoint).await
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn api_key(&self) -> &Secret {
        &self.config.api_key
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api-services/{path}", self.base)
    }

    /// The secrets this client holds, for blanking them out of texts from outside.
    pub fn secrets(&self) -> Vec<&str> {
        let mut s = vec![self.config.api_key.expose()];
        if let Some(h) = &self.config.hmac_secret {
            s.push(h.expose());
        }
        s
    }

    async fn get(&self, endpoint: &'static str) -> Result<RawReply, GatewayError> {
        tracing::debug!(endpoint, "GET");
        let request = self
            .client(endpoint)
            .await?
            .get(self.url(endpoint))
            .header("Secretkey", self.config.api_key.expose());
        wire::send(request, endpoint, self.config.timeout, &self.secrets()).await
    }

    /// POSTs `fields` plus `apiKey`, with the `Secretkey` header as well: one server version
    /// reads only the header on `get-transaction-status` (and ignores the body's key), the
    /// next accepts either; sending both satisfies every version. The body is serialised
    /// once; those exact bytes are signed (when HMAC is on) and sent. The body is never
    /// logged: the key travels in it.
    async fn post(
        &self,
        endpoint: &'static str,
        path: &str,
        fields: Map<String, Value>,
    ) -> Result<RawReply, GatewayError> {
        self.post_within(endpoint, path, fields, self.config.timeout)
            .await
    }

    /// [`Self::post`] with its own timeout (a MoneyGram operation waits on MoneyGram's
    /// commits, longer than any other request).
    async fn post_within(
        &self,
        endpoint: &'static str,
        path: &str,
        mut fields: Map<String, Value>,
        timeout: Duration,
    ) -> Result<RawReply, GatewayError> {
        fields.insert("apiKey".into(), Value::from(self.config.api_key.expose()));
        let body =
            serde_json::to_vec(&Value::Object(fields)).map_err(|e| GatewayError::Decode {
                endpoint,
                path: "$".into(),
                reason: format!("requête impossible à encoder : {e}"),
            })?;
        let mut request = self
            .client(endpoint)
            .await?
            .post(self.url(path))
            .header("Secretkey", self.config.api_key.expose())
            .timeout(timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if let Some(secret) = &self.config.hmac_secret {
            let timestamp = signing::now_ms().to_string();
            let signature = signing::hmac_signature(secret.expose(), "POST", &timestamp, &body);
            request = request
                .header("Hmac-Signature", signature)
                .header("Timestamp", timestamp);
        }
        tracing::debug!(endpoint, bytes = body.len(), "POST");
        wire::send(request.body(body), endpoint, timeout, &self.secrets()).await
    }

    /// `GET /api-services/services`.
    pub async fn services(&self) -> Result<Vec<Service>, GatewayError> {
        let reply = self.get("services").await?;
        decode::services(&reply, &self.secrets())
    }

    /// `GET /api-services/errors` (the list comes under `services`).
    pub async fn errors(&self) -> Result<Vec<ErrorEntry>, GatewayError> {
        let reply = self.get("errors").await?;
        decode::errors(&reply, &self.secrets())
    }

    /// `GET /api-services/balance`.
    pub async fn balance(&self) -> Result<Balance, GatewayError> {
        let reply = self.get("balance").await?;
        decode::balance(&reply, &self.secrets())
    }

    /// `POST /api-services/list-pending-bills`: the bills of an account (possibly none).
    pub async fn pending_bills(
        &self,
        code_service: &str,
        account_number: &str,
    ) -> Result<Vec<PendingBill>, GatewayError> {
        let fields = object(json!({
            "codeService": code_service,
            "billAccountNumber": account_number,
        }));
        let reply = self
            .post("list-pending-bills", "list-pending-bills", fields)
            .await?;
        decode::pending_bills(&reply, &self.secrets())
    }

    /// `POST /api-services/operation`: starts a transaction. A refusal may carry the
    /// gateway's transaction id (it was created, then FAILLED).
    pub async fn operation(
        &self,
        request: &OperationRequest,
    ) -> Result<OperationReply, GatewayError> {
        let fields = match serde_json::to_value(request) {
            Ok(Value::Object(map)) => map,
            _ => unreachable!("OperationRequest serialises to an object"),
        };
        // MoneyGram's operations wait on MoneyGram (the payout's commit is retried for
        // over 30 s by the server): they get a longer timeout than the configured one.
        let timeout =
            crate::domain::moneygram::request_timeout(&request.code_service, self.config.timeout);
        let reply = self
            .post_within("operation", "operation", fields, timeout)
            .await?;
        decode::operation(&reply, &self.secrets())
    }

    /// `POST /api-services/get-transaction-status`. Intech blacklists an IP that calls this
    /// more than 3 times a minute for one transaction: callers must budget it.
    pub async fn transaction_status(
        &self,
        external_transaction_id: &str,
    ) -> Result<StatusReply, GatewayError> {
        let fields = object(json!({ "externalTransactionId": external_transaction_id }));
        let reply = self
            .post("get-transaction-status", "get-transaction-status", fields)
            .await?;
        decode::transaction_status(&reply, &self.secrets())
    }

    /// `POST /api-services/new-claim`.
    pub async fn new_claim(
        &self,
        subject: &str,
        message: &str,
        transaction_id: &str,
    ) -> Result<Claim, GatewayError> {
        let fields = object(json!({
            "subject": subject,
            "message": message,
            "transactionId": transaction_id,
        }));
        let reply = self.post("new-claim", "new-claim", fields).await?;
        decode::claim(&reply, &self.secrets())
    }

    /// `POST /api-services/transaction/refund-cancel`. The reply has no envelope; a
    /// `statutTreatment` other than SUCCESS is a refusal.
    pub async fn refund_cancel(&self, transaction_id: &str) -> Result<RefundReply, GatewayError> {
        self.refund_cancel_with(transaction_id, &Map::new()).await
    }

    /// [`Self::refund_cancel`] with more fields: a MoneyGram send's reversal carries its
    /// operator, reason, fee refund and check (`moneyGram…`). `transactionId` and `apiKey`
    /// are this client's to set, never `extra`'s.
    pub async fn refund_cancel_with(
        &self,
        transaction_id: &str,
        extra: &Map<String, Value>,
    ) -> Result<RefundReply, GatewayError> {
        const ENDPOINT: &str = "refund-cancel";
        let mut fields = extra.clone();
        fields.remove("apiKey");
        fields.insert("transactionId".into(), Value::from(transaction_id));
        let reply = self
            .post(ENDPOINT, "transaction/refund-cancel", fields)
            .await?;
        decode::refund(&reply, &self.secrets(), transaction_id)
    }

    /// `POST /api-services/moneygram-reception-info`: who sent what to whom.
    pub async fn moneygram_reception_info(
        &self,
        reference_number: &str,
    ) -> Result<MoneygramReception, GatewayError> {
        const ENDPOINT: &str = "moneygram-reception-info";
        let fields = object(json!({
            "codeService": "MONEYGRAM_SN_API_CASH_OUT",
            "referenceNumber": reference_number,
        }));
        let reply = self.post(ENDPOINT, ENDPOINT, fields).await?;
        decode::moneygram_reception(&reply, &self.secrets())
    }

    /// `POST /api-services/moneygram-send-info`: fees and amount to collect for a send.
    /// `send_data` is the documented `moneygramSendData` object (sender and receiver).
    pub async fn moneygram_send_info(
        &self,
        amount: i64,
        send_data: &Value,
    ) -> Result<MoneygramSendInfo, GatewayError> {
        const ENDPOINT: &str = "moneygram-send-info";
        let fields = object(json!({
            "codeService": "MONEYGRAM_SN_API_CASH_IN",
            "amount": amount,
            "moneygramSendData": send_data,
        }));
        let reply = self.post(ENDPOINT, ENDPOINT, fields).await?;
        decode::moneygram_send(&reply, &self.secrets())
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
