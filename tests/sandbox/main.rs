//! The sandbox over real HTTP, through its public API only (`caisse::sandbox::spawn`):
//! reqwest against a sandbox on `127.0.0.1:0`, delays shortened, waits on conditions with
//! a deadline. One test binary, one file per subject; the helpers are in
//! `tests/support/sandbox.rs`. Unit tests of the sandbox's pure rules stay beside them in
//! `src/sandbox/`.

#[path = "../support/mod.rs"]
mod support;

mod bills;
mod catalogue;
mod intram;
mod lifecycle;
mod moneygram;
mod operations;
mod signing;
