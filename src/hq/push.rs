//! One batch of the outbox into the head office, in ONE PostgreSQL transaction (one call
//! of `hq.push`, the shop role's only way to write: `schema.rs`): each row upserted by
//! (shop_id, key) only over an older snapshot (a smaller `seq`), then the shop's
//! `last_seq` moved forward (never back), then the commit. A batch pushed twice
//! (the shop died between this commit and its own delete) changes nothing the second
//! time; a batch cut off half-way changes nothing at all.

use std::borrow::Cow;
use std::collections::BTreeMap;

use tokio_postgres::Client;

use super::connect::{HqError, Target};
use super::outbox::Row;

/// The kinds of row the head office keeps (`hq.push` files each in its table).
const KINDS: &[&str] = &[
    "operation",
    "event",
    "drawer",
    "z_report",
    "balance_reading",
];

/// The snapshot as `jsonb` takes it. PostgreSQL refuses the NUL character in a JSON
/// string (`\u0000`), which SQLite's `json_object` writes for a text holding one (a
/// gateway's message): that one row would then stop every row behind it, for ever. Such
/// a NUL becomes U+FFFD, the rest is untouched.
fn storable(body: &str) -> Cow<'_, str> {
    if !body.contains("\\u0000") {
        return Cow::Borrowed(body);
    }
    fn clean(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => *s = s.replace('\0', "\u{FFFD}"),
            serde_json::Value::Array(items) => items.iter_mut().for_each(clean),
            serde_json::Value::Object(map) => {
                let entries = std::mem::take(map);
                for (k, mut v) in entries {
                    clean(&mut v);
                    map.insert(k.replace('\0', "\u{FFFD}"), v);
                }
            }
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(mut value) => {
            clean(&mut value);
            Cow::Owned(value.to_string())
        }
        Err(_) => Cow::Borrowed(body),
    }
}

/// Where the head office stands for a shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub last_seq: i64,
    /// The journal `last_seq` counts in (`None`: nothing received yet).
    pub journal_id: Option<String>,
}

/// Checks that this session's role is `shop_id`'s and returns where the head office
/// stands for it (where a new session resumes).
pub async fn hello(target: &Target, client: &Client, shop_id: &str) -> Result<Received, HqError> {
    let row = client
        .query_one(
            "SELECT hq.my_shop(), s.last_seq, s.journal_id \
             FROM (SELECT 1) AS one LEFT JOIN hq.shops AS s ON s.shop_id = $1",
            &[&shop_id],
        )
        .await
        .map_err(|e| target.refused(&e))?;
    // `try_get`, never `get`: a head office whose schema drifted must not abort the
    // shop's service (release builds abort on a panic); it is refused like any other.
    let drift = |e| drifted(target, e);
    let mine: Option<String> = row.try_get(0).map_err(drift)?;
    let last: Option<i64> = row.try_get(1).map_err(drift)?;
    match (mine.as_deref(), last) {
        (Some(m), Some(last_seq)) if m == shop_id => Ok(Received {
            last_seq,
            journal_id: row.try_get(2).map_err(drift)?,
        }),
        (Some(other), _) => Err(HqError::Refused {
            url: target.shown().to_owned(),
            reason: format!(
                "ce rôle est celui de la boutique {other}, pas de {shop_id} : corrigez [hq] \
                 shop_id ou l'utilisateur de [hq] url"
            ),
        }),
        (None, _) => Err(HqError::Refused {
            url: target.shown().to_owned(),
            reason: format!(
                "ce rôle n'est celui d'aucune boutique : au siège, « caisse hq add-shop \
                 {shop_id} » crée le rôle de la boutique"
            ),
        }),
    }
}

/// Pushes `rows` (in `seq` order, as read from the outbox of the journal `journal_id`)
/// and returns the head office's `last_seq` after the commit.
pub async fn push(
    target: &Target,
    client: &mut Client,
    shop_id: &str,
    journal_id: &str,
    rows: &[Row],
) -> Result<i64, HqError> {
    let Some(last) = rows.last().map(|r| r.seq) else {
        return Ok(0);
    };
    let refused = |e: tokio_postgres::Error| target.refused(&e);
    // A row changed twice in the batch is sent once, as its latest snapshot: one INSERT
    // … ON CONFLICT may not touch the same row twice.
    let mut latest: BTreeMap<(&str, &str), &Row> = BTreeMap::new();
    for row in rows {
        latest.insert((row.kind.as_str(), row.key.as_str()), row);
    }
    let (mut kinds, mut keys, mut seqs, mut bodies) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for ((kind, key), row) in latest {
        if !KINDS.contains(&kind) {
            // Written by a newer journal than this build knows: kept out rather than let
            // it block every row behind it.
            tracing::warn!(kind, "siège : sorte de ligne inconnue, ignorée");
            continue;
        }
        kinds.push(kind);
        keys.push(key);
        seqs.push(row.seq);
        bodies.push(storable(&row.body));
    }
    let bodies: Vec<&str> = bodies.iter().map(|b| b.as_ref()).collect();
    // One call, one transaction at the head office: the rows, then last_seq, or nothing.
    let row = client
        .query_one(
            "SELECT hq.push($1, $2, $3, $4, $5, $6, $7)",
            &[&shop_id, &journal_id, &last, &kinds, &keys, &seqs, &bodies],
        )
        .await
        .map_err(refused)?;
    row.try_get(0).map_err(|e| drifted(target, e))
}

/// A reply whose columns are not what this build expects (a head office migrated by
/// another version, a function edited by hand).
fn drifted(target: &Target, e: tokio_postgres::Error) -> HqError {
    HqError::Refused {
        url: target.shown().to_owned(),
        reason: format!(
            "réponse du siège inattendue ({e}) : le schéma du siège n'est pas celui de cette \
             version, « caisse hq migrate » au siège"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_in_a_text_does_not_stop_the_outbox() {
        let body = r#"{"error_message":"a\u0000b","n":1,"k\u0000":["\u0000"]}"#;
        let value: serde_json::Value = serde_json::from_str(&storable(body)).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"error_message": "a\u{FFFD}b", "n": 1, "k\u{FFFD}": ["\u{FFFD}"]})
        );
        let plain = r#"{"a":"\\u0000 is text"}"#;
        assert!(matches!(storable(r#"{"a":1}"#), Cow::Borrowed(_)));
        let value: serde_json::Value = serde_json::from_str(&storable(plain)).unwrap();
        assert_eq!(
            value["a"], "\\u0000 is text",
            "an escaped backslash is not a NUL"
        );
    }
}
