//! The store: owner of every runtime object (functions, memories, tables, globals, instances) and of the
//! embedder's data `T`. Handles ([`Func`], [`Memory`], …) are indices into it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::func::HostFunc;
use crate::module::Module;
use crate::types::{ExternType, Func, FuncType, GlobalType, MemoryType, TableType, Val};
use crate::vm::{self, VMContext, VMFuncRef, VMStoreContext, VmBox};

/// A handle to a linear memory in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) u32);

/// A handle to a table in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) u32);

/// A handle to a global in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) u32);

/// A handle to an instantiated module in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance(pub(crate) u32);

/// Anything that can be imported or exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extern {
    Func(Func),
    Table(Table),
    Memory(Memory),
    Global(Global),
}

impl From<Func> for Extern {
    fn from(f: Func) -> Self {
        Extern::Func(f)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Self {
        Extern::Memory(m)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Self {
        Extern::Table(t)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Self {
        Extern::Global(g)
    }
}

impl Extern {
    /// The function, if this is one.
    pub fn into_func(self) -> Option<Func> {
        if let Extern::Func(f) = self { Some(f) } else { None }
    }
    /// The memory, if this is one.
    pub fn into_memory(self) -> Option<Memory> {
        if let Extern::Memory(m) = self { Some(m) } else { None }
    }
    /// The table, if this is one.
    pub fn into_table(self) -> Option<Table> {
        if let Extern::Table(t) = self { Some(t) } else { None }
    }
    /// The global, if this is one.
    pub fn into_global(self) -> Option<Global> {
        if let Extern::Global(g) = self { Some(g) } else { None }
    }
}

pub(crate) enum FuncKind {
    Wasm { instance: u32, def: u32 },
    Host { host: u32 },
}

pub(crate) struct FuncEntity {
    pub kind: FuncKind,
    pub ty: FuncType,
    pub type_id: u32,
    /// A wasm function's interpreter code once it has run, so calls through tables and imports reach it
    /// in one step (the same `Arc` as the module's).
    pub code: std::sync::OnceLock<Arc<crate::interp::CompiledFunc>>,
}

/// An instance's state: its module, its context for code, and the store indices of what it uses.
pub(crate) struct InstanceData {
    pub module: Module,
    pub vmctx: VmBox<VMContext>,
    // Arrays the context points into; boxed slices never move. Only read through `vmctx`.
    #[allow(dead_code)]
    pub ctx_memories: Box<[*mut vm::VMMemory]>,
    #[allow(dead_code)]
    pub ctx_globals: Box<[*mut vm::VMGlobal]>,
    #[allow(dead_code)]
    pub ctx_tables: Box<[*mut vm::VMTable]>,
    pub funcs: Box<[u32]>,
    #[allow(dead_code)]
    pub type_ids: Box<[u32]>,
    pub memories: Box<[u32]>,
    pub tables: Box<[u32]>,
    pub globals: Box<[u32]>,
    /// Element segments as raw references; emptied by `elem.drop` and after active initialisation.
    pub elems: Vec<Box<[u64]>>,
    /// Data segments as ranges of the module's bytes; emptied by `data.drop` and after initialisation.
    pub datas: Vec<std::ops::Range<usize>>,
    pub exports: Vec<(String, Extern)>,
    /// How native code calls each imported function; empty for instances without native code.
    #[allow(dead_code)]
    pub func_imports: Box<[vm::VMFuncImport]>,
}

// SAFETY: the raw pointers point at objects owned by the same store, which moves between threads as a whole.
unsafe impl Send for InstanceData {}

pub(crate) struct StoreInner {
    pub engine: Engine,
    pub funcs: Vec<FuncEntity>,
    pub memories: Vec<vm::Memory>,
    pub tables: Vec<vm::Table>,
    pub globals: Vec<vm::Global>,
    pub instances: Vec<InstanceData>,
    /// The value stack, kept between calls so its allocation is reused.
    pub stack: Vec<u64>,
    pub host_time: std::time::Duration,
    /// Gas charged by host functions (`Store::charge_gas`): part of the gas used, not of the instruction
    /// count.
    pub host_gas: u64,
    pub interrupt: Arc<AtomicBool>,
    /// What native code reads of the store; every instance's context points here.
    pub vmstore: VmBox<VMStoreContext>,
    /// One function reference per store function, for native `call_indirect`.
    pub func_refs: Vec<VMFuncRef>,
}

/// Owner of all runtime objects and of the embedder's data `T`.
pub struct Store<T> {
    pub(crate) inner: StoreInner,
    pub(crate) hosts: Vec<HostFunc<T>>,
    pub(crate) data: T,
}

/// A handle that stops a running guest from another thread: the guest traps with "execution interrupted"
/// at its next loop iteration or call, when the engine's config is [`crate::Config::interruptible`].
#[derive(Clone, Debug)]
pub struct InterruptHandle(Arc<AtomicBool>);

impl InterruptHandle {
    /// Ask the guest to stop.
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Interrupt the guest once `limit` has passed, unless the returned guard is dropped first.
    ///
    /// ```
    /// # use wasmedge_host::{Config, Engine, Store};
    /// # let mut config = Config::new();
    /// # config.interruptible(true);
    /// # let mut store = Store::new(&Engine::new(config), ());
    /// let _limit = store.interrupt_handle().interrupt_after(std::time::Duration::from_secs(5));
    /// // ... call the guest: it traps with "execution interrupted" if it runs longer than 5 s ...
    /// ```
    pub fn interrupt_after(&self, limit: std::time::Duration) -> TimeLimit {
        let cancel = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
        let (flag, waiter) = (self.0.clone(), cancel.clone());
        let thread = std::thread::spawn(move || {
            let (lock, cvar) = &*waiter;
            let cancelled = lock.lock().unwrap_or_else(|e| e.into_inner());
            let (cancelled, _) = cvar.wait_timeout_while(cancelled, limit, |c| !*c).unwrap_or_else(|e| e.into_inner());
            if !*cancelled {
                flag.store(true, Ordering::Relaxed);
            }
        });
        TimeLimit { cancel, thread: Some(thread) }
    }
}

/// A running time limit (see [`InterruptHandle::interrupt_after`]); dropping it cancels the limit.
#[derive(Debug)]
pub struct TimeLimit {
    cancel: Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for TimeLimit {
    fn drop(&mut self) {
        let (lock, cvar) = &*self.cancel;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
        cvar.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl<T> Store<T> {
    /// An empty store for modules of `engine`, holding `data` for host functions.
    pub fn new(engine: &Engine, data: T) -> Self {
        let interrupt = Arc::new(AtomicBool::new(false));
        let vmstore = VmBox::new(VMStoreContext {
            stack_limit: 0,
            interrupt: Arc::as_ptr(&interrupt).cast(),
            func_refs: std::ptr::null(),
            builtins: vm::native::BUILTINS.as_ptr(),
            instruction_count: 0,
            gas_left: engine.config().gas_limit.unwrap_or(u64::MAX),
            gas_limit: engine.config().gas_limit.unwrap_or(u64::MAX),
        });
        Store {
            inner: StoreInner {
                engine: engine.clone(),
                funcs: Vec::new(),
                memories: Vec::new(),
                tables: Vec::new(),
                globals: Vec::new(),
                instances: Vec::new(),
                stack: Vec::new(),
                host_time: std::time::Duration::ZERO,
                host_gas: 0,
                interrupt,
                vmstore,
                func_refs: Vec::new(),
            },
            hosts: Vec::new(),
            data,
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The embedder's data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The embedder's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// Instructions executed so far (when [`crate::Config::count_instructions`] is on).
    pub fn instruction_count(&self) -> u64 {
        if self.inner.engine.config().uniform_costs() {
            // Every instruction costs 1, so the code counts the gas only.
            self.gas_used() - self.inner.host_gas
        } else {
            self.inner.vmstore.get().instruction_count
        }
    }

    /// Gas spent so far (when gas metering is on).
    pub fn gas_used(&self) -> u64 {
        let vm = self.inner.vmstore.get();
        vm.gas_limit - vm.gas_left
    }

    /// Charge `gas` for work done outside wasm (a host function's declared cost), against the same limit
    /// as the guest's instructions: "cost limit exceeded" when it is more than is left (the gas used is then
    /// the limit).
    pub fn charge_gas(&mut self, gas: u64) -> Result<()> {
        let vm = self.inner.vmstore.get_mut();
        match vm.gas_left.checked_sub(gas) {
            Some(left) => {
                vm.gas_left = left;
                self.inner.host_gas += gas;
                Ok(())
            }
            None => {
                self.inner.host_gas += vm.gas_left;
                vm.gas_left = 0;
                Err(Error::trap(crate::TrapCode::CostLimitExceeded))
            }
        }
    }

    /// Time spent in host functions called by the guest (when [`crate::Config::measure_host_time`] is on).
    pub fn host_time(&self) -> std::time::Duration {
        self.inner.host_time
    }

    /// A handle to interrupt execution from another thread.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle(self.inner.interrupt.clone())
    }

    /// Clear a raised interrupt flag so that the store can run code again.
    pub fn clear_interrupt(&mut self) {
        self.inner.interrupt.store(false, Ordering::Relaxed);
    }
}

impl StoreInner {
    pub fn func_raw(&self, raw: u64) -> Option<u32> {
        if raw == 0 { None } else { Some(raw as u32 - 1) }
    }

    pub fn extern_type(&self, ext: Extern) -> ExternType {
        match ext {
            Extern::Func(f) => ExternType::Func(self.funcs[f.0 as usize].ty.clone()),
            Extern::Table(t) => ExternType::Table(self.tables[t.0 as usize].current_type()),
            Extern::Memory(m) => ExternType::Memory(self.memories[m.0 as usize].current_type()),
            Extern::Global(g) => ExternType::Global(self.globals[g.0 as usize].ty),
        }
    }

    pub fn add_func(&mut self, kind: FuncKind, ty: FuncType) -> Func {
        let type_id = self.engine.intern_type(&ty);
        let index = self.funcs.len();
        self.funcs.push(FuncEntity { kind, ty, type_id, code: std::sync::OnceLock::new() });
        self.func_refs.push(VMFuncRef {
            code: std::ptr::null(),
            vmctx: std::ptr::without_provenance_mut(index),
            type_id,
        });
        self.vmstore.get_mut().func_refs = self.func_refs.as_ptr();
        Func(index as u32)
    }
}

impl Memory {
    /// A new memory of type `ty`, not belonging to any instance (for host modules and tests).
    pub fn new<T>(store: &mut Store<T>, ty: MemoryType) -> Result<Memory> {
        let mem = vm::Memory::new(ty, store.inner.engine.config().max_memory_pages)?;
        store.inner.memories.push(mem);
        Ok(Memory(store.inner.memories.len() as u32 - 1))
    }

    /// The memory's bytes.
    pub fn data<'a, T>(&self, store: &'a Store<T>) -> &'a [u8] {
        store.inner.memories[self.0 as usize].data()
    }

    /// The memory's bytes, mutably.
    pub fn data_mut<'a, T>(&self, store: &'a mut Store<T>) -> &'a mut [u8] {
        store.inner.memories[self.0 as usize].data_mut()
    }

    /// The size in 64 KiB pages.
    pub fn size<T>(&self, store: &Store<T>) -> u64 {
        store.inner.memories[self.0 as usize].pages()
    }

    /// Grow by `delta` pages; returns the old size, or an error past the limit.
    pub fn grow<T>(&self, store: &mut Store<T>, delta: u64) -> Result<u64> {
        store.inner.memories[self.0 as usize]
            .grow(delta)
            .ok_or_else(|| Error::api(format!("cannot grow memory by {delta} pages")))
    }

    /// The current type.
    pub fn ty<T>(&self, store: &Store<T>) -> MemoryType {
        store.inner.memories[self.0 as usize].current_type()
    }
}

impl Table {
    /// A new table of type `ty` filled with `init`.
    pub fn new<T>(store: &mut Store<T>, ty: TableType, init: Val) -> Result<Table> {
        if init.ty() != ty.element {
            return Err(Error::api("table initial value has the wrong type"));
        }
        let table = vm::Table::new(ty, init.to_raw() as u64)?;
        store.inner.tables.push(table);
        Ok(Table(store.inner.tables.len() as u32 - 1))
    }

    /// The number of elements.
    pub fn size<T>(&self, store: &Store<T>) -> u64 {
        store.inner.tables[self.0 as usize].elements().len() as u64
    }

    /// Element `index`, or `None` out of bounds.
    pub fn get<T>(&self, store: &Store<T>, index: u64) -> Option<Val> {
        let table = &store.inner.tables[self.0 as usize];
        let raw = *table.elements().get(usize::try_from(index).ok()?)?;
        Some(Val::from_raw(table.ty.element, raw as u128))
    }

    /// Set element `index`.
    pub fn set<T>(&self, store: &mut Store<T>, index: u64, val: Val) -> Result<()> {
        let table = &mut store.inner.tables[self.0 as usize];
        if val.ty() != table.ty.element {
            return Err(Error::api("table element has the wrong type"));
        }
        let slot = usize::try_from(index).ok().and_then(|i| table.elements_mut().get_mut(i));
        *slot.ok_or_else(|| Error::trap(crate::TrapCode::TableOutOfBounds))? = val.to_raw() as u64;
        Ok(())
    }

    /// The current type.
    pub fn ty<T>(&self, store: &Store<T>) -> TableType {
        store.inner.tables[self.0 as usize].current_type()
    }

    /// Grow by `delta` elements set to `init`: the old size, or `None` when the table cannot grow that
    /// far (its maximum).
    pub fn grow<T>(&self, store: &mut Store<T>, delta: u64, init: Val) -> Result<Option<u64>> {
        let table = &mut store.inner.tables[self.0 as usize];
        if init.ty() != table.ty.element {
            return Err(Error::api("table element has the wrong type"));
        }
        Ok(table.grow(delta, init.to_raw() as u64))
    }
}

impl Global {
    /// A new global.
    pub fn new<T>(store: &mut Store<T>, ty: GlobalType, val: Val) -> Result<Global> {
        if val.ty() != ty.content {
            return Err(Error::api(format!("global of type {} initialised with {}", ty.content, val.ty())));
        }
        store.inner.globals.push(vm::Global::new(ty, val.to_raw()));
        Ok(Global(store.inner.globals.len() as u32 - 1))
    }

    /// The value.
    pub fn get<T>(&self, store: &Store<T>) -> Val {
        let g = &store.inner.globals[self.0 as usize];
        Val::from_raw(g.ty.content, g.get())
    }

    /// Set the value of a mutable global.
    pub fn set<T>(&self, store: &mut Store<T>, val: Val) -> Result<()> {
        let g = &mut store.inner.globals[self.0 as usize];
        if !g.ty.mutable {
            return Err(Error::api("global is immutable"));
        }
        if val.ty() != g.ty.content {
            return Err(Error::api("global value has the wrong type"));
        }
        g.set(val.to_raw());
        Ok(())
    }

    /// The type.
    pub fn ty<T>(&self, store: &Store<T>) -> GlobalType {
        store.inner.globals[self.0 as usize].ty
    }
}

impl Instance {
    /// An export by name.
    pub fn get_export<T>(&self, store: &Store<T>, name: &str) -> Option<Extern> {
        store.inner.instances[self.0 as usize].exports.iter().find(|(n, _)| n == name).map(|&(_, e)| e)
    }

    /// The instance's memory `index`, in its own index space (imported memories first).
    pub fn memory<T>(&self, store: &Store<T>, index: u32) -> Option<Memory> {
        store.inner.instances[self.0 as usize].memories.get(index as usize).map(|&m| Memory(m))
    }

    /// An exported function by name.
    pub fn get_func<T>(&self, store: &Store<T>, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// An exported memory by name.
    pub fn get_memory<T>(&self, store: &Store<T>, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// An exported global by name.
    pub fn get_global<T>(&self, store: &Store<T>, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// All exports in order.
    pub fn exports<'a, T>(&self, store: &'a Store<T>) -> impl Iterator<Item = (&'a str, Extern)> + 'a {
        store.inner.instances[self.0 as usize].exports.iter().map(|(n, e)| (n.as_str(), *e))
    }

    /// The module this instance was created from.
    pub fn module<'a, T>(&self, store: &'a Store<T>) -> &'a Module {
        &store.inner.instances[self.0 as usize].module
    }
}
