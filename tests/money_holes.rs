//! The holes an outside attack found in the money core, one scenario per test, each against
//! real HTTP and a real SQLite file (and the real binary where a script would use it):
//! what is sent is only what the journal records; rows nobody can settle are surfaced; no
//! secret in anything a gateway says; forgeries do not grow the journal; the journal is
//! private whoever creates it; a sale found paid keeps no error of its lost reply.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use caisse::domain::{Outcome, TxStatus};
use caisse::engine::{Engine, EngineConfig, Gateways, PayOrder, PollPlan, serve_callbacks};
use caisse::gateway::intech::signing;
use caisse::gateway::intech::{IntechClient, IntechConfig};
use caisse::journal::{Journal, NewTransaction, SAMPLES_KEPT};
use caisse::sandbox::{self, SandboxConfig, SandboxHandle};
use caisse::secret::Secret;
use caisse::session::{Link, LinkEvent, Request, Response};
use serde_json::{Value, json};

mod support;
use support::service;

const KEY: &str = "holes-test-key-7f3a9c";

async fn sandbox() -> SandboxHandle {
    let config = SandboxConfig {
        api_key: KEY.into(),
        processing_delay: Duration::from_millis(30),
        settle_delay: Duration::from_millis(30),
        auto_approve_delay: Duration::from_millis(100),
        slow_reply: Duration::from_secs(3),
        ..SandboxConfig::default()
    };
    sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

fn run(home: &Path, url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caisse"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("CAISSE_INTECH_URL", url)
        .env("CAISSE_INTECH_API_KEY", KEY)
        .env("CAISSE_DB", home.join("journal.db"))
        .env("CAISSE_POLL_FIRST_MS", "200,500,900")
        .env("CAISSE_POLL_EVERY_MS", "700");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Everything the sandbox received, as its own records say.
async fn sandbox_records(sb: &SandboxHandle) -> Vec<Value> {
    let list: Value = reqwest::get(format!("{}/sandbox/transactions", sb.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list.as_array().cloned().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// C1. What is sent is only what the journal records.

#[tokio::test(flavor = "multi_thread")]
async fn a_field_the_service_does_not_define_is_refused_and_nothing_is_sent() {
    let sb = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    for field in [
        "externalTransactionId=0192d6f2-aaaa-7000-8000-000000000000",
        "codeService=WAVE_SN_API_CASH_OUT",
        "callbackUrl=https://evil.example/cb",
        "=x",
        "apiKey=other",
        "nimportequoi=1",
    ] {
        let out = tokio::task::block_in_place(|| {
            run(
                h,
                &sb.url(),
                &[
                    "pay",
                    "--service",
                    "WAVE_SN_API_CASH_IN",
                    "--phone",
                    "772450000",
                    "--amount",
                    "1000",
                    "--field",
                    field,
                ],
                &[],
            )
        });
        let t = text(&out);
        assert_eq!(out.status.code(), Some(2), "{field}: {t}");
        assert!(t.contains("inconnu pour ce service"), "{field}: {t}");
        assert!(t.contains("rien n'a été envoyé"), "{field}: {t}");
    }
    assert!(
        sandbox_records(&sb).await.is_empty(),
        "nothing reached the gateway"
    );
    let journal = Journal::open(&h.join("journal.db")).unwrap();
    assert!(journal.list_since(0, 10).unwrap().is_empty(), "no intent");
}

#[tokio::test(flavor = "multi_thread")]
async fn through_the_socket_a_foreign_field_is_refused_as_invalid_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let service = tokio::task::block_in_place(|| service::start(dir.path(), None));
    let link = Link::remote(service.socket.clone(), "pts/9".into());
    let mut events = link.subscribe();
    link.start("pts/9".into());
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Ok(LinkEvent::Up { .. }) = events.recv().await {
                return;
            }
        }
    })
    .await
    .unwrap();
    let logged = link
        .call(Request::Login {
            name: Some("awa".into()),
            pin: "1234".into(),
        })
        .await;
    assert!(matches!(logged, Response::LoggedIn { .. }), "{logged:?}");
    let mut fields = BTreeMap::new();
    fields.insert("codeService".to_owned(), "WAVE_SN_API_CASH_OUT".to_owned());
    let r = link
        .call(Request::Pay {
            order: PayOrder {
                gateway: caisse::domain::GatewayKind::Intech,
                service: "WAVE_SN_API_CASH_IN".into(),
                phone: Some("772450000".into()),
                amount: Some(1000),
                fields,
                description: None,
            },
            external_id: None,
            allow_duplicate: false,
        })
        .await;
    match r {
        Response::NotDone(Outcome::Failed { code, message }) => {
            assert_eq!(code.as_deref(), Some("invalid"));
            assert!(message.contains("codeService"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let journal = Journal::open(&service.db).unwrap();
    assert!(journal.list_since(0, 10).unwrap().is_empty(), "no intent");
    let records: Value = reqwest::get(format!("{}/sandbox/transactions", service.sandbox))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(records, json!([]), "nothing reached the gateway");
}

// ---------------------------------------------------------------------------------------
// C2. Rows that never settle are surfaced, never guessed.

/// A gateway that takes operations but answers every status query with an error code the
/// documentation does not list.
async fn gateway_with_unreadable_statuses() -> String {
    let app = axum::Router::new()
        .route(
            "/api-services/operation",
            axum::routing::post(|| async {
                // The reply is lost: the client times out, the row is UNKNOWN.
                tokio::time::sleep(Duration::from_secs(30)).await;
                ""
            }),
        )
        .route(
            "/api-services/get-transaction-status",
            axum::routing::post(|| async {
                (
                    axum::http::StatusCode::CREATED,
                    axum::Json(json!({"code": 4000, "error": true,
                        "msg": "Erreur interne 0x2F", "data": {"errorType":
                        {"code": "ledger_unavailable", "message": "Grand livre indisponible"}}})),
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn quick_plan(review_after: Duration) -> PollPlan {
    PollPlan {
        first: vec![Duration::from_millis(50)],
        every: Duration::from_millis(100),
        window: Duration::from_millis(300),
        slow: Duration::from_millis(100),
        review_after,
        // Intech's 3 calls per window, on a window this test can wait for.
        budget_window: Duration::from_millis(600),
        ..PollPlan::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_answered_unreadably_past_the_window_goes_under_review_with_its_reason() {
    let url = gateway_with_unreadable_statuses().await;
    let dir = tempfile::tempdir().unwrap();
    let mut intech = IntechConfig::new(url, Secret::new(KEY));
    intech.timeout = Duration::from_millis(500);
    let engine = Engine::new(
        Journal::open(&dir.path().join("journal.db")).unwrap(),
        Gateways {
            intech: Some(Arc::new(IntechClient::new(intech).unwrap())),
            intram: None,
        },
        EngineConfig {
            plan: quick_plan(Duration::from_millis(800)),
            send_timeout: Duration::from_millis(500),
            ..EngineConfig::default()
        },
        caisse::engine::system_clock(),
    );
    let order = PayOrder {
        gateway: caisse::domain::GatewayKind::Intech,
        service: "WAVE_SN_API_CASH_IN".into(),
        phone: Some("772450000".into()),
        amount: Some(1000),
        fields: Default::default(),
        description: None,
    };
    let sent = engine.pay(order).await.unwrap();
    assert_eq!(sent.row.status, TxStatus::Unknown);
    let id = sent.row.external_id;
    let summary = engine.reconcile(Duration::from_secs(5)).await.unwrap();
    assert!(summary.unknown.is_empty(), "{summary:?}");
    let (reviewed, reason) = &summary.review[0];
    assert_eq!(reviewed, &id);
    assert!(reason.contains("Grand livre indisponible"), "{reason}");
    let row = engine.get(&id).await.unwrap().unwrap();
    assert_eq!(row.status, TxStatus::Review);
    assert_eq!(row.error_code.as_deref(), Some("unreadable_status"));
    assert!(!row.status.is_final(), "still asked, never guessed");
    assert!(row.next_poll_at.is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn reconcile_names_the_rows_to_check_and_why() {
    let url = gateway_with_unreadable_statuses().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    // A crash right after the intent: the row is NEW, nothing scheduled.
    {
        let mut journal = Journal::open(&h.join("journal.db")).unwrap();
        let intent = NewTransaction {
            external_id: "0192d6f2-bbbb-7000-8000-000000000001".into(),
            gateway: caisse::domain::GatewayKind::Intech,
            service: "WAVE_SN_API_CASH_IN".into(),
            phone: Some("772450000".into()),
            amount: Some(1000),
            fields: json!({}),
            cashier: "awa".into(),
            terminal: "pts/1".into(),
        };
        journal
            .insert_intent(&intent, "99999999-dead", 0, 0)
            .unwrap();
    }
    let out = tokio::task::block_in_place(|| {
        run(
            h,
            &url,
            &["reconcile", "--wait-secs", "3"],
            &[
                ("CAISSE_REVIEW_AFTER_MS", "0"),
                ("CAISSE_POLL_SLOW_MS", "200"),
            ],
        )
    });
    let t = text(&out);
    assert_eq!(out.status.code(), Some(7), "{t}");
    assert!(
        t.contains("à vérifier  0192d6f2-bbbb-7000-8000-000000000001"),
        "{t}"
    );
    assert!(t.contains("Grand livre indisponible"), "the reason: {t}");
    assert!(t.contains("réclamation Intech"), "the next step: {t}");
}

// ---------------------------------------------------------------------------------------
// C3. No secret in anything the gateway says.

/// A gateway that quotes the API key back in every refusal, and in an HTML error page.
async fn gateway_quoting_the_key() -> String {
    let app = axum::Router::new()
        .route(
            "/api-services/operation",
            axum::routing::post(|| async {
                (
                    axum::http::StatusCode::CREATED,
                    axum::Json(json!({"code": 4000, "error": true,
                        "msg": format!("Clé {KEY} refusée"),
                        "data": {"errorType": {"code": "bad_key",
                            "message": format!("La clé {KEY} n'est pas autorisée")}}})),
                )
            }),
        )
        .route(
            "/api-services/balance",
            axum::routing::get(|| async {
                (
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    axum::response::Html(format!("<html><body>apiKey={KEY}</body></html>")),
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_quoted_back_by_the_gateway_reaches_no_output_and_no_journal() {
    let url = gateway_quoting_the_key().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (pay, balance) = tokio::task::block_in_place(|| {
        let pay = run(
            h,
            &url,
            &[
                "pay",
                "--service",
                "WAVE_SN_API_CASH_IN",
                "--phone",
                "772450000",
                "--amount",
                "1000",
            ],
            &[("CAISSE_LOG", "trace")],
        );
        let balance = run(h, &url, &["balance"], &[("CAISSE_LOG", "trace")]);
        (pay, balance)
    });
    assert_eq!(pay.status.code(), Some(1), "{}", text(&pay));
    assert!(text(&pay).contains("[REDACTED]"), "{}", text(&pay));
    assert_ne!(balance.status.code(), Some(0));
    let mut haystacks = vec![
        ("pay", text(&pay).into_bytes()),
        ("balance", text(&balance).into_bytes()),
    ];
    for entry in std::fs::read_dir(h).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            haystacks.push(("journal file", std::fs::read(&path).unwrap()));
        }
    }
    for (what, bytes) in haystacks {
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "the key reached {what}"
        );
    }
    let journal = Journal::open(&h.join("journal.db")).unwrap();
    let row = journal.list_since(0, 1).unwrap().remove(0);
    assert_eq!(row.status, TxStatus::Failed);
    assert!(
        row.error_message.as_deref().unwrap().contains("[REDACTED]"),
        "{row:?}"
    );
}

// ---------------------------------------------------------------------------------------
// C4. Forgeries do not grow the journal without bound.

#[tokio::test(flavor = "multi_thread")]
async fn hundreds_of_forged_callbacks_leave_the_sales_history_and_the_journal_bounded() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    let engine = Engine::new(
        Journal::open(&db).unwrap(),
        Gateways {
            intech: Some(Arc::new(
                IntechClient::new(IntechConfig::new(sb.url(), Secret::new(KEY))).unwrap(),
            )),
            intram: None,
        },
        EngineConfig::default(),
        caisse::engine::system_clock(),
    );
    let (addr, listener) = serve_callbacks(
        engine.clone(),
        SocketAddr::from(([127, 0, 0, 1], 0)),
        caisse::config::CallbackTimeouts::default(),
    )
    .await
    .unwrap();
    let order = PayOrder {
        gateway: caisse::domain::GatewayKind::Intech,
        service: "WAVE_SN_API_CASH_OUT".into(),
        phone: Some("772457100".into()),
        amount: Some(1500),
        fields: Default::default(),
        description: None,
    };
    let sale = engine.pay(order).await.unwrap().row;
    let history = |engine: Arc<Engine>, id: String| async move {
        engine.journal(move |j| j.events(&id)).await.unwrap().len()
    };
    let before = history(engine.clone(), sale.external_id.clone()).await;
    let http = caisse::http::client_builder().build().unwrap();
    let url = format!("http://{addr}/cb");
    let post = |body: String| http.post(&url).body(body).send();
    for i in 0..300 {
        let forged = json!({"status": "SUCCESS", "sha256Hash": format!("{i:064x}"),
            "transaction": {"transactionId": sale.gateway_tx_id, "externalTransactionId": sale.external_id}});
        assert_eq!(post(forged.to_string()).await.unwrap().status(), 401);
    }
    // A genuine callback replayed many times (its hash is right; only a status query may
    // confirm it): counted as repeats, not written into the history each time.
    let tx = sale.gateway_tx_id.clone().unwrap();
    let replay = json!({"status": "SUCCESS",
        "sha256Hash": signing::callback_hash(&tx, &sale.external_id, KEY),
        "transaction": {"transactionId": tx, "externalTransactionId": sale.external_id}});
    for _ in 0..50 {
        assert_eq!(post(replay.to_string()).await.unwrap().status(), 200);
    }
    listener.abort();
    let after = history(engine.clone(), sale.external_id.clone()).await;
    assert!(after <= before + 1, "history grew from {before} to {after}");
    let counts = engine.journal(|j| j.rejection_counts()).await.unwrap();
    let hash = counts.iter().find(|c| c.kind == "hash").unwrap();
    assert_eq!(hash.count, 300);
    assert!(counts.iter().any(|c| c.kind == "repeat" && c.count >= 49));
    let samples = engine.journal(|j| j.rejection_samples()).await.unwrap();
    assert_eq!(samples.len() as i64, SAMPLES_KEPT);
    assert_eq!(
        engine.get(&sale.external_id).await.unwrap().unwrap().status,
        TxStatus::Pending,
        "no forgery changed the status"
    );
}

// ---------------------------------------------------------------------------------------
// C8. The journal is private, and a paid sale keeps no error of a lost reply.

#[test]
fn the_journal_and_its_wal_are_created_0600_whatever_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    // The usual umask of a login shell: files come out 0644 unless created otherwise.
    let old = unsafe { libc::umask(0o022) };
    let journal = Journal::open(&db);
    unsafe { libc::umask(old) };
    let mut journal = journal.unwrap();
    journal.record_event(None, "test", &json!({}), 1).unwrap();
    for file in ["journal.db", "journal.db-wal", "journal.db-shm"] {
        let mode = std::fs::metadata(dir.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}: {mode:o}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sale_found_paid_after_a_lost_reply_keeps_no_error() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let mut intech = IntechConfig::new(sb.url(), Secret::new(KEY));
    intech.timeout = Duration::from_millis(500);
    let engine = Engine::new(
        Journal::open(&dir.path().join("journal.db")).unwrap(),
        Gateways {
            intech: Some(Arc::new(IntechClient::new(intech).unwrap())),
            intram: None,
        },
        EngineConfig {
            plan: PollPlan {
                first: vec![Duration::from_millis(200)],
                every: Duration::from_millis(400),
                ..PollPlan::default()
            },
            send_timeout: Duration::from_millis(500),
            ..EngineConfig::default()
        },
        caisse::engine::system_clock(),
    );
    // …94: the deposit happens, the reply comes after the client gave up.
    let order = PayOrder {
        gateway: caisse::domain::GatewayKind::Intech,
        service: "WAVE_SN_API_CASH_IN".into(),
        phone: Some("772450094".into()),
        amount: Some(1000),
        fields: Default::default(),
        description: None,
    };
    let sent = engine.pay(order).await.unwrap();
    assert_eq!(sent.row.status, TxStatus::Unknown);
    assert_eq!(sent.row.error_code.as_deref(), Some("timeout"));
    engine.reconcile(Duration::from_secs(15)).await.unwrap();
    let row = engine.get(&sent.row.external_id).await.unwrap().unwrap();
    assert_eq!(row.status, TxStatus::Success);
    assert_eq!(row.error_code, None, "{row:?}");
    assert_eq!(row.error_message, None, "{row:?}");
}

#[test]
fn redaction_is_applied_to_bodies_in_every_form() {
    // A quick check of the one place the clients blank secrets out (the HTTP tests above
    // go through it for real).
    let r = caisse::secret::Redactor::new([KEY]);
    let mut out = Vec::new();
    write!(out, "{{\"msg\":\"{KEY}\"}}").unwrap();
    assert_eq!(
        String::from_utf8(r.bytes(&out)).unwrap(),
        "{\"msg\":\"[REDACTED]\"}"
    );
}
