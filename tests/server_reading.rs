//! The client as the spec's "Second reading of the server code" says the real servers
//! behave: one test per item of issue 10 (the client's part), over real HTTP, against a
//! scripted server answering with the replies the section quotes (`tests/fixtures/server/`).

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use caisse::domain::{Outcome, PollPlan, TxStatus};
use caisse::engine::{Engine, EngineConfig, Gateways, PayOrder};
use caisse::gateway::GatewayError;
use caisse::gateway::intech::{IntechClient, IntechConfig};
use caisse::gateway::intram::{IntramClient, IntramConfig};
use caisse::journal::Journal;
use caisse::secret::Secret;
use serde_json::json;
use support::scripted::{ScriptedServer, fixture};

const KEY: &str = "second-reading-key-91";

fn intech(server: &ScriptedServer) -> IntechClient {
    IntechClient::new(IntechConfig::new(&server.url, Secret::new(KEY))).unwrap()
}

struct Till {
    engine: Arc<Engine>,
    _dir: tempfile::TempDir,
}

/// An engine whose Intech is the scripted server (no poller: each test asks itself).
fn till(server: &ScriptedServer) -> Till {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::new(
        Journal::open(&dir.path().join("journal.db")).unwrap(),
        Gateways {
            intech: Some(Arc::new(intech(server))),
            intram: None,
        },
        EngineConfig {
            plan: PollPlan {
                first: vec![Duration::from_millis(10)],
                ..PollPlan::default()
            },
            shop_name: "Boutique".into(),
            ..EngineConfig::default()
        },
        caisse::engine::system_clock(),
    );
    Till { engine, _dir: dir }
}

fn order(service: &str, phone: &str, amount: Option<i64>, fields: &[(&str, &str)]) -> PayOrder {
    PayOrder {
        gateway: caisse::domain::GatewayKind::Intech,
        service: service.into(),
        phone: Some(phone.into()),
        amount,
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
        description: None,
    }
}

// 1. Status queries authenticate by header.
#[tokio::test]
async fn a_status_query_carries_the_secretkey_header_as_well_as_the_body_key() {
    let server = ScriptedServer::start().await;
    server.reply_json(
        201,
        fixture("intech/27_transaction_status_response_success.json"),
    );
    intech(&server)
        .transaction_status("0193f0a2-7c4e-7d21-9a6b-1f2e3d4c5b6a")
        .await
        .unwrap();
    let req = server.last();
    assert_eq!(req.path, "/api-services/get-transaction-status");
    assert_eq!(req.header("secretkey"), Some(KEY));
    assert_eq!(req.json()["apiKey"], KEY);
}

#[tokio::test]
async fn an_unknown_transaction_is_the_documented_not_found_and_a_bad_key_says_so() {
    let server = ScriptedServer::start().await;
    server.reply_json(201, fixture("server/status_not_found.json"));
    match intech(&server).transaction_status("x").await {
        Err(e @ GatewayError::Refused { code: 404, .. }) => assert!(!e.outcome_unknown()),
        other => panic!("{other:?}"),
    }
    server.reply_json(201, fixture("server/bad_key.json"));
    let e = intech(&server).balance().await.unwrap_err();
    assert_eq!(e.error_code(), Some("BAD_API_KEY"));
    assert!(e.french_message(None).contains("clé API"), "{e:?}");
}

// 2. Bills and reloads send billAccountNumber; flat and nested bill lists.
#[tokio::test]
async fn a_bill_and_a_reload_send_bill_account_number_beside_account_number() {
    let server = ScriptedServer::start().await;
    server.reply_json(201, fixture("intech/11_operation_response_success.json"));
    let till = till(&server);
    for (service, fields) in [
        (
            "SENELEC_SN_BILL_PAY",
            vec![("accountNumber", "AB123"), ("billReference", "REF-2026/11")],
        ),
        (
            "WOYOFAL_SN_BILL_RELOAD",
            vec![("accountNumber", "14241003961")],
        ),
    ] {
        till.engine
            .pay(order(service, "772457199", Some(5000), &fields))
            .await
            .unwrap();
        let body = server.last().json();
        assert_eq!(body["billAccountNumber"], fields[0].1, "{service}");
        assert_eq!(body["accountNumber"], fields[0].1, "{service}");
        if service.ends_with("_BILL_PAY") {
            assert_eq!(body["billReference"], "REF-2026/11");
        }
    }
}

#[tokio::test]
async fn pending_bills_read_flat_as_the_server_sends_them_and_nested_as_the_doc_shows() {
    let server = ScriptedServer::start().await;
    for file in [
        "server/pending_bills_flat.json",
        "intech/08_pending_bills_response_success.json",
    ] {
        server.reply_json(201, fixture(file));
        let bills = intech(&server)
            .pending_bills("SENELEC_SN_BILL_PAY", "21050176023")
            .await
            .unwrap();
        assert_eq!(bills.len(), 1, "{file}");
        assert_eq!(bills[0].amount, 27684, "{file}");
        assert_eq!(server.last().json()["billAccountNumber"], "21050176023");
    }
}

// 3. The code decides, not `error`.
#[tokio::test]
async fn a_failure_with_error_false_is_still_a_refusal_when_its_code_says_so() {
    let server = ScriptedServer::start().await;
    server.reply_json(201, fixture("server/pending_bills_none.json"));
    match intech(&server)
        .pending_bills("SENELEC_SN_BILL_PAY", "21050176020")
        .await
    {
        Err(GatewayError::Refused {
            code: 4000,
            message,
            ..
        }) => {
            assert_eq!(message, "Aucune facture trouvé pour cette facture")
        }
        other => panic!("{other:?}"),
    }
    server.reply_json(201, fixture("server/moneygram_reception_failed.json"));
    assert!(matches!(
        intech(&server).moneygram_reception_info("89163605").await,
        Err(GatewayError::Refused { code: 4000, .. })
    ));
}

#[tokio::test]
async fn a_server_exception_after_an_operation_leaves_it_unknown_never_failed() {
    for (status, file) in [
        (500, "server/exception_500.json"),
        (400, "server/exception_400.json"),
    ] {
        let server = ScriptedServer::start().await;
        server.reply_json(status, fixture(file));
        let till = till(&server);
        let sent = till
            .engine
            .pay(order("WAVE_SN_API_CASH_IN", "772450000", Some(1000), &[]))
            .await
            .unwrap();
        assert_eq!(sent.row.status, TxStatus::Unknown, "HTTP {status}");
        assert_eq!(sent.row.error_code.as_deref(), Some("server_exception"));
        assert!(
            matches!(sent.outcome, Outcome::Unknown { .. }),
            "{:?}",
            sent.outcome
        );
        assert!(sent.row.next_poll_at.is_some(), "settled by status queries");
    }
    // Elsewhere it is an error of the server, not a refusal.
    let server = ScriptedServer::start().await;
    server.reply_json(500, fixture("server/exception_500.json"));
    assert!(matches!(
        intech(&server).balance().await,
        Err(GatewayError::Exception { status: 500, .. })
    ));
}

// 4. Named refusals, explained in French with what to do.
#[tokio::test]
async fn each_named_refusal_is_explained_with_what_to_do() {
    let server = ScriptedServer::start().await;
    let till = till(&server);
    for (file, code, says) in [
        (
            "server/same_transaction_within_one_minute.json",
            "SAME_TRANSACTION_WITHIN_ONE_MINUTE_INTERVAL",
            "moins d'une minute",
        ),
        (
            "server/account_not_enabled_for_production.json",
            "ACCOUNT_NO_ENABLED_FOR_PRODUCTION",
            "300 FCFA",
        ),
        ("server/service_down.json", "SERVICE_DOWN", "indisponible"),
        ("server/bad_key.json", "BAD_API_KEY", "clé API"),
    ] {
        server.reply_json(201, fixture(file));
        let sent = till
            .engine
            .pay(order("WAVE_SN_API_CASH_IN", "772450000", Some(1000), &[]))
            .await
            .unwrap();
        assert_eq!(sent.row.status, TxStatus::Failed, "{file}");
        assert_eq!(sent.row.error_code.as_deref(), Some(code), "{file}");
        let message = sent.row.error_message.unwrap();
        assert!(message.contains(says), "{file}: {message}");
    }
    for (file, says) in [
        ("server/transaction_not_found.json", "ne trouve pas"),
        ("server/already_opened_claim.json", "déjà ouverte"),
    ] {
        server.reply_json(201, fixture(file));
        let e = intech(&server)
            .new_claim("Montant", "Le client conteste", "T1")
            .await
            .unwrap_err();
        assert!(e.french_message(None).contains(says), "{file}: {e:?}");
    }
}

// 5. What the reply carries is kept.
#[tokio::test]
async fn a_woyofal_code_and_its_kwh_are_kept_and_shown_in_groups_of_four() {
    let server = ScriptedServer::start().await;
    server.reply_json(201, fixture("server/operation_woyofal.json"));
    let till = till(&server);
    let sent = till
        .engine
        .pay(order(
            "WOYOFAL_SN_BILL_RELOAD",
            "772457199",
            Some(5000),
            &[("accountNumber", "14241003961")],
        ))
        .await
        .unwrap();
    assert_eq!(sent.row.status, TxStatus::Success);
    assert_eq!(sent.row.details["woyofalCode"], "12345678901234567890");
    assert_eq!(
        caisse::details::lines(&sent.row.details),
        [
            ("Code Woyofal", "1234 5678 9012 3456 7890".to_owned()),
            ("Énergie", "32.5 kWh".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_whatsapp_message_keeps_the_fee_the_server_charged_and_a_currency_is_kept() {
    let server = ScriptedServer::start().await;
    server.reply_json(201, fixture("server/operation_whatsapp_fee.json"));
    let till = till(&server);
    let mut message = order(
        "WHATSAPP_MESSAGING",
        "772450000",
        None,
        &[("message", "Bonjour")],
    );
    message.amount = None;
    let sent = till.engine.pay(message).await.unwrap();
    assert_eq!(sent.row.amount, Some(25), "the fee, not null");
    server.reply_json(201, fixture("server/operation_currency.json"));
    let sent = till
        .engine
        .pay(order("WAVE_SN_API_CASH_IN", "772450000", Some(885), &[]))
        .await
        .unwrap();
    assert_eq!(sent.row.details["currency"], "GMD");
    assert_eq!(sent.row.details["amountInCurrency"], 100);
}

// 6. Refunds only where the server has them; its refusal shown as it is.
#[tokio::test]
async fn the_servers_refund_refusals_are_shown_as_they_are() {
    for file in [
        "server/refund_not_available.json",
        "server/refund_already_done.json",
        "server/refund_balance_too_low.json",
    ] {
        let server = ScriptedServer::start().await;
        server.reply_json(201, fixture(file));
        match intech(&server).refund_cancel("T1").await {
            Err(e @ GatewayError::Refused { .. }) => {
                let expected = support::scripted::fixture_json(file)["message"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                assert_eq!(e.french_message(None), expected, "{file}")
            }
            other => panic!("{file}: {other:?}"),
        }
    }
}

// 8. Intram as it is.
fn intram(server: &ScriptedServer) -> IntramClient {
    IntramClient::new(IntramConfig::new(
        &server.url,
        Secret::new("pub"),
        Secret::new("priv"),
        Secret::new("sec"),
    ))
    .unwrap()
}

#[tokio::test]
async fn an_intram_request_left_in_another_status_than_pending_is_refused() {
    let server = ScriptedServer::start().await;
    server.reply_json(200, fixture("server/intram_request_pending.json"));
    let request = caisse::gateway::intram::IntramPaymentRequest {
        amount: 1000,
        ..Default::default()
    };
    let started = intram(&server).payment_request(&request).await.unwrap();
    assert_eq!(started.transaction_id, "5f9c2a1b3e4d5c6b7a8f9e0d");
    server.reply_json(200, fixture("server/intram_request_failed_status.json"));
    match intram(&server).payment_request(&request).await {
        Err(GatewayError::Refused { message, .. }) => assert_eq!(message, "Marchand inactif"),
        other => panic!("{other:?}"),
    }
    for status in [200, 401] {
        server.reply_json(status, fixture("server/intram_error_body.json"));
        assert!(matches!(
            intram(&server).payment_request(&request).await,
            Err(GatewayError::Refused { .. })
        ));
    }
}

#[tokio::test]
async fn intram_confirmations_keep_fees_and_customer_and_know_error_and_refunded() {
    use caisse::gateway::Gateway;
    let server = ScriptedServer::start().await;
    let client = intram(&server);
    server.reply_json(200, fixture("server/intram_confirm_full.json"));
    let report = client.status("x", Some("5f9c")).await.unwrap();
    assert_eq!(report.status.journal_status(), TxStatus::Success);
    assert_eq!(report.details["fees"], 20);
    assert_eq!(report.details["net_amount"], 980);
    assert_eq!(report.details["source"], "MOOV");
    assert_eq!(report.details["customer"]["name"], "Awa Diop");
    server.reply_json(200, fixture("server/intram_confirm_error.json"));
    let report = client.status("x", Some("5f9c")).await.unwrap();
    assert_eq!(report.status.journal_status(), TxStatus::Failed);
    server.reply_json(200, fixture("server/intram_confirm_refunded.json"));
    let report = client.status("x", Some("5f9c")).await.unwrap();
    assert_eq!(report.status.journal_status(), TxStatus::Refunded);
}

#[test]
fn an_intram_callback_is_read_as_json_or_as_a_form() {
    use caisse::gateway::intram::decode::callback_transaction_id;
    for body in [
        json!({"transaction_id": "5f9c", "status": "SUCCESS"}).to_string(),
        json!({"status": "SUCCESS", "transaction": {"transaction_id": "5f9c"}}).to_string(),
        "status=SUCCESS&transaction_id=5f9c&transaction%5Binvoice%5D%5Bamount%5D=1000".into(),
    ] {
        assert_eq!(
            callback_transaction_id(body.as_bytes()).as_deref(),
            Some("5f9c"),
            "{body}"
        );
    }
    assert_eq!(callback_transaction_id(b"status=SUCCESS"), None);
}

// The callback's second-reading shape (code, error, transaction.status) still parses.
#[test]
fn a_callback_with_code_error_and_a_nested_status_parses() {
    let cb = caisse::gateway::intech::callback::parse_callback(&fixture(
        "server/callback_second_reading.json",
    ))
    .unwrap();
    assert_eq!(cb.transaction.transaction_id, "T139663910423");
    assert_eq!(cb.status.as_wire(), "SUCCESS");
}

// ---------------------------------------------------------------------------------------
// The same, against the sandbox (which follows the section too), over real HTTP.

mod against_the_sandbox {
    use super::*;
    use caisse::sandbox::{self, SandboxConfig, SandboxHandle};
    use std::net::SocketAddr;

    async fn sandbox(tune: impl FnOnce(&mut SandboxConfig)) -> SandboxHandle {
        let mut config = SandboxConfig {
            api_key: KEY.into(),
            processing_delay: Duration::from_millis(20),
            settle_delay: Duration::from_millis(20),
            auto_approve_delay: Duration::from_millis(50),
            status_window: Duration::from_millis(600),
            ..SandboxConfig::default()
        };
        tune(&mut config);
        sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap()
    }

    fn till(sb: &SandboxHandle) -> Till {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::new(
            Journal::open(&dir.path().join("journal.db")).unwrap(),
            Gateways {
                intech: Some(Arc::new(
                    IntechClient::new(IntechConfig::new(sb.url(), Secret::new(KEY))).unwrap(),
                )),
                intram: None,
            },
            EngineConfig {
                plan: PollPlan {
                    first: vec![Duration::from_millis(50), Duration::from_millis(250)],
                    every: Duration::from_millis(300),
                    budget_window: Duration::from_millis(600),
                    ..PollPlan::default()
                },
                callback_url: Some("http://127.0.0.1:9/cb".into()),
                shop_name: "Boutique Awa 2".into(),
                ..EngineConfig::default()
            },
            caisse::engine::system_clock(),
        );
        Till { engine, _dir: dir }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_woyofal_reload_comes_back_paid_with_its_code() {
        let sb = sandbox(|_| {}).await;
        let t = till(&sb);
        let sent = t
            .engine
            .pay(order(
                "WOYOFAL_SN_BILL_RELOAD",
                "772457199",
                Some(5000),
                &[("accountNumber", "14241003961")],
            ))
            .await
            .unwrap();
        assert_eq!(sent.row.status, TxStatus::Success, "{:?}", sent.row);
        let code = sent.row.details["woyofalCode"].as_str().unwrap();
        assert_eq!(code.len(), 20);
        assert!(sent.row.details["woyofalKwh"].is_number());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_whatsapp_message_is_recorded_at_the_servers_fee() {
        let sb = sandbox(|_| {}).await;
        let t = till(&sb);
        let mut message = order(
            "WHATSAPP_MESSAGING",
            "772450000",
            None,
            &[("message", "Votre reçu")],
        );
        message.amount = None;
        let sent = t.engine.pay(message).await.unwrap();
        assert_eq!(sent.row.amount, Some(25));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_identical_sale_within_a_minute_is_refused_and_explained() {
        let sb = sandbox(|c| c.duplicate_window = Some(Duration::from_secs(60))).await;
        let t = till(&sb);
        let deposit = || order("WAVE_SN_API_CASH_IN", "772450000", Some(1000), &[]);
        let first = t.engine.pay(deposit()).await.unwrap();
        assert_ne!(first.row.status, TxStatus::Failed);
        let second = t.engine.pay(deposit()).await.unwrap();
        assert_eq!(second.row.status, TxStatus::Failed);
        assert_eq!(
            second.row.error_code.as_deref(),
            Some("SAME_TRANSACTION_WITHIN_ONE_MINUTE_INTERVAL")
        );
        assert!(
            second
                .row
                .error_message
                .unwrap()
                .contains("moins d'une minute")
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_test_account_above_300_fcfa_and_a_service_down_are_explained() {
        let sb = sandbox(|c| c.test_account = true).await;
        let t = till(&sb);
        let big = t
            .engine
            .pay(order("WAVE_SN_API_CASH_IN", "772450000", Some(1000), &[]))
            .await
            .unwrap();
        assert_eq!(
            big.row.error_code.as_deref(),
            Some("ACCOUNT_NO_ENABLED_FOR_PRODUCTION")
        );
        let sb = sandbox(|_| {}).await;
        let t = till(&sb);
        let down = t
            .engine
            .pay(order("WAVE_SN_API_CASH_IN", "772450087", Some(1000), &[]))
            .await
            .unwrap();
        assert_eq!(down.row.status, TxStatus::Failed);
        assert_eq!(down.row.error_code.as_deref(), Some("SERVICE_DOWN"));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_server_exception_after_creating_the_sale_is_unknown_then_found_paid() {
        let sb = sandbox(|_| {}).await;
        let t = till(&sb);
        // …89: the server creates the operation, then throws (HTTP 500 envelope).
        let sent = t
            .engine
            .pay(order("WAVE_SN_API_CASH_IN", "772450089", Some(1000), &[]))
            .await
            .unwrap();
        assert_eq!(sent.row.status, TxStatus::Unknown);
        t.engine.reconcile(Duration::from_secs(15)).await.unwrap();
        let row = t.engine.get(&sent.row.external_id).await.unwrap().unwrap();
        assert_eq!(row.status, TxStatus::Success);
        assert_eq!(row.error_code, None);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_card_sale_reaches_the_server_with_what_it_demands() {
        let sb = sandbox(|_| {}).await;
        let t = till(&sb);
        let sent = t
            .engine
            .pay(order(
                "BANK_CARD_API_CASH_OUT",
                "772450000",
                Some(1000),
                &[
                    ("customerFirstName", "Moussa"),
                    ("customerLastName", "Ndour"),
                    ("cardNumber", "4242424242424242"),
                    ("cardExpireMonth", "09"),
                    ("cardExpireYear", "29"),
                    ("cardCVC", "123"),
                    ("cardType", "visa"),
                ],
            ))
            .await
            .unwrap();
        assert_ne!(sent.row.status, TxStatus::Failed, "{:?}", sent.row);
        assert_eq!(sent.row.fields["merchantName"], "BoutiqueAwa");
        assert_eq!(sent.row.fields["cardType"], "VISA");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn bills_listed_flat_by_the_sandbox_and_paid_with_bill_account_number() {
        let sb = sandbox(|_| {}).await;
        let client = IntechClient::new(IntechConfig::new(sb.url(), Secret::new(KEY))).unwrap();
        let bills = client
            .pending_bills("SENELEC_SN_BILL_PAY", "AB121")
            .await
            .unwrap();
        assert_eq!(bills.len(), 1);
        let t = till(&sb);
        let paid = t
            .engine
            .pay(order(
                "SENELEC_SN_BILL_PAY",
                "772457199",
                Some(bills[0].amount),
                &[
                    ("accountNumber", "AB121"),
                    ("billReference", &bills[0].bill_reference),
                ],
            ))
            .await
            .unwrap();
        assert_ne!(paid.row.status, TxStatus::Failed, "{:?}", paid.row);
    }
}

// More replies the section quotes.
#[tokio::test]
async fn an_id_the_server_already_holds_is_unknown_never_failed() {
    let server = ScriptedServer::start().await;
    server.reply_json(201, fixture("server/duplicate_external_id.json"));
    let till = till(&server);
    let sent = till
        .engine
        .pay(order("WAVE_SN_API_CASH_IN", "772450000", Some(1000), &[]))
        .await
        .unwrap();
    assert_eq!(sent.row.status, TxStatus::Unknown);
    assert_eq!(sent.row.error_code.as_deref(), Some("already_received"));
    assert!(
        sent.row
            .error_message
            .unwrap()
            .contains("Ne la refaites pas"),
        "the cashier is told not to redo it"
    );
}

#[tokio::test]
async fn an_invalid_rib_and_a_wrong_bill_amount_are_refusals_with_the_servers_words() {
    let server = ScriptedServer::start().await;
    let till = till(&server);
    server.reply_json(201, fixture("server/invalid_rib.json"));
    let sent = till
        .engine
        .pay(order(
            "BANK_TRANSFER_SN_API_CASH_IN",
            "772450000",
            Some(10000),
            &[
                ("customerFirstName", "Awa"),
                ("customerLastName", "Diop"),
                ("rib", "SN012"),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(sent.row.status, TxStatus::Failed);
    assert!(sent.row.error_message.unwrap().contains("SN000 00000"));
    server.reply_json(201, fixture("server/bill_amount_differs.json"));
    let sent = till
        .engine
        .pay(order(
            "SENELEC_SN_BILL_PAY",
            "772457199",
            Some(1000),
            &[
                ("accountNumber", "21050176023"),
                ("billReference", "1062208013069"),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(sent.row.status, TxStatus::Failed);
    assert_eq!(sent.row.gateway_tx_id.as_deref(), Some("T139663910600"));
    assert!(
        sent.row
            .error_message
            .unwrap()
            .contains("different du montant")
    );
}

#[tokio::test]
async fn every_refund_refusal_the_section_quotes_is_a_refusal() {
    for file in [
        "server/refund_not_found.json",
        "server/refund_status_forbids.json",
    ] {
        let server = ScriptedServer::start().await;
        server.reply_json(201, fixture(file));
        let e = intech(&server).refund_cancel("T1").await.unwrap_err();
        assert!(!e.outcome_unknown(), "{file}: {e:?}");
    }
}
