//! A MoneyGram send's reversal, asked from the journal's detail: the form, its keys and its
//! drawing (over the journal).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::domain::moneygram::{self as mg, REVERSAL_REASONS, ReversalInput};
use crate::i18n::Lang;
use crate::tui::screens::keys::{Binding, lookup, shown, typing};
use crate::tui::theme::Theme;

/// A MoneyGram send's reversal, asked from the journal: its reason, whether the fees go
/// back too, and who reverses it.
#[derive(Debug, Clone)]
pub struct ReversalForm {
    /// An index into [`REVERSAL_REASONS`].
    pub reason: usize,
    pub fee_refund: bool,
    /// 7 characters at most.
    pub operator: Input,
    /// 0 reason, 1 fee refund, 2 operator.
    pub focus: usize,
}

impl ReversalForm {
    /// The operator's name starts as the logged-in cashier's, cut to MoneyGram's 7.
    pub fn new(cashier: Option<&str>) -> ReversalForm {
        let name: String = cashier
            .unwrap_or("CAISSE")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(7)
            .collect::<String>()
            .to_ascii_uppercase();
        ReversalForm {
            reason: 0,
            fee_refund: true,
            operator: Input::new(name),
            focus: 0,
        }
    }

    pub fn input(&self) -> ReversalInput {
        ReversalInput {
            operator_name: self.operator.value().trim().to_owned(),
            reason: REVERSAL_REASONS[self.reason].code.to_owned(),
            fee_refund: self.fee_refund,
            agent_check_number: None,
        }
    }
}

pub enum ReversalKey {
    Send(ReversalInput),
    Cancel,
    Refused(String),
    Done,
}

/// A key on the reversal form.
/// What a key does on the reversal form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Field,
    Choice,
    Send,
    Back,
    Type,
}

pub const KEYS: &[Binding<Action>] = &[
    shown(
        &[KeyCode::Tab, KeyCode::Down, KeyCode::BackTab, KeyCode::Up],
        Action::Field,
        ("Tab ↑↓", "champ"),
        ("Tab ↑↓", "field"),
    ),
    shown(
        &[KeyCode::Left, KeyCode::Right, KeyCode::Char(' ')],
        Action::Choice,
        ("←→", "choix"),
        ("←→", "choice"),
    ),
    shown(
        &[KeyCode::Enter, KeyCode::F(10)],
        Action::Send,
        ("Entrée F10", "annuler l'envoi"),
        ("Enter F10", "reverse the send"),
    ),
    shown(
        &[KeyCode::Esc],
        Action::Back,
        ("Échap", "retour"),
        ("Esc", "back"),
    ),
    // The fee refund's o/n, the operator's name (letters and digits), Backspace.
    typing(Action::Type),
];

pub fn key(form: &mut ReversalForm, key: KeyEvent, lang: Lang) -> ReversalKey {
    let n = REVERSAL_REASONS.len();
    match (lookup(KEYS, key.code), key.code, form.focus) {
        (Some(Action::Back), _, _) => return ReversalKey::Cancel,
        (Some(Action::Field), KeyCode::Tab | KeyCode::Down, _) => form.focus = (form.focus + 1) % 3,
        (Some(Action::Field), _, _) => form.focus = (form.focus + 2) % 3,
        (Some(Action::Send), _, _) => {
            let input = form.input();
            return match mg::validate_reversal(lang, &input) {
                Ok(_) => ReversalKey::Send(input),
                Err(errors) => ReversalKey::Refused(
                    errors
                        .into_iter()
                        .map(|e| e.message)
                        .collect::<Vec<_>>()
                        .join(" ; "),
                ),
            };
        }
        (Some(Action::Choice), KeyCode::Left, 0) => form.reason = (form.reason + n - 1) % n,
        (Some(Action::Choice), _, 0) => form.reason = (form.reason + 1) % n,
        (Some(Action::Choice), _, 1) => form.fee_refund = !form.fee_refund,
        (Some(Action::Type), KeyCode::Char('o' | 'O' | 'y' | 'Y'), 1) => form.fee_refund = true,
        (Some(Action::Type), KeyCode::Char('n' | 'N'), 1) => form.fee_refund = false,
        (Some(Action::Type), KeyCode::Char(c), 2)
            if c.is_ascii_alphanumeric() && form.operator.value().chars().count() < 7 =>
        {
            let upper = KeyEvent::new(KeyCode::Char(c.to_ascii_uppercase()), KeyModifiers::NONE);
            form.operator
                .handle_event(&crossterm::event::Event::Key(upper));
        }
        (Some(Action::Type), KeyCode::Backspace, 2)
        | (Some(Action::Choice), KeyCode::Left | KeyCode::Right, 2) => {
            form.operator
                .handle_event(&crossterm::event::Event::Key(key));
        }
        _ => {}
    }
    ReversalKey::Done
}

/// The reversal form, over the journal's detail.
pub fn draw(buf: &mut Buffer, area: Rect, form: &ReversalForm, theme: Theme) {
    let width = area.width.min(70);
    let height = area.height.min(7);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    Clear.render(popup, buf);
    let block = Block::bordered().title(Span::styled(
        theme.tr(" Annulation MoneyGram ", " MoneyGram reversal "),
        theme.title(),
    ));
    let inner = block.inner(popup);
    block.render(popup, buf);
    let line = |i: usize, label: &'static str, value: String| {
        let focused = form.focus == i;
        Line::from(vec![
            Span::raw(if focused { "▶ " } else { "  " }),
            Span::styled(format!("{label:<24}"), theme.title()),
            Span::styled(
                format!(" {value} "),
                if focused {
                    theme.selected()
                } else {
                    Style::default()
                },
            ),
        ])
    };
    let reason = &REVERSAL_REASONS[form.reason];
    let lines = vec![
        Line::from(Span::styled(
            theme.tr(
                "L'envoi est annulé et l'argent rendu au client.",
                "The send is reversed and the money given back.",
            ),
            theme.dim(),
        )),
        Line::default(),
        line(
            0,
            theme.tr("Motif", "Reason"),
            format!("‹ {} ›", reason.label(theme.lang)),
        ),
        line(
            1,
            theme.tr("Frais remboursés", "Fees refunded"),
            if form.fee_refund {
                theme.tr("‹ oui ›", "‹ yes ›")
            } else {
                theme.tr("‹ non ›", "‹ no ›")
            }
            .to_owned(),
        ),
        line(
            2,
            theme.tr("Opérateur (7 car.)", "Operator (7 chars)"),
            form.operator.value().to_owned(),
        ),
    ];
    Paragraph::new(lines).render(inner, buf);
}
