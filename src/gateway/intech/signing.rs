//! The two hashes of the Intech API: the callback's `sha256Hash` and the optional HMAC
//! signature of POST bodies (both ways). Shared by the client, the callback verifier and the
//! sandbox, so that all three agree on the exact bytes hashed.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How old a signed message may be before it is refused (the vendor's default).
pub const HMAC_MAX_AGE_MS: i64 = 5 * 60 * 1000;

/// `hex(SHA256(transactionId + "|" + externalTransactionId + "|" + apiKey))`.
pub fn callback_hash(transaction_id: &str, external_transaction_id: &str, api_key: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(transaction_id.as_bytes());
    hasher.update(b"|");
    hasher.update(external_transaction_id.as_bytes());
    hasher.update(b"|");
    hasher.update(api_key.as_bytes());
    hex::encode(hasher.finalize())
}

/// `hex(HMAC-SHA256(secret, METHOD + ":" + timestampMs + ":" + body))`, over the exact bytes
/// of the body as sent.
pub fn hmac_signature(secret: &str, method: &str, timestamp_ms: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(method.as_bytes());
    mac.update(b":");
    mac.update(timestamp_ms.as_bytes());
    mac.update(b":");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Compares two hex digests in constant time (case-insensitive, as hex may come either way).
pub fn digests_equal(expected: &str, received: &str) -> bool {
    let a = expected.trim().to_ascii_lowercase();
    let b = received.trim().to_ascii_lowercase();
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Why a signed message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HmacError {
    #[error("en-tête de signature ou d'horodatage absent")]
    Missing,
    #[error("horodatage illisible : {0}")]
    BadTimestamp(String),
    #[error("horodatage trop ancien ({age_ms} ms, maximum 5 minutes)")]
    Expired { age_ms: i64 },
    #[error("horodatage dans le futur ({ahead_ms} ms d'avance)")]
    FromTheFuture { ahead_ms: i64 },
    #[error("signature HMAC incorrecte")]
    Mismatch,
}

/// Checks a signed message received at `now_ms` (the clock is the caller's, so tests can
/// move it). A timestamp more than 5 minutes old is refused, and so is one more than
/// 5 minutes ahead (a clock that far off is as suspicious as a replay).
pub fn verify_hmac(
    secret: &str,
    method: &str,
    signature: Option<&str>,
    timestamp_ms: Option<&str>,
    body: &[u8],
    now_ms: i64,
) -> Result<(), HmacError> {
    let (Some(signature), Some(timestamp)) = (signature, timestamp_ms) else {
        return Err(HmacError::Missing);
    };
    let timestamp = timestamp.trim();
    let sent: i64 = timestamp
        .parse()
        .map_err(|_| HmacError::BadTimestamp(timestamp.chars().take(20).collect()))?;
    // Saturating: the timestamp is the sender's, any i64. Found by the property tests:
    // `now_ms - sent` overflowed (a panic in debug builds) for a timestamp near i64::MIN.
    let age_ms = now_ms.saturating_sub(sent);
    if age_ms > HMAC_MAX_AGE_MS {
        return Err(HmacError::Expired { age_ms });
    }
    if age_ms < -HMAC_MAX_AGE_MS {
        return Err(HmacError::FromTheFuture {
            ahead_ms: age_ms.saturating_neg(),
        });
    }
    let expected = hmac_signature(secret, method, timestamp, body);
    if digests_equal(&expected, signature) {
        Ok(())
    } else {
        Err(HmacError::Mismatch)
    }
}

/// Milliseconds since the Unix epoch, for the `Timestamp` header.
pub use crate::clock::now_ms;

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values computed independently with Python's hashlib/hmac:
    // hashlib.sha256(b"2313499724668|C898soe.09ksssssd8sd|key").hexdigest()
    // hmac.new(b"secret", b'POST:1699548600000:{"a":1}', hashlib.sha256).hexdigest()
    #[test]
    fn matches_reference_values() {
        assert_eq!(
            callback_hash("2313499724668", "C898soe.09ksssssd8sd", "key"),
            REF_SHA
        );
        assert_eq!(
            hmac_signature("secret", "POST", "1699548600000", br#"{"a":1}"#),
            REF_HMAC
        );
    }

    const REF_SHA: &str = "067888fe6496e4f212eb349eba7f31280dd34e95ef473b1e04526a60038c76aa";
    const REF_HMAC: &str = "772f661787bc593e4dd08c3c12e5ff7dbfa6110681ae6ffa92cdbe2e4a911305";

    /// Regression (property tests): a timestamp at either end of i64 overflowed the age.
    #[test]
    fn extreme_timestamps_are_refused_without_overflow() {
        let body = b"{}";
        for (ts, now) in [
            (i64::MIN, 1_700_000_000_000),
            (i64::MAX, 1_700_000_000_000),
            (i64::MIN, i64::MAX),
            (i64::MAX, i64::MIN),
            (1_700_000_000_000, i64::MIN),
        ] {
            let ts = ts.to_string();
            let sig = hmac_signature("s", "POST", &ts, body);
            let result = verify_hmac("s", "POST", Some(&sig), Some(&ts), body, now);
            assert!(
                matches!(
                    result,
                    Err(HmacError::Expired { .. } | HmacError::FromTheFuture { .. })
                ),
                "{ts} at {now}: {result:?}"
            );
        }
    }

    #[test]
    fn window_and_constant_time_compare() {
        let body = br#"{"status":"SUCCESS"}"#;
        let now = 1_700_000_000_000;
        let sig = hmac_signature("s", "POST", &now.to_string(), body);
        let ts = now.to_string();
        assert_eq!(
            verify_hmac("s", "POST", Some(&sig), Some(&ts), body, now),
            Ok(())
        );
        // Uppercase hex is the same digest.
        let upper = sig.to_ascii_uppercase();
        assert_eq!(
            verify_hmac("s", "POST", Some(&upper), Some(&ts), body, now + 1000),
            Ok(())
        );
        assert!(matches!(
            verify_hmac(
                "s",
                "POST",
                Some(&sig),
                Some(&ts),
                body,
                now + HMAC_MAX_AGE_MS + 1
            ),
            Err(HmacError::Expired { .. })
        ));
        assert!(matches!(
            verify_hmac(
                "s",
                "POST",
                Some(&sig),
                Some(&ts),
                body,
                now - HMAC_MAX_AGE_MS - 1
            ),
            Err(HmacError::FromTheFuture { .. })
        ));
        assert_eq!(
            verify_hmac(
                "s",
                "POST",
                Some(&sig),
                Some(&ts),
                b"{\"status\":\"FAILLED\"}",
                now
            ),
            Err(HmacError::Mismatch)
        );
        assert_eq!(
            verify_hmac("other", "POST", Some(&sig), Some(&ts), body, now),
            Err(HmacError::Mismatch)
        );
        assert_eq!(
            verify_hmac("s", "POST", None, Some(&ts), body, now),
            Err(HmacError::Missing)
        );
        assert!(matches!(
            verify_hmac("s", "POST", Some(&sig), Some("abc"), body, now),
            Err(HmacError::BadTimestamp(_))
        ));
    }
}
