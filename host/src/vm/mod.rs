//! The runtime data layout: memories, tables and globals, and the `#[repr(C)]` context through which code
//! reaches them.
//!
//! This is the one place that defines how instance state looks in memory. The interpreter reads memories,
//! globals and tables through a [`VMContext`] pointer, and native code from the compiler uses the same
//! structures at the offsets [`offsets`] reports (the translator reads no other layout fact). No locks, `Rc` or `RefCell` sit on this path: each
//! structure lives at a stable heap address owned by the [`crate::Store`] and is reached by raw pointer.

pub(crate) mod code;
mod mmap;
pub(crate) mod native;

use std::ptr::NonNull;

use crate::error::{Error, Result};
use crate::types::{GlobalType, MemoryType, TableType};

pub(crate) use mmap::Mmap;

/// Bytes in a WebAssembly page.
pub const PAGE_SIZE: u64 = 65536;

/// A linear memory as code sees it: base address and current length in bytes.
#[repr(C)]
#[derive(Debug)]
pub struct VMMemory {
    pub base: *mut u8,
    pub len: usize,
}

/// A global's storage: 16 bytes, enough for a `v128`; smaller values use the low bytes.
#[repr(C)]
#[derive(Debug)]
pub struct VMGlobal {
    pub raw: u128,
}

/// A table as code sees it: its elements (raw references, 0 = null) and their count.
#[repr(C)]
#[derive(Debug)]
pub struct VMTable {
    pub base: *mut u64,
    pub len: usize,
}

/// Everything an instance's code needs, one pointer away. Arrays are indexed by the module's own indices
/// (imports first).
#[repr(C)]
#[derive(Debug)]
pub struct VMContext {
    /// Memory 0, or null when the module has none: the hot path of every load and store.
    pub memory0: *mut VMMemory,
    pub memories: *const *mut VMMemory,
    pub globals: *const *mut VMGlobal,
    pub tables: *const *mut VMTable,
    /// The store's function index for each of the module's function indices.
    pub funcs: *const u32,
    /// The engine's type id for each of the module's type indices.
    pub type_ids: *const u32,
    /// The store's context, shared by all instances of the store.
    pub store: *mut VMStoreContext,
    /// How native code calls each imported function (null for instances without native code).
    pub func_imports: *const VMFuncImport,
    /// This instance's index in the store.
    pub instance: u32,
}

/// Per-store state that native code reads: the stack limit, the interrupt flag, the function references
/// behind `call_indirect`, and the runtime's builtin functions.
#[repr(C)]
#[derive(Debug)]
pub struct VMStoreContext {
    /// Native code traps with "call stack exhausted" when its stack pointer would go below this address.
    pub stack_limit: usize,
    /// The store's interrupt flag (an `AtomicBool`).
    pub interrupt: *const u8,
    /// One entry per store function, indexed by store function index; moves when functions are added, so
    /// code reloads it on every use.
    pub func_refs: *const VMFuncRef,
    /// The builtin functions of `native::BUILTINS`, by index.
    pub builtins: *const usize,
    /// Instructions executed so far, counted here (block by block, by both backends) only when a cost
    /// table makes the gas differ from the count; with uniform costs the count is the gas used.
    pub instruction_count: u64,
    /// Gas that may still be spent: the limit less the gas used. A block subtracts its cost, and traps
    /// leaving 0 when the cost is more than is left: one subtraction and one branch per block.
    pub gas_left: u64,
    /// The gas limit (`u64::MAX` without one); code never writes it.
    pub gas_limit: u64,
}

// SAFETY: the pointers point at objects owned by the same store (or at statics), which moves between
// threads as a whole.
unsafe impl Send for VMStoreContext {}

/// A function as native code calls it indirectly: its code and the first argument to pass it.
///
/// For a function with native code, `code` is its entry and `vmctx` its instance's context. For any other
/// function (host functions, functions of interpreted instances) `code` is null and `vmctx` holds the
/// store function index: the caller then goes through its host-call trampoline for the expected type.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VMFuncRef {
    pub code: *const u8,
    pub vmctx: *mut u8,
    pub type_id: u32,
}

// SAFETY: `code` points at immutable native code; `vmctx` at a context owned by the same store.
unsafe impl Send for VMFuncRef {}

/// How native code calls imported function `i`: `code(vmctx, caller_vmctx, args…)`.
///
/// For an import with native code, `code` is its entry and `vmctx` its instance's context; otherwise
/// `code` is the importing module's host-call trampoline for the import's type and `vmctx` holds the store
/// function index.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VMFuncImport {
    pub code: *const u8,
    pub vmctx: *mut u8,
}

// SAFETY: as for `VMFuncRef`.
unsafe impl Send for VMFuncImport {}

/// Field offsets of the layout, for code generators. A test checks them against the Rust definitions.
pub mod offsets {
    pub const MEMORY_BASE: usize = 0;
    pub const MEMORY_LEN: usize = 8;
    pub const TABLE_BASE: usize = 0;
    pub const TABLE_LEN: usize = 8;
    pub const CTX_MEMORY0: usize = 0;
    pub const CTX_MEMORIES: usize = 8;
    pub const CTX_GLOBALS: usize = 16;
    pub const CTX_TABLES: usize = 24;
    pub const CTX_FUNCS: usize = 32;
    pub const CTX_TYPE_IDS: usize = 40;
    pub const CTX_STORE: usize = 48;
    pub const CTX_FUNC_IMPORTS: usize = 56;
    pub const CTX_INSTANCE: usize = 64;
    pub const STORE_STACK_LIMIT: usize = 0;
    pub const STORE_INTERRUPT: usize = 8;
    pub const STORE_FUNC_REFS: usize = 16;
    pub const STORE_BUILTINS: usize = 24;
    pub const STORE_INSTRUCTION_COUNT: usize = 32;
    pub const STORE_GAS_LEFT: usize = 40;
    pub const STORE_GAS_LIMIT: usize = 48;
    pub const FUNC_REF_CODE: usize = 0;
    pub const FUNC_REF_VMCTX: usize = 8;
    pub const FUNC_REF_TYPE_ID: usize = 16;
    pub const FUNC_REF_SIZE: usize = 24;
    pub const FUNC_IMPORT_CODE: usize = 0;
    pub const FUNC_IMPORT_VMCTX: usize = 8;
    pub const FUNC_IMPORT_SIZE: usize = 16;
    pub const GLOBAL_SIZE: usize = 16;
    pub const TABLE_ELEM_SIZE: usize = 8;
}

/// An owned heap value reached through a raw pointer, so that code holding the pointer and the owner's
/// `&mut` accessors do not claim exclusive access to it at the same time.
pub(crate) struct VmBox<T>(NonNull<T>);

impl<T> VmBox<T> {
    pub fn new(value: T) -> Self {
        VmBox(NonNull::from(Box::leak(Box::new(value))))
    }

    pub fn as_ptr(&self) -> *mut T {
        self.0.as_ptr()
    }

    pub fn get(&self) -> &T {
        // SAFETY: the pointer came from a live Box that only `Drop` frees; the interpreter's raw accesses
        // never overlap a reference handed out here (both happen under the store's `&mut`).
        unsafe { self.0.as_ref() }
    }

    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: as in `get`, and `&mut self` makes this the only reference.
        unsafe { self.0.as_mut() }
    }
}

impl<T> Drop for VmBox<T> {
    fn drop(&mut self) {
        // SAFETY: created by `Box::leak` in `new` and freed only here.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

// SAFETY: a VmBox owns its value like a Box does.
unsafe impl<T: Send> Send for VmBox<T> {}

/// A linear memory instance.
pub(crate) struct Memory {
    vm: VmBox<VMMemory>,
    map: Mmap,
    pub ty: MemoryType,
    /// The most pages this memory may ever have: its declared maximum capped by the config.
    max_pages: u64,
}

// SAFETY: the raw pointers in `vm` point into `map`, which this value owns.
unsafe impl Send for Memory {}

impl Memory {
    pub fn new(ty: MemoryType, page_limit: u32) -> Result<Memory> {
        let max_pages = ty.limits.max.unwrap_or(65536).min(page_limit as u64);
        if ty.limits.min > max_pages {
            return Err(Error::instantiation(
                0x303,
                format!(
                    "memory needs {} pages but the limit is {max_pages} pages (--memory-page-limit)",
                    ty.limits.min
                ),
            ));
        }
        let accessible = (ty.limits.min * PAGE_SIZE) as usize;
        let reserve = if mmap::RESERVATION > 0 { mmap::RESERVATION } else { (max_pages * PAGE_SIZE) as usize };
        let map = Mmap::new(reserve, accessible)
            .map_err(|e| Error::instantiation(0x002, format!("cannot allocate linear memory: {e}")))?;
        let vm = VmBox::new(VMMemory { base: map.as_ptr(), len: accessible });
        Ok(Memory { vm, map, ty, max_pages })
    }

    pub fn vm_ptr(&self) -> *mut VMMemory {
        self.vm.as_ptr()
    }

    pub fn pages(&self) -> u64 {
        self.vm.get().len as u64 / PAGE_SIZE
    }

    /// Grow by `delta` pages; the old size in pages, or `None` if that would pass the limit.
    pub fn grow(&mut self, delta: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.max_pages {
            return None;
        }
        let len = (new * PAGE_SIZE) as usize;
        self.map.make_accessible(len).ok()?;
        self.vm.get_mut().len = len;
        Some(old)
    }

    pub fn data(&self) -> &[u8] {
        let vm = self.vm.get();
        // SAFETY: [base, base + len) is the accessible part of our mapping.
        unsafe { std::slice::from_raw_parts(vm.base, vm.len) }
    }

    pub fn data_mut(&mut self) -> &mut [u8] {
        let vm = self.vm.get_mut();
        // SAFETY: as in `data`; `&mut self` makes this the only reference.
        unsafe { std::slice::from_raw_parts_mut(vm.base, vm.len) }
    }

    /// The current type, with the minimum raised to the current size (for import matching).
    pub fn current_type(&self) -> MemoryType {
        let mut ty = self.ty;
        ty.limits.min = self.pages();
        ty
    }

    #[cfg(test)]
    pub fn reserved(&self) -> usize {
        self.map.reserved()
    }
}

/// The most elements any table may have; beyond it instantiation fails and `table.grow` returns -1.
pub(crate) const MAX_TABLE_ELEMENTS: u64 = 10_000_000;

/// A table instance; elements are raw references (0 = null, otherwise store index + 1).
pub(crate) struct Table {
    vm: VmBox<VMTable>,
    elems: Vec<u64>,
    pub ty: TableType,
}

// SAFETY: the raw pointer in `vm` points into `elems`, which this value owns.
unsafe impl Send for Table {}

impl Table {
    pub fn new(ty: TableType, init: u64) -> Result<Table> {
        let mut table = Table { vm: VmBox::new(VMTable { base: std::ptr::null_mut(), len: 0 }), elems: Vec::new(), ty };
        if table.grow(ty.limits.min, init).is_none() {
            return Err(Error::instantiation(
                0x304,
                format!("table of {} elements exceeds the limit of {MAX_TABLE_ELEMENTS}", ty.limits.min),
            ));
        }
        Ok(table)
    }

    pub fn vm_ptr(&self) -> *mut VMTable {
        self.vm.as_ptr()
    }

    pub fn elements(&self) -> &[u64] {
        &self.elems
    }

    pub fn elements_mut(&mut self) -> &mut [u64] {
        &mut self.elems
    }

    /// Grow by `delta` elements set to `init`; the old size, or `None` past the maximum or on allocation failure.
    pub fn grow(&mut self, delta: u64, init: u64) -> Option<u64> {
        let old = self.elems.len() as u64;
        let new = old.checked_add(delta)?;
        if new > self.ty.limits.max.unwrap_or(u32::MAX as u64).min(MAX_TABLE_ELEMENTS) {
            return None;
        }
        self.elems.try_reserve_exact(delta as usize).ok()?;
        self.elems.resize(new as usize, init);
        let vm = self.vm.get_mut();
        vm.base = self.elems.as_mut_ptr();
        vm.len = self.elems.len();
        Some(old)
    }

    pub fn current_type(&self) -> TableType {
        let mut ty = self.ty;
        ty.limits.min = self.elems.len() as u64;
        ty
    }
}

/// A global instance.
pub(crate) struct Global {
    vm: VmBox<VMGlobal>,
    pub ty: GlobalType,
}

impl Global {
    pub fn new(ty: GlobalType, raw: u128) -> Global {
        Global { vm: VmBox::new(VMGlobal { raw }), ty }
    }

    pub fn vm_ptr(&self) -> *mut VMGlobal {
        self.vm.as_ptr()
    }

    pub fn get(&self) -> u128 {
        self.vm.get().raw
    }

    pub fn set(&mut self, raw: u128) {
        self.vm.get_mut().raw = raw;
    }
}

#[cfg(test)]
mod tests {
    use std::mem::{offset_of, size_of};

    use super::*;
    use crate::types::Limits;

    #[test]
    fn layout_matches_offsets() {
        assert_eq!(offset_of!(VMMemory, base), offsets::MEMORY_BASE);
        assert_eq!(offset_of!(VMMemory, len), offsets::MEMORY_LEN);
        assert_eq!(offset_of!(VMTable, base), offsets::TABLE_BASE);
        assert_eq!(offset_of!(VMTable, len), offsets::TABLE_LEN);
        assert_eq!(offset_of!(VMContext, memory0), offsets::CTX_MEMORY0);
        assert_eq!(offset_of!(VMContext, memories), offsets::CTX_MEMORIES);
        assert_eq!(offset_of!(VMContext, globals), offsets::CTX_GLOBALS);
        assert_eq!(offset_of!(VMContext, tables), offsets::CTX_TABLES);
        assert_eq!(offset_of!(VMContext, funcs), offsets::CTX_FUNCS);
        assert_eq!(offset_of!(VMContext, type_ids), offsets::CTX_TYPE_IDS);
        assert_eq!(offset_of!(VMContext, store), offsets::CTX_STORE);
        assert_eq!(offset_of!(VMContext, func_imports), offsets::CTX_FUNC_IMPORTS);
        assert_eq!(offset_of!(VMContext, instance), offsets::CTX_INSTANCE);
        assert_eq!(offset_of!(VMStoreContext, stack_limit), offsets::STORE_STACK_LIMIT);
        assert_eq!(offset_of!(VMStoreContext, interrupt), offsets::STORE_INTERRUPT);
        assert_eq!(offset_of!(VMStoreContext, func_refs), offsets::STORE_FUNC_REFS);
        assert_eq!(offset_of!(VMStoreContext, builtins), offsets::STORE_BUILTINS);
        assert_eq!(offset_of!(VMStoreContext, instruction_count), offsets::STORE_INSTRUCTION_COUNT);
        assert_eq!(offset_of!(VMStoreContext, gas_left), offsets::STORE_GAS_LEFT);
        assert_eq!(offset_of!(VMStoreContext, gas_limit), offsets::STORE_GAS_LIMIT);
        assert_eq!(offset_of!(VMFuncRef, code), offsets::FUNC_REF_CODE);
        assert_eq!(offset_of!(VMFuncRef, vmctx), offsets::FUNC_REF_VMCTX);
        assert_eq!(offset_of!(VMFuncRef, type_id), offsets::FUNC_REF_TYPE_ID);
        assert_eq!(size_of::<VMFuncRef>(), offsets::FUNC_REF_SIZE);
        assert_eq!(offset_of!(VMFuncImport, code), offsets::FUNC_IMPORT_CODE);
        assert_eq!(offset_of!(VMFuncImport, vmctx), offsets::FUNC_IMPORT_VMCTX);
        assert_eq!(size_of::<VMFuncImport>(), offsets::FUNC_IMPORT_SIZE);
        assert_eq!(size_of::<VMGlobal>(), offsets::GLOBAL_SIZE);
        assert_eq!(size_of::<u64>(), offsets::TABLE_ELEM_SIZE);
        // The interrupt flag is read as one byte.
        assert_eq!(size_of::<std::sync::atomic::AtomicBool>(), 1);
    }

    #[test]
    fn memory_grows_up_to_its_limit() {
        let ty = MemoryType { limits: Limits { min: 1, max: Some(3) } };
        let mut m = Memory::new(ty, 65536).unwrap();
        let base = m.data().as_ptr();
        assert_eq!(m.grow(2), Some(1));
        assert_eq!(m.grow(1), None);
        assert_eq!(m.pages(), 3);
        assert_eq!(m.data().as_ptr(), base, "memory must not move when it grows");
        assert!(m.data().iter().all(|&b| b == 0));
        assert!(m.reserved() >= 3 * PAGE_SIZE as usize);
    }

    #[test]
    fn page_limit_caps_growth_and_instantiation() {
        let ty = MemoryType { limits: Limits { min: 1, max: None } };
        let mut m = Memory::new(ty, 2).unwrap();
        assert_eq!(m.grow(1), Some(1));
        assert_eq!(m.grow(1), None);
        let big = MemoryType { limits: Limits { min: 5, max: None } };
        assert!(Memory::new(big, 4).is_err());
    }

    #[test]
    fn absurd_table_is_an_error_not_an_abort() {
        let ty =
            TableType { element: crate::types::ValType::FuncRef, limits: Limits { min: u32::MAX as u64, max: None } };
        assert!(Table::new(ty, 0).is_err());
    }
}
