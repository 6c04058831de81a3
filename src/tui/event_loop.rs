//! The app's loop: terminal bytes, signals, the link's events and the effects' answers
//! become [`Event`]s for the pure `app::update`; its effects run as tasks (`effects.rs`);
//! the state is drawn when something visible changed. Generic over the ratatui backend:
//! crossterm's in `run`, `TestBackend` in the tests (`event_loop/tests.rs`).

use std::collections::VecDeque;
use std::time::Duration;

use crossterm::event::{Event as TermEvent, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

use super::app::{self, App, Event};
use super::effects::{Coalesce, execute};
use super::reader::Chunk;
use super::theme::Theme;
use super::{config_failure, input, ui};
use crate::clock::now_ms;
use crate::exit::Failure;
use crate::session::{Link, LinkEvent};
use crate::ticker::Ticker;

/// What the loop hears besides the terminal's bytes and the link: the signals, as `run`
/// turns them into these (the tests send them directly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The window's new size (SIGWINCH).
    Resize(u16, u16),
    /// The SSH connection dropped (SIGHUP) or the service manager stops us (SIGTERM).
    Hangup,
    /// SIGINT or SIGQUIT sent by `kill` (Ctrl-C and Ctrl-\ arrive as keys in raw mode).
    Interrupt,
    /// SIGTSTP.
    Stop,
}

/// The loop's inputs from outside.
pub struct Inputs {
    /// The terminal's bytes, as the reader thread reads them (`reader::spawn`).
    pub bytes: mpsc::Receiver<std::io::Result<Chunk>>,
    pub signals: mpsc::UnboundedReceiver<Signal>,
}

/// How the loop runs.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub theme: Theme,
    /// Kiosk mode: Ctrl-C and friends do nothing, leaving needs a supervisor's PIN.
    pub kiosk: bool,
    /// The idle lock's delay when the service does not set one.
    pub idle_lock: Duration,
}

/// The app's loop, over any ratatui backend: crossterm's in `run`, `TestBackend` in the
/// tests. Returns when the cashier leaves, on a hang-up, or when the terminal's input ends.
pub async fn event_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    inputs: Inputs,
    link: Link,
    mut link_events: broadcast::Receiver<LinkEvent>,
    settings: Settings,
) -> Result<(), Failure> {
    let Settings {
        theme,
        kiosk,
        idle_lock,
    } = settings;
    let Inputs {
        bytes: mut input,
        mut signals,
    } = inputs;
    let io_error = |e: std::io::Error| config_failure(format!("terminal : {e}"));
    let backend_error = |e: B::Error| config_failure(format!("terminal : {e}"));
    let mut app = App::new(false, now_ms());
    app.lang = theme.lang;
    // The service may ask for kiosk mode too (`Welcome`): then `app.gate.kiosk` turns on.
    app.gate.kiosk = kiosk;
    app.local = matches!(link, Link::Local { .. });
    app.screen = app::Screen::Connecting;
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let coalesce = Coalesce::default();
    // The terminal's bytes, parsed here rather than by crossterm's reader, which could wait
    // forever on an escape sequence it did not know (issue 9, C7; see `input.rs`).
    let mut keyboard = Keyboard::default();
    let size = terminal.size().map_err(backend_error)?;
    app::update(&mut app, Event::Resize(size.width, size.height));
    // The countdown's tick exists only while a screen shows one: idle, nothing wakes.
    let mut ticker: Option<Ticker> = None;
    let mut last_input = Instant::now();
    loop {
        // A burst (a paste, keys typed while the app was busy) is drawn once, at its end.
        if app.dirty && keyboard.events.is_empty() {
            // Only the changed cells are written, in as few bytes as the backend can
            // (`backend.rs`).
            terminal
                .draw(|frame| ui::draw(frame, &app, theme))
                .map_err(backend_error)?;
            app.dirty = false;
        }
        if app.quit {
            return Ok(());
        }
        let kiosk = app.gate.kiosk;
        // The shop's setting (from the service) wins over this terminal's.
        let idle_lock = app
            .gate
            .idle_lock_secs
            .map(Duration::from_secs)
            .unwrap_or(idle_lock);
        let idle_armed = !idle_lock.is_zero()
            && app.gate.login_required
            && app.gate.cashier.is_some()
            && app.gate.locked.is_none();
        if app.needs_tick() != ticker.is_some() {
            ticker = app
                .needs_tick()
                .then(|| Ticker::every(Duration::from_secs(1)));
        }
        let event = if let Some(term) = keyboard.events.pop_front() {
            match term {
                TermEvent::Key(key) if key.kind != KeyEventKind::Release => {
                    last_input = Instant::now();
                    #[cfg(feature = "failpoints")]
                    if crate::engine::failpoint::armed("ui_panic") {
                        panic!("failpoint ui_panic");
                    }
                    match key.code {
                        _ if !key.modifiers.contains(KeyModifiers::CONTROL) => Event::Key(key),
                        // Asked first when sales are pending (`ask::quit`).
                        KeyCode::Char('c') if !kiosk => Event::Interrupt,
                        // Every other control key is nobody's business (Ctrl-Z, Ctrl-\…).
                        KeyCode::Char(_) => continue,
                        _ => Event::Key(key),
                    }
                }
                // Bracketed paste (turned on by `run`): text for the focused field only; its
                // newlines never act as Enter. Kiosk or not.
                TermEvent::Paste(text) => {
                    last_input = Instant::now();
                    Event::Paste(text)
                }
                _ => continue,
            }
        } else {
            // An unfinished escape sequence is given up when this comes (no timer otherwise:
            // an idle app does not wake up).
            let give_up_at = keyboard.give_up_at();
            tokio::select! {
                chunk = input.recv() => match chunk {
                    Some(Ok(chunk)) => {
                        keyboard.read(chunk);
                        continue;
                    }
                    // End of input or an input error: the terminal is gone. Never spin on it.
                    Some(Err(e)) => return Err(io_error(e)),
                    None => return Ok(()),
                },
                _ = tokio::time::sleep_until(give_up_at.unwrap_or(last_input)),
                    if give_up_at.is_some() =>
                {
                    // Bytes read in time but not yet taken (this turn came late) go first.
                    match input.try_recv() {
                        Ok(Ok(chunk)) => keyboard.read(chunk),
                        Ok(Err(e)) => return Err(io_error(e)),
                        Err(_) => keyboard.give_up(),
                    }
                    continue;
                }
                signal = signals.recv() => match signal {
                    Some(Signal::Resize(w, h)) => Event::Resize(w, h),
                    // Leave at once, terminal restored; every sale in flight is in the journal
                    // and is followed on (by the service, or at the next start).
                    Some(Signal::Hangup) => return Ok(()),
                    // The same as Ctrl-C, but from `kill`: nothing in a kiosk.
                    Some(Signal::Interrupt) if kiosk => continue,
                    Some(Signal::Interrupt) => return Ok(()),
                    // No stopped session.
                    Some(Signal::Stop) => continue,
                    // Nobody sends them any more (`run` is leaving).
                    None => return Ok(()),
                },
                Some(event) = rx.recv() => event,
                link_event = link_events.recv() => match link_event {
                    Ok(e) => Event::Link(e),
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        Event::Link(LinkEvent::Engine(crate::engine::EngineEvent::JournalChanged))
                    }
                    Err(_) => continue,
                },
                _ = async { ticker.as_mut()?.tick().await; Some(()) }, if ticker.is_some() => {
                    Event::Tick(now_ms())
                }
                _ = tokio::time::sleep_until(last_input + idle_lock), if idle_armed => Event::Idle,
            }
        };
        if matches!(event, Event::Idle) {
            // Whatever happens next, the timer starts again from now.
            last_input = Instant::now();
        }
        if matches!(event, Event::Key(_)) {
            // A key may ask for "today" or "yesterday" (the journal's periods): the app's
            // clock is otherwise only moved by the countdown's ticks.
            app.now = now_ms();
        }
        let effects = app::update(&mut app, event);
        for effect in effects {
            execute(effect, app.lang, &link, &tx, &coalesce);
        }
    }
}

/// The terminal's bytes become events here: the parser, and the clock its unfinished
/// sequences are given up by.
#[derive(Default)]
struct Keyboard {
    parser: input::Parser,
    /// What the reads so far completed, handed to the app one per turn.
    events: VecDeque<TermEvent>,
    /// When the last bytes were read (by the reader thread's clock).
    last_read: Option<Instant>,
}

impl Keyboard {
    fn read(&mut self, chunk: Chunk) {
        let at = Instant::from_std(chunk.at);
        // Bytes read after the timeout: what was held is given up first, even if the UI
        // task is late and the timer did not get its turn.
        if self.give_up_at().is_some_and(|deadline| at >= deadline) {
            self.give_up();
        }
        self.last_read = Some(at);
        self.events.extend(self.parser.feed(&chunk.bytes));
    }

    /// When the unfinished sequence held is given up; `None` when none is.
    fn give_up_at(&self) -> Option<Instant> {
        self.last_read
            .filter(|_| self.parser.is_pending())
            .map(|at| at + self.parser.timeout())
    }

    fn give_up(&mut self) {
        self.events.extend(self.parser.flush());
        // A paste given up once is resumed (`input::PASTE_TIMEOUT`): its next timeout
        // counts from now.
        if self.parser.is_pending() {
            self.last_read = Some(Instant::now());
        }
    }
}

#[cfg(test)]
mod tests;
