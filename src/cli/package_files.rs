//! `caisse package-files --out DIR` (hidden): the man pages and the shell completions,
//! generated from the command line's own definition, so they never drift from it. The
//! Debian package's build (`packaging/build-deb`) writes them under `target/package-files/`
//! and ships them (`[package.metadata.deb]` in Cargo.toml).

use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, ExitCode, Failure};

fn failed(path: &Path, e: std::io::Error) -> Failure {
    Failure {
        message: format!("impossible d'écrire {} : {e}", path.display()),
        code: ExitCode::Config,
    }
}

/// Writes `man/caisse.1`, one `man/caisse-COMMAND.1` per command (and per sub-command, e.g.
/// `caisse-cashier-add.1`), and `completions/caisse.bash`, `_caisse`, `caisse.fish`.
pub fn write(out: &Path) -> Result<(), Failure> {
    let man = out.join("man");
    std::fs::create_dir_all(&man).map_err(|e| failed(&man, e))?;
    let command = Cli::command();
    write_pages(&command, "caisse", &man)?;

    let completions = out.join("completions");
    std::fs::create_dir_all(&completions).map_err(|e| failed(&completions, e))?;
    for (shell, name) in [
        (Shell::Bash, "caisse.bash"),
        (Shell::Zsh, "_caisse"),
        (Shell::Fish, "caisse.fish"),
    ] {
        let path = completions.join(name);
        let mut file = std::fs::File::create(&path).map_err(|e| failed(&path, e))?;
        clap_complete::generate(shell, &mut Cli::command(), "caisse", &mut file);
    }
    Ok(())
}

/// One page for `command` (named `name`, e.g. `caisse-cashier`), then one per visible
/// sub-command, recursively.
fn write_pages(command: &clap::Command, name: &str, dir: &Path) -> Result<(), Failure> {
    // The page's title is the full name (`caisse-cashier-add`), as `man caisse-cashier-add`
    // finds it and git's pages do.
    let titled = command.clone().name(name.to_owned());
    let path = dir.join(format!("{name}.1"));
    let mut page = Vec::new();
    clap_mangen::Man::new(titled)
        .render(&mut page)
        .map_err(|e| failed(&path, e))?;
    std::fs::write(&path, page).map_err(|e| failed(&path, e))?;
    for sub in command.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir)?;
    }
    Ok(())
}
