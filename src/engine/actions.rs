//! What a supervisor (or cashier) does to a recorded sale: refund it, open a claim.
//!
//! A refund is an operation like a payment: its intent is journaled before the request
//! leaves, it is sent once, a lost answer makes it UNKNOWN, and the refunded sale's status
//! settles it (Intech sends no callback for a refund); `reconcile` does the same.

use serde_json::{Map, Value, json};

use super::{Actor, Engine, EngineError, PayOutcome, failpoint};
use crate::domain::answers::{Facts, Reply};
use crate::domain::lifecycle::Event;
use crate::domain::moneygram;
use crate::domain::{PaymentStatus, Refusal, TxStatus};
use crate::journal::JournalError;

impl Engine {
    /// Refunds a successful cash-out (Intech's `refund-cancel`), under `chosen_id` when the
    /// front-end chose one (a repeat then answers with the recorded refund). Returns the
    /// refund's row and how it ended.
    pub async fn refund(
        &self,
        external_id: &str,
        by: &Actor,
        chosen_id: Option<String>,
    ) -> Result<PayOutcome, EngineError> {
        self.refund_with(external_id, by, chosen_id, None).await
    }

    /// [`Engine::refund`] with the fields `refund-cancel` carries besides the sale's id: a
    /// MoneyGram send's reversal (its reason…, checked by the caller), journaled with the
    /// intent. A MoneyGram send is reversed only with them (the server would otherwise
    /// pick a reason of its own), and only it takes them.
    pub(crate) async fn refund_with(
        &self,
        external_id: &str,
        by: &Actor,
        chosen_id: Option<String>,
        extra: Option<Map<String, Value>>,
    ) -> Result<PayOutcome, EngineError> {
        if let Some(done) = self.recorded_under(chosen_id.as_deref()).await? {
            return Ok(done);
        }
        let parent = self.get(external_id).await?.ok_or_else(|| {
            EngineError::Refused(Refusal::NotFound {
                id: external_id.to_owned(),
            })
        })?;
        if !parent.refundable() {
            return Err(EngineError::Refused(match parent.status {
                TxStatus::Refunded => Refusal::AlreadyRefunded,
                _ => Refusal::NotRefundable,
            }));
        }
        match (parent.service == moneygram::SEND, &extra) {
            (true, None) => {
                return Err(EngineError::Refused(Refusal::MoneyGramSendNeedsReason));
            }
            (false, Some(_)) => {
                return Err(EngineError::Refused(Refusal::ReasonOnlyForMoneyGramSend));
            }
            _ => {}
        }
        let extra = extra.unwrap_or_default();
        let Some(transaction_id) = parent.gateway_tx_id.clone() else {
            return Err(EngineError::Refused(Refusal::NotRefundable));
        };
        let intech = self
            .gateways
            .intech
            .clone()
            .ok_or_else(|| EngineError::NoGateway(crate::domain::GatewayKind::Intech))?;

        let refund_id = chosen_id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let now = self.now();
        let lease_until = now
            + (self.config.send_timeout + std::time::Duration::from_secs(30)).as_millis() as i64;
        let (owner, id, parent_id, who) = (
            self.owner.clone(),
            refund_id.clone(),
            external_id.to_owned(),
            by.clone(),
        );
        let journaled = Value::Object(extra.clone());
        let inserted = self
            .journal(move |j| {
                j.insert_refund_intent_with(
                    &id,
                    &parent_id,
                    who.pair(),
                    &owner,
                    lease_until,
                    now,
                    &journaled,
                )
            })
            .await;
        match inserted {
            Ok(_) => {}
            Err(JournalError::RefundUnderWay(refund)) => {
                return Err(EngineError::Refused(Refusal::RefundUnderWay { refund }));
            }
            Err(JournalError::NotRefundable(status)) => {
                return Err(EngineError::Refused(Refusal::NotSettled { status }));
            }
            Err(JournalError::Duplicate(id)) => {
                let row = self.get(&id).await?;
                return row
                    .map(PayOutcome::of)
                    .ok_or_else(|| JournalError::NotFound(id).into());
            }
            Err(e) => return Err(e.into()),
        }
        if let Some(done) = self.unless_sendable(&refund_id, Some(by.clone())).await? {
            return Ok(done);
        }

        let result = intech.refund_cancel_with(&transaction_id, &extra).await;
        failpoint::hit!("after_send");
        let (reply, detail) = match &result {
            Ok(done) => (
                Reply::Accepted {
                    status: PaymentStatus::Refunded,
                    facts: Facts {
                        notification: Some(done.message.clone()).filter(|m| !m.is_empty()),
                        ..Facts::default()
                    },
                },
                json!({"outcome": "accepted", "message": done.message}),
            ),
            Err(e) => (
                Reply::failed(
                    e.failure(),
                    if e.outcome_unknown() {
                        format!(
                            "Remboursement sans réponse : {}",
                            e.french_message(parent.amount)
                        )
                    } else {
                        format!("Remboursement refusé : {}", e.french_message(parent.amount))
                    },
                ),
                json!({"outcome": e.failure_name(), "error": e.to_string()}),
            ),
        };
        self.step(&refund_id, Event::Reply(reply), detail, Some(by.clone()))
            .await
            .map_err(EngineError::AfterSend)?;
        failpoint::hit!("after_reply");
        let row = self
            .get(&refund_id)
            .await?
            .ok_or_else(|| JournalError::NotFound(refund_id.clone()))?;
        Ok(PayOutcome::of(row))
    }

    /// Opens a claim with Intech about a recorded sale. Returns the French message with the
    /// claim's reference.
    pub async fn claim(
        &self,
        external_id: &str,
        subject: &str,
        message: &str,
        by: &Actor,
    ) -> Result<String, EngineError> {
        let row = self.get(external_id).await?.ok_or_else(|| {
            EngineError::Refused(Refusal::NotFound {
                id: external_id.to_owned(),
            })
        })?;
        // An operation under review may never have got Intech's id: the claim then names
        // ours (the `externalTransactionId` Intech was sent), the reference it can search.
        let tx = row
            .gateway_tx_id
            .clone()
            .or_else(|| (row.status == TxStatus::Review).then(|| row.external_id.clone()));
        let Some(tx) = tx else {
            return Err(EngineError::Refused(Refusal::NoClaimPossible));
        };
        let intech = self
            .gateways
            .intech
            .clone()
            .ok_or_else(|| EngineError::NoGateway(crate::domain::GatewayKind::Intech))?;
        let result = intech.new_claim(subject, message, &tx).await;
        let now = self.now();
        let id = external_id.to_owned();
        match result {
            Ok(claim) => {
                let reference = claim.claim_ref.clone().unwrap_or_default();
                let detail =
                    json!({"subject": subject, "claimRef": reference, "statut": claim.status});
                let by = by.clone();
                self.journal(move |j| {
                    j.record_actor_event(Some(&id), "claim", &detail, by.pair(), now)
                })
                .await?;
                Ok(format!("Réclamation enregistrée (réf. {reference})."))
            }
            Err(e) => {
                let detail = json!({"subject": subject, "error": e.to_string()});
                let by = by.clone();
                self.journal(move |j| {
                    j.record_actor_event(Some(&id), "claim_refused", &detail, by.pair(), now)
                })
                .await?;
                Err(EngineError::Refused(Refusal::ClaimRefused {
                    gateway: self.redact(&e.french_message(row.amount)).into_owned(),
                }))
            }
        }
    }
}
