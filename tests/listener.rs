//! The callback listener cannot be starved (issue 9, C5). The real `caisse serve` (demo mode,
//! with a callback port) under 1,100 idle connections on that port, started with a soft
//! open-file limit of 256 under a hard one of 1,024 (a default system's): it raises its limit,
//! its terminals' socket keeps answering, the idle connections are closed after the header
//! timeout, and a genuine callback is still taken. A connection that sends half a request
//! head, or stalls in its body, is closed.
//!
//! The timeouts are shortened through the environment (`CAISSE_CALLBACK_HEADER_TIMEOUT_MS`,
//! `CAISSE_CALLBACK_DEADLINE_MS`); every wait is for a condition, with a deadline far above
//! the shortened timeout and below the default one that would otherwise apply.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::time::{Duration, Instant};

use caisse::engine::listener;
use caisse::gateway::intech::signing;
use caisse::journal::Journal;
use caisse::sandbox::SandboxConfig;

mod support;
use service::{Service, start_with};
use support::service;

/// The attack of issue 9: more idle connections than a default process may hold files.
const IDLE: usize = 1_100;
/// The service's open-file limits in the big test: the hard one of a default Linux system,
/// and a soft one under which the 256 callback slots alone would use every descriptor, had
/// the service not raised it.
const SERVICE_FILES_SOFT: libc::rlim_t = 256;
const SERVICE_FILES_HARD: libc::rlim_t = 1_024;
/// Generous room for what the service holds besides callback connections (about 20 files at
/// rest: the journal, the sockets, the runtime, stdio).
const OTHER_FILES: usize = 64;

fn free_port() -> u16 {
    std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// This test process must hold the 1,100 connections itself: its soft limit goes up to the
/// hard one.
fn raise_own_file_limit(needed: libc::rlim_t) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
        }
    }
    assert!(
        limit.rlim_cur >= needed,
        "this test needs {needed} open files, the hard limit is {}",
        limit.rlim_max
    );
}

/// `caisse serve` with its callback listener on `port`, the variables `vars`, and, when
/// `files` is given, those open-file limits (soft, hard) instead of the ones it inherits.
fn start_listening(
    dir: &Path,
    port: u16,
    vars: &[(&str, &str)],
    files: Option<(libc::rlim_t, libc::rlim_t)>,
) -> Service {
    start_with(dir, None, |cmd| {
        cmd.env("CAISSE_CALLBACK_LISTEN", format!("127.0.0.1:{port}"));
        for (name, value) in vars {
            cmd.env(name, value);
        }
        if let Some((soft, hard)) = files {
            // SAFETY: the closure runs in the child between fork and exec; setrlimit is
            // async-signal-safe and the closure allocates nothing.
            unsafe {
                cmd.pre_exec(move || {
                    let limit = libc::rlimit {
                        rlim_cur: soft,
                        rlim_max: hard,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
    })
}

/// The Hello/Welcome exchange of a terminal on the service's socket, within `within`.
fn welcomed(socket: &Path, within: Duration) -> Result<(), String> {
    let deadline = Instant::now() + within;
    let mut stream = UnixStream::connect(socket).map_err(|e| format!("connexion : {e}"))?;
    stream
        .write_all(b"{\"id\":1,\"request\":{\"Hello\":{\"terminal\":\"c5\"}}}\n")
        .map_err(|e| format!("envoi : {e}"))?;
    let mut line = Vec::new();
    let mut buf = [0u8; 4096];
    while !line.contains(&b'\n') {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!(
                "no answer within {within:?} (read so far: {:?})",
                String::from_utf8_lossy(&line)
            ));
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return Err("the service closed the socket".into()),
            Ok(n) => line.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("lecture : {e}")),
        }
    }
    let line = String::from_utf8_lossy(&line);
    if line.contains("Welcome") {
        Ok(())
    } else {
        Err(format!("not a Welcome: {line}"))
    }
}

/// Reads `stream` until the server closes it (end of stream) or `deadline` passes; what the
/// server wrote first (a 408, an answer) is returned. `None`: still open at the deadline.
fn read_until_closed(stream: &mut TcpStream, deadline: Instant) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return Some(seen),
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("reading a callback connection: {e}"),
        }
    }
}

/// How many files process `pid` has open.
fn open_descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

/// The open-file limits (soft, hard) of process `pid`, as the kernel reports them.
fn open_files_limits(pid: u32) -> (libc::rlim_t, libc::rlim_t) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let numbers: Vec<libc::rlim_t> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

#[test]
fn eleven_hundred_idle_connections_starve_neither_the_terminals_nor_the_gateway() {
    raise_own_file_limit(IDLE as libc::rlim_t + 200);
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let service = start_listening(
        dir.path(),
        port,
        &[("CAISSE_CALLBACK_HEADER_TIMEOUT_MS", "1000")],
        Some((SERVICE_FILES_SOFT, SERVICE_FILES_HARD)),
    );
    assert_eq!(
        open_files_limits(service.child.id()),
        (SERVICE_FILES_HARD, SERVICE_FILES_HARD),
        "caisse serve raises its soft limit to the hard one"
    );
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    // Connected, and never a byte sent.
    let mut idle: Vec<TcpStream> = (0..IDLE)
        .map(|i| TcpStream::connect(addr).unwrap_or_else(|e| panic!("idle connection {i}: {e}")))
        .collect();

    // While they are held, a terminal is still welcomed on the service's socket, and the
    // service holds no more than its cap of them (the rest wait in the kernel's backlog).
    welcomed(&service.socket, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("the socket is starved under {IDLE} idle connections: {e}"));
    let held = open_descriptors(service.child.id());
    assert!(
        held <= listener::MAX_CONNECTIONS + OTHER_FILES,
        "caisse serve holds {held} descriptors under {IDLE} idle connections"
    );

    // Every idle connection is closed by the service (a connection waiting in the kernel's
    // backlog gets its header timeout once accepted, so this takes a few rounds).
    let deadline = Instant::now() + Duration::from_secs(60);
    for (i, stream) in idle.iter_mut().enumerate() {
        assert!(
            read_until_closed(stream, deadline).is_some(),
            "idle connection {i} of {IDLE} is still open"
        );
    }
    welcomed(&service.socket, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("the socket after the attack: {e}"));

    // A genuine callback (the right sha256Hash for the demo key; ids the journal does not
    // know, so it is kept, flagged and acknowledged) is answered 200, and the service then
    // closes the connection (one request per connection).
    let key = SandboxConfig::default().api_key;
    let body = serde_json::json!({
        "status": "SUCCESS",
        "sha256Hash": signing::callback_hash("999001", "c5-apres-attaque", &key),
        "transaction": {"transactionId": "999001", "externalTransactionId": "c5-apres-attaque",
                        "amount": 1000},
    })
    .to_string();
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /intech-callback HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let answer = read_until_closed(&mut stream, Instant::now() + Duration::from_secs(20))
        .expect("the service answers the callback and closes the connection");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let unknown = Journal::open(&service.db)
        .unwrap()
        .events_of_kind("callback_unknown", 10)
        .unwrap();
    assert_eq!(unknown.len(), 1, "the callback is recorded");
}

#[test]
fn half_a_request_head_is_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // Only the header timeout is shortened: the 30 s connection deadline cannot be what
    // closes the connection within the 20 s waited below.
    let _service = start_listening(
        dir.path(),
        port,
        &[("CAISSE_CALLBACK_HEADER_TIMEOUT_MS", "300")],
        None,
    );
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    stream
        .write_all(b"POST /intech-callback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
        .unwrap();
    let seen = read_until_closed(&mut stream, Instant::now() + Duration::from_secs(20));
    assert!(seen.is_some(), "the half head is still held open");
    let seen = String::from_utf8_lossy(seen.as_deref().unwrap_or_default()).into_owned();
    assert!(!seen.contains(" 200 "), "nothing was accepted: {seen}");
}

#[test]
fn a_body_that_stalls_is_closed_at_the_connection_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // The head is complete, so only the whole-connection deadline (shortened) applies.
    let _service = start_listening(
        dir.path(),
        port,
        &[("CAISSE_CALLBACK_DEADLINE_MS", "1000")],
        None,
    );
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    stream
        .write_all(
            b"POST /intech-callback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
              Content-Length: 400\r\n\r\n{\"status\": \"SUCC",
        )
        .unwrap();
    let seen = read_until_closed(&mut stream, Instant::now() + Duration::from_secs(20));
    assert!(seen.is_some(), "the stalled body is still held open");
}
