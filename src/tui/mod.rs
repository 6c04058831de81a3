//! The cashier's terminal app. `caisse` with no subcommand opens it.
//!
//! Layers (design.md §2): terminal events, engine events and task results become
//! [`app::Event`]s; the pure [`app::update`] returns [`app::Effect`]s, which run here as
//! tasks (never on this loop: HTTP and SQLite stay off the UI task); [`ui::draw`] renders the
//! state, only when something visible changed.

pub mod app;
pub mod catalog;
pub use crate::i18n;

mod effects;
pub mod input;
pub mod message;
mod reader;
pub mod screens;
pub mod theme;
pub mod ui;
pub mod widgets;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{Event as TermEvent, KeyCode, KeyEventKind, KeyModifiers};
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

use crate::exit::{ExitCode, Failure};
use crate::session::{Link, LinkEvent};
use app::{App, Event};
use effects::{Coalesce, execute};
use theme::{ColorMode, Theme};

fn unix_signal(
    kind: tokio::signal::unix::SignalKind,
) -> std::io::Result<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(kind)
}

fn now_ms() -> i64 {
    crate::gateway::intech::signing::now_ms()
}

/// How the app was asked to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub config: Option<PathBuf>,
    /// Kiosk mode: Ctrl-C and friends do nothing, leaving needs a supervisor's PIN.
    pub kiosk: bool,
    /// `caisse serve`'s socket: the app then reads no configuration and no secret at all.
    pub socket: Option<PathBuf>,
}

/// The idle lock's delay when nothing sets it.
const DEFAULT_IDLE_LOCK: Duration = Duration::from_secs(5 * 60);

fn config_failure(message: String) -> Failure {
    Failure {
        message,
        code: ExitCode::Config,
    }
}

/// Runs the app until the cashier quits (or the terminal goes away).
pub async fn run(options: Options) -> Result<(), Failure> {
    let terminal_name = crate::wiring::terminal_name();
    // With a socket, nothing is read but the environment: the service holds the keys.
    let socket = options
        .socket
        .clone()
        .or_else(crate::config::environment::socket);
    // A configuration may name the socket too (read before anything else is started); its
    // `[kiosk]` settings then apply to this terminal.
    let (socket, from_config) = match socket {
        Some(s) => (Some(s), None),
        None => {
            let config = crate::config::load(&crate::config::Sources::from_process(
                options.config.as_deref(),
            ))?;
            (config.socket.clone(), Some(config))
        }
    };
    let mut tasks = Vec::new();
    let mut _context = None;
    let (link, lang, kiosk, idle_lock) = match socket {
        Some(path) => {
            let lang = i18n::Lang::from(crate::config::environment::language());
            let idle = crate::config::environment::idle_lock()
                .or(from_config.as_ref().and_then(|c| c.kiosk.idle_lock));
            let kiosk = options.kiosk || from_config.is_some_and(|c| c.kiosk.enabled);
            (Link::remote(path, terminal_name.clone()), lang, kiosk, idle)
        }
        None => {
            let context = crate::wiring::connect(options.config.as_deref()).await?;
            let running = crate::wiring::start(&context, false).await?;
            let kiosk = options.kiosk || context.config.kiosk.enabled;
            // A kiosk always asks for a PIN; a single counter without accounts does not.
            let hub = running.hub(&context, !kiosk);
            let lang = i18n::Lang::from(context.config.language);
            let idle = context.config.kiosk.idle_lock;
            _context = Some((context, running));
            (Link::local(hub), lang, kiosk, idle)
        }
    };
    let idle_lock = idle_lock.unwrap_or(DEFAULT_IDLE_LOCK);
    let link_events = link.subscribe();
    tasks.push(link.start(terminal_name));

    let theme = Theme::new(ColorMode::detect(&crate::config::environment::colour)).with_lang(lang);
    let mut terminal =
        ratatui::try_init().map_err(|e| config_failure(format!("terminal inutilisable : {e}")))?;
    let result = event_loop(&mut terminal, link, link_events, theme, kiosk, idle_lock).await;
    ratatui::restore();
    for t in tasks {
        t.abort();
    }
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    link: Link,
    mut link_events: broadcast::Receiver<LinkEvent>,
    theme: Theme,
    kiosk: bool,
    idle_lock: Duration,
) -> Result<(), Failure> {
    let io_error = |e: std::io::Error| config_failure(format!("terminal : {e}"));
    let mut app = App::new(false, now_ms());
    app.lang = theme.lang;
    // The service may ask for kiosk mode too (`Welcome`): then `app.gate.kiosk` turns on.
    app.gate.kiosk = kiosk;
    app.screen = app::Screen::Connecting;
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let coalesce = Coalesce::default();
    // The terminal's bytes, parsed here rather than by crossterm's reader, which could wait
    // forever on an escape sequence it did not know (issue 9, C7; see `input.rs`).
    let mut input = reader::spawn().map_err(io_error)?;
    let mut keyboard = Keyboard::default();
    // Resizes came from crossterm's reader too (SIGWINCH).
    let mut window_change =
        unix_signal(tokio::signal::unix::SignalKind::window_change()).map_err(io_error)?;
    let size = terminal.size().map_err(io_error)?;
    app::update(&mut app, Event::Resize(size.width, size.height));
    // The SSH connection dropping (SIGHUP) or the service manager (SIGTERM): leave at once,
    // terminal restored; every sale in flight is in the journal and is followed on (by the
    // service, or at the next start).
    let mut hangup = unix_signal(tokio::signal::unix::SignalKind::hangup()).map_err(io_error)?;
    let mut terminate =
        unix_signal(tokio::signal::unix::SignalKind::terminate()).map_err(io_error)?;
    // Ctrl-C, Ctrl-\ and Ctrl-Z arrive as keys in raw mode; the same signals sent by `kill`
    // end the app cleanly, except in a kiosk where they do nothing (no stopped session).
    let mut interrupt =
        unix_signal(tokio::signal::unix::SignalKind::interrupt()).map_err(io_error)?;
    let mut quit_signal = unix_signal(tokio::signal::unix::SignalKind::quit()).map_err(io_error)?;
    let mut stop =
        unix_signal(tokio::signal::unix::SignalKind::from_raw(libc::SIGTSTP)).map_err(io_error)?;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_input = Instant::now();
    loop {
        // A burst (a paste, keys typed while the app was busy) is drawn once, at its end.
        if app.dirty && keyboard.events.is_empty() {
            draw(terminal, &app, theme).map_err(io_error)?;
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
        let event = if let Some(term) = keyboard.events.pop_front() {
            match term {
                TermEvent::Key(key) if key.kind != KeyEventKind::Release => {
                    last_input = Instant::now();
                    if crate::engine::failpoint::armed("ui_panic") {
                        panic!("failpoint ui_panic");
                    }
                    if key.modifiers.contains(KeyModifiers::CONTROL) {
                        match key.code {
                            KeyCode::Char('c') if !kiosk => return Ok(()),
                            // Every other control key is nobody's business (Ctrl-Z, Ctrl-\…).
                            KeyCode::Char(_) => continue,
                            _ => {}
                        }
                    }
                    Event::Key(key)
                }
                // Pastes: bracketed paste is not turned on yet.
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
                _ = window_change.recv() => match crossterm::terminal::size() {
                    Ok((w, h)) => Event::Resize(w, h),
                    Err(_) => continue,
                },
                Some(event) = rx.recv() => event,
                link_event = link_events.recv() => match link_event {
                    Ok(e) => Event::Link(e),
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        Event::Link(LinkEvent::Engine(crate::engine::EngineEvent::JournalChanged))
                    }
                    Err(_) => continue,
                },
                _ = tick.tick(), if app.needs_tick() => Event::Tick(now_ms()),
                _ = tokio::time::sleep_until(last_input + idle_lock), if idle_armed => Event::Idle,
                _ = hangup.recv() => return Ok(()),
                _ = terminate.recv() => return Ok(()),
                _ = interrupt.recv() => if kiosk { continue } else { return Ok(()) },
                _ = quit_signal.recv() => if kiosk { continue } else { return Ok(()) },
                _ = stop.recv() => continue,
            }
        };
        if matches!(event, Event::Idle) {
            // Whatever happens next, the timer starts again from now.
            last_input = Instant::now();
        }
        let effects = app::update(&mut app, event);
        for effect in effects {
            execute(effect, &link, &tx, &coalesce);
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
    fn read(&mut self, chunk: reader::Chunk) {
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
            .map(|at| at + input::SEQUENCE_TIMEOUT)
    }

    fn give_up(&mut self) {
        self.events.extend(self.parser.flush());
    }
}

/// One frame, wrapped in a synchronized update so that SSH clients paint it at once.
fn draw(terminal: &mut ratatui::DefaultTerminal, app: &App, theme: Theme) -> std::io::Result<()> {
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::BeginSynchronizedUpdate
    )?;
    terminal.draw(|frame| ui::draw(frame, app, theme))?;
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::EndSynchronizedUpdate
    )
}
