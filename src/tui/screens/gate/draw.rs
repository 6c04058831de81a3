//! Drawing the session screens: waiting for the service, the login, the idle lock (which
//! hides everything else) and the supervisor's PIN prompt.

use super::{LoginForm, PinForm, Purpose};
use crate::tui::screens::App;
use crate::tui::theme::Theme;
use crate::tui::widgets::capitalize;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Widget, Wrap};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

fn dots(pin: &str) -> String {
    "•".repeat(pin.chars().count())
}

fn cursor(focused: bool) -> &'static str {
    if focused { "▏" } else { "" }
}

pub fn draw_connecting(buf: &mut Buffer, area: Rect, app: &App, theme: Theme) {
    let message = app.gate.link_down.as_deref().map_or_else(
        || {
            theme
                .tr(
                    "Connexion au service caisse…",
                    "Connecting to the caisse service…",
                )
                .to_owned()
        },
        capitalize,
    );
    let popup = centered(area, 64, 7);
    Paragraph::new(vec![Line::default(), Line::from(message)])
        .wrap(Wrap { trim: true })
        .style(if app.gate.link_down.is_some() {
            theme.error()
        } else {
            theme.dim()
        })
        .block(Block::bordered().title(theme.tr(" Service ", " Service ")))
        .render(popup, buf);
}

pub fn draw_login(buf: &mut Buffer, area: Rect, form: &LoginForm, theme: Theme) {
    let popup = centered(area, 60, 10);
    let mut lines = vec![Line::default()];
    match (&form.name, &form.mapped) {
        (_, Some(name)) => lines.push(Line::from(vec![
            Span::raw(theme.tr("Caissier : ", "Cashier: ")),
            Span::styled(name.clone(), theme.title()),
        ])),
        (Some(name), None) => lines.push(Line::from(vec![
            Span::raw(theme.tr("Caissier : ", "Cashier: ")),
            Span::styled(
                format!("{}{}", name.value(), cursor(form.focus == 0)),
                if form.focus == 0 {
                    theme.selected()
                } else {
                    theme.key()
                },
            ),
        ])),
        (None, None) => {}
    }
    lines.push(Line::from(vec![
        Span::raw(theme.tr("Code PIN : ", "PIN code: ")),
        Span::styled(
            format!("{}{}", dots(form.pin.value()), cursor(form.focus == 1)),
            if form.focus == 1 {
                theme.selected()
            } else {
                theme.key()
            },
        ),
    ]));
    lines.push(Line::default());
    if form.busy {
        lines.push(Line::from(Span::styled(
            theme.tr("Vérification…", "Checking…"),
            theme.dim(),
        )));
    } else if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(capitalize(e), theme.error())));
    } else {
        lines.push(Line::from(Span::styled(
            theme.tr(
                "Tapez votre code PIN puis Entrée.",
                "Type your PIN, then Enter.",
            ),
            theme.dim(),
        )));
    }
    Clear.render(popup, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(
            Block::bordered()
                .padding(Padding::horizontal(2))
                .title(theme.tr(" Connexion ", " Log in ")),
        )
        .render(popup, buf);
}

fn pin_popup(
    buf: &mut Buffer,
    area: Rect,
    title: &str,
    intro: String,
    form: &PinForm,
    theme: Theme,
) {
    let popup = centered(area, 60, 9);
    let mut lines = vec![
        Line::default(),
        Line::from(intro),
        Line::from(vec![
            Span::raw(theme.tr("Code PIN : ", "PIN code: ")),
            Span::styled(format!("{}▏", dots(form.pin.value())), theme.selected()),
        ]),
        Line::default(),
    ];
    if form.busy {
        lines.push(Line::from(Span::styled(
            theme.tr("Vérification…", "Checking…"),
            theme.dim(),
        )));
    } else if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(capitalize(e), theme.error())));
    }
    Clear.render(popup, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(
            Block::bordered()
                .padding(Padding::horizontal(2))
                .title(title.to_owned()),
        )
        .render(popup, buf);
}

/// The idle lock: the screen under it is not drawn at all (no customer data shows).
pub fn draw_locked(buf: &mut Buffer, area: Rect, app: &App, form: &PinForm, theme: Theme) {
    let who = app
        .gate
        .cashier
        .as_ref()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let intro = match theme.lang {
        crate::i18n::Lang::Fr => format!("Écran verrouillé. Code PIN de {who} :"),
        crate::i18n::Lang::En => format!("Screen locked. {who}'s PIN:"),
    };
    pin_popup(
        buf,
        area,
        theme.tr(" Écran verrouillé ", " Screen locked "),
        intro,
        form,
        theme,
    );
}

pub fn draw_prompt(buf: &mut Buffer, area: Rect, purpose: &Purpose, form: &PinForm, theme: Theme) {
    let intro = match purpose {
        Purpose::Quit => theme.tr(
            "Quitter la caisse : code PIN d'un superviseur.",
            "Leave the till: a supervisor's PIN.",
        ),
        Purpose::Refund(_) => theme.tr(
            "Remboursement : code PIN d'un superviseur.",
            "Refund: a supervisor's PIN.",
        ),
        Purpose::Reversal(..) => theme.tr(
            "Annulation MoneyGram : code PIN d'un superviseur.",
            "MoneyGram reversal: a supervisor's PIN.",
        ),
    };
    pin_popup(
        buf,
        area,
        theme.tr(" Superviseur ", " Supervisor "),
        intro.to_owned(),
        form,
        theme,
    );
}
