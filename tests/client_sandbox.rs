//! The Intech and Intram clients against the sandbox, over real HTTP: every endpoint, the
//! documented quirks as the sandbox serves them, and every kind of error.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use caisse::domain::{IntechStatus, IntramStatus};
use caisse::gateway::intech::callback::{parse_callback, verify_sha256_hash};
use caisse::gateway::intech::models::OperationRequest;
use caisse::gateway::intech::{IntechClient, IntechConfig};
use caisse::gateway::intram::{IntramClient, IntramConfig, IntramPaymentRequest};
use caisse::gateway::{CustomerAction, Gateway, GatewayError, PaymentRequest, PaymentStatus};
use caisse::sandbox::{self, SandboxConfig, SandboxHandle};
use caisse::secret::Secret;
use serde_json::{Value, json};
use tokio::sync::Mutex;

const KEY: &str = "test-intech-key";

fn fast_config() -> SandboxConfig {
    SandboxConfig {
        api_key: KEY.into(),
        processing_delay: Duration::from_millis(50),
        settle_delay: Duration::from_millis(50),
        auto_approve_delay: Duration::from_millis(50),
        callback_retry: Duration::from_millis(100),
        slow_reply: Duration::from_secs(3),
        ..SandboxConfig::default()
    }
}

async fn start(config: SandboxConfig) -> SandboxHandle {
    sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

fn intech(sandbox: &SandboxHandle) -> IntechClient {
    IntechClient::new(IntechConfig::new(sandbox.url(), Secret::new(KEY))).unwrap()
}

fn ext_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn op(code: &str, phone: &str, amount: Option<i64>, callback_url: &str) -> OperationRequest {
    let mut extra = std::collections::BTreeMap::new();
    // The server requires `sender` for every Wave Senegal service.
    if code.starts_with("WAVE_SN_") {
        extra.insert("sender".to_owned(), json!("Boutique Test"));
    }
    OperationRequest {
        phone: phone.into(),
        amount,
        code_service: code.into(),
        external_transaction_id: ext_id(),
        callback_url: callback_url.into(),
        data: None,
        extra,
    }
}

fn wave_cash_out(phone: &str, amount: i64) -> OperationRequest {
    let mut req = op(
        "WAVE_SN_API_CASH_OUT",
        phone,
        Some(amount),
        "http://127.0.0.1:9/cb",
    );
    req.extra.insert("sender".into(), json!("Boutique Test"));
    req.extra
        .insert("successRedirectUrl".into(), json!("https://example.sn/ok"));
    req.extra
        .insert("errorRedirectUrl".into(), json!("https://example.sn/ko"));
    req
}

async fn customer(sandbox: &SandboxHandle, transaction_id: &str, decision: &str) -> Value {
    let url = format!(
        "{}/sandbox/customer/{transaction_id}/{decision}",
        sandbox.url()
    );
    let resp = reqwest_client().post(url).send().await.unwrap();
    assert!(
        resp.status().is_success(),
        "customer {decision}: {}",
        resp.status()
    );
    resp.json().await.unwrap()
}

fn reqwest_client() -> reqwest::Client {
    caisse::http::client_builder().build().unwrap()
}

/// Polls the status within the gateway's limit (3 per minute per transaction) would be too
/// slow for a test; the sandbox's own record is read instead, then one real status call.
async fn wait_for_record_status(sandbox: &SandboxHandle, ext: &str, want: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let url = format!(
            "{}/sandbox/transactions?externalTransactionId={ext}",
            sandbox.url()
        );
        let records: Value = reqwest_client()
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(record) = records.as_array().and_then(|r| r.first())
            && record["status"] == want
        {
            return record.clone();
        }
        assert!(
            Instant::now() < deadline,
            "{ext} never reached {want}: {records}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn catalogue_endpoints() {
    let sandbox = start(fast_config()).await;
    let client = intech(&sandbox);

    let services = client.services().await.unwrap();
    assert!(services.len() >= 38, "{}", services.len());
    let wave = services
        .iter()
        .find(|s| s.code_service == "WAVE_SN_API_CASH_OUT")
        .unwrap();
    assert_eq!(wave.type_operation, "CREDIT");
    assert_eq!(wave.type_service, "CASHOUT");
    // Icons are served by the sandbox itself.
    let icon = wave.icon.clone().unwrap();
    assert!(icon.starts_with(&sandbox.url()), "{icon}");
    let resp = reqwest_client().get(&icon).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("<svg"));

    // The error list comes under `services` on the wire; the client hides that quirk.
    let errors = client.errors().await.unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e.id.is_none() && e.code == "unknown_error")
    );
    let insufficient = errors.iter().find(|e| e.id == Some(26)).unwrap();
    assert!(insufficient.message.contains("__amount__"));

    let balance = client.balance().await.unwrap();
    assert_eq!(balance.currency, "XOF");
    assert_eq!(balance.balance, 250_000.0);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn pending_bills_nested_list_and_refusal() {
    let sandbox = start(fast_config()).await;
    let client = intech(&sandbox);
    let bills = client
        .pending_bills("SENELEC_SN_BILL_PAY", "21050176023")
        .await
        .unwrap();
    assert_eq!(bills.len(), 3);
    for bill in &bills {
        assert!(bill.amount > 0);
        assert!(bill.bill_reference.chars().all(|c| c.is_ascii_digit()));
        assert!(bill.infos.iter().any(|i| i.label == "Nom client"));
    }
    assert!(
        client
            .pending_bills("SENEAU_SN_BILL_PAY", "106032682910")
            .await
            .unwrap()
            .is_empty()
    );
    match client
        .pending_bills("SENELEC_SN_BILL_PAY", "21050176024")
        .await
    {
        Err(GatewayError::Refused {
            code: 4000,
            message,
            ..
        }) => assert!(message.contains("facture")),
        other => panic!("expected a refusal, got {other:?}"),
    }

    // Pay one: it leaves the list and the balance goes down by its amount.
    let bill = &bills[0];
    let mut req = op(
        "SENELEC_SN_BILL_PAY",
        "772457199",
        Some(bill.amount),
        "http://127.0.0.1:9/cb",
    );
    req.extra
        .insert("accountNumber".into(), json!("21050176023"));
    req.extra
        .insert("billReference".into(), json!(bill.bill_reference));
    let reply = client.operation(&req).await.unwrap();
    assert_eq!(reply.status, IntechStatus::Pending);
    wait_for_record_status(&sandbox, &req.external_transaction_id, "SUCCESS").await;
    let left = client
        .pending_bills("SENELEC_SN_BILL_PAY", "21050176023")
        .await
        .unwrap();
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|b| b.bill_reference != bill.bill_reference));
    assert_eq!(
        client.balance().await.unwrap().balance,
        250_000.0 - bill.amount as f64
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn wave_cash_out_approved_by_the_customer_then_refunded_and_claimed() {
    let sandbox = start(fast_config()).await;
    let client = intech(&sandbox);
    let req = wave_cash_out("772457100", 1500);
    let reply = client.operation(&req).await.unwrap();
    assert_eq!(reply.status, IntechStatus::Pending);
    let tx = reply.transaction_id.clone().unwrap();
    let link = reply.customer_url().unwrap().to_owned();
    assert_eq!(link, format!("{}/deep/{tx}", sandbox.url()));
    assert!(
        reply
            .notification_message
            .as_deref()
            .unwrap_or("")
            .contains(&link)
    );
    // The landing page is there for the customer.
    let page = reqwest_client()
        .get(&link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("1 500") || page.contains("1500"), "{page}");

    customer(&sandbox, &tx, "approve").await;
    wait_for_record_status(&sandbox, &req.external_transaction_id, "SUCCESS").await;

    // get-transaction-status answers transactionId as a number: the client makes it a string.
    let status = client
        .transaction_status(&req.external_transaction_id)
        .await
        .unwrap();
    assert_eq!(status.status, IntechStatus::Success);
    assert_eq!(status.transaction_id.as_deref(), Some(tx.as_str()));
    assert_eq!(status.external_transaction_id, req.external_transaction_id);
    assert!(status.error_type.is_none());
    assert_eq!(client.balance().await.unwrap().balance, 251_500.0);

    let claim = client
        .new_claim("Montant", "Le client conteste", &tx)
        .await
        .unwrap();
    assert_eq!(claim.status, "OPENED");
    assert!(claim.claim_ref.is_some());

    let refund = client.refund_cancel(&tx).await.unwrap();
    assert!(refund.message.contains("rembours"), "{}", refund.message);
    assert_eq!(client.balance().await.unwrap().balance, 250_000.0);
    // Refunded already: refused the second time.
    assert!(matches!(
        client.refund_cancel(&tx).await,
        Err(GatewayError::Refused { .. })
    ));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn refund_of_a_cash_in_is_refused() {
    let sandbox = start(fast_config()).await;
    let client = intech(&sandbox);
    let req = op(
        "ORANGE_SN_API_CASH_IN",
        "772450000",
        Some(1000),
        "http://127.0.0.1:9/cb",
    );
    let reply = client.operation(&req).await.unwrap();
    wait_for_record_status(&sandbox, &req.external_transaction_id, "SUCCESS").await;
    match client.refund_cancel(&reply.transaction_id.unwrap()).await {
        Err(e @ GatewayError::Refused { .. }) => assert!(!e.outcome_unknown()),
        other => panic!("a cash-in cannot be refunded: {other:?}"),
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn refusals_carry_the_catalogue_code_and_a_french_message() {
    let sandbox = start(fast_config()).await;
    let client = intech(&sandbox);

    // Wave needs multiples of 5.
    match client.operation(&wave_cash_out("772457100", 1501)).await {
        Err(e @ GatewayError::Refused { .. }) => {
            let GatewayError::Refused { error_type, .. } = &e else {
                unreachable!()
            };
            assert_eq!(error_type.as_ref().unwrap().code, "bad_amount_5");
            assert!(e.french_message(Some(1501)).contains("multiple de 5"));
            assert!(!e.outcome_unknown());
        }
        other => panic!("{other:?}"),
    }
    // A deposit above the shop's balance: insufficient_balance with the amount filled in.
    let req = op(
        "WAVE_SN_API_CASH_IN",
        "772450000",
        Some(300_000),
        "http://127.0.0.1:9/cb",
    );
    match client.operation(&req).await {
        Err(e @ GatewayError::Refused { .. }) => {
            assert!(
                e.french_message(Some(300_000)).contains("300 000"),
                "{}",
                e.french_message(Some(300_000))
            );
        }
        other => panic!("{other:?}"),
    }
    // Missing field: validation errors by field. (Not `sender`: the server makes it
    // optional for Wave SN; the redirect URLs it requires.)
    let mut req = wave_cash_out("772457100", 1500);
    req.extra.remove("errorRedirectUrl");
    match client.operation(&req).await {
        Err(GatewayError::Refused { fields, .. }) => {
            assert!(fields.contains_key("errorRedirectUrl"), "{fields:?}")
        }
        other => panic!("{other:?}"),
    }
    // Unknown number (…92): refused at once, FAILLED.
    match client
        .operation(&op(
            "ORANGE_SN_API_CASH_IN",
            "772450092",
            Some(1000),
            "http://127.0.0.1:9/cb",
        ))
        .await
    {
        Err(GatewayError::Refused {
            error_type: Some(t),
            ..
        }) => assert_eq!(t.code, "no_om_account"),
        other => panic!("{other:?}"),
    }
    // Unknown transaction: code 404 in the body.
    assert!(matches!(
        client.transaction_status("no-such-id").await,
        Err(GatewayError::Refused { code: 404, .. })
    ));
    // Wrong key.
    let wrong = IntechClient::new(IntechConfig::new(sandbox.url(), Secret::new("wrong"))).unwrap();
    assert!(matches!(
        wrong.balance().await,
        Err(GatewayError::Refused { .. })
    ));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn timeout_500_and_truncated_replies_are_unknown_outcomes() {
    let sandbox = start(fast_config()).await;
    let mut config = IntechConfig::new(sandbox.url(), Secret::new(KEY));
    config.timeout = Duration::from_millis(300);
    let client = IntechClient::new(config).unwrap();

    // …94: the reply is held beyond the client's timeout, but the transaction exists.
    let req = op(
        "WAVE_SN_API_CASH_IN",
        "772450094",
        Some(1000),
        "http://127.0.0.1:9/cb",
    );
    match client.operation(&req).await {
        Err(e @ GatewayError::Timeout { .. }) => {
            assert!(e.outcome_unknown());
            assert!(!e.french_message(None).is_empty());
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    wait_for_record_status(&sandbox, &req.external_transaction_id, "SUCCESS").await;

    // …96: HTTP 500 HTML page after the transaction was created.
    let req = op(
        "WAVE_SN_API_CASH_IN",
        "772450096",
        Some(1000),
        "http://127.0.0.1:9/cb",
    );
    match client.operation(&req).await {
        Err(e @ GatewayError::Http { status: 500, .. }) => assert!(e.outcome_unknown()),
        other => panic!("expected HTTP 500, got {other:?}"),
    }
    // …97: truncated JSON.
    let req = op(
        "WAVE_SN_API_CASH_IN",
        "772450097",
        Some(1000),
        "http://127.0.0.1:9/cb",
    );
    match client.operation(&req).await {
        Err(e @ GatewayError::Decode { .. }) => assert!(e.outcome_unknown()),
        other => panic!("expected a decode error, got {other:?}"),
    }
    wait_for_record_status(&sandbox, &req.external_transaction_id, "SUCCESS").await;

    // Connection refused: certainly not sent.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = IntechClient::new(IntechConfig::new(dead, Secret::new(KEY))).unwrap();
    match client.balance().await {
        Err(e @ GatewayError::Transport { connect: true, .. }) => assert!(!e.outcome_unknown()),
        other => panic!("expected a connect error, got {other:?}"),
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_fourth_status_call_in_a_minute_is_blacklisted() {
    let sandbox = start(fast_config()).await;
    let client = intech(&sandbox);
    let req = op(
        "WAVE_SN_API_CASH_IN",
        "772450000",
        Some(1000),
        "http://127.0.0.1:9/cb",
    );
    client.operation(&req).await.unwrap();
    for _ in 0..3 {
        client
            .transaction_status(&req.external_transaction_id)
            .await
            .unwrap();
    }
    match client
        .transaction_status(&req.external_transaction_id)
        .await
    {
        Err(GatewayError::Http { status: 403, .. }) => {}
        other => panic!("expected the blacklist, got {other:?}"),
    }
    assert!(matches!(
        client.balance().await,
        Err(GatewayError::Http { status: 403, .. })
    ));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn hmac_signed_requests_are_accepted_unsigned_refused() {
    let config = SandboxConfig {
        hmac_secret: Some("hmac-secret".into()),
        ..fast_config()
    };
    let sandbox = start(config).await;
    let mut signed = IntechConfig::new(sandbox.url(), Secret::new(KEY));
    signed.hmac_secret = Some(Secret::new("hmac-secret"));
    let signed = IntechClient::new(signed).unwrap();
    let req = op(
        "WAVE_SN_API_CASH_IN",
        "772450000",
        Some(1000),
        "http://127.0.0.1:9/cb",
    );
    signed.operation(&req).await.unwrap();

    let unsigned = intech(&sandbox);
    let req = op(
        "WAVE_SN_API_CASH_IN",
        "772450000",
        Some(1000),
        "http://127.0.0.1:9/cb",
    );
    assert!(matches!(
        unsigned.operation(&req).await,
        Err(GatewayError::Refused { .. })
    ));
    sandbox.shutdown().await;
}

/// A callback receiver: stores every body, answers 200.
async fn receiver() -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    let bodies: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let store = bodies.clone();
    let app = axum::Router::new().route(
        "/cb",
        axum::routing::post(move |body: axum::body::Bytes| {
            let store = store.clone();
            async move {
                store.lock().await.push(body.to_vec());
                "OK"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, bodies)
}

#[tokio::test]
async fn callbacks_verify_and_carry_the_custom_data_parsed() {
    let sandbox = start(fast_config()).await;
    let client = intech(&sandbox);
    let (url, bodies) = receiver().await;
    // The doc says `data` is a JSON string; its examples send an object. Both come back parsed.
    let mut req = op("WAVE_SN_API_CASH_IN", "772450000", Some(1000), &url);
    req.data = Some(json!("{\"ticket\":\"T-42\"}"));
    let reply = client.operation(&req).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while bodies.lock().await.is_empty() {
        assert!(Instant::now() < deadline, "no callback");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let body = bodies.lock().await[0].clone();
    let callback = parse_callback(&body).unwrap();
    assert_eq!(callback.status, IntechStatus::Success);
    assert_eq!(
        callback.transaction.external_transaction_id,
        req.external_transaction_id
    );
    assert_eq!(
        Some(callback.transaction.transaction_id.clone()),
        reply.transaction_id
    );
    assert!(verify_sha256_hash(&callback, &Secret::new(KEY)));
    assert!(!verify_sha256_hash(&callback, &Secret::new("another-key")));
    assert_eq!(
        callback.transaction.data.as_ref().unwrap()["ticket"],
        "T-42"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn moneygram_info_and_fees() {
    let sandbox = start(fast_config()).await;
    let client = intech(&sandbox);
    let info = client.moneygram_reception_info("89163605").await.unwrap();
    assert!(info.raw.to_string().contains("89163605"));
    let send = json!({
        "senderDetails": {"senderFirstName": "Moussa", "senderLastName": "Ndour"},
        "receiverDetails": {"receiverFirstName": "Aicha", "receiverLastName": "Diallo"}
    });
    let fees = client.moneygram_send_info(3000, &send).await.unwrap();
    assert!(fees.raw.to_string().contains("totalAmountToCollect"));
    assert!(client.moneygram_reception_info("abc").await.is_err());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn one_trait_for_both_gateways() {
    let sandbox = start(fast_config()).await;
    let intech: Box<dyn Gateway> = Box::new(intech(&sandbox));
    let intram: Box<dyn Gateway> = Box::new(
        IntramClient::new(IntramConfig {
            base_url: format!("{}/api/v1", sandbox.url()),
            public_key: Secret::new("demo-intram-public"),
            private_key: Secret::new("demo-intram-private"),
            secret_key: Secret::new("demo-intram-secret"),
            marchand_key: None,
            timeout: Duration::from_secs(10),
        })
        .unwrap(),
    );

    let mut fields = std::collections::BTreeMap::new();
    fields.insert("sender".to_owned(), json!("Boutique"));
    fields.insert(
        "successRedirectUrl".to_owned(),
        json!("https://example.sn/ok"),
    );
    fields.insert(
        "errorRedirectUrl".to_owned(),
        json!("https://example.sn/ko"),
    );
    let wave = PaymentRequest {
        external_id: ext_id(),
        service: "WAVE_SN_API_CASH_OUT".into(),
        phone: Some("772457100".into()),
        amount: Some(1500),
        fields,
        callback_url: Some("http://127.0.0.1:9/cb".into()),
        description: None,
    };
    let intram_req = PaymentRequest {
        external_id: ext_id(),
        service: "INTRAM".into(),
        phone: None,
        amount: Some(2500),
        fields: Default::default(),
        callback_url: Some("http://127.0.0.1:9/cb".into()),
        description: Some("Vente test".into()),
    };
    for (gateway, req) in [(&intech, &wave), (&intram, &intram_req)] {
        let started = gateway.initiate(req).await.unwrap();
        let CustomerAction::OpenUrl { url } = &started.customer_action else {
            panic!("{:?} must give a URL to scan", gateway.kind());
        };
        assert!(url.starts_with(&sandbox.url()), "{url}");
        let tx = started.gateway_transaction_id.clone().unwrap();
        assert!(matches!(started.status, PaymentStatus::Pending));
        customer(&sandbox, &tx, "approve").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            // Intram has no status limit; for Intech wait on the record first.
            if gateway.kind().as_str() == "intech" {
                wait_for_record_status(&sandbox, &req.external_id, "SUCCESS").await;
            }
            let report = gateway.status(&req.external_id, Some(&tx)).await.unwrap();
            if matches!(report.status, PaymentStatus::Success) {
                break;
            }
            assert!(Instant::now() < deadline);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn intram_refusal_and_auth() {
    let sandbox = start(fast_config()).await;
    let config = IntramConfig {
        base_url: format!("{}/api/v1", sandbox.url()),
        public_key: Secret::new("demo-intram-public"),
        private_key: Secret::new("demo-intram-private"),
        secret_key: Secret::new("demo-intram-secret"),
        marchand_key: None,
        timeout: Duration::from_secs(10),
    };
    let client = IntramClient::new(config.clone()).unwrap();
    let req = IntramPaymentRequest {
        amount: 1000,
        description: "Test".into(),
        custom_datas: json!({}),
        store_name: "Boutique".into(),
        cancel_url: "https://example.sn/cancel".into(),
        return_url: "https://example.sn/return".into(),
        callback_url: "https://example.sn/cb".into(),
        ..IntramPaymentRequest::default()
    };
    let reply = client.payment_request(&req).await.unwrap();
    assert!(
        reply
            .receipt_url
            .as_deref()
            .unwrap()
            .contains(&reply.transaction_id)
    );
    customer(&sandbox, &reply.transaction_id, "refuse").await;
    assert_eq!(
        client.confirm(&reply.transaction_id).await.unwrap().status,
        IntramStatus::Canceled
    );

    let bad = IntramClient::new(IntramConfig {
        secret_key: Secret::new("wrong"),
        ..config
    })
    .unwrap();
    assert!(matches!(
        bad.payment_request(&req).await,
        Err(GatewayError::Refused { code: 401, .. })
    ));
    sandbox.shutdown().await;
}
