use super::*;
use crate::catalog::services::Country;

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
    // Any bill reference is text the server takes: only the account is refused.
    assert_eq!(errs.len(), 1);
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

#[test]
fn a_bill_account_is_5_to_20_letters_or_digits_as_the_server_checks() {
    assert_eq!(
        bill_account(Lang::Fr, " 21050176023 ").as_deref(),
        Ok("21050176023")
    );
    assert!(bill_account(Lang::Fr, "AB123").is_ok());
    assert!(bill_account(Lang::Fr, "1234").is_err());
    assert!(bill_account(Lang::Fr, "123456789012345678901").is_err());
    assert!(bill_account(Lang::Fr, "2105 0176023").is_err());
}

#[test]
fn bills_and_reloads_send_bill_account_number_and_any_bill_reference() {
    let mut fields = BTreeMap::new();
    fields.insert("accountNumber".to_owned(), "AB123".to_owned());
    fields.insert("billReference".to_owned(), "FACT-2026/11 n°7".to_owned());
    let valid = validate(
        "SENELEC_SN_BILL_PAY",
        Some("772457199"),
        Some(27684),
        &fields,
        None,
    )
    .unwrap();
    let mut wire = valid.fields;
    shop_fields("SENELEC_SN_BILL_PAY", "Boutique", "https://x", &mut wire);
    assert_eq!(wire["billAccountNumber"], "AB123");
    assert_eq!(wire["accountNumber"], "AB123");
    assert_eq!(wire["billReference"], "FACT-2026/11 n°7");
    let mut reload = BTreeMap::new();
    reload.insert("accountNumber".to_owned(), "14241003961".to_owned());
    shop_fields(
        "WOYOFAL_SN_BILL_RELOAD",
        "Boutique",
        "https://x",
        &mut reload,
    );
    assert_eq!(reload["billAccountNumber"], "14241003961");
}

#[test]
fn cards_and_transfers_get_what_the_server_demands() {
    let mut card = BTreeMap::new();
    shop_fields(
        "BANK_CARD_API_CASH_OUT",
        "Boutique Awa 2",
        "https://r",
        &mut card,
    );
    assert_eq!(card["merchantName"], "BoutiqueAwa");
    assert!(card["operationDescription"].chars().count() >= 20);
    assert_eq!(card["successRedirectUrl"], "https://r");
    assert_eq!(merchant_name("A1"), "Caisse");
    assert_eq!(merchant_name("Quincaillerie du Plateau"), "Quincailleriedu");
    let mut transfer = BTreeMap::new();
    shop_fields(
        "BANK_TRANSFER_SN_API_CASH_IN",
        "X",
        "https://r",
        &mut transfer,
    );
    assert!(transfer["operationDescription"].chars().count() >= 20);
    let mut om_ci = BTreeMap::new();
    shop_fields("ORANGE_CI_API_CASH_OUT", "X", "https://r", &mut om_ci);
    assert_eq!(om_ci["errorRedirectUrl"], "https://r");
    let mut card_type = BTreeMap::new();
    card_type.insert("cardType".to_owned(), "visa_electron".to_owned());
    let spec = fields_for("BANK_CARD_API_CASH_OUT")
        .into_iter()
        .find(|s| s.name == "cardType")
        .unwrap();
    assert_eq!(
        check_named(Lang::Fr, &spec, &card_type),
        Ok(Some("VISA_ELECTRON".into()))
    );
    card_type.insert("cardType".to_owned(), "AMEX".to_owned());
    assert!(check_named(Lang::Fr, &spec, &card_type).is_err());
}
