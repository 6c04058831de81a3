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
    // C6 (3 until the merge renumbers it): wrong PINs count per (name typed, calling Unix
    // user), so that one Unix user's guesses lock out only that user's tries for that name,
    // never the cashier at their own seat. Any name typed gets a row, known or not (the
    // answers must not tell which names exist); rows go once their lock-out or their hour
    // is over. The per-account columns go: a count kept for everybody at once is what let
    // anyone lock a supervisor out. A lock-out in force at the upgrade is dropped with them.
    r#"
    CREATE TABLE pin_failures (
        name         TEXT NOT NULL COLLATE NOCASE,
        uid          INTEGER NOT NULL,
        failed       INTEGER NOT NULL,
        last_at      INTEGER NOT NULL,
        locked_until INTEGER,
        PRIMARY KEY (name, uid)
    ) STRICT;
    ALTER TABLE cashiers DROP COLUMN failed_pins;
    ALTER TABLE cashiers DROP COLUMN locked_until;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// C6: a journal from before the per-Unix-user counts keeps its cashiers; the old
    /// per-account count goes with its columns.
    #[test]
    fn c6_moves_the_wrong_pin_count_out_of_the_cashiers_table() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute(
            "INSERT INTO cashiers (name, role, pin_hash, failed_pins, locked_until, created_at) \
             VALUES ('chef', 'supervisor', 'h', 4, 99, 1)",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let (name, role): (String, String) = conn
            .query_row("SELECT name, role FROM cashiers", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((name.as_str(), role.as_str()), ("chef", "supervisor"));
        assert!(
            conn.prepare("SELECT failed_pins FROM cashiers").is_err(),
            "the per-account count is gone"
        );
        let rows: i64 = conn
            .query_row("SELECT COUNT(*) FROM pin_failures", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0);
    }
}
