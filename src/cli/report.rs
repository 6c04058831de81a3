//! `caisse report` and `caisse export`: the shop's history over a period, read from the
//! journal file on this machine (the service's Unix user runs them where `caisse serve`
//! runs). The sums are `report::aggregate`'s; this module reads, formats and writes.

use std::io::Write;
use std::path::Path;

use clap::{Args, ValueEnum};

use super::export::{Exporter, french_csv};
use super::table::{Align, Table};
use super::{ExitCode, Failure};
use crate::journal::{Journal, JournalError};
use crate::money::fcfa;
use crate::report::{By, Period, Report, Tally};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ByArg {
    /// Par service (code et nom).
    Service,
    /// Par opérateur (Wave, Orange…).
    Operator,
    /// Par caissier.
    Cashier,
    /// Par jour.
    Day,
    /// Par heure de la journée, sur toute la période.
    Hour,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

impl From<ExportFormat> for crate::report::export::Format {
    fn from(f: ExportFormat) -> Self {
        match f {
            ExportFormat::Csv => crate::report::export::Format::Csv,
            ExportFormat::Json => crate::report::export::Format::Json,
        }
    }
}

#[derive(Debug, Args)]
pub struct PeriodArgs {
    /// Premier jour (AAAA-MM-JJ, heure locale = UTC), inclus.
    #[arg(long, value_name = "AAAA-MM-JJ")]
    pub from: String,
    /// Dernier jour (AAAA-MM-JJ), inclus.
    #[arg(long, value_name = "AAAA-MM-JJ")]
    pub to: String,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Regroupement des lignes.
    #[arg(long, value_enum, default_value = "service")]
    pub by: ByArg,
    /// Tableau à lire, CSV pour un tableur (séparateur « ; »), ou JSON.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// CSV pour un tableur en français (UTF-8 avec BOM, « ; »), ou JSON.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
}

fn open_journal(config_path: Option<&Path>) -> Result<Journal, Failure> {
    let config = crate::config::load(&crate::config::Sources::from_process(config_path))?;
    Journal::open(&crate::wiring::journal_path(&config)).map_err(journal_failure)
}

fn journal_failure(e: JournalError) -> Failure {
    Failure {
        message: e.to_string(),
        code: ExitCode::Config,
    }
}

pub(super) fn period(args: &PeriodArgs) -> Result<Period, Failure> {
    Period::parse(&args.from, &args.to).map_err(Failure::bad_input)
}

pub(super) fn by(arg: ByArg) -> By {
    match arg {
        ByArg::Service => By::Service,
        ByArg::Operator => By::Operator,
        ByArg::Cashier => By::Cashier,
        ByArg::Day => By::Day,
        ByArg::Hour => By::Hour,
    }
}

/// `caisse report`.
pub fn report(config_path: Option<&Path>, args: &ReportArgs) -> Result<(), Failure> {
    let period = period(&args.period)?;
    let journal = open_journal(config_path)?;
    let report = build(&journal, period, by(args.by)).map_err(journal_failure)?;
    print_report(period, &report, args.format)
}

/// Writes a report to stdout in the chosen format (the service's answer goes here too).
pub(super) fn print_report(
    period: Period,
    report: &Report,
    format: ReportFormat,
) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let out = stdout.lock();
    let written = match format {
        ReportFormat::Table => write_table(out, period, report),
        ReportFormat::Csv => write_csv(out, report),
        ReportFormat::Json => write_json(out, period, report),
    };
    written.map_err(write_failure)
}

/// The report of `period` grouped `by`, from the journal (the whole shop's).
pub fn build(journal: &Journal, period: Period, by: By) -> Result<Report, JournalError> {
    journal.report(period, by, None)
}

pub(super) fn write_failure(e: std::io::Error) -> Failure {
    Failure {
        message: format!("écriture impossible : {e}"),
        code: ExitCode::Config,
    }
}

/// The columns after the group's, in French, and one tally's cells (amounts as numbers).
const TALLY_HEADINGS: [&str; 10] = [
    "Opérations",
    "Réussies",
    "Montant réussi",
    "Échouées",
    "Montant échoué",
    "En suspens",
    "Montant en suspens",
    "Remboursements",
    "Montant remboursé",
    "Net",
];

fn tally_cells(t: &Tally, money: impl Fn(i64) -> String) -> Vec<String> {
    vec![
        t.operations.to_string(),
        t.succeeded.count.to_string(),
        money(t.succeeded.amount),
        t.failed.count.to_string(),
        money(t.failed.amount),
        t.pending.count.to_string(),
        money(t.pending.amount),
        t.refunded.count.to_string(),
        money(t.refunded.amount),
        money(t.net()),
    ]
}

fn write_table(mut out: impl Write, period: Period, report: &Report) -> std::io::Result<()> {
    writeln!(
        out,
        "Rapport du {} au {} (heure locale), par {} :",
        period.from,
        period.to,
        report.by.heading().to_lowercase()
    )?;
    let mut columns = vec![(report.by.heading(), Align::Left)];
    columns.extend(TALLY_HEADINGS.iter().map(|h| (*h, Align::Right)));
    let mut table = Table::new(&columns);
    for group in &report.groups {
        let mut cells = vec![group.label.clone()];
        cells.extend(tally_cells(&group.tally, fcfa));
        table.row(cells);
    }
    let mut cells = vec!["Total".to_owned()];
    cells.extend(tally_cells(&report.total, fcfa));
    table.row(cells);
    write!(out, "{}", table.render())?;
    if report.total.pending.count > 0 {
        writeln!(
            out,
            "{} opération(s) pas encore réglée(s) : à suivre (caisse reconcile).",
            report.total.pending.count
        )?;
    }
    Ok(())
}

/// The report as a French-locale CSV: the group's key and name, then the tally; a last
/// line of totals.
fn write_csv(out: impl Write, report: &Report) -> std::io::Result<()> {
    let mut csv = french_csv(out)?;
    let mut headings = vec![report.by.heading(), "Libellé"];
    headings.extend(TALLY_HEADINGS);
    csv.write_record(&headings)?;
    let plain = |n: i64| n.to_string();
    for group in &report.groups {
        let mut cells = vec![group.key.clone(), group.label.clone()];
        cells.extend(tally_cells(&group.tally, plain));
        csv.write_record(&cells)?;
    }
    let mut cells = vec!["Total".to_owned(), String::new()];
    cells.extend(tally_cells(&report.total, plain));
    csv.write_record(&cells)?;
    csv.flush()
}

fn write_json(mut out: impl Write, period: Period, report: &Report) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct Document<'a> {
        from: String,
        to: String,
        #[serde(flatten)]
        report: &'a Report,
    }
    let document = Document {
        from: period.from.to_string(),
        to: period.to.to_string(),
        report,
    };
    serde_json::to_writer_pretty(&mut out, &document)?;
    writeln!(out)
}

/// `caisse export`: every operation of the period, written as read.
pub fn export(config_path: Option<&Path>, args: &ExportArgs) -> Result<(), Failure> {
    let period = period(&args.period)?;
    let journal = open_journal(config_path)?;
    let stdout = std::io::stdout();
    let out = std::io::BufWriter::new(stdout.lock());
    export_to(&journal, period, args.format, out)
}

/// Writes the export of `period` to `out` (the round-trip test reads it back).
pub fn export_to(
    journal: &Journal,
    period: Period,
    format: ExportFormat,
    out: impl Write,
) -> Result<(), Failure> {
    let mut exporter = match format {
        ExportFormat::Csv => Exporter::csv(out),
        ExportFormat::Json => Exporter::json(out),
    }
    .map_err(write_failure)?;
    let (from, to) = period.millis();
    journal
        .for_each_between(from, to, |row| {
            exporter
                .row(&row)
                .map_err(|e| Walk::Write(write_failure(e)))
        })
        .map_err(|e| match e {
            Walk::Journal(e) => journal_failure(e),
            Walk::Write(f) => f,
        })?;
    exporter.finish().map_err(write_failure)
}

/// Why a walk over the journal stopped.
enum Walk {
    Journal(JournalError),
    Write(Failure),
}

impl From<JournalError> for Walk {
    fn from(e: JournalError) -> Self {
        Walk::Journal(e)
    }
}
