//! The MoneyGram screen, as plain data and pure transitions. A payout: the reference, the
//! look-up, the receiver's identity and ID document, a summary to confirm, then the payment
//! screen as for any sale. A send: the amount, the sender and the receiver, MoneyGram's
//! fees, the total to collect confirmed, then the payment screen (which shows the
//! reference number). A send's reversal starts from the journal (its reason asked there).
//! Its keys are in `keys`, its drawing in `draw`, a send's reversal form in `reversal`.

pub mod draw;
pub mod keys;
pub mod reversal;

use std::collections::BTreeMap;

use tui_input::Input;

use super::{App, Screen};
use crate::domain::fields;
use crate::domain::moneygram::{self as mg, AgentIds, Kind, MgField, PayoutLookup, Quote};
use crate::i18n::Lang;
use crate::tui::catalog::Tile;
use crate::tui::message::Effect;

pub use draw::draw;
pub use keys::key;
pub use reversal::{ReversalForm, ReversalKey};

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

    pub fn digits_only(&self) -> bool {
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
pub(crate) fn today(now: i64) -> time::Date {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(now) * 1_000_000)
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN)
}

/// The screen checks with ids of its own; the engine sets the real ones.
pub(crate) fn preview_ids() -> AgentIds {
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
