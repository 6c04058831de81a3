//! Deserializers for the documented quirks of the wire: ids that are strings in one reply
//! and numbers in the next, amounts as strings, `null` where a string is expected, and `data`
//! sent as an object or as a string holding JSON.

use serde::Deserialize;
use serde::de::{Deserializer, Error};
use serde_json::Value;

fn number_to_string(n: &serde_json::Number) -> String {
    // `205818.0` would be an odd id: print whole floats without the fraction.
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => i.to_string(),
        (_, Some(u), _) => u.to_string(),
        (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        _ => n.to_string(),
    }
}

/// An id: `"7091659672946"` or `205818`, always kept as a string.
pub fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(number_to_string(&n)),
        other => Err(D::Error::custom(format!(
            "attendu une chaîne ou un nombre, trouvé {}",
            kind(&other)
        ))),
    }
}

/// Like [`string_or_number`], `null` or absent giving `None`.
pub fn opt_string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(number_to_string(&n))),
        other => Err(D::Error::custom(format!(
            "attendu une chaîne ou un nombre, trouvé {}",
            kind(&other)
        ))),
    }
}

/// A string where the gateway may send `null` (kept as empty) or a number.
pub fn string_or_default<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_string_or_number(d)?.unwrap_or_default())
}

/// From ±2^53 on, floats skip integers: a float that large may stand for another integer
/// than the one written (`9007199254740993.0` reads as 2^53), so it is refused, not rounded.
const MAX_EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

/// A float that holds a whole number exactly. Found by the property tests: `f as i64`
/// saturated (`1e300`, `9223372036854775808` became `i64::MAX`) and floats past 2^53 were
/// rounded to a neighbouring integer; both are now refused.
fn exact_integer(f: f64) -> Option<i64> {
    (f.fract() == 0.0 && f.abs() < MAX_EXACT_FLOAT).then_some(f as i64)
}

fn value_to_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            // A u64 past i64::MAX has no i64; only a float may be a whole number.
            n.is_f64()
                .then(|| n.as_f64())
                .flatten()
                .and_then(exact_integer)
        }),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().and_then(exact_integer))
        }
        _ => None,
    }
}

/// Whole francs: `1000`, `1000.0` or `"1000.000"`.
pub fn amount<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = Value::deserialize(d)?;
    value_to_i64(&v)
        .ok_or_else(|| D::Error::custom(format!("attendu un montant entier, trouvé {}", kind(&v))))
}

/// An optional integer (`id`), tolerating a numeric string.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Value::deserialize(d)?;
    if v.is_null() {
        return Ok(None);
    }
    value_to_i64(&v)
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("attendu un entier, trouvé {}", kind(&v))))
}

/// An optional amount (absent for WhatsApp).
pub fn opt_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    opt_i64(d)
}

/// A balance: a number, possibly with decimals (`2332.0625`), or a numeric string.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(n.as_f64()),
        Value::String(s) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom("attendu un nombre")),
        other => Err(D::Error::custom(format!(
            "attendu un nombre, trouvé {}",
            kind(&other)
        ))),
    }
}

/// Custom data: an object, or (as the doc says to send it) a string holding JSON, which is
/// parsed. A string that is not JSON is kept as a string.
pub fn json_object_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        Value::String(s) => Some(serde_json::from_str(&s).unwrap_or(Value::String(s))),
        other => Some(other),
    })
}

pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "un booléen",
        Value::Number(_) => "un nombre",
        Value::String(_) => "une chaîne",
        Value::Array(_) => "une liste",
        Value::Object(_) => "un objet",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(deserialize_with = "string_or_number")]
        id: String,
        #[serde(default, deserialize_with = "opt_amount")]
        amount: Option<i64>,
        #[serde(default, deserialize_with = "json_object_or_string")]
        data: Option<Value>,
    }

    #[test]
    fn ids_amounts_and_data_in_every_documented_form() {
        let p: Probe =
            serde_json::from_str(r#"{"id": 205818, "amount": "10000.000", "data": "{\"a\":1}"}"#)
                .unwrap();
        assert_eq!(p.id, "205818");
        assert_eq!(p.amount, Some(10000));
        assert_eq!(p.data.unwrap()["a"], 1);
        let p: Probe =
            serde_json::from_str(r#"{"id": "7091659672946", "data": {"b": 2}}"#).unwrap();
        assert_eq!(p.id, "7091659672946");
        assert_eq!(p.amount, None);
        assert_eq!(p.data.unwrap()["b"], 2);
        assert!(serde_json::from_str::<Probe>(r#"{"id": {"x": 1}}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"id": "1", "amount": "abc"}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"id": "1", "amount": 12.5}"#).is_err());
    }

    /// Regression (property tests): amounts past i64, or floats past 2^53, were saturated or
    /// rounded into a wrong amount instead of being refused.
    #[test]
    fn amounts_out_of_range_are_refused_not_rounded() {
        for amount in [
            "9223372036854775808",
            "18446744073709551615",
            "1e19",
            "1e300",
            "-1e300",
            "9007199254740993.0",
            "9007199254740992.0",
            "\"9223372036854775808\"",
            "\"1e300\"",
            "\"9007199254740993.000\"",
        ] {
            let text = format!(r#"{{"id": "1", "amount": {amount}}}"#);
            assert!(serde_json::from_str::<Probe>(&text).is_err(), "{amount}");
        }
        for (amount, expected) in [
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
            ("9007199254740991.0", (1 << 53) - 1),
            ("7903634934030194.0", 7_903_634_934_030_194),
            ("\"-9007199254740991.000\"", 1 - (1 << 53)),
        ] {
            let text = format!(r#"{{"id": "1", "amount": {amount}}}"#);
            let p: Probe = serde_json::from_str(&text).unwrap();
            assert_eq!(p.amount, Some(expected), "{amount}");
        }
    }
}
