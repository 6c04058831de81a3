//! `caisse receipt`: the receipt of a final operation from a real journal, as text and on a
//! fake ESC/POS printer (a TCP listener in the test) whose bytes are decoded back into the
//! printed text and the QR's payload (the data of the `GS ( k` store command). A printer
//! that refuses, never answers or has no paper gives a French error and the sale stays
//! as it was.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use caisse::domain::TxStatus;
use caisse::domain::lifecycle::Write as RowWrite;
use caisse::journal::{Journal, NewTransaction};
use serde_json::json;

mod support;
use support::printer::{ONLINE, PAPER_END, Printer, decode, fake_printer};

const SALE: &str = "vente-0001";

/// A journal with one successful Wave cash-out (fees in its details, the commission in its
/// callback, a card number masked in its fields), and a config naming it and the printer.
fn shop(printer: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("journal.db");
    let mut j = Journal::open(&journal_path).unwrap();
    let sale = NewTransaction {
        external_id: SALE.into(),
        gateway: caisse::domain::GatewayKind::Intech,
        service: "WAVE_SN_API_CASH_OUT".into(),
        phone: Some("772457100".into()),
        amount: Some(12_500),
        fields: json!({"cardNumber": "531234******9876"}),
        cashier: "awa".into(),
        terminal: "pts/1".into(),
    };
    j.insert_intent(&sale, "me", 10_000, 1_764_545_000_000)
        .unwrap();
    let mut details = std::collections::BTreeMap::new();
    details.insert("fees".into(), json!(100));
    let reply = RowWrite {
        status: Some(TxStatus::Pending),
        gateway_tx_id: Some("139663910423".into()),
        details,
        ..RowWrite::default()
    };
    j.apply(SALE, &reply, "reply", &json!({}), 1_764_545_100_000)
        .unwrap();
    j.record_event(
        Some(SALE),
        "callback",
        &json!({"callback": {"commission": 125}}),
        1_764_545_300_000,
    )
    .unwrap();
    let done = RowWrite {
        status: Some(TxStatus::Success),
        ..RowWrite::default()
    };
    j.apply(SALE, &done, "callback", &json!({}), 1_764_545_340_000)
        .unwrap();
    let mut config = format!(
        "[journal]\npath = \"{}\"\n\n[shop]\nname = \"Boutique Awa\"\naddress = \"Marché Sandaga, Dakar\"\n",
        journal_path.display()
    );
    if let Some(address) = printer {
        config.push_str(&format!(
            "\n[printer]\naddress = \"{address}\"\nwidth = 48\ntimeout_secs = 1\n"
        ));
    }
    let config_path = dir.path().join("config.toml");
    std::fs::write(&config_path, config).unwrap();
    (dir, config_path)
}

fn caisse(dir: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caisse"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        // Demo mode (no gateway) otherwise keeps its own journal beside this one.
        .env("CAISSE_DB", dir.join("journal.db"))
        .output()
        .unwrap()
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn print_events(config_dir: &Path) -> usize {
    let j = Journal::open(&config_dir.join("journal.db")).unwrap();
    j.events(SALE)
        .unwrap()
        .iter()
        .filter(|e| e.kind == "receipt_printed")
        .count()
}

#[test]
fn the_receipt_reaches_the_printer_as_text_and_a_qr_of_the_reference() {
    let (printer, job) = fake_printer(Printer::Answers(ONLINE, ONLINE));
    let (dir, config) = shop(Some(&printer));
    let output = caisse(dir.path(), &config, &["receipt", SALE, "--print"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("REÇU N° 000001"), "{stdout}");
    let printed = decode(&job.recv_timeout(Duration::from_secs(10)).unwrap());
    for want in [
        "Boutique Awa",
        "Marché Sandaga, Dakar",
        "REÇU N° 000001",
        "30/11/2025 23:29",
        "awa",
        "77*****00",
        "12 500 FCFA",
        "Frais",
        "100 FCFA",
        "Commission",
        "125 FCFA",
        "139663910423",
        "RÉUSSI",
        SALE,
    ] {
        assert!(
            printed.text.contains(want),
            "« {want} » not printed:\n{}",
            printed.text
        );
    }
    for never in ["772457100", "9876", "DUPLICATA"] {
        assert!(
            !printed.text.contains(never),
            "« {never} » printed:\n{}",
            printed.text
        );
    }
    assert!(printed.text.lines().all(|l| l.chars().count() <= 48));
    assert_eq!(printed.qr, [SALE]);
    assert!(printed.cut);
    assert!(stderr.contains("Reçu imprimé"), "{stderr}");
    assert_eq!(print_events(dir.path()), 1);
}

#[test]
fn a_second_print_is_marked_duplicata() {
    let (printer, first) = fake_printer(Printer::Answers(ONLINE, ONLINE));
    let (dir, config) = shop(Some(&printer));
    let output = caisse(dir.path(), &config, &["receipt", SALE, "--print"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output).1);
    first.recv_timeout(Duration::from_secs(10)).unwrap();
    // The printer is the same; the fake takes one job per listener, so a second one.
    let (again, second) = fake_printer(Printer::Answers(ONLINE, ONLINE));
    let config_text = std::fs::read_to_string(&config)
        .unwrap()
        .replace(&printer, &again);
    std::fs::write(&config, config_text).unwrap();
    let output = caisse(dir.path(), &config, &["receipt", SALE, "--print"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("DUPLICATA"), "{stdout}");
    let printed = decode(&second.recv_timeout(Duration::from_secs(10)).unwrap());
    assert!(
        printed.text.contains("*** DUPLICATA ***"),
        "{}",
        printed.text
    );
    assert!(printed.text.contains("REÇU N° 000001"), "same number");
    assert_eq!(print_events(dir.path()), 2);
}

/// What the sale looks like in the journal, to check a failed print left it alone.
fn sale_row(dir: &Path) -> caisse::journal::TransactionRow {
    Journal::open(&dir.join("journal.db"))
        .unwrap()
        .get(SALE)
        .unwrap()
        .unwrap()
}

fn assert_print_fails(printer: &str, says: &str) {
    let (dir, config) = shop(Some(printer));
    let before = sale_row(dir.path());
    let output = caisse(dir.path(), &config, &["receipt", SALE, "--print"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains(says), "{stderr}");
    assert!(stderr.contains("la vente n'est pas touchée") || says.contains("papier"));
    // The text was still shown; the sale and its history are as they were.
    assert!(stdout.contains("REÇU N° 000001"));
    assert_eq!(sale_row(dir.path()), before);
    assert_eq!(print_events(dir.path()), 0);
}

#[test]
fn a_printer_that_refuses_the_connection_is_reported_in_french() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap().to_string();
    drop(closed);
    assert_print_fails(&address, "connexion refusée");
}

#[test]
fn a_printer_that_accepts_but_never_answers_is_reported_not_waited_for() {
    let (printer, _job) = fake_printer(Printer::Silent);
    assert_print_fails(&printer, "ne répond pas");
}

#[test]
fn a_printer_out_of_paper_is_reported() {
    let (printer, _job) = fake_printer(Printer::Answers(ONLINE, PAPER_END));
    assert_print_fails(&printer, "n'a plus de papier");
}

#[test]
fn the_text_fits_a_58_mm_roll() {
    let (dir, config) = shop(None);
    let output = caisse(dir.path(), &config, &["receipt", SALE, "--width", "32"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.lines().all(|l| l.chars().count() <= 32), "{stdout}");
    assert!(stdout.contains("Boutique Awa") && stdout.contains("77*****00"));
    let output = caisse(dir.path(), &config, &["receipt", SALE, "--print"]);
    assert_eq!(output.status.code(), Some(3), "no printer configured");
    assert!(text(&output).1.contains("aucune imprimante configurée"));
}

#[test]
fn no_receipt_for_an_operation_unknown_or_not_final() {
    let (dir, config) = shop(None);
    let output = caisse(dir.path(), &config, &["receipt", "inconnue"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).1.contains("aucune opération inconnue"));
    let mut j = Journal::open(&dir.path().join("journal.db")).unwrap();
    let open = NewTransaction {
        external_id: "en-cours".into(),
        gateway: caisse::domain::GatewayKind::Intech,
        service: "WAVE_SN_API_CASH_OUT".into(),
        phone: Some("772457101".into()),
        amount: Some(500),
        fields: json!({}),
        cashier: "awa".into(),
        terminal: "pts/1".into(),
    };
    j.insert_intent(&open, "me", 10_000, 1_000).unwrap();
    let output = caisse(dir.path(), &config, &["receipt", "en-cours"]);
    assert_eq!(output.status.code(), Some(7));
    assert!(text(&output).1.contains("pas encore finale"));
}

#[test]
fn the_status_command_names_the_receipt() {
    let (dir, config) = shop(None);
    let output = caisse(dir.path(), &config, &["status", SALE]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("Reçu          : n° 000001 (caisse receipt vente-0001)"),
        "{stdout}"
    );
}

/// In demo mode (no gateway configured) the sales are in `demo-journal.db` beside the
/// configured journal: `caisse receipt` reads them there, as `caisse status` does.
#[test]
fn in_demo_mode_the_receipt_comes_from_the_demo_journal() {
    let (dir, config) = shop(None);
    std::fs::rename(
        dir.path().join("journal.db"),
        dir.path().join("demo-journal.db"),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_caisse"))
        .arg("--config")
        .arg(&config)
        .args(["receipt", SALE])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("REÇU N° 000001"), "{stdout}");
}

/// `[printer] device`: the same bytes go to a device file (`/dev/usb/lp0` in a shop; a
/// plain file here), without a status request.
#[test]
fn a_receipt_goes_to_a_device_file() {
    let (dir, config) = shop(None);
    let device = dir.path().join("lp0");
    std::fs::write(&device, b"").unwrap();
    let mut text_config = std::fs::read_to_string(&config).unwrap();
    text_config.push_str(&format!("\n[printer]\ndevice = \"{}\"\n", device.display()));
    std::fs::write(&config, text_config).unwrap();
    let output = caisse(dir.path(), &config, &["receipt", SALE, "--print"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output).1);
    let printed = decode(&std::fs::read(&device).unwrap());
    assert!(printed.text.contains("REÇU N° 000001"), "{}", printed.text);
    assert!(printed.text.lines().all(|l| l.chars().count() <= 32));
    assert_eq!(printed.qr, [SALE]);
    assert_eq!(print_events(dir.path()), 1);
}

/// `[printer] device` whose file `prepare` sets up in the directory: `caisse receipt
/// --print` fails with `says` (exit 4), the text still shown, the sale untouched.
fn assert_device_fails(prepare: impl FnOnce(&Path) -> PathBuf, says: &str) {
    let (dir, config) = shop(None);
    let device = prepare(dir.path());
    let mut text_config = std::fs::read_to_string(&config).unwrap();
    // A long timeout: only the check's own answer, never the deadline, can end it quickly.
    text_config.push_str(&format!(
        "\n[printer]\ndevice = \"{}\"\ntimeout_secs = 30\n",
        device.display()
    ));
    std::fs::write(&config, text_config).unwrap();
    let before = sale_row(dir.path());
    let output = caisse(dir.path(), &config, &["receipt", SALE, "--print"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains(says), "{stderr}");
    assert!(stderr.contains("la vente n'est pas touchée"), "{stderr}");
    assert!(stdout.contains("REÇU N° 000001"));
    assert_eq!(sale_row(dir.path()), before);
    assert_eq!(print_events(dir.path()), 0);
}

/// Issue 13: an unplugged USB printer's node is gone: said before anything is written.
#[test]
fn a_device_that_does_not_exist_is_a_printer_to_plug_in() {
    assert_device_fails(|dir| dir.join("lp0"), "imprimante absente");
}

#[test]
fn a_read_only_device_file_is_refused_in_french() {
    use std::os::unix::fs::PermissionsExt;
    assert_device_fails(
        |dir| {
            let path = dir.join("lp0");
            std::fs::write(&path, b"").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
            path
        },
        "lecture seule",
    );
}

/// A FIFO nobody reads, as a printer that takes nothing: opening it to write would wait
/// forever; the check answers at once.
#[test]
fn a_fifo_without_a_reader_does_not_block_the_print() {
    assert_device_fails(
        |dir| {
            let path = dir.join("lp0");
            let made = Command::new("mkfifo").arg(&path).status().unwrap();
            assert!(made.success());
            path
        },
        "imprimante débranchée ou éteinte",
    );
}
