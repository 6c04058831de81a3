//! The journal's own thread: every call of the engine's runs there, one at a time, in the
//! order asked (SQLite blocks; a connection serves one call at a time anyway).
//!
//! Why not a lock and tokio's blocking pool: there, each call wakes a pool thread that
//! first sleeps again on the pool's mutex (it is notified while the mutex is held), and a
//! second idle thread joins in when two calls overlap: three or four context switches a
//! call instead of two (issue 14: a pending sale's wakeups). Here a call is one wakeup of
//! this thread and one of the caller.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use crate::journal::{Journal, JournalError};

type Call = Box<dyn FnOnce(&mut Journal) + Send>;

pub struct JournalThread {
    calls: mpsc::Sender<Call>,
    path: PathBuf,
}

impl JournalThread {
    /// Moves `journal` to a new thread, which ends (closing it) when this is dropped.
    pub fn start(mut journal: Journal) -> JournalThread {
        let path = journal.path().to_path_buf();
        let (calls, queue) = mpsc::channel::<Call>();
        let spawned = std::thread::Builder::new()
            .name("caisse-journal".into())
            .spawn(move || {
                while let Ok(call) = queue.recv() {
                    // A call that panics (a bug) fails alone, as a blocking task would:
                    // its caller gets an error, the journal goes on serving the others.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        call(&mut journal)
                    }));
                }
            });
        if let Err(e) = spawned {
            // No thread (the process is out of them): every call will say so.
            tracing::error!("journal : impossible de lancer son fil d'exécution : {e}");
        }
        JournalThread { calls, path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the journal's thread and returns what it returned.
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Journal) -> Result<T, JournalError> + Send + 'static,
    ) -> Result<T, JournalError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let sent = self.calls.send(Box::new(move |journal: &mut Journal| {
            let _ = reply.send(f(journal));
        }));
        let gone = || JournalError::Open {
            path: self.path.clone(),
            reason: "le fil d'exécution du journal s'est arrêté".to_owned(),
        };
        if sent.is_err() {
            return Err(gone());
        }
        answer.await.unwrap_or_else(|_| Err(gone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_run_in_order_and_a_panic_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(&dir.path().join("j.db")).unwrap();
        let thread = JournalThread::start(journal);
        let first = thread.call(|j| j.data_version());
        let panicked = thread.call(|_| -> Result<(), JournalError> { panic!("a bug") });
        let after = thread.call(|j| j.data_version());
        let (first, panicked, after) = tokio::join!(first, panicked, after);
        assert!(first.is_ok());
        assert!(matches!(panicked, Err(JournalError::Open { .. })));
        assert_eq!(after.unwrap(), first.unwrap(), "the journal still serves");
        assert_eq!(thread.path(), dir.path().join("j.db"));
    }
}
