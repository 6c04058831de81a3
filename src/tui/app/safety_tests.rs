//! Money moves only when the cashier means it (issue 12, items 1–4): a paste only fills
//! the focused field; a refund, leaving with sales pending and a second identical sale are
//! asked first, and only `o` answers yes (Enter never does).

use super::tests::row;
use super::*;
use crate::domain::TxStatus;
use crate::session::{LoginNeed, Welcome};
use crate::staff::{Cashier, Role};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn app() -> App {
    let mut app = App::new(true, 1_000_000);
    update(&mut app, Event::Balance(Ok(250_000.0)));
    app
}

fn opened(code: &str) -> App {
    let mut app = app();
    let tile = crate::tui::catalog::all_tiles()
        .into_iter()
        .find(|t| t.code == code)
        .unwrap();
    open_tile(&mut app, tile);
    app
}

fn entry(app: &App) -> &EntryState {
    match &app.screen {
        Screen::Entry(e) => e,
        other => panic!("not the entry form: {other:?}"),
    }
}

fn value(app: &App, name: &str) -> String {
    entry(app)
        .fields
        .iter()
        .find(|f| f.spec.name == name)
        .map(|f| f.input.value().to_owned())
        .unwrap()
}

fn paid(status: TxStatus) -> App {
    let mut app = app();
    app.screen = Screen::Payment(Box::new(PaymentState {
        order: crate::engine::PayOrder {
            gateway: crate::domain::GatewayKind::Intech,
            service: "WAVE_SN_API_CASH_OUT".into(),
            phone: Some("772457100".into()),
            amount: Some(1_500),
            fields: Default::default(),
            description: None,
        },
        tile: crate::tui::catalog::all_tiles()
            .into_iter()
            .find(|t| t.code == "WAVE_SN_API_CASH_OUT")
            .unwrap(),
        row: Some(row(status, "WAVE_SN_API_CASH_OUT")),
        error: None,
        opened_at: 0,
        notice: None,
        rang: true,
        external_id: None,
    }));
    app
}

#[test]
fn a_pasted_phone_and_amount_with_newlines_fill_one_field_and_send_nothing() {
    let mut app = opened("WAVE_SN_API_CASH_IN");
    let effects = update(&mut app, Event::Paste("772450000\r\n1000\r\n\r\n".into()));
    assert!(effects.is_empty(), "{effects:?}");
    let e = entry(&app);
    assert!(!e.confirming, "a paste never reaches the summary");
    assert_eq!(e.focus, 0, "nor moves to the next field");
    assert_eq!(value(&app, "phone"), "7724500001000");
    assert_eq!(value(&app, "amount"), "");
}

#[test]
fn a_pasted_whatsapp_message_is_only_text_in_its_field() {
    let mut app = opened("WHATSAPP_MESSAGING");
    let message = entry(&app)
        .fields
        .iter()
        .position(|f| f.spec.name == "message")
        .unwrap();
    if let Screen::Entry(e) = &mut app.screen {
        e.focus = message;
    }
    let effects = update(&mut app, Event::Paste("Bonjour\n\n".into()));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(value(&app, "message"), "Bonjour");
    assert!(!entry(&app).confirming);
}

#[test]
fn a_paste_on_the_summary_does_nothing() {
    let mut app = opened("WAVE_SN_API_CASH_IN");
    if let Screen::Entry(e) = &mut app.screen {
        e.confirming = true;
    }
    let before = format!("{:?}", app.screen);
    assert!(update(&mut app, Event::Paste("o\r\r".into())).is_empty());
    assert_eq!(format!("{:?}", app.screen), before);
}

#[test]
fn a_field_takes_no_more_than_its_length_typed_or_pasted() {
    let mut app = opened("WAVE_SN_API_CASH_IN");
    update(&mut app, Event::Paste("7".repeat(600)));
    assert_eq!(value(&app, "phone").len(), 20);
    let mut typed = opened("WAVE_SN_API_CASH_IN");
    for _ in 0..600 {
        update(&mut typed, key(KeyCode::Char('7')));
    }
    assert_eq!(value(&typed, "phone").len(), 20);
}

#[test]
fn a_paste_goes_into_the_home_screens_filter_without_opening_a_tile() {
    let mut app = app();
    assert!(update(&mut app, Event::Paste("wave\r\r".into())).is_empty());
    assert!(matches!(app.screen, Screen::Catalogue));
    assert_eq!(app.filter, "wave");
}

#[test]
fn a_refund_is_asked_with_amount_customer_and_service_and_enter_does_not_answer() {
    let mut app = paid(TxStatus::Success);
    assert!(update(&mut app, key(KeyCode::Char('r'))).is_empty());
    let Some(ask::Question::Refund {
        amount,
        phone,
        service,
        ..
    }) = &app.ask
    else {
        panic!("no question: {:?}", app.ask);
    };
    assert_eq!(*amount, Some(1_500));
    assert_eq!(phone.as_deref(), Some("772457100"));
    assert!(service.contains("Wave"), "{service}");
    assert_eq!(keys(&app), vec![("o", "oui"), ("n Échap", "non")]);
    // Enter twice, then the payment screen's own keys: nothing moves, the question stays.
    for code in [
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::F(8),
        KeyCode::Char('r'),
    ] {
        assert!(update(&mut app, key(code)).is_empty(), "{code:?}");
    }
    assert!(app.ask.is_some());
    let effects = update(&mut app, key(KeyCode::Char('o')));
    assert_eq!(
        effects,
        vec![Effect::RefundAs {
            external_id: "01a20000-0000-7000-8000-000000000001".into(),
            supervisor_pin: None
        }]
    );
    assert!(app.ask.is_none());
}

#[test]
fn a_refund_answered_no_moves_nothing() {
    let mut app = paid(TxStatus::Success);
    update(&mut app, key(KeyCode::Char('r')));
    assert!(update(&mut app, key(KeyCode::Char('n'))).is_empty());
    assert!(app.ask.is_none());
    assert!(matches!(app.screen, Screen::Payment(_)));
}

#[test]
fn a_cashiers_refund_is_asked_then_needs_a_supervisors_pin_outside_a_kiosk_too() {
    let mut app = paid(TxStatus::Success);
    update(
        &mut app,
        Event::Link(crate::session::LinkEvent::Up {
            welcome: Welcome {
                demo: true,
                login: LoginNeed::NameAndPin,
                idle_lock_secs: None,
                low_balance: None,
                kiosk: false,
            },
            resumed: Some(Cashier {
                name: "awa".into(),
                role: Role::Cashier,
            }),
        }),
    );
    assert!(!app.gate.kiosk);
    update(&mut app, key(KeyCode::Char('r')));
    assert!(app.ask.is_some());
    assert!(update(&mut app, key(KeyCode::Char('o'))).is_empty());
    assert!(
        matches!(
            &app.gate.prompt,
            Some(p) if matches!(p.purpose, Purpose::Refund(_))
        ),
        "{:?}",
        app.gate.prompt
    );
}

#[test]
fn the_journal_detail_asks_before_a_refund_too() {
    let mut app = app();
    journal::open(&mut app);
    update(
        &mut app,
        Event::Rows(vec![row(TxStatus::Success, "WAVE_SN_API_CASH_OUT")]),
    );
    update(&mut app, key(KeyCode::Enter));
    assert!(update(&mut app, key(KeyCode::Char('r'))).is_empty());
    assert!(matches!(app.ask, Some(ask::Question::Refund { .. })));
}

#[test]
fn quitting_with_nothing_pending_is_at_once() {
    let mut app = app();
    assert_eq!(update(&mut app, key(KeyCode::F(10))), vec![Effect::Quit]);
    assert!(app.quit);
}

#[test]
fn quitting_with_sales_pending_asks_first() {
    let mut app = app();
    update(&mut app, Event::PendingCount(2, 0));
    assert!(update(&mut app, key(KeyCode::F(10))).is_empty());
    assert!(!app.quit);
    assert!(matches!(
        app.ask,
        Some(ask::Question::Quit { pending: 2, .. })
    ));
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert_eq!(
        update(&mut app, key(KeyCode::Char('o'))),
        vec![Effect::Quit]
    );
    assert!(app.quit);
}

#[test]
fn ctrl_c_with_sales_pending_asks_and_a_second_ctrl_c_leaves() {
    let mut app = app();
    update(&mut app, Event::PendingCount(1, 0));
    assert!(update(&mut app, Event::Interrupt).is_empty());
    assert!(app.ask.is_some() && !app.quit);
    assert_eq!(update(&mut app, Event::Interrupt), vec![Effect::Quit]);
    assert!(app.quit);
}

#[test]
fn quitting_the_demo_says_the_customers_link_stops_working() {
    let mut app = app();
    app.local = true;
    update(&mut app, Event::PendingCount(1, 0));
    update(&mut app, key(KeyCode::F(10)));
    assert!(matches!(
        app.ask,
        Some(ask::Question::Quit {
            demo_link: true,
            ..
        })
    ));
    let mut through_a_service = self::app();
    update(&mut through_a_service, Event::PendingCount(1, 0));
    update(&mut through_a_service, key(KeyCode::F(10)));
    assert!(matches!(
        through_a_service.ask,
        Some(ask::Question::Quit {
            demo_link: false,
            ..
        })
    ));
}

/// The deposit typed and confirmed: the payment screen sending it.
fn sending_a_deposit() -> App {
    let mut app = opened("WAVE_SN_API_CASH_IN");
    for c in "772450000".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, key(KeyCode::Enter));
    for c in "1000".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, key(KeyCode::Enter));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Pay {
                allow_duplicate: false,
                ..
            }]
        ),
        "{effects:?}"
    );
    update(&mut app, Event::Sending("first-id".into()));
    app
}

#[test]
fn a_second_identical_sale_is_asked_and_sent_only_on_yes() {
    let mut app = sending_a_deposit();
    update(
        &mut app,
        Event::Duplicate {
            status: TxStatus::Pending,
            age_secs: 4,
        },
    );
    assert!(matches!(app.ask, Some(ask::Question::Duplicate { .. })));
    // A double Enter, the habit that made the second sale, answers nothing; nor does the
    // summary's `o` pressed twice (or held): yes is `d` here.
    for code in [
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Char('o'),
        KeyCode::F(10),
    ] {
        assert!(update(&mut app, key(code)).is_empty(), "{code:?}");
    }
    assert!(app.ask.is_some());
    assert_eq!(
        keys(&app),
        vec![("d", "deuxième vente"), ("n Échap", "non")]
    );
    let effects = update(&mut app, key(KeyCode::Char('d')));
    let [
        Effect::Pay {
            order,
            allow_duplicate: true,
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}");
    };
    assert_eq!(order.amount, Some(1_000));
    let Screen::Payment(p) = &app.screen else {
        panic!("left the payment screen");
    };
    assert!(p.external_id.is_none(), "the second try gets its own id");
}

#[test]
fn a_second_identical_sale_answered_no_goes_back_to_the_form_as_typed() {
    let mut app = sending_a_deposit();
    update(
        &mut app,
        Event::Duplicate {
            status: TxStatus::Success,
            age_secs: 30,
        },
    );
    assert!(update(&mut app, key(KeyCode::Char('n'))).is_empty());
    assert_eq!(value(&app, "phone"), "772450000");
    assert_eq!(value(&app, "amount"), "1000");
    assert!(!entry(&app).confirming);
}

#[test]
fn the_bills_account_and_the_journals_search_are_capped_too() {
    let mut bills = opened("SENELEC_SN_BILL_PAY");
    for _ in 0..100 {
        update(&mut bills, key(KeyCode::Char('1')));
    }
    update(&mut bills, Event::Paste("2".repeat(100)));
    let Screen::Bills(b) = &bills.screen else {
        panic!("bills")
    };
    assert_eq!(b.account.value(), "1".repeat(20));
    let mut app = app();
    journal::open(&mut app);
    update(&mut app, key(KeyCode::Char('/')));
    for _ in 0..100 {
        update(&mut app, key(KeyCode::Char('w')));
    }
    let Screen::Journal(j) = &app.screen else {
        panic!("journal")
    };
    assert!(j.editing_filter);
    assert_eq!(j.filter.value().chars().count(), 32);
}

#[test]
fn the_answer_of_a_sale_left_while_sending_never_lands_on_the_next_sales_screen() {
    // Sale A is being sent (slow gateway); the cashier leaves it and sends B.
    let mut app = sending_a_deposit();
    update(&mut app, key(KeyCode::Esc));
    assert!(matches!(app.screen, Screen::Catalogue), "{:?}", app.screen);
    // B typed and confirmed the same way: its payment screen, its own id.
    app.screen = sending_a_deposit().screen;
    update(&mut app, Event::Sending("second-id".into()));
    // A's answers: its success, then a refusal as a repeat. Neither touches B's screen.
    let mut a = row(TxStatus::Success, "WAVE_SN_API_CASH_IN");
    a.external_id = "first-id".into();
    update(
        &mut app,
        Event::For {
            external_id: "first-id".into(),
            event: Box::new(Event::Paid(Ok(a))),
        },
    );
    update(
        &mut app,
        Event::For {
            external_id: "first-id".into(),
            event: Box::new(Event::Duplicate {
                status: TxStatus::Pending,
                age_secs: 1,
            }),
        },
    );
    assert!(app.ask.is_none(), "no question about another sale");
    let Screen::Payment(p) = &app.screen else {
        panic!("B's screen")
    };
    assert!(p.row.is_none(), "B shows nothing of A");
    assert_eq!(p.external_id.as_deref(), Some("second-id"));
    // B's own answer is B's.
    let mut b = row(TxStatus::Pending, "WAVE_SN_API_CASH_IN");
    b.external_id = "second-id".into();
    update(
        &mut app,
        Event::For {
            external_id: "second-id".into(),
            event: Box::new(Event::Paid(Ok(b))),
        },
    );
    let Screen::Payment(p) = &app.screen else {
        panic!("B's screen")
    };
    assert_eq!(
        p.row.as_ref().map(|r| r.external_id.as_str()),
        Some("second-id")
    );
}
