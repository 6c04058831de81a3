//! Link options for the release binary.
//!
//! A position-independent executable carries one relocation per pointer in its read-only
//! data (vtables, string slices): 15,000 here, 24 bytes each, all read by the loader at every
//! start. Packed relative relocations (`DT_RELR`: GNU ld 2.38, glibc 2.36, Debian 12) say
//! the same in a few kilobytes, and a kiosk session's resident memory counts every page the
//! loader read (issue 14). Debug builds keep the default: nothing there is measured.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    if release && linux_gnu {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
