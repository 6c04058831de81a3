//! Callbacks turned away (forgeries, malformed bodies, replays), kept apart from the sales'
//! histories and within a fixed size: a count per kind, and the latest few as samples. A
//! flood of forgeries naming a sale neither grows the journal nor that sale's history.

use rusqlite::params;
use serde_json::Value;

use super::{Journal, JournalError};

/// How many rejected callbacks are kept as samples (the oldest go first).
pub const SAMPLES_KEPT: i64 = 50;

/// The count of one kind of rejection.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RejectionCount {
    pub kind: String,
    pub count: i64,
    pub first_at: i64,
    pub last_at: i64,
}

/// One kept sample.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RejectionSample {
    pub at: i64,
    pub kind: String,
    /// The operation the body named, as it named it (not trusted).
    pub external_id: Option<String>,
    pub detail: Value,
}

impl Journal {
    /// Counts a rejected callback of `kind` (a short fixed name: `hash`, `hmac`,
    /// `malformed`, `repeat`…) and keeps it as a sample.
    pub fn record_rejection(
        &mut self,
        kind: &str,
        external_id: Option<&str>,
        detail: &Value,
        now: i64,
    ) -> Result<(), JournalError> {
        let t = self.immediate()?;
        t.execute(
            "INSERT INTO callback_rejections (kind, count, first_at, last_at) \
             VALUES (?1, 1, ?2, ?2) \
             ON CONFLICT(kind) DO UPDATE SET count = count + 1, last_at = ?2",
            params![kind, now],
        )?;
        // The named id is kept short: a forgery may name anything.
        let named = external_id.map(|id| id.chars().take(64).collect::<String>());
        t.execute(
            "INSERT INTO callback_samples (at, kind, external_id, detail) VALUES (?1, ?2, ?3, ?4)",
            params![now, kind, named, detail.to_string()],
        )?;
        t.execute(
            "DELETE FROM callback_samples WHERE id <= (SELECT MAX(id) FROM callback_samples) - ?1",
            [SAMPLES_KEPT],
        )?;
        t.commit()?;
        Ok(())
    }

    /// The counts, most frequent first.
    pub fn rejection_counts(&self) -> Result<Vec<RejectionCount>, JournalError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, count, first_at, last_at FROM callback_rejections ORDER BY count DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RejectionCount {
                kind: r.get(0)?,
                count: r.get(1)?,
                first_at: r.get(2)?,
                last_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The kept samples, newest first.
    pub fn rejection_samples(&self) -> Result<Vec<RejectionSample>, JournalError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, kind, external_id, detail FROM callback_samples ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            let detail: String = r.get(3)?;
            Ok(RejectionSample {
                at: r.get(0)?,
                kind: r.get(1)?,
                external_id: r.get(2)?,
                detail: serde_json::from_str(&detail).unwrap_or(Value::Null),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
