//! `caisse close`: the close of day (Z report) on this machine's journal. Without option it
//! makes the next Z (the operations since the last one), stores it in the hash chain and
//! shows it; `--show N` shows a stored one again; `--verify` walks the chain and names a
//! report that was altered; `--format csv|json` exports, `--print` prints on `[printer]`.
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
use crate::journal::z_reports::StoredZ;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CloseFormat {
    /// Texte à lire (celui du ticket).
    Text,
    /// CSV pour un tableur en français (UTF-8 avec BOM, « ; »), une mesure par ligne.
    Csv,
    /// Le JSON enregistré dans le journal, tel quel (celui que l'empreinte couvre).
    Json,
}

#[derive(Debug, Args)]
pub struct CloseArgs {
    /// Vérifie la chaîne des rapports Z (empreintes SHA-256) et nomme celui qui a été altéré.
    #[arg(long, conflicts_with_all = ["show", "print", "format"])]
    pub verify: bool,
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

pub fn run(config_path: Option<&Path>, args: &CloseArgs) -> Result<(), Failure> {
    let config = crate::config::load(&crate::config::Sources::from_process(config_path))?;
    let mut journal =
        Journal::open(&crate::wiring::journal_path(&config)).map_err(journal_failure)?;
    if args.verify {
        return verify(&journal);
    }
    let stored = match args.show {
        Some(number) => journal
            .z_report(number)
            .map_err(journal_failure)?
            .ok_or_else(|| Failure::bad_input(format!("aucun rapport Z n° {number}")))?,
        None => {
            let by = crate::session::peer::user_name(crate::session::peer::current_uid());
            journal
                .close_day(crate::clock::now_ms(), &by)
                .map_err(journal_failure)?
                .map_err(|nothing| Failure {
                    message: nothing.to_string(),
                    code: ExitCode::Refused,
                })?
        }
    };
    let width = args
        .width
        .as_deref()
        .and_then(|w| w.parse().ok())
        .or(config.printer.as_ref().map(|p| p.width))
        .unwrap_or(crate::domain::receipt::WIDE);
    write(&stored, args.format, width).map_err(|e| Failure {
        message: format!("écriture impossible : {e}"),
        code: ExitCode::Config,
    })?;
    if args.print {
        print(&config, &stored, width)?;
    }
    Ok(())
}

fn write(stored: &StoredZ, format: CloseFormat, width: usize) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        CloseFormat::Text => {
            write!(out, "{}", stored.report.to_text(width))?;
            writeln!(out, "{}", "-".repeat(width))?;
            writeln!(out, "Empreinte : {}", stored.hash)
        }
        CloseFormat::Json => writeln!(out, "{}", stored.content),
        CloseFormat::Csv => {
            let mut csv = french_csv(out)?;
            csv.write_record(["Rubrique", "Clé", "Libellé", "Mesure", "Nombre", "Montant"])?;
            for row in stored.report.csv_rows() {
                csv.write_record(&row)?;
            }
            csv.write_record(["Empreinte", &stored.hash, "", "sha256", "", ""])?;
            csv.flush()
        }
    }
}

/// On the configured printer: the Z stays stored whatever the printer does.
fn print(config: &crate::config::Config, stored: &StoredZ, width: usize) -> Result<(), Failure> {
    let number = stored.report.number;
    let Some(mut printer) = config.printer.clone() else {
        return Err(Failure {
            message: format!(
                "rapport Z n° {number} enregistré, mais aucune imprimante configurée : ajoutez \
                 [printer] address = \"hôte:9100\" ou device = \"/dev/usb/lp0\", puis « caisse \
                 close --show {number} --print »"
            ),
            code: ExitCode::Config,
        });
    };
    printer.width = width;
    match crate::printer::print_lines(&printer, stored.report.layout(width)) {
        Ok(()) => {
            eprintln!(
                "Rapport Z n° {number} imprimé sur {}.",
                crate::printer::name(&printer)
            );
            Ok(())
        }
        Err(e) => Err(Failure {
            message: format!(
                "rapport Z n° {number} enregistré, pas imprimé : {e} (réimprimez avec « caisse \
                 close --show {number} --print »)"
            ),
            code: ExitCode::Network,
        }),
    }
}

fn verify(journal: &Journal) -> Result<(), Failure> {
    let (read, faults) = journal.verify_z_chain().map_err(journal_failure)?;
    if faults.is_empty() {
        println!("Chaîne des rapports Z intacte : {read} rapport(s) vérifié(s).");
        return Ok(());
    }
    let lines: Vec<String> = faults.iter().map(|f| f.to_string()).collect();
    Err(Failure {
        message: format!(
            "chaîne des rapports Z rompue ({read} lu(s)) :\n{}",
            lines.join("\n")
        ),
        code: ExitCode::Tampered,
    })
}
