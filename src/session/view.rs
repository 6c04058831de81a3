//! What the socket shows of the journal: an operation, its history, a cashier, as the
//! counters need them. Never the storage rows themselves: the journal's columns (leases,
//! poll schedule, not-found counts, PIN hashes) can change without a terminal noticing, and
//! nothing of the service's machinery travels to a terminal.

use crate::catalog::errors;
use serde_json::Value;

use crate::domain::{GatewayKind, OpKind, Outcome, TxStatus};
use crate::i18n::Lang;

/// An account's pending bill, as Intech lists it (`list-pending-bills`): the gateway's
/// own type, shown as it is (it holds nothing of the service's machinery).
pub use crate::gateway::intech::models::PendingBill;
use crate::journal::{CashierRecord, Event, TransactionRow};
use crate::staff::Role;

/// A sale or a refund, as a counter shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Operation {
    pub external_id: String,
    /// A payment, or the refund of the payment `parent_id`.
    pub kind: OpKind,
    pub parent_id: Option<String>,
    pub gateway: GatewayKind,
    pub service: String,
    pub phone: Option<String>,
    pub amount: Option<i64>,
    /// The service's other fields (card number masked, CVC never).
    pub fields: Value,
    pub status: TxStatus,
    pub gateway_tx_id: Option<String>,
    /// The link the customer pays on (Wave, Orange Money).
    pub customer_url: Option<String>,
    pub notification: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub cashier: String,
    pub terminal: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub final_at: Option<i64>,
    pub updated_at: i64,
    /// What the gateway's reply carries for the cashier and the receipt, by its own names.
    pub details: Value,
    /// The receipt number, once final (gapless per shop).
    #[serde(default)]
    pub receipt_no: Option<i64>,
}

impl Operation {
    /// Whether it may be refunded now ([`crate::domain::refund::refundable`]).
    pub fn refundable(&self) -> bool {
        crate::domain::refund::refundable(
            self.kind,
            self.gateway,
            &self.service,
            self.status,
            self.gateway_tx_id.as_deref(),
        )
    }

    /// Why it failed or is in doubt, in `lang`. The engine's own sentences (no answer, a
    /// broken link…) are recorded in French with a code; the app words them from the code.
    /// A gateway's refusal keeps the gateway's words.
    pub fn error_text(&self, lang: Lang) -> Option<String> {
        let message = self.error_message.as_deref()?;
        // Unless they name another operator than the sale's (the vendor's table has an
        // "Orange Money" message that a Wave refusal may carry): then the code's own.
        let fitted;
        let message = match self.error_code.as_deref() {
            Some(code) if errors::names_another_operator(message, &self.service) => {
                fitted = errors::message_for(code, &self.service, self.amount);
                fitted.as_str()
            }
            _ => message,
        };
        if lang == Lang::Fr {
            return Some(message.to_owned());
        }
        let english = match self.error_code.as_deref() {
            Some("connect_failed") => {
                "The payment gateway could not be reached: check the Internet connection, then \
                 try again. Nothing was sent."
            }
            Some("timeout") => {
                "The gateway did not answer in time. If it was a payment, it may have gone \
                 through: check its status before trying again."
            }
            Some("connection_lost") => {
                "The link to the gateway broke during the request. If it was a payment, it may \
                 have gone through: check its status before trying again."
            }
            Some("http_error") | Some("server_exception") => {
                "The gateway is in error. If it was a payment, it may have gone through: check \
                 its status before trying again."
            }
            Some("unreadable_reply") => {
                "The gateway's answer could not be read: the operation may have gone through; \
                 its status will be checked."
            }
            Some("already_received") => {
                "The gateway already holds an operation under this id: it may have gone through. \
                 Do not do it again: its status will be checked."
            }
            _ => return Some(message.to_owned()),
        };
        Some(english.to_owned())
    }

    /// How its send ended, as far as the status tells.
    pub fn outcome(&self) -> Outcome {
        Outcome::of_status(
            self.status,
            self.error_code.as_deref(),
            self.error_message.as_deref(),
        )
    }
}

impl From<TransactionRow> for Operation {
    fn from(row: TransactionRow) -> Operation {
        Operation {
            external_id: row.external_id,
            kind: row.kind,
            parent_id: row.parent_id,
            gateway: row.gateway,
            service: row.service,
            phone: row.phone,
            amount: row.amount,
            fields: row.fields,
            status: row.status,
            gateway_tx_id: row.gateway_tx_id,
            customer_url: row.customer_url,
            notification: row.notification,
            error_code: row.error_code,
            error_message: row.error_message,
            cashier: row.cashier,
            terminal: row.terminal,
            created_at: row.created_at,
            sent_at: row.sent_at,
            final_at: row.final_at,
            updated_at: row.updated_at,
            details: row.details,
            receipt_no: row.receipt_no,
        }
    }
}

/// A sale or a refund just sent, and how its send ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sent {
    pub operation: Operation,
    pub outcome: Outcome,
}

impl From<crate::engine::PayOutcome> for Sent {
    fn from(sent: crate::engine::PayOutcome) -> Sent {
        Sent {
            operation: sent.row.into(),
            outcome: sent.outcome,
        }
    }
}

/// One line of an operation's history.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HistoryLine {
    pub at: i64,
    /// What happened (`sent`, `status`, `callback`…).
    pub kind: String,
    pub detail: Value,
    pub cashier: String,
    pub terminal: String,
}

impl From<Event> for HistoryLine {
    fn from(e: Event) -> HistoryLine {
        HistoryLine {
            at: e.at,
            kind: e.kind,
            detail: e.detail,
            cashier: e.cashier,
            terminal: e.terminal,
        }
    }
}

/// A cashier account, as the supervisor's list shows it (no PIN hash).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Account {
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: i64,
}

impl From<CashierRecord> for Account {
    fn from(c: CashierRecord) -> Account {
        Account {
            role: Role::parse(&c.role).unwrap_or(Role::Cashier),
            name: c.name,
            disabled: c.disabled,
            created_at: c.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(code: Option<&str>, message: &str) -> Operation {
        Operation {
            external_id: "x".into(),
            kind: OpKind::Payment,
            parent_id: None,
            gateway: GatewayKind::Intech,
            service: "WAVE_SN_API_CASH_IN".into(),
            phone: None,
            amount: Some(1000),
            fields: Value::Null,
            status: TxStatus::Unknown,
            gateway_tx_id: None,
            customer_url: None,
            notification: None,
            error_code: code.map(str::to_owned),
            error_message: Some(message.into()),
            cashier: "awa".into(),
            terminal: "local".into(),
            created_at: 0,
            sent_at: None,
            final_at: None,
            updated_at: 0,
            details: Value::Null,
            receipt_no: None,
        }
    }

    #[test]
    fn the_engines_own_sentences_read_in_english_and_the_gateways_keep_their_words() {
        let timeout = failed(
            Some("timeout"),
            "La passerelle n'a pas répondu à temps (60 s).",
        );
        assert_eq!(
            timeout.error_text(Lang::Fr).unwrap(),
            "La passerelle n'a pas répondu à temps (60 s)."
        );
        assert!(
            timeout
                .error_text(Lang::En)
                .unwrap()
                .starts_with("The gateway did not answer")
        );
        let refusal = failed(Some("insufficient_balance"), "Solde insuffisant (Wave).");
        assert_eq!(
            refusal.error_text(Lang::En).unwrap(),
            "Solde insuffisant (Wave)."
        );
        assert_eq!(failed(None, "x").error_text(Lang::En).unwrap(), "x");
    }

    #[test]
    fn a_wave_refusal_never_reads_as_an_orange_money_one() {
        let orange = "Le solde de votre compte Orange Money ne vous permet pas d'effectuer un \
                      paiement de 1 000 CFA";
        let wave = failed(Some("insufficient_balance"), orange);
        assert_eq!(
            wave.error_text(Lang::Fr).unwrap(),
            "Le solde de votre compte ne vous permet pas d'effectuer un paiement de 1 000 CFA"
        );
        let mut om = wave.clone();
        om.service = "ORANGE_SN_API_CASH_OUT".into();
        assert_eq!(om.error_text(Lang::Fr).unwrap(), orange);
    }
}

/// What became of a receipt's print.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Printed {
    NotAsked,
    Done {
        printer: String,
        duplicate: bool,
    },
    /// No `[printer]` in the configuration.
    NoPrinter,
    /// The printer's French message; the sale is untouched.
    Failed(String),
}

/// A receipt as text, and its print.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReceiptReply {
    pub text: String,
    pub printed: Printed,
}
