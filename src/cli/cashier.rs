//! `caisse cashier add|list|disable`: the shop's cashier accounts, in the journal database.
//! Run by the service's Unix user (who owns the journal); PINs are typed twice without echo,
//! or read as two lines from a pipe for scripts.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use clap::{Subcommand, ValueEnum};

use super::table::{Align, Table};
use crate::exit::{ExitCode, Failure};
use crate::journal::Journal;
use crate::staff::{self, Role};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Cashier,
    Supervisor,
}

#[derive(Debug, Subcommand)]
pub enum CashierCommand {
    /// Ajoute un caissier (le code PIN est demandé deux fois).
    Add {
        /// Nom de connexion (lettres, chiffres, « . », « - », « _ »).
        name: String,
        /// cashier : encaisse ; supervisor : rembourse, gère les caissiers, sort du kiosque.
        #[arg(long, value_enum, default_value = "cashier")]
        role: RoleArg,
    },
    /// Liste les caissiers et leur état.
    List,
    /// Désactive un caissier (ses ventes restent au journal).
    Disable { name: String },
}

fn journal(config_path: Option<&Path>) -> Result<Journal, Failure> {
    let config = crate::config::load(&crate::config::Sources::from_process(config_path))?;
    Journal::open(&config.journal_path).map_err(|e| Failure {
        message: e.to_string(),
        code: ExitCode::Config,
    })
}

fn by() -> (String, String) {
    let uid = crate::session::peer::current_uid();
    (
        crate::session::peer::user_name(uid),
        crate::wiring::terminal_name(),
    )
}

/// Reads one PIN: without echo on a terminal, as a line from a pipe.
pub(super) fn read_pin(
    prompt: &str,
    lines: &mut dyn Iterator<Item = String>,
) -> Result<String, Failure> {
    if !std::io::stdin().is_terminal() {
        return lines
            .next()
            .map(|l| l.trim().to_owned())
            .ok_or_else(|| Failure::bad_input("code PIN manquant sur l'entrée standard"));
    }
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    crossterm::terminal::enable_raw_mode()
        .map_err(|e| Failure::bad_input(format!("terminal : {e}")))?;
    let mut pin = String::new();
    let result = loop {
        match crossterm::event::read() {
            Ok(crossterm::event::Event::Key(k))
                if k.kind != crossterm::event::KeyEventKind::Release =>
            {
                use crossterm::event::{KeyCode, KeyModifiers};
                match k.code {
                    KeyCode::Enter => break Ok(pin),
                    KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                        break Err(Failure::bad_input("abandon"));
                    }
                    KeyCode::Backspace => {
                        pin.pop();
                    }
                    KeyCode::Char(c) => pin.push(c),
                    _ => {}
                }
            }
            Ok(_) => {}
            Err(e) => break Err(Failure::bad_input(format!("terminal : {e}"))),
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    eprintln!();
    result
}

pub fn run(config_path: Option<&Path>, command: CashierCommand) -> Result<(), Failure> {
    // A journal this creates is the service's alone, as `caisse serve` would create it.
    crate::session::peer::set_umask(0o077);
    let now = crate::clock::now_ms();
    let (user, terminal) = by();
    match command {
        CashierCommand::Add { name, role } => {
            staff::check_name(&name).map_err(Failure::bad_input)?;
            let role = match role {
                RoleArg::Cashier => Role::Cashier,
                RoleArg::Supervisor => Role::Supervisor,
            };
            let mut journal = journal(config_path)?;
            if journal.cashier(&name).ok().flatten().is_some() {
                return Err(Failure::bad_input(format!(
                    "le caissier « {name} » existe déjà"
                )));
            }
            let stdin = std::io::stdin();
            let mut lines = stdin.lock().lines().map_while(Result::ok);
            let pin = read_pin("Code PIN (4 à 8 chiffres) : ", &mut lines)?;
            staff::check_pin(&pin).map_err(Failure::bad_input)?;
            let again = read_pin("Code PIN, encore une fois : ", &mut lines)?;
            if again != pin {
                return Err(Failure::bad_input(
                    "les deux codes PIN diffèrent : rien n'est enregistré",
                ));
            }
            let hash = staff::hash_pin(&pin).map_err(Failure::bad_input)?;
            journal
                .add_cashier(&name, role.as_str(), &hash, (&user, &terminal), now)
                .map_err(|e| Failure {
                    message: e.to_string(),
                    code: ExitCode::Config,
                })?;
            println!("Caissier « {name} » ajouté ({}).", role.french());
        }
        CashierCommand::List => {
            let journal = journal(config_path)?;
            let list = journal.cashiers().map_err(|e| Failure {
                message: e.to_string(),
                code: ExitCode::Config,
            })?;
            if list.is_empty() {
                println!(
                    "Aucun caissier : ajoutez-en un avec « caisse cashier add NOM --role supervisor »."
                );
                return Ok(());
            }
            print_list(list.into_iter().map(Into::into).collect());
        }
        CashierCommand::Disable { name } => {
            let mut journal = journal(config_path)?;
            let found = journal
                .disable_cashier(&name, (&user, &terminal), now)
                .map_err(|e| Failure {
                    message: e.to_string(),
                    code: ExitCode::Config,
                })?;
            if !found {
                return Err(Failure::bad_input(format!("caissier « {name} » inconnu")));
            }
            println!("Caissier « {name} » désactivé.");
        }
    }
    Ok(())
}

/// The cashiers as a table: name, role, state. Lock-outs are not an account's state any more
/// (they hold for one Unix user's tries at a name): the journal's `pin_locked` events tell
/// who was locked out, from which Unix user.
pub(super) fn print_list(list: Vec<crate::session::view::Account>) {
    let mut table = Table::new(&[
        ("Nom", Align::Left),
        ("Rôle", Align::Left),
        ("État", Align::Left),
    ]);
    for c in list {
        let role = c.role.french();
        let state = if c.disabled { "désactivé" } else { "actif" };
        table.row(vec![c.name, role.to_owned(), state.to_owned()]);
    }
    print!("{}", table.render());
}
