//! Loader, validator and AST modules.
//!
//! Our engine decodes and validates a module in one step (`Module::new`). The loader runs that step: a
//! malformed module fails to load, as in WasmEdge; a well-formed module that fails validation still gives
//! an AST module, holding the validation error, which `WasmEdge_ValidatorValidate` (or instantiation)
//! reports.

use std::ffi::c_char;
use std::sync::Arc;

use wasmedge_host::{Engine, Error, ErrorKind, Module};

use crate::basic::{WasmEdge_Bytes, WasmEdge_Result, code, log_error};
use crate::configure::Configure;
use crate::ffi::{self, capi};
use crate::types::{ExportType, ExternTypeCtx, ImportType};

/// `WasmEdge_LoaderContext`.
pub struct Loader {
    engine: Engine,
}

/// `WasmEdge_ValidatorContext`.
pub struct Validator;

/// `WasmEdge_ASTModuleContext`.
#[derive(Clone)]
pub struct AstModule {
    pub bytes: Arc<[u8]>,
    /// The module, validated under the loader's configuration, or its validation error.
    pub module: Result<Module, Error>,
    pub imports: Vec<ImportType>,
    pub exports: Vec<ExportType>,
}

impl Loader {
    pub fn new(conf: &Configure) -> Loader {
        Loader { engine: Engine::new(conf.to_config()) }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

impl AstModule {
    /// A copy for the VM to keep (the module and its bytes are shared, not copied).
    pub fn clone_module(&self) -> AstModule {
        self.clone()
    }

    /// Decode `bytes` with `engine`: `Err` only for a malformed module.
    pub fn load(engine: &Engine, bytes: Vec<u8>) -> Result<AstModule, Error> {
        let module = match Module::new(engine, &bytes) {
            Ok(m) => Ok(m),
            Err(e) if matches!(e.kind(), ErrorKind::Invalid) => Err(e),
            Err(e) => return Err(e),
        };
        let (imports, exports) = match &module {
            Ok(m) => (
                m.imports()
                    .iter()
                    .map(|i| ImportType {
                        module: i.module.clone(),
                        name: i.name.clone(),
                        ty: ExternTypeCtx::from_host(&i.ty),
                    })
                    .collect(),
                m.exports()
                    .map(|(name, ty)| ExportType { name: name.to_string(), ty: ExternTypeCtx::from_host(&ty) })
                    .collect(),
            ),
            Err(_) => (Vec::new(), Vec::new()),
        };
        Ok(AstModule { bytes: bytes.into(), module, imports, exports })
    }

    /// The module for instantiation under `engine`: this one when it was made by the same engine, else
    /// decoded again.
    pub fn module_for(&self, engine: &Engine) -> Result<Module, Error> {
        match &self.module {
            Ok(m) if m.engine().same(engine) => Ok(m.clone()),
            Ok(_) => Module::new(engine, &self.bytes[..]),
            Err(e) => Err(e.clone()),
        }
    }
}

/// The bytes of the module file at C path `path` ("invalid path" for NULL or a missing file).
pub fn read_module_file(path: *const c_char) -> Result<Vec<u8>, Error> {
    let path = ffi::path(path).ok_or_else(|| Error::io(&std::io::ErrorKind::NotFound.into()))?;
    std::fs::read(path).map_err(|e| Error::io(&e))
}

/// Load a file or buffer into a new AST module, storing it through `out`.
fn parse(
    loader: *mut Loader,
    out: *mut *mut AstModule,
    bytes: impl FnOnce() -> Result<Vec<u8>, Error>,
) -> WasmEdge_Result {
    let (Some(loader), false) = (ffi::get(loader.cast_const()), out.is_null()) else {
        return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW);
    };
    match bytes().and_then(|b| AstModule::load(&loader.engine, b)) {
        Ok(ast) => {
            ffi::write_out(out, ffi::into_raw(ast));
            WasmEdge_Result::SUCCESS
        }
        Err(e) => {
            log_error(&e);
            WasmEdge_Result::from_error(&e)
        }
    }
}

/// The engine a configure context (NULL: the defaults) describes.
pub fn engine_of(conf: *const Configure) -> Engine {
    let conf = ffi::get(conf).cloned().unwrap_or_default();
    Engine::new(conf.to_config())
}

capi! {
    fn WasmEdge_LoaderCreate(conf: *const Configure) -> *mut Loader {
        ffi::into_raw(Loader { engine: engine_of(conf) })
    }
    fn WasmEdge_LoaderParseFromFile(cxt: *mut Loader, module: *mut *mut AstModule, path: *const c_char) -> WasmEdge_Result {
        parse(cxt, module, || read_module_file(path))
    }
    fn WasmEdge_LoaderParseFromBuffer(cxt: *mut Loader, module: *mut *mut AstModule, buf: *const u8, len: u32) -> WasmEdge_Result {
        parse(cxt, module, || Ok(ffi::slice(buf, len).to_vec()))
    }
    fn WasmEdge_LoaderParseFromBytes(cxt: *mut Loader, module: *mut *mut AstModule, bytes: WasmEdge_Bytes) -> WasmEdge_Result {
        parse(cxt, module, || Ok(bytes.bytes().to_vec()))
    }
    /// The module's binary (an AST module keeps the bytes it was loaded from).
    fn WasmEdge_LoaderSerializeASTModule(cxt: *mut Loader, ast: *const AstModule, buf: *mut WasmEdge_Bytes) -> WasmEdge_Result {
        let (Some(_), Some(ast), false) = (ffi::get(cxt.cast_const()), ffi::get(ast), buf.is_null()) else {
            return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW);
        };
        let length = u32::try_from(ast.bytes.len()).unwrap_or(u32::MAX);
        ffi::write_out(buf, WasmEdge_Bytes { length, buf: ffi::alloc_bytes(&ast.bytes[..length as usize]) });
        WasmEdge_Result::SUCCESS
    }
    fn WasmEdge_LoaderDelete(cxt: *mut Loader) {
        ffi::delete(cxt)
    }

    fn WasmEdge_ValidatorCreate(conf: *const Configure) -> *mut Validator {
        let _ = conf;
        ffi::into_raw(Validator)
    }
    /// The module was validated when it was loaded: this reports that result.
    fn WasmEdge_ValidatorValidate(cxt: *mut Validator, ast: *const AstModule) -> WasmEdge_Result {
        let (Some(_), Some(ast)) = (ffi::get(cxt.cast_const()), ffi::get(ast)) else {
            return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW);
        };
        match &ast.module {
            Ok(_) => WasmEdge_Result::SUCCESS,
            Err(e) => {
                log_error(e);
                WasmEdge_Result::from_error(e)
            }
        }
    }
    fn WasmEdge_ValidatorDelete(cxt: *mut Validator) {
        ffi::delete(cxt)
    }

    fn WasmEdge_ASTModuleListImportsLength(cxt: *const AstModule) -> u32 {
        ffi::get(cxt).map_or(0, |a| a.imports.len() as u32)
    }
    /// Fills at most `len` entries (borrowed from the AST module); returns the number of imports.
    fn WasmEdge_ASTModuleListImports(cxt: *const AstModule, imports: *mut *const ImportType, len: u32) -> u32 {
        let Some(a) = ffi::get(cxt) else { return 0 };
        for (slot, i) in ffi::slice_mut(imports, len).iter_mut().zip(&a.imports) {
            *slot = i;
        }
        a.imports.len() as u32
    }
    fn WasmEdge_ASTModuleListExportsLength(cxt: *const AstModule) -> u32 {
        ffi::get(cxt).map_or(0, |a| a.exports.len() as u32)
    }
    fn WasmEdge_ASTModuleListExports(cxt: *const AstModule, exports: *mut *const ExportType, len: u32) -> u32 {
        let Some(a) = ffi::get(cxt) else { return 0 };
        for (slot, e) in ffi::slice_mut(exports, len).iter_mut().zip(&a.exports) {
            *slot = e;
        }
        a.exports.len() as u32
    }
    fn WasmEdge_ASTModuleDelete(cxt: *mut AstModule) {
        ffi::delete(cxt)
    }
}
