//! The copies' names, and which dated copies a rotation deletes. Pure: the tests give the
//! time and the directory's listing.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::macros::format_description;

const PREFIX: &str = "journal-";
const SUFFIX: &str = ".db";
/// `AAAAMMJJ-HHMMSS`: sorts as the time does, so the newest name is the greatest.
const STAMP_LEN: usize = 15;

fn stamp(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year][month][day]-[hour][minute][second]"
    ))
    .expect("a UTC time always formats")
}

/// The name of a dated copy in a backup directory: `journal-AAAAMMJJ-HHMMSS.db`, UTC.
pub fn dated(at: OffsetDateTime) -> String {
    format!("{PREFIX}{}{SUFFIX}", stamp(at))
}

/// True for the names [`dated`] writes, and only those: the rotation deletes nothing else.
pub fn is_dated(name: &str) -> bool {
    let Some(middle) = name
        .strip_prefix(PREFIX)
        .and_then(|n| n.strip_suffix(SUFFIX))
    else {
        return false;
    };
    middle.len() == STAMP_LEN
        && middle.char_indices().all(|(i, c)| match i {
            8 => c == '-',
            _ => c.is_ascii_digit(),
        })
}

/// Of the names in a directory, the dated copies to delete so that the `keep` newest stay.
/// Other names are never chosen.
pub fn to_delete(names: &[String], keep: usize) -> Vec<String> {
    let mut dated: Vec<&String> = names.iter().filter(|n| is_dated(n)).collect();
    dated.sort_unstable_by(|a, b| b.cmp(a));
    dated.into_iter().skip(keep).cloned().collect()
}

/// `<journal>.<what>-<stamp><ext>` beside the journal.
fn beside(journal: &Path, what: &str, stamp: &str, ext: &str) -> PathBuf {
    let mut name = OsString::from(journal.as_os_str());
    name.push(format!(".{what}-{stamp}{ext}"));
    PathBuf::from(name)
}

/// Where the journal is set aside before a restore: `journal.db.avant-restauration-…`.
pub fn before_restore(journal: &Path, at: OffsetDateTime) -> PathBuf {
    beside(journal, "avant-restauration", &stamp(at), "")
}

/// The copy taken before a migration from schema `old`:
/// `journal.db.avant-migration-v<old>-AAAAMMJJHHMMSS.db`.
pub fn before_migration(journal: &Path, old: i64, at: OffsetDateTime) -> PathBuf {
    let compact: String = stamp(at).chars().filter(|c| *c != '-').collect();
    beside(journal, &format!("avant-migration-v{old}"), &compact, ".db")
}

/// The temporary name a copy is written under, in the same directory as `target` (so that
/// the rename into place is atomic), hidden, and never a name the rotation matches.
pub fn partial(target: &Path, unique: u64) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "journal".into());
    target.with_file_name(format!(".{name}.partiel-{}-{unique}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_dated_copy_is_named_by_its_utc_time_and_recognised() {
        let name = dated(datetime!(2026-03-07 08:05:09 UTC));
        assert_eq!(name, "journal-20260307-080509.db");
        assert!(is_dated(&name));
    }

    #[test]
    fn names_that_only_look_dated_are_not_dated_copies() {
        for name in [
            "journal.db",
            "journal-20260307-080509.db-wal",
            "journal-20260307-080509.db.bak",
            "journal-2026030-7080509.db",
            "journal-20260307-08050.db",
            "journal-2026030a-080509.db",
            "xjournal-20260307-080509.db",
            ".journal-20260307-080509.db.partiel-1-2",
            "journal-20260307-080509.db.avant-restauration-20260307-080509",
        ] {
            assert!(!is_dated(name), "{name}");
        }
    }

    #[test]
    fn the_rotation_keeps_the_newest_and_deletes_only_older_dated_copies() {
        let names: Vec<String> = [
            "journal-20260103-000000.db",
            "notes.txt",
            "journal-20260101-235959.db",
            "journal-20260105-120000.db",
            "journal.db",
            "journal-20260102-000000.db",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            to_delete(&names, 2),
            ["journal-20260102-000000.db", "journal-20260101-235959.db"]
        );
        assert!(to_delete(&names, 4).is_empty());
    }

    #[test]
    fn the_copies_beside_the_journal_say_what_they_are_and_when() {
        let at = datetime!(2026-12-01 05:53:28 UTC);
        let journal = Path::new("/var/lib/caisse/journal.db");
        assert_eq!(
            before_migration(journal, 11, at),
            Path::new("/var/lib/caisse/journal.db.avant-migration-v11-20261201055328.db")
        );
        assert_eq!(
            before_restore(journal, at),
            Path::new("/var/lib/caisse/journal.db.avant-restauration-20261201-055328")
        );
        let temp = partial(Path::new("/sauvegardes/journal-20261201-055328.db"), 7);
        assert_eq!(temp.parent(), Some(Path::new("/sauvegardes")));
        assert!(!is_dated(&temp.file_name().unwrap().to_string_lossy()));
    }
}
