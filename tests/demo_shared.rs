//! The demo journal belongs to one demo (issue 12, 19): two real processes on one demo
//! journal. The demo app (in tmux) runs the demo's sandbox and records its address beside
//! the journal; `caisse reconcile` run meanwhile polls the app's live sale through that
//! sandbox (never "not found" from a sandbox of its own), and a second app refuses to start.
//!
//! Needs tmux (`.ci/run` installs it).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use caisse::domain::TxStatus;
use caisse::journal::Journal;

mod support;
use support::tmux::{Tmux, approve, link};

/// A demo command with the app's environment (no gateway configured: demo mode).
fn caisse(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caisse"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("CAISSE_DB", home.join("journal.db"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The demo app, polling nothing by itself during the test (the command's polls are the
/// ones looked at; the sale settles by its callback).
fn demo_app(home: &Path) -> Tmux {
    let cmd = format!(
        "env -i PATH={} HOME={} TERM=xterm-256color LANG=C.UTF-8 CAISSE_DB={} \
         CAISSE_POLL_FIRST_MS=600000 CAISSE_POLL_EVERY_MS=600000 {}",
        std::env::var("PATH").unwrap_or_default(),
        home.display(),
        home.join("journal.db").display(),
        env!("CARGO_BIN_EXE_caisse")
    );
    let t = Tmux::run(&cmd, 120, 40);
    t.wait_for("Que veut le client", Duration::from_secs(20));
    t
}

#[test]
fn reconcile_beside_the_demo_app_polls_its_sandbox() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let app = demo_app(h);
    let app_pid = app.pane_pid();
    // A Wave cash-out left pending on the app.
    app.text("wave");
    app.keys(&["Enter"]);
    app.wait_for("Téléphone du client", Duration::from_secs(5));
    app.text("772457100");
    app.keys(&["Enter"]);
    app.text("1500");
    app.keys(&["Enter"]);
    app.wait_for("Vérifiez avec le client", Duration::from_secs(5));
    app.keys(&["Enter"]);
    let screen = app.wait_for("/deep/", Duration::from_secs(10));

    let out = caisse(h, &["reconcile", "--wait-secs", "2"]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        stderr.contains(&format!("la démo ouverte (processus {app_pid})")),
        "{stderr}"
    );
    assert_eq!(
        out.status.code(),
        Some(7),
        "still pending: {stdout}{stderr}"
    );
    assert!(stdout.contains("1 en attente"), "{stdout}");

    let journal = Journal::open(&h.join("journal.db")).unwrap();
    let sale = journal.list_since(0, 10).unwrap().remove(0);
    assert_eq!(sale.status, TxStatus::Pending);
    let events = journal.events(&sale.external_id).unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.detail["gatewayStatus"].as_str() == Some("Pending")),
        "the command asked the app's sandbox, which knows the sale: {events:#?}"
    );
    assert!(
        events.iter().all(|e| e.detail.get("error").is_none()),
        "no poll answered by a sandbox that never saw the sale: {events:#?}"
    );

    // The customer pays on the app's sandbox: the app settles it.
    approve(&link(&screen));
    app.wait_for("Paiement réussi : 1 500 FCFA", Duration::from_secs(20));
}

#[test]
fn a_second_demo_app_refuses_to_start_beside_the_first() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let first = demo_app(h);
    let out = caisse(h, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "déjà ouverte sur ce journal (processus {}",
            first.pane_pid()
        )),
        "{stderr}"
    );
    // The first one goes on.
    first.keys(&["F3"]);
    first.wait_for("Journal du jour", Duration::from_secs(5));
}
