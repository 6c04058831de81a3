//! Writing operations: the intent before the send, the refund's intent (never two at once
//! for one sale), and each change decided by the lifecycle machine, written in the same
//! transaction that read the row it was decided on.

use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use super::rows::{COLUMNS, NewTransaction, TransactionRow, row_to_tx};
use super::{Journal, JournalError, insert_event};
use crate::domain::TxStatus;
use crate::domain::lifecycle::{Effect, ErrorWrite, Op, Write};

/// What a write did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub before: TxStatus,
    pub after: TxStatus,
    /// False when the status asked for would have moved the row backwards (or sideways):
    /// the other fields were still recorded.
    pub status_changed: bool,
}

/// What a step of the machine did: the statuses around it and the effects left for the
/// engine (sending, notifying, waking the poller).
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub before: TxStatus,
    pub after: TxStatus,
    pub effects: Vec<Effect>,
}

impl Transition {
    pub fn status_changed(&self) -> bool {
        self.before != self.after
    }
}

/// Who acts, when not the sale's own cashier (a supervisor's refund…).
pub type By<'a> = Option<(&'a str, &'a str)>;

impl Journal {
    /// Records the intent (status NEW) with a send lease for `owner`, before any byte is sent.
    pub fn insert_intent(
        &mut self,
        tx: &NewTransaction,
        lease_owner: &str,
        lease_until: i64,
        now: i64,
    ) -> Result<(), JournalError> {
        self.insert_intent_unless_repeat(tx, lease_owner, lease_until, now, false)
            .map(|_| ())
    }

    /// [`Journal::insert_intent`], unless (with `check_repeat`) the same sale is still
    /// unsettled or just successful (`domain::duplicate`): then nothing is recorded and the
    /// earlier row is returned. Checked and recorded in one `BEGIN IMMEDIATE`, so two
    /// counters (two processes) cannot both pass.
    pub fn insert_intent_unless_repeat(
        &mut self,
        tx: &NewTransaction,
        lease_owner: &str,
        lease_until: i64,
        now: i64,
        check_repeat: bool,
    ) -> Result<Option<TransactionRow>, JournalError> {
        let t = self.immediate()?;
        if check_repeat
            && let Some(earlier) =
                super::earlier_same_sale(&t, &tx.service, tx.phone.as_deref(), tx.amount, now)?
        {
            return Ok(Some(earlier));
        }
        let inserted = t.execute(
            "INSERT INTO transactions (external_id, gateway, service, phone, amount, fields, \
             status, cashier, terminal, created_at, updated_at, lease_owner, lease_until) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'NEW', ?7, ?8, ?9, ?9, ?10, ?11) \
             ON CONFLICT(external_id) DO NOTHING",
            params![
                tx.external_id,
                tx.gateway.as_str(),
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
            &json!({
                "gateway": tx.gateway.as_str(), "service": tx.service, "phone": tx.phone,
                "amount": tx.amount, "fields": tx.fields,
            }),
            &tx.cashier,
            &tx.terminal,
        )?;
        t.commit()?;
        Ok(None)
    }

    /// Records the intent of refunding `parent_id` (status NEW, kind refund, with a send
    /// lease), if the sale is SUCCESS and no refund of it is under way or done: one refund
    /// per sale, whoever asks and from whichever process. Returns the refund's row.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_refund_intent(
        &mut self,
        refund_id: &str,
        parent_id: &str,
        by: (&str, &str),
        lease_owner: &str,
        lease_until: i64,
        now: i64,
    ) -> Result<TransactionRow, JournalError> {
        let none = Value::Object(Default::default());
        self.insert_refund_intent_with(
            refund_id,
            parent_id,
            by,
            lease_owner,
            lease_until,
            now,
            &none,
        )
    }

    /// [`Self::insert_refund_intent`] with the fields the refund sends besides the sale's
    /// id (a MoneyGram reversal's reason…): journaled with the intent, before the send.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_refund_intent_with(
        &mut self,
        refund_id: &str,
        parent_id: &str,
        by: (&str, &str),
        lease_owner: &str,
        lease_until: i64,
        now: i64,
        fields: &Value,
    ) -> Result<TransactionRow, JournalError> {
        let t = self.immediate()?;
        let parent = t
            .query_row(
                &format!("SELECT {COLUMNS} FROM transactions WHERE external_id = ?1"),
                [parent_id],
                row_to_tx,
            )
            .optional()?
            .ok_or_else(|| JournalError::NotFound(parent_id.to_owned()))?;
        if parent.status != TxStatus::Success {
            return Err(JournalError::NotRefundable(parent.status));
        }
        let existing: Option<String> = t
            .query_row(
                &format!(
                    "SELECT external_id FROM transactions WHERE parent_id = ?1 AND \
                     (status IN {} OR status = 'SUCCESS') LIMIT 1",
                    TxStatus::unsettled_sql()
                ),
                [parent_id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(existing) = existing {
            return Err(JournalError::RefundUnderWay(existing));
        }
        let inserted = t.execute(
            "INSERT INTO transactions (external_id, kind, parent_id, gateway, service, phone, \
             amount, fields, status, cashier, terminal, created_at, updated_at, \
             lease_owner, lease_until) \
             VALUES (?1, 'refund', ?2, ?3, ?4, ?5, ?6, ?12, 'NEW', ?7, ?8, ?9, ?9, ?10, ?11) \
             ON CONFLICT(external_id) DO NOTHING",
            params![
                refund_id,
                parent_id,
                parent.gateway.as_str(),
                parent.service,
                parent.phone,
                parent.amount,
                by.0,
                by.1,
                now,
                lease_owner,
                lease_until,
                fields.to_string()
            ],
        )?;
        if inserted == 0 {
            return Err(JournalError::Duplicate(refund_id.to_owned()));
        }
        insert_event(
            &t,
            Some(refund_id),
            now,
            "intent",
            &json!({
                "refundOf": parent_id, "amount": parent.amount, "service": parent.service,
                "fields": fields,
            }),
            by.0,
            by.1,
        )?;
        insert_event(
            &t,
            Some(parent_id),
            now,
            "refund_requested",
            &json!({"refund": refund_id}),
            by.0,
            by.1,
        )?;
        let row = t.query_row(
            &format!("SELECT {COLUMNS} FROM transactions WHERE external_id = ?1"),
            [refund_id],
            row_to_tx,
        )?;
        t.commit()?;
        Ok(row)
    }

    /// Adds `extra` to a row's fields (a MoneyGram send's reference number, known once the
    /// gateway answered), with an entry in the history. Existing keys are kept: what was
    /// sent is never rewritten.
    pub fn add_fields(
        &mut self,
        external_id: &str,
        extra: &serde_json::Map<String, Value>,
        now: i64,
    ) -> Result<(), JournalError> {
        let t = self.immediate()?;
        let row = t
            .query_row(
                &format!("SELECT {COLUMNS} FROM transactions WHERE external_id = ?1"),
                [external_id],
                row_to_tx,
            )
            .optional()?
            .ok_or_else(|| JournalError::NotFound(external_id.to_owned()))?;
        let mut fields = match row.fields {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        for (k, v) in extra {
            fields.entry(k.clone()).or_insert_with(|| v.clone());
        }
        t.execute(
            "UPDATE transactions SET fields = ?2, updated_at = ?3 WHERE external_id = ?1",
            params![external_id, Value::Object(fields).to_string(), now],
        )?;
        insert_event(
            &t,
            Some(external_id),
            now,
            "fields",
            &Value::Object(extra.clone()),
            &row.cashier,
            &row.terminal,
        )?;
        t.commit()?;
        Ok(())
    }

    /// Applies a change in one write transaction, with an entry in the history. The status
    /// moves only forward ([`TxStatus::may_become`]); the final time is set when it becomes
    /// final. The entry carries the sale's cashier and terminal unless `by` says who acted.
    pub fn apply(
        &mut self,
        external_id: &str,
        write: &Write,
        event_kind: &str,
        event_detail: &Value,
        now: i64,
    ) -> Result<Applied, JournalError> {
        self.transition(external_id, event_kind, event_detail, None, now, |_| {
            vec![Effect::Write(write.clone())]
        })
        .map(|t| Applied {
            before: t.before,
            after: t.after,
            status_changed: t.status_changed(),
        })
    }

    /// Reads the row, lets `decide` (the lifecycle machine) choose the effects, and writes
    /// them, all in one `BEGIN IMMEDIATE` transaction: no other process can change the row
    /// between the decision and its record. A `Write` leaves an entry in the row's
    /// history; a `PollAt` alone is bookkeeping and leaves none. Other effects are returned
    /// for the engine.
    pub fn transition(
        &mut self,
        external_id: &str,
        event_kind: &str,
        event_detail: &Value,
        by: By<'_>,
        now: i64,
        decide: impl FnOnce(&Op) -> Vec<Effect>,
    ) -> Result<Transition, JournalError> {
        let t = self.immediate()?;
        let row = t
            .query_row(
                &format!("SELECT {COLUMNS} FROM transactions WHERE external_id = ?1"),
                [external_id],
                row_to_tx,
            )
            .optional()?
            .ok_or_else(|| JournalError::NotFound(external_id.to_owned()))?;
        let effects = decide(&row.op());
        let poll_at = effects.iter().rev().find_map(|e| match e {
            Effect::PollAt(at) => Some(*at),
            _ => None,
        });
        let write = effects.iter().find_map(|e| match e {
            Effect::Write(w) => Some(w),
            _ => None,
        });
        let before = row.status;
        let mut after = before;
        if let Some(write) = write {
            after = write_row(&t, &row, write, poll_at, now)?;
            let mut detail = event_detail.clone();
            if let Value::Object(map) = &mut detail {
                map.insert("before".into(), before.as_str().into());
                map.insert("after".into(), after.as_str().into());
            }
            let (cashier, terminal) = by.unwrap_or((&row.cashier, &row.terminal));
            insert_event(
                &t,
                Some(external_id),
                now,
                event_kind,
                &detail,
                cashier,
                terminal,
            )?;
        } else if let Some(at) = poll_at.filter(|_| !before.is_final()) {
            t.execute(
                "UPDATE transactions SET next_poll_at = ?2 WHERE external_id = ?1",
                params![external_id, at],
            )?;
        }
        if after != before
            && effects.contains(&Effect::MarkParentRefunded)
            && let Some(parent) = &row.parent_id
        {
            mark_refunded(&t, parent, external_id, by, now)?;
        }
        t.commit()?;
        Ok(Transition {
            before,
            after,
            effects,
        })
    }
}

/// Writes `write` to `row` (known to be the current one); returns the status after.
fn write_row(
    t: &rusqlite::Transaction<'_>,
    row: &TransactionRow,
    write: &Write,
    poll_at: Option<i64>,
    now: i64,
) -> Result<TxStatus, JournalError> {
    let before = row.status;
    let status_changed = write.status.is_some_and(|next| before.may_become(next));
    let after = if status_changed {
        write.status.unwrap_or(before)
    } else {
        before
    };
    // A final row keeps its outcome: only its bookkeeping (lease, polls) may change.
    let keep_outcome = before.is_final() && !status_changed;
    let (gw, url, note) = if keep_outcome {
        (None, None, None)
    } else {
        (
            write.gateway_tx_id.as_deref(),
            write.customer_url.as_deref(),
            write.notification.as_deref(),
        )
    };
    let error = if keep_outcome {
        &ErrorWrite::Keep
    } else {
        &write.error
    };
    let (set_error, code, message) = match error {
        ErrorWrite::Keep => (false, None, None),
        ErrorWrite::Clear => (true, None, None),
        ErrorWrite::Set { code, message } => (true, code.as_deref(), Some(message.as_str())),
    };
    // Becoming final also takes the next receipt number, in this same `BEGIN IMMEDIATE`
    // transaction: writers are serialised, so the numbers have neither gap nor repeat,
    // however many processes share the journal.
    let final_at = (status_changed && after.is_final()).then_some(now);
    let next_poll_at = if after.is_final() { None } else { poll_at };
    let set_poll = after.is_final() || poll_at.is_some();
    // What the reply says of itself is kept only while the outcome may still change.
    let amount = write.amount.filter(|_| !keep_outcome);
    let details = (!keep_outcome && !write.details.is_empty())
        .then(|| serde_json::to_string(&write.details).unwrap_or_else(|_| "{}".into()));
    let (set_not_found, not_found, first_not_found) = match write.not_found {
        Some((count, first)) => (true, count, Some(first)),
        None => (false, 0, None),
    };
    t.execute(
        "UPDATE transactions SET status = ?2, \
         gateway_tx_id = COALESCE(?3, gateway_tx_id), \
         customer_url = COALESCE(?4, customer_url), \
         notification = COALESCE(?5, notification), \
         error_code = CASE WHEN ?6 THEN ?7 ELSE error_code END, \
         error_message = CASE WHEN ?6 THEN ?8 ELSE error_message END, \
         sent_at = COALESCE(sent_at, ?9), \
         answered_at = COALESCE(answered_at, ?10), \
         final_at = COALESCE(final_at, ?11), \
         next_poll_at = CASE WHEN ?12 THEN ?13 ELSE next_poll_at END, \
         confirm_success = COALESCE(?14, confirm_success), \
         lease_owner = CASE WHEN ?15 THEN NULL ELSE lease_owner END, \
         lease_until = CASE WHEN ?15 THEN NULL ELSE lease_until END, \
         not_found_count = CASE WHEN ?16 THEN ?17 ELSE not_found_count END, \
         first_not_found_at = CASE WHEN ?16 THEN ?18 ELSE first_not_found_at END, \
         unreadable_since = CASE WHEN ?19 THEN ?20 ELSE unreadable_since END, \
         updated_at = ?21, \
         amount = COALESCE(amount, ?22), \
         details = CASE WHEN ?23 IS NULL THEN details ELSE json_patch(details, ?23) END, \
         receipt_no = CASE WHEN ?11 IS NOT NULL AND receipt_no IS NULL \
             THEN (SELECT COALESCE(MAX(receipt_no), 0) + 1 FROM transactions) \
             ELSE receipt_no END \
         WHERE external_id = ?1",
        params![
            row.external_id,
            after.as_str(),
            gw,
            url,
            note,
            set_error,
            code,
            message,
            write.sent_at,
            write.answered_at,
            final_at,
            set_poll,
            next_poll_at,
            write.confirm_pending.map(i64::from),
            write.release_lease,
            set_not_found,
            not_found,
            first_not_found,
            write.unreadable_since.is_some(),
            write.unreadable_since.flatten(),
            now,
            amount,
            details
        ],
    )?;
    Ok(after)
}

/// A refund went through: its sale becomes REFUNDED, with an entry in the sale's history.
fn mark_refunded(
    t: &rusqlite::Transaction<'_>,
    parent: &str,
    refund: &str,
    by: By<'_>,
    now: i64,
) -> Result<(), JournalError> {
    let changed = t.execute(
        "UPDATE transactions SET status = 'REFUNDED', final_at = COALESCE(final_at, ?2), \
         updated_at = ?2, receipt_no = COALESCE(receipt_no, \
             (SELECT COALESCE(MAX(receipt_no), 0) + 1 FROM transactions)) \
         WHERE external_id = ?1 AND status = 'SUCCESS'",
        params![parent, now],
    )?;
    if changed == 1 {
        let (cashier, terminal): (String, String) = t.query_row(
            "SELECT cashier, terminal FROM transactions WHERE external_id = ?1",
            [refund],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (cashier, terminal) = by.unwrap_or((&cashier, &terminal));
        insert_event(
            t,
            Some(parent),
            now,
            "refund",
            &json!({"refund": refund, "before": "SUCCESS", "after": "REFUNDED"}),
            cashier,
            terminal,
        )?;
    }
    Ok(())
}
