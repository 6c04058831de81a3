//! The head office's outbox (migration 12) as the journal's own connection writes it:
//! the acknowledgement of the rows the head office committed, and the catching up with
//! what it holds when a session starts. `caisse serve`'s replicator
//! acknowledges through the engine's connection, so that its deletes are not taken for
//! another process's writes by the engine's watcher (which would make every terminal
//! reload after every batch); `hq::outbox` uses the same statement on its own connection.

use rusqlite::{OptionalExtension, params};

use super::{Journal, JournalError};

/// Deletes the rows up to `seq` (the head office holds them) and records it.
pub fn ack(t: &rusqlite::Transaction<'_>, seq: i64, now: i64) -> Result<(), JournalError> {
    t.execute("DELETE FROM outbox WHERE seq <= ?1", [seq])?;
    t.execute(
        "UPDATE outbox_state SET acked_seq = MAX(acked_seq, ?1), acked_at = ?2, \
         remote_seq = MAX(COALESCE(remote_seq, 0), ?1), remote_at = ?2",
        params![seq, now],
    )?;
    Ok(())
}

/// The head office holds this shop's rows up to `remote_seq`, from the journal
/// `remote_journal` (read when the link came up). From this journal: the rows up to it
/// are acknowledged (a batch committed there just before this process died). From
/// another journal (a reinstalled shop), or beyond every number this journal ever gave
/// (a journal put back from a copy): the waiting rows are renumbered after it, or the
/// head office would take them all for old snapshots and keep none — and none is
/// dropped here. Returns the shift, if any.
pub fn catch_up(
    t: &rusqlite::Transaction<'_>,
    remote_seq: i64,
    remote_journal: Option<&str>,
    now: i64,
) -> Result<Option<i64>, JournalError> {
    let given: i64 = t.query_row(
        "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)",
        [],
        |r| r.get(0),
    )?;
    let ours: Option<String> = t
        .query_row("SELECT journal_id FROM outbox_state", [], |r| r.get(0))
        .optional()?;
    let foreign = remote_journal.is_some_and(|j| Some(j) != ours.as_deref());
    let mut shifted = None;
    if remote_seq > 0 && (foreign || remote_seq > given) {
        let offset = remote_seq;
        // Through negative numbers: a shift in place would meet rows not yet moved.
        t.execute("UPDATE outbox SET seq = -(seq + ?1)", [offset])?;
        t.execute("UPDATE outbox SET seq = -seq", [])?;
        // `sqlite_sequence` has no key: its row is updated, or made before any insert.
        if t.execute(
            "UPDATE sqlite_sequence SET seq = ?1 WHERE name = 'outbox'",
            [given + offset],
        )? == 0
        {
            t.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?1)",
                [given + offset],
            )?;
        }
        shifted = Some(offset);
    } else {
        t.execute("DELETE FROM outbox WHERE seq <= ?1", [remote_seq])?;
    }
    t.execute(
        "UPDATE outbox_state SET acked_seq = MAX(acked_seq, ?1), remote_seq = ?1, \
         remote_at = ?2",
        params![remote_seq, now],
    )?;
    Ok(shifted)
}

impl Journal {
    /// [`catch_up`] in its own transaction.
    pub fn outbox_catch_up(
        &mut self,
        remote_seq: i64,
        remote_journal: Option<&str>,
        now: i64,
    ) -> Result<Option<i64>, JournalError> {
        let t = self.immediate()?;
        let shifted = catch_up(&t, remote_seq, remote_journal, now)?;
        t.commit()?;
        Ok(shifted)
    }

    /// [`ack`] in its own transaction.
    pub fn outbox_ack(&mut self, seq: i64, now: i64) -> Result<(), JournalError> {
        let t = self.immediate()?;
        ack(&t, seq, now)?;
        t.commit()?;
        Ok(())
    }
}
