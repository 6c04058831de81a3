//! The journal searched a page at a time (`report::search`): newest first by (created_at,
//! external_id), each page starting after the previous page's last row (a keyset cursor,
//! never OFFSET). Every way a text can match is its own indexed query of at most a page
//! (phone: `transactions_phone`; operation id: the primary key; gateway id:
//! `transactions_gateway_tx`; amount: `transactions_amount`), and the page is the newest of
//! their union; the whole period comes off `transactions_created_id` in order. A page deep
//! in a year of data costs what the first one does (benches/reports.rs).

use rusqlite::ToSql;

use super::rows::{COLUMNS, row_to_tx};
use super::{Journal, JournalError, TransactionRow};
use crate::report::search::{Cursor, Search, Terms};

/// Newest first; the same order the cursor follows.
const NEWEST_FIRST: &str = "ORDER BY created_at DESC, external_id DESC";

/// One page of a search, and where the next one starts (`None`: this was the last).
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub rows: Vec<TransactionRow>,
    pub next: Option<Cursor>,
}

impl Journal {
    /// The page `search` asks for: every operation's, or only `cashier`'s (a cashier sees
    /// their own sales through the service).
    pub fn search_page(
        &self,
        search: &Search,
        cashier: Option<&str>,
    ) -> Result<Page, JournalError> {
        let (from, to) = search.period.millis();
        // No cursor: start after (end of period, ""), i.e. every row before the end.
        let (before, before_id) = match &search.after {
            Some(c) => (c.created_at.min(to), c.external_id.as_str()),
            None => (to, ""),
        };
        let size = search.page_size();
        // One row more than the page: whether there is a next page is known without asking.
        let take = i64::from(size) + 1;
        let mut params: Vec<(&str, &dyn ToSql)> = vec![
            (":from", &from),
            (":before", &before),
            (":before_id", &before_id),
            (":take", &take),
        ];
        // The period and the cursor; `created_at <= :before` is what an index ranges over.
        let mut tail = "created_at >= :from AND created_at <= :before \
                        AND (created_at < :before OR external_id < :before_id)"
            .to_owned();
        if cashier.is_some() {
            tail.push_str(" AND cashier = :cashier");
            params.push((":cashier", &cashier));
        }
        if !search.statuses.is_empty() {
            // The statuses' own spellings (a fixed set of capitals): nothing typed goes here.
            let list: Vec<String> = search
                .statuses
                .iter()
                .map(|s| format!("'{}'", s.as_str()))
                .collect();
            tail.push_str(&format!(" AND status IN ({})", list.join(", ")));
        }
        let terms = Terms::of(&search.text);
        let sql = match &terms {
            None => format!(
                "SELECT {COLUMNS} FROM transactions WHERE {tail} {NEWEST_FIRST} LIMIT :take"
            ),
            Some(terms) => {
                params.push((":exact", &terms.exact));
                let mut matches = vec![
                    "phone = :exact",
                    "external_id = :exact",
                    "gateway_tx_id = :exact",
                ];
                if let Some(phone) = &terms.phone {
                    matches.push("phone = :phone");
                    params.push((":phone", phone));
                }
                if let Some(amount) = &terms.amount {
                    matches.push("amount = :amount");
                    params.push((":amount", amount));
                }
                let each: Vec<String> = matches
                    .iter()
                    .map(|m| {
                        format!(
                            "SELECT r FROM (SELECT rowid AS r FROM transactions \
                             WHERE {m} AND {tail} {NEWEST_FIRST} LIMIT :take)"
                        )
                    })
                    .collect();
                format!(
                    "SELECT {COLUMNS} FROM transactions WHERE rowid IN ({}) \
                     {NEWEST_FIRST} LIMIT :take",
                    each.join(" UNION ALL ")
                )
            }
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows: Vec<TransactionRow> = stmt
            .query_map(params.as_slice(), row_to_tx)?
            .collect::<Result<_, _>>()?;
        let next = if rows.len() > size as usize {
            rows.truncate(size as usize);
            rows.last().map(|r| Cursor {
                created_at: r.created_at,
                external_id: r.external_id.clone(),
            })
        } else {
            None
        };
        Ok(Page { rows, next })
    }
}

impl Journal {
    /// The export's rows of `period` after `after`, oldest first (the order of
    /// `for_each_between`), at most `limit`: every operation's, or only `cashier`'s. The
    /// service sends an export in such pieces, never holding it whole.
    pub fn export_rows(
        &self,
        period: crate::report::Period,
        after: Option<&Cursor>,
        limit: u32,
        cashier: Option<&str>,
    ) -> Result<Page, JournalError> {
        let (from, to) = period.millis();
        // No cursor: start after (start of period, ""), i.e. every row from the start.
        let (since, since_id) = match after {
            Some(c) => (c.created_at.max(from), c.external_id.as_str()),
            None => (from, ""),
        };
        let take = i64::from(limit.max(1)) + 1;
        let own = if cashier.is_some() {
            " AND cashier = :cashier"
        } else {
            ""
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM transactions WHERE created_at >= :since AND created_at < :to \
             AND (created_at > :since OR external_id > :since_id){own} \
             ORDER BY created_at, external_id LIMIT :take"
        ))?;
        let mut params: Vec<(&str, &dyn ToSql)> = vec![
            (":since", &since),
            (":to", &to),
            (":since_id", &since_id),
            (":take", &take),
        ];
        if cashier.is_some() {
            params.push((":cashier", &cashier));
        }
        let mut rows: Vec<TransactionRow> = stmt
            .query_map(params.as_slice(), row_to_tx)?
            .collect::<Result<_, _>>()?;
        let next = if rows.len() > limit.max(1) as usize {
            rows.truncate(limit.max(1) as usize);
            rows.last().map(|r| Cursor {
                created_at: r.created_at,
                external_id: r.external_id.clone(),
            })
        } else {
            None
        };
        Ok(Page { rows, next })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::TxStatus;
    use crate::journal::sample_row;
    use crate::report::Period;

    /// 2026-03-01 00:00 UTC.
    const MARCH_1: i64 = 1_772_323_200_000;
    const DAY: i64 = 86_400_000;

    fn march() -> Period {
        Period::parse("2026-03-01", "2026-03-31").unwrap()
    }

    fn search(text: &str, limit: u32) -> Search {
        Search {
            period: march(),
            text: text.into(),
            statuses: vec![],
            after: None,
            limit,
        }
    }

    /// The ids of every page of `s`, walked to the end.
    fn walk(journal: &Journal, mut s: Search, cashier: Option<&str>) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        loop {
            let page = journal.search_page(&s, cashier).unwrap();
            assert!(page.rows.len() <= s.page_size() as usize);
            pages.push(page.rows.iter().map(|r| r.external_id.clone()).collect());
            match page.next {
                Some(next) => s.after = Some(next),
                None => return pages,
            }
        }
    }

    #[test]
    fn a_page_comes_off_an_index_whatever_is_typed() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(&dir.path().join("j.db")).unwrap();
        let explain = |sql: &str| -> String {
            let mut stmt = journal
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            stmt.query_map([], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
                .join(" | ")
        };
        let tail = "created_at >= 1 AND created_at <= 9 AND (created_at < 9 OR external_id < 'x')";
        let all = explain(&format!(
            "SELECT * FROM transactions WHERE {tail} {NEWEST_FIRST} LIMIT 20"
        ));
        assert!(all.contains("transactions_created_id"), "{all}");
        assert!(!all.contains("TEMP B-TREE"), "{all}");
        for (m, index) in [
            ("phone = '77'", "transactions_phone"),
            ("amount = 1500", "transactions_amount"),
            ("gateway_tx_id = '77'", "transactions_gateway_tx"),
            ("external_id = '77'", "sqlite_autoindex_transactions_1"),
        ] {
            let p = explain(&format!(
                "SELECT rowid FROM transactions WHERE {m} AND {tail} {NEWEST_FIRST} LIMIT 20"
            ));
            assert!(p.contains(index), "{m}: {p}");
        }
    }

    #[test]
    fn a_phone_a_reference_or_an_amount_finds_its_operations() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(&dir.path().join("j.db")).unwrap();
        let mut a = sample_row(
            "a",
            "WAVE_SN_API_CASH_OUT",
            TxStatus::Success,
            MARCH_1 + DAY,
        );
        a.phone = Some("77 245 71 00".into());
        a.amount = Some(1500);
        let mut b = sample_row(
            "b",
            "WAVE_SN_API_CASH_OUT",
            TxStatus::Failed,
            MARCH_1 + 2 * DAY,
        );
        b.phone = Some("772457100".into());
        b.gateway_tx_id = Some("139663910423".into());
        b.amount = Some(2500);
        b.cashier = "awa".into();
        // Outside the period: never found.
        let mut c = sample_row("c", "WAVE_SN_API_CASH_OUT", TxStatus::Success, MARCH_1 - 1);
        c.phone = Some("772457100".into());
        journal.insert_rows_for_tests([a, b, c]).unwrap();
        let ids = |text: &str| walk(&journal, search(text, 10), None).concat();
        assert_eq!(ids("77 245 71 00"), ["b", "a"]);
        assert_eq!(ids("772457100"), ["b"]);
        assert_eq!(ids("139663910423"), ["b"]);
        assert_eq!(ids("a"), ["a"]);
        assert_eq!(ids("1 500 F"), ["a"]);
        assert_eq!(ids(""), ["b", "a"]);
        assert!(ids("999").is_empty());
        // A cashier's own; a status's.
        assert_eq!(walk(&journal, search("", 10), Some("awa")).concat(), ["b"]);
        let mut paid = search("", 10);
        paid.statuses = vec![TxStatus::Success];
        assert_eq!(walk(&journal, paid, None).concat(), ["a"]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Walking the pages finds every operation of the period that matches, once, newest
        /// first, whatever the page size, however many rows share a creation time.
        #[test]
        fn pages_miss_and_repeat_nothing(
            rows in prop::collection::vec((0i64..40, 0u8..4, 0u8..3, 0u8..3, 0u8..2), 0..120),
            size in 1u32..9,
            text in prop::sample::select(vec!["", "770000001", "1000", "GW-1", "00001"]),
            own in any::<bool>(),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut journal = Journal::open(&dir.path().join("j.db")).unwrap();
            // Few distinct times (many ties), a few days outside March on both sides.
            let made: Vec<TransactionRow> = rows
                .iter()
                .enumerate()
                .map(|(i, (t, phone, amount, gw, who))| {
                    let at = MARCH_1 - 2 * DAY + t * DAY;
                    let mut r = sample_row(&format!("{:05}", i), "WAVE_SN_API_CASH_OUT", TxStatus::Success, at);
                    r.phone = Some(format!("77000000{phone}"));
                    r.amount = Some(1000 * i64::from(*amount));
                    r.gateway_tx_id = Some(format!("GW-{gw}"));
                    r.cashier = if *who == 0 { "awa" } else { "binta" }.into();
                    r
                })
                .collect();
            journal.insert_rows_for_tests(made.clone()).unwrap();
            let (from, to) = march().millis();
            let cashier = own.then_some("awa");
            let mut expected: Vec<&TransactionRow> = made
                .iter()
                .filter(|r| r.created_at >= from && r.created_at < to)
                .filter(|r| cashier.is_none_or(|c| r.cashier == c))
                .filter(|r| {
                    text.is_empty()
                        || r.phone.as_deref() == Some(text)
                        || r.external_id == text
                        || r.gateway_tx_id.as_deref() == Some(text)
                        || text.parse::<i64>().ok() == r.amount
                })
                .collect();
            expected.sort_by(|a, b| (b.created_at, &b.external_id).cmp(&(a.created_at, &a.external_id)));
            let expected: Vec<String> = expected.iter().map(|r| r.external_id.clone()).collect();
            let pages = walk(&journal, search(text, size), cashier);
            // Only the last page is short, and only an empty result has an empty page.
            for page in &pages[..pages.len() - 1] {
                prop_assert_eq!(page.len(), size as usize);
            }
            prop_assert!(pages.len() == 1 || !pages[pages.len() - 1].is_empty());
            prop_assert_eq!(pages.concat(), expected);
        }
    }
}
