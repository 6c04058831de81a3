//! caisse: a terminal point-of-sale for mobile-money counters in Senegal and Côte d'Ivoire,
//! on the Intech API V2 aggregator with Intram as a second gateway.

pub mod backup;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod details;
pub mod doctor;
pub mod domain;
pub mod engine;
pub mod exit;
#[doc(hidden)]
pub mod fuzzing;
pub mod gateway;
pub mod hq;
pub mod http;
pub mod i18n;
pub mod journal;
pub mod logs;
pub mod money;
pub mod printer;
pub mod qr;
pub mod report;
pub mod sandbox;
pub mod secret;
pub mod session;
pub mod staff;
pub mod ticker;
pub mod tui;
pub mod wiring;
