//! The WASI path resolver under arbitrary operations on a read-write and a read-only preopen: nothing
//! outside the sandbox changes, the read-only tree stays as it was, no call traps.
//! `cargo fuzz run wasi_paths -s none` from `tests/fuzz`; the logic is `tests/tests/fuzzing/wasi_paths.rs`.

#![no_main]

#[path = "../../tests/fuzzing/wasi_paths.rs"]
mod wasi_paths;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wasi_paths::check_ops(data);
});
