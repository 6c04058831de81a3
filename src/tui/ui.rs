//! Drawing: a pure function of the app's state. Header (DÉMO banner, country, balance,
//! pending payments), the screen (each screen module draws its own), and a footer with the
//! keys of the screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::app::{self, App, Screen};
use super::screens::{
    bills, catalogue, close, drawer, entry, gate, journal, moneygram, payment, stats,
};
use super::theme::Theme;
use super::widgets::{footer, header, help};

pub use super::widgets::capitalize;
pub use super::widgets::qr::QrView;

/// The smallest terminal the screens are laid out for (80×24 is the size they are made
/// for); below it, the app says so instead of drawing screens cut to pieces.
pub const MIN_SIZE: (u16, u16) = (44, 12);

pub fn draw(frame: &mut Frame, app: &App, theme: Theme) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        too_small(frame.buffer_mut(), area, theme);
        return;
    }
    // A sale left unsettled has settled: one line above the footer, until the next key.
    let announce = u16::from(app.announce.is_some());
    let [header_area, body, announce_area, footer_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(announce),
        Constraint::Length(1),
    ])
    .areas(area);
    header::draw(frame.buffer_mut(), header_area, app, theme);
    let keys = app::keys(app);
    let hints = app::hints(app);
    let link_down = app.gate.link_down.as_deref();
    if let Some(lock) = &app.gate.locked {
        // Nothing of the screen below: the customer's data stays hidden.
        gate::draw::draw_locked(frame.buffer_mut(), body, app, lock, theme);
        footer::draw(frame.buffer_mut(), footer_area, link_down, &hints, theme);
        return;
    }
    match &app.screen {
        Screen::Connecting => gate::draw::draw_connecting(frame.buffer_mut(), body, app, theme),
        Screen::Login(form) => gate::draw::draw_login(frame.buffer_mut(), body, form, theme),
        Screen::Catalogue => catalogue::draw(frame.buffer_mut(), body, app, theme),
        Screen::Entry(e) => entry::draw(frame, body, e, theme),
        Screen::Bills(b) => bills::draw(frame, body, b, theme),
        Screen::Payment(p) => payment::draw(frame.buffer_mut(), body, app, p, theme),
        Screen::Journal(j) => journal::draw(frame, body, app, j, theme),
        Screen::MoneyGram(m) => moneygram::draw(frame.buffer_mut(), body, m, theme),
        Screen::Drawer(d) => drawer::draw(frame, body, app, d, theme),
        Screen::Close(c) => close::draw(frame.buffer_mut(), body, c, theme),
        Screen::Stats(s) => stats::draw(frame, body, app, s, theme),
    }
    footer::draw(frame.buffer_mut(), footer_area, link_down, &hints, theme);
    if let Some(line) = &app.announce {
        let style = if line.starts_with('✓') {
            theme.ok()
        } else {
            theme.error()
        };
        Paragraph::new(Line::from(Span::styled(line.as_str(), style)))
            .render(announce_area, frame.buffer_mut());
    }
    if let Some(prompt) = &app.gate.prompt {
        gate::draw::draw_prompt(
            frame.buffer_mut(),
            body,
            &prompt.purpose,
            &prompt.form,
            theme,
        );
    }
    if let Some(question) = &app.ask {
        super::screens::ask::draw(frame.buffer_mut(), body, question, theme);
    }
    if app.help {
        help::draw(frame.buffer_mut(), body, &keys, theme);
    }
}

/// What a terminal too small shows: that it is, and how big it must be.
fn too_small(buf: &mut ratatui::buffer::Buffer, area: ratatui::layout::Rect, theme: Theme) {
    use ratatui::text::Line;
    use ratatui::widgets::{Paragraph, Widget, Wrap};
    let (w, h) = MIN_SIZE;
    let text = match theme.lang {
        super::i18n::Lang::Fr => format!(
            "Terminal trop petit ({}×{}). Agrandissez-le à au moins {w}×{h} (80×24 conseillé).",
            area.width, area.height
        ),
        super::i18n::Lang::En => format!(
            "Terminal too small ({}×{}). Make it at least {w}×{h} (80×24 advised).",
            area.width, area.height
        ),
    };
    Paragraph::new(Line::styled(text, theme.warn()))
        .wrap(Wrap { trim: true })
        .render(area, buf);
}
