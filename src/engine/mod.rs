//! The transaction engine: validation, the intent written before the first byte is sent,
//! the send (once), status polling within Intech's limit, callbacks, recovery. The rules
//! are design.md §3; this is the part of caisse that must never be wrong.
//!
//! The rules are the domain's ([`crate::domain::lifecycle`]): the engine turns what the
//! gateways and the network say into the machine's events, lets the journal run the machine
//! on the row it reads, and carries out the effects that come back (send, notify, wake the
//! poller). Front-ends reach it through async methods and the [`EngineEvent`] broadcast
//! (the session protocol carries both over a socket).

mod account;
mod actions;
mod callbacks;
/// What the callback listener answers `GET …/sante` with (`caisse doctor` looks for it).
pub use callbacks::HEALTH_SERVICE;
pub mod failpoint;
mod journal_thread;
pub mod listener;
mod moneygram;
mod pay;
mod poller;
mod receipt_message;
pub mod watcher;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{Notify, broadcast};

pub use crate::domain::PollPlan;
use crate::domain::fields::FieldError;
use crate::domain::fields::{CARD_CVC_FIELD, CARD_NUMBER_FIELD, mask_card_number};
use crate::domain::lifecycle::{self, Effect, Event};
use crate::domain::{GatewayKind, Outcome, Refusal, TxStatus};
use crate::gateway::Gateway;
use crate::gateway::intech::IntechClient;
use crate::gateway::intram::IntramClient;
use crate::journal::{Journal, JournalError, TransactionRow, Transition};
use crate::secret::{Redactor, Secret};
pub use callbacks::serve_callbacks;
pub use moneygram::{PayoutOrder, SendOrder, payout_lookup, quote_of, receipt_lines};
pub use pay::Repeat;
pub use receipt_message::{NoMessage, ReceiptMessage, WHATSAPP};

/// Sent as `callbackUrl` when none is configured: the `.invalid` domain never resolves.
pub const NO_CALLBACK_URL: &str = "https://callback.invalid/caisse";

/// Milliseconds since the epoch; tests may supply their own.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(crate::gateway::intech::signing::now_ms)
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub plan: PollPlan,
    /// Sent to Intech as `callbackUrl`; Intram gets the same URL with `/intram` appended.
    pub callback_url: Option<String>,
    /// The gateway clients' timeout: a send lease lasts this long plus a margin.
    pub send_timeout: Duration,
    /// `sender` for Wave and Orange Money.
    pub shop_name: String,
    /// `[shop]`, as the receipts print it.
    pub shop: crate::domain::receipt::Shop,
    /// `[printer]`: the receipt printer, if any.
    pub printer: Option<crate::config::PrinterSettings>,
    /// Where Wave / card pages send the customer afterwards.
    pub redirect_url: String,
    /// Intech's HMAC secret, when signing is on: callbacks are then trusted as they come.
    pub hmac_secret: Option<Secret>,
    /// Who and where, for sales made without a session (the CLI, a counter with no
    /// cashier accounts): the Unix user and the terminal.
    pub cashier: String,
    pub terminal: String,
}

/// Who acts, as the journal records it: the cashier's name and their terminal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Actor {
    pub cashier: String,
    pub terminal: String,
}

impl Actor {
    pub fn pair(&self) -> (&str, &str) {
        (&self.cashier, &self.terminal)
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            plan: PollPlan::default(),
            callback_url: None,
            send_timeout: crate::gateway::DEFAULT_TIMEOUT,
            shop_name: "Caisse".into(),
            shop: Default::default(),
            printer: None,
            redirect_url: "https://intech.sn".into(),
            hmac_secret: None,
            // The caller names who sells without a session (the wiring: the Unix user).
            cashier: String::new(),
            terminal: "local".into(),
        }
    }
}

/// The gateways this engine may use.
#[derive(Clone, Default)]
pub struct Gateways {
    pub intech: Option<Arc<IntechClient>>,
    pub intram: Option<Arc<IntramClient>>,
}

impl Gateways {
    fn get(&self, kind: GatewayKind) -> Option<Arc<dyn Gateway>> {
        match kind {
            GatewayKind::Intech => self.intech.clone().map(|g| g as Arc<dyn Gateway>),
            GatewayKind::Intram => self.intram.clone().map(|g| g as Arc<dyn Gateway>),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("saisie refusée : {}", .0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" ; "))]
    Invalid(Vec<FieldError>),
    #[error("passerelle {0} non configurée")]
    NoGateway(GatewayKind),
    #[error("{0}")]
    Journal(#[from] JournalError),
    #[error("{0}")]
    Refused(Refusal),
    /// A gateway's answer to a look-up (balance, bills), in its words, secrets blanked.
    #[error("{0}")]
    Gateway(String),
    /// The request went out but its answer could not be written down: the sale may have
    /// gone through. It must not be redone; recovery settles it once the journal writes.
    #[error(
        "{0} — l'opération a peut-être été envoyée : ne la refaites pas, elle sera vérifiée \
         auprès de la passerelle dès que le journal pourra écrire (caisse reconcile)"
    )]
    AfterSend(JournalError),
}

impl EngineError {
    /// How the request ended, for the screen and the socket: only an error after the send
    /// leaves money possibly moved.
    pub fn outcome(&self) -> Outcome {
        let message = self.to_string();
        match self {
            EngineError::AfterSend(_) => Outcome::Unknown { message },
            EngineError::Invalid(_) => Outcome::Failed {
                code: Some("invalid".into()),
                message,
            },
            EngineError::Refused(_) | EngineError::Gateway(_) => Outcome::Failed {
                code: Some("refused".into()),
                message,
            },
            EngineError::NoGateway(_) | EngineError::Journal(_) => Outcome::NotSent { message },
        }
    }
}

/// A sale as the cashier asked for it. `Debug` masks the card number and hides the CVC
/// (an order passes through the app's effects and the session's requests).
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PayOrder {
    pub gateway: GatewayKind,
    pub service: String,
    pub phone: Option<String>,
    pub amount: Option<i64>,
    /// The service's other fields. A card's CVC passes here and nowhere else.
    pub fields: BTreeMap<String, String>,
    pub description: Option<String>,
}

impl std::fmt::Debug for PayOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields: BTreeMap<&str, String> = self
            .fields
            .iter()
            .map(|(k, v)| {
                let shown = match k.as_str() {
                    CARD_CVC_FIELD => "[REDACTED]".to_owned(),
                    CARD_NUMBER_FIELD => mask_card_number(v),
                    _ => v.clone(),
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("PayOrder")
            .field("gateway", &self.gateway)
            .field("service", &self.service)
            .field("phone", &self.phone)
            .field("amount", &self.amount)
            .field("fields", &fields)
            .field("description", &self.description)
            .finish()
    }
}

/// What a send gave (a sale, or a refund): the row as recorded, and how it ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PayOutcome {
    pub row: TransactionRow,
    pub outcome: Outcome,
}

impl PayOutcome {
    pub fn of(row: TransactionRow) -> PayOutcome {
        let outcome = row.outcome();
        PayOutcome { row, outcome }
    }
}

/// Something changed; front-ends re-read the row.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum EngineEvent {
    Changed {
        external_id: String,
        status: String,
    },
    /// Another process wrote to the journal.
    JournalChanged,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ReconcileSummary {
    /// Rows that became final during this run.
    pub settled: Vec<(String, String)>,
    /// Still waiting for the customer or the operator (PENDING / PROCESSING).
    pub pending: Vec<String>,
    /// Outcome still unknown (NEW / UNKNOWN).
    pub unknown: Vec<String>,
    /// Under review, with the reason: a person must look (a claim to Intech).
    pub review: Vec<(String, String)>,
}

/// Events a subscriber may fall behind by. One who falls further gets
/// [`EngineEvent::JournalChanged`] and reads the journal again, so this only needs to cover
/// a burst. Every slot is allocated and written up front: 1,024 of them were 74 KB of every
/// process that runs an engine (issue 14).
pub const EVENTS_BACKLOG: usize = 64;

/// A subscriber's next event: what it missed by falling more than [`EVENTS_BACKLOG`] behind
/// comes as one [`EngineEvent::JournalChanged`]. `None` once the engine is gone.
pub async fn next_event(events: &mut broadcast::Receiver<EngineEvent>) -> Option<EngineEvent> {
    match events.recv().await {
        Ok(event) => Some(event),
        Err(broadcast::error::RecvError::Lagged(_)) => Some(EngineEvent::JournalChanged),
        Err(broadcast::error::RecvError::Closed) => None,
    }
}

pub struct Engine {
    /// The journal, on its own thread: however many requests wait, one call at a time
    /// works on it, in the order asked (`journal_thread.rs`).
    journal: journal_thread::JournalThread,
    gateways: Gateways,
    config: EngineConfig,
    clock: Clock,
    /// This process's name on send leases.
    owner: String,
    events: broadcast::Sender<EngineEvent>,
    wake: Notify,
    /// Every configured secret, blanked out of what comes from outside.
    redactor: Redactor,
    /// The gateway balance read last, and when (see `account`).
    balance: account::BalanceCache,
}

/// What the journal keeps of the fields: the card number masked, the CVC dropped.
pub fn journal_fields(fields: &BTreeMap<String, Value>) -> Value {
    let mut out = serde_json::Map::new();
    for (k, v) in fields {
        match k.as_str() {
            CARD_CVC_FIELD => {}
            CARD_NUMBER_FIELD => {
                out.insert(
                    k.clone(),
                    Value::from(mask_card_number(v.as_str().unwrap_or_default())),
                );
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

impl Engine {
    pub fn new(
        journal: Journal,
        gateways: Gateways,
        config: EngineConfig,
        clock: Clock,
    ) -> Arc<Engine> {
        let (events, _) = broadcast::channel(EVENTS_BACKLOG);
        let mut secrets: Vec<&str> = Vec::new();
        if let Some(intech) = &gateways.intech {
            secrets.extend(intech.secrets());
        }
        if let Some(intram) = &gateways.intram {
            secrets.extend(intram.secrets());
        }
        if let Some(hmac) = &config.hmac_secret {
            secrets.push(hmac.expose());
        }
        let redactor = Redactor::new(secrets);
        Arc::new(Engine {
            redactor,
            journal: journal_thread::JournalThread::start(journal),
            gateways,
            config,
            clock,
            owner: format!("{}-{}", std::process::id(), uuid::Uuid::now_v7().simple()),
            events,
            wake: Notify::new(),
            balance: account::BalanceCache::default(),
        })
    }

    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// `text` with every configured secret blanked out.
    pub fn redact<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        self.redactor.text(text)
    }

    fn redact_value(&self, value: Value) -> Value {
        self.redactor.value(value)
    }

    /// The journal file this engine writes.
    pub async fn journal_path(&self) -> std::path::PathBuf {
        self.journal.path().to_path_buf()
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.events.subscribe()
    }

    /// Runs a journal call off the async workers (SQLite blocks), on the journal's thread.
    pub async fn journal<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Journal) -> Result<T, JournalError> + Send + 'static,
    ) -> Result<T, JournalError> {
        self.journal.call(f).await
    }

    fn notify(&self, external_id: &str, status: TxStatus) {
        if status.is_final() {
            // Money may have moved: the next balance asked is read from the gateway.
            self.balance.settled();
        }
        let _ = self.events.send(EngineEvent::Changed {
            external_id: external_id.to_owned(),
            status: status.as_str().to_owned(),
        });
    }

    pub async fn get(&self, external_id: &str) -> Result<Option<TransactionRow>, JournalError> {
        let id = external_id.to_owned();
        self.journal(move |j| j.get(&id)).await
    }

    /// A front-end's chosen id: refused unless a UUID; the recorded operation when one
    /// exists under it (a repeated request is answered, never sent again).
    pub(crate) async fn recorded_under(
        &self,
        chosen: Option<&str>,
    ) -> Result<Option<PayOutcome>, EngineError> {
        let Some(id) = chosen else {
            return Ok(None);
        };
        if uuid::Uuid::parse_str(id).is_err() {
            return Err(EngineError::Refused(Refusal::BadId { id: id.to_owned() }));
        }
        Ok(self.get(id).await?.map(PayOutcome::of))
    }

    /// The intent just journaled goes through the machine: `None` when it says send,
    /// otherwise the operation as it stands (another sender has it: report, never resend).
    async fn unless_sendable(
        &self,
        external_id: &str,
        by: Option<Actor>,
    ) -> Result<Option<PayOutcome>, EngineError> {
        self.notify(external_id, TxStatus::New);
        failpoint::hit!("after_intent");
        let recorded = self
            .step(external_id, Event::Recorded, serde_json::json!({}), by)
            .await?;
        if recorded.effects.contains(&Effect::Send) {
            return Ok(None);
        }
        let row = self.get(external_id).await?;
        row.map(|r| Some(PayOutcome::of(r)))
            .ok_or_else(|| JournalError::NotFound(external_id.to_owned()).into())
    }

    /// Runs one step of the lifecycle machine on a row, in the journal's write transaction
    /// (the decision is taken on the row as it is then), and carries out what is left:
    /// screens told of a change, the poller woken for a poll now due.
    pub(crate) async fn step(
        &self,
        external_id: &str,
        event: Event,
        detail: Value,
        by: Option<Actor>,
    ) -> Result<Transition, JournalError> {
        self.step_after(external_id, event, detail, by, |_| Ok(()))
            .await
    }

    /// [`Engine::step`], after `first` in the same trip to the journal (its own write, done
    /// before the step's).
    pub(crate) async fn step_after(
        &self,
        external_id: &str,
        event: Event,
        detail: Value,
        by: Option<Actor>,
        first: impl FnOnce(&mut Journal) -> Result<(), JournalError> + Send + 'static,
    ) -> Result<Transition, JournalError> {
        let plan = self.config.plan.clone();
        let now = self.now();
        let id = external_id.to_owned();
        let name = event.name();
        let transition = self
            .journal(move |j| {
                first(j)?;
                j.transition(
                    &id,
                    name,
                    &detail,
                    by.as_ref().map(Actor::pair),
                    now,
                    |op| lifecycle::step(op, &event, now, &plan),
                )
            })
            .await?;
        for effect in &transition.effects {
            match effect {
                Effect::Notify(status) => self.notify(external_id, *status),
                Effect::PollAt(_) => self.wake.notify_one(),
                // Sending is the caller's (it holds the request); the write is done.
                Effect::Send | Effect::Write(_) | Effect::MarkParentRefunded => {}
            }
        }
        if transition.effects.contains(&Effect::MarkParentRefunded)
            && transition.status_changed()
            && let Ok(Some(row)) = self.get(external_id).await
            && let Some(parent) = row.parent_id
        {
            self.notify(&parent, TxStatus::Refunded);
        }
        Ok(transition)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn a_subscriber_that_fell_behind_is_told_to_read_the_journal_again() {
        let (sender, mut events) = broadcast::channel(EVENTS_BACKLOG);
        let changed = |n: usize| EngineEvent::Changed {
            external_id: format!("sale-{n}"),
            status: "SUCCESS".into(),
        };
        for n in 0..EVENTS_BACKLOG + 3 {
            sender.send(changed(n)).unwrap();
        }
        // The three oldest were overwritten: one JournalChanged stands for them, then the
        // backlog follows in order, then the end once the sender is gone.
        assert_eq!(
            next_event(&mut events).await,
            Some(EngineEvent::JournalChanged)
        );
        for n in 3..EVENTS_BACKLOG + 3 {
            assert_eq!(next_event(&mut events).await, Some(changed(n)));
        }
        drop(sender);
        assert_eq!(next_event(&mut events).await, None);
    }

    #[test]
    fn an_order_prints_the_card_masked_and_no_cvc() {
        let mut fields = BTreeMap::new();
        fields.insert("cardCVC".to_owned(), "920".to_owned());
        fields.insert("cardNumber".to_owned(), "5997351234569130".to_owned());
        let order = PayOrder {
            gateway: GatewayKind::Intech,
            service: "BANK_CARD_API_CASH_OUT".into(),
            phone: None,
            amount: Some(1000),
            fields,
            description: None,
        };
        let shown = format!("{order:?}");
        assert!(shown.contains("599735******9130"), "{shown}");
        assert!(!shown.contains("5997351234569130") && !shown.contains("920"));
    }

    #[test]
    fn the_journal_never_gets_the_cvc_and_sees_the_card_masked() {
        let mut f = BTreeMap::new();
        f.insert("cardCVC".to_owned(), Value::from("920"));
        f.insert("cardNumber".to_owned(), Value::from("5997351234569130"));
        f.insert("sender".to_owned(), Value::from("Boutique"));
        let kept = journal_fields(&f);
        assert_eq!(
            kept,
            json!({"cardNumber": "599735******9130", "sender": "Boutique"})
        );
    }
}
