//! The real `caisse` binary against an in-process sandbox (real HTTP), and against a dead
//! address: readable French output, documented exit codes, and never the API key.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};

use caisse::sandbox::{self, SandboxConfig, SandboxHandle};

const CANARY_KEY: &str = "canary-api-key-7f3a9c";

async fn sandbox_with_canary_key() -> SandboxHandle {
    let config = SandboxConfig {
        api_key: CANARY_KEY.into(),
        ..SandboxConfig::default()
    };
    sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

/// Runs the binary with a clean environment: no config file from the developer's home,
/// only the variables given.
async fn caisse(home: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caisse"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"));
    for (k, v) in vars {
        cmd.env(k, v);
    }
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn services_balance_errors_and_bills_print_french_tables() {
    let sandbox = sandbox_with_canary_key().await;
    let home = tempfile::tempdir().unwrap();
    let url = sandbox.url();
    // Logging at trace level too: the key must not leak through logs either.
    let vars = [
        ("CAISSE_INTECH_URL", url.as_str()),
        ("CAISSE_INTECH_API_KEY", CANARY_KEY),
        ("CAISSE_LOG", "trace"),
    ];

    let out = caisse(home.path(), &["services"], &vars).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.starts_with("Code service"), "{stdout}");
    assert!(
        stdout.contains("WAVE_SN_API_CASH_OUT") && stdout.contains("Crédit"),
        "{stdout}"
    );
    assert!(
        stdout.contains("SENELEC_SN_BILL_PAY") && stdout.contains("Débit"),
        "{stdout}"
    );
    assert!(!stdout.contains(CANARY_KEY) && !stderr.contains(CANARY_KEY));

    let out = caisse(home.path(), &["balance"], &vars).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout, "Solde : 250 000 FCFA (XOF)\n");
    assert!(!stderr.contains(CANARY_KEY));

    let out = caisse(home.path(), &["errors"], &vars).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("insufficient_balance") && stdout.contains("payment-timeout"));
    assert!(!stderr.contains(CANARY_KEY));

    // Accounts ending in 3 have three pending bills in the sandbox.
    let args = [
        "bills",
        "--service",
        "SENELEC_SN_BILL_PAY",
        "--account",
        "21050176023",
    ];
    let out = caisse(home.path(), &args, &vars).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("Référence") && stdout.contains("FCFA"),
        "{stdout}"
    );
    assert!(stdout.contains("3 facture(s)"), "{stdout}");
    assert!(stdout.contains("Nom client"), "{stdout}");
    assert!(!stderr.contains(CANARY_KEY) && !stdout.contains(CANARY_KEY));

    // Accounts ending in 0 have none.
    let args = [
        "bills",
        "--service",
        "SENEAU_SN_BILL_PAY",
        "--account",
        "106032682910",
    ];
    let out = caisse(home.path(), &args, &vars).await;
    assert!(out.status.success());
    assert!(text(&out).0.contains("Aucune facture"));

    // Accounts ending in 4 are refused by the gateway: exit 1 with its message.
    let args = [
        "bills",
        "--service",
        "SENELEC_SN_BILL_PAY",
        "--account",
        "21050176024",
    ];
    let out = caisse(home.path(), &args, &vars).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("Erreur : "), "{}", text(&out).1);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_never_leaves_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    // A dead URL proves nothing was sent: the error is the local one.
    let vars = [
        ("CAISSE_INTECH_URL", "http://127.0.0.1:9"),
        ("CAISSE_INTECH_API_KEY", "k"),
    ];
    let out = caisse(
        home.path(),
        &[
            "bills",
            "--service",
            "SENELEC_SN_BILL_PAY",
            "--account",
            "12 34",
        ],
        &vars,
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("numéro de compte"));
    let out = caisse(
        home.path(),
        &[
            "bills",
            "--service",
            "WAVE_SN_API_CASH_OUT",
            "--account",
            "12345678",
        ],
        &vars,
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("SENELEC_SN_BILL_PAY"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_gateway_gives_a_clear_error_and_exit_4() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let home = tempfile::tempdir().unwrap();
    let vars = [
        ("CAISSE_INTECH_URL", dead.as_str()),
        ("CAISSE_INTECH_API_KEY", CANARY_KEY),
    ];
    for args in [
        &["services"][..],
        &["balance"],
        &["errors"],
        &[
            "bills",
            "--service",
            "SENELEC_SN_BILL_PAY",
            "--account",
            "21050176023",
        ],
    ] {
        let out = caisse(home.path(), args, &vars).await;
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(4), "{args:?}: {stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.starts_with("Erreur : "), "{stderr}");
        assert!(!stderr.contains(CANARY_KEY));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unsafe_or_missing_config_is_explained_in_french() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("caisse.toml");
    std::fs::write(
        &path,
        format!("[intech]\nurl = \"http://127.0.0.1:9\"\napi_key = \"{CANARY_KEY}\"\n"),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = caisse(
        home.path(),
        &["--config", path.to_str().unwrap(), "balance"],
        &[],
    )
    .await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("lisible par tous") && stderr.contains("chmod 600"),
        "{stderr}"
    );
    assert!(!stderr.contains(CANARY_KEY));

    let out = caisse(
        home.path(),
        &["balance"],
        &[("CAISSE_CONFIG", "/nonexistent/caisse.toml")],
    )
    .await;
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out).1.contains("introuvable"));
}

#[tokio::test(flavor = "multi_thread")]
async fn without_configuration_the_commands_run_on_the_demo_sandbox() {
    let home = tempfile::tempdir().unwrap();
    let out = caisse(home.path(), &["balance"], &[]).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("DÉMO"), "{stderr}");
    assert!(stdout.starts_with("Solde : "), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_has_help() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["sandbox", "--help"],
        &["services", "--help"],
        &["balance", "--help"],
        &["errors", "--help"],
        &["bills", "--help"],
    ] {
        let out = caisse(home.path(), args, &[]).await;
        assert!(out.status.success(), "{args:?}");
        assert!(text(&out).0.contains("Usage"), "{args:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fingerprint_prints_the_pin_and_explains_a_missing_file() {
    // Expected value: tests/fixtures/certs/expected.txt (computed once with openssl).
    let home = tempfile::tempdir().unwrap();
    let cert = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/certs/rsa.pem");
    let out = caisse(home.path(), &["fingerprint", cert], &[]).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(
        stdout,
        "Empreinte SHA-256 de la clé publique (à transmettre à Intech) :\n\
         ENdigMjsA7/3vzJnw86tIFmU9CBo4/AK6bYFpet40tw=\n\
         En hexadécimal : 10:D7:62:80:C8:EC:03:BF:F7:BF:32:67:C3:CE:AD:20:59:94:F4:20:68:E3:F0:0A:E9:B6:05:A5:EB:78:D2:DC\n"
    );

    let chain = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/certs/chain.pem"
    );
    let out = caisse(home.path(), &["fingerprint", chain], &[]).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("\nNZ5jP54OPAaoJ6m/BInsf4gkGVcQsukxvAPuUpljTAo=\n"),
        "{stdout}"
    );
    assert!(stderr.contains("ignoré"), "{stderr}");

    let missing = home.path().join("absent.pem");
    let out = caisse(
        home.path(),
        &["fingerprint", missing.to_str().unwrap()],
        &[],
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.starts_with("Erreur : fichier introuvable"),
        "{stderr}"
    );

    let out = caisse(home.path(), &["fingerprint", "--help"], &[]).await;
    assert!(out.status.success());
    assert!(text(&out).0.contains("Usage"));
}
