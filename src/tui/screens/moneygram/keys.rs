//! The MoneyGram screen's keys: its forms, the look-up, the quote, the confirmations.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{MgForm, MgStage, Part, preview_ids, today};
use crate::domain::fields;
use crate::domain::moneygram::{self as mg, Kind};
use crate::engine::{PayOrder, PayoutOrder, SendOrder};
use crate::i18n::Lang;
use crate::tui::catalog::Tile;
use crate::tui::message::Effect;
use crate::tui::screens::payment::PaymentState;
use crate::tui::screens::{App, Screen};

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
            current
                .input
                .handle_event(&crossterm::event::Event::Key(upper));
        }
        _ if choices.is_some() => return FormKey::Ignored,
        _ => {
            current
                .input
                .handle_event(&crossterm::event::Event::Key(key));
        }
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

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let lang = app.lang;
    let now = app.now;
    let Screen::MoneyGram(m) = &mut app.screen else {
        return vec![];
    };
    let tile = m.tile;
    let busy = m.loading;
    let confirm = matches!(
        key.code,
        KeyCode::Enter | KeyCode::F(10) | KeyCode::Char('o') | KeyCode::Char('O')
    );
    let back = matches!(
        key.code,
        KeyCode::Esc | KeyCode::F(9) | KeyCode::Char('n') | KeyCode::Char('N')
    );
    let next = match &mut m.stage {
        _ if busy && key.code != KeyCode::Esc => Next::Stay(vec![]),
        MgStage::Reference { input, found } => match key.code {
            KeyCode::Esc => Next::Catalogue,
            KeyCode::Enter | KeyCode::F(10) => {
                match fields::moneygram_reference(lang, input.value()) {
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
                }
            }
            KeyCode::Char(c) if !c.is_ascii_digit() => Next::Stay(vec![]),
            _ => {
                input.handle_event(&crossterm::event::Event::Key(key));
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
            if key.code == KeyCode::Esc {
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
            if key.code == KeyCode::Esc {
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
