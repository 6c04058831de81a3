//! `caisse serve`'s socket: one task per connected terminal, the caller identified by the
//! kernel (peer credentials), requests answered concurrently (a slow payment does not hold
//! up a journal look-up), engine events pushed to every terminal.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::hub::{Hub, Peer, Session};
use super::peer::user_name;
use super::protocol::{ClientFrame, MAX_LINE, Response, ServerFrame};

/// Binds the socket (replacing a stale one left by a crash, refusing if a live service
/// answers on it) and serves it until the task is aborted.
pub async fn listen(hub: Arc<Hub>, path: &Path) -> std::io::Result<JoinHandle<()>> {
    if path.exists() {
        if UnixStream::connect(path).await.is_ok() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AddrInUse,
                "un service caisse écoute déjà sur ce socket",
            ));
        }
        std::fs::remove_file(path)?;
    }
    let listener = UnixListener::bind(path)?;
    // Any local user may connect: what they can do is decided by the PIN login. Who may
    // reach the socket at all is the job of its directory's permissions (docs/kiosk.md).
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))?;
    Ok(tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    let hub = hub.clone();
                    tokio::spawn(async move {
                        if let Err(e) = connection(hub, stream).await {
                            tracing::debug!("session closed: {e}");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
    }))
}

async fn connection(hub: Arc<Hub>, stream: UnixStream) -> std::io::Result<()> {
    let uid = stream.peer_cred()?.uid();
    let user = tokio::task::spawn_blocking(move || user_name(uid))
        .await
        .unwrap_or_else(|_| format!("uid:{uid}"));
    tracing::info!(user, uid, "session opened");
    let mut events = hub.engine.subscribe();
    let session = Arc::new(Session::new(hub, Peer { uid, user }));
    let (read, mut write) = stream.into_split();
    let (out, mut out_rx) = mpsc::unbounded_channel::<ServerFrame>();

    let writer = tokio::spawn(async move {
        while let Some(frame) = out_rx.recv().await {
            let mut line = match serde_json::to_vec(&frame) {
                Ok(l) => l,
                Err(_) => continue,
            };
            line.push(b'\n');
            if write.write_all(&line).await.is_err() {
                break;
            }
        }
    });
    let pusher = {
        let out = out.clone();
        tokio::spawn(async move {
            loop {
                let event = match events.recv().await {
                    Ok(e) => e,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        crate::engine::EngineEvent::JournalChanged
                    }
                    Err(_) => break,
                };
                if out.send(ServerFrame::Event(event)).is_err() {
                    break;
                }
            }
        })
    };

    let mut reader = BufReader::new(read);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            break;
        }
        if line.last() != Some(&b'\n') && n >= MAX_LINE {
            let _ = out.send(ServerFrame::Reply {
                id: 0,
                response: Box::new(Response::Error("requête trop longue".into())),
            });
            break;
        }
        let frame: ClientFrame = match serde_json::from_slice(&line) {
            Ok(f) => f,
            Err(_) => {
                let _ = out.send(ServerFrame::Reply {
                    id: 0,
                    response: Box::new(Response::Error("requête illisible".into())),
                });
                continue;
            }
        };
        // Each request in its own task: a payment in flight keeps going (and stays
        // followed by the engine) even if the terminal goes away meanwhile.
        let session = session.clone();
        let out = out.clone();
        tokio::spawn(async move {
            let response = session.handle(frame.request).await;
            let _ = out.send(ServerFrame::Reply {
                id: frame.id,
                response: Box::new(response),
            });
        });
    }
    pusher.abort();
    drop(out);
    let _ = writer.await;
    Ok(())
}
