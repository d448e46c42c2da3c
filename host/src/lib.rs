//! The engine of the `wasmedge` runtime: load, validate, instantiate and interpret WebAssembly.
//!
//! The path of a module:
//!
//! | step | where | what |
//! |---|---|---|
//! | load + validate | [`module`] | `wasmparser` decodes and validates every section and body in one pass |
//! | instantiate | `instance`, [`Linker`] | imports resolved by name, memories/tables/globals allocated, segments applied, start run |
//! | translate | `interp::translate` | each function, on its first call, becomes register-style interpreter code |
//! | execute | `interp::exec` | one loop runs all wasm frames on an explicit frame stack |
//!
//! Runtime state lives in a [`Store`]; code reaches it through the `#[repr(C)]` layout in [`vm`].
//!
//! ```
//! use wasmedge_host::{Engine, Linker, Module, Store, Val};
//!
//! // (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
//! let wasm = [
//!     0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7, 1, 3, 97, 100,
//!     100, 0, 0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11,
//! ];
//! let engine = Engine::default();
//! let module = Module::new(&engine, wasm)?;
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new().instantiate(&mut store, &module)?;
//! let add = instance.get_func(&store, "add").unwrap();
//! assert_eq!(add.call_typed::<_, (i32, i32), i32>(&mut store, (2, 40))?, 42);
//! # Ok::<(), wasmedge_host::Error>(())
//! ```

mod compiler;
mod config;
mod engine;
mod error;
mod func;
mod instance;
mod interp;
mod linker;
pub mod module;
pub mod plugin;
mod store;
mod types;
pub mod vm;

pub use compiler::aot::{compile_module, compile_to_file};
pub use config::{Backend, Config, OptLevel, Proposal};
pub use engine::Engine;
pub use error::{Error, ErrorKind, Phase, Result, TrapCode};
pub use func::{Caller, IntoFunc, WasmParams, WasmResults, WasmTy};
pub use linker::Linker;
pub use module::Module;
pub use store::{Extern, Global, Instance, InterruptHandle, Memory, Store, Table, TimeLimit};
pub use types::{ExternRef, ExternType, Func, FuncType, GlobalType, Limits, MemoryType, TableType, Val, ValType};
pub use vm::native::ignore_file_size_signal;
