//! The kiosk over SSH, end to end, on a real OpenSSH server: a private `sshd` on a loopback
//! port, `caisse serve` running as its own Unix user, and a cashier Unix user (with a real
//! shell, /bin/bash, on purpose) whose every session is forced into
//! `caisse --kiosk --socket SOCK` by the `Match User` block documented in `docs/kiosk.md`.
//!
//! 1. Escape attempts, each of which must fail: running a command, local / remote / stdio /
//!    Unix-socket forwarding, sftp and scp, environment injection (SetEnv, SendEnv,
//!    `~/.ssh/environment`, `environment=` in authorized_keys), reading the service's
//!    config, secrets and journal as the cashier, agent and X11 forwarding, and Ctrl-C /
//!    Ctrl-Z / Ctrl-\ inside the interactive session.
//! 2. A sale: log in with the PIN, start a Wave cash-out, drop the connection while the
//!    payment screen waits, approve the payment meanwhile, log in again: the app lands on
//!    the sale's payment screen showing `Paiement réussi`; the journal holds one SUCCESS row
//!    (cashier `awa`, terminal `ssh…`) and the sandbox saw the operation once.
//!
//! One test per scenario, each on a fresh lab (its own sshd, service and journal), one lab
//! at a time. Needs root and OpenSSH (`apt-get install -y openssh-server openssh-client tmux`).
//! Without them every test is skipped with a loud message (once), unless `CI` is set: then
//! they fail.
//! It creates (once, idempotently) two Unix users: `caissesvc` and `caissiere1`, and
//! leaves them in place.

use std::fs;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use caisse::domain::TxStatus;
use caisse::journal::Journal;

mod support;
use support::{tmux, wait};
use tmux::{Tmux, link};

const SSHD: &str = "/usr/sbin/sshd";
const SERVICE_USER: &str = "caissesvc";
const CASHIER_USER: &str = "caissiere1";
const SCREEN: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------
// Small process helpers

/// What a command did within its time limit (`status` is `None` when it had to be killed).
struct Run {
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// Runs `cmd` with `input` on stdin (or /dev/null), killing it after `within`.
fn run_for(cmd: &mut Command, input: Option<&[u8]>, within: Duration) -> Run {
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    if let Some(input) = input {
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let deadline = Instant::now() + within;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        status,
        stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
    }
}

fn must(cmd: &mut Command) -> Run {
    let what = format!("{cmd:?}");
    let run = run_for(cmd, None, Duration::from_secs(60));
    assert!(run.succeeded(), "{what} failed: {run}");
    run
}

fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .args([sig, &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

/// Waits up to `within` for `child` to end; kills it (SIGKILL) otherwise.
fn reap(child: &mut Child, within: Duration) {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// `(pid, uid, ppid, comm)` of every process (from /proc).
fn processes() -> Vec<(u32, u32, u32, String)> {
    let mut list = Vec::new();
    let Ok(dir) = fs::read_dir("/proc") else {
        return list;
    };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(status) = fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.split_whitespace().next().unwrap_or("").to_owned())
                .unwrap_or_default()
        };
        let uid = field("Uid:").parse().unwrap_or(u32::MAX);
        let ppid = field("PPid:").parse().unwrap_or(0);
        list.push((pid, uid, ppid, field("Name:")));
    }
    list
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn chown(path: &Path, who: &Account) {
    std::os::unix::fs::chown(path, Some(who.uid), Some(who.gid)).unwrap();
}

fn is_root() -> bool {
    // /proc/self belongs to the process's effective uid.
    fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

// ---------------------------------------------------------------------------------------
// Unix accounts

struct Account {
    name: &'static str,
    uid: u32,
    gid: u32,
    home: PathBuf,
}

fn account(name: &'static str) -> Option<Account> {
    let passwd = fs::read_to_string("/etc/passwd").unwrap();
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.len() >= 7 && f[0] == name).then(|| Account {
            name,
            uid: f[2].parse().unwrap(),
            gid: f[3].parse().unwrap(),
            home: PathBuf::from(f[5]),
        })
    })
}

/// The service's account: a system user with no login shell and no home.
fn service_account() -> Account {
    if account(SERVICE_USER).is_none() {
        must(Command::new("useradd").args([
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            SERVICE_USER,
        ]));
    }
    account(SERVICE_USER).unwrap()
}

/// The cashier's account: a home and /bin/bash on purpose, so that only sshd's
/// ForceCommand stands between the cashier and a shell.
fn cashier_account() -> Account {
    if account(CASHIER_USER).is_none() {
        must(Command::new("useradd").args(["-m", "-s", "/bin/bash", CASHIER_USER]));
    }
    // useradd leaves the password field `!` (locked); with UsePAM no, sshd refuses every
    // login of a locked account, public key included. `*`: no password, not locked.
    must(Command::new("usermod").args(["-p", "*", CASHIER_USER]));
    account(CASHIER_USER).unwrap()
}

// ---------------------------------------------------------------------------------------
// tmux (as in tests/e2e_tmux.rs, with any command in the pane)

/// A plain HTTP/1.1 request over a socket: `(status, body)`.
fn http(method: &str, url: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut s = TcpStream::connect(host).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = Vec::new();
    s.read_to_end(&mut reply).unwrap();
    let reply = String::from_utf8_lossy(&reply).into_owned();
    let (head, body) = reply.split_once("\r\n\r\n").expect("an HTTP reply");
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = String::new();
        let mut rest = body;
        while let Some((size, tail)) = rest.split_once("\r\n") {
            let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if size == 0 {
                break;
            }
            out.push_str(&tail[..size]);
            rest = tail[size..].trim_start_matches("\r\n");
        }
        out
    } else {
        body.to_owned()
    };
    (status, body)
}

// ---------------------------------------------------------------------------------------
// The lab: a private sshd, the service, the accounts; torn down by Drop

struct Lab {
    _dir: tempfile::TempDir,
    /// 0755: the cashier must reach `bin/caisse` (and the marker files) through it.
    root: PathBuf,
    /// The copy of the binary under test, executable by everybody.
    caisse: PathBuf,
    port: u16,
    key: PathBuf,
    sshd_log: PathBuf,
    serve_log: PathBuf,
    socket: PathBuf,
    journal: PathBuf,
    config: PathBuf,
    secrets: PathBuf,
    /// 1777: where the escape attempts would leave a trace if they worked.
    markers: PathBuf,
    pwned: PathBuf,
    tmux_conf: PathBuf,
    cashier: Account,
    service: Account,
    sshd: Option<Child>,
    serve: Option<Child>,
    agent: Option<Child>,
}

impl Lab {
    fn new() -> Lab {
        let service = service_account();
        let cashier = cashier_account();
        let dir = tempfile::Builder::new()
            .prefix("caisse-ssh-")
            .tempdir_in("/tmp")
            .unwrap();
        let root = dir.path().to_path_buf();
        chmod(&root, 0o755);
        let mk = |name: &str, mode: u32| {
            let p = root.join(name);
            fs::create_dir(&p).unwrap();
            chmod(&p, mode);
            p
        };
        let bin = mk("bin", 0o755);
        let sshd_dir = mk("sshd", 0o700);
        let client = mk("client", 0o700);
        let markers = mk("markers", 0o1777);
        // As in production (debian/caisse.service): /etc/caisse 0700, /var/lib/caisse 0700,
        // /run/caisse 0711 (cashiers may reach the socket by name, not list the directory).
        let etc = mk("etc", 0o700);
        let lib = mk("lib", 0o700);
        let run = mk("run", 0o711);
        for d in [&etc, &lib, &run] {
            chown(d, &service);
        }

        // The binary lives under the target dir, which the cashier cannot reach: a copy.
        let caisse = bin.join("caisse");
        fs::copy(env!("CARGO_BIN_EXE_caisse"), &caisse).unwrap();
        chmod(&caisse, 0o755);

        let port = free_port();
        let key = client.join("id_ed25519");
        Lab {
            _dir: dir,
            caisse,
            port,
            key,
            sshd_log: sshd_dir.join("sshd.log"),
            serve_log: root.join("serve.log"),
            socket: run.join("caisse.sock"),
            journal: lib.join("journal.db"),
            config: etc.join("config.toml"),
            secrets: etc.join("secrets.toml"),
            pwned: PathBuf::from(format!("/tmp/pwned-{}", std::process::id())),
            tmux_conf: root.join("tmux.conf"),
            markers,
            root,
            cashier,
            service,
            sshd: None,
            serve: None,
            agent: None,
        }
    }

    fn sshd_dir(&self) -> PathBuf {
        self.root.join("sshd")
    }

    fn client_dir(&self) -> PathBuf {
        self.root.join("client")
    }

    fn force_command(&self) -> String {
        format!(
            "{} --kiosk --socket {}",
            self.caisse.display(),
            self.socket.display()
        )
    }

    /// Host key, client key in the cashier's authorized_keys, sshd_config, then sshd.
    fn start_sshd(&mut self) {
        let sshd_dir = self.sshd_dir();
        let host_key = sshd_dir.join("ssh_host_ed25519_key");
        for (path, comment) in [(&host_key, "caisse-test-host"), (&self.key, "caisse-test")] {
            must(
                Command::new("ssh-keygen")
                    .args(["-q", "-t", "ed25519", "-N", "", "-C"])
                    .arg(comment)
                    .arg("-f")
                    .arg(path),
            );
        }
        self.install_authorized_keys("");
        let _ = fs::remove_file(self.cashier.home.join(".ssh/environment"));

        // Globally as permissive as a stock Debian server (sftp, TCP, agent and X11
        // forwarding on): the Match block alone must lock the cashier in.
        let config = format!(
            "\
ListenAddress 127.0.0.1
Port {port}
HostKey {host_key}
PidFile {dir}/sshd.pid
LogLevel DEBUG2
UsePAM no
PermitRootLogin no
AllowUsers {cashier}
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
StrictModes yes
PermitUserEnvironment no
AcceptEnv LANG LC_*
PrintMotd no
AllowTcpForwarding yes
AllowAgentForwarding yes
X11Forwarding yes
Subsystem sftp internal-sftp

Match User {cashier}
    ForceCommand {force}
    PermitTTY yes
    AllowTcpForwarding no
    AllowStreamLocalForwarding no
    GatewayPorts no
    X11Forwarding no
    AllowAgentForwarding no
    PermitTunnel no
    PermitUserRC no
",
            port = self.port,
            host_key = host_key.display(),
            dir = sshd_dir.display(),
            cashier = self.cashier.name,
            force = self.force_command(),
        );
        let conf = sshd_dir.join("sshd_config");
        fs::write(&conf, config).unwrap();
        fs::create_dir_all("/run/sshd").unwrap(); // privilege separation (Debian)
        let check = run_for(
            Command::new(SSHD).arg("-t").arg("-f").arg(&conf),
            None,
            Duration::from_secs(10),
        );
        assert!(check.succeeded(), "sshd -t refuses the config: {check}");

        let log = fs::File::create(&self.sshd_log).unwrap();
        self.sshd = Some(
            Command::new(SSHD)
                .args(["-D", "-e", "-f"])
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap(),
        );
        let needle = format!("Server listening on 127.0.0.1 port {}", self.port);
        self.wait_log(&self.sshd_log, 0, &needle, Duration::from_secs(10));
    }

    /// The cashier's ~/.ssh/authorized_keys, modes as StrictModes wants them.
    fn install_authorized_keys(&self, options: &str) {
        let pubkey = fs::read_to_string(self.key.with_extension("pub")).unwrap();
        let ssh = self.cashier.home.join(".ssh");
        fs::create_dir_all(&ssh).unwrap();
        chown(&self.cashier.home, &self.cashier);
        chmod(&self.cashier.home, 0o750);
        chown(&ssh, &self.cashier);
        chmod(&ssh, 0o700);
        let keys = ssh.join("authorized_keys");
        let line = if options.is_empty() {
            pubkey
        } else {
            format!("{options} {pubkey}")
        };
        fs::write(&keys, line).unwrap();
        chown(&keys, &self.cashier);
        chmod(&keys, 0o600);
    }

    /// A command run as the service user (`setpriv` execs: the pid is the program's), with
    /// the environment a systemd unit would give it and its umask (0077).
    fn as_service(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("setpriv");
        cmd.env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", self.journal.parent().unwrap())
            .env("LANG", "C.UTF-8")
            .env("CAISSE_DB", &self.journal)
            .env("CAISSE_CONFIG", &self.config)
            .args([
                "--reuid",
                self.service.name,
                "--regid",
                self.service.name,
                "--init-groups",
                "--",
                "/bin/sh",
                "-c",
                "umask 077 && exec \"$0\" \"$@\"",
            ])
            .arg(&self.caisse)
            .args(args);
        cmd
    }

    fn as_cashier(&self, args: &[&str]) -> Run {
        run_for(
            Command::new("runuser")
                .args(["-u", self.cashier.name, "--"])
                .args(args),
            None,
            Duration::from_secs(10),
        )
    }

    /// Config and secrets (0600, service user), the cashiers, then `caisse serve`.
    fn start_service(&mut self) -> String {
        // The service's config: which Unix user is which cashier. No secret in it, so
        // `caisse serve` stays in demo mode (its in-process sandbox).
        fs::write(
            &self.config,
            format!("[kiosk.users]\n{} = \"awa\"\n", self.cashier.name),
        )
        .unwrap();
        // What a shop's real config adds: the API key. `caisse serve` does not read this
        // file (a key would take it out of demo mode); it is here only so that the test can
        // prove the cashier cannot read a secret kept the way docs/kiosk.md says.
        fs::write(
            &self.secrets,
            "[intech]\napi_key = \"sk_live_FAKE_0123456789abcdef\"\n",
        )
        .unwrap();
        for f in [&self.config, &self.secrets] {
            chown(f, &self.service);
            chmod(f, 0o600);
        }

        for (name, role, pin) in [("awa", "cashier", "1234"), ("chef", "supervisor", "9999")] {
            let what = format!("cashier add {name}");
            let pins = format!("{pin}\n{pin}\n");
            let run = run_for(
                &mut self.as_service(&["cashier", "add", name, "--role", role]),
                Some(pins.as_bytes()),
                Duration::from_secs(30),
            );
            assert!(run.succeeded(), "{what}: {run}");
        }

        let log = fs::File::create(&self.serve_log).unwrap();
        let socket = self.socket.to_str().unwrap().to_owned();
        self.serve = Some(
            self.as_service(&["serve", "--socket", &socket])
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap(),
        );
        // Both lines on stderr, and the socket; a service that dies meanwhile fails at once.
        let deadline = Instant::now() + Duration::from_secs(20);
        let line = loop {
            let text = self.log_since(&self.serve_log, 0);
            let url = text
                .lines()
                .find(|l| l.contains("sandbox de démo : http://"));
            if let Some(url) = url
                && text.contains("à l'écoute sur")
                && self.socket.exists()
            {
                break url.to_owned();
            }
            if let Ok(Some(status)) = self.serve.as_mut().unwrap().try_wait() {
                panic!("caisse serve ended ({status}):\n{text}");
            }
            assert!(
                Instant::now() < deadline,
                "caisse serve not ready within 20 s (socket {}):\n{text}",
                self.socket.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let start = line.find("http://").unwrap();
        line[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches('/')
            .to_owned()
    }

    fn log_len(&self, path: &Path) -> u64 {
        fs::metadata(path).map(|m| m.len()).unwrap_or(0)
    }

    /// The log's text after byte `from`.
    fn log_since(&self, path: &Path, from: u64) -> String {
        let bytes = fs::read(path).unwrap_or_default();
        let from = (from as usize).min(bytes.len());
        String::from_utf8_lossy(&bytes[from..]).into_owned()
    }

    /// Waits for a line containing `needle` after byte `from`; returns that line.
    fn wait_log(&self, path: &Path, from: u64, needle: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let text = self.log_since(path, from);
            if let Some(line) = text.lines().find(|l| l.contains(needle)) {
                return line.to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "never saw « {needle} » in {}:\n{text}",
                path.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `ssh`'s options shared by every connection of the test (no config file, no host key
    /// check, key only, never a prompt).
    fn ssh_options(&self) -> Vec<String> {
        [
            "-F",
            "/dev/null",
            "-i",
            self.key.to_str().unwrap(),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=10",
        ]
        .map(str::to_owned)
        .to_vec()
    }

    fn target(&self) -> String {
        format!("{}@127.0.0.1", self.cashier.name)
    }

    /// An `ssh` command to the cashier's account with `extra` options before the target and
    /// `command` after it.
    fn ssh(&self, extra: &[&str], command: &[&str]) -> Command {
        let mut cmd = Command::new("ssh");
        cmd.env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", self.client_dir())
            .args(self.ssh_options())
            .args(["-p", &self.port.to_string()])
            .args(extra)
            .arg(self.target())
            .args(command);
        cmd
    }

    /// A session that must have started and ended (the kiosk, without a terminal, exits):
    /// returns the run and sshd's log of it.
    fn session(&self, cmd: &mut Command, input: Option<&[u8]>) -> (Run, String) {
        let from = self.log_len(&self.sshd_log);
        let run = run_for(cmd, input, Duration::from_secs(15));
        assert!(
            run.status.is_some(),
            "the session did not end within 15 s (the kiosk without a terminal must exit): {run}"
        );
        // Exit status 255 is ssh's own failure (connection, authentication): the session
        // never ran, and whatever is checked next would prove nothing.
        assert_ne!(run.code(), Some(255), "ssh itself failed: {run}");
        // Give sshd's processes a moment to write the session's last lines.
        std::thread::sleep(Duration::from_millis(200));
        (run, self.log_since(&self.sshd_log, from))
    }

    /// sshd ran the forced command for that session (`log`: sshd's log of it).
    fn assert_forced(&self, log: &str) {
        let started = format!(
            "Starting session: forced-command (config) '{}' for {}",
            self.force_command(),
            self.cashier.name
        );
        assert!(log.contains(&started), "not the forced command:\n{log}");
    }

    fn markers_present(&self) -> Vec<String> {
        fs::read_dir(&self.markers)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.ends_with(".sock"))
            .collect()
    }

    fn clear_markers(&self) {
        for name in self.markers_present() {
            let _ = fs::remove_file(self.markers.join(name));
        }
    }

    /// The cashier's processes named `caisse` (the kiosk apps).
    fn kiosk_processes(&self) -> Vec<u32> {
        processes()
            .into_iter()
            .filter(|(_, uid, _, name)| *uid == self.cashier.uid && name == "caisse")
            .map(|(pid, ..)| pid)
            .collect()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for (name, path) in [("sshd", &self.sshd_log), ("caisse serve", &self.serve_log)] {
                let text = self.log_since(path, 0);
                let lines: Vec<&str> = text.lines().collect();
                let tail = lines[lines.len().saturating_sub(80)..].join("\n");
                eprintln!(
                    "===== last lines of the {name} log ({})\n{tail}",
                    path.display()
                );
            }
        }
        if let Some(mut sshd) = self.sshd.take() {
            // The per-connection sshd processes outlive the listener: end them first, by
            // pid (their sessions then get SIGHUP).
            let listener = sshd.id();
            for (pid, _, ppid, _) in processes() {
                if ppid == listener {
                    signal(pid, "-TERM");
                }
            }
            signal(listener, "-TERM");
            reap(&mut sshd, Duration::from_secs(5));
        }
        if let Some(mut serve) = self.serve.take() {
            signal(serve.id(), "-TERM");
            reap(&mut serve, Duration::from_secs(10));
        }
        if let Some(mut agent) = self.agent.take() {
            let _ = agent.kill();
            let _ = agent.wait();
        }
        let _ = fs::remove_file(&self.pwned);
        let _ = fs::remove_file(self.cashier.home.join(".ssh/environment"));
    }
}

// ---------------------------------------------------------------------------------------

/// Root and OpenSSH present? Otherwise skip loudly, or fail under CI.
fn prerequisites() -> bool {
    let mut missing = Vec::new();
    if !is_root() {
        missing.push("root (it creates Unix users and runs sshd)".to_owned());
    }
    if !Path::new(SSHD).is_file() {
        missing.push(format!("{SSHD} (apt-get install -y openssh-server)"));
    }
    for tool in ["ssh", "sftp", "scp", "ssh-keygen", "ssh-agent"] {
        if !on_path(tool) {
            missing.push(format!("{tool} (apt-get install -y openssh-client)"));
        }
    }
    for tool in ["tmux", "setpriv", "runuser", "useradd", "cc"] {
        if !on_path(tool) {
            missing.push(tool.to_owned());
        }
    }
    if missing.is_empty() {
        return true;
    }
    let why = format!("the SSH kiosk test needs: {}", missing.join(", "));
    if std::env::var_os("CI").is_some() {
        panic!("{why} (CI is set: a skip would hide that the kiosk is not tested)");
    }
    // Straight to the process's stderr: libtest captures eprintln! of a passing test.
    let _ = writeln!(
        std::io::stderr(),
        "\n\
         ************************************************************************\n\
         *  SKIPPED tests/ssh_kiosk.rs: {why}\n\
         *  Run it as root with: apt-get install -y openssh-server openssh-client tmux\n\
         ************************************************************************\n"
    );
    false
}

/// The scenarios share the two Unix accounts (the cashier's `authorized_keys`, its
/// `~/.ssh/environment`): one lab at a time, whatever the test threads.
static ONE_LAB: Mutex<()> = Mutex::new(());

/// A lab for one scenario: sshd and `caisse serve` running, the lab to itself.
struct Scenario {
    lab: Lab,
    sandbox: String,
    // Declared last, so released after the lab is torn down.
    _one: MutexGuard<'static, ()>,
}

/// A fresh lab, or `None` when this machine cannot host one (skipped loudly, or a failure
/// under CI: see [`prerequisites`]).
fn scenario(name: &str) -> Option<Scenario> {
    static ABLE: OnceLock<bool> = OnceLock::new();
    if !*ABLE.get_or_init(prerequisites) {
        return None;
    }
    let one = ONE_LAB.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let mut lab = Lab::new();
    lab.start_sshd();
    let sandbox = lab.start_service();
    eprintln!("{name}: set-up {:?} (sandbox {sandbox})", started.elapsed());
    Some(Scenario {
        lab,
        sandbox,
        _one: one,
    })
}

#[test]
fn a_command_gets_the_kiosk_instead() {
    let Some(s) = scenario("command") else { return };
    escape_by_command(&s.lab);
}

#[test]
fn tcp_and_stdio_forwarding_reach_nothing() {
    let Some(s) = scenario("forwarding") else {
        return;
    };
    escape_by_forwarding(&s.lab);
}

#[test]
fn unix_socket_forwarding_reaches_nothing() {
    let Some(s) = scenario("unix forwarding") else {
        return;
    };
    escape_by_unix_forwarding(&s.lab);
}

#[test]
fn sftp_and_scp_get_the_kiosk_instead() {
    let Some(s) = scenario("file transfer") else {
        return;
    };
    escape_by_file_transfer(&s.lab);
}

#[test]
fn the_environment_cannot_be_injected() {
    let Some(s) = scenario("environment") else {
        return;
    };
    escape_by_environment(&s.lab);
}

#[test]
fn the_cashier_cannot_read_the_services_files() {
    let Some(s) = scenario("reading files") else {
        return;
    };
    escape_by_reading_files(&s.lab);
}

#[test]
fn neither_the_agent_nor_x11_is_forwarded() {
    let Some(mut s) = scenario("agent and X11") else {
        return;
    };
    escape_by_agent_and_x11(&mut s.lab);
}

#[test]
fn a_sale_survives_a_dropped_connection() {
    let Some(mut s) = scenario("sale") else {
        return;
    };
    sale_survives_a_dropped_connection(&mut s.lab, &s.sandbox);
}

/// (1) `ssh user@host COMMAND`: sshd runs the forced command instead (the requested one
/// only lands in SSH_ORIGINAL_COMMAND), and the kiosk without a terminal exits.
fn escape_by_command(lab: &Lab) {
    let _ = fs::remove_file(&lab.pwned);
    let attack = format!("id > {}", lab.pwned.display());
    let (run, log) = lab.session(&mut lab.ssh(&[], &["/bin/sh", "-c", &attack]), None);
    assert!(
        !lab.pwned.exists(),
        "the cashier ran a command over ssh: {run}"
    );
    assert!(!run.stdout.contains("uid="), "{run}");
    assert!(
        !log.contains("Starting session: command"),
        "sshd ran the requested command:\n{log}"
    );
    lab.assert_forced(&log);
}

/// (2) Forwarding. `-N` opens no session, so ForceCommand never applies: only
/// `AllowTcpForwarding no` / `AllowStreamLocalForwarding no` refuse these channels.
fn escape_by_forwarding(lab: &Lab) {
    // A loopback service the cashier must not reach through the tunnel; it counts visitors.
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    target.set_nonblocking(true).unwrap();
    let tport = target.local_addr().unwrap().port();
    let nobody_came = |what: &str| {
        wait::stays(
            &format!("{what}: nobody reached the target"),
            Duration::from_millis(300),
            || matches!(target.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        );
    };

    // -L: the client listens locally; every connection through it must be refused by sshd.
    let lport = free_port();
    let from = lab.log_len(&lab.sshd_log);
    let forward = format!("{lport}:127.0.0.1:{tport}");
    let mut client = lab
        .ssh(&["-N", "-L", &forward], &[])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut conn = loop {
        match TcpStream::connect(("127.0.0.1", lport)) {
            Ok(c) => break c,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("ssh -L never listened on {lport}: {e}"),
        }
    };
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = conn.write_all(b"GET / HTTP/1.0\r\n\r\n");
    let mut buf = [0u8; 64];
    match conn.read(&mut buf) {
        Ok(0) | Err(_) => {}
        Ok(n) => panic!("-L: bytes came back through the tunnel: {:?}", &buf[..n]),
    }
    nobody_came("-L");
    let refused = "refused local port forward: originator 127.0.0.1 port";
    let line = lab.wait_log(&lab.sshd_log, from, refused, Duration::from_secs(5));
    assert!(
        line.contains(&format!("target 127.0.0.1 port {tport}")),
        "{line}"
    );
    let _ = client.kill();
    let _ = client.wait();

    // -W (stdio forwarding, the ProxyJump mechanism): the same channel type, refused.
    let from = lab.log_len(&lab.sshd_log);
    let stdio = format!("127.0.0.1:{tport}");
    let run = run_for(
        &mut lab.ssh(&["-W", &stdio], &[]),
        None,
        Duration::from_secs(15),
    );
    nobody_came("-W");
    assert!(!run.succeeded(), "-W: {run}");
    lab.wait_log(
        &lab.sshd_log,
        from,
        "refused local port forward",
        Duration::from_secs(5),
    );

    // -R with ExitOnForwardFailure: sshd refuses to listen, the client gives up.
    let rport = free_port();
    let remote = format!("{rport}:127.0.0.1:{tport}");
    let run = run_for(
        &mut lab.ssh(
            &["-N", "-o", "ExitOnForwardFailure=yes", "-R", &remote],
            &[],
        ),
        None,
        Duration::from_secs(15),
    );
    assert!(
        run.status.is_some() && !run.succeeded(),
        "-R was not refused: {run}"
    );
    assert!(
        run.stderr.contains("remote port forwarding failed"),
        "-R: {run}"
    );
    assert!(
        TcpStream::connect(("127.0.0.1", rport)).is_err(),
        "-R: something listens on {rport}"
    );
    nobody_came("-R");
}

/// (2b) `-L` to a Unix socket, as sshd's child (running as the cashier) would connect to
/// it. Refused by `AllowStreamLocalForwarding no`; `AllowTcpForwarding no` alone already
/// denies it too (sshd logs "Received request to connect to path … denied" then).
fn escape_by_unix_forwarding(lab: &Lab) {
    let mut buf = [0u8; 64];
    let usock = lab.markers.join("target.sock");
    let unix_target = UnixListener::bind(&usock).unwrap();
    chmod(&usock, 0o777);
    unix_target.set_nonblocking(true).unwrap();
    let local = lab.client_dir().join("fwd.sock");
    let forward = format!("{}:{}", local.display(), usock.display());
    let from = lab.log_len(&lab.sshd_log);
    let mut client = lab
        .ssh(&["-N", "-L", &forward], &[])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut conn = loop {
        match std::os::unix::net::UnixStream::connect(&local) {
            Ok(c) => break c,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("ssh -L never listened on {}: {e}", local.display()),
        }
    };
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = conn.write_all(b"hello\n");
    match conn.read(&mut buf) {
        Ok(0) | Err(_) => {}
        Ok(n) => panic!("-L unix: bytes came back: {:?}", &buf[..n]),
    }
    let _ = conn.shutdown(Shutdown::Both);
    wait::stays(
        "-L unix: nobody reached the socket",
        Duration::from_millis(300),
        || matches!(unix_target.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
    );
    lab.wait_log(
        &lab.sshd_log,
        from,
        "refused streamlocal port forward",
        Duration::from_secs(5),
    );
    let _ = client.kill();
    let _ = client.wait();
    let _ = fs::remove_file(&usock);
}

/// (3) sftp and scp. The server offers sftp to other users (`Subsystem sftp` is global and
/// cannot be set per user in OpenSSH 9.2); for the cashier ForceCommand replaces the
/// subsystem with the kiosk, which speaks no SFTP.
fn escape_by_file_transfer(lab: &Lab) {
    let port = lab.port.to_string();
    let transfer = |program: &str, extra: &[&str], args: &[String]| {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", lab.client_dir())
            .args(lab.ssh_options())
            .args(["-P", &port])
            .args(extra)
            .args(args);
        cmd
    };
    let target = lab.target();

    let from = lab.log_len(&lab.sshd_log);
    let run = run_for(
        &mut transfer("sftp", &["-b", "-"], std::slice::from_ref(&target)),
        Some(b"ls -la\n"),
        Duration::from_secs(15),
    );
    assert!(run.status.is_some() && !run.succeeded(), "sftp: {run}");
    assert!(
        !run.stdout.contains(".bashrc"),
        "sftp listed the home: {run}"
    );
    // The subsystem request reached sshd and was turned into the forced command.
    let started = format!(
        "Starting session: forced-command (config) '{}'",
        lab.force_command()
    );
    lab.wait_log(&lab.sshd_log, from, &started, Duration::from_secs(5));
    assert!(
        !lab.log_since(&lab.sshd_log, from)
            .contains("subsystem 'sftp'"),
        "sshd started the sftp subsystem"
    );

    let got = lab.client_dir().join("bashrc-copy");
    for mode in [&[][..], &["-O"][..]] {
        // Download (scp over SFTP by default; -O: the legacy protocol, `scp -f` remotely).
        let run = run_for(
            &mut transfer(
                "scp",
                mode,
                &[format!("{target}:.bashrc"), got.display().to_string()],
            ),
            None,
            Duration::from_secs(15),
        );
        assert!(
            run.status.is_some() && !run.succeeded(),
            "scp {mode:?}: {run}"
        );
        assert!(!got.exists(), "scp {mode:?} copied a file out");
        // Upload.
        let dropped = lab.markers.join("uploaded");
        let run = run_for(
            &mut transfer(
                "scp",
                mode,
                &[
                    lab.key.with_extension("pub").display().to_string(),
                    format!("{target}:{}", dropped.display()),
                ],
            ),
            None,
            Duration::from_secs(15),
        );
        assert!(
            run.status.is_some() && !run.succeeded(),
            "scp up {mode:?}: {run}"
        );
        assert!(!dropped.exists(), "scp {mode:?} copied a file in");
    }
}

/// (4) Environment injection. The proof is a pair of tripwires, not a log line:
/// * LD_PRELOAD: a shared library whose constructor writes a marker file whenever a process
///   loads it (bash, then caisse, if the variable reached the session);
/// * SHELLOPTS=xtrace with PS4='$(echo … >> marker)': the forced command runs through the
///   cashier's login shell (`bash -c COMMAND`), which would expand PS4 before running it.
///   (BASH_ENV would prove nothing here: bash started by sshd reads ~/.bashrc instead and
///   never looks at BASH_ENV.)
///
/// Both tripwires are first shown to fire for the cashier through `bash -c` with SSH_CLIENT
/// set (bash's "run by sshd" path); then no marker may appear after the sessions that try to
/// smuggle them in: SetEnv, SendEnv, ~/.ssh/environment, `environment=` in authorized_keys.
/// sshd's log adds the reason ("Ignoring env request … disallowed name"); LANG, allowed by
/// AcceptEnv, shows the same log would say "Setting env" had a variable got through.
fn escape_by_environment(lab: &Lab) {
    let evil_c = lab.root.join("bin/evil.c");
    let evil = lab.root.join("bin/evil.so");
    let preload_marker = lab.markers.join("ld_preload");
    let xtrace_marker = lab.markers.join("xtrace");
    fs::write(
        &evil_c,
        format!(
            "#include <fcntl.h>\n#include <unistd.h>\n\
             __attribute__((constructor)) static void tripwire(void) {{\n\
             int fd = open(\"{}\", O_WRONLY | O_CREAT | O_APPEND, 0666);\n\
             if (fd >= 0) {{ write(fd, \"loaded\\n\", 7); close(fd); }}\n}}\n",
            preload_marker.display()
        ),
    )
    .unwrap();
    must(
        Command::new("cc")
            .args(["-shared", "-fPIC", "-o"])
            .arg(&evil)
            .arg(&evil_c),
    );
    chmod(&evil, 0o755);
    let preload = format!("LD_PRELOAD={}", evil.display());
    let ps4 = format!("PS4=$(echo xtrace >> {})", xtrace_marker.display());

    // The tripwires fire for the cashier, through bash -c as sshd runs the forced command.
    lab.clear_markers();
    let control = lab.as_cashier(&[
        "env",
        "SSH_CLIENT=127.0.0.1 40000 22",
        &preload,
        "SHELLOPTS=xtrace",
        &ps4,
        "/bin/bash",
        "-c",
        "/bin/true",
    ]);
    assert!(control.succeeded(), "{control}");
    for marker in [&preload_marker, &xtrace_marker] {
        let meta = fs::metadata(marker).unwrap_or_else(|_| {
            panic!(
                "the tripwire {} did not fire in the control run: {control}",
                marker.display()
            )
        });
        assert_eq!(meta.uid(), lab.cashier.uid);
    }
    lab.clear_markers();

    // SetEnv and SendEnv. LD_PRELOAD goes by SetEnv only (in the client's own environment
    // it would load the library into ssh itself). ssh keeps only the first SetEnv option:
    // every variable goes in that one, space-separated.
    let set_env = format!(
        "SetEnv={preload} SHELLOPTS=xtrace CAISSE_SOCKET={} CAISSE_DB=/tmp/elsewhere.db \
         LANG=C.UTF-8",
        lab.markers.join("other.sock").display()
    );
    let (run, log) = lab.session(
        lab.ssh(
            &[
                "-o",
                &set_env,
                "-o",
                "SendEnv=PS4",
                "-o",
                "SendEnv=CAISSE_CONFIG",
            ],
            &[],
        )
        .env("PS4", ps4.strip_prefix("PS4=").unwrap())
        .env("CAISSE_CONFIG", lab.markers.join("other.toml")),
        None,
    );
    assert!(
        lab.markers_present().is_empty(),
        "SetEnv/SendEnv reached the session: markers {:?}\n{run}",
        lab.markers_present()
    );
    lab.assert_forced(&log);
    for name in [
        "LD_PRELOAD",
        "SHELLOPTS",
        "PS4",
        "CAISSE_SOCKET",
        "CAISSE_DB",
        "CAISSE_CONFIG",
    ] {
        let ignored = format!("Ignoring env request {name}: disallowed name");
        assert!(
            log.contains(&ignored),
            "sshd did not log « {ignored} »:\n{log}"
        );
        assert!(
            !log.contains(&format!(": {name}=")),
            "sshd set {name}:\n{log}"
        );
    }
    assert!(
        log.contains(": LANG=C.UTF-8") && log.contains("Setting env"),
        "the control variable LANG was not set (are sshd's debug lines there?):\n{log}"
    );

    // ~/.ssh/environment and environment="…" in authorized_keys: PermitUserEnvironment no.
    let env_file = lab.cashier.home.join(".ssh/environment");
    fs::write(&env_file, format!("{preload}\nSHELLOPTS=xtrace\n{ps4}\n")).unwrap();
    chown(&env_file, &lab.cashier);
    chmod(&env_file, 0o600);
    lab.install_authorized_keys(&format!(
        "environment=\"{preload}\",environment=\"SHELLOPTS=xtrace\",environment=\"{ps4}\""
    ));
    let (run, log) = lab.session(&mut lab.ssh(&[], &[]), None);
    fs::remove_file(&env_file).unwrap();
    lab.install_authorized_keys("");
    assert!(
        lab.markers_present().is_empty(),
        "~/.ssh/environment or environment= reached the session: {:?}\n{run}",
        lab.markers_present()
    );
    lab.assert_forced(&log);
}

/// (6) As the cashier's Unix user: the service's config, its secrets and the journal are
/// out of reach; the socket is reachable by name but its directory cannot be listed.
fn escape_by_reading_files(lab: &Lab) {
    for file in [&lab.config, &lab.secrets, &lab.journal] {
        assert!(file.exists(), "{} should exist", file.display());
        let run = lab.as_cashier(&["cat", file.to_str().unwrap()]);
        assert!(
            !run.succeeded() && run.stderr.contains("Permission denied"),
            "the cashier read {}: {run}",
            file.display()
        );
        assert!(!run.stdout.contains("sk_live"), "{run}");
    }
    let dir = lab.socket.parent().unwrap().to_str().unwrap().to_owned();
    let run = lab.as_cashier(&["ls", &dir]);
    assert!(
        !run.succeeded() && run.stderr.contains("Permission denied"),
        "the cashier listed {dir}: {run}"
    );
    let run = lab.as_cashier(&["test", "-S", lab.socket.to_str().unwrap()]);
    assert!(
        run.succeeded(),
        "the cashier cannot reach the socket by name: {run}"
    );
}

/// (7) Agent (-A) and X11 (-Y) forwarding. The cashier can run no command to look for
/// SSH_AUTH_SOCK or DISPLAY, so the checks are sshd's own: its log says it refused each
/// request because of the configuration (the global config allows both, so only the Match
/// block can cause these lines), the client reports the X11 refusal, and no agent socket
/// directory (/tmp/ssh-*) owned by the cashier appears. The last check alone would be
/// indirect; the log lines are the direct evidence.
fn escape_by_agent_and_x11(lab: &mut Lab) {
    let agent_sock = lab.client_dir().join("agent.sock");
    let agent = Command::new("ssh-agent")
        .arg("-D")
        .arg("-a")
        .arg(&agent_sock)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    lab.agent = Some(agent);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !agent_sock.exists() {
        assert!(Instant::now() < deadline, "ssh-agent did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let agent_dirs = || -> Vec<PathBuf> {
        fs::read_dir("/tmp")
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("ssh-"))
            .filter(|e| e.metadata().is_ok_and(|m| m.uid() == lab.cashier.uid))
            .map(|e| e.path())
            .collect()
    };
    let before = agent_dirs();
    let (run, log) = lab.session(
        lab.ssh(&["-A", "-Y", "-v"], &[])
            .env("SSH_AUTH_SOCK", &agent_sock)
            .env("DISPLAY", "127.0.0.1:0"),
        None,
    );
    assert!(
        run.stderr
            .contains("Requesting authentication agent forwarding")
            && run.stderr.contains("Requesting X11 forwarding"),
        "the client did not ask (so the test would prove nothing): {run}"
    );
    assert!(log.contains("agent forwarding disabled"), "{log}");
    assert!(
        log.contains("X11 forwarding disabled in server configuration file"),
        "{log}"
    );
    assert!(
        run.stderr.contains("X11 forwarding request failed"),
        "{run}"
    );
    assert_eq!(
        agent_dirs(),
        before,
        "an agent socket appeared for the cashier"
    );
}

/// (5) and the sale: Ctrl-C / Ctrl-Z / Ctrl-\ in the kiosk, a payment left waiting when the
/// connection drops, approved meanwhile, found settled at the next login.
fn sale_survives_a_dropped_connection(lab: &mut Lab, sandbox: &str) {
    fs::write(&lab.tmux_conf, "set -g remain-on-exit on\n").unwrap();
    let login = format!(
        "env -i PATH=/usr/bin:/bin HOME={home} TERM=xterm-256color LANG=C.UTF-8 \
         ssh {opts} -p {port} -o SendEnv=LANG -t {target}",
        home = lab.client_dir().display(),
        opts = lab.ssh_options().join(" "),
        port = lab.port,
        target = lab.target(),
    );

    let t = Tmux::run_with(Some(&lab.tmux_conf), &login, 100, 30);
    t.wait_for("Code PIN", SCREEN);
    let alive = |t: &Tmux, what: &str| {
        t.keys(&["C-c", "C-z", "C-\\"]);
        wait::stays("the kiosk alive", Duration::from_millis(800), || {
            !t.pane_dead()
        });
        let screen = t.screen();
        assert!(
            !t.pane_dead() && screen.contains(what),
            "Ctrl-C/Z/\\ left the kiosk:\n{screen}"
        );
        assert!(
            !screen.contains(&format!("{}@", lab.cashier.name)),
            "a shell prompt:\n{screen}"
        );
        assert!(
            !lab.kiosk_processes().is_empty(),
            "the kiosk process is gone"
        );
    };
    // (5) on the login screen; typing the PIN afterwards proves the app was not stopped.
    alive(&t, "Code PIN");
    t.text("1234");
    t.keys(&["Enter"]);
    t.wait_for("Que veut le client", SCREEN);
    alive(&t, "Que veut le client");

    // The first sale of tests/e2e_tmux.rs: a Wave cash-out of 1 500 FCFA.
    t.text("wave");
    t.keys(&["Enter"]);
    t.wait_for("Téléphone du client", SCREEN);
    t.text("772450000");
    t.keys(&["Enter"]);
    t.text("1500");
    t.keys(&["Enter"]);
    t.wait_for("Vérifiez avec le client", SCREEN);
    t.keys(&["Enter"]);
    let screen = t.wait_for("/deep/", SCREEN);
    let deep = link(&screen);
    assert!(
        deep.starts_with(&format!("{sandbox}/deep/")),
        "the link {deep} is not the service's sandbox {sandbox}"
    );
    let id = deep.rsplit('/').next().unwrap().to_owned();

    // The connection drops: the ssh client dies without a word, then its terminal.
    signal(t.pane_pid(), "-KILL");
    drop(t);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !lab.kiosk_processes().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the kiosk app outlived its SSH connection: {:?}",
            lab.kiosk_processes()
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Meanwhile the customer approves.
    let (status, body) = http("POST", &format!("{sandbox}/sandbox/customer/{id}/approve"));
    assert_eq!(status, 200, "approve: {body}");

    // Same cashier, next login: straight to that sale's payment screen, settled.
    let t = Tmux::run_with(Some(&lab.tmux_conf), &login, 100, 30);
    t.wait_for("Code PIN", SCREEN);
    t.text("1234");
    t.keys(&["Enter"]);
    let screen = t.wait_for("Paiement réussi", SCREEN);
    assert!(screen.contains("1 500 FCFA"), "not that sale:\n{screen}");
    drop(t);

    // The sandbox saw the operation once.
    let (status, body) = http("GET", &format!("{sandbox}/sandbox/transactions"));
    assert_eq!(status, 200, "{body}");
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    let list = list.as_array().expect("a JSON array");
    assert_eq!(list.len(), 1, "{body}");
    let op = &list[0];
    assert_eq!(op["transactionId"], id.as_str(), "{body}");
    assert_eq!(op["codeService"], "WAVE_SN_API_CASH_OUT", "{body}");
    assert_eq!(op["amount"], 1500, "{body}");
    assert_eq!(op["status"], "SUCCESS", "{body}");
    assert_eq!(op["operationAttempts"], 1, "sent more than once: {body}");

    // The journal (read as root once the service has stopped: opening it while the service
    // runs could leave root-owned -wal/-shm files the service can no longer write).
    if let Some(mut serve) = lab.serve.take() {
        signal(serve.id(), "-TERM");
        reap(&mut serve, Duration::from_secs(10));
    }
    let rows = Journal::open(&lab.journal)
        .unwrap()
        .list_since(0, 100)
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:#?}");
    let row = &rows[0];
    assert_eq!(row.status, TxStatus::Success, "{row:#?}");
    assert_eq!(row.cashier, "awa", "{row:#?}");
    assert!(row.terminal.starts_with("ssh"), "{row:#?}");
    assert_eq!(
        (row.service.as_str(), row.amount),
        ("WAVE_SN_API_CASH_OUT", Some(1500)),
        "{row:#?}"
    );
    assert_eq!(row.gateway_tx_id.as_deref(), Some(id.as_str()), "{row:#?}");
}
