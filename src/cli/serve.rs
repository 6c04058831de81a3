//! `caisse serve`: the shop's long-running service. It holds the keys, the journal, the
//! callback listener, the poll budget and the recovery of unsettled sales; the cashiers'
//! apps reach it over a Unix socket (docs/kiosk.md, docs/caisse.service).

use std::path::{Path, PathBuf};

use crate::engine::listener;
use crate::exit::{ExitCode, Failure};
use crate::session::{peer, server};

/// Open files the service needs besides its terminals' and callbacks' connections: the
/// journal (SQLite keeps the database, its WAL and its shared memory open, for the engine's
/// connection and the PIN checks' one), the gateways' HTTPS connections (and in demo mode
/// the sandbox's end of them), the listening sockets, the runtime's own, stdio. About 20 at
/// rest (measured); the rest is room for payments in flight.
const OTHER_FILES: usize = 256;
/// Open files at the worst: every terminal and every callback slot taken.
const FILES_NEEDED: usize = server::MAX_CONNECTIONS + listener::MAX_CONNECTIONS + OTHER_FILES;
// The caps fit under a default system's 1,024 open files, so the service is never starved
// even where the limit cannot be raised (issue 9, C5).
const _: () = assert!(FILES_NEEDED <= 1024);

pub async fn serve(config_path: Option<&Path>, socket: Option<PathBuf>) -> Result<(), Failure> {
    // The journal, its WAL and the socket's directory entries: the service's user only.
    peer::set_umask(0o077);
    peer::return_large_blocks();
    // Every connection is a file descriptor: take all the hard limit allows, and say so if
    // even that is below what the caps may need.
    match peer::raise_open_files_limit() {
        Ok(limit) if limit < FILES_NEEDED as libc::rlim_t => eprintln!(
            "attention : caisse serve ne peut ouvrir que {limit} fichiers, il lui en faut \
             {FILES_NEEDED} quand tous les terminaux et les callbacks sont connectés ; \
             relevez LimitNOFILE= (docs/caisse.service) ou ulimit -Hn"
        ),
        Ok(_) => {}
        Err(e) => eprintln!("attention : limite de fichiers ouverts non relevée : {e}"),
    }
    let context = crate::wiring::connect_lasting(config_path).await?;
    let socket = socket
        .or_else(|| context.config.socket.clone())
        .ok_or_else(|| {
            Failure::bad_input("socket manquant : --socket CHEMIN, CAISSE_SOCKET ou [serve] socket")
        })?;
    let failure = |message: String| Failure {
        message,
        code: ExitCode::Config,
    };
    // Everything left unsettled by a previous run is followed again, now.
    let mut running = crate::wiring::start(&context, true).await?;
    let hub = running.hub(&context, false);
    let listener = server::listen(hub, &socket)
        .await
        .map_err(|e| failure(format!("socket {} : {e}", socket.display())))?;
    running.tasks.push(listener);
    if let Some(demo) = &context.demo {
        eprintln!("sandbox de démo : {}", demo.url());
    }
    eprintln!("caisse serve : à l'écoute sur {}", socket.display());

    use tokio::signal::unix::{SignalKind, signal};
    let signal_failure = |e: std::io::Error| failure(format!("signaux : {e}"));
    let mut terminate = signal(SignalKind::terminate()).map_err(signal_failure)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(signal_failure)?;
    // A service has no terminal to lose: SIGHUP is ignored.
    let mut hangup = signal(SignalKind::hangup()).map_err(signal_failure)?;
    loop {
        tokio::select! {
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
            _ = hangup.recv() => continue,
        }
    }
    drop(running);
    let _ = std::fs::remove_file(&socket);
    eprintln!("caisse serve : arrêté ; les ventes en cours seront suivies au prochain démarrage");
    Ok(())
}
