//! MoneyGram look-ups as the counter shows them: label / value lines in French.

use serde_json::{Value, json};

use crate::gateway::intech::models::{MoneygramReception, MoneygramSendInfo};

fn money(amount: Option<i64>) -> String {
    amount.map(crate::money::fcfa).unwrap_or_else(|| "-".into())
}

pub fn reception_lines(r: MoneygramReception) -> Vec<(String, String)> {
    let status = match r.transaction_status.as_deref() {
        Some("AVAIL") => "disponible".to_owned(),
        Some("RECVD") => "déjà payé".to_owned(),
        Some(other) => other.to_owned(),
        None => "-".to_owned(),
    };
    let pickup = if r.ok_for_pickup == Some(true) {
        "autorisée"
    } else {
        "NON autorisée"
    };
    vec![
        ("Expéditeur".to_owned(), r.sender_name),
        ("Bénéficiaire".to_owned(), r.receiver_name),
        ("Montant à remettre".to_owned(), money(r.receive_amount)),
        ("Statut".to_owned(), status),
        ("Remise au guichet".to_owned(), pickup.to_owned()),
    ]
}

pub fn send_data(sender: &(String, String), receiver: &(String, String)) -> Value {
    json!({
        "senderDetails": {"senderFirstName": sender.0, "senderLastName": sender.1},
        "receiverDetails": {"receiverFirstName": receiver.0, "receiverLastName": receiver.1},
    })
}

pub fn fee_lines(f: MoneygramSendInfo) -> Vec<(String, String)> {
    vec![
        ("Montant envoyé".to_owned(), money(f.send_amount)),
        ("Frais".to_owned(), money(f.total_send_fees)),
        (
            "Total à encaisser".to_owned(),
            money(f.total_amount_to_collect),
        ),
        ("Montant reçu".to_owned(), money(f.receive_amount)),
    ]
}
