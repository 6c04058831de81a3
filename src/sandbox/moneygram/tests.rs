//! The sandbox's MoneyGram checks, as functions (the HTTP paths are in `tests/moneygram.rs`).

use super::operations::*;
use super::*;
use serde_json::json;

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[test]
fn a_reversal_needs_a_known_reason_y_or_n_and_mtc() {
    let ok = check_reversal(&object(json!({
        "moneyGramOperatorName": "SUPERVISEUR", "moneyGramSendReversalReason": "NO_RCV_LOC",
        "moneyGramFeeRefund": "N", "moneyGramAgentCheckType": "MTC",
    })))
    .unwrap();
    assert_eq!(
        ok["operatorName"], "SUPERVI",
        "cut to 7, as the server does"
    );
    assert_eq!(ok["sendReversalReason"], "NO_RCV_LOC");
    // The server's defaults when a field is left out.
    let defaults = check_reversal(&Map::new()).unwrap();
    assert_eq!(defaults["sendReversalReason"], "INCORRECT_AMT");
    assert_eq!(defaults["feeRefund"], "Y");
    let bad = check_reversal(&object(
        json!({"moneyGramSendReversalReason": "CHANGED_MIND"}),
    ));
    assert!(
        bad.unwrap_err()
            .contains("Motif d'annulation MoneyGram invalide")
    );
    assert!(check_reversal(&object(json!({"moneyGramFeeRefund": "yes"}))).is_err());
    assert!(check_reversal(&object(json!({"moneyGramAgentCheckType": "CHK"}))).is_err());
}

#[test]
fn the_payout_part_is_checked_as_the_server_checks_it() {
    let mut errors = FieldErrors::new();
    check_part(Some(&json!({})), "p", &PAYOUT_FIELDS, &mut errors);
    assert_eq!(errors.len(), 24, "{errors:?}");
    let mut details = object(json!({}));
    for f in &PAYOUT_FIELDS {
        details.insert(f.name.into(), "GIFT".into());
    }
    details.insert("referenceNumber".into(), "12345678901234567".into());
    details.insert("receiverDOB".into(), "2020-01-01".into());
    let mut errors = FieldErrors::new();
    check_part(
        Some(&Value::Object(details)),
        "p",
        &PAYOUT_FIELDS,
        &mut errors,
    );
    for field in [
        "p.referenceNumber",
        "p.receiverDOB",
        "p.receiverPhone",
        "p.receiverGender",
    ] {
        assert!(errors.contains_key(field), "{field}: {errors:?}");
    }
    assert!(!errors.contains_key("p.receivePurposeOfTransaction"));
}

#[test]
fn a_send_reference_is_8_digits_and_never_reads_as_paid_out() {
    for tid in ["1", "2", "3", "1000000000001", "7777777777777"] {
        let r = send_reference(tid);
        assert_eq!(r.len(), 8, "{r}");
        assert!(!r.ends_with('0'), "{r}");
        assert_eq!(r, send_reference(tid), "deterministic");
    }
    assert!(is_operation(&object(
        json!({"codeService": "MONEYGRAM_SN_API_CASH_IN"})
    )));
    assert!(!is_operation(&object(
        json!({"codeService": "WAVE_SN_API_CASH_IN"})
    )));
}

#[test]
fn the_send_fee_is_three_percent_rounded() {
    assert_eq!(send_fee(3000), 90);
    assert_eq!(send_fee(1250), 38);
}
