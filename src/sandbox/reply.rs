//! Building replies: the Intech envelope, plain JSON, HTML, timestamps.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

use super::rules::FieldErrors;

const JSON: HeaderValue = HeaderValue::from_static("application/json; charset=utf-8");
const HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");

/// `2022-10-17T18:07:58.000Z`
const ISO: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// ISO 8601 with milliseconds, in UTC, as the vendor writes dates.
pub(crate) fn iso(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(ISO)
        .unwrap_or_default()
}

pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    code: i64,
    msg: &'a str,
    error: bool,
    data: T,
}

/// `{code, msg, error, data}`.
pub(crate) fn envelope<T: Serialize>(
    status: StatusCode,
    code: i64,
    msg: &str,
    error: bool,
    data: T,
) -> Response {
    json(
        status,
        &Envelope {
            code,
            msg,
            error,
            data,
        },
    )
}

/// The envelope serialised, for replies that are altered before being sent (truncated).
pub(crate) fn envelope_bytes<T: Serialize>(code: i64, msg: &str, error: bool, data: T) -> Vec<u8> {
    serde_json::to_vec(&Envelope {
        code,
        msg,
        error,
        data,
    })
    .unwrap_or_default()
}

/// HTTP 201 `{code: 4000, error: true, data: {field: [messages]}}`, msg listing them.
pub(crate) fn validation_error(errors: &FieldErrors) -> Response {
    let msg = errors
        .values()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ; ");
    envelope(StatusCode::CREATED, 4000, &msg, true, errors)
}

/// A named refusal of the server (TRANSACTION_NOT_FOUND, ALREADY_OPENED_CLAIM,
/// SERVICE_DOWN…): HTTP 201, code 4000, `data: {}`.
pub(crate) fn refusal(msg: &str) -> Response {
    envelope(StatusCode::CREATED, 4000, msg, true, json!({}))
}

/// OPERATION_AUTH_NEED, the server's reply to a missing or unknown key (HTTP 200 on GET,
/// 201 on POST: the handler answers it, not an exception).
pub(crate) fn auth_needed(status: StatusCode) -> Response {
    envelope(
        status,
        4000,
        "L'authentification est requis !!!",
        true,
        json!({ "secreteKey": "Invalide secrete key" }),
    )
}

/// The server's uncaught-exception envelope (its NestJS filter in production mode): the
/// real HTTP status, repeated as `code`; `_msg` is the exception's message, `_d` its trace
/// (`null` here: a plain `Error` has none, and the server then leaves the key out).
pub(crate) fn exception(status: StatusCode, message: &str) -> Response {
    json(
        status,
        &json!({
            "code": status.as_u16(),
            "error": true,
            "msg": "Une erreur est survenue",
            "_msg": message,
            "_d": null,
            "data": {},
            "path": "",
        }),
    )
}

pub(crate) fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    bytes(status, JSON, serde_json::to_vec(body).unwrap_or_default())
}

pub(crate) fn json_bytes(status: StatusCode, body: impl Into<Bytes>) -> Response {
    bytes(status, JSON, body)
}

pub(crate) fn html(status: StatusCode, body: String) -> Response {
    bytes(status, HTML, body)
}

fn bytes(status: StatusCode, content_type: HeaderValue, body: impl Into<Bytes>) -> Response {
    let mut response = (status, body.into()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type);
    response
}
