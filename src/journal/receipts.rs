//! Receipts from the journal: the receipt of a row (its number was given when it became
//! final, `operations::write_row`), and the record of each print, which makes the next
//! one a DUPLICATA.

use serde_json::{Value, json};

use super::{Event, Journal, JournalError, TransactionRow, insert_event};
use crate::domain::receipt::{Receipt, Shop};
use crate::money::fcfa;

/// Why there is no receipt.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NoReceipt {
    NotFound(String),
    /// Not final yet: its status, in French.
    NotFinal {
        id: String,
        status: String,
    },
}

impl std::fmt::Display for NoReceipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoReceipt::NotFound(id) => write!(f, "aucune opération {id} dans le journal"),
            NoReceipt::NotFinal { id, status } => write!(
                f,
                "l'opération {id} n'est pas encore finale (« {status} ») : pas de reçu avant \
                 son résultat ; suivez-la avec « caisse status {id} »"
            ),
        }
    }
}

/// The receipt of `external_id` as the journal holds it now: DUPLICATA when one was
/// printed before. Reads only.
pub fn prepare(
    journal: &Journal,
    external_id: &str,
    shop: &Shop,
) -> Result<Result<Receipt, NoReceipt>, JournalError> {
    let Some(row) = journal.get(external_id)? else {
        return Ok(Err(NoReceipt::NotFound(external_id.to_owned())));
    };
    if !row.status.is_final() {
        return Ok(Err(NoReceipt::NotFinal {
            id: external_id.to_owned(),
            status: row.status.french().to_owned(),
        }));
    }
    let events = journal.events(external_id)?;
    let duplicate = journal.receipt_printed(external_id)?;
    Ok(Ok(receipt_of(&row, &events, shop, duplicate)))
}

/// The event kind of a receipt sent to the printer.
pub const PRINTED: &str = "receipt_printed";

impl Journal {
    /// Whether a receipt of `external_id` was printed before.
    pub fn receipt_printed(&self, external_id: &str) -> Result<bool, JournalError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM events WHERE external_id = ?1 AND kind = ?2)",
            [external_id, PRINTED],
            |r| r.get(0),
        )?)
    }

    /// Records that a receipt of `external_id` was printed (`detail`: which printer,
    /// whether a duplicate), by `by` (who, which terminal).
    pub fn record_print(
        &mut self,
        external_id: &str,
        detail: &Value,
        by: (&str, &str),
        now: i64,
    ) -> Result<(), JournalError> {
        let t = self.immediate()?;
        insert_event(&t, Some(external_id), now, PRINTED, detail, by.0, by.1)?;
        t.commit()?;
        Ok(())
    }
}

/// An amount as the gateways write it (`125`, `125.0`, `"125"`), in whole FCFA.
fn amount(v: &Value) -> Option<String> {
    let n = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    n.is_finite().then(|| fcfa(n.floor() as i64))
}

/// Fees, commission and net amount, where the gateway told them: in the row's details
/// (Intram's confirmation), else in the latest event that carries them (a callback).
fn charges(row: &TransactionRow, events: &[Event]) -> Vec<(&'static str, String)> {
    const KEYS: [(&str, &str); 3] = [
        ("fees", "Frais"),
        ("commission", "Commission"),
        ("net_amount", "Montant net"),
    ];
    let from_events = |key: &str| {
        events.iter().rev().find_map(|e| {
            e.detail
                .get(key)
                .or_else(|| e.detail.get("callback").and_then(|c| c.get(key)))
                .and_then(amount)
        })
    };
    KEYS.iter()
        .filter_map(|(key, label)| {
            row.details
                .get(*key)
                .and_then(amount)
                .or_else(|| from_events(key))
                .map(|value| (*label, value))
        })
        .collect()
}

/// The receipt of a final row. The fields the cashier typed are not printed at all (a
/// card number, even masked, stays in the journal).
pub fn receipt_of(row: &TransactionRow, events: &[Event], shop: &Shop, duplicate: bool) -> Receipt {
    let service = crate::catalog::services::find(&row.service)
        .map(|s| s.name.to_owned())
        .unwrap_or_else(|| row.service.clone());
    Receipt {
        number: row.receipt_no,
        shop: shop.clone(),
        at: row.final_at.unwrap_or(row.created_at),
        cashier: row.cashier.clone(),
        service,
        kind: row.kind,
        refund_of: row.parent_id.clone(),
        phone: row.phone.clone(),
        amount: row.amount,
        charges: charges(row, events),
        details: crate::details::lines(&row.details),
        gateway_tx_id: row.gateway_tx_id.clone(),
        reference: row.external_id.clone(),
        status: row.status,
        duplicate,
    }
}

/// The detail of a print event.
pub fn print_detail(printer: &str, duplicate: bool, width: usize) -> Value {
    json!({"printer": printer, "duplicate": duplicate, "width": width})
}

impl Journal {
    /// The fee the server charged for the latest WhatsApp message it accepted (it puts its
    /// fee in place of the amount: the row's amount), or `None` before the first one.
    pub fn whatsapp_fee(&self) -> Result<Option<i64>, JournalError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT amount FROM transactions WHERE service = 'WHATSAPP_MESSAGING' \
                 AND amount IS NOT NULL ORDER BY created_at DESC, rowid DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }
}
