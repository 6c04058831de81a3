//! The user interface's two languages: French by default, English by configuration
//! (`[ui] language = "en"` or `CAISSE_LANG=en`). Strings sit side by side where they are
//! used (`lang.tr("Montant", "Amount")`), so a screen reads as it is drawn. Messages written
//! by the gateways themselves (Intech's error catalogue) stay as the vendor wrote them.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn tr(self, fr: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// The label of the field named `name` (`french` is its French label).
    pub fn field_label(self, name: &str, french: &'static str) -> &'static str {
        if self == Lang::Fr {
            return french;
        }
        match name {
            "phone" => "Customer's phone",
            "amount" => "Amount (FCFA)",
            "message" => "Message",
            "customerFirstName" => "Customer's first name",
            "customerLastName" => "Customer's last name",
            "customerEmail" => "Customer's e-mail",
            "cardNumber" => "Card number",
            "cardExpireMonth" => "Expiry month (MM)",
            "cardExpireYear" => "Expiry year (YY)",
            "cardCVC" => "Security code (CVC)",
            "rib" => "Bank account (RIB)",
            "accountNumber" => "Account / meter / card number",
            "billReference" => "Bill reference",
            "description" => "Sale description",
            "referenceNumber" => "Reference number (8 digits)",
            "cardType" => "Card type",
            "usage" => "Use",
            "senderFirstName" => "Sender's first name",
            "senderLastName" => "Sender's last name",
            "receiverFirstName" => "Receiver's first name",
            "receiverLastName" => "Receiver's last name",
            _ => french,
        }
    }
}
