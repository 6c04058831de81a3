//! Intech API V2 under `/api-services`: authentication (the key in a header or in the
//! body, optional HMAC), the ten endpoints, and the reply-side outcomes (slow, 500,
//! exception, truncated, callback first).
//!
//! Here the authentication and the server's fixed words; the endpoints by job in
//! `catalogue` (services, errors, balance, bills), `operations` (the operation and its
//! reply), `followup` (status, claims, refunds) and `transfers` (MoneyGram).

mod catalogue;
mod followup;
mod operations;
mod transfers;

pub(crate) use catalogue::*;
pub(crate) use followup::*;
pub(crate) use operations::*;
pub(crate) use transfers::*;

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
