//! The MoneyGram screen's flows, driven by events through `update`: a payout, a send, a
//! send's reversal from the journal. No terminal, no I/O.

use std::collections::BTreeMap;

use super::tests::row;
use super::*;
use crate::domain::TxStatus;
use crate::domain::moneygram::{PayoutLookup, Quote, ReversalInput};
use crate::i18n::Lang;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

/// 2026-12-01, for the age rule.
const NOW: i64 = 1_796_083_200_000;

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| update(app, key(KeyCode::Char(c))))
        .collect()
}

fn open(code: &str) -> App {
    let mut app = App::new(true, NOW);
    let tile = crate::tui::catalog::all_tiles()
        .into_iter()
        .find(|t| t.code == code)
        .unwrap();
    open_tile(&mut app, tile);
    app
}

fn lookup(status: &str) -> PayoutLookup {
    PayoutLookup {
        reference: "89163605".into(),
        agent_check_amount: Some(10_000),
        receive_currency: Some("XOF".into()),
        transaction_status: Some(status.into()),
        ok_for_pickup: Some(status == "AVAIL"),
        sender_name: "MOUSSA NDOUR".into(),
        receiver_first_name: "AICHA".into(),
        receiver_last_name: "DIALLO".into(),
    }
}

fn form(app: &mut App) -> &mut MgForm {
    match &mut app.screen {
        Screen::MoneyGram(m) => match &mut m.stage {
            MgStage::Identity { form, .. }
            | MgStage::Parties { form }
            | MgStage::Quoted { form, .. } => form,
            MgStage::Reference { .. } => panic!("no form yet"),
        },
        _ => panic!("not the MoneyGram screen"),
    }
}

fn stage(app: &App) -> &MgStage {
    match &app.screen {
        Screen::MoneyGram(m) => &m.stage,
        other => panic!("{other:?}"),
    }
}

fn focus_on(app: &mut App, name: &str) {
    let f = form(app);
    f.focus = f.inputs.iter().position(|i| i.field.name == name).unwrap();
}

fn fill(app: &mut App, values: &[(&str, &str)]) {
    for (name, value) in values {
        form(app).set(name, value);
    }
}

#[test]
fn a_payout_looks_up_asks_the_identity_confirms_then_pays_as_a_sale() {
    let mut app = open("MONEYGRAM_SN_API_CASH_OUT");
    assert!(matches!(stage(&app), MgStage::Reference { .. }));
    assert_eq!(
        type_text(&mut app, "8916a3605"),
        vec![],
        "letters are not typed"
    );
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        vec![Effect::MoneyGramReception("89163605".into())]
    );
    update(&mut app, Event::MoneyGramFound(Ok(lookup("AVAIL"))));
    let MgStage::Identity {
        form: identity,
        confirming,
        ..
    } = stage(&app)
    else {
        panic!("{:?}", stage(&app))
    };
    assert!(!confirming);
    assert_eq!(
        identity.inputs.len(),
        18,
        "the cashier's 18 of the 24 fields"
    );
    assert_eq!(
        identity.values(Part::Identity)["receiverLastName"],
        "DIALLO"
    );
    assert_eq!(
        identity.values(Part::Identity)["receiverCountry"],
        "SEN",
        "defaults filled in"
    );

    // A closed list is chosen with the arrows or a letter.
    focus_on(&mut app, "receiverPhotoIdType");
    update(&mut app, key(KeyCode::Right));
    assert_eq!(
        form(&mut app).values(Part::Identity)["receiverPhotoIdType"],
        "GOV"
    );
    type_text(&mut app, "p");
    assert_eq!(
        form(&mut app).values(Part::Identity)["receiverPhotoIdType"],
        "PAS"
    );

    // F10 with fields missing: refused on the screen, the focus on the first one.
    assert_eq!(update(&mut app, key(KeyCode::F(10))), vec![]);
    let f = form(&mut app);
    assert!(
        f.errors.contains_key("receiverPhotoIdNumber"),
        "{:?}",
        f.errors
    );
    assert_eq!(f.inputs[f.focus].field.name, "receiverPhotoIdNumber");

    type_text(&mut app, "1672282828282");
    focus_on(&mut app, "receiverDOB");
    type_text(&mut app, "2010-01-01");
    fill(
        &mut app,
        &[
            ("receiverGender", "FEMALE"),
            ("receiverPhone", "772457199"),
            ("receiverAddress", "Almadies"),
            ("receiverCity", "Dakar"),
            ("receiverOccupation", "STUDENT"),
            ("receivePurposeOfTransaction", "GIFT"),
            ("relationshipToSender", "FAMILY"),
            ("receiverIntendedUseOfMGIServices", "FAMILY_FRIENDS_SUPPORT"),
        ],
    );
    update(&mut app, key(KeyCode::F(10)));
    let f = form(&mut app);
    assert!(
        f.errors["receiverDOB"].contains("au moins 18 ans"),
        "{:?}",
        f.errors
    );
    fill(&mut app, &[("receiverDOB", "1995-08-10")]);
    assert_eq!(update(&mut app, key(KeyCode::F(10))), vec![]);
    assert!(matches!(
        stage(&app),
        MgStage::Identity {
            confirming: true,
            ..
        }
    ));
    assert!(keys(&app).contains(&("Entrée F10 o", "confirmer l'envoi")));

    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::MoneyGramPayout(order)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (order.reference.as_str(), order.amount),
        ("89163605", 10_000),
        "the amount is MoneyGram's"
    );
    assert_eq!(order.receiver.len(), 18);
    let Screen::Payment(p) = &app.screen else {
        panic!("{:?}", app.screen)
    };
    assert_eq!(p.order.service, "MONEYGRAM_SN_API_CASH_OUT");
    assert_eq!(p.order.phone.as_deref(), Some("772457199"));
    update(
        &mut app,
        Event::Paid(Ok(row(TxStatus::Pending, "MONEYGRAM_SN_API_CASH_OUT"))),
    );
    let Screen::Payment(p) = &app.screen else {
        panic!()
    };
    assert!(p.row.is_some());
}

#[test]
fn a_transfer_already_paid_out_stays_on_its_reference_with_the_reason() {
    let mut app = open("MONEYGRAM_SN_API_CASH_OUT");
    type_text(&mut app, "89163600");
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, Event::MoneyGramFound(Ok(lookup("RECVD"))));
    let Screen::MoneyGram(m) = &app.screen else {
        panic!()
    };
    assert!(matches!(
        &m.stage,
        MgStage::Reference { found: Some(_), .. }
    ));
    assert!(m.error.as_deref().unwrap().contains("déjà été payé"));
    update(&mut app, key(KeyCode::Esc));
    assert!(matches!(app.screen, Screen::Catalogue));
}

fn sender() -> Vec<(&'static str, &'static str)> {
    vec![
        ("senderFirstName", "Moussa"),
        ("senderLastName", "Ndour"),
        ("senderPhotoIdType", "PAS"),
        ("senderPhotoIdNumber", "A1234567"),
        ("senderDOB", "1993-05-15"),
        ("senderGender", "MALE"),
        ("senderPhoneNumber", "772457199"),
        ("senderAddress", "123 Main Street"),
        ("senderCity", "Dakar"),
        ("senderOccupation", "ENTREPRENEUR"),
        ("sourceOfFunds", "SALARY_EMPLOY"),
        ("sendPurposeOfTransaction", "GIFT"),
        ("relationshipToReceiver", "FAMILY"),
        ("senderIntendedUseOfMGIServices", "FAMILY_FRIENDS_SUPPORT"),
        ("receiverFirstName", "Aicha"),
        ("receiverLastName", "Diallo"),
        ("receiverCity", "Dakar"),
        ("receiverAddress", "Almadies"),
    ]
}

#[test]
fn a_send_asks_both_parties_quotes_the_fees_confirms_the_total_then_sends() {
    let mut app = open("MONEYGRAM_SN_API_CASH_IN");
    assert!(matches!(stage(&app), MgStage::Parties { .. }));
    assert_eq!(
        update(&mut app, key(KeyCode::F(10))),
        vec![],
        "nothing quoted for an empty form"
    );
    assert!(form(&mut app).errors.contains_key("amount"));
    form(&mut app).focus = 0;
    type_text(&mut app, "3000");
    fill(&mut app, &sender());
    let effects = update(&mut app, key(KeyCode::F(10)));
    let [
        Effect::MoneyGramQuote {
            amount,
            sender,
            receiver,
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?} {:?}", form(&mut app).errors)
    };
    assert_eq!(*amount, 3000);
    assert_eq!(sender.len(), 19, "the cashier's 19 sender fields");
    assert_eq!(receiver["receiveCountry"], "SEN");
    assert!(matches!(&app.screen, Screen::MoneyGram(m) if m.loading));
    assert_eq!(
        update(&mut app, key(KeyCode::F(10))),
        vec![],
        "not twice while quoting"
    );

    let quote = Quote::from_parts(Some(3000), Some(90), Some(3090), Some(3000)).unwrap();
    update(&mut app, Event::MoneyGramQuoted(Ok(quote)));
    assert!(matches!(stage(&app), MgStage::Quoted { .. }));
    assert!(keys(&app).contains(&("Entrée F10 o", "envoyer")));
    // Esc goes back to the form, kept as it was; F10 quotes again.
    update(&mut app, key(KeyCode::Esc));
    assert_eq!(
        form(&mut app).values(Part::Sender)["senderLastName"],
        "Ndour"
    );
    update(&mut app, key(KeyCode::F(10)));
    update(&mut app, Event::MoneyGramQuoted(Ok(quote)));

    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::MoneyGramSend(order)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!((order.amount, order.total_to_collect), (3000, 3090));
    let Screen::Payment(p) = &app.screen else {
        panic!()
    };
    assert_eq!(p.order.service, "MONEYGRAM_SN_API_CASH_IN");
    let mut sent = row(TxStatus::Success, "MONEYGRAM_SN_API_CASH_IN");
    sent.fields = json!({"referenceNumber": "12345671"});
    update(&mut app, Event::Paid(Ok(sent)));
    let Screen::Payment(p) = &app.screen else {
        panic!()
    };
    let shown = crate::engine::receipt_lines(
        &p.row.as_ref().unwrap().service,
        &p.row.as_ref().unwrap().fields,
        Lang::Fr,
    );
    assert_eq!(shown[0].1, "12345671");
}

#[test]
fn a_quote_refused_keeps_the_form_with_the_reason() {
    let mut app = open("MONEYGRAM_SN_API_CASH_IN");
    form(&mut app).focus = 0;
    type_text(&mut app, "3000");
    fill(&mut app, &sender());
    update(&mut app, key(KeyCode::F(10)));
    update(
        &mut app,
        Event::MoneyGramQuoted(Err("Frais MoneyGram indisponibles".into())),
    );
    let Screen::MoneyGram(m) = &app.screen else {
        panic!()
    };
    assert!(matches!(m.stage, MgStage::Parties { .. }) && !m.loading);
    assert_eq!(m.error.as_deref(), Some("Frais MoneyGram indisponibles"));
}

#[test]
fn a_send_is_reversed_from_the_journal_with_its_reason() {
    let mut app = App::new(true, NOW);
    update(&mut app, key(KeyCode::F(3)));
    let send = row(TxStatus::Success, "MONEYGRAM_SN_API_CASH_IN");
    let id = send.external_id.clone();
    update(&mut app, Event::Rows(vec![send]));
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(update(&mut app, key(KeyCode::Char('r'))), vec![]);
    let Screen::Journal(j) = &app.screen else {
        panic!()
    };
    assert!(j.reversal.is_some(), "the reason is asked first");
    assert!(keys(&app).contains(&("Entrée F10", "annuler l'envoi")));
    update(&mut app, key(KeyCode::Right)); // the second reason
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Char('n'))); // fees kept
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::MoneyGramReversalAs {
            external_id: id,
            reversal: ReversalInput {
                operator_name: "CAISSE".into(),
                reason: "WRONG_SERVICE".into(),
                fee_refund: false,
                agent_check_number: None,
            },
            supervisor_pin: None,
        }]
    );
    let Screen::Journal(j) = &app.screen else {
        panic!()
    };
    assert!(j.reversal.is_none());
}

#[test]
fn a_long_form_keeps_every_value_it_was_given() {
    let mut app = open("MONEYGRAM_SN_API_CASH_IN");
    let values: BTreeMap<String, String> = sender()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    fill(&mut app, &sender());
    let f = form(&mut app);
    let mut both = f.values(Part::Sender);
    both.extend(f.values(Part::Receiver));
    for (k, v) in &values {
        assert_eq!(both.get(k), Some(v), "{k}");
    }
}
