//! The sandbox's start-up pieces (public URL, banner, command-line arguments), as functions.
//! Its HTTP behaviour is tested from outside, in `tests/sandbox/`.

use super::*;

#[test]
fn public_url_uses_loopback_for_unspecified_addresses() {
    assert_eq!(
        public_url("0.0.0.0:8085".parse().unwrap()),
        "http://127.0.0.1:8085"
    );
    assert_eq!(
        public_url("127.0.0.1:80".parse().unwrap()),
        "http://127.0.0.1:80"
    );
    assert_eq!(
        public_url("[::]:8085".parse().unwrap()),
        "http://[::1]:8085"
    );
}

#[test]
fn the_banner_names_the_urls_and_hides_a_real_key() {
    let demo = banner("http://127.0.0.1:8085", &SandboxConfig::default());
    assert!(demo.contains("http://127.0.0.1:8085/api-services"));
    assert!(demo.contains("demo-intech-key"));
    assert!(demo.contains("…94") && demo.contains("…98"));
    let real = SandboxConfig {
        api_key: "secret-key-123".into(),
        ..SandboxConfig::default()
    };
    assert!(!banner("http://127.0.0.1:8085", &real).contains("secret-key-123"));
}

#[test]
fn args_give_the_config() {
    use clap::Parser;
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: SandboxArgs,
    }
    let cli = Cli::parse_from([
        "caisse",
        "--processing-ms",
        "5",
        "--hmac-secret",
        "s",
        "--listen",
        "0.0.0.0:9000",
    ]);
    let config = cli.args.config();
    assert_eq!(config.processing_delay, Duration::from_millis(5));
    assert_eq!(config.hmac_secret.as_deref(), Some("s"));
    assert_eq!(config.initial_balance, 250_000.0);
    assert_eq!(cli.args.listen(), "0.0.0.0:9000".parse().unwrap());
    assert_eq!(config.status_limit, 3);
    // `caisse sandbox` refuses identical operations within a minute unless told otherwise.
    assert_eq!(config.duplicate_window, Some(DUPLICATE_WINDOW));
    assert!(!config.nested_bills && !config.test_account && !config.intram_errors_http_200);
    let cli = Cli::parse_from([
        "caisse",
        "--duplicate-window-secs",
        "0",
        "--nested-bills",
        "--test-account",
        "--intram-errors-http-200",
    ]);
    let config = cli.args.config();
    assert_eq!(config.duplicate_window, None);
    assert!(config.nested_bills && config.test_account && config.intram_errors_http_200);
    // The library's default (demo mode, tests) leaves the duplicate rule off.
    assert_eq!(SandboxConfig::default().duplicate_window, None);
}
