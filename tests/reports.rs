//! History and reports on a real journal file: the export read back by the csv crate
//! (round trip, odd fields included), the JSON export, a report over a few rows, the
//! search by phone, the binary's `report` and `export` commands, and the report through
//! `caisse serve` (a cashier's own sales, a supervisor's whole shop).

use std::path::Path;
use std::process::Command;

use caisse::cli::export::{COLUMNS, values};
use caisse::cli::report::{ExportFormat, build, export_to};
use caisse::domain::{OpKind, TxStatus};
use caisse::journal::{Journal, TransactionRow, sample_row};
use caisse::report::{By, Period};
use caisse::session::{Link, LinkEvent, Request, Response};

mod support;

/// 2026-03-31 00:00 UTC, in ms.
const MARCH_31: i64 = 1_774_915_200_000;
const HOUR: i64 = 3_600_000;

/// A day's rows, with the fields a spreadsheet trips on, and one row the day after.
fn rows() -> Vec<TransactionRow> {
    let mut sale = sample_row(
        "v-1",
        "WAVE_SN_API_CASH_OUT",
        TxStatus::Refunded,
        MARCH_31 + 8 * HOUR,
    );
    sale.phone = Some("0701020304".into());
    sale.amount = Some(15_000);
    sale.gateway_tx_id = Some("139663910423".into());
    sale.cashier = "Aïssatou Ndiaye".into();
    sale.terminal = "pts/1".into();
    sale.final_at = Some(MARCH_31 + 8 * HOUR + 42_000);

    let mut refund = sample_row(
        "r-1",
        "WAVE_SN_API_CASH_OUT",
        TxStatus::Success,
        MARCH_31 + 9 * HOUR,
    );
    refund.kind = OpKind::Refund;
    refund.parent_id = Some("v-1".into());
    refund.amount = Some(15_000);
    refund.cashier = "Aïssatou Ndiaye".into();

    let mut failed = sample_row(
        "v-2",
        "ORANGE_SN_API_CASH_OUT",
        TxStatus::Failed,
        MARCH_31 + 10 * HOUR,
    );
    failed.phone = Some("+221 77 245 71 00".into());
    failed.amount = Some(2_500);
    failed.cashier = "Binta; \"la grande\"".into();
    failed.error_code = Some("insufficient_balance".into());
    failed.error_message =
        Some("Solde insuffisant ;\n« réessayez » plus tard, \"merci\"\r\nfin".into());

    let mut pending = sample_row(
        "v-3",
        "SENELEC_SN_BILL_PAY",
        TxStatus::Unknown,
        MARCH_31 + 23 * HOUR,
    );
    pending.amount = Some(27_684);
    pending.phone = Some("0701020304".into());

    let tomorrow = sample_row(
        "v-4",
        "WAVE_SN_API_CASH_OUT",
        TxStatus::Success,
        MARCH_31 + 24 * HOUR,
    );
    vec![sale, refund, failed, pending, tomorrow]
}

fn journal(dir: &Path) -> Journal {
    let mut journal = Journal::open(&dir.join("journal.db")).unwrap();
    journal.insert_rows_for_tests(rows()).unwrap();
    journal
}

fn march_31() -> Period {
    Period::parse("2026-03-31", "2026-03-31").unwrap()
}

/// The CSV as written (byte-order mark, `;`, quoting) parses back to the journal's rows,
/// field for field, accents, quotes, `;` and line breaks included.
#[test]
fn csv_export_reads_back_as_the_journal_rows() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal(dir.path());
    let mut out = Vec::new();
    export_to(&journal, march_31(), ExportFormat::Csv, &mut out).unwrap();

    let text = std::str::from_utf8(&out).unwrap();
    let body = text
        .strip_prefix('\u{feff}')
        .expect("UTF-8 byte-order mark first");
    assert!(body.starts_with("Opération;Nature;"), "{body}");
    assert!(body.contains("\r\n"), "RFC 4180 line ends");

    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body.as_bytes());
    let headings: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let expected: Vec<&str> = COLUMNS.iter().map(|(_, h)| *h).collect();
    assert_eq!(headings, expected);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();

    let in_day: Vec<TransactionRow> = ["v-1", "r-1", "v-2", "v-3"]
        .iter()
        .map(|id| journal.get(id).unwrap().unwrap())
        .collect();
    assert_eq!(
        records.len(),
        in_day.len(),
        "the day only, the next day left out"
    );
    for (record, row) in records.iter().zip(&in_day) {
        let cells: Vec<String> = values(row)
            .into_iter()
            .map(|v| match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect();
        assert_eq!(record.iter().collect::<Vec<_>>(), cells);
    }
    // The fields themselves, not only as `values` gives them.
    let field = |record: &csv::StringRecord, heading: &str| {
        let i = expected.iter().position(|h| *h == heading).unwrap();
        record[i].to_owned()
    };
    assert_eq!(field(&records[0], "Caissier"), "Aïssatou Ndiaye");
    assert_eq!(field(&records[0], "Téléphone"), "0701020304");
    assert_eq!(field(&records[0], "Montant (FCFA)"), "15000");
    assert_eq!(field(&records[0], "Créée le"), "2026-03-31 08:00:00");
    assert_eq!(field(&records[1], "Nature"), "remboursement");
    assert_eq!(field(&records[1], "Vente remboursée"), "v-1");
    assert_eq!(field(&records[2], "Caissier"), "Binta; \"la grande\"");
    assert_eq!(
        field(&records[2], "Message d'erreur"),
        "Solde insuffisant ;\n« réessayez » plus tard, \"merci\"\r\nfin"
    );
    assert_eq!(field(&records[3], "Statut"), "UNKNOWN");
}

/// The JSON export: one array, an object per operation, keys in the CSV's order.
#[test]
fn json_export_is_one_array_in_column_order() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal(dir.path());
    let mut out = Vec::new();
    export_to(&journal, march_31(), ExportFormat::Json, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let parsed: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed.len(), 4);
    assert_eq!(parsed[2]["caissier"], "Binta; \"la grande\"");
    assert_eq!(parsed[0]["montant"], 15_000);
    assert!(parsed[0]["code_erreur"].is_null());
    let first_keys: Vec<&str> = COLUMNS.iter().take(3).map(|(k, _)| *k).collect();
    let at = |k: &str| text.find(&format!("\"{k}\":")).unwrap();
    assert!(at(first_keys[0]) < at(first_keys[1]) && at(first_keys[1]) < at(first_keys[2]));

    // An empty period is an empty array.
    let mut out = Vec::new();
    let empty = Period::parse("2020-01-01", "2020-01-31").unwrap();
    export_to(&journal, empty, ExportFormat::Json, &mut out).unwrap();
    let parsed: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
    assert!(parsed.is_empty());
}

/// The journal's rows of the period, summed by `report::aggregate`'s rule.
#[test]
fn a_days_report_from_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal(dir.path());
    let report = build(&journal, march_31(), By::Operator).unwrap();
    let t = report.total;
    assert_eq!(t.operations, 4);
    assert_eq!((t.succeeded.count, t.succeeded.amount), (1, 15_000));
    assert_eq!((t.refunded.count, t.refunded.amount), (1, 15_000));
    assert_eq!((t.failed.count, t.failed.amount), (1, 2_500));
    assert_eq!((t.pending.count, t.pending.amount), (1, 27_684));
    assert_eq!(report.total_net, 0);
    let keys: Vec<&str> = report.groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["ORANGE", "SENELEC", "WAVE"]);

    let two_days = Period::parse("2026-03-31", "2026-04-01").unwrap();
    let report = build(&journal, two_days, By::Day).unwrap();
    assert_eq!(report.groups.len(), 2);
    assert_eq!(report.total.operations, 5);
}

#[test]
fn search_by_phone_finds_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal(dir.path());
    let found: Vec<String> = journal
        .search_phone("0701020304", 10)
        .unwrap()
        .into_iter()
        .map(|r| r.external_id)
        .collect();
    assert_eq!(found, ["v-3", "v-1"]);
    assert!(journal.search_phone("0000000000", 10).unwrap().is_empty());
}

fn caisse(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_caisse"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("CAISSE_DB", dir.join("journal.db"))
        .output()
        .unwrap()
}

/// The binary on a journal file: a French table with its totals, and a CSV with a BOM.
#[test]
fn the_report_and_export_commands() {
    let dir = tempfile::tempdir().unwrap();
    drop(journal(dir.path()));
    let out = caisse(
        dir.path(),
        &[
            "report",
            "--from",
            "2026-03-31",
            "--to",
            "2026-03-31",
            "--by",
            "cashier",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Rapport du 2026-03-31 au 2026-03-31"),
        "{stdout}"
    );
    assert!(stdout.contains("Aïssatou Ndiaye"), "{stdout}");
    let total = stdout.lines().find(|l| l.starts_with("Total")).unwrap();
    assert!(total.contains("27 684 FCFA"), "{total}");
    assert!(
        stdout.contains("1 opération(s) pas encore réglée(s)"),
        "{stdout}"
    );

    let out = caisse(
        dir.path(),
        &[
            "export",
            "--from",
            "2026-03-31",
            "--to",
            "2026-04-01",
            "--format",
            "csv",
        ],
    );
    assert!(out.status.success());
    assert!(out.stdout.starts_with("\u{feff}Opération;".as_bytes()));

    let out = caisse(
        dir.path(),
        &["report", "--from", "31/03/2026", "--to", "2026-03-31"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("AAAA-MM-JJ"));
}

async fn logged_in(socket: &Path, name: &str, pin: &str) -> Link {
    let link = Link::remote(socket.to_path_buf(), "pts/9".into());
    let mut events = link.subscribe();
    link.start("pts/9".into());
    tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while !matches!(events.recv().await, Ok(LinkEvent::Up { .. })) {}
    })
    .await
    .expect("the link comes up");
    let r = link
        .call(Request::Login {
            name: Some(name.into()),
            pin: pin.into(),
        })
        .await;
    assert!(matches!(r, Response::LoggedIn { .. }), "{r:?}");
    link
}

/// Through the service: a cashier's report counts their own sales only, a supervisor's the
/// whole shop's; `caisse report --socket` prints the service's answer.
#[tokio::test]
async fn the_report_through_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let service = support::service::start(dir.path(), None);
    let mut day = rows();
    day[0].cashier = "awa".into();
    Journal::open(&service.db)
        .unwrap()
        .insert_rows_for_tests(day)
        .unwrap();
    let request = Request::Report {
        period: march_31(),
        by: By::Cashier,
    };
    let awa = logged_in(&service.socket, "awa", "1234").await;
    let Response::Report(mine) = awa.call(request.clone()).await else {
        panic!("a report")
    };
    let keys: Vec<&str> = mine.groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["awa"]);
    assert_eq!(mine.total.operations, 1);
    let chef = logged_in(&service.socket, "chef", "9999").await;
    let Response::Report(shop) = chef.call(request).await else {
        panic!("a report")
    };
    assert_eq!(shop.total.operations, 4);

    let mut child = Command::new(env!("CARGO_BIN_EXE_caisse"))
        .args([
            "report",
            "--from",
            "2026-03-31",
            "--to",
            "2026-03-31",
            "--format",
            "json",
        ])
        .arg("--socket")
        .arg(&service.socket)
        .args(["--cashier", "chef"])
        .env("HOME", dir.path())
        .env_remove("CAISSE_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    writeln!(child.stdin.take().unwrap(), "9999").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["total"]["operations"], 4);
    assert_eq!(json["from"], "2026-03-31");
}

/// The journal beyond today through the service's socket: a supervisor walks a day's pages
/// (keyset cursors) and gets every operation once, newest first; a cashier searching a
/// phone number sees their own sales only; a reference finds its operation.
#[tokio::test]
async fn the_journal_beyond_today_is_paged_through_the_service() {
    use caisse::report::search::Search;
    let dir = tempfile::tempdir().unwrap();
    let service = support::service::start(dir.path(), None);
    // 25 operations, several at the same millisecond; every third one awa's.
    let made: Vec<TransactionRow> = (0..25)
        .map(|i| {
            let mut r = sample_row(
                &format!("h-{i:02}"),
                "WAVE_SN_API_CASH_OUT",
                TxStatus::Success,
                MARCH_31 + (i / 3) * HOUR,
            );
            r.phone = Some(if i % 2 == 0 { "772450001" } else { "772450002" }.into());
            r.amount = Some(1000 + i);
            r.gateway_tx_id = Some(format!("GW{i:04}"));
            r.cashier = if i % 3 == 0 { "awa" } else { "binta" }.into();
            r
        })
        .collect();
    Journal::open(&service.db)
        .unwrap()
        .insert_rows_for_tests(made)
        .unwrap();
    let first = |text: &str| Search {
        period: march_31(),
        text: text.into(),
        statuses: vec![],
        after: None,
        limit: 10,
    };
    let walk = |link: Link, mut search: Search| async move {
        let mut pages = Vec::new();
        loop {
            let r = link
                .call(Request::History {
                    search: search.clone(),
                })
                .await;
            let Response::Page { rows, next } = r else {
                panic!("a page: {r:?}")
            };
            pages.push(
                rows.iter()
                    .map(|r| r.external_id.clone())
                    .collect::<Vec<_>>(),
            );
            match next {
                Some(next) => search.after = Some(next),
                None => return pages,
            }
        }
    };
    let chef = logged_in(&service.socket, "chef", "9999").await;
    let pages = walk(chef.clone(), first("")).await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10, 5]);
    let mut expected: Vec<String> = (0..25).map(|i| format!("h-{i:02}")).collect();
    expected.reverse();
    assert_eq!(pages.concat(), expected);
    assert_eq!(walk(chef, first("GW0007")).await.concat(), ["h-07"]);
    let awa = logged_in(&service.socket, "awa", "1234").await;
    assert_eq!(
        walk(awa.clone(), first("77 245 00 01")).await.concat(),
        ["h-24", "h-18", "h-12", "h-06", "h-00"]
    );
    // Another cashier's sale is not found, even by its reference.
    assert!(walk(awa, first("GW0007")).await.concat().is_empty());
}

/// `caisse export` with PIN on stdin, through the service's socket: its stdout.
fn export_through(dir: &Path, socket: &Path, cashier: &str, pin: &str, format: &str) -> Vec<u8> {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_caisse"))
        .args([
            "export",
            "--from",
            "2026-03-31",
            "--to",
            "2026-03-31",
            "--format",
            format,
        ])
        .arg("--socket")
        .arg(socket)
        .args(["--cashier", cashier])
        .env("HOME", dir)
        .env_remove("CAISSE_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{pin}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A French-locale CSV read back: its records, every field.
fn records(csv_bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(csv_bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// `caisse export` through `caisse serve`: sent in pieces over the socket, read back it is
/// the local export, every row and every column (odd fields included), over three pieces;
/// the JSON too, byte for byte; a cashier's export holds their own operations only.
#[test]
fn an_export_through_the_service_is_the_local_export() {
    let dir = tempfile::tempdir().unwrap();
    let service = support::service::start(dir.path(), None);
    let mut made = rows();
    made[0].cashier = "awa".into();
    // Enough for three pieces, several sharing a millisecond.
    made.extend((0..2_300).map(|i| {
        let mut r = sample_row(
            &format!("m-{i:04}"),
            "ORANGE_SN_API_CASH_OUT",
            TxStatus::Success,
            MARCH_31 + 12 * HOUR + (i / 4) * 1_000,
        );
        r.amount = Some(100 + i);
        r.phone = Some(format!("77{i:07}"));
        r.cashier = if i % 10 == 0 { "awa" } else { "binta" }.into();
        r
    }));
    Journal::open(&service.db)
        .unwrap()
        .insert_rows_for_tests(made)
        .unwrap();
    let journal = Journal::open(&service.db).unwrap();
    let local = |format| {
        let mut out = Vec::new();
        export_to(&journal, march_31(), format, &mut out).unwrap();
        out
    };
    let local_csv = local(ExportFormat::Csv);
    let remote_csv = export_through(dir.path(), &service.socket, "chef", "9999", "csv");
    let (mine, theirs) = (records(&local_csv), records(&remote_csv));
    assert_eq!(
        theirs.len(),
        1 + 2_304,
        "headings and every operation of the day"
    );
    assert_eq!(theirs[0].len(), COLUMNS.len());
    for (i, (a, b)) in mine.iter().zip(&theirs).enumerate() {
        assert_eq!(a, b, "row {i}");
    }
    assert_eq!(mine.len(), theirs.len());
    assert_eq!(local_csv, remote_csv, "byte for byte");
    let remote_json = export_through(dir.path(), &service.socket, "chef", "9999", "json");
    assert_eq!(local(ExportFormat::Json), remote_json);
    let json: serde_json::Value = serde_json::from_slice(&remote_json).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2_304);
    // awa: her own only.
    let awa = records(&export_through(
        dir.path(),
        &service.socket,
        "awa",
        "1234",
        "csv",
    ));
    let cashier = COLUMNS.iter().position(|(k, _)| *k == "caissier").unwrap();
    assert_eq!(awa.len(), 1 + 1 + 230);
    assert!(awa[1..].iter().all(|r| r[cashier] == "awa"));
}
