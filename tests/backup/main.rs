//! `caisse backup`, `caisse restore` and the copy a migration takes first: the real binary
//! on real journal files, sales sent by real `caisse pay` processes to the sandbox over
//! HTTP. What a copy holds is read back with SQLite itself. One test binary
//! (`cargo test --features failpoints --test backup`), one file per subject.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use caisse::journal::Journal;
use rusqlite::{Connection, OpenFlags};

#[path = "../support/mod.rs"]
mod support;
use support::cli::{self, text};

mod copies;
mod migration;
mod restore;
mod selling;

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

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
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
