//! Cross-crate tests of the runtime. The library part is the reusable WebAssembly spec testsuite runner
//! ([`spec`]); the test targets live in `tests/`.

pub mod spec;
