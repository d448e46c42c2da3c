//! `WasmEdge_CompilerContext`: ahead-of-time compilation with our Cranelift backend, to a universal wasm
//! (the default output format) or a shared library (`WasmEdge_CompilerOutputFormat_Native`).

use std::ffi::c_char;

use wasmedge_host::{Engine, Error};

use crate::basic::{WasmEdge_Bytes, WasmEdge_Result, code, result};
use crate::configure::Configure;
use crate::ffi::{self, capi};

/// `WasmEdge_CompilerContext`.
pub struct Compiler {
    engine: Engine,
    shared_library: bool,
}

impl Compiler {
    fn compile(&self, wasm: &[u8], out: *const c_char) -> Result<(), Error> {
        let out = ffi::path(out).ok_or_else(|| Error::io(&std::io::ErrorKind::NotFound.into()))?;
        let bytes = wasmedge_host::compile_module(&self.engine, wasm, self.shared_library)?;
        // Through a temporary file and a rename: a failure never leaves a half-written output.
        let tmp = out.with_extension("tmp-compile");
        std::fs::write(&tmp, &bytes).and_then(|()| std::fs::rename(&tmp, out)).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(&e)
        })
    }
}

capi! {
    /// Compiles with the configuration's optimization level, interruptibility and statistics switches.
    fn WasmEdge_CompilerCreate(conf: *const Configure) -> *mut Compiler {
        let conf = ffi::get(conf).cloned().unwrap_or_default();
        let mut config = conf.to_config();
        config.backend(wasmedge_host::Backend::Compiler);
        ffi::into_raw(Compiler { engine: Engine::new(config), shared_library: conf.output_format == 0 })
    }
    fn WasmEdge_CompilerCompile(cxt: *mut Compiler, in_path: *const c_char, out_path: *const c_char) -> WasmEdge_Result {
        let Some(c) = ffi::get(cxt.cast_const()) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        result(crate::loader::read_module_file(in_path).and_then(|wasm| c.compile(&wasm, out_path)))
    }
    fn WasmEdge_CompilerCompileFromBuffer(cxt: *mut Compiler, buf: *const u8, len: u64, out_path: *const c_char) -> WasmEdge_Result {
        let Some(c) = ffi::get(cxt.cast_const()) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        let wasm = ffi::slice(buf, u32::try_from(len).unwrap_or(u32::MAX));
        result(c.compile(wasm, out_path))
    }
    fn WasmEdge_CompilerCompileFromBytes(cxt: *mut Compiler, bytes: WasmEdge_Bytes, out_path: *const c_char) -> WasmEdge_Result {
        WasmEdge_CompilerCompileFromBuffer(cxt, bytes.buf, bytes.length as u64, out_path)
    }
    fn WasmEdge_CompilerDelete(cxt: *mut Compiler) {
        ffi::delete(cxt)
    }
}
