//! The MoneyGram screen's keys: its forms, the look-up, the quote, the confirmations.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;

use super::{MgForm, MgStage, Part, preview_ids, today};
use crate::domain::fields;
use crate::domain::moneygram::{self as mg, Kind};
use crate::engine::{PayOrder, PayoutOrder, SendOrder};
use crate::i18n::Lang;
use crate::tui::catalog::Tile;
use crate::tui::message::Effect;
use crate::tui::screens::keys::{Binding, hidden, lookup, shown, typing};
use crate::tui::screens::payment::PaymentState;
use crate::tui::screens::{App, Screen, field_text};

enum FormKey {
    Submit,
    Done,
    Ignored,
}

/// A key on a form: move, choose, type; `Submit` on Enter at the last field or F10.
fn form_key(form: &mut MgForm, key: KeyEvent, lang: Lang) -> FormKey {
    let n = form.inputs.len();
    if n == 0 {
        return FormKey::Ignored;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let current = &mut form.inputs[form.focus];
    let choices = current.field.choices();
    match key.code {
        KeyCode::Tab | KeyCode::Down => form.focus = (form.focus + 1) % n,
        KeyCode::BackTab | KeyCode::Up => form.focus = (form.focus + n - 1) % n,
        KeyCode::Enter if form.focus + 1 < n => form.focus += 1,
        KeyCode::Enter | KeyCode::F(10) => return FormKey::Submit,
        _ if ctrl => return FormKey::Ignored,
        KeyCode::Right | KeyCode::Char(' ') if choices.is_some() => {
            let len = choices.map_or(0, <[_]>::len);
            current.choice = Some(current.choice.map_or(0, |i| (i + 1) % len));
        }
        KeyCode::Left if choices.is_some() => {
            let len = choices.map_or(0, <[_]>::len);
            current.choice = Some(current.choice.map_or(len - 1, |i| (i + len - 1) % len));
        }
        KeyCode::Backspace | KeyCode::Delete if choices.is_some() => current.choice = None,
        KeyCode::Char(c) if choices.is_some() => {
            // A letter jumps to the next choice whose label or code starts with it.
            let list = choices.unwrap_or_default();
            let start = current.choice.map_or(0, |i| i + 1);
            let wanted = c.to_lowercase().next().unwrap_or(c);
            let starts = |i: usize| {
                let choice = &list[i % list.len()];
                [choice.label(lang), choice.code].iter().any(|t| {
                    crate::tui::catalog::fold(t)
                        .chars()
                        .next()
                        .is_some_and(|f| f == wanted)
                })
            };
            match (start..start + list.len()).find(|i| starts(*i)) {
                Some(i) => current.choice = Some(i % list.len()),
                None => return FormKey::Ignored,
            }
        }
        KeyCode::Char(c) if current.digits_only() && !(c.is_ascii_digit() || c == ' ') => {
            return FormKey::Ignored;
        }
        KeyCode::Char(c) if current.field.kind == Kind::Country && !c.is_ascii_alphabetic() => {
            return FormKey::Ignored;
        }
        KeyCode::Char(c) if current.field.kind == Kind::Country => {
            let upper = KeyEvent::new(KeyCode::Char(c.to_ascii_uppercase()), KeyModifiers::NONE);
            field_text::type_key(&mut current.input, upper, field_text::COUNTRY_MAX);
        }
        _ if choices.is_some() => return FormKey::Ignored,
        _ => field_text::type_key(&mut current.input, key, field_text::MONEYGRAM_FIELD_MAX),
    }
    let name = form.inputs[form.focus].field.name;
    if !matches!(
        key.code,
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down
    ) {
        form.errors.remove(name);
    }
    FormKey::Done
}

/// What a key on the MoneyGram screen leads to.
enum Next {
    Stay(Vec<Effect>),
    Catalogue,
    Pay(Box<PaymentState>, Effect),
}

/// What a key does on a MoneyGram form. The keys inside the form (the next field, a
/// choice, typing, Enter at the last field) are the form's own (`form_key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormAction {
    Field,
    Choice,
    Submit,
    Back,
    Type,
}

/// A payout's reference.
pub const REFERENCE_KEYS: &[Binding<FormAction>] = &[
    shown(
        &[KeyCode::Enter, KeyCode::F(10)],
        FormAction::Submit,
        ("Entrée F10", "consulter"),
        ("Enter F10", "look up"),
    ),
    shown(
        &[KeyCode::Esc],
        FormAction::Back,
        ("Échap", "retour"),
        ("Esc", "back"),
    ),
    // The reference's digits, Backspace.
    typing(FormAction::Type),
];

const FIELD: &[KeyCode] = &[KeyCode::Tab, KeyCode::Down, KeyCode::BackTab, KeyCode::Up];
const CHOICE: &[KeyCode] = &[KeyCode::Left, KeyCode::Right];

/// A payout's receiver.
pub const IDENTITY_KEYS: &[Binding<FormAction>] = &[
    shown(
        FIELD,
        FormAction::Field,
        ("Tab ↑↓", "champ"),
        ("Tab ↑↓", "field"),
    ),
    shown(
        CHOICE,
        FormAction::Choice,
        ("←→", "choix"),
        ("←→", "choice"),
    ),
    shown(
        &[KeyCode::Enter, KeyCode::F(10)],
        FormAction::Submit,
        ("Entrée F10", "valider"),
        ("Enter F10", "validate"),
    ),
    shown(
        &[KeyCode::Esc],
        FormAction::Back,
        ("Échap", "retour"),
        ("Esc", "back"),
    ),
    // The focused field (a letter picks a choice), Backspace.
    typing(FormAction::Type),
];

/// A send's amount and parties.
pub const PARTIES_KEYS: &[Binding<FormAction>] = &[
    shown(
        FIELD,
        FormAction::Field,
        ("Tab ↑↓", "champ"),
        ("Tab ↑↓", "field"),
    ),
    shown(
        CHOICE,
        FormAction::Choice,
        ("←→", "choix"),
        ("←→", "choice"),
    ),
    shown(
        &[KeyCode::F(10)],
        FormAction::Submit,
        ("F10", "frais"),
        ("F10", "fees"),
    ),
    // Not shown: Enter goes to the next field, and at the last one asks the fees as F10.
    hidden(&[KeyCode::Enter], FormAction::Field),
    shown(
        &[KeyCode::Esc],
        FormAction::Back,
        ("Échap", "retour"),
        ("Esc", "back"),
    ),
    // The focused field (a letter picks a choice), Backspace.
    typing(FormAction::Type),
];

/// A summary to confirm (a payout, a send's quote).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    Send,
    Edit,
}

const CONFIRM: &[KeyCode] = &[
    KeyCode::Enter,
    KeyCode::F(10),
    KeyCode::Char('o'),
    KeyCode::Char('O'),
];
const EDIT: &[KeyCode] = &[
    KeyCode::Esc,
    KeyCode::F(9),
    KeyCode::Char('n'),
    KeyCode::Char('N'),
];

/// A payout's summary.
pub const CONFIRM_KEYS: &[Binding<Confirm>] = &[
    shown(
        CONFIRM,
        Confirm::Send,
        ("Entrée F10 o", "confirmer l'envoi"),
        ("Enter F10 o", "confirm and send"),
    ),
    shown(
        EDIT,
        Confirm::Edit,
        ("Échap F9 n", "modifier"),
        ("Esc F9 n", "edit"),
    ),
];

/// A send's quote (the same keys as [`CONFIRM_KEYS`]).
pub const QUOTED_KEYS: &[Binding<Confirm>] = &[
    shown(
        CONFIRM,
        Confirm::Send,
        ("Entrée F10 o", "envoyer"),
        ("Enter F10 o", "send"),
    ),
    shown(
        EDIT,
        Confirm::Edit,
        ("Échap F9 n", "modifier"),
        ("Esc F9 n", "edit"),
    ),
];

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let lang = app.lang;
    let now = app.now;
    let Screen::MoneyGram(m) = &mut app.screen else {
        return vec![];
    };
    let tile = m.tile;
    let busy = m.loading;
    let confirm = lookup(CONFIRM_KEYS, key.code) == Some(Confirm::Send);
    let back = lookup(CONFIRM_KEYS, key.code) == Some(Confirm::Edit);
    let next = match &mut m.stage {
        _ if busy && key.code != KeyCode::Esc => Next::Stay(vec![]),
        MgStage::Reference { input, found } => match lookup(REFERENCE_KEYS, key.code) {
            Some(FormAction::Back) => Next::Catalogue,
            Some(FormAction::Submit) => match fields::moneygram_reference(lang, input.value()) {
                Ok(reference) => {
                    m.loading = true;
                    m.error = None;
                    *found = None;
                    Next::Stay(vec![Effect::MoneyGramReception(reference)])
                }
                Err(e) => {
                    m.error = Some(e.message);
                    Next::Stay(vec![])
                }
            },
            _ if matches!(key.code, KeyCode::Char(c) if !c.is_ascii_digit()) => Next::Stay(vec![]),
            _ => {
                let max = crate::domain::fields::FieldKind::MoneyGramReference.max_chars();
                field_text::type_key(input, key, max);
                Next::Stay(vec![])
            }
        },
        MgStage::Identity {
            found,
            form,
            confirming,
        } if *confirming => {
            if confirm {
                let receiver = form.values(Part::Identity);
                let amount = found.agent_check_amount.unwrap_or_default();
                let phone = fields::normalize_phone_in(
                    lang,
                    mg::PAYOUT,
                    crate::catalog::services::Country::Senegal,
                    receiver.get("receiverPhone").map_or("", String::as_str),
                )
                .ok();
                let order = PayoutOrder {
                    reference: found.reference.clone(),
                    amount,
                    receiver,
                };
                Next::Pay(
                    payment(tile, mg::PAYOUT, phone, amount, now),
                    Effect::MoneyGramPayout(order),
                )
            } else if back {
                *confirming = false;
                Next::Stay(vec![])
            } else {
                Next::Stay(vec![])
            }
        }
        MgStage::Identity {
            found,
            form,
            confirming,
        } => {
            if lookup(IDENTITY_KEYS, key.code) == Some(FormAction::Back) {
                m.error = None;
                m.stage = MgStage::Reference {
                    input: Input::new(found.reference.clone()),
                    found: None,
                };
                return vec![];
            }
            match form_key(form, key, lang) {
                FormKey::Submit => {
                    let checked = mg::validate_payout(
                        lang,
                        found,
                        found.agent_check_amount.unwrap_or_default(),
                        &form.values(Part::Identity),
                        &preview_ids(),
                        today(now),
                    );
                    match checked {
                        Ok(_) => {
                            form.errors.clear();
                            m.error = None;
                            *confirming = true;
                        }
                        Err(errors) => {
                            let others = form.refused(errors);
                            m.error = (!others.is_empty()).then(|| others.join(" ; "));
                        }
                    }
                    Next::Stay(vec![])
                }
                FormKey::Done => Next::Stay(vec![]),
                FormKey::Ignored => {
                    app.dirty = false;
                    return vec![];
                }
            }
        }
        MgStage::Parties { form } => {
            if lookup(PARTIES_KEYS, key.code) == Some(FormAction::Back) {
                Next::Catalogue
            } else {
                match form_key(form, key, lang) {
                    FormKey::Submit => {
                        let amount = form.amount().unwrap_or_default();
                        let sender = form.values(Part::Sender);
                        let receiver = form.values(Part::Receiver);
                        match mg::validate_send(
                            lang,
                            amount,
                            &sender,
                            &receiver,
                            &preview_ids(),
                            today(now),
                        ) {
                            Ok(_) => {
                                form.errors.clear();
                                m.error = None;
                                m.loading = true;
                                Next::Stay(vec![Effect::MoneyGramQuote {
                                    amount,
                                    sender,
                                    receiver,
                                }])
                            }
                            Err(errors) => {
                                let others = form.refused(errors);
                                m.error = (!others.is_empty()).then(|| others.join(" ; "));
                                Next::Stay(vec![])
                            }
                        }
                    }
                    FormKey::Done => Next::Stay(vec![]),
                    FormKey::Ignored => {
                        app.dirty = false;
                        return vec![];
                    }
                }
            }
        }
        MgStage::Quoted { form, quote } => {
            if confirm {
                let sender = form.values(Part::Sender);
                let phone = fields::normalize_phone_in(
                    lang,
                    mg::SEND,
                    crate::catalog::services::Country::Senegal,
                    sender.get("senderPhoneNumber").map_or("", String::as_str),
                )
                .ok();
                let order = SendOrder {
                    amount: quote.send_amount,
                    sender,
                    receiver: form.values(Part::Receiver),
                    total_to_collect: quote.total_amount_to_collect,
                };
                Next::Pay(
                    payment(tile, mg::SEND, phone, quote.send_amount, now),
                    Effect::MoneyGramSend(order),
                )
            } else if back {
                let form = std::mem::take(form);
                m.stage = MgStage::Parties { form };
                Next::Stay(vec![])
            } else {
                Next::Stay(vec![])
            }
        }
    };
    match next {
        Next::Stay(effects) => effects,
        Next::Catalogue => {
            app.screen = Screen::Catalogue;
            vec![]
        }
        Next::Pay(state, effect) => {
            app.screen = Screen::Payment(state);
            vec![effect]
        }
    }
}

/// The payment screen of a MoneyGram operation, as for any sale.
fn payment(
    tile: Tile,
    service: &str,
    phone: Option<String>,
    amount: i64,
    now: i64,
) -> Box<PaymentState> {
    Box::new(PaymentState {
        order: PayOrder {
            gateway: crate::domain::GatewayKind::Intech,
            service: service.into(),
            phone,
            amount: Some(amount),
            fields: BTreeMap::new(),
            description: None,
        },
        tile,
        row: None,
        error: None,
        opened_at: now,
        notice: None,
        rang: false,
        external_id: None,
    })
}
