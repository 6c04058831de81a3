//! `caisse restore`: what it refuses (newer journal, not a journal, damaged, too new, the
//! service running) without changing anything, and `--force` with the journal set aside.

use std::process::Command;

use rusqlite::Connection;

use super::support::cli::text;
use super::{add, caisse, ids, integrity, journal_with, names_in, read_only, run};

/// Not only sales: a cashier added since the copy (or a drawer, a Z report, an event) would
/// be lost as well, and is refused the same way.
#[test]
fn restore_refuses_a_journal_with_a_cashier_the_copy_lacks() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let journal = h.join("journal.db");
    journal_with(&journal, &["a"]);
    let copy = h.join("copie.db");
    let out = run(h, &["backup", "--to", copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    Connection::open(&journal)
        .unwrap()
        .execute(
            "INSERT INTO cashiers (name, role, pin_hash, created_at) \
             VALUES ('moussa', 'cashier', 'x', 1)",
            [],
        )
        .unwrap();
    let out = run(h, &["restore", "--from", copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("1 ligne(s) absente(s)"),
        "{}",
        text(&out)
    );
    let cashiers: i64 = read_only(&journal)
        .query_row("SELECT COUNT(*) FROM cashiers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(cashiers, 1, "nothing changed");
}

#[test]
fn restore_refuses_a_journal_with_newer_operations_and_force_sets_it_aside_first() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let journal = h.join("journal.db");
    journal_with(&journal, &["a"]);
    let copy = h.join("copie.db");
    let out = run(h, &["backup", "--to", copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    add(&journal, &["b"]);

    let out = run(h, &["restore", "--from", copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let said = text(&out);
    assert!(
        // The sale and its intent event.
        said.contains("2 ligne(s) absente(s) de la sauvegarde") && said.contains("--force"),
        "{said}"
    );
    assert_eq!(ids(&journal), ["a", "b"], "nothing changed");

    let out = run(h, &["restore", "--from", copy.to_str().unwrap(), "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(ids(&journal), ["a"]);
    assert_eq!(integrity(&journal), "ok");
    let mode: String = read_only(&journal)
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        mode, "wal",
        "the restored journal is a journal like any other"
    );
    let aside: Vec<String> = names_in(h)
        .into_iter()
        .filter(|n| n.starts_with("journal.db.avant-restauration-"))
        .collect();
    assert_eq!(aside.len(), 1, "{:?}", names_in(h));
    assert_eq!(
        ids(&h.join(&aside[0])),
        ["a", "b"],
        "the newer journal is kept"
    );
    assert!(text(&out).contains(&aside[0]), "{}", text(&out));
}

#[test]
fn restore_refuses_a_file_that_is_not_a_journal_and_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let journal = h.join("journal.db");
    journal_with(&journal, &["a"]);
    let before = std::fs::read(&journal).unwrap();
    let notes = h.join("notes.txt");
    std::fs::write(&notes, "pas un journal, juste du texte ".repeat(300)).unwrap();
    let out = run(
        h,
        &["restore", "--from", notes.to_str().unwrap(), "--force"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("n'est pas un journal caisse lisible"),
        "{}",
        text(&out)
    );
    assert_eq!(std::fs::read(&journal).unwrap(), before);
    assert!(
        !names_in(h).iter().any(|n| n.contains("avant-restauration")),
        "nothing set aside: nothing was touched"
    );
}

#[test]
fn restore_refuses_a_damaged_copy_and_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let journal = h.join("journal.db");
    let ids_: Vec<String> = (0..400).map(|i| format!("op-{i:04}")).collect();
    journal_with(
        &journal,
        &ids_.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let copy = h.join("copie.db");
    let out = run(h, &["backup", "--to", copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Pages in the middle of the file overwritten, as a failing disk would.
    let mut bytes = std::fs::read(&copy).unwrap();
    let middle = bytes.len() / 2 / 4096 * 4096;
    bytes[middle..middle + 8192].fill(0xA5);
    std::fs::write(&copy, bytes).unwrap();
    let before = std::fs::read(&journal).unwrap();
    let out = run(h, &["restore", "--from", copy.to_str().unwrap(), "--force"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("abîmé"), "{}", text(&out));
    assert_eq!(std::fs::read(&journal).unwrap(), before);
}

#[test]
fn restore_refuses_while_the_service_runs_and_a_backup_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let service = super::support::service::start(dir.path(), None);
    let copy = dir.path().join("copie.db");
    let backup = Command::new(env!("CARGO_BIN_EXE_caisse"))
        .args(["backup", "--to", copy.to_str().unwrap()])
        .env("CAISSE_DB", &service.db)
        .env("HOME", dir.path())
        .env_remove("CAISSE_CONFIG")
        .env_remove("CAISSE_SOCKET")
        .output()
        .unwrap();
    assert_eq!(backup.status.code(), Some(0), "{}", text(&backup));
    assert_eq!(integrity(&copy), "ok");
    let restore = Command::new(env!("CARGO_BIN_EXE_caisse"))
        .args(["restore", "--from", copy.to_str().unwrap(), "--force"])
        .env("CAISSE_DB", &service.db)
        .env("HOME", dir.path())
        .env_remove("CAISSE_CONFIG")
        .env_remove("CAISSE_SOCKET")
        .output()
        .unwrap();
    assert_eq!(restore.status.code(), Some(3), "{}", text(&restore));
    assert!(
        text(&restore).contains("caisse serve utilise ce journal"),
        "{}",
        text(&restore)
    );
    drop(service);
}

#[test]
fn restore_refuses_a_copy_from_a_newer_caisse() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let journal = h.join("journal.db");
    journal_with(&journal, &["a"]);
    let copy = h.join("copie.db");
    journal_with(&copy, &["a"]);
    Connection::open(&copy)
        .unwrap()
        .pragma_update(None, "user_version", caisse::journal::CURRENT_VERSION + 1)
        .unwrap();
    let before = std::fs::read(&journal).unwrap();
    let out = run(h, &["restore", "--from", copy.to_str().unwrap(), "--force"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("mettez caisse à jour"),
        "{}",
        text(&out)
    );
    assert_eq!(std::fs::read(&journal).unwrap(), before);
}

#[test]
fn the_service_does_not_start_while_a_restore_holds_the_journal() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let journal = h.join("journal.db");
    journal_with(&journal, &["a"]);
    // What `caisse restore` holds while it works.
    let _restoring = caisse::backup::service_lock::take(&journal).unwrap();
    let out = caisse(h)
        .args(["serve", "--socket", h.join("caisse.sock").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("est déjà pris par un autre caisse serve ou par une restauration"),
        "{}",
        text(&out)
    );
    assert!(!h.join("caisse.sock").exists(), "nothing listens");
}

#[test]
fn a_damaged_journal_is_replaced_with_force_and_kept_aside_as_it_was() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let journal = h.join("journal.db");
    let many: Vec<String> = (0..400).map(|i| format!("op-{i:04}")).collect();
    journal_with(
        &journal,
        &many.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let copy = h.join("copie.db");
    let out = run(h, &["backup", "--to", copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let mut bytes = std::fs::read(&journal).unwrap();
    let middle = bytes.len() / 2 / 4096 * 4096;
    bytes[middle..middle + 8192].fill(0xA5);
    std::fs::write(&journal, &bytes).unwrap();

    let out = run(h, &["restore", "--from", copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--force"), "{}", text(&out));
    assert_eq!(std::fs::read(&journal).unwrap(), bytes, "nothing changed");

    let out = run(h, &["restore", "--from", copy.to_str().unwrap(), "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(integrity(&journal), "ok");
    assert_eq!(ids(&journal).len(), 400);
    let aside: Vec<String> = names_in(h)
        .into_iter()
        .filter(|n| n.starts_with("journal.db.avant-restauration-") && !n.ends_with("-wal"))
        .collect();
    assert_eq!(aside.len(), 1, "{:?}", names_in(h));
    assert_eq!(
        std::fs::read(h.join(&aside[0])).unwrap(),
        bytes,
        "the damaged journal is kept as it was"
    );
}

#[test]
fn restore_onto_a_new_disk_makes_the_journal_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let old = h.join("ancien.db");
    journal_with(&old, &["a", "b"]);
    let copy = h.join("copie.db");
    let out = caisse(h)
        .env("CAISSE_DB", &old)
        .args(["backup", "--to", copy.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let journal = h.join("nouveau-disque").join("journal.db");
    let out = caisse(h)
        .env("CAISSE_DB", &journal)
        .args(["restore", "--from", copy.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains("mis de côté"), "nothing to set aside");
    assert_eq!(ids(&journal), ["a", "b"]);
    let mode = std::fs::metadata(&journal).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let dir_mode = std::fs::metadata(journal.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700);
}
