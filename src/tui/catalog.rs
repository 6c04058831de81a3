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
/// "CashOut Wave Money" becomes "Wave".
fn tile_name(s: &ServiceInfo) -> &'static str {
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
        name: "Paiement Intram",
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

/// The tiles of a country that match the filter (name, code or group).
pub fn visible(tiles: &[Tile], country: Country, filter: &str) -> Vec<Tile> {
    let words: Vec<String> = fold(filter).split_whitespace().map(str::to_owned).collect();
    tiles
        .iter()
        .filter(|t| t.country.is_none_or(|c| c == country))
        .filter(|t| {
            let hay = fold(&format!(
                "{} {} {}",
                t.name,
                t.code.replace('_', " "),
                t.group.label()
            ));
            words.iter().all(|w| hay.contains(w.as_str()))
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
}
