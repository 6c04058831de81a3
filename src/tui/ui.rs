//! Drawing: a pure function of the app's state. Header (DÉMO banner, country, balance,
//! pending payments), the screen, and a footer with the keys of the screen.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::app::{
    self, App, BillsStage, EntryState, JournalState, Notice, PaymentState, Screen, TILE_WIDTH,
};
use super::gate_ui;
use super::icon::IconView;
use super::theme::{ColorMode, Theme};
use crate::catalog::services::Country;
use crate::domain::{OpKind, Outcome, TxStatus};
use crate::money::{fcfa, fcfa_balance, group_thousands};
use crate::qr::QrImage;
use crate::session::view::Operation;
use crate::staff::clock_time;

pub fn draw(frame: &mut Frame, app: &App, theme: Theme) {
    let area = frame.area();
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame.buffer_mut(), header, app, theme);
    if let Some(lock) = &app.gate.locked {
        // Nothing of the screen below: the customer's data stays hidden.
        gate_ui::draw_locked(frame.buffer_mut(), body, app, lock, theme);
        draw_footer(frame.buffer_mut(), footer, app, theme);
        return;
    }
    match &app.screen {
        Screen::Connecting => gate_ui::draw_connecting(frame.buffer_mut(), body, app, theme),
        Screen::Login(form) => gate_ui::draw_login(frame.buffer_mut(), body, form, theme),
        Screen::Catalogue => draw_catalogue(frame.buffer_mut(), body, app, theme),
        Screen::Entry(e) => draw_entry(frame, body, e, theme),
        Screen::Bills(b) => draw_bills(frame, body, b, theme),
        Screen::Payment(p) => draw_payment(frame.buffer_mut(), body, app, p, theme),
        Screen::Journal(j) => draw_journal(frame, body, app, j, theme),
        Screen::MoneyGram(m) => super::moneygram_ui::draw(frame.buffer_mut(), body, m, theme),
    }
    draw_footer(frame.buffer_mut(), footer, app, theme);
    if let Some(prompt) = &app.gate.prompt {
        gate_ui::draw_prompt(
            frame.buffer_mut(),
            body,
            &prompt.purpose,
            &prompt.form,
            theme,
        );
    }
    if app.help {
        draw_help(frame.buffer_mut(), body, app, theme);
    }
}

fn draw_header(buf: &mut Buffer, area: Rect, app: &App, theme: Theme) {
    let mut spans = vec![Span::styled(" caisse ", theme.title())];
    if app.gate.link_down.is_some() {
        // First, so that no terminal width cuts it off.
        spans.push(Span::styled(
            theme.tr(" SERVICE INDISPONIBLE ", " SERVICE DOWN "),
            theme.banner(),
        ));
    }
    if app.demo {
        spans.push(Span::styled(
            theme.tr(" DÉMO : aucun argent réel ", " DEMO: no real money "),
            theme.banner(),
        ));
    }
    if app.review > 0 {
        // Before the rest, so that no terminal width cuts it off: a person must look.
        spans.push(Span::styled(
            format!("  {} {}", app.review, theme.tr("à vérifier", "to check")),
            theme.error(),
        ));
    }
    let country = match app.country {
        Country::Senegal => theme.tr("Sénégal", "Senegal"),
        Country::CoteDIvoire => theme.tr("Côte d'Ivoire", "Ivory Coast"),
    };
    spans.push(Span::raw(format!("  {country}")));
    let balance = match &app.balance {
        None => format!("{} …", theme.tr("Solde :", "Balance:")),
        Some(Ok(b)) => format!("{} {}", theme.tr("Solde :", "Balance:"), fcfa_balance(*b)),
        Some(Err(_)) => theme
            .tr("Solde : indisponible", "Balance: unavailable")
            .to_owned(),
    };
    spans.push(Span::raw(format!("  {balance}")));
    let pending = match app.pending {
        0 => theme
            .tr("  rien en attente", "  nothing pending")
            .to_owned(),
        n => format!("  {n} {}", theme.tr("en attente", "pending")),
    };
    spans.push(Span::styled(
        pending,
        if app.pending > 0 {
            theme.warn()
        } else {
            theme.dim()
        },
    ));

    if app.gate.login_required
        && let Some(c) = &app.gate.cashier
    {
        spans.push(Span::styled(format!("  {}", c.name), theme.key()));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

fn draw_footer(buf: &mut Buffer, area: Rect, app: &App, theme: Theme) {
    if let Some(down) = &app.gate.link_down {
        // The keys wait: what the cashier needs is why nothing answers.
        Paragraph::new(Line::from(Span::styled(format!(" {down}"), theme.error())))
            .render(area, buf);
        return;
    }
    let mut spans = Vec::new();
    for (keys, action) in app::keys(app) {
        spans.push(Span::styled(format!(" {keys} "), theme.key()));
        spans.push(Span::raw(format!(" {action} ")));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

fn draw_help(buf: &mut Buffer, area: Rect, app: &App, theme: Theme) {
    let keys = app::keys(app);
    let width = 60.min(area.width);
    let height = (keys.len() as u16 + 6).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    Clear.render(popup, buf);
    let mut lines = vec![
        Line::from(Span::styled(
            theme.tr("Touches de cet écran", "Keys on this screen"),
            theme.title(),
        )),
        Line::default(),
    ];
    for (k, a) in keys {
        lines.push(Line::from(vec![
            Span::styled(format!("{k:>14} "), theme.key()),
            Span::raw(format!("  {a}")),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        theme.tr(
            "Une touche pour fermer. Échap revient toujours en arrière.",
            "Any key closes this. Esc always goes back.",
        ),
        theme.dim(),
    )));
    Paragraph::new(lines)
        .block(Block::bordered().title(theme.tr(" Aide ", " Help ")))
        .render(popup, buf);
}

fn draw_catalogue(buf: &mut Buffer, area: Rect, app: &App, theme: Theme) {
    let [top, grid] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let tiles = app.visible_tiles();
    let prompt = if app.filter.is_empty() {
        Line::from(vec![
            Span::styled(
                theme.tr(" Que veut le client ? ", " What does the customer want? "),
                theme.title(),
            ),
            Span::styled(
                theme.tr(
                    " tapez pour filtrer (wave, facture, crédit…)",
                    " type to filter (wave, bill, airtime…)",
                ),
                theme.dim(),
            ),
        ])
    } else {
        Line::from(vec![
            Span::styled(theme.tr(" Filtre : ", " Filter: "), theme.title()),
            Span::raw(app.filter.clone()),
            Span::styled(
                format!(
                    "  ({} service(s), {})",
                    tiles.len(),
                    theme.tr("Échap pour effacer", "Esc to clear")
                ),
                theme.dim(),
            ),
        ])
    };
    Paragraph::new(prompt).render(top, buf);
    if tiles.is_empty() {
        Paragraph::new(Line::from(Span::styled(
            theme.tr("Aucun service ne correspond.", "No service matches."),
            theme.warn(),
        )))
        .alignment(Alignment::Center)
        .render(grid, buf);
        return;
    }
    let columns = app::grid_columns(grid.width);
    const TILE_HEIGHT: u16 = 7;
    let rows_visible = usize::from((grid.height / TILE_HEIGHT).max(1));
    let selected_row = app.selected / columns;
    let first_row = selected_row.saturating_sub(rows_visible - 1);
    for (i, tile) in tiles
        .iter()
        .enumerate()
        .skip(first_row * columns)
        .take(rows_visible * columns)
    {
        let r = (i / columns - first_row) as u16;
        let c = (i % columns) as u16;
        let rect = Rect {
            x: grid.x + c * TILE_WIDTH,
            y: grid.y + r * TILE_HEIGHT,
            width: TILE_WIDTH,
            height: TILE_HEIGHT,
        }
        .intersection(grid);
        if rect.height < 3 {
            continue;
        }
        let selected = i == app.selected;
        let number = if i < 9 && app.filter.is_empty() {
            format!("{} ", i + 1)
        } else {
            String::new()
        };
        let block = Block::bordered()
            .title(Line::from(format!(
                "{number}{}",
                tile.group.label_in(theme.lang)
            )))
            .border_style(if selected {
                theme.selected()
            } else {
                theme.dim()
            });
        let inner = block.inner(rect);
        block.render(rect, buf);
        let [icon, label] =
            Layout::vertical([Constraint::Length(4), Constraint::Min(0)]).areas(inner);
        let icon_area = Rect {
            x: icon.x + icon.width.saturating_sub(12) / 2,
            width: icon.width.min(12),
            ..icon
        };
        IconView {
            stem: tile.icon,
            mode: theme.mode,
        }
        .render(icon_area, buf);
        let name: String = tile.name.chars().take(usize::from(inner.width)).collect();
        let style = if selected {
            theme.selected()
        } else {
            Style::default()
        };
        Paragraph::new(Line::from(Span::styled(name, style)))
            .alignment(Alignment::Center)
            .render(label, buf);
    }
}

fn field_line<'a>(
    label: &'a str,
    value: String,
    focused: bool,
    locked: bool,
    theme: Theme,
) -> Line<'a> {
    let marker = if focused { "▶ " } else { "  " };
    let value_style = if focused {
        theme.selected()
    } else if locked {
        theme.dim()
    } else {
        Style::default()
    };
    Line::from(vec![
        Span::raw(marker),
        Span::styled(format!("{label:<28}"), theme.title()),
        Span::styled(format!(" {value} "), value_style),
    ])
}

fn shown_value(e: &EntryState, i: usize) -> String {
    let f = &e.fields[i];
    let v = f.input.value();
    match f.spec.kind {
        crate::domain::fields::FieldKind::CardCvc => "•".repeat(v.chars().count()),
        crate::domain::fields::FieldKind::Amount if !v.is_empty() => {
            match v.replace(' ', "").parse::<i64>() {
                Ok(a) => format!("{} FCFA", group_thousands(a)),
                Err(_) => v.to_owned(),
            }
        }
        _ => v.to_owned(),
    }
}

fn draw_entry(frame: &mut Frame, area: Rect, e: &EntryState, theme: Theme) {
    let buf = frame.buffer_mut();
    let title = format!(" {} — {} ", e.tile.group.label_in(theme.lang), e.tile.name);
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    block.render(area, buf);
    let [icon, form] =
        Layout::horizontal([Constraint::Length(14), Constraint::Min(0)]).areas(inner);
    IconView {
        stem: e.tile.icon,
        mode: theme.mode,
    }
    .render(
        Rect {
            x: icon.x + 1,
            y: icon.y + 1,
            width: 12,
            height: 4,
        }
        .intersection(icon),
        buf,
    );
    let mut lines = Vec::new();
    if e.confirming {
        lines.push(Line::from(Span::styled(
            theme.tr(
                "Vérifiez avec le client avant d'envoyer :",
                "Check with the customer before sending:",
            ),
            theme.title(),
        )));
        lines.push(Line::default());
        for (i, f) in e.fields.iter().enumerate() {
            if f.input.value().is_empty() {
                continue;
            }
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<28}", f.spec.label_in(theme.lang)),
                    theme.dim(),
                ),
                Span::styled(
                    shown_value(e, i),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
            ]));
        }
        lines.push(Line::default());
        lines.push(Line::from(vec![
            Span::styled(theme.tr(" Entrée ", " Enter "), theme.key()),
            Span::raw(theme.tr(" envoyer    ", " send    ")),
            Span::styled(theme.tr(" Échap ", " Esc "), theme.key()),
            Span::raw(theme.tr(" modifier", " edit")),
        ]));
    } else {
        lines.push(Line::from(Span::styled(
            theme.tr(
                "Saisissez, puis Entrée pour passer au champ suivant :",
                "Type, then Enter for the next field:",
            ),
            theme.dim(),
        )));
        lines.push(Line::default());
        for (i, f) in e.fields.iter().enumerate() {
            let focused = i == e.focus;
            lines.push(field_line(
                f.spec.label_in(theme.lang),
                shown_value(e, i),
                focused,
                f.locked,
                theme,
            ));
            if let Some(err) = e.errors.get(f.spec.name) {
                lines.push(Line::from(Span::styled(
                    format!("    ✗ {err}"),
                    theme.error(),
                )));
            }
        }
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(form, buf);
    if !e.confirming
        && let Some(f) = e.fields.get(e.focus)
        && !f.locked
    {
        // The cursor sits in the focused input.
        let row = 2 + e.fields[..e.focus]
            .iter()
            .map(|x| 1 + u16::from(e.errors.contains_key(x.spec.name)))
            .sum::<u16>();
        let col = 2 + 28 + 1 + f.input.visual_cursor() as u16;
        if f.spec.kind != crate::domain::fields::FieldKind::Amount || f.input.value().is_empty() {
            let x = form.x + col;
            let y = form.y + row;
            if x < form.right() && y < form.bottom() {
                frame.set_cursor_position((x, y));
            }
        }
    }
}

fn draw_bills(frame: &mut Frame, area: Rect, b: &app::BillsState, theme: Theme) {
    let buf = frame.buffer_mut();
    let block = Block::bordered().title(Span::styled(
        format!(" {} — {} ", theme.tr("Factures", "Bills"), b.tile.name),
        theme.title(),
    ));
    let inner = block.inner(area);
    block.render(area, buf);
    let label = crate::domain::fields::fields_for(b.tile.code)
        .first()
        .map(|f| match theme.lang {
            super::i18n::Lang::Fr => f.label,
            super::i18n::Lang::En => f.label_in(theme.lang),
        })
        .unwrap_or("Numéro de compte");
    let mut lines = vec![
        field_line(
            label,
            b.account.value().to_owned(),
            matches!(b.stage, BillsStage::Account),
            false,
            theme,
        ),
        Line::default(),
    ];
    match &b.stage {
        BillsStage::Account => lines.push(Line::from(Span::styled(
            theme.tr(
                "Entrée pour chercher les factures impayées.",
                "Enter to look up the unpaid bills.",
            ),
            theme.dim(),
        ))),
        BillsStage::Loading => lines.push(Line::from(Span::styled(
            theme.tr("Recherche des factures…", "Looking up the bills…"),
            theme.warn(),
        ))),
        BillsStage::Error(e) => {
            lines.push(Line::from(Span::styled(format!("✗ {e}"), theme.error())));
            lines.push(Line::from(Span::styled(
                theme.tr(
                    "Une touche pour corriger le numéro.",
                    "Any key to correct the number.",
                ),
                theme.dim(),
            )));
        }
        BillsStage::List { bills, selected } => {
            lines.push(Line::from(Span::styled(
                format!(
                    "{} {}",
                    bills.len(),
                    theme.tr(
                        "facture(s) impayée(s) — choisissez celle que le client paie :",
                        "unpaid bill(s): pick the one the customer pays"
                    )
                ),
                theme.title(),
            )));
            for (i, bill) in bills.iter().enumerate() {
                let style = if i == *selected {
                    theme.selected()
                } else {
                    Style::default()
                };
                let infos: Vec<String> = bill
                    .infos
                    .iter()
                    .map(|x| format!("{} : {}", x.label, x.value))
                    .collect();
                lines.push(Line::from(vec![Span::styled(
                    format!(" {:>14}  réf. {} ", fcfa(bill.amount), bill.bill_reference),
                    style,
                )]));
                lines.push(Line::from(Span::styled(
                    format!("     {}", infos.join(" · ")),
                    theme.dim(),
                )));
            }
        }
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
    if matches!(b.stage, BillsStage::Account) {
        let x = inner.x + 2 + 28 + 1 + b.account.visual_cursor() as u16;
        if x < inner.right() {
            frame.set_cursor_position((x, inner.y));
        }
    }
}

/// Draws a QR image at the top-left of `area`, two modules per cell: black on white in
/// colour modes; without colours, blocks in the text colour stand for light modules.
pub struct QrView<'a> {
    pub image: &'a QrImage,
    pub mode: ColorMode,
}

impl Widget for QrView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (cols, rows) = self.image.cells();
        if usize::from(area.width) < cols || usize::from(area.height) < rows {
            return;
        }
        let (dark, light) = match self.mode {
            ColorMode::TrueColor => (Color::Rgb(0, 0, 0), Color::Rgb(255, 255, 255)),
            _ => (Color::Black, Color::White),
        };
        for row in 0..rows {
            for x in 0..cols {
                let top = self.image.is_dark(x, 2 * row);
                let bottom = self.image.is_dark(x, 2 * row + 1);
                let Some(cell) = buf.cell_mut((area.x + x as u16, area.y + row as u16)) else {
                    continue;
                };
                if self.mode == ColorMode::NoColor {
                    cell.set_symbol(match (!top, !bottom) {
                        (true, true) => "█",
                        (true, false) => "▀",
                        (false, true) => "▄",
                        (false, false) => " ",
                    });
                } else {
                    cell.set_symbol("▀")
                        .set_fg(if top { dark } else { light })
                        .set_bg(if bottom { dark } else { light });
                }
            }
        }
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

fn what_next(row: &Operation, theme: Theme) -> &'static str {
    match row.status {
        TxStatus::Success if row.service == crate::domain::moneygram::PAYOUT => theme.tr(
            "Remettez l'argent au bénéficiaire contre sa signature. F2/n : nouvelle opération.",
            "Hand the money to the receiver against their signature. F2/n: new operation.",
        ),
        TxStatus::Success if row.service == crate::domain::moneygram::SEND => theme.tr(
            "Donnez le numéro de référence à l'expéditeur. F2/n : nouvelle opération.",
            "Give the sender the reference number. F2/n: new operation.",
        ),
        TxStatus::Success => theme.tr(
            "Remettez le reçu au client. F2/n : nouvelle vente.",
            "Give the customer the receipt. F2/n: new sale.",
        ),
        TxStatus::Failed => theme.tr(
            "Rien n'a été encaissé. Vérifiez le numéro ou le solde du client, puis refaites une vente.",
            "Nothing was collected. Check the number or the customer's balance, then start again.",
        ),
        TxStatus::Expired => theme.tr(
            "Le client n'a pas validé à temps. Refaites une vente s'il le souhaite.",
            "The customer did not approve in time. Start a new sale if they wish.",
        ),
        TxStatus::Canceled => theme.tr(
            "Opération annulée : rien n'a été encaissé.",
            "Cancelled: nothing was collected.",
        ),
        TxStatus::Refunded => theme.tr("Le client a été remboursé.", "The customer was refunded."),
        TxStatus::NotSent => theme.tr(
            "La passerelle n'a jamais reçu l'opération : refaites une vente.",
            "The gateway never received it: start a new sale.",
        ),
        _ => "",
    }
}

fn draw_payment(buf: &mut Buffer, area: Rect, app: &App, p: &PaymentState, theme: Theme) {
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
            Some(Outcome::Failed { message: e, .. } | Outcome::NotSent { message: e }) => vec![
                Line::from(Span::styled(format!("✗ {e}"), theme.error())),
                Line::from(theme.tr(
                    "Échap : retour à l'accueil.",
                    "Esc: back to the home screen.",
                )),
            ],
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
        let style = if success { theme.ok() } else { theme.error() };
        let mut lines: Vec<Line> = big_mark(success)
            .iter()
            .map(|l| Line::from(Span::styled(*l, style)))
            .collect();
        lines.push(Line::default());
        let headline = match row.status {
            TxStatus::Success if row.service == crate::domain::moneygram::SEND => format!(
                "✓ {} : {amount}",
                theme.tr("Envoi MoneyGram réussi", "MoneyGram send successful")
            ),
            TxStatus::Success => format!(
                "✓ {} : {amount}",
                theme.tr("Paiement réussi", "Payment successful")
            ),
            s => format!("✗ {} : {amount}", capitalize(theme.lang.status(s))),
        };
        lines.push(Line::from(Span::styled(headline, style)));
        if success {
            // What the customer leaves with: a Woyofal code to type on the meter…
            for (label, value) in crate::details::lines(&row.details) {
                lines.push(Line::from(vec![
                    Span::styled(format!("{label} : "), theme.dim()),
                    Span::styled(value, Style::default().add_modifier(Modifier::BOLD)),
                ]));
            }
        }
        if let Some(m) = row.error_message.as_ref().filter(|_| !success) {
            lines.push(Line::from(m.clone()));
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
    // Pending: QR on the left when it fits, details on the right.
    let qr = row
        .customer_url
        .as_deref()
        .and_then(|u| QrImage::encode(u).ok());
    let mut text_area = inner;
    let mut too_small = false;
    if let Some(image) = &qr {
        let (cols, rows) = image.cells();
        if usize::from(inner.width) >= cols + 24 && usize::from(inner.height) >= rows {
            QrView {
                image,
                mode: theme.mode,
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
        } else {
            too_small = true;
        }
    }
    let waited = app.now - row.sent_at.unwrap_or(p.opened_at);
    let left = (app::PAYMENT_WINDOW_MS - waited).max(0);
    info.push(Line::default());
    info.push(Line::from(vec![
        Span::styled(theme.tr("Statut   ", "Status   "), theme.dim()),
        Span::styled(capitalize(theme.lang.status(row.status)), theme.warn()),
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
    if let Some(url) = &row.customer_url {
        if qr.is_some() && !too_small {
            info.push(Line::from(Span::styled(
                theme.tr(
                    "Le client scanne le QR ou ouvre le lien :",
                    "The customer scans the QR or opens the link:",
                ),
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
        info.push(Line::from(url.clone()));
    }
    if let Some(note) = &row.notification {
        info.push(Line::default());
        info.push(Line::from(Span::styled(
            theme.tr("Message pour le client :", "Message for the customer:"),
            theme.dim(),
        )));
        info.push(Line::from(note.clone()));
    }
    if let Some(n) = &p.notice {
        info.push(Line::default());
        info.push(Line::from(Span::styled(n.clone(), theme.warn())));
    }
    Paragraph::new(info)
        .wrap(Wrap { trim: false })
        .render(text_area, buf);
}

/// A notice in the colour of what it says: done, not sure (money may have moved), failed.
fn notice_line(notice: &Notice, theme: Theme) -> Line<'static> {
    match notice {
        Notice::Done(m) => Line::from(Span::styled(m.clone(), theme.ok())),
        Notice::Unsure(m) => Line::from(Span::styled(format!("⚠ {m}"), theme.warn())),
        Notice::Failed(m) => Line::from(Span::styled(m.clone(), theme.error())),
    }
}

pub(super) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn status_style(s: TxStatus, theme: Theme) -> Style {
    match s {
        TxStatus::Success => theme.ok(),
        s if s.is_final() => theme.error(),
        _ => theme.warn(),
    }
}

fn draw_journal(frame: &mut Frame, area: Rect, _app: &App, j: &JournalState, theme: Theme) {
    let buf = frame.buffer_mut();
    let visible = j.visible();
    let title = format!(
        " {} — {} {}, {} {} ",
        theme.tr("Journal du jour", "Today's journal"),
        visible.len(),
        theme.tr("opération(s)", "operation(s)"),
        theme.tr("statut :", "status:"),
        j.status.label_in(theme.lang)
    );
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    block.render(area, buf);
    let [filter, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let filter_line = Line::from(vec![
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
    Paragraph::new(filter_line).render(filter, buf);
    if let Some((id, events)) = &j.detail {
        let row = j.rows.iter().find(|r| &r.external_id == id);
        let mut lines = Vec::new();
        if let Some(r) = row {
            lines.push(Line::from(Span::styled(
                format!(
                    "{}  {}  {}",
                    r.service,
                    r.phone.as_deref().unwrap_or("-"),
                    r.amount.map(fcfa).unwrap_or_default()
                ),
                theme.title(),
            )));
            lines.push(Line::from(vec![
                Span::styled(theme.tr("Statut : ", "Status: "), theme.dim()),
                Span::styled(
                    capitalize(theme.lang.status(r.status)),
                    status_style(r.status, theme),
                ),
            ]));
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
            if let Some(m) = &r.error_message {
                lines.push(Line::from(m.clone()));
            }
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            theme.tr("Historique", "History"),
            theme.title(),
        )));
        for e in events {
            let after = e.detail.get("after").and_then(|v| v.as_str()).unwrap_or("");
            lines.push(Line::from(format!(
                "  {}  {:<16} {}",
                clock_time(e.at),
                e.kind,
                after
            )));
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
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(list, buf);
        if let Some(form) = &j.reversal {
            super::moneygram_ui::draw_reversal(buf, list, form, theme);
        }
        return;
    }
    let mut lines = Vec::new();
    if visible.is_empty() {
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
        let what = match r.kind {
            OpKind::Refund => format!("{} {}", theme.tr("Rembt.", "Refund"), r.service),
            OpKind::Payment => r.service.clone(),
        };
        let text = format!(
            " {}  {:<28} {:<14} {:>14}  ",
            clock_time(r.created_at),
            what.chars().take(28).collect::<String>(),
            r.phone.as_deref().unwrap_or("-"),
            r.amount.map(fcfa).unwrap_or_default()
        );
        lines.push(Line::from(vec![
            Span::styled(text, style),
            Span::styled(theme.lang.status(r.status), status_style(r.status, theme)),
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
