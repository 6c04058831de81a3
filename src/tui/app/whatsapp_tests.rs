//! Issue 13: a receipt by WhatsApp from the success screen and the journal's detail
//! (`w`/F9): its cost asked first (`o`/`n`, Enter answers nothing), then sent, then the
//! outcome said; and each of the two operations named in the other's detail.

use super::tests::row;
use super::*;
use crate::domain::TxStatus;
use crate::engine::ReceiptMessage;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn quote(sale: &str) -> ReceiptMessage {
    ReceiptMessage {
        sale: sale.into(),
        phone: "+221772457100".into(),
        cost: Some(25),
        text: "*REÇU N° 000001*".into(),
    }
}

/// The success screen of a paid Wave deposit.
fn paid_screen() -> (App, String) {
    let mut app = App::new(true, 1_000_000);
    let paid = row(TxStatus::Success, "WAVE_SN_API_CASH_IN");
    app.screen = Screen::Payment(payment::of_row(paid.clone(), None).unwrap());
    (app, paid.external_id)
}

#[test]
fn the_success_screen_asks_the_cost_before_a_whatsapp_receipt_goes() {
    let (mut app, sale) = paid_screen();
    assert_eq!(
        update(&mut app, key(KeyCode::Char('w'))),
        vec![Effect::AskWhatsApp(sale.clone())]
    );
    assert!(app.ask.is_none(), "nothing asked before the cost is known");
    update(&mut app, Event::WhatsAppQuote(Ok(quote(&sale))));
    assert_eq!(
        app.ask,
        Some(ask::Question::WhatsApp {
            sale: sale.clone(),
            phone: "+221772457100".into(),
            cost: Some(25),
        })
    );
    // Enter (a double Enter, a paste's newline) answers nothing.
    assert_eq!(update(&mut app, key(KeyCode::Enter)), vec![]);
    assert!(app.ask.is_some());
    assert_eq!(
        update(&mut app, key(KeyCode::Char('o'))),
        vec![Effect::SendWhatsApp {
            sale: sale.clone(),
            phone: "+221772457100".into(),
        }]
    );
    assert!(app.ask.is_none());
    // The outcome is said on the sale's screen, which stays the sale's.
    update(
        &mut app,
        Event::ActionDone(Ok(
            "Reçu envoyé par WhatsApp (25 FCFA payés par la boutique).".into(),
        )),
    );
    let Screen::Payment(p) = &app.screen else {
        panic!("still the sale's screen")
    };
    assert_eq!(p.row.as_ref().unwrap().status, TxStatus::Success);
    assert!(
        p.notice
            .as_deref()
            .unwrap()
            .contains("Reçu envoyé par WhatsApp")
    );
}

#[test]
fn no_sends_nothing_and_a_refusal_is_said() {
    let (mut app, sale) = paid_screen();
    update(&mut app, key(KeyCode::F(9)));
    update(&mut app, Event::WhatsAppQuote(Ok(quote(&sale))));
    assert_eq!(update(&mut app, key(KeyCode::Char('n'))), vec![]);
    assert!(app.ask.is_none());
    update(
        &mut app,
        Event::WhatsAppQuote(Err("cette vente n'a pas de numéro de client".into())),
    );
    assert!(app.ask.is_none());
    let Screen::Payment(p) = &app.screen else {
        panic!()
    };
    assert!(p.notice.as_deref().unwrap().contains("pas de numéro"));
}

#[test]
fn a_pending_sale_has_no_whatsapp_receipt_yet() {
    let mut app = App::new(true, 1_000_000);
    let pending = row(TxStatus::Pending, "WAVE_SN_API_CASH_IN");
    app.screen = Screen::Payment(payment::of_row(pending, None).unwrap());
    assert_eq!(update(&mut app, key(KeyCode::Char('w'))), vec![]);
    let Screen::Payment(p) = &app.screen else {
        panic!()
    };
    assert!(p.notice.as_deref().unwrap().contains("Pas de reçu"));
}

#[test]
fn the_journal_detail_asks_the_cost_then_sends() {
    let mut app = App::new(true, 1_000_000);
    update(&mut app, key(KeyCode::F(3)));
    let paid = row(TxStatus::Success, "WAVE_SN_API_CASH_IN");
    update(&mut app, Event::Rows(vec![paid.clone()]));
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        update(&mut app, key(KeyCode::Char('w'))),
        vec![Effect::AskWhatsApp(paid.external_id.clone())]
    );
    update(&mut app, Event::WhatsAppQuote(Ok(quote(&paid.external_id))));
    assert_eq!(
        update(&mut app, key(KeyCode::Char('o'))),
        vec![Effect::SendWhatsApp {
            sale: paid.external_id.clone(),
            phone: "+221772457100".into(),
        }]
    );
    // Done: the journal reloads (the message's own row comes in) and the detail's history.
    let effects = update(
        &mut app,
        Event::ActionDone(Ok("Reçu envoyé par WhatsApp.".into())),
    );
    assert!(effects.contains(&Effect::LoadJournal));
    assert!(effects.contains(&Effect::LoadEvents(paid.external_id)));
}
