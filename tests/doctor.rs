//! `caisse doctor` with the real binary against a real shop set-up in a temporary
//! directory: the sandbox (`caisse sandbox`, real HTTP) as the gateway, `caisse serve` with
//! its callback listener, the configuration 0600, the journal's directory 0700, the socket's
//! 0711, all owned by the user running the tests (passed as `--service-user`, so that the
//! tests mean the same run as root, as in CI, or not). Each test breaks one thing and
//! checks that exactly that line is « à corriger », with the command that fixes it, and
//! that doctor exits 9.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

#[path = "support/pg.rs"]
mod pg;

const BIN: &str = env!("CARGO_BIN_EXE_caisse");
const KEY: &str = "doctor-test-key-5f2a";
/// How long a child may take to say it is ready.
const READY: Duration = Duration::from_secs(30);

/// A child process killed when the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `command` started with stderr read on a thread; returns once a line holds `ready`, with
/// that line. The rest of stderr keeps being drained so the child never blocks on it.
fn start(mut command: Command, ready: &str) -> (Running, String) {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let ready = ready.to_owned();
    std::thread::spawn(move || {
        let mut told = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if !told && line.contains(&ready) {
                let _ = tx.send(line);
                told = true;
            }
        }
    });
    let running = Running(child);
    let line = rx
        .recv_timeout(READY)
        .expect("the child never said it was ready");
    (running, line)
}

fn clean(command: &mut Command, home: &Path) {
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("xdg-config"))
        .env("XDG_DATA_HOME", home.join("xdg-data"));
}

/// `caisse sandbox` on a free port, accepting `key`, its clock `offset` seconds off.
fn sandbox(home: &Path, key: &str, offset: i64) -> (Running, String) {
    let mut command = Command::new(BIN);
    clean(&mut command, home);
    command.args(["sandbox", "--listen", "127.0.0.1:0", "--api-key", key]);
    command.arg(format!("--clock-offset-secs={offset}"));
    let (running, line) = start(command, "Sandbox caisse à l'écoute sur ");
    let url = line
        .rsplit(' ')
        .next()
        .expect("the banner ends with the URL")
        .to_owned();
    (running, url)
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The user running the tests, by name (`id -un`).
fn me() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The shop's directories laid out as the unit lays them out.
struct Shop {
    home: tempfile::TempDir,
    config: PathBuf,
    socket: PathBuf,
}

fn mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

impl Shop {
    /// `gateway`: the Intech URL; `printer`: its `host:port`; `callback_url`: the default is
    /// the listener's own loopback address.
    fn new(gateway: &str, printer: &str, callback_url: Option<&str>) -> Shop {
        let home = tempfile::tempdir().unwrap();
        mode(home.path(), 0o755);
        let etc = home.path().join("etc");
        let lib = home.path().join("lib");
        let run = home.path().join("run");
        for (dir, m) in [(&etc, 0o755), (&lib, 0o700), (&run, 0o711)] {
            std::fs::create_dir(dir).unwrap();
            mode(dir, m);
        }
        let listen = closed_port();
        let callback_url = callback_url
            .map(str::to_owned)
            .unwrap_or_else(|| format!("http://127.0.0.1:{listen}/intech-callback"));
        let socket = run.join("caisse.sock");
        let config = etc.join("config.toml");
        std::fs::write(
            &config,
            format!(
                "[intech]\nurl = \"{gateway}\"\napi_key = \"{KEY}\"\n\n\
                 [callback]\nurl = \"{callback_url}\"\nlisten = \"127.0.0.1:{listen}\"\n\n\
                 [journal]\npath = \"{}\"\n\n[serve]\nsocket = \"{}\"\n\n\
                 [shop]\nname = \"Boutique Médina\"\nlow_balance = 20000\n\n\
                 [printer]\naddress = \"{printer}\"\n",
                lib.join("journal.db").display(),
                socket.display()
            ),
        )
        .unwrap();
        mode(&config, 0o600);
        Shop {
            home,
            config,
            socket,
        }
    }

    /// `caisse serve` on this shop, ready when it says it listens on the socket.
    fn serve(&self) -> Running {
        let mut command = Command::new(BIN);
        clean(&mut command, self.home.path());
        command.arg("serve").arg("--config").arg(&self.config);
        start(command, "à l'écoute sur").0
    }

    fn doctor(&self) -> Output {
        let mut command = Command::new(BIN);
        clean(&mut command, self.home.path());
        command
            .arg("doctor")
            .arg("--config")
            .arg(&self.config)
            .args(["--service-user", &me()])
            .output()
            .unwrap()
    }
}

/// stdout, checked free of the API key.
fn stdout(out: &Output) -> String {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !text.contains(KEY) && !stderr.contains(KEY),
        "the key was shown:\n{text}{stderr}"
    );
    text
}

/// The names of the checks « à corriger ».
fn to_fix(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("à corriger"))
        .map(|rest| rest.trim_start().split(" : ").next().unwrap().to_owned())
        .collect()
}

/// The line of check `name` and the fix line under it.
fn failure<'a>(text: &'a str, name: &str) -> (&'a str, &'a str) {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("à corriger") && l.contains(&format!(" {name} : ")))
        .unwrap_or_else(|| panic!("no « à corriger » line for {name}:\n{text}"));
    let fix = lines[at + 1]
        .trim_start()
        .strip_prefix("pour corriger : ")
        .unwrap_or_else(|| panic!("no fix under {name}:\n{text}"));
    (lines[at], fix)
}

/// A printer's port: a listener that accepts (the kernel's backlog answers the connect).
fn printer() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    (listener, address)
}

#[test]
fn a_correct_shop_passes_every_check_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, url) = sandbox(dir.path(), KEY, 0);
    let (_printer, printer) = printer();
    let shop = Shop::new(&url, &printer, None);
    let _service = shop.serve();
    let out = shop.doctor();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(to_fix(&text).is_empty(), "{text}");
    for name in [
        "Fichier de configuration",
        "Dossier du journal",
        "Fichiers du journal",
        "Dossier du socket",
        "Configuration",
        "Passerelle Intech",
        "Horloge",
        "URL de callback",
        "Écouteur des callbacks",
        "Espace disque",
        "Imprimante",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("OK ") && l.contains(&format!(" {name} : "))),
            "{name} is not OK:\n{text}"
        );
    }
    assert!(
        text.contains("clé acceptée ; solde : 250 000 FCFA"),
        "{text}"
    );
    assert!(
        text.contains("mène bien à l'écouteur de cette boutique"),
        "{text}"
    );
    assert!(text.contains("non configuré  Siège"), "{text}");
    assert!(text.contains("Tout est en ordre"), "{text}");
    assert!(shop.socket.exists());
    // The listener's `GET …/sante` answered without a trace: any other GET on the callback
    // path is a rejected callback, recorded with a sample.
    let journal = rusqlite::Connection::open(shop.home.path().join("lib/journal.db")).unwrap();
    for table in ["callback_rejections", "callback_samples"] {
        let rows: i64 = journal
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0, "{table}");
    }
}

#[test]
fn a_fresh_install_without_keys_is_demo_mode_to_fix_and_nothing_is_written() {
    let shop = Shop::new("http://127.0.0.1:1", "127.0.0.1:1", None);
    // What a package installs: a configuration with no gateway yet.
    std::fs::write(
        &shop.config,
        format!(
            "[journal]\npath = \"{}\"\n[shop]\nname = \"Boutique Médina\"\n",
            shop.home.path().join("lib/journal.db").display()
        ),
    )
    .unwrap();
    let out = shop.doctor();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(9), "{text}");
    let (line, fix) = failure(&text, "Passerelle");
    assert!(
        line.contains("mode démo : aucune passerelle réelle"),
        "{line}"
    );
    assert!(fix.contains("[intech] api_key"), "{fix}");
    // Doctor only looks: no journal (nor demo journal) appears.
    let lib: Vec<_> = std::fs::read_dir(shop.home.path().join("lib"))
        .unwrap()
        .collect();
    assert!(lib.is_empty(), "{lib:?}");
}

#[test]
fn a_configuration_readable_by_all_is_to_fix_with_chmod_600() {
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, url) = sandbox(dir.path(), KEY, 0);
    let (_printer, printer) = printer();
    let shop = Shop::new(&url, &printer, None);
    let _service = shop.serve();
    // After the start: the service itself refuses a key file readable by all.
    mode(&shop.config, 0o644);
    let out = shop.doctor();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(9), "{text}");
    assert_eq!(to_fix(&text), ["Fichier de configuration"], "{text}");
    let (line, fix) = failure(&text, "Fichier de configuration");
    assert!(line.contains("droits 0644"), "{line}");
    assert!(
        fix.ends_with(&format!("chmod 600 {}", shop.config.display())),
        "{fix}"
    );
}

#[test]
fn a_gateway_that_is_down_is_to_fix() {
    let (_printer, printer) = printer();
    let down = format!("http://127.0.0.1:{}", closed_port());
    let shop = Shop::new(&down, &printer, None);
    let _service = shop.serve();
    let out = shop.doctor();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(9), "{text}");
    assert_eq!(to_fix(&text), ["Passerelle Intech"], "{text}");
    let (line, fix) = failure(&text, "Passerelle Intech");
    assert!(line.contains("connexion refusée"), "{line}");
    assert!(fix.contains("[intech] url"), "{fix}");
    // No gateway, no clock to compare: said, not failed.
    assert!(
        text.contains("attention      Horloge : non vérifiée"),
        "{text}"
    );
}

#[test]
fn a_gateway_that_never_answers_is_to_fix_after_its_timeout() {
    // Connections are accepted (the kernel's backlog) and never read: a dead link that
    // looks alive. Doctor must still end, and say so.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let (_printer, printer) = printer();
    let shop = Shop::new(&url, &printer, None);
    let _service = shop.serve();
    let out = shop.doctor();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(9), "{text}");
    assert_eq!(to_fix(&text), ["Passerelle Intech"], "{text}");
    let (line, fix) = failure(&text, "Passerelle Intech");
    assert!(
        line.contains(&format!("{url} ne répond pas en 5 s")),
        "{line}"
    );
    assert!(fix.starts_with("ping -c 3 127.0.0.1"), "{fix}");
    drop(silent);
}

#[test]
fn a_key_the_gateway_refuses_is_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, url) = sandbox(dir.path(), "the-gateway-s-own-key", 0);
    let (_printer, printer) = printer();
    let shop = Shop::new(&url, &printer, None);
    let _service = shop.serve();
    let out = shop.doctor();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(9), "{text}");
    assert_eq!(to_fix(&text), ["Passerelle Intech"], "{text}");
    let (line, fix) = failure(&text, "Passerelle Intech");
    assert!(line.contains("clé API refusée"), "{line}");
    assert!(
        fix.starts_with(&format!("editor {}", shop.config.display()))
            || fix.starts_with(&format!("sudo editor {}", shop.config.display())),
        "{fix}"
    );
    assert!(fix.contains("[intech] api_key"), "{fix}");
}

#[test]
fn a_clock_ten_minutes_off_the_gateway_is_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, url) = sandbox(dir.path(), KEY, 600);
    let (_printer, printer) = printer();
    let shop = Shop::new(&url, &printer, None);
    let _service = shop.serve();
    let out = shop.doctor();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(9), "{text}");
    assert_eq!(to_fix(&text), ["Horloge"], "{text}");
    let (line, fix) = failure(&text, "Horloge");
    // The offset is shown; a second either way for the request's own time.
    assert!(
        ["599", "600", "601"]
            .iter()
            .any(|s| line.contains(&format!("en retard de {s} s"))),
        "{line}"
    );
    assert!(fix.ends_with("timedatectl set-ntp true"), "{fix}");
}

#[test]
fn a_plain_http_callback_url_off_the_loopback_is_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, url) = sandbox(dir.path(), KEY, 0);
    let (_printer, printer) = printer();
    let shop = Shop::new(
        &url,
        &printer,
        Some("http://boutique-medina.example.sn/intech-callback"),
    );
    // caisse serve refuses this configuration: doctor says why, on the callback's line.
    let out = shop.doctor();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(9), "{text}");
    let (line, fix) = failure(&text, "URL de callback");
    assert!(line.contains("HTTPS"), "{line}");
    assert!(line.contains("http://boutique-medina.example.sn"), "{line}");
    assert!(fix.contains(&shop.config.display().to_string()), "{fix}");
}

#[test]
fn a_printer_at_a_closed_port_is_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, url) = sandbox(dir.path(), KEY, 0);
    let printer = format!("127.0.0.1:{}", closed_port());
    let shop = Shop::new(&url, &printer, None);
    let _service = shop.serve();
    let out = shop.doctor();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(9), "{text}");
    assert_eq!(to_fix(&text), ["Imprimante"], "{text}");
    let (line, fix) = failure(&text, "Imprimante");
    assert!(
        line.contains(&format!("{printer} injoignable : connexion refusée")),
        "{line}"
    );
    assert!(fix.contains("[printer] address"), "{fix}");
}

#[test]
fn a_head_office_that_does_not_answer_is_to_fix_and_its_password_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, url) = sandbox(dir.path(), KEY, 0);
    let (_printer, printer) = printer();
    let shop = Shop::new(&url, &printer, None);
    let _service = shop.serve();
    // Added after the start: the service would replicate (and retry) on its own.
    let password = "mot-de-passe-du-siege-8c1";
    let port = closed_port();
    let mut text = std::fs::read_to_string(&shop.config).unwrap();
    text.push_str(&format!(
        "\n[hq]\nurl = \"postgres://caisse_shop_medina:{password}@127.0.0.1:{port}/hq\"\n\
         shop_id = \"medina\"\n"
    ));
    std::fs::write(&shop.config, text).unwrap();
    let out = shop.doctor();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(9), "{text}");
    assert_eq!(to_fix(&text), ["Siège"], "{text}");
    let (line, _) = failure(&text, "Siège");
    assert!(line.contains(&format!("127.0.0.1:{port}")), "{line}");
    assert!(!text.contains(password), "{text}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains(password));
}

/// `caisse hq ARGS` with the head office's administrator, `stdin` typed in.
fn hq(cluster: &pg::Cluster, home: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut command = Command::new(BIN);
    clean(&mut command, home);
    let mut child = command
        .arg("hq")
        .args(args)
        .env("CAISSE_HQ_ADMIN_URL", cluster.admin_url())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_head_office_that_answers_is_ok_and_says_when_it_last_received() {
    let cluster = pg::Cluster::start();
    let dir = tempfile::tempdir().unwrap();
    let password = "mot-de-passe-medina-41d";
    let out = hq(&cluster, dir.path(), &["migrate"], "");
    assert!(out.status.success(), "{out:?}");
    let out = hq(
        &cluster,
        dir.path(),
        &["add-shop", "medina", "--password-stdin"],
        &format!("{password}\n"),
    );
    assert!(out.status.success(), "{out:?}");
    let (_sandbox, url) = sandbox(dir.path(), KEY, 0);
    let (_printer, printer) = printer();
    let shop = Shop::new(&url, &printer, None);
    let role = cluster.url(&caisse::hq::role_name("medina"), password, cluster.port);
    let mut text = std::fs::read_to_string(&shop.config).unwrap();
    text.push_str(&format!("\n[hq]\nurl = \"{role}\"\nshop_id = \"medina\"\n"));
    std::fs::write(&shop.config, text).unwrap();
    let _service = shop.serve();
    let out = shop.doctor();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("OK ") && l.contains(" Siège : "))
        .unwrap_or_else(|| panic!("no OK line for the head office:\n{text}"));
    assert!(line.contains("joignable (boutique medina)"), "{line}");
    assert!(
        line.contains("dernier envoi reçu il y a") || line.contains("rien reçu"),
        "{line}"
    );
    assert!(!text.contains(password), "{text}");
}

#[test]
fn json_says_the_same_for_a_script() {
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, url) = sandbox(dir.path(), KEY, 600);
    let (_printer, printer) = printer();
    let shop = Shop::new(&url, &printer, None);
    let _service = shop.serve();
    let mut command = Command::new(BIN);
    clean(&mut command, shop.home.path());
    let out = command
        .arg("doctor")
        .arg("--json")
        .arg("--config")
        .arg(&shop.config)
        .args(["--service-user", &me()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(value["ok"], false);
    let failing: Vec<&serde_json::Value> = value["verifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["statut"] == "a_corriger")
        .collect();
    assert_eq!(failing.len(), 1, "{value}");
    assert_eq!(failing[0]["verification"], "Horloge");
    assert!(
        failing[0]["commande"]
            .as_str()
            .unwrap()
            .ends_with("timedatectl set-ntp true")
    );
}
