//! The transaction engine: validation, the intent written before the first byte is sent,
//! the send (once), status polling within Intech's limit, callbacks, recovery. The rules
//! are design.md §3; this is the part of caisse that must never be wrong.
//!
//! Interface: async methods on [`Engine`], and the same as messages ([`Command`] in,
//! [`Reply`] out, [`EngineEvent`] broadcast) so that a front-end can sit behind a socket.

mod actions;
mod callbacks;
pub mod failpoint;
pub mod listener;
mod poller;
pub mod schedule;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{Notify, broadcast};

use crate::catalog::rules::{self, FieldError};
use crate::gateway::intech::IntechClient;
use crate::gateway::intech::models::{CARD_CVC_FIELD, CARD_NUMBER_FIELD, mask_card_number};
use crate::gateway::intram::IntramClient;
use crate::gateway::{CustomerAction, Gateway, GatewayError, PaymentRequest};
use crate::journal::{Change, Journal, JournalError, NewTransaction, TransactionRow, TxStatus};
use crate::secret::Secret;
pub use callbacks::serve_callbacks;
pub use schedule::PollPlan;

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
            send_timeout: crate::config::DEFAULT_TIMEOUT,
            shop_name: "Caisse".into(),
            redirect_url: "https://intech.sn".into(),
            hmac_secret: None,
            cashier: std::env::var("USER").unwrap_or_default(),
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
    fn get(&self, kind: &str) -> Option<Arc<dyn Gateway>> {
        match kind {
            "intech" => self.intech.clone().map(|g| g as Arc<dyn Gateway>),
            "intram" => self.intram.clone().map(|g| g as Arc<dyn Gateway>),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("saisie refusée : {}", .0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" ; "))]
    Invalid(Vec<FieldError>),
    #[error("passerelle {0} non configurée")]
    NoGateway(String),
    #[error("{0}")]
    Journal(#[from] JournalError),
    #[error("{0}")]
    Refused(String),
    /// The request went out but its answer could not be written down: the sale may have
    /// gone through. It must not be redone; recovery settles it once the journal writes.
    #[error(
        "{0} — l'opération a peut-être été envoyée : ne la refaites pas, elle sera vérifiée \
         auprès de la passerelle dès que le journal pourra écrire (caisse reconcile)"
    )]
    AfterSend(JournalError),
}

/// A sale as the cashier asked for it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PayOrder {
    pub gateway: String,
    pub service: String,
    pub phone: Option<String>,
    pub amount: Option<i64>,
    /// The service's other fields. A card's CVC passes here and nowhere else.
    pub fields: BTreeMap<String, String>,
    pub description: Option<String>,
}

/// What the send gave: the row as recorded, and the French error if it did not go well.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PayOutcome {
    pub row: TransactionRow,
    pub error: Option<String>,
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

/// Messages in.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Command {
    Pay(PayOrder),
    /// Ask the gateway now (within the budget).
    Refresh {
        external_id: String,
    },
    Get {
        external_id: String,
    },
    Reconcile {
        wait_secs: u64,
    },
}

/// Messages out.
#[derive(Debug, Clone, serde::Serialize)]
pub enum Reply {
    Paid(PayOutcome),
    Row(Option<TransactionRow>),
    Reconciled(ReconcileSummary),
    Error(String),
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ReconcileSummary {
    /// Rows that became final during this run.
    pub settled: Vec<(String, String)>,
    /// Still waiting for the customer or the operator (PENDING / PROCESSING).
    pub pending: Vec<String>,
    /// Outcome still unknown (NEW / UNKNOWN).
    pub unknown: Vec<String>,
}

pub struct Engine {
    /// An async lock, taken before a blocking thread is: however many requests wait, one
    /// blocking thread at a time works on the journal (no pile of threads on a mutex).
    journal: Arc<tokio::sync::Mutex<Journal>>,
    gateways: Gateways,
    config: EngineConfig,
    clock: Clock,
    /// This process's name on send leases.
    owner: String,
    events: broadcast::Sender<EngineEvent>,
    wake: Notify,
}

/// Fields a sale needs that the cashier does not type.
fn default_fields(service: &str, config: &EngineConfig, fields: &mut BTreeMap<String, String>) {
    let mut set = |k: &str, v: &str| {
        fields.entry(k.to_owned()).or_insert_with(|| v.to_owned());
    };
    if service.starts_with("WAVE_SN_") || service == "ORANGE_SN_API_CASH_OUT" {
        set("sender", &config.shop_name);
    }
    if matches!(
        service,
        "WAVE_SN_API_CASH_OUT" | "ORANGE_SN_API_CASH_OUT" | "BANK_CARD_API_CASH_OUT"
    ) {
        set("successRedirectUrl", &config.redirect_url);
        set("errorRedirectUrl", &config.redirect_url);
    }
    if service == "BANK_CARD_API_CASH_OUT" {
        set("bankAuthRedirectUrl", &config.redirect_url);
        set("merchantName", &config.shop_name);
    }
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
        let (events, _) = broadcast::channel(1024);
        Arc::new(Engine {
            journal: Arc::new(tokio::sync::Mutex::new(journal)),
            gateways,
            config,
            clock,
            owner: format!("{}-{}", std::process::id(), uuid::Uuid::now_v7().simple()),
            events,
            wake: Notify::new(),
        })
    }

    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// The journal file this engine writes.
    pub async fn journal_path(&self) -> std::path::PathBuf {
        self.journal.lock().await.path().to_path_buf()
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.events.subscribe()
    }

    /// Runs a journal call off the async workers (SQLite blocks).
    pub async fn journal<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Journal) -> Result<T, JournalError> + Send + 'static,
    ) -> Result<T, JournalError> {
        let mut journal = self.journal.clone().lock_owned().await;
        tokio::task::spawn_blocking(move || f(&mut journal))
            .await
            .unwrap_or_else(|e| {
                Err(JournalError::Open {
                    path: Default::default(),
                    reason: e.to_string(),
                })
            })
    }

    fn notify(&self, external_id: &str, status: TxStatus) {
        let _ = self.events.send(EngineEvent::Changed {
            external_id: external_id.to_owned(),
            status: status.as_str().to_owned(),
        });
    }

    pub async fn get(&self, external_id: &str) -> Result<Option<TransactionRow>, JournalError> {
        let id = external_id.to_owned();
        self.journal(move |j| j.get(&id)).await
    }

    /// Validates, records the intent, sends once, records the answer. A send that may have
    /// gone through without a readable answer leaves the row UNKNOWN, to be settled by
    /// status queries; it is never resent.
    pub async fn pay(
        &self,
        order: PayOrder,
        balance: Option<f64>,
    ) -> Result<PayOutcome, EngineError> {
        let actor = self.default_actor();
        self.pay_as(order, balance, &actor).await
    }

    /// The actor of sales made without a session: the configured user and terminal.
    pub fn default_actor(&self) -> Actor {
        Actor {
            cashier: self.config.cashier.clone(),
            terminal: self.config.terminal.clone(),
        }
    }

    /// [`Engine::pay`] on behalf of a logged-in cashier at their terminal.
    pub async fn pay_as(
        &self,
        order: PayOrder,
        balance: Option<f64>,
        actor: &Actor,
    ) -> Result<PayOutcome, EngineError> {
        self.pay_with_id(order, balance, actor, None).await
    }

    /// [`Engine::pay_as`] under an id the front-end chose (a UUID), so that a front-end
    /// that lost the answer can find the sale again, and a repeated request is answered
    /// with the recorded sale instead of a second send.
    pub async fn pay_with_id(
        &self,
        order: PayOrder,
        balance: Option<f64>,
        actor: &Actor,
        chosen_id: Option<String>,
    ) -> Result<PayOutcome, EngineError> {
        if let Some(id) = &chosen_id {
            if uuid::Uuid::parse_str(id).is_err() {
                return Err(EngineError::Refused(format!(
                    "identifiant d'opération invalide « {id} »"
                )));
            }
            if let Some(row) = self.get(id).await? {
                return Ok(PayOutcome { row, error: None });
            }
        }
        let gateway = self
            .gateways
            .get(&order.gateway)
            .ok_or_else(|| EngineError::NoGateway(order.gateway.clone()))?;
        let (phone, amount, mut fields) = if order.gateway == "intram" {
            match order.amount {
                Some(a) if a > 0 && a <= rules::MAX_AMOUNT => {
                    (order.phone.clone(), Some(a), order.fields.clone())
                }
                _ => {
                    return Err(EngineError::Invalid(vec![FieldError {
                        field: "amount",
                        message: "montant invalide : un nombre entier de FCFA supérieur à zéro"
                            .into(),
                    }]));
                }
            }
        } else {
            let valid = rules::validate(
                &order.service,
                order.phone.as_deref(),
                order.amount,
                &order.fields,
                balance,
            )
            .map_err(EngineError::Invalid)?;
            (valid.phone, valid.amount, valid.fields)
        };
        default_fields(&order.service, &self.config, &mut fields);
        let wire_fields: BTreeMap<String, Value> = fields
            .into_iter()
            .map(|(k, v)| (k, Value::from(v)))
            .collect();

        let external_id = chosen_id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let now = self.now();
        let lease_until =
            now + (self.config.send_timeout + Duration::from_secs(30)).as_millis() as i64;
        let intent = NewTransaction {
            external_id: external_id.clone(),
            gateway: order.gateway.clone(),
            service: order.service.clone(),
            phone: phone.clone(),
            amount,
            fields: journal_fields(&wire_fields),
            cashier: actor.cashier.clone(),
            terminal: actor.terminal.clone(),
        };
        let owner = self.owner.clone();
        match self
            .journal(move |j| j.insert_intent(&intent, &owner, lease_until, now))
            .await
        {
            Ok(_) => {}
            // The same request twice at once: the first one sends, this one reports.
            Err(JournalError::Duplicate(id)) => {
                if let Some(row) = self.get(&id).await? {
                    return Ok(PayOutcome { row, error: None });
                }
                return Err(EngineError::Journal(JournalError::Duplicate(id)));
            }
            Err(e) => return Err(e.into()),
        }
        self.notify(&external_id, TxStatus::New);
        failpoint::hit("after_intent");

        // Intech requires a callback URL. Without one configured, polling alone settles the
        // sale, and the gateway gets an address that can never resolve (`.invalid`).
        let base = self
            .config
            .callback_url
            .clone()
            .unwrap_or_else(|| NO_CALLBACK_URL.to_owned());
        let callback_url = Some(match order.gateway.as_str() {
            "intram" => format!("{}/intram", base.trim_end_matches('/')),
            _ => base,
        });
        let request = PaymentRequest {
            external_id: external_id.clone(),
            service: order.service.clone(),
            phone,
            amount,
            fields: wire_fields,
            callback_url,
            description: order.description.clone(),
        };
        let sent_at = self.now();
        let result = gateway.initiate(&request).await;
        drop(request); // the CVC leaves memory with the request
        failpoint::hit("after_send");
        let answered_at = self.now();

        let plan = &self.config.plan;
        let (change, detail, error) = match &result {
            Ok(started) => {
                let status = schedule::journal_status(&started.status);
                let url = match &started.customer_action {
                    CustomerAction::OpenUrl { url } => Some(url.clone()),
                    _ => None,
                };
                let change = Change {
                    status: Some(status),
                    gateway_tx_id: started.gateway_transaction_id.clone(),
                    customer_url: url,
                    notification: started.notification_message.clone(),
                    sent_at: Some(sent_at),
                    answered_at: Some(answered_at),
                    next_poll_at: Some(Some(plan.first_after_send(sent_at))),
                    release_lease: true,
                    ..Change::default()
                };
                (
                    change,
                    json!({"outcome": "accepted", "gatewayStatus": format!("{:?}", started.status)}),
                    None,
                )
            }
            Err(e) => {
                let status = schedule::status_after_send_error(e);
                let transaction_id = match e {
                    GatewayError::Refused { transaction_id, .. } => transaction_id.clone(),
                    _ => None,
                };
                let message = e.french_message(amount);
                let change = Change {
                    status: Some(status),
                    gateway_tx_id: transaction_id,
                    error_code: e
                        .error_code()
                        .map(str::to_owned)
                        .or_else(|| Some(error_kind(e).to_owned())),
                    error_message: Some(message.clone()),
                    sent_at: Some(sent_at),
                    answered_at: matches!(e, GatewayError::Refused { .. }).then_some(answered_at),
                    next_poll_at: Some(
                        (status == TxStatus::Unknown).then(|| plan.first_after_send(sent_at)),
                    ),
                    release_lease: true,
                    ..Change::default()
                };
                (
                    change,
                    json!({"outcome": error_kind(e), "error": e.to_string()}),
                    Some(message),
                )
            }
        };
        let id = external_id.clone();
        let applied = self
            .journal(move |j| j.apply(&id, &change, "reply", &detail, answered_at))
            .await
            .map_err(EngineError::AfterSend)?;
        self.notify(&external_id, applied.after);
        self.wake.notify_one();
        failpoint::hit("after_reply");
        let row = self
            .get(&external_id)
            .await?
            .ok_or_else(|| JournalError::NotFound(external_id.clone()))?;
        Ok(PayOutcome { row, error })
    }

    /// One message in, one message out.
    pub async fn handle(self: &Arc<Self>, command: Command) -> Reply {
        match command {
            Command::Pay(order) => match self.pay(order, None).await {
                Ok(outcome) => Reply::Paid(outcome),
                Err(e) => Reply::Error(e.to_string()),
            },
            Command::Refresh { external_id } => match self.refresh(&external_id).await {
                Ok(row) => Reply::Row(row),
                Err(e) => Reply::Error(e.to_string()),
            },
            Command::Get { external_id } => match self.get(&external_id).await {
                Ok(row) => Reply::Row(row),
                Err(e) => Reply::Error(e.to_string()),
            },
            Command::Reconcile { wait_secs } => {
                match self.reconcile(Duration::from_secs(wait_secs)).await {
                    Ok(summary) => Reply::Reconciled(summary),
                    Err(e) => Reply::Error(e.to_string()),
                }
            }
        }
    }
}

/// A short name for an error kind, for the journal.
fn error_kind(e: &GatewayError) -> &'static str {
    match e {
        GatewayError::Refused { .. } => "refused",
        GatewayError::Timeout { .. } => "timeout",
        GatewayError::Transport { connect: true, .. } => "connect_failed",
        GatewayError::Transport { .. } => "connection_lost",
        GatewayError::Http { .. } => "http_error",
        GatewayError::Decode { .. } => "unreadable_reply",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
