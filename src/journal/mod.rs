//! The journal: one SQLite file (WAL, `synchronous=FULL`, created 0600) holding every
//! operation (payments and refunds), keyed by its `externalTransactionId`, an append-only
//! history beside it, the ledger of status calls that keeps every process on this host within
//! Intech's limit, and the callbacks turned away. It stores; the rules are in `domain`.
//!
//! Every write runs in `BEGIN IMMEDIATE`: a deferred read-then-write transaction fails at once
//! with "database is locked" when another process wrote in between, whatever the busy
//! timeout. Calls are blocking: the engine runs them off the UI task (`spawn_blocking`).
//! Times are milliseconds since the epoch, given by the caller (tests set the clock).

mod cashiers;
pub mod drawers;
pub mod float;
mod history;
mod operations;
pub mod outbox;
mod polling;
pub mod receipts;
mod rejected;
mod rows;
mod schema;
mod search;
pub mod z_reports;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::Value;

use crate::domain::TxStatus;
pub use cashiers::{CashierRecord, PinCount, PinRules};
pub use history::sample_row;
pub use operations::{Applied, By, Transition};
pub use polling::SlotDecision;
pub use rejected::{RejectionCount, RejectionSample, SAMPLES_KEPT};
use rows::{COLUMNS, row_to_tx};
pub use rows::{NewTransaction, TransactionRow};
pub use schema::{CURRENT_VERSION, create_at_version_for_tests};
pub use search::Page;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(
        "ce journal a été écrit par une version plus récente de caisse (schéma {found}, cette \
         version connaît jusqu'au schéma {supported}) : mettez caisse à jour"
    )]
    TooNew { found: i64, supported: i64 },
    #[error("la transaction {0} existe déjà dans le journal")]
    Duplicate(String),
    #[error(
        "un remboursement de cette vente est déjà en cours ou fait ({0}) : pas de second envoi"
    )]
    RefundUnderWay(String),
    #[error("seule une vente réussie peut être remboursée (celle-ci est « {} »)", .0.french())]
    NotRefundable(TxStatus),
    #[error("transaction {0} introuvable dans le journal")]
    NotFound(String),
    #[error("disque plein : le journal ne peut plus rien écrire ; libérez de la place")]
    DiskFull,
    /// The copy a migration takes first could not be written: nothing was migrated.
    #[error(
        "la copie du journal avant sa mise à jour (schéma {from} vers {to}) a échoué : \
         {reason} ; le journal n'a pas été modifié, caisse ne peut pas démarrer sans cette copie"
    )]
    NoCopyBeforeMigration { from: i64, to: i64, reason: String },
    #[error("journal inaccessible ({path}) : {reason}")]
    Open { path: PathBuf, reason: String },
    #[error("erreur du journal : {0}")]
    Sqlite(rusqlite::Error),
    /// The head office's answer cannot be followed without losing rows there
    /// (`outbox::catch_up`).
    #[error("siège : {0}")]
    HeadOffice(String),
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

/// Turns WAL on (it stays on in the file). SQLite does not call the busy handler when the
/// switch meets another connection opening the same fresh file, and answers "database is
/// locked" at once: several processes starting together on a new journal (eight `caisse
/// pay` at once) would fail. So the switch is retried for as long as the busy timeout.
fn wal_mode(conn: &Connection) -> Result<String, JournalError> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            other => return Ok(other?),
        }
    }
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
        create_private(path).map_err(|e| open_err(e.to_string()))?;
        let mut conn = Connection::open(path).map_err(|e| open_err(e.to_string()))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode = wal_mode(&conn)?;
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
                &format!(
                    "SELECT {COLUMNS} FROM transactions WHERE gateway_tx_id = ?1 \
                     AND kind = 'payment'"
                ),
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

    /// The newest payment of this service, phone and amount that makes a new one a likely
    /// repeat at `now` (`domain::duplicate`): unsettled, or successful within the window.
    pub fn earlier_same_sale(
        &self,
        service: &str,
        phone: Option<&str>,
        amount: Option<i64>,
        now: i64,
    ) -> Result<Option<TransactionRow>, JournalError> {
        earlier_same_sale(&self.conn, service, phone, amount, now)
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

/// Creates the journal file readable by its owner only (0600), whatever the caller's
/// umask: SQLite gives its `-wal` and `-shm` files the same mode as the database. An
/// existing file is left as it is. Also how a restore makes a journal (`backup::restore`).
pub(crate) fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
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

/// [`Journal::earlier_same_sale`] on a connection (inside the transaction that records an
/// intent, so that two counters cannot both pass the check).
pub(crate) fn earlier_same_sale(
    conn: &Connection,
    service: &str,
    phone: Option<&str>,
    amount: Option<i64>,
    now: i64,
) -> Result<Option<TransactionRow>, JournalError> {
    use crate::domain::duplicate::{RECENT_SALE_WINDOW, is_repeat};
    let since = now - RECENT_SALE_WINDOW.as_millis() as i64;
    // The same filter as `is_repeat`, so that no limit can hide a match behind rows that
    // are not (failed retries…); `is_repeat` still decides.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM transactions WHERE service = ?1 AND phone IS ?2 \
         AND amount IS ?3 AND kind = 'payment' \
         AND (status IN {} OR (status = 'SUCCESS' AND COALESCE(final_at, created_at) >= ?4)) \
         ORDER BY created_at DESC, external_id DESC LIMIT 20",
        TxStatus::unsettled_sql()
    ))?;
    let rows = stmt.query_map(params![service, phone, amount, since], row_to_tx)?;
    for row in rows {
        let row = row?;
        if is_repeat(row.status, row.created_at, row.final_at, now) {
            return Ok(Some(row));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests;
