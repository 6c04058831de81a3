//! Every screen rendered into a `TestBackend` and snapshotted with insta at 80×24 and
//! 120×40 (demo data, fixed clock and ids); and the QR drawn on the payment screen rebuilt
//! from the buffer's cells and decoded with rqrr.

use std::collections::BTreeMap;

use caisse::domain::{Outcome, TxStatus};
use caisse::engine::PayOrder;
use caisse::gateway::intech::models::{BillInfo, PendingBill};
use caisse::session::view::{HistoryLine, Operation};
use caisse::tui::app::{self, App, BillsStage, BillsState, Event, PaymentState, Screen};
use caisse::tui::catalog;
use caisse::tui::theme::{ColorMode, Theme};
use caisse::tui::ui;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use serde_json::json;

const NOW: i64 = 1_795_400_000_000; // fixed clock

fn key(app: &mut App, code: KeyCode) {
    app::update(app, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn base(width: u16, height: u16) -> App {
    let mut app = App::new(true, NOW);
    app::update(&mut app, Event::Resize(width, height));
    app::update(&mut app, Event::Balance(Ok(250_000.0)));
    app::update(&mut app, Event::PendingCount(1, 0));
    app
}

fn render(app: &App, width: u16, height: u16, mode: ColorMode) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| ui::draw(f, app, Theme::new(mode)))
        .unwrap();
    terminal.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn row(status: TxStatus, service: &str, url: Option<&str>) -> Operation {
    Operation {
        external_id: "01a20000-0000-7000-8000-000000000001".into(),
        gateway: caisse::domain::GatewayKind::Intech,
        service: service.into(),
        phone: Some("772457100".into()),
        amount: Some(1500),
        fields: json!({}),
        status,
        gateway_tx_id: Some("6767676767676".into()),
        customer_url: url.map(str::to_owned),
        notification: url.map(|u| format!("Bonjour, cliquez sur le lien suivant pour valider le paiement de 1500 FCFA : {u} (Expire dans 15 minutes)")),
        error_code: None,
        error_message: (status == TxStatus::Failed).then(|| "Le solde de votre compte ne vous permet pas d'effectuer un paiement de 1 500 CFA".to_owned()),
        cashier: "awa".into(),
        terminal: "local".into(),
        created_at: NOW - 95_000,
        sent_at: Some(NOW - 95_000),
        final_at: None,
        updated_at: NOW,
        kind: caisse::domain::OpKind::Payment,
        parent_id: None,
        details: serde_json::json!({}),
        receipt_no: None,
    }
}

const DEEP_LINK: &str = "https://api.intech.sn/deep/139663910423"; // 39 characters

fn payment(width: u16, height: u16, row: Option<Operation>) -> App {
    let mut app = base(width, height);
    // The row's own service's tile (Wave when it has none).
    let service = row
        .as_ref()
        .map(|r| r.service.clone())
        .filter(|c| catalog::all_tiles().iter().any(|t| t.code == c.as_str()))
        .unwrap_or_else(|| "WAVE_SN_API_CASH_OUT".into());
    let tile = catalog::all_tiles()
        .into_iter()
        .find(|t| t.code == service)
        .unwrap();
    app.screen = Screen::Payment(Box::new(PaymentState {
        order: PayOrder {
            gateway: caisse::domain::GatewayKind::Intech,
            service: tile.code.into(),
            phone: Some("772457100".into()),
            amount: Some(1500),
            fields: BTreeMap::new(),
            description: None,
        },
        tile,
        row,
        error: None,
        opened_at: NOW - 95_000,
        notice: None,
        rang: false,
        external_id: None,
    }));
    app
}

/// Every screen, by name.
/// The bank card's form filled in, on its card type (VISA picked), and its summary.
fn card_form(width: u16, height: u16) -> (App, App) {
    let mut app = base(width, height);
    app.screen = Screen::Catalogue;
    let tile = catalog::all_tiles()
        .into_iter()
        .find(|t| t.code == "BANK_CARD_API_CASH_OUT")
        .unwrap();
    app::open_tile(&mut app, tile);
    for text in [
        "772450000",
        "1000",
        "Awa",
        "Diop",
        "",
        CARD,
        "09",
        "29",
        "123",
    ] {
        typed(&mut app, text);
        key(&mut app, KeyCode::Enter);
    }
    key(&mut app, KeyCode::Right);
    let on_type = app.clone();
    key(&mut app, KeyCode::Enter);
    (on_type, app)
}

const CARD: &str = "4970101234567899";

/// The card number never shows whole once typed: not on the form, not on the summary.
#[test]
fn the_card_number_shows_masked() {
    for (width, height) in [(80, 24), (120, 40)] {
        let (form, summary) = card_form(width, height);
        for (name, app) in [("form", form), ("summary", summary)] {
            let shown = text(&render(&app, width, height, ColorMode::Ansi16));
            assert!(
                !shown.contains(CARD),
                "{name} at {width}x{height}:\n{shown}"
            );
            assert!(shown.contains("497010******7899"), "{name}:\n{shown}");
            assert!(
                shown.contains("•••"),
                "the CVC as dots on the {name}:\n{shown}"
            );
        }
    }
}

fn screens(width: u16, height: u16) -> Vec<(&'static str, App)> {
    let mut out = Vec::new();
    out.push(("catalogue", base(width, height)));
    let mut filtered = base(width, height);
    typed(&mut filtered, "orange");
    out.push(("catalogue_filtered", filtered));
    let mut ci = base(width, height);
    key(&mut ci, KeyCode::F(4));
    out.push(("catalogue_ci", ci));
    let mut help = base(width, height);
    key(&mut help, KeyCode::F(1));
    out.push(("help", help));
    out.extend(drawer_screens(width, height));

    let mut entry = base(width, height);
    typed(&mut entry, "wave");
    let i = entry
        .visible_tiles()
        .iter()
        .position(|t| t.code == "WAVE_SN_API_CASH_OUT")
        .unwrap();
    entry.selected = i;
    key(&mut entry, KeyCode::Enter);
    typed(&mut entry, "7724571");
    out.push(("entry_invalid_phone", entry.clone()));
    typed(&mut entry, "00");
    key(&mut entry, KeyCode::Enter);
    typed(&mut entry, "1500");
    key(&mut entry, KeyCode::Enter);
    out.push(("entry_confirm", entry));
    let (card, card_confirm) = card_form(width, height);
    out.push(("entry_card_type", card));
    out.push(("entry_card_confirm", card_confirm));

    let tile = catalog::all_tiles()
        .into_iter()
        .find(|t| t.code == "SENELEC_SN_BILL_PAY")
        .unwrap();
    let mut bills = base(width, height);
    bills.screen = Screen::Bills(BillsState {
        tile,
        account: tui_input::Input::new("21050176023".into()),
        stage: BillsStage::List {
            bills: vec![
                PendingBill {
                    amount: 27_685,
                    bill_reference: "1062208013069".into(),
                    infos: vec![
                        BillInfo {
                            label: "Nom client".into(),
                            value: "AWA NDIAYE".into(),
                        },
                        BillInfo {
                            label: "Date d'échéance".into(),
                            value: "29/08/26".into(),
                        },
                    ],
                },
                PendingBill {
                    amount: 12_340,
                    bill_reference: "1062208013070".into(),
                    infos: vec![BillInfo {
                        label: "Nom client".into(),
                        value: "AWA NDIAYE".into(),
                    }],
                },
            ],
            selected: 0,
        },
    });
    out.push(("bills", bills));

    out.push(("payment_sending", payment(width, height, None)));
    out.push((
        "payment_pending",
        payment(
            width,
            height,
            Some(row(
                TxStatus::Pending,
                "WAVE_SN_API_CASH_OUT",
                Some(DEEP_LINK),
            )),
        ),
    ));
    out.push((
        "payment_unknown",
        payment(
            width,
            height,
            Some(row(TxStatus::Unknown, "WAVE_SN_API_CASH_OUT", None)),
        ),
    ));
    // A final operation shows its receipt number (issue 13).
    let mut paid = row(TxStatus::Success, "WAVE_SN_API_CASH_OUT", Some(DEEP_LINK));
    paid.receipt_no = Some(42);
    // A cash-out that paid for goods: its detail says so (no cash handed out).
    paid.fields = json!({"usage": "paiement"});
    out.push((
        "payment_success",
        payment(width, height, Some(paid.clone())),
    ));
    out.push((
        "payment_failed",
        payment(
            width,
            height,
            Some(row(
                TxStatus::Failed,
                "WAVE_SN_API_CASH_OUT",
                Some(DEEP_LINK),
            )),
        ),
    ));

    let mut journal = base(width, height);
    key(&mut journal, KeyCode::F(3));
    let mut other = row(TxStatus::Failed, "ORANGE_SN_API_CASH_IN", None);
    other.external_id = "01a20000-0000-7000-8000-000000000002".into();
    other.created_at = NOW - 3_600_000;
    app::update(&mut journal, Event::Rows(vec![paid.clone(), other]));
    out.push(("journal", journal.clone()));
    key(&mut journal, KeyCode::Enter);
    let events = ["intent", "reply", "callback", "poll"]
        .iter()
        .enumerate()
        .map(|(i, k)| HistoryLine {
            at: NOW - 95_000 + i as i64 * 5_000,
            kind: (*k).into(),
            // The callback announces a success that the poll confirms.
            detail: json!({"after": if i < 3 { "PENDING" } else { "SUCCESS" }, "status": "SUCCESS"}),
            cashier: "awa".into(),
            terminal: "local".into(),
        })
        .collect();
    app::update(
        &mut journal,
        Event::Events("01a20000-0000-7000-8000-000000000001".into(), events),
    );
    out.push(("journal_detail", journal));
    out.extend(whatsapp_screens(width, height, &paid));
    out.extend(past_journal(width, height));
    out.extend(statistics(width, height));

    out.extend(moneygram_screens(width, height));
    out.extend(session_screens(width, height));
    out
}

/// Issue 13: a receipt by WhatsApp: the question with its cost over the success screen;
/// the sale's detail naming the message sent, and the message's naming its sale.
fn whatsapp_screens(width: u16, height: u16, paid: &Operation) -> Vec<(&'static str, App)> {
    let mut out = Vec::new();
    let mut asked = payment(width, height, Some(paid.clone()));
    key(&mut asked, KeyCode::Char('w'));
    app::update(
        &mut asked,
        Event::WhatsAppQuote(Ok(caisse::engine::ReceiptMessage {
            sale: paid.external_id.clone(),
            phone: "+221772457100".into(),
            cost: Some(25),
            text: "*REÇU N° 000042*".into(),
        })),
    );
    out.push(("whatsapp_receipt_question", asked));
    let mut message = row(TxStatus::Success, "WHATSAPP_MESSAGING", None);
    message.external_id = "01a20000-0000-7000-8000-000000000003".into();
    message.phone = Some("+221772457100".into());
    message.amount = Some(25);
    message.receipt_no = Some(43);
    message.fields = json!({"message": "*REÇU N° 000042*", "receiptOf": paid.external_id});
    message.created_at = NOW - 1_000;
    let mut journal = base(width, height);
    key(&mut journal, KeyCode::F(3));
    app::update(&mut journal, Event::Rows(vec![message, paid.clone()]));
    key(&mut journal, KeyCode::Down);
    key(&mut journal, KeyCode::Enter);
    out.push(("journal_detail_receipted_sale", journal.clone()));
    key(&mut journal, KeyCode::Esc);
    key(&mut journal, KeyCode::Up);
    key(&mut journal, KeyCode::Enter);
    out.push(("journal_detail_whatsapp_receipt", journal));
    out
}

/// The journal over 7 days: a screenful of the service's first page (a next page to come),
/// and the dates being typed.
fn past_journal(width: u16, height: u16) -> Vec<(&'static str, App)> {
    let mut app = base(width, height);
    key(&mut app, KeyCode::F(3));
    key(&mut app, KeyCode::F(5));
    key(&mut app, KeyCode::F(5));
    let search = match &app.screen {
        Screen::Journal(j) => j.past.as_ref().unwrap().search.clone(),
        _ => unreachable!(),
    };
    let services = [
        "WAVE_SN_API_CASH_OUT",
        "ORANGE_SN_API_CASH_IN",
        "SENELEC_SN_BILL_PAY",
    ];
    let statuses = [
        TxStatus::Success,
        TxStatus::Failed,
        TxStatus::Success,
        TxStatus::Refunded,
    ];
    let rows: Vec<Operation> = (0..search.limit as usize)
        .map(|i| {
            let mut r = row(statuses[i % 4], services[i % 3], None);
            r.external_id = format!("01a20000-0000-7000-8000-{i:012}");
            r.created_at = NOW - 86_400_000 - i as i64 * 7_300_000;
            r.amount = Some(500 + 250 * i as i64);
            r.phone = Some(format!("77245{:04}", 7100 + i));
            r
        })
        .collect();
    let last = rows.last().unwrap();
    let next = caisse::report::search::Cursor {
        created_at: last.created_at,
        external_id: last.external_id.clone(),
    };
    app::update(
        &mut app,
        Event::Page {
            search,
            page: Ok((rows, Some(next))),
        },
    );
    let shown = app.clone();
    key(&mut app, KeyCode::F(5));
    key(&mut app, KeyCode::F(5));
    vec![("journal_past", shown), ("journal_dates", app)]
}

/// The statistics over a fixed day's sales (hours 7 to 20, four operators) and four weeks,
/// and the same screen before its reports are back.
fn statistics(width: u16, height: u16) -> Vec<(&'static str, App)> {
    use caisse::domain::OpKind;
    use caisse::report::{By, Entry, aggregate};
    use caisse::tui::screens::stats::Part;
    let mut app = base(width, height);
    let loading = {
        let mut a = app.clone();
        a.open_stats();
        a
    };
    let effects = app.open_stats();
    const DAY: i64 = 86_400_000;
    let midnight = NOW - NOW % DAY;
    let services = [
        "WAVE_SN_API_CASH_OUT",
        "ORANGE_SN_API_CASH_OUT",
        "WAVE_SN_API_CASH_IN",
        "FREE_SN_WALLET_CASH_OUT",
        "SENELEC_SN_BILL_PAY",
        "ORANGE_SN_API_CASH_IN",
    ];
    let entry = |i: i64, at: i64| Entry {
        service: services[(i % 6) as usize],
        cashier: "awa",
        kind: OpKind::Payment,
        status: if i % 7 == 3 {
            TxStatus::Failed
        } else {
            TxStatus::Success
        },
        amount: Some(500 + (i * 1_750) % 20_000),
        created_at: at,
    };
    // Busier at midday and at the end of the afternoon.
    let today: Vec<Entry> = (0..120)
        .map(|i| {
            let hour = 7 + [0, 1, 2, 3, 4, 5, 5, 6, 6, 10, 10, 11, 12, 13][(i % 14) as usize];
            entry(i, midnight + hour * 3_600_000 + i * 11_000)
        })
        .collect();
    let weeks: Vec<Entry> = (0..600)
        .map(|i| entry(i, midnight - 27 * DAY + (i * i * 7_919) % (28 * DAY)))
        .collect();
    for effect in effects {
        let app::Effect::LoadStats { part, period, by } = effect else {
            panic!("{effect:?}")
        };
        let report = match part {
            Part::Hours | Part::Operators => aggregate(by, today.iter().copied()),
            Part::Weekdays => aggregate(By::Day, weeks.iter().copied()),
        };
        app::update(
            &mut app,
            Event::Stats {
                part,
                period,
                figures: Ok(report),
            },
        );
    }
    vec![("stats", app), ("stats_loading", loading)]
}

fn form(app: &mut App) -> &mut app::MgForm {
    match &mut app.screen {
        Screen::MoneyGram(m) => match &mut m.stage {
            app::MgStage::Identity { form, .. }
            | app::MgStage::Parties { form }
            | app::MgStage::Quoted { form, .. } => form,
            app::MgStage::Reference { .. } => panic!("no form"),
        },
        _ => panic!("not MoneyGram"),
    }
}

fn moneygram_tile(code: &str) -> catalog::Tile {
    catalog::all_tiles()
        .into_iter()
        .find(|t| t.code == code)
        .unwrap()
}

/// MoneyGram: a payout's reference looked up, its identity form (scrolled to the focused
/// field, one field refused) and its summary; a send's form (scrolled to the receiver) and
/// its quote; a send paid with its reference; a send's reversal over the journal.
fn moneygram_screens(width: u16, height: u16) -> Vec<(&'static str, App)> {
    use caisse::domain::moneygram::{PayoutLookup, Quote};
    let mut out = Vec::new();
    let found = |status: &str| PayoutLookup {
        reference: "89163605".into(),
        agent_check_amount: Some(10_000),
        receive_currency: Some("XOF".into()),
        transaction_status: Some(status.into()),
        ok_for_pickup: Some(status == "AVAIL"),
        sender_name: "MOUSSA NDOUR".into(),
        receiver_first_name: "AICHA".into(),
        receiver_last_name: "DIALLO".into(),
    };
    let mut paid_out = base(width, height);
    app::open_tile(&mut paid_out, moneygram_tile("MONEYGRAM_SN_API_CASH_OUT"));
    typed(&mut paid_out, "89163600");
    key(&mut paid_out, KeyCode::Enter);
    app::update(&mut paid_out, Event::MoneyGramFound(Ok(found("RECVD"))));
    out.push(("moneygram_reference_paid_out", paid_out));

    let mut payout = base(width, height);
    app::open_tile(&mut payout, moneygram_tile("MONEYGRAM_SN_API_CASH_OUT"));
    typed(&mut payout, "89163605");
    key(&mut payout, KeyCode::Enter);
    app::update(&mut payout, Event::MoneyGramFound(Ok(found("AVAIL"))));
    for (name, value) in [
        ("receiverPhotoIdType", "GOV"),
        ("receiverPhotoIdNumber", "1672282828282"),
        ("receiverDOB", "1995-08-10"),
        ("receiverGender", "FEMALE"),
        ("receiverPhone", "772457199"),
        ("receiverAddress", "Almadies"),
        ("receiverCity", "Dakar"),
        ("receiverOccupation", "STUDENT"),
        ("receivePurposeOfTransaction", "GIFT"),
        ("relationshipToSender", "FAMILY"),
    ] {
        form(&mut payout).set(name, value);
    }
    // F10 with the last list still unchosen: refused, the focus on it (scrolled down).
    key(&mut payout, KeyCode::F(10));
    out.push(("moneygram_identity", payout.clone()));
    key(&mut payout, KeyCode::Right);
    key(&mut payout, KeyCode::F(10));
    out.push(("moneygram_identity_confirm", payout));

    let mut send = base(width, height);
    app::open_tile(&mut send, moneygram_tile("MONEYGRAM_SN_API_CASH_IN"));
    typed(&mut send, "3000");
    for (name, value) in [
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
    ] {
        form(&mut send).set(name, value);
    }
    let f = form(&mut send);
    f.focus = f
        .inputs
        .iter()
        .position(|i| i.field.name == "receiverCity")
        .unwrap();
    typed(&mut send, "Dakar");
    out.push(("moneygram_send_form", send.clone()));
    key(&mut send, KeyCode::Tab);
    typed(&mut send, "Almadies");
    key(&mut send, KeyCode::F(10));
    let quote = Quote::from_parts(Some(3000), Some(90), Some(3090), Some(3000)).unwrap();
    app::update(&mut send, Event::MoneyGramQuoted(Ok(quote)));
    out.push(("moneygram_quote", send.clone()));
    key(&mut send, KeyCode::Enter);
    let mut sent = row(TxStatus::Success, "MONEYGRAM_SN_API_CASH_IN", None);
    sent.amount = Some(3000);
    sent.fields = json!({
        "referenceNumber": "48213577",
        "data": {"moneygramQuote": {"sendAmount": 3000, "totalSendFees": 90, "totalAmountToCollect": 3090}},
    });
    sent.notification =
        Some("Numéro de référence MoneyGram : 48213577 (à remettre à l'expéditeur)".into());
    app::update(&mut send, Event::Paid(Ok(sent.clone())));
    out.push(("moneygram_send_success", send));

    let mut reversal = base(width, height);
    key(&mut reversal, KeyCode::F(3));
    app::update(&mut reversal, Event::Rows(vec![sent]));
    key(&mut reversal, KeyCode::Enter);
    key(&mut reversal, KeyCode::Char('r'));
    key(&mut reversal, KeyCode::Right);
    out.push(("moneygram_reversal", reversal));
    out
}

/// The session screens: login (name + PIN, and PIN only), a refusal, the idle lock over a
/// payment, the supervisor's prompt, and the service down.
fn session_screens(width: u16, height: u16) -> Vec<(&'static str, App)> {
    use caisse::session::{LinkEvent, LoginNeed, Welcome};
    use caisse::staff::{Cashier, Role};
    let up = |need: LoginNeed| {
        Event::Link(LinkEvent::Up {
            welcome: Welcome {
                demo: true,
                login: need,
                idle_lock_secs: None,
                low_balance: None,
                kiosk: false,
            },
            resumed: None,
        })
    };
    let mut out = Vec::new();
    let mut login = base(width, height);
    login.gate.kiosk = true;
    app::update(&mut login, up(LoginNeed::NameAndPin));
    typed(&mut login, "awa");
    key(&mut login, KeyCode::Enter);
    typed(&mut login, "12");
    out.push(("login", login.clone()));
    typed(&mut login, "34");
    key(&mut login, KeyCode::Enter);
    app::update(
        &mut login,
        Event::LoggedIn(Err(
            "trop de codes PIN faux : bloqué jusqu'à 14:05 (5 minutes)".into(),
        )),
    );
    out.push(("login_locked_out", login));
    let mut mapped = base(width, height);
    app::update(&mut mapped, up(LoginNeed::Pin("awa".into())));
    out.push(("login_pin_only", mapped.clone()));
    typed(&mut mapped, "1234");
    key(&mut mapped, KeyCode::Enter);
    app::update(
        &mut mapped,
        Event::LoggedIn(Ok(Cashier {
            name: "awa".into(),
            role: Role::Cashier,
        })),
    );
    app::update(
        &mut mapped,
        Event::Unseen(Some(row(
            TxStatus::Pending,
            "WAVE_SN_API_CASH_OUT",
            Some("https://api.intech.sn/deep/139663910423"),
        ))),
    );
    let mut locked = mapped.clone();
    app::update(&mut locked, Event::Idle);
    out.push(("idle_lock", locked));
    let mut quit = mapped.clone();
    quit.gate.kiosk = true;
    key(&mut quit, KeyCode::Char('n'));
    key(&mut quit, KeyCode::F(10));
    // A sale is pending: asked first, then the supervisor's PIN.
    out.push(("quit_with_a_sale_pending", quit.clone()));
    key(&mut quit, KeyCode::Char('o'));
    out.push(("supervisor_prompt", quit));
    let mut down = mapped;
    app::update(
        &mut down,
        Event::Link(LinkEvent::Down(caisse::session::Problem::ServiceDown)),
    );
    out.push(("service_down", down));
    out
}

/// A drawer opened at 08:00 with 20 000 FCFA and the balance 250 000 FCFA read then; one
/// deposit of 5 000 and one withdrawal of 1 500 (commission 25) since.
fn drawer_state() -> caisse::journal::drawers::DrawerState {
    use caisse::domain::drawer::Totals;
    use caisse::journal::drawers::{DrawerRecord, DrawerState};
    DrawerState {
        drawer: DrawerRecord {
            id: 1,
            cashier: "awa".into(),
            terminal: "caisse-1".into(),
            opened_at: NOW - 3 * 3_600_000,
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
            cash_out: 1_500,
            balance_in: 1_525,
            balance_out: 5_025,
            commissions: 25,
            goods: 0,
            // One receipt sent by WhatsApp (its fee, from the balance).
            shop_costs: 25,
            counted: 3,
        },
    }
}

/// The drawer screen: none open (the float typed), open (its figures, the count typed),
/// the question before the close, and closed (500 FCFA short, the balance as expected).
fn drawer_screens(width: u16, height: u16) -> Vec<(&'static str, App)> {
    use caisse::session::protocol::DrawerReply;
    let mut out = Vec::new();
    let mut none = base(width, height);
    key(&mut none, KeyCode::F(6));
    app::update(
        &mut none,
        Event::Drawer(Ok(DrawerReply::Refused(
            caisse::journal::drawers::DrawerRefusal::NotOpen,
        ))),
    );
    typed(&mut none, "20 000");
    out.push(("drawer_not_open", none.clone()));
    let mut open = none;
    app::update(
        &mut open,
        Event::Drawer(Ok(DrawerReply::State(drawer_state()))),
    );
    typed(&mut open, "23000");
    out.push(("drawer_open", open.clone()));
    let mut asked = open.clone();
    key(&mut asked, KeyCode::Enter);
    out.push(("drawer_close_asked", asked));
    let mut closed = open;
    let mut state = drawer_state();
    state.drawer.closed_at = Some(NOW);
    state.drawer.counted_cash = Some(23_000);
    state.drawer.expected_cash = Some(23_500);
    state.drawer.expected_balance = Some(246_500);
    state.drawer.closing_balance = Some(246_500);
    app::update(&mut closed, Event::Drawer(Ok(DrawerReply::Closed(state))));
    out.push(("drawer_closed", closed));
    // A supervisor's: the float below the drawer, low for an hour, a refill before.
    let mut float = base(width, height);
    float.gate.cashier = Some(caisse::staff::Cashier {
        name: "chef".into(),
        role: caisse::staff::Role::Supervisor,
    });
    key(&mut float, KeyCode::F(6));
    app::update(
        &mut float,
        Event::Drawer(Ok(DrawerReply::State(drawer_state()))),
    );
    app::update(
        &mut float,
        Event::Drawer(Ok(DrawerReply::Float(caisse::journal::float::FloatView {
            latest: Some(caisse::domain::float::Reading {
                at: NOW - 60_000,
                balance: 246_500,
            }),
            threshold: Some(250_000),
            below_since: Some(NOW - 3_600_000),
            pace_per_hour: Some(12_500),
            refills: vec![caisse::journal::float::Refill {
                at: NOW - 2 * 3_600_000,
                amount: 100_000,
                balance: 270_000,
            }],
        }))),
    );
    out.push(("drawer_float", float));
    out
}

#[test]
fn every_screen_at_80x24_and_120x40() {
    for (width, height) in [(80, 24), (120, 40)] {
        for (name, app) in screens(width, height) {
            let buf = render(&app, width, height, ColorMode::NoColor);
            insta::assert_snapshot!(format!("{name}_{width}x{height}"), text(&buf));
            // The same screen in colour and in 16 colours never panics and keeps its text.
            for mode in [ColorMode::TrueColor, ColorMode::Ansi16] {
                let coloured = render(&app, width, height, mode);
                // Icons are images in colour and badges without: screens showing them differ.
                if !name.starts_with("payment_pending")
                    && !name.starts_with("catalogue")
                    && !name.starts_with("supervisor")
                    && !name.starts_with("quit")
                    && !name.starts_with("service_down")
                    && !name.starts_with("entry")
                    && name != "help"
                {
                    assert_eq!(
                        text(&coloured),
                        text(&buf),
                        "{name}: colours change only colours"
                    );
                }
            }
        }
    }
    // Any size down to very small ones: no panic.
    for (w, h) in [(1, 1), (20, 5), (40, 12), (79, 23)] {
        for (_, app) in screens(w, h) {
            render(&app, w, h, ColorMode::Ansi16);
        }
    }
}

/// The sixths a sextant glyph lights (1 top left, 2 top right, 4 middle left… 32 bottom
/// right), from Unicode's own order (U+1FB00…, which leaves out the empty, full and half
/// patterns older blocks have).
fn sextant_bits(symbol: &str) -> Option<u8> {
    let c = symbol.chars().next()?;
    match c {
        ' ' => return Some(0),
        '▌' => return Some(21),
        '▐' => return Some(42),
        '█' => return Some(63),
        _ => {}
    }
    let i = u32::from(c).checked_sub(0x1FB00).filter(|i| *i < 60)? as u8;
    let mut n = i + 1;
    if n >= 21 {
        n += 1;
    }
    if n >= 42 {
        n += 1;
    }
    Some(n)
}

/// Rebuilds the QR image from the cells drawn in black and white (half blocks, or sextants):
/// a lit part of a glyph is its foreground colour, the rest its background.
fn decode_qr(buf: &Buffer) -> Option<String> {
    let area = buf.area;
    let dark = |c: Color| matches!(c, Color::Black | Color::Rgb(0, 0, 0));
    let light = |c: Color| matches!(c, Color::White | Color::Rgb(255, 255, 255));
    let painted = |x: u16, y: u16| {
        let cell = &buf[(x, y)];
        (dark(cell.fg) || light(cell.fg)) && (dark(cell.bg) || light(cell.bg))
    };
    // Sextants where a cell holds a glyph only they have (the blank, the full block and
    // the halves are in both sets).
    let sextants = (0..area.height).any(|y| {
        (0..area.width).any(|x| {
            let c = buf[(x, y)].symbol().chars().next().unwrap_or(' ');
            painted(x, y) && ((0x1FB00..0x1FB3C).contains(&u32::from(c)) || "▌▐".contains(c))
        })
    });
    // Modules per cell, columns and rows.
    let (mx, my) = if sextants { (2, 3) } else { (1, 2) };
    let scale = 4usize;
    let (w, h) = (
        usize::from(area.width) * mx * scale,
        usize::from(area.height) * my * scale,
    );
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |px, py| {
        let (module_x, module_y) = (px / scale, py / scale);
        let (x, y) = ((module_x / mx) as u16, (module_y / my) as u16);
        if !painted(x, y) {
            return 255;
        }
        let cell = &buf[(x, y)];
        let (sub_x, sub_y) = (module_x % mx, module_y % my);
        let lit = if sextants {
            sextant_bits(cell.symbol()).is_some_and(|b| b >> (sub_y * 2 + sub_x) & 1 == 1)
        } else {
            // The upper half block lights the top module, the lower one the bottom.
            match cell.symbol() {
                "█" => true,
                "▀" => sub_y == 0,
                "▄" => sub_y == 1,
                _ => false,
            }
        };
        let c = if lit { cell.fg } else { cell.bg };
        if dark(c) { 0 } else { 255 }
    });
    let grids = img.detect_grids();
    grids
        .first()
        .and_then(|g| g.decode().ok())
        .map(|(_, content)| content)
}

#[test]
fn the_qr_on_the_payment_screen_scans_back_to_the_link() {
    let links = [
        DEEP_LINK.to_owned(),
        format!("{DEEP_LINK}?source=caisse&ref=AB"),
        format!("{DEEP_LINK}?source=caisse&ref=A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6"),
    ];
    assert_eq!(
        links.iter().map(String::len).collect::<Vec<_>>(),
        [39, 60, 90]
    );
    for link in &links {
        for mode in [ColorMode::TrueColor, ColorMode::Ansi16] {
            let app = payment(
                120,
                40,
                Some(row(TxStatus::Pending, "WAVE_SN_API_CASH_OUT", Some(link))),
            );
            let buf = render(&app, 120, 40, mode);
            assert_eq!(
                decode_qr(&buf).as_deref(),
                Some(link.as_str()),
                "{} characters, {mode:?}",
                link.len()
            );
        }
    }
    // The 39-character deep link also scans at 80×24.
    let app = payment(
        80,
        24,
        Some(row(
            TxStatus::Pending,
            "WAVE_SN_API_CASH_OUT",
            Some(DEEP_LINK),
        )),
    );
    assert_eq!(
        decode_qr(&render(&app, 80, 24, ColorMode::Ansi16)).as_deref(),
        Some(DEEP_LINK)
    );
}

#[test]
fn a_terminal_too_small_for_the_qr_shows_the_link() {
    let link = format!("{DEEP_LINK}?source=caisse&ref=AB");
    let app = payment(
        44,
        14,
        Some(row(TxStatus::Pending, "WAVE_SN_API_CASH_OUT", Some(&link))),
    );
    let buf = render(&app, 44, 14, ColorMode::Ansi16);
    let shown = text(&buf);
    assert!(decode_qr(&buf).is_none());
    assert!(shown.contains("Terminal trop petit"), "{shown}");
    // The link is there as text (wrapped): every character of it appears in order.
    let flat: String = shown
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("")
        .replace(['│', '↵'], "");
    assert!(flat.contains(&link.replace(' ', "")), "{shown}");
    insta::assert_snapshot!("payment_too_small_44x14", shown);
}

#[test]
fn english_by_configuration() {
    use caisse::i18n::Lang;
    for (name, mut app) in screens(80, 24) {
        if !matches!(
            name,
            "catalogue" | "entry_invalid_phone" | "payment_pending" | "journal_detail" | "help"
        ) {
            continue;
        }
        app.lang = Lang::En;
        // Re-run the live validation in English.
        if name == "entry_invalid_phone" {
            key(&mut app, KeyCode::Backspace);
            typed(&mut app, "1");
        }
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let theme = Theme::new(ColorMode::NoColor).with_lang(Lang::En);
        terminal.draw(|f| ui::draw(f, &app, theme)).unwrap();
        let shown = text(terminal.backend().buffer());
        for french in [
            "Solde",
            "Échap",
            "Entrée",
            "Que veut",
            "chiffres attendus",
            "Statut",
        ] {
            assert!(
                !shown.contains(french),
                "{name}: « {french} » in English mode:\n{shown}"
            );
        }
        insta::assert_snapshot!(format!("english_{name}_80x24"), shown);
    }
}

#[test]
fn an_answer_lost_after_the_send_is_drawn_as_a_warning_never_as_a_failure() {
    // The screen reads the outcome's type, not its first character: a lost answer whose
    // sentence starts like any other is still "maybe done", and a refusal is "not done".
    for (outcome, warning) in [
        (
            Outcome::Unknown {
                message: "la liaison avec le service s'est coupée pendant l'envoi".into(),
            },
            true,
        ),
        (
            Outcome::Failed {
                code: Some("invalid".into()),
                message: "numéro invalide : 9 chiffres attendus".into(),
            },
            false,
        ),
        (
            Outcome::NotSent {
                message: "service caisse indisponible".into(),
            },
            false,
        ),
    ] {
        let mut app = payment(80, 24, None);
        app::update(&mut app, Event::Paid(Err(outcome.clone())));
        let shown = text(&render(&app, 80, 24, ColorMode::NoColor));
        let message = outcome.message().unwrap();
        assert!(shown.contains(&message[..20]), "{shown}");
        assert_eq!(shown.contains('⚠'), warning, "{outcome:?}\n{shown}");
        assert_eq!(shown.contains('✗'), !warning, "{outcome:?}\n{shown}");
    }
}

#[test]
fn the_header_says_how_many_operations_are_to_be_checked() {
    // Before anything else; at 80 columns the wording shortens so that the pending count
    // fits too.
    for width in [80, 120] {
        let mut app = base(width, 24);
        app::update(&mut app, Event::PendingCount(1, 2));
        let shown = text(&render(&app, width, 24, ColorMode::NoColor));
        let header = shown.lines().next().unwrap();
        assert!(header.contains("2 à vérifier"), "{header}");
        assert!(header.contains("1 en attente"), "{header}");
    }
}

/// Issue 13 (drawer): below the shop's `[shop] low_balance` (handed over in the service's
/// welcome), the header warns at every width; at or above it, nothing.
#[test]
fn the_header_warns_when_the_balance_falls_below_the_shop_s_threshold() {
    for width in [80, 120] {
        let mut app = base(width, 24);
        app.low_balance = Some(50_000);
        app::update(&mut app, Event::Balance(Ok(49_999.0)));
        let shown = text(&render(&app, width, 24, ColorMode::NoColor));
        let header = shown.lines().next().unwrap();
        assert!(header.contains("⚠ Solde bas"), "{header}");
        assert!(header.contains("49 999 FCFA"), "{header}");

        app::update(&mut app, Event::Balance(Ok(50_000.0)));
        let shown = text(&render(&app, width, 24, ColorMode::NoColor));
        let header = shown.lines().next().unwrap();
        assert!(!header.contains("Solde bas"), "{header}");
    }
}

/// Issue 12 (13): every payment link of up to 120 characters (Intram's payment page
/// included) scans off an 80×24 terminal: half blocks where they fit, sextants (six modules
/// a cell) where they do not.
#[test]
fn every_link_up_to_120_characters_scans_at_80x24() {
    let intram = "https://webservices.intram.org:4002/payment/gate/6489f1c2a7b3e4d5f6a7b8c9";
    let long = format!("{DEEP_LINK}?source=caisse&ref=A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6");
    let longest = format!("{intram}?lang=fr&source=caisse&ref=A1B2C3D4E5F6G7H8I9J0");
    let links = [DEEP_LINK.to_owned(), intram.to_owned(), long, longest];
    assert_eq!(
        links.iter().map(String::len).collect::<Vec<_>>(),
        [39, 73, 90, 120]
    );
    for link in &links {
        for service in ["WAVE_SN_API_CASH_OUT", "INTRAM"] {
            for mode in [ColorMode::TrueColor, ColorMode::Ansi16] {
                let app = payment(80, 24, Some(row(TxStatus::Pending, service, Some(link))));
                let buf = render(&app, 80, 24, mode);
                let shown = text(&buf);
                assert!(!shown.contains("Terminal trop petit"), "{shown}");
                assert_eq!(
                    decode_qr(&buf).as_deref(),
                    Some(link.as_str()),
                    "{} characters, {mode:?}:\n{shown}",
                    link.len()
                );
            }
        }
    }
}

/// Issue 12 (12): per operator, what the customer does (the catalogue's one table): a QR and
/// its link, the operator's USSD code, or a confirmation on the phone.
#[test]
fn each_operator_tells_the_customer_what_to_do() {
    for (service, url, says) in [
        ("ORANGE_SN_API_CASH_OUT", Some(DEEP_LINK), "scanne le QR"),
        ("ORANGE_CI_API_CASH_OUT", None, "compose #144#"),
        (
            "FREE_SN_WALLET_CASH_OUT",
            None,
            "confirme le paiement sur son",
        ),
        ("MTN_CI_API_CASH_OUT", None, "confirme le paiement sur son"),
        ("MOOV_CI_API_CASH_OUT", None, "confirme le paiement sur son"),
        (
            "EXPRESSO_SN_WALLET_CASH_OUT",
            None,
            "confirme le paiement sur son",
        ),
    ] {
        let app = payment(80, 24, Some(row(TxStatus::Pending, service, url)));
        let buf = render(&app, 80, 24, ColorMode::Ansi16);
        let shown = text(&buf);
        let flat = shown
            .replace('│', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(flat.contains(says), "{service}: « {says} »\n{shown}");
        assert_eq!(decode_qr(&buf).as_deref(), url, "{service}");
        insta::assert_snapshot!(format!("customer_step_{service}_80x24"), shown);
    }
}

/// Issue 12 (10, 11): the end of a sale in the service's words, with its amount from the
/// row (a WhatsApp message's fee is known from the reply only), a reload's code, a refund
/// done (✓), and what to do next by kind and operator.
#[test]
fn the_end_of_a_sale_reads_in_the_services_words() {
    let ended = |service: &str, status: TxStatus, tweak: &dyn Fn(&mut Operation, &mut PayOrder)| {
        let mut r = row(status, service, None);
        let mut app = payment(80, 24, None);
        if let Screen::Payment(p) = &mut app.screen {
            p.order.service = service.into();
            p.tile = catalog::all_tiles()
                .into_iter()
                .find(|t| t.code == service)
                .unwrap();
            tweak(&mut r, &mut p.order);
            p.row = Some(r);
        }
        text(&render(&app, 80, 24, ColorMode::NoColor))
    };
    let deposit = ended("WAVE_SN_API_CASH_IN", TxStatus::Success, &|_, _| {});
    assert!(
        deposit.contains("✓ Dépôt effectué : 1 500 FCFA"),
        "{deposit}"
    );
    insta::assert_snapshot!("deposit_done_80x24", deposit);

    let message = ended("WHATSAPP_MESSAGING", TxStatus::Success, &|r, o| {
        o.amount = None;
        r.amount = Some(15);
    });
    assert!(message.contains("✓ Message envoyé : 15 FCFA"), "{message}");
    insta::assert_snapshot!("message_sent_80x24", message);

    let rapido = ended("RAPIDO_SN_BILL_RELOAD", TxStatus::Success, &|r, _| {
        r.notification = Some(
            "Votre recharge Rapido de 1500 FCFA pour le numéro 0123456789 est effectuée, \
             code 4455-1290"
                .into(),
        );
    });
    assert!(
        rapido.contains("✓ Recharge effectuée : 1 500 FCFA"),
        "{rapido}"
    );
    assert!(rapido.contains("code 4455-1290"), "{rapido}");
    insta::assert_snapshot!("rapido_reload_done_80x24", rapido);

    let refunded = ended("WAVE_SN_API_CASH_OUT", TxStatus::Refunded, &|_, _| {});
    assert!(
        refunded.contains("✓ Remboursement effectué : 1 500 FCFA"),
        "{refunded}"
    );
    assert!(!refunded.contains('✗'), "{refunded}");

    let deposit_failed = ended("ORANGE_SN_API_CASH_IN", TxStatus::Failed, &|r, _| {
        r.error_code = Some("operator_down_time".into());
        r.error_message = Some("L'opérateur est momentanément indisponible".into());
    });
    assert!(
        deposit_failed.contains("rendez au client"),
        "{deposit_failed}"
    );
    assert!(
        deposit_failed.contains("réessayez plus tard"),
        "{deposit_failed}"
    );
    insta::assert_snapshot!("deposit_failed_operator_down_80x24", deposit_failed);

    // A Wave refusal carrying the vendor's Orange Money sentence is never shown as such.
    let wave = ended("WAVE_SN_API_CASH_OUT", TxStatus::Failed, &|r, _| {
        r.error_code = Some("insufficient_balance".into());
        r.error_message = Some(
            "Le solde de votre compte Orange Money ne vous permet pas d'effectuer un paiement \
             de 1 500 CFA"
                .into(),
        );
    });
    assert!(!wave.contains("Orange"), "{wave}");
    assert!(wave.contains("Le compte Wave du client"), "{wave}");
}

/// Issue 12 (16): a pending sale's history grows by a poll every 30 s; at 80×24 its detail
/// scrolls (▼ says there is more), and a claim opened below the history is brought into
/// view.
#[test]
fn a_long_history_scrolls_and_the_claim_shows() {
    let mut app = base(80, 24);
    let mut pending = row(TxStatus::Pending, "WAVE_SN_API_CASH_OUT", Some(DEEP_LINK));
    pending.gateway_tx_id = Some("6767676767676".into());
    key(&mut app, KeyCode::F(3));
    app::update(&mut app, Event::Rows(vec![pending.clone()]));
    key(&mut app, KeyCode::Enter);
    let events = (0..30)
        .map(|i| HistoryLine {
            at: NOW - 900_000 + i * 30_000,
            kind: if i == 0 { "intent" } else { "poll" }.into(),
            detail: json!({"after": "PENDING", "gatewayStatus": "Pending"}),
            cashier: "awa".into(),
            terminal: "local".into(),
        })
        .collect();
    app::update(&mut app, Event::Events(pending.external_id.clone(), events));
    let top = text(&render(&app, 80, 24, ColorMode::NoColor));
    assert!(top.contains('▼') && !top.contains('▲'), "{top}");
    assert!(top.contains("Encaissement Wave"), "the top first:\n{top}");
    for _ in 0..3 {
        key(&mut app, KeyCode::PageDown);
    }
    let bottom = text(&render(&app, 80, 24, ColorMode::NoColor));
    assert!(bottom.contains('▲') && !bottom.contains('▼'), "{bottom}");
    insta::assert_snapshot!("journal_detail_scrolled_80x24", bottom);
    key(&mut app, KeyCode::Home);
    for _ in 0..5 {
        key(&mut app, KeyCode::PageUp);
    }
    key(&mut app, KeyCode::F(6));
    let claim = text(&render(&app, 80, 24, ColorMode::NoColor));
    assert!(
        claim.contains("Réclamation") && claim.contains("Sujet"),
        "{claim}"
    );
    insta::assert_snapshot!("journal_detail_claim_80x24", claim);
}

/// Issue 12 (16): at 40×10 and below the app says the terminal is too small and how big
/// it must be.
#[test]
fn a_terminal_too_small_says_how_big_it_must_be() {
    for (w, h) in [(40, 10), (30, 8), (79, 11), (43, 24)] {
        let app = base(w, h);
        let shown = text(&render(&app, w, h, ColorMode::NoColor));
        assert!(shown.contains("Terminal trop petit"), "{w}×{h}:\n{shown}");
        assert!(shown.contains("44×12"), "{w}×{h}:\n{shown}");
        assert!(!shown.contains("Que veut le client"), "{shown}");
    }
    let shown = text(&render(&base(40, 10), 40, 10, ColorMode::NoColor));
    insta::assert_snapshot!("too_small_40x10", shown);
    let fits = text(&render(&base(44, 12), 44, 12, ColorMode::NoColor));
    assert!(fits.contains("Que veut le client"), "{fits}");
}

/// Issue 12 (15): at 80×24 the tiles' numbers are those of the tiles drawn (1-9, as the
/// footer says), also once the grid scrolled; nothing meaningful is cut in the header, the
/// footer (its quit key) or the tiles' names.
#[test]
fn at_80_columns_the_catalogue_shows_what_its_keys_say() {
    let mut app = base(80, 24);
    app::update(&mut app, Event::PendingCount(0, 0));
    for _ in 0..3 {
        key(&mut app, KeyCode::Down);
    }
    let shown = text(&render(&app, 80, 24, ColorMode::NoColor));
    let lines: Vec<&str> = shown.lines().collect();
    assert!(lines[2].starts_with("┌1 Encaisser"), "{shown}");
    assert!(lines[2].contains("┐┌2 Dépôt"), "{shown}");
    assert!(lines[0].ends_with("rien en attente"), "{}", lines[0]);
    assert!(lines[23].contains("F10 Alt-q  quitter"), "{}", lines[23]);
    assert!(lines[23].contains("1-9 ←→  choisir"), "{}", lines[23]);
    insta::assert_snapshot!("catalogue_scrolled_80x24", shown);
}

/// Issue 12 (10): a deposit refused before any row was recorded says to hand the cash back.
#[test]
fn a_deposit_refused_before_sending_says_to_hand_the_cash_back() {
    let mut app = payment(80, 24, None);
    if let Screen::Payment(p) = &mut app.screen {
        p.order.service = "WAVE_SN_API_CASH_IN".into();
        p.error = Some(Outcome::NotSent {
            message: "Le service n'a pas pu être joint.".into(),
        });
    }
    let shown = text(&render(&app, 80, 24, ColorMode::NoColor));
    assert!(
        shown.contains("✗ Le service n'a pas pu être joint."),
        "{shown}"
    );
    assert!(shown.contains("rendez au client l'argent"), "{shown}");
}

/// A day's Z: sales on two operators (with commissions), one still pending, a drawer still
/// open at the close.
fn close_of_day_z(number: i64) -> caisse::report::z::ZReport {
    use caisse::domain::OpKind;
    use caisse::report::Entry;
    use caisse::report::z::{OpenDrawer, ZBuilder};
    let day = NOW - 86_400_000;
    let mut z = ZBuilder::new(number, day, NOW);
    for (id, service, status, amount, commission) in [
        (
            "v-1",
            "WAVE_SN_API_CASH_OUT",
            TxStatus::Success,
            15_000,
            150,
        ),
        (
            "v-2",
            "ORANGE_SN_API_CASH_OUT",
            TxStatus::Success,
            2_500,
            25,
        ),
        ("v-3", "SENELEC_SN_BILL_PAY", TxStatus::Pending, 27_684, 0),
    ] {
        z.add(
            id,
            Entry {
                service,
                cashier: "awa",
                kind: OpKind::Payment,
                status,
                amount: Some(amount),
                created_at: day + 3_600_000,
            },
            commission,
        );
    }
    let mut z = z.finish();
    z.set_open_drawers(vec![OpenDrawer {
        cashier: "binta".into(),
        opened_at: day + 1_800_000,
        float: 20_000,
        expected: 22_500,
    }]);
    z
}

/// The close-of-day screen: the preview of the next Z, the Z sealed, and the past reports
/// with the chain broken (report 2 named).
#[test]
fn the_close_of_day_at_80x24_and_120x40() {
    use caisse::report::z::{ZReply, ZSummary};
    use caisse::session::view::Printed;
    for (width, height) in [(80, 24), (120, 40)] {
        let mut preview = base(width, height);
        key(&mut preview, KeyCode::F(9));
        app::update(
            &mut preview,
            Event::Z(Ok((
                ZReply::Preview(Box::new(close_of_day_z(4))),
                Printed::NotAsked,
            ))),
        );
        // Its end: the commissions, the drawer still open with its warning, what to follow.
        let mut scrolled = preview.clone();
        for _ in 0..10 {
            key(&mut scrolled, KeyCode::PageDown);
        }
        let mut sealed = preview.clone();
        key(&mut sealed, KeyCode::Char('s'));
        let asked = sealed.clone();
        key(&mut sealed, KeyCode::Char('o'));
        app::update(
            &mut sealed,
            Event::Z(Ok((
                ZReply::Report {
                    report: Box::new(close_of_day_z(4)),
                    hash: "9f2c41d07be3a5c8".repeat(4),
                },
                Printed::NotAsked,
            ))),
        );
        let mut broken = sealed.clone();
        key(&mut broken, KeyCode::Char('l'));
        let reports = (1..=4)
            .rev()
            .map(|number| ZSummary {
                number,
                from: NOW - (5 - number) * 86_400_000,
                to: NOW - (4 - number) * 86_400_000,
                closed_by: "chef".into(),
                operations: Some(10 + number as u64),
                net: Some(35_000 * number),
                altered: number == 2,
            })
            .collect();
        app::update(
            &mut broken,
            Event::Z(Ok((
                ZReply::List {
                    reports,
                    faults: vec![
                        "rapport Z n° 2 altéré : son contenu ne correspond plus à son \
                         empreinte enregistrée"
                            .into(),
                    ],
                },
                Printed::NotAsked,
            ))),
        );
        for (name, app) in [
            ("close_preview", preview),
            ("close_preview_end", scrolled),
            ("close_seal_asked", asked),
            ("close_sealed", sealed),
            ("close_chain_broken", broken),
        ] {
            let buf = render(&app, width, height, ColorMode::NoColor);
            insta::assert_snapshot!(format!("{name}_{width}x{height}"), text(&buf));
            let coloured = render(&app, width, height, ColorMode::TrueColor);
            assert_eq!(
                text(&coloured),
                text(&buf),
                "{name}: colours change only colours"
            );
        }
    }
}
