//! `wasmedge`: run WebAssembly modules from the command line, as WasmEdge 0.15 does.

#![forbid(unsafe_code)]

mod args;
mod compile;
mod log;
mod run;

fn main() {
    let code = run::main(std::env::args().skip(1).collect());
    std::process::exit(code);
}
