//! Noticing other processes' writes to the journal (another counter's `caisse pay`, a
//! callback listener, the service): by the kernel's file notifications (inotify) on the
//! journal's directory, never by polling, so that an idle app or service sleeps. A
//! notification only says "look": what changed is read from SQLite's `data_version`, which
//! moves when *another* connection commits (this engine's own writes, already announced as
//! `Changed`, are not echoed).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use inotify::{Inotify, WatchMask};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

use super::{Engine, EngineEvent};

/// How long after the first write of a burst to the journal's files the version is read. A
/// commit's last step (the WAL index, in shared memory) makes no file notification, so a
/// read at the write itself may come a moment too early. Under 64 ms: tokio's finest timer
/// level, one wakeup (a longer wait is woken once more on its way down the wheel).
pub const SETTLE: Duration = Duration::from_millis(60);

/// Where notifications cannot be had (a file system without inotify, no watch left), the
/// version is read this often instead.
pub const FALLBACK_EVERY: Duration = Duration::from_secs(1);

/// The journal's files: the database, its `-wal` and `-journal`. Writes to other files of
/// the directory (the log, the demo's sandbox address) wake the watcher but are skipped.
/// Also what wakes the head office's replicator (`hq::replicator`).
pub struct JournalFiles {
    /// Registered with the runtime while waiting for a write; `None` during [`settle`]
    /// (and after a failure), when the kernel keeps the notifications without waking
    /// anybody.
    ///
    /// [`settle`]: JournalFiles::settle
    events: Option<AsyncFd<Inotify>>,
    parked: Option<Inotify>,
    name: OsString,
    buffer: Vec<u8>,
}

impl JournalFiles {
    pub fn watch(journal: &Path) -> std::io::Result<JournalFiles> {
        let dir = match journal.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = journal
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        let inotify = Inotify::init()?;
        inotify.watches().add(
            &dir,
            WatchMask::MODIFY | WatchMask::CREATE | WatchMask::MOVED_TO | WatchMask::CLOSE_WRITE,
        )?;
        Ok(JournalFiles {
            events: Some(register(inotify)?),
            parked: None,
            name,
            buffer: vec![0u8; 4096],
        })
    }

    /// The next write to one of the journal's files; `None` when notifications stopped.
    pub async fn next(&mut self) -> Option<()> {
        // A `settle` dropped mid-pause (its caller cancelled) left the watch parked.
        if self.events.is_none()
            && let Some(inotify) = self.parked.take()
        {
            self.events = register(inotify).ok();
        }
        loop {
            let events = self.events.as_mut()?;
            let mut ready = events.readable_mut().await.ok()?;
            let (name, buffer) = (&self.name, &mut self.buffer);
            match ready.try_io(|fd| {
                let events = fd.get_mut().read_events(buffer)?;
                Ok(events.into_iter().any(|event| {
                    event
                        .name
                        .is_some_and(|n| n.as_encoded_bytes().starts_with(name.as_encoded_bytes()))
                }))
            }) {
                Ok(Ok(true)) => return Some(()),
                Ok(Ok(false)) | Err(_) => continue,
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Ok(Err(_)) => {
                    self.events = None;
                    return None;
                }
            }
        }
    }

    /// Lets a burst of writes end: for `pause`, the notifications wait in the kernel
    /// without waking this thread (every write of a commit is one: a dozen a sale, most of
    /// them this process's own), then those that came are dropped. What they announced is
    /// for the caller to look at now; a write after this returns wakes [`next`] again.
    /// `None` when notifications stopped.
    ///
    /// [`next`]: JournalFiles::next
    pub async fn settle(&mut self, pause: Duration) -> Option<()> {
        // Out of the runtime's epoll: an edge-triggered registration would wake the
        // thread at every write even with no task waiting.
        let inotify = self.events.take()?.into_inner();
        self.parked = Some(inotify);
        tokio::time::sleep(pause).await;
        let mut inotify = self.parked.take()?;
        loop {
            match inotify.read_events(&mut self.buffer) {
                Ok(mut events) => {
                    if events.next().is_none() {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(_) => return None,
            }
        }
        self.events = Some(register(inotify).ok()?);
        Some(())
    }
}

/// The watch in the runtime's epoll, for reading only.
fn register(inotify: Inotify) -> std::io::Result<AsyncFd<Inotify>> {
    // SAFETY: `Inotify` owns its descriptor, which stays open and the same until the
    // AsyncFd gives it back (`into_inner`) or drops it.
    unsafe { AsyncFd::register_with_interest(inotify, Interest::READABLE) }
        .map_err(|e| e.into_parts().1)
}

impl Engine {
    /// Announces `JournalChanged` when another process wrote the journal at `path`.
    pub async fn run_watcher(self: Arc<Self>, path: PathBuf) {
        let mut last = self.journal(|j| j.data_version()).await.ok();
        match JournalFiles::watch(&path) {
            Ok(mut files) => {
                while files.next().await.is_some() {
                    // A burst is looked at once, SETTLE after its first write (or every
                    // SETTLE while it goes on: a busy shop), never once per write, and
                    // its other writes wake nobody. Not at its first write too: most
                    // bursts are this process's own commits, which the look cannot tell
                    // from others' until it has made it (each look is a trip to a
                    // blocking thread: issue 14's wakeups).
                    if files.settle(SETTLE).await.is_none() {
                        break;
                    }
                    self.look(&mut last).await;
                }
                tracing::warn!(
                    "journal : les notifications de fichiers se sont arrêtées, lecture toutes les secondes"
                );
            }
            Err(e) => tracing::warn!(
                "journal : pas de notifications de fichiers ({e}), lecture toutes les secondes"
            ),
        }
        loop {
            tokio::time::sleep(FALLBACK_EVERY).await;
            self.look(&mut last).await;
        }
    }

    /// Reads `data_version`; announces a change since `last`.
    async fn look(&self, last: &mut Option<i64>) {
        let version = self.journal(|j| j.data_version()).await.ok();
        if version.is_some() && last.is_some() && version != *last {
            let _ = self.events.send(EngineEvent::JournalChanged);
            self.wake.notify_one();
        }
        *last = version.or(*last);
    }
}
