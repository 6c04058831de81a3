//! The Intram client.

use std::time::Duration;

use super::decode;
use super::models::{IntramConfirm, IntramPaymentReply, IntramPaymentRequest};
use crate::gateway::DEFAULT_TIMEOUT;
use crate::gateway::GatewayError;
use crate::gateway::wire;
use crate::secret::Secret;

#[derive(Debug, Clone)]
pub struct IntramConfig {
    /// `https://webservices.intram.org:4002/api/v1`, or the sandbox's `…/api/v1`.
    pub base_url: String,
    pub public_key: Secret,
    pub private_key: Secret,
    pub secret_key: Secret,
    /// The merchant id; Intram's newer docs say it is no longer required.
    pub marchand_key: Option<Secret>,
    pub timeout: Duration,
}

impl IntramConfig {
    pub fn new(
        base_url: impl Into<String>,
        public: Secret,
        private: Secret,
        secret: Secret,
    ) -> Self {
        IntramConfig {
            base_url: base_url.into(),
            public_key: public,
            private_key: private,
            secret_key: secret,
            marchand_key: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

#[derive(Debug, Clone)]
pub struct IntramClient {
    http: crate::http::LazyClient,
    base: String,
    config: IntramConfig,
}

impl IntramClient {
    pub fn new(config: IntramConfig) -> Result<Self, GatewayError> {
        // Built on the first request (`http::LazyClient`): not at start-up.
        let timeout = config.timeout;
        let http = crate::http::LazyClient::new(move || {
            crate::http::client_builder()
                .timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(15)))
                .redirect(reqwest::redirect::Policy::none())
                .build()
        });
        let base = config.base_url.trim_end_matches('/').to_owned();
        Ok(IntramClient { http, base, config })
    }

    /// The HTTP client, built on this first request.
    async fn client(&self, endpoint: &'static str) -> Result<&reqwest::Client, GatewayError> {
        crate::gateway::error::built_client(&self.http, endpoint).await
    }

    /// The secrets this client holds, for blanking them out of texts from outside.
    pub fn secrets(&self) -> Vec<&str> {
        let mut s = vec![
            self.config.public_key.expose(),
            self.config.private_key.expose(),
            self.config.secret_key.expose(),
        ];
        if let Some(m) = &self.config.marchand_key {
            s.push(m.expose());
        }
        s
    }

    /// The four key headers on every request (`X-MARCHAND-KEY` only when configured).
    fn with_keys(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let mut request = request
            .header("X-API-KEY", self.config.public_key.expose())
            .header("X-PRIVATE-KEY", self.config.private_key.expose())
            .header("X-SECRET-KEY", self.config.secret_key.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if let Some(m) = &self.config.marchand_key {
            request = request.header("X-MARCHAND-KEY", m.expose());
        }
        request
    }

    /// `POST payments/request`.
    pub async fn payment_request(
        &self,
        request: &IntramPaymentRequest,
    ) -> Result<IntramPaymentReply, GatewayError> {
        const ENDPOINT: &str = "payments/request";
        let body = request.body(
            self.config.public_key.expose(),
            self.config.private_key.expose(),
            self.config.secret_key.expose(),
        );
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let http = self
            .with_keys(
                self.client(ENDPOINT)
                    .await?
                    .post(format!("{}/payments/request", self.base)),
            )
            .body(bytes);
        let reply = wire::send(http, ENDPOINT, self.config.timeout, &self.secrets()).await?;
        decode::payment_reply(&reply, &self.secrets())
    }

    /// `GET transactions/confirm/{id}`.
    pub async fn confirm(&self, transaction_id: &str) -> Result<IntramConfirm, GatewayError> {
        const ENDPOINT: &str = "transactions/confirm";
        // The id goes in the path: refuse anything that would change the path.
        if transaction_id.is_empty()
            || !transaction_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(GatewayError::Refused {
                code: 400,
                message: format!(
                    "identifiant de transaction Intram invalide : « {transaction_id} »"
                ),
                error_type: None,
                fields: Default::default(),
                transaction_id: None,
                http_status: 0,
            });
        }
        let http = self.with_keys(self.client(ENDPOINT).await?.get(format!(
            "{}/transactions/confirm/{transaction_id}",
            self.base
        )));
        let reply = wire::send(http, ENDPOINT, self.config.timeout, &self.secrets()).await?;
        decode::confirm(&reply, &self.secrets())
    }
}
