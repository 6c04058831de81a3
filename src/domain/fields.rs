//! Local validation: what Intech's server would refuse is refused here first, in French, so
//! that bad input never leaves the terminal. One declarative list of fields per service
//! (the entry screen draws its form from it), Intram and the MoneyGram look-ups included.
//! A field a service does not define is refused, never passed on: what is sent is only
//! what the journal records.

use std::collections::BTreeMap;

use crate::catalog::services::{self, Country, ServiceInfo, TypeOperation};
use crate::i18n::Lang;
use crate::money::group_thousands;

/// Intech's server refuses an operation identical to one it received less than this ago
/// (same service, phone and amount: `SAME_TRANSACTION_WITHIN_ONE_MINUTE_INTERVAL`). The
/// counter's duplicate guard warns within this window, before the server refuses.
pub const SAME_SALE_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// The service code of a payment through Intram (its payment page).
pub const INTRAM: &str = "INTRAM";
/// MoneyGram: a payout looked up by its reference, a send quoted for its fees.
pub const MONEYGRAM_RECEIVE: &str = "MONEYGRAM_SN_API_CASH_OUT";
pub const MONEYGRAM_SEND: &str = "MONEYGRAM_SN_API_CASH_IN";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// National or international number, per the service.
    Phone,
    /// Whole FCFA.
    Amount,
    /// Letters and digits, 5 to 20 (contract, meter, card, student number…), as the
    /// server checks it.
    AccountNumber,
    /// Any text (the server does not check it), as the bill list gives it.
    BillReference,
    Text,
    Email,
    CardNumber,
    CardMonth,
    CardYear,
    /// Kept in memory for the one request; never stored.
    CardCvc,
    /// A MoneyGram reference number: 8 digits.
    MoneyGramReference,
    /// VISA, MASTERCARD or VISA_ELECTRON, as the server accepts them.
    CardType,
}

/// The card types Intech's server accepts.
pub const CARD_TYPES: [&str; 3] = ["VISA", "MASTERCARD", "VISA_ELECTRON"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The name on the wire (`accountNumber`), or `phone` / `amount`.
    pub name: &'static str,
    /// The French label.
    pub label: &'static str,
    pub kind: FieldKind,
    pub required: bool,
}

const fn f(name: &'static str, label: &'static str, kind: FieldKind, required: bool) -> FieldSpec {
    FieldSpec {
        name,
        label,
        kind,
        required,
    }
}

const PHONE: FieldSpec = f("phone", "Téléphone du client", FieldKind::Phone, true);
const AMOUNT: FieldSpec = f("amount", "Montant (FCFA)", FieldKind::Amount, true);

/// The label of a bill or reload's account number, as the vendor's table names it.
fn account_label(code: &str) -> &'static str {
    match code.split('_').next().unwrap_or_default() {
        "SENELEC" => "Numéro de contrat",
        "SENEAU" | "AQUATECH" => "Référence client",
        "UCAD" | "UVS" => "Numéro de carte étudiant",
        "XEWEUL" | "RAPIDO" => "Numéro de carte",
        "WOYOFAL" => "Numéro de compteur",
        "BAOBAP" => "Numéro d'unité client",
        "DER" => "Numéro de carte d'identité",
        "OOLUSOLAR" => "Numéro de compte",
        _ => "Numéro de compte",
    }
}

/// The fields the cashier fills for a service, in screen order.
pub fn fields_for(code: &str) -> Vec<FieldSpec> {
    use FieldKind::*;
    let mut out = Vec::new();
    match code {
        // The description goes on Intram's invoice, not among the wire fields.
        INTRAM => out.extend([AMOUNT, f("description", "Libellé de la vente", Text, false)]),
        MONEYGRAM_RECEIVE => out.push(f(
            "referenceNumber",
            "Numéro de référence (8 chiffres)",
            MoneyGramReference,
            true,
        )),
        // A send's fields are MoneyGram's own (`domain::moneygram`).
        MONEYGRAM_SEND => {}
        "WHATSAPP_MESSAGING" => {
            out.push(PHONE);
            out.push(f("message", "Message", Text, true));
        }
        "BANK_CARD_API_CASH_OUT" => {
            out.extend([PHONE, AMOUNT]);
            out.extend([
                f("customerFirstName", "Prénom du client", Text, true),
                f("customerLastName", "Nom du client", Text, true),
                f("customerEmail", "E-mail du client", Email, false),
                f("cardNumber", "Numéro de carte", CardNumber, true),
                f("cardExpireMonth", "Mois d'expiration (MM)", CardMonth, true),
                f("cardExpireYear", "Année d'expiration (AA)", CardYear, true),
                f("cardCVC", "Cryptogramme (CVC)", CardCvc, true),
                f(
                    "cardType",
                    "Type de carte (VISA, MASTERCARD, VISA_ELECTRON)",
                    CardType,
                    true,
                ),
            ]);
        }
        "BANK_TRANSFER_SN_API_CASH_IN" => {
            out.extend([PHONE, AMOUNT]);
            out.extend([
                f("customerFirstName", "Prénom du client", Text, true),
                f("customerLastName", "Nom du client", Text, true),
                f("customerEmail", "E-mail du client", Email, false),
                f("rib", "RIB", Text, true),
            ]);
        }
        c if c.ends_with("_BILL_PAY") => {
            out.push(f("accountNumber", account_label(c), AccountNumber, true));
            out.push(f(
                "billReference",
                "Référence de la facture",
                BillReference,
                true,
            ));
            out.extend([PHONE, AMOUNT]);
        }
        c if c.ends_with("_BILL_RELOAD") => {
            out.push(f("accountNumber", account_label(c), AccountNumber, true));
            out.extend([PHONE, AMOUNT]);
        }
        _ => out.extend([PHONE, AMOUNT]),
    }
    out
}

impl FieldSpec {
    /// The label in `lang`.
    pub fn label_in(&self, lang: Lang) -> &'static str {
        lang.field_label(self.name, self.label)
    }
}

/// A refused field and why, in French.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// Input that passed: the phone normalised to the form the service expects.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid {
    pub phone: Option<String>,
    pub amount: Option<i64>,
    pub fields: BTreeMap<String, String>,
}

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
fn international(code: &str) -> bool {
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

fn check_field(lang: Lang, spec: &FieldSpec, value: &str) -> Result<(), String> {
    use FieldKind::*;
    let v = value.trim();
    let len = v.chars().count();
    match spec.kind {
        AccountNumber => bill_account(lang, v).map(drop),
        BillReference if len > 100 => Err(lang
            .tr("référence trop longue", "reference too long")
            .into()),
        Email if !v.is_empty() && (!v.contains('@') || v.contains(char::is_whitespace)) => {
            Err(lang
                .tr("adresse e-mail invalide", "invalid e-mail address")
                .into())
        }
        CardNumber => {
            let digits: String = v.chars().filter(|c| !c.is_whitespace()).collect();
            if !(12..=19).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
                Err(lang.tr("12 à 19 chiffres", "12 to 19 digits").into())
            } else {
                Ok(())
            }
        }
        CardMonth if !matches!(v.parse::<u8>(), Ok(1..=12)) || len != 2 => Err(lang
            .tr("deux chiffres, 01 à 12", "two digits, 01 to 12")
            .into()),
        CardYear if len != 2 || !v.chars().all(|c| c.is_ascii_digit()) => {
            Err(lang.tr("deux chiffres (AA)", "two digits (YY)").into())
        }
        CardCvc if !(3..=4).contains(&len) || !v.chars().all(|c| c.is_ascii_digit()) => {
            Err(lang.tr("3 ou 4 chiffres", "3 or 4 digits").into())
        }
        CardType if !CARD_TYPES.contains(&v.to_ascii_uppercase().as_str()) => Err(lang
            .tr(
                "VISA, MASTERCARD ou VISA_ELECTRON",
                "VISA, MASTERCARD or VISA_ELECTRON",
            )
            .into()),
        MoneyGramReference if len != 8 || !v.chars().all(|c| c.is_ascii_digit()) => {
            Err(lang.tr("8 chiffres", "8 digits").into())
        }
        Text if len > 500 => Err(lang
            .tr(
                "texte trop long (500 caractères au plus)",
                "text too long (500 characters at most)",
            )
            .into()),
        _ => Ok(()),
    }
}

/// Validates a sale before anything is written or sent.
pub fn validate(
    code: &str,
    phone: Option<&str>,
    amount: Option<i64>,
    fields: &BTreeMap<String, String>,
    balance: Option<f64>,
) -> Result<Valid, Vec<FieldError>> {
    validate_in(Lang::Fr, code, phone, amount, fields, balance)
}

/// [`validate`] with its messages in `lang`. The fields of the result are exactly the
/// service's own: a name the service does not define is refused, so that nothing reaches
/// the gateway that the journal did not record.
pub fn validate_in(
    lang: Lang,
    code: &str,
    phone: Option<&str>,
    amount: Option<i64>,
    fields: &BTreeMap<String, String>,
    balance: Option<f64>,
) -> Result<Valid, Vec<FieldError>> {
    if code == INTRAM {
        return validate_intram(lang, amount, fields);
    }
    if matches!(code, MONEYGRAM_RECEIVE | MONEYGRAM_SEND) {
        return Err(vec![FieldError {
            field: "service",
            message: lang
                .tr(
                    "MoneyGram se traite depuis son écran (consultation d'un transfert, frais \
                     d'un envoi), pas comme une vente",
                    "MoneyGram is handled from its own screen (transfer look-up, send fees), \
                     not as a sale",
                )
                .into(),
        }]);
    }
    let Some(service) = services::find(code) else {
        return Err(vec![FieldError {
            field: "service",
            message: format!(
                "{} « {code} »",
                lang.tr("service inconnu :", "unknown service:")
            ),
        }]);
    };
    let specs = fields_for(code);
    let label = |spec: &FieldSpec| lang.field_label(spec.name, spec.label);
    let mut errors = unknown_fields(lang, &specs, fields);
    let mut valid = Valid {
        phone: None,
        amount: None,
        fields: BTreeMap::new(),
    };
    for spec in specs {
        match spec.kind {
            FieldKind::Phone => match phone.map(str::trim).filter(|p| !p.is_empty()) {
                None => errors.push(FieldError {
                    field: "phone",
                    message: lang
                        .tr("numéro du client obligatoire", "customer's number required")
                        .into(),
                }),
                Some(p) => match normalize_phone_in(lang, code, service.country, p) {
                    Ok(n) => valid.phone = Some(n),
                    Err(message) => errors.push(FieldError {
                        field: "phone",
                        message,
                    }),
                },
            },
            FieldKind::Amount => match amount {
                None => errors.push(FieldError {
                    field: "amount",
                    message: lang.tr("montant obligatoire", "amount required").into(),
                }),
                Some(a) => match check_amount_in(lang, service, a, balance) {
                    Ok(()) => valid.amount = Some(a),
                    Err(message) => errors.push(FieldError {
                        field: "amount",
                        message,
                    }),
                },
            },
            _ => match check_named(lang, &spec, fields) {
                Ok(Some(v)) => {
                    valid.fields.insert(spec.name.to_owned(), v);
                }
                Ok(None) => {}
                Err(message) => errors.push(FieldError {
                    field: spec.name,
                    message: format!("{} : {message}", label(&spec)),
                }),
            },
        }
    }
    if errors.is_empty() {
        Ok(valid)
    } else {
        Err(errors)
    }
}

/// One named field: its trimmed value if given and well-formed, `None` if optional and
/// absent, or why it is refused.
fn check_named(
    lang: Lang,
    spec: &FieldSpec,
    fields: &BTreeMap<String, String>,
) -> Result<Option<String>, String> {
    match fields
        .get(spec.name)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    {
        None if spec.required => Err(lang.tr("obligatoire", "required").into()),
        None => Ok(None),
        Some(v) if spec.kind == FieldKind::CardType => {
            check_field(lang, spec, v).map(|()| Some(v.to_ascii_uppercase()))
        }
        Some(v) => check_field(lang, spec, v).map(|()| Some(v.to_owned())),
    }
}

/// Names in `fields` that `specs` does not define (phone and amount come apart).
fn unknown_fields(
    lang: Lang,
    specs: &[FieldSpec],
    fields: &BTreeMap<String, String>,
) -> Vec<FieldError> {
    fields
        .keys()
        .filter(|name| {
            !specs.iter().any(|s| {
                s.name == name.as_str() && !matches!(s.kind, FieldKind::Phone | FieldKind::Amount)
            })
        })
        .map(|name| FieldError {
            field: "fields",
            message: match lang {
                Lang::Fr => format!(
                    "champ « {} » inconnu pour ce service : rien n'a été envoyé",
                    name.chars().take(40).collect::<String>()
                ),
                Lang::En => format!(
                    "field \"{}\" is not one of this service's: nothing was sent",
                    name.chars().take(40).collect::<String>()
                ),
            },
        })
        .collect()
}

/// An Intram payment: an amount, nothing else (the payment page asks the customer the rest).
fn validate_intram(
    lang: Lang,
    amount: Option<i64>,
    fields: &BTreeMap<String, String>,
) -> Result<Valid, Vec<FieldError>> {
    let mut errors = unknown_fields(lang, &[AMOUNT], fields);
    match amount {
        Some(a) if a > 0 && a <= MAX_AMOUNT => {}
        _ => errors.push(FieldError {
            field: "amount",
            message: lang
                .tr(
                    "montant invalide : un nombre entier de FCFA supérieur à zéro",
                    "invalid amount: a whole number of FCFA above zero",
                )
                .into(),
        }),
    }
    if errors.is_empty() {
        Ok(Valid {
            phone: None,
            amount,
            fields: BTreeMap::new(),
        })
    } else {
        Err(errors)
    }
}

/// A MoneyGram payout's reference, checked before the look-up.
pub fn moneygram_reference(lang: Lang, reference: &str) -> Result<String, FieldError> {
    let spec = fields_for(MONEYGRAM_RECEIVE)[0];
    let reference = reference.trim();
    check_field(lang, &spec, reference)
        .map(|()| reference.to_owned())
        .map_err(|m| FieldError {
            field: spec.name,
            message: format!("{} : {m}", lang.field_label(spec.name, spec.label)),
        })
}

#[cfg(test)]
mod tests;
