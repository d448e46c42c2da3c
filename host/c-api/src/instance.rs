//! Module, function, memory, table and global instances, and calling frames.

use std::cell::RefCell;
use std::ffi::c_void;

use wasmedge_host::{Error, TrapCode, Val};

use crate::basic::{WasmEdge_Result, WasmEdge_String, code, fail};
use crate::executor::Executor;
use crate::ffi::{self, CHost, capi};
use crate::types::{
    EXTERNAL_FUNCTION, EXTERNAL_GLOBAL, EXTERNAL_MEMORY, EXTERNAL_TABLE, FunctionType, GlobalTypeCtx, MUT_VAR,
    MemoryTypeCtx, TableTypeCtx,
};
use crate::value::WasmEdge_Value;
use crate::world::{
    CallingFrame, FuncState, FunctionInstance, GlobalInstance, HostFn, HostFuncT, MemoryInstance, ModKind,
    ModuleInstance, PAGE, TableInstance, WrapFuncT, val_from_host, val_to_host,
};

fn err(code: u32) -> WasmEdge_Result {
    WasmEdge_Result::wasm(code)
}

/// Run `f` on the bytes of a memory (its own while pending, else its world's).
fn with_bytes<R>(m: &MemoryInstance, f: impl FnOnce(&[u8]) -> R) -> R {
    match m {
        MemoryInstance::Pending { data, .. } => f(data),
        MemoryInstance::Bound { world, mem, .. } => world.store.with(|s| f(mem.data(s))),
    }
}

fn with_bytes_mut<R>(m: &mut MemoryInstance, f: impl FnOnce(&mut [u8]) -> R) -> R {
    match m {
        MemoryInstance::Pending { data, .. } => f(data),
        MemoryInstance::Bound { world, mem, .. } => world.store.with(|s| f(mem.data_mut(s))),
    }
}

/// `offset..offset + len` within `size`, or `None`.
fn range(offset: u32, len: u32, size: usize) -> Option<std::ops::Range<usize>> {
    let end = (offset as usize).checked_add(len as usize)?;
    (end <= size).then_some(offset as usize..end)
}

fn memory_type(m: &MemoryInstance) -> MemoryTypeCtx {
    match m {
        MemoryInstance::Pending { ty, .. } => *ty,
        MemoryInstance::Bound { world, mem, ty } => {
            let now = MemoryTypeCtx::from_host(world.store.with(|s| mem.ty(s)));
            *ty.borrow_mut() = now;
            now
        }
    }
}

capi! {
    fn WasmEdge_ModuleInstanceCreate(name: WasmEdge_String) -> *mut ModuleInstance {
        ffi::into_raw(ModuleInstance::host(name.to_str().into_owned(), std::ptr::null_mut(), None))
    }
    /// `finalizer(data)` runs when the module instance is deleted.
    fn WasmEdge_ModuleInstanceCreateWithData(
        name: WasmEdge_String,
        data: *mut c_void,
        finalizer: Option<extern "C" fn(*mut c_void)>,
    ) -> *mut ModuleInstance {
        ffi::into_raw(ModuleInstance::host(name.to_str().into_owned(), data, finalizer))
    }
    /// Borrowed from the module instance.
    fn WasmEdge_ModuleInstanceGetModuleName(cxt: *const ModuleInstance) -> WasmEdge_String {
        ffi::get(cxt).map_or(WasmEdge_String::EMPTY, |m| WasmEdge_String::wrap(&m.name))
    }
    fn WasmEdge_ModuleInstanceGetHostData(cxt: *const ModuleInstance) -> *mut c_void {
        ffi::get(cxt).map_or(std::ptr::null_mut(), |m| m.host_data)
    }
    fn WasmEdge_ModuleInstanceFindFunction(cxt: *const ModuleInstance, name: WasmEdge_String) -> *mut FunctionInstance {
        ffi::get(cxt).map_or(std::ptr::null_mut(), |m| m.find_func(&name.to_str()))
    }
    fn WasmEdge_ModuleInstanceFindMemory(cxt: *const ModuleInstance, name: WasmEdge_String) -> *mut MemoryInstance {
        ffi::get(cxt).map_or(std::ptr::null_mut(), |m| m.find_memory(&name.to_str()))
    }
    fn WasmEdge_ModuleInstanceFindTable(cxt: *const ModuleInstance, name: WasmEdge_String) -> *mut TableInstance {
        ffi::get(cxt).map_or(std::ptr::null_mut(), |m| m.find_table(&name.to_str()))
    }
    fn WasmEdge_ModuleInstanceFindGlobal(cxt: *const ModuleInstance, name: WasmEdge_String) -> *mut GlobalInstance {
        ffi::get(cxt).map_or(std::ptr::null_mut(), |m| m.find_global(&name.to_str()))
    }
    /// Always NULL: no tags without exception handling.
    fn WasmEdge_ModuleInstanceFindTag(cxt: *const ModuleInstance, name: WasmEdge_String) -> *mut c_void {
        let _ = (cxt, name);
        std::ptr::null_mut()
    }
    fn WasmEdge_ModuleInstanceListFunctionLength(cxt: *const ModuleInstance) -> u32 {
        ffi::get(cxt).map_or(0, |m| m.names(EXTERNAL_FUNCTION).len() as u32)
    }
    /// Names are borrowed from the module (valid until it is deleted).
    fn WasmEdge_ModuleInstanceListFunction(cxt: *const ModuleInstance, names: *mut WasmEdge_String, len: u32) -> u32 {
        ffi::get(cxt).map_or(0, |m| list(m, EXTERNAL_FUNCTION, names, len))
    }
    fn WasmEdge_ModuleInstanceListMemoryLength(cxt: *const ModuleInstance) -> u32 {
        ffi::get(cxt).map_or(0, |m| m.names(EXTERNAL_MEMORY).len() as u32)
    }
    fn WasmEdge_ModuleInstanceListMemory(cxt: *const ModuleInstance, names: *mut WasmEdge_String, len: u32) -> u32 {
        ffi::get(cxt).map_or(0, |m| list(m, EXTERNAL_MEMORY, names, len))
    }
    fn WasmEdge_ModuleInstanceListTableLength(cxt: *const ModuleInstance) -> u32 {
        ffi::get(cxt).map_or(0, |m| m.names(EXTERNAL_TABLE).len() as u32)
    }
    fn WasmEdge_ModuleInstanceListTable(cxt: *const ModuleInstance, names: *mut WasmEdge_String, len: u32) -> u32 {
        ffi::get(cxt).map_or(0, |m| list(m, EXTERNAL_TABLE, names, len))
    }
    fn WasmEdge_ModuleInstanceListGlobalLength(cxt: *const ModuleInstance) -> u32 {
        ffi::get(cxt).map_or(0, |m| m.names(EXTERNAL_GLOBAL).len() as u32)
    }
    fn WasmEdge_ModuleInstanceListGlobal(cxt: *const ModuleInstance, names: *mut WasmEdge_String, len: u32) -> u32 {
        ffi::get(cxt).map_or(0, |m| list(m, EXTERNAL_GLOBAL, names, len))
    }
    fn WasmEdge_ModuleInstanceListTagLength(cxt: *const ModuleInstance) -> u32 {
        let _ = cxt;
        0
    }
    fn WasmEdge_ModuleInstanceListTag(cxt: *const ModuleInstance, names: *mut WasmEdge_String, len: u32) -> u32 {
        let _ = (cxt, names, len);
        0
    }
    /// Takes ownership of `func`. Ignored (and `func` deleted) for instantiated or already registered
    /// modules, which cannot gain items here.
    fn WasmEdge_ModuleInstanceAddFunction(cxt: *mut ModuleInstance, name: WasmEdge_String, func: *mut FunctionInstance) {
        if func.is_null() {
            return;
        }
        let Some(m) = addable(cxt) else { return ffi::delete(func) };
        m.funcs.borrow_mut().insert(name.to_str().into_owned(), ffi::take(func));
    }
    fn WasmEdge_ModuleInstanceAddMemory(cxt: *mut ModuleInstance, name: WasmEdge_String, mem: *mut MemoryInstance) {
        if mem.is_null() {
            return;
        }
        let Some(m) = addable(cxt) else { return ffi::delete(mem) };
        m.memories.borrow_mut().insert(name.to_str().into_owned(), ffi::take(mem));
    }
    fn WasmEdge_ModuleInstanceAddTable(cxt: *mut ModuleInstance, name: WasmEdge_String, table: *mut TableInstance) {
        if table.is_null() {
            return;
        }
        let Some(m) = addable(cxt) else { return ffi::delete(table) };
        m.tables.borrow_mut().insert(name.to_str().into_owned(), ffi::take(table));
    }
    fn WasmEdge_ModuleInstanceAddGlobal(cxt: *mut ModuleInstance, name: WasmEdge_String, global: *mut GlobalInstance) {
        if global.is_null() {
            return;
        }
        let Some(m) = addable(cxt) else { return ffi::delete(global) };
        m.globals.borrow_mut().insert(name.to_str().into_owned(), ffi::take(global));
    }
    /// Leaves every store it is registered in; runs the finalizer of `CreateWithData`.
    fn WasmEdge_ModuleInstanceDelete(cxt: *mut ModuleInstance) {
        ffi::delete(cxt)
    }

    /// NULL without a type or function.
    fn WasmEdge_FunctionInstanceCreate(ty: *const FunctionType, func: Option<HostFuncT>, data: *mut c_void, cost: u64) -> *mut FunctionInstance {
        let (Some(ty), Some(func)) = (ffi::get(ty), func) else { return std::ptr::null_mut() };
        pending_func(ty, HostFn::Direct(func), data, std::ptr::null_mut(), cost)
    }
    fn WasmEdge_FunctionInstanceCreateBinding(
        ty: *const FunctionType,
        func: Option<WrapFuncT>,
        binding: *mut c_void,
        data: *mut c_void,
        cost: u64,
    ) -> *mut FunctionInstance {
        let (Some(ty), Some(func)) = (ffi::get(ty), func) else { return std::ptr::null_mut() };
        pending_func(ty, HostFn::Wrap(func), data, binding, cost)
    }
    fn WasmEdge_FunctionInstanceGetData(cxt: *const FunctionInstance) -> *const c_void {
        ffi::get(cxt).map_or(std::ptr::null(), |f| f.data())
    }
    /// Borrowed from the function instance.
    fn WasmEdge_FunctionInstanceGetFunctionType(cxt: *const FunctionInstance) -> *const FunctionType {
        ffi::get(cxt).map_or(std::ptr::null(), |f| &f.ty)
    }
    fn WasmEdge_FunctionInstanceDelete(cxt: *mut FunctionInstance) {
        ffi::delete(cxt)
    }

    fn WasmEdge_MemoryInstanceCreate(ty: *const MemoryTypeCtx) -> *mut MemoryInstance {
        let Some(ty) = ffi::get(ty) else { return std::ptr::null_mut() };
        let bytes = (ty.limit.min as usize).saturating_mul(PAGE);
        ffi::into_raw(MemoryInstance::Pending { ty: *ty, data: vec![0; bytes] })
    }
    /// Borrowed from the memory instance (its current limits).
    fn WasmEdge_MemoryInstanceGetMemoryType(cxt: *const MemoryInstance) -> *const MemoryTypeCtx {
        let Some(m) = ffi::get(cxt) else { return std::ptr::null() };
        memory_type(m);
        match m {
            MemoryInstance::Pending { ty, .. } => ty,
            MemoryInstance::Bound { ty, .. } => ty.as_ptr(),
        }
    }
    /// "out of bounds memory access" unless `offset + length` is within the memory.
    fn WasmEdge_MemoryInstanceGetData(cxt: *const MemoryInstance, data: *mut u8, offset: u32, length: u32) -> WasmEdge_Result {
        let (Some(m), false) = (ffi::get(cxt), data.is_null()) else { return err(code::WRONG_VM_WORKFLOW) };
        let out = ffi::slice_mut(data, length);
        with_bytes(m, |bytes| match range(offset, length, bytes.len()) {
            Some(r) => {
                out.copy_from_slice(&bytes[r]);
                WasmEdge_Result::SUCCESS
            }
            None => fail(&Error::trap(TrapCode::MemoryOutOfBounds)),
        })
    }
    fn WasmEdge_MemoryInstanceSetData(cxt: *mut MemoryInstance, data: *const u8, offset: u32, length: u32) -> WasmEdge_Result {
        let (Some(m), false) = (ffi::get_mut(cxt), data.is_null()) else { return err(code::WRONG_VM_WORKFLOW) };
        let src = ffi::slice(data, length);
        with_bytes_mut(m, |bytes| match range(offset, length, bytes.len()) {
            Some(r) => {
                bytes[r].copy_from_slice(src);
                WasmEdge_Result::SUCCESS
            }
            None => fail(&Error::trap(TrapCode::MemoryOutOfBounds)),
        })
    }
    /// NULL unless `offset + length` is within the memory. The pointer stays valid until the memory
    /// grows (a pending memory's, until it is registered).
    fn WasmEdge_MemoryInstanceGetPointer(cxt: *mut MemoryInstance, offset: u32, length: u32) -> *mut u8 {
        let Some(m) = ffi::get_mut(cxt) else { return std::ptr::null_mut() };
        with_bytes_mut(m, |bytes| match range(offset, length, bytes.len()) {
            Some(r) => bytes[r].as_mut_ptr(),
            None => std::ptr::null_mut(),
        })
    }
    fn WasmEdge_MemoryInstanceGetPointerConst(cxt: *const MemoryInstance, offset: u32, length: u32) -> *const u8 {
        WasmEdge_MemoryInstanceGetPointer(cxt.cast_mut(), offset, length).cast_const()
    }
    fn WasmEdge_MemoryInstanceGetPageSize(cxt: *const MemoryInstance) -> u32 {
        let Some(m) = ffi::get(cxt) else { return 0 };
        match m {
            MemoryInstance::Pending { data, .. } => (data.len() / PAGE) as u32,
            MemoryInstance::Bound { world, mem, .. } => world.store.with(|s| mem.size(s)) as u32,
        }
    }
    /// "out of bounds memory access" past the maximum or the configured page limit, as WasmEdge.
    fn WasmEdge_MemoryInstanceGrowPage(cxt: *mut MemoryInstance, pages: u32) -> WasmEdge_Result {
        let Some(m) = ffi::get_mut(cxt) else { return err(code::WRONG_VM_WORKFLOW) };
        let grown = match m {
            MemoryInstance::Pending { ty, data } => {
                let now = (data.len() / PAGE) as u64;
                let max = if ty.limit.has_max { ty.limit.max as u64 } else { 65536 };
                if now + pages as u64 <= max {
                    data.resize(((now + pages as u64) as usize) * PAGE, 0);
                    true
                } else {
                    false
                }
            }
            MemoryInstance::Bound { world, mem, .. } => world.store.with(|s| mem.grow(s, pages as u64)).is_ok(),
        };
        if grown { WasmEdge_Result::SUCCESS } else { fail(&Error::trap(TrapCode::MemoryOutOfBounds)) }
    }
    /// Only memories made by `WasmEdge_MemoryInstanceCreate` and not added to a module may be deleted.
    fn WasmEdge_MemoryInstanceDelete(cxt: *mut MemoryInstance) {
        ffi::delete(cxt)
    }

    /// Elements start null; NULL unless the type is a reference type.
    fn WasmEdge_TableInstanceCreate(ty: *const TableTypeCtx) -> *mut TableInstance {
        let Some(ty) = ffi::get(ty) else { return std::ptr::null_mut() };
        let null = WasmEdge_Value::reference(ty.ref_type, std::ptr::null());
        ffi::into_raw(TableInstance::Pending { ty: *ty, elems: vec![null; ty.limit.min as usize] })
    }
    fn WasmEdge_TableInstanceCreateWithInit(ty: *const TableTypeCtx, init: WasmEdge_Value) -> *mut TableInstance {
        let Some(ty) = ffi::get(ty) else { return std::ptr::null_mut() };
        if !init.ty.is_ref() {
            return std::ptr::null_mut();
        }
        ffi::into_raw(TableInstance::Pending { ty: *ty, elems: vec![init; ty.limit.min as usize] })
    }
    fn WasmEdge_TableInstanceGetTableType(cxt: *const TableInstance) -> *const TableTypeCtx {
        let Some(t) = ffi::get(cxt) else { return std::ptr::null() };
        match t {
            TableInstance::Pending { ty, .. } => ty,
            TableInstance::Bound { world, table, ty } => {
                *ty.borrow_mut() = TableTypeCtx::from_host(world.store.with(|s| table.ty(s)));
                ty.as_ptr()
            }
        }
    }
    /// "out of bounds table access" past the end.
    fn WasmEdge_TableInstanceGetData(cxt: *const TableInstance, data: *mut WasmEdge_Value, offset: u32) -> WasmEdge_Result {
        let (Some(t), false) = (ffi::get(cxt), data.is_null()) else { return err(code::WRONG_VM_WORKFLOW) };
        let v = match t {
            TableInstance::Pending { elems, .. } => elems.get(offset as usize).copied(),
            TableInstance::Bound { world, table, .. } => world.store.with(|s| {
                let v = table.get(s, offset as u64)?;
                Some(val_from_host(world, s, v))
            }),
        };
        match v {
            Some(v) => {
                ffi::write_out(data, v);
                WasmEdge_Result::SUCCESS
            }
            None => fail(&Error::trap(TrapCode::TableOutOfBounds)),
        }
    }
    /// The value must be a reference of the table's kind ("reference type mismatch" otherwise).
    fn WasmEdge_TableInstanceSetData(cxt: *mut TableInstance, data: WasmEdge_Value, offset: u32) -> WasmEdge_Result {
        let Some(t) = ffi::get_mut(cxt) else { return err(code::WRONG_VM_WORKFLOW) };
        let want = match t {
            TableInstance::Pending { ty, .. } => ty.ref_type,
            TableInstance::Bound { ty, .. } => ty.borrow().ref_type,
        };
        if !data.ty.is_ref() || crate::value::is_func_ref(data.ty) != crate::value::is_func_ref(want) {
            return fail(&Error::host_code(0x40F, "reference type mismatch"));
        }
        let r = match t {
            TableInstance::Pending { elems, .. } => match elems.get_mut(offset as usize) {
                Some(slot) => {
                    *slot = data;
                    Ok(())
                }
                None => Err(Error::trap(TrapCode::TableOutOfBounds)),
            },
            TableInstance::Bound { world, table, .. } => world.store.with(|s| {
                let v = val_to_host(world, s, data)?;
                table.set(s, offset as u64, v)
            }),
        };
        match r {
            Ok(()) => WasmEdge_Result::SUCCESS,
            Err(e) => fail(&e),
        }
    }
    fn WasmEdge_TableInstanceGetSize(cxt: *const TableInstance) -> u32 {
        let Some(t) = ffi::get(cxt) else { return 0 };
        match t {
            TableInstance::Pending { elems, .. } => elems.len() as u32,
            TableInstance::Bound { world, table, .. } => world.store.with(|s| table.size(s)) as u32,
        }
    }
    /// New elements are null; "out of bounds table access" past the maximum.
    fn WasmEdge_TableInstanceGrow(cxt: *mut TableInstance, size: u32) -> WasmEdge_Result {
        let Some(t) = ffi::get_mut(cxt) else { return err(code::WRONG_VM_WORKFLOW) };
        let grown = match t {
            TableInstance::Pending { ty, elems } => {
                let max = if ty.limit.has_max { ty.limit.max as u64 } else { u32::MAX as u64 };
                if elems.len() as u64 + size as u64 <= max {
                    let null = WasmEdge_Value::reference(ty.ref_type, std::ptr::null());
                    elems.resize(elems.len() + size as usize, null);
                    true
                } else {
                    false
                }
            }
            TableInstance::Bound { world, table, .. } => world.store.with(|s| {
                let null = Val::default_for(table.ty(s).element);
                matches!(table.grow(s, size as u64, null), Ok(Some(_)))
            }),
        };
        if grown { WasmEdge_Result::SUCCESS } else { fail(&Error::trap(TrapCode::TableOutOfBounds)) }
    }
    fn WasmEdge_TableInstanceDelete(cxt: *mut TableInstance) {
        ffi::delete(cxt)
    }

    /// NULL when the value's type is not the global's.
    fn WasmEdge_GlobalInstanceCreate(ty: *const GlobalTypeCtx, value: WasmEdge_Value) -> *mut GlobalInstance {
        let Some(ty) = ffi::get(ty) else { return std::ptr::null_mut() };
        if !value.ty.same(ty.val_type) {
            return std::ptr::null_mut();
        }
        ffi::into_raw(GlobalInstance::Pending { ty: *ty, value })
    }
    fn WasmEdge_GlobalInstanceGetGlobalType(cxt: *const GlobalInstance) -> *const GlobalTypeCtx {
        let Some(g) = ffi::get(cxt) else { return std::ptr::null() };
        match g {
            GlobalInstance::Pending { ty, .. } | GlobalInstance::Bound { ty, .. } => ty,
        }
    }
    fn WasmEdge_GlobalInstanceGetValue(cxt: *const GlobalInstance) -> WasmEdge_Value {
        let Some(g) = ffi::get(cxt) else { return WasmEdge_Value::new(0, crate::value::I32) };
        match g {
            GlobalInstance::Pending { value, .. } => *value,
            GlobalInstance::Bound { world, global, .. } => world.store.with(|s| {
                let v = global.get(s);
                val_from_host(world, s, v)
            }),
        }
    }
    /// "set value into const" for an immutable global, "set value type mismatch" for a value of another
    /// type, as WasmEdge.
    fn WasmEdge_GlobalInstanceSetValue(cxt: *mut GlobalInstance, value: WasmEdge_Value) -> WasmEdge_Result {
        let Some(g) = ffi::get_mut(cxt) else { return err(code::WRONG_VM_WORKFLOW) };
        let ty = match g {
            GlobalInstance::Pending { ty, .. } | GlobalInstance::Bound { ty, .. } => *ty,
        };
        if ty.mutability != MUT_VAR {
            return fail(&Error::host_code(code::SET_VALUE_TO_CONST, "set value into const"));
        }
        if !value.ty.same(ty.val_type) {
            return fail(&Error::host_code(code::SET_VALUE_ERROR_TYPE, "set value type mismatch"));
        }
        let r = match g {
            GlobalInstance::Pending { value: v, .. } => {
                *v = value;
                Ok(())
            }
            GlobalInstance::Bound { world, global, .. } => world.store.with(|s| {
                let v = val_to_host(world, s, value)?;
                global.set(s, v)
            }),
        };
        match r {
            Ok(()) => WasmEdge_Result::SUCCESS,
            Err(e) => fail(&e),
        }
    }
    fn WasmEdge_GlobalInstanceDelete(cxt: *mut GlobalInstance) {
        ffi::delete(cxt)
    }

    /// Always NULL: no tags without exception handling.
    fn WasmEdge_TagInstanceGetTagType(cxt: *const c_void) -> *const c_void {
        let _ = cxt;
        std::ptr::null()
    }
    /// The executor that invoked the running function (NULL when the call did not come from one).
    fn WasmEdge_CallingFrameGetExecutor(cxt: *const CallingFrame) -> *mut Executor {
        ffi::get(cxt).map_or(std::ptr::null_mut(), |f| f.executor as *mut Executor)
    }
    /// The calling module's context, when an executor made it (NULL for a direct host call).
    fn WasmEdge_CallingFrameGetModuleInstance(cxt: *const CallingFrame) -> *const ModuleInstance {
        let Some(f) = ffi::get(cxt) else { return std::ptr::null() };
        let Some(instance) = f.instance else { return std::ptr::null() };
        f.world.store.with(|s| {
            s.data().instance_ctxs.iter().find(|(i, _)| *i == instance).map_or(std::ptr::null(), |&(_, p)| p as *const ModuleInstance)
        })
    }
    /// The calling module's memory `idx` (valid during the host call).
    fn WasmEdge_CallingFrameGetMemoryInstance(cxt: *const CallingFrame, idx: u32) -> *mut MemoryInstance {
        let Some(f) = ffi::get(cxt) else { return std::ptr::null_mut() };
        let Some(instance) = f.instance else { return std::ptr::null_mut() };
        let found = f.world.store.with(|s| instance.memory(s, idx).map(|m| (m, m.ty(s))));
        let Some((mem, ty)) = found else { return std::ptr::null_mut() };
        let mut ctx = Box::new(MemoryInstance::Bound { world: f.world.clone(), mem, ty: RefCell::new(MemoryTypeCtx::from_host(ty)) });
        let p: *mut MemoryInstance = &mut *ctx;
        f.memories.borrow_mut().push(ctx);
        p
    }
}

/// A host module that can still gain items.
fn addable<'a>(cxt: *mut ModuleInstance) -> Option<&'a ModuleInstance> {
    let m = ffi::get(cxt.cast_const())?;
    match &m.kind {
        ModKind::Host { world } if world.borrow().is_none() => Some(m),
        _ => None,
    }
}

fn list(m: &ModuleInstance, kind: u32, names: *mut WasmEdge_String, len: u32) -> u32 {
    // The names handed out are the keys of the module's own maps, which live as long as the module: give
    // an instantiated module's exports their contexts first.
    for n in m.names(kind) {
        match kind {
            EXTERNAL_FUNCTION => drop(m.find_func(&n)),
            EXTERNAL_MEMORY => drop(m.find_memory(&n)),
            EXTERNAL_TABLE => drop(m.find_table(&n)),
            _ => drop(m.find_global(&n)),
        }
    }
    let keys: Vec<WasmEdge_String> = match kind {
        EXTERNAL_FUNCTION => m.funcs.borrow().keys().map(|k| WasmEdge_String::wrap(k)).collect(),
        EXTERNAL_MEMORY => m.memories.borrow().keys().map(|k| WasmEdge_String::wrap(k)).collect(),
        EXTERNAL_TABLE => m.tables.borrow().keys().map(|k| WasmEdge_String::wrap(k)).collect(),
        _ => m.globals.borrow().keys().map(|k| WasmEdge_String::wrap(k)).collect(),
    };
    for (slot, k) in ffi::slice_mut(names, len).iter_mut().zip(&keys) {
        *slot = *k;
    }
    keys.len() as u32
}

fn pending_func(
    ty: &FunctionType,
    func: HostFn,
    data: *mut c_void,
    binding: *mut c_void,
    cost: u64,
) -> *mut FunctionInstance {
    ffi::into_raw(FunctionInstance {
        state: FuncState::Pending { host: CHost { func, data, binding }, cost, bound: RefCell::new(None) },
        ty: ty.clone(),
    })
}
