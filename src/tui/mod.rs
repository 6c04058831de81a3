//! The cashier's terminal app. `caisse` with no subcommand opens it.
//!
//! Layers (design.md §2): terminal events, engine events and task results become
//! [`app::Event`]s; the pure [`app::update`] returns [`app::Effect`]s, which run as tasks
//! (`effects.rs`: never on the loop, HTTP and SQLite stay off the UI task); [`ui::draw`]
//! renders the state, only when something visible changed. The loop (`event_loop.rs`) is
//! generic over the ratatui backend; `run` gives it the real terminal, its bytes and the
//! signals.

pub mod app;
pub mod catalog;
pub use crate::i18n;

pub mod backend;
mod effects;
mod event_loop;
pub mod input;
pub mod message;
mod reader;
pub mod screens;
pub mod theme;
pub mod ui;
pub mod widgets;

use std::path::PathBuf;
use std::time::Duration;

use tokio::signal::unix::SignalKind;
use tokio::sync::mpsc;

use crate::exit::{ExitCode, Failure};
use crate::session::Link;
use event_loop::{Inputs, Settings, Signal, event_loop};
use theme::{ColorMode, Theme};

fn unix_signal(
    kind: tokio::signal::unix::SignalKind,
) -> std::io::Result<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(kind)
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
            let context = crate::wiring::connect_lasting(options.config.as_deref()).await?;
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
    let io_error = |e: std::io::Error| config_failure(format!("terminal : {e}"));
    let signals = forward_signals().map_err(io_error)?;
    tasks.push(signals.1);
    let mut terminal =
        init_terminal().map_err(|e| config_failure(format!("terminal inutilisable : {e}")))?;
    // Pasted text comes marked, so that its newlines never act as Enter (`screens::paste`).
    // Turned off again on the way out, a panic included (the hook ratatui set runs after).
    if let Err(e) = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste) {
        restore();
        return Err(io_error(e));
    }
    let restore_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
        restore_hook(info);
    }));
    let result = match reader::spawn() {
        Ok(bytes) => {
            let inputs = Inputs {
                bytes,
                signals: signals.0,
            };
            let settings = Settings {
                theme,
                kiosk,
                idle_lock,
            };
            event_loop(&mut terminal, inputs, link, link_events, settings).await
        }
        Err(e) => Err(io_error(e)),
    };
    let _ = terminal.backend_mut().leave();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    restore();
    for t in tasks {
        t.abort();
    }
    result
}

/// The real terminal: raw mode, the alternate screen, and the lean backend
/// (`backend.rs`). ratatui's panic hook restores it on a panic, as `ratatui::try_init` would.
fn init_terminal() -> std::io::Result<ratatui::Terminal<backend::LeanBackend<std::io::Stdout>>> {
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        hook(info);
    }));
    ratatui::Terminal::new(backend::LeanBackend::new(std::io::stdout(), backend::Tty))
}

/// Puts the terminal back (raw mode off, the main screen). `ratatui::restore` would report a
/// failure with `eprintln!`, which panics, hence aborts, when the terminal is gone (an SSH
/// link that dropped): a failure here is nobody's business.
fn restore() {
    let _ = ratatui::try_restore();
}

/// The signals the loop hears, as [`Signal`]s: SIGWINCH (with the new size), SIGHUP and
/// SIGTERM, SIGINT and SIGQUIT (sent by `kill`: in raw mode, Ctrl-C and Ctrl-\ are keys),
/// SIGTSTP.
fn forward_signals()
-> std::io::Result<(mpsc::UnboundedReceiver<Signal>, tokio::task::JoinHandle<()>)> {
    let mut window_change = unix_signal(SignalKind::window_change())?;
    let mut hangup = unix_signal(SignalKind::hangup())?;
    let mut terminate = unix_signal(SignalKind::terminate())?;
    let mut interrupt = unix_signal(SignalKind::interrupt())?;
    let mut quit = unix_signal(SignalKind::quit())?;
    let mut stop = unix_signal(SignalKind::from_raw(libc::SIGTSTP))?;
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        loop {
            let signal = tokio::select! {
                _ = window_change.recv() => match crossterm::terminal::size() {
                    Ok((w, h)) => Signal::Resize(w, h),
                    Err(_) => continue,
                },
                _ = hangup.recv() => Signal::Hangup,
                _ = terminate.recv() => Signal::Hangup,
                _ = interrupt.recv() => Signal::Interrupt,
                _ = quit.recv() => Signal::Interrupt,
                _ = stop.recv() => Signal::Stop,
            };
            if tx.send(signal).is_err() {
                return;
            }
        }
    });
    Ok((rx, task))
}
