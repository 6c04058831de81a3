//! The tests' helpers, in one place. Each test binary declares `mod support;` (or, from a
//! directory such as `tests/sandbox/`, `#[path = "../support/mod.rs"] mod support;`) and
//! uses the parts it needs.
//!
//! * [`cli`]: the real binary as a script runs it (environment, sandbox, sped-up polls);
//! * [`scripted`]: a scripted HTTP server that records every request (client tests), and
//!   the contract fixtures;
//! * [`sandbox`]: the sandbox over real HTTP and a callback receiver;
//! * [`service`]: `caisse serve`, the real binary, on a temporary directory;
//! * [`tmux`]: the real binary in a real terminal;
//! * [`printer`]: a fake ESC/POS printer (TCP) and a decoder of what it receives;
//! * [`pg`]: a throwaway PostgreSQL cluster (the head office); [`proxy`]: a TCP link that
//!   can be cut and restored;
//! * [`wait`]: waiting on a condition with a deadline (never sleep-then-assert).

#![allow(dead_code, unused_imports)]

pub mod cli;
pub mod pg;
pub mod printer;
pub mod proxy;
pub mod sandbox;
pub mod scripted;
pub mod service;
pub mod tmux;
pub mod wait;
