//! Screen transitions, driven by events, asserted on state and effects. No terminal, no I/O.

use super::*;
use crate::catalog::services::Country;
use crate::domain::TxStatus;
use crate::session::view::Operation;
use crate::session::view::PendingBill;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(update(app, key(KeyCode::Char(c))));
    }
    effects
}

fn alt(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
}

fn app() -> App {
    let mut app = App::new(true, 1_000_000);
    update(&mut app, Event::Balance(Ok(250_000.0)));
    app
}

pub(crate) fn row(status: TxStatus, service: &str) -> Operation {
    Operation {
        external_id: "01a20000-0000-7000-8000-000000000001".into(),
        gateway: crate::domain::GatewayKind::Intech,
        service: service.into(),
        phone: Some("772457100".into()),
        amount: Some(1500),
        fields: json!({}),
        status,
        gateway_tx_id: Some("6767676767676".into()),
        customer_url: Some("https://api.intech.sn/deep/6767676767676".into()),
        notification: Some("Bonjour, cliquez sur le lien".into()),
        error_code: None,
        error_message: None,
        cashier: "awa".into(),
        terminal: "local".into(),
        created_at: 1_000_000,
        sent_at: Some(1_000_000),
        final_at: None,
        updated_at: 1_000_100,
        kind: crate::domain::OpKind::Payment,
        parent_id: None,
        details: serde_json::json!({}),
        receipt_no: None,
    }
}

fn open_wave_cash_out(app: &mut App) {
    type_text(app, "wave");
    let tiles = app.visible_tiles();
    let i = tiles
        .iter()
        .position(|t| t.code == "WAVE_SN_API_CASH_OUT")
        .unwrap();
    for _ in 0..i {
        update(app, key(KeyCode::Right));
    }
    update(app, key(KeyCode::Enter));
    assert!(matches!(&app.screen, Screen::Entry(e) if e.tile.code == "WAVE_SN_API_CASH_OUT"));
}

#[test]
fn the_catalogue_filters_as_you_type_and_opens_by_digit() {
    let mut app = app();
    assert_eq!(
        app.start(),
        vec![Effect::FetchBalance, Effect::CountPending]
    );
    type_text(&mut app, "senelec");
    assert_eq!(app.visible_tiles()[0].code, "SENELEC_SN_BILL_PAY");
    update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(app.screen, Screen::Bills(_)),
        "a bill service opens the bills screen"
    );
    update(&mut app, key(KeyCode::Esc));
    assert!(matches!(app.screen, Screen::Catalogue));
    update(&mut app, key(KeyCode::Esc));
    assert!(app.filter.is_empty(), "Esc clears the filter");
    // Digits choose among the first nine tiles.
    update(&mut app, key(KeyCode::Char('4')));
    assert!(matches!(&app.screen, Screen::Entry(e) if e.tile.code == app.visible_tiles()[3].code));
}

#[test]
fn country_journal_help_and_quit() {
    let mut app = app();
    update(&mut app, alt('p'));
    assert_eq!(app.country, Country::CoteDIvoire);
    assert!(
        app.visible_tiles()
            .iter()
            .all(|t| t.country != Some(Country::Senegal))
    );
    update(&mut app, key(KeyCode::F(4)));
    assert_eq!(app.country, Country::Senegal);
    assert_eq!(update(&mut app, alt('j')), vec![Effect::LoadJournal]);
    assert!(matches!(app.screen, Screen::Journal(_)));
    update(&mut app, key(KeyCode::F(1)));
    assert!(app.help);
    update(&mut app, key(KeyCode::Char('x')));
    assert!(!app.help, "any key closes the help");
    update(&mut app, key(KeyCode::Esc));
    assert!(matches!(app.screen, Screen::Catalogue));
    assert_eq!(update(&mut app, alt('q')), vec![Effect::Quit]);
    assert!(app.quit);
}

#[test]
fn entry_validates_live_confirms_then_pays() {
    let mut app = app();
    open_wave_cash_out(&mut app);
    type_text(&mut app, "77245");
    let Screen::Entry(e) = &app.screen else {
        panic!()
    };
    assert!(e.errors["phone"].contains("9 chiffres"), "live validation");
    type_text(&mut app, "7100");
    let Screen::Entry(e) = &app.screen else {
        panic!()
    };
    assert!(!e.errors.contains_key("phone"));
    update(&mut app, key(KeyCode::Enter));
    // Letters never enter an amount.
    type_text(&mut app, "15a01");
    let Screen::Entry(e) = &app.screen else {
        panic!()
    };
    assert_eq!(e.fields[1].input.value(), "1501");
    assert!(e.errors["amount"].contains("multiple de 5"));
    update(&mut app, key(KeyCode::Enter));
    let Screen::Entry(e) = &app.screen else {
        panic!()
    };
    assert!(!e.confirming, "an invalid form is not confirmed");
    update(&mut app, key(KeyCode::Backspace));
    type_text(&mut app, "0");
    update(&mut app, key(KeyCode::Enter));
    let Screen::Entry(e) = &app.screen else {
        panic!()
    };
    assert!(e.confirming, "the summary is shown");
    update(&mut app, key(KeyCode::Esc));
    let Screen::Entry(e) = &app.screen else {
        panic!()
    };
    assert!(!e.confirming, "Esc goes back to editing");
    update(&mut app, key(KeyCode::Enter));
    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::Pay { order, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (order.service.as_str(), order.phone.as_deref(), order.amount),
        ("WAVE_SN_API_CASH_OUT", Some("772457100"), Some(1500))
    );
    assert!(matches!(app.screen, Screen::Payment(_)));
    // The "wave" typed to find the tile is gone: the next sale starts from every tile and
    // the next letters are a new word.
    assert!(app.filter.is_empty());
    update(&mut app, key(KeyCode::Char('n')));
    assert!(matches!(app.screen, Screen::Catalogue));
    type_text(&mut app, "j");
    assert_eq!(app.filter, "j");
    assert!(matches!(app.screen, Screen::Catalogue));
}

#[test]
fn a_deposit_above_the_balance_is_refused_before_sending() {
    let mut app = app();
    update(&mut app, Event::Balance(Ok(1_000.0)));
    type_text(&mut app, "wave");
    let i = app
        .visible_tiles()
        .iter()
        .position(|t| t.code == "WAVE_SN_API_CASH_IN")
        .unwrap();
    app.selected = i;
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "772450000");
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "5000");
    // Refused by the balance alone: it is read again (a top-up made elsewhere)…
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        vec![Effect::FetchBalance]
    );
    let Screen::Entry(e) = &app.screen else {
        panic!()
    };
    assert!(!e.confirming);
    assert!(
        e.errors["amount"].contains("solde insuffisant"),
        "{:?}",
        e.errors
    );
    // …and the next Enter judges on the fresh figure.
    update(&mut app, Event::Balance(Ok(50_000.0)));
    update(&mut app, key(KeyCode::Enter));
    let Screen::Entry(e) = &app.screen else {
        panic!()
    };
    assert!(e.confirming, "{:?}", e.errors);
}

#[test]
fn bills_are_fetched_picked_and_prefill_the_entry() {
    let mut app = app();
    type_text(&mut app, "senelec");
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "123");
    update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(&app.screen, Screen::Bills(b) if matches!(b.stage, BillsStage::Error(_))),
        "too short"
    );
    update(&mut app, key(KeyCode::Char('x')));
    type_text(&mut app, "21050176");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::FetchBills {
            service: "SENELEC_SN_BILL_PAY".into(),
            account: "12321050176".into()
        }]
    );
    let bill = |amount, reference: &str| PendingBill {
        amount,
        bill_reference: reference.into(),
        infos: vec![],
    };
    update(
        &mut app,
        Event::Bills(Ok(vec![
            bill(27_685, "1062208013069"),
            bill(4_500, "1062208013070"),
        ])),
    );
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Enter));
    let Screen::Entry(e) = &app.screen else {
        panic!()
    };
    let value = |name: &str| {
        e.fields
            .iter()
            .find(|f| f.spec.name == name)
            .map(|f| (f.input.value().to_owned(), f.locked))
            .unwrap()
    };
    assert_eq!(value("billReference"), ("1062208013070".into(), true));
    assert_eq!(value("amount"), ("4500".into(), true));
    assert_eq!(value("accountNumber"), ("12321050176".into(), true));
    assert_eq!(
        e.fields[e.focus].spec.name, "phone",
        "the cursor waits on the only field to fill"
    );
    let mut again = app.clone();
    update(&mut again, Event::Bills(Err("refusé".into())));
}

#[test]
fn the_payment_screen_follows_the_row_and_rings_once() {
    let mut app = app();
    open_wave_cash_out(&mut app);
    type_text(&mut app, "772457100");
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "1500");
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Enter));
    assert!(app.needs_tick(), "the countdown ticks while sending");
    let effects = update(
        &mut app,
        Event::Paid(Ok(row(TxStatus::Pending, "WAVE_SN_API_CASH_OUT"))),
    );
    assert!(!effects.contains(&Effect::Bell));
    assert_eq!(
        update(&mut app, key(KeyCode::Char('v'))),
        vec![Effect::Refresh(row(TxStatus::Pending, "").external_id)]
    );
    // The engine says it changed: the screen reloads the row.
    let id = row(TxStatus::Pending, "").external_id;
    let effects = update(
        &mut app,
        Event::Engine(EngineEvent::Changed {
            external_id: id.clone(),
            status: "SUCCESS".into(),
        }),
    );
    assert!(effects.contains(&Effect::LoadRow(id.clone())));
    let effects = update(
        &mut app,
        Event::Row(row(TxStatus::Success, "WAVE_SN_API_CASH_OUT")),
    );
    assert!(effects.contains(&Effect::Bell));
    assert!(
        !update(
            &mut app,
            Event::Row(row(TxStatus::Success, "WAVE_SN_API_CASH_OUT"))
        )
        .contains(&Effect::Bell),
        "once"
    );
    assert!(!app.needs_tick(), "a final screen does not tick");
    update(&mut app, Event::Tick(2_000_000));
    assert!(!app.dirty, "nothing visible changed");
    // Asked first (`safety_tests`), then sent.
    assert!(update(&mut app, key(KeyCode::Char('r'))).is_empty());
    assert_eq!(
        update(&mut app, key(KeyCode::Char('o'))),
        vec![Effect::RefundAs {
            external_id: id,
            supervisor_pin: None
        }]
    );
    update(&mut app, key(KeyCode::Char('n')));
    assert!(matches!(app.screen, Screen::Catalogue));
}

#[test]
fn the_journal_filters_shows_detail_and_sends_claims() {
    let mut app = app();
    update(&mut app, key(KeyCode::F(3)));
    let mut failed = row(TxStatus::Failed, "ORANGE_SN_API_CASH_IN");
    failed.external_id = "01a20000-0000-7000-8000-000000000002".into();
    update(
        &mut app,
        Event::Rows(vec![row(TxStatus::Success, "WAVE_SN_API_CASH_OUT"), failed]),
    );
    let Screen::Journal(j) = &app.screen else {
        panic!()
    };
    assert_eq!(j.visible().len(), 2);
    update(&mut app, key(KeyCode::Char('s')));
    let Screen::Journal(j) = &app.screen else {
        panic!()
    };
    assert_eq!((j.status, j.visible().len()), (StatusFilter::Success, 1));
    update(&mut app, key(KeyCode::Char('s')));
    update(&mut app, key(KeyCode::Char('s')));
    update(&mut app, key(KeyCode::Char('s')));
    update(&mut app, key(KeyCode::Char('/')));
    type_text(&mut app, "orange");
    update(&mut app, key(KeyCode::Enter));
    let Screen::Journal(j) = &app.screen else {
        panic!()
    };
    assert_eq!(j.visible().len(), 1);
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::LoadEvents(
            "01a20000-0000-7000-8000-000000000002".into()
        )]
    );
    update(&mut app, key(KeyCode::Char('c')));
    type_text(&mut app, "Montant");
    update(&mut app, key(KeyCode::Tab));
    type_text(&mut app, "Le client conteste");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::Claim {
            external_id: "01a20000-0000-7000-8000-000000000002".into(),
            subject: "Montant".into(),
            message: "Le client conteste".into()
        }]
    );
    // A failed deposit cannot be refunded.
    assert!(update(&mut app, key(KeyCode::Char('r'))).is_empty());
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, key(KeyCode::Esc));
    assert!(matches!(app.screen, Screen::Catalogue));
}

#[test]
fn a_row_to_check_offers_a_claim_with_its_references_written_in() {
    let mut app = app();
    update(&mut app, key(KeyCode::F(3)));
    let mut stuck = row(TxStatus::Review, "WAVE_SN_API_CASH_IN");
    stuck.external_id = "01a20000-0000-7000-8000-00000000abcd".into();
    stuck.gateway_tx_id = None;
    stuck.error_code = Some("unreadable_status".into());
    stuck.error_message = Some("Statut illisible : Grand livre indisponible".into());
    update(&mut app, Event::Rows(vec![stuck]));
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Char('c')));
    let Screen::Journal(j) = &app.screen else {
        panic!()
    };
    let claim = j
        .claim
        .as_ref()
        .expect("a claim form, even with no Intech id");
    assert_eq!(claim.subject.value(), "Opération à vérifier");
    let message = claim.message.value();
    assert!(
        message.contains("01a20000-0000-7000-8000-00000000abcd"),
        "{message}"
    );
    assert!(message.contains("Grand livre indisponible"), "{message}");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(effects.as_slice(), [Effect::Claim { external_id, .. }] if external_id.ends_with("abcd")),
        "{effects:?}"
    );
}

#[test]
fn the_header_counts_the_rows_to_check_apart() {
    let mut app = app();
    update(&mut app, Event::PendingCount(1, 2));
    assert_eq!((app.pending, app.review), (1, 2));
}

#[test]
fn an_intram_sale_asks_only_the_amount() {
    let mut app = app();
    type_text(&mut app, "intram");
    update(&mut app, key(KeyCode::Enter));
    let Screen::Entry(e) = &app.screen else {
        panic!()
    };
    assert_eq!(e.fields[0].spec.name, "amount");
    type_text(&mut app, "2500");
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Enter));
    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::Pay { order, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (order.gateway.as_str(), order.amount),
        ("intram", Some(2500))
    );
}

/// Issue 12 (16): `v` on a sale that ended says so, on the payment screen and in the
/// journal's detail; the detail scrolls.
#[test]
fn checking_a_finished_sale_says_it_is_over_and_the_detail_scrolls() {
    let mut app = app();
    open_wave_cash_out(&mut app);
    type_text(&mut app, "772457100");
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "1500");
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Enter));
    update(
        &mut app,
        Event::Paid(Ok(row(TxStatus::Success, "WAVE_SN_API_CASH_OUT"))),
    );
    assert!(update(&mut app, key(KeyCode::Char('v'))).is_empty());
    let Screen::Payment(p) = &app.screen else {
        panic!()
    };
    assert_eq!(
        p.notice.as_deref(),
        Some("Cette opération est terminée (réussi) : rien à vérifier.")
    );

    update(&mut app, key(KeyCode::F(3)));
    update(
        &mut app,
        Event::Rows(vec![row(TxStatus::Failed, "WAVE_SN_API_CASH_OUT")]),
    );
    update(&mut app, key(KeyCode::Enter));
    assert!(update(&mut app, key(KeyCode::Char('v'))).is_empty());
    let Screen::Journal(j) = &app.screen else {
        panic!()
    };
    assert_eq!(
        j.notice,
        Some(Notice::Done(
            "Cette opération est terminée (échoué) : rien à vérifier.".into()
        ))
    );
    for k in [KeyCode::Down, KeyCode::Down, KeyCode::PageDown, KeyCode::Up] {
        update(&mut app, key(k));
    }
    let Screen::Journal(j) = &app.screen else {
        panic!()
    };
    assert_eq!(j.scroll, 11);
    update(&mut app, key(KeyCode::Esc));
    let Screen::Journal(j) = &app.screen else {
        panic!()
    };
    assert_eq!((j.detail.is_none(), j.scroll), (true, 0));
}

/// Issue 12 (15): the digits pick the tiles by the numbers drawn on them, also once the grid
/// has scrolled (at 80×24: three rows of five; the fourth row's tile selected).
#[test]
fn digits_pick_the_numbers_the_tiles_show() {
    let mut app = app();
    update(&mut app, Event::Resize(80, 24));
    assert_eq!(catalogue::first_shown(0, 5, 21), 0);
    for _ in 0..3 {
        update(&mut app, key(KeyCode::Down));
    }
    assert_eq!(app.selected, 15);
    let first = catalogue::first_shown(app.selected, 5, 21);
    assert_eq!(first, 5, "the first row scrolled away");
    let expected = app.visible_tiles()[first].code;
    update(&mut app, key(KeyCode::Char('1')));
    assert!(
        matches!(&app.screen, Screen::Entry(e) if e.tile.code == expected)
            || matches!(&app.screen, Screen::Bills(b) if b.tile.code == expected)
    );
}

/// Issue 13: the journal's detail prints a final operation's receipt on the shop's printer
/// (`F7`/`i`); an operation not final yet has none, and nothing is asked.
#[test]
fn the_journal_detail_prints_the_receipt_of_a_final_operation_only() {
    let mut app = app();
    update(&mut app, key(KeyCode::F(3)));
    let paid = row(TxStatus::Success, "WAVE_SN_API_CASH_OUT");
    let mut pending = row(TxStatus::Pending, "WAVE_SN_API_CASH_OUT");
    pending.external_id = "01a20000-0000-7000-8000-000000000002".into();
    pending.created_at -= 1;
    update(&mut app, Event::Rows(vec![paid.clone(), pending]));
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        update(&mut app, key(KeyCode::Char('i'))),
        vec![Effect::PrintReceipt(paid.external_id.clone())]
    );
    // The printer's answer is said on the screen; the sale reloads with its history.
    let effects = update(
        &mut app,
        Event::ActionDone(Err("l'imprimante ne répond pas".into())),
    );
    assert!(effects.contains(&Effect::LoadEvents(paid.external_id.clone())));
    let Screen::Journal(j) = &app.screen else {
        panic!()
    };
    assert_eq!(
        j.notice,
        Some(Notice::Failed("l'imprimante ne répond pas".into()))
    );
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(update(&mut app, key(KeyCode::F(7))), vec![]);
    let Screen::Journal(j) = &app.screen else {
        panic!()
    };
    assert!(matches!(&j.notice, Some(Notice::Failed(m)) if m.contains("Pas de reçu")));
}

/// Issue 13: the success screen prints the sale's receipt (`i`/F7); a sale still pending
/// has none yet.
#[test]
fn the_success_screen_prints_the_receipt_once_the_sale_is_final() {
    let mut app = app();
    open_wave_cash_out(&mut app);
    type_text(&mut app, "772457100");
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "1500");
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Enter));
    let pending = row(TxStatus::Pending, "WAVE_SN_API_CASH_OUT");
    update(&mut app, Event::Paid(Ok(pending.clone())));
    assert_eq!(update(&mut app, key(KeyCode::Char('i'))), vec![]);
    let Screen::Payment(p) = &app.screen else {
        panic!()
    };
    assert!(
        p.notice
            .as_deref()
            .is_some_and(|n| n.contains("Pas de reçu"))
    );
    update(
        &mut app,
        Event::Row(row(TxStatus::Success, "WAVE_SN_API_CASH_OUT")),
    );
    assert_eq!(
        update(&mut app, key(KeyCode::F(7))),
        vec![Effect::PrintReceipt(pending.external_id)]
    );
}
