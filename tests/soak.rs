//! Rate-limit soak: 500 transactions pending at once, polled until each had 5 status calls
//! (about 20 accelerated minutes)
//! (the sandbox's 3-calls-a-minute window and the engine's budget both shrunk 60 times).
//! The sandbox must never blacklist, and every transaction must keep being polled.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use caisse::domain::TxStatus;
use caisse::engine::{Engine, EngineConfig, Gateways, PayOrder, PollPlan, system_clock};
use caisse::gateway::intech::{IntechClient, IntechConfig};
use caisse::journal::Journal;
use caisse::sandbox::{self, SandboxConfig};
use caisse::secret::Secret;
use serde_json::Value;

mod support;
use support::wait;

const KEY: &str = "soak-key";
/// One accelerated minute.
const MINUTE: Duration = Duration::from_secs(1);

#[tokio::test(flavor = "multi_thread")]
async fn five_hundred_pending_transactions_never_get_the_ip_blacklisted() {
    let sandbox = sandbox::spawn(
        SandboxConfig {
            api_key: KEY.into(),
            processing_delay: Duration::from_millis(20),
            settle_delay: Duration::from_millis(20),
            status_window: MINUTE,
            payment_timeout: Duration::from_secs(3600),
            ..SandboxConfig::default()
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plan = PollPlan {
        first: vec![
            Duration::from_millis(83),
            Duration::from_millis(416),
            Duration::from_millis(750),
        ],
        // Greedier than the budget allows (10 a second against 3): the ledger decides.
        every: Duration::from_millis(100),
        window: Duration::from_secs(15),
        slow: Duration::from_secs(5),
        per_transaction: 3,
        budget_window: MINUTE,
        per_second: 600,
        ..PollPlan::default()
    };
    let gateways = Gateways {
        intech: Some(Arc::new(
            IntechClient::new(IntechConfig::new(sandbox.url(), Secret::new(KEY))).unwrap(),
        )),
        intram: None,
    };
    let config = EngineConfig {
        plan,
        ..EngineConfig::default()
    };
    let engine = Engine::new(
        Journal::open(&dir.path().join("j.db")).unwrap(),
        gateways,
        config,
        system_clock(),
    );

    // 500 deposits whose operator never answers (…95): all pending together.
    let mut ids = Vec::new();
    for chunk in 0..10 {
        let mut batch = Vec::new();
        for _ in 0..50 {
            let engine = engine.clone();
            batch.push(tokio::spawn(async move {
                let order = PayOrder {
                    gateway: caisse::domain::GatewayKind::Intech,
                    service: "WAVE_SN_API_CASH_IN".into(),
                    phone: Some("772450095".into()),
                    amount: Some(100),
                    fields: BTreeMap::new(),
                    description: None,
                };
                engine.pay(order).await.unwrap().row
            }));
        }
        for b in batch {
            let row = b.await.unwrap();
            assert!(
                matches!(row.status, TxStatus::Pending),
                "batch {chunk}: {}",
                row.status
            );
            ids.push(row.external_id);
        }
    }
    let poller = tokio::spawn(engine.clone().run_poller());
    let started = std::time::Instant::now();
    // Every transaction keeps being polled: each reaches 5 status calls (about 20
    // accelerated minutes on an idle machine; the deadline leaves room for a loaded one).
    let http = reqwest::Client::new();
    let calls = wait::until_async("5 status calls each", Duration::from_secs(180), || async {
        let all: Value = http
            .get(format!("{}/sandbox/transactions", sandbox.url()))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let calls: Vec<u64> = all
            .as_array()?
            .iter()
            .map(|r| r["statusCalls"].as_u64().unwrap_or(0))
            .collect();
        (calls.len() == 500 && calls.iter().all(|&c| c >= 5)).then_some(calls)
    })
    .await;
    let minutes = started.elapsed().as_secs() / MINUTE.as_secs() + 1;
    poller.abort();

    let (min, max) = (calls.iter().min().unwrap(), calls.iter().max().unwrap());
    eprintln!(
        "status calls per transaction over {minutes} accelerated minutes: min {min}, max {max}"
    );
    assert!(
        *max <= 3 * minutes,
        "never more than 3 per accelerated minute (max {max} in {minutes})"
    );
    // Never blacklisted: no poll saw a 403, and the gateway still answers.
    let errors = engine
        .journal(|j| j.events_of_kind("poll_error", 10_000))
        .await
        .unwrap();
    let blacklisted = errors
        .iter()
        .filter(|e| e.detail["blacklisted"] == true)
        .count();
    assert_eq!(blacklisted, 0, "{:?}", errors.first());
    let resp = reqwest::Client::new()
        .get(format!("{}/api-services/balance", sandbox.url()))
        .header("Secretkey", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    sandbox.shutdown().await;
}
