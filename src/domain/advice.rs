//! What the cashier does next once a sale has ended, a function of what the sale was (its
//! kind: money in, money out, a bill…), whose operator it went to, and how it ended. One
//! table for the payment screen (and any other front-end): a failed deposit says to hand
//! the cash back, an operator's outage says to try later or another operator, and no
//! sentence ever names an operator other than the sale's own.

use crate::catalog::services::{self, TypeOperation};
use crate::i18n::Lang;

use super::TxStatus;

/// What a sale does with the money, from the counter's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The customer pays the shop from a wallet or a card (a cash-out, Intram): the shop
    /// then hands over cash or goods.
    Collect,
    /// The customer gave cash; the shop sends it to a wallet or an account (cash-in).
    Deposit,
    /// A bill paid for the customer.
    Bill,
    /// A reload (Woyofal, Rapido…) or airtime bought for the customer.
    Reload,
    /// A WhatsApp message sent for a fee.
    Message,
    MoneyGramSend,
    MoneyGramPayout,
}

impl Kind {
    /// The kind of a service by its code (`INTRAM`: the customer pays).
    pub fn of(service: &str) -> Kind {
        match service {
            super::moneygram::SEND => return Kind::MoneyGramSend,
            super::moneygram::PAYOUT => return Kind::MoneyGramPayout,
            _ => {}
        }
        let Some(info) = services::find(service) else {
            return Kind::Collect;
        };
        match info.type_service {
            "BILL_PAY" => Kind::Bill,
            "BILL_BUY_RELOAD" | "CREDIT_TELEPHONIQUE" => Kind::Reload,
            "MESSENGING_SMS" => Kind::Message,
            _ if info.type_operation == TypeOperation::Credit => Kind::Collect,
            _ => Kind::Deposit,
        }
    }
}

/// Why a sale failed, as far as the next step goes (from the gateway's error code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The operator (or the gateway's link to it) is down: nothing to fix at the counter.
    OperatorDown,
    /// The customer's wallet lacks the money.
    CustomerFunds,
    /// The number has no account with this operator, or is mistyped.
    Number,
    /// A limit of the customer's account (per month, per period).
    Limit,
    /// The amount breaks the operator's multiple.
    Amount,
    Other,
}

impl Cause {
    pub fn of(code: Option<&str>) -> Cause {
        match code.unwrap_or_default() {
            "operator_down_time"
            | "om_operator_internal_error"
            | "connexion_error"
            | "execution_error"
            | "SERVICE_DOWN"
            | "pos_already_connected" => Cause::OperatorDown,
            "insufficient_balance" | "balance_check_failed" => Cause::CustomerFunds,
            "invalid_phone_number"
            | "no_om_account"
            | "no_mtn_account"
            | "whatsapp_user_not_found"
            | "om_number_not_allowed"
            | "user_account_suspended" => Cause::Number,
            "monthly_max_amount_cumul_reached" | "interval_max_amount_cumul_reached" => {
                Cause::Limit
            }
            "bad_amount_5" | "bad_amount_50" | "bad_amount_100" => Cause::Amount,
            _ => Cause::Other,
        }
    }
}

/// The operator's name as the cashier knows it, from the service's code (`None` when the
/// service is no operator's: a bill, MoneyGram…).
pub fn operator(service: &str) -> Option<&'static str> {
    let prefix = service.split('_').next().unwrap_or_default();
    Some(match prefix {
        "ORANGE" => "Orange Money",
        "WAVE" => "Wave",
        "FREE" => "Free Money",
        "EXPRESSO" => "E-Money",
        "MTN" => "MTN Money",
        "MOOV" => "Moov Money",
        "WIZALL" => "Wizall",
        _ => return None,
    })
}

/// The next step after a sale ended with `status` (and `error_code` when it failed). Empty
/// while it is not over.
pub fn what_next(service: &str, status: TxStatus, error_code: Option<&str>, lang: Lang) -> String {
    let kind = Kind::of(service);
    let op = operator(service);
    match status {
        TxStatus::Success => success(kind, lang).to_owned(),
        TxStatus::Failed | TxStatus::Canceled | TxStatus::Expired | TxStatus::NotSent => {
            let mut out = String::from(nothing_moved(kind, lang));
            let cause = match status {
                TxStatus::Failed => Cause::of(error_code),
                _ => Cause::Other,
            };
            let then = match (status, cause) {
                (TxStatus::Expired, _) => {
                    lang.tr(
                        "Le client n'a pas validé à temps : refaites la vente s'il le souhaite.",
                        "The customer did not approve in time: start again if they wish.",
                    )
                    .to_owned()
                }
                (TxStatus::NotSent, _) => lang
                    .tr(
                        "La passerelle ne l'a jamais reçue : vous pouvez la refaire.",
                        "The gateway never received it: you may do it again.",
                    )
                    .to_owned(),
                (_, Cause::OperatorDown) => match (op, lang) {
                    (Some(op), Lang::Fr) => format!(
                        "{op} est momentanément indisponible : réessayez plus tard ou proposez \
                         un autre opérateur."
                    ),
                    (Some(op), Lang::En) => format!(
                        "{op} is down for now: try again later or offer another operator."
                    ),
                    (None, _) => lang
                        .tr(
                            "Le service est momentanément indisponible : réessayez plus tard.",
                            "The service is down for now: try again later.",
                        )
                        .to_owned(),
                },
                (_, Cause::CustomerFunds) if kind == Kind::Collect => match (op, lang) {
                    (Some(op), Lang::Fr) => format!(
                        "Le compte {op} du client n'a pas assez : il l'approvisionne ou paie \
                         autrement."
                    ),
                    (Some(op), Lang::En) => format!(
                        "The customer's {op} account is short: they top it up or pay another way."
                    ),
                    (None, _) => lang
                        .tr(
                            "Le compte du client n'a pas assez : il paie autrement.",
                            "The customer's account is short: they pay another way.",
                        )
                        .to_owned(),
                },
                (_, Cause::CustomerFunds) => lang
                    .tr(
                        "Le solde de la boutique ne suffit pas : approvisionnez-le avant de refaire.",
                        "The shop's balance is short: top it up before trying again.",
                    )
                    .to_owned(),
                (_, Cause::Number) => match (op, lang) {
                    (Some(op), Lang::Fr) => {
                        format!("Vérifiez que le numéro est bien un compte {op}, puis refaites.")
                    }
                    (Some(op), Lang::En) => {
                        format!("Check that the number is a {op} account, then start again.")
                    }
                    (None, _) => lang
                        .tr(
                            "Vérifiez le numéro avec le client, puis refaites.",
                            "Check the number with the customer, then start again.",
                        )
                        .to_owned(),
                },
                (_, Cause::Limit) => lang
                    .tr(
                        "Le compte du client a atteint son plafond : un montant plus petit, plus \
                         tard, ou un autre opérateur.",
                        "The customer's account reached its limit: a smaller amount, later, or \
                         another operator.",
                    )
                    .to_owned(),
                (_, Cause::Amount) => lang
                    .tr(
                        "Corrigez le montant (le multiple demandé), puis refaites.",
                        "Fix the amount (the multiple asked), then start again.",
                    )
                    .to_owned(),
                (_, Cause::Other) => lang
                    .tr(
                        "Vérifiez avec le client, puis refaites une vente.",
                        "Check with the customer, then start a new sale.",
                    )
                    .to_owned(),
            };
            out.push(' ');
            out.push_str(&then);
            out
        }
        TxStatus::Refunded => lang
            .tr(
                "Remboursement effectué : l'argent est rendu au client.",
                "Refund done: the money went back to the customer.",
            )
            .to_owned(),
        _ => String::new(),
    }
}

/// The headline of a sale that went through, in words that fit the service ("Dépôt
/// effectué", "Message envoyé"), or of a refund done; `None` for any other status.
pub fn headline(service: &str, status: TxStatus, lang: Lang) -> Option<&'static str> {
    if status == TxStatus::Refunded {
        return Some(lang.tr("Remboursement effectué", "Refund done"));
    }
    if status != TxStatus::Success {
        return None;
    }
    let airtime = services::find(service).is_some_and(|s| s.type_service == "CREDIT_TELEPHONIQUE");
    Some(match Kind::of(service) {
        Kind::Collect => lang.tr("Paiement réussi", "Payment successful"),
        Kind::Deposit => lang.tr("Dépôt effectué", "Deposit done"),
        Kind::Bill => lang.tr("Facture payée", "Bill paid"),
        Kind::Reload if airtime => lang.tr("Crédit envoyé", "Airtime sent"),
        Kind::Reload => lang.tr("Recharge effectuée", "Top-up done"),
        Kind::Message => lang.tr("Message envoyé", "Message sent"),
        Kind::MoneyGramSend => lang.tr("Envoi MoneyGram réussi", "MoneyGram send successful"),
        Kind::MoneyGramPayout => lang.tr("Transfert MoneyGram payé", "MoneyGram transfer paid"),
    })
}

fn success(kind: Kind, lang: Lang) -> &'static str {
    match kind {
        Kind::Collect => lang.tr(
            "Le client a payé : remettez-lui l'argent ou l'achat, et son reçu.",
            "The customer paid: hand over the cash or the goods, and the receipt.",
        ),
        Kind::Deposit => lang.tr(
            "L'argent est sur le compte du client : gardez ses espèces, remettez le reçu.",
            "The money is in the customer's account: keep the cash, give the receipt.",
        ),
        Kind::Bill => lang.tr(
            "Facture payée : remettez le reçu au client.",
            "Bill paid: give the customer the receipt.",
        ),
        Kind::Reload => lang.tr(
            "Recharge faite : donnez au client son code s'il y en a un, et le reçu.",
            "Reload done: give the customer their code if there is one, and the receipt.",
        ),
        Kind::Message => lang.tr(
            "Message remis à WhatsApp : encaissez son coût.",
            "Message handed to WhatsApp: collect its cost.",
        ),
        Kind::MoneyGramSend => lang.tr(
            "Donnez le numéro de référence à l'expéditeur.",
            "Give the sender the reference number.",
        ),
        Kind::MoneyGramPayout => lang.tr(
            "Remettez l'argent au bénéficiaire contre sa signature.",
            "Hand the money to the receiver against their signature.",
        ),
    }
}

/// What did not happen, first: for a deposit, the cash the customer gave goes back.
fn nothing_moved(kind: Kind, lang: Lang) -> &'static str {
    match kind {
        Kind::Deposit | Kind::MoneyGramSend => lang.tr(
            "Rien n'a été envoyé : rendez au client l'argent qu'il vous a donné.",
            "Nothing was sent: hand the customer back the cash they gave you.",
        ),
        Kind::Collect => lang.tr(
            "Rien n'a été encaissé : ne remettez rien au client.",
            "Nothing was collected: hand nothing over.",
        ),
        Kind::MoneyGramPayout => lang.tr(
            "Rien n'a été payé : ne remettez pas l'argent.",
            "Nothing was paid out: do not hand over the money.",
        ),
        Kind::Bill | Kind::Reload | Kind::Message => lang.tr(
            "Rien n'a été payé : ne prenez pas l'argent du client (rendez-le s'il l'a déjà donné).",
            "Nothing was paid: take no money (hand it back if given).",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Lang::Fr;

    #[test]
    fn a_failed_deposit_says_to_hand_the_cash_back() {
        for service in [
            "WAVE_SN_API_CASH_IN",
            "ORANGE_SN_API_CASH_IN",
            "MTN_CI_API_CASH_IN",
        ] {
            for (status, code) in [
                (TxStatus::Failed, Some("insufficient_balance")),
                (TxStatus::Failed, Some("operator_down_time")),
                (TxStatus::Failed, None),
                (TxStatus::NotSent, None),
                (TxStatus::Canceled, None),
            ] {
                let text = what_next(service, status, code, Fr);
                assert!(
                    text.contains("rendez au client l'argent"),
                    "{service} {status:?}: {text}"
                );
                assert!(!text.contains("encaissé"), "{text}");
            }
        }
        // The shop's own balance, not the customer's, is short on a deposit.
        let short = what_next(
            "WAVE_SN_API_CASH_IN",
            TxStatus::Failed,
            Some("insufficient_balance"),
            Fr,
        );
        assert!(short.contains("solde de la boutique"), "{short}");
    }

    #[test]
    fn an_operator_outage_says_later_or_another_operator() {
        for code in [
            "operator_down_time",
            "om_operator_internal_error",
            "SERVICE_DOWN",
        ] {
            let text = what_next("ORANGE_SN_API_CASH_OUT", TxStatus::Failed, Some(code), Fr);
            assert!(
                text.contains("Orange Money est momentanément indisponible"),
                "{text}"
            );
            assert!(text.contains("réessayez plus tard ou proposez un autre opérateur"));
            assert!(text.starts_with("Rien n'a été encaissé"), "{text}");
        }
        let bill = what_next(
            "SENELEC_SN_BILL_PAY",
            TxStatus::Failed,
            Some("SERVICE_DOWN"),
            Fr,
        );
        assert!(bill.contains("réessayez plus tard"), "{bill}");
        let en = what_next(
            "WAVE_SN_API_CASH_OUT",
            TxStatus::Failed,
            Some("operator_down_time"),
            Lang::En,
        );
        assert!(en.contains("Wave is down for now: try again later or offer another operator"));
    }

    #[test]
    fn a_refusal_names_only_the_sales_own_operator() {
        let others = ["Orange", "Wave", "MTN", "Moov", "Free", "Wizall", "E-Money"];
        for service in services::SERVICES.iter().map(|s| s.code).chain(["INTRAM"]) {
            let own = operator(service);
            for status in [
                TxStatus::Success,
                TxStatus::Failed,
                TxStatus::Expired,
                TxStatus::Canceled,
                TxStatus::NotSent,
                TxStatus::Refunded,
            ] {
                for code in [
                    None,
                    Some("insufficient_balance"),
                    Some("no_om_account"),
                    Some("operator_down_time"),
                    Some("monthly_max_amount_cumul_reached"),
                ] {
                    for lang in [Fr, Lang::En] {
                        let text = what_next(service, status, code, lang);
                        assert!(!text.is_empty(), "{service} {status:?}");
                        for other in others {
                            if own.is_none_or(|o| !o.starts_with(other)) {
                                assert!(!text.contains(other), "{service} {code:?}: {text}");
                            }
                        }
                    }
                }
            }
        }
        let wave = what_next(
            "WAVE_SN_API_CASH_OUT",
            TxStatus::Failed,
            Some("insufficient_balance"),
            Fr,
        );
        assert_eq!(
            wave,
            "Rien n'a été encaissé : ne remettez rien au client. Le compte Wave du client n'a \
             pas assez : il l'approvisionne ou paie autrement."
        );
    }

    #[test]
    fn the_headline_fits_the_service() {
        let h = |s| headline(s, TxStatus::Success, Fr).unwrap();
        assert_eq!(h("WAVE_SN_API_CASH_IN"), "Dépôt effectué");
        assert_eq!(h("WHATSAPP_MESSAGING"), "Message envoyé");
        assert_eq!(h("WAVE_SN_API_CASH_OUT"), "Paiement réussi");
        assert_eq!(h("SENELEC_SN_BILL_PAY"), "Facture payée");
        assert_eq!(h("WOYOFAL_SN_BILL_RELOAD"), "Recharge effectuée");
        assert_eq!(h("ORANGE_SN_AIRTIME_CREDIT_TELEPHONIQUE"), "Crédit envoyé");
        assert_eq!(
            headline("WAVE_SN_API_CASH_OUT", TxStatus::Refunded, Fr),
            Some("Remboursement effectué")
        );
        assert_eq!(headline("WAVE_SN_API_CASH_OUT", TxStatus::Failed, Fr), None);
    }

    #[test]
    fn each_kind_has_its_own_success() {
        let text = |s| what_next(s, TxStatus::Success, None, Fr);
        assert!(text("WAVE_SN_API_CASH_IN").contains("gardez ses espèces"));
        assert!(text("WAVE_SN_API_CASH_OUT").contains("remettez-lui l'argent"));
        assert!(text("WOYOFAL_SN_BILL_RELOAD").contains("son code"));
        assert!(text("WHATSAPP_MESSAGING").contains("encaissez son coût"));
        assert!(text("SENELEC_SN_BILL_PAY").contains("Facture payée"));
        assert!(text(super::super::moneygram::PAYOUT).contains("signature"));
        assert_eq!(
            what_next("WAVE_SN_API_CASH_OUT", TxStatus::Pending, None, Fr),
            ""
        );
    }
}
