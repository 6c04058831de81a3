//! The float in the journal: the gateway balance as the service read it, with the refill
//! (approvisionnement) detected at each reading, and the supervisor's view of it. What a
//! reading says is the domain's (`domain::float`); this stores and reads the rows.

use rusqlite::{OptionalExtension, params};

use super::{Journal, JournalError};
use crate::domain::drawer::{CashOutUse, DrawerOp};
use crate::domain::float::{self, Reading};
use crate::domain::{OpKind, TxStatus};

/// A reading this close to the last one, with the same balance, says nothing new: it is
/// not stored (terminals read the balance after every sale).
const QUIET_MS: i64 = 5 * 60_000;

/// How far back the view looks: a week of readings is plenty for since when the balance is
/// low, the pace and the day's refills.
const VIEW_MS: i64 = 7 * 24 * 3_600_000;

/// A refill as recorded: when it was seen, what came in, the balance read then.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refill {
    pub at: i64,
    pub amount: i64,
    pub balance: i64,
}

/// The float as the supervisor sees it. Amounts in whole FCFA.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct FloatView {
    /// The latest reading, if any.
    pub latest: Option<Reading>,
    /// `[shop] low_balance`, if set.
    pub threshold: Option<i64>,
    /// Below the threshold since this reading (ms), if it is now.
    pub below_since: Option<i64>,
    /// FCFA per hour, positive while it falls (`domain::float::falling_pace`).
    pub pace_per_hour: Option<i64>,
    /// The refills recorded since the start of the day asked, oldest first.
    pub refills: Vec<Refill>,
}

/// What the operations not yet final could still credit to the balance, were they to
/// succeed: the gateway may count them before the journal does.
fn unsettled_credit(conn: &rusqlite::Connection, at: i64) -> Result<i64, JournalError> {
    let sql = format!(
        "SELECT service, kind, COALESCE(amount, 0), json_extract(fields, '$.{field}') \
         FROM transactions WHERE status IN {unsettled} AND created_at <= ?1",
        field = CashOutUse::FIELD,
        unsettled = TxStatus::unsettled_sql()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([at], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    let mut credit = 0;
    for row in rows {
        let (service, kind, amount, use_) = row?;
        let Some(kind) = OpKind::parse(&kind) else {
            continue;
        };
        let effect = crate::domain::drawer::effect(&DrawerOp {
            service: &service,
            kind,
            status: TxStatus::Success,
            amount,
            commission: 0,
            cash_out_use: CashOutUse::parse(use_.as_deref()),
            // What the shop pays (a receipt by WhatsApp) only debits: no credit either way.
            paid_by_shop: false,
        });
        credit += effect.balance.max(0);
    }
    Ok(credit)
}

impl Journal {
    /// Records a reading of the gateway balance made at `at`; the refill detected with it,
    /// if any (recorded on the reading).
    pub fn record_balance(&mut self, at: i64, balance: i64) -> Result<Option<i64>, JournalError> {
        let tx = self.immediate()?;
        let last: Option<Reading> = tx
            .query_row(
                "SELECT at, balance FROM balance_readings ORDER BY at DESC, id DESC LIMIT 1",
                [],
                |r| {
                    Ok(Reading {
                        at: r.get(0)?,
                        balance: r.get(1)?,
                    })
                },
            )
            .optional()?;
        let now = Reading { at, balance };
        let refill = match last {
            Some(last) if last.balance == balance && at - last.at < QUIET_MS => return Ok(None),
            // A reading older than the last one (two processes): stored, judged on nothing.
            Some(last) if at <= last.at => None,
            Some(last) => {
                let moved = super::drawers::totals_of(&tx, None, last.at + 1, at)?;
                let explained = moved.balance_in - moved.balance_out;
                float::refill(last, now, explained, unsettled_credit(&tx, at)?)
            }
            None => None,
        };
        tx.execute(
            "INSERT INTO balance_readings (at, balance, refill) VALUES (?1, ?2, ?3)",
            params![at, balance, refill],
        )?;
        tx.commit()?;
        Ok(refill)
    }

    /// The float at `now`: the latest reading, since when it is below `threshold`, the
    /// pace it fell, and the refills since `day_start`.
    pub fn float_view(
        &self,
        now: i64,
        threshold: Option<i64>,
        day_start: i64,
    ) -> Result<FloatView, JournalError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, balance, refill FROM balance_readings WHERE at >= ?1 AND at <= ?2 \
             ORDER BY at, id",
        )?;
        let rows = stmt
            .query_map([now - VIEW_MS, now], |r| {
                Ok((
                    Reading {
                        at: r.get(0)?,
                        balance: r.get(1)?,
                    },
                    r.get::<_, Option<i64>>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let readings: Vec<Reading> = rows.iter().map(|(r, _)| *r).collect();
        let refills_at: Vec<i64> = rows
            .iter()
            .filter(|(_, refill)| refill.is_some())
            .map(|(r, _)| r.at)
            .collect();
        Ok(FloatView {
            latest: readings.last().copied(),
            threshold,
            below_since: threshold.and_then(|t| float::below_since(&readings, t)),
            pace_per_hour: float::falling_pace(&readings, &refills_at),
            refills: rows
                .iter()
                .filter(|(r, _)| r.at >= day_start)
                .filter_map(|(r, refill)| {
                    refill.map(|amount| Refill {
                        at: r.at,
                        amount,
                        balance: r.balance,
                    })
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn sale(j: &Journal, id: &str, service: &str, amount: i64, status: &str, final_at: i64) {
        j.conn
            .execute(
                "INSERT INTO transactions (external_id, gateway, service, amount, status, \
                 cashier, created_at, updated_at, final_at) \
                 VALUES (?1, 'intech', ?2, ?3, ?4, 'awa', ?5, ?5, ?6)",
                params![
                    id,
                    service,
                    amount,
                    status,
                    final_at,
                    (status != "PENDING").then_some(final_at)
                ],
            )
            .unwrap();
    }

    #[test]
    fn a_rise_beyond_the_sales_is_recorded_as_a_refill_and_shown_in_the_view() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("j.db")).unwrap();
        assert_eq!(j.record_balance(10 * MIN, 100_000).unwrap(), None);
        // A cash-out credited 20 000: explained, no refill.
        sale(&j, "a", "WAVE_SN_API_CASH_OUT", 20_000, "SUCCESS", 15 * MIN);
        assert_eq!(j.record_balance(20 * MIN, 120_000).unwrap(), None);
        // A deposit took 10 000 and the shop brought in 200 000.
        sale(&j, "b", "WAVE_SN_API_CASH_IN", 10_000, "SUCCESS", 35 * MIN);
        assert_eq!(j.record_balance(40 * MIN, 310_000).unwrap(), Some(200_000));
        // The same figure a minute later says nothing new: not stored.
        assert_eq!(j.record_balance(41 * MIN, 310_000).unwrap(), None);
        let rows: i64 = j
            .conn
            .query_row("SELECT COUNT(*) FROM balance_readings", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 3);
        // Deposits bring it down below 200 000.
        j.record_balance(100 * MIN, 190_000).unwrap();
        j.record_balance(160 * MIN, 150_000).unwrap();
        let view = j.float_view(160 * MIN, Some(200_000), 0).unwrap();
        assert_eq!(
            view.latest,
            Some(Reading {
                at: 160 * MIN,
                balance: 150_000
            })
        );
        assert_eq!(view.below_since, Some(100 * MIN));
        // From 310 000 (after the refill, at 40 min) to 150 000 at 160 min: 2 hours.
        assert_eq!(view.pace_per_hour, Some(80_000));
        assert_eq!(
            view.refills,
            vec![Refill {
                at: 40 * MIN,
                amount: 200_000,
                balance: 310_000
            }]
        );
        assert!(
            j.float_view(160 * MIN, None, 50 * MIN)
                .unwrap()
                .refills
                .is_empty(),
            "only the day's refills"
        );
    }

    /// A cash-out the gateway already counted while the journal still waits for its
    /// status is not taken for a refill.
    #[test]
    fn a_cash_out_still_pending_is_not_a_refill() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("j.db")).unwrap();
        j.record_balance(10 * MIN, 100_000).unwrap();
        sale(
            &j,
            "p",
            "ORANGE_SN_API_CASH_OUT",
            50_000,
            "PENDING",
            15 * MIN,
        );
        assert_eq!(j.record_balance(20 * MIN, 150_000).unwrap(), None);
        let view = j.float_view(20 * MIN, None, 0).unwrap();
        assert!(view.refills.is_empty());
    }
}
