//! Engine figures, printed (medians; the machine is shared):
//! 1. durable journal commits per second against a bare rusqlite insert-and-commit loop with
//!    the same pragmas (WAL, synchronous=FULL, BEGIN IMMEDIATE), and the ratio;
//! 2. `pay` to PENDING latency against the sandbox over loopback;
//! 3. CPU used by the scheduler with 1,000 pending transactions (the sandbox in another
//!    process, so only the engine is measured).
//!
//! Run: `cargo bench --bench engine`

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use caisse::domain::TxStatus;
use caisse::domain::lifecycle::Write;
use caisse::engine::{Engine, EngineConfig, Gateways, PayOrder, PollPlan, system_clock};
use caisse::gateway::intech::{IntechClient, IntechConfig};
use caisse::journal::{Journal, NewTransaction};
use caisse::sandbox::{self, SandboxConfig};
use caisse::secret::Secret;
use serde_json::json;

const KEY: &str = "bench-key";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn bare_commits(dir: &std::path::Path, n: usize) -> f64 {
    let path = dir.join(format!("bare-{}.db", uuid::Uuid::now_v7()));
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))
        .unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch("CREATE TABLE t (id TEXT PRIMARY KEY, amount INTEGER, at INTEGER)")
        .unwrap();
    let started = Instant::now();
    for i in 0..n {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        tx.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3)",
            rusqlite::params![uuid::Uuid::now_v7().to_string(), 1000, i as i64],
        )
        .unwrap();
        tx.commit().unwrap();
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn journal_commits(dir: &std::path::Path, n: usize) -> f64 {
    let mut j = Journal::open(&dir.join(format!("j-{}.db", uuid::Uuid::now_v7()))).unwrap();
    let started = Instant::now();
    for i in 0..n {
        let id = uuid::Uuid::now_v7().to_string();
        let intent = NewTransaction {
            external_id: id.clone(),
            gateway: caisse::domain::GatewayKind::Intech,
            service: "WAVE_SN_API_CASH_IN".into(),
            phone: Some("772450000".into()),
            amount: Some(1000),
            fields: json!({"sender": "Bench"}),
            cashier: "bench".into(),
            terminal: "bench".into(),
        };
        // Two durable commits per sale: the intent, then the reply.
        j.insert_intent(&intent, "bench", i as i64 + 90_000, i as i64)
            .unwrap();
        let change = Write {
            status: Some(TxStatus::Pending),
            gateway_tx_id: Some(format!("{i}")),
            release_lease: true,
            ..Write::default()
        };
        j.apply(&id, &change, "reply", &json!({}), i as i64)
            .unwrap();
    }
    (2 * n) as f64 / started.elapsed().as_secs_f64()
}

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn order(phone: &str) -> PayOrder {
    PayOrder {
        gateway: caisse::domain::GatewayKind::Intech,
        service: "WAVE_SN_API_CASH_IN".into(),
        phone: Some(phone.into()),
        amount: Some(100),
        fields: BTreeMap::new(),
        description: None,
    }
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    println!(
        "== 1. durable journal commits (WAL, synchronous=FULL, BEGIN IMMEDIATE), 5 rounds of 300"
    );
    let bare = median((0..5).map(|_| bare_commits(dir.path(), 300)).collect());
    let ours = median((0..5).map(|_| journal_commits(dir.path(), 150)).collect());
    println!("  bare rusqlite insert+commit  median {bare:>8.0} commits/s");
    println!("  journal (row + event)        median {ours:>8.0} commits/s");
    println!("  ratio journal / bare         {:.2}", ours / bare);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!("== 2. pay -> PENDING latency (validate, intent, HTTP, reply recorded), 200 sales");
        let sb = sandbox::spawn(SandboxConfig { api_key: KEY.into(), ..SandboxConfig::default() }, SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
        let gateways = Gateways { intech: Some(Arc::new(IntechClient::new(IntechConfig::new(sb.url(), Secret::new(KEY))).unwrap())), intram: None };
        let engine = Engine::new(Journal::open(&dir.path().join("pay.db")).unwrap(), gateways, EngineConfig::default(), system_clock());
        let mut lat = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            let out = engine.pay(order("772450000")).await.unwrap();
            assert_eq!(out.row.status, TxStatus::Pending);
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let mut sorted = lat.clone();
        sorted.sort_by(f64::total_cmp);
        println!("  median {:.2} ms, p90 {:.2} ms, max {:.2} ms", median(lat), sorted[sorted.len() * 9 / 10], sorted[sorted.len() - 1]);
        sb.shutdown().await;

        println!("== 3. scheduler CPU with 1,000 pending transactions (default plan, sandbox in another process)");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // 1,000 identical sales on purpose: the sandbox's one-minute duplicate rule is off.
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_caisse"))
            .args(["sandbox", "--listen", &format!("127.0.0.1:{port}"), "--api-key", KEY, "--payment-timeout-secs", "36000", "--duplicate-window-secs", "0"])
            .env("CAISSE_LOG", "error")
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if reqwest::get(format!("{url}/api-services/services")).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let gateways = Gateways { intech: Some(Arc::new(IntechClient::new(IntechConfig::new(&url, Secret::new(KEY))).unwrap())), intram: None };
        let config = EngineConfig { plan: PollPlan::default(), ..EngineConfig::default() };
        let engine = Engine::new(Journal::open(&dir.path().join("sched.db")).unwrap(), gateways, config, system_clock());
        for _ in 0..1000 {
            // …95: the operator never answers; they all stay pending.
            engine.pay(order("772450095")).await.unwrap();
        }
        let secs = 60;
        let cpu0 = cpu_seconds();
        let t0 = Instant::now();
        let poller = tokio::spawn(engine.clone().run_poller());
        tokio::time::sleep(Duration::from_secs(secs)).await;
        poller.abort();
        let cpu = cpu_seconds() - cpu0;
        let wall = t0.elapsed().as_secs_f64();
        let polls = engine.journal(|j| j.events_of_kind("poll", 100_000)).await.unwrap().len();
        println!("  {secs} s: {polls} status polls ({:.1}/s, global cap {}/s), engine CPU {:.2} s = {:.1} % of one core", polls as f64 / wall, PollPlan::default().per_second, cpu, 100.0 * cpu / wall);
        let _ = child.kill();
        let _ = child.wait();
    });
}
