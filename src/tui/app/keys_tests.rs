//! Keys as data: on every screen (every mode of one), each key the footer and the help show
//! is handled, and each key the screen handles is in its table.

use super::tests::row;
use super::*;
use crate::domain::TxStatus;
use crate::domain::moneygram::PayoutLookup;
use crate::i18n::Lang;
use crate::session::view::PendingBill;
use crate::session::{LoginNeed, Welcome};
use crate::staff::{Cashier, Role};
use crate::tui::screens::keys::{Binding, HELP, Keys, is_typing, labels};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;

/// A table as the test sees it: its keys (and whether shown), whether it types.
struct Table {
    keys: Vec<(KeyCode, bool)>,
    typing: bool,
    labels: Vec<(&'static str, &'static str)>,
}

fn table<A>(bindings: &[Binding<A>]) -> Table {
    let mut keys = Vec::new();
    let mut typing = false;
    for b in bindings {
        match b.keys {
            Keys::These(codes) => keys.extend(codes.iter().map(|c| (*c, b.label.is_some()))),
            Keys::Typing => typing = true,
        }
    }
    Table {
        keys,
        typing,
        labels: labels(bindings, Lang::Fr),
    }
}

impl Table {
    fn with(mut self, other: Table) -> Table {
        self.keys.extend(other.keys);
        self.typing |= other.typing;
        self.labels.extend(other.labels);
        self
    }

    fn has(&self, code: KeyCode) -> bool {
        self.keys.iter().any(|(c, _)| *c == code) || (self.typing && is_typing(code))
    }

    fn shown(&self) -> Vec<KeyCode> {
        self.keys
            .iter()
            .filter(|(_, s)| *s)
            .map(|(c, _)| *c)
            .collect()
    }
}

/// Every key a terminal sends us (as `input.rs` parses them).
fn universe() -> Vec<KeyCode> {
    let mut all: Vec<KeyCode> = (' '..='~').chain("éà".chars()).map(KeyCode::Char).collect();
    all.extend((1..=12).map(KeyCode::F));
    all.extend([
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::Insert,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::PageUp,
        KeyCode::PageDown,
    ]);
    all
}

/// The state as it shows (`dirty` is only the redraw's business).
fn state(app: &App) -> String {
    let mut app = app.clone();
    app.dirty = false;
    format!("{app:?}")
}

/// Whether the key changed nothing and asked nothing.
fn ignored(app: &App, code: KeyCode) -> bool {
    let mut after = app.clone();
    let effects = update(
        &mut after,
        Event::Key(KeyEvent::new(code, KeyModifiers::NONE)),
    );
    effects.is_empty() && state(&after) == state(app)
}

/// One mode of a screen: the state, its table, and the shown keys that do nothing in this
/// particular state (each with its reason).
struct Mode {
    name: &'static str,
    app: App,
    table: Table,
    idle: &'static [KeyCode],
}

fn check(mode: Mode) {
    let Mode {
        name,
        app,
        table,
        idle,
    } = mode;
    assert_eq!(
        keys(&app),
        table.labels,
        "{name}: the footer shows its table"
    );
    at_80_columns_the_way_out_shows(name, &app);
    for code in table.shown() {
        if idle.contains(&code) {
            continue;
        }
        assert!(
            !ignored(&app, code),
            "{name}: {code:?} is shown but not handled"
        );
    }
    for code in universe() {
        if !table.has(code) {
            assert!(
                ignored(&app, code),
                "{name}: {code:?} is handled but not in the table"
            );
        }
    }
}

/// At 80 columns the footer fits, shows the help's key and the screen's way out (back,
/// cancel, quit); the keys left out are in the help.
fn at_80_columns_the_way_out_shows(name: &str, app: &App) {
    use crate::tui::widgets::footer::{fit, width};
    let all = hints(app);
    let shown = fit(&all, 80);
    let width: usize = shown.iter().map(width).sum();
    assert!(width <= 80, "{name}: the footer takes {width} columns");
    // The first key (the help's, where there is help) is always there.
    assert_eq!(shown.first(), all.first(), "{name}");
    // The login leads nowhere but in: there is nothing to go back to.
    let nowhere = ["login"];
    assert_eq!(
        all.iter().any(|h| h.leaves),
        !nowhere.contains(&name),
        "{name}: its way out is marked"
    );
    for h in all.iter().filter(|h| h.leaves) {
        assert!(shown.contains(h), "{name}: {h:?} cut off at 80 columns");
    }
}

fn help() -> Table {
    table(HELP)
}

fn app() -> App {
    let mut app = App::new(true, 1_000_000);
    app.balance = Some(Ok(250_000.0));
    app
}

fn tile(code: &str) -> crate::tui::catalog::Tile {
    crate::tui::catalog::all_tiles()
        .into_iter()
        .find(|t| t.code == code)
        .unwrap()
}

fn opened(code: &str) -> App {
    let mut app = app();
    open_tile(&mut app, tile(code));
    app
}

fn journal(rows: Vec<crate::session::view::Operation>, selected: usize) -> App {
    let mut app = app();
    journal::open(&mut app);
    update(&mut app, Event::Rows(rows));
    if let Screen::Journal(j) = &mut app.screen {
        j.selected = selected;
    }
    app
}

fn pending_intech() -> crate::session::view::Operation {
    let mut r = row(TxStatus::Pending, "WAVE_SN_API_CASH_OUT");
    r.gateway_tx_id = Some("INTECH-1".into());
    r
}

fn detail(r: crate::session::view::Operation) -> App {
    let mut app = journal(vec![r], 0);
    update(
        &mut app,
        Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    app
}

fn cashier(role: Role) -> Cashier {
    Cashier {
        name: "awa".into(),
        role,
    }
}

fn logged_in() -> App {
    let mut app = app();
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
            resumed: None,
        }),
    );
    update(&mut app, Event::LoggedIn(Ok(cashier(Role::Cashier))));
    app
}

/// On the home screen letters are typed into the filter, whatever the first one; the
/// actions' letters are taken with Alt.
#[test]
fn home_letters_filter_and_alt_letters_act() {
    for word in ["paie", "journal", "quitter", "hj"] {
        let mut app = app();
        for c in word.chars() {
            let effects = update(
                &mut app,
                Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            );
            assert!(effects.is_empty(), "{word}: {c}");
        }
        assert_eq!(app.filter, word);
        assert!(matches!(app.screen, Screen::Catalogue) && !app.quit && !app.help);
        assert_eq!(app.country, crate::catalog::services::Country::Senegal);
    }
    let alt = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT));
    let mut app = app();
    update(&mut app, alt('p'));
    assert_eq!(app.country, crate::catalog::services::Country::CoteDIvoire);
    assert!(app.filter.is_empty());
    let mut app = self::app();
    app.filter = "wave".into();
    assert_eq!(update(&mut app, alt('j')), vec![Effect::LoadJournal]);
    assert!(matches!(app.screen, Screen::Journal(_)));
    let mut app = self::app();
    assert_eq!(update(&mut app, alt('q')), vec![Effect::Quit]);
    // Alt with a letter that is no action does nothing (it is not typed either).
    let mut app = self::app();
    assert!(update(&mut app, alt('x')).is_empty());
    assert!(app.filter.is_empty());
}

#[test]
fn the_home_screen() {
    let mut app = app();
    app.selected = 5;
    check(Mode {
        name: "catalogue",
        app,
        table: table(catalogue::HELP).with(table(catalogue::KEYS)),
        idle: &[],
    });
}

#[test]
fn the_entry_form_and_its_summary() {
    let app = opened("WAVE_SN_API_CASH_OUT");
    let mut confirming = app.clone();
    if let Screen::Entry(e) = &mut confirming.screen {
        e.confirming = true;
    }
    check(Mode {
        name: "entry",
        app,
        table: help().with(table(entry::KEYS)),
        idle: &[],
    });
    let mut choice = opened("BANK_CARD_API_CASH_OUT");
    if let Screen::Entry(e) = &mut choice.screen {
        e.focus = e
            .fields
            .iter()
            .position(|f| f.spec.name == "cardType")
            .unwrap();
    }
    check(Mode {
        name: "entry, on a choice",
        app: choice,
        table: help().with(table(entry::CHOICE_KEYS)),
        idle: &[],
    });
    check(Mode {
        name: "entry, summary",
        app: confirming,
        table: help().with(table(entry::CONFIRM_KEYS)),
        idle: &[],
    });
}

#[test]
fn the_drawer_screen_in_each_stage() {
    use crate::tui::screens::drawer::{self as d, Stage};
    let open = super::drawer_tests::open();
    let not_open = super::drawer_tests::not_open();
    let mut loading = not_open.clone();
    let mut closed = open.clone();
    if let Screen::Drawer(s) = &mut loading.screen {
        s.stage = Stage::Loading;
    }
    if let Screen::Drawer(s) = &mut closed.screen {
        s.stage = Stage::Closed(Box::new(super::drawer_tests::open_state()));
    }
    for (name, app, keys) in [
        ("drawer, loading", loading, d::LOADING_KEYS),
        ("drawer, not open", not_open, d::OPEN_KEYS),
        ("drawer, open", open, d::COUNT_KEYS),
        ("drawer, closed", closed, d::CLOSED_KEYS),
    ] {
        check(Mode {
            name,
            app,
            table: help().with(table(keys)),
            idle: &[],
        });
    }
}

#[test]
fn the_bills() {
    let account = opened("SENELEC_SN_BILL_PAY");
    let bill = |reference: &str| PendingBill {
        amount: 5_000,
        bill_reference: reference.into(),
        infos: vec![],
    };
    let mut list = account.clone();
    if let Screen::Bills(b) = &mut list.screen {
        b.account = Input::new("12321050176".into());
        b.stage = BillsStage::List {
            bills: vec![bill("A"), bill("B"), bill("C")],
            selected: 1,
        };
    }
    check(Mode {
        name: "bills, list",
        app: list,
        table: help().with(table(bills::KEYS)),
        // One table for the stages: ↑↓ choose among the bills, once they are listed.
        idle: &[],
    });
    check(Mode {
        name: "bills, account",
        app: account,
        table: help().with(table(bills::KEYS)),
        idle: &[KeyCode::Up, KeyCode::Down],
    });
}

#[test]
fn the_payment() {
    let mut app = app();
    open_tile(&mut app, tile("WAVE_SN_API_CASH_OUT"));
    app.screen = Screen::Payment(Box::new(PaymentState {
        order: crate::engine::PayOrder {
            gateway: crate::domain::GatewayKind::Intech,
            service: "WAVE_SN_API_CASH_OUT".into(),
            phone: None,
            amount: Some(1_000),
            fields: Default::default(),
            description: None,
        },
        tile: tile("WAVE_SN_API_CASH_OUT"),
        row: Some(pending_intech()),
        error: None,
        opened_at: 0,
        notice: None,
        rang: false,
        external_id: None,
    }));
    check(Mode {
        name: "payment",
        app,
        table: help().with(table(payment::KEYS)),
        idle: &[],
    });
}

#[test]
fn the_journal_its_detail_a_claim_and_a_reversal() {
    let rows = vec![
        pending_intech(),
        row(TxStatus::Success, "WAVE_SN_API_CASH_OUT"),
        row(TxStatus::Failed, "ORANGE_SN_API_CASH_IN"),
    ];
    check(Mode {
        name: "journal",
        app: journal(rows.clone(), 1),
        table: help().with(table(journal::LIST_KEYS)),
        idle: &[],
    });
    // On the first row: whatever is typed goes back to it (the list it filters changes).
    let mut searching = journal(rows, 0);
    if let Screen::Journal(j) = &mut searching.screen {
        j.editing_filter = true;
    }
    check(Mode {
        name: "journal, search",
        app: searching,
        table: help().with(table(journal::FILTER_KEYS)),
        idle: &[],
    });
    // A past period's page (yesterday), a next page known.
    let mut past = journal(vec![], 0);
    let key =
        |app: &mut App, code| update(app, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    let asked = key(&mut past, KeyCode::Char('d'));
    let [Effect::LoadHistory(search)] = asked.as_slice() else {
        panic!("{asked:?}")
    };
    update(
        &mut past,
        Event::Page {
            search: search.clone(),
            page: Ok((
                vec![pending_intech(), {
                    let mut r = row(TxStatus::Success, "WAVE_SN_API_CASH_OUT");
                    r.external_id = "older".into();
                    r
                }],
                Some(crate::report::search::Cursor {
                    created_at: 1,
                    external_id: "x".into(),
                }),
            )),
        },
    );
    check(Mode {
        name: "journal, past period",
        app: past.clone(),
        table: help().with(table(journal::LIST_KEYS)),
        // On its first page, its first row.
        idle: &[KeyCode::Up, KeyCode::PageUp],
    });
    let mut dates = past;
    for _ in 0..3 {
        key(&mut dates, KeyCode::Char('d'));
    }
    check(Mode {
        name: "journal, dates",
        app: dates,
        table: help().with(table(journal::past::DATES_KEYS)),
        idle: &[],
    });
    check(Mode {
        name: "journal, detail",
        app: detail(pending_intech()),
        table: help().with(table(journal::DETAIL_KEYS)),
        // At the top of the detail already.
        idle: &[KeyCode::Up, KeyCode::PageUp],
    });
    let mut claim = detail(pending_intech());
    update(
        &mut claim,
        Event::Key(KeyEvent::new(KeyCode::F(6), KeyModifiers::NONE)),
    );
    check(Mode {
        name: "journal, claim",
        app: claim,
        table: help().with(table(journal::CLAIM_KEYS)),
        idle: &[],
    });
    let mut reversal = detail(row(TxStatus::Success, "MONEYGRAM_SN_API_CASH_IN"));
    update(
        &mut reversal,
        Event::Key(KeyEvent::new(KeyCode::F(8), KeyModifiers::NONE)),
    );
    check(Mode {
        name: "journal, reversal",
        app: reversal,
        table: help().with(table(reversal::KEYS)),
        idle: &[],
    });
}

#[test]
fn the_statistics() {
    let mut app = app();
    app.open_stats();
    check(Mode {
        name: "statistics",
        app,
        table: help().with(table(crate::tui::screens::stats::KEYS)),
        idle: &[],
    });
}

#[test]
fn the_moneygram_forms() {
    check(Mode {
        name: "moneygram, reference",
        app: opened("MONEYGRAM_SN_API_CASH_OUT"),
        table: help().with(table(mg_keys::REFERENCE_KEYS)),
        idle: &[],
    });
    let mut identity = opened("MONEYGRAM_SN_API_CASH_OUT");
    update(
        &mut identity,
        Event::MoneyGramFound(Ok(PayoutLookup {
            reference: "89163605".into(),
            agent_check_amount: Some(10_000),
            receive_currency: Some("XOF".into()),
            transaction_status: Some("AVAIL".into()),
            ok_for_pickup: Some(true),
            sender_name: "MOUSSA NDOUR".into(),
            receiver_first_name: "AICHA".into(),
            receiver_last_name: "DIALLO".into(),
        })),
    );
    let mut confirming = identity.clone();
    if let Screen::MoneyGram(m) = &mut confirming.screen
        && let MgStage::Identity { confirming, .. } = &mut m.stage
    {
        *confirming = true;
    }
    check(Mode {
        name: "moneygram, identity",
        app: identity,
        table: help().with(table(mg_keys::IDENTITY_KEYS)),
        // ←→ change a choice (the ID document's type…), not the first field.
        idle: &[KeyCode::Left, KeyCode::Right],
    });
    check(Mode {
        name: "moneygram, payout summary",
        app: confirming,
        table: help().with(table(mg_keys::CONFIRM_KEYS)),
        idle: &[],
    });
    check(Mode {
        name: "moneygram, send",
        app: opened("MONEYGRAM_SN_API_CASH_IN"),
        table: help().with(table(mg_keys::PARTIES_KEYS)),
        idle: &[KeyCode::Left, KeyCode::Right],
    });
}

#[test]
fn the_login_the_lock_and_the_supervisors_pin() {
    let mut login = app();
    update(
        &mut login,
        Event::Link(crate::session::LinkEvent::Up {
            welcome: Welcome {
                demo: true,
                login: LoginNeed::NameAndPin,
                idle_lock_secs: None,
                low_balance: None,
                kiosk: false,
            },
            resumed: None,
        }),
    );
    if let Screen::Login(form) = &mut login.screen {
        form.name = Some(Input::new("awa".into()));
    }
    check(Mode {
        name: "login",
        app: login,
        // The login takes every key (as the lock and the supervisor's PIN below): no help
        // is offered there, and every key shown works.
        table: table(gate::LOGIN_KEYS),
        idle: &[],
    });
    let mut locked = logged_in();
    update(&mut locked, Event::Idle);
    if let Some(lock) = &mut locked.gate.locked {
        lock.pin = Input::new("1234".into());
    }
    check(Mode {
        name: "lock",
        app: locked,
        table: table(gate::LOCK_KEYS),
        idle: &[],
    });
    let mut prompt = logged_in();
    prompt.gate.kiosk = true;
    update(
        &mut prompt,
        Event::Key(KeyEvent::new(KeyCode::F(10), KeyModifiers::NONE)),
    );
    if let Some(p) = &mut prompt.gate.prompt {
        p.form.pin = Input::new("1234".into());
    }
    check(Mode {
        name: "supervisor's PIN",
        app: prompt,
        table: table(gate::PROMPT_KEYS),
        idle: &[],
    });
}

#[test]
fn the_questions_take_only_their_answers() {
    let mut quit = app();
    update(&mut quit, Event::PendingCount(1, 0));
    update(
        &mut quit,
        Event::Key(KeyEvent::new(KeyCode::F(10), KeyModifiers::NONE)),
    );
    assert!(quit.ask.is_some());
    check(Mode {
        name: "question",
        app: quit,
        // No help over a question: its two answers are all there is.
        table: table(ask::KEYS),
        idle: &[],
    });
    // Issue 13: a receipt by WhatsApp, asked with its cost over the journal's detail.
    let mut whatsapp = detail(pending_intech());
    whatsapp.ask = Some(ask::Question::WhatsApp {
        sale: "x".into(),
        phone: "+221772457100".into(),
        cost: Some(25),
    });
    let (name, table) = ("WhatsApp receipt question", table(ask::KEYS));
    check(Mode {
        name,
        app: whatsapp,
        table,
        idle: &[],
    });
}

#[test]
fn the_second_sale_question_takes_only_d_and_n() {
    let mut app = app();
    app.screen = Screen::Payment(Box::new(PaymentState {
        order: crate::engine::PayOrder {
            gateway: crate::domain::GatewayKind::Intech,
            service: "WAVE_SN_API_CASH_IN".into(),
            phone: Some("772450000".into()),
            amount: Some(1_000),
            fields: Default::default(),
            description: None,
        },
        tile: tile("WAVE_SN_API_CASH_IN"),
        row: None,
        error: None,
        opened_at: 0,
        notice: None,
        rang: false,
        external_id: Some("first".into()),
    }));
    update(
        &mut app,
        Event::Duplicate {
            status: TxStatus::Pending,
            age_secs: 3,
        },
    );
    assert!(app.ask.is_some());
    check(Mode {
        name: "second sale question",
        app,
        table: table(ask::DUPLICATE_KEYS),
        idle: &[],
    });
}

/// The close of day: the preview (seal, scroll, past reports), the sealed Z (print), the
/// past reports, and waiting / nothing to close / refused.
#[test]
fn the_close_of_day() {
    use super::close_tests::{past, previewing, sealed};
    use crate::tui::screens::close::{LIST_KEYS, PREVIEW_KEYS, SEALED_KEYS, WAIT_KEYS};
    // At the top: up and page up have nowhere to go.
    let top: &[KeyCode] = &[KeyCode::Up, KeyCode::PageUp];
    check(Mode {
        name: "close, preview",
        app: previewing(),
        table: help().with(table(PREVIEW_KEYS)),
        idle: top,
    });
    check(Mode {
        name: "close, sealed",
        app: sealed(),
        table: help().with(table(SEALED_KEYS)),
        idle: top,
    });
    let mut list = previewing();
    update(
        &mut list,
        Event::Z(Ok((past(Some(2)), crate::session::view::Printed::NotAsked))),
    );
    // Three reports fit: nothing to scroll.
    check(Mode {
        name: "close, past reports",
        app: list,
        table: help().with(table(LIST_KEYS)),
        idle: &[
            KeyCode::Up,
            KeyCode::PageUp,
            KeyCode::Down,
            KeyCode::PageDown,
        ],
    });
    let mut nothing = previewing();
    update(
        &mut nothing,
        Event::Z(Ok((
            crate::report::z::ZReply::NothingToClose("rien à clôturer".into()),
            crate::session::view::Printed::NotAsked,
        ))),
    );
    check(Mode {
        name: "close, nothing to close",
        app: nothing,
        table: help().with(table(WAIT_KEYS)),
        idle: &[],
    });
}
