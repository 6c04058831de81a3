//! The body of an Intram callback, as the engine reads it.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| caisse::fuzzing::intram_callback(data));
