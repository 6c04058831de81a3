//! The statistics screen, driven by events: opened from home (F8, Alt-s), its three reports
//! asked of the service, each shown as it comes, a late one for another day dropped.

use super::*;
use crate::report::{By, Period, aggregate};
use crate::tui::screens::stats::{Part, StatsState};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// 2026-12-01 10:00 UTC.
const NOW: i64 = 1_796_119_200_000;

fn stats(app: &App) -> &StatsState {
    match &app.screen {
        Screen::Stats(s) => s,
        _ => panic!("the statistics"),
    }
}

fn period(from: &str, to: &str) -> Period {
    Period::parse(from, to).unwrap()
}

#[test]
fn f8_or_alt_s_opens_the_statistics_and_asks_three_reports() {
    let mut app = App::new(true, NOW);
    let effects = update(
        &mut app,
        Event::Key(KeyEvent::new(KeyCode::F(8), KeyModifiers::NONE)),
    );
    let today = period("2026-12-01", "2026-12-01");
    assert_eq!(
        effects,
        vec![
            Effect::LoadStats {
                part: Part::Hours,
                period: today,
                by: By::Hour
            },
            Effect::LoadStats {
                part: Part::Operators,
                period: today,
                by: By::Operator
            },
            Effect::LoadStats {
                part: Part::Weekdays,
                period: period("2026-11-04", "2026-12-01"),
                by: By::Day
            },
        ]
    );
    assert_eq!(stats(&app).hours, None);
    // A plain `s` on the home screen is typed into the filter; Alt-s opens.
    let mut app = App::new(true, NOW);
    update(
        &mut app,
        Event::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE)),
    );
    assert!(matches!(app.screen, Screen::Catalogue));
    let effects = update(
        &mut app,
        Event::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::ALT)),
    );
    assert_eq!(effects.len(), 3);
    assert!(matches!(app.screen, Screen::Stats(_)));
}

#[test]
fn each_report_shows_as_it_comes_and_esc_goes_home() {
    let mut app = App::new(true, NOW);
    app.open_stats();
    let today = period("2026-12-01", "2026-12-01");
    let report = aggregate(By::Hour, []);
    update(
        &mut app,
        Event::Stats {
            part: Part::Hours,
            period: today,
            figures: Ok(report.clone()),
        },
    );
    assert_eq!(stats(&app).hours, Some(Ok(report.clone())));
    update(
        &mut app,
        Event::Stats {
            part: Part::Operators,
            period: today,
            figures: Err("service caisse indisponible".into()),
        },
    );
    assert_eq!(
        stats(&app).operators,
        Some(Err("service caisse indisponible".into()))
    );
    // Yesterday's answer, late (the screen was refreshed after midnight): dropped.
    update(
        &mut app,
        Event::Stats {
            part: Part::Weekdays,
            period: period("2026-11-03", "2026-11-30"),
            figures: Ok(aggregate(By::Day, [])),
        },
    );
    assert_eq!(stats(&app).weekdays, None);
    // F5 asks them again.
    let effects = update(
        &mut app,
        Event::Key(KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE)),
    );
    assert_eq!(effects.len(), 3);
    assert_eq!(stats(&app).hours, None);
    update(
        &mut app,
        Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    assert!(matches!(app.screen, Screen::Catalogue));
}
