//! The kiosk end to end: the real `caisse serve` and the real app (`caisse --kiosk
//! --socket`) in tmux. Control keys and signals that must do nothing; leaving with a
//! supervisor's PIN; SIGHUP (the SSH connection drops) and SIGTERM during a payment, then
//! the next login lands back on that sale, settled; the idle lock hiding the customer; a
//! panic restoring the terminal; the service going away and coming back.
//!
//! Needs tmux (`.ci/run` installs it).

use std::path::Path;
use std::time::Duration;

use caisse::domain::TxStatus;
use caisse::journal::Journal;

mod support;
use service::{Service, start};
use support::service;
use support::{tmux, wait};
use tmux::{Tmux, approve, kill, link};

const SECS: fn(u64) -> Duration = Duration::from_secs;

/// The cashier's app in kiosk mode on the service's socket, in a fresh terminal.
fn kiosk(home: &Path, service: &Service, extra_env: &str) -> Tmux {
    let cmd = format!(
        "env -i PATH={} HOME={} TERM=xterm-256color LANG=C.UTF-8 {extra_env} {} --kiosk --socket {}",
        std::env::var("PATH").unwrap_or_default(),
        home.display(),
        env!("CARGO_BIN_EXE_caisse"),
        service.socket.display(),
    );
    let t = Tmux::run(&cmd, 100, 32);
    t.remain_on_exit();
    t
}

fn log_in(t: &Tmux, name: &str, pin: &str) {
    // The login form itself (the waiting screen says « Connexion au service » too).
    t.wait_for("Code PIN :", SECS(20));
    t.text(name);
    t.keys(&["Enter"]);
    t.text(pin);
    t.keys(&["Enter"]);
}

/// A Wave cash-out of 1 500 FCFA to `phone`, up to the payment screen; returns its link.
fn start_sale(t: &Tmux, phone: &str) -> String {
    t.wait_for("Que veut le client", SECS(20));
    t.text("wave");
    t.keys(&["Enter"]);
    t.wait_for("Téléphone du client", SECS(5));
    t.text(phone);
    t.keys(&["Enter"]);
    t.text("1500");
    t.keys(&["Enter"]);
    t.wait_for("Vérifiez avec le client", SECS(5));
    t.keys(&["Enter"]);
    link(&t.wait_for("/deep/", SECS(10)))
}

#[test]
fn control_keys_and_signals_do_nothing_and_leaving_needs_a_supervisor() {
    let home = tempfile::tempdir().unwrap();
    let service = start(home.path(), None);
    let t = kiosk(home.path(), &service, "");
    log_in(&t, "awa", "1234");
    t.wait_for("Que veut le client", SECS(20));
    t.keys(&["C-c", "C-z", "C-\\", "C-d"]);
    let pid = t.pane_pid();
    for signal in ["-INT", "-QUIT", "-TSTP"] {
        kill(signal, pid);
    }
    wait::stays("the app still there", Duration::from_millis(500), || {
        !t.pane_dead()
    });
    // And still answering: the filter takes letters.
    t.text("orang");
    t.wait_for("Orange", SECS(5));
    t.keys(&["Escape"]);
    t.wait_for("Que veut le client", SECS(5));
    t.keys(&["F10"]);
    t.wait_for("code PIN d'un superviseur", SECS(5));
    t.text("1234");
    t.keys(&["Enter"]);
    t.wait_for("Code superviseur incorrect", SECS(10));
    assert!(!t.pane_dead());
    t.text("9999");
    t.keys(&["Enter"]);
    assert!(t.wait_dead(SECS(10)), "a supervisor's PIN lets the app end");
    assert!(!t.alternate_on(), "the terminal is restored");
}

/// Escape sequences the app does not know never freeze the keyboard (issue 9, C7). Before,
/// crossterm waited after `ESC [ ?` for a `u` or a `c` that never came, and ate every key
/// typed meanwhile; an unfinished sequence was never given up either.
#[test]
fn unknown_or_unfinished_escape_sequences_never_freeze_the_keyboard() {
    let home = tempfile::tempdir().unwrap();
    let service = start(home.path(), None);
    let t = kiosk(home.path(), &service, "");
    log_in(&t, "awa", "1234");
    t.wait_for("Que veut le client", SECS(20));
    // A complete sequence nobody knows (leave the alternate screen), then letters, all in one
    // write: the sequence ends at its final byte `l`, the letters are typed.
    t.bytes(b"\x1b[?1049lwave");
    t.wait_for("Filtre : wave", SECS(5));
    t.keys(&["BSpace", "BSpace", "BSpace", "BSpace"]);
    t.wait_for("Que veut le client", SECS(5));
    // Unfinished sequences (no final byte): given up after a short quiet time.
    for unfinished in [&b"\x1b[?1049"[..], b"\x1b[<", b"\x1b[1;", b"\x1bO"] {
        t.bytes(unfinished);
        t.text("orang");
        t.wait_for("Filtre : orang", SECS(5));
        t.keys(&["BSpace", "BSpace", "BSpace", "BSpace", "BSpace"]);
        t.wait_for("Que veut le client", SECS(5));
    }
    assert!(!t.pane_dead(), "the app is still there");
}

#[test]
fn a_dropped_session_comes_back_to_its_sale_settled_meanwhile() {
    let home = tempfile::tempdir().unwrap();
    let service = start(home.path(), None);
    for (signal, phone) in [("-HUP", "772457100"), ("-TERM", "772457101")] {
        let t = kiosk(home.path(), &service, "");
        log_in(&t, "awa", "1234");
        let customer = start_sale(&t, phone);
        kill(signal, t.pane_pid());
        // After SIGHUP the session must be gone within 2 s (no orphan on a dead terminal).
        assert!(t.wait_dead(SECS(2)), "{signal}: still running after 2 s");
        assert!(!t.alternate_on(), "{signal}: the terminal is restored");
        drop(t);
        // The customer approves while nobody is logged in; the service follows the sale.
        approve(&customer);
        let t = kiosk(home.path(), &service, "");
        log_in(&t, "awa", "1234");
        let screen = t.wait_for("Paiement réussi : 1 500 FCFA", SECS(30));
        assert!(screen.contains("Vente reprise"), "{screen}");
        // Once left, it is not brought back.
        t.keys(&["n"]);
        t.wait_for("Que veut le client", SECS(5));
    }
    let t = kiosk(home.path(), &service, "");
    log_in(&t, "awa", "1234");
    t.wait_for("Que veut le client", SECS(20));
    wait::stays("no sale resumed", Duration::from_millis(500), || {
        !t.screen().contains("Vente reprise")
    });
    let journal = Journal::open(&service.db).unwrap();
    let rows = journal.list_since(0, 10).unwrap();
    assert_eq!(rows.len(), 2);
    for r in rows {
        assert_eq!(r.status, TxStatus::Success);
        assert_eq!(r.cashier, "awa");
        assert!(r.terminal.starts_with("/dev/pts/"), "{}", r.terminal);
    }
    assert_eq!(journal.integrity_check().unwrap(), "ok");
}

#[test]
fn the_idle_lock_hides_the_customer_until_the_cashiers_pin() {
    let home = tempfile::tempdir().unwrap();
    let service = start(home.path(), None);
    let t = kiosk(home.path(), &service, "CAISSE_IDLE_LOCK_SECS=2");
    log_in(&t, "awa", "1234");
    // A customer who never answers (…95): the sale stays on screen.
    start_sale(&t, "772457195");
    let locked = t.wait_for("Écran verrouillé", SECS(10));
    for secret in ["/deep/", "772457195", "1 500", "▀▄"] {
        assert!(
            !locked.contains(secret),
            "« {secret} » shows under the lock:\n{locked}"
        );
    }
    t.text("0000");
    t.keys(&["Enter"]);
    t.wait_for("Nom ou code PIN incorrect", SECS(10));
    t.text("1234");
    t.keys(&["Enter"]);
    let back = t.wait_for("/deep/", SECS(10));
    assert!(back.contains("772457195"));
}

#[test]
fn the_app_says_when_the_service_is_down_and_comes_back_with_it() {
    let home = tempfile::tempdir().unwrap();
    let mut service = start(home.path(), None);
    let t = kiosk(home.path(), &service, "");
    log_in(&t, "awa", "1234");
    t.wait_for("Que veut le client", SECS(20));
    kill("-TERM", service.child.id());
    let _ = service.child.wait();
    t.wait_for("SERVICE INDISPONIBLE", SECS(10));
    assert!(!t.pane_dead(), "the app waits for the service");
    drop(service);
    let _service = start(home.path(), None);
    // A restarted service forgot the login: the PIN is asked again.
    log_in(&t, "awa", "1234");
    let screen = t.wait_for("Que veut le client", SECS(20));
    assert!(!screen.contains("SERVICE INDISPONIBLE"));
}

#[test]
fn a_panic_restores_the_terminal() {
    assert!(
        caisse::engine::failpoint::compiled_in(),
        "the panic is a fail point: cargo test --features failpoints (the README's test command)"
    );
    let home = tempfile::tempdir().unwrap();
    // Demo mode, in-process: the panic must not leave the terminal raw.
    let cmd = format!(
        "env -i PATH={} HOME={} TERM=xterm-256color LANG=C.UTF-8 CAISSE_DB={} \
         CAISSE_FAILPOINT=ui_panic {}; stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo END",
        std::env::var("PATH").unwrap_or_default(),
        home.path().display(),
        home.path().join("journal.db").display(),
        env!("CARGO_BIN_EXE_caisse"),
    );
    let t = Tmux::run(&cmd, 100, 30);
    t.remain_on_exit();
    t.wait_for("Que veut le client", SECS(20));
    t.keys(&["x"]);
    let screen = t.wait_for("END", SECS(10));
    assert!(
        screen.contains("icanon echo"),
        "cooked mode is back:\n{screen}"
    );
    assert!(
        screen.contains("failpoint ui_panic"),
        "the panic is reported:\n{screen}"
    );
    assert!(!t.alternate_on());
}
