//! Pending bills, derived from (service, account, index) so that the same account always
//! shows the same bills (pure functions; which ones were paid lives in the state).

use serde::Serialize;
use sha2::{Digest, Sha256};

/// What `list-pending-bills` finds for an account, before removing paid bills.
pub(crate) enum Lookup {
    Bills(Vec<Bill>),
    /// Last digit 4: an older bill blocks payment.
    OlderBillUnpaid,
}

/// One bill as the server lists it (from its bill provider): `amount` is what the customer
/// pays, `baseAmount` the bill before the provider's fee.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bill {
    pub amount: i64,
    pub bill_reference: String,
    pub infos: Vec<Info>,
    pub base_amount: i64,
}

/// `value` is text or a number, as the provider gives it (amounts are numbers).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Info {
    pub label: &'static str,
    pub value: serde_json::Value,
}

pub(crate) const OLDER_BILL_MESSAGE: &str =
    "Désolé, vous ne pouvez pas payer cette facture, vous avez une facture plus ancienne non payée";

const FIRST_NAMES: &[&str] = &[
    "AMADOU",
    "FATOU",
    "MOUSSA",
    "AWA",
    "IBRAHIMA",
    "AMINATA",
    "CHEIKH",
    "MARIAMA",
    "OUSMANE",
    "KHADY",
    "MAMADOU",
    "NDEYE",
    "ABDOULAYE",
    "COUMBA",
    "MODOU",
    "ROKHAYA",
    "ALIOUNE",
    "BINETA",
    "PAPE",
    "SOKHNA",
];

const LAST_NAMES: &[&str] = &[
    "DIOP", "NDIAYE", "FALL", "SOW", "GUEYE", "FAYE", "DIALLO", "BA", "SARR", "CISSE", "MBAYE",
    "DIOUF", "SECK", "KANE", "THIAM", "NIANG", "SY", "TOURE", "CAMARA", "WADE",
];

/// The bills of an account, by the last digit of its number.
pub(crate) fn lookup(service: &str, account: &str) -> Lookup {
    let count = match account.bytes().last() {
        Some(b'0') => 0,
        Some(b'2') => 2,
        Some(b'3') => 3,
        Some(b'4') => return Lookup::OlderBillUnpaid,
        _ => 1,
    };
    let customer = customer_name(service, account);
    Lookup::Bills(
        (0..count)
            .map(|i| bill(service, account, i, &customer))
            .collect(),
    )
}

/// The key under which a bill is remembered as paid or in payment.
pub(crate) fn key(service: &str, account: &str, reference: &str) -> String {
    format!("{service}|{account}|{reference}")
}

fn digest(parts: &[&str]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update(b"|");
    }
    hasher.finalize().into()
}

fn word(bytes: &[u8], at: usize) -> u64 {
    let mut buf = [0u8; 8];
    buf.copy_from_slice(&bytes[at..at + 8]);
    u64::from_be_bytes(buf)
}

/// A plausible Senegalese name, the same for every bill of the account.
pub(crate) fn customer_name(service: &str, account: &str) -> String {
    let h = digest(&["name", service, account]);
    let first = FIRST_NAMES[(word(&h, 0) % FIRST_NAMES.len() as u64) as usize];
    let last = LAST_NAMES[(word(&h, 8) % LAST_NAMES.len() as u64) as usize];
    format!("{first} {last}")
}

fn bill(service: &str, account: &str, index: u32, customer: &str) -> Bill {
    let h = digest(&["bill", service, account, &index.to_string()]);
    // 13 digits, never starting with 0.
    let reference = 1_000_000_000_000 + word(&h, 0) % 9_000_000_000_000;
    // 1 000 to 60 000 FCFA, multiples of 5.
    let amount = 1_000 + (word(&h, 8) % 11_801) as i64 * 5;
    // Older bills first: one month apart, in 2025.
    let month = 1 + (word(&h, 16) % 9) as u32 + index;
    let day = 1 + (word(&h, 24) % 28) as u32;
    // The provider's fee: 0 to 300 FCFA in steps of 50, within the amount.
    let fee = ((word(&h, 24) / 28 % 7) as i64 * 50).min(amount - 5);
    let base = amount - fee;
    Bill {
        amount,
        bill_reference: reference.to_string(),
        infos: vec![
            Info {
                label: "Nom client",
                value: customer.into(),
            },
            Info {
                label: "Montant de base",
                value: base.into(),
            },
            Info {
                label: "Frais",
                value: fee.into(),
            },
            Info {
                label: "Date d'échéance",
                value: format!("{day:02}/{month:02}/25").into(),
            },
        ],
        base_amount: base,
    }
}
