//! The middleware of every public route: the IP blacklist (`limits.rs` keeps it) and the
//! request log (method, path, status, duration — never a body: bodies carry the API key).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tokio::time::Instant;

use super::pages;
use super::state::Shared;

/// Every public route: a blacklisted caller gets 403 and a plain HTML page.
pub(crate) async fn refuse_blacklisted(
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

/// With `clock_offset_secs`, the `Date` header shows the skewed clock (hyper writes the
/// real one only when the reply has none): a gateway whose clock is off, for `caisse doctor`.
pub(crate) async fn skewed_date(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let offset = shared.config.clock_offset_secs;
    if offset != 0 {
        let shown = time::OffsetDateTime::now_utc() + time::Duration::seconds(offset);
        if let Ok(value) = axum::http::HeaderValue::from_str(&crate::http::date::format(shown)) {
            response
                .headers_mut()
                .insert(axum::http::header::DATE, value);
        }
    }
    response
}
