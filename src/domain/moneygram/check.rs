//! One MoneyGram field checked against its kind; the agent's ids; what a look-up told.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use super::*;
use crate::domain::fields::{self, FieldError};
use crate::i18n::Lang;

/// The ids of the shop a MoneyGram operation carries, chosen by the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentIds {
    /// `agentTransactionId`: ours, unique per operation.
    pub transaction: String,
    /// `agentConsumerID`: who served the customer at the counter.
    pub consumer: String,
}

impl AgentIds {
    /// The ids for the operation `external_id` (a UUID) served by `cashier`: the UUID's 32
    /// hex digits (the source gives no length; MoneyGram's examples are short words), and
    /// the cashier's name in the letters and digits MoneyGram accepts, at most 20.
    pub fn of(external_id: &str, cashier: &str) -> AgentIds {
        let transaction: String = external_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let mut consumer: String = cashier
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(20)
            .collect();
        if consumer.is_empty() {
            consumer = "CAISSE".into();
        }
        AgentIds {
            transaction,
            consumer,
        }
    }
}

/// What the look-up (`moneygram-reception-info`) told of a transfer, as a payout needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutLookup {
    pub reference: String,
    /// MoneyGram's `agentCheckAmount`: the only amount a payout may carry.
    pub agent_check_amount: Option<i64>,
    pub receive_currency: Option<String>,
    /// `AVAIL`, `RECVD`…
    pub transaction_status: Option<String>,
    pub ok_for_pickup: Option<bool>,
    pub sender_name: String,
    pub receiver_first_name: String,
    pub receiver_last_name: String,
}

impl PayoutLookup {
    /// Why this transfer cannot be paid at the counter now, or `None` (the server refuses
    /// a payout unless the transfer is `AVAIL` and `okForPickup`).
    pub fn not_payable(&self, lang: Lang) -> Option<String> {
        match self.transaction_status.as_deref() {
            Some("AVAIL") if self.ok_for_pickup == Some(true) => None,
            Some("AVAIL") => Some(
                lang.tr(
                    "MoneyGram n'autorise pas encore la remise de ce transfert au guichet.",
                    "MoneyGram does not allow this transfer to be paid out yet.",
                )
                .into(),
            ),
            Some("RECVD") => Some(
                lang.tr(
                    "Ce transfert a déjà été payé.",
                    "This transfer was already paid out.",
                )
                .into(),
            ),
            other => Some(match lang {
                Lang::Fr => format!(
                    "Ce transfert n'est pas disponible (statut MoneyGram : {}).",
                    other.unwrap_or("inconnu")
                ),
                Lang::En => format!(
                    "This transfer is not available (MoneyGram status: {}).",
                    other.unwrap_or("unknown")
                ),
            }),
        }
    }
}

pub(super) fn error(field: &'static str, message: String) -> FieldError {
    FieldError { field, message }
}

/// The age on `today` of someone born on `born`.
pub fn age_on(born: Date, today: Date) -> i32 {
    let mut age = today.year() - born.year();
    if (today.month() as u8, today.day()) < (born.month() as u8, born.day()) {
        age -= 1;
    }
    age
}

pub(super) fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return None;
    }
    let year: i32 = text[0..4].parse().ok()?;
    let month: u8 = text[5..7].parse().ok()?;
    let day: u8 = text[8..10].parse().ok()?;
    let month = time::Month::try_from(month).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// One value against its field's rule: the value as it goes on the wire, or why not.
pub(super) fn check_value(
    lang: Lang,
    f: &MgField,
    value: &str,
    today: Date,
) -> Result<String, String> {
    let v = value.trim();
    let len = v.chars().count();
    match f.kind {
        Kind::Name => {
            let ok = (1..=50).contains(&len)
                && v.chars()
                    .all(|c| c.is_ascii_alphabetic() || c == ' ' || "-'.".contains(c));
            if ok {
                Ok(v.to_owned())
            } else {
                Err(lang
                    .tr(
                        "lettres sans accent, espaces, - ' . (50 au plus), comme sur la pièce",
                        "letters without accents, spaces, - ' . (50 at most), as on the ID",
                    )
                    .into())
            }
        }
        Kind::Text if (1..=100).contains(&len) && !v.chars().any(char::is_control) => {
            Ok(v.to_owned())
        }
        Kind::Text => Err(lang.tr("1 à 100 caractères", "1 to 100 characters").into()),
        Kind::Document
            if (1..=30).contains(&len)
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/') =>
        {
            Ok(v.to_ascii_uppercase())
        }
        Kind::Document => Err(lang
            .tr(
                "lettres, chiffres, - ou / (30 au plus)",
                "letters, digits, - or / (30 at most)",
            )
            .into()),
        Kind::Phone => fields::normalize_phone_in(lang, PAYOUT, Country::Senegal, v),
        Kind::Digits if (1..=15).contains(&len) && v.chars().all(|c| c.is_ascii_digit()) => {
            Ok(v.to_owned())
        }
        Kind::Digits => Err(lang
            .tr("chiffres seulement, 15 au plus", "digits only, 15 at most")
            .into()),
        Kind::BirthDate => match parse_date(v) {
            None => Err(lang
                .tr(
                    "une date réelle au format AAAA-MM-JJ",
                    "a real date as YYYY-MM-DD",
                )
                .into()),
            Some(born) if born > today || born.year() < 1900 => Err(lang
                .tr("date de naissance impossible", "impossible date of birth")
                .into()),
            Some(born) if age_on(born, today) < MIN_AGE => Err(match lang {
                Lang::Fr => format!("il faut avoir au moins {MIN_AGE} ans"),
                Lang::En => format!("must be at least {MIN_AGE} years old"),
            }),
            Some(_) => Ok(v.to_owned()),
        },
        Kind::Country if len == 3 && v.chars().all(|c| c.is_ascii_alphabetic()) => {
            Ok(v.to_ascii_uppercase())
        }
        Kind::Country => Err(lang
            .tr(
                "code pays en trois lettres (SEN, FRA, CIV…)",
                "three-letter country code (SEN, FRA, CIV…)",
            )
            .into()),
        Kind::DialCode if (1..=3).contains(&len) && v.chars().all(|c| c.is_ascii_digit()) => {
            Ok(v.to_owned())
        }
        Kind::DialCode => Err(lang
            .tr(
                "indicatif : 1 à 3 chiffres (221…)",
                "country code: 1 to 3 digits (221…)",
            )
            .into()),
        Kind::Choice(list) => match list.iter().find(|c| c.code.eq_ignore_ascii_case(v)) {
            Some(choice) => Ok(choice.code.to_owned()),
            None => Err(match lang {
                Lang::Fr => format!(
                    "choisir parmi : {}",
                    list.iter().map(|c| c.code).collect::<Vec<_>>().join(", ")
                ),
                Lang::En => format!(
                    "choose one of: {}",
                    list.iter().map(|c| c.code).collect::<Vec<_>>().join(", ")
                ),
            }),
        },
    }
}

/// Checks the cashier's fields of `list` in `given`, fills the shop's, and returns the
/// whole set as it goes on the wire. `prefix` names the part in the errors
/// (`receptionServiceReceiveDetails.`).
pub(super) fn details(
    lang: Lang,
    list: &'static [MgField],
    given: &BTreeMap<String, String>,
    shop_ids: &AgentIds,
    today: Date,
    errors: &mut Vec<FieldError>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for name in given.keys() {
        if !list
            .iter()
            .any(|f| f.source == Source::Cashier && f.name == name.as_str())
        {
            errors.push(error(
                "fields",
                match lang {
                    Lang::Fr => format!(
                        "champ « {} » inconnu pour MoneyGram : rien n'a été envoyé",
                        name.chars().take(40).collect::<String>()
                    ),
                    Lang::En => format!(
                        "field \"{}\" is not one of MoneyGram's: nothing was sent",
                        name.chars().take(40).collect::<String>()
                    ),
                },
            ));
        }
    }
    for f in list {
        if f.source == Source::Shop {
            let value = match f.name {
                AGENT_TRANSACTION_ID => Some(shop_ids.transaction.clone()),
                AGENT_CONSUMER_ID => Some(shop_ids.consumer.clone()),
                _ => f.default.map(str::to_owned),
            };
            if let Some(v) = value {
                out.insert(f.name.to_owned(), v);
            }
            continue;
        }
        match given
            .get(f.name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        {
            None if f.required => errors.push(error(
                f.name,
                format!("{} : {}", f.label(lang), lang.tr("obligatoire", "required")),
            )),
            None => {}
            Some(v) => match check_value(lang, f, v, today) {
                Ok(v) => {
                    out.insert(f.name.to_owned(), v);
                }
                Err(m) => errors.push(error(f.name, format!("{} : {m}", f.label(lang)))),
            },
        }
    }
    out
}
