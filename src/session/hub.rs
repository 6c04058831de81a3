//! The service side of a session: who is logged in at this terminal and what they may do.
//! One [`Hub`] per process (the engine, the gateways, the Unix-user map, login tokens), one
//! [`Session`] per connected terminal. The in-process app uses the same code without a
//! socket, so both shapes enforce the same rules.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde_json::json;

use super::protocol::{LoginNeed, Request, Response, Welcome};
use crate::engine::{Actor, Engine};
use crate::gateway::intech::IntechClient;
use crate::staff::{self, Cashier, Role};

/// Sales a journal screen lists at most.
const JOURNAL_LIMIT: usize = 5_000;

pub struct Hub {
    pub engine: Arc<Engine>,
    intech: Option<Arc<IntechClient>>,
    demo: bool,
    /// Unix user → cashier name (`[kiosk.users]`).
    users: BTreeMap<String, String>,
    /// In-process only: with no cashier accounts, the Unix user runs the counter alone.
    open_counter: bool,
    /// Login tokens (in memory: a restart of the service asks for PINs again).
    tokens: Mutex<HashMap<String, (u32, Cashier)>>,
}

impl Hub {
    pub fn new(
        engine: Arc<Engine>,
        intech: Option<Arc<IntechClient>>,
        demo: bool,
        users: BTreeMap<String, String>,
        open_counter: bool,
    ) -> Arc<Hub> {
        Arc::new(Hub {
            engine,
            intech,
            demo,
            users,
            open_counter,
            tokens: Mutex::new(HashMap::new()),
        })
    }

    pub fn is_demo(&self) -> bool {
        self.demo
    }
}

/// The Unix user on the other end (peer credentials, or this process in-process).
#[derive(Debug, Clone)]
pub struct Peer {
    pub uid: u32,
    pub user: String,
}

/// Wrong supervisor PINs at one terminal before it stops asking for five minutes.
const SUPERVISOR_TRIES: u32 = 5;

pub struct Session {
    hub: Arc<Hub>,
    peer: Peer,
    terminal: Mutex<String>,
    cashier: Mutex<Option<Cashier>>,
    /// Wrong supervisor PINs in a row, and until when this terminal is refused.
    supervisor_misses: Mutex<(u32, i64)>,
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
    Response::Denied("connectez-vous d'abord (nom du caissier et code PIN)".into())
}

impl Session {
    pub fn new(hub: Arc<Hub>, peer: Peer) -> Session {
        Session {
            hub,
            peer,
            terminal: Mutex::new("?".into()),
            cashier: Mutex::new(None),
            supervisor_misses: Mutex::new((0, 0)),
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
        self.hub.users.get(&self.peer.user).cloned()
    }

    /// Answers one request. Every request but the login ones needs a logged-in cashier.
    pub async fn handle(&self, request: Request) -> Response {
        let engine = self.hub.engine.clone();
        let now = engine.now();
        match request {
            Request::Hello { terminal } => {
                *lock(&self.terminal) = clean_terminal(&terminal);
                let open = match engine.journal(|j| j.has_active_cashiers()).await {
                    Ok(any) => self.hub.open_counter && !any,
                    Err(e) => return Response::Error(e.to_string()),
                };
                let login = if open {
                    let me = Cashier {
                        name: self.peer.user.clone(),
                        role: Role::Supervisor,
                    };
                    *lock(&self.cashier) = Some(me.clone());
                    LoginNeed::None(me)
                } else if let Some(name) = self.mapped() {
                    LoginNeed::Pin(name)
                } else {
                    LoginNeed::NameAndPin
                };
                return Response::Welcome(Welcome {
                    demo: self.hub.demo,
                    login,
                });
            }
            Request::Login { name, pin } => return self.login(name, pin, now).await,
            Request::Resume { token } => {
                let found = lock(&self.hub.tokens).get(&token).cloned();
                return match found {
                    Some((uid, cashier)) if uid == self.peer.uid => {
                        *lock(&self.cashier) = Some(cashier.clone());
                        Response::LoggedIn { cashier, token }
                    }
                    _ => Response::Denied("session expirée : reconnectez-vous".into()),
                };
            }
            Request::Logout => {
                let me = lock(&self.cashier).take();
                if let Some(me) = me {
                    lock(&self.hub.tokens).retain(|_, (_, c)| c.name != me.name);
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
        self.handle_logged_in(request, me, now).await
    }

    async fn login(&self, name: Option<String>, pin: String, now: i64) -> Response {
        let Some(name) = self.mapped().or(name) else {
            return Response::Denied("nom du caissier manquant".into());
        };
        let terminal = lock(&self.terminal).clone();
        let user = self.peer.user.clone();
        let result = self
            .hub
            .engine
            .journal(move |j| {
                let r = staff::login(j, &name, &pin, &terminal, now);
                if let Err(e) = &r {
                    // Who tried, from which Unix user, for the shop owner's audit.
                    j.record_actor_event(
                        None,
                        "login_refused",
                        &json!({"reason": e.french(), "unixUser": user}),
                        (&name, &terminal),
                        now,
                    )?;
                }
                Ok(r)
            })
            .await;
        match result {
            Ok(Ok(cashier)) => {
                let token = uuid::Uuid::new_v4().simple().to_string();
                lock(&self.hub.tokens).insert(token.clone(), (self.peer.uid, cashier.clone()));
                *lock(&self.cashier) = Some(cashier.clone());
                Response::LoggedIn { cashier, token }
            }
            Ok(Err(e)) => Response::Denied(e.french()),
            Err(e) => Response::Error(e.to_string()),
        }
    }

    /// The supervisor whose PIN this is, with this terminal's own lock-out on wrong ones.
    async fn supervisor(&self, pin: String, now: i64) -> Result<Cashier, String> {
        {
            let misses = lock(&self.supervisor_misses);
            if misses.1 > now {
                return Err(format!(
                    "trop de codes superviseur faux : réessayez après {}",
                    staff::clock_time(misses.1)
                ));
            }
        }
        let terminal = lock(&self.terminal).clone();
        let found = self
            .hub
            .engine
            .journal(move |j| {
                Ok(staff::supervisor_by_pin(j, &pin, &terminal, now).map_err(|e| e.to_string()))
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r);
        let mut misses = lock(&self.supervisor_misses);
        match found {
            Ok(Some(s)) => {
                *misses = (0, 0);
                Ok(s)
            }
            Ok(None) => {
                misses.0 += 1;
                if misses.0 >= SUPERVISOR_TRIES {
                    *misses = (0, now + staff::LOCK_MS);
                }
                Err("code superviseur incorrect".into())
            }
            Err(e) => Err(e),
        }
    }

    async fn handle_logged_in(&self, request: Request, me: Cashier, now: i64) -> Response {
        let engine = self.hub.engine.clone();
        let err = |e: &dyn std::fmt::Display| Response::Error(e.to_string());
        match request {
            Request::Hello { .. }
            | Request::Login { .. }
            | Request::Resume { .. }
            | Request::Logout => Response::Error("déjà traité".into()),
            Request::Unlock { pin } => {
                let terminal = lock(&self.terminal).clone();
                let name = me.name.clone();
                match engine
                    .journal(move |j| Ok(staff::login(j, &name, &pin, &terminal, now)))
                    .await
                {
                    Ok(Ok(_)) => Response::Done,
                    Ok(Err(e)) => Response::Denied(e.french()),
                    Err(e) => err(&e),
                }
            }
            Request::Supervisor { pin } => match self.supervisor(pin, now).await {
                Ok(s) => {
                    let by = self.actor(&s);
                    let _ = engine
                        .journal(move |j| {
                            j.record_actor_event(None, "supervisor_pin", &json!({}), by.pair(), now)
                        })
                        .await;
                    Response::Supervisor(s)
                }
                Err(m) => Response::Denied(m),
            },
            Request::Balance => match &self.hub.intech {
                Some(c) => match c.balance().await {
                    Ok(b) => Response::Balance(b.balance),
                    Err(e) => Response::Error(e.french_message(None)),
                },
                None => Response::Error("Intech non configuré".into()),
            },
            Request::Bills { service, account } => match &self.hub.intech {
                Some(c) => match c.pending_bills(&service, &account).await {
                    Ok(b) => Response::Bills(b),
                    Err(e) => Response::Error(e.french_message(None)),
                },
                None => Response::Error("Intech non configuré".into()),
            },
            Request::Pay { order, balance } => {
                match engine.pay_as(order, balance, &self.actor(&me)).await {
                    Ok(outcome) => Response::Paid(outcome),
                    Err(e) => err(&e),
                }
            }
            Request::Get { external_id } => match engine.get(&external_id).await {
                Ok(row) => Response::Row(row),
                Err(e) => err(&e),
            },
            Request::Refresh { external_id } => match engine.refresh(&external_id).await {
                Ok(row) => Response::Row(row),
                Err(e) => err(&e),
            },
            Request::Journal { since } => {
                // A cashier sees their own sales; a supervisor, the whole shop's.
                let own = (!me.is_supervisor()).then(|| me.name.clone());
                match engine
                    .journal(move |j| {
                        let rows = j.list_since(since, JOURNAL_LIMIT)?;
                        Ok(match own {
                            Some(name) => rows.into_iter().filter(|r| r.cashier == name).collect(),
                            None => rows,
                        })
                    })
                    .await
                {
                    Ok(rows) => Response::Rows(rows),
                    Err(e) => err(&e),
                }
            }
            Request::Events { external_id } => {
                match engine.journal(move |j| j.events(&external_id)).await {
                    Ok(events) => Response::Events(events),
                    Err(e) => err(&e),
                }
            }
            Request::PendingCount => match engine.journal(|j| j.unsettled()).await {
                Ok(rows) => Response::Count(rows.len()),
                Err(e) => err(&e),
            },
            Request::Refund {
                external_id,
                supervisor_pin,
            } => {
                let by = if me.is_supervisor() {
                    me.clone()
                } else if let Some(pin) = supervisor_pin {
                    match self.supervisor(pin, now).await {
                        Ok(s) => s,
                        Err(m) => return Response::Denied(m),
                    }
                } else {
                    return Response::Denied(
                        "remboursement réservé au superviseur : son code PIN est demandé".into(),
                    );
                };
                match engine.refund(&external_id, &self.actor(&by)).await {
                    Ok(message) => Response::Message(message),
                    Err(e) => err(&e),
                }
            }
            Request::Claim {
                external_id,
                subject,
                message,
            } => match engine
                .claim(&external_id, &subject, &message, &self.actor(&me))
                .await
            {
                Ok(message) => Response::Message(message),
                Err(e) => err(&e),
            },
            Request::MoneyGramReception { reference } => match &self.hub.intech {
                Some(c) => match c.moneygram_reception_info(&reference).await {
                    Ok(r) => Response::Lines(super::moneygram::reception_lines(r)),
                    Err(e) => Response::Error(e.french_message(None)),
                },
                None => Response::Error("Intech non configuré".into()),
            },
            Request::MoneyGramFees {
                amount,
                sender,
                receiver,
            } => match &self.hub.intech {
                Some(c) => {
                    let data = super::moneygram::send_data(&sender, &receiver);
                    match c.moneygram_send_info(amount, &data).await {
                        Ok(f) => Response::Lines(super::moneygram::fee_lines(f)),
                        Err(e) => Response::Error(e.french_message(None)),
                    }
                }
                None => Response::Error("Intech non configuré".into()),
            },
            Request::Seen { external_id } => {
                match engine
                    .journal(move |j| j.mark_seen(&external_id, now))
                    .await
                {
                    Ok(()) => Response::Done,
                    Err(e) => err(&e),
                }
            }
            Request::Unseen => {
                let name = me.name.clone();
                match engine.journal(move |j| j.unseen_sale(&name)).await {
                    Ok(row) => Response::Row(row),
                    Err(e) => err(&e),
                }
            }
            Request::AddCashier { name, role, pin } => {
                if !me.is_supervisor() {
                    return Response::Denied("réservé au superviseur".into());
                }
                if let Err(m) = staff::check_name(&name).and(staff::check_pin(&pin)) {
                    return Response::Error(m);
                }
                let by = self.actor(&me);
                let hash = match tokio::task::spawn_blocking(move || staff::hash_pin(&pin)).await {
                    Ok(Ok(h)) => h,
                    Ok(Err(m)) => return Response::Error(m),
                    Err(e) => return err(&e),
                };
                match engine
                    .journal(move |j| j.add_cashier(&name, role.as_str(), &hash, by.pair(), now))
                    .await
                {
                    Ok(()) => Response::Done,
                    Err(e) => err(&e),
                }
            }
            Request::ListCashiers => {
                if !me.is_supervisor() {
                    return Response::Denied("réservé au superviseur".into());
                }
                match engine.journal(|j| j.cashiers()).await {
                    Ok(list) => Response::Cashiers(list),
                    Err(e) => err(&e),
                }
            }
            Request::DisableCashier { name } => {
                if !me.is_supervisor() {
                    return Response::Denied("réservé au superviseur".into());
                }
                let by = self.actor(&me);
                match engine
                    .journal(move |j| j.disable_cashier(&name, by.pair(), now))
                    .await
                {
                    Ok(true) => Response::Done,
                    Ok(false) => Response::Error("caissier inconnu".into()),
                    Err(e) => err(&e),
                }
            }
        }
    }
}
