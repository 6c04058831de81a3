//! Intram's request and replies. The seed shows only requests; the replies follow the fields
//! Intram's own SDKs read (`transaction_id`, `receipt_url`, `status`), and tolerate more.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

use crate::domain::IntramStatus;
use crate::gateway::lenient;

/// A payment to request. The keys are added by the client from its configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct IntramPaymentRequest {
    pub amount: i64,
    pub currency: String,
    pub description: String,
    pub custom_datas: Value,
    pub items: Vec<Value>,
    pub taxes: Vec<Value>,
    pub store_name: String,
    pub store_postal_address: String,
    pub store_logo_url: String,
    pub store_web_site_url: String,
    pub store_phone: String,
    pub store_template: String,
    pub cancel_url: String,
    pub return_url: String,
    pub callback_url: String,
}

impl Default for IntramPaymentRequest {
    fn default() -> Self {
        IntramPaymentRequest {
            amount: 0,
            currency: "XOF".into(),
            description: String::new(),
            custom_datas: json!({}),
            items: Vec::new(),
            taxes: Vec::new(),
            store_name: "caisse".into(),
            store_postal_address: String::new(),
            store_logo_url: String::new(),
            store_web_site_url: String::new(),
            store_phone: String::new(),
            store_template: "default".into(),
            cancel_url: String::new(),
            return_url: String::new(),
            callback_url: String::new(),
        }
    }
}

impl IntramPaymentRequest {
    /// The documented body (`invoice`, `store`, `actions`), keys included as the doc shows.
    pub(crate) fn body(&self, public: &str, private: &str, secret: &str) -> Value {
        json!({
            "invoice": {
                "keys": {"public": public, "private": private, "secret": secret},
                "currency": self.currency,
                "items": self.items,
                "taxes": self.taxes,
                "amount": self.amount,
                "description": self.description,
                "custom_datas": self.custom_datas,
            },
            "store": {
                "name": self.store_name,
                "postal_adress": self.store_postal_address,
                "logo_url": self.store_logo_url,
                "web_site_url": self.store_web_site_url,
                "phone": self.store_phone,
                "template": self.store_template,
            },
            "actions": {
                "cancel_url": self.cancel_url,
                "return_url": self.return_url,
                "callback_url": self.callback_url,
            }
        })
    }
}

impl<'de> Deserialize<'de> for IntramStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        value
            .as_str()
            .and_then(IntramStatus::parse)
            .ok_or_else(|| serde::de::Error::custom(format!("statut Intram inconnu ({value})")))
    }
}

/// `payments/request` reply.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct IntramPaymentReply {
    #[serde(deserialize_with = "lenient::string_or_number")]
    pub transaction_id: String,
    /// The payment page the customer opens (or scans).
    #[serde(default)]
    pub receipt_url: Option<String>,
    #[serde(default)]
    pub status: Option<IntramStatus>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `transactions/confirm/{id}` reply.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct IntramConfirm {
    pub status: IntramStatus,
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub transaction_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub total_amount: Option<i64>,
    #[serde(default)]
    pub customer: Option<Value>,
    #[serde(default)]
    pub receipt_url: Option<String>,
    #[serde(default)]
    pub custom_data: Option<Value>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
