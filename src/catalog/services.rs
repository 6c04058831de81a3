//! The Intech service catalogue as the vendor documents it (`GET /api-services/services`),
//! plus the services the documentation uses elsewhere (Wizall cash-in, MoneyGram).
//!
//! This is reference data, shared by the sandbox (which serves it) and the app (which
//! groups it into tiles). The live list from the gateway always wins at run time: a shop's
//! account only has some services enabled.

/// Money direction as Intech names it, seen from the shop's balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeOperation {
    /// The shop's balance pays (cash-in to a wallet, bills, reloads, airtime, messages).
    Debit,
    /// The shop's balance receives (cash-out: the customer pays).
    Credit,
}

impl TypeOperation {
    pub fn as_str(self) -> &'static str {
        match self {
            TypeOperation::Debit => "DEBIT",
            TypeOperation::Credit => "CREDIT",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Country {
    Senegal,
    CoteDIvoire,
}

impl Country {
    pub fn code(self) -> &'static str {
        match self {
            Country::Senegal => "SN",
            Country::CoteDIvoire => "CI",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceInfo {
    pub code: &'static str,
    /// The name as the vendor's catalogue gives it.
    pub name: &'static str,
    /// File stem of our own icon in `assets/icons/` (`wave` → `assets/icons/wave.svg`).
    pub icon: &'static str,
    pub type_operation: TypeOperation,
    /// `CASHIN`, `CASHOUT`, `CREDIT_TELEPHONIQUE`, `BILL_PAY`, `BILL_BUY_RELOAD`, `MESSENGING_SMS`.
    pub type_service: &'static str,
    pub country: Country,
}

const fn svc(
    code: &'static str,
    name: &'static str,
    icon: &'static str,
    type_operation: TypeOperation,
    type_service: &'static str,
    country: Country,
) -> ServiceInfo {
    ServiceInfo {
        code,
        name,
        icon,
        type_operation,
        type_service,
        country,
    }
}

use Country::{CoteDIvoire as CI, Senegal as SN};
use TypeOperation::{Credit, Debit};

/// In the order of the vendor's documented reply, then the extra documented codes.
pub static SERVICES: &[ServiceInfo] = &[
    svc(
        "FREE_SN_WALLET_CASH_IN",
        "CashIn Free Money",
        "free",
        Debit,
        "CASHIN",
        SN,
    ),
    svc(
        "EXPRESSO_SN_WALLET_CASH_IN",
        "CashIn E Money",
        "expresso",
        Debit,
        "CASHIN",
        SN,
    ),
    svc(
        "FREE_SN_WALLET_CASH_OUT",
        "CashOut Free Money",
        "free",
        Credit,
        "CASHOUT",
        SN,
    ),
    svc(
        "EXPRESSO_SN_WALLET_CASH_OUT",
        "CashOut E Money",
        "expresso",
        Credit,
        "CASHOUT",
        SN,
    ),
    svc(
        "ORANGE_SN_AIRTIME_CREDIT_TELEPHONIQUE",
        "Achat credit Orange",
        "orange",
        Debit,
        "CREDIT_TELEPHONIQUE",
        SN,
    ),
    svc(
        "FREE_SN_AIRTIME_CREDIT_TELEPHONIQUE",
        "Achat credit Free",
        "free",
        Debit,
        "CREDIT_TELEPHONIQUE",
        SN,
    ),
    svc(
        "EXPRESSO_SN_AIRTIME_CREDIT_TELEPHONIQUE",
        "Achat credit Expresso",
        "expresso",
        Debit,
        "CREDIT_TELEPHONIQUE",
        SN,
    ),
    svc(
        "ORANGE_SN_API_CASH_IN",
        "CashIn Orange Money",
        "orange",
        Debit,
        "CASHIN",
        SN,
    ),
    svc(
        "ORANGE_SN_API_CASH_OUT",
        "CashOut Orange Money",
        "orange",
        Credit,
        "CASHOUT",
        SN,
    ),
    svc(
        "WAVE_SN_API_CASH_IN",
        "CashIn Wave Money",
        "wave",
        Debit,
        "CASHIN",
        SN,
    ),
    svc(
        "WAVE_SN_API_CASH_OUT",
        "CashOut Wave Money",
        "wave",
        Credit,
        "CASHOUT",
        SN,
    ),
    svc(
        "WIZALL_SN_API_CASH_OUT",
        "CashOut Wizall Money",
        "wizall",
        Credit,
        "CASHOUT",
        SN,
    ),
    svc(
        "BANK_CARD_API_CASH_OUT",
        "CashOut Carte Bancaire",
        "card",
        Credit,
        "CASHOUT",
        SN,
    ),
    svc(
        "RAPIDO_SN_BILL_RELOAD",
        "Recharge Rapido",
        "rapido",
        Debit,
        "BILL_BUY_RELOAD",
        SN,
    ),
    svc(
        "WOYOFAL_SN_BILL_RELOAD",
        "Recharge Woyofal",
        "woyofal",
        Debit,
        "BILL_BUY_RELOAD",
        SN,
    ),
    svc(
        "SENELEC_SN_BILL_PAY",
        "Sénélec",
        "senelec",
        Debit,
        "BILL_PAY",
        SN,
    ),
    svc(
        "SENEAU_SN_BILL_PAY",
        "SenEau",
        "seneau",
        Debit,
        "BILL_PAY",
        SN,
    ),
    svc(
        "XEWEUL_SN_BILL_RELOAD",
        "Recharge Xeweul",
        "xeweul",
        Debit,
        "BILL_BUY_RELOAD",
        SN,
    ),
    svc(
        "OOLUSOLAR_SN_BILL_RELOAD",
        "Oolu Solar",
        "oolusolar",
        Debit,
        "BILL_BUY_RELOAD",
        SN,
    ),
    svc(
        "BAOBAP_PLUS_SN_BILL_RELOAD",
        "Baobab Plus",
        "baobabplus",
        Debit,
        "BILL_BUY_RELOAD",
        SN,
    ),
    svc(
        "DER_FJ_SN_BILL_RELOAD",
        "Der/Fj",
        "derfj",
        Debit,
        "BILL_BUY_RELOAD",
        SN,
    ),
    svc(
        "AQUATECH_SN_BILL_PAY",
        "Aquatech",
        "aquatech",
        Debit,
        "BILL_PAY",
        SN,
    ),
    svc("UVS_SN_BILL_PAY", "UVS", "uvs", Debit, "BILL_PAY", SN),
    svc("UCAD_SN_BILL_PAY", "UCAD", "ucad", Debit, "BILL_PAY", SN),
    svc(
        "WHATSAPP_MESSAGING",
        "WhatsApp Message",
        "whatsapp",
        Debit,
        "MESSENGING_SMS",
        SN,
    ),
    svc(
        "BANK_TRANSFER_SN_API_CASH_IN",
        "Virement Bancaire Sénégal",
        "bank",
        Debit,
        "CASHIN",
        SN,
    ),
    svc(
        "ORANGE_CI_API_CASH_IN",
        "CashIn Orange Money CI",
        "orange",
        Debit,
        "CASHIN",
        CI,
    ),
    svc(
        "ORANGE_CI_API_CASH_OUT",
        "Cashout Orange Money CI",
        "orange",
        Credit,
        "CASHOUT",
        CI,
    ),
    svc(
        "ORANGE_CI_AIRTIME_CREDIT_TELEPHONIQUE",
        "Airtime Orange Money CI",
        "orange",
        Debit,
        "CREDIT_TELEPHONIQUE",
        CI,
    ),
    svc(
        "MTN_CI_API_CASH_IN",
        "CashIn Mtn Money CI",
        "mtn",
        Debit,
        "CASHIN",
        CI,
    ),
    svc(
        "MTN_CI_API_CASH_OUT",
        "CashOut Mtn Money CI",
        "mtn",
        Credit,
        "CASHOUT",
        CI,
    ),
    svc(
        "MTN_CI_AIRTIME_CREDIT_TELEPHONIQUE",
        "Airtime Mtn CI",
        "mtn",
        Debit,
        "CREDIT_TELEPHONIQUE",
        CI,
    ),
    svc(
        "MOOV_CI_API_CASH_IN",
        "CashIn Moov Money CI",
        "moov",
        Debit,
        "CASHIN",
        CI,
    ),
    svc(
        "MOOV_CI_API_CASH_OUT",
        "CashOut Moov Money CI",
        "moov",
        Credit,
        "CASHOUT",
        CI,
    ),
    svc(
        "MOOV_CI_AIRTIME_CREDIT_TELEPHONIQUE",
        "Airtime Moov CI",
        "moov",
        Debit,
        "CREDIT_TELEPHONIQUE",
        CI,
    ),
    svc(
        "MTN_CI_API_CASH_OUT_2",
        "CashOut Mtn Money CI 2",
        "mtn",
        Credit,
        "CASHOUT",
        CI,
    ),
    svc(
        "MTN_CI_API_CASH_IN_2",
        "CashIn Mtn Money CI 2",
        "mtn",
        Debit,
        "CASHIN",
        CI,
    ),
    svc(
        "WAVE_CI_API_CASH_IN",
        "CashIn Wave Money CI",
        "wave",
        Debit,
        "CASHIN",
        CI,
    ),
    // Documented in the examples and the service tables, absent from the example reply.
    svc(
        "WIZALL_SN_API_CASH_IN",
        "CashIn Wizall Money",
        "wizall",
        Debit,
        "CASHIN",
        SN,
    ),
    svc(
        "MONEYGRAM_SN_API_CASH_IN",
        "MoneyGram Envoi",
        "moneygram",
        Debit,
        "CASHIN",
        SN,
    ),
    svc(
        "MONEYGRAM_SN_API_CASH_OUT",
        "MoneyGram Réception",
        "moneygram",
        Credit,
        "CASHOUT",
        SN,
    ),
];

/// Calls `$m!` with every icon stem, once each: the one list behind [`ICONS`], the
/// sandbox's SVG files and the app's pixel art (`include_str!` needs literal paths, so the
/// list is handed over as tokens).
macro_rules! with_icon_stems {
    ($m:ident) => {
        $m!(
            "free",
            "expresso",
            "orange",
            "wave",
            "wizall",
            "card",
            "rapido",
            "woyofal",
            "senelec",
            "seneau",
            "xeweul",
            "oolusolar",
            "baobabplus",
            "derfj",
            "aquatech",
            "uvs",
            "ucad",
            "whatsapp",
            "bank",
            "mtn",
            "moov",
            "moneygram",
        )
    };
}
pub(crate) use with_icon_stems;

macro_rules! stem_list {
    ($($stem:literal),* $(,)?) => {
        &[$($stem),*]
    };
}

/// Every icon stem used by [`SERVICES`], once each (our drawings in `assets/icons/`).
pub static ICONS: &[&str] = with_icon_stems!(stem_list);

pub fn find(code: &str) -> Option<&'static ServiceInfo> {
    SERVICES.iter().find(|s| s.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_icons_known() {
        let mut codes: Vec<_> = SERVICES.iter().map(|s| s.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), SERVICES.len());
        for s in SERVICES {
            assert!(
                ICONS.contains(&s.icon),
                "{} uses unknown icon {}",
                s.code,
                s.icon
            );
        }
        for icon in ICONS {
            assert!(
                SERVICES.iter().any(|s| s.icon == *icon),
                "icon {icon} unused"
            );
        }
    }

    #[test]
    fn direction_follows_the_code() {
        for s in SERVICES {
            if s.code.contains("CASH_OUT") {
                assert_eq!(s.type_operation, TypeOperation::Credit, "{}", s.code);
            } else {
                assert_eq!(s.type_operation, TypeOperation::Debit, "{}", s.code);
            }
        }
    }
}
