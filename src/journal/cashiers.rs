//! The cashiers table: names, roles, PIN hashes (argon2, computed by [`crate::staff`]) and
//! the wrong-PIN counter behind the lock-out. Plain storage: the rules live in `staff`.

use rusqlite::{OptionalExtension, params};
use serde_json::json;

use super::{Journal, JournalError, insert_event};

/// A cashier as stored (the hash never leaves the service).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CashierRecord {
    pub name: String,
    /// `cashier` or `supervisor`.
    pub role: String,
    #[serde(skip)]
    pub pin_hash: String,
    pub disabled: bool,
    pub failed_pins: i64,
    pub locked_until: Option<i64>,
    pub created_at: i64,
}

fn row_to_cashier(r: &rusqlite::Row<'_>) -> rusqlite::Result<CashierRecord> {
    Ok(CashierRecord {
        name: r.get(0)?,
        role: r.get(1)?,
        pin_hash: r.get(2)?,
        disabled: r.get::<_, i64>(3)? != 0,
        failed_pins: r.get(4)?,
        locked_until: r.get(5)?,
        created_at: r.get(6)?,
    })
}

const CASHIER_COLUMNS: &str =
    "name, role, pin_hash, disabled, failed_pins, locked_until, created_at";

impl Journal {
    /// Adds a cashier; an existing name (any case) is refused.
    pub fn add_cashier(
        &mut self,
        name: &str,
        role: &str,
        pin_hash: &str,
        by: (&str, &str),
        now: i64,
    ) -> Result<(), JournalError> {
        let t = self.immediate()?;
        let exists: bool = t.query_row(
            "SELECT EXISTS (SELECT 1 FROM cashiers WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if exists {
            return Err(JournalError::Duplicate(name.to_owned()));
        }
        t.execute(
            "INSERT INTO cashiers (name, role, pin_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, role, pin_hash, now],
        )?;
        insert_event(
            &t,
            None,
            now,
            "cashier_added",
            &json!({"name": name, "role": role}),
            by.0,
            by.1,
        )?;
        t.commit()?;
        Ok(())
    }

    pub fn cashier(&self, name: &str) -> Result<Option<CashierRecord>, JournalError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {CASHIER_COLUMNS} FROM cashiers WHERE name = ?1"),
                [name],
                row_to_cashier,
            )
            .optional()?)
    }

    pub fn cashiers(&self) -> Result<Vec<CashierRecord>, JournalError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CASHIER_COLUMNS} FROM cashiers ORDER BY name"
        ))?;
        let rows = stmt.query_map([], row_to_cashier)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// True when at least one cashier can log in: sessions must then log in.
    pub fn has_active_cashiers(&self) -> Result<bool, JournalError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM cashiers WHERE disabled = 0)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Disables a cashier (kept for the history of their sales). False if unknown.
    pub fn disable_cashier(
        &mut self,
        name: &str,
        by: (&str, &str),
        now: i64,
    ) -> Result<bool, JournalError> {
        let t = self.immediate()?;
        let n = t.execute("UPDATE cashiers SET disabled = 1 WHERE name = ?1", [name])?;
        if n > 0 {
            insert_event(
                &t,
                None,
                now,
                "cashier_disabled",
                &json!({"name": name}),
                by.0,
                by.1,
            )?;
        }
        t.commit()?;
        Ok(n > 0)
    }

    /// Records a PIN check. A wrong one counts; the `limit`-th in a row locks the cashier
    /// until `now + lock_ms` and resets the count. Returns the record after the change.
    pub fn record_pin_check(
        &mut self,
        name: &str,
        ok: bool,
        limit: i64,
        lock_ms: i64,
        terminal: &str,
        now: i64,
    ) -> Result<Option<CashierRecord>, JournalError> {
        let t = self.immediate()?;
        if ok {
            t.execute(
                "UPDATE cashiers SET failed_pins = 0, locked_until = NULL WHERE name = ?1",
                [name],
            )?;
            insert_event(&t, None, now, "login", &json!({}), name, terminal)?;
        } else {
            t.execute(
                "UPDATE cashiers SET failed_pins = failed_pins + 1 WHERE name = ?1",
                [name],
            )?;
            let failed: Option<i64> = t
                .query_row(
                    "SELECT failed_pins FROM cashiers WHERE name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .optional()?;
            let locked = failed.is_some_and(|f| f >= limit);
            if locked {
                t.execute(
                    "UPDATE cashiers SET failed_pins = 0, locked_until = ?2 WHERE name = ?1",
                    params![name, now + lock_ms],
                )?;
            }
            let kind = if locked { "pin_locked" } else { "pin_wrong" };
            insert_event(&t, None, now, kind, &json!({}), name, terminal)?;
        }
        let record = t
            .query_row(
                &format!("SELECT {CASHIER_COLUMNS} FROM cashiers WHERE name = ?1"),
                [name],
                row_to_cashier,
            )
            .optional()?;
        t.commit()?;
        Ok(record)
    }

    /// The newest sale of `cashier` the cashier has not seen settled, if any.
    pub fn unseen_sale(
        &self,
        cashier: &str,
    ) -> Result<Option<super::TransactionRow>, JournalError> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {} FROM transactions WHERE cashier = ?1 AND seen_at IS NULL \
                     ORDER BY created_at DESC LIMIT 1",
                    super::COLUMNS
                ),
                [cashier],
                super::row_to_tx,
            )
            .optional()?)
    }

    /// `cashier` left their sale's screen: it will not be offered again at their next
    /// login. Another cashier's sale is left as it is.
    pub fn mark_seen_by(
        &mut self,
        external_id: &str,
        cashier: &str,
        now: i64,
    ) -> Result<(), JournalError> {
        let t = self.immediate()?;
        t.execute(
            "UPDATE transactions SET seen_at = ?3 \
             WHERE external_id = ?1 AND cashier = ?2 AND seen_at IS NULL",
            params![external_id, cashier, now],
        )?;
        t.commit()?;
        Ok(())
    }

    /// Appends an event done by someone (a login, a refused action…), not tied to a sale.
    pub fn record_actor_event(
        &mut self,
        external_id: Option<&str>,
        kind: &str,
        detail: &serde_json::Value,
        by: (&str, &str),
        now: i64,
    ) -> Result<(), JournalError> {
        let t = self.immediate()?;
        insert_event(&t, external_id, now, kind, detail, by.0, by.1)?;
        t.commit()?;
        Ok(())
    }
}
