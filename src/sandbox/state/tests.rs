//! The shared state's ids and duplicate window, as functions.

use std::time::Duration;

use serde_json::json;

#[test]
fn the_duplicate_window_slides_from_each_creation() {
    let mut st = super::State::new(0.0);
    let key = || super::DuplicateKey {
        service: "ORANGE_SN_API_CASH_IN",
        phone: "772450000".into(),
        amount: 1000,
    };
    let start = tokio::time::Instant::now();
    let window = Duration::from_secs(60);
    assert!(!st.same_operation_within(key(), start, window));
    assert!(st.same_operation_within(key(), start + Duration::from_secs(59), window));
    // A refusal is not a creation: the window still runs from the first.
    assert!(!st.same_operation_within(key(), start + window, window));
    assert!(st.same_operation_within(key(), start + Duration::from_secs(100), window));
    let other = super::DuplicateKey {
        amount: 1005,
        ..key()
    };
    assert!(!st.same_operation_within(other, start + Duration::from_secs(100), window));
}

#[test]
fn ids_are_unique_and_well_formed() {
    let mut st = super::State::new(0.0);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..10_000 {
        let id = st.new_intech_id();
        assert!(id.len() == 13 && !id.starts_with('0'), "{id}");
        assert!(seen.insert(id));
    }
    let (_, claim) = st.new_claim();
    assert!(claim.len() == 15 && claim[1..].bytes().all(|b| b.is_ascii_digit()));
    let intram = st.new_intram_id();
    assert_eq!(intram.len(), 24);
    assert_eq!(super::tid_key(&json!("T123")).as_deref(), Some("123"));
    assert_eq!(super::tid_key(&json!(123)).as_deref(), Some("123"));
}
