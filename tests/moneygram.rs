//! MoneyGram's operations through the engine, over real HTTP against the sandbox: a payout
//! and a send are sales like any other (intent journaled first, sent once, settled by the
//! status queries), the payout's amount is MoneyGram's own, the send keeps its reference
//! number, and a send is reversed through `refund-cancel` with its reason.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use caisse::domain::moneygram::ReversalInput;
use caisse::domain::{OpKind, TxStatus};
use caisse::engine::{
    Engine, EngineConfig, EngineError, Gateways, PayOutcome, PayoutOrder, PollPlan, SendOrder,
};
use caisse::gateway::intech::{IntechClient, IntechConfig};
use caisse::journal::Journal;
use caisse::sandbox::{self, SandboxConfig, SandboxHandle};
use caisse::secret::Secret;
use serde_json::Value;

const KEY: &str = "moneygram-test-key";
/// A transfer waiting at the counter in the sandbox (a reference ending in 0 is paid out).
const REFERENCE: &str = "89163605";

struct Setup {
    sandbox: SandboxHandle,
    engine: Arc<Engine>,
    _dir: tempfile::TempDir,
    poller: tokio::task::JoinHandle<()>,
}

impl Drop for Setup {
    fn drop(&mut self) {
        self.poller.abort();
    }
}

/// The sandbox with MoneyGram's commit taking `commit`, the engine with a client timeout of
/// `timeout` and its poller running (as the app's service does).
async fn setup(commit: Duration, timeout: Duration) -> Setup {
    let config = SandboxConfig {
        api_key: KEY.into(),
        processing_delay: Duration::from_millis(30),
        settle_delay: Duration::from_millis(30),
        moneygram_commit_delay: commit,
        moneygram_callback_delay: Duration::from_millis(200),
        status_window: Duration::from_millis(1000),
        ..SandboxConfig::default()
    };
    let sandbox = sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let mut intech = IntechConfig::new(sandbox.url(), Secret::new(KEY));
    intech.timeout = timeout;
    let gateways = Gateways {
        intech: Some(Arc::new(IntechClient::new(intech).unwrap())),
        intram: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let config = EngineConfig {
        plan: PollPlan {
            first: vec![Duration::from_millis(100), Duration::from_millis(300)],
            every: Duration::from_millis(300),
            not_found_gap: Duration::from_millis(300),
            budget_window: Duration::from_millis(1000),
            ..PollPlan::default()
        },
        send_timeout: timeout,
        cashier: "awa".into(),
        ..EngineConfig::default()
    };
    let journal = Journal::open(&dir.path().join("journal.db")).unwrap();
    let engine = Engine::new(journal, gateways, config, caisse::engine::system_clock());
    let poller = tokio::spawn(engine.clone().run_poller());
    Setup {
        sandbox,
        engine,
        _dir: dir,
        poller,
    }
}

async fn fast() -> Setup {
    setup(Duration::from_millis(100), Duration::from_secs(5)).await
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn receiver_identity() -> BTreeMap<String, String> {
    map(&[
        ("receiverFirstName", "AICHA"),
        ("receiverLastName", "DIALLO"),
        ("receiverPhotoIdType", "GOV"),
        ("receiverPhotoIdNumber", "1672282828282"),
        ("receiverPhotoIdCountry", "SEN"),
        ("receiverDOB", "1995-08-10"),
        ("receiverGender", "FEMALE"),
        ("receiverBirthCountry", "SEN"),
        ("receiverCitizenshipCountry", "SEN"),
        ("receiverPhone", "772457199"),
        ("receiverPhoneCountryCode", "221"),
        ("receiverAddress", "Almadies"),
        ("receiverCity", "Dakar"),
        ("receiverCountry", "SEN"),
        ("receiverOccupation", "STUDENT"),
        ("receivePurposeOfTransaction", "GIFT"),
        ("relationshipToSender", "FAMILY"),
        ("receiverIntendedUseOfMGIServices", "FAMILY_FRIENDS_SUPPORT"),
    ])
}

fn sender() -> BTreeMap<String, String> {
    map(&[
        ("senderFirstName", "Moussa"),
        ("senderLastName", "Ndour"),
        ("senderPhotoIdType", "PAS"),
        ("senderPhotoIdNumber", "A1234567"),
        ("senderPhotoIdCountry", "SEN"),
        ("senderDOB", "1993-05-15"),
        ("senderGender", "MALE"),
        ("senderBirthCountry", "SEN"),
        ("senderCitizenshipCountry", "SEN"),
        ("senderPhoneNumber", "772457199"),
        ("senderHomePhoneCountryCode", "221"),
        ("senderAddress", "123 Main Street"),
        ("senderCity", "Dakar"),
        ("senderCountry", "SEN"),
        ("senderOccupation", "ENTREPRENEUR"),
        ("sourceOfFunds", "SALARY_EMPLOY"),
        ("sendPurposeOfTransaction", "GIFT"),
        ("relationshipToReceiver", "FAMILY"),
        ("senderIntendedUseOfMGIServices", "FAMILY_FRIENDS_SUPPORT"),
    ])
}

fn receiver() -> BTreeMap<String, String> {
    map(&[
        ("receiverFirstName", "Aicha"),
        ("receiverLastName", "Diallo"),
        ("receiveCountry", "SEN"),
        ("receiverCity", "Dakar"),
        ("receiverAddress", "Almadies"),
    ])
}

async fn wait_for(engine: &Engine, id: &str, status: TxStatus) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let row = engine.get(id).await.unwrap().unwrap();
        if row.status == status {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{id} still {} after 20 s, not {status}",
            row.status
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The sandbox's records: every transaction, oldest first.
async fn sandbox_records(sb: &SandboxHandle) -> Vec<Value> {
    let url = format!("{}/sandbox/transactions", sb.url());
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

async fn history(engine: &Engine, id: &str) -> Vec<String> {
    let id = id.to_owned();
    engine
        .journal(move |j| j.events(&id))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

async fn payout(s: &Setup) -> PayOutcome {
    let found = s.engine.moneygram_lookup(REFERENCE).await.unwrap();
    let order = PayoutOrder {
        reference: REFERENCE.into(),
        amount: found.agent_check_amount.unwrap(),
        receiver: receiver_identity(),
    };
    s.engine
        .moneygram_payout(order, &s.engine.default_actor(), None)
        .await
        .unwrap()
}

/// A send of 3 000 FCFA, quoted first, sent, and settled SUCCESS.
async fn paid_send(s: &Setup) -> PayOutcome {
    let actor = s.engine.default_actor();
    let quote = s
        .engine
        .moneygram_quote(3000, &sender(), &receiver(), &actor)
        .await
        .unwrap();
    let order = SendOrder {
        amount: 3000,
        sender: sender(),
        receiver: receiver(),
        total_to_collect: quote.total_amount_to_collect,
    };
    let sent = s.engine.moneygram_send(order, &actor, None).await.unwrap();
    wait_for(&s.engine, &sent.row.external_id, TxStatus::Success).await;
    sent
}

#[tokio::test(flavor = "multi_thread")]
async fn a_payout_is_journaled_sent_once_then_settled_success() {
    let s = fast().await;
    let done = payout(&s).await;
    let row = &done.row;
    assert_eq!(row.service, "MONEYGRAM_SN_API_CASH_OUT");
    assert_eq!(row.phone.as_deref(), Some("772457199"));
    assert!(
        matches!(row.status, TxStatus::Pending | TxStatus::Processing),
        "{row:?}"
    );
    let details = &row.fields["moneygramReceptionData"]["receptionServiceReceiveDetails"];
    assert_eq!(details.as_object().unwrap().len(), 24, "{details}");
    assert_eq!(details["referenceNumber"], REFERENCE);
    assert_eq!(details["agentConsumerID"], "awa");
    let events = history(&s.engine, &row.external_id).await;
    assert_eq!(events[0], "intent", "journaled before the send: {events:?}");
    wait_for(&s.engine, &row.external_id, TxStatus::Success).await;
    let records = sandbox_records(&s.sandbox).await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["operationAttempts"], 1, "sent once");
    assert_eq!(records[0]["amount"], row.amount.unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_payout_slower_than_the_usual_timeout_still_gets_its_answer() {
    // MoneyGram's commit takes longer than the client's configured timeout: a MoneyGram
    // operation has its own, longer one, so the answer arrives and nothing is UNKNOWN.
    let s = setup(Duration::from_millis(1500), Duration::from_secs(1)).await;
    let done = payout(&s).await;
    assert!(
        matches!(done.row.status, TxStatus::Pending | TxStatus::Processing),
        "{:?}",
        done.row
    );
    assert!(done.row.gateway_tx_id.is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_payout_of_another_amount_than_agent_check_amount_is_refused_before_any_send() {
    let s = fast().await;
    let found = s.engine.moneygram_lookup(REFERENCE).await.unwrap();
    let order = PayoutOrder {
        reference: REFERENCE.into(),
        amount: found.agent_check_amount.unwrap() - 500,
        receiver: receiver_identity(),
    };
    let refused = s
        .engine
        .moneygram_payout(order, &s.engine.default_actor(), None)
        .await;
    assert!(
        matches!(&refused, Err(EngineError::Invalid(e)) if e[0].field == "amount"),
        "{refused:?}"
    );
    let rows = s.engine.journal(|j| j.list_since(0, 10)).await.unwrap();
    assert!(rows.is_empty(), "no intent was written: {rows:?}");
    assert!(sandbox_records(&s.sandbox).await.is_empty(), "nothing sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_keeps_its_reference_number_and_its_quote() {
    let s = fast().await;
    let sent = paid_send(&s).await;
    let row = s.engine.get(&sent.row.external_id).await.unwrap().unwrap();
    let reference = row.fields["referenceNumber"].as_str().unwrap().to_owned();
    assert_eq!(reference.len(), 8, "{row:?}");
    assert!(
        row.notification.as_deref().unwrap().contains(&reference),
        "{row:?}"
    );
    assert_eq!(
        row.fields["data"]["moneygramQuote"]["totalAmountToCollect"],
        3090
    );
    let receipt = caisse::engine::receipt_lines(&row.service, &row.fields, Default::default());
    assert_eq!(receipt[0], ("Référence MoneyGram".to_owned(), reference));
    assert_eq!(row.amount, Some(3000));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_for_a_total_the_quote_no_longer_gives_is_refused_before_any_send() {
    let s = fast().await;
    let order = SendOrder {
        amount: 3000,
        sender: sender(),
        receiver: receiver(),
        total_to_collect: 3000,
    };
    let refused = s
        .engine
        .moneygram_send(order, &s.engine.default_actor(), None)
        .await;
    assert!(
        matches!(&refused, Err(EngineError::Invalid(e)) if e[0].message.contains("les frais ont changé")),
        "{refused:?}"
    );
    assert!(sandbox_records(&s.sandbox).await.is_empty(), "nothing sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_is_reversed_through_refund_cancel_with_its_reason() {
    let s = fast().await;
    let sent = paid_send(&s).await;
    let sale = sent.row.external_id;
    let reversal = ReversalInput {
        operator_name: "AWA".into(),
        reason: "NO_RCV_LOC".into(),
        fee_refund: true,
        agent_check_number: None,
    };
    let done = s
        .engine
        .moneygram_reversal(&sale, &reversal, &s.engine.default_actor(), None)
        .await
        .unwrap();
    assert_eq!(done.row.kind, OpKind::Refund);
    assert_eq!(done.row.status, TxStatus::Success, "{:?}", done.row);
    assert_eq!(
        done.row.fields["moneyGramSendReversalReason"], "NO_RCV_LOC",
        "the reason is journaled with the intent"
    );
    assert_eq!(done.row.fields["moneyGramFeeRefund"], "Y");
    assert_eq!(
        s.engine.get(&sale).await.unwrap().unwrap().status,
        TxStatus::Refunded
    );
    let records = sandbox_records(&s.sandbox).await;
    assert_eq!(records[0]["refundAttempts"], 1, "sent once");
    assert_eq!(records[0]["status"], "REFUNDED");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reversal_with_a_reason_moneygram_does_not_know_is_refused_before_any_send() {
    let s = fast().await;
    let sale = paid_send(&s).await.row.external_id;
    let reversal = ReversalInput {
        operator_name: "AWA".into(),
        reason: "CHANGED_MIND".into(),
        fee_refund: false,
        agent_check_number: None,
    };
    let refused = s
        .engine
        .moneygram_reversal(&sale, &reversal, &s.engine.default_actor(), None)
        .await;
    assert!(
        matches!(&refused, Err(EngineError::Invalid(e)) if e[0].field == "moneyGramSendReversalReason"),
        "{refused:?}"
    );
    assert_eq!(sandbox_records(&s.sandbox).await[0]["refundAttempts"], 0);
    let rows = s.engine.journal(|j| j.list_since(0, 10)).await.unwrap();
    assert_eq!(rows.len(), 1, "no refund intent: {rows:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_is_not_refunded_without_its_reversal_reason() {
    let s = fast().await;
    let sale = paid_send(&s).await.row.external_id;
    let refused = s
        .engine
        .refund(&sale, &s.engine.default_actor(), None)
        .await;
    assert!(
        matches!(&refused, Err(EngineError::Refused(m)) if m.to_string().contains("motif")),
        "{refused:?}"
    );
    assert_eq!(sandbox_records(&s.sandbox).await[0]["refundAttempts"], 0);
}
