use super::*;
use std::collections::HashMap;

fn load_with(
    file: Option<(&str, u32)>,
    vars: &[(&str, &str)],
) -> (tempfile::TempDir, Result<Config, ConfigError>) {
    let dir = tempfile::tempdir().unwrap();
    if let Some((text, mode)) = file {
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let env = move |name: &str| vars.get(name).cloned();
    let sources = Sources {
        cli_path: None,
        env: &env,
        default_config_dir: Some(dir.path().to_path_buf()),
        default_data_dir: Some(dir.path().join("data")),
    };
    let result = load(&sources);
    (dir, result)
}

#[test]
fn nothing_configured_is_demo_mode() {
    let (dir, config) = load_with(None, &[]);
    let config = config.unwrap();
    assert!(config.is_demo());
    assert_eq!(config.journal_path, dir.path().join("data/journal.db"));
    assert_eq!(config.source, None);
}

#[test]
fn file_then_environment() {
    let text = "[intech]\nurl = \"http://file.example/\"\napi_key = \"file-key\"\ntimeout_secs = 90\n\
                [journal]\npath = \"/tmp/j.db\"\n";
    let (_dir, config) = load_with(Some((text, 0o600)), &[("CAISSE_INTECH_API_KEY", "env-key")]);
    let intech = config.unwrap().intech.unwrap();
    assert_eq!(intech.url, "http://file.example");
    assert_eq!(intech.api_key.expose(), "env-key");
    assert_eq!(intech.timeout, Duration::from_secs(90));

    let (_dir, config) = load_with(Some((text, 0o600)), &[("CAISSE_DB", "/x/y.db")]);
    assert_eq!(config.unwrap().journal_path, PathBuf::from("/x/y.db"));
}

#[test]
fn world_readable_file_with_a_secret_is_refused() {
    let text = "[intech]\napi_key = \"canary-secret-value\"\n";
    let (_dir, result) = load_with(Some((text, 0o644)), &[]);
    let err = result.unwrap_err();
    assert!(matches!(
        err,
        ConfigError::WorldReadable { mode: 0o644, .. }
    ));
    let shown = err.to_string();
    assert!(shown.contains("chmod 600"), "{shown}");
    assert!(!shown.contains("canary"), "{shown}");
    // Without a secret, a readable file is fine.
    let (_dir, result) = load_with(Some(("[ui]\nlanguage = \"en\"\n", 0o644)), &[]);
    assert_eq!(result.unwrap().language, Language::English);
}

#[test]
fn explicit_missing_file_is_an_error() {
    let env = |_: &str| None;
    let sources = Sources {
        cli_path: Some(Path::new("/nonexistent/caisse.toml")),
        env: &env,
        default_config_dir: None,
        default_data_dir: None,
    };
    let err = load(&sources).unwrap_err();
    assert!(matches!(
        err,
        ConfigError::Missing {
            origin: "--config",
            ..
        }
    ));
    assert!(err.to_string().contains("introuvable"));
}

#[test]
fn a_parse_error_never_quotes_the_secret_line() {
    let text = "[intech]\nurl = \"http://x\"\napi_key = \"canary-unterminated\n";
    let (_dir, result) = load_with(Some((text, 0o600)), &[]);
    let err = result.unwrap_err();
    let shown = err.to_string();
    assert!(
        matches!(err, ConfigError::Invalid { line: Some(3), .. }),
        "{shown}"
    );
    assert!(!shown.contains("canary"), "{shown}");
}

#[test]
fn typos_and_half_configurations_are_explained() {
    let (_dir, result) = load_with(Some(("[intech]\napikey = \"k\"\n", 0o600)), &[]);
    assert!(result.unwrap_err().to_string().contains("apikey"));
    let (_dir, result) = load_with(None, &[("CAISSE_INTECH_URL", "http://x")]);
    assert!(
        result
            .unwrap_err()
            .to_string()
            .contains("CAISSE_INTECH_API_KEY")
    );
    let (_dir, result) = load_with(None, &[("CAISSE_INTRAM_PUBLIC_KEY", "p")]);
    let shown = result.unwrap_err().to_string();
    assert!(
        shown.contains("CAISSE_INTRAM_PRIVATE_KEY") && shown.contains("CAISSE_INTRAM_SECRET_KEY")
    );
    let (_dir, result) = load_with(
        None,
        &[
            ("CAISSE_INTECH_API_KEY", "k"),
            ("CAISSE_INTECH_TIMEOUT_SECS", "abc"),
        ],
    );
    assert!(matches!(result.unwrap_err(), ConfigError::BadValue { .. }));
}

#[test]
fn callback_timeouts_are_the_constants_unless_shortened() {
    let (_dir, config) = load_with(None, &[]);
    assert_eq!(
        config.unwrap().callback_timeouts,
        CallbackTimeouts::default()
    );
    let (_dir, config) = load_with(None, &[("CAISSE_CALLBACK_HEADER_TIMEOUT_MS", "250")]);
    let timeouts = config.unwrap().callback_timeouts;
    assert_eq!(timeouts.header, Duration::from_millis(250));
    assert_eq!(timeouts.deadline, CALLBACK_DEADLINE);
    for bad in ["0", "dix", "-5"] {
        let (_dir, result) = load_with(None, &[("CAISSE_CALLBACK_DEADLINE_MS", bad)]);
        assert!(
            matches!(result, Err(ConfigError::BadValue { ref name, .. }) if name == "CAISSE_CALLBACK_DEADLINE_MS"),
            "{bad}: {result:?}"
        );
    }
}

#[test]
fn debug_output_hides_every_key() {
    let (_dir, config) = load_with(
        None,
        &[
            ("CAISSE_INTECH_API_KEY", "canary-intech"),
            ("CAISSE_INTECH_HMAC_SECRET", "canary-hmac"),
            ("CAISSE_INTRAM_PUBLIC_KEY", "canary-pub"),
            ("CAISSE_INTRAM_PRIVATE_KEY", "canary-priv"),
            ("CAISSE_INTRAM_SECRET_KEY", "canary-sec"),
        ],
    );
    let shown = format!("{:?}", config.unwrap());
    assert!(!shown.contains("canary"), "{shown}");
}

#[test]
fn a_callback_url_must_be_https_outside_the_loopback() {
    for ok in [
        "https://shop.example.sn/intech-callback",
        "https://shop.example.sn:8443/cb?x=1",
        "http://127.0.0.1:8085/cb",
        "http://localhost/cb",
    ] {
        let (_dir, config) = load_with(None, &[("CAISSE_CALLBACK_URL", ok)]);
        assert!(config.is_ok(), "{ok}: {config:?}");
    }
    for bad in [
        "http://shop.example.sn/cb",
        "http://127.0.0.1.evil.example/cb",
        "ftp://shop.example.sn/cb",
        "shop.example.sn/cb",
    ] {
        let (_dir, config) = load_with(None, &[("CAISSE_CALLBACK_URL", bad)]);
        match config {
            Err(e @ ConfigError::BadValue { .. }) => {
                assert!(
                    e.to_string().contains("HTTPS") || e.to_string().contains("https"),
                    "{e}"
                )
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn the_shop_and_its_printer_are_read_from_their_sections() {
    let text = "[shop]\nname = \"Boutique Awa\"\naddress = \"\"\"\nMarché Sandaga\nDakar\n\"\"\"\n\n\
                [printer]\naddress = \"192.168.1.50\"\nwidth = 48\n";
    let (_dir, config) = load_with(Some((text, 0o600)), &[]);
    let config = config.unwrap();
    assert_eq!(config.shop.name, "Boutique Awa");
    assert_eq!(config.shop.address, ["Marché Sandaga", "Dakar"]);
    assert_eq!(
        config.printer,
        Some(PrinterSettings {
            target: PrinterTarget::Tcp("192.168.1.50:9100".into()),
            width: 48,
            timeout: DEFAULT_PRINTER_TIMEOUT,
            check_status: true,
        })
    );
    let (_dir, config) = load_with(Some(("[printer]\ndevice = \"/dev/usb/lp0\"\n", 0o600)), &[]);
    let printer = config.unwrap().printer.unwrap();
    assert_eq!(printer.target, PrinterTarget::Device("/dev/usb/lp0".into()));
    assert_eq!(printer.width, 32);
}

/// Issue 13 (drawer): `[shop] low_balance`, in FCFA; none when not set.
#[test]
fn the_shop_s_low_balance_threshold_is_read() {
    let (_dir, config) = load_with(Some(("[shop]\nlow_balance = 50000\n", 0o600)), &[]);
    assert_eq!(config.unwrap().low_balance, Some(50_000));
    let (_dir, config) = load_with(Some(("[shop]\nname = \"A\"\n", 0o600)), &[]);
    assert_eq!(config.unwrap().low_balance, None);
}

#[test]
fn a_printer_section_that_cannot_be_used_is_refused_in_french() {
    for bad in [
        "[printer]\naddress = \"a:9100\"\ndevice = \"/dev/usb/lp0\"\n",
        "[printer]\naddress = \"a\"\nwidth = 40\n",
        "[printer]\naddress = \"a:port\"\n",
        "[printer]\nwidth = 48\n",
    ] {
        let (_dir, config) = load_with(Some((bad, 0o600)), &[]);
        match config {
            Err(e @ ConfigError::BadValue { .. }) => assert!(e.to_string().contains("[printer]")),
            other => panic!("{bad}: {other:?}"),
        }
    }
}

/// `[hq]`: url and shop_id together; the URL's password is a secret (0600 required, never
/// in `{:?}`); no `[hq]`, no head office.
#[test]
fn head_office_settings() {
    let (_d, config) = load_with(None, &[]);
    assert_eq!(config.unwrap().hq, None);

    let text = "[hq]\nurl = \"postgres://caisse_shop_dakar:pw-canary-42@hq:5432/caisse\"\nshop_id = \"dakar\"\nca_file = \"/etc/caisse/ca.pem\"\n";
    let (_d, config) = load_with(Some((text, 0o600)), &[]);
    let hq = config.unwrap().hq.unwrap();
    let shop = hq.shop.as_ref().unwrap();
    assert_eq!(shop.shop_id, "dakar");
    assert_eq!(hq.ca_file.as_deref(), Some(Path::new("/etc/caisse/ca.pem")));
    assert!(!format!("{hq:?}").contains("pw-canary-42"));

    let (_d, config) = load_with(Some((text, 0o644)), &[]);
    assert!(matches!(config, Err(ConfigError::WorldReadable { .. })));

    let (_d, config) = load_with(Some(("[hq]\nurl = \"postgres://u:p@h/db\"\n", 0o600)), &[]);
    assert!(config.unwrap_err().to_string().contains("shop_id"));
    let (_d, config) = load_with(Some(("[hq]\nshop_id = \"dakar\"\n", 0o600)), &[]);
    assert!(config.unwrap_err().to_string().contains("url"));
    let (_d, config) = load_with(
        Some((
            "[hq]\nurl = \"postgres://u:p@h/db\"\nshop_id = \"Dakar Plateau\"\n",
            0o600,
        )),
        &[],
    );
    assert!(config.unwrap_err().to_string().contains("shop_id"));

    // The head office's own machine: the administrator only, from the environment.
    let (_d, config) = load_with(
        None,
        &[("CAISSE_HQ_ADMIN_URL", "postgres://postgres:x@h/db")],
    );
    let hq = config.unwrap().hq.unwrap();
    assert!(hq.shop.is_none() && hq.admin_url.is_some());
}
