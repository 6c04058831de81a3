//! Typed requests and replies of Intech API V2, tolerant of every quirk the documentation
//! shows: ids as strings or numbers, `FAILLED`, `statut`, nested `pendingBills`, `data` as an
//! object or a string, unknown extra fields (kept in `extra`, never an error).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::domain::IntechStatus;
use crate::gateway::ErrorType;
use crate::gateway::lenient;

impl<'de> Deserialize<'de> for IntechStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        match &value {
            Value::String(s) => IntechStatus::parse(s).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "statut inconnu « {} »",
                    s.chars().take(30).collect::<String>()
                ))
            }),
            other => Err(serde::de::Error::custom(format!(
                "attendu un statut, trouvé {}",
                lenient::kind(other)
            ))),
        }
    }
}

impl Serialize for IntechStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_wire())
    }
}

/// `GET /api-services/services`, one entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    #[serde(default, deserialize_with = "lenient::string_or_default")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub icon: Option<String>,
    pub code_service: String,
    /// `DEBIT` or `CREDIT`, kept as sent.
    #[serde(default, deserialize_with = "lenient::string_or_default")]
    pub type_operation: String,
    #[serde(default, deserialize_with = "lenient::string_or_default")]
    pub type_service: String,
}

/// `GET /api-services/errors`, one entry (under `services` on the wire).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ErrorEntry {
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub id: Option<i64>,
    pub code: String,
    #[serde(default, deserialize_with = "lenient::string_or_default")]
    pub message: String,
}

/// The list replies (`services`, `errors`): `{success, services: [...]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct ListReply<T> {
    #[serde(default)]
    pub success: Option<bool>,
    pub services: Vec<T>,
}

/// `GET /api-services/balance` → `data`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Balance {
    #[serde(default = "xof")]
    pub currency: String,
    /// May carry decimals (`2332.0625`).
    pub balance: f64,
}

fn xof() -> String {
    "XOF".into()
}

/// One pending bill.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingBill {
    #[serde(deserialize_with = "lenient::amount")]
    pub amount: i64,
    #[serde(deserialize_with = "lenient::string_or_number")]
    pub bill_reference: String,
    #[serde(default)]
    pub infos: Vec<BillInfo>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct BillInfo {
    #[serde(default, deserialize_with = "lenient::string_or_default")]
    pub label: String,
    #[serde(default, deserialize_with = "lenient::string_or_default")]
    pub value: String,
}

/// `list-pending-bills` → `data`: the bills are nested in `pendingBills.pendingBills`
/// (or a bare list in the failure shape).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PendingBillsData {
    #[serde(default)]
    pub pending_bills: Option<PendingBillsField>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum PendingBillsField {
    Nested {
        #[serde(rename = "pendingBills", default)]
        pending_bills: Vec<PendingBill>,
    },
    List(Vec<PendingBill>),
}

impl PendingBillsData {
    pub fn into_bills(self) -> Vec<PendingBill> {
        match self.pending_bills {
            Some(PendingBillsField::Nested { pending_bills }) => pending_bills,
            Some(PendingBillsField::List(bills)) => bills,
            None => Vec::new(),
        }
    }
}

/// `POST /api-services/operation`. Service-specific fields (`sender`, `accountNumber`,
/// `billReference`, card fields…) go in `extra`, flattened into the body. `Debug` hides the
/// card's CVC and masks its number. (Deserialize is for reading the documented examples.)
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationRequest {
    pub phone: String,
    /// Absent for WhatsApp messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    pub code_service: String,
    pub external_transaction_id: String,
    pub callback_url: String,
    /// Custom data, echoed back (parsed) in the callback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// Fields that must never be printed whole (the rule lives with the fields, in the domain).
pub use crate::domain::fields::{CARD_CVC_FIELD, CARD_NUMBER_FIELD, mask_card_number};

impl fmt::Debug for OperationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let extra: BTreeMap<&str, String> = self
            .extra
            .iter()
            .map(|(k, v)| {
                let shown = match k.as_str() {
                    CARD_CVC_FIELD => "[REDACTED]".to_owned(),
                    CARD_NUMBER_FIELD => mask_card_number(v.as_str().unwrap_or_default()),
                    _ => v.to_string(),
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("OperationRequest")
            .field("phone", &self.phone)
            .field("amount", &self.amount)
            .field("code_service", &self.code_service)
            .field("external_transaction_id", &self.external_transaction_id)
            .field("callback_url", &self.callback_url)
            .field("data", &self.data)
            .field("extra", &extra)
            .finish()
    }
}

/// `operation` → `data` on success (`status: PENDING`), with the per-service extras.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationReply {
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub amount: Option<i64>,
    #[serde(default)]
    pub code_service: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub transaction_id: Option<String>,
    /// Absent would be odd; an accepted operation is PENDING.
    #[serde(default = "pending")]
    pub status: IntechStatus,
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub external_transaction_id: Option<String>,
    #[serde(default)]
    pub callback_url: Option<String>,
    /// The text to show the customer (Wave, OM, card).
    #[serde(default)]
    pub notification_message: Option<String>,
    /// Wave, and Orange Money with `useOMQrCode`: Intech's landing page to scan.
    #[serde(default)]
    pub deep_link_url: Option<String>,
    /// Bank card: the 3-D Secure page.
    #[serde(default)]
    pub auth_link_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub order_id: Option<String>,
    #[serde(default)]
    pub error_type: Option<ErrorType>,
    /// Every other field, as sent (never an error).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What an operation's reply carries that the cashier and the receipt need, kept as the
/// reply names it: the Woyofal code and its kWh, the currency and amounts (a sale in GMD,
/// GNF…), MoneyGram's reference number.
pub const KEPT_REPLY_FIELDS: &[&str] = &[
    "woyofalCode",
    "woyofalKwh",
    "currency",
    "amountXof",
    "amountInCurrency",
    "referenceNumber",
];

impl OperationReply {
    /// The reply's fields listed in [`KEPT_REPLY_FIELDS`], where present and not null.
    pub fn kept_details(&self) -> std::collections::BTreeMap<String, Value> {
        KEPT_REPLY_FIELDS
            .iter()
            .filter_map(|k| {
                self.extra
                    .get(*k)
                    .filter(|v| !v.is_null())
                    .map(|v| ((*k).to_owned(), v.clone()))
            })
            .collect()
    }
}

fn pending() -> IntechStatus {
    IntechStatus::Pending
}

/// Fields of a reply that hold URLs but are not for the customer.
const NOT_FOR_THE_CUSTOMER: &[&str] = &[
    "callbackUrl",
    "successRedirectUrl",
    "errorRedirectUrl",
    "bankAuthRedirectUrl",
];

impl OperationReply {
    /// What the customer must open or scan: `deepLinkUrl`, else `authLinkUrl`, else (the
    /// Orange Money QR shape is undocumented) any other URL field of the reply, except the
    /// temporary `_be_removed_*` ones, which Intech says never to depend on.
    pub fn customer_url(&self) -> Option<&str> {
        let documented = [&self.deep_link_url, &self.auth_link_url]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .find(|u| is_web_url(u));
        documented.or_else(|| {
            self.extra
                .iter()
                .filter(|(k, _)| {
                    !k.starts_with("_be_removed") && !NOT_FOR_THE_CUSTOMER.contains(&k.as_str())
                })
                .filter_map(|(_, v)| v.as_str())
                .find(|u| is_web_url(u))
        })
    }
}

impl OperationReply {
    /// A MoneyGram send's `referenceNumber`: in `data` (the reply's) as the server's
    /// manager returns it, flat or under its own `data` (both accepted: the envelope the
    /// server wraps it in is not in the source we have).
    pub fn reference_number(&self) -> Option<String> {
        let text = |v: &Value| match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        self.extra
            .get("referenceNumber")
            .and_then(text)
            .or_else(|| {
                self.extra
                    .get("data")
                    .and_then(|d| d.get("referenceNumber"))
                    .and_then(text)
            })
    }
}

fn is_web_url(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with("https://") || t.starts_with("http://")) && !t.contains(char::is_whitespace)
}

/// `get-transaction-status` → `data`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReply {
    /// A number in this reply, a string elsewhere: always a string here.
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub transaction_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(deserialize_with = "lenient::string_or_number")]
    pub external_transaction_id: String,
    pub status: IntechStatus,
    #[serde(default)]
    pub error_type: Option<ErrorType>,
}

/// `new-claim` → `data.claim`. The status comes as `statut`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    #[serde(
        rename = "statut",
        alias = "status",
        default,
        deserialize_with = "lenient::string_or_default"
    )]
    pub status: String,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub transaction_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub claim_ref: Option<String>,
    #[serde(default)]
    pub opened_at: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ClaimData {
    pub claim: Claim,
}

/// `transaction/refund-cancel`: no envelope. `statutTreatment` is `SUCCESS` or `FAILED`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundReply {
    #[serde(default, deserialize_with = "lenient::string_or_default")]
    pub message: String,
    #[serde(deserialize_with = "lenient::string_or_default")]
    pub statut_treatment: String,
}

/// `moneygram-reception-info` → `data`: the fields a cashier needs, and the whole reply.
#[derive(Debug, Clone, PartialEq)]
pub struct MoneygramReception {
    pub sender_name: String,
    pub receiver_name: String,
    /// The receiver's names apart: the payout's identity form starts from them.
    pub receiver_first_name: String,
    pub receiver_last_name: String,
    /// The transfer's reference as MoneyGram gives it back.
    pub reference_number: Option<String>,
    pub receive_amount: Option<i64>,
    /// `agentCheckAmount` (`"10000.000"` on the wire): the only amount a payout may carry.
    pub agent_check_amount: Option<i64>,
    pub receive_currency: Option<String>,
    /// `AVAIL`, `RECVD`…
    pub transaction_status: Option<String>,
    pub ok_for_pickup: Option<bool>,
    pub raw: Value,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReferenceNumberResponse {
    #[serde(default, deserialize_with = "lenient::string_or_default")]
    pub sender_first_name: String,
    #[serde(default, deserialize_with = "lenient::string_or_default")]
    pub sender_last_name: String,
    #[serde(default, deserialize_with = "lenient::string_or_default")]
    pub receiver_first_name: String,
    #[serde(default, deserialize_with = "lenient::string_or_default")]
    pub receiver_last_name: String,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub receive_amount: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub agent_check_amount: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub reference_number: Option<String>,
    #[serde(default)]
    pub receive_currency: Option<String>,
    #[serde(default)]
    pub transaction_status: Option<String>,
    #[serde(default)]
    pub ok_for_pickup: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReceptionData {
    pub reference_number_response: ReferenceNumberResponse,
}

/// `moneygram-send-info` → `data`: amounts and fees, and the whole reply.
#[derive(Debug, Clone, PartialEq)]
pub struct MoneygramSendInfo {
    pub send_amount: Option<i64>,
    pub total_send_fees: Option<i64>,
    pub total_amount_to_collect: Option<i64>,
    pub receive_amount: Option<i64>,
    pub raw: Value,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendData {
    pub send_validation_response: SendValidation,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendValidation {
    pub send_amounts: SendAmounts,
    #[serde(default)]
    pub receive_amounts: Option<ReceiveAmounts>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendAmounts {
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub send_amount: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub total_send_fees: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub total_amount_to_collect: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReceiveAmounts {
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub receive_amount: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_data_never_in_debug() {
        let mut extra = BTreeMap::new();
        extra.insert(CARD_CVC_FIELD.to_owned(), Value::from("920"));
        extra.insert(
            CARD_NUMBER_FIELD.to_owned(),
            Value::from("5997351234569130"),
        );
        let req = OperationRequest {
            phone: "221772450000".into(),
            amount: Some(1351),
            code_service: "BANK_CARD_API_CASH_OUT".into(),
            external_transaction_id: "x".into(),
            callback_url: "https://x".into(),
            data: None,
            extra,
        };
        let shown = format!("{req:?}");
        assert!(!shown.contains("920\""), "{shown}");
        assert!(shown.contains("599735******9130"), "{shown}");
        // …but the wire carries them.
        let body = serde_json::to_value(&req).unwrap();
        assert_eq!(body["cardCVC"], "920");
    }

    #[test]
    fn statuses_spelled_as_on_the_wire() {
        assert_eq!(IntechStatus::parse("FAILLED"), Some(IntechStatus::Failed));
        assert_eq!(IntechStatus::parse("failed"), Some(IntechStatus::Failed));
        assert_eq!(IntechStatus::Failed.as_wire(), "FAILLED");
        assert_eq!(IntechStatus::parse("MAYBE"), None);
        assert!(IntechStatus::Refunded.is_final());
        assert!(!IntechStatus::Processing.is_final());
    }

    #[test]
    fn customer_url_skips_temporary_and_redirect_fields() {
        let reply: OperationReply = serde_json::from_value(serde_json::json!({
            "transactionId": 1, "status": "PENDING",
            "callbackUrl": "https://shop/cb",
            "_be_removed_waveLaunchUrl": "https://pay.wave.com/x",
            "qrCodeUrl": "https://api.intech.sn/qr/1"
        }))
        .unwrap();
        assert_eq!(reply.customer_url(), Some("https://api.intech.sn/qr/1"));
        assert_eq!(reply.transaction_id.as_deref(), Some("1"));
    }
}
