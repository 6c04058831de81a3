use super::*;

fn entry(
    service: &'static str,
    cashier: &'static str,
    status: TxStatus,
    amount: i64,
) -> Entry<'static> {
    Entry {
        service,
        cashier,
        kind: OpKind::Payment,
        status,
        amount: Some(amount),
        created_at: 1_774_915_200_000,
    }
}

fn day() -> ZReport {
    let mut z = ZBuilder::new(3, 1_774_915_200_000, 1_775_001_600_000);
    z.add(
        "v-1",
        entry("WAVE_SN_API_CASH_OUT", "awa", TxStatus::Refunded, 15_000),
        150,
    );
    z.add(
        "r-1",
        Entry {
            kind: OpKind::Refund,
            ..entry("WAVE_SN_API_CASH_OUT", "awa", TxStatus::Success, 15_000)
        },
        0,
    );
    z.add(
        "v-2",
        entry("ORANGE_SN_API_CASH_OUT", "binta", TxStatus::Success, 2_500),
        25,
    );
    z.add(
        "v-3",
        entry("SENELEC_SN_BILL_PAY", "binta", TxStatus::Unknown, 27_684),
        10,
    );
    z.add(
        "v-4",
        entry("WAVE_SN_API_CASH_OUT", "awa", TxStatus::Review, 1_000),
        0,
    );
    z.add(
        "v-5",
        entry("WAVE_SN_API_CASH_OUT", "awa", TxStatus::Failed, 500),
        40,
    );
    z.finish()
}

/// The totals per service, operator, cashier and status, the refunds, and every
/// operation not final listed by id: the report's rule, seen from a Z.
#[test]
fn a_z_sums_the_period_and_lists_what_is_not_final() {
    let z = day();
    assert_eq!(z.number, 3);
    assert_eq!(z.total.operations, 6);
    assert_eq!(
        z.total.succeeded,
        Count {
            count: 2,
            amount: 17_500
        }
    );
    assert_eq!(
        z.refunds,
        Count {
            count: 1,
            amount: 15_000
        }
    );
    assert_eq!(
        z.total.pending,
        Count {
            count: 2,
            amount: 28_684
        }
    );
    assert_eq!(z.total_net, 2_500);
    let keys = |g: &[Group]| g.iter().map(|g| g.key.clone()).collect::<Vec<_>>();
    assert_eq!(keys(&z.by_operator), ["ORANGE", "SENELEC", "WAVE"]);
    assert_eq!(keys(&z.by_cashier), ["awa", "binta"]);
    assert_eq!(z.by_cashier[1].tally.succeeded.amount, 2_500);
    let statuses: Vec<(&str, u64)> = z
        .by_status
        .iter()
        .map(|s| (s.status.as_str(), s.count.count))
        .collect();
    assert_eq!(
        statuses,
        [
            ("UNKNOWN", 1),
            ("SUCCESS", 2),
            ("FAILED", 1),
            ("REFUNDED", 1),
            ("REVIEW", 1)
        ]
    );
    let open: Vec<(&str, &str, Option<i64>)> = z
        .to_follow
        .iter()
        .map(|f| (f.id.as_str(), f.status.as_str(), f.amount))
        .collect();
    assert_eq!(
        open,
        [
            ("v-3", "UNKNOWN", Some(27_684)),
            ("v-4", "REVIEW", Some(1_000))
        ]
    );
    // The commissions of what went through (the refunded sale's too), not of the failed or
    // the unknown ones; no drawer: said, never zero.
    assert_eq!((z.commissions, z.drawers.clone()), (Some(175), None));
    let commissions = |list: &[Commission]| {
        list.iter()
            .map(|c| (c.key.clone(), c.count, c.amount))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        commissions(&z.commissions_by_service),
        [
            ("ORANGE_SN_API_CASH_OUT".to_owned(), 1, 25),
            ("WAVE_SN_API_CASH_OUT".to_owned(), 1, 150)
        ]
    );
    assert_eq!(
        commissions(&z.commissions_by_operator),
        [("ORANGE".to_owned(), 1, 25), ("WAVE".to_owned(), 1, 150)]
    );
}

/// The text names the report, the period, what is not available yet and, one by one,
/// the operations to follow; every line fits a 32-column roll.
#[test]
fn the_text_fits_the_roll_and_names_what_to_follow() {
    let text = day().to_text(32);
    for line in text.lines() {
        assert!(line.chars().count() <= 32, "« {line} »");
    }
    assert!(text.contains("RAPPORT Z N° 000003"), "{text}");
    assert!(text.contains("2026-03-31 00:00:00"), "{text}");
    assert!(text.contains("Commissions"), "{text}");
    assert!(text.contains("Tiroirs : non disponible"), "{text}");
    assert!(text.contains("À SUIVRE (2)"), "{text}");
    assert!(text.contains("v-3\n"), "{text}");
    assert!(text.contains("v-4\n"), "{text}");
}

/// The CSV rows: the totals, one row per operation to follow, the missing commissions
/// with an empty amount (not 0).
#[test]
fn csv_rows_carry_totals_and_the_operations_to_follow() {
    let rows = day().csv_rows();
    assert!(
        rows.iter()
            .any(|r| r[0] == "Total" && r[3] == "net" && r[5] == "2500")
    );
    assert!(
        rows.iter()
            .any(|r| r[0] == "À suivre" && r[1] == "v-3" && r[5] == "27684")
    );
    let commissions = rows.iter().find(|r| r[0] == "Commissions").unwrap();
    assert_eq!(commissions[5], "175");
    assert!(
        rows.iter()
            .any(|r| r[0] == "Commission opérateur" && r[1] == "WAVE" && r[5] == "150")
    );
}

/// A Z stored before the commissions were collected reads back, and says « non
/// disponible » (never zero); its CSV amount is empty.
#[test]
fn a_z_without_commissions_says_so() {
    let mut z = day();
    z.commissions = None;
    z.commissions_by_service.clear();
    z.commissions_by_operator.clear();
    let mut json: serde_json::Value = serde_json::to_value(&z).unwrap();
    for new in [
        "commissions_by_service",
        "commissions_by_operator",
        "open_drawers",
        "warnings",
    ] {
        json.as_object_mut().unwrap().remove(new);
    }
    let old: ZReport = serde_json::from_value(json).unwrap();
    assert_eq!(old, z);
    let text = old.to_text(48);
    assert!(
        text.lines()
            .any(|l| l.starts_with("Commissions") && l.ends_with("non disponible")),
        "{text}"
    );
    let rows = old.csv_rows();
    assert_eq!(rows.iter().find(|r| r[0] == "Commissions").unwrap()[5], "");
}

/// The drawers still open at the close: a warning, then each one by cashier (since when,
/// its float, what it should hold), in the text, the CSV and the JSON.
#[test]
fn drawers_still_open_are_listed_with_a_warning() {
    let mut z = day();
    z.set_open_drawers(vec![OpenDrawer {
        cashier: "binta".into(),
        opened_at: 1_774_947_600_000,
        float: 20_000,
        expected: 22_500,
    }]);
    assert_eq!(z.warnings.len(), 1);
    let text = z.to_text(48);
    assert!(
        text.contains("ATTENTION : 1 tiroir(s) encore ouvert(s)"),
        "{text}"
    );
    assert!(text.contains("binta (ouvert)"), "{text}");
    assert!(text.contains("2026-03-31 09:00:00"), "{text}");
    assert!(text.contains("fond"), "{text}");
    assert!(text.contains("22 500 FCFA"), "{text}");
    assert!(!text.contains("Tiroirs : non disponible"), "{text}");
    for line in z.to_text(32).lines() {
        assert!(line.chars().count() <= 32, "« {line} »");
    }
    let rows = z.csv_rows();
    assert!(
        rows.iter()
            .any(|r| r[0] == "Avertissement" && r[2].starts_with("ATTENTION"))
    );
    assert!(rows.iter().any(|r| r[0] == "Tiroir ouvert"
        && r[1] == "binta"
        && r[3] == "attendu"
        && r[5] == "22500"));
    let json = serde_json::to_value(&z).unwrap();
    assert_eq!(json["open_drawers"][0]["expected"], 22_500);
    assert!(
        json["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("ATTENTION")
    );
    // Set again (a second preview): one warning, not two.
    z.set_open_drawers(z.open_drawers.clone());
    assert_eq!(z.warnings.len(), 1);
}

/// The canonical JSON reads back to the same report (what the journal stores and hashes).
#[test]
fn the_json_reads_back() {
    let z = day();
    let json = serde_json::to_string(&z).unwrap();
    assert_eq!(serde_json::from_str::<ZReport>(&json).unwrap(), z);
}
