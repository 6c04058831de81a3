//! The sandbox over real HTTP (reqwest against `spawn(config, 127.0.0.1:0)`), plus unit
//! tests of its pure rules. Delays are shortened; waits poll `/sandbox/transactions`
//! with a deadline instead of sleeping blindly.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use bytes::Bytes;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::*;
use crate::catalog::errors::ERRORS;
use crate::catalog::services::{ICONS, SERVICES};
use crate::gateway::intech::signing::{hmac_signature, now_ms, verify_hmac};

const KEY: &str = "test-intech-key";
const WAIT: Duration = Duration::from_secs(5);

fn fast() -> SandboxConfig {
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

struct Sandbox {
    handle: SandboxHandle,
    url: String,
    http: reqwest::Client,
}

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
    fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn reply(response: reqwest::Response) -> Reply {
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

fn client() -> reqwest::Client {
    crate::http::client_builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

impl Sandbox {
    async fn start(config: SandboxConfig) -> Sandbox {
        let handle = spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        Sandbox {
            url: handle.url(),
            handle,
            http: client(),
        }
    }

    async fn get(&self, path: &str) -> Reply {
        let request = self.http.get(format!("{}{path}", self.url));
        reply(request.header("Secretkey", KEY).send().await.unwrap()).await
    }

    async fn get_plain(&self, path: &str) -> Reply {
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
    async fn post(&self, path: &str, mut body: Value) -> Reply {
        body["apiKey"] = json!(KEY);
        self.post_raw(path, body.to_string().into_bytes(), &[])
            .await
    }

    async fn post_raw(&self, path: &str, body: Vec<u8>, headers: &[(&str, String)]) -> Reply {
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

    async fn operation(&self, body: Value) -> Reply {
        self.post("/api-services/operation", body).await
    }

    async fn records(&self, ext: Option<&str>) -> Vec<Value> {
        let path = match ext {
            Some(ext) => format!("/sandbox/transactions?externalTransactionId={ext}"),
            None => "/sandbox/transactions".to_owned(),
        };
        let list = self.get_plain(&path).await.json();
        list.as_array().unwrap().clone()
    }

    async fn record(&self, ext: &str) -> Value {
        let list = self.records(Some(ext)).await;
        assert_eq!(list.len(), 1, "{ext}: {list:?}");
        list[0].clone()
    }

    /// Polls the record until `check` holds.
    async fn wait_for(&self, ext: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
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

    async fn wait_status(&self, ext: &str, status: &str) -> Value {
        self.wait_for(ext, status, |r| r["status"] == status).await
    }

    async fn customer(&self, id: &str, decision: &str) -> Reply {
        let url = format!("{}/sandbox/customer/{id}/{decision}", self.url);
        reply(self.http.post(url).send().await.unwrap()).await
    }

    async fn balance(&self) -> f64 {
        self.get("/api-services/balance").await.json()["data"]["balance"]
            .as_f64()
            .unwrap()
    }

    async fn stop(self) {
        self.handle.shutdown().await;
    }
}

fn ext() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn cash_in(code: &str, phone: &str, amount: i64, callback: &str) -> Value {
    json!({
        "phone": phone,
        "amount": amount,
        "codeService": code,
        "externalTransactionId": ext(),
        "callbackUrl": callback,
        "data": {},
    })
}

fn wave_out(phone: &str, amount: i64) -> Value {
    let mut body = cash_in("WAVE_SN_API_CASH_OUT", phone, amount, DEAD);
    body["sender"] = json!("Boutique Test");
    body["successRedirectUrl"] = json!("https://example.sn/ok");
    body["errorRedirectUrl"] = json!("https://example.sn/ko");
    body
}

/// Nothing listens there: callbacks fail and are retried.
const DEAD: &str = "http://127.0.0.1:9/cb";

fn ext_of(body: &Value) -> String {
    body["externalTransactionId"].as_str().unwrap().to_owned()
}

fn is_iso_ms(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 24 && b[10] == b'T' && b[19] == b'.' && s.ends_with('Z')
}

struct Hit {
    at: Instant,
    headers: HeaderMap,
    body: Bytes,
}

/// A callback receiver answering the scripted statuses in order, then 200.
struct Receiver {
    url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl Receiver {
    async fn start(script: &[u16]) -> Receiver {
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

    fn count(&self) -> usize {
        self.hits.lock().unwrap().len()
    }

    async fn wait(&self, n: usize) -> Vec<Value> {
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

// ---------------------------------------------------------------------------------------
// Catalogue, auth, transport

#[tokio::test]
async fn catalogue_balance_and_icons() {
    let sb = Sandbox::start(fast()).await;
    let services = sb.get("/api-services/services").await;
    assert_eq!(services.status, 200);
    assert!(services.content_type().starts_with("application/json"));
    let services = services.json();
    assert_eq!(services["success"], true);
    let list = services["services"].as_array().unwrap();
    assert_eq!(list.len(), SERVICES.len());
    let wave = list
        .iter()
        .find(|s| s["codeService"] == "WAVE_SN_API_CASH_OUT")
        .unwrap();
    assert_eq!(wave["name"], "CashOut Wave Money");
    assert_eq!(wave["typeOperation"], "CREDIT");
    assert_eq!(wave["typeService"], "CASHOUT");
    assert_eq!(wave["icon"], format!("{}/icons/wave.svg", sb.url));

    let errors = sb.get("/api-services/errors").await.json();
    assert_eq!(errors["success"], true);
    let list = errors["services"].as_array().unwrap();
    assert_eq!(list.len(), ERRORS.len());
    assert_eq!(
        list[0],
        json!({"id": null, "code": "unknown_error", "message": ERRORS[0].message})
    );
    assert!(
        list.iter()
            .any(|e| e["id"] == 26 && e["message"].as_str().unwrap().contains("__amount__"))
    );

    let balance = sb.get("/api-services/balance").await;
    assert_eq!(balance.status, 200);
    assert_eq!(
        balance.json(),
        json!({"code": 2000, "msg": "Successfully operation", "error": false,
               "data": {"currency": "XOF", "balance": 250000.0}})
    );

    for stem in ICONS {
        let svg = icons::get(stem).unwrap_or_else(|| panic!("no file for icon {stem}"));
        assert!(svg.contains("viewBox=\"0 0 64 64\""), "{stem}");
        assert!(svg.len() < 2048, "{stem} is not small");
        let served = sb.get_plain(&format!("/icons/{stem}.svg")).await;
        assert_eq!(served.status, 200, "{stem}");
        assert_eq!(served.content_type(), "image/svg+xml");
        assert!(served.text.contains("<svg"), "{stem}");
    }
    assert_eq!(sb.get_plain("/icons/nope.svg").await.status, 404);
    assert!(sb.get_plain("/").await.text.contains("Sandbox caisse"));
    sb.stop().await;
}

/// OPERATION_AUTH_NEED, the server's bad-key reply.
fn auth_needed() -> Value {
    json!({"code": 4000, "msg": "L'authentification est requis !!!", "error": true,
           "data": {"secreteKey": "Invalide secrete key"}})
}

#[tokio::test]
async fn authentication_and_malformed_requests_are_refused() {
    let sb = Sandbox::start(fast()).await;
    // GET: the handler answers (HTTP 200) with the bad-key reply.
    for path in [
        "/api-services/balance",
        "/api-services/services",
        "/api-services/errors",
    ] {
        let none = sb.get_plain(path).await;
        assert_eq!((none.status, none.json()), (200, auth_needed()), "{path}");
        let url = format!("{}{path}", sb.url);
        let wrong = reply(
            sb.http
                .get(url)
                .header("Secretkey", "nope")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!((wrong.status, wrong.json()), (200, auth_needed()), "{path}");
    }
    // An operation without a key: one more field error, `apiKey`, as the server says it.
    let body = cash_in("WAVE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    let missing = sb
        .post_raw(
            "/api-services/operation",
            body.to_string().into_bytes(),
            &[],
        )
        .await;
    assert_eq!(missing.status, 201);
    let missing = missing.json();
    assert_eq!(
        (missing["code"].clone(), missing["error"].clone()),
        (json!(4000), json!(true))
    );
    assert_eq!(
        missing["data"]["apiKey"],
        json!(["Le clee API est invalide"])
    );
    let mut wrong = body.clone();
    wrong["apiKey"] = json!("nope");
    let wrong = sb
        .post_raw(
            "/api-services/get-transaction-status",
            wrong.to_string().into_bytes(),
            &[],
        )
        .await;
    assert_eq!((wrong.status, wrong.json()), (201, auth_needed()));
    assert!(sb.records(None).await.is_empty());

    // Unreadable JSON: the body parser's exception, in the exception envelope.
    let bad = sb
        .post_raw(
            "/api-services/operation",
            b"{\"apiKey\": \"test-int".to_vec(),
            &[],
        )
        .await;
    assert_eq!(bad.status, 400);
    let bad = bad.json();
    assert_eq!(
        (
            bad["code"].clone(),
            bad["msg"].clone(),
            bad["data"].clone(),
            bad["path"].clone()
        ),
        (
            json!(400),
            json!("Une erreur est survenue"),
            json!({}),
            json!("")
        )
    );
    assert!(bad["_msg"].is_string());
    let huge = vec![b' '; 1024 * 1024 + 10];
    assert_eq!(
        sb.post_raw("/api-services/operation", huge, &[])
            .await
            .status,
        413
    );
    let unknown = sb.get("/api-services/nope").await;
    assert_eq!(
        (unknown.status, unknown.json()["statusCode"].clone()),
        (404, json!(404))
    );

    // Intram: three headers; its own error body.
    let intram = |public: &str| {
        sb.http
            .post(format!("{}/api/v1/payments/request", sb.url))
            .header("X-API-KEY", public)
            .header("X-PRIVATE-KEY", "demo-intram-private")
            .header("X-SECRET-KEY", "demo-intram-secret")
            .json(&json!({"invoice": {"amount": 1000}}))
    };
    let refused = reply(intram("wrong").send().await.unwrap()).await;
    assert_eq!(
        (refused.status, refused.json()),
        (
            401,
            json!({"error": true, "status": "ERROR", "message": "Invalid API keys"})
        )
    );
    assert_eq!(
        reply(intram("demo-intram-public").send().await.unwrap())
            .await
            .status,
        200
    );
    let no_amount = intram("demo-intram-public").json(&json!({"invoice": {"amount": 0}}));
    let no_amount = reply(no_amount.send().await.unwrap()).await;
    assert_eq!(
        (no_amount.status, no_amount.json()["status"].clone()),
        (400, json!("ERROR"))
    );
    sb.stop().await;
}

#[tokio::test]
async fn hmac_is_required_when_configured_and_callbacks_are_signed() {
    let secret = "hmac-secret";
    let config = SandboxConfig {
        hmac_secret: Some(secret.into()),
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let receiver = Receiver::start(&[]).await;
    let mut body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, &receiver.url);
    body["apiKey"] = json!(KEY);
    let bytes = body.to_string().into_bytes();

    let unsigned = sb
        .post_raw("/api-services/operation", bytes.clone(), &[])
        .await;
    assert_eq!(unsigned.status, 401);
    assert_eq!(unsigned.json()["code"], 4000);
    assert!(unsigned.json()["msg"].as_str().unwrap().contains("HMAC"));

    let sign = |ts: i64, body: &[u8]| {
        vec![
            (
                "Hmac-Signature",
                hmac_signature(secret, "POST", &ts.to_string(), body),
            ),
            ("Timestamp", ts.to_string()),
        ]
    };
    let stale = sign(now_ms() - 6 * 60 * 1000, &bytes);
    let stale = sb
        .post_raw("/api-services/operation", bytes.clone(), &stale)
        .await;
    assert_eq!(stale.status, 401);
    assert!(stale.json()["msg"].as_str().unwrap().contains("ancien"));
    let mut tampered = sign(now_ms(), &bytes);
    tampered[0].1 = hmac_signature(secret, "POST", "1", &bytes);
    let tampered = sb
        .post_raw("/api-services/operation", bytes.clone(), &tampered)
        .await;
    assert_eq!(tampered.status, 401);
    assert!(sb.records(None).await.is_empty());

    let signed = sb
        .post_raw(
            "/api-services/operation",
            bytes.clone(),
            &sign(now_ms(), &bytes),
        )
        .await;
    assert_eq!(
        (signed.status, signed.json()["code"].clone()),
        (201, json!(2000))
    );
    // GETs are not signed.
    assert_eq!(sb.get("/api-services/balance").await.status, 200);

    // The callback carries a signature over its exact bytes.
    receiver.wait(1).await;
    {
        let hits = receiver.hits.lock().unwrap();
        let hit = &hits[0];
        let header = |name: &str| hit.headers.get(name).and_then(|v| v.to_str().ok());
        let (signature, timestamp) = (header("hmac-signature"), header("timestamp"));
        let verified = verify_hmac(secret, "POST", signature, timestamp, &hit.body, now_ms());
        assert_eq!(verified, Ok(()));
    }
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------
// Bills

#[tokio::test]
async fn pending_bills_follow_the_last_digit_and_leave_when_paid() {
    let sb = Sandbox::start(fast()).await;
    let bills = |account: &'static str| {
        sb.post(
            "/api-services/list-pending-bills",
            json!({"codeService": "SENELEC_SN_BILL_PAY", "billAccountNumber": account}),
        )
    };
    for (account, count) in [
        ("21050176020", 0),
        ("21050176021", 1),
        ("21050176022", 2),
        ("21050176023", 3),
        ("21050176027", 1),
    ] {
        let reply = bills(account).await;
        assert_eq!(reply.status, 201);
        let body = reply.json();
        assert_eq!(body["code"], 2000, "{account}");
        let msg = if count == 0 {
            "Aucune facture trouvé pour cette facture".to_owned()
        } else {
            format!("{count} en attente(s) non payée pour cette facture")
        };
        assert_eq!(body["msg"], msg.as_str());
        // The server's flat shape.
        assert_eq!(body["data"]["status"], "SUCCESS");
        assert_eq!(body["data"]["billAccountNumber"], account);
        let list = body["data"]["pendingBills"].as_array().unwrap();
        assert_eq!(list.len(), count, "{account}");
        for bill in list {
            let amount = bill["amount"].as_i64().unwrap();
            assert!(
                (1000..=60000).contains(&amount) && amount % 5 == 0,
                "{amount}"
            );
            let reference = bill["billReference"].as_str().unwrap();
            assert!(reference.len() == 13 && reference.bytes().all(|b| b.is_ascii_digit()));
            let labels: Vec<&str> = bill["infos"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["label"].as_str().unwrap())
                .collect();
            assert_eq!(
                labels,
                ["Nom client", "Montant de base", "Frais", "Date d'échéance"]
            );
            let base = bill["baseAmount"].as_i64().unwrap();
            assert_eq!(bill["infos"][1]["value"], base);
            assert_eq!(base + bill["infos"][2]["value"].as_i64().unwrap(), amount);
            let due = bill["infos"][3]["value"].as_str().unwrap();
            assert!(
                due.len() == 8 && &due[2..3] == "/" && &due[5..6] == "/",
                "{due}"
            );
        }
        // Deterministic.
        assert_eq!(bills(account).await.json(), body);
    }
    // A failed look-up: code 4000 but `error: false`.
    let refused = bills("21050176024").await.json();
    assert_eq!(
        (refused["code"].clone(), refused["error"].clone()),
        (json!(4000), json!(false))
    );
    assert!(
        refused["msg"]
            .as_str()
            .unwrap()
            .contains("facture plus ancienne")
    );
    assert_eq!(
        refused["data"],
        json!({"status": "FAILLED", "pendingBills": []})
    );

    let not_a_bill = sb
        .post(
            "/api-services/list-pending-bills",
            json!({"codeService": "WOYOFAL_SN_BILL_RELOAD", "billAccountNumber": "21050176023"}),
        )
        .await
        .json();
    assert_eq!(
        not_a_bill,
        json!({"code": 4000, "msg": "No implemented", "error": false,
               "data": {"status": "FAILLED", "pendingBills": []}})
    );
    let bad_account = sb
        .post(
            "/api-services/list-pending-bills",
            json!({"codeService": "SENELEC_SN_BILL_PAY", "billAccountNumber": "12-34"}),
        )
        .await
        .json();
    assert!(bad_account["data"]["billAccountNumber"].is_array());

    // Pay the second bill of the account ending in 3.
    let list = bills("21050176023").await.json()["data"]["pendingBills"].clone();
    let bill = &list[1];
    let amount = bill["amount"].as_i64().unwrap();
    let pay = |reference: &str, amount: i64| {
        let mut body = cash_in("SENELEC_SN_BILL_PAY", "772457199", amount, DEAD);
        body["billAccountNumber"] = json!("21050176023");
        body["billReference"] = json!(reference);
        body
    };
    let reference = bill["billReference"].as_str().unwrap();
    let mut short_account = pay(reference, amount);
    short_account["billAccountNumber"] = json!("1234");
    assert!(sb.operation(short_account).await.json()["data"]["billAccountNumber"].is_array());
    let mut no_reference = pay(reference, amount);
    no_reference["billReference"] = json!("");
    assert!(sb.operation(no_reference).await.json()["data"]["billReference"].is_array());
    assert!(
        sb.records(None).await.is_empty(),
        "validation errors create nothing"
    );

    let body = pay(reference, amount);
    assert_eq!(sb.operation(body.clone()).await.json()["code"], 2000);
    // The same bill cannot be paid twice, even while in progress (the sandbox refuses it
    // before creating anything).
    let again = sb.operation(pay(reference, amount)).await.json();
    assert!(again["data"]["billReference"].is_array(), "{again}");
    sb.wait_status(&ext_of(&body), "SUCCESS").await;
    let left = bills("21050176023").await.json()["data"]["pendingBills"].clone();
    assert_eq!(left.as_array().unwrap().len(), 2);
    assert!(
        left.as_array()
            .unwrap()
            .iter()
            .all(|b| b["billReference"] != reference)
    );
    assert_eq!(sb.balance().await, 250_000.0 - amount as f64);
    // Paid: no longer pending, so the bill's manager does not find it (FAILLED).
    let paid = sb.operation(pay(reference, amount)).await.json();
    assert_eq!(paid["code"], 4000);
    assert_eq!(
        paid["msg"],
        "La facture que vous essayer de payer est introuvable"
    );
    assert_eq!(paid["data"]["status"], "FAILLED");
    sb.stop().await;
}

#[tokio::test]
async fn bills_read_bill_account_number_and_take_only_the_bills_amount() {
    let sb = Sandbox::start(fast()).await;
    let receiver = Receiver::start(&[]).await;
    let account = "21050176021";
    let list = sb
        .post(
            "/api-services/list-pending-bills",
            // The doc's field is read when the server's is absent.
            json!({"codeService": "SENELEC_SN_BILL_PAY", "accountNumber": account}),
        )
        .await
        .json();
    assert_eq!(list["code"], 2000, "{list}");
    let bill = list["data"]["pendingBills"][0].clone();
    let (amount, reference) = (
        bill["amount"].as_i64().unwrap(),
        bill["billReference"].as_str().unwrap().to_owned(),
    );

    // The amount must be the bill's: the transaction is created, then FAILLED with the
    // server's message, and its callback says so.
    let mut wrong = cash_in(
        "SENELEC_SN_BILL_PAY",
        "772457199",
        amount + 5,
        &receiver.url,
    );
    wrong["billAccountNumber"] = json!(account);
    wrong["billReference"] = json!(reference);
    let refused = sb.operation(wrong.clone()).await.json();
    let expected = format!(
        "Le montant de la facture #{reference} ({amount} CFA) est different du montant soumis ({} CFA)",
        amount + 5
    );
    assert_eq!(refused["code"], 4000);
    assert_eq!(refused["msg"], expected.as_str());
    assert_eq!(refused["data"]["status"], "FAILLED");
    assert_eq!(refused["data"]["errorType"]["message"], expected.as_str());
    assert!(refused["data"]["transactionId"].is_string());
    let record = sb.record(&ext_of(&wrong)).await;
    assert_eq!(record["status"], "FAILLED");
    let callback = receiver.wait(1).await.remove(0);
    assert_eq!(callback["status"], "FAILLED");
    assert_eq!(
        callback["transaction"]["errorType"]["message"],
        expected.as_str()
    );

    // `billAccountNumber` wins over `accountNumber` (which may then be anything), and the
    // reference is any string: an unknown one is simply not found.
    let mut both = cash_in("SENELEC_SN_BILL_PAY", "772457199", amount, DEAD);
    both["billAccountNumber"] = json!(account);
    both["accountNumber"] = json!("n'importe quoi");
    both["billReference"] = json!("FACT-2025/09 n°12");
    let unknown = sb.operation(both.clone()).await.json();
    assert_eq!(
        unknown["msg"],
        "La facture que vous essayer de payer est introuvable"
    );
    both["externalTransactionId"] = json!(ext());
    both["billReference"] = json!(reference);
    assert_eq!(sb.operation(both.clone()).await.json()["code"], 2000);
    sb.wait_status(&ext_of(&both), "SUCCESS").await;

    // Reloads read the account the same way: letters and digits, 5 to 20.
    for (account, ok) in [
        ("AB123", true),
        ("12345678901234567890", true),
        ("1234", false),
        ("123456789012345678901", false),
        ("12 345", false),
    ] {
        let mut reload = cash_in("RAPIDO_SN_BILL_RELOAD", "772450000", 1000, DEAD);
        reload["billAccountNumber"] = json!(account);
        let json = sb.operation(reload).await.json();
        assert_eq!(json["code"] == 2000, ok, "{account}: {json}");
        if !ok {
            let messages = json["data"]["billAccountNumber"].as_array().unwrap();
            assert!(
                messages[0]
                    .as_str()
                    .unwrap()
                    .starts_with("billAccountNumber")
            );
        }
    }
    sb.stop().await;
}

#[tokio::test]
async fn pending_bills_in_the_docs_nested_shape_on_request() {
    let config = SandboxConfig {
        nested_bills: true,
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let body = sb
        .post(
            "/api-services/list-pending-bills",
            json!({"codeService": "SENEAU_SN_BILL_PAY", "billAccountNumber": "106032682912"}),
        )
        .await
        .json();
    assert_eq!(body["code"], 2000);
    assert_eq!(body["data"]["status"], "SUCCESS");
    assert_eq!(body["data"]["pendingBills"]["success"], true);
    let list = body["data"]["pendingBills"]["pendingBills"]
        .as_array()
        .unwrap();
    assert_eq!(list.len(), 2);
    assert!(list[0]["baseAmount"].is_i64());
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------
// Operations

#[tokio::test]
async fn wave_cash_out_approved_claimed_and_refunded_once() {
    let sb = Sandbox::start(fast()).await;
    let body = wave_out("772457100", 1500);
    let ext = ext_of(&body);
    let reply = sb.operation(body).await;
    assert_eq!(reply.status, 201);
    let json = reply.json();
    assert_eq!(json["code"], 2000);
    assert_eq!(json["error"], false);
    assert!(
        json["msg"]
            .as_str()
            .unwrap()
            .starts_with("Votre opération s'est effectuée sans erreur")
    );
    let data = &json["data"];
    let tid = data["transactionId"].as_str().unwrap().to_owned();
    assert!(
        tid.len() == 13 && tid.bytes().all(|b| b.is_ascii_digit()),
        "{tid}"
    );
    assert_eq!(data["status"], "PENDING");
    assert_eq!(data["phone"], "772457100");
    assert_eq!(data["amount"], 1500);
    assert_eq!(data["codeService"], "WAVE_SN_API_CASH_OUT");
    assert_eq!(data["externalTransactionId"], ext.as_str());
    assert_eq!(data["callbackUrl"], DEAD);
    let link = format!("{}/deep/{tid}", sb.url);
    assert_eq!(data["deepLinkUrl"], link.as_str());
    assert_eq!(
        data["notificationMessage"],
        format!(
            "Bonjour, cliquez sur le lien suivant pour valider le paiement de 1500 FCFA : {link} (Expire dans 15 minutes)"
        )
    );
    assert!(data["_be_removed_waveLaunchUrl"].is_string());
    assert_eq!(data["fees"], 0);
    assert!(!reply.text.contains(KEY), "the API key is never echoed");

    let page = sb.get_plain(&format!("/deep/{tid}")).await;
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"));
    assert!(page.text.contains("1 500 FCFA") && page.text.contains("Valider le paiement"));
    assert!(
        page.text
            .contains(&format!("/sandbox/customer/{tid}/approve"))
    );
    assert_eq!(sb.get_plain("/deep/0000000000000").await.status, 404);

    // The customer approves: PROCESSING, then SUCCESS; approving again changes nothing.
    let approved = sb.customer(&tid, "approve").await;
    assert_eq!(
        (approved.status, approved.json()),
        (200, json!({"transactionId": tid, "status": "PROCESSING"}))
    );
    sb.wait_status(&ext, "SUCCESS").await;
    let again = sb.customer(&tid, "approve").await;
    assert_eq!(
        (again.status, again.json()["status"].clone()),
        (200, json!("SUCCESS"))
    );
    assert_eq!(sb.customer(&tid, "refuse").await.status, 409);
    assert_eq!(sb.balance().await, 251_500.0);

    // get-transaction-status: transactionId as a number.
    let status = sb
        .post(
            "/api-services/get-transaction-status",
            json!({"externalTransactionId": ext}),
        )
        .await;
    assert_eq!(status.status, 201);
    let status = status.json();
    assert_eq!(status["code"], 2000);
    assert_eq!(
        status["data"]["transactionId"],
        json!(tid.parse::<u64>().unwrap())
    );
    assert_eq!(status["data"]["status"], "SUCCESS");
    assert_eq!(status["data"]["errorType"], Value::Null);
    assert!(
        is_iso_ms(status["data"]["createdAt"].as_str().unwrap()),
        "{status}"
    );
    assert!(is_iso_ms(status["data"]["updatedAt"].as_str().unwrap()));
    let unknown = sb
        .post(
            "/api-services/get-transaction-status",
            json!({"externalTransactionId": "nope"}),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (
            201,
            json!({"code": 404, "msg": "Les ressources demandés n'existent pas", "error": true,
                   "data": {"externalTransactionId": "Transaction partnaire non trouvé"}})
        )
    );

    // A claim, seed-shaped.
    let claim = sb
        .post(
            "/api-services/new-claim",
            json!({"subject": "Montant", "message": "Le client conteste", "transactionId": tid}),
        )
        .await
        .json();
    assert_eq!(claim["code"], 2000);
    let claim = &claim["data"]["claim"];
    assert_eq!(claim["statut"], "OPENED");
    assert_eq!(claim["state"], "ACTIVED");
    assert_eq!(claim["partenersId"], 1);
    assert_eq!(claim["transactionId"], json!(tid.parse::<u64>().unwrap()));
    let claim_ref = claim["claimRef"].as_str().unwrap();
    assert!(
        claim_ref.len() == 15 && claim_ref.starts_with('C'),
        "{claim_ref}"
    );
    for null in [
        "comment",
        "callbackUrl",
        "userIdOpen",
        "userIdClose",
        "userIdComment",
        "updatedAt",
        "closeAt",
    ] {
        assert_eq!(claim[null], Value::Null, "{null}");
    }

    // Refund: once.
    let refund = sb
        .post(
            "/api-services/transaction/refund-cancel",
            json!({"transactionId": tid}),
        )
        .await;
    assert_eq!(refund.status, 201);
    assert_eq!(
        refund.json(),
        json!({"message": "Le transaction Wave de 1500 CFA a bien été remboursé", "statutTreatment": "SUCCESS"})
    );
    assert_eq!(sb.balance().await, 250_000.0);
    assert_eq!(sb.record(&ext).await["status"], "REFUNDED");
    let twice = sb
        .post(
            "/api-services/transaction/refund-cancel",
            json!({"transactionId": format!("T{tid}")}),
        )
        .await
        .json();
    assert_eq!(
        twice,
        json!({"message": "Le transaction a deja ete rembourse", "statutTreatment": "FAILED"})
    );
    assert_eq!(sb.balance().await, 250_000.0);
    sb.stop().await;
}

async fn refund(sb: &Sandbox, tid: &Value) -> Value {
    let reply = sb
        .post(
            "/api-services/transaction/refund-cancel",
            json!({"transactionId": tid}),
        )
        .await;
    assert_eq!(reply.status, 201);
    reply.json()
}

fn refused(message: &str) -> Value {
    json!({"message": message, "statutTreatment": "FAILED"})
}

#[tokio::test]
async fn refunds_are_wired_per_service() {
    let config = SandboxConfig {
        initial_balance: 0.0,
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let receiver = Receiver::start(&[]).await;

    // Unknown, then not final yet.
    assert_eq!(
        refund(&sb, &json!("1234567890123")).await,
        refused("La transaction est introuvable")
    );
    let mut body = wave_out("772457100", 1500);
    body["callbackUrl"] = json!(receiver.url);
    let wave_out_tid = sb.operation(body.clone()).await.json()["data"]["transactionId"].clone();
    assert_eq!(
        refund(&sb, &wave_out_tid).await,
        refused("Le statut de la transaction ne permet pas de proceder a son remboursmeent")
    );
    sb.customer(wave_out_tid.as_str().unwrap(), "approve").await;
    sb.wait_status(&ext_of(&body), "SUCCESS").await;
    receiver.wait(1).await;
    assert_eq!(sb.balance().await, 1500.0);

    // An Orange Money cash-out succeeds, but its refund is not wired.
    let orange = cash_in("ORANGE_SN_API_CASH_OUT", "772450000", 1000, DEAD);
    let orange_tid = sb.operation(orange.clone()).await.json()["data"]["transactionId"].clone();
    sb.customer(orange_tid.as_str().unwrap(), "approve").await;
    sb.wait_status(&ext_of(&orange), "SUCCESS").await;
    assert_eq!(
        refund(&sb, &orange_tid).await,
        refused("Cette fonctionnalité n'est pas encore disponible pour ce Service")
    );
    assert_eq!(sb.balance().await, 2500.0);

    // A Wave SN deposit (a debit) is refunded: the money comes back to the shop.
    let deposit = cash_in("WAVE_SN_API_CASH_IN", "772450000", 2000, DEAD);
    let deposit_tid = sb.operation(deposit.clone()).await.json()["data"]["transactionId"].clone();
    sb.wait_status(&ext_of(&deposit), "SUCCESS").await;
    assert_eq!(sb.balance().await, 500.0);

    // The Wave cash-out's refund needs the shop's balance to cover it (500 < 1500).
    assert_eq!(
        refund(&sb, &wave_out_tid).await,
        refused("Le solde du compte du partenaire permet pas de faire ce remboursement")
    );
    assert_eq!(
        refund(&sb, &deposit_tid).await,
        json!({"message": "Le transaction Wave de 2000 CFA a bien été remboursé", "statutTreatment": "SUCCESS"})
    );
    assert_eq!(sb.balance().await, 2500.0);
    assert_eq!(sb.record(&ext_of(&deposit)).await["status"], "REFUNDED");
    assert_eq!(
        refund(&sb, &wave_out_tid).await["statutTreatment"],
        "SUCCESS"
    );
    assert_eq!(sb.balance().await, 1000.0);
    assert_eq!(
        refund(&sb, &wave_out_tid).await,
        refused("Le transaction a deja ete rembourse")
    );
    // Every request is counted, refused or not.
    let record = sb.record(&ext_of(&body)).await;
    assert_eq!(record["status"], "REFUNDED");
    assert_eq!(record["refundAttempts"], 4);
    // No callback for REFUNDED: only get-transaction-status says it. (The refund queued
    // nothing; a later operation's callback to the same receiver comes, and still none
    // said REFUNDED.)
    assert_eq!(record["callbacks"].as_array().unwrap().len(), 1);
    let status = sb
        .post(
            "/api-services/get-transaction-status",
            json!({"externalTransactionId": ext_of(&body)}),
        )
        .await
        .json();
    assert_eq!(status["data"]["status"], "REFUNDED");
    let later = cash_in("FREE_SN_WALLET_CASH_OUT", "762450088", 500, &receiver.url);
    sb.operation(later).await;
    let callbacks = receiver.wait(2).await;
    assert!(callbacks.iter().all(|c| c["status"] != "REFUNDED"));
    assert!(
        callbacks
            .iter()
            .all(|c| c["transaction"]["status"] != "REFUNDED")
    );
    // The rule names MoneyGram's send too.
    assert_eq!(
        rules::refund_operator("MONEYGRAM_SN_API_CASH_IN"),
        Some("MoneyGram")
    );
    assert_eq!(rules::refund_operator("MONEYGRAM_SN_API_CASH_OUT"), None);
    assert_eq!(rules::refund_operator("ORANGE_SN_API_CASH_IN"), None);
    sb.stop().await;
}

#[tokio::test]
async fn customer_decisions() {
    let sb = Sandbox::start(fast()).await;
    let body = wave_out("772457100", 2000);
    let tid = sb.operation(body.clone()).await.json()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = sb.customer(&tid, "refuse").await;
    assert_eq!(
        (refused.status, refused.json()["status"].clone()),
        (200, json!("FAILLED"))
    );
    let record = sb.record(&ext_of(&body)).await;
    assert_eq!(record["errorCode"], "unknown_error");
    let late = sb.customer(&tid, "approve").await;
    assert_eq!(
        (late.status, late.json()["status"].clone()),
        (409, json!("FAILLED"))
    );
    assert_eq!(sb.balance().await, 250_000.0);

    // A deposit has no customer step.
    let deposit = cash_in("WAVE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    let mut deposit = deposit;
    deposit["sender"] = json!("Boutique");
    let tid = sb.operation(deposit).await.json()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sb.customer(&tid, "approve").await.status, 409);
    assert_eq!(sb.customer("0000000000000", "approve").await.status, 404);
    assert_eq!(sb.customer(&tid, "maybe").await.status, 404);

    // The page's form gets a page back.
    let tid = sb.operation(wave_out("772457100", 2500)).await.json()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let form = sb
        .http
        .post(format!("{}/sandbox/customer/{tid}/approve", sb.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .body("")
        .send()
        .await
        .unwrap();
    let form = reply(form).await;
    assert_eq!(form.status, 200);
    assert!(form.content_type().starts_with("text/html"));
    assert!(form.text.contains("Paiement validé"), "{}", form.text);
    sb.stop().await;
}

#[tokio::test]
async fn validation_errors_create_nothing_and_duplicates_are_counted() {
    let sb = Sandbox::start(fast()).await;
    let base = || cash_in("WAVE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let with_sender = || {
        let mut b = base();
        b["sender"] = json!("Boutique");
        b
    };
    let mut bad_phone = with_sender();
    bad_phone["phone"] = json!("7724571");
    cases.push((bad_phone, "phone"));
    let mut other_country = cash_in("MTN_CI_API_CASH_IN", "772450000", 1000, DEAD);
    other_country["phone"] = json!("772450000");
    cases.push((other_country, "phone"));
    let mut whatsapp = json!({"phone": "772450000", "codeService": "WHATSAPP_MESSAGING", "externalTransactionId": ext(), "callbackUrl": DEAD, "message": "Bonjour"});
    cases.push((whatsapp.clone(), "phone"));
    whatsapp["phone"] = json!("+221772450000");
    whatsapp.as_object_mut().unwrap().remove("message");
    cases.push((whatsapp, "message"));
    let mut zero = with_sender();
    zero["amount"] = json!(0);
    cases.push((zero, "amount"));
    let mut text = with_sender();
    text["amount"] = json!("mille");
    cases.push((text, "amount"));
    let mut no_callback = with_sender();
    no_callback.as_object_mut().unwrap().remove("callbackUrl");
    cases.push((no_callback, "callbackUrl"));
    let mut unknown = with_sender();
    unknown["codeService"] = json!("NOPE_SN_API_CASH_IN");
    cases.push((unknown, "codeService"));
    let mut bad_data = with_sender();
    bad_data["data"] = json!("not json");
    cases.push((bad_data, "data"));
    let mut wave_out_missing = wave_out("772457100", 1000);
    wave_out_missing
        .as_object_mut()
        .unwrap()
        .remove("errorRedirectUrl");
    cases.push((wave_out_missing, "errorRedirectUrl"));
    let mut card = cash_in("BANK_CARD_API_CASH_OUT", "+221772450000", 1000, DEAD);
    for (k, v) in [
        ("customerFirstName", "Moussa"),
        ("customerLastName", "Ndour"),
        ("cardNumber", "4111111111111111"),
        ("cardExpireMonth", "09"),
        ("cardExpireYear", "29"),
        ("cardType", "VISA"),
        ("bankAuthRedirectUrl", "https://e.sn/3ds"),
        ("successRedirectUrl", "https://e.sn/ok"),
        ("errorRedirectUrl", "https://e.sn/ko"),
    ] {
        card[k] = json!(v);
    }
    cases.push((card.clone(), "cardCVC"));
    card["cardCVC"] = json!("123");
    card["phone"] = json!("772450000");
    cases.push((card, "phone"));
    let mut transfer = cash_in("BANK_TRANSFER_SN_API_CASH_IN", "221772450000", 1000, DEAD);
    transfer["customerFirstName"] = json!("Moussa");
    transfer["customerLastName"] = json!("Ndour");
    cases.push((transfer, "rib"));
    let mut reload = cash_in("WOYOFAL_SN_BILL_RELOAD", "772450000", 1000, DEAD);
    reload["accountNumber"] = json!("123");
    cases.push((reload, "accountNumber"));
    // Plain HTTP callbacks only on the loopback.
    let mut http = with_sender();
    http["callbackUrl"] = json!("http://shop.example.sn/cb");
    cases.push((http, "callbackUrl"));

    for (body, field) in cases {
        let reply = sb.operation(body.clone()).await;
        assert_eq!(reply.status, 201, "{field}");
        let json = reply.json();
        assert_eq!(json["code"], 4000, "{field}: {json}");
        assert_eq!(json["error"], true);
        let messages = json["data"][field]
            .as_array()
            .unwrap_or_else(|| panic!("{field}: {json}"));
        assert!(!messages.is_empty());
        assert!(
            messages[0].as_str().unwrap().contains(field) || field == "phone",
            "{json}"
        );
    }
    assert!(sb.records(None).await.is_empty(), "nothing created");

    // A duplicate externalTransactionId: refused, nothing changes, the attempt counted.
    let body = with_sender();
    let ext = ext_of(&body);
    assert_eq!(sb.operation(body.clone()).await.json()["code"], 2000);
    let mut changed = body.clone();
    changed["amount"] = json!(5000);
    let duplicate = sb.operation(changed).await.json();
    assert_eq!(duplicate["code"], 4000);
    assert_eq!(
        duplicate["data"],
        json!({"apiKey": ["Duplication du external transaction ID"]})
    );
    let record = sb.wait_status(&ext, "SUCCESS").await;
    assert_eq!(record["operationAttempts"], 2);
    assert_eq!(record["amount"], 1000);
    assert_eq!(sb.records(None).await.len(), 1);
    assert_eq!(sb.balance().await, 249_000.0);

    // Wave SN's `sender` is optional (the server puts the partner's name).
    assert_eq!(sb.operation(base()).await.json()["code"], 2000);
    // International forms accepted where a local number is.
    let mut plus = with_sender();
    plus["phone"] = json!("+221772450000");
    assert_eq!(sb.operation(plus).await.json()["code"], 2000);
    let ci = cash_in("MOOV_CI_API_CASH_IN", "2250701020304", 1000, DEAD);
    assert_eq!(sb.operation(ci).await.json()["code"], 2000);
    sb.stop().await;
}

#[tokio::test]
async fn operator_refusals_create_a_failled_transaction_and_a_callback() {
    let sb = Sandbox::start(fast()).await;
    let receiver = Receiver::start(&[]).await;
    let cases = [
        (
            "WAVE_SN_API_CASH_OUT",
            "772457100",
            1501,
            "bad_amount_5",
            38,
        ),
        (
            "ORANGE_SN_API_CASH_IN",
            "772450000",
            1020,
            "bad_amount_50",
            15,
        ),
        (
            "ORANGE_SN_AIRTIME_CREDIT_TELEPHONIQUE",
            "772450000",
            150,
            "bad_amount_100",
            16,
        ),
        (
            "FREE_SN_WALLET_CASH_IN",
            "762450000",
            300_000,
            "insufficient_balance",
            26,
        ),
        (
            "ORANGE_SN_API_CASH_OUT",
            "772450091",
            1000,
            "insufficient_balance",
            2,
        ),
        (
            "ORANGE_SN_API_CASH_IN",
            "772450092",
            1000,
            "no_om_account",
            9,
        ),
        (
            "MTN_CI_API_CASH_OUT",
            "0701020392",
            1000,
            "no_mtn_account",
            39,
        ),
        (
            "FREE_SN_WALLET_CASH_OUT",
            "762450092",
            1000,
            "invalid_phone_number",
            1,
        ),
    ];
    for (i, (code, phone, amount, error, id)) in cases.into_iter().enumerate() {
        let mut body = cash_in(code, phone, amount, &receiver.url);
        if code.starts_with("WAVE_SN") {
            body = wave_out(phone, amount);
            body["callbackUrl"] = json!(receiver.url);
        }
        let reply = sb.operation(body.clone()).await;
        assert_eq!(reply.status, 201);
        let json = reply.json();
        assert_eq!(json["code"], 4000, "{code}: {json}");
        assert_eq!(json["error"], true);
        let data = &json["data"];
        assert_eq!(data["status"], "FAILLED");
        assert_eq!(data["codeService"], code);
        assert_eq!(data["phone"], phone);
        assert_eq!(data["amount"], amount);
        assert_eq!(data["externalTransactionId"], ext_of(&body).as_str());
        assert!(data["transactionId"].is_string());
        assert_eq!(data["errorType"]["code"], error, "{code}");
        assert_eq!(data["errorType"]["id"], id, "{code}");
        assert_eq!(data["errorType"]["codeService"], code);
        assert_eq!(json["msg"], data["errorType"]["message"]);
        let record = sb.record(&ext_of(&body)).await;
        assert_eq!(
            (record["status"].clone(), record["errorCode"].clone()),
            (json!("FAILLED"), json!(error))
        );
        let callbacks = receiver.wait(i + 1).await;
        let callback = &callbacks[i];
        assert_eq!(callback["status"], "FAILLED");
        assert_eq!(
            (callback["code"].clone(), callback["error"].clone()),
            (json!(2000), json!(false))
        );
        assert_eq!(callback["transaction"]["status"], "FAILLED");
        assert_eq!(callback["transaction"]["errorType"]["code"], error);
    }
    // The __amount__ placeholder is left for the client.
    let body = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 300_000, DEAD);
    let json = sb.operation(body).await.json();
    assert!(json["msg"].as_str().unwrap().contains("__amount__"));
    // WhatsApp's unknown number.
    let whatsapp = json!({"phone": "+221772450092", "codeService": "WHATSAPP_MESSAGING", "externalTransactionId": ext(), "callbackUrl": DEAD, "message": "Bonjour"});
    let json = sb.operation(whatsapp).await.json();
    assert_eq!(json["data"]["errorType"]["code"], "whatsapp_user_not_found");
    assert_eq!(sb.balance().await, 250_000.0);
    sb.stop().await;
}

#[tokio::test]
async fn lifecycle_outcomes_88_91_93_95() {
    let config = SandboxConfig {
        payment_timeout: Duration::from_millis(600),
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    // 88: the customer approves by themself.
    let auto = wave_out("772457188", 1000);
    assert_eq!(sb.operation(auto.clone()).await.json()["code"], 2000);
    // 91 on a deposit: accepted, then balance_check_failed.
    let broke = cash_in("ORANGE_SN_API_CASH_IN", "772450091", 1000, DEAD);
    assert_eq!(sb.operation(broke.clone()).await.json()["code"], 2000);
    // 93: operator down, even for a cash-out (no customer step).
    let down = cash_in("FREE_SN_WALLET_CASH_OUT", "762450093", 1000, DEAD);
    assert_eq!(sb.operation(down.clone()).await.json()["code"], 2000);
    // 95: never answered.
    let silent = cash_in("FREE_SN_WALLET_CASH_IN", "762450095", 1000, DEAD);
    assert_eq!(sb.operation(silent.clone()).await.json()["code"], 2000);
    // A cash-out nobody approves.
    let ignored = wave_out("772457100", 1000);
    assert_eq!(sb.operation(ignored.clone()).await.json()["code"], 2000);

    sb.wait_status(&ext_of(&auto), "SUCCESS").await;
    let record = sb.wait_status(&ext_of(&broke), "FAILLED").await;
    assert_eq!(record["errorCode"], "balance_check_failed");
    let record = sb.wait_status(&ext_of(&down), "FAILLED").await;
    assert_eq!(record["errorCode"], "operator_down_time");
    sb.wait_status(&ext_of(&silent), "PROCESSING").await;
    assert_eq!(sb.record(&ext_of(&ignored)).await["status"], "PENDING");
    for ext in [ext_of(&silent), ext_of(&ignored)] {
        let record = sb.wait_status(&ext, "FAILLED").await;
        assert_eq!(record["errorCode"], "payment-timeout");
    }
    // Final statuses never move: the timeout left the finished ones alone.
    assert_eq!(sb.record(&ext_of(&auto)).await["status"], "SUCCESS");
    assert_eq!(sb.balance().await, 251_000.0);
    let status = sb
        .post(
            "/api-services/get-transaction-status",
            json!({"externalTransactionId": ext_of(&ignored)}),
        )
        .await
        .json();
    assert_eq!(
        status["data"]["errorType"],
        json!({"code": "payment-timeout", "message": "Le client n'a pas validé le paiement après 15 minutes"})
    );
    sb.stop().await;
}

#[tokio::test]
async fn reply_outcomes_94_96_97() {
    let sb = Sandbox::start(fast()).await;
    // 94: held beyond a short client timeout, but created and completed.
    let slow = cash_in("FREE_SN_WALLET_CASH_IN", "762450094", 1000, DEAD);
    let mut signed = slow.clone();
    signed["apiKey"] = json!(KEY);
    let started = Instant::now();
    let timed_out = sb
        .http
        .post(format!("{}/api-services/operation", sb.url))
        .timeout(Duration::from_millis(200))
        .json(&signed)
        .send()
        .await;
    assert!(timed_out.unwrap_err().is_timeout());
    assert!(started.elapsed() < Duration::from_millis(700));
    sb.wait_status(&ext_of(&slow), "SUCCESS").await;
    // A patient client gets the reply after slow_reply.
    let patient = cash_in("FREE_SN_WALLET_CASH_IN", "762450094", 1000, DEAD);
    let started = Instant::now();
    assert_eq!(sb.operation(patient).await.json()["code"], 2000);
    assert!(started.elapsed() >= Duration::from_millis(800));

    // 96: HTTP 500, an HTML page, the transaction exists.
    let crash = cash_in("FREE_SN_WALLET_CASH_IN", "762450096", 1000, DEAD);
    let reply = sb.operation(crash.clone()).await;
    assert_eq!(reply.status, 500);
    assert!(reply.content_type().starts_with("text/html"));
    assert!(reply.text.contains("500 Internal Server Error"));
    sb.wait_status(&ext_of(&crash), "SUCCESS").await;

    // 97: truncated JSON with a consistent Content-Length.
    let cut = cash_in("FREE_SN_WALLET_CASH_IN", "762450097", 1000, DEAD);
    let reply = sb.operation(cut.clone()).await;
    assert_eq!(reply.status, 201);
    assert!(
        serde_json::from_str::<Value>(&reply.text).is_err(),
        "{}",
        reply.text
    );
    assert!(reply.text.starts_with("{\"code\":2000"));
    let length: usize = reply.headers["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(length, reply.text.len());
    sb.wait_status(&ext_of(&cut), "SUCCESS").await;
    sb.stop().await;
}

#[tokio::test]
async fn outcome_98_the_callback_arrives_before_the_reply() {
    let sb = Sandbox::start(fast()).await;
    let receiver = Receiver::start(&[]).await;
    let deposit = cash_in("FREE_SN_WALLET_CASH_IN", "762450098", 1000, &receiver.url);
    let mut cash_out = cash_in("FREE_SN_WALLET_CASH_OUT", "762450098", 1000, &receiver.url);
    cash_out["data"] = json!({"ticket": 7});
    for (i, body) in [deposit, cash_out].into_iter().enumerate() {
        let reply = sb.operation(body.clone()).await;
        let received = Instant::now();
        assert_eq!(reply.json()["code"], 2000);
        assert_eq!(reply.json()["data"]["status"], "PENDING");
        let hits = receiver.hits.lock().unwrap();
        assert_eq!(hits.len(), i + 1, "the callback came first");
        assert!(hits[i].at <= received);
        let callback: Value = serde_json::from_slice(&hits[i].body).unwrap();
        assert_eq!(callback["status"], "SUCCESS");
        assert_eq!(
            callback["transaction"]["externalTransactionId"],
            ext_of(&body).as_str()
        );
    }
    sb.stop().await;
}

#[tokio::test]
async fn callbacks_carry_the_hash_and_the_parsed_data() {
    let sb = Sandbox::start(fast()).await;
    let receiver = Receiver::start(&[]).await;
    let mut body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, &receiver.url);
    body["data"] = json!("{\"ticket\":\"T-42\",\"counter\":3}");
    let tid = sb.operation(body.clone()).await.json()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let ext = ext_of(&body);
    let callback = receiver.wait(1).await.remove(0);
    let expected = hex::encode(Sha256::digest(format!("{tid}|{ext}|{KEY}").as_bytes()));
    assert_eq!(callback["sha256Hash"], expected.as_str());
    assert_eq!(callback["status"], "SUCCESS");
    // The envelope's fields too, and the status inside the transaction.
    assert_eq!(
        (callback["code"].clone(), callback["error"].clone()),
        (json!(2000), json!(false))
    );
    assert_eq!(callback["transaction"]["status"], "SUCCESS");
    assert_eq!(
        callback["msg"],
        "Opération de DEBIT par CashIn Orange Money"
    );
    let tx = &callback["transaction"];
    assert_eq!(tx["transactionId"], tid.as_str());
    assert_eq!(tx["externalTransactionId"], ext.as_str());
    assert_eq!(tx["phone"], "772450000");
    assert_eq!(tx["amount"], 1000);
    assert_eq!(tx["codeService"], "ORANGE_SN_API_CASH_IN");
    assert_eq!(tx["nameService"], "CashIn Orange Money");
    assert_eq!(tx["commission"], 0);
    assert_eq!(tx["callbackUrl"], receiver.url.as_str());
    assert_eq!(tx["errorType"], Value::Null);
    assert_eq!(tx["data"], json!({"ticket": "T-42", "counter": 3}));
    assert_eq!(tx["balanceBeforeTransactionInit"], 250_000.0);
    assert_eq!(tx["balanceAfterTransactionInit"], 249_000.0);
    assert_eq!(tx["currentBalance"], 249_000.0);
    assert!(
        tx["sousServiceTransactionId"]
            .as_str()
            .unwrap()
            .starts_with("T_")
    );
    // No HMAC headers unless configured.
    assert!(
        receiver.hits.lock().unwrap()[0]
            .headers
            .get("hmac-signature")
            .is_none()
    );
    let record = sb
        .wait_for(&ext, "recorded its callback", |r| {
            r["callbacks"].as_array().unwrap().len() == 1
        })
        .await;
    assert_eq!(record["callbacks"][0]["httpStatus"], 200);
    assert!(is_iso_ms(record["callbacks"][0]["at"].as_str().unwrap()));
    sb.stop().await;
}

#[tokio::test]
async fn callbacks_are_retried_until_answered_200() {
    let sb = Sandbox::start(fast()).await;
    let receiver = Receiver::start(&[500, 404]).await;
    let body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, &receiver.url);
    sb.operation(body.clone()).await;
    let bodies = receiver.wait(3).await;
    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "the same body every time"
    );
    let record = sb
        .wait_for(&ext_of(&body), "3 attempts", |r| {
            r["callbacks"].as_array().unwrap().len() == 3
        })
        .await;
    let statuses: Vec<Value> = record["callbacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["httpStatus"].clone())
        .collect();
    assert_eq!(statuses, vec![json!(500), json!(404), json!(200)]);
    // Answered: no more attempts.
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(receiver.count(), 3);

    // Connection errors are recorded and retried too.
    let dead = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    sb.operation(dead.clone()).await;
    let record = sb
        .wait_for(&ext_of(&dead), "2 failed attempts", |r| {
            r["callbacks"].as_array().unwrap().len() >= 2
        })
        .await;
    assert!(record["callbacks"][0]["error"].is_string(), "{record}");
    assert!(record["callbacks"][0].get("httpStatus").is_none());
    sb.stop().await;
}

#[tokio::test]
async fn service_extras_whatsapp_fee_and_card_secrets() {
    let sb = Sandbox::start(fast()).await;
    // Orange cash-out: #144# without the QR option, a deep link with it.
    let mut orange = cash_in("ORANGE_SN_API_CASH_OUT", "772450000", 1500, DEAD);
    let data = sb.operation(orange.clone()).await.json()["data"].clone();
    assert!(
        data["notificationMessage"]
            .as_str()
            .unwrap()
            .contains("#144#")
    );
    assert!(data.get("deepLinkUrl").is_none());
    orange["externalTransactionId"] = json!(ext());
    orange["useOMQrCode"] = json!(true);
    // With the QR option, the redirect URLs are required.
    let refused = sb.operation(orange.clone()).await.json();
    assert!(
        refused["data"]["successRedirectUrl"].is_array(),
        "{refused}"
    );
    assert!(refused["data"]["errorRedirectUrl"].is_array(), "{refused}");
    orange["successRedirectUrl"] = json!("https://e.sn/ok");
    orange["errorRedirectUrl"] = json!("https://e.sn/ko");
    let data = sb.operation(orange).await.json()["data"].clone();
    let tid = data["transactionId"].as_str().unwrap();
    assert_eq!(data["deepLinkUrl"], format!("{}/deep/{tid}", sb.url));

    // Card: 3-D Secure link and order id; the CVC is neither echoed nor kept.
    let mut card = cash_in("BANK_CARD_API_CASH_OUT", "+221772450000", 1000, DEAD);
    for (k, v) in [
        ("customerFirstName", "Moussa"),
        ("customerLastName", "Ndour"),
        ("cardNumber", "4111111111111111"),
        ("cardExpireMonth", "09"),
        ("cardExpireYear", "29"),
        ("cardCVC", "9q7z"),
        ("cardType", "VISA"),
        ("merchantName", "Boutique"),
        ("bankAuthRedirectUrl", "https://e.sn/3ds"),
        ("successRedirectUrl", "https://e.sn/ok"),
        ("errorRedirectUrl", "https://e.sn/ko"),
    ] {
        card[k] = json!(v);
    }
    let reply = sb.operation(card).await;
    let data = reply.json()["data"].clone();
    let tid = data["transactionId"].as_str().unwrap();
    assert_eq!(data["authLinkUrl"], format!("{}/deep/{tid}", sb.url));
    assert_eq!(data["orderId"], format!("INTECHV2-BK-{tid}"));
    assert!(data["notificationMessage"].is_string());
    // A CVC no timestamp or id can contain by chance (the sandbox does not check its form).
    assert!(!reply.text.contains("9q7z") && !reply.text.contains("cardCVC"));
    let record = sb.get_plain("/sandbox/transactions").await.text;
    assert!(!record.contains("9q7z") && !record.contains("cardCVC"));

    // WhatsApp: no amount; the server puts the partner's fee (25 FCFA) in its place, in the
    // reply and in the record; the seed's message.
    let whatsapp = json!({"phone": "+221772450000", "codeService": "WHATSAPP_MESSAGING", "externalTransactionId": ext(), "callbackUrl": DEAD, "message": "Reçu n° 42", "data": {}});
    let json = sb.operation(whatsapp.clone()).await.json();
    assert_eq!(json["code"], 2000);
    assert_eq!(
        json["msg"],
        "Le message a bien été envoyé a 221772450000@c.us (+221772450000)"
    );
    assert_eq!(json["data"]["amount"], 25);
    assert_eq!(json["data"]["amountXof"], 25);
    assert_eq!(json["data"]["errorType"], Value::Null);
    let record = sb.wait_status(&ext_of(&whatsapp), "SUCCESS").await;
    assert_eq!(record["amount"], 25);
    assert_eq!(sb.balance().await, 250_000.0 - 25.0);
    sb.stop().await;
}

#[tokio::test]
async fn the_fourth_status_call_in_a_window_blacklists_the_ip() {
    let config = SandboxConfig {
        blacklist_duration: Duration::from_millis(500),
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    let tid = sb.operation(body.clone()).await.json()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let ext = ext_of(&body);
    let status = || {
        sb.post(
            "/api-services/get-transaction-status",
            json!({"externalTransactionId": ext}),
        )
    };
    for _ in 0..3 {
        assert_eq!(status().await.json()["code"], 2000);
    }
    let fourth = status().await;
    assert_eq!(fourth.status, 403);
    assert!(fourth.content_type().starts_with("text/html"));
    assert!(
        serde_json::from_str::<Value>(&fourth.text).is_err(),
        "not the JSON envelope"
    );
    // Everything public is closed to this IP now…
    assert_eq!(sb.get("/api-services/balance").await.status, 403);
    assert_eq!(
        sb.operation(cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD))
            .await
            .status,
        403
    );
    assert_eq!(sb.get_plain(&format!("/deep/{tid}")).await.status, 403);
    let confirm = sb
        .http
        .get(format!("{}/api/v1/transactions/confirm/x", sb.url))
        .send()
        .await
        .unwrap();
    assert_eq!(confirm.status(), 403);
    // …except the test endpoints.
    let record = sb.record(&ext).await;
    assert_eq!(record["statusCalls"], 3);
    // And it ends.
    tokio::time::sleep(Duration::from_millis(550)).await;
    assert_eq!(sb.get("/api-services/balance").await.status, 200);
    assert_eq!(status().await.json()["code"], 2000);
    sb.stop().await;
}

#[tokio::test]
async fn status_calls_are_limited_per_transaction_not_globally() {
    let sb = Sandbox::start(fast()).await;
    for _ in 0..4 {
        let body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD);
        sb.operation(body.clone()).await;
        for _ in 0..3 {
            let reply = sb
                .post(
                    "/api-services/get-transaction-status",
                    json!({"externalTransactionId": ext_of(&body)}),
                )
                .await;
            assert_eq!(reply.status, 201);
        }
    }
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------
// MoneyGram

#[tokio::test]
async fn moneygram_reception_and_send_info() {
    let sb = Sandbox::start(fast()).await;
    let reception = |reference: Value| {
        sb.post(
            "/api-services/moneygram-reception-info",
            json!({"codeService": "MONEYGRAM_SN_API_CASH_OUT", "referenceNumber": reference}),
        )
    };
    let json = reception(json!("89163605")).await.json();
    assert_eq!(
        (json["code"].clone(), json["msg"].clone()),
        (json!(2000), json!("OK"))
    );
    assert_eq!(json["data"]["status"], "SUCCESS");
    let info = &json["data"]["referenceNumberResponse"];
    assert_eq!(info["referenceNumber"], "89163605");
    assert_eq!(info["transactionStatus"], "AVAIL");
    assert_eq!(info["okForPickup"], true);
    assert_eq!(info["receiveCurrency"], "XOF");
    let amount: i64 = info["receiveAmount"].as_str().unwrap().parse().unwrap();
    assert!(amount >= 5000 && amount % 500 == 0);
    for field in [
        "doCheckIn",
        "timeStamp",
        "flags",
        "mgiTransactionSessionID",
        "senderFirstName",
        "senderLastName",
        "senderHomePhone",
        "receiverFirstName",
        "receiverLastName",
        "agentCheckNumber",
        "agentCheckAmount",
        "agentCheckAuthorizationNumber",
        "customerCheckNumber",
        "customerCheckAmount",
        "okForAgent",
        "deliveryOption",
        "dateTimeSent",
        "originatingCountry",
        "validIndicator",
        "indicativeReceiveAmount",
        "indicativeExchangeRate",
        "expectedDateOfDelivery",
        "originalSendAmount",
        "originalSendCurrency",
        "originalSendFee",
        "originalExchangeRate",
        "redirectIndicator",
        "notOkForPickupReasonCode",
        "minutesUntilOkForPickup",
        "sendPurposeOfTransaction",
    ] {
        assert!(info.get(field).is_some(), "{field}");
    }
    // Deterministic (but for the clock).
    let again = reception(json!("89163605")).await.json();
    assert_eq!(
        again["data"]["referenceNumberResponse"]["receiveAmount"],
        info["receiveAmount"]
    );
    assert_eq!(
        again["data"]["referenceNumberResponse"]["senderLastName"],
        info["senderLastName"]
    );
    let paid = reception(json!("89163600")).await.json();
    assert_eq!(
        paid["data"]["referenceNumberResponse"]["transactionStatus"],
        "RECVD"
    );
    assert_eq!(
        paid["data"]["referenceNumberResponse"]["okForPickup"],
        false
    );
    for bad in [json!("abc"), json!("1234567"), json!(null)] {
        let json = reception(bad).await.json();
        assert_eq!(json["code"], 4000);
        assert!(json["data"]["referenceNumber"].is_array());
    }

    let send = |amount: Value, sender: &str| {
        sb.post(
            "/api-services/moneygram-send-info",
            json!({"codeService": "MONEYGRAM_SN_API_CASH_IN", "amount": amount, "moneygramSendData": {
                "senderDetails": {"senderFirstName": sender, "senderLastName": "Ndour"},
                "receiverDetails": {"receiverFirstName": "Aicha", "receiverLastName": "Diallo"}}}),
        )
    };
    let json = send(json!(3000), "Moussa").await.json();
    assert_eq!(json["code"], 2000);
    assert_eq!(json["data"]["success"], true);
    let response = &json["data"]["sendValidationResponse"];
    let amounts = &response["sendAmounts"];
    assert_eq!(amounts["sendAmount"], "3000");
    assert_eq!(amounts["totalSendFees"], "90");
    assert_eq!(amounts["totalAmountToCollect"], "3090");
    let details = amounts["detailSendAmounts"].as_array().unwrap();
    assert_eq!(details.len(), 10);
    assert!(
        details
            .iter()
            .any(|d| d["amountType"] == "totalAmountToMgi" && d["amount"] == "3090")
    );
    assert_eq!(response["receiveAmounts"]["totalReceiveAmount"], "3000");
    assert_eq!(
        response["receiveAmounts"]["detailReceiveAmounts"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let json = send(json!(0), "").await.json();
    assert_eq!(json["code"], 4000);
    assert!(json["data"]["amount"].is_array());
    assert!(json["data"]["moneygramSendData.senderDetails.senderFirstName"].is_array());
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------
// Intram

async fn intram_request(sb: &Sandbox, amount: i64, callback: &str) -> Value {
    let body = json!({
        "invoice": {
            "keys": {"public": "demo-intram-public", "private": "demo-intram-private", "secret": "demo-intram-secret"},
            "currency": "XOF", "items": [], "taxes": [], "amount": amount,
            "description": "Vente <test>", "custom_datas": {"ticket": "T-9"}
        },
        "store": {"name": "Boutique Awa", "postal_adress": "Dakar"},
        "actions": {"cancel_url": "https://e.sn/cancel", "return_url": "https://e.sn/return", "callback_url": callback}
    });
    let reply = sb
        .http
        .post(format!("{}/api/v1/payments/request", sb.url))
        .header("X-API-KEY", "demo-intram-public")
        .header("X-PRIVATE-KEY", "demo-intram-private")
        .header("X-SECRET-KEY", "demo-intram-secret")
        .header("X-MARCHAND-KEY", "marchand-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    reply.json().await.unwrap()
}

async fn intram_confirm(sb: &Sandbox, id: &str) -> Reply {
    let request = sb
        .http
        .get(format!("{}/api/v1/transactions/confirm/{id}", sb.url))
        .header("X-API-KEY", "demo-intram-public")
        .header("X-PRIVATE-KEY", "demo-intram-private")
        .header("X-SECRET-KEY", "demo-intram-secret");
    reply(request.send().await.unwrap()).await
}

#[tokio::test]
async fn intram_request_confirm_approve_refuse_and_timeout() {
    let config = SandboxConfig {
        payment_timeout: Duration::from_millis(500),
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let receiver = Receiver::start(&[]).await;
    let created = intram_request(&sb, 2500, &receiver.url).await;
    let id = created["transaction_id"].as_str().unwrap().to_owned();
    assert!(
        id.len() == 24
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{id}"
    );
    assert_eq!(created["status"], "PENDING");
    assert_eq!(created["total_amount"], 2500);
    assert_eq!(created["currency"], "xof");
    assert_eq!(
        created["receipt_url"],
        format!("{}/payment/gate/{id}", sb.url)
    );
    assert!(
        created["qr_code"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,iVBORw0KGgo")
    );

    let pending = intram_confirm(&sb, &id).await;
    assert_eq!(pending.status, 200);
    let pending = pending.json();
    assert_eq!(pending["status"], "PENDING");
    assert_eq!(pending["customer"], Value::Null);
    assert_eq!(pending["custom_data"], json!({"ticket": "T-9"}));
    assert_eq!(pending["transaction_id"], id.as_str());
    // The page at Intram's path, and at the sandbox's older one.
    for path in [format!("/payment/gate/{id}"), format!("/intram/pay/{id}")] {
        let page = sb.get_plain(&path).await;
        assert!(page.text.contains("2 500 FCFA") && page.text.contains("Valider le paiement"));
        assert!(page.text.contains("Vente &lt;test&gt;"), "escaped");
        assert!(page.text.contains("name=\"phone\""), "the customer's phone");
    }

    let approved = sb.customer(&id, "approve").await;
    assert_eq!(
        (approved.status, approved.json()),
        (200, json!({"transactionId": id, "status": "SUCCESS"}))
    );
    let confirmed = intram_confirm(&sb, &id).await.json();
    assert_eq!(confirmed["status"], "SUCCESS");
    assert!(
        confirmed["customer"]["phone"]
            .as_str()
            .unwrap()
            .starts_with("+221")
    );
    let callback = receiver.wait(1).await.remove(0);
    assert_eq!(
        callback,
        json!({"transaction_id": id, "status": "SUCCESS", "total_amount": 2500, "custom_data": {"ticket": "T-9"}})
    );
    assert_eq!(sb.customer(&id, "refuse").await.status, 409);

    let other = intram_request(&sb, 1000, &receiver.url).await["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        sb.customer(&other, "refuse").await.json()["status"],
        "CANCELED"
    );
    assert_eq!(
        intram_confirm(&sb, &other).await.json()["status"],
        "CANCELED"
    );
    assert_eq!(sb.customer(&other, "approve").await.status, 409);
    assert_eq!(receiver.wait(2).await[1]["status"], "CANCELED");

    let late = intram_request(&sb, 1000, &receiver.url).await["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deadline = Instant::now() + WAIT;
    while intram_confirm(&sb, &late).await.json()["status"] != "FAIL" {
        assert!(Instant::now() < deadline, "never FAIL");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(receiver.wait(3).await[2]["status"], "FAIL");

    let unknown = intram_confirm(&sb, "0123456789abcdef01234567").await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (
            404,
            json!({"error": true, "status": "ERROR", "message": "Transaction introuvable"})
        )
    );
    let records = sb.records(None).await;
    assert_eq!(records.len(), 3);
    assert!(
        records
            .iter()
            .all(|r| r["gateway"] == "intram" && r["externalTransactionId"].is_null())
    );
    assert_eq!(records[0]["callbacks"][0]["httpStatus"], 200);
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------
// Reset, shutdown, concurrency

#[tokio::test]
async fn reset_restores_the_initial_state() {
    let sb = Sandbox::start(fast()).await;
    let body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    sb.operation(body.clone()).await;
    sb.wait_status(&ext_of(&body), "SUCCESS").await;
    assert_eq!(sb.balance().await, 249_000.0);
    let reset = reply(
        sb.http
            .post(format!("{}/sandbox/reset", sb.url))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reset.status, 200);
    assert_eq!(sb.balance().await, 250_000.0);
    assert!(sb.records(None).await.is_empty());
    // The same externalTransactionId is new again.
    assert_eq!(sb.operation(body).await.json()["code"], 2000);
    sb.stop().await;
}

#[tokio::test]
async fn shutdown_stops_callbacks_and_held_replies() {
    let config = SandboxConfig {
        callback_retry: Duration::from_millis(30),
        slow_reply: Duration::from_secs(60),
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let receiver = Receiver::start(&[500; 1000]).await;
    sb.operation(cash_in(
        "ORANGE_SN_API_CASH_IN",
        "772450000",
        1000,
        &receiver.url,
    ))
    .await;
    receiver.wait(2).await;
    // A reply held for a minute must not hold the shutdown.
    let url = format!("{}/api-services/operation", sb.url);
    let mut held = cash_in("FREE_SN_WALLET_CASH_IN", "762450094", 1000, DEAD);
    held["apiKey"] = json!(KEY);
    let http = sb.http.clone();
    let pending = tokio::spawn(async move { http.post(url).json(&held).send().await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    sb.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let _ = pending.await;
    let count = receiver.count();
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(receiver.count(), count, "no callback after shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_operations_keep_the_books_straight() {
    let sb = Arc::new(Sandbox::start(fast()).await);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let sb = sb.clone();
        tasks.push(tokio::spawn(async move {
            let body = if i % 2 == 0 {
                cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD)
            } else {
                cash_in("FREE_SN_WALLET_CASH_OUT", "762457188", 500, DEAD)
            };
            assert_eq!(sb.operation(body.clone()).await.json()["code"], 2000);
            ext_of(&body)
        }));
    }
    let mut exts = Vec::new();
    for task in tasks {
        exts.push(task.await.unwrap());
    }
    for ext in &exts {
        sb.wait_status(ext, "SUCCESS").await;
    }
    assert_eq!(sb.balance().await, 250_000.0 - 20.0 * 1000.0 + 20.0 * 500.0);
    let ids: std::collections::HashSet<String> = sb
        .records(None)
        .await
        .iter()
        .map(|r| r["transactionId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 40);
    match Arc::try_unwrap(sb) {
        Ok(sb) => sb.stop().await,
        Err(_) => panic!("still shared"),
    }
}

// ---------------------------------------------------------------------------------------
// What the second reading of the server code adds

#[tokio::test]
async fn status_takes_the_key_from_a_header_or_the_body() {
    // More status calls on one transaction than Intech allows a minute.
    let config = SandboxConfig {
        status_limit: 10,
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let body = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    // An operation with the key in the header only.
    let mut no_key = body.clone();
    no_key.as_object_mut().unwrap().remove("apiKey");
    let accepted = sb
        .post_raw(
            "/api-services/operation",
            no_key.to_string().into_bytes(),
            &[("Secretkey", KEY.into())],
        )
        .await;
    assert_eq!(accepted.json()["code"], 2000, "{}", accepted.text);
    let ext = ext_of(&body);
    let query = json!({"externalTransactionId": ext})
        .to_string()
        .into_bytes();
    let status = |headers: Vec<(&'static str, String)>, body: Vec<u8>| {
        let sb = &sb;
        async move {
            sb.post_raw("/api-services/get-transaction-status", body, &headers)
                .await
        }
    };
    // The March 2024 server reads the `Secretkey` header alone; the later one also
    // `secret-key` and the body's `apiKey`.
    for headers in [
        vec![("Secretkey", KEY.to_owned())],
        vec![("secretkey", KEY.to_owned())],
        vec![("secret-key", KEY.to_owned())],
    ] {
        let reply = status(headers.clone(), query.clone()).await;
        assert_eq!(
            (reply.status, reply.json()["code"].clone()),
            (201, json!(2000)),
            "{headers:?}"
        );
    }
    let with_body_key = json!({"externalTransactionId": ext, "apiKey": KEY});
    let reply = status(vec![], with_body_key.to_string().into_bytes()).await;
    assert_eq!(reply.json()["code"], 2000);
    assert_eq!(sb.record(&ext).await["statusCalls"], 4);
    // Neither, or a wrong one: the bad-key reply, and the call is not counted.
    let reply = status(vec![], query.clone()).await;
    assert_eq!((reply.status, reply.json()), (201, auth_needed()));
    let reply = status(vec![("Secretkey", "nope".into())], query).await;
    assert_eq!(reply.json(), auth_needed());
    assert_eq!(sb.record(&ext).await["statusCalls"], 4);
    // Every other POST takes the header too.
    let bills = sb
        .post_raw(
            "/api-services/list-pending-bills",
            json!({"codeService": "SENELEC_SN_BILL_PAY", "billAccountNumber": "21050176021"})
                .to_string()
                .into_bytes(),
            &[("Secretkey", KEY.into())],
        )
        .await;
    assert_eq!(bills.json()["code"], 2000);
    let no_key = sb
        .post_raw(
            "/api-services/list-pending-bills",
            json!({"codeService": "SENELEC_SN_BILL_PAY", "billAccountNumber": "21050176021"})
                .to_string()
                .into_bytes(),
            &[],
        )
        .await;
    assert_eq!(
        no_key.json(),
        json!({"code": 4000, "msg": "Non authentifié", "error": true, "data": {}})
    );
    sb.stop().await;
}

#[tokio::test]
async fn woyofal_answers_success_at_once_and_other_reloads_a_message() {
    let sb = Sandbox::start(fast()).await;
    let receiver = Receiver::start(&[]).await;
    let mut woyofal = cash_in("WOYOFAL_SN_BILL_RELOAD", "772450000", 2000, &receiver.url);
    woyofal["billAccountNumber"] = json!("14161234567");
    let json = sb.operation(woyofal.clone()).await.json();
    assert_eq!(json["code"], 2000);
    let data = &json["data"];
    assert_eq!(data["status"], "SUCCESS");
    let code = data["woyofalCode"].as_str().unwrap();
    assert!(
        code.len() == 20 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    assert_eq!(data["woyofalKwh"], 20.0);
    let message = data["notificationMessage"].as_str().unwrap();
    let grouped = format!(
        "{} {} {} {} {}",
        &code[..4],
        &code[4..8],
        &code[8..12],
        &code[12..16],
        &code[16..]
    );
    assert!(
        message.contains(&grouped) && message.contains("14161234567"),
        "{message}"
    );
    // Final already: the record, the balance and the callback.
    assert_eq!(sb.record(&ext_of(&woyofal)).await["status"], "SUCCESS");
    assert_eq!(sb.balance().await, 248_000.0);
    let callback = receiver.wait(1).await.remove(0);
    assert_eq!(callback["status"], "SUCCESS");

    for code in ["RAPIDO_SN_BILL_RELOAD", "XEWEUL_SN_BILL_RELOAD"] {
        let mut reload = cash_in(code, "772450000", 1000, DEAD);
        reload["billAccountNumber"] = json!("7001234567");
        let data = sb.operation(reload).await.json()["data"].clone();
        assert_eq!(data["status"], "PENDING", "{code}");
        assert!(
            data["notificationMessage"]
                .as_str()
                .unwrap()
                .contains("7001234567")
        );
        assert!(data.get("woyofalCode").is_none() && data.get("woyofalKwh").is_none());
    }
    sb.stop().await;
}

#[tokio::test]
async fn an_identical_operation_within_the_window_is_refused() {
    let config = SandboxConfig {
        duplicate_window: Some(DUPLICATE_WINDOW),
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let first = cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1000, DEAD);
    assert_eq!(sb.operation(first).await.json()["code"], 2000);
    // The same service, phone (in any form) and amount, another externalTransactionId.
    let again = cash_in("ORANGE_SN_API_CASH_IN", "+221772450000", 1000, DEAD);
    let refused = sb.operation(again.clone()).await;
    assert_eq!(refused.status, 201);
    assert_eq!(
        refused.json(),
        json!({"code": 4000, "error": true, "data": {},
               "msg": "Vous venez de faire le meme transaction en moins d'une minute d'interval sur intech api"})
    );
    assert!(
        sb.records(Some(&ext_of(&again))).await.is_empty(),
        "nothing created"
    );
    // Any difference is another transaction.
    for body in [
        cash_in("ORANGE_SN_API_CASH_IN", "772450000", 1050, DEAD),
        cash_in("ORANGE_SN_API_CASH_IN", "772450001", 1000, DEAD),
        cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 1000, DEAD),
    ] {
        assert_eq!(sb.operation(body).await.json()["code"], 2000);
    }
    assert_eq!(sb.records(None).await.len(), 4);
    sb.stop().await;
}

#[test]
fn the_duplicate_window_slides_from_each_creation() {
    let mut st = state::State::new(0.0);
    let key = || state::DuplicateKey {
        service: "ORANGE_SN_API_CASH_IN",
        phone: "772450000".into(),
        amount: 1000,
    };
    let start = tokio::time::Instant::now();
    let window = Duration::from_secs(60);
    assert!(!st.same_operation_within(key(), start, window));
    assert!(st.same_operation_within(key(), start + Duration::from_secs(59), window));
    // A refusal is not a creation: the window still runs from the first.
    assert!(!st.same_operation_within(key(), start + window, window));
    assert!(st.same_operation_within(key(), start + Duration::from_secs(100), window));
    let other = state::DuplicateKey {
        amount: 1005,
        ..key()
    };
    assert!(!st.same_operation_within(other, start + Duration::from_secs(100), window));
}

#[tokio::test]
async fn a_test_account_cannot_send_more_than_300_xof() {
    let config = SandboxConfig {
        test_account: true,
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let small = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 300, DEAD);
    assert_eq!(sb.operation(small).await.json()["code"], 2000);
    let big = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 301, DEAD);
    let refused = sb.operation(big).await.json();
    assert_eq!(
        refused,
        json!({"code": 4000, "error": true, "data": {},
               "msg": "Le compte n'est pas autorisé a faire des transaction au dela de 300 CFA, Veuillez contacter le support pour faire des transaction en production"})
    );
    // The limit is on the amount in XOF: 5 000 GNF are 389 XOF.
    let mut gnf = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 5000, DEAD);
    gnf["currency"] = json!("GNF");
    assert_eq!(sb.operation(gnf).await.json()["code"], 4000);
    assert_eq!(sb.records(None).await.len(), 1);
    sb.stop().await;
}

#[tokio::test]
async fn exceptions_give_the_servers_500_envelope() {
    let sb = Sandbox::start(fast()).await;
    // An unsupported currency throws before anything is created.
    let mut euros = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 1000, DEAD);
    euros["currency"] = json!("EUR");
    let reply = sb.operation(euros.clone()).await;
    assert_eq!(reply.status, 500);
    assert!(reply.content_type().starts_with("application/json"));
    assert_eq!(
        reply.json(),
        json!({"code": 500, "error": true, "msg": "Une erreur est survenue",
               "_msg": "Currency est invalide' EUR-XOF", "_d": null, "data": {}, "path": ""})
    );
    assert!(sb.records(None).await.is_empty());
    // …89: the same envelope once the transaction exists; it then goes its way.
    let thrown = cash_in("FREE_SN_WALLET_CASH_IN", "762450089", 1000, DEAD);
    let reply = sb.operation(thrown.clone()).await;
    assert_eq!(reply.status, 500);
    let json = reply.json();
    assert_eq!(
        (
            json["code"].clone(),
            json["msg"].clone(),
            json["data"].clone()
        ),
        (json!(500), json!("Une erreur est survenue"), json!({}))
    );
    sb.wait_status(&ext_of(&thrown), "SUCCESS").await;
    sb.stop().await;
}

#[tokio::test]
async fn named_refusals_service_down_and_claims() {
    let sb = Sandbox::start(fast()).await;
    // …87: SERVICE_DOWN, nothing created, no transactionId.
    let down = cash_in("FREE_SN_WALLET_CASH_IN", "762450087", 1000, DEAD);
    let json = sb.operation(down.clone()).await.json();
    assert_eq!(
        (
            json["code"].clone(),
            json["error"].clone(),
            json["msg"].clone()
        ),
        (
            json!(4000),
            json!(true),
            json!("Le services est indisponible pour le moment(pho)")
        )
    );
    assert_eq!(json["data"]["transactionId"], Value::Null);
    assert_eq!(json["data"]["status"], "FAILLED");
    assert_eq!(
        json["data"]["externalTransactionId"],
        ext_of(&down).as_str()
    );
    assert!(sb.records(None).await.is_empty());

    // Claims: an unknown transaction, then one claim per transaction.
    let claim = |tid: Value| {
        sb.post(
            "/api-services/new-claim",
            json!({"subject": "", "message": null, "transactionId": tid}),
        )
    };
    let not_found =
        json!({"code": 4000, "msg": "La transaction est introuvable", "error": true, "data": {}});
    assert_eq!(claim(json!("T1")).await.json(), not_found);
    assert_eq!(claim(Value::Null).await.json(), not_found);
    let body = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 1000, DEAD);
    let tid = sb.operation(body).await.json()["data"]["transactionId"].clone();
    // Subject and message are not checked.
    let opened = claim(tid.clone()).await.json();
    assert_eq!(opened["code"], 2000, "{opened}");
    assert_eq!(opened["data"]["claim"]["subject"], "");
    assert_eq!(
        claim(tid).await.json(),
        json!({"code": 4000, "msg": "Une reclamation est deja en cours pour cette transaction",
               "error": true, "data": {}})
    );
    sb.stop().await;
}

#[test]
fn callback_urls_must_be_https_outside_the_loopback() {
    for (url, ok) in [
        ("https://shop.example.sn/cb", true),
        ("https://callback.invalid/caisse", true),
        ("http://127.0.0.1:9/cb", true),
        ("http://127.8.9.10/cb", true),
        ("http://localhost:8080/cb", true),
        ("http://[::1]:8080/cb", true),
        ("http://shop.example.sn/cb", false),
        ("http://10.0.0.5/cb", false),
        ("ftp://shop.example.sn/cb", false),
        ("shop.example.sn/cb", false),
    ] {
        assert_eq!(rules::check_callback_url(url).is_ok(), ok, "{url}");
    }
}

#[tokio::test]
async fn currencies_redirects_and_card_fields() {
    let sb = Sandbox::start(fast()).await;
    // A payout in Guinean francs: converted at the server's rate, both amounts echoed.
    let mut gnf = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 12_842, DEAD);
    gnf["currency"] = json!("gnf");
    let data = sb.operation(gnf.clone()).await.json()["data"].clone();
    assert_eq!(
        (
            data["amount"].clone(),
            data["currency"].clone(),
            data["amountXof"].clone(),
            data["amountInCurrency"].clone()
        ),
        (json!(12_842), json!("GNF"), json!(1000), json!(12_842))
    );
    assert_eq!(sb.record(&ext_of(&gnf)).await["amount"], 1000);
    for (code, amount, xof) in [
        ("GMD", 80, 1001),
        ("SLL", 22_317, 1000),
        ("MAD", 162, 10_000),
    ] {
        let mut body = cash_in("FREE_SN_WALLET_CASH_IN", "762450000", amount, DEAD);
        body["currency"] = json!(code);
        let data = sb.operation(body).await.json()["data"].clone();
        assert_eq!(data["amountXof"], xof, "{code}");
    }
    // Without `currency`: XOF.
    let data = sb
        .operation(cash_in("FREE_SN_WALLET_CASH_IN", "762450000", 500, DEAD))
        .await
        .json()["data"]
        .clone();
    assert_eq!(
        (data["currency"].clone(), data["amountXof"].clone()),
        (json!("XOF"), json!(500))
    );

    // Redirect URLs: required for Orange CI's cash-out, and must be URLs.
    let mut orange_ci = cash_in("ORANGE_CI_API_CASH_OUT", "0701020304", 1000, DEAD);
    let json = sb.operation(orange_ci.clone()).await.json();
    assert!(
        json["data"]["successRedirectUrl"].is_array()
            && json["data"]["errorRedirectUrl"].is_array()
    );
    orange_ci["successRedirectUrl"] = json!("pas une url");
    orange_ci["errorRedirectUrl"] = json!("https://e.sn/ko");
    let json = sb.operation(orange_ci.clone()).await.json();
    assert_eq!(
        json["data"]["successRedirectUrl"],
        json!(["successRedirectUrl doit être un URL"])
    );
    orange_ci["successRedirectUrl"] = json!("https://e.sn/ok");
    assert_eq!(sb.operation(orange_ci).await.json()["code"], 2000);

    // Card: cardType among three, merchantName letters only (3 to 15), a description of
    // at least 20 characters when one is sent.
    let card = || {
        let mut card = cash_in("BANK_CARD_API_CASH_OUT", "+221772450000", 1000, DEAD);
        for (k, v) in [
            ("customerFirstName", "Moussa"),
            ("customerLastName", "Ndour"),
            ("cardNumber", "4111111111111111"),
            ("cardExpireMonth", "09"),
            ("cardExpireYear", "29"),
            ("cardCVC", "123"),
            ("cardType", "MASTERCARD"),
            ("merchantName", "Caisse"),
            ("operationDescription", "Paiement au comptoir Caisse"),
            ("bankAuthRedirectUrl", "https://e.sn/3ds"),
            ("successRedirectUrl", "https://e.sn/ok"),
            ("errorRedirectUrl", "https://e.sn/ko"),
        ] {
            card[k] = json!(v);
        }
        card
    };
    assert_eq!(sb.operation(card()).await.json()["code"], 2000);
    for (field, value) in [
        ("cardType", json!("AMEX")),
        ("merchantName", json!("Boutique Awa")),
        ("merchantName", json!("Ab")),
        ("merchantName", json!("Boutiquedelamadeleine")),
        ("merchantName", Value::Null),
        ("operationDescription", json!("Trop court")),
    ] {
        let mut body = card();
        body[field] = value.clone();
        let json = sb.operation(body).await.json();
        assert_eq!(json["code"], 4000, "{field} = {value}");
        assert!(json["data"][field].is_array(), "{field} = {value}: {json}");
    }
    // Left out, the description is tolerated (clients from before the server was read).
    let mut without = card();
    without
        .as_object_mut()
        .unwrap()
        .remove("operationDescription");
    assert_eq!(sb.operation(without).await.json()["code"], 2000);
    let mut transfer = cash_in("BANK_TRANSFER_SN_API_CASH_IN", "221772450000", 1000, DEAD);
    for (k, v) in [
        ("customerFirstName", "Moussa"),
        ("customerLastName", "Ndour"),
        ("rib", "SN012 01201 036182616601 38"),
        ("operationDescription", "Virement"),
    ] {
        transfer[k] = json!(v);
    }
    assert!(sb.operation(transfer).await.json()["data"]["operationDescription"].is_array());
    sb.stop().await;
}

#[tokio::test]
async fn intram_confirm_details_error_and_refunded() {
    let sb = Sandbox::start(fast()).await;
    let receiver = Receiver::start(&[]).await;
    let pending = intram_request(&sb, 10_000, &receiver.url).await;
    let id = pending["transaction_id"].as_str().unwrap().to_owned();
    let before = intram_confirm(&sb, &id).await.json();
    assert_eq!(
        (
            before["amount"].clone(),
            before["fees"].clone(),
            before["net_amount"].clone(),
            before["account_number"].clone(),
            before["source"].clone()
        ),
        (
            json!(10_000),
            json!(200),
            json!(9_800),
            Value::Null,
            Value::Null
        )
    );
    // The customer pays with a Moov number of Côte d'Ivoire.
    let url = format!(
        "{}/sandbox/customer/{id}/approve?phone=%2B2250102030400",
        sb.url
    );
    let approved = reply(sb.http.post(url).send().await.unwrap()).await;
    assert_eq!(approved.json()["status"], "SUCCESS");
    let paid = intram_confirm(&sb, &id).await.json();
    assert_eq!(paid["status"], "SUCCESS");
    assert_eq!(paid["account_number"], "2250102030400");
    assert_eq!(paid["source"], "MOOV");
    assert_eq!(paid["customer"]["phone"], "+2250102030400");
    assert!(paid["customer"]["name"].is_string());

    // …85: the operator's error, from the payment page's form.
    let failing = intram_request(&sb, 1000, &receiver.url).await["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let form = sb
        .http
        .post(format!("{}/sandbox/customer/{failing}/approve", sb.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("phone=772450085")
        .send()
        .await
        .unwrap();
    // A form gets a page back.
    let form = reply(form).await;
    assert_eq!(form.status, 200);
    assert!(
        form.text.contains("<strong>ERROR</strong>"),
        "{}",
        form.text
    );
    let error = intram_confirm(&sb, &failing).await.json();
    assert_eq!(
        (error["status"].clone(), error["source"].clone()),
        (json!("ERROR"), json!("ORANGE"))
    );
    assert_eq!(sb.customer(&failing, "approve").await.status, 409);

    // …86: paid, then refunded (SUCCESS, then REFUNDED, each with its callback).
    let reversed = intram_request(&sb, 1000, &receiver.url).await["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!(
        "{}/sandbox/customer/{reversed}/approve?phone=762450086",
        sb.url
    );
    assert_eq!(
        reply(sb.http.post(url).send().await.unwrap()).await.json()["status"],
        "SUCCESS"
    );
    let deadline = Instant::now() + WAIT;
    while intram_confirm(&sb, &reversed).await.json()["status"] != "REFUNDED" {
        assert!(Instant::now() < deadline, "never REFUNDED");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let statuses: Vec<Value> = receiver
        .wait(4)
        .await
        .iter()
        .map(|c| c["status"].clone())
        .collect();
    assert_eq!(
        statuses,
        [
            json!("SUCCESS"),
            json!("ERROR"),
            json!("SUCCESS"),
            json!("REFUNDED")
        ]
    );
    sb.stop().await;
}

#[tokio::test]
async fn intram_errors_with_http_200_on_request() {
    let config = SandboxConfig {
        intram_errors_http_200: true,
        ..fast()
    };
    let sb = Sandbox::start(config).await;
    let refused = sb
        .http
        .post(format!("{}/api/v1/payments/request", sb.url))
        .header("X-API-KEY", "wrong")
        .json(&json!({"invoice": {"amount": 1000}}))
        .send()
        .await
        .unwrap();
    let refused = reply(refused).await;
    assert_eq!(
        (refused.status, refused.json()),
        (
            200,
            json!({"error": true, "status": "ERROR", "message": "Invalid API keys"})
        )
    );
    sb.stop().await;
}

// ---------------------------------------------------------------------------------------
// Pure rules

#[test]
fn phone_rules() {
    let svc = |code| crate::catalog::services::find(code).unwrap();
    let ok = |code, phone: &str| rules::check_phone(svc(code), phone);
    assert_eq!(ok("WAVE_SN_API_CASH_IN", "772457199").unwrap(), "772457199");
    assert_eq!(
        ok("WAVE_SN_API_CASH_IN", "221772457199").unwrap(),
        "772457199"
    );
    assert_eq!(
        ok("WAVE_SN_API_CASH_IN", "+221772457199").unwrap(),
        "772457199"
    );
    for bad in [
        "+772457199",
        "712457199",
        "77245719",
        "7724571990",
        "77 245 71 99",
        "",
    ] {
        assert!(ok("WAVE_SN_API_CASH_IN", bad).is_err(), "{bad}");
    }
    assert_eq!(
        ok("MTN_CI_API_CASH_IN", "0701020304").unwrap(),
        "0701020304"
    );
    assert_eq!(
        ok("MTN_CI_API_CASH_IN", "+2250501020304").unwrap(),
        "0501020304"
    );
    assert!(ok("MTN_CI_API_CASH_IN", "0201020304").is_err());
    assert!(ok("MTN_CI_API_CASH_IN", "772457199").is_err());
    for code in [
        "WHATSAPP_MESSAGING",
        "BANK_CARD_API_CASH_OUT",
        "BANK_TRANSFER_SN_API_CASH_IN",
    ] {
        assert!(ok(code, "772457199").is_err(), "{code}");
        assert_eq!(ok(code, "+221772457199").unwrap(), "772457199");
        assert_eq!(ok(code, "221772457199").unwrap(), "772457199");
        assert_eq!(ok(code, "+2250701020304").unwrap(), "0701020304");
    }
}

#[test]
fn outcomes_amounts_and_catalogue_entries() {
    use rules::Outcome::*;
    for (phone, outcome) in [
        ("772457187", ServiceDown),
        ("772457188", AutoApprove),
        ("772457189", Exception),
        ("772457191", CustomerWithoutFunds),
        ("772457192", UnknownNumber),
        ("772457193", OperatorDown),
        ("772457194", SlowReply),
        ("772457195", NeverAnswered),
        ("772457196", ServerError),
        ("772457197", TruncatedReply),
        ("772457198", CallbackFirst),
        ("772457199", Normal),
        ("772457190", Normal),
    ] {
        assert_eq!(rules::Outcome::from_phone(phone), outcome, "{phone}");
    }
    let refusal = |code, amount| rules::amount_refusal(code, amount).map(|e| e.code);
    assert_eq!(refusal("WAVE_SN_API_CASH_IN", 1001), Some("bad_amount_5"));
    assert_eq!(refusal("WAVE_CI_API_CASH_IN", 1005), None);
    assert_eq!(
        refusal("ORANGE_CI_API_CASH_OUT", 1025),
        Some("bad_amount_50")
    );
    assert_eq!(
        refusal("ORANGE_SN_AIRTIME_CREDIT_TELEPHONIQUE", 1050),
        Some("bad_amount_100")
    );
    assert_eq!(refusal("MTN_CI_AIRTIME_CREDIT_TELEPHONIQUE", 1000), None);
    assert_eq!(refusal("FREE_SN_WALLET_CASH_IN", 1001), None);
    // Every catalogue entry the sandbox names exists (no silent fallback to unknown_error).
    for id in [1, 2, 4, 9, 26, 28, 37, 38] {
        assert!(crate::catalog::errors::by_id(id).is_some(), "{id}");
    }
    for code in [
        "no_mtn_account",
        "whatsapp_user_not_found",
        "invalid_phone_number",
        "operator_down_time",
        "balance_check_failed",
        "bad_amount_5",
        "bad_amount_50",
        "bad_amount_100",
        "unknown_error",
    ] {
        assert!(crate::catalog::errors::by_code(code).is_some(), "{code}");
    }
    assert_eq!(rules::error_by_id(9).code, "no_om_account");
    assert!(rules::is_account_number("ABC12") && !rules::is_account_number("ABC-2345"));
    assert!(!rules::is_account_number("1234") && !rules::is_account_number(&"1".repeat(21)));
    assert_eq!(moneygram::send_fee(3000), 90);
    assert_eq!(moneygram::send_fee(1250), 38);
}

#[test]
fn ids_are_unique_and_well_formed() {
    let mut st = state::State::new(0.0);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..10_000 {
        let id = st.new_intech_id();
        assert!(id.len() == 13 && !id.starts_with('0'), "{id}");
        assert!(seen.insert(id));
    }
    let (_, claim) = st.new_claim();
    assert!(claim.len() == 15 && claim[1..].bytes().all(|b| b.is_ascii_digit()));
    let intram = st.new_intram_id();
    assert_eq!(intram.len(), 24);
    assert_eq!(state::tid_key(&json!("T123")).as_deref(), Some("123"));
    assert_eq!(state::tid_key(&json!(123)).as_deref(), Some("123"));
}

#[test]
fn public_url_uses_loopback_for_unspecified_addresses() {
    assert_eq!(
        public_url("0.0.0.0:8085".parse().unwrap()),
        "http://127.0.0.1:8085"
    );
    assert_eq!(
        public_url("127.0.0.1:80".parse().unwrap()),
        "http://127.0.0.1:80"
    );
    assert_eq!(
        public_url("[::]:8085".parse().unwrap()),
        "http://[::1]:8085"
    );
}

#[test]
fn the_banner_names_the_urls_and_hides_a_real_key() {
    let demo = banner("http://127.0.0.1:8085", &SandboxConfig::default());
    assert!(demo.contains("http://127.0.0.1:8085/api-services"));
    assert!(demo.contains("demo-intech-key"));
    assert!(demo.contains("…94") && demo.contains("…98"));
    let real = SandboxConfig {
        api_key: "secret-key-123".into(),
        ..SandboxConfig::default()
    };
    assert!(!banner("http://127.0.0.1:8085", &real).contains("secret-key-123"));
}

#[test]
fn args_give_the_config() {
    use clap::Parser;
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: SandboxArgs,
    }
    let cli = Cli::parse_from([
        "caisse",
        "--processing-ms",
        "5",
        "--hmac-secret",
        "s",
        "--listen",
        "0.0.0.0:9000",
    ]);
    let config = cli.args.config();
    assert_eq!(config.processing_delay, Duration::from_millis(5));
    assert_eq!(config.hmac_secret.as_deref(), Some("s"));
    assert_eq!(config.initial_balance, 250_000.0);
    assert_eq!(cli.args.listen(), "0.0.0.0:9000".parse().unwrap());
    assert_eq!(config.status_limit, 3);
    // `caisse sandbox` refuses identical operations within a minute unless told otherwise.
    assert_eq!(config.duplicate_window, Some(DUPLICATE_WINDOW));
    assert!(!config.nested_bills && !config.test_account && !config.intram_errors_http_200);
    let cli = Cli::parse_from([
        "caisse",
        "--duplicate-window-secs",
        "0",
        "--nested-bills",
        "--test-account",
        "--intram-errors-http-200",
    ]);
    let config = cli.args.config();
    assert_eq!(config.duplicate_window, None);
    assert!(config.nested_bills && config.test_account && config.intram_errors_http_200);
    // The library's default (demo mode, tests) leaves the duplicate rule off.
    assert_eq!(SandboxConfig::default().duplicate_window, None);
}
