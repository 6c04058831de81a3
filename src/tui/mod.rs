//! The cashier's terminal app. `caisse` with no subcommand opens it.
//!
//! Layers (design.md §2): terminal events, engine events and task results become
//! [`app::Event`]s; the pure [`app::update`] returns [`app::Effect`]s, which run here as
//! tasks (never on this loop: HTTP and SQLite stay off the UI task); [`ui::draw`] renders the
//! state, only when something visible changed.

pub mod app;
pub mod catalog;
pub use crate::i18n;

pub mod icon;
pub mod theme;
pub mod ui;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream, KeyCode, KeyEventKind, KeyModifiers};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::cli::context::Context;
use crate::cli::{ExitCode, Failure};
use crate::engine::{Engine, serve_callbacks};
use app::{App, Effect, Event};
use theme::{ColorMode, Theme};

fn unix_signal(
    kind: tokio::signal::unix::SignalKind,
) -> std::io::Result<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(kind)
}

fn now_ms() -> i64 {
    crate::gateway::intech::signing::now_ms()
}

/// Runs the app until the cashier quits (or the terminal goes away).
pub async fn run(config_path: Option<&Path>) -> Result<(), Failure> {
    let context = crate::cli::context::connect(config_path).await?;
    let engine = context.engine()?;
    engine.resume(false).await.map_err(|e| Failure {
        message: e.to_string(),
        code: ExitCode::Config,
    })?;
    let mut tasks = vec![
        tokio::spawn(engine.clone().run_poller()),
        tokio::spawn(engine.clone().run_watcher(context.journal_path.clone())),
    ];
    if let Some(listen) = context.config.callback_listen {
        let (_, task) = serve_callbacks(engine.clone(), listen)
            .await
            .map_err(|e| Failure {
                message: format!("écoute des callbacks impossible sur {listen} : {e}"),
                code: ExitCode::Config,
            })?;
        tasks.push(task);
    }
    let lang = i18n::Lang::from(context.config.language);
    let theme = Theme::new(ColorMode::detect(&|k| std::env::var(k).ok())).with_lang(lang);
    let mut terminal = ratatui::try_init().map_err(|e| Failure {
        message: format!("terminal inutilisable : {e}"),
        code: ExitCode::Config,
    })?;
    let result = event_loop(&mut terminal, &context, engine, theme).await;
    ratatui::restore();
    for t in tasks {
        t.abort();
    }
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    context: &Context,
    engine: Arc<Engine>,
    theme: Theme,
) -> Result<(), Failure> {
    let io_error = |e: std::io::Error| Failure {
        message: format!("terminal : {e}"),
        code: ExitCode::Config,
    };
    let mut app = App::new(context.is_demo(), now_ms());
    app.lang = theme.lang;
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let mut engine_events = engine.subscribe();
    let mut input = EventStream::new();
    let size = terminal.size().map_err(io_error)?;
    app::update(&mut app, Event::Resize(size.width, size.height));
    for effect in app.start() {
        execute(effect, context, &engine, &tx);
    }
    // The SSH connection dropping (SIGHUP) or the service manager (SIGTERM): leave at once,
    // terminal restored; every sale in flight is in the journal and is followed again at
    // the next start.
    let mut hangup = unix_signal(tokio::signal::unix::SignalKind::hangup()).map_err(io_error)?;
    let mut terminate =
        unix_signal(tokio::signal::unix::SignalKind::terminate()).map_err(io_error)?;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        if app.dirty {
            draw(terminal, &app, theme).map_err(io_error)?;
            app.dirty = false;
        }
        if app.quit {
            return Ok(());
        }
        let event = tokio::select! {
            term = input.next() => match term {
                Some(Ok(TermEvent::Key(key))) if key.kind != KeyEventKind::Release => {
                    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
                        return Ok(());
                    }
                    Event::Key(key)
                }
                Some(Ok(TermEvent::Resize(w, h))) => Event::Resize(w, h),
                Some(Ok(_)) => continue,
                // End of input or an input error: the terminal is gone. Never spin on it.
                Some(Err(e)) => return Err(io_error(e)),
                None => return Ok(()),
            },
            Some(event) = rx.recv() => event,
            engine_event = engine_events.recv() => match engine_event {
                Ok(e) => Event::Engine(e),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => Event::Engine(crate::engine::EngineEvent::JournalChanged),
                Err(_) => continue,
            },
            _ = tick.tick(), if app.needs_tick() => Event::Tick(now_ms()),
            _ = hangup.recv() => return Ok(()),
            _ = terminate.recv() => return Ok(()),
        };
        let effects = app::update(&mut app, event);
        for effect in effects {
            execute(effect, context, &engine, &tx);
        }
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

fn money(amount: Option<i64>) -> String {
    amount.map(crate::money::fcfa).unwrap_or_else(|| "-".into())
}

fn start_of_today() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    now.replace_time(time::Time::MIDNIGHT).unix_timestamp() * 1000
}

/// Runs an effect as a task; its result comes back as an event.
fn execute(
    effect: Effect,
    context: &Context,
    engine: &Arc<Engine>,
    tx: &mpsc::UnboundedSender<Event>,
) {
    let engine = engine.clone();
    let tx = tx.clone();
    let intech = context.gateways.intech.clone();
    match effect {
        Effect::Quit => {}
        Effect::Bell => {
            let mut out = std::io::stdout();
            let _ = out.write_all(b"\x07");
            let _ = out.flush();
        }
        Effect::FetchBalance => {
            tokio::spawn(async move {
                let result = match intech {
                    Some(c) => c
                        .balance()
                        .await
                        .map(|b| b.balance)
                        .map_err(|e| e.french_message(None)),
                    None => Err("Intech non configuré".into()),
                };
                let _ = tx.send(Event::Balance(result));
            });
        }
        Effect::FetchBills { service, account } => {
            tokio::spawn(async move {
                let result = match intech {
                    Some(c) => c
                        .pending_bills(&service, &account)
                        .await
                        .map_err(|e| e.french_message(None)),
                    None => Err("Intech non configuré".into()),
                };
                let _ = tx.send(Event::Bills(result));
            });
        }
        Effect::Pay { order, balance } => {
            tokio::spawn(async move {
                let result = engine
                    .pay(order, balance)
                    .await
                    .map(|o| o.row)
                    .map_err(|e| e.to_string());
                let _ = tx.send(Event::Paid(result));
            });
        }
        Effect::LoadRow(id) => {
            tokio::spawn(async move {
                if let Ok(Some(row)) = engine.get(&id).await {
                    let _ = tx.send(Event::Row(row));
                }
            });
        }
        Effect::Refresh(id) => {
            tokio::spawn(async move {
                match engine.refresh(&id).await {
                    Ok(Some(row)) => {
                        let _ = tx.send(Event::Row(row));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        let _ = tx.send(Event::ActionDone(Err(e.to_string())));
                    }
                }
            });
        }
        Effect::LoadJournal => {
            let since = start_of_today();
            tokio::spawn(async move {
                if let Ok(rows) = engine.journal(move |j| j.list_since(since, 5_000)).await {
                    let _ = tx.send(Event::Rows(rows));
                }
            });
        }
        Effect::LoadEvents(id) => {
            tokio::spawn(async move {
                let key = id.clone();
                if let Ok(events) = engine.journal(move |j| j.events(&key)).await {
                    let _ = tx.send(Event::Events(id, events));
                }
            });
        }
        Effect::CountPending => {
            tokio::spawn(async move {
                if let Ok(rows) = engine.journal(|j| j.unsettled()).await {
                    let _ = tx.send(Event::PendingCount(rows.len()));
                }
            });
        }
        Effect::Refund(id) => {
            tokio::spawn(async move {
                let result = engine.refund(&id).await.map_err(|e| e.to_string());
                let _ = tx.send(Event::ActionDone(result));
            });
        }
        Effect::MoneyGramReception(reference) => {
            tokio::spawn(async move {
                let result = match intech {
                    Some(c) => c
                        .moneygram_reception_info(&reference)
                        .await
                        .map(|r| {
                            let status = match r.transaction_status.as_deref() {
                                Some("AVAIL") => "disponible".to_owned(),
                                Some("RECVD") => "déjà payé".to_owned(),
                                Some(other) => other.to_owned(),
                                None => "-".to_owned(),
                            };
                            let pickup = if r.ok_for_pickup == Some(true) {
                                "autorisée"
                            } else {
                                "NON autorisée"
                            };
                            vec![
                                ("Expéditeur".to_owned(), r.sender_name),
                                ("Bénéficiaire".to_owned(), r.receiver_name),
                                ("Montant à remettre".to_owned(), money(r.receive_amount)),
                                ("Statut".to_owned(), status),
                                ("Remise au guichet".to_owned(), pickup.to_owned()),
                            ]
                        })
                        .map_err(|e| e.french_message(None)),
                    None => Err("Intech non configuré".to_owned()),
                };
                let _ = tx.send(Event::MoneyGram(result));
            });
        }
        Effect::MoneyGramFees {
            amount,
            sender,
            receiver,
        } => {
            tokio::spawn(async move {
                let data = serde_json::json!({
                    "senderDetails": {"senderFirstName": sender.0, "senderLastName": sender.1},
                    "receiverDetails": {"receiverFirstName": receiver.0, "receiverLastName": receiver.1},
                });
                let result = match intech {
                    Some(c) => c
                        .moneygram_send_info(amount, &data)
                        .await
                        .map(|f| {
                            vec![
                                ("Montant envoyé".to_owned(), money(f.send_amount)),
                                ("Frais".to_owned(), money(f.total_send_fees)),
                                (
                                    "Total à encaisser".to_owned(),
                                    money(f.total_amount_to_collect),
                                ),
                                ("Montant reçu".to_owned(), money(f.receive_amount)),
                            ]
                        })
                        .map_err(|e| e.french_message(None)),
                    None => Err("Intech non configuré".to_owned()),
                };
                let _ = tx.send(Event::MoneyGram(result));
            });
        }
        Effect::Claim {
            external_id,
            subject,
            message,
        } => {
            tokio::spawn(async move {
                let result = engine
                    .claim(&external_id, &subject, &message)
                    .await
                    .map_err(|e| e.to_string());
                let _ = tx.send(Event::ActionDone(result));
            });
        }
    }
}
