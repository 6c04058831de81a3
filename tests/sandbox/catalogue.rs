//! Catalogue, authentication, HMAC, the transport, and what the second reading of the
//! server code adds (keys in headers, duplicates, test accounts, exceptions, refusals).

use caisse::catalog::errors::ERRORS;
use caisse::catalog::services::{ICONS, SERVICES};
use caisse::gateway::intech::signing::{hmac_signature, now_ms, verify_hmac};

use crate::support::sandbox::*;

// ---------------------------------------------------------------------------------------
// Catalogue, auth, transport

#[tokio::test]
async fn catalogue_balance_and_icons() {
    let sb = Sandbox::start(fast()).await;
    let services = sb.get("/api-services/services").await;
    assert_eq!(services.status, 200);
    assert!(services.content_type().starts_with("application/json"));
    let services = services.json();
    assert_eq!(services["success"], true);
    let list = services["services"].as_array().unwrap();
    assert_eq!(list.len(), SERVICES.len());
    let wave = list
        .iter()
        .find(|s| s["codeService"] == "WAVE_SN_API_CASH_OUT")
        .unwrap();
    assert_eq!(wave["name"], "CashOut Wave Money");
    assert_eq!(wave["typeOperation"], "CREDIT");
    assert_eq!(wave["typeService"], "CASHOUT");
    assert_eq!(wave["icon"], format!("{}/icons/wave.svg", sb.url));

    let errors = sb.get("/api-services/errors").await.json();
    assert_eq!(errors["success"], true);
    let list = errors["services"].as_array().unwrap();
    assert_eq!(list.len(), ERRORS.len());
    assert_eq!(
        list[0],
        json!({"id": null, "code": "unknown_error", "message": ERRORS[0].message})
    );
    assert!(
        list.iter()
            .any(|e| e["id"] == 26 && e["message"].as_str().unwrap().contains("__amount__"))
    );

    let balance = sb.get("/api-services/balance").await;
    assert_eq!(balance.status, 200);
    assert_eq!(
        balance.json(),
        json!({"code": 2000, "msg": "Successfully operation", "error": false,
               "data": {"currency": "XOF", "balance": 250000.0}})
    );

    for stem in ICONS {
        let served = sb.get_plain(&format!("/icons/{stem}.svg")).await;
        assert_eq!(served.status, 200, "{stem}");
        assert_eq!(served.content_type(), "image/svg+xml");
        assert!(served.text.contains("<svg"), "{stem}");
        assert!(served.text.contains("viewBox=\"0 0 64 64\""), "{stem}");
        assert!(served.text.len() < 2048, "{stem} is not small");
    }
    assert_eq!(sb.get_plain("/icons/nope.svg").await.status, 404);
    assert!(sb.get_plain("/").await.text.contains("Sandbox caisse"));
    sb.stop().await;
}

#[tokio::test]
async fn authentication_and_malformed_requests_are_refused() {
    let sb = Sandbox::start(fast()).await;
    // GET: the handler answers (HTTP 200) with the bad-key reply.
    for path in [
        "/api-services/balance",
        "/api-services/services",
        "/api-services/errors",
    ] {
        let none = sb.get_plain(path).await;
        assert_eq!((none.status, none.json()), (200, auth_needed()), "{path}");
        let url = format!("{}{path}", sb.url);
        let wrong = reply(
            sb.http
                .get(url)
                .header("Secretkey", "nope")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!((wrong.status, wrong.json()), (200, auth_needed()), "{path}");
    }
    // An operation without a key: one more field error, `apiKey`, as the server says it.
    let body = cash_in("WAVE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    let missing = sb
        .post_raw(
            "/api-services/operation",
            body.to_string().into_bytes(),
            &[],
        )
        .await;
    assert_eq!(missing.status, 201);
    let missing = missing.json();
    assert_eq!(
        (missing["code"].clone(), missing["error"].clone()),
        (json!(4000), json!(true))
    );
    assert_eq!(
        missing["data"]["apiKey"],
        json!(["Le clee API est invalide"])
    );
    let mut wrong = body.clone();
    wrong["apiKey"] = json!("nope");
    let wrong = sb
        .post_raw(
            "/api-services/get-transaction-status",
            wrong.to_string().into_bytes(),
            &[],
        )
        .await;
    assert_eq!((wrong.status, wrong.json()), (201, auth_needed()));
    assert!(sb.records(None).await.is_empty());

    // Unreadable JSON: the body parser's exception, in the exception envelope.
    let bad = sb
        .post_raw(
            "/api-services/operation",
            b"{\"apiKey\": \"test-int".to_vec(),
            &[],
        )
        .await;
    assert_eq!(bad.status, 400);
    let bad = bad.json();
    assert_eq!(
        (
            bad["code"].clone(),
            bad["msg"].clone(),
            bad["data"].clone(),
            bad["path"].clone()
        ),
        (
            json!(400),
            json!("Une erreur est survenue"),
            json!({}),
            json!("")
        )
    );
    assert!(bad["_msg"].is_string());
    let huge = vec![b' '; 1024 * 1024 + 10];
    assert_eq!(
        sb.post_raw("/api-services/operation", huge, &[])
            .await
            .status,
        413
    );
    let unknown = sb.get("/api-services/nope").await;
    assert_eq!(
        (unknown.status, unknown.json()["statusCode"].clone()),
        (404, json!(404))
    );

    // Intram: three headers; its own error body.
    let intram = |public: &str| {
        sb.http
            .post(format!("{}/api/v1/payments/request", sb.url))
            .header("X-API-KEY", public)
            .header("X-PRIVATE-KEY", "demo-intram-private")
            .header("X-SECRET-KEY", "demo-intram-secret")
            .json(&json!({"invoice": {"amount": 1000}}))
    };
    let refused = reply(intram("wrong").send().await.unwrap()).await;
    assert_eq!(
        (refused.status, refused.json()),
        (
            401,
            json!({"error": true, "status": "ERROR", "message": "Invalid API keys"})
        )
    );
    assert_eq!(
        reply(intram("demo-intram-public").send().await.unwrap())
            .await
            .status,
        200
    );
    let no_amount = intram("demo-intram-public").json(&json!({"invoice": {"amount": 0}}));
    let no_amount = reply(no_amount.send().await.unwrap()).await;
    assert_eq!(
        (no_amount.status, no_amount.json()["status"].clone()),
        (400, json!("ERROR"))
    );
    sb.stop().await;
}

#[tokio::test]
async fn hmac_is_required_when_configured_and_callbacks_are_signed() {
    let secret = "hmac-secret";
    let config = SandboxConfig {
        hmac_secret: Some(secret.into()),
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let receiver = Receiver::start(&[]).await;
    let mut body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, &receiver.url);
    body["apiKey"] = json!(KEY);
    let bytes = body.to_string().into_bytes();

    let unsigned = sb
        .post_raw("/api-services/operation", bytes.clone(), &[])
        .await;
    assert_eq!(unsigned.status, 401);
    assert_eq!(unsigned.json()["code"], 4000);
    assert!(unsigned.json()["msg"].as_str().unwrap().contains("HMAC"));

    let sign = |ts: i64, body: &[u8]| {
        vec![
            (
                "Hmac-Signature",
                hmac_signature(secret, "POST", &ts.to_string(), body),
            ),
            ("Timestamp", ts.to_string()),
        ]
    };
    let stale = sign(now_ms() - 6 * 60 * 1000, &bytes);
    let stale = sb
        .post_raw("/api-services/operation", bytes.clone(), &stale)
        .await;
    assert_eq!(stale.status, 401);
    assert!(stale.json()["msg"].as_str().unwrap().contains("ancien"));
    let mut tampered = sign(now_ms(), &bytes);
    tampered[0].1 = hmac_signature(secret, "POST", "1", &bytes);
    let tampered = sb
        .post_raw("/api-services/operation", bytes.clone(), &tampered)
        .await;
    assert_eq!(tampered.status, 401);
    assert!(sb.records(None).await.is_empty());

    let signed = sb
        .post_raw(
            "/api-services/operation",
            bytes.clone(),
            &sign(now_ms(), &bytes),
        )
        .await;
    assert_eq!(
        (signed.status, signed.json()["code"].clone()),
        (201, json!(2000))
    );
    // GETs are not signed.
    assert_eq!(sb.get("/api-services/balance").await.status, 200);

    // The callback carries a signature over its exact bytes.
    receiver.wait(1).await;
    {
        let hits = receiver.hits.lock().unwrap();
        let hit = &hits[0];
        let header = |name: &str| hit.headers.get(name).and_then(|v| v.to_str().ok());
        let (signature, timestamp) = (header("hmac-signature"), header("timestamp"));
        let verified = verify_hmac(secret, "POST", signature, timestamp, &hit.body, now_ms());
        assert_eq!(verified, Ok(()));
    }
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------
// What the second reading of the server code adds

#[tokio::test]
async fn status_takes_the_key_from_a_header_or_the_body() {
    // More status calls on one transaction than Intech allows a minute.
    let config = SandboxConfig {
        status_limit: 10,
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    // An operation with the key in the header only.
    let mut no_key = body.clone();
    no_key.as_object_mut().unwrap().remove("apiKey");
    let accepted = sb
        .post_raw(
            "/api-services/operation",
            no_key.to_string().into_bytes(),
            &[("Secretkey", KEY.into())],
        )
        .await;
    assert_eq!(accepted.json()["code"], 2000, "{}", accepted.text);
    let ext = ext_of(&body);
    let query = json!({"externalTransactionId": ext})
        .to_string()
        .into_bytes();
    let status = |headers: Vec<(&'static str, String)>, body: Vec<u8>| {
        let sb = &sb;
        async move {
            sb.post_raw("/api-services/get-transaction-status", body, &headers)
                .await
        }
    };
    // The March 2024 server reads the `Secretkey` header alone; the later one also
    // `secret-key` and the body's `apiKey`.
    for headers in [
        vec![("Secretkey", KEY.to_owned())],
        vec![("secretkey", KEY.to_owned())],
        vec![("secret-key", KEY.to_owned())],
    ] {
        let reply = status(headers.clone(), query.clone()).await;
        assert_eq!(
            (reply.status, reply.json()["code"].clone()),
            (201, json!(2000)),
            "{headers:?}"
        );
    }
    let with_body_key = json!({"externalTransactionId": ext, "apiKey": KEY});
    let reply = status(vec![], with_body_key.to_string().into_bytes()).await;
    assert_eq!(reply.json()["code"], 2000);
    assert_eq!(sb.record(&ext).await["statusCalls"], 4);
    // Neither, or a wrong one: the bad-key reply, and the call is not counted.
    let reply = status(vec![], query.clone()).await;
    assert_eq!((reply.status, reply.json()), (201, auth_needed()));
    let reply = status(vec![("Secretkey", "nope".into())], query).await;
    assert_eq!(reply.json(), auth_needed());
    assert_eq!(sb.record(&ext).await["statusCalls"], 4);
    // Every other POST takes the header too.
    let bills = sb
        .post_raw(
            "/api-services/list-pending-bills",
            json!({"codeService": "SENELEC_SN_BILL_PAY", "billAccountNumber": "21050176021"})
                .to_string()
                .into_bytes(),
            &[("Secretkey", KEY.into())],
        )
        .await;
    assert_eq!(bills.json()["code"], 2000);
    let no_key = sb
        .post_raw(
            "/api-services/list-pending-bills",
            json!({"codeService": "SENELEC_SN_BILL_PAY", "billAccountNumber": "21050176021"})
                .to_string()
                .into_bytes(),
            &[],
        )
        .await;
    assert_eq!(
        no_key.json(),
        json!({"code": 4000, "msg": "Non authentifié", "error": true, "data": {}})
    );
    sb.stop().await;
}

#[tokio::test]
async fn woyofal_answers_success_at_once_and_other_reloads_a_message() {
    let sb = Sandbox::start(fast()).await;
    let receiver = Receiver::start(&[]).await;
    let mut woyofal = cash_in("WOYOFAL_SN_BILL_RELOAD", "772450000", 2000, &receiver.url);
    woyofal["billAccountNumber"] = json!("14161234567");
    let json = sb.operation(woyofal.clone()).await.json();
    assert_eq!(json["code"], 2000);
    let data = &json["data"];
    assert_eq!(data["status"], "SUCCESS");
    let code = data["woyofalCode"].as_str().unwrap();
    assert!(
        code.len() == 20 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    assert_eq!(data["woyofalKwh"], 20.0);
    let message = data["notificationMessage"].as_str().unwrap();
    let grouped = format!(
        "{} {} {} {} {}",
        &code[..4],
        &code[4..8],
        &code[8..12],
        &code[12..16],
        &code[16..]
    );
    assert!(
        message.contains(&grouped) && message.contains("14161234567"),
        "{message}"
    );
    // Final already: the record, the balance and the callback.
    assert_eq!(sb.record(&ext_of(&woyofal)).await["status"], "SUCCESS");
    assert_eq!(sb.balance().await, 248_000.0);
    let callback = receiver.wait(1).await.remove(0);
    assert_eq!(callback["status"], "SUCCESS");

    for code in ["RAPIDO_SN_BILL_RELOAD", "XEWEUL_SN_BILL_RELOAD"] {
        let mut reload = cash_in(code, "772450000", 1000, DEAD);
        reload["billAccountNumber"] = json!("7001234567");
        let data = sb.operation(reload).await.json()["data"].clone();
        assert_eq!(data["status"], "PENDING", "{code}");
        assert!(
            data["notificationMessage"]
                .as_str()
                .unwrap()
                .contains("7001234567")
        );
        assert!(data.get("woyofalCode").is_none() && data.get("woyofalKwh").is_none());
    }
    sb.stop().await;
}

#[tokio::test]
async fn an_identical_operation_within_the_window_is_refused() {
    let config = SandboxConfig {
        duplicate_window: Some(DUPLICATE_WINDOW),
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let first = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    assert_eq!(sb.operation(first).await.json()["code"], 2000);
    // The same service, phone (in any form) and amount, another externalTransactionId.
    let again = cash_in("ORANGE_SN_API_CASH_IN", "+221772450000", 1000, DEAD);
    let refused = sb.operation(again.clone()).await;
    assert_eq!(refused.status, 201);
    assert_eq!(
        refused.json(),
        json!({"code": 4000, "error": true, "data": {},
               "msg": "Vous venez de faire le meme transaction en moins d'une minute d'interval sur intech api"})
    );
    assert!(
        sb.records(Some(&ext_of(&again))).await.is_empty(),
        "nothing created"
    );
    // Any difference is another transaction.
    for body in [
        cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1050, DEAD),
        cash_in("ORANGE_SN_API_CASH_IN", "772450001", 1000, DEAD),
        cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 1000, DEAD),
    ] {
        assert_eq!(sb.operation(body).await.json()["code"], 2000);
    }
    assert_eq!(sb.records(None).await.len(), 4);
    sb.stop().await;
}

#[tokio::test]
async fn a_test_account_cannot_send_more_than_300_xof() {
    let config = SandboxConfig {
        test_account: true,
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let small = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 300, DEAD);
    assert_eq!(sb.operation(small).await.json()["code"], 2000);
    let big = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 301, DEAD);
    let refused = sb.operation(big).await.json();
    assert_eq!(
        refused,
        json!({"code": 4000, "error": true, "data": {},
               "msg": "Le compte n'est pas autorisé a faire des transaction au dela de 300 CFA, Veuillez contacter le support pour faire des transaction en production"})
    );
    // The limit is on the amount in XOF: 5 000 GNF are 389 XOF.
    let mut gnf = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 5000, DEAD);
    gnf["currency"] = json!("GNF");
    assert_eq!(sb.operation(gnf).await.json()["code"], 4000);
    assert_eq!(sb.records(None).await.len(), 1);
    sb.stop().await;
}

#[tokio::test]
async fn exceptions_give_the_servers_500_envelope() {
    let sb = Sandbox::start(fast()).await;
    // An unsupported currency throws before anything is created.
    let mut euros = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 1000, DEAD);
    euros["currency"] = json!("EUR");
    let reply = sb.operation(euros.clone()).await;
    assert_eq!(reply.status, 500);
    assert!(reply.content_type().starts_with("application/json"));
    assert_eq!(
        reply.json(),
        json!({"code": 500, "error": true, "msg": "Une erreur est survenue",
               "_msg": "Currency est invalide' EUR-XOF", "_d": null, "data": {}, "path": ""})
    );
    assert!(sb.records(None).await.is_empty());
    // …89: the same envelope once the transaction exists; it then goes its way.
    let thrown = cash_in("FREE_SN_WALLET_CASH_IN", "762450089", 1000, DEAD);
    let reply = sb.operation(thrown.clone()).await;
    assert_eq!(reply.status, 500);
    let json = reply.json();
    assert_eq!(
        (
            json["code"].clone(),
            json["msg"].clone(),
            json["data"].clone()
        ),
        (json!(500), json!("Une erreur est survenue"), json!({}))
    );
    sb.wait_status(&ext_of(&thrown), "SUCCESS").await;
    sb.stop().await;
}

#[tokio::test]
async fn named_refusals_service_down_and_claims() {
    let sb = Sandbox::start(fast()).await;
    // …87: SERVICE_DOWN, nothing created, no transactionId.
    let down = cash_in("FREE_SN_WALLET_CASH_IN", "762450087", 1000, DEAD);
    let json = sb.operation(down.clone()).await.json();
    assert_eq!(
        (
            json["code"].clone(),
            json["error"].clone(),
            json["msg"].clone()
        ),
        (
            json!(4000),
            json!(true),
            json!("Le services est indisponible pour le moment(pho)")
        )
    );
    assert_eq!(json["data"]["transactionId"], Value::Null);
    assert_eq!(json["data"]["status"], "FAILLED");
    assert_eq!(
        json["data"]["externalTransactionId"],
        ext_of(&down).as_str()
    );
    assert!(sb.records(None).await.is_empty());

    // Claims: an unknown transaction, then one claim per transaction.
    let claim = |tid: Value| {
        sb.post(
            "/api-services/new-claim",
            json!({"subject": "", "message": null, "transactionId": tid}),
        )
    };
    let not_found =
        json!({"code": 4000, "msg": "La transaction est introuvable", "error": true, "data": {}});
    assert_eq!(claim(json!("T1")).await.json(), not_found);
    assert_eq!(claim(Value::Null).await.json(), not_found);
    let body = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 1000, DEAD);
    let tid = sb.operation(body).await.json()["data"]["transactionId"].clone();
    // Subject and message are not checked.
    let opened = claim(tid.clone()).await.json();
    assert_eq!(opened["code"], 2000, "{opened}");
    assert_eq!(opened["data"]["claim"]["subject"], "");
    assert_eq!(
        claim(tid).await.json(),
        json!({"code": 4000, "msg": "Une reclamation est deja en cours pour cette transaction",
               "error": true, "data": {}})
    );
    sb.stop().await;
}

#[tokio::test]
async fn currencies_redirects_and_card_fields() {
    let sb = Sandbox::start(fast()).await;
    // A payout in Guinean francs: converted at the server's rate, both amounts echoed.
    let mut gnf = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 12_842, DEAD);
    gnf["currency"] = json!("gnf");
    let data = sb.operation(gnf.clone()).await.json()["data"].clone();
    assert_eq!(
        (
            data["amount"].clone(),
            data["currency"].clone(),
            data["amountXof"].clone(),
            data["amountInCurrency"].clone()
        ),
        (json!(12_842), json!("GNF"), json!(1000), json!(12_842))
    );
    assert_eq!(sb.record(&ext_of(&gnf)).await["amount"], 1000);
    for (code, amount, xof) in [
        ("GMD", 80, 1001),
        ("SLL", 22_317, 1000),
        ("MAD", 162, 10_000),
    ] {
        let mut body = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", amount, DEAD);
        body["currency"] = json!(code);
        let data = sb.operation(body).await.json()["data"].clone();
        assert_eq!(data["amountXof"], xof, "{code}");
    }
    // Without `currency`: XOF.
    let data = sb
        .operation(cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 500, DEAD))
        .await
        .json()["data"]
        .clone();
    assert_eq!(
        (data["currency"].clone(), data["amountXof"].clone()),
        (json!("XOF"), json!(500))
    );

    // Redirect URLs: required for Orange CI's cash-out, and must be URLs.
    let mut orange_ci = cash_in("ORANGE_CI_API_CASH_OUT", "0701020304", 1000, DEAD);
    let json = sb.operation(orange_ci.clone()).await.json();
    assert!(
        json["data"]["successRedirectUrl"].is_array()
            && json["data"]["errorRedirectUrl"].is_array()
    );
    orange_ci["successRedirectUrl"] = json!("pas une url");
    orange_ci["errorRedirectUrl"] = json!("https://e.sn/ko");
    let json = sb.operation(orange_ci.clone()).await.json();
    assert_eq!(
        json["data"]["successRedirectUrl"],
        json!(["successRedirectUrl doit être un URL"])
    );
    orange_ci["successRedirectUrl"] = json!("https://e.sn/ok");
    assert_eq!(sb.operation(orange_ci).await.json()["code"], 2000);

    // Card: cardType among three, merchantName letters only (3 to 15), a description of
    // at least 20 characters when one is sent.
    let card = || {
        let mut card = cash_in("BANK_CARD_API_CASH_OUT", "+221772450000", 1000, DEAD);
        for (k, v) in [
            ("customerFirstName", "Moussa"),
            ("customerLastName", "Ndour"),
            ("cardNumber", "4111111111111111"),
            ("cardExpireMonth", "09"),
            ("cardExpireYear", "29"),
            ("cardCVC", "123"),
            ("cardType", "MASTERCARD"),
            ("merchantName", "Caisse"),
            ("operationDescription", "Paiement au comptoir Caisse"),
            ("bankAuthRedirectUrl", "https://e.sn/3ds"),
            ("successRedirectUrl", "https://e.sn/ok"),
            ("errorRedirectUrl", "https://e.sn/ko"),
        ] {
            card[k] = json!(v);
        }
        card
    };
    assert_eq!(sb.operation(card()).await.json()["code"], 2000);
    for (field, value) in [
        ("cardType", json!("AMEX")),
        ("merchantName", json!("Boutique Awa")),
        ("merchantName", json!("Ab")),
        ("merchantName", json!("Boutiquedelamadeleine")),
        ("merchantName", Value::Null),
        ("operationDescription", json!("Trop court")),
    ] {
        let mut body = card();
        body[field] = value.clone();
        let json = sb.operation(body).await.json();
        assert_eq!(json["code"], 4000, "{field} = {value}");
        assert!(json["data"][field].is_array(), "{field} = {value}: {json}");
    }
    // Left out, the description is tolerated (clients from before the server was read).
    let mut without = card();
    without
        .as_object_mut()
        .unwrap()
        .remove("operationDescription");
    assert_eq!(sb.operation(without).await.json()["code"], 2000);
    let mut transfer = cash_in("BANK_TRANSFER_SN_API_CASH_IN", "221772450000", 1000, DEAD);
    for (k, v) in [
        ("customerFirstName", "Moussa"),
        ("customerLastName", "Ndour"),
        ("rib", "SN012 01201 036182616601 38"),
        ("operationDescription", "Virement"),
    ] {
        transfer[k] = json!(v);
    }
    assert!(sb.operation(transfer).await.json()["data"]["operationDescription"].is_array());
    sb.stop().await;
}
