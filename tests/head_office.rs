//! Issue 15: shops replicated to a PostgreSQL head office, against a real PostgreSQL (a
//! throwaway cluster per test, `support::pg`). The faults are driven through the library
//! (the replicator, the outbox, one push); the service and its commands through the real
//! binary.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use caisse::hq::outbox::Outbox;
use caisse::hq::replicator::{Options, Replicator};
use caisse::hq::{Target, admin, push, schema};
use caisse::secret::Secret;
use support::pg::Cluster;
use support::proxy::Proxy;
use support::wait::until_async;
use tokio_postgres::Client;

const BIN: &str = env!("CARGO_BIN_EXE_caisse");
const WITHIN: Duration = Duration::from_secs(120);
const PASSWORD: &str = "shop-test-password";

/// Quick retries: a test that cuts the link must not wait a minute for the next try.
fn quick() -> Options {
    Options {
        batch: 100,
        backoff_min: Duration::from_millis(20),
        backoff_max: Duration::from_millis(300),
        push_timeout: Duration::from_secs(10),
    }
}

async fn admin(cluster: &Cluster) -> (Target, Client) {
    let target = Target::new(&Secret::new(cluster.admin_url()), None).unwrap();
    let client = target.connect().await.unwrap();
    (target, client)
}

/// The head office migrated, with one role per shop in `shops`.
async fn head_office(cluster: &Cluster, shops: &[&str]) -> Client {
    let (target, mut client) = admin(cluster).await;
    schema::migrate(&target, &mut client).await.unwrap();
    for shop in shops {
        admin::add_shop(&target, &mut client, shop, PASSWORD)
            .await
            .unwrap();
    }
    client
}

fn shop_target(cluster: &Cluster, shop: &str, port: u16) -> Target {
    let url = cluster.url(&caisse::hq::role_name(shop), PASSWORD, port);
    Target::new(&Secret::new(url), None).unwrap()
}

/// A shop's journal in `dir`, its outbox on for `shop` (as `caisse serve` turns it on).
fn journal(dir: &Path, shop: &str) -> PathBuf {
    let path = dir.join(format!("{shop}.db"));
    Outbox::open(&path)
        .unwrap()
        .enable(shop, caisse::hq::now_ms())
        .unwrap();
    path
}

/// `n` events written in one SQLite transaction, as a busy shop's history would be.
fn write_events(path: &Path, from: i64, n: i64, at: i64) {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    let t = conn.transaction().unwrap();
    for i in from..from + n {
        t.execute(
            "INSERT INTO events (id, external_id, at, kind, detail) VALUES (?1, ?2, ?3, 'intent', '{\"n\":1}')",
            rusqlite::params![i, format!("op-{i}"), at + i],
        )
        .unwrap();
    }
    t.commit().unwrap();
}

fn replicate(
    target: Target,
    shop: &str,
    path: &Path,
    options: Options,
) -> tokio::task::JoinHandle<()> {
    let (replicator, _) = Replicator::new(target, shop, path.to_path_buf(), options).unwrap();
    tokio::spawn(replicator.run())
}

async fn count(client: &Client, sql: &str, shop: &str) -> i64 {
    client.query_one(sql, &[&shop]).await.unwrap().get(0)
}

async fn last_seq(client: &Client, shop: &str) -> i64 {
    count(
        client,
        "SELECT last_seq FROM hq.shops WHERE shop_id = $1",
        shop,
    )
    .await
}

/// One operation pushed through `hq.push` as a shop role would, with the number `seq`.
async fn client_push_raw(
    client: &Client,
    shop: &str,
    seq: i64,
) -> Result<i64, tokio_postgres::Error> {
    let body = r#"{"external_id":"raw","service":"WAVE_SN_API_CASH_OUT","status":"SUCCESS"}"#;
    client
        .query_one(
            "SELECT hq.push($1, 'raw-journal', $2, ARRAY['operation'], ARRAY['raw'], \
             ARRAY[$2::bigint], ARRAY[$3::text])",
            &[&shop, &seq, &body],
        )
        .await
        .map(|r| r.get(0))
}

fn waiting(path: &Path) -> i64 {
    Outbox::open(path).unwrap().state().unwrap().waiting
}

/// Per shop, the events' snapshots arrived in the shop's order: seq rises with the id
/// (the shop wrote them in id order), none missing between the first and the last.
async fn assert_complete_and_ordered(client: &Client, shop: &str, expected: i64) {
    assert_complete_and_ordered_from(client, shop, 1, expected).await
}

/// As [`assert_complete_and_ordered`], for the events from id `first` on.
async fn assert_complete_and_ordered_from(client: &Client, shop: &str, first: i64, expected: i64) {
    let row = client
        .query_one(
            "SELECT count(*), count(DISTINCT id), min(id), max(id), \
             count(*) FILTER (WHERE seq <= prev) FROM ( \
                 SELECT id, seq, lag(seq) OVER (ORDER BY id) AS prev \
                 FROM hq.events WHERE shop_id = $1 AND id >= $2) AS e",
            &[&shop, &first],
        )
        .await
        .unwrap();
    let (n, distinct, min, max, backwards): (i64, i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    assert_eq!((n, distinct), (expected, expected), "every event once");
    assert_eq!((min, max), (first, first + expected - 1), "none missing");
    assert_eq!(backwards, 0, "in the shop's order");
}

/// PostgreSQL killed (immediate stop: a crash) while a backlog of thousands of rows is
/// being pushed, more sold while it is down, then restarted: every row arrives, once, in
/// order, and the shop's outbox empties.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_mid_backlog_then_restarted_loses_nothing_and_doubles_nothing() {
    let cluster = Cluster::start();
    let hq = head_office(&cluster, &["dakar"]).await;
    let dir = tempfile::tempdir().unwrap();
    let path = journal(dir.path(), "dakar");
    write_events(&path, 1, 5_000, 1_000);
    let task = replicate(
        shop_target(&cluster, "dakar", cluster.port),
        "dakar",
        &path,
        quick(),
    );

    // Some batches in, the backlog not through: the crash.
    until_async("a first batch at the head office", WITHIN, || async {
        (last_seq(&hq, "dakar").await >= 300).then_some(())
    })
    .await;
    drop(hq);
    cluster.kill();
    eprintln!("DEBUG waiting after kill: {}", waiting(&path));
    // The shop sells on meanwhile.
    write_events(&path, 5_001, 1_000, 1_000);
    assert!(
        waiting(&path) >= 1_000,
        "kept in the outbox while the head office is down"
    );
    cluster.restart();

    let (_, hq) = admin(&cluster).await;
    until_async("the whole backlog at the head office", WITHIN, || async {
        (last_seq(&hq, "dakar").await == 6_000).then_some(())
    })
    .await;
    assert_complete_and_ordered(&hq, "dakar", 6_000).await;
    until_async("the outbox emptied", WITHIN, || async {
        (waiting(&path) == 0).then_some(())
    })
    .await;
    task.abort();
}

/// The network between the shop and the head office cut (open sessions dropped, new ones
/// refused), rows queued meanwhile, then restored: the shop catches up by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_link_cut_then_restored_the_shop_catches_up() {
    let cluster = Cluster::start();
    let hq = head_office(&cluster, &["thies"]).await;
    let proxy = Proxy::start(cluster.port);
    let dir = tempfile::tempdir().unwrap();
    let path = journal(dir.path(), "thies");
    write_events(&path, 1, 200, 0);
    let task = replicate(
        shop_target(&cluster, "thies", proxy.port),
        "thies",
        &path,
        quick(),
    );
    until_async(
        "the first rows through the link, acknowledged",
        WITHIN,
        || async { (last_seq(&hq, "thies").await == 200 && waiting(&path) == 0).then_some(()) },
    )
    .await;

    proxy.cut();
    write_events(&path, 201, 300, 0);
    let state = Outbox::open(&path).unwrap().state().unwrap();
    assert_eq!(state.waiting, 300, "{state:?}");
    assert_eq!(state.acked_seq, 200, "{state:?}");
    // The replicator noticed and is retrying against the cut link: still nothing more.
    let before = proxy.forwarded.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(last_seq(&hq, "thies").await, 200);

    proxy.restore();
    until_async("the rows queued during the cut", WITHIN, || async {
        (last_seq(&hq, "thies").await == 500).then_some(())
    })
    .await;
    assert!(
        proxy.forwarded.load(std::sync::atomic::Ordering::SeqCst) > before,
        "a new session after the cut"
    );
    assert_complete_and_ordered(&hq, "thies", 500).await;
    until_async("the outbox emptied", WITHIN, || async {
        (waiting(&path) == 0).then_some(())
    })
    .await;
    task.abort();
}

/// Two shops pushing at the same time: each gets all its rows, none of the other's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_shops_syncing_at_once_each_get_their_own_rows() {
    let cluster = Cluster::start();
    let hq = head_office(&cluster, &["abidjan", "bouake"]).await;
    let dir = tempfile::tempdir().unwrap();
    let a = journal(dir.path(), "abidjan");
    let b = journal(dir.path(), "bouake");
    write_events(&a, 1, 2_000, 0);
    write_events(&b, 1, 1_500, 0);
    let ta = replicate(
        shop_target(&cluster, "abidjan", cluster.port),
        "abidjan",
        &a,
        quick(),
    );
    let tb = replicate(
        shop_target(&cluster, "bouake", cluster.port),
        "bouake",
        &b,
        quick(),
    );
    until_async("both shops through", WITHIN, || async {
        (last_seq(&hq, "abidjan").await == 2_000 && last_seq(&hq, "bouake").await == 1_500)
            .then_some(())
    })
    .await;
    assert_complete_and_ordered(&hq, "abidjan", 2_000).await;
    assert_complete_and_ordered(&hq, "bouake", 1_500).await;
    ta.abort();
    tb.abort();
}

/// An operation queued as created, then as settled; `rows` as the outbox holds them.
fn sale_then_settlement(
    path: &Path,
    id: &str,
    created_at: i64,
    settled_at: i64,
) -> Vec<caisse::hq::outbox::Row> {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute(
        "INSERT INTO transactions (external_id, gateway, service, amount, status, created_at, \
         updated_at, fields) VALUES (?1, 'intech', 'WAVE_SN_API_CASH_IN', 1000, 'PENDING', ?2, ?2, \
         '{\"note\":\"x\"}')",
        rusqlite::params![id, created_at],
    )
    .unwrap();
    conn.execute(
        "UPDATE transactions SET status = 'SUCCESS', final_at = ?2, updated_at = ?2 \
         WHERE external_id = ?1",
        rusqlite::params![id, settled_at],
    )
    .unwrap();
    Outbox::open(path).unwrap().batch(500).unwrap()
}

/// The same outbox rows pushed twice (a shop that died between the head office's commit
/// and its own delete), then an older snapshot alone: nothing doubled, nothing moved back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_batch_changes_nothing() {
    let cluster = Cluster::start();
    let hq = head_office(&cluster, &["kaolack"]).await;
    let dir = tempfile::tempdir().unwrap();
    let path = journal(dir.path(), "kaolack");
    let rows = sale_then_settlement(&path, "op-1", 1_000, 2_000);
    assert_eq!(rows.len(), 2, "the creation and the settlement: {rows:?}");
    let target = shop_target(&cluster, "kaolack", cluster.port);
    let mut client = target.connect().await.unwrap();

    assert_eq!(
        push::push(&target, &mut client, "kaolack", "test-journal", &rows)
            .await
            .unwrap(),
        rows[1].seq
    );
    let first = hq
        .query_one(
            "SELECT seq, status, received_at, body FROM hq.operations WHERE shop_id = 'kaolack'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(first.get::<_, String>(1), "SUCCESS");
    let body: String = hq
        .query_one("SELECT body->'fields'->>'note' FROM hq.operations", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(body, "x", "the fields arrive as JSON, not as a string");

    // The whole batch again, then the creation alone (an out-of-date snapshot).
    push::push(&target, &mut client, "kaolack", "test-journal", &rows)
        .await
        .unwrap();
    let last = push::push(&target, &mut client, "kaolack", "test-journal", &rows[..1])
        .await
        .unwrap();
    assert_eq!(last, rows[1].seq, "last_seq never goes back");
    let again = hq
        .query_one(
            "SELECT seq, status, received_at, body, (SELECT count(*) FROM hq.operations) \
             FROM hq.operations WHERE shop_id = 'kaolack'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(again.get::<_, i64>(4), 1, "nothing doubled");
    assert_eq!(again.get::<_, i64>(0), first.get::<_, i64>(0));
    assert_eq!(
        again.get::<_, String>(1),
        "SUCCESS",
        "nothing moved backwards"
    );
    assert_eq!(
        again.get::<_, std::time::SystemTime>(2),
        first.get::<_, std::time::SystemTime>(2),
        "not even rewritten"
    );
}

/// A shop's role cannot read, insert or change another shop's rows, nor move its
/// position, nor write anything outside its tables.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_role_cannot_touch_another_shops_rows() {
    let cluster = Cluster::start();
    let hq = head_office(&cluster, &["ziguinchor", "louga"]).await;
    let dir = tempfile::tempdir().unwrap();
    for shop in ["ziguinchor", "louga"] {
        let path = journal(dir.path(), shop);
        let rows = sale_then_settlement(&path, &format!("{shop}-1"), 1, 2);
        let target = shop_target(&cluster, shop, cluster.port);
        let mut client = target.connect().await.unwrap();
        push::push(&target, &mut client, shop, "test-journal", &rows)
            .await
            .unwrap();
    }
    let target = shop_target(&cluster, "louga", cluster.port);
    let mut louga = target.connect().await.unwrap();

    let seen: i64 = louga
        .query_one("SELECT count(*) FROM hq.operations", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(seen, 1, "its own row only");
    let theirs: i64 = louga
        .query_one(
            "SELECT count(*) FROM hq.operations WHERE shop_id = 'ziguinchor'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(theirs, 0, "sees nothing of the other shop");
    let shops: i64 = louga
        .query_one("SELECT count(*) FROM hq.shops", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(shops, 1, "nor the other shop's position");

    let insert = louga
        .execute(
            "INSERT INTO hq.operations (shop_id, external_id, seq, body) \
             VALUES ('ziguinchor', 'forged', 99, '{}')",
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(
        insert.code(),
        Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
        "{insert:?}"
    );
    // No table is written directly (review of issue 15, F5): not another shop's rows, not
    // its own, not its position; and no lock that would stall every other shop.
    for sql in [
        "UPDATE hq.operations SET body = '{}' WHERE shop_id = 'ziguinchor'",
        "UPDATE hq.operations SET shop_id = 'ziguinchor' WHERE shop_id = 'louga'",
        "UPDATE hq.operations SET seq = 9223372036854775807 WHERE shop_id = 'louga'",
        "UPDATE hq.shops SET last_seq = 0 WHERE shop_id = 'ziguinchor'",
        "UPDATE hq.shops SET last_seq = 9223372036854775000",
        "INSERT INTO hq.operations (shop_id, external_id, seq, body) \
         VALUES ('louga', 'forged', 99, '{}')",
        "BEGIN; LOCK TABLE hq.events IN ACCESS EXCLUSIVE MODE; COMMIT",
        "BEGIN; LOCK TABLE hq.operations IN SHARE ROW EXCLUSIVE MODE; COMMIT",
    ] {
        let e = louga.batch_execute(sql).await.unwrap_err();
        assert_eq!(
            e.code(),
            Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{sql}: {e:?}"
        );
        let _ = louga.batch_execute("ROLLBACK").await;
    }
    // Through hq.push, a number far beyond the shop's own (a row frozen for ever) is
    // refused, and nothing of the batch is kept.
    let frozen = client_push_raw(&louga, "louga", i64::MAX - 1)
        .await
        .unwrap_err();
    assert_eq!(
        frozen.code(),
        Some(&tokio_postgres::error::SqlState::INVALID_PARAMETER_VALUE),
        "{frozen:?}"
    );
    let seen_after: i64 = louga
        .query_one("SELECT count(*) FROM hq.operations", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(seen_after, 1, "nothing of the refused batch kept");
    for sql in [
        "DELETE FROM hq.operations",
        "CREATE TABLE public.t (x int)",
        "CREATE TABLE hq.t (x int)",
        "INSERT INTO hq.shops (shop_id, role_name) VALUES ('x', 'y')",
    ] {
        let e = louga.batch_execute(sql).await.unwrap_err();
        assert_eq!(
            e.code(),
            Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{sql}: {e:?}"
        );
    }
    // The replicator's own path, pointed at the other shop: refused whole.
    let rows = sale_then_settlement(&journal(dir.path(), "other"), "x", 1, 2);
    let e = push::push(&target, &mut louga, "ziguinchor", "test-journal", &rows)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("42501"), "{e}");
    let e = push::hello(&target, &louga, "ziguinchor")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("louga"), "{e}");

    let theirs: (i64, String) = {
        let r = hq
            .query_one(
                "SELECT last_seq, body->>'status' FROM hq.shops JOIN hq.operations USING (shop_id) \
                 WHERE shop_id = 'ziguinchor'",
                &[],
            )
            .await
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(
        theirs,
        (2, "SUCCESS".to_owned()),
        "the other shop's rows untouched"
    );
}

/// One shop's clock hours ahead of the other's, and going back (a clock corrected): the
/// order and the idempotency come from seq, never from time; the head office records
/// its own time of receipt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clock_skew_between_shops_changes_nothing() {
    let cluster = Cluster::start();
    let hq = head_office(&cluster, &["ahead", "on-time"]).await;
    let dir = tempfile::tempdir().unwrap();
    let hours = 6 * 3_600_000;
    let now = caisse::hq::now_ms();
    let before: std::time::SystemTime = hq.query_one("SELECT now()", &[]).await.unwrap().get(0);
    for (shop, skew) in [("ahead", hours), ("on-time", 0)] {
        let path = journal(dir.path(), shop);
        // Settled "before" it was created, by the shop's clock: the later snapshot wins.
        let rows = sale_then_settlement(&path, "op-1", now + skew, now + skew - hours);
        let target = shop_target(&cluster, shop, cluster.port);
        let mut client = target.connect().await.unwrap();
        push::push(&target, &mut client, shop, "test-journal", &rows)
            .await
            .unwrap();
    }
    let after: std::time::SystemTime = hq.query_one("SELECT now()", &[]).await.unwrap().get(0);
    let rows = hq
        .query(
            "SELECT shop_id, status, created_at, received_at FROM hq.operations ORDER BY shop_id",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        let shop: String = row.get(0);
        assert_eq!(
            row.get::<_, String>(1),
            "SUCCESS",
            "{shop}: the last snapshot, by seq"
        );
        let received: std::time::SystemTime = row.get(3);
        assert!(
            before <= received && received <= after,
            "{shop}: received by the head office's clock"
        );
    }
}

/// A journal's outbox stays empty while it is off (a shop without a head office), and is
/// filled, the journal's past first, when turned on.
#[test]
fn without_a_head_office_the_outbox_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let outbox = Outbox::open(&path).unwrap();
    write_events(&path, 1, 10, 0);
    let state = outbox.state().unwrap();
    assert!(!state.enabled);
    assert_eq!(state.waiting, 0);
    drop(outbox);
    let mut outbox = Outbox::open(&path).unwrap();
    assert!(outbox.enable("x", 0).unwrap(), "the past queued");
    assert_eq!(outbox.state().unwrap().waiting, 10);
    write_events(&path, 11, 1, 0);
    assert_eq!(outbox.state().unwrap().waiting, 11);
    assert!(outbox.disable().unwrap());
    write_events(&path, 12, 1, 0);
    assert_eq!(outbox.state().unwrap().waiting, 0);
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `caisse hq …` with the administrator's URL in the environment.
fn hq_command(cluster: &Cluster, home: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .arg("hq")
        .args(args)
        .env("HOME", home)
        .env("CAISSE_HQ_ADMIN_URL", cluster.admin_url())
        .env_remove("CAISSE_CONFIG")
        .env_remove("CAISSE_SOCKET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

/// The real binary end to end: `caisse hq migrate` (twice: the second finds it done),
/// `caisse hq add-shop`, then `caisse serve` with `[hq]` and a sale through its socket:
/// the sale reaches the head office settled, with its drawer; `caisse hq status` shows
/// nothing waiting; the password is in no output.
#[test]
fn a_sale_through_caisse_serve_reaches_the_head_office() {
    let cluster = Cluster::start();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let out = hq_command(&cluster, home, &["migrate"], "");
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("version 0 → 1"), "{}", text(&out));
    let out = hq_command(&cluster, home, &["migrate"], "");
    assert!(text(&out).contains("déjà à jour"), "{}", text(&out));
    let out = hq_command(
        &cluster,
        home,
        &["add-shop", "rufisque", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = hq_command(
        &cluster,
        home,
        &["add-shop", "rufisque", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        !out.status.success() && text(&out).contains("existe déjà"),
        "{}",
        text(&out)
    );

    let url = cluster.url(&caisse::hq::role_name("rufisque"), PASSWORD, cluster.port);
    let config = format!("[hq]\nurl = \"{url}\"\nshop_id = \"rufisque\"\n");
    let service = support::service::start(home, Some(&config));
    let pay = {
        let mut child = Command::new(BIN)
            .args([
                "pay",
                "--service",
                "WAVE_SN_API_CASH_IN",
                "--phone",
                "772450000",
                "--amount",
                "1000",
            ])
            .arg("--socket")
            .arg(&service.socket)
            .args(["--cashier", "awa"])
            .env("HOME", home)
            .env_remove("CAISSE_CONFIG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        writeln!(child.stdin.take().unwrap(), "1234").unwrap();
        child.wait_with_output().unwrap()
    };
    assert_eq!(pay.status.code(), Some(0), "{}", text(&pay));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (_, hq) = admin(&cluster).await;
        until_async("the sale settled at the head office", WITHIN, || async {
            let n: i64 = hq
                .query_one(
                    "SELECT count(*) FROM hq.operations WHERE shop_id = 'rufisque' \
                     AND status = 'SUCCESS' AND amount = 1000",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            (n == 1).then_some(())
        })
        .await;
        let events = count(
            &hq,
            "SELECT count(*) FROM hq.events WHERE shop_id = $1",
            "rufisque",
        )
        .await;
        assert!(events >= 2, "its history too ({events} events)");
    });

    let config_path = home.join("config.toml");
    let status = until_async_blocking(|| {
        let out = Command::new(BIN)
            .args(["hq", "status", "--config"])
            .arg(&config_path)
            .env("CAISSE_DB", &service.db)
            .env("HOME", home)
            .env_remove("CAISSE_SOCKET")
            .output()
            .unwrap();
        let t = text(&out);
        t.contains("aucune : le siège a tout reçu").then_some(t)
    });
    assert!(
        status.contains("Boutique au siège   : rufisque"),
        "{status}"
    );
    assert!(
        status.contains("Le siège a reçu     : jusqu'au n°"),
        "{status}"
    );
    assert!(!status.contains(PASSWORD), "{status}");
    drop(service);
}

fn until_async_blocking<T>(check: impl FnMut() -> Option<T>) -> T {
    support::wait::until("caisse hq status to show nothing waiting", WITHIN, check)
}

/// `caisse serve` with no `[hq]`: a sale leaves no outbox row and no head office state.
#[test]
fn without_hq_caisse_serve_keeps_no_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let service = support::service::start(dir.path(), None);
    let mut child = Command::new(BIN)
        .args([
            "pay",
            "--service",
            "WAVE_SN_API_CASH_IN",
            "--phone",
            "772450000",
            "--amount",
            "1000",
        ])
        .arg("--socket")
        .arg(&service.socket)
        .args(["--cashier", "awa"])
        .env("HOME", dir.path())
        .env_remove("CAISSE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    writeln!(child.stdin.take().unwrap(), "1234").unwrap();
    let pay = child.wait_with_output().unwrap();
    assert_eq!(pay.status.code(), Some(0), "{}", text(&pay));
    let conn = rusqlite::Connection::open(&service.db).unwrap();
    let (sales, queued, state): (i64, i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM transactions), (SELECT count(*) FROM outbox), \
             (SELECT count(*) FROM outbox_state)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((sales, queued, state), (1, 0, 0));
    let out = Command::new(BIN)
        .args(["hq", "status"])
        .env("CAISSE_DB", &service.db)
        .env("HOME", dir.path())
        .env_remove("CAISSE_CONFIG")
        .env_remove("CAISSE_SOCKET")
        .output()
        .unwrap();
    assert!(text(&out).contains("non configuré"), "{}", text(&out));
}

/// `openssl` in `dir`: an authority, and a server certificate it signs for `hq.caisse.test`.
fn certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    for ca in ["ca", "other-ca"] {
        let (key, pem, subject) = (
            format!("{ca}.key"),
            format!("{ca}.pem"),
            format!("/CN={ca}"),
        );
        let mut args = vec!["req", "-x509"];
        args.extend(ec);
        args.extend([
            "-keyout", &key, "-out", &pem, "-days", "2", "-subj", &subject,
        ]);
        run(&args);
    }
    let mut args = vec!["req"];
    args.extend(ec);
    args.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=hq.caisse.test",
    ]);
    run(&args);
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:hq.caisse.test\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ]);
}

/// TLS with `sslmode=verify-full` and `ca_file`: the head office's certificate is checked
/// against its authority and its name; another authority's, or another name, is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_is_verified_against_the_head_offices_authority_and_name() {
    let cluster = Cluster::start();
    let hq = head_office(&cluster, &["mbour"]).await;
    let certs = tempfile::tempdir().unwrap();
    certificates(certs.path());
    // The server's files where its owner (nobody, under root) may read them, 0600.
    for file in ["server.crt", "server.key"] {
        let to = cluster.socket_dir().join(file);
        std::fs::copy(certs.path().join(file), &to).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600)).unwrap();
        if unsafe { libc::geteuid() } == 0 {
            assert!(
                Command::new("chown")
                    .arg("nobody:nogroup")
                    .arg(&to)
                    .status()
                    .unwrap()
                    .success()
            );
        }
    }
    let dir = cluster.socket_dir().display().to_string();
    // One statement each: ALTER SYSTEM may not run in a transaction (a multi-statement
    // query is one).
    for sql in [
        "ALTER SYSTEM SET ssl = on".to_owned(),
        format!("ALTER SYSTEM SET ssl_cert_file = '{dir}/server.crt'"),
        format!("ALTER SYSTEM SET ssl_key_file = '{dir}/server.key'"),
        "SELECT pg_reload_conf()".to_owned(),
    ] {
        hq.batch_execute(&sql).await.unwrap();
    }
    let role = caisse::hq::role_name("mbour");
    let url = |host: &str| {
        Secret::new(format!(
            "postgres://{role}:{PASSWORD}@{host}:{}/postgres?hostaddr=127.0.0.1&sslmode=verify-full",
            cluster.port
        ))
    };
    let ca = certs.path().join("ca.pem");
    let target = Target::new(&url("hq.caisse.test"), Some(&ca)).unwrap();
    let client = until_async(
        "PostgreSQL serving TLS after the reload",
        WITHIN,
        || async { target.connect().await.ok() },
    )
    .await;
    let ssl: bool = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(ssl, "the session is encrypted");
    assert_eq!(
        push::hello(&target, &client, "mbour")
            .await
            .unwrap()
            .last_seq,
        0
    );

    let other = Target::new(
        &url("hq.caisse.test"),
        Some(&certs.path().join("other-ca.pem")),
    )
    .unwrap();
    let e = other.connect().await.unwrap_err().to_string();
    assert!(
        e.contains("certificat") || e.contains("certificate"),
        "another authority: {e}"
    );
    assert!(!e.contains(PASSWORD), "{e}");
    let wrong_name = Target::new(&url("localhost"), Some(&ca)).unwrap();
    let e = wrong_name.connect().await.unwrap_err().to_string();
    assert!(
        e.contains("certificat") || e.contains("certificate"),
        "another name: {e}"
    );
}

/// A shop whose journal is new (a reinstalled machine) while the head office already
/// holds its rows up to n° 300: the new journal numbers its events from 1 again, and
/// sending them would overwrite the old ones, the head office's only copy. Nothing is
/// sent; the new journal's queue is kept whole (review of issue 15, F1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_journal_for_a_known_shop_is_held_back_not_written_over() {
    let cluster = Cluster::start();
    let hq = head_office(&cluster, &["kolda"]).await;
    let old = tempfile::tempdir().unwrap();
    let path = journal(old.path(), "kolda");
    write_events(&path, 1, 300, 0);
    let task = replicate(
        shop_target(&cluster, "kolda", cluster.port),
        "kolda",
        &path,
        quick(),
    );
    until_async("the old journal through", WITHIN, || async {
        (last_seq(&hq, "kolda").await == 300).then_some(())
    })
    .await;
    task.abort();
    let before: Vec<(i64, i64, String)> = hq
        .query(
            "SELECT id, seq, body::text FROM hq.events WHERE shop_id = 'kolda' ORDER BY id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();

    // The reinstalled machine: ids from 1 again, other contents.
    let new = tempfile::tempdir().unwrap();
    let path = journal(new.path(), "kolda");
    write_events(&path, 1, 50, 5_000_000);
    let sessions = || async {
        hq.query_one(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()",
            &[],
        )
        .await
        .unwrap()
        .get::<_, i64>(0)
    };
    let started = sessions().await;
    let task = replicate(
        shop_target(&cluster, "kolda", cluster.port),
        "kolda",
        &path,
        quick(),
    );
    // Three sessions of the shop came and went: it asked, was refused, tried again.
    until_async("the shop refused three times", WITHIN, || async {
        (sessions().await >= started + 3).then_some(())
    })
    .await;
    task.abort();
    let after: Vec<(i64, i64, String)> = hq
        .query(
            "SELECT id, seq, body::text FROM hq.events WHERE shop_id = 'kolda' ORDER BY id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(after, before, "the old journal's rows untouched");
    assert_eq!(last_seq(&hq, "kolda").await, 300);
    assert_eq!(waiting(&path), 50, "the new journal's queue kept whole");
}

/// `caisse serve` killed (SIGKILL) while it pushes a backlog — the journal's past, queued
/// when `[hq]` was first configured — then started again: it resumes where the head
/// office stands, and every row arrives once, in order.
#[test]
fn caisse_serve_killed_mid_backlog_resumes_after_a_restart() {
    let cluster = Cluster::start();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let hq = runtime.block_on(head_office(&cluster, &["tambacounda"]));
    // A shop that sold before it had a head office: 5,000 events in its journal.
    let db = home.join("journal.db");
    support::service::add_cashier(&db, "awa", "cashier", "1234");
    support::service::add_cashier(&db, "chef", "supervisor", "9999");
    drop(caisse::journal::Journal::open(&db).unwrap());
    // After the cashiers' own events.
    write_events(&db, 1_001, 5_000, 0);

    let url = cluster.url(
        &caisse::hq::role_name("tambacounda"),
        PASSWORD,
        cluster.port,
    );
    let config = format!("[hq]\nurl = \"{url}\"\nshop_id = \"tambacounda\"\n");
    let fast = |c: &mut Command| {
        c.env("CAISSE_HQ_BACKOFF_MAX_MS", "300");
    };
    let service = support::service::start_with(home, Some(&config), fast);
    runtime.block_on(until_async("a first batch of the past", WITHIN, || async {
        (last_seq(&hq, "tambacounda").await > 0).then_some(())
    }));
    drop(service); // SIGKILL
    // Killed after its first batch (measured: 4,502 of the 5,002 rows still queued).
    assert!(waiting(&db) > 0, "killed with the backlog still going");
    let service = support::service::start_with(home, Some(&config), fast);
    runtime.block_on(async {
        until_async("the whole past at the head office", WITHIN, || async {
            (count(
                &hq,
                "SELECT count(*) FROM hq.events WHERE shop_id = $1 AND id > 1000",
                "tambacounda",
            )
            .await
                == 5_000)
                .then_some(())
        })
        .await;
        assert_complete_and_ordered_from(&hq, "tambacounda", 1_001, 5_000).await;
    });
    until_async_blocking(|| (waiting(&db) == 0).then_some(()));
    drop(service);
}

/// Everything a shop's outbox holds, pushed (the replicator's work, in one go).
async fn push_all(cluster: &Cluster, shop: &str, path: &Path) {
    let target = shop_target(cluster, shop, cluster.port);
    let mut client = target.connect().await.unwrap();
    let mut outbox = Outbox::open(path).unwrap();
    let journal_id = outbox.state().unwrap().journal_id.unwrap();
    loop {
        let rows = outbox.batch(500).unwrap();
        let Some(last) = rows.last().map(|r| r.seq) else {
            break;
        };
        push::push(&target, &mut client, shop, &journal_id, &rows)
            .await
            .unwrap();
        outbox.ack(last, 0).unwrap();
    }
}

/// Operations of today in a shop's journal: (id, kind, status, amount).
fn operations(path: &Path, ops: &[(&str, &str, &str, i64)], now: i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    for (i, (id, kind, status, amount)) in ops.iter().enumerate() {
        let final_at = (!["PENDING", "UNKNOWN"].contains(status)).then_some(now);
        conn.execute(
            "INSERT INTO transactions (external_id, kind, gateway, service, amount, status, \
             cashier, created_at, updated_at, final_at) VALUES (?1, ?2, 'intech', \
             'WAVE_SN_API_CASH_OUT', ?3, ?4, 'awa', ?5, ?5, ?6)",
            rusqlite::params![id, kind, amount, status, now - 1_000 + i as i64, final_at],
        )
        .unwrap();
    }
}

/// `caisse hq report` counts every shop as each shop's own report counts itself, and
/// `caisse hq watch` finds the shop never heard from, the operation left pending, the
/// drawer with a gap, the Z missing, and the Z chain altered after it was sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_head_offices_report_and_watch_see_every_shop() {
    use caisse::hq::reading;
    use caisse::report::{By, Period};
    let cluster = Cluster::start();
    let hq = head_office(&cluster, &["podor", "matam", "kedougou", "silent"]).await;
    let admin_target = Target::new(&Secret::new(cluster.admin_url()), None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let now = caisse::hq::now_ms();

    let podor = journal(dir.path(), "podor");
    operations(
        &podor,
        &[
            ("p1", "payment", "SUCCESS", 1_000),
            ("p2", "payment", "SUCCESS", 2_000),
            ("p3", "refund", "SUCCESS", 1_000),
            ("p4", "payment", "PENDING", 700),
            ("p5", "payment", "FAILED", 300),
        ],
        now,
    );
    rusqlite::Connection::open(&podor)
        .unwrap()
        .execute(
            "INSERT INTO drawers (cashier, opened_at, opening_cash, closed_at, counted_cash, \
             expected_cash, closing_balance, expected_balance) \
             VALUES ('awa', ?1, 20000, ?1, 19500, 20000, 5000, 5000)",
            [now],
        )
        .unwrap();
    let mut shop = caisse::journal::Journal::open(&podor).unwrap();
    assert!(shop.close_day(now, "chef").unwrap().is_ok());
    let day = time::OffsetDateTime::from_unix_timestamp(now / 1000)
        .unwrap()
        .date();
    let period = Period { from: day, to: day };
    let own = shop.report(period, By::Service, None).unwrap();
    drop(shop);
    push_all(&cluster, "podor", &podor).await;

    let matam = journal(dir.path(), "matam");
    operations(&matam, &[("m1", "payment", "SUCCESS", 5_000)], now);
    push_all(&cluster, "matam", &matam).await;

    let kedougou = journal(dir.path(), "kedougou");
    operations(&kedougou, &[("k1", "payment", "SUCCESS", 4_000)], now);
    assert!(
        caisse::journal::Journal::open(&kedougou)
            .unwrap()
            .close_day(now, "chef")
            .unwrap()
            .is_ok()
    );
    // The Z altered in the shop's journal after the close: the change travels too.
    rusqlite::Connection::open(&kedougou)
        .unwrap()
        .execute(
            "UPDATE z_reports SET content = replace(content, '4000', '400')",
            [],
        )
        .unwrap();
    push_all(&cluster, "kedougou", &kedougou).await;

    let report = reading::report(&admin_target, &hq, period, By::Shop)
        .await
        .unwrap();
    let keys: Vec<&str> = report.groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["kedougou", "matam", "podor"]);
    assert_eq!(
        report.groups[2].tally, own.total,
        "counted as the shop counts itself"
    );
    assert_eq!(report.groups[2].net, 2_000);
    assert_eq!(report.total_net, 2_000 + 5_000 + 4_000);

    let thresholds = reading::Thresholds {
        late_minutes: 30,
        unsettled_minutes: 0,
        drawer_days: 7,
    };
    let watch = reading::watch(&admin_target, &hq, thresholds)
        .await
        .unwrap();
    let late: Vec<&str> = watch
        .shops
        .iter()
        .filter(|s| s.late)
        .map(|s| s.shop_id.as_str())
        .collect();
    assert_eq!(late, ["silent"]);
    let pending: Vec<(&str, &str)> = watch
        .unsettled
        .iter()
        .map(|u| (u.shop_id.as_str(), u.external_id.as_str()))
        .collect();
    assert_eq!(pending, [("podor", "p4")]);
    assert_eq!(watch.drawers.len(), 1);
    assert_eq!(
        (watch.drawers[0].cash_gap, watch.drawers[0].balance_gap),
        (Some(-500), Some(0))
    );
    let missing: Vec<&str> = watch.z_missing.iter().map(|z| z.shop_id.as_str()).collect();
    assert_eq!(missing, ["matam"]);
    let chains: Vec<(&str, i64, usize)> = watch
        .z_chains
        .iter()
        .map(|c| (c.shop_id.as_str(), c.reports, c.faults.len()))
        .collect();
    assert_eq!(chains, [("kedougou", 1, 1), ("podor", 1, 0)]);
    assert!(
        watch.z_chains[0].faults[0].contains("n° 1 altéré"),
        "{:?}",
        watch.z_chains
    );

    // The command: the same, in French, exit 8 for the broken chain.
    let home = tempfile::tempdir().unwrap();
    let out = tokio::task::block_in_place(|| hq_command(&cluster, home.path(), &["watch"], ""));
    let t = text(&out);
    assert_eq!(out.status.code(), Some(8), "{t}");
    assert!(
        t.contains("dont 1 muette(s)") && t.contains("silent"),
        "{t}"
    );
    assert!(t.contains("kedougou : rapport Z n° 1 altéré"), "{t}");
    assert!(!t.contains(support::pg::ADMIN_PASSWORD), "{t}");
    let day = day.to_string();
    let out = tokio::task::block_in_place(|| {
        hq_command(
            &cluster,
            home.path(),
            &["report", "--from", &day, "--to", &day, "--format", "csv"],
            "",
        )
    });
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("podor;podor;5;2;3000;1;300;1;700;1;1000;2000"),
        "{t}"
    );
}

/// A text holding a NUL (a gateway's message): SQLite's snapshot writes `\u0000`, which
/// PostgreSQL's jsonb refuses; the row arrives with U+FFFD instead of stopping the outbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_in_a_message_does_not_stop_the_outbox() {
    let cluster = Cluster::start();
    let hq = head_office(&cluster, &["fatick"]).await;
    let dir = tempfile::tempdir().unwrap();
    let path = journal(dir.path(), "fatick");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO transactions (external_id, gateway, service, status, created_at, \
             updated_at, error_message) VALUES ('n1', 'intech', 'WAVE_SN_API_CASH_IN', 'FAILED', \
             1, 1, 'refus' || char(0) || 'é')",
            [],
        )
        .unwrap();
    push_all(&cluster, "fatick", &path).await;
    let message: String = hq
        .query_one("SELECT body->>'error_message' FROM hq.operations", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(message, "refus\u{FFFD}é");
}

/// An engine watching `path` as `caisse serve`'s does, and its events, once it is known to
/// be watching (a write from another connection was noticed).
async fn watching_engine(
    path: &Path,
) -> (
    std::sync::Arc<caisse::engine::Engine>,
    tokio::sync::broadcast::Receiver<caisse::engine::EngineEvent>,
    tokio::task::JoinHandle<()>,
) {
    use caisse::engine::{Engine, EngineConfig, EngineEvent, Gateways, system_clock};
    let engine = Engine::new(
        caisse::journal::Journal::open(path).unwrap(),
        Gateways::default(),
        EngineConfig::default(),
        system_clock(),
    );
    let mut events = engine.subscribe();
    let watcher = tokio::spawn(engine.clone().run_watcher(path.to_path_buf()));
    // Probe writes from another connection until one is noticed (the watcher has its
    // baseline then), each waited for with a deadline.
    let deadline = std::time::Instant::now() + WITHIN;
    for probe in 1_000_000.. {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for the engine's watcher"
        );
        write_events(path, probe, 1, 0);
        let seen = tokio::time::timeout(Duration::from_millis(500), async {
            while !matches!(events.recv().await, Ok(EngineEvent::JournalChanged)) {}
        })
        .await;
        if seen.is_ok() {
            break;
        }
    }
    while events.try_recv().is_ok() {}
    (engine, events, watcher)
}

/// In `caisse serve`, the replicator acknowledges through the engine's connection: its
/// deletes are not taken for another process's writes, so the terminals are not told to
/// reload after every batch. Without the engine (the control), they would be.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_replicators_acknowledgements_wake_no_terminal() {
    use caisse::engine::EngineEvent;
    let cluster = Cluster::start();
    let hq = head_office(&cluster, &["linguere", "dahra"]).await;
    let dir = tempfile::tempdir().unwrap();
    for (shop, through_engine) in [("linguere", true), ("dahra", false)] {
        let path = journal(dir.path(), shop);
        write_events(&path, 1, 1_000, 0);
        let (engine, mut events, watcher) = watching_engine(&path).await;
        let (replicator, _) = Replicator::new(
            shop_target(&cluster, shop, cluster.port),
            shop,
            path.clone(),
            quick(),
        )
        .unwrap();
        let replicator = if through_engine {
            replicator.with_engine(engine.clone())
        } else {
            replicator
        };
        let task = tokio::spawn(replicator.run());
        until_async("the rows through and acknowledged", WITHIN, || async {
            (last_seq(&hq, shop).await >= 1_000 && waiting(&path) == 0).then_some(())
        })
        .await;
        let mut woken = 0;
        if through_engine {
            support::wait::stays_async(
                "no reload asked of the terminals",
                Duration::from_secs(1),
                || {
                    let fresh = matches!(events.try_recv(), Ok(EngineEvent::JournalChanged));
                    async move { !fresh }
                },
            )
            .await;
        } else {
            until_async(
                "the control: the deletes seen as another process's",
                WITHIN,
                || {
                    woken +=
                        usize::from(matches!(events.try_recv(), Ok(EngineEvent::JournalChanged)));
                    let seen = woken > 0;
                    async move { seen.then_some(()) }
                },
            )
            .await;
        }
        task.abort();
        watcher.abort();
    }
}

/// A reader that row-level security filters (neither a superuser nor BYPASSRLS) is told
/// so, instead of reading an empty report and a watch where nothing is late (review of
/// issue 15, F6).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_cannot_see_every_shop_is_told_so() {
    use caisse::hq::reading;
    use caisse::report::{By, Period};
    let cluster = Cluster::start();
    let hq = head_office(&cluster, &["podor"]).await;
    let dir = tempfile::tempdir().unwrap();
    let path = journal(dir.path(), "podor");
    write_events(&path, 1, 10, 0);
    let task = replicate(
        shop_target(&cluster, "podor", cluster.port),
        "podor",
        &path,
        quick(),
    );
    until_async("the shop's rows in", WITHIN, || async {
        (last_seq(&hq, "podor").await == 10).then_some(())
    })
    .await;
    task.abort();
    hq.batch_execute(
        "CREATE ROLE lecteur LOGIN PASSWORD 'lecteur-pw'; \
         GRANT USAGE ON SCHEMA hq TO lecteur; \
         GRANT SELECT ON ALL TABLES IN SCHEMA hq TO lecteur;",
    )
    .await
    .unwrap();
    let target = Target::new(
        &Secret::new(cluster.url("lecteur", "lecteur-pw", cluster.port)),
        None,
    )
    .unwrap();
    let client = target.connect().await.unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    let period = Period {
        from: today,
        to: today,
    };
    let err = reading::report(&target, &client, period, By::Shop)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("BYPASSRLS"), "{err}");
    let thresholds = reading::Thresholds {
        late_minutes: 30,
        unsettled_minutes: 60,
        drawer_days: 7,
    };
    let err = reading::watch(&target, &client, thresholds)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("BYPASSRLS"), "{err}");
}
