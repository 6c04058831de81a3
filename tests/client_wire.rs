//! What the clients put on the wire (auth, documented fields, HMAC over the exact bytes
//! sent) and how they take every kind of bad reply: each one a typed error, never a panic.
//! A scripted local HTTP server stands in for the gateway, so the test controls every byte.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use caisse::gateway::GatewayError;
use caisse::gateway::intech::models::OperationRequest;
use caisse::gateway::intech::signing;
use caisse::gateway::intech::{IntechClient, IntechConfig};
use caisse::gateway::intram::{IntramClient, IntramConfig, IntramPaymentRequest};
use caisse::secret::Secret;
use serde_json::json;
use support::scripted::{Script, ScriptedServer, fixture};

const KEY: &str = "wire-test-key-5c1d";

fn client(server: &ScriptedServer) -> IntechClient {
    IntechClient::new(IntechConfig::new(&server.url, Secret::new(KEY))).unwrap()
}

fn operation() -> OperationRequest {
    let mut extra = BTreeMap::new();
    extra.insert("sender".to_owned(), json!("CouTech"));
    extra.insert(
        "successRedirectUrl".to_owned(),
        json!("https://paytech.sn/ok"),
    );
    extra.insert(
        "errorRedirectUrl".to_owned(),
        json!("https://paytech.sn/ko"),
    );
    OperationRequest {
        phone: "772457199".into(),
        amount: Some(1350),
        code_service: "WAVE_SN_API_CASH_OUT".into(),
        external_transaction_id: "0193f0a2-7c4e-7d21-9a6b-1f2e3d4c5b6a".into(),
        callback_url: "https://shop.example.sn/cb".into(),
        data: Some(json!({"ticket": "T-1"})),
        extra,
    }
}

const BALANCE_OK: &str = r#"{"code":2000,"msg":"Successfully operation","error":false,"data":{"currency":"XOF","balance":9938}}"#;

#[tokio::test]
async fn get_sends_the_secretkey_header_and_no_body() {
    let server = ScriptedServer::start().await;
    server.reply_json(200, BALANCE_OK);
    let balance = client(&server).balance().await.unwrap();
    assert_eq!(balance.balance, 9938.0);
    let req = server.last();
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, "/api-services/balance");
    assert_eq!(req.header("secretkey"), Some(KEY));
    assert!(req.body.is_empty());
}

#[tokio::test]
async fn post_carries_api_key_and_every_documented_field() {
    let server = ScriptedServer::start().await;
    server.reply_json(201, wave_reply());
    let reply = client(&server).operation(&operation()).await.unwrap();
    assert!(reply.transaction_id.is_some());
    let req = server.last();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/api-services/operation");
    assert_eq!(
        req.header("secretkey"),
        Some(KEY),
        "the key in the header as well as in the body"
    );
    assert!(
        req.header("hmac-signature").is_none(),
        "no HMAC unless configured"
    );
    let body = req.json();
    assert_eq!(body["apiKey"], KEY);
    assert_eq!(body["phone"], "772457199");
    assert_eq!(body["amount"], 1350);
    assert_eq!(body["codeService"], "WAVE_SN_API_CASH_OUT");
    assert_eq!(
        body["externalTransactionId"],
        "0193f0a2-7c4e-7d21-9a6b-1f2e3d4c5b6a"
    );
    assert_eq!(body["callbackUrl"], "https://shop.example.sn/cb");
    assert_eq!(body["sender"], "CouTech");
    assert_eq!(body["successRedirectUrl"], "https://paytech.sn/ok");
    assert_eq!(body["data"]["ticket"], "T-1");

    // WhatsApp: no amount at all.
    let mut msg = operation();
    msg.amount = None;
    msg.code_service = "WHATSAPP_MESSAGING".into();
    let _ = client(&server).operation(&msg).await;
    assert!(server.last().json().get("amount").is_none());

    // Every other POST endpoint: its documented fields and the key.
    let c = client(&server);
    server.reply_json(201, r#"{"code":2000,"msg":"ok","error":false,"data":{"status":"SUCCESS","pendingBills":{"success":true,"pendingBills":[]}}}"#);
    c.pending_bills("SENELEC_SN_BILL_PAY", "21050176023")
        .await
        .unwrap();
    let b = server.last().json();
    assert_eq!(server.last().path, "/api-services/list-pending-bills");
    assert_eq!(
        (
            b["apiKey"].as_str(),
            b["codeService"].as_str(),
            b["billAccountNumber"].as_str()
        ),
        (Some(KEY), Some("SENELEC_SN_BILL_PAY"), Some("21050176023"))
    );
    let _ = c.transaction_status("ext-1").await;
    let b = server.last().json();
    assert_eq!(server.last().path, "/api-services/get-transaction-status");
    assert_eq!(
        (b["apiKey"].as_str(), b["externalTransactionId"].as_str()),
        (Some(KEY), Some("ext-1"))
    );
    let _ = c.new_claim("Sujet", "Message", "T560863528274").await;
    let b = server.last().json();
    assert_eq!(server.last().path, "/api-services/new-claim");
    assert_eq!(b["subject"], "Sujet");
    assert_eq!(b["message"], "Message");
    assert_eq!(b["transactionId"], "T560863528274");
    assert_eq!(b["apiKey"], KEY);
    let _ = c.refund_cancel("T98010948524802").await;
    assert_eq!(
        server.last().path,
        "/api-services/transaction/refund-cancel"
    );
    assert_eq!(server.last().json()["transactionId"], "T98010948524802");
    let _ = c.moneygram_reception_info("89163605").await;
    let b = server.last().json();
    assert_eq!(b["codeService"], "MONEYGRAM_SN_API_CASH_OUT");
    assert_eq!(b["referenceNumber"], "89163605");
    let _ = c
        .moneygram_send_info(3000, &json!({"senderDetails": {}, "receiverDetails": {}}))
        .await;
    let b = server.last().json();
    assert_eq!(b["codeService"], "MONEYGRAM_SN_API_CASH_IN");
    assert_eq!(b["amount"], 3000);
    assert!(b["moneygramSendData"]["senderDetails"].is_object());
    for r in server.requests().iter().filter(|r| r.method == "POST") {
        assert_eq!(r.json()["apiKey"], KEY, "{}", r.path);
    }
}

/// The documented Wave cash-out reply.
fn wave_reply() -> Vec<u8> {
    fixture("intech/13_operation_response_wave_cash_out.json")
}

#[tokio::test]
async fn hmac_signs_the_exact_bytes_sent() {
    let server = ScriptedServer::start().await;
    server.reply_json(201, wave_reply());
    let mut config = IntechConfig::new(&server.url, Secret::new(KEY));
    config.hmac_secret = Some(Secret::new("hmac-secret-9"));
    IntechClient::new(config)
        .unwrap()
        .operation(&operation())
        .await
        .unwrap();
    let req = server.last();
    let signature = req.header("hmac-signature").expect("Hmac-Signature header");
    let timestamp = req.header("timestamp").expect("Timestamp header");
    let ts: i64 = timestamp.parse().unwrap();
    assert!(
        (signing::now_ms() - ts).abs() < 60_000,
        "timestamp in milliseconds"
    );
    // Recomputed over the bytes the server received.
    assert_eq!(
        signing::hmac_signature("hmac-secret-9", "POST", timestamp, &req.body),
        signature
    );
    assert!(
        signing::verify_hmac(
            "hmac-secret-9",
            "POST",
            Some(signature),
            Some(timestamp),
            &req.body,
            signing::now_ms()
        )
        .is_ok()
    );
}

#[tokio::test]
async fn success_is_code_2000_whatever_the_http_status() {
    let server = ScriptedServer::start().await;
    // 201 with 2000: success.
    server.reply_json(201, BALANCE_OK);
    assert!(client(&server).balance().await.is_ok());
    // 200 with 4000: a refusal, with the message.
    server.reply_json(
        200,
        r#"{"code":4000,"msg":"Clé API invalide","error":true,"data":null}"#,
    );
    match client(&server).balance().await {
        Err(GatewayError::Refused {
            code: 4000,
            message,
            ..
        }) => assert_eq!(message, "Clé API invalide"),
        other => panic!("{other:?}"),
    }
    // 401 with the envelope: still the gateway's refusal, readable.
    server.reply_json(
        401,
        r#"{"code":4000,"msg":"Clé API invalide","error":true}"#,
    );
    assert!(matches!(
        client(&server).balance().await,
        Err(GatewayError::Refused {
            code: 4000,
            http_status: 401,
            ..
        })
    ));
    // Validation errors by field.
    server.reply_json(201, r#"{"code":4000,"msg":"Erreur de validation","error":true,"data":{"sender":["sender est obligatoire"],"phone":["format invalide"]}}"#);
    match client(&server).operation(&operation()).await {
        Err(e @ GatewayError::Refused { .. }) => {
            let GatewayError::Refused { fields, .. } = &e else {
                unreachable!()
            };
            assert_eq!(fields["sender"], vec!["sender est obligatoire".to_owned()]);
            assert!(e.french_message(None).contains("sender"));
            assert!(!e.outcome_unknown());
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn every_bad_reply_is_a_typed_error() {
    let server = ScriptedServer::start().await;
    let c = client(&server);
    let cases: &[(&str, u16, &str)] = &[
        ("negative/missing_code.json", 200, "code"),
        ("negative/balance_string.json", 200, "data.balance"),
        ("negative/operation_missing_data.json", 201, "data"),
        ("negative/status_wrong_types.json", 201, "data."),
        ("negative/services_not_a_list.json", 200, "services"),
        ("negative/truncated_operation.json", 201, "$"),
        ("negative/empty.txt", 200, "$"),
        ("negative/not_json.txt", 200, "$"),
        ("negative/html_error_page.html", 200, "$"),
    ];
    for (file, status, path_start) in cases {
        server.reply_json(*status, fixture(file));
        let result = match *file {
            f if f.contains("balance") || f.contains("missing_code") => {
                c.balance().await.map(|_| ())
            }
            f if f.contains("services") => c.services().await.map(|_| ()),
            f if f.contains("status") => c.transaction_status("x").await.map(|_| ()),
            _ => c.operation(&operation()).await.map(|_| ()),
        };
        match result {
            Err(e @ GatewayError::Decode { .. }) => {
                let GatewayError::Decode { path, .. } = &e else {
                    unreachable!()
                };
                assert!(path.starts_with(path_start), "{file}: path {path}");
                assert!(e.outcome_unknown(), "{file}");
                assert!(!e.french_message(None).is_empty());
            }
            other => panic!("{file}: expected a decode error, got {other:?}"),
        }
    }
    // The same HTML page with an error status is an HTTP error; a 5xx leaves the outcome open.
    server.reply(Script {
        status: 502,
        content_type: "text/html",
        body: fixture("negative/html_error_page.html"),
        delay: Duration::ZERO,
    });
    match c.operation(&operation()).await {
        Err(e @ GatewayError::Http { status: 502, .. }) => assert!(e.outcome_unknown()),
        other => panic!("{other:?}"),
    }
    server.reply(Script {
        status: 403,
        content_type: "text/html",
        body: b"<h1>Forbidden</h1>".to_vec(),
        delay: Duration::ZERO,
    });
    match c.balance().await {
        Err(e @ GatewayError::Http { status: 403, .. }) => {
            assert!(e.french_message(None).contains("403"))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_20_mb_body_is_refused_without_reading_it_all() {
    let server = ScriptedServer::start().await;
    let mut body = br#"{"code":2000,"msg":""#.to_vec();
    body.resize(20 * 1024 * 1024, b'x');
    body.extend_from_slice(br#"","data":{"currency":"XOF","balance":1}}"#);
    server.reply_json(200, body);
    match client(&server).balance().await {
        Err(GatewayError::Decode { reason, .. }) => {
            assert!(reason.contains("volumineuse"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_slow_gateway_is_a_timeout_and_a_dead_one_a_connect_error() {
    let server = ScriptedServer::start().await;
    server.reply(Script {
        status: 201,
        content_type: "application/json",
        body: wave_reply(),
        // Far beyond the client's timeout: a client that waited would get this reply (a
        // success, which fails the match below), not a timeout.
        delay: Duration::from_secs(60),
    });
    let mut config = IntechConfig::new(&server.url, Secret::new(KEY));
    config.timeout = Duration::from_millis(200);
    match IntechClient::new(config)
        .unwrap()
        .operation(&operation())
        .await
    {
        Err(e @ GatewayError::Timeout { .. }) => {
            assert!(e.outcome_unknown());
            assert!(e.french_message(None).contains("peut-être abouti"));
        }
        other => panic!("{other:?}"),
    }

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let dead = IntechClient::new(IntechConfig::new(dead, Secret::new(KEY))).unwrap();
    match dead.operation(&operation()).await {
        Err(e @ GatewayError::Transport { connect: true, .. }) => {
            assert!(!e.outcome_unknown(), "nothing was sent");
            assert!(!e.to_string().contains(KEY));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn intram_sends_its_four_headers_and_maps_http_errors() {
    let server = ScriptedServer::start().await;
    let mut config = IntramConfig::new(
        format!("{}/api/v1", server.url),
        Secret::new("pub-k"),
        Secret::new("priv-k"),
        Secret::new("sec-k"),
    );
    let request = IntramPaymentRequest {
        amount: 1000,
        description: "Test".into(),
        ..Default::default()
    };

    server.reply_json(
        200,
        r#"{"status":"PENDING","transaction_id":"abc123","receipt_url":"https://pay/abc123"}"#,
    );
    let reply = IntramClient::new(config.clone())
        .unwrap()
        .payment_request(&request)
        .await
        .unwrap();
    assert_eq!(reply.transaction_id, "abc123");
    let req = server.last();
    assert_eq!(req.path, "/api/v1/payments/request");
    assert_eq!(req.header("x-api-key"), Some("pub-k"));
    assert_eq!(req.header("x-private-key"), Some("priv-k"));
    assert_eq!(req.header("x-secret-key"), Some("sec-k"));
    assert!(
        req.header("x-marchand-key").is_none(),
        "optional, and not configured"
    );
    let body = req.json();
    assert_eq!(body["invoice"]["amount"], 1000);
    assert_eq!(body["invoice"]["currency"], "XOF");
    assert_eq!(body["invoice"]["keys"]["public"], "pub-k");

    config.marchand_key = Some(Secret::new("m-1"));
    let c = IntramClient::new(config).unwrap();
    server.reply_json(200, r#"{"status":"SUCCESS","transaction_id":"abc123"}"#);
    c.confirm("abc123").await.unwrap();
    let req = server.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("GET", "/api/v1/transactions/confirm/abc123")
    );
    assert_eq!(req.header("x-marchand-key"), Some("m-1"));

    for (status, expect_refused) in [(400, true), (401, true), (404, true), (500, false)] {
        server.reply_json(status, r#"{"status":0,"message":"non"}"#);
        let result = c.confirm("abc123").await;
        match (result, expect_refused) {
            (Err(GatewayError::Refused { code, .. }), true) => assert_eq!(code, i64::from(status)),
            (Err(GatewayError::Http { status: s, .. }), false) => assert_eq!(s, status),
            (other, _) => panic!("{status}: {other:?}"),
        }
    }
    // An id that would change the path never leaves.
    let before = server.requests().len();
    assert!(c.confirm("../../admin").await.is_err());
    assert_eq!(server.requests().len(), before);
}
