//! The shop's side of the outbox: the rows the journal's triggers queued (migration 12),
//! read a batch at a time in `seq` order, and deleted once the head office has committed
//! them. Its own SQLite connection, so that the engine's is never held while the head
//! office is slow; and the engine's writes move this connection's `data_version`.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::journal::{Journal, JournalError};

/// At most this many rows are read and pushed at once: the memory a batch takes is bounded
/// whatever the backlog (a shop offline for a week).
pub const BATCH: usize = 500;

/// One queued snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub seq: i64,
    /// `operation`, `event`, `drawer`, `z_report`, `balance_reading`.
    pub kind: String,
    /// The row's key in its table (external_id, id, number).
    pub key: String,
    /// The row as JSON, as the trigger wrote it.
    pub body: String,
}

/// Where the outbox stands, for `caisse hq status`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct State {
    /// False on a shop without a head office: the triggers write nothing.
    pub enabled: bool,
    pub shop_id: Option<String>,
    /// This journal's name at the head office (drawn when the outbox is turned on).
    pub journal_id: Option<String>,
    pub waiting: i64,
    /// The shop's time (ms) the oldest waiting row was queued.
    pub oldest_queued_at: Option<i64>,
    pub acked_seq: i64,
    pub acked_at: Option<i64>,
    /// The head office's `last_seq` for this shop when the service last read it.
    pub remote_seq: Option<i64>,
    pub remote_at: Option<i64>,
}

pub struct Outbox {
    conn: Connection,
}

/// How long a write waits for the engine's (same as the journal's own wait).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

impl Outbox {
    /// Opens the journal at `path` (migrated to the current schema first).
    pub fn open(path: &Path) -> Result<Outbox, JournalError> {
        drop(Journal::open(path)?);
        let conn = Connection::open(path).map_err(|e| JournalError::Open {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        Ok(Outbox { conn })
    }

    /// SQLite's counter of other connections' commits: unchanged means nothing new queued.
    pub fn data_version(&self) -> Result<i64, JournalError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Turns the triggers on for `shop_id`. The first time (or for another shop id), every
    /// row the journal already holds is queued too, in the same transaction, so the head
    /// office gets the shop's past and not only what follows. Returns true when it did.
    pub fn enable(&mut self, shop_id: &str, now: i64) -> Result<bool, JournalError> {
        let t = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: Option<String> = t
            .query_row("SELECT shop_id FROM outbox_state", [], |r| r.get(0))
            .optional()?;
        if current.as_deref() == Some(shop_id) {
            return Ok(false);
        }
        // Another shop id: what was queued for the other one is not this shop's to send.
        t.execute("DELETE FROM outbox", [])?;
        t.execute("DELETE FROM outbox_state", [])?;
        let journal_id = uuid::Uuid::new_v4().to_string();
        t.execute(
            "INSERT INTO outbox_state (id, shop_id, journal_id, enabled_at) VALUES (1, ?1, ?2, ?3)",
            params![shop_id, journal_id, now],
        )?;
        // The past, with the triggers' own snapshot (they fire on a change, not on demand).
        for sql in BACKFILL {
            t.execute(sql, [now])?;
        }
        t.commit()?;
        Ok(true)
    }

    /// Turns the triggers off and empties the outbox (a shop whose `[hq]` was removed).
    pub fn disable(&mut self) -> Result<bool, JournalError> {
        let enabled: bool =
            self.conn
                .query_row("SELECT EXISTS (SELECT 1 FROM outbox_state)", [], |r| {
                    r.get(0)
                })?;
        if !enabled {
            return Ok(false);
        }
        let t = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        t.execute("DELETE FROM outbox_state", [])?;
        t.execute("DELETE FROM outbox", [])?;
        t.commit()?;
        Ok(true)
    }

    /// The next rows after the acknowledged ones, oldest first, at most `limit`.
    pub fn batch(&self, limit: usize) -> Result<Vec<Row>, JournalError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, kind, key, body FROM outbox ORDER BY seq LIMIT ?1")?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok(Row {
                    seq: r.get(0)?,
                    kind: r.get(1)?,
                    key: r.get(2)?,
                    body: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The head office holds every row up to `seq`: they go (the outbox stays small).
    pub fn ack(&mut self, seq: i64, now: i64) -> Result<(), JournalError> {
        let t = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        crate::journal::outbox::ack(&t, seq, now)?;
        t.commit()?;
        Ok(())
    }

    /// This journal's name at the head office.
    pub fn journal_id(&self) -> Result<Option<String>, JournalError> {
        Ok(self
            .conn
            .query_row("SELECT journal_id FROM outbox_state", [], |r| r.get(0))
            .optional()?)
    }

    /// See [`crate::journal::outbox::catch_up`].
    pub fn catch_up(
        &mut self,
        remote_seq: i64,
        remote_journal: Option<&str>,
        now: i64,
    ) -> Result<(), JournalError> {
        let t = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        crate::journal::outbox::catch_up(&t, remote_seq, remote_journal, now)?;
        t.commit()?;
        Ok(())
    }

    pub fn state(&self) -> Result<State, JournalError> {
        let mut state = self
            .conn
            .query_row(
                "SELECT shop_id, acked_seq, acked_at, remote_seq, remote_at, journal_id \
                 FROM outbox_state",
                [],
                |r| {
                    Ok(State {
                        enabled: true,
                        shop_id: r.get(0)?,
                        acked_seq: r.get(1)?,
                        acked_at: r.get(2)?,
                        remote_seq: r.get(3)?,
                        remote_at: r.get(4)?,
                        journal_id: r.get(5)?,
                        ..State::default()
                    })
                },
            )
            .optional()?
            .unwrap_or_default();
        let (waiting, oldest): (i64, Option<i64>) =
            self.conn
                .query_row("SELECT COUNT(*), MIN(queued_at) FROM outbox", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
        state.waiting = waiting;
        state.oldest_queued_at = oldest;
        Ok(state)
    }
}

/// The journal's rows as the triggers would have queued them, in the order they were
/// made (operations by creation, then their events…): the shop's past for a new head
/// office. `?1` is the time they are queued.
const BACKFILL: &[&str] = &[
    "INSERT INTO outbox (kind, key, body, queued_at) SELECT 'operation', external_id, \
     json_object('external_id', external_id, 'kind', kind, 'parent_id', parent_id, \
     'gateway', gateway, 'service', service, 'phone', phone, 'amount', amount, \
     'fields', CASE WHEN json_valid(fields) THEN json(fields) ELSE fields END, \
     'details', CASE WHEN json_valid(details) THEN json(details) ELSE details END, \
     'status', status, 'gateway_tx_id', gateway_tx_id, 'notification', notification, \
     'error_code', error_code, 'error_message', error_message, 'cashier', cashier, \
     'terminal', terminal, 'created_at', created_at, 'sent_at', sent_at, \
     'answered_at', answered_at, 'final_at', final_at, 'updated_at', updated_at, \
     'receipt_no', receipt_no, 'unreadable_since', unreadable_since), ?1 \
     FROM transactions ORDER BY created_at, external_id",
    "INSERT INTO outbox (kind, key, body, queued_at) SELECT 'event', id, \
     json_object('id', id, 'external_id', external_id, 'at', at, 'kind', kind, \
     'detail', CASE WHEN json_valid(detail) THEN json(detail) ELSE detail END, \
     'cashier', cashier, 'terminal', terminal), ?1 FROM events ORDER BY id",
    "INSERT INTO outbox (kind, key, body, queued_at) SELECT 'drawer', id, \
     json_object('id', id, 'cashier', cashier, 'terminal', terminal, 'opened_at', opened_at, \
     'opening_cash', opening_cash, 'opening_balance', opening_balance, \
     'closed_at', closed_at, 'counted_cash', counted_cash, \
     'closing_balance', closing_balance, 'expected_cash', expected_cash, \
     'expected_balance', expected_balance), ?1 FROM drawers ORDER BY id",
    "INSERT INTO outbox (kind, key, body, queued_at) SELECT 'z_report', number, \
     json_object('number', number, 'period_start', period_start, 'period_end', period_end, \
     'content', content, 'prev_hash', prev_hash, 'hash', hash, 'closed_by', closed_by, \
     'created_at', created_at), ?1 FROM z_reports ORDER BY number",
    "INSERT INTO outbox (kind, key, body, queued_at) SELECT 'balance_reading', id, \
     json_object('id', id, 'at', at, 'balance', balance, 'refill', refill), ?1 \
     FROM balance_readings ORDER BY id",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn outbox() -> (tempfile::TempDir, std::path::PathBuf, Outbox) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        let outbox = Outbox::open(&path).unwrap();
        (dir, path, outbox)
    }

    fn sql(path: &Path, sql: &str) {
        Connection::open(path).unwrap().execute_batch(sql).unwrap();
    }

    const SALE: &str = "INSERT INTO transactions (external_id, gateway, service, status, \
                        created_at, updated_at) VALUES ('a', 'intech', 'WAVE_SN_API_CASH_IN', \
                        'PENDING', 1, 1)";

    /// Only a change the head office keeps is queued: a poll's lease or next time, the
    /// cashier's "seen" mark stay home.
    #[test]
    fn the_bookkeeping_of_this_host_is_not_queued() {
        let (_d, path, mut outbox) = outbox();
        outbox.enable("s", 0).unwrap();
        sql(&path, SALE);
        sql(
            &path,
            "UPDATE transactions SET lease_owner = 'x', lease_until = 5, next_poll_at = 9, \
             seen_at = 3, updated_at = 4",
        );
        assert_eq!(outbox.batch(10).unwrap().len(), 1);
        sql(
            &path,
            "UPDATE transactions SET status = 'SUCCESS', final_at = 6",
        );
        let rows = outbox.batch(10).unwrap();
        assert_eq!(rows.len(), 2);
        let body: serde_json::Value = serde_json::from_str(&rows[1].body).unwrap();
        assert_eq!(
            (body["status"].as_str(), body["final_at"].as_i64()),
            (Some("SUCCESS"), Some(6))
        );
        assert_eq!(
            body["fields"],
            serde_json::json!({}),
            "JSON columns as JSON"
        );
        assert!(body.get("lease_owner").is_none());
    }

    /// A batch committed at the head office just before a crash is dropped here on the
    /// next session. From another journal of the shop, or beyond what this journal
    /// numbered, or an impossible number: refused, the queue kept whole (review of
    /// issue 15, F1 and F2).
    #[test]
    fn catching_up_drops_what_the_head_office_holds_and_refuses_what_would_overwrite() {
        let (_d, path, mut outbox) = outbox();
        outbox.enable("s", 0).unwrap();
        for _ in 0..5 {
            sql(&path, "INSERT INTO events (at, kind) VALUES (1, 'k')");
        }
        let ours = outbox.journal_id().unwrap();
        outbox.catch_up(3, ours.as_deref(), 0).unwrap();
        let seqs = |outbox: &Outbox| -> Vec<i64> {
            outbox.batch(10).unwrap().iter().map(|r| r.seq).collect()
        };
        assert_eq!(seqs(&outbox), [4, 5]);
        assert_eq!(outbox.state().unwrap().acked_seq, 3);

        for (remote, journal) in [
            (100, Some("another")),
            (100, ours.as_deref()),
            (-1, ours.as_deref()),
            (i64::MAX - 2, ours.as_deref()),
        ] {
            let err = outbox.catch_up(remote, journal, 0).unwrap_err().to_string();
            assert!(err.contains("gardée"), "{remote}: {err}");
            assert_eq!(
                seqs(&outbox),
                [4, 5],
                "{remote}: nothing dropped, nothing renumbered"
            );
        }
        sql(&path, "INSERT INTO events (at, kind) VALUES (1, 'k')");
        assert_eq!(seqs(&outbox), [4, 5, 6], "the numbers go on as before");
    }
}
