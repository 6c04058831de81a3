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
//! 4. 20 shops replicating at once (5,000 rows each), each its own role and replicator;
//!    then the replication lag (write to arrival, p50/p99) with 20 shops writing 900 rows a
//!    second in all for 20 s: ten times the average of 1,000 shops × 2,000 operations a day;
//! 5. the head office's read side at scale: one day (`CAISSE_BENCH_DAYS=30`: a month) of
//!    `CAISSE_BENCH_SHOPS` shops (1,000 by default, 0 to skip) × 2,000 operations a day loaded
//!    by SQL, then `caisse hq report` of that period by shop and by service, and
//!    `caisse hq watch`.
//!
//! Run: `cargo bench --bench head_office` (`CAISSE_BENCH_ROWS=20000` by default).

#[path = "../tests/support/pg.rs"]
mod pg;

use std::path::Path;
use std::time::{Duration, Instant};

use caisse::hq::outbox::Outbox;
use caisse::hq::replicator::{Options, Replicator};
use caisse::hq::{Target, admin, reading, schema};
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

        // 4. Shops replicating at once.
        const AT_ONCE: usize = 20;
        const EACH: i64 = 5_000;
        let dir = tempfile::tempdir().unwrap();
        let mut tasks = Vec::new();
        let mut replicators = Vec::new();
        for n in 0..AT_ONCE {
            let shop = format!("shop-{n}");
            admin::add_shop(&admin_target, &mut client, &shop, "bench-password")
                .await
                .unwrap();
            let path = dir.path().join(format!("{shop}.db"));
            Outbox::open(&path).unwrap().enable(&shop, 0).unwrap();
            let mut conn = open(&path);
            let t = conn.transaction().unwrap();
            for i in 1..=EACH {
                t.execute(
                    "INSERT INTO events (id, external_id, at, kind) VALUES (?1, 'x', ?1, 'intent')",
                    [i],
                )
                .unwrap();
            }
            t.commit().unwrap();
            let url = cluster.url(&caisse::hq::role_name(&shop), "bench-password", cluster.port);
            let target = Target::new(&Secret::new(url), None).unwrap();
            replicators.push(Replicator::new(target, &shop, path, Options::default()).unwrap().0);
        }
        let started = Instant::now();
        for r in replicators {
            tasks.push(tokio::spawn(r.run()));
        }
        loop {
            let done: i64 = client
                .query_one(
                    "SELECT count(*) FROM hq.shops WHERE shop_id LIKE 'shop-%' AND last_seq >= $1",
                    &[&EACH],
                )
                .await
                .unwrap()
                .get(0);
            if done as usize == AT_ONCE {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let secs = started.elapsed().as_secs_f64();
        for t in tasks {
            t.abort();
        }
        println!(
            "{AT_ONCE} shops × {EACH} rows at once: {secs:.2} s, {:.0} rows/s in all",
            (AT_ONCE as i64 * EACH) as f64 / secs
        );

        // 4b. Replication lag at the busiest hour of 1,000 shops: 8 million outbox rows a
        // day is 90 a second on average; ten times that (900 rows/s) written by LAG_SHOPS
        // shops, each row in its own SQLite transaction as a sale's writes are, for
        // LAG_SECONDS. Each row carries the time it was written (`at`, ms); the head office
        // stamps `received_at` (its transaction's start): the lag is their difference.
        const LAG_SHOPS: usize = 20;
        const LAG_RATE: u64 = 900;
        const LAG_SECONDS: u64 = 20;
        let per_shop = LAG_RATE / LAG_SHOPS as u64;
        let mut tasks = Vec::new();
        let mut writers = Vec::new();
        for n in 0..LAG_SHOPS {
            let shop = format!("lag-{n}");
            admin::add_shop(&admin_target, &mut client, &shop, "bench-password")
                .await
                .unwrap();
            let path = dir.path().join(format!("{shop}.db"));
            Outbox::open(&path).unwrap().enable(&shop, 0).unwrap();
            let url = cluster.url(&caisse::hq::role_name(&shop), "bench-password", cluster.port);
            let target = Target::new(&Secret::new(url), None).unwrap();
            let (replicator, _) = Replicator::new(target, &shop, path.clone(), Options::default()).unwrap();
            tasks.push(tokio::spawn(replicator.run()));
            writers.push(std::thread::spawn(move || {
                let conn = open(&path);
                let gap = Duration::from_micros(1_000_000 / per_shop);
                let start = Instant::now();
                let mut i = 0u64;
                while start.elapsed() < Duration::from_secs(LAG_SECONDS) {
                    i += 1;
                    let at = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_millis() as i64;
                    conn.execute(
                        "INSERT INTO events (id, external_id, at, kind) VALUES (?1, 'x', ?2, 'intent')",
                        rusqlite::params![i as i64, at],
                    )
                    .unwrap();
                    // Paced from the start, not from the last write: a slow fsync is caught up.
                    let next = gap * i as u32;
                    if let Some(wait) = next.checked_sub(start.elapsed()) {
                        std::thread::sleep(wait);
                    }
                }
                i
            }));
        }
        let mut written = 0u64;
        for w in writers {
            written += tokio::task::spawn_blocking(move || w.join().unwrap()).await.unwrap();
        }
        loop {
            let arrived: i64 = client
                .query_one("SELECT count(*) FROM hq.events WHERE shop_id LIKE 'lag-%'", &[])
                .await
                .unwrap()
                .get(0);
            if arrived as u64 >= written {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for t in tasks {
            t.abort();
        }
        let lag = client
            .query_one(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY l), \
                        percentile_cont(0.99) WITHIN GROUP (ORDER BY l), max(l) \
                 FROM (SELECT extract(epoch FROM received_at) * 1000 - (body->>'at')::float8 AS l \
                       FROM hq.events WHERE shop_id LIKE 'lag-%') AS lags",
                &[],
            )
            .await
            .unwrap();
        let (p50, p99, max): (f64, f64, f64) = (lag.get(0), lag.get(1), lag.get(2));
        println!(
            "replication lag, {LAG_SHOPS} shops writing {LAG_RATE} rows/s in all for {LAG_SECONDS} s \
             ({written} rows, 10× 1,000 shops' average): p50 {p50:.0} ms, p99 {p99:.0} ms, max {max:.0} ms"
        );

        // 5. The read side over a day of many shops.
        let shops: i64 = std::env::var("CAISSE_BENCH_SHOPS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000);
        if shops == 0 {
            return;
        }
        // A day by default; `CAISSE_BENCH_DAYS=30` loads a month (60 million operations at
        // 1,000 shops: some 25 GB and half an hour of loading on these 2 cores).
        let days: i64 = std::env::var("CAISSE_BENCH_DAYS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1)
            .clamp(1, 30);
        let (from, to) = if days == 1 {
            ("2026-11-30".to_owned(), "2026-11-30".to_owned())
        } else {
            ("2026-11-01".to_owned(), format!("2026-11-{days:02}"))
        };
        let day = caisse::report::Period::parse(&from, &to).unwrap();
        let (start, _) = day.millis();
        let started = Instant::now();
        client
            .execute(
                "INSERT INTO hq.shops (shop_id, role_name) \
                 SELECT 'scale-' || i, 'scale_role_' || i FROM generate_series(1, $1::int) AS i",
                &[&(shops as i32)],
            )
            .await
            .unwrap();
        for d in 0..days {
            // One day at a time: each INSERT is one transaction of `shops` × 2,000 rows.
            client
                .execute(
                    "INSERT INTO hq.operations (shop_id, external_id, seq, body) \
                     SELECT 'scale-' || s, 'op-' || $3::int || '-' || o, $3::int * 2000 + o, \
                       jsonb_build_object( \
                       'kind', 'payment', \
                       'service', (ARRAY['WAVE_SN_API_CASH_OUT', 'WAVE_SN_API_CASH_IN', \
                         'ORANGE_SN_API_CASH_OUT', 'ORANGE_SN_API_CASH_IN', 'SENELEC_SN_BILL_PAY'])[1 + o % 5], \
                       'status', CASE WHEN o % 20 = 0 THEN 'FAILED' WHEN o % 500 = 1 THEN 'PENDING' \
                         ELSE 'SUCCESS' END, \
                       'amount', 500 + (o * 37) % 20000, 'cashier', 'awa', \
                       'created_at', $1::bigint + $3::bigint * 86400000 + o * 40000) \
                     FROM generate_series(1, $2::int) AS s, generate_series(1, 2000) AS o",
                    &[&start, &(shops as i32), &(d as i32)],
                )
                .await
                .unwrap();
        }
        client.batch_execute("ANALYZE hq.operations").await.unwrap();
        let size: String = client
            .query_one("SELECT pg_size_pretty(pg_total_relation_size('hq.operations'))", &[])
            .await
            .unwrap()
            .get(0);
        println!(
            "{shops} shops × 2,000 operations × {days} day(s) ({} rows, {size}) loaded by SQL in {:.0} s",
            shops * 2_000 * days,
            started.elapsed().as_secs_f64()
        );
        for by in [caisse::report::By::Shop, caisse::report::By::Service] {
            let mut times = Vec::new();
            for _ in 0..3 {
                let started = Instant::now();
                let report = reading::report(&admin_target, &client, day, by).await.unwrap();
                times.push(started.elapsed().as_secs_f64());
                assert!(report.total.operations as i64 >= shops * 2_000 * days);
            }
            let span = if days == 1 { "day" } else { "month" };
            println!("the {span}'s report by {by:?}: {:.2} s", median(times));
        }
        let mut times = Vec::new();
        for _ in 0..3 {
            let started = Instant::now();
            reading::watch(
                &admin_target,
                &client,
                reading::Thresholds {
                    late_minutes: 30,
                    unsettled_minutes: 60,
                    drawer_days: 7,
                },
            )
            .await
            .unwrap();
            times.push(started.elapsed().as_secs_f64());
        }
        println!("the watch over {} shops: {:.2} s", shops + 21, median(times));
    });
}
