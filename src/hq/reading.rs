//! The head office's view over every shop (`caisse hq report`, `caisse hq watch`), read
//! by a role that sees all the shops (a superuser or one with BYPASSRLS: the shops' own
//! roles see only their rows). The sums are made in PostgreSQL per (group, kind, status)
//! and counted by the shops' own rule (`report::Tally::add_many`).

use std::collections::BTreeMap;

use futures_util::StreamExt;
use tokio_postgres::Client;

use super::connect::{HqError, Target};
use crate::domain::{OpKind, TxStatus};
use crate::journal::z_reports::ZChainCheck;
use crate::report::{By, Period, Report, Tally, operator};

/// The head office's reading sees every shop, or fails and says why. A role that
/// row-level security filters (neither a superuser nor BYPASSRLS) would otherwise read
/// nothing at all: an empty report, a watch with nothing late (review of issue 15, F6).
/// With `row_security = off`, PostgreSQL refuses such a query instead of filtering it.
async fn every_shop(target: &Target, client: &Client) -> Result<(), HqError> {
    client
        .batch_execute("SET row_security = off")
        .await
        .map_err(|e| target.refused(&e))
}

/// A refusal of the reading, said in French when it is row-level security's.
fn refused(target: &Target, e: &tokio_postgres::Error) -> HqError {
    if e.code() == Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
        return HqError::Refused {
            url: target.shown().to_owned(),
            reason: "ce rôle ne voit pas toutes les boutiques (sécurité par ligne) : lisez \
                     avec un superutilisateur ou un rôle BYPASSRLS"
                .into(),
        };
    }
    target.refused(e)
}

/// The report of `period` (days by the shops' clocks, as their own reports) grouped `by`
/// shop, service, operator or day.
pub async fn report(
    target: &Target,
    client: &Client,
    period: Period,
    by: By,
) -> Result<Report, HqError> {
    every_shop(target, client).await?;
    let (start, end) = period.millis();
    let key = match by {
        By::Shop => "shop_id",
        By::Day => "to_char(to_timestamp(created_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        // The operator is the service's first word: grouped by service here, then folded.
        _ => "service",
    };
    let sql = format!(
        "SELECT COALESCE({key}, ''), COALESCE(body->>'kind', 'payment'), COALESCE(status, ''), \
         count(*), COALESCE(sum(amount), 0)::bigint \
         FROM hq.operations WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2, 3"
    );
    let rows = client
        .query(&sql, &[&start, &end])
        .await
        .map_err(|e| refused(target, &e))?;
    let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
    for row in rows {
        let key: String = row.get(0);
        let key = match by {
            By::Operator => operator(&key).to_owned(),
            _ => key,
        };
        let kind = OpKind::parse(row.get(1)).unwrap_or(OpKind::Payment);
        // A status this build does not know is counted as still to settle: to look at.
        let status = TxStatus::parse(row.get(2)).unwrap_or(TxStatus::Review);
        let (count, amount): (i64, i64) = (row.get(3), row.get(4));
        groups
            .entry(key)
            .or_default()
            .add_many(kind, status, count.max(0) as u64, amount);
    }
    Ok(Report::from_tallies(by, groups))
}

/// What `caisse hq watch` looks at.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// A shop silent for longer is late.
    pub late_minutes: i64,
    /// An operation still unsettled, unchanged for longer, is listed.
    pub unsettled_minutes: i64,
    /// Drawers closed within this many days are looked at.
    pub drawer_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShopLag {
    pub shop_id: String,
    pub last_seq: i64,
    /// Minutes since the head office last received something (`None`: never).
    pub silent_minutes: Option<i64>,
    pub late: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unsettled {
    pub shop_id: String,
    pub external_id: String,
    pub status: String,
    pub service: String,
    pub amount: Option<i64>,
    /// Minutes since its last change reached the head office.
    pub unchanged_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DrawerGap {
    pub shop_id: String,
    pub drawer: i64,
    pub cashier: String,
    pub closed_at: i64,
    /// Counted minus expected cash (`None`: not computed).
    pub cash_gap: Option<i64>,
    /// Balance read minus expected (`None`: unreadable then).
    pub balance_gap: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ZMissing {
    pub shop_id: String,
    /// Hours since the last Z report reached the head office (`None`: never one).
    pub last_z_hours: Option<i64>,
    /// Operations received since.
    pub operations_since: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ZChain {
    pub shop_id: String,
    pub reports: i64,
    /// What the walk found wrong, in French (empty: the chain holds).
    pub faults: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Watch {
    pub shops: Vec<ShopLag>,
    pub unsettled: Vec<Unsettled>,
    pub drawers: Vec<DrawerGap>,
    pub z_missing: Vec<ZMissing>,
    pub z_chains: Vec<ZChain>,
}

/// At most this many unsettled operations are listed (the count says if there are more).
pub const UNSETTLED_SHOWN: i64 = 200;

/// A Z report is due every day a shop sells: a day and two hours of margin.
const Z_DUE_HOURS: i64 = 26;

pub async fn watch(
    target: &Target,
    client: &Client,
    thresholds: Thresholds,
) -> Result<Watch, HqError> {
    every_shop(target, client).await?;
    let refused = |e: tokio_postgres::Error| refused(target, &e);
    // Every time here is the head office's own (`received_at`): the shops' clocks may be off.
    let shops = client
        .query(
            "SELECT shop_id, last_seq, \
             (EXTRACT(EPOCH FROM now() - last_received_at) / 60)::bigint \
             FROM hq.shops ORDER BY shop_id",
            &[],
        )
        .await
        .map_err(refused)?
        .into_iter()
        .map(|r| {
            let silent: Option<i64> = r.get(2);
            ShopLag {
                shop_id: r.get(0),
                last_seq: r.get(1),
                silent_minutes: silent,
                late: silent.is_none_or(|m| m > thresholds.late_minutes),
            }
        })
        .collect();

    let unsettled_codes: Vec<&str> = TxStatus::UNSETTLED.iter().map(|s| s.as_str()).collect();
    let unsettled = client
        .query(
            "SELECT shop_id, external_id, status, COALESCE(service, ''), amount, \
             (EXTRACT(EPOCH FROM now() - received_at) / 60)::bigint \
             FROM hq.operations \
             WHERE status = ANY($1) AND received_at < now() - make_interval(mins => $2::int) \
             ORDER BY received_at LIMIT $3",
            &[
                &unsettled_codes,
                &(thresholds.unsettled_minutes.clamp(0, i32::MAX as i64) as i32),
                &UNSETTLED_SHOWN,
            ],
        )
        .await
        .map_err(refused)?
        .into_iter()
        .map(|r| Unsettled {
            shop_id: r.get(0),
            external_id: r.get(1),
            status: r.get(2),
            service: r.get(3),
            amount: r.get(4),
            unchanged_minutes: r.get(5),
        })
        .collect();

    let drawers = client
        .query(
            "SELECT shop_id, id, COALESCE(body->>'cashier', ''), (body->>'closed_at')::bigint, \
             (body->>'counted_cash')::bigint - (body->>'expected_cash')::bigint, \
             (body->>'closing_balance')::bigint - (body->>'expected_balance')::bigint \
             FROM hq.drawers \
             WHERE body->>'closed_at' IS NOT NULL \
               AND received_at > now() - make_interval(days => $1::int) \
               AND ((body->>'counted_cash')::bigint IS DISTINCT FROM (body->>'expected_cash')::bigint \
                 OR ((body->>'closing_balance') IS NOT NULL \
                     AND (body->>'closing_balance')::bigint IS DISTINCT FROM (body->>'expected_balance')::bigint)) \
             ORDER BY shop_id, id",
            &[&(thresholds.drawer_days.clamp(0, i32::MAX as i64) as i32)],
        )
        .await
        .map_err(refused)?
        .into_iter()
        .map(|r| DrawerGap {
            shop_id: r.get(0),
            drawer: r.get(1),
            cashier: r.get(2),
            closed_at: r.get::<_, Option<i64>>(3).unwrap_or(0),
            cash_gap: r.get(4),
            balance_gap: r.get(5),
        })
        .collect();

    let z_missing = client
        .query(
            "SELECT s.shop_id, (EXTRACT(EPOCH FROM now() - z.last_z) / 3600)::bigint, o.ops \
             FROM hq.shops AS s \
             LEFT JOIN LATERAL (SELECT max(received_at) AS last_z FROM hq.z_reports \
                 WHERE shop_id = s.shop_id) AS z ON true \
             LEFT JOIN LATERAL (SELECT count(*) AS ops FROM hq.operations \
                 WHERE shop_id = s.shop_id AND received_at > COALESCE(z.last_z, '-infinity')) \
                 AS o ON true \
             WHERE o.ops > 0 \
               AND (z.last_z IS NULL OR z.last_z < now() - make_interval(hours => $1::int)) \
             ORDER BY s.shop_id",
            &[&(Z_DUE_HOURS as i32)],
        )
        .await
        .map_err(refused)?
        .into_iter()
        .map(|r| ZMissing {
            shop_id: r.get(0),
            last_z_hours: r.get(1),
            operations_since: r.get(2),
        })
        .collect();

    Ok(Watch {
        shops,
        unsettled,
        drawers,
        z_missing,
        z_chains: z_chains(target, client).await?,
    })
}

/// Every shop's Z chain walked as `caisse close --verify` walks the shop's own: read as a
/// stream in (shop, number) order, one shop's walk in memory at a time.
async fn z_chains(target: &Target, client: &Client) -> Result<Vec<ZChain>, HqError> {
    let refused = |e: tokio_postgres::Error| target.refused(&e);
    let no_params: [&(dyn tokio_postgres::types::ToSql + Sync); 0] = [];
    let stream = client
        .query_raw(
            "SELECT shop_id, number, COALESCE((body->>'period_start')::bigint, 0), \
             COALESCE((body->>'period_end')::bigint, 0), COALESCE(body->>'content', ''), \
             COALESCE(body->>'prev_hash', ''), COALESCE(body->>'hash', '') \
             FROM hq.z_reports ORDER BY shop_id, number",
            no_params,
        )
        .await
        .map_err(refused)?;
    let mut stream = std::pin::pin!(stream);
    let mut chains = Vec::new();
    let mut current: Option<(String, ZChainCheck)> = None;
    let close = |(shop_id, check): (String, ZChainCheck)| {
        let (reports, faults) = check.finish();
        ZChain {
            shop_id,
            reports,
            faults: faults.iter().map(|f| f.to_string()).collect(),
        }
    };
    while let Some(row) = stream.next().await {
        let row = row.map_err(refused)?;
        let shop: String = row.get(0);
        if current.as_ref().is_some_and(|(s, _)| *s != shop) {
            chains.extend(current.take().map(close));
        }
        let (_, check) = current.get_or_insert_with(|| (shop, ZChainCheck::default()));
        let content: String = row.get(4);
        let prev_hash: String = row.get(5);
        check.next(
            row.get(1),
            (row.get(2), row.get(3)),
            &content,
            &prev_hash,
            row.get(6),
        );
    }
    chains.extend(current.take().map(close));
    Ok(chains)
}
