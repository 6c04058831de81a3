//! Rate-limit soak: 500 transactions pending at once, polled for ~20 accelerated minutes
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
    tokio::time::sleep(Duration::from_secs(20)).await;
    poller.abort();

    let all: Value = reqwest::get(format!("{}/sandbox/transactions", sandbox.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let records = all.as_array().unwrap();
    assert_eq!(records.len(), 500);
    let calls: Vec<u64> = records
        .iter()
        .map(|r| r["statusCalls"].as_u64().unwrap())
        .collect();
    let (min, max) = (calls.iter().min().unwrap(), calls.iter().max().unwrap());
    eprintln!("status calls per transaction over ~20 accelerated minutes: min {min}, max {max}");
    assert!(*min >= 5, "every transaction kept being polled (min {min})");
    assert!(
        *max <= 3 * 21,
        "never more than 3 per accelerated minute (max {max})"
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
