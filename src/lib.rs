//! caisse: a terminal point-of-sale for mobile-money counters in Senegal and Côte d'Ivoire,
//! on the Intech API V2 aggregator with Intram as a second gateway.

pub mod catalog;
pub mod config;
pub mod gateway;
pub mod http;
pub mod money;
pub mod secret;
