//! The wall clock in milliseconds since the epoch, the unit of the journal, the gateways'
//! signatures and the screens. The engine takes its clock as a parameter (tests drive it);
//! this is the real one.

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
