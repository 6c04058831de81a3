use super::*;

fn op(service: &str, kind: OpKind, status: TxStatus, amount: i64) -> DrawerOp<'_> {
    DrawerOp {
        service,
        kind,
        status,
        amount,
        commission: 0,
        cash_out_use: CashOutUse::Withdrawal,
        paid_by_shop: false,
    }
}

#[test]
fn a_receipt_sent_by_whatsapp_is_paid_by_the_shop_from_its_balance_only() {
    let e = effect(&DrawerOp {
        paid_by_shop: true,
        ..op("WHATSAPP_MESSAGING", OpKind::Payment, TxStatus::Success, 25)
    });
    assert_eq!((e.cash, e.balance, e.shop_costs), (0, -25, 25));
    // Sold to the customer (the WhatsApp tile), a message is a sale like any other.
    let sold = effect(&op(
        "WHATSAPP_MESSAGING",
        OpKind::Payment,
        TxStatus::Success,
        25,
    ));
    assert_eq!((sold.cash, sold.balance, sold.shop_costs), (25, -25, 0));
    // One that failed cost nothing.
    let failed = effect(&DrawerOp {
        paid_by_shop: true,
        ..op("WHATSAPP_MESSAGING", OpKind::Payment, TxStatus::Failed, 25)
    });
    assert_eq!(failed, Effect::default());
    let t = Totals::of(&[DrawerOp {
        paid_by_shop: true,
        ..op("WHATSAPP_MESSAGING", OpKind::Payment, TxStatus::Success, 25)
    }]);
    let opening = Opening {
        cash: 1_000,
        balance: 10_000,
    };
    assert_eq!(t.expected_cash(opening), 1_000);
    assert_eq!(t.expected_balance(opening), 9_975);
    assert_eq!(t.shop_costs, 25);
}

#[test]
fn a_deposit_brings_cash_and_debits_the_balance() {
    let e = effect(&DrawerOp {
        commission: 50,
        ..op(
            "WAVE_SN_API_CASH_IN",
            OpKind::Payment,
            TxStatus::Success,
            10_000,
        )
    });
    assert_eq!((e.cash, e.balance, e.commission), (10_000, -9_950, 50));
}

#[test]
fn a_withdrawal_hands_out_cash_and_credits_the_balance() {
    let e = effect(&op(
        "ORANGE_SN_API_CASH_OUT",
        OpKind::Payment,
        TxStatus::Success,
        5_000,
    ));
    assert_eq!((e.cash, e.balance), (-5_000, 5_000));
}

#[test]
fn a_cash_out_paying_for_goods_hands_out_no_cash() {
    let e = effect(&DrawerOp {
        cash_out_use: CashOutUse::Goods,
        ..op(
            "WAVE_SN_API_CASH_OUT",
            OpKind::Payment,
            TxStatus::Success,
            5_000,
        )
    });
    assert_eq!((e.cash, e.balance, e.goods), (0, 5_000, 5_000));
}

#[test]
fn a_refund_reverses_its_sale_and_the_refunded_sale_still_counts() {
    let sale = op(
        "WAVE_SN_API_CASH_IN",
        OpKind::Payment,
        TxStatus::Refunded,
        2_000,
    );
    let refund = op(
        "WAVE_SN_API_CASH_IN",
        OpKind::Refund,
        TxStatus::Success,
        2_000,
    );
    let t = Totals::of(&[sale, refund]);
    assert_eq!(t.expected_cash(Opening::default()), 0);
    assert_eq!(t.expected_balance(Opening::default()), 0);
    assert_eq!((t.cash_in, t.cash_out), (2_000, 2_000));
}

#[test]
fn what_did_not_go_through_moves_nothing() {
    for status in TxStatus::ALL {
        if matches!(status, TxStatus::Success | TxStatus::Refunded) {
            continue;
        }
        for kind in [OpKind::Payment, OpKind::Refund] {
            let e = effect(&op("WAVE_SN_API_CASH_OUT", kind, status, 1_000));
            assert_eq!(e, Effect::default(), "{kind:?} {status:?}");
        }
    }
    // A refund that only reached REFUNDED is not a status a refund row takes: nothing.
    let e = effect(&op("NOT_A_SERVICE", OpKind::Payment, TxStatus::Success, 1));
    assert_eq!(e, Effect::default());
}

#[test]
fn expected_cash_is_the_float_plus_in_minus_out() {
    let ops = [
        op(
            "WAVE_SN_API_CASH_IN",
            OpKind::Payment,
            TxStatus::Success,
            3_000,
        ),
        op(
            "FREE_SN_WALLET_CASH_OUT",
            OpKind::Payment,
            TxStatus::Success,
            1_000,
        ),
        op(
            "SENELEC_SN_BILL_PAY",
            OpKind::Payment,
            TxStatus::Failed,
            9_000,
        ),
    ];
    let t = Totals::of(&ops);
    let opening = Opening {
        cash: 20_000,
        balance: 100_000,
    };
    assert_eq!(t.expected_cash(opening), 22_000);
    assert_eq!(t.expected_balance(opening), 98_000);
    assert_eq!(t.counted, 2);
}

/// `docs/drawer.md` carries the table generated from the catalogue, word for word.
#[test]
fn the_documented_table_is_the_catalogue_s() {
    let doc = include_str!("../../../docs/drawer.md");
    let table = markdown_table();
    assert!(
        doc.contains(&table),
        "docs/drawer.md must contain exactly:\n{table}"
    );
    // Every direction and service kind of the catalogue is in it.
    for s in services::SERVICES {
        assert!(table.contains(s.type_service), "{}", s.type_service);
    }
}
mod props {
    use super::*;
    use proptest::prelude::*;

    /// One step of a random day: a sale of a catalogue service, or the refund of an
    /// earlier sale (by index), each with a final or unsettled status.
    #[derive(Debug, Clone)]
    enum Step {
        Sale {
            service: usize,
            amount: i64,
            status: TxStatus,
            commission: i64,
            goods: bool,
        },
        Refund {
            of: usize,
            status: TxStatus,
        },
        /// A receipt sent by WhatsApp for the shop (its fee), with its status.
        Receipt {
            fee: i64,
            status: TxStatus,
        },
    }

    fn step() -> impl Strategy<Value = Step> {
        let status = proptest::sample::select(TxStatus::ALL.to_vec());
        prop_oneof![
            3 => (0..services::SERVICES.len(), 1i64..2_000_000, status.clone(), 0i64..5_000, any::<bool>())
                .prop_map(|(service, amount, status, commission, goods)| Step::Sale {
                    service, amount, status, commission, goods
                }),
            1 => (any::<usize>(), status.clone()).prop_map(|(of, status)| Step::Refund { of, status }),
            1 => (1i64..100, status).prop_map(|(fee, status)| Step::Receipt { fee, status }),
        ]
    }

    /// The shop as a person would count it, step by step, without the module's rules:
    /// a code with `CASH_OUT` credits the balance and hands out cash (unless for goods),
    /// any other takes cash and debits the balance.
    #[derive(Debug, Default)]
    struct World {
        cash: i64,
        balance: i64,
        commissions: i64,
        goods: i64,
        shop_costs: i64,
    }

    struct Sale {
        service: &'static str,
        amount: i64,
        status: TxStatus,
        commission: i64,
        use_: CashOutUse,
        paid_by_shop: bool,
    }

    fn day(steps: &[Step], opening: Opening) -> (Vec<Sale>, Vec<(usize, TxStatus)>, World) {
        let mut sales: Vec<Sale> = Vec::new();
        let mut refunds = Vec::new();
        let mut w = World {
            cash: opening.cash,
            balance: opening.balance,
            ..World::default()
        };
        for s in steps {
            match *s {
                Step::Sale {
                    service,
                    amount,
                    status,
                    commission,
                    goods,
                } => {
                    let info = &services::SERVICES[service];
                    let cash_out = info.code.contains("CASH_OUT");
                    // Refunded is reached only through a refund below.
                    let status = if status == TxStatus::Refunded {
                        TxStatus::Success
                    } else {
                        status
                    };
                    let use_ = if goods && cash_out {
                        CashOutUse::Goods
                    } else {
                        CashOutUse::Withdrawal
                    };
                    let commission = if status == TxStatus::Success {
                        commission
                    } else {
                        0
                    };
                    if status == TxStatus::Success {
                        match (cash_out, use_) {
                            (false, _) => {
                                w.cash += amount;
                                w.balance -= amount;
                            }
                            (true, CashOutUse::Withdrawal) => {
                                w.cash -= amount;
                                w.balance += amount;
                            }
                            (true, CashOutUse::Goods) => {
                                w.balance += amount;
                                w.goods += amount;
                            }
                        }
                        w.balance += commission;
                        w.commissions += commission;
                    }
                    sales.push(Sale {
                        service: info.code,
                        amount,
                        status,
                        commission,
                        use_,
                        paid_by_shop: false,
                    });
                }
                Step::Receipt { fee, status } => {
                    // A message is never refunded: REFUNDED reads as SUCCESS here.
                    let status = if status == TxStatus::Refunded {
                        TxStatus::Success
                    } else {
                        status
                    };
                    if status == TxStatus::Success {
                        w.balance -= fee;
                        w.shop_costs += fee;
                    }
                    sales.push(Sale {
                        service: "WHATSAPP_MESSAGING",
                        amount: fee,
                        status,
                        commission: 0,
                        use_: CashOutUse::Withdrawal,
                        paid_by_shop: true,
                    });
                }
                Step::Refund { of, status } => {
                    if sales.is_empty() {
                        continue;
                    }
                    let i = of % sales.len();
                    // Only a successful sale may be refunded (once); a receipt is not.
                    if sales[i].status != TxStatus::Success || sales[i].paid_by_shop {
                        continue;
                    }
                    let status = if status == TxStatus::Refunded {
                        TxStatus::Success
                    } else {
                        status
                    };
                    refunds.push((i, status));
                    if status == TxStatus::Success {
                        let sale = &mut sales[i];
                        sale.status = TxStatus::Refunded;
                        let cash_out = sale.service.contains("CASH_OUT");
                        match (cash_out, sale.use_) {
                            (false, _) => {
                                w.cash -= sale.amount;
                                w.balance += sale.amount;
                            }
                            (true, CashOutUse::Withdrawal) => {
                                w.cash += sale.amount;
                                w.balance -= sale.amount;
                            }
                            (true, CashOutUse::Goods) => {
                                w.balance -= sale.amount;
                                w.goods -= sale.amount;
                            }
                        }
                    }
                }
            }
        }
        (sales, refunds, w)
    }

    fn ops<'a>(sales: &'a [Sale], refunds: &[(usize, TxStatus)]) -> Vec<DrawerOp<'a>> {
        let mut ops: Vec<DrawerOp> = sales
            .iter()
            .map(|s| DrawerOp {
                service: s.service,
                kind: OpKind::Payment,
                status: s.status,
                amount: s.amount,
                commission: s.commission,
                cash_out_use: s.use_,
                paid_by_shop: s.paid_by_shop,
            })
            .collect();
        for &(i, status) in refunds {
            let s = &sales[i];
            ops.push(DrawerOp {
                service: s.service,
                kind: OpKind::Refund,
                status,
                amount: s.amount,
                commission: 0,
                cash_out_use: s.use_,
                paid_by_shop: s.paid_by_shop,
            });
        }
        ops
    }

    proptest! {
        /// Over a random day, what the drawer expects is what the shop holds, and
        /// cash + balance = opening total + commissions + goods (net).
        #[test]
        fn prop_the_drawer_balances_over_a_random_day(
            steps in proptest::collection::vec(step(), 0..60),
            cash in 0i64..5_000_000,
            balance in 0i64..50_000_000,
        ) {
            let opening = Opening { cash, balance };
            let (sales, refunds, world) = day(&steps, opening);
            let ops = ops(&sales, &refunds);
            let totals = Totals::of(&ops);
            let effects: Vec<Effect> = ops.iter().map(effect).collect();
            let cash_sum: i64 = effects.iter().map(|e| e.cash).sum();
            let balance_sum: i64 = effects.iter().map(|e| e.balance).sum();
            for e in &effects {
                prop_assert_eq!(e.cash + e.balance, e.commission + e.goods - e.shop_costs);
            }
            prop_assert_eq!(totals.expected_cash(opening), opening.cash + cash_sum);
            prop_assert_eq!(totals.expected_cash(opening), world.cash);
            prop_assert_eq!(totals.expected_balance(opening), opening.balance + balance_sum);
            prop_assert_eq!(totals.expected_balance(opening), world.balance);
            prop_assert_eq!(totals.commissions, world.commissions);
            prop_assert_eq!(totals.goods, world.goods);
            prop_assert_eq!(totals.shop_costs, world.shop_costs);
            prop_assert_eq!(
                totals.expected_cash(opening) + totals.expected_balance(opening),
                opening.cash + opening.balance + world.commissions + world.goods
                    - world.shop_costs
            );
        }
    }
}
