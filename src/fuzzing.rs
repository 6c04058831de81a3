//! Entry points for the fuzz targets under `fuzz/` (cargo-fuzz): one function per parser of
//! outside input, taking raw bytes. Each one runs the real parser (the same function the
//! client, the callback listener, the socket service or the config loader runs) and checks
//! what must hold whatever the input: no panic, a typed result, and a few invariants that
//! an input cannot break (they panic when broken, which the fuzzer reports).
//!
//! Not an API: hidden from the docs, kept out of the app's code paths.

use serde_json::Value;

use crate::gateway::intech::callback::{self, CallbackVerifier};
use crate::gateway::intech::{decode as intech, signing};
use crate::gateway::intram::decode as intram;
use crate::gateway::{GatewayError, RawReply};
use crate::secret::Secret;

/// The HTTP statuses a gateway reply may come with, chosen by one byte.
const STATUSES: [u16; 8] = [200, 201, 400, 401, 403, 404, 500, 502];

/// The key and HMAC secret the callback target signs with.
pub const FUZZ_API_KEY: &str = "fuzz-api-key";
pub const FUZZ_HMAC_SECRET: &str = "fuzz-hmac-secret";
/// The verifier's clock in the callback target (ms since the epoch).
pub const FUZZ_NOW_MS: i64 = 1_700_000_000_000;

/// `[endpoint, status, body…]` → the reply `body` with that status, decoded by the chosen
/// Intech endpoint's decoder.
pub fn intech_reply(data: &[u8]) {
    let [which, status, body @ ..] = data else {
        return;
    };
    let reply = RawReply {
        status: STATUSES[usize::from(*status) % STATUSES.len()],
        body: body.to_vec(),
    };
    let secrets = ["fuzz-secret"];
    let outcome: Result<(), GatewayError> = match which % 10 {
        0 => intech::balance(&reply, &secrets).map(drop),
        1 => intech::services(&reply, &secrets).map(drop),
        2 => intech::errors(&reply, &secrets).map(drop),
        3 => intech::pending_bills(&reply, &secrets).map(drop),
        4 => intech::operation(&reply, &secrets).map(|r| {
            let _ = r.customer_url();
        }),
        5 => intech::transaction_status(&reply, &secrets).map(drop),
        6 => intech::claim(&reply, &secrets).map(drop),
        7 => intech::refund(&reply, &secrets, "T1").map(drop),
        8 => intech::moneygram_reception(&reply, &secrets).map(drop),
        _ => intech::moneygram_send(&reply, &secrets).map(drop),
    };
    check_error(outcome, &reply);
}

/// `[endpoint, status, body…]` → Intram's `payments/request` (even endpoint byte) or
/// `transactions/confirm` (odd) decoder.
pub fn intram_reply(data: &[u8]) {
    let [which, status, body @ ..] = data else {
        return;
    };
    let reply = RawReply {
        status: STATUSES[usize::from(*status) % STATUSES.len()],
        body: body.to_vec(),
    };
    let secrets = ["fuzz-secret"];
    let outcome = if which % 2 == 0 {
        intram::payment_reply(&reply, &secrets).map(drop)
    } else {
        intram::confirm(&reply, &secrets).map(drop)
    };
    check_error(outcome, &reply);
}

/// What holds for every decoder: a success only from a 2xx reply or a body that is JSON,
/// an error that prints, and a snippet that never carries the secret.
fn check_error(outcome: Result<(), GatewayError>, reply: &RawReply) {
    match outcome {
        Ok(()) => assert!(
            serde_json::from_slice::<Value>(&reply.body).is_ok(),
            "a reply that is not JSON was accepted"
        ),
        Err(e) => {
            let _ = e.outcome_unknown();
            let _ = e.french_message(Some(1000));
            let shown = e.to_string();
            if let GatewayError::Http { snippet, .. } = &e {
                assert!(!snippet.contains("fuzz-secret"), "secret in a snippet");
            }
            assert!(!shown.is_empty());
        }
    }
}

/// The Intech callback verifier. `[flags, timestamp…, '\n', signature…, '\n', body…]`:
/// bit 0 of `flags` turns HMAC on. The raw headers and body go to the verifier as received
/// (nothing may panic, and a forged body must not pass). Then, when the body is a JSON
/// object, the target signs it properly (right `sha256Hash` for its ids, right HMAC with a
/// timestamp inside the window) and checks that the verifier accepts exactly that.
pub fn intech_callback(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let hmac = flags & 1 == 1;
    let mut parts = rest.splitn(3, |b| *b == b'\n');
    let timestamp = parts.next().unwrap_or_default();
    let signature = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let timestamp = std::str::from_utf8(timestamp).ok();
    let signature = std::str::from_utf8(signature).ok();

    let verifier = CallbackVerifier::new(
        Secret::new(FUZZ_API_KEY),
        hmac.then(|| Secret::new(FUZZ_HMAC_SECRET)),
    )
    .with_clock(|| FUZZ_NOW_MS);
    // As received: whatever happens, no panic, and an accepted body carries the right hash.
    let _ = callback::parse_callback(body);
    if let Ok(cb) = verifier.verify(signature, timestamp, body) {
        let expected = signing::callback_hash(
            &cb.transaction.transaction_id,
            &cb.transaction.external_transaction_id,
            FUZZ_API_KEY,
        );
        assert!(
            signing::digests_equal(&expected, &cb.sha256_hash),
            "accepted with a wrong sha256Hash"
        );
    }
    // Signed properly (the right `sha256Hash` for the ids it names, the right HMAC with a
    // timestamp inside the window): a body that parses as a callback is then accepted.
    let Ok(parsed) = callback::parse_callback(body) else {
        return;
    };
    let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(body) else {
        panic!("a callback parsed from a body that is not a JSON object");
    };
    let (tx, ext) = (
        parsed.transaction.transaction_id,
        parsed.transaction.external_transaction_id,
    );
    object.insert(
        "sha256Hash".into(),
        Value::from(signing::callback_hash(&tx, &ext, FUZZ_API_KEY)),
    );
    let signed_body = serde_json::to_vec(&Value::Object(object)).expect("a Value encodes");
    let ts = (FUZZ_NOW_MS - i64::from(flags >> 1) * 1000).to_string();
    let sig = signing::hmac_signature(FUZZ_HMAC_SECRET, "POST", &ts, &signed_body);
    match verifier.verify(Some(&sig), Some(&ts), &signed_body) {
        Ok(cb) => {
            assert_eq!(cb.transaction.transaction_id, tx);
            assert_eq!(cb.transaction.external_transaction_id, ext);
            assert_eq!(cb.status, parsed.status);
        }
        Err(other) => panic!("a properly signed callback was refused: {other}"),
    }
}

/// The Intram callback body, as the engine reads it: the id it names, if any.
pub fn intram_callback(data: &[u8]) {
    if let Some(id) = intram::callback_transaction_id(data) {
        let value: Value = serde_json::from_slice(data).expect("an id came from valid JSON");
        assert_eq!(value["transaction_id"].as_str(), Some(id.as_str()));
    }
}

/// One request line of the cashiers' socket, as the service decodes it; a decoded request
/// encodes and decodes back to itself.
pub fn protocol_line(data: &[u8]) {
    let Some(frame) = crate::session::protocol::ClientFrame::decode(data) else {
        return;
    };
    let again = serde_json::to_vec(&frame).expect("a decoded frame encodes");
    let back = crate::session::protocol::ClientFrame::decode(&again).expect("and decodes back");
    assert_eq!(back.id, frame.id);
    assert_eq!(back.request, frame.request);
}

/// The configuration file's text (TOML), parsed and resolved with an empty environment.
pub fn config_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let env = |_: &str| None;
    let sources = crate::config::Sources {
        cli_path: None,
        env: &env,
        default_config_dir: None,
        default_data_dir: None,
    };
    match crate::config::from_toml_text(text, &sources) {
        Ok(config) => {
            let _ = format!("{config:?}");
            let _ = config.is_demo();
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}
