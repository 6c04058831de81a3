//! Money moves only when the cashier means it (issue 12, items 1–4), end to end: the real
//! binary in demo mode in a real terminal (tmux), driven by the keys and pastes a cashier
//! would make. A paste never sends; a refund, a second identical sale and leaving with a
//! sale pending are asked first, and Enter never answers the question.
//!
//! Needs tmux (`.ci/run` installs it).

use std::path::Path;
use std::time::Duration;

use caisse::domain::{OpKind, TxStatus};
use caisse::journal::Journal;

mod support;
use support::tmux;
use tmux::{Tmux, approve, link};

const SHORT: Duration = Duration::from_secs(5);
const LONG: Duration = Duration::from_secs(30);

fn rows(path: &Path) -> Vec<caisse::journal::TransactionRow> {
    Journal::open(path).unwrap().list_since(0, 100).unwrap()
}

fn started(home: &Path) -> Tmux {
    let t = Tmux::start(home, 100, 30);
    t.wait_for("Que veut le client", Duration::from_secs(20));
    t.wait_for("Solde : 250 000 FCFA", Duration::from_secs(10));
    t
}

/// A Wave cash-out typed and confirmed; its QR shown (pending).
fn wave_cash_out(t: &Tmux, phone: &str, amount: &str) -> String {
    t.text("wave");
    t.keys(&["Enter"]);
    t.wait_for("Téléphone du client", SHORT);
    t.text(phone);
    t.keys(&["Enter"]);
    t.text(amount);
    t.keys(&["Enter"]);
    t.wait_for("Vérifiez avec le client", SHORT);
    t.keys(&["Enter"]);
    t.wait_for("/deep/", Duration::from_secs(10))
}

#[test]
fn a_pasted_phone_amount_and_newlines_on_the_deposit_form_send_nothing() {
    let home = tempfile::tempdir().unwrap();
    let journal = home.path().join("journal.db");
    let t = started(home.path());
    t.text("depot wave");
    t.keys(&["Enter"]);
    t.wait_for("Téléphone du client", SHORT);
    t.paste("772450000\n1000\n\n");
    // Had the newlines been Enter, the form would have moved on (and sent); the next key
    // still lands in the phone field, after the pasted digits.
    t.text("5");
    let screen = t.wait_for("77245000010005", SHORT);
    assert!(!screen.contains("Vérifiez avec le client"), "{screen}");
    assert!(rows(&journal).is_empty(), "nothing was journaled or sent");
}

#[test]
fn a_refund_shows_what_goes_back_and_waits_for_o() {
    let home = tempfile::tempdir().unwrap();
    let journal = home.path().join("journal.db");
    let t = started(home.path());
    let screen = wave_cash_out(&t, "772457100", "1500");
    approve(&link(&screen));
    t.wait_for("réussi", LONG);
    assert_eq!(rows(&journal)[0].status, TxStatus::Success);
    t.keys(&["r"]);
    let question = t.wait_for("Rembourser cette vente ?", SHORT);
    assert!(question.contains("772457100"), "{question}");
    assert!(question.contains("Wave"), "{question}");
    // A double Enter answers nothing.
    t.keys(&["Enter", "Enter"]);
    t.text("x");
    t.wait_for("Rembourser cette vente ?", SHORT);
    assert!(
        rows(&journal).iter().all(|r| r.kind == OpKind::Payment),
        "no refund before the answer"
    );
    t.keys(&["o"]);
    t.wait_until(
        "the refund in the journal",
        |_| rows(&journal).iter().any(|r| r.kind == OpKind::Refund),
        LONG,
    );
}

#[test]
fn a_second_identical_sale_is_asked_and_enter_does_not_send_it() {
    let home = tempfile::tempdir().unwrap();
    let journal = home.path().join("journal.db");
    let t = started(home.path());
    wave_cash_out(&t, "772450000", "1000");
    t.keys(&["n"]);
    t.wait_for("Que veut le client", SHORT);
    t.text("wave");
    t.keys(&["Enter"]);
    t.wait_for("Téléphone du client", SHORT);
    t.text("772450000");
    t.keys(&["Enter"]);
    t.text("1000");
    // Enter to validate, Enter to send, and the habit's extra Enters.
    t.keys(&["Enter", "Enter", "Enter", "Enter"]);
    t.wait_for("Envoyer une deuxième fois ?", SHORT);
    // The summary's `o`, pressed again, does not answer it either.
    t.keys(&["o", "o"]);
    t.wait_for("Envoyer une deuxième fois ?", SHORT);
    assert_eq!(rows(&journal).len(), 1, "the second sale was not sent");
    t.keys(&["n"]);
    let form = t.wait_for("Téléphone du client", SHORT);
    assert!(form.contains("772450000"), "the form as typed:\n{form}");
    assert_eq!(rows(&journal).len(), 1);
}

#[test]
fn leaving_the_demo_with_a_sale_pending_warns_that_the_link_stops() {
    let home = tempfile::tempdir().unwrap();
    let t = started(home.path());
    t.remain_on_exit();
    wave_cash_out(&t, "772450000", "1000");
    t.keys(&["n"]);
    t.wait_for("Que veut le client", SHORT);
    // Alt-q: on the home screen a plain q is typed into the filter (issue 12, 14).
    t.keys(&["M-q"]);
    let question = t.wait_for("Quitter quand même ?", SHORT);
    assert!(
        question.contains("lien de paiement du client"),
        "{question}"
    );
    // No: the counter goes on.
    t.keys(&["n"]);
    t.wait_until(
        "the question gone",
        |s| !s.contains("Quitter quand même ?") && s.contains("Que veut le client"),
        SHORT,
    );
    assert!(!t.pane_dead());
    t.keys(&["C-c"]);
    t.wait_for("Quitter quand même ?", SHORT);
    t.keys(&["o"]);
    assert!(t.wait_dead(Duration::from_secs(10)), "the app left");
}
