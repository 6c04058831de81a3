//! The sandbox's memory: one [`State`] behind one mutex (never held across an await), the
//! transaction records of both gateways, the timer queue, the background task set.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::sync::{Notify, oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::SandboxConfig;
use super::limits::Limits;
use super::rules::Outcome;
use crate::catalog::errors::ErrorInfo;
use crate::catalog::services::ServiceInfo;

/// Everything the handlers and background tasks share (`Arc<Shared>` is the router state).
pub(crate) struct Shared {
    pub config: SandboxConfig,
    /// `http://127.0.0.1:PORT`, used in every link the sandbox hands out.
    pub base_url: String,
    pub state: Mutex<State>,
    pub limits: Mutex<Limits>,
    /// Wakes the timer task when an earlier deadline was queued.
    pub wake: Notify,
    pub tasks: Mutex<Tasks>,
    pub shutdown: watch::Receiver<bool>,
    /// Outgoing callbacks (10 s timeout, no proxy).
    pub http: crate::http::LazyClient,
    /// `GET /services` and `GET /errors` never change: serialised once.
    pub services_body: Bytes,
    pub errors_body: Bytes,
}

/// Callback deliveries in flight; closed (and aborted) at shutdown.
pub(crate) struct Tasks {
    pub set: JoinSet<()>,
    pub closed: bool,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn limits(&self) -> MutexGuard<'_, Limits> {
        self.limits.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn tasks(&self) -> MutexGuard<'_, Tasks> {
        self.tasks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs a background task that shutdown stops; does nothing once shut down.
    pub fn spawn<F>(&self, fut: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let mut tasks = self.tasks();
        if tasks.closed {
            return;
        }
        // Reap finished tasks so the set stays as small as the work in flight.
        while tasks.set.try_join_next().is_some() {}
        tasks.set.spawn(fut);
    }

    /// Aborts every background task (reset); later tasks still run.
    pub fn abort_tasks(&self) {
        self.tasks().set.abort_all();
    }

    /// Refuses new tasks and hands back the running ones, to be aborted and awaited.
    pub fn close_tasks(&self) -> JoinSet<()> {
        let mut tasks = self.tasks();
        tasks.closed = true;
        std::mem::take(&mut tasks.set)
    }

    /// Resolves when the sandbox is shutting down.
    pub async fn stopping(&self) {
        let mut rx = self.shutdown.clone();
        let _ = rx.wait_for(|stop| *stop).await;
    }
}

/// Intech statuses, spelled as on the wire (the sandbox never produces `CANCELED`: a
/// customer's refusal is FAILLED).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Pending,
    Processing,
    Success,
    Failled,
    Refunded,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "PENDING",
            Status::Processing => "PROCESSING",
            Status::Success => "SUCCESS",
            Status::Failled => "FAILLED",
            Status::Refunded => "REFUNDED",
        }
    }

    pub fn is_final(self) -> bool {
        !matches!(self, Status::Pending | Status::Processing)
    }

    /// For the HTML pages.
    pub fn french(self) -> &'static str {
        match self {
            Status::Pending => "En attente de validation",
            Status::Processing => "En cours de traitement",
            Status::Success => "Paiement réussi",
            Status::Failled => "Échec",
            Status::Refunded => "Remboursé",
        }
    }
}

/// Intram statuses (`confirm` answers these). ERROR and REFUNDED are the spec's guesses,
/// reached by the customer's phone (`…85`, `…86`: `rules::IntramOutcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntramStatus {
    Pending,
    Success,
    Canceled,
    Fail,
    Error,
    Refunded,
}

impl IntramStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IntramStatus::Pending => "PENDING",
            IntramStatus::Success => "SUCCESS",
            IntramStatus::Canceled => "CANCELED",
            IntramStatus::Fail => "FAIL",
            IntramStatus::Error => "ERROR",
            IntramStatus::Refunded => "REFUNDED",
        }
    }

    pub fn french(self) -> &'static str {
        match self {
            IntramStatus::Pending => "En attente de paiement",
            IntramStatus::Success => "Paiement réussi",
            IntramStatus::Canceled => "Paiement annulé",
            IntramStatus::Fail => "Paiement expiré",
            IntramStatus::Error => "Paiement en erreur",
            IntramStatus::Refunded => "Paiement remboursé",
        }
    }
}

/// Why a transaction failed: a catalogue entry, with its message or a more precise one
/// (a bill's amount mismatch quotes both amounts: hence not always `'static`).
#[derive(Debug, Clone)]
pub(crate) struct TxError {
    pub info: &'static ErrorInfo,
    pub message: Cow<'static, str>,
}

impl TxError {
    pub fn catalogue(info: &'static ErrorInfo) -> Self {
        TxError {
            info,
            message: Cow::Borrowed(info.message),
        }
    }

    pub fn with_message(info: &'static ErrorInfo, message: impl Into<Cow<'static, str>>) -> Self {
        TxError {
            info,
            message: message.into(),
        }
    }
}

/// One delivery attempt of a callback.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub at: OffsetDateTime,
    pub http_status: Option<u16>,
    pub error: Option<String>,
}

pub(crate) struct IntechTx {
    /// Creation order, for listings.
    pub seq: u64,
    pub tid: String,
    pub ext: String,
    pub service: &'static ServiceInfo,
    /// As the client sent it.
    pub phone: String,
    /// The amount moved, in XOF (the fee for WhatsApp).
    pub amount: i64,
    /// The currency the partner named (`XOF` unless `currency` was sent) and the amount
    /// in it, as the reply echoes them.
    pub currency: &'static str,
    pub amount_in_currency: i64,
    pub callback_url: String,
    /// Custom data, always an object.
    pub data: Value,
    /// A WhatsApp message's text.
    pub message: Option<String>,
    pub status: Status,
    pub error: Option<TxError>,
    pub outcome: Outcome,
    /// `service|account|reference` of the bill this operation pays.
    pub bill: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub status_calls: u32,
    pub callbacks: Vec<Attempt>,
    /// Outcome 98: the held reply waits for the first callback attempt.
    pub first_callback: Option<oneshot::Sender<()>>,
}

pub(crate) struct IntramTx {
    pub seq: u64,
    pub id: String,
    pub amount: i64,
    pub status: IntramStatus,
    /// The phone the customer paid with (given on the payment page or to
    /// `/sandbox/customer/{id}/approve?phone=`): its last two digits chose the outcome.
    pub phone: Option<String>,
    pub callback_url: Option<String>,
    pub custom_data: Value,
    pub description: String,
    pub store_name: String,
    pub customer: Option<Value>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub callbacks: Vec<Attempt>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerKind {
    /// PENDING → PROCESSING (operations that need no customer).
    Process,
    /// PROCESSING → final.
    Settle,
    /// Phones ending in 88: the customer approves by themself.
    AutoApprove,
    /// PENDING/PROCESSING → FAILLED `payment-timeout`.
    IntechTimeout,
    /// PENDING → FAIL.
    IntramTimeout,
    /// SUCCESS → REFUNDED (customer's phone ending in 86).
    IntramRefund,
}

#[derive(Debug, Clone)]
pub(crate) struct Timer {
    pub kind: TimerKind,
    pub id: String,
}

pub(crate) struct State {
    pub balance: f64,
    pub intech: HashMap<String, IntechTx>,
    /// externalTransactionId → transactionId.
    pub by_ext: HashMap<String, String>,
    /// How many operations were received per externalTransactionId (duplicates included).
    pub attempts: HashMap<String, u32>,
    /// `refund-cancel` requests received, by Intech transaction id (a refund is sent once).
    pub refund_attempts: HashMap<String, u32>,
    pub intram: HashMap<String, IntramTx>,
    /// Bills paid (`service|account|reference`): they leave the pending list.
    pub paid_bills: HashSet<String>,
    /// Bills with an operation in progress → its transactionId.
    pub bills_in_flight: HashMap<String, String>,
    /// Transactions with an OPENED claim (a second claim is ALREADY_OPENED_CLAIM).
    pub open_claims: HashSet<String>,
    /// The one-minute duplicate rule: when each (service, phone, amount) was last created.
    pub recent_operations: HashMap<DuplicateKey, Instant>,
    pub timers: BTreeMap<(Instant, u64), Timer>,
    seq: u64,
    intech_ids: u64,
    intram_ids: u64,
    claims: u64,
}

impl State {
    pub fn new(balance: f64) -> Self {
        State {
            balance,
            intech: HashMap::new(),
            by_ext: HashMap::new(),
            attempts: HashMap::new(),
            refund_attempts: HashMap::new(),
            intram: HashMap::new(),
            paid_bills: HashSet::new(),
            bills_in_flight: HashMap::new(),
            open_claims: HashSet::new(),
            recent_operations: HashMap::new(),
            timers: BTreeMap::new(),
            seq: 0,
            intech_ids: 0,
            intram_ids: 0,
            claims: 0,
        }
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Queues a timer; true when it is now the earliest (the timer task must be woken).
    pub fn schedule(&mut self, at: Instant, kind: TimerKind, id: &str) -> bool {
        let seq = self.next_seq();
        self.timers.insert(
            (at, seq),
            Timer {
                kind,
                id: id.to_owned(),
            },
        );
        self.timers.keys().next() == Some(&(at, seq))
    }

    /// The one-minute rule: true when the same operation was created less than `window`
    /// ago (it is then refused and nothing is remembered); otherwise this one is
    /// remembered as created at `at`. The window slides from each creation: the server's
    /// own rule is a database index whose exact minute boundaries we do not know.
    pub fn same_operation_within(
        &mut self,
        key: DuplicateKey,
        at: Instant,
        window: std::time::Duration,
    ) -> bool {
        if let Some(before) = self.recent_operations.get(&key)
            && at.saturating_duration_since(*before) < window
        {
            return true;
        }
        // Forget what can no longer match, so that the map stays as small as a window's
        // worth of operations.
        if self.recent_operations.len() > 10_000 {
            self.recent_operations
                .retain(|_, t| at.saturating_duration_since(*t) < window);
        }
        self.recent_operations.insert(key, at);
        false
    }

    /// A new Intech transactionId: 13 digits, unique, deterministic per sandbox run.
    pub fn new_intech_id(&mut self) -> String {
        self.intech_ids += 1;
        let n = self.intech_ids;
        permuted(n, 1_000_000_000_000, 9_000_000_000_000, 7_777_777_777_777).to_string()
    }

    /// A new Intram transaction id: 24 lowercase hex digits (an ObjectId-like string).
    pub fn new_intram_id(&mut self) -> String {
        self.intram_ids += 1;
        let n = self.intram_ids;
        let digest = Sha256::digest(format!("intram-sandbox:{n}").as_bytes());
        hex::encode(&digest[..12])
    }

    /// A new claim: (id, `C` + 14 digits).
    pub fn new_claim(&mut self) -> (u64, String) {
        self.claims += 1;
        let n = self.claims;
        let reference = permuted(n, 10_000_000_000_000, 90_000_000_000_000, 3_141_592_653_589);
        (n, format!("C{reference}"))
    }
}

/// What makes two operations "the same transaction" for the one-minute rule: the service,
/// the phone's national digits and the amount in XOF (one partner per sandbox).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct DuplicateKey {
    pub service: &'static str,
    pub phone: String,
    pub amount: i64,
}

/// The transactionId a JSON value names, as clients send it: a string or a number, with or
/// without the `T` prefix the vendor's examples show.
pub(crate) fn tid_key(id: &Value) -> Option<String> {
    match id {
        Value::String(s) => {
            let s = s.trim();
            Some(s.strip_prefix('T').unwrap_or(s).to_owned())
        }
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        _ => None,
    }
}

/// A bijection of `1..modulus` onto `offset..offset+modulus` that looks random
/// (`multiplier` is coprime with `modulus`).
fn permuted(n: u64, offset: u64, modulus: u64, multiplier: u64) -> u64 {
    let mixed = (n as u128 * multiplier as u128 + 424_242_424_243) % modulus as u128;
    offset + mixed as u64
}

#[cfg(test)]
mod tests;
