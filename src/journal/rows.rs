//! The rows of the `transactions` table as Rust values, and the machine's view of one.

use serde_json::Value;

use crate::domain::lifecycle::Op;
use crate::domain::{GatewayKind, OpKind, Outcome, TxStatus};

/// A transaction as the journal holds it: a payment, or the refund of one.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TransactionRow {
    pub external_id: String,
    /// A payment, or the refund of the payment `parent_id`.
    #[serde(default = "payment")]
    pub kind: OpKind,
    #[serde(default)]
    pub parent_id: Option<String>,
    pub gateway: GatewayKind,
    pub service: String,
    pub phone: Option<String>,
    pub amount: Option<i64>,
    /// The service's other fields (card number masked, CVC never).
    pub fields: Value,
    #[serde(serialize_with = "status_str", deserialize_with = "status_from_str")]
    pub status: TxStatus,
    pub gateway_tx_id: Option<String>,
    pub customer_url: Option<String>,
    pub notification: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub cashier: String,
    pub terminal: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub final_at: Option<i64>,
    pub updated_at: i64,
    #[serde(skip)]
    pub lease_owner: Option<String>,
    #[serde(skip)]
    pub lease_until: Option<i64>,
    pub next_poll_at: Option<i64>,
    pub not_found_count: i64,
    pub first_not_found_at: Option<i64>,
    /// A callback said SUCCESS; one status query must confirm it before the sale shows paid.
    pub confirm_success: bool,
    /// Since when status answers have been unreadable (REVIEW comes from there).
    #[serde(default)]
    pub unreadable_since: Option<i64>,
    /// What the gateway's reply carries for the cashier and the receipt (`woyofalCode`,
    /// `woyofalKwh`, `currency`, `amountXof`…), by the reply's own names.
    #[serde(default)]
    pub details: Value,
    /// The receipt number, given when the operation became final (gapless per journal).
    #[serde(default)]
    pub receipt_no: Option<i64>,
}

fn payment() -> OpKind {
    OpKind::Payment
}

fn status_str<S: serde::Serializer>(s: &TxStatus, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.as_str())
}

fn status_from_str<'de, D: serde::Deserializer<'de>>(d: D) -> Result<TxStatus, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(d)?;
    TxStatus::parse(&text)
        .ok_or_else(|| serde::de::Error::custom(format!("statut inconnu « {text} »")))
}

impl TransactionRow {
    /// What the lifecycle machine needs of this row.
    pub fn op(&self) -> Op {
        Op {
            kind: self.kind,
            status: self.status,
            created_at: self.created_at,
            sent_at: self.sent_at,
            acknowledged: self.answered_at.is_some()
                || self.gateway_tx_id.is_some()
                || matches!(self.status, TxStatus::Pending | TxStatus::Processing),
            next_poll_at: self.next_poll_at,
            not_found: self.not_found_count,
            first_not_found_at: self.first_not_found_at,
            unreadable_since: self.unreadable_since,
            confirm_pending: self.confirm_success,
        }
    }

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

    /// How its send ended, as far as the row tells: for the screens and the socket.
    pub fn outcome(&self) -> Outcome {
        Outcome::of_status(
            self.status,
            self.error_code.as_deref(),
            self.error_message.as_deref(),
        )
    }

    /// The id to ask the gateway about: a refund is settled by its payment's status.
    pub fn status_id(&self) -> &str {
        self.parent_id.as_deref().unwrap_or(&self.external_id)
    }
}

pub(super) const COLUMNS: &str = "external_id, gateway, service, phone, amount, fields, status, \
     gateway_tx_id, customer_url, notification, error_code, error_message, cashier, terminal, \
     created_at, sent_at, answered_at, final_at, updated_at, lease_owner, lease_until, \
     next_poll_at, not_found_count, first_not_found_at, confirm_success, kind, parent_id, \
     unreadable_since, details, receipt_no";

pub(super) fn row_to_tx(r: &rusqlite::Row<'_>) -> rusqlite::Result<TransactionRow> {
    let fields: String = r.get(5)?;
    let status: String = r.get(6)?;
    let kind: String = r.get(25)?;
    Ok(TransactionRow {
        external_id: r.get(0)?,
        kind: OpKind::parse(&kind).unwrap_or(OpKind::Payment),
        parent_id: r.get(26)?,
        gateway: GatewayKind::parse(&r.get::<_, String>(1)?).unwrap_or_default(),
        service: r.get(2)?,
        phone: r.get(3)?,
        amount: r.get(4)?,
        fields: serde_json::from_str(&fields).unwrap_or(Value::Null),
        // A status this build does not know (a newer caisse wrote it) is not guessed as
        // final: it stays to be checked.
        status: TxStatus::parse(&status).unwrap_or(TxStatus::Review),
        gateway_tx_id: r.get(7)?,
        customer_url: r.get(8)?,
        notification: r.get(9)?,
        error_code: r.get(10)?,
        error_message: r.get(11)?,
        cashier: r.get(12)?,
        terminal: r.get(13)?,
        created_at: r.get(14)?,
        sent_at: r.get(15)?,
        answered_at: r.get(16)?,
        final_at: r.get(17)?,
        updated_at: r.get(18)?,
        lease_owner: r.get(19)?,
        lease_until: r.get(20)?,
        next_poll_at: r.get(21)?,
        not_found_count: r.get(22)?,
        first_not_found_at: r.get(23)?,
        confirm_success: r.get::<_, i64>(24)? != 0,
        unreadable_since: r.get(27)?,
        details: serde_json::from_str(&r.get::<_, String>(28)?).unwrap_or(Value::Null),
        receipt_no: r.get(29)?,
    })
}

/// A new payment, as the cashier entered it and local validation accepted it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTransaction {
    pub external_id: String,
    pub gateway: GatewayKind,
    pub service: String,
    pub phone: Option<String>,
    pub amount: Option<i64>,
    /// Already masked: the journal stores what it is given.
    pub fields: Value,
    pub cashier: String,
    pub terminal: String,
}
