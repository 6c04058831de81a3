//! After the operation: its status, claims, refunds.

use super::*;

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
