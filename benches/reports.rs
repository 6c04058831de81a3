//! History and reports on a journal of 1,000,000 operations (a year of a busy shop, about
//! 2,700 a day), printed as medians of 5 runs (the machine is shared):
//! a month's report, a year's, a day's, a search by phone, the journal screen's search with paging (20 pages deep), and a
//! month's CSV export to nowhere;
//! then the close of day: the Z report of a month and of a day in that year-long journal,
//! previewed (read only) and sealed (stored in the chain), and the past reports with the
//! chain's check. One operation in four has an accepted callback carrying its commission
//! (the Z reads it per row). The goal is under 1 s each. Filling takes one transaction with
//! one prepared statement.
//!
//! Run: `cargo bench --bench reports` (`CAISSE_BENCH_ROWS=100000` for a quicker look).

use std::time::Instant;

use caisse::cli::report::{ExportFormat, build, export_to};
use caisse::domain::{OpKind, TxStatus};
use caisse::journal::{Journal, sample_row};
use caisse::report::search::Search;
use caisse::report::{By, Period};

/// 2025-01-01 00:00 UTC, in ms: the year the journal covers.
const START: i64 = 1_735_689_600_000;
const YEAR_MS: i64 = 365 * 86_400_000;
const SERVICES: &[&str] = &[
    "WAVE_SN_API_CASH_OUT",
    "WAVE_SN_API_CASH_IN",
    "ORANGE_SN_API_CASH_OUT",
    "ORANGE_SN_API_CASH_IN",
    "FREE_SN_WALLET_CASH_OUT",
    "SENELEC_SN_BILL_PAY",
    "WOYOFAL_SN_BILL_RELOAD",
    "ORANGE_SN_AIRTIME_CREDIT_TELEPHONIQUE",
    "MTN_CI_API_CASH_OUT",
    "WAVE_CI_API_CASH_IN",
];
const CASHIERS: &[&str] = &["awa", "binta", "cheikh", "dieynaba", "el hadji"];
const PHONES: u64 = 50_000;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A cheap deterministic spread (no rand crate): the same journal every run.
fn mix(i: u64) -> u64 {
    let mut x = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn phone(n: u64) -> String {
    format!("77{:07}", n % PHONES)
}

/// The external id of row `i` (its callback's too).
fn external_id(i: u64) -> String {
    format!("{:032x}", mix(i) as u128 * 31 + i as u128)
}

/// An accepted callback with a commission for one operation in four, as the engine records
/// it (`events.kind = 'callback'`, the commission at the top of its detail).
fn callbacks(path: &std::path::Path, rows: u64) {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO events (external_id, at, kind, detail) VALUES (?1, ?2, 'callback', ?3)",
            )
            .unwrap();
        let step = YEAR_MS / rows as i64;
        for i in (0..rows).step_by(4) {
            let detail = format!(
                "{{\"status\":\"SUCCESSFUL\",\"commission\":{}}}",
                mix(i) % 200
            );
            insert
                .execute(rusqlite::params![
                    external_id(i),
                    START + i as i64 * step + 30_000,
                    detail
                ])
                .unwrap();
        }
    }
    tx.commit().unwrap();
}

/// Milliseconds of `date` at midnight UTC (`YYYY-MM-DD`).
fn midnight(date: &str) -> i64 {
    Period::parse(date, date).unwrap().millis().0
}

fn fill(journal: &mut Journal, rows: u64) {
    let step = YEAR_MS / rows as i64;
    let rows = (0..rows).map(|i| {
        let r = mix(i);
        let created = START + i as i64 * step;
        let status = match r % 100 {
            0..=84 => TxStatus::Success,
            85..=93 => TxStatus::Failed,
            94..=96 => TxStatus::Expired,
            97 => TxStatus::Refunded,
            98 => TxStatus::Pending,
            _ => TxStatus::Unknown,
        };
        let service = SERVICES[(r >> 8) as usize % SERVICES.len()];
        let mut row = sample_row(&external_id(i), service, status, created);
        row.phone = Some(phone(r >> 20));
        row.amount = Some(500 + ((r >> 12) % 200) as i64 * 500);
        row.cashier = CASHIERS[(r >> 16) as usize % CASHIERS.len()].to_owned();
        row.terminal = format!("pts/{}", (r >> 24) % 4);
        row.gateway_tx_id = Some(format!("{:012}", r % 1_000_000_000_000));
        row.final_at = status.is_final().then_some(created + 40_000);
        if r.is_multiple_of(250) {
            row.kind = OpKind::Refund;
            row.status = TxStatus::Success;
        }
        row
    });
    journal.insert_rows_for_tests(rows).unwrap();
}

/// Median seconds of 5 runs of `f`, and what the last run returned.
fn time<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let started = Instant::now();
        last = Some(f());
        times.push(started.elapsed().as_secs_f64());
    }
    (median(times), last.unwrap())
}

/// Up to `most` pages of 35 of the journal screen's search over `period`, each after the
/// last one's cursor: how many pages and rows came.
fn walk(journal: &Journal, period: Period, text: &str, most: usize) -> (usize, usize) {
    let mut search = Search {
        period,
        text: text.to_owned(),
        statuses: vec![],
        after: None,
        limit: 35,
    };
    let (mut pages, mut rows) = (0, 0);
    while pages < most {
        let page = journal.search_page(&search, None).unwrap();
        pages += 1;
        rows += page.rows.len();
        match page.next {
            Some(next) => search.after = Some(next),
            None => break,
        }
    }
    (pages, rows)
}

fn main() {
    let rows: u64 = std::env::var("CAISSE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let mut journal = Journal::open(&path).unwrap();
    let started = Instant::now();
    fill(&mut journal, rows);
    callbacks(&path, rows);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(dir.path().join("journal.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!(
        "journal: {rows} operations over 2025, filled in {:.1} s ({} MB)",
        started.elapsed().as_secs_f64(),
        size / 1_000_000
    );

    let month = Period::parse("2025-06-01", "2025-06-30").unwrap();
    let (secs, report) = time(|| build(&journal, month, By::Service).unwrap());
    println!(
        "month's report (June, by service):    {:>8.1} ms  ({} operations, {} groups)",
        secs * 1000.0,
        report.total.operations,
        report.groups.len()
    );
    let (secs, report) = time(|| build(&journal, month, By::Day).unwrap());
    println!(
        "month's report (June, by day):        {:>8.1} ms  ({} operations)",
        secs * 1000.0,
        report.total.operations
    );
    let year = Period::parse("2025-01-01", "2025-12-31").unwrap();
    let (secs, report) = time(|| build(&journal, year, By::Operator).unwrap());
    println!(
        "year's report (2025, by operator):    {:>8.1} ms  ({} operations)",
        secs * 1000.0,
        report.total.operations
    );
    let day = Period::parse("2025-06-15", "2025-06-15").unwrap();
    let (secs, report) = time(|| build(&journal, day, By::Hour).unwrap());
    println!(
        "day's report (15 June, by hour):      {:>8.1} ms  ({} operations)",
        secs * 1000.0,
        report.total.operations
    );
    let mut n = 0;
    let (secs, found) = time(|| {
        n += 1;
        journal.search_phone(&phone(n * 7919), 100).unwrap().len()
    });
    println!(
        "search by phone (newest 100):         {:>8.1} ms  ({found} operations found)",
        secs * 1000.0
    );
    // The journal screen beyond today: a month's pages of a screenful (35 rows at 120×40),
    // the whole month, a phone, an amount, walked 20 pages deep by their keyset cursors.
    for (what, text) in [
        ("a month, no search", String::new()),
        ("a month, by phone", phone(7919)),
        ("a month, by amount", "25000".to_owned()),
    ] {
        let (secs, (pages, found)) = time(|| walk(&journal, month, &text, 20));
        println!(
            "search with paging ({what:<18}): {:>8.1} ms  ({pages} pages, {found} rows; {:.2} ms a page)",
            secs * 1000.0,
            secs * 1000.0 / pages.max(1) as f64
        );
    }
    let (secs, ()) = time(|| {
        export_to(&journal, month, ExportFormat::Csv, std::io::sink()).unwrap();
    });
    println!(
        "month's CSV export (to nowhere):      {:>8.1} ms",
        secs * 1000.0
    );
    close_of_day(&mut journal);
}

/// The Z reports: the first one closes January to May (once, to set the chain up); then a
/// month's Z (June) previewed 5 times, and five months sealed one after the other (June to
/// October); then a day's Z (1 November) previewed 5 times, and five days sealed.
fn close_of_day(journal: &mut Journal) {
    let started = Instant::now();
    let first = journal
        .close_day(midnight("2025-06-01"), "bench")
        .unwrap()
        .unwrap();
    println!(
        "first Z (January to May, sealed once): {:>7.1} ms  ({} operations)",
        started.elapsed().as_secs_f64() * 1000.0,
        first.report.total.operations
    );
    let (secs, z) = time(|| journal.preview_z(midnight("2025-07-01")).unwrap().unwrap());
    println!(
        "month's Z preview (June):             {:>8.1} ms  ({} operations, {} FCFA commissions)",
        secs * 1000.0,
        z.total.operations,
        z.commissions.unwrap_or_default()
    );
    let mut months = [
        "2025-07-01",
        "2025-08-01",
        "2025-09-01",
        "2025-10-01",
        "2025-11-01",
    ]
    .iter();
    let (secs, z) = time(|| {
        let end = months.next().unwrap();
        journal.close_day(midnight(end), "bench").unwrap().unwrap()
    });
    println!(
        "month's Z sealed (June to October):   {:>8.1} ms  (the last: n° {}, {} operations)",
        secs * 1000.0,
        z.report.number,
        z.report.total.operations
    );
    let (secs, z) = time(|| journal.preview_z(midnight("2025-11-02")).unwrap().unwrap());
    println!(
        "day's Z preview (1 November):         {:>8.1} ms  ({} operations)",
        secs * 1000.0,
        z.total.operations
    );
    let mut days = [
        "2025-11-02",
        "2025-11-03",
        "2025-11-04",
        "2025-11-05",
        "2025-11-06",
    ]
    .iter();
    let (secs, z) = time(|| {
        let end = days.next().unwrap();
        journal.close_day(midnight(end), "bench").unwrap().unwrap()
    });
    println!(
        "day's Z sealed (1 to 5 November):     {:>8.1} ms  (the last: n° {}, {} operations)",
        secs * 1000.0,
        z.report.number,
        z.report.total.operations
    );
    let (secs, listed) = time(|| match journal.z_list().unwrap() {
        caisse::report::z::ZReply::List { reports, faults } => (reports.len(), faults.len()),
        other => panic!("{other:?}"),
    });
    println!(
        "past Z reports and the chain's check: {:>8.1} ms  ({} reports, {} faults)",
        secs * 1000.0,
        listed.0,
        listed.1
    );
}
