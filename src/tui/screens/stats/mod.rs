//! Statistiques: what a shop owner reads at a glance — today's sales per hour (how many
//! and how much), per operator, and per day of the week over the last four weeks, each with
//! its totals. The figures are the report's (`report::aggregate`), asked of the service
//! (`Request::Report`: a cashier's own sales, a supervisor's whole shop); only successful
//! sales count here. Drawn by `draw`.

pub mod draw;

pub use draw::draw;

use crossterm::event::{KeyCode, KeyEvent};

use super::journal::past::day_of;
use super::keys::{Binding, lookup, shown};
use super::{App, Screen};
use crate::report::{Count, Period, Report};
use crate::tui::message::Effect;

// The three charts live with the reports (`report::charts`): the messages name them too,
// and the messages must not depend on a screen.
pub use crate::report::charts::Part;

/// A report asked, then its answer (or why none).
pub type Figures = Option<Result<Report, String>>;

#[derive(Debug, Clone, PartialEq)]
pub struct StatsState {
    /// The day the figures are of.
    pub today: time::Date,
    pub hours: Figures,
    pub operators: Figures,
    pub weekdays: Figures,
}

impl StatsState {
    pub fn part_mut(&mut self, part: Part) -> &mut Figures {
        match part {
            Part::Hours => &mut self.hours,
            Part::Operators => &mut self.operators,
            Part::Weekdays => &mut self.weekdays,
        }
    }
}

/// Opens the screen and asks its three reports.
pub fn open(app: &mut App) -> Vec<Effect> {
    let today = day_of(app.now);
    app.screen = Screen::Stats(StatsState {
        today,
        hours: None,
        operators: None,
        weekdays: None,
    });
    ask(today)
}

fn ask(today: time::Date) -> Vec<Effect> {
    Part::ALL
        .into_iter()
        .map(|part| {
            let (period, by) = part.asked(today);
            Effect::LoadStats { part, period, by }
        })
        .collect()
}

/// A report came back: shown if it is still the one asked (same day, same screen).
pub fn on_report(app: &mut App, part: Part, period: Period, figures: Result<Report, String>) {
    match &mut app.screen {
        Screen::Stats(s) if part.asked(s.today).0 == period => *s.part_mut(part) = Some(figures),
        _ => app.dirty = false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Refresh,
    Back,
}

pub const KEYS: &[Binding<Key>] = &[
    shown(
        &[KeyCode::F(5), KeyCode::Char('v')],
        Key::Refresh,
        ("F5 v", "actualiser"),
        ("F5 v", "refresh"),
    ),
    shown(
        &[KeyCode::Esc],
        Key::Back,
        ("Échap", "retour"),
        ("Esc", "back"),
    ),
];

pub fn key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match lookup(KEYS, key.code) {
        Some(Key::Back) => {
            app.screen = Screen::Catalogue;
            vec![]
        }
        // Asked again, for today as it is now (after midnight: the new day).
        Some(Key::Refresh) => open(app),
        None => {
            app.dirty = false;
            vec![]
        }
    }
}

/// Successful sales per hour of the day, 0 h to 23 h.
pub fn per_hour(report: &Report) -> [Count; 24] {
    let mut hours = [Count::default(); 24];
    for g in &report.groups {
        // Keys are "08 h" (`By::Hour`).
        if let Some(h) = g.key.get(..2).and_then(|h| h.parse::<usize>().ok())
            && h < 24
        {
            hours[h] = g.tally.succeeded;
        }
    }
    hours
}

/// Successful sales per day of the week, Monday first.
pub fn per_weekday(report: &Report) -> [Count; 7] {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let mut days = [Count::default(); 7];
    for g in &report.groups {
        if let Ok(date) = time::Date::parse(&g.key, &format) {
            let d = &mut days[usize::from(date.weekday().number_days_from_monday())];
            d.count += g.tally.succeeded.count;
            d.amount += g.tally.succeeded.amount;
        }
    }
    days
}

/// Successful sales per operator, the biggest amount first (then by name).
pub fn per_operator(report: &Report) -> Vec<(String, Count)> {
    let mut ops: Vec<(String, Count)> = report
        .groups
        .iter()
        .filter(|g| g.tally.succeeded.count > 0)
        .map(|g| (g.label.clone(), g.tally.succeeded))
        .collect();
    ops.sort_by(|a, b| b.1.amount.cmp(&a.1.amount).then(a.0.cmp(&b.0)));
    ops
}

/// The sum of some counts.
pub fn total<'a>(counts: impl IntoIterator<Item = &'a Count>) -> Count {
    counts.into_iter().fold(Count::default(), |mut t, c| {
        t.count += c.count;
        t.amount += c.amount;
        t
    })
}

/// A weekday's short French (or English) name.
pub fn weekday_name(i: usize, lang: crate::i18n::Lang) -> &'static str {
    let fr = ["Lun", "Mar", "Mer", "Jeu", "Ven", "Sam", "Dim"];
    let en = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    lang.tr(fr[i % 7], en[i % 7])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OpKind, TxStatus};
    use crate::report::{By, Entry, aggregate};

    /// 2026-11-23 (a Monday) 00:00 UTC.
    const MONDAY: i64 = 1_795_392_000_000;
    const HOUR: i64 = 3_600_000;

    fn sale(service: &'static str, status: TxStatus, amount: i64, at: i64) -> Entry<'static> {
        Entry {
            service,
            cashier: "awa",
            kind: OpKind::Payment,
            status,
            amount: Some(amount),
            created_at: at,
        }
    }

    #[test]
    fn only_successful_sales_count_per_hour_weekday_and_operator() {
        let entries = [
            sale(
                "WAVE_SN_API_CASH_OUT",
                TxStatus::Success,
                1000,
                MONDAY + 8 * HOUR,
            ),
            sale(
                "WAVE_SN_API_CASH_OUT",
                TxStatus::Success,
                500,
                MONDAY + 8 * HOUR + 60_000,
            ),
            sale(
                "ORANGE_SN_API_CASH_IN",
                TxStatus::Failed,
                9000,
                MONDAY + 9 * HOUR,
            ),
            sale(
                "ORANGE_SN_API_CASH_IN",
                TxStatus::Success,
                2000,
                MONDAY + 30 * HOUR,
            ),
        ];
        let hours = per_hour(&aggregate(By::Hour, entries));
        assert_eq!(
            hours[8],
            Count {
                count: 2,
                amount: 1500
            }
        );
        assert_eq!(hours[9], Count::default());
        assert_eq!(
            hours[6],
            Count {
                count: 1,
                amount: 2000
            }
        );
        assert_eq!(
            total(&hours),
            Count {
                count: 3,
                amount: 3500
            }
        );
        let days = per_weekday(&aggregate(By::Day, entries));
        assert_eq!(
            days[0],
            Count {
                count: 2,
                amount: 1500
            }
        );
        assert_eq!(
            days[1],
            Count {
                count: 1,
                amount: 2000
            }
        );
        let ops = per_operator(&aggregate(By::Operator, entries));
        assert_eq!(
            ops,
            [
                (
                    "ORANGE".to_owned(),
                    Count {
                        count: 1,
                        amount: 2000
                    }
                ),
                (
                    "WAVE".to_owned(),
                    Count {
                        count: 2,
                        amount: 1500
                    }
                ),
            ]
        );
        assert_eq!(weekday_name(0, crate::i18n::Lang::Fr), "Lun");
    }

    #[test]
    fn the_weeks_report_is_four_of_each_weekday() {
        let today = day_of(MONDAY + 10 * HOUR);
        let (period, by) = Part::Weekdays.asked(today);
        assert_eq!(by, By::Day);
        assert_eq!((period.to - period.from).whole_days() + 1, 28);
        assert_eq!(period.from.weekday(), time::Weekday::Tuesday);
    }
}
