//! History and reports: the period a shop owner asks about, the totals per group
//! ([`aggregate`], pure), how a service names its operator and label. The journal only
//! selects the rows of the period (`Journal::report_entries`); every rule about what counts
//! where is here. The bookkeeper's export columns are `export`'s.
//!
//! Dates are local days. Senegal and Côte d'Ivoire are both on UTC all year (no summer
//! time), as the rest of caisse assumes (`journal::start_of_today`): a day is a UTC day.

use std::collections::BTreeMap;

use time::Date;

use crate::domain::{OpKind, TxStatus};

/// A period of whole days, both ends included. On the socket as `{"from": "2026-03-31",
/// "to": …}`, checked again on arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "PeriodText", try_from = "PeriodText")]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// Reads `--from` and `--to` (`YYYY-MM-DD`); a clear French error otherwise.
    pub fn parse(from: &str, to: &str) -> Result<Period, String> {
        let from = parse_date(from)?;
        let to = parse_date(to)?;
        if to < from {
            return Err(format!(
                "la période finit ({to}) avant de commencer ({from}) : --from doit précéder --to"
            ));
        }
        Ok(Period { from, to })
    }

    /// The period in journal time: `[start, end)` in milliseconds since the epoch.
    pub fn millis(&self) -> (i64, i64) {
        let start = self.from.midnight().assume_utc().unix_timestamp() * 1000;
        let end = self.to.midnight().assume_utc().unix_timestamp() * 1000 + DAY_MS;
        (start, end)
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct PeriodText {
    from: String,
    to: String,
}

impl From<Period> for PeriodText {
    fn from(p: Period) -> Self {
        PeriodText {
            from: p.from.to_string(),
            to: p.to.to_string(),
        }
    }
}

impl TryFrom<PeriodText> for Period {
    type Error = String;
    fn try_from(t: PeriodText) -> Result<Self, String> {
        Period::parse(&t.from, &t.to)
    }
}

const DAY_MS: i64 = 86_400_000;

fn parse_date(text: &str) -> Result<Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).map_err(|_| {
        format!("date « {text} » invalide : attendu AAAA-MM-JJ, par exemple 2026-03-31")
    })
}

/// A journal time (ms) as `YYYY-MM-DD HH:MM:SS`, local (UTC) time.
pub fn local_time(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    t.format(&f).unwrap_or_default()
}

/// The operator behind a service code: its first word, before the country
/// (`ORANGE_SN_API_CASH_OUT` → `ORANGE`, `WAVE_CI_API_CASH_IN` → `WAVE`). A code without a
/// country (Intram's) is its own operator.
pub fn operator(service: &str) -> &str {
    for country in ["_SN_", "_CI_"] {
        if let Some(at) = service.find(country) {
            return &service[..at];
        }
    }
    service
}

/// The vendor's name of a service, or its code when the catalogue does not know it.
pub fn service_label(service: &str) -> &str {
    crate::catalog::services::find(service)
        .map(|s| s.name)
        .unwrap_or(service)
}

/// How the rows of a report are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum By {
    Service,
    Operator,
    Cashier,
    Day,
    /// The hour of the day, over every day of the period (when in the day the shop sells).
    Hour,
    /// The shop: the head office's reports only (`caisse hq report`), which sum in
    /// PostgreSQL and hand the tallies to [`Report::from_tallies`].
    Shop,
}

impl By {
    /// The heading of the group column.
    pub fn heading(self) -> &'static str {
        match self {
            By::Service => "Service",
            By::Operator => "Opérateur",
            By::Cashier => "Caissier",
            By::Day => "Jour",
            By::Hour => "Heure",
            By::Shop => "Boutique",
        }
    }

    /// The group an operation falls in.
    fn key(self, entry: &Entry<'_>) -> String {
        match self {
            By::Service => entry.service.to_owned(),
            By::Operator => operator(entry.service).to_owned(),
            By::Cashier if entry.cashier.is_empty() => "(sans nom)".to_owned(),
            By::Cashier => entry.cashier.to_owned(),
            By::Day => local_time(entry.created_at)[..10].to_owned(),
            By::Hour => format!("{} h", &local_time(entry.created_at)[11..13]),
            // A journal is one shop's: its operations carry no shop.
            By::Shop => String::new(),
        }
    }
}

/// What a report needs of one journal row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    pub service: &'a str,
    pub cashier: &'a str,
    pub kind: OpKind,
    pub status: TxStatus,
    pub amount: Option<i64>,
    pub created_at: i64,
}

/// A number of operations and their amount (FCFA).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Count {
    pub count: u64,
    pub amount: i64,
}

/// The totals of one group, by how the operations ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    /// Every operation of the group, whatever its status.
    pub operations: u64,
    /// Sales that went through (a sale refunded since counts here too: it happened, and
    /// its refund counts under `refunded`).
    pub succeeded: Count,
    /// Failed, cancelled, expired, never sent (sales and refunds): no money moved.
    pub failed: Count,
    /// Not settled yet (new, unknown, pending, processing, to review): to follow up.
    pub pending: Count,
    /// Refunds that went through.
    pub refunded: Count,
}

impl Tally {
    /// What the shop kept: successful sales minus successful refunds.
    pub fn net(&self) -> i64 {
        self.succeeded.amount - self.refunded.amount
    }

    fn add(&mut self, entry: &Entry<'_>) {
        self.add_many(entry.kind, entry.status, 1, entry.amount.unwrap_or(0));
    }

    /// `count` operations of one kind and status, `amount` FCFA in all: the same rule as
    /// one at a time, for sums made elsewhere (the head office's, in PostgreSQL).
    pub fn add_many(&mut self, kind: OpKind, status: TxStatus, count: u64, amount: i64) {
        self.operations += count;
        let bucket = match (kind, status) {
            (_, s) if !s.is_final() => &mut self.pending,
            (OpKind::Payment, TxStatus::Success | TxStatus::Refunded) => &mut self.succeeded,
            (OpKind::Refund, TxStatus::Success | TxStatus::Refunded) => &mut self.refunded,
            _ => &mut self.failed,
        };
        bucket.count += count;
        bucket.amount += amount;
    }
}

/// One line of a report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Group {
    /// The group as grouped on: a service code, an operator, a cashier, `2026-03-31`, `14 h`.
    pub key: String,
    /// As a person reads it (a service's name; the key otherwise).
    pub label: String,
    #[serde(flatten)]
    pub tally: Tally,
    pub net: i64,
}

/// A report over a period: one line per group (in key order), and the totals.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Report {
    pub by: By,
    pub groups: Vec<Group>,
    pub total: Tally,
    pub total_net: i64,
}

/// Sums `entries` by `by`: the report's one rule, without the journal.
pub fn aggregate<'a>(by: By, entries: impl IntoIterator<Item = Entry<'a>>) -> Report {
    let mut report = Aggregator::new(by);
    for entry in entries {
        report.add(entry);
    }
    report.finish()
}

/// Builds a report from rows handed one at a time (the journal streams them: memory stays
/// the size of the groups, whatever the period).
pub struct Aggregator {
    by: By,
    groups: BTreeMap<String, Tally>,
}

impl Aggregator {
    pub fn new(by: By) -> Self {
        Aggregator {
            by,
            groups: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, entry: Entry<'_>) {
        let key = self.by.key(&entry);
        match self.groups.get_mut(&key) {
            Some(tally) => tally.add(&entry),
            None => {
                let mut tally = Tally::default();
                tally.add(&entry);
                self.groups.insert(key, tally);
            }
        }
    }

    pub fn finish(self) -> Report {
        Report::from_tallies(self.by, self.groups)
    }
}

impl Report {
    /// The report of groups already summed, the total being their sum.
    pub fn from_tallies(by: By, groups: BTreeMap<String, Tally>) -> Report {
        let mut total = Tally::default();
        for tally in groups.values() {
            total.operations += tally.operations;
            for (sum, part) in [
                (&mut total.succeeded, &tally.succeeded),
                (&mut total.failed, &tally.failed),
                (&mut total.pending, &tally.pending),
                (&mut total.refunded, &tally.refunded),
            ] {
                sum.count += part.count;
                sum.amount += part.amount;
            }
        }
        Report {
            by,
            groups: groups
                .into_iter()
                .map(|(key, tally)| Group {
                    label: match by {
                        By::Service => service_label(&key).to_owned(),
                        _ => key.clone(),
                    },
                    key,
                    net: tally.net(),
                    tally,
                })
                .collect(),
            total_net: total.net(),
            total,
        }
    }
}

pub mod charts;
pub mod export;
pub mod search;
#[cfg(test)]
mod tests;
pub mod z;
