//! The three MoneyGram operations as the rules accept them: a payout, a send after its
//! quote, a send's reversal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use super::*;
use crate::domain::fields::{self, FieldError};
use crate::i18n::Lang;

/// A payout the rules accepted: what goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    /// The operation's `phone`: the receiver's.
    pub phone: String,
    /// MoneyGram's `agentCheckAmount`.
    pub amount: i64,
    /// `receptionServiceReceiveDetails`, all 24 fields.
    pub details: BTreeMap<String, String>,
}

impl Payout {
    /// `moneygramReceptionData`, as the operation carries it.
    pub fn wire(&self) -> serde_json::Value {
        serde_json::json!({ "receptionServiceReceiveDetails": self.details })
    }
}

/// Checks a payout: the receiver's identity and ID document as MoneyGram requires them,
/// the transfer payable, and the amount exactly MoneyGram's `agentCheckAmount` (anything
/// else the server refuses, "le montant saisie et le montant de la transaction ne sont
/// pas égal").
pub fn validate_payout(
    lang: Lang,
    lookup: &PayoutLookup,
    amount: i64,
    given: &BTreeMap<String, String>,
    ids: &AgentIds,
    today: Date,
) -> Result<Payout, Vec<FieldError>> {
    let mut errors = Vec::new();
    let reference = lookup.reference.trim();
    if reference.is_empty()
        || reference.len() > 16
        || !reference.chars().all(|c| c.is_ascii_digit())
    {
        errors.push(error(
            REFERENCE_NUMBER,
            lang.tr(
                "numéro de référence : 1 à 16 chiffres",
                "reference number: 1 to 16 digits",
            )
            .into(),
        ));
    }
    if let Some(why) = lookup.not_payable(lang) {
        errors.push(error(REFERENCE_NUMBER, why));
    }
    match lookup.agent_check_amount {
        Some(expected) if expected == amount && amount > 0 => {}
        Some(expected) => errors.push(error(
            "amount",
            match lang {
                Lang::Fr => format!(
                    "le montant doit être celui que MoneyGram indique : {} (et non {})",
                    crate::money::fcfa(expected),
                    crate::money::fcfa(amount)
                ),
                Lang::En => format!(
                    "the amount must be the one MoneyGram gives: {} (not {})",
                    crate::money::fcfa(expected),
                    crate::money::fcfa(amount)
                ),
            },
        )),
        None => errors.push(error(
            "amount",
            lang.tr(
                "MoneyGram n'a pas donné le montant à remettre : paiement impossible",
                "MoneyGram gave no amount to pay out: payout impossible",
            )
            .into(),
        )),
    }
    if lookup
        .receive_currency
        .as_deref()
        .is_some_and(|c| c != "XOF")
    {
        errors.push(error(
            "receiveCurrency",
            lang.tr(
                "ce transfert n'est pas payable en FCFA à ce guichet",
                "this transfer is not payable in FCFA at this counter",
            )
            .into(),
        ));
    }
    let mut out = details(lang, &PAYOUT_FIELDS, given, ids, today, &mut errors);
    out.insert(REFERENCE_NUMBER.to_owned(), reference.to_owned());
    if !errors.is_empty() {
        return Err(errors);
    }
    let phone = out.get("receiverPhone").cloned().unwrap_or_default();
    Ok(Payout {
        phone,
        amount,
        details: out,
    })
}

/// The sender and receiver of a send, checked and completed: what goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parties {
    /// The operation's `phone`: the sender's (the customer at the counter).
    pub phone: String,
    pub sender: BTreeMap<String, String>,
    pub receiver: BTreeMap<String, String>,
}

impl Parties {
    /// `moneygramSendData`, as the quote and the operation carry it.
    pub fn wire(&self) -> serde_json::Value {
        serde_json::json!({ "senderDetails": self.sender, "receiverDetails": self.receiver })
    }
}

/// The smallest send (the server's rule: above zero) and the largest (a sale's ceiling).
pub(super) fn check_send_amount(lang: Lang, amount: i64) -> Result<(), FieldError> {
    if amount > 0 && amount <= fields::MAX_AMOUNT {
        Ok(())
    } else {
        Err(error(
            "amount",
            match lang {
                Lang::Fr => format!(
                    "montant à envoyer : un nombre entier de FCFA, de 1 à {}",
                    crate::money::fcfa(fields::MAX_AMOUNT)
                ),
                Lang::En => format!(
                    "amount to send: a whole number of FCFA, 1 to {}",
                    crate::money::fcfa(fields::MAX_AMOUNT)
                ),
            },
        ))
    }
}

/// Checks a send's amount, sender and receiver.
pub fn validate_send(
    lang: Lang,
    amount: i64,
    sender: &BTreeMap<String, String>,
    receiver: &BTreeMap<String, String>,
    ids: &AgentIds,
    today: Date,
) -> Result<Parties, Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Err(e) = check_send_amount(lang, amount) {
        errors.push(e);
    }
    let sender = details(lang, &SENDER_FIELDS, sender, ids, today, &mut errors);
    let receiver = details(lang, &RECEIVER_FIELDS, receiver, ids, today, &mut errors);
    if receiver.contains_key("receiverPhone") && !receiver.contains_key("receiverPhoneCountryCode")
    {
        errors.push(error(
            "receiverPhoneCountryCode",
            lang.tr(
                "l'indicatif est obligatoire avec le téléphone du bénéficiaire",
                "the country code is required with the receiver's phone",
            )
            .into(),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let phone = sender.get("senderPhoneNumber").cloned().unwrap_or_default();
    Ok(Parties {
        phone,
        sender,
        receiver,
    })
}

/// MoneyGram's quote of a send (`moneygram-send-info`'s `sendAmounts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub send_amount: i64,
    pub total_send_fees: i64,
    /// What the cashier takes from the customer.
    pub total_amount_to_collect: i64,
    pub receive_amount: Option<i64>,
}

impl Quote {
    /// A quote from MoneyGram's answer, if it is whole: every amount present, the total
    /// no less than what is sent.
    pub fn from_parts(
        send_amount: Option<i64>,
        total_send_fees: Option<i64>,
        total_amount_to_collect: Option<i64>,
        receive_amount: Option<i64>,
    ) -> Option<Quote> {
        let q = Quote {
            send_amount: send_amount?,
            total_send_fees: total_send_fees?,
            total_amount_to_collect: total_amount_to_collect?,
            receive_amount,
        };
        (q.send_amount > 0 && q.total_send_fees >= 0 && q.total_amount_to_collect >= q.send_amount)
            .then_some(q)
    }

    /// Label / value lines for the counter.
    pub fn lines(&self, lang: Lang) -> Vec<(String, String)> {
        let money = crate::money::fcfa;
        let mut out = vec![
            (
                lang.tr("Montant envoyé", "Amount sent").to_owned(),
                money(self.send_amount),
            ),
            (
                lang.tr("Frais", "Fees").to_owned(),
                money(self.total_send_fees),
            ),
            (
                lang.tr("Total à encaisser", "Total to collect").to_owned(),
                money(self.total_amount_to_collect),
            ),
        ];
        if let Some(r) = self.receive_amount {
            out.push((
                lang.tr("Montant reçu", "Amount received").to_owned(),
                money(r),
            ));
        }
        out
    }
}

/// The fees are quoted before a send, and the send goes out only for the quote the cashier
/// confirmed: MoneyGram's quote (asked again by the engine) must be for this amount, and
/// its total to collect the one the customer was asked for. Returns the total to collect.
pub fn check_quote(
    lang: Lang,
    amount: i64,
    quote: Option<&Quote>,
    confirmed_total: i64,
) -> Result<i64, FieldError> {
    let Some(q) = quote else {
        return Err(error(
            "quote",
            lang.tr(
                "les frais n'ont pas pu être calculés : rien n'a été envoyé",
                "the fees could not be quoted: nothing was sent",
            )
            .into(),
        ));
    };
    if q.send_amount != amount {
        return Err(error(
            "quote",
            match lang {
                Lang::Fr => format!(
                    "MoneyGram a calculé les frais pour {} et non {} : rien n'a été envoyé",
                    crate::money::fcfa(q.send_amount),
                    crate::money::fcfa(amount)
                ),
                Lang::En => format!(
                    "MoneyGram quoted {} rather than {}: nothing was sent",
                    crate::money::fcfa(q.send_amount),
                    crate::money::fcfa(amount)
                ),
            },
        ));
    }
    if q.total_amount_to_collect != confirmed_total {
        return Err(error(
            "quote",
            match lang {
                Lang::Fr => format!(
                    "les frais ont changé : total à encaisser {} au lieu de {} ; faites \
                     confirmer le nouveau total au client (rien n'a été envoyé)",
                    crate::money::fcfa(q.total_amount_to_collect),
                    crate::money::fcfa(confirmed_total)
                ),
                Lang::En => format!(
                    "the fees changed: total to collect {} instead of {}; have the customer \
                     confirm the new total (nothing was sent)",
                    crate::money::fcfa(q.total_amount_to_collect),
                    crate::money::fcfa(confirmed_total)
                ),
            },
        ));
    }
    Ok(q.total_amount_to_collect)
}

/// A send's reversal as asked at the counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReversalInput {
    /// `moneyGramOperatorName`: who reverses, 7 characters at most.
    pub operator_name: String,
    /// `moneyGramSendReversalReason`: one of [`REVERSAL_REASONS`].
    pub reason: String,
    /// `moneyGramFeeRefund`: the fees given back too.
    pub fee_refund: bool,
    /// `moneyGramAgentCheckNumber`: optional (the server then uses its own transaction id).
    #[serde(default)]
    pub agent_check_number: Option<String>,
}

/// The fields `refund-cancel` carries for a MoneyGram send's reversal, checked.
pub fn validate_reversal(
    lang: Lang,
    input: &ReversalInput,
) -> Result<serde_json::Map<String, serde_json::Value>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = input.operator_name.trim();
    if name.is_empty()
        || name.chars().count() > 7
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
    {
        errors.push(error(
            "moneyGramOperatorName",
            lang.tr(
                "nom de l'opérateur : 1 à 7 lettres ou chiffres",
                "operator's name: 1 to 7 letters or digits",
            )
            .into(),
        ));
    }
    let reason = REVERSAL_REASONS
        .iter()
        .find(|c| c.code == input.reason.trim());
    if reason.is_none() {
        errors.push(error(
            "moneyGramSendReversalReason",
            match lang {
                Lang::Fr => format!(
                    "motif d'annulation inconnu « {} » : {}",
                    input.reason.chars().take(30).collect::<String>(),
                    REVERSAL_REASONS
                        .iter()
                        .map(|c| c.code)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Lang::En => format!(
                    "unknown reversal reason \"{}\": {}",
                    input.reason.chars().take(30).collect::<String>(),
                    REVERSAL_REASONS
                        .iter()
                        .map(|c| c.code)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
        ));
    }
    let check = input
        .agent_check_number
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if check.is_some_and(|c| c.len() > 12 || !c.chars().all(|c| c.is_ascii_alphanumeric())) {
        errors.push(error(
            "moneyGramAgentCheckNumber",
            lang.tr(
                "numéro de chèque agent : 12 lettres ou chiffres au plus",
                "agent check number: 12 letters or digits at most",
            )
            .into(),
        ));
    }
    let (Some(reason), true) = (reason, errors.is_empty()) else {
        return Err(errors);
    };
    let mut out = serde_json::Map::new();
    out.insert("moneyGramOperatorName".into(), name.into());
    out.insert("moneyGramSendReversalReason".into(), reason.code.into());
    out.insert(
        "moneyGramFeeRefund".into(),
        if input.fee_refund { "Y" } else { "N" }.into(),
    );
    if let Some(check) = check {
        out.insert("moneyGramAgentCheckNumber".into(), check.into());
    }
    // The one check type the server names.
    out.insert("moneyGramAgentCheckType".into(), "MTC".into());
    Ok(out)
}

/// The MoneyGram reference a send's row keeps (its fields, where the engine writes it
/// from the reply's `data.referenceNumber`), for the screen and the receipt.
pub fn send_reference(service: &str, fields: &serde_json::Value) -> Option<String> {
    (service == SEND)
        .then(|| fields.get(REFERENCE_NUMBER))
        .flatten()
        .and_then(|v| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|s| !s.is_empty())
}

/// The sentence the row's notification holds for a send's reference (written with the
/// reply itself, so that it survives whatever comes after).
pub fn reference_sentence(reference: &str) -> String {
    format!("Numéro de référence MoneyGram : {reference} (à remettre à l'expéditeur)")
}
