//! MoneyGram's closed lists (ID documents, purposes, occupations…): the codes on the wire
//! and their French and English labels.

use crate::i18n::Lang;

/// One value of a closed list: the code on the wire and its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub code: &'static str,
    pub fr: &'static str,
    pub en: &'static str,
}

pub(super) const fn c(code: &'static str, fr: &'static str, en: &'static str) -> Choice {
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
