//! The compiler against Wasmtime and against native code, on the same workloads, in the same run.
//!
//! `cargo bench -p wasmedge-bench --features wasmtime --bench native` prints, per workload, the best time
//! of our compiled code, of Wasmtime (Cranelift, default settings) and of the C source compiled natively
//! with `clang -O2` (or `$CC`), with the ratios ours/Wasmtime and ours/native and their geometric means.
//! Times are for `run(n)` only: each engine compiles and instantiates first, outside the timing.
//!
//! With `BENCH_LARGE_WASM=path/to/big.wasm` (e.g. the Flite build `tests/real-programs.sh` fetches) it also
//! prints compile throughput (MB of wasm per second, all cores) for us and for Wasmtime, and how long a
//! `wasmedge compile` output takes to become runnable native code (read from memory, hashes checked, tables
//! checked, code mapped; instantiation not included).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use wasmedge_bench::{WORKLOADS, best};
use wasmedge_host::{Backend, Config, Engine, Linker, Module, Store};

fn ours(engine: &Engine, wasm: &[u8], n: i32, runs: usize) -> (Duration, i32) {
    let module = Module::new(engine, wasm).expect("ours compiles");
    let mut store = Store::new(engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).expect("ours instantiates");
    let run = instance.get_func(&store, "run").expect("export run");
    best(runs, || run.call_typed::<_, (i32,), i32>(&mut store, (n,)).expect("ours runs"))
}

fn wasmtime_run(engine: &wasmtime::Engine, wasm: &[u8], n: i32, runs: usize) -> (Duration, i32) {
    let module = wasmtime::Module::new(engine, wasm).expect("wasmtime compiles");
    let mut store = wasmtime::Store::new(engine, ());
    let instance = wasmtime::Instance::new(&mut store, &module, &[]).expect("wasmtime instantiates");
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run").expect("export run");
    best(runs, || run.call(&mut store, n).expect("wasmtime runs"))
}

/// Build each workload natively with a `main` that times `run(n)`; `None` without a C compiler.
fn native_build(dir: &Path) -> Option<(String, PathBuf)> {
    let cc = std::env::var("CC").ok().or_else(|| {
        ["clang", "cc"].into_iter().find(|c| Command::new(c).arg("--version").output().is_ok()).map(String::from)
    })?;
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let main = dir.join("main.c");
    std::fs::write(
        &main,
        r#"#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int run(int n);
int main(int argc, char **argv) {
    int n = atoi(argv[1]), runs = atoi(argv[2]), r = 0;
    long long best = -1;
    for (int i = 0; i < runs; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        r = run(n);
        clock_gettime(CLOCK_MONOTONIC, &b);
        long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
        if (best < 0 || ns < best) best = ns;
    }
    printf("%d %lld\n", r, best);
    return 0;
}
"#,
    )
    .ok()?;
    for w in WORKLOADS {
        let status = Command::new(&cc)
            .args(["-O2", "-w", "-o"])
            .arg(dir.join(w.name))
            .arg(fixtures.join(format!("{}.c", w.name)))
            .arg(&main)
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
    }
    Some((cc, dir.to_path_buf()))
}

fn native_run(dir: &Path, name: &str, n: i32, runs: usize) -> (Duration, i32) {
    let out = Command::new(dir.join(name)).args([n.to_string(), runs.to_string()]).output().expect("native runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let r = parts.next().and_then(|s| s.parse().ok()).expect("checksum");
    let ns: u64 = parts.next().and_then(|s| s.parse().ok()).expect("time");
    (Duration::from_nanos(ns), r)
}

fn main() {
    let runs = std::env::var("BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let mut config = Config::new();
    config.backend(Backend::Compiler);
    let engine = Engine::new(config);
    let wt = wasmtime::Engine::default();
    let tmp = std::env::temp_dir().join(format!("wasmedge-bench-native-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let native = native_build(&tmp);
    match &native {
        Some((cc, _)) => println!("native: built with `{cc} -O2`"),
        None => println!("native: no working C compiler (set CC); native column skipped"),
    }
    println!(
        "{:<10} {:>10} {:>12} {:>10} {:>12} {:>12}",
        "workload", "ours ms", "wasmtime ms", "native ms", "ours/wasmt", "ours/native"
    );
    let (mut log_wt, mut log_native, mut count_native) = (0.0, 0.0, 0);
    for w in WORKLOADS {
        let (t_ours, r_ours) = ours(&engine, w.wasm, w.bench_n, runs);
        let (t_wt, r_wt) = wasmtime_run(&wt, w.wasm, w.bench_n, runs);
        assert_eq!(r_ours, r_wt, "{}: results differ", w.name);
        let ratio_wt = t_ours.as_secs_f64() / t_wt.as_secs_f64();
        log_wt += ratio_wt.ln();
        let (native_ms, ratio_native) = match &native {
            Some((_, dir)) => {
                let (t, r) = native_run(dir, w.name, w.bench_n, runs);
                assert_eq!(r, r_ours, "{}: native result differs", w.name);
                let ratio = t_ours.as_secs_f64() / t.as_secs_f64();
                log_native += ratio.ln();
                count_native += 1;
                (format!("{:.2}", t.as_secs_f64() * 1e3), format!("{ratio:.2}"))
            }
            None => ("-".into(), "-".into()),
        };
        println!(
            "{:<10} {:>10.2} {:>12.2} {:>10} {:>12.2} {:>12}",
            w.name,
            t_ours.as_secs_f64() * 1e3,
            t_wt.as_secs_f64() * 1e3,
            native_ms,
            ratio_wt,
            ratio_native
        );
    }
    println!("geomean ours/wasmtime: {:.2}", (log_wt / WORKLOADS.len() as f64).exp());
    if count_native > 0 {
        println!("geomean ours/native: {:.2}", (log_native / count_native as f64).exp());
    }

    if let Ok(path) = std::env::var("BENCH_LARGE_WASM") {
        let wasm = std::fs::read(&path).expect("BENCH_LARGE_WASM is readable");
        let mb = wasm.len() as f64 / (1 << 20) as f64;
        let (t_ours, _) = best(3, || {
            Module::new(&engine, &wasm).expect("ours compiles the large module");
            0
        });
        let (t_wt, _) = best(3, || {
            wasmtime::Module::new(&wt, &wasm).expect("wasmtime compiles the large module");
            0
        });
        println!(
            "compile {path} ({mb:.1} MB): ours {:.0} ms = {:.1} MB/s, wasmtime {:.0} ms = {:.1} MB/s, ratio ours/wasmtime time {:.2}",
            t_ours.as_secs_f64() * 1e3,
            mb / t_ours.as_secs_f64(),
            t_wt.as_secs_f64() * 1e3,
            mb / t_wt.as_secs_f64(),
            t_ours.as_secs_f64() / t_wt.as_secs_f64()
        );
        let aot = tmp.join("large-aot.wasm");
        wasmedge_host::compile_to_file(&engine, &wasm, &aot).expect("compile to a file");
        let aot_bytes = std::fs::read(&aot).expect("read the AOT file");
        let interp = Engine::default();
        let (t_load, _) = best(3, || {
            let m = Module::new(&interp, &aot_bytes).expect("load AOT");
            assert!(m.is_native(), "{:?}", m.warnings());
            0
        });
        println!(
            "time to native code from an AOT file ({:.1} MB): {:.1} ms (load, check hashes, map)",
            aot_bytes.len() as f64 / (1 << 20) as f64,
            t_load.as_secs_f64() * 1e3
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
