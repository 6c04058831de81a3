//! The cash drawer as a mobile-money agent counts it: each final operation's effect on the
//! cash in the drawer and on the shop's balance at the gateway, and what a drawer should hold.
//! Pure: the journal reads the rows, this decides what they moved (`docs/drawer.md`).
//!
//! Cash and e-money move in opposite directions. A DEBIT service (deposit, bill, airtime,
//! reload, message) is paid by the customer in cash and debits the shop's balance; a CREDIT
//! service (cash-out) credits the balance and the cashier hands out the cash, unless the
//! cash-out paid for goods ([`CashOutUse::Goods`]): then no cash leaves the drawer. A refund
//! reverses its sale on both legs. Whatever did not succeed moved nothing.
//!
//! One exception: what the shop pays for itself. A receipt sent by WhatsApp at the
//! cashier's choice (an operation linked to its sale, [`crate::domain::receipt::RECEIPT_OF`])
//! debits the balance and brings no cash: the customer pays nothing for it.
//!
//! Hence, for every operation, `cash + balance = commission + goods − shop costs`, and for
//! a drawer: `cash + balance = opening cash + opening balance + commissions + goods sold
//! (net) − the shop's own costs`.

use crate::catalog::services::{self, TypeOperation};

use super::{OpKind, TxStatus};

/// What a cash-out was for, where both make sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CashOutUse {
    /// « retrait d'espèces »: the cashier hands the amount out.
    #[default]
    Withdrawal,
    /// « paiement »: the customer pays for goods; no cash leaves the drawer.
    Goods,
}

impl CashOutUse {
    /// The word stored in an operation's fields (`usage`), as the entry form will write it.
    pub const FIELD: &'static str = "usage";

    pub fn as_str(self) -> &'static str {
        match self {
            CashOutUse::Withdrawal => "retrait",
            CashOutUse::Goods => "paiement",
        }
    }

    /// The words stored, in the order the entry form offers them (the default first).
    pub const CHOICES: [&'static str; 2] = ["retrait", "paiement"];

    /// As the cashier reads it, on the form, the summary and the journal.
    pub fn label(self, lang: crate::i18n::Lang) -> &'static str {
        match self {
            CashOutUse::Withdrawal => lang.tr("retrait d'espèces", "cash withdrawal"),
            CashOutUse::Goods => lang.tr(
                "paiement (aucune espèce remise)",
                "payment (no cash handed out)",
            ),
        }
    }

    /// Whether the choice makes sense for this service: a cash-out the customer may make
    /// to take cash or to pay for goods (a wallet's or a card's). Not a MoneyGram payout:
    /// that one is always handed out in cash.
    pub fn applies_to(code: &str) -> bool {
        services::find(code).is_some_and(|s| {
            s.type_operation == TypeOperation::Credit
                && s.type_service == "CASHOUT"
                && !code.starts_with("MONEYGRAM_")
        })
    }

    /// Anything but `paiement` is a withdrawal: the drawer's default is the common case.
    pub fn parse(text: Option<&str>) -> CashOutUse {
        match text {
            Some("paiement") => CashOutUse::Goods,
            _ => CashOutUse::Withdrawal,
        }
    }
}

/// The part of a journal row that decides what it moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawerOp<'a> {
    /// The service code; a refund carries its sale's.
    pub service: &'a str,
    pub kind: OpKind,
    pub status: TxStatus,
    /// In whole FCFA; a refund carries its sale's.
    pub amount: i64,
    /// What the gateway credited the shop for this operation (from its callback), else 0.
    pub commission: i64,
    pub cash_out_use: CashOutUse,
    /// The shop pays it from its balance, no cash comes in: a receipt sent by WhatsApp,
    /// linked to its sale.
    pub paid_by_shop: bool,
}

/// What one operation moved, in whole FCFA; positive into the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Effect {
    /// Into (+) or out of (−) the cash drawer.
    pub cash: i64,
    /// Onto (+) or off (−) the shop's balance at the gateway, commission included.
    pub balance: i64,
    /// The commission part of `balance`.
    pub commission: i64,
    /// Goods paid by cash-out (+), or such a payment refunded (−): value that came in
    /// against goods, neither cash nor commission.
    pub goods: i64,
    /// What the shop paid for itself from its balance (+): a receipt sent by WhatsApp.
    pub shop_costs: i64,
}

impl Effect {
    fn reversed(self) -> Effect {
        Effect {
            cash: -self.cash,
            balance: -self.balance,
            commission: -self.commission,
            goods: -self.goods,
            shop_costs: -self.shop_costs,
        }
    }
}

/// The effect of a sale that went through, by direction and use, without commission.
pub fn sale_effect(direction: TypeOperation, use_: CashOutUse, amount: i64) -> Effect {
    match (direction, use_) {
        // A Debit service has no goods use: the customer always pays it in cash.
        (TypeOperation::Debit, _) => Effect {
            cash: amount,
            balance: -amount,
            ..Effect::default()
        },
        (TypeOperation::Credit, CashOutUse::Withdrawal) => Effect {
            cash: -amount,
            balance: amount,
            ..Effect::default()
        },
        (TypeOperation::Credit, CashOutUse::Goods) => Effect {
            balance: amount,
            goods: amount,
            ..Effect::default()
        },
    }
}

/// What an operation the shop pays for itself moves: its balance only.
pub fn shop_cost(amount: i64) -> Effect {
    Effect {
        balance: -amount,
        shop_costs: amount,
        ..Effect::default()
    }
}

/// What `op` moved. A sale counts once it succeeded, and still counts once refunded (its
/// refund, an operation of its own, reverses it). An unknown service moved nothing we can
/// tell: the drawer's difference at close will show it.
pub fn effect(op: &DrawerOp) -> Effect {
    let Some(service) = services::find(op.service) else {
        return Effect::default();
    };
    let went_through = match op.kind {
        OpKind::Payment => matches!(op.status, TxStatus::Success | TxStatus::Refunded),
        OpKind::Refund => op.status == TxStatus::Success,
    };
    if !went_through {
        return Effect::default();
    }
    let sale = if op.paid_by_shop {
        shop_cost(op.amount)
    } else {
        sale_effect(service.type_operation, op.cash_out_use, op.amount)
    };
    let mut effect = match op.kind {
        OpKind::Payment => sale,
        OpKind::Refund => sale.reversed(),
    };
    effect.balance += op.commission;
    effect.commission += op.commission;
    effect
}

/// A drawer's figures at its opening: the counted float and the balance read then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Opening {
    pub cash: i64,
    pub balance: i64,
}

/// The sum of a drawer's operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Totals {
    pub cash_in: i64,
    pub cash_out: i64,
    pub balance_in: i64,
    pub balance_out: i64,
    pub commissions: i64,
    pub goods: i64,
    /// What the shop paid for itself (receipts sent by WhatsApp).
    pub shop_costs: i64,
    /// Operations that moved something.
    pub counted: u32,
}

impl Totals {
    pub fn add(&mut self, e: Effect) {
        if e.cash >= 0 {
            self.cash_in += e.cash;
        } else {
            self.cash_out -= e.cash;
        }
        if e.balance >= 0 {
            self.balance_in += e.balance;
        } else {
            self.balance_out -= e.balance;
        }
        self.commissions += e.commission;
        self.goods += e.goods;
        self.shop_costs += e.shop_costs;
        if e != Effect::default() {
            self.counted += 1;
        }
    }

    pub fn of<'a>(ops: impl IntoIterator<Item = &'a DrawerOp<'a>>) -> Totals {
        let mut totals = Totals::default();
        for op in ops {
            totals.add(effect(op));
        }
        totals
    }

    /// Opening float + cash in − cash out.
    pub fn expected_cash(&self, opening: Opening) -> i64 {
        opening.cash + self.cash_in - self.cash_out
    }

    pub fn expected_balance(&self, opening: Opening) -> i64 {
        opening.balance + self.balance_in - self.balance_out
    }
}

/// A difference at close: counted (or read) minus expected. Zero is the only good one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub expected: i64,
    pub actual: i64,
}

impl Gap {
    pub fn difference(&self) -> i64 {
        self.actual - self.expected
    }

    pub fn flagged(&self) -> bool {
        self.difference() != 0
    }
}

/// One row of `docs/drawer.md`: a service kind and what a sale of it moves.
pub fn table_rows() -> Vec<(String, String, String, String)> {
    let mut rows: Vec<(String, String, String, String)> = Vec::new();
    for s in services::SERVICES {
        let uses: &[CashOutUse] = match s.type_operation {
            TypeOperation::Debit => &[CashOutUse::Withdrawal],
            TypeOperation::Credit => &[CashOutUse::Withdrawal, CashOutUse::Goods],
        };
        for &use_ in uses {
            let kind = match (s.type_operation, use_) {
                (TypeOperation::Debit, _) => s.type_service.to_owned(),
                (TypeOperation::Credit, u) => format!("{} ({})", s.type_service, u.as_str()),
            };
            let e = sale_effect(s.type_operation, use_, 1);
            let row = (
                kind,
                s.type_operation.as_str().to_owned(),
                sign(e.cash),
                sign(e.balance),
            );
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
    }
    // A message the shop pays for itself: a receipt sent by WhatsApp, linked to its sale.
    let e = shop_cost(1);
    rows.push((
        "MESSENGING_SMS (reçu d'une vente, payé par la boutique)".into(),
        TypeOperation::Debit.as_str().to_owned(),
        sign(e.cash),
        sign(e.balance),
    ));
    rows
}

fn sign(n: i64) -> String {
    match n.signum() {
        1 => "+ montant".into(),
        -1 => "− montant".into(),
        _ => "0".into(),
    }
}

/// The table of `docs/drawer.md`, in Markdown, generated from the catalogue.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| typeService (usage) | typeOperation | tiroir (espèces) | solde passerelle |\n\
         |---|---|---|---|\n",
    );
    for (kind, op, cash, balance) in table_rows() {
        out.push_str(&format!("| {kind} | {op} | {cash} | {balance} |\n"));
    }
    out
}

#[cfg(test)]
mod tests;
