//! The benchmark workloads: freestanding C programs compiled to wasm (sources and `build.sh` in
//! `fixtures/`). Each exports `run(n: i32) -> i32` and returns a checksum, so every engine's result can be
//! compared.

#![forbid(unsafe_code)]

/// One workload.
pub struct Workload {
    pub name: &'static str,
    pub wasm: &'static [u8],
    /// `n` for a benchmark run (about a quarter to one second on our interpreter).
    pub bench_n: i32,
    /// `n` for the correctness test and its expected checksum (computed by wasmi).
    pub test_n: i32,
    pub test_result: i32,
}

macro_rules! workloads {
    ($($name:literal, $bench:expr, $test:expr => $expected:expr;)*) => {
        /// All workloads.
        pub const WORKLOADS: &[Workload] = &[$(
            Workload {
                name: $name,
                wasm: include_bytes!(concat!("../fixtures/", $name, ".wasm")),
                bench_n: $bench,
                test_n: $test,
                test_result: $expected,
            },
        )*];
    };
}

workloads! {
    "fib", 30, 20 => 6765;
    "loop", 30_000_000, 1000 => -536284631;
    "sieve", 40, 1 => 17984;
    "matmul", 60, 3 => 22482;
    "sha256", 60, 2 => 1730461200;
    "memcpy", 200_000, 100 => 27185;
    "dispatch", 10_000_000, 1000 => -1095235752;
    "coremark", 3_000, 10 => 37289;
}

/// Run `run(n)` of a workload on our engine.
pub fn run_ours(engine: &wasmedge_host::Engine, wasm: &[u8], n: i32) -> Result<i32, wasmedge_host::Error> {
    let module = wasmedge_host::Module::new(engine, wasm)?;
    let mut store = wasmedge_host::Store::new(engine, ());
    let instance = wasmedge_host::Linker::new().instantiate(&mut store, &module)?;
    let run = instance.get_func(&store, "run").ok_or_else(|| wasmedge_host::Error::api("no export run"))?;
    run.call_typed(&mut store, (n,))
}

/// The best wall time of `runs` calls of `f`, and its last result.
pub fn best(runs: usize, mut f: impl FnMut() -> i32) -> (std::time::Duration, i32) {
    let mut best = std::time::Duration::MAX;
    let mut result = 0;
    for _ in 0..runs {
        let start = std::time::Instant::now();
        result = f();
        best = best.min(start.elapsed());
    }
    (best, result)
}
