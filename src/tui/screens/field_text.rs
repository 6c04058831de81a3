//! What goes into a text field, typed or pasted, and how long a field may grow (the phone
//! field once took 600 digits).
//!
//! A paste (bracketed paste: the terminal marks pasted text) only ever inserts text into
//! the focused field. It never validates, confirms or sends: without bracketed paste, the
//! newlines of `772450000⏎1000⏎⏎` acted as Enter and sent a deposit.
//!
//! The text is cleaned first (control characters, newlines included, dropped), then each
//! character goes in if the field takes it, up to the field's own length. Where no field
//! has the focus (a list, a summary, a question), a paste does nothing. PINs are typed,
//! never pasted: the login, the lock and the supervisor's PIN ignore pastes.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::backend::crossterm::EventHandler;
use tui_input::{Input, InputRequest};

use super::bills::BillsStage;
use super::moneygram::MgStage;
use super::{App, Screen, entry};
use crate::domain::fields::FieldKind;
use crate::tui::message::Effect;

/// The catalogue's search and the journal's: a few words.
pub const SEARCH_MAX: usize = 32;
/// A claim's subject and message, as the journal's claim form takes them.
pub const CLAIM_SUBJECT_MAX: usize = 100;
pub const CLAIM_MESSAGE_MAX: usize = 1_000;
/// A MoneyGram form's free field (names, addresses, ID numbers).
pub const MONEYGRAM_FIELD_MAX: usize = 60;
/// A country's ISO code on a MoneyGram form.
pub const COUNTRY_MAX: usize = 3;

/// A key typed into a field: a character goes in only while the value is shorter than
/// `max`; the other keys (Backspace, arrows…) as the field takes them.
pub fn type_key(input: &mut Input, key: KeyEvent, max: usize) {
    if matches!(key.code, KeyCode::Char(_)) && input.value().chars().count() >= max {
        return;
    }
    input.handle_event(&crossterm::event::Event::Key(key));
}

/// Applies a paste to the focused field of the screen, if any.
pub fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    let balance = app.balance_value();
    let lang = app.lang;
    // The gate (login, lock, supervisor's PIN), the help and a question take no paste.
    if app.gate.locked.is_some() || app.gate.prompt.is_some() || app.help || app.ask.is_some() {
        app.dirty = false;
        return vec![];
    }
    let changed = match &mut app.screen {
        Screen::Catalogue => {
            let mut filter = Input::new(app.filter.clone());
            let changed = insert(&mut filter, text, SEARCH_MAX, |c| {
                c.is_alphanumeric() || c == ' '
            });
            if changed {
                app.filter = filter.value().to_owned();
                app.selected = 0;
            }
            changed
        }
        Screen::Entry(e) if !e.confirming => {
            let changed = match e.fields.get_mut(e.focus) {
                Some(f) if !f.locked => {
                    let kind = f.spec.kind;
                    insert(&mut f.input, text, kind.max_chars(), |c| {
                        entry::accepts(kind, c)
                    })
                }
                _ => false,
            };
            if changed {
                entry::show_errors(lang, e, balance);
            }
            changed
        }
        Screen::Bills(b) if matches!(b.stage, BillsStage::Account) => {
            let max = FieldKind::AccountNumber.max_chars();
            insert(&mut b.account, text, max, |c| c.is_ascii_alphanumeric())
        }
        Screen::Journal(j) => {
            if let Some(claim) = &mut j.claim {
                if claim.focus == 1 {
                    insert(&mut claim.message, text, CLAIM_MESSAGE_MAX, |_| true)
                } else {
                    insert(&mut claim.subject, text, CLAIM_SUBJECT_MAX, |_| true)
                }
            } else if j.editing_filter {
                let changed = insert(&mut j.filter, text, SEARCH_MAX, |c| !c.is_control());
                if changed {
                    j.selected = 0;
                }
                changed
            } else {
                false
            }
        }
        Screen::MoneyGram(m) if !m.loading => match &mut m.stage {
            MgStage::Reference { input, .. } => {
                let kind = FieldKind::MoneyGramReference;
                insert(input, text, kind.max_chars(), |c| c.is_ascii_digit())
            }
            MgStage::Identity {
                form,
                confirming: false,
                ..
            }
            | MgStage::Parties { form } => match form.inputs.get_mut(form.focus) {
                // A closed list is chosen, not typed.
                Some(current) if current.field.choices().is_none() => {
                    let digits = current.digits_only();
                    let country = current.field.kind == crate::domain::moneygram::Kind::Country;
                    let changed = if country {
                        let upper = text.to_uppercase();
                        insert(&mut current.input, &upper, COUNTRY_MAX, |c| {
                            c.is_ascii_alphabetic()
                        })
                    } else {
                        insert(&mut current.input, text, MONEYGRAM_FIELD_MAX, |c| {
                            !digits || c.is_ascii_digit() || c == ' '
                        })
                    };
                    if changed {
                        form.errors.remove(current.field.name);
                    }
                    changed
                }
                _ => false,
            },
            _ => false,
        },
        _ => false,
    };
    app.dirty = changed;
    vec![]
}

/// Inserts at the cursor each character of `text` that `takes`, while the value stays
/// within `max` characters. Control characters (newlines, tabs, escapes) never go in.
/// Returns whether the value changed.
pub fn insert(input: &mut Input, text: &str, max: usize, takes: impl Fn(char) -> bool) -> bool {
    let room = max.saturating_sub(input.value().chars().count());
    let mut changed = false;
    for c in text
        .chars()
        .filter(|c| !c.is_control() && takes(*c))
        .take(room)
    {
        input.handle(InputRequest::InsertChar(c));
        changed = true;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_and_escapes_are_dropped_and_the_field_keeps_its_length() {
        let mut input = Input::default();
        assert!(insert(&mut input, "77 245\r\n00\x1b[A00⏎", 12, |_| true));
        assert_eq!(input.value(), "77 24500[A00");
        let mut digits = Input::new("77".into());
        assert!(insert(&mut digits, "1234567890123", 9, |c| c.is_ascii_digit()));
        assert_eq!(digits.value(), "771234567");
        assert!(
            !insert(&mut digits, "1", 9, |_| true),
            "a full field takes nothing"
        );
    }
}
