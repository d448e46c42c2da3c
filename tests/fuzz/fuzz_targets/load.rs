//! Load, validate and instantiate arbitrary bytes (or a `wasm-smith` module built from them) on the
//! interpreter and the compiler, and call every export under a gas limit: errors are fine, panics and
//! crashes are findings. `cargo fuzz run load -s none` from `tests/fuzz`; the logic is
//! `tests/tests/fuzzing/load.rs`, whose bounded slice runs in `cargo test`.

#![no_main]

#[path = "../../tests/fuzzing/load.rs"]
mod load;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some(bytes) = load::module_bytes(data) else { return };
    load::check_bytes(&bytes, &mut load::LoadStats::default());
});
