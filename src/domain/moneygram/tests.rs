use super::*;
use crate::domain::fields::FieldError;
use crate::i18n::Lang;
use std::collections::BTreeMap;
use time::Date;
use time::macros::date;

const TODAY: Date = date!(2026 - 12 - 01);

fn ids() -> AgentIds {
    AgentIds::of("0192d6f2-0000-7000-8000-00000000abcd", "awa.diop")
}

fn lookup() -> PayoutLookup {
    PayoutLookup {
        reference: "89163605".into(),
        agent_check_amount: Some(10_000),
        receive_currency: Some("XOF".into()),
        transaction_status: Some("AVAIL".into()),
        ok_for_pickup: Some(true),
        sender_name: "MOUSSA NDOUR".into(),
        receiver_first_name: "AICHA".into(),
        receiver_last_name: "DIALLO".into(),
    }
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A receiver's identity as the cashier fills it (defaults included).
pub(crate) fn receiver_identity() -> BTreeMap<String, String> {
    map(&[
        ("receiverFirstName", "AICHA"),
        ("receiverLastName", "DIALLO"),
        ("receiverPhotoIdType", "GOV"),
        ("receiverPhotoIdNumber", "1672282828282"),
        ("receiverPhotoIdCountry", "SEN"),
        ("receiverDOB", "1995-08-10"),
        ("receiverGender", "FEMALE"),
        ("receiverBirthCountry", "SEN"),
        ("receiverCitizenshipCountry", "SEN"),
        ("receiverPhone", "77 245 71 99"),
        ("receiverPhoneCountryCode", "221"),
        ("receiverAddress", "Almadies"),
        ("receiverCity", "Dakar"),
        ("receiverCountry", "SEN"),
        ("receiverOccupation", "STUDENT"),
        ("receivePurposeOfTransaction", "GIFT"),
        ("relationshipToSender", "FAMILY"),
        ("receiverIntendedUseOfMGIServices", "FAMILY_FRIENDS_SUPPORT"),
    ])
}

pub(crate) fn sender() -> BTreeMap<String, String> {
    map(&[
        ("senderFirstName", "Moussa"),
        ("senderLastName", "Ndour"),
        ("senderPhotoIdType", "PAS"),
        ("senderPhotoIdNumber", "A1234567"),
        ("senderPhotoIdCountry", "SEN"),
        ("senderDOB", "1993-05-15"),
        ("senderGender", "MALE"),
        ("senderBirthCountry", "SEN"),
        ("senderCitizenshipCountry", "SEN"),
        ("senderPhoneNumber", "772457199"),
        ("senderHomePhoneCountryCode", "221"),
        ("senderAddress", "123 Main Street"),
        ("senderCity", "Dakar"),
        ("senderCountry", "SEN"),
        ("senderOccupation", "ENTREPRENEUR"),
        ("sourceOfFunds", "SALARY_EMPLOY"),
        ("sendPurposeOfTransaction", "GIFT"),
        ("relationshipToReceiver", "FAMILY"),
        ("senderIntendedUseOfMGIServices", "FAMILY_FRIENDS_SUPPORT"),
    ])
}

pub(crate) fn receiver() -> BTreeMap<String, String> {
    map(&[
        ("receiverFirstName", "Aicha"),
        ("receiverLastName", "Diallo"),
        ("receiveCountry", "SEN"),
        ("receiverCity", "Dakar"),
        ("receiverAddress", "Almadies"),
    ])
}

fn fields_of(errors: &[FieldError]) -> Vec<&'static str> {
    errors.iter().map(|e| e.field).collect()
}

#[test]
fn the_payout_carries_the_24_fields_the_server_requires() {
    let names: Vec<&str> = PAYOUT_FIELDS.iter().map(|f| f.name).collect();
    // Intech's `requiredReceptionFields` at e563ceef, in its order.
    let mut server = vec![
        "referenceNumber",
        "consumerId",
        "receiveCurrency",
        "receiveCountry",
        "receiverFirstName",
        "receiverLastName",
        "receiverCity",
        "receiverAddress",
        "receiverCountry",
        "receiverPhone",
        "receiverPhoneCountryCode",
        "receiverPhotoIdCountry",
        "receiverDOB",
        "receiverPhotoIdType",
        "receiverPhotoIdNumber",
        "receiverCitizenshipCountry",
        "receiverBirthCountry",
        "receiverGender",
        "receivePurposeOfTransaction",
        "relationshipToSender",
        "receiverIntendedUseOfMGIServices",
        "receiverOccupation",
        "agentTransactionId",
        "agentConsumerID",
    ];
    let mut ours = names.clone();
    ours.sort_unstable();
    server.sort_unstable();
    assert_eq!(ours, server);
    let payout = validate_payout(
        Lang::Fr,
        &lookup(),
        10_000,
        &receiver_identity(),
        &ids(),
        TODAY,
    )
    .unwrap();
    assert_eq!(payout.details.len(), 24, "{:?}", payout.details);
    assert_eq!(payout.phone, "772457199");
    assert_eq!(payout.details["referenceNumber"], "89163605");
    assert_eq!(payout.details["consumerId"], "0");
    assert_eq!(
        payout.details["agentTransactionId"],
        "0192d6f2000070008000".to_owned() + "00000000abcd"
    );
    assert_eq!(payout.details["agentConsumerID"], "awadiop");
    assert_eq!(
        payout.wire()["receptionServiceReceiveDetails"]["receiverDOB"],
        "1995-08-10"
    );
}

#[test]
fn a_payout_for_another_amount_than_agent_check_amount_is_refused() {
    let errors = validate_payout(
        Lang::Fr,
        &lookup(),
        9_500,
        &receiver_identity(),
        &ids(),
        TODAY,
    )
    .unwrap_err();
    assert_eq!(fields_of(&errors), ["amount"]);
    assert!(errors[0].message.contains("10 000"), "{errors:?}");
    let mut no_amount = lookup();
    no_amount.agent_check_amount = None;
    let errors = validate_payout(
        Lang::Fr,
        &no_amount,
        10_000,
        &receiver_identity(),
        &ids(),
        TODAY,
    )
    .unwrap_err();
    assert_eq!(fields_of(&errors), ["amount"]);
}

#[test]
fn a_transfer_already_paid_or_not_ready_is_not_paid_out() {
    let mut paid = lookup();
    paid.transaction_status = Some("RECVD".into());
    paid.ok_for_pickup = Some(false);
    let errors =
        validate_payout(Lang::Fr, &paid, 10_000, &receiver_identity(), &ids(), TODAY).unwrap_err();
    assert!(errors[0].message.contains("déjà été payé"), "{errors:?}");
    let mut waiting = lookup();
    waiting.ok_for_pickup = Some(false);
    assert!(waiting.not_payable(Lang::Fr).is_some());
    assert!(lookup().not_payable(Lang::Fr).is_none());
}

#[test]
fn every_missing_identity_field_is_named_in_french() {
    let errors =
        validate_payout(Lang::Fr, &lookup(), 10_000, &BTreeMap::new(), &ids(), TODAY).unwrap_err();
    // The 18 the cashier gives (the shop sets the 6 others).
    assert_eq!(errors.len(), 18, "{errors:?}");
    assert!(
        errors.iter().all(|e| e.message.ends_with("obligatoire")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.message == "Date de naissance (AAAA-MM-JJ) : obligatoire")
    );
}

#[test]
fn the_date_of_birth_is_a_real_date_and_the_receiver_is_of_age() {
    let check = |dob: &str| {
        let mut given = receiver_identity();
        given.insert("receiverDOB".into(), dob.into());
        validate_payout(Lang::Fr, &lookup(), 10_000, &given, &ids(), TODAY)
    };
    assert!(check("2008-12-01").is_ok(), "18 today");
    let minor = check("2008-12-02").unwrap_err();
    assert!(minor[0].message.contains("au moins 18 ans"), "{minor:?}");
    for bad in [
        "10/08/1995",
        "1995-02-30",
        "1995-8-10",
        "2030-01-01",
        "1850-01-01",
    ] {
        let e = check(bad).unwrap_err();
        assert_eq!(fields_of(&e), ["receiverDOB"], "{bad}: {e:?}");
    }
    assert_eq!(age_on(date!(2000 - 02 - 29), date!(2018 - 02 - 28)), 17);
    assert_eq!(age_on(date!(2000 - 02 - 29), date!(2018 - 03 - 01)), 18);
}

#[test]
fn names_as_on_the_id_without_accents_choices_from_the_server_lists() {
    let mut given = receiver_identity();
    given.insert("receiverFirstName".into(), "Aïcha".into());
    given.insert("receiverPhotoIdType".into(), "CNI".into());
    given.insert("receiverOccupation".into(), "student".into());
    given.insert("receiverPhone".into(), "12345".into());
    given.insert("receiverPhotoIdCountry".into(), "Sénégal".into());
    let errors = validate_payout(Lang::Fr, &lookup(), 10_000, &given, &ids(), TODAY).unwrap_err();
    assert_eq!(
        fields_of(&errors),
        [
            "receiverFirstName",
            "receiverPhotoIdType",
            "receiverPhotoIdCountry",
            "receiverPhone"
        ],
        "{errors:?}"
    );
    assert!(errors[0].message.contains("sans accent"));
    assert!(errors[1].message.contains("GOV, PAS, DRV, ALN, STA"));
    // A code in lower case is taken in the server's spelling.
    given = receiver_identity();
    given.insert("receiverOccupation".into(), "student".into());
    let ok = validate_payout(Lang::Fr, &lookup(), 10_000, &given, &ids(), TODAY).unwrap();
    assert_eq!(ok.details["receiverOccupation"], "STUDENT");
}

#[test]
fn a_field_moneygram_does_not_define_is_refused_and_so_are_shop_fields() {
    for extra in ["agentTransactionId", "consumerId", "callbackUrl"] {
        let mut given = receiver_identity();
        given.insert(extra.into(), "x".into());
        let errors =
            validate_payout(Lang::Fr, &lookup(), 10_000, &given, &ids(), TODAY).unwrap_err();
        assert_eq!(fields_of(&errors), ["fields"], "{extra}");
        assert!(errors[0].message.contains("rien n'a été envoyé"));
    }
}

#[test]
fn a_send_carries_the_23_sender_fields_and_the_receiver() {
    let names: Vec<&str> = SENDER_FIELDS.iter().map(|f| f.name).collect();
    for required in [
        "sourceOfFunds",
        "relationshipToReceiver",
        "senderOccupation",
        "senderIntendedUseOfMGIServices",
        "deliveryOption",
        "senderHomePhoneCountryCode",
    ] {
        assert!(names.contains(&required), "{required}");
    }
    let parties = validate_send(Lang::Fr, 3000, &sender(), &receiver(), &ids(), TODAY).unwrap();
    assert_eq!(parties.sender.len(), 23);
    assert_eq!(parties.receiver.len(), 6);
    assert_eq!(parties.phone, "772457199");
    let wire = parties.wire();
    assert_eq!(wire["senderDetails"]["deliveryOption"], "WILL_CALL");
    assert_eq!(wire["senderDetails"]["sendCurrency"], "XOF");
    assert_eq!(wire["receiverDetails"]["receiveCurrency"], "XOF");
}

#[test]
fn a_send_refuses_a_minor_sender_a_bad_amount_and_a_phone_without_its_code() {
    let mut s = sender();
    s.insert("senderDOB".into(), "2015-01-01".into());
    let mut r = receiver();
    r.insert("receiverPhone".into(), "0033612345678".into());
    let errors = validate_send(Lang::Fr, 0, &s, &r, &ids(), TODAY).unwrap_err();
    assert_eq!(
        fields_of(&errors),
        ["amount", "senderDOB", "receiverPhoneCountryCode"],
        "{errors:?}"
    );
    r.insert("receiverPhoneCountryCode".into(), "33".into());
    assert!(validate_send(Lang::Fr, 3000, &sender(), &r, &ids(), TODAY).is_ok());
}

#[test]
fn the_fees_are_quoted_first_and_the_confirmed_total_must_still_hold() {
    let quote = Quote::from_parts(Some(3000), Some(90), Some(3090), Some(3000)).unwrap();
    assert_eq!(check_quote(Lang::Fr, 3000, Some(&quote), 3090), Ok(3090));
    let no_quote = check_quote(Lang::Fr, 3000, None, 3090).unwrap_err();
    assert!(no_quote.message.contains("rien n'a été envoyé"));
    let other_amount = check_quote(Lang::Fr, 5000, Some(&quote), 3090).unwrap_err();
    assert!(other_amount.message.contains("3 000"), "{other_amount:?}");
    let changed = check_quote(Lang::Fr, 3000, Some(&quote), 3050).unwrap_err();
    assert!(
        changed.message.contains("les frais ont changé"),
        "{changed:?}"
    );
    // An incomplete or impossible quote is no quote.
    assert_eq!(Quote::from_parts(Some(3000), None, Some(3090), None), None);
    assert_eq!(
        Quote::from_parts(Some(3000), Some(0), Some(2000), None),
        None
    );
    assert_eq!(
        quote.lines(Lang::Fr)[2],
        ("Total à encaisser".to_owned(), "3 090 FCFA".to_owned())
    );
}

#[test]
fn a_reversal_names_its_reason_from_the_list_and_an_operator_of_7_characters() {
    let ok = validate_reversal(
        Lang::Fr,
        &ReversalInput {
            operator_name: "AWA".into(),
            reason: "WRONG_SERVICE".into(),
            fee_refund: true,
            agent_check_number: None,
        },
    )
    .unwrap();
    assert_eq!(
        serde_json::Value::Object(ok),
        serde_json::json!({
            "moneyGramOperatorName": "AWA",
            "moneyGramSendReversalReason": "WRONG_SERVICE",
            "moneyGramFeeRefund": "Y",
            "moneyGramAgentCheckType": "MTC",
        })
    );
    let errors = validate_reversal(
        Lang::Fr,
        &ReversalInput {
            operator_name: "SUPERVISEUR".into(),
            reason: "CHANGED_MIND".into(),
            fee_refund: false,
            agent_check_number: Some("1234567890123".into()),
        },
    )
    .unwrap_err();
    assert_eq!(
        fields_of(&errors),
        [
            "moneyGramOperatorName",
            "moneyGramSendReversalReason",
            "moneyGramAgentCheckNumber"
        ]
    );
    assert!(errors[1].message.contains("NO_RCV_LOC"), "{errors:?}");
    for reason in REVERSAL_REASONS {
        let input = ReversalInput {
            operator_name: "AWA".into(),
            reason: reason.code.into(),
            fee_refund: false,
            agent_check_number: Some("000123".into()),
        };
        let wire = validate_reversal(Lang::Fr, &input).unwrap();
        assert_eq!(wire["moneyGramFeeRefund"], "N");
        assert_eq!(wire["moneyGramAgentCheckNumber"], "000123");
    }
}

#[test]
fn moneygram_requests_get_a_longer_timeout_others_keep_theirs() {
    let base = std::time::Duration::from_secs(60);
    assert_eq!(request_timeout(PAYOUT, base).as_secs(), 90);
    assert_eq!(request_timeout(SEND, base).as_secs(), 90);
    assert_eq!(request_timeout("WAVE_SN_API_CASH_OUT", base).as_secs(), 60);
    assert_eq!(
        request_timeout(PAYOUT, std::time::Duration::from_secs(120)).as_secs(),
        120
    );
}

#[test]
fn the_reference_of_a_send_is_read_from_its_fields() {
    let fields = serde_json::json!({"referenceNumber": "12345678"});
    assert_eq!(send_reference(SEND, &fields).as_deref(), Some("12345678"));
    assert_eq!(send_reference(PAYOUT, &fields), None);
    assert_eq!(send_reference(SEND, &serde_json::json!({})), None);
    assert!(reference_sentence("12345678").contains("12345678"));
}

#[test]
fn english_messages_beside_the_french() {
    let errors =
        validate_payout(Lang::En, &lookup(), 1, &receiver_identity(), &ids(), TODAY).unwrap_err();
    assert!(
        errors[0].message.starts_with("the amount must be"),
        "{errors:?}"
    );
}

#[test]
fn a_successful_send_is_refundable_by_its_reversal_a_payout_never() {
    use crate::domain::{OpKind, TxStatus};
    let refundable = |service, status| {
        crate::domain::refund::refundable(
            OpKind::Payment,
            crate::domain::GatewayKind::Intech,
            service,
            status,
            Some("T1"),
        )
    };
    assert!(refundable(SEND, TxStatus::Success));
    assert!(!refundable(SEND, TxStatus::Pending));
    assert!(!refundable(SEND, TxStatus::Refunded));
    assert!(
        !refundable(PAYOUT, TxStatus::Success),
        "a payout's cash was handed over"
    );
}
