//! A throwaway PostgreSQL cluster for a test: `initdb` (Debian's, from
//! `/usr/lib/postgresql/*/bin`) in a temporary directory, run as `nobody` when the tests run
//! as root (PostgreSQL refuses root; CI runs as root), on its own free port on the loopback
//! with its Unix socket in the same directory; stopped and removed on drop. The superuser
//! `postgres` logs in with a password over TCP (SCRAM), as a head office's would. With
//! PostgreSQL not installed the test fails and says how to install it: never a silent pass.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const ADMIN_PASSWORD: &str = "admin-test-password";

pub struct Cluster {
    pub dir: tempfile::TempDir,
    pub port: u16,
    bin: PathBuf,
    as_nobody: bool,
}

/// The newest PostgreSQL installed by Debian's packages.
fn bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL n'est pas installé (aucun /usr/lib/postgresql/*/bin/initdb) : \
             apt-get install postgresql (.ci/run le fait) ; ces tests ne passent pas sans lui"
        ),
    }
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Cluster {
    /// A new cluster, started.
    pub fn start() -> Cluster {
        let bin = bin_dir();
        let as_nobody = unsafe { libc::geteuid() } == 0;
        let dir = tempfile::Builder::new()
            .prefix("caisse-pg")
            .tempdir()
            .unwrap();
        let cluster = Cluster {
            port: free_port(),
            dir,
            bin,
            as_nobody,
        };
        if as_nobody {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(cluster.dir.path(), std::fs::Permissions::from_mode(0o755))
                .unwrap();
            let status = Command::new("chown")
                .args(["nobody:nogroup"])
                .arg(cluster.dir.path())
                .status()
                .unwrap();
            assert!(status.success(), "chown nobody of the cluster's directory");
        }
        let pwfile = cluster.dir.path().join("pw");
        std::fs::write(&pwfile, ADMIN_PASSWORD).unwrap();
        if as_nobody {
            Command::new("chown")
                .args(["nobody:nogroup"])
                .arg(&pwfile)
                .status()
                .unwrap();
        }
        let data = cluster.data();
        let out = cluster.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "--pwfile",
                pwfile.to_str().unwrap(),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        );
        assert!(out.status.success(), "initdb: {}", text(&out));
        // The port was free when drawn; another cluster may take it before this one
        // starts (tests run side by side): then another port.
        let mut cluster = cluster;
        let mut tries = 0;
        while let Err(e) = cluster.try_start() {
            tries += 1;
            assert!(tries < 5, "pg_ctl start: {e}");
            cluster.port = free_port();
        }
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs a PostgreSQL program as the cluster's owner.
    fn run(&self, program: &str, args: &[&str]) -> Output {
        let path = self.bin.join(program);
        let mut cmd = if self.as_nobody {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        cmd.args(args)
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::null());
        cmd.output().unwrap()
    }

    fn pg_ctl_start(&self) {
        if let Err(e) = self.try_start() {
            panic!("pg_ctl start: {e}");
        }
    }

    fn try_start(&self) -> Result<(), String> {
        let data = self.data();
        let log = self.dir.path().join("log");
        let options = format!(
            "-c port={} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
             -c fsync=off -c full_page_writes=off -c max_connections=40",
            self.port,
            self.dir.path().display()
        );
        let out = self.run(
            "pg_ctl",
            &[
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                data.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-o",
                &options,
            ],
        );
        if out.status.success() {
            return Ok(());
        }
        Err(format!(
            "{} {}",
            text(&out),
            std::fs::read_to_string(&log).unwrap_or_default()
        ))
    }

    /// Killed: `pg_ctl stop -m immediate` (no checkpoint, sessions cut, as a crash).
    pub fn kill(&self) {
        let data = self.data();
        let out = self.run(
            "pg_ctl",
            &[
                "stop",
                "-w",
                "-m",
                "immediate",
                "-D",
                data.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "pg_ctl stop: {}", text(&out));
    }

    /// Started again after [`kill`](Self::kill), on the same port (crash recovery first).
    pub fn restart(&self) {
        self.pg_ctl_start();
    }

    /// The superuser's URL over TCP.
    pub fn admin_url(&self) -> String {
        format!(
            "postgres://postgres:{ADMIN_PASSWORD}@127.0.0.1:{}/postgres",
            self.port
        )
    }

    /// A role's URL, through `port` (the cluster's, or a proxy's in front of it).
    pub fn url(&self, role: &str, password: &str, port: u16) -> String {
        format!("postgres://{role}:{password}@127.0.0.1:{port}/postgres")
    }

    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self.run(
            "pg_ctl",
            &[
                "stop",
                "-w",
                "-m",
                "immediate",
                "-D",
                data.to_str().unwrap(),
            ],
        );
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
