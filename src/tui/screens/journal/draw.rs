//! Drawing the journal: the list, a row's detail and history, the claim being written and a
//! send's reversal form over it.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::{JournalState, Notice, past};
use crate::domain::{OpKind, TxStatus};
use crate::money::fcfa;
use crate::staff::clock_time;
use crate::tui::catalog::service_label;
use crate::tui::screens::App;
use crate::tui::screens::moneygram::reversal;
use crate::tui::theme::Theme;
use crate::tui::widgets::{capitalize, field_line};

/// A notice in the colour of what it says: done, not sure (money may have moved), failed.
fn notice_line(notice: &Notice, theme: Theme) -> Line<'static> {
    match notice {
        Notice::Done(m) => Line::from(Span::styled(m.clone(), theme.ok())),
        Notice::Unsure(m) => Line::from(Span::styled(format!("⚠ {m}"), theme.warn())),
        Notice::Failed(m) => Line::from(Span::styled(m.clone(), theme.error())),
    }
}

fn status_style(s: TxStatus, theme: Theme) -> Style {
    match s {
        // A refund done is done, not a failure.
        TxStatus::Success | TxStatus::Refunded => theme.ok(),
        s if s.is_final() => theme.error(),
        _ => theme.warn(),
    }
}

/// The most lines a detail is drawn over before it is scrolled (a pending sale's history
/// has a line every 30 s; a few hundred is hours).
const TALLEST: u16 = 400;

/// Draws `text` into `area` from its line `scroll` (or its end, when `follow`), with ▲ / ▼
/// on the right edge where lines are hidden above or below. The text is laid out in a
/// scratch buffer first: its true height, wrapped, is then known.
fn scrolled(
    buf: &mut Buffer,
    area: Rect,
    text: Paragraph,
    scroll: u16,
    follow: bool,
    theme: Theme,
) {
    if area.is_empty() {
        return;
    }
    let mut scratch = Buffer::empty(Rect::new(0, 0, area.width, TALLEST));
    text.render(scratch.area, &mut scratch);
    let blank = |y: u16| (0..area.width).all(|x| scratch[(x, y)].symbol() == " ");
    let height = (0..TALLEST).rev().find(|y| !blank(*y)).map_or(0, |y| y + 1);
    let most = height.saturating_sub(area.height);
    let top = if follow { most } else { scroll.min(most) };
    for y in 0..area.height.min(height.saturating_sub(top)) {
        for x in 0..area.width {
            buf[(area.x + x, area.y + y)] = scratch[(x, top + y)].clone();
        }
    }
    let edge = area.right() - 1;
    if top > 0 {
        buf[(edge, area.y)].set_symbol("▲").set_style(theme.key());
    }
    if top < most {
        buf[(edge, area.bottom() - 1)]
            .set_symbol("▼")
            .set_style(theme.key());
    }
}

pub fn draw(frame: &mut Frame, area: Rect, _app: &App, j: &JournalState, theme: Theme) {
    let buf = frame.buffer_mut();
    let visible = j.visible();
    let title = match &j.past {
        None => format!(
            " {} — {} {}, {} {} ",
            theme.tr("Journal du jour", "Today's journal"),
            visible.len(),
            theme.tr("opération(s)", "operation(s)"),
            theme.tr("statut :", "status:"),
            j.status.label_in(theme.lang)
        ),
        Some(p) => format!(
            " {} — {} — {} {}{}{}, {} {} ",
            theme.tr("Journal", "Journal"),
            past::period_text(p.choice, p.search.period, theme.lang),
            theme.tr("page", "page"),
            p.number(),
            // The page keys, where they lead (at 80 columns the footer has no room).
            if p.number() > 1 { " PgUp ▲" } else { "" },
            if p.next.is_some() { " PgDn ▼" } else { "" },
            theme.tr("statut :", "status:"),
            j.status.label_in(theme.lang)
        ),
    };
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    block.render(area, buf);
    let [filter, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let mut filter_line = Line::from(vec![
        Span::styled(theme.tr(" Recherche : ", " Search: "), theme.dim()),
        Span::styled(
            j.filter.value().to_owned(),
            if j.editing_filter {
                theme.selected()
            } else {
                Style::default()
            },
        ),
    ]);
    if j.past.is_some() && (j.editing_filter || j.filter.value().is_empty()) {
        // What a past period is searched by (the service matches each exactly).
        filter_line.push_span(Span::styled(
            theme.tr(
                "  téléphone, référence ou montant",
                "  phone, reference or amount",
            ),
            theme.dim(),
        ));
    }
    if let Some(dates) = &j.dates {
        filter_line = Line::from(vec![
            Span::styled(
                theme.tr(
                    " Période (JJ/MM/AAAA JJ/MM/AAAA) : ",
                    " Period (DD/MM/YYYY DD/MM/YYYY): ",
                ),
                theme.dim(),
            ),
            Span::styled(dates.value().to_owned(), theme.selected()),
        ]);
    }
    Paragraph::new(filter_line).render(filter, buf);
    if let Some((id, events)) = &j.detail {
        let row = j.rows.iter().find(|r| &r.external_id == id);
        let mut lines = Vec::new();
        if let Some(r) = row {
            lines.push(Line::from(Span::styled(
                format!(
                    "{}  {}  {}",
                    service_label(&r.service, theme.lang),
                    r.phone.as_deref().unwrap_or("-"),
                    r.amount.map(fcfa).unwrap_or_default()
                ),
                theme.title(),
            )));
            lines.push(Line::from(vec![
                Span::styled(theme.tr("Statut : ", "Status: "), theme.dim()),
                Span::styled(
                    capitalize(r.status.label(theme.lang)),
                    status_style(r.status, theme),
                ),
            ]));
            // A cash-out's use: whether cash was handed out (the drawer counts it so).
            if let Some(usage) = r
                .fields
                .get(crate::domain::drawer::CashOutUse::FIELD)
                .and_then(|v| v.as_str())
            {
                lines.push(Line::from(vec![
                    Span::styled(theme.tr("Usage : ", "Use: "), theme.dim()),
                    Span::raw(
                        crate::domain::drawer::CashOutUse::parse(Some(usage)).label(theme.lang),
                    ),
                ]));
            }
            if let Some(n) = r.receipt_no {
                lines.push(Line::from(vec![
                    Span::styled(theme.tr("Reçu n° ", "Receipt no. "), theme.dim()),
                    Span::raw(format!("{n:06}")),
                ]));
            }
            lines.push(Line::from(Span::styled(
                format!(
                    "{} {}  ·  {} {}",
                    theme.tr("Opération", "Operation"),
                    r.external_id,
                    theme.tr("réf. passerelle", "gateway ref."),
                    r.gateway_tx_id.as_deref().unwrap_or("-")
                ),
                theme.dim(),
            )));
            if let Some(m) = r.error_text(theme.lang) {
                lines.push(Line::from(m));
            }
            // A receipt sent by WhatsApp and its sale, each named in the other's detail.
            let link = crate::domain::receipt::RECEIPT_OF;
            if let Some(sale) = r.fields.get(link).and_then(|v| v.as_str()) {
                lines.push(Line::from(vec![
                    Span::styled(
                        theme.tr("Reçu WhatsApp de la vente ", "WhatsApp receipt of sale "),
                        theme.dim(),
                    ),
                    Span::raw(sale.to_owned()),
                ]));
            }
            for m in j
                .rows
                .iter()
                .filter(|m| m.fields.get(link).and_then(|v| v.as_str()) == Some(id.as_str()))
            {
                lines.push(Line::from(vec![
                    Span::styled(
                        theme.tr("Reçu envoyé par WhatsApp : ", "Receipt sent by WhatsApp: "),
                        theme.dim(),
                    ),
                    Span::raw(format!("{} ", m.external_id)),
                    Span::styled(m.status.label(theme.lang), status_style(m.status, theme)),
                ]));
            }
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            theme.tr("Historique", "History"),
            theme.title(),
        )));
        for e in events {
            let (what, left) = super::history::line(e, theme.lang);
            lines.push(Line::from(vec![
                Span::raw(format!("  {}  {what:<34} ", clock_time(e.at))),
                Span::styled(left, theme.dim()),
            ]));
        }
        if let Some(claim) = &j.claim {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                theme.tr("Réclamation", "Claim"),
                theme.title(),
            )));
            lines.push(field_line(
                theme.tr("Sujet", "Subject"),
                claim.subject.value().to_owned(),
                claim.focus == 0,
                false,
                theme,
            ));
            lines.push(field_line(
                "Message",
                claim.message.value().to_owned(),
                claim.focus == 1,
                false,
                theme,
            ));
        }
        if let Some(n) = &j.notice {
            lines.push(Line::default());
            lines.push(notice_line(n, theme));
        }
        Clear.render(list, buf);
        // A form or a notice below the history is brought into view.
        let follow = j.claim.is_some() || j.notice.is_some();
        scrolled(
            buf,
            list,
            Paragraph::new(lines).wrap(Wrap { trim: false }),
            j.scroll,
            follow,
            theme,
        );
        if let Some(form) = &j.reversal {
            reversal::draw(buf, list, form, theme);
        }
        return;
    }
    let mut lines = Vec::new();
    if j.past.as_ref().is_some_and(|p| p.loading) && visible.is_empty() {
        lines.push(Line::from(Span::styled(
            theme.tr("Recherche…", "Searching…"),
            theme.dim(),
        )));
    } else if visible.is_empty() {
        lines.push(Line::from(Span::styled(
            theme.tr("Aucune opération.", "No operation."),
            theme.dim(),
        )));
    }
    let height = usize::from(list.height.max(1));
    let first = j.selected.saturating_sub(height - 1);
    for (i, r) in visible.iter().enumerate().skip(first).take(height) {
        let style = if i == j.selected {
            theme.selected()
        } else {
            Style::default()
        };
        let label = service_label(&r.service, theme.lang);
        let what = match r.kind {
            OpKind::Refund => format!("{} {label}", theme.tr("Rembt.", "Refund")),
            OpKind::Payment => label,
        };
        // Beyond today a row says its day too.
        let when = match &j.past {
            Some(_) => format!(
                "{} {}",
                &past::french_date(past::day_of(r.created_at))[..5],
                clock_time(r.created_at)
            ),
            None => clock_time(r.created_at),
        };
        // The service's column gives the day its room.
        let wide = if j.past.is_some() { 22 } else { 28 };
        let text = format!(
            " {when}  {:<wide$} {:<14} {:>14}  ",
            what.chars().take(wide).collect::<String>(),
            r.phone.as_deref().unwrap_or("-"),
            r.amount.map(fcfa).unwrap_or_default()
        );
        lines.push(Line::from(vec![
            Span::styled(text, style),
            Span::styled(r.status.label(theme.lang), status_style(r.status, theme)),
        ]));
    }
    Paragraph::new(Text::from(lines)).render(list, buf);
    if let Some(n) = &j.notice {
        let y = list.bottom().saturating_sub(1);
        let line = notice_line(n, theme);
        Paragraph::new(line).render(
            Rect {
                y,
                height: 1,
                ..list
            },
            buf,
        );
    }
}
