//! The WebAssembly proposals both of our backends implement, as `wasm-smith` settings: the base of every
//! fuzz configuration (the differential test's and the `load` target's), so a proposal is switched on or
//! off for all of them in one place.

pub(crate) fn our_proposals() -> wasm_smith::Config {
    wasm_smith::Config {
        simd_enabled: true,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        compact_imports_enabled: false,
        tail_call_enabled: true,
        extended_const_enabled: true,
        ..wasm_smith::Config::default()
    }
}
