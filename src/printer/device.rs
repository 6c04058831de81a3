//! A printer behind a device file (`/dev/usb/lp0`), checked before anything is written,
//! only in ways that cannot block: the file exists; it is a character device, a FIFO or a
//! plain file that is not read-only; it opens with `O_NONBLOCK` (an unplugged printer's
//! node answers `ENODEV`/`ENXIO` at once, a FIFO nobody reads `ENXIO`, where a plain
//! open would wait forever). A character device that also opens for reading is then asked
//! its real-time status (`DLE EOT 1`, `DLE EOT 4`, through the `escpos` crate) and given a
//! short while to answer: many `lp` printers never answer, so silence lets the print go,
//! while an answer of "offline" or "no paper" stops it with the French reason.

use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

use escpos::driver::{Driver, FileDriver};
use escpos::printer::Printer;
use escpos::utils::{Protocol, RealTimeStatusRequest, RealTimeStatusResponse};

use super::PrintError;

/// How long a device that can be read is given to answer a status request.
const STATUS_WAIT: Duration = Duration::from_millis(300);

/// Options that never wait: write (and read, for the status), `O_NONBLOCK`.
fn without_waiting(read: bool) -> OpenOptions {
    let mut open = OpenOptions::new();
    open.write(true).read(read).custom_flags(libc::O_NONBLOCK);
    open
}

/// Whether `path` can take a receipt now, said in French when not. `ask_status`: a
/// character device is asked its status too (`[printer] check_status`).
pub(super) fn check(path: &Path, ask_status: bool) -> Result<(), PrintError> {
    let name = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => return Err(PrintError::Missing(name)),
        Err(e) => return Err(PrintError::Unreachable(name, e.to_string())),
    };
    let kind = meta.file_type();
    let device = kind.is_char_device();
    if !(device || kind.is_fifo() || kind.is_file()) {
        return Err(PrintError::NotAPrinter(name));
    }
    // Checked on the mode itself: the service may run as root, whom `open` would let write.
    if meta.permissions().readonly() {
        return Err(PrintError::ReadOnly(name));
    }
    if let Err(e) = without_waiting(false).open(path) {
        return Err(match e.raw_os_error() {
            Some(libc::ENXIO | libc::ENODEV) => PrintError::Unplugged(name),
            Some(libc::EACCES | libc::EPERM | libc::EROFS) => PrintError::ReadOnly(name),
            Some(libc::EBUSY) => {
                PrintError::Unreachable(name, "occupée par un autre programme".into())
            }
            _ => PrintError::Unreachable(name, e.to_string()),
        });
    }
    if device && ask_status {
        status(path, &name)?;
    }
    Ok(())
}

/// The device's answer to `DLE EOT n` within [`STATUS_WAIT`], if it gives one.
fn ask(driver: &FileDriver, request: RealTimeStatusRequest) -> Option<u8> {
    let mut asking = Printer::new(driver.clone(), Protocol::default(), None);
    asking
        .real_time_status(request)
        .and_then(|p| p.send_status())
        .ok()?;
    let deadline = Instant::now() + STATUS_WAIT;
    let mut byte = [0u8; 1];
    while Instant::now() < deadline {
        // Non-blocking: "would block" until the printer answers.
        if let Ok(1) = driver.read(&mut byte) {
            return Some(byte[0]);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// A readable device's status: offline or out of paper stops the print; no answer (or a
/// device that cannot be read) lets it go.
fn status(path: &Path, name: &str) -> Result<(), PrintError> {
    let Ok(driver) = FileDriver::open_with_options(path, &without_waiting(true)) else {
        return Ok(());
    };
    let said = |request, flag| {
        ask(&driver, request)
            .and_then(|b| RealTimeStatusResponse::parse(request, b).ok())
            .and_then(|s| s.get(&flag).copied())
    };
    if said(
        RealTimeStatusRequest::Printer,
        RealTimeStatusResponse::Online,
    ) == Some(false)
    {
        return Err(PrintError::Offline(name.to_owned()));
    }
    if said(
        RealTimeStatusRequest::RollPaperSensor,
        RealTimeStatusResponse::RollPaperEndSensorPaperPresent,
    ) == Some(false)
    {
        return Err(PrintError::PaperOut(name.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_path_that_does_not_exist_is_a_missing_printer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lp0");
        assert_eq!(
            check(&path, true),
            Err(PrintError::Missing(path.display().to_string()))
        );
    }

    #[test]
    fn a_read_only_file_is_refused_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lp0");
        std::fs::write(&path, b"").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        assert_eq!(
            check(&path, true),
            Err(PrintError::ReadOnly(path.display().to_string()))
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"");
    }

    /// A FIFO nobody reads: a plain open for writing would wait forever; the check
    /// answers at once that nothing is there.
    #[test]
    fn a_fifo_without_a_reader_is_unplugged_not_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lp0");
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert_eq!(
            check(&path, true),
            Err(PrintError::Unplugged(path.display().to_string()))
        );
    }

    #[test]
    fn a_directory_is_not_a_printer_and_a_writable_file_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            check(dir.path(), true),
            Err(PrintError::NotAPrinter(_))
        ));
        let path = dir.path().join("lp0");
        std::fs::write(&path, b"").unwrap();
        assert_eq!(check(&path, true), Ok(()));
    }
}
