//! The `get-transaction-status` rate limit and the IP blacklist it leads to, plus the
//! request log (method, path, status, duration — never a body: bodies carry the API key).

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tokio::time::Instant;

use super::pages;
use super::state::Shared;

/// Above this many remembered (IP, transaction) pairs, stale ones are swept.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Default)]
pub(crate) struct Limits {
    /// Recent status calls per (caller IP, externalTransactionId).
    calls: HashMap<(IpAddr, String), VecDeque<Instant>>,
    /// Blacklisted IPs → until when.
    blacklist: HashMap<IpAddr, Instant>,
}

impl Limits {
    pub fn is_blacklisted(&mut self, ip: IpAddr, now: Instant) -> bool {
        match self.blacklist.get(&ip) {
            Some(until) if *until > now => true,
            Some(_) => {
                self.blacklist.remove(&ip);
                false
            }
            None => false,
        }
    }

    /// Counts one status call; false when it is one too many (the IP is then blacklisted
    /// and its call history forgotten, so that it starts afresh once the penalty is over).
    pub fn status_call(
        &mut self,
        ip: IpAddr,
        ext: &str,
        now: Instant,
        limit: u32,
        window: Duration,
        penalty: Duration,
    ) -> bool {
        if self.calls.len() > SWEEP_ABOVE {
            self.calls.retain(|_, calls| {
                calls
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        let calls = self.calls.entry((ip, ext.to_owned())).or_default();
        while calls
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            calls.pop_front();
        }
        if calls.len() >= limit as usize {
            self.blacklist.insert(ip, now + penalty);
            self.calls.retain(|(caller, _), _| *caller != ip);
            return false;
        }
        calls.push_back(now);
        true
    }

    pub fn clear(&mut self) {
        self.calls.clear();
        self.blacklist.clear();
    }
}

/// Every public route: a blacklisted caller gets 403 and a plain HTML page.
pub(crate) async fn guard(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let blacklisted = shared.limits().is_blacklisted(addr.ip(), Instant::now());
    if blacklisted {
        return pages::forbidden();
    }
    next.run(request).await
}

/// One `info` line per request, without bodies, query strings or headers.
pub(crate) async fn log_request(request: Request, next: Next) -> Response {
    if !tracing::enabled!(tracing::Level::INFO) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        target: "caisse::sandbox",
        %method,
        path = %path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "requête sandbox"
    );
    response
}
