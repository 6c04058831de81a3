//! `POST /api-services/operation`: checks, refusals before creation, and the reply with
//! its outcomes.

use super::*;

/// The `data` of an operation reply (accepted or refused).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OperationOut<'a> {
    phone: &'a str,
    /// In `currency`, as the partner sent it (the fee for WhatsApp), as the server echoes it.
    amount: i64,
    currency: &'a str,
    amount_xof: i64,
    amount_in_currency: i64,
    code_service: &'a str,
    transaction_id: Option<&'a str>,
    status: &'static str,
    external_transaction_id: &'a str,
    callback_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    notification_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deep_link_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_link_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    woyofal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    woyofal_kwh: Option<f64>,
    /// Temporary in the real API: clients must not rely on it.
    #[serde(
        rename = "_be_removed_waveLaunchUrl",
        skip_serializing_if = "Option::is_none"
    )]
    be_removed_wave_launch_url: Option<String>,
    /// Refusals: the operator's error (SERVICE_DOWN: `null`, nothing was created).
    /// WhatsApp: `null`, as in the seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    error_type: Option<Option<FullError>>,
    /// An extra field the documentation does not list: clients must tolerate it.
    #[serde(skip_serializing_if = "Option::is_none")]
    fees: Option<i64>,
}

impl<'a> OperationOut<'a> {
    fn new(
        input: &'a rules::OperationInput,
        transaction_id: Option<&'a str>,
        status: Status,
    ) -> Self {
        OperationOut {
            phone: &input.phone,
            amount: input.amount_in_currency,
            currency: input.currency,
            amount_xof: input.amount,
            amount_in_currency: input.amount_in_currency,
            code_service: input.service.code,
            transaction_id,
            status: status.as_str(),
            external_transaction_id: &input.ext,
            callback_url: &input.callback_url,
            notification_message: None,
            deep_link_url: None,
            auth_link_url: None,
            order_id: None,
            woyofal_code: None,
            woyofal_kwh: None,
            be_removed_wave_launch_url: None,
            error_type: None,
            fees: None,
        }
    }

    fn of(tx: &'a IntechTx) -> Self {
        OperationOut {
            phone: &tx.phone,
            amount: tx.amount_in_currency,
            currency: tx.currency,
            amount_xof: tx.amount,
            amount_in_currency: tx.amount_in_currency,
            code_service: tx.service.code,
            transaction_id: Some(&tx.tid),
            status: Status::Pending.as_str(),
            external_transaction_id: &tx.ext,
            callback_url: &tx.callback_url,
            notification_message: None,
            deep_link_url: None,
            auth_link_url: None,
            order_id: None,
            woyofal_code: None,
            woyofal_kwh: None,
            be_removed_wave_launch_url: None,
            error_type: None,
            fees: None,
        }
    }
}

/// Refusals that the server gives before creating anything (besides field validation).
/// Under the state lock: the duplicate rule remembers what it lets through.
fn refused_before_creation(
    shared: &Shared,
    st: &mut crate::sandbox::state::State,
    input: &rules::OperationInput,
    at: Instant,
) -> Option<Response> {
    let config = &shared.config;
    if config.test_account && input.amount > rules::TEST_ACCOUNT_MAX {
        return Some(refusal(ACCOUNT_NO_ENABLED_FOR_PRODUCTION));
    }
    if Outcome::from_phone(&input.national) == Outcome::ServiceDown {
        // The service's manager finds no line to the operator: nothing is created, and the
        // reply says so with a null transactionId.
        let mut out = OperationOut::new(input, None, Status::Failled);
        out.error_type = Some(None);
        return Some(envelope(StatusCode::CREATED, 4000, SERVICE_DOWN, true, out));
    }
    if let Some(window) = config.duplicate_window {
        let key = DuplicateKey {
            service: input.service.code,
            phone: input.national.clone(),
            amount: input.amount,
        };
        if st.same_operation_within(key, at, window) {
            return Some(refusal(SAME_TRANSACTION_WITHIN_ONE_MINUTE_INTERVAL));
        }
    }
    None
}

/// What a bill payment's own checks find.
enum BillCheck {
    Payable,
    /// Already in payment: the sandbox refuses it before creating anything, so that one
    /// bill is never paid twice.
    InPayment,
    /// Refused as the bill's manager refuses it once the transaction is created (bill not
    /// pending, amount not the bill's): the transaction ends FAILLED.
    Refused(TxError),
}

fn check_bill(
    st: &crate::sandbox::state::State,
    code: &str,
    account: &str,
    reference: &str,
    amount: i64,
) -> BillCheck {
    let key = bills::key(code, account, reference);
    if st.bills_in_flight.contains_key(&key) {
        return BillCheck::InPayment;
    }
    let bill = match bills::lookup(code, account) {
        Lookup::Bills(list) => list.into_iter().find(|b| b.bill_reference == reference),
        Lookup::OlderBillUnpaid => None,
    };
    let unknown = rules::error_by_code("unknown_error");
    match bill {
        Some(_) if st.paid_bills.contains(&key) => {
            BillCheck::Refused(TxError::with_message(unknown, BILL_NOT_FOUND))
        }
        None => BillCheck::Refused(TxError::with_message(unknown, BILL_NOT_FOUND)),
        Some(b) if b.amount != amount => BillCheck::Refused(TxError::with_message(
            unknown,
            format!(
                "Le montant de la facture #{reference} ({} CFA) est different du montant soumis ({amount} CFA)",
                b.amount
            ),
        )),
        Some(_) => BillCheck::Payable,
    }
}

/// What an operation that throws after creating its transaction says (outcome 89).
const EXCEPTION_AFTER_CREATION: &str =
    "Cannot read properties of undefined (reading 'transactionId')";

pub(crate) async fn operation(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = match read_post(&shared, &headers, &body) {
        Ok(map) => map,
        Err(rejected) => return *rejected,
    };
    let key_ok = key_matches(&shared, &headers, Some(&map));
    if moneygram::is_operation(&map) && key_ok {
        return moneygram::operation(shared, map).await;
    }
    // The server converts the amount before validating anything: an unknown currency
    // throws there (HTTP 500), and nothing is created.
    let currency = match rules::currency(&map) {
        Ok(currency) => currency,
        Err(message) => {
            return reply::exception(StatusCode::INTERNAL_SERVER_ERROR, &message);
        }
    };
    // A bad key is one more field error (`apiKey`), as the server's validation says it.
    let checked = match rules::check_operation(&map, currency) {
        Ok(input) if key_ok => Ok(input),
        Ok(_) => Err(FieldErrors::new()),
        Err(errors) => Err(errors),
    }
    .map_err(|mut errors| {
        if !key_ok {
            rules::push(&mut errors, "apiKey", "Le clee API est invalide".into());
        }
        errors
    });
    let mut fx = Effects::default();
    let (reply_body, created) = {
        let mut st = shared.lock();
        if key_ok && let Some(ext) = map.get("externalTransactionId").and_then(Value::as_str) {
            *st.attempts.entry(ext.trim().to_owned()).or_insert(0) += 1;
        }
        let input = match checked {
            Ok(input) => input,
            Err(errors) => return validation_error(&errors),
        };
        if st.by_ext.contains_key(&input.ext) {
            let mut errors = FieldErrors::new();
            rules::push(
                &mut errors,
                "apiKey",
                "Duplication du external transaction ID".into(),
            );
            return validation_error(&errors);
        }
        let bill = match (&input.account_number, &input.bill_reference) {
            (Some(account), Some(reference)) => {
                match check_bill(&st, input.service.code, account, reference, input.amount) {
                    BillCheck::Payable => None,
                    BillCheck::Refused(error) => Some(error),
                    BillCheck::InPayment => {
                        let mut errors = FieldErrors::new();
                        rules::push(
                            &mut errors,
                            "billReference",
                            "Un paiement de cette facture est déjà en cours".into(),
                        );
                        return validation_error(&errors);
                    }
                }
            }
            _ => None,
        };
        let at = Instant::now();
        if let Some(response) = refused_before_creation(&shared, &mut st, &input, at) {
            return response;
        }
        let om_qr = input.use_om_qr;
        let account = input.account_number.clone();
        let created = lifecycle::create_intech(&mut st, &shared.config, input, bill, at, &mut fx);
        let body = match st.intech.get(&created.tid) {
            Some(tx) => operation_reply(
                &shared.base_url,
                tx,
                created.refusal.as_ref(),
                om_qr,
                account.as_deref(),
            ),
            None => Vec::new(),
        };
        (body, created)
    };
    fx.run(&shared);

    if created.refusal.is_some() {
        return reply::json_bytes(StatusCode::CREATED, reply_body);
    }
    match created.outcome {
        Outcome::SlowReply => {
            tokio::select! {
                _ = tokio::time::sleep(shared.config.slow_reply) => {}
                _ = shared.stopping() => {}
            }
        }
        Outcome::CallbackFirst => {
            if let Some(first) = created.first_callback {
                tokio::select! {
                    _ = first => {}
                    _ = shared.stopping() => {}
                }
            }
        }
        Outcome::ServerError => return pages::server_error(),
        Outcome::Exception => {
            return reply::exception(StatusCode::INTERNAL_SERVER_ERROR, EXCEPTION_AFTER_CREATION);
        }
        Outcome::TruncatedReply => {
            let mut cut = reply_body;
            cut.truncate(cut.len() / 2);
            return reply::json_bytes(StatusCode::CREATED, cut);
        }
        _ => {}
    }
    reply::json_bytes(StatusCode::CREATED, reply_body)
}

/// Woyofal's 20-digit recharge code, derived from the transaction (deterministic).
pub(crate) fn woyofal_code(tid: &str) -> String {
    let digest = Sha256::digest(format!("woyofal|{tid}").as_bytes());
    digest
        .iter()
        .take(20)
        .map(|b| char::from(b'0' + b % 10))
        .collect()
}

/// The sandbox's flat Woyofal tariff: 100 FCFA per kWh, to one decimal.
pub(crate) fn woyofal_kwh(amount: i64) -> f64 {
    (amount as f64 / 10.0).round() / 10.0
}

/// The serialised reply to an operation: the seed's success shape with the service's
/// extras, or its refusal shape.
fn operation_reply(
    base_url: &str,
    tx: &IntechTx,
    refusal: Option<&TxError>,
    om_qr: bool,
    account: Option<&str>,
) -> Vec<u8> {
    let code = tx.service.code;
    let mut out = OperationOut::of(tx);
    if let Some(error) = refusal {
        out.status = Status::Failled.as_str();
        out.error_type = Some(Some(FullError::new(error, code)));
        return reply::envelope_bytes(4000, &error.message, true, out);
    }
    let link = format!("{base_url}/deep/{}", tx.tid);
    let validate = |link: &str| {
        format!(
            "Bonjour, cliquez sur le lien suivant pour valider le paiement de {} FCFA : {link} (Expire dans 15 minutes)",
            tx.amount
        )
    };
    let cash_out = tx.service.type_operation == TypeOperation::Credit;
    if cash_out && code.starts_with("WAVE_") {
        out.notification_message = Some(validate(&link));
        out.be_removed_wave_launch_url = Some(format!("wave://capture/{link}"));
        out.deep_link_url = Some(link);
    } else if cash_out && code.starts_with("ORANGE_") && om_qr {
        out.notification_message = Some(validate(&link));
        out.deep_link_url = Some(link);
    } else if cash_out && code.starts_with("ORANGE_") {
        out.notification_message = Some(format!(
            "Bonjour, pour valider le paiement de {} FCFA, composez le #144# sur votre téléphone \
             Orange Money puis suivez les instructions (Expire dans 15 minutes)",
            tx.amount
        ));
    } else if code == "BANK_CARD_API_CASH_OUT" {
        out.notification_message = Some(validate(&link));
        out.order_id = Some(format!("INTECHV2-BK-{}", tx.tid));
        out.auth_link_url = Some(link);
    } else if code == "WOYOFAL_SN_BILL_RELOAD" && tx.status == Status::Success {
        // Woyofal answers at once with the meter's code.
        let recharge = woyofal_code(&tx.tid);
        let kwh = woyofal_kwh(tx.amount);
        let groups: Vec<&str> = (0..recharge.len())
            .step_by(4)
            .map(|i| &recharge[i..i + 4])
            .collect();
        out.status = Status::Success.as_str();
        out.notification_message = Some(format!(
            "Votre code Woyofal est : {} ({kwh} kWh) pour le compteur {}",
            groups.join(" "),
            account.unwrap_or_default()
        ));
        out.woyofal_code = Some(recharge);
        out.woyofal_kwh = Some(kwh);
    } else if code.ends_with("_BILL_RELOAD") {
        out.notification_message = Some(format!(
            "Votre recharge {} de {} FCFA pour le numéro {} est en cours de traitement",
            tx.service.name,
            tx.amount,
            account.unwrap_or_default()
        ));
    }
    let msg = if code == "WHATSAPP_MESSAGING" {
        out.error_type = Some(None);
        let digits = tx.phone.trim_start_matches('+');
        format!("Le message a bien été envoyé a {digits}@c.us (+{digits})")
    } else {
        OPERATION_MSG.to_owned()
    };
    out.fees = Some(0);
    reply::envelope_bytes(2000, &msg, false, out)
}
