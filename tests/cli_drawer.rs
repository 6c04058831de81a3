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

/// `caisse drawer …` through the service (its socket), as `cashier` with `pin`.
fn through(service: &support::service::Service, cashier: &str, pin: &str, args: &[&str]) -> Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_caisse"))
        .arg("drawer")
        .args(args)
        .arg("--socket")
        .arg(&service.socket)
        .args(["--cashier", cashier])
        .env("HOME", service.db.parent().unwrap())
        .env_remove("CAISSE_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    writeln!(child.stdin.take().unwrap(), "{pin}").unwrap();
    child.wait_with_output().unwrap()
}

/// Through `caisse serve`: awa opens her own drawer (the service reads the balance), a
/// cashier may not see the others' drawers, the supervisor sees hers; she closes it with
/// her count and the gap; the drawer is the service's journal's, in awa's name.
#[test]
fn through_the_service_a_cashier_opens_and_closes_her_own_drawer() {
    let dir = tempfile::tempdir().unwrap();
    let service = support::service::start(dir.path(), None);

    let out = through(&service, "awa", "1234", &["open", "--cash", "15000"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("Fond de caisse      : 15 000 FCFA"), "{t}");
    assert!(line(&t, "Solde à l'ouverture").contains("FCFA"), "{t}");

    let again = through(&service, "awa", "1234", &["open", "--cash", "1"]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("déjà ouvert"), "{}", text(&again));

    let out = through(&service, "awa", "1234", &["status", "--all"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("réservé au superviseur"),
        "{}",
        text(&out)
    );

    let out = through(&service, "chef", "9999", &["status", "--all"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(line(&t, "Caissier").contains("awa"), "{t}");
    assert!(t.contains("Espèces attendues   : 15 000 FCFA"), "{t}");

    // The float is the supervisor's.
    let out = through(&service, "awa", "1234", &["float"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = through(&service, "chef", "9999", &["float"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        line(&text(&out), "Solde de la passerelle").contains("FCFA"),
        "{}",
        text(&out)
    );

    // The supervisor has no drawer of their own open.
    let out = through(&service, "chef", "9999", &["status"]);
    assert!(text(&out).contains("aucun tiroir ouvert"), "{}", text(&out));

    let out = through(&service, "awa", "1234", &["close", "--cash", "15250"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("Tiroir fermé."), "{t}");
    assert!(line(&t, "Écart espèces").contains("250 FCFA ⚠"), "{t}");
    assert!(line(&t, "Écart solde").contains(": 0 FCFA ✓"), "{t}");

    let cashier: String = rusqlite::Connection::open(&service.db)
        .unwrap()
        .query_row(
            "SELECT cashier FROM drawers WHERE closed_at IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(cashier, "awa");
}

/// `caisse drawer float`: each run reads the balance (recorded); a rise no sale explains
/// is a refill. The gateway here is two sandboxes in turn, the second one with 150 000
/// FCFA more (the shop's refill, as the gateway reports it): below the threshold at first,
/// then above it with the refill listed.
#[tokio::test(flavor = "multi_thread")]
async fn the_float_shows_since_when_it_is_low_and_the_refill_of_the_day() {
    let low = sandbox().await;
    let refilled = sandbox::spawn(
        SandboxConfig {
            api_key: KEY.into(),
            initial_balance: 400_000.0,
            ..SandboxConfig::default()
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let config = h.join("config.toml");
    std::fs::write(&config, "[shop]\nlow_balance = 300000\n").unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let float = |sb: &SandboxHandle| {
        let config = config.to_str().unwrap().to_owned();
        run(h, sb, &["--config", &config, "drawer", "float"])
    };
    tokio::task::block_in_place(|| {
        let out = float(&low);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(0), "{t}");
        assert!(
            line(&t, "Solde de la passerelle").contains("250 000 FCFA"),
            "{t}"
        );
        assert!(t.contains("Seuil d'alerte         : 300 000 FCFA"), "{t}");
        assert!(line(&t, "Sous le seuil depuis").ends_with('⚠'), "{t}");
        assert!(t.contains("Approvisionnements du jour : aucun"), "{t}");

        let out = float(&refilled);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(0), "{t}");
        assert!(
            line(&t, "Solde de la passerelle").contains("400 000 FCFA"),
            "{t}"
        );
        assert!(t.contains("Sous le seuil          : non ✓"), "{t}");
        assert!(
            t.contains("+150 000 FCFA (solde 400 000 FCFA)"),
            "the refill is recorded: {t}"
        );
    });
}
