//! The journal over a period, for reports and exports: rows streamed in creation order
//! (never all in memory), and the search by phone. Served by the `transactions_created`
//! index and migration 6's `transactions_phone`.

use rusqlite::params;

use super::rows::{COLUMNS, row_to_tx};
use super::{Journal, JournalError, TransactionRow};
use crate::domain::{OpKind, TxStatus};
use crate::report::{Aggregator, By, Entry, Period, Report};

impl Journal {
    /// Hands every operation created in `[from, to)` (ms) to `each`, oldest first, as it is
    /// read. `each`'s error stops the walk and is returned.
    pub fn for_each_between<E: From<JournalError>>(
        &self,
        from: i64,
        to: i64,
        mut each: impl FnMut(TransactionRow) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM transactions WHERE created_at >= ?1 AND created_at < ?2 \
                 ORDER BY created_at, external_id"
            ))
            .map_err(JournalError::from)?;
        let mut rows = stmt.query(params![from, to]).map_err(JournalError::from)?;
        while let Some(row) = rows.next().map_err(JournalError::from)? {
            each(row_to_tx(row).map_err(JournalError::from)?)?;
        }
        Ok(())
    }

    /// Hands what a report needs of each operation created in `[from, to)` to `each`: only
    /// those columns are read (the report of a month over a million rows stays fast).
    pub fn report_entries(
        &self,
        from: i64,
        to: i64,
        mut each: impl FnMut(Entry<'_>),
    ) -> Result<(), JournalError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT service, cashier, kind, status, amount, created_at FROM transactions \
             WHERE created_at >= ?1 AND created_at < ?2",
        )?;
        let mut rows = stmt.query(params![from, to])?;
        while let Some(row) = rows.next()? {
            let service = text(row, 0)?;
            let cashier = text(row, 1)?;
            let kind = OpKind::parse(text(row, 2)?).unwrap_or(OpKind::Payment);
            // As `row_to_tx`: a status this build does not know is not counted as final.
            let status = TxStatus::parse(text(row, 3)?).unwrap_or(TxStatus::Review);
            each(Entry {
                service,
                cashier,
                kind,
                status,
                amount: row.get(4)?,
                created_at: row.get(5)?,
            });
        }
        Ok(())
    }

    /// The report of `period` grouped `by`: every operation's, or only `cashier`'s (a
    /// cashier asking through the service sees their own sales only).
    pub fn report(
        &self,
        period: Period,
        by: By,
        cashier: Option<&str>,
    ) -> Result<Report, JournalError> {
        let (from, to) = period.millis();
        let mut report = Aggregator::new(by);
        self.report_entries(from, to, |entry| {
            if cashier.is_none_or(|name| entry.cashier == name) {
                report.add(entry);
            }
        })?;
        Ok(report.finish())
    }

    /// The operations for this phone number, newest first, at most `limit`.
    pub fn search_phone(
        &self,
        phone: &str,
        limit: usize,
    ) -> Result<Vec<TransactionRow>, JournalError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM transactions WHERE phone = ?1 \
             ORDER BY created_at DESC, external_id DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![phone, limit as i64], row_to_tx)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Journal {
    /// Writes finished rows as they are, in one transaction with one prepared statement:
    /// how the benchmark fills a million rows and the export test its odd ones. Not a way
    /// to record a sale (no intent, no event, no lifecycle check).
    #[doc(hidden)]
    pub fn insert_rows_for_tests(
        &mut self,
        rows: impl IntoIterator<Item = TransactionRow>,
    ) -> Result<usize, JournalError> {
        let t = self.immediate()?;
        let mut count = 0;
        {
            let mut stmt = t.prepare(
                "INSERT INTO transactions (external_id, gateway, service, phone, amount, fields, \
                 status, gateway_tx_id, error_code, error_message, cashier, terminal, \
                 created_at, final_at, updated_at, kind, parent_id, details, seen_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, \
                 ?16, ?17, ?18, ?15)",
            )?;
            for row in rows {
                stmt.execute(params![
                    row.external_id,
                    row.gateway.as_str(),
                    row.service,
                    row.phone,
                    row.amount,
                    row.fields.to_string(),
                    row.status.as_str(),
                    row.gateway_tx_id,
                    row.error_code,
                    row.error_message,
                    row.cashier,
                    row.terminal,
                    row.created_at,
                    row.final_at,
                    row.updated_at,
                    row.kind.as_str(),
                    row.parent_id,
                    row.details.to_string(),
                ])?;
                count += 1;
            }
        }
        t.commit()?;
        Ok(count)
    }
}

/// A finished row with every optional column empty: what tests and the benchmark start from.
#[doc(hidden)]
pub fn sample_row(
    external_id: &str,
    service: &str,
    status: TxStatus,
    created_at: i64,
) -> TransactionRow {
    TransactionRow {
        external_id: external_id.to_owned(),
        kind: OpKind::Payment,
        parent_id: None,
        gateway: crate::domain::GatewayKind::Intech,
        service: service.to_owned(),
        phone: None,
        amount: None,
        fields: serde_json::json!({}),
        status,
        gateway_tx_id: None,
        customer_url: None,
        notification: None,
        error_code: None,
        error_message: None,
        cashier: String::new(),
        terminal: String::new(),
        created_at,
        sent_at: None,
        answered_at: None,
        final_at: None,
        updated_at: created_at,
        lease_owner: None,
        lease_until: None,
        next_poll_at: None,
        not_found_count: 0,
        first_not_found_at: None,
        confirm_success: false,
        unreadable_since: None,
        details: serde_json::json!({}),
        receipt_no: None,
    }
}

/// A text column read in place (no `String` per row: the rows of a month go by fast).
fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r str, JournalError> {
    row.get_ref(i)?.as_str().map_err(|e| {
        JournalError::from(rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            Box::new(e),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(journal: &Journal, sql: &str) -> String {
        let mut stmt = journal
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let details: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        details.join(" | ")
    }

    /// The period's rows and a phone's come from an index, never a scan of the table (the
    /// benchmark's figures depend on it).
    #[test]
    fn range_and_phone_queries_use_their_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(&dir.path().join("j.db")).unwrap();
        let range = plan(
            &journal,
            "SELECT service FROM transactions WHERE created_at >= 1 AND created_at < 2",
        );
        assert!(range.contains("transactions_created"), "{range}");
        let phone = plan(
            &journal,
            "SELECT * FROM transactions WHERE phone = '77' \
             ORDER BY created_at DESC, external_id DESC LIMIT 5",
        );
        assert!(phone.contains("transactions_phone"), "{phone}");
    }
}
