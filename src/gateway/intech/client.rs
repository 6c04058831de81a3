//! The Intech client: one method per documented endpoint.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::models::*;
use super::signing;
use crate::config::DEFAULT_TIMEOUT;
use crate::gateway::wire::{self, RawReply};
use crate::gateway::{ErrorType, GatewayError};
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
    http: reqwest::Client,
    base: String,
    config: IntechConfig,
}

/// The code Intech puts in the body of every successful reply.
pub const SUCCESS_CODE: i64 = 2000;

impl IntechClient {
    pub fn new(config: IntechConfig) -> Result<Self, GatewayError> {
        let http = crate::http::client_builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(15)))
            // A POST is never replayed to another address.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| GatewayError::Transport {
                endpoint: "client",
                connect: true,
                reason: e.to_string(),
            })?;
        let base = config.base_url.trim_end_matches('/').to_owned();
        Ok(IntechClient { http, base, config })
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
            .http
            .get(self.url(endpoint))
            .header("Secretkey", self.config.api_key.expose());
        wire::send(request, endpoint, self.config.timeout, &self.secrets()).await
    }

    /// POSTs `fields` plus `apiKey`. The body is serialised once; those exact bytes are
    /// signed (when HMAC is on) and sent. The body is never logged: the key travels in it.
    async fn post(
        &self,
        endpoint: &'static str,
        path: &str,
        mut fields: Map<String, Value>,
    ) -> Result<RawReply, GatewayError> {
        fields.insert("apiKey".into(), Value::from(self.config.api_key.expose()));
        let body =
            serde_json::to_vec(&Value::Object(fields)).map_err(|e| GatewayError::Decode {
                endpoint,
                path: "$".into(),
                reason: format!("requête impossible à encoder : {e}"),
            })?;
        let mut request = self
            .http
            .post(self.url(path))
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if let Some(secret) = &self.config.hmac_secret {
            let timestamp = signing::now_ms().to_string();
            let signature = signing::hmac_signature(secret.expose(), "POST", &timestamp, &body);
            request = request
                .header("Hmac-Signature", signature)
                .header("Timestamp", timestamp);
        }
        tracing::debug!(endpoint, bytes = body.len(), "POST");
        wire::send(
            request.body(body),
            endpoint,
            self.config.timeout,
            &self.secrets(),
        )
        .await
    }

    /// Reads the `{code, msg, error, data}` envelope: `code == 2000` gives `data` decoded as
    /// `T`; any other code is a refusal carrying `msg`, `errorType` and field errors.
    fn enveloped<T: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        reply: &RawReply,
    ) -> Result<T, GatewayError> {
        let value = wire::parse_json(endpoint, reply, &self.secrets())?;
        let data = check_envelope(endpoint, reply, value, &self.secrets())?;
        wire::typed(endpoint, "data", data)
    }

    /// `GET /api-services/services`.
    pub async fn services(&self) -> Result<Vec<Service>, GatewayError> {
        let reply = self.get("services").await?;
        self.list("services", &reply)
    }

    /// `GET /api-services/errors` (the list comes under `services`).
    pub async fn errors(&self) -> Result<Vec<ErrorEntry>, GatewayError> {
        let reply = self.get("errors").await?;
        self.list("errors", &reply)
    }

    fn list<T: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        reply: &RawReply,
    ) -> Result<Vec<T>, GatewayError> {
        let value = wire::parse_json(endpoint, reply, &self.secrets())?;
        // A refusal (wrong key…) comes in the usual envelope.
        if value.get("services").is_none() && value.get("code").is_some() {
            check_envelope(endpoint, reply, value, &self.secrets())?;
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
                snippet: wire::snippet(&reply.body, &self.secrets()),
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

    /// `GET /api-services/balance`.
    pub async fn balance(&self) -> Result<Balance, GatewayError> {
        let reply = self.get("balance").await?;
        self.enveloped("balance", &reply)
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
        let data: PendingBillsData = self.enveloped("list-pending-bills", &reply)?;
        Ok(data.into_bills())
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
        let reply = self.post("operation", "operation", fields).await?;
        self.enveloped("operation", &reply)
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
        self.enveloped("get-transaction-status", &reply)
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
        let data: ClaimData = self.enveloped("new-claim", &reply)?;
        Ok(data.claim)
    }

    /// `POST /api-services/transaction/refund-cancel`. The reply has no envelope; a
    /// `statutTreatment` other than SUCCESS is a refusal.
    pub async fn refund_cancel(&self, transaction_id: &str) -> Result<RefundReply, GatewayError> {
        const ENDPOINT: &str = "refund-cancel";
        let fields = object(json!({ "transactionId": transaction_id }));
        let reply = self
            .post(ENDPOINT, "transaction/refund-cancel", fields)
            .await?;
        let value = wire::parse_json(ENDPOINT, &reply, &self.secrets())?;
        if value.get("statutTreatment").is_none() {
            // Errors such as a wrong key come in the usual envelope.
            if value.get("code").is_some() {
                check_envelope(ENDPOINT, &reply, value, &self.secrets())?;
            } else if !reply.is_success() {
                return Err(GatewayError::Http {
                    endpoint: ENDPOINT,
                    status: reply.status,
                    snippet: wire::snippet(&reply.body, &self.secrets()),
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
        let raw: Value = self.enveloped(ENDPOINT, &reply)?;
        let data: ReceptionData = wire::typed(ENDPOINT, "data", raw.clone())?;
        let r = data.reference_number_response;
        Ok(MoneygramReception {
            sender_name: format!("{} {}", r.sender_first_name, r.sender_last_name)
                .trim()
                .to_owned(),
            receiver_name: format!("{} {}", r.receiver_first_name, r.receiver_last_name)
                .trim()
                .to_owned(),
            receive_amount: r.receive_amount,
            receive_currency: r.receive_currency,
            transaction_status: r.transaction_status,
            ok_for_pickup: r.ok_for_pickup,
            raw,
        })
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
        let raw: Value = self.enveloped(ENDPOINT, &reply)?;
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
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
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
