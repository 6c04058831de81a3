use super::*;

fn no_fields() -> BTreeMap<String, String> {
    BTreeMap::new()
}

#[test]
fn phones_per_country_and_service() {
    assert_eq!(
        normalize_phone("WAVE_SN_API_CASH_OUT", Country::Senegal, "77 245 71 99"),
        Ok("772457199".into())
    );
    assert_eq!(
        normalize_phone("WAVE_SN_API_CASH_OUT", Country::Senegal, "+221772457199"),
        Ok("772457199".into())
    );
    assert_eq!(
        normalize_phone("WHATSAPP_MESSAGING", Country::Senegal, "772450000"),
        Ok("+221772450000".into())
    );
    assert_eq!(
        normalize_phone("BANK_CARD_API_CASH_OUT", Country::Senegal, "772450000"),
        Ok("221772450000".into())
    );
    assert_eq!(
        normalize_phone("MTN_CI_API_CASH_IN", Country::CoteDIvoire, "0712345678"),
        Ok("0712345678".into())
    );
    assert!(
        normalize_phone("MTN_CI_API_CASH_IN", Country::CoteDIvoire, "772457199")
            .unwrap_err()
            .contains("10 chiffres")
    );
    assert!(
        normalize_phone("WAVE_SN_API_CASH_OUT", Country::Senegal, "7724571")
            .unwrap_err()
            .contains("9 chiffres")
    );
    assert!(
        normalize_phone("WAVE_SN_API_CASH_OUT", Country::Senegal, "332457199")
            .unwrap_err()
            .contains("commencer par")
    );
    assert!(normalize_phone("WAVE_SN_API_CASH_OUT", Country::Senegal, "77245719a").is_err());
}

#[test]
fn amounts_multiples_and_balance() {
    let wave = services::find("WAVE_SN_API_CASH_OUT").unwrap();
    assert!(check_amount(wave, 1500, None).is_ok());
    assert!(
        check_amount(wave, 1501, None)
            .unwrap_err()
            .contains("multiple de 5")
    );
    let om = services::find("ORANGE_SN_API_CASH_IN").unwrap();
    assert!(
        check_amount(om, 1025, None)
            .unwrap_err()
            .contains("multiple de 50")
    );
    assert!(
        check_amount(om, 10_000, Some(5_000.0))
            .unwrap_err()
            .contains("solde insuffisant")
    );
    // A cash-out brings money in: the balance does not limit it.
    assert!(check_amount(wave, 10_000, Some(5_000.0)).is_ok());
    assert!(check_amount(wave, 0, None).is_err());
    assert!(check_amount(wave, MAX_AMOUNT + 5, None).is_err());
}

#[test]
fn required_fields_per_service() {
    let errs = validate(
        "SENELEC_SN_BILL_PAY",
        Some("772457199"),
        Some(1000),
        &no_fields(),
        None,
    )
    .unwrap_err();
    let names: Vec<_> = errs.iter().map(|e| e.field).collect();
    assert_eq!(names, ["accountNumber", "billReference"]);
    let mut fields = no_fields();
    fields.insert("accountNumber".into(), "2105 0176023".into());
    fields.insert("billReference".into(), "12a45".into());
    let errs = validate(
        "SENELEC_SN_BILL_PAY",
        Some("772457199"),
        Some(1000),
        &fields,
        None,
    )
    .unwrap_err();
    assert!(errs[0].message.contains("Numéro de contrat"));
    assert_eq!(errs.len(), 2);
    fields.insert("accountNumber".into(), "21050176023".into());
    fields.insert("billReference".into(), "1062208013069".into());
    let ok = validate(
        "SENELEC_SN_BILL_PAY",
        Some("77 245 71 99"),
        Some(27684),
        &fields,
        None,
    )
    .unwrap();
    assert_eq!(ok.phone.as_deref(), Some("772457199"));

    let ok = validate(
        "WHATSAPP_MESSAGING",
        Some("772450000"),
        None,
        &[("message".to_owned(), "Bonjour".to_owned())].into(),
        None,
    )
    .unwrap();
    assert_eq!(ok.amount, None);
    assert!(validate("NO_SUCH_SERVICE", None, None, &no_fields(), None).is_err());
    let errs = validate(
        "BANK_CARD_API_CASH_OUT",
        Some("772450000"),
        Some(1000),
        &no_fields(),
        None,
    )
    .unwrap_err();
    assert!(errs.iter().any(|e| e.field == "cardCVC"));
    assert!(!errs.iter().any(|e| e.field == "customerEmail"), "optional");
}
