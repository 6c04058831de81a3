//! `caisse backup`, `caisse restore` and the copy a migration takes first: the real binary
//! on real journal files, sales sent by real `caisse pay` processes to the sandbox over
//! HTTP. What a copy holds is read back with SQLite itself.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use caisse::journal::Journal;
use caisse::sandbox::{self, SandboxConfig, SandboxHandle};
use rusqlite::{Connection, OpenFlags};

mod support;
use support::cli::{self, text};
use support::wait;

const KEY: &str = "backup-test-key";

fn caisse(home: &Path) -> Command {
    cli::caisse(home, None)
}

fn run(home: &Path, args: &[&str]) -> Output {
    caisse(home).args(args).output().unwrap()
}

fn read_only(path: &Path) -> Connection {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

fn operations(path: &Path) -> i64 {
    read_only(path)
        .query_row("SELECT COUNT(*) FROM transactions", [], |r| r.get(0))
        .unwrap()
}

fn ids(path: &Path) -> Vec<String> {
    read_only(path)
        .prepare("SELECT external_id FROM transactions ORDER BY external_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn integrity(path: &Path) -> String {
    read_only(path)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// A journal made by this build, with one operation per id (and its intent event, as a
/// sale records them).
fn journal_with(path: &Path, ids: &[&str]) {
    drop(Journal::open(path).unwrap());
    add(path, ids);
}

fn add(path: &Path, ids: &[&str]) {
    let conn = Connection::open(path).unwrap();
    for (i, id) in ids.iter().enumerate() {
        conn.execute(
            "INSERT INTO transactions (external_id, gateway, service, status, created_at, \
             updated_at) VALUES (?1, 'intech', 'WAVE_SN_API_CASH_IN', 'SUCCESS', ?2, ?2)",
            rusqlite::params![id, 1_000 + i as i64],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO events (external_id, at, kind) VALUES (?1, 1, 'intent')",
            [id],
        )
        .unwrap();
    }
}

/// `n` past operations with their intent events, in one transaction.
fn fill(path: &Path, n: i64) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        "BEGIN; \
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n}) \
         INSERT INTO transactions (external_id, gateway, service, status, fields, created_at, \
           updated_at) SELECT 'passe-' || i, 'intech', 'WAVE_SN_API_CASH_IN', 'SUCCESS', \
           json_object('note', hex(randomblob(200))), i, i FROM k; \
         INSERT INTO events (external_id, at, kind) \
           SELECT external_id, created_at, 'intent' FROM transactions; \
         COMMIT;"
    ))
    .unwrap();
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

async fn sandbox() -> SandboxHandle {
    let config = SandboxConfig {
        api_key: KEY.into(),
        processing_delay: Duration::from_millis(20),
        settle_delay: Duration::from_millis(20),
        ..SandboxConfig::default()
    };
    sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

/// One counter selling until told to stop: `caisse pay` after `caisse pay`, each a process
/// of its own writing to the shared journal. Returns how many sales it completed.
fn counter(home: PathBuf, url: String, n: usize, stop: Arc<AtomicBool>) -> usize {
    let mut sold = 0;
    while !stop.load(Ordering::SeqCst) {
        let out = cli::caisse(&home, Some((url.clone(), KEY)))
            .args([
                "pay",
                "--service",
                "WAVE_SN_API_CASH_IN",
                "--phone",
                &format!("7724500{n}{}", sold % 10),
                "--amount",
                "1000",
                "--wait-secs",
                "8",
                "--allow-duplicate",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "counter {n}: {}", text(&out));
        sold += 1;
    }
    sold
}

#[tokio::test(flavor = "multi_thread")]
async fn backups_taken_while_counters_sell_are_sound_and_hold_whole_operations() {
    let sb = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_path_buf();
    let journal = h.join("journal.db");
    // Past sales enough for a copy of several steps (some 2 MiB, 256 pages a step): the
    // counters' sales land between the steps of a copy, not only between two copies.
    journal_with(&journal, &[]);
    fill(&journal, 4_000);
    let stop = Arc::new(AtomicBool::new(false));
    let counters: Vec<_> = (0..3)
        .map(|n| {
            let (h, url, stop) = (h.clone(), sb.url(), stop.clone());
            std::thread::spawn(move || counter(h, url, n, stop))
        })
        .collect();
    let copies = tokio::task::block_in_place(|| {
        wait::until("the first sales", Duration::from_secs(30), || {
            (operations(&journal) >= 4_003).then_some(())
        });
        // Copy after copy until the counters have sold at least six more meanwhile: the
        // copies are taken while sales are being written, not between two quiet moments.
        let first = operations(&journal);
        let mut copies = Vec::new();
        wait::until(
            "six sales during the copies",
            Duration::from_secs(60),
            || {
                let before = operations(&journal);
                let copy = h.join(format!("copie-{}.db", copies.len()));
                let out = run(&h, &["backup", "--to", copy.to_str().unwrap()]);
                assert_eq!(out.status.code(), Some(0), "{}", text(&out));
                let after = operations(&journal);
                copies.push((copy, before, after));
                (copies.len() >= 5 && after >= first + 6).then_some(())
            },
        );
        stop.store(true, Ordering::SeqCst);
        copies
    });
    let sold: usize = counters.into_iter().map(|c| c.join().unwrap()).sum();
    for (copy, before, after) in &copies {
        assert_eq!(integrity(copy), "ok");
        let conn = read_only(copy);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete", "a copy is one file, no WAL beside it");
        let held = operations(copy);
        assert!(
            (*before..=*after).contains(&held),
            "{}: {held} operations, not between {before} and {after}",
            copy.display()
        );
        // Every operation came with its intent event, in the same transaction.
        let without_intent: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM transactions t WHERE NOT EXISTS (SELECT 1 FROM events e \
                 WHERE e.external_id = t.external_id AND e.kind = 'intent')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(without_intent, 0, "{}", copy.display());
    }
    assert_eq!(
        operations(&journal) as usize,
        4_000 + sold,
        "no sale lost meanwhile"
    );
    sb.shutdown().await;
}

#[test]
fn a_backup_into_a_directory_is_dated_and_keep_deletes_only_older_dated_copies() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    journal_with(&h.join("journal.db"), &["a", "b"]);
    let dir = h.join("sauvegardes");
    std::fs::create_dir(&dir).unwrap();
    for name in [
        "journal-20200101-000000.db",
        "journal-20200102-000000.db",
        "journal-20200103-000000.db",
        "notes.txt",
        "journal-20200101-000000.db.bak",
    ] {
        std::fs::write(dir.join(name), "ancienne").unwrap();
    }
    // A directory or a link under a dated name is not a copy: it stays, and so does the
    // file the link points to.
    std::fs::create_dir(dir.join("journal-19990101-000000.db")).unwrap();
    let elsewhere = h.join("ailleurs.txt");
    std::fs::write(&elsewhere, "à garder").unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("journal-19980101-000000.db")).unwrap();
    let out = run(h, &["backup", "--to", dir.to_str().unwrap(), "--keep", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("2 copie(s) plus ancienne(s) effacée(s)"));
    let names = names_in(&dir);
    let new: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("journal-20") && !n.starts_with("journal-2020"))
        .collect();
    assert_eq!(new.len(), 1, "{names:?}");
    assert_eq!(ids(&dir.join(new[0])), ["a", "b"]);
    let mut want = vec![
        "journal-19980101-000000.db".to_owned(),
        "journal-19990101-000000.db".to_owned(),
        "journal-20200101-000000.db.bak".to_owned(),
        "journal-20200103-000000.db".to_owned(),
        new[0].clone(),
        "notes.txt".to_owned(),
    ];
    want.sort();
    assert_eq!(names, want);
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "à garder");
}

#[test]
fn a_backup_directory_other_users_can_write_to_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    journal_with(&h.join("journal.db"), &["a"]);
    let shared = h.join("partage");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let out = run(
        h,
        &["backup", "--to", shared.to_str().unwrap(), "--keep", "3"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("peut être modifié par d'autres utilisateurs"),
        "{}",
        text(&out)
    );
    assert!(names_in(&shared).is_empty());
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
        said.contains("1 opération(s) absente(s) de la sauvegarde") && said.contains("--force"),
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
    let service = support::service::start(dir.path(), None);
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

/// A directory nobody may write to: for root (whom permissions do not stop) a read-only
/// tmpfs, otherwise a directory without the write bit.
struct Unwritable {
    path: PathBuf,
    mounted: bool,
    _dir: tempfile::TempDir,
}

impl Unwritable {
    fn new() -> Unwritable {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lecture-seule");
        std::fs::create_dir(&path).unwrap();
        let mounted = unsafe { libc::geteuid() } == 0;
        if mounted {
            mount(&path, "ro,size=64k,mode=0700");
        } else {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o500)).unwrap();
        }
        Unwritable {
            path,
            mounted,
            _dir: dir,
        }
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.mounted {
            umount(&self.path);
        } else {
            let _ = std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o700));
        }
    }
}

fn mount(path: &Path, options: &str) {
    let out = Command::new("mount")
        .args(["-t", "tmpfs", "-o", options, "tmpfs"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "mount tmpfs: {}", text(&out));
}

fn umount(path: &Path) {
    let _ = Command::new("umount").arg(path).output();
}

#[test]
fn an_unwritable_target_is_refused_in_french_and_leaves_nothing() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    journal_with(&h.join("journal.db"), &["a"]);
    let target = Unwritable::new();
    let out = run(h, &["backup", "--to", target.path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("impossible d'écrire dans"),
        "{}",
        text(&out)
    );
    assert!(names_in(&target.path).is_empty());
}

#[test]
fn a_wrong_path_or_a_missing_journal_is_refused_in_french() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let out = run(h, &["backup", "--to", h.join("copie.db").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("journal introuvable"), "{}", text(&out));
    assert!(!h.join("journal.db").exists(), "no empty journal made");
    journal_with(&h.join("journal.db"), &["a"]);
    let nowhere = h.join("pas-de-dossier").join("copie.db");
    let out = run(h, &["backup", "--to", nowhere.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("le dossier ou le fichier n'existe pas"),
        "{}",
        text(&out)
    );
}

/// A disk with no room: a tiny tmpfs, which only root may mount. Not root: a loud SKIPPED
/// and no check, except under CI (which runs as root), where it fails, as tests/ssh_kiosk.rs.
fn full_disk(size: &str) -> Option<(tempfile::TempDir, PathBuf)> {
    if unsafe { libc::geteuid() } != 0 {
        assert!(
            std::env::var_os("CI").is_none(),
            "the full-disk cases need root (a tmpfs), and CI runs as root"
        );
        eprintln!(
            "\n*** SKIPPED: not root, no tmpfs can be mounted: the full-disk case is not run ***\n"
        );
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disque");
    std::fs::create_dir(&path).unwrap();
    mount(&path, size);
    Some((dir, path))
}

#[test]
fn a_full_disk_is_refused_in_french_and_leaves_nothing() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let ids_: Vec<String> = (0..200).map(|i| format!("op-{i:04}")).collect();
    journal_with(
        &h.join("journal.db"),
        &ids_.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let Some((_dir, disk)) = full_disk("size=64k,mode=0700") else {
        return;
    };
    let out = run(
        h,
        &["backup", "--to", disk.to_str().unwrap(), "--keep", "3"],
    );
    let names = names_in(&disk);
    umount(&disk);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("disque plein"), "{}", text(&out));
    assert!(names.is_empty(), "{names:?}");
}

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
