//! What the MoneyGram look-ups answer on the socket: the transfer or the quote, or the
//! French reason there is none.

use super::problem::Problem;
use super::protocol::Response;
use crate::domain::moneygram::{PayoutLookup, Quote};
use crate::engine::EngineError;

fn refusal(e: EngineError) -> Response {
    Response::Error(Problem::from(&e))
}

pub fn transfer(found: Result<PayoutLookup, EngineError>) -> Response {
    found
        .map(Response::MoneyGramTransfer)
        .unwrap_or_else(refusal)
}

pub fn quote(quoted: Result<Quote, EngineError>) -> Response {
    quoted.map(Response::MoneyGramQuote).unwrap_or_else(refusal)
}
