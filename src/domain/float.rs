//! The float (the shop's e-money at the gateway), as the supervisor follows it: the balance
//! readings the service makes, a refill (approvisionnement) told apart from sales, since
//! when the balance is below the shop's threshold and the pace it fell. Pure: the journal
//! stores the readings (`journal::float`), this decides what they say.
//!
//! A refill is what the balance rose by between two readings beyond what the operations
//! that became final meanwhile explain (their balance effect, `domain::drawer`), less
//! what operations still unsettled could credit (a cash-out the gateway already counted
//! but the journal not yet): a sale is never taken for a refill, at the price of missing
//! a refill smaller than what is still unsettled.

/// One reading of the gateway balance, in whole FCFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reading {
    /// Milliseconds since the epoch.
    pub at: i64,
    pub balance: i64,
}

/// The smallest rise taken for a refill: below it, rounding and commissions announced late.
pub const REFILL_MIN: i64 = 1_000;

/// How far back the pace is measured: the readings of the last two hours.
pub const PACE_WINDOW_MS: i64 = 2 * 3_600_000;

/// The refill between `before` and `after`, if any: the rise beyond `explained` (the net
/// balance effect of the operations final between them) and `unsettled_credit` (what
/// operations not yet final could still credit, counted as if already credited).
pub fn refill(
    before: Reading,
    after: Reading,
    explained: i64,
    unsettled_credit: i64,
) -> Option<i64> {
    let unexplained = after.balance - before.balance - explained - unsettled_credit.max(0);
    (unexplained >= REFILL_MIN).then_some(unexplained)
}

/// Since when the balance is below `threshold`: the first reading of the latest run of
/// readings below it (`readings` oldest first). `None` when the latest is not below.
pub fn below_since(readings: &[Reading], threshold: i64) -> Option<i64> {
    let mut since = None;
    for r in readings.iter().rev() {
        if r.balance >= threshold {
            break;
        }
        since = Some(r.at);
    }
    since
}

/// The pace the balance fell, in FCFA per hour (negative: it rose), over the readings of
/// the last [`PACE_WINDOW_MS`] before the latest and after the latest refill (a refill is
/// not a fall). `readings` oldest first; `refills_at`: when refills were recorded. `None`
/// with fewer than two readings to measure over, or none a minute apart.
pub fn falling_pace(readings: &[Reading], refills_at: &[i64]) -> Option<i64> {
    let last = readings.last()?;
    let last_refill = refills_at.iter().copied().max().unwrap_or(i64::MIN);
    let first = readings
        .iter()
        .find(|r| r.at >= last.at - PACE_WINDOW_MS && r.at >= last_refill)?;
    let span = last.at - first.at;
    if span < 60_000 {
        return None;
    }
    Some(((first.balance - last.balance) as i128 * 3_600_000 / span as i128) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn r(at: i64, balance: i64) -> Reading {
        Reading { at, balance }
    }

    #[test]
    fn a_rise_the_sales_explain_is_no_refill() {
        // A cash-out of 50 000 credited the balance: explained.
        assert_eq!(refill(r(0, 100_000), r(H, 150_000), 50_000, 0), None);
        // Deposits took 30 000 off: a fall, no refill.
        assert_eq!(refill(r(0, 100_000), r(H, 70_000), -30_000, 0), None);
    }

    #[test]
    fn a_rise_beyond_the_sales_is_a_refill_of_the_difference() {
        // 200 000 brought in while deposits took 30 000: the balance rose by 170 000.
        assert_eq!(
            refill(r(0, 100_000), r(H, 270_000), -30_000, 0),
            Some(200_000)
        );
    }

    #[test]
    fn what_unsettled_operations_could_credit_is_not_taken_for_a_refill() {
        // The gateway counted a cash-out of 40 000 the journal has not settled yet.
        assert_eq!(refill(r(0, 100_000), r(H, 140_000), 0, 40_000), None);
        // A refill of 100 000 on top of it is still seen (for its part beyond).
        assert_eq!(
            refill(r(0, 100_000), r(H, 240_000), 0, 40_000),
            Some(100_000)
        );
    }

    #[test]
    fn a_small_rise_is_rounding_not_a_refill() {
        assert_eq!(refill(r(0, 100_000), r(H, 100_999), 0, 0), None);
        assert_eq!(refill(r(0, 100_000), r(H, 101_000), 0, 0), Some(1_000));
    }

    #[test]
    fn below_since_is_the_start_of_the_latest_run_below_the_threshold() {
        let readings = [
            r(0, 90_000),
            r(H, 120_000),
            r(2 * H, 95_000),
            r(3 * H, 80_000),
        ];
        assert_eq!(below_since(&readings, 100_000), Some(2 * H));
        assert_eq!(below_since(&readings, 50_000), None);
        assert_eq!(below_since(&[], 100_000), None);
        assert_eq!(below_since(&readings[..2], 100_000), None, "back above it");
    }

    #[test]
    fn the_pace_is_the_fall_per_hour_over_the_last_two_hours() {
        // 5 hours of readings: only the last two hours count (60 000 → 40 000).
        let readings = [
            r(0, 200_000),
            r(3 * H, 60_000),
            r(4 * H, 50_000),
            r(5 * H, 40_000),
        ];
        assert_eq!(falling_pace(&readings, &[]), Some(10_000));
        // Rising: negative.
        assert_eq!(
            falling_pace(&[r(0, 10_000), r(H / 2, 20_000)], &[]),
            Some(-20_000)
        );
    }

    #[test]
    fn the_pace_starts_after_the_latest_refill() {
        let readings = [r(0, 100_000), r(H, 300_000), r(2 * H, 290_000)];
        assert_eq!(falling_pace(&readings, &[H]), Some(10_000));
    }

    #[test]
    fn no_pace_without_two_readings_a_minute_apart() {
        assert_eq!(falling_pace(&[], &[]), None);
        assert_eq!(falling_pace(&[r(0, 1)], &[]), None);
        assert_eq!(falling_pace(&[r(0, 10), r(30_000, 5)], &[]), None);
    }
}
