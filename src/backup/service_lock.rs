//! Who owns the journal as a whole: `caisse serve` for as long as it runs, or `caisse
//! restore` while it puts a copy in place. Both take an exclusive lock on
//! `<journal>.verrou`; the system drops it when the process ends, however it ends (a kill,
//! a crash), so a lock held means its holder is alive. Nothing existed before: the socket
//! only says a service listens somewhere, not on which journal, and SQLite's own locks are
//! taken by every command for a moment, not by the service for its lifetime.

use std::ffi::OsString;
use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The lock file beside the journal.
pub fn path(journal: &Path) -> PathBuf {
    let mut name = OsString::from(journal.as_os_str());
    name.push(".verrou");
    PathBuf::from(name)
}

/// The lock, held until dropped.
#[derive(Debug)]
pub struct Held {
    _file: File,
}

#[derive(Debug)]
pub enum Refused {
    /// Another process holds it.
    Taken,
    /// The lock file cannot be opened (its directory is not writable, say).
    Io(std::io::Error),
}

/// Takes the lock without waiting. The file is made 0600 (never opened through a link
/// another user placed: `O_NOFOLLOW`), and holds nothing but the lock.
pub fn take(journal: &Path) -> Result<Held, Refused> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path(journal))
        .map_err(Refused::Io)?;
    match file.try_lock() {
        Ok(()) => Ok(Held { _file: file }),
        Err(TryLockError::WouldBlock) => Err(Refused::Taken),
        Err(TryLockError::Error(e)) => Err(Refused::Io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_free_again_once_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.db");
        let held = take(&journal).unwrap();
        assert!(matches!(take(&journal), Err(Refused::Taken)));
        drop(held);
        take(&journal).unwrap();
    }
}
