//! Cashier sessions: how a terminal talks to the engine. In a shop with several counters a
//! long-running `caisse serve` holds the keys, the journal and the engine, and each
//! cashier's app reaches it over a Unix socket ([`server`], [`client`]); on a single
//! counter (and in the demo) the app runs the same [`hub::Session`] in-process. Either
//! way the app sees one [`Link`]: requests in, answers and [`LinkEvent`]s out.

pub mod client;
pub mod framing;
pub mod hub;
pub mod moneygram;
pub mod peer;
pub mod problem;
pub mod protocol;
pub mod server;
pub mod view;

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::engine::EngineEvent;
use crate::staff::Cashier;
pub use hub::{Hub, Peer, Session};
pub use problem::Problem;
pub use protocol::{LoginNeed, Request, Response, Welcome};
pub use view::{Account, HistoryLine, Operation, Sent};

/// What happens on the link besides answers.
#[derive(Debug, Clone)]
pub enum LinkEvent {
    /// Connected (again): how to log in, and the cashier if the login was resumed.
    Up {
        welcome: Welcome,
        resumed: Option<Cashier>,
    },
    /// The service cannot be reached, or refused the connection: why (the app words it).
    Down(Problem),
    Engine(EngineEvent),
}

#[derive(Clone)]
pub enum Link {
    Local {
        session: Arc<Session>,
        events: broadcast::Sender<LinkEvent>,
    },
    Remote(Arc<client::Remote>),
}

/// Link events the app may fall behind by. Larger than the engine's backlog: a lag here
/// stands for engine events only, so an `Up` or `Down` overwritten by a burst of events
/// would leave the app showing the wrong state of the link until the next one.
const LINK_BACKLOG: usize = 1024;

impl Link {
    /// The in-process link: the app's own session on `hub`, as the current Unix user.
    pub fn local(hub: Arc<Hub>) -> Link {
        let uid = peer::current_uid();
        let peer = Peer {
            uid,
            user: crate::config::environment::unix_user().unwrap_or_else(|| peer::user_name(uid)),
        };
        let (events, _) = broadcast::channel(LINK_BACKLOG);
        Link::Local {
            session: Arc::new(Session::new(hub, peer)),
            events,
        }
    }

    /// The link to `caisse serve` on `path`.
    pub fn remote(path: std::path::PathBuf, terminal: String) -> Link {
        let (events, _) = broadcast::channel(LINK_BACKLOG);
        Link::Remote(client::Remote::new(path, terminal, events))
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LinkEvent> {
        match self {
            Link::Local { events, .. } => events.subscribe(),
            Link::Remote(r) => r.subscribe(),
        }
    }

    /// Starts the link: the connection loop (remote) or the engine's event feed (local).
    /// Subscribe first: the first [`LinkEvent::Up`] comes from here.
    pub fn start(&self, terminal: String) -> tokio::task::JoinHandle<()> {
        match self.clone() {
            Link::Local { session, events } => tokio::spawn(async move {
                let mut engine_events = session.hub().engine.subscribe();
                let welcome = session.handle(Request::Hello { terminal }).await;
                match welcome {
                    Response::Welcome(welcome) => {
                        let _ = events.send(LinkEvent::Up {
                            welcome,
                            resumed: None,
                        });
                    }
                    other => {
                        let problem = other.problem().cloned().unwrap_or(Problem::ServiceDown);
                        let _ = events.send(LinkEvent::Down(problem));
                    }
                }
                while let Some(event) = crate::engine::next_event(&mut engine_events).await {
                    let _ = events.send(LinkEvent::Engine(event));
                }
            }),
            Link::Remote(remote) => tokio::spawn(remote.run()),
        }
    }

    pub async fn call(&self, request: Request) -> Response {
        match self {
            Link::Local { session, .. } => session.handle(request).await,
            Link::Remote(r) => {
                let login = matches!(request, Request::Login { .. });
                let logout = matches!(request, Request::Logout);
                let response = r.call(request).await;
                if let Response::LoggedIn { token, .. } = &response
                    && login
                {
                    r.remember_token(Some(token.clone()));
                }
                if logout {
                    r.remember_token(None);
                }
                response
            }
        }
    }
}
