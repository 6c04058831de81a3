//! A paste (bracketed paste: the terminal marks pasted text) only ever inserts text into
//! the focused field. It never validates, confirms or sends: without bracketed paste, the
//! newlines of `772450000⏎1000⏎⏎` acted as Enter and sent a deposit.
//!
//! The text is cleaned first (control characters, newlines included, dropped), then each
//! character goes in if the field takes it, up to the field's own length (`field_text`).
//! Where no field has the focus (a list, a summary, a question), a paste does nothing. PINs
//! are typed, never pasted: the login, the lock and the supervisor's PIN ignore pastes.

use tui_input::Input;

use super::bills::BillsStage;
use super::field_text::{
    CLAIM_MESSAGE_MAX, CLAIM_SUBJECT_MAX, COUNTRY_MAX, MONEYGRAM_FIELD_MAX, SEARCH_MAX, accepts,
    insert,
};
use super::moneygram::MgStage;
use super::{App, Screen, entry};
use crate::domain::fields::FieldKind;
use crate::tui::message::Effect;

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
                    insert(&mut f.input, text, kind.max_chars(), |c| accepts(kind, c))
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
