//! Where logs go. The commands and the service write to stderr (a terminal, or the
//! journal of systemd). The app owns the terminal: a single byte of log there would be drawn
//! over the screen, so its logs go to a file in the user's state directory, rotated by size
//! so that a kiosk running for months never fills the disk.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate};

/// A log file is rotated once past this size…
pub const MAX_BYTES: usize = 1024 * 1024;
/// …and this many old ones are kept (`caisse.log.1` the newest): at most 4 MiB in all.
pub const KEEP: usize = 3;

/// The app's log file: `$XDG_STATE_HOME/caisse/caisse.log` (`~/.local/state/caisse/` by
/// default), or the data directory where the OS has no state directory.
pub fn app_log_path() -> PathBuf {
    let dirs = directories::ProjectDirs::from("sn", "caisse", "caisse");
    let dir = dirs
        .as_ref()
        .map(|d| d.state_dir().unwrap_or_else(|| d.data_dir()).to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."));
    dir.join("caisse.log")
}

/// The line of `--help` that says where the app's log is.
pub fn help_line(path: &Path) -> String {
    format!(
        "Traces de l'application (jamais à l'écran) : {} (CAISSE_LOG=debug pour plus de détail ; \
         remplacé à 1 Mo, 3 anciens gardés)",
        path.display()
    )
}

/// A writer appending to `path`, rotated past [`MAX_BYTES`], readable by its owner only
/// (a trace may name a customer's phone).
pub fn rotating(path: &Path) -> std::io::Result<FileRotate<AppendCount>> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = OpenOptions::new();
    options.read(true).create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    // Opened once here so that a directory we cannot write is reported, not silent.
    options.open(path)?;
    Ok(FileRotate::new(
        path,
        AppendCount::new(KEEP),
        ContentLimit::BytesSurpassed(MAX_BYTES),
        Compression::None,
        Some(options),
    ))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn the_log_is_rotated_past_its_size_and_only_three_old_ones_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("caisse.log");
        let mut log = rotating(&path).unwrap();
        let line = vec![b'x'; 64 * 1024];
        // 6 MiB written: more than the 4 files kept can hold.
        for _ in 0..96 {
            log.write_all(&line).unwrap();
            log.write_all(b"\n").unwrap();
        }
        log.flush().unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["caisse.log", "caisse.log.1", "caisse.log.2", "caisse.log.3"]
        );
        for name in &names {
            let size = std::fs::metadata(dir.path().join(name)).unwrap().len();
            assert!(
                size <= (MAX_BYTES + line.len() + 1) as u64,
                "{name}: {size}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_log_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/caisse.log");
        let mut log = rotating(&path).unwrap();
        log.write_all(b"une ligne\n").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
