//! Effects run here, as tasks (never on the UI loop: HTTP and SQLite stay off it); their
//! answers come back as events.

use std::io::Write;

use tokio::sync::mpsc;

use crate::domain::Outcome;
use crate::i18n::Lang;
use crate::session::{Link, Request, Response};
use crate::tui::message::{Effect, Event};

/// How a request's answer comes back as an event (if it shows anything).
/// The app's language words the service's problems (the socket carries kinds, not sentences).
type Answer = fn(Response, Lang) -> Option<Event>;

fn answer_error(r: Response, lang: Lang) -> String {
    match (r.problem(), &r) {
        (Some(problem), _) => problem.text(lang),
        (None, Response::NotDone(outcome)) => outcome.message().unwrap_or_default().to_owned(),
        _ => lang
            .tr(
                "réponse inattendue du service",
                "unexpected answer from the service",
            )
            .to_owned(),
    }
}

/// The answer to a sale (a plain one, a MoneyGram payout or send).
fn paid(r: Response, lang: Lang) -> Option<Event> {
    if let Response::Error(crate::session::Problem::Refused(crate::domain::Refusal::Duplicate {
        status,
        age_secs,
        ..
    })) = r
    {
        return Some(Event::Duplicate { status, age_secs });
    }
    Some(Event::Paid(match r {
        Response::Paid(sent) => Ok(sent.operation),
        Response::NotDone(outcome) => Err(outcome),
        Response::Error(crate::session::Problem::ServiceDown) => Err(Outcome::NotSent {
            message: lang
                .tr(
                    "service caisse indisponible : la vente n'est pas partie, réessayez quand \
                     le service sera revenu",
                    "caisse service unavailable: the sale did not leave, try again when the \
                     service is back",
                )
                .to_owned(),
        }),
        Response::Error(crate::session::Problem::ServiceLost) => Err(Outcome::Unknown {
            message: lang
                .tr(
                    "la liaison avec le service s'est coupée pendant l'envoi : la vente est \
                     peut-être partie, ne la refaites pas ; elle s'affichera ici dès le retour \
                     du service",
                    "the link to the service broke while sending: the sale may have left, do \
                     not do it again; it will show here when the service is back",
                )
                .to_owned(),
        }),
        other => Err(Outcome::Failed {
            code: None,
            message: answer_error(other, lang),
        }),
    }))
}

/// What became of a receipt sent by WhatsApp, in a sentence.
fn whatsapp_sent(r: Response, lang: Lang) -> Result<String, String> {
    use crate::domain::TxStatus;
    match r {
        Response::Paid(sent) => {
            let row = sent.operation;
            let cost = row.amount.map(crate::money::fcfa);
            match row.status {
                TxStatus::Success => Ok(match (lang, cost) {
                    (Lang::Fr, Some(c)) => {
                        format!("Reçu envoyé par WhatsApp ({c} payés par la boutique).")
                    }
                    (Lang::Fr, None) => "Reçu envoyé par WhatsApp.".to_owned(),
                    (Lang::En, Some(c)) => {
                        format!("Receipt sent by WhatsApp ({c} paid by the shop).")
                    }
                    (Lang::En, None) => "Receipt sent by WhatsApp.".to_owned(),
                }),
                s if s.is_final() => Err(format!(
                    "{} {}",
                    lang.tr(
                        "Reçu non envoyé par WhatsApp :",
                        "Receipt not sent by WhatsApp:"
                    ),
                    row.error_text(lang)
                        .unwrap_or_else(|| s.label(lang).to_owned())
                )),
                _ => Ok(lang
                    .tr(
                        "Reçu remis à Intech pour WhatsApp : en cours, suivi dans le journal.",
                        "Receipt handed to Intech for WhatsApp: under way, followed in the \
                         journal.",
                    )
                    .to_owned()),
            }
        }
        Response::ReceiptMessage(Err(none)) => Err(none.text(lang)),
        Response::NotDone(outcome) => Err(outcome.message().unwrap_or_default().to_owned()),
        // Its id was chosen here: the journal will show it if it left; never sent again.
        Response::Error(crate::session::Problem::ServiceLost) => Err(lang
            .tr(
                "la liaison avec le service s'est coupée pendant l'envoi : le reçu est \
                 peut-être parti, ne le renvoyez pas ; le journal le dira",
                "the link to the service broke while sending: the receipt may have left, do \
                 not send it again; the journal will tell",
            )
            .to_owned()),
        other => Err(answer_error(other, lang)),
    }
}

/// The answer to a refund (a plain one, a MoneyGram reversal).
fn refunded(r: Response, lang: Lang) -> Option<Event> {
    Some(Event::Refunded(match r {
        Response::Refunded(done) => done.outcome,
        Response::NotDone(outcome) => outcome,
        Response::Error(crate::session::Problem::ServiceLost) => Outcome::Unknown {
            message: lang
                .tr(
                    "la liaison avec le service s'est coupée pendant le remboursement.",
                    "the link to the service broke during the refund.",
                )
                .to_owned(),
        },
        other => Outcome::Failed {
            code: None,
            message: answer_error(other, lang),
        },
    }))
}

/// The request an effect needs, and how its answer comes back as an event.
fn request_of(effect: Effect) -> Option<(Request, Answer)> {
    Some(match effect {
        // Its answer names the page it asked (`history`).
        Effect::LoadHistory(_) | Effect::LoadStats { .. } => return None,
        // The session's rules turned these into their `…As` form first (`gate::guard`).
        Effect::Quit | Effect::Bell | Effect::Refund(_) | Effect::MoneyGramReversal { .. } => {
            return None;
        }
        Effect::FetchBalance => (Request::Balance, |r, lang| {
            Some(Event::Balance(match r {
                Response::Balance(b) => Ok(b),
                other => Err(answer_error(other, lang)),
            }))
        }),
        Effect::FetchBills { service, account } => {
            (Request::Bills { service, account }, |r, lang| {
                Some(Event::Bills(match r {
                    Response::Bills(b) => Ok(b),
                    other => Err(answer_error(other, lang)),
                }))
            })
        }
        // The id is set by `execute`, which tells the app first (`Event::Sending`).
        Effect::Pay {
            order,
            allow_duplicate,
        } => (
            Request::Pay {
                order,
                external_id: None,
                allow_duplicate,
            },
            paid,
        ),
        Effect::MoneyGramPayout(order) => (
            Request::MoneyGramPayout {
                order,
                external_id: None,
            },
            paid,
        ),
        Effect::MoneyGramSend(order) => (
            Request::MoneyGramSend {
                order,
                external_id: None,
            },
            paid,
        ),
        Effect::LoadRow(external_id) => (Request::Get { external_id }, |r, _| match r {
            Response::Row(Some(row)) => Some(Event::Row(row)),
            _ => None,
        }),
        Effect::Refresh(external_id) => (Request::Refresh { external_id }, |r, lang| match r {
            Response::Row(Some(row)) => Some(Event::Row(row)),
            Response::Row(None) => None,
            other => Some(Event::ActionDone(Err(answer_error(other, lang)))),
        }),
        Effect::PrintReceipt(external_id) => (
            Request::Receipt {
                external_id,
                print: true,
                width: None,
            },
            |r, lang| {
                use crate::session::view::Printed;
                Some(Event::ActionDone(match r {
                    Response::Receipt(Ok(reply)) => match reply.printed {
                        Printed::Done {
                            duplicate: false, ..
                        } => Ok(lang.tr("Reçu imprimé.", "Receipt printed.").into()),
                        Printed::Done {
                            duplicate: true, ..
                        } => Ok(lang
                            .tr("Reçu imprimé (DUPLICATA).", "Receipt printed (DUPLICATE).")
                            .into()),
                        Printed::NoPrinter => Err(lang
                            .tr(
                                "Aucune imprimante configurée ([printer] de la configuration).",
                                "No printer configured ([printer] in the configuration).",
                            )
                            .into()),
                        Printed::Failed(message) => Err(message),
                        Printed::NotAsked => Ok(String::new()),
                    },
                    Response::Receipt(Err(none)) => Err(none.to_string()),
                    other => Err(answer_error(other, lang)),
                }))
            },
        ),
        Effect::AskWhatsApp(external_id) => (
            Request::WhatsAppReceipt {
                external_id,
                phone: None,
                send: false,
                message_id: None,
            },
            |r, lang| {
                Some(match r {
                    Response::ReceiptMessage(Ok(quote)) => Event::WhatsAppQuote(Ok(quote)),
                    Response::ReceiptMessage(Err(none)) => {
                        Event::WhatsAppQuote(Err(none.text(lang)))
                    }
                    other => Event::WhatsAppQuote(Err(answer_error(other, lang))),
                })
            },
        ),
        Effect::SendWhatsApp { sale, phone } => (
            Request::WhatsAppReceipt {
                external_id: sale,
                phone: Some(phone),
                send: true,
                // Chosen here: a repeat of this request is answered, never sent again.
                message_id: Some(uuid::Uuid::now_v7().to_string()),
            },
            |r, lang| Some(Event::ActionDone(whatsapp_sent(r, lang))),
        ),
        Effect::LoadJournal => (
            Request::Journal {
                since: crate::journal::start_of_today(),
            },
            |r, _| match r {
                Response::Rows(rows) => Some(Event::Rows(rows)),
                _ => None,
            },
        ),
        Effect::LoadEvents(external_id) => (Request::Events { external_id }, |r, _| match r {
            Response::Events { external_id, lines } => Some(Event::Events(external_id, lines)),
            _ => None,
        }),
        Effect::CountPending => (Request::PendingCount, |r, _| match r {
            Response::Unsettled { pending, review } => Some(Event::PendingCount(pending, review)),
            _ => None,
        }),
        Effect::RefundAs {
            external_id,
            supervisor_pin,
        } => (
            Request::Refund {
                external_id,
                supervisor_pin,
                refund_id: Some(uuid::Uuid::now_v7().to_string()),
            },
            refunded,
        ),
        Effect::MoneyGramReversalAs {
            external_id,
            reversal,
            supervisor_pin,
        } => (
            Request::MoneyGramReversal {
                external_id,
                reversal,
                supervisor_pin,
                refund_id: Some(uuid::Uuid::now_v7().to_string()),
            },
            refunded,
        ),
        Effect::Claim {
            external_id,
            subject,
            message,
        } => (
            Request::Claim {
                external_id,
                subject,
                message,
            },
            |r, lang| {
                Some(Event::ActionDone(match r {
                    Response::Message(m) => Ok(m),
                    other => Err(answer_error(other, lang)),
                }))
            },
        ),
        Effect::Z { ask, print } => (
            Request::Close {
                ask,
                print,
                width: None,
            },
            |r, lang| {
                Some(Event::Z(match r {
                    Response::Z { reply, printed } => Ok((reply, printed)),
                    Response::Denied(crate::session::Problem::SupervisorOnly) => Err(lang
                        .tr(
                            "La clôture de caisse est réservée au superviseur : qu'il se \
                             connecte à ce poste.",
                            "The close of day is for supervisors only: have one log in at \
                             this counter.",
                        )
                        .into()),
                    other => Err(answer_error(other, lang)),
                }))
            },
        ),
        Effect::MoneyGramReception(reference) => {
            (Request::MoneyGramReception { reference }, |r, lang| {
                Some(Event::MoneyGramFound(match r {
                    Response::MoneyGramTransfer(found) => Ok(found),
                    other => Err(answer_error(other, lang)),
                }))
            })
        }
        Effect::MoneyGramQuote {
            amount,
            sender,
            receiver,
        } => (
            Request::MoneyGramQuote {
                amount,
                sender,
                receiver,
            },
            |r, lang| {
                Some(Event::MoneyGramQuoted(match r {
                    Response::MoneyGramQuote(q) => Ok(q),
                    other => Err(answer_error(other, lang)),
                }))
            },
        ),
        Effect::Login { name, pin } => (Request::Login { name, pin }, |r, lang| {
            Some(Event::LoggedIn(match r {
                Response::LoggedIn { cashier, .. } => Ok(cashier),
                other => Err(answer_error(other, lang)),
            }))
        }),
        Effect::Logout => (Request::Logout, |_, _| None),
        Effect::Unlock(pin) => (Request::Unlock { pin }, |r, lang| {
            Some(Event::Unlocked(match r {
                Response::Done => Ok(()),
                other => Err(answer_error(other, lang)),
            }))
        }),
        Effect::CheckSupervisor(pin) => (Request::Supervisor { pin }, |r, lang| {
            Some(Event::Supervisor(match r {
                Response::Supervisor(s) => Ok(s),
                other => Err(answer_error(other, lang)),
            }))
        }),
        Effect::Drawer(ask) => (Request::Drawer(ask), |r, lang| {
            Some(Event::Drawer(match r {
                Response::Drawer(reply) => Ok(reply),
                other => Err(answer_error(other, lang)),
            }))
        }),
        Effect::Seen(external_id) => (Request::Seen { external_id }, |_, _| None),
        Effect::FetchUnseen => (Request::Unseen, |r, _| match r {
            Response::Row(row) => Some(Event::Unseen(row)),
            _ => None,
        }),
    })
}

/// Re-reads that only refresh what shows (the pending count, the journal list, a row, the
/// balance) run once at a time per kind: asked again while one runs, they run once more
/// after it. A burst of engine events then costs a terminal two requests, not one each
/// (with a hundred terminals on one service, that is what keeps it calm).
#[derive(Default, Clone)]
pub(super) struct Coalesce(
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, bool>>>,
);

impl Coalesce {
    fn key(effect: &Effect) -> Option<String> {
        match effect {
            Effect::CountPending => Some("count".into()),
            Effect::LoadJournal => Some("journal".into()),
            Effect::FetchBalance => Some("balance".into()),
            Effect::LoadRow(id) => Some(format!("row:{id}")),
            _ => None,
        }
    }

    /// True when the caller should run it now; false when one is running (it reruns).
    fn start(&self, key: &str) -> bool {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match map.get_mut(key) {
            Some(again) => {
                *again = true;
                false
            }
            None => {
                map.insert(key.to_owned(), false);
                true
            }
        }
    }

    /// True when it was asked again meanwhile (run once more).
    fn finish(&self, key: &str) -> bool {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match map.get_mut(key) {
            Some(again) if *again => {
                *again = false;
                true
            }
            _ => {
                map.remove(key);
                false
            }
        }
    }
}

/// Runs an effect as a task; its result comes back as an event.
pub(super) fn execute(
    effect: Effect,
    lang: Lang,
    link: &Link,
    tx: &mpsc::UnboundedSender<Event>,
    coalesce: &Coalesce,
) {
    if effect == Effect::Bell {
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x07");
        let _ = out.flush();
        return;
    }
    if let Effect::LoadHistory(search) = effect {
        history(search, lang, link, tx);
        return;
    }
    if let Effect::LoadStats { part, period, by } = effect {
        stats(part, period, by, lang, link, tx);
        return;
    }
    let key = Coalesce::key(&effect);
    if let Some(k) = &key
        && !coalesce.start(k)
    {
        return;
    }
    let Some((mut request, answer)) = request_of(effect) else {
        return;
    };
    let mut chosen = None;
    if let Request::Pay { external_id, .. }
    | Request::MoneyGramPayout { external_id, .. }
    | Request::MoneyGramSend { external_id, .. } = &mut request
    {
        // Chosen here and told to the app before sending: if the answer is lost, the sale
        // is found again by this id (and a repeat is never sent twice).
        let id = uuid::Uuid::now_v7().to_string();
        let _ = tx.send(Event::Sending(id.clone()));
        *external_id = Some(id.clone());
        chosen = Some(id);
    }
    let link = link.clone();
    let tx = tx.clone();
    let coalesce = coalesce.clone();
    tokio::spawn(async move {
        loop {
            if let Some(event) = answer(link.call(request.clone()).await, lang) {
                // A sale's answer names its sale (`Event::For`).
                let event = match &chosen {
                    Some(id) => Event::For {
                        external_id: id.clone(),
                        event: Box::new(event),
                    },
                    None => event,
                };
                let _ = tx.send(event);
            }
            match &key {
                Some(k) if coalesce.finish(k) => continue,
                _ => break,
            }
        }
    });
}

/// A page of a past period: the answer comes back with the search that asked it, so the
/// app drops a page the cashier has already left (PgDn pressed twice, answers crossing).
/// Never coalesced: each page asked is a different request.
fn history(
    search: crate::report::search::Search,
    lang: Lang,
    link: &Link,
    tx: &mpsc::UnboundedSender<Event>,
) {
    let link = link.clone();
    let tx = tx.clone();
    tokio::spawn(async move {
        let page = match link
            .call(Request::History {
                search: search.clone(),
            })
            .await
        {
            Response::Page { rows, next } => Ok((rows, next)),
            other => Err(answer_error(other, lang)),
        };
        let _ = tx.send(Event::Page { search, page });
    });
}

/// A statistics chart's report: the answer names its chart and period.
fn stats(
    part: crate::tui::screens::stats::Part,
    period: crate::report::Period,
    by: crate::report::By,
    lang: Lang,
    link: &Link,
    tx: &mpsc::UnboundedSender<Event>,
) {
    let link = link.clone();
    let tx = tx.clone();
    tokio::spawn(async move {
        let figures = match link.call(Request::Report { period, by }).await {
            Response::Report(report) => Ok(report),
            other => Err(answer_error(other, lang)),
        };
        let _ = tx.send(Event::Stats {
            part,
            period,
            figures,
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Refusal;
    use crate::session::Problem;

    #[test]
    fn a_refusal_of_the_engines_rules_reads_in_the_apps_language() {
        let answer = Response::Error(Problem::Refused(Refusal::AlreadyRefunded));
        let Some(Event::Refunded(Outcome::Failed { message, .. })) =
            refunded(answer.clone(), Lang::En)
        else {
            panic!("a refusal is a failed refund")
        };
        assert_eq!(message, "This sale is already refunded.");
        let Some(Event::Refunded(Outcome::Failed { message, .. })) = refunded(answer, Lang::Fr)
        else {
            panic!("a refusal is a failed refund")
        };
        assert_eq!(message, "Cette vente est déjà remboursée.");
    }
}
