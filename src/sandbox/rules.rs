//! What the sandbox accepts and how each operation ends: request validation (pure
//! functions) and the deterministic outcomes.
//!
//! # Outcomes by the last two digits of the phone number
//!
//! The phone number of `POST /api-services/operation` decides what happens (its national
//! digits: `77 245 71 88` → `88`). Cash-outs (`*_CASH_OUT`, typeOperation CREDIT) wait for the
//! customer: `POST /sandbox/customer/{transactionId}/approve|refuse`, or the buttons of the
//! page at `deepLinkUrl`. Other operations (DEBIT) need no customer and go
//! PENDING → PROCESSING → final by themselves (Woyofal: SUCCESS at once).
//!
//! | ends in | what happens |
//! |---|---|
//! | `87` | SERVICE_DOWN: refused at once, code 4000, "Le services est indisponible pour le moment(pho)", `transactionId: null`, nothing created, no callback |
//! | `88` | cash-out: the customer approves by themself after `auto_approve_delay` (5 s) → SUCCESS |
//! | `89` | the transaction is created and proceeds normally, but the reply is the server's uncaught-exception envelope, HTTP 500 JSON (`msg: "Une erreur est survenue"`) |
//! | `91` | customer without funds: a cash-out is refused at once (code 4000, errorType `insufficient_balance` id 2, transaction created FAILLED, FAILLED callback); a debit is accepted, then FAILLED `balance_check_failed` |
//! | `92` | unknown number: refused at once (FAILLED + callback) with the operator's code: Orange `no_om_account` (id 9), MTN `no_mtn_account`, WhatsApp `whatsapp_user_not_found`, others `invalid_phone_number` |
//! | `93` | operator down: accepted PENDING, PROCESSING, then FAILLED `operator_down_time` (no customer step, even for a cash-out) |
//! | `94` | slow: the transaction is created and proceeds normally, but the HTTP reply is held for `slow_reply` (90 s, beyond a client's timeout) |
//! | `95` | never answered: stays PENDING/PROCESSING (an approved cash-out never settles) until `payment_timeout` (15 min), then FAILLED `payment-timeout` |
//! | `96` | the transaction is created and proceeds normally, but the reply is HTTP 500 with an HTML error page |
//! | `97` | the transaction is created and proceeds normally, but the reply body is truncated JSON (HTTP 201, `Content-Length` of what is sent) |
//! | `98` | the final callback arrives before the reply: a cash-out's customer approves at once, and the reply is sent only after the first delivery attempt of the SUCCESS callback |
//! | other | success: a debit settles after `processing_delay` + `settle_delay` (1 s + 2 s); a cash-out waits for the customer, then settles after `settle_delay` |
//!
//! Refused before anything is created (code 4000, `data: {}`), after field validation:
//! an API key configured as a test account (`SandboxConfig::test_account`) sending more than
//! 300 XOF (ACCOUNT_NO_ENABLED_FOR_PRODUCTION); outcome `87` (SERVICE_DOWN); the same
//! service, phone and amount created less than `duplicate_window` ago
//! (SAME_TRANSACTION_WITHIN_ONE_MINUTE_INTERVAL). An unsupported `currency` is an uncaught
//! exception on the server: HTTP 500 with the exception envelope, nothing created.
//!
//! Checked before the phone outcome, in this order (each one a refusal with an errorType,
//! the transaction created FAILLED and a FAILLED callback sent): for a bill, that it is
//! pending and that the amount is its own ("Le montant de la facture … est different du
//! montant soumis"), then the amount multiple (`WAVE_*` 5 FCFA `bad_amount_5`,
//! `ORANGE_*_API_*` 50 FCFA `bad_amount_50`, `*_AIRTIME_*` 100 FCFA `bad_amount_100`), then
//! for a debit the shop's balance (`insufficient_balance` id 26, message with its
//! `__amount__` placeholder). A cash-out the customer refuses ends FAILLED `unknown_error`
//! ("Le client a refusé le paiement"); any transaction still not final after
//! `payment_timeout` ends FAILLED `payment-timeout` (id 4).
//!
//! # Other deterministic rules
//!
//! * `list-pending-bills`, by the last digit of the account number: `0` no bill, `1`–`3` that
//!   many bills, `4` refused ("vous avez une facture plus ancienne non payée"), `5`–`9` (or a
//!   letter) one bill. A bill paid successfully leaves the list.
//! * `moneygram-reception-info`: a reference ending in `0` was already paid out (`RECVD`,
//!   `okForPickup: false`); others are `AVAIL`.
//! * Intram: the payment page (or `/sandbox/customer/{id}/approve|refuse`) decides; the
//!   customer's phone given on approval picks the outcome ([`IntramOutcome`]: `85` ERROR,
//!   `86` SUCCESS then REFUNDED); after `payment_timeout` an undecided payment is `FAIL`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::catalog::errors::{self, ErrorInfo};
use crate::catalog::services::{self, Country, ServiceInfo, TypeOperation};

/// The partner's fee per WhatsApp message, in XOF: the server replaces the operation's
/// `amount` with it (the request carries none), in the reply and in the record.
pub(crate) const WHATSAPP_FEE: i64 = 25;

/// What a test account (not enabled for production) may send at most, in XOF.
pub(crate) const TEST_ACCOUNT_MAX: i64 = 300;

/// Field name → French messages, as the `data` of a validation refusal.
pub(crate) type FieldErrors = BTreeMap<String, Vec<String>>;

/// The phone-number outcomes of the table above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Normal,
    /// 87
    ServiceDown,
    /// 88
    AutoApprove,
    /// 89
    Exception,
    /// 91
    CustomerWithoutFunds,
    /// 92
    UnknownNumber,
    /// 93
    OperatorDown,
    /// 94
    SlowReply,
    /// 95
    NeverAnswered,
    /// 96
    ServerError,
    /// 97
    TruncatedReply,
    /// 98
    CallbackFirst,
}

impl Outcome {
    pub fn from_phone(national_digits: &str) -> Outcome {
        let n = national_digits.len();
        match national_digits.get(n.saturating_sub(2)..) {
            Some("87") => Outcome::ServiceDown,
            Some("88") => Outcome::AutoApprove,
            Some("89") => Outcome::Exception,
            Some("91") => Outcome::CustomerWithoutFunds,
            Some("92") => Outcome::UnknownNumber,
            Some("93") => Outcome::OperatorDown,
            Some("94") => Outcome::SlowReply,
            Some("95") => Outcome::NeverAnswered,
            Some("96") => Outcome::ServerError,
            Some("97") => Outcome::TruncatedReply,
            Some("98") => Outcome::CallbackFirst,
            _ => Outcome::Normal,
        }
    }
}

/// A catalogue entry by id (the catalogue is static; a test checks every id used here).
pub(crate) fn error_by_id(id: u32) -> &'static ErrorInfo {
    errors::by_id(id).unwrap_or(&errors::ERRORS[0])
}

/// A catalogue entry by code.
pub(crate) fn error_by_code(code: &str) -> &'static ErrorInfo {
    errors::by_code(code).unwrap_or(&errors::ERRORS[0])
}

/// A currency the server converts from, with its fixed rate: units of it per XOF (the
/// server's own table, `Currencies.rates` in its code; XOF is 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Currency {
    pub code: &'static str,
    pub per_xof: f64,
}

pub(crate) const CURRENCIES: &[Currency] = &[
    Currency {
        code: "XOF",
        per_xof: 1.0,
    },
    Currency {
        code: "GMD",
        per_xof: 0.0799,
    },
    Currency {
        code: "GNF",
        per_xof: 12.8424,
    },
    Currency {
        code: "SLL",
        per_xof: 22.3174,
    },
    Currency {
        code: "MAD",
        per_xof: 0.0162,
    },
];

/// The operation's optional `currency` (XOF when absent, any case). Anything else makes the
/// server's conversion throw before validation: `Err` is that exception's message, for the
/// 500 envelope.
pub(crate) fn currency(body: &Map<String, Value>) -> Result<Currency, String> {
    let given = match body.get("currency") {
        None | Some(Value::Null) => return Ok(CURRENCIES[0]),
        Some(Value::String(s)) => s.trim().to_ascii_uppercase(),
        // `.toUpperCase()` of a non-string: a TypeError in the server.
        Some(_) => return Err("operationInDto.currency.toUpperCase is not a function".into()),
    };
    CURRENCIES
        .iter()
        .find(|c| c.code == given)
        .copied()
        .ok_or_else(|| format!("Currency est invalide' {given}-XOF"))
}

impl Currency {
    /// An amount in this currency, in whole XOF (rounded as the server does).
    pub fn to_xof(self, amount: i64) -> i64 {
        (amount as f64 / self.per_xof).round() as i64
    }
}

/// A validated operation.
#[derive(Debug)]
pub(crate) struct OperationInput {
    pub service: &'static ServiceInfo,
    /// As sent.
    pub phone: String,
    /// National digits (9 for Senegal, 10 for Côte d'Ivoire).
    pub national: String,
    /// The amount that moves, in XOF: the fee for WhatsApp.
    pub amount: i64,
    pub currency: &'static str,
    /// The amount as sent (the fee for WhatsApp), in `currency`.
    pub amount_in_currency: i64,
    pub ext: String,
    pub callback_url: String,
    /// Custom data, parsed: always an object.
    pub data: Value,
    /// `billAccountNumber` (or the doc's `accountNumber` when it is absent).
    pub account_number: Option<String>,
    pub bill_reference: Option<String>,
    pub use_om_qr: bool,
}

/// `POST /operation`: required fields, formats, per-service fields, after the currency was
/// read (it converts the amount). Nothing about the key or state (duplicates, bills,
/// balance) — the caller checks those.
pub(crate) fn check_operation(
    body: &Map<String, Value>,
    currency: Currency,
) -> Result<OperationInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    let service = match body.get("codeService") {
        None | Some(Value::Null) => {
            missing(&mut errors, "codeService");
            None
        }
        Some(Value::String(code)) => {
            let found = services::find(code.trim());
            if found.is_none() {
                push(
                    &mut errors,
                    "codeService",
                    format!(
                        "Le champ codeService désigne un service inconnu : {}",
                        code.trim()
                    ),
                );
            }
            found
        }
        Some(_) => {
            not_a_string(&mut errors, "codeService");
            None
        }
    };
    let whatsapp = service.is_some_and(|s| s.code == "WHATSAPP_MESSAGING");
    let use_om_qr = body.get("useOMQrCode").is_some_and(truthy);

    let ext = required_string(body, "externalTransactionId", &mut errors);
    if ext.as_ref().is_some_and(|e| e.len() > 100) {
        push(
            &mut errors,
            "externalTransactionId",
            "Le champ externalTransactionId ne doit pas dépasser 100 caractères".into(),
        );
    }
    let callback_url = required_string(body, "callbackUrl", &mut errors);
    if let Some(url) = &callback_url
        && let Err(message) = check_callback_url(url)
    {
        push(&mut errors, "callbackUrl", message);
    }

    let phone = required_string(body, "phone", &mut errors);
    let national = match (&phone, service) {
        (Some(phone), Some(service)) => match check_phone(service, phone) {
            Ok(n) => Some(n),
            Err(message) => {
                push(&mut errors, "phone", message);
                None
            }
        },
        _ => None,
    };

    let amount_in_currency = if whatsapp {
        Some(WHATSAPP_FEE)
    } else {
        match body.get("amount") {
            None | Some(Value::Null) => {
                missing(&mut errors, "amount");
                None
            }
            Some(v) => match whole_number(v) {
                Some(a) if a > 0 => Some(a),
                _ => {
                    push(
                        &mut errors,
                        "amount",
                        "Le champ amount doit être un nombre entier positif".into(),
                    );
                    None
                }
            },
        }
    };
    let amount = amount_in_currency.map(|a| currency.to_xof(a));
    if amount == Some(0) {
        push(
            &mut errors,
            "amount",
            "Le montant doit etre positif ( > 1)!".into(),
        );
    }

    let data = match body.get("data") {
        None | Some(Value::Null) => Some(Value::Object(Map::new())),
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(Value::String(s)) if s.trim().is_empty() => Some(Value::Object(Map::new())),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(v @ Value::Object(_)) => Some(v),
            _ => {
                push(
                    &mut errors,
                    "data",
                    "Le champ data doit être un objet JSON (ou une chaîne JSON d'un objet)".into(),
                );
                None
            }
        },
        Some(_) => {
            push(
                &mut errors,
                "data",
                "Le champ data doit être un objet JSON (ou une chaîne JSON d'un objet)".into(),
            );
            None
        }
    };

    let mut account_number = None;
    let mut bill_reference = None;
    if let Some(service) = service {
        let code = service.code;
        for field in service_fields(code) {
            required_value(body, field, &mut errors);
        }
        if redirects_required(code, use_om_qr) {
            for field in ["successRedirectUrl", "errorRedirectUrl"] {
                if let Some(url) = required_string(body, field, &mut errors)
                    && !looks_like_url(&url)
                {
                    push(&mut errors, field, format!("{field} doit être un URL"));
                }
            }
        }
        if code == "BANK_CARD_API_CASH_OUT" {
            check_card(body, &mut errors);
        }
        if matches!(
            code,
            "BANK_CARD_API_CASH_OUT" | "BANK_TRANSFER_SN_API_CASH_IN"
        ) {
            check_operation_description(body, &mut errors);
        }
        if code.ends_with("_BILL_PAY") || code.ends_with("_BILL_RELOAD") {
            account_number = bill_account(body, &mut errors);
        }
        if code.ends_with("_BILL_PAY") {
            // Any text: the server only asks for a string (the bill list gives it).
            bill_reference = required_string(body, "billReference", &mut errors);
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    match (
        service,
        phone,
        national,
        amount,
        amount_in_currency,
        ext,
        callback_url,
        data,
    ) {
        (
            Some(service),
            Some(phone),
            Some(national),
            Some(amount),
            Some(amount_in_currency),
            Some(ext),
            Some(callback_url),
            Some(data),
        ) => Ok(OperationInput {
            service,
            phone,
            national,
            amount,
            currency: currency.code,
            amount_in_currency,
            ext,
            callback_url,
            data,
            account_number,
            bill_reference,
            use_om_qr,
        }),
        // Every None above pushed an error.
        _ => Err(errors),
    }
}

/// `callbackUrl` must be HTTPS, as the server demands. Plain HTTP is allowed to loopback
/// addresses only: the tests' and the demo's receivers listen there, and a sandbox cannot
/// present a certificate they would trust.
pub(crate) fn check_callback_url(url: &str) -> Result<(), String> {
    let refused = || Err("Le champ callbackUrl doit être une URL HTTPS".to_owned());
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return refused();
    };
    let host = parsed.host_str().unwrap_or_default();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" if !host.is_empty() => Ok(()),
        "http" if loopback => Ok(()),
        _ => refused(),
    }
}

/// What the server's `IsUrl` accepts, roughly: an http(s) URL with a host.
fn looks_like_url(s: &str) -> bool {
    reqwest::Url::parse(s)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// Where the success and error redirect URLs are required.
pub(crate) fn redirects_required(code: &str, use_om_qr: bool) -> bool {
    matches!(
        code,
        "WAVE_SN_API_CASH_OUT" | "BANK_CARD_API_CASH_OUT" | "ORANGE_CI_API_CASH_OUT"
    ) || (code == "ORANGE_SN_API_CASH_OUT" && use_om_qr)
}

/// The card fields the server checks beyond their presence: `cardType` one of three,
/// `merchantName` letters only, 3 to 15.
fn check_card(body: &Map<String, Value>, errors: &mut FieldErrors) {
    const CARD_TYPES: [&str; 3] = ["VISA", "MASTERCARD", "VISA_ELECTRON"];
    let kind = body.get("cardType").filter(|v| !v.is_null());
    if kind.is_some_and(|k| !k.as_str().is_some_and(|k| CARD_TYPES.contains(&k))) {
        push(
            errors,
            "cardType",
            format!(
                "cardType doit avoir une des ses valeurs: {}",
                CARD_TYPES.join(",")
            ),
        );
    }
    if let Some(name) = required_string(body, "merchantName", errors) {
        // The server's `IsAlpha` (en-US): ASCII letters only.
        if !name.chars().all(|c| c.is_ascii_alphabetic()) {
            push(
                errors,
                "merchantName",
                "merchantName ne doit contenir que des lettres".into(),
            );
        }
        if !(3..=15).contains(&name.chars().count()) {
            push(
                errors,
                "merchantName",
                "merchantName doit être un string composé de maximum 15 caractères".into(),
            );
        }
    }
}

/// At least 20 characters. The server requires it for cards and transfers; the sandbox
/// checks it only when sent, because clients written before the server was read (this
/// repository's, until issue 10) leave it out and their tests must keep passing.
fn check_operation_description(body: &Map<String, Value>, errors: &mut FieldErrors) {
    match body.get("operationDescription") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s.chars().count() >= 20 => {}
        Some(_) => push(
            errors,
            "operationDescription",
            "operationDescription doit contenir au moins 20 caractères".into(),
        ),
    }
}

/// The account of a bill or reload: the server reads `billAccountNumber`; the doc's
/// `accountNumber` is taken when it is absent. Letters and digits, 5 to 20. Errors name the
/// field that was read.
fn bill_account(body: &Map<String, Value>, errors: &mut FieldErrors) -> Option<String> {
    let field = match body.get("billAccountNumber") {
        None | Some(Value::Null) if body.contains_key("accountNumber") => "accountNumber",
        _ => "billAccountNumber",
    };
    let account = required_string(body, field, errors)?;
    let mut ok = true;
    if !account.bytes().all(|b| b.is_ascii_alphanumeric()) {
        ok = false;
        push(
            errors,
            field,
            format!("{field} ne doit contenir que des lettres et des chiffres"),
        );
    }
    if !(5..=20).contains(&account.len()) {
        ok = false;
        push(
            errors,
            field,
            format!("{field} doit être un string composé de minimum 5 et maximum 20 caractères"),
        );
    }
    ok.then_some(account)
}

/// Fields a service requires on top of the common ones (the account, the bill reference,
/// the redirect URLs and the card's formats are checked apart).
pub(crate) fn service_fields(code: &str) -> &'static [&'static str] {
    match code {
        "BANK_CARD_API_CASH_OUT" => &[
            "customerFirstName",
            "customerLastName",
            "cardNumber",
            "cardExpireMonth",
            "cardExpireYear",
            "cardCVC",
            "cardType",
            "bankAuthRedirectUrl",
        ],
        "BANK_TRANSFER_SN_API_CASH_IN" => &["customerFirstName", "customerLastName", "rib"],
        "WHATSAPP_MESSAGING" => &["message"],
        // `sender` is optional for Wave SN: the server defaults it to the partner's name.
        _ => &[],
    }
}

/// Where `refund-cancel` is wired, with the operator's name for the success message; every
/// other service answers "Cette fonctionnalité n'est pas encore disponible pour ce Service".
pub(crate) fn refund_operator(code: &str) -> Option<&'static str> {
    match code {
        "WAVE_SN_API_CASH_IN" | "WAVE_SN_API_CASH_OUT" => Some("Wave"),
        "MONEYGRAM_SN_API_CASH_IN" => Some("MoneyGram"),
        _ => None,
    }
}

/// Intram outcomes, by the last two digits of the phone the customer pays with (given on
/// the payment page or to the approve endpoint; none given: SUCCESS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntramOutcome {
    Success,
    /// 85: the operator's error: ERROR at once.
    Error,
    /// 86: paid (SUCCESS), then reversed: REFUNDED after `settle_delay`.
    Refunded,
}

impl IntramOutcome {
    pub fn from_phone(phone: Option<&str>) -> IntramOutcome {
        let digits: String = phone
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        match digits.get(digits.len().saturating_sub(2)..) {
            Some("85") => IntramOutcome::Error,
            Some("86") => IntramOutcome::Refunded,
            _ => IntramOutcome::Success,
        }
    }
}

/// Services whose phone must be in the international form (`+221…`, `221…`, `+225…`).
fn international_only(code: &str) -> bool {
    matches!(
        code,
        "BANK_CARD_API_CASH_OUT" | "WHATSAPP_MESSAGING" | "BANK_TRANSFER_SN_API_CASH_IN"
    )
}

/// Checks a phone number for a service; gives its national digits.
pub(crate) fn check_phone(service: &ServiceInfo, phone: &str) -> Result<String, String> {
    let phone = phone.trim();
    let (plus, digits) = match phone.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, phone),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Le champ phone ne doit contenir que des chiffres (et un + initial)".into());
    }
    if international_only(service.code) {
        return match international(digits) {
            Some(national) => Ok(national.to_owned()),
            None => Err(format!(
                "Le service {} exige le numéro au format international (ex. +221772457199)",
                service.code
            )),
        };
    }
    let national = match service.country {
        Country::Senegal => digits
            .strip_prefix("221")
            .filter(|rest| rest.len() == 9)
            .unwrap_or(digits),
        Country::CoteDIvoire => digits
            .strip_prefix("225")
            .filter(|rest| rest.len() == 10)
            .unwrap_or(digits),
    };
    let valid = match service.country {
        Country::Senegal => senegal_national(national),
        Country::CoteDIvoire => ivory_coast_national(national),
    };
    if valid && !(plus && national.len() == digits.len()) {
        Ok(national.to_owned())
    } else {
        Err(match service.country {
            Country::Senegal => "Le numéro doit être un numéro sénégalais de 9 chiffres \
                                 commençant par 70, 75, 76, 77 ou 78"
                .into(),
            Country::CoteDIvoire => "Le numéro doit être un numéro ivoirien de 10 chiffres \
                                     commençant par 01, 05 ou 07"
                .into(),
        })
    }
}

fn international(digits: &str) -> Option<&str> {
    if let Some(rest) = digits.strip_prefix("221")
        && senegal_national(rest)
    {
        return Some(rest);
    }
    if let Some(rest) = digits.strip_prefix("225")
        && ivory_coast_national(rest)
    {
        return Some(rest);
    }
    None
}

fn senegal_national(d: &str) -> bool {
    d.len() == 9
        && ["70", "75", "76", "77", "78"]
            .iter()
            .any(|p| d.starts_with(p))
}

fn ivory_coast_national(d: &str) -> bool {
    d.len() == 10 && ["01", "05", "07"].iter().any(|p| d.starts_with(p))
}

/// Letters and digits, 5 to 20 long (`billAccountNumber`, as the server checks it).
pub(crate) fn is_account_number(s: &str) -> bool {
    (5..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The amount multiple an operator imposes, as a refusal when the amount breaks it.
pub(crate) fn amount_refusal(code: &str, amount: i64) -> Option<&'static ErrorInfo> {
    let (multiple, error) = if code.contains("_AIRTIME_") {
        (100, "bad_amount_100")
    } else if code.starts_with("WAVE_") {
        (5, "bad_amount_5")
    } else if code.starts_with("ORANGE_") && code.contains("_API_") {
        (50, "bad_amount_50")
    } else {
        return None;
    };
    (amount % multiple != 0).then(|| error_by_code(error))
}

/// The operator's "unknown number" error (outcome 92).
pub(crate) fn unknown_number_error(code: &str) -> &'static ErrorInfo {
    if code.starts_with("ORANGE_") {
        error_by_id(9)
    } else if code.starts_with("MTN_") {
        error_by_code("no_mtn_account")
    } else if code == "WHATSAPP_MESSAGING" {
        error_by_code("whatsapp_user_not_found")
    } else {
        error_by_code("invalid_phone_number")
    }
}

/// Whether an operation is final in its own reply: Woyofal's recharge code comes back at
/// once, unless the phone's outcome delays or fails the operator (91, 93, 95).
pub(crate) fn settles_at_once(code: &str, outcome: Outcome) -> bool {
    code == "WOYOFAL_SN_BILL_RELOAD"
        && !matches!(
            outcome,
            Outcome::CustomerWithoutFunds | Outcome::OperatorDown | Outcome::NeverAnswered
        )
}

/// Whether an operation waits for the customer (cash-outs).
pub(crate) fn needs_customer(service: &ServiceInfo, outcome: Outcome) -> bool {
    service.type_operation == TypeOperation::Credit && outcome != Outcome::OperatorDown
}

/// A JSON number with no fractional part (`1000` or `1000.0`).
pub(crate) fn whole_number(v: &Value) -> Option<i64> {
    if let Some(i) = v.as_i64() {
        return Some(i);
    }
    let f = v.as_f64()?;
    (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        Value::Number(n) => n.as_i64() == Some(1),
        _ => false,
    }
}

pub(crate) fn push(errors: &mut FieldErrors, field: &str, message: String) {
    errors.entry(field.to_owned()).or_default().push(message);
}

pub(crate) fn missing(errors: &mut FieldErrors, field: &str) {
    push(errors, field, format!("Le champ {field} est obligatoire"));
}

fn not_a_string(errors: &mut FieldErrors, field: &str) {
    push(
        errors,
        field,
        format!("Le champ {field} doit être une chaîne de caractères"),
    );
}

/// A required non-empty string field.
pub(crate) fn required_string(
    body: &Map<String, Value>,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<String> {
    match body.get(field) {
        None | Some(Value::Null) => {
            missing(errors, field);
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            push(
                errors,
                field,
                format!("Le champ {field} ne doit pas être vide"),
            );
            None
        }
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => {
            not_a_string(errors, field);
            None
        }
    }
}

/// A required field that may be a non-empty string or a number (card expiry, …).
fn required_value(body: &Map<String, Value>, field: &str, errors: &mut FieldErrors) {
    match body.get(field) {
        None | Some(Value::Null) => missing(errors, field),
        Some(Value::String(s)) if s.trim().is_empty() => {
            push(
                errors,
                field,
                format!("Le champ {field} ne doit pas être vide"),
            );
        }
        Some(Value::String(_) | Value::Number(_)) => {}
        Some(_) => not_a_string(errors, field),
    }
}

#[cfg(test)]
mod tests;
