//! What goes into a text field, typed or pasted, and how long a field may grow (the phone
//! field once took 600 digits). A leaf: the screens use it, it knows none of them (the
//! paste's routing to the focused field is `paste.rs`).

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::backend::crossterm::EventHandler;
use tui_input::{Input, InputRequest};

use crate::domain::fields::FieldKind;

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

/// Whether a field of this kind takes the character (typed or pasted).
pub fn accepts(kind: FieldKind, c: char) -> bool {
    match kind {
        FieldKind::Amount
        | FieldKind::CardNumber
        | FieldKind::CardCvc
        | FieldKind::CardMonth
        | FieldKind::CardYear
        | FieldKind::BillReference
        | FieldKind::MoneyGramReference => c.is_ascii_digit(),
        FieldKind::Phone => c.is_ascii_digit() || c == '+' || c == ' ',
        _ => !c.is_control(),
    }
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
