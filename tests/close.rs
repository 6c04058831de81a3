//! `caisse close` (Z report) as a shop owner runs it: the real binary, after a real payment
//! through the sandbox, then on a journal with an operation still open: the text, the
//! refusal when nothing happened since the last Z, the CSV, the print on a device file, and
//! `--verify` naming a report altered with plain SQL; through `caisse serve`, supervisors
//! only.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use caisse::domain::TxStatus;
use caisse::journal::{Journal, sample_row};
use caisse::sandbox::{self, SandboxConfig, SandboxHandle};

mod support;
use support::cli::{self, text};

const KEY: &str = "cli-close-key";

async fn sandbox() -> SandboxHandle {
    let config = SandboxConfig {
        api_key: KEY.into(),
        processing_delay: Duration::from_millis(30),
        settle_delay: Duration::from_millis(30),
        auto_approve_delay: Duration::from_millis(300),
        payment_timeout: Duration::from_secs(2),
        status_window: Duration::from_secs(2),
        ..SandboxConfig::default()
    };
    sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

fn caisse(home: &Path, sb: Option<&SandboxHandle>, args: &[&str]) -> Output {
    cli::caisse(home, sb.map(|sb| (sb.url(), KEY)))
        .args(args)
        .output()
        .unwrap()
}

/// A payment through the sandbox, then the close: Z n° 1 with its total; a second close
/// with nothing new is refused (exit 1); the chain verifies, until report 1 is altered
/// with plain SQL: `--verify` names it (exit 8).
#[tokio::test(flavor = "multi_thread")]
async fn a_day_closes_once_and_an_altered_z_is_named() {
    let sb = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    tokio::task::block_in_place(|| {
        let out = caisse(
            h,
            Some(&sb),
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

        let out = caisse(h, Some(&sb), &["close", "--width", "48"]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(0), "{t}");
        assert!(t.contains("RAPPORT Z N° 000001"), "{t}");
        assert!(t.contains("Réussies (1)"), "{t}");
        assert!(t.contains("1 500 FCFA"), "{t}");
        assert!(t.contains("Tiroirs : non disponible"), "{t}");
        assert!(t.contains("Aucune opération en suspens."), "{t}");
        assert!(t.contains("Empreinte : "), "{t}");

        let out = caisse(h, Some(&sb), &["close"]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(
            text(&out).contains("rien à clôturer : aucune opération depuis le rapport Z n° 1"),
            "{}",
            text(&out)
        );

        let out = caisse(h, Some(&sb), &["close", "--verify"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(
            text(&out).contains("1 rapport(s) vérifié(s)"),
            "{}",
            text(&out)
        );

        let db = rusqlite::Connection::open(h.join("journal.db")).unwrap();
        let changed = db
            .execute(
                "UPDATE z_reports SET content = replace(content, '\"total_net\":1500', \
                 '\"total_net\":150') WHERE number = 1",
                [],
            )
            .unwrap();
        assert_eq!(changed, 1);
        drop(db);
        let out = caisse(h, Some(&sb), &["close", "--verify"]);
        assert_eq!(out.status.code(), Some(8), "{}", text(&out));
        assert!(
            text(&out).contains("rapport Z n° 1 altéré"),
            "{}",
            text(&out)
        );
    });
}

/// 2026-03-31 00:00 UTC, in ms.
const MARCH_31: i64 = 1_774_915_200_000;

fn open_day(h: &Path) {
    let mut journal = Journal::open(&h.join("journal.db")).unwrap();
    let mut sale = sample_row("v-1", "WAVE_SN_API_CASH_OUT", TxStatus::Success, MARCH_31);
    sale.amount = Some(15_000);
    let mut open = sample_row(
        "v-2",
        "SENELEC_SN_BILL_PAY",
        TxStatus::Unknown,
        MARCH_31 + 3_600_000,
    );
    open.amount = Some(27_684);
    open.final_at = None;
    journal.insert_rows_for_tests(vec![sale, open]).unwrap();
}

/// An operation still unknown at the close is listed by id as to follow; the CSV (French
/// spreadsheet: BOM, `;`) carries it, and the stored Z prints on a device file.
#[test]
fn the_operations_to_follow_in_text_csv_and_on_paper() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    open_day(h);
    let out = caisse(h, None, &["close", "--width", "32"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("À SUIVRE (1) : PAS FINALES"), "{t}");
    assert!(t.contains("\nv-2\n"), "{t}");
    assert!(t.contains("27 684 FCFA"), "{t}");

    let out = caisse(h, None, &["close", "--show", "1", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let csv = String::from_utf8(out.stdout).unwrap();
    let body = csv.strip_prefix('\u{feff}').expect("BOM first");
    assert!(
        body.starts_with("Rubrique;Clé;Libellé;Mesure;Nombre;Montant\r\n"),
        "{body}"
    );
    assert!(body.contains("À suivre;v-2;"), "{body}");
    assert!(body.contains(";UNKNOWN;1;27684\r\n"), "{body}");

    let device = h.join("lp0");
    std::fs::write(&device, b"").unwrap();
    let config = h.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[journal]\npath = \"{}\"\n\n[printer]\ndevice = \"{}\"\n",
            h.join("journal.db").display(),
            device.display()
        ),
    )
    .unwrap();
    let out = caisse(
        h,
        None,
        &[
            "--config",
            config.to_str().unwrap(),
            "close",
            "--show",
            "1",
            "--print",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let printed = std::fs::read(&device).unwrap();
    let ascii = String::from_utf8_lossy(&printed);
    assert!(ascii.contains("RAPPORT Z N"), "{ascii}");
    assert!(ascii.contains("v-2"), "{ascii}");

    let out = caisse(h, None, &["close", "--show", "7"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("aucun rapport Z n° 7"),
        "{}",
        text(&out)
    );
}

/// `caisse close` through the service (its socket): a PIN asked, then as `chef`.
fn close_through(
    service: &support::service::Service,
    cashier: &str,
    pin: &str,
    args: &[&str],
) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caisse"))
        .arg("close")
        .args(args)
        .arg("--socket")
        .arg(&service.socket)
        .args(["--cashier", cashier])
        .env("HOME", service.db.parent().unwrap())
        .env_remove("CAISSE_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    writeln!(child.stdin.take().unwrap(), "{pin}").unwrap();
    child.wait_with_output().unwrap()
}

/// Through `caisse serve`: a cashier may not close (denied, nothing made); the supervisor
/// closes, the Z is the service's journal's, made in the supervisor's name, and the chain
/// verifies from there too.
#[test]
fn through_the_service_only_a_supervisor_closes() {
    let dir = tempfile::tempdir().unwrap();
    let service = support::service::start(dir.path(), None);
    open_day(dir.path());

    let out = close_through(&service, "awa", "1234", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("réservé au superviseur"),
        "{}",
        text(&out)
    );
    let journal = Journal::open(&service.db).unwrap();
    assert_eq!(
        journal.z_report(1).unwrap(),
        None,
        "a cashier's close made nothing"
    );

    let out = close_through(&service, "chef", "9999", &["--width", "32"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("RAPPORT Z N° 000001"), "{t}");
    assert!(t.contains("\nv-2\n"), "{t}");
    let closed_by: String = rusqlite::Connection::open(&service.db)
        .unwrap()
        .query_row(
            "SELECT closed_by FROM z_reports WHERE number = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(closed_by, "chef");

    let out = close_through(&service, "chef", "9999", &["--verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("1 rapport(s) vérifié(s)"),
        "{}",
        text(&out)
    );
}

/// What the close-of-day screen asks, through `caisse serve`: the preview (`--preview`)
/// shows the next Z and stores nothing (a cashier is denied it too); the list (`--list`)
/// names a report altered with plain SQL (exit 8).
#[test]
fn through_the_service_the_preview_stores_nothing_and_the_list_names_the_altered_z() {
    let dir = tempfile::tempdir().unwrap();
    let service = support::service::start(dir.path(), None);
    open_day(dir.path());

    let out = close_through(&service, "awa", "1234", &["--preview"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("réservé au superviseur"),
        "{}",
        text(&out)
    );

    let out = close_through(&service, "chef", "9999", &["--preview", "--width", "32"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("APERÇU : rapport non enregistré"), "{t}");
    assert!(t.contains("RAPPORT Z N° 000001"), "{t}");
    assert!(!t.contains("Empreinte"), "{t}");
    let journal = Journal::open(&service.db).unwrap();
    assert_eq!(
        journal.z_report(1).unwrap(),
        None,
        "a preview stores nothing"
    );

    let out = close_through(&service, "chef", "9999", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = close_through(&service, "chef", "9999", &["--list"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("Z n° 000001"), "{t}");
    assert!(t.contains("intact"), "{t}");
    assert!(t.contains("Chaîne intacte : 1 rapport(s)"), "{t}");

    rusqlite::Connection::open(&service.db)
        .unwrap()
        .execute(
            "UPDATE z_reports SET content = replace(content, '15000', '1500') WHERE number = 1",
            [],
        )
        .unwrap();
    let out = close_through(&service, "chef", "9999", &["--list"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(8), "{t}");
    assert!(t.contains("ALTÉRÉ"), "{t}");
    assert!(t.contains("rapport Z n° 1 altéré"), "{t}");
}
