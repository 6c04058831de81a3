//! The lifecycle of one operation (a payment or a refund) as a pure state machine:
//! `step(state, event) -> effects`. No clock (the time is an argument), no I/O, no journal:
//! the journal runs [`step`] inside the write transaction that reads the row, so the
//! decision and its record are one atomic act, and the engine carries out the rest
//! (sending, notifying, waking the poller).
//!
//! The rules (design.md §3):
//! * an intent is sent once, only while it is NEW;
//! * a reply that may have been processed without a readable answer makes the operation
//!   UNKNOWN, never FAILED; only status queries or callbacks settle it;
//! * what the gateway reports as unknown twice, minutes apart, and never acknowledged,
//!   becomes NOT_SENT; what it answers unreadably past the window goes under REVIEW;
//! * a status never moves backwards ([`TxStatus::may_become`]);
//! * a callback's word is taken only when signed with HMAC; otherwise one status query
//!   confirms it;
//! * a refund is an operation of its own: it settles by the refunded payment's status
//!   (Intech sends no callback for a refund), and once done marks that payment REFUNDED.

use std::collections::BTreeMap;
use std::ops::Not;

use super::answers::{NoAnswer, PollAnswer, Reply};
use super::schedule::{PollPlan, ms};
use super::{PaymentStatus, TxStatus};

/// What an operation moves: a sale (any service) or the refund of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum OpKind {
    Payment,
    Refund,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Payment => "payment",
            OpKind::Refund => "refund",
        }
    }

    pub fn parse(text: &str) -> Option<OpKind> {
        match text {
            "payment" => Some(OpKind::Payment),
            "refund" => Some(OpKind::Refund),
            _ => None,
        }
    }
}

/// What the machine knows of one operation: the part of its journal row that decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    pub kind: OpKind,
    pub status: TxStatus,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// The gateway once acknowledged it (a readable reply, an id of its own): it can no
    /// longer be declared never received.
    pub acknowledged: bool,
    pub next_poll_at: Option<i64>,
    pub not_found: i64,
    pub first_not_found_at: Option<i64>,
    /// When status answers started being unreadable (reset by a readable one).
    pub unreadable_since: Option<i64>,
    /// An unsigned callback reported a final status that one status query must confirm.
    pub confirm_pending: bool,
}

impl Op {
    /// A fresh intent, as the journal records it.
    pub fn new(kind: OpKind, created_at: i64) -> Op {
        Op {
            kind,
            status: TxStatus::New,
            created_at,
            sent_at: None,
            acknowledged: false,
            next_poll_at: None,
            not_found: 0,
            first_not_found_at: None,
            unreadable_since: None,
            confirm_pending: false,
        }
    }

    /// When the schedule counts from.
    fn base(&self) -> i64 {
        self.sent_at.unwrap_or(self.created_at)
    }
}

/// Something that happened to an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The intent is in the journal: it may be sent.
    Recorded,
    /// The answer to the operation (payment) or to `refund-cancel` (refund).
    Reply(Reply),
    /// The answer to a status query (for a refund: the refunded payment's status).
    Poll(PollAnswer),
    /// A verified callback; `trusted` when HMAC-signed (its status may be believed).
    Callback {
        status: PaymentStatus,
        gateway_tx_id: String,
        trusted: bool,
    },
    /// Start-up, or `reconcile` (`everything`: ask about every unsettled row now).
    Recovery { everything: bool },
}

impl Event {
    /// The name the journal's history gives the event.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Recorded => "intent",
            Event::Reply(_) => "reply",
            Event::Poll(_) => "poll",
            Event::Callback { .. } => "callback",
            Event::Recovery { .. } => "recovery",
        }
    }
}

/// What to record of an operation's error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ErrorWrite {
    #[default]
    Keep,
    /// The status no longer says anything went wrong: a lost reply's "timeout" does not
    /// stay on a sale that turned out paid.
    Clear,
    Set {
        code: Option<String>,
        message: String,
    },
}

/// A change to record. `None` leaves a column as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Write {
    /// Set only when the status moves (the journal checks [`TxStatus::may_become`] again).
    pub status: Option<TxStatus>,
    pub gateway_tx_id: Option<String>,
    pub customer_url: Option<String>,
    pub notification: Option<String>,
    pub error: ErrorWrite,
    pub sent_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub confirm_pending: Option<bool>,
    /// (count, first time) of "not found" answers.
    pub not_found: Option<(i64, i64)>,
    pub unreadable_since: Option<Option<i64>>,
    /// The send is over: its lease is released.
    pub release_lease: bool,
    /// The amount, only where the row has none (the server's fee for a message).
    pub amount: Option<i64>,
    /// What the reply carries for the cashier and the receipt, added to what is kept.
    pub details: BTreeMap<String, serde_json::Value>,
}

/// What the engine (and the journal, within the same transaction) must do.
#[derive(Debug, Clone, PartialEq, Eq)]
// A step returns a handful of effects and they live for one transaction: boxing the write
// would buy nothing but indirection.
#[allow(clippy::large_enum_variant)]
pub enum Effect {
    /// Send the request (the operation, or `refund-cancel`). Only ever for a NEW intent.
    Send,
    /// Record this change (and an entry in the operation's history).
    Write(Write),
    /// Ask the gateway about it at this time (ms).
    PollAt(i64),
    /// The status changed: tell the screens.
    Notify(TxStatus),
    /// A refund went through: the refunded payment becomes REFUNDED.
    MarkParentRefunded,
}

/// The error code of an operation put under review.
pub const REVIEW_CODE: &str = "unreadable_status";
/// The error code of an operation the gateway never received.
pub const NOT_RECEIVED_CODE: &str = "not_received";

/// One step of the machine: what `event` does to `op` at `now`.
pub fn step(op: &Op, event: &Event, now: i64, plan: &PollPlan) -> Vec<Effect> {
    match event {
        Event::Recorded if op.status == TxStatus::New && op.sent_at.is_none() => {
            vec![Effect::Send]
        }
        Event::Recorded => vec![],
        Event::Reply(reply) => on_reply(op, reply, now, plan),
        Event::Poll(_) | Event::Callback { .. } if op.status.is_final() => vec![],
        Event::Poll(answer) => on_poll(op, answer, now, plan),
        Event::Callback { .. } if op.kind == OpKind::Refund => vec![],
        Event::Callback {
            status,
            gateway_tx_id,
            trusted,
        } => on_callback(op, status, gateway_tx_id, *trusted, now, plan),
        Event::Recovery { .. } if op.status.is_final() => vec![],
        Event::Recovery { everything } => {
            if op.next_poll_at.is_none() || (*everything && op.next_poll_at > Some(now)) {
                vec![Effect::PollAt(now)]
            } else {
                vec![]
            }
        }
    }
}

/// The error to record for a row arriving in `status` from a gateway's readable word.
fn error_for(status: TxStatus, failure: Option<(Option<&str>, Option<&str>)>) -> ErrorWrite {
    match (status, failure) {
        (TxStatus::Failed | TxStatus::Expired | TxStatus::Canceled, Some((code, message))) => {
            ErrorWrite::Set {
                code: code.map(str::to_owned),
                message: message.unwrap_or_default().to_owned(),
            }
        }
        (TxStatus::Failed | TxStatus::Expired | TxStatus::Canceled, None) => ErrorWrite::Keep,
        _ => ErrorWrite::Clear,
    }
}

/// The write and effects of moving `op` to `target` (when allowed), with `write`'s other
/// columns. The poll schedule follows the new status.
fn settle(op: &Op, target: TxStatus, mut write: Write, now: i64, plan: &PollPlan) -> Vec<Effect> {
    let moves = op.status.may_become(target);
    let after = if moves { target } else { op.status };
    write.status = moves.then_some(target);
    if !moves {
        // The status stays: so does what explains it.
        write.error = ErrorWrite::Keep;
    }
    let mut effects = Vec::new();
    if !after.is_final() {
        effects.push(Effect::PollAt(plan.next_after(
            write.sent_at.or(op.sent_at).unwrap_or(op.created_at),
            now,
        )));
    }
    if moves {
        effects.push(Effect::Notify(after));
        if op.kind == OpKind::Refund && after == TxStatus::Success {
            effects.push(Effect::MarkParentRefunded);
        }
    }
    effects.insert(0, Effect::Write(write));
    effects
}

fn on_reply(op: &Op, reply: &Reply, now: i64, plan: &PollPlan) -> Vec<Effect> {
    // The send took place while the row was NEW; a callback or a poll may have moved it
    // since (the callback before the reply): the reply then only adds what it knows.
    let sent_at = op.sent_at.or(Some(now));
    if op.status.is_final() {
        // Settled already (a signed callback was faster): the send is over, that is all.
        return vec![Effect::Write(Write {
            sent_at,
            answered_at: matches!(reply, Reply::NoAnswer { .. }).not().then_some(now),
            release_lease: true,
            ..Write::default()
        })];
    }
    let mut effects = match reply {
        Reply::Accepted { status, facts } => {
            let target = match op.kind {
                OpKind::Payment => status.journal_status(),
                // `refund-cancel` answers SUCCESS once the money is back.
                OpKind::Refund => TxStatus::Success,
            };
            let write = Write {
                gateway_tx_id: facts.gateway_tx_id.clone(),
                customer_url: facts.customer_url.clone(),
                notification: facts.notification.clone(),
                amount: facts.amount,
                details: facts.details.clone(),
                error: error_for(target, status.failure()),
                sent_at,
                answered_at: Some(now),
                release_lease: true,
                ..Write::default()
            };
            settle(op, target, write, now, plan)
        }
        Reply::Refused {
            code,
            message,
            facts,
        } => {
            let write = Write {
                gateway_tx_id: facts.gateway_tx_id.clone(),
                error: ErrorWrite::Set {
                    code: code.clone().or_else(|| Some("refused".into())),
                    message: message.clone(),
                },
                sent_at,
                answered_at: Some(now),
                release_lease: true,
                ..Write::default()
            };
            settle(op, TxStatus::Failed, write, now, plan)
        }
        Reply::NoAnswer { why, message } => {
            let target = if why.may_have_arrived() {
                TxStatus::Unknown
            } else {
                TxStatus::NotSent
            };
            let write = Write {
                error: ErrorWrite::Set {
                    code: Some(why.code().into()),
                    message: message.clone(),
                },
                sent_at,
                release_lease: true,
                ..Write::default()
            };
            settle(op, target, write, now, plan)
        }
    };
    // The first question after a send follows the schedule from the send.
    for effect in &mut effects {
        if let Effect::PollAt(at) = effect {
            *at = plan.first_after_send(sent_at.unwrap_or(now));
        }
    }
    effects
}

/// A status answer that says nothing is known of it: for a payment, the documented "not
/// found"; for a refund, the payment still SUCCESS (the refund did not happen).
fn not_found(op: &Op, now: i64, plan: &PollPlan, message: &str) -> Vec<Effect> {
    let count = op.not_found + 1;
    let first = op.first_not_found_at.unwrap_or(now);
    let gap = ms(plan.not_found_gap);
    let next = plan.next_after(op.base(), now).max(now + gap);
    if !op.acknowledged && count >= 2 && now - first >= gap {
        let write = Write {
            not_found: Some((count, first)),
            error: ErrorWrite::Set {
                code: Some(NOT_RECEIVED_CODE.into()),
                message: message.into(),
            },
            ..Write::default()
        };
        return settle(op, TxStatus::NotSent, write, now, plan);
    }
    vec![
        Effect::Write(Write {
            not_found: Some((count, first)),
            ..Write::default()
        }),
        Effect::PollAt(next),
    ]
}

/// A status answer that cannot be read: counted from its first time; past the review
/// delay the row goes under REVIEW (still asked, slowly).
fn unreadable(op: &Op, reason: &str, now: i64, plan: &PollPlan) -> Vec<Effect> {
    let since = op.unreadable_since.unwrap_or(now);
    let next = plan.next_after(op.base(), now);
    if op.status != TxStatus::Review && now - op.base() >= ms(plan.review_after) {
        let write = Write {
            unreadable_since: Some(Some(since)),
            error: ErrorWrite::Set {
                code: Some(REVIEW_CODE.into()),
                message: format!(
                    "Statut illisible depuis la fin du délai de paiement : {reason}. Rien \
                     n'est supposé : vérifiez auprès d'Intech (réclamation) avant toute \
                     nouvelle vente."
                ),
            },
            ..Write::default()
        };
        return settle(op, TxStatus::Review, write, now, plan);
    }
    let mut effects = Vec::new();
    if op.unreadable_since.is_none() {
        effects.push(Effect::Write(Write {
            unreadable_since: Some(Some(since)),
            ..Write::default()
        }));
    }
    effects.push(Effect::PollAt(next));
    effects
}

fn on_poll(op: &Op, answer: &PollAnswer, now: i64, plan: &PollPlan) -> Vec<Effect> {
    const PAYMENT_NOT_RECEIVED: &str = "La passerelle n'a jamais reçu cette opération : aucun \
         argent n'a circulé. Vous pouvez refaire une nouvelle vente.";
    const REFUND_NOT_DONE: &str = "Le remboursement n'a pas eu lieu : la vente est toujours \
         réglée chez la passerelle. Il peut être demandé à nouveau.";
    match (op.kind, answer) {
        (
            OpKind::Payment,
            PollAnswer::Status {
                status,
                gateway_tx_id,
                details,
                customer_url,
            },
        ) => {
            let target = status.journal_status();
            let write = Write {
                gateway_tx_id: gateway_tx_id.clone(),
                customer_url: customer_url.clone(),
                details: details.clone(),
                error: error_for(target, status.failure()),
                confirm_pending: op.confirm_pending.then_some(false),
                unreadable_since: op.unreadable_since.map(|_| None),
                ..Write::default()
            };
            if !op.status.may_become(target)
                && !op.confirm_pending
                && op.unreadable_since.is_none()
                && (op.acknowledged || gateway_tx_id.is_none())
                && customer_url.is_none()
            {
                // Nothing new: only the next question.
                return if op.status.is_final() {
                    vec![]
                } else {
                    vec![Effect::PollAt(plan.next_after(op.base(), now))]
                };
            }
            settle(op, target, write, now, plan)
        }
        (OpKind::Payment, PollAnswer::NotFound) if op.acknowledged => unreadable(
            op,
            "la passerelle ne trouve plus une opération qu'elle avait acceptée",
            now,
            plan,
        ),
        (OpKind::Payment, PollAnswer::NotFound) => not_found(op, now, plan, PAYMENT_NOT_RECEIVED),
        (OpKind::Refund, PollAnswer::Status { status, .. }) => match status {
            PaymentStatus::Refunded => {
                let write = Write {
                    error: ErrorWrite::Clear,
                    unreadable_since: op.unreadable_since.map(|_| None),
                    ..Write::default()
                };
                settle(op, TxStatus::Success, write, now, plan)
            }
            PaymentStatus::Success => not_found(op, now, plan, REFUND_NOT_DONE),
            other => unreadable(
                op,
                &format!(
                    "la vente remboursée est « {} »",
                    other.journal_status().french()
                ),
                now,
                plan,
            ),
        },
        (OpKind::Refund, PollAnswer::NotFound) => unreadable(
            op,
            "la passerelle ne trouve pas la vente remboursée",
            now,
            plan,
        ),
        (_, PollAnswer::Unreadable { reason }) => unreadable(op, reason, now, plan),
        (_, PollAnswer::NoAnswer { why }) => {
            let at = if *why == NoAnswer::Http(403) {
                now + BLACKLIST_BACKOFF_MS
            } else {
                plan.next_after(op.base(), now)
            };
            vec![Effect::PollAt(at)]
        }
    }
}

/// A blacklisted address waits this long before asking again.
pub const BLACKLIST_BACKOFF_MS: i64 = 10 * 60 * 1000;

fn on_callback(
    op: &Op,
    status: &PaymentStatus,
    gateway_tx_id: &str,
    trusted: bool,
    now: i64,
    plan: &PollPlan,
) -> Vec<Effect> {
    let target = status.journal_status();
    let new_id = (!op.acknowledged).then(|| gateway_tx_id.to_owned());
    if trusted || !target.is_final() {
        if !op.status.may_become(target) && new_id.is_none() {
            return vec![];
        }
        let write = Write {
            gateway_tx_id: new_id,
            error: error_for(target, status.failure()),
            ..Write::default()
        };
        return settle(op, target, write, now, plan);
    }
    // Its hash covers only the ids and the key: a replay with another status would pass.
    // One status query decides; the SUCCESS it claims is noted until then.
    let claims_success = target == TxStatus::Success;
    let mut effects = Vec::new();
    if op.confirm_pending != claims_success || new_id.is_some() {
        effects.push(Effect::Write(Write {
            gateway_tx_id: new_id,
            confirm_pending: (op.confirm_pending != claims_success).then_some(claims_success),
            ..Write::default()
        }));
    }
    effects.push(Effect::PollAt(now));
    effects
}

#[cfg(test)]
mod tests;
