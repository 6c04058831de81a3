//! Outcomes, callbacks, status limits; reset, shutdown and concurrency.

use std::sync::Arc;

use crate::support::sandbox::*;
use crate::support::wait;

#[tokio::test]
async fn lifecycle_outcomes_88_91_93_95() {
    let config = SandboxConfig {
        payment_timeout: Duration::from_millis(600),
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    // 88: the customer approves by themself.
    let auto = wave_out("772457188", 1000);
    assert_eq!(sb.operation(auto.clone()).await.json()["code"], 2000);
    // 91 on a deposit: accepted, then balance_check_failed.
    let broke = cash_in("ORANGE_SN_API_CASH_IN", "772450091", 1000, DEAD);
    assert_eq!(sb.operation(broke.clone()).await.json()["code"], 2000);
    // 93: operator down, even for a cash-out (no customer step).
    let down = cash_in("FREE_SN_WALLET_CASH_OUT", "762450093", 1000, DEAD);
    assert_eq!(sb.operation(down.clone()).await.json()["code"], 2000);
    // 95: never answered.
    let silent = cash_in("FREE_SN_WALLET_CASH_IN", "762450095", 1000, DEAD);
    assert_eq!(sb.operation(silent.clone()).await.json()["code"], 2000);
    // A cash-out nobody approves.
    let ignored = wave_out("772457100", 1000);
    assert_eq!(sb.operation(ignored.clone()).await.json()["code"], 2000);

    sb.wait_status(&ext_of(&auto), "SUCCESS").await;
    let record = sb.wait_status(&ext_of(&broke), "FAILLED").await;
    assert_eq!(record["errorCode"], "balance_check_failed");
    let record = sb.wait_status(&ext_of(&down), "FAILLED").await;
    assert_eq!(record["errorCode"], "operator_down_time");
    sb.wait_status(&ext_of(&silent), "PROCESSING").await;
    assert_eq!(sb.record(&ext_of(&ignored)).await["status"], "PENDING");
    for ext in [ext_of(&silent), ext_of(&ignored)] {
        let record = sb.wait_status(&ext, "FAILLED").await;
        assert_eq!(record["errorCode"], "payment-timeout");
    }
    // Final statuses never move: the timeout left the finished ones alone.
    assert_eq!(sb.record(&ext_of(&auto)).await["status"], "SUCCESS");
    assert_eq!(sb.balance().await, 251_000.0);
    let status = sb
        .post(
            "/api-services/get-transaction-status",
            json!({"externalTransactionId": ext_of(&ignored)}),
        )
        .await
        .json();
    assert_eq!(
        status["data"]["errorType"],
        json!({"code": "payment-timeout", "message": "Le client n'a pas validé le paiement après 15 minutes"})
    );
    sb.stop().await;
}

#[tokio::test]
async fn reply_outcomes_94_96_97() {
    let sb = Sandbox::start(SandboxConfig {
        slow_reply: Duration::from_secs(3),
        ..fast()
    })
    .await;
    // 94: held beyond a short client timeout, but created and completed.
    let slow = cash_in("FREE_SN_WALLET_CASH_IN", "762450094", 1000, DEAD);
    let mut signed = slow.clone();
    signed["apiKey"] = json!(KEY);
    let timed_out = sb
        .http
        .post(format!("{}/api-services/operation", sb.url))
        .timeout(Duration::from_millis(200))
        .json(&signed)
        .send()
        .await;
    assert!(timed_out.unwrap_err().is_timeout());
    sb.wait_status(&ext_of(&slow), "SUCCESS").await;
    // A patient client gets the reply, held until after the transaction has settled.
    let patient = cash_in("FREE_SN_WALLET_CASH_IN", "762450094", 1000, DEAD);
    let reply = {
        let (sb_url, http) = (sb.url.clone(), sb.http.clone());
        let mut body = patient.clone();
        body["apiKey"] = json!(KEY);
        tokio::spawn(async move {
            let url = format!("{sb_url}/api-services/operation");
            http.post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .text()
                .await
        })
    };
    sb.wait_status(&ext_of(&patient), "SUCCESS").await;
    assert!(!reply.is_finished(), "the reply is still held");
    let reply: Value = serde_json::from_str(&reply.await.unwrap().unwrap()).unwrap();
    assert_eq!(reply["code"], 2000);

    // 96: HTTP 500, an HTML page, the transaction exists.
    let crash = cash_in("FREE_SN_WALLET_CASH_IN", "762450096", 1000, DEAD);
    let reply = sb.operation(crash.clone()).await;
    assert_eq!(reply.status, 500);
    assert!(reply.content_type().starts_with("text/html"));
    assert!(reply.text.contains("500 Internal Server Error"));
    sb.wait_status(&ext_of(&crash), "SUCCESS").await;

    // 97: truncated JSON with a consistent Content-Length.
    let cut = cash_in("FREE_SN_WALLET_CASH_IN", "762450097", 1000, DEAD);
    let reply = sb.operation(cut.clone()).await;
    assert_eq!(reply.status, 201);
    assert!(
        serde_json::from_str::<Value>(&reply.text).is_err(),
        "{}",
        reply.text
    );
    assert!(reply.text.starts_with("{\"code\":2000"));
    let length: usize = reply.headers["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(length, reply.text.len());
    sb.wait_status(&ext_of(&cut), "SUCCESS").await;
    sb.stop().await;
}

#[tokio::test]
async fn outcome_98_the_callback_arrives_before_the_reply() {
    let sb = Sandbox::start(fast()).await;
    let receiver = Receiver::start(&[]).await;
    let deposit = cash_in("FREE_SN_WALLET_CASH_IN", "762450098", 1000, &receiver.url);
    let mut cash_out = cash_in("FREE_SN_WALLET_CASH_OUT", "762450098", 1000, &receiver.url);
    cash_out["data"] = json!({"ticket": 7});
    for (i, body) in [deposit, cash_out].into_iter().enumerate() {
        let reply = sb.operation(body.clone()).await;
        assert_eq!(reply.json()["code"], 2000);
        assert_eq!(reply.json()["data"]["status"], "PENDING");
        let hits = receiver.hits.lock().unwrap();
        assert_eq!(hits.len(), i + 1, "the callback came first");
        let callback: Value = serde_json::from_slice(&hits[i].body).unwrap();
        assert_eq!(callback["status"], "SUCCESS");
        assert_eq!(
            callback["transaction"]["externalTransactionId"],
            ext_of(&body).as_str()
        );
    }
    sb.stop().await;
}

#[tokio::test]
async fn callbacks_carry_the_hash_and_the_parsed_data() {
    let sb = Sandbox::start(fast()).await;
    let receiver = Receiver::start(&[]).await;
    let mut body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, &receiver.url);
    body["data"] = json!("{\"ticket\":\"T-42\",\"counter\":3}");
    let tid = sb.operation(body.clone()).await.json()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let ext = ext_of(&body);
    let callback = receiver.wait(1).await.remove(0);
    let expected = hex::encode(Sha256::digest(format!("{tid}|{ext}|{KEY}").as_bytes()));
    assert_eq!(callback["sha256Hash"], expected.as_str());
    assert_eq!(callback["status"], "SUCCESS");
    // The envelope's fields too, and the status inside the transaction.
    assert_eq!(
        (callback["code"].clone(), callback["error"].clone()),
        (json!(2000), json!(false))
    );
    assert_eq!(callback["transaction"]["status"], "SUCCESS");
    assert_eq!(
        callback["msg"],
        "Opération de DEBIT par CashIn Orange Money"
    );
    let tx = &callback["transaction"];
    assert_eq!(tx["transactionId"], tid.as_str());
    assert_eq!(tx["externalTransactionId"], ext.as_str());
    assert_eq!(tx["phone"], "772450000");
    assert_eq!(tx["amount"], 1000);
    assert_eq!(tx["codeService"], "ORANGE_SN_API_CASH_IN");
    assert_eq!(tx["nameService"], "CashIn Orange Money");
    assert_eq!(tx["commission"], 0);
    assert_eq!(tx["callbackUrl"], receiver.url.as_str());
    assert_eq!(tx["errorType"], Value::Null);
    assert_eq!(tx["data"], json!({"ticket": "T-42", "counter": 3}));
    assert_eq!(tx["balanceBeforeTransactionInit"], 250_000.0);
    assert_eq!(tx["balanceAfterTransactionInit"], 249_000.0);
    assert_eq!(tx["currentBalance"], 249_000.0);
    assert!(
        tx["sousServiceTransactionId"]
            .as_str()
            .unwrap()
            .starts_with("T_")
    );
    // No HMAC headers unless configured.
    assert!(
        receiver.hits.lock().unwrap()[0]
            .headers
            .get("hmac-signature")
            .is_none()
    );
    let record = sb
        .wait_for(&ext, "recorded its callback", |r| {
            r["callbacks"].as_array().unwrap().len() == 1
        })
        .await;
    assert_eq!(record["callbacks"][0]["httpStatus"], 200);
    assert!(is_iso_ms(record["callbacks"][0]["at"].as_str().unwrap()));
    sb.stop().await;
}

#[tokio::test]
async fn callbacks_are_retried_until_answered_200() {
    let sb = Sandbox::start(fast()).await;
    let receiver = Receiver::start(&[500, 404]).await;
    let body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, &receiver.url);
    sb.operation(body.clone()).await;
    let bodies = receiver.wait(3).await;
    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "the same body every time"
    );
    let record = sb
        .wait_for(&ext_of(&body), "3 attempts", |r| {
            r["callbacks"].as_array().unwrap().len() == 3
        })
        .await;
    let statuses: Vec<Value> = record["callbacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["httpStatus"].clone())
        .collect();
    assert_eq!(statuses, vec![json!(500), json!(404), json!(200)]);

    // Connection errors are recorded and retried too.
    let dead = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    sb.operation(dead.clone()).await;
    let record = sb
        .wait_for(&ext_of(&dead), "2 failed attempts", |r| {
            r["callbacks"].as_array().unwrap().len() >= 2
        })
        .await;
    assert!(record["callbacks"][0]["error"].is_string(), "{record}");
    assert!(record["callbacks"][0].get("httpStatus").is_none());
    // The answered callback was not sent again: the dead URL's second attempt came a retry
    // interval after the answer, when a fourth attempt would have been due too.
    assert_eq!(receiver.count(), 3);
    sb.stop().await;
}

#[tokio::test]
async fn service_extras_whatsapp_fee_and_card_secrets() {
    let sb = Sandbox::start(fast()).await;
    // Orange cash-out: #144# without the QR option, a deep link with it.
    let mut orange = cash_in("ORANGE_SN_API_CASH_OUT", "772450000", 1500, DEAD);
    let data = sb.operation(orange.clone()).await.json()["data"].clone();
    assert!(
        data["notificationMessage"]
            .as_str()
            .unwrap()
            .contains("#144#")
    );
    assert!(data.get("deepLinkUrl").is_none());
    orange["externalTransactionId"] = json!(ext());
    orange["useOMQrCode"] = json!(true);
    // With the QR option, the redirect URLs are required.
    let refused = sb.operation(orange.clone()).await.json();
    assert!(
        refused["data"]["successRedirectUrl"].is_array(),
        "{refused}"
    );
    assert!(refused["data"]["errorRedirectUrl"].is_array(), "{refused}");
    orange["successRedirectUrl"] = json!("https://e.sn/ok");
    orange["errorRedirectUrl"] = json!("https://e.sn/ko");
    let data = sb.operation(orange).await.json()["data"].clone();
    let tid = data["transactionId"].as_str().unwrap();
    assert_eq!(data["deepLinkUrl"], format!("{}/deep/{tid}", sb.url));

    // Card: 3-D Secure link and order id; the CVC is neither echoed nor kept.
    let mut card = cash_in("BANK_CARD_API_CASH_OUT", "+221772450000", 1000, DEAD);
    for (k, v) in [
        ("customerFirstName", "Moussa"),
        ("customerLastName", "Ndour"),
        ("cardNumber", "4111111111111111"),
        ("cardExpireMonth", "09"),
        ("cardExpireYear", "29"),
        ("cardCVC", "9q7z"),
        ("cardType", "VISA"),
        ("merchantName", "Boutique"),
        ("bankAuthRedirectUrl", "https://e.sn/3ds"),
        ("successRedirectUrl", "https://e.sn/ok"),
        ("errorRedirectUrl", "https://e.sn/ko"),
    ] {
        card[k] = json!(v);
    }
    let reply = sb.operation(card).await;
    let data = reply.json()["data"].clone();
    let tid = data["transactionId"].as_str().unwrap();
    assert_eq!(data["authLinkUrl"], format!("{}/deep/{tid}", sb.url));
    assert_eq!(data["orderId"], format!("INTECHV2-BK-{tid}"));
    assert!(data["notificationMessage"].is_string());
    // A CVC no timestamp or id can contain by chance (the sandbox does not check its form).
    assert!(!reply.text.contains("9q7z") && !reply.text.contains("cardCVC"));
    let record = sb.get_plain("/sandbox/transactions").await.text;
    assert!(!record.contains("9q7z") && !record.contains("cardCVC"));

    // WhatsApp: no amount; the server puts the partner's fee (25 FCFA) in its place, in the
    // reply and in the record; the seed's message.
    let whatsapp = json!({"phone": "+221772450000", "codeService": "WHATSAPP_MESSAGING", "externalTransactionId": ext(), "callbackUrl": DEAD, "message": "Reçu n° 42", "data": {}});
    let json = sb.operation(whatsapp.clone()).await.json();
    assert_eq!(json["code"], 2000);
    assert_eq!(
        json["msg"],
        "Le message a bien été envoyé a 221772450000@c.us (+221772450000)"
    );
    assert_eq!(json["data"]["amount"], 25);
    assert_eq!(json["data"]["amountXof"], 25);
    assert_eq!(json["data"]["errorType"], Value::Null);
    let record = sb.wait_status(&ext_of(&whatsapp), "SUCCESS").await;
    assert_eq!(record["amount"], 25);
    assert_eq!(sb.balance().await, 250_000.0 - 25.0);
    sb.stop().await;
}

#[tokio::test]
async fn the_fourth_status_call_in_a_window_blacklists_the_ip() {
    let config = SandboxConfig {
        blacklist_duration: Duration::from_millis(500),
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    let tid = sb.operation(body.clone()).await.json()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let ext = ext_of(&body);
    let status = || {
        sb.post(
            "/api-services/get-transaction-status",
            json!({"externalTransactionId": ext}),
        )
    };
    for _ in 0..3 {
        assert_eq!(status().await.json()["code"], 2000);
    }
    let fourth = status().await;
    assert_eq!(fourth.status, 403);
    assert!(fourth.content_type().starts_with("text/html"));
    assert!(
        serde_json::from_str::<Value>(&fourth.text).is_err(),
        "not the JSON envelope"
    );
    // Everything public is closed to this IP now…
    assert_eq!(sb.get("/api-services/balance").await.status, 403);
    assert_eq!(
        sb.operation(cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD))
            .await
            .status,
        403
    );
    assert_eq!(sb.get_plain(&format!("/deep/{tid}")).await.status, 403);
    let confirm = sb
        .http
        .get(format!("{}/api/v1/transactions/confirm/x", sb.url))
        .send()
        .await
        .unwrap();
    assert_eq!(confirm.status(), 403);
    // …except the test endpoints.
    let record = sb.record(&ext).await;
    assert_eq!(record["statusCalls"], 3);
    // And it ends.
    wait::until_async("the end of the blacklist", WAIT, || async {
        (sb.get("/api-services/balance").await.status == 200).then_some(())
    })
    .await;
    assert_eq!(status().await.json()["code"], 2000);
    sb.stop().await;
}

#[tokio::test]
async fn status_calls_are_limited_per_transaction_not_globally() {
    let sb = Sandbox::start(fast()).await;
    for _ in 0..4 {
        let body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD);
        sb.operation(body.clone()).await;
        for _ in 0..3 {
            let reply = sb
                .post(
                    "/api-services/get-transaction-status",
                    json!({"externalTransactionId": ext_of(&body)}),
                )
                .await;
            assert_eq!(reply.status, 201);
        }
    }
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------

// Reset, shutdown, concurrency

#[tokio::test]
async fn reset_restores_the_initial_state() {
    let sb = Sandbox::start(fast()).await;
    let body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    sb.operation(body.clone()).await;
    sb.wait_status(&ext_of(&body), "SUCCESS").await;
    assert_eq!(sb.balance().await, 249_000.0);
    let reset = reply(
        sb.http
            .post(format!("{}/sandbox/reset", sb.url))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reset.status, 200);
    assert_eq!(sb.balance().await, 250_000.0);
    assert!(sb.records(None).await.is_empty());
    // The same externalTransactionId is new again.
    assert_eq!(sb.operation(body).await.json()["code"], 2000);
    sb.stop().await;
}

#[tokio::test]
async fn shutdown_stops_callbacks_and_held_replies() {
    let config = SandboxConfig {
        callback_retry: Duration::from_millis(30),
        slow_reply: Duration::from_secs(60),
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let receiver = Receiver::start(&[500; 1000]).await;
    sb.operation(cash_in(
        "ORANGE_SN_API_CASH_IN",
        "772450000",
        1000,
        &receiver.url,
    ))
    .await;
    receiver.wait(2).await;
    // A reply held for a minute must not hold the shutdown.
    let url = format!("{}/api-services/operation", sb.url);
    let mut held = cash_in("FREE_SN_WALLET_CASH_IN", "762450094", 1000, DEAD);
    held["apiKey"] = json!(KEY);
    let http = sb.http.clone();
    let held_ext = ext_of(&held);
    let pending = tokio::spawn(async move { http.post(url).json(&held).send().await });
    sb.wait_for(&held_ext, "created", |_| true).await;
    let attempts = receiver.count();
    tokio::time::timeout(WAIT, sb.stop())
        .await
        .expect("the shutdown does not wait for the held reply (a minute)");
    let _ = pending.await;
    // Callbacks were failing every 30 ms: none after the shutdown.
    let count = receiver.count();
    assert!(count >= attempts);
    wait::stays_async(
        "no callback after shutdown",
        Duration::from_millis(300),
        || async { receiver.count() == count },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_operations_keep_the_books_straight() {
    let sb = Arc::new(Sandbox::start(fast()).await);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let sb = sb.clone();
        tasks.push(tokio::spawn(async move {
            let body = if i % 2 == 0 {
                cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD)
            } else {
                cash_in("FREE_SN_WALLET_CASH_OUT", "762457188", 500, DEAD)
            };
            assert_eq!(sb.operation(body.clone()).await.json()["code"], 2000);
            ext_of(&body)
        }));
    }
    let mut exts = Vec::new();
    for task in tasks {
        exts.push(task.await.unwrap());
    }
    for ext in &exts {
        sb.wait_status(ext, "SUCCESS").await;
    }
    assert_eq!(sb.balance().await, 250_000.0 - 20.0 * 1000.0 + 20.0 * 500.0);
    let ids: std::collections::HashSet<String> = sb
        .records(None)
        .await
        .iter()
        .map(|r| r["transactionId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 40);
    match Arc::try_unwrap(sb) {
        Ok(sb) => sb.stop().await,
        Err(_) => panic!("still shared"),
    }
}

// ---------------------------------------------------------------------------------------
