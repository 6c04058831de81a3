//! `caisse serve`: the shop's long-running service. It holds the keys, the journal, the
//! callback listener, the poll budget and the recovery of unsettled sales; the cashiers'
//! apps reach it over a Unix socket (docs/kiosk.md, debian/caisse.service).

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
             relevez LimitNOFILE= (debian/caisse.service) ou ulimit -Hn"
        ),
        Ok(_) => {}
        Err(e) => eprintln!("attention : limite de fichiers ouverts non relevée : {e}"),
    }
    let context = crate::wiring::connect_lasting(config_path).await?;
    // The journal is this service's while it runs: `caisse restore` refuses meanwhile, and
    // a restore under way keeps the service from starting (src/backup/service_lock.rs).
    let _owner = own_journal(&context.journal_path)?;
    let socket = socket
        .or_else(|| context.config.socket.clone())
        .ok_or_else(|| {
            Failure::bad_input("socket manquant : --socket CHEMIN, CAISSE_SOCKET ou [serve] socket")
        })?;
    let failure = |message: String| Failure {
        message,
        code: ExitCode::Config,
    };
    // Before anything sells: the first start with `[hq]` queues the journal's past in one
    // write transaction, seconds on years of operations, which a sale must not wait on
    // (review of issue 15, F7).
    let replicator = head_office(&context)?;
    // Everything left unsettled by a previous run is followed again, now.
    let mut running = crate::wiring::start(&context, true).await?;
    if let Some(replicator) = replicator {
        let engine = running.engine.clone();
        running
            .tasks
            .push(tokio::spawn(replicator.with_engine(engine).run()));
    }
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

/// With `[hq] url` and `shop_id`: the outbox turned on and its replicator made, to run as
/// a task of its own (a sale never waits for it). Without: a journal whose outbox was on
/// (an `[hq]` since removed) has it turned off and emptied; otherwise nothing at all runs.
fn head_office(
    context: &crate::wiring::Context,
) -> Result<Option<crate::hq::replicator::Replicator>, Failure> {
    use crate::hq::{Target, outbox::Outbox, replicator};
    let config_failure = |message: String| Failure {
        message,
        code: ExitCode::Config,
    };
    let hq = context.config.hq.as_ref();
    let Some(shop) = hq.and_then(|h| h.shop.as_ref()) else {
        // One read of a one-row table at start; nothing else for a shop on its own.
        let mut outbox =
            Outbox::open(&context.journal_path).map_err(|e| config_failure(e.to_string()))?;
        if outbox
            .disable()
            .map_err(|e| config_failure(e.to_string()))?
        {
            eprintln!("siège : [hq] absent, l'envoi au siège est arrêté et sa file vidée");
        }
        return Ok(None);
    };
    // The head office's TLS set-up read wrong (its CA file unreadable after a renewal, say)
    // must not stop the shop selling: said loudly, and nothing is sent until it is fixed
    // and the service restarted. Nothing is lost meanwhile: the journal is queued for the
    // head office from its start whenever the outbox is first turned on, and a queue
    // already on goes on filling.
    let target = match Target::new(&shop.url, hq.and_then(|h| h.ca_file.as_deref())) {
        Ok(target) => target,
        Err(e) => {
            eprintln!(
                "siège : {e} ; la boutique vend sans rien envoyer au siège jusqu'à ce que ce \
                 soit corrigé et le service redémarré (caisse doctor)"
            );
            tracing::error!("siège : {e}");
            return Ok(None);
        }
    };
    let shown = target.shown().to_owned();
    let (replicator, backfilled) = replicator::Replicator::new(
        target,
        &shop.shop_id,
        context.journal_path.clone(),
        replicator::Options::from_environment(),
    )
    .map_err(|e| config_failure(e.to_string()))?;
    if backfilled {
        eprintln!("siège : le journal existant est mis en file pour le siège");
    }
    eprintln!(
        "siège : envoi du journal de la boutique {} vers {shown}",
        shop.shop_id
    );
    Ok(Some(replicator))
}

fn own_journal(journal: &Path) -> Result<crate::backup::service_lock::Held, Failure> {
    use crate::backup::service_lock::{Refused, take};
    take(journal).map_err(|refused| Failure {
        message: match refused {
            Refused::Taken => format!(
                "le journal {} est déjà pris par un autre caisse serve ou par une restauration \
                 (caisse restore) : attendez la fin de la restauration, ou arrêtez l'autre service",
                journal.display()
            ),
            Refused::Io(e) => format!(
                "verrou du journal {} impossible : {e} ; le dossier du journal doit être \
                 accessible en écriture à l'utilisateur du service",
                journal.display()
            ),
        },
        code: ExitCode::Config,
    })
}
