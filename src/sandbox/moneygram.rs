//! MoneyGram: the look-ups (`moneygram-reception-info`, `moneygram-send-info`, replies in
//! the seed's exact shape, amounts as strings as there, derived from the request alone),
//! and the operations (a payout, a send, a send's reversal), below.

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

// ---------------------------------------------------------------------------------------
// The operations: a payout (`MONEYGRAM_SN_API_CASH_OUT` with `moneygramReceptionData`) and
// a send (`MONEYGRAM_SN_API_CASH_IN` with `moneygramSendData`), and a send's reversal
// through `refund-cancel`. Checked as Intech's server checks them at `e563ceef`
// (`MoneyGramHelper`: the required fields, the name, phone and date formats, the closed
// lists, a minimum age of 15), then the commit takes `moneygram_commit_delay` before the
// reply (PENDING) and the SUCCESS callback follows `moneygram_callback_delay` later.

/// The server's `MoneyGramHelper.MIN_AGE`.
const SERVER_MIN_AGE: i32 = 15;

/// Whether an operation is MoneyGram's (the dispatch hook of `POST /operation`).
pub(crate) fn is_operation(body: &Map<String, Value>) -> bool {
    matches!(
        body.get("codeService")
            .and_then(Value::as_str)
            .map(str::trim),
        Some(mg::PAYOUT | mg::SEND)
    )
}

fn push(errors: &mut FieldErrors, path: &str, field: &str, message: String) {
    rules::push(errors, &format!("{path}.{field}"), message);
}

/// One part (`receptionServiceReceiveDetails`, `senderDetails`…) as the server's helper
/// checks it: every required field present and not empty, then the formats it knows.
fn check_part(part: Option<&Value>, path: &str, list: &[MgField], errors: &mut FieldErrors) {
    let Some(Value::Object(details)) = part else {
        rules::push(errors, path, format!("Les données {path} sont requises"));
        return;
    };
    let text = |name: &str| match details.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.as_str()),
        _ => None,
    };
    for f in list.iter().filter(|f| f.required) {
        if text(f.name).is_none() {
            push(
                errors,
                path,
                f.name,
                format!("Le champ {} est requis", f.name),
            );
        }
    }
    for f in list {
        let Some(v) = text(f.name) else { continue };
        let bad = match f.kind {
            Kind::Name => {
                v.chars().count() > 50
                    || !v
                        .chars()
                        .all(|c| c.is_ascii_alphabetic() || c.is_whitespace() || "-'.".contains(c))
            }
            Kind::Phone | Kind::Digits => v.len() > 15 || !v.bytes().all(|b| b.is_ascii_digit()),
            Kind::BirthDate => !of_age(v),
            Kind::Choice(choices) => !choices.iter().any(|c| c.code == v),
            _ => false,
        };
        if bad {
            push(
                errors,
                path,
                f.name,
                format!("Le format du champ {} est invalide", f.name),
            );
        }
    }
    if details.contains_key("referenceNumber")
        && !text("referenceNumber")
            .is_some_and(|r| r.len() <= 16 && r.bytes().all(|b| b.is_ascii_digit()))
    {
        push(
            errors,
            path,
            "referenceNumber",
            "Le numéro de référence doit contenir entre 1 et 16 chiffres".into(),
        );
    }
}

/// `AAAA-MM-JJ`, a real date, and at least the server's minimum age today.
fn of_age(dob: &str) -> bool {
    let b = dob.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        dob[0..4].parse::<i32>(),
        dob[5..7].parse::<u8>(),
        dob[8..10].parse::<u8>(),
    ) else {
        return false;
    };
    let Some(born) = time::Month::try_from(m)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(y, m, d).ok())
    else {
        return false;
    };
    mg::age_on(born, super::reply::now().date()) >= SERVER_MIN_AGE
}

/// An 8-digit MoneyGram reference for a send, deterministic per transaction.
fn send_reference(tid: &str) -> String {
    let h = hash(&["moneygram-send-reference", tid]);
    let n = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) % 90_000_000 + 10_000_000;
    // A reference ending in 0 reads as already paid out at the look-up: avoid it.
    let n = if n.is_multiple_of(10) { n + 1 } else { n };
    n.to_string()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OperationOut<'a> {
    phone: &'a str,
    amount: i64,
    code_service: &'a str,
    transaction_id: &'a str,
    status: &'static str,
    external_transaction_id: &'a str,
    callback_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference_number: Option<String>,
}

/// `POST /operation` for MoneyGram (called by the endpoint once the key is checked).
pub(crate) async fn operation(shared: Arc<Shared>, map: Map<String, Value>) -> Response {
    // MoneyGram operations are in XOF: the currency conversion does not apply.
    let checked = rules::check_operation(&map, rules::CURRENCIES[0]);
    let ext = map
        .get("externalTransactionId")
        .and_then(Value::as_str)
        .map(|e| e.trim().to_owned());
    if let Some(ext) = &ext {
        *shared.lock().attempts.entry(ext.clone()).or_insert(0) += 1;
    }
    let mut errors = match &checked {
        Ok(_) => FieldErrors::new(),
        Err(e) => e.clone(),
    };
    let payout = map
        .get("codeService")
        .and_then(Value::as_str)
        .map(str::trim)
        == Some(mg::PAYOUT);
    if payout {
        let part = map
            .get("moneygramReceptionData")
            .and_then(|d| d.get("receptionServiceReceiveDetails"));
        check_part(
            part,
            "moneygramReceptionData.receptionServiceReceiveDetails",
            &PAYOUT_FIELDS,
            &mut errors,
        );
    } else {
        let data = map.get("moneygramSendData");
        check_part(
            data.and_then(|d| d.get("senderDetails")),
            "moneygramSendData.senderDetails",
            &SENDER_FIELDS,
            &mut errors,
        );
        check_part(
            data.and_then(|d| d.get("receiverDetails")),
            "moneygramSendData.receiverDetails",
            &RECEIVER_FIELDS,
            &mut errors,
        );
    }
    let input = match checked {
        Ok(input) if errors.is_empty() => input,
        _ => return validation_error(&errors),
    };
    if payout {
        // The server looks the transfer up again and compares the amounts first.
        let reference =
            map["moneygramReceptionData"]["receptionServiceReceiveDetails"]["referenceNumber"]
                .as_str()
                .unwrap_or_default();
        let found = reception(reference, now()).reference_number_response;
        if found.transaction_status != "AVAIL" || !found.ok_for_pickup {
            return refusal("La transaction n'est pas disponible pour le retrait.");
        }
        let expected: f64 = found.agent_check_amount.parse().unwrap_or(-1.0);
        if input.amount as f64 != expected {
            return refusal("Le montant saisi et le montant de la transaction ne sont pas égaux");
        }
    }
    let tid = {
        let mut st = shared.lock();
        if st.by_ext.contains_key(&input.ext) {
            return refusal("externalTransactionId déjà utilisé");
        }
        if input.service.type_operation == crate::catalog::services::TypeOperation::Debit
            && input.amount as f64 > st.balance
        {
            return refusal("Le solde du compte ne permet pas d'effectuer cet envoi");
        }
        if payout {
            let reference =
                map["moneygramReceptionData"]["receptionServiceReceiveDetails"]["referenceNumber"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
            if !st.paid_bills.insert(format!("moneygram|{reference}")) {
                return refusal("La transaction n'est pas disponible pour le retrait.");
            }
        }
        let tid = st.new_intech_id();
        let seq = st.next_seq();
        let stamp = now();
        st.by_ext.insert(input.ext.clone(), tid.clone());
        // In flight from the start: a status query during the commit sees PROCESSING.
        st.intech.insert(
            tid.clone(),
            IntechTx {
                seq,
                tid: tid.clone(),
                ext: input.ext,
                service: input.service,
                phone: input.phone,
                amount: input.amount,
                currency: "XOF",
                amount_in_currency: input.amount,
                callback_url: input.callback_url,
                data: input.data,
                status: Status::Processing,
                error: None,
                outcome: Outcome::Normal,
                bill: None,
                created_at: stamp,
                updated_at: stamp,
                status_calls: 0,
                callbacks: Vec::new(),
                first_callback: None,
            },
        );
        tid
    };
    // MoneyGram's commit (the server retries it up to 3 times, 15 s apart).
    tokio::select! {
        _ = tokio::time::sleep(shared.config.moneygram_commit_delay) => {}
        _ = shared.stopping() => {}
    }
    let mut fx = Effects::default();
    let body = {
        let mut st = shared.lock();
        let at = Instant::now() + shared.config.moneygram_callback_delay;
        fx.wake |= st.schedule(at, TimerKind::Settle, &tid);
        let Some(tx) = st.intech.get(&tid) else {
            return refusal("Transaction introuvable");
        };
        let out = OperationOut {
            phone: &tx.phone,
            amount: tx.amount,
            code_service: tx.service.code,
            transaction_id: &tx.tid,
            status: Status::Pending.as_str(),
            external_transaction_id: &tx.ext,
            callback_url: &tx.callback_url,
            reference_number: (!payout).then(|| send_reference(&tx.tid)),
        };
        reply::envelope_bytes(2000, OPERATION_MSG, false, out)
    };
    fx.run(&shared);
    reply::json_bytes(StatusCode::CREATED, body)
}

const OPERATION_MSG: &str = "Votre opération s'est effectuée sans erreur, Vous allez recevoir un callback à la fin du traitement de la transaction";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefundOut {
    message: String,
    statut_treatment: &'static str,
}

/// The checks of a send's reversal, as MoneyGram applies them (the server passes the
/// fields on, its own defaults filling the gaps): `Err` with the refusal's message.
pub(crate) fn check_reversal(body: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::trim);
    let reason = text("moneyGramSendReversalReason").unwrap_or("INCORRECT_AMT");
    if !REVERSAL_REASONS.iter().any(|c| c.code == reason) {
        return Err(format!(
            "Motif d'annulation MoneyGram invalide : {} (attendu : {})",
            reason.chars().take(30).collect::<String>(),
            REVERSAL_REASONS
                .iter()
                .map(|c| c.code)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let fee_refund = text("moneyGramFeeRefund").unwrap_or("Y");
    if !matches!(fee_refund, "Y" | "N") {
        return Err("moneyGramFeeRefund doit valoir Y ou N".into());
    }
    if text("moneyGramAgentCheckType").is_some_and(|t| t != "MTC") {
        return Err("moneyGramAgentCheckType doit valoir MTC".into());
    }
    // The server cuts these to size rather than refusing them.
    let operator: String = text("moneyGramOperatorName")
        .unwrap_or("SYSTEM")
        .chars()
        .take(7)
        .collect();
    let mut out = Map::new();
    out.insert("operatorName".into(), operator.into());
    out.insert("sendReversalReason".into(), reason.into());
    out.insert("feeRefund".into(), fee_refund.into());
    if let Some(check) = text("moneyGramAgentCheckNumber") {
        out.insert(
            "agentCheckNumber".into(),
            check.chars().take(12).collect::<String>().into(),
        );
    }
    Ok(out)
}

/// `refund-cancel` of a MoneyGram send (the dispatch hook): `None` when the transaction
/// named is not one. A reversal gives the shop's balance back the amount sent.
pub(crate) fn reversal(shared: &Shared, body: &Map<String, Value>) -> Option<Response> {
    let tid = body.get("transactionId").and_then(tid_key)?;
    let mut st = shared.lock();
    if st.intech.get(&tid)?.service.code != mg::SEND {
        return None;
    }
    *st.refund_attempts.entry(tid.clone()).or_insert(0) += 1;
    let balance = st.balance;
    let tx = st.intech.get_mut(&tid)?;
    let outcome = match (tx.status, check_reversal(body)) {
        (Status::Refunded, _) => Err("Le transaction a deja ete rembourse".to_owned()),
        (Status::Success, Ok(fields)) => {
            // The shop's balance gets back what the send took from it (the amount); the
            // fees were the customer's cash at the counter: `feeRefund` is recorded only.
            tx.status = Status::Refunded;
            tx.updated_at = now();
            if let Value::Object(data) = &mut tx.data {
                data.insert("moneyGramReversal".into(), Value::Object(fields));
            }
            Ok(tx.amount as f64)
        }
        (Status::Success, Err(why)) => Err(why),
        (status, _) => Err(format!(
            "Le statut de la transaction ne permet pas l'annulation ({})",
            status.as_str()
        )),
    };
    let out = match outcome {
        Ok(back) => {
            st.balance = balance + back;
            RefundOut {
                message: "Remboursement MoneyGram réussi".into(),
                statut_treatment: "SUCCESS",
            }
        }
        Err(message) => RefundOut {
            message,
            statut_treatment: "FAILED",
        },
    };
    drop(st);
    Some(reply::json(StatusCode::CREATED, &out))
}

fn now() -> OffsetDateTime {
    super::reply::now()
}

#[cfg(test)]
mod tests;
