//! MoneyGram's rules of money, checked before anything is written or sent: a payout (the
//! receiver's identity and ID document, for exactly the amount MoneyGram says), a send
//! (sender and receiver, fees quoted first), a send's reversal (its reason).
//!
//! The field lists are Intech's own validators at commit `e563ceef` of its server
//! (`dist/sdk/MoneyGram/MoneyGramHelper.js`: `validateMoneygramReceptionData`,
//! `validateMoneyGramSender`; the reversal's `RefundDtoIn`), checked the same way here so
//! that a refusal comes from the counter, in French, and never from the gateway after the
//! intent was journaled. Lengths the source does not give (addresses, ID numbers) are
//! generous bounds of ours, marked as such.

use super::fields::{MONEYGRAM_RECEIVE, MONEYGRAM_SEND};
use crate::catalog::services::Country;

/// The payout (MoneyGram → the receiver at this counter): Intech's `CASH_OUT`.
pub const PAYOUT: &str = MONEYGRAM_RECEIVE;
/// The send (the customer at this counter → a receiver elsewhere): Intech's `CASH_IN`.
pub const SEND: &str = MONEYGRAM_SEND;

/// The youngest a receiver or sender may be. Intech's server checks 15
/// (`MoneyGramHelper.MIN_AGE`); the shop's rule is the age of majority, which is stricter,
/// so nothing this accepts is refused for age there.
pub const MIN_AGE: i32 = 18;

/// A MoneyGram request waits on MoneyGram's own commits (the server retries the payout's
/// up to 3 times, 15 s apart): the HTTP timeout of these operations. Any other keeps the
/// configured one.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);

/// The HTTP timeout for an operation of `service`: at least [`REQUEST_TIMEOUT`] for
/// MoneyGram's, `base` (the configured one, 60 s by default) otherwise.
pub fn request_timeout(service: &str, base: std::time::Duration) -> std::time::Duration {
    if matches!(service, PAYOUT | SEND) {
        base.max(REQUEST_TIMEOUT)
    } else {
        base
    }
}

mod check;
mod form;
mod lists;
mod operations;

pub use check::*;
pub use form::*;
pub use lists::*;
pub use operations::*;

#[cfg(test)]
mod tests;
