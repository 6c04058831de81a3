//! Intram: `POST payments/request` creates a payment and gives the URL of its payment page;
//! `GET transactions/confirm/{id}` gives its status. Errors are real HTTP codes.

mod client;
pub mod decode;
pub mod models;

pub use client::{IntramClient, IntramConfig};
pub use models::{IntramConfirm, IntramPaymentReply, IntramPaymentRequest};
