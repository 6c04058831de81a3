//! The operations: a payout (`MONEYGRAM_SN_API_CASH_OUT` with `moneygramReceptionData`) and
//! a send (`MONEYGRAM_SN_API_CASH_IN` with `moneygramSendData`), and a send's reversal
//! through `refund-cancel`. Checked as Intech's server checks them at `e563ceef`
//! (`MoneyGramHelper`: the required fields, the name, phone and date formats, the closed
//! lists, a minimum age of 15), then the commit takes `moneygram_commit_delay` before the
//! reply (PENDING) and the SUCCESS callback follows `moneygram_callback_delay` later.

use super::*;

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
pub(super) fn check_part(
    part: Option<&Value>,
    path: &str,
    list: &[MgField],
    errors: &mut FieldErrors,
) {
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
pub(super) fn send_reference(tid: &str) -> String {
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
                message: None,
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
