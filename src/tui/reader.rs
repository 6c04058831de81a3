//! The terminal's input bytes, read on a thread of their own and handed to the UI task,
//! which parses them (`input.rs`) in place of crossterm's reader.
//!
//! Why a plain thread blocked in `read`, not tokio's `AsyncFd`: `AsyncFd` needs the file
//! non-blocking, and `O_NONBLOCK` on stdin is set on the open file the login shell shares,
//! which would be left non-blocking if the app died before putting it back. A thread
//! blocked in `poll`+`read` costs nothing while the cashier types nothing (no wake-up), and
//! it is a std thread, not `spawn_blocking`: the runtime's shutdown waits for blocking
//! tasks, and this one never ends by itself; at exit it simply goes with the process.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::time::Instant;

use tokio::sync::mpsc;

/// Bytes as one `read` returned them, and when: the timeout of an unfinished escape
/// sequence is measured between reads, not between the UI task's turns (a busy UI task
/// must not glue an Esc to the next key).
#[derive(Debug)]
pub struct Chunk {
    pub at: Instant,
    pub bytes: Vec<u8>,
}

/// Starts reading the terminal: stdin when it is a terminal, `/dev/tty` otherwise (as
/// crossterm does). The channel ends (`None`) at end of input; an error is its last item.
/// A few chunks at most wait in it: a UI task behind slows the reading, not the memory.
pub fn spawn() -> io::Result<mpsc::Receiver<io::Result<Chunk>>> {
    // SAFETY: isatty only looks at the descriptor.
    let tty = if unsafe { libc::isatty(libc::STDIN_FILENO) } == 1 {
        None
    } else {
        Some(File::open("/dev/tty")?)
    };
    let (tx, rx) = mpsc::channel(4);
    std::thread::Builder::new()
        .name("caisse-tty".into())
        .spawn(move || {
            let fd = tty.as_ref().map_or(libc::STDIN_FILENO, File::as_raw_fd);
            let mut buf = [0u8; 4096];
            loop {
                let item = match read(fd, &mut buf) {
                    Ok(0) => return,
                    Ok(n) => Ok(Chunk {
                        at: Instant::now(),
                        bytes: buf[..n].to_vec(),
                    }),
                    Err(e) => Err(e),
                };
                let last = item.is_err();
                // The UI task is gone: nobody to read for.
                if tx.blocking_send(item).is_err() || last {
                    return;
                }
            }
        })?;
    Ok(rx)
}

/// One `read` of what is there, waiting for it in `poll` first: a descriptor someone left
/// non-blocking would otherwise make `read` fail at once, over and over.
fn read(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, for the duration of the call.
        if unsafe { libc::poll(&mut pfd, 1, -1) } < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        // SAFETY: `buf` is valid for `buf.len()` bytes. After a hang-up, `read` says so
        // (0 or EIO): that ends the loop, it never spins.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if !matches!(
            e.kind(),
            io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock
        ) {
            return Err(e);
        }
    }
}
