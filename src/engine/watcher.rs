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

use futures_util::StreamExt;
use inotify::{EventStream, Inotify, WatchMask};

use super::{Engine, EngineEvent};

/// How long after the journal's files were last written the version is read once more. A
/// commit's last step (the WAL index, in shared memory) makes no file notification, so the
/// read that follows the last write may come a moment too early.
pub const SETTLE: Duration = Duration::from_millis(100);

/// Where notifications cannot be had (a file system without inotify, no watch left), the
/// version is read this often instead.
pub const FALLBACK_EVERY: Duration = Duration::from_secs(1);

/// The journal's files: the database, its `-wal` and `-journal`. Writes to other files of
/// the directory (the log, the demo's sandbox address) wake the watcher but are skipped.
/// Also what wakes the head office's replicator (`hq::replicator`).
pub struct JournalFiles {
    events: EventStream<Vec<u8>>,
    name: OsString,
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
        let events = inotify.into_event_stream(vec![0u8; 4096])?;
        Ok(JournalFiles { events, name })
    }

    /// The next write to one of the journal's files; `None` when notifications stopped.
    pub async fn next(&mut self) -> Option<()> {
        loop {
            let event = self.events.next().await?.ok()?;
            let ours = event.name.as_ref().is_some_and(|n| {
                n.as_encoded_bytes()
                    .starts_with(self.name.as_encoded_bytes())
            });
            if ours {
                return Some(());
            }
        }
    }
}

impl Engine {
    /// Announces `JournalChanged` when another process wrote the journal at `path`.
    pub async fn run_watcher(self: Arc<Self>, path: PathBuf) {
        let mut last = self.journal(|j| j.data_version()).await.ok();
        match JournalFiles::watch(&path) {
            Ok(mut files) => {
                'watch: while files.next().await.is_some() {
                    self.look(&mut last).await;
                    // The rest of a burst is looked at once it is over, or every SETTLE
                    // while it goes on (a busy shop), never once per write.
                    let deadline = tokio::time::Instant::now() + SETTLE;
                    loop {
                        match tokio::time::timeout_at(deadline, files.next()).await {
                            Ok(Some(())) => continue,
                            Ok(None) => break 'watch,
                            Err(_) => {
                                self.look(&mut last).await;
                                break;
                            }
                        }
                    }
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
