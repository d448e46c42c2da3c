//! The `wasmedge` command as a library: the binary calls [`main`], and so do the C API's driver functions
//! (`WasmEdge_Driver_UniTool`, `WasmEdge_Driver_Tool`, `WasmEdge_Driver_Compiler`), so that a thin
//! executable linking only `libwasmedge.so` behaves as this one.

#![forbid(unsafe_code)]

mod args;
mod compile;
mod log;
mod run;

pub use run::{Embedder, Standalone};

/// Run the command line `argv` (without the program name): `[run] [options] file [args]` or
/// `compile [options] in out`. Returns the process exit code.
pub fn main(argv: Vec<String>) -> i32 {
    main_with(argv, &Standalone)
}

/// [`main`] with what `embedder` adds: its store and the host modules it provides.
pub fn main_with<E: Embedder>(argv: Vec<String>, embedder: &E) -> i32 {
    raise_open_file_limit();
    wasmedge_host::ignore_file_size_signal();
    run::main(argv, embedder)
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
