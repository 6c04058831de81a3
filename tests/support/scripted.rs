//! A scripted HTTP server for client tests: it answers whatever the test sets (status,
//! body, delay) and records every request exactly as received (method, path, headers, body).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Clone)]
pub struct Script {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub delay: Duration,
}

#[derive(Clone, Default)]
struct Shared {
    script: Arc<Mutex<Option<Script>>>,
    /// Scripts for the paths that end with a given text, before the general one.
    by_path: Arc<Mutex<Vec<(String, Script)>>>,
    seen: Arc<Mutex<Vec<Recorded>>>,
}

pub struct ScriptedServer {
    pub url: String,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl ScriptedServer {
    pub async fn start() -> Self {
        let shared = Shared::default();
        let state = shared.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move { answer(state, method, uri, headers, body).await }
            },
        );
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        ScriptedServer { url, shared, task }
    }

    /// The next replies are `body` with `status`, as JSON.
    pub fn reply_json(&self, status: u16, body: impl Into<Vec<u8>>) {
        self.reply(Script {
            status,
            content_type: "application/json; charset=utf-8",
            body: body.into(),
            delay: Duration::ZERO,
        });
    }

    /// Requests whose path ends with `suffix` get `body` with `status`, as JSON.
    pub fn reply_json_for(&self, suffix: &str, status: u16, body: impl Into<Vec<u8>>) {
        let script = Script {
            status,
            content_type: "application/json; charset=utf-8",
            body: body.into(),
            delay: Duration::ZERO,
        };
        let mut by_path = self.shared.by_path.lock().unwrap();
        by_path.retain(|(s, _)| s != suffix);
        by_path.push((suffix.to_owned(), script));
    }

    /// Requests whose path ends with `suffix` get `script`.
    pub fn reply_for(&self, suffix: &str, script: Script) {
        let mut by_path = self.shared.by_path.lock().unwrap();
        by_path.retain(|(s, _)| s != suffix);
        by_path.push((suffix.to_owned(), script));
    }

    pub fn reply(&self, script: Script) {
        *self.shared.script.lock().unwrap() = Some(script);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.seen.lock().unwrap().clone()
    }

    pub fn last(&self) -> Recorded {
        self.requests().pop().expect("a request was received")
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(
    state: Shared,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.seen.lock().unwrap().push(Recorded {
        method: method.to_string(),
        path: uri.path().to_owned(),
        headers,
        body: body.to_vec(),
    });
    let by_path = state
        .by_path
        .lock()
        .unwrap()
        .iter()
        .find(|(suffix, _)| uri.path().ends_with(suffix.as_str()))
        .map(|(_, s)| s.clone());
    let script = by_path.or_else(|| state.script.lock().unwrap().clone());
    let Some(script) = script else {
        return (StatusCode::NOT_IMPLEMENTED, "no script").into_response();
    };
    if !script.delay.is_zero() {
        tokio::time::sleep(script.delay).await;
    }
    (
        StatusCode::from_u16(script.status).unwrap(),
        [("content-type", script.content_type)],
        script.body,
    )
        .into_response()
}

/// Reads a fixture file from `tests/fixtures/`.
pub fn fixture(path: &str) -> Vec<u8> {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

pub fn fixture_json(path: &str) -> serde_json::Value {
    serde_json::from_slice(&fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}
