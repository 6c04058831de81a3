//! The journal's schema, as numbered migrations. `PRAGMA user_version` holds the number of
//! the last migration applied; a journal written by a newer caisse is refused, not guessed at.

use rusqlite::Connection;

use super::JournalError;

/// Each entry brings the schema from version `i` to `i + 1`. Append only: never edit a
/// migration that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: transactions, their event log, and the status-call ledger of the poll budget.
    r#"
    CREATE TABLE transactions (
        external_id       TEXT PRIMARY KEY,
        gateway           TEXT NOT NULL,
        service           TEXT NOT NULL,
        phone             TEXT,
        amount            INTEGER,
        fields            TEXT NOT NULL DEFAULT '{}',
        status            TEXT NOT NULL,
        gateway_tx_id     TEXT,
        customer_url      TEXT,
        notification      TEXT,
        error_code        TEXT,
        error_message     TEXT,
        cashier           TEXT NOT NULL DEFAULT '',
        terminal          TEXT NOT NULL DEFAULT '',
        created_at        INTEGER NOT NULL,
        sent_at           INTEGER,
        answered_at       INTEGER,
        final_at          INTEGER,
        updated_at        INTEGER NOT NULL,
        lease_owner       TEXT,
        lease_until       INTEGER,
        next_poll_at      INTEGER,
        not_found_count   INTEGER NOT NULL DEFAULT 0,
        first_not_found_at INTEGER,
        confirm_success   INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX transactions_unsettled ON transactions (status, next_poll_at);
    CREATE INDEX transactions_created ON transactions (created_at);
    CREATE INDEX transactions_gateway_tx ON transactions (gateway_tx_id);

    CREATE TABLE events (
        id          INTEGER PRIMARY KEY,
        external_id TEXT,
        at          INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        detail      TEXT NOT NULL DEFAULT '{}',
        cashier     TEXT NOT NULL DEFAULT '',
        terminal    TEXT NOT NULL DEFAULT ''
    ) STRICT;
    CREATE INDEX events_by_transaction ON events (external_id, id);

    CREATE TABLE status_calls (
        external_id TEXT NOT NULL,
        at          INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX status_calls_by_transaction ON status_calls (external_id, at);
    CREATE INDEX status_calls_by_time ON status_calls (at);
    "#,
    // 2: cashiers (PIN as an argon2 hash, lock-out after wrong PINs), and which sales the
    // cashier has seen settled (a session that drops lands back on the unseen one).
    r#"
    CREATE TABLE cashiers (
        name        TEXT PRIMARY KEY COLLATE NOCASE,
        role        TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor')),
        pin_hash    TEXT NOT NULL,
        disabled    INTEGER NOT NULL DEFAULT 0,
        failed_pins INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER,
        created_at  INTEGER NOT NULL
    ) STRICT;
    ALTER TABLE transactions ADD COLUMN seen_at INTEGER;
    UPDATE transactions SET seen_at = updated_at;
    CREATE INDEX transactions_unseen ON transactions (cashier, created_at) WHERE seen_at IS NULL;
    "#,
    // 3: refunds are operations of their own (kind, the refunded sale); since when status
    // answers are unreadable (REVIEW); rejected callbacks counted and sampled apart from
    // the sales' histories (the ones recorded as events before are folded into a count).
    r#"
    ALTER TABLE transactions ADD COLUMN kind TEXT NOT NULL DEFAULT 'payment'
        CHECK (kind IN ('payment', 'refund'));
    ALTER TABLE transactions ADD COLUMN parent_id TEXT;
    ALTER TABLE transactions ADD COLUMN unreadable_since INTEGER;
    CREATE INDEX transactions_refunds ON transactions (parent_id) WHERE parent_id IS NOT NULL;

    CREATE TABLE callback_rejections (
        kind     TEXT PRIMARY KEY,
        count    INTEGER NOT NULL,
        first_at INTEGER NOT NULL,
        last_at  INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE callback_samples (
        id          INTEGER PRIMARY KEY,
        at          INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        external_id TEXT,
        detail      TEXT NOT NULL DEFAULT '{}'
    ) STRICT;
    INSERT INTO callback_rejections (kind, count, first_at, last_at)
        SELECT 'before_v3', COUNT(*), MIN(at), MAX(at) FROM events
        WHERE kind IN ('callback_rejected', 'callback_repeat') HAVING COUNT(*) > 0;
    DELETE FROM events WHERE kind IN ('callback_rejected', 'callback_repeat');
    "#,
];

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the journal up to [`CURRENT_VERSION`], each migration in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<(), JournalError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > CURRENT_VERSION {
        return Err(JournalError::TooNew {
            found: version,
            supported: CURRENT_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > index as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
