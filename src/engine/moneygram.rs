//! MoneyGram's two operations, and a send's reversal. Each is checked by the domain's
//! rules ([`crate::domain::moneygram`]) against what MoneyGram says right now (the
//! transfer's `agentCheckAmount`, the send's quote, both asked again here: a look-up moves
//! no money), then goes the one way every sale goes ([`Engine::send_validated`]): intent
//! journaled first, sent once, UNKNOWN on a lost answer, settled by status queries and
//! callbacks. A reversal is a refund ([`Engine::refund`]'s path) with its reason.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::pay::Validated;
use super::{Actor, Engine, EngineError, PayOutcome};
use crate::domain::Refusal;
use crate::domain::fields;
use crate::domain::moneygram::{
    self as mg, AgentIds, PayoutLookup, Quote, ReversalInput, check_quote,
};
use crate::gateway::intech::models::{MoneygramReception, MoneygramSendInfo};
use crate::i18n::Lang;

/// A payout as the counter asks for it: the transfer's reference, the amount the cashier
/// hands over, the receiver's identity and ID document (the cashier's fields of
/// [`mg::PAYOUT_FIELDS`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PayoutOrder {
    pub reference: String,
    pub amount: i64,
    pub receiver: BTreeMap<String, String>,
}

/// A send as the counter asks for it, after the fees were quoted: the amount sent, the
/// sender and the receiver (the cashier's fields of [`mg::SENDER_FIELDS`] and
/// [`mg::RECEIVER_FIELDS`]), and the total the customer was asked to pay.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SendOrder {
    pub amount: i64,
    pub sender: BTreeMap<String, String>,
    pub receiver: BTreeMap<String, String>,
    /// The quote's `totalAmountToCollect` as the cashier confirmed it with the customer.
    pub total_to_collect: i64,
}

/// What a look-up says of the transfer `reference`, as a payout needs it.
pub fn payout_lookup(reference: &str, r: &MoneygramReception) -> PayoutLookup {
    PayoutLookup {
        reference: r
            .reference_number
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| reference.to_owned()),
        agent_check_amount: r.agent_check_amount,
        receive_currency: r.receive_currency.clone(),
        transaction_status: r.transaction_status.clone(),
        ok_for_pickup: r.ok_for_pickup,
        sender_name: r.sender_name.clone(),
        receiver_first_name: r.receiver_first_name.clone(),
        receiver_last_name: r.receiver_last_name.clone(),
    }
}

/// MoneyGram's quote, if whole.
pub fn quote_of(info: &MoneygramSendInfo) -> Option<Quote> {
    Quote::from_parts(
        info.send_amount,
        info.total_send_fees,
        info.total_amount_to_collect,
        info.receive_amount,
    )
}

impl Engine {
    /// Today, by the engine's clock (Senegal keeps UTC all year).
    fn today(&self) -> time::Date {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.now()) * 1_000_000)
            .map(|t| t.date())
            .unwrap_or(time::Date::MIN)
    }

    /// The transfer `reference` as MoneyGram describes it now (a look-up: no money moves).
    pub async fn moneygram_lookup(&self, reference: &str) -> Result<PayoutLookup, EngineError> {
        let reference = fields::moneygram_reference(Lang::Fr, reference)
            .map_err(|e| EngineError::Invalid(vec![e]))?;
        let found = self
            .intech()?
            .moneygram_reception_info(&reference)
            .await
            .map_err(|e| {
                EngineError::Refused(Refusal::MoneyGramLookupFailed {
                    gateway: e.french_message(None),
                })
            })?;
        Ok(payout_lookup(&reference, &found))
    }

    /// MoneyGram's fees for a send (a look-up: no money moves). The parties are checked
    /// first: the quote is asked only for a send that could go.
    pub async fn moneygram_quote(
        &self,
        amount: i64,
        sender: &BTreeMap<String, String>,
        receiver: &BTreeMap<String, String>,
        actor: &Actor,
    ) -> Result<Quote, EngineError> {
        // Ids for the quote only: the send gets its own.
        let ids = AgentIds::of(&uuid::Uuid::now_v7().to_string(), &actor.cashier);
        let parties = mg::validate_send(Lang::Fr, amount, sender, receiver, &ids, self.today())
            .map_err(EngineError::Invalid)?;
        self.quote(amount, &parties).await
    }

    async fn quote(&self, amount: i64, parties: &mg::Parties) -> Result<Quote, EngineError> {
        let info = self
            .intech()?
            .moneygram_send_info(amount, &parties.wire())
            .await
            .map_err(|e| {
                EngineError::Refused(Refusal::MoneyGramFeesFailed {
                    gateway: e.french_message(Some(amount)),
                })
            })?;
        quote_of(&info).ok_or_else(|| EngineError::Refused(Refusal::MoneyGramFeesIncomplete))
    }

    /// Pays a MoneyGram transfer out at the counter: the transfer looked up again, the
    /// amount exactly its `agentCheckAmount`, the receiver's identity and ID document as
    /// MoneyGram requires them; then journaled and sent once like any sale. Under
    /// `chosen_id` when the front-end chose one (a repeat answers with the recorded row).
    pub async fn moneygram_payout(
        &self,
        order: PayoutOrder,
        actor: &Actor,
        chosen_id: Option<String>,
    ) -> Result<PayOutcome, EngineError> {
        if let Some(done) = self.recorded_under(chosen_id.as_deref()).await? {
            return Ok(done);
        }
        let lookup = self.moneygram_lookup(&order.reference).await?;
        let id = chosen_id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let ids = AgentIds::of(&id, &actor.cashier);
        let payout = mg::validate_payout(
            Lang::Fr,
            &lookup,
            order.amount,
            &order.receiver,
            &ids,
            self.today(),
        )
        .map_err(EngineError::Invalid)?;
        let sale = Validated {
            gateway: crate::domain::GatewayKind::Intech,
            service: mg::PAYOUT.into(),
            phone: Some(payout.phone.clone()),
            amount: Some(payout.amount),
            fields: BTreeMap::from([("moneygramReceptionData".to_owned(), payout.wire())]),
            description: None,
            links: BTreeMap::new(),
        };
        self.send_validated(sale, actor, Some(id), super::Repeat::Allow)
            .await
    }

    /// Sends money through MoneyGram: sender and receiver as MoneyGram requires them, the
    /// fees quoted again and the total the customer was asked to pay still the quote's;
    /// then journaled and sent once like any sale. The quote goes with the operation as
    /// its custom `data` (journaled, echoed back by Intech); the reply's reference number
    /// is kept in the row (its fields and its notification) for the screen and the receipt.
    pub async fn moneygram_send(
        &self,
        order: SendOrder,
        actor: &Actor,
        chosen_id: Option<String>,
    ) -> Result<PayOutcome, EngineError> {
        if let Some(done) = self.recorded_under(chosen_id.as_deref()).await? {
            return Ok(done);
        }
        let id = chosen_id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let ids = AgentIds::of(&id, &actor.cashier);
        let parties = mg::validate_send(
            Lang::Fr,
            order.amount,
            &order.sender,
            &order.receiver,
            &ids,
            self.today(),
        )
        .map_err(EngineError::Invalid)?;
        let quote = self.quote(order.amount, &parties).await?;
        check_quote(Lang::Fr, order.amount, Some(&quote), order.total_to_collect)
            .map_err(|e| EngineError::Invalid(vec![e]))?;
        let sale = Validated {
            gateway: crate::domain::GatewayKind::Intech,
            service: mg::SEND.into(),
            phone: Some(parties.phone.clone()),
            amount: Some(order.amount),
            fields: BTreeMap::from([
                ("moneygramSendData".to_owned(), parties.wire()),
                (
                    "data".to_owned(),
                    json!({"moneygramQuote": {
                        "sendAmount": quote.send_amount,
                        "totalSendFees": quote.total_send_fees,
                        "totalAmountToCollect": quote.total_amount_to_collect,
                    }}),
                ),
            ]),
            description: None,
            links: BTreeMap::new(),
        };
        self.send_validated(sale, actor, Some(id), super::Repeat::Allow)
            .await
    }

    /// Reverses a successful MoneyGram send (Intech's `refund-cancel` with the reversal's
    /// fields): a refund like any other, journaled with its reason before it is sent.
    pub async fn moneygram_reversal(
        &self,
        external_id: &str,
        input: &ReversalInput,
        by: &Actor,
        chosen_id: Option<String>,
    ) -> Result<PayOutcome, EngineError> {
        let extra = mg::validate_reversal(Lang::Fr, input).map_err(EngineError::Invalid)?;
        self.refund_with(external_id, by, chosen_id, Some(extra))
            .await
    }
}

/// The fields a row of a MoneyGram send shows on its receipt: the reference, what was
/// sent, the fees and the total collected (from the journaled quote).
pub fn receipt_lines(service: &str, fields: &Value, lang: Lang) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(reference) = mg::send_reference(service, fields) {
        out.push((
            lang.tr("Référence MoneyGram", "MoneyGram reference")
                .to_owned(),
            reference,
        ));
    }
    let quote = &fields["data"]["moneygramQuote"];
    let money = |v: &Value| v.as_i64().map(crate::money::fcfa);
    if service == mg::SEND {
        if let Some(fees) = money(&quote["totalSendFees"]) {
            out.push((lang.tr("Frais", "Fees").to_owned(), fees));
        }
        if let Some(total) = money(&quote["totalAmountToCollect"]) {
            out.push((
                lang.tr("Total encaissé", "Total collected").to_owned(),
                total,
            ));
        }
    }
    out
}
