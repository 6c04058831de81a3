//! Intech API V2.

pub mod signing;
