use super::*;
use crate::journal::sample_row;

const DAY: i64 = 86_400_000;
/// 2026-03-31 00:00 UTC.
const MARCH_31: i64 = 1_774_915_200_000;

fn journal(dir: &std::path::Path) -> Journal {
    let mut journal = Journal::open(&dir.join("journal.db")).unwrap();
    let mut open = sample_row(
        "v-2",
        "SENELEC_SN_BILL_PAY",
        TxStatus::Pending,
        MARCH_31 + 3_600_000,
    );
    open.amount = Some(27_684);
    open.final_at = None;
    let mut sale = sample_row("v-1", "WAVE_SN_API_CASH_OUT", TxStatus::Success, MARCH_31);
    sale.amount = Some(15_000);
    let next_day = sample_row(
        "v-3",
        "WAVE_SN_API_CASH_OUT",
        TxStatus::Success,
        MARCH_31 + DAY + 60_000,
    );
    journal
        .insert_rows_for_tests(vec![sale, open, next_day])
        .unwrap();
    journal
}

/// The first Z starts at the first operation, the next at the previous Z's end; numbers
/// follow; each link is chained to the one before; nothing new since the last Z is refused.
#[test]
fn closes_follow_each_other_without_gaps_or_overlap() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = journal(dir.path());
    let first = journal.close_day(MARCH_31 + DAY, "chef").unwrap().unwrap();
    assert_eq!((first.report.number, first.report.from), (1, MARCH_31));
    assert_eq!(first.report.total.operations, 2);
    assert_eq!(first.report.to_follow.len(), 1);
    assert_eq!(first.prev_hash, "");
    assert_eq!(first.hash, chain_hash("", &first.content));

    let second = journal
        .close_day(MARCH_31 + 2 * DAY, "chef")
        .unwrap()
        .unwrap();
    assert_eq!(
        (second.report.number, second.report.from),
        (2, MARCH_31 + DAY)
    );
    assert_eq!(second.report.total.operations, 1);
    assert_eq!(second.prev_hash, first.hash);

    let refused = journal.close_day(MARCH_31 + 3 * DAY, "chef").unwrap();
    assert!(
        matches!(refused, Err(NothingToClose::SinceLast { last: 2, .. })),
        "{refused:?}"
    );
    assert_eq!(journal.z_report(2).unwrap().unwrap(), second);
    assert_eq!(journal.verify_z_chain().unwrap(), (2, vec![]));
}

#[test]
fn an_empty_journal_has_nothing_to_close() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&dir.path().join("journal.db")).unwrap();
    assert_eq!(
        journal.close_day(MARCH_31, "chef").unwrap(),
        Err(NothingToClose::Empty)
    );
}

fn three_closed(dir: &std::path::Path) -> Journal {
    let mut journal = journal(dir);
    for day in 1..=3 {
        let mut row = sample_row(
            &format!("w-{day}"),
            "WAVE_SN_API_CASH_OUT",
            TxStatus::Success,
            MARCH_31 + day * DAY + 1,
        );
        row.amount = Some(1_000 * day);
        journal.insert_rows_for_tests(vec![row]).unwrap();
        journal
            .close_day(MARCH_31 + day * DAY + 2, "chef")
            .unwrap()
            .unwrap();
    }
    journal
}

/// A report's content changed with plain SQL: the walk names that report, and only it.
#[test]
fn an_altered_report_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let journal = three_closed(dir.path());
    journal
        .conn
        .execute(
            "UPDATE z_reports SET content = replace(content, '\"total_net\":2000', '\"total_net\":200') \
             WHERE number = 2",
            [],
        )
        .unwrap();
    assert_eq!(
        journal.verify_z_chain().unwrap(),
        (3, vec![ZFault::Altered(2)])
    );
}

/// Altered and its hash recomputed to match: the next report's record names it.
#[test]
fn a_report_rewritten_with_a_fresh_hash_is_named_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let journal = three_closed(dir.path());
    let stored = journal.z_report(2).unwrap().unwrap();
    let forged = stored
        .content
        .replace("\"total_net\":2000", "\"total_net\":200");
    assert_ne!(forged, stored.content);
    journal
        .conn
        .execute(
            "UPDATE z_reports SET content = ?1, hash = ?2 WHERE number = 2",
            params![forged, chain_hash(&stored.prev_hash, &forged)],
        )
        .unwrap();
    assert_eq!(
        journal.verify_z_chain().unwrap(),
        (3, vec![ZFault::Rechained(2, 3)])
    );
}

/// A report deleted from the middle: the gap is named.
#[test]
fn a_deleted_report_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let journal = three_closed(dir.path());
    journal
        .conn
        .execute("DELETE FROM z_reports WHERE number = 2", [])
        .unwrap();
    let (read, faults) = journal.verify_z_chain().unwrap();
    assert_eq!(read, 2);
    assert_eq!(faults[0], ZFault::Missing(2, 3));
}

/// A drawer closed in the period comes into the Z: its cashier, expected and counted cash,
/// and the gateway balance read at its opening and at its closing.
#[test]
fn the_drawers_closed_in_the_period_are_in_the_z() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = journal(dir.path());
    journal
        .open_drawer("awa", "pts/1", 20_000, Some(250_000), MARCH_31 - 60_000)
        .unwrap()
        .unwrap();
    journal
        .close_drawer("awa", 19_500, Some(265_000), MARCH_31 + 7_200_000)
        .unwrap()
        .unwrap();
    let z = journal.close_day(MARCH_31 + DAY, "chef").unwrap().unwrap();
    let drawers = z.report.drawers.expect("the drawer is in the Z");
    assert_eq!(drawers.len(), 1);
    assert_eq!(drawers[0].cashier, "awa");
    assert_eq!(drawers[0].counted, Some(19_500));
    assert_eq!(z.report.balance_at_open, Some(250_000));
    assert_eq!(z.report.balance_at_close, Some(265_000));
    // Stored as shown: the chain covers the drawers too.
    assert_eq!(z.hash, chain_hash("", &z.content));
    assert!(z.content.contains("\"awa\""));
}

/// The commissions the callbacks gave (`commission`, read as the drawer reads them) are
/// summed per service, per operator and in total; a failed operation's is not.
#[test]
fn the_callbacks_commissions_are_in_the_z() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = journal(dir.path());
    let mut orange = sample_row(
        "o-1",
        "ORANGE_SN_API_CASH_OUT",
        TxStatus::Success,
        MARCH_31 + 60_000,
    );
    orange.amount = Some(5_000);
    let failed = sample_row(
        "o-2",
        "ORANGE_SN_API_CASH_OUT",
        TxStatus::Failed,
        MARCH_31 + 120_000,
    );
    journal.insert_rows_for_tests(vec![orange, failed]).unwrap();
    let callback = |j: &mut Journal, id: &str, commission: i64| {
        j.record_event(
            Some(id),
            "callback",
            &serde_json::json!({ "commission": commission }),
            MARCH_31 + 200_000,
        )
        .unwrap();
    };
    callback(&mut journal, "v-1", 150);
    callback(&mut journal, "o-1", 50);
    callback(&mut journal, "o-2", 999);
    let z = journal.close_day(MARCH_31 + DAY, "chef").unwrap().unwrap();
    let report = &z.report;
    assert_eq!(report.commissions, Some(200));
    let by = |list: &[crate::report::z::Commission]| {
        list.iter()
            .map(|c| (c.key.clone(), c.amount))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        by(&report.commissions_by_service),
        [
            ("ORANGE_SN_API_CASH_OUT".to_owned(), 50),
            ("WAVE_SN_API_CASH_OUT".to_owned(), 150)
        ]
    );
    assert_eq!(
        by(&report.commissions_by_operator),
        [("ORANGE".to_owned(), 50), ("WAVE".to_owned(), 150)]
    );
    // Stored as shown, and the chain covers them.
    assert!(z.content.contains("\"commissions\":200"), "{}", z.content);
    assert_eq!(journal.verify_z_chain().unwrap(), (1, vec![]));
}

/// A drawer still open at the close is in the Z with its float and what it should hold so
/// far (a deposit brought cash in), with the warning; the preview says the same without
/// storing anything.
#[test]
fn a_drawer_still_open_is_in_the_z_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = journal(dir.path());
    journal
        .open_drawer("awa", "pts/1", 20_000, Some(250_000), MARCH_31 - 60_000)
        .unwrap()
        .unwrap();
    let mut deposit = sample_row(
        "d-1",
        "WAVE_SN_API_CASH_IN",
        TxStatus::Success,
        MARCH_31 + 1_000,
    );
    deposit.amount = Some(10_000);
    deposit.cashier = "awa".into();
    deposit.final_at = Some(MARCH_31 + 2_000);
    journal.insert_rows_for_tests(vec![deposit]).unwrap();
    let expected = journal
        .drawer_status("awa", MARCH_31 + DAY)
        .unwrap()
        .unwrap()
        .expected_cash();
    let preview = journal.preview_z(MARCH_31 + DAY).unwrap().unwrap();
    assert_eq!(journal.verify_z_chain().unwrap(), (0, vec![]));
    let z = journal.close_day(MARCH_31 + DAY, "chef").unwrap().unwrap();
    assert_eq!(preview, z.report);
    let open = &z.report.open_drawers;
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].cashier.as_str(), open[0].opened_at, open[0].float),
        ("awa", MARCH_31 - 60_000, 20_000)
    );
    assert_eq!((open[0].expected, expected), (30_000, 30_000));
    assert_eq!(z.report.warnings.len(), 1);
    assert!(z.content.contains("ATTENTION"), "{}", z.content);
}
