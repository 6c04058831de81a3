//! End to end: the real binary in a real terminal (tmux), in demo mode, driven by key
//! presses. (a) a Wave cash-out of 1 500 FCFA approved through the sandbox's customer
//! endpoint, (b) a Senelec bill picked from the pending list, (c) a deposit refused for
//! insufficient balance, (d) an Intram payment; after each, the journal holds the right row.
//!
//! Needs tmux (`.ci/run` installs it).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use caisse::domain::TxStatus;
use caisse::journal::Journal;

mod support;
use support::tmux;
use tmux::{Tmux, approve, link};

fn rows(path: &Path) -> Vec<caisse::journal::TransactionRow> {
    Journal::open(path).unwrap().list_since(0, 100).unwrap()
}

#[test]
fn four_sales_at_the_counter() {
    let home = tempfile::tempdir().unwrap();
    let journal = home.path().join("journal.db");
    let t = Tmux::start(home.path(), 120, 40);
    t.wait_for("Que veut le client", Duration::from_secs(20));
    t.wait_for("Solde : 250 000 FCFA", Duration::from_secs(10));

    // (a) Wave cash-out, 1 500 FCFA, approved by the customer.
    t.text("wave");
    t.keys(&["Enter"]);
    t.wait_for("Téléphone du client", Duration::from_secs(5));
    t.text("772457100");
    t.keys(&["Enter"]);
    t.text("1500");
    t.keys(&["Enter"]);
    t.wait_for("Vérifiez avec le client", Duration::from_secs(5));
    t.keys(&["Enter"]);
    let screen = t.wait_for("/deep/", Duration::from_secs(10));
    assert!(screen.contains("▀"), "the QR is drawn:\n{screen}");
    approve(&link(&screen));
    t.wait_for("Paiement réussi : 1 500 FCFA", Duration::from_secs(20));
    let r = rows(&journal);
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].service.as_str(), r[0].amount, r[0].status),
        ("WAVE_SN_API_CASH_OUT", Some(1500), TxStatus::Success)
    );

    // (b) A Senelec bill picked from the pending list.
    t.keys(&["n"]);
    t.wait_for("Que veut le client", Duration::from_secs(5));
    t.text("senelec");
    t.keys(&["Enter"]);
    t.wait_for("Numéro de contrat", Duration::from_secs(5));
    t.text("21050176023");
    t.keys(&["Enter"]);
    t.wait_for("3 facture(s) impayée(s)", Duration::from_secs(10));
    t.keys(&["Down", "Enter"]);
    t.wait_for("Référence de la facture", Duration::from_secs(5));
    t.text("772457199");
    t.keys(&["Enter"]);
    t.wait_for("Vérifiez avec le client", Duration::from_secs(5));
    t.keys(&["Enter"]);
    t.wait_for("Facture payée", Duration::from_secs(30));
    let r = rows(&journal);
    let bill = r
        .iter()
        .find(|x| x.service == "SENELEC_SN_BILL_PAY")
        .expect("the bill's row");
    assert_eq!(bill.status, TxStatus::Success);
    assert_eq!(bill.fields["accountNumber"], "21050176023");
    assert!(bill.fields["billReference"].as_str().unwrap().len() >= 5);

    // (c) A deposit above the shop's balance: refused before anything is sent.
    t.keys(&["n"]);
    t.wait_for("Que veut le client", Duration::from_secs(5));
    t.text("depot wave");
    t.keys(&["Enter"]);
    t.wait_for("Téléphone du client", Duration::from_secs(5));
    t.text("772450000");
    t.keys(&["Enter"]);
    t.text("300000");
    t.keys(&["Enter"]);
    t.wait_for("solde insuffisant", Duration::from_secs(5));
    assert_eq!(rows(&journal).len(), 2, "nothing was journalled or sent");
    // Back to the (filtered) catalogue, then clear the filter.
    t.keys(&["Escape", "Escape"]);

    // (d) An Intram payment.
    t.wait_for("Que veut le client", Duration::from_secs(5));
    t.text("intram");
    t.keys(&["Enter"]);
    t.wait_for("Montant (FCFA)", Duration::from_secs(5));
    t.text("2500");
    t.keys(&["Enter", "Enter"]);
    t.wait_for("Vérifiez avec le client", Duration::from_secs(5));
    t.keys(&["Enter"]);
    let screen = t.wait_for("/payment/gate/", Duration::from_secs(10));
    approve(&link(&screen));
    t.wait_for("Paiement réussi : 2 500 FCFA", Duration::from_secs(30));
    let r = rows(&journal);
    let intram = r
        .iter()
        .find(|x| x.gateway == caisse::domain::GatewayKind::Intram)
        .expect("the Intram row");
    assert_eq!(
        (intram.amount, intram.status),
        (Some(2500), TxStatus::Success)
    );

    // The journal screen lists the three sales (F3 from the home screen, where letters
    // are typed); Alt-q quits from the home screen.
    t.keys(&["n"]);
    t.wait_for("Que veut le client", Duration::from_secs(5));
    t.keys(&["F3"]);
    t.wait_for("Journal du jour — 3 opération(s)", Duration::from_secs(5));
    t.keys(&["Escape"]);
    t.wait_for("Que veut le client", Duration::from_secs(5));
    t.keys(&["M-q"]);
}

/// Issue 12 (14): at 80×24 a cashier types the customer's words into the catalogue; no
/// letter is an action (`paie` used to switch the country at its `p`). The actions are on
/// the F-keys and Alt with their letter, as the footer says.
#[test]
fn the_cashiers_words_filter_the_catalogue() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start(home.path(), 80, 24);
    let screen = t.wait_for("Que veut le client", Duration::from_secs(20));
    assert!(
        screen.contains("F10 Alt-q"),
        "the quit key shows:\n{screen}"
    );

    t.text("paie");
    let screen = t.wait_for("Filtre : paie", Duration::from_secs(5));
    assert!(screen.contains("Sénégal"), "the country stays:\n{screen}");
    assert!(screen.contains("Paiement"), "Intram's tile:\n{screen}");
    assert!(screen.contains("Encaisser"), "the cash-outs:\n{screen}");
    t.keys(&["Escape"]);
    t.wait_for("Que veut le client", Duration::from_secs(5));

    t.text("retrait");
    let screen = t.wait_for("Filtre : retrait", Duration::from_secs(5));
    assert!(screen.contains("(6 service(s)"), "{screen}");
    assert!(!screen.contains("Dépôt"), "only cash-outs:\n{screen}");
    t.text(" om");
    t.wait_for("Filtre : retrait om  (1 service(s)", Duration::from_secs(5));
    t.keys(&["Enter"]);
    let screen = t.wait_for("Téléphone du client", Duration::from_secs(5));
    assert!(
        screen.contains("Orange"),
        "Orange Money's cash-out:\n{screen}"
    );
    t.keys(&["Escape"]);
    t.wait_for("Filtre : retrait om", Duration::from_secs(5));
    t.keys(&["Escape"]);
    t.wait_for("Que veut le client", Duration::from_secs(5));

    // The actions without F-keys: Alt and the letter.
    t.keys(&["M-p"]);
    t.wait_for("Côte d'Ivoire", Duration::from_secs(5));
    t.keys(&["M-j"]);
    t.wait_for("Journal du jour", Duration::from_secs(5));
    t.keys(&["Escape"]);
    t.wait_for("Que veut le client", Duration::from_secs(5));
    t.remain_on_exit();
    t.keys(&["M-q"]);
    assert!(t.wait_dead(Duration::from_secs(10)), "Alt-q quits");
}

/// The layout follows the terminal's size: SIGWINCH, which the app hears itself since it
/// reads its input without crossterm (issue 9, C7).
#[test]
fn the_screen_follows_the_terminal_size() {
    let starts_a_row =
        |n: u8| move |screen: &str| screen.lines().any(|l| l.starts_with(&format!("┌{n} ")));
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start(home.path(), 100, 32);
    let screen = t.wait_for("Que veut le client", Duration::from_secs(20));
    assert!(starts_a_row(7)(&screen), "six tiles a row:\n{screen}");
    t.resize(80, 24);
    t.wait_until("five tiles a row", starts_a_row(6), Duration::from_secs(5));
}

/// SIGHUP (the SSH connection drops) and SIGTERM (the service manager) end the app at
/// once with the terminal restored (tmux keeps the dead pane: it shows the normal screen,
/// not the app's) and the journal intact.
#[test]
fn sighup_and_sigterm_end_the_app_with_the_terminal_restored() {
    for signal in ["-HUP", "-TERM"] {
        let home = tempfile::tempdir().unwrap();
        let t = Tmux::start(home.path(), 80, 24);
        let set = Command::new("tmux")
            .args(["-L", &t.socket, "set-option", "-g", "remain-on-exit", "on"])
            .status()
            .unwrap();
        assert!(set.success());
        t.wait_for("Que veut le client", Duration::from_secs(20));
        let out = Command::new("tmux")
            .args(["-L", &t.socket, "list-panes", "-F", "#{pane_pid}"])
            .output()
            .unwrap();
        // The pane runs `env … caisse`: env execs caisse, so the pane's pid is the app's.
        let pane = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert!(
            Command::new("kill")
                .args([signal, &pane])
                .status()
                .unwrap()
                .success()
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let dead = Command::new("tmux")
                .args(["-L", &t.socket, "list-panes", "-F", "#{pane_dead}"])
                .output()
                .unwrap();
            if String::from_utf8_lossy(&dead.stdout).trim() == "1" {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{signal}: the app is still running"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let screen = t.screen();
        assert!(
            !screen.contains("Que veut le client"),
            "{signal}: the app's screen was left behind:\n{screen}"
        );
        assert!(
            screen.contains("aucun argent réel ne circule"),
            "{signal}: the normal screen is back:\n{screen}"
        );
        let journal = Journal::open(&home.path().join("journal.db")).unwrap();
        assert_eq!(journal.integrity_check().unwrap(), "ok");
    }
}

/// Issue 12 (6): the sandbox holds the reply of a deposit to a number ending in 94 for 90 s
/// (the client gives up at 60 s) while the deposit goes through and its callback arrives
/// within seconds: the payment screen leaves « Envoi à la passerelle… » on the callback,
/// while the send still waits for its reply.
#[test]
fn a_callback_before_a_slow_reply_settles_the_payment_screen() {
    let home = tempfile::tempdir().unwrap();
    let journal = home.path().join("journal.db");
    let t = Tmux::start(home.path(), 100, 30);
    t.wait_for("Que veut le client", Duration::from_secs(20));
    t.text("depot wave");
    t.keys(&["Enter"]);
    t.wait_for("Téléphone du client", Duration::from_secs(5));
    t.text("772450094");
    t.keys(&["Enter"]);
    t.text("1000");
    t.keys(&["Enter"]);
    t.wait_for("Vérifiez avec le client", Duration::from_secs(5));
    t.keys(&["Enter"]);
    t.wait_for("Envoi à la passerelle", Duration::from_secs(5));
    // Well inside the client's 60 s timeout: only the callback can have settled it.
    let screen = t.wait_until(
        "the deposit's success",
        |s| s.contains('✓') && s.contains("1 000 FCFA"),
        Duration::from_secs(30),
    );
    assert!(!screen.contains("Envoi à la passerelle"), "{screen}");
    let r = rows(&journal);
    assert_eq!((r.len(), r[0].status), (1, TxStatus::Success));
    assert_eq!(r[0].answered_at, None, "the reply has not come yet");
}

/// Issue 12 (9, 8): a cash-out left with `n` is reopened from the journal (its QR and link
/// again), left again, and when the customer pays, the home screen says so and its header
/// shows the new balance.
#[test]
fn a_sale_left_is_reopened_from_the_journal_and_announced_when_paid() {
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start(home.path(), 120, 40);
    t.wait_for("Que veut le client", Duration::from_secs(20));
    t.text("wave");
    t.keys(&["Enter"]);
    t.wait_for("Téléphone du client", Duration::from_secs(5));
    t.text("772457100");
    t.keys(&["Enter"]);
    t.text("1500");
    t.keys(&["Enter"]);
    t.wait_for("Vérifiez avec le client", Duration::from_secs(5));
    t.keys(&["Enter"]);
    let screen = t.wait_for("/deep/", Duration::from_secs(10));
    let deep = link(&screen);
    // The cashier goes on; the customer comes back later.
    t.keys(&["n"]);
    t.wait_for("Que veut le client", Duration::from_secs(5));
    t.keys(&["F3"]);
    t.wait_for("Journal du jour — 1 opération(s)", Duration::from_secs(5));
    t.keys(&["p"]);
    let screen = t.wait_for("/deep/", Duration::from_secs(5));
    assert!(screen.contains("▀"), "the QR is drawn again:\n{screen}");
    assert_eq!(link(&screen), deep);
    t.keys(&["n"]);
    t.wait_for("Que veut le client", Duration::from_secs(5));
    assert!(!t.bell_rang(), "no bell before the sale settles");
    approve(&deep);
    let screen = t.wait_for("Vente laissée", Duration::from_secs(20));
    assert!(
        screen.contains("1 500 FCFA") && screen.contains("772457100"),
        "{screen}"
    );
    assert!(
        screen.contains("Que veut le client"),
        "on the home screen:\n{screen}"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while !t.bell_rang() {
        assert!(Instant::now() < deadline, "the bell never rang");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Item 8: settled in the background, the sale shows in the header's balance.
    t.wait_for("Solde : 251 500 FCFA", Duration::from_secs(10));
}

/// Issue 12 (11): a WhatsApp message sent at the counter reads "Message envoyé" with the fee
/// the server charged, and the journal holds that fee as the sale's amount.
#[test]
fn a_whatsapp_message_shows_and_keeps_its_fee() {
    let home = tempfile::tempdir().unwrap();
    let journal = home.path().join("journal.db");
    let t = Tmux::start(home.path(), 80, 24);
    t.wait_for("Que veut le client", Duration::from_secs(20));
    t.text("message");
    t.wait_for("Filtre : message  (1 service(s)", Duration::from_secs(5));
    t.keys(&["Enter"]);
    t.wait_for("Téléphone du client", Duration::from_secs(5));
    t.text("772450000");
    t.keys(&["Enter"]);
    t.text("Votre reçu");
    t.keys(&["Enter"]);
    t.wait_for("Vérifiez avec le client", Duration::from_secs(5));
    t.keys(&["Enter"]);
    let screen = t.wait_for("Message envoyé", Duration::from_secs(20));
    let r = rows(&journal);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].service, "WHATSAPP_MESSAGING");
    let fee = r[0].amount.expect("the fee is journaled");
    assert!(fee > 0);
    let shown = format!("Message envoyé : {fee} FCFA");
    assert!(screen.contains(&shown), "{shown}:\n{screen}");
}

/// Issue 13 (close of day): in demo mode, after a sale, Alt-z opens « Clôture » with the
/// preview of Z n° 1; `s` asks, Enter answers nothing, `o` seals it; the sealed Z shows its
/// number, the journal holds it in an intact chain, and `l` lists it as intact.
#[test]
fn a_z_is_sealed_from_the_app_in_demo_mode() {
    let home = tempfile::tempdir().unwrap();
    let journal = home.path().join("journal.db");
    let t = Tmux::start(home.path(), 120, 40);
    t.wait_for("Que veut le client", Duration::from_secs(20));
    t.text("wave");
    t.keys(&["Enter"]);
    t.wait_for("Téléphone du client", Duration::from_secs(5));
    t.text("772457100");
    t.keys(&["Enter"]);
    t.text("1500");
    t.keys(&["Enter"]);
    t.wait_for("Vérifiez avec le client", Duration::from_secs(5));
    t.keys(&["Enter"]);
    let screen = t.wait_for("/deep/", Duration::from_secs(10));
    approve(&link(&screen));
    t.wait_for("Paiement réussi : 1 500 FCFA", Duration::from_secs(20));
    t.keys(&["n"]);
    t.wait_for("Que veut le client", Duration::from_secs(5));

    t.keys(&["M-z"]);
    t.wait_for("aperçu du rapport Z n° 1", Duration::from_secs(10));
    t.keys(&["s"]);
    t.wait_for("Sceller le rapport Z ?", Duration::from_secs(5));
    t.keys(&["Enter"]);
    t.keys(&["o"]);
    t.wait_for("Rapport Z n° 1 scellé", Duration::from_secs(10));
    let j = Journal::open(&journal).unwrap();
    assert_eq!(j.verify_z_chain().unwrap(), (1, vec![]));
    let z = j.z_report(1).unwrap().expect("Z n° 1 is stored");
    assert_eq!(z.report.total.succeeded.amount, 1500);

    t.keys(&["l"]);
    t.wait_for("chaîne intacte (1 rapport(s))", Duration::from_secs(10));
    t.keys(&["Escape"]);
    // Sealed: nothing left to close.
    t.wait_for("rien à clôturer", Duration::from_secs(10));
    t.keys(&["Escape"]);
    t.wait_for("Que veut le client", Duration::from_secs(5));
}
