//! One module per screen, each with its state, its keys (a table, see [`keys`]) and its
//! drawing. The app's state ([`App`]) and the [`Screen`] it shows live here, above the
//! screen modules that hold the states; `app::update` dispatches to them.

pub mod ask;
pub mod bills;
pub mod catalogue;
pub mod close;
pub mod drawer;
pub mod entry;
pub mod field_text;
pub mod gate;
pub mod journal;
pub mod keys;
pub mod moneygram;
pub mod paste;
pub mod payment;
pub mod stats;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::catalog::services::Country;
use crate::i18n::Lang;
use crate::tui::catalog::{self, Tile};
use crate::tui::message::Effect;
use bills::BillsState;
use close::CloseState;
use entry::EntryState;
use gate::{Gate, LoginForm};
use journal::JournalState;
use moneygram::MoneyGramState;
use payment::PaymentState;

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
    Drawer(drawer::DrawerScreen),
    /// The close of day: the next Z report, sealed, and the past ones.
    Close(CloseState),
    /// Statistiques: today's sales per hour and operator, the weekdays of four weeks.
    Stats(stats::StatsState),
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
    /// The shop's low-balance threshold (FCFA), from the service: below it the header warns.
    pub low_balance: Option<i64>,
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
    /// A question over the screen (quit, refund, a second identical sale): it takes every
    /// key until answered.
    pub ask: Option<ask::Question>,
    /// The service runs in this process (a single counter, the demo): it stops when the
    /// app does.
    pub local: bool,
    /// Sales the cashier left unsettled (`n`): their settling is announced.
    pub left: Vec<payment::LeftSale>,
    /// The line announcing one of them settled, over the footer until the next key.
    pub announce: Option<String>,
}

impl App {
    /// Opens the journal (today's operations, loading). Screens go to one another through
    /// here, the hub that holds them all, so that no two screens import each other (the
    /// payment screen opens the journal, the journal reopens a payment screen).
    pub fn open_journal(&mut self) -> Vec<Effect> {
        journal::open(self)
    }

    /// Opens the cashier's drawer screen (« Tiroir »), read from the service.
    pub fn open_drawer(&mut self) -> Vec<Effect> {
        drawer::open(self)
    }

    /// Opens the statistics (their reports are asked).
    pub fn open_stats(&mut self) -> Vec<Effect> {
        stats::open(self)
    }

    pub fn new(demo: bool, now: i64) -> App {
        App {
            screen: Screen::Catalogue,
            help: false,
            tiles: catalog::all_tiles(),
            country: Country::Senegal,
            filter: String::new(),
            selected: 0,
            balance: None,
            low_balance: None,
            pending: 0,
            review: 0,
            demo,
            now,
            quit: false,
            dirty: true,
            size: (80, 24),
            lang: Lang::Fr,
            gate: Gate::default(),
            ask: None,
            local: false,
            left: Vec::new(),
            announce: None,
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
