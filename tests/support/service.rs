//! `caisse serve` for the tests: the real binary in demo mode (its own sandbox) on a temp
//! directory, with two cashiers: awa (PIN 1234) and chef (supervisor, PIN 9999).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_caisse");

pub struct Service {
    pub child: Child,
    pub socket: PathBuf,
    pub db: PathBuf,
    pub sandbox: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn add_cashier(db: &Path, name: &str, role: &str, pin: &str) {
    let mut child = Command::new(BIN)
        .args(["cashier", "add", name, "--role", role])
        .env("CAISSE_DB", db)
        .env("HOME", db.parent().unwrap())
        .env_remove("CAISSE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    write!(child.stdin.take().unwrap(), "{pin}\n{pin}\n").unwrap();
    assert!(child.wait().unwrap().success());
}

/// `caisse serve` on `dir`, with cashiers awa (1234) and chef (9999, supervisor).
pub fn start(dir: &Path, config: Option<&str>) -> Service {
    start_with(dir, config, |_| {})
}

/// As [`start`], with the command adjusted first (environment variables, limits).
pub fn start_with(dir: &Path, config: Option<&str>, adjust: impl FnOnce(&mut Command)) -> Service {
    let db = dir.join("journal.db");
    if !db.exists() {
        add_cashier(&db, "awa", "cashier", "1234");
        add_cashier(&db, "chef", "supervisor", "9999");
    }
    let socket = dir.join("caisse.sock");
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--socket"])
        .arg(&socket)
        .env("CAISSE_DB", &db)
        .env("HOME", dir)
        .env_remove("CAISSE_CONFIG")
        .env_remove("CAISSE_SOCKET")
        .stderr(Stdio::piped());
    if let Some(text) = config {
        let path = dir.join("config.toml");
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        cmd.arg("--config").arg(&path);
    }
    adjust(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut sandbox = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("sandbox de démo : ") {
            sandbox = url.to_owned();
        }
        if line.contains("à l'écoute sur") {
            break;
        }
    }
    // Keep draining stderr so the service never blocks on it.
    std::thread::spawn(move || for _ in lines {});
    assert!(!sandbox.is_empty(), "demo mode announces its sandbox");
    Service {
        child,
        socket,
        db,
        sandbox,
    }
}
