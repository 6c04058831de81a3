//! `caisse serve`'s socket: one task per connected terminal, the caller identified by the
//! kernel (peer credentials), requests answered concurrently (a slow payment does not hold
//! up a journal look-up), engine events pushed to logged-in terminals.
//!
//! Any local user can reach the socket, so nothing a client does may grow the service
//! without bound: request lines are capped, each connection has a bounded outgoing queue
//! and a few requests in flight at most (reading stops until one finishes), and the number
//! of connections is capped.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio_util::codec::{FramedRead, FramedWrite};

use super::framing::{FramingError, JsonLines};
use super::hub::{Hub, Peer, Session};
use super::peer::user_name;
use super::problem::Problem;
use super::protocol::{ClientFrame, MAX_REQUEST, Request, Response, ServerFrame};

type Codec = JsonLines<ClientFrame, ServerFrame>;
use crate::engine::EngineEvent;

/// Terminals connected at once (a shop has tens; this leaves room for reconnections). Each
/// is one file descriptor: with the callback listener's cap and the journal's needs this
/// fits under a default system's 1,024 open files (`caisse serve` checks the sum).
pub const MAX_CONNECTIONS: usize = 512;
/// Requests one terminal may have in flight (the app sends a handful at a time).
const IN_FLIGHT: usize = 8;
/// Frames waiting to be written to one terminal.
const QUEUE: usize = 256;

/// Binds the socket (replacing a stale one left by a crash, refusing if a live service
/// answers on it or if the path is not a socket) and serves it until the task is aborted.
pub async fn listen(hub: Arc<Hub>, path: &Path) -> std::io::Result<JoinHandle<()>> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "ce chemin existe et n'est pas un socket : choisissez un autre chemin",
            ));
        }
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
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    Ok(tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    let Ok(slot) = slots.clone().try_acquire_owned() else {
                        tracing::warn!("too many connections: one refused");
                        continue;
                    };
                    let hub = hub.clone();
                    tokio::spawn(async move {
                        if let Err(e) = connection(hub, stream).await {
                            tracing::debug!("session closed: {e}");
                        }
                        drop(slot);
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

fn reply(id: u64, response: Response) -> ServerFrame {
    ServerFrame::Reply {
        id,
        response: Box::new(response),
    }
}

async fn connection(hub: Arc<Hub>, stream: UnixStream) -> std::io::Result<()> {
    let uid = stream.peer_cred()?.uid();
    let user = tokio::task::spawn_blocking(move || user_name(uid))
        .await
        .unwrap_or_else(|_| format!("uid:{uid}"));
    tracing::info!(user, uid, "session opened");
    let mut events = hub.engine.subscribe();
    let session = Arc::new(Session::new(hub, Peer { uid, user }));
    let (read, write) = stream.into_split();
    let (out, mut out_rx) = mpsc::channel::<ServerFrame>(QUEUE);

    let writer = tokio::spawn(async move {
        let mut write = FramedWrite::new(write, Codec::new(MAX_REQUEST));
        while let Some(frame) = out_rx.recv().await {
            if write.send(frame).await.is_err() {
                break;
            }
        }
    });
    // Events go to logged-in terminals only, and never block: a terminal that does not
    // read gets one "something changed" when it has room again.
    let pusher = {
        let out = out.clone();
        let session = session.clone();
        tokio::spawn(async move {
            let mut missed = false;
            while let Some(event) = crate::engine::next_event(&mut events).await {
                if session.cashier().is_none() {
                    continue;
                }
                let event = if missed {
                    EngineEvent::JournalChanged
                } else {
                    event
                };
                match out.try_send(ServerFrame::Event(event)) {
                    Ok(()) => missed = false,
                    Err(mpsc::error::TrySendError::Full(_)) => missed = true,
                    Err(mpsc::error::TrySendError::Closed(_)) => break,
                }
            }
        })
    };

    let in_flight = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut greeted = false;
    let mut reader = FramedRead::new(read, Codec::new(MAX_REQUEST));
    loop {
        let frame = match reader.next().await {
            None => break,
            Some(Ok(Ok(frame))) => frame,
            Some(Ok(Err(_))) => {
                let _ = out
                    .send(reply(0, Response::Error(Problem::BadRequest)))
                    .await;
                continue;
            }
            Some(Err(FramingError::TooLong)) => {
                let _ = out
                    .send(reply(0, Response::Error(Problem::BadRequest)))
                    .await;
                break;
            }
            Some(Err(FramingError::Io(e))) => {
                tracing::debug!("session read: {e}");
                break;
            }
        };
        // Reading waits while this terminal already has its share of requests running.
        let Ok(permit) = in_flight.clone().acquire_owned().await else {
            break;
        };
        if !greeted && matches!(frame.request, Request::Hello { .. }) {
            greeted = true;
            // The handshake first, alone: a failed one closes the connection (the terminal
            // then retries) instead of leaving it half open.
            let response = run(&session, frame.request).await;
            let ok = matches!(response, Response::Welcome(_));
            let _ = out.send(reply(frame.id, response)).await;
            drop(permit);
            if !ok {
                break;
            }
            continue;
        }
        // Each request in its own task: a payment in flight keeps going (and stays
        // followed by the engine) even if the terminal goes away meanwhile.
        let session = session.clone();
        let out = out.clone();
        tokio::spawn(async move {
            let response = run(&session, frame.request).await;
            let _ = out.send(reply(frame.id, response)).await;
            drop(permit);
        });
    }
    pusher.abort();
    drop(out);
    let _ = writer.await;
    Ok(())
}

/// Handles a request in its own task, so that a fault (a panic) in it becomes an answer
/// saying the outcome is unknown, instead of a terminal waiting forever.
async fn run(session: &Arc<Session>, request: Request) -> Response {
    let session = session.clone();
    match tokio::spawn(async move { session.handle(request).await }).await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!("request handler failed: {e}");
            Response::Error(Problem::Internal)
        }
    }
}
