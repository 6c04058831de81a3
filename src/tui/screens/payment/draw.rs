//! The payment screen drawn: the QR and the link for the customer, the countdown, then
//! how the sale ended and what to do next.

use super::{PAYMENT_WINDOW_MS, PaymentState};
use crate::catalog::customer;
use crate::domain::{Outcome, TxStatus, advice};
use crate::money::fcfa;
use crate::qr::{Density, QrImage};
use crate::session::view::Operation;
use crate::tui::screens::App;
use crate::tui::theme::Theme;
use crate::tui::widgets::qr::QrView;
use crate::tui::widgets::{capitalize, wrap_marked};
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

fn big_mark(success: bool) -> [&'static str; 5] {
    if success {
        [
            "        ██",
            "       ██ ",
            "██    ██  ",
            " ██  ██   ",
            "  ████    ",
        ]
    } else {
        ["██    ██", " ██  ██ ", "  ████  ", " ██  ██ ", "██    ██"]
    }
}

fn elapsed(ms: i64) -> String {
    let s = (ms.max(0) / 1000) as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// The next step, by the sale's kind, operator and ending (`domain::advice`).
fn what_next(row: &Operation, theme: Theme) -> String {
    crate::domain::advice::what_next(
        &row.service,
        row.status,
        row.error_code.as_deref(),
        theme.lang,
    )
}

pub fn draw(buf: &mut Buffer, area: Rect, app: &App, p: &PaymentState, theme: Theme) {
    let block = Block::bordered().title(Span::styled(
        format!(" {} — {} ", theme.tr("Paiement", "Payment"), p.tile.name),
        theme.title(),
    ));
    let inner = block.inner(area);
    block.render(area, buf);
    let amount = p.order.amount.map(fcfa).unwrap_or_else(|| "-".into());
    let mut info: Vec<Line> = Vec::new();
    info.push(Line::from(vec![
        Span::styled(theme.tr("Montant  ", "Amount   "), theme.dim()),
        Span::styled(
            amount.clone(),
            Style::default().add_modifier(Modifier::BOLD),
        ),
    ]));
    if let Some(phone) = &p.order.phone {
        info.push(Line::from(vec![
            Span::styled(theme.tr("Client   ", "Customer "), theme.dim()),
            Span::raw(phone.clone()),
        ]));
    }
    let Some(row) = &p.row else {
        let text = match &p.error {
            // Money may have moved: a warning, never drawn as a failure.
            Some(Outcome::Unknown { message }) => {
                vec![Line::from(Span::styled(
                    format!("⚠ {message}"),
                    theme.warn(),
                ))]
            }
            Some(Outcome::Accepted) => vec![],
            Some(outcome @ (Outcome::Failed { .. } | Outcome::NotSent { .. })) => {
                // Nothing left the counter: the next step as for a sale that failed (a
                // deposit's cash goes back).
                let (status, code) = match outcome {
                    Outcome::Failed { code, .. } => (TxStatus::Failed, code.as_deref()),
                    _ => (TxStatus::NotSent, None),
                };
                let next = advice::what_next(&p.order.service, status, code, theme.lang);
                vec![
                    Line::from(Span::styled(
                        format!("✗ {}", outcome.message().unwrap_or_default()),
                        theme.error(),
                    )),
                    Line::from(Span::styled(next, theme.dim())),
                    Line::from(theme.tr(
                        "Échap : retour à l'accueil.",
                        "Esc: back to the home screen.",
                    )),
                ]
            }
            None => vec![Line::from(Span::styled(
                theme.tr("Envoi à la passerelle…", "Sending to the gateway…"),
                theme.warn(),
            ))],
        };
        info.push(Line::default());
        info.extend(text);
        Paragraph::new(info)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
        return;
    };
    if row.status.is_final() {
        let success = row.status == TxStatus::Success;
        // In the service's words: "Dépôt effectué", "Message envoyé"; a refund is done (✓).
        let headline = advice::headline(&row.service, row.status, theme.lang);
        let style = if headline.is_some() {
            theme.ok()
        } else {
            theme.error()
        };
        let mut lines: Vec<Line> = big_mark(headline.is_some())
            .iter()
            .map(|l| Line::from(Span::styled(*l, style)))
            .collect();
        lines.push(Line::default());
        // What the sale moved: the row's (a message's fee is known from the reply only).
        let amount = row
            .amount
            .or(p.order.amount)
            .map(fcfa)
            .unwrap_or_else(|| "-".into());
        let headline = match headline {
            Some(h) => format!("✓ {h} : {amount}"),
            None => format!("✗ {} : {amount}", capitalize(row.status.label(theme.lang))),
        };
        lines.push(Line::from(Span::styled(headline, style)));
        if success {
            // What the customer leaves with: a Woyofal code to type on the meter…
            let details = crate::details::lines(&row.details);
            for (label, value) in &details {
                lines.push(Line::from(vec![
                    Span::styled(format!("{label} : "), theme.dim()),
                    Span::styled(value.clone(), Style::default().add_modifier(Modifier::BOLD)),
                ]));
            }
            // …or, for a reload whose reply has no code of its own (Rapido, Xeweul…), the
            // operator's message, which carries the code or token when there is one.
            if details.is_empty()
                && advice::Kind::of(&row.service) == advice::Kind::Reload
                && let Some(note) = &row.notification
            {
                lines.push(Line::from(Span::styled(
                    theme.tr("Message de l'opérateur :", "The operator's message:"),
                    theme.dim(),
                )));
                lines.extend(wrap_marked(note, inner.width).into_iter().map(Line::from));
            }
        }
        if let Some(m) = row.error_text(theme.lang).filter(|_| !success) {
            lines.push(Line::from(m));
        }
        if let Some(n) = row.receipt_no {
            lines.push(Line::from(vec![
                Span::styled(theme.tr("Reçu n° ", "Receipt no. "), theme.dim()),
                Span::styled(
                    format!("{n:06}"),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
            ]));
        }
        for (label, value) in crate::engine::receipt_lines(&row.service, &row.fields, theme.lang) {
            lines.push(Line::from(vec![
                Span::styled(format!("{label} : "), theme.dim()),
                Span::styled(value, Style::default().add_modifier(Modifier::BOLD)),
            ]));
        }
        lines.push(Line::from(Span::styled(what_next(row, theme), theme.dim())));
        if let Some(n) = &p.notice {
            lines.push(Line::from(Span::styled(n.clone(), theme.warn())));
        }
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
        return;
    }
    // Pending: QR on the left when it fits (half blocks, else the denser sextants), details
    // on the right.
    let qr = row.customer_url.as_deref().and_then(encoded);
    let mut text_area = inner;
    let mut too_small = false;
    if let Some(image) = &qr {
        let fits = |d: Density| {
            let (cols, rows) = image.cells_in(d);
            usize::from(inner.width) >= cols + 24 && usize::from(inner.height) >= rows
        };
        match [Density::Half, Density::Sextant]
            .into_iter()
            .find(|d| fits(*d))
        {
            Some(density) => {
                let (cols, rows) = image.cells_in(density);
                QrView {
                    image,
                    mode: theme.mode,
                    density,
                }
                .render(
                    Rect {
                        x: inner.x,
                        y: inner.y,
                        width: cols as u16,
                        height: rows as u16,
                    },
                    buf,
                );
                text_area = Rect {
                    x: inner.x + cols as u16 + 2,
                    width: inner.width - cols as u16 - 2,
                    ..inner
                };
            }
            None => too_small = true,
        }
    }
    let waited = app.now - row.sent_at.unwrap_or(p.opened_at);
    let left = (PAYMENT_WINDOW_MS - waited).max(0);
    info.push(Line::default());
    info.push(Line::from(vec![
        Span::styled(theme.tr("Statut   ", "Status   "), theme.dim()),
        Span::styled(capitalize(row.status.label(theme.lang)), theme.warn()),
    ]));
    info.push(Line::from(vec![
        Span::styled(theme.tr("Attente  ", "Waiting  "), theme.dim()),
        Span::raw(elapsed(waited)),
        Span::styled(theme.tr("   expire dans ", "   expires in "), theme.dim()),
        Span::raw(elapsed(left)),
    ]));
    for (label, value) in crate::engine::receipt_lines(&row.service, &row.fields, theme.lang) {
        info.push(Line::from(vec![
            Span::styled(format!("{label:<9}"), theme.dim()),
            Span::styled(value, Style::default().add_modifier(Modifier::BOLD)),
        ]));
    }
    if row.status == TxStatus::Unknown {
        info.push(Line::from(Span::styled(
            theme.tr(
                "Réponse non reçue : l'opération a peut-être abouti, vérification en cours.",
                "No answer received: it may have gone through, checking.",
            ),
            theme.warn(),
        )));
    }
    info.push(Line::default());
    // What the customer does, per operator (the catalogue's one table).
    let step = customer::find(&row.service);
    if let Some(url) = &row.customer_url {
        if qr.is_some() && !too_small {
            info.push(Line::from(Span::styled(
                customer::How::Page.instruction(theme.lang),
                theme.title(),
            )));
        } else if too_small {
            info.push(Line::from(Span::styled(
                theme.tr(
                    "Terminal trop petit pour le QR : agrandissez la fenêtre ou donnez le lien :",
                    "Terminal too small for the QR: enlarge it or give the link:",
                ),
                theme.warn(),
            )));
        }
        // A link is never cut silently: each piece ends with a mark that it goes on.
        info.extend(
            wrap_marked(url, text_area.width)
                .into_iter()
                .map(Line::from),
        );
    } else if let Some(how) = step
        .map(|s| s.how)
        .filter(|h| matches!(h, customer::How::Ussd(_) | customer::How::Phone))
    {
        info.push(Line::from(Span::styled(
            how.instruction(theme.lang),
            theme.title(),
        )));
    }
    if let Some(note) = &row.notification {
        info.push(Line::default());
        info.push(Line::from(Span::styled(
            theme.tr("Message pour le client :", "Message for the customer:"),
            theme.dim(),
        )));
        info.extend(
            wrap_marked(note, text_area.width)
                .into_iter()
                .map(Line::from),
        );
    }
    if let Some(n) = &p.notice {
        info.push(Line::default());
        info.push(Line::from(Span::styled(n.clone(), theme.warn())));
    }
    Paragraph::new(info)
        .wrap(Wrap { trim: false })
        .render(text_area, buf);
}

thread_local! {
    /// The last link's QR: the payment screen is drawn once a second while the customer
    /// pays, and encoding is the costly part of a frame; a link's QR never changes.
    static LAST_QR: std::cell::RefCell<Option<(String, Option<QrImage>)>> =
        const { std::cell::RefCell::new(None) };
}

/// `link`'s QR, encoded once for as long as the screen shows that link.
fn encoded(link: &str) -> Option<QrImage> {
    LAST_QR.with(|last| {
        let mut last = last.borrow_mut();
        match &*last {
            Some((l, image)) if l == link => image.clone(),
            _ => {
                let image = QrImage::encode(link).ok();
                *last = Some((link.to_owned(), image.clone()));
                image
            }
        }
    })
}
