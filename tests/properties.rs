//! Property tests of every parser of outside input (issue 9, part D): the reply decoders of
//! both gateways, the callback verifier, the Intram callback body, the cashiers' socket
//! protocol and the config file. They go through the public functions the app itself calls
//! (`intech::decode`, `intram::decode`, `CallbackVerifier`, `ClientFrame::decode`,
//! `config::from_toml_text`), with no network and no wall clock.
//!
//! Three kinds of property:
//! * arbitrary bytes and arbitrary JSON values never panic, and come out as a typed reply or
//!   a typed error of the right kind (a refusal only with a refusal code, an accepted reply
//!   only with `code == 2000`…);
//! * generated well-formed replies, with the documented quirks (ids as strings or numbers,
//!   `FAILLED`, `statut`, unknown fields, fields in any order, amounts as `"1000.000"`),
//!   always parse, and give back the key fields;
//! * the callback verifier accepts exactly what is signed with the right key (and, with
//!   HMAC, within the 5-minute window of an injected clock).

use std::collections::BTreeMap;

use caisse::domain::IntechStatus;
use caisse::domain::IntramStatus;
use caisse::gateway::intech::callback::{CallbackRejection, CallbackVerifier, parse_callback};
use caisse::gateway::intech::decode;
use caisse::gateway::intech::signing::{self, HMAC_MAX_AGE_MS, HmacError};
use caisse::gateway::intram::decode as intram;
use caisse::gateway::{GatewayError, RawReply};
use caisse::secret::Secret;
use caisse::session::Request;
use caisse::session::protocol::ClientFrame;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use serde_json::{Value, json};

const SECRET: &str = "prop-secret-9f2c";
const SECRETS: &[&str] = &[SECRET];
const KEY: &str = "prop-api-key-77aa";
const HMAC: &str = "prop-hmac-secret";

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // Failures are kept as named regression tests, not in a file beside the tests.
        failure_persistence: None,
        // Shrinking stops early: a failure is reported with a small input, not the smallest.
        max_shrink_iters: 2048,
        ..ProptestConfig::default()
    }
}

fn reply(status: u16, body: impl Into<Vec<u8>>) -> RawReply {
    RawReply {
        status,
        body: body.into(),
    }
}

// ---------------------------------------------------------------------------------------
// Strategies: arbitrary input

/// Field names of both APIs, so that random objects often look like replies.
const KEYS: &[&str] = &[
    "code",
    "msg",
    "message",
    "error",
    "data",
    "status",
    "statut",
    "success",
    "services",
    "currency",
    "balance",
    "pendingBills",
    "billReference",
    "amount",
    "infos",
    "label",
    "value",
    "codeService",
    "transactionId",
    "externalTransactionId",
    "errorType",
    "claim",
    "claimRef",
    "statutTreatment",
    "referenceNumberResponse",
    "sendValidationResponse",
    "sendAmounts",
    "receiveAmounts",
    "sendAmount",
    "transaction",
    "sha256Hash",
    "transaction_id",
    "receipt_url",
    "total_amount",
    "deepLinkUrl",
    "id",
    "name",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(KEYS).prop_map(str::to_owned),
        1 => "[a-zA-Z_]{0,10}",
        1 => any::<String>(),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        select(vec![2000i64, 4000, 404, 0, -1]).prop_map(Value::from),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        select(vec![
            "2000",
            " 2000 ",
            "SUCCESS",
            "FAILLED",
            "PENDING",
            "OPENED",
            "FAIL",
            "1000.000",
            "1e300",
            "9223372036854775808",
            "https://api.intech.sn/deep/1",
            "{\"a\":1}",
            "",
        ])
        .prop_map(str::to_owned),
    ]
}

/// Any JSON value, four levels deep at most, biased towards the shapes of the replies.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        number(),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((key(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// An envelope `{code, msg, error, data}` around any value: reaches past the envelope check.
fn envelope_value() -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            3 => Just(json!(2000)),
            1 => Just(json!("2000")),
            1 => Just(json!(4000)),
            1 => number(),
            1 => json_value(),
        ],
        json_value(),
        json_value(),
    )
        .prop_map(
            |(code, msg, data)| json!({"code": code, "msg": msg, "error": false, "data": data}),
        )
}

fn http_status() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => select(vec![200u16, 201]),
        1 => select(vec![204u16, 301, 400, 401, 403, 404, 429, 500, 502, 503]),
        1 => 100u16..600,
    ]
}

/// A body: arbitrary bytes, arbitrary JSON, or an arbitrary envelope.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => vec(any::<u8>(), 0..200),
        2 => json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        2 => envelope_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
    ]
}

// ---------------------------------------------------------------------------------------
// Arbitrary input: never a panic, always a typed result of the right kind

/// The envelope's code as the client reads it.
fn envelope_code(body: &[u8]) -> Option<i64> {
    let v: Value = serde_json::from_slice(body).ok()?;
    match v.get("code")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn is_json(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body).is_ok()
}

/// What every decoder guarantees, whatever it is given.
fn check_any<T>(result: &Result<T, GatewayError>, r: &RawReply) -> Result<(), TestCaseError> {
    match result {
        Ok(_) => prop_assert!(is_json(&r.body), "accepted a body that is not JSON"),
        Err(e) => {
            prop_assert!(
                !matches!(
                    e,
                    GatewayError::Timeout { .. } | GatewayError::Transport { .. }
                ),
                "a decoder invents a network error: {e:?}"
            );
            if !is_json(&r.body) {
                let expected_http = !r.is_success();
                prop_assert!(
                    matches!(e, GatewayError::Http { .. }) == expected_http
                        && matches!(e, GatewayError::Decode { .. }) == !expected_http,
                    "unreadable body with HTTP {}: {e:?}",
                    r.status
                );
            }
            if let GatewayError::Http { snippet, .. } = e {
                prop_assert!(!snippet.contains(SECRET), "secret in a snippet");
            }
            // The messages for the logs and the cashier can always be made.
            let _ = (
                e.to_string(),
                e.french_message(Some(1500)),
                e.outcome_unknown(),
            );
        }
    }
    Ok(())
}

/// What the enveloped endpoints guarantee: success only with `code == 2000`, a refusal
/// exactly when the body carries another code.
fn check_enveloped<T>(result: &Result<T, GatewayError>, r: &RawReply) -> Result<(), TestCaseError> {
    check_any(result, r)?;
    let code = envelope_code(&r.body);
    match (result, code) {
        (Ok(_), code) => prop_assert_eq!(code, Some(2000), "accepted without code 2000"),
        (Err(GatewayError::Refused { code: c, .. }), code) => {
            prop_assert_eq!(Some(*c), code);
            prop_assert!(*c != 2000, "refused with the success code");
        }
        (Err(_), Some(c)) => prop_assert_eq!(c, 2000, "code {} not reported as a refusal", c),
        (Err(_), None) => {}
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn intech_enveloped_decoders_take_anything(status in http_status(), body in body()) {
        let r = reply(status, body);
        check_enveloped(&decode::balance(&r, SECRETS), &r)?;
        check_enveloped(&decode::pending_bills(&r, SECRETS), &r)?;
        check_enveloped(&decode::operation(&r, SECRETS), &r)?;
        check_enveloped(&decode::transaction_status(&r, SECRETS), &r)?;
        check_enveloped(&decode::claim(&r, SECRETS), &r)?;
        check_enveloped(&decode::moneygram_reception(&r, SECRETS), &r)?;
        check_enveloped(&decode::moneygram_send(&r, SECRETS), &r)?;
    }

    #[test]
    fn intech_list_and_refund_decoders_take_anything(status in http_status(), body in body()) {
        let r = reply(status, body);
        let value: Option<Value> = serde_json::from_slice(&r.body).ok();
        let services = decode::services(&r, SECRETS);
        check_any(&services, &r)?;
        let errors = decode::errors(&r, SECRETS);
        check_any(&errors, &r)?;
        for ok in [services.is_ok(), errors.is_ok()] {
            if ok {
                let v = value.as_ref().unwrap();
                prop_assert!(v["services"].is_array(), "a list from a body without one");
                prop_assert!(v.get("success") != Some(&Value::Bool(false)));
            }
        }
        let refund = decode::refund(&r, SECRETS, "T42");
        check_any(&refund, &r)?;
        match &refund {
            Ok(_) => {
                let treatment = value.as_ref().unwrap()["statutTreatment"].as_str().unwrap_or("");
                prop_assert!(treatment.eq_ignore_ascii_case("SUCCESS"));
            }
            Err(GatewayError::Refused { transaction_id: Some(id), code, .. })
                if value.as_ref().is_some_and(|v| v.get("statutTreatment").is_some()) =>
            {
                prop_assert_eq!(id, "T42");
                prop_assert_eq!(*code, 4000);
            }
            Err(_) => {}
        }
    }

    #[test]
    fn intram_decoders_take_anything(status in http_status(), body in body()) {
        let r = reply(status, body);
        let value: Option<Value> = serde_json::from_slice(&r.body).ok();
        let payment = intram::payment_reply(&r, SECRETS);
        check_any(&payment, &r)?;
        let confirm = intram::confirm(&r, SECRETS);
        check_any(&confirm, &r)?;
        for ok in [payment.is_ok(), confirm.is_ok()] {
            if ok {
                prop_assert!(r.is_success(), "accepted with HTTP {}", r.status);
                // Intram's error body (`error: true`) is a refusal whatever the HTTP status.
                let v = value.as_ref().unwrap();
                prop_assert!(v.get("error") != Some(&Value::Bool(true)), "error:true accepted");
            }
        }
        if (400..500).contains(&r.status) && value.is_some() {
            let refused = matches!(payment, Err(GatewayError::Refused { code, .. }) if code == i64::from(r.status));
            prop_assert!(refused, "a readable 4xx is a refusal: {payment:?}");
        }
    }

    #[test]
    fn intram_callback_body_takes_anything(body in body()) {
        // An id, when one is read, is what the body names: in its JSON (at the top or under
        // `transaction`) or, for a form, in its `transaction_id` pair.
        if let Some(id) = intram::callback_transaction_id(&body) {
            prop_assert!(!id.is_empty() && id.len() <= 64);
            let named = match serde_json::from_slice::<Value>(&body) {
                Ok(v) => [&v["transaction_id"], &v["transaction"]["transaction_id"]]
                    .iter()
                    .filter_map(|x| match x {
                        Value::String(s) => Some(s.trim().to_owned()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .any(|s| s == id),
                Err(_) => serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
                    .unwrap()
                    .iter()
                    .any(|(_, v)| v.trim() == id),
            };
            prop_assert!(named, "{id}");
        }
    }

    #[test]
    fn intram_callback_names_its_transaction(
        id in any::<String>(),
        extra in vec(("x_[a-z]{1,6}", json_value()), 0..4),
    ) {
        let mut object: serde_json::Map<String, Value> =
            extra.into_iter().collect();
        object.insert("transaction_id".into(), Value::from(id.clone()));
        object.insert("status".into(), Value::from("SUCCESS"));
        let body = serde_json::to_vec(&Value::Object(object)).unwrap();
        // Blank or overlong ids (Intram's are 24 hex digits) are not taken.
        let id = id.trim();
        let expected = (!id.is_empty() && id.len() <= 64).then(|| id.to_owned());
        prop_assert_eq!(intram::callback_transaction_id(&body), expected);
    }
}

// ---------------------------------------------------------------------------------------
// Well-formed replies, with the quirks: they always parse and give back their fields

/// A JSON object written in this field order (serde_json would sort the keys); the values
/// are JSON text already.
fn object(fields: &[(String, String)]) -> String {
    let inner: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).unwrap()))
        .collect();
    format!("{{{}}}", inner.join(","))
}

fn jtext(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).unwrap()
}

/// Unknown fields, never colliding with documented ones.
fn extras() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::btree_map("x_[a-zA-Z]{1,10}", json_value(), 0..4)
        .prop_map(|kv| kv.into_iter().map(|(k, v)| (k, jtext(&v))).collect())
}

/// These fields, plus unknown ones, in any order.
fn shuffled(fields: Vec<(&'static str, String)>) -> impl Strategy<Value = String> {
    extras().prop_flat_map(move |extra| {
        let all: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .chain(extra)
            .collect();
        Just(all).prop_shuffle().prop_map(|f| object(&f))
    })
}

/// The success envelope around `data` (JSON text), HTTP 200 or 201 as Intech sends them.
fn enveloped(data: String) -> impl Strategy<Value = RawReply> {
    (
        select(vec!["2000", "\"2000\""]),
        select(vec![200u16, 201]),
        text(),
    )
        .prop_flat_map(move |(code, status, msg)| {
            shuffled(vec![
                ("code", code.to_owned()),
                ("msg", jtext(&msg)),
                ("error", "false".to_owned()),
                ("data", data.clone()),
            ])
            .prop_map(move |body| reply(status, body))
        })
}

/// An id as Intech sends it: a string (any text) or a number; and the string it means.
fn id() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        any::<String>().prop_map(|s| (jtext(&s), s)),
        "T[0-9]{12}".prop_map(|s| (jtext(&s), s)),
        any::<u64>().prop_map(|n| (n.to_string(), n.to_string())),
        any::<i64>().prop_map(|n| (n.to_string(), n.to_string())),
    ]
}

/// An amount in whole francs as Intech may write it: `1000`, `1000.0`, `"1000"`,
/// `"1000.000"`; and its value.
fn amount() -> impl Strategy<Value = (String, i64)> {
    const EXACT: i64 = 1 << 53;
    prop_oneof![
        any::<i64>().prop_map(|n| (n.to_string(), n)),
        any::<i64>().prop_map(|n| (jtext(&n.to_string()), n)),
        (1 - EXACT..EXACT).prop_map(|n| (format!("{n}.0"), n)),
        (1 - EXACT..EXACT).prop_map(|n| (format!("\"{n}.000\""), n)),
        (0i64..10_000_000).prop_map(|n| (n.to_string(), n)),
    ]
}

/// A status as it may come on the wire (`FAILLED`, `FAILED`, any case, padded).
fn status() -> impl Strategy<Value = (String, IntechStatus)> {
    use IntechStatus::*;
    let spelled = select(vec![
        ("PENDING", Pending),
        ("PROCESSING", Processing),
        ("SUCCESS", Success),
        ("FAILLED", Failed),
        ("FAILED", Failed),
        ("REFUNDED", Refunded),
        ("CANCELED", Canceled),
        ("CANCELLED", Canceled),
    ]);
    (spelled, select(vec![0u8, 1, 2])).prop_map(|((word, s), how)| {
        let word = match how {
            0 => word.to_owned(),
            1 => word.to_ascii_lowercase(),
            _ => format!(" {word} "),
        };
        (jtext(&word), s)
    })
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(any::<String>())
}

#[derive(Debug, Clone)]
struct Bill {
    amount: i64,
    reference: String,
    infos: Vec<(String, String)>,
}

fn bill() -> impl Strategy<Value = (String, Bill)> {
    (
        amount(),
        id(),
        vec((any::<String>(), any::<String>()), 0..3),
    )
        .prop_flat_map(|((amount_text, amount), (ref_text, reference), infos)| {
            let infos_text = jtext(
                &infos
                    .iter()
                    .map(|(l, v)| json!({"label": l, "value": v}))
                    .collect::<Vec<_>>(),
            );
            let expected = Bill {
                amount,
                reference,
                infos,
            };
            shuffled(vec![
                ("amount", amount_text),
                ("billReference", ref_text),
                ("infos", infos_text),
            ])
            .prop_map(move |text| (text, expected.clone()))
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn balances_parse(
        whole in -1_000_000_000i64..1_000_000_000,
        fraction in select(vec![0.0, 0.5, 0.25, 0.0625]),
        as_integer in any::<bool>(),
        currency in proptest::option::of("[A-Z]{3}"),
        seed in any::<u64>(),
    ) {
        let balance = whole as f64 + fraction;
        let number = if as_integer && fraction == 0.0 { whole.to_string() } else { jtext(&balance) };
        let mut fields = vec![("balance", number)];
        if let Some(c) = &currency {
            fields.push(("currency", jtext(c)));
        }
        let r = draw(shuffled(fields).prop_flat_map(enveloped), seed);
        let parsed = decode::balance(&r, SECRETS).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(parsed.balance, balance);
        prop_assert_eq!(parsed.currency, currency.unwrap_or_else(|| "XOF".into()));
    }

    #[test]
    fn service_and_error_lists_parse(
        entries in vec((any::<String>(), any::<String>(), select(vec!["DEBIT", "CREDIT"]), proptest::option::of(any::<i64>())), 0..6),
        success in proptest::option::of(Just(true)),
    ) {
        let services: Vec<Value> = entries
            .iter()
            .map(|(name, code, op, _)| json!({"name": name, "codeService": code, "typeOperation": op, "typeService": "CASHIN", "icon": null, "x_new": 1}))
            .collect();
        let errors: Vec<Value> = entries
            .iter()
            .map(|(msg, code, _, id)| json!({"id": id, "code": code, "message": msg}))
            .collect();
        for (list, which) in [(services, 0), (errors, 1)] {
            let mut top = json!({"services": list});
            if let Some(s) = success {
                top["success"] = json!(s);
            }
            let r = reply(200, serde_json::to_vec(&top).unwrap());
            if which == 0 {
                let got = decode::services(&r, SECRETS).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                let codes: Vec<&str> = got.iter().map(|s| s.code_service.as_str()).collect();
                let sent: Vec<&str> = entries.iter().map(|e| e.1.as_str()).collect();
                prop_assert_eq!(codes, sent);
                for (g, e) in got.iter().zip(&entries) {
                    prop_assert_eq!(&g.name, &e.0);
                    prop_assert_eq!(g.type_operation.as_str(), e.2);
                }
            } else {
                let got = decode::errors(&r, SECRETS).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                for (g, e) in got.iter().zip(&entries) {
                    prop_assert_eq!(&g.code, &e.1);
                    prop_assert_eq!(&g.message, &e.0);
                    prop_assert_eq!(g.id, e.3);
                }
                prop_assert_eq!(got.len(), entries.len());
            }
        }
    }

    #[test]
    fn pending_bills_parse_nested_and_flat(
        bills in vec(bill(), 0..4),
        nested in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let list = format!("[{}]", bills.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>().join(","));
        let data_fields = if nested {
            vec![
                ("status", jtext(&"SUCCESS")),
                ("pendingBills", object(&[("success".into(), "true".into()), ("pendingBills".into(), list)])),
            ]
        } else {
            vec![
                ("status", jtext(&"SUCCESS")),
                ("billAccountNumber", jtext(&"21050176023")),
                ("pendingBills", list),
            ]
        };
        let r = draw(shuffled(data_fields).prop_flat_map(enveloped), seed);
        let got = decode::pending_bills(&r, SECRETS).map_err(|e| TestCaseError::fail(format!("{e:?} {}", String::from_utf8_lossy(&r.body))))?;
        prop_assert_eq!(got.len(), bills.len());
        for (g, (_, b)) in got.iter().zip(&bills) {
            prop_assert_eq!(g.amount, b.amount);
            prop_assert_eq!(&g.bill_reference, &b.reference);
            let infos: Vec<(String, String)> = g.infos.iter().map(|i| (i.label.clone(), i.value.clone())).collect();
            prop_assert_eq!(&infos, &b.infos);
        }
    }
}

/// Draws one value of `strategy` from `runner` (for strategies built from a case's values).
fn draw<S: Strategy>(strategy: S, seed: u64) -> S::Value {
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(
        ProptestConfig::default(),
        proptest::test_runner::TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &{
            let mut s = [0u8; 32];
            s[..8].copy_from_slice(&seed.to_le_bytes());
            s
        }),
    );
    strategy.new_tree(&mut runner).unwrap().current()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn operation_replies_parse(
        (tx_text, tx) in id(),
        (ext_text, ext) in id(),
        (amount_text, amount) in amount(),
        (status_text, status) in status(),
        link in proptest::option::of("https://api\\.intech\\.sn/deep/[0-9]{6,12}"),
        message in opt_text(),
        custom in proptest::option::of(json_value()),
        custom_as_string in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut fields = vec![
            ("transactionId", tx_text),
            ("externalTransactionId", ext_text),
            ("amount", amount_text),
            ("status", status_text),
            ("phone", jtext(&"772450000")),
            ("codeService", jtext(&"WAVE_SN_API_CASH_OUT")),
            ("callbackUrl", jtext(&"https://shop.example.sn/cb")),
        ];
        if let Some(l) = &link {
            fields.push(("deepLinkUrl", jtext(l)));
        }
        if let Some(m) = &message {
            fields.push(("notificationMessage", jtext(m)));
        }
        // The custom `data`: an object, or the doc's "serialised JSON string"; kept as sent.
        let custom_text = custom.as_ref().map(|c| if custom_as_string { jtext(&jtext(c)) } else { jtext(c) });
        if let Some(t) = &custom_text {
            fields.push(("data", t.clone()));
        }
        let r = draw(shuffled(fields).prop_flat_map(enveloped), seed);
        let got = decode::operation(&r, SECRETS).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(got.transaction_id.as_deref(), Some(tx.as_str()));
        prop_assert_eq!(got.external_transaction_id.as_deref(), Some(ext.as_str()));
        prop_assert_eq!(got.amount, Some(amount));
        prop_assert_eq!(got.status, status);
        prop_assert_eq!(&got.notification_message, &message);
        prop_assert_eq!(got.deep_link_url.as_deref(), link.as_deref());
        if link.is_some() {
            // The documented link wins over any other URL-looking field.
            prop_assert_eq!(got.customer_url(), link.as_deref());
        }
        if let Some(t) = custom_text {
            let sent: Value = serde_json::from_str(&t).unwrap();
            prop_assert_eq!(got.extra.get("data"), Some(&sent));
        }
    }

    #[test]
    fn status_replies_parse(
        (tx_text, tx) in id(),
        (ext_text, ext) in id(),
        (status_text, status) in status(),
        error in proptest::option::of((any::<String>(), any::<String>(), proptest::option::of(any::<i32>()))),
        seed in any::<u64>(),
    ) {
        let error_text = match &error {
            None => "null".to_owned(),
            Some((code, message, id)) => jtext(&json!({"code": code, "message": message, "id": id, "codeService": null})),
        };
        let fields = vec![
            ("transactionId", tx_text),
            ("externalTransactionId", ext_text),
            ("status", status_text),
            ("createdAt", jtext(&"2024-03-01T10:00:00.000Z")),
            ("errorType", error_text),
        ];
        let r = draw(shuffled(fields).prop_flat_map(enveloped), seed);
        let got = decode::transaction_status(&r, SECRETS).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(got.transaction_id.as_deref(), Some(tx.as_str()));
        prop_assert_eq!(&got.external_transaction_id, &ext);
        prop_assert_eq!(got.status, status);
        match (&got.error_type, &error) {
            (None, None) => {}
            (Some(t), Some((code, message, id))) => {
                prop_assert_eq!(&t.code, code);
                prop_assert_eq!(&t.message, message);
                prop_assert_eq!(t.id, id.map(i64::from));
            }
            (got, sent) => prop_assert!(false, "errorType {got:?} for {sent:?}"),
        }
    }

    #[test]
    fn claims_parse_with_statut(
        (tx_text, tx) in id(),
        (ref_text, claim_ref) in id(),
        french in any::<bool>(),
        subject in any::<String>(),
        seed in any::<u64>(),
    ) {
        let claim = draw(
            shuffled(vec![
                (if french { "statut" } else { "status" }, jtext(&"OPENED")),
                ("transactionId", tx_text),
                ("claimRef", ref_text),
                ("subject", jtext(&subject)),
                ("openedAt", jtext(&"2024-03-01T10:00:00.000Z")),
            ]),
            seed,
        );
        let data = draw(shuffled(vec![("claim", claim)]), seed ^ 1);
        let r = draw(enveloped(data), seed ^ 2);
        let got = decode::claim(&r, SECRETS).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(got.status.as_str(), "OPENED");
        prop_assert_eq!(got.transaction_id.as_deref(), Some(tx.as_str()));
        prop_assert_eq!(got.claim_ref.as_deref(), Some(claim_ref.as_str()));
        prop_assert_eq!(got.subject.as_deref(), Some(subject.as_str()));
    }

    #[test]
    fn refunds_parse_without_envelope(
        message in any::<String>(),
        treatment in select(vec!["SUCCESS", "success", "FAILED", "FAILLED"]),
        status in select(vec![200u16, 201]),
        seed in any::<u64>(),
    ) {
        let body = draw(shuffled(vec![("message", jtext(&message)), ("statutTreatment", jtext(&treatment))]), seed);
        let r = reply(status, body);
        match decode::refund(&r, SECRETS, "T77") {
            Ok(got) => {
                prop_assert!(treatment.eq_ignore_ascii_case("SUCCESS"));
                prop_assert_eq!(got.message, message);
            }
            Err(GatewayError::Refused { message: m, transaction_id, code, .. }) => {
                prop_assert!(!treatment.eq_ignore_ascii_case("SUCCESS"));
                prop_assert_eq!(m, message);
                prop_assert_eq!(transaction_id.as_deref(), Some("T77"));
                prop_assert_eq!(code, 4000);
            }
            Err(e) => prop_assert!(false, "{e:?}"),
        }
    }

    #[test]
    fn moneygram_infos_parse(
        names in (any::<String>(), any::<String>(), any::<String>(), any::<String>()),
        (receive_text, receive) in amount(),
        (send_text, send) in amount(),
        (fees_text, fees) in amount(),
        pickup in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let response = draw(shuffled(vec![
            ("senderFirstName", jtext(&names.0)),
            ("senderLastName", jtext(&names.1)),
            ("receiverFirstName", jtext(&names.2)),
            ("receiverLastName", jtext(&names.3)),
            ("receiveAmount", receive_text.clone()),
            ("receiveCurrency", jtext(&"XOF")),
            ("transactionStatus", jtext(&"AVAIL")),
            ("okForPickup", pickup.to_string()),
        ]), seed);
        let data = draw(shuffled(vec![("status", jtext(&"SUCCESS")), ("referenceNumberResponse", response)]), seed ^ 1);
        let r = draw(enveloped(data), seed ^ 2);
        let got = decode::moneygram_reception(&r, SECRETS).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(got.sender_name.as_str(), format!("{} {}", names.0, names.1).trim().to_owned());
        prop_assert_eq!(got.receiver_name.as_str(), format!("{} {}", names.2, names.3).trim().to_owned());
        prop_assert_eq!(got.receive_amount, Some(receive));
        prop_assert_eq!(got.ok_for_pickup, Some(pickup));

        let amounts = draw(shuffled(vec![
            ("sendAmount", send_text),
            ("totalSendFees", fees_text),
            ("totalAmountToCollect", "1030".to_owned()),
            ("detailSendAmounts", "[]".to_owned()),
        ]), seed ^ 3);
        let validation = draw(shuffled(vec![
            ("sendAmounts", amounts),
            ("receiveAmounts", object(&[("receiveAmount".into(), receive_text)])),
        ]), seed ^ 4);
        let data = draw(shuffled(vec![("sendValidationResponse", validation)]), seed ^ 5);
        let r = draw(enveloped(data), seed ^ 6);
        let got = decode::moneygram_send(&r, SECRETS).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(got.send_amount, Some(send));
        prop_assert_eq!(got.total_send_fees, Some(fees));
        prop_assert_eq!(got.total_amount_to_collect, Some(1030));
        prop_assert_eq!(got.receive_amount, Some(receive));
    }

    #[test]
    fn intram_replies_parse(
        (tx_text, tx) in prop_oneof![
            "[0-9a-f]{24}".prop_map(|s| (jtext(&s), s)),
            any::<u64>().prop_map(|n| (n.to_string(), n.to_string())),
        ],
        (status_word, status) in select(vec![
            ("PENDING", IntramStatus::Pending),
            ("pending", IntramStatus::Pending),
            ("SUCCESS", IntramStatus::Success),
            ("CANCELED", IntramStatus::Canceled),
            ("CANCELLED", IntramStatus::Canceled),
            ("FAIL", IntramStatus::Fail),
            ("FAILED", IntramStatus::Fail),
            ("ERROR", IntramStatus::Error),
            ("REFUNDED", IntramStatus::Refunded),
        ]),
        (amount_text, amount) in amount(),
        error_false in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let receipt = format!("https://webservices.intram.org/payment/gate/{tx}");
        let mut fields = vec![
            ("transaction_id", tx_text.clone()),
            ("status", jtext(&status_word)),
            ("receipt_url", jtext(&receipt)),
            ("total_amount", amount_text.clone()),
            ("currency", jtext(&"xof")),
        ];
        if error_false {
            fields.push(("error", "false".to_owned()));
        }
        let r = reply(200, draw(shuffled(fields.clone()), seed));
        let started = intram::payment_reply(&r, SECRETS);
        if status == IntramStatus::Pending {
            let got = started.map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(&got.transaction_id, &tx);
            prop_assert_eq!(got.status, Some(status));
            prop_assert_eq!(got.receipt_url.as_deref(), Some(receipt.as_str()));
        } else {
            // A request Intram did not leave PENDING is refused (its SDKs say so).
            prop_assert!(matches!(started, Err(GatewayError::Refused { .. })), "{started:?}");
        }

        // The same body saying `error: true` is Intram's refusal, whatever else it holds.
        let mut refused = fields.clone();
        refused.retain(|(k, _)| *k != "error");
        refused.push(("error", "true".to_owned()));
        let r = reply(200, draw(shuffled(refused), seed ^ 2));
        let is_refusal = matches!(intram::payment_reply(&r, SECRETS), Err(GatewayError::Refused { code: 200, .. }));
        prop_assert!(is_refusal);

        fields.push(("customer", jtext(&json!({"name": "Awa", "phone": "0700000000"}))));
        let r = reply(200, draw(shuffled(fields), seed ^ 1));
        let got = intram::confirm(&r, SECRETS).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(got.status, status);
        prop_assert_eq!(got.transaction_id.as_deref(), Some(tx.as_str()));
        prop_assert_eq!(got.total_amount, Some(amount));
    }

    /// An amount the client cannot hold exactly is refused, never rounded or saturated.
    #[test]
    fn amounts_out_of_range_are_refused(
        text in prop_oneof![
            (i64::MAX as u64 + 1..=u64::MAX).prop_map(|n| n.to_string()),
            (19u32..300).prop_map(|e| format!("1e{e}")),
            (19u32..300).prop_map(|e| format!("\"-1e{e}\"")),
            Just("9223372036854775808.0".to_owned()),
            Just("\"9223372036854775808\"".to_owned()),
        ],
        seed in any::<u64>(),
    ) {
        let fields = vec![("transactionId", "1".to_owned()), ("status", jtext(&"PENDING")), ("amount", text.clone())];
        let r = draw(shuffled(fields).prop_flat_map(enveloped), seed);
        let result = decode::operation(&r, SECRETS);
        let refused = matches!(&result, Err(GatewayError::Decode { path, .. }) if path == "data.amount");
        prop_assert!(refused, "amount {text} gave {result:?}");
    }
}

// ---------------------------------------------------------------------------------------
// The callback verifier

/// A documented callback for these ids (JSON text), signed with `key`, fields in any order,
/// unknown fields anywhere, `data` as an object or a JSON string.
fn callback_body(
    key: &'static str,
) -> impl Strategy<Value = (Vec<u8>, String, String, IntechStatus)> {
    (
        id(),
        id(),
        select(vec![
            ("SUCCESS", IntechStatus::Success),
            ("FAILLED", IntechStatus::Failed),
        ]),
        amount(),
        proptest::option::of(json_value()),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(
            move |(
                (tx_text, tx),
                (ext_text, ext),
                (word, status),
                (amount_text, _),
                data,
                as_string,
                seed,
            )| {
                let mut tfields = vec![
                    ("transactionId", tx_text),
                    ("externalTransactionId", ext_text),
                    ("amount", amount_text),
                    ("phone", jtext(&"772450000")),
                    ("codeService", jtext(&"WAVE_SN_API_CASH_OUT")),
                    ("errorType", "null".to_owned()),
                ];
                if let Some(d) = &data {
                    tfields.push((
                        "data",
                        if as_string {
                            jtext(&jtext(d))
                        } else {
                            jtext(d)
                        },
                    ));
                }
                let transaction = draw(shuffled(tfields), seed);
                let body = draw(
                    shuffled(vec![
                        ("msg", jtext(&"Transaction traitée")),
                        ("status", jtext(&word)),
                        ("code", "2000".to_owned()),
                        ("sha256Hash", jtext(&signing::callback_hash(&tx, &ext, key))),
                        ("transaction", transaction),
                    ]),
                    seed ^ 1,
                );
                (body.into_bytes(), tx, ext, status)
            },
        )
}

const NOW: i64 = 1_700_000_000_000;

fn hmac_verifier(now: i64) -> CallbackVerifier {
    CallbackVerifier::new(Secret::new(KEY), Some(Secret::new(HMAC))).with_clock(move || now)
}

fn plain_verifier() -> CallbackVerifier {
    CallbackVerifier::new(Secret::new(KEY), None).with_clock(|| panic!("no clock without HMAC"))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_signed_callback_always_verifies(
        (body, tx, ext, status) in callback_body(KEY),
        age in -HMAC_MAX_AGE_MS..=HMAC_MAX_AGE_MS,
        now in 1_000_000_000_000i64..4_000_000_000_000,
    ) {
        let cb = plain_verifier().verify(None, None, &body)
            .map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&body))))?;
        prop_assert_eq!(&cb.transaction.transaction_id, &tx);
        prop_assert_eq!(&cb.transaction.external_transaction_id, &ext);
        prop_assert_eq!(cb.status, status);
        // `data` comes back parsed, whether it was sent as an object or a string.
        let sent: Value = serde_json::from_slice(&body).unwrap();
        if let Some(d) = sent["transaction"].get("data") {
            let expected = match d {
                Value::Null => None,
                Value::String(s) => Some(serde_json::from_str(s).unwrap_or(d.clone())),
                other => Some(other.clone()),
            };
            prop_assert_eq!(&cb.transaction.data, &expected);
        }

        let ts = (now - age).to_string();
        let sig = signing::hmac_signature(HMAC, "POST", &ts, &body);
        let signed = hmac_verifier(now).verify(Some(&sig), Some(&ts), &body)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(signed, cb);
    }

    #[test]
    fn another_key_or_another_hash_is_refused(
        (body, _tx, _ext, _status) in callback_body(KEY),
        other_key in "[ -~]{0,40}",
        digest in "[0-9a-f]{64}",
    ) {
        prop_assume!(other_key != KEY);
        let other = CallbackVerifier::new(Secret::new(other_key), None);
        prop_assert_eq!(other.verify(None, None, &body), Err(CallbackRejection::BadHash));
        // Any other digest in place of the right one.
        let mut v: Value = serde_json::from_slice(&body).unwrap();
        prop_assume!(v["sha256Hash"].as_str() != Some(digest.as_str()));
        v["sha256Hash"] = Value::from(digest);
        let forged = serde_json::to_vec(&v).unwrap();
        prop_assert_eq!(plain_verifier().verify(None, None, &forged), Err(CallbackRejection::BadHash));
        // With HMAC, signed with another secret.
        let ts = NOW.to_string();
        let sig = signing::hmac_signature("not-the-secret", "POST", &ts, &body);
        prop_assert_eq!(
            hmac_verifier(NOW).verify(Some(&sig), Some(&ts), &body),
            Err(CallbackRejection::Hmac(HmacError::Mismatch))
        );
    }

    /// Flipping any byte: with HMAC, always refused. Without HMAC the hash covers only the
    /// two ids and the key (the engine confirms such a callback by a status query), so a
    /// flipped byte passes only where it changes neither id nor the digest.
    #[test]
    fn a_flipped_byte_is_refused(
        (body, tx, ext, _status) in callback_body(KEY),
        at in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let mut forged = body.clone();
        let i = at.index(forged.len());
        forged[i] ^= flip;
        let ts = NOW.to_string();
        let sig = signing::hmac_signature(HMAC, "POST", &ts, &body);
        prop_assert!(hmac_verifier(NOW).verify(Some(&sig), Some(&ts), &forged).is_err());
        let original: Value = serde_json::from_slice(&body).unwrap();
        if let Ok(cb) = plain_verifier().verify(None, None, &forged) {
            prop_assert_eq!(&cb.transaction.transaction_id, &tx);
            prop_assert_eq!(&cb.transaction.external_transaction_id, &ext);
            prop_assert!(signing::digests_equal(original["sha256Hash"].as_str().unwrap(), &cb.sha256_hash));
        }
        // The signature header flipped instead.
        let mut bad_sig = sig.clone().into_bytes();
        let j = at.index(bad_sig.len());
        bad_sig[j] ^= flip;
        let bad_sig = String::from_utf8_lossy(&bad_sig).into_owned();
        if !bad_sig.eq_ignore_ascii_case(&sig) {
            prop_assert!(hmac_verifier(NOW).verify(Some(&bad_sig), Some(&ts), &body).is_err());
        }
    }

    #[test]
    fn the_hmac_window_is_five_minutes_either_way(
        (body, _tx, _ext, _status) in callback_body(KEY),
        age in prop_oneof![
            -3 * HMAC_MAX_AGE_MS..3 * HMAC_MAX_AGE_MS,
            (-3i64..=3).prop_map(|d| HMAC_MAX_AGE_MS + d),
            (-3i64..=3).prop_map(|d| -HMAC_MAX_AGE_MS + d),
        ],
        now in 1_000_000_000_000i64..4_000_000_000_000,
    ) {
        let ts = (now - age).to_string();
        let sig = signing::hmac_signature(HMAC, "POST", &ts, &body);
        let result = hmac_verifier(now).verify(Some(&sig), Some(&ts), &body);
        if age > HMAC_MAX_AGE_MS {
            let expired = matches!(result, Err(CallbackRejection::Hmac(HmacError::Expired { age_ms })) if age_ms == age);
            prop_assert!(expired, "{result:?}");
        } else if age < -HMAC_MAX_AGE_MS {
            let ahead = matches!(result, Err(CallbackRejection::Hmac(HmacError::FromTheFuture { ahead_ms })) if ahead_ms == -age);
            prop_assert!(ahead, "{result:?}");
        } else {
            prop_assert!(result.is_ok(), "{result:?}");
        }
    }

    #[test]
    fn the_verifier_takes_anything(
        body in body(),
        signature in proptest::option::of(any::<String>()),
        timestamp in proptest::option::of(prop_oneof![
            any::<i64>().prop_map(|t| t.to_string()),
            any::<String>(),
            Just(i64::MIN.to_string()),
            Just(i64::MAX.to_string()),
        ]),
        now in any::<i64>(),
    ) {
        let _ = parse_callback(&body);
        for verifier in [plain_verifier(), hmac_verifier(now)] {
            if let Ok(cb) = verifier.verify(signature.as_deref(), timestamp.as_deref(), &body) {
                let expected = signing::callback_hash(&cb.transaction.transaction_id, &cb.transaction.external_transaction_id, KEY);
                prop_assert!(signing::digests_equal(&expected, &cb.sha256_hash));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The cashiers' socket protocol and the config file

fn request() -> impl Strategy<Value = Request> {
    let s = || any::<String>();
    prop_oneof![
        s().prop_map(|terminal| Request::Hello { terminal }),
        (proptest::option::of(s()), s()).prop_map(|(name, pin)| Request::Login {
            name,
            pin: pin.into()
        }),
        (s(), s()).prop_map(|(service, account)| Request::Bills { service, account }),
        any::<i64>().prop_map(|since| Request::Journal { since }),
        (any::<i64>(), vec((s(), s()), 0..4), vec((s(), s()), 0..4)).prop_map(
            |(amount, sender, receiver)| Request::MoneyGramQuote {
                amount,
                sender: sender.into_iter().collect(),
                receiver: receiver.into_iter().collect(),
            }
        ),
        (
            s(),
            s(),
            proptest::option::of(any::<i64>()),
            vec((s(), s()), 0..4),
            proptest::option::of(s()),
        )
            .prop_map(|(service, phone, amount, fields, external_id)| {
                let order = serde_json::from_value(json!({
                    "gateway": "intech", "service": service, "phone": phone, "amount": amount,
                    "fields": fields.into_iter().collect::<BTreeMap<_, _>>(), "description": null,
                }))
                .unwrap();
                Request::Pay {
                    order,
                    external_id,
                    allow_duplicate: false,
                }
            }),
        (s(), proptest::option::of(s()), proptest::option::of(s())).prop_map(
            |(external_id, pin, refund_id)| Request::Refund {
                external_id,
                supervisor_pin: pin.map(Into::into),
                refund_id,
            }
        ),
        Just(Request::Balance),
        Just(Request::Logout),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn socket_lines_never_panic(
        line in prop_oneof![
            vec(any::<u8>(), 0..300),
            json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
            (any::<u64>(), json_value()).prop_map(|(id, r)| serde_json::to_vec(&json!({"id": id, "request": r})).unwrap()),
            (any::<u64>(), select(vec!["Hello", "Login", "Pay", "Refund", "MoneyGramFees", "Balance"]), json_value())
                .prop_map(|(id, name, r)| serde_json::to_vec(&json!({"id": id, "request": {name: r}})).unwrap()),
        ],
        newline in any::<bool>(),
    ) {
        let mut line = line;
        if newline {
            line.push(b'\n');
        }
        if let Some(frame) = ClientFrame::decode(&line) {
            let again = serde_json::to_vec(&frame).unwrap();
            let back = ClientFrame::decode(&again).unwrap();
            prop_assert_eq!(back.id, frame.id);
            prop_assert_eq!(back.request, frame.request);
        }
    }

    #[test]
    fn socket_requests_round_trip(id in any::<u64>(), request in request()) {
        let mut line = serde_json::to_vec(&ClientFrame { id, request: request.clone() }).unwrap();
        line.push(b'\n');
        let frame = ClientFrame::decode(&line).unwrap();
        prop_assert_eq!(frame.id, id);
        prop_assert_eq!(frame.request, request);
    }

    #[test]
    fn config_text_never_panics(
        text in prop_oneof![
            any::<String>(),
            vec(prop_oneof![
                select(vec!["[intech]", "[intram]", "[journal]", "[callback]", "[ui]", "[serve]", "[kiosk]", "[kiosk.users]"]).prop_map(str::to_owned),
                ("[a-z_]{1,14}", prop_oneof![
                    any::<String>().prop_map(|s| jtext(&s)),
                    any::<i64>().prop_map(|n| n.to_string()),
                    any::<f64>().prop_map(|f| f.to_string()),
                    Just("nan".to_owned()), Just("inf".to_owned()), Just("-inf".to_owned()),
                    Just("1e400".to_owned()), Just("true".to_owned()),
                ]).prop_map(|(k, v)| format!("{k} = {v}")),
                any::<String>(),
            ], 0..8).prop_map(|lines| lines.join("\n")),
        ],
    ) {
        let env = |_: &str| None;
        let sources = caisse::config::Sources { cli_path: None, env: &env, default_config_dir: None, default_data_dir: None };
        match caisse::config::from_toml_text(&text, &sources) {
            Ok(config) => { let _ = format!("{config:?}"); }
            Err(e) => { let _ = e.to_string(); }
        }
    }
}

/// Regression (property `intech_list_and_refund_decoders_take_anything`): `[null, []]` with
/// HTTP 200 was read as an empty service list (serde reads a struct from an array).
#[test]
fn a_list_reply_that_is_not_an_object_is_unreadable() {
    let r = reply(200, b"[null,[]]".to_vec());
    assert!(matches!(
        decode::services(&r, SECRETS),
        Err(GatewayError::Decode { .. })
    ));
}
