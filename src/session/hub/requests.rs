//! What a logged-in cashier may ask, and the service's answer: the requests after the
//! login, each checked against who asks (their own sales, a supervisor's rights) before it
//! reaches the engine.
//!
//! One file, just past 600 lines: one `match` over the request kinds (each arm its rights
//! check and the call) and the three answers too long for an arm (receipt, close, drawer).
//! Split by kind, the rights checks that must be read together would be scattered.

use super::*;
use crate::session::protocol::{DrawerAsk, DrawerReply};

impl Session {
    pub(super) async fn handle_logged_in(
        &self,
        request: Request,
        me: Cashier,
        now: i64,
    ) -> Response {
        let engine = self.hub.engine.clone();
        let err = |e: &dyn std::fmt::Display| {
            Response::Error(Problem::Other {
                message: e.to_string(),
            })
        };
        match request {
            Request::Hello { .. }
            | Request::Login { .. }
            | Request::Resume { .. }
            | Request::Logout => Response::Error(Problem::AlreadyHandled),
            Request::Unlock { pin } => {
                let terminal = lock(&self.terminal).clone();
                let name = me.name.clone();
                let uid = self.peer.uid;
                match self
                    .hub
                    .pin_call(move |j| {
                        let caller = staff::Caller {
                            uid,
                            terminal: &terminal,
                        };
                        Ok(staff::login(j, &name, pin.expose(), caller, now))
                    })
                    .await
                {
                    Ok(Ok(_)) => Response::Done,
                    Ok(Err(e)) => Response::Denied(e.into()),
                    Err(e) => err(&e),
                }
            }
            Request::Supervisor { pin } => match self.supervisor(&me, pin, now).await {
                Ok(s) => Response::Supervisor(s),
                Err(m) => Response::Denied(m),
            },
            Request::Balance => match engine.balance().await {
                Ok(balance) => Response::Balance(balance),
                Err(e) => Response::Error(Problem::from(&e)),
            },
            Request::Bills { service, account } => {
                match engine.pending_bills(&service, &account).await {
                    Ok(bills) => Response::Bills(bills),
                    Err(e) => Response::Error(Problem::from(&e)),
                }
            }
            Request::Pay {
                order,
                external_id,
                allow_duplicate,
            } => {
                let repeat = if allow_duplicate {
                    Repeat::Allow
                } else {
                    Repeat::Refuse
                };
                match engine
                    .pay_checked(order, &self.actor(&me), external_id, repeat)
                    .await
                {
                    Ok(outcome) => Response::Paid(outcome.into()),
                    Err(e) => not_done(e),
                }
            }
            Request::Get { external_id } => match self.own_row(&me, &external_id).await {
                Ok(row) => Response::Row(Some(row.into())),
                Err(Response::Error(_)) => Response::Row(None),
                Err(refusal) => refusal,
            },
            Request::Refresh { external_id } => {
                if let Err(refusal) = self.own_row(&me, &external_id).await {
                    return refusal;
                }
                match engine.refresh(&external_id).await {
                    Ok(row) => Response::Row(row.map(Into::into)),
                    Err(e) => err(&e),
                }
            }
            Request::Journal { since } => {
                // A cashier sees their own sales; a supervisor, the whole shop's.
                let own = (!me.is_supervisor()).then(|| me.name.clone());
                match engine
                    .journal(move |j| {
                        let rows = j.list_since(since, JOURNAL_LIMIT)?;
                        Ok(match own {
                            Some(name) => rows.into_iter().filter(|r| r.cashier == name).collect(),
                            None => rows,
                        })
                    })
                    .await
                {
                    Ok(rows) => Response::Rows(rows.into_iter().map(Into::into).collect()),
                    Err(e) => err(&e),
                }
            }
            Request::Events { external_id } => {
                if let Err(refusal) = self.own_row(&me, &external_id).await {
                    return refusal;
                }
                let id = external_id.clone();
                match engine.journal(move |j| j.events(&id)).await {
                    Ok(events) => Response::Events {
                        external_id,
                        lines: events.into_iter().map(Into::into).collect(),
                    },
                    Err(e) => err(&e),
                }
            }
            Request::History { search } => {
                // As the journal: a cashier's own sales, a supervisor's whole shop.
                let own = (!me.is_supervisor()).then(|| me.name.clone());
                match engine
                    .journal(move |j| j.search_page(&search, own.as_deref()))
                    .await
                {
                    Ok(page) => Response::Page {
                        rows: page.rows.into_iter().map(Into::into).collect(),
                        next: page.next,
                    },
                    Err(e) => err(&e),
                }
            }
            Request::Export {
                period,
                format,
                after,
            } => {
                // As the journal: a cashier's own sales, a supervisor's whole shop.
                let own = (!me.is_supervisor()).then(|| me.name.clone());
                let first = after.is_none();
                let page = engine
                    .journal(move |j| {
                        j.export_rows(period, after.as_ref(), EXPORT_PIECE, own.as_deref())
                    })
                    .await;
                let page = match page {
                    Ok(page) => page,
                    Err(e) => return err(&e),
                };
                match crate::report::export::piece(format, &page.rows, first, page.next.is_none()) {
                    // The writers write UTF-8 only.
                    Ok(bytes) => Response::ExportPiece {
                        text: String::from_utf8_lossy(&bytes).into_owned(),
                        next: page.next,
                    },
                    Err(e) => err(&e),
                }
            }
            Request::Report { period, by } => {
                // As the journal: a cashier's own sales, a supervisor's whole shop.
                let own = (!me.is_supervisor()).then(|| me.name.clone());
                match engine
                    .journal(move |j| j.report(period, by, own.as_deref()))
                    .await
                {
                    Ok(report) => Response::Report(report),
                    Err(e) => err(&e),
                }
            }
            Request::PendingCount => match engine.journal(|j| j.unsettled()).await {
                Ok(rows) => {
                    let review = rows.iter().filter(|r| r.status == TxStatus::Review).count();
                    Response::Unsettled {
                        pending: rows.len() - review,
                        review,
                    }
                }
                Err(e) => err(&e),
            },
            Request::Refund {
                external_id,
                supervisor_pin,
                refund_id,
            } => {
                let by = match self.refunder(&me, supervisor_pin, now).await {
                    Ok(by) => by,
                    Err(refusal) => return refusal,
                };
                if let Err(refusal) = self.own_row(&by, &external_id).await {
                    return refusal;
                }
                match engine
                    .refund(&external_id, &self.actor(&by), refund_id)
                    .await
                {
                    Ok(outcome) => Response::Refunded(outcome.into()),
                    Err(e) => not_done(e),
                }
            }
            Request::Receipt {
                external_id,
                print,
                width,
            } => {
                if let Err(refusal) = self.own_row(&me, &external_id).await {
                    return refusal;
                }
                self.receipt(external_id, print, width, &me, now).await
            }
            Request::WhatsAppReceipt {
                external_id,
                phone,
                send,
                message_id,
            } => {
                if let Err(refusal) = self.own_row(&me, &external_id).await {
                    return refusal;
                }
                if !send {
                    return match engine.receipt_message(&external_id, phone.as_deref()).await {
                        Ok(answer) => Response::ReceiptMessage(answer),
                        Err(e) => Response::Error(Problem::from(&e)),
                    };
                }
                match engine
                    .send_receipt_message(
                        &external_id,
                        phone.as_deref(),
                        &self.actor(&me),
                        message_id,
                    )
                    .await
                {
                    Ok(Ok(outcome)) => Response::Paid(outcome.into()),
                    Ok(Err(none)) => Response::ReceiptMessage(Err(none)),
                    Err(e) => not_done(e),
                }
            }
            Request::Close { ask, print, width } => {
                if !me.is_supervisor() {
                    return Response::Denied(Problem::SupervisorOnly);
                }
                self.close(ask, print, width, &me, now).await
            }
            Request::Claim {
                external_id,
                subject,
                message,
            } => {
                if let Err(refusal) = self.own_row(&me, &external_id).await {
                    return refusal;
                }
                match engine
                    .claim(&external_id, &subject, &message, &self.actor(&me))
                    .await
                {
                    Ok(message) => Response::Message(message),
                    Err(e) => Response::Error(Problem::from(&e)),
                }
            }
            Request::Drawer(ask) => self.drawer(ask, &me, now).await,
            Request::MoneyGramReception { reference } => {
                crate::session::moneygram::transfer(engine.moneygram_lookup(&reference).await)
            }
            Request::MoneyGramQuote {
                amount,
                sender,
                receiver,
            } => crate::session::moneygram::quote(
                engine
                    .moneygram_quote(amount, &sender, &receiver, &self.actor(&me))
                    .await,
            ),
            // Cashier-level, as any sale.
            Request::MoneyGramPayout { order, external_id } => {
                match engine
                    .moneygram_payout(order, &self.actor(&me), external_id)
                    .await
                {
                    Ok(outcome) => Response::Paid(outcome.into()),
                    Err(e) => not_done(e),
                }
            }
            Request::MoneyGramSend { order, external_id } => {
                match engine
                    .moneygram_send(order, &self.actor(&me), external_id)
                    .await
                {
                    Ok(outcome) => Response::Paid(outcome.into()),
                    Err(e) => not_done(e),
                }
            }
            // A reversal gives money back: a supervisor's, as a refund.
            Request::MoneyGramReversal {
                external_id,
                reversal,
                supervisor_pin,
                refund_id,
            } => {
                let by = match self.refunder(&me, supervisor_pin, now).await {
                    Ok(by) => by,
                    Err(refusal) => return refusal,
                };
                if let Err(refusal) = self.own_row(&by, &external_id).await {
                    return refusal;
                }
                match engine
                    .moneygram_reversal(&external_id, &reversal, &self.actor(&by), refund_id)
                    .await
                {
                    Ok(outcome) => Response::Refunded(outcome.into()),
                    Err(e) => not_done(e),
                }
            }
            Request::Seen { external_id } => {
                // Only the cashier who made the sale can mark it seen (it is brought back
                // to them, not to whoever looks at it).
                let name = me.name.clone();
                match engine
                    .journal(move |j| j.mark_seen_by(&external_id, &name, now))
                    .await
                {
                    Ok(()) => Response::Done,
                    Err(e) => err(&e),
                }
            }
            Request::Unseen => {
                let name = me.name.clone();
                match engine.journal(move |j| j.unseen_sale(&name)).await {
                    Ok(row) => Response::Row(row.map(Into::into)),
                    Err(e) => err(&e),
                }
            }
            Request::AddCashier { name, role, pin } => {
                if !me.is_supervisor() {
                    return Response::Denied(Problem::SupervisorOnly);
                }
                if let Err(m) = staff::check_name(&name).and(staff::check_pin(pin.expose())) {
                    return Response::Error(Problem::Invalid { messages: vec![m] });
                }
                let by = self.actor(&me);
                let hash = match tokio::task::spawn_blocking(move || staff::hash_pin(pin.expose()))
                    .await
                {
                    Ok(Ok(h)) => h,
                    Ok(Err(m)) => return Response::Error(Problem::Other { message: m }),
                    Err(e) => return err(&e),
                };
                match engine
                    .journal(move |j| j.add_cashier(&name, role.as_str(), &hash, by.pair(), now))
                    .await
                {
                    Ok(()) => Response::Done,
                    Err(e) => err(&e),
                }
            }
            Request::ListCashiers => {
                if !me.is_supervisor() {
                    return Response::Denied(Problem::SupervisorOnly);
                }
                match engine.journal(|j| j.cashiers()).await {
                    Ok(list) => Response::Cashiers(list.into_iter().map(Into::into).collect()),
                    Err(e) => err(&e),
                }
            }
            Request::DisableCashier { name } => {
                if !me.is_supervisor() {
                    return Response::Denied(Problem::SupervisorOnly);
                }
                let by = self.actor(&me);
                let target = name.clone();
                match engine
                    .journal(move |j| j.disable_cashier(&target, by.pair(), now))
                    .await
                {
                    Ok(true) => {
                        // Their logins end now (live sessions stop at their next request).
                        lock(&self.hub.tokens)
                            .retain(|_, t| !t.cashier.name.eq_ignore_ascii_case(&name));
                        Response::Done
                    }
                    Ok(false) => Response::Error(Problem::UnknownCashier),
                    Err(e) => err(&e),
                }
            }
        }
    }

    /// A receipt through the service: read from the journal, printed on the service's
    /// printer off the async workers (the engine's journal is not held meanwhile), and the
    /// print recorded. A printer that fails is said; the sale is untouched.
    async fn receipt(
        &self,
        external_id: String,
        print: bool,
        width: Option<usize>,
        me: &Cashier,
        now: i64,
    ) -> Response {
        use crate::journal::receipts;
        use crate::session::view::{Printed, ReceiptReply};
        let engine = self.hub.engine.clone();
        let config = engine.config().clone();
        let (id, shop) = (external_id.clone(), config.shop.clone());
        let receipt = match engine
            .journal(move |j| receipts::prepare(j, &id, &shop))
            .await
        {
            Ok(Ok(receipt)) => receipt,
            Ok(Err(none)) => return Response::Receipt(Err(none)),
            Err(e) => {
                return Response::Error(Problem::Journal {
                    message: e.to_string(),
                });
            }
        };
        let width = width
            .filter(|w| [crate::domain::receipt::NARROW, crate::domain::receipt::WIDE].contains(w))
            .or(config.printer.as_ref().map(|p| p.width))
            .unwrap_or(crate::domain::receipt::NARROW);
        let text = receipt.to_text(width);
        let printed = match (print, config.printer) {
            (false, _) => Printed::NotAsked,
            (true, None) => Printed::NoPrinter,
            (true, Some(mut printer)) => {
                printer.width = width;
                let duplicate = receipt.duplicate;
                let name = crate::printer::name(&printer);
                let job =
                    tokio::task::spawn_blocking(move || crate::printer::print(&printer, &receipt))
                        .await;
                match job {
                    Ok(Ok(())) => {
                        let actor = self.actor(me);
                        let detail = receipts::print_detail(&name, duplicate, width);
                        let id = external_id.clone();
                        let recorded = engine
                            .journal(move |j| j.record_print(&id, &detail, actor.pair(), now))
                            .await;
                        if let Err(e) = recorded {
                            tracing::warn!("impression non journalisée : {e}");
                        }
                        Printed::Done {
                            printer: name,
                            duplicate,
                        }
                    }
                    Ok(Err(e)) => Printed::Failed(e.to_string()),
                    Err(e) => Printed::Failed(e.to_string()),
                }
            }
        };
        Response::Receipt(Ok(ReceiptReply { text, printed }))
    }
}

impl Session {
    /// The close of day through the service: its journal (the supervisor is who closes),
    /// its printer, off the async workers.
    async fn close(
        &self,
        ask: crate::report::z::ZAsk,
        print: bool,
        width: Option<usize>,
        me: &Cashier,
        now: i64,
    ) -> Response {
        use crate::report::z::ZReply;
        use crate::session::view::Printed;
        let engine = self.hub.engine.clone();
        let by = me.name.clone();
        let reply = match engine.journal(move |j| j.z_answer(ask, &by, now)).await {
            Ok(reply) => reply,
            Err(e) => {
                return Response::Error(Problem::Journal {
                    message: e.to_string(),
                });
            }
        };
        let printed = match (&reply, engine.config().printer.clone()) {
            (ZReply::Report { .. }, None) if print => Printed::NoPrinter,
            (ZReply::Report { report, .. }, Some(mut printer)) if print => {
                let width = width
                    .filter(|w| {
                        [crate::domain::receipt::NARROW, crate::domain::receipt::WIDE].contains(w)
                    })
                    .unwrap_or(printer.width);
                printer.width = width;
                let name = crate::printer::name(&printer);
                let lines = report.layout(width);
                match tokio::task::spawn_blocking(move || {
                    crate::printer::print_lines(&printer, lines)
                })
                .await
                {
                    Ok(Ok(())) => Printed::Done {
                        printer: name,
                        duplicate: false,
                    },
                    Ok(Err(e)) => Printed::Failed(e.to_string()),
                    Err(e) => Printed::Failed(e.to_string()),
                }
            }
            _ => Printed::NotAsked,
        };
        Response::Z { reply, printed }
    }
}

impl Session {
    /// The cashier's own drawer: opened and closed with the balance the service reads now
    /// (unreadable: left out of the comparison, the drawer still opens or closes).
    async fn drawer(&self, ask: DrawerAsk, me: &Cashier, now: i64) -> Response {
        let engine = self.hub.engine.clone();
        let name = me.name.clone();
        let balance = || async { engine.balance().await.ok().map(|b| b.floor() as i64) };
        if let DrawerAsk::Open { cash } | DrawerAsk::Close { cash } = ask
            && cash < 0
        {
            return Response::Error(Problem::Invalid {
                messages: vec![format!(
                    "montant invalide « {cash} » : un nombre entier de FCFA, positif ou nul"
                )],
            });
        }
        let result = match ask {
            DrawerAsk::Open { cash } => {
                let balance = balance().await;
                let terminal = lock(&self.terminal).clone();
                engine
                    .journal(move |j| {
                        Ok(match j.open_drawer(&name, &terminal, cash, balance, now)? {
                            Ok(d) => DrawerReply::Opened(d),
                            Err(r) => DrawerReply::Refused(r),
                        })
                    })
                    .await
            }
            DrawerAsk::Status => {
                engine
                    .journal(move |j| {
                        Ok(match j.drawer_status(&name, now)? {
                            Ok(s) => DrawerReply::State(s),
                            Err(r) => DrawerReply::Refused(r),
                        })
                    })
                    .await
            }
            DrawerAsk::All => {
                if !me.is_supervisor() {
                    return Response::Denied(Problem::SupervisorOnly);
                }
                engine
                    .journal(move |j| Ok(DrawerReply::All(j.open_drawers(now)?)))
                    .await
            }
            DrawerAsk::Float => {
                if !me.is_supervisor() {
                    return Response::Denied(Problem::SupervisorOnly);
                }
                // A fresh reading first (recorded, a refill detected with it), unless the
                // gateway cannot be read: the view then stands on the readings before.
                let _ = balance().await;
                let now = engine.now();
                let threshold = self.hub.low_balance;
                let day_start = now - now.rem_euclid(24 * 3_600_000);
                engine
                    .journal(move |j| {
                        Ok(DrawerReply::Float(j.float_view(now, threshold, day_start)?))
                    })
                    .await
            }
            DrawerAsk::Close { cash } => {
                let balance = balance().await;
                engine
                    .journal(move |j| {
                        Ok(match j.close_drawer(&name, cash, balance, now)? {
                            Ok(s) => DrawerReply::Closed(s),
                            Err(r) => DrawerReply::Refused(r),
                        })
                    })
                    .await
            }
        };
        match result {
            Ok(reply) => Response::Drawer(reply),
            Err(e) => Response::Error(journal_problem(e)),
        }
    }
}

/// A send that did not happen: a refusal of the engine's own rules as a problem the app
/// words in its language; anything else as the outcome it had (maybe sent, not sent).
fn not_done(e: crate::engine::EngineError) -> Response {
    match e {
        crate::engine::EngineError::Refused(refusal) => Response::Error(Problem::Refused(refusal)),
        other => Response::NotDone(other.outcome()),
    }
}
