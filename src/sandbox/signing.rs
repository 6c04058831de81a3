//! The sandbox's own side of Intech's two hashes, written from the specification
//! (`payment-apis.md`, "Optional HMAC signing" and the callback's "Authenticity") and not shared with
//! the client: a mistake in one is then caught by the other (`tests/sandbox_signing.rs`
//! checks both against values computed by hand with `openssl`).
//!
//! * callback `sha256Hash` = `hex(SHA256(transactionId "|" externalTransactionId "|" apiKey))`;
//! * `Hmac-Signature` = `hex(HMAC-SHA256(secret, "POST:" timestampMs ":" body))`, over the body's
//!   exact bytes, with the `Timestamp` header; refused beyond 5 minutes either way.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// How far a signed request's timestamp may be from the sandbox's clock.
const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

/// The `sha256Hash` of an Intech callback.
pub fn callback_hash(transaction_id: &str, external_id: &str, api_key: &str) -> String {
    let joined = format!("{transaction_id}|{external_id}|{api_key}");
    hex::encode(Sha256::digest(joined.as_bytes()))
}

/// The `Hmac-Signature` header for `body` sent with `method` at `timestamp_ms`.
pub fn hmac_signature(secret: &str, method: &str, timestamp_ms: &str, body: &[u8]) -> String {
    let mut message = Vec::with_capacity(method.len() + timestamp_ms.len() + 2 + body.len());
    message.extend_from_slice(method.as_bytes());
    message.push(b':');
    message.extend_from_slice(timestamp_ms.as_bytes());
    message.push(b':');
    message.extend_from_slice(body);
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(&message);
    hex::encode(mac.finalize().into_bytes())
}

/// Why the sandbox refused a signed request (the French words go into its 401 answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    BadTimestamp,
    TooOld,
    TooNew,
    Mismatch,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::Missing => "en-têtes hmac-signature et timestamp requis",
            Refusal::BadTimestamp => "horodatage illisible",
            Refusal::TooOld => "horodatage trop ancien (plus de 5 minutes)",
            Refusal::TooNew => "horodatage dans le futur (plus de 5 minutes d'avance)",
            Refusal::Mismatch => "signature incorrecte",
        })
    }
}

/// Checks a POST's `hmac-signature` and `timestamp` headers against its body at `now_ms`.
pub fn check(
    secret: &str,
    signature: Option<&str>,
    timestamp: Option<&str>,
    body: &[u8],
    now_ms: i64,
) -> Result<(), Refusal> {
    let (Some(signature), Some(timestamp)) = (signature, timestamp) else {
        return Err(Refusal::Missing);
    };
    let timestamp = timestamp.trim();
    let sent: i64 = timestamp.parse().map_err(|_| Refusal::BadTimestamp)?;
    match now_ms.checked_sub(sent) {
        Some(age) if age > MAX_SKEW_MS => return Err(Refusal::TooOld),
        Some(age) if age < -MAX_SKEW_MS => return Err(Refusal::TooNew),
        Some(_) => {}
        None => return Err(Refusal::TooOld),
    }
    // Constant time: `Mac::verify_slice` compares the raw bytes.
    let Ok(received) = hex::decode(signature.trim()) else {
        return Err(Refusal::Mismatch);
    };
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(b"POST:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac.verify_slice(&received).map_err(|_| Refusal::Mismatch)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
