//! The journal's key tables, one per part of the screen (the list, the status filter, a
//! row's detail, a claim): they drive `key`, the footer and the help alike.

use crossterm::event::KeyCode;

use crate::tui::screens::keys::{Binding, shown, typing};

/// The list's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKey {
    Move,
    Page,
    Period,
    Open,
    Pay,
    Search,
    Status,
    Back,
}

pub const LIST_KEYS: &[Binding<ListKey>] = &[
    shown(
        &[KeyCode::Up, KeyCode::Down],
        ListKey::Move,
        ("↑↓", "choisir"),
        ("↑↓", "choose"),
    ),
    shown(
        &[KeyCode::Enter],
        ListKey::Open,
        ("Entrée", "détail"),
        ("Enter", "detail"),
    ),
    // Aujourd'hui → hier → 7 jours → ce mois → dates typed → aujourd'hui.
    shown(
        &[KeyCode::F(5), KeyCode::Char('d')],
        ListKey::Period,
        ("F5 d", "période"),
        ("F5 d", "period"),
    ),
    shown(
        &[KeyCode::F(7), KeyCode::Char('/')],
        ListKey::Search,
        ("F7 /", "chercher"),
        ("F7 /", "search"),
    ),
    shown(
        &[KeyCode::F(6), KeyCode::Char('s')],
        ListKey::Status,
        ("F6 s", "statut"),
        ("F6 s", "status"),
    ),
    shown(
        &[KeyCode::Esc],
        ListKey::Back,
        ("Échap", "retour"),
        ("Esc", "back"),
    ),
    // A past period's pages; today's list, a screenful up or down.
    shown(
        &[KeyCode::PageUp, KeyCode::PageDown],
        ListKey::Page,
        ("PgUp PgDn", "page"),
        ("PgUp PgDn", "page"),
    ),
    // A pending sale's QR and link again, for a customer who comes back (after the way
    // back: at 80 columns the footer shows what fits, the help shows it all).
    shown(
        &[KeyCode::F(4), KeyCode::Char('p')],
        ListKey::Pay,
        ("F4 p", "QR client"),
        ("F4 p", "customer QR"),
    ),
];

/// The search being typed: its own keys in the footer (the list's wait for Entrée).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKey {
    Clear,
    Done,
    Type,
}

pub const FILTER_KEYS: &[Binding<FilterKey>] = &[
    shown(
        &[KeyCode::Enter],
        FilterKey::Done,
        ("Entrée", "garder la recherche"),
        ("Enter", "keep the search"),
    ),
    shown(
        &[KeyCode::Esc],
        FilterKey::Clear,
        ("Échap", "effacer"),
        ("Esc", "clear"),
    ),
    // The search's text.
    typing(FilterKey::Type),
];

/// A row's detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailKey {
    Check,
    Print,
    WhatsApp,
    Pay,
    Claim,
    Refund,
    Scroll,
    Back,
}

pub const DETAIL_KEYS: &[Binding<DetailKey>] = &[
    shown(
        &[KeyCode::F(5), KeyCode::Char('v')],
        DetailKey::Check,
        ("F5 v", "vérifier"),
        ("F5 v", "re-check"),
    ),
    shown(
        &[KeyCode::F(6), KeyCode::Char('c')],
        DetailKey::Claim,
        ("F6 c", "réclamation"),
        ("F6 c", "claim"),
    ),
    shown(
        &[KeyCode::F(8), KeyCode::Char('r')],
        DetailKey::Refund,
        ("F8 r", "rembourser"),
        ("F8 r", "refund"),
    ),
    shown(
        &[KeyCode::Esc],
        DetailKey::Back,
        ("Échap", "retour"),
        ("Esc", "back"),
    ),
    // A pending sale's QR and link again, for a customer who comes back (after the way
    // back: at 80 columns the footer shows what fits, the help shows it all).
    shown(
        &[KeyCode::F(4), KeyCode::Char('p')],
        DetailKey::Pay,
        ("F4 p", "QR client"),
        ("F4 p", "customer QR"),
    ),
    // A final operation's receipt on the shop's printer (after the QR: the footer shows
    // what fits, the help shows it all).
    shown(
        &[KeyCode::F(7), KeyCode::Char('i')],
        DetailKey::Print,
        ("F7 i", "reçu"),
        ("F7 i", "receipt"),
    ),
    // The receipt by WhatsApp, its cost asked first.
    shown(
        &[KeyCode::F(9), KeyCode::Char('w')],
        DetailKey::WhatsApp,
        ("F9 w", "reçu WhatsApp"),
        ("F9 w", "WhatsApp receipt"),
    ),
    // The scrolling last: ▲ and ▼ on the detail's edge say there is more; the footer shows
    // these keys when it has room, the help always.
    shown(
        &[KeyCode::Up, KeyCode::Down],
        DetailKey::Scroll,
        ("↑↓", "défiler"),
        ("↑↓", "scroll"),
    ),
    shown(
        &[KeyCode::PageUp, KeyCode::PageDown],
        DetailKey::Scroll,
        ("PgUp PgDn", "page"),
        ("PgUp PgDn", "page"),
    ),
];

/// A claim being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimKey {
    Field,
    Send,
    Cancel,
    Type,
}

pub const CLAIM_KEYS: &[Binding<ClaimKey>] = &[
    shown(
        &[KeyCode::Tab, KeyCode::Down, KeyCode::Up, KeyCode::BackTab],
        ClaimKey::Field,
        ("Tab", "champ"),
        ("Tab", "field"),
    ),
    shown(
        &[KeyCode::Enter, KeyCode::F(10)],
        ClaimKey::Send,
        ("Entrée F10", "envoyer"),
        ("Enter F10", "send"),
    ),
    shown(
        &[KeyCode::Esc],
        ClaimKey::Cancel,
        ("Échap", "annuler"),
        ("Esc", "cancel"),
    ),
    // The subject and the message.
    typing(ClaimKey::Type),
];
