//! The Debian package's files that live in the repository (`debian/`) and the ones the
//! binary generates (`caisse package-files`): what `packaging/check-deb` cannot see without
//! installing the package, checked on every test run. The package itself is built,
//! installed, used and removed by `.ci/run` (`packaging/build-deb`, `packaging/check-deb`).

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_caisse");

fn repo(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_sshd_example_is_the_kiosk_guides_block() {
    let guide = repo("docs/kiosk.md");
    let start = guide
        .find("# Global: neither")
        .expect("the guide's sshd block");
    let end = guide[start..].find("```").expect("the block's end") + start;
    let block = &guide[start..end];
    let example = repo("debian/sshd-caisse.conf");
    assert!(
        example.ends_with(block),
        "debian/sshd-caisse.conf drifted from docs/kiosk.md section 3:\n{example}\n---\n{block}"
    );
    assert!(example.contains("ForceCommand /usr/bin/caisse --kiosk"));
}

#[test]
fn the_unit_runs_the_packaged_binary() {
    let unit = repo("debian/caisse.service");
    assert!(unit.contains("\nExecStart=/usr/bin/caisse serve --socket /run/caisse/caisse.sock\n"));
    assert!(unit.contains("\nUser=caisse\n") && unit.contains("\nStateDirectoryMode=0700\n"));
}

#[test]
fn the_shipped_configuration_is_read_and_means_demo_mode() {
    // The conffile as installed: the service must start on it (demo mode, no keys yet).
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, repo("debian/config.toml")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let no_env = |_: &str| None;
    let parsed = caisse::config::load(&caisse::config::Sources {
        cli_path: Some(&config),
        env: &no_env,
        default_config_dir: None,
        default_data_dir: Some(dir.path().to_path_buf()),
    })
    .expect("the shipped configuration parses");
    assert!(parsed.is_demo());
    assert_eq!(
        parsed.socket.as_deref(),
        Some(Path::new("/run/caisse/caisse.sock"))
    );
}

#[test]
fn man_pages_and_completions_cover_every_visible_command() {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(BIN)
        .args(["package-files", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    let man = out.path().join("man");
    for page in [
        "caisse.1",
        "caisse-pay.1",
        "caisse-serve.1",
        "caisse-cashier-add.1",
        "caisse-hq-migrate.1",
    ] {
        let text =
            std::fs::read_to_string(man.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(
            text.starts_with(".ie") || text.contains(".TH"),
            "{page} is roff: {text:.200}"
        );
    }
    let caisse = std::fs::read_to_string(man.join("caisse.1")).unwrap();
    assert!(
        caisse.contains("mode démo"),
        "the French description is in the page"
    );
    assert!(
        !man.join("caisse-package-files.1").exists(),
        "the hidden command has no page"
    );
    let bash = std::fs::read_to_string(out.path().join("completions/caisse.bash")).unwrap();
    let zsh = std::fs::read_to_string(out.path().join("completions/_caisse")).unwrap();
    let fish = std::fs::read_to_string(out.path().join("completions/caisse.fish")).unwrap();
    for script in [&bash, &zsh, &fish] {
        for command in ["pay", "reconcile", "drawer", "close"] {
            assert!(
                script.contains(command),
                "{command} missing from a completion"
            );
        }
    }
    assert!(zsh.starts_with("#compdef caisse"));
}
