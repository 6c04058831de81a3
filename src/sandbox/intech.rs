//! Intech API V2 under `/api-services`: authentication (header on GET, body on POST,
//! optional HMAC), the ten endpoints, and the reply-side outcomes (slow, 500, truncated,
//! callback first).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde::Serialize;
use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq;
use tokio::time::Instant;

use super::bills::{self, Lookup};
use super::callbacks::FullError;
use super::lifecycle::{self, Effects};
use super::moneygram;
use super::pages;
use super::reply::{self, envelope, iso, now, refusal, validation_error};
use super::rules::{self, FieldErrors, Outcome, whole_number};
use super::state::{Shared, Status, TxError, tid_key};
use crate::catalog::errors::ERRORS;
use crate::catalog::services::{SERVICES, TypeOperation};
use crate::gateway::intech::signing::{now_ms, verify_hmac};

const OK_MSG: &str = "Successfully operation";
const OPERATION_MSG: &str = "Votre opération s'est effectuée sans erreur, Vous allez recevoir un callback à la fin du traitement de la transaction";
const BAD_KEY: &str = "Clé API invalide";

fn same_key(expected: &str, given: &str) -> bool {
    expected.len() == given.len() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// Why a request was turned away before its endpoint looked at it.
enum Rejected {
    /// 401: bad or missing key, bad or missing HMAC signature.
    Unauthorized(String),
    /// 400: not a JSON object.
    BadJson,
}

impl Rejected {
    fn into_response(self) -> Response {
        match self {
            Rejected::Unauthorized(msg) => {
                envelope(StatusCode::UNAUTHORIZED, 4000, &msg, true, Value::Null)
            }
            Rejected::BadJson => envelope(
                StatusCode::BAD_REQUEST,
                4000,
                "Le corps de la requête doit être un objet JSON valide",
                true,
                Value::Null,
            ),
        }
    }
}

/// GET: the `Secretkey` header.
fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    let given = headers.get("secretkey").and_then(|v| v.to_str().ok());
    given.is_some_and(|key| same_key(&shared.config.api_key, key.trim()))
}

/// POST: the HMAC headers when configured, a JSON object body, its `apiKey`.
fn check_post(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, Rejected> {
    if let Some(secret) = &shared.config.hmac_secret {
        let signature = headers.get("hmac-signature").and_then(|v| v.to_str().ok());
        let timestamp = headers.get("timestamp").and_then(|v| v.to_str().ok());
        if let Err(e) = verify_hmac(secret, "POST", signature, timestamp, body, now_ms()) {
            return Err(Rejected::Unauthorized(format!(
                "Signature HMAC refusée : {e}"
            )));
        }
    }
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Err(Rejected::BadJson);
    };
    match map.get("apiKey").and_then(Value::as_str) {
        Some(key) if same_key(&shared.config.api_key, key) => Ok(map),
        _ => Err(Rejected::Unauthorized(BAD_KEY.to_owned())),
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
    if !authorized(&shared, &headers) {
        return Rejected::Unauthorized(BAD_KEY.to_owned()).into_response();
    }
    reply::json_bytes(StatusCode::OK, shared.services_body.clone())
}

pub(crate) async fn errors(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !authorized(&shared, &headers) {
        return Rejected::Unauthorized(BAD_KEY.to_owned()).into_response();
    }
    reply::json_bytes(StatusCode::OK, shared.errors_body.clone())
}

#[derive(Serialize)]
struct BalanceOut {
    currency: &'static str,
    balance: f64,
}

pub(crate) async fn balance(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !authorized(&shared, &headers) {
        return Rejected::Unauthorized(BAD_KEY.to_owned()).into_response();
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
struct BillsOut {
    status: &'static str,
    pending_bills: InnerBills,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InnerBills {
    success: bool,
    pending_bills: Vec<bills::Bill>,
}

pub(crate) async fn pending_bills(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = match check_post(&shared, &headers, &body) {
        Ok(map) => map,
        Err(rejected) => return rejected.into_response(),
    };
    let mut errors = FieldErrors::new();
    let code = rules::required_string(&map, "codeService", &mut errors);
    if let Some(code) = &code
        && !code.ends_with("_BILL_PAY")
    {
        rules::push(
            &mut errors,
            "codeService",
            format!("Le service {code} ne propose pas de factures (services *_BILL_PAY seulement)"),
        );
    }
    let account = rules::required_string(&map, "billAccountNumber", &mut errors);
    if account
        .as_deref()
        .is_some_and(|a| !rules::is_account_number(a))
    {
        rules::push(
            &mut errors,
            "billAccountNumber",
            "Le champ billAccountNumber doit contenir 8 à 20 lettres ou chiffres".into(),
        );
    }
    let (Some(code), Some(account), true) = (code, account, errors.is_empty()) else {
        return validation_error(&errors);
    };
    match bills::lookup(&code, &account) {
        // The seed shows this refusal with `error: false`.
        Lookup::OlderBillUnpaid => envelope(
            StatusCode::CREATED,
            4000,
            bills::OLDER_BILL_MESSAGE,
            false,
            json!({ "status": "FAILLED", "pendingBills": [] }),
        ),
        Lookup::Bills(mut list) => {
            {
                let st = shared.lock();
                list.retain(|b| {
                    !st.paid_bills
                        .contains(&bills::key(&code, &account, &b.bill_reference))
                });
            }
            let msg = format!("{} en attente(s) non payée pour cette facture", list.len());
            envelope(
                StatusCode::CREATED,
                2000,
                &msg,
                false,
                BillsOut {
                    status: "SUCCESS",
                    pending_bills: InnerBills {
                        success: true,
                        pending_bills: list,
                    },
                },
            )
        }
    }
}

/// The `data` of an operation reply (accepted or refused).
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
    notification_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deep_link_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_link_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    /// Temporary in the real API: clients must not rely on it.
    #[serde(
        rename = "_be_removed_waveLaunchUrl",
        skip_serializing_if = "Option::is_none"
    )]
    be_removed_wave_launch_url: Option<String>,
    /// Refusals: the operator's error. WhatsApp: `null`, as in the seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    error_type: Option<Option<FullError>>,
    /// An extra field the documentation does not list: clients must tolerate it.
    #[serde(skip_serializing_if = "Option::is_none")]
    fees: Option<i64>,
}

pub(crate) async fn operation(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = match check_post(&shared, &headers, &body) {
        Ok(map) => map,
        Err(rejected) => return rejected.into_response(),
    };
    if moneygram::is_operation(&map) {
        return moneygram::operation(shared, map).await;
    }
    let checked = rules::check_operation(&map);
    let mut fx = Effects::default();
    let (reply_body, created) = {
        let mut st = shared.lock();
        if let Some(ext) = map.get("externalTransactionId").and_then(Value::as_str) {
            *st.attempts.entry(ext.trim().to_owned()).or_insert(0) += 1;
        }
        let input = match checked {
            Ok(input) => input,
            Err(errors) => return validation_error(&errors),
        };
        if st.by_ext.contains_key(&input.ext) {
            return refusal("externalTransactionId déjà utilisé");
        }
        if let (Some(account), Some(reference)) = (&input.account_number, &input.bill_reference) {
            let code = input.service.code;
            let key = bills::key(code, account, reference);
            let bill = match bills::lookup(code, account) {
                Lookup::Bills(list) => list.into_iter().find(|b| &b.bill_reference == reference),
                Lookup::OlderBillUnpaid => None,
            };
            let mut errors = FieldErrors::new();
            match bill {
                _ if st.paid_bills.contains(&key) => rules::push(
                    &mut errors,
                    "billReference",
                    "Cette facture est déjà payée".into(),
                ),
                None => rules::push(
                    &mut errors,
                    "billReference",
                    "Aucune facture en attente avec cette référence pour ce compte".into(),
                ),
                Some(_) if st.bills_in_flight.contains_key(&key) => rules::push(
                    &mut errors,
                    "billReference",
                    "Un paiement de cette facture est déjà en cours".into(),
                ),
                Some(b) if b.amount != input.amount => rules::push(
                    &mut errors,
                    "amount",
                    format!("Le montant doit être celui de la facture : {}", b.amount),
                ),
                Some(_) => {}
            }
            if !errors.is_empty() {
                return validation_error(&errors);
            }
        }
        let om_qr = input.use_om_qr;
        let created =
            lifecycle::create_intech(&mut st, &shared.config, input, Instant::now(), &mut fx);
        let body = match st.intech.get(&created.tid) {
            Some(tx) => operation_reply(&shared.base_url, tx, created.refusal.as_ref(), om_qr),
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
        Outcome::TruncatedReply => {
            let mut cut = reply_body;
            cut.truncate(cut.len() / 2);
            return reply::json_bytes(StatusCode::CREATED, cut);
        }
        _ => {}
    }
    reply::json_bytes(StatusCode::CREATED, reply_body)
}

/// The serialised reply to an operation: the seed's success shape with the service's
/// extras, or its refusal shape.
fn operation_reply(
    base_url: &str,
    tx: &super::state::IntechTx,
    refusal: Option<&TxError>,
    om_qr: bool,
) -> Vec<u8> {
    let code = tx.service.code;
    let mut out = OperationOut {
        phone: &tx.phone,
        amount: tx.amount,
        code_service: code,
        transaction_id: &tx.tid,
        status: Status::Pending.as_str(),
        external_transaction_id: &tx.ext,
        callback_url: &tx.callback_url,
        notification_message: None,
        deep_link_url: None,
        auth_link_url: None,
        order_id: None,
        be_removed_wave_launch_url: None,
        error_type: None,
        fees: None,
    };
    if let Some(error) = refusal {
        out.status = Status::Failled.as_str();
        out.error_type = Some(Some(FullError::new(error, code)));
        return reply::envelope_bytes(4000, error.message, true, out);
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
    error_type: Option<ShortError>,
}

#[derive(Serialize)]
struct ShortError {
    code: &'static str,
    message: &'static str,
}

pub(crate) async fn transaction_status(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = match check_post(&shared, &headers, &body) {
        Ok(map) => map,
        Err(rejected) => return rejected.into_response(),
    };
    let mut errors = FieldErrors::new();
    let Some(ext) = rules::required_string(&map, "externalTransactionId", &mut errors) else {
        return validation_error(&errors);
    };
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
            "Transaction introuvable",
            true,
            Value::Null,
        );
    };
    tx.status_calls += 1;
    let out = StatusOut {
        transaction_id: tx.tid.parse().unwrap_or(0),
        created_at: iso(tx.created_at),
        updated_at: iso(tx.updated_at),
        external_transaction_id: &tx.ext,
        status: tx.status.as_str(),
        error_type: tx.error.map(|e| ShortError {
            code: e.info.code,
            message: e.message,
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
    subject: &'a str,
    message: &'a str,
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

pub(crate) async fn new_claim(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = match check_post(&shared, &headers, &body) {
        Ok(map) => map,
        Err(rejected) => return rejected.into_response(),
    };
    let mut errors = FieldErrors::new();
    let subject = rules::required_string(&map, "subject", &mut errors);
    let message = rules::required_string(&map, "message", &mut errors);
    let tid = match map.get("transactionId") {
        None | Some(Value::Null) => {
            rules::missing(&mut errors, "transactionId");
            None
        }
        Some(v) => tid_key(v),
    };
    let mut st = shared.lock();
    let known = tid.as_ref().filter(|t| st.intech.contains_key(t.as_str()));
    if known.is_none() && !errors.contains_key("transactionId") {
        rules::push(
            &mut errors,
            "transactionId",
            "Aucune transaction ne porte cet identifiant".into(),
        );
    }
    let (Some(subject), Some(message), Some(tid), true) =
        (subject, message, known.cloned(), errors.is_empty())
    else {
        drop(st);
        return validation_error(&errors);
    };
    let (id, claim_ref) = st.new_claim();
    drop(st);
    let stamp = iso(now());
    let claim = Claim {
        statut: "OPENED",
        subject: &subject,
        message: &message,
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

pub(crate) async fn refund_cancel(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let map = match check_post(&shared, &headers, &body) {
        Ok(map) => map,
        Err(rejected) => return rejected.into_response(),
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
            None => Err("Transaction introuvable".to_owned()),
            Some(tx) if tx.service.type_operation != TypeOperation::Credit => Err(format!(
                "Le transaction {} ne peut pas être remboursée : seuls les paiements reçus (CREDIT) le sont",
                tx.service.name
            )),
            Some(tx) if tx.status == Status::Refunded => {
                Err("Cette transaction a déjà été remboursée".to_owned())
            }
            Some(tx) if tx.status != Status::Success => Err(format!(
                "Seule une transaction réussie peut être remboursée (statut actuel : {})",
                tx.status.as_str()
            )),
            Some(tx) if (tx.amount as f64) > balance => {
                Err("Solde insuffisant pour effectuer le remboursement".to_owned())
            }
            Some(tx) => {
                tx.status = Status::Refunded;
                tx.updated_at = now();
                let (name, amount) = (tx.service.name, tx.amount);
                st.balance -= amount as f64;
                Ok(format!(
                    "Le transaction {name} de {amount} CFA a bien été remboursé"
                ))
            }
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
    let map = match check_post(&shared, &headers, &body) {
        Ok(map) => map,
        Err(rejected) => return rejected.into_response(),
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
    let map = match check_post(&shared, &headers, &body) {
        Ok(map) => map,
        Err(rejected) => return rejected.into_response(),
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
