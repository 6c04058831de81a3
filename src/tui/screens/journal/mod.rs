//! The journal: today's list, live (searched, filtered by status), or a past period's
//! pages searched by the service (`past`); a row's detail and history, and what can be done
//! about it: re-check, claim, refund, a MoneyGram send's reversal. Drawn by `draw`.

mod claim;
pub mod draw;
pub mod history;
mod keys;
pub mod past;

use claim::review_claim_subject;
pub use claim::{ClaimForm, review_claim_message};
pub use draw::draw;
pub use keys::*;

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;

use crate::tui::screens::field_text;

use super::keys::lookup;
use super::moneygram::reversal::{self, ReversalForm, ReversalKey};
use super::{App, Screen};
use crate::domain::TxStatus;
use crate::domain::moneygram as mg;
use crate::i18n::Lang;
use crate::session::view::{HistoryLine, Operation};
use crate::tui::catalog;
use crate::tui::message::Effect;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    All,
    Success,
    Failed,
    Open,
}

impl StatusFilter {
    pub fn label_in(self, lang: Lang) -> &'static str {
        match self {
            StatusFilter::All => lang.tr("tous", "all"),
            StatusFilter::Success => lang.tr("réussis", "paid"),
            StatusFilter::Failed => lang.tr("échoués", "failed"),
            StatusFilter::Open => lang.tr("en cours", "open"),
        }
    }

    pub fn next(self) -> Self {
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
    /// How far the detail is scrolled down, in lines (its history grows while a sale is
    /// pending; a claim's fields open below it).
    pub scroll: u16,
    /// A past period's pages, searched by the service; `None`: today, live.
    pub past: Option<Box<past::Past>>,
    /// The period's dates being typed (JJ/MM/AAAA).
    pub dates: Option<Box<Input>>,
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
        // A past period's page is the service's answer to the search already.
        let words = if self.past.is_some() {
            String::new()
        } else {
            catalog::fold(self.filter.value())
        };
        self.rows
            .iter()
            .filter(|r| self.status.accepts(r.status))
            .filter(|r| {
                words.is_empty()
                    || catalog::fold(&format!(
                        "{} {} {} {} {}",
                        catalog::service_label(&r.service, Lang::Fr),
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

/// Opens the journal (its rows are loaded).
pub fn open(app: &mut App) -> Vec<Effect> {
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
        scroll: 0,
        past: None,
        dates: None,
    });
    vec![Effect::LoadJournal]
}

/// The rows of the list on this terminal (less the header, the frame, the search line and
/// the footer): a page of a past period is one screenful.
pub fn page_rows(app: &App) -> u32 {
    u32::from(app.size.1.saturating_sub(5).max(1))
}

/// What brings the list up to date: today's rows, or the page shown again.
pub fn reload(j: &JournalState) -> Effect {
    match &j.past {
        Some(p) => Effect::LoadHistory(p.search.clone()),
        None => Effect::LoadJournal,
    }
}

/// The list from the first page of `choice` (today: the live list), keeping the search and
/// the status filter.
fn show_period(
    j: &mut JournalState,
    choice: past::Choice,
    period: crate::report::Period,
    rows: u32,
) -> Vec<Effect> {
    j.rows.clear();
    j.selected = 0;
    j.notice = None;
    if choice == past::Choice::Today {
        j.past = None;
        return vec![Effect::LoadJournal];
    }
    let p = past::Past::first(choice, period, j.filter.value(), j.status, rows);
    let effect = Effect::LoadHistory(p.search.clone());
    j.past = Some(Box::new(p));
    vec![effect]
}

/// The first page of the past period shown, asked again with the search and the status as
/// they are now.
fn search_again(j: &mut JournalState) -> Vec<Effect> {
    let Some(p) = &j.past else {
        return vec![];
    };
    let (choice, period, rows) = (p.choice, p.search.period, p.search.limit);
    show_period(j, choice, period, rows)
}

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let app_lang = app.lang;
    let cashier = app.gate.cashier.as_ref().map(|c| c.name.clone());
    let rows = page_rows(app);
    let today = past::day_of(app.now);
    let Screen::Journal(j) = &mut app.screen else {
        return vec![];
    };
    if let Some(form) = &mut j.reversal {
        return match reversal::key(form, key, app_lang) {
            ReversalKey::Cancel => {
                j.reversal = None;
                vec![]
            }
            ReversalKey::Refused(m) => {
                j.notice = Some(Notice::Failed(m));
                vec![]
            }
            ReversalKey::Send(reversal) => match &j.detail {
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
            ReversalKey::Done => vec![],
        };
    }
    if let Some(claim) = &mut j.claim {
        match lookup(CLAIM_KEYS, key.code) {
            Some(ClaimKey::Cancel) => j.claim = None,
            Some(ClaimKey::Field) => claim.focus = 1 - claim.focus,
            Some(ClaimKey::Send) if claim.focus == 0 && key.code == KeyCode::Enter => {
                claim.focus = 1
            }
            Some(ClaimKey::Send) => {
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
                let (input, max) = if claim.focus == 0 {
                    (&mut claim.subject, field_text::CLAIM_SUBJECT_MAX)
                } else {
                    (&mut claim.message, field_text::CLAIM_MESSAGE_MAX)
                };
                field_text::type_key(input, key, max);
            }
        }
        return vec![];
    }
    if let Some(dates) = &mut j.dates {
        match lookup(past::DATES_KEYS, key.code) {
            // The period key's round ends here: back to today, live.
            Some(past::DatesKey::Cancel) => {
                j.dates = None;
                if j.past.is_some() {
                    let period = crate::report::Period {
                        from: today,
                        to: today,
                    };
                    return show_period(j, past::Choice::Today, period, rows);
                }
            }
            Some(past::DatesKey::Apply) => match past::parse_dates(dates.value(), app_lang) {
                Ok(period) => {
                    j.dates = None;
                    return show_period(j, past::Choice::Dates, period, rows);
                }
                // The dates stay as typed, to be corrected.
                Err(e) => j.notice = Some(Notice::Failed(e)),
            },
            _ => field_text::type_key(dates, key, past::DATES_MAX),
        }
        return vec![];
    }
    if j.editing_filter {
        match lookup(FILTER_KEYS, key.code) {
            Some(FilterKey::Clear) => {
                j.filter = Input::default();
                j.editing_filter = false;
                return search_again(j);
            }
            Some(FilterKey::Done) => {
                j.editing_filter = false;
                // A past period is searched by the service (today's list filters as typed).
                return search_again(j);
            }
            _ => {
                field_text::type_key(&mut j.filter, key, field_text::SEARCH_MAX);
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
        return match lookup(DETAIL_KEYS, key.code) {
            Some(DetailKey::Back) => {
                j.detail = None;
                j.scroll = 0;
                vec![]
            }
            Some(DetailKey::Pay) => reopen(app, row),
            Some(DetailKey::Print) => match row {
                Some(r) if r.status.is_final() => {
                    j.notice = Some(Notice::Done(
                        app_lang
                            .tr("Impression du reçu…", "Printing the receipt…")
                            .into(),
                    ));
                    vec![Effect::PrintReceipt(r.external_id)]
                }
                Some(_) => {
                    j.notice = Some(Notice::Failed(
                        app_lang
                            .tr(
                                "Pas de reçu avant le résultat de l'opération.",
                                "No receipt before the operation's outcome.",
                            )
                            .into(),
                    ));
                    vec![]
                }
                None => vec![],
            },
            Some(DetailKey::WhatsApp) => match row {
                Some(r) if r.status.is_final() => {
                    j.notice = Some(Notice::Done(
                        app_lang
                            .tr(
                                "Coût du reçu par WhatsApp demandé…",
                                "Asking the cost of a WhatsApp receipt…",
                            )
                            .into(),
                    ));
                    vec![Effect::AskWhatsApp(r.external_id)]
                }
                Some(_) => {
                    j.notice = Some(Notice::Failed(
                        app_lang
                            .tr(
                                "Pas de reçu avant le résultat de l'opération.",
                                "No receipt before the operation's outcome.",
                            )
                            .into(),
                    ));
                    vec![]
                }
                None => vec![],
            },
            Some(DetailKey::Check) => match row {
                Some(r) if !r.status.is_final() => {
                    j.notice = Some(Notice::Done(
                        app_lang.tr("Vérification demandée…", "Checking…").into(),
                    ));
                    vec![Effect::Refresh(r.external_id)]
                }
                Some(r) => {
                    j.notice = Some(Notice::Done(super::payment::finished(&r, app_lang)));
                    vec![]
                }
                None => vec![],
            },
            Some(DetailKey::Scroll) => {
                // Bounded by what a detail holds (its history and the forms below it); the
                // drawing stops at its last line.
                let most = j.detail.as_ref().map_or(0, |(_, e)| e.len()) as u16 + 40;
                j.scroll = match key.code {
                    KeyCode::Up => j.scroll.saturating_sub(1),
                    KeyCode::PageUp => j.scroll.saturating_sub(10),
                    KeyCode::PageDown => (j.scroll + 10).min(most),
                    _ => (j.scroll + 1).min(most),
                };
                vec![]
            }
            Some(DetailKey::Claim) => match row {
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
            Some(DetailKey::Refund) => match row {
                // A MoneyGram send is reversed with its reason: the form asks it.
                Some(r) if r.refundable() && r.service == mg::SEND => {
                    j.reversal = Some(ReversalForm::new(cashier.as_deref()));
                    vec![]
                }
                // Asked first, with what goes back (`ask`); then a supervisor's PIN if needed.
                Some(r) if r.refundable() => {
                    crate::tui::screens::ask::refund(app, &r);
                    vec![]
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
    match lookup(LIST_KEYS, key.code) {
        Some(ListKey::Back) => app.screen = Screen::Catalogue,
        Some(ListKey::Move) if key.code == KeyCode::Up => j.selected = j.selected.saturating_sub(1),
        Some(ListKey::Move) => j.selected = (j.selected + 1).min(visible.len().saturating_sub(1)),
        Some(ListKey::Search) => j.editing_filter = true,
        Some(ListKey::Status) => {
            j.status = j.status.next();
            j.selected = 0;
            return search_again(j);
        }
        Some(ListKey::Period) => {
            let choice = j
                .past
                .as_ref()
                .map_or(past::Choice::Today, |p| p.choice)
                .next();
            return match choice.period(today) {
                Some(period) => show_period(j, choice, period, rows),
                None => {
                    j.dates = Some(Box::new(past::dates_input(today)));
                    j.notice = None;
                    vec![]
                }
            };
        }
        Some(ListKey::Page) => {
            let forward = key.code == KeyCode::PageDown;
            match &mut j.past {
                Some(p) => {
                    let moved = if forward { p.forward() } else { p.back() };
                    if !moved {
                        app.dirty = false;
                        return vec![];
                    }
                    j.selected = 0;
                    return vec![Effect::LoadHistory(p.search.clone())];
                }
                // Today: the selection a screenful on.
                None if forward => {
                    j.selected = (j.selected + rows as usize).min(visible.len().saturating_sub(1))
                }
                None => j.selected = j.selected.saturating_sub(rows as usize),
            }
        }
        Some(ListKey::Pay) => {
            let row = visible.get(j.selected).cloned();
            return reopen(app, row);
        }
        Some(ListKey::Open) => {
            if let Some(r) = visible.get(j.selected) {
                j.detail = Some((r.external_id.clone(), Vec::new()));
                j.scroll = 0;
                return vec![Effect::LoadEvents(r.external_id.clone())];
            }
        }
        _ => app.dirty = false,
    }
    vec![]
}

/// A pending sale's payment screen again (its QR, its link, its countdown), for a customer
/// who comes back to pay; a settled sale has nothing left to show the customer.
fn reopen(app: &mut App, row: Option<Operation>) -> Vec<Effect> {
    let lang = app.lang;
    let Screen::Journal(j) = &mut app.screen else {
        return vec![];
    };
    let Some(row) = row else {
        app.dirty = false;
        return vec![];
    };
    if row.status.is_final() {
        j.notice = Some(Notice::Failed(
            lang.tr(
                "Cette vente est terminée : plus rien à montrer au client.",
                "This sale is over: nothing left to show the customer.",
            )
            .into(),
        ));
        return vec![];
    }
    let id = row.external_id.clone();
    let Some(state) = super::payment::of_row(row, None) else {
        return vec![];
    };
    // Followed on its own screen now: its settling shows there.
    app.left.retain(|l| l.external_id != id);
    app.screen = Screen::Payment(state);
    vec![Effect::LoadRow(id)]
}
