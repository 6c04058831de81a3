//! The Z reports (close of day) in the journal: numbered from 1 without gaps, each stored
//! as the canonical JSON it was shown as, with its hash chained to the previous one
//! ([`chain_hash`]). Making one and walking the chain are here; what a Z says is
//! `report::z`'s.

use rusqlite::{OptionalExtension, params};

use super::drawers::COMMISSION_SQL;
use super::{Journal, JournalError};
use crate::domain::{OpKind, TxStatus};
use crate::report::Entry;
use crate::report::z::{OpenDrawer, ZAsk, ZBuilder, ZReply, ZReport, ZSummary, chain_hash};

/// A Z report as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredZ {
    pub report: ZReport,
    pub content: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Why no Z was made: nothing happened since the last one (or ever).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NothingToClose {
    #[error(
        "rien à clôturer : aucune opération depuis le rapport Z n° {last} (clos le {at}). \
         Réimprimez-le avec « caisse close --show {last} »"
    )]
    SinceLast { last: i64, at: String },
    #[error("rien à clôturer : le journal n'a encore aucune opération")]
    Empty,
}

/// What the walk of the chain found wrong, naming the report (in French).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZFault {
    #[error("rapport Z n° {0} altéré : son contenu ne correspond plus à son empreinte enregistrée")]
    Altered(i64),
    #[error(
        "rapport Z n° {0} altéré : son empreinte n'est plus celle que le rapport n° {1} a \
         enregistrée à sa clôture (contenu modifié puis empreinte recalculée)"
    )]
    Rechained(i64, i64),
    #[error("rapport Z n° {0} manquant : supprimé du journal (la numérotation saute au n° {1})")]
    Missing(i64, i64),
}

/// The next Z as it would be made at `now` (not stored), and the last link of the chain:
/// the same reading for the preview and for the close (in its transaction).
fn next_z(
    conn: &rusqlite::Connection,
    now: i64,
) -> Result<Result<(ZReport, String), NothingToClose>, JournalError> {
    let last: Option<(i64, i64, String)> = conn
        .query_row(
            "SELECT number, period_end, hash FROM z_reports ORDER BY number DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let from = match &last {
        Some((_, end, _)) => *end,
        None => {
            let first: Option<i64> =
                conn.query_row("SELECT MIN(created_at) FROM transactions", [], |r| r.get(0))?;
            match first {
                Some(first) => first,
                None => return Ok(Err(NothingToClose::Empty)),
            }
        }
    };
    let number = last.as_ref().map_or(1, |(n, _, _)| n + 1);
    let mut z = ZBuilder::new(number, from, now);
    let mut any = false;
    {
        // The commission as the drawer reads it (its details, else its latest callback).
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT t.external_id, t.service, t.cashier, t.kind, t.status, t.amount, \
             t.created_at, {COMMISSION_SQL} FROM transactions t \
             WHERE t.created_at >= ?1 AND t.created_at < ?2"
        ))?;
        let mut rows = stmt.query(params![from, now])?;
        while let Some(row) = rows.next()? {
            any = true;
            let id: String = row.get(0)?;
            let service: String = row.get(1)?;
            let cashier: String = row.get(2)?;
            let kind: String = row.get(3)?;
            let status: String = row.get(4)?;
            let commission: f64 = row.get(7)?;
            z.add(
                &id,
                Entry {
                    service: &service,
                    cashier: &cashier,
                    kind: OpKind::parse(&kind).unwrap_or(OpKind::Payment),
                    // As the report: a status this build does not know is not final.
                    status: TxStatus::parse(&status).unwrap_or(TxStatus::Review),
                    amount: row.get(5)?,
                    created_at: row.get(6)?,
                },
                commission.floor() as i64,
            );
        }
    }
    if !any {
        return Ok(Err(match last {
            Some((last, end, _)) => NothingToClose::SinceLast {
                last,
                at: crate::report::local_time(end),
            },
            None => NothingToClose::Empty,
        }));
    }
    let mut report = z.finish();
    // The drawers closed in the period (`caisse drawer close`): expected vs counted; the
    // gateway balance read at the first opening and at the last closing among them.
    {
        let mut stmt = conn.prepare_cached(
            "SELECT cashier, expected_cash, counted_cash FROM drawers \
             WHERE closed_at >= ?1 AND closed_at < ?2 ORDER BY closed_at, id",
        )?;
        let drawers = stmt
            .query_map(params![from, now], |r| {
                Ok(crate::report::z::Drawer {
                    cashier: r.get(0)?,
                    expected: r.get::<_, Option<i64>>(1)?.unwrap_or_default(),
                    counted: r.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        if !drawers.is_empty() {
            report.drawers = Some(drawers);
            report.balance_at_open = conn
                .query_row(
                    "SELECT opening_balance FROM drawers WHERE closed_at >= ?1 \
                     AND closed_at < ?2 AND opening_balance IS NOT NULL \
                     ORDER BY opened_at, id LIMIT 1",
                    params![from, now],
                    |r| r.get(0),
                )
                .optional()?;
            report.balance_at_close = conn
                .query_row(
                    "SELECT closing_balance FROM drawers WHERE closed_at >= ?1 \
                     AND closed_at < ?2 AND closing_balance IS NOT NULL \
                     ORDER BY closed_at DESC, id DESC LIMIT 1",
                    params![from, now],
                    |r| r.get(0),
                )
                .optional()?;
        }
    }
    // The drawers still open (opened before the close): what they should hold so far, by
    // the drawer's own arithmetic.
    let open = super::drawers::open_at(conn, now)?
        .into_iter()
        .map(|state| OpenDrawer {
            expected: state.expected_cash(),
            cashier: state.drawer.cashier,
            opened_at: state.drawer.opened_at,
            float: state.drawer.opening_cash,
        })
        .collect();
    report.set_open_drawers(open);
    Ok(Ok((report, last.map(|(_, _, h)| h).unwrap_or_default())))
}

impl Journal {
    /// The next Z as a close would make it now, not stored (the close-of-day screen's
    /// preview).
    pub fn preview_z(&self, now: i64) -> Result<Result<ZReport, NothingToClose>, JournalError> {
        Ok(next_z(&self.conn, now)?.map(|(report, _)| report))
    }

    /// Closes the period: the operations made since the last Z (or since the first
    /// operation) up to `now`, as the next numbered Z, stored with its link of the chain.
    /// One transaction: two closes at once cannot take the same number or period.
    pub fn close_day(
        &mut self,
        now: i64,
        closed_by: &str,
    ) -> Result<Result<StoredZ, NothingToClose>, JournalError> {
        let tx = self.immediate()?;
        let (report, prev_hash) = match next_z(&tx, now)? {
            Ok(next) => next,
            Err(nothing) => return Ok(Err(nothing)),
        };
        let number = report.number;
        let from = report.from;
        let content = serde_json::to_string(&report).expect("a Z report serialises");
        let hash = chain_hash(&prev_hash, &content);
        tx.execute(
            "INSERT INTO z_reports (number, period_start, period_end, content, prev_hash, hash, \
             closed_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![number, from, now, content, prev_hash, hash, closed_by, now],
        )?;
        tx.commit()?;
        Ok(Ok(StoredZ {
            report,
            content,
            prev_hash,
            hash,
        }))
    }

    /// What `caisse close` answers, here or through the service (`by`: who closes).
    pub fn z_answer(&mut self, ask: ZAsk, by: &str, now: i64) -> Result<ZReply, JournalError> {
        let stored = match ask {
            ZAsk::Close => match self.close_day(now, by)? {
                Ok(stored) => stored,
                Err(nothing) => return Ok(ZReply::NothingToClose(nothing.to_string())),
            },
            ZAsk::Show(number) => match self.z_report(number)? {
                Some(stored) => stored,
                None => return Ok(ZReply::NoSuch(number)),
            },
            ZAsk::Verify => {
                let (read, faults) = self.verify_z_chain()?;
                let faults = faults.iter().map(ToString::to_string).collect();
                return Ok(ZReply::Chain { read, faults });
            }
            ZAsk::Preview => {
                return Ok(match self.preview_z(now)? {
                    Ok(report) => ZReply::Preview(Box::new(report)),
                    Err(nothing) => ZReply::NothingToClose(nothing.to_string()),
                });
            }
            ZAsk::List => return self.z_list(),
        };
        Ok(ZReply::Report {
            report: Box::new(stored.report),
            hash: stored.hash,
        })
    }

    /// The stored reports, newest first, each marked when the chain names it altered.
    pub fn z_list(&self) -> Result<ZReply, JournalError> {
        let (_, faults) = self.verify_z_chain()?;
        let altered: std::collections::BTreeSet<i64> = faults
            .iter()
            .filter_map(|f| match f {
                ZFault::Altered(n) | ZFault::Rechained(n, _) => Some(*n),
                ZFault::Missing(..) => None,
            })
            .collect();
        let mut stmt = self.conn.prepare(
            "SELECT number, period_start, period_end, closed_by, content FROM z_reports \
             ORDER BY number DESC",
        )?;
        let reports = stmt
            .query_map([], |r| {
                let number: i64 = r.get(0)?;
                let content: String = r.get(4)?;
                let report = serde_json::from_str::<ZReport>(&content).ok();
                Ok(ZSummary {
                    number,
                    from: r.get(1)?,
                    to: r.get(2)?,
                    closed_by: r.get(3)?,
                    operations: report.as_ref().map(|z| z.total.operations),
                    net: report.as_ref().map(|z| z.total_net),
                    altered: altered.contains(&number),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ZReply::List {
            reports,
            faults: faults.iter().map(ToString::to_string).collect(),
        })
    }

    /// Z report `number` as stored (`None`: there is none; unreadable content is an error).
    pub fn z_report(&self, number: i64) -> Result<Option<StoredZ>, JournalError> {
        let row: Option<(String, String, String)> = self
            .conn
            .query_row(
                "SELECT content, prev_hash, hash FROM z_reports WHERE number = ?1",
                [number],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((content, prev_hash, hash)) = row else {
            return Ok(None);
        };
        let report = serde_json::from_str(&content).map_err(|e| {
            JournalError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                Box::new(e),
            ))
        })?;
        Ok(Some(StoredZ {
            report,
            content,
            prev_hash,
            hash,
        }))
    }

    /// Walks the whole chain, oldest first. Returns how many reports it read and what it
    /// found wrong (nothing: the chain holds). Each report is checked against its own
    /// link and the link the next one recorded, so one altered report is named once and
    /// the ones after it stay trusted.
    pub fn verify_z_chain(&self) -> Result<(i64, Vec<ZFault>), JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT number, period_start, period_end, content, prev_hash, hash \
             FROM z_reports ORDER BY number",
        )?;
        let mut rows = stmt.query([])?;
        let mut chain = ZChainCheck::default();
        while let Some(row) = rows.next()? {
            chain.next(
                row.get(0)?,
                (row.get(1)?, row.get(2)?),
                &row.get::<_, String>(3)?,
                &row.get::<_, String>(4)?,
                row.get(5)?,
            );
        }
        Ok(chain.finish())
    }
}

/// The walk of a Z chain, report by report in number order: here over the journal, at the
/// head office over each shop's copy (`caisse hq watch`).
#[derive(Debug)]
pub struct ZChainCheck {
    expected_number: i64,
    expected_prev: String,
    read: i64,
    faults: Vec<ZFault>,
}

impl Default for ZChainCheck {
    fn default() -> Self {
        ZChainCheck {
            expected_number: 1,
            expected_prev: String::new(),
            read: 0,
            faults: Vec::new(),
        }
    }
}

impl ZChainCheck {
    /// The next stored report: its number, its period's columns, its content as hashed,
    /// its record of the previous link, its own link.
    pub fn next(
        &mut self,
        number: i64,
        (start, end): (i64, i64),
        content: &str,
        prev_hash: &str,
        hash: String,
    ) {
        self.read += 1;
        if number != self.expected_number {
            self.faults
                .push(ZFault::Missing(self.expected_number, number));
        } else if prev_hash != self.expected_prev {
            // This one's record of the previous link no longer matches it: the
            // previous report was rewritten with a fresh hash.
            self.faults.push(ZFault::Rechained(number - 1, number));
        }
        // The columns must say what the hashed content says.
        let agrees = serde_json::from_str::<ZReport>(content)
            .is_ok_and(|z| (z.number, z.from, z.to) == (number, start, end));
        if chain_hash(prev_hash, content) != hash || !agrees {
            self.faults.push(ZFault::Altered(number));
        }
        self.expected_number = number + 1;
        self.expected_prev = hash;
    }

    /// How many reports were read, and what was found wrong (nothing: the chain holds).
    pub fn finish(self) -> (i64, Vec<ZFault>) {
        (self.read, self.faults)
    }
}

#[cfg(test)]
mod tests;
