//! Pending bills.

use crate::support::sandbox::*;

// Bills

#[tokio::test]
async fn pending_bills_follow_the_last_digit_and_leave_when_paid() {
    let sb = Sandbox::start(fast()).await;
    let bills = |account: &'static str| {
        sb.post(
            "/api-services/list-pending-bills",
            json!({"codeService": "SENELEC_SN_BILL_PAY", "billAccountNumber": account}),
        )
    };
    for (account, count) in [
        ("21050176020", 0),
        ("21050176021", 1),
        ("21050176022", 2),
        ("21050176023", 3),
        ("21050176027", 1),
    ] {
        let reply = bills(account).await;
        assert_eq!(reply.status, 201);
        let body = reply.json();
        assert_eq!(body["code"], 2000, "{account}");
        let msg = if count == 0 {
            "Aucune facture trouvé pour cette facture".to_owned()
        } else {
            format!("{count} en attente(s) non payée pour cette facture")
        };
        assert_eq!(body["msg"], msg.as_str());
        // The server's flat shape.
        assert_eq!(body["data"]["status"], "SUCCESS");
        assert_eq!(body["data"]["billAccountNumber"], account);
        let list = body["data"]["pendingBills"].as_array().unwrap();
        assert_eq!(list.len(), count, "{account}");
        for bill in list {
            let amount = bill["amount"].as_i64().unwrap();
            assert!(
                (1000..=60000).contains(&amount) && amount % 5 == 0,
                "{amount}"
            );
            let reference = bill["billReference"].as_str().unwrap();
            assert!(reference.len() == 13 && reference.bytes().all(|b| b.is_ascii_digit()));
            let labels: Vec<&str> = bill["infos"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["label"].as_str().unwrap())
                .collect();
            assert_eq!(
                labels,
                ["Nom client", "Montant de base", "Frais", "Date d'échéance"]
            );
            let base = bill["baseAmount"].as_i64().unwrap();
            assert_eq!(bill["infos"][1]["value"], base);
            assert_eq!(base + bill["infos"][2]["value"].as_i64().unwrap(), amount);
            let due = bill["infos"][3]["value"].as_str().unwrap();
            assert!(
                due.len() == 8 && &due[2..3] == "/" && &due[5..6] == "/",
                "{due}"
            );
        }
        // Deterministic.
        assert_eq!(bills(account).await.json(), body);
    }
    // A failed look-up: code 4000 but `error: false`.
    let refused = bills("21050176024").await.json();
    assert_eq!(
        (refused["code"].clone(), refused["error"].clone()),
        (json!(4000), json!(false))
    );
    assert!(
        refused["msg"]
            .as_str()
            .unwrap()
            .contains("facture plus ancienne")
    );
    assert_eq!(
        refused["data"],
        json!({"status": "FAILLED", "pendingBills": []})
    );

    let not_a_bill = sb
        .post(
            "/api-services/list-pending-bills",
            json!({"codeService": "WOYOFAL_SN_BILL_RELOAD", "billAccountNumber": "21050176023"}),
        )
        .await
        .json();
    assert_eq!(
        not_a_bill,
        json!({"code": 4000, "msg": "No implemented", "error": false,
               "data": {"status": "FAILLED", "pendingBills": []}})
    );
    let bad_account = sb
        .post(
            "/api-services/list-pending-bills",
            json!({"codeService": "SENELEC_SN_BILL_PAY", "billAccountNumber": "12-34"}),
        )
        .await
        .json();
    assert!(bad_account["data"]["billAccountNumber"].is_array());

    // Pay the second bill of the account ending in 3.
    let list = bills("21050176023").await.json()["data"]["pendingBills"].clone();
    let bill = &list[1];
    let amount = bill["amount"].as_i64().unwrap();
    let pay = |reference: &str, amount: i64| {
        let mut body = cash_in("SENELEC_SN_BILL_PAY", "772457199", amount, DEAD);
        body["billAccountNumber"] = json!("21050176023");
        body["billReference"] = json!(reference);
        body
    };
    let reference = bill["billReference"].as_str().unwrap();
    let mut short_account = pay(reference, amount);
    short_account["billAccountNumber"] = json!("1234");
    assert!(sb.operation(short_account).await.json()["data"]["billAccountNumber"].is_array());
    let mut no_reference = pay(reference, amount);
    no_reference["billReference"] = json!("");
    assert!(sb.operation(no_reference).await.json()["data"]["billReference"].is_array());
    assert!(
        sb.records(None).await.is_empty(),
        "validation errors create nothing"
    );

    let body = pay(reference, amount);
    assert_eq!(sb.operation(body.clone()).await.json()["code"], 2000);
    // The same bill cannot be paid twice, even while in progress (the sandbox refuses it
    // before creating anything).
    let again = sb.operation(pay(reference, amount)).await.json();
    assert!(again["data"]["billReference"].is_array(), "{again}");
    sb.wait_status(&ext_of(&body), "SUCCESS").await;
    let left = bills("21050176023").await.json()["data"]["pendingBills"].clone();
    assert_eq!(left.as_array().unwrap().len(), 2);
    assert!(
        left.as_array()
            .unwrap()
            .iter()
            .all(|b| b["billReference"] != reference)
    );
    assert_eq!(sb.balance().await, 250_000.0 - amount as f64);
    // Paid: no longer pending, so the bill's manager does not find it (FAILLED).
    let paid = sb.operation(pay(reference, amount)).await.json();
    assert_eq!(paid["code"], 4000);
    assert_eq!(
        paid["msg"],
        "La facture que vous essayer de payer est introuvable"
    );
    assert_eq!(paid["data"]["status"], "FAILLED");
    sb.stop().await;
}

#[tokio::test]
async fn bills_read_bill_account_number_and_take_only_the_bills_amount() {
    let sb = Sandbox::start(fast()).await;
    let receiver = Receiver::start(&[]).await;
    let account = "21050176021";
    let list = sb
        .post(
            "/api-services/list-pending-bills",
            // The doc's field is read when the server's is absent.
            json!({"codeService": "SENELEC_SN_BILL_PAY", "accountNumber": account}),
        )
        .await
        .json();
    assert_eq!(list["code"], 2000, "{list}");
    let bill = list["data"]["pendingBills"][0].clone();
    let (amount, reference) = (
        bill["amount"].as_i64().unwrap(),
        bill["billReference"].as_str().unwrap().to_owned(),
    );

    // The amount must be the bill's: the transaction is created, then FAILLED with the
    // server's message, and its callback says so.
    let mut wrong = cash_in(
        "SENELEC_SN_BILL_PAY",
        "772457199",
        amount + 5,
        &receiver.url,
    );
    wrong["billAccountNumber"] = json!(account);
    wrong["billReference"] = json!(reference);
    let refused = sb.operation(wrong.clone()).await.json();
    let expected = format!(
        "Le montant de la facture #{reference} ({amount} CFA) est different du montant soumis ({} CFA)",
        amount + 5
    );
    assert_eq!(refused["code"], 4000);
    assert_eq!(refused["msg"], expected.as_str());
    assert_eq!(refused["data"]["status"], "FAILLED");
    assert_eq!(refused["data"]["errorType"]["message"], expected.as_str());
    assert!(refused["data"]["transactionId"].is_string());
    let record = sb.record(&ext_of(&wrong)).await;
    assert_eq!(record["status"], "FAILLED");
    let callback = receiver.wait(1).await.remove(0);
    assert_eq!(callback["status"], "FAILLED");
    assert_eq!(
        callback["transaction"]["errorType"]["message"],
        expected.as_str()
    );

    // `billAccountNumber` wins over `accountNumber` (which may then be anything), and the
    // reference is any string: an unknown one is simply not found.
    let mut both = cash_in("SENELEC_SN_BILL_PAY", "772457199", amount, DEAD);
    both["billAccountNumber"] = json!(account);
    both["accountNumber"] = json!("n'importe quoi");
    both["billReference"] = json!("FACT-2025/09 n°12");
    let unknown = sb.operation(both.clone()).await.json();
    assert_eq!(
        unknown["msg"],
        "La facture que vous essayer de payer est introuvable"
    );
    both["externalTransactionId"] = json!(ext());
    both["billReference"] = json!(reference);
    assert_eq!(sb.operation(both.clone()).await.json()["code"], 2000);
    sb.wait_status(&ext_of(&both), "SUCCESS").await;

    // Reloads read the account the same way: letters and digits, 5 to 20.
    for (account, ok) in [
        ("AB123", true),
        ("12345678901234567890", true),
        ("1234", false),
        ("123456789012345678901", false),
        ("12 345", false),
    ] {
        let mut reload = cash_in("RAPIDO_SN_BILL_RELOAD", "772450000", 1000, DEAD);
        reload["billAccountNumber"] = json!(account);
        let json = sb.operation(reload).await.json();
        assert_eq!(json["code"] == 2000, ok, "{account}: {json}");
        if !ok {
            let messages = json["data"]["billAccountNumber"].as_array().unwrap();
            assert!(
                messages[0]
                    .as_str()
                    .unwrap()
                    .starts_with("billAccountNumber")
            );
        }
    }
    sb.stop().await;
}

#[tokio::test]
async fn pending_bills_in_the_docs_nested_shape_on_request() {
    let config = SandboxConfig {
        nested_bills: true,
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let body = sb
        .post(
            "/api-services/list-pending-bills",
            json!({"codeService": "SENEAU_SN_BILL_PAY", "billAccountNumber": "106032682912"}),
        )
        .await
        .json();
    assert_eq!(body["code"], 2000);
    assert_eq!(body["data"]["status"], "SUCCESS");
    assert_eq!(body["data"]["pendingBills"]["success"], true);
    let list = body["data"]["pendingBills"]["pendingBills"]
        .as_array()
        .unwrap();
    assert_eq!(list.len(), 2);
    assert!(list[0]["baseAmount"].is_i64());
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------
