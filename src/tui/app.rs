//! The app as plain data and one pure function: `update(&mut App, Event) -> Vec<Effect>`.
//! No I/O, no clock, no tokio: the runtime turns effects into tasks and their results back
//! into events, so every screen transition is testable without a terminal.
//!
//! This is the dispatcher: the state is in `screens` (the [`App`], each screen's own), the
//! events and effects in `message`; `update` routes an event to the screen it concerns.

use crossterm::event::{KeyCode, KeyEvent};

use super::screens::keys::{self, HELP, Hint};
use super::screens::moneygram::keys as mg_keys;
use super::screens::moneygram::reversal;
use super::screens::{
    ask, bills, catalogue, close, drawer, entry, gate, journal, moneygram, payment, stats,
};
use crate::domain::Outcome;
use crate::engine::EngineEvent;
use crate::session::LinkEvent;

pub use super::message::{Effect, Event};
pub use super::screens::bills::{BillsStage, BillsState};
pub use super::screens::catalogue::{TILE_WIDTH, grid_columns, open_tile};
pub use super::screens::entry::{EntryState, Field, order_of};
pub use super::screens::gate::{Gate, LoginForm, PinForm, Purpose};
pub use super::screens::journal::{
    ClaimForm, JournalState, Notice, StatusFilter, review_claim_message,
};
pub use super::screens::moneygram::{MgForm, MgInput, MgStage, MoneyGramState, Part, ReversalForm};
pub use super::screens::payment::{PAYMENT_WINDOW_MS, PaymentState};
pub use super::screens::{App, Screen};

/// The one entry point: applies an event, returns what to do.
pub fn update(app: &mut App, event: Event) -> Vec<Effect> {
    let effects = apply(app, event);
    if matches!(app.screen, Screen::Payment(_)) && !app.filter.is_empty() {
        // A sale is sent: the next customer starts from the whole catalogue, and the old
        // word does not take the next letters typed.
        app.filter.clear();
        app.selected = 0;
    }
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
                    if p.row.is_none() && row.status == crate::domain::TxStatus::New {
                        // Only its intent, recorded: it still reads « Envoi à la passerelle… ».
                        app.dirty = false;
                        return effects;
                    }
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
            // Today's rows: a past period's page is not replaced by them.
            if let Screen::Journal(j) = &mut app.screen
                && j.past.is_none()
            {
                j.rows = rows;
                let n = j.visible().len();
                j.selected = j.selected.min(n.saturating_sub(1));
            } else {
                app.dirty = false;
            }
            vec![]
        }
        Event::Stats {
            part,
            period,
            figures,
        } => {
            stats::on_report(app, part, period, figures);
            vec![]
        }
        Event::Page { search, page } => {
            let Screen::Journal(j) = &mut app.screen else {
                app.dirty = false;
                return vec![];
            };
            let Some(past) = j.past.as_mut().filter(|p| p.search == search) else {
                // A page left since (or today's list back): dropped.
                app.dirty = false;
                return vec![];
            };
            past.loading = false;
            match page {
                Ok((rows, next)) => {
                    past.next = next;
                    j.rows = rows;
                    let n = j.visible().len();
                    j.selected = j.selected.min(n.saturating_sub(1));
                }
                Err(m) => j.notice = Some(Notice::Failed(m)),
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
                    effects.push(journal::reload(j));
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
        Event::WhatsAppQuote(Ok(quote)) => {
            // Asked over the screen it was asked from (the sale's or the journal's detail).
            if matches!(app.screen, Screen::Payment(_) | Screen::Journal(_)) {
                ask::whatsapp(app, quote);
            } else {
                app.dirty = false;
            }
            vec![]
        }
        Event::WhatsAppQuote(Err(message)) => {
            match &mut app.screen {
                Screen::Payment(p) => p.notice = Some(message),
                Screen::Journal(j) => j.notice = Some(Notice::Failed(message)),
                _ => app.dirty = false,
            }
            vec![]
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
                    effects.push(journal::reload(j));
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
        Event::Drawer(reply) => drawer::on_reply(app, reply),
        Event::Z(result) => close::on_reply(app, result),
        Event::MoneyGramFound(result) => moneygram::on_found(app, result),
        Event::MoneyGramQuoted(result) => moneygram::on_quoted(app, result),
        Event::Key(key) => on_key(app, key),
        Event::Paste(text) => super::screens::paste::on_paste(app, &text),
        // Ctrl-C outside a kiosk: leave, after a question when sales are pending (a second
        // Ctrl-C answers it).
        Event::Interrupt if matches!(app.ask, Some(ask::Question::Quit { .. })) => {
            app.ask = None;
            app.quit = true;
            vec![Effect::Quit]
        }
        Event::Interrupt => ask::quit(app),
        Event::For { external_id, event } => {
            let ours = matches!(&app.screen, Screen::Payment(p)
                if p.external_id.as_deref() == Some(external_id.as_str())
                    || p.row.as_ref().is_some_and(|r| r.external_id == external_id));
            if ours {
                apply(app, *event)
            } else {
                // Another sale's screen (or none): the journal and the count tell the rest.
                app.dirty = false;
                vec![Effect::CountPending]
            }
        }
        Event::Duplicate { status, age_secs } => {
            if let Screen::Payment(p) = &mut app.screen
                && p.row.is_none()
            {
                // Nothing was recorded or sent: the next try gets its own id.
                p.external_id = None;
                app.ask = Some(ask::Question::Duplicate { status, age_secs });
            } else {
                app.dirty = false;
            }
            vec![]
        }
        // The engine's events concern the screens that watch a row (`on_engine`).
        Event::Link(LinkEvent::Engine(e)) => on_engine(app, e),
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
        // Its row, or the sale still being sent: a callback may settle it before the
        // reply comes back.
        Screen::Payment(p) => p
            .row
            .as_ref()
            .map(|r| r.external_id.clone())
            .or_else(|| p.external_id.clone()),
        Screen::Journal(j) => j.detail.as_ref().map(|(id, _)| id.clone()),
        _ => None,
    };
    app.dirty = false;
    match event {
        EngineEvent::Changed {
            external_id,
            status,
        } => {
            let settled = crate::domain::TxStatus::parse(&status).filter(|s| s.is_final());
            if let Some(status) = settled {
                // Money moved (or a figure is settled): the header's balance is read again.
                effects.push(Effect::FetchBalance);
                announce(app, &external_id, status, watched.as_deref(), &mut effects);
            }
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
    if let Screen::Journal(j) = &app.screen {
        effects.push(journal::reload(j));
    }
    effects
}

/// A sale the cashier left unsettled has settled: a line on whatever screen is up and the
/// bell (unless its own payment screen is up again: that screen says it and rings).
fn announce(
    app: &mut App,
    external_id: &str,
    status: crate::domain::TxStatus,
    watched: Option<&str>,
    effects: &mut Vec<Effect>,
) {
    let Some(i) = app.left.iter().position(|l| l.external_id == external_id) else {
        return;
    };
    let left = app.left.remove(i);
    let on_its_screen = watched == Some(external_id) && matches!(app.screen, Screen::Payment(_));
    if !on_its_screen {
        app.announce = Some(left.settled(status, app.lang));
        app.dirty = true;
        effects.push(Effect::Bell);
    }
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if let Some(effects) = gate::on_key(app, key) {
        return effects;
    }
    // The announcement of a settled sale was read: the next key puts it away.
    if app.announce.take().is_some() {
        app.dirty = true;
    }
    if app.ask.is_some() {
        return match ask::key(app, key) {
            Some((question, answer)) => answered(app, question, answer),
            None => vec![],
        };
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
        Screen::Catalogue => catalogue::key(app, key),
        Screen::Entry(_) => entry::key(app, key),
        Screen::Bills(_) => bills::key(app, key),
        Screen::Payment(_) => payment::key(app, key),
        Screen::Journal(_) => journal::key(app, key),
        Screen::MoneyGram(_) => moneygram::key(app, key),
        Screen::Drawer(_) => drawer::key(app, key),
        Screen::Close(_) => close::key(app, key),
        Screen::Stats(_) => stats::key(app, key),
        Screen::Connecting | Screen::Login(_) => vec![],
    }
}

/// What the cashier's answer to a question does.
fn answered(app: &mut App, question: ask::Question, answer: ask::Answer) -> Vec<Effect> {
    use ask::{Answer, Question};
    let lang = app.lang;
    match (question, answer) {
        (Question::Quit { .. }, Answer::Yes) => {
            app.quit = true;
            vec![Effect::Quit]
        }
        (Question::Refund { external_id, .. }, Answer::Yes) => {
            let requested = lang.tr("Remboursement demandé…", "Refund requested…");
            match &mut app.screen {
                Screen::Payment(p) => p.notice = Some(requested.into()),
                Screen::Journal(j) => j.notice = Some(Notice::Done(requested.into())),
                _ => {}
            }
            // Then the session's rules: a supervisor's PIN at a cashier's counter.
            vec![Effect::Refund(external_id)]
        }
        (Question::WhatsApp { sale, phone, .. }, Answer::Yes) => {
            let sending = lang.tr(
                "Envoi du reçu par WhatsApp…",
                "Sending the receipt by WhatsApp…",
            );
            match &mut app.screen {
                Screen::Payment(p) => p.notice = Some(sending.into()),
                Screen::Journal(j) => j.notice = Some(Notice::Done(sending.into())),
                _ => {}
            }
            vec![Effect::SendWhatsApp { sale, phone }]
        }
        (Question::Duplicate { .. }, Answer::Yes) => payment::send_again(app),
        (Question::CloseDrawer { cash }, Answer::Yes) => drawer::close(app, cash),
        (Question::SealZ { .. }, Answer::Yes) => close::seal(app),
        // Back to the form, as it was typed: the cashier checks it with the customer.
        (Question::Duplicate { .. }, Answer::No) => {
            if let Screen::Payment(p) = &app.screen
                && p.row.is_none()
            {
                let (tile, order) = (p.tile, p.order.clone());
                open_tile(app, tile);
                if let Screen::Entry(e) = &mut app.screen {
                    e.fill(&order);
                } else {
                    app.screen = Screen::Catalogue;
                }
            }
            vec![]
        }
        (_, Answer::No) => vec![],
    }
}

/// The keys of the current screen, for the help: (keys, action), from the same tables as
/// the screens' key handling.
pub fn keys(app: &App) -> Vec<(&'static str, &'static str)> {
    hints(app).into_iter().map(|h| (h.keys, h.action)).collect()
}

/// The keys of the current screen as the footer fits them (which is the way out).
pub fn hints(app: &App) -> Vec<Hint> {
    let lang = app.lang;
    let screen = match &app.screen {
        Screen::Catalogue => keys::hints(catalogue::KEYS, lang),
        Screen::Entry(e) if e.confirming => keys::hints(entry::CONFIRM_KEYS, lang),
        Screen::Entry(e) if e.on_choice() => keys::hints(entry::CHOICE_KEYS, lang),
        Screen::Entry(_) => keys::hints(entry::KEYS, lang),
        Screen::Bills(_) => keys::hints(bills::KEYS, lang),
        Screen::Payment(_) => keys::hints(payment::KEYS, lang),
        Screen::Journal(j) if j.reversal.is_some() => keys::hints(reversal::KEYS, lang),
        Screen::Journal(j) if j.claim.is_some() => keys::hints(journal::CLAIM_KEYS, lang),
        Screen::Journal(j) if j.detail.is_some() => keys::hints(journal::DETAIL_KEYS, lang),
        Screen::Journal(j) if j.editing_filter => keys::hints(journal::FILTER_KEYS, lang),
        Screen::Journal(j) if j.dates.is_some() => keys::hints(journal::past::DATES_KEYS, lang),
        Screen::Journal(_) => keys::hints(journal::LIST_KEYS, lang),
        Screen::Stats(_) => keys::hints(stats::KEYS, lang),
        Screen::MoneyGram(m) => match &m.stage {
            MgStage::Reference { .. } => keys::hints(mg_keys::REFERENCE_KEYS, lang),
            MgStage::Identity {
                confirming: true, ..
            } => keys::hints(mg_keys::CONFIRM_KEYS, lang),
            MgStage::Identity { .. } => keys::hints(mg_keys::IDENTITY_KEYS, lang),
            MgStage::Parties { .. } => keys::hints(mg_keys::PARTIES_KEYS, lang),
            MgStage::Quoted { .. } => keys::hints(mg_keys::QUOTED_KEYS, lang),
        },
        Screen::Drawer(d) => keys::hints(drawer::keys_of(d), lang),
        Screen::Close(c) => keys::hints(close::keys_of(c), lang),
        Screen::Connecting => vec![],
        Screen::Login(_) => keys::hints(gate::LOGIN_KEYS, lang),
    };
    // A question takes every key: its answers are all the footer shows.
    if let Some(question) = &app.ask {
        return keys::hints(ask::keys_of(question), lang);
    }
    // The login, the lock and the supervisor's PIN take every key (the help included, so
    // it is not offered there): their own keys only.
    if app.gate.locked.is_some() {
        return keys::hints(gate::LOCK_KEYS, lang);
    }
    if app.gate.prompt.is_some() {
        return keys::hints(gate::PROMPT_KEYS, lang);
    }
    if matches!(app.screen, Screen::Login(_)) {
        return screen;
    }
    let mut all = if matches!(app.screen, Screen::Catalogue) {
        keys::hints(catalogue::HELP, lang)
    } else {
        keys::hints(HELP, lang)
    };
    all.extend(screen);
    all
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod gate_tests;

#[cfg(test)]
mod moneygram_tests;

#[cfg(test)]
mod keys_tests;

#[cfg(test)]
mod safety_tests;

#[cfg(test)]
mod card_tests;

#[cfg(test)]
mod settle_tests;

#[cfg(test)]
mod whatsapp_tests;

#[cfg(test)]
mod drawer_tests;

#[cfg(test)]
pub(crate) mod close_tests;

#[cfg(test)]
mod history_tests;

#[cfg(test)]
mod stats_tests;
