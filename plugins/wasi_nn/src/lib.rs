//! The `wasi_nn` plugin: WasmEdge's `wasi_ephemeral_nn` module (the twelve functions of WasmEdge 0.15,
//! same signatures, layouts and error numbers) with Rust backends: GGUF models on candle (`ggml/`,
//! encoding 6) and ONNX models on tract (`onnx.rs`, encoding 1), each behind a cargo feature of its
//! name, and `autodetect` (5) picking between them. See README.md for the functions, the codes,
//! `--nn-preload` and where this differs from WasmEdge.
//!
//! Layout: `abi.rs` holds the guest-facing functions (memory layouts, decoding, pointer checks, messages),
//! `state.rs` a guest's handle tables and name cache, `preload.rs` the `--nn-preload` entries, and
//! `backend.rs` the interface the backends implement.

// `deny`, not `forbid`: `export_plugin!` expands to the one `#[allow(unsafe_code)]` item the SDK needs.
#![deny(unsafe_code)]

pub mod abi;
pub mod backend;
#[cfg(feature = "ggml")]
pub mod ggml;
#[cfg(feature = "onnx")]
pub mod onnx;
pub mod preload;
pub mod state;

use wasmedge_plugin_sdk::{Frame, Module, OptionKind, Plugin};

use preload::Preloads;
use state::NnState;

/// The module guests import.
pub const MODULE: &str = "wasi_ephemeral_nn";

/// Log one line as WasmEdge's wasi_nn does: `[WASI-NN] <message>` on stderr (a message that already
/// carries the prefix is printed as it is).
pub(crate) fn log(message: &str) {
    if message.starts_with("[WASI-NN]") {
        eprintln!("{message}");
    } else {
        eprintln!("[WASI-NN] {message}");
    }
}

/// A host function over a guest's state: `host!(abi::function, arg, …)`, every wasm parameter an `i32`
/// (taken as `u32`); it returns the errno as an `i32`.
macro_rules! host {
    ($f:path $(, $arg:ident)*) => {
        |state: &mut NnState, frame: &mut Frame<'_, '_>, $($arg: u32),*| -> Result<u32, String> {
            Ok(abi::errno($f(state, frame, $($arg),*)))
        }
    };
}

/// The `wasi_ephemeral_nn` module, its functions in WasmEdge's registration order. Each guest gets its
/// own state, with the `--nn-preload` entries parsed anew (bad entries are logged then).
fn nn_module() -> Module<NnState> {
    Module::new(MODULE, "WASI-NN: graphs, execution contexts and preloaded models", |options| {
        Ok(NnState::new(Preloads::parse(options.list(preload::OPTION)), abi::backend_for))
    })
    .func("load", host!(abi::load, builder_ptr, builder_len, encoding, target, graph_id_ptr))
    .func("load_by_name", host!(abi::load_by_name, name_ptr, name_len, graph_id_ptr))
    .func(
        "load_by_name_with_config",
        host!(abi::load_by_name_with_config, name_ptr, name_len, config_ptr, config_len, graph_id_ptr),
    )
    .func("init_execution_context", host!(abi::init_execution_context, graph_id, ctx_id_ptr))
    .func("set_input", host!(abi::set_input, ctx_id, index, tensor_ptr))
    .func("get_output", host!(abi::get_output, ctx_id, index, out_ptr, out_max_len, bytes_written_ptr))
    .func("get_output_single", host!(abi::get_output_single, ctx_id, index, out_ptr, out_max_len, bytes_written_ptr))
    .func("compute", host!(abi::compute, ctx_id))
    .func("compute_single", host!(abi::compute_single, ctx_id))
    .func("fini_single", host!(abi::fini_single, ctx_id))
    .func("unload", host!(abi::unload, graph_id))
    .func("finalize_execution_context", host!(abi::finalize_execution_context, ctx_id))
}

/// The plugin, version = the workspace's.
pub fn plugin() -> Plugin {
    let version = |s: &str| s.parse().unwrap_or(0);
    Plugin::new(
        "wasi_nn",
        "WASI-NN: neural-network inference (GGUF models on candle, ONNX models on tract)",
        (
            version(env!("CARGO_PKG_VERSION_MAJOR")),
            version(env!("CARGO_PKG_VERSION_MINOR")),
            version(env!("CARGO_PKG_VERSION_PATCH")),
            0,
        ),
    )
    .option(preload::OPTION, preload::DESCRIPTION, OptionKind::List)
    .module(nn_module())
}

wasmedge_plugin_sdk::export_plugin!(plugin());
