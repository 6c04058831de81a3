//! A string that must never be printed: API keys, HMAC secrets, card CVC.
//!
//! `Debug` and `Display` both print `[REDACTED]`, so a secret that slips into a
//! `tracing` field, a `{:?}` of a config struct or an error message stays hidden.
//! The only way to read it is [`Secret::expose`], which is easy to grep for.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself: only for putting it on the wire or into a hash.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// What replaces a secret found in a text from outside.
pub const REDACTED: &str = "[REDACTED]";

/// Secrets shorter than this are not searched for (they would blank out ordinary words).
const MIN_SECRET_LEN: usize = 4;

/// Blanks out every configured secret in texts that come from outside (a gateway that
/// quotes the API key back in `msg`, an HTML error page, a callback): before they are
/// stored, logged or shown. Both the plain form and the JSON-escaped form (`\/` for `/`)
/// are found.
#[derive(Clone, Default)]
pub struct Redactor {
    needles: Vec<Vec<u8>>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.needles.len())
    }
}

impl Redactor {
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Redactor {
        let mut needles: Vec<Vec<u8>> = Vec::new();
        for secret in secrets.into_iter().filter(|s| s.len() >= MIN_SECRET_LEN) {
            needles.push(secret.as_bytes().to_vec());
            let escaped = secret.replace('/', "\\/");
            if escaped != secret {
                needles.push(escaped.into_bytes());
            }
            if let Ok(json) = serde_json::to_string(secret) {
                let inner = json.trim_matches('"');
                if inner != secret {
                    needles.push(inner.as_bytes().to_vec());
                }
            }
        }
        // Longest first: a secret that contains another is blanked whole.
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles.dedup();
        Redactor { needles }
    }

    /// `bytes` with every secret replaced by `[REDACTED]`.
    pub fn bytes(&self, bytes: &[u8]) -> Vec<u8> {
        let mut out = bytes.to_vec();
        for needle in &self.needles {
            if out.len() < needle.len() {
                continue;
            }
            let mut result = Vec::with_capacity(out.len());
            let mut i = 0;
            while i < out.len() {
                if out[i..].starts_with(needle) {
                    result.extend_from_slice(REDACTED.as_bytes());
                    i += needle.len();
                } else {
                    result.push(out[i]);
                    i += 1;
                }
            }
            out = result;
        }
        out
    }

    /// `text` with every secret replaced by `[REDACTED]`.
    pub fn text<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        if !self
            .needles
            .iter()
            .any(|n| text.as_bytes().windows(n.len()).any(|w| w == n.as_slice()))
        {
            return std::borrow::Cow::Borrowed(text);
        }
        // Replacing whole ASCII-or-UTF-8 needles keeps the text valid UTF-8.
        std::borrow::Cow::Owned(String::from_utf8_lossy(&self.bytes(text.as_bytes())).into_owned())
    }

    /// Every string inside a JSON value, redacted.
    pub fn value(&self, value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(s) => Value::String(self.text(&s).into_owned()),
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.value(v)).collect()),
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (self.text(&k).into_owned(), self.value(v)))
                    .collect(),
            ),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_blanked_in_every_form() {
        let r = Redactor::new(["canary/key+123", "abc", "hmac-secret-9"]);
        assert_eq!(
            r.text("clé canary/key+123 et hmac-secret-9"),
            "clé [REDACTED] et [REDACTED]"
        );
        // JSON may escape the slash.
        assert_eq!(
            String::from_utf8(r.bytes(br#"{"msg":"canary\/key+123"}"#)).unwrap(),
            r#"{"msg":"[REDACTED]"}"#
        );
        // Too short to be searched for.
        assert_eq!(r.text("abc"), "abc");
        let v = r.value(serde_json::json!({"a": ["x hmac-secret-9 y"], "n": 1}));
        assert_eq!(v, serde_json::json!({"a": ["x [REDACTED] y"], "n": 1}));
    }

    #[test]
    fn never_prints_its_value() {
        let s = Secret::new("canary-key-123");
        assert_eq!(format!("{s}"), "[REDACTED]");
        assert_eq!(format!("{s:?}"), "[REDACTED]");
        assert_eq!(s.expose(), "canary-key-123");
    }
}
