//! One request line of the cashiers' Unix socket, as `caisse serve` decodes it.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| caisse::fuzzing::protocol_line(data));
