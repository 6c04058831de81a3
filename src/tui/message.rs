//! What flows through the app: the events it is given and the effects it asks for. A leaf:
//! the screens, the dispatcher and the runtime all speak it.

use std::collections::BTreeMap;

use crossterm::event::KeyEvent;

use crate::domain::Outcome;
use crate::domain::moneygram::{PayoutLookup, Quote, ReversalInput};
use crate::engine::{EngineEvent, PayOrder, PayoutOrder, SendOrder};
use crate::session::LinkEvent;
use crate::session::view::PendingBill;
use crate::session::view::{HistoryLine, Operation};
use crate::staff::{Cashier, Pin};

#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    /// Text the terminal marked as pasted (bracketed paste): it only fills the focused
    /// field, it never validates or sends (`screens::paste`).
    Paste(String),
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
    /// The page a past period's search asked (`search`, echoed: a late answer to a page
    /// left since is dropped), and where the next one starts; or why none.
    /// A chart's report (the period it was asked for, echoed), or why none.
    Stats {
        part: crate::report::charts::Part,
        period: crate::report::Period,
        figures: Result<crate::report::Report, String>,
    },
    Page {
        search: crate::report::search::Search,
        page: Result<(Vec<Operation>, Option<crate::report::search::Cursor>), String>,
    },
    Events(String, Vec<HistoryLine>),
    /// Unsettled operations: pending, and under review.
    PendingCount(usize, usize),
    /// A claim finished: the French message to show.
    ActionDone(Result<String, String>),
    /// What a receipt by WhatsApp would say and cost (asked before it is sent), or why
    /// none can go.
    WhatsAppQuote(Result<crate::engine::ReceiptMessage, String>),
    /// A refund's send ended.
    Refunded(Outcome),
    /// The service's answer about a Z report (`Effect::Z`), and what became of its print;
    /// or why there is none (a cashier: supervisors only).
    Z(Result<(crate::report::z::ZReply, crate::session::view::Printed), String>),
    /// A MoneyGram transfer looked up, or why not.
    MoneyGramFound(Result<PayoutLookup, String>),
    /// MoneyGram's fees for a send, or why none.
    MoneyGramQuoted(Result<Quote, String>),
    /// The cashier's drawer, as the service answered (or why it did not).
    Drawer(Result<crate::session::protocol::DrawerReply, String>),
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
    /// Ctrl-C outside a kiosk.
    Interrupt,
    /// The answer to the sale sent under `external_id` (`Paid`, `Duplicate`): applied only
    /// to that sale's screen. A sale left while it was being sent must not lend its answer
    /// (its QR, its success, its refusal) to the next sale's screen.
    For {
        external_id: String,
        event: Box<Event>,
    },
    /// The service refused the sale as identical to one still pending or just successful
    /// (nothing was sent): the cashier is asked whether to send a second one.
    Duplicate {
        status: crate::domain::TxStatus,
        age_secs: i64,
    },
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
        /// The cashier confirmed a second identical sale (`Event::Duplicate`).
        allow_duplicate: bool,
    },
    LoadRow(String),
    Refresh(String),
    /// The receipt of a final operation, on the shop's printer (the service's).
    PrintReceipt(String),
    /// What the receipt of a final operation would cost by WhatsApp (the question first).
    AskWhatsApp(String),
    /// The receipt of `sale` sent by WhatsApp to `phone`, the cashier having seen its
    /// cost (the runtime chooses the message's id: never sent twice).
    SendWhatsApp {
        sale: String,
        phone: String,
    },
    LoadJournal,
    /// A page of the journal over a past period (`Request::History`).
    LoadHistory(crate::report::search::Search),
    LoadEvents(String),
    /// One of the statistics screen's reports (`Request::Report`).
    LoadStats {
        part: crate::report::charts::Part,
        period: crate::report::Period,
        by: crate::report::By,
    },
    CountPending,
    Refund(String),
    Claim {
        external_id: String,
        subject: String,
        message: String,
    },
    /// The close of day through the service (`Request::Close`): the preview, the seal, a
    /// stored Z again (with `print`, on the shop's printer), the past ones.
    Z {
        ask: crate::report::z::ZAsk,
        print: bool,
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
    /// The cashier's own drawer: read, opened or closed (`Request::Drawer`).
    Drawer(crate::session::protocol::DrawerAsk),
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
