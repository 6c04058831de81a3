//! The app as plain data and one pure function: `update(&mut App, Event) -> Vec<Effect>`.
//! No I/O, no clock, no tokio: the runtime turns effects into tasks and their results back
//! into events, so every screen transition is testable without a terminal.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::catalog::{self, Group, INTRAM_CODE, Tile};
use crate::catalog::services::Country;
use crate::domain::fields::{self as rules, FieldKind, FieldSpec};
use crate::domain::moneygram::{self as mg, PayoutLookup, Quote, ReversalInput};
use crate::domain::{Outcome, TxStatus};
use crate::engine::{EngineEvent, PayOrder, PayoutOrder, SendOrder};
use crate::gateway::intech::models::PendingBill;
use crate::i18n::Lang;
use crate::session::LinkEvent;
use crate::session::view::{HistoryLine, Operation};
use crate::staff::{Cashier, Pin};

pub mod gate;
pub mod moneygram;
pub use gate::{Gate, LoginForm, PinForm, Purpose};
pub use moneygram::{MgForm, MgInput, MgStage, MoneyGramState, Part, ReversalForm};

/// The customer's time to validate, shown as a countdown.
pub const PAYMENT_WINDOW_MS: i64 = 15 * 60 * 1000;

#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    /// The terminal's size (at start and on every resize).
    Resize(u16, u16),
    /// A second passed (only sent while a countdown is visible).
    Tick(i64),
    Engine(EngineEvent),
    Balance(Result<f64, String>),
    Bills(Result<Vec<PendingBill>, String>),
    /// The sale as recorded, or how it ended without a row (refused before the send, or an
    /// answer lost after it: `Outcome::Unknown`, never shown as a failure).
    Paid(Result<Operation, Outcome>),
    Row(Operation),
    Rows(Vec<Operation>),
    Events(String, Vec<HistoryLine>),
    /// Unsettled operations: pending, and under review.
    PendingCount(usize, usize),
    /// A claim finished: the French message to show.
    ActionDone(Result<String, String>),
    /// A refund's send ended.
    Refunded(Outcome),
    /// A MoneyGram transfer looked up, or why not.
    MoneyGramFound(Result<PayoutLookup, String>),
    /// MoneyGram's fees for a send, or why none.
    MoneyGramQuoted(Result<Quote, String>),
    /// The link to the service: up (how to log in), down, or an engine event.
    Link(LinkEvent),
    LoggedIn(Result<Cashier, String>),
    Unlocked(Result<(), String>),
    /// A supervisor's PIN was checked.
    Supervisor(Result<Cashier, String>),
    /// The cashier's unfinished sale, if any (after a login).
    Unseen(Option<Operation>),
    /// No key for the idle-lock delay.
    Idle,
    /// The sale is being sent under this id (chosen by the runtime).
    Sending(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    FetchBalance,
    FetchBills {
        service: String,
        account: String,
    },
    /// The balance the app checked the amount against stays here: the service checks
    /// again against its own.
    Pay {
        order: PayOrder,
    },
    LoadRow(String),
    Refresh(String),
    LoadJournal,
    LoadEvents(String),
    CountPending,
    Refund(String),
    Claim {
        external_id: String,
        subject: String,
        message: String,
    },
    /// Who sent what, for a MoneyGram reference number.
    MoneyGramReception(String),
    /// Fees of a MoneyGram send: the amount, the sender and the receiver.
    MoneyGramQuote {
        amount: i64,
        sender: BTreeMap<String, String>,
        receiver: BTreeMap<String, String>,
    },
    /// A MoneyGram payout, sent as a sale (the runtime chooses its id, as for `Pay`).
    MoneyGramPayout(PayoutOrder),
    /// A MoneyGram send, after its quote.
    MoneyGramSend(SendOrder),
    /// A MoneyGram send's reversal, as a screen asks it (the session's rules apply next).
    MoneyGramReversal {
        external_id: String,
        reversal: ReversalInput,
    },
    /// The reversal as sent to the service (a supervisor's PIN at a cashier's counter).
    MoneyGramReversalAs {
        external_id: String,
        reversal: ReversalInput,
        supervisor_pin: Option<Pin>,
    },
    Bell,
    Quit,
    Login {
        name: Option<String>,
        pin: Pin,
    },
    Logout,
    Unlock(Pin),
    CheckSupervisor(Pin),
    /// A refund as sent to the service (with a supervisor's PIN at a cashier's counter).
    RefundAs {
        external_id: String,
        supervisor_pin: Option<Pin>,
    },
    /// The cashier left this sale's screen.
    Seen(String),
    FetchUnseen,
}

/// One field of the entry form.
#[derive(Debug, Clone)]
pub struct Field {
    pub spec: FieldSpec,
    pub input: Input,
    /// Filled from a bill: shown, not editable.
    pub locked: bool,
}

#[derive(Debug, Clone)]
pub struct EntryState {
    pub tile: Tile,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// French messages by field name, from live validation.
    pub errors: BTreeMap<String, String>,
    /// The summary is shown; Enter sends.
    pub confirming: bool,
}

#[derive(Debug, Clone)]
pub enum BillsStage {
    Account,
    Loading,
    List {
        bills: Vec<PendingBill>,
        selected: usize,
    },
    Error(String),
}

#[derive(Debug, Clone)]
pub struct BillsState {
    pub tile: Tile,
    pub account: Input,
    pub stage: BillsStage,
}

#[derive(Debug, Clone)]
pub struct PaymentState {
    /// What was asked, for display while sending.
    pub order: PayOrder,
    pub tile: Tile,
    /// `None` until the engine recorded the send.
    pub row: Option<Operation>,
    /// How the send ended when it left no row (refused before sending, or lost).
    pub error: Option<Outcome>,
    /// When the screen opened (for the elapsed time), in ms.
    pub opened_at: i64,
    pub notice: Option<String>,
    /// The bell rang for this sale's final status.
    pub rang: bool,
    /// The id the terminal chose for this sale before sending it: the sale is found again
    /// by it if the answer is lost (the link to the service cut).
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    All,
    Success,
    Failed,
    Open,
}

impl StatusFilter {
    pub fn label_in(self, lang: super::i18n::Lang) -> &'static str {
        match self {
            StatusFilter::All => lang.tr("tous", "all"),
            StatusFilter::Success => lang.tr("réussis", "paid"),
            StatusFilter::Failed => lang.tr("échoués", "failed"),
            StatusFilter::Open => lang.tr("en cours", "open"),
        }
    }

    fn next(self) -> Self {
        match self {
            StatusFilter::All => StatusFilter::Success,
            StatusFilter::Success => StatusFilter::Failed,
            StatusFilter::Failed => StatusFilter::Open,
            StatusFilter::Open => StatusFilter::All,
        }
    }
    pub fn accepts(self, s: TxStatus) -> bool {
        match self {
            StatusFilter::All => true,
            StatusFilter::Success => s == TxStatus::Success,
            StatusFilter::Failed => s.is_final() && s != TxStatus::Success,
            StatusFilter::Open => !s.is_final(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ClaimForm {
    pub subject: Input,
    pub message: Input,
    pub focus: usize,
}

#[derive(Debug, Clone)]
pub struct JournalState {
    pub rows: Vec<Operation>,
    pub filter: Input,
    pub editing_filter: bool,
    pub status: StatusFilter,
    pub selected: usize,
    /// The detail of one row and its history.
    pub detail: Option<(String, Vec<HistoryLine>)>,
    pub claim: Option<ClaimForm>,
    /// A MoneyGram send's reversal being asked (its reason).
    pub reversal: Option<ReversalForm>,
    pub notice: Option<Notice>,
}

/// A short message on a screen, and how it reads: done, not sure, or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Done(String),
    /// Money may have moved: never drawn as a failure.
    Unsure(String),
    Failed(String),
}

impl JournalState {
    pub fn visible(&self) -> Vec<&Operation> {
        let words = catalog::fold(self.filter.value());
        self.rows
            .iter()
            .filter(|r| self.status.accepts(r.status))
            .filter(|r| {
                words.is_empty()
                    || catalog::fold(&format!(
                        "{} {} {} {}",
                        r.service,
                        r.phone.as_deref().unwrap_or(""),
                        r.amount.unwrap_or(0),
                        r.external_id
                    ))
                    .contains(&words)
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub enum Screen {
    /// Waiting for the service (the first connection).
    Connecting,
    Login(LoginForm),
    Catalogue,
    Entry(EntryState),
    Bills(BillsState),
    Payment(Box<PaymentState>),
    Journal(JournalState),
    MoneyGram(MoneyGramState),
}

#[derive(Debug, Clone)]
pub struct App {
    pub screen: Screen,
    pub help: bool,
    pub tiles: Vec<Tile>,
    pub country: Country,
    pub filter: String,
    pub selected: usize,
    pub balance: Option<Result<f64, String>>,
    pub pending: usize,
    /// Operations under review (à vérifier): counted apart, a person must look.
    pub review: usize,
    pub demo: bool,
    /// Milliseconds since the epoch, as of the last event that carried the time.
    pub now: i64,
    pub quit: bool,
    /// Something visible changed since the last draw.
    pub dirty: bool,
    /// The terminal's size, for the tile grid's columns.
    pub size: (u16, u16),
    pub lang: Lang,
    pub gate: Gate,
}

impl App {
    pub fn new(demo: bool, now: i64) -> App {
        App {
            screen: Screen::Catalogue,
            help: false,
            tiles: catalog::all_tiles(),
            country: Country::Senegal,
            filter: String::new(),
            selected: 0,
            balance: None,
            pending: 0,
            review: 0,
            demo,
            now,
            quit: false,
            dirty: true,
            size: (80, 24),
            lang: Lang::Fr,
            gate: Gate::default(),
        }
    }

    /// What the app asks for when it starts.
    pub fn start(&self) -> Vec<Effect> {
        vec![Effect::FetchBalance, Effect::CountPending]
    }

    pub fn visible_tiles(&self) -> Vec<Tile> {
        catalog::visible(&self.tiles, self.country, &self.filter)
    }

    /// Whether a once-a-second tick is needed (a countdown is on screen).
    pub fn needs_tick(&self) -> bool {
        match &self.screen {
            Screen::Payment(p) => {
                p.row.as_ref().is_some_and(|r| !r.status.is_final())
                    || (p.row.is_none() && p.error.is_none())
            }
            _ => false,
        }
    }

    fn balance_value(&self) -> Option<f64> {
        self.balance.as_ref().and_then(|b| b.as_ref().ok().copied())
    }
}

fn is_ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

/// The one entry point: applies an event, returns what to do.
pub fn update(app: &mut App, event: Event) -> Vec<Effect> {
    let effects = apply(app, event);
    gate::guard(app, effects)
}

fn apply(app: &mut App, event: Event) -> Vec<Effect> {
    app.dirty = true;
    let app_lang = app.lang;
    match event {
        Event::Resize(w, h) => {
            app.size = (w, h);
            vec![]
        }
        Event::Tick(now) => {
            app.now = now;
            app.dirty = app.needs_tick();
            vec![]
        }
        Event::Balance(b) => {
            app.balance = Some(b);
            vec![]
        }
        Event::PendingCount(pending, review) => {
            app.dirty = (app.pending, app.review) != (pending, review);
            app.pending = pending;
            app.review = review;
            vec![]
        }
        Event::Engine(e) => on_engine(app, e),
        Event::Bills(result) => {
            if let Screen::Bills(b) = &mut app.screen {
                b.stage = match result {
                    Ok(bills) if bills.is_empty() => BillsStage::Error(
                        app_lang
                            .tr(
                                "Aucune facture en attente pour ce compte.",
                                "No unpaid bill for this account.",
                            )
                            .into(),
                    ),
                    Ok(bills) => BillsStage::List { bills, selected: 0 },
                    Err(e) => BillsStage::Error(e),
                };
            }
            vec![]
        }
        Event::Paid(result) => {
            let mut effects = vec![Effect::CountPending, Effect::FetchBalance];
            if let Screen::Payment(p) = &mut app.screen {
                match result {
                    Ok(row) => {
                        if row.status.is_final() && !p.rang {
                            p.rang = true;
                            effects.push(Effect::Bell);
                        }
                        p.row = Some(row);
                    }
                    Err(e) => p.error = Some(e),
                }
            }
            effects
        }
        Event::Row(row) => {
            let mut effects = vec![];
            match &mut app.screen {
                // Its own sale, or the one being sent whose answer was lost.
                Screen::Payment(p)
                    if p.row
                        .as_ref()
                        .map(|r| &r.external_id)
                        .or(p.external_id.as_ref())
                        .is_some_and(|id| *id == row.external_id) =>
                {
                    p.error = None;
                    if row.status.is_final() && !p.rang {
                        p.rang = true;
                        effects.push(Effect::Bell);
                        effects.push(Effect::FetchBalance);
                    }
                    p.row = Some(row);
                }
                Screen::Journal(j) => {
                    if let Some(r) = j.rows.iter_mut().find(|r| r.external_id == row.external_id) {
                        *r = row;
                    }
                }
                _ => app.dirty = false,
            }
            effects
        }
        Event::Rows(rows) => {
            if let Screen::Journal(j) = &mut app.screen {
                j.rows = rows;
                let n = j.visible().len();
                j.selected = j.selected.min(n.saturating_sub(1));
            }
            vec![]
        }
        Event::Events(ext, events) => {
            if let Screen::Journal(j) = &mut app.screen
                && j.detail.as_ref().is_some_and(|(id, _)| *id == ext)
            {
                j.detail = Some((ext, events));
            }
            vec![]
        }
        Event::ActionDone(result) => {
            let mut effects = vec![Effect::FetchBalance];
            match &mut app.screen {
                Screen::Journal(j) => {
                    j.notice = Some(match result {
                        Ok(m) => Notice::Done(m),
                        Err(m) => Notice::Failed(m),
                    });
                    effects.push(Effect::LoadJournal);
                    if let Some((id, _)) = &j.detail {
                        effects.push(Effect::LoadEvents(id.clone()));
                    }
                }
                Screen::Payment(p) => {
                    p.notice = Some(match result {
                        Ok(m) | Err(m) => m,
                    });
                    if let Some(r) = &p.row {
                        effects.push(Effect::LoadRow(r.external_id.clone()));
                    }
                }
                _ => {}
            }
            effects
        }
        Event::Refunded(outcome) => {
            let lang = app.lang;
            let notice = match outcome {
                Outcome::Accepted => {
                    Notice::Done(lang.tr("Remboursement effectué.", "Refund done.").into())
                }
                Outcome::Unknown { message } => Notice::Unsure(format!(
                    "{message} {}",
                    lang.tr(
                        "Le remboursement est peut-être fait : ne le refaites pas, il sera \
                         vérifié auprès de la passerelle.",
                        "The refund may have gone through: do not redo it, it will be checked \
                         with the gateway.",
                    )
                )),
                Outcome::Failed { message, .. } | Outcome::NotSent { message } => {
                    Notice::Failed(message)
                }
            };
            let mut effects = vec![Effect::FetchBalance, Effect::CountPending];
            match &mut app.screen {
                Screen::Journal(j) => {
                    j.notice = Some(notice);
                    effects.push(Effect::LoadJournal);
                    if let Some((id, _)) = &j.detail {
                        effects.push(Effect::LoadEvents(id.clone()));
                    }
                }
                Screen::Payment(p) => {
                    p.notice = Some(match notice {
                        Notice::Done(m) | Notice::Unsure(m) | Notice::Failed(m) => m,
                    });
                    if let Some(r) = &p.row {
                        effects.push(Effect::LoadRow(r.external_id.clone()));
                    }
                }
                _ => {}
            }
            effects
        }
        Event::MoneyGramFound(result) => moneygram::on_found(app, result),
        Event::MoneyGramQuoted(result) => moneygram::on_quoted(app, result),
        Event::Key(key) => on_key(app, key),
        Event::Link(e) => gate::on_link(app, e),
        Event::LoggedIn(r) => gate::on_logged_in(app, r),
        Event::Unlocked(r) => gate::on_unlocked(app, r),
        Event::Supervisor(r) => gate::on_supervisor(app, r),
        Event::Unseen(row) => gate::on_unseen(app, row),
        Event::Idle => gate::on_idle(app),
        Event::Sending(id) => {
            if let Screen::Payment(p) = &mut app.screen
                && p.row.is_none()
            {
                p.external_id = Some(id);
            }
            app.dirty = false;
            vec![]
        }
    }
}

fn on_engine(app: &mut App, event: EngineEvent) -> Vec<Effect> {
    let mut effects = vec![Effect::CountPending];
    let watched = match &app.screen {
        Screen::Payment(p) => p.row.as_ref().map(|r| r.external_id.clone()),
        Screen::Journal(j) => j.detail.as_ref().map(|(id, _)| id.clone()),
        _ => None,
    };
    match event {
        EngineEvent::Changed { external_id, .. } => {
            if watched.as_deref() == Some(external_id.as_str()) {
                effects.push(Effect::LoadRow(external_id.clone()));
                if matches!(app.screen, Screen::Journal(_)) {
                    effects.push(Effect::LoadEvents(external_id));
                }
            }
        }
        EngineEvent::JournalChanged => {
            if let Some(id) = watched {
                effects.push(Effect::LoadRow(id.clone()));
                if matches!(app.screen, Screen::Journal(_)) {
                    effects.push(Effect::LoadEvents(id));
                }
            }
        }
    }
    if matches!(app.screen, Screen::Journal(_)) {
        effects.push(Effect::LoadJournal);
    }
    app.dirty = false;
    effects
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if let Some(effects) = gate::on_key(app, key) {
        return effects;
    }
    if app.help {
        // Any key closes the help.
        app.help = false;
        return vec![];
    }
    if key.code == KeyCode::F(1) {
        app.help = true;
        return vec![];
    }
    match &app.screen {
        Screen::Catalogue => catalogue_key(app, key),
        Screen::Entry(_) => entry_key(app, key),
        Screen::Bills(_) => bills_key(app, key),
        Screen::Payment(_) => payment_key(app, key),
        Screen::Journal(_) => journal_key(app, key),
        Screen::MoneyGram(_) => moneygram::key(app, key),
        Screen::Connecting | Screen::Login(_) => vec![],
    }
}

/// Columns of the tile grid (the screen sets it from its width; the default suits 80).
pub const TILE_WIDTH: u16 = 16;

pub fn grid_columns(width: u16) -> usize {
    usize::from((width / TILE_WIDTH).max(1))
}

fn open_journal(app: &mut App) -> Vec<Effect> {
    app.screen = Screen::Journal(JournalState {
        rows: Vec::new(),
        filter: Input::default(),
        editing_filter: false,
        status: StatusFilter::All,
        selected: 0,
        detail: None,
        claim: None,
        reversal: None,
        notice: None,
    });
    vec![Effect::LoadJournal]
}

fn catalogue_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let tiles = app.visible_tiles();
    let columns = grid_columns(app.size.0);
    let filtering = !app.filter.is_empty();
    match key.code {
        KeyCode::Esc if filtering => {
            app.filter.clear();
            app.selected = 0;
        }
        KeyCode::Backspace => {
            app.filter.pop();
            app.selected = 0;
        }
        KeyCode::Left => app.selected = app.selected.saturating_sub(1),
        KeyCode::Right => app.selected = (app.selected + 1).min(tiles.len().saturating_sub(1)),
        KeyCode::Up => app.selected = app.selected.saturating_sub(columns),
        KeyCode::Down => app.selected = (app.selected + columns).min(tiles.len().saturating_sub(1)),
        KeyCode::Home => app.selected = 0,
        KeyCode::End => app.selected = tiles.len().saturating_sub(1),
        KeyCode::Enter => {
            if let Some(tile) = tiles.get(app.selected).copied() {
                return open_tile(app, tile);
            }
        }
        KeyCode::Char(c) if c.is_ascii_digit() && c != '0' && !filtering => {
            let n = c as usize - '1' as usize;
            if let Some(tile) = tiles.get(n).copied() {
                app.selected = n;
                return open_tile(app, tile);
            }
        }
        KeyCode::F(3) => return open_journal(app),
        KeyCode::F(4) => switch_country(app),
        KeyCode::F(10) => {
            app.quit = true;
            return vec![Effect::Quit];
        }
        KeyCode::Char('j') if !filtering => return open_journal(app),
        KeyCode::Char('p') if !filtering => switch_country(app),
        KeyCode::Char('q') if !filtering => {
            app.quit = true;
            return vec![Effect::Quit];
        }
        KeyCode::Char('h') | KeyCode::Char('?') if !filtering => app.help = true,
        KeyCode::Char(c)
            if !key.modifiers.contains(KeyModifiers::CONTROL)
                && (c.is_alphanumeric() || c == ' ' || c == '/') =>
        {
            if c != '/' {
                app.filter.push(c);
            }
            app.selected = 0;
        }
        _ => app.dirty = false,
    }
    vec![]
}

fn switch_country(app: &mut App) {
    app.country = match app.country {
        Country::Senegal => Country::CoteDIvoire,
        Country::CoteDIvoire => Country::Senegal,
    };
    app.selected = 0;
}

/// Opens the screen a tile leads to.
pub fn open_tile(app: &mut App, tile: Tile) -> Vec<Effect> {
    if tile.group == Group::MoneyGram {
        app.screen = Screen::MoneyGram(MoneyGramState::new(tile));
        return vec![];
    }
    if tile.group == Group::Factures {
        app.screen = Screen::Bills(BillsState {
            tile,
            account: Input::default(),
            stage: BillsStage::Account,
        });
        return vec![];
    }
    let specs = rules::fields_for(tile.code);
    let fields = specs
        .into_iter()
        .map(|spec| Field {
            spec,
            input: Input::default(),
            locked: false,
        })
        .collect();
    app.screen = Screen::Entry(EntryState {
        tile,
        fields,
        focus: 0,
        errors: BTreeMap::new(),
        confirming: false,
    });
    vec![]
}

/// Reads the form into an order, and validates it as the engine will.
pub fn order_of(
    app_lang: Lang,
    entry: &EntryState,
    balance: Option<f64>,
) -> (PayOrder, BTreeMap<String, String>) {
    let mut phone = None;
    let mut amount_text = None;
    let mut description = None;
    let mut fields = BTreeMap::new();
    for f in &entry.fields {
        let v = f.input.value().trim().to_owned();
        match f.spec.name {
            "phone" => phone = Some(v).filter(|v| !v.is_empty()),
            "amount" => amount_text = Some(v),
            "description" => description = Some(v).filter(|v| !v.is_empty()),
            name => {
                if !v.is_empty() {
                    fields.insert(name.to_owned(), v);
                }
            }
        }
    }
    let mut errors = BTreeMap::new();
    let amount = match amount_text.as_deref().map(|t| t.replace([' ', '.'], "")) {
        None => None,
        Some(t) if t.is_empty() => None,
        Some(t) => match t.parse::<i64>() {
            Ok(a) => Some(a),
            Err(_) => {
                errors.insert(
                    "amount".to_owned(),
                    app_lang
                        .tr(
                            "montant : un nombre entier de FCFA",
                            "amount: a whole number of FCFA",
                        )
                        .to_owned(),
                );
                None
            }
        },
    };
    let intram = entry.tile.code == INTRAM_CODE;
    let order = PayOrder {
        gateway: if intram {
            crate::domain::GatewayKind::Intram
        } else {
            crate::domain::GatewayKind::Intech
        },
        service: entry.tile.code.into(),
        phone,
        amount,
        fields,
        description,
    };
    if let Err(list) = rules::validate_in(
        app_lang,
        &order.service,
        order.phone.as_deref(),
        order.amount,
        &order.fields,
        balance,
    ) {
        for e in list {
            errors.entry(e.field.to_owned()).or_insert(e.message);
        }
    }
    (order, errors)
}

fn entry_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let balance = app.balance_value();
    let app_lang = app.lang;
    let Screen::Entry(entry) = &mut app.screen else {
        return vec![];
    };
    if entry.confirming {
        return match key.code {
            KeyCode::Enter | KeyCode::F(10) | KeyCode::Char('o') | KeyCode::Char('O') => {
                let (order, errors) = order_of(app_lang, entry, balance);
                if !errors.is_empty() {
                    entry.errors = errors;
                    entry.confirming = false;
                    return vec![];
                }
                let tile = entry.tile;
                app.screen = Screen::Payment(Box::new(PaymentState {
                    order: order.clone(),
                    tile,
                    row: None,
                    error: None,
                    opened_at: app.now,
                    notice: None,
                    rang: false,
                    external_id: None,
                }));
                vec![Effect::Pay { order }]
            }
            KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::F(9) => {
                entry.confirming = false;
                vec![]
            }
            _ => {
                app.dirty = false;
                vec![]
            }
        };
    }
    let count = entry.fields.len();
    match key.code {
        KeyCode::Esc => {
            app.screen = Screen::Catalogue;
            return vec![];
        }
        KeyCode::Tab | KeyCode::Down => entry.focus = next_editable(entry, entry.focus, 1),
        KeyCode::BackTab | KeyCode::Up => {
            entry.focus = next_editable(entry, entry.focus, count - 1)
        }
        KeyCode::Enter | KeyCode::F(10) => {
            let last = (0..count)
                .rev()
                .find(|i| !entry.fields[*i].locked)
                .unwrap_or(0);
            if entry.focus < last && key.code == KeyCode::Enter {
                entry.focus = next_editable(entry, entry.focus, 1);
            } else {
                let (_, errors) = order_of(app_lang, entry, balance);
                entry.errors = errors.clone();
                if errors.is_empty() {
                    entry.confirming = true;
                } else if let Some(i) = entry
                    .fields
                    .iter()
                    .position(|f| errors.contains_key(f.spec.name))
                {
                    entry.focus = i;
                }
            }
        }
        _ => {
            if let Some(field) = entry.fields.get_mut(entry.focus)
                && !field.locked
                && !is_ctrl(&key, 'c')
            {
                let accepted = match (field.spec.kind, key.code) {
                    (
                        FieldKind::Amount
                        | FieldKind::Phone
                        | FieldKind::CardNumber
                        | FieldKind::CardCvc
                        | FieldKind::CardMonth
                        | FieldKind::CardYear
                        | FieldKind::BillReference
                        | FieldKind::MoneyGramReference,
                        KeyCode::Char(c),
                    ) => {
                        c.is_ascii_digit()
                            || (field.spec.kind == FieldKind::Phone && (c == '+' || c == ' '))
                    }
                    _ => true,
                };
                if accepted {
                    field.input.handle_event(&crossterm::event::Event::Key(key));
                    // Live validation: only the fields already touched show their error.
                    let (_, errors) = order_of(app_lang, entry, balance);
                    let touched: Vec<&'static str> = entry
                        .fields
                        .iter()
                        .filter(|f| !f.input.value().is_empty())
                        .map(|f| f.spec.name)
                        .collect();
                    entry.errors = errors
                        .into_iter()
                        .filter(|(k, _)| touched.contains(&k.as_str()))
                        .collect();
                }
            }
        }
    }
    vec![]
}

fn next_editable(entry: &EntryState, from: usize, step: usize) -> usize {
    let n = entry.fields.len();
    let mut i = from;
    for _ in 0..n {
        i = (i + step) % n;
        if !entry.fields[i].locked {
            return i;
        }
    }
    from
}

fn bills_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let app_lang = app.lang;
    let Screen::Bills(bills) = &mut app.screen else {
        return vec![];
    };
    match (&mut bills.stage, key.code) {
        (_, KeyCode::Esc) => {
            match bills.stage {
                BillsStage::Account => app.screen = Screen::Catalogue,
                _ => bills.stage = BillsStage::Account,
            }
            vec![]
        }
        (BillsStage::Account, KeyCode::Enter) => {
            let account = match rules::bill_account(app_lang, bills.account.value()) {
                Ok(account) => account,
                Err(why) => {
                    bills.stage = BillsStage::Error(format!(
                        "{} {why}.",
                        app_lang.tr("Numéro de compte invalide :", "Invalid account number:")
                    ));
                    return vec![];
                }
            };
            bills.stage = BillsStage::Loading;
            vec![Effect::FetchBills {
                service: bills.tile.code.to_owned(),
                account,
            }]
        }
        (BillsStage::Account, _) => {
            if matches!(key.code, KeyCode::Char(c) if !c.is_ascii_alphanumeric()) {
                app.dirty = false;
                return vec![];
            }
            bills
                .account
                .handle_event(&crossterm::event::Event::Key(key));
            vec![]
        }
        (
            BillsStage::List {
                bills: list,
                selected,
            },
            KeyCode::Up,
        ) => {
            *selected = selected.saturating_sub(1);
            let _ = list;
            vec![]
        }
        (
            BillsStage::List {
                bills: list,
                selected,
            },
            KeyCode::Down,
        ) => {
            *selected = (*selected + 1).min(list.len().saturating_sub(1));
            vec![]
        }
        (
            BillsStage::List {
                bills: list,
                selected,
            },
            KeyCode::Enter,
        ) => {
            let Some(bill) = list.get(*selected).cloned() else {
                return vec![];
            };
            let account = bills.account.value().trim().to_owned();
            let tile = bills.tile;
            let fields = rules::fields_for(tile.code)
                .into_iter()
                .map(|spec| {
                    let (value, locked) = match spec.name {
                        "accountNumber" => (account.clone(), true),
                        "billReference" => (bill.bill_reference.clone(), true),
                        "amount" => (bill.amount.to_string(), true),
                        _ => (String::new(), false),
                    };
                    Field {
                        spec,
                        input: Input::new(value),
                        locked,
                    }
                })
                .collect::<Vec<_>>();
            let focus = fields.iter().position(|f| !f.locked).unwrap_or(0);
            app.screen = Screen::Entry(EntryState {
                tile,
                fields,
                focus,
                errors: BTreeMap::new(),
                confirming: false,
            });
            vec![]
        }
        (BillsStage::Error(_), _) => {
            bills.stage = BillsStage::Account;
            vec![]
        }
        _ => {
            app.dirty = false;
            vec![]
        }
    }
}

fn payment_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let app_lang = app.lang;
    let Screen::Payment(p) = &mut app.screen else {
        return vec![];
    };
    let row = p.row.clone();
    match key.code {
        KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::F(2) => {
            // The sale goes on being followed by the engine; the journal shows it. Once
            // settled and left, it is not brought back at the next login.
            app.screen = Screen::Catalogue;
            app.filter.clear();
            match row {
                Some(r) if r.status.is_final() => {
                    vec![Effect::CountPending, Effect::Seen(r.external_id)]
                }
                _ => vec![Effect::CountPending],
            }
        }
        KeyCode::Char('v') | KeyCode::Char('V') | KeyCode::F(5) => match row {
            Some(r) if !r.status.is_final() => {
                p.notice = Some(
                    app_lang
                        .tr(
                            "Vérification demandée à la passerelle…",
                            "Asking the gateway…",
                        )
                        .into(),
                );
                vec![Effect::Refresh(r.external_id)]
            }
            _ => vec![],
        },
        KeyCode::Char('r') | KeyCode::Char('R') | KeyCode::F(8) => match row {
            Some(r) if r.refundable() && r.service == mg::SEND => {
                p.notice = Some(
                    app_lang
                        .tr(
                            "Un envoi MoneyGram s'annule depuis le journal (j), avec son motif.",
                            "A MoneyGram send is reversed from the journal (j), with its reason.",
                        )
                        .into(),
                );
                vec![]
            }
            Some(r) if r.refundable() => {
                p.notice = Some(
                    app_lang
                        .tr("Remboursement demandé…", "Refund requested…")
                        .into(),
                );
                vec![Effect::Refund(r.external_id)]
            }
            _ => {
                p.notice = Some(crate::domain::refund::not_refundable(app_lang).into());
                vec![]
            }
        },
        KeyCode::Char('j') | KeyCode::Char('J') | KeyCode::F(3) => open_journal(app),
        _ => {
            app.dirty = false;
            vec![]
        }
    }
}

fn review_claim_subject(lang: Lang) -> String {
    lang.tr("Opération à vérifier", "Operation to be checked")
        .into()
}

/// The claim of an operation under review, with its references filled in.
pub fn review_claim_message(lang: Lang, r: &Operation) -> String {
    let amount = r
        .amount
        .map(crate::money::fcfa)
        .unwrap_or_else(|| "-".into());
    let intech = r.gateway_tx_id.as_deref().unwrap_or("-");
    let reason = r.error_message.as_deref().unwrap_or_default();
    match lang {
        Lang::Fr => format!(
            "Merci d'indiquer le statut de l'opération externalTransactionId {} (transaction \
             Intech {intech}), service {}, montant {amount}. Notre caisse ne peut pas lire \
             son statut : {reason}",
            r.external_id, r.service
        ),
        Lang::En => format!(
            "Please tell us the status of the operation externalTransactionId {} (Intech \
             transaction {intech}), service {}, amount {amount}. Our till cannot read its \
             status: {reason}",
            r.external_id, r.service
        ),
    }
}

fn journal_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let app_lang = app.lang;
    let cashier = app.gate.cashier.as_ref().map(|c| c.name.clone());
    let Screen::Journal(j) = &mut app.screen else {
        return vec![];
    };
    if let Some(form) = &mut j.reversal {
        return match moneygram::reversal_key(form, key, app_lang) {
            moneygram::ReversalKey::Cancel => {
                j.reversal = None;
                vec![]
            }
            moneygram::ReversalKey::Refused(m) => {
                j.notice = Some(Notice::Failed(m));
                vec![]
            }
            moneygram::ReversalKey::Send(reversal) => match &j.detail {
                Some((id, _)) => {
                    let external_id = id.clone();
                    j.reversal = None;
                    j.notice = Some(Notice::Done(
                        app_lang
                            .tr(
                                "Annulation MoneyGram demandée…",
                                "MoneyGram reversal requested…",
                            )
                            .into(),
                    ));
                    vec![Effect::MoneyGramReversal {
                        external_id,
                        reversal,
                    }]
                }
                None => vec![],
            },
            moneygram::ReversalKey::Done => vec![],
        };
    }
    if let Some(claim) = &mut j.claim {
        match key.code {
            KeyCode::Esc => j.claim = None,
            KeyCode::Tab | KeyCode::Down | KeyCode::Up | KeyCode::BackTab => {
                claim.focus = 1 - claim.focus
            }
            KeyCode::Enter if claim.focus == 0 => claim.focus = 1,
            KeyCode::Enter | KeyCode::F(10) => {
                let subject = claim.subject.value().trim().to_owned();
                let message = claim.message.value().trim().to_owned();
                if subject.is_empty() || message.is_empty() {
                    j.notice = Some(Notice::Failed(
                        app_lang
                            .tr(
                                "Sujet et message sont obligatoires.",
                                "Subject and message are required.",
                            )
                            .into(),
                    ));
                    return vec![];
                }
                let Some((id, _)) = &j.detail else {
                    return vec![];
                };
                let id = id.clone();
                j.claim = None;
                j.notice = Some(Notice::Done(
                    app_lang.tr("Réclamation envoyée…", "Claim sent…").into(),
                ));
                return vec![Effect::Claim {
                    external_id: id,
                    subject,
                    message,
                }];
            }
            _ => {
                let input = if claim.focus == 0 {
                    &mut claim.subject
                } else {
                    &mut claim.message
                };
                input.handle_event(&crossterm::event::Event::Key(key));
            }
        }
        return vec![];
    }
    if j.editing_filter {
        match key.code {
            KeyCode::Esc => {
                j.filter = Input::default();
                j.editing_filter = false;
            }
            KeyCode::Enter => j.editing_filter = false,
            _ => {
                j.filter.handle_event(&crossterm::event::Event::Key(key));
                j.selected = 0;
            }
        }
        return vec![];
    }
    let visible: Vec<Operation> = j.visible().into_iter().cloned().collect();
    if let Some((id, _)) = j.detail.clone() {
        let row = visible
            .iter()
            .chain(j.rows.iter())
            .find(|r| r.external_id == id)
            .cloned();
        return match key.code {
            KeyCode::Esc => {
                j.detail = None;
                vec![]
            }
            KeyCode::Char('v') | KeyCode::F(5) => match row {
                Some(r) if !r.status.is_final() => {
                    j.notice = Some(Notice::Done(
                        app_lang.tr("Vérification demandée…", "Checking…").into(),
                    ));
                    vec![Effect::Refresh(r.external_id)]
                }
                _ => vec![],
            },
            KeyCode::Char('c') | KeyCode::F(6) => match row {
                Some(r)
                    if r.status == TxStatus::Review
                        && r.gateway == crate::domain::GatewayKind::Intech =>
                {
                    // The next step for an operation nobody can settle: a claim with
                    // everything Intech needs to find it, written out already.
                    j.claim = Some(ClaimForm {
                        subject: Input::new(review_claim_subject(app_lang)),
                        message: Input::new(review_claim_message(app_lang, &r)),
                        focus: 1,
                    });
                    vec![]
                }
                Some(r)
                    if r.gateway == crate::domain::GatewayKind::Intech
                        && r.gateway_tx_id.is_some() =>
                {
                    j.claim = Some(ClaimForm {
                        subject: Input::default(),
                        message: Input::default(),
                        focus: 0,
                    });
                    vec![]
                }
                _ => {
                    j.notice = Some(Notice::Failed(app_lang.tr("Réclamation impossible : la passerelle n'a pas enregistré cette opération.", "No claim possible: the gateway never recorded this operation.").into()));
                    vec![]
                }
            },
            KeyCode::Char('r') | KeyCode::F(8) => match row {
                // A MoneyGram send is reversed with its reason: the form asks it.
                Some(r) if r.refundable() && r.service == mg::SEND => {
                    j.reversal = Some(ReversalForm::new(cashier.as_deref()));
                    vec![]
                }
                Some(r) if r.refundable() => {
                    j.notice = Some(Notice::Done(
                        app_lang
                            .tr("Remboursement demandé…", "Refund requested…")
                            .into(),
                    ));
                    vec![Effect::Refund(r.external_id)]
                }
                _ => {
                    j.notice = Some(Notice::Failed(
                        crate::domain::refund::not_refundable(app_lang).into(),
                    ));
                    vec![]
                }
            },
            _ => {
                app.dirty = false;
                vec![]
            }
        };
    }
    match key.code {
        KeyCode::Esc => app.screen = Screen::Catalogue,
        KeyCode::Up => j.selected = j.selected.saturating_sub(1),
        KeyCode::Down => j.selected = (j.selected + 1).min(visible.len().saturating_sub(1)),
        KeyCode::Char('/') | KeyCode::F(7) => j.editing_filter = true,
        KeyCode::Char('s') | KeyCode::F(6) => {
            j.status = j.status.next();
            j.selected = 0;
        }
        KeyCode::Enter => {
            if let Some(r) = visible.get(j.selected) {
                j.detail = Some((r.external_id.clone(), Vec::new()));
                return vec![Effect::LoadEvents(r.external_id.clone())];
            }
        }
        _ => app.dirty = false,
    }
    vec![]
}

/// The keys of the current screen, for the footer and the help: (keys, action).
pub fn keys(app: &App) -> Vec<(&'static str, &'static str)> {
    let mut keys = match &app.screen {
        Screen::Catalogue => vec![
            ("flèches 1-9", "choisir"),
            ("Entrée", "ouvrir"),
            ("F3 j", "journal"),
            ("F4 p", "pays"),
            ("F10 q", "quitter"),
        ],
        Screen::Entry(e) if e.confirming => vec![
            ("Entrée F10 o", "confirmer l'envoi"),
            ("Échap F9 n", "modifier"),
        ],
        Screen::Entry(_) => vec![
            ("Tab ↑↓", "champ"),
            ("Entrée F10", "valider"),
            ("Échap", "retour"),
        ],
        Screen::Bills(_) => vec![
            ("Entrée", "chercher / choisir"),
            ("↑↓", "facture"),
            ("Échap", "retour"),
        ],
        Screen::Payment(_) => vec![
            ("F2 n", "nouvelle vente"),
            ("F5 v", "vérifier"),
            ("F8 r", "rembourser"),
            ("F3 j", "journal"),
        ],
        Screen::Journal(j) if j.reversal.is_some() => vec![
            ("Tab ↑↓", "champ"),
            ("←→", "choix"),
            ("Entrée F10", "annuler l'envoi"),
            ("Échap", "retour"),
        ],
        Screen::Journal(j) if j.claim.is_some() => vec![
            ("Tab", "champ"),
            ("Entrée F10", "envoyer"),
            ("Échap", "annuler"),
        ],
        Screen::Journal(j) if j.detail.is_some() => vec![
            ("F5 v", "vérifier"),
            ("F6 c", "réclamation"),
            ("F8 r", "rembourser"),
            ("Échap", "retour"),
        ],
        Screen::Journal(_) => vec![
            ("↑↓", "choisir"),
            ("Entrée", "détail"),
            ("F7 /", "chercher"),
            ("F6 s", "statut"),
            ("Échap", "retour"),
        ],
        Screen::MoneyGram(m) => match &m.stage {
            MgStage::Reference { .. } => vec![("Entrée F10", "consulter"), ("Échap", "retour")],
            MgStage::Identity {
                confirming: true, ..
            } => vec![
                ("Entrée F10 o", "confirmer l'envoi"),
                ("Échap F9 n", "modifier"),
            ],
            MgStage::Identity { .. } => vec![
                ("Tab ↑↓", "champ"),
                ("←→", "choix"),
                ("Entrée F10", "valider"),
                ("Échap", "retour"),
            ],
            MgStage::Parties { .. } => vec![
                ("Tab ↑↓", "champ"),
                ("←→", "choix"),
                ("F10", "frais"),
                ("Échap", "retour"),
            ],
            MgStage::Quoted { .. } => vec![("Entrée F10 o", "envoyer"), ("Échap F9 n", "modifier")],
        },
        Screen::Connecting => vec![],
        Screen::Login(_) => vec![("Tab", "champ"), ("Entrée", "valider")],
    };
    if app.gate.locked.is_some() || app.gate.prompt.is_some() {
        keys = vec![("Entrée", "valider"), ("Échap F2", "annuler")];
        if app.gate.locked.is_some() {
            keys[1] = ("Échap F2", "changer de caissier");
        }
    }
    keys.insert(0, ("F1 h", "aide"));
    if !matches!(app.screen, Screen::Catalogue) {
        keys[0] = ("F1", "aide");
    }
    if app.lang == Lang::En {
        for (k, a) in keys.iter_mut() {
            *k = english_key(k);
            *a = english_action(a);
        }
    }
    keys
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod gate_tests;

#[cfg(test)]
mod moneygram_tests;

fn english_key(keys: &'static str) -> &'static str {
    match keys {
        "flèches 1-9" => "arrows 1-9",
        "Entrée" => "Enter",
        "Entrée F10 o" => "Enter F10 o",
        "Échap F9 n" => "Esc F9 n",
        "Entrée F10" => "Enter F10",
        "Échap" => "Esc",
        "Échap F2" => "Esc F2",
        other => other,
    }
}

fn english_action(action: &'static str) -> &'static str {
    match action {
        "aide" => "help",
        "choisir" => "choose",
        "ouvrir" => "open",
        "journal" => "journal",
        "pays" => "country",
        "quitter" => "quit",
        "confirmer l'envoi" => "confirm and send",
        "modifier" => "edit",
        "champ" => "field",
        "valider" => "validate",
        "retour" => "back",
        "chercher / choisir" => "look up / choose",
        "facture" => "bill",
        "nouvelle vente" => "new sale",
        "vérifier" => "re-check",
        "rembourser" => "refund",
        "envoyer" => "send",
        "annuler" => "cancel",
        "réclamation" => "claim",
        "détail" => "detail",
        "chercher" => "search",
        "statut" => "status",
        "consulter" => "look up",
        "choix" => "choice",
        "frais" => "fees",
        "annuler l'envoi" => "reverse the send",
        "changer de caissier" => "switch cashier",
        other => other,
    }
}
