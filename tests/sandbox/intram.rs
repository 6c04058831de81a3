//! Intram: request, confirm, customer, timeout, refunds, errors.

use crate::support::sandbox::*;

// Intram

async fn intram_request(sb: &Sandbox, amount: i64, callback: &str) -> Value {
    let body = json!({
        "invoice": {
            "keys": {"public": "demo-intram-public", "private": "demo-intram-private", "secret": "demo-intram-secret"},
            "currency": "XOF", "items": [], "taxes": [], "amount": amount,
            "description": "Vente <test>", "custom_datas": {"ticket": "T-9"}
        },
        "store": {"name": "Boutique Awa", "postal_adress": "Dakar"},
        "actions": {"cancel_url": "https://e.sn/cancel", "return_url": "https://e.sn/return", "callback_url": callback}
    });
    let reply = sb
        .http
        .post(format!("{}/api/v1/payments/request", sb.url))
        .header("X-API-KEY", "demo-intram-public")
        .header("X-PRIVATE-KEY", "demo-intram-private")
        .header("X-SECRET-KEY", "demo-intram-secret")
        .header("X-MARCHAND-KEY", "marchand-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    reply.json().await.unwrap()
}

async fn intram_confirm(sb: &Sandbox, id: &str) -> Reply {
    let request = sb
        .http
        .get(format!("{}/api/v1/transactions/confirm/{id}", sb.url))
        .header("X-API-KEY", "demo-intram-public")
        .header("X-PRIVATE-KEY", "demo-intram-private")
        .header("X-SECRET-KEY", "demo-intram-secret");
    reply(request.send().await.unwrap()).await
}

#[tokio::test]
async fn intram_request_confirm_approve_refuse_and_timeout() {
    let config = SandboxConfig {
        payment_timeout: Duration::from_millis(500),
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let receiver = Receiver::start(&[]).await;
    let created = intram_request(&sb, 2500, &receiver.url).await;
    let id = created["transaction_id"].as_str().unwrap().to_owned();
    assert!(
        id.len() == 24
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{id}"
    );
    assert_eq!(created["status"], "PENDING");
    assert_eq!(created["total_amount"], 2500);
    assert_eq!(created["currency"], "xof");
    assert_eq!(
        created["receipt_url"],
        format!("{}/payment/gate/{id}", sb.url)
    );
    assert!(
        created["qr_code"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,iVBORw0KGgo")
    );

    let pending = intram_confirm(&sb, &id).await;
    assert_eq!(pending.status, 200);
    let pending = pending.json();
    assert_eq!(pending["status"], "PENDING");
    assert_eq!(pending["customer"], Value::Null);
    assert_eq!(pending["custom_data"], json!({"ticket": "T-9"}));
    assert_eq!(pending["transaction_id"], id.as_str());
    // The page at Intram's path, and at the sandbox's older one.
    for path in [format!("/payment/gate/{id}"), format!("/intram/pay/{id}")] {
        let page = sb.get_plain(&path).await;
        assert!(page.text.contains("2 500 FCFA") && page.text.contains("Valider le paiement"));
        assert!(page.text.contains("Vente &lt;test&gt;"), "escaped");
        assert!(page.text.contains("name=\"phone\""), "the customer's phone");
    }

    let approved = sb.customer(&id, "approve").await;
    assert_eq!(
        (approved.status, approved.json()),
        (200, json!({"transactionId": id, "status": "SUCCESS"}))
    );
    let confirmed = intram_confirm(&sb, &id).await.json();
    assert_eq!(confirmed["status"], "SUCCESS");
    assert!(
        confirmed["customer"]["phone"]
            .as_str()
            .unwrap()
            .starts_with("+221")
    );
    let callback = receiver.wait(1).await.remove(0);
    assert_eq!(
        callback,
        json!({"transaction_id": id, "status": "SUCCESS", "total_amount": 2500, "custom_data": {"ticket": "T-9"}})
    );
    assert_eq!(sb.customer(&id, "refuse").await.status, 409);

    let other = intram_request(&sb, 1000, &receiver.url).await["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        sb.customer(&other, "refuse").await.json()["status"],
        "CANCELED"
    );
    assert_eq!(
        intram_confirm(&sb, &other).await.json()["status"],
        "CANCELED"
    );
    assert_eq!(sb.customer(&other, "approve").await.status, 409);
    assert_eq!(receiver.wait(2).await[1]["status"], "CANCELED");

    let late = intram_request(&sb, 1000, &receiver.url).await["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deadline = Instant::now() + WAIT;
    while intram_confirm(&sb, &late).await.json()["status"] != "FAIL" {
        assert!(Instant::now() < deadline, "never FAIL");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(receiver.wait(3).await[2]["status"], "FAIL");

    let unknown = intram_confirm(&sb, "0123456789abcdef01234567").await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (
            404,
            json!({"error": true, "status": "ERROR", "message": "Transaction introuvable"})
        )
    );
    let records = sb.records(None).await;
    assert_eq!(records.len(), 3);
    assert!(
        records
            .iter()
            .all(|r| r["gateway"] == "intram" && r["externalTransactionId"].is_null())
    );
    assert_eq!(records[0]["callbacks"][0]["httpStatus"], 200);
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn intram_confirm_details_error_and_refunded() {
    let sb = Sandbox::start(fast()).await;
    let receiver = Receiver::start(&[]).await;
    let pending = intram_request(&sb, 10_000, &receiver.url).await;
    let id = pending["transaction_id"].as_str().unwrap().to_owned();
    let before = intram_confirm(&sb, &id).await.json();
    assert_eq!(
        (
            before["amount"].clone(),
            before["fees"].clone(),
            before["net_amount"].clone(),
            before["account_number"].clone(),
            before["source"].clone()
        ),
        (
            json!(10_000),
            json!(200),
            json!(9_800),
            Value::Null,
            Value::Null
        )
    );
    // The customer pays with a Moov number of Côte d'Ivoire.
    let url = format!(
        "{}/sandbox/customer/{id}/approve?phone=%2B2250102030400",
        sb.url
    );
    let approved = reply(sb.http.post(url).send().await.unwrap()).await;
    assert_eq!(approved.json()["status"], "SUCCESS");
    let paid = intram_confirm(&sb, &id).await.json();
    assert_eq!(paid["status"], "SUCCESS");
    assert_eq!(paid["account_number"], "2250102030400");
    assert_eq!(paid["source"], "MOOV");
    assert_eq!(paid["customer"]["phone"], "+2250102030400");
    assert!(paid["customer"]["name"].is_string());

    // …85: the operator's error, from the payment page's form.
    let failing = intram_request(&sb, 1000, &receiver.url).await["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let form = sb
        .http
        .post(format!("{}/sandbox/customer/{failing}/approve", sb.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("phone=772450085")
        .send()
        .await
        .unwrap();
    // A form gets a page back.
    let form = reply(form).await;
    assert_eq!(form.status, 200);
    assert!(
        form.text.contains("<strong>ERROR</strong>"),
        "{}",
        form.text
    );
    let error = intram_confirm(&sb, &failing).await.json();
    assert_eq!(
        (error["status"].clone(), error["source"].clone()),
        (json!("ERROR"), json!("ORANGE"))
    );
    assert_eq!(sb.customer(&failing, "approve").await.status, 409);

    // …86: paid, then refunded (SUCCESS, then REFUNDED, each with its callback).
    let reversed = intram_request(&sb, 1000, &receiver.url).await["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!(
        "{}/sandbox/customer/{reversed}/approve?phone=762450086",
        sb.url
    );
    assert_eq!(
        reply(sb.http.post(url).send().await.unwrap()).await.json()["status"],
        "SUCCESS"
    );
    let deadline = Instant::now() + WAIT;
    while intram_confirm(&sb, &reversed).await.json()["status"] != "REFUNDED" {
        assert!(Instant::now() < deadline, "never REFUNDED");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let statuses: Vec<Value> = receiver
        .wait(4)
        .await
        .iter()
        .map(|c| c["status"].clone())
        .collect();
    assert_eq!(
        statuses,
        [
            json!("SUCCESS"),
            json!("ERROR"),
            json!("SUCCESS"),
            json!("REFUNDED")
        ]
    );
    sb.stop().await;
}

#[tokio::test]
async fn intram_errors_with_http_200_on_request() {
    let config = SandboxConfig {
        intram_errors_http_200: true,
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let refused = sb
        .http
        .post(format!("{}/api/v1/payments/request", sb.url))
        .header("X-API-KEY", "wrong")
        .json(&json!({"invoice": {"amount": 1000}}))
        .send()
        .await
        .unwrap();
    let refused = reply(refused).await;
    assert_eq!(
        (refused.status, refused.json()),
        (
            200,
            json!({"error": true, "status": "ERROR", "message": "Invalid API keys"})
        )
    );
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------
