//! Cashier sessions against the real `caisse serve` (demo mode: its own sandbox), over its
//! real Unix socket, with the library's client: the login and its lock-out, the Unix user
//! mapped to a cashier (peer credentials), supervisor-only actions, login tokens, garbage
//! on the socket, the service going away and coming back, and 20 terminals selling at once
//! into one journal.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use caisse::domain::{OpKind, TxStatus};
use caisse::engine::PayOrder;
use caisse::journal::Journal;
use caisse::session::{Link, LinkEvent, LoginNeed, Request, Response, problem::SERVICE_DOWN};
use caisse::staff::Role;

mod support;
use service::{Service, start};
use support::service;

async fn connect(
    service: &Service,
    terminal: &str,
) -> (Link, tokio::sync::broadcast::Receiver<LinkEvent>, LoginNeed) {
    let link = Link::remote(service.socket.clone(), terminal.into());
    let mut events = link.subscribe();
    link.start(terminal.into());
    let need = wait_up(&mut events).await;
    (link, events, need)
}

async fn wait_up(events: &mut tokio::sync::broadcast::Receiver<LinkEvent>) -> LoginNeed {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Ok(LinkEvent::Up { welcome, .. }) = events.recv().await {
                return welcome.login;
            }
        }
    })
    .await
    .expect("the link comes up")
}

async fn login(link: &Link, name: &str, pin: &str) -> Response {
    link.call(Request::Login {
        name: Some(name.into()),
        pin: pin.into(),
    })
    .await
}

fn order(service: &str, phone: &str, amount: i64) -> PayOrder {
    PayOrder {
        gateway: caisse::domain::GatewayKind::Intech,
        service: service.into(),
        phone: Some(phone.into()),
        amount: Some(amount),
        fields: Default::default(),
        description: None,
    }
}

async fn wait_status(link: &Link, id: &str, status: TxStatus) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Response::Row(Some(row)) = link
            .call(Request::Get {
                external_id: id.into(),
            })
            .await
            && row.status == status
        {
            return;
        }
        assert!(Instant::now() < deadline, "{id} never became {status:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn error_of(r: &Response) -> String {
    r.error().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn nothing_before_login_and_five_wrong_pins_lock_the_cashier_out() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), None);
    let (link, _events, need) = connect(&service, "pts/7").await;
    assert_eq!(need, LoginNeed::NameAndPin);
    let r = link
        .call(Request::Pay {
            order: order("WAVE_SN_API_CASH_IN", "772450000", 1000),
            external_id: None,
            allow_duplicate: false,
        })
        .await;
    assert!(matches!(r, Response::Denied(_)), "{r:?}");
    assert!(error_of(&r).contains("connectez-vous"));
    for left in (1..=4).rev() {
        let r = login(&link, "awa", "0000").await;
        assert!(
            error_of(&r).contains(&format!("encore {left} essai")),
            "{r:?}"
        );
    }
    let r = login(&link, "awa", "0000").await;
    assert!(error_of(&r).contains("bloqué jusqu'à"), "{r:?}");
    // The right PIN is refused too, from any terminal of this Unix user, for five minutes.
    let (other, _e, _) = connect(&service, "pts/8").await;
    let r = login(&other, "awa", "1234").await;
    assert!(error_of(&r).contains("bloqué jusqu'à"), "{r:?}");
    // Other cashiers are not affected.
    assert!(matches!(
        login(&other, "chef", "9999").await,
        Response::LoggedIn { .. }
    ));
    let journal = Journal::open(&service.db).unwrap();
    let locked = journal.events_of_kind("pin_locked", 10).unwrap();
    assert_eq!(locked.len(), 1);
    assert_eq!(
        (locked[0].cashier.as_str(), locked[0].terminal.as_str()),
        ("awa", "pts/7")
    );
    let refused = journal.events_of_kind("login_refused", 10).unwrap();
    assert_eq!(refused.len(), 6, "every refusal is in the journal");
    let me = caisse::session::peer::user_name(caisse::session::peer::current_uid());
    assert_eq!(
        refused[0].detail["unixUser"],
        me.as_str(),
        "from the peer credentials"
    );
}

#[tokio::test]
async fn a_mapped_unix_user_types_only_the_pin() {
    let dir = tempfile::tempdir().unwrap();
    let me = caisse::session::peer::user_name(caisse::session::peer::current_uid());
    let service = start(
        dir.path(),
        Some(&format!("[kiosk.users]\n\"{me}\" = \"awa\"\n")),
    );
    let (link, _events, need) = connect(&service, "ssh:10.0.0.7").await;
    assert_eq!(need, LoginNeed::Pin("awa".into()));
    // The name sent is ignored: the Unix user is awa, whatever it claims.
    let r = link
        .call(Request::Login {
            name: Some("chef".into()),
            pin: "9999".into(),
        })
        .await;
    assert!(
        error_of(&r).starts_with("nom ou code PIN incorrect"),
        "{r:?}"
    );
    let r = link
        .call(Request::Login {
            name: None,
            pin: "1234".into(),
        })
        .await;
    let Response::LoggedIn { cashier, .. } = r else {
        panic!("{r:?}")
    };
    assert_eq!(
        (cashier.name.as_str(), cashier.role),
        ("awa", Role::Cashier)
    );
}

#[tokio::test]
async fn refunds_and_cashier_accounts_are_for_supervisors() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), None);
    let (link, _events, _) = connect(&service, "pts/3").await;
    assert!(matches!(
        login(&link, "awa", "1234").await,
        Response::LoggedIn { .. }
    ));
    // A cash-out the customer approves on their own (…88).
    let Response::Paid(outcome) = link
        .call(Request::Pay {
            order: order("WAVE_SN_API_CASH_OUT", "772450088", 1500),
            external_id: None,
            allow_duplicate: false,
        })
        .await
    else {
        panic!("paid")
    };
    assert_eq!(outcome.operation.cashier, "awa");
    assert_eq!(outcome.operation.terminal, "pts/3");
    let id = outcome.operation.external_id.clone();
    wait_status(&link, &id, TxStatus::Success).await;
    let refund = |pin: Option<&str>| Request::Refund {
        external_id: id.clone(),
        supervisor_pin: pin.map(Into::into),
        refund_id: None,
    };
    let r = link.call(refund(None)).await;
    assert!(error_of(&r).contains("réservé au superviseur"), "{r:?}");
    let r = link.call(refund(Some("1234"))).await;
    assert!(error_of(&r).contains("code superviseur incorrect"), "{r:?}");
    let r = link
        .call(Request::AddCashier {
            name: "moussa".into(),
            role: Role::Supervisor,
            pin: "5555".into(),
        })
        .await;
    assert!(error_of(&r).contains("réservé au superviseur"), "{r:?}");
    assert!(matches!(
        link.call(Request::ListCashiers).await,
        Response::Denied(_)
    ));
    let r = link.call(refund(Some("9999"))).await;
    assert!(
        matches!(&r, Response::Refunded(done) if done.outcome == caisse::domain::Outcome::Accepted),
        "{r:?}"
    );
    wait_status(&link, &id, TxStatus::Refunded).await;
    let journal = Journal::open(&service.db).unwrap();
    let refund_event = journal
        .events(&id)
        .unwrap()
        .into_iter()
        .find(|e| e.kind == "refund")
        .expect("a refund event");
    assert_eq!(
        (
            refund_event.cashier.as_str(),
            refund_event.terminal.as_str()
        ),
        ("chef", "pts/3"),
        "the refund is recorded as the supervisor's, at this counter"
    );
    // A supervisor manages the accounts.
    let (boss, _e, _) = connect(&service, "pts/4").await;
    assert!(matches!(
        login(&boss, "chef", "9999").await,
        Response::LoggedIn { .. }
    ));
    let add = boss
        .call(Request::AddCashier {
            name: "moussa".into(),
            role: Role::Cashier,
            pin: "5555".into(),
        })
        .await;
    assert_eq!(add, Response::Done);
    assert_eq!(
        boss.call(Request::DisableCashier { name: "awa".into() })
            .await,
        Response::Done
    );
    let Response::Cashiers(list) = boss.call(Request::ListCashiers).await else {
        panic!("a list")
    };
    let names: Vec<(String, bool)> = list.into_iter().map(|c| (c.name, c.disabled)).collect();
    assert_eq!(
        names,
        vec![
            ("awa".into(), true),
            ("chef".into(), false),
            ("moussa".into(), false)
        ]
    );
    // The journal screen: a cashier sees their own sales, a supervisor everyone's.
    let Response::Rows(rows) = boss.call(Request::Journal { since: 0 }).await else {
        panic!("rows")
    };
    // The sale (now refunded) and its refund, an operation of its own.
    let kinds: Vec<(OpKind, TxStatus)> = rows.iter().map(|r| (r.kind, r.status)).collect();
    assert_eq!(
        kinds,
        [
            (OpKind::Refund, TxStatus::Success),
            (OpKind::Payment, TxStatus::Refunded)
        ]
    );
    let (m, _e, _) = connect(&service, "pts/5").await;
    assert!(matches!(
        login(&m, "moussa", "5555").await,
        Response::LoggedIn { .. }
    ));
    assert_eq!(
        m.call(Request::Journal { since: 0 }).await,
        Response::Rows(vec![])
    );
}

#[tokio::test]
async fn garbage_and_forged_tokens_on_the_socket_are_refused() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), None);
    let stream = tokio::net::UnixStream::connect(&service.socket)
        .await
        .unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = tokio::io::BufReader::new(read).lines();
    let mut next = async || -> serde_json::Value {
        loop {
            let line = lines.next_line().await.unwrap().expect("a line");
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            if v.get("Reply").is_some() {
                return v["Reply"].clone();
            }
        }
    };
    write.write_all(b"this is not json\n").await.unwrap();
    let r = next().await;
    // The socket carries a kind, never a sentence to parse; the app words it.
    assert_eq!(r["response"]["Error"], "BadRequest", "{r}");
    write
        .write_all(b"{\"id\":1,\"request\":{\"Resume\":{\"token\":\"0123456789abcdef\"}}}\n")
        .await
        .unwrap();
    let r = next().await;
    assert_eq!(r["id"], 1);
    assert_eq!(r["response"]["Denied"], "SessionExpired", "{r}");
    write
        .write_all(b"{\"id\":2,\"request\":\"ListCashiers\"}\n")
        .await
        .unwrap();
    let r = next().await;
    assert_eq!(r["response"]["Denied"], "NotLoggedIn", "{r}");

    // A real token resumes on a second connection of the same Unix user.
    let (link, _e, _) = connect(&service, "pts/1").await;
    let Response::LoggedIn { token, .. } = login(&link, "awa", "1234").await else {
        panic!("login")
    };
    let line = format!("{{\"id\":3,\"request\":{{\"Resume\":{{\"token\":\"{token}\"}}}}}}\n");
    write.write_all(line.as_bytes()).await.unwrap();
    let r = next().await;
    assert_eq!(r["response"]["LoggedIn"]["cashier"]["name"], "awa", "{r}");
}

#[tokio::test]
async fn the_service_going_away_is_said_and_the_app_reconnects() {
    let dir = tempfile::tempdir().unwrap();
    let mut service = start(dir.path(), None);
    let (link, mut events, _) = connect(&service, "pts/2").await;
    assert!(matches!(
        login(&link, "awa", "1234").await,
        Response::LoggedIn { .. }
    ));
    // A sale the customer never answers (…95): it stays pending.
    let Response::Paid(outcome) = link
        .call(Request::Pay {
            order: order("WAVE_SN_API_CASH_OUT", "772450095", 2000),
            external_id: None,
            allow_duplicate: false,
        })
        .await
    else {
        panic!("paid")
    };
    unsafe_kill(service.child.id(), 15);
    let _ = service.child.wait();
    let down = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Ok(LinkEvent::Down(m)) = events.recv().await {
                return m;
            }
        }
    })
    .await
    .expect("the app hears the service went away");
    assert_eq!(down, caisse::session::Problem::ServiceDown);
    let r = link.call(Request::PendingCount).await;
    assert_eq!(error_of(&r), SERVICE_DOWN);
    // Back (same journal): the login is asked again, and the unfinished sale is there.
    let service = start(dir.path(), None);
    let need = wait_up(&mut events).await;
    assert_eq!(need, LoginNeed::NameAndPin);
    assert!(matches!(
        link.call(Request::Unseen).await,
        Response::Denied(_)
    ));
    assert!(matches!(
        login(&link, "awa", "1234").await,
        Response::LoggedIn { .. }
    ));
    let Response::Row(Some(row)) = link.call(Request::Unseen).await else {
        panic!("the unfinished sale")
    };
    assert_eq!(row.external_id, outcome.operation.external_id);
    assert_eq!(row.status, TxStatus::Pending);
    assert_eq!(
        link.call(Request::Seen {
            external_id: row.external_id.clone()
        })
        .await,
        Response::Done
    );
    assert_eq!(link.call(Request::Unseen).await, Response::Row(None));
    drop(service);
}

fn unsafe_kill(pid: u32, signal: i32) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_terminals_sell_at_once_into_one_journal() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), None);
    let mut tasks = Vec::new();
    for t in 0..20 {
        let (link, events, _) = connect(&service, &format!("pts/{t}")).await;
        tasks.push(tokio::spawn(async move {
            let _events = events;
            let r = login(&link, "awa", "1234").await;
            assert!(matches!(r, Response::LoggedIn { .. }), "{r:?}");
            let mut ids = Vec::new();
            for s in 0..3 {
                let phone = format!("7724{t:02}{s}00");
                let r = link
                    .call(Request::Pay {
                        order: order("WAVE_SN_API_CASH_IN", &phone, 1000 + 5 * s),
                        external_id: None,
                        allow_duplicate: false,
                    })
                    .await;
                let Response::Paid(outcome) = r else {
                    panic!("terminal {t}: {r:?}")
                };
                assert_eq!(outcome.outcome, caisse::domain::Outcome::Accepted);
                assert_eq!(outcome.operation.terminal, format!("pts/{t}"));
                ids.push(outcome.operation.external_id);
            }
            ids
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.extend(t.await.unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 60);
    let journal = Journal::open(&service.db).unwrap();
    assert_eq!(journal.integrity_check().unwrap(), "ok");
    let rows = journal.list_since(0, 1000).unwrap();
    assert_eq!(rows.len(), 60, "no lost row");
    let terminals: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.terminal.as_str()).collect();
    assert_eq!(terminals.len(), 20);
    // The sandbox saw each operation exactly once.
    let body = http_get(&format!("{}/sandbox/transactions", service.sandbox));
    let sent: serde_json::Value = serde_json::from_str(&body).unwrap();
    let list = sent.as_array().expect("a list");
    assert_eq!(list.len(), 60);
    assert!(
        list.iter().all(|t| t["operationAttempts"] == 1),
        "every operation arrived once: {body}"
    );
}

fn http_get(url: &str) -> String {
    use std::io::Read;
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    let body = reply.split_once("\r\n\r\n").unwrap().1;
    if reply
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        // Undo the chunking.
        let mut out = String::new();
        let mut rest = body;
        while let Some((size, tail)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.push_str(&tail[..n]);
            rest = &tail[n + 2..];
        }
        return out;
    }
    body.to_owned()
}

/// The command line through the service: PIN from a pipe, no configuration read at all.
fn cli(service: &Service, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caisse"))
        .args(args)
        .arg("--socket")
        .arg(&service.socket)
        // A configuration file that does not exist: with a socket it is never opened.
        .env("CAISSE_CONFIG", "/nonexistent/caisse.toml")
        .env_remove("CAISSE_DB")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_command_line_goes_through_the_service_as_a_cashier() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), None);
    let (code, out, err) = cli(&service, &["balance", "--cashier", "awa"], "1234\n");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Solde du compte marchand : 250 000 FCFA"),
        "{out}"
    );
    let (code, _, err) = cli(&service, &["balance", "--cashier", "awa"], "0000\n");
    assert_eq!(code, 2);
    assert!(err.contains("nom ou code PIN incorrect"), "{err}");
    let (code, _, err) = cli(&service, &["balance"], "1234\n");
    assert_eq!(code, 2);
    assert!(err.contains("--cashier NOM"), "{err}");
    let (code, out, err) = cli(
        &service,
        &[
            "pay",
            "--cashier",
            "awa",
            "--service",
            "WAVE_SN_API_CASH_OUT",
            "--phone",
            "772450088",
            "--amount",
            "1500",
        ],
        "1234\n",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Paiement réussi : 1 500 FCFA"), "{out}");
    let (code, out, _) = cli(
        &service,
        &["journal", "--json", "--cashier", "awa"],
        "1234\n",
    );
    assert_eq!(code, 0);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let row = &rows[0];
    assert_eq!(row["cashier"], "awa");
    assert_eq!(row["status"], "SUCCESS");
    // Cashier accounts through the service: supervisors only.
    let (code, _, err) = cli(&service, &["cashier", "list", "--cashier", "awa"], "1234\n");
    assert_eq!(code, 2);
    assert!(err.contains("réservé au superviseur"), "{err}");
    let (code, out, err) = cli(
        &service,
        &[
            "cashier",
            "add",
            "binta",
            "--role",
            "cashier",
            "--cashier",
            "chef",
        ],
        "9999\n4321\n4321\n",
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = cli(
        &service,
        &["cashier", "list", "--cashier", "chef"],
        "9999\n",
    );
    assert_eq!(code, 0);
    assert!(out.contains("binta") && out.contains("caissier"), "{out}");
    let (code, _, err) = cli(&service, &["balance", "--cashier", "binta"], "4321\n");
    assert_eq!(code, 0, "{err}");
    // Commands that need the keys themselves stay on the service's side.
    let (code, _, err) = cli(&service, &["reconcile"], "");
    assert_eq!(code, 3);
    assert!(err.contains("sur le serveur"), "{err}");
}

async fn logged_in(service: &Service, terminal: &str, name: &str, pin: &str) -> (Link, String) {
    let (link, events, _) = connect(service, terminal).await;
    std::mem::forget(events);
    let Response::LoggedIn { token, .. } = login(&link, name, pin).await else {
        panic!("{name} logs in")
    };
    (link, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_supervisors_pin_cannot_be_guessed_from_a_cashiers_seat() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), None);
    let (link, _) = logged_in(&service, "pts/1", "awa", "1234").await;
    // Ten guesses at once: the count lives in the journal, so none slips through.
    let guesses: Vec<_> = (0..10)
        .map(|i| {
            let link = link.clone();
            tokio::spawn(async move {
                link.call(Request::Supervisor {
                    pin: format!("{:04}", 1000 + i).as_str().into(),
                })
                .await
            })
        })
        .collect();
    for g in guesses {
        let r = g.await.unwrap();
        assert!(matches!(r, Response::Denied(_)), "{r:?}");
    }
    // The right PIN is refused now: awa's seat is locked out, from any connection of this
    // Unix user.
    let r = link.call(Request::Supervisor { pin: "9999".into() }).await;
    assert!(error_of(&r).contains("bloqué jusqu'à"), "{r:?}");
    let (other, _e, _) = connect(&service, "pts/2").await;
    assert!(error_of(&login(&other, "awa", "1234").await).contains("bloqué"));
    let journal = Journal::open(&service.db).unwrap();
    let uid = caisse::session::peer::current_uid();
    let now = caisse::gateway::intech::signing::now_ms();
    assert_eq!(
        journal
            .pin_count("chef", uid, &caisse::staff::RULES, now)
            .unwrap(),
        caisse::journal::PinCount::default(),
        "the supervisor's own count is not moved by someone else's guesses"
    );
}

#[tokio::test]
async fn a_disabled_cashier_stops_at_once_and_cannot_resume() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), None);
    let (awa, token) = logged_in(&service, "pts/1", "awa", "1234").await;
    assert!(matches!(
        awa.call(Request::PendingCount).await,
        Response::Unsettled { .. }
    ));
    let (chef, _) = logged_in(&service, "pts/2", "chef", "9999").await;
    assert_eq!(
        chef.call(Request::DisableCashier { name: "awa".into() })
            .await,
        Response::Done
    );
    let r = awa.call(Request::PendingCount).await;
    assert!(error_of(&r).contains("désactivé"), "{r:?}");
    let (again, _e, _) = connect(&service, "pts/3").await;
    let r = again.call(Request::Resume { token }).await;
    assert!(matches!(r, Response::Denied(_)), "{r:?}");
}

#[tokio::test]
async fn a_cashier_sees_and_touches_only_their_own_sales() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), None);
    service::add_cashier(&service.db, "moussa", "cashier", "5555");
    let (awa, _) = logged_in(&service, "pts/1", "awa", "1234").await;
    let Response::Paid(outcome) = awa
        .call(Request::Pay {
            order: order("WAVE_SN_API_CASH_OUT", "772450095", 1000),
            external_id: None,
            allow_duplicate: false,
        })
        .await
    else {
        panic!("paid")
    };
    let id = outcome.operation.external_id;
    let (moussa, _) = logged_in(&service, "pts/2", "moussa", "5555").await;
    for request in [
        Request::Get {
            external_id: id.clone(),
        },
        Request::Events {
            external_id: id.clone(),
        },
        Request::Refresh {
            external_id: id.clone(),
        },
    ] {
        let r = moussa.call(request).await;
        assert!(error_of(&r).contains("pas la vôtre"), "{r:?}");
    }
    // Moussa marking it seen does not hide it from awa.
    moussa
        .call(Request::Seen {
            external_id: id.clone(),
        })
        .await;
    let Response::Row(Some(row)) = awa.call(Request::Unseen).await else {
        panic!("awa's unfinished sale")
    };
    assert_eq!(row.external_id, id);
    // The supervisor sees it.
    let (chef, _) = logged_in(&service, "pts/3", "chef", "9999").await;
    assert!(matches!(
        chef.call(Request::Get { external_id: id }).await,
        Response::Row(Some(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sale_asked_twice_under_one_id_is_sent_once() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), None);
    let (awa, _) = logged_in(&service, "pts/1", "awa", "1234").await;
    let id = "01a2b3c4-0000-7000-8000-0000000000aa".to_owned();
    let pay = |link: Link, id: String| {
        tokio::spawn(async move {
            link.call(Request::Pay {
                order: order("WAVE_SN_API_CASH_IN", "772450000", 1000),
                external_id: Some(id),
                allow_duplicate: false,
            })
            .await
        })
    };
    let (a, b) = (pay(awa.clone(), id.clone()), pay(awa.clone(), id.clone()));
    for r in [a.await.unwrap(), b.await.unwrap()] {
        let Response::Paid(outcome) = r else {
            panic!("{r:?}")
        };
        assert_eq!(outcome.operation.external_id, id);
    }
    // Once more, after the fact: the recorded sale comes back, nothing is sent.
    let Response::Paid(again) = pay(awa.clone(), id.clone()).await.unwrap() else {
        panic!("paid")
    };
    assert_eq!(again.operation.external_id, id);
    let body = http_get(&format!(
        "{}/sandbox/transactions?externalTransactionId={id}",
        service.sandbox
    ));
    let sent: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(sent.as_array().unwrap().len(), 1, "{body}");
    assert_eq!(sent[0]["operationAttempts"], 1, "{body}");
    // A malformed id is refused before anything happens.
    let r = pay(awa, "not-an-id".into()).await.unwrap();
    assert!(
        error_of(&r).contains("identifiant d'opération invalide"),
        "{r:?}"
    );
}

#[tokio::test]
async fn the_socket_refuses_floods_and_second_hellos() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), None);
    // Refused logins per Unix user are capped (no journal flood, no endless guessing).
    let (link, _e, _) = connect(&service, "pts/1").await;
    let mut last = Response::Done;
    for i in 0..12 {
        last = login(&link, &format!("inconnu{i}"), "0000").await;
    }
    assert!(
        error_of(&last).contains("trop d'essais refusés"),
        "{last:?}"
    );
    // A second Hello cannot rename the terminal; an oversized line closes the connection.
    let stream = tokio::net::UnixStream::connect(&service.socket)
        .await
        .unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = tokio::io::BufReader::new(read).lines();
    for id in [1, 2] {
        let hello =
            format!("{{\"id\":{id},\"request\":{{\"Hello\":{{\"terminal\":\"t{id}\"}}}}}}\n");
        write.write_all(hello.as_bytes()).await.unwrap();
    }
    let first = lines.next_line().await.unwrap().unwrap();
    assert!(first.contains("Welcome"), "{first}");
    let second = lines.next_line().await.unwrap().unwrap();
    assert!(second.contains("AlreadyLoggedIn"), "{second}");
    let huge = vec![b'x'; 100 * 1024];
    let _ = write.write_all(&huge).await;
    let _ = write.write_all(b"\n").await;
    let answer = lines.next_line().await.unwrap().unwrap();
    assert!(answer.contains("BadRequest"), "{answer}");
    // Closed (an end of stream, or a reset since the rest of the line was never read).
    assert!(
        matches!(lines.next_line().await, Ok(None) | Err(_)),
        "the connection is closed"
    );
}

#[test]
fn serve_never_removes_a_file_that_is_not_a_socket() {
    let dir = tempfile::tempdir().unwrap();
    let precious = dir.path().join("journal.db");
    std::fs::write(&precious, b"precious").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_caisse"))
        .args(["serve", "--socket"])
        .arg(&precious)
        .env("CAISSE_DB", dir.path().join("other.db"))
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("n'est pas un socket"));
    assert_eq!(std::fs::read(&precious).unwrap(), b"precious");
}

/// A hub in this process on a journal of its own, with a clock the test moves: sessions as
/// any Unix user (the socket tests all run as the one running the tests), and lock-outs that
/// end without waiting five minutes.
struct Counter {
    hub: std::sync::Arc<caisse::session::Hub>,
    clock: std::sync::Arc<std::sync::atomic::AtomicI64>,
    db: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

const T0: i64 = 1_795_400_000_000;
const FIVE_MINUTES: i64 = 5 * 60 * 1000;

fn counter() -> Counter {
    use caisse::engine::{Engine, EngineConfig, Gateways};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    let mut journal = Journal::open(&db).unwrap();
    for (name, role, pin) in [("awa", "cashier", "1234"), ("chef", "supervisor", "9999")] {
        let hash = caisse::staff::hash_pin(pin).unwrap();
        journal
            .add_cashier(name, role, &hash, ("root", "test"), 0)
            .unwrap();
    }
    let clock = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(T0));
    let now = clock.clone();
    let engine = Engine::new(
        journal,
        Gateways::default(),
        EngineConfig::default(),
        std::sync::Arc::new(move || now.load(std::sync::atomic::Ordering::SeqCst)),
    );
    let hub = caisse::session::Hub::new(
        engine,
        false,
        caisse::config::KioskSettings::default(),
        None,
        false,
    );
    Counter {
        hub,
        clock,
        db,
        _dir: dir,
    }
}

impl Counter {
    fn at(&self, ms: i64) {
        self.clock.store(ms, std::sync::atomic::Ordering::SeqCst);
    }

    /// A terminal of Unix user `uid`, past its Hello.
    async fn terminal(&self, uid: u32, user: &str) -> caisse::session::Session {
        let session = caisse::session::Session::new(
            self.hub.clone(),
            caisse::session::Peer {
                uid,
                user: user.into(),
            },
        );
        let r = session
            .handle(Request::Hello {
                terminal: format!("pts/{uid}"),
            })
            .await;
        assert!(matches!(r, Response::Welcome(_)), "{r:?}");
        session
    }
}

async fn log_in_as(session: &caisse::session::Session, name: &str, pin: &str) -> Response {
    session
        .handle(Request::Login {
            name: Some(name.into()),
            pin: pin.into(),
        })
        .await
}

#[tokio::test]
async fn another_unix_users_wrong_pins_never_lock_the_supervisor_out() {
    let c = counter();
    let mallory = c.terminal(1, "mallory").await;
    for pin in ["0000", "1111", "2222", "3333", "4444", "5555"] {
        let r = log_in_as(&mallory, "chef", pin).await;
        assert!(matches!(r, Response::Denied(_)), "{r:?}");
    }
    let r = log_in_as(&mallory, "chef", "9999").await;
    assert!(error_of(&r).contains("bloqué jusqu'à"), "{r:?}");
    // chef, from their own Unix user, at once: mallory's guesses locked only mallory.
    let chef = c.terminal(2, "chef").await;
    let r = log_in_as(&chef, "chef", "9999").await;
    assert!(matches!(r, Response::LoggedIn { .. }), "{r:?}");
    // The journal says who guessed, from which Unix user.
    let journal = Journal::open(&c.db).unwrap();
    let locked = journal.events_of_kind("pin_locked", 10).unwrap();
    assert_eq!(locked.len(), 1);
    assert_eq!(locked[0].cashier, "chef");
    assert_eq!(locked[0].detail["uid"], 1);
    let wrong = journal.events_of_kind("pin_wrong", 10).unwrap();
    assert_eq!(wrong.len(), 4);
    assert!(wrong.iter().all(|e| e.detail["uid"] == 1), "{wrong:?}");
}

#[tokio::test]
async fn the_guesser_stays_locked_out_for_five_minutes() {
    let c = counter();
    let mallory = c.terminal(1, "mallory").await;
    for left in (1..=4).rev() {
        let r = log_in_as(&mallory, "chef", "0000").await;
        assert_eq!(
            error_of(&r),
            format!("nom ou code PIN incorrect (encore {left} essai(s) avant blocage)")
        );
    }
    let locked = format!(
        "trop de codes PIN faux : bloqué jusqu'à {} (5 minutes)",
        caisse::staff::clock_time(T0 + FIVE_MINUTES)
    );
    let r = log_in_as(&mallory, "chef", "0000").await;
    assert_eq!(error_of(&r), locked);
    // Even the right PIN, from any terminal of that Unix user, until the five minutes end.
    let again = c.terminal(1, "mallory").await;
    for at in [T0 + 1, T0 + FIVE_MINUTES - 1] {
        c.at(at);
        assert_eq!(error_of(&log_in_as(&again, "chef", "9999").await), locked);
    }
    c.at(T0 + FIVE_MINUTES);
    let r = log_in_as(&again, "chef", "9999").await;
    assert!(matches!(r, Response::LoggedIn { .. }), "{r:?}");
}

#[tokio::test]
async fn supervisor_pins_guessed_from_a_seat_lock_only_that_unix_user() {
    let c = counter();
    let seat = c.terminal(1, "caissiere1").await;
    let own = c.terminal(2, "caissiere2").await;
    for s in [&seat, &own] {
        let r = log_in_as(s, "awa", "1234").await;
        assert!(matches!(r, Response::LoggedIn { .. }), "{r:?}");
    }
    for guess in ["0000", "1111", "2222", "3333", "4444"] {
        let r = seat.handle(Request::Supervisor { pin: guess.into() }).await;
        assert!(matches!(r, Response::Denied(_)), "{r:?}");
    }
    // That Unix user's tries as awa are locked: the supervisor's PIN, the idle lock's.
    let r = seat
        .handle(Request::Supervisor { pin: "9999".into() })
        .await;
    assert!(error_of(&r).contains("bloqué jusqu'à"), "{r:?}");
    let r = seat.handle(Request::Unlock { pin: "1234".into() }).await;
    assert!(error_of(&r).contains("bloqué jusqu'à"), "{r:?}");
    // awa's other Unix user is not.
    let r = own.handle(Request::Supervisor { pin: "9999".into() }).await;
    assert!(matches!(r, Response::Supervisor(_)), "{r:?}");
    assert_eq!(
        own.handle(Request::Unlock { pin: "1234".into() }).await,
        Response::Done
    );
}

#[tokio::test]
async fn an_unknown_name_a_wrong_pin_and_a_disabled_cashier_get_one_answer() {
    let dir = tempfile::tempdir().unwrap();
    // moussa logs in from another Unix user only: refused here, without saying so.
    let service = start(
        dir.path(),
        Some("[kiosk.users]\n\"autre-utilisateur\" = \"moussa\"\n"),
    );
    service::add_cashier(&service.db, "binta", "cashier", "4321");
    service::add_cashier(&service.db, "moussa", "cashier", "5555");
    Journal::open(&service.db)
        .unwrap()
        .disable_cashier("binta", ("root", "test"), 0)
        .unwrap();
    let (link, _events, _) = connect(&service, "pts/1").await;
    let first = "nom ou code PIN incorrect (encore 4 essai(s) avant blocage)";
    for (name, pin) in [
        ("personne", "0000"),
        ("awa", "0000"),
        ("binta", "0000"),
        ("moussa", "5555"),
    ] {
        let r = login(&link, name, pin).await;
        assert!(matches!(r, Response::Denied(_)), "{name}: {r:?}");
        assert_eq!(error_of(&r), first, "{name}");
    }
}

/// The cashier's fields of a MoneyGram send (see `domain::moneygram`).
fn moneygram_parties() -> (
    std::collections::BTreeMap<String, String>,
    std::collections::BTreeMap<String, String>,
) {
    let map = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let sender = map(&[
        ("senderFirstName", "Moussa"),
        ("senderLastName", "Ndour"),
        ("senderPhotoIdType", "PAS"),
        ("senderPhotoIdNumber", "A1234567"),
        ("senderPhotoIdCountry", "SEN"),
        ("senderDOB", "1993-05-15"),
        ("senderGender", "MALE"),
        ("senderBirthCountry", "SEN"),
        ("senderCitizenshipCountry", "SEN"),
        ("senderPhoneNumber", "772457199"),
        ("senderHomePhoneCountryCode", "221"),
        ("senderAddress", "123 Main Street"),
        ("senderCity", "Dakar"),
        ("senderCountry", "SEN"),
        ("senderOccupation", "ENTREPRENEUR"),
        ("sourceOfFunds", "SALARY_EMPLOY"),
        ("sendPurposeOfTransaction", "GIFT"),
        ("relationshipToReceiver", "FAMILY"),
        ("senderIntendedUseOfMGIServices", "FAMILY_FRIENDS_SUPPORT"),
    ]);
    let receiver = map(&[
        ("receiverFirstName", "Aicha"),
        ("receiverLastName", "Diallo"),
        ("receiveCountry", "SEN"),
        ("receiverCity", "Dakar"),
        ("receiverAddress", "Almadies"),
    ]);
    (sender, receiver)
}

#[tokio::test]
async fn a_cashier_sends_through_moneygram_and_only_a_supervisor_reverses_it() {
    use caisse::domain::moneygram::ReversalInput;
    use caisse::engine::SendOrder;
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), None);
    let (link, _events, _) = connect(&service, "pts/5").await;
    assert!(matches!(
        login(&link, "awa", "1234").await,
        Response::LoggedIn { .. }
    ));
    let (sender, receiver) = moneygram_parties();
    let r = link
        .call(Request::MoneyGramQuote {
            amount: 3000,
            sender: sender.clone(),
            receiver: receiver.clone(),
        })
        .await;
    let Response::MoneyGramQuote(quote) = r else {
        panic!("{r:?}")
    };
    assert_eq!(quote.total_amount_to_collect, 3090);
    let r = link
        .call(Request::MoneyGramSend {
            order: SendOrder {
                amount: 3000,
                sender,
                receiver,
                total_to_collect: quote.total_amount_to_collect,
            },
            external_id: None,
        })
        .await;
    let Response::Paid(sent) = r else {
        panic!("{r:?}")
    };
    assert_eq!(sent.operation.cashier, "awa", "a cashier's operation");
    assert!(
        sent.operation.fields["referenceNumber"].is_string(),
        "{:?}",
        sent.operation
    );
    let id = sent.operation.external_id.clone();
    wait_status(&link, &id, TxStatus::Success).await;
    let reversal = |pin: Option<&str>| Request::MoneyGramReversal {
        external_id: id.clone(),
        reversal: ReversalInput {
            operator_name: "CHEF".into(),
            reason: "WRONG_SERVICE".into(),
            fee_refund: true,
            agent_check_number: None,
        },
        supervisor_pin: pin.map(Into::into),
        refund_id: None,
    };
    let r = link.call(reversal(None)).await;
    assert!(error_of(&r).contains("réservé au superviseur"), "{r:?}");
    let r = link.call(reversal(Some("9999"))).await;
    let Response::Refunded(done) = &r else {
        panic!("{r:?}")
    };
    assert_eq!(done.outcome, caisse::domain::Outcome::Accepted);
    assert_eq!(
        done.operation.cashier, "chef",
        "recorded as the supervisor's"
    );
    wait_status(&link, &id, TxStatus::Refunded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_identical_sale_is_refused_until_the_cashier_confirms_it() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), None);
    let (awa, _) = logged_in(&service, "pts/1", "awa", "1234").await;
    let pay = |allow_duplicate: bool| Request::Pay {
        // A cash-out the customer has not approved yet: still pending.
        order: order("WAVE_SN_API_CASH_OUT", "772450000", 1000),
        external_id: None,
        allow_duplicate,
    };
    let Response::Paid(first) = awa.call(pay(false)).await else {
        panic!("the first sale goes")
    };
    let first = first.operation.external_id;
    let r = awa.call(pay(false)).await;
    let Response::Error(caisse::session::Problem::Refused(caisse::domain::Refusal::Duplicate {
        previous,
        status,
        ..
    })) = &r
    else {
        panic!("{r:?}")
    };
    assert_eq!((previous, *status), (&first, TxStatus::Pending));
    assert!(error_of(&r).contains("Vente identique"), "{r:?}");
    // Nothing of it reached the journal or the gateway.
    let journal = Journal::open(&service.db).unwrap();
    let rows = journal.list_since(0, 100).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    // Confirmed, it goes, under its own id.
    let Response::Paid(second) = awa.call(pay(true)).await else {
        panic!("the confirmed second sale goes")
    };
    assert_ne!(second.operation.external_id, first);
    assert_eq!(journal.list_since(0, 100).unwrap().len(), 2);
}

/// Issue 13: a counter's `caisse receipt ID --print` through the service: the service
/// reads its journal, prints on the shop's printer (a fake ESC/POS printer here, which
/// answers the status requests and keeps the job) and records the print under the
/// cashier's name.
#[test]
fn a_receipt_is_printed_through_the_service_on_the_shops_printer() {
    use std::io::Read;
    let printer = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = printer.local_addr().unwrap().to_string();
    let (job_tx, job) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut stream, _) = printer.accept().unwrap();
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 4096];
        while let Ok(n) = stream.read(&mut chunk) {
            if n == 0 {
                break;
            }
            let start = bytes.len().saturating_sub(2);
            bytes.extend_from_slice(&chunk[..n]);
            for i in start..bytes.len().saturating_sub(2) {
                if bytes[i] == 0x10 && bytes[i + 1] == 0x04 {
                    stream.write_all(&[0x12]).unwrap(); // online, paper present
                }
            }
        }
        let _ = job_tx.send(bytes);
    });
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[shop]\nname = \"Boutique Awa\"\n\n[printer]\naddress = \"{address}\"\ntimeout_secs = 2\n"
    );
    let service = start(dir.path(), Some(&config));
    let (code, out, err) = cli(
        &service,
        &[
            "pay",
            "--cashier",
            "awa",
            "--service",
            "WAVE_SN_API_CASH_OUT",
            "--phone",
            "772450088",
            "--amount",
            "1500",
        ],
        "1234\n",
    );
    assert_eq!(code, 0, "{out}{err}");
    let id = Journal::open(&service.db)
        .unwrap()
        .list_since(0, 10)
        .unwrap()[0]
        .external_id
        .clone();
    let (code, out, err) = cli(
        &service,
        &["receipt", &id, "--print", "--cashier", "awa"],
        "1234\n",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Boutique Awa") && out.contains("REÇU N° 000001"),
        "{out}"
    );
    assert!(out.contains("77*****88"), "{out}");
    assert!(err.contains("Reçu imprimé"), "{err}");
    let bytes = job.recv_timeout(Duration::from_secs(10)).unwrap();
    // The QR's store command carries the operation's id.
    let mut store = vec![0x1d, b'(', b'k', (id.len() + 3) as u8, 0, 49, 80, 48];
    store.extend_from_slice(id.as_bytes());
    assert!(
        bytes.windows(store.len()).any(|w| w == store),
        "no QR of {id}"
    );
    let events = Journal::open(&service.db).unwrap().events(&id).unwrap();
    let print = events.iter().find(|e| e.kind == "receipt_printed").unwrap();
    assert_eq!(print.cashier, "awa");
}
