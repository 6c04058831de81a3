//! `caisse close`: the close of day (Z report) on this machine's journal. Without option it
//! makes the next Z (the operations since the last one), stores it in the hash chain and
//! shows it; `--show N` shows a stored one again; `--verify` walks the chain and names a
//! report that was altered; `--preview` shows the next Z without storing it, `--list` the
//! stored ones with the chain's check (what the app's « Clôture » screen asks too);
//! `--format csv|json` exports, `--print` prints on `[printer]`.
//!
//! Nothing made since the last Z: refused (exit 1), no empty report. A Z is a fact that
//! cannot be undone (it joins the chain); an empty one would only pad the numbering (a
//! Sunday the shop stayed shut needs no Z), and the last Z is reprinted with `--show`.

use std::io::Write;
use std::path::Path;

use clap::{Args, ValueEnum};

use super::export::french_csv;
use super::{ExitCode, Failure};
use crate::journal::Journal;
use crate::report::z::{ZAsk, ZReply, ZReport};
use crate::session::view::Printed;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CloseFormat {
    /// Texte à lire (celui du ticket).
    Text,
    /// CSV pour un tableur en français (UTF-8 avec BOM, « ; »), une mesure par ligne.
    Csv,
    /// Le JSON du rapport (celui que le journal garde et que l'empreinte couvre).
    Json,
}

#[derive(Debug, Args)]
pub struct CloseArgs {
    /// Vérifie la chaîne des rapports Z (empreintes SHA-256) et nomme celui qui a été altéré.
    #[arg(long, conflicts_with_all = ["show", "print", "format", "preview", "list"])]
    pub verify: bool,
    /// Montre le prochain rapport Z sans le créer (rien n'est enregistré).
    #[arg(long, conflicts_with_all = ["show", "list"])]
    pub preview: bool,
    /// Liste les rapports Z enregistrés, avec la vérification de la chaîne.
    #[arg(long, conflicts_with_all = ["show", "print", "format"])]
    pub list: bool,
    /// Réaffiche le rapport Z numéro N (sans en créer de nouveau).
    #[arg(long, value_name = "N")]
    pub show: Option<i64>,
    /// Texte, CSV ou JSON.
    #[arg(long, value_enum, default_value = "text")]
    pub format: CloseFormat,
    /// Imprime aussi le rapport sur l'imprimante ([printer] de la configuration).
    #[arg(long)]
    pub print: bool,
    /// Largeur du texte : 32 (58 mm) ou 48 (80 mm) ; sinon celle de l'imprimante, sinon 48.
    #[arg(long, value_name = "COLONNES", value_parser = clap::builder::PossibleValuesParser::new(["32", "48"]))]
    pub width: Option<String>,
}

fn journal_failure(e: crate::journal::JournalError) -> Failure {
    Failure {
        message: e.to_string(),
        code: ExitCode::Config,
    }
}

impl CloseArgs {
    pub fn ask(&self) -> ZAsk {
        match (self.verify, self.show) {
            (true, _) => ZAsk::Verify,
            (false, Some(number)) => ZAsk::Show(number),
            (false, None) if self.preview => ZAsk::Preview,
            (false, None) if self.list => ZAsk::List,
            (false, None) => ZAsk::Close,
        }
    }

    /// `--width`, already limited to 32 or 48 by clap.
    pub fn width(&self) -> Option<usize> {
        self.width.as_deref().and_then(|w| w.parse().ok())
    }
}

/// On this machine: the journal file and the configured printer; the Unix user closes.
pub fn run(config_path: Option<&Path>, args: &CloseArgs) -> Result<(), Failure> {
    let config = crate::config::load(&crate::config::Sources::from_process(config_path))?;
    let mut journal =
        Journal::open(&crate::wiring::journal_path(&config)).map_err(journal_failure)?;
    let by = crate::session::peer::user_name(crate::session::peer::current_uid());
    let reply = journal
        .z_answer(args.ask(), &by, crate::clock::now_ms())
        .map_err(journal_failure)?;
    let width = args
        .width()
        .or(config.printer.as_ref().map(|p| p.width))
        .unwrap_or(crate::domain::receipt::WIDE);
    let printed = match (&reply, args.print) {
        (ZReply::Report { report, .. }, true) => print(config.printer.clone(), report, width),
        _ => Printed::NotAsked,
    };
    show(reply, printed, args.format, width)
}

/// Prints `report` on `printer` at `width` (the service does the same on its printer).
pub fn print(
    printer: Option<crate::config::PrinterSettings>,
    report: &ZReport,
    width: usize,
) -> Printed {
    let Some(mut printer) = printer else {
        return Printed::NoPrinter;
    };
    printer.width = width;
    match crate::printer::print_lines(&printer, report.layout(width)) {
        Ok(()) => Printed::Done {
            printer: crate::printer::name(&printer),
            duplicate: false,
        },
        Err(e) => Printed::Failed(e.to_string()),
    }
}

/// Writes the answer (here or from the service) and turns what went wrong into the exit
/// code: `1` nothing to close, `2` no such Z, `3` no printer, `4` the print failed (the Z
/// stays stored), `8` the chain is broken.
pub fn show(
    reply: ZReply,
    printed: Printed,
    format: CloseFormat,
    width: usize,
) -> Result<(), Failure> {
    let (report, hash) = match reply {
        ZReply::Report { report, hash } => (report, hash),
        ZReply::Preview(report) => {
            // Not stored: no link of the chain, and it says so first.
            if matches!(format, CloseFormat::Text) {
                println!("APERÇU : rapport non enregistré (« caisse close » le crée)");
            }
            write(&report, "", format, width).map_err(|e| Failure {
                message: format!("écriture impossible : {e}"),
                code: ExitCode::Config,
            })?;
            return Ok(());
        }
        ZReply::List { reports, faults } => {
            print!("{}", list_text(&reports, &faults));
            if faults.is_empty() {
                return Ok(());
            }
            return Err(Failure {
                message: format!("chaîne des rapports Z rompue :\n{}", faults.join("\n")),
                code: ExitCode::Tampered,
            });
        }
        ZReply::NothingToClose(message) => {
            return Err(Failure {
                message,
                code: ExitCode::Refused,
            });
        }
        ZReply::NoSuch(number) => {
            return Err(Failure::bad_input(format!("aucun rapport Z n° {number}")));
        }
        ZReply::Chain { read, faults } => {
            if faults.is_empty() {
                println!("Chaîne des rapports Z intacte : {read} rapport(s) vérifié(s).");
                return Ok(());
            }
            return Err(Failure {
                message: format!(
                    "chaîne des rapports Z rompue ({read} lu(s)) :\n{}",
                    faults.join("\n")
                ),
                code: ExitCode::Tampered,
            });
        }
    };
    write(&report, &hash, format, width).map_err(|e| Failure {
        message: format!("écriture impossible : {e}"),
        code: ExitCode::Config,
    })?;
    let number = report.number;
    match printed {
        Printed::NotAsked => Ok(()),
        Printed::Done { printer, .. } => {
            eprintln!("Rapport Z n° {number} imprimé sur {printer}.");
            Ok(())
        }
        Printed::NoPrinter => Err(Failure {
            message: format!(
                "rapport Z n° {number} enregistré, mais aucune imprimante configurée : ajoutez \
                 [printer] address = \"hôte:9100\" ou device = \"/dev/usb/lp0\", puis « caisse \
                 close --show {number} --print »"
            ),
            code: ExitCode::Config,
        }),
        Printed::Failed(e) => Err(Failure {
            message: format!(
                "rapport Z n° {number} enregistré, pas imprimé : {e} (réimprimez avec « caisse \
                 close --show {number} --print »)"
            ),
            code: ExitCode::Network,
        }),
    }
}

/// The stored reports as lines (newest first): number, period, who closed, operations, net,
/// and whether the chain names it altered.
pub fn list_text(reports: &[crate::report::z::ZSummary], faults: &[String]) -> String {
    use crate::report::local_time;
    let mut out = String::new();
    if reports.is_empty() {
        out.push_str("Aucun rapport Z enregistré.\n");
    }
    for z in reports {
        out.push_str(&format!(
            "Z n° {:06}  {} → {}  {:<10} {:>6} op.  net {:>14}  {}\n",
            z.number,
            local_time(z.from),
            local_time(z.to),
            z.closed_by,
            z.operations
                .map(|n| n.to_string())
                .unwrap_or_else(|| "?".into()),
            z.net.map(crate::money::fcfa).unwrap_or_else(|| "?".into()),
            if z.altered { "ALTÉRÉ" } else { "intact" }
        ));
    }
    if faults.is_empty() {
        out.push_str(&format!(
            "Chaîne intacte : {} rapport(s) vérifié(s).\n",
            reports.len()
        ));
    }
    out
}

fn write(report: &ZReport, hash: &str, format: CloseFormat, width: usize) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        CloseFormat::Text => {
            write!(out, "{}", report.to_text(width))?;
            if hash.is_empty() {
                return Ok(());
            }
            writeln!(out, "{}", "-".repeat(width))?;
            writeln!(out, "Empreinte : {hash}")
        }
        CloseFormat::Json => {
            serde_json::to_writer(&mut out, report)?;
            writeln!(out)
        }
        CloseFormat::Csv => {
            let mut csv = french_csv(out)?;
            csv.write_record(["Rubrique", "Clé", "Libellé", "Mesure", "Nombre", "Montant"])?;
            for row in report.csv_rows() {
                csv.write_record(&row)?;
            }
            if !hash.is_empty() {
                csv.write_record(["Empreinte", hash, "", "sha256", "", ""])?;
            }
            csv.flush()
        }
    }
}
