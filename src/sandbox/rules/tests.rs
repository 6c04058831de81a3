//! The sandbox's pure rules, as functions (their HTTP behaviour is in `tests/sandbox/`).

#[test]
fn phone_rules() {
    let svc = |code| crate::catalog::services::find(code).unwrap();
    let ok = |code, phone: &str| super::check_phone(svc(code), phone);
    assert_eq!(ok("WAVE_SN_API_CASH_IN", "772457199").unwrap(), "772457199");
    assert_eq!(
        ok("WAVE_SN_API_CASH_IN", "221772457199").unwrap(),
        "772457199"
    );
    assert_eq!(
        ok("WAVE_SN_API_CASH_IN", "+221772457199").unwrap(),
        "772457199"
    );
    for bad in [
        "+772457199",
        "712457199",
        "77245719",
        "7724571990",
        "77 245 71 99",
        "",
    ] {
        assert!(ok("WAVE_SN_API_CASH_IN", bad).is_err(), "{bad}");
    }
    assert_eq!(
        ok("MTN_CI_API_CASH_IN", "0701020304").unwrap(),
        "0701020304"
    );
    assert_eq!(
        ok("MTN_CI_API_CASH_IN", "+2250501020304").unwrap(),
        "0501020304"
    );
    assert!(ok("MTN_CI_API_CASH_IN", "0201020304").is_err());
    assert!(ok("MTN_CI_API_CASH_IN", "772457199").is_err());
    for code in [
        "WHATSAPP_MESSAGING",
        "BANK_CARD_API_CASH_OUT",
        "BANK_TRANSFER_SN_API_CASH_IN",
    ] {
        assert!(ok(code, "772457199").is_err(), "{code}");
        assert_eq!(ok(code, "+221772457199").unwrap(), "772457199");
        assert_eq!(ok(code, "221772457199").unwrap(), "772457199");
        assert_eq!(ok(code, "+2250701020304").unwrap(), "0701020304");
    }
}

#[test]
fn outcomes_amounts_and_catalogue_entries() {
    use super::Outcome::*;
    for (phone, outcome) in [
        ("772457187", ServiceDown),
        ("772457188", AutoApprove),
        ("772457189", Exception),
        ("772457191", CustomerWithoutFunds),
        ("772457192", UnknownNumber),
        ("772457193", OperatorDown),
        ("772457194", SlowReply),
        ("772457195", NeverAnswered),
        ("772457196", ServerError),
        ("772457197", TruncatedReply),
        ("772457198", CallbackFirst),
        ("772457199", Normal),
        ("772457190", Normal),
    ] {
        assert_eq!(super::Outcome::from_phone(phone), outcome, "{phone}");
    }
    let refusal = |code, amount| super::amount_refusal(code, amount).map(|e| e.code);
    assert_eq!(refusal("WAVE_SN_API_CASH_IN", 1001), Some("bad_amount_5"));
    assert_eq!(refusal("WAVE_CI_API_CASH_IN", 1005), None);
    assert_eq!(
        refusal("ORANGE_CI_API_CASH_OUT", 1025),
        Some("bad_amount_50")
    );
    assert_eq!(
        refusal("ORANGE_SN_AIRTIME_CREDIT_TELEPHONIQUE", 1050),
        Some("bad_amount_100")
    );
    assert_eq!(refusal("MTN_CI_AIRTIME_CREDIT_TELEPHONIQUE", 1000), None);
    assert_eq!(refusal("FREE_SN_WALLET_CASH_IN", 1001), None);
    // Every catalogue entry the sandbox names exists (no silent fallback to unknown_error).
    for id in [1, 2, 4, 9, 26, 28, 37, 38] {
        assert!(crate::catalog::errors::by_id(id).is_some(), "{id}");
    }
    for code in [
        "no_mtn_account",
        "whatsapp_user_not_found",
        "invalid_phone_number",
        "operator_down_time",
        "balance_check_failed",
        "bad_amount_5",
        "bad_amount_50",
        "bad_amount_100",
        "unknown_error",
    ] {
        assert!(crate::catalog::errors::by_code(code).is_some(), "{code}");
    }
    assert_eq!(super::error_by_id(9).code, "no_om_account");
    assert!(super::is_account_number("ABC12") && !super::is_account_number("ABC-2345"));
    assert!(!super::is_account_number("1234") && !super::is_account_number(&"1".repeat(21)));
}

#[test]
fn callback_urls_must_be_https_outside_the_loopback() {
    for (url, ok) in [
        ("https://shop.example.sn/cb", true),
        ("https://callback.invalid/caisse", true),
        ("http://127.0.0.1:9/cb", true),
        ("http://127.8.9.10/cb", true),
        ("http://localhost:8080/cb", true),
        ("http://[::1]:8080/cb", true),
        ("http://shop.example.sn/cb", false),
        ("http://10.0.0.5/cb", false),
        ("ftp://shop.example.sn/cb", false),
        ("shop.example.sn/cb", false),
    ] {
        assert_eq!(super::check_callback_url(url).is_ok(), ok, "{url}");
    }
}

#[test]
fn refunds_are_wired_for_moneygram_send_only_among_moneygram() {
    assert_eq!(
        super::refund_operator("MONEYGRAM_SN_API_CASH_IN"),
        Some("MoneyGram")
    );
    assert_eq!(super::refund_operator("MONEYGRAM_SN_API_CASH_OUT"), None);
    assert_eq!(super::refund_operator("ORANGE_SN_API_CASH_IN"), None);
}
