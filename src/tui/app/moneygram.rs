//! The MoneyGram screen, as plain data and pure transitions. A payout: the reference, the
//! look-up, the receiver's identity and ID document, a summary to confirm, then the payment
//! screen as for any sale. A send: the amount, the sender and the receiver, MoneyGram's
//! fees, the total to collect confirmed, then the payment screen (which shows the
//! reference number). A send's reversal starts from the journal (its reason asked there).

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{App, Effect, PaymentState, Screen};
use crate::domain::fields;
use crate::domain::moneygram::{
    self as mg, AgentIds, Kind, MgField, PayoutLookup, Quote, REVERSAL_REASONS, ReversalInput,
};
use crate::engine::{PayOrder, PayoutOrder, SendOrder};
use crate::i18n::Lang;
use crate::tui::catalog::Tile;

/// Which part of the operation a field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Amount,
    Sender,
    Receiver,
    /// The payout's receiver, at the counter.
    Identity,
}

/// One field of a MoneyGram form.
#[derive(Debug, Clone)]
pub struct MgInput {
    pub field: &'static MgField,
    pub part: Part,
    pub input: Input,
    /// A closed list's choice (an index into its codes), if one was made.
    pub choice: Option<usize>,
}

impl MgInput {
    fn new(field: &'static MgField, part: Part) -> MgInput {
        MgInput {
            field,
            part,
            input: Input::new(field.default.unwrap_or_default().to_owned()),
            choice: None,
        }
    }

    /// The value as it is checked and sent (a choice's code).
    pub fn value(&self) -> String {
        match (self.field.choices(), self.choice) {
            (Some(list), Some(i)) => list[i].code.to_owned(),
            (Some(_), None) => String::new(),
            _ => self.input.value().trim().to_owned(),
        }
    }

    /// The value as the form shows it.
    pub fn shown(&self, lang: Lang) -> String {
        match (self.field.choices(), self.choice) {
            (Some(list), Some(i)) => format!("‹ {} ›", list[i].label(lang)),
            (Some(_), None) => lang.tr("‹ ←→ choisir ›", "‹ ←→ choose ›").to_owned(),
            _ if self.part == Part::Amount => {
                match self.input.value().replace(' ', "").parse::<i64>() {
                    Ok(a) => crate::money::fcfa(a),
                    Err(_) => self.input.value().to_owned(),
                }
            }
            _ => self.input.value().to_owned(),
        }
    }

    fn digits_only(&self) -> bool {
        self.part == Part::Amount
            || matches!(self.field.kind, Kind::Phone | Kind::Digits | Kind::DialCode)
    }
}

/// A MoneyGram form: its fields, the one focused, the French errors by field name.
#[derive(Debug, Clone, Default)]
pub struct MgForm {
    pub inputs: Vec<MgInput>,
    pub focus: usize,
    pub errors: BTreeMap<String, String>,
}

impl MgForm {
    /// The payout's identity form, the receiver's names from the look-up.
    pub fn identity(found: &PayoutLookup) -> MgForm {
        let mut form = MgForm {
            inputs: mg::form_of(&mg::PAYOUT_FIELDS)
                .map(|f| MgInput::new(f, Part::Identity))
                .collect(),
            ..MgForm::default()
        };
        form.set("receiverFirstName", &found.receiver_first_name);
        form.set("receiverLastName", &found.receiver_last_name);
        form
    }

    /// The send's form: the amount, the sender, the receiver.
    pub fn send() -> MgForm {
        let inputs = std::iter::once(MgInput::new(&mg::SEND_AMOUNT, Part::Amount))
            .chain(mg::form_of(&mg::SENDER_FIELDS).map(|f| MgInput::new(f, Part::Sender)))
            .chain(mg::form_of(&mg::RECEIVER_FIELDS).map(|f| MgInput::new(f, Part::Receiver)))
            .collect();
        MgForm {
            inputs,
            ..MgForm::default()
        }
    }

    pub fn set(&mut self, name: &str, value: &str) {
        if let Some(i) = self.inputs.iter_mut().find(|i| i.field.name == name) {
            match i.field.choices() {
                Some(list) => i.choice = list.iter().position(|c| c.code == value),
                None => i.input = Input::new(value.to_owned()),
            }
        }
    }

    /// The part's values, empty ones left out.
    pub fn values(&self, part: Part) -> BTreeMap<String, String> {
        self.inputs
            .iter()
            .filter(|i| i.part == part)
            .map(|i| (i.field.name.to_owned(), i.value()))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }

    fn amount(&self) -> Option<i64> {
        self.inputs
            .iter()
            .find(|i| i.part == Part::Amount)
            .and_then(|i| i.input.value().replace([' ', '.'], "").parse().ok())
    }

    /// The domain's refusals, by field; the focus goes to the first field refused. Those
    /// that name no field of the form come back, to be shown above it.
    fn refused(&mut self, errors: Vec<fields::FieldError>) -> Vec<String> {
        self.errors.clear();
        let mut others = Vec::new();
        for e in errors {
            if self.inputs.iter().any(|i| i.field.name == e.field) {
                self.errors.entry(e.field.to_owned()).or_insert(e.message);
            } else {
                others.push(e.message);
            }
        }
        if let Some(i) = self
            .inputs
            .iter()
            .position(|i| self.errors.contains_key(i.field.name))
        {
            self.focus = i;
        }
        others
    }
}

/// Where a MoneyGram screen is.
#[derive(Debug, Clone)]
pub enum MgStage {
    /// Payout: the reference to look up (and what the last look-up found, if it cannot be
    /// paid out).
    Reference {
        input: Input,
        found: Option<PayoutLookup>,
    },
    /// Payout: the receiver's identity and ID document for the transfer found; then its
    /// summary to confirm.
    Identity {
        found: PayoutLookup,
        form: MgForm,
        confirming: bool,
    },
    /// Send: the amount, the sender and the receiver.
    Parties { form: MgForm },
    /// Send: MoneyGram's fees; the cashier collects the total, then sends.
    Quoted { form: MgForm, quote: Quote },
}

#[derive(Debug, Clone)]
pub struct MoneyGramState {
    pub tile: Tile,
    pub stage: MgStage,
    /// A look-up or a quote is under way.
    pub loading: bool,
    /// The French message of the last refusal.
    pub error: Option<String>,
}

impl MoneyGramState {
    pub fn new(tile: Tile) -> MoneyGramState {
        let stage = if tile.code == mg::PAYOUT {
            MgStage::Reference {
                input: Input::default(),
                found: None,
            }
        } else {
            MgStage::Parties {
                form: MgForm::send(),
            }
        };
        MoneyGramState {
            tile,
            stage,
            loading: false,
            error: None,
        }
    }
}

/// The day of `now` (ms), for the age rule (Senegal keeps UTC).
fn today(now: i64) -> time::Date {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(now) * 1_000_000)
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN)
}

/// The screen checks with ids of its own; the engine sets the real ones.
fn preview_ids() -> AgentIds {
    AgentIds::of("preview", "caisse")
}

/// The answer to a look-up: the identity form, or why this transfer cannot be paid.
pub fn on_found(app: &mut App, result: Result<PayoutLookup, String>) -> Vec<Effect> {
    let lang = app.lang;
    let Screen::MoneyGram(m) = &mut app.screen else {
        return vec![];
    };
    m.loading = false;
    let MgStage::Reference { found, .. } = &mut m.stage else {
        return vec![];
    };
    match result {
        Err(e) => m.error = Some(e),
        Ok(transfer) => match transfer.not_payable(lang) {
            Some(why) => {
                m.error = Some(why);
                *found = Some(transfer);
            }
            None => {
                m.error = None;
                m.stage = MgStage::Identity {
                    form: MgForm::identity(&transfer),
                    found: transfer,
                    confirming: false,
                };
            }
        },
    }
    vec![]
}

/// The answer to a quote: the fees to show, or why there are none.
pub fn on_quoted(app: &mut App, result: Result<Quote, String>) -> Vec<Effect> {
    let Screen::MoneyGram(m) = &mut app.screen else {
        return vec![];
    };
    m.loading = false;
    let MgStage::Parties { form } = &mut m.stage else {
        return vec![];
    };
    match result {
        Err(e) => m.error = Some(e),
        Ok(quote) => {
            m.error = None;
            let form = std::mem::take(form);
            m.stage = MgStage::Quoted { form, quote };
        }
    }
    vec![]
}

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
pub fn reversal_key(form: &mut ReversalForm, key: KeyEvent, lang: Lang) -> ReversalKey {
    let n = REVERSAL_REASONS.len();
    match (key.code, form.focus) {
        (KeyCode::Esc, _) => return ReversalKey::Cancel,
        (KeyCode::Tab | KeyCode::Down, _) => form.focus = (form.focus + 1) % 3,
        (KeyCode::BackTab | KeyCode::Up, _) => form.focus = (form.focus + 2) % 3,
        (KeyCode::Enter | KeyCode::F(10), _) => {
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
        (KeyCode::Right | KeyCode::Char(' '), 0) => form.reason = (form.reason + 1) % n,
        (KeyCode::Left, 0) => form.reason = (form.reason + n - 1) % n,
        (KeyCode::Left | KeyCode::Right | KeyCode::Char(' '), 1) => {
            form.fee_refund = !form.fee_refund;
        }
        (KeyCode::Char('o' | 'O' | 'y' | 'Y'), 1) => form.fee_refund = true,
        (KeyCode::Char('n' | 'N'), 1) => form.fee_refund = false,
        (KeyCode::Char(c), 2)
            if c.is_ascii_alphanumeric() && form.operator.value().chars().count() < 7 =>
        {
            let upper = KeyEvent::new(KeyCode::Char(c.to_ascii_uppercase()), KeyModifiers::NONE);
            form.operator
                .handle_event(&crossterm::event::Event::Key(upper));
        }
        (KeyCode::Backspace | KeyCode::Left | KeyCode::Right, 2) => {
            form.operator
                .handle_event(&crossterm::event::Event::Key(key));
        }
        _ => {}
    }
    ReversalKey::Done
}
