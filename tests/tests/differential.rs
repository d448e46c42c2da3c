//! Differential testing: random valid modules from `wasm-smith` run on our interpreter, our compiler and
//! wasmi (the oracle), and all three must agree on every call's results or trap, on instantiation, and on
//! the exported memories, globals and tables afterwards.
//!
//! Seeds 0, 1, 2, … each become one module, until the time budget is spent. A disagreement fails the test
//! with the seed and writes the module to `target/differential-failure-<seed>.wasm`. Environment knobs:
//! - `DIFFERENTIAL_SEED=<n>`: check only seed `n` (to reproduce a failure);
//! - `DIFFERENTIAL_SECONDS=<s>`: the time budget (default 50);
//! - `DIFFERENTIAL_WASM=<file>`: check only this module, binary or text (e.g. a failure, reduced by hand);
//!   cargo runs the test in `tests/`, so give an absolute path.
//!
//! The comparison itself is in `differential/shared.rs`, which `tests/fuzz/fuzz_targets/differential.rs`
//! includes too, for unbounded, coverage-guided runs with `cargo fuzz`.

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

#[path = "differential/shared.rs"]
mod shared;

use shared::{Stats, check_module, generate};

/// `len` bytes of splitmix64 output from `seed`: the raw material `wasm-smith` builds a module from.
fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (0..len.div_ceil(8)).flat_map(|_| next().to_le_bytes()).take(len).collect()
}

/// The module of `seed`, from 1 to 8 KiB of random bytes (more bytes make bigger modules).
fn module_for_seed(seed: u64) -> Option<Vec<u8>> {
    generate(&random_bytes(seed, 1024 * (1 + seed as usize % 8)))
}

fn env_var(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(value.parse().unwrap_or_else(|_| panic!("{name} must be a number, not {value:?}")))
}

/// [`check_module`], with a panic in an engine turned into a report.
fn check_catching_panics(wasm: &[u8], stats: &mut Stats) -> Result<(), String> {
    panic::catch_unwind(AssertUnwindSafe(|| check_module(wasm, stats))).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(format!("an engine panicked: {message}"))
    })
}

/// The module in `path`, binary or text.
fn read_module(path: &str) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    if bytes.starts_with(b"\0asm") {
        return bytes;
    }
    let text = String::from_utf8(bytes).unwrap_or_else(|e| panic!("{path} is neither wasm nor text: {e}"));
    let buf = wast::parser::ParseBuffer::new(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut wat = wast::parser::parse::<wast::Wat>(&buf).unwrap_or_else(|e| panic!("{path}: {e}"));
    wat.encode().unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn run() {
    let mut stats = Stats::default();
    if let Ok(path) = std::env::var("DIFFERENTIAL_WASM") {
        if let Err(report) = check_catching_panics(&read_module(&path), &mut stats) {
            panic!("{path}: {report}");
        }
        println!("differential: {path}: {stats:?}");
        return;
    }
    let budget = Duration::from_secs(env_var("DIFFERENTIAL_SECONDS").unwrap_or(50));
    let seeds = match env_var("DIFFERENTIAL_SEED") {
        Some(seed) => seed..seed + 1,
        None => 0..u64::MAX,
    };
    let start = Instant::now();
    let mut seeds_tried = 0;
    for seed in seeds {
        if start.elapsed() > budget {
            break;
        }
        seeds_tried += 1;
        let Some(wasm) = module_for_seed(seed) else { continue };
        let Err(report) = check_catching_panics(&wasm, &mut stats) else { continue };
        // `CARGO_TARGET_TMPDIR` is `<target>/tmp`.
        let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("the target directory");
        let path = target.join(format!("differential-failure-{seed}.wasm"));
        let written = match std::fs::write(&path, &wasm) {
            Ok(()) => format!("the module is in {}", path.display()),
            Err(e) => format!("could not write the module to {}: {e}", path.display()),
        };
        panic!("seed {seed}: {report}\n{written}; reproduce with DIFFERENTIAL_SEED={seed}");
    }
    println!(
        "differential: {seeds_tried} seeds in {:.1?}: {} modules, {} calls compared ({} trapped alike), \
         {} modules failed to instantiate alike, {} skipped as unsupported by the compiler, \
         {} abandoned on stack exhaustion, {} where wasmi's known select bug was excused",
        start.elapsed(),
        stats.modules,
        stats.calls,
        stats.traps,
        stats.failed_instantiations,
        stats.unsupported,
        stats.stack_exhausted,
        stats.wasmi_excused,
    );
}

#[test]
fn interpreter_compiler_and_wasmi_agree() {
    // Compiled code runs on the calling thread's stack; fuel allows recursion `FUEL` frames deep.
    let worker = std::thread::Builder::new().name("differential".into()).stack_size(64 << 20).spawn(run).unwrap();
    if let Err(payload) = worker.join() {
        panic::resume_unwind(payload);
    }
}
