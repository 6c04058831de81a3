//! A sale being paid: the QR and the link for the customer, the countdown, then how it ended
//! and what to do next.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::keys::{Binding, lookup, shown};
use super::{App, Screen};
use crate::catalog::customer;
use crate::domain::moneygram as mg;
use crate::domain::{Outcome, TxStatus, advice};
use crate::engine::PayOrder;
use crate::money::fcfa;
use crate::qr::{Density, QrImage};
use crate::session::view::Operation;
use crate::tui::catalog::Tile;
use crate::tui::message::Effect;
use crate::tui::theme::Theme;
use crate::tui::widgets::qr::QrView;
use crate::tui::widgets::{capitalize, wrap_marked};

/// The customer's time to validate, shown as a countdown.
pub const PAYMENT_WINDOW_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, Clone)]
pub struct PaymentState {
    /// What was asked, for display while sending.
    pub order: PayOrder,
    pub tile: Tile,
    /// `None` until the engine recorded the send.
    pub row: Option<Operation>,
    /// How the send ended when it left no row (refused before sending, or lost).
    pub error: Option<Outcome>,
    /// When the screen opened (for the elapsed time), in ms.
    pub opened_at: i64,
    pub notice: Option<String>,
    /// The bell rang for this sale's final status.
    pub rang: bool,
    /// The id the terminal chose for this sale before sending it: the sale is found again
    /// by it if the answer is lost (the link to the service cut).
    pub external_id: Option<String>,
}

/// A sale the cashier left before it settled (`n` on its payment screen): when it settles,
/// whatever screen is up shows a line about it and the bell rings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftSale {
    pub external_id: String,
    /// What the cashier recognises it by: the tile, the amount, the customer.
    pub label: String,
}

impl LeftSale {
    fn of(p: &PaymentState, external_id: String) -> LeftSale {
        let mut label = p.tile.name.to_owned();
        if let Some(a) = p.order.amount {
            label.push_str(&format!(" {}", fcfa(a)));
        }
        if let Some(phone) = &p.order.phone {
            label.push_str(&format!(" ({phone})"));
        }
        LeftSale { external_id, label }
    }

    /// The line shown when it settled in `status`.
    pub fn settled(&self, status: TxStatus, lang: crate::i18n::Lang) -> String {
        let mark = if status == TxStatus::Success {
            "✓"
        } else {
            "✗"
        };
        format!(
            "{mark} {} {} : {} — {}",
            lang.tr("Vente laissée", "Sale left"),
            self.label,
            status.label(lang),
            lang.tr("F3/j : journal", "F3/j: journal"),
        )
    }
}

/// The payment screen of a recorded sale (the cashier's unfinished sale at login, a pending
/// sale reopened from the journal): its QR and link again. `None` for a service the app does
/// not offer.
pub fn of_row(row: Operation, notice: Option<String>) -> Option<Box<PaymentState>> {
    let code = if row.gateway == crate::domain::GatewayKind::Intram {
        crate::tui::catalog::INTRAM_CODE
    } else {
        row.service.as_str()
    };
    let tile = crate::tui::catalog::all_tiles()
        .into_iter()
        .find(|t| t.code == code)?;
    let fields = row
        .fields
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let order = PayOrder {
        gateway: row.gateway,
        service: row.service.clone(),
        phone: row.phone.clone(),
        amount: row.amount,
        fields,
        description: None,
    };
    Some(Box::new(PaymentState {
        order,
        tile,
        opened_at: row.created_at,
        // The bell already rang, or the cashier was not there to hear it.
        rang: row.status.is_final(),
        external_id: Some(row.external_id.clone()),
        row: Some(row),
        error: None,
        notice,
    }))
}

/// What a key does on the payment screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    New,
    Check,
    Refund,
    Journal,
    /// The receipt on the shop's printer, once the sale is final.
    Print,
}

pub const KEYS: &[Binding<Action>] = &[
    shown(
        &[
            KeyCode::F(2),
            KeyCode::Char('n'),
            KeyCode::Char('N'),
            KeyCode::Esc,
        ],
        Action::New,
        ("F2 n", "nouvelle vente"),
        ("F2 n", "new sale"),
    ),
    shown(
        &[KeyCode::F(5), KeyCode::Char('v'), KeyCode::Char('V')],
        Action::Check,
        ("F5 v", "vérifier"),
        ("F5 v", "re-check"),
    ),
    shown(
        &[KeyCode::F(8), KeyCode::Char('r'), KeyCode::Char('R')],
        Action::Refund,
        ("F8 r", "rembourser"),
        ("F8 r", "refund"),
    ),
    shown(
        &[KeyCode::F(3), KeyCode::Char('j'), KeyCode::Char('J')],
        Action::Journal,
        ("F3 j", "journal"),
        ("F3 j", "journal"),
    ),
    shown(
        &[KeyCode::F(7), KeyCode::Char('i'), KeyCode::Char('I')],
        Action::Print,
        ("F7 i", "reçu"),
        ("F7 i", "receipt"),
    ),
];

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let app_lang = app.lang;
    let Screen::Payment(p) = &mut app.screen else {
        return vec![];
    };
    let row = p.row.clone();
    match lookup(KEYS, key.code) {
        Some(Action::New) => {
            // The sale goes on being followed by the engine; the journal shows it. Once
            // settled and left, it is not brought back at the next login. Left unsettled,
            // its settling is announced on whatever screen is up.
            let sent = row
                .as_ref()
                .filter(|r| !r.status.is_final())
                .map(|r| r.external_id.clone())
                .or_else(|| {
                    // Still being sent, or its answer lost: it may yet settle.
                    let open =
                        row.is_none() && matches!(p.error, None | Some(Outcome::Unknown { .. }));
                    p.external_id.clone().filter(|_| open)
                });
            if let Some(id) = sent {
                let left = LeftSale::of(p, id);
                app.left.retain(|l| l.external_id != left.external_id);
                app.left.push(left);
            }
            app.screen = Screen::Catalogue;
            app.filter.clear();
            match row {
                Some(r) if r.status.is_final() => {
                    vec![Effect::CountPending, Effect::Seen(r.external_id)]
                }
                _ => vec![Effect::CountPending],
            }
        }
        Some(Action::Check) => match row {
            Some(r) if !r.status.is_final() => {
                p.notice = Some(
                    app_lang
                        .tr(
                            "Vérification demandée à la passerelle…",
                            "Asking the gateway…",
                        )
                        .into(),
                );
                vec![Effect::Refresh(r.external_id)]
            }
            Some(r) => {
                p.notice = Some(finished(&r, app_lang));
                vec![]
            }
            None => {
                p.notice = Some(
                    app_lang
                        .tr(
                            "Rien à vérifier : la passerelle n'a pas encore répondu.",
                            "Nothing to check yet: the gateway has not answered.",
                        )
                        .into(),
                );
                vec![]
            }
        },
        Some(Action::Refund) => match row {
            Some(r) if r.refundable() && r.service == mg::SEND => {
                p.notice = Some(
                    app_lang
                        .tr(
                            "Un envoi MoneyGram s'annule depuis le journal (j), avec son motif.",
                            "A MoneyGram send is reversed from the journal (j), with its reason.",
                        )
                        .into(),
                );
                vec![]
            }
            // Asked first, with what goes back (`ask`); then a supervisor's PIN if needed.
            Some(r) if r.refundable() => {
                super::ask::refund(app, &r);
                vec![]
            }
            _ => {
                p.notice = Some(crate::domain::refund::not_refundable(app_lang).into());
                vec![]
            }
        },
        Some(Action::Journal) => app.open_journal(),
        Some(Action::Print) => match row {
            Some(r) if r.status.is_final() => {
                p.notice = Some(
                    app_lang
                        .tr("Impression du reçu…", "Printing the receipt…")
                        .into(),
                );
                vec![Effect::PrintReceipt(r.external_id)]
            }
            _ => {
                p.notice = Some(
                    app_lang
                        .tr(
                            "Pas de reçu avant le résultat de la vente.",
                            "No receipt before the sale's outcome.",
                        )
                        .into(),
                );
                vec![]
            }
        },
        _ => {
            app.dirty = false;
            vec![]
        }
    }
}

/// What `v` says on a sale that ended: its status is final, nothing more will change it.
pub fn finished(row: &Operation, lang: crate::i18n::Lang) -> String {
    match lang {
        crate::i18n::Lang::Fr => format!(
            "Cette opération est terminée ({}) : rien à vérifier.",
            row.status.label(lang)
        ),
        crate::i18n::Lang::En => format!(
            "This operation is over ({}): nothing to check.",
            row.status.label(lang)
        ),
    }
}

/// The sale on screen, refused as a repeat (nothing recorded), sent again as the cashier
/// confirmed it: a new id, the countdown from now.
pub fn send_again(app: &mut App) -> Vec<Effect> {
    match &mut app.screen {
        Screen::Payment(p) if p.row.is_none() => {
            p.error = None;
            p.external_id = None;
            p.opened_at = app.now;
            vec![Effect::Pay {
                order: p.order.clone(),
                allow_duplicate: true,
            }]
        }
        _ => vec![],
    }
}

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
    let qr = row
        .customer_url
        .as_deref()
        .and_then(|u| QrImage::encode(u).ok());
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
