//! `caisse receipt ID [--print] [--width 32|48]`: the receipt of a final operation, as text
//! on stdout, and with `--print` on the shop's thermal printer (`[printer]`), marked
//! DUPLICATA when one was printed before. A printer that fails changes nothing in the
//! journal but says so in French (exit 4). `--whatsapp` sends it by WhatsApp instead
//! (`cli::whatsapp`).

use std::path::Path;

use super::{ExitCode, Failure};
use crate::journal::Journal;
use crate::journal::receipts::{NoReceipt, prepare, print_detail};
use crate::session::view::{Printed, ReceiptReply};

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
    /// Envoie le reçu par WhatsApp (service WHATSAPP_MESSAGING d'Intech, payé par la
    /// boutique) : affiche d'abord le message et son coût ; n'envoie qu'avec --yes.
    #[arg(long, conflicts_with_all = ["print", "width"])]
    pub whatsapp: bool,
    /// Numéro WhatsApp qui reçoit le reçu (sinon celui du client de la vente).
    #[arg(long, value_name = "NUMÉRO", requires = "whatsapp")]
    pub phone: Option<String>,
    /// Confirme l'envoi par WhatsApp et son coût.
    #[arg(long, requires = "whatsapp")]
    pub yes: bool,
}

fn journal_failure(e: crate::journal::JournalError) -> Failure {
    Failure {
        message: e.to_string(),
        code: ExitCode::Config,
    }
}

impl ReceiptArgs {
    /// `--width`, already limited to 32 or 48 by clap.
    pub fn width(&self) -> Option<usize> {
        self.width.as_deref().and_then(|w| w.parse().ok())
    }
}

/// No receipt: unknown (exit 2) or not final yet (exit 7).
pub fn no_receipt(none: NoReceipt) -> Failure {
    let code = match none {
        NoReceipt::NotFound(_) => ExitCode::BadInput,
        NoReceipt::NotFinal { .. } => ExitCode::Unsettled,
    };
    Failure {
        message: none.to_string(),
        code,
    }
}

/// Prints the receipt's text, and what became of its print (the same locally and through
/// the service).
pub fn show(reply: ReceiptReply) -> Result<(), Failure> {
    print!("{}", reply.text);
    match reply.printed {
        Printed::NotAsked => Ok(()),
        Printed::Done { printer, duplicate } => {
            eprintln!(
                "Reçu{} imprimé sur {printer}.",
                if duplicate { " (duplicata)" } else { "" }
            );
            Ok(())
        }
        Printed::NoPrinter => Err(Failure {
            message: "aucune imprimante configurée : ajoutez à la configuration [printer] \
                      address = \"hôte:9100\" ou device = \"/dev/usb/lp0\""
                .into(),
            code: ExitCode::Config,
        }),
        Printed::Failed(message) => Err(Failure {
            message,
            code: ExitCode::Network,
        }),
    }
}

/// On this machine: the journal file and the configured printer.
pub fn run(config_path: Option<&Path>, args: ReceiptArgs) -> Result<(), Failure> {
    let config = crate::config::load(&crate::config::Sources::from_process(config_path))?;
    // The journal the other commands use (in demo mode, the demo's).
    let mut journal =
        Journal::open(&crate::wiring::journal_path(&config)).map_err(journal_failure)?;
    let id = args.external_id.trim();
    let receipt = prepare(&journal, id, &config.shop)
        .map_err(journal_failure)?
        .map_err(no_receipt)?;
    let width = args
        .width()
        .or(config.printer.as_ref().map(|p| p.width))
        .unwrap_or(crate::domain::receipt::NARROW);
    let text = receipt.to_text(width);
    let printed = match (args.print, config.printer.clone()) {
        (false, _) => Printed::NotAsked,
        (true, None) => Printed::NoPrinter,
        (true, Some(mut printer)) => {
            printer.width = width;
            match crate::printer::print(&printer, &receipt) {
                Ok(()) => {
                    let name = crate::printer::name(&printer);
                    let uid = crate::session::peer::current_uid();
                    let by = (
                        crate::session::peer::user_name(uid),
                        crate::wiring::terminal_name(),
                    );
                    journal
                        .record_print(
                            id,
                            &print_detail(&name, receipt.duplicate, width),
                            (&by.0, &by.1),
                            crate::clock::now_ms(),
                        )
                        .map_err(journal_failure)?;
                    Printed::Done {
                        printer: name,
                        duplicate: receipt.duplicate,
                    }
                }
                Err(e) => Printed::Failed(e.to_string()),
            }
        }
    };
    show(ReceiptReply { text, printed })
}
