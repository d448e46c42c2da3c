//! SIGTERM and SIGINT stop a running guest (a container's first process gets no signal it does not
//! handle). In a test binary of its own: it signals its own process.

use std::time::{Duration, Instant};

use containerd_shim_wasmedge::{Guest, run_until_signal};
use rustix::process::{Signal, getpid, kill_process};

fn spinning_guest() -> Guest {
    let buf = wast::parser::ParseBuffer::new(r#"(module (func (export "_start") (loop (br 0))))"#).unwrap();
    let wasm = wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap();
    Guest {
        wasm,
        args: vec!["spin".into()],
        func: "_start".into(),
        root: "/".into(),
        plugin_paths: Some(Vec::new()),
        capture_output: true,
        ..Guest::default()
    }
}

#[test]
fn a_signal_interrupts_the_guest_and_sets_the_status() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    for (signal, status) in [(Signal::TERM, 143), (Signal::INT, 130)] {
        let start = Instant::now();
        let result = rt.block_on(async {
            let run = tokio::spawn(run_until_signal(spinning_guest()));
            tokio::time::sleep(Duration::from_millis(300)).await;
            kill_process(getpid(), signal).unwrap();
            run.await.unwrap()
        });
        let (got, outcome) = result.unwrap();
        assert_eq!(got, status, "{signal:?}");
        assert!(outcome.is_none());
        // The interrupt stops the loop at once; the grace period is for guests blocked in the host.
        assert!(start.elapsed() < Duration::from_secs(2), "{signal:?} took {:?}", start.elapsed());
    }
}
