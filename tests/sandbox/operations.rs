//! Operations: Wave cash-out, refunds, customer decisions, validation, operator refusals.

use crate::support::sandbox::*;

// Operations

#[tokio::test]
async fn wave_cash_out_approved_claimed_and_refunded_once() {
    let sb = Sandbox::start(fast()).await;
    let body = wave_out("772457100", 1500);
    let ext = ext_of(&body);
    let reply = sb.operation(body).await;
    assert_eq!(reply.status, 201);
    let json = reply.json();
    assert_eq!(json["code"], 2000);
    assert_eq!(json["error"], false);
    assert!(
        json["msg"]
            .as_str()
            .unwrap()
            .starts_with("Votre opération s'est effectuée sans erreur")
    );
    let data = &json["data"];
    let tid = data["transactionId"].as_str().unwrap().to_owned();
    assert!(
        tid.len() == 13 && tid.bytes().all(|b| b.is_ascii_digit()),
        "{tid}"
    );
    assert_eq!(data["status"], "PENDING");
    assert_eq!(data["phone"], "772457100");
    assert_eq!(data["amount"], 1500);
    assert_eq!(data["codeService"], "WAVE_SN_API_CASH_OUT");
    assert_eq!(data["externalTransactionId"], ext.as_str());
    assert_eq!(data["callbackUrl"], DEAD);
    let link = format!("{}/deep/{tid}", sb.url);
    assert_eq!(data["deepLinkUrl"], link.as_str());
    assert_eq!(
        data["notificationMessage"],
        format!(
            "Bonjour, cliquez sur le lien suivant pour valider le paiement de 1500 FCFA : {link} (Expire dans 15 minutes)"
        )
    );
    assert!(data["_be_removed_waveLaunchUrl"].is_string());
    assert_eq!(data["fees"], 0);
    assert!(!reply.text.contains(KEY), "the API key is never echoed");

    let page = sb.get_plain(&format!("/deep/{tid}")).await;
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"));
    assert!(page.text.contains("1 500 FCFA") && page.text.contains("Valider le paiement"));
    assert!(
        page.text
            .contains(&format!("/sandbox/customer/{tid}/approve"))
    );
    assert_eq!(sb.get_plain("/deep/0000000000000").await.status, 404);

    // The customer approves: PROCESSING, then SUCCESS; approving again changes nothing.
    let approved = sb.customer(&tid, "approve").await;
    assert_eq!(
        (approved.status, approved.json()),
        (200, json!({"transactionId": tid, "status": "PROCESSING"}))
    );
    sb.wait_status(&ext, "SUCCESS").await;
    let again = sb.customer(&tid, "approve").await;
    assert_eq!(
        (again.status, again.json()["status"].clone()),
        (200, json!("SUCCESS"))
    );
    assert_eq!(sb.customer(&tid, "refuse").await.status, 409);
    assert_eq!(sb.balance().await, 251_500.0);

    // get-transaction-status: transactionId as a number.
    let status = sb
        .post(
            "/api-services/get-transaction-status",
            json!({"externalTransactionId": ext}),
        )
        .await;
    assert_eq!(status.status, 201);
    let status = status.json();
    assert_eq!(status["code"], 2000);
    assert_eq!(
        status["data"]["transactionId"],
        json!(tid.parse::<u64>().unwrap())
    );
    assert_eq!(status["data"]["status"], "SUCCESS");
    assert_eq!(status["data"]["errorType"], Value::Null);
    assert!(
        is_iso_ms(status["data"]["createdAt"].as_str().unwrap()),
        "{status}"
    );
    assert!(is_iso_ms(status["data"]["updatedAt"].as_str().unwrap()));
    let unknown = sb
        .post(
            "/api-services/get-transaction-status",
            json!({"externalTransactionId": "nope"}),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (
            201,
            json!({"code": 404, "msg": "Les ressources demandés n'existent pas", "error": true,
                   "data": {"externalTransactionId": "Transaction partnaire non trouvé"}})
        )
    );

    // A claim, seed-shaped.
    let claim = sb
        .post(
            "/api-services/new-claim",
            json!({"subject": "Montant", "message": "Le client conteste", "transactionId": tid}),
        )
        .await
        .json();
    assert_eq!(claim["code"], 2000);
    let claim = &claim["data"]["claim"];
    assert_eq!(claim["statut"], "OPENED");
    assert_eq!(claim["state"], "ACTIVED");
    assert_eq!(claim["partenersId"], 1);
    assert_eq!(claim["transactionId"], json!(tid.parse::<u64>().unwrap()));
    let claim_ref = claim["claimRef"].as_str().unwrap();
    assert!(
        claim_ref.len() == 15 && claim_ref.starts_with('C'),
        "{claim_ref}"
    );
    for null in [
        "comment",
        "callbackUrl",
        "userIdOpen",
        "userIdClose",
        "userIdComment",
        "updatedAt",
        "closeAt",
    ] {
        assert_eq!(claim[null], Value::Null, "{null}");
    }

    // Refund: once.
    let refund = sb
        .post(
            "/api-services/transaction/refund-cancel",
            json!({"transactionId": tid}),
        )
        .await;
    assert_eq!(refund.status, 201);
    assert_eq!(
        refund.json(),
        json!({"message": "Le transaction Wave de 1500 CFA a bien été remboursé", "statutTreatment": "SUCCESS"})
    );
    assert_eq!(sb.balance().await, 250_000.0);
    assert_eq!(sb.record(&ext).await["status"], "REFUNDED");
    let twice = sb
        .post(
            "/api-services/transaction/refund-cancel",
            json!({"transactionId": format!("T{tid}")}),
        )
        .await
        .json();
    assert_eq!(
        twice,
        json!({"message": "Le transaction a deja ete rembourse", "statutTreatment": "FAILED"})
    );
    assert_eq!(sb.balance().await, 250_000.0);
    sb.stop().await;
}

#[tokio::test]
async fn refunds_are_wired_per_service() {
    let config = SandboxConfig {
        initial_balance: 0.0,
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let receiver = Receiver::start(&[]).await;

    // Unknown, then not final yet.
    assert_eq!(
        refund(&sb, &json!("1234567890123")).await,
        refused("La transaction est introuvable")
    );
    let mut body = wave_out("772457100", 1500);
    body["callbackUrl"] = json!(receiver.url);
    let wave_out_tid = sb.operation(body.clone()).await.json()["data"]["transactionId"].clone();
    assert_eq!(
        refund(&sb, &wave_out_tid).await,
        refused("Le statut de la transaction ne permet pas de proceder a son remboursmeent")
    );
    sb.customer(wave_out_tid.as_str().unwrap(), "approve").await;
    sb.wait_status(&ext_of(&body), "SUCCESS").await;
    receiver.wait(1).await;
    assert_eq!(sb.balance().await, 1500.0);

    // An Orange Money cash-out succeeds, but its refund is not wired.
    let orange = cash_in("ORANGE_SN_API_CASH_OUT", "772450000", 1000, DEAD);
    let orange_tid = sb.operation(orange.clone()).await.json()["data"]["transactionId"].clone();
    sb.customer(orange_tid.as_str().unwrap(), "approve").await;
    sb.wait_status(&ext_of(&orange), "SUCCESS").await;
    assert_eq!(
        refund(&sb, &orange_tid).await,
        refused("Cette fonctionnalité n'est pas encore disponible pour ce Service")
    );
    assert_eq!(sb.balance().await, 2500.0);

    // A Wave SN deposit (a debit) is refunded: the money comes back to the shop.
    let deposit = cash_in("WAVE_SN_API_CASH_IN", "772450000", 2000, DEAD);
    let deposit_tid = sb.operation(deposit.clone()).await.json()["data"]["transactionId"].clone();
    sb.wait_status(&ext_of(&deposit), "SUCCESS").await;
    assert_eq!(sb.balance().await, 500.0);

    // The Wave cash-out's refund needs the shop's balance to cover it (500 < 1500).
    assert_eq!(
        refund(&sb, &wave_out_tid).await,
        refused("Le solde du compte du partenaire permet pas de faire ce remboursement")
    );
    assert_eq!(
        refund(&sb, &deposit_tid).await,
        json!({"message": "Le transaction Wave de 2000 CFA a bien été remboursé", "statutTreatment": "SUCCESS"})
    );
    assert_eq!(sb.balance().await, 2500.0);
    assert_eq!(sb.record(&ext_of(&deposit)).await["status"], "REFUNDED");
    assert_eq!(
        refund(&sb, &wave_out_tid).await["statutTreatment"],
        "SUCCESS"
    );
    assert_eq!(sb.balance().await, 1000.0);
    assert_eq!(
        refund(&sb, &wave_out_tid).await,
        refused("Le transaction a deja ete rembourse")
    );
    // Every request is counted, refused or not.
    let record = sb.record(&ext_of(&body)).await;
    assert_eq!(record["status"], "REFUNDED");
    assert_eq!(record["refundAttempts"], 4);
    // No callback for REFUNDED: only get-transaction-status says it. (The refund queued
    // nothing; a later operation's callback to the same receiver comes, and still none
    // said REFUNDED.)
    assert_eq!(record["callbacks"].as_array().unwrap().len(), 1);
    let status = sb
        .post(
            "/api-services/get-transaction-status",
            json!({"externalTransactionId": ext_of(&body)}),
        )
        .await
        .json();
    assert_eq!(status["data"]["status"], "REFUNDED");
    let later = cash_in("FREE_SN_WALLET_CASH_OUT", "762450088", 500, &receiver.url);
    sb.operation(later).await;
    let callbacks = receiver.wait(2).await;
    assert!(callbacks.iter().all(|c| c["status"] != "REFUNDED"));
    assert!(
        callbacks
            .iter()
            .all(|c| c["transaction"]["status"] != "REFUNDED")
    );
    sb.stop().await;
}

#[tokio::test]
async fn customer_decisions() {
    let sb = Sandbox::start(fast()).await;
    let body = wave_out("772457100", 2000);
    let tid = sb.operation(body.clone()).await.json()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = sb.customer(&tid, "refuse").await;
    assert_eq!(
        (refused.status, refused.json()["status"].clone()),
        (200, json!("FAILLED"))
    );
    let record = sb.record(&ext_of(&body)).await;
    assert_eq!(record["errorCode"], "unknown_error");
    let late = sb.customer(&tid, "approve").await;
    assert_eq!(
        (late.status, late.json()["status"].clone()),
        (409, json!("FAILLED"))
    );
    assert_eq!(sb.balance().await, 250_000.0);

    // A deposit has no customer step.
    let deposit = cash_in("WAVE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    let mut deposit = deposit;
    deposit["sender"] = json!("Boutique");
    let tid = sb.operation(deposit).await.json()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sb.customer(&tid, "approve").await.status, 409);
    assert_eq!(sb.customer("0000000000000", "approve").await.status, 404);
    assert_eq!(sb.customer(&tid, "maybe").await.status, 404);

    // The page's form gets a page back.
    let tid = sb.operation(wave_out("772457100", 2500)).await.json()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let form = sb
        .http
        .post(format!("{}/sandbox/customer/{tid}/approve", sb.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .body("")
        .send()
        .await
        .unwrap();
    let form = reply(form).await;
    assert_eq!(form.status, 200);
    assert!(form.content_type().starts_with("text/html"));
    assert!(form.text.contains("Paiement validé"), "{}", form.text);
    sb.stop().await;
}

#[tokio::test]
async fn validation_errors_create_nothing_and_duplicates_are_counted() {
    let sb = Sandbox::start(fast()).await;
    let base = || cash_in("WAVE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let with_sender = || {
        let mut b = base();
        b["sender"] = json!("Boutique");
        b
    };
    let mut bad_phone = with_sender();
    bad_phone["phone"] = json!("7724571");
    cases.push((bad_phone, "phone"));
    let mut other_country = cash_in("MTN_CI_API_CASH_IN", "772450000", 1000, DEAD);
    other_country["phone"] = json!("772450000");
    cases.push((other_country, "phone"));
    let mut whatsapp = json!({"phone": "772450000", "codeService": "WHATSAPP_MESSAGING", "externalTransactionId": ext(), "callbackUrl": DEAD, "message": "Bonjour"});
    cases.push((whatsapp.clone(), "phone"));
    whatsapp["phone"] = json!("+221772450000");
    whatsapp.as_object_mut().unwrap().remove("message");
    cases.push((whatsapp, "message"));
    let mut zero = with_sender();
    zero["amount"] = json!(0);
    cases.push((zero, "amount"));
    let mut text = with_sender();
    text["amount"] = json!("mille");
    cases.push((text, "amount"));
    let mut no_callback = with_sender();
    no_callback.as_object_mut().unwrap().remove("callbackUrl");
    cases.push((no_callback, "callbackUrl"));
    let mut unknown = with_sender();
    unknown["codeService"] = json!("NOPE_SN_API_CASH_IN");
    cases.push((unknown, "codeService"));
    let mut bad_data = with_sender();
    bad_data["data"] = json!("not json");
    cases.push((bad_data, "data"));
    let mut wave_out_missing = wave_out("772457100", 1000);
    wave_out_missing
        .as_object_mut()
        .unwrap()
        .remove("errorRedirectUrl");
    cases.push((wave_out_missing, "errorRedirectUrl"));
    let mut card = cash_in("BANK_CARD_API_CASH_OUT", "+221772450000", 1000, DEAD);
    for (k, v) in [
        ("customerFirstName", "Moussa"),
        ("customerLastName", "Ndour"),
        ("cardNumber", "4111111111111111"),
        ("cardExpireMonth", "09"),
        ("cardExpireYear", "29"),
        ("cardType", "VISA"),
        ("bankAuthRedirectUrl", "https://e.sn/3ds"),
        ("successRedirectUrl", "https://e.sn/ok"),
        ("errorRedirectUrl", "https://e.sn/ko"),
    ] {
        card[k] = json!(v);
    }
    cases.push((card.clone(), "cardCVC"));
    card["cardCVC"] = json!("123");
    card["phone"] = json!("772450000");
    cases.push((card, "phone"));
    let mut transfer = cash_in("BANK_TRANSFER_SN_API_CASH_IN", "221772450000", 1000, DEAD);
    transfer["customerFirstName"] = json!("Moussa");
    transfer["customerLastName"] = json!("Ndour");
    cases.push((transfer, "rib"));
    let mut reload = cash_in("WOYOFAL_SN_BILL_RELOAD", "772450000", 1000, DEAD);
    reload["accountNumber"] = json!("123");
    cases.push((reload, "accountNumber"));
    // Plain HTTP callbacks only on the loopback.
    let mut http = with_sender();
    http["callbackUrl"] = json!("http://shop.example.sn/cb");
    cases.push((http, "callbackUrl"));

    for (body, field) in cases {
        let reply = sb.operation(body.clone()).await;
        assert_eq!(reply.status, 201, "{field}");
        let json = reply.json();
        assert_eq!(json["code"], 4000, "{field}: {json}");
        assert_eq!(json["error"], true);
        let messages = json["data"][field]
            .as_array()
            .unwrap_or_else(|| panic!("{field}: {json}"));
        assert!(!messages.is_empty());
        assert!(
            messages[0].as_str().unwrap().contains(field) || field == "phone",
            "{json}"
        );
    }
    assert!(sb.records(None).await.is_empty(), "nothing created");

    // A duplicate externalTransactionId: refused, nothing changes, the attempt counted.
    let body = with_sender();
    let ext = ext_of(&body);
    assert_eq!(sb.operation(body.clone()).await.json()["code"], 2000);
    let mut changed = body.clone();
    changed["amount"] = json!(5000);
    let duplicate = sb.operation(changed).await.json();
    assert_eq!(duplicate["code"], 4000);
    assert_eq!(
        duplicate["data"],
        json!({"apiKey": ["Duplication du external transaction ID"]})
    );
    let record = sb.wait_status(&ext, "SUCCESS").await;
    assert_eq!(record["operationAttempts"], 2);
    assert_eq!(record["amount"], 1000);
    assert_eq!(sb.records(None).await.len(), 1);
    assert_eq!(sb.balance().await, 249_000.0);

    // Wave SN's `sender` is optional (the server puts the partner's name).
    assert_eq!(sb.operation(base()).await.json()["code"], 2000);
    // International forms accepted where a local number is.
    let mut plus = with_sender();
    plus["phone"] = json!("+221772450000");
    assert_eq!(sb.operation(plus).await.json()["code"], 2000);
    let ci = cash_in("MOOV_CI_API_CASH_IN", "2250701020304", 1000, DEAD);
    assert_eq!(sb.operation(ci).await.json()["code"], 2000);
    sb.stop().await;
}

#[tokio::test]
async fn operator_refusals_create_a_failled_transaction_and_a_callback() {
    let sb = Sandbox::start(fast()).await;
    let receiver = Receiver::start(&[]).await;
    let cases = [
        (
            "WAVE_SN_API_CASH_OUT",
            "772457100",
            1501,
            "bad_amount_5",
            38,
        ),
        (
            "ORANGE_SN_API_CASH_IN",
            "772450000",
            1020,
            "bad_amount_50",
            15,
        ),
        (
            "ORANGE_SN_AIRTIME_CREDIT_TELEPHONIQUE",
            "772450000",
            150,
            "bad_amount_100",
            16,
        ),
        (
            "FREE_SN_WALLET_CASH_IN",
            "762450000",
            300_000,
            "insufficient_balance",
            26,
        ),
        (
            "ORANGE_SN_API_CASH_OUT",
            "772450091",
            1000,
            "insufficient_balance",
            2,
        ),
        (
            "ORANGE_SN_API_CASH_IN",
            "772450092",
            1000,
            "no_om_account",
            9,
        ),
        (
            "MTN_CI_API_CASH_OUT",
            "0701020392",
            1000,
            "no_mtn_account",
            39,
        ),
        (
            "FREE_SN_WALLET_CASH_OUT",
            "762450092",
            1000,
            "invalid_phone_number",
            1,
        ),
    ];
    for (i, (code, phone, amount, error, id)) in cases.into_iter().enumerate() {
        let mut body = cash_in(code, phone, amount, &receiver.url);
        if code.starts_with("WAVE_SN") {
            body = wave_out(phone, amount);
            body["callbackUrl"] = json!(receiver.url);
        }
        let reply = sb.operation(body.clone()).await;
        assert_eq!(reply.status, 201);
        let json = reply.json();
        assert_eq!(json["code"], 4000, "{code}: {json}");
        assert_eq!(json["error"], true);
        let data = &json["data"];
        assert_eq!(data["status"], "FAILLED");
        assert_eq!(data["codeService"], code);
        assert_eq!(data["phone"], phone);
        assert_eq!(data["amount"], amount);
        assert_eq!(data["externalTransactionId"], ext_of(&body).as_str());
        assert!(data["transactionId"].is_string());
        assert_eq!(data["errorType"]["code"], error, "{code}");
        assert_eq!(data["errorType"]["id"], id, "{code}");
        assert_eq!(data["errorType"]["codeService"], code);
        assert_eq!(json["msg"], data["errorType"]["message"]);
        let record = sb.record(&ext_of(&body)).await;
        assert_eq!(
            (record["status"].clone(), record["errorCode"].clone()),
            (json!("FAILLED"), json!(error))
        );
        let callbacks = receiver.wait(i + 1).await;
        let callback = &callbacks[i];
        assert_eq!(callback["status"], "FAILLED");
        assert_eq!(
            (callback["code"].clone(), callback["error"].clone()),
            (json!(2000), json!(false))
        );
        assert_eq!(callback["transaction"]["status"], "FAILLED");
        assert_eq!(callback["transaction"]["errorType"]["code"], error);
    }
    // The __amount__ placeholder is left for the client.
    let body = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 300_000, DEAD);
    let json = sb.operation(body).await.json();
    assert!(json["msg"].as_str().unwrap().contains("__amount__"));
    // WhatsApp's unknown number.
    let whatsapp = json!({"phone": "+221772450092", "codeService": "WHATSAPP_MESSAGING", "externalTransactionId": ext(), "callbackUrl": DEAD, "message": "Bonjour"});
    let json = sb.operation(whatsapp).await.json();
    assert_eq!(json["data"]["errorType"]["code"], "whatsapp_user_not_found");
    assert_eq!(sb.balance().await, 250_000.0);
    sb.stop().await;
}
