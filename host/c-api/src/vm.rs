//! The VM (`WasmEdge_VMContext`): a loader, validator, executor, store and statistics working together,
//! with the WASI module when the configuration registers it; and the WASI module functions.

use std::ffi::c_char;

use wasmedge_host::Error;
use wasmedge_wasi::WasiConfig;

use crate::asynchronous::{Async, send};
use crate::basic::{LOG_ERROR, WasmEdge_Bytes, WasmEdge_Result, WasmEdge_String, code, log, log_error, result};
use crate::configure::{Configure, HOST_WASI};
use crate::executor::{Executor, StoreCtx, StoreShared};
use crate::ffi::{self, capi};
use crate::loader::{AstModule, Loader, Validator, read_module_file};
use crate::statistics::Statistics;
use crate::types::{EXTERNAL_FUNCTION, FunctionType};
use crate::value::WasmEdge_Value;
use crate::world::ModuleInstance;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Inited,
    Loaded,
    Validated,
    Instantiated,
}

/// `WasmEdge_VMContext`.
pub struct Vm {
    conf: Configure,
    store: *mut StoreCtx,
    own_store: bool,
    loader: Box<Loader>,
    validator: Box<Validator>,
    executor: Box<Executor>,
    stats: Box<Statistics>,
    wasi: Option<Box<ModuleInstance>>,
    /// The modules of every loaded plugin, registered at creation as WasmEdge's VM does.
    #[allow(clippy::vec_box)]
    plugin_modules: Vec<Box<ModuleInstance>>,
    /// Modules registered from files, buffers or AST modules (the VM owns them; boxed because the store
    /// and C hold their addresses).
    #[allow(clippy::vec_box)]
    registered: Vec<Box<ModuleInstance>>,
    stage: Stage,
    ast: Option<Box<AstModule>>,
    active: Option<Box<ModuleInstance>>,
}

impl Vm {
    fn new(conf: Option<&Configure>, store: *mut StoreCtx) -> Result<Box<Vm>, Error> {
        let conf = conf.cloned().unwrap_or_default();
        let own_store = store.is_null();
        let store = if own_store { ffi::into_raw(StoreCtx { shared: StoreShared::new() }) } else { store };
        let mut stats = Box::new(Statistics::default());
        let executor = Box::new(Executor::new(Some(&conf), &mut *stats));
        let loader = Box::new(Loader::new(&conf));
        let mut vm = Box::new(Vm {
            conf,
            store,
            own_store,
            loader,
            validator: Box::new(Validator),
            executor,
            stats,
            wasi: None,
            plugin_modules: Vec::new(),
            registered: Vec::new(),
            stage: Stage::Inited,
            ast: None,
            active: None,
        });
        if vm.conf.wasi {
            let wasi = Box::new(ModuleInstance::wasi(WasiConfig::new()));
            vm.shared().register_import(&vm.executor.engine, &wasi)?;
            vm.wasi = Some(wasi);
        }
        for plugin in crate::plugin::loaded() {
            for name in plugin.module_names() {
                let p = plugin.create_module(name);
                if p.is_null() {
                    log(LOG_ERROR, &format!("plugin \"{}\" could not create module \"{name}\"", plugin.name()));
                    continue;
                }
                let module = ffi::take(p);
                match vm.shared().register_import(&vm.executor.engine, &module) {
                    Ok(()) => vm.plugin_modules.push(module),
                    Err(e) => log(LOG_ERROR, &format!("plugin \"{}\" module \"{name}\": {e}", plugin.name())),
                }
            }
        }
        Ok(vm)
    }

    fn shared(&self) -> &std::rc::Rc<StoreShared> {
        &ffi::get(self.store.cast_const()).expect("the VM's store").shared
    }

    fn load(&mut self, bytes: impl FnOnce() -> Result<Vec<u8>, Error>) -> Result<(), Error> {
        let ast = bytes().and_then(|b| AstModule::load(self.loader.engine(), b))?;
        self.ast = Some(Box::new(ast));
        self.active = None;
        self.stage = Stage::Loaded;
        Ok(())
    }

    fn load_ast(&mut self, ast: &AstModule) {
        self.ast = Some(Box::new(ast.clone_module()));
        self.active = None;
        self.stage = Stage::Loaded;
    }

    fn validate(&mut self) -> Result<(), Error> {
        let ast = self.ast.as_ref().filter(|_| self.stage >= Stage::Loaded).ok_or_else(workflow_error)?;
        if let Err(e) = &ast.module {
            return Err(e.clone());
        }
        self.stage = Stage::Validated;
        Ok(())
    }

    fn instantiate(&mut self) -> Result<(), Error> {
        if self.stage < Stage::Validated {
            return Err(workflow_error());
        }
        let ast = self.ast.as_ref().ok_or_else(workflow_error)?;
        let shared = self.shared().clone();
        let active = self.executor.instantiate(&shared, ast, None)?;
        self.active = Some(active);
        self.stage = Stage::Instantiated;
        Ok(())
    }

    fn execute(
        &mut self,
        module: Option<&ModuleInstance>,
        func: &str,
        params: &[WasmEdge_Value],
        returns: &mut [WasmEdge_Value],
    ) -> Result<(), Error> {
        let module = match module {
            Some(m) => m,
            None if self.stage == Stage::Instantiated => self.active.as_deref().ok_or_else(workflow_error)?,
            None => return Err(workflow_error()),
        };
        let f = ffi::get(module.find_func(func).cast_const())
            .ok_or_else(|| Error::host_code(code::FUNC_NOT_FOUND, "wasm function not found"))?;
        f.ty.check_params(params)?;
        let me: *mut Executor = &*self.executor as *const Executor as *mut Executor;
        self.executor.invoke(me, f, params, returns)
    }

    /// Results of the right types for `func` of `module` (the active module for `None`).
    fn results_for(&self, module: Option<&ModuleInstance>, func: &str) -> Vec<WasmEdge_Value> {
        let module = module.or(self.active.as_deref().filter(|_| self.stage == Stage::Instantiated));
        let f = module.and_then(|m| ffi::get(m.find_func(func).cast_const()));
        f.map_or(Vec::new(), |f| f.ty.results.iter().map(|&t| WasmEdge_Value::new(0, t)).collect())
    }

    /// The interrupt handle of the VM's store (made now if the store has no world yet), with the flag
    /// lowered for a new run.
    fn interrupt(&self) -> wasmedge_host::InterruptHandle {
        self.shared().world(&self.executor.engine).store.with(|s| {
            s.clear_interrupt();
            s.interrupt_handle()
        })
    }

    fn register_ast(&mut self, name: &str, ast: &AstModule) -> Result<(), Error> {
        if let Err(e) = &ast.module {
            return Err(e.clone());
        }
        let shared = self.shared().clone();
        let m = self.executor.instantiate(&shared, ast, Some(name))?;
        self.registered.push(m);
        Ok(())
    }

    fn run(
        &mut self,
        load: impl FnOnce(&mut Vm) -> Result<(), Error>,
        func: &str,
        params: &[WasmEdge_Value],
        returns: &mut [WasmEdge_Value],
    ) -> Result<(), Error> {
        load(self)?;
        self.validate()?;
        self.instantiate()?;
        self.execute(None, func, params, returns)
    }

    fn registered_module(&self, name: &str) -> Option<&ModuleInstance> {
        self.shared().find(name).and_then(ffi::get)
    }
}

impl Drop for Vm {
    fn drop(&mut self) {
        self.active = None;
        self.registered.clear();
        self.plugin_modules.clear();
        self.wasi = None;
        if self.own_store {
            ffi::delete(self.store);
        }
    }
}

fn workflow_error() -> Error {
    Error::host_code(code::WRONG_VM_WORKFLOW, "wrong VM workflow")
}

/// A WASI configuration from WasmEdge's arguments: `args[0]` is the program name; environment entries
/// are `NAME=value`; preopens are `guest:host` or `dir`, with an optional `:readonly`. A directory that
/// cannot be opened is logged and skipped, as WasmEdge does.
pub fn wasi_config(args: &[*const c_char], envs: &[*const c_char], preopens: &[*const c_char]) -> WasiConfig {
    let text = |p: *const c_char| ffi::cstr(p).map(|b| String::from_utf8_lossy(b).into_owned());
    let mut c = WasiConfig::new();
    for a in args.iter().filter_map(|&p| text(p)) {
        c.arg(a);
    }
    for e in envs.iter().filter_map(|&p| text(p)) {
        let (name, value) = e.split_once('=').unwrap_or((&e, ""));
        c.env(name, value);
    }
    for d in preopens.iter().filter_map(|&p| text(p)) {
        let (guest, rest) = d.split_once(':').unwrap_or((&d, &d));
        let (host, readonly) = match rest.split_once(':') {
            Some((host, mode)) => (host, mode == "readonly"),
            None => (rest, false),
        };
        let guest = if guest.is_empty() { "/" } else { guest };
        if std::fs::metadata(host).map(|m| m.is_dir()).unwrap_or(false) {
            c.dir(guest, host, readonly);
        } else {
            log(LOG_ERROR, &format!("Bind guest directory failed: {host} is not a directory"));
        }
    }
    c
}

fn strings<'a>(p: *const *const c_char, len: u32) -> &'a [*const c_char] {
    ffi::slice(p, len)
}

/// Run `load` then `func` asynchronously on VM `cxt`.
fn run_async(
    cxt: *mut Vm,
    load: impl FnOnce(&mut Vm) -> Result<(), Error> + Send + 'static,
    func: WasmEdge_String,
    params: *const WasmEdge_Value,
    param_len: u32,
) -> *mut Async {
    spawn_async(cxt, func, params, param_len, move |vm, func, params| {
        load(vm)?;
        vm.validate()?;
        vm.instantiate()?;
        vm.execute_named(None, func, params)
    })
}

/// Execute `func` of `module` (the active module for `None`) asynchronously on VM `cxt`.
fn execute_async(
    cxt: *mut Vm,
    module: Option<String>,
    func: WasmEdge_String,
    params: *const WasmEdge_Value,
    param_len: u32,
) -> *mut Async {
    spawn_async(cxt, func, params, param_len, move |vm, func, params| vm.execute_named(module.as_deref(), func, params))
}

/// Run `body` with VM `cxt`, `func` and the parameters on another thread, interruptible by
/// `WasmEdge_AsyncCancel`; the VM's interrupt is cleared after it.
fn spawn_async(
    cxt: *mut Vm,
    func: WasmEdge_String,
    params: *const WasmEdge_Value,
    param_len: u32,
    body: impl FnOnce(&mut Vm, &str, &[WasmEdge_Value]) -> Result<Vec<WasmEdge_Value>, Error> + Send + 'static,
) -> *mut Async {
    let Some(vm) = ffi::get(cxt.cast_const()) else { return std::ptr::null_mut() };
    let (func, params) = (func.to_str().into_owned(), ffi::slice(params, param_len).to_vec());
    let p = send(cxt);
    let interrupt = vm.interrupt();
    Async::spawn(Some(interrupt), move || {
        let vm = ffi::get_mut(p.get()).ok_or_else(workflow_error)?;
        let r = body(vm, &func, &params);
        vm.clear_interrupt();
        r
    })
}

impl Vm {
    /// Execute `func` of registered module `module` (the active module for `None`), collecting results.
    fn execute_named(
        &mut self,
        module: Option<&str>,
        func: &str,
        params: &[WasmEdge_Value],
    ) -> Result<Vec<WasmEdge_Value>, Error> {
        let vm = self;
        let m = match module {
            Some(name) => Some(
                vm.shared()
                    .find(name)
                    .and_then(ffi::get)
                    .ok_or_else(|| Error::host_code(code::WRONG_INSTANCE_ADDRESS, "unknown module"))?,
            ),
            None => None,
        };
        let mut results = vm.results_for(m, func);
        vm.execute(m, func, params, &mut results)?;
        Ok(results)
    }

    /// Lower the store's interrupt flag after an asynchronous run (a cancel must not stop later runs).
    fn clear_interrupt(&self) {
        self.shared().world(&self.executor.engine).store.with(|s| s.clear_interrupt());
    }
}

capi! {
    fn WasmEdge_VMAsyncRunWasmFromFile(cxt: *mut Vm, path: *const c_char, func: WasmEdge_String, params: *const WasmEdge_Value, param_len: u32) -> *mut Async {
        let bytes = read_module_file(path);
        run_async(cxt, move |vm| vm.load(|| bytes), func, params, param_len)
    }
    fn WasmEdge_VMAsyncRunWasmFromBuffer(cxt: *mut Vm, buf: *const u8, len: u32, func: WasmEdge_String, params: *const WasmEdge_Value, param_len: u32) -> *mut Async {
        let bytes = ffi::slice(buf, len).to_vec();
        run_async(cxt, move |vm| vm.load(|| Ok(bytes)), func, params, param_len)
    }
    fn WasmEdge_VMAsyncRunWasmFromBytes(cxt: *mut Vm, bytes: WasmEdge_Bytes, func: WasmEdge_String, params: *const WasmEdge_Value, param_len: u32) -> *mut Async {
        WasmEdge_VMAsyncRunWasmFromBuffer(cxt, bytes.buf, bytes.length, func, params, param_len)
    }
    fn WasmEdge_VMAsyncRunWasmFromASTModule(cxt: *mut Vm, ast: *const AstModule, func: WasmEdge_String, params: *const WasmEdge_Value, param_len: u32) -> *mut Async {
        let Some(ast) = ffi::get(ast) else { return std::ptr::null_mut() };
        let ast = ast.clone_module();
        run_async(cxt, move |vm| { vm.load_ast(&ast); Ok(()) }, func, params, param_len)
    }
    fn WasmEdge_VMAsyncExecute(cxt: *mut Vm, func: WasmEdge_String, params: *const WasmEdge_Value, param_len: u32) -> *mut Async {
        execute_async(cxt, None, func, params, param_len)
    }
    fn WasmEdge_VMAsyncExecuteRegistered(cxt: *mut Vm, module: WasmEdge_String, func: WasmEdge_String, params: *const WasmEdge_Value, param_len: u32) -> *mut Async {
        execute_async(cxt, Some(module.to_str().into_owned()), func, params, param_len)
    }
}

capi! {
    /// NULL store: the VM makes and owns one. With WASI in the configuration's host registrations the
    /// VM makes the WASI module (configure it with `WasmEdge_VMGetImportModuleContext` and
    /// `WasmEdge_ModuleInstanceInitWASI`).
    fn WasmEdge_VMCreate(conf: *const Configure, store: *mut StoreCtx) -> *mut Vm {
        match Vm::new(ffi::get(conf), store) {
            Ok(vm) => Box::into_raw(vm),
            Err(e) => {
                log_error(&e);
                std::ptr::null_mut()
            }
        }
    }
    fn WasmEdge_VMRegisterModuleFromFile(cxt: *mut Vm, name: WasmEdge_String, path: *const c_char) -> WasmEdge_Result {
        let Some(vm) = ffi::get_mut(cxt) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        result(read_module_file(path).and_then(|b| AstModule::load(vm.loader.engine(), b)).and_then(|ast| vm.register_ast(&name.to_str(), &ast)))
    }
    fn WasmEdge_VMRegisterModuleFromBuffer(cxt: *mut Vm, name: WasmEdge_String, buf: *const u8, len: u32) -> WasmEdge_Result {
        let Some(vm) = ffi::get_mut(cxt) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        let bytes = ffi::slice(buf, len).to_vec();
        result(AstModule::load(vm.loader.engine(), bytes).and_then(|ast| vm.register_ast(&name.to_str(), &ast)))
    }
    fn WasmEdge_VMRegisterModuleFromBytes(cxt: *mut Vm, name: WasmEdge_String, bytes: WasmEdge_Bytes) -> WasmEdge_Result {
        WasmEdge_VMRegisterModuleFromBuffer(cxt, name, bytes.buf, bytes.length)
    }
    fn WasmEdge_VMRegisterModuleFromASTModule(cxt: *mut Vm, name: WasmEdge_String, ast: *const AstModule) -> WasmEdge_Result {
        let (Some(vm), Some(ast)) = (ffi::get_mut(cxt), ffi::get(ast)) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        result(vm.register_ast(&name.to_str(), ast))
    }
    /// The module stays the caller's (delete it after the VM).
    fn WasmEdge_VMRegisterModuleFromImport(cxt: *mut Vm, import: *const ModuleInstance) -> WasmEdge_Result {
        let (Some(vm), Some(import)) = (ffi::get_mut(cxt), ffi::get(import)) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        let shared = vm.shared().clone();
        result(shared.register_import(&vm.executor.engine, import))
    }
    fn WasmEdge_VMRunWasmFromFile(
        cxt: *mut Vm,
        path: *const c_char,
        func: WasmEdge_String,
        params: *const WasmEdge_Value,
        param_len: u32,
        returns: *mut WasmEdge_Value,
        return_len: u32,
    ) -> WasmEdge_Result {
        let Some(vm) = ffi::get_mut(cxt) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        let (params, returns) = (ffi::slice(params, param_len), ffi::slice_mut(returns, return_len));
        result(vm.run(|vm| vm.load(|| read_module_file(path)), &func.to_str(), params, returns))
    }
    fn WasmEdge_VMRunWasmFromBuffer(
        cxt: *mut Vm,
        buf: *const u8,
        len: u32,
        func: WasmEdge_String,
        params: *const WasmEdge_Value,
        param_len: u32,
        returns: *mut WasmEdge_Value,
        return_len: u32,
    ) -> WasmEdge_Result {
        let Some(vm) = ffi::get_mut(cxt) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        let (params, returns) = (ffi::slice(params, param_len), ffi::slice_mut(returns, return_len));
        let bytes = ffi::slice(buf, len).to_vec();
        result(vm.run(|vm| vm.load(|| Ok(bytes)), &func.to_str(), params, returns))
    }
    fn WasmEdge_VMRunWasmFromBytes(
        cxt: *mut Vm,
        bytes: WasmEdge_Bytes,
        func: WasmEdge_String,
        params: *const WasmEdge_Value,
        param_len: u32,
        returns: *mut WasmEdge_Value,
        return_len: u32,
    ) -> WasmEdge_Result {
        WasmEdge_VMRunWasmFromBuffer(cxt, bytes.buf, bytes.length, func, params, param_len, returns, return_len)
    }
    fn WasmEdge_VMRunWasmFromASTModule(
        cxt: *mut Vm,
        ast: *const AstModule,
        func: WasmEdge_String,
        params: *const WasmEdge_Value,
        param_len: u32,
        returns: *mut WasmEdge_Value,
        return_len: u32,
    ) -> WasmEdge_Result {
        let (Some(vm), Some(ast)) = (ffi::get_mut(cxt), ffi::get(ast)) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        let (params, returns) = (ffi::slice(params, param_len), ffi::slice_mut(returns, return_len));
        result(vm.run(|vm| { vm.load_ast(ast); Ok(()) }, &func.to_str(), params, returns))
    }
    fn WasmEdge_VMLoadWasmFromFile(cxt: *mut Vm, path: *const c_char) -> WasmEdge_Result {
        let Some(vm) = ffi::get_mut(cxt) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        result(vm.load(|| read_module_file(path)))
    }
    fn WasmEdge_VMLoadWasmFromBuffer(cxt: *mut Vm, buf: *const u8, len: u32) -> WasmEdge_Result {
        let Some(vm) = ffi::get_mut(cxt) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        let bytes = ffi::slice(buf, len).to_vec();
        result(vm.load(|| Ok(bytes)))
    }
    fn WasmEdge_VMLoadWasmFromBytes(cxt: *mut Vm, bytes: WasmEdge_Bytes) -> WasmEdge_Result {
        WasmEdge_VMLoadWasmFromBuffer(cxt, bytes.buf, bytes.length)
    }
    fn WasmEdge_VMLoadWasmFromASTModule(cxt: *mut Vm, ast: *const AstModule) -> WasmEdge_Result {
        let (Some(vm), Some(ast)) = (ffi::get_mut(cxt), ffi::get(ast)) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        vm.load_ast(ast);
        WasmEdge_Result::SUCCESS
    }
    /// "wrong VM workflow" before a module is loaded.
    fn WasmEdge_VMValidate(cxt: *mut Vm) -> WasmEdge_Result {
        let Some(vm) = ffi::get_mut(cxt) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        result(vm.validate())
    }
    /// "wrong VM workflow" before the module is validated.
    fn WasmEdge_VMInstantiate(cxt: *mut Vm) -> WasmEdge_Result {
        let Some(vm) = ffi::get_mut(cxt) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        result(vm.instantiate())
    }
    /// "wrong VM workflow" before instantiation; "wasm function not found" for an unknown name.
    fn WasmEdge_VMExecute(
        cxt: *mut Vm,
        func: WasmEdge_String,
        params: *const WasmEdge_Value,
        param_len: u32,
        returns: *mut WasmEdge_Value,
        return_len: u32,
    ) -> WasmEdge_Result {
        let Some(vm) = ffi::get_mut(cxt) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        let (params, returns) = (ffi::slice(params, param_len), ffi::slice_mut(returns, return_len));
        result(vm.execute(None, &func.to_str(), params, returns))
    }
    fn WasmEdge_VMExecuteRegistered(
        cxt: *mut Vm,
        module: WasmEdge_String,
        func: WasmEdge_String,
        params: *const WasmEdge_Value,
        param_len: u32,
        returns: *mut WasmEdge_Value,
        return_len: u32,
    ) -> WasmEdge_Result {
        let Some(vm) = ffi::get_mut(cxt) else { return WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW) };
        let (params, returns) = (ffi::slice(params, param_len), ffi::slice_mut(returns, return_len));
        let Some(m) = vm.shared().find(&module.to_str()) else {
            return result(Err(Error::host_code(code::WRONG_INSTANCE_ADDRESS, "unknown module")));
        };
        result(vm.execute(ffi::get(m), &func.to_str(), params, returns))
    }
    /// NULL unless instantiated and the function exists (borrowed from the active module).
    fn WasmEdge_VMGetFunctionType(cxt: *const Vm, func: WasmEdge_String) -> *const FunctionType {
        let Some(vm) = ffi::get(cxt) else { return std::ptr::null() };
        let Some(m) = vm.active.as_deref().filter(|_| vm.stage == Stage::Instantiated) else { return std::ptr::null() };
        ffi::get(m.find_func(&func.to_str()).cast_const()).map_or(std::ptr::null(), |f| &f.ty)
    }
    fn WasmEdge_VMGetFunctionTypeRegistered(cxt: *const Vm, module: WasmEdge_String, func: WasmEdge_String) -> *const FunctionType {
        let Some(m) = ffi::get(cxt).and_then(|vm| vm.registered_module(&module.to_str())) else { return std::ptr::null() };
        ffi::get(m.find_func(&func.to_str()).cast_const()).map_or(std::ptr::null(), |f| &f.ty)
    }
    /// Drops the loaded and active modules and the modules registered from files, buffers and AST
    /// modules; WASI and modules registered from imports stay.
    fn WasmEdge_VMCleanup(cxt: *mut Vm) {
        if let Some(vm) = ffi::get_mut(cxt) {
            vm.active = None;
            vm.ast = None;
            vm.registered.clear();
            vm.stage = Stage::Inited;
        }
    }
    fn WasmEdge_VMGetFunctionListLength(cxt: *const Vm) -> u32 {
        let Some(vm) = ffi::get(cxt) else { return 0 };
        vm.active.as_deref().filter(|_| vm.stage == Stage::Instantiated).map_or(0, |m| m.names(EXTERNAL_FUNCTION).len() as u32)
    }
    /// Names and types of the active module's exported functions (borrowed from it).
    fn WasmEdge_VMGetFunctionList(cxt: *const Vm, names: *mut WasmEdge_String, types: *mut *const FunctionType, len: u32) -> u32 {
        let Some(vm) = ffi::get(cxt) else { return 0 };
        let Some(m) = vm.active.as_deref().filter(|_| vm.stage == Stage::Instantiated) else { return 0 };
        let all = m.names(EXTERNAL_FUNCTION);
        let funcs: Vec<*const crate::world::FunctionInstance> = all.iter().map(|n| m.find_func(n).cast_const()).collect();
        let keys: Vec<WasmEdge_String> = m.funcs.borrow().keys().map(|k| WasmEdge_String::wrap(k)).collect();
        for (slot, k) in ffi::slice_mut(names, len).iter_mut().zip(&keys) {
            *slot = *k;
        }
        for (slot, f) in ffi::slice_mut(types, len).iter_mut().zip(&funcs) {
            *slot = ffi::get(*f).map_or(std::ptr::null(), |f| &f.ty);
        }
        all.len() as u32
    }
    /// Removes the module from the VM's store (and deletes it when the VM registered it from a file,
    /// buffer or AST module).
    fn WasmEdge_VMForceDeleteRegisteredModule(cxt: *const Vm, name: WasmEdge_String) {
        let Some(vm) = ffi::get_mut(cxt.cast_mut()) else { return };
        let name = name.to_str();
        let Some(p) = vm.shared().find(&name) else { return };
        vm.shared().modules.borrow_mut().remove(name.as_ref());
        vm.registered.retain(|m| !std::ptr::eq(&**m, p));
    }
    /// The WASI module when the configuration registers WASI, else NULL.
    fn WasmEdge_VMGetImportModuleContext(cxt: *const Vm, reg: u32) -> *mut ModuleInstance {
        let Some(vm) = ffi::get(cxt) else { return std::ptr::null_mut() };
        match (reg, &vm.wasi) {
            (HOST_WASI, Some(w)) => &**w as *const ModuleInstance as *mut ModuleInstance,
            _ => std::ptr::null_mut(),
        }
    }
    fn WasmEdge_VMGetActiveModule(cxt: *const Vm) -> *const ModuleInstance {
        ffi::get(cxt).and_then(|vm| vm.active.as_deref()).map_or(std::ptr::null(), |m| m)
    }
    fn WasmEdge_VMGetRegisteredModule(cxt: *const Vm, name: WasmEdge_String) -> *const ModuleInstance {
        ffi::get(cxt).and_then(|vm| vm.registered_module(&name.to_str())).map_or(std::ptr::null(), |m| m)
    }
    fn WasmEdge_VMListRegisteredModuleLength(cxt: *const Vm) -> u32 {
        ffi::get(cxt).map_or(0, |vm| vm.shared().modules.borrow().len() as u32)
    }
    fn WasmEdge_VMListRegisteredModule(cxt: *const Vm, names: *mut WasmEdge_String, len: u32) -> u32 {
        ffi::get(cxt).map_or(0, |vm| crate::executor::WasmEdge_StoreListModule(vm.store, names, len))
    }
    fn WasmEdge_VMGetStoreContext(cxt: *mut Vm) -> *mut StoreCtx {
        ffi::get(cxt.cast_const()).map_or(std::ptr::null_mut(), |vm| vm.store)
    }
    fn WasmEdge_VMGetLoaderContext(cxt: *mut Vm) -> *mut Loader {
        ffi::get_mut(cxt).map_or(std::ptr::null_mut(), |vm| &mut *vm.loader)
    }
    fn WasmEdge_VMGetValidatorContext(cxt: *mut Vm) -> *mut Validator {
        ffi::get_mut(cxt).map_or(std::ptr::null_mut(), |vm| &mut *vm.validator)
    }
    fn WasmEdge_VMGetExecutorContext(cxt: *mut Vm) -> *mut Executor {
        ffi::get_mut(cxt).map_or(std::ptr::null_mut(), |vm| &mut *vm.executor)
    }
    fn WasmEdge_VMGetStatisticsContext(cxt: *mut Vm) -> *mut Statistics {
        ffi::get_mut(cxt).map_or(std::ptr::null_mut(), |vm| &mut *vm.stats)
    }
    fn WasmEdge_VMDelete(cxt: *mut Vm) {
        ffi::delete(cxt)
    }

    fn WasmEdge_ModuleInstanceCreateWASI(
        args: *const *const c_char,
        arg_len: u32,
        envs: *const *const c_char,
        env_len: u32,
        preopens: *const *const c_char,
        preopen_len: u32,
    ) -> *mut ModuleInstance {
        let config = wasi_config(strings(args, arg_len), strings(envs, env_len), strings(preopens, preopen_len));
        ffi::into_raw(ModuleInstance::wasi(config))
    }
    /// Ignored for modules that are not WASI modules.
    fn WasmEdge_ModuleInstanceInitWASI(
        cxt: *mut ModuleInstance,
        args: *const *const c_char,
        arg_len: u32,
        envs: *const *const c_char,
        env_len: u32,
        preopens: *const *const c_char,
        preopen_len: u32,
    ) {
        let Some(m) = ffi::get(cxt.cast_const()) else { return };
        let config = wasi_config(strings(args, arg_len), strings(envs, env_len), strings(preopens, preopen_len));
        if let Err(e) = m.init_wasi(config) {
            log_error(&e);
        }
    }
    /// The guest's `proc_exit` status, 0 if it has not called it; 1 (EXIT_FAILURE) for NULL or a module
    /// that is not WASI, as WasmEdge.
    fn WasmEdge_ModuleInstanceWASIGetExitCode(cxt: *const ModuleInstance) -> u32 {
        let Some(m) = ffi::get(cxt) else { return 1 };
        if !m.is_wasi() {
            return 1;
        }
        m.world().map_or(0, |w| w.store.with(|s| s.data().wasi_exit_code))
    }
    /// The host descriptor behind WASI descriptor `fd`: for standard input, output and error (0, 1, 2)
    /// their own numbers; other descriptors are not exposed (2, as WasmEdge for an unknown one).
    fn WasmEdge_ModuleInstanceWASIGetNativeHandler(cxt: *const ModuleInstance, fd: i32, native: *mut u64) -> u32 {
        let Some(m) = ffi::get(cxt) else { return 1 };
        if !m.is_wasi() || !(0..=2).contains(&fd) {
            return 2;
        }
        ffi::write_out(native, fd as u64);
        0
    }
}
