//! What the gateways answer, as the money rules read it: why no usable answer came
//! ([`NoAnswer`]), a gateway's failure ([`Failure`]), the answer to the request that moves
//! money ([`Reply`]) and to a status query ([`PollAnswer`]). The gateway module turns its
//! own errors into these; the lifecycle machine reads them.

use std::collections::BTreeMap;

use super::PaymentStatus;

/// Why no usable answer came back to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NoAnswer {
    /// The connection was never made: no byte reached the gateway.
    NotConnected,
    /// No complete answer within the client's timeout.
    TimedOut,
    /// The connection broke during the exchange.
    ConnectionLost,
    /// An HTTP error status with no readable gateway reply (an HTML page, a proxy error).
    Http(u16),
    /// A reply that could not be read as the documented JSON (truncated, garbage).
    Unreadable,
    /// The server threw: a real HTTP 4xx/5xx with `code` = that status ("Une erreur est
    /// survenue"). It proves nothing about what was done before it threw.
    Exception(u16),
    /// The server already holds an operation under our id ("Duplication du external
    /// transaction ID"): an earlier send of it arrived, and its status tells the rest.
    AlreadyReceived,
}

impl NoAnswer {
    /// Whether the request may have been processed: then the operation is UNKNOWN, never
    /// FAILED. Only a connection never made, or a 4xx (the 403 of a blacklisted address),
    /// proves that nothing was done.
    pub fn may_have_arrived(self) -> bool {
        match self {
            NoAnswer::NotConnected => false,
            NoAnswer::TimedOut
            | NoAnswer::ConnectionLost
            | NoAnswer::Unreadable
            | NoAnswer::Exception(_)
            | NoAnswer::AlreadyReceived => true,
            NoAnswer::Http(status) => status >= 500,
        }
    }

    /// A short name for the journal's `error_code`.
    pub fn code(self) -> &'static str {
        match self {
            NoAnswer::NotConnected => "connect_failed",
            NoAnswer::TimedOut => "timeout",
            NoAnswer::ConnectionLost => "connection_lost",
            NoAnswer::Http(_) => "http_error",
            NoAnswer::Unreadable => "unreadable_reply",
            NoAnswer::Exception(_) => "server_exception",
            NoAnswer::AlreadyReceived => "already_received",
        }
    }
}

/// A gateway's failure, as the money rules need to see it (the gateway module turns its
/// own errors into this).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A readable refusal: the envelope's `code` (4000, 404…), the catalogue code of
    /// `errorType` if any, and the gateway's own id when it created the transaction
    /// before refusing it.
    Refused {
        body_code: i64,
        code: Option<String>,
        transaction_id: Option<String>,
    },
    NoAnswer(NoAnswer),
}

/// The envelope code of Intech's documented "not found" (in a well-formed body; an HTTP
/// 404 may be a wrong URL and proves nothing).
pub const NOT_FOUND_CODE: i64 = 404;

impl Failure {
    pub fn may_have_arrived(&self) -> bool {
        match self {
            Failure::Refused { .. } => false,
            Failure::NoAnswer(n) => n.may_have_arrived(),
        }
    }
}

/// What the gateway tells of itself besides the status, recorded as it comes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub gateway_tx_id: Option<String>,
    pub customer_url: Option<String>,
    pub notification: Option<String>,
    /// The amount the server recorded, when the sale had none (a WhatsApp message: the
    /// partner's fee).
    pub amount: Option<i64>,
    /// What the reply carries for the cashier and the receipt (a Woyofal code and its kWh,
    /// the currency and amount in XOF…), by the reply's own names.
    pub details: BTreeMap<String, serde_json::Value>,
}

/// The answer to the request that moves money (`operation`, `refund-cancel`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Taken: the status it gave (for a refund, done).
    Accepted { status: PaymentStatus, facts: Facts },
    /// A readable no: nothing moved (a FAILLED callback may follow; it changes nothing).
    Refused {
        code: Option<String>,
        message: String,
        facts: Facts,
    },
    /// No usable answer; `message` says so in French.
    NoAnswer { why: NoAnswer, message: String },
}

impl Reply {
    /// The reply a failure gives (`message`: the French sentence for the cashier).
    pub fn failed(failure: Failure, message: String) -> Reply {
        match failure {
            Failure::Refused {
                code,
                transaction_id,
                ..
            } => Reply::Refused {
                code,
                message,
                facts: Facts {
                    gateway_tx_id: transaction_id,
                    ..Facts::default()
                },
            },
            Failure::NoAnswer(why) => Reply::NoAnswer { why, message },
        }
    }
}

/// The answer to a status query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollAnswer {
    Status {
        status: PaymentStatus,
        gateway_tx_id: Option<String>,
        /// What it carries for the receipt (Intram's fees, net amount, customer…).
        details: BTreeMap<String, serde_json::Value>,
        /// The customer's link, when the row has none and the answer's id gives it (a
        /// cash-out whose reply was lost: Intech's landing page is built from the id).
        customer_url: Option<String>,
    },
    /// The documented "not found" (body code 404 in a well-formed envelope).
    NotFound,
    /// Readable, but neither a status nor the documented "not found" (an error code the
    /// documentation does not list, an HTTP 404, a garbled body…). `reason` is French.
    Unreadable { reason: String },
    /// No answer: the network, a gateway outage, or our address blacklisted.
    NoAnswer { why: NoAnswer },
}

impl PollAnswer {
    /// The answer a failed status query gives. A gateway outage (no connection, timeout,
    /// 5xx) is a "no answer" that changes nothing; what does answer, but not with a status,
    /// is unreadable and, past the window, puts the row under review.
    pub fn failed(failure: Failure, reason: String) -> PollAnswer {
        match failure {
            Failure::Refused {
                body_code: NOT_FOUND_CODE,
                ..
            } => PollAnswer::NotFound,
            Failure::Refused { .. } => PollAnswer::Unreadable { reason },
            Failure::NoAnswer(why @ NoAnswer::Http(403)) => PollAnswer::NoAnswer { why },
            Failure::NoAnswer(
                NoAnswer::Http(400..=499)
                | NoAnswer::Exception(400..=499)
                | NoAnswer::Unreadable
                | NoAnswer::AlreadyReceived,
            ) => PollAnswer::Unreadable { reason },
            Failure::NoAnswer(why) => PollAnswer::NoAnswer { why },
        }
    }
}
