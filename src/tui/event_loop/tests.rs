//! The loop itself, over a `TestBackend`: the kiosk's control keys, the idle lock, a resize
//! and leaving. Keys go in as the terminal's bytes (through the real parser), signals as
//! [`Signal`]s, the service's welcome as a link event; what shows is read from the backend.
//! Every wait is on a condition, with a deadline (tmux keeps the end to end).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use tokio::sync::{broadcast, mpsc};

use super::*;
use crate::session::{LoginNeed, Welcome};
use crate::staff::{Cashier, Role};
use crate::tui::theme::ColorMode;

/// A `TestBackend` the test reads (and resizes) while the loop draws on it.
#[derive(Clone)]
struct Shared(Arc<Mutex<TestBackend>>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, TestBackend> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Backend for Shared {
    type Error = std::convert::Infallible;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.lock().draw(content)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.lock().hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.lock().show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.lock().get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.lock().set_cursor_position(position)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.lock().clear()
    }
    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.lock().clear_region(clear_type)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.lock().size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.lock().window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.lock().flush()
    }
}

/// The deadline of every wait: far above what any of them takes.
const DEADLINE: Duration = Duration::from_secs(20);

/// The loop running on a shared `TestBackend`, and what the test feeds it.
struct Harness {
    screen: Shared,
    bytes: mpsc::Sender<std::io::Result<Chunk>>,
    signals: mpsc::UnboundedSender<Signal>,
    link: broadcast::Sender<LinkEvent>,
    ended: tokio::task::JoinHandle<Result<(), Failure>>,
}

fn cashier() -> Cashier {
    Cashier {
        name: "awa".into(),
        role: Role::Cashier,
    }
}

impl Harness {
    /// The loop started (80×24), and the service's welcome: `awa` logged in with a PIN (so
    /// that the idle lock applies), on the home screen.
    async fn start(kiosk: bool, idle_lock: Duration) -> Harness {
        let screen = Shared(Arc::new(Mutex::new(TestBackend::new(80, 24))));
        let (bytes, bytes_rx) = mpsc::channel(16);
        let (signals, signals_rx) = mpsc::unbounded_channel();
        let (link, link_rx) = broadcast::channel(16);
        // Nowhere: the requests the app makes are answered "service down" at once.
        let to_nowhere = Link::remote("/nonexistent/caisse.sock".into(), "test".into());
        let mut terminal = Terminal::new(screen.clone()).expect("a test terminal");
        let settings = Settings {
            theme: Theme::new(ColorMode::NoColor),
            kiosk,
            idle_lock,
        };
        let inputs = Inputs {
            bytes: bytes_rx,
            signals: signals_rx,
        };
        let ended = tokio::spawn(async move {
            event_loop(&mut terminal, inputs, to_nowhere, link_rx, settings).await
        });
        let h = Harness {
            screen,
            bytes,
            signals,
            link,
            ended,
        };
        h.wait_for("Connexion au service").await;
        h.link
            .send(LinkEvent::Up {
                welcome: Welcome {
                    demo: true,
                    login: LoginNeed::NameAndPin,
                    idle_lock_secs: None,
                    low_balance: None,
                    kiosk: false,
                },
                resumed: Some(cashier()),
            })
            .expect("the loop listens");
        h.wait_for("Que veut le client").await;
        h
    }

    fn text(&self) -> String {
        let backend = self.screen.lock();
        let buffer = backend.buffer();
        let mut text = String::new();
        for y in 0..buffer.area.height {
            for x in 0..buffer.area.width {
                text.push_str(buffer[(x, y)].symbol());
            }
            text.push('\n');
        }
        text
    }

    /// Waits until the screen shows `needle` (or fails with the screen at the deadline).
    async fn wait_for(&self, needle: &str) {
        self.wait_until(needle, |h| h.text().contains(needle)).await;
    }

    async fn wait_until(&self, what: &str, done: impl Fn(&Harness) -> bool) {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        while !done(self) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "never: {what}\n{}",
                self.text()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn press(&self, bytes: &[u8]) {
        self.press_at(bytes, std::time::Instant::now()).await;
    }

    /// Bytes as the reader thread read them at `at` (a slow link's gap, without waiting).
    async fn press_at(&self, bytes: &[u8], at: std::time::Instant) {
        let chunk = Chunk {
            at,
            bytes: bytes.to_vec(),
        };
        self.bytes.send(Ok(chunk)).await.expect("the loop reads");
    }

    /// The loop's end, which must come before the deadline.
    async fn ended(self) -> Result<(), Failure> {
        let Harness { ended, screen, .. } = self;
        match tokio::time::timeout(DEADLINE, ended).await {
            Ok(result) => result.expect("the loop did not panic"),
            Err(_) => panic!("the loop did not end:\n{}", Harness::text_of(&screen)),
        }
    }

    fn text_of(screen: &Shared) -> String {
        format!("{:?}", screen.lock().buffer())
    }
}

const CTRL_C: &[u8] = b"\x03";
const CTRL_Z: &[u8] = b"\x1a";
const CTRL_BACKSLASH: &[u8] = b"\x1c";
const F10: &[u8] = b"\x1b[21~";
const NO_IDLE: Duration = Duration::ZERO;

#[tokio::test]
async fn in_a_kiosk_control_keys_and_signals_do_nothing_and_leaving_asks_a_supervisor() {
    let h = Harness::start(true, NO_IDLE).await;
    h.press(CTRL_C).await;
    h.press(CTRL_Z).await;
    h.press(CTRL_BACKSLASH).await;
    h.signals.send(Signal::Interrupt).unwrap();
    h.signals.send(Signal::Stop).unwrap();
    // Taken in order: once the filter shows, every key and signal before it was done with,
    // and the loop still runs.
    h.press(b"wave").await;
    h.wait_for("Filtre : wave").await;
    assert!(!h.ended.is_finished());
    h.press(F10).await;
    h.wait_for("Superviseur").await;
    // A hang-up leaves, kiosk or not.
    h.signals.send(Signal::Hangup).unwrap();
    assert!(h.ended().await.is_ok());
}

#[tokio::test]
async fn outside_a_kiosk_ctrl_c_leaves() {
    let h = Harness::start(false, NO_IDLE).await;
    h.press(CTRL_Z).await;
    h.press(CTRL_BACKSLASH).await;
    h.press(b"w").await;
    h.wait_for("Filtre : w").await;
    h.press(CTRL_C).await;
    assert!(h.ended().await.is_ok());
}

#[tokio::test]
async fn outside_a_kiosk_an_interrupt_signal_leaves() {
    let h = Harness::start(false, NO_IDLE).await;
    h.signals.send(Signal::Interrupt).unwrap();
    assert!(h.ended().await.is_ok());
}

#[tokio::test]
async fn f10_leaves() {
    let h = Harness::start(false, NO_IDLE).await;
    h.press(F10).await;
    assert!(h.ended().await.is_ok());
}

#[tokio::test]
async fn the_terminal_going_away_leaves() {
    let Harness {
        bytes,
        ended,
        signals: _signals,
        link: _link,
        ..
    } = Harness::start(false, NO_IDLE).await;
    // The reader's channel closes (end of input): the signals and the link stay open.
    drop(bytes);
    let result = tokio::time::timeout(DEADLINE, ended)
        .await
        .expect("the loop ends")
        .expect("the loop did not panic");
    assert!(result.is_ok());
}

#[tokio::test]
async fn the_idle_lock_hides_the_screen_after_the_idle_time() {
    let h = Harness::start(false, Duration::from_millis(300)).await;
    h.wait_for("Écran verrouillé").await;
    assert!(!h.text().contains("Que veut le client"), "{}", h.text());
    h.press(F10).await;
    // Locked: F10 does not leave, the PIN is asked.
    h.press(b"12").await;
    h.wait_for("••").await;
    h.signals.send(Signal::Hangup).unwrap();
    assert!(h.ended().await.is_ok());
}

#[tokio::test]
async fn a_resize_redraws_at_the_new_size() {
    let h = Harness::start(false, NO_IDLE).await;
    h.screen.lock().resize(120, 40);
    h.signals.send(Signal::Resize(120, 40)).unwrap();
    h.wait_until("the frame at 120×40", |h| {
        let text = h.text();
        let lines: Vec<&str> = text.lines().collect();
        // The footer on the new last line: the whole frame was drawn again at the new size.
        lines.len() == 40 && lines[39].contains("quitter") && lines[0].contains("caisse")
    })
    .await;
    h.signals.send(Signal::Hangup).unwrap();
    assert!(h.ended().await.is_ok());
}

#[tokio::test]
async fn a_paste_fills_the_filter_and_its_newlines_are_not_enter_in_a_kiosk_too() {
    let h = Harness::start(true, NO_IDLE).await;
    // Pasted: a word and two newlines. Had they acted as Enter, the first tile would have
    // opened and the `x` typed next would have gone into its form.
    h.press(b"\x1b[200~wave\r\n\r\x1b[201~").await;
    h.press(b"x").await;
    h.wait_for("Filtre : wavex").await;
}

#[tokio::test]
async fn a_paste_cut_in_two_by_a_slow_link_is_still_a_paste() {
    let h = Harness::start(false, NO_IDLE).await;
    // The second half read half a second after the first (ten times the keys' timeout):
    // its newlines are still the paste's, not Enter.
    let t0 = std::time::Instant::now();
    h.press_at(b"\x1b[200~wave\r", t0).await;
    h.press_at(b"\r\n\x1b[201~", t0 + Duration::from_millis(500))
        .await;
    h.press(b"x").await;
    h.wait_for("Filtre : wavex").await;
}
