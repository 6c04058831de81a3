//! Keys as data: each screen (each mode of a screen) has one table of [`Binding`]s. Its key
//! handling looks the key up in the table and matches on the action; the footer and the help
//! show the same table (`app::keys`). A test (`app/keys_tests.rs`) checks that every key
//! shown is handled and that every key handled is in a table.

use crossterm::event::KeyCode;

use crate::i18n::Lang;

/// Which keys a binding takes.
#[derive(Debug, Clone, Copy)]
pub enum Keys {
    These(&'static [KeyCode]),
    /// Typing in the focused field: characters, Backspace and Delete, and the arrows, Home
    /// and End that move in it, when no other binding of the table takes them. Never shown:
    /// each field says what it takes.
    Typing,
}

/// What the footer and the help show for a binding: its keys and its action, in French and
/// in English.
#[derive(Debug, Clone, Copy)]
pub struct Label {
    pub fr: (&'static str, &'static str),
    pub en: (&'static str, &'static str),
    /// The way out of the screen (back, cancel, quit): the footer never leaves it out, at
    /// any width. A binding with Esc is one; the home screen's quit is marked ([`leave`]).
    pub leaves: bool,
}

const fn has_esc(keys: &[KeyCode]) -> bool {
    let mut i = 0;
    while i < keys.len() {
        if matches!(keys[i], KeyCode::Esc) {
            return true;
        }
        i += 1;
    }
    false
}

#[derive(Debug, Clone, Copy)]
pub struct Binding<A: 'static> {
    pub keys: Keys,
    pub action: A,
    /// `None`: in the table (handled) but not shown, a comment says why.
    pub label: Option<Label>,
}

/// A binding shown in the footer and the help.
pub const fn shown<A>(
    keys: &'static [KeyCode],
    action: A,
    fr: (&'static str, &'static str),
    en: (&'static str, &'static str),
) -> Binding<A> {
    Binding {
        keys: Keys::These(keys),
        action,
        label: Some(Label {
            fr,
            en,
            leaves: has_esc(keys),
        }),
    }
}

/// A binding shown, and the way out of a screen whose Esc does something else (the home
/// screen's quit: its Esc clears the filter).
pub const fn leave<A>(
    keys: &'static [KeyCode],
    action: A,
    fr: (&'static str, &'static str),
    en: (&'static str, &'static str),
) -> Binding<A> {
    Binding {
        keys: Keys::These(keys),
        action,
        label: Some(Label {
            fr,
            en,
            leaves: true,
        }),
    }
}

/// A binding handled but not shown.
pub const fn hidden<A>(keys: &'static [KeyCode], action: A) -> Binding<A> {
    Binding {
        keys: Keys::These(keys),
        action,
        label: None,
    }
}

/// The typing binding of a table with a field.
pub const fn typing<A>(action: A) -> Binding<A> {
    Binding {
        keys: Keys::Typing,
        action,
        label: None,
    }
}

/// Whether typing in a field takes this key (see [`Keys::Typing`]).
pub fn is_typing(code: KeyCode) -> bool {
    matches!(
        code,
        KeyCode::Char(_)
            | KeyCode::Backspace
            | KeyCode::Delete
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::Home
            | KeyCode::End
    )
}

/// The action of `code` in `table`: the first binding naming it, else the typing binding.
pub fn lookup<A: Copy>(table: &[Binding<A>], code: KeyCode) -> Option<A> {
    table
        .iter()
        .find(|b| matches!(b.keys, Keys::These(keys) if keys.contains(&code)))
        .or_else(|| {
            table
                .iter()
                .find(|b| matches!(b.keys, Keys::Typing) && is_typing(code))
        })
        .map(|b| b.action)
}

/// One key as the footer and the help show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    pub keys: &'static str,
    pub action: &'static str,
    /// The screen's way out: always in the footer.
    pub leaves: bool,
}

/// What a table shows, in this language, in the table's order.
pub fn hints<A>(table: &[Binding<A>], lang: Lang) -> Vec<Hint> {
    table
        .iter()
        .filter_map(|b| b.label)
        .map(|l| {
            let (keys, action) = match lang {
                Lang::Fr => l.fr,
                Lang::En => l.en,
            };
            Hint {
                keys,
                action,
                leaves: l.leaves,
            }
        })
        .collect()
}

/// What a table shows, in this language: (keys, action) pairs, in the table's order.
pub fn labels<A>(table: &[Binding<A>], lang: Lang) -> Vec<(&'static str, &'static str)> {
    hints(table, lang)
        .into_iter()
        .map(|h| (h.keys, h.action))
        .collect()
}

/// The help, on every screen but the home screen (whose table has `F1 h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Help;

pub const HELP: &[Binding<Help>] = &[shown(
    &[KeyCode::F(1)],
    Help,
    ("F1", "aide"),
    ("F1", "help"),
)];
