//! A bill's payment: the account number, the unpaid bills found, the one the customer pays
//! (which fills the entry form).

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};
use tui_input::Input;

use super::entry::{EntryState, Field};
use super::keys::{Binding, lookup, shown, typing};
use super::{App, Screen};
use crate::domain::fields as rules;
use crate::money::fcfa;
use crate::session::view::PendingBill;
use crate::tui::catalog::Tile;
use crate::tui::message::Effect;
use crate::tui::theme::Theme;
use crate::tui::widgets::field_line;

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

/// What a key does on the bills' screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Choose,
    Move,
    Back,
    Type,
}

/// One table for the stages: the account is typed, then a bill chosen (after an error, any
/// key goes back to the account, as the screen says).
pub const KEYS: &[Binding<Action>] = &[
    shown(
        &[KeyCode::Enter],
        Action::Choose,
        ("Entrée", "chercher / choisir"),
        ("Enter", "look up / choose"),
    ),
    shown(
        &[KeyCode::Up, KeyCode::Down],
        Action::Move,
        ("↑↓", "facture"),
        ("↑↓", "bill"),
    ),
    shown(
        &[KeyCode::Esc],
        Action::Back,
        ("Échap", "retour"),
        ("Esc", "back"),
    ),
    // The account number: letters and digits, Backspace.
    typing(Action::Type),
];

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let app_lang = app.lang;
    let Screen::Bills(bills) = &mut app.screen else {
        return vec![];
    };
    match (&mut bills.stage, lookup(KEYS, key.code)) {
        (_, Some(Action::Back)) => {
            match bills.stage {
                BillsStage::Account => app.screen = Screen::Catalogue,
                _ => bills.stage = BillsStage::Account,
            }
            vec![]
        }
        (BillsStage::Account, Some(Action::Choose)) => {
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
            let max = crate::domain::fields::FieldKind::AccountNumber.max_chars();
            super::field_text::type_key(&mut bills.account, key, max);
            vec![]
        }
        (
            BillsStage::List {
                bills: list,
                selected,
            },
            Some(Action::Move),
        ) if key.code == KeyCode::Up => {
            *selected = selected.saturating_sub(1);
            let _ = list;
            vec![]
        }
        (
            BillsStage::List {
                bills: list,
                selected,
            },
            Some(Action::Move),
        ) => {
            *selected = (*selected + 1).min(list.len().saturating_sub(1));
            vec![]
        }
        (
            BillsStage::List {
                bills: list,
                selected,
            },
            Some(Action::Choose),
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

pub fn draw(frame: &mut Frame, area: Rect, b: &BillsState, theme: Theme) {
    let buf = frame.buffer_mut();
    let block = Block::bordered().title(Span::styled(
        format!(" {} — {} ", theme.tr("Factures", "Bills"), b.tile.name),
        theme.title(),
    ));
    let inner = block.inner(area);
    block.render(area, buf);
    let label = crate::domain::fields::fields_for(b.tile.code)
        .first()
        .map(|f| match theme.lang {
            crate::i18n::Lang::Fr => f.label,
            crate::i18n::Lang::En => f.label_in(theme.lang),
        })
        .unwrap_or("Numéro de compte");
    let mut lines = vec![
        field_line(
            label,
            b.account.value().to_owned(),
            matches!(b.stage, BillsStage::Account),
            false,
            theme,
        ),
        Line::default(),
    ];
    match &b.stage {
        BillsStage::Account => lines.push(Line::from(Span::styled(
            theme.tr(
                "Entrée pour chercher les factures impayées.",
                "Enter to look up the unpaid bills.",
            ),
            theme.dim(),
        ))),
        BillsStage::Loading => lines.push(Line::from(Span::styled(
            theme.tr("Recherche des factures…", "Looking up the bills…"),
            theme.warn(),
        ))),
        BillsStage::Error(e) => {
            lines.push(Line::from(Span::styled(format!("✗ {e}"), theme.error())));
            lines.push(Line::from(Span::styled(
                theme.tr(
                    "Une touche pour corriger le numéro.",
                    "Any key to correct the number.",
                ),
                theme.dim(),
            )));
        }
        BillsStage::List { bills, selected } => {
            lines.push(Line::from(Span::styled(
                format!(
                    "{} {}",
                    bills.len(),
                    theme.tr(
                        "facture(s) impayée(s) — choisissez celle que le client paie :",
                        "unpaid bill(s): pick the one the customer pays"
                    )
                ),
                theme.title(),
            )));
            for (i, bill) in bills.iter().enumerate() {
                let style = if i == *selected {
                    theme.selected()
                } else {
                    Style::default()
                };
                let infos: Vec<String> = bill
                    .infos
                    .iter()
                    .map(|x| format!("{} : {}", x.label, x.value))
                    .collect();
                lines.push(Line::from(vec![Span::styled(
                    format!(" {:>14}  réf. {} ", fcfa(bill.amount), bill.bill_reference),
                    style,
                )]));
                lines.push(Line::from(Span::styled(
                    format!("     {}", infos.join(" · ")),
                    theme.dim(),
                )));
            }
        }
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
    if matches!(b.stage, BillsStage::Account) {
        let x = inner.x + 2 + 28 + 1 + b.account.visual_cursor() as u16;
        if x < inner.right() {
            frame.set_cursor_position((x, inner.y));
        }
    }
}
