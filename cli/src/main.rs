//! `wasmedge`: run WebAssembly modules from the command line, as WasmEdge 0.15 does.

#![forbid(unsafe_code)]

fn main() {
    std::process::exit(wasmedge_cli::main(std::env::args().skip(1).collect()));
}
