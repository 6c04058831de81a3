//! Local validation: what Intech's server would refuse is refused here first, in French, so
//! that bad input never leaves the terminal. One declarative list of fields per service
//! (the entry screen draws its form from it), Intram and the MoneyGram look-ups included.
//! A field a service does not define is refused, never passed on: what is sent is only
//! what the journal records.

use std::collections::BTreeMap;

use crate::catalog::services;
use crate::i18n::Lang;

mod values;
pub use values::*;

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
    /// What a cash-out is for (`domain::drawer::CashOutUse`): `retrait` or `paiement`.
    /// Kept in the journal for the drawer, never sent to the gateway.
    CashOutUse,
}

impl FieldKind {
    /// The most characters the field takes, typed or pasted: a little above what the
    /// server accepts (so that its own message says what is wrong), far below what a stray
    /// paste brings (the phone field once took 600 digits).
    pub const fn max_chars(self) -> usize {
        use FieldKind::*;
        match self {
            // +221 77 245 00 00, spaces included.
            Phone => 20,
            // 2 000 000 FCFA is the most per operation: 9 digits show the error.
            Amount => 9,
            AccountNumber => 20,
            BillReference => 40,
            // The server takes 500 characters (a WhatsApp message).
            Text => 500,
            Email => 254,
            CardNumber => 19,
            CardMonth | CardYear => 2,
            CardCvc => 4,
            MoneyGramReference => 8,
            CardType => 13,
            CashOutUse => 8,
        }
    }
}

/// The card types Intech's server accepts.
pub const CARD_TYPES: [&str; 3] = ["VISA", "MASTERCARD", "VISA_ELECTRON"];

/// Fields that must never be shown, logged or stored whole: the CVC is dropped everywhere
/// but the one request, the number is masked ([`mask_card_number`]).
pub const CARD_CVC_FIELD: &str = "cardCVC";
pub const CARD_NUMBER_FIELD: &str = "cardNumber";

/// `4242424242424242` → `424242******4242` (first 6, last 4, as card rules allow). What
/// every screen, log, output and the journal show of a card number.
pub fn mask_card_number(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() <= 10 {
        return "*".repeat(digits.len());
    }
    let mut out: String = digits[..6].iter().collect();
    out.push_str(&"*".repeat(digits.len() - 10));
    out.extend(&digits[digits.len() - 4..]);
    out
}

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
                // A choice among `CARD_TYPES` (the form cycles through them).
                f("cardType", "Type de carte", CardType, true),
                // Last, as for the wallets': Enter after the fields to type leads to the
                // summary, the default unchanged.
                CASH_OUT_USE,
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
        c if super::drawer::CashOutUse::applies_to(c) => out.extend([PHONE, AMOUNT, CASH_OUT_USE]),
        _ => out.extend([PHONE, AMOUNT]),
    }
    out
}

/// A cash-out's use: « retrait d'espèces » (the default, filled in) or « paiement ». A
/// choice the form offers where both make sense (`CashOutUse::applies_to`).
const CASH_OUT_USE: FieldSpec = f(
    super::drawer::CashOutUse::FIELD,
    "Usage",
    FieldKind::CashOutUse,
    false,
);

impl FieldSpec {
    /// The label in `lang`.
    pub fn label_in(&self, lang: Lang) -> &'static str {
        lang.field_label(self.name, self.label)
    }

    /// The only values the field takes, when it is a choice rather than typed text.
    pub fn choices(&self) -> Option<&'static [&'static str]> {
        match self.kind {
            FieldKind::CardType => Some(&CARD_TYPES[..]),
            FieldKind::CashOutUse => Some(&super::drawer::CashOutUse::CHOICES[..]),
            _ => None,
        }
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
        CashOutUse if !super::drawer::CashOutUse::CHOICES.contains(&v) => Err(lang
            .tr(
                "« retrait » (d'espèces) ou « paiement »",
                "\"retrait\" (cash withdrawal) or \"paiement\" (payment)",
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
