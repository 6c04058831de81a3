//! One value at a time: a phone number in the operator's format, an amount within the
//! rules, a bill's account number; and what the shop adds to every operation (its name,
//! the return address).

use std::collections::BTreeMap;

use super::*;
use crate::catalog::services::{Country, ServiceInfo, TypeOperation};
use crate::money::group_thousands;

/// The most a single sale may carry (a wallet's usual ceiling).
pub const MAX_AMOUNT: i64 = 2_000_000;

/// The amount multiple the operator requires, if any.
pub fn amount_multiple(code: &str) -> Option<i64> {
    if code.starts_with("WAVE_") {
        Some(5)
    } else if code.starts_with("ORANGE_") && code.contains("_API_") {
        Some(50)
    } else if code.contains("_AIRTIME_") {
        Some(100)
    } else {
        None
    }
}

/// Services whose phone is in international form (`+221…` for WhatsApp, `221…` otherwise).
pub(super) fn international(code: &str) -> bool {
    matches!(
        code,
        "WHATSAPP_MESSAGING" | "BANK_CARD_API_CASH_OUT" | "BANK_TRANSFER_SN_API_CASH_IN"
    )
}

/// Normalises a phone for a service of `country`: national form (9 digits in Senegal,
/// 10 in Côte d'Ivoire), or international where the service needs it.
pub fn normalize_phone(code: &str, country: Country, input: &str) -> Result<String, String> {
    normalize_phone_in(Lang::Fr, code, country, input)
}

/// [`normalize_phone`] with its message in `lang`.
pub fn normalize_phone_in(
    lang: Lang,
    code: &str,
    country: Country,
    input: &str,
) -> Result<String, String> {
    let mut digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let (prefix, len, starts): (&str, usize, &[&str]) = match country {
        Country::Senegal => ("221", 9, &["70", "75", "76", "77", "78"]),
        Country::CoteDIvoire => ("225", 10, &["01", "05", "07"]),
    };
    for lead in ["+", "00"] {
        if let Some(rest) = digits.strip_prefix(lead) {
            digits = rest.to_owned();
        }
    }
    if digits.len() == len + prefix.len()
        && let Some(rest) = digits.strip_prefix(prefix)
    {
        digits = rest.to_owned();
    }
    let example = match country {
        Country::Senegal => "77 245 71 99",
        Country::CoteDIvoire => "07 12 34 56 78",
    };
    if !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() != len {
        return Err(match lang {
            Lang::Fr => format!("numéro invalide : {len} chiffres attendus (exemple : {example})"),
            Lang::En => format!("invalid number: {len} digits expected (for example {example})"),
        });
    }
    if !starts.iter().any(|s| digits.starts_with(s)) {
        return Err(match lang {
            Lang::Fr => format!(
                "numéro invalide : il doit commencer par {} (exemple : {example})",
                starts.join(", ")
            ),
            Lang::En => format!(
                "invalid number: it must start with {} (for example {example})",
                starts.join(", ")
            ),
        });
    }
    Ok(match code {
        "WHATSAPP_MESSAGING" => format!("+{prefix}{digits}"),
        c if international(c) => format!("{prefix}{digits}"),
        _ => digits,
    })
}

/// Checks an amount for a service; `balance` (when known) blocks a debit above it.
pub fn check_amount(
    service: &ServiceInfo,
    amount: i64,
    balance: Option<f64>,
) -> Result<(), String> {
    check_amount_in(Lang::Fr, service, amount, balance)
}

/// [`check_amount`] with its message in `lang`.
pub fn check_amount_in(
    lang: Lang,
    service: &ServiceInfo,
    amount: i64,
    balance: Option<f64>,
) -> Result<(), String> {
    let fr = lang == Lang::Fr;
    if amount <= 0 {
        return Err(lang
            .tr(
                "le montant doit être supérieur à zéro",
                "the amount must be above zero",
            )
            .into());
    }
    if amount > MAX_AMOUNT {
        let max = group_thousands(MAX_AMOUNT);
        return Err(if fr {
            format!("montant trop élevé : au plus {max} FCFA par opération")
        } else {
            format!("amount too high: at most {max} FCFA per operation")
        });
    }
    if let Some(m) = amount_multiple(service.code)
        && amount % m != 0
    {
        return Err(if fr {
            format!("le montant doit être un multiple de {m} FCFA pour ce service")
        } else {
            format!("the amount must be a multiple of {m} FCFA for this service")
        });
    }
    if service.type_operation == TypeOperation::Debit
        && let Some(balance) = balance
        && amount as f64 > balance
    {
        let b = group_thousands(balance.floor() as i64);
        return Err(if fr {
            format!("solde insuffisant : le solde de la boutique est de {b} FCFA")
        } else {
            format!("insufficient balance: the shop's balance is {b} FCFA")
        });
    }
    Ok(())
}

/// What the server demands that the cashier does not type, set by the shop (never by the
/// caller: validation refused any field the service does not define):
/// * `sender` for Wave SN and Orange Money SN (optional for Wave: the shop's name anyway);
/// * the redirect URLs where the server requires them (Wave SN and card cash-outs, Orange
///   Money cash-outs);
/// * for bills and reloads, `billAccountNumber`, the field the server reads, beside the
///   doc's `accountNumber`;
/// * for a card, `merchantName` (letters only, 3 to 15) and `bankAuthRedirectUrl`; for a
///   card or a bank transfer, an `operationDescription` of at least 20 characters.
pub fn shop_fields(
    service: &str,
    shop_name: &str,
    redirect_url: &str,
    fields: &mut BTreeMap<String, String>,
) {
    let mut set = |k: &str, v: &str| {
        fields.insert(k.to_owned(), v.to_owned());
    };
    if service.starts_with("WAVE_SN_") || service == "ORANGE_SN_API_CASH_OUT" {
        set("sender", shop_name);
    }
    if matches!(
        service,
        "WAVE_SN_API_CASH_OUT"
            | "ORANGE_SN_API_CASH_OUT"
            | "ORANGE_CI_API_CASH_OUT"
            | "BANK_CARD_API_CASH_OUT"
    ) {
        set("successRedirectUrl", redirect_url);
        set("errorRedirectUrl", redirect_url);
    }
    if service == "BANK_CARD_API_CASH_OUT" {
        set("bankAuthRedirectUrl", redirect_url);
        set("merchantName", &merchant_name(shop_name));
    }
    if matches!(
        service,
        "BANK_CARD_API_CASH_OUT" | "BANK_TRANSFER_SN_API_CASH_IN"
    ) {
        set("operationDescription", &operation_description(shop_name));
    }
    if (service.ends_with("_BILL_PAY") || service.ends_with("_BILL_RELOAD"))
        && let Some(account) = fields.get("accountNumber").cloned()
    {
        fields.insert("billAccountNumber".into(), account);
    }
}

/// The shop's name as the card gateway accepts it: letters only, 3 to 15 of them.
pub fn merchant_name(shop_name: &str) -> String {
    let letters: String = shop_name
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .take(15)
        .collect();
    if letters.len() >= 3 {
        letters
    } else {
        "Caisse".into()
    }
}

/// A description of at least 20 characters, as the server demands for cards and transfers.
pub fn operation_description(shop_name: &str) -> String {
    let text = format!("Paiement au comptoir {}", shop_name.trim());
    format!("{text:.<20}")
}

/// A bill or reload account (contract, meter, card number…): letters and digits, 5 to 20,
/// as Intech's server checks `billAccountNumber`. One rule for the bill screen, the entry
/// form and `caisse bills`.
pub fn bill_account(lang: Lang, input: &str) -> Result<String, String> {
    let v = input.trim();
    if (5..=20).contains(&v.chars().count()) && v.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(v.to_owned())
    } else {
        Err(lang
            .tr(
                "5 à 20 lettres ou chiffres, sans espace",
                "5 to 20 letters or digits, no space",
            )
            .into())
    }
}
