//! The machine over every (kind, status, event) triple: an explicit table of the moves,
//! "unchanged" for every pair it does not list, and the invariants on every pair.

use super::*;
use crate::domain::answers::*;
use TxStatus::*;

const NOW: i64 = 100_000_000;

fn plan() -> PollPlan {
    PollPlan::default()
}

fn failed(code: &str) -> PaymentStatus {
    PaymentStatus::Failed {
        code: Some(code.into()),
        message: Some("refusé".into()),
    }
}

/// The events of the table, by name.
fn events() -> Vec<(&'static str, Event)> {
    let status = |s: PaymentStatus| {
        Event::Poll(PollAnswer::Status {
            status: s,
            gateway_tx_id: Some("T1".into()),
            details: Default::default(),
            customer_url: None,
        })
    };
    let callback = |s: PaymentStatus, trusted| Event::Callback {
        status: s,
        gateway_tx_id: "T1".into(),
        trusted,
    };
    let accepted = |s: PaymentStatus| {
        Event::Reply(Reply::Accepted {
            status: s,
            facts: Facts {
                gateway_tx_id: Some("T1".into()),
                ..Facts::default()
            },
        })
    };
    vec![
        ("recorded", Event::Recorded),
        ("reply pending", accepted(PaymentStatus::Pending)),
        ("reply success", accepted(PaymentStatus::Success)),
        ("reply failed", accepted(failed("operator_down_time"))),
        (
            "reply refused",
            Event::Reply(Reply::Refused {
                code: Some("insufficient_balance".into()),
                message: "solde".into(),
                facts: Facts::default(),
            }),
        ),
        (
            "reply timeout",
            Event::Reply(Reply::NoAnswer {
                why: NoAnswer::TimedOut,
                message: "délai".into(),
            }),
        ),
        (
            "reply 500",
            Event::Reply(Reply::NoAnswer {
                why: NoAnswer::Http(500),
                message: "500".into(),
            }),
        ),
        (
            "reply not connected",
            Event::Reply(Reply::NoAnswer {
                why: NoAnswer::NotConnected,
                message: "hors ligne".into(),
            }),
        ),
        ("poll pending", status(PaymentStatus::Pending)),
        ("poll processing", status(PaymentStatus::Processing)),
        ("poll success", status(PaymentStatus::Success)),
        ("poll failed", status(failed("operator_down_time"))),
        ("poll expired", status(failed("payment-timeout"))),
        ("poll refunded", status(PaymentStatus::Refunded)),
        ("poll canceled", status(PaymentStatus::Canceled)),
        ("poll not found", Event::Poll(PollAnswer::NotFound)),
        (
            "poll unreadable",
            Event::Poll(PollAnswer::Unreadable {
                reason: "code 4000 inconnu".into(),
            }),
        ),
        (
            "poll no answer",
            Event::Poll(PollAnswer::NoAnswer {
                why: NoAnswer::TimedOut,
            }),
        ),
        ("callback success", callback(PaymentStatus::Success, false)),
        ("callback failed", callback(failed("x"), false)),
        ("callback pending", callback(PaymentStatus::Pending, false)),
        (
            "signed callback success",
            callback(PaymentStatus::Success, true),
        ),
        ("signed callback failed", callback(failed("x"), true)),
        ("recovery", Event::Recovery { everything: true }),
    ]
}

/// An operation in `status`, as the journal would hold it: sent long ago (past the review
/// delay) and, once answered, acknowledged; seen not found once, minutes ago.
fn op(kind: OpKind, status: TxStatus) -> Op {
    let sent = status != New;
    Op {
        kind,
        status,
        created_at: NOW - 30 * 60_000,
        sent_at: sent.then_some(NOW - 30 * 60_000),
        acknowledged: !matches!(status, New | Unknown | NotSent),
        next_poll_at: (!status.is_final()).then_some(NOW + 1_000),
        not_found: 1,
        first_not_found_at: Some(NOW - 10 * 60_000),
        unreadable_since: None,
        confirm_pending: false,
    }
}

/// Every move the machine makes; any (kind, from, event) not listed leaves the status.
const MOVES: &[(OpKind, TxStatus, &str, TxStatus)] = {
    use OpKind::{Payment as P, Refund as R};
    &[
        // The send's answer, while NEW (or UNKNOWN after a crash between send and record).
        (P, New, "reply pending", Pending),
        (P, New, "reply success", Success),
        (P, New, "reply failed", Failed),
        (P, New, "reply refused", Failed),
        (P, New, "reply timeout", Unknown),
        (P, New, "reply 500", Unknown),
        (P, New, "reply not connected", NotSent),
        (P, Unknown, "reply pending", Pending),
        (P, Unknown, "reply success", Success),
        (P, Unknown, "reply failed", Failed),
        (P, Unknown, "reply refused", Failed),
        (P, Unknown, "reply not connected", NotSent),
        (P, Pending, "reply success", Success),
        (P, Pending, "reply failed", Failed),
        (P, Pending, "reply refused", Failed),
        (P, Processing, "reply success", Success),
        (P, Processing, "reply failed", Failed),
        (P, Processing, "reply refused", Failed),
        (P, Review, "reply success", Success),
        (P, Review, "reply failed", Failed),
        (P, Review, "reply refused", Failed),
        (P, Review, "reply not connected", NotSent),
        // A refund's answer: any acceptance means done.
        (R, New, "reply pending", Success),
        (R, New, "reply success", Success),
        (R, New, "reply failed", Success),
        (R, New, "reply refused", Failed),
        (R, New, "reply timeout", Unknown),
        (R, New, "reply 500", Unknown),
        (R, New, "reply not connected", NotSent),
        (R, Unknown, "reply pending", Success),
        (R, Unknown, "reply success", Success),
        (R, Unknown, "reply failed", Success),
        (R, Unknown, "reply refused", Failed),
        (R, Unknown, "reply not connected", NotSent),
        (R, Pending, "reply pending", Success),
        (R, Pending, "reply success", Success),
        (R, Pending, "reply failed", Success),
        (R, Pending, "reply refused", Failed),
        (R, Processing, "reply pending", Success),
        (R, Processing, "reply success", Success),
        (R, Processing, "reply failed", Success),
        (R, Processing, "reply refused", Failed),
        (R, Review, "reply pending", Success),
        (R, Review, "reply success", Success),
        (R, Review, "reply failed", Success),
        (R, Review, "reply refused", Failed),
        (R, Review, "reply not connected", NotSent),
        // Status answers about a payment.
        (P, New, "poll pending", Pending),
        (P, New, "poll processing", Processing),
        (P, New, "poll success", Success),
        (P, New, "poll failed", Failed),
        (P, New, "poll expired", Expired),
        (P, New, "poll refunded", Refunded),
        (P, New, "poll canceled", Canceled),
        (P, New, "poll not found", NotSent),
        (P, New, "poll unreadable", Review),
        (P, Unknown, "poll pending", Pending),
        (P, Unknown, "poll processing", Processing),
        (P, Unknown, "poll success", Success),
        (P, Unknown, "poll failed", Failed),
        (P, Unknown, "poll expired", Expired),
        (P, Unknown, "poll refunded", Refunded),
        (P, Unknown, "poll canceled", Canceled),
        (P, Unknown, "poll not found", NotSent),
        (P, Unknown, "poll unreadable", Review),
        (P, Pending, "poll processing", Processing),
        (P, Pending, "poll success", Success),
        (P, Pending, "poll failed", Failed),
        (P, Pending, "poll expired", Expired),
        (P, Pending, "poll refunded", Refunded),
        (P, Pending, "poll canceled", Canceled),
        (P, Pending, "poll not found", Review),
        (P, Pending, "poll unreadable", Review),
        (P, Processing, "poll success", Success),
        (P, Processing, "poll failed", Failed),
        (P, Processing, "poll expired", Expired),
        (P, Processing, "poll refunded", Refunded),
        (P, Processing, "poll canceled", Canceled),
        (P, Processing, "poll not found", Review),
        (P, Processing, "poll unreadable", Review),
        (P, Review, "poll success", Success),
        (P, Review, "poll failed", Failed),
        (P, Review, "poll expired", Expired),
        (P, Review, "poll refunded", Refunded),
        (P, Review, "poll canceled", Canceled),
        // Status answers about a refund: the refunded sale's status.
        (R, New, "poll refunded", Success),
        (R, New, "poll success", NotSent),
        (R, New, "poll pending", Review),
        (R, New, "poll processing", Review),
        (R, New, "poll failed", Review),
        (R, New, "poll expired", Review),
        (R, New, "poll canceled", Review),
        (R, New, "poll not found", Review),
        (R, New, "poll unreadable", Review),
        (R, Unknown, "poll refunded", Success),
        (R, Unknown, "poll success", NotSent),
        (R, Unknown, "poll pending", Review),
        (R, Unknown, "poll processing", Review),
        (R, Unknown, "poll failed", Review),
        (R, Unknown, "poll expired", Review),
        (R, Unknown, "poll canceled", Review),
        (R, Unknown, "poll not found", Review),
        (R, Unknown, "poll unreadable", Review),
        (R, Pending, "poll refunded", Success),
        (R, Pending, "poll pending", Review),
        (R, Pending, "poll processing", Review),
        (R, Pending, "poll failed", Review),
        (R, Pending, "poll expired", Review),
        (R, Pending, "poll canceled", Review),
        (R, Pending, "poll not found", Review),
        (R, Pending, "poll unreadable", Review),
        (R, Processing, "poll refunded", Success),
        (R, Processing, "poll pending", Review),
        (R, Processing, "poll processing", Review),
        (R, Processing, "poll failed", Review),
        (R, Processing, "poll expired", Review),
        (R, Processing, "poll canceled", Review),
        (R, Processing, "poll not found", Review),
        (R, Processing, "poll unreadable", Review),
        (R, Review, "poll refunded", Success),
        // Callbacks: a non-final status is taken; a final one only when signed.
        (P, New, "callback pending", Pending),
        (P, Unknown, "callback pending", Pending),
        (P, New, "signed callback success", Success),
        (P, New, "signed callback failed", Failed),
        (P, Unknown, "signed callback success", Success),
        (P, Unknown, "signed callback failed", Failed),
        (P, Pending, "signed callback success", Success),
        (P, Pending, "signed callback failed", Failed),
        (P, Processing, "signed callback success", Success),
        (P, Processing, "signed callback failed", Failed),
        (P, Review, "signed callback success", Success),
        (P, Review, "signed callback failed", Failed),
    ]
};

fn expected(kind: OpKind, from: TxStatus, event: &str) -> TxStatus {
    MOVES
        .iter()
        .find(|(k, f, e, _)| *k == kind && *f == from && *e == event)
        .map(|m| m.3)
        .unwrap_or(from)
}

fn status_after(from: TxStatus, effects: &[Effect]) -> TxStatus {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Write(w) => w.status,
            _ => None,
        })
        .unwrap_or(from)
}

#[test]
fn every_state_and_event_moves_as_the_table_says() {
    let mut checked = 0;
    for kind in [OpKind::Payment, OpKind::Refund] {
        for from in TxStatus::ALL {
            for (name, event) in events() {
                let effects = step(&op(kind, from), &event, NOW, &plan());
                let after = status_after(from, &effects);
                assert_eq!(
                    after,
                    expected(kind, from, name),
                    "{kind:?} {from} + {name}: {effects:?}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 2 * TxStatus::ALL.len() * events().len());
    // The table lists no move the rules forbid.
    for (kind, from, event, to) in MOVES {
        assert!(from.may_become(*to), "{kind:?} {from} -> {to} ({event})");
    }
}

#[test]
fn every_state_and_event_keeps_the_invariants() {
    for kind in [OpKind::Payment, OpKind::Refund] {
        for from in TxStatus::ALL {
            for (name, event) in events() {
                let op = op(kind, from);
                let effects = step(&op, &event, NOW, &plan());
                let after = status_after(from, &effects);
                let what = format!("{kind:?} {from} + {name}: {effects:?}");
                // Sent only once, only as a NEW intent just recorded.
                let sends = effects.iter().filter(|e| **e == Effect::Send).count();
                assert_eq!(
                    sends,
                    usize::from(from == New && name == "recorded"),
                    "{what}"
                );
                // Never backwards; final rows keep their outcome (a refund aside).
                assert!(after == from || from.may_become(after), "{what}");
                if from.is_final() {
                    // Only the send's bookkeeping (its lease) may still be written.
                    for e in &effects {
                        if let Effect::Write(w) = e {
                            let bookkeeping = Write {
                                sent_at: w.sent_at,
                                answered_at: w.answered_at,
                                release_lease: w.release_lease,
                                ..Write::default()
                            };
                            assert_eq!(w, &bookkeeping, "{what}");
                        }
                    }
                }
                // A change is told; nothing else is.
                let notified: Vec<_> = effects
                    .iter()
                    .filter_map(|e| match e {
                        Effect::Notify(s) => Some(*s),
                        _ => None,
                    })
                    .collect();
                if after == from {
                    assert!(notified.is_empty(), "{what}");
                } else {
                    assert_eq!(notified, [after], "{what}");
                }
                // Unsettled rows are always asked again; settled ones never.
                let polls = effects.iter().any(|e| matches!(e, Effect::PollAt(_)));
                if after.is_final() {
                    assert!(!polls, "{what}");
                } else if from != after || matches!(event, Event::Poll(_)) {
                    assert!(polls, "{what}");
                }
                // The parent is marked refunded exactly when a refund succeeds.
                let parent = effects.contains(&Effect::MarkParentRefunded);
                assert_eq!(
                    parent,
                    kind == OpKind::Refund && from != Success && after == Success,
                    "{what}"
                );
                // A sale that turns out paid keeps no error of a lost reply.
                if after == Success && from != Success {
                    let write = effects.iter().find_map(|e| match e {
                        Effect::Write(w) => Some(w),
                        _ => None,
                    });
                    assert_eq!(write.map(|w| &w.error), Some(&ErrorWrite::Clear), "{what}");
                }
            }
        }
    }
}

#[test]
fn an_intent_not_found_once_waits_for_a_second_answer_minutes_later() {
    let mut fresh = op(OpKind::Payment, Unknown);
    fresh.sent_at = Some(NOW - 10_000);
    fresh.not_found = 0;
    fresh.first_not_found_at = None;
    let effects = step(&fresh, &Event::Poll(PollAnswer::NotFound), NOW, &plan());
    assert_eq!(status_after(Unknown, &effects), Unknown);
    let gap = ms(plan().not_found_gap);
    assert!(effects.contains(&Effect::PollAt(NOW + gap)), "{effects:?}");
    // The second, too soon after the first: still waiting.
    let mut once = fresh.clone();
    once.not_found = 1;
    once.first_not_found_at = Some(NOW - gap + 1);
    let effects = step(&once, &Event::Poll(PollAnswer::NotFound), NOW, &plan());
    assert_eq!(status_after(Unknown, &effects), Unknown);
}

#[test]
fn unreadable_answers_within_the_window_only_start_the_count() {
    let mut young = op(OpKind::Payment, Unknown);
    young.sent_at = Some(NOW - 60_000);
    let event = Event::Poll(PollAnswer::Unreadable {
        reason: "code 4000 inconnu".into(),
    });
    let effects = step(&young, &event, NOW, &plan());
    assert_eq!(status_after(Unknown, &effects), Unknown);
    assert!(effects.contains(&Effect::Write(Write {
        unreadable_since: Some(Some(NOW)),
        ..Write::default()
    })));
    // Past the review delay, the reason is kept for the cashier.
    let effects = step(&op(OpKind::Payment, Unknown), &event, NOW, &plan());
    let Some(Effect::Write(w)) = effects.first() else {
        panic!("{effects:?}")
    };
    assert_eq!(w.status, Some(Review));
    match &w.error {
        ErrorWrite::Set { code, message } => {
            assert_eq!(code.as_deref(), Some(REVIEW_CODE));
            assert!(message.contains("code 4000 inconnu"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unsigned_callback_is_confirmed_by_one_query_and_repeats_write_nothing() {
    let pending = op(OpKind::Payment, Pending);
    let event = Event::Callback {
        status: PaymentStatus::Success,
        gateway_tx_id: "T1".into(),
        trusted: false,
    };
    let effects = step(&pending, &event, NOW, &plan());
    assert_eq!(
        effects,
        [
            Effect::Write(Write {
                confirm_pending: Some(true),
                ..Write::default()
            }),
            Effect::PollAt(NOW)
        ]
    );
    let mut noted = pending.clone();
    noted.confirm_pending = true;
    assert_eq!(
        step(&noted, &event, NOW, &plan()),
        [Effect::PollAt(NOW)],
        "a replay asks again (within the budget) and writes nothing"
    );
}

#[test]
fn a_blacklisted_address_waits_before_asking_again() {
    let effects = step(
        &op(OpKind::Payment, Pending),
        &Event::Poll(PollAnswer::NoAnswer {
            why: NoAnswer::Http(403),
        }),
        NOW,
        &plan(),
    );
    assert_eq!(effects, [Effect::PollAt(NOW + BLACKLIST_BACKOFF_MS)]);
}

#[test]
fn failures_are_read_by_the_money_rules() {
    let refused = |body_code| Failure::Refused {
        body_code,
        code: None,
        transaction_id: None,
    };
    assert_eq!(
        PollAnswer::failed(refused(404), "x".into()),
        PollAnswer::NotFound
    );
    assert!(matches!(
        PollAnswer::failed(refused(4000), "x".into()),
        PollAnswer::Unreadable { .. }
    ));
    // An HTTP 404 (a wrong URL?) proves nothing.
    assert!(matches!(
        PollAnswer::failed(Failure::NoAnswer(NoAnswer::Http(404)), "x".into()),
        PollAnswer::Unreadable { .. }
    ));
    assert!(matches!(
        PollAnswer::failed(Failure::NoAnswer(NoAnswer::Http(502)), "x".into()),
        PollAnswer::NoAnswer { .. }
    ));
    for (why, unknown) in [
        (NoAnswer::NotConnected, false),
        (NoAnswer::TimedOut, true),
        (NoAnswer::ConnectionLost, true),
        (NoAnswer::Http(500), true),
        (NoAnswer::Http(403), false),
        (NoAnswer::Unreadable, true),
        (NoAnswer::Exception(400), true),
        (NoAnswer::AlreadyReceived, true),
    ] {
        assert_eq!(why.may_have_arrived(), unknown, "{why:?}");
    }
}

mod sequences {
    //! Any sequence of events, applied as the journal applies the machine's writes: no
    //! panic, no status going back, never a second send, a refund marked at most once.
    use super::*;
    use proptest::prelude::*;

    fn payment_status() -> impl Strategy<Value = PaymentStatus> {
        prop_oneof![
            Just(PaymentStatus::Pending),
            Just(PaymentStatus::Processing),
            Just(PaymentStatus::Success),
            Just(PaymentStatus::Refunded),
            Just(PaymentStatus::Canceled),
            prop_oneof![
                Just("payment-timeout"),
                Just("operator_down_time"),
                Just("")
            ]
            .prop_map(failed),
        ]
    }

    fn no_answer() -> impl Strategy<Value = NoAnswer> {
        prop_oneof![
            Just(NoAnswer::NotConnected),
            Just(NoAnswer::TimedOut),
            Just(NoAnswer::ConnectionLost),
            Just(NoAnswer::Unreadable),
            Just(NoAnswer::AlreadyReceived),
            (400u16..600).prop_map(NoAnswer::Http),
            (400u16..600).prop_map(NoAnswer::Exception),
        ]
    }

    fn event() -> impl Strategy<Value = Event> {
        prop_oneof![
            Just(Event::Recorded),
            payment_status().prop_map(|status| Event::Reply(Reply::Accepted {
                status,
                facts: Facts {
                    gateway_tx_id: Some("T1".into()),
                    ..Facts::default()
                },
            })),
            Just(Event::Reply(Reply::Refused {
                code: Some("x".into()),
                message: "non".into(),
                facts: Facts::default(),
            })),
            no_answer().prop_map(|why| Event::Reply(Reply::NoAnswer {
                why,
                message: "?".into()
            })),
            payment_status().prop_map(|status| Event::Poll(PollAnswer::Status {
                status,
                gateway_tx_id: Some("T1".into()),
                details: Default::default(),
                customer_url: None,
            })),
            Just(Event::Poll(PollAnswer::NotFound)),
            Just(Event::Poll(PollAnswer::Unreadable { reason: "?".into() })),
            no_answer().prop_map(|why| Event::Poll(PollAnswer::NoAnswer { why })),
            (payment_status(), any::<bool>()).prop_map(|(status, trusted)| Event::Callback {
                status,
                gateway_tx_id: "T1".into(),
                trusted,
            }),
            any::<bool>().prop_map(|everything| Event::Recovery { everything }),
        ]
    }

    /// What the journal does with the effects (`journal::operations`), on the machine's
    /// own view of the row.
    fn apply(op: &mut Op, effects: &[Effect], now: i64) {
        for effect in effects {
            match effect {
                Effect::Write(w) => {
                    if let Some(next) = w.status
                        && op.status.may_become(next)
                    {
                        op.status = next;
                    }
                    op.sent_at = op.sent_at.or(w.sent_at);
                    op.acknowledged |= w.answered_at.is_some() || w.gateway_tx_id.is_some();
                    op.acknowledged |= matches!(op.status, Pending | Processing);
                    if let Some((count, first)) = w.not_found {
                        op.not_found = count;
                        op.first_not_found_at = Some(first);
                    }
                    if let Some(since) = w.unreadable_since {
                        op.unreadable_since = since;
                    }
                    if let Some(c) = w.confirm_pending {
                        op.confirm_pending = c;
                    }
                }
                Effect::PollAt(at) => op.next_poll_at = Some(*at),
                _ => {}
            }
        }
        if op.status.is_final() {
            op.next_poll_at = None;
        }
        let _ = now;
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn no_sequence_goes_back_or_sends_twice(
            refund in any::<bool>(),
            steps in prop::collection::vec((event(), 0i64..600_000), 0..40),
        ) {
            let kind = if refund { OpKind::Refund } else { OpKind::Payment };
            let mut op = Op::new(kind, 0);
            let mut now = 0;
            let (mut sends, mut parents) = (0, 0);
            for (event, gap) in steps {
                now += gap;
                let before = op.status;
                let effects = step(&op, &event, now, &plan());
                sends += effects.iter().filter(|e| **e == Effect::Send).count();
                parents += effects.iter().filter(|e| **e == Effect::MarkParentRefunded).count();
                // The executor sends, then the reply is the next event: a Send while
                // recorded marks the intent as gone.
                if effects.contains(&Effect::Send) {
                    op.sent_at = Some(now);
                }
                apply(&mut op, &effects, now);
                prop_assert!(op.status.rank() >= before.rank(), "{before} -> {}", op.status);
                if before.is_final() {
                    prop_assert!(op.status == before || (before == Success && op.status == Refunded));
                }
            }
            prop_assert!(sends <= 1, "sent {sends} times");
            prop_assert!(parents <= 1, "marked the sale refunded {parents} times");
            prop_assert!(kind == OpKind::Refund || parents == 0);
        }
    }
}
