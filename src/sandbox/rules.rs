//! What the sandbox accepts and how each operation ends: request validation (pure
//! functions) and the deterministic outcomes.
//!
//! # Outcomes by the last two digits of the phone number
//!
//! The phone number of `POST /api-services/operation` decides what happens (its national
//! digits: `77 245 71 88` → `88`). Cash-outs (`*_CASH_OUT`, typeOperation CREDIT) wait for the
//! customer: `POST /sandbox/customer/{transactionId}/approve|refuse`, or the buttons of the
//! page at `deepLinkUrl`. Other operations (DEBIT) need no customer and go
//! PENDING → PROCESSING → final by themselves (Woyofal: SUCCESS at once).
//!
//! | ends in | what happens |
//! |---|---|
//! | `87` | SERVICE_DOWN: refused at once, code 4000, "Le services est indisponible pour le moment(pho)", `transactionId: null`, nothing created, no callback |
//! | `88` | cash-out: the customer approves by themself after `auto_approve_delay` (5 s) → SUCCESS |
//! | `89` | the transaction is created and proceeds normally, but the reply is the server's uncaught-exception envelope, HTTP 500 JSON (`msg: "Une erreur est survenue"`) |
//! | `91` | customer without funds: a cash-out is refused at once (code 4000, errorType `insufficient_balance` id 2, transaction created FAILLED, FAILLED callback); a debit is accepted, then FAILLED `balance_check_failed` |
//! | `92` | unknown number: refused at once (FAILLED + callback) with the operator's code: Orange `no_om_account` (id 9), MTN `no_mtn_account`, WhatsApp `whatsapp_user_not_found`, others `invalid_phone_number` |
//! | `93` | operator down: accepted PENDING, PROCESSING, then FAILLED `operator_down_time` (no customer step, even for a cash-out) |
//! | `94` | slow: the transaction is created and proceeds normally, but the HTTP reply is held for `slow_reply` (90 s, beyond a client's timeout) |
//! | `95` | never answered: stays PENDING/PROCESSING (an approved cash-out never settles) until `payment_timeout` (15 min), then FAILLED `payment-timeout` |
//! | `96` | the transaction is created and proceeds normally, but the reply is HTTP 500 with an HTML error page |
//! | `97` | the transaction is created and proceeds normally, but the reply body is truncated JSON (HTTP 201, `Content-Length` of what is sent) |
//! | `98` | the final callback arrives before the reply: a cash-out's customer approves at once, and the reply is sent only after the first delivery attempt of the SUCCESS callback |
//! | other | success: a debit settles after `processing_delay` + `settle_delay` (1 s + 2 s); a cash-out waits for the customer, then settles after `settle_delay` |
//!
//! Refused before anything is created (code 4000, `data: {}`), after field validation:
//! an API key configured as a test account (`SandboxConfig::test_account`) sending more than
//! 300 XOF (ACCOUNT_NO_ENABLED_FOR_PRODUCTION); outcome `87` (SERVICE_DOWN); the same
//! service, phone and amount created less than `duplicate_window` ago
//! (SAME_TRANSACTION_WITHIN_ONE_MINUTE_INTERVAL). An unsupported `currency` is an uncaught
//! exception on the server: HTTP 500 with the exception envelope, nothing created.
//!
//! Checked before the phone outcome, in this order (each one a refusal with an errorType,
//! the transaction created FAILLED and a FAILLED callback sent): for a bill, that it is
//! pending and that the amount is its own ("Le montant de la facture … est different du
//! montant soumis"), then the amount multiple (`WAVE_*` 5 FCFA `bad_amount_5`,
//! `ORANGE_*_API_*` 50 FCFA `bad_amount_50`, `*_AIRTIME_*` 100 FCFA `bad_amount_100`), then
//! for a debit the shop's balance (`insufficient_balance` id 26, message with its
//! `__amount__` placeholder). A cash-out the customer refuses ends FAILLED `unknown_error`
//! ("Le client a refusé le paiement"); any transaction still not final after
//! `payment_timeout` ends FAILLED `payment-timeout` (id 4).
//!
//! # Other deterministic rules
//!
//! * `list-pending-bills`, by the last digit of the account number: `0` no bill, `1`–`3` that
//!   many bills, `4` refused ("vous avez une facture plus ancienne non payée"), `5`–`9` (or a
//!   letter) one bill. A bill paid successfully leaves the list.
//! * `moneygram-reception-info`: a reference ending in `0` was already paid out (`RECVD`,
//!   `okForPickup: false`); others are `AVAIL`.
//! * Intram: the payment page (or `/sandbox/customer/{id}/approve|refuse`) decides; the
//!   customer's phone given on approval picks the outcome ([`IntramOutcome`]: `85` ERROR,
//!   `86` SUCCESS then REFUNDED); after `payment_timeout` an undecided payment is `FAIL`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::catalog::errors::{self, ErrorInfo};
use crate::catalog::services::{self, Country, ServiceInfo, TypeOperation};

mod validation;

pub(crate) use validation::*;

/// The partner's fee per WhatsApp message, in XOF: the server replaces the operation's
/// `amount` with it (the request carries none), in the reply and in the record.
pub const WHATSAPP_FEE: i64 = 25;

/// What a test account (not enabled for production) may send at most, in XOF.
pub(crate) const TEST_ACCOUNT_MAX: i64 = 300;

/// Field name → French messages, as the `data` of a validation refusal.
pub(crate) type FieldErrors = BTreeMap<String, Vec<String>>;

/// The phone-number outcomes of the table above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Normal,
    /// 87
    ServiceDown,
    /// 88
    AutoApprove,
    /// 89
    Exception,
    /// 91
    CustomerWithoutFunds,
    /// 92
    UnknownNumber,
    /// 93
    OperatorDown,
    /// 94
    SlowReply,
    /// 95
    NeverAnswered,
    /// 96
    ServerError,
    /// 97
    TruncatedReply,
    /// 98
    CallbackFirst,
}

impl Outcome {
    pub fn from_phone(national_digits: &str) -> Outcome {
        let n = national_digits.len();
        match national_digits.get(n.saturating_sub(2)..) {
            Some("87") => Outcome::ServiceDown,
            Some("88") => Outcome::AutoApprove,
            Some("89") => Outcome::Exception,
            Some("91") => Outcome::CustomerWithoutFunds,
            Some("92") => Outcome::UnknownNumber,
            Some("93") => Outcome::OperatorDown,
            Some("94") => Outcome::SlowReply,
            Some("95") => Outcome::NeverAnswered,
            Some("96") => Outcome::ServerError,
            Some("97") => Outcome::TruncatedReply,
            Some("98") => Outcome::CallbackFirst,
            _ => Outcome::Normal,
        }
    }
}

/// A catalogue entry by id (the catalogue is static; a test checks every id used here).
pub(crate) fn error_by_id(id: u32) -> &'static ErrorInfo {
    errors::by_id(id).unwrap_or(&errors::ERRORS[0])
}

/// A catalogue entry by code.
pub(crate) fn error_by_code(code: &str) -> &'static ErrorInfo {
    errors::by_code(code).unwrap_or(&errors::ERRORS[0])
}

/// A currency the server converts from, with its fixed rate: units of it per XOF (the
/// server's own table, `Currencies.rates` in its code; XOF is 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Currency {
    pub code: &'static str,
    pub per_xof: f64,
}

pub(crate) const CURRENCIES: &[Currency] = &[
    Currency {
        code: "XOF",
        per_xof: 1.0,
    },
    Currency {
        code: "GMD",
        per_xof: 0.0799,
    },
    Currency {
        code: "GNF",
        per_xof: 12.8424,
    },
    Currency {
        code: "SLL",
        per_xof: 22.3174,
    },
    Currency {
        code: "MAD",
        per_xof: 0.0162,
    },
];

/// The operation's optional `currency` (XOF when absent, any case). Anything else makes the
/// server's conversion throw before validation: `Err` is that exception's message, for the
/// 500 envelope.
pub(crate) fn currency(body: &Map<String, Value>) -> Result<Currency, String> {
    let given = match body.get("currency") {
        None | Some(Value::Null) => return Ok(CURRENCIES[0]),
        Some(Value::String(s)) => s.trim().to_ascii_uppercase(),
        // `.toUpperCase()` of a non-string: a TypeError in the server.
        Some(_) => return Err("operationInDto.currency.toUpperCase is not a function".into()),
    };
    CURRENCIES
        .iter()
        .find(|c| c.code == given)
        .copied()
        .ok_or_else(|| format!("Currency est invalide' {given}-XOF"))
}

impl Currency {
    /// An amount in this currency, in whole XOF (rounded as the server does).
    pub fn to_xof(self, amount: i64) -> i64 {
        (amount as f64 / self.per_xof).round() as i64
    }
}

/// Intram outcomes, by the last two digits of the phone the customer pays with (given on
/// the payment page or to the approve endpoint; none given: SUCCESS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntramOutcome {
    Success,
    /// 85: the operator's error: ERROR at once.
    Error,
    /// 86: paid (SUCCESS), then reversed: REFUNDED after `settle_delay`.
    Refunded,
}

impl IntramOutcome {
    pub fn from_phone(phone: Option<&str>) -> IntramOutcome {
        let digits: String = phone
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        match digits.get(digits.len().saturating_sub(2)..) {
            Some("85") => IntramOutcome::Error,
            Some("86") => IntramOutcome::Refunded,
            _ => IntramOutcome::Success,
        }
    }
}

/// The amount multiple an operator imposes, as a refusal when the amount breaks it.
pub(crate) fn amount_refusal(code: &str, amount: i64) -> Option<&'static ErrorInfo> {
    let (multiple, error) = if code.contains("_AIRTIME_") {
        (100, "bad_amount_100")
    } else if code.starts_with("WAVE_") {
        (5, "bad_amount_5")
    } else if code.starts_with("ORANGE_") && code.contains("_API_") {
        (50, "bad_amount_50")
    } else {
        return None;
    };
    (amount % multiple != 0).then(|| error_by_code(error))
}

/// The operator's "unknown number" error (outcome 92).
pub(crate) fn unknown_number_error(code: &str) -> &'static ErrorInfo {
    if code.starts_with("ORANGE_") {
        error_by_id(9)
    } else if code.starts_with("MTN_") {
        error_by_code("no_mtn_account")
    } else if code == "WHATSAPP_MESSAGING" {
        error_by_code("whatsapp_user_not_found")
    } else {
        error_by_code("invalid_phone_number")
    }
}

/// Whether an operation is final in its own reply: Woyofal's recharge code comes back at
/// once, unless the phone's outcome delays or fails the operator (91, 93, 95).
pub(crate) fn settles_at_once(code: &str, outcome: Outcome) -> bool {
    code == "WOYOFAL_SN_BILL_RELOAD"
        && !matches!(
            outcome,
            Outcome::CustomerWithoutFunds | Outcome::OperatorDown | Outcome::NeverAnswered
        )
}

/// Whether an operation waits for the customer (cash-outs).
pub(crate) fn needs_customer(service: &ServiceInfo, outcome: Outcome) -> bool {
    service.type_operation == TypeOperation::Credit && outcome != Outcome::OperatorDown
}

#[cfg(test)]
mod tests;
