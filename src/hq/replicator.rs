//! The task of `caisse serve` that empties the outbox into the head office: a batch (at
//! most [`BATCH`] rows: bounded memory) at a time, each in one PostgreSQL transaction,
//! deleted here only after the commit. At-least-once, and idempotent at the head office
//! by (shop, seq): a crash anywhere costs at most one batch sent twice, which changes
//! nothing there. On failure it waits (exponential back-off with jitter, 1 s to 60 s)
//! and starts again from what the head office says it holds. Idle, it sleeps until the
//! journal's files change (inotify, like the engine's watcher): no timer runs while
//! nothing is waiting.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_postgres::Client;

use super::connect::{HqError, Target};
use super::outbox::{BATCH, Outbox, Row};
use super::push;
use crate::engine::watcher::{FALLBACK_EVERY, JournalFiles, SETTLE};
use crate::journal::JournalError;

/// How the replicator paces itself (tests shorten the waits).
#[derive(Debug, Clone)]
pub struct Options {
    pub batch: usize,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// A batch not committed by then counts as failed (a link that went silent).
    pub push_timeout: Duration,
}

impl Options {
    /// The defaults, with `CAISSE_HQ_BACKOFF_MAX_MS` (tests that cut the link must not wait
    /// a minute for the next try).
    pub fn from_environment() -> Options {
        let mut options = Options::default();
        if let Some(ms) = std::env::var("CAISSE_HQ_BACKOFF_MAX_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|ms| *ms > 0)
        {
            options.backoff_max = Duration::from_millis(ms);
            options.backoff_min = options.backoff_min.min(options.backoff_max);
        }
        options
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            batch: BATCH,
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            push_timeout: Duration::from_secs(30),
        }
    }
}

/// The wait before try number `failures` (1 for the first retry): doubling from
/// `min` up to `max`, then drawn in its upper half so that shops cut off together do
/// not all come back in the same second.
pub fn backoff(options: &Options, failures: u32) -> Duration {
    let doubled = options
        .backoff_min
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16));
    let ceiling = doubled.min(options.backoff_max);
    let random = (uuid::Uuid::new_v4().as_u128() % 1_000) as u32;
    ceiling / 2 + ceiling / 2 * random / 1_000
}

pub struct Replicator {
    target: Target,
    shop_id: String,
    /// This journal's name at the head office (`outbox_state.journal_id`).
    journal_id: String,
    journal: PathBuf,
    outbox: Arc<Mutex<Outbox>>,
    options: Options,
    /// In `caisse serve`, the engine: acknowledgements go through its connection.
    engine: Option<Arc<crate::engine::Engine>>,
    /// Rows per batch now: halved after a batch that timed out (a slow link, 2G/EDGE, where
    /// a full batch never makes it within the timeout), doubled back after each success,
    /// up to `options.batch`.
    batch_now: std::sync::atomic::AtomicUsize,
}

/// The batch size after a batch that timed out: half, never below one row.
fn shrunk(rows: usize) -> usize {
    (rows / 2).max(1)
}

/// The batch size after a batch that made it: double, up to `ceiling`.
fn grown(rows: usize, ceiling: usize) -> usize {
    rows.saturating_mul(2).min(ceiling).max(1)
}

impl Replicator {
    /// A replicator of the journal at `journal` for `shop_id`. The outbox is turned on
    /// here (with the journal's past queued the first time): from now on every change is
    /// queued, whether this task runs or not.
    pub fn new(
        target: Target,
        shop_id: &str,
        journal: PathBuf,
        options: Options,
    ) -> Result<(Replicator, bool), HqError> {
        let mut outbox = Outbox::open(&journal)?;
        let backfilled = outbox.enable(shop_id, super::now_ms())?;
        let journal_id = outbox.journal_id()?.unwrap_or_default();
        Ok((
            Replicator {
                target,
                shop_id: shop_id.to_owned(),
                journal_id,
                journal,
                outbox: Arc::new(Mutex::new(outbox)),
                batch_now: std::sync::atomic::AtomicUsize::new(options.batch),
                options,
                engine: None,
            },
            backfilled,
        ))
    }

    /// Writes the outbox (acknowledgements, catching up) through `engine`'s connection:
    /// its watcher then does not take them for another process's writes and have every
    /// terminal reload after every batch.
    pub fn with_engine(mut self, engine: Arc<crate::engine::Engine>) -> Replicator {
        self.engine = Some(engine);
        self
    }

    /// Runs the outbox (blocking SQLite) on a blocking thread.
    async fn outbox<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Outbox) -> Result<T, JournalError> + Send + 'static,
    ) -> Result<T, HqError> {
        let outbox = self.outbox.clone();
        let result = tokio::task::spawn_blocking(move || {
            let mut outbox = outbox.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut outbox)
        })
        .await;
        match result {
            Ok(r) => Ok(r?),
            Err(e) => Err(HqError::Refused {
                url: self.target.shown().to_owned(),
                reason: format!("tâche interrompue : {e}"),
            }),
        }
    }

    /// Forever: empty the outbox, then sleep until the journal changes.
    pub async fn run(self) {
        let mut files = JournalFiles::watch(&self.journal)
            .map_err(|e| {
                tracing::warn!(
                    "siège : pas de notifications de fichiers ({e}), journal relu toutes les secondes"
                )
            })
            .ok();
        let mut client: Option<Client> = None;
        let mut failures: u32 = 0;
        loop {
            let seen = self.outbox(|o| o.data_version()).await.ok();
            match self.drain(&mut client).await {
                Ok(()) => {
                    if failures > 0 {
                        tracing::info!("siège : liaison rétablie, file vidée");
                    }
                    failures = 0;
                }
                Err(e) => {
                    client = None;
                    failures = failures.saturating_add(1);
                    let wait = backoff(&self.options, failures);
                    tracing::warn!(
                        "siège : envoi impossible ({e}) ; nouvel essai dans {} s",
                        wait.as_secs_f32().ceil()
                    );
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            self.until_changed(&mut files, seen).await;
        }
    }

    /// Returns once another connection (the engine, a `caisse` command) committed to the
    /// journal since `seen`. Deletes made on our own connection wake the notifications but
    /// not the version; those made through the engine's (in `caisse serve`) move it once,
    /// and the next look finds the outbox empty.
    async fn until_changed(&self, files: &mut Option<JournalFiles>, seen: Option<i64>) {
        let changed = async || {
            let now = self.outbox(|o| o.data_version()).await.ok();
            now.is_none() || now != seen
        };
        if changed().await {
            return;
        }
        loop {
            match files {
                Some(f) => {
                    if f.next().await.is_none() {
                        tracing::warn!(
                            "siège : les notifications de fichiers se sont arrêtées, journal relu toutes les secondes"
                        );
                        *files = None;
                        continue;
                    }
                    if changed().await {
                        return;
                    }
                    // A commit's last step (the WAL index) makes no notification: look
                    // again once the burst of writes is over.
                    if f.settle(SETTLE).await.is_none() {
                        *files = None;
                    }
                    if changed().await {
                        return;
                    }
                }
                None => {
                    tokio::time::sleep(FALLBACK_EVERY).await;
                    if changed().await {
                        return;
                    }
                }
            }
        }
    }

    /// Pushes batches until the outbox is empty.
    async fn drain(&self, client: &mut Option<Client>) -> Result<(), HqError> {
        let client = match client {
            Some(c) if !c.is_closed() => c,
            _ => {
                let c = self.target.connect().await?;
                // Bounded like a batch: a link that goes silent right after connecting would
                // otherwise hold this task until the system's TCP timeout, some 15 minutes
                // (review of issue 15, F9).
                let hello = push::hello(&self.target, &c, &self.shop_id);
                let remote = match tokio::time::timeout(self.options.push_timeout, hello).await {
                    Ok(answer) => answer?,
                    Err(_) => {
                        return Err(HqError::Unreachable {
                            url: self.target.shown().to_owned(),
                            reason: format!(
                                "pas de réponse en {} s",
                                self.options.push_timeout.as_secs()
                            ),
                        });
                    }
                };
                let (last, journal) = (remote.last_seq, remote.journal_id.clone());
                let now = super::now_ms();
                // A head office holding rows this journal would overwrite, or an
                // impossible number, is refused there: an error, so the session is dropped
                // and tried again after the back-off, the queue kept (`outbox::catch_up`).
                match &self.engine {
                    Some(engine) => {
                        engine
                            .journal(move |j| j.outbox_catch_up(last, journal.as_deref(), now))
                            .await?
                    }
                    None => {
                        self.outbox(move |o| o.catch_up(last, journal.as_deref(), now))
                            .await?
                    }
                };
                client.insert(c)
            }
        };
        use std::sync::atomic::Ordering::Relaxed;
        loop {
            let limit = self.batch_now.load(Relaxed);
            let rows: Vec<Row> = self.outbox(move |o| o.batch(limit)).await?;
            let Some(last) = rows.last().map(|r| r.seq) else {
                return Ok(());
            };
            let pushed = push::push(&self.target, client, &self.shop_id, &self.journal_id, &rows);
            match tokio::time::timeout(self.options.push_timeout, pushed).await {
                Ok(result) => {
                    result?;
                    self.batch_now
                        .store(grown(rows.len().max(limit), self.options.batch), Relaxed);
                }
                Err(_) => {
                    self.batch_now.store(shrunk(rows.len()), Relaxed);
                    return Err(HqError::Unreachable {
                        url: self.target.shown().to_owned(),
                        reason: format!(
                            "lot de {} lignes sans réponse en {} s",
                            rows.len(),
                            self.options.push_timeout.as_secs()
                        ),
                    });
                }
            };
            drop(rows);
            match &self.engine {
                Some(engine) => {
                    engine
                        .journal(move |j| j.outbox_ack(last, super::now_ms()))
                        .await?
                }
                None => self.outbox(move |o| o.ack(last, super::now_ms())).await?,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A slow link halves the batch at each timeout, down to one row, and each batch that
    /// makes it doubles it back to the ceiling.
    #[test]
    fn the_batch_halves_on_a_timeout_and_grows_back() {
        let mut rows = BATCH;
        let mut seen = Vec::new();
        for _ in 0..12 {
            rows = shrunk(rows);
            seen.push(rows);
        }
        assert_eq!(&seen[..4], &[BATCH / 2, BATCH / 4, BATCH / 8, BATCH / 16]);
        assert_eq!(rows, 1, "never below one row");
        let mut back = 0;
        while rows < BATCH {
            rows = grown(rows, BATCH);
            back += 1;
        }
        assert_eq!(rows, BATCH, "never above the ceiling");
        assert!(back <= 10, "{back} batches to grow back");
    }

    #[test]
    fn the_wait_doubles_up_to_its_ceiling_with_jitter() {
        let options = Options::default();
        for (failures, ceiling) in [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (40, 60)] {
            let ceiling = Duration::from_secs(ceiling);
            for _ in 0..20 {
                let wait = backoff(&options, failures);
                assert!(
                    wait >= ceiling / 2 && wait <= ceiling,
                    "{failures}: {wait:?}"
                );
            }
        }
    }
}
