//! The cash drawer (« Tiroir »): the logged-in cashier's own drawer through the session
//! (`Request::Drawer`): opened with the counted float (the service reads the gateway balance
//! then), followed (float, cash in and out, commissions, expected cash and balance), closed
//! with the counted cash, after a question: expected vs counted and the difference, the
//! balance read now vs expected, each difference flagged. The arithmetic is the domain's
//! (`domain::drawer`); this screen only types amounts and shows figures.

mod draw;
pub use draw::draw;

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;

use super::keys::{Binding, lookup, shown, typing};
use super::{App, Screen};
use crate::journal::drawers::{DrawerRefusal, DrawerState};
use crate::journal::float::FloatView;
use crate::session::protocol::{DrawerAsk, DrawerReply};
use crate::tui::message::Effect;

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
