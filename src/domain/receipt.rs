//! A receipt: what it says of one final operation, and how it is laid out on a 58 mm
//! (32 columns) or 80 mm (48 columns) roll. Pure: the journal gives the values, the
//! command line prints the lines as text, the printer turns them into ESC/POS.
//!
//! What it never holds: a card number (even masked: the fields are not printed at all), a
//! CVC, a key. The customer's phone is masked in the middle (`77*****00`): the receipt
//! leaves the shop.

use super::{OpKind, TxStatus};
use crate::money::fcfa;

/// The shop, from the configuration's `[shop]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shop {
    pub name: String,
    /// One printed line each (the configuration's `address`, split at new lines).
    pub address: Vec<String>,
    /// `[shop] whatsapp_fee`: what Intech charges the shop per WhatsApp message, as its
    /// contract says. Shown before a receipt is sent by WhatsApp while the journal holds
    /// no message's fee yet (the fee the server last charged wins: `Journal::whatsapp_fee`).
    pub whatsapp_fee: Option<i64>,
}

/// The values a receipt shows, already chosen from the journal's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    /// The gapless number given when the operation became final.
    pub number: Option<i64>,
    pub shop: Shop,
    /// When it became final (else when it was made), ms since the epoch, UTC (the local
    /// time of Senegal and Côte d'Ivoire).
    pub at: i64,
    pub cashier: String,
    /// The catalogue's name of the service (`Wave Sénégal - Retrait`), or its code.
    pub service: String,
    pub kind: OpKind,
    /// For a refund: the sale it gives back.
    pub refund_of: Option<String>,
    /// The customer's phone as the journal holds it; masked when laid out.
    pub phone: Option<String>,
    pub amount: Option<i64>,
    /// Fees, commission, net amount… where the gateway told them (label, value).
    pub charges: Vec<(&'static str, String)>,
    /// What the reply carried for the customer (a Woyofal code…), by `crate::details`.
    pub details: Vec<(&'static str, String)>,
    pub gateway_tx_id: Option<String>,
    /// caisse's own id of the operation: in the QR, and what `caisse receipt` takes.
    pub reference: String,
    pub status: TxStatus,
    /// Printed before: this one is a copy.
    pub duplicate: bool,
}

/// The roll's width in characters (font A).
pub const NARROW: usize = 32;
pub const WIDE: usize = 48;

/// One line of a laid-out receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Centered and bold (the shop's name, the title, DUPLICATA).
    Title(String),
    /// Centered.
    Center(String),
    /// As is (already fitted to the width).
    Text(String),
    /// A dashed line across.
    Rule,
    /// A QR code of this text, centered.
    Qr(String),
}

/// `772457100` → `77*****00`: the first two and last two digits, the rest masked (a
/// number of four digits or fewer is masked whole).
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() <= 4 {
        return "*".repeat(digits.len());
    }
    let mut out: String = digits[..2].iter().collect();
    out.push_str(&"*".repeat(digits.len() - 4));
    out.extend(&digits[digits.len() - 2..]);
    out
}

/// `30/11/2026 23:29` (UTC).
pub fn date_time(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[day]/[month]/[year] [hour]:[minute]");
    t.format(&f).unwrap_or_default()
}

fn width_of(text: &str) -> usize {
    text.chars().count()
}

/// Cuts `text` into pieces of at most `width` characters, at spaces where it can.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        // A word longer than the line (an id) is cut where the line ends.
        while word.len() > width {
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            out.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        if word.is_empty() {
            continue;
        }
        if line.is_empty() {
            line = word;
        } else if width_of(&line) + 1 + width_of(&word) <= width {
            line.push(' ');
            line.push_str(&word);
        } else {
            out.push(std::mem::replace(&mut line, word));
        }
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// `Label        value` on one line when both fit, else the label then the value
/// right-aligned below (wrapped if it must).
fn field(out: &mut Vec<Line>, label: &str, value: &str, width: usize) {
    let (l, v) = (width_of(label), width_of(value));
    if l + 1 + v <= width {
        out.push(Line::Text(format!(
            "{label}{}{value}",
            " ".repeat(width - l - v)
        )));
        return;
    }
    out.push(Line::Text(label.to_owned()));
    for piece in wrap(value, width) {
        out.push(Line::Text(format!("{piece:>width$}")));
    }
}

impl Receipt {
    /// The title: what the paper is.
    fn title(&self) -> &'static str {
        match self.kind {
            OpKind::Payment => "REÇU",
            OpKind::Refund => "REÇU DE REMBOURSEMENT",
        }
    }

    /// The receipt laid out for a roll of `width` characters (32 or 48; anything else
    /// is taken as is).
    pub fn layout(&self, width: usize) -> Vec<Line> {
        let width = width.max(20);
        let mut out = Vec::new();
        let centered = |out: &mut Vec<Line>, text: &str, title: bool| {
            for piece in wrap(text, width) {
                out.push(if title {
                    Line::Title(piece)
                } else {
                    Line::Center(piece)
                });
            }
        };
        if !self.shop.name.trim().is_empty() {
            centered(&mut out, &self.shop.name, true);
        }
        for line in &self.shop.address {
            centered(&mut out, line, false);
        }
        out.push(Line::Rule);
        let title = match self.number {
            Some(n) => format!("{} N° {n:06}", self.title()),
            None => self.title().to_owned(),
        };
        centered(&mut out, &title, true);
        if self.duplicate {
            centered(&mut out, "*** DUPLICATA ***", true);
        }
        out.push(Line::Rule);
        field(&mut out, "Date", &date_time(self.at), width);
        if !self.cashier.is_empty() {
            field(&mut out, "Caissier", &self.cashier, width);
        }
        field(&mut out, "Service", &self.service, width);
        if let Some(sale) = &self.refund_of {
            field(&mut out, "Remboursement de", sale, width);
        }
        if let Some(phone) = &self.phone {
            field(&mut out, "Client", &mask_phone(phone), width);
        }
        if let Some(amount) = self.amount {
            field(&mut out, "Montant", &fcfa(amount), width);
        }
        for (label, value) in &self.charges {
            field(&mut out, label, value, width);
        }
        for (label, value) in &self.details {
            field(&mut out, label, value, width);
        }
        field(
            &mut out,
            "Statut",
            &self.status.french().to_uppercase(),
            width,
        );
        out.push(Line::Rule);
        if let Some(id) = &self.gateway_tx_id {
            field(&mut out, "Transaction", id, width);
        }
        field(&mut out, "Référence", &self.reference, width);
        out.push(Line::Qr(self.reference.clone()));
        centered(&mut out, "Conservez ce reçu", false);
        out
    }

    /// The receipt as plain text for a terminal, `width` columns. The QR is drawn with
    /// half blocks where it fits the width; otherwise the reference above stands alone.
    pub fn to_text(&self, width: usize) -> String {
        let mut out = String::new();
        for line in self.layout(width) {
            match line {
                Line::Title(t) | Line::Center(t) => {
                    let pad = width.saturating_sub(width_of(&t)) / 2;
                    out.push_str(&format!("{}{t}\n", " ".repeat(pad)));
                }
                Line::Text(t) => out.push_str(&format!("{t}\n")),
                Line::Rule => out.push_str(&format!("{}\n", "-".repeat(width))),
                Line::Qr(data) => {
                    if let Ok(qr) = crate::qr::QrImage::encode(&data)
                        && qr.cells().0 <= width
                    {
                        let pad = " ".repeat((width - qr.cells().0) / 2);
                        for row in qr.to_plain().lines() {
                            out.push_str(&format!("{pad}{row}\n"));
                        }
                    }
                }
            }
        }
        out
    }
}

/// The field of a WhatsApp message's operation that names the sale whose receipt it
/// carries (its `externalTransactionId`): the link between the two, kept in the journal
/// only (never sent to the gateway), read by the drawer (the shop pays such a message) and
/// shown in both journal details.
pub const RECEIPT_OF: &str = "receiptOf";

/// The most characters a WhatsApp message takes (the server's limit on `message`).
pub const MESSAGE_MAX: usize = 500;

impl Receipt {
    /// The receipt as a WhatsApp message: the same values as the paper one, one
    /// `Label : value` per line (WhatsApp wraps lines itself, so nothing is padded), titles
    /// in WhatsApp's bold (`*…*`), no QR (the reference is written out). Within
    /// [`MESSAGE_MAX`] characters: the address, then what the reply carried, then the
    /// charges are left out when it would not fit, and as a last resort the text is cut.
    pub fn to_message(&self) -> String {
        let mut drop_address = false;
        let mut drop_details = false;
        let mut drop_charges = false;
        loop {
            let text = self.message_text(drop_address, drop_details, drop_charges);
            if text.chars().count() <= MESSAGE_MAX {
                return text;
            }
            if !drop_address {
                drop_address = true;
            } else if !drop_details {
                drop_details = true;
            } else if !drop_charges {
                drop_charges = true;
            } else {
                let mut cut: String = text.chars().take(MESSAGE_MAX - 1).collect();
                cut.push('…');
                return cut;
            }
        }
    }

    fn message_text(&self, no_address: bool, no_details: bool, no_charges: bool) -> String {
        let mut out: Vec<String> = Vec::new();
        let line = |label: &str, value: &str| format!("{label} : {value}");
        if !self.shop.name.trim().is_empty() {
            out.push(format!("*{}*", self.shop.name.trim()));
        }
        if !no_address {
            out.extend(self.shop.address.iter().cloned());
        }
        out.push(match self.number {
            Some(n) => format!("*{} N° {n:06}*", self.title()),
            None => format!("*{}*", self.title()),
        });
        if self.duplicate {
            out.push("*DUPLICATA*".into());
        }
        out.push(line("Date", &date_time(self.at)));
        if !self.cashier.is_empty() {
            out.push(line("Caissier", &self.cashier));
        }
        out.push(line("Service", &self.service));
        if let Some(sale) = &self.refund_of {
            out.push(line("Remboursement de", sale));
        }
        if let Some(phone) = &self.phone {
            out.push(line("Client", &mask_phone(phone)));
        }
        if let Some(amount) = self.amount {
            out.push(line("Montant", &fcfa(amount)));
        }
        if !no_charges {
            for (label, value) in &self.charges {
                out.push(line(label, value));
            }
        }
        if !no_details {
            for (label, value) in &self.details {
                out.push(line(label, value));
            }
        }
        out.push(line("Statut", &self.status.french().to_uppercase()));
        if let Some(id) = &self.gateway_tx_id {
            out.push(line("Transaction", id));
        }
        out.push(line("Référence", &self.reference));
        out.push("Conservez ce reçu".into());
        out.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale() -> Receipt {
        Receipt {
            number: Some(42),
            shop: Shop {
                name: "Boutique Awa".into(),
                address: vec!["Marché Sandaga, Dakar".into()],
                whatsapp_fee: None,
            },
            at: 1_764_545_340_000, // 30/11/2025 23:29 UTC
            cashier: "awa".into(),
            service: "Wave Sénégal - Retrait".into(),
            kind: OpKind::Payment,
            refund_of: None,
            phone: Some("772457100".into()),
            amount: Some(12_500),
            charges: vec![("Commission", fcfa(125))],
            details: vec![],
            gateway_tx_id: Some("139663910423".into()),
            reference: "0193f4a1-7c2e-7000-8000-000000000001".into(),
            status: TxStatus::Success,
            duplicate: false,
        }
    }

    #[test]
    fn the_phone_keeps_two_digits_at_each_end() {
        assert_eq!(mask_phone("772457100"), "77*****00");
        assert_eq!(mask_phone("2250707070707"), "22*********07");
        assert_eq!(mask_phone("1234"), "****");
    }

    #[test]
    fn every_line_fits_the_roll_at_32_and_48_columns() {
        for width in [NARROW, WIDE] {
            let mut r = sale();
            r.service = "un service au nom très long qui ne tient pas sur une ligne".into();
            for line in r.layout(width) {
                if let Line::Title(t) | Line::Center(t) | Line::Text(t) = &line {
                    assert!(width_of(t) <= width, "{width}: « {t} » is too long");
                }
            }
        }
    }

    #[test]
    fn a_receipt_says_what_the_customer_needs_and_masks_the_phone() {
        let text = sale().to_text(WIDE);
        for want in [
            "Boutique Awa",
            "Marché Sandaga, Dakar",
            "REÇU N° 000042",
            "30/11/2025 23:29",
            "awa",
            "Wave Sénégal - Retrait",
            "77*****00",
            "12 500 FCFA",
            "Commission",
            "125 FCFA",
            "139663910423",
            "RÉUSSI",
            "0193f4a1-7c2e-7000-8000-000000000001",
        ] {
            assert!(text.contains(want), "missing « {want} » in\n{text}");
        }
        assert!(!text.contains("772457100"));
        assert!(!text.contains("DUPLICATA"));
        assert!(sale().layout(WIDE).contains(&Line::Qr(sale().reference)));
    }

    #[test]
    fn a_reprint_says_duplicata() {
        let mut r = sale();
        r.duplicate = true;
        assert!(
            r.layout(NARROW)
                .contains(&Line::Title("*** DUPLICATA ***".into()))
        );
    }

    #[test]
    fn a_label_and_a_value_too_long_for_one_line_take_two() {
        let lines = sale().layout(NARROW);
        let at = lines
            .iter()
            .position(|l| *l == Line::Text("Référence".into()))
            .expect("the reference label on its own line");
        assert_eq!(
            lines[at + 1],
            Line::Text("0193f4a1-7c2e-7000-8000-00000000".into())
        );
        assert_eq!(lines[at + 2], Line::Text(format!("{:>32}", "0001")));
    }
    #[test]
    fn the_whatsapp_text_says_the_receipt_with_the_phone_masked() {
        let text = sale().to_message();
        for want in [
            "*Boutique Awa*",
            "*REÇU N° 000042*",
            "Date : 30/11/2025 23:29",
            "Client : 77*****00",
            "Montant : 12 500 FCFA",
            "Commission : 125 FCFA",
            "Statut : RÉUSSI",
            "Transaction : 139663910423",
            "Référence : 0193f4a1-7c2e-7000-8000-000000000001",
        ] {
            assert!(text.contains(want), "missing « {want} » in\n{text}");
        }
        assert!(!text.contains("772457100"));
        assert!(text.chars().count() <= MESSAGE_MAX);
    }

    #[test]
    fn a_whatsapp_text_too_long_drops_the_address_first_and_never_exceeds_the_limit() {
        let mut r = sale();
        r.shop.address = vec!["une adresse très longue ".repeat(10)];
        let text = r.to_message();
        assert!(text.chars().count() <= MESSAGE_MAX);
        assert!(!text.contains("une adresse"));
        assert!(text.contains("Référence : "));
        r.shop.name = "x".repeat(900);
        assert_eq!(r.to_message().chars().count(), MESSAGE_MAX);
    }
}
