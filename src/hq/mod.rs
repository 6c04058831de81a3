//! The head office (issue 15, docs/head-office.md): each shop's journal replicated to one
//! PostgreSQL. The shop side is an outbox in the journal, filled by SQLite triggers in the
//! same transaction as each change (`outbox`), and a task of `caisse serve` that pushes it
//! a batch at a time (`replicator`, `push`); the head office's side is a schema `hq` with
//! its own numbered migrations (`schema`), one login role per shop kept to its own rows by
//! row-level security (`admin`), and its view over every shop (`reading`). With no `[hq]` none of this runs.

pub mod admin;
pub mod connect;
pub mod outbox;
pub mod push;
pub mod reading;
pub mod replicator;
pub mod schema;

pub use connect::{HqError, Target};

/// A shop id: what names the shop's rows and its PostgreSQL role (`caisse_shop_<id>`), so
/// kept to characters that need no quoting anywhere and never collide after case folding.
pub fn valid_shop_id(id: &str) -> bool {
    (1..=40).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The login role of a shop at the head office.
pub fn role_name(shop_id: &str) -> String {
    format!("caisse_shop_{}", shop_id.replace('-', "_"))
}

/// Milliseconds since the epoch, by this host's clock (what the shop's status shows; the
/// order of the rows never depends on it).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shop_ids_need_no_quoting() {
        assert!(valid_shop_id("dakar-plateau_2"));
        for bad in ["", "Dakar", "a b", "x\"; DROP", &"a".repeat(41), "é"] {
            assert!(!valid_shop_id(bad), "{bad}");
        }
        assert_eq!(role_name("dakar-plateau"), "caisse_shop_dakar_plateau");
    }
}
