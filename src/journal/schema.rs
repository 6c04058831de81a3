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
    // 4: wrong PINs count per (name typed, calling Unix
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
    // 5: what a reply carries for the cashier and the receipt (a Woyofal code and its
    // kWh, the currency and the amount in XOF, a MoneyGram reference…), as a JSON object.
    r#"
    ALTER TABLE transactions ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
    "#,
    // 6: the search by phone (the journal screen, `Journal::search_phone`), newest first,
    // without reading the whole table (measured in benches/reports.rs).
    r#"
    CREATE INDEX transactions_phone ON transactions (phone, created_at) WHERE phone IS NOT NULL;
    "#,
    // 7: receipt numbers, sequential and without gaps per journal (one journal = one
    // shop): every operation gets the next one in the transaction that makes it final
    // (`operations::write_row`). Rows already final are numbered in the order they became
    // final. The unique index makes a duplicate impossible even by mistake, and answers
    // `MAX(receipt_no)` at once (a partial index `WHERE receipt_no IS NOT NULL` would
    // not: SQLite then scans the table on every final write). NULLs stay distinct.
    r#"
    ALTER TABLE transactions ADD COLUMN receipt_no INTEGER;
    UPDATE transactions SET receipt_no = numbered.n FROM (
        SELECT external_id, ROW_NUMBER() OVER (ORDER BY final_at, created_at, external_id) AS n
        FROM transactions WHERE final_at IS NOT NULL
    ) AS numbered WHERE transactions.external_id = numbered.external_id;
    CREATE UNIQUE INDEX transactions_receipt_no ON transactions (receipt_no);
    "#,
    // 8: cash drawers (fond de caisse), one open per cashier: the counted float and the
    // gateway balance read at the opening (NULL: unreadable then); at the close the counted
    // cash, the balance read then, and what the drawer's operations made expected
    // (`journal::drawers`, `domain::drawer`).
    r#"
    CREATE TABLE drawers (
        id               INTEGER PRIMARY KEY,
        cashier          TEXT NOT NULL,
        terminal         TEXT NOT NULL DEFAULT '',
        opened_at        INTEGER NOT NULL,
        opening_cash     INTEGER NOT NULL,
        opening_balance  INTEGER,
        closed_at        INTEGER,
        counted_cash     INTEGER,
        closing_balance  INTEGER,
        expected_cash    INTEGER,
        expected_balance INTEGER
    ) STRICT;
    CREATE UNIQUE INDEX drawers_open ON drawers (cashier) WHERE closed_at IS NULL;
    CREATE INDEX transactions_cashier_final ON transactions (cashier, final_at);
    "#,
    // 9: close-of-day (Z) reports, numbered from 1 without gaps. `content` is the report's
    // canonical JSON as written; `hash` is SHA-256 of the previous report's hash, a new line,
    // then `content` (`journal::z_reports`): a chain that `caisse close --verify` walks.
    r#"
    CREATE TABLE z_reports (
        number       INTEGER PRIMARY KEY,
        period_start INTEGER NOT NULL,
        period_end   INTEGER NOT NULL,
        content      TEXT NOT NULL,
        prev_hash    TEXT NOT NULL,
        hash         TEXT NOT NULL,
        closed_by    TEXT NOT NULL DEFAULT '',
        created_at   INTEGER NOT NULL
    ) STRICT;
    "#,
    // 10: the gateway balance as the service read it (`journal::float`): each reading
    // that says something (changed, or minutes after the last), and on it the refill
    // (approvisionnement) detected then, if any (`domain::float`). The operations final
    // between two readings are found by their final time, for the whole shop.
    r#"
    CREATE TABLE balance_readings (
        id      INTEGER PRIMARY KEY,
        at      INTEGER NOT NULL,
        balance INTEGER NOT NULL,
        refill  INTEGER
    ) STRICT;
    CREATE INDEX balance_readings_at ON balance_readings (at);
    CREATE INDEX transactions_final ON transactions (final_at);
    "#,
    // 11: the journal searched beyond today, a page at a time (`journal::search`): newest
    // first by (created_at, external_id) with a keyset cursor, so the period's pages come
    // straight off an index in order; and a search by amount without reading the period.
    r#"
    CREATE INDEX transactions_created_id ON transactions (created_at, external_id);
    CREATE INDEX transactions_amount ON transactions (amount, created_at) WHERE amount IS NOT NULL;
    "#,
    // 12: the head office's outbox (`hq`, docs/head-office.md). Triggers write a snapshot of
    // every row the head office keeps (operations, their events, drawers, Z reports, balance
    // readings) in the same SQLite transaction as the change: nothing is lost between the
    // two and a sale never waits for the head office. They write only while `outbox_state`
    // holds its one row, put there by a service with `[hq]` configured: a shop without a
    // head office keeps an empty outbox. `seq` (AUTOINCREMENT: never reused, even after the
    // acknowledged rows are deleted) is the order and the idempotency key at the head
    // office; `journal_id` tells the head office which journal the numbers come from (a
    // reinstalled shop starts a new one). The leases, polls and "seen" marks are bookkeeping
    // of this host and stay here.
    r#"
    CREATE TABLE outbox (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        kind      TEXT NOT NULL,
        key       TEXT NOT NULL,
        body      TEXT NOT NULL,
        queued_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE outbox_state (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        shop_id    TEXT NOT NULL,
        journal_id TEXT NOT NULL,
        enabled_at INTEGER NOT NULL,
        acked_seq  INTEGER NOT NULL DEFAULT 0,
        acked_at   INTEGER,
        remote_seq INTEGER,
        remote_at  INTEGER
    ) STRICT;
    CREATE TRIGGER outbox_transactions_insert AFTER INSERT ON transactions
        WHEN EXISTS (SELECT 1 FROM outbox_state)
    BEGIN
        INSERT INTO outbox (kind, key, body, queued_at) VALUES ('operation', NEW.external_id,
            json_object('external_id', NEW.external_id, 'kind', NEW.kind, 'parent_id', NEW.parent_id, 'gateway', NEW.gateway, 'service', NEW.service, 'phone', NEW.phone, 'amount', NEW.amount, 'fields', CASE WHEN json_valid(NEW.fields) THEN json(NEW.fields) ELSE NEW.fields END, 'details', CASE WHEN json_valid(NEW.details) THEN json(NEW.details) ELSE NEW.details END, 'status', NEW.status, 'gateway_tx_id', NEW.gateway_tx_id, 'notification', NEW.notification, 'error_code', NEW.error_code, 'error_message', NEW.error_message, 'cashier', NEW.cashier, 'terminal', NEW.terminal, 'created_at', NEW.created_at, 'sent_at', NEW.sent_at, 'answered_at', NEW.answered_at, 'final_at', NEW.final_at, 'updated_at', NEW.updated_at, 'receipt_no', NEW.receipt_no, 'unreadable_since', NEW.unreadable_since),
            CAST(unixepoch('subsec') * 1000 AS INTEGER));
    END;
    CREATE TRIGGER outbox_transactions_update AFTER UPDATE ON transactions
        WHEN EXISTS (SELECT 1 FROM outbox_state)
        AND (OLD.external_id IS NOT NEW.external_id OR OLD.kind IS NOT NEW.kind OR OLD.parent_id IS NOT NEW.parent_id OR OLD.gateway IS NOT NEW.gateway OR OLD.service IS NOT NEW.service OR OLD.phone IS NOT NEW.phone OR OLD.amount IS NOT NEW.amount OR OLD.fields IS NOT NEW.fields OR OLD.details IS NOT NEW.details OR OLD.status IS NOT NEW.status OR OLD.gateway_tx_id IS NOT NEW.gateway_tx_id OR OLD.notification IS NOT NEW.notification OR OLD.error_code IS NOT NEW.error_code OR OLD.error_message IS NOT NEW.error_message OR OLD.cashier IS NOT NEW.cashier OR OLD.terminal IS NOT NEW.terminal OR OLD.created_at IS NOT NEW.created_at OR OLD.sent_at IS NOT NEW.sent_at OR OLD.answered_at IS NOT NEW.answered_at OR OLD.final_at IS NOT NEW.final_at OR OLD.receipt_no IS NOT NEW.receipt_no OR OLD.unreadable_since IS NOT NEW.unreadable_since)
    BEGIN
        INSERT INTO outbox (kind, key, body, queued_at) VALUES ('operation', NEW.external_id,
            json_object('external_id', NEW.external_id, 'kind', NEW.kind, 'parent_id', NEW.parent_id, 'gateway', NEW.gateway, 'service', NEW.service, 'phone', NEW.phone, 'amount', NEW.amount, 'fields', CASE WHEN json_valid(NEW.fields) THEN json(NEW.fields) ELSE NEW.fields END, 'details', CASE WHEN json_valid(NEW.details) THEN json(NEW.details) ELSE NEW.details END, 'status', NEW.status, 'gateway_tx_id', NEW.gateway_tx_id, 'notification', NEW.notification, 'error_code', NEW.error_code, 'error_message', NEW.error_message, 'cashier', NEW.cashier, 'terminal', NEW.terminal, 'created_at', NEW.created_at, 'sent_at', NEW.sent_at, 'answered_at', NEW.answered_at, 'final_at', NEW.final_at, 'updated_at', NEW.updated_at, 'receipt_no', NEW.receipt_no, 'unreadable_since', NEW.unreadable_since),
            CAST(unixepoch('subsec') * 1000 AS INTEGER));
    END;
    CREATE TRIGGER outbox_events_insert AFTER INSERT ON events
        WHEN EXISTS (SELECT 1 FROM outbox_state)
    BEGIN
        INSERT INTO outbox (kind, key, body, queued_at) VALUES ('event', NEW.id,
            json_object('id', NEW.id, 'external_id', NEW.external_id, 'at', NEW.at, 'kind', NEW.kind, 'detail', CASE WHEN json_valid(NEW.detail) THEN json(NEW.detail) ELSE NEW.detail END, 'cashier', NEW.cashier, 'terminal', NEW.terminal),
            CAST(unixepoch('subsec') * 1000 AS INTEGER));
    END;
    CREATE TRIGGER outbox_events_update AFTER UPDATE ON events
        WHEN EXISTS (SELECT 1 FROM outbox_state)
        AND (OLD.id IS NOT NEW.id OR OLD.external_id IS NOT NEW.external_id OR OLD.at IS NOT NEW.at OR OLD.kind IS NOT NEW.kind OR OLD.detail IS NOT NEW.detail OR OLD.cashier IS NOT NEW.cashier OR OLD.terminal IS NOT NEW.terminal)
    BEGIN
        INSERT INTO outbox (kind, key, body, queued_at) VALUES ('event', NEW.id,
            json_object('id', NEW.id, 'external_id', NEW.external_id, 'at', NEW.at, 'kind', NEW.kind, 'detail', CASE WHEN json_valid(NEW.detail) THEN json(NEW.detail) ELSE NEW.detail END, 'cashier', NEW.cashier, 'terminal', NEW.terminal),
            CAST(unixepoch('subsec') * 1000 AS INTEGER));
    END;
    CREATE TRIGGER outbox_drawers_insert AFTER INSERT ON drawers
        WHEN EXISTS (SELECT 1 FROM outbox_state)
    BEGIN
        INSERT INTO outbox (kind, key, body, queued_at) VALUES ('drawer', NEW.id,
            json_object('id', NEW.id, 'cashier', NEW.cashier, 'terminal', NEW.terminal, 'opened_at', NEW.opened_at, 'opening_cash', NEW.opening_cash, 'opening_balance', NEW.opening_balance, 'closed_at', NEW.closed_at, 'counted_cash', NEW.counted_cash, 'closing_balance', NEW.closing_balance, 'expected_cash', NEW.expected_cash, 'expected_balance', NEW.expected_balance),
            CAST(unixepoch('subsec') * 1000 AS INTEGER));
    END;
    CREATE TRIGGER outbox_drawers_update AFTER UPDATE ON drawers
        WHEN EXISTS (SELECT 1 FROM outbox_state)
        AND (OLD.id IS NOT NEW.id OR OLD.cashier IS NOT NEW.cashier OR OLD.terminal IS NOT NEW.terminal OR OLD.opened_at IS NOT NEW.opened_at OR OLD.opening_cash IS NOT NEW.opening_cash OR OLD.opening_balance IS NOT NEW.opening_balance OR OLD.closed_at IS NOT NEW.closed_at OR OLD.counted_cash IS NOT NEW.counted_cash OR OLD.closing_balance IS NOT NEW.closing_balance OR OLD.expected_cash IS NOT NEW.expected_cash OR OLD.expected_balance IS NOT NEW.expected_balance)
    BEGIN
        INSERT INTO outbox (kind, key, body, queued_at) VALUES ('drawer', NEW.id,
            json_object('id', NEW.id, 'cashier', NEW.cashier, 'terminal', NEW.terminal, 'opened_at', NEW.opened_at, 'opening_cash', NEW.opening_cash, 'opening_balance', NEW.opening_balance, 'closed_at', NEW.closed_at, 'counted_cash', NEW.counted_cash, 'closing_balance', NEW.closing_balance, 'expected_cash', NEW.expected_cash, 'expected_balance', NEW.expected_balance),
            CAST(unixepoch('subsec') * 1000 AS INTEGER));
    END;
    CREATE TRIGGER outbox_z_reports_insert AFTER INSERT ON z_reports
        WHEN EXISTS (SELECT 1 FROM outbox_state)
    BEGIN
        INSERT INTO outbox (kind, key, body, queued_at) VALUES ('z_report', NEW.number,
            json_object('number', NEW.number, 'period_start', NEW.period_start, 'period_end', NEW.period_end, 'content', NEW.content, 'prev_hash', NEW.prev_hash, 'hash', NEW.hash, 'closed_by', NEW.closed_by, 'created_at', NEW.created_at),
            CAST(unixepoch('subsec') * 1000 AS INTEGER));
    END;
    CREATE TRIGGER outbox_z_reports_update AFTER UPDATE ON z_reports
        WHEN EXISTS (SELECT 1 FROM outbox_state)
        AND (OLD.number IS NOT NEW.number OR OLD.period_start IS NOT NEW.period_start OR OLD.period_end IS NOT NEW.period_end OR OLD.content IS NOT NEW.content OR OLD.prev_hash IS NOT NEW.prev_hash OR OLD.hash IS NOT NEW.hash OR OLD.closed_by IS NOT NEW.closed_by OR OLD.created_at IS NOT NEW.created_at)
    BEGIN
        INSERT INTO outbox (kind, key, body, queued_at) VALUES ('z_report', NEW.number,
            json_object('number', NEW.number, 'period_start', NEW.period_start, 'period_end', NEW.period_end, 'content', NEW.content, 'prev_hash', NEW.prev_hash, 'hash', NEW.hash, 'closed_by', NEW.closed_by, 'created_at', NEW.created_at),
            CAST(unixepoch('subsec') * 1000 AS INTEGER));
    END;
    CREATE TRIGGER outbox_balance_readings_insert AFTER INSERT ON balance_readings
        WHEN EXISTS (SELECT 1 FROM outbox_state)
    BEGIN
        INSERT INTO outbox (kind, key, body, queued_at) VALUES ('balance_reading', NEW.id,
            json_object('id', NEW.id, 'at', NEW.at, 'balance', NEW.balance, 'refill', NEW.refill),
            CAST(unixepoch('subsec') * 1000 AS INTEGER));
    END;
    CREATE TRIGGER outbox_balance_readings_update AFTER UPDATE ON balance_readings
        WHEN EXISTS (SELECT 1 FROM outbox_state)
        AND (OLD.id IS NOT NEW.id OR OLD.at IS NOT NEW.at OR OLD.balance IS NOT NEW.balance OR OLD.refill IS NOT NEW.refill)
    BEGIN
        INSERT INTO outbox (kind, key, body, queued_at) VALUES ('balance_reading', NEW.id,
            json_object('id', NEW.id, 'at', NEW.at, 'balance', NEW.balance, 'refill', NEW.refill),
            CAST(unixepoch('subsec') * 1000 AS INTEGER));
    END;
    "#,
];

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// Writes a journal at `path` as an older caisse left it, at schema `version` (a test of
/// what an upgrade does to it: the copy before a migration, for one).
#[doc(hidden)]
pub fn create_at_version_for_tests(path: &std::path::Path, version: usize) -> rusqlite::Result<()> {
    let conn = Connection::open(path)?;
    for sql in &MIGRATIONS[..version] {
        conn.execute_batch(sql)?;
    }
    conn.pragma_update(None, "user_version", version as i64)
}

/// Brings the journal up to [`CURRENT_VERSION`], each migration in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<(), JournalError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > CURRENT_VERSION {
        return Err(JournalError::TooNew {
            found: version,
            supported: CURRENT_VERSION,
        });
    }
    let mut copied = false;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > index as i64 {
            continue;
        }
        // Before the first change this process makes, under the write lock (no other process
        // migrates meanwhile, and the copy is exactly what is migrated): a journal that holds
        // something is copied first; without the copy nothing is migrated. A fresh journal
        // (0, or still empty while another process creates it) has nothing to lose.
        if !copied && now >= 1 {
            crate::backup::copy_before_migration(&tx, now, time::OffsetDateTime::now_utc())
                .map_err(|e| JournalError::NoCopyBeforeMigration {
                    from: now,
                    to: CURRENT_VERSION,
                    reason: e.to_string(),
                })?;
            copied = true;
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

    /// 3: the forgeries a journal recorded as events before are folded into one count, and
    /// leave the sales' histories; the sales themselves stay, as payments.
    #[test]
    fn rejected_callbacks_recorded_as_events_before_become_a_count() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute(
            "INSERT INTO transactions (external_id, gateway, service, status, created_at, \
             updated_at) VALUES ('a', 'intech', 'WAVE_SN_API_CASH_OUT', 'PENDING', 1, 1)",
            [],
        )
        .unwrap();
        for (i, kind) in [
            "intent",
            "callback_rejected",
            "callback_rejected",
            "callback_repeat",
        ]
        .iter()
        .enumerate()
        {
            conn.execute(
                "INSERT INTO events (external_id, at, kind) VALUES ('a', ?1, ?2)",
                rusqlite::params![i as i64 + 10, kind],
            )
            .unwrap();
        }
        migrate(&mut conn).unwrap();
        let kinds: Vec<String> = conn
            .prepare("SELECT kind FROM events")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(kinds, ["intent"]);
        let (kind, count, first, last): (String, i64, i64, i64) = conn
            .query_row(
                "SELECT kind, count, first_at, last_at FROM callback_rejections",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(
            (kind.as_str(), count, first, last),
            ("before_v3", 3, 11, 13)
        );
        let kind: String = conn
            .query_row("SELECT kind FROM transactions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kind, "payment");
    }

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

    /// 7: rows already final get receipt numbers in the order they became final; those
    /// still unsettled get theirs when they settle.
    #[test]
    fn final_rows_are_numbered_in_the_order_they_became_final() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..6] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 6).unwrap();
        for (id, status, final_at) in [
            ("late", "SUCCESS", Some(30)),
            ("open", "PENDING", None),
            ("early", "FAILED", Some(10)),
            ("middle", "REFUNDED", Some(20)),
        ] {
            conn.execute(
                "INSERT INTO transactions (external_id, gateway, service, status, created_at, \
                 updated_at, final_at) VALUES (?1, 'intech', 'WAVE_SN_API_CASH_OUT', ?2, 1, 1, ?3)",
                rusqlite::params![id, status, final_at],
            )
            .unwrap();
        }
        migrate(&mut conn).unwrap();
        // The next number is read from the index, not by scanning the table.
        let plan: String = conn
            .query_row(
                "EXPLAIN QUERY PLAN SELECT COALESCE(MAX(receipt_no), 0) + 1 FROM transactions",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("transactions_receipt_no"), "{plan}");
        let numbers: Vec<(String, Option<i64>)> = conn
            .prepare("SELECT external_id, receipt_no FROM transactions ORDER BY external_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let want = [
            ("early", Some(1)),
            ("late", Some(3)),
            ("middle", Some(2)),
            ("open", None),
        ];
        assert_eq!(numbers, want.map(|(id, n)| (id.to_owned(), n)).to_vec());
    }
}
