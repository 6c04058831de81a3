//! The merchant's account at Intech as the counters read it: its balance, and an account's
//! pending bills. The balance read last is remembered for the sale rules (a debit above it is
//! refused before the send): the engine never takes that figure from a front-end, which
//! could send any number.

use super::{Engine, EngineError};
use crate::catalog::services::TypeOperation;
use crate::domain::GatewayKind;
use crate::gateway::intech::IntechClient;
use crate::gateway::intech::models::PendingBill;

/// How long a sale waits for the fresh balance it is checked against.
const BALANCE_FOR_SALE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

impl Engine {
    pub(super) fn intech(&self) -> Result<&IntechClient, EngineError> {
        self.gateways
            .intech
            .as_deref()
            .ok_or(EngineError::NoGateway(GatewayKind::Intech))
    }

    /// `GET /api-services/balance`, remembered for the sale rules.
    pub async fn balance(&self) -> Result<f64, EngineError> {
        let reply = self.intech()?.balance().await;
        let balance = reply
            .map_err(|e| EngineError::Gateway(self.redact(&e.french_message(None)).into_owned()))?
            .balance;
        self.remember_balance(balance);
        Ok(balance)
    }

    /// The balance read last, if any: what the sale rules check a debit against.
    pub fn known_balance(&self) -> Option<f64> {
        *self.balance.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The balance a sale is checked against. For a debit (the shop's balance pays), read
    /// again from the service, so that sales settled since the last reading count; an
    /// engine that never read one has no figure and leaves the judgement to the gateway,
    /// as it does when the reading fails (a stale figure could refuse a sale wrongly).
    pub(super) async fn balance_for(&self, service: &str) -> Option<f64> {
        let debit = crate::catalog::services::find(service)
            .is_some_and(|s| s.type_operation == TypeOperation::Debit);
        if !debit || self.known_balance().is_none() {
            return self.known_balance();
        }
        // A slow gateway must not hold the sale: past a few seconds the check is the
        // gateway's own (it refuses a deposit above the balance itself).
        match tokio::time::timeout(BALANCE_FOR_SALE_TIMEOUT, self.balance()).await {
            Ok(Ok(balance)) => Some(balance),
            Ok(Err(_)) | Err(_) => None,
        }
    }

    pub(crate) fn remember_balance(&self, balance: f64) {
        *self.balance.lock().unwrap_or_else(|e| e.into_inner()) = Some(balance);
    }

    /// The bills an account owes to a billing service (possibly none).
    pub async fn pending_bills(
        &self,
        service: &str,
        account: &str,
    ) -> Result<Vec<PendingBill>, EngineError> {
        self.intech()?
            .pending_bills(service, account)
            .await
            .map_err(|e| EngineError::Gateway(self.redact(&e.french_message(None)).into_owned()))
    }
}
