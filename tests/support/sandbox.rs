//! The sandbox over real HTTP for `tests/sandbox/`: reqwest against
//! `spawn(config, 127.0.0.1:0)`, delays shortened, waits that poll `/sandbox/transactions`
//! with a deadline instead of sleeping blindly, and a callback receiver.

pub use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
pub use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use bytes::Bytes;
pub use serde_json::{Value, json};
pub use sha2::{Digest, Sha256};

pub use caisse::sandbox::{DUPLICATE_WINDOW, SandboxConfig, SandboxHandle, spawn};

pub const KEY: &str = "test-intech-key";
pub const WAIT: Duration = Duration::from_secs(5);

pub fn fast() -> SandboxConfig {
    SandboxConfig {
        api_key: KEY.into(),
        processing_delay: Duration::from_millis(20),
        settle_delay: Duration::from_millis(20),
        auto_approve_delay: Duration::from_millis(50),
        callback_retry: Duration::from_millis(100),
        slow_reply: Duration::from_millis(800),
        ..SandboxConfig::default()
    }
}

pub struct Sandbox {
    pub handle: SandboxHandle,
    pub url: String,
    pub http: reqwest::Client,
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

pub async fn reply(response: reqwest::Response) -> Reply {
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

pub fn client() -> reqwest::Client {
    caisse::http::client_builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

impl Sandbox {
    pub async fn start(config: SandboxConfig) -> Sandbox {
        let handle = spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        Sandbox {
            url: handle.url(),
            handle,
            http: client(),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        let request = self.http.get(format!("{}{path}", self.url));
        reply(request.header("Secretkey", KEY).send().await.unwrap()).await
    }

    pub async fn get_plain(&self, path: &str) -> Reply {
        reply(
            self.http
                .get(format!("{}{path}", self.url))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// A POST with the API key added to the body.
    pub async fn post(&self, path: &str, mut body: Value) -> Reply {
        body["apiKey"] = json!(KEY);
        self.post_raw(path, body.to_string().into_bytes(), &[])
            .await
    }

    pub async fn post_raw(&self, path: &str, body: Vec<u8>, headers: &[(&str, String)]) -> Reply {
        let mut request = self
            .http
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        reply(request.send().await.unwrap()).await
    }

    pub async fn operation(&self, body: Value) -> Reply {
        self.post("/api-services/operation", body).await
    }

    pub async fn records(&self, ext: Option<&str>) -> Vec<Value> {
        let path = match ext {
            Some(ext) => format!("/sandbox/transactions?externalTransactionId={ext}"),
            None => "/sandbox/transactions".to_owned(),
        };
        let list = self.get_plain(&path).await.json();
        list.as_array().unwrap().clone()
    }

    pub async fn record(&self, ext: &str) -> Value {
        let list = self.records(Some(ext)).await;
        assert_eq!(list.len(), 1, "{ext}: {list:?}");
        list[0].clone()
    }

    /// Polls the record until `check` holds.
    pub async fn wait_for(&self, ext: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(record) = self.records(Some(ext)).await.first()
                && check(record)
            {
                return record.clone();
            }
            assert!(Instant::now() < deadline, "{ext} never {what}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub async fn wait_status(&self, ext: &str, status: &str) -> Value {
        self.wait_for(ext, status, |r| r["status"] == status).await
    }

    pub async fn customer(&self, id: &str, decision: &str) -> Reply {
        let url = format!("{}/sandbox/customer/{id}/{decision}", self.url);
        reply(self.http.post(url).send().await.unwrap()).await
    }

    pub async fn balance(&self) -> f64 {
        self.get("/api-services/balance").await.json()["data"]["balance"]
            .as_f64()
            .unwrap()
    }

    pub async fn stop(self) {
        self.handle.shutdown().await;
    }
}

pub fn ext() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub fn cash_in(code: &str, phone: &str, amount: i64, callback: &str) -> Value {
    json!({
        "phone": phone,
        "amount": amount,
        "codeService": code,
        "externalTransactionId": ext(),
        "callbackUrl": callback,
        "data": {},
    })
}

pub fn wave_out(phone: &str, amount: i64) -> Value {
    let mut body = cash_in("WAVE_SN_API_CASH_OUT", phone, amount, DEAD);
    body["sender"] = json!("Boutique Test");
    body["successRedirectUrl"] = json!("https://example.sn/ok");
    body["errorRedirectUrl"] = json!("https://example.sn/ko");
    body
}

/// Nothing listens there: callbacks fail and are retried.
pub const DEAD: &str = "http://127.0.0.1:9/cb";

pub fn ext_of(body: &Value) -> String {
    body["externalTransactionId"].as_str().unwrap().to_owned()
}

pub fn is_iso_ms(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 24 && b[10] == b'T' && b[19] == b'.' && s.ends_with('Z')
}

pub struct Hit {
    pub at: Instant,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A callback receiver answering the scripted statuses in order, then 200.
pub struct Receiver {
    pub url: String,
    pub hits: Arc<Mutex<Vec<Hit>>>,
}

impl Receiver {
    pub async fn start(script: &[u16]) -> Receiver {
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
        let store = hits.clone();
        let app = Router::new().route(
            "/cb",
            post(move |headers: HeaderMap, body: Bytes| {
                let (store, script) = (store.clone(), script.clone());
                async move {
                    store.lock().unwrap().push(Hit {
                        at: Instant::now(),
                        headers,
                        body,
                    });
                    let code = script.lock().unwrap().pop_front().unwrap_or(200);
                    StatusCode::from_u16(code).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/cb", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, hits }
    }

    pub fn count(&self) -> usize {
        self.hits.lock().unwrap().len()
    }

    pub async fn wait(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + WAIT;
        while self.count() < n {
            assert!(Instant::now() < deadline, "only {} callbacks", self.count());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let hits = self.hits.lock().unwrap();
        hits.iter()
            .map(|h| serde_json::from_slice(&h.body).unwrap())
            .collect()
    }
}

/// OPERATION_AUTH_NEED, the server's bad-key reply.
pub fn auth_needed() -> Value {
    json!({"code": 4000, "msg": "L'authentification est requis !!!", "error": true,
           "data": {"secreteKey": "Invalide secrete key"}})
}

pub async fn refund(sb: &Sandbox, tid: &Value) -> Value {
    let reply = sb
        .post(
            "/api-services/transaction/refund-cancel",
            json!({"transactionId": tid}),
        )
        .await;
    assert_eq!(reply.status, 201);
    reply.json()
}

pub fn refused(message: &str) -> Value {
    json!({"message": message, "statutTreatment": "FAILED"})
}
