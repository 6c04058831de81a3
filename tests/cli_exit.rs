//! The exit codes the README documents, for operations not final yet: the real binary
//! against a sandbox (real HTTP). `pay --no-wait` on a pending payment, `status` of a
//! pending operation and `reconcile` leaving one pending exit 7; once the customer has
//! paid, `reconcile` and `status` exit 0.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use caisse::sandbox::{self, SandboxConfig, SandboxHandle};

mod support;
use support::cli::{self, text};
use support::tmux::approve;

const KEY: &str = "cli-exit-key";

/// A sandbox where a payment stays pending until the customer acts (15 minutes).
async fn sandbox() -> SandboxHandle {
    let config = SandboxConfig {
        api_key: KEY.into(),
        processing_delay: Duration::from_millis(30),
        settle_delay: Duration::from_millis(30),
        // Time runs 30 times faster: 3 status calls per 2 s, here and in the engine.
        status_window: Duration::from_secs(2),
        ..SandboxConfig::default()
    };
    sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

/// `pay --no-wait` of a Wave cash-out the customer has not approved yet: its id and link.
fn pay_no_wait(home: &Path, sb: &SandboxHandle, phone: &str) -> (String, String) {
    let out = run(
        home,
        sb,
        &[
            "pay",
            "--service",
            "WAVE_SN_API_CASH_OUT",
            "--phone",
            phone,
            "--amount",
            "1500",
            "--no-wait",
        ],
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(7), "pending, not final: {t}");
    assert!(t.contains("en attente"), "{t}");
    let id = t
        .lines()
        .find_map(|l| l.strip_prefix("Opération "))
        .and_then(|l| l.split(' ').next())
        .expect("the operation's id")
        .to_owned();
    let link = t
        .lines()
        .find_map(|l| l.strip_prefix("Lien à scanner ou à ouvrir : "))
        .expect("the customer's link")
        .trim()
        .to_owned();
    (id, link)
}

fn run(home: &Path, sb: &SandboxHandle, args: &[&str]) -> Output {
    cli::caisse(home, Some((sb.url(), KEY)))
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_payment_not_final_yet_exits_7_until_it_is_paid() {
    let sb = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    tokio::task::block_in_place(|| {
        let (id, link) = pay_no_wait(h, &sb, "772457100");

        let out = run(h, &sb, &["status", &id]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(7), "{t}");
        assert!(t.contains(&id), "the status is printed first: {t}");

        let out = run(h, &sb, &["reconcile", "--wait-secs", "1"]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(7), "left pending: {t}");
        assert!(t.contains("1 en attente"), "{t}");

        // The customer pays: reconcile settles it, then both exit 0.
        approve(&link);
        let out = run(h, &sb, &["reconcile", "--wait-secs", "30"]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(0), "{t}");
        assert!(t.contains("1 réglée(s), 0 en attente"), "{t}");
        let out = run(h, &sb, &["status", &id]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    });
    sb.shutdown().await;
}
