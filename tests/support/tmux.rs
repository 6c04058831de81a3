//! Driving the real binary in a real terminal: tmux sessions (own server per test), keys,
//! screen captures, and the sandbox's customer endpoint. Shared by the end-to-end tests
//! (`support::tmux`).
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    /// `caisse` in demo mode, with its journal in `home`.
    pub fn start(home: &Path, width: u16, height: u16) -> Tmux {
        let journal = home.join("journal.db");
        let cmd = format!(
            "env -i PATH={} HOME={} TERM=xterm-256color LANG=C.UTF-8 CAISSE_DB={} {}",
            std::env::var("PATH").unwrap_or_default(),
            home.display(),
            journal.display(),
            env!("CARGO_BIN_EXE_caisse")
        );
        Tmux::run(&cmd, width, height)
    }

    /// Any shell command line in a new tmux server of its own.
    pub fn run(cmd: &str, width: u16, height: u16) -> Tmux {
        Tmux::run_with(None, cmd, width, height)
    }

    /// [`Tmux::run`] with a tmux configuration file (UTF-8 forced, as for an SSH client).
    pub fn run_with(conf: Option<&Path>, cmd: &str, width: u16, height: u16) -> Tmux {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let socket = format!("caisse-e2e-{}-{n}", std::process::id());
        let mut tmux = Command::new("tmux");
        if let Some(conf) = conf {
            tmux.env("LANG", "C.UTF-8").arg("-u").arg("-f").arg(conf);
        }
        let status = tmux
            .args([
                "-L",
                &socket,
                "new-session",
                "-d",
                "-s",
                "main",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                cmd,
            ])
            .status()
            .expect("tmux is needed for the end-to-end test (apt-get install tmux)");
        assert!(status.success());
        Tmux { socket }
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let status = Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", "-t", "main", k])
                .status()
                .unwrap();
            assert!(status.success());
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    pub fn text(&self, text: &str) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "main", "-l", text])
            .status()
            .unwrap();
        assert!(status.success());
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Raw bytes, in one write to the pane (what a paste or a terminal's answer looks like).
    pub fn bytes(&self, bytes: &[u8]) {
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "main", "-H"])
            .args(&hex)
            .status()
            .unwrap();
        assert!(status.success());
        std::thread::sleep(Duration::from_millis(150));
    }

    /// `text` pasted as a terminal pastes it: bracketed (marked) when the app asked for it.
    pub fn paste(&self, text: &str) {
        let set = Command::new("tmux")
            .args(["-L", &self.socket, "set-buffer", "-b", "paste", "--", text])
            .status()
            .unwrap();
        assert!(set.success());
        let pasted = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "paste-buffer",
                "-p",
                "-d",
                "-b",
                "paste",
            ])
            .args(["-t", "main"])
            .status()
            .unwrap();
        assert!(pasted.success());
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "main"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn wait_for(&self, what: &str, within: Duration) -> String {
        self.wait_until(
            &format!("« {what} »"),
            |screen| screen.contains(what),
            within,
        )
    }

    /// Waits for a screen that `ok` accepts (`what` says what it is, for the failure).
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(Instant::now() < deadline, "never saw {what} on:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Resizes the terminal (the app gets SIGWINCH).
    pub fn resize(&self, width: u16, height: u16) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "resize-window", "-t", "main"])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Tmux {
    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// The screen with its colours, as SGR escape sequences.
    pub fn tmux_capture_with_escapes(&self) -> String {
        self.tmux(&["capture-pane", "-e", "-p", "-t", "main"])
    }

    /// Keep the pane (and its last screen) when its program ends.
    pub fn remain_on_exit(&self) {
        self.tmux(&["set-option", "-g", "remain-on-exit", "on"]);
    }

    /// The pid of the pane's program (`env` execs caisse: the app's own pid).
    pub fn pane_pid(&self) -> u32 {
        self.tmux(&["list-panes", "-F", "#{pane_pid}"])
            .parse()
            .unwrap()
    }

    pub fn pane_dead(&self) -> bool {
        self.tmux(&["list-panes", "-F", "#{pane_dead}"]) == "1"
    }

    /// Waits until the pane's program has ended; false if it still runs after `within`.
    pub fn wait_dead(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if self.pane_dead() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.pane_dead()
    }

    /// Whether the window heard the bell (BEL) since it started (tmux keeps the flag).
    pub fn bell_rang(&self) -> bool {
        self.tmux(&["display-message", "-p", "-t", "main", "#{window_bell_flag}"]) == "1"
    }

    /// Whether the pane is still in the alternate screen (a TUI that did not restore).
    pub fn alternate_on(&self) -> bool {
        self.tmux(&["display-message", "-p", "-t", "main", "#{alternate_on}"]) == "1"
    }
}

/// Sends a signal to a process.
pub fn kill(signal: &str, pid: u32) {
    let ok = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {signal} {pid}");
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

/// The first loopback link on the screen (the sandbox's customer page).
pub fn link(screen: &str) -> String {
    let start = screen
        .find("http://127.0.0.1:")
        .expect("a link on the screen");
    screen[start..]
        .split(|c: char| c.is_whitespace() || c == '│')
        .next()
        .unwrap()
        .to_owned()
}

pub fn approve(link: &str) {
    let (base, rest) = link.split_at(link[7..].find('/').unwrap() + 7);
    let id = rest.rsplit('/').next().unwrap();
    let out = Command::new("curl")
        .args([
            "-s",
            "-X",
            "POST",
            &format!("{base}/sandbox/customer/{id}/approve"),
        ])
        .output();
    match out {
        Ok(o) if o.status.success() => {}
        _ => {
            // Without curl, a plain HTTP/1.1 request over a socket.
            use std::io::{Read, Write};
            let host = base.trim_start_matches("http://");
            let mut s = std::net::TcpStream::connect(host).unwrap();
            write!(s, "POST /sandbox/customer/{id}/approve HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
            let mut reply = String::new();
            s.read_to_string(&mut reply).unwrap();
            assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        }
    }
}
