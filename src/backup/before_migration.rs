//! The copy a migration takes before it changes the journal: a new version of caisse that
//! reshapes the tables can always be undone by putting this copy back (`caisse restore`)
//! under the previous version.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use time::OffsetDateTime;

use super::{BackupError, names, write_copy};

/// Writes `<journal>.avant-migration-v<old>-AAAAMMJJHHMMSS.db` beside the journal `conn`
/// is open on, checked like every copy. `None` for a database with no file (in memory),
/// and when another process migrated the journal first: that one kept the copy at `old`,
/// and this one, already at a later version, is not kept under `old`'s name.
pub fn copy_before_migration(
    conn: &Connection,
    old: i64,
    now: OffsetDateTime,
) -> Result<Option<PathBuf>, BackupError> {
    let Some(journal) = conn.path().filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let target = names::before_migration(Path::new(journal), old, now);
    let summary = write_copy(conn, &target)?;
    if summary.schema_version != old {
        let _ = std::fs::remove_file(&target);
        return Ok(None);
    }
    Ok(Some(target))
}
