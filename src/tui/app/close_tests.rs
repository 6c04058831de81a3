//! The close-of-day screen, driven by events: opened from the home screen, the preview
//! scrolled, the seal asked first (`o` / `n`, Enter answers nothing), the sealed Z printed,
//! the past reports with the altered one named, a cashier's refusal.

use super::*;
use crate::domain::{OpKind, TxStatus};
use crate::report::Entry;
use crate::report::z::{ZAsk, ZBuilder, ZReply, ZReport, ZSummary};
use crate::session::view::Printed;
use crate::tui::screens::close::Stage;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A day with two sales, one still pending: a report longer than an 80×24 screen.
pub(crate) fn z(number: i64) -> ZReport {
    let mut z = ZBuilder::new(number, 1_774_915_200_000, 1_775_001_600_000);
    for (id, service, status, amount) in [
        ("v-1", "WAVE_SN_API_CASH_OUT", TxStatus::Success, 15_000),
        ("v-2", "ORANGE_SN_API_CASH_OUT", TxStatus::Success, 2_500),
        ("v-3", "SENELEC_SN_BILL_PAY", TxStatus::Pending, 27_684),
    ] {
        z.add(
            id,
            Entry {
                service,
                cashier: "awa",
                kind: OpKind::Payment,
                status,
                amount: Some(amount),
                created_at: 1_774_947_600_000,
            },
            if status == TxStatus::Success { 100 } else { 0 },
        );
    }
    z.finish()
}

pub(crate) fn app() -> App {
    let mut app = App::new(true, 1_000_000);
    update(&mut app, Event::Balance(Ok(250_000.0)));
    app
}

/// The screen showing the preview of Z n° 4.
pub(crate) fn previewing() -> App {
    let mut app = app();
    crate::tui::screens::close::open(&mut app);
    update(
        &mut app,
        Event::Z(Ok((ZReply::Preview(Box::new(z(4))), Printed::NotAsked))),
    );
    app
}

pub(crate) fn sealed() -> App {
    let mut app = previewing();
    update(
        &mut app,
        Event::Z(Ok((
            ZReply::Report {
                report: Box::new(z(4)),
                hash: "9f2c".repeat(16),
            },
            Printed::NotAsked,
        ))),
    );
    app
}

pub(crate) fn past(altered: Option<i64>) -> ZReply {
    let reports = (1..=3)
        .rev()
        .map(|number| ZSummary {
            number,
            from: 1_774_915_200_000 + (number - 1) * 86_400_000,
            to: 1_774_915_200_000 + number * 86_400_000,
            closed_by: "chef".into(),
            operations: Some(12),
            net: Some(35_000),
            altered: Some(number) == altered,
        })
        .collect();
    let faults = altered
        .map(|n| {
            vec![format!(
                "rapport Z n° {n} altéré : son contenu ne correspond plus à son empreinte \
                 enregistrée"
            )]
        })
        .unwrap_or_default();
    ZReply::List { reports, faults }
}

fn stage(app: &App) -> &Stage {
    match &app.screen {
        Screen::Close(c) => &c.stage,
        other => panic!("not the close screen: {other:?}"),
    }
}

/// F9 and Alt-z open it from the home screen (Alt-z while a word is typed too): the
/// preview is asked of the service.
#[test]
fn f9_and_alt_z_open_the_close_of_day_with_its_preview() {
    let preview = vec![Effect::Z {
        ask: ZAsk::Preview,
        print: false,
    }];
    let mut app = app();
    assert_eq!(update(&mut app, key(KeyCode::F(9))), preview);
    assert_eq!(stage(&app), &Stage::Loading);
    let mut app = self::app();
    app.filter = "wave".into();
    let alt_z = Event::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::ALT));
    assert_eq!(update(&mut app, alt_z), preview);
    // A plain z is typed in the filter.
    let mut app = self::app();
    assert!(update(&mut app, key(KeyCode::Char('z'))).is_empty());
    assert_eq!(app.filter, "z");
}

/// The seal is asked first: Enter answers nothing, `n` says no (nothing sent), `o` seals;
/// the sealed Z replaces the preview, with its number.
#[test]
fn sealing_is_asked_and_only_o_seals() {
    let mut app = previewing();
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(app.ask.is_none(), "Enter does not lead to the seal");
    assert!(update(&mut app, key(KeyCode::Char('s'))).is_empty());
    assert!(matches!(
        app.ask,
        Some(ask::Question::SealZ {
            number: 4,
            operations: 3,
            to_follow: 1,
            ..
        })
    ));
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(app.ask.is_some(), "Enter answers nothing");
    assert!(update(&mut app, key(KeyCode::Char('n'))).is_empty());
    assert!(app.ask.is_none());
    assert!(matches!(stage(&app), Stage::Preview(_)));
    update(&mut app, key(KeyCode::F(8)));
    assert_eq!(
        update(&mut app, key(KeyCode::Char('o'))),
        vec![Effect::Z {
            ask: ZAsk::Close,
            print: false
        }]
    );
    let app = {
        let mut app = app;
        update(
            &mut app,
            Event::Z(Ok((
                ZReply::Report {
                    report: Box::new(z(4)),
                    hash: "ab".repeat(32),
                },
                Printed::NotAsked,
            ))),
        );
        app
    };
    assert!(matches!(stage(&app), Stage::Sealed { report, .. } if report.number == 4));
}

/// `i` prints the sealed Z through the service (the stored one, by its number); the
/// printer's answer is said, the Z stays on screen where it was scrolled.
#[test]
fn the_sealed_z_prints_with_i() {
    let mut app = sealed();
    update(&mut app, key(KeyCode::Down));
    assert_eq!(
        update(&mut app, key(KeyCode::Char('i'))),
        vec![Effect::Z {
            ask: ZAsk::Show(4),
            print: true
        }]
    );
    update(
        &mut app,
        Event::Z(Ok((
            ZReply::Report {
                report: Box::new(z(4)),
                hash: "9f2c".repeat(16),
            },
            Printed::Failed("imprimante hors ligne".into()),
        ))),
    );
    let Screen::Close(c) = &app.screen else {
        panic!()
    };
    assert_eq!(c.scroll, 1);
    assert!(
        matches!(&c.notice, Some(Notice::Failed(m)) if m.contains("n° 4 pas imprimé : imprimante hors ligne"))
    );
}

/// The preview scrolls, and stops at its end and its top.
#[test]
fn the_preview_scrolls_within_the_report() {
    let mut app = previewing();
    update(&mut app, key(KeyCode::Up));
    for _ in 0..200 {
        update(&mut app, key(KeyCode::PageDown));
    }
    let Screen::Close(c) = &app.screen else {
        panic!()
    };
    let lines = z(4)
        .to_text(crate::tui::screens::close::text_width(80))
        .lines()
        .count();
    // The last page shows the report's last line, no further.
    assert_eq!(usize::from(c.scroll), lines - 18);
    for _ in 0..200 {
        update(&mut app, key(KeyCode::Up));
    }
    let Screen::Close(c) = &app.screen else {
        panic!()
    };
    assert_eq!(c.scroll, 0);
}

/// The past reports: the altered one is marked; Échap goes back to the preview, asked
/// again.
#[test]
fn the_past_reports_name_the_altered_one() {
    let mut app = previewing();
    assert_eq!(
        update(&mut app, key(KeyCode::Char('l'))),
        vec![Effect::Z {
            ask: ZAsk::List,
            print: false
        }]
    );
    update(&mut app, Event::Z(Ok((past(Some(2)), Printed::NotAsked))));
    let Stage::List { reports, faults } = stage(&app) else {
        panic!("{:?}", stage(&app))
    };
    let altered: Vec<i64> = reports
        .iter()
        .filter(|r| r.altered)
        .map(|r| r.number)
        .collect();
    assert_eq!((altered, faults.len()), (vec![2], 1));
    assert_eq!(
        update(&mut app, key(KeyCode::Esc)),
        vec![Effect::Z {
            ask: ZAsk::Preview,
            print: false
        }]
    );
    assert_eq!(stage(&app), &Stage::Loading);
    update(&mut app, key(KeyCode::Esc));
    assert!(matches!(app.screen, Screen::Catalogue));
}

/// A cashier through the service: the refusal, in French; nothing to seal.
#[test]
fn a_cashier_is_refused_in_french() {
    let mut app = app();
    crate::tui::screens::close::open(&mut app);
    update(
        &mut app,
        Event::Z(Err(
            "La clôture de caisse est réservée au superviseur".into()
        )),
    );
    assert!(matches!(stage(&app), Stage::Refused(m) if m.contains("réservée au superviseur")));
    assert!(update(&mut app, key(KeyCode::Char('s'))).is_empty());
    assert!(app.ask.is_none());
}
