//! The cash drawer (« Tiroir »): the logged-in cashier's own drawer through the session
//! (`Request::Drawer`): opened with the counted float (the service reads the gateway balance
//! then), followed (float, cash in and out, commissions, expected cash and balance), closed
//! with the counted cash, after a question: expected vs counted and the difference, the
//! balance read now vs expected, each difference flagged. The arithmetic is the domain's
//! (`domain::drawer`); this screen only types amounts and shows figures.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};
use tui_input::Input;

use super::keys::{Binding, lookup, shown, typing};
use super::{App, Screen};
use crate::domain::drawer::Gap;
use crate::journal::drawers::{DrawerRefusal, DrawerState};
use crate::journal::float::FloatView;
use crate::money::fcfa;
use crate::session::protocol::{DrawerAsk, DrawerReply};
use crate::tui::message::Effect;
use crate::tui::theme::Theme;
use crate::tui::widgets::field_line;

/// A counted amount: up to 12 characters (digits and the spaces of `20 000`).
const AMOUNT_MAX: usize = 12;

#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// The drawer asked of the service (at the opening of the screen, after an action).
    Loading,
    /// No drawer open: the float is typed.
    NotOpen,
    /// The open drawer; the counted cash is typed to close it.
    Open(Box<DrawerState>),
    /// Just closed: its differences.
    Closed(Box<DrawerState>),
}

#[derive(Debug, Clone)]
pub struct DrawerScreen {
    pub stage: Stage,
    /// The float (not open) or the counted cash (open), as typed.
    pub cash: Input,
    /// The last refusal or failure, in the app's language (the typed amount is kept).
    pub error: Option<String>,
    /// The float, for a supervisor (read with the drawer): below the threshold since
    /// when, the pace it fell, the day's refills.
    pub float: Option<FloatView>,
}

/// What a key does on the drawer screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Open (not open) or close (open) with the amount typed.
    Confirm,
    Refresh,
    Back,
    Type,
}

/// While the drawer is read: back, or read again.
pub const LOADING_KEYS: &[Binding<Action>] = &[
    shown(
        &[KeyCode::F(5)],
        Action::Refresh,
        ("F5", "relire"),
        ("F5", "reload"),
    ),
    shown(
        &[KeyCode::Esc],
        Action::Back,
        ("Échap", "retour"),
        ("Esc", "back"),
    ),
];

/// No drawer open: the float is typed, Enter opens.
pub const OPEN_KEYS: &[Binding<Action>] = &[
    shown(
        &[KeyCode::Enter],
        Action::Confirm,
        ("Entrée", "ouvrir le tiroir"),
        ("Enter", "open the drawer"),
    ),
    shown(
        &[KeyCode::F(5)],
        Action::Refresh,
        ("F5", "actualiser"),
        ("F5", "refresh"),
    ),
    shown(
        &[KeyCode::Esc],
        Action::Back,
        ("Échap", "retour"),
        ("Esc", "back"),
    ),
    // The float: digits and spaces, Backspace.
    typing(Action::Type),
];

/// The drawer open: its figures; the counted cash is typed, Enter closes (asked first).
pub const COUNT_KEYS: &[Binding<Action>] = &[
    shown(
        &[KeyCode::Enter],
        Action::Confirm,
        ("Entrée", "fermer le tiroir"),
        ("Enter", "close the drawer"),
    ),
    shown(
        &[KeyCode::F(5)],
        Action::Refresh,
        ("F5", "actualiser"),
        ("F5", "refresh"),
    ),
    shown(
        &[KeyCode::Esc],
        Action::Back,
        ("Échap", "retour"),
        ("Esc", "back"),
    ),
    // The counted cash: digits and spaces, Backspace.
    typing(Action::Type),
];

/// Closed: its differences, read; back to the home screen.
pub const CLOSED_KEYS: &[Binding<Action>] = &[shown(
    &[KeyCode::Esc, KeyCode::Enter],
    Action::Back,
    ("Échap Entrée", "retour"),
    ("Esc Enter", "back"),
)];

/// The table of the screen's current stage.
pub fn keys_of(screen: &DrawerScreen) -> &'static [Binding<Action>] {
    match screen.stage {
        Stage::Loading => LOADING_KEYS,
        Stage::NotOpen => OPEN_KEYS,
        Stage::Open(_) => COUNT_KEYS,
        Stage::Closed(_) => CLOSED_KEYS,
    }
}

/// Opens the screen and asks the service for the cashier's drawer.
pub fn open(app: &mut App) -> Vec<Effect> {
    app.screen = Screen::Drawer(DrawerScreen {
        stage: Stage::Loading,
        cash: Input::default(),
        error: None,
        float: None,
    });
    reads(app)
}

/// What the screen reads: the drawer, and the float for a supervisor.
fn reads(app: &App) -> Vec<Effect> {
    let mut effects = vec![Effect::Drawer(DrawerAsk::Status)];
    if app.gate.is_supervisor() {
        effects.push(Effect::Drawer(DrawerAsk::Float));
    }
    effects
}

/// A counted amount as typed: whole FCFA, spaces allowed; else the French (or English)
/// sentence that says what to type.
pub fn parse_cash(text: &str, lang: crate::i18n::Lang) -> Result<i64, String> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() {
        return Err(lang
            .tr(
                "Tapez le montant compté dans le tiroir, en FCFA (0 s'il est vide).",
                "Type the amount counted in the drawer, in FCFA (0 if empty).",
            )
            .into());
    }
    digits.parse::<i64>().map_err(|_| {
        lang.tr(
            "Montant invalide : un nombre entier de FCFA (20000).",
            "Invalid amount: a whole number of FCFA (20000).",
        )
        .into()
    })
}

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let lang = app.lang;
    let Screen::Drawer(d) = &mut app.screen else {
        return vec![];
    };
    match lookup(keys_of(d), key.code) {
        Some(Action::Back) => {
            app.screen = Screen::Catalogue;
            vec![]
        }
        Some(Action::Refresh) => {
            // The typed count stays: only the figures are read again.
            d.error = None;
            reads(app)
        }
        Some(Action::Confirm) => {
            let cash = match parse_cash(d.cash.value(), lang) {
                Ok(cash) => cash,
                Err(why) => {
                    d.error = Some(why);
                    return vec![];
                }
            };
            d.error = None;
            match d.stage {
                Stage::NotOpen => {
                    d.stage = Stage::Loading;
                    vec![Effect::Drawer(DrawerAsk::Open { cash })]
                }
                Stage::Open(_) => {
                    // Closing records the count for good: asked first.
                    app.ask = Some(super::ask::Question::CloseDrawer { cash });
                    vec![]
                }
                _ => {
                    app.dirty = false;
                    vec![]
                }
            }
        }
        Some(Action::Type) => {
            if matches!(key.code, KeyCode::Char(c) if !(c.is_ascii_digit() || c == ' ')) {
                app.dirty = false;
                return vec![];
            }
            super::field_text::type_key(&mut d.cash, key, AMOUNT_MAX);
            vec![]
        }
        None => {
            app.dirty = false;
            vec![]
        }
    }
}

/// The cashier said yes to the close: sent, with the counted cash.
pub fn close(app: &mut App, cash: i64) -> Vec<Effect> {
    if let Screen::Drawer(d) = &mut app.screen {
        d.stage = Stage::Loading;
    }
    vec![Effect::Drawer(DrawerAsk::Close { cash })]
}

/// The service's answer (or why there is none).
pub fn on_reply(app: &mut App, reply: Result<DrawerReply, String>) -> Vec<Effect> {
    let lang = app.lang;
    let Screen::Drawer(d) = &mut app.screen else {
        app.dirty = false;
        return vec![];
    };
    match reply {
        Ok(DrawerReply::Opened(_)) => {
            d.cash = Input::default();
            // Its figures, and the header's balance (read by the service just now).
            vec![Effect::Drawer(DrawerAsk::Status), Effect::FetchBalance]
        }
        Ok(DrawerReply::State(state)) => {
            if !matches!(d.stage, Stage::Open(_)) {
                d.cash = Input::default();
            }
            d.stage = Stage::Open(Box::new(state));
            vec![]
        }
        Ok(DrawerReply::Closed(state)) => {
            d.cash = Input::default();
            d.stage = Stage::Closed(Box::new(state));
            vec![Effect::FetchBalance]
        }
        Ok(DrawerReply::Refused(DrawerRefusal::NotOpen)) => {
            if matches!(d.stage, Stage::Loading | Stage::Open(_)) && d.error.is_none() {
                d.cash = Input::default();
            }
            d.stage = Stage::NotOpen;
            vec![]
        }
        Ok(DrawerReply::Refused(DrawerRefusal::AlreadyOpen { .. })) => {
            // Opened meanwhile (another counter of the same cashier): shown as it is.
            d.error = Some(
                lang.tr(
                    "Un tiroir est déjà ouvert pour vous : le voici.",
                    "A drawer is already open for you: here it is.",
                )
                .into(),
            );
            vec![Effect::Drawer(DrawerAsk::Status)]
        }
        Ok(DrawerReply::Float(view)) => {
            d.float = Some(view);
            vec![]
        }
        Ok(DrawerReply::All(_)) => {
            app.dirty = false;
            vec![]
        }
        Err(why) => {
            d.error = Some(why);
            vec![]
        }
    }
}

fn time(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .map(|t| {
            format!(
                "{:02}/{:02} {:02}:{:02} UTC",
                t.day(),
                u8::from(t.month()),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

fn balance(b: Option<i64>, theme: Theme) -> String {
    b.map(fcfa)
        .unwrap_or_else(|| theme.tr("non lu", "not read").into())
}

/// One figure: its label (26 columns) and its value.
fn figure<'a>(label: &'a str, value: String, theme: Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("  {label:<26}"), theme.title()),
        Span::raw(value),
    ])
}

/// A difference: `✓ 0 FCFA` in green, `⚠ -500 FCFA (manque)` in red.
fn gap_line<'a>(label: &'a str, gap: Option<Gap>, theme: Theme) -> Line<'a> {
    let Some(gap) = gap else {
        return figure(
            label,
            theme
                .tr(
                    "non comparé (solde non lu)",
                    "not compared (balance not read)",
                )
                .into(),
            theme,
        );
    };
    let d = gap.difference();
    let (text, style) = if !gap.flagged() {
        (format!("✓ {}", fcfa(d)), theme.ok())
    } else if d < 0 {
        (
            format!("⚠ {} ({})", fcfa(d), theme.tr("manque", "short")),
            theme.error(),
        )
    } else {
        (
            format!("⚠ +{} ({})", fcfa(d), theme.tr("excédent", "over")),
            theme.error(),
        )
    };
    Line::from(vec![
        Span::styled(format!("  {label:<26}"), theme.title()),
        Span::styled(text, style),
    ])
}

/// The figures of a drawer, open or closed.
fn figures<'a>(state: &DrawerState, theme: Theme) -> Vec<Line<'a>> {
    let d = &state.drawer;
    let t = &state.totals;
    let mut lines = vec![
        figure(
            theme.tr("Ouvert le", "Opened"),
            format!("{} ({})", time(d.opened_at), d.terminal),
            theme,
        ),
        figure(
            theme.tr("Fond de caisse", "Float"),
            fcfa(d.opening_cash),
            theme,
        ),
        figure(
            theme.tr("Solde à l'ouverture", "Balance at opening"),
            balance(d.opening_balance, theme),
            theme,
        ),
        figure(
            theme.tr("Opérations comptées", "Operations counted"),
            t.counted.to_string(),
            theme,
        ),
        figure(
            theme.tr("Entrées d'espèces", "Cash in"),
            fcfa(t.cash_in),
            theme,
        ),
        figure(
            theme.tr("Sorties d'espèces", "Cash out"),
            fcfa(t.cash_out),
            theme,
        ),
        figure(
            theme.tr("Commissions", "Commissions"),
            fcfa(t.commissions),
            theme,
        ),
    ];
    if t.goods != 0 {
        lines.push(figure(
            theme.tr("Paiements (marchandises)", "Payments (goods)"),
            fcfa(t.goods),
            theme,
        ));
    }
    if t.shop_costs != 0 {
        // Receipts sent by WhatsApp: paid from the balance, no cash.
        lines.push(figure(
            theme.tr("Frais de la boutique", "Shop's costs"),
            fcfa(t.shop_costs),
            theme,
        ));
    }
    lines
}

/// The float, for the supervisor: the balance read, below the threshold since when, the
/// pace it fell, the day's refills.
fn float_lines<'a>(view: &FloatView, theme: Theme) -> Vec<Line<'a>> {
    let mut lines = vec![
        Line::default(),
        Line::from(Span::styled(
            theme.tr("Flotte (superviseur)", "Float (supervisor)"),
            theme.title(),
        )),
    ];
    let read = view
        .latest
        .map(|r| format!("{} ({})", fcfa(r.balance), time(r.at)))
        .unwrap_or_else(|| theme.tr("aucun relevé", "no reading").into());
    lines.push(figure(theme.tr("Solde lu", "Balance read"), read, theme));
    match (view.threshold, view.below_since) {
        (Some(t), Some(since)) => lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "  {:<26}",
                    theme.tr("Sous le seuil depuis", "Below threshold since")
                ),
                theme.title(),
            ),
            Span::styled(
                format!(
                    "⚠ {} ({} {})",
                    time(since),
                    theme.tr("seuil", "threshold"),
                    fcfa(t)
                ),
                theme.error(),
            ),
        ])),
        (Some(t), None) => lines.push(figure(
            theme.tr("Seuil d'alerte", "Alert threshold"),
            format!("{} ✓", fcfa(t)),
            theme,
        )),
        (None, _) => {}
    }
    let pace = match view.pace_per_hour {
        None => theme
            .tr("pas assez de relevés", "not enough readings")
            .to_owned(),
        Some(0) => theme.tr("stable", "steady").to_owned(),
        Some(p) if p > 0 => format!("{} {}/h", theme.tr("baisse de", "falling by"), fcfa(p)),
        Some(p) => format!("{} {}/h", theme.tr("hausse de", "rising by"), fcfa(-p)),
    };
    lines.push(figure(theme.tr("Rythme (2 h)", "Pace (2 h)"), pace, theme));
    let refills = if view.refills.is_empty() {
        theme.tr("aucun", "none").to_owned()
    } else {
        view.refills
            .iter()
            .map(|r| format!("{} +{}", time(r.at), fcfa(r.amount)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    lines.push(figure(
        theme.tr("Approvisionnements (jour)", "Refills today"),
        refills,
        theme,
    ));
    lines
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, d: &DrawerScreen, theme: Theme) {
    let who = app
        .gate
        .cashier
        .as_ref()
        .map(|c| format!(" — {}", c.name))
        .unwrap_or_default();
    let block = Block::bordered().title(Span::styled(
        format!(" {}{who} ", theme.tr("Tiroir-caisse", "Cash drawer")),
        theme.title(),
    ));
    let inner = block.inner(area);
    block.render(area, frame.buffer_mut());
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor_row = None;
    match &d.stage {
        Stage::Loading => lines.push(Line::from(Span::styled(
            theme.tr("Lecture du tiroir…", "Reading the drawer…"),
            theme.warn(),
        ))),
        Stage::NotOpen => {
            lines.push(Line::from(Span::styled(
                theme.tr(
                    "Aucun tiroir ouvert. Comptez le fond de caisse :",
                    "No drawer open. Count the float:",
                ),
                theme.title(),
            )));
            lines.push(Line::default());
            cursor_row = Some(lines.len());
            lines.push(field_line(
                theme.tr("Fond de caisse (FCFA)", "Float (FCFA)"),
                d.cash.value().to_owned(),
                true,
                false,
                theme,
            ));
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                theme.tr(
                    "Entrée : ouvrir le tiroir ; le solde de la passerelle est lu maintenant.",
                    "Enter: open the drawer; the gateway balance is read now.",
                ),
                theme.dim(),
            )));
        }
        Stage::Open(state) => {
            lines.extend(figures(state, theme));
            lines.push(figure(
                theme.tr("Espèces attendues", "Expected cash"),
                fcfa(state.expected_cash()),
                theme,
            ));
            lines.push(figure(
                theme.tr("Solde attendu", "Expected balance"),
                balance(state.expected_balance(), theme),
                theme,
            ));
            lines.push(Line::default());
            cursor_row = Some(lines.len());
            lines.push(field_line(
                theme.tr("Espèces comptées (FCFA)", "Cash counted (FCFA)"),
                d.cash.value().to_owned(),
                true,
                false,
                theme,
            ));
            lines.push(Line::from(Span::styled(
                theme.tr(
                    "Pour fermer : comptez le tiroir, tapez le montant, Entrée.",
                    "To close: count the drawer, type the amount, Enter.",
                ),
                theme.dim(),
            )));
        }
        Stage::Closed(state) => {
            let dr = &state.drawer;
            lines.push(Line::from(Span::styled(
                theme.tr("Tiroir fermé.", "Drawer closed."),
                theme.ok(),
            )));
            lines.extend(figures(state, theme));
            lines.push(Line::default());
            lines.push(figure(
                theme.tr("Espèces attendues", "Expected cash"),
                fcfa(dr.expected_cash.unwrap_or_default()),
                theme,
            ));
            lines.push(figure(
                theme.tr("Espèces comptées", "Cash counted"),
                fcfa(dr.counted_cash.unwrap_or_default()),
                theme,
            ));
            lines.push(gap_line(
                theme.tr("Écart espèces", "Cash difference"),
                state.cash_gap(),
                theme,
            ));
            lines.push(figure(
                theme.tr("Solde attendu", "Expected balance"),
                balance(dr.expected_balance, theme),
                theme,
            ));
            lines.push(figure(
                theme.tr("Solde lu maintenant", "Balance read now"),
                balance(dr.closing_balance, theme),
                theme,
            ));
            lines.push(gap_line(
                theme.tr("Écart solde", "Balance difference"),
                state.balance_gap(),
                theme,
            ));
        }
    }
    if let Some(view) = &d.float
        && !matches!(d.stage, Stage::Closed(_))
    {
        lines.extend(float_lines(view, theme));
    }
    if let Some(e) = &d.error {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(format!("✗ {e}"), theme.error())));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, frame.buffer_mut());
    if let Some(row) = cursor_row {
        let x = inner.x + 2 + 28 + 1 + d.cash.visual_cursor() as u16;
        let y = inner.y + row as u16;
        if x < inner.right() && y < inner.bottom() {
            frame.set_cursor_position((x, y));
        }
    }
}
