//! What both gateway clients share on the wire: sending a request, reading the reply with a
//! size cap, classifying transport failures, and decoding JSON with errors that name the path.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::GatewayError;

/// Replies larger than this are refused (the largest documented reply, the service list,
/// is a few kB). A 20 MB body must give an error, not eat the memory of a kiosk.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct RawReply {
    pub status: u16,
    pub body: Vec<u8>,
}

impl RawReply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Sends a prepared request and reads the whole reply (up to [`MAX_BODY_BYTES`]), with
/// every one of `secrets` blanked out of it: a gateway that quotes the key back (in `msg`,
/// `errorType.message`, an HTML page) cannot carry it any further than here.
pub async fn send(
    request: reqwest::RequestBuilder,
    endpoint: &'static str,
    timeout: std::time::Duration,
    secrets: &[&str],
) -> Result<RawReply, GatewayError> {
    let mut response = request
        .send()
        .await
        .map_err(|e| classify(e, endpoint, timeout))?;
    let status = response.status().as_u16();
    if response
        .content_length()
        .is_some_and(|len| len > MAX_BODY_BYTES as u64)
    {
        return Err(too_large(endpoint));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| classify(e, endpoint, timeout))?
    {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large(endpoint));
        }
        body.extend_from_slice(&chunk);
    }
    let body = crate::secret::Redactor::new(secrets.iter().copied()).bytes(&body);
    Ok(RawReply { status, body })
}

fn too_large(endpoint: &'static str) -> GatewayError {
    GatewayError::Decode {
        endpoint,
        path: "$".into(),
        reason: format!(
            "réponse trop volumineuse (plus de {} octets)",
            MAX_BODY_BYTES
        ),
    }
}

/// Turns a reqwest error into the typed error. The error text never holds the request body
/// (reqwest does not print bodies), so no secret can leak through it.
fn classify(
    e: reqwest::Error,
    endpoint: &'static str,
    timeout: std::time::Duration,
) -> GatewayError {
    if e.is_timeout() {
        GatewayError::Timeout {
            endpoint,
            after: timeout,
        }
    } else if e.is_connect() {
        GatewayError::Transport {
            endpoint,
            connect: true,
            reason: error_chain(&e),
        }
    } else {
        GatewayError::Transport {
            endpoint,
            connect: false,
            reason: error_chain(&e),
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The start of a body for the logs, with any secret blanked out.
pub fn snippet(body: &[u8], secrets: &[&str]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]);
    let mut text: String = text
        .chars()
        .filter(|c| !c.is_control() || *c == ' ')
        .collect();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        text = text.replace(secret, "[REDACTED]");
    }
    text
}

/// Parses a reply as JSON. A non-2xx reply that is not JSON is an HTTP error; a 2xx reply
/// that is not JSON (empty, truncated, HTML) is a decode error.
pub fn parse_json(
    endpoint: &'static str,
    reply: &RawReply,
    secrets: &[&str],
) -> Result<Value, GatewayError> {
    let http_error = || GatewayError::Http {
        endpoint,
        status: reply.status,
        snippet: snippet(&reply.body, secrets),
    };
    if reply.body.iter().all(u8::is_ascii_whitespace) {
        return if reply.is_success() {
            Err(GatewayError::Decode {
                endpoint,
                path: "$".into(),
                reason: "réponse vide".into(),
            })
        } else {
            Err(http_error())
        };
    }
    match serde_json::from_slice::<Value>(&reply.body) {
        Ok(value) => Ok(value),
        Err(_) if !reply.is_success() => Err(http_error()),
        Err(e) => Err(GatewayError::Decode {
            endpoint,
            path: "$".into(),
            reason: format!("JSON invalide ({e})"),
        }),
    }
}

/// Decodes `value` (found at `prefix` in the reply) into `T`; a mismatch names its path,
/// e.g. `data.status` or `services[3].codeService`.
pub fn typed<T: DeserializeOwned>(
    endpoint: &'static str,
    prefix: &str,
    value: Value,
) -> Result<T, GatewayError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let path = match (prefix, inner.as_str()) {
            ("", ".") | ("", "") => "$".to_owned(),
            ("", p) => p.to_owned(),
            (pre, ".") | (pre, "") => pre.to_owned(),
            (pre, p) if p.starts_with('[') => format!("{pre}{p}"),
            (pre, p) => format!("{pre}.{p}"),
        };
        GatewayError::Decode {
            endpoint,
            path,
            reason: e.into_inner().to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        code: String,
    }

    #[test]
    fn decode_errors_name_the_path() {
        let value = serde_json::json!({"list": [{"code": "a"}, {"code": 3}]});
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            list: Vec<Item>,
        }
        match typed::<Outer>("services", "data", value) {
            Err(GatewayError::Decode { path, .. }) => assert_eq!(path, "data.list[1].code"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bodies_are_classified() {
        let reply = |status, body: &[u8]| RawReply {
            status,
            body: body.to_vec(),
        };
        assert!(matches!(
            parse_json("balance", &reply(200, b""), &[]),
            Err(GatewayError::Decode { .. })
        ));
        assert!(matches!(
            parse_json("balance", &reply(502, b"<html>Bad Gateway</html>"), &[]),
            Err(GatewayError::Http { status: 502, .. })
        ));
        assert!(matches!(
            parse_json("balance", &reply(200, b"{\"code\": 20"), &[]),
            Err(GatewayError::Decode { .. })
        ));
        assert_eq!(
            snippet(b"key=supersecret;", &["supersecret"]),
            "key=[REDACTED];"
        );
    }
}
