//! End to end: a bank card cash-out at the counter, in the real binary in a real terminal
//! (tmux), in demo mode on the sandbox. The card type is picked with the arrows, the
//! summary shows the card masked, the sale goes through, and no file the app writes (the
//! journal and its WAL, the trace log) holds the card number whole or the CVC.
//!
//! Needs tmux (`.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::time::Duration;

use caisse::domain::TxStatus;
use caisse::journal::Journal;

mod support;
use support::tmux::{Tmux, approve, link};

const CARD: &str = "4970101234567899";
const MASKED: &str = "497010******7899";
const CVC: &str = "7391";

/// Every file under `dir`, however deep.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_bank_card_cash_out_goes_through_and_the_card_stays_masked() {
    let home = tempfile::tempdir().unwrap();
    let journal = home.path().join("journal.db");
    // The app with its trace log on (written under HOME), so the log is searched too.
    let cmd = format!(
        "env -i PATH={} HOME={} TERM=xterm-256color LANG=C.UTF-8 CAISSE_DB={} CAISSE_LOG=trace {}",
        std::env::var("PATH").unwrap_or_default(),
        home.path().display(),
        journal.display(),
        env!("CARGO_BIN_EXE_caisse")
    );
    let t = Tmux::run(&cmd, 120, 40);
    t.wait_for("Que veut le client", Duration::from_secs(20));
    t.text("carte");
    t.keys(&["Enter"]);
    t.wait_for("Numéro de carte", Duration::from_secs(5));
    for text in [
        "772450000",
        "1000",
        "Awa",
        "Diop",
        "",
        CARD,
        "09",
        "29",
        CVC,
    ] {
        if !text.is_empty() {
            t.text(text);
        }
        t.keys(&["Enter"]);
    }
    // On the card type: letters do nothing, the arrow picks.
    t.wait_for("← → pour choisir", Duration::from_secs(5));
    t.keys(&["Right"]);
    t.wait_for("◀ VISA ▶", Duration::from_secs(5));
    t.keys(&["Enter"]);
    let summary = t.wait_for("Vérifiez avec le client", Duration::from_secs(5));
    assert!(summary.contains(MASKED), "{summary}");
    assert!(!summary.contains(CARD), "{summary}");
    t.keys(&["Enter"]);
    // The 3-D Secure page's link; the customer approves there.
    let screen = t.wait_for("/deep/", Duration::from_secs(10));
    assert!(!screen.contains(CARD), "{screen}");
    approve(&link(&screen));
    t.wait_for("Paiement réussi : 1 000 FCFA", Duration::from_secs(30));

    let rows = Journal::open(&journal).unwrap().list_since(0, 10).unwrap();
    let [row] = rows.as_slice() else {
        panic!("{rows:?}")
    };
    assert_eq!(
        (row.service.as_str(), row.status),
        ("BANK_CARD_API_CASH_OUT", TxStatus::Success)
    );
    assert_eq!(row.fields["cardType"], "VISA");
    assert_eq!(row.fields["cardNumber"], MASKED);
    t.keys(&["F2", "F3"]);
    t.wait_for("Journal du jour", Duration::from_secs(5));
    t.keys(&["Enter"]);
    let detail = t.wait_for("Historique", Duration::from_secs(5));
    assert!(!detail.contains(CARD), "{detail}");

    // Every byte the app wrote: the journal, its WAL, the trace log.
    let written = files(home.path());
    assert!(
        written.iter().any(|p| p.ends_with("caisse.log")),
        "the trace log is among them: {written:?}"
    );
    for path in written {
        let bytes = std::fs::read(&path).unwrap();
        assert!(!contains(&bytes, CARD), "the card number is in {path:?}");
        assert!(!contains(&bytes, "cardCVC"), "a CVC field is in {path:?}");
        assert!(
            !contains(&bytes, &format!("\"{CVC}\"")),
            "the CVC is in {path:?}"
        );
    }
}
