//! Issue 13: a receipt sent by WhatsApp through Intech's own service (`caisse receipt ID
//! --whatsapp`), the real binary against a sandbox over HTTP, locally and through
//! `caisse serve`: the cost and the text first, nothing sent without `--yes` (exit 2), then
//! one message of its own, journaled and linked to the sale, whose text the sandbox
//! received.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use caisse::journal::Journal;
use caisse::sandbox::{self, SandboxConfig, SandboxHandle};
use serde_json::Value;

mod support;
use support::cli::{self, text};

const KEY: &str = "cli-whatsapp-key";

async fn sandbox() -> SandboxHandle {
    let config = SandboxConfig {
        api_key: KEY.into(),
        processing_delay: Duration::from_millis(30),
        settle_delay: Duration::from_millis(30),
        status_window: Duration::from_secs(2),
        ..SandboxConfig::default()
    };
    sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

/// `caisse` with the home's `config.toml` (the shop's `[shop]`) when there is one.
fn run(home: &Path, sb: &SandboxHandle, args: &[&str]) -> Output {
    let mut command = cli::caisse(home, Some((sb.url(), KEY)));
    let config = home.join("config.toml");
    if config.exists() {
        command.arg("--config").arg(config);
    }
    command.args(args).output().unwrap()
}

/// The sandbox's records of WhatsApp messages.
async fn messages(sandbox_url: &str) -> Vec<Value> {
    let list: Vec<Value> = reqwest::get(format!("{sandbox_url}/sandbox/transactions"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list.into_iter()
        .filter(|r| r["codeService"] == "WHATSAPP_MESSAGING")
        .collect()
}

/// A successful deposit to 77 245 71 00, paid through the sandbox: its id.
fn sale(home: &Path, sb: &SandboxHandle) -> String {
    let out = run(
        home,
        sb,
        &[
            "pay",
            "--service",
            "WAVE_SN_API_CASH_IN",
            "--phone",
            "772457100",
            "--amount",
            "1000",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    Journal::open(&home.join("journal.db"))
        .unwrap()
        .list_since(0, 10)
        .unwrap()[0]
        .external_id
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receipt_goes_by_whatsapp_only_once_confirmed_as_its_own_linked_operation() {
    let sb = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    // The shop's fee per message, known before the first one is sent.
    let config = h.join("config.toml");
    std::fs::write(
        &config,
        "[shop]\nname = \"Boutique Awa\"\nwhatsapp_fee = 25\n",
    )
    .unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let id = tokio::task::block_in_place(|| sale(h, &sb));

    // Without --yes: the cost and the message, exit 2, nothing sent.
    let out = tokio::task::block_in_place(|| run(h, &sb, &["receipt", &id, "--whatsapp"]));
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("Coût pour la boutique : 25 FCFA"), "{t}");
    assert!(t.contains("+221772457100"), "{t}");
    assert!(t.contains("*REÇU N° 000001*"), "{t}");
    assert!(t.contains("reçu non envoyé"), "{t}");
    assert!(t.contains("--yes"), "{t}");
    assert!(messages(&sb.url()).await.is_empty());
    assert_eq!(
        Journal::open(&h.join("journal.db"))
            .unwrap()
            .list_since(0, 10)
            .unwrap()
            .len(),
        1
    );

    // With --yes: sent once, followed to its end, exit 0.
    let out = tokio::task::block_in_place(|| run(h, &sb, &["receipt", &id, "--whatsapp", "--yes"]));
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("✓ Reçu envoyé par WhatsApp"), "{t}");
    let sent = messages(&sb.url()).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["phone"], "+221772457100");
    let message = sent[0]["message"].as_str().unwrap();
    for want in [
        "*Boutique Awa*",
        "*REÇU N° 000001*",
        "Client : 77*****00",
        "Montant : 1 000 FCFA",
        "Statut : RÉUSSI",
        &format!("Référence : {id}"),
    ] {
        assert!(message.contains(want), "« {want} » missing from\n{message}");
    }
    assert!(!message.contains("772457100"), "{message}");

    // Its own operation in the journal, linked to the sale, final, with the fee charged.
    let journal = Journal::open(&h.join("journal.db")).unwrap();
    let rows = journal.list_since(0, 10).unwrap();
    let msg = rows
        .iter()
        .find(|r| r.service == "WHATSAPP_MESSAGING")
        .expect("the message's own row");
    assert_ne!(msg.external_id, id);
    assert_eq!(msg.fields["receiptOf"], id.as_str());
    assert_eq!(msg.status, caisse::domain::TxStatus::Success);
    assert_eq!(msg.amount, Some(25));
    assert_eq!(msg.receipt_no, Some(2));
    // The link is the journal's: the gateway got only the service's own fields.
    assert!(sent[0].get("receiptOf").is_none());
    // `caisse status` of the message names its sale.
    let out = tokio::task::block_in_place(|| run(h, &sb, &["status", &msg.external_id]));
    assert!(
        text(&out).contains(&format!("Reçu WhatsApp de la vente {id}")),
        "{}",
        text(&out)
    );
}

/// Through `caisse serve` (demo mode: its sandbox, its `[shop]`, the demo's fee): the
/// cashier's own sale's receipt, the cost asked, then sent under the cashier's name.
#[test]
fn a_receipt_goes_by_whatsapp_through_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let service = support::service::start(dir.path(), Some("[shop]\nname = \"Boutique Awa\"\n"));
    let cli = |args: &[&str]| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_caisse"))
            .arg("--socket")
            .arg(&service.socket)
            .args(args)
            .args(["--cashier", "awa"])
            .env("HOME", dir.path())
            .env_remove("CAISSE_CONFIG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(b"1234\n").unwrap();
        child.wait_with_output().unwrap()
    };
    let out = cli(&[
        "pay",
        "--service",
        "WAVE_SN_API_CASH_IN",
        "--phone",
        "772457100",
        "--amount",
        "1000",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let id = Journal::open(&service.db)
        .unwrap()
        .list_since(0, 10)
        .unwrap()[0]
        .external_id
        .clone();
    let out = cli(&["receipt", &id, "--whatsapp"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("Coût pour la boutique : 25 FCFA"), "{t}");
    let out = cli(&["receipt", &id, "--whatsapp", "--yes"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("✓ Reçu envoyé par WhatsApp"), "{t}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sent = rt.block_on(messages(&service.sandbox));
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0]["message"]
            .as_str()
            .unwrap()
            .contains("Client : 77*****00")
    );
    let rows = Journal::open(&service.db)
        .unwrap()
        .list_since(0, 10)
        .unwrap();
    let msg = rows
        .iter()
        .find(|r| r.service == "WHATSAPP_MESSAGING")
        .unwrap();
    assert_eq!(msg.fields["receiptOf"], id.as_str());
    assert_eq!(msg.cashier, "awa");
}
