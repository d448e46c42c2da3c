//! Differential fuzzing without a time limit: every input becomes a `wasm-smith` module that runs on our
//! interpreter, our compiler and wasmi; any disagreement panics with the report and writes the module to
//! `differential-failure.wasm` in the working directory.
//!
//! `cargo fuzz run differential -s none` from `tests/fuzz` (stable Rust: no sanitizer). The comparison is `tests/tests/differential/shared.rs`,
//! the same file the bounded test in `cargo test` uses.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some(wasm) = generate(data) else { return };
    let mut stats = Stats::default();
    if let Err(report) = check_module(&wasm, &mut stats) {
        let _ = std::fs::write("differential-failure.wasm", &wasm);
        panic!("engines disagree: {report}");
    }
});

#[path = "../../tests/differential/shared.rs"]
mod shared;

use shared::{Stats, check_module, generate};
