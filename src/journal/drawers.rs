//! Cash drawers in the journal: one open drawer per cashier, opened with the counted float
//! and the gateway balance read then, closed with the counted cash. What the drawer should
//! hold is the domain's (`domain::drawer`); this stores and reads the rows it needs.

use rusqlite::{OptionalExtension, params};

use super::{Journal, JournalError};
use crate::domain::drawer::{CashOutUse, DrawerOp, Gap, Opening, Totals};
use crate::domain::{OpKind, TxStatus};

/// One drawer as the journal holds it. Amounts in whole FCFA.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DrawerRecord {
    pub id: i64,
    pub cashier: String,
    pub terminal: String,
    pub opened_at: i64,
    pub opening_cash: i64,
    /// `None`: the balance could not be read at the opening.
    pub opening_balance: Option<i64>,
    pub closed_at: Option<i64>,
    pub counted_cash: Option<i64>,
    pub closing_balance: Option<i64>,
    pub expected_cash: Option<i64>,
    pub expected_balance: Option<i64>,
}

impl DrawerRecord {
    pub fn opening(&self) -> Opening {
        Opening {
            cash: self.opening_cash,
            balance: self.opening_balance.unwrap_or(0),
        }
    }
}

/// Why a drawer command was refused, for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DrawerRefusal {
    AlreadyOpen { opened_at: i64 },
    NotOpen,
}

impl std::fmt::Display for DrawerRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DrawerRefusal::AlreadyOpen { .. } => write!(
                f,
                "un tiroir est déjà ouvert pour ce caissier : fermez-le d'abord (« caisse \
                 drawer close --cash N »)"
            ),
            DrawerRefusal::NotOpen => write!(
                f,
                "aucun tiroir ouvert pour ce caissier : ouvrez-le avec « caisse drawer open \
                 --cash N »"
            ),
        }
    }
}

/// A drawer and what its operations moved so far (or until its close).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DrawerState {
    pub drawer: DrawerRecord,
    pub totals: Totals,
}

impl DrawerState {
    pub fn expected_cash(&self) -> i64 {
        self.totals.expected_cash(self.drawer.opening())
    }

    /// `None` when the balance was not read at the opening.
    pub fn expected_balance(&self) -> Option<i64> {
        self.drawer
            .opening_balance
            .map(|_| self.totals.expected_balance(self.drawer.opening()))
    }

    /// Counted minus expected cash, once closed.
    pub fn cash_gap(&self) -> Option<Gap> {
        Some(Gap {
            expected: self.drawer.expected_cash?,
            actual: self.drawer.counted_cash?,
        })
    }

    /// The balance read at the close minus the expected one, once closed (and both known).
    pub fn balance_gap(&self) -> Option<Gap> {
        Some(Gap {
            expected: self.drawer.expected_balance?,
            actual: self.drawer.closing_balance?,
        })
    }
}

const DRAWER_COLUMNS: &str = "id, cashier, terminal, opened_at, opening_cash, opening_balance, \
     closed_at, counted_cash, closing_balance, expected_cash, expected_balance";

fn drawer_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DrawerRecord> {
    Ok(DrawerRecord {
        id: r.get(0)?,
        cashier: r.get(1)?,
        terminal: r.get(2)?,
        opened_at: r.get(3)?,
        opening_cash: r.get(4)?,
        opening_balance: r.get(5)?,
        closed_at: r.get(6)?,
        counted_cash: r.get(7)?,
        closing_balance: r.get(8)?,
        expected_cash: r.get(9)?,
        expected_balance: r.get(10)?,
    })
}

/// The commission of a row: in its details (Intram's confirmation), else in the latest
/// accepted callback that gave one (`events.kind = 'callback'`).
pub(super) const COMMISSION_SQL: &str = "COALESCE(CAST(json_extract(t.details, '$.commission') AS REAL), \
     (SELECT CAST(json_extract(e.detail, '$.commission') AS REAL) FROM events e \
      WHERE e.external_id = t.external_id AND e.kind = 'callback' \
        AND json_extract(e.detail, '$.commission') IS NOT NULL \
      ORDER BY e.id DESC LIMIT 1), 0)";

/// The totals of `cashier`'s operations that became final in `[from, to]`.
fn totals(
    conn: &rusqlite::Connection,
    cashier: &str,
    from: i64,
    to: i64,
) -> Result<Totals, JournalError> {
    totals_of(conn, Some(cashier), from, to)
}

/// The totals of the operations that became final in `[from, to]`: `cashier`'s, or the
/// whole shop's (`None`, for the float's readings).
pub(super) fn totals_of(
    conn: &rusqlite::Connection,
    cashier: Option<&str>,
    from: i64,
    to: i64,
) -> Result<Totals, JournalError> {
    // Two shapes, so that each uses its index (by cashier, or by final time alone).
    let who = if cashier.is_some() {
        "t.cashier = ?1 AND"
    } else {
        "?1 IS NULL AND"
    };
    let sql = format!(
        "SELECT t.service, t.kind, t.status, COALESCE(t.amount, 0), {COMMISSION_SQL}, \
         json_extract(t.fields, '$.{field}'), \
         json_extract(t.fields, '$.{link}') IS NOT NULL FROM transactions t \
         WHERE {who} t.final_at IS NOT NULL AND t.final_at BETWEEN ?2 AND ?3",
        field = CashOutUse::FIELD,
        link = crate::domain::receipt::RECEIPT_OF,
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![cashier, from, to], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, f64>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, bool>(6)?,
        ))
    })?;
    let mut totals = Totals::default();
    for row in rows {
        let (service, kind, status, amount, commission, use_, receipt) = row?;
        let (Some(kind), Some(status)) = (OpKind::parse(&kind), TxStatus::parse(&status)) else {
            continue;
        };
        totals.add(crate::domain::drawer::effect(&DrawerOp {
            service: &service,
            kind,
            status,
            amount,
            commission: commission.floor() as i64,
            cash_out_use: CashOutUse::parse(use_.as_deref()),
            // A receipt sent by WhatsApp for a sale: the shop pays it.
            paid_by_shop: receipt,
        }));
    }
    Ok(totals)
}

/// The drawers open at `now` (opened before it, not closed), by cashier, with what each
/// should hold so far.
pub(super) fn open_at(
    conn: &rusqlite::Connection,
    now: i64,
) -> Result<Vec<DrawerState>, JournalError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DRAWER_COLUMNS} FROM drawers WHERE closed_at IS NULL AND opened_at < ?1 \
         ORDER BY cashier, id"
    ))?;
    let drawers = stmt
        .query_map([now], drawer_row)?
        .collect::<Result<Vec<_>, _>>()?;
    drawers
        .into_iter()
        .map(|drawer| {
            let totals = totals(conn, &drawer.cashier, drawer.opened_at, now)?;
            Ok(DrawerState { drawer, totals })
        })
        .collect()
}

impl Journal {
    /// Opens `cashier`'s drawer with the counted float and the balance read now.
    pub fn open_drawer(
        &mut self,
        cashier: &str,
        terminal: &str,
        cash: i64,
        balance: Option<i64>,
        now: i64,
    ) -> Result<Result<DrawerRecord, DrawerRefusal>, JournalError> {
        let tx = self.immediate()?;
        let open: Option<i64> = tx
            .query_row(
                "SELECT opened_at FROM drawers WHERE cashier = ?1 AND closed_at IS NULL",
                [cashier],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(opened_at) = open {
            return Ok(Err(DrawerRefusal::AlreadyOpen { opened_at }));
        }
        tx.execute(
            "INSERT INTO drawers (cashier, terminal, opened_at, opening_cash, opening_balance) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![cashier, terminal, now, cash, balance],
        )?;
        let id = tx.last_insert_rowid();
        let record = tx.query_row(
            &format!("SELECT {DRAWER_COLUMNS} FROM drawers WHERE id = ?1"),
            [id],
            drawer_row,
        )?;
        tx.commit()?;
        Ok(Ok(record))
    }

    /// `cashier`'s open drawer and what it should hold `now`.
    pub fn drawer_status(
        &self,
        cashier: &str,
        now: i64,
    ) -> Result<Result<DrawerState, DrawerRefusal>, JournalError> {
        let drawer = self
            .conn
            .query_row(
                &format!(
                    "SELECT {DRAWER_COLUMNS} FROM drawers WHERE cashier = ?1 AND closed_at IS NULL"
                ),
                [cashier],
                drawer_row,
            )
            .optional()?;
        let Some(drawer) = drawer else {
            return Ok(Err(DrawerRefusal::NotOpen));
        };
        let totals = totals(&self.conn, cashier, drawer.opened_at, now)?;
        Ok(Ok(DrawerState { drawer, totals }))
    }

    /// Every open drawer and what it should hold `now` (a supervisor's view), by cashier.
    pub fn open_drawers(&self, now: i64) -> Result<Vec<DrawerState>, JournalError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {DRAWER_COLUMNS} FROM drawers WHERE closed_at IS NULL ORDER BY cashier"
        ))?;
        let drawers = stmt
            .query_map([], drawer_row)?
            .collect::<Result<Vec<_>, _>>()?;
        drawers
            .into_iter()
            .map(|drawer| {
                let totals = totals(&self.conn, &drawer.cashier, drawer.opened_at, now)?;
                Ok(DrawerState { drawer, totals })
            })
            .collect()
    }

    /// Closes `cashier`'s drawer with the cash counted and the balance read now: the
    /// expected figures are computed and stored in the same transaction.
    pub fn close_drawer(
        &mut self,
        cashier: &str,
        counted_cash: i64,
        balance: Option<i64>,
        now: i64,
    ) -> Result<Result<DrawerState, DrawerRefusal>, JournalError> {
        let tx = self.immediate()?;
        let drawer = tx
            .query_row(
                &format!(
                    "SELECT {DRAWER_COLUMNS} FROM drawers WHERE cashier = ?1 AND closed_at IS NULL"
                ),
                [cashier],
                drawer_row,
            )
            .optional()?;
        let Some(mut drawer) = drawer else {
            return Ok(Err(DrawerRefusal::NotOpen));
        };
        let totals = totals(&tx, cashier, drawer.opened_at, now)?;
        let expected_cash = totals.expected_cash(drawer.opening());
        let expected_balance = drawer
            .opening_balance
            .map(|_| totals.expected_balance(drawer.opening()));
        tx.execute(
            "UPDATE drawers SET closed_at = ?2, counted_cash = ?3, closing_balance = ?4, \
             expected_cash = ?5, expected_balance = ?6 WHERE id = ?1",
            params![
                drawer.id,
                now,
                counted_cash,
                balance,
                expected_cash,
                expected_balance
            ],
        )?;
        tx.commit()?;
        drawer.closed_at = Some(now);
        drawer.counted_cash = Some(counted_cash);
        drawer.closing_balance = balance;
        drawer.expected_cash = Some(expected_cash);
        drawer.expected_balance = expected_balance;
        Ok(Ok(DrawerState { drawer, totals }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sale(j: &Journal, id: &str, service: &str, amount: i64, status: &str, cashier: &str) {
        j.conn
            .execute(
                "INSERT INTO transactions (external_id, gateway, service, amount, status, \
                 cashier, created_at, updated_at, final_at) \
                 VALUES (?1, 'intech', ?2, ?3, ?4, ?5, 1000, 1000, 1000)",
                params![id, service, amount, status, cashier],
            )
            .unwrap();
    }

    #[test]
    fn a_drawer_counts_its_cashier_s_final_operations_and_the_callback_commission() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("j.db")).unwrap();
        j.open_drawer("awa", "t1", 20_000, Some(100_000), 500)
            .unwrap()
            .unwrap();
        assert_eq!(
            j.open_drawer("awa", "t1", 1, None, 600).unwrap(),
            Err(DrawerRefusal::AlreadyOpen { opened_at: 500 })
        );
        sale(&j, "a", "WAVE_SN_API_CASH_IN", 10_000, "SUCCESS", "awa");
        sale(&j, "b", "ORANGE_SN_API_CASH_OUT", 4_000, "SUCCESS", "awa");
        sale(&j, "c", "WAVE_SN_API_CASH_IN", 7_000, "FAILED", "awa");
        sale(&j, "d", "WAVE_SN_API_CASH_IN", 9_000, "SUCCESS", "moussa");
        j.record_event(Some("a"), "callback", &json!({"commission": 75}), 1000)
            .unwrap();
        let state = j.drawer_status("awa", 2_000).unwrap().unwrap();
        assert_eq!(state.expected_cash(), 26_000);
        assert_eq!(state.expected_balance(), Some(94_075));
        assert_eq!(state.totals.commissions, 75);
        let closed = j
            .close_drawer("awa", 25_500, Some(94_075), 3_000)
            .unwrap()
            .unwrap();
        let cash = closed.cash_gap().unwrap();
        assert_eq!((cash.difference(), cash.flagged()), (-500, true));
        assert!(!closed.balance_gap().unwrap().flagged());
        assert_eq!(
            j.drawer_status("awa", 4_000).unwrap(),
            Err(DrawerRefusal::NotOpen)
        );
    }

    /// Issue 13: a receipt sent by WhatsApp, linked to its sale (`receiptOf`), is paid by
    /// the shop: its fee leaves the balance and no cash comes in. A message sold at the
    /// WhatsApp tile (no link) is paid in cash by the customer.
    #[test]
    fn a_receipt_sent_by_whatsapp_costs_the_balance_and_brings_no_cash() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("j.db")).unwrap();
        j.open_drawer("awa", "t1", 20_000, Some(100_000), 500)
            .unwrap()
            .unwrap();
        sale(&j, "a", "WAVE_SN_API_CASH_IN", 10_000, "SUCCESS", "awa");
        sale(&j, "m", "WHATSAPP_MESSAGING", 25, "SUCCESS", "awa");
        j.conn
            .execute(
                "UPDATE transactions SET fields = ?1 WHERE external_id = 'm'",
                [json!({"message": "REÇU", "receiptOf": "a"}).to_string()],
            )
            .unwrap();
        sale(&j, "sold", "WHATSAPP_MESSAGING", 25, "SUCCESS", "awa");
        let state = j.drawer_status("awa", 2_000).unwrap().unwrap();
        // The deposit and the sold message bring cash; the receipt brings none.
        assert_eq!(state.expected_cash(), 30_025);
        assert_eq!(state.expected_balance(), Some(100_000 - 10_000 - 25 - 25));
        assert_eq!(state.totals.shop_costs, 25);
    }
}
