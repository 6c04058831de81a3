//! What a cashier's session and the service say to each other, one JSON object per line on
//! the Unix socket. The same types serve in-process (no socket) so both paths share one
//! handler, [`super::Session::handle`].

use std::collections::BTreeMap;

use super::problem::Problem;
use super::view::{Account, HistoryLine, Operation, Sent};
use crate::domain::Outcome;
use crate::domain::moneygram::{PayoutLookup, Quote, ReversalInput};
use crate::engine::{EngineEvent, PayOrder, PayoutOrder, SendOrder};
use crate::session::view::PendingBill;
use crate::staff::{Cashier, Pin, Role};

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Request {
    /// The first message: where the session runs (the caller's Unix user comes from the
    /// socket's peer credentials, not from here).
    Hello {
        terminal: String,
    },
    /// `name` may be left out when the Unix user is mapped to a cashier.
    Login {
        name: Option<String>,
        pin: Pin,
    },
    /// After a reconnection: the token of the login, kept in memory only.
    Resume {
        token: String,
    },
    Logout,
    /// The screen locked after idle time: the logged-in cashier's PIN.
    Unlock {
        pin: Pin,
    },
    /// A supervisor's PIN, typed at this counter (to leave the kiosk).
    Supervisor {
        pin: Pin,
    },
    Balance,
    Bills {
        service: String,
        account: String,
    },
    /// `external_id`: chosen by the terminal (a UUID) so that a lost answer can be found
    /// again; a repeat is answered with the recorded sale, never sent twice.
    /// No balance travels with it: the service checks a debit against the balance it read
    /// itself (a client could send any figure).
    Pay {
        order: PayOrder,
        external_id: Option<String>,
        /// The cashier confirmed a sale identical to one still unsettled or just
        /// successful (`domain::duplicate`); without it, such a sale is refused.
        #[serde(default)]
        allow_duplicate: bool,
    },
    Get {
        external_id: String,
    },
    Refresh {
        external_id: String,
    },
    /// Sales created since this time, newest first.
    Journal {
        since: i64,
    },
    Events {
        external_id: String,
    },
    /// A page of the journal beyond today (a period, a phone, a reference or an amount),
    /// after a keyset cursor: a cashier's own sales, a supervisor's whole shop.
    History {
        search: crate::report::search::Search,
    },
    /// The report of a period (`caisse report`): the whole shop's for a supervisor, the
    /// cashier's own sales otherwise.
    Report {
        period: crate::report::Period,
        by: crate::report::By,
    },
    /// A piece of the bookkeeper's export of a period (`caisse export`): the rows after
    /// `after` (creation order), formatted; a supervisor's whole shop, a cashier's own.
    Export {
        period: crate::report::Period,
        format: crate::report::export::Format,
        after: Option<crate::report::search::Cursor>,
    },
    PendingCount,
    /// Supervisors only; a cashier passes a supervisor's PIN typed at the counter.
    /// `refund_id`: chosen by the terminal (a UUID), like a sale's, so that a lost answer
    /// is found again and a repeat is never sent twice.
    Refund {
        external_id: String,
        supervisor_pin: Option<Pin>,
        #[serde(default)]
        refund_id: Option<String>,
    },
    Claim {
        external_id: String,
        subject: String,
        message: String,
    },
    /// The receipt of a final operation (the cashier's own, or any for a supervisor) as
    /// text at `width` columns (else the printer's), and with `print` on the shop's printer.
    Receipt {
        external_id: String,
        #[serde(default)]
        print: bool,
        #[serde(default)]
        width: Option<usize>,
    },
    /// A final operation's receipt by WhatsApp (the cashier's own, or any for a
    /// supervisor), to `phone` or else the sale's customer: with `send` false, what it
    /// would say and cost (asked first); with `send`, the message sent as an operation of
    /// its own linked to the sale, under `message_id` (chosen by the terminal, as a sale's:
    /// a repeat is answered, never sent again).
    WhatsAppReceipt {
        external_id: String,
        #[serde(default)]
        phone: Option<String>,
        #[serde(default)]
        send: bool,
        #[serde(default)]
        message_id: Option<String>,
    },
    /// The close of day (`caisse close`), supervisors only: the next Z report, a stored one
    /// again, or the chain checked; with `print`, the Z on the shop's printer at `width`
    /// (else the printer's).
    Close {
        ask: crate::report::z::ZAsk,
        #[serde(default)]
        print: bool,
        #[serde(default)]
        width: Option<usize>,
    },
    /// The logged-in cashier's own cash drawer (`caisse drawer`, the « Tiroir » screen); a
    /// supervisor may also see every open drawer.
    Drawer(DrawerAsk),
    /// A MoneyGram transfer waiting at the counter, by its reference (a look-up).
    MoneyGramReception {
        reference: String,
    },
    /// The fees of a MoneyGram send (a look-up), for its sender and receiver (the
    /// cashier's fields of `domain::moneygram`'s lists).
    MoneyGramQuote {
        amount: i64,
        sender: BTreeMap<String, String>,
        receiver: BTreeMap<String, String>,
    },
    /// A MoneyGram payout, a sale like any other (`external_id` as for `Pay`).
    MoneyGramPayout {
        order: PayoutOrder,
        external_id: Option<String>,
    },
    /// A MoneyGram send, after its quote (`external_id` as for `Pay`).
    MoneyGramSend {
        order: SendOrder,
        external_id: Option<String>,
    },
    /// A MoneyGram send's reversal: a refund with its reason, supervisors only (as
    /// `Refund`).
    MoneyGramReversal {
        external_id: String,
        reversal: ReversalInput,
        supervisor_pin: Option<Pin>,
        #[serde(default)]
        refund_id: Option<String>,
    },
    /// The cashier left this sale's screen: no need to bring it back at the next login.
    Seen {
        external_id: String,
    },
    /// The newest sale of this cashier they have not seen settled.
    Unseen,
    AddCashier {
        name: String,
        role: Role,
        pin: Pin,
    },
    ListCashiers,
    DisableCashier {
        name: String,
    },
}

/// What a drawer request asks. Amounts: whole FCFA counted in the drawer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum DrawerAsk {
    /// Opens the cashier's drawer with the counted float; the service reads the balance.
    Open { cash: i64 },
    /// The cashier's open drawer and what it should hold now.
    Status,
    /// Every open drawer of the shop (supervisors only).
    All,
    /// Closes the cashier's drawer with the counted cash; the service reads the balance.
    Close { cash: i64 },
    /// The float (supervisors only): the balance read now, since when it is below the
    /// shop's threshold, the pace it fell, the day's refills.
    Float,
}

/// The answer to a drawer request.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum DrawerReply {
    Opened(crate::journal::drawers::DrawerRecord),
    State(crate::journal::drawers::DrawerState),
    All(Vec<crate::journal::drawers::DrawerState>),
    Closed(crate::journal::drawers::DrawerState),
    Float(crate::journal::float::FloatView),
    /// Already open, or none open: nothing changed.
    Refused(crate::journal::drawers::DrawerRefusal),
}

/// How a session identifies itself, as the service sees it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum LoginNeed {
    /// No cashier accounts (a single counter): the session acts as this cashier.
    None(Cashier),
    /// The Unix user is mapped to this cashier: only the PIN is asked.
    Pin(String),
    NameAndPin,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Welcome {
    pub demo: bool,
    pub login: LoginNeed,
    /// The shop's idle-lock delay in seconds (`[kiosk] idle_lock_minutes` of the service);
    /// it wins over the terminal's own setting. 0: never.
    pub idle_lock_secs: Option<u64>,
    /// The service wants every terminal in kiosk mode (`[kiosk] enabled`).
    pub kiosk: bool,
    /// `[shop] low_balance` of the service: below it, the header warns (FCFA).
    #[serde(default)]
    pub low_balance: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Response {
    Welcome(Welcome),
    LoggedIn {
        cashier: Cashier,
        token: String,
    },
    Done,
    Balance(f64),
    Bills(Vec<PendingBill>),
    /// A sale, as recorded, and how its send ended.
    Paid(Sent),
    /// A refund (its own row), and how its send ended.
    Refunded(Sent),
    /// A sale or a refund that produced no row: refused before the send, or an answer lost
    /// after it (then `Outcome::Unknown`: never redo it).
    NotDone(Outcome),
    Row(Option<Operation>),
    Rows(Vec<Operation>),
    /// A page of a `History` search, and where the next one starts (`None`: the last).
    Page {
        rows: Vec<Operation>,
        next: Option<crate::report::search::Cursor>,
    },
    Report(crate::report::Report),
    /// A piece of an export (UTF-8 text to write as it is), and where the next one starts
    /// (`None`: this was the last).
    ExportPiece {
        text: String,
        next: Option<crate::report::search::Cursor>,
    },
    /// An operation's history, oldest first.
    Events {
        external_id: String,
        lines: Vec<HistoryLine>,
    },
    /// Unsettled operations: still pending, and under review (a person must look).
    Unsettled {
        pending: usize,
        review: usize,
    },
    /// A French sentence for the cashier (a refund done, a claim's reference).
    Message(String),
    Drawer(DrawerReply),
    /// A MoneyGram transfer, as a payout needs it.
    MoneyGramTransfer(PayoutLookup),
    /// MoneyGram's fees for a send.
    MoneyGramQuote(Quote),
    Cashiers(Vec<Account>),
    Supervisor(Cashier),
    /// A receipt, or why there is none.
    Receipt(Result<super::view::ReceiptReply, crate::journal::receipts::NoReceipt>),
    /// What a receipt by WhatsApp would say and cost, or why none can go (a message sent
    /// is answered `Paid`, as a sale).
    ReceiptMessage(Result<crate::engine::ReceiptMessage, crate::engine::NoMessage>),
    /// The answer to `Close`, and what became of its print.
    Z {
        reply: crate::report::z::ZReply,
        printed: super::view::Printed,
    },
    /// Not logged in, or not allowed: why.
    Denied(Problem),
    /// The request failed: why.
    Error(Problem),
}

impl Response {
    /// The French sentence of a failed request, or `None`.
    pub fn error(&self) -> Option<String> {
        match self {
            Response::Denied(p) | Response::Error(p) => Some(p.french()),
            Response::NotDone(outcome) => outcome.message().map(str::to_owned),
            _ => None,
        }
    }

    /// Why a request failed, if it did (refused or in error).
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Response::Denied(p) | Response::Error(p) => Some(p),
            _ => None,
        }
    }
}

/// Client → service.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct ClientFrame {
    pub id: u64,
    pub request: Request,
}

impl ClientFrame {
    /// One request line as the service reads it from the socket (the trailing newline may
    /// be there or not). Anything unreadable is `None`, answered "requête illisible".
    pub fn decode(line: &[u8]) -> Option<ClientFrame> {
        serde_json::from_slice(line).ok()
    }
}

/// Service → client: the answer to a request, or an engine event pushed to every session.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub enum ServerFrame {
    Reply { id: u64, response: Box<Response> },
    Event(EngineEvent),
}

/// The longest answer line the terminal accepts (a journal of 5 000 rows fits).
pub const MAX_LINE: usize = 16 * 1024 * 1024;
/// The longest request line the service accepts: requests are small.
pub const MAX_REQUEST: usize = 64 * 1024;
