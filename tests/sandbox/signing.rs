//! The sandbox signs with its own code (`caisse::sandbox::signing`), the client and its
//! callback verifier with theirs (`caisse::gateway::intech`): both must give the values
//! computed by hand from the specification, and a callback the sandbox signs must pass the
//! product's verifier.

use caisse::gateway::intech::callback::{CallbackRejection, CallbackVerifier};
use caisse::gateway::intech::signing as product;
use caisse::sandbox::signing as sandbox;
use caisse::secret::Secret;

use crate::support::sandbox::*;

// printf '%s' 'TX-0001|ext-42|sandbox-key' | openssl dgst -sha256
const HASH: &str = "60f1c5aa1e45d32d2b129e3496028bd78f397939b4a81ccf12e4818e3dd8b3a9";
// printf '%s' 'POST:1700000000000:{"status":"SUCCESS"}' | openssl dgst -sha256 -hmac 'sandbox-secret'
const HMAC: &str = "0a24edd4a873d791f49ee8bc5f19e4cc00600af623b3a38ba519d0bc7914a805";
const BODY: &[u8] = br#"{"status":"SUCCESS"}"#;

#[test]
fn both_sides_give_the_values_computed_by_hand() {
    assert_eq!(
        sandbox::callback_hash("TX-0001", "ext-42", "sandbox-key"),
        HASH
    );
    assert_eq!(
        product::callback_hash("TX-0001", "ext-42", "sandbox-key"),
        HASH
    );
    assert_eq!(
        sandbox::hmac_signature("sandbox-secret", "POST", "1700000000000", BODY),
        HMAC
    );
    assert_eq!(
        product::hmac_signature("sandbox-secret", "POST", "1700000000000", BODY),
        HMAC
    );
}

#[test]
fn the_sandbox_checks_what_the_client_signs() {
    let at = 1_700_000_000_000;
    let check = |signature: &str, timestamp: &str, now: i64| {
        sandbox::check(
            "sandbox-secret",
            Some(signature),
            Some(timestamp),
            BODY,
            now,
        )
    };
    let signed = product::hmac_signature("sandbox-secret", "POST", &at.to_string(), BODY);
    assert_eq!(check(&signed, &at.to_string(), at + 1000), Ok(()));
    // Hex in capitals is the same signature.
    assert_eq!(check(&signed.to_uppercase(), &at.to_string(), at), Ok(()));
    assert_eq!(
        check(&signed, &at.to_string(), at + 5 * 60 * 1000 + 1),
        Err(sandbox::Refusal::TooOld)
    );
    assert_eq!(
        check(&signed, &at.to_string(), at - 5 * 60 * 1000 - 1),
        Err(sandbox::Refusal::TooNew)
    );
    assert_eq!(
        check(&signed, &(at + 1).to_string(), at),
        Err(sandbox::Refusal::Mismatch)
    );
    assert_eq!(
        check(&signed, "demain", at),
        Err(sandbox::Refusal::BadTimestamp)
    );
    assert_eq!(
        sandbox::check("sandbox-secret", None, Some("1"), BODY, at),
        Err(sandbox::Refusal::Missing)
    );
}

#[tokio::test]
async fn a_callback_signed_by_the_sandbox_passes_the_products_verifier() {
    let secret = "hmac-secret";
    let sb = Sandbox::start(SandboxConfig {
        hmac_secret: Some(secret.into()),
        ..fast()
    })
    .await;
    let receiver = Receiver::start(&[]).await;
    let mut body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, &receiver.url);
    body["apiKey"] = json!(KEY);
    let bytes = body.to_string().into_bytes();
    let ts = sandbox::now_ms().to_string();
    let headers = [
        (
            "Hmac-Signature",
            product::hmac_signature(secret, "POST", &ts, &bytes),
        ),
        ("Timestamp", ts),
    ];
    let reply = sb
        .post_raw("/api-services/operation", bytes, &headers)
        .await;
    assert_eq!(reply.json()["code"], 2000, "{}", reply.text);
    receiver.wait(1).await;

    let verifier = CallbackVerifier::new(Secret::new(KEY), Some(Secret::new(secret)));
    let wrong_key = CallbackVerifier::new(Secret::new("other"), Some(Secret::new(secret)));
    let wrong_secret = CallbackVerifier::new(Secret::new(KEY), Some(Secret::new("other")));
    {
        let hits = receiver.hits.lock().unwrap();
        let hit = &hits[0];
        let header = |name: &str| hit.headers.get(name).and_then(|v| v.to_str().ok());
        let (signature, timestamp) = (header("hmac-signature"), header("timestamp"));
        let callback = verifier
            .verify(signature, timestamp, &hit.body)
            .unwrap_or_else(|e| panic!("refused: {e:?}"));
        assert_eq!(callback.transaction.external_transaction_id, ext_of(&body));
        assert!(matches!(
            wrong_key.verify(signature, timestamp, &hit.body),
            Err(CallbackRejection::BadHash)
        ));
        assert!(matches!(
            wrong_secret.verify(signature, timestamp, &hit.body),
            Err(CallbackRejection::Hmac(_))
        ));
    }
    sb.stop().await;
}
