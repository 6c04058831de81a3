//! The payment gateways behind one trait: Intech API V2 and Intram.

pub mod intech;
