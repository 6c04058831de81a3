//! A sale being paid: the QR and the link for the customer, the countdown, then how it ended
//! and what to do next.

use crossterm::event::{KeyCode, KeyEvent};

use super::keys::{Binding, lookup, shown};
use super::{App, Screen};
use crate::domain::moneygram as mg;
use crate::domain::{Outcome, TxStatus};
use crate::engine::PayOrder;
use crate::money::fcfa;
use crate::session::view::Operation;
use crate::tui::catalog::Tile;
use crate::tui::message::Effect;

/// The customer's time to validate, shown as a countdown.
pub const PAYMENT_WINDOW_MS: i64 = 15 * 60 * 1000;

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

/// A sale the cashier left before it settled (`n` on its payment screen): when it settles,
/// whatever screen is up shows a line about it and the bell rings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftSale {
    pub external_id: String,
    /// What the cashier recognises it by: the tile, the amount, the customer.
    pub label: String,
}

impl LeftSale {
    fn of(p: &PaymentState, external_id: String) -> LeftSale {
        let mut label = p.tile.name.to_owned();
        if let Some(a) = p.order.amount {
            label.push_str(&format!(" {}", fcfa(a)));
        }
        if let Some(phone) = &p.order.phone {
            label.push_str(&format!(" ({phone})"));
        }
        LeftSale { external_id, label }
    }

    /// The line shown when it settled in `status`.
    pub fn settled(&self, status: TxStatus, lang: crate::i18n::Lang) -> String {
        let mark = if status == TxStatus::Success {
            "✓"
        } else {
            "✗"
        };
        format!(
            "{mark} {} {} : {} — {}",
            lang.tr("Vente laissée", "Sale left"),
            self.label,
            status.label(lang),
            lang.tr("F3/j : journal", "F3/j: journal"),
        )
    }
}

/// The payment screen of a recorded sale (the cashier's unfinished sale at login, a pending
/// sale reopened from the journal): its QR and link again. `None` for a service the app does
/// not offer.
pub fn of_row(row: Operation, notice: Option<String>) -> Option<Box<PaymentState>> {
    let code = if row.gateway == crate::domain::GatewayKind::Intram {
        crate::tui::catalog::INTRAM_CODE
    } else {
        row.service.as_str()
    };
    let tile = crate::tui::catalog::all_tiles()
        .into_iter()
        .find(|t| t.code == code)?;
    let fields = row
        .fields
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let order = PayOrder {
        gateway: row.gateway,
        service: row.service.clone(),
        phone: row.phone.clone(),
        amount: row.amount,
        fields,
        description: None,
    };
    Some(Box::new(PaymentState {
        order,
        tile,
        opened_at: row.created_at,
        // The bell already rang, or the cashier was not there to hear it.
        rang: row.status.is_final(),
        external_id: Some(row.external_id.clone()),
        row: Some(row),
        error: None,
        notice,
    }))
}

/// What a key does on the payment screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    New,
    Check,
    Refund,
    Journal,
    /// The receipt on the shop's printer, once the sale is final.
    Print,
    /// The receipt by WhatsApp, its cost asked first, once the sale is final.
    WhatsApp,
}

pub const KEYS: &[Binding<Action>] = &[
    shown(
        &[
            KeyCode::F(2),
            KeyCode::Char('n'),
            KeyCode::Char('N'),
            KeyCode::Esc,
        ],
        Action::New,
        ("F2 n", "nouvelle vente"),
        ("F2 n", "new sale"),
    ),
    shown(
        &[KeyCode::F(5), KeyCode::Char('v'), KeyCode::Char('V')],
        Action::Check,
        ("F5 v", "vérifier"),
        ("F5 v", "re-check"),
    ),
    shown(
        &[KeyCode::F(8), KeyCode::Char('r'), KeyCode::Char('R')],
        Action::Refund,
        ("F8 r", "rembourser"),
        ("F8 r", "refund"),
    ),
    shown(
        &[KeyCode::F(3), KeyCode::Char('j'), KeyCode::Char('J')],
        Action::Journal,
        ("F3 j", "journal"),
        ("F3 j", "journal"),
    ),
    shown(
        &[KeyCode::F(7), KeyCode::Char('i'), KeyCode::Char('I')],
        Action::Print,
        ("F7 i", "reçu"),
        ("F7 i", "receipt"),
    ),
    shown(
        &[KeyCode::F(9), KeyCode::Char('w'), KeyCode::Char('W')],
        Action::WhatsApp,
        ("F9 w", "reçu WhatsApp"),
        ("F9 w", "WhatsApp receipt"),
    ),
];

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let app_lang = app.lang;
    let Screen::Payment(p) = &mut app.screen else {
        return vec![];
    };
    let row = p.row.clone();
    match lookup(KEYS, key.code) {
        Some(Action::New) => {
            // The sale goes on being followed by the engine; the journal shows it. Once
            // settled and left, it is not brought back at the next login. Left unsettled,
            // its settling is announced on whatever screen is up.
            let sent = row
                .as_ref()
                .filter(|r| !r.status.is_final())
                .map(|r| r.external_id.clone())
                .or_else(|| {
                    // Still being sent, or its answer lost: it may yet settle.
                    let open =
                        row.is_none() && matches!(p.error, None | Some(Outcome::Unknown { .. }));
                    p.external_id.clone().filter(|_| open)
                });
            if let Some(id) = sent {
                let left = LeftSale::of(p, id);
                app.left.retain(|l| l.external_id != left.external_id);
                app.left.push(left);
            }
            app.screen = Screen::Catalogue;
            app.filter.clear();
            match row {
                Some(r) if r.status.is_final() => {
                    vec![Effect::CountPending, Effect::Seen(r.external_id)]
                }
                _ => vec![Effect::CountPending],
            }
        }
        Some(Action::Check) => match row {
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
            Some(r) => {
                p.notice = Some(finished(&r, app_lang));
                vec![]
            }
            None => {
                p.notice = Some(
                    app_lang
                        .tr(
                            "Rien à vérifier : la passerelle n'a pas encore répondu.",
                            "Nothing to check yet: the gateway has not answered.",
                        )
                        .into(),
                );
                vec![]
            }
        },
        Some(Action::Refund) => match row {
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
            // Asked first, with what goes back (`ask`); then a supervisor's PIN if needed.
            Some(r) if r.refundable() => {
                super::ask::refund(app, &r);
                vec![]
            }
            _ => {
                p.notice = Some(crate::domain::refund::not_refundable(app_lang).into());
                vec![]
            }
        },
        Some(Action::Journal) => app.open_journal(),
        Some(Action::WhatsApp) => match row {
            Some(r) if r.status.is_final() => {
                p.notice = Some(
                    app_lang
                        .tr(
                            "Coût du reçu par WhatsApp demandé…",
                            "Asking the cost of a WhatsApp receipt…",
                        )
                        .into(),
                );
                vec![Effect::AskWhatsApp(r.external_id)]
            }
            _ => {
                p.notice = Some(
                    app_lang
                        .tr(
                            "Pas de reçu avant le résultat de la vente.",
                            "No receipt before the sale's outcome.",
                        )
                        .into(),
                );
                vec![]
            }
        },
        Some(Action::Print) => match row {
            Some(r) if r.status.is_final() => {
                p.notice = Some(
                    app_lang
                        .tr("Impression du reçu…", "Printing the receipt…")
                        .into(),
                );
                vec![Effect::PrintReceipt(r.external_id)]
            }
            _ => {
                p.notice = Some(
                    app_lang
                        .tr(
                            "Pas de reçu avant le résultat de la vente.",
                            "No receipt before the sale's outcome.",
                        )
                        .into(),
                );
                vec![]
            }
        },
        _ => {
            app.dirty = false;
            vec![]
        }
    }
}

/// What `v` says on a sale that ended: its status is final, nothing more will change it.
pub fn finished(row: &Operation, lang: crate::i18n::Lang) -> String {
    match lang {
        crate::i18n::Lang::Fr => format!(
            "Cette opération est terminée ({}) : rien à vérifier.",
            row.status.label(lang)
        ),
        crate::i18n::Lang::En => format!(
            "This operation is over ({}): nothing to check.",
            row.status.label(lang)
        ),
    }
}

/// The sale on screen, refused as a repeat (nothing recorded), sent again as the cashier
/// confirmed it: a new id, the countdown from now.
pub fn send_again(app: &mut App) -> Vec<Effect> {
    match &mut app.screen {
        Screen::Payment(p) if p.row.is_none() => {
            p.error = None;
            p.external_id = None;
            p.opened_at = app.now;
            vec![Effect::Pay {
                order: p.order.clone(),
                allow_duplicate: true,
            }]
        }
        _ => vec![],
    }
}

mod draw;
pub use draw::draw;
