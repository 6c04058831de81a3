//! The Z report (clôture): what a close of day says of the operations made since the last
//! one. Pure: the journal hands the rows of the period ([`ZBuilder::add`]) and stores the
//! result with its hash chain (`journal::z_reports`); the command line shows, prints and
//! exports it.
//!
//! The totals are the report's ([`Aggregator`]): the same rule decides what counts as
//! succeeded, failed, pending or refunded in `caisse report` and in a Z. An operation
//! counts in the period it was *made* in; one not final at the close is listed by id in
//! `to_follow` (it must be followed up: `caisse reconcile`, then `caisse status ID`).
//!
//! The drawers closed in the period (expected vs counted cash) and the gateway balance read
//! at the first of their openings and the last of their closings are filled in by the
//! journal when it stores the Z (`journal::z_reports::close_day`), with the drawers still
//! open at the close (a warning: their cash is not counted). The commissions come from the
//! callbacks (`commission`), per service, per operator and in total, for the operations
//! that went through. What is unknown stays `None` (a Z stored before the commissions
//! were collected), and the text says « non disponible », never zero.
//!
//! One file, past 600 lines, on purpose: the builder, its totals and the report's canonical
//! text are one hashed format; split, a change to one part could miss the others. Its tests
//! live apart (`z/tests.rs`).

use std::collections::BTreeMap;

use super::{Aggregator, By, Count, Entry, Group, Tally, local_time, service_label};
use crate::domain::receipt::{Line, wrap};
use crate::domain::{OpKind, TxStatus};
use crate::money::fcfa;

/// One Z report. Its canonical JSON (`serde_json::to_string`, fields in this order, groups
/// in key order) is what the journal hashes: change a field here and old reports still
/// verify, since the stored text is what is hashed, not a re-serialisation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ZReport {
    /// Sequential per journal (per shop), from 1, without gaps.
    pub number: i64,
    /// The period, in journal time (ms): `[from, to)`. `from` is the previous Z's `to`, or
    /// the journal's first operation; `to` is the moment of the close.
    pub from: i64,
    pub to: i64,
    pub by_service: Vec<Group>,
    pub by_operator: Vec<Group>,
    pub by_cashier: Vec<Group>,
    /// Per status as the journal holds it (`SUCCESS`, `PENDING`…), in status order.
    pub by_status: Vec<StatusLine>,
    pub total: Tally,
    pub total_net: i64,
    /// Refunds that went through (also in `total.refunded`, repeated for the reader).
    pub refunds: Count,
    /// Every operation not final at the close: to follow.
    pub to_follow: Vec<ToFollow>,
    /// Commissions from the callbacks, in total (`None`: a Z stored before they were
    /// collected).
    pub commissions: Option<i64>,
    /// The same commissions per service and per operator (groups in key order; a group
    /// only when one of its operations carried a commission).
    #[serde(default)]
    pub commissions_by_service: Vec<Commission>,
    #[serde(default)]
    pub commissions_by_operator: Vec<Commission>,
    /// The cashiers' drawers closed in the period (expected vs counted); `None`: none.
    pub drawers: Option<Vec<Drawer>>,
    /// The gateway balance when the period opened and at the close: not yet read.
    pub balance_at_open: Option<i64>,
    pub balance_at_close: Option<i64>,
    /// The drawers still open at the close, by cashier: their cash was not counted (a
    /// warning in every format).
    #[serde(default)]
    pub open_drawers: Vec<OpenDrawer>,
    /// What the reader must not miss, in French (the drawers still open): the same
    /// sentences in the text, the CSV and the JSON.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// The commissions of one service or operator in a period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Commission {
    pub key: String,
    pub label: String,
    /// Operations that carried a commission.
    pub count: u64,
    pub amount: i64,
}

/// A cashier's drawer still open when the Z was made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OpenDrawer {
    pub cashier: String,
    pub opened_at: i64,
    /// The float counted at the opening.
    pub float: i64,
    /// What it should hold at the close (float + cash in − cash out so far).
    pub expected: i64,
}

/// The operations of one status.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatusLine {
    pub status: String,
    pub label: String,
    #[serde(flatten)]
    pub count: Count,
}

/// An operation still open at the close.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ToFollow {
    pub id: String,
    pub service: String,
    pub label: String,
    pub status: String,
    pub kind: String,
    pub cashier: String,
    pub amount: Option<i64>,
    pub created_at: i64,
}

/// What `caisse close` asks: the next Z, a stored one again, or the chain checked; the
/// next Z without storing it (the preview), or the stored ones listed with the chain's
/// check (the close-of-day screen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ZAsk {
    Close,
    Show(i64),
    Verify,
    Preview,
    List,
}

/// The answer to a [`ZAsk`], the same on this machine and through the service.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ZReply {
    /// A Z made now or read again, and its link of the chain.
    Report { report: Box<ZReport>, hash: String },
    /// Nothing made since the last Z (the French sentence): no Z made.
    NothingToClose(String),
    /// No Z of this number.
    NoSuch(i64),
    /// The chain walked: how many reports, and each fault in French (none: it holds).
    Chain { read: i64, faults: Vec<String> },
    /// The next Z as it would be sealed now: not stored, no number taken.
    Preview(Box<ZReport>),
    /// The stored reports, newest first, each marked when the chain's walk found it
    /// altered, and the walk's faults in French (none: the chain holds).
    List {
        reports: Vec<ZSummary>,
        faults: Vec<String>,
    },
}

/// One stored Z in the list of past reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ZSummary {
    pub number: i64,
    pub from: i64,
    pub to: i64,
    pub closed_by: String,
    /// From its stored content (`None`: unreadable, which the chain names too).
    pub operations: Option<u64>,
    pub net: Option<i64>,
    /// Named by the chain's walk: its content no longer matches its link, or it was
    /// rewritten with a fresh link.
    pub altered: bool,
}

/// The place of one cashier's drawer in a Z (filled once the drawer exists).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Drawer {
    pub cashier: String,
    pub expected: i64,
    pub counted: Option<i64>,
}

/// Gathers a Z from the period's rows, handed one at a time.
pub struct ZBuilder {
    number: i64,
    from: i64,
    to: i64,
    service: Aggregator,
    operator: Aggregator,
    cashier: Aggregator,
    status: BTreeMap<TxStatus, Count>,
    to_follow: Vec<ToFollow>,
    commission_service: BTreeMap<String, (u64, i64)>,
    commission_operator: BTreeMap<String, (u64, i64)>,
    commissions: i64,
}

impl ZBuilder {
    pub fn new(number: i64, from: i64, to: i64) -> Self {
        ZBuilder {
            number,
            from,
            to,
            service: Aggregator::new(By::Service),
            operator: Aggregator::new(By::Operator),
            cashier: Aggregator::new(By::Cashier),
            status: BTreeMap::new(),
            to_follow: Vec::new(),
            commission_service: BTreeMap::new(),
            commission_operator: BTreeMap::new(),
            commissions: 0,
        }
    }

    /// One operation of the period (`id`: caisse's own, the one `caisse status` takes) and
    /// the commission its callback gave (0: none). A commission counts when the operation
    /// went through, as in the drawer (`domain::drawer::effect`): a sale succeeded (or
    /// refunded since), a refund succeeded.
    pub fn add(&mut self, id: &str, entry: Entry<'_>, commission: i64) {
        let went_through = match entry.kind {
            OpKind::Payment => matches!(entry.status, TxStatus::Success | TxStatus::Refunded),
            OpKind::Refund => entry.status == TxStatus::Success,
        };
        if went_through && commission != 0 {
            self.commissions += commission;
            for (groups, key) in [
                (&mut self.commission_service, entry.service),
                (
                    &mut self.commission_operator,
                    super::operator(entry.service),
                ),
            ] {
                let (count, amount) = groups.entry(key.to_owned()).or_default();
                *count += 1;
                *amount += commission;
            }
        }
        self.service.add(entry);
        self.operator.add(entry);
        self.cashier.add(entry);
        let count = self.status.entry(entry.status).or_default();
        count.count += 1;
        count.amount += entry.amount.unwrap_or(0);
        if !entry.status.is_final() {
            self.to_follow.push(ToFollow {
                id: id.to_owned(),
                service: entry.service.to_owned(),
                label: service_label(entry.service).to_owned(),
                status: entry.status.as_str().to_owned(),
                kind: match entry.kind {
                    OpKind::Payment => "payment",
                    OpKind::Refund => "refund",
                }
                .to_owned(),
                cashier: entry.cashier.to_owned(),
                amount: entry.amount,
                created_at: entry.created_at,
            });
        }
    }

    pub fn finish(mut self) -> ZReport {
        self.to_follow
            .sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let service = self.service.finish();
        let total = service.total;
        ZReport {
            number: self.number,
            from: self.from,
            to: self.to,
            by_service: service.groups,
            by_operator: self.operator.finish().groups,
            by_cashier: self.cashier.finish().groups,
            by_status: self
                .status
                .into_iter()
                .map(|(status, count)| StatusLine {
                    status: status.as_str().to_owned(),
                    label: status.french().to_owned(),
                    count,
                })
                .collect(),
            total_net: total.net(),
            refunds: total.refunded,
            total,
            to_follow: self.to_follow,
            commissions: Some(self.commissions),
            commissions_by_service: commissions(self.commission_service, true),
            commissions_by_operator: commissions(self.commission_operator, false),
            drawers: None,
            balance_at_open: None,
            balance_at_close: None,
            open_drawers: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

fn commissions(groups: BTreeMap<String, (u64, i64)>, services: bool) -> Vec<Commission> {
    groups
        .into_iter()
        .map(|(key, (count, amount))| Commission {
            label: if services {
                service_label(&key).to_owned()
            } else {
                key.clone()
            },
            key,
            count,
            amount,
        })
        .collect()
}

/// The link of the chain: SHA-256 (hex) of the previous report's link, a new line, and
/// this report's canonical JSON. The first report's previous link is the empty text.
/// Changing a report's content changes its link; recomputing that link to hide it breaks
/// the next report's `prev_hash`.
pub fn chain_hash(prev_hash: &str, content: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(content.as_bytes());
    hex::encode(hasher.finalize())
}

/// `label ........ value` on one line of `width`, or the label (wrapped) then the value
/// right-aligned below when they do not fit.
fn field(out: &mut Vec<Line>, label: &str, value: &str, width: usize) {
    let (l, v) = (label.chars().count(), value.chars().count());
    if l + 1 + v <= width {
        out.push(Line::Text(format!(
            "{label}{}{value}",
            " ".repeat(width - l - v)
        )));
        return;
    }
    text(out, label, width);
    for piece in wrap(value, width) {
        out.push(Line::Text(format!("{piece:>width$}")));
    }
}

/// Plain text, wrapped to `width`.
fn text(out: &mut Vec<Line>, text: &str, width: usize) {
    out.extend(wrap(text, width).into_iter().map(Line::Text));
}

fn groups(out: &mut Vec<Line>, title: &str, groups: &[Group], width: usize) {
    out.push(Line::Title(title.to_owned()));
    if groups.is_empty() {
        out.push(Line::Text("(aucune)".into()));
    }
    for g in groups {
        text(out, &g.label, width);
        let t = &g.tally;
        field(
            out,
            &format!("  {} réussie(s)", t.succeeded.count),
            &fcfa(t.succeeded.amount),
            width,
        );
        if t.refunded.count > 0 {
            field(
                out,
                &format!("  {} remboursement(s)", t.refunded.count),
                &fcfa(t.refunded.amount),
                width,
            );
        }
        if t.failed.count > 0 {
            field(
                out,
                &format!("  {} échouée(s)", t.failed.count),
                &fcfa(t.failed.amount),
                width,
            );
        }
        if t.pending.count > 0 {
            field(
                out,
                &format!("  {} en suspens", t.pending.count),
                &fcfa(t.pending.amount),
                width,
            );
        }
    }
    out.push(Line::Rule);
}

const NOT_YET: &str = "non disponible";
const OPEN_DRAWERS: &str = "ATTENTION : ";

impl ZReport {
    /// The report laid out for a roll of `width` characters (or a terminal), in French:
    /// the same lines for the screen and the printer.
    pub fn layout(&self, width: usize) -> Vec<Line> {
        let width = width.max(20);
        let mut out = vec![
            Line::Title(format!("RAPPORT Z N° {:06}", self.number)),
            Line::Center("Clôture de caisse".into()),
            Line::Rule,
        ];
        field(&mut out, "Du", &local_time(self.from), width);
        field(&mut out, "Au", &local_time(self.to), width);
        out.push(Line::Rule);
        out.push(Line::Title("TOTAUX".into()));
        field(
            &mut out,
            "Opérations",
            &self.total.operations.to_string(),
            width,
        );
        let t = &self.total;
        for (label, c) in [
            ("Réussies", t.succeeded),
            ("Échouées", t.failed),
            ("En suspens", t.pending),
            ("Remboursements", self.refunds),
        ] {
            field(
                &mut out,
                &format!("{label} ({})", c.count),
                &fcfa(c.amount),
                width,
            );
        }
        field(&mut out, "Net", &fcfa(self.total_net), width);
        field(
            &mut out,
            "Commissions",
            &self.commissions.map(fcfa).unwrap_or_else(|| NOT_YET.into()),
            width,
        );
        out.push(Line::Rule);
        groups(&mut out, "PAR SERVICE", &self.by_service, width);
        groups(&mut out, "PAR OPÉRATEUR", &self.by_operator, width);
        groups(&mut out, "PAR CAISSIER", &self.by_cashier, width);
        if self.commissions.is_some_and(|c| c != 0) {
            out.push(Line::Title("COMMISSIONS".into()));
            for (title, list) in [
                ("Par service", &self.commissions_by_service),
                ("Par opérateur", &self.commissions_by_operator),
            ] {
                text(&mut out, title, width);
                for c in list {
                    field(
                        &mut out,
                        &format!("  {} ({})", c.label, c.count),
                        &fcfa(c.amount),
                        width,
                    );
                }
            }
            field(
                &mut out,
                "Total",
                &self.commissions.map(fcfa).unwrap_or_default(),
                width,
            );
            out.push(Line::Rule);
        }
        out.push(Line::Title("PAR STATUT".into()));
        for s in &self.by_status {
            field(
                &mut out,
                &format!("{} ({})", s.label, s.count.count),
                &fcfa(s.count.amount),
                width,
            );
        }
        out.push(Line::Rule);
        out.push(Line::Title("TIROIRS".into()));
        match &self.drawers {
            None if !self.open_drawers.is_empty() => {}
            None => out.push(Line::Text(format!("Tiroirs : {NOT_YET}"))),
            Some(drawers) => {
                for d in drawers {
                    text(&mut out, &d.cashier, width);
                    field(&mut out, "  attendu", &fcfa(d.expected), width);
                    let counted = d.counted.map(fcfa).unwrap_or_else(|| "non compté".into());
                    field(&mut out, "  compté", &counted, width);
                }
            }
        }
        if !self.open_drawers.is_empty() {
            for warning in &self.warnings {
                text(&mut out, warning, width);
            }
            for d in &self.open_drawers {
                text(&mut out, &format!("{} (ouvert)", d.cashier), width);
                field(&mut out, "  depuis", &local_time(d.opened_at), width);
                field(&mut out, "  fond", &fcfa(d.float), width);
                field(&mut out, "  attendu", &fcfa(d.expected), width);
            }
        }
        for (label, balance) in [
            ("Solde à l'ouverture", self.balance_at_open),
            ("Solde à la clôture", self.balance_at_close),
        ] {
            let value = balance.map(fcfa).unwrap_or_else(|| NOT_YET.into());
            field(&mut out, label, &value, width);
        }
        out.push(Line::Rule);
        out.push(Line::Title(format!(
            "À SUIVRE ({}) : PAS FINALES",
            self.to_follow.len()
        )));
        if self.to_follow.is_empty() {
            out.push(Line::Text("Aucune opération en suspens.".into()));
        }
        for f in &self.to_follow {
            text(&mut out, &f.id, width);
            let status = TxStatus::parse(&f.status)
                .map(|s| s.french())
                .unwrap_or(&f.status);
            field(
                &mut out,
                &format!("  {} · {status}", f.label),
                &f.amount.map(fcfa).unwrap_or_default(),
                width,
            );
        }
        out
    }

    /// Sets the drawers still open at the close, and the warning that says so.
    pub fn set_open_drawers(&mut self, open: Vec<OpenDrawer>) {
        self.warnings.retain(|w| !w.starts_with(OPEN_DRAWERS));
        if !open.is_empty() {
            self.warnings.push(format!(
                "{OPEN_DRAWERS}{} tiroir(s) encore ouvert(s) à la clôture, espèces non \
                 comptées (fermez-les : « caisse drawer close --cash N »)",
                open.len()
            ));
        }
        self.open_drawers = open;
    }

    /// As plain text for a terminal (`width` columns).
    pub fn to_text(&self, width: usize) -> String {
        let mut out = String::new();
        for line in self.layout(width) {
            match line {
                Line::Title(t) | Line::Center(t) => {
                    let pad = width.saturating_sub(t.chars().count()) / 2;
                    out.push_str(&format!("{}{t}\n", " ".repeat(pad)));
                }
                Line::Text(t) => out.push_str(&format!("{t}\n")),
                Line::Rule => out.push_str(&format!("{}\n", "-".repeat(width))),
                Line::Qr(_) => {}
            }
        }
        out
    }

    /// The report as rows for a spreadsheet, one measure a row (a pivot table reads it as
    /// is): `Rubrique; Clé; Libellé; Mesure; Nombre; Montant`. Amounts are plain FCFA
    /// integers; what is not available yet has an empty amount.
    pub fn csv_rows(&self) -> Vec<[String; 6]> {
        let row = |a: &str, b: &str, c: &str, d: &str, n: String, m: String| {
            [a.into(), b.into(), c.into(), d.into(), n, m]
        };
        let mut rows = vec![
            row(
                "Rapport Z",
                &self.number.to_string(),
                "",
                "numéro",
                String::new(),
                String::new(),
            ),
            row(
                "Période",
                &local_time(self.from),
                &local_time(self.to),
                "du / au",
                String::new(),
                String::new(),
            ),
        ];
        let tally =
            |rows: &mut Vec<[String; 6]>, section: &str, key: &str, label: &str, t: &Tally| {
                for (measure, c) in [
                    ("réussies", t.succeeded),
                    ("échouées", t.failed),
                    ("en suspens", t.pending),
                    ("remboursements", t.refunded),
                ] {
                    rows.push(row(
                        section,
                        key,
                        label,
                        measure,
                        c.count.to_string(),
                        c.amount.to_string(),
                    ));
                }
                rows.push(row(
                    section,
                    key,
                    label,
                    "net",
                    t.operations.to_string(),
                    t.net().to_string(),
                ));
            };
        tally(&mut rows, "Total", "", "", &self.total);
        for (section, list) in [
            ("Service", &self.by_service),
            ("Opérateur", &self.by_operator),
            ("Caissier", &self.by_cashier),
        ] {
            for g in list {
                tally(&mut rows, section, &g.key, &g.label, &g.tally);
            }
        }
        for s in &self.by_status {
            rows.push(row(
                "Statut",
                &s.status,
                &s.label,
                "opérations",
                s.count.count.to_string(),
                s.count.amount.to_string(),
            ));
        }
        let missing = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        rows.push(row(
            "Commissions",
            "",
            if self.commissions.is_none() {
                NOT_YET
            } else {
                ""
            },
            "total",
            String::new(),
            missing(self.commissions),
        ));
        for (section, list) in [
            ("Commission service", &self.commissions_by_service),
            ("Commission opérateur", &self.commissions_by_operator),
        ] {
            for c in list {
                rows.push(row(
                    section,
                    &c.key,
                    &c.label,
                    "commissions",
                    c.count.to_string(),
                    c.amount.to_string(),
                ));
            }
        }
        for warning in &self.warnings {
            rows.push(row(
                "Avertissement",
                "",
                warning,
                "",
                String::new(),
                String::new(),
            ));
        }
        for d in &self.open_drawers {
            for (measure, amount) in [("fond", d.float), ("attendu", d.expected)] {
                rows.push(row(
                    "Tiroir ouvert",
                    &d.cashier,
                    &local_time(d.opened_at),
                    measure,
                    String::new(),
                    amount.to_string(),
                ));
            }
        }
        rows.push(row(
            "Solde passerelle",
            "ouverture",
            "",
            "solde",
            String::new(),
            missing(self.balance_at_open),
        ));
        rows.push(row(
            "Solde passerelle",
            "clôture",
            "",
            "solde",
            String::new(),
            missing(self.balance_at_close),
        ));
        for f in &self.to_follow {
            rows.push(row(
                "À suivre",
                &f.id,
                &f.label,
                &f.status,
                "1".into(),
                missing(f.amount),
            ));
        }
        rows
    }
}

#[cfg(test)]
mod tests;
