//! The drawer screen (« Tiroir »), pure: reached from the home screen, the float typed and
//! sent, the count typed and the close asked before it is sent, the service's answers.

use super::*;
use crate::domain::drawer::Totals;
use crate::journal::drawers::{DrawerRecord, DrawerRefusal, DrawerState};
use crate::session::protocol::{DrawerAsk, DrawerReply};
use crate::tui::screens::drawer::Stage;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn stage(app: &App) -> &Stage {
    match &app.screen {
        Screen::Drawer(d) => &d.stage,
        other => panic!("not the drawer screen: {other:?}"),
    }
}

fn typed_value(app: &App) -> String {
    match &app.screen {
        Screen::Drawer(d) => d.cash.value().to_owned(),
        _ => String::new(),
    }
}

fn error(app: &App) -> Option<String> {
    match &app.screen {
        Screen::Drawer(d) => d.error.clone(),
        _ => None,
    }
}

pub(super) fn open_state() -> DrawerState {
    DrawerState {
        drawer: DrawerRecord {
            id: 1,
            cashier: "awa".into(),
            terminal: "t1".into(),
            opened_at: 1_000,
            opening_cash: 20_000,
            opening_balance: Some(250_000),
            closed_at: None,
            counted_cash: None,
            closing_balance: None,
            expected_cash: None,
            expected_balance: None,
        },
        totals: Totals {
            cash_in: 5_000,
            counted: 1,
            balance_out: 5_000,
            ..Totals::default()
        },
    }
}

/// The drawer screen with no drawer open, as the service said.
pub(super) fn not_open() -> App {
    let mut app = App::new(true, 1_000_000);
    assert_eq!(
        press(&mut app, KeyCode::F(6)),
        vec![Effect::Drawer(DrawerAsk::Status)]
    );
    assert_eq!(stage(&app), &Stage::Loading);
    update(
        &mut app,
        Event::Drawer(Ok(DrawerReply::Refused(DrawerRefusal::NotOpen))),
    );
    app
}

/// The drawer screen on an open drawer.
pub(super) fn open() -> App {
    let mut app = not_open();
    update(
        &mut app,
        Event::Drawer(Ok(DrawerReply::State(open_state()))),
    );
    app
}

#[test]
fn alt_t_on_the_home_screen_opens_the_drawer_and_reads_it() {
    let mut app = App::new(true, 1_000_000);
    let effects = update(
        &mut app,
        Event::Key(KeyEvent::new(KeyCode::Char('t'), KeyModifiers::ALT)),
    );
    assert_eq!(effects, vec![Effect::Drawer(DrawerAsk::Status)]);
    assert_eq!(stage(&app), &Stage::Loading);
    assert!(app.filter.is_empty(), "Alt-t is not typed into the filter");
}

#[test]
fn the_float_is_typed_in_digits_and_enter_opens_the_drawer_with_it() {
    let mut app = not_open();
    assert_eq!(stage(&app), &Stage::NotOpen);
    typed(&mut app, "20 0x00");
    assert_eq!(typed_value(&app), "20 000", "letters are not typed");
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        vec![Effect::Drawer(DrawerAsk::Open { cash: 20_000 })]
    );
    assert_eq!(stage(&app), &Stage::Loading);
    // Opened: its figures are read, and the header's balance.
    let effects = update(
        &mut app,
        Event::Drawer(Ok(DrawerReply::Opened(open_state().drawer))),
    );
    assert_eq!(
        effects,
        vec![Effect::Drawer(DrawerAsk::Status), Effect::FetchBalance]
    );
    update(
        &mut app,
        Event::Drawer(Ok(DrawerReply::State(open_state()))),
    );
    assert!(matches!(stage(&app), Stage::Open(s) if s.expected_cash() == 25_000));
    assert_eq!(typed_value(&app), "", "the count starts empty");
}

#[test]
fn nothing_typed_is_refused_in_french_and_sends_nothing() {
    let mut app = not_open();
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(error(&app).unwrap().contains("Tapez le montant compté"));
    assert_eq!(stage(&app), &Stage::NotOpen);
}

#[test]
fn closing_is_asked_first_and_no_sends_nothing() {
    let mut app = open();
    typed(&mut app, "24500");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.ask, Some(ask::Question::CloseDrawer { cash: 24_500 }));
    // Enter does not answer the question.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(app.ask, None);
    assert!(matches!(stage(&app), Stage::Open(_)));
    assert_eq!(typed_value(&app), "24500", "the count is kept");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        press(&mut app, KeyCode::Char('o')),
        vec![Effect::Drawer(DrawerAsk::Close { cash: 24_500 })]
    );
    assert_eq!(stage(&app), &Stage::Loading);
}

#[test]
fn the_closed_drawer_shows_its_differences_and_any_key_of_its_table_goes_home() {
    let mut app = open();
    let mut state = open_state();
    state.drawer.closed_at = Some(2_000);
    state.drawer.counted_cash = Some(24_500);
    state.drawer.expected_cash = Some(25_000);
    state.drawer.closing_balance = Some(245_000);
    state.drawer.expected_balance = Some(245_000);
    let effects = update(&mut app, Event::Drawer(Ok(DrawerReply::Closed(state))));
    assert_eq!(effects, vec![Effect::FetchBalance]);
    let Stage::Closed(s) = stage(&app) else {
        panic!("closed")
    };
    assert_eq!(s.cash_gap().unwrap().difference(), -500);
    assert!(!s.balance_gap().unwrap().flagged());
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Catalogue));
}

#[test]
fn a_failure_is_said_and_the_typed_amount_stays() {
    let mut app = open();
    typed(&mut app, "24500");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('o'));
    update(
        &mut app,
        Event::Drawer(Err("service caisse indisponible".into())),
    );
    assert_eq!(error(&app).as_deref(), Some("service caisse indisponible"));
    assert_eq!(typed_value(&app), "24500");
    // F5 reads the drawer again.
    assert_eq!(
        press(&mut app, KeyCode::F(5)),
        vec![Effect::Drawer(DrawerAsk::Status)]
    );
}

fn entry(app: &App) -> &EntryState {
    match &app.screen {
        Screen::Entry(e) => e,
        other => panic!("not the entry form: {other:?}"),
    }
}

/// A cash-out's form offers « retrait d'espèces » (filled in) or « paiement »: Enter after
/// the amount goes to the summary as before, Tab reaches the choice and → changes it, and
/// the order carries it under `CashOutUse::FIELD`. A deposit has no such choice.
#[test]
fn a_cash_out_s_use_is_a_choice_that_defaults_to_a_withdrawal() {
    use crate::domain::drawer::CashOutUse;
    let mut app = App::new(true, 1_000_000);
    app.balance = Some(Ok(250_000.0));
    let tile = |code: &str| {
        crate::tui::catalog::all_tiles()
            .into_iter()
            .find(|t| t.code == code)
            .unwrap()
    };
    open_tile(&mut app, tile("WAVE_SN_API_CASH_OUT"));
    let usage = |app: &App| {
        entry(app)
            .fields
            .iter()
            .find(|f| f.spec.name == CashOutUse::FIELD)
            .map(|f| f.input.value().to_owned())
    };
    assert_eq!(usage(&app).as_deref(), Some("retrait"));
    typed(&mut app, "772457100");
    press(&mut app, KeyCode::Enter);
    typed(&mut app, "1500");
    press(&mut app, KeyCode::Enter);
    assert!(
        entry(&app).confirming,
        "the default needs no Enter of its own"
    );
    let (order, errors) = order_of(app.lang, entry(&app), Some(250_000.0));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(order.fields[CashOutUse::FIELD], "retrait");

    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Tab);
    assert!(entry(&app).on_choice());
    // Typed letters do not go into a choice; → picks the next value.
    typed(&mut app, "x");
    press(&mut app, KeyCode::Right);
    assert_eq!(usage(&app).as_deref(), Some("paiement"));
    press(&mut app, KeyCode::Enter);
    assert!(entry(&app).confirming);
    let (order, errors) = order_of(app.lang, entry(&app), Some(250_000.0));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(order.fields[CashOutUse::FIELD], "paiement");

    let mut deposit = App::new(true, 1_000_000);
    open_tile(&mut deposit, tile("WAVE_SN_API_CASH_IN"));
    assert_eq!(usage(&deposit), None, "a deposit is always paid in cash");
}

/// A supervisor's drawer screen reads the float too, and shows it (F5 reads both again).
#[test]
fn a_supervisor_s_drawer_screen_reads_the_float() {
    use crate::domain::float::Reading;
    use crate::journal::float::FloatView;
    let mut app = App::new(true, 1_000_000);
    app.gate.cashier = Some(crate::staff::Cashier {
        name: "chef".into(),
        role: crate::staff::Role::Supervisor,
    });
    let both = vec![
        Effect::Drawer(DrawerAsk::Status),
        Effect::Drawer(DrawerAsk::Float),
    ];
    assert_eq!(press(&mut app, KeyCode::F(6)), both);
    let view = FloatView {
        latest: Some(Reading {
            at: 900_000,
            balance: 150_000,
        }),
        threshold: Some(200_000),
        below_since: Some(600_000),
        pace_per_hour: Some(12_000),
        refills: vec![],
    };
    update(
        &mut app,
        Event::Drawer(Ok(DrawerReply::Float(view.clone()))),
    );
    update(
        &mut app,
        Event::Drawer(Ok(DrawerReply::Refused(DrawerRefusal::NotOpen))),
    );
    let Screen::Drawer(d) = &app.screen else {
        panic!("drawer screen")
    };
    assert_eq!(d.float.as_ref(), Some(&view));
    assert_eq!(press(&mut app, KeyCode::F(5)), both);
}
