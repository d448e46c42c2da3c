//! Our interpreter against wasmi on the same workloads, measured in the same run.
//!
//! `cargo bench -p wasmedge-bench --features wasmi` prints, per workload, the best time of each engine
//! over several runs (the engines take turns) and the ratio ours/wasmi (below 1.0 means we are faster), then the geometric mean.
//! A third column runs our engine with instruction counting and gas metering on, to show what they cost
//! when enabled (when off, the translator emits no metering instructions at all); the last column is the
//! slowdown with interrupt checks on (`Config::interruptible`, what `--time-limit` turns on).
//! `-- --check` prints the wasmi checksums for the test inputs instead.
//! `-- --run ENGINE WORKLOAD N` (ENGINE: `ours`, `ours-metered`, `ours-interruptible` or `wasmi`), or
//! `-- --run ENGINE PROGRAM` for a real program, runs one workload once on one engine and prints its
//! result, for profiling one engine or counting instructions under `valgrind --tool=callgrind`
//! (noise-free, unlike the timings; see `bench/count-instructions.sh` and docs/performance.md).
//!
//! The real programs (`REAL_PROGRAMS`: Flite and CRuby built for WASI, fetched by
//! `bench/fetch-real-programs.sh`) run end to end on both engines, each with WASI on wasi-common, and their
//! outputs must be identical; `BENCH_REAL_RUNS` sets how many runs (default 3). For the same programs a
//! last table gives translation throughput (validating and translating every function: ours with
//! `Module::translate_all`, wasmi in its eager mode) per MB of code-section bodies, and the heap the
//! translation adds per byte of wasm code (a counting global allocator measures it: ours after
//! `translate_all` against after `Module::new`, wasmi's eager module against one validated but not translated).

use std::time::{Duration, Instant};

use wasmedge_bench::{
    REAL_PROGRAMS, RealOutput, RealProgram, WORKLOADS, real_programs_dir, ruby_abi, run_ours, run_real_ours,
    scratch_dir,
};

fn wasmi_run(wasm: &[u8], n: i32) -> i32 {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wasm).expect("wasmi loads the workload");
    let mut store = wasmi::Store::new(&engine, ());
    let linker = wasmi::Linker::<()>::new(&engine);
    let instance = linker.instantiate_and_start(&mut store, &module).expect("wasmi instantiates");
    let run = instance.get_typed_func::<i32, i32>(&store, "run").expect("export run");
    run.call(&mut store, n).expect("wasmi runs the workload")
}

/// Counts the bytes on the heap, to measure how much memory translated code takes.
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub static LIVE: AtomicUsize = AtomicUsize::new(0);

    pub struct Counting;

    // SAFETY: every call is forwarded unchanged to the system allocator; the counter only observes sizes.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's contract for `alloc` is passed on as is.
            let p = unsafe { System.alloc(layout) };
            if !p.is_null() {
                LIVE.fetch_add(layout.size(), Ordering::Relaxed);
            }
            p
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            // SAFETY: as in `alloc`.
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: as in `alloc`.
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            if !p.is_null() {
                LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
                LIVE.fetch_add(new_size, Ordering::Relaxed);
            }
            p
        }
    }
}

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

/// Heap bytes now in use.
fn live() -> usize {
    counting::LIVE.load(std::sync::atomic::Ordering::Relaxed)
}

/// What validating and translating every function of a module costs one engine: the best total time,
/// and the heap the translation adds to the module (measured against the same module validated but not
/// yet translated).
struct Translation {
    time: Duration,
    heap: usize,
}

/// Ours (`Module::new` then `Module::translate_all`) and wasmi (its eager mode against `LazyTranslation`) on
/// `wasm`; also the size of its code-section bodies.
fn translation(wasm: &[u8], runs: usize) -> (usize, Translation, Translation) {
    let engine = wasmedge_host::Engine::default();
    let mut ours = Translation { time: Duration::MAX, heap: 0 };
    let mut theirs = Translation { time: Duration::MAX, heap: 0 };
    let mut code = 0;
    let wasmi_engine = |mode| {
        let mut config = wasmi::Config::default();
        config.compilation_mode(mode);
        wasmi::Engine::new(&config)
    };
    let (eager, lazy) =
        (wasmi_engine(wasmi::CompilationMode::Eager), wasmi_engine(wasmi::CompilationMode::LazyTranslation));
    for _ in 0..runs {
        let start = Instant::now();
        let module = wasmedge_host::Module::new(&engine, wasm).expect("ours loads");
        let loaded = live();
        (code, _) = module.translate_all().expect("ours translates");
        ours.time = ours.time.min(start.elapsed());
        ours.heap = live().saturating_sub(loaded);
        drop(module);

        let before = live();
        let module = wasmi::Module::new(&lazy, wasm).expect("wasmi loads");
        let lazy_heap = live().saturating_sub(before);
        drop(module);
        let before = live();
        let start = Instant::now();
        let module = wasmi::Module::new(&eager, wasm).expect("wasmi loads");
        theirs.time = theirs.time.min(start.elapsed());
        theirs.heap = live().saturating_sub(before).saturating_sub(lazy_heap);
        drop(module);
    }
    (code, ours, theirs)
}

/// Run a real program on wasmi, WASI from `wasmi_wasi` (wasi-common, like ours).
fn wasmi_real(wasm: &[u8], program: &RealProgram, dir: &std::path::Path) -> RealOutput {
    use wasmi_wasi::wasi_common::pipe::WritePipe;
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wasm).expect("wasmi loads the program");
    let stdout = WritePipe::new_in_memory();
    let mut args = vec![program.name.to_string()];
    args.extend(program.args.iter().map(|a| a.to_string()));
    let preopen = wasmi_wasi::Dir::open_ambient_dir(dir, wasmi_wasi::ambient_authority()).expect("scratch dir");
    let ctx = wasmi_wasi::WasiCtxBuilder::new()
        .stderr(Box::new(WritePipe::new_in_memory()))
        .stdout(Box::new(stdout.clone()))
        .args(&args)
        .expect("arguments")
        .preopened_dir(preopen, ".")
        .expect("preopen")
        .build();
    let mut store = wasmi::Store::new(&engine, ctx);
    let mut linker = wasmi::Linker::new(&engine);
    wasmi_wasi::add_to_linker(&mut linker, |ctx| ctx).expect("wasmi WASI");
    for import in module.imports() {
        if let wasmi::ExternType::Func(ty) = import.ty()
            && import.module() != "wasi_snapshot_preview1"
        {
            if ruby_abi::is_identity_resource(import.module(), import.name()) {
                linker
                    .func_new(import.module(), import.name(), ty.clone(), |_, params, results| {
                        results[0] = params[0].clone();
                        Ok(())
                    })
                    .expect("resource import");
                continue;
            }
            let what = format!("{}.{} is not available in the benchmark", import.module(), import.name());
            linker
                .func_new(import.module(), import.name(), ty.clone(), move |_, _, _| {
                    Err(wasmi::Error::new(what.clone()))
                })
                .expect("stub import");
        }
    }
    let instance = linker.instantiate_and_start(&mut store, &module).expect("wasmi instantiates the program");
    let status = match program.eval {
        None => {
            let start = instance.get_typed_func::<(), ()>(&store, "_start").expect("export _start");
            match start.call(&mut store, ()) {
                Ok(()) => 0,
                Err(e) => e.i32_exit_status().unwrap_or_else(|| panic!("{} on wasmi: {e}", program.name)),
            }
        }
        Some(script) => {
            // The same calls as `run_real_ours`.
            let func = |store: &wasmi::Store<_>, name: &str| instance.get_func(store, name).expect("ruby export");
            let memory = instance.get_memory(&store, "memory").expect("memory");
            func(&store, "_initialize").call(&mut store, &[], &mut []).expect("_initialize");
            let realloc = func(&store, ruby_abi::REALLOC).typed::<(i32, i32, i32, i32), i32>(&store).expect("realloc");
            let mut args = vec![program.name];
            args.extend(program.args);
            let size: usize = args.iter().map(|a| a.len() + 8).sum::<usize>() + 4;
            let at = realloc.call(&mut store, (0, 0, 8, size as i32)).expect("realloc") as u32;
            let (bytes, array) = ruby_abi::string_list(at, &args);
            memory.data_mut(&mut store)[at as usize..at as usize + bytes.len()].copy_from_slice(&bytes);
            let init = func(&store, ruby_abi::INIT).typed::<(i32, i32), ()>(&store).expect("ruby-init");
            init.call(&mut store, (array as i32, args.len() as i32)).expect("ruby-init");
            func(&store, ruby_abi::INIT_LOADPATH).call(&mut store, &[], &mut []).expect("loadpath");
            let code = realloc.call(&mut store, (0, 0, 8, script.len() as i32)).expect("realloc") as usize;
            memory.data_mut(&mut store)[code..code + script.len()].copy_from_slice(script.as_bytes());
            let eval = func(&store, ruby_abi::EVAL).typed::<(i32, i32), i32>(&store).expect("eval");
            let ret = eval.call(&mut store, (code as i32, script.len() as i32)).expect("eval") as usize;
            i32::from_le_bytes(memory.data(&store)[ret + 4..ret + 8].try_into().expect("4 bytes"))
        }
    };
    drop(store);
    let output = match program.output_file {
        Some(file) => std::fs::read(dir.join(file)).expect("program output file"),
        None => stdout.try_into_inner().expect("stdout pipe").into_inner(),
    };
    RealOutput { status, output }
}

/// The wall time of one call of `f`, and its result.
fn timed<R>(f: impl FnOnce() -> R) -> (Duration, R) {
    let start = Instant::now();
    let r = f();
    (start.elapsed(), r)
}

fn main() {
    if std::env::args().any(|a| a == "--check") {
        for w in WORKLOADS {
            println!("{} n={} wasmi={}", w.name, w.test_n, wasmi_run(w.wasm, w.test_n));
        }
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--run") {
        let [engine, name, n] = [1, 2, 3].map(|k| args.get(i + k).map(String::as_str).unwrap_or(""));
        if let Some(p) = REAL_PROGRAMS.iter().find(|p| p.name == name) {
            let wasm = std::fs::read(real_programs_dir().join(p.file)).expect("run bench/fetch-real-programs.sh");
            let dir = scratch_dir(engine, p.name).expect("scratch dir");
            let out = match engine {
                "ours" => run_real_ours(&wasmedge_host::Engine::default(), &wasm, p, &dir).expect("ours runs"),
                "wasmi" => wasmi_real(&wasm, p, &dir),
                other => panic!("--run: unknown engine {other:?} (ours or wasmi)"),
            };
            let _ = std::fs::remove_dir_all(&dir);
            println!("{name} {engine}: status {}, {} bytes of output", out.status, out.output.len());
            return;
        }
        let w = WORKLOADS.iter().find(|w| w.name == name).expect("--run ours|wasmi WORKLOAD N: unknown workload");
        let n: i32 = n.parse().expect("--run ours|wasmi WORKLOAD N: N is a number");
        let r = match engine {
            "ours" => run_ours(&wasmedge_host::Engine::default(), w.wasm, n).expect("ours runs"),
            "ours-metered" => {
                let mut config = wasmedge_host::Config::new();
                config.count_instructions(true).meter_gas(true);
                run_ours(&wasmedge_host::Engine::new(config), w.wasm, n).expect("ours runs")
            }
            "ours-interruptible" => {
                let mut config = wasmedge_host::Config::new();
                config.interruptible(true);
                run_ours(&wasmedge_host::Engine::new(config), w.wasm, n).expect("ours runs")
            }
            "wasmi" => wasmi_run(w.wasm, n),
            other => panic!("--run: unknown engine {other:?} (ours or wasmi)"),
        };
        println!("{name} n={n} {engine}={r}");
        return;
    }
    let runs = std::env::var("BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let ours = wasmedge_host::Engine::default();
    let mut metered_config = wasmedge_host::Config::new();
    metered_config.count_instructions(true).meter_gas(true);
    let metered = wasmedge_host::Engine::new(metered_config);
    let mut interruptible_config = wasmedge_host::Config::new();
    interruptible_config.interruptible(true);
    let interruptible = wasmedge_host::Engine::new(interruptible_config);
    println!(
        "{:<10} {:>12} {:>12} {:>12} {:>8} {:>9} {:>10}",
        "workload", "ours ms", "metered ms", "wasmi ms", "ratio", "metering", "interrupt"
    );
    // ours/wasmi per workload, small and real.
    let mut ratios: Vec<(&str, f64)> = Vec::new();
    // The worst cost of metering and of interrupt checks, as a factor of the plain run's time.
    let (mut worst_meter, mut worst_intr) = (0.0f64, 0.0f64);
    // `BENCH_ONLY=name,name` runs only those workloads (for profiling).
    let only = std::env::var("BENCH_ONLY").ok();
    let selected = |name: &str| only.as_deref().is_none_or(|o| o.split(',').any(|n| n == name));
    for w in WORKLOADS.iter().filter(|w| selected(w.name)) {
        // The engines take turns, one run each, so a slow spell of the machine hits all of them.
        let (mut t_ours, mut t_meter, mut t_wasmi) = (Duration::MAX, Duration::MAX, Duration::MAX);
        let (mut r_ours, mut r_meter, mut r_wasmi) = (0, 0, 0);
        let (mut t_intr, mut r_intr) = (Duration::MAX, 0);
        for _ in 0..runs {
            let (t, r) = timed(|| run_ours(&ours, w.wasm, w.bench_n).expect("ours runs"));
            (t_ours, r_ours) = (t_ours.min(t), r);
            let (t, r) = timed(|| wasmi_run(w.wasm, w.bench_n));
            (t_wasmi, r_wasmi) = (t_wasmi.min(t), r);
            let (t, r) = timed(|| run_ours(&metered, w.wasm, w.bench_n).expect("metered runs"));
            (t_meter, r_meter) = (t_meter.min(t), r);
            let (t, r) = timed(|| run_ours(&interruptible, w.wasm, w.bench_n).expect("interruptible runs"));
            (t_intr, r_intr) = (t_intr.min(t), r);
        }
        assert_eq!(r_intr, r_wasmi, "{}: interruptible result differs", w.name);
        assert_eq!(r_ours, r_wasmi, "{}: results differ", w.name);
        assert_eq!(r_meter, r_wasmi, "{}: metered result differs", w.name);
        let ratio = t_ours.as_secs_f64() / t_wasmi.as_secs_f64();
        ratios.push((w.name, ratio));
        worst_meter = worst_meter.max(t_meter.as_secs_f64() / t_ours.as_secs_f64());
        worst_intr = worst_intr.max(t_intr.as_secs_f64() / t_ours.as_secs_f64());
        println!(
            "{:<10} {:>12.1} {:>12.1} {:>12.1} {:>8.2} {:>8.2}x {:>9.2}x",
            w.name,
            t_ours.as_secs_f64() * 1e3,
            t_meter.as_secs_f64() * 1e3,
            t_wasmi.as_secs_f64() * 1e3,
            ratio,
            t_meter.as_secs_f64() / t_ours.as_secs_f64(),
            t_intr.as_secs_f64() / t_ours.as_secs_f64()
        );
    }
    let real_runs = std::env::var("BENCH_REAL_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    for p in REAL_PROGRAMS.iter().filter(|p| selected(p.name)) {
        let path = real_programs_dir().join(p.file);
        let Ok(wasm) = std::fs::read(&path) else {
            println!("{:<10} skipped: {} is missing (run bench/fetch-real-programs.sh)", p.name, path.display());
            continue;
        };
        let dir_ours = scratch_dir("ours", p.name).expect("scratch dir");
        let dir_wasmi = scratch_dir("wasmi", p.name).expect("scratch dir");
        let (mut t_ours, mut t_wasmi) = (Duration::MAX, Duration::MAX);
        let (mut o_ours, mut o_wasmi) = (None, None);
        for _ in 0..real_runs {
            let (t, o) = timed(|| run_real_ours(&ours, &wasm, p, &dir_ours).expect("ours runs the program"));
            (t_ours, o_ours) = (t_ours.min(t), Some(o));
            let (t, o) = timed(|| wasmi_real(&wasm, p, &dir_wasmi));
            (t_wasmi, o_wasmi) = (t_wasmi.min(t), Some(o));
        }
        let (o_ours, o_wasmi) = (o_ours.expect("a run"), o_wasmi.expect("a run"));
        assert_eq!(o_ours.status, 0, "{}: exit status", p.name);
        assert_eq!(o_ours, o_wasmi, "{}: outputs differ", p.name);
        assert!(!o_ours.output.is_empty(), "{}: no output", p.name);
        if std::env::var_os("BENCH_SHOW_OUTPUT").is_some() {
            println!("{}", String::from_utf8_lossy(&o_ours.output));
        }
        let _ = std::fs::remove_dir_all(&dir_ours);
        let _ = std::fs::remove_dir_all(&dir_wasmi);
        let ratio = t_ours.as_secs_f64() / t_wasmi.as_secs_f64();
        ratios.push((p.name, ratio));
        println!(
            "{:<10} {:>12.1} {:>12} {:>12.1} {:>8.2} {:>9}",
            p.name,
            t_ours.as_secs_f64() * 1e3,
            "-",
            t_wasmi.as_secs_f64() * 1e3,
            ratio,
            format!("{} B", o_ours.output.len())
        );
    }
    // Translation: validating and translating everything, per MB of code-section bodies, and the heap the
    // translated code adds per byte of wasm code.
    println!();
    println!(
        "{:<10} {:>9} {:>12} {:>12} {:>14} {:>14}",
        "translate", "code MB", "ours MB/s", "wasmi MB/s", "ours bytes/B", "wasmi bytes/B"
    );
    for p in REAL_PROGRAMS.iter().filter(|p| selected(p.name)) {
        let Ok(wasm) = std::fs::read(real_programs_dir().join(p.file)) else { continue };
        let (code, ours_tr, wasmi_tr) = translation(&wasm, real_runs);
        let mb = code as f64 / 1e6;
        println!(
            "{:<10} {:>9.2} {:>12.1} {:>12.1} {:>14.2} {:>14.2}",
            p.name,
            mb,
            mb / ours_tr.time.as_secs_f64(),
            mb / wasmi_tr.time.as_secs_f64(),
            ours_tr.heap as f64 / code as f64,
            wasmi_tr.heap as f64 / code as f64
        );
    }
    let geomean = (ratios.iter().map(|(_, r)| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
    let (worst_name, worst) = ratios.iter().copied().fold(("", 0.0), |a, b| if b.1 > a.1 { b } else { a });
    println!("geomean ratio ours/wasmi: {geomean:.2} over {} workloads; slowest {worst_name} {worst:.2}", ratios.len());
    let met = |ok: bool| if ok { "met" } else { "not met" };
    println!("targets: geomean <= 0.90 {}, every workload <= 1.10 {}", met(geomean <= 0.90), met(worst <= 1.10));
    if worst_meter > 0.0 {
        println!(
            "targets: metering <= 1.30x {} (worst {worst_meter:.2}x), interrupt checks <= 1.30x {} (worst {worst_intr:.2}x)",
            met(worst_meter <= 1.30),
            met(worst_intr <= 1.30)
        );
    }
}
