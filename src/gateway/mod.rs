//! The payment gateways behind one trait: Intech API V2 and Intram.
//!
//! The engine and the screens see only [`Gateway`]: start a payment, ask its status, and
//! know what the customer must scan or do. Each gateway's full API stays available on its
//! own client for what only it offers (bills, claims, refunds, MoneyGram on Intech).

mod error;
pub mod intech;
pub mod intram;
pub(crate) mod lenient;
pub(crate) mod wire;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

pub use error::{ErrorType, GatewayError};
pub use wire::RawReply;

use intech::IntechClient;
use intech::models::OperationRequest;
use intram::{IntramClient, IntramPaymentRequest};

pub use crate::domain::{GatewayKind, PaymentStatus};

/// Where the gateways answer when the configuration names no other address.
pub const DEFAULT_INTECH_URL: &str = "https://api.intech.sn";
pub const DEFAULT_INTRAM_URL: &str = "https://webservices.intram.org:4002/api/v1";
/// The vendor asks for at least 60 s on the client.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A payment to start, whichever gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRequest {
    /// Our id (uuid v7), Intech's `externalTransactionId`; never reused.
    pub external_id: String,
    /// Intech's `codeService`; `INTRAM` for Intram.
    pub service: String,
    pub phone: Option<String>,
    /// Whole FCFA; absent for a WhatsApp message.
    pub amount: Option<i64>,
    /// The service's other fields (`sender`, `accountNumber`, `billReference`…).
    pub fields: BTreeMap<String, Value>,
    /// Where the gateway posts the result.
    pub callback_url: Option<String>,
    /// For Intram's invoice.
    pub description: Option<String>,
}

/// What the customer must do to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerAction {
    /// Open or scan this link (Wave / OM deep link, 3-D Secure page, Intram payment page).
    OpenUrl { url: String },
    /// Follow the instructions sent to their phone (e.g. Orange Money's `#144#`).
    OnTheirPhone { message: Option<String> },
    /// Nothing: the shop's balance pays (deposit, bill, airtime…).
    Nothing,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PaymentStarted {
    pub gateway_transaction_id: Option<String>,
    pub status: PaymentStatus,
    pub customer_action: CustomerAction,
    /// The text the gateway wants shown to the customer.
    pub notification_message: Option<String>,
    /// The amount the gateway recorded (a WhatsApp message's fee).
    pub amount: Option<i64>,
    /// What the reply carries for the cashier and the receipt (a Woyofal code…).
    pub details: BTreeMap<String, Value>,
    /// A MoneyGram send's reference number (`data.referenceNumber`), for the receipt.
    pub reference_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusReport {
    pub status: PaymentStatus,
    pub gateway_transaction_id: Option<String>,
    /// What the answer carries for the receipt (Intram's fees, net amount, customer…).
    pub details: BTreeMap<String, Value>,
}

/// One interface for both gateways. Futures are boxed so that `dyn Gateway` works.
pub trait Gateway: Send + Sync {
    fn kind(&self) -> GatewayKind;

    /// Sends the payment once. An error for which [`GatewayError::outcome_unknown`] is true
    /// leaves the payment UNKNOWN: settle it with [`Gateway::status`], never by resending.
    fn initiate<'a>(
        &'a self,
        request: &'a PaymentRequest,
    ) -> BoxFuture<'a, Result<PaymentStarted, GatewayError>>;

    /// The payment's status. Intech looks it up by our id (budget: 3 calls a minute per
    /// transaction); Intram needs its own transaction id.
    fn status<'a>(
        &'a self,
        external_id: &'a str,
        gateway_transaction_id: Option<&'a str>,
    ) -> BoxFuture<'a, Result<StatusReport, GatewayError>>;
}

/// Intech's status and `errorType`, in our words.
fn payment_status(status: crate::domain::IntechStatus, error: Option<&ErrorType>) -> PaymentStatus {
    PaymentStatus::from_intech(
        status,
        error.map(|e| e.code.as_str()),
        error.map(|e| e.message.as_str()),
    )
}

impl Gateway for IntechClient {
    fn kind(&self) -> GatewayKind {
        GatewayKind::Intech
    }

    fn initiate<'a>(
        &'a self,
        request: &'a PaymentRequest,
    ) -> BoxFuture<'a, Result<PaymentStarted, GatewayError>> {
        Box::pin(async move {
            let mut extra = request.fields.clone();
            let data = extra.remove("data");
            let op = OperationRequest {
                phone: request.phone.clone().unwrap_or_default(),
                amount: request.amount,
                code_service: request.service.clone(),
                external_transaction_id: request.external_id.clone(),
                callback_url: request.callback_url.clone().unwrap_or_default(),
                data,
                extra,
            };
            let reply = self.operation(&op).await?;
            let customer_action = match reply.customer_url() {
                Some(url) => CustomerAction::OpenUrl {
                    url: url.to_owned(),
                },
                None if request.service.contains("CASH_OUT") => CustomerAction::OnTheirPhone {
                    message: reply.notification_message.clone(),
                },
                None => CustomerAction::Nothing,
            };
            let reference_number = reply.reference_number();
            let details = reply.kept_details();
            // The reference goes in the notification too: it is then written with the reply
            // itself, whatever happens after.
            let notification_message = match (&reference_number, reply.notification_message) {
                (Some(r), None) => Some(crate::domain::moneygram::reference_sentence(r)),
                (_, note) => note,
            };
            Ok(PaymentStarted {
                gateway_transaction_id: reply.transaction_id.clone(),
                status: payment_status(reply.status, reply.error_type.as_ref()),
                customer_action,
                amount: reply.amount,
                details,
                notification_message,
                reference_number,
            })
        })
    }

    fn status<'a>(
        &'a self,
        external_id: &'a str,
        _gateway_transaction_id: Option<&'a str>,
    ) -> BoxFuture<'a, Result<StatusReport, GatewayError>> {
        Box::pin(async move {
            let reply = self.transaction_status(external_id).await?;
            Ok(StatusReport {
                status: payment_status(reply.status, reply.error_type.as_ref()),
                gateway_transaction_id: reply.transaction_id,
                details: BTreeMap::new(),
            })
        })
    }
}

impl Gateway for IntramClient {
    fn kind(&self) -> GatewayKind {
        GatewayKind::Intram
    }

    fn initiate<'a>(
        &'a self,
        request: &'a PaymentRequest,
    ) -> BoxFuture<'a, Result<PaymentStarted, GatewayError>> {
        Box::pin(async move {
            let callback = request.callback_url.clone().unwrap_or_default();
            let field = |name: &str| {
                request
                    .fields
                    .get(name)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let mut custom = serde_json::Map::new();
            custom.insert(
                "external_id".into(),
                Value::from(request.external_id.clone()),
            );
            let intram_request = IntramPaymentRequest {
                amount: request.amount.unwrap_or_default(),
                description: request
                    .description
                    .clone()
                    .unwrap_or_else(|| format!("Vente {}", request.external_id)),
                custom_datas: Value::Object(custom),
                cancel_url: field("cancel_url").unwrap_or_else(|| callback.clone()),
                return_url: field("return_url").unwrap_or_else(|| callback.clone()),
                store_name: field("store_name").unwrap_or_else(|| "caisse".into()),
                callback_url: callback,
                ..IntramPaymentRequest::default()
            };
            let reply = self.payment_request(&intram_request).await?;
            let customer_action = match &reply.receipt_url {
                Some(url) => CustomerAction::OpenUrl { url: url.clone() },
                None => CustomerAction::OnTheirPhone {
                    message: reply.message.clone(),
                },
            };
            Ok(PaymentStarted {
                status: reply
                    .status
                    .map(|s| PaymentStatus::from_intram(s, reply.message.as_deref()))
                    .unwrap_or(PaymentStatus::Pending),
                gateway_transaction_id: Some(reply.transaction_id),
                customer_action,
                amount: None,
                details: BTreeMap::new(),
                notification_message: reply.message,
                reference_number: None,
            })
        })
    }

    fn status<'a>(
        &'a self,
        _external_id: &'a str,
        gateway_transaction_id: Option<&'a str>,
    ) -> BoxFuture<'a, Result<StatusReport, GatewayError>> {
        Box::pin(async move {
            let Some(id) = gateway_transaction_id else {
                return Err(GatewayError::Refused {
                    code: 404,
                    message: "paiement Intram sans identifiant de transaction".into(),
                    error_type: None,
                    fields: Default::default(),
                    transaction_id: None,
                    http_status: 0,
                });
            };
            let reply = self.confirm(id).await?;
            Ok(StatusReport {
                details: intram::decode::confirm_details(&reply),
                status: PaymentStatus::from_intram(reply.status, reply.message.as_deref()),
                gateway_transaction_id: Some(reply.transaction_id.unwrap_or_else(|| id.to_owned())),
            })
        })
    }
}
