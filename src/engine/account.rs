//! The merchant's account at Intech as the counters read it: its balance, and an account's
//! pending bills. The balance read last is remembered for the sale rules (a debit above it is
//! refused before the send): the engine never takes that figure from a front-end, which
//! could send any number.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

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

    /// `GET /api-services/balance`, remembered for the sale rules. Terminals ask for it
    /// whenever a sale settles: asked again within a second with no settlement since, the
    /// figure just read is given (one request to the gateway, however many terminals ask).
    pub async fn balance(&self) -> Result<f64, EngineError> {
        let _one_at_a_time = self.balance.reading.lock().await;
        if let Some(balance) = self.balance.recent(self.now()) {
            return Ok(balance);
        }
        let settlements = self.balance.settlements();
        let reply = self.intech()?.balance().await;
        let balance = reply
            .map_err(|e| EngineError::Gateway(self.redact(&e.french_message(None)).into_owned()))?
            .balance;
        let at = self.now();
        self.balance.remember(balance, at, settlements);
        // Every fresh reading goes to the float's record (a refill is detected there); the
        // reading itself stands even if the journal cannot take it now.
        let whole = balance.floor() as i64;
        if let Err(e) = self.journal(move |j| j.record_balance(at, whole)).await {
            tracing::warn!("relevé du solde non enregistré : {e}");
        }
        Ok(balance)
    }

    /// The balance read last, if any: what the sale rules check a debit against.
    pub fn known_balance(&self) -> Option<f64> {
        self.balance.known()
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

/// How long a balance just read stands for the next asker when nothing settled since.
const BALANCE_REUSE_MS: i64 = 1_000;

/// The balance read last: (figure, when, settlements counted then); one reading at a time.
#[derive(Default)]
pub(super) struct BalanceCache {
    last: Mutex<Option<(f64, i64, u64)>>,
    settlements: AtomicU64,
    reading: tokio::sync::Mutex<()>,
}

impl BalanceCache {
    fn known(&self) -> Option<f64> {
        self.lock().map(|(balance, _, _)| balance)
    }

    /// The figure read less than [`BALANCE_REUSE_MS`] ago, if nothing settled since.
    fn recent(&self, now: i64) -> Option<f64> {
        let (balance, at, settlements) = self.lock()?;
        (settlements == self.settlements() && now - at < BALANCE_REUSE_MS).then_some(balance)
    }

    fn remember(&self, balance: f64, at: i64, settlements: u64) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some((balance, at, settlements));
    }

    fn settlements(&self) -> u64 {
        self.settlements.load(Ordering::SeqCst)
    }

    /// A sale settled: the figure read before no longer stands.
    pub(super) fn settled(&self) {
        self.settlements.fetch_add(1, Ordering::SeqCst);
    }

    fn lock(&self) -> Option<(f64, i64, u64)> {
        *self.last.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_balance_just_read_stands_until_a_sale_settles_or_a_second_passes() {
        let cache = BalanceCache::default();
        assert_eq!(cache.recent(0), None);
        cache.remember(5_000.0, 1_000, cache.settlements());
        assert_eq!(cache.recent(1_500), Some(5_000.0));
        assert_eq!(cache.recent(2_000), None, "a second later: read again");
        cache.settled();
        assert_eq!(cache.recent(1_100), None, "a sale settled: read again");
        assert_eq!(
            cache.known(),
            Some(5_000.0),
            "still the figure the rules know"
        );
    }
}
