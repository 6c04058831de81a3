//! The head office's costs, printed as medians of 3 runs (the machine is shared):
//!
//! 1. what the outbox's triggers add to a sale's journal writes: 2,000 sales each written
//!    as the engine does (the intent, then the final status, one `BEGIN IMMEDIATE` each,
//!    `synchronous=FULL`), with the outbox off and on;
//! 2. turning the outbox on over an existing journal of `CAISSE_BENCH_ROWS` operations (the
//!    past queued in one transaction, at `caisse serve`'s start);
//! 3. pushing that backlog to a real PostgreSQL (a throwaway cluster on loopback, as the
//!    tests start one) by the replicator: rows per second, batches of 500.
//!
//! Run: `cargo bench --bench head_office` (`CAISSE_BENCH_ROWS=20000` by default).

#[path = "../tests/support/pg.rs"]
mod pg;

use std::path::Path;
use std::time::{Duration, Instant};

use caisse::hq::outbox::Outbox;
use caisse::hq::replicator::{Options, Replicator};
use caisse::hq::{Target, admin, schema};
use caisse::secret::Secret;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn open(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn
}

/// `n` sales, each in two transactions (the intent, then the outcome), as the engine.
fn sell(conn: &mut rusqlite::Connection, from: usize, n: usize) {
    for i in from..from + n {
        let id = format!("op-{i}");
        let t = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        t.execute(
            "INSERT INTO transactions (external_id, gateway, service, phone, amount, status, \
             cashier, created_at, updated_at) VALUES (?1, 'intech', 'WAVE_SN_API_CASH_OUT', \
             '772450000', 1500, 'PENDING', 'awa', ?2, ?2)",
            rusqlite::params![id, i as i64],
        )
        .unwrap();
        t.execute(
            "INSERT INTO events (external_id, at, kind) VALUES (?1, ?2, 'intent')",
            rusqlite::params![id, i as i64],
        )
        .unwrap();
        t.commit().unwrap();
        let t = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        t.execute(
            "UPDATE transactions SET status = 'SUCCESS', final_at = ?2, updated_at = ?2, \
             receipt_no = ?3 WHERE external_id = ?1",
            rusqlite::params![id, i as i64 + 1, i as i64 + 1],
        )
        .unwrap();
        t.execute(
            "INSERT INTO events (external_id, at, kind) VALUES (?1, ?2, 'final')",
            rusqlite::params![id, i as i64 + 1],
        )
        .unwrap();
        t.commit().unwrap();
    }
}

fn main() {
    let rows: usize = std::env::var("CAISSE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    const SALES: usize = 2_000;

    // 1. The triggers' cost on a sale.
    let mut off = Vec::new();
    let mut on = Vec::new();
    for _ in 0..3 {
        for enabled in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("journal.db");
            let mut outbox = Outbox::open(&path).unwrap();
            if enabled {
                outbox.enable("bench", 0).unwrap();
            }
            let mut conn = open(&path);
            let started = Instant::now();
            sell(&mut conn, 0, SALES);
            let per_sale = started.elapsed().as_secs_f64() * 1e6 / SALES as f64;
            if enabled {
                assert_eq!(outbox.state().unwrap().waiting as usize, SALES * 4);
                on.push(per_sale);
            } else {
                off.push(per_sale);
            }
        }
    }
    println!(
        "a sale's journal writes (2 commits, synchronous=FULL): outbox off {:.0} µs, on {:.0} µs",
        median(off),
        median(on)
    );

    // 2. Turning the outbox on over an existing journal.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    drop(Outbox::open(&path).unwrap());
    {
        let mut conn = open(&path);
        conn.pragma_update(None, "synchronous", "OFF").unwrap();
        let t = conn.transaction().unwrap();
        for i in 0..rows {
            t.execute(
                "INSERT INTO transactions (external_id, gateway, service, phone, amount, \
                 status, cashier, created_at, updated_at, final_at, receipt_no) VALUES (?1, \
                 'intech', 'WAVE_SN_API_CASH_OUT', '772450000', 1500, 'SUCCESS', 'awa', ?2, ?2, \
                 ?2, ?2)",
                rusqlite::params![format!("op-{i}"), i as i64],
            )
            .unwrap();
        }
        t.commit().unwrap();
    }
    let mut outbox = Outbox::open(&path).unwrap();
    let started = Instant::now();
    outbox.enable("bench", 0).unwrap();
    println!(
        "turning the outbox on over {rows} operations: {:.2} s",
        started.elapsed().as_secs_f64()
    );
    drop(outbox);

    // 3. Pushing that backlog to PostgreSQL.
    let cluster = pg::Cluster::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let admin_target = Target::new(&Secret::new(cluster.admin_url()), None).unwrap();
        let mut client = admin_target.connect().await.unwrap();
        schema::migrate(&admin_target, &mut client).await.unwrap();
        admin::add_shop(&admin_target, &mut client, "bench", "bench-password")
            .await
            .unwrap();
        let url = cluster.url(
            &caisse::hq::role_name("bench"),
            "bench-password",
            cluster.port,
        );
        let target = Target::new(&Secret::new(url), None).unwrap();
        let (replicator, _) =
            Replicator::new(target, "bench", path.clone(), Options::default()).unwrap();
        let started = Instant::now();
        let task = tokio::spawn(replicator.run());
        loop {
            let last: i64 = client
                .query_one("SELECT last_seq FROM hq.shops WHERE shop_id = 'bench'", &[])
                .await
                .unwrap()
                .get(0);
            if last as usize >= rows {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let secs = started.elapsed().as_secs_f64();
        task.abort();
        println!(
            "pushing {rows} operations to PostgreSQL on loopback: {secs:.2} s, {:.0} rows/s",
            rows as f64 / secs
        );
    });
}
