//! Callbacks (webhooks) from Intech: parsing and verification.
//!
//! `sha256Hash` covers only the two ids and the key: it proves the sender knows the key, not
//! that the status is genuine (a replayed callback with its status changed would pass). The
//! engine therefore confirms a SUCCESS by one status query unless HMAC signing is on, which
//! covers the whole body and a timestamp.

use serde::Deserialize;
use serde_json::Value;

use super::signing::{self, HmacError};
use crate::domain::IntechStatus;
use crate::gateway::lenient;
use crate::gateway::{ErrorType, GatewayError, wire};
use crate::secret::Secret;

/// Callback bodies larger than this are refused before parsing (the documented body is
/// under 2 kB; custom `data` adds a little).
pub const MAX_CALLBACK_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Callback {
    #[serde(default)]
    pub msg: Option<String>,
    pub status: IntechStatus,
    #[serde(default, deserialize_with = "lenient::string_or_default")]
    pub sha256_hash: String,
    pub transaction: CallbackTransaction,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallbackTransaction {
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub amount: Option<i64>,
    #[serde(default)]
    pub code_service: Option<String>,
    #[serde(default)]
    pub name_service: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub commission: Option<f64>,
    #[serde(deserialize_with = "lenient::string_or_number")]
    pub transaction_id: String,
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub sous_service_transaction_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub current_balance: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub balance_before_transaction_init: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub balance_after_transaction_init: Option<f64>,
    #[serde(deserialize_with = "lenient::string_or_number")]
    pub external_transaction_id: String,
    #[serde(default)]
    pub callback_url: Option<String>,
    #[serde(default)]
    pub error_type: Option<ErrorType>,
    /// The custom data sent with the operation, parsed (an object even if sent as a string).
    #[serde(default, deserialize_with = "lenient::json_object_or_string")]
    pub data: Option<Value>,
}

/// Parses a callback body. Malformed, oversized or incomplete bodies give a decode error
/// naming the path.
pub fn parse_callback(body: &[u8]) -> Result<Callback, GatewayError> {
    const ENDPOINT: &str = "callback";
    if body.len() > MAX_CALLBACK_BYTES {
        return Err(GatewayError::Decode {
            endpoint: ENDPOINT,
            path: "$".into(),
            reason: format!("corps trop volumineux ({} octets)", body.len()),
        });
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| GatewayError::Decode {
        endpoint: ENDPOINT,
        path: "$".into(),
        reason: format!("JSON invalide ({e})"),
    })?;
    wire::typed(ENDPOINT, "", value)
}

/// `sha256Hash == hex(SHA256(transactionId|externalTransactionId|apiKey))`, compared in
/// constant time.
pub fn verify_sha256_hash(callback: &Callback, api_key: &Secret) -> bool {
    let expected = signing::callback_hash(
        &callback.transaction.transaction_id,
        &callback.transaction.external_transaction_id,
        api_key.expose(),
    );
    signing::digests_equal(&expected, &callback.sha256_hash)
}

/// Why a callback was turned away; recorded in the journal as given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallbackRejection {
    #[error("corps illisible : {0}")]
    Malformed(String),
    #[error("sha256Hash incorrect")]
    BadHash,
    #[error("HMAC : {0}")]
    Hmac(#[from] HmacError),
}

impl CallbackRejection {
    /// A short fixed name, for counting rejections by kind.
    pub fn kind(&self) -> &'static str {
        match self {
            CallbackRejection::Malformed(_) => "malformed",
            CallbackRejection::BadHash => "hash",
            CallbackRejection::Hmac(_) => "hmac",
        }
    }
}

/// Verifies callbacks with the shop's key, the HMAC secret when signing is on, and a clock
/// that tests can set.
pub struct CallbackVerifier {
    api_key: Secret,
    hmac_secret: Option<Secret>,
    clock: Box<dyn Fn() -> i64 + Send + Sync>,
}

impl CallbackVerifier {
    pub fn new(api_key: Secret, hmac_secret: Option<Secret>) -> Self {
        CallbackVerifier {
            api_key,
            hmac_secret,
            clock: Box::new(signing::now_ms),
        }
    }

    /// The same verifier with another clock (milliseconds since the epoch).
    pub fn with_clock(mut self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    pub fn hmac_enabled(&self) -> bool {
        self.hmac_secret.is_some()
    }

    /// Checks the raw body: HMAC first when configured (headers `hmac-signature`,
    /// `timestamp`), then the body's shape, then `sha256Hash`.
    pub fn verify(
        &self,
        hmac_signature: Option<&str>,
        timestamp: Option<&str>,
        body: &[u8],
    ) -> Result<Callback, CallbackRejection> {
        if let Some(secret) = &self.hmac_secret {
            signing::verify_hmac(
                secret.expose(),
                "POST",
                hmac_signature,
                timestamp,
                body,
                (self.clock)(),
            )?;
        }
        let callback =
            parse_callback(body).map_err(|e| CallbackRejection::Malformed(e.to_string()))?;
        if !verify_sha256_hash(&callback, &self.api_key) {
            return Err(CallbackRejection::BadHash);
        }
        Ok(callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(tx: &str, ext: &str, key: &str, status: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "msg": "ok", "status": status,
            "sha256Hash": signing::callback_hash(tx, ext, key),
            "transaction": {"transactionId": tx, "externalTransactionId": ext, "amount": 100, "data": "{\"k\":1}"}
        }))
        .unwrap()
    }

    #[test]
    fn verifies_hash_and_hmac_with_an_injected_clock() {
        let b = body("123", "ext-1", "key", "SUCCESS");
        let plain = CallbackVerifier::new(Secret::new("key"), None);
        let cb = plain.verify(None, None, &b).unwrap();
        assert_eq!(cb.status, IntechStatus::Success);
        assert_eq!(cb.transaction.data.unwrap()["k"], 1);
        let wrong = CallbackVerifier::new(Secret::new("other"), None);
        assert_eq!(
            wrong.verify(None, None, &b),
            Err(CallbackRejection::BadHash)
        );

        let now = 1_700_000_000_000_i64;
        let signed = CallbackVerifier::new(Secret::new("key"), Some(Secret::new("h")))
            .with_clock(move || now);
        let ts = (now - 1000).to_string();
        let sig = signing::hmac_signature("h", "POST", &ts, &b);
        assert!(signed.verify(Some(&sig), Some(&ts), &b).is_ok());
        let stale = (now - 6 * 60 * 1000).to_string();
        let sig_stale = signing::hmac_signature("h", "POST", &stale, &b);
        assert!(matches!(
            signed.verify(Some(&sig_stale), Some(&stale), &b),
            Err(CallbackRejection::Hmac(HmacError::Expired { .. }))
        ));
        assert!(matches!(
            signed.verify(None, None, &b),
            Err(CallbackRejection::Hmac(HmacError::Missing))
        ));
        assert!(matches!(
            plain.verify(None, None, b"{"),
            Err(CallbackRejection::Malformed(_))
        ));
        assert!(matches!(
            plain.verify(None, None, &vec![b' '; MAX_CALLBACK_BYTES + 1]),
            Err(CallbackRejection::Malformed(_))
        ));
    }
}
