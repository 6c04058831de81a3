//! MoneyGram: the look-ups (`moneygram-reception-info`, `moneygram-send-info`, replies in
//! the seed's exact shape, amounts as strings as there, derived from the request alone),
//! and the operations (a payout, a send, a send's reversal) in `moneygram/operations.rs`.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime, Time};
use tokio::time::Instant;

use super::lifecycle::Effects;
use super::reply::{self, iso, refusal, validation_error};
use super::rules::{self, FieldErrors, Outcome};
use super::state::{IntechTx, Shared, Status, TimerKind, tid_key};
use crate::domain::moneygram::{
    self as mg, Kind, MgField, PAYOUT_FIELDS, RECEIVER_FIELDS, REVERSAL_REASONS, SENDER_FIELDS,
};

mod operations;

pub(crate) use operations::{is_operation, operation, reversal};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReceptionData {
    status: &'static str,
    reference_number_response: ReferenceNumberResponse,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReferenceNumberResponse {
    do_check_in: bool,
    time_stamp: String,
    flags: u32,
    #[serde(rename = "mgiTransactionSessionID")]
    mgi_transaction_session_id: String,
    sender_first_name: &'static str,
    sender_last_name: &'static str,
    sender_home_phone: String,
    receiver_first_name: &'static str,
    receiver_last_name: &'static str,
    agent_check_number: &'static str,
    agent_check_amount: String,
    agent_check_authorization_number: &'static str,
    customer_check_number: &'static str,
    customer_check_amount: &'static str,
    ok_for_agent: bool,
    delivery_option: &'static str,
    transaction_status: &'static str,
    date_time_sent: String,
    receive_currency: &'static str,
    receive_amount: String,
    reference_number: String,
    originating_country: &'static str,
    valid_indicator: bool,
    indicative_receive_amount: &'static str,
    indicative_exchange_rate: &'static str,
    expected_date_of_delivery: String,
    original_send_amount: String,
    original_send_currency: &'static str,
    original_send_fee: String,
    original_exchange_rate: &'static str,
    redirect_indicator: bool,
    ok_for_pickup: bool,
    not_ok_for_pickup_reason_code: u32,
    minutes_until_ok_for_pickup: &'static str,
    send_purpose_of_transaction: &'static str,
}

const SENDER_FIRST: &[&str] = &[
    "MOUSSA",
    "IBRAHIMA",
    "OUSMANE",
    "CHEIKH",
    "ABDOULAYE",
    "MODOU",
];
const SENDER_LAST: &[&str] = &["NDOUR", "DIOP", "SARR", "FALL", "GUEYE", "MBAYE"];
const RECEIVER_FIRST: &[&str] = &["AICHA", "FATOU", "AWA", "KHADY", "MARIAMA", "BINETA"];
const RECEIVER_LAST: &[&str] = &["DIALLO", "NDIAYE", "SOW", "FAYE", "CISSE", "BA"];

fn hash(parts: &[&str]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update(b"|");
    }
    hasher.finalize().into()
}

fn pick(list: &'static [&'static str], byte: u8) -> &'static str {
    list[byte as usize % list.len()]
}

/// A session id shaped like the seed's (`4381702711E1741666579406`).
fn session_id(h: &[u8; 32]) -> String {
    let a = u64::from_be_bytes(h[0..8].try_into().unwrap_or_default()) % 10_000_000_000;
    let b = u64::from_be_bytes(h[8..16].try_into().unwrap_or_default()) % 10_000_000_000_000;
    format!("{a:010}E{b:013}")
}

/// The 3 % MoneyGram fee, rounded to the nearest franc.
pub(crate) fn send_fee(amount: i64) -> i64 {
    (amount * 3 + 50) / 100
}

/// `referenceNumber` (8 digits, already checked) → the transfer waiting at the counter.
pub(crate) fn reception(reference: &str, now: OffsetDateTime) -> ReceptionData {
    let h = hash(&["moneygram-reception", reference]);
    let n: u64 = reference.parse().unwrap_or(0);
    // 5 000 to 500 000 FCFA in steps of 500.
    let amount = 5_000 + (n / 10 % 991) as i64 * 500;
    let paid_out = reference.ends_with('0');
    let phone =
        770_000_000 + u64::from_be_bytes(h[16..24].try_into().unwrap_or_default()) % 9_999_999;
    let sent = now - Duration::minutes(29 + (h[24] % 90) as i64);
    let midnight = now.replace_time(Time::MIDNIGHT);
    ReceptionData {
        status: "SUCCESS",
        reference_number_response: ReferenceNumberResponse {
            do_check_in: false,
            time_stamp: iso(now),
            flags: 1,
            mgi_transaction_session_id: session_id(&h),
            sender_first_name: pick(SENDER_FIRST, h[0]),
            sender_last_name: pick(SENDER_LAST, h[1]),
            sender_home_phone: phone.to_string(),
            receiver_first_name: pick(RECEIVER_FIRST, h[2]),
            receiver_last_name: pick(RECEIVER_LAST, h[3]),
            agent_check_number: "0000000000",
            agent_check_amount: format!("{amount}.000"),
            agent_check_authorization_number: "00000",
            customer_check_number: "0000000000",
            customer_check_amount: "0.000",
            ok_for_agent: false,
            delivery_option: "WILL_CALL",
            transaction_status: if paid_out { "RECVD" } else { "AVAIL" },
            date_time_sent: iso(sent),
            receive_currency: "XOF",
            receive_amount: amount.to_string(),
            reference_number: reference.to_owned(),
            originating_country: "SEN",
            valid_indicator: false,
            indicative_receive_amount: "0",
            indicative_exchange_rate: "0.000000",
            expected_date_of_delivery: iso(midnight),
            original_send_amount: format!("{amount}.000"),
            original_send_currency: "XOF",
            original_send_fee: format!("{}.000", send_fee(amount)),
            original_exchange_rate: "1.000000",
            redirect_indicator: false,
            ok_for_pickup: !paid_out,
            not_ok_for_pickup_reason_code: 0,
            minutes_until_ok_for_pickup: "0",
            send_purpose_of_transaction: "GIFT",
        },
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendData {
    status: &'static str,
    success: bool,
    send_validation_response: SendValidationResponse,
    error_message: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SendValidationResponse {
    do_check_in: bool,
    time_stamp: String,
    flags: u32,
    #[serde(rename = "mgiTransactionSessionID")]
    mgi_transaction_session_id: String,
    ready_for_commit: bool,
    receive_agent_address: Option<String>,
    send_amounts: SendAmounts,
    receive_amounts: ReceiveAmounts,
    exchange_rate_applied: &'static str,
    receive_fee_disclosure_text: bool,
    receive_tax_disclosure_text: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SendAmounts {
    send_amount: String,
    send_currency: &'static str,
    total_send_fees: String,
    total_discount_amount: &'static str,
    total_send_taxes: &'static str,
    total_amount_to_collect: String,
    detail_send_amounts: Vec<Detail>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReceiveAmounts {
    receive_amount: String,
    receive_currency: &'static str,
    valid_currency_indicator: bool,
    payout_currency: &'static str,
    total_receive_fees: &'static str,
    total_receive_taxes: &'static str,
    total_receive_amount: String,
    receive_fees_are_estimated: bool,
    receive_taxes_are_estimated: bool,
    detail_receive_amounts: Vec<Detail>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Detail {
    amount_type: &'static str,
    amount: String,
    amount_currency: &'static str,
}

fn detail(amount_type: &'static str, amount: i64) -> Detail {
    Detail {
        amount_type,
        amount: amount.to_string(),
        amount_currency: "XOF",
    }
}

/// The fees of a send of `amount` (validated by the caller).
pub(crate) fn send(amount: i64, send_data: &Value, now: OffsetDateTime) -> SendData {
    let h = hash(&[
        "moneygram-send",
        &amount.to_string(),
        &send_data.to_string(),
    ]);
    let fee = send_fee(amount);
    let total = amount + fee;
    SendData {
        status: "SUCCESS",
        success: true,
        send_validation_response: SendValidationResponse {
            do_check_in: false,
            time_stamp: iso(now),
            flags: 1,
            mgi_transaction_session_id: format!("{}NN", session_id(&h)),
            ready_for_commit: true,
            receive_agent_address: None,
            send_amounts: SendAmounts {
                send_amount: amount.to_string(),
                send_currency: "XOF",
                total_send_fees: fee.to_string(),
                total_discount_amount: "0",
                total_send_taxes: "0",
                total_amount_to_collect: total.to_string(),
                detail_send_amounts: vec![
                    detail("nonMgiSendTax", 0),
                    detail("nonMgiSendFee", 0),
                    detail("mgiNonDiscountedSendFee", fee),
                    detail("totalNonDiscountedFees", fee),
                    detail("discountedMgiSendFee", fee),
                    detail("mgiSendTax", 0),
                    detail("totalMgiCollectedFeesAndTaxes", fee),
                    detail("totalAmountToMgi", total),
                    detail("totalSendFeesAndTaxes", fee),
                    detail("totalNonMgiSendFeesAndTaxes", 0),
                ],
            },
            receive_amounts: ReceiveAmounts {
                receive_amount: amount.to_string(),
                receive_currency: "XOF",
                valid_currency_indicator: true,
                payout_currency: "XOF",
                total_receive_fees: "0",
                total_receive_taxes: "0",
                total_receive_amount: amount.to_string(),
                receive_fees_are_estimated: false,
                receive_taxes_are_estimated: false,
                detail_receive_amounts: vec![
                    detail("mgiReceiveFee", 0),
                    detail("nonMgiReceiveFee", 0),
                    detail("mgiReceiveTax", 0),
                    detail("nonMgiReceiveTax", 0),
                ],
            },
            exchange_rate_applied: "1.000000",
            receive_fee_disclosure_text: false,
            receive_tax_disclosure_text: false,
        },
        error_message: None,
    }
}

#[cfg(test)]
mod tests;
