//! The fields of MoneyGram's payout and send, as Intech's validators list them: who fills
//! each, what it holds, and so how it is checked.

use super::*;
use crate::i18n::Lang;

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

pub(super) const fn typed(
    name: &'static str,
    fr: &'static str,
    en: &'static str,
    kind: Kind,
) -> MgField {
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

pub(super) const fn preset(
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
pub(super) const fn shop(name: &'static str, default: Option<&'static str>) -> MgField {
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

pub(super) const fn optional(mut f: MgField) -> MgField {
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
