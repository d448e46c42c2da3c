//! `containerd-shim-wasmedge-v1`: containerd starts it for runtime `io.containerd.wasmedge.v1`.

use containerd_shim_wasm::shim::Cli;
use containerd_shim_wasmedge::WasmEdgeShim;

fn main() {
    WasmEdgeShim::run(None);
}
