//! `caisse receipt`: the receipt of a final operation from a real journal, as text and on a
//! fake ESC/POS printer (a TCP listener in the test) whose bytes are decoded back into the
//! printed text and the QR's payload (the data of the `GS ( k` store command). A printer
//! that refuses, never answers or has no paper gives a French error and the sale stays
//! as it was.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::mpsc;
use std::time::Duration;

use caisse::domain::TxStatus;
use caisse::domain::lifecycle::Write as RowWrite;
use caisse::journal::{Journal, NewTransaction};
use serde_json::json;

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

/// How the fake printer behaves.
#[derive(Clone, Copy)]
enum Printer {
    /// Answers the status requests with these bytes (printer, paper), then takes the job.
    Answers(u8, u8),
    /// Accepts the connection, never reads nor answers.
    Silent,
}

/// Online, cover closed, no error: `0xx1xx10` with the flags at 0.
const ONLINE: u8 = 0x12;
/// Roll paper sensor: paper end (bits 5 and 6).
const PAPER_END: u8 = 0x12 | 0x60;

/// A fake printer on 127.0.0.1: its address, and the bytes of the one job it received.
fn fake_printer(mode: Printer) -> (String, mpsc::Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        match mode {
            Printer::Silent => {
                // Held open, never read nor answered, for as long as the test runs.
                let _held = stream;
                loop {
                    std::thread::park();
                }
            }
            Printer::Answers(printer, paper) => {
                let _ = tx.send(take_job(&mut stream, printer, paper));
            }
        }
    });
    (address, rx)
}

/// Reads until the client closes, answering each `DLE EOT n` as it comes.
fn take_job(stream: &mut TcpStream, printer: u8, paper: u8) -> Vec<u8> {
    let mut job = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return job,
            Ok(n) => n,
        };
        let start = job.len().saturating_sub(2);
        job.extend_from_slice(&chunk[..n]);
        for i in start..job.len().saturating_sub(2) {
            if job[i] == 0x10 && job[i + 1] == 0x04 {
                let answer = if job[i + 2] == 4 { paper } else { printer };
                stream.write_all(&[answer]).unwrap();
            }
        }
    }
}

/// What a receipt printer makes of the bytes: the text (PC858 decoded, line feeds from
/// `ESC d n`) and the data of each QR stored with `GS ( k … 1 P 0`. Any command this does
/// not know fails the test: the receipt must be made of known ones only.
struct Printed {
    text: String,
    qr: Vec<String>,
    cut: bool,
}

fn pc858(byte: u8) -> char {
    match byte {
        0x80 => 'Ç',
        0x82 => 'é',
        0x83 => 'â',
        0x85 => 'à',
        0x87 => 'ç',
        0x88 => 'ê',
        0x89 => 'ë',
        0x8A => 'è',
        0x8B => 'ï',
        0x8C => 'î',
        0x90 => 'É',
        0x93 => 'ô',
        0x96 => 'û',
        0x97 => 'ù',
        0xF8 => '°',
        b if b < 0x80 => b as char,
        other => panic!("byte {other:#04x} outside the French letters of PC858"),
    }
}

fn decode(bytes: &[u8]) -> Printed {
    let mut out = Printed {
        text: String::new(),
        qr: Vec::new(),
        cut: false,
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0x10 if bytes.get(i + 1) == Some(&0x04) => {
                // DLE EOT n (the crate adds a NUL, which printers ignore).
                i += 3;
                if bytes.get(i) == Some(&0) {
                    i += 1;
                }
            }
            0x1B => {
                let (cmd, arg) = (bytes[i + 1], bytes.get(i + 2).copied());
                match cmd {
                    b'@' => i += 2,
                    b't' => {
                        assert_eq!(arg, Some(19), "page code PC858");
                        i += 3;
                    }
                    b'a' | b'E' => i += 3,
                    b'd' => {
                        for _ in 0..arg.unwrap() {
                            out.text.push('\n');
                        }
                        i += 3;
                    }
                    other => panic!("unknown ESC {:?}", other as char),
                }
            }
            0x1D => match bytes[i + 1] {
                b'(' if bytes[i + 2] == b'k' => {
                    let len = bytes[i + 3] as usize + 256 * bytes[i + 4] as usize;
                    let params = &bytes[i + 5..i + 5 + len];
                    if params[..3] == [49, 80, 48] {
                        out.qr
                            .push(String::from_utf8(params[3..].to_vec()).unwrap());
                    }
                    i += 5 + len;
                }
                b'V' => {
                    out.cut = true;
                    i += 4;
                }
                other => panic!("unknown GS {:?}", other as char),
            },
            b => {
                out.text.push(pc858(b));
                i += 1;
            }
        }
    }
    out
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
