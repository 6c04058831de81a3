//! MoneyGram reception and send information.

use crate::support::sandbox::*;

// MoneyGram

#[tokio::test]
async fn moneygram_reception_and_send_info() {
    let sb = Sandbox::start(fast()).await;
    let reception = |reference: Value| {
        sb.post(
            "/api-services/moneygram-reception-info",
            json!({"codeService": "MONEYGRAM_SN_API_CASH_OUT", "referenceNumber": reference}),
        )
    };
    let json = reception(json!("89163605")).await.json();
    assert_eq!(
        (json["code"].clone(), json["msg"].clone()),
        (json!(2000), json!("OK"))
    );
    assert_eq!(json["data"]["status"], "SUCCESS");
    let info = &json["data"]["referenceNumberResponse"];
    assert_eq!(info["referenceNumber"], "89163605");
    assert_eq!(info["transactionStatus"], "AVAIL");
    assert_eq!(info["okForPickup"], true);
    assert_eq!(info["receiveCurrency"], "XOF");
    let amount: i64 = info["receiveAmount"].as_str().unwrap().parse().unwrap();
    assert!(amount >= 5000 && amount % 500 == 0);
    for field in [
        "doCheckIn",
        "timeStamp",
        "flags",
        "mgiTransactionSessionID",
        "senderFirstName",
        "senderLastName",
        "senderHomePhone",
        "receiverFirstName",
        "receiverLastName",
        "agentCheckNumber",
        "agentCheckAmount",
        "agentCheckAuthorizationNumber",
        "customerCheckNumber",
        "customerCheckAmount",
        "okForAgent",
        "deliveryOption",
        "dateTimeSent",
        "originatingCountry",
        "validIndicator",
        "indicativeReceiveAmount",
        "indicativeExchangeRate",
        "expectedDateOfDelivery",
        "originalSendAmount",
        "originalSendCurrency",
        "originalSendFee",
        "originalExchangeRate",
        "redirectIndicator",
        "notOkForPickupReasonCode",
        "minutesUntilOkForPickup",
        "sendPurposeOfTransaction",
    ] {
        assert!(info.get(field).is_some(), "{field}");
    }
    // Deterministic (but for the clock).
    let again = reception(json!("89163605")).await.json();
    assert_eq!(
        again["data"]["referenceNumberResponse"]["receiveAmount"],
        info["receiveAmount"]
    );
    assert_eq!(
        again["data"]["referenceNumberResponse"]["senderLastName"],
        info["senderLastName"]
    );
    let paid = reception(json!("89163600")).await.json();
    assert_eq!(
        paid["data"]["referenceNumberResponse"]["transactionStatus"],
        "RECVD"
    );
    assert_eq!(
        paid["data"]["referenceNumberResponse"]["okForPickup"],
        false
    );
    for bad in [json!("abc"), json!("1234567"), json!(null)] {
        let json = reception(bad).await.json();
        assert_eq!(json["code"], 4000);
        assert!(json["data"]["referenceNumber"].is_array());
    }

    let send = |amount: Value, sender: &str| {
        sb.post(
            "/api-services/moneygram-send-info",
            json!({"codeService": "MONEYGRAM_SN_API_CASH_IN", "amount": amount, "moneygramSendData": {
                "senderDetails": {"senderFirstName": sender, "senderLastName": "Ndour"},
                "receiverDetails": {"receiverFirstName": "Aicha", "receiverLastName": "Diallo"}}}),
        )
    };
    let json = send(json!(3000), "Moussa").await.json();
    assert_eq!(json["code"], 2000);
    assert_eq!(json["data"]["success"], true);
    let response = &json["data"]["sendValidationResponse"];
    let amounts = &response["sendAmounts"];
    assert_eq!(amounts["sendAmount"], "3000");
    assert_eq!(amounts["totalSendFees"], "90");
    assert_eq!(amounts["totalAmountToCollect"], "3090");
    let details = amounts["detailSendAmounts"].as_array().unwrap();
    assert_eq!(details.len(), 10);
    assert!(
        details
            .iter()
            .any(|d| d["amountType"] == "totalAmountToMgi" && d["amount"] == "3090")
    );
    assert_eq!(response["receiveAmounts"]["totalReceiveAmount"], "3000");
    assert_eq!(
        response["receiveAmounts"]["detailReceiveAmounts"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let json = send(json!(0), "").await.json();
    assert_eq!(json["code"], 4000);
    assert!(json["data"]["amount"].is_array());
    assert!(json["data"]["moneygramSendData.senderDetails.senderFirstName"].is_array());
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------
