//! The cashiers table: names, roles, PIN hashes (argon2, computed by [`crate::staff`]); and
//! the wrong-PIN counts behind the lock-out, one per (name typed, calling Unix user). Plain
//! storage: the rules live in `staff`.

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
    pub created_at: i64,
}

/// Where one Unix user stands with one name: wrong PINs in a row, and the end of a lock-out
/// in force.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PinCount {
    pub failed: i64,
    pub locked_until: Option<i64>,
}

/// The lock-out rules, from `staff`: `limit` wrong PINs in a row lock for `lock_ms`; a count
/// left alone for `forget_ms` starts again from zero.
#[derive(Debug, Clone, Copy)]
pub struct PinRules {
    pub limit: i64,
    pub lock_ms: i64,
    pub forget_ms: i64,
}

/// A stored count as it stands at `now`: an ended lock-out or a forgotten count is zero.
fn count_at(row: Option<(i64, i64, Option<i64>)>, rules: &PinRules, now: i64) -> PinCount {
    match row {
        Some((_, _, Some(until))) if until > now => PinCount {
            failed: 0,
            locked_until: Some(until),
        },
        Some((failed, last_at, None)) if last_at + rules.forget_ms > now => PinCount {
            failed,
            locked_until: None,
        },
        _ => PinCount::default(),
    }
}

fn stored_count(
    conn: &rusqlite::Connection,
    name: &str,
    uid: u32,
) -> rusqlite::Result<Option<(i64, i64, Option<i64>)>> {
    conn.query_row(
        "SELECT failed, last_at, locked_until FROM pin_failures WHERE name = ?1 AND uid = ?2",
        params![name, uid],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

fn row_to_cashier(r: &rusqlite::Row<'_>) -> rusqlite::Result<CashierRecord> {
    Ok(CashierRecord {
        name: r.get(0)?,
        role: r.get(1)?,
        pin_hash: r.get(2)?,
        disabled: r.get::<_, i64>(3)? != 0,
        created_at: r.get(4)?,
    })
}

const CASHIER_COLUMNS: &str = "name, role, pin_hash, disabled, created_at";

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

    /// Where Unix user `uid` stands with `name` at `now`.
    pub fn pin_count(
        &self,
        name: &str,
        uid: u32,
        rules: &PinRules,
        now: i64,
    ) -> Result<PinCount, JournalError> {
        Ok(count_at(stored_count(&self.conn, name, uid)?, rules, now))
    }

    /// Records a PIN check of `name` by Unix user `uid`, with an event naming both. A right
    /// one clears that pair's count; a wrong one adds to it, and the `limit`-th in a row
    /// locks the pair until `now + lock_ms` (and starts the count again). Other Unix users'
    /// counts for the same name are left alone. Returns the pair's count after the change.
    pub fn record_pin_check(
        &mut self,
        name: &str,
        uid: u32,
        ok: bool,
        rules: &PinRules,
        terminal: &str,
        now: i64,
    ) -> Result<PinCount, JournalError> {
        let t = self.immediate()?;
        // Counts that no longer weigh go (ended lock-outs, counts left alone): the table
        // holds recent guesses only, whatever names are typed.
        t.execute(
            "DELETE FROM pin_failures WHERE locked_until <= ?1 \
             OR (locked_until IS NULL AND last_at + ?2 <= ?1)",
            params![now, rules.forget_ms],
        )?;
        let detail = json!({"uid": uid});
        if ok {
            t.execute(
                "DELETE FROM pin_failures WHERE name = ?1 AND uid = ?2",
                params![name, uid],
            )?;
            insert_event(&t, None, now, "login", &detail, name, terminal)?;
        } else {
            t.execute(
                "INSERT INTO pin_failures (name, uid, failed, last_at) VALUES (?1, ?2, 1, ?3) \
                 ON CONFLICT (name, uid) DO UPDATE SET failed = failed + 1, last_at = ?3",
                params![name, uid, now],
            )?;
            let failed = stored_count(&t, name, uid)?.map_or(0, |(f, _, _)| f);
            let locked = failed >= rules.limit;
            if locked {
                t.execute(
                    "UPDATE pin_failures SET failed = 0, locked_until = ?3 \
                     WHERE name = ?1 AND uid = ?2",
                    params![name, uid, now + rules.lock_ms],
                )?;
            }
            let kind = if locked { "pin_locked" } else { "pin_wrong" };
            insert_event(&t, None, now, kind, &detail, name, terminal)?;
        }
        let count = count_at(stored_count(&t, name, uid)?, rules, now);
        t.commit()?;
        Ok(count)
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
