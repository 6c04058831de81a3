//! The configuration file (TOML), parsed and resolved.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| caisse::fuzzing::config_toml(data));
