//! The service side of a session: who is logged in at this terminal and what they may do.
//! One [`Hub`] per process (the engine, the gateways, the kiosk settings, login tokens),
//! one [`Session`] per connected terminal. The in-process app uses the same code without a
//! socket, so both shapes enforce the same rules.
//!
//! Rules: nothing but the login before a login; the account is re-read at every request
//! (a disabled cashier stops at once); a cashier sees and acts on their own sales only, a
//! supervisor on everyone's; wrong PINs count in the journal per (name, calling Unix user)
//! (a supervisor's PIN guessed from a cashier's seat counts against that cashier, for that
//! Unix user), so that no Unix user can lock out another's logins; and refusals per Unix
//! user are rate-limited so that they cannot flood the journal.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use super::problem::Problem;
use super::protocol::{LoginNeed, Request, Response, Welcome};
use crate::config::KioskSettings;
use crate::domain::TxStatus;
use crate::engine::{Actor, Engine, Repeat};
use crate::journal::TransactionRow;
use crate::staff::{self, Cashier, Role};

mod requests;

/// Sales a journal screen lists at most.
const JOURNAL_LIMIT: usize = 5_000;
/// Operations per piece of an export sent over the socket (a few hundred kB).
const EXPORT_PIECE: u32 = 1_000;
/// A login token lasts a working day: a terminal that reconnects later logs in again.
const TOKEN_TTL_MS: i64 = 12 * 3600 * 1000;
/// Refused logins per Unix user and minute before the service stops listening to it.
const REFUSALS_PER_MINUTE: u32 = 10;

struct Token {
    uid: u32,
    cashier: Cashier,
    expires_at: i64,
}

pub struct Hub {
    pub engine: Arc<Engine>,
    demo: bool,
    kiosk: KioskSettings,
    /// `[shop] low_balance`, handed to every counter in its welcome.
    low_balance: Option<i64>,
    /// In-process only: with no cashier accounts, the Unix user runs the counter alone.
    open_counter: bool,
    /// Login tokens (in memory: a restart of the service asks for PINs again).
    tokens: Mutex<HashMap<String, Token>>,
    /// Refused logins per Unix user: (count, start of the minute).
    refusals: Mutex<HashMap<u32, (u32, i64)>>,
    /// PIN checks, one at a time, on a journal connection of their own: an argon2 check
    /// (about 20 MiB, tens of ms) never holds up the engine's journal, and a burst of
    /// logins costs one check's memory, not one per login.
    pins: Arc<tokio::sync::Mutex<Option<crate::journal::Journal>>>,
}

impl Hub {
    pub fn new(
        engine: Arc<Engine>,
        demo: bool,
        kiosk: KioskSettings,
        low_balance: Option<i64>,
        open_counter: bool,
    ) -> Arc<Hub> {
        Arc::new(Hub {
            engine,
            demo,
            kiosk,
            low_balance,
            open_counter,
            tokens: Mutex::new(HashMap::new()),
            refusals: Mutex::new(HashMap::new()),
            pins: Arc::new(tokio::sync::Mutex::new(None)),
        })
    }

    /// Runs a PIN check on the PIN connection (opened at the first one), off the async
    /// workers. Checks are serialised: the lock-out count cannot be outrun.
    async fn pin_call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut crate::journal::Journal) -> Result<T, crate::journal::JournalError>
        + Send
        + 'static,
    ) -> Result<T, crate::journal::JournalError> {
        let path = self.engine.journal_path().await;
        let mut slot = self.pins.clone().lock_owned().await;
        tokio::task::spawn_blocking(move || {
            if slot.is_none() {
                *slot = Some(crate::journal::Journal::open(&path)?);
                staff::warm_up();
            }
            match slot.as_mut() {
                Some(journal) => f(journal),
                None => unreachable!("opened above"),
            }
        })
        .await
        .unwrap_or_else(|e| {
            Err(crate::journal::JournalError::Open {
                path: Default::default(),
                reason: e.to_string(),
            })
        })
    }

    pub fn is_demo(&self) -> bool {
        self.demo
    }

    /// Counts a refused login of `uid`; false when it is over its allowance this minute.
    fn refusal_allowed(&self, uid: u32, now: i64, count: bool) -> bool {
        let mut map = lock(&self.refusals);
        let entry = map.entry(uid).or_insert((0, now));
        if now - entry.1 >= 60_000 {
            *entry = (0, now);
        }
        if count {
            entry.0 += 1;
        }
        entry.0 <= REFUSALS_PER_MINUTE
    }
}

/// The Unix user on the other end (peer credentials, or this process in-process).
#[derive(Debug, Clone)]
pub struct Peer {
    pub uid: u32,
    pub user: String,
}

pub struct Session {
    hub: Arc<Hub>,
    peer: Peer,
    terminal: Mutex<String>,
    hello_done: AtomicBool,
    cashier: Mutex<Option<Cashier>>,
    /// This session acts as the Unix user of a counter without accounts (no PIN).
    open: AtomicBool,
    /// This session's own login token.
    token: Mutex<Option<String>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A terminal name as recorded: printable, at most 64 characters.
fn clean_terminal(t: &str) -> String {
    let s: String = t.chars().filter(|c| !c.is_control()).take(64).collect();
    if s.is_empty() { "?".into() } else { s }
}

fn denied_login() -> Response {
    Response::Denied(Problem::NotLoggedIn)
}

fn journal_problem(e: crate::journal::JournalError) -> Problem {
    Problem::Journal {
        message: e.to_string(),
    }
}

fn not_yours() -> Response {
    Response::Denied(Problem::NotYours)
}

impl Session {
    pub fn new(hub: Arc<Hub>, peer: Peer) -> Session {
        Session {
            hub,
            peer,
            terminal: Mutex::new("?".into()),
            hello_done: AtomicBool::new(false),
            cashier: Mutex::new(None),
            open: AtomicBool::new(false),
            token: Mutex::new(None),
        }
    }

    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    pub fn cashier(&self) -> Option<Cashier> {
        lock(&self.cashier).clone()
    }

    fn actor(&self, cashier: &Cashier) -> Actor {
        Actor {
            cashier: cashier.name.clone(),
            terminal: lock(&self.terminal).clone(),
        }
    }

    fn mapped(&self) -> Option<String> {
        self.hub.kiosk.users.get(&self.peer.user).cloned()
    }

    fn welcome(&self, login: LoginNeed) -> Response {
        Response::Welcome(Welcome {
            demo: self.hub.demo,
            login,
            idle_lock_secs: self.hub.kiosk.idle_lock.map(|d| d.as_secs()),
            kiosk: self.hub.kiosk.enabled,
            low_balance: self.hub.low_balance,
        })
    }

    fn log_in(&self, cashier: Cashier, now: i64) -> Response {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let mut tokens = lock(&self.hub.tokens);
        tokens.retain(|_, t| t.expires_at > now);
        if let Some(old) = lock(&self.token).replace(token.clone()) {
            tokens.remove(&old);
        }
        tokens.insert(
            token.clone(),
            Token {
                uid: self.peer.uid,
                cashier: cashier.clone(),
                expires_at: now + TOKEN_TTL_MS,
            },
        );
        *lock(&self.cashier) = Some(cashier.clone());
        Response::LoggedIn { cashier, token }
    }

    fn log_out(&self) {
        lock(&self.cashier).take();
        if let Some(token) = lock(&self.token).take() {
            lock(&self.hub.tokens).remove(&token);
        }
    }

    /// Answers one request. Every request but the login ones needs a logged-in cashier.
    pub async fn handle(&self, request: Request) -> Response {
        let engine = self.hub.engine.clone();
        let now = engine.now();
        match request {
            Request::Hello { terminal } => {
                // Once per connection: the terminal a session records cannot change later.
                if self.hello_done.swap(true, Ordering::SeqCst) {
                    return Response::Error(Problem::AlreadyLoggedIn);
                }
                *lock(&self.terminal) = clean_terminal(&terminal);
                let open = match engine.journal(|j| j.has_active_cashiers()).await {
                    Ok(any) => self.hub.open_counter && !any,
                    Err(e) => return Response::Error(journal_problem(e)),
                };
                let login = if open {
                    let me = Cashier {
                        name: self.peer.user.clone(),
                        role: Role::Supervisor,
                    };
                    self.open.store(true, Ordering::SeqCst);
                    *lock(&self.cashier) = Some(me.clone());
                    LoginNeed::None(me)
                } else if let Some(name) = self.mapped() {
                    LoginNeed::Pin(name)
                } else {
                    LoginNeed::NameAndPin
                };
                return self.welcome(login);
            }
            Request::Login { name, pin } => return self.login(name, pin, now).await,
            Request::Resume { token } => {
                let found = lock(&self.hub.tokens)
                    .get(&token)
                    .filter(|t| t.uid == self.peer.uid && t.expires_at > now)
                    .map(|t| t.cashier.clone());
                let Some(cashier) = found else {
                    return Response::Denied(Problem::SessionExpired);
                };
                // The account may have been disabled meanwhile.
                if let Some(refusal) = self.refused_account(&cashier).await {
                    lock(&self.hub.tokens).remove(&token);
                    return refusal;
                }
                *lock(&self.token) = Some(token.clone());
                *lock(&self.cashier) = Some(cashier.clone());
                return Response::LoggedIn { cashier, token };
            }
            Request::Logout => {
                let me = self.cashier();
                self.log_out();
                if let Some(me) = me {
                    let by = self.actor(&me);
                    let _ = engine
                        .journal(move |j| {
                            j.record_actor_event(None, "logout", &json!({}), by.pair(), now)
                        })
                        .await;
                }
                return Response::Done;
            }
            _ => {}
        }
        let Some(me) = self.cashier() else {
            return denied_login();
        };
        if let Some(refusal) = self.refused_account(&me).await {
            self.log_out();
            return refusal;
        }
        self.handle_logged_in(request, me, now).await
    }

    /// `Some(refusal)` when `me`'s account is gone or disabled (checked at every request).
    async fn refused_account(&self, me: &Cashier) -> Option<Response> {
        if self.open.load(Ordering::SeqCst) {
            return None;
        }
        let name = me.name.clone();
        match self.hub.engine.journal(move |j| j.cashier(&name)).await {
            Ok(Some(record)) if !record.disabled => None,
            Ok(_) => Some(Response::Denied(Problem::Disabled)),
            Err(e) => Some(Response::Error(journal_problem(e))),
        }
    }

    async fn login(&self, name: Option<String>, pin: staff::Pin, now: i64) -> Response {
        let mapped = self.mapped();
        let Some(name) = mapped.clone().or(name) else {
            return Response::Denied(Problem::CashierNameMissing);
        };
        if !self.hub.refusal_allowed(self.peer.uid, now, false) {
            return Response::Denied(Problem::TooManyRefusals);
        }
        // Malformed input never reaches the journal (the same words whatever the name).
        if staff::check_name(&name).is_err() || staff::check_pin(pin.expose()).is_err() {
            self.hub.refusal_allowed(self.peer.uid, now, true);
            return Response::Denied(Problem::LoginRefused { left: None });
        }
        // A cashier mapped to a Unix user logs in from that user only: from anyone else it
        // is refused like an unknown name (same work, same count, same words: saying why
        // would tell that the name exists).
        let mapped_elsewhere = mapped.is_none()
            && self
                .hub
                .kiosk
                .users
                .values()
                .any(|c| c.eq_ignore_ascii_case(&name));
        let terminal = lock(&self.terminal).clone();
        let (uid, user) = (self.peer.uid, self.peer.user.clone());
        let result = self
            .hub
            .pin_call(move |j| {
                let caller = staff::Caller {
                    uid,
                    terminal: &terminal,
                };
                let r = if mapped_elsewhere {
                    Err(staff::refuse_login(j, &name, pin.expose(), caller, now))
                } else {
                    staff::login(j, &name, pin.expose(), caller, now)
                };
                if let Err(e) = &r {
                    // Who tried, from which Unix user, and the real reason, for the shop
                    // owner's audit (the journal is not the caller's to read).
                    let reason = if mapped_elsewhere {
                        "caissier rattaché à un autre utilisateur Unix".to_owned()
                    } else {
                        e.french()
                    };
                    j.record_actor_event(
                        None,
                        "login_refused",
                        &json!({"reason": reason, "unixUser": user, "uid": uid}),
                        (&name, &terminal),
                        now,
                    )?;
                }
                Ok(r)
            })
            .await;
        match result {
            Ok(Ok(cashier)) => self.log_in(cashier, now),
            Ok(Err(e)) => {
                self.hub.refusal_allowed(self.peer.uid, now, true);
                Response::Denied(e.into())
            }
            Err(e) => Response::Error(Problem::Journal {
                message: e.to_string(),
            }),
        }
    }

    /// The supervisor whose PIN this is, typed at `me`'s counter (wrong ones count
    /// against `me` from this Unix user, in the journal).
    async fn supervisor(
        &self,
        me: &Cashier,
        pin: staff::Pin,
        now: i64,
    ) -> Result<Cashier, Problem> {
        if self.open.load(Ordering::SeqCst) {
            // A counter without accounts has no supervisor to ask.
            return Ok(me.clone());
        }
        let terminal = lock(&self.terminal).clone();
        let requester = me.name.clone();
        let uid = self.peer.uid;
        self.hub
            .pin_call(move |j| {
                let caller = staff::Caller {
                    uid,
                    terminal: &terminal,
                };
                Ok(staff::supervisor_by_pin(
                    j,
                    &requester,
                    pin.expose(),
                    caller,
                    now,
                ))
            })
            .await
            .map_err(journal_problem)?
            .map_err(Problem::from)
    }

    /// Who gives money back (a refund, a MoneyGram reversal): `me` if a supervisor,
    /// else the supervisor whose PIN was typed at `me`'s counter.
    async fn refunder(
        &self,
        me: &Cashier,
        supervisor_pin: Option<staff::Pin>,
        now: i64,
    ) -> Result<Cashier, Response> {
        if me.is_supervisor() {
            return Ok(me.clone());
        }
        match supervisor_pin {
            Some(pin) => self
                .supervisor(me, pin, now)
                .await
                .map_err(Response::Denied),
            None => Err(Response::Denied(Problem::SupervisorPinNeeded)),
        }
    }

    /// The row, if `me` may see it: their own sale, or any for a supervisor.
    async fn own_row(&self, me: &Cashier, external_id: &str) -> Result<TransactionRow, Response> {
        match self.hub.engine.get(external_id).await {
            Ok(Some(row)) if me.is_supervisor() || row.cashier == me.name => Ok(row),
            Ok(Some(_)) => Err(not_yours()),
            Ok(None) => Err(Response::Error(Problem::OperationNotFound {
                id: external_id.to_owned(),
            })),
            Err(e) => Err(Response::Error(Problem::Journal {
                message: e.to_string(),
            })),
        }
    }
}

/// How long the app waits before locking an idle screen when nothing says otherwise.
pub const DEFAULT_IDLE_LOCK: Duration = Duration::from_secs(5 * 60);
