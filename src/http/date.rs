//! The HTTP `Date` header's format (RFC 9110 IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`):
//! written by the sandbox when its clock is set off on purpose, read by `caisse doctor` to
//! compare the gateway's clock with ours (signed requests have a 5-minute window).

use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

const IMF_FIXDATE: &[BorrowedFormatItem<'static>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

/// `t` as a `Date` header's value, in UTC.
pub fn format(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(IMF_FIXDATE)
        .unwrap_or_default()
}

/// A `Date` header's value; `None` for anything but IMF-fixdate (the obsolete forms are
/// not sent by any server a shop talks to, and a wrong guess would be worse than none).
pub fn parse(value: &str) -> Option<OffsetDateTime> {
    time::PrimitiveDateTime::parse(value.trim(), IMF_FIXDATE)
        .ok()
        .map(|t| t.assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_writes() {
        let t = time::macros::datetime!(1994-11-06 08:49:37 UTC);
        assert_eq!(format(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 GMT"), Some(t));
    }

    #[test]
    fn refuses_other_forms() {
        assert_eq!(parse("Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse(""), None);
    }
}
