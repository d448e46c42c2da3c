//! `libwasmedge.so.0`: WasmEdge 0.15's C API on our engine, so that C programs, crun, the language SDKs
//! and C plugins written for WasmEdge run on it unchanged.
//!
//! Every exported function is defined with `ffi::capi!`: an `extern "C"` function that runs a safe Rust
//! body and turns a panic into an error result (or NULL, 0, false) instead of unwinding into C. Context
//! types (`WasmEdge_ConfigureContext` and the others) are Rust structs handed to C as boxed pointers.
//! Unsafe code is confined to `ffi`, where raw pointers from C become references.
//!
//! The header, `include/wasmedge/wasmedge.h`, declares the same functions, types and constants as
//! WasmEdge 0.15's; docs/c-api.md lists what is implemented.
#![deny(unsafe_code)]

mod errcodes;
mod ffi;

pub mod asynchronous;
pub mod basic;
pub mod compiler;
pub mod configure;
pub mod driver;
pub mod executor;
pub mod instance;
pub mod loader;
pub mod plugin;
pub mod statistics;
pub mod types;
pub mod value;
pub mod vm;
pub mod world;
