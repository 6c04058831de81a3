//! The engine against the sandbox over real HTTP, on a real SQLite file: the lifecycle,
//! callbacks (before the reply, repeated, forged, unknown, malformed, oversized), network
//! faults that must leave a row UNKNOWN (never FAILED) until reconcile settles it, and the
//! poll budget.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use caisse::config::CallbackTimeouts;
use caisse::domain::{Outcome, TxStatus};
use caisse::engine::{
    Engine, EngineConfig, Gateways, PayOrder, PollPlan, serve_callbacks, system_clock,
};
use caisse::gateway::intech::signing;
use caisse::gateway::intech::{IntechClient, IntechConfig};
use caisse::gateway::intram::{IntramClient, IntramConfig};
use caisse::journal::Journal;
use caisse::sandbox::{self, SandboxConfig, SandboxHandle};
use caisse::secret::Secret;
use serde_json::{Value, json};

mod support;
use support::wait;

const KEY: &str = "engine-test-key";

fn sandbox_config() -> SandboxConfig {
    SandboxConfig {
        api_key: KEY.into(),
        processing_delay: Duration::from_millis(50),
        settle_delay: Duration::from_millis(50),
        auto_approve_delay: Duration::from_millis(100),
        callback_retry: Duration::from_millis(200),
        slow_reply: Duration::from_secs(2),
        ..SandboxConfig::default()
    }
}

/// Fast polls; Intech's real budget (3 calls a minute per transaction).
fn fast_plan() -> PollPlan {
    PollPlan {
        first: vec![
            Duration::from_millis(200),
            Duration::from_millis(600),
            Duration::from_millis(1200),
        ],
        every: Duration::from_millis(1000),
        not_found_gap: Duration::from_millis(300),
        ..PollPlan::default()
    }
}

struct Setup {
    sandbox: SandboxHandle,
    engine: Arc<Engine>,
    dir: tempfile::TempDir,
    callback: Option<String>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Setup {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn setup_with(
    sb: SandboxConfig,
    plan: PollPlan,
    timeout: Duration,
    listen: bool,
    hmac: Option<&str>,
) -> Setup {
    let sandbox = sandbox::spawn(sb, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut intech = IntechConfig::new(sandbox.url(), Secret::new(KEY));
    intech.timeout = timeout;
    intech.hmac_secret = hmac.map(Secret::new);
    let gateways = Gateways {
        intech: Some(Arc::new(IntechClient::new(intech).unwrap())),
        intram: Some(Arc::new(
            IntramClient::new(IntramConfig::new(
                format!("{}/api/v1", sandbox.url()),
                Secret::new("demo-intram-public"),
                Secret::new("demo-intram-private"),
                Secret::new("demo-intram-secret"),
            ))
            .unwrap(),
        )),
    };
    // Bind the listener first so its URL can go in the engine's config.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let callback = listen.then(|| format!("http://127.0.0.1:{port}/cb"));
    let config = EngineConfig {
        plan,
        callback_url: Some(
            callback
                .clone()
                .unwrap_or_else(|| "http://127.0.0.1:9/cb".into()),
        ),
        send_timeout: timeout,
        hmac_secret: hmac.map(Secret::new),
        cashier: "test".into(),
        ..EngineConfig::default()
    };
    let journal = Journal::open(&dir.path().join("journal.db")).unwrap();
    let engine = Engine::new(journal, gateways, config, system_clock());
    let mut tasks = vec![tokio::spawn(engine.clone().run_poller())];
    if listen {
        let (_, task) = serve_callbacks(
            engine.clone(),
            SocketAddr::from(([127, 0, 0, 1], port)),
            CallbackTimeouts::default(),
        )
        .await
        .unwrap();
        tasks.push(task);
    }
    Setup {
        sandbox,
        engine,
        dir,
        callback,
        tasks,
    }
}

async fn setup() -> Setup {
    setup_with(
        sandbox_config(),
        fast_plan(),
        Duration::from_secs(10),
        false,
        None,
    )
    .await
}

fn order(service: &str, phone: &str, amount: i64) -> PayOrder {
    PayOrder {
        gateway: caisse::domain::GatewayKind::Intech,
        service: service.into(),
        phone: Some(phone.into()),
        amount: Some(amount),
        fields: BTreeMap::new(),
        description: None,
    }
}

async fn wait_status(
    engine: &Engine,
    ext: &str,
    want: TxStatus,
    within: Duration,
) -> caisse::journal::TransactionRow {
    let deadline = Instant::now() + within;
    loop {
        let row = engine.get(ext).await.unwrap().unwrap();
        if row.status == want {
            return row;
        }
        assert!(
            Instant::now() < deadline,
            "{ext}: still {} (wanted {want})",
            row.status
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn record(sandbox: &SandboxHandle, ext: &str) -> Value {
    let url = format!(
        "{}/sandbox/transactions?externalTransactionId={ext}",
        sandbox.url()
    );
    let all: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    all.as_array()
        .and_then(|a| a.first())
        .cloned()
        .unwrap_or(Value::Null)
}

async fn approve(sandbox: &SandboxHandle, tx: &str) {
    let url = format!("{}/sandbox/customer/{tx}/approve", sandbox.url());
    let resp = caisse::http::client_builder()
        .build()
        .unwrap()
        .post(url)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
}

/// The statuses a row went through, from its event log.
async fn history(engine: &Engine, ext: &str) -> Vec<String> {
    let id = ext.to_owned();
    let events = engine.journal(move |j| j.events(&id)).await.unwrap();
    events
        .iter()
        .filter_map(|e| {
            e.detail
                .get("after")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deposit_goes_new_pending_success_by_polling() {
    let s = setup().await;
    let outcome = s
        .engine
        .pay(order("ORANGE_SN_API_CASH_IN", "772450000", 1000))
        .await
        .unwrap();
    assert_eq!(outcome.row.status, TxStatus::Pending);
    assert!(outcome.row.gateway_tx_id.is_some());
    assert!(outcome.row.sent_at.is_some());
    let ext = outcome.row.external_id.clone();
    let row = wait_status(&s.engine, &ext, TxStatus::Success, Duration::from_secs(10)).await;
    assert!(row.final_at.is_some());
    assert_eq!(record(&s.sandbox, &ext).await["operationAttempts"], 1);
    let kinds: Vec<String> = s
        .engine
        .journal(move |j| j.events(&ext))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds[..2], ["intent".to_owned(), "reply".to_owned()]);
    assert!(kinds.contains(&"poll".to_owned()));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_before_anything_is_written() {
    let s = setup().await;
    for (service, phone, amount) in [
        ("WAVE_SN_API_CASH_OUT", "7724571", 1500),
        ("WAVE_SN_API_CASH_OUT", "772457100", 1501),
        ("NOPE", "772457100", 100),
    ] {
        let err = s
            .engine
            .pay(order(service, phone, amount))
            .await
            .unwrap_err();
        assert!(
            matches!(err, caisse::engine::EngineError::Invalid(_)),
            "{err}"
        );
    }
    assert!(
        s.engine
            .journal(|j| j.list_since(0, 10))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deposit_above_the_balance_the_engine_read_never_leaves() {
    let s = setup_with(
        SandboxConfig {
            initial_balance: 1000.0,
            ..sandbox_config()
        },
        fast_plan(),
        Duration::from_secs(10),
        false,
        None,
    )
    .await;
    // Before any reading the engine knows no balance; the gateway would judge.
    assert_eq!(s.engine.known_balance(), None);
    assert_eq!(s.engine.balance().await.unwrap(), 1000.0);
    let err = s
        .engine
        .pay(order("WAVE_SN_API_CASH_IN", "772450000", 5000))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("solde insuffisant"), "{err}");
    assert!(
        s.engine
            .journal(|j| j.list_since(0, 10))
            .await
            .unwrap()
            .is_empty()
    );
}

/// Issue 12 (8): the figure a deposit is checked against is the service's balance as it is
/// now, not the one read before sales settled.
#[tokio::test(flavor = "multi_thread")]
async fn a_deposit_is_checked_against_the_balance_as_it_stands_after_settled_sales() {
    let s = setup_with(
        SandboxConfig {
            initial_balance: 10_000.0,
            ..sandbox_config()
        },
        fast_plan(),
        Duration::from_secs(10),
        false,
        None,
    )
    .await;
    assert_eq!(s.engine.balance().await.unwrap(), 10_000.0);
    let first = s
        .engine
        .pay(order("WAVE_SN_API_CASH_IN", "772450000", 8000))
        .await
        .unwrap();
    let ext = first.row.external_id;
    wait_status(&s.engine, &ext, TxStatus::Success, Duration::from_secs(10)).await;
    // Nobody asked for the balance since: the engine reads it again for the next deposit,
    // and 5 000 no longer fits in what is left.
    let err = s
        .engine
        .pay(order("WAVE_SN_API_CASH_IN", "772450001", 5000))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("solde insuffisant"), "{err}");
    assert!(err.to_string().contains("2 000 FCFA"), "{err}");
    assert_eq!(s.engine.known_balance(), Some(2_000.0));
    assert_eq!(
        s.engine
            .journal(|j| j.list_since(0, 10))
            .await
            .unwrap()
            .len(),
        1,
        "the second deposit never left"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_is_failed_with_the_french_message() {
    let s = setup().await;
    let outcome = s
        .engine
        .pay(order("ORANGE_SN_API_CASH_IN", "772450092", 1000))
        .await
        .unwrap();
    assert_eq!(outcome.row.status, TxStatus::Failed);
    assert_eq!(outcome.row.error_code.as_deref(), Some("no_om_account"));
    match outcome.outcome {
        Outcome::Failed { code, message } => {
            assert_eq!(code.as_deref(), Some("no_om_account"));
            assert!(message.contains("Orange Money"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

/// Issue 12 (10): a Wave refusal reads in Wave's words, never in the Orange Money sentence
/// of the vendor's table, in the journal as on the screen; Orange's keeps its own.
#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_is_worded_for_the_sales_own_operator() {
    let s = setup().await;
    for (service, phone) in [
        ("WAVE_SN_API_CASH_OUT", "772450091"),
        ("WAVE_SN_API_CASH_OUT", "772450192"),
        ("FREE_SN_WALLET_CASH_OUT", "772450292"),
    ] {
        let outcome = s.engine.pay(order(service, phone, 1000)).await.unwrap();
        assert_eq!(outcome.row.status, TxStatus::Failed, "{service} {phone}");
        let message = outcome.row.error_message.clone().unwrap_or_default();
        assert!(!message.contains("Orange"), "{service}: {message}");
        if service.starts_with("FREE") {
            assert!(!message.contains("WAVE"), "{service}: {message}");
        }
    }
    let orange = s
        .engine
        .pay(order("ORANGE_SN_API_CASH_OUT", "772450391", 1000))
        .await
        .unwrap();
    let message = orange.row.error_message.unwrap_or_default();
    assert!(message.contains("Orange Money"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn network_faults_leave_unknown_then_reconcile_settles_never_failed_first() {
    // …94: slower than the client; …96: HTTP 500; …97: truncated JSON. Each really happened.
    let s = setup_with(
        sandbox_config(),
        fast_plan(),
        Duration::from_millis(500),
        false,
        None,
    )
    .await;
    let mut ids = Vec::new();
    for phone in ["772450094", "772450096", "772450097"] {
        let outcome = s
            .engine
            .pay(order("WAVE_SN_API_CASH_IN", phone, 1000))
            .await
            .unwrap();
        assert_eq!(
            outcome.row.status,
            TxStatus::Unknown,
            "{phone}: {:?}",
            outcome.outcome
        );
        assert!(
            matches!(&outcome.outcome, Outcome::Unknown { message } if message.contains("peut-être abouti")),
            "{:?}",
            outcome.outcome
        );
        ids.push(outcome.row.external_id);
    }
    let summary = s.engine.reconcile(Duration::from_secs(15)).await.unwrap();
    assert!(
        summary.unknown.is_empty() && summary.pending.is_empty(),
        "{summary:?}"
    );
    for ext in &ids {
        let row = s.engine.get(ext).await.unwrap().unwrap();
        assert_eq!(row.status, TxStatus::Success, "{ext}");
        let path = history(&s.engine, ext).await;
        assert!(!path.iter().any(|st| st == "FAILED"), "{path:?}");
        assert_eq!(
            record(&s.sandbox, ext).await["operationAttempts"],
            1,
            "sent once"
        );
    }

    // Connection refused: nothing left; NOT_SENT at once.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let journal = Journal::open(&s.dir.path().join("dead.db")).unwrap();
    let gateways = Gateways {
        intech: Some(Arc::new(
            IntechClient::new(IntechConfig::new(dead, Secret::new(KEY))).unwrap(),
        )),
        intram: None,
    };
    let engine = Engine::new(journal, gateways, EngineConfig::default(), system_clock());
    let outcome = engine
        .pay(order("WAVE_SN_API_CASH_IN", "772450000", 1000))
        .await
        .unwrap();
    assert_eq!(outcome.row.status, TxStatus::NotSent);
    assert!(
        matches!(&outcome.outcome, Outcome::NotSent { message } if message.contains("Rien n'a été envoyé")),
        "{:?}",
        outcome.outcome
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_intent_the_gateway_never_saw_becomes_not_sent_after_two_not_found() {
    let s = setup().await;
    let intent = caisse::journal::NewTransaction {
        external_id: uuid::Uuid::now_v7().to_string(),
        gateway: caisse::domain::GatewayKind::Intech,
        service: "WAVE_SN_API_CASH_IN".into(),
        phone: Some("772450000".into()),
        amount: Some(1000),
        fields: json!({}),
        cashier: "t".into(),
        terminal: "t".into(),
    };
    let ext = intent.external_id.clone();
    // A crashed sender: its lease is already over.
    let now = signing::now_ms();
    s.engine
        .journal(move |j| j.insert_intent(&intent, "dead-process", now - 1, now))
        .await
        .unwrap();
    let summary = s.engine.reconcile(Duration::from_secs(10)).await.unwrap();
    assert_eq!(summary.settled, vec![(ext.clone(), "NOT_SENT".to_owned())]);
    assert_eq!(
        record(&s.sandbox, &ext).await,
        Value::Null,
        "never sent by recovery"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cash_out_waits_for_the_customer_and_its_callback_is_confirmed_by_a_status_query() {
    let s = setup_with(
        sandbox_config(),
        PollPlan {
            first: vec![Duration::from_secs(30)],
            ..fast_plan()
        },
        Duration::from_secs(10),
        true,
        None,
    )
    .await;
    let outcome = s
        .engine
        .pay(order("WAVE_SN_API_CASH_OUT", "772457100", 1500))
        .await
        .unwrap();
    let row = outcome.row;
    assert_eq!(row.status, TxStatus::Pending);
    let url = row.customer_url.clone().unwrap();
    assert!(
        url.ends_with(&format!("/deep/{}", row.gateway_tx_id.clone().unwrap())),
        "{url}"
    );
    approve(&s.sandbox, row.gateway_tx_id.as_deref().unwrap()).await;
    // The callback arrives long before the first scheduled poll (30 s): it triggers one
    // status query, which confirms.
    wait_status(
        &s.engine,
        &row.external_id,
        TxStatus::Success,
        Duration::from_secs(10),
    )
    .await;
    let ext = row.external_id.clone();
    let events = s.engine.journal(move |j| j.events(&ext)).await.unwrap();
    let callback = events
        .iter()
        .position(|e| e.kind == "callback")
        .expect("callback recorded");
    let poll = events
        .iter()
        .position(|e| e.kind == "poll")
        .expect("confirming poll");
    assert!(callback < poll);
    assert_eq!(
        events[callback].detail["after"], "PENDING",
        "a callback alone does not settle"
    );
    assert_eq!(events[poll].detail["after"], "SUCCESS");
    assert_eq!(record(&s.sandbox, &row.external_id).await["statusCalls"], 1);
}

/// Issue 12 (6): without HMAC a callback is confirmed by one status query; when it comes
/// while the send still waits for its reply (…94: the reply is held), that query is asked at
/// once, and the sale settles before the reply comes.
#[tokio::test(flavor = "multi_thread")]
async fn an_unsigned_callback_during_a_slow_send_settles_the_sale_before_the_reply() {
    let sb = SandboxConfig {
        slow_reply: Duration::from_secs(30),
        ..sandbox_config()
    };
    let s = setup_with(sb, fast_plan(), Duration::from_secs(40), true, None).await;
    let engine = s.engine.clone();
    let send = tokio::spawn(async move {
        engine
            .pay(order("WAVE_SN_API_CASH_IN", "772450094", 1000))
            .await
    });
    let ext = wait::until_async("the intent", Duration::from_secs(5), || async {
        let rows = s.engine.journal(|j| j.list_since(0, 10)).await.unwrap();
        rows.first().map(|r| r.external_id.clone())
    })
    .await;
    let row = wait_status(&s.engine, &ext, TxStatus::Success, Duration::from_secs(10)).await;
    assert!(
        !send.is_finished(),
        "settled while the send waits for its reply"
    );
    assert_eq!(row.answered_at, None);
    assert!(row.gateway_tx_id.is_some());
    send.abort();
}

/// Issue 12 (7): a cash-out whose reply was lost gets its customer link from the first
/// status answer that names the transaction (Intech's landing page is built from its id),
/// not 15 minutes later; the customer can then pay by it.
async fn a_lost_reply_still_gives_the_customer_link(service: &str, phone: &str) {
    let s = setup_with(
        sandbox_config(),
        fast_plan(),
        Duration::from_secs(1),
        false,
        None,
    )
    .await;
    let outcome = s.engine.pay(order(service, phone, 1500)).await.unwrap();
    assert_eq!(
        outcome.row.status,
        TxStatus::Unknown,
        "{service}: the reply was lost"
    );
    assert_eq!(outcome.row.customer_url, None);
    let ext = outcome.row.external_id;
    let row = wait::until_async("the customer's link", Duration::from_secs(10), || async {
        s.engine
            .get(&ext)
            .await
            .unwrap()
            .filter(|r| r.customer_url.is_some())
    })
    .await;
    assert_eq!(
        row.status,
        TxStatus::Pending,
        "{service}: the customer has not paid yet"
    );
    let tid = row.gateway_tx_id.clone().unwrap();
    assert_eq!(
        row.customer_url.as_deref(),
        Some(format!("{}/deep/{tid}", s.sandbox.url()).as_str())
    );
    approve(&s.sandbox, &tid).await;
    wait_status(&s.engine, &ext, TxStatus::Success, Duration::from_secs(10)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wave_cash_out_answered_by_a_500_shows_its_link_from_the_first_status_answer() {
    // …96: HTTP 500 with an HTML page, the transaction created all the same.
    a_lost_reply_still_gives_the_customer_link("WAVE_SN_API_CASH_OUT", "772457196").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_orange_money_cash_out_whose_reply_timed_out_shows_its_qr_link() {
    // …94: the reply held beyond the client's timeout. Orange Money is asked for its QR.
    a_lost_reply_still_gives_the_customer_link("ORANGE_SN_API_CASH_OUT", "772457194").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn callback_before_the_reply_with_hmac_and_repeats_change_nothing() {
    let sb = SandboxConfig {
        hmac_secret: Some("hm".into()),
        ..sandbox_config()
    };
    let plan = PollPlan {
        first: vec![Duration::from_secs(60)],
        ..fast_plan()
    };
    let s = setup_with(sb, plan, Duration::from_secs(10), true, Some("hm")).await;
    // …98: the sandbox delivers the final callback before answering the operation.
    let outcome = s
        .engine
        .pay(order("WAVE_SN_API_CASH_IN", "772450098", 1000))
        .await
        .unwrap();
    let ext = outcome.row.external_id.clone();
    // HMAC on: the callback is trusted; the late reply (PENDING) does not move it back.
    let row = wait_status(&s.engine, &ext, TxStatus::Success, Duration::from_secs(5)).await;
    assert!(row.gateway_tx_id.is_some());
    // The callback made it SUCCESS first; the reply that came after left it there.
    let path = history(&s.engine, &ext).await;
    assert!(
        !path.is_empty() && path.iter().all(|p| p == "SUCCESS"),
        "{path:?}"
    );
    assert_eq!(
        s.engine.get(&ext).await.unwrap().unwrap().status,
        TxStatus::Success
    );

    // The same callback again (a retry): acknowledged, recorded, nothing changes.
    let body = json!({
        "msg": "ok", "status": "FAILLED",
        "sha256Hash": signing::callback_hash(row.gateway_tx_id.as_deref().unwrap(), &ext, KEY),
        "transaction": {"transactionId": row.gateway_tx_id, "externalTransactionId": ext, "amount": 1000}
    })
    .to_string();
    let ts = signing::now_ms().to_string();
    let sig = signing::hmac_signature("hm", "POST", &ts, body.as_bytes());
    let http = caisse::http::client_builder().build().unwrap();
    let resp = http
        .post(s.callback.clone().unwrap())
        .header("hmac-signature", &sig)
        .header("timestamp", &ts)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        s.engine.get(&ext).await.unwrap().unwrap().status,
        TxStatus::Success
    );
    let id = ext.clone();
    let kinds: Vec<String> = s
        .engine
        .journal(move |j| j.events(&id))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    // The repeat is counted apart, not added to the sale's history.
    assert!(
        !kinds.iter().any(|k| k.starts_with("callback_r")),
        "{kinds:?}"
    );
    let counts = s.engine.journal(|j| j.rejection_counts()).await.unwrap();
    assert!(
        counts.iter().any(|c| c.kind == "repeat" && c.count >= 1),
        "{counts:?}"
    );

    // Forged: wrong HMAC, stale timestamp, no headers: 401, recorded, nothing changes.
    let stale = (signing::now_ms() - 6 * 60 * 1000).to_string();
    let stale_sig = signing::hmac_signature("hm", "POST", &stale, body.as_bytes());
    for (sig, ts) in [("00".repeat(32), ts.clone()), (stale_sig, stale)] {
        let resp = http
            .post(s.callback.clone().unwrap())
            .header("hmac-signature", sig)
            .header("timestamp", ts)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
    }
    let resp = http
        .post(s.callback.clone().unwrap())
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let rejected = s.engine.journal(|j| j.rejection_samples()).await.unwrap();
    let hmac: Vec<_> = rejected.iter().filter(|r| r.kind == "hmac").collect();
    assert_eq!(hmac.len(), 3, "{rejected:?}");
    assert!(
        hmac.iter()
            .any(|r| r.detail["reason"].as_str().unwrap().contains("ancien")),
        "{rejected:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_unknown_malformed_and_oversized_callbacks_are_recorded() {
    let s = setup_with(
        sandbox_config(),
        fast_plan(),
        Duration::from_secs(10),
        true,
        None,
    )
    .await;
    let outcome = s
        .engine
        .pay(order("WAVE_SN_API_CASH_OUT", "772457100", 1500))
        .await
        .unwrap();
    let ext = outcome.row.external_id.clone();
    let tx = outcome.row.gateway_tx_id.clone().unwrap();
    let url = s.callback.clone().unwrap();
    let http = caisse::http::client_builder().build().unwrap();
    let post = |body: String| http.post(url.clone()).body(body).send();

    // Wrong hash, claiming success for a payment the customer never approved.
    let forged = json!({"status": "SUCCESS", "sha256Hash": "ab".repeat(32),
        "transaction": {"transactionId": tx, "externalTransactionId": ext}})
    .to_string();
    assert_eq!(post(forged).await.unwrap().status(), 401);
    // The right hash but the status changed (a replay): not believed without a status query.
    let replay = json!({"status": "SUCCESS", "sha256Hash": signing::callback_hash(&tx, &ext, KEY),
        "transaction": {"transactionId": tx, "externalTransactionId": ext}})
    .to_string();
    let queried = |r: &Value| r["statusCalls"].as_u64().unwrap_or(0);
    let before = queried(&record(&s.sandbox, &ext).await);
    assert_eq!(post(replay).await.unwrap().status(), 200);
    // The engine asks the gateway (a status call the sandbox counts), which says PENDING:
    // the row stays so.
    wait::until_async(
        "a status query after the replay",
        Duration::from_secs(10),
        || async { (queried(&record(&s.sandbox, &ext).await) > before).then_some(()) },
    )
    .await;
    wait::stays_async(
        "PENDING, as the status query said",
        Duration::from_millis(300),
        || async { s.engine.get(&ext).await.unwrap().unwrap().status == TxStatus::Pending },
    )
    .await;
    // Unknown transaction: kept and flagged, acknowledged.
    let unknown = json!({"status": "SUCCESS", "sha256Hash": signing::callback_hash("999", "not-ours", KEY),
        "transaction": {"transactionId": "999", "externalTransactionId": "not-ours", "amount": 5000}}).to_string();
    assert_eq!(post(unknown).await.unwrap().status(), 200);
    assert_eq!(post("{not json".into()).await.unwrap().status(), 400);
    assert_eq!(
        post(format!("{{\"pad\":\"{}\"}}", "x".repeat(100_000)))
            .await
            .unwrap()
            .status(),
        413
    );

    let rejected = s.engine.journal(|j| j.rejection_samples()).await.unwrap();
    let kinds: Vec<&str> = rejected.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["too_large", "malformed", "hash"], "{rejected:?}");
    assert!(
        rejected[2].detail["reason"]
            .as_str()
            .unwrap()
            .contains("sha256Hash")
    );
    assert!(
        rejected[1].detail["reason"]
            .as_str()
            .unwrap()
            .contains("illisible")
    );
    let unknowns = s
        .engine
        .journal(|j| j.events_of_kind("callback_unknown", 10))
        .await
        .unwrap();
    assert_eq!(unknowns[0].external_id.as_deref(), Some("not-ours"));
    assert_eq!(unknowns[0].detail["amount"], 5000);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_intram_payment_through_the_same_engine() {
    let s = setup().await;
    let order = PayOrder {
        gateway: caisse::domain::GatewayKind::Intram,
        service: "INTRAM".into(),
        phone: None,
        amount: Some(2500),
        fields: BTreeMap::new(),
        description: Some("Vente".into()),
    };
    let outcome = s.engine.pay(order).await.unwrap();
    assert_eq!(outcome.row.status, TxStatus::Pending);
    let tx = outcome.row.gateway_tx_id.clone().unwrap();
    assert!(outcome.row.customer_url.as_deref().unwrap().contains(&tx));
    approve(&s.sandbox, &tx).await;
    wait_status(
        &s.engine,
        &outcome.row.external_id,
        TxStatus::Success,
        Duration::from_secs(10),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn polling_stays_within_three_calls_a_minute_per_transaction() {
    // A plan that wants far more than the budget: the journal's ledger holds it back.
    let greedy = PollPlan {
        first: vec![],
        every: Duration::from_millis(100),
        ..fast_plan()
    };
    let s = setup_with(
        sandbox_config(),
        greedy,
        Duration::from_secs(10),
        false,
        None,
    )
    .await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        // …95: the operator never answers, so the transactions stay pending throughout.
        ids.push(
            s.engine
                .pay(order("WAVE_SN_API_CASH_IN", "772450095", 1000))
                .await
                .unwrap()
                .row
                .external_id,
        );
    }
    // Each gets the three status calls the budget allows (the plan wanted one every 100 ms),
    // and no fourth.
    let calls = |r: Value| r["statusCalls"].as_u64().unwrap_or(0);
    for ext in &ids {
        wait::until_async("three status calls", Duration::from_secs(10), || async {
            (calls(record(&s.sandbox, ext).await) >= 3).then_some(())
        })
        .await;
    }
    wait::stays_async(
        "three status calls each",
        Duration::from_millis(500),
        || async {
            let mut all = true;
            for ext in &ids {
                all &= calls(record(&s.sandbox, ext).await) == 3;
            }
            all
        },
    )
    .await;
    for ext in &ids {
        let status = s.engine.get(ext).await.unwrap().unwrap().status;
        assert!(
            matches!(status, TxStatus::Pending | TxStatus::Processing),
            "{status}"
        );
    }
    // Not blacklisted: the gateway still answers.
    assert!(s.engine.refresh(&ids[0]).await.is_ok());
    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{}/api-services/balance", s.sandbox.url()))
        .header("Secretkey", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn another_process_writing_the_journal_is_noticed() {
    let s = setup().await;
    // A second engine on the same file, as another process would have.
    let other = Engine::new(
        Journal::open(&s.dir.path().join("journal.db")).unwrap(),
        Gateways::default(),
        EngineConfig::default(),
        system_clock(),
    );
    let watcher = tokio::spawn(other.clone().run_watcher(s.dir.path().join("journal.db")));
    let mut events = other.subscribe();
    tokio::time::sleep(Duration::from_millis(300)).await; // the watcher has its baseline
    s.engine
        .pay(order("ORANGE_SN_API_CASH_IN", "772450000", 1000))
        .await
        .unwrap();
    let seen = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Ok(caisse::engine::EngineEvent::JournalChanged) = events.recv().await {
                break;
            }
        }
    })
    .await;
    assert!(seen.is_ok(), "the other engine never noticed");
    watcher.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_stops_the_sale_before_anything_is_sent() {
    let s = setup().await;
    let first = s
        .engine
        .pay(order("ORANGE_SN_API_CASH_IN", "772450000", 1000))
        .await
        .unwrap();
    // Fill the journal to its (test) limit.
    let pages: i64 = s
        .engine
        .journal(|j| j.integrity_check().map(|_| 0))
        .await
        .unwrap();
    assert_eq!(pages, 0);
    let filled = s
        .engine
        .journal(|j| {
            // Below the current size SQLite keeps the current size: the file can no longer grow.
            j.limit_pages_for_tests(1)?;
            // Fill with ever smaller events until not even a small row fits.
            let mut last = "never full".to_owned();
            for size in [4000, 1000, 200, 40, 1] {
                let pad = json!({"pad": "x".repeat(size)});
                for i in 0..10_000 {
                    if let Err(e) = j.record_event(None, "filler", &pad, i) {
                        last = e.to_string();
                        break;
                    }
                }
            }
            Ok(last)
        })
        .await
        .unwrap();
    assert!(filled.contains("disque plein"), "{filled}");
    let before: Value = reqwest::get(format!("{}/sandbox/transactions", s.sandbox.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let err = s
        .engine
        .pay(order("ORANGE_SN_API_CASH_IN", "772450000", 1000))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("disque plein"), "{err}");
    let after: Value = reqwest::get(format!("{}/sandbox/transactions", s.sandbox.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        before.as_array().unwrap().len(),
        after.as_array().unwrap().len(),
        "nothing was sent"
    );
    // The journal is whole, and the first sale is still there.
    assert_eq!(
        s.engine.journal(|j| j.integrity_check()).await.unwrap(),
        "ok"
    );
    let ext = first.row.external_id.clone();
    assert!(s.engine.get(&ext).await.unwrap().is_some());
}

/// Issue 12 (8): the fresh balance a deposit is checked against must not hold the sale when
/// the gateway is slow to give it: past a few seconds, the check is the gateway's own.
#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_slow_to_give_its_balance_does_not_hold_a_deposit() {
    use support::scripted::{Script, ScriptedServer, fixture};
    let server = ScriptedServer::start().await;
    server.reply_json_for("balance", 200, fixture("intech/05_balance_response.json"));
    server.reply_json_for(
        "operation",
        200,
        fixture("intech/11_operation_response_success.json"),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut intech = IntechConfig::new(server.url.clone(), Secret::new(KEY));
    // Far longer than the test's deadline: only the engine's own limit can end the wait.
    intech.timeout = Duration::from_secs(3_600);
    let engine = Engine::new(
        Journal::open(&dir.path().join("journal.db")).unwrap(),
        Gateways {
            intech: Some(Arc::new(IntechClient::new(intech).unwrap())),
            intram: None,
        },
        EngineConfig::default(),
        system_clock(),
    );
    assert_eq!(engine.balance().await.unwrap(), 9938.0);
    server.reply_for(
        "balance",
        Script {
            status: 200,
            content_type: "application/json",
            body: fixture("intech/05_balance_response.json"),
            delay: Duration::from_secs(3_600),
        },
    );
    let sent = tokio::time::timeout(
        Duration::from_secs(60),
        engine.pay(order("WAVE_SN_API_CASH_IN", "772450000", 1000)),
    )
    .await
    .expect("the deposit is not held by the balance")
    .unwrap();
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/operation")),
        "the deposit was sent"
    );
    assert_eq!(sent.row.amount, Some(1000));
}

/// Issue 12 (3): the same sale asked at once from two counters (two ids): the check and the
/// record are one transaction, so exactly one goes and the other is refused as a repeat.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_sale_from_two_counters_at_once_goes_once() {
    let s = setup().await;
    let actor = s.engine.default_actor();
    let attempt = |n: u32| {
        let engine = s.engine.clone();
        let actor = actor.clone();
        tokio::spawn(async move {
            engine
                .pay_checked(
                    order("WAVE_SN_API_CASH_OUT", "772450000", 1000),
                    &actor,
                    Some(format!("01a2b3c4-0000-7000-8000-00000000000{n}")),
                    caisse::engine::Repeat::Refuse,
                )
                .await
        })
    };
    let (a, b) = (attempt(1), attempt(2));
    let results = [a.await.unwrap(), b.await.unwrap()];
    let sent = results.iter().filter(|r| r.is_ok()).count();
    let refused = results
        .iter()
        .filter(|r| {
            matches!(
                r,
                Err(caisse::engine::EngineError::Refused(
                    caisse::domain::Refusal::Duplicate { .. }
                ))
            )
        })
        .count();
    assert_eq!((sent, refused), (1, 1), "{results:?}");
    let rows = s.engine.journal(|j| j.list_since(0, 10)).await.unwrap();
    assert_eq!(rows.len(), 1, "one row, one send");
}

/// Issue 13: a cash-out the customer makes to pay for goods (« paiement ») hands out no
/// cash: journaled with its use, it leaves the drawer's expected cash as it was and counts
/// as goods; the balance is credited as for a withdrawal. The gateway accepts the sale (the
/// use is the shop's own, never sent).
#[tokio::test(flavor = "multi_thread")]
async fn a_cash_out_paying_for_goods_leaves_the_drawer_s_expected_cash_unchanged() {
    use caisse::domain::drawer::CashOutUse;
    let s = setup().await;
    let opened = s.engine.now();
    s.engine
        .journal(move |j| j.open_drawer("test", "t1", 20_000, Some(250_000), opened))
        .await
        .unwrap()
        .unwrap();
    let mut goods = order("WAVE_SN_API_CASH_OUT", "772457188", 1500);
    goods
        .fields
        .insert(CashOutUse::FIELD.into(), CashOutUse::Goods.as_str().into());
    let row = s.engine.pay(goods).await.unwrap().row;
    assert_eq!(row.fields[CashOutUse::FIELD], "paiement");
    wait_status(
        &s.engine,
        &row.external_id,
        TxStatus::Success,
        Duration::from_secs(10),
    )
    .await;
    let state = s
        .engine
        .journal(move |j| j.drawer_status("test", i64::MAX / 2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.expected_cash(), 20_000, "no cash handed out");
    assert_eq!(state.totals.goods, 1500);
    assert_eq!(state.totals.cash_out, 0);
    assert!(state.expected_balance().unwrap() >= 251_500);
}
