//! How transactions move: creation (accepted or refused), the timed steps, the customer's
//! decisions, and the one timer task that drives every deadline.
//!
//! Every transition runs under the state lock and returns [`Effects`] (callbacks to send,
//! the timer task to wake) that the caller runs once the lock is released. Final statuses
//! never move, except SUCCESS → REFUNDED by `refund-cancel`; the shop's balance moves only
//! on SUCCESS (and on a refund).

use std::sync::Arc;

use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::SandboxConfig;
use super::bills;
use super::callbacks::{self, CallbackJob};
use super::reply::now;
use super::rules::{self, IntramOutcome, OperationInput, Outcome, error_by_code, error_by_id};
use super::state::{IntechTx, IntramStatus, IntramTx, Shared, State, Status, TimerKind, TxError};
use crate::catalog::services::TypeOperation;

/// What the customer's refusal of a cash-out records.
const REFUSED_BY_CUSTOMER: &str = "Le client a refusé le paiement";

/// Work to do once the state lock is released.
#[derive(Default)]
pub(crate) struct Effects {
    pub jobs: Vec<CallbackJob>,
    /// A timer earlier than all others was queued.
    pub wake: bool,
}

impl Effects {
    pub fn run(self, shared: &Arc<Shared>) {
        if self.wake {
            shared.wake.notify_one();
        }
        callbacks::dispatch(shared, self.jobs);
    }
}

pub(crate) struct Created {
    pub tid: String,
    /// The operator refused at once: the transaction exists, FAILLED.
    pub refusal: Option<TxError>,
    pub outcome: Outcome,
    /// Outcome 98: resolves after the first callback delivery attempt.
    pub first_callback: Option<oneshot::Receiver<()>>,
}

/// Creates an Intech transaction from a validated operation (duplicates checked): refused
/// at once (FAILLED, callback queued) — `bill` is the bill's own refusal, which comes
/// first — or accepted (PENDING, timers queued; Woyofal SUCCESS at once).
pub(crate) fn create_intech(
    st: &mut State,
    cfg: &SandboxConfig,
    input: OperationInput,
    bill: Option<TxError>,
    at: Instant,
    fx: &mut Effects,
) -> Created {
    let outcome = Outcome::from_phone(&input.national);
    let service = input.service;
    let debit = service.type_operation == TypeOperation::Debit;
    let refusal = bill.or_else(|| {
        rules::amount_refusal(service.code, input.amount)
            .or_else(|| (debit && input.amount as f64 > st.balance).then(|| error_by_id(26)))
            .or_else(|| match outcome {
                Outcome::UnknownNumber => Some(rules::unknown_number_error(service.code)),
                Outcome::CustomerWithoutFunds if !debit => Some(error_by_id(2)),
                _ => None,
            })
            // The entry that fits the operator: a Wave refusal never reads "Orange Money".
            .map(|info| {
                let message = crate::catalog::errors::catalogue_message(info.code, service.code);
                TxError::with_message(info, message)
            })
    });

    let tid = st.new_intech_id();
    let seq = st.next_seq();
    let stamp = now();
    let bill = match (&input.account_number, &input.bill_reference) {
        (Some(account), Some(reference)) => Some(bills::key(service.code, account, reference)),
        _ => None,
    };
    let mut tx = IntechTx {
        seq,
        tid: tid.clone(),
        ext: input.ext,
        service,
        phone: input.phone,
        amount: input.amount,
        currency: input.currency,
        amount_in_currency: input.amount_in_currency,
        callback_url: input.callback_url,
        data: input.data,
        message: input.message,
        status: Status::Pending,
        error: None,
        outcome,
        bill,
        created_at: stamp,
        updated_at: stamp,
        status_calls: 0,
        callbacks: Vec::new(),
        first_callback: None,
    };
    st.by_ext.insert(tx.ext.clone(), tid.clone());

    if let Some(error) = refusal {
        tx.status = Status::Failled;
        tx.error = Some(error.clone());
        fx.jobs.push(callbacks::intech_job(
            &tx,
            &cfg.api_key,
            st.balance,
            st.balance,
        ));
        st.intech.insert(tid.clone(), tx);
        return Created {
            tid,
            refusal: Some(error),
            outcome,
            first_callback: None,
        };
    }

    if let Some(bill) = &tx.bill {
        st.bills_in_flight.insert(bill.clone(), tid.clone());
    }
    let first_callback = (outcome == Outcome::CallbackFirst).then(|| {
        let (sender, receiver) = oneshot::channel();
        tx.first_callback = Some(sender);
        receiver
    });
    st.intech.insert(tid.clone(), tx);

    if rules::settles_at_once(service.code, outcome) {
        // Woyofal's operator answers within the request: the reply already says SUCCESS.
        finalize_intech(st, &cfg.api_key, &tid, None, fx);
    } else if !rules::needs_customer(service, outcome) {
        fx.wake |= st.schedule(at + cfg.processing_delay, TimerKind::Process, &tid);
    } else if outcome == Outcome::AutoApprove {
        fx.wake |= st.schedule(at + cfg.auto_approve_delay, TimerKind::AutoApprove, &tid);
    } else if outcome == Outcome::CallbackFirst {
        start_processing(st, cfg, &tid, at, fx);
    }
    fx.wake |= st.schedule(at + cfg.payment_timeout, TimerKind::IntechTimeout, &tid);
    Created {
        tid,
        refusal: None,
        outcome,
        first_callback,
    }
}

/// PENDING → PROCESSING, and the settlement queued (never for outcome 95).
fn start_processing(st: &mut State, cfg: &SandboxConfig, tid: &str, at: Instant, fx: &mut Effects) {
    let Some(tx) = st.intech.get_mut(tid) else {
        return;
    };
    if tx.status != Status::Pending {
        return;
    }
    tx.status = Status::Processing;
    tx.updated_at = now();
    if tx.outcome != Outcome::NeverAnswered {
        fx.wake |= st.schedule(at + cfg.settle_delay, TimerKind::Settle, tid);
    }
}

/// Makes a transaction final: SUCCESS when `error` is None (moving the balance, paying the
/// bill), FAILLED otherwise; queues its callback. A final transaction is left alone.
pub(crate) fn finalize_intech(
    st: &mut State,
    api_key: &str,
    tid: &str,
    error: Option<TxError>,
    fx: &mut Effects,
) {
    let before = st.balance;
    let Some(tx) = st.intech.get_mut(tid) else {
        return;
    };
    if tx.status.is_final() {
        return;
    }
    let mut error = error;
    let mut after = before;
    if error.is_none() {
        let amount = tx.amount as f64;
        match tx.service.type_operation {
            // Other debits may have used the balance since this one was accepted.
            TypeOperation::Debit if amount > before => {
                error = Some(TxError::catalogue(error_by_id(26)));
            }
            TypeOperation::Debit => after = before - amount,
            TypeOperation::Credit => after = before + amount,
        }
    }
    tx.status = if error.is_some() {
        Status::Failled
    } else {
        Status::Success
    };
    tx.error = error;
    tx.updated_at = now();
    let success = tx.status == Status::Success;
    let bill = tx.bill.clone();
    fx.jobs
        .push(callbacks::intech_job(tx, api_key, before, after));
    st.balance = after;
    if let Some(bill) = bill {
        st.bills_in_flight.remove(&bill);
        if success {
            st.paid_bills.insert(bill);
        }
    }
}

/// A pending Intram payment ends: SUCCESS, CANCELED, FAIL or ERROR; its callback queued.
/// `phone` is the customer's, when they paid (or tried to).
fn finalize_intram(
    st: &mut State,
    id: &str,
    status: IntramStatus,
    phone: Option<String>,
    fx: &mut Effects,
) {
    let Some(tx) = st.intram.get_mut(id) else {
        return;
    };
    if tx.status != IntramStatus::Pending {
        return;
    }
    tx.status = status;
    tx.updated_at = now();
    if matches!(status, IntramStatus::Success | IntramStatus::Error) {
        let customer = demo_customer(id, phone.as_deref());
        tx.phone = customer
            .get("phone")
            .and_then(|p| p.as_str())
            .map(str::to_owned);
        tx.customer = Some(customer);
    }
    fx.jobs.extend(callbacks::intram_job(tx));
}

/// SUCCESS → REFUNDED (outcome 86), with its callback.
fn refund_intram(st: &mut State, id: &str, fx: &mut Effects) {
    let Some(tx) = st.intram.get_mut(id) else {
        return;
    };
    if tx.status != IntramStatus::Success {
        return;
    }
    tx.status = IntramStatus::Refunded;
    tx.updated_at = now();
    fx.jobs.extend(callbacks::intram_job(tx));
}

/// The customer a paid Intram payment reports: a name derived from the transaction, the
/// phone they gave (else one derived too, ending in 00 so that it reads as the plain
/// outcome).
fn demo_customer(id: &str, phone: Option<&str>) -> serde_json::Value {
    const NAMES: &[&str] = &[
        "Awa Ndiaye",
        "Moussa Diop",
        "Fatou Sow",
        "Ibrahima Fall",
        "Aminata Gueye",
        "Cheikh Sarr",
    ];
    let h = Sha256::digest(id.as_bytes());
    let name = NAMES[h[0] as usize % NAMES.len()];
    let phone = match phone {
        Some(p) => p.to_owned(),
        None => {
            let number = u32::from_be_bytes([0, h[1], h[2], h[3]]) % 100_000;
            format!("+22177{number:05}00")
        }
    };
    json!({ "name": name, "phone": phone, "email": null })
}

/// Runs one due timer.
fn fire(
    st: &mut State,
    cfg: &SandboxConfig,
    kind: TimerKind,
    id: &str,
    at: Instant,
    fx: &mut Effects,
) {
    match kind {
        TimerKind::Process | TimerKind::AutoApprove => start_processing(st, cfg, id, at, fx),
        TimerKind::Settle => {
            let Some(tx) = st.intech.get(id) else {
                return;
            };
            if tx.status != Status::Processing {
                return;
            }
            let error = match tx.outcome {
                Outcome::NeverAnswered => return,
                Outcome::OperatorDown => Some(error_by_code("operator_down_time")),
                Outcome::CustomerWithoutFunds => Some(error_by_code("balance_check_failed")),
                _ => None,
            };
            finalize_intech(st, &cfg.api_key, id, error.map(TxError::catalogue), fx);
        }
        TimerKind::IntechTimeout => {
            let timeout = TxError::catalogue(error_by_id(4));
            finalize_intech(st, &cfg.api_key, id, Some(timeout), fx);
        }
        TimerKind::IntramTimeout => finalize_intram(st, id, IntramStatus::Fail, None, fx),
        TimerKind::IntramRefund => refund_intram(st, id, fx),
    }
}

/// The one task behind every deadline: sleeps until the earliest timer (or until woken
/// because an earlier one was queued), runs the due ones, sends their callbacks.
pub(crate) async fn run_timers(shared: Arc<Shared>) {
    loop {
        let mut fx = Effects::default();
        let next = {
            let mut st = shared.lock();
            let at = Instant::now();
            loop {
                let Some(entry) = st.timers.first_entry() else {
                    break None;
                };
                if entry.key().0 > at {
                    break Some(entry.key().0);
                }
                let timer = entry.remove();
                fire(&mut st, &shared.config, timer.kind, &timer.id, at, &mut fx);
            }
        };
        callbacks::dispatch(&shared, fx.jobs);
        let sleep = async {
            match next {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = sleep => {}
            _ = shared.wake.notified() => {}
            _ = shared.stopping() => return,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Approve,
    Refuse,
}

pub(crate) enum Decided {
    /// 200: the status after the decision.
    Done(&'static str),
    /// 409: the status, and why nothing could be decided.
    Conflict(&'static str, &'static str),
    NotFound,
}

/// The customer approves or refuses, on the landing page or through the test endpoint.
/// `phone` is the one an Intram customer pays with (its last digits pick the outcome);
/// Intech ignores it (the operation's phone decided already).
pub(crate) fn decide(
    st: &mut State,
    cfg: &SandboxConfig,
    id: &str,
    decision: Decision,
    phone: Option<String>,
    at: Instant,
    fx: &mut Effects,
) -> Decided {
    if let Some(tx) = st.intech.get(id) {
        let status = tx.status;
        if !rules::needs_customer(tx.service, tx.outcome) {
            return Decided::Conflict(
                status.as_str(),
                "Cette opération ne demande aucune validation du client",
            );
        }
        return match (decision, status) {
            (Decision::Approve, Status::Pending) => {
                start_processing(st, cfg, id, at, fx);
                Decided::Done(Status::Processing.as_str())
            }
            (Decision::Approve, Status::Processing | Status::Success | Status::Refunded) => {
                Decided::Done(status.as_str())
            }
            (Decision::Refuse, Status::Pending) => {
                let error =
                    TxError::with_message(error_by_code("unknown_error"), REFUSED_BY_CUSTOMER);
                finalize_intech(st, &cfg.api_key, id, Some(error), fx);
                Decided::Done(Status::Failled.as_str())
            }
            (Decision::Refuse, Status::Processing | Status::Success | Status::Refunded) => {
                Decided::Conflict(status.as_str(), "Le client a déjà validé ce paiement")
            }
            (_, Status::Failled) => {
                Decided::Conflict(status.as_str(), "Cette transaction est déjà terminée")
            }
        };
    }
    if let Some(tx) = st.intram.get(id) {
        let status = tx.status;
        return match (decision, status) {
            (Decision::Approve, IntramStatus::Pending) => {
                let outcome = IntramOutcome::from_phone(phone.as_deref());
                let status = match outcome {
                    IntramOutcome::Error => IntramStatus::Error,
                    IntramOutcome::Success | IntramOutcome::Refunded => IntramStatus::Success,
                };
                finalize_intram(st, id, status, phone, fx);
                if outcome == IntramOutcome::Refunded {
                    fx.wake |= st.schedule(at + cfg.settle_delay, TimerKind::IntramRefund, id);
                }
                Decided::Done(status.as_str())
            }
            (Decision::Approve, IntramStatus::Success | IntramStatus::Refunded) => {
                Decided::Done(status.as_str())
            }
            (Decision::Refuse, IntramStatus::Pending) => {
                finalize_intram(st, id, IntramStatus::Canceled, None, fx);
                Decided::Done(IntramStatus::Canceled.as_str())
            }
            (Decision::Refuse, IntramStatus::Success | IntramStatus::Refunded) => {
                Decided::Conflict(status.as_str(), "Le client a déjà validé ce paiement")
            }
            (_, IntramStatus::Canceled | IntramStatus::Fail | IntramStatus::Error) => {
                Decided::Conflict(status.as_str(), "Cette transaction est déjà terminée")
            }
        };
    }
    Decided::NotFound
}

/// Creates an Intram payment request (validated by the caller), its timeout queued.
#[allow(clippy::too_many_arguments)]
pub(crate) fn create_intram(
    st: &mut State,
    cfg: &SandboxConfig,
    amount: i64,
    callback_url: Option<String>,
    custom_data: serde_json::Value,
    description: String,
    store_name: String,
    at: Instant,
    fx: &mut Effects,
) -> String {
    let id = st.new_intram_id();
    let seq = st.next_seq();
    let stamp = now();
    st.intram.insert(
        id.clone(),
        IntramTx {
            seq,
            id: id.clone(),
            amount,
            status: IntramStatus::Pending,
            phone: None,
            callback_url,
            custom_data,
            description,
            store_name,
            customer: None,
            created_at: stamp,
            updated_at: stamp,
            callbacks: Vec::new(),
        },
    );
    fx.wake |= st.schedule(at + cfg.payment_timeout, TimerKind::IntramTimeout, &id);
    id
}
