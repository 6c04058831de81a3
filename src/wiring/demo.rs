//! One demo, one sandbox. The demo journal's sales live in the sandbox of the process that
//! sent them (it keeps them in memory only): a second process starting a sandbox of its own
//! would ask it about sales it never saw and record "not found" against a live sale. So the
//! process that starts the demo's sandbox records its address next to the demo journal
//! (`<journal>.sandbox`), under a lock held as long as it runs (the system drops the lock
//! when the process ends, however it ends: a lock held means a demo alive). A command started
//! meanwhile uses that sandbox; the app and the service, which would outlive it, refuse to
//! start beside it; and when the running demo does not answer, nothing touches its
//! operations.

use std::ffi::OsString;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::exit::{ExitCode, Failure};
use crate::sandbox::{self, SandboxConfig, SandboxHandle};

/// The demo's sandbox, as this process reaches it.
pub enum Demo {
    /// This process runs it; the lock (and so the record) is released when it ends.
    Own { handle: SandboxHandle, _lease: File },
    /// The sandbox of the demo already running in process `pid`, used over HTTP.
    Joined { url: String, pid: u32 },
}

impl Demo {
    pub fn url(&self) -> String {
        match self {
            Demo::Own { handle, .. } => handle.url(),
            Demo::Joined { url, .. } => url.clone(),
        }
    }
}

/// What the running demo may be to this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A command: it joins the running demo, or runs the demo's sandbox while it lasts.
    Command,
    /// The app or the service: it runs the demo's sandbox, or refuses to start beside
    /// another demo (it would outlive a command whose sandbox it used).
    Lasting,
}

/// Where the running demo's address is recorded: beside its journal.
pub fn record_path(journal: &Path) -> PathBuf {
    let mut name = OsString::from(journal.as_os_str());
    name.push(".sandbox");
    PathBuf::from(name)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Record {
    url: String,
    pid: u32,
}

/// How long a process waits for a demo that is starting to write its address.
const STARTING: Duration = Duration::from_secs(5);
/// How long the running demo's sandbox has to accept a connection.
const ANSWER: Duration = Duration::from_secs(3);

fn failure(message: String) -> Failure {
    Failure {
        message,
        code: ExitCode::Config,
    }
}

/// The demo's sandbox for the journal at `journal`: this process's own if no demo runs,
/// else the running one's (for a command), else a refusal that says why.
pub async fn open(journal: &Path, config: &SandboxConfig, part: Part) -> Result<Demo, Failure> {
    let path = record_path(journal);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| failure(format!("mode démo : {} : {e}", dir.display())))?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| failure(format!("mode démo : {} : {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => {
            let handle = sandbox::spawn(config.clone(), SocketAddr::from(([127, 0, 0, 1], 0)))
                .await
                .map_err(|e| {
                    failure(format!(
                        "mode démo : impossible de démarrer la sandbox intégrée : {e}"
                    ))
                })?;
            let record = Record {
                url: handle.url(),
                pid: std::process::id(),
            };
            let text = serde_json::to_string(&record).unwrap_or_default();
            file.set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| file.write_all(text.as_bytes()))
                .and_then(|()| file.flush())
                .map_err(|e| failure(format!("mode démo : {} : {e}", path.display())))?;
            Ok(Demo::Own {
                handle,
                _lease: file,
            })
        }
        Err(TryLockError::WouldBlock) => join(&path, part).await,
        Err(TryLockError::Error(e)) => Err(failure(format!(
            "mode démo : verrou de {} : {e}",
            path.display()
        ))),
    }
}

/// The running demo's sandbox, if this process may use it and it answers.
async fn join(path: &Path, part: Part) -> Result<Demo, Failure> {
    let Some(record) = read_record(path).await else {
        return Err(failure(format!(
            "mode démo : une autre démo démarre sur ce journal mais n'a pas écrit l'adresse de \
             sa sandbox ({}) : rien n'a été touché, réessayez dans un instant",
            path.display()
        )));
    };
    if part == Part::Lasting {
        return Err(failure(format!(
            "mode démo : une démo est déjà ouverte sur ce journal (processus {}, sandbox {}) : \
             une seule à la fois, ses ventes vivent dans sa sandbox ; fermez-la d'abord \
             (les commandes, elles, passent par elle)",
            record.pid, record.url
        )));
    }
    if !answers(&record.url).await {
        return Err(failure(format!(
            "mode démo : la démo ouverte (processus {}) ne répond pas sur {} : ses opérations \
             ne sont pas touchées ; réessayez quand elle répond, ou fermez-la",
            record.pid, record.url
        )));
    }
    Ok(Demo::Joined {
        url: record.url,
        pid: record.pid,
    })
}

/// The record, once the running demo has written it (it may be starting).
async fn read_record(path: &Path) -> Option<Record> {
    let deadline = tokio::time::Instant::now() + STARTING;
    loop {
        let mut text = String::new();
        if let Ok(mut f) = File::open(path)
            && f.read_to_string(&mut text).is_ok()
            && let Ok(record) = serde_json::from_str::<Record>(&text)
        {
            return Some(record);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether something accepts connections at the sandbox's address.
async fn answers(url: &str) -> bool {
    let Some(addr) = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.socket_addrs(|| None).ok())
        .and_then(|a| a.into_iter().next())
    else {
        return false;
    };
    matches!(
        tokio::time::timeout(ANSWER, tokio::net::TcpStream::connect(addr)).await,
        Ok(Ok(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_runs_the_sandbox_a_command_joins_it_the_app_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("demo-journal.db");
        let config = SandboxConfig::default();
        let first = open(&journal, &config, Part::Lasting).await.unwrap();
        let Demo::Own { .. } = &first else {
            panic!("nobody ran the demo: this process does")
        };
        let joined = open(&journal, &config, Part::Command).await.unwrap();
        assert!(
            matches!(&joined, Demo::Joined { url, pid } if *url == first.url() && *pid == std::process::id())
        );
        let Err(refused) = open(&journal, &config, Part::Lasting).await else {
            panic!("a second app beside a running demo")
        };
        assert!(
            refused.message.contains("déjà ouverte"),
            "{}",
            refused.message
        );
        // The first ends: the next one runs the sandbox itself.
        drop(first);
        let next = open(&journal, &config, Part::Command).await.unwrap();
        assert!(matches!(next, Demo::Own { .. }));
    }

    #[tokio::test]
    async fn a_running_demo_that_does_not_answer_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("demo-journal.db");
        let path = record_path(&journal);
        // A demo alive (its lock held) whose sandbox no longer listens.
        let port = std::net::TcpListener::bind(("127.0.0.1", 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut lease = File::create(&path).unwrap();
        lease.try_lock().unwrap();
        write!(lease, r#"{{"url":"http://127.0.0.1:{port}","pid":4242}}"#).unwrap();
        let Err(refused) = open(&journal, &SandboxConfig::default(), Part::Command).await else {
            panic!("joined a demo that does not answer")
        };
        assert!(
            refused.message.contains("ne répond pas"),
            "{}",
            refused.message
        );
        assert!(refused.message.contains("4242"), "{}", refused.message);
    }
}
