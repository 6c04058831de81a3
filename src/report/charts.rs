//! The statistics screen's three charts, as reports: each one's period and grouping on a
//! given day. Pure; the screen (`tui::screens::stats`) draws them, the messages name them.

use time::Duration;

use super::{By, Period};

/// The three charts, each from its own report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Today, by hour.
    Hours,
    /// Today, by operator.
    Operators,
    /// The last 28 days (four of each weekday), by day.
    Weekdays,
}

impl Part {
    pub const ALL: [Part; 3] = [Part::Hours, Part::Operators, Part::Weekdays];

    /// The period and grouping its report is asked with, on `today`.
    pub fn asked(self, today: time::Date) -> (Period, By) {
        let day = Period {
            from: today,
            to: today,
        };
        match self {
            Part::Hours => (day, By::Hour),
            Part::Operators => (day, By::Operator),
            Part::Weekdays => (
                Period {
                    from: today - Duration::days(27),
                    to: today,
                },
                By::Day,
            ),
        }
    }
}
