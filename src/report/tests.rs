use super::*;

/// 2026-03-31 00:00 UTC, in ms.
const MARCH_31: i64 = 1_774_915_200_000;
const HOUR: i64 = 3_600_000;

fn entry(
    service: &'static str,
    cashier: &'static str,
    kind: OpKind,
    status: TxStatus,
    amount: i64,
    created_at: i64,
) -> Entry<'static> {
    Entry {
        service,
        cashier,
        kind,
        status,
        amount: Some(amount),
        created_at,
    }
}

fn day() -> Vec<Entry<'static>> {
    use OpKind::*;
    use TxStatus::*;
    vec![
        entry(
            "WAVE_SN_API_CASH_OUT",
            "awa",
            Payment,
            Success,
            1_000,
            MARCH_31 + 8 * HOUR,
        ),
        // Refunded since: the sale happened, its refund is counted apart.
        entry(
            "WAVE_SN_API_CASH_OUT",
            "awa",
            Payment,
            Refunded,
            2_000,
            MARCH_31 + 9 * HOUR,
        ),
        entry(
            "WAVE_SN_API_CASH_OUT",
            "awa",
            Refund,
            Success,
            2_000,
            MARCH_31 + 10 * HOUR,
        ),
        entry(
            "ORANGE_SN_API_CASH_OUT",
            "binta",
            Payment,
            Failed,
            500,
            MARCH_31 + 9 * HOUR,
        ),
        entry(
            "ORANGE_SN_API_CASH_IN",
            "binta",
            Payment,
            Expired,
            700,
            MARCH_31 + 9 * HOUR,
        ),
        entry(
            "ORANGE_SN_API_CASH_IN",
            "binta",
            Payment,
            Unknown,
            300,
            MARCH_31 + 23 * HOUR,
        ),
        entry(
            "SENELEC_SN_BILL_PAY",
            "",
            Payment,
            Review,
            10_000,
            MARCH_31 + 24 * HOUR,
        ),
        entry(
            "SENELEC_SN_BILL_PAY",
            "",
            Payment,
            Success,
            5_000,
            MARCH_31 + 25 * HOUR,
        ),
    ]
}

fn count(count: u64, amount: i64) -> Count {
    Count { count, amount }
}

#[test]
fn each_status_falls_in_one_column_and_the_total_is_their_sum() {
    let report = aggregate(By::Operator, day());
    assert_eq!(
        report.total,
        Tally {
            operations: 8,
            succeeded: count(3, 8_000),
            failed: count(2, 1_200),
            pending: count(2, 10_300),
            refunded: count(1, 2_000),
        }
    );
    assert_eq!(report.total_net, 6_000);
    let keys: Vec<&str> = report.groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["ORANGE", "SENELEC", "WAVE"]);
    let wave = &report.groups[2];
    assert_eq!(
        (wave.tally.succeeded, wave.tally.refunded, wave.net),
        (count(2, 3_000), count(1, 2_000), 1_000)
    );
    // The groups add up to the total, column by column.
    let operations: u64 = report.groups.iter().map(|g| g.tally.operations).sum();
    let pending: i64 = report.groups.iter().map(|g| g.tally.pending.amount).sum();
    assert_eq!((operations, pending), (8, 10_300));
}

#[test]
fn groups_by_service_with_the_catalogue_name() {
    let report = aggregate(By::Service, day());
    let senelec = report
        .groups
        .iter()
        .find(|g| g.key == "SENELEC_SN_BILL_PAY")
        .unwrap();
    assert_ne!(
        senelec.label, senelec.key,
        "the vendor's name, not the code"
    );
    assert_eq!(report.groups.len(), 4);
}

#[test]
fn groups_by_cashier_day_and_hour_of_the_day() {
    let cashiers = aggregate(By::Cashier, day());
    let names: Vec<&str> = cashiers.groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(names, ["(sans nom)", "awa", "binta"]);

    let days = aggregate(By::Day, day());
    let keys: Vec<(&str, u64)> = days
        .groups
        .iter()
        .map(|g| (g.key.as_str(), g.tally.operations))
        .collect();
    assert_eq!(keys, [("2026-03-31", 6), ("2026-04-01", 2)]);

    // The hour of the day over the whole period: 09 h has three operations of the 31st.
    let hours = aggregate(By::Hour, day());
    let keys: Vec<(&str, u64)> = hours
        .groups
        .iter()
        .map(|g| (g.key.as_str(), g.tally.operations))
        .collect();
    assert_eq!(
        keys,
        [
            ("00 h", 1),
            ("01 h", 1),
            ("08 h", 1),
            ("09 h", 3),
            ("10 h", 1),
            ("23 h", 1)
        ]
    );
}

#[test]
fn an_empty_period_is_a_report_of_zeros() {
    let report = aggregate(By::Day, []);
    assert!(report.groups.is_empty());
    assert_eq!((report.total, report.total_net), (Tally::default(), 0));
}

#[test]
fn an_operation_without_amount_counts_without_adding() {
    let mut e = entry(
        "WAVE_SN_API_CASH_OUT",
        "awa",
        OpKind::Payment,
        TxStatus::Success,
        0,
        0,
    );
    e.amount = None;
    let report = aggregate(By::Service, [e]);
    assert_eq!(report.total.succeeded, count(1, 0));
}

#[test]
fn a_period_is_whole_days_both_included() {
    let p = Period::parse("2026-03-31", "2026-04-01").unwrap();
    assert_eq!(p.millis(), (MARCH_31, MARCH_31 + 48 * HOUR));
    let one = Period::parse(" 2026-03-31", "2026-03-31").unwrap();
    assert_eq!(one.millis(), (MARCH_31, MARCH_31 + 24 * HOUR));
}

#[test]
fn a_bad_period_says_why_in_french() {
    let err = Period::parse("31/03/2026", "2026-04-01").unwrap_err();
    assert!(err.contains("AAAA-MM-JJ"), "{err}");
    let err = Period::parse("2026-04-02", "2026-04-01").unwrap_err();
    assert!(err.contains("avant de commencer"), "{err}");
    assert!(Period::parse("2026-02-30", "2026-03-01").is_err());
}

#[test]
fn the_operator_is_the_code_before_the_country() {
    assert_eq!(operator("ORANGE_SN_API_CASH_OUT"), "ORANGE");
    assert_eq!(operator("WAVE_CI_API_CASH_IN"), "WAVE");
    assert_eq!(operator("BANK_TRANSFER_SN_API_CASH_IN"), "BANK_TRANSFER");
    assert_eq!(operator("CARD"), "CARD");
}
