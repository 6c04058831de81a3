//! Intech replies: byte 0 picks the endpoint decoder (balance, services, errors, pending bills,
//! operation, transaction status, claim, refund, MoneyGram reception, MoneyGram send), byte 1
//! the HTTP status, the rest is the body.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| caisse::fuzzing::intech_reply(data));
