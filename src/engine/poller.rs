//! Status polling: the schedule, the budget (counted in the journal, shared by every process
//! on the host), recovery at start-up and `reconcile`. Other processes' writes are noticed
//! by `watcher.rs`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::Semaphore;

use super::{Engine, EngineError, ReconcileSummary};
use crate::catalog::customer;
use crate::catalog::errors::{fill_amount, french_message};
use crate::domain::PollPlan;
use crate::domain::answers::{NoAnswer, PollAnswer};
use crate::domain::lifecycle::Event;
use crate::domain::{GatewayKind, PaymentStatus, TxStatus};
use crate::journal::{Journal, JournalError, SlotDecision, TransactionRow};

/// How far ahead a claimed row is pushed while its poll runs. Short: a process that quits
/// with polls in flight leaves its claims behind, and another must take them up soon (a
/// second poll of the same row is still held by the budget).
const CLAIM_MS: i64 = 10_000;
/// The longest the poller sleeps towards a row due later (a clock that jumped, a row
/// rescheduled by another process without a wakeup). With nothing due it has no timer at
/// all (issue 14: an idle counter sleeps).
const DUE_CAP_MS: i64 = 60_000;
/// Polls in flight at once, per process.
const CONCURRENT_POLLS: usize = 16;

/// A failure's message for the cashier: the gateway's own (its `__amount__` filled), or
/// the catalogue's French for its code.
fn fill_message(status: &PaymentStatus, amount: Option<i64>) -> PaymentStatus {
    match status {
        PaymentStatus::Failed { code, message } => PaymentStatus::Failed {
            code: code.clone(),
            message: Some(match message {
                Some(m) => fill_amount(m, amount),
                None => french_message(code.as_deref().unwrap_or("unknown_error"), amount),
            }),
        },
        other => other.clone(),
    }
}

/// What one poll did.
#[derive(Debug, Clone, PartialEq)]
pub enum PollResult {
    /// The gateway answered; the row is now in this status.
    Answered(TxStatus),
    /// The budget had no slot: retried after this many ms.
    Deferred(i64),
    /// No answer (network, blacklist…): retried later.
    Failed(String),
}

impl Engine {
    /// Asks the gateway for one operation's status, if the budget allows, and lets the
    /// machine read the answer. A refund is asked about through the sale it refunds.
    pub async fn poll_once(&self, row: &TransactionRow) -> Result<PollResult, EngineError> {
        let plan = self.config.plan.clone();
        let asked = row.clone();
        let now = self.now();
        let decision = self
            .journal(move |j| take_slot(j, &asked, now, &plan))
            .await?;
        match decision {
            SlotDecision::Granted(slot) => self.poll_granted(row, slot).await,
            SlotDecision::Wait(wait) => {
                // The poll loop sleeps until the claim runs out: tell it of the new time.
                self.wake.notify_one();
                Ok(PollResult::Deferred(wait))
            }
        }
    }

    /// The poll itself, once the budget granted `slot`: the gateway asked, the slot stamped
    /// with the answer's time and the answer read by the machine in one trip to the journal.
    async fn poll_granted(
        &self,
        row: &TransactionRow,
        slot: i64,
    ) -> Result<PollResult, EngineError> {
        let ext = row.external_id.clone();
        let asked = row.status_id().to_owned();
        let Some(gateway) = self.gateways.get(row.gateway) else {
            return Err(EngineError::NoGateway(row.gateway));
        };
        let gateway_id = match &row.parent_id {
            Some(parent) => self.get(parent).await?.and_then(|p| p.gateway_tx_id),
            None => row.gateway_tx_id.clone(),
        };
        let result = gateway.status(&asked, gateway_id.as_deref()).await;
        let ended = self.now();
        let (answer, detail) = match &result {
            Ok(report) => (
                PollAnswer::Status {
                    status: fill_message(&report.status, row.amount),
                    gateway_tx_id: report.gateway_transaction_id.clone(),
                    details: report.details.clone(),
                    customer_url: self.rebuilt_link(row, report.gateway_transaction_id.as_deref()),
                },
                json!({"gatewayStatus": format!("{:?}", report.status)}),
            ),
            Err(e) => (
                PollAnswer::failed(e.failure(), e.french_message(row.amount)),
                json!({"error": e.to_string()}),
            ),
        };
        if let PollAnswer::NoAnswer { why } = &answer
            && *why == NoAnswer::Http(403)
        {
            tracing::error!(
                "la passerelle refuse l'accès (liste noire ?) : pause des demandes de statut"
            );
        }
        let failed = match (&result, &answer) {
            (Err(e), PollAnswer::NoAnswer { .. } | PollAnswer::Unreadable { .. }) => {
                Some(e.french_message(row.amount))
            }
            _ => None,
        };
        // The slot's end and the answer in one trip (each trip wakes a blocking thread
        // and this one: issue 14).
        let transition = self
            .step_after(&ext, Event::Poll(answer), detail, None, move |j| {
                j.finish_status_slot(slot, ended)
            })
            .await?;
        Ok(match failed {
            Some(message) => PollResult::Failed(message),
            None => PollResult::Answered(transition.after),
        })
    }

    /// The customer's link of a sale whose reply was lost, as soon as a status answer names
    /// its transaction: Intech's landing page is built from the id (the catalogue's
    /// [`customer`] table says for which services). `None` when the row has its link.
    fn rebuilt_link(&self, row: &TransactionRow, transaction_id: Option<&str>) -> Option<String> {
        let id = transaction_id.filter(|_| row.customer_url.is_none() && !row.status.is_final())?;
        let step = customer::find(&row.service)?;
        if step.how != customer::How::DeepLink || row.gateway != GatewayKind::Intech {
            return None;
        }
        // Orange Money gives a link only when it was asked for one.
        if let Some(flag) = step.flag
            && row.fields.get(flag) != Some(&serde_json::Value::Bool(true))
        {
            return None;
        }
        let intech = self.gateways.intech.as_ref()?;
        Some(customer::deep_link(intech.base_url(), id))
    }

    /// Asks now for one transaction (a cashier's "re-check"), within the budget.
    pub async fn refresh(&self, external_id: &str) -> Result<Option<TransactionRow>, EngineError> {
        let Some(row) = self.get(external_id).await? else {
            return Ok(None);
        };
        if !row.status.is_final() {
            self.poll_once(&row).await?;
        }
        Ok(self.get(external_id).await?)
    }

    /// The poll loop: claims what is due, polls it (a few at a time), sleeps until the next
    /// row falls due or something wakes it. Idle, it wakes every few seconds at most.
    pub async fn run_poller(self: Arc<Self>) {
        self.run_poller_for(None).await
    }

    /// The poll loop for one transaction only (`caisse pay` follows its own sale and
    /// leaves the rest to the app, `serve` or `reconcile`), or for all with `None`.
    pub async fn run_poller_for(self: Arc<Self>, only: Option<String>) {
        let permits = Arc::new(Semaphore::new(CONCURRENT_POLLS));
        loop {
            let now = self.now();
            let per_second = self.config.plan.per_second;
            let scope = only.clone();
            // What is due, and when the next row falls due, in one trip to the journal
            // (each trip is a wakeup of a blocking thread and of this one: issue 14).
            // The budget's slots are taken in the same trip: a row the budget holds back
            // is rescheduled there, before the next due time is read.
            let plan = self.config.plan.clone();
            let claimed = self
                .journal(move |j| {
                    let rows = j.claim_due(
                        now,
                        CONCURRENT_POLLS,
                        CLAIM_MS,
                        per_second,
                        scope.as_deref(),
                    )?;
                    let mut granted = Vec::with_capacity(rows.len());
                    for row in rows {
                        if let SlotDecision::Granted(slot) = take_slot(j, &row, now, &plan)? {
                            granted.push((row, slot));
                        }
                    }
                    Ok((granted, j.next_due(scope.as_deref())?))
                })
                .await;
            let (claimed, next_due) = match claimed {
                Ok(found) => found,
                Err(e) => {
                    // A journal busy or failing for a moment: tried again in a second.
                    tracing::error!("journal : {e}");
                    (Vec::new(), Some(now + 1_000))
                }
            };
            let busy = !claimed.is_empty();
            for (row, slot) in claimed {
                let engine = self.clone();
                let permit = permits
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("semaphore never closed");
                tokio::spawn(async move {
                    if let Err(e) = engine.poll_granted(&row, slot).await {
                        tracing::error!(external_id = %row.external_id, "poll : {e}");
                    }
                    drop(permit);
                });
            }
            // The rows just claimed are due again only when their claim runs out; a poll
            // that ends wakes this loop (`wake`) with the row's next time. Rows left due
            // (the per-second budget was full) are looked at again a moment later.
            // Nothing due: no timer at all. Whatever makes a poll due wakes this loop: a
            // step of this process (`Effect::PollAt`) or another process's write, seen by
            // the journal's watcher (`watcher.rs`).
            let soonest = if busy { 50 } else { 20 };
            let sleep = next_due.map(|due| (due - self.now()).clamp(soonest, DUE_CAP_MS));
            tokio::select! {
                // The kernel's timer: one wakeup for the wait, however long (`ticker`).
                _ = crate::ticker::sleep(Duration::from_millis(sleep.unwrap_or(0) as u64)),
                    if sleep.is_some() => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    /// Start-up recovery: leases of senders that died are broken (their pid is gone from
    /// this host), and each unsettled row goes through the machine's recovery: due now if
    /// nothing was scheduled (an intent whose sender died before the answer) or, with
    /// `everything` (reconcile), due now in any case. Rows whose send lease is still held
    /// by a live sender are left to it. Returns how many rows were made due.
    pub async fn resume(&self, everything: bool) -> Result<usize, JournalError> {
        let now = self.now();
        let leases = self.journal(move |j| j.live_leases(now)).await?;
        let mut held = std::collections::HashSet::new();
        for (ext, owner) in leases {
            if owner != self.owner && !owner_alive(&owner) {
                self.journal(move |j| j.break_lease(&ext, &owner, now))
                    .await?;
            } else {
                held.insert(ext);
            }
        }
        let mut due = 0;
        for row in self.journal(|j| j.unsettled()).await? {
            if held.contains(&row.external_id) {
                continue;
            }
            let t = self
                .step(
                    &row.external_id,
                    Event::Recovery { everything },
                    json!({}),
                    None,
                )
                .await?;
            due += usize::from(!t.effects.is_empty());
        }
        self.wake.notify_one();
        Ok(due)
    }

    /// Settles what it can of every unsettled row within `wait`: the poller runs until every
    /// row is final, or the time is up. Returns what was settled and what remains.
    pub async fn reconcile(
        self: &Arc<Self>,
        wait: Duration,
    ) -> Result<ReconcileSummary, EngineError> {
        let before = self.journal(|j| j.unsettled()).await?;
        self.resume(true).await?;
        let poller = tokio::spawn(self.clone().run_poller());
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = self.journal(|j| j.unsettled()).await?;
            if left.is_empty() || tokio::time::Instant::now() >= deadline {
                break;
            }
            // Rows the gateway says are waiting for the customer need not hold us here
            // once each has had an answer in this run.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        poller.abort();
        let mut summary = ReconcileSummary::default();
        for row in before {
            let Some(now) = self.get(&row.external_id).await? else {
                continue;
            };
            match now.status {
                s if s.is_final() => summary
                    .settled
                    .push((now.external_id, s.as_str().to_owned())),
                TxStatus::Pending | TxStatus::Processing => summary.pending.push(now.external_id),
                TxStatus::Review => summary
                    .review
                    .push((now.external_id, now.error_message.unwrap_or_default())),
                _ => summary.unknown.push(now.external_id),
            }
        }
        Ok(summary)
    }
}

/// Asks the budget (shared by every process on the host) for a status call on `row` (a
/// refund's is counted on the sale it refunds);
/// when it has none, the row is rescheduled for when it will.
fn take_slot(
    j: &mut Journal,
    row: &TransactionRow,
    now: i64,
    plan: &PollPlan,
) -> Result<SlotDecision, JournalError> {
    let window = plan.budget_window.as_millis() as i64;
    let decision = j.take_status_slot(
        row.status_id(),
        now,
        plan.per_transaction,
        window,
        plan.per_second,
    )?;
    if let SlotDecision::Wait(wait) = decision {
        j.reschedule(&row.external_id, now + wait)?;
    }
    Ok(decision)
}

/// Whether the process named in a lease owner (`PID-…`) still runs on this host.
fn owner_alive(owner: &str) -> bool {
    match owner
        .split('-')
        .next()
        .and_then(|pid| pid.parse::<u32>().ok())
    {
        // Without /proc (not Linux) nothing can be told: the lease expires on its own.
        Some(_) if !std::path::Path::new("/proc/self").exists() => true,
        Some(pid) => std::path::Path::new(&format!("/proc/{pid}")).exists(),
        // Unknown shape: assume alive; the lease expires on its own.
        None => true,
    }
}
