//! MoneyGram: reception and send information.

use super::*;

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
