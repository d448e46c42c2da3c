//! The object model: how WasmEdge's free-standing instances map onto our engine's stores.
//!
//! In WasmEdge every instance (module, function, memory, table, global) is an object of its own, and a
//! `WasmEdge_StoreContext` only names registered modules. In our engine a `Store` owns everything that
//! links together. Here a **world** is one engine `Store` with the engine it was made for; every
//! `WasmEdge_StoreContext` gets its world when an executor first uses it, and everything instantiated or
//! registered through that store context lives in it. Contexts that refer to things in a world hold it
//! (`Arc`), so a world lives until the last of them is deleted.
//!
//! Host objects made by C (`WasmEdge_ModuleInstanceCreate`, `WasmEdge_FunctionInstanceCreate`,
//! `WasmEdge_MemoryInstanceCreate`, ...) start *pending*: they hold their type and, for memories, tables and
//! globals, their contents. A host module is *bound* to a world when it is registered into a store
//! (`WasmEdge_ExecutorRegisterImport`, `WasmEdge_VMRegisterModuleFromImport`): its items are created in the
//! world's store, pending contents copied in, and from then on every context reaches the world's object.
//! A host module can be bound to one world only; a pending function that is invoked directly gets a
//! private world of its own.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::c_void;
use std::sync::{Arc, Weak};

use wasmedge_host::{
    Caller, Engine, Error, Extern, ExternRef, Func, Global, Instance, Linker, Memory, Store, Table, Val, ValType,
};
use wasmedge_wasi::{WasiConfig, WasiState, WasiView};

use crate::basic::{WasmEdge_Result, code};
use crate::ffi::{self, CHost, StoreCell};
use crate::types::{FunctionType, GlobalTypeCtx, MemoryTypeCtx, TableTypeCtx};
use crate::value::{self, WasmEdge_Value};

/// `WasmEdge_HostFunc_t`.
pub type HostFuncT = extern "C" fn(
    data: *mut c_void,
    frame: *const CallingFrame,
    params: *const WasmEdge_Value,
    results: *mut WasmEdge_Value,
) -> WasmEdge_Result;

/// `WasmEdge_WrapFunc_t`.
pub type WrapFuncT = extern "C" fn(
    binding: *mut c_void,
    data: *mut c_void,
    frame: *const CallingFrame,
    params: *const WasmEdge_Value,
    param_len: u32,
    results: *mut WasmEdge_Value,
    result_len: u32,
) -> WasmEdge_Result;

/// The two shapes of C host function.
#[derive(Clone, Copy)]
pub enum HostFn {
    Direct(HostFuncT),
    Wrap(WrapFuncT),
}

/// The data of our engine's store: what C values need that the engine does not keep.
#[derive(Default)]
pub struct HostState {
    /// The WASI state, once a WASI module is bound to this world.
    pub wasi: Option<WasiState>,
    /// The status the guest gave `proc_exit` (0 until it does), for `WasmEdge_ModuleInstanceWASIGetExitCode`.
    pub wasi_exit_code: u32,
    /// `externref` values: the engine's `ExternRef(i)` is the C pointer `extern_refs[i]`.
    extern_refs: Vec<usize>,
    /// Function contexts for functions that reached C as values (`funcref` results, table elements).
    func_ctxs: Vec<(Func, Box<FunctionInstance>)>,
    /// The C context of each instance made by an executor, for `WasmEdge_CallingFrameGetModuleInstance`.
    pub instance_ctxs: Vec<(Instance, usize)>,
    /// The executor running the current call, for `WasmEdge_CallingFrameGetExecutor`.
    pub executor: usize,
    /// Plugins instantiated in this world, by name: every module of a plugin is created at once (its
    /// modules may share state), and each of its module instances takes its functions from here.
    plugins: Vec<(String, Linker<HostState>)>,
}

impl WasiView for HostState {
    fn wasi_state(&mut self) -> &mut WasiState {
        // WASI functions exist in a world only after a WASI module was bound to it, which sets the state;
        // the default is for completeness.
        self.wasi.get_or_insert_with(|| WasiState::new(&WasiConfig::new()).expect("WASI without preopens"))
    }
}

pub type EngineStore = Store<HostState>;

/// What a linked module is made from.
pub enum Source {
    Wasi(RefCell<WasiConfig>),
    /// A loaded plugin (which provides this module among its own).
    Plugin(&'static wasmedge_host::plugin::Plugin),
}

/// The name WASI's functions are imported from.
pub const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// One engine store and its engine.
pub struct World {
    pub engine: Engine,
    pub store: StoreCell<EngineStore>,
}

impl World {
    pub fn new(engine: Engine) -> Arc<World> {
        let store = Store::new(&engine, HostState::default());
        Arc::new(World { engine, store: StoreCell::new(store) })
    }

    /// The C context of function `func` of this world (made once, owned by the world).
    pub fn func_ctx(self: &Arc<World>, store: &mut EngineStore, func: Func) -> *const FunctionInstance {
        let state = store.data_mut();
        if let Some((_, ctx)) = state.func_ctxs.iter().find(|(f, _)| *f == func) {
            return &**ctx;
        }
        let ty = FunctionType::from_host(&func.ty(store));
        let ctx = Box::new(FunctionInstance { state: FuncState::Bound { world: Arc::downgrade(self), func }, ty });
        let p: *const FunctionInstance = &*ctx;
        store.data_mut().func_ctxs.push((func, ctx));
        p
    }
}

/// An engine value for C value `v` of world `world`.
pub fn val_to_host(world: &Arc<World>, store: &mut EngineStore, v: WasmEdge_Value) -> Result<Val, Error> {
    let ty = v.ty.to_host().ok_or_else(|| Error::api("a value of a type this engine does not have"))?;
    Ok(match ty {
        ValType::I32 => Val::I32(v.value as u32 as i32),
        ValType::I64 => Val::I64(v.value as u64 as i64),
        ValType::F32 => Val::F32(v.value as u32),
        ValType::F64 => Val::F64(v.value as u64),
        ValType::V128 => Val::V128(v.value),
        ValType::FuncRef => {
            let p = v.ref_ptr().cast_const().cast::<FunctionInstance>();
            match ffi::get(p) {
                None => Val::FuncRef(None),
                Some(f) => Val::FuncRef(Some(f.bind(world, store)?)),
            }
        }
        ValType::ExternRef => {
            let p = v.ref_ptr() as usize;
            if p == 0 {
                Val::ExternRef(None)
            } else {
                let refs = &mut store.data_mut().extern_refs;
                let i = refs.iter().position(|&q| q == p).unwrap_or_else(|| {
                    refs.push(p);
                    refs.len() - 1
                });
                Val::ExternRef(Some(ExternRef(i as u32)))
            }
        }
    })
}

/// The C value of engine value `v` of world `world`.
pub fn val_from_host(world: &Arc<World>, store: &mut EngineStore, v: Val) -> WasmEdge_Value {
    match v {
        Val::I32(x) => WasmEdge_Value::new(x as u32 as u128, value::I32),
        Val::I64(x) => WasmEdge_Value::new(x as u64 as u128, value::I64),
        Val::F32(x) => WasmEdge_Value::new(x as u128, value::F32),
        Val::F64(x) => WasmEdge_Value::new(x as u128, value::F64),
        Val::V128(x) => WasmEdge_Value::new(x, value::V128),
        Val::FuncRef(None) => WasmEdge_Value::reference(value::FUNC_REF, std::ptr::null()),
        Val::FuncRef(Some(f)) => WasmEdge_Value::reference(value::FUNC_REF, world.func_ctx(store, f).cast()),
        Val::ExternRef(None) => WasmEdge_Value::reference(value::EXTERN_REF, std::ptr::null()),
        Val::ExternRef(Some(ExternRef(i))) => {
            let p = store.data().extern_refs.get(i as usize).copied().unwrap_or(0);
            WasmEdge_Value::reference(value::EXTERN_REF, p as *const c_void)
        }
    }
}

// ---- function instances ---------------------------------------------------------------------------------

/// `WasmEdge_FunctionInstanceContext`.
pub struct FunctionInstance {
    pub state: FuncState,
    /// The type as C sees it (`WasmEdge_FunctionInstanceGetFunctionType` hands out a pointer to it).
    pub ty: FunctionType,
}

pub enum FuncState {
    /// A C host function not yet in any world.
    Pending { host: CHost<HostFn>, cost: u64, bound: RefCell<Option<(Weak<World>, Func)>> },
    /// A function of a world.
    Bound { world: Weak<World>, func: Func },
}

impl FunctionInstance {
    /// The C host function's data pointer (NULL for wasm functions).
    pub fn data(&self) -> *const c_void {
        match &self.state {
            FuncState::Pending { host, .. } => host.data.cast_const(),
            FuncState::Bound { .. } => std::ptr::null(),
        }
    }

    /// The world and function this context stands for, if it has one yet.
    pub fn bound(&self) -> Option<(Arc<World>, Func)> {
        match &self.state {
            FuncState::Bound { world, func } => Some((world.upgrade()?, *func)),
            FuncState::Pending { bound, .. } => {
                let b = bound.borrow();
                let (world, func) = b.as_ref()?;
                Some((world.upgrade()?, *func))
            }
        }
    }

    /// The engine function in `world`, creating a pending host function there on first use.
    pub fn bind(&self, world: &Arc<World>, store: &mut EngineStore) -> Result<Func, Error> {
        if let Some((w, f)) = self.bound() {
            if Arc::ptr_eq(&w, world) {
                return Ok(f);
            }
            return Err(Error::host_code(code::WRONG_INSTANCE_ADDRESS, "the function belongs to another store"));
        }
        let FuncState::Pending { host, bound, cost } = &self.state else {
            return Err(Error::host_code(code::WRONG_INSTANCE_ADDRESS, "the function's store was deleted"));
        };
        let ty = self.ty.to_host().ok_or_else(|| Error::api("a host function type this engine does not have"))?;
        let func = host_func(world, store, *host, *cost, self.ty.clone(), ty);
        *bound.borrow_mut() = Some((Arc::downgrade(world), func));
        Ok(func)
    }
}

/// An engine host function calling C host function `host`.
fn host_func(
    world: &Arc<World>,
    store: &mut EngineStore,
    host: CHost<HostFn>,
    cost: u64,
    cty: FunctionType,
    ty: wasmedge_host::FuncType,
) -> Func {
    let weak = Arc::downgrade(world);
    Func::new(store, ty, move |mut caller: Caller<'_, HostState>, params: &[Val], results: &mut [Val]| {
        let world = weak.upgrade().ok_or_else(|| Error::host("the store of this host function was deleted"))?;
        let instance = caller.instance();
        let store = caller.store();
        // The function's declared cost counts as gas, before it runs (as WasmEdge charges it).
        if cost > 0 {
            store.charge_gas(cost)?;
        }
        let cparams: Vec<WasmEdge_Value> = params.iter().map(|&v| val_from_host(&world, store, v)).collect();
        let mut cresults: Vec<WasmEdge_Value> = cty.results.iter().map(|&t| WasmEdge_Value::new(0, t)).collect();
        let executor = store.data().executor;
        let frame = CallingFrame { world: world.clone(), instance, executor, memories: RefCell::new(Vec::new()) };
        let exec = ffi::get(executor as *const crate::executor::Executor);
        if let Some(hook) = exec.and_then(|e| e.pre_host.get()) {
            (hook.func)(hook.data);
        }
        let r = world.store.lend(store, || ffi::call_host(&host, &frame, &cparams, &mut cresults));
        if let Some(hook) = exec.and_then(|e| e.post_host.get()) {
            (hook.func)(hook.data);
        }
        drop(frame);
        if !r.ok() {
            return Err(Error::host_code(r.code, "host function failed"));
        }
        if r.code & 0x00FF_FFFF == code::TERMINATED {
            return Err(Error::exit(0));
        }
        for (slot, v) in results.iter_mut().zip(cresults) {
            *slot = val_to_host(&world, store, v)?;
        }
        Ok(())
    })
}

// ---- memories, tables, globals ----------------------------------------------------------------------

/// `WasmEdge_MemoryInstanceContext`.
pub enum MemoryInstance {
    /// Made by C and not yet in a world: its type and bytes.
    Pending {
        ty: MemoryTypeCtx,
        data: Vec<u8>,
    },
    Bound {
        world: Arc<World>,
        mem: Memory,
        ty: RefCell<MemoryTypeCtx>,
    },
}

/// `WasmEdge_TableInstanceContext`.
pub enum TableInstance {
    Pending { ty: TableTypeCtx, elems: Vec<WasmEdge_Value> },
    Bound { world: Arc<World>, table: Table, ty: RefCell<TableTypeCtx> },
}

/// `WasmEdge_GlobalInstanceContext`.
pub enum GlobalInstance {
    Pending { ty: GlobalTypeCtx, value: WasmEdge_Value },
    Bound { world: Arc<World>, global: Global, ty: GlobalTypeCtx },
}

pub const PAGE: usize = 65536;

// ---- module instances -----------------------------------------------------------------------------------

/// `WasmEdge_ModuleInstanceContext`.
pub struct ModuleInstance {
    pub name: String,
    pub host_data: *mut c_void,
    pub finalizer: Option<extern "C" fn(*mut c_void)>,
    pub kind: ModKind,
    /// Exported or added items, by name, with their C contexts (owned here). For instantiated modules,
    /// made on first request.
    pub funcs: RefCell<BTreeMap<String, Box<FunctionInstance>>>,
    pub memories: RefCell<BTreeMap<String, Box<MemoryInstance>>>,
    pub tables: RefCell<BTreeMap<String, Box<TableInstance>>>,
    pub globals: RefCell<BTreeMap<String, Box<GlobalInstance>>>,
    /// The stores it is registered in, to leave them when deleted.
    pub registered_in: RefCell<Vec<std::rc::Weak<crate::executor::StoreShared>>>,
}

#[allow(clippy::large_enum_variant)] // one per module instance
pub enum ModKind {
    /// Made by C; bound to a world when registered.
    Host { world: RefCell<Option<Arc<World>>> },
    /// WASI (`WasmEdge_ModuleInstanceCreateWASI`, or the VM's) or a plugin's module: what to create, and
    /// once bound, its functions in the world.
    Linked { source: Source, world: RefCell<Option<Arc<World>>>, linker: RefCell<Option<Linker<HostState>>> },
    /// Instantiated from wasm.
    Wasm { world: Arc<World>, instance: Instance },
}

impl ModuleInstance {
    pub fn host(name: String, host_data: *mut c_void, finalizer: Option<extern "C" fn(*mut c_void)>) -> Self {
        ModuleInstance::new(name, host_data, finalizer, ModKind::Host { world: RefCell::new(None) })
    }

    pub fn wasi(config: WasiConfig) -> Self {
        let source = Source::Wasi(RefCell::new(config));
        let kind = ModKind::Linked { source, world: RefCell::new(None), linker: RefCell::new(None) };
        ModuleInstance::new(WASI_MODULE.to_string(), std::ptr::null_mut(), None, kind)
    }

    /// Module `name` of a loaded plugin.
    pub fn plugin(plugin: &'static wasmedge_host::plugin::Plugin, name: String) -> Self {
        let kind =
            ModKind::Linked { source: Source::Plugin(plugin), world: RefCell::new(None), linker: RefCell::new(None) };
        ModuleInstance::new(name, std::ptr::null_mut(), None, kind)
    }

    pub fn is_wasi(&self) -> bool {
        matches!(&self.kind, ModKind::Linked { source: Source::Wasi(_), .. })
    }

    /// Configure WASI again (`WasmEdge_ModuleInstanceInitWASI`): a bound module gets a new state in its
    /// world and its exit code is reset.
    pub fn init_wasi(&self, new: WasiConfig) -> Result<(), Error> {
        let ModKind::Linked { source: Source::Wasi(config), world, .. } = &self.kind else { return Ok(()) };
        if let Some(w) = world.borrow().as_ref() {
            let state = WasiState::new(&new)?;
            w.store.with(|s| {
                s.data_mut().wasi = Some(state);
                s.data_mut().wasi_exit_code = 0;
            });
        }
        *config.borrow_mut() = new;
        Ok(())
    }

    pub fn wasm(name: String, world: Arc<World>, instance: Instance) -> Self {
        ModuleInstance::new(name, std::ptr::null_mut(), None, ModKind::Wasm { world, instance })
    }

    fn new(name: String, host_data: *mut c_void, finalizer: Option<extern "C" fn(*mut c_void)>, kind: ModKind) -> Self {
        ModuleInstance {
            name,
            host_data,
            finalizer,
            kind,
            funcs: RefCell::default(),
            memories: RefCell::default(),
            tables: RefCell::default(),
            globals: RefCell::default(),
            registered_in: RefCell::default(),
        }
    }

    /// The world this module lives in, if any yet.
    pub fn world(&self) -> Option<Arc<World>> {
        match &self.kind {
            ModKind::Host { world } | ModKind::Linked { world, .. } => world.borrow().clone(),
            ModKind::Wasm { world, .. } => Some(world.clone()),
        }
    }

    /// Create a host module's items in `world` (once; a second, different world is an error).
    pub fn bind(&self, world: &Arc<World>) -> Result<(), Error> {
        if let ModKind::Linked { source, world: slot, linker } = &self.kind {
            if let Some(w) = slot.borrow().as_ref() {
                return if Arc::ptr_eq(w, world) {
                    Ok(())
                } else {
                    Err(Error::host_code(code::WRONG_INSTANCE_ADDRESS, "the module instance belongs to another store"))
                };
            }
            let l = match source {
                Source::Wasi(config) => {
                    let state = WasiState::new(&config.borrow())?;
                    world.store.with(|s| {
                        s.data_mut().wasi = Some(state);
                        s.data_mut().wasi_exit_code = 0;
                        let mut l = Linker::new();
                        wasmedge_wasi::add_to_linker(&mut l, s);
                        l
                    })
                }
                Source::Plugin(plugin) => world.store.with(|s| -> Result<Linker<HostState>, Error> {
                    if !s.data().plugins.iter().any(|(n, _)| *n == plugin.name) {
                        let options = crate::plugin::options_for(&plugin.name);
                        let mut all = Linker::new();
                        plugin.register(&mut all, s, &options)?;
                        s.data_mut().plugins.push((plugin.name.clone(), all));
                    }
                    let (_, all) = s.data().plugins.iter().find(|(n, _)| *n == plugin.name).expect("just added");
                    let mut mine = Linker::new();
                    for name in all.names(&self.name) {
                        if let Some(e) = all.get(&self.name, name) {
                            mine.define(&self.name, name, e);
                        }
                    }
                    Ok(mine)
                })?,
            };
            *linker.borrow_mut() = Some(l);
            *slot.borrow_mut() = Some(world.clone());
            return Ok(());
        }
        let ModKind::Host { world: slot } = &self.kind else {
            return match self.world() {
                Some(w) if Arc::ptr_eq(&w, world) => Ok(()),
                _ => {
                    Err(Error::host_code(code::WRONG_INSTANCE_ADDRESS, "the module instance belongs to another store"))
                }
            };
        };
        if let Some(w) = slot.borrow().as_ref() {
            return if Arc::ptr_eq(w, world) {
                Ok(())
            } else {
                Err(Error::host_code(code::WRONG_INSTANCE_ADDRESS, "the module instance belongs to another store"))
            };
        }
        world.store.with(|store| -> Result<(), Error> {
            for f in self.funcs.borrow().values() {
                f.bind(world, store)?;
            }
            for m in self.memories.borrow_mut().values_mut() {
                bind_memory(m, world, store)?;
            }
            for t in self.tables.borrow_mut().values_mut() {
                bind_table(t, world, store)?;
            }
            for g in self.globals.borrow_mut().values_mut() {
                bind_global(g, world, store)?;
            }
            Ok(())
        })?;
        *slot.borrow_mut() = Some(world.clone());
        Ok(())
    }

    /// Export `name` as an engine extern (the module must be bound to that world).
    pub fn export(&self, store: &EngineStore, name: &str) -> Option<Extern> {
        match &self.kind {
            ModKind::Wasm { instance, .. } => instance.get_export(store, name),
            ModKind::Linked { linker, .. } => linker.borrow().as_ref()?.get(&self.name, name),
            ModKind::Host { .. } => {
                if let Some(f) = self.funcs.borrow().get(name) {
                    return f.bound().map(|(_, f)| Extern::Func(f));
                }
                if let Some(MemoryInstance::Bound { mem, .. }) = self.memories.borrow().get(name).map(|b| &**b) {
                    return Some(Extern::Memory(*mem));
                }
                if let Some(TableInstance::Bound { table, .. }) = self.tables.borrow().get(name).map(|b| &**b) {
                    return Some(Extern::Table(*table));
                }
                if let Some(GlobalInstance::Bound { global, .. }) = self.globals.borrow().get(name).map(|b| &**b) {
                    return Some(Extern::Global(*global));
                }
                None
            }
        }
    }

    /// Names of exports of one kind, sorted (as WasmEdge lists them).
    pub fn names(&self, kind: u32) -> Vec<String> {
        match &self.kind {
            ModKind::Wasm { world, instance } => {
                let mut names: Vec<String> = world.store.with(|store| {
                    instance
                        .exports(store)
                        .filter(|(_, e)| extern_kind(e) == kind)
                        .map(|(n, _)| n.to_string())
                        .collect()
                });
                names.sort();
                names
            }
            ModKind::Linked { source, linker, .. } => match (kind, linker.borrow().as_ref(), source) {
                (crate::types::EXTERNAL_FUNCTION, Some(l), _) => {
                    l.names(&self.name).into_iter().map(str::to_string).collect()
                }
                (crate::types::EXTERNAL_FUNCTION, None, Source::Wasi(_)) => {
                    wasmedge_wasi::PREVIEW1.iter().map(|n| n.to_string()).collect()
                }
                (crate::types::EXTERNAL_FUNCTION, None, Source::Plugin(p)) => p
                    .modules
                    .iter()
                    .filter(|m| m.name == self.name)
                    .flat_map(|m| m.functions.iter().map(|f| f.name.clone()))
                    .collect(),
                _ => Vec::new(),
            },
            ModKind::Host { .. } => match kind {
                crate::types::EXTERNAL_FUNCTION => self.funcs.borrow().keys().cloned().collect(),
                crate::types::EXTERNAL_MEMORY => self.memories.borrow().keys().cloned().collect(),
                crate::types::EXTERNAL_TABLE => self.tables.borrow().keys().cloned().collect(),
                _ => self.globals.borrow().keys().cloned().collect(),
            },
        }
    }

    /// The function context for export `name`.
    pub fn find_func(&self, name: &str) -> *mut FunctionInstance {
        if let ModKind::Linked { world, linker, .. } = &self.kind
            && !self.funcs.borrow().contains_key(name)
        {
            let Some(world) = world.borrow().clone() else { return std::ptr::null_mut() };
            let Some(Extern::Func(func)) = linker.borrow().as_ref().and_then(|l| l.get(&self.name, name)) else {
                return std::ptr::null_mut();
            };
            let ty = world.store.with(|s| FunctionType::from_host(&func.ty(s)));
            let ctx =
                Box::new(FunctionInstance { state: FuncState::Bound { world: Arc::downgrade(&world), func }, ty });
            self.funcs.borrow_mut().insert(name.to_string(), ctx);
        }
        if let ModKind::Wasm { world, instance } = &self.kind
            && !self.funcs.borrow().contains_key(name)
        {
            let found = world
                .store
                .with(|store| instance.get_func(store, name).map(|f| (f, FunctionType::from_host(&f.ty(store)))));
            let Some((func, ty)) = found else { return std::ptr::null_mut() };
            let ctx = Box::new(FunctionInstance { state: FuncState::Bound { world: Arc::downgrade(world), func }, ty });
            self.funcs.borrow_mut().insert(name.to_string(), ctx);
        }
        self.funcs.borrow_mut().get_mut(name).map_or(std::ptr::null_mut(), |b| &mut **b)
    }

    /// The memory context for export `name`.
    pub fn find_memory(&self, name: &str) -> *mut MemoryInstance {
        if let ModKind::Wasm { world, instance } = &self.kind
            && !self.memories.borrow().contains_key(name)
        {
            let found = world.store.with(|store| instance.get_memory(store, name).map(|m| (m, m.ty(store))));
            let Some((mem, ty)) = found else { return std::ptr::null_mut() };
            let ctx =
                MemoryInstance::Bound { world: world.clone(), mem, ty: RefCell::new(MemoryTypeCtx::from_host(ty)) };
            self.memories.borrow_mut().insert(name.to_string(), Box::new(ctx));
        }
        self.memories.borrow_mut().get_mut(name).map_or(std::ptr::null_mut(), |b| &mut **b)
    }

    /// The table context for export `name`.
    pub fn find_table(&self, name: &str) -> *mut TableInstance {
        if let ModKind::Wasm { world, instance } = &self.kind
            && !self.tables.borrow().contains_key(name)
        {
            let found = world.store.with(|store| match instance.get_export(store, name) {
                Some(Extern::Table(t)) => Some((t, t.ty(store))),
                _ => None,
            });
            let Some((table, ty)) = found else { return std::ptr::null_mut() };
            let ctx =
                TableInstance::Bound { world: world.clone(), table, ty: RefCell::new(TableTypeCtx::from_host(ty)) };
            self.tables.borrow_mut().insert(name.to_string(), Box::new(ctx));
        }
        self.tables.borrow_mut().get_mut(name).map_or(std::ptr::null_mut(), |b| &mut **b)
    }

    /// The global context for export `name`.
    pub fn find_global(&self, name: &str) -> *mut GlobalInstance {
        if let ModKind::Wasm { world, instance } = &self.kind
            && !self.globals.borrow().contains_key(name)
        {
            let found = world.store.with(|store| instance.get_global(store, name).map(|g| (g, g.ty(store))));
            let Some((global, ty)) = found else { return std::ptr::null_mut() };
            let ctx = GlobalInstance::Bound { world: world.clone(), global, ty: GlobalTypeCtx::from_host(ty) };
            self.globals.borrow_mut().insert(name.to_string(), Box::new(ctx));
        }
        self.globals.borrow_mut().get_mut(name).map_or(std::ptr::null_mut(), |b| &mut **b)
    }
}

impl Drop for ModuleInstance {
    fn drop(&mut self) {
        let me = self as *const ModuleInstance as usize;
        for store in self.registered_in.borrow().iter().filter_map(std::rc::Weak::upgrade) {
            store.modules.borrow_mut().retain(|_, &mut m| m != me);
        }
        if let Some(world) = self.world() {
            world.store.with(|s| s.data_mut().instance_ctxs.retain(|&(_, p)| p != me));
        }
        if let Some(finalizer) = self.finalizer {
            finalizer(self.host_data);
        }
    }
}

pub fn extern_kind(e: &Extern) -> u32 {
    match e {
        Extern::Func(_) => crate::types::EXTERNAL_FUNCTION,
        Extern::Table(_) => crate::types::EXTERNAL_TABLE,
        Extern::Memory(_) => crate::types::EXTERNAL_MEMORY,
        Extern::Global(_) => crate::types::EXTERNAL_GLOBAL,
    }
}

fn bind_memory(m: &mut MemoryInstance, world: &Arc<World>, store: &mut EngineStore) -> Result<(), Error> {
    if let MemoryInstance::Pending { ty, data } = m {
        let mem = Memory::new(store, ty.to_host())?;
        let dst = mem.data_mut(store);
        let n = dst.len().min(data.len());
        dst[..n].copy_from_slice(&data[..n]);
        *m = MemoryInstance::Bound { world: world.clone(), mem, ty: RefCell::new(*ty) };
    }
    Ok(())
}

fn bind_table(t: &mut TableInstance, world: &Arc<World>, store: &mut EngineStore) -> Result<(), Error> {
    if let TableInstance::Pending { ty, elems } = t {
        let host_ty = ty.to_host().ok_or_else(|| Error::api("a table type this engine does not have"))?;
        let null = Val::default_for(host_ty.element);
        let table = Table::new(store, host_ty, null)?;
        for (i, v) in elems.iter().enumerate() {
            let v = val_to_host(world, store, *v)?;
            table.set(store, i as u64, v)?;
        }
        *t = TableInstance::Bound { world: world.clone(), table, ty: RefCell::new(*ty) };
    }
    Ok(())
}

fn bind_global(g: &mut GlobalInstance, world: &Arc<World>, store: &mut EngineStore) -> Result<(), Error> {
    if let GlobalInstance::Pending { ty, value } = g {
        let host_ty = ty.to_host().ok_or_else(|| Error::api("a global type this engine does not have"))?;
        let v = val_to_host(world, store, *value)?;
        let global = Global::new(store, host_ty, v)?;
        *g = GlobalInstance::Bound { world: world.clone(), global, ty: *ty };
    }
    Ok(())
}

// ---- calling frames -------------------------------------------------------------------------------------

/// `WasmEdge_CallingFrameContext`: what a host function sees of its caller, valid during the call.
pub struct CallingFrame {
    pub world: Arc<World>,
    pub instance: Option<Instance>,
    pub executor: usize,
    /// Memory contexts handed out during the call.
    pub memories: RefCell<Vec<Box<MemoryInstance>>>,
}
