//! Refunds are operations like payments: an intent journaled before the request leaves,
//! UNKNOWN when the answer is lost, settled by the refunded sale's status (Intech sends no
//! callback for a refund) or by `reconcile`, never sent twice. The engine over real HTTP
//! against the sandbox, through a proxy that can lose the refund's answer, and the real
//! binary's `caisse refund`.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use caisse::domain::{OpKind, Outcome, TxStatus};
use caisse::engine::{Engine, EngineConfig, EngineError, Gateways, PayOrder, PollPlan};
use caisse::gateway::intech::{IntechClient, IntechConfig};
use caisse::journal::Journal;
use caisse::sandbox::{self, SandboxConfig, SandboxHandle};
use caisse::secret::Secret;
use serde_json::Value;

const KEY: &str = "refund-test-key";

fn sandbox_config() -> SandboxConfig {
    SandboxConfig {
        api_key: KEY.into(),
        processing_delay: Duration::from_millis(30),
        settle_delay: Duration::from_millis(30),
        auto_approve_delay: Duration::from_millis(100),
        callback_retry: Duration::from_millis(200),
        // The same short window as the engine's budget below (the sandbox blacklists an
        // address that asks more than 3 times in it, as Intech does).
        status_window: Duration::from_millis(1000),
        ..SandboxConfig::default()
    }
}

/// A forwarding proxy in front of the sandbox. While `lose` is set, it forwards
/// `refund-cancel` to the sandbox (the refund happens) and then never answers: the client
/// times out, as when a 3G link drops at the wrong moment.
async fn proxy(upstream: String, lose: Arc<AtomicBool>) -> String {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, Method, StatusCode, Uri};
    let http = reqwest::Client::new();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let (http, upstream, lose) = (http.clone(), upstream.clone(), lose.clone());
            async move {
                let url = format!("{upstream}{}", uri.path());
                let mut request = http.request(method, url).body(body);
                for (name, value) in &headers {
                    if name != "host" && name != "content-length" {
                        request = request.header(name, value);
                    }
                }
                let reply = request.send().await.expect("sandbox reachable");
                let status = StatusCode::from_u16(reply.status().as_u16()).unwrap();
                let bytes = reply.bytes().await.unwrap();
                if uri.path().ends_with("refund-cancel") && lose.load(Ordering::SeqCst) {
                    std::future::pending::<()>().await;
                }
                (status, bytes)
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

struct Setup {
    sandbox: SandboxHandle,
    engine: Arc<Engine>,
    lose: Arc<AtomicBool>,
    _dir: tempfile::TempDir,
    poller: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Setup {
    fn drop(&mut self) {
        if let Some(p) = &self.poller {
            p.abort();
        }
    }
}

/// The engine behind the proxy; with `poll`, its poller follows every row in the
/// background (as the app does), otherwise only `reconcile` asks.
async fn setup(poll: bool) -> Setup {
    let sandbox = sandbox::spawn(sandbox_config(), SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let lose = Arc::new(AtomicBool::new(false));
    let url = proxy(sandbox.url(), lose.clone()).await;
    let mut intech = IntechConfig::new(url, Secret::new(KEY));
    intech.timeout = Duration::from_secs(2);
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
            // Intech's 3 calls per window on one transaction (a refund asks about its
            // sale, which was asked about while it was paid), on a window a test can wait.
            budget_window: Duration::from_millis(1000),
            ..PollPlan::default()
        },
        send_timeout: Duration::from_secs(2),
        cashier: "chef".into(),
        ..EngineConfig::default()
    };
    let journal = Journal::open(&dir.path().join("journal.db")).unwrap();
    let engine = Engine::new(journal, gateways, config, caisse::engine::system_clock());
    let poller = poll.then(|| tokio::spawn(engine.clone().run_poller()));
    Setup {
        sandbox,
        engine,
        lose,
        _dir: dir,
        poller,
    }
}

/// A Wave cash-out the customer approves on their own (…88), paid.
async fn paid_sale(s: &Setup) -> String {
    let order = PayOrder {
        gateway: caisse::domain::GatewayKind::Intech,
        service: "WAVE_SN_API_CASH_OUT".into(),
        phone: Some("772457188".into()),
        amount: Some(1500),
        fields: Default::default(),
        description: None,
    };
    let id = s.engine.pay(order).await.unwrap().row.external_id;
    settle(s, &id).await;
    id
}

/// Waits until `id` is SUCCESS, asking through `reconcile` when no poller runs.
async fn settle(s: &Setup, id: &str) {
    if s.poller.is_none() {
        s.engine.reconcile(Duration::from_secs(20)).await.unwrap();
    }
    wait_for(&s.engine, id, TxStatus::Success).await;
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

/// The sandbox's own record of the sale: how many refund requests reached it.
async fn refund_attempts(sb: &SandboxHandle, id: &str) -> u64 {
    let url = format!(
        "{}/sandbox/transactions?externalTransactionId={id}",
        sb.url()
    );
    let list: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    list[0]["refundAttempts"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refund_whose_answer_is_lost_is_unknown_then_reconcile_finds_it_done_sent_once() {
    let s = setup(false).await;
    let sale = paid_sale(&s).await;
    s.lose.store(true, Ordering::SeqCst);
    let done = s
        .engine
        .refund(&sale, &s.engine.default_actor(), None)
        .await;
    let done = done.unwrap();
    assert_eq!(done.row.kind, OpKind::Refund);
    assert_eq!(done.row.parent_id.as_deref(), Some(sale.as_str()));
    assert_eq!(done.row.status, TxStatus::Unknown, "{done:?}");
    assert!(
        matches!(done.outcome, Outcome::Unknown { .. }),
        "{:?}",
        done.outcome
    );
    let history: Vec<String> = s
        .engine
        .journal({
            let id = done.row.external_id.clone();
            move |j| j.events(&id)
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        history[0], "intent",
        "journaled before the send: {history:?}"
    );
    // The sale is not yet shown refunded; a second refund is not sent while it is unknown.
    assert_eq!(
        s.engine.get(&sale).await.unwrap().unwrap().status,
        TxStatus::Success
    );
    let again = s
        .engine
        .refund(&sale, &s.engine.default_actor(), None)
        .await;
    assert!(
        matches!(&again, Err(EngineError::Refused(m)) if m.to_string().contains("déjà en cours")),
        "{again:?}"
    );
    s.lose.store(false, Ordering::SeqCst);
    let summary = s.engine.reconcile(Duration::from_secs(15)).await.unwrap();
    assert!(
        summary
            .settled
            .contains(&(done.row.external_id.clone(), "SUCCESS".into())),
        "{summary:?}"
    );
    assert_eq!(
        s.engine.get(&sale).await.unwrap().unwrap().status,
        TxStatus::Refunded
    );
    assert_eq!(refund_attempts(&s.sandbox, &sale).await, 1, "sent once");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_refunds_of_one_sale_at_once_send_one() {
    let s = setup(true).await;
    let sale = paid_sale(&s).await;
    let actor = s.engine.default_actor();
    let (a, b) = tokio::join!(
        s.engine.refund(&sale, &actor, None),
        s.engine.refund(&sale, &actor, None)
    );
    let done = [&a, &b]
        .iter()
        .filter(|r| matches!(r, Ok(d) if d.row.status == TxStatus::Success))
        .count();
    assert_eq!(done, 1, "{a:?} {b:?}");
    assert!(
        [&a, &b]
            .iter()
            .any(|r| matches!(r, Err(EngineError::Refused(_)))),
        "{a:?} {b:?}"
    );
    assert_eq!(
        s.engine.get(&sale).await.unwrap().unwrap().status,
        TxStatus::Refunded
    );
    assert_eq!(refund_attempts(&s.sandbox, &sale).await, 1);
    // Once refunded, never again.
    let late = s.engine.refund(&sale, &actor, None).await;
    assert!(
        matches!(&late, Err(EngineError::Refused(m)) if m.to_string().contains("déjà remboursée")),
        "{late:?}"
    );
    assert_eq!(refund_attempts(&s.sandbox, &sale).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_the_server_does_not_refund_is_refused_and_nothing_is_sent() {
    let s = setup(true).await;
    let order = PayOrder {
        gateway: caisse::domain::GatewayKind::Intech,
        service: "ORANGE_SN_API_CASH_IN".into(),
        phone: Some("772450000".into()),
        amount: Some(1000),
        fields: Default::default(),
        description: None,
    };
    let id = s.engine.pay(order).await.unwrap().row.external_id;
    settle(&s, &id).await;
    let refused = s.engine.refund(&id, &s.engine.default_actor(), None).await;
    assert!(
        matches!(refused, Err(EngineError::Refused(_))),
        "{refused:?}"
    );
    assert_eq!(refund_attempts(&s.sandbox, &id).await, 0);
    let rows = s.engine.journal(|j| j.list_since(0, 10)).await.unwrap();
    assert_eq!(rows.len(), 1, "no refund intent was written");
}

fn run(home: &Path, sb: &SandboxHandle, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caisse"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("CAISSE_INTECH_URL", sb.url())
        .env("CAISSE_INTECH_API_KEY", KEY)
        .env("CAISSE_DB", home.join("journal.db"))
        .env("CAISSE_POLL_FIRST_MS", "200,500,900")
        .env("CAISSE_POLL_EVERY_MS", "700")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn caisse_refund_exits_as_pay_does() {
    let sb = sandbox::spawn(sandbox_config(), SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    tokio::task::block_in_place(|| {
        let out = run(
            h,
            &sb,
            &[
                "pay",
                "--service",
                "WAVE_SN_API_CASH_OUT",
                "--phone",
                "772457188",
                "--amount",
                "1500",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let journal = Journal::open(&h.join("journal.db")).unwrap();
        let sale = journal.list_since(0, 1).unwrap()[0].external_id.clone();

        let out = run(h, &sb, &["refund", &sale]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(0), "{t}");
        assert!(t.contains("✓ Remboursement effectué"), "{t}");
        assert_eq!(
            journal.get(&sale).unwrap().unwrap().status,
            TxStatus::Refunded
        );
        // Again: refused, exit 1, nothing sent.
        let out = run(h, &sb, &["refund", &sale]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{t}");
        assert!(t.contains("déjà remboursée"), "{t}");
        // No such sale: bad input.
        let out = run(h, &sb, &["refund", "0192d6f2-0000-7000-8000-000000000000"]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    });
    assert_eq!(
        refund_attempts(
            &sb,
            &Journal::open(&h.join("journal.db"))
                .unwrap()
                .list_since(0, 10)
                .unwrap()
                .iter()
                .find(|r| r.kind == OpKind::Payment)
                .unwrap()
                .external_id
        )
        .await,
        1
    );
}
