//! `caisse pay`, `status`, `journal` and `reconcile` as a cashier or a script uses them: the
//! real binary against a sandbox, with documented exit codes.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use caisse::sandbox::{self, SandboxConfig, SandboxHandle};

mod support;
use support::cli::{self, text};

const KEY: &str = "cli-pay-key";

async fn sandbox() -> SandboxHandle {
    let config = SandboxConfig {
        api_key: KEY.into(),
        processing_delay: Duration::from_millis(30),
        settle_delay: Duration::from_millis(30),
        auto_approve_delay: Duration::from_millis(300),
        payment_timeout: Duration::from_secs(2),
        // Time runs 30 times faster: 3 status calls per 2 s, here and in the engine.
        status_window: Duration::from_secs(2),
        ..SandboxConfig::default()
    };
    sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

fn run(home: &Path, sb: &SandboxHandle, args: &[&str]) -> Output {
    cli::caisse(home, Some((sb.url(), KEY)))
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn pay_shows_the_qr_waits_and_exits_by_outcome() {
    let sb = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    tokio::task::block_in_place(|| {
        // A cash-out the customer approves by themself (…88): QR, link, then success, exit 0.
        let out = run(
            h,
            &sb,
            &[
                "pay",
                "--service",
                "WAVE_SN_API_CASH_OUT",
                "--phone",
                "772457188",
                "--amount",
                "1500",
            ],
        );
        let t = text(&out);
        assert_eq!(out.status.code(), Some(0), "{t}");
        assert!(t.contains("▀"), "a QR is drawn: {t}");
        assert!(t.contains("/deep/"), "{t}");
        assert!(t.contains("✓ Paiement réussi : 1 500 FCFA"), "{t}");

        // Refused at once (…92): exit 1 with the French message.
        let out = run(
            h,
            &sb,
            &[
                "pay",
                "--service",
                "ORANGE_SN_API_CASH_IN",
                "--phone",
                "772450092",
                "--amount",
                "1000",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains("Orange Money"));

        // Never validated (…95 on a cash-out): expired, exit 6.
        let out = run(
            h,
            &sb,
            &[
                "pay",
                "--service",
                "WAVE_SN_API_CASH_OUT",
                "--phone",
                "772457195",
                "--amount",
                "1500",
                "--wait-secs",
                "20",
            ],
        );
        assert_eq!(out.status.code(), Some(6), "{}", text(&out));

        // Bad input: exit 2, nothing written.
        let out = run(
            h,
            &sb,
            &[
                "pay",
                "--service",
                "WAVE_SN_API_CASH_OUT",
                "--phone",
                "12",
                "--amount",
                "1500",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains("9 chiffres"));

        // --no-wait with a bad account: refused locally before anything is sent.
        let out = run(
            h,
            &sb,
            &[
                "pay",
                "--service",
                "SENELEC_SN_BILL_PAY",
                "--phone",
                "772457199",
                "--amount",
                "1000",
                "--no-wait",
                "--field",
                "accountNumber=2105",
                "--field",
                "billReference=123",
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(2),
            "an account of 4 characters is refused locally: {}",
            text(&out)
        );

        let out = run(h, &sb, &["journal", "--json"]);
        assert_eq!(out.status.code(), Some(0));
        let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let lines = all.as_array().expect("one JSON array");
        assert_eq!(lines.len(), 3, "three sales reached the journal");
        let statuses: Vec<&str> = lines
            .iter()
            .map(|l| l["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["EXPIRED", "FAILED", "SUCCESS"], "newest first");
        let first = lines[2]["external_id"].as_str().unwrap().to_owned();

        let out = run(h, &sb, &["status", &first, "--refresh"]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(0), "{t}");
        assert!(
            t.contains("réussi") && t.contains("intent") && t.contains("reply"),
            "{t}"
        );
        let out = run(h, &sb, &["journal", "--today"]);
        assert!(text(&out).contains("3 opération(s)"));
        let out = run(h, &sb, &["reconcile", "--wait-secs", "2"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(text(&out).contains("0 réglée(s), 0 en attente, 0 inconnue(s)"));
    });
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_identical_sale_is_refused_with_exit_2_unless_allowed() {
    let sb = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    tokio::task::block_in_place(|| {
        let sale = [
            "pay",
            "--service",
            "WAVE_SN_API_CASH_OUT",
            "--phone",
            "772450000",
            "--amount",
            "1000",
            "--no-wait",
        ];
        let first = run(h, &sb, &sale);
        assert_ne!(first.status.code(), Some(2), "{}", text(&first));
        let second = run(h, &sb, &sale);
        assert_eq!(second.status.code(), Some(2), "{}", text(&second));
        assert!(
            text(&second).contains("Vente identique"),
            "{}",
            text(&second)
        );
        assert!(
            text(&second).contains("--allow-duplicate"),
            "{}",
            text(&second)
        );
        // Nothing of the refused one reached the gateway.
        assert_eq!(sent(&sb), 1);
        let mut allowed = sale.to_vec();
        allowed.push("--allow-duplicate");
        let third = run(h, &sb, &allowed);
        assert_ne!(third.status.code(), Some(2), "{}", text(&third));
        assert_eq!(sent(&sb), 2);
    });
}

/// How many operations reached the sandbox.
fn sent(sb: &SandboxHandle) -> usize {
    let url = format!("{}/sandbox/transactions", sb.url());
    tokio::runtime::Handle::current().block_on(async {
        let all: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        all.as_array().unwrap().len()
    })
}

/// Issue 12 (12): a cash-out without a link tells what the customer does, from the same
/// table as the app.
#[tokio::test(flavor = "multi_thread")]
async fn a_free_cash_out_says_the_customer_confirms_on_the_phone() {
    let sb = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let out = tokio::task::block_in_place(|| {
        run(
            home.path(),
            &sb,
            &[
                "pay",
                "--service",
                "FREE_SN_WALLET_CASH_OUT",
                "--phone",
                "762450000",
                "--amount",
                "1000",
                "--no-wait",
            ],
        )
    });
    let t = text(&out);
    assert!(
        t.contains("Le client confirme le paiement sur son téléphone"),
        "{t}"
    );
    assert!(!t.contains("Lien à scanner"), "{t}");
}
