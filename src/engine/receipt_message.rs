//! A receipt sent by WhatsApp, at the cashier's choice, through Intech's own WhatsApp
//! service: first what it costs (asked before anything is sent), then the message as an
//! operation of its own (its own id, journaled before it is sent, sent once, followed like
//! any sale) whose journal fields name the sale it is the receipt of
//! ([`RECEIPT_OF`]). The shop pays it (`domain::drawer`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::pay::{Repeat, Validated};
use super::{Actor, Engine, EngineError, PayOutcome};
use crate::domain::receipt::RECEIPT_OF;
use crate::domain::{GatewayKind, fields};
use crate::i18n::Lang;
use crate::journal::receipts::{NoReceipt, prepare};

/// Intech's WhatsApp service.
pub const WHATSAPP: &str = "WHATSAPP_MESSAGING";

/// What the cashier is asked before a receipt goes by WhatsApp.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReceiptMessage {
    /// The sale whose receipt it is.
    pub sale: String,
    /// Where it goes, as the service takes it (`+221…`).
    pub phone: String,
    /// What the shop pays for it, in FCFA: the fee the server charged for the latest
    /// message, else the shop's `[shop] whatsapp_fee`; `None` when neither is known.
    pub cost: Option<i64>,
    /// The message as it will be sent.
    pub text: String,
}

impl ReceiptMessage {
    /// `25 FCFA`, or what is known when the fee is not.
    pub fn cost_text(&self, lang: Lang) -> String {
        match self.cost {
            Some(fee) => crate::money::fcfa(fee),
            None => lang
                .tr(
                    "inconnu (fixé par Intech à l'envoi)",
                    "unknown (set by Intech when sent)",
                )
                .to_owned(),
        }
    }
}

/// Why no receipt can go by WhatsApp.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NoMessage {
    /// Unknown, or not final yet.
    NoReceipt(NoReceipt),
    /// The sale has no customer phone and none was given.
    NoPhone,
    /// The phone cannot receive it (WhatsApp takes Senegal's numbers): why.
    BadPhone(String),
    /// The operation is itself a message: its receipt is the sale's.
    OfAMessage,
}

impl NoMessage {
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (NoMessage::NoReceipt(none), _) => none.to_string(),
            (NoMessage::NoPhone, Lang::Fr) => {
                "cette vente n'a pas de numéro de client : donnez celui qui reçoit le reçu \
                 (--phone)"
                    .into()
            }
            (NoMessage::NoPhone, Lang::En) => {
                "this sale has no customer number: give the one that gets the receipt \
                 (--phone)"
                    .into()
            }
            (NoMessage::BadPhone(why), Lang::Fr) => {
                format!("numéro WhatsApp refusé : {why} ; rien n'a été envoyé")
            }
            (NoMessage::BadPhone(why), Lang::En) => {
                format!("WhatsApp number refused: {why}; nothing was sent")
            }
            (NoMessage::OfAMessage, Lang::Fr) => {
                "c'est déjà un message WhatsApp : envoyez le reçu de la vente elle-même".into()
            }
            (NoMessage::OfAMessage, Lang::En) => {
                "this is a WhatsApp message already: send the sale's own receipt".into()
            }
        }
    }
}

impl std::fmt::Display for NoMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::Fr))
    }
}

impl Engine {
    /// The message a receipt of `sale` would be, to `phone` (else the sale's customer),
    /// and its cost. Reads only.
    pub async fn receipt_message(
        &self,
        sale: &str,
        phone: Option<&str>,
    ) -> Result<Result<ReceiptMessage, NoMessage>, EngineError> {
        let shop = self.config.shop.clone();
        let id = sale.to_owned();
        let (receipt, row, fee) = self
            .journal(move |j| {
                let receipt = prepare(j, &id, &shop)?;
                let row = j.get(&id)?;
                Ok((receipt, row, j.whatsapp_fee()?))
            })
            .await?;
        let receipt = match receipt {
            Ok(r) => r,
            Err(none) => return Ok(Err(NoMessage::NoReceipt(none))),
        };
        let Some(row) = row else {
            return Ok(Err(NoMessage::NoReceipt(NoReceipt::NotFound(
                sale.to_owned(),
            ))));
        };
        if row.service == WHATSAPP && row.fields.get(RECEIPT_OF).is_some() {
            return Ok(Err(NoMessage::OfAMessage));
        }
        let Some(to) = phone
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .or(row.phone.as_deref())
        else {
            return Ok(Err(NoMessage::NoPhone));
        };
        let phone =
            match fields::normalize_phone(WHATSAPP, crate::catalog::services::Country::Senegal, to)
            {
                Ok(p) => p,
                Err(why) => return Ok(Err(NoMessage::BadPhone(why))),
            };
        Ok(Ok(ReceiptMessage {
            sale: sale.to_owned(),
            phone,
            cost: fee.or(self.config.shop.whatsapp_fee),
            text: receipt.to_message(),
        }))
    }

    /// Sends the receipt of `sale` by WhatsApp, as an operation of its own linked to the
    /// sale, under `chosen_id` when the front-end chose one (a repeat is answered with the
    /// recorded message, never sent again). The cashier was shown the cost first.
    pub async fn send_receipt_message(
        &self,
        sale: &str,
        phone: Option<&str>,
        actor: &Actor,
        chosen_id: Option<String>,
    ) -> Result<Result<PayOutcome, NoMessage>, EngineError> {
        if let Some(done) = self.recorded_under(chosen_id.as_deref()).await? {
            return Ok(Ok(done));
        }
        let message = match self.receipt_message(sale, phone).await? {
            Ok(m) => m,
            Err(none) => return Ok(Err(none)),
        };
        // The service's own rules, as for any sale (the text's length among them).
        let wire = BTreeMap::from([("message".to_owned(), message.text.clone())]);
        let valid = fields::validate(WHATSAPP, Some(&message.phone), None, &wire, None)
            .map_err(EngineError::Invalid)?;
        let order = Validated {
            gateway: GatewayKind::Intech,
            service: WHATSAPP.to_owned(),
            phone: valid.phone,
            amount: None,
            fields: valid
                .fields
                .into_iter()
                .map(|(k, v)| (k, Value::from(v)))
                .collect(),
            description: None,
            links: BTreeMap::from([(RECEIPT_OF.to_owned(), Value::from(sale))]),
        };
        // The cashier chose this message for this sale: not a repeat to refuse.
        self.send_validated(order, actor, chosen_id, Repeat::Allow)
            .await
            .map(Ok)
    }
}
