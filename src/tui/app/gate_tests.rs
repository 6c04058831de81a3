//! The session side of the app, as pure transitions: login, idle lock, kiosk exit, refunds
//! at a cashier's counter, the unfinished sale brought back, the service going away.

use super::tests::row;
use super::*;
use crate::domain::TxStatus;
use crate::session::{LinkEvent, LoginNeed, Welcome};
use crate::staff::Cashier;
use crate::staff::Role;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| update(app, key(KeyCode::Char(c))))
        .collect()
}

fn awa() -> Cashier {
    Cashier {
        name: "awa".into(),
        role: Role::Cashier,
    }
}

fn up(need: LoginNeed, resumed: Option<Cashier>) -> Event {
    Event::Link(LinkEvent::Up {
        welcome: Welcome {
            demo: true,
            login: need,
            idle_lock_secs: None,
            low_balance: None,
            kiosk: false,
        },
        resumed,
    })
}

/// A kiosk app, connected, on the login screen.
fn kiosk(need: LoginNeed) -> App {
    let mut app = App::new(false, 1_000_000);
    app.gate.kiosk = true;
    app.screen = Screen::Connecting;
    assert!(update(&mut app, up(need, None)).is_empty());
    assert!(matches!(app.screen, Screen::Login(_)));
    app
}

fn logged_in() -> App {
    let mut app = kiosk(LoginNeed::Pin("awa".into()));
    type_text(&mut app, "1234");
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, Event::LoggedIn(Ok(awa())));
    app
}

#[test]
fn the_login_asks_name_then_pin_and_shows_the_refusal() {
    let mut app = kiosk(LoginNeed::NameAndPin);
    assert!(type_text(&mut app, "awa").is_empty());
    update(&mut app, key(KeyCode::Enter));
    // Letters do not go into the PIN; digits do.
    type_text(&mut app, "x12y34");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::Login {
            name: Some("awa".into()),
            pin: "1234".into()
        }]
    );
    // While the service checks, keys do nothing (no second request).
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    update(
        &mut app,
        Event::LoggedIn(Err(
            "nom ou code PIN incorrect (encore 4 essai(s) avant blocage)".into(),
        )),
    );
    let Screen::Login(form) = &app.screen else {
        panic!("still the login screen")
    };
    assert_eq!(form.pin.value(), "", "the wrong PIN is wiped");
    assert!(form.error.as_deref().unwrap().contains("encore 4 essai"));
    assert!(app.gate.cashier.is_none());
}

#[test]
fn a_mapped_user_types_only_the_pin_and_lands_on_the_home_screen() {
    let mut app = kiosk(LoginNeed::Pin("awa".into()));
    type_text(&mut app, "1234");
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        vec![Effect::Login {
            name: None,
            pin: "1234".into()
        }]
    );
    let effects = update(&mut app, Event::LoggedIn(Ok(awa())));
    assert!(matches!(app.screen, Screen::Catalogue));
    assert!(effects.contains(&Effect::FetchUnseen), "{effects:?}");
    assert!(effects.contains(&Effect::FetchBalance));
}

#[test]
fn the_idle_lock_hides_the_sale_until_the_cashiers_pin() {
    let mut app = logged_in();
    update(
        &mut app,
        Event::Unseen(Some(row(TxStatus::Pending, "WAVE_SN_API_CASH_OUT"))),
    );
    assert!(matches!(app.screen, Screen::Payment(_)));
    update(&mut app, Event::Idle);
    assert!(app.gate.locked.is_some());
    // Keys go to the lock, not to the payment screen underneath.
    assert!(type_text(&mut app, "nv").is_empty());
    assert!(matches!(app.screen, Screen::Payment(_)));
    type_text(&mut app, "4321");
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        vec![Effect::Unlock("4321".into())]
    );
    update(
        &mut app,
        Event::Unlocked(Err(
            "nom ou code PIN incorrect (encore 4 essai(s) avant blocage)".into(),
        )),
    );
    assert!(app.gate.locked.is_some(), "a wrong PIN keeps it locked");
    type_text(&mut app, "1234");
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, Event::Unlocked(Ok(())));
    assert!(app.gate.locked.is_none());
    assert!(
        matches!(app.screen, Screen::Payment(_)),
        "back where it was"
    );
}

#[test]
fn from_the_lock_another_cashier_can_take_the_counter() {
    let mut app = logged_in();
    update(&mut app, Event::Idle);
    assert_eq!(update(&mut app, key(KeyCode::F(2))), vec![Effect::Logout]);
    assert!(app.gate.locked.is_none());
    assert!(app.gate.cashier.is_none());
    assert!(matches!(app.screen, Screen::Login(_)));
}

#[test]
fn no_idle_lock_without_a_pin_login() {
    let mut app = App::new(false, 0);
    update(
        &mut app,
        up(
            LoginNeed::None(Cashier {
                name: "moussa".into(),
                role: Role::Supervisor,
            }),
            None,
        ),
    );
    update(&mut app, Event::Idle);
    assert!(app.gate.locked.is_none());
}

#[test]
fn leaving_the_kiosk_needs_a_supervisors_pin() {
    let mut app = logged_in();
    // Ctrl-C / Ctrl-Z / Ctrl-\ are dropped by the runtime; even if one got here, nothing.
    for c in ['c', 'z', '\\'] {
        assert!(update(&mut app, ctrl(c)).is_empty());
    }
    assert!(!app.quit);
    assert!(update(&mut app, key(KeyCode::F(10))).is_empty());
    assert!(!app.quit, "F10 opens the supervisor prompt");
    assert!(app.gate.prompt.is_some());
    type_text(&mut app, "9999");
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        vec![Effect::CheckSupervisor("9999".into())]
    );
    update(
        &mut app,
        Event::Supervisor(Err("code superviseur incorrect".into())),
    );
    assert!(!app.quit);
    type_text(&mut app, "9999");
    update(&mut app, key(KeyCode::Enter));
    update(
        &mut app,
        Event::Supervisor(Ok(Cashier {
            name: "chef".into(),
            role: Role::Supervisor,
        })),
    );
    assert!(app.quit);
}

#[test]
fn esc_closes_the_supervisor_prompt() {
    let mut app = logged_in();
    update(&mut app, key(KeyCode::F(10)));
    assert!(app.gate.prompt.is_some());
    update(&mut app, key(KeyCode::Esc));
    assert!(app.gate.prompt.is_none());
    assert!(!app.quit);
}

#[test]
fn a_cashiers_refund_goes_with_a_supervisors_pin() {
    let mut app = logged_in();
    update(
        &mut app,
        Event::Unseen(Some(row(TxStatus::Success, "WAVE_SN_API_CASH_OUT"))),
    );
    assert!(update(&mut app, key(KeyCode::Char('r'))).is_empty());
    // Asked first (amount, customer, service), then the supervisor's PIN.
    assert!(update(&mut app, key(KeyCode::Char('o'))).is_empty());
    assert!(matches!(
        app.gate.prompt.as_ref().map(|p| &p.purpose),
        Some(Purpose::Refund(_))
    ));
    type_text(&mut app, "9999");
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        vec![Effect::RefundAs {
            external_id: row(TxStatus::Success, "X").external_id,
            supervisor_pin: Some("9999".into())
        }]
    );
    assert!(app.gate.prompt.is_none());
}

#[test]
fn the_unfinished_sale_comes_back_and_is_marked_seen_once_left() {
    let mut app = logged_in();
    let pending = row(TxStatus::Pending, "WAVE_SN_API_CASH_OUT");
    let effects = update(&mut app, Event::Unseen(Some(pending.clone())));
    assert_eq!(effects, vec![Effect::LoadRow(pending.external_id.clone())]);
    let Screen::Payment(p) = &app.screen else {
        panic!("the payment screen")
    };
    assert_eq!(p.tile.code, "WAVE_SN_API_CASH_OUT");
    assert!(p.notice.as_deref().unwrap().contains("Vente reprise"));
    // It settles while on screen; leaving it marks it seen.
    update(
        &mut app,
        Event::Row(row(TxStatus::Success, "WAVE_SN_API_CASH_OUT")),
    );
    let effects = update(&mut app, key(KeyCode::Char('n')));
    assert!(
        effects.contains(&Effect::Seen(pending.external_id.clone())),
        "{effects:?}"
    );
    // A pending sale left on purpose is not marked: it comes back at the next login.
    update(&mut app, Event::Unseen(Some(pending.clone())));
    let effects = update(&mut app, key(KeyCode::Char('n')));
    assert!(!effects.iter().any(|e| matches!(e, Effect::Seen(_))));
}

#[test]
fn the_service_going_away_and_back_keeps_the_screen_when_the_login_resumes() {
    let mut app = logged_in();
    update(
        &mut app,
        Event::Unseen(Some(row(TxStatus::Pending, "WAVE_SN_API_CASH_OUT"))),
    );
    update(
        &mut app,
        Event::Link(LinkEvent::Down(crate::session::Problem::ServiceDown)),
    );
    assert!(app.gate.link_down.is_some());
    assert!(matches!(app.screen, Screen::Payment(_)));
    let effects = update(&mut app, up(LoginNeed::Pin("awa".into()), Some(awa())));
    assert!(app.gate.link_down.is_none());
    assert!(matches!(app.screen, Screen::Payment(_)));
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadRow(_))));
    // The service restarted (tokens lost): a new login, the sale comes back after it.
    update(&mut app, up(LoginNeed::Pin("awa".into()), None));
    assert!(matches!(app.screen, Screen::Login(_)));
    assert!(app.gate.cashier.is_none());
}

#[test]
fn a_sale_whose_answer_was_lost_is_found_again_by_its_id() {
    let mut app = logged_in();
    type_text(&mut app, "wave");
    let i = app
        .visible_tiles()
        .iter()
        .position(|t| t.code == "WAVE_SN_API_CASH_OUT")
        .unwrap();
    app.selected = i;
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "772457100");
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "1500");
    update(&mut app, key(KeyCode::Enter));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(effects.as_slice(), [Effect::Pay { .. }]),
        "{effects:?}"
    );
    let id = row(TxStatus::Pending, "X").external_id;
    update(&mut app, Event::Sending(id.clone()));
    update(
        &mut app,
        Event::Paid(Err(crate::domain::Outcome::Unknown {
            message: "la liaison avec le service s'est coupée".into(),
        })),
    );
    update(
        &mut app,
        Event::Link(LinkEvent::Down(crate::session::Problem::ServiceDown)),
    );
    let effects = update(&mut app, up(LoginNeed::Pin("awa".into()), Some(awa())));
    assert!(
        effects.contains(&Effect::LoadRow(id.clone())),
        "{effects:?}"
    );
    update(
        &mut app,
        Event::Row(row(TxStatus::Success, "WAVE_SN_API_CASH_OUT")),
    );
    let Screen::Payment(p) = &app.screen else {
        panic!("still the payment screen")
    };
    assert_eq!(p.row.as_ref().map(|r| r.status), Some(TxStatus::Success));
    assert!(p.error.is_none(), "the warning gives way to the outcome");
}

#[test]
fn a_resumed_link_keeps_the_idle_lock() {
    let mut app = logged_in();
    update(&mut app, Event::Idle);
    update(
        &mut app,
        Event::Link(LinkEvent::Down(crate::session::Problem::ServiceDown)),
    );
    update(&mut app, up(LoginNeed::Pin("awa".into()), Some(awa())));
    assert!(app.gate.locked.is_some(), "no PIN, no screen");
}

#[test]
fn the_service_can_ask_for_kiosk_mode_and_its_idle_lock() {
    let mut app = App::new(false, 0);
    update(
        &mut app,
        Event::Link(LinkEvent::Up {
            welcome: Welcome {
                demo: false,
                login: LoginNeed::NameAndPin,
                idle_lock_secs: Some(60),
                low_balance: None,
                kiosk: true,
            },
            resumed: None,
        }),
    );
    assert!(app.gate.kiosk);
    assert_eq!(app.gate.idle_lock_secs, Some(60));
}

/// Issue 13 (drawer): the shop's low-balance threshold comes from the service, for every
/// counter.
#[test]
fn the_service_hands_its_low_balance_threshold_to_the_counter() {
    let mut app = App::new(false, 0);
    update(
        &mut app,
        Event::Link(LinkEvent::Up {
            welcome: Welcome {
                demo: false,
                login: LoginNeed::NameAndPin,
                idle_lock_secs: None,
                low_balance: Some(50_000),
                kiosk: false,
            },
            resumed: None,
        }),
    );
    assert_eq!(app.low_balance, Some(50_000));
}

#[test]
fn a_cashiers_moneygram_reversal_goes_with_a_supervisors_pin() {
    let mut app = logged_in();
    update(&mut app, key(KeyCode::F(3)));
    let send = row(TxStatus::Success, "MONEYGRAM_SN_API_CASH_IN");
    update(&mut app, Event::Rows(vec![send.clone()]));
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Char('r')));
    // The reason asked first, the operator the logged-in cashier; then the PIN.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(matches!(
        app.gate.prompt.as_ref().map(|p| &p.purpose),
        Some(Purpose::Reversal(id, r)) if *id == send.external_id && r.operator_name == "AWA"
    ));
    type_text(&mut app, "9999");
    let effects = update(&mut app, key(KeyCode::Enter));
    let [
        Effect::MoneyGramReversalAs {
            supervisor_pin: Some(_),
            reversal,
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(reversal.reason, "INCORRECT_AMT");
}

#[test]
fn an_english_counter_reads_the_services_problems_in_english() {
    let mut app = logged_in();
    app.lang = crate::i18n::Lang::En;
    update(
        &mut app,
        Event::Link(LinkEvent::Down(crate::session::Problem::ServiceDown)),
    );
    assert_eq!(
        app.gate.link_down.as_deref(),
        Some("caisse service unavailable: trying again every second")
    );
}
