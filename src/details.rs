//! What a gateway's reply carried for the cashier and the customer (a Woyofal code and its
//! kWh, the amount in another currency, a MoneyGram reference), as label / value lines in
//! French: one wording for the success screen, `caisse pay` and the receipt.

use serde_json::Value;

use crate::money::group_thousands;

/// A 20-digit Woyofal code as the customer types it on the meter: groups of four.
pub fn woyofal_code(code: &str) -> String {
    let digits: Vec<char> = code.chars().filter(|c| !c.is_whitespace()).collect();
    digits
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The lines to show of a row's `details`, in a fixed order.
pub fn lines(details: &Value) -> Vec<(&'static str, String)> {
    let get = |k: &str| details.get(k).and_then(text);
    let mut out = Vec::new();
    if let Some(code) = get("woyofalCode") {
        out.push(("Code Woyofal", woyofal_code(&code)));
    }
    if let Some(kwh) = get("woyofalKwh") {
        out.push(("Énergie", format!("{kwh} kWh")));
    }
    if let Some(reference) = get("referenceNumber") {
        out.push(("Référence MoneyGram", reference));
    }
    let currency = get("currency").filter(|c| !c.eq_ignore_ascii_case("XOF"));
    if let (Some(currency), Some(amount)) = (currency, get("amountInCurrency")) {
        out.push((
            "Montant",
            format!("{amount} {}", currency.to_ascii_uppercase()),
        ));
    }
    let foreign = details
        .get("currency")
        .and_then(Value::as_str)
        .is_some_and(|c| !c.eq_ignore_ascii_case("XOF"));
    if let Some(xof) = details.get("amountXof").and_then(Value::as_f64)
        && foreign
    {
        out.push((
            "Montant en FCFA",
            format!("{} FCFA", group_thousands(xof.floor() as i64)),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_woyofal_code_reads_in_groups_of_four_with_its_kwh() {
        let d = json!({"woyofalCode": "12345678901234567890", "woyofalKwh": 12.4});
        assert_eq!(
            lines(&d),
            [
                ("Code Woyofal", "1234 5678 9012 3456 7890".to_owned()),
                ("Énergie", "12.4 kWh".to_owned())
            ]
        );
    }

    #[test]
    fn another_currency_is_shown_with_its_amount_in_fcfa() {
        let d = json!({"currency": "GMD", "amountInCurrency": 100, "amountXof": 885.5});
        assert_eq!(
            lines(&d),
            [
                ("Montant", "100 GMD".to_owned()),
                ("Montant en FCFA", "885 FCFA".to_owned())
            ]
        );
        assert!(lines(&json!({"currency": "XOF", "amountXof": 1000})).is_empty());
        assert!(lines(&Value::Null).is_empty());
    }
}
