//! A sale's form: the fields of the service, validated as they are typed, then a summary to
//! confirm before the send.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keys::{Binding, lookup, shown, typing};
use super::payment::PaymentState;
use super::{App, Screen, is_ctrl};
use crate::domain::drawer::CashOutUse;
use crate::domain::fields::{self as rules, FieldKind, FieldSpec};
use crate::engine::PayOrder;
use crate::i18n::Lang;
use crate::money::group_thousands;
use crate::tui::catalog::{INTRAM_CODE, Tile};
use crate::tui::message::Effect;
use crate::tui::theme::Theme;
use crate::tui::widgets::field_line;
use crate::tui::widgets::icon::IconView;

/// One field of the entry form.
#[derive(Debug, Clone)]
pub struct Field {
    pub spec: FieldSpec,
    pub input: Input,
    /// Filled from a bill: shown, not editable.
    pub locked: bool,
}

#[derive(Debug, Clone)]
pub struct EntryState {
    pub tile: Tile,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// French messages by field name, from live validation.
    pub errors: BTreeMap<String, String>,
    /// The summary is shown; Enter sends.
    pub confirming: bool,
}

impl EntryState {
    /// The focused field is a choice (the card type): the arrows pick, nothing is typed.
    pub fn on_choice(&self) -> bool {
        self.fields
            .get(self.focus)
            .is_some_and(|f| !f.locked && f.spec.choices().is_some())
    }
}

impl EntryState {
    /// The values of `order` back in the form (a sale refused as a repeat, to check).
    pub fn fill(&mut self, order: &PayOrder) {
        for f in &mut self.fields {
            let value = match f.spec.name {
                "phone" => order.phone.clone(),
                "amount" => order.amount.map(|a| a.to_string()),
                "description" => order.description.clone(),
                name => order.fields.get(name).cloned(),
            };
            if let Some(v) = value {
                f.input = Input::new(v);
            }
        }
    }
}

/// Reads the form into an order, and validates it as the engine will.
pub fn order_of(
    app_lang: Lang,
    entry: &EntryState,
    balance: Option<f64>,
) -> (PayOrder, BTreeMap<String, String>) {
    let mut phone = None;
    let mut amount_text = None;
    let mut description = None;
    let mut fields = BTreeMap::new();
    for f in &entry.fields {
        let v = f.input.value().trim().to_owned();
        match f.spec.name {
            "phone" => phone = Some(v).filter(|v| !v.is_empty()),
            "amount" => amount_text = Some(v),
            "description" => description = Some(v).filter(|v| !v.is_empty()),
            name => {
                if !v.is_empty() {
                    fields.insert(name.to_owned(), v);
                }
            }
        }
    }
    let mut errors = BTreeMap::new();
    let amount = match amount_text.as_deref().map(|t| t.replace([' ', '.'], "")) {
        None => None,
        Some(t) if t.is_empty() => None,
        Some(t) => match t.parse::<i64>() {
            Ok(a) => Some(a),
            Err(_) => {
                errors.insert(
                    "amount".to_owned(),
                    app_lang
                        .tr(
                            "montant : un nombre entier de FCFA",
                            "amount: a whole number of FCFA",
                        )
                        .to_owned(),
                );
                None
            }
        },
    };
    let intram = entry.tile.code == INTRAM_CODE;
    let order = PayOrder {
        gateway: if intram {
            crate::domain::GatewayKind::Intram
        } else {
            crate::domain::GatewayKind::Intech
        },
        service: entry.tile.code.into(),
        phone,
        amount,
        fields,
        description,
    };
    if let Err(list) = rules::validate_in(
        app_lang,
        &order.service,
        order.phone.as_deref(),
        order.amount,
        &order.fields,
        balance,
    ) {
        for e in list {
            errors.entry(e.field.to_owned()).or_insert(e.message);
        }
    }
    (order, errors)
}

/// What a key does on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Field,
    Validate,
    Back,
    Type,
    /// On a choice: the previous (←) or next (→, Space) value.
    Choose,
}

pub const KEYS: &[Binding<Action>] = &[
    shown(
        &[KeyCode::Tab, KeyCode::Down, KeyCode::BackTab, KeyCode::Up],
        Action::Field,
        ("Tab ↑↓", "champ"),
        ("Tab ↑↓", "field"),
    ),
    shown(
        &[KeyCode::Enter, KeyCode::F(10)],
        Action::Validate,
        ("Entrée F10", "valider"),
        ("Enter F10", "validate"),
    ),
    shown(
        &[KeyCode::Esc],
        Action::Back,
        ("Échap", "retour"),
        ("Esc", "back"),
    ),
    // The focused field: what its kind accepts (digits for an amount…), Backspace.
    typing(Action::Type),
];

/// The form when the focused field is a choice (the card type): the same moves, and the
/// arrows pick a value instead of typing one (the server takes only its own spellings).
pub const CHOICE_KEYS: &[Binding<Action>] = &[
    shown(
        &[KeyCode::Left, KeyCode::Right, KeyCode::Char(' ')],
        Action::Choose,
        ("← → Espace", "choisir"),
        ("← → Space", "choose"),
    ),
    shown(
        &[KeyCode::Tab, KeyCode::Down, KeyCode::BackTab, KeyCode::Up],
        Action::Field,
        ("Tab ↑↓", "champ"),
        ("Tab ↑↓", "field"),
    ),
    shown(
        &[KeyCode::Enter, KeyCode::F(10)],
        Action::Validate,
        ("Entrée F10", "valider"),
        ("Enter F10", "validate"),
    ),
    shown(
        &[KeyCode::Esc],
        Action::Back,
        ("Échap", "retour"),
        ("Esc", "back"),
    ),
];

/// The value after `current` among `choices` (backwards with `back`); from none, the first
/// (or the last).
fn cycle(choices: &[&'static str], current: &str, back: bool) -> &'static str {
    let n = choices.len();
    let next = match choices.iter().position(|c| *c == current) {
        None if back => n - 1,
        None => 0,
        Some(i) if back => (i + n - 1) % n,
        Some(i) => (i + 1) % n,
    };
    choices[next]
}

/// What a key does on the summary, before the send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    Send,
    Edit,
}

pub const CONFIRM_KEYS: &[Binding<Confirm>] = &[
    shown(
        &[
            KeyCode::Enter,
            KeyCode::F(10),
            KeyCode::Char('o'),
            KeyCode::Char('O'),
        ],
        Confirm::Send,
        ("Entrée F10 o", "confirmer l'envoi"),
        ("Enter F10 o", "confirm and send"),
    ),
    shown(
        &[
            KeyCode::Esc,
            KeyCode::F(9),
            KeyCode::Char('n'),
            KeyCode::Char('N'),
        ],
        Confirm::Edit,
        ("Échap F9 n", "modifier"),
        ("Esc F9 n", "edit"),
    ),
];

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let balance = app.balance_value();
    let app_lang = app.lang;
    let Screen::Entry(entry) = &mut app.screen else {
        return vec![];
    };
    if entry.confirming {
        return match lookup(CONFIRM_KEYS, key.code) {
            Some(Confirm::Send) => {
                let (order, errors) = order_of(app_lang, entry, balance);
                if !errors.is_empty() {
                    entry.errors = errors;
                    entry.confirming = false;
                    return vec![];
                }
                let tile = entry.tile;
                app.screen = Screen::Payment(Box::new(PaymentState {
                    order: order.clone(),
                    tile,
                    row: None,
                    error: None,
                    opened_at: app.now,
                    notice: None,
                    rang: false,
                    external_id: None,
                }));
                vec![Effect::Pay {
                    order,
                    allow_duplicate: false,
                }]
            }
            Some(Confirm::Edit) => {
                entry.confirming = false;
                vec![]
            }
            _ => {
                app.dirty = false;
                vec![]
            }
        };
    }
    let count = entry.fields.len();
    let table = if entry.on_choice() { CHOICE_KEYS } else { KEYS };
    match lookup(table, key.code) {
        Some(Action::Back) => {
            app.screen = Screen::Catalogue;
            return vec![];
        }
        Some(Action::Field) if matches!(key.code, KeyCode::Tab | KeyCode::Down) => {
            entry.focus = next_editable(entry, entry.focus, 1)
        }
        Some(Action::Field) => entry.focus = next_editable(entry, entry.focus, count - 1),
        Some(Action::Validate) => {
            // The last field to fill: a choice already made (a cash-out's use, filled in
            // with its default) is not waited for; Tab reaches it, the summary shows it.
            let last = (0..count)
                .rev()
                .find(|i| {
                    let f = &entry.fields[*i];
                    !f.locked && (f.spec.choices().is_none() || f.input.value().is_empty())
                })
                .unwrap_or(0);
            if entry.focus < last && key.code == KeyCode::Enter {
                entry.focus = next_editable(entry, entry.focus, 1);
            } else {
                let (_, errors) = order_of(app_lang, entry, balance);
                entry.errors = errors.clone();
                if errors.is_empty() {
                    entry.confirming = true;
                } else if let Some(i) = entry
                    .fields
                    .iter()
                    .position(|f| errors.contains_key(f.spec.name))
                {
                    entry.focus = i;
                }
                // Refused only by the balance the header shows: read it again (a top-up
                // made elsewhere), so that the next Enter judges on today's figure.
                if !errors.is_empty() && order_of(app_lang, entry, None).1.is_empty() {
                    return vec![Effect::FetchBalance];
                }
            }
        }
        Some(Action::Choose) => {
            if let Some(field) = entry.fields.get_mut(entry.focus)
                && let Some(choices) = field.spec.choices()
            {
                let value = cycle(choices, field.input.value(), key.code == KeyCode::Left);
                field.input = Input::new(value.to_owned());
                entry.errors.remove(field.spec.name);
            }
        }
        // Typing, and any other key, goes to the field (which takes what it accepts; a
        // choice takes nothing typed).
        Some(Action::Type) | None => {
            if let Some(field) = entry.fields.get_mut(entry.focus)
                && !field.locked
                && field.spec.choices().is_none()
                && !is_ctrl(&key, 'c')
            {
                let accepted = match key.code {
                    KeyCode::Char(c) => {
                        super::field_text::accepts(field.spec.kind, c)
                            && field.input.value().chars().count() < field.spec.kind.max_chars()
                    }
                    _ => true,
                };
                if accepted {
                    field.input.handle_event(&crossterm::event::Event::Key(key));
                    show_errors(app_lang, entry, balance);
                }
            }
        }
    }
    vec![]
}

/// Live validation: only the fields already touched show their error.
pub fn show_errors(app_lang: Lang, entry: &mut EntryState, balance: Option<f64>) {
    let (_, errors) = order_of(app_lang, entry, balance);
    let touched: Vec<&'static str> = entry
        .fields
        .iter()
        .filter(|f| !f.input.value().is_empty())
        .map(|f| f.spec.name)
        .collect();
    entry.errors = errors
        .into_iter()
        .filter(|(k, _)| touched.contains(&k.as_str()))
        .collect();
}

fn next_editable(entry: &EntryState, from: usize, step: usize) -> usize {
    let n = entry.fields.len();
    let mut i = from;
    for _ in 0..n {
        i = (i + step) % n;
        if !entry.fields[i].locked {
            return i;
        }
    }
    from
}

/// A field's value as the screen shows it: the CVC as dots, the card number masked (first
/// 6, last 4) but while it is typed, a choice between arrows when focused.
fn shown_value(e: &EntryState, i: usize, lang: Lang) -> String {
    let f = &e.fields[i];
    let v = f.input.value();
    let typing_here = i == e.focus && !e.confirming;
    match f.spec.kind {
        FieldKind::CardCvc => "•".repeat(v.chars().count()),
        FieldKind::CardNumber if !typing_here => rules::mask_card_number(v),
        FieldKind::CardType if typing_here && v.is_empty() => {
            lang.tr("← → pour choisir", "← → to choose").to_owned()
        }
        FieldKind::CardType if typing_here => format!("◀ {v} ▶"),
        FieldKind::CashOutUse => {
            let label = CashOutUse::parse(Some(v)).label(lang);
            if typing_here {
                format!("◀ {label} ▶")
            } else {
                label.to_owned()
            }
        }
        FieldKind::Amount if !v.is_empty() => match v.replace(' ', "").parse::<i64>() {
            Ok(a) => format!("{} FCFA", group_thousands(a)),
            Err(_) => v.to_owned(),
        },
        _ => v.to_owned(),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, e: &EntryState, theme: Theme) {
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
                    shown_value(e, i, theme.lang),
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
                shown_value(e, i, theme.lang),
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
        && f.spec.choices().is_none()
    {
        // The cursor sits in the focused input.
        let row = 2 + e.fields[..e.focus]
            .iter()
            .map(|x| 1 + u16::from(e.errors.contains_key(x.spec.name)))
            .sum::<u16>();
        let col = 2 + 28 + 1 + f.input.visual_cursor() as u16;
        if f.spec.kind != FieldKind::Amount || f.input.value().is_empty() {
            let x = form.x + col;
            let y = form.y + row;
            if x < form.right() && y < form.bottom() {
                frame.set_cursor_position((x, y));
            }
        }
    }
}
