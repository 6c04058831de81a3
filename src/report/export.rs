//! The bookkeeper's export: every journal column they need, one row per operation, written
//! as it is read (constant memory over years of data). The CSV is what a French-locale
//! spreadsheet (Excel, LibreOffice) opens as columns: UTF-8 with a byte-order mark (else
//! Excel reads the accents as Latin-1), `;` between fields (the French list separator: the
//! comma is the decimal sign), RFC 4180 quoting and CRLF line ends. Amounts are whole
//! francs: no decimal sign to translate.

use std::io::Write;

use serde_json::Value;

use crate::journal::TransactionRow;

/// The columns: the JSON key, and the CSV heading in French.
pub const COLUMNS: &[(&str, &str)] = &[
    ("id", "Opération"),
    ("nature", "Nature"),
    ("vente_remboursee", "Vente remboursée"),
    ("cree_le", "Créée le"),
    ("finale_le", "Finale le"),
    ("code_service", "Code service"),
    ("service", "Service"),
    ("operateur", "Opérateur"),
    ("telephone", "Téléphone"),
    ("montant", "Montant (FCFA)"),
    ("statut", "Statut"),
    ("statut_libelle", "Statut (libellé)"),
    ("passerelle", "Passerelle"),
    ("id_passerelle", "Id passerelle"),
    ("caissier", "Caissier"),
    ("terminal", "Terminal"),
    ("code_erreur", "Code erreur"),
    ("message_erreur", "Message d'erreur"),
];

/// One row's values, in [`COLUMNS`] order.
pub fn values(row: &TransactionRow) -> Vec<Value> {
    let text = |s: &str| Value::String(s.to_owned());
    let opt = |s: &Option<String>| s.as_deref().map(text).unwrap_or(Value::Null);
    vec![
        text(&row.external_id),
        text(match row.kind {
            crate::domain::OpKind::Payment => "vente",
            crate::domain::OpKind::Refund => "remboursement",
        }),
        opt(&row.parent_id),
        text(&crate::report::local_time(row.created_at)),
        row.final_at
            .map(|t| text(&crate::report::local_time(t)))
            .unwrap_or(Value::Null),
        text(&row.service),
        text(crate::report::service_label(&row.service)),
        text(crate::report::operator(&row.service)),
        opt(&row.phone),
        row.amount.map(Value::from).unwrap_or(Value::Null),
        text(row.status.as_str()),
        text(row.status.french()),
        text(row.gateway.as_str()),
        opt(&row.gateway_tx_id),
        text(&row.cashier),
        text(&row.terminal),
        opt(&row.error_code),
        opt(&row.error_message),
    ]
}

/// A CSV writer for French-locale spreadsheets, the byte-order mark already written.
pub fn french_csv<W: Write>(mut out: W) -> std::io::Result<csv::Writer<W>> {
    out.write_all("\u{feff}".as_bytes())?;
    Ok(csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out))
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Writes rows as they come, in CSV or JSON (one array of objects).
pub enum Exporter<W: Write> {
    // Boxed: the CSV writer carries its buffer state (352 bytes); one per export.
    Csv(Box<csv::Writer<W>>),
    Json { out: W, first: bool },
}

impl<W: Write> Exporter<W> {
    /// Starts the document (headings, or the array's opening).
    pub fn csv(out: W) -> std::io::Result<Self> {
        let mut writer = french_csv(out)?;
        writer.write_record(COLUMNS.iter().map(|(_, heading)| *heading))?;
        Ok(Exporter::Csv(Box::new(writer)))
    }

    pub fn json(mut out: W) -> std::io::Result<Self> {
        out.write_all(b"[")?;
        Ok(Exporter::Json { out, first: true })
    }

    pub fn row(&mut self, row: &TransactionRow) -> std::io::Result<()> {
        let values = values(row);
        match self {
            Exporter::Csv(writer) => Ok(writer.write_record(values.iter().map(cell))?),
            Exporter::Json { out, first } => {
                out.write_all(if *first { b"\n" } else { b",\n" })?;
                *first = false;
                // Written by hand: the keys in the CSV's order (a serde_json map sorts them).
                out.write_all(b"{")?;
                for (i, ((key, _), value)) in COLUMNS.iter().zip(&values).enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    serde_json::to_writer(&mut *out, key)?;
                    out.write_all(b":")?;
                    serde_json::to_writer(&mut *out, value)?;
                }
                out.write_all(b"}")?;
                Ok(())
            }
        }
    }

    /// Ends the document and flushes it.
    pub fn finish(self) -> std::io::Result<()> {
        match self {
            Exporter::Csv(mut writer) => writer.flush(),
            Exporter::Json { mut out, .. } => {
                out.write_all(b"\n]\n")?;
                out.flush()
            }
        }
    }
}

/// The export's two formats, as the service is asked for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Json,
}

/// One piece of an export, as the service sends it over the socket: the first piece opens
/// the document (byte-order mark and headings, or `[`), the last one closes it; the pieces
/// put end to end are, byte for byte, what [`Exporter`] writes in one go.
pub fn piece(
    format: Format,
    rows: &[TransactionRow],
    first: bool,
    last: bool,
) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_piece(&mut out, format, rows, first, last)?;
    Ok(out)
}

fn write_piece(
    out: &mut Vec<u8>,
    format: Format,
    rows: &[TransactionRow],
    first: bool,
    last: bool,
) -> std::io::Result<()> {
    let mut exporter = match (format, first) {
        (Format::Csv, true) => Exporter::csv(out)?,
        // The rows only: no second byte-order mark, no second headings.
        (Format::Csv, false) => Exporter::Csv(Box::new(
            csv::WriterBuilder::new()
                .delimiter(b';')
                .terminator(csv::Terminator::CRLF)
                .quote_style(csv::QuoteStyle::Necessary)
                .from_writer(out),
        )),
        (Format::Json, true) => Exporter::json(out)?,
        (Format::Json, false) => Exporter::Json { out, first: false },
    };
    for row in rows {
        exporter.row(row)?;
    }
    match exporter {
        Exporter::Json { .. } if !last => {}
        // The last piece ends the document; the others flush their rows.
        e if last => e.finish()?,
        Exporter::Csv(mut writer) => writer.flush()?,
        Exporter::Json { .. } => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TxStatus;
    use crate::journal::sample_row;

    /// Pieces of any sizes, end to end, are the export written at once.
    #[test]
    fn pieces_end_to_end_are_the_whole_export() {
        let rows: Vec<TransactionRow> = (0..7)
            .map(|i| {
                let mut r = sample_row(
                    &format!("v-{i}"),
                    "WAVE_SN_API_CASH_OUT",
                    TxStatus::Success,
                    i,
                );
                r.error_message = Some(format!("« ligne {i} » ;\r\n\"fin\""));
                r
            })
            .collect();
        for format in [Format::Csv, Format::Json] {
            let mut whole = Vec::new();
            let mut e = match format {
                Format::Csv => Exporter::csv(&mut whole).unwrap(),
                Format::Json => Exporter::json(&mut whole).unwrap(),
            };
            rows.iter().for_each(|r| e.row(r).unwrap());
            e.finish().unwrap();
            for size in [1, 3, 7, 10] {
                let chunks: Vec<&[TransactionRow]> = rows.chunks(size).collect();
                let mut joined = Vec::new();
                for (i, c) in chunks.iter().enumerate() {
                    joined.extend(piece(format, c, i == 0, i == chunks.len() - 1).unwrap());
                }
                assert_eq!(
                    String::from_utf8(joined).unwrap(),
                    String::from_utf8(whole.clone()).unwrap(),
                    "{format:?} by {size}"
                );
            }
            // No rows at all: one piece, opened and closed.
            let mut empty = Vec::new();
            match format {
                Format::Csv => Exporter::csv(&mut empty).unwrap(),
                Format::Json => Exporter::json(&mut empty).unwrap(),
            }
            .finish()
            .unwrap();
            assert_eq!(piece(format, &[], true, true).unwrap(), empty);
        }
    }
}
