//! `wasmedge`: run WebAssembly modules from the command line, as WasmEdge 0.15 does.

#![forbid(unsafe_code)]

mod args;
mod compile;
mod log;
mod run;

fn main() {
    raise_open_file_limit();
    wasmedge_host::ignore_file_size_signal();
    let code = run::main(std::env::args().skip(1).collect());
    std::process::exit(code);
}

/// A server guest may hold thousands of sockets: raise the soft limit on open descriptors to the hard one,
/// as servers do (the soft limit is often 1024; the hard one much higher).
fn raise_open_file_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        limit.current = limit.maximum;
        let _ = setrlimit(Resource::Nofile, limit);
    }
}
