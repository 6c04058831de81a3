//! The poll's bookkeeping: the ledger of status calls that keeps every process on this
//! host within Intech's limit, the send leases, and which unsettled rows are due. Every
//! "unsettled" condition is built from [`TxStatus::UNSETTLED`].

use rusqlite::params;

use super::rows::{COLUMNS, TransactionRow, row_to_tx};
use super::{Journal, JournalError, insert_event};
use crate::domain::TxStatus;

/// The answer to a request for a status call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotDecision {
    /// Go ahead; the slot's id, to stamp when the call ends.
    Granted(i64),
    /// No slot: ask again in this many milliseconds.
    Wait(i64),
}

impl Journal {
    /// Takes the send lease of a transaction for `owner` until `until`, if nobody else holds a
    /// live one. One send per intent at a time, across processes.
    pub fn acquire_lease(
        &mut self,
        external_id: &str,
        owner: &str,
        until: i64,
        now: i64,
    ) -> Result<bool, JournalError> {
        let t = self.immediate()?;
        let taken = t.execute(
            "UPDATE transactions SET lease_owner = ?2, lease_until = ?3 WHERE external_id = ?1 \
             AND (lease_owner IS NULL OR lease_owner = ?2 OR lease_until < ?4)",
            params![external_id, owner, until, now],
        )?;
        t.commit()?;
        Ok(taken == 1)
    }

    /// Asks for one `get-transaction-status` call for `external_id` at `now`. Granted (and
    /// counted) only if fewer than `per_transaction` calls were made for it in the last
    /// `window_ms` and fewer than `per_second` for all transactions in the last second, by
    /// every process sharing this journal. A granted slot is stamped with the time the
    /// call started; [`Journal::finish_status_slot`] moves the stamp to when the answer
    /// came, since the gateway counted the call somewhere in between: spacing calls from
    /// the end of one to the start of the next keeps the gateway's count within the limit
    /// whatever the network's delays.
    pub fn take_status_slot(
        &mut self,
        external_id: &str,
        now: i64,
        per_transaction: u32,
        window_ms: i64,
        per_second: u32,
    ) -> Result<SlotDecision, JournalError> {
        let t = self.immediate()?;
        let (count, oldest): (i64, Option<i64>) = t.query_row(
            "SELECT COUNT(*), MIN(at) FROM status_calls WHERE external_id = ?1 AND at > ?2",
            params![external_id, now - window_ms],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if count >= i64::from(per_transaction) {
            let wait = oldest.map(|o| o + window_ms - now + 1).unwrap_or(window_ms);
            return Ok(SlotDecision::Wait(wait.max(1)));
        }
        let (global, oldest_global): (i64, Option<i64>) = t.query_row(
            "SELECT COUNT(*), MIN(at) FROM status_calls WHERE at > ?1",
            params![now - 1000],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if global >= i64::from(per_second) {
            let wait = oldest_global.map(|o| o + 1000 - now + 1).unwrap_or(1000);
            return Ok(SlotDecision::Wait(wait.max(1)));
        }
        t.execute(
            "INSERT INTO status_calls (external_id, at) VALUES (?1, ?2)",
            params![external_id, now],
        )?;
        let slot = t.last_insert_rowid();
        // The ledger only needs the last window: keep it small.
        t.execute(
            "DELETE FROM status_calls WHERE at < ?1",
            params![now - window_ms.max(1000) * 10],
        )?;
        t.commit()?;
        Ok(SlotDecision::Granted(slot))
    }

    /// Stamps a granted slot with the time its call ended (see [`Journal::take_status_slot`]).
    pub fn finish_status_slot(&mut self, slot: i64, ended_at: i64) -> Result<(), JournalError> {
        let t = self.immediate()?;
        t.execute(
            "UPDATE status_calls SET at = MAX(at, ?2) WHERE rowid = ?1",
            params![slot, ended_at],
        )?;
        t.commit()?;
        Ok(())
    }

    /// Status calls made for a transaction in `(since, now]`, as counted by the ledger.
    pub fn status_calls_since(&self, external_id: &str, since: i64) -> Result<i64, JournalError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM status_calls WHERE external_id = ?1 AND at > ?2",
            params![external_id, since],
            |r| r.get(0),
        )?)
    }

    /// The send leases still held on unsettled rows: (external id, owner).
    pub fn live_leases(&self, now: i64) -> Result<Vec<(String, String)>, JournalError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT external_id, lease_owner FROM transactions WHERE lease_owner IS NOT NULL \
             AND lease_until >= ?1 AND status IN {}",
            TxStatus::unsettled_sql()
        ))?;
        let rows = stmt.query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Ends a lease whose owner is known to be dead (only if that owner still holds it).
    pub fn break_lease(
        &mut self,
        external_id: &str,
        owner: &str,
        now: i64,
    ) -> Result<bool, JournalError> {
        let t = self.immediate()?;
        let n = t.execute(
            "UPDATE transactions SET lease_owner = NULL, lease_until = NULL \
             WHERE external_id = ?1 AND lease_owner = ?2",
            params![external_id, owner],
        )?;
        if n == 1 {
            insert_event(
                &t,
                Some(external_id),
                now,
                "lease_broken",
                &serde_json::json!({"owner": owner}),
                "",
                "",
            )?;
        }
        t.commit()?;
        Ok(n == 1)
    }

    /// Every transaction not in a final status, oldest first.
    pub fn unsettled(&self) -> Result<Vec<TransactionRow>, JournalError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM transactions WHERE status IN {} ORDER BY created_at",
            TxStatus::unsettled_sql()
        ))?;
        let rows = stmt.query_map([], row_to_tx)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Claims up to `limit` rows due for a status poll at `now` (only `only`, when given),
    /// pushing their next poll `claim_ms` ahead so that another process does not poll them
    /// too. The claim is limited to what the global per-second budget has left.
    ///
    /// A sale whose send is still in flight (under its lease) is asked about only once the
    /// gateway named it (a callback came before the reply, with its id): a question then
    /// cannot meet "not found" and settle as never sent what the send may still create, and
    /// the cashier does not wait for the reply to learn what the callback said.
    pub fn claim_due(
        &mut self,
        now: i64,
        limit: usize,
        claim_ms: i64,
        per_second: u32,
        only: Option<&str>,
    ) -> Result<Vec<TransactionRow>, JournalError> {
        let t = self.immediate()?;
        let recent: i64 = t.query_row(
            "SELECT COUNT(*) FROM status_calls WHERE at > ?1",
            [now - 1000],
            |r| r.get(0),
        )?;
        let room = (i64::from(per_second) - recent).clamp(0, limit as i64);
        let rows: Vec<TransactionRow> = {
            let mut stmt = t.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM transactions WHERE status IN {} \
                 AND next_poll_at IS NOT NULL AND next_poll_at <= ?1 \
                 AND (lease_owner IS NULL OR lease_until < ?1 \
                      OR (gateway_tx_id IS NOT NULL AND parent_id IS NULL)) \
                 AND (?3 IS NULL OR external_id = ?3) \
                 ORDER BY next_poll_at LIMIT ?2",
                TxStatus::unsettled_sql()
            ))?;
            let rows = stmt.query_map(params![now, room, only], row_to_tx)?;
            rows.collect::<Result<_, _>>()?
        };
        for row in &rows {
            t.execute(
                "UPDATE transactions SET next_poll_at = ?2 WHERE external_id = ?1",
                params![row.external_id, now + claim_ms],
            )?;
        }
        t.commit()?;
        Ok(rows)
    }

    /// When the next unsettled row (only `only`, when given) falls due (`None`: nothing).
    pub fn next_due(&self, only: Option<&str>) -> Result<Option<i64>, JournalError> {
        Ok(self.conn.query_row(
            &format!(
                "SELECT MIN(next_poll_at) FROM transactions WHERE status IN {} \
                 AND next_poll_at IS NOT NULL AND (?1 IS NULL OR external_id = ?1)",
                TxStatus::unsettled_sql()
            ),
            [only],
            |r| r.get(0),
        )?)
    }

    /// Moves a row's next poll (a deferral by the budget), without an event.
    pub fn reschedule(&mut self, external_id: &str, at: i64) -> Result<(), JournalError> {
        let t = self.immediate()?;
        t.execute(
            &format!(
                "UPDATE transactions SET next_poll_at = ?2 WHERE external_id = ?1 \
                 AND status IN {}",
                TxStatus::unsettled_sql()
            ),
            params![external_id, at],
        )?;
        t.commit()?;
        Ok(())
    }
}
