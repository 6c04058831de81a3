//! The callback listener's accept loop (issue 9, C5: the listener cannot be starved).
//!
//! The callback port faces the Internet so that the gateways can post results: anyone may
//! open connections to it, and each one costs a file descriptor. The process has a single
//! limit for this port, the terminals' Unix socket and the journal, and 1,100 idle
//! connections once used it up: the whole service stopped. `axum::serve` sets no timeout and
//! no cap, so this loop replaces it:
//!
//! * at most [`MAX_CONNECTIONS`] at once: at the cap the loop stops accepting, and further
//!   connections wait in the kernel's backlog, which costs the process no descriptor;
//! * the request head must be complete within the header timeout, and the connection ends at
//!   its deadline whatever it is doing ([`CallbackTimeouts`]), so a slot held by a silent or
//!   slow client frees itself;
//! * one request per connection (no keep-alive): a gateway posts one callback and goes.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Callback connections open at once. A shop's gateways send a few callbacks a second at
/// the busiest, each over in milliseconds; 256 is far above that, and with the terminals'
/// cap and what the journal needs it fits under a default system's 1,024 open files
/// (`caisse serve` checks the sum at start-up).
pub const MAX_CONNECTIONS: usize = 256;

/// The read buffer of one connection, hence the largest request head: a callback carries a
/// handful of headers (a proxy adds a few), and 256 connections then hold 4 MiB at most
/// instead of hyper's default of about 400 KiB each. The body is streamed through it.
const READ_BUFFER: usize = 16 * 1024;

/// The pause after a failed accept that is not the client's doing (no descriptor or no
/// memory left): retrying at once would spin a core without freeing anything.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// A callback connection must have sent its whole request head by then, or it is closed:
/// a gateway sends it at once, and a silent connection only holds one of the process's
/// file descriptors (issue 9, C5).
pub const CALLBACK_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A callback connection is closed after this long, whatever it is doing: a callback is one
/// small POST, so this only cuts a client that trickles its body or never reads the answer.
pub const CALLBACK_DEADLINE: Duration = Duration::from_secs(30);

/// The callback listener's timeouts: the constants above, which tests shorten with
/// `CAISSE_CALLBACK_HEADER_TIMEOUT_MS` and `CAISSE_CALLBACK_DEADLINE_MS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallbackTimeouts {
    /// The request head must be complete within this time after the connection is accepted.
    pub header: Duration,
    /// The connection is closed this long after it was accepted.
    pub deadline: Duration,
}

impl Default for CallbackTimeouts {
    fn default() -> Self {
        CallbackTimeouts {
            header: CALLBACK_HEADER_TIMEOUT,
            deadline: CALLBACK_DEADLINE,
        }
    }
}

/// Serves `router` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, router: Router, timeouts: CallbackTimeouts) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(timeouts.header)
        .keep_alive(false)
        .max_buf_size(READ_BUFFER);
    let http = Arc::new(http);
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        // A slot first, then accept: at the cap, connections wait in the kernel's backlog
        // until one of ours ends, instead of each taking a descriptor here.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(connection(
                    http.clone(),
                    stream,
                    router.clone(),
                    timeouts.deadline,
                    slot,
                ));
            }
            Err(e) if is_client_error(&e) => {}
            Err(e) => {
                tracing::warn!("callbacks : connexion non acceptée : {e}");
                tokio::time::sleep(ACCEPT_PAUSE).await;
            }
        }
    }
}

/// A connection that went away before it was accepted: nothing to wait for.
fn is_client_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused
    )
}

async fn connection(
    http: Arc<http1::Builder>,
    stream: TcpStream,
    router: Router,
    deadline: Duration,
    slot: OwnedSemaphorePermit,
) {
    let service = TowerToHyperService::new(router);
    let handler = hyper::service::service_fn(move |request: Request<Incoming>| {
        // The handler runs in its own task: a callback that reached the engine is recorded
        // even if the deadline cuts its connection meanwhile.
        let handled = tokio::spawn(hyper::service::Service::call(&service, request));
        async move {
            Ok::<_, Infallible>(match handled.await {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                Err(e) => {
                    tracing::error!("callback : le traitement a échoué : {e}");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            })
        }
    });
    let served = http.serve_connection(TokioIo::new(stream), handler);
    // At the deadline the connection is dropped, which closes it.
    match tokio::time::timeout(deadline, served).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::debug!("callback connection closed: {e}"),
        Err(_) => tracing::debug!("callback connection cut at its deadline"),
    }
    drop(slot);
}
