//! The journal beyond today, driven by events: the period key, the dates typed, the
//! service's search and its pages (PgDn, PgUp), answers that come late, and today's live
//! list left as it was.

use super::tests::row;
use super::*;
use crate::domain::TxStatus;
use crate::report::Period;
use crate::report::search::{Cursor, Search};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// 2026-12-01 10:00 UTC.
const NOW: i64 = 1_796_119_200_000;

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn journal() -> App {
    let mut app = App::new(true, NOW);
    update(&mut app, Event::Resize(80, 24));
    assert_eq!(app.open_journal(), vec![Effect::LoadJournal]);
    app
}

fn j(app: &App) -> &JournalState {
    match &app.screen {
        Screen::Journal(j) => j,
        _ => panic!("the journal"),
    }
}

fn asked(effects: Vec<Effect>) -> Search {
    match effects.as_slice() {
        [Effect::LoadHistory(s)] => s.clone(),
        other => panic!("a page asked: {other:?}"),
    }
}

fn period(from: &str, to: &str) -> Period {
    Period::parse(from, to).unwrap()
}

fn rows(n: usize, prefix: &str) -> Vec<crate::session::view::Operation> {
    (0..n)
        .map(|i| {
            let mut r = row(TxStatus::Success, "WAVE_SN_API_CASH_OUT");
            r.external_id = format!("{prefix}-{i}");
            r
        })
        .collect()
}

fn cursor(id: &str) -> Cursor {
    Cursor {
        created_at: 5,
        external_id: id.into(),
    }
}

#[test]
fn the_period_key_goes_through_yesterday_the_week_and_the_month() {
    let mut app = journal();
    let s = asked(key(&mut app, KeyCode::Char('d')));
    assert_eq!(s.period, period("2026-11-30", "2026-11-30"));
    // A screenful: 24 rows less the header, the frame, the search line and the footer.
    assert_eq!((s.limit, s.after.clone(), s.text.as_str()), (19, None, ""));
    assert!(j(&app).past.as_ref().unwrap().loading);
    assert_eq!(
        asked(key(&mut app, KeyCode::F(5))).period,
        period("2026-11-25", "2026-12-01")
    );
    assert_eq!(
        asked(key(&mut app, KeyCode::Char('d'))).period,
        period("2026-12-01", "2026-12-01")
    );
    // Then the dates, typed: nothing asked until Entrée.
    assert!(key(&mut app, KeyCode::Char('d')).is_empty());
    assert_eq!(
        j(&app).dates.as_ref().unwrap().value(),
        "01/12/2026 01/12/2026"
    );
    // Échap there: today again, the live list.
    assert_eq!(key(&mut app, KeyCode::Esc), vec![Effect::LoadJournal]);
    assert!(j(&app).dates.is_none() && j(&app).past.is_none());
    // Dates shown, the key goes back to today too.
    for _ in 0..4 {
        key(&mut app, KeyCode::Char('d'));
    }
    asked(key(&mut app, KeyCode::Enter));
    assert_eq!(key(&mut app, KeyCode::Char('d')), vec![Effect::LoadJournal]);
    assert!(j(&app).past.is_none());
}

#[test]
fn dates_typed_wrong_are_said_in_french_and_kept() {
    let mut app = journal();
    for _ in 0..4 {
        key(&mut app, KeyCode::Char('d'));
    }
    for _ in 0..21 {
        key(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "01/11/2026 31/11/2026");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    let Some(Notice::Failed(m)) = &j(&app).notice else {
        panic!("an error")
    };
    assert!(m.contains("« 31/11/2026 » invalide"), "{m}");
    assert_eq!(
        j(&app).dates.as_ref().unwrap().value(),
        "01/11/2026 31/11/2026"
    );
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    typed(&mut app, "30/11/2026");
    let s = asked(key(&mut app, KeyCode::Enter));
    assert_eq!(s.period, period("2026-11-01", "2026-11-30"));
    assert!(j(&app).dates.is_none());
}

#[test]
fn a_search_and_a_status_ask_the_first_page_again() {
    let mut app = journal();
    let first = asked(key(&mut app, KeyCode::Char('d')));
    key(&mut app, KeyCode::Char('/'));
    // Typed: nothing asked yet, nothing filtered here.
    typed(&mut app, "77 245 71 00");
    let s = asked(key(&mut app, KeyCode::Enter));
    assert_eq!((s.text.as_str(), s.period), ("77 245 71 00", first.period));
    let s = asked(key(&mut app, KeyCode::Char('s')));
    assert_eq!(s.statuses, vec![TxStatus::Success]);
    assert_eq!(s.text, "77 245 71 00");
}

#[test]
fn pages_go_down_and_up_by_their_cursors_and_late_answers_are_dropped() {
    let mut app = journal();
    let first = asked(key(&mut app, KeyCode::Char('d')));
    // PgDn before the first page is back: nothing to go on from.
    assert!(key(&mut app, KeyCode::PageDown).is_empty());
    update(
        &mut app,
        Event::Page {
            search: first.clone(),
            page: Ok((rows(19, "p1"), Some(cursor("p1-18")))),
        },
    );
    assert_eq!(j(&app).visible().len(), 19);
    key(&mut app, KeyCode::Down);
    let second = asked(key(&mut app, KeyCode::PageDown));
    assert_eq!(second.after, Some(cursor("p1-18")));
    assert_eq!(j(&app).selected, 0);
    // The first page's answer again, late: dropped.
    update(
        &mut app,
        Event::Page {
            search: first.clone(),
            page: Ok((rows(19, "late"), Some(cursor("late")))),
        },
    );
    assert_eq!(j(&app).rows[0].external_id, "p1-0");
    update(
        &mut app,
        Event::Page {
            search: second.clone(),
            page: Ok((rows(3, "p2"), None)),
        },
    );
    assert_eq!(j(&app).rows[0].external_id, "p2-0");
    assert_eq!(j(&app).past.as_ref().unwrap().number(), 2);
    // The last page: PgDn does nothing.
    assert!(key(&mut app, KeyCode::PageDown).is_empty());
    let back = asked(key(&mut app, KeyCode::PageUp));
    assert_eq!(back, first);
    // Today's rows (an engine event's reload) never replace a past page.
    update(&mut app, Event::Rows(rows(2, "today")));
    assert_eq!(j(&app).rows[0].external_id, "p2-0");
    // An engine event asks the page shown again, not today's list.
    let effects = update(
        &mut app,
        Event::Link(crate::session::LinkEvent::Engine(
            EngineEvent::JournalChanged,
        )),
    );
    assert!(effects.contains(&Effect::LoadHistory(first)), "{effects:?}");
    assert!(!effects.contains(&Effect::LoadJournal));
}

#[test]
fn a_failed_search_says_why() {
    let mut app = journal();
    let first = asked(key(&mut app, KeyCode::Char('d')));
    update(
        &mut app,
        Event::Page {
            search: first,
            page: Err("service caisse indisponible".into()),
        },
    );
    assert_eq!(
        j(&app).notice,
        Some(Notice::Failed("service caisse indisponible".into()))
    );
    assert!(!j(&app).past.as_ref().unwrap().loading);
}

#[test]
fn today_stays_live_and_pages_move_the_selection() {
    let mut app = journal();
    update(&mut app, Event::Rows(rows(50, "t")));
    assert!(key(&mut app, KeyCode::PageDown).is_empty());
    assert_eq!(j(&app).selected, 19);
    key(&mut app, KeyCode::PageDown);
    key(&mut app, KeyCode::PageDown);
    assert_eq!(j(&app).selected, 49);
    key(&mut app, KeyCode::PageUp);
    assert_eq!(j(&app).selected, 30);
    // The search filters today's rows as typed, without asking the service.
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "t-4");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(j(&app).visible().len(), 11);
}
