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

/// The largest number the head office may say it holds. The outbox's numbers come from
/// SQLite's AUTOINCREMENT (at most 2^63 − 1); a head office claiming more than 2^53 is
/// wrong or forged, and following it would use up the journal's numbers: every later
/// sale's write would fail (review of issue 15, F2).
pub const MAX_REMOTE_SEQ: i64 = 1 << 53;

/// The head office holds this shop's rows up to `remote_seq`, from the journal
/// `remote_journal` (read when the link came up). From this journal, within what it gave:
/// the rows up to it are acknowledged (a batch committed there just before this process
/// died). From another journal of the shop (a reinstalled machine), or beyond every number
/// this journal ever gave (a journal put back from an older copy), nothing is sent:
/// this journal's drawers, events and Z reports would reuse the numbers of rows the head
/// office already holds, and overwrite the only copy of them (review of issue 15, F1).
/// The queue is kept whole; the message says how to go on (a new shop id at the head
/// office). A number out of range is refused the same way.
pub fn catch_up(
    t: &rusqlite::Transaction<'_>,
    remote_seq: i64,
    remote_journal: Option<&str>,
    now: i64,
) -> Result<(), JournalError> {
    if !(0..=MAX_REMOTE_SEQ).contains(&remote_seq) {
        return Err(JournalError::HeadOffice(format!(
            "le siège dit avoir reçu jusqu'au n° {remote_seq} de cette boutique : nombre \
             impossible ; rien n'est envoyé, la file d'envoi est gardée"
        )));
    }
    let given: i64 = t.query_row(
        "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)",
        [],
        |r| r.get(0),
    )?;
    let ours: Option<String> = t
        .query_row("SELECT journal_id FROM outbox_state", [], |r| r.get(0))
        .optional()?;
    let foreign = remote_journal.is_some_and(|j| Some(j) != ours.as_deref());
    if remote_seq > 0 && (foreign || remote_seq > given) {
        let which = if foreign {
            "d'un autre journal (machine réinstallée ?)"
        } else {
            "au-delà de ce que ce journal a numéroté (journal remis d'une copie ancienne ?)"
        };
        return Err(JournalError::HeadOffice(format!(
            "le siège a déjà reçu jusqu'au n° {remote_seq} {which} pour cette boutique ; \
             envoyer ce journal écraserait ces lignes. Rien n'est envoyé, la file d'envoi \
             est gardée. Au siège : caisse hq add-shop NOUVEL_ID, puis ce nouvel \
             identifiant dans [hq] shop_id de cette boutique"
        )));
    }
    t.execute("DELETE FROM outbox WHERE seq <= ?1", [remote_seq])?;
    t.execute(
        "UPDATE outbox_state SET acked_seq = MAX(acked_seq, ?1), remote_seq = ?1, \
         remote_at = ?2",
        params![remote_seq, now],
    )?;
    Ok(())
}

impl Journal {
    /// [`catch_up`] in its own transaction.
    pub fn outbox_catch_up(
        &mut self,
        remote_seq: i64,
        remote_journal: Option<&str>,
        now: i64,
    ) -> Result<(), JournalError> {
        let t = self.immediate()?;
        catch_up(&t, remote_seq, remote_journal, now)?;
        t.commit()?;
        Ok(())
    }

    /// [`ack`] in its own transaction.
    pub fn outbox_ack(&mut self, seq: i64, now: i64) -> Result<(), JournalError> {
        let t = self.immediate()?;
        ack(&t, seq, now)?;
        t.commit()?;
        Ok(())
    }
}
