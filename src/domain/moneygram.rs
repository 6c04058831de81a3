//! MoneyGram's rules of money, checked before anything is written or sent: a payout (the
//! receiver's identity and ID document, for exactly the amount MoneyGram says), a send
//! (sender and receiver, fees quoted first), a send's reversal (its reason).
//!
//! The field lists are Intech's own validators at commit `e563ceef` of its server
//! (`dist/sdk/MoneyGram/MoneyGramHelper.js`: `validateMoneygramReceptionData`,
//! `validateMoneyGramSender`; the reversal's `RefundDtoIn`), checked the same way here so
//! that a refusal comes from the counter, in French, and never from the gateway after the
//! intent was journaled. Lengths the source does not give (addresses, ID numbers) are
//! generous bounds of ours, marked as such.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use super::fields::{self, FieldError, MONEYGRAM_RECEIVE, MONEYGRAM_SEND};
use crate::catalog::services::Country;
use crate::i18n::Lang;

/// The payout (MoneyGram → the receiver at this counter): Intech's `CASH_OUT`.
pub const PAYOUT: &str = MONEYGRAM_RECEIVE;
/// The send (the customer at this counter → a receiver elsewhere): Intech's `CASH_IN`.
pub const SEND: &str = MONEYGRAM_SEND;

/// The youngest a receiver or sender may be. Intech's server checks 15
/// (`MoneyGramHelper.MIN_AGE`); the shop's rule is the age of majority, which is stricter,
/// so nothing this accepts is refused for age there.
pub const MIN_AGE: i32 = 18;

/// A MoneyGram request waits on MoneyGram's own commits (the server retries the payout's
/// up to 3 times, 15 s apart): the HTTP timeout of these operations. Any other keeps the
/// configured one.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);

/// The HTTP timeout for an operation of `service`: at least [`REQUEST_TIMEOUT`] for
/// MoneyGram's, `base` (the configured one, 60 s by default) otherwise.
pub fn request_timeout(service: &str, base: std::time::Duration) -> std::time::Duration {
    if matches!(service, PAYOUT | SEND) {
        base.max(REQUEST_TIMEOUT)
    } else {
        base
    }
}

/// One value of a closed list: the code on the wire and its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub code: &'static str,
    pub fr: &'static str,
    pub en: &'static str,
}

const fn c(code: &'static str, fr: &'static str, en: &'static str) -> Choice {
    Choice { code, fr, en }
}

impl Choice {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.tr(self.fr, self.en)
    }
}

/// `receiverPhotoIdType`, `senderPhotoIdType` (the server's list: the send's interface
/// has PAS too, and the receive's validator accepts it).
pub const PHOTO_ID_TYPES: &[Choice] = &[
    c("GOV", "Carte d'identité nationale", "National ID card"),
    c("PAS", "Passeport", "Passport"),
    c("DRV", "Permis de conduire", "Driving licence"),
    c("ALN", "Carte de résident étranger", "Alien resident card"),
    c("STA", "Pièce d'identité d'un État", "State ID"),
];

pub const GENDERS: &[Choice] = &[
    c("MALE", "Homme", "Male"),
    c("FEMALE", "Femme", "Female"),
    c("UNKNOWN", "Non précisé", "Unspecified"),
];

/// `receivePurposeOfTransaction`, `sendPurposeOfTransaction` (the validators' list; the
/// TypeScript interface names more, which the validator refuses).
pub const PURPOSES: &[Choice] = &[
    c("GIFT", "Cadeau", "Gift"),
    c("FOOD", "Alimentation", "Food"),
    c("BILLS", "Factures", "Bills"),
    c("MEDICAL", "Médical", "Medical"),
    c(
        "EDUCATION_TRAIN",
        "Éducation / formation",
        "Education / training",
    ),
    c("PERSONAL_USE", "Usage personnel", "Personal use"),
    c("XFER_OWN_SAVNG", "Vers sa propre épargne", "To own savings"),
];

/// `relationshipToSender`, `relationshipToReceiver`.
pub const RELATIONSHIPS: &[Choice] = &[
    c("FAMILY", "Famille", "Family"),
    c("FRIEND", "Ami(e)", "Friend"),
    c("ACQUAINTANCE", "Connaissance", "Acquaintance"),
    c("COLLEAGUE", "Collègue", "Colleague"),
    c("MYSELF", "Soi-même", "Myself"),
];

/// `receiverIntendedUseOfMGIServices`.
pub const RECEIVER_USES: &[Choice] = &[
    c(
        "FAMILY_FRIENDS_SUPPORT",
        "Soutien famille / amis",
        "Family / friends support",
    ),
    c("BUSINESS_RELATED", "Affaires", "Business"),
    c("CHARITY_SUPPORT", "Œuvre caritative", "Charity"),
    c("THIRD_PARTY", "Pour un tiers", "For a third party"),
];

/// `senderIntendedUseOfMGIServices`.
pub const SENDER_USES: &[Choice] = &[
    c(
        "FAMILY_FRIENDS_SUPPORT",
        "Soutien famille / amis",
        "Family / friends support",
    ),
    c("BILL_PYMT", "Paiement de factures", "Bill payment"),
];

/// `sourceOfFunds`.
pub const SOURCES_OF_FUNDS: &[Choice] = &[
    c("SALARY_EMPLOY", "Salaire", "Salary"),
    c("SAVINGS", "Épargne", "Savings"),
    c("FAMILY_FUNDS", "Fonds familiaux", "Family funds"),
    c("PENSION", "Pension", "Pension"),
    c("SALE_OF_PROPERTY", "Vente d'un bien", "Sale of property"),
    c("LOAN", "Prêt", "Loan"),
    c("INHERITANCE", "Héritage", "Inheritance"),
    c("SOCIAL_BENEFITS", "Prestations sociales", "Social benefits"),
    c("LOTTERY_GAMBLING", "Jeux, loterie", "Lottery, gambling"),
];

/// `receiverOccupation`, `senderOccupation` (the validators' list, its repeated
/// NOT_EMPLOYED once).
pub const OCCUPATIONS: &[Choice] = &[
    c("ENTREPRENEUR", "Entrepreneur, commerçant", "Entrepreneur"),
    c("NOT_EMPLOYED", "Sans emploi", "Not employed"),
    c("STUDENT", "Étudiant", "Student"),
    c("HOMEMAKER", "Au foyer", "Homemaker"),
    c("RETIRED", "Retraité", "Retired"),
    c("AGRICULTURE", "Agriculture", "Agriculture"),
    c("ADMIN", "Administration", "Administration"),
    c("PUBLIC_OFFICIAL", "Fonctionnaire", "Public official"),
    c("EDUCATION", "Enseignement", "Education"),
    c("HEALTH_SERVICES", "Santé", "Health services"),
    c("BANKING", "Banque", "Banking"),
    c("COMPUTER", "Informatique", "Computing"),
    c("ENGINEER", "Ingénieur", "Engineer"),
    c("FACTORY", "Industrie", "Factory"),
    c("RESTAURANT", "Restauration", "Restaurant"),
    c("CUSTOMER_CARE", "Service client", "Customer care"),
    c("AUTOMOTIVE_SALES", "Vente automobile", "Automotive sales"),
    c("CONSULTING", "Conseil", "Consulting"),
    c("ENTERTAINMENT", "Spectacle", "Entertainment"),
    c("EXECUTIVE", "Cadre dirigeant", "Executive"),
    c("HUMAN_RESOURCES", "Ressources humaines", "Human resources"),
    c("LEGAL", "Juridique", "Legal"),
    c(
        "PERSONAL_SERVICES",
        "Services à la personne",
        "Personal services",
    ),
    c("SPORT", "Sport", "Sport"),
    c("CLERGY", "Religieux", "Clergy"),
    c("SEAFARER", "Marin", "Seafarer"),
];

/// `moneyGramSendReversalReason` (the server's `RefundDtoIn`). The French readings of
/// NO_TQ and MS_NOT_USED are ours: the source gives the codes only.
pub const REVERSAL_REASONS: &[Choice] = &[
    c("INCORRECT_AMT", "Montant erroné", "Incorrect amount"),
    c("WRONG_SERVICE", "Mauvais service choisi", "Wrong service"),
    c(
        "NO_RCV_LOC",
        "Pas de point de retrait pour le bénéficiaire",
        "No receive location",
    ),
    c(
        "NO_TQ",
        "Question-test absente (NO_TQ)",
        "No test question (NO_TQ)",
    ),
    c(
        "MS_NOT_USED",
        "Carte MoneySaver non utilisée",
        "MoneySaver card not used",
    ),
];

/// What a field holds, and so how it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The server's `^[a-zA-Z\s-'.]{1,50}$`: letters without accents, spaces, `-`, `'`, `.`.
    Name,
    /// Free text (address, city): 1 to 100 characters (our bound).
    Text,
    /// An ID document's number: letters, digits, `-` and `/`, 1 to 30 (our bound).
    Document,
    /// A Senegalese mobile number: it is also the operation's `phone`, which Intech checks
    /// per service (the server's own rule for these fields is digits, 1 to 15).
    Phone,
    /// Any number, as the server checks it: digits, 1 to 15 (a receiver abroad).
    Digits,
    /// YYYY-MM-DD, a real date, at least [`MIN_AGE`] years before today.
    BirthDate,
    /// ISO 3166 alpha-3 (`SEN`), as MoneyGram writes countries.
    Country,
    /// A telephone country code: 1 to 3 digits (`221`).
    DialCode,
    /// One code of the list.
    Choice(&'static [Choice]),
}

/// Who gives a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The cashier types or picks it (a default may be filled in).
    Cashier,
    /// The shop sets it; the cashier never types it.
    Shop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MgField {
    /// The name on the wire.
    pub name: &'static str,
    pub fr: &'static str,
    pub en: &'static str,
    pub kind: Kind,
    pub source: Source,
    pub required: bool,
    /// Filled in on the form (the cashier may change it), or the shop's value.
    pub default: Option<&'static str>,
}

impl MgField {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.tr(self.fr, self.en)
    }

    /// The choices of a closed list, if this is one.
    pub fn choices(&self) -> Option<&'static [Choice]> {
        match self.kind {
            Kind::Choice(list) => Some(list),
            _ => None,
        }
    }
}

const fn typed(name: &'static str, fr: &'static str, en: &'static str, kind: Kind) -> MgField {
    MgField {
        name,
        fr,
        en,
        kind,
        source: Source::Cashier,
        required: true,
        default: None,
    }
}

const fn preset(
    name: &'static str,
    fr: &'static str,
    en: &'static str,
    kind: Kind,
    default: &'static str,
) -> MgField {
    MgField {
        name,
        fr,
        en,
        kind,
        source: Source::Cashier,
        required: true,
        default: Some(default),
    }
}

/// Set by the shop. `default: None` means the engine supplies it per operation.
const fn shop(name: &'static str, default: Option<&'static str>) -> MgField {
    MgField {
        name,
        fr: name,
        en: name,
        kind: Kind::Text,
        source: Source::Shop,
        required: true,
        default,
    }
}

const fn optional(mut f: MgField) -> MgField {
    f.required = false;
    f
}

/// The agent's ids, set per operation by the engine.
pub const AGENT_TRANSACTION_ID: &str = "agentTransactionId";
pub const AGENT_CONSUMER_ID: &str = "agentConsumerID";
pub const REFERENCE_NUMBER: &str = "referenceNumber";

/// `moneygramReceptionData.receptionServiceReceiveDetails`: the 24 fields Intech's server
/// requires (`requiredReceptionFields`), in the form's order. The reference comes from the
/// look-up; `consumerId` is `0` as the server's own examples send it (no MoneyGram
/// customer record is looked up); the currency and the country of reception are the
/// shop's.
pub const PAYOUT_FIELDS: [MgField; 24] = [
    shop(REFERENCE_NUMBER, None),
    shop("consumerId", Some("0")),
    shop("receiveCurrency", Some("XOF")),
    shop("receiveCountry", Some("SEN")),
    typed(
        "receiverFirstName",
        "Prénom (comme sur la pièce)",
        "First name (as on the ID)",
        Kind::Name,
    ),
    typed(
        "receiverLastName",
        "Nom (comme sur la pièce)",
        "Last name (as on the ID)",
        Kind::Name,
    ),
    typed(
        "receiverPhotoIdType",
        "Type de pièce d'identité",
        "ID document type",
        Kind::Choice(PHOTO_ID_TYPES),
    ),
    typed(
        "receiverPhotoIdNumber",
        "Numéro de la pièce",
        "ID document number",
        Kind::Document,
    ),
    preset(
        "receiverPhotoIdCountry",
        "Pays de délivrance (SEN…)",
        "Issuing country (SEN…)",
        Kind::Country,
        "SEN",
    ),
    typed(
        "receiverDOB",
        "Date de naissance (AAAA-MM-JJ)",
        "Date of birth (YYYY-MM-DD)",
        Kind::BirthDate,
    ),
    typed("receiverGender", "Sexe", "Gender", Kind::Choice(GENDERS)),
    preset(
        "receiverBirthCountry",
        "Pays de naissance",
        "Country of birth",
        Kind::Country,
        "SEN",
    ),
    preset(
        "receiverCitizenshipCountry",
        "Nationalité",
        "Citizenship",
        Kind::Country,
        "SEN",
    ),
    typed(
        "receiverPhone",
        "Téléphone du bénéficiaire",
        "Receiver's phone",
        Kind::Phone,
    ),
    preset(
        "receiverPhoneCountryCode",
        "Indicatif du téléphone",
        "Phone country code",
        Kind::DialCode,
        "221",
    ),
    typed("receiverAddress", "Adresse", "Address", Kind::Text),
    typed("receiverCity", "Ville", "City", Kind::Text),
    preset(
        "receiverCountry",
        "Pays de résidence",
        "Country of residence",
        Kind::Country,
        "SEN",
    ),
    typed(
        "receiverOccupation",
        "Profession",
        "Occupation",
        Kind::Choice(OCCUPATIONS),
    ),
    typed(
        "receivePurposeOfTransaction",
        "Motif du transfert",
        "Purpose of the transfer",
        Kind::Choice(PURPOSES),
    ),
    typed(
        "relationshipToSender",
        "Lien avec l'expéditeur",
        "Relationship to the sender",
        Kind::Choice(RELATIONSHIPS),
    ),
    typed(
        "receiverIntendedUseOfMGIServices",
        "Usage prévu de MoneyGram",
        "Intended use of MoneyGram",
        Kind::Choice(RECEIVER_USES),
    ),
    shop(AGENT_TRANSACTION_ID, None),
    shop(AGENT_CONSUMER_ID, None),
];

/// `moneygramSendData.senderDetails`: the 23 fields Intech's server requires
/// (`requiredSenderFields`). The server's example in the vendor documentation lacks four of
/// them (`sourceOfFunds`, `relationshipToReceiver`, `senderOccupation`,
/// `senderIntendedUseOfMGIServices`): the server's validator wins.
pub const SENDER_FIELDS: [MgField; 23] = [
    typed(
        "senderFirstName",
        "Prénom de l'expéditeur",
        "Sender's first name",
        Kind::Name,
    ),
    typed(
        "senderLastName",
        "Nom de l'expéditeur",
        "Sender's last name",
        Kind::Name,
    ),
    typed(
        "senderPhotoIdType",
        "Type de pièce d'identité",
        "ID document type",
        Kind::Choice(PHOTO_ID_TYPES),
    ),
    typed(
        "senderPhotoIdNumber",
        "Numéro de la pièce",
        "ID document number",
        Kind::Document,
    ),
    preset(
        "senderPhotoIdCountry",
        "Pays de délivrance (SEN…)",
        "Issuing country (SEN…)",
        Kind::Country,
        "SEN",
    ),
    typed(
        "senderDOB",
        "Date de naissance (AAAA-MM-JJ)",
        "Date of birth (YYYY-MM-DD)",
        Kind::BirthDate,
    ),
    typed("senderGender", "Sexe", "Gender", Kind::Choice(GENDERS)),
    preset(
        "senderBirthCountry",
        "Pays de naissance",
        "Country of birth",
        Kind::Country,
        "SEN",
    ),
    preset(
        "senderCitizenshipCountry",
        "Nationalité",
        "Citizenship",
        Kind::Country,
        "SEN",
    ),
    typed(
        "senderPhoneNumber",
        "Téléphone de l'expéditeur",
        "Sender's phone",
        Kind::Phone,
    ),
    preset(
        "senderHomePhoneCountryCode",
        "Indicatif du téléphone",
        "Phone country code",
        Kind::DialCode,
        "221",
    ),
    typed("senderAddress", "Adresse", "Address", Kind::Text),
    typed("senderCity", "Ville", "City", Kind::Text),
    preset(
        "senderCountry",
        "Pays de résidence",
        "Country of residence",
        Kind::Country,
        "SEN",
    ),
    typed(
        "senderOccupation",
        "Profession",
        "Occupation",
        Kind::Choice(OCCUPATIONS),
    ),
    typed(
        "sourceOfFunds",
        "Origine des fonds",
        "Source of funds",
        Kind::Choice(SOURCES_OF_FUNDS),
    ),
    typed(
        "sendPurposeOfTransaction",
        "Motif du transfert",
        "Purpose of the transfer",
        Kind::Choice(PURPOSES),
    ),
    typed(
        "relationshipToReceiver",
        "Lien avec le bénéficiaire",
        "Relationship to the receiver",
        Kind::Choice(RELATIONSHIPS),
    ),
    typed(
        "senderIntendedUseOfMGIServices",
        "Usage prévu de MoneyGram",
        "Intended use of MoneyGram",
        Kind::Choice(SENDER_USES),
    ),
    shop("sendCurrency", Some("XOF")),
    // The only delivery option the server accepts.
    shop("deliveryOption", Some("WILL_CALL")),
    shop(AGENT_TRANSACTION_ID, None),
    shop(AGENT_CONSUMER_ID, None),
];

/// `moneygramSendData.receiverDetails`: the 6 fields the server requires
/// (`requiredReceiverFields`), and the receiver's phone, optional there (with its country
/// code when given).
pub const RECEIVER_FIELDS: [MgField; 8] = [
    typed(
        "receiverFirstName",
        "Prénom du bénéficiaire",
        "Receiver's first name",
        Kind::Name,
    ),
    typed(
        "receiverLastName",
        "Nom du bénéficiaire",
        "Receiver's last name",
        Kind::Name,
    ),
    preset(
        "receiveCountry",
        "Pays du bénéficiaire (SEN…)",
        "Receiver's country (SEN…)",
        Kind::Country,
        "SEN",
    ),
    typed(
        "receiverCity",
        "Ville du bénéficiaire",
        "Receiver's city",
        Kind::Text,
    ),
    typed(
        "receiverAddress",
        "Adresse du bénéficiaire",
        "Receiver's address",
        Kind::Text,
    ),
    shop("receiveCurrency", Some("XOF")),
    optional(typed(
        "receiverPhone",
        "Tél. du bénéficiaire (facultatif)",
        "Receiver's phone (optional)",
        Kind::Digits,
    )),
    optional(preset(
        "receiverPhoneCountryCode",
        "Indicatif du bénéficiaire",
        "Receiver's country code",
        Kind::DialCode,
        "221",
    )),
];

/// The amount a send form asks first (not one of MoneyGram's details: the operation's).
pub const SEND_AMOUNT: MgField = typed(
    "amount",
    "Montant à envoyer (FCFA)",
    "Amount to send (FCFA)",
    Kind::Text,
);

/// The fields the cashier fills, in order (the shop's are left out).
pub fn form_of(list: &'static [MgField]) -> impl Iterator<Item = &'static MgField> {
    list.iter().filter(|f| f.source == Source::Cashier)
}

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

fn error(field: &'static str, message: String) -> FieldError {
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

fn parse_date(text: &str) -> Option<Date> {
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
fn check_value(lang: Lang, f: &MgField, value: &str, today: Date) -> Result<String, String> {
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
fn details(
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
fn check_send_amount(lang: Lang, amount: i64) -> Result<(), FieldError> {
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

#[cfg(test)]
mod tests;
