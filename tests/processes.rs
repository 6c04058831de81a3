//! The real binary, killed and restarted: crash safety at every fail point (SIGKILL, then
//! `caisse reconcile`), eight processes paying into one journal, and secrets that never
//! reach the journal or the logs. The sandbox's own record is the judge.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use caisse::domain::TxStatus;
use caisse::journal::Journal;
use caisse::sandbox::{self, SandboxConfig, SandboxHandle};
use serde_json::Value;

const KEY: &str = "canary-key-3f9a1c77";

async fn start_sandbox() -> SandboxHandle {
    let config = SandboxConfig {
        api_key: KEY.into(),
        processing_delay: Duration::from_millis(50),
        settle_delay: Duration::from_millis(50),
        callback_retry: Duration::from_millis(300),
        ..SandboxConfig::default()
    };
    sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The binary with a clean environment: the sandbox, the journal, a fast poll plan.
fn caisse(home: &Path, sandbox: &SandboxHandle, args: &[&str], vars: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caisse"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("CAISSE_INTECH_URL", sandbox.url())
        .env("CAISSE_INTECH_API_KEY", KEY)
        .env("CAISSE_DB", home.join("journal.db"))
        .env("CAISSE_POLL_FIRST_MS", "300,900,1500")
        .env("CAISSE_POLL_EVERY_MS", "1000")
        .env("CAISSE_NOT_FOUND_GAP_MS", "400")
        .env("CAISSE_INTECH_TIMEOUT_SECS", "5");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

async fn record(sandbox: &SandboxHandle, ext: &str) -> Value {
    let url = format!(
        "{}/sandbox/transactions?externalTransactionId={ext}",
        sandbox.url()
    );
    let all: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    all.as_array()
        .and_then(|a| a.first())
        .cloned()
        .unwrap_or(Value::Null)
}

fn journal_rows(home: &Path) -> Vec<caisse::journal::TransactionRow> {
    Journal::open(&home.join("journal.db"))
        .unwrap()
        .list_since(0, 1000)
        .unwrap()
}

/// Runs `caisse pay` until it reports the fail point, then SIGKILLs it.
fn pay_and_kill_at(
    home: &Path,
    sandbox: &SandboxHandle,
    point: &str,
    phone: &str,
    extra: &[(&str, String)],
) {
    let mut vars = vec![("CAISSE_FAILPOINT", point.to_owned())];
    vars.extend(extra.iter().cloned());
    let mut child = caisse(
        home,
        sandbox,
        &[
            "pay",
            "--service",
            "WAVE_SN_API_CASH_IN",
            "--phone",
            phone,
            "--amount",
            "1000",
        ],
        &vars,
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let stderr = child.stderr.take().unwrap();
    let marker = format!("FAILPOINT {point}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        if line.contains(&marker) {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            return;
        }
        seen.push(line);
        assert!(Instant::now() < deadline, "no fail point: {seen:?}");
    }
    panic!(
        "{point}: the process ended without reaching its fail point: {seen:?} {:?}",
        child.wait()
    );
}

fn reconcile(home: &Path, sandbox: &SandboxHandle) -> (i32, String) {
    let out = caisse(home, sandbox, &["reconcile", "--wait-secs", "20"], &[])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_at_every_fail_point_then_reconciled_sent_at_most_once() {
    assert!(
        caisse::engine::failpoint::compiled_in(),
        "the crash tests need the fail points: cargo test --features failpoints (the README's test command)"
    );
    let sandbox = start_sandbox().await;
    for (point, expected) in [
        ("after_intent", TxStatus::NotSent),
        ("after_send", TxStatus::Success),
        ("after_reply", TxStatus::Success),
        ("after_callback", TxStatus::Success),
    ] {
        let home = tempfile::tempdir().unwrap();
        let mut extra = Vec::new();
        if point == "after_callback" {
            let port = free_port();
            extra.push(("CAISSE_CALLBACK_LISTEN", format!("127.0.0.1:{port}")));
            extra.push(("CAISSE_CALLBACK_URL", format!("http://127.0.0.1:{port}/cb")));
            // Let the callback arrive before any poll.
            extra.push(("CAISSE_POLL_FIRST_MS", "20000".into()));
        }
        let home_path = home.path().to_path_buf();
        let sb = &sandbox;
        tokio::task::block_in_place(|| pay_and_kill_at(&home_path, sb, point, "772450000", &extra));

        let rows = journal_rows(home.path());
        assert_eq!(rows.len(), 1, "{point}: the journal holds the intent");
        let ext = rows[0].external_id.clone();
        assert!(!rows[0].status.is_final(), "{point}: {}", rows[0].status);

        let (code, out) = tokio::task::block_in_place(|| reconcile(home.path(), sb));
        assert_eq!(code, 0, "{point}: {out}");
        let row = journal_rows(home.path()).remove(0);
        assert_eq!(row.status, expected, "{point}: {out}");
        let r = record(&sandbox, &ext).await;
        match point {
            "after_intent" => assert_eq!(r, Value::Null, "never sent"),
            _ => {
                assert_eq!(r["operationAttempts"], 1, "{point}: sent exactly once");
                assert_eq!(r["status"], "SUCCESS");
            }
        }
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn eight_processes_pay_into_one_journal() {
    let sandbox = start_sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let home_path: PathBuf = home.path().to_path_buf();
    // Half settle at once; half never get an answer (…95) and keep every process polling
    // with a plan that wants far more than the budget.
    let children: Vec<_> = (0..8)
        .map(|i| {
            let phone = if i % 2 == 0 {
                format!("7724500{i:02}")
            } else {
                "772450095".to_owned()
            };
            caisse(
                &home_path,
                &sandbox,
                &[
                    "pay",
                    "--service",
                    "WAVE_SN_API_CASH_IN",
                    "--phone",
                    &phone,
                    "--amount",
                    "1000",
                    "--wait-secs",
                    "8",
                    // The four unanswered sales are the same sale, on purpose.
                    "--allow-duplicate",
                ],
                &[
                    ("CAISSE_POLL_FIRST_MS", "500,2500,5000".into()),
                    ("CAISSE_POLL_EVERY_MS", "100".into()),
                ],
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let outputs: Vec<_> = tokio::task::block_in_place(|| {
        children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect()
    });
    for (i, out) in outputs.iter().enumerate() {
        if out.status.code() != Some(if i % 2 == 0 { 0 } else { 7 }) {
            let j = Journal::open(&home.path().join("journal.db")).unwrap();
            for row in j.list_since(0, 100).unwrap() {
                eprintln!("{} {} {:?}", row.external_id, row.status, row.phone);
                for e in j.events(&row.external_id).unwrap() {
                    eprintln!("   {} {} {}", e.at, e.kind, e.detail);
                }
            }
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let want = if i % 2 == 0 { 0 } else { 7 };
        assert_eq!(out.status.code(), Some(want), "process {i}: {stderr}");
        assert!(
            !stderr.contains("locked") && !stderr.contains("journal"),
            "process {i}: {stderr}"
        );
    }
    let rows = journal_rows(home.path());
    assert_eq!(rows.len(), 8, "no lost row");
    // The four sales settled by four processes at once have receipt numbers 1 to 4, with
    // neither gap nor repeat; the four still pending have none yet (issue 13).
    let mut numbers: Vec<i64> = rows.iter().filter_map(|r| r.receipt_no).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, [1, 2, 3, 4]);
    assert!(
        rows.iter()
            .all(|r| r.receipt_no.is_some() == r.status.is_final())
    );
    for row in &rows {
        let r = record(&sandbox, &row.external_id).await;
        assert_eq!(r["operationAttempts"], 1);
        let calls = r["statusCalls"].as_u64().unwrap();
        assert!(
            calls <= 3,
            "{} status calls in under a minute for {}",
            calls,
            row.external_id
        );
    }
    // Not blacklisted.
    let resp = reqwest::Client::new()
        .get(format!("{}/api-services/balance", sandbox.url()))
        .header("Secretkey", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_and_the_cvc_never_reach_the_journal_or_the_logs() {
    let sandbox = start_sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let card = "4970101234567899";
    let cvc = "7391";
    let out = tokio::task::block_in_place(|| {
        caisse(
            home.path(),
            &sandbox,
            &[
                "pay",
                "--service",
                "BANK_CARD_API_CASH_OUT",
                "--phone",
                "772450000",
                "--amount",
                "1000",
                "--no-wait",
                "--field",
                "customerFirstName=Moussa",
                "--field",
                "customerLastName=Ndour",
                "--field",
                &format!("cardNumber={card}"),
                "--field",
                "cardExpireMonth=09",
                "--field",
                "cardExpireYear=29",
                "--field",
                &format!("cardCVC={cvc}"),
                "--field",
                "cardType=VISA",
            ],
            &[("CAISSE_LOG", "trace".into())],
        )
        .output()
        .unwrap()
    });
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    // Sent and pending (no-wait): not final yet, exit 7.
    assert_eq!(out.status.code(), Some(7), "{stdout}\n{stderr}");
    let mut haystacks = vec![
        ("stdout", stdout.into_bytes()),
        ("stderr", stderr.into_bytes()),
    ];
    for entry in std::fs::read_dir(home.path()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("journal.db")
        {
            haystacks.push(("journal file", std::fs::read(&path).unwrap()));
        }
    }
    // Every event detail too, decoded.
    let j = Journal::open(&home.path().join("journal.db")).unwrap();
    let row = j.list_since(0, 10).unwrap().remove(0);
    let events = serde_json::to_string(&j.events(&row.external_id).unwrap()).unwrap();
    haystacks.push(("events", events.clone().into_bytes()));
    let contains =
        |hay: &[u8], needle: &str| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
    for (name, hay) in &haystacks {
        assert!(!contains(hay, KEY), "the API key is in the {name}");
        assert!(
            !contains(hay, card),
            "the full card number is in the {name}"
        );
        assert!(!contains(hay, "cardCVC"), "a CVC field is in the {name}");
        assert!(
            !contains(hay, &format!("\"{cvc}\"")),
            "the CVC is in the {name}"
        );
    }
    assert_eq!(row.fields["cardNumber"], "497010******7899");
    assert!(events.contains("497010******7899"));
    sandbox.shutdown().await;
}

/// Issue 14: the SSH link drops. The kernel hangs the terminal up (SIGHUP) and every write
/// to it fails (EIO): the app must still leave by itself, with status 0 rather than a panic
/// turned abort (a core dump), and its journal must be whole.
#[test]
fn the_app_leaves_cleanly_when_its_terminal_is_closed() {
    use std::io::Read;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;

    let home = tempfile::tempdir().unwrap();
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty fills two descriptors we own from here on.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(opened, 0, "openpty");
    // SAFETY: both descriptors were just opened and are owned by nothing else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    // openpty's descriptors are inherited by default: the app must not hold its own master.
    // SAFETY: F_SETFD on a descriptor we own.
    unsafe { libc::fcntl(master.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) };
    let mut command = Command::new(env!("CARGO_BIN_EXE_caisse"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("TERM", "xterm-256color")
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("CAISSE_DB", home.path().join("journal.db"))
        .stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave.try_clone().unwrap());
    // SAFETY: only async-signal-safe calls between fork and exec: a session of its own with
    // the pty as its controlling terminal, as sshd gives a login.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    // Only the app holds the terminal's side now, as under sshd.
    drop(command);
    drop(slave);
    let mut terminal = std::fs::File::from(master);
    // The home screen is up: the app is in its loop.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("Que veut le client") {
        assert!(Instant::now() < deadline, "no home screen: {seen:?}");
        match terminal.read(&mut chunk) {
            Ok(0) | Err(_) => panic!("the app's terminal ended early"),
            Ok(n) => seen.extend_from_slice(&chunk[..n]),
        }
    }
    // The link drops: the master side closes.
    drop(terminal);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the app is still running");
        std::thread::sleep(Duration::from_millis(10));
    };
    // Its own exit (0, or the terminal's error), never a signal such as SIGABRT.
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), None, "{status:?}");
    let journal = Journal::open(&home.path().join("journal.db")).unwrap();
    assert_eq!(journal.integrity_check().unwrap(), "ok");
}
