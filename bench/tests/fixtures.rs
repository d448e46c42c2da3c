//! Every benchmark workload computes the checksum wasmi computes (differential check, small inputs).

use wasmedge_bench::{WORKLOADS, run_ours};

#[test]
fn workloads_match_the_reference_checksums() {
    let engine = wasmedge_host::Engine::default();
    for w in WORKLOADS {
        let got = run_ours(&engine, w.wasm, w.test_n).unwrap_or_else(|e| panic!("{}: {e}", w.name));
        assert_eq!(got, w.test_result, "{}(n = {})", w.name, w.test_n);
    }
}
