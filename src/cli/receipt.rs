//! `caisse receipt ID [--print] [--width 32|48]`: the receipt of a final operation, as text
//! on stdout, and with `--print` on the shop's thermal printer (`[printer]`), marked
//! DUPLICATA when one was printed before. A printer that fails changes nothing in the
//! journal but says so in French (exit 4).

use std::path::Path;

use super::{ExitCode, Failure};
use crate::config::PrinterTarget;
use crate::journal::Journal;
use crate::journal::receipts::{print_detail, receipt_of};

#[derive(Debug, clap::Args)]
pub struct ReceiptArgs {
    /// Identifiant de l'opération (externalTransactionId).
    #[arg(value_name = "ID")]
    pub external_id: String,
    /// Envoie aussi le reçu à l'imprimante ([printer] de la configuration).
    #[arg(long)]
    pub print: bool,
    /// Largeur en caractères : 32 (rouleau de 58 mm) ou 48 (80 mm) ; sinon celle de
    /// l'imprimante configurée, sinon 32.
    #[arg(long, value_name = "COLONNES", value_parser = clap::builder::PossibleValuesParser::new(["32", "48"]))]
    pub width: Option<String>,
}

fn journal_failure(e: crate::journal::JournalError) -> Failure {
    Failure {
        message: e.to_string(),
        code: ExitCode::Config,
    }
}

pub fn run(config_path: Option<&Path>, args: ReceiptArgs) -> Result<(), Failure> {
    let config = crate::config::load(&crate::config::Sources::from_process(config_path))?;
    // The journal the other commands use (in demo mode, the demo's).
    let mut journal =
        Journal::open(&crate::wiring::journal_path(&config)).map_err(journal_failure)?;
    let id = args.external_id.trim();
    let Some(row) = journal.get(id).map_err(journal_failure)? else {
        return Err(Failure::bad_input(format!(
            "aucune opération {id} dans le journal"
        )));
    };
    if !row.status.is_final() {
        return Err(Failure {
            message: format!(
                "l'opération {id} n'est pas encore finale (« {} ») : pas de reçu avant son \
                 résultat ; suivez-la avec « caisse status {id} »",
                row.status.french()
            ),
            code: ExitCode::Unsettled,
        });
    }
    let width = match args.width.as_deref() {
        Some(w) => w.parse().unwrap_or(crate::domain::receipt::NARROW),
        None => config
            .printer
            .as_ref()
            .map_or(crate::domain::receipt::NARROW, |p| p.width),
    };
    let events = journal.events(id).map_err(journal_failure)?;
    let duplicate = journal.receipt_printed(id).map_err(journal_failure)?;
    let receipt = receipt_of(&row, &events, &config.shop, duplicate);
    print!("{}", receipt.to_text(width));
    if !args.print {
        return Ok(());
    }
    let Some(mut printer) = config.printer.clone() else {
        return Err(Failure {
            message: "aucune imprimante configurée : ajoutez à la configuration [printer] \
                      address = \"hôte:9100\" ou device = \"/dev/usb/lp0\""
                .into(),
            code: ExitCode::Config,
        });
    };
    printer.width = width;
    crate::printer::print(&printer, &receipt).map_err(|e| Failure {
        message: e.to_string(),
        code: ExitCode::Network,
    })?;
    let name = match &printer.target {
        PrinterTarget::Tcp(address) => address.clone(),
        PrinterTarget::Device(path) => path.display().to_string(),
    };
    let uid = crate::session::peer::current_uid();
    let by = (
        crate::session::peer::user_name(uid),
        crate::wiring::terminal_name(),
    );
    let now = crate::clock::now_ms();
    journal
        .record_print(
            id,
            &print_detail(&name, duplicate, width),
            (&by.0, &by.1),
            now,
        )
        .map_err(journal_failure)?;
    eprintln!(
        "Reçu{} imprimé sur {name}.",
        if duplicate { " (duplicata)" } else { "" }
    );
    Ok(())
}
