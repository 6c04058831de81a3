//! The copy a migration takes before it changes the journal: a new version of caisse that
//! reshapes the tables can always be undone by putting this copy back (`caisse restore`)
//! under the previous version.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use time::OffsetDateTime;

use super::{BackupError, names, open_source, write_copy};

/// Writes `<journal>.avant-migration-v<old>-AAAAMMJJHHMMSS.db` beside the journal `conn`
/// is open on, checked like every copy. `conn` holds the migration's write lock and has
/// changed nothing yet: the copy is read through a connection of its own (the backup API
/// refuses a source in the middle of a write), and sees exactly what the migration will
/// change, since no other process can write meanwhile. `None` for a database with no file
/// (in memory) and for a journal that holds no row at all.
pub fn copy_before_migration(
    conn: &Connection,
    old: i64,
    now: OffsetDateTime,
) -> Result<Option<PathBuf>, BackupError> {
    let Some(journal) = conn.path().filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let journal = Path::new(journal);
    if !holds_anything(conn).map_err(|e| BackupError::sqlite(journal, e))? {
        return Ok(None);
    }
    let target = names::before_migration(journal, old, now);
    let reader = open_source(journal)?;
    write_copy(&reader, &target)?;
    Ok(Some(target))
}

/// Whether any table has a row: one index probe per table, not a count.
fn holds_anything(conn: &Connection) -> rusqlite::Result<bool> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for table in tables {
        let quoted = table.replace('"', "\"\"");
        let any: bool = conn.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM \"{quoted}\")"),
            [],
            |r| r.get(0),
        )?;
        if any {
            return Ok(true);
        }
    }
    Ok(false)
}
