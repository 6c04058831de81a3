//! One copy of a journal into a file: SQLite's online backup API, a step of pages at a time,
//! into a temporary file (0600) beside the target, checked, synced, then renamed into place.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::{BackupError, names};

/// Pages copied per step (1 MiB with SQLite's 4 KiB pages), with a short pause between
/// steps so that a large copy does not take the disk from the counters' writes.
const PAGES_PER_STEP: i32 = 256;
const PAUSE: Duration = Duration::from_millis(2);
/// How long the copy waits for a lock another process holds (a restore's target is a journal
/// other commands may be writing) before giving up; the journal's own busy timeout.
const BUSY_FOR: Duration = Duration::from_secs(10);

/// What a copy holds, as read back from the copy itself once it passed the checks.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub path: PathBuf,
    pub bytes: u64,
    pub operations: i64,
    /// The newest operation's creation, in ms since the epoch (none in an empty journal).
    pub newest_at: Option<i64>,
    pub schema_version: i64,
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// Opens an existing journal to copy it: never creates it (a wrong path must not leave an
/// empty journal behind) and never migrates it (a copy is of the journal as it is).
pub fn open_source(path: &Path) -> Result<Connection, BackupError> {
    if !path.is_file() {
        return Err(BackupError::JournalMissing(path.into()));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| BackupError::sqlite(path, e))?;
    conn.busy_timeout(BUSY_FOR)
        .map_err(|e| BackupError::sqlite(path, e))?;
    Ok(conn)
}

/// Copies the database `source` (its main file) to `target`. On any failure nothing is left
/// under `target`'s name, nor the temporary file.
pub fn write_copy(source: &Connection, target: &Path) -> Result<Summary, BackupError> {
    let started = Instant::now();
    let source_path = PathBuf::from(source.path().unwrap_or_default());
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temp = Partial::create(target, &dir)?;
    let mut summary = {
        let mut dest = Connection::open(&temp.path).map_err(|e| temp.sqlite(e))?;
        copy_pages(source, &mut dest).map_err(|e| temp.sqlite(e))?;
        // The copy stands alone: one file, no `-wal` beside it when it is opened later.
        dest.query_row("PRAGMA journal_mode=DELETE", [], |_| Ok(()))
            .map_err(|e| temp.sqlite(e))?;
        if let Some(detail) = damage(&dest).map_err(|e| temp.sqlite(e))? {
            return Err(BackupError::CopyDamaged {
                source_path,
                detail,
            });
        }
        contents(&dest, target).map_err(|e| temp.sqlite(e))?
    };
    File::open(&temp.path)
        .and_then(|f| f.sync_all())
        .map_err(|e| BackupError::io(&temp.path, &e))?;
    std::fs::rename(&temp.path, target).map_err(|e| BackupError::io(target, &e))?;
    temp.kept();
    // The rename itself reaches the disk: a power cut after this leaves the copy in place.
    File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| BackupError::io(&dir, &e))?;
    summary.bytes = std::fs::metadata(target)
        .map_err(|e| BackupError::io(target, &e))?
        .len();
    summary.duration = started.elapsed();
    Ok(summary)
}

/// The backup proper. A read transaction is held on the source for the whole copy: in WAL
/// mode it holds back no sale, and every step reads the same snapshot, so a sale committed
/// meanwhile neither restarts the copy (which the backup API does when the source changes
/// between steps) nor lands in it by halves.
pub(super) fn copy_pages(source: &Connection, dest: &mut Connection) -> rusqlite::Result<()> {
    source.execute_batch("BEGIN DEFERRED")?;
    let copied = source
        .query_row("SELECT COUNT(*) FROM sqlite_schema", [], |_| Ok(()))
        .and_then(|()| {
            let backup = Backup::new(source, dest)?;
            let deadline = Instant::now() + BUSY_FOR;
            loop {
                match backup.step(PAGES_PER_STEP)? {
                    StepResult::Done => return Ok(()),
                    StepResult::More => std::thread::sleep(PAUSE),
                    // Busy or locked: another process writes the destination for a moment.
                    _ if Instant::now() < deadline => std::thread::sleep(PAUSE),
                    _ => {
                        return Err(rusqlite::Error::SqliteFailure(
                            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                            Some("journal occupé par un autre processus".into()),
                        ));
                    }
                }
            }
        });
    // Ends the read transaction whatever happened (a read has nothing to roll back).
    let _ = source.execute_batch("COMMIT");
    copied
}

/// SQLite's own checks on a copy: `None` when it is sound, else what they found.
pub(super) fn damage(conn: &Connection) -> rusqlite::Result<Option<String>> {
    let mut stmt = conn.prepare("PRAGMA integrity_check(5)")?;
    let found: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if found != ["ok"] {
        return Ok(Some(found.join(" ; ")));
    }
    let broken: i64 = conn.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    Ok((broken > 0).then(|| format!("{broken} référence(s) cassée(s)")))
}

/// What a journal holds, for the report: its operations and schema version.
pub(super) fn contents(conn: &Connection, path: &Path) -> rusqlite::Result<Summary> {
    let schema_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let (operations, newest_at) = conn.query_row(
        "SELECT COUNT(*), MAX(created_at) FROM transactions",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Summary {
        path: path.into(),
        bytes: 0,
        operations,
        newest_at,
        schema_version,
        duration: Duration::ZERO,
    })
}

/// The temporary file a copy is written to; removed (with SQLite's rollback journal beside
/// it) unless [`Partial::kept`] says the copy was renamed into place.
struct Partial {
    path: PathBuf,
    /// The name the operator gave: the one errors show.
    target: PathBuf,
    done: bool,
}

impl Partial {
    /// Created new (never an existing file or a link someone placed there) and readable by
    /// its owner only, whatever the umask: the journal's phone numbers and amounts stay
    /// private in every copy.
    fn create(target: &Path, dir: &Path) -> Result<Partial, BackupError> {
        let unique = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default();
        let path = names::partial(target, unique);
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| {
                if super::is_disk_full(&e) {
                    BackupError::DiskFull(target.into())
                } else {
                    BackupError::Unwritable {
                        dir: dir.into(),
                        reason: super::french(&e),
                    }
                }
            })?;
        Ok(Partial {
            path,
            target: target.into(),
            done: false,
        })
    }

    fn sqlite(&self, e: rusqlite::Error) -> BackupError {
        BackupError::sqlite(&self.target, e)
    }

    fn kept(mut self) {
        self.done = true;
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.path);
            let mut journal = self.path.clone().into_os_string();
            journal.push("-journal");
            let _ = std::fs::remove_file(journal);
        }
    }
}
