//! Copies taken while counters sell: each one sound, between the counts before and after
//! it, and holding every operation whole.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use caisse::sandbox::{self, SandboxConfig, SandboxHandle};
use rusqlite::Connection;

use super::support::cli::{self, text};
use super::support::wait;
use super::{integrity, journal_with, operations, read_only, run};

const KEY: &str = "backup-test-key";
/// `n` past operations with their intent events, in one transaction.
fn fill(path: &Path, n: i64) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        "BEGIN; \
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n}) \
         INSERT INTO transactions (external_id, gateway, service, status, fields, created_at, \
           updated_at) SELECT 'passe-' || i, 'intech', 'WAVE_SN_API_CASH_IN', 'SUCCESS', \
           json_object('note', hex(randomblob(200))), i, i FROM k; \
         INSERT INTO events (external_id, at, kind) \
           SELECT external_id, created_at, 'intent' FROM transactions; \
         COMMIT;"
    ))
    .unwrap();
}

async fn sandbox() -> SandboxHandle {
    let config = SandboxConfig {
        api_key: KEY.into(),
        processing_delay: Duration::from_millis(20),
        settle_delay: Duration::from_millis(20),
        ..SandboxConfig::default()
    };
    sandbox::spawn(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

/// One counter selling until told to stop: `caisse pay` after `caisse pay`, each a process
/// of its own writing to the shared journal. Returns how many sales it completed.
fn counter(home: PathBuf, url: String, n: usize, stop: Arc<AtomicBool>) -> usize {
    let mut sold = 0;
    while !stop.load(Ordering::SeqCst) {
        let out = cli::caisse(&home, Some((url.clone(), KEY)))
            .args([
                "pay",
                "--service",
                "WAVE_SN_API_CASH_IN",
                "--phone",
                &format!("7724500{n}{}", sold % 10),
                "--amount",
                "1000",
                "--wait-secs",
                "8",
                "--allow-duplicate",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "counter {n}: {}", text(&out));
        sold += 1;
    }
    sold
}

#[tokio::test(flavor = "multi_thread")]
async fn backups_taken_while_counters_sell_are_sound_and_hold_whole_operations() {
    let sb = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_path_buf();
    let journal = h.join("journal.db");
    // Past sales enough for a copy of several steps (some 2 MiB, 256 pages a step): the
    // counters' sales land between the steps of a copy, not only between two copies.
    journal_with(&journal, &[]);
    fill(&journal, 4_000);
    let stop = Arc::new(AtomicBool::new(false));
    let counters: Vec<_> = (0..3)
        .map(|n| {
            let (h, url, stop) = (h.clone(), sb.url(), stop.clone());
            std::thread::spawn(move || counter(h, url, n, stop))
        })
        .collect();
    let copies = tokio::task::block_in_place(|| {
        wait::until("the first sales", Duration::from_secs(30), || {
            (operations(&journal) >= 4_003).then_some(())
        });
        // Copy after copy until the counters have sold at least six more meanwhile: the
        // copies are taken while sales are being written, not between two quiet moments.
        let first = operations(&journal);
        let mut copies = Vec::new();
        wait::until(
            "six sales during the copies",
            Duration::from_secs(60),
            || {
                let before = operations(&journal);
                let copy = h.join(format!("copie-{}.db", copies.len()));
                let out = run(&h, &["backup", "--to", copy.to_str().unwrap()]);
                assert_eq!(out.status.code(), Some(0), "{}", text(&out));
                let after = operations(&journal);
                copies.push((copy, before, after));
                (copies.len() >= 5 && after >= first + 6).then_some(())
            },
        );
        stop.store(true, Ordering::SeqCst);
        copies
    });
    let sold: usize = counters.into_iter().map(|c| c.join().unwrap()).sum();
    for (copy, before, after) in &copies {
        assert_eq!(integrity(copy), "ok");
        let conn = read_only(copy);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete", "a copy is one file, no WAL beside it");
        let held = operations(copy);
        assert!(
            (*before..=*after).contains(&held),
            "{}: {held} operations, not between {before} and {after}",
            copy.display()
        );
        // Every operation came with its intent event, in the same transaction.
        let without_intent: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM transactions t WHERE NOT EXISTS (SELECT 1 FROM events e \
                 WHERE e.external_id = t.external_id AND e.kind = 'intent')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(without_intent, 0, "{}", copy.display());
    }
    assert_eq!(
        operations(&journal) as usize,
        4_000 + sold,
        "no sale lost meanwhile"
    );
    sb.shutdown().await;
}
