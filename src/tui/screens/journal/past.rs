//! The journal beyond today: a period (hier, 7 jours, ce mois, or dates typed JJ/MM/AAAA),
//! searched by the service a screenful at a time (`Request::History`, keyset pages).
//! Today stays the live list of `mod.rs`; this is what the journal shows once another
//! period is chosen.

use crossterm::event::KeyCode;
use time::{Date, Duration, OffsetDateTime};
use tui_input::Input;

use super::super::keys::{Binding, shown, typing};
use super::StatusFilter;
use crate::domain::TxStatus;
use crate::i18n::Lang;
use crate::report::Period;
use crate::report::search::{Cursor, Search};

/// The periods the period key goes through, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Today,
    Yesterday,
    /// Today and the six days before.
    Week,
    /// From the first of this month to today.
    Month,
    /// Typed by the cashier.
    Dates,
}

impl Choice {
    /// The next one the key goes to.
    pub fn next(self) -> Choice {
        match self {
            Choice::Today => Choice::Yesterday,
            Choice::Yesterday => Choice::Week,
            Choice::Week => Choice::Month,
            Choice::Month => Choice::Dates,
            Choice::Dates => Choice::Today,
        }
    }

    /// The period it means on `today`; `None` for typed dates (the cashier's).
    pub fn period(self, today: Date) -> Option<Period> {
        let day = |d: Date| Period { from: d, to: d };
        Some(match self {
            Choice::Today => day(today),
            Choice::Yesterday => day(today - Duration::days(1)),
            Choice::Week => Period {
                from: today - Duration::days(6),
                to: today,
            },
            Choice::Month => Period {
                from: today.replace_day(1).unwrap_or(today),
                to: today,
            },
            Choice::Dates => return None,
        })
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Choice::Today => lang.tr("aujourd'hui", "today"),
            Choice::Yesterday => lang.tr("hier", "yesterday"),
            Choice::Week => lang.tr("7 jours", "7 days"),
            Choice::Month => lang.tr("ce mois", "this month"),
            Choice::Dates => lang.tr("dates", "dates"),
        }
    }
}

/// The local (UTC, as the whole of caisse: `report`) day of a journal time.
pub fn day_of(ms: i64) -> Date {
    OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .date()
}

/// A day as the cashier reads and types it: JJ/MM/AAAA.
pub fn french_date(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// Reads "JJ/MM/AAAA" or "JJ/MM/AAAA JJ/MM/AAAA" (one day, or from–to; a dash or "au"
/// between them is fine). A clear French error otherwise.
pub fn parse_dates(text: &str, lang: Lang) -> Result<Period, String> {
    let format = time::macros::format_description!("[day]/[month]/[year]");
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '-' || c == '–')
        .filter(|w| !w.is_empty() && *w != "au" && *w != "to")
        .collect();
    let read = |w: &str| {
        Date::parse(w, &format).map_err(|_| {
            format!(
                "{} « {w} » {} JJ/MM/AAAA, {} 31/03/2026",
                lang.tr("date", "date"),
                lang.tr("invalide : attendu", "invalid: expected"),
                lang.tr("par exemple", "for example")
            )
        })
    };
    let (from, to) = match words.as_slice() {
        [one] => (read(one)?, read(one)?),
        [from, to] => (read(from)?, read(to)?),
        _ => {
            return Err(lang
                .tr(
                    "tapez une date JJ/MM/AAAA, ou deux : du … au …",
                    "type one date DD/MM/YYYY, or two: from … to …",
                )
                .to_owned());
        }
    };
    if to < from {
        return Err(format!(
            "{} ({}) {} ({})",
            lang.tr("la période finit", "the period ends"),
            french_date(to),
            lang.tr("avant de commencer", "before it starts"),
            french_date(from)
        ));
    }
    Ok(Period { from, to })
}

/// The period as the title says it: "hier (30/11/2026)", "7 jours (24/11/2026 – 30/11/2026)".
pub fn period_text(choice: Choice, period: Period, lang: Lang) -> String {
    let dates = if period.from == period.to {
        french_date(period.from)
    } else {
        format!("{} – {}", french_date(period.from), french_date(period.to))
    };
    match choice {
        Choice::Dates => dates,
        _ => format!("{} ({dates})", choice.label(lang)),
    }
}

/// The statuses a filter keeps, as the service is asked (empty: all).
pub fn statuses(filter: StatusFilter) -> Vec<TxStatus> {
    match filter {
        StatusFilter::All => Vec::new(),
        f => TxStatus::ALL
            .into_iter()
            .filter(|s| f.accepts(*s))
            .collect(),
    }
}

/// The journal over a past period: the page asked (and shown once it comes back), where
/// the pages before it started, and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Past {
    pub choice: Choice,
    /// The page shown: its period, text, statuses, cursor and size.
    pub search: Search,
    /// Where each earlier page started (PgUp goes back to the last one).
    pub earlier: Vec<Option<Cursor>>,
    /// Where the page after this one starts (`None`: this is the last).
    pub next: Option<Cursor>,
    /// The page asked has not come back yet.
    pub loading: bool,
}

impl Past {
    /// The first page of `period`.
    pub fn first(
        choice: Choice,
        period: Period,
        text: &str,
        status: StatusFilter,
        rows: u32,
    ) -> Past {
        Past {
            choice,
            search: Search {
                period,
                text: text.trim().to_owned(),
                statuses: statuses(status),
                after: None,
                limit: rows,
            },
            earlier: Vec::new(),
            next: None,
            loading: true,
        }
    }

    /// The page number shown, from 1.
    pub fn number(&self) -> usize {
        self.earlier.len() + 1
    }

    /// Moves to the next page; false when this one is the last.
    pub fn forward(&mut self) -> bool {
        let Some(next) = self.next.take() else {
            return false;
        };
        self.earlier.push(self.search.after.replace(next));
        self.loading = true;
        true
    }

    /// Moves to the page before; false on the first.
    pub fn back(&mut self) -> bool {
        let Some(start) = self.earlier.pop() else {
            return false;
        };
        // The page left is the one after it: where it started is where this one ends.
        self.next = std::mem::replace(&mut self.search.after, start);
        self.loading = true;
        true
    }
}

/// The dates being typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatesKey {
    Apply,
    Cancel,
    Type,
}

pub const DATES_KEYS: &[Binding<DatesKey>] = &[
    shown(
        &[KeyCode::Enter],
        DatesKey::Apply,
        ("Entrée", "afficher"),
        ("Enter", "show"),
    ),
    // The period key's round ends: today's live list again.
    shown(
        &[KeyCode::Esc],
        DatesKey::Cancel,
        ("Échap", "aujourd'hui"),
        ("Esc", "today"),
    ),
    // JJ/MM/AAAA, one or two.
    typing(DatesKey::Type),
];

/// The dates field as it opens: the first of the month to today, to be corrected.
pub fn dates_input(today: Date) -> Input {
    let from = today.replace_day(1).unwrap_or(today);
    Input::new(format!("{} {}", french_date(from), french_date(today)))
}

/// The longest dates field: two dates and what goes between them.
pub const DATES_MAX: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_are_whole_days_ending_today() {
        let today = date!(2026 - 12 - 01);
        let p = |c: Choice| c.period(today).unwrap();
        assert_eq!(p(Choice::Yesterday).from, date!(2026 - 11 - 30));
        assert_eq!(p(Choice::Yesterday).to, date!(2026 - 11 - 30));
        assert_eq!(p(Choice::Week).from, date!(2026 - 11 - 25));
        assert_eq!(p(Choice::Month).from, date!(2026 - 12 - 01));
        assert_eq!(p(Choice::Month).to, today);
        assert_eq!(Choice::Dates.period(today), None);
        assert_eq!(
            period_text(Choice::Week, p(Choice::Week), Lang::Fr),
            "7 jours (25/11/2026 – 01/12/2026)"
        );
    }

    #[test]
    fn dates_are_typed_as_the_french_write_them() {
        let p = parse_dates("01/11/2026 30/11/2026", Lang::Fr).unwrap();
        assert_eq!(
            (p.from, p.to),
            (date!(2026 - 11 - 01), date!(2026 - 11 - 30))
        );
        let p = parse_dates(" 15/11/2026 ", Lang::Fr).unwrap();
        assert_eq!(
            (p.from, p.to),
            (date!(2026 - 11 - 15), date!(2026 - 11 - 15))
        );
        assert!(parse_dates("01/11/2026 au 30/11/2026", Lang::Fr).is_ok());
        assert!(parse_dates("01/11/2026 - 30/11/2026", Lang::Fr).is_ok());
        let e = parse_dates("31/02/2026", Lang::Fr).unwrap_err();
        assert!(e.contains("« 31/02/2026 » invalide"), "{e}");
        let e = parse_dates("30/11/2026 01/11/2026", Lang::Fr).unwrap_err();
        assert!(e.contains("avant de commencer"), "{e}");
        assert!(parse_dates("", Lang::Fr).is_err());
    }

    #[test]
    fn pages_go_forward_and_back_by_their_starts() {
        let period = Choice::Week.period(date!(2026 - 12 - 01)).unwrap();
        let mut past = Past::first(Choice::Week, period, "", StatusFilter::All, 19);
        assert!(!past.forward(), "no next page known yet");
        let c = |n: i64| Cursor {
            created_at: n,
            external_id: format!("{n}"),
        };
        past.next = Some(c(9));
        assert!(past.forward());
        assert_eq!((past.number(), past.search.after.clone()), (2, Some(c(9))));
        past.next = Some(c(5));
        assert!(past.forward());
        assert!(past.back());
        assert_eq!((past.number(), past.search.after.clone()), (2, Some(c(9))));
        assert!(past.back());
        assert_eq!((past.number(), past.search.after.clone()), (1, None));
        assert!(!past.back());
    }
}
