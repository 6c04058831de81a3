//! End to end: the cash drawer at a single counter (demo mode), in a real terminal (tmux):
//! opened with a counted float from the home screen (F6), one Wave cash-out of 1 500 FCFA
//! approved by the customer, then closed with 500 FCFA short: the screen shows expected vs
//! counted and the difference flagged, and the journal holds the closed drawer.
//!
//! Needs tmux (`.ci/run` installs it).

use std::time::Duration;

mod support;
use support::tmux::{Tmux, approve, link};

/// The screen has a line holding all of `parts`.
fn has_line(screen: &str, parts: &[&str]) -> bool {
    screen.lines().any(|l| parts.iter().all(|p| l.contains(p)))
}

#[test]
fn a_drawer_opened_a_withdrawal_then_closed_500_short() {
    let home = tempfile::tempdir().unwrap();
    let journal = home.path().join("journal.db");
    let t = Tmux::start(home.path(), 120, 40);
    t.wait_for("Que veut le client", Duration::from_secs(20));

    // Open the drawer with 20 000 FCFA.
    t.keys(&["F6"]);
    t.wait_for("Aucun tiroir ouvert", Duration::from_secs(10));
    t.text("20000");
    t.keys(&["Enter"]);
    t.wait_until(
        "the open drawer's float",
        |s| has_line(s, &["Espèces attendues", "20 000 FCFA"]),
        Duration::from_secs(10),
    );
    t.keys(&["Escape"]);

    // One sale: a Wave cash-out of 1 500 FCFA, approved by the customer.
    t.wait_for("Que veut le client", Duration::from_secs(5));
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

    // The drawer counts it: 1 500 handed out, 18 500 expected.
    t.keys(&["F6"]);
    t.wait_until(
        "the withdrawal in the drawer",
        |s| {
            has_line(s, &["Sorties d'espèces", "1 500 FCFA"])
                && has_line(s, &["Espèces attendues", "18 500 FCFA"])
        },
        Duration::from_secs(10),
    );
    // 18 000 counted: asked first, then closed with the gap flagged.
    t.text("18000");
    t.keys(&["Enter"]);
    t.wait_for("Fermer le tiroir ?", Duration::from_secs(5));
    t.keys(&["o"]);
    let screen = t.wait_for("Tiroir fermé.", Duration::from_secs(10));
    assert!(
        has_line(&screen, &["Espèces comptées", "18 000 FCFA"]),
        "{screen}"
    );
    assert!(
        has_line(&screen, &["Écart espèces", "⚠ -500 FCFA (manque)"]),
        "{screen}"
    );
    assert!(
        has_line(&screen, &["Solde lu maintenant", "FCFA"]),
        "{screen}"
    );

    let (counted, expected): (i64, i64) = rusqlite::Connection::open(&journal)
        .unwrap()
        .query_row(
            "SELECT counted_cash, expected_cash FROM drawers WHERE closed_at IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((counted, expected), (18_000, 18_500));
    t.keys(&["Escape"]);
    t.wait_for("Que veut le client", Duration::from_secs(5));
}
