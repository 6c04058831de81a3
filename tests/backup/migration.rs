//! The copy a migration takes before it changes an older journal, and the migration that
//! does not run without it.

use super::support::cli::text;
use super::{add, caisse, full_disk, ids, integrity, names_in, read_only, run, umount};

#[test]
fn opening_an_old_journal_copies_it_before_migrating() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let journal = h.join("journal.db");
    caisse::journal::create_at_version_for_tests(&journal, 2).unwrap();
    add(&journal, &["a", "b"]);
    let out = run(h, &["cashier", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let version: i64 = read_only(&journal)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, caisse::journal::CURRENT_VERSION);
    let copies: Vec<String> = names_in(h)
        .into_iter()
        .filter(|n| n.starts_with("journal.db.avant-migration-v2-") && n.ends_with(".db"))
        .collect();
    assert_eq!(copies.len(), 1, "{:?}", names_in(h));
    let copy = h.join(&copies[0]);
    assert_eq!(integrity(&copy), "ok");
    let old: i64 = read_only(&copy)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(old, 2, "the copy is the journal as it was");
    assert_eq!(ids(&copy), ["a", "b"]);
}

#[test]
fn a_fresh_journal_needs_no_copy() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let out = run(h, &["cashier", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(h.join("journal.db").exists());
    assert!(
        !names_in(h).iter().any(|n| n.contains("avant-migration")),
        "{:?}",
        names_in(h)
    );
}

#[test]
fn a_migration_whose_copy_cannot_be_written_does_not_run() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    // A disk with no inode left once the journal, its WAL and its shared memory are
    // there: the copy's file cannot be made (ENOSPC).
    let Some((_dir, disk)) = full_disk("size=1m,nr_inodes=4") else {
        return;
    };
    let journal = disk.join("journal.db");
    caisse::journal::create_at_version_for_tests(&journal, 2).unwrap();
    add(&journal, &["a"]);
    let out = caisse(h)
        .env("CAISSE_DB", &journal)
        .args(["cashier", "list"])
        .output()
        .unwrap();
    let version: i64 = read_only(&journal)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let found = ids(&journal);
    let names = names_in(&disk);
    umount(&disk);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("la copie du journal avant sa mise à jour (schéma 2 vers")
            && text(&out).contains("disque plein"),
        "{}",
        text(&out)
    );
    assert_eq!(version, 2, "not migrated");
    assert_eq!(found, ["a"]);
    assert!(
        !names.iter().any(|n| n.contains("avant-migration")),
        "{names:?}"
    );
}

#[test]
fn an_old_journal_that_holds_nothing_is_migrated_without_a_copy() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let journal = h.join("journal.db");
    caisse::journal::create_at_version_for_tests(&journal, 2).unwrap();
    let out = run(h, &["cashier", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let version: i64 = read_only(&journal)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, caisse::journal::CURRENT_VERSION);
    assert!(
        !names_in(h).iter().any(|n| n.contains("avant-migration")),
        "{:?}",
        names_in(h)
    );
}
