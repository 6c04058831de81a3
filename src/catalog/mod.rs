//! Reference data from the vendor documentation: services and error codes.

pub mod customer;
pub mod errors;
pub mod services;
