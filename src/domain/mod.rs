//! The rules of money, in one pure place: no I/O, no tokio, no SQL, no clock.
//!
//! * [`status`]: the statuses of an operation, the set still to settle, which may become which;
//! * [`gateway_status`]: the gateways' words for a status, and what each means for us;
//! * [`answers`]: what the gateways answer, read by the money rules;
//! * [`lifecycle`]: one operation (payment or refund) as a machine `(state, event) -> effects`;
//! * [`schedule`]: when to ask a status, within Intech's limit;
//! * [`fields`]: what each service needs from the cashier, checked before anything is sent;
//! * [`refund`]: what may be refunded;
//! * [`moneygram`]: a MoneyGram payout, send and reversal, field by field;
//! * [`outcome`]: how a request ended, as the screens and the socket carry it;
//! * [`advice`]: what the cashier does next once a sale ended, by its kind and operator.
//! * [`receipt`]: what a receipt says and how it is laid out on a 32- or 48-column roll.
//! * [`drawer`]: what each final operation moved in the cash drawer and on the balance.
//!
//! Everything else executes what this decides: the journal stores, the engine sends and
//! polls, the screens draw.

pub mod advice;
pub mod answers;
pub mod drawer;
pub mod duplicate;
pub mod fields;
pub mod float;
pub mod gateway_status;
pub mod lifecycle;
pub mod moneygram;
pub mod outcome;
pub mod receipt;
pub mod refund;
pub mod refusal;
pub mod schedule;
pub mod status;

pub use gateway_status::{GatewayKind, IntechStatus, IntramStatus, PaymentStatus};
pub use lifecycle::OpKind;
pub use outcome::Outcome;
pub use refusal::Refusal;
pub use schedule::PollPlan;
pub use status::TxStatus;
