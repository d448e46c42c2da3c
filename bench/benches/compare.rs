//! Our interpreter against wasmi on the same workloads, measured in the same run.
//!
//! `cargo bench -p wasmedge-bench --features wasmi` prints, per workload, the best time of each engine
//! over several runs and the ratio ours/wasmi (below 1.0 means we are faster), then the geometric mean.
//! A third column runs our engine with instruction counting and gas metering on, to show what they cost
//! when enabled (when off, the translator emits no metering instructions at all).
//! `-- --check` prints the wasmi checksums for the test inputs instead.

use wasmedge_bench::{WORKLOADS, best, run_ours};

fn wasmi_run(wasm: &[u8], n: i32) -> i32 {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wasm).expect("wasmi loads the workload");
    let mut store = wasmi::Store::new(&engine, ());
    let linker = wasmi::Linker::<()>::new(&engine);
    let instance = linker.instantiate_and_start(&mut store, &module).expect("wasmi instantiates");
    let run = instance.get_typed_func::<i32, i32>(&store, "run").expect("export run");
    run.call(&mut store, n).expect("wasmi runs the workload")
}

fn main() {
    if std::env::args().any(|a| a == "--check") {
        for w in WORKLOADS {
            println!("{} n={} wasmi={}", w.name, w.test_n, wasmi_run(w.wasm, w.test_n));
        }
        return;
    }
    let runs = std::env::var("BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let ours = wasmedge_host::Engine::default();
    let mut metered_config = wasmedge_host::Config::new();
    metered_config.count_instructions(true).meter_gas(true);
    let metered = wasmedge_host::Engine::new(metered_config);
    println!(
        "{:<10} {:>12} {:>12} {:>12} {:>8} {:>9}",
        "workload", "ours ms", "metered ms", "wasmi ms", "ratio", "metering"
    );
    let mut log_sum = 0.0;
    for w in WORKLOADS {
        let (t_ours, r_ours) = best(runs, || run_ours(&ours, w.wasm, w.bench_n).expect("ours runs"));
        let (t_meter, r_meter) = best(runs, || run_ours(&metered, w.wasm, w.bench_n).expect("metered runs"));
        let (t_wasmi, r_wasmi) = best(runs, || wasmi_run(w.wasm, w.bench_n));
        assert_eq!(r_ours, r_wasmi, "{}: results differ", w.name);
        assert_eq!(r_meter, r_wasmi, "{}: metered result differs", w.name);
        let ratio = t_ours.as_secs_f64() / t_wasmi.as_secs_f64();
        log_sum += ratio.ln();
        println!(
            "{:<10} {:>12.1} {:>12.1} {:>12.1} {:>8.2} {:>8.2}x",
            w.name,
            t_ours.as_secs_f64() * 1e3,
            t_meter.as_secs_f64() * 1e3,
            t_wasmi.as_secs_f64() * 1e3,
            ratio,
            t_meter.as_secs_f64() / t_ours.as_secs_f64()
        );
    }
    println!("geomean ratio ours/wasmi: {:.2}", (log_sum / WORKLOADS.len() as f64).exp());
}
