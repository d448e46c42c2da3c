//! Every benchmark workload computes the checksum wasmi computes (differential check, small inputs), on
//! both backends.

use wasmedge_bench::{WORKLOADS, run_ours};
use wasmedge_host::{Backend, Config, Engine};

#[test]
fn workloads_match_the_reference_checksums() {
    for backend in [Backend::Interpreter, Backend::Compiler] {
        let mut config = Config::new();
        config.backend(backend);
        let engine = Engine::new(config);
        for w in WORKLOADS {
            let got = run_ours(&engine, w.wasm, w.test_n).unwrap_or_else(|e| panic!("{}: {e}", w.name));
            assert_eq!(got, w.test_result, "{}(n = {}) on {backend:?}", w.name, w.test_n);
        }
    }
}
