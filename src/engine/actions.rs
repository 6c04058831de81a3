//! What a cashier (or supervisor) does to a recorded sale: refund a successful cash-out,
//! open a claim. Each is recorded in the journal, refused or not.

use serde_json::json;

use super::{Actor, Engine, EngineError};
use crate::catalog::services::{self, TypeOperation};
use crate::journal::{Change, TxStatus};

impl Engine {
    /// Gives back a successful cash-out (Intech's refund-cancel). Returns the French message.
    pub async fn refund(&self, external_id: &str, by: &Actor) -> Result<String, EngineError> {
        let row = self
            .get(external_id)
            .await?
            .ok_or_else(|| EngineError::Refused(format!("opération {external_id} introuvable")))?;
        let cash_out =
            services::find(&row.service).is_some_and(|s| s.type_operation == TypeOperation::Credit);
        let (Some(tx), true, true) = (
            row.gateway_tx_id.clone(),
            cash_out,
            row.status == TxStatus::Success,
        ) else {
            return Err(EngineError::Refused(
                "Seul un encaissement réussi peut être remboursé.".into(),
            ));
        };
        let intech = self
            .gateways
            .intech
            .clone()
            .ok_or_else(|| EngineError::NoGateway("intech".into()))?;
        let result = intech.refund_cancel(&tx).await;
        let now = self.now();
        let id = external_id.to_owned();
        match result {
            Ok(reply) => {
                let change = Change {
                    status: Some(TxStatus::Refunded),
                    ..Change::default()
                };
                let detail = json!({"message": reply.message});
                let by = by.clone();
                self.journal(move |j| {
                    j.apply_by(&id, &change, "refund", &detail, Some(by.pair()), now)
                })
                .await?;
                self.notify(external_id, TxStatus::Refunded);
                Ok(format!("Remboursement effectué : {}", reply.message))
            }
            Err(e) => {
                let message = e.french_message(row.amount);
                let detail = json!({"error": e.to_string()});
                let by = by.clone();
                self.journal(move |j| {
                    j.record_actor_event(Some(&id), "refund_refused", &detail, by.pair(), now)
                })
                .await?;
                Err(EngineError::Refused(format!(
                    "Remboursement refusé : {message}"
                )))
            }
        }
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
        let row = self
            .get(external_id)
            .await?
            .ok_or_else(|| EngineError::Refused(format!("opération {external_id} introuvable")))?;
        let Some(tx) = row.gateway_tx_id.clone() else {
            return Err(EngineError::Refused(
                "La passerelle n'a pas enregistré cette opération : pas de réclamation possible."
                    .into(),
            ));
        };
        let intech = self
            .gateways
            .intech
            .clone()
            .ok_or_else(|| EngineError::NoGateway("intech".into()))?;
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
                Err(EngineError::Refused(format!(
                    "Réclamation refusée : {}",
                    e.french_message(row.amount)
                )))
            }
        }
    }
}
