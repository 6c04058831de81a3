//! What the socket shows of the journal: an operation, its history, a cashier, as the
//! counters need them. Never the storage rows themselves: the journal's columns (leases,
//! poll schedule, not-found counts, PIN hashes) can change without a terminal noticing, and
//! nothing of the service's machinery travels to a terminal.

use serde_json::Value;

use crate::domain::{GatewayKind, OpKind, Outcome, TxStatus};
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
