use super::*;
use crate::domain::lifecycle::{Effect, Write};
use serde_json::json;

fn intent(id: &str) -> NewTransaction {
    NewTransaction {
        external_id: id.into(),
        gateway: crate::domain::GatewayKind::Intech,
        service: "WAVE_SN_API_CASH_OUT".into(),
        phone: Some("772457100".into()),
        amount: Some(1500),
        fields: json!({"sender": "Boutique"}),
        cashier: "awa".into(),
        terminal: "pts/1".into(),
    }
}

fn open() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::open(&dir.path().join("sub/journal.db")).unwrap();
    (dir, j)
}

fn to(status: TxStatus) -> Write {
    Write {
        status: Some(status),
        ..Write::default()
    }
}

#[test]
fn intent_then_forward_only_changes_with_events() {
    let (_d, mut j) = open();
    j.insert_intent(&intent("a"), "me", 10_000, 1_000).unwrap();
    assert!(matches!(
        j.insert_intent(&intent("a"), "me", 10_000, 1_000),
        Err(JournalError::Duplicate(_))
    ));
    let row = j.get("a").unwrap().unwrap();
    assert_eq!(row.status, TxStatus::New);
    assert_eq!(row.amount, Some(1500));
    assert_eq!(row.lease_owner.as_deref(), Some("me"));

    let reply = Write {
        status: Some(TxStatus::Pending),
        gateway_tx_id: Some("139663910423".into()),
        customer_url: Some("http://x/deep/139663910423".into()),
        sent_at: Some(1_100),
        answered_at: Some(1_200),
        release_lease: true,
        ..Write::default()
    };
    let applied = j.apply("a", &reply, "reply", &json!({}), 1_200).unwrap();
    assert!(applied.status_changed);
    let done = j
        .apply("a", &to(TxStatus::Success), "callback", &json!({}), 2_000)
        .unwrap();
    assert_eq!(
        (done.before, done.after),
        (TxStatus::Pending, TxStatus::Success)
    );
    // A late reply or a stale poll never moves it back.
    let late = j
        .apply("a", &to(TxStatus::Pending), "poll", &json!({}), 3_000)
        .unwrap();
    assert!(!late.status_changed);
    let late = j
        .apply("a", &to(TxStatus::Failed), "callback", &json!({}), 3_000)
        .unwrap();
    assert!(!late.status_changed);
    let row = j.get("a").unwrap().unwrap();
    assert_eq!(row.status, TxStatus::Success);
    assert_eq!(row.final_at, Some(2_000));
    assert_eq!(row.gateway_tx_id.as_deref(), Some("139663910423"));
    assert_eq!(row.lease_owner, None);
    assert_eq!(
        j.find_by_gateway_id("139663910423")
            .unwrap()
            .unwrap()
            .external_id,
        "a"
    );

    let kinds: Vec<String> = j.events("a").unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["intent", "reply", "callback", "poll", "callback"]);
    let ev = j.events("a").unwrap();
    assert_eq!(ev[2].detail["before"], "PENDING");
    assert_eq!(ev[2].detail["after"], "SUCCESS");
    assert_eq!(ev[2].cashier, "awa");
    assert!(j.unsettled().unwrap().is_empty());
    assert!(matches!(
        j.apply("nope", &to(TxStatus::Success), "x", &json!({}), 1),
        Err(JournalError::NotFound(_))
    ));
}

#[test]
fn poll_budget_is_shared_through_the_file() {
    let (dir, mut a) = open();
    let mut b = Journal::open(&dir.path().join("sub/journal.db")).unwrap();
    let t0 = 1_000_000;
    let mut slots = Vec::new();
    for (use_b, at) in [(false, t0), (true, t0 + 10), (false, t0 + 20)] {
        let j = if use_b { &mut b } else { &mut a };
        match j.take_status_slot("x", at, 3, 60_000, 100).unwrap() {
            SlotDecision::Granted(slot) => slots.push(slot),
            other => panic!("{other:?}"),
        }
    }
    // The fourth within the minute waits until the first leaves the window.
    assert_eq!(
        b.take_status_slot("x", t0 + 30, 3, 60_000, 100).unwrap(),
        SlotDecision::Wait(60_000 - 30 + 1)
    );
    assert_eq!(a.status_calls_since("x", t0 - 1).unwrap(), 3);
    // The answers came 2 s after the calls started: the window counts from there.
    for slot in slots {
        a.finish_status_slot(slot, t0 + 2_000).unwrap();
    }
    assert_eq!(
        b.take_status_slot("x", t0 + 60_030, 3, 60_000, 100)
            .unwrap(),
        SlotDecision::Wait(2_000 - 30 + 1)
    );
    assert!(matches!(
        b.take_status_slot("x", t0 + 62_001, 3, 60_000, 100)
            .unwrap(),
        SlotDecision::Granted(_)
    ));
    // Global cap per second.
    assert_eq!(
        a.take_status_slot("y", t0 + 62_001, 3, 60_000, 1).unwrap(),
        SlotDecision::Wait(1_001)
    );
}

#[test]
fn leases_exclude_other_senders_until_they_expire() {
    let (_d, mut j) = open();
    j.insert_intent(&intent("a"), "p1", 5_000, 1_000).unwrap();
    assert!(!j.acquire_lease("a", "p2", 9_000, 2_000).unwrap());
    assert!(j.acquire_lease("a", "p1", 9_000, 2_000).unwrap());
    assert!(j.acquire_lease("a", "p2", 20_000, 9_001).unwrap());
}

#[test]
fn a_newer_journal_is_refused_and_an_older_one_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.db");
    {
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", CURRENT_VERSION + 1)
            .unwrap();
    }
    match Journal::open(&path) {
        Err(e @ JournalError::TooNew { .. }) => assert!(e.to_string().contains("plus récente")),
        other => panic!("{:?}", other.err()),
    }
    // Version 0 (an empty file from before the first migration) is brought up to date.
    let path = dir.path().join("old.db");
    drop(Connection::open(&path).unwrap());
    let j = Journal::open(&path).unwrap();
    let v: i64 = j
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, CURRENT_VERSION);
    let sync: i64 = j
        .conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 2, "FULL");
}

#[test]
fn other_connections_see_data_version_move() {
    let (dir, mut a) = open();
    let b = Journal::open(&dir.path().join("sub/journal.db")).unwrap();
    let before = b.data_version().unwrap();
    a.insert_intent(&intent("a"), "me", 1, 1).unwrap();
    assert_ne!(b.data_version().unwrap(), before);
}

#[test]
fn wrong_pin_counts_are_kept_per_unix_user_and_pruned_once_over() {
    let (_d, mut j) = open();
    let rules = PinRules {
        limit: 2,
        lock_ms: 100,
        forget_ms: 1_000,
    };
    let rows = |j: &Journal| -> i64 {
        j.conn
            .query_row("SELECT COUNT(*) FROM pin_failures", [], |r| r.get(0))
            .unwrap()
    };
    // Names never added count all the same (the table does not check them).
    let one = j
        .record_pin_check("chef", 1, false, &rules, "t", 10)
        .unwrap();
    assert_eq!(
        one,
        PinCount {
            failed: 1,
            locked_until: None
        }
    );
    let locked = j
        .record_pin_check("CHEF", 1, false, &rules, "t", 20)
        .unwrap();
    assert_eq!(
        locked.locked_until,
        Some(120),
        "one count whatever the case"
    );
    assert_eq!(
        j.pin_count("chef", 2, &rules, 20).unwrap(),
        PinCount::default()
    );
    j.record_pin_check("other", 2, false, &rules, "t", 30)
        .unwrap();
    assert_eq!(rows(&j), 2);
    // The lock-out is over at 120, the other count forgotten at 1 030: the next check
    // clears both.
    assert_eq!(
        j.pin_count("chef", 1, &rules, 120).unwrap(),
        PinCount::default()
    );
    j.record_pin_check("third", 3, true, &rules, "t", 1_030)
        .unwrap();
    assert_eq!(rows(&j), 0);
    let events: Vec<(String, String, i64)> = ["pin_wrong", "pin_locked", "login"]
        .iter()
        .flat_map(|k| j.events_of_kind(k, 10).unwrap())
        .map(|e| (e.kind, e.cashier, e.detail["uid"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        events,
        vec![
            ("pin_wrong".into(), "other".into(), 2),
            ("pin_wrong".into(), "chef".into(), 1),
            ("pin_locked".into(), "CHEF".into(), 1),
            ("login".into(), "third".into(), 3),
        ]
    );
}

/// Sixteen openers at once on a journal that does not exist yet: every one opens it (WAL
/// set, schema migrated once). Connections of one process lock the file as separate
/// processes do. Without the retry of the WAL switch (`wal_mode`) this failed with
/// "database is locked" in every run of 40 rounds: the cause of the flaky
/// `tests/processes.rs::eight_processes_pay_into_one_journal`.
#[test]
fn a_fresh_journal_opened_by_many_at_once_opens_for_all() {
    for _ in 0..40 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        let start = std::sync::Arc::new(std::sync::Barrier::new(16));
        let handles: Vec<_> = (0..16)
            .map(|_| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    Journal::open(&path).map(|_| ())
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap().expect("the journal opens");
        }
    }
}

/// Receipt numbers: eight counters (each its own connection, which SQLite locks as it locks
/// separate processes) settle sales at once, some as successes, some failed, some expired,
/// and refund some successes: every final operation has a number, and the numbers are
/// exactly 1..=n, with neither gap nor repeat. Operations still unsettled have none.
#[test]
fn receipt_numbers_have_no_gap_and_no_repeat_under_concurrent_counters() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    drop(Journal::open(&path).unwrap());
    let counters = 8;
    let sales = 12;
    let start = std::sync::Arc::new(std::sync::Barrier::new(counters));
    let handles: Vec<_> = (0..counters)
        .map(|c| {
            let (path, start) = (path.clone(), start.clone());
            std::thread::spawn(move || {
                let mut j = Journal::open(&path).unwrap();
                start.wait();
                for s in 0..sales {
                    let id = format!("c{c}-s{s}");
                    j.insert_intent(&intent(&id), "me", 10_000, 1_000).unwrap();
                    let end = match s % 4 {
                        0 => None, // stays pending: no receipt yet
                        1 => Some(TxStatus::Failed),
                        2 => Some(TxStatus::Expired),
                        _ => Some(TxStatus::Success),
                    };
                    j.apply(&id, &to(TxStatus::Pending), "reply", &json!({}), 1_100)
                        .unwrap();
                    if let Some(end) = end {
                        j.apply(&id, &to(end), "callback", &json!({}), 2_000)
                            .unwrap();
                    }
                    if s % 8 == 3 {
                        let refund = format!("{id}-r");
                        j.insert_refund_intent(&refund, &id, ("chef", "pts/0"), "me", 9, 3_000)
                            .unwrap();
                        j.transition(&refund, "refund", &json!({}), None, 3_100, |_| {
                            vec![
                                Effect::Write(to(TxStatus::Success)),
                                Effect::MarkParentRefunded,
                            ]
                        })
                        .unwrap();
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let j = Journal::open(&path).unwrap();
    let rows = j.list_since(0, 10_000).unwrap();
    let mut numbers: Vec<i64> = Vec::new();
    for row in &rows {
        assert_eq!(
            row.receipt_no.is_some(),
            row.status.is_final(),
            "{}: {} with receipt {:?}",
            row.external_id,
            row.status,
            row.receipt_no
        );
        numbers.extend(row.receipt_no);
    }
    numbers.sort_unstable();
    let n = numbers.len() as i64;
    // 3 final sales in 4, plus the refunds.
    let refunds = (0..sales).filter(|s| s % 8 == 3).count();
    assert_eq!(n, (counters * (sales * 3 / 4 + refunds)) as i64);
    assert_eq!(numbers, (1..=n).collect::<Vec<_>>());
}

/// A receipt number, once given, stays: a sale refunded later keeps the number of its
/// success (the refund gets its own).
#[test]
fn a_refunded_sale_keeps_its_receipt_number() {
    let (_d, mut j) = open();
    j.insert_intent(&intent("a"), "me", 10_000, 1_000).unwrap();
    j.apply("a", &to(TxStatus::Success), "callback", &json!({}), 2_000)
        .unwrap();
    assert_eq!(j.get("a").unwrap().unwrap().receipt_no, Some(1));
    j.insert_refund_intent("r", "a", ("chef", "pts/0"), "me", 9, 3_000)
        .unwrap();
    j.transition("r", "refund", &json!({}), None, 3_100, |_| {
        vec![
            Effect::Write(to(TxStatus::Success)),
            Effect::MarkParentRefunded,
        ]
    })
    .unwrap();
    let sale = j.get("a").unwrap().unwrap();
    assert_eq!(
        (sale.status, sale.receipt_no),
        (TxStatus::Refunded, Some(1))
    );
    assert_eq!(j.get("r").unwrap().unwrap().receipt_no, Some(2));
}
