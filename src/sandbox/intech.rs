//! Intech API V2 under `/api-services`: authentication (the key in a header or in the
//! body, optional HMAC), the ten endpoints, and the reply-side outcomes (slow, 500,
//! exception, truncated, callback first).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::time::Instant;

use super::bills::{self, Lookup};
use super::callbacks::FullError;
use super::lifecycle::{self, Effects};
use super::moneygram;
use super::pages;
use super::reply::{self, auth_needed, envelope, iso, now, refusal, validation_error};
use super::rules::{self, FieldErrors, Outcome, whole_number};
use super::signing;
use super::state::{DuplicateKey, IntechTx, Shared, Status, TxError, tid_key};
use crate::catalog::errors::ERRORS;
use crate::catalog::services::{SERVICES, TypeOperation};

const OK_MSG: &str = "Successfully operation";
const OPERATION_MSG: &str = "Votre opération s'est effectuée sans erreur, Vous allez recevoir un callback à la fin du traitement de la transaction";

// The server's own words for its named refusals (code 4000), as its code writes them.
const TRANSACTION_NOT_FOUND: &str = "La transaction est introuvable";
const ALREADY_OPENED_CLAIM: &str = "Une reclamation est deja en cours pour cette transaction";
const SERVICE_DOWN: &str = "Le services est indisponible pour le moment(pho)";
const SAME_TRANSACTION_WITHIN_ONE_MINUTE_INTERVAL: &str =
    "Vous venez de faire le meme transaction en moins d'une minute d'interval sur intech api";
const ACCOUNT_NO_ENABLED_FOR_PRODUCTION: &str = "Le compte n'est pas autorisé a faire des transaction au dela de 300 CFA, Veuillez contacter le support pour faire des transaction en production";
const NOT_FOUND: &str = "Les ressources demandés n'existent pas";
const REFUND_NOT_WIRED: &str = "Cette fonctionnalité n'est pas encore disponible pour ce Service";
const REFUND_BAD_STATUS: &str =
    "Le statut de la transaction ne permet pas de proceder a son remboursmeent";
const REFUND_ALREADY: &str = "Le transaction a deja ete rembourse";
const REFUND_NO_BALANCE: &str =
    "Le solde du compte du partenaire permet pas de faire ce remboursement";
const BILL_NOT_FOUND: &str = "La facture que vous essayer de payer est introuvable";

fn same_key(expected: &str, given: &str) -> bool {
    expected.len() == given.len() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// Whether the request presents the key wherever one server version or the other reads
/// it: the `Secretkey` header (header names are case-insensitive, so `secretkey` too),
/// `secret-key`, or the body's `apiKey`.
fn key_matches(shared: &Shared, headers: &HeaderMap, body: Option<&Map<String, Value>>) -> bool {
    let expected = &shared.config.api_key;
    let in_header = ["secretkey", "secret-key"]
        .iter()
        .filter_map(|name| headers.get(*name))
        .filter_map(|v| v.to_str().ok())
        .any(|key| same_key(expected, key.trim()));
    let in_body = body
        .and_then(|map| map.get("apiKey"))
        .and_then(Value::as_str)
        .is_some_and(|key| same_key(expected, key));
    in_header || in_body
}

/// Every POST: the HMAC headers when configured (401), then a JSON object body (an empty
/// body reads as `{}`, as the server's body parser gives it; anything else is the
/// parser's exception: HTTP 400 in the exception envelope). The key is each endpoint's
/// business: their refusals differ.
fn read_post(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, Box<Response>> {
    if let Some(secret) = &shared.config.hmac_secret {
        let signature = headers.get("hmac-signature").and_then(|v| v.to_str().ok());
        let timestamp = headers.get("timestamp").and_then(|v| v.to_str().ok());
        if let Err(e) = signing::check(secret, signature, timestamp, body, signing::now_ms()) {
            return Err(Box::new(envelope(
                StatusCode::UNAUTHORIZED,
                4000,
                &format!("Signature HMAC refusée : {e}"),
                true,
                Value::Null,
            )));
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    let refused = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => return Ok(map),
        Ok(_) => reply::exception(
            StatusCode::BAD_REQUEST,
            "Le corps de la requête doit être un objet JSON",
        ),
        Err(e) => reply::exception(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    Err(Box::new(refused))
}

/// A POST that needs the key (OPERATION_AUTH_NEED otherwise).
fn authenticated_post(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, Box<Response>> {
    let map = read_post(shared, headers, body)?;
    if key_matches(shared, headers, Some(&map)) {
        Ok(map)
    } else {
        Err(Box::new(auth_needed(StatusCode::CREATED)))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceOut<'a> {
    name: &'a str,
    icon: String,
    code_service: &'a str,
    type_operation: &'a str,
    type_service: &'a str,
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    id: Option<u32>,
    code: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct ListReply<T: Serialize> {
    success: bool,
    services: T,
}

/// The constant bodies of `GET /services` and `GET /errors`.
pub(crate) fn catalogue_bodies(base_url: &str) -> (Bytes, Bytes) {
    let services: Vec<ServiceOut> = SERVICES
        .iter()
        .map(|s| ServiceOut {
            name: s.name,
            icon: format!("{base_url}/icons/{}.svg", s.icon),
            code_service: s.code,
            type_operation: s.type_operation.as_str(),
            type_service: s.type_service,
        })
        .collect();
    let errors: Vec<ErrorOut> = ERRORS
        .iter()
        .map(|e| ErrorOut {
            id: e.id,
            code: e.code,
            message: e.message,
        })
        .collect();
    let services = ListReply {
        success: true,
        services,
    };
    let errors = ListReply {
        success: true,
        services: errors,
    };
    (
        serde_json::to_vec(&services).unwrap_or_default().into(),
        serde_json::to_vec(&errors).unwrap_or_default().into(),
    )
}

pub(crate) async fn services(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !key_matches(&shared, &headers, None) {
        return auth_needed(StatusCode::OK);
    }
    reply::json_bytes(StatusCode::OK, shared.services_body.clone())
}

pub(crate) async fn errors(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !key_matches(&shared, &headers, None) {
        return auth_needed(StatusCode::OK);
    }
    reply::json_bytes(StatusCode::OK, shared.errors_body.clone())
}

#[derive(Serialize)]
struct BalanceOut {
    currency: &'static str,
    balance: f64,
}

pub(crate) async fn balance(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !key_matches(&shared, &headers, None) {
        return auth_needed(StatusCode::OK);
    }
    let balance = shared.lock().balance;
    envelope(
        StatusCode::OK,
        2000,
        OK_MSG,
        false,
        BalanceOut {
            currency: "XOF",
            balance,
        },
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BillsOut<'a> {
    status: &'static str,
    bill_account_number: &'a str,
    pending_bills: Vec<bills::Bill>,
}

/// The doc's shape (`SandboxConfig::nested_bills`): the list nested in `pendingBills`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NestedBillsOut {
    status: &'static str,
    pending_bills: InnerBills,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InnerBills {
    success: bool,
    pending_bills: Vec<bills::Bill>,
}

/// A failed look-up: code 4000 but `error: false`, as the server sends it.
fn bills_failure(msg: &str) -> Response {
    envelope(
        StatusCode::CREATED,
        4000,
        msg,
        false,
        json!({ "status": "FAILLED", "pendingBills": [] }),
    )
}

pub(crate) async fn pending_bills(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = match read_post(&shared, &headers, &body) {
        Ok(map) => map,
        Err(rejected) => return *rejected,
    };
    let mut errors = FieldErrors::new();
    let code = rules::required_string(&map, "codeService", &mut errors);
    // The account as operations read it: `billAccountNumber`, else `accountNumber`.
    let field = match map.get("billAccountNumber") {
        None | Some(Value::Null) if map.contains_key("accountNumber") => "accountNumber",
        _ => "billAccountNumber",
    };
    let account = rules::required_string(&map, field, &mut errors);
    if account
        .as_deref()
        .is_some_and(|a| !rules::is_account_number(a))
    {
        rules::push(
            &mut errors,
            field,
            format!("Le champ {field} doit contenir 5 à 20 lettres ou chiffres"),
        );
    }
    let (Some(code), Some(account), true) = (code, account, errors.is_empty()) else {
        return validation_error(&errors);
    };
    // The server validates first, then looks the partner up.
    if !key_matches(&shared, &headers, Some(&map)) {
        return envelope(
            StatusCode::CREATED,
            4000,
            "Non authentifié",
            true,
            json!({}),
        );
    }
    if !code.ends_with("_BILL_PAY") {
        // Every other service's manager answers its default: "No implemented".
        return bills_failure("No implemented");
    }
    match bills::lookup(&code, &account) {
        Lookup::OlderBillUnpaid => bills_failure(bills::OLDER_BILL_MESSAGE),
        Lookup::Bills(mut list) => {
            {
                let st = shared.lock();
                list.retain(|b| {
                    !st.paid_bills
                        .contains(&bills::key(&code, &account, &b.bill_reference))
                });
            }
            let msg = if list.is_empty() {
                "Aucune facture trouvé pour cette facture".to_owned()
            } else {
                format!("{} en attente(s) non payée pour cette facture", list.len())
            };
            if shared.config.nested_bills {
                let data = NestedBillsOut {
                    status: "SUCCESS",
                    pending_bills: InnerBills {
                        success: true,
                        pending_bills: list,
                    },
                };
                return envelope(StatusCode::CREATED, 2000, &msg, false, data);
            }
            let data = BillsOut {
                status: "SUCCESS",
                bill_account_number: &account,
                pending_bills: list,
            };
            envelope(StatusCode::CREATED, 2000, &msg, false, data)
        }
    }
}

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
    st: &mut super::state::State,
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
    st: &super::state::State,
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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusOut<'a> {
    transaction_id: u64,
    created_at: String,
    updated_at: String,
    external_transaction_id: &'a str,
    status: &'static str,
    error_type: Option<ShortError<'a>>,
}

#[derive(Serialize)]
struct ShortError<'a> {
    code: &'static str,
    message: &'a str,
}

/// `get-transaction-status`: the key in the `Secretkey` header alone is enough (the
/// version of March 2024 reads nothing else), as are the later version's `secret-key`
/// header and body `apiKey`.
pub(crate) async fn transaction_status(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = match authenticated_post(&shared, &headers, &body) {
        Ok(map) => map,
        Err(rejected) => return *rejected,
    };
    // The server searches `externalTransactionId || ''`: a missing one is not found.
    let ext = map
        .get("externalTransactionId")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    let config = &shared.config;
    let allowed = shared.limits().status_call(
        addr.ip(),
        &ext,
        Instant::now(),
        config.status_limit,
        config.status_window,
        config.blacklist_duration,
    );
    if !allowed {
        tracing::warn!(target: "caisse::sandbox", ip = %addr.ip(), "IP mise sur liste noire (get-transaction-status trop fréquent)");
        return pages::forbidden();
    }
    let mut st = shared.lock();
    let Some(tx) = st
        .by_ext
        .get(&ext)
        .cloned()
        .and_then(|tid| st.intech.get_mut(&tid))
    else {
        drop(st);
        return envelope(
            StatusCode::CREATED,
            404,
            NOT_FOUND,
            true,
            json!({ "externalTransactionId": "Transaction partnaire non trouvé" }),
        );
    };
    tx.status_calls += 1;
    let out = StatusOut {
        transaction_id: tx.tid.parse().unwrap_or(0),
        created_at: iso(tx.created_at),
        updated_at: iso(tx.updated_at),
        external_transaction_id: &tx.ext,
        status: tx.status.as_str(),
        error_type: tx.error.as_ref().map(|e| ShortError {
            code: e.info.code,
            message: &e.message,
        }),
    };
    let bytes = reply::envelope_bytes(2000, OK_MSG, false, out);
    drop(st);
    reply::json_bytes(StatusCode::CREATED, bytes)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Claim<'a> {
    statut: &'static str,
    subject: &'a Value,
    message: &'a Value,
    transaction_id: u64,
    opened_at: String,
    created_at: String,
    parteners_id: u32,
    claim_ref: String,
    comment: Option<String>,
    callback_url: Option<String>,
    user_id_open: Option<u32>,
    user_id_close: Option<u32>,
    user_id_comment: Option<u32>,
    updated_at: Option<String>,
    close_at: Option<String>,
    id: u64,
    state: &'static str,
}

/// `new-claim`: the transaction must be the partner's (TRANSACTION_NOT_FOUND) and have no
/// claim open (ALREADY_OPENED_CLAIM); `subject` and `message` are stored as sent, the
/// server does not check them.
pub(crate) async fn new_claim(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = match authenticated_post(&shared, &headers, &body) {
        Ok(map) => map,
        Err(rejected) => return *rejected,
    };
    let tid = map.get("transactionId").and_then(tid_key);
    let mut st = shared.lock();
    let Some(tid) = tid.filter(|t| st.intech.contains_key(t.as_str())) else {
        drop(st);
        return refusal(TRANSACTION_NOT_FOUND);
    };
    if !st.open_claims.insert(tid.clone()) {
        drop(st);
        return refusal(ALREADY_OPENED_CLAIM);
    }
    let (id, claim_ref) = st.new_claim();
    drop(st);
    let stamp = iso(now());
    let null = Value::Null;
    let claim = Claim {
        statut: "OPENED",
        subject: map.get("subject").unwrap_or(&null),
        message: map.get("message").unwrap_or(&null),
        transaction_id: tid.parse().unwrap_or(0),
        opened_at: stamp.clone(),
        created_at: stamp,
        parteners_id: 1,
        claim_ref,
        comment: None,
        callback_url: None,
        user_id_open: None,
        user_id_close: None,
        user_id_comment: None,
        updated_at: None,
        close_at: None,
        id,
        state: "ACTIVED",
    };
    envelope(
        StatusCode::CREATED,
        2000,
        OK_MSG,
        false,
        json!({ "claim": claim }),
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefundOut {
    message: String,
    statut_treatment: &'static str,
}

/// `refund-cancel`, with the server's checks in its order: the transaction exists, it is
/// SUCCESS (REFUNDED: already refunded), a cash-out's refund fits in the partner's balance
/// (the sandbox charges no fee), then the service must be one whose refund is wired
/// ([`rules::refund_operator`]). No callback follows a refund: only
/// `get-transaction-status` shows REFUNDED.
pub(crate) async fn refund_cancel(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = match authenticated_post(&shared, &headers, &body) {
        Ok(map) => map,
        Err(rejected) => return *rejected,
    };
    if let Some(reversed) = moneygram::reversal(&shared, &map) {
        return reversed;
    }
    let tid = map.get("transactionId").and_then(tid_key);
    let outcome = {
        let mut st = shared.lock();
        if let Some(t) = &tid {
            *st.refund_attempts.entry(t.clone()).or_insert(0) += 1;
        }
        let balance = st.balance;
        match tid.as_ref().and_then(|t| st.intech.get_mut(t.as_str())) {
            None => Err(TRANSACTION_NOT_FOUND.to_owned()),
            Some(tx) if tx.status == Status::Refunded => Err(REFUND_ALREADY.to_owned()),
            Some(tx) if tx.status != Status::Success => Err(REFUND_BAD_STATUS.to_owned()),
            Some(tx)
                if tx.service.type_operation == TypeOperation::Credit
                    && (tx.amount as f64) > balance =>
            {
                Err(REFUND_NO_BALANCE.to_owned())
            }
            Some(tx) => match rules::refund_operator(tx.service.code) {
                None => Err(REFUND_NOT_WIRED.to_owned()),
                Some(operator) => {
                    tx.status = Status::Refunded;
                    tx.updated_at = now();
                    let amount = tx.amount;
                    // A cash-out's money goes back to the customer; a cash-in's comes back
                    // to the partner.
                    let delta = match tx.service.type_operation {
                        TypeOperation::Credit => -(amount as f64),
                        TypeOperation::Debit => amount as f64,
                    };
                    st.balance += delta;
                    Ok(format!(
                        "Le transaction {operator} de {amount} CFA a bien été remboursé"
                    ))
                }
            },
        }
    };
    let out = match outcome {
        Ok(message) => RefundOut {
            message,
            statut_treatment: "SUCCESS",
        },
        Err(message) => RefundOut {
            message,
            statut_treatment: "FAILED",
        },
    };
    reply::json(StatusCode::CREATED, &out)
}

pub(crate) async fn moneygram_reception(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = match authenticated_post(&shared, &headers, &body) {
        Ok(map) => map,
        Err(rejected) => return *rejected,
    };
    let mut errors = FieldErrors::new();
    check_code(&map, "MONEYGRAM_SN_API_CASH_OUT", &mut errors);
    let reference = match map.get("referenceNumber") {
        None | Some(Value::Null) => {
            rules::missing(&mut errors, "referenceNumber");
            None
        }
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => None,
    };
    let reference = reference.filter(|r| r.len() == 8 && r.bytes().all(|b| b.is_ascii_digit()));
    if reference.is_none() && !errors.contains_key("referenceNumber") {
        rules::push(
            &mut errors,
            "referenceNumber",
            "Le numéro de référence MoneyGram doit contenir 8 chiffres".into(),
        );
    }
    let (Some(reference), true) = (reference, errors.is_empty()) else {
        return validation_error(&errors);
    };
    envelope(
        StatusCode::CREATED,
        2000,
        "OK",
        false,
        moneygram::reception(&reference, now()),
    )
}

pub(crate) async fn moneygram_send(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = match authenticated_post(&shared, &headers, &body) {
        Ok(map) => map,
        Err(rejected) => return *rejected,
    };
    let mut errors = FieldErrors::new();
    check_code(&map, "MONEYGRAM_SN_API_CASH_IN", &mut errors);
    let amount = map.get("amount").and_then(whole_number).filter(|a| *a > 0);
    if amount.is_none() {
        rules::push(
            &mut errors,
            "amount",
            "Le champ amount doit être un nombre entier positif".into(),
        );
    }
    let send_data = map.get("moneygramSendData").cloned().unwrap_or(Value::Null);
    for (part, fields) in [
        ("senderDetails", ["senderFirstName", "senderLastName"]),
        ("receiverDetails", ["receiverFirstName", "receiverLastName"]),
    ] {
        for field in fields {
            let value = send_data
                .get(part)
                .and_then(|p| p.get(field))
                .and_then(Value::as_str);
            if value.is_none_or(|v| v.trim().is_empty()) {
                rules::push(
                    &mut errors,
                    &format!("moneygramSendData.{part}.{field}"),
                    format!("Le champ {field} est obligatoire"),
                );
            }
        }
    }
    let (Some(amount), true) = (amount, errors.is_empty()) else {
        return validation_error(&errors);
    };
    envelope(
        StatusCode::CREATED,
        2000,
        "OK",
        false,
        moneygram::send(amount, &send_data, now()),
    )
}

fn check_code(map: &Map<String, Value>, expected: &str, errors: &mut FieldErrors) {
    if let Some(code) = rules::required_string(map, "codeService", errors)
        && code != expected
    {
        rules::push(
            errors,
            "codeService",
            format!("Le champ codeService doit valoir {expected}"),
        );
    }
}
