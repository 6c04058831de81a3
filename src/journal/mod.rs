//! The journal: one SQLite file (WAL, `synchronous=FULL`) holding every transaction, keyed by
//! its `externalTransactionId`, an append-only event log beside it, and the ledger of status
//! calls that keeps every process on this host within Intech's limit.
//!
//! Every write runs in `BEGIN IMMEDIATE`: a deferred read-then-write transaction fails at once
//! with "database is locked" when another process wrote in between, whatever the busy
//! timeout. Calls are blocking: the engine runs them off the UI task (`spawn_blocking`).
//! Times are milliseconds since the epoch, given by the caller (tests set the clock).

mod cashiers;
mod schema;
mod status;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::Value;

pub use cashiers::{CashierRecord, PinCount, PinRules};
pub use schema::CURRENT_VERSION;
pub use status::TxStatus;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(
        "ce journal a été écrit par une version plus récente de caisse (schéma {found}, cette \
         version connaît jusqu'au schéma {supported}) : mettez caisse à jour"
    )]
    TooNew { found: i64, supported: i64 },
    #[error("la transaction {0} existe déjà dans le journal")]
    Duplicate(String),
    #[error("transaction {0} introuvable dans le journal")]
    NotFound(String),
    #[error("disque plein : le journal ne peut plus rien écrire ; libérez de la place")]
    DiskFull,
    #[error("journal inaccessible ({path}) : {reason}")]
    Open { path: PathBuf, reason: String },
    #[error("erreur du journal : {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for JournalError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && f.code == rusqlite::ErrorCode::DiskFull
        {
            return JournalError::DiskFull;
        }
        JournalError::Sqlite(e)
    }
}

/// Midnight UTC today (local time in Senegal and Côte d'Ivoire), in ms: where "today's
/// sales" start for the app and the CLI.
pub fn start_of_today() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    now.replace_time(time::Time::MIDNIGHT).unix_timestamp() * 1000
}

/// How long a writer waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A transaction as the journal holds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TransactionRow {
    pub external_id: String,
    pub gateway: String,
    pub service: String,
    pub phone: Option<String>,
    pub amount: Option<i64>,
    /// The service's other fields (card number masked, CVC never).
    pub fields: Value,
    #[serde(serialize_with = "status_str", deserialize_with = "status_from_str")]
    pub status: TxStatus,
    pub gateway_tx_id: Option<String>,
    pub customer_url: Option<String>,
    pub notification: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub cashier: String,
    pub terminal: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub final_at: Option<i64>,
    pub updated_at: i64,
    #[serde(skip)]
    pub lease_owner: Option<String>,
    #[serde(skip)]
    pub lease_until: Option<i64>,
    pub next_poll_at: Option<i64>,
    pub not_found_count: i64,
    pub first_not_found_at: Option<i64>,
    /// A callback said SUCCESS; one status query must confirm it before the sale shows paid.
    pub confirm_success: bool,
}

fn status_str<S: serde::Serializer>(s: &TxStatus, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.as_str())
}

fn status_from_str<'de, D: serde::Deserializer<'de>>(d: D) -> Result<TxStatus, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(d)?;
    TxStatus::parse(&text)
        .ok_or_else(|| serde::de::Error::custom(format!("statut inconnu « {text} »")))
}

const COLUMNS: &str = "external_id, gateway, service, phone, amount, fields, status, gateway_tx_id, \
     customer_url, notification, error_code, error_message, cashier, terminal, created_at, \
     sent_at, answered_at, final_at, updated_at, lease_owner, lease_until, next_poll_at, \
     not_found_count, first_not_found_at, confirm_success";

fn row_to_tx(r: &rusqlite::Row<'_>) -> rusqlite::Result<TransactionRow> {
    let fields: String = r.get(5)?;
    let status: String = r.get(6)?;
    Ok(TransactionRow {
        external_id: r.get(0)?,
        gateway: r.get(1)?,
        service: r.get(2)?,
        phone: r.get(3)?,
        amount: r.get(4)?,
        fields: serde_json::from_str(&fields).unwrap_or(Value::Null),
        status: TxStatus::parse(&status).unwrap_or(TxStatus::Unknown),
        gateway_tx_id: r.get(7)?,
        customer_url: r.get(8)?,
        notification: r.get(9)?,
        error_code: r.get(10)?,
        error_message: r.get(11)?,
        cashier: r.get(12)?,
        terminal: r.get(13)?,
        created_at: r.get(14)?,
        sent_at: r.get(15)?,
        answered_at: r.get(16)?,
        final_at: r.get(17)?,
        updated_at: r.get(18)?,
        lease_owner: r.get(19)?,
        lease_until: r.get(20)?,
        next_poll_at: r.get(21)?,
        not_found_count: r.get(22)?,
        first_not_found_at: r.get(23)?,
        confirm_success: r.get::<_, i64>(24)? != 0,
    })
}

/// A new transaction, as the cashier entered it and local validation accepted it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTransaction {
    pub external_id: String,
    pub gateway: String,
    pub service: String,
    pub phone: Option<String>,
    pub amount: Option<i64>,
    /// Already masked: the journal stores what it is given.
    pub fields: Value,
    pub cashier: String,
    pub terminal: String,
}

/// The answer to a request for a status call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotDecision {
    /// Go ahead; the slot's id, to stamp when the call ends.
    Granted(i64),
    /// No slot: ask again in this many milliseconds.
    Wait(i64),
}

/// A change to a transaction's row. `None` fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Change {
    pub status: Option<TxStatus>,
    pub gateway_tx_id: Option<String>,
    pub customer_url: Option<String>,
    pub notification: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub sent_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub next_poll_at: Option<Option<i64>>,
    pub confirm_success: Option<bool>,
    /// Clears the send lease (the send is over).
    pub release_lease: bool,
}

/// What [`Journal::apply`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub before: TxStatus,
    pub after: TxStatus,
    /// False when the status asked for would have moved the row backwards (or sideways):
    /// the other fields were still recorded.
    pub status_changed: bool,
}

/// One entry of the event log.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    pub id: i64,
    pub external_id: Option<String>,
    pub at: i64,
    pub kind: String,
    pub detail: Value,
    pub cashier: String,
    pub terminal: String,
}

pub struct Journal {
    conn: Connection,
    path: PathBuf,
}

impl Journal {
    /// Opens (creating if needed) and migrates the journal at `path`.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let open_err = |reason: String| JournalError::Open {
            path: path.to_path_buf(),
            reason,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_err(e.to_string()))?;
        }
        let mut conn = Connection::open(path).map_err(|e| open_err(e.to_string()))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(open_err(format!("mode WAL refusé ({mode})")));
        }
        // Every commit reaches the disk before it returns: money moves are recorded here.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        schema::migrate(&mut conn)?;
        Ok(Journal {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn immediate(&mut self) -> Result<rusqlite::Transaction<'_>, JournalError> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// Records the intent (status NEW) with a send lease for `owner`, before any byte is sent.
    pub fn insert_intent(
        &mut self,
        tx: &NewTransaction,
        lease_owner: &str,
        lease_until: i64,
        now: i64,
    ) -> Result<(), JournalError> {
        let t = self.immediate()?;
        let inserted = t.execute(
            "INSERT INTO transactions (external_id, gateway, service, phone, amount, fields, \
             status, cashier, terminal, created_at, updated_at, lease_owner, lease_until) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'NEW', ?7, ?8, ?9, ?9, ?10, ?11) \
             ON CONFLICT(external_id) DO NOTHING",
            params![
                tx.external_id,
                tx.gateway,
                tx.service,
                tx.phone,
                tx.amount,
                tx.fields.to_string(),
                tx.cashier,
                tx.terminal,
                now,
                lease_owner,
                lease_until
            ],
        )?;
        if inserted == 0 {
            return Err(JournalError::Duplicate(tx.external_id.clone()));
        }
        insert_event(
            &t,
            Some(&tx.external_id),
            now,
            "intent",
            &serde_json::json!({
                "gateway": tx.gateway, "service": tx.service, "phone": tx.phone,
                "amount": tx.amount, "fields": tx.fields,
            }),
            &tx.cashier,
            &tx.terminal,
        )?;
        t.commit()?;
        Ok(())
    }

    /// Applies a change in one write transaction, with an event. The status moves only
    /// forward ([`TxStatus::may_become`]); the final time is set when it becomes final.
    /// The event carries the sale's cashier and terminal (the engine acted on their behalf).
    pub fn apply(
        &mut self,
        external_id: &str,
        change: &Change,
        event_kind: &str,
        event_detail: &Value,
        now: i64,
    ) -> Result<Applied, JournalError> {
        self.apply_by(external_id, change, event_kind, event_detail, None, now)
    }

    /// [`Journal::apply`], with the event recorded as done by `by` (cashier, terminal): a
    /// supervisor's refund of another cashier's sale, say.
    pub fn apply_by(
        &mut self,
        external_id: &str,
        change: &Change,
        event_kind: &str,
        event_detail: &Value,
        by: Option<(&str, &str)>,
        now: i64,
    ) -> Result<Applied, JournalError> {
        let t = self.immediate()?;
        let current: Option<(String, String, String)> = t
            .query_row(
                "SELECT status, cashier, terminal FROM transactions WHERE external_id = ?1",
                [external_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((before, cashier, terminal)) = current else {
            return Err(JournalError::NotFound(external_id.to_owned()));
        };
        let before = TxStatus::parse(&before).unwrap_or(TxStatus::Unknown);
        let status_changed = change.status.is_some_and(|next| before.may_become(next));
        let after = if status_changed {
            change.status.unwrap_or(before)
        } else {
            before
        };
        // A final row keeps its outcome: only its bookkeeping (lease, polls) may change.
        let keep_outcome = before.is_final() && !status_changed;
        let (gw, url, note, code, msg) = if keep_outcome {
            (None, None, None, None, None)
        } else {
            (
                change.gateway_tx_id.as_deref(),
                change.customer_url.as_deref(),
                change.notification.as_deref(),
                change.error_code.as_deref(),
                change.error_message.as_deref(),
            )
        };
        let final_at = (status_changed && after.is_final()).then_some(now);
        let next_poll_at = if after.is_final() {
            Some(None)
        } else {
            change.next_poll_at
        };
        t.execute(
            "UPDATE transactions SET status = ?2, \
             gateway_tx_id = COALESCE(?3, gateway_tx_id), \
             customer_url = COALESCE(?4, customer_url), \
             notification = COALESCE(?5, notification), \
             error_code = COALESCE(?6, error_code), \
             error_message = COALESCE(?7, error_message), \
             sent_at = COALESCE(sent_at, ?8), \
             answered_at = COALESCE(answered_at, ?9), \
             final_at = COALESCE(final_at, ?10), \
             next_poll_at = CASE WHEN ?11 THEN ?12 ELSE next_poll_at END, \
             confirm_success = COALESCE(?13, confirm_success), \
             lease_owner = CASE WHEN ?14 THEN NULL ELSE lease_owner END, \
             lease_until = CASE WHEN ?14 THEN NULL ELSE lease_until END, \
             updated_at = ?15 \
             WHERE external_id = ?1",
            params![
                external_id,
                after.as_str(),
                gw,
                url,
                note,
                code,
                msg,
                change.sent_at,
                change.answered_at,
                final_at,
                next_poll_at.is_some(),
                next_poll_at.flatten(),
                change.confirm_success.map(i64::from),
                change.release_lease,
                now
            ],
        )?;
        let mut detail = event_detail.clone();
        if let Value::Object(map) = &mut detail {
            map.insert("before".into(), before.as_str().into());
            map.insert("after".into(), after.as_str().into());
        }
        let (cashier, terminal) = by.unwrap_or((&cashier, &terminal));
        insert_event(
            &t,
            Some(external_id),
            now,
            event_kind,
            &detail,
            cashier,
            terminal,
        )?;
        t.commit()?;
        Ok(Applied {
            before,
            after,
            status_changed,
        })
    }

    /// Appends an event not tied to a change (a rejected callback, a poll that changed
    /// nothing…). `external_id` may name a transaction the journal does not hold.
    pub fn record_event(
        &mut self,
        external_id: Option<&str>,
        kind: &str,
        detail: &Value,
        now: i64,
    ) -> Result<(), JournalError> {
        let t = self.immediate()?;
        insert_event(&t, external_id, now, kind, detail, "", "")?;
        t.commit()?;
        Ok(())
    }

    pub fn get(&self, external_id: &str) -> Result<Option<TransactionRow>, JournalError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM transactions WHERE external_id = ?1"),
                [external_id],
                row_to_tx,
            )
            .optional()?)
    }

    /// The transaction a gateway id belongs to (callbacks name both ids).
    pub fn find_by_gateway_id(
        &self,
        gateway_tx_id: &str,
    ) -> Result<Option<TransactionRow>, JournalError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM transactions WHERE gateway_tx_id = ?1"),
                [gateway_tx_id],
                row_to_tx,
            )
            .optional()?)
    }

    /// Transactions created at or after `since`, newest first.
    pub fn list_since(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<Vec<TransactionRow>, JournalError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM transactions WHERE created_at >= ?1 \
             ORDER BY created_at DESC, external_id DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![since, limit as i64], row_to_tx)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every transaction not in a final status, oldest first.
    pub fn unsettled(&self) -> Result<Vec<TransactionRow>, JournalError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM transactions WHERE status IN \
             ('NEW','UNKNOWN','PENDING','PROCESSING') ORDER BY created_at"
        ))?;
        let rows = stmt.query_map([], row_to_tx)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn events(&self, external_id: &str) -> Result<Vec<Event>, JournalError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, external_id, at, kind, detail, cashier, terminal FROM events \
             WHERE external_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([external_id], row_to_event)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Events of a kind, newest first (rejected callbacks, for instance).
    pub fn events_of_kind(&self, kind: &str, limit: usize) -> Result<Vec<Event>, JournalError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, external_id, at, kind, detail, cashier, terminal FROM events \
             WHERE kind = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![kind, limit as i64], row_to_event)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

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

    /// Counts a "not found" answer for a transaction, returning (count, first time seen).
    pub fn record_not_found(
        &mut self,
        external_id: &str,
        now: i64,
    ) -> Result<(i64, i64), JournalError> {
        let t = self.immediate()?;
        t.execute(
            "UPDATE transactions SET not_found_count = not_found_count + 1, \
             first_not_found_at = COALESCE(first_not_found_at, ?2), updated_at = ?2 \
             WHERE external_id = ?1",
            params![external_id, now],
        )?;
        let result = t.query_row(
            "SELECT not_found_count, first_not_found_at FROM transactions WHERE external_id = ?1",
            [external_id],
            |r| Ok((r.get(0)?, r.get::<_, Option<i64>>(1)?.unwrap_or(now))),
        )?;
        t.commit()?;
        Ok(result)
    }

    /// The send leases still held on unsettled rows: (external id, owner).
    pub fn live_leases(&self, now: i64) -> Result<Vec<(String, String)>, JournalError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT external_id, lease_owner FROM transactions WHERE lease_owner IS NOT NULL \
             AND lease_until >= ?1 AND status IN ('NEW','UNKNOWN','PENDING','PROCESSING')",
        )?;
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

    /// Start-up recovery: unsettled rows with no poll scheduled (an intent whose sender
    /// died before the answer) become due now; with `everything`, every unsettled row does
    /// (`caisse reconcile`). Rows whose send lease is still held by a live sender are left
    /// to it.
    pub fn resume_all(&mut self, now: i64, everything: bool) -> Result<usize, JournalError> {
        let t = self.immediate()?;
        let n = t.execute(
            "UPDATE transactions SET next_poll_at = ?1 WHERE status IN \
             ('NEW','UNKNOWN','PENDING','PROCESSING') \
             AND (next_poll_at IS NULL OR (?2 AND next_poll_at > ?1)) \
             AND (lease_owner IS NULL OR lease_until < ?1)",
            params![now, everything],
        )?;
        t.commit()?;
        Ok(n)
    }

    /// Claims up to `limit` rows due for a status poll at `now` (only `only`, when given),
    /// pushing their next poll `claim_ms` ahead so that another process does not poll them
    /// too. The claim is limited to what the global per-second budget has left.
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
                "SELECT {COLUMNS} FROM transactions WHERE status IN \
                 ('NEW','UNKNOWN','PENDING','PROCESSING') \
                 AND next_poll_at IS NOT NULL AND next_poll_at <= ?1 \
                 AND (lease_owner IS NULL OR lease_until < ?1) \
                 AND (?3 IS NULL OR external_id = ?3) \
                 ORDER BY next_poll_at LIMIT ?2"
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
            "SELECT MIN(next_poll_at) FROM transactions WHERE status IN \
             ('NEW','UNKNOWN','PENDING','PROCESSING') AND next_poll_at IS NOT NULL \
             AND (?1 IS NULL OR external_id = ?1)",
            [only],
            |r| r.get(0),
        )?)
    }

    /// Moves a row's next poll (a deferral by the budget), without an event.
    pub fn reschedule(&mut self, external_id: &str, at: i64) -> Result<(), JournalError> {
        let t = self.immediate()?;
        t.execute(
            "UPDATE transactions SET next_poll_at = ?2 WHERE external_id = ?1 AND status IN \
             ('NEW','UNKNOWN','PENDING','PROCESSING')",
            params![external_id, at],
        )?;
        t.commit()?;
        Ok(())
    }

    /// Caps the file's size (in pages) on this connection: how tests make the disk "full".
    #[doc(hidden)]
    pub fn limit_pages_for_tests(&self, pages: i64) -> Result<(), JournalError> {
        self.conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
        Ok(())
    }

    /// SQLite's own consistency check: `ok` when the file is sound.
    pub fn integrity_check(&self) -> Result<String, JournalError> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// SQLite's `data_version`: changes when another connection (another process) commits.
    /// Cheap enough to poll every 100 ms.
    pub fn data_version(&self) -> Result<i64, JournalError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }
}

fn row_to_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    let detail: String = r.get(4)?;
    Ok(Event {
        id: r.get(0)?,
        external_id: r.get(1)?,
        at: r.get(2)?,
        kind: r.get(3)?,
        detail: serde_json::from_str(&detail).unwrap_or(Value::Null),
        cashier: r.get(5)?,
        terminal: r.get(6)?,
    })
}

fn insert_event(
    t: &rusqlite::Transaction<'_>,
    external_id: Option<&str>,
    at: i64,
    kind: &str,
    detail: &Value,
    cashier: &str,
    terminal: &str,
) -> Result<(), JournalError> {
    t.execute(
        "INSERT INTO events (external_id, at, kind, detail, cashier, terminal) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![external_id, at, kind, detail.to_string(), cashier, terminal],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;
