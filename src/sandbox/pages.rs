//! The HTML pages, in French: the customer's landing page for an Intech deep link, the
//! Intram payment page, the result of a decision, the home page, and the error pages.

use std::fmt::Write;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::reply::html;
use super::rules;
use super::state::{IntramStatus, Shared, Status};
use crate::money::fcfa;

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A complete page; `body` is already HTML.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><style>\
body{{font-family:system-ui,sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem;color:#222}}\
.box{{border:1px solid #ddd;border-radius:12px;padding:1.2rem}}\
.amount{{font-size:2rem;font-weight:700;margin:.4rem 0}}\
.muted{{color:#666;font-size:.9rem}}\
form{{display:inline-block;margin:.4rem .4rem 0 0}}\
button{{font-size:1rem;padding:.6rem 1.2rem;border-radius:8px;border:0;cursor:pointer}}\
.ok{{background:#1b8a3a;color:#fff}}.ko{{background:#c62828;color:#fff}}\
table{{border-collapse:collapse}}td,th{{border:1px solid #ddd;padding:.3rem .5rem;text-align:left}}\
</style></head><body>{body}\
<p class=\"muted\">Sandbox caisse — aucun argent réel ne circule.</p></body></html>",
        title = escape(title),
    )
}

/// The approve and refuse buttons; with `phone_field`, the approval asks the customer's
/// phone (Intram: its last two digits pick the outcome).
fn decision_forms(id: &str, phone_field: bool) -> String {
    let id = escape(id);
    let phone = if phone_field {
        "<p><label>Numéro du client (facultatif ; …85 : erreur, …86 : remboursé) \
<input name=\"phone\" inputmode=\"tel\" size=\"14\"></label></p>"
    } else {
        ""
    };
    format!(
        "<form method=\"post\" action=\"/sandbox/customer/{id}/approve\">{phone}\
<button class=\"ok\" type=\"submit\">Valider le paiement</button></form>\
<form method=\"post\" action=\"/sandbox/customer/{id}/refuse\">\
<button class=\"ko\" type=\"submit\">Refuser</button></form>"
    )
}

/// `GET /deep/{transactionId}`: what the customer sees after scanning the QR.
pub(crate) async fn deep(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let body = {
        let st = shared.lock();
        let Some(tx) = st.intech.get(&id) else {
            drop(st);
            return not_found_page();
        };
        let mut body = format!(
            "<div class=\"box\"><h1>{name}</h1><p class=\"amount\">{amount}</p>\
<p>Statut : <strong>{status}</strong></p>\
<p class=\"muted\">Transaction {tid} — téléphone {phone}</p>",
            name = escape(tx.service.name),
            amount = fcfa(tx.amount),
            status = tx.status.french(),
            tid = escape(&tx.tid),
            phone = escape(&tx.phone),
        );
        if let Some(error) = &tx.error {
            let _ = write!(body, "<p>{}</p>", escape(&error.message));
        }
        if tx.status == Status::Pending && rules::needs_customer(tx.service, tx.outcome) {
            body.push_str(&decision_forms(&tx.tid, false));
        }
        body.push_str("</div>");
        body
    };
    html(StatusCode::OK, page("Valider le paiement", &body))
}

/// `GET /intram/pay/{id}` and `GET /payment/gate/{id}` (the path of Intram's own
/// `receipt_url`): the Intram payment page.
pub(crate) async fn intram_pay(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let body = {
        let st = shared.lock();
        let Some(tx) = st.intram.get(&id) else {
            drop(st);
            return not_found_page();
        };
        let store = if tx.store_name.is_empty() {
            "Paiement Intram".to_owned()
        } else {
            escape(&tx.store_name)
        };
        let mut body = format!(
            "<div class=\"box\"><h1>{store}</h1><p class=\"amount\">{amount}</p>",
            amount = fcfa(tx.amount),
        );
        if !tx.description.is_empty() {
            let _ = write!(body, "<p>{}</p>", escape(&tx.description));
        }
        let _ = write!(
            body,
            "<p>Statut : <strong>{}</strong></p><p class=\"muted\">Transaction {}</p>",
            tx.status.french(),
            escape(&tx.id)
        );
        if tx.status == IntramStatus::Pending {
            body.push_str(&decision_forms(&tx.id, true));
        }
        body.push_str("</div>");
        body
    };
    html(StatusCode::OK, page("Paiement Intram", &body))
}

/// The answer to a form on one of the pages above.
pub(crate) fn decision_result(
    status: StatusCode,
    id: &str,
    intram: bool,
    status_text: &str,
    note: &str,
) -> Response {
    let back = if intram {
        format!("/intram/pay/{}", escape(id))
    } else {
        format!("/deep/{}", escape(id))
    };
    let body = format!(
        "<div class=\"box\"><h1>{note}</h1><p>Statut : <strong>{status_text}</strong></p>\
<p><a href=\"{back}\">Retour au paiement</a></p></div>",
        note = escape(note),
        status_text = escape(status_text),
    );
    html(status, page("Paiement", &body))
}

pub(crate) fn not_found_page() -> Response {
    html(
        StatusCode::NOT_FOUND,
        page(
            "Introuvable",
            "<h1>Transaction introuvable</h1><p>Ce lien ne correspond à aucun paiement.</p>",
        ),
    )
}

/// 403 for a blacklisted IP: plain HTML, not the JSON envelope.
pub(crate) fn forbidden() -> Response {
    html(
        StatusCode::FORBIDDEN,
        "<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head><body>\
<h1>403 Forbidden</h1><p>Adresse IP sur liste noire : trop d'appels à \
get-transaction-status pour une même transaction (3 par minute au plus).</p></body></html>\n"
            .to_owned(),
    )
}

/// Outcome 96: what a crashed upstream looks like behind a reverse proxy.
pub(crate) fn server_error() -> Response {
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n\
<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n\
</body>\r\n</html>\r\n"
            .to_owned(),
    )
}

/// `GET /`: what this server is, and the outcome table.
pub(crate) async fn home(State(shared): State<Arc<Shared>>) -> Response {
    let url = escape(&shared.base_url);
    let mut body = format!(
        "<h1>Sandbox caisse</h1><p>Émulation hors ligne d'Intech API V2 \
(<code>{url}/api-services</code>) et d'Intram (<code>{url}/api/v1</code>).</p>\
<h2>Issue selon les deux derniers chiffres du téléphone</h2><table>"
    );
    for (digits, text) in super::OUTCOMES {
        let _ = write!(
            body,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(digits),
            escape(text)
        );
    }
    body.push_str(
        "</table><p>Transactions : <a href=\"/sandbox/transactions\">/sandbox/transactions</a></p>",
    );
    html(StatusCode::OK, page("Sandbox caisse", &body))
}
