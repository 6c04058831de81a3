//! Issue 13: printing a receipt from the app, end to end: the real binary in a real
//! terminal (tmux), in demo mode, with a fake ESC/POS printer on TCP configured. A deposit
//! paid, `i` on its success screen: the printer's bytes decode into the receipt's text and
//! a QR of the sale's reference. A printer that is off (nothing listening) gives the French
//! message on the screen and the sale stays successful.
//!
//! Needs tmux (`.ci/run` installs it).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use caisse::domain::TxStatus;
use caisse::journal::Journal;

mod support;
use support::printer::{ONLINE, Printer, decode, fake_printer};
use support::tmux::Tmux;

/// The app in demo mode with the shop and `printer` (`host:port`) configured.
fn app_with_printer(home: &Path, printer: &str) -> Tmux {
    let config = home.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[shop]\nname = \"Boutique Awa\"\naddress = \"Marché Sandaga, Dakar\"\n\n\
             [printer]\naddress = \"{printer}\"\nwidth = 32\ntimeout_secs = 1\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let cmd = format!(
        "env -i PATH={} HOME={} TERM=xterm-256color LANG=C.UTF-8 CAISSE_DB={} {} --config {}",
        std::env::var("PATH").unwrap_or_default(),
        home.display(),
        home.join("journal.db").display(),
        env!("CARGO_BIN_EXE_caisse"),
        config.display()
    );
    Tmux::run(&cmd, 80, 24)
}

/// A Wave deposit of 1 000 FCFA to 77 245 71 00, paid (a deposit needs no customer step):
/// the success screen is up.
fn deposit_paid(t: &Tmux) {
    t.wait_for("Que veut le client", Duration::from_secs(20));
    t.text("depot wave");
    t.keys(&["Enter"]);
    t.wait_for("Téléphone du client", Duration::from_secs(5));
    t.text("772457100");
    t.keys(&["Enter"]);
    t.text("1000");
    t.keys(&["Enter"]);
    t.wait_for("Vérifiez avec le client", Duration::from_secs(5));
    t.keys(&["Enter"]);
    t.wait_for("Dépôt effectué", Duration::from_secs(30));
}

fn the_sale(home: &Path) -> caisse::journal::TransactionRow {
    let rows = Journal::open(&home.join("journal.db"))
        .unwrap()
        .list_since(0, 10)
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows.into_iter().next().unwrap()
}

#[test]
fn i_on_the_success_screen_prints_the_receipt_and_its_qr() {
    let home = tempfile::tempdir().unwrap();
    let (printer, job) = fake_printer(Printer::Answers(ONLINE, ONLINE));
    let t = app_with_printer(home.path(), &printer);
    deposit_paid(&t);
    t.keys(&["i"]);
    t.wait_for("Reçu imprimé.", Duration::from_secs(10));
    let bytes = job
        .recv_timeout(Duration::from_secs(10))
        .expect("the printer got a job");
    let printed = decode(&bytes);
    let sale = the_sale(home.path());
    for want in [
        "Boutique Awa",
        "REÇU N° 000001",
        "1 000 FCFA",
        "77*****00",
        "RÉUSSI",
    ] {
        assert!(
            printed.text.contains(want),
            "« {want} » not printed:\n{}",
            printed.text
        );
    }
    assert!(!printed.text.contains("772457100"), "{}", printed.text);
    assert!(printed.text.lines().all(|l| l.chars().count() <= 32));
    assert_eq!(printed.qr, std::slice::from_ref(&sale.external_id));
    assert!(printed.cut);
    // The print is in the sale's history: the next one is a DUPLICATA.
    let events = Journal::open(&home.path().join("journal.db"))
        .unwrap()
        .events(&sale.external_id)
        .unwrap();
    assert!(events.iter().any(|e| e.kind == "receipt_printed"));
}

#[test]
fn a_printer_that_is_off_is_said_in_french_and_the_sale_stays_paid() {
    let home = tempfile::tempdir().unwrap();
    // A port nothing listens on: a printer switched off.
    let off = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let printer = off.local_addr().unwrap().to_string();
    drop(off);
    let t = app_with_printer(home.path(), &printer);
    deposit_paid(&t);
    t.keys(&["i"]);
    let screen = t.wait_for("imprimante injoignable", Duration::from_secs(10));
    assert!(screen.contains("Dépôt effectué"), "{screen}");
    let sale = the_sale(home.path());
    assert_eq!(sale.status, TxStatus::Success);
    let events = Journal::open(&home.path().join("journal.db"))
        .unwrap()
        .events(&sale.external_id)
        .unwrap();
    assert!(!events.iter().any(|e| e.kind == "receipt_printed"));
    // The app still answers: back to a new sale.
    t.keys(&["n"]);
    t.wait_for("Que veut le client", Duration::from_secs(5));
}
