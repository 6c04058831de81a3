//! Intech API V2: the client, its models, request signing and callback verification.
//!
//! Auth as documented: GET requests carry the `Secretkey` header, POST requests carry
//! `apiKey` in the JSON body. Success is `code == 2000` in the body, whatever the HTTP status.
//! With HMAC signing on, the signature covers the exact bytes sent.

pub mod callback;
mod client;
pub mod decode;
pub mod models;
pub mod signing;

pub use client::{IntechClient, IntechConfig};
