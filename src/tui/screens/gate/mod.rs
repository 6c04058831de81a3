//! Who may use the counter: the link to the service, the login screen, the idle lock and
//! the supervisor's PIN (to leave the kiosk, or for a refund at a cashier's counter). Pure
//! state and transitions like the rest of `app`; the PIN checks are effects answered by
//! the service.
//! Drawn by `draw`.

pub mod draw;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keys::{Binding, lookup, shown, typing};
use super::{App, Screen};
use crate::session::view::Operation;
use crate::session::{LinkEvent, LoginNeed};
use crate::staff::Cashier;
use crate::tui::message::Effect;

/// The login screen.
#[derive(Debug, Clone, Default)]
pub struct LoginForm {
    /// `None` when the Unix user is mapped to a cashier: only the PIN is asked.
    pub name: Option<Input>,
    /// The mapped cashier's name, shown.
    pub mapped: Option<String>,
    pub pin: Input,
    /// 0: name, 1: PIN.
    pub focus: usize,
    pub error: Option<String>,
    pub busy: bool,
}

/// A PIN asked over the current screen (which is hidden meanwhile for the idle lock).
#[derive(Debug, Clone, Default)]
pub struct PinForm {
    pub pin: Input,
    pub error: Option<String>,
    pub busy: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    /// Leave the kiosk.
    Quit,
    /// Refund this sale (a cashier's counter, the supervisor present).
    Refund(String),
    /// Reverse this MoneyGram send, for this reason.
    Reversal(String, crate::domain::moneygram::ReversalInput),
}

#[derive(Debug, Clone)]
pub struct SupervisorPrompt {
    pub purpose: Purpose,
    pub form: PinForm,
}

/// The session side of the app.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    /// Kiosk: leaving needs a supervisor's PIN; Ctrl-C and friends do nothing.
    pub kiosk: bool,
    /// Logged-in cashier (or the Unix user on a counter without accounts).
    pub cashier: Option<Cashier>,
    /// Whether a PIN login is in force (then the idle lock applies).
    pub login_required: bool,
    /// How the last login was asked (to ask again after a lock-out or a service restart).
    pub need: Option<LoginNeed>,
    /// The service cannot be reached: the French sentence shown in the header.
    pub link_down: Option<String>,
    pub locked: Option<PinForm>,
    pub prompt: Option<SupervisorPrompt>,
    /// The shop's idle-lock delay, from the service (`None`: the terminal's own).
    pub idle_lock_secs: Option<u64>,
}

impl Gate {
    pub fn is_supervisor(&self) -> bool {
        self.cashier.as_ref().is_some_and(Cashier::is_supervisor)
    }
}

fn login_form(need: &LoginNeed) -> LoginForm {
    match need {
        LoginNeed::Pin(name) => LoginForm {
            mapped: Some(name.clone()),
            focus: 1,
            ..LoginForm::default()
        },
        _ => LoginForm {
            name: Some(Input::default()),
            ..LoginForm::default()
        },
    }
}

/// Opens the counter for `cashier`: home screen, and the sale they left unfinished. A
/// resumed login (the link came back) keeps an idle lock in place.
fn open_counter(app: &mut App, cashier: Cashier, resumed: bool) -> Vec<Effect> {
    app.gate.cashier = Some(cashier);
    if !resumed {
        app.gate.locked = None;
    }
    if matches!(app.screen, Screen::Login(_) | Screen::Connecting) {
        app.screen = Screen::Catalogue;
    }
    let mut effects = app.start();
    effects.push(Effect::FetchUnseen);
    effects
}

pub fn on_link(app: &mut App, event: LinkEvent) -> Vec<Effect> {
    match event {
        LinkEvent::Up { welcome, resumed } => {
            app.gate.link_down = None;
            app.demo = welcome.demo;
            app.gate.kiosk |= welcome.kiosk;
            app.gate.idle_lock_secs = welcome.idle_lock_secs;
            app.low_balance = welcome.low_balance;
            let need = welcome.login;
            app.gate.login_required = !matches!(need, LoginNeed::None(_));
            app.gate.need = Some(need.clone());
            match (need, resumed) {
                (LoginNeed::None(me), _) => open_counter(app, me, false),
                (_, Some(me)) => {
                    // Same login as before the cut: stay where we were, re-read what shows
                    // (a sale whose answer was lost is found again by the id it was sent with).
                    let mut effects = open_counter(app, me, true);
                    if let Screen::Payment(p) = &app.screen
                        && let Some(id) = p
                            .row
                            .as_ref()
                            .map(|r| &r.external_id)
                            .or(p.external_id.as_ref())
                    {
                        effects.push(Effect::LoadRow(id.clone()));
                    }
                    effects
                }
                (need, None) => {
                    // A new login: whatever showed belonged to the previous session.
                    app.gate.cashier = None;
                    app.gate.locked = None;
                    app.gate.prompt = None;
                    app.screen = Screen::Login(login_form(&need));
                    vec![]
                }
            }
        }
        LinkEvent::Down(problem) => {
            app.gate.link_down = Some(problem.text(app.lang));
            if let Screen::Login(form) = &mut app.screen {
                form.busy = false;
            }
            vec![]
        }
        // Routed to `app::on_engine` before this: the screens that watch a row take them.
        LinkEvent::Engine(_) => vec![],
    }
}

pub fn on_logged_in(app: &mut App, result: Result<Cashier, String>) -> Vec<Effect> {
    match result {
        Ok(me) => open_counter(app, me, false),
        Err(message) => {
            if let Screen::Login(form) = &mut app.screen {
                form.busy = false;
                form.error = Some(message);
                form.pin = Input::default();
            }
            vec![]
        }
    }
}

pub fn on_unlocked(app: &mut App, result: Result<(), String>) -> Vec<Effect> {
    if let Some(lock) = &mut app.gate.locked {
        match result {
            Ok(()) => app.gate.locked = None,
            Err(message) => {
                lock.busy = false;
                lock.error = Some(message);
                lock.pin = Input::default();
            }
        }
    }
    vec![]
}

pub fn on_supervisor(app: &mut App, result: Result<Cashier, String>) -> Vec<Effect> {
    let Some(prompt) = &mut app.gate.prompt else {
        return vec![];
    };
    match result {
        Ok(_) => {
            let purpose = prompt.purpose.clone();
            app.gate.prompt = None;
            match purpose {
                Purpose::Quit => {
                    // Not `Effect::Quit`: `guard` would turn that into the prompt again.
                    app.quit = true;
                    vec![]
                }
                // Refunds never reach here: their PIN goes with the request itself.
                Purpose::Refund(_) | Purpose::Reversal(..) => vec![],
            }
        }
        Err(message) => {
            prompt.form.busy = false;
            prompt.form.error = Some(message);
            prompt.form.pin = Input::default();
            vec![]
        }
    }
}

/// The idle timer fired: hide the screen until the cashier's PIN.
pub fn on_idle(app: &mut App) -> Vec<Effect> {
    if app.gate.login_required && app.gate.cashier.is_some() && app.gate.locked.is_none() {
        app.gate.locked = Some(PinForm::default());
        app.gate.prompt = None;
        app.help = false;
    } else {
        app.dirty = false;
    }
    vec![]
}

/// The newest sale the cashier has not seen settled: back on its payment screen.
pub fn on_unseen(app: &mut App, row: Option<Operation>) -> Vec<Effect> {
    let Some(row) = row else {
        app.dirty = false;
        return vec![];
    };
    if !matches!(app.screen, Screen::Catalogue) {
        return vec![];
    }
    let id = row.external_id.clone();
    let notice = app.lang.tr(
        "Vente reprise : elle n'était pas terminée à votre départ.",
        "Sale resumed: it was not finished when you left.",
    );
    let Some(state) = super::payment::of_row(row, Some(notice.into())) else {
        return vec![];
    };
    app.screen = Screen::Payment(state);
    vec![Effect::LoadRow(id)]
}

/// Keys for the login screen, the lock and the supervisor prompt. `None`: not for us.
pub fn on_key(app: &mut App, key: KeyEvent) -> Option<Vec<Effect>> {
    if matches!(app.screen, Screen::Connecting) {
        app.dirty = false;
        return Some(vec![]);
    }
    if let Some(lock) = &mut app.gate.locked {
        return Some(match pin_key(lock, key, LOCK_KEYS) {
            PinAction::Submit(pin) => vec![Effect::Unlock(pin.into())],
            PinAction::Cancel => {
                // Another cashier takes the counter: log out, then log in.
                app.gate.locked = None;
                app.gate.cashier = None;
                let need = app.gate.need.clone().unwrap_or(LoginNeed::NameAndPin);
                app.screen = Screen::Login(login_form(&need));
                vec![Effect::Logout]
            }
            PinAction::None => vec![],
        });
    }
    if let Some(prompt) = &mut app.gate.prompt {
        return Some(match pin_key(&mut prompt.form, key, PROMPT_KEYS) {
            PinAction::Submit(pin) => match prompt.purpose.clone() {
                Purpose::Quit => vec![Effect::CheckSupervisor(pin.into())],
                Purpose::Refund(external_id) => {
                    app.gate.prompt = None;
                    vec![Effect::RefundAs {
                        external_id,
                        supervisor_pin: Some(pin.into()),
                    }]
                }
                Purpose::Reversal(external_id, reversal) => {
                    app.gate.prompt = None;
                    vec![Effect::MoneyGramReversalAs {
                        external_id,
                        reversal,
                        supervisor_pin: Some(pin.into()),
                    }]
                }
            },
            PinAction::Cancel => {
                app.gate.prompt = None;
                vec![]
            }
            PinAction::None => vec![],
        });
    }
    if let Screen::Login(form) = &mut app.screen {
        return Some(login_key(form, key));
    }
    None
}

enum PinAction {
    Submit(String),
    Cancel,
    None,
}

/// Digits only, at most 8; Enter submits, Esc (or F2) cancels.
/// A PIN asked (the idle lock, a supervisor's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinKey {
    Submit,
    Cancel,
    Type,
}

/// The idle lock: Esc hands the counter to another cashier.
pub const LOCK_KEYS: &[Binding<PinKey>] = &[
    shown(
        &[KeyCode::Enter],
        PinKey::Submit,
        ("Entrée", "valider"),
        ("Enter", "validate"),
    ),
    shown(
        &[KeyCode::Esc, KeyCode::F(2)],
        PinKey::Cancel,
        ("Échap F2", "changer de caissier"),
        ("Esc F2", "switch cashier"),
    ),
    // The PIN's digits (8 at most), Backspace.
    typing(PinKey::Type),
];

/// A supervisor's PIN, over the screen.
pub const PROMPT_KEYS: &[Binding<PinKey>] = &[
    shown(
        &[KeyCode::Enter],
        PinKey::Submit,
        ("Entrée", "valider"),
        ("Enter", "validate"),
    ),
    shown(
        &[KeyCode::Esc, KeyCode::F(2)],
        PinKey::Cancel,
        ("Échap F2", "annuler"),
        ("Esc F2", "cancel"),
    ),
    // The PIN's digits (8 at most), Backspace.
    typing(PinKey::Type),
];

/// The login screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginKey {
    Field,
    Submit,
    Type,
}

pub const LOGIN_KEYS: &[Binding<LoginKey>] = &[
    shown(
        &[KeyCode::Tab, KeyCode::Down, KeyCode::Up, KeyCode::BackTab],
        LoginKey::Field,
        ("Tab", "champ"),
        ("Tab", "field"),
    ),
    shown(
        &[KeyCode::Enter],
        LoginKey::Submit,
        ("Entrée", "valider"),
        ("Enter", "validate"),
    ),
    // The name (letters, digits, . - _) and the PIN's digits, Backspace.
    typing(LoginKey::Type),
];

fn pin_key(form: &mut PinForm, key: KeyEvent, table: &[Binding<PinKey>]) -> PinAction {
    if form.busy {
        return PinAction::None;
    }
    match (lookup(table, key.code), key.code) {
        (Some(PinKey::Submit), _) if !form.pin.value().is_empty() => {
            form.busy = true;
            form.error = None;
            PinAction::Submit(form.pin.value().to_owned())
        }
        (Some(PinKey::Cancel), _) => PinAction::Cancel,
        (Some(PinKey::Type), KeyCode::Backspace) => {
            form.pin.handle_event(&crossterm::event::Event::Key(key));
            PinAction::None
        }
        (Some(PinKey::Type), KeyCode::Char(c))
            if c.is_ascii_digit()
                && !key.modifiers.contains(KeyModifiers::CONTROL)
                && form.pin.value().len() < 8 =>
        {
            form.pin.handle_event(&crossterm::event::Event::Key(key));
            PinAction::None
        }
        _ => PinAction::None,
    }
}

fn login_key(form: &mut LoginForm, key: KeyEvent) -> Vec<Effect> {
    if form.busy {
        return vec![];
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match (lookup(LOGIN_KEYS, key.code), key.code, form.focus) {
        (Some(LoginKey::Field), _, _) if form.name.is_some() => {
            form.focus = 1 - form.focus;
        }
        (Some(LoginKey::Submit), _, 0)
            if form
                .name
                .as_ref()
                .is_some_and(|n| !n.value().trim().is_empty()) =>
        {
            form.focus = 1;
        }
        (Some(LoginKey::Submit), _, 0) => {}
        (Some(LoginKey::Submit), _, _) => {
            let name = form.name.as_ref().map(|n| n.value().trim().to_owned());
            if name.as_deref() == Some("") {
                form.focus = 0;
                return vec![];
            }
            if form.pin.value().is_empty() {
                return vec![];
            }
            form.busy = true;
            form.error = None;
            return vec![Effect::Login {
                name,
                pin: form.pin.value().into(),
            }];
        }
        (Some(LoginKey::Type), KeyCode::Char(c), 0)
            if !ctrl && (c.is_alphanumeric() || ".-_".contains(c)) =>
        {
            if let Some(name) = &mut form.name
                && name.value().chars().count() < 32
            {
                name.handle_event(&crossterm::event::Event::Key(key));
            }
        }
        (Some(LoginKey::Type), KeyCode::Backspace, 0) => {
            if let Some(name) = &mut form.name {
                name.handle_event(&crossterm::event::Event::Key(key));
            }
        }
        (Some(LoginKey::Type), KeyCode::Char(c), 1)
            if !ctrl && c.is_ascii_digit() && form.pin.value().len() < 8 =>
        {
            form.pin.handle_event(&crossterm::event::Event::Key(key));
        }
        (Some(LoginKey::Type), KeyCode::Backspace, 1) => {
            form.pin.handle_event(&crossterm::event::Event::Key(key));
        }
        _ => {}
    }
    vec![]
}

/// Applies the session's rules to what a screen asked for: in a kiosk, leaving needs a
/// supervisor; a cashier's refund needs a supervisor's PIN typed at the counter.
pub fn guard(app: &mut App, effects: Vec<Effect>) -> Vec<Effect> {
    let mut out = Vec::with_capacity(effects.len());
    for effect in effects {
        match effect {
            Effect::Quit if app.gate.kiosk => {
                app.quit = false;
                app.gate.prompt = Some(SupervisorPrompt {
                    purpose: Purpose::Quit,
                    form: PinForm::default(),
                });
            }
            Effect::Refund(external_id) if app.gate.login_required && !app.gate.is_supervisor() => {
                app.gate.prompt = Some(SupervisorPrompt {
                    purpose: Purpose::Refund(external_id),
                    form: PinForm::default(),
                });
            }
            Effect::Refund(external_id) => out.push(Effect::RefundAs {
                external_id,
                supervisor_pin: None,
            }),
            Effect::MoneyGramReversal {
                external_id,
                reversal,
            } if app.gate.login_required && !app.gate.is_supervisor() => {
                app.gate.prompt = Some(SupervisorPrompt {
                    purpose: Purpose::Reversal(external_id, reversal),
                    form: PinForm::default(),
                });
            }
            Effect::MoneyGramReversal {
                external_id,
                reversal,
            } => out.push(Effect::MoneyGramReversalAs {
                external_id,
                reversal,
                supervisor_pin: None,
            }),
            other => out.push(other),
        }
    }
    out
}
