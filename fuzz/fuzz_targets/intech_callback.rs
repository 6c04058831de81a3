//! The Intech callback verifier and body parser: byte 0 holds the flags (bit 0: HMAC on),
//! then the `timestamp` header, a newline, the `hmac-signature` header, a newline, the body.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| caisse::fuzzing::intech_callback(data));
