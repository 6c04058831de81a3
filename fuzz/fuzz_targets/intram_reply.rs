//! Intram replies: byte 0 picks `payments/request` (even) or `transactions/confirm` (odd),
//! byte 1 the HTTP status, the rest is the body.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| caisse::fuzzing::intram_reply(data));
