//! Free space on the journal's file system (`statvfs`): SQLite needs room to commit, and a
//! sale that cannot be written is a sale refused.

use std::path::Path;

use super::Check;

const NAME: &str = "Espace disque";

/// Below this, doctor asks for room: a busy shop's journal grows some megabytes a month,
/// but the system's own logs and updates share the disk.
pub const MIN_FREE_BYTES: u64 = 500 * 1000 * 1000;
/// Nor below this many times the journal: a backup, the copy a migration takes first, and
/// the journal's own growth each need about its size.
pub const JOURNALS_OF_ROOM: u64 = 4;
/// Below this share of the file system it is said (the system needs room too), but a big
/// disk's 5 % is many gigabytes: not a failure.
pub const LOW_PERCENT: u64 = 5;

/// Too little room: under 500 MB, or under four times the journal.
pub fn too_little(free: u64, journal: u64) -> bool {
    free < MIN_FREE_BYTES || free < journal.saturating_mul(JOURNALS_OF_ROOM)
}

/// Under 5 % of the file system free.
pub fn getting_low(free: u64, total: u64) -> bool {
    free.saturating_mul(100) < total.saturating_mul(LOW_PERCENT)
}

/// `bytes` in MB or GB, French decimals.
pub fn size(bytes: u64) -> String {
    if bytes >= 10 * 1000 * 1000 * 1000 {
        format!("{} Go", bytes / 1_000_000_000)
    } else if bytes >= 1000 * 1000 * 1000 {
        format!("{:.1} Go", bytes as f64 / 1e9).replace('.', ",")
    } else {
        format!("{} Mo", bytes.div_ceil(1_000_000))
    }
}

/// The file system's free space for an unprivileged writer, and its size, in bytes.
fn free_and_total(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: zeroed statvfs is a valid out-parameter; the path is NUL-terminated.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call.
    if unsafe { libc::statvfs(c.as_ptr(), &mut stat) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let unit = stat.f_frsize as u64;
    Ok((
        (stat.f_bavail as u64).saturating_mul(unit),
        (stat.f_blocks as u64).saturating_mul(unit),
    ))
}

/// The journal and its write-ahead log, in bytes (0 for what does not exist yet).
fn journal_size(journal: &Path) -> u64 {
    let mut wal = journal.as_os_str().to_owned();
    wal.push("-wal");
    [journal, Path::new(&wal)]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

pub fn check(journal: &Path) -> Check {
    // The nearest directory that exists: the journal may not be created yet.
    let Some(dir) = journal.ancestors().skip(1).find(|d| d.is_dir()) else {
        return Check::warning(
            NAME,
            format!("aucun dossier existant pour {}", journal.display()),
        );
    };
    let (free, total) = match free_and_total(dir) {
        Ok(sizes) => sizes,
        Err(e) => return Check::warning(NAME, format!("non vérifié sur {} : {e}", dir.display())),
    };
    let percent = free.saturating_mul(100).checked_div(total).unwrap_or(0);
    let journal_bytes = journal_size(journal);
    let said = format!(
        "libre : {} sur {} ({percent} %), journal : {}",
        size(free),
        size(total),
        size(journal_bytes)
    );
    if too_little(free, journal_bytes) {
        Check::to_fix(
            NAME,
            format!(
                "{said} : moins de {} ou de {JOURNALS_OF_ROOM} fois le journal, qui risque de ne \
                 plus pouvoir enregistrer les ventes (ni ses copies de sauvegarde)",
                size(MIN_FREE_BYTES)
            ),
            format!(
                "{s}apt-get clean && {s}journalctl --vacuum-size=100M   # puis : du -xh {} | sort -h | tail",
                dir.display(),
                s = super::sudo()
            ),
        )
    } else if getting_low(free, total) {
        Check::warning(
            NAME,
            format!("{said} : moins de {LOW_PERCENT} % libres, le système aussi a besoin de place"),
        )
    } else {
        Check::ok(NAME, said)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        let gb = 1_000_000_000;
        assert!(!too_little(10 * gb, gb / 1000));
        assert!(too_little(400_000_000, 0), "under 500 MB");
        assert!(too_little(3 * gb, gb), "under four journals");
        assert!(!too_little(4 * gb, gb));
        assert!(getting_low(4 * gb, 100 * gb));
        assert!(!getting_low(5 * gb, 100 * gb));
    }

    #[test]
    fn sizes_read_in_french() {
        assert_eq!(size(12_345_678), "13 Mo");
        assert_eq!(size(1_500_000_000), "1,5 Go");
        assert_eq!(size(72_000_000_000), "72 Go");
    }

    #[test]
    fn the_journal_file_system_is_measured() {
        let dir = tempfile::tempdir().unwrap();
        let check = check(&dir.path().join("pas-encore/journal.db"));
        let said = match &check.verdict {
            super::super::Verdict::ToFix { why, .. } => why.clone(),
            _ => check.detail.clone(),
        };
        assert!(said.starts_with("libre : "), "{check:?}");
        assert!(said.contains("journal : 0 Mo"), "{check:?}");
    }
}
