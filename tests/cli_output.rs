//! What the command line prints, as a script or a file receives it: the real binary against
//! a sandbox (real HTTP). Colours only on a terminal and never with `NO_COLOR` (the QR then
//! in plain block characters that still scan), `--service` required, `journal --json` one
//! JSON array, and `services` naming its Débit/Crédit column.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use caisse::sandbox::{self, SandboxConfig, SandboxHandle};

mod support;
use support::tmux::Tmux;

const KEY: &str = "cli-output-key";

async fn sandbox() -> SandboxHandle {
    let config = SandboxConfig {
        api_key: KEY.into(),
        ..SandboxConfig::default()
    };
    sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

/// The environment of every run: the sandbox, a journal in `home`, nothing else.
fn vars(home: &Path, sb: &SandboxHandle) -> Vec<(&'static str, String)> {
    vec![
        ("PATH", std::env::var("PATH").unwrap_or_default()),
        ("HOME", home.display().to_string()),
        ("XDG_CONFIG_HOME", home.join("config").display().to_string()),
        ("XDG_DATA_HOME", home.join("data").display().to_string()),
        ("CAISSE_INTECH_URL", sb.url()),
        ("CAISSE_INTECH_API_KEY", KEY.into()),
        ("CAISSE_DB", home.join("journal.db").display().to_string()),
    ]
}

fn caisse(home: &Path, sb: &SandboxHandle, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caisse"));
    cmd.args(args).env_clear().envs(vars(home, sb));
    cmd
}

fn run(home: &Path, sb: &SandboxHandle, args: &[&str]) -> Output {
    caisse(home, sb, args).output().unwrap()
}

const PAY: [&str; 8] = [
    "pay",
    "--service",
    "WAVE_SN_API_CASH_OUT",
    "--phone",
    "772457100",
    "--amount",
    "1500",
    "--no-wait",
];

/// The link printed after the QR.
fn link(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("Lien à scanner ou à ouvrir : "))
        .expect("the link is printed")
        .trim()
        .to_owned()
}

/// Reads a QR printed in plain half blocks (light text on a dark screen: a block is a
/// light module) with the QR decoder the tests use.
fn decode_plain(text: &str) -> Option<String> {
    let rows: Vec<Vec<(bool, bool)>> = text
        .lines()
        .filter(|l| l.chars().count() > 20 && l.chars().all(|c| "█▀▄ ".contains(c)))
        .map(|l| {
            l.chars()
                .map(|c| match c {
                    '█' => (false, false),
                    '▀' => (false, true),
                    '▄' => (true, false),
                    _ => (true, true),
                })
                .collect()
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let scale = 3;
    let w = rows[0].len() * scale;
    let h = rows.len() * 2 * scale;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let (top, bottom) = rows[y / (2 * scale)][x / scale];
        let dark = if (y / scale) % 2 == 0 { top } else { bottom };
        if dark { 0 } else { 255 }
    });
    let grids = img.detect_grids();
    Some(grids.first()?.decode().ok()?.1)
}

#[tokio::test(flavor = "multi_thread")]
async fn pay_into_a_file_writes_a_plain_qr_that_scans() {
    let sb = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("sortie.txt");
    let status = tokio::task::block_in_place(|| {
        caisse(home.path(), &sb, &PAY)
            .stdout(std::fs::File::create(&file).unwrap())
            .stderr(Stdio::null())
            .status()
            .unwrap()
    });
    assert_eq!(status.code(), Some(7), "sent, pending");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains('\x1b'), "no colour codes in a file:\n{text}");
    let link = link(&text);
    assert_eq!(
        decode_plain(&text).as_deref(),
        Some(link.as_str()),
        "{text}"
    );
    sb.shutdown().await;
}

/// In a real terminal: colours by default, none with `NO_COLOR` (the QR in blocks then).
#[tokio::test(flavor = "multi_thread")]
async fn on_a_terminal_colours_unless_no_color() {
    let sb = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    for no_color in [false, true] {
        let mut env: Vec<String> = vars(home.path(), &sb)
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        env.push("TERM=xterm-256color".into());
        env.push("LANG=C.UTF-8".into());
        if no_color {
            env.push("NO_COLOR=1".into());
        }
        // The same sale twice in one journal: the second on purpose.
        let cmd = format!(
            "env -i {} {} {} --allow-duplicate; echo FIN; sleep 600",
            env.join(" "),
            env!("CARGO_BIN_EXE_caisse"),
            PAY.join(" ")
        );
        let t = Tmux::run(&cmd, 100, 60);
        t.wait_for("FIN", Duration::from_secs(20));
        let coloured = t.tmux_capture_with_escapes();
        let screen = t.screen();
        if no_color {
            assert!(
                !coloured.contains('\x1b'),
                "NO_COLOR: no colour:\n{coloured}"
            );
            assert_eq!(decode_plain(&screen), Some(link(&screen)), "{screen}");
        } else {
            assert!(
                coloured.contains("\x1b[30m"),
                "a terminal gets the QR in colours:\n{coloured}"
            );
        }
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn service_is_required_journal_json_is_an_array_services_says_debit_credit() {
    let sb = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    tokio::task::block_in_place(|| {
        // An empty journal: an empty array.
        let out = run(h, &sb, &["journal", "--json"]);
        assert_eq!(out.status.code(), Some(0));
        let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(all, serde_json::json!([]));

        // No --service: refused before anything is sent, and --help shows no empty default.
        let out = run(h, &sb, &["pay", "--phone", "772457100", "--amount", "1500"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("--service"), "{err}");
        let out = run(h, &sb, &["pay", "--help"]);
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(!help.contains("[default: ]"), "{help}");

        // Two sales (the second on purpose), then the journal as one JSON document.
        let mut again = PAY.to_vec();
        again.push("--allow-duplicate");
        for sale in [&PAY[..], &again] {
            assert_eq!(run(h, &sb, sale).status.code(), Some(7));
        }
        let out = run(h, &sb, &["journal", "--json"]);
        assert_eq!(out.status.code(), Some(0));
        let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let rows = all.as_array().expect("a JSON array");
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r["service"] == "WAVE_SN_API_CASH_OUT"));

        // The merchant's account column: named for what it says.
        let out = run(h, &sb, &["services"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let header = stdout.lines().next().unwrap();
        assert!(header.contains("Débit/Crédit"), "{header}");
        assert!(!header.contains("Solde"), "{header}");
        let direction = |code: &str| {
            let line = stdout.lines().find(|l| l.starts_with(code)).unwrap();
            line.split_whitespace().last().unwrap().to_owned()
        };
        assert_eq!(direction("WAVE_SN_API_CASH_OUT"), "Crédit");
        assert_eq!(direction("WAVE_SN_API_CASH_IN"), "Débit");
    });
    sb.shutdown().await;
}

/// Issue 14 (4): the app's logs never go to the screen; `--help` says where they go.
#[test]
fn help_says_where_the_apps_log_file_is() {
    let home = tempfile::tempdir().unwrap();
    let out = support::cli::caisse(home.path(), None)
        .arg("--help")
        .output()
        .unwrap();
    let text = support::cli::text(&out);
    let path = home.path().join(".local/state/caisse/caisse.log");
    assert!(
        text.contains(&format!("{}", path.display())),
        "the log's path is not in --help: {text}"
    );
}
