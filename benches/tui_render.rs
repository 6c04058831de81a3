//! Render time per screen: `ui::draw` into a ratatui `TestBackend`, 80×24 and 120×40,
//! median of 500 frames each (the diff and the terminal write are not included: the pty
//! bench, `benches/tui_pty.py`, measures those bytes).
//!
//! Run: `cargo bench --bench tui_render`

use std::collections::BTreeMap;
use std::time::Instant;

use caisse::domain::TxStatus;
use caisse::engine::PayOrder;
use caisse::session::view::Operation;
use caisse::tui::app::{self, App, Event, PaymentState, Screen};
use caisse::tui::catalog;
use caisse::tui::theme::{ColorMode, Theme};
use caisse::tui::ui;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

const NOW: i64 = 1_795_400_000_000;

fn row(status: TxStatus, n: usize) -> Operation {
    Operation {
        external_id: format!("01a20000-0000-7000-8000-{n:012}"),
        gateway: caisse::domain::GatewayKind::Intech,
        service: "WAVE_SN_API_CASH_OUT".into(),
        phone: Some("772457100".into()),
        amount: Some(1500),
        fields: json!({}),
        status,
        gateway_tx_id: Some("6767676767676".into()),
        customer_url: Some("https://api.intech.sn/deep/139663910423".into()),
        notification: Some("Bonjour, cliquez sur le lien suivant pour valider le paiement".into()),
        error_code: None,
        error_message: None,
        cashier: "awa".into(),
        terminal: "local".into(),
        created_at: NOW - n as i64 * 60_000,
        sent_at: Some(NOW - 95_000),
        final_at: None,
        updated_at: NOW,
        kind: caisse::domain::OpKind::Payment,
        parent_id: None,
        details: serde_json::json!({}),
        receipt_no: None,
    }
}

fn key(app: &mut App, code: KeyCode) {
    app::update(app, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn screens(w: u16, h: u16) -> Vec<(&'static str, App)> {
    let base = || {
        let mut a = App::new(true, NOW);
        app::update(&mut a, Event::Resize(w, h));
        app::update(&mut a, Event::Balance(Ok(250_000.0)));
        a
    };
    let mut out = vec![("catalogue", base())];
    let mut entry = base();
    for c in "wave".chars() {
        key(&mut entry, KeyCode::Char(c));
    }
    key(&mut entry, KeyCode::Enter);
    for c in "77245710".chars() {
        key(&mut entry, KeyCode::Char(c));
    }
    out.push(("entry", entry));
    let mut payment = base();
    let tile = catalog::all_tiles()
        .into_iter()
        .find(|t| t.code == "WAVE_SN_API_CASH_OUT")
        .unwrap();
    payment.screen = Screen::Payment(Box::new(PaymentState {
        order: PayOrder {
            gateway: caisse::domain::GatewayKind::Intech,
            service: tile.code.into(),
            phone: Some("772457100".into()),
            amount: Some(1500),
            fields: BTreeMap::new(),
            description: None,
        },
        tile,
        row: Some(row(TxStatus::Pending, 0)),
        error: None,
        opened_at: NOW,
        notice: None,
        rang: false,
        external_id: None,
    }));
    out.push(("payment (QR)", payment));
    let mut journal = base();
    key(&mut journal, KeyCode::Char('j'));
    app::update(
        &mut journal,
        Event::Rows((0..200).map(|n| row(TxStatus::Success, n)).collect()),
    );
    out.push(("journal (200 rows)", journal));
    out
}

fn main() {
    println!("render time per screen (ui::draw into a TestBackend), median of 500 frames");
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        for (name, app) in screens(w, h) {
            let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
            let theme = Theme::new(ColorMode::TrueColor);
            let mut times: Vec<f64> = (0..500)
                .map(|_| {
                    let t = Instant::now();
                    terminal.draw(|f| ui::draw(f, &app, theme)).unwrap();
                    t.elapsed().as_secs_f64() * 1e6
                })
                .collect();
            times.sort_by(f64::total_cmp);
            println!(
                "  {w:>3}x{h:<3} {name:<20} median {:>7.1} µs   p90 {:>7.1} µs",
                times[250], times[450]
            );
        }
    }
}
