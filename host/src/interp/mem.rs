//! The interpreter's raw view of an instance: linear memory 0, globals, tables and function indices,
//! reached through the instance's [`VMContext`]. All unsafe code of the executor lives here.
//!
//! Invariants relied on: a `VMContext` and everything it points to is owned by the store and outlives the
//! execution; its arrays were sized from the module at instantiation, and indices come from validated code.

use crate::error::TrapCode;
use crate::vm::{VMContext, VMGlobal, VMMemory, VMTable};

/// Linear memory: base address and accessible length.
#[derive(Clone, Copy)]
pub(crate) struct Mem {
    base: *mut u8,
    len: usize,
}

impl Mem {
    pub const EMPTY: Mem = Mem { base: std::ptr::null_mut(), len: 0 };

    #[inline(always)]
    fn range(self, addr: u32, off: u32, n: usize) -> Result<usize, TrapCode> {
        let ea = addr as usize + off as usize;
        if ea.checked_add(n).is_some_and(|end| end <= self.len) {
            Ok(ea)
        } else {
            std::hint::cold_path();
            Err(TrapCode::MemoryOutOfBounds)
        }
    }

    /// Read `N` bytes at `addr + off`.
    #[inline(always)]
    pub fn load<const N: usize>(self, addr: u32, off: u32) -> Result<[u8; N], TrapCode> {
        let ea = self.range(addr, off, N)?;
        // SAFETY: [ea, ea + N) lies within the accessible `len` bytes at `base` (checked above).
        Ok(unsafe { std::ptr::read_unaligned(self.base.add(ea).cast::<[u8; N]>()) })
    }

    /// Write `N` bytes at `addr + off`.
    #[inline(always)]
    pub fn store<const N: usize>(self, addr: u32, off: u32, bytes: [u8; N]) -> Result<(), TrapCode> {
        let ea = self.range(addr, off, N)?;
        // SAFETY: as in `load`.
        unsafe { std::ptr::write_unaligned(self.base.add(ea).cast::<[u8; N]>(), bytes) };
        Ok(())
    }

    /// The accessible length in bytes.
    #[inline(always)]
    pub fn len(self) -> usize {
        self.len
    }

    /// The whole memory as a slice, for bulk operations.
    pub fn bytes<'a>(self) -> &'a mut [u8] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: `base..base+len` is the accessible part of the mapping; the executor creates this slice
        // only for the duration of one bulk operation, during which nothing else touches the memory.
        unsafe { std::slice::from_raw_parts_mut(self.base, self.len) }
    }
}

/// An instance's context, as seen by the executor.
#[derive(Clone, Copy)]
pub(crate) struct Ctx(*const VMContext);

impl Ctx {
    pub fn new(ctx: *const VMContext) -> Ctx {
        Ctx(ctx)
    }

    fn ctx(&self) -> &VMContext {
        // SAFETY: the context is owned by the store's instance and outlives the execution.
        unsafe { &*self.0 }
    }

    /// Memory 0's current base and length (empty without a memory).
    #[inline(always)]
    pub fn memory0(&self) -> Mem {
        let m = self.ctx().memory0;
        if m.is_null() {
            return Mem::EMPTY;
        }
        // SAFETY: a non-null `memory0` points at a live `VMMemory` of the store.
        let m: &VMMemory = unsafe { &*m };
        Mem { base: m.base, len: m.len }
    }

    /// Memory `m`'s current base and length.
    pub fn memory(&self, m: u32) -> Mem {
        if m == 0 {
            return self.memory0();
        }
        // SAFETY: `m` is a validated memory index; the array has one live `VMMemory` per memory.
        let m: &VMMemory = unsafe { &**self.ctx().memories.add(m as usize) };
        Mem { base: m.base, len: m.len }
    }

    #[inline(always)]
    fn global(&self, g: u32) -> *mut VMGlobal {
        // SAFETY: `g` is a validated global index; the array has one entry per global of the module.
        unsafe { *self.ctx().globals.add(g as usize) }
    }

    #[inline(always)]
    pub fn global_get(&self, g: u32) -> u128 {
        // SAFETY: the global lives in the store (see `global`).
        unsafe { (*self.global(g)).raw }
    }

    #[inline(always)]
    pub fn global_set(&self, g: u32, raw: u128) {
        // SAFETY: as in `global_get`; validation guarantees the global is mutable.
        unsafe { (*self.global(g)).raw = raw }
    }

    /// Global `g`'s storage, to keep at hand.
    pub fn global_ref(&self, g: u32) -> GlobalRef {
        GlobalRef(self.global(g))
    }

    /// The store function index of the module's function `f`.
    #[inline(always)]
    pub fn func(&self, f: u32) -> u32 {
        // SAFETY: `f` is a validated function index; the array has one entry per function of the module.
        unsafe { *self.ctx().funcs.add(f as usize) }
    }

    /// The engine type id of the module's type `ty`.
    #[inline(always)]
    pub fn type_id(&self, ty: u32) -> u32 {
        // SAFETY: `ty` is a validated type index; the array has one entry per type of the module.
        unsafe { *self.ctx().type_ids.add(ty as usize) }
    }

    /// Element `i` of table `t`, or `None` past its end.
    #[inline(always)]
    pub fn table_get(&self, t: u32, i: u32) -> Option<u64> {
        // SAFETY: `t` is a validated table index; the table's `base..base+len` are its live elements.
        unsafe {
            let table: &VMTable = &**self.ctx().tables.add(t as usize);
            if (i as usize) < table.len { Some(*table.base.add(i as usize)) } else { None }
        }
    }
}

/// One global's storage (from `Ctx::global_ref`), for one-slot globals; valid while the store lives.
#[derive(Clone, Copy)]
pub(crate) struct GlobalRef(*mut VMGlobal);

impl GlobalRef {
    /// No global (never dereferenced: only code of a module with globals reads it).
    pub const NONE: GlobalRef = GlobalRef(std::ptr::null_mut());

    #[inline(always)]
    pub fn get(self) -> u64 {
        // SAFETY: made by `Ctx::global_ref` for a global of the running instance, which lives in the store;
        // validated code reads it only when the module has that global.
        unsafe { (*self.0).raw as u64 }
    }

    #[inline(always)]
    pub fn set(self, raw: u64) {
        // SAFETY: as in `get`; validation guarantees the global is mutable.
        unsafe { (*self.0).raw = raw as u128 }
    }
}

/// The store's statistics counters, for the metering handlers.
#[derive(Clone, Copy)]
pub(crate) struct Counters(*mut crate::vm::VMStoreContext);

impl Counters {
    pub const NONE: Counters = Counters(std::ptr::null_mut());

    /// From the store's `vmstore` (a `VmBox`, made to be reached through raw pointers).
    pub fn new(counters: *mut crate::vm::VMStoreContext) -> Counters {
        Counters(counters)
    }

    /// Spend a block's gas; `false`, leaving no gas, when the block costs more than is left. With uniform
    /// costs this is the whole charge: the gas is also the instruction count.
    #[inline(always)]
    pub fn spend(self, gas: u32) -> bool {
        // SAFETY: set by `exec::execute` from the running store, which outlives the chain; no reference
        // to the counters is alive while a handler runs.
        let c = unsafe { &mut *self.0 };
        match c.gas_left.checked_sub(gas as u64) {
            Some(left) => {
                c.gas_left = left;
                true
            }
            None => {
                c.gas_left = 0;
                false
            }
        }
    }

    /// Count a block's instructions, for a cost table where they differ from the gas.
    #[inline(always)]
    pub fn count(self, count: u32) {
        // SAFETY: as in `spend`.
        let c = unsafe { &mut *self.0 };
        c.instruction_count += count as u64;
    }
}

/// The store the chain runs in, for handlers that reach functions, tables and instances.
///
/// A handler's arguments must fit in six registers, so the store travels inside `State` instead of as an
/// argument of its own. `exec::execute` sets it from the `&mut StoreInner` it is given, right before it runs
/// the chain, and the chain ends before `execute` returns; a handler is the only code using the store while
/// it runs, and the reference it takes ends with it.
#[derive(Clone, Copy)]
pub(crate) struct StorePtr(*mut crate::store::StoreInner);

impl StorePtr {
    pub const NONE: StorePtr = StorePtr(std::ptr::null_mut());

    pub fn new(s: &mut crate::store::StoreInner) -> StorePtr {
        StorePtr(s)
    }

    /// The store, for the running handler.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub fn get<'a>(self) -> &'a mut crate::store::StoreInner {
        // SAFETY: set by `execute` from an exclusive borrow that outlives the chain (type docs); only one
        // handler runs at a time and nothing else touches the store while it does.
        unsafe { &mut *self.0 }
    }
}

/// The current frame's registers: a pointer to slot 0 of the frame in the value stack.
///
/// Soundness rests on two facts established elsewhere and checked once per frame, not per access:
/// the translator sizes every function's frame (`CompiledFunc::frame_slots`) to cover every slot any of
/// its instructions touches (`Instr::slot_end`), and `Executor::prepare_frame` makes the value stack at
/// least `fp + frame_slots` long before a `Regs` is created for the frame. A `Regs` is re-created
/// whenever the value stack may have moved (after a call returns or the stack grows).
#[derive(Clone, Copy)]
pub(crate) struct Regs(*mut u64);

impl Regs {
    /// No frame (never dereferenced).
    #[cfg_attr(interp_tail_calls, allow(dead_code))]
    pub const NONE: Regs = Regs(std::ptr::null_mut());

    /// The registers of the frame at `fp` (bounds-checked once here).
    #[inline(always)]
    pub fn new(stack: &mut [u64], fp: usize) -> Regs {
        Regs(stack[fp..].as_mut_ptr())
    }

    /// The registers of the frame at `fp`, which the caller has checked lies within `stack` with all its
    /// slots (no second bounds check).
    #[inline(always)]
    pub fn within(stack: &mut [u64], fp: usize) -> Regs {
        Regs(stack.as_mut_ptr().wrapping_add(fp))
    }

    /// Zero slots `s..s + N` (one store of `N` slots, for the fast call entry).
    #[inline(always)]
    pub fn zero<const N: usize>(self, s: u32) {
        // SAFETY: as in `get`; the caller checked that the `N` slots are within the frame's room on the
        // stack (`CompiledFunc::fast_slots`).
        unsafe { (self.0.add(s as usize) as *mut [u64; N]).write([0; N]) }
    }

    #[inline(always)]
    pub fn get(self, s: u32) -> u64 {
        // SAFETY: `s` is below the frame's `frame_slots` and the stack holds the whole frame (type docs).
        unsafe { *self.0.add(s as usize) }
    }

    #[inline(always)]
    pub fn set(self, s: u32, v: u64) {
        // SAFETY: as in `get`.
        unsafe { *self.0.add(s as usize) = v }
    }

    #[inline(always)]
    pub fn get128(self, s: u32) -> u128 {
        self.get(s) as u128 | (self.get(s + 1) as u128) << 64
    }

    #[inline(always)]
    pub fn set128(self, s: u32, v: u128) {
        self.set(s, v as u64);
        self.set(s + 1, (v >> 64) as u64);
    }

    /// Copy `n` slots from `s` to `d` (the ranges may overlap).
    #[inline(always)]
    pub fn copy(self, d: u32, s: u32, n: u32) {
        // SAFETY: both ranges lie inside the frame (`slot_end` of `CopySpan`/`ReturnSpan` covers them);
        // `ptr::copy` allows overlap.
        unsafe { std::ptr::copy(self.0.add(s as usize), self.0.add(d as usize), n as usize) }
    }
}

/// One executable instruction: the instruction and its handler.
#[derive(Clone, Copy)]
pub(crate) struct Op {
    handler: super::exec::Handler,
    instr: super::ir::Instr,
}

impl Op {
    /// `instr` run by `handler`, which must be `exec::handler_of` it (see `exec::link` for the one
    /// exception).
    pub fn with_handler(instr: super::ir::Instr, handler: super::exec::Handler) -> Op {
        Op { handler, instr }
    }
}

/// The instruction pointer: the next `Op` to run.
///
/// The translator ends every function with `Unreachable`, checks that every branch target lies inside the
/// code, and only emits `Aux` and `br_table` entries right after the instruction that consumes them, so an
/// `Ip` the handlers compute (`next`, `add`, `jump`) never leaves the code before it is dereferenced.
#[derive(Clone, Copy)]
pub(crate) struct Ip(*const Op);

impl Ip {
    /// No instruction (for frames that never return through their `Ip`).
    pub const NONE: Ip = Ip(std::ptr::null());

    pub fn start(code: &[Op]) -> Ip {
        Ip(code.as_ptr())
    }

    /// The handler of the instruction at `self`.
    #[inline(always)]
    pub fn handler(self) -> super::exec::Handler {
        // SAFETY: `self` points at an `Op` of a function's code (type docs), which lives as long as the
        // store (see `exec::compiled`).
        unsafe { (*self.0).handler }
    }

    /// The instruction at `self`.
    #[inline(always)]
    pub fn instr<'a>(self) -> &'a super::ir::Instr {
        // SAFETY: as in `handler`.
        unsafe { &(*self.0).instr }
    }

    #[inline(always)]
    pub fn next(self) -> Ip {
        Ip(self.0.wrapping_add(1))
    }

    #[inline(always)]
    pub fn add(self, n: usize) -> Ip {
        Ip(self.0.wrapping_add(n))
    }

    /// The branch target `rel` bytes away: a signed distance, a whole number of `Op`s, as `exec::link`
    /// stores it.
    #[inline(always)]
    pub fn jump(self, rel: u32) -> Ip {
        Ip(self.0.wrapping_byte_offset(rel as i32 as isize))
    }
}

/// The host stack pointer, for the debug check that handlers tail-call.
#[cfg(interp_check_tail_calls)]
#[inline(always)]
pub(crate) fn stack_pointer() -> usize {
    let sp: usize;
    // SAFETY: reads a register; no memory access and no stack use.
    unsafe { std::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    sp
}
