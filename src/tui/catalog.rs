//! The tiles of the home screen: every service grouped by what the customer wants.

use crate::catalog::services::{Country, SERVICES, ServiceInfo};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Encaisser,
    Depot,
    Factures,
    Recharges,
    Credit,
    WhatsApp,
    MoneyGram,
    Intram,
}

impl Group {
    pub fn label_in(self, lang: super::i18n::Lang) -> &'static str {
        if lang == super::i18n::Lang::Fr {
            return self.label();
        }
        match self {
            Group::Encaisser => "Collect",
            Group::Depot => "Deposit",
            Group::Factures => "Bills",
            Group::Recharges => "Top-ups",
            Group::Credit => "Airtime",
            Group::WhatsApp => "WhatsApp",
            Group::MoneyGram => "MoneyGram",
            Group::Intram => "Intram",
        }
    }

    /// The label as a tile's title holds it (14 columns with its number): "Crédit" for
    /// "Crédit téléphonique".
    pub fn short_in(self, lang: super::i18n::Lang) -> &'static str {
        match self {
            Group::Credit if lang == super::i18n::Lang::Fr => "Crédit",
            g => g.label_in(lang),
        }
    }

    /// The words cashiers use for the group, beyond its label (folded: no accents).
    fn words(self) -> &'static str {
        match self {
            Group::Encaisser => "retrait encaissement paiement payer cash out",
            Group::Depot => "depot envoi versement cash in",
            Group::Factures => "facture payer",
            Group::Recharges => "recharge",
            Group::Credit => "credit telephonique recharge airtime unites",
            Group::WhatsApp => "message",
            Group::MoneyGram => "transfert international",
            Group::Intram => "paiement carte",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Group::Encaisser => "Encaisser",
            Group::Depot => "Dépôt",
            Group::Factures => "Factures",
            Group::Recharges => "Recharges",
            Group::Credit => "Crédit téléphonique",
            Group::WhatsApp => "WhatsApp",
            Group::MoneyGram => "MoneyGram",
            Group::Intram => "Intram",
        }
    }
}

/// One tile: an Intech service, or Intram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    /// The Intech code, or `INTRAM`.
    pub code: &'static str,
    pub name: &'static str,
    pub icon: &'static str,
    pub group: Group,
    /// `None`: shown in both countries.
    pub country: Option<Country>,
}

pub const INTRAM_CODE: &str = "INTRAM";

fn group_of(s: &ServiceInfo) -> Group {
    match s.type_service {
        _ if s.code.starts_with("MONEYGRAM_") => Group::MoneyGram,
        "CASHOUT" => Group::Encaisser,
        "CASHIN" => Group::Depot,
        "BILL_PAY" => Group::Factures,
        "BILL_BUY_RELOAD" => Group::Recharges,
        "CREDIT_TELEPHONIQUE" => Group::Credit,
        _ => Group::WhatsApp,
    }
}

/// A shorter name for a tile: the group already says "Encaisser" or "Dépôt", so
/// "CashOut Wave Money" becomes "Wave". It fits the tile (14 columns).
fn tile_name(s: &ServiceInfo) -> &'static str {
    match s.code {
        // "Virement Bancaire Sénégal": the tile is in Sénégal's list already.
        "BANK_TRANSFER_SN_API_CASH_IN" => return "Virement",
        "MONEYGRAM_SN_API_CASH_IN" => return "Envoi",
        "MONEYGRAM_SN_API_CASH_OUT" => return "Réception",
        "WHATSAPP_MESSAGING" => return "Message",
        // A second MTN account of the vendor's.
        "MTN_CI_API_CASH_OUT_2" | "MTN_CI_API_CASH_IN_2" => return "Mtn 2",
        _ => {}
    }
    let mut name = s.name;
    for prefix in [
        "CashOut ",
        "Cashout ",
        "CashIn ",
        "Achat credit ",
        "Airtime ",
        "Recharge ",
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            name = rest;
        }
    }
    // "Orange Money CI": the tiles are the country's already.
    if let Some(rest) = name.strip_suffix(" CI") {
        name = rest;
    }
    match name.strip_suffix(" Money") {
        Some(short) if short.len() >= 3 => short,
        _ => name,
    }
}

/// Every tile, in group order, then in the vendor's order.
pub fn all_tiles() -> Vec<Tile> {
    let mut tiles: Vec<Tile> = SERVICES
        .iter()
        .map(|s| Tile {
            code: s.code,
            name: tile_name(s),
            icon: s.icon,
            group: group_of(s),
            country: Some(s.country),
        })
        .collect();
    tiles.push(Tile {
        code: INTRAM_CODE,
        name: "Paiement",
        icon: "card",
        group: Group::Intram,
        country: None,
    });
    tiles.sort_by_key(|t| t.group);
    tiles
}

/// Folds accents and case so that "senelec" finds "Sénélec".
pub fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' => 'e',
            'à' | 'â' | 'À' => 'a',
            'ô' | 'Ô' => 'o',
            'î' | 'ï' => 'i',
            'û' | 'ù' => 'u',
            'ç' => 'c',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// A service as the cashier knows it ("Dépôt Wave", "Crédit Orange"), not its code; an
/// unknown code is shown as it is.
pub fn service_label(code: &str, lang: super::i18n::Lang) -> String {
    use super::i18n::Lang::Fr;
    let Some(t) = all_tiles().into_iter().find(|t| t.code == code) else {
        return code.to_owned();
    };
    let what = match (t.group, lang) {
        (Group::Encaisser, Fr) => "Encaissement",
        (Group::Encaisser, _) => "Collect",
        (Group::Depot, Fr) => "Dépôt",
        (Group::Depot, _) => "Deposit",
        (Group::Factures, Fr) => "Facture",
        (Group::Factures, _) => "Bill",
        (Group::Recharges, Fr) => "Recharge",
        (Group::Recharges, _) => "Top-up",
        (Group::Credit, Fr) => "Crédit",
        (Group::Credit, _) => "Airtime",
        (Group::WhatsApp, Fr) => return "Message WhatsApp".into(),
        (Group::WhatsApp, _) => return "WhatsApp message".into(),
        (Group::MoneyGram, _) => "MoneyGram",
        (Group::Intram, Fr) => return "Paiement Intram".into(),
        (Group::Intram, _) => return "Intram payment".into(),
    };
    format!("{what} {}", t.name)
}

/// The words cashiers use for one service, beyond its name and group (folded).
fn service_words(code: &str) -> &'static str {
    let wallet = code.contains("_API_") || code.contains("_WALLET_");
    match code {
        c if c.starts_with("ORANGE_") && wallet => "om orange money",
        c if c.starts_with("MTN_") && wallet => "momo mtn money",
        "SENELEC_SN_BILL_PAY" | "WOYOFAL_SN_BILL_RELOAD" => "electricite courant compteur",
        "OOLUSOLAR_SN_BILL_RELOAD" | "BAOBAP_PLUS_SN_BILL_RELOAD" => "electricite solaire",
        "SENEAU_SN_BILL_PAY" | "AQUATECH_SN_BILL_PAY" => "eau",
        "UVS_SN_BILL_PAY" | "UCAD_SN_BILL_PAY" => "universite inscription",
        "RAPIDO_SN_BILL_RELOAD" => "peage autoroute",
        "XEWEUL_SN_BILL_RELOAD" => "television",
        "BANK_TRANSFER_SN_API_CASH_IN" => "virement bancaire banque",
        "BANK_CARD_API_CASH_OUT" => "carte bancaire",
        _ => "",
    }
}

/// Everything a tile is found by, folded: its name, its vendor's name, its code, its
/// group and the words cashiers use for them.
fn haystack(t: &Tile) -> Vec<String> {
    let vendor = crate::catalog::services::find(t.code).map_or("", |s| s.name);
    let text = format!(
        "{} {vendor} {} {} {} {} {}",
        t.name,
        t.code.replace('_', " "),
        t.group.label(),
        t.group.label_in(super::i18n::Lang::En),
        t.group.words(),
        service_words(t.code)
    );
    fold(&text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The tiles of a country that match the filter: every word typed starts a word of the
/// tile's haystack ("om" finds Orange Money, not "compteur"; "elec" finds électricité),
/// accents and case aside.
pub fn visible(tiles: &[Tile], country: Country, filter: &str) -> Vec<Tile> {
    let words: Vec<String> = fold(filter)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    tiles
        .iter()
        .filter(|t| t.country.is_none_or(|c| c == country))
        .filter(|t| {
            let hay = haystack(t);
            words
                .iter()
                .all(|w| hay.iter().any(|h| h.starts_with(w.as_str())))
        })
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_by_country_and_filter() {
        let tiles = all_tiles();
        let sn = visible(&tiles, Country::Senegal, "");
        assert!(sn.iter().all(|t| t.country != Some(Country::CoteDIvoire)));
        assert!(sn.iter().any(|t| t.code == INTRAM_CODE));
        assert!(sn.windows(2).all(|w| w[0].group <= w[1].group), "grouped");
        let wave = visible(&tiles, Country::Senegal, "wave");
        assert!(
            wave.iter().all(|t| t.code.starts_with("WAVE_SN")),
            "{wave:?}"
        );
        let senelec = visible(&tiles, Country::Senegal, "senelec");
        assert_eq!(senelec[0].code, "SENELEC_SN_BILL_PAY");
        let ci = visible(&tiles, Country::CoteDIvoire, "mtn");
        assert!(ci.len() >= 3 && ci.iter().all(|t| t.code.contains("MTN_CI")));
        assert!(
            visible(&tiles, Country::Senegal, "factures")
                .iter()
                .all(|t| t.group == Group::Factures)
        );
    }

    fn codes(country: Country, filter: &str) -> Vec<&'static str> {
        visible(&all_tiles(), country, filter)
            .iter()
            .map(|t| t.code)
            .collect()
    }

    #[test]
    fn the_words_cashiers_use_find_their_services() {
        use Country::{CoteDIvoire as CI, Senegal as SN};
        assert_eq!(
            codes(SN, "om"),
            ["ORANGE_SN_API_CASH_OUT", "ORANGE_SN_API_CASH_IN"]
        );
        assert_eq!(codes(SN, "orange money"), codes(SN, "om"));
        assert_eq!(codes(SN, "Orange Money"), codes(SN, "om"));
        assert_eq!(
            codes(CI, "om"),
            ["ORANGE_CI_API_CASH_OUT", "ORANGE_CI_API_CASH_IN"]
        );
        assert!(
            visible(&all_tiles(), SN, "retrait")
                .iter()
                .all(|t| t.group == Group::Encaisser)
        );
        assert_eq!(codes(SN, "retrait").len(), 6);
        assert_eq!(codes(SN, "retrait om"), ["ORANGE_SN_API_CASH_OUT"]);
        for typed in ["électricité", "electricite", "ELEC"] {
            let found = codes(SN, typed);
            assert!(found.contains(&"SENELEC_SN_BILL_PAY"), "{typed}");
            assert!(found.contains(&"WOYOFAL_SN_BILL_RELOAD"), "{typed}");
            assert!(!found.contains(&"SENEAU_SN_BILL_PAY"), "{typed}");
        }
        assert_eq!(
            codes(SN, "eau"),
            ["SENEAU_SN_BILL_PAY", "AQUATECH_SN_BILL_PAY"]
        );
        for typed in ["crédit", "credit"] {
            let found = visible(&all_tiles(), SN, typed);
            assert_eq!(found.len(), 3, "{typed}");
            assert!(found.iter().all(|t| t.group == Group::Credit), "{typed}");
        }
        let recharge = visible(&all_tiles(), SN, "recharge");
        assert!(recharge.iter().any(|t| t.code == "WOYOFAL_SN_BILL_RELOAD"));
        assert!(recharge.iter().any(|t| t.group == Group::Credit));
        assert!(
            recharge
                .iter()
                .all(|t| matches!(t.group, Group::Recharges | Group::Credit))
        );
        let bills = visible(&all_tiles(), SN, "facture");
        assert!(!bills.is_empty() && bills.iter().all(|t| t.group == Group::Factures));
        // "paie": the customer pays (a cash-out, a card by Intram).
        assert!(codes(SN, "paie").contains(&INTRAM_CODE));
        assert!(codes(SN, "paie").contains(&"WAVE_SN_API_CASH_OUT"));
    }

    #[test]
    fn a_service_reads_by_its_label_not_its_code() {
        use crate::i18n::Lang::{En, Fr};
        assert_eq!(
            service_label("ORANGE_SN_AIRTIME_CREDIT_TELEPHONIQUE", Fr),
            "Crédit Orange"
        );
        assert_eq!(service_label("WAVE_SN_API_CASH_IN", Fr), "Dépôt Wave");
        assert_eq!(service_label("WAVE_SN_API_CASH_OUT", En), "Collect Wave");
        assert_eq!(
            service_label("MONEYGRAM_SN_API_CASH_IN", Fr),
            "MoneyGram Envoi"
        );
        assert_eq!(service_label("INTRAM", Fr), "Paiement Intram");
        assert_eq!(service_label("NOT_A_SERVICE", Fr), "NOT_A_SERVICE");
        for t in all_tiles() {
            assert!(!service_label(t.code, Fr).contains('_'), "{}", t.code);
        }
    }

    #[test]
    fn every_tile_name_and_title_fits_its_tile() {
        for t in all_tiles() {
            // 14 columns inside the tile's border.
            assert!(t.name.chars().count() <= 14, "{}: {}", t.code, t.name);
            for lang in [crate::i18n::Lang::Fr, crate::i18n::Lang::En] {
                // "9 " and the label on the top border.
                let title = t.group.short_in(lang).chars().count() + 2;
                assert!(title <= 14, "{:?}", t.group);
            }
        }
    }
}
