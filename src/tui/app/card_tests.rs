//! The bank card's form: the card type is picked among the server's own values (never
//! typed), and the card number shows masked once typed.

use super::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn entry(app: &App) -> &EntryState {
    let Screen::Entry(e) = &app.screen else {
        panic!("not on the form")
    };
    e
}

/// The card form, filled up to its last field (the card type), focused there.
fn card_form() -> App {
    let mut app = App::new(true, 1_000_000);
    update(&mut app, Event::Balance(Ok(250_000.0)));
    let tile = crate::tui::catalog::all_tiles()
        .into_iter()
        .find(|t| t.code == "BANK_CARD_API_CASH_OUT")
        .unwrap();
    open_tile(&mut app, tile);
    for text in [
        "772450000",
        "1000",
        "Awa",
        "Diop",
        "",
        "4970101234567899",
        "09",
        "29",
        "123",
    ] {
        type_text(&mut app, text);
        key(&mut app, KeyCode::Enter);
    }
    let e = entry(&app);
    assert_eq!(e.fields[e.focus].spec.name, "cardType");
    assert!(e.on_choice());
    app
}

fn card_type(app: &App) -> String {
    let e = entry(app);
    e.fields[e.focus].input.value().to_owned()
}

#[test]
fn the_card_type_is_chosen_with_the_arrows_never_typed() {
    let mut app = card_form();
    // Letters do not go in: the server takes only its own spellings.
    type_text(&mut app, "visa");
    assert_eq!(card_type(&app), "");
    // Without a type, the form is not confirmed and says why.
    key(&mut app, KeyCode::Enter);
    assert!(!entry(&app).confirming);
    assert!(entry(&app).errors["cardType"].contains("obligatoire"));
    key(&mut app, KeyCode::Right);
    assert_eq!(card_type(&app), "VISA");
    assert!(!entry(&app).errors.contains_key("cardType"));
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(card_type(&app), "MASTERCARD");
    key(&mut app, KeyCode::Right);
    assert_eq!(card_type(&app), "VISA_ELECTRON");
    key(&mut app, KeyCode::Right);
    assert_eq!(card_type(&app), "VISA", "the choice wraps around");
    key(&mut app, KeyCode::Left);
    assert_eq!(card_type(&app), "VISA_ELECTRON");
    key(&mut app, KeyCode::Left);
    assert_eq!(card_type(&app), "MASTERCARD");
    // The footer shows the choice's keys there, the typing keys elsewhere.
    assert!(keys(&app).contains(&("← → Espace", "choisir")));
    key(&mut app, KeyCode::Up);
    assert!(!entry(&app).on_choice());
    assert!(!keys(&app).contains(&("← → Espace", "choisir")));
    key(&mut app, KeyCode::Down);

    key(&mut app, KeyCode::Enter);
    assert!(entry(&app).confirming, "the summary is shown");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Pay { order, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(order.service, "BANK_CARD_API_CASH_OUT");
    assert_eq!(order.fields["cardType"], "MASTERCARD");
    assert_eq!(order.fields["cardNumber"], "4970101234567899", "sent whole");
}

#[test]
fn from_no_type_left_picks_the_last() {
    let mut app = card_form();
    key(&mut app, KeyCode::Left);
    assert_eq!(card_type(&app), "VISA_ELECTRON");
}
