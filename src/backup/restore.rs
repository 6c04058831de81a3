//! `caisse restore`: a copy put back as the journal. The copy is checked first (a caisse
//! journal, sound, a schema this build knows); the current journal is compared with it (a
//! restore that would drop operations needs `--force`), set aside, and only then
//! overwritten, through the backup API (a live WAL journal is never replaced by a plain file
//! copy), while the service lock keeps `caisse serve` from starting.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use time::OffsetDateTime;

use super::copy::{contents, copy_pages, damage, open_source, write_copy};
use super::{BackupError, Summary, names, service_lock};
use crate::journal::CURRENT_VERSION;

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    /// The restored journal, as read back once in place.
    pub journal: Summary,
    /// Where the journal that was there is kept (none when there was none).
    pub aside: Option<PathBuf>,
}

/// Puts the copy `from` in place of `journal`. `force`: even when the current journal holds
/// operations the copy lacks, or has them further along.
pub fn restore(
    journal: &Path,
    from: &Path,
    force: bool,
    now: OffsetDateTime,
) -> Result<Restored, BackupError> {
    let started = std::time::Instant::now();
    // A new disk: the journal's directory is made as `Journal::open` makes it, owner-only.
    let dir = parent(journal);
    if !dir.exists() {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| BackupError::Unwritable {
                dir: dir.clone(),
                reason: super::french(&e),
            })?;
    }
    // Everything a restore makes (the journal, its lock, the aside copy) must belong to
    // the journal directory's owner, the service's user: root restoring would leave files
    // the service can no longer open, and it would refuse to start.
    {
        use std::os::unix::fs::MetadataExt;
        let owner = std::fs::metadata(&dir).map(|m| m.uid()).ok();
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if owner.is_some_and(|owner| owner != me) {
            return Err(BackupError::OtherOwner(dir.clone()));
        }
    }
    let _owner = service_lock::take(journal).map_err(|refused| match refused {
        service_lock::Refused::Taken => BackupError::ServiceRunning(journal.into()),
        service_lock::Refused::Io(e) => BackupError::Unwritable {
            dir: dir.clone(),
            reason: super::french(&e),
        },
    })?;
    if same_file(journal, from) {
        return Err(BackupError::NotAJournal {
            path: from.into(),
            reason: "c'est le journal lui-même".into(),
        });
    }
    let copy = open_backup(from)?;
    let aside = if journal.exists() {
        let current = open_source(journal)?;
        if !force {
            let (missing, changed) =
                compare(&current, from).map_err(|e| BackupError::CurrentUnreadable {
                    path: journal.into(),
                    reason: e.to_string(),
                })?;
            if missing > 0 || changed > 0 {
                return Err(BackupError::CurrentIsNewer { missing, changed });
            }
        }
        let aside = free_name(names::before_restore(journal, now));
        set_aside(&current, journal, &aside)?;
        Some(aside)
    } else {
        None
    };
    let mut summary = put_in_place(&copy, journal).map_err(|e| BackupError::sqlite(journal, e))?;
    summary.duration = started.elapsed();
    Ok(Restored {
        journal: summary,
        aside,
    })
}

/// `wanted`, or `wanted-2`, `-3`… when a restore in the same second already set a journal
/// aside under it: an earlier aside is never overwritten.
fn free_name(wanted: PathBuf) -> PathBuf {
    let mut candidate = wanted.clone();
    let mut n = 2;
    while candidate.symlink_metadata().is_ok() {
        let mut name = wanted.clone().into_os_string();
        name.push(format!("-{n}"));
        candidate = PathBuf::from(name);
        n += 1;
    }
    candidate
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.into(),
        _ => PathBuf::from("."),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// The copy to restore, opened read-only and checked: a regular file, an SQLite database
/// that passes `integrity_check`, with caisse's operations table, at a schema this build
/// knows (an older one is migrated by the next `Journal::open`, after its own copy).
fn open_backup(from: &Path) -> Result<Connection, BackupError> {
    let not_journal = |reason: &str| BackupError::NotAJournal {
        path: from.into(),
        reason: reason.into(),
    };
    match std::fs::metadata(from) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(not_journal("ce n'est pas un fichier")),
        Err(e) => return Err(not_journal(&super::french(&e))),
    }
    let conn = Connection::open_with_flags(
        from,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| BackupError::sqlite(from, e))?;
    let sqlite = |e| BackupError::sqlite(from, e);
    if let Some(detail) = damage(&conn).map_err(sqlite)? {
        return Err(not_journal(&format!("fichier abîmé : {detail}")));
    }
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sqlite)?;
    let has_operations: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' \
             AND name = 'transactions')",
            [],
            |r| r.get(0),
        )
        .map_err(sqlite)?;
    if version < 1 || !has_operations {
        return Err(not_journal("aucune table d'opérations de caisse"));
    }
    if version > CURRENT_VERSION {
        return Err(BackupError::TooNew {
            path: from.into(),
            found: version,
            supported: CURRENT_VERSION,
        });
    }
    Ok(conn)
}

/// The current journal's operations that the copy lacks, and those the copy has at an
/// earlier stage (a sale pending in the copy, settled since).
fn compare(current: &Connection, from: &Path) -> rusqlite::Result<(i64, i64)> {
    let from = from.to_string_lossy();
    current.execute("ATTACH DATABASE ?1 AS sauvegarde", [from.as_ref()])?;
    let counts = current.query_row(
        "SELECT \
           (SELECT COUNT(*) FROM main.transactions m WHERE NOT EXISTS \
              (SELECT 1 FROM sauvegarde.transactions s WHERE s.external_id = m.external_id)), \
           (SELECT COUNT(*) FROM main.transactions m JOIN sauvegarde.transactions s \
              ON s.external_id = m.external_id WHERE m.updated_at > s.updated_at)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    );
    // The rest of the shop's history the copy may lack: events (a refund's, a login's),
    // drawers, Z reports, cashiers. Each is counted as missing when the copy has no row of
    // that key (or not that table at all: a copy from an older schema).
    let others = counts.and_then(|(missing, changed)| {
        let mut missing = missing;
        for (table, key) in [
            ("events", "id"),
            ("drawers", "id"),
            ("z_reports", "number"),
            ("cashiers", "name"),
        ] {
            let exists = |schema: &str| -> rusqlite::Result<bool> {
                current.query_row(
                    &format!(
                        "SELECT COUNT(*) > 0 FROM {schema}.sqlite_master \
                         WHERE type = 'table' AND name = ?1"
                    ),
                    [table],
                    |r| r.get(0),
                )
            };
            if !exists("main")? {
                continue;
            }
            let sql = if exists("sauvegarde")? {
                format!(
                    "SELECT COUNT(*) FROM main.{table} m WHERE NOT EXISTS \
                     (SELECT 1 FROM sauvegarde.{table} s WHERE s.{key} = m.{key})"
                )
            } else {
                format!("SELECT COUNT(*) FROM main.{table}")
            };
            missing += current.query_row(&sql, [], |r| r.get::<_, i64>(0))?;
        }
        Ok((missing, changed))
    });
    current.execute_batch("DETACH DATABASE sauvegarde")?;
    others
}

/// Keeps the current journal beside itself before it is overwritten: a checked copy
/// through the backup API; when the journal is too damaged for that (the reason a restore
/// may be wanted), its files as they are, the database and its WAL under the same name, so
/// that SQLite still reads them together.
fn set_aside(current: &Connection, journal: &Path, aside: &Path) -> Result<(), BackupError> {
    match write_copy(current, aside) {
        Ok(_) => Ok(()),
        // No room, or no right to write there: a plain copy would fail the same way.
        Err(e @ (BackupError::DiskFull(_) | BackupError::Unwritable { .. })) => Err(e),
        Err(_) => {
            copy_file(journal, aside, "")?;
            copy_file(journal, aside, "-wal")
        }
    }
}

fn copy_file(journal: &Path, aside: &Path, suffix: &str) -> Result<(), BackupError> {
    let with = |p: &Path| {
        let mut name = p.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let (from, to) = (with(journal), with(aside));
    if !from.exists() {
        return Ok(());
    }
    std::fs::copy(&from, &to)
        .and_then(|_| std::fs::File::open(&to)?.sync_all())
        .map_err(|e| BackupError::io(&to, &e))
}

/// Copies `copy` over the journal with the backup API, in WAL mode as the journal always
/// is, then reads it back. A journal that did not exist is made 0600 first.
fn put_in_place(copy: &Connection, journal: &Path) -> rusqlite::Result<Summary> {
    crate::journal::create_private(journal).map_err(|e| {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(e.to_string()),
        )
    })?;
    let mut dest = Connection::open(journal)?;
    dest.busy_timeout(std::time::Duration::from_secs(10))?;
    copy_pages(copy, &mut dest)?;
    dest.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
    if let Some(detail) = damage(&dest)? {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            Some(detail),
        ));
    }
    let mut summary = contents(&dest, journal)?;
    summary.bytes = std::fs::metadata(journal).map(|m| m.len()).unwrap_or(0);
    Ok(summary)
}
