//! The terminal's side of the socket: one connection to `caisse serve`, re-opened every
//! second while the service is away. Requests wait for their answer by id; engine events
//! and the connection's ups and downs come out as [`LinkEvent`]s.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::UnixStream;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::codec::{FramedRead, FramedWrite};

use super::LinkEvent;
use super::framing::JsonLines;
use super::problem::Problem;
use super::protocol::{ClientFrame, MAX_LINE, Request, Response, ServerFrame};

type Codec = JsonLines<ServerFrame, ClientFrame>;

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Response>>>>;

struct Connection {
    out: mpsc::UnboundedSender<ClientFrame>,
    pending: Pending,
}

pub struct Remote {
    path: PathBuf,
    terminal: String,
    next_id: AtomicU64,
    current: Mutex<Option<Connection>>,
    /// The login token, to resume the session after a reconnection (memory only).
    token: Mutex<Option<String>>,
    events: broadcast::Sender<LinkEvent>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Remote {
    pub fn new(
        path: PathBuf,
        terminal: String,
        events: broadcast::Sender<LinkEvent>,
    ) -> Arc<Remote> {
        Arc::new(Remote {
            path,
            terminal,
            next_id: AtomicU64::new(1),
            current: Mutex::new(None),
            token: Mutex::new(None),
            events,
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LinkEvent> {
        self.events.subscribe()
    }

    pub fn remember_token(&self, token: Option<String>) {
        *lock(&self.token) = token;
    }

    /// Sends a request and waits for its answer. With no connection, or if it drops before
    /// the answer, the answer is [`Problem::ServiceDown`] (the service may still have done it).
    pub async fn call(&self, request: Request) -> Response {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        {
            let current = lock(&self.current);
            let Some(conn) = current.as_ref() else {
                return Response::Error(Problem::ServiceDown);
            };
            lock(&conn.pending).insert(id, tx);
            if conn.out.send(ClientFrame { id, request }).is_err() {
                lock(&conn.pending).remove(&id);
                return Response::Error(Problem::ServiceDown);
            }
        }
        rx.await.unwrap_or(Response::Error(Problem::ServiceLost))
    }

    /// Keeps a connection open for as long as the app runs.
    pub async fn run(self: Arc<Self>) {
        let mut was_up = true;
        loop {
            match UnixStream::connect(&self.path).await {
                Ok(stream) => {
                    was_up = true;
                    self.clone().serve(stream).await;
                    *lock(&self.current) = None;
                    let _ = self.events.send(LinkEvent::Down(Problem::ServiceDown));
                }
                Err(_) if was_up => {
                    was_up = false;
                    let _ = self.events.send(LinkEvent::Down(Problem::ServiceDown));
                }
                Err(_) => {}
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    async fn serve(self: Arc<Self>, stream: UnixStream) {
        let (read, write) = stream.into_split();
        let (out, mut out_rx) = mpsc::unbounded_channel::<ClientFrame>();
        let pending: Pending = Arc::default();
        *lock(&self.current) = Some(Connection {
            out,
            pending: pending.clone(),
        });
        let writer = tokio::spawn(async move {
            let mut write = FramedWrite::new(write, Codec::new(MAX_LINE));
            while let Some(frame) = out_rx.recv().await {
                if write.send(frame).await.is_err() {
                    break;
                }
            }
        });
        // Say hello (and resume the login) before the app sees the link up.
        let handshake = {
            let me = self.clone();
            tokio::spawn(async move {
                let welcome = me
                    .call(Request::Hello {
                        terminal: me.terminal.clone(),
                    })
                    .await;
                let Response::Welcome(welcome) = welcome else {
                    return;
                };
                let token = lock(&me.token).clone();
                let resumed = match token {
                    Some(token) => match me.call(Request::Resume { token }).await {
                        Response::LoggedIn { cashier, .. } => Some(cashier),
                        _ => {
                            me.remember_token(None);
                            None
                        }
                    },
                    None => None,
                };
                let _ = me.events.send(LinkEvent::Up { welcome, resumed });
            })
        };

        let mut reader = FramedRead::new(read, Codec::new(MAX_LINE));
        // A read error or an over-long line ends the connection (it is then re-opened).
        while let Some(Ok(frame)) = reader.next().await {
            match frame {
                Ok(ServerFrame::Reply { id, response }) => {
                    if let Some(tx) = lock(&pending).remove(&id) {
                        let _ = tx.send(*response);
                    }
                }
                Ok(ServerFrame::Event(e)) => {
                    let _ = self.events.send(LinkEvent::Engine(e));
                }
                Err(e) => tracing::warn!("unreadable frame from the service: {e}"),
            }
        }
        handshake.abort();
        writer.abort();
        // Every request still waiting learns the connection is gone.
        lock(&pending).clear();
    }
}
