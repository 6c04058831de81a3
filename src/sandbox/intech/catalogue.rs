//! Catalogue, error list, balance and pending bills.

use super::*;

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
