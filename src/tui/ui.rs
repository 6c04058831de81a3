//! Drawing: a pure function of the app's state. Header (DÉMO banner, country, balance,
//! pending payments), the screen (each screen module draws its own), and a footer with the
//! keys of the screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::app::{self, App, Screen};
use super::screens::{bills, catalogue, entry, gate, journal, moneygram, payment};
use super::theme::Theme;
use super::widgets::{footer, header, help};

pub use super::widgets::capitalize;
pub use super::widgets::qr::QrView;

pub fn draw(frame: &mut Frame, app: &App, theme: Theme) {
    let area = frame.area();
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
