//! Executors and stores: instantiation, registration and invocation.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use wasmedge_host::{Engine, Error, Instance};

use crate::basic::{WasmEdge_Result, WasmEdge_String, code, fail, result};
use crate::configure::Configure;
use crate::ffi::{self, capi};
use crate::loader::AstModule;
use crate::statistics::Statistics;
use crate::value::WasmEdge_Value;
use crate::world::{FunctionInstance, ModuleInstance, World, val_from_host, val_to_host};

/// A hook run before or after every host function call (`WasmEdge_ExecutorExperimentalRegister*`).
#[derive(Clone, Copy)]
pub struct Hook {
    pub func: extern "C" fn(*mut std::ffi::c_void),
    pub data: *mut std::ffi::c_void,
}

/// `WasmEdge_ExecutorContext`.
pub struct Executor {
    pub engine: Engine,
    /// The statistics context given at creation (borrowed: the caller deletes it after the executor).
    pub stats: *mut Statistics,
    pub pre_host: std::cell::Cell<Option<Hook>>,
    pub post_host: std::cell::Cell<Option<Hook>>,
}

impl Executor {
    pub fn new(conf: Option<&Configure>, stats: *mut Statistics) -> Executor {
        let conf = conf.cloned().unwrap_or_default();
        let mut config = conf.to_config();
        if let Some(s) = ffi::get(stats.cast_const()) {
            s.apply(&mut config);
        }
        Executor { engine: Engine::new(config), stats, pre_host: Default::default(), post_host: Default::default() }
    }

    /// Instantiate `ast` in `store`'s world, resolving imports among the store's registered modules.
    pub fn instantiate(
        &self,
        store: &Rc<StoreShared>,
        ast: &AstModule,
        name: Option<&str>,
    ) -> Result<Box<ModuleInstance>, Error> {
        if let Some(name) = name
            && store.modules.borrow().contains_key(name)
        {
            return Err(Error::instantiation(code::MODULE_NAME_CONFLICT, "module name conflict"));
        }
        let world = store.world(&self.engine);
        let module = ast.module_for(&world.engine)?;
        let instance = world.store.with(|s| -> Result<Instance, Error> {
            let mut imports = Vec::new();
            for import in module.imports() {
                let found = store.modules.borrow().get(&import.module).copied();
                // A registered module leaves the map when its context is deleted: the pointer is live.
                let ext =
                    found.and_then(|m| ffi::get(m as *const ModuleInstance)).and_then(|m| m.export(s, &import.name));
                imports.push(ext.ok_or_else(|| Error::unknown_import(&import.module, &import.name))?);
            }
            Instance::new(s, &module, &imports)
        })?;
        let ctx = Box::new(ModuleInstance::wasm(name.unwrap_or_default().to_string(), world.clone(), instance));
        let p = &*ctx as *const ModuleInstance as usize;
        world.store.with(|s| s.data_mut().instance_ctxs.push((instance, p)));
        if let Some(name) = name {
            store.register(name, &ctx);
        }
        Ok(ctx)
    }

    /// Call `func` with C values, writing C results; statistics are updated.
    pub fn invoke(
        &self,
        me: *mut Executor,
        func: &FunctionInstance,
        params: &[WasmEdge_Value],
        returns: &mut [WasmEdge_Value],
    ) -> Result<(), Error> {
        let (world, f) = match func.bound() {
            Some(b) => b,
            None => {
                // A host function never registered anywhere: it gets a world of its own.
                let world = World::new(self.engine.clone());
                let f = world.store.with(|s| func.bind(&world, s))?;
                (world, f)
            }
        };
        let stats = ffi::get_mut(self.stats);
        let started = Instant::now();
        world.store.with(|s| -> Result<(), Error> {
            let (count0, gas0) = (s.instruction_count(), s.gas_used());
            let args = params.iter().map(|&v| val_to_host(&world, s, v)).collect::<Result<Vec<_>, _>>()?;
            let ty = f.ty(s);
            let mut results: Vec<_> = ty.results().iter().map(|&t| wasmedge_host::Val::default_for(t)).collect();
            let previous = std::mem::replace(&mut s.data_mut().executor, me as usize);
            let r = f.call(s, &args, &mut results);
            s.data_mut().executor = previous;
            if let Err(e) = &r
                && let wasmedge_host::ErrorKind::Exit(status) = e.kind()
            {
                s.data_mut().wasi_exit_code = *status as u32;
            }
            if let Some(stats) = stats {
                stats.instr_count += s.instruction_count() - count0;
                stats.total_cost += s.gas_used() - gas0;
                stats.wasm_time += started.elapsed();
            }
            r?;
            for (slot, v) in returns.iter_mut().zip(results) {
                *slot = val_from_host(&world, s, v);
            }
            Ok(())
        })
    }
}

/// `WasmEdge_StoreContext`: the registered modules by name, and the world they live in.
pub struct StoreCtx {
    pub shared: Rc<StoreShared>,
}

pub struct StoreShared {
    world: RefCell<Option<Arc<World>>>,
    /// Registered module contexts (not owned: a module leaves the map when it is deleted).
    pub modules: RefCell<BTreeMap<String, usize>>,
}

impl StoreShared {
    pub fn new() -> Rc<StoreShared> {
        Rc::new(StoreShared { world: RefCell::new(None), modules: RefCell::new(BTreeMap::new()) })
    }

    /// This store's world, made for `engine` on first use.
    pub fn world(&self, engine: &Engine) -> Arc<World> {
        self.world.borrow_mut().get_or_insert_with(|| World::new(engine.clone())).clone()
    }

    pub fn register(self: &Rc<Self>, name: &str, module: &ModuleInstance) {
        self.modules.borrow_mut().insert(name.to_string(), module as *const ModuleInstance as usize);
        module.registered_in.borrow_mut().push(Rc::downgrade(self));
    }

    /// Register host module `module` under its own name, binding it to this store's world.
    pub fn register_import(self: &Rc<Self>, engine: &Engine, module: &ModuleInstance) -> Result<(), Error> {
        if self.modules.borrow().contains_key(&module.name) {
            return Err(Error::instantiation(code::MODULE_NAME_CONFLICT, "module name conflict"));
        }
        let world = self.world(engine);
        module.bind(&world)?;
        self.register(&module.name, module);
        Ok(())
    }

    pub fn find(&self, name: &str) -> Option<*const ModuleInstance> {
        self.modules.borrow().get(name).map(|&p| p as *const ModuleInstance)
    }
}

fn workflow() -> WasmEdge_Result {
    WasmEdge_Result::wasm(code::WRONG_VM_WORKFLOW)
}

/// Fill `names` with module-owned strings; return the total.
pub fn fill_names(all: &[String], names: *mut WasmEdge_String, len: u32) -> u32 {
    for (slot, n) in ffi::slice_mut(names, len).iter_mut().zip(all) {
        *slot = WasmEdge_String::wrap(n);
    }
    all.len() as u32
}

capi! {
    /// NULL configuration: WasmEdge's defaults (WasmEdge itself requires one).
    fn WasmEdge_ExecutorCreate(conf: *const Configure, stats: *mut Statistics) -> *mut Executor {
        ffi::into_raw(Executor::new(ffi::get(conf), stats))
    }
    fn WasmEdge_ExecutorInstantiate(
        cxt: *mut Executor,
        module: *mut *mut ModuleInstance,
        store: *mut StoreCtx,
        ast: *const AstModule,
    ) -> WasmEdge_Result {
        let (Some(exec), Some(store), Some(ast), false) = (ffi::get(cxt.cast_const()), ffi::get(store.cast_const()), ffi::get(ast), module.is_null()) else {
            return workflow();
        };
        match exec.instantiate(&store.shared, ast, None) {
            Ok(m) => {
                ffi::write_out(module, Box::into_raw(m));
                WasmEdge_Result::SUCCESS
            }
            Err(e) => fail(&e),
        }
    }
    fn WasmEdge_ExecutorRegister(
        cxt: *mut Executor,
        module: *mut *mut ModuleInstance,
        store: *mut StoreCtx,
        ast: *const AstModule,
        name: WasmEdge_String,
    ) -> WasmEdge_Result {
        let (Some(exec), Some(store), Some(ast), false) = (ffi::get(cxt.cast_const()), ffi::get(store.cast_const()), ffi::get(ast), module.is_null()) else {
            return workflow();
        };
        match exec.instantiate(&store.shared, ast, Some(&name.to_str())) {
            Ok(m) => {
                ffi::write_out(module, Box::into_raw(m));
                WasmEdge_Result::SUCCESS
            }
            Err(e) => fail(&e),
        }
    }
    /// Binds a host module to the store's world (a host module can be registered in one world only).
    fn WasmEdge_ExecutorRegisterImport(cxt: *mut Executor, store: *mut StoreCtx, import: *const ModuleInstance) -> WasmEdge_Result {
        let (Some(exec), Some(store), Some(import)) = (ffi::get(cxt.cast_const()), ffi::get(store.cast_const()), ffi::get(import)) else {
            return workflow();
        };
        match store.shared.register_import(&exec.engine, import) {
            Ok(()) => WasmEdge_Result::SUCCESS,
            Err(e) => fail(&e),
        }
    }
    /// Parameters are checked against the function's type (count and types): a mismatch is
    /// "function signature mismatch", as WasmEdge.
    fn WasmEdge_ExecutorInvoke(
        cxt: *mut Executor,
        func: *const FunctionInstance,
        params: *const WasmEdge_Value,
        param_len: u32,
        returns: *mut WasmEdge_Value,
        return_len: u32,
    ) -> WasmEdge_Result {
        let (Some(exec), Some(func)) = (ffi::get(cxt.cast_const()), ffi::get(func)) else {
            return workflow();
        };
        let params = ffi::slice(params, param_len);
        let returns = ffi::slice_mut(returns, return_len);
        result(func.ty.check_params(params).and_then(|()| exec.invoke(cxt, func, params, returns)))
    }
    /// `func(data)` runs before every host function this executor's invocations call (NULL: none).
    fn WasmEdge_ExecutorExperimentalRegisterPreHostFunction(cxt: *mut Executor, data: *mut std::ffi::c_void, func: Option<extern "C" fn(*mut std::ffi::c_void)>) {
        if let Some(exec) = ffi::get(cxt.cast_const()) {
            exec.pre_host.set(func.map(|func| Hook { func, data }));
        }
    }
    /// `func(data)` runs after every host function this executor's invocations call (NULL: none).
    fn WasmEdge_ExecutorExperimentalRegisterPostHostFunction(cxt: *mut Executor, data: *mut std::ffi::c_void, func: Option<extern "C" fn(*mut std::ffi::c_void)>) {
        if let Some(exec) = ffi::get(cxt.cast_const()) {
            exec.post_host.set(func.map(|func| Hook { func, data }));
        }
    }
    /// Runs on a thread of its own; NULL without an executor or function.
    fn WasmEdge_ExecutorAsyncInvoke(cxt: *mut Executor, func: *const FunctionInstance, params: *const WasmEdge_Value, param_len: u32) -> *mut crate::asynchronous::Async {
        let (Some(_), Some(f)) = (ffi::get(cxt.cast_const()), ffi::get(func)) else { return std::ptr::null_mut() };
        let params = ffi::slice(params, param_len).to_vec();
        let interrupt = f.bound().map(|(w, _)| {
            w.store.with(|s| {
                s.clear_interrupt();
                s.interrupt_handle()
            })
        });
        let (e, fp) = (crate::asynchronous::send(cxt), crate::asynchronous::send(func.cast_mut()));
        crate::asynchronous::Async::spawn(interrupt, move || {
            let (exec, f) = (ffi::get(e.get().cast_const()), ffi::get(fp.get().cast_const()));
            let (Some(exec), Some(f)) = (exec, f) else { return Err(Error::host_code(code::WRONG_VM_WORKFLOW, "wrong VM workflow")) };
            f.ty.check_params(&params)?;
            let mut results: Vec<WasmEdge_Value> = f.ty.results.iter().map(|&t| WasmEdge_Value::new(0, t)).collect();
            let r = exec.invoke(e.get(), f, &params, &mut results);
            // A cancel must not stop later runs.
            if let Some((w, _)) = f.bound() {
                w.store.with(|s| s.clear_interrupt());
            }
            r.map(|()| results)
        })
    }
    fn WasmEdge_ExecutorDelete(cxt: *mut Executor) {
        ffi::delete(cxt)
    }

    fn WasmEdge_StoreCreate() -> *mut StoreCtx {
        ffi::into_raw(StoreCtx { shared: StoreShared::new() })
    }
    fn WasmEdge_StoreFindModule(cxt: *const StoreCtx, name: WasmEdge_String) -> *const ModuleInstance {
        ffi::get(cxt).and_then(|s| s.shared.find(&name.to_str())).unwrap_or(std::ptr::null())
    }
    fn WasmEdge_StoreListModuleLength(cxt: *const StoreCtx) -> u32 {
        ffi::get(cxt).map_or(0, |s| s.shared.modules.borrow().len() as u32)
    }
    /// Names are borrowed from the registered module contexts.
    fn WasmEdge_StoreListModule(cxt: *const StoreCtx, names: *mut WasmEdge_String, len: u32) -> u32 {
        let Some(s) = ffi::get(cxt) else { return 0 };
        let modules = s.shared.modules.borrow();
        for (slot, &m) in ffi::slice_mut(names, len).iter_mut().zip(modules.values()) {
            *slot = ffi::get(m as *const ModuleInstance).map_or(WasmEdge_String::EMPTY, |m| WasmEdge_String::wrap(&m.name));
        }
        modules.len() as u32
    }
    fn WasmEdge_StoreDelete(cxt: *mut StoreCtx) {
        ffi::delete(cxt)
    }
}
