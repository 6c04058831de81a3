//! `caisse drawer open|status|close` as a cashier uses them: the real binary, its journal
//! and a sandbox, the balance read through the engine.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use caisse::sandbox::{self, SandboxConfig, SandboxHandle};

mod support;
use support::cli::{self, text};

const KEY: &str = "cli-drawer-key";

async fn sandbox() -> SandboxHandle {
    let config = SandboxConfig {
        api_key: KEY.into(),
        processing_delay: Duration::from_millis(30),
        settle_delay: Duration::from_millis(30),
        auto_approve_delay: Duration::from_millis(300),
        payment_timeout: Duration::from_secs(2),
        status_window: Duration::from_secs(2),
        initial_balance: 250_000.0,
        ..SandboxConfig::default()
    };
    sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

/// The line of `t` that starts with `label`.
fn line<'a>(t: &'a str, label: &str) -> &'a str {
    t.lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no « {label} » in:\n{t}"))
}

fn run(home: &Path, sb: &SandboxHandle, args: &[&str]) -> Output {
    cli::caisse(home, Some((sb.url(), KEY)))
        .args(args)
        .env("USER", "awa")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_day_s_drawer_opens_counts_a_withdrawal_and_closes_with_its_gap() {
    let sb = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    tokio::task::block_in_place(|| {
        let out = run(h, &sb, &["drawer", "open", "--cash", "20 000"]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(0), "{t}");
        assert!(t.contains("Fond de caisse      : 20 000 FCFA"), "{t}");
        let opening = line(&t, "Solde à l'ouverture").to_owned();
        assert!(opening.contains("FCFA"), "the balance was read: {t}");

        // A second opening is refused, in French, and changes nothing.
        let again = run(h, &sb, &["drawer", "open", "--cash", "5000"]);
        assert_eq!(again.status.code(), Some(2), "{}", text(&again));
        assert!(text(&again).contains("déjà ouvert"), "{}", text(&again));

        // A withdrawal the customer approves (…88): 1 500 FCFA handed out.
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
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));

        let out = run(h, &sb, &["drawer", "status"]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(0), "{t}");
        assert!(t.contains("Espèces attendues   : 18 500 FCFA"), "{t}");
        assert!(t.contains("sorties espèces 1 500 FCFA"), "{t}");

        // 500 FCFA short in the drawer: the gap is shown and flagged.
        let out = run(h, &sb, &["drawer", "close", "--cash", "18000"]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(0), "{t}");
        assert!(t.contains("Tiroir fermé."), "{t}");
        assert!(t.contains("Espèces comptées    : 18 000 FCFA"), "{t}");
        assert!(line(&t, "Écart espèces").contains("-500 FCFA ⚠"), "{t}");
        // The sandbox credited the withdrawal to the balance: as expected, no gap.
        assert!(t.contains("Solde attendu       : 251 500 FCFA"), "{t}");
        assert!(line(&t, "Écart solde").contains(": 0 FCFA ✓"), "{t}");

        // Closed: no drawer until the next opening.
        let out = run(h, &sb, &["drawer", "status"]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains("aucun tiroir ouvert"), "{}", text(&out));
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn a_counted_amount_that_is_not_a_number_is_refused_in_french() {
    let sb = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    tokio::task::block_in_place(|| {
        for bad in ["--cash=-5", "--cash=douze"] {
            let out = run(home.path(), &sb, &["drawer", "open", bad]);
            let t = text(&out);
            assert_eq!(out.status.code(), Some(2), "{t}");
            assert!(t.contains("montant invalide"), "{t}");
        }
        // Nothing was opened.
        let out = run(home.path(), &sb, &["drawer", "status"]);
        assert!(text(&out).contains("aucun tiroir ouvert"), "{}", text(&out));
    });
}
