//! Where the sale stands, whatever the screen (issue 12, items 6, 8, 9): a callback that
//! settles a sale still being sent, the balance read again on every settlement, a sale left
//! unsettled announced when it settles, and a pending sale's payment screen reopened from
//! the journal.

use super::tests::row;
use super::*;
use crate::domain::TxStatus;
use crate::session::view::Operation;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn changed(id: &str, status: &str) -> Event {
    Event::Engine(EngineEvent::Changed {
        external_id: id.into(),
        status: status.into(),
    })
}

fn app() -> App {
    let mut app = App::new(true, 1_000_000);
    update(&mut app, Event::Balance(Ok(250_000.0)));
    app
}

/// A Wave deposit's payment screen, as the entry's confirmation opens it (nothing recorded
/// yet).
fn paying(app: &mut App) {
    let tile = crate::tui::catalog::all_tiles()
        .into_iter()
        .find(|t| t.code == "WAVE_SN_API_CASH_IN")
        .unwrap();
    app.screen = Screen::Payment(Box::new(PaymentState {
        order: crate::engine::PayOrder {
            gateway: crate::domain::GatewayKind::Intech,
            service: "WAVE_SN_API_CASH_IN".into(),
            phone: Some("772450094".into()),
            amount: Some(1_000),
            fields: Default::default(),
            description: None,
        },
        tile,
        row: None,
        error: None,
        opened_at: 1_000_000,
        notice: None,
        rang: false,
        external_id: None,
    }));
}

fn payment(app: &App) -> &PaymentState {
    match &app.screen {
        Screen::Payment(p) => p,
        other => panic!("not the payment screen: {other:?}"),
    }
}

fn pending() -> Operation {
    row(TxStatus::Pending, "WAVE_SN_API_CASH_OUT")
}

#[test]
fn a_callback_before_the_reply_settles_the_screen_still_sending() {
    let mut app = app();
    paying(&mut app);
    let id = pending().external_id;
    update(&mut app, Event::Sending(id.clone()));
    // The engine settled it (a callback) while the send waits for its reply: the screen
    // reads the row at once.
    let effects = update(&mut app, changed(&id, "SUCCESS"));
    assert!(
        effects.contains(&Effect::LoadRow(id.clone())),
        "{effects:?}"
    );
    let effects = update(
        &mut app,
        Event::Row(row(TxStatus::Success, "WAVE_SN_API_CASH_IN")),
    );
    assert!(effects.contains(&Effect::Bell));
    assert_eq!(
        payment(&app).row.as_ref().map(|r| r.status),
        Some(TxStatus::Success)
    );
    assert!(!app.needs_tick(), "no more « Envoi à la passerelle… »");
    // The reply comes at last: the same sale, no second bell.
    let effects = update(
        &mut app,
        Event::Paid(Ok(row(TxStatus::Success, "WAVE_SN_API_CASH_IN"))),
    );
    assert!(!effects.contains(&Effect::Bell));
}

#[test]
fn the_balance_is_read_again_whenever_a_sale_settles_even_in_the_background() {
    let mut app = app();
    // On the home screen: a sale nobody watches settles.
    let effects = update(&mut app, changed("other-sale", "SUCCESS"));
    assert!(effects.contains(&Effect::FetchBalance), "{effects:?}");
    let effects = update(&mut app, changed("other-sale", "FAILED"));
    assert!(effects.contains(&Effect::FetchBalance), "{effects:?}");
    // Not yet settled: nothing moved.
    let effects = update(&mut app, changed("other-sale", "PENDING"));
    assert!(!effects.contains(&Effect::FetchBalance), "{effects:?}");
}

#[test]
fn a_sale_left_unsettled_is_announced_with_the_bell_when_it_settles() {
    let mut app = app();
    paying(&mut app);
    update(&mut app, Event::Paid(Ok(pending())));
    update(&mut app, key(KeyCode::Char('n')));
    assert!(matches!(app.screen, Screen::Catalogue));
    assert!(app.announce.is_none());
    // Another sale settling says nothing.
    let effects = update(&mut app, changed("someone-else", "SUCCESS"));
    assert!(!effects.contains(&Effect::Bell));
    assert!(app.announce.is_none());
    // Still pending: nothing yet.
    let id = pending().external_id;
    let effects = update(&mut app, changed(&id, "PROCESSING"));
    assert!(!effects.contains(&Effect::Bell));
    // It settles: a line on this screen, and the bell.
    let effects = update(&mut app, changed(&id, "SUCCESS"));
    assert!(effects.contains(&Effect::Bell), "{effects:?}");
    assert!(app.dirty);
    let line = app.announce.clone().expect("the announcement");
    assert!(line.starts_with('✓'), "{line}");
    assert!(
        line.contains("1 000 FCFA") && line.contains("772450094"),
        "{line}"
    );
    assert!(line.contains("réussi"), "{line}");
    // Once: a repeat of the event rings no more.
    assert!(!update(&mut app, changed(&id, "SUCCESS")).contains(&Effect::Bell));
    // The next key puts the line away (and does its own work).
    update(&mut app, key(KeyCode::Down));
    assert!(app.announce.is_none());
}

#[test]
fn a_sale_left_while_still_being_sent_is_announced_too() {
    let mut app = app();
    paying(&mut app);
    let id = pending().external_id;
    update(&mut app, Event::Sending(id.clone()));
    update(&mut app, key(KeyCode::Esc));
    let effects = update(&mut app, changed(&id, "FAILED"));
    assert!(effects.contains(&Effect::Bell));
    let line = app.announce.clone().unwrap();
    assert!(line.starts_with('✗') && line.contains("échoué"), "{line}");
}

#[test]
fn the_journal_reopens_a_pending_sales_payment_screen_with_its_link() {
    let mut app = app();
    paying(&mut app);
    update(&mut app, Event::Paid(Ok(pending())));
    update(&mut app, key(KeyCode::Char('n')));
    update(&mut app, key(KeyCode::F(3)));
    let mut done = row(TxStatus::Success, "WAVE_SN_API_CASH_OUT");
    done.external_id = "01a20000-0000-7000-8000-000000000002".into();
    update(&mut app, Event::Rows(vec![done, pending()]));
    // A settled sale has nothing to show the customer.
    update(&mut app, key(KeyCode::Char('p')));
    let Screen::Journal(j) = &app.screen else {
        panic!()
    };
    assert!(matches!(&j.notice, Some(Notice::Failed(m)) if m.contains("terminée")));
    // The pending one: its payment screen, its link (and its QR) again.
    update(&mut app, key(KeyCode::Down));
    let effects = update(&mut app, key(KeyCode::Char('p')));
    let id = pending().external_id;
    assert_eq!(effects, vec![Effect::LoadRow(id.clone())]);
    let p = payment(&app);
    assert_eq!(
        p.row.as_ref().and_then(|r| r.customer_url.as_deref()),
        Some("https://api.intech.sn/deep/6767676767676")
    );
    assert_eq!(p.tile.code, "WAVE_SN_API_CASH_OUT");
    // Followed on its own screen: its settling shows there, not as an announcement.
    let effects = update(&mut app, changed(&id, "SUCCESS"));
    assert!(effects.contains(&Effect::LoadRow(id)));
    assert!(app.announce.is_none());
    let effects = update(
        &mut app,
        Event::Row(row(TxStatus::Success, "WAVE_SN_API_CASH_OUT")),
    );
    assert!(effects.contains(&Effect::Bell));
}

#[test]
fn the_journal_detail_reopens_the_payment_screen_too() {
    let mut app = app();
    update(&mut app, key(KeyCode::F(3)));
    update(&mut app, Event::Rows(vec![pending()]));
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::F(4)));
    assert!(payment(&app).row.is_some());
}
