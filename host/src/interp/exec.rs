//! The execution engine: one handler function per instruction, chained by tail calls.
//!
//! Translated code is an array of [`Op`]s, each an instruction with the address of its handler. A handler
//! decodes its operands, does its work and ends by calling the next instruction's handler with the
//! interpreter's registers as arguments (`ip`, the frame's slots, linear memory 0's base and length, the
//! execution [`State`] and the store). Every handler ends in such a call in tail position, which an
//! optimising build turns into a plain jump: each instruction dispatches on its own, the registers stay in
//! machine registers, and no handler carries the register pressure of the others. This needs no special
//! compiler flag. Builds that do not optimise (`opt-level` 0 or 1, where LLVM makes no sibling calls) get the
//! same handlers driven by a loop instead (`build.rs` sets `interp_tail_calls` for the others).
//!
//! One chain runs every WebAssembly frame of a call: a wasm-to-wasm call pushes a [`Frame`] on an explicit
//! stack instead of recursing on the host's, so guest recursion is bounded only by the configured depth and
//! value-stack size and can never overflow the host stack. Frames share one value stack (`Vec<u64>`): a
//! callee's frame starts where the caller put the arguments. The chain stops ([`Done::Exit`]) to return to
//! the host, to trap, and to call a host function, which needs the typed `Store<T>` the handlers do not
//! have; the driver ([`run`]) makes that call and resumes the chain.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use super::ir::{Instr, Slot, acc, for_each_op};
use super::mem::{Counters, Ctx, GlobalRef, Ip, Mem, Op, Regs, StorePtr};
use super::{CompiledFunc, ops, panic_message, simd};
use crate::error::{Error, Result, TrapCode};
use crate::func::{Caller, HostFunc};
use crate::store::{FuncKind, Store, StoreInner};
use crate::types::{Func, Val, ValType};

/// A handler: runs the instruction at `ip` and everything after it until the chain exits.
/// A handler: the instruction at `Ip`, the frame's registers, memory, the executor state and the
/// accumulator (the raw bits of a value the previous instruction left for this one, see `ir::Acc`).
/// Six integer arguments: on the targets with tail calls all of them travel in registers.
pub(crate) type Handler = fn(Ip, Regs, Mem, &mut State, u64) -> Done;

/// How a handler chain ended; why is in [`State::exit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Done {
    Exit,
    /// Loop backend only: run the next instruction (in [`State::next`]).
    #[cfg_attr(interp_tail_calls, allow(dead_code))]
    Continue,
}

/// Why a chain exited.
enum Exit {
    /// The entry function returned.
    Returned,
    Trap(TrapCode),
    Error(Error),
    /// Call host function `func` (store index; `host` indexes the store's host functions) with arguments
    /// at slot `base` of the current frame, then continue at `resume` or, for a tail call, return.
    Host {
        func: u32,
        host: u32,
        base: u32,
        tail: bool,
        resume: Ip,
    },
}

/// A suspended caller, or the running function.
#[derive(Clone, Copy)]
struct Frame {
    func: *const CompiledFunc,
    /// Where the caller continues (unused for the running function).
    ret: Ip,
    fp: usize,
    inst: u32,
    def: u32,
}

/// A function about to be called: defined function `def` of instance `inst`, and its code.
#[derive(Clone, Copy)]
struct Callee {
    inst: u32,
    def: u32,
    code: *const CompiledFunc,
}

/// What the handlers share besides the registers they pass along.
/// How many of an instance's first globals `State` keeps at hand.
pub(super) const HOT_GLOBALS: usize = 4;

pub(crate) struct State {
    stack: Vec<u64>,
    frames: Vec<Frame>,
    /// How deep `enter_fast` may push `frames`: the call depth limit or the frame stack's capacity.
    frame_room: usize,
    cur: Frame,
    ctx: Ctx,
    /// The current instance's first `HOT_GLOBALS` globals (`GlobalRef::NONE` past the module's).
    hot_globals: [GlobalRef; HOT_GLOBALS],
    /// The current instance's module's code cells (see [`compiled`] for why the pointer stays valid).
    cells: *const [OnceLock<Arc<CompiledFunc>>],
    /// The memory the next memory instruction uses (0 except right after `SelectMem`).
    mem_idx: u32,
    max_depth: usize,
    max_slots: usize,
    interrupt: Arc<AtomicBool>,
    exit: Exit,
    /// The store, for the handlers (set by `execute`).
    store: StorePtr,
    /// The store's counters, for `Meter` (set by `execute`).
    counters: Counters,
    #[cfg(not(interp_tail_calls))]
    next: (Ip, Regs, Mem, u64),
    /// Dev and test builds check that the chain does not grow the host stack (that every handler tail-calls).
    #[cfg(interp_check_tail_calls)]
    sp_entry: usize,
}

// ---- dispatch ---------------------------------------------------------------------------------------------

/// Continue with the instruction at `$ip`.
#[cfg(interp_tail_calls)]
macro_rules! next {
    ($ip:expr, $r:expr, $m:expr, $st:expr, $acc:expr) => {{
        let (ip, r, m): (Ip, Regs, Mem) = ($ip, $r, $m);
        #[cfg(interp_check_tail_calls)]
        check_stack($st);
        return (ip.handler())(ip, r, m, $st, $acc);
    }};
}

#[cfg(not(interp_tail_calls))]
macro_rules! next {
    ($ip:expr, $r:expr, $m:expr, $st:expr, $acc:expr) => {{
        $st.next = ($ip, $r, $m, $acc);
        return Done::Continue;
    }};
}

/// Run the chain from `ip` until it exits.
#[cfg(interp_tail_calls)]
fn execute(ip: Ip, r: Regs, m: Mem, st: &mut State, s: &mut StoreInner) {
    st.counters = Counters::new(s.vmstore.as_ptr());
    st.store = StorePtr::new(s);
    #[cfg(interp_check_tail_calls)]
    {
        st.sp_entry = super::mem::stack_pointer();
    }
    let _ = (ip.handler())(ip, r, m, st, 0);
}

#[cfg(not(interp_tail_calls))]
fn execute(ip: Ip, r: Regs, m: Mem, st: &mut State, s: &mut StoreInner) {
    st.counters = Counters::new(s.vmstore.as_ptr());
    st.store = StorePtr::new(s);
    st.next = (ip, r, m, 0);
    loop {
        let (ip, r, m, acc) = st.next;
        if (ip.handler())(ip, r, m, st, acc) == Done::Exit {
            return;
        }
    }
}

#[cfg(interp_check_tail_calls)]
#[inline(always)]
fn check_stack(st: &State) {
    let used = st.sp_entry.wrapping_sub(super::mem::stack_pointer());
    if used >= 1 << 13 {
        stack_grew(used);
    }
}

/// Out of line, so that the check adds no stack temporaries to the handlers.
#[cfg(interp_check_tail_calls)]
#[cold]
#[inline(never)]
fn stack_grew(used: usize) -> ! {
    panic!("an interpreter handler did not tail-call the next one ({used} bytes of host stack)")
}

/// Bind the operands of the instruction at `$ip`, which is known to be `$pat`.
macro_rules! decode {
    ($ip:expr, $pat:pat) => {
        let $pat = *$ip.instr() else {
            // SAFETY: `handler_of` gives each variant its own handlers, and every handler decodes only its
            // own variant; an `Op`'s handler is `handler_of` of its instruction, except on a `Meter` in
            // mode `METER`, where it is the next instruction's handler in that mode, which decodes the
            // `Meter` (`charge_meter`) and then the next instruction (`link`).
            unsafe { std::hint::unreachable_unchecked() }
        };
    };
}

#[cold]
#[inline(never)]
fn trap(st: &mut State, code: TrapCode) -> Done {
    st.exit = Exit::Trap(code);
    Done::Exit
}

/// The entry function returned: end the chain (out of line, as `exit_to_host`).
#[inline(never)]
fn returned(st: &mut State) -> Done {
    st.exit = Exit::Returned;
    Done::Exit
}

/// Leave the chain for the driver to call a host function (out of line: replacing `State::exit` may drop
/// an error, which would weigh on the call handlers' register use).
#[inline(never)]
fn exit_to_host(st: &mut State, exit: Exit) -> Done {
    st.exit = exit;
    Done::Exit
}

#[cold]
#[inline(never)]
fn fail(st: &mut State, e: Error) -> Done {
    st.exit = Exit::Error(e);
    Done::Exit
}

/// Unwrap a `Result<_, TrapCode>` or trap.
macro_rules! t {
    ($st:expr, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(code) => {
                // Keeps the trap out of the straight line of the handler (LLVM otherwise puts it between a
                // memory handler's bounds check and its access, so every access took a branch around it).
                std::hint::cold_path();
                return trap($st, code);
            }
        }
    };
}

// ---- the state ------------------------------------------------------------------------------------------

/// The code of defined function `def` of instance `inst`, translating it on first use.
///
/// The pointer stays valid while the store lives: the code sits in an `Arc` in the module's `OnceLock`,
/// the module is held by the instance, and a store never drops instances.
fn compiled(s: &StoreInner, inst: u32, def: u32) -> Result<*const CompiledFunc> {
    Ok(Arc::as_ptr(s.instances[inst as usize].module.inner.interp_code(def as usize)?))
}

/// [`compiled`] for store function `func`, remembering the code in the function's entity.
#[cold]
#[inline(never)]
fn first_call(s: &StoreInner, func: u32, inst: u32, def: u32) -> Result<*const CompiledFunc> {
    let code = s.instances[inst as usize].module.inner.interp_code(def as usize)?;
    let _ = s.funcs[func as usize].code.set(code.clone());
    Ok(Arc::as_ptr(code))
}

fn func_name(s: &StoreInner, inst: u32, def: u32) -> String {
    let module = &s.instances[inst as usize].module.inner;
    module.func_name(module.num_imported_funcs + def)
}

impl State {
    /// Make instance `inst` the current one (context and code cells). Out of line: only calls and returns
    /// between instances come here, and inlined it would cost every return registers to spill.
    #[inline(never)]
    fn enter_instance(&mut self, s: &StoreInner, inst: u32) {
        let data = &s.instances[inst as usize];
        self.ctx = Ctx::new(data.vmctx.as_ptr());
        let n = data.module.inner.globals.len().min(HOT_GLOBALS);
        self.hot_globals = [GlobalRef::NONE; HOT_GLOBALS];
        for g in 0..n {
            self.hot_globals[g] = self.ctx.global_ref(g as u32);
        }
        self.cells = &data.module.inner.code[..] as *const [OnceLock<Arc<CompiledFunc>>];
    }

    /// The running function's code.
    #[inline(always)]
    fn func(&self) -> &CompiledFunc {
        // SAFETY: see `compiled`.
        unsafe { &*self.cur.func }
    }

    /// The code of defined function `def` of the current instance.
    #[inline(always)]
    fn local_code(&self, s: &StoreInner, def: u32) -> Result<*const CompiledFunc> {
        // SAFETY: `cells` points into the current instance's module, alive while the store is (`compiled`).
        let cells = unsafe { &*self.cells };
        match cells.get(def as usize).and_then(|c| c.get()) {
            Some(code) => Ok(Arc::as_ptr(code)),
            None => compiled(s, self.cur.inst, def),
        }
    }

    /// Make room for a frame at `fp` and zero its declared locals.
    #[inline(always)]
    fn prepare_frame(&mut self, fp: usize, f: &CompiledFunc) -> Result<Regs, TrapCode> {
        let need = fp + f.frame_slots as usize;
        if need > self.stack.len() {
            self.grow_stack(need)?;
        }
        let locals = fp + f.param_slots as usize..fp + f.local_slots as usize;
        self.stack[locals].fill(0);
        Ok(Regs::new(&mut self.stack, fp))
    }

    #[cold]
    #[inline(never)]
    fn grow_stack(&mut self, need: usize) -> Result<(), TrapCode> {
        if need > self.max_slots {
            return Err(TrapCode::CallStackExhausted);
        }
        let len = need.max(self.stack.len() * 2).max(1024).min(self.max_slots);
        self.stack.resize(len, 0);
        Ok(())
    }

    /// Make `callee` the running function, with its frame at `fp`; returns where it starts.
    #[inline(always)]
    fn switch_to(&mut self, s: &StoreInner, m: Mem, callee: Callee, fp: usize) -> Result<(Ip, Regs, Mem), TrapCode> {
        let Callee { inst, def, code } = callee;
        let mut m = m;
        if inst != self.cur.inst {
            self.enter_instance(s, inst);
            m = self.ctx.memory0();
        }
        self.cur = Frame { func: code, ret: Ip::NONE, fp, inst, def };
        // SAFETY: see `compiled`.
        let f = unsafe { &*code };
        let r = self.prepare_frame(fp, f)?;
        Ok((Ip::start(&f.code), r, m))
    }

    /// Call `callee` with its arguments at `base`, returning to `ip`'s successor.
    #[inline(always)]
    fn enter(
        &mut self,
        s: &StoreInner,
        ip: Ip,
        m: Mem,
        callee: Callee,
        base: u32,
    ) -> Result<(Ip, Regs, Mem), TrapCode> {
        if self.frames.len() >= self.max_depth {
            return Err(TrapCode::CallStackExhausted);
        }
        self.frames.push(Frame { ret: ip.next(), ..self.cur });
        self.frame_room = self.max_depth.min(self.frames.capacity());
        let fp = self.cur.fp + base as usize;
        self.switch_to(s, m, callee, fp)
    }

    /// `enter` for the common case, with nothing that calls out (so the call handlers need few registers):
    /// a callee of the current instance whose frame, with room to zero its locals in one store
    /// (`CompiledFunc::fast_slots`), fits on the value stack, and room on the frame stack without growing
    /// it. `None` when any of that fails.
    #[inline(always)]
    fn enter_fast(&mut self, ip: Ip, code: *const CompiledFunc, def: u32, base: u32) -> Option<(Ip, Regs)> {
        // SAFETY: see `compiled`.
        let f = unsafe { &*code };
        let fp = self.cur.fp + base as usize;
        let depth = self.frames.len();
        if depth >= self.frame_room || fp + f.fast_slots as usize > self.stack.len() {
            return None;
        }
        // SAFETY: `depth < frame_room <= frames.capacity()`, so the frame fits without reallocating.
        unsafe {
            self.frames.as_mut_ptr().add(depth).write(Frame { ret: ip.next(), ..self.cur });
            self.frames.set_len(depth + 1);
        }
        let r = Regs::within(&mut self.stack, fp);
        r.zero::<{ CompiledFunc::FAST_LOCALS as usize }>(f.param_slots);
        self.cur = Frame { func: code, ret: Ip::NONE, fp, inst: self.cur.inst, def };
        Some((Ip::start(&f.code), r))
    }

    /// Replace the running function by `callee`, whose arguments are at `base` (a tail call).
    #[inline(always)]
    fn tail_to(
        &mut self,
        s: &StoreInner,
        r: Regs,
        m: Mem,
        callee: Callee,
        base: u32,
    ) -> Result<(Ip, Regs, Mem), TrapCode> {
        // SAFETY: see `compiled`.
        let n = unsafe { (*callee.code).param_slots };
        r.copy(0, base, n);
        let fp = self.cur.fp;
        self.switch_to(s, m, callee, fp)
    }

    /// Return to `caller`, a frame of the current instance.
    #[inline(always)]
    fn resume_local(&mut self, caller: Frame) -> (Ip, Regs, Mem) {
        self.cur = caller;
        // The caller's frame fitted on the stack when it was entered, and the stack never shrinks during
        // a run. The callee may have grown the memory.
        (caller.ret, Regs::within(&mut self.stack, caller.fp), self.ctx.memory0())
    }

    /// Return to `caller`.
    #[inline(always)]
    fn resume(&mut self, s: &StoreInner, caller: Frame) -> (Ip, Regs, Mem) {
        if caller.inst != self.cur.inst {
            self.enter_instance(s, caller.inst);
        }
        self.cur = caller;
        // The callee may have grown the memory.
        (caller.ret, Regs::new(&mut self.stack, caller.fp), self.ctx.memory0())
    }
}

// ---- the driver -------------------------------------------------------------------------------------------

/// Read a value of type `ty` from the slots at `at`.
fn read_val(stack: &[u64], at: usize, ty: ValType) -> Val {
    let raw = if ty == ValType::V128 { stack[at] as u128 | (stack[at + 1] as u128) << 64 } else { stack[at] as u128 };
    Val::from_raw(ty, raw)
}

/// Write `val` to the slots at `at`.
fn write_val(stack: &mut [u64], at: usize, val: Val) {
    let raw = val.to_raw();
    stack[at] = raw as u64;
    if val.ty() == ValType::V128 {
        stack[at + 1] = (raw >> 64) as u64;
    }
}

/// Call a host function, turning a panic into a trap and checking the result types.
pub(crate) fn call_host<T>(
    host: &HostFunc<T>,
    store: &mut Store<T>,
    instance: Option<u32>,
    args: &[Val],
    results: &mut [Val],
) -> Result<()> {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // The expected result types, without allocating for the usual few results.
        let mut inline = [ValType::I32; 8];
        let heap: Vec<ValType>;
        let expected: &[ValType] = if results.len() <= inline.len() {
            for (e, v) in inline.iter_mut().zip(results.iter()) {
                *e = v.ty();
            }
            &inline[..results.len()]
        } else {
            heap = results.iter().map(|v| v.ty()).collect();
            &heap
        };
        host(Caller { store, instance }, args, results)?;
        if results.iter().zip(expected).any(|(v, &t)| v.ty() != t) {
            return Err(Error::host("host function returned values of the wrong type"));
        }
        Ok(())
    }));
    match outcome {
        Ok(result) => result,
        Err(panic) => Err(Error::host(format!("host function panicked: {}", panic_message(&*panic)))),
    }
}

/// Run wasm function `func` with `params`, writing `results`, on the value stack `stack`.
pub(crate) fn run<T>(
    store: &mut Store<T>,
    stack: &mut Vec<u64>,
    func: Func,
    params: &[Val],
    results: &mut [Val],
) -> Result<()> {
    let FuncKind::Wasm { instance, def } = store.inner.funcs[func.0 as usize].kind else {
        unreachable!("host functions are called directly")
    };
    let config = store.inner.engine.config();
    let mut st = State {
        stack: std::mem::take(stack),
        frames: Vec::new(),
        frame_room: 0,
        cur: Frame { func: std::ptr::null(), ret: Ip::NONE, fp: 0, inst: instance, def },
        ctx: Ctx::new(std::ptr::null()),
        hot_globals: [GlobalRef::NONE; HOT_GLOBALS],
        cells: &[] as *const [OnceLock<Arc<CompiledFunc>>],
        mem_idx: 0,
        max_depth: config.max_call_depth as usize,
        max_slots: config.max_stack_slots as usize,
        interrupt: store.inner.interrupt.clone(),
        exit: Exit::Returned,
        store: StorePtr::NONE,
        counters: Counters::NONE,
        #[cfg(not(interp_tail_calls))]
        next: (Ip::NONE, Regs::NONE, Mem::EMPTY, 0),
        #[cfg(interp_check_tail_calls)]
        sp_entry: 0,
    };
    let outcome = drive(store, &mut st, instance, def, params, results);
    *stack = std::mem::take(&mut st.stack);
    outcome
}

fn drive<T>(
    store: &mut Store<T>,
    st: &mut State,
    instance: u32,
    def: u32,
    params: &[Val],
    results: &mut [Val],
) -> Result<()> {
    let entry = compiled(&store.inner, instance, def)?;
    st.enter_instance(&store.inner, instance);
    st.cur.func = entry;
    // SAFETY: see `compiled`.
    let f = unsafe { &*entry };
    st.prepare_frame(0, f).map_err(|c| Error::trap(c).with_function(func_name(&store.inner, instance, def)))?;
    let mut at = 0;
    for &p in params {
        write_val(&mut st.stack, at, p);
        at += p.ty().slots() as usize;
    }
    let mut next = (Ip::start(&f.code), Regs::new(&mut st.stack, 0), st.ctx.memory0());
    loop {
        execute(next.0, next.1, next.2, st, &mut store.inner);
        match std::mem::replace(&mut st.exit, Exit::Returned) {
            Exit::Returned => break,
            Exit::Trap(code) => {
                return Err(Error::trap(code).with_function(func_name(&store.inner, st.cur.inst, st.cur.def)));
            }
            Exit::Error(e) => return Err(e),
            Exit::Host { func, host, base, tail, resume } => {
                let (inst, def) = (st.cur.inst, st.cur.def);
                if let Err(e) = call_host_at(store, st, base, func, host) {
                    return Err(e.with_function(func_name(&store.inner, inst, def)));
                }
                if tail {
                    let n = store.inner.funcs[func as usize].ty.result_slots();
                    Regs::new(&mut st.stack, st.cur.fp).copy(0, base, n);
                    match st.frames.pop() {
                        None => break,
                        Some(caller) => next = st.resume(&store.inner, caller),
                    }
                } else {
                    // The host function may have grown the memory.
                    next = (resume, Regs::new(&mut st.stack, st.cur.fp), st.ctx.memory0());
                }
            }
        }
    }
    let mut at = 0;
    for r in results.iter_mut() {
        *r = read_val(&st.stack, at, r.ty());
        at += r.ty().slots() as usize;
    }
    Ok(())
}

/// Call host function `func` (store index) with arguments at slot `base` of the current frame; results
/// replace them.
fn call_host_at<T>(store: &mut Store<T>, st: &mut State, base: u32, func: u32, host: u32) -> Result<()> {
    const INLINE: usize = 8;
    let ty = store.inner.funcs[func as usize].ty.clone();
    let (np, nr) = (ty.params().len(), ty.results().len());
    let at = st.cur.fp + base as usize;
    // Up to eight arguments and results live on the host stack: no allocation per call.
    let mut args_inline = [Val::I32(0); INLINE];
    let mut results_inline = [Val::I32(0); INLINE];
    let mut args_heap = Vec::new();
    let mut results_heap = Vec::new();
    let args: &mut [Val] = if np <= INLINE {
        &mut args_inline[..np]
    } else {
        args_heap.resize(np, Val::I32(0));
        &mut args_heap
    };
    let results: &mut [Val] = if nr <= INLINE {
        &mut results_inline[..nr]
    } else {
        results_heap.resize(nr, Val::I32(0));
        &mut results_heap
    };
    let mut k = at;
    for (a, &p) in args.iter_mut().zip(ty.params()) {
        *a = read_val(&st.stack, k, p);
        k += p.slots() as usize;
    }
    for (r, &t) in results.iter_mut().zip(ty.results()) {
        *r = Val::default_for(t);
    }
    let host = store.hosts[host as usize].clone();
    let inst = Some(st.cur.inst);
    if store.inner.engine.config().measure_host_time {
        let start = std::time::Instant::now();
        let outcome = call_host(&host, store, inst, args, results);
        store.inner.host_time += start.elapsed();
        outcome?;
    } else {
        call_host(&host, store, inst, args, results)?;
    }
    let mut k = at;
    for &r in results.iter() {
        write_val(&mut st.stack, k, r);
        k += r.ty().slots() as usize;
    }
    Ok(())
}

// ---- helpers of the handlers ------------------------------------------------------------------------------

/// Read `n` (1, 2, 4, 8 or 16) bytes into the front of a 16-byte buffer.
fn load_bytes(mem: Mem, addr: u32, off: u32, n: usize) -> Result<[u8; 16], TrapCode> {
    let mut out = [0u8; 16];
    match n {
        1 => out[..1].copy_from_slice(&mem.load::<1>(addr, off)?),
        2 => out[..2].copy_from_slice(&mem.load::<2>(addr, off)?),
        4 => out[..4].copy_from_slice(&mem.load::<4>(addr, off)?),
        8 => out[..8].copy_from_slice(&mem.load::<8>(addr, off)?),
        _ => out = mem.load::<16>(addr, off)?,
    }
    Ok(out)
}

/// The store function behind `call_indirect`: bounds, null and signature checks.
#[inline(always)]
fn indirect_target(s: &StoreInner, ctx: Ctx, table: u32, index: u32, ty: u32) -> Result<u32, TrapCode> {
    let raw = ctx.table_get(table, index).ok_or(TrapCode::UndefinedElement)?;
    let func = s.func_raw(raw).ok_or(TrapCode::UninitializedElement)?;
    if s.funcs[func as usize].type_id != ctx.type_id(ty) {
        return Err(TrapCode::IndirectCallTypeMismatch);
    }
    Ok(func)
}

fn table_mut(s: &mut StoreInner, inst: u32, t: u32) -> &mut crate::vm::Table {
    let idx = s.instances[inst as usize].tables[t as usize];
    &mut s.tables[idx as usize]
}

fn table_copy(s: &mut StoreInner, inst: u32, dst: u32, src: u32, d: u32, sr: u32, n: u32) -> Result<(), TrapCode> {
    let tables = &s.instances[inst as usize].tables;
    let (dst, src) = (tables[dst as usize] as usize, tables[src as usize] as usize);
    if dst == src {
        return bulk::copy_within(s.tables[dst].elements_mut(), d, sr, n).map_err(|_| TrapCode::TableOutOfBounds);
    }
    let source: Vec<u64> = s.tables[src].elements().to_vec();
    bulk::init(s.tables[dst].elements_mut(), &source, d, sr, n, TrapCode::TableOutOfBounds)
}

/// `call` of a function of this module when `enter_fast` cannot: the first call, a frame stack at its
/// capacity or limit, a value stack to grow, many locals.
#[inline(never)]
fn call_slow(ip: Ip, _r: Regs, m: Mem, st: &mut State, s: &mut StoreInner) -> Done {
    decode!(ip, Instr::Call { f: def, base });
    let callee = match st.local_code(s, def) {
        Ok(c) => c,
        Err(e) => return fail(st, e),
    };
    let inst = st.cur.inst;
    let (ip, r, m) = t!(st, st.enter(s, ip, m, Callee { inst, def, code: callee }, base));
    next!(ip, r, m, st, 0)
}

/// The callee of an indirect call through element `index` of table `table`, in the common case that
/// `enter_fast` takes: a wasm function of the current instance, of type `ty`, already translated. `None`
/// otherwise, for `call_indirect_slow` to find out which trap or which other kind of call it is. (It makes
/// `indirect_target`'s checks without their error values: built on `indirect_target`, `dispatch` ran 3
/// more machine instructions per `call_indirect` under callgrind.)
#[inline(always)]
fn indirect_local(st: &State, s: &StoreInner, table: u32, index: u32, ty: u32) -> Option<(*const CompiledFunc, u32)> {
    let func = s.func_raw(st.ctx.table_get(table, index)?)?;
    let entity = s.funcs.get(func as usize)?;
    match entity.kind {
        FuncKind::Wasm { instance, def } if instance == st.cur.inst && entity.type_id == st.ctx.type_id(ty) => {
            entity.code.get().map(|code| (Arc::as_ptr(code), def))
        }
        _ => None,
    }
}

/// `call_indirect` (`CallIndirect` or `CallIndirectT` at `ip`) in every case: traps, host functions,
/// other instances, first calls, and whatever `enter_fast` declines. Out of line, as `call_slow`.
#[inline(never)]
fn call_indirect_slow(ip: Ip, r: Regs, m: Mem, st: &mut State, s: &mut StoreInner) -> Done {
    let (ty, i, base, table, at) = match *ip.instr() {
        Instr::CallIndirect { ty, i, base } => (ty, i, base, 0, ip),
        // Return after the immediate.
        Instr::CallIndirectT { ty, i, base } => (ty, i, base, aux(ip), ip.next()),
        ref other => unreachable!("call_indirect_slow on {other:?}"),
    };
    let func = t!(st, indirect_target(s, st.ctx, table, r.get(i) as u32, ty));
    call_store_func(at, r, m, st, s, func, base, false)
}

/// Call store function `func` with arguments at `base` (as a tail call if `tail`).
#[inline(always)]
#[allow(clippy::too_many_arguments)] // a handler's five registers and the call's three operands
fn call_store_func(
    ip: Ip,
    r: Regs,
    m: Mem,
    st: &mut State,
    s: &mut StoreInner,
    func: u32,
    base: u32,
    tail: bool,
) -> Done {
    let entity = &s.funcs[func as usize];
    match entity.kind {
        FuncKind::Wasm { instance, def } => {
            let callee = match entity.code.get() {
                Some(code) => Arc::as_ptr(code),
                None => match first_call(s, func, instance, def) {
                    Ok(c) => c,
                    Err(e) => return fail(st, e),
                },
            };
            if !tail
                && instance == st.cur.inst
                && let Some((ip, r)) = st.enter_fast(ip, callee, def, base)
            {
                next!(ip, r, m, st, 0)
            }
            let next = if tail {
                st.tail_to(s, r, m, Callee { inst: instance, def, code: callee }, base)
            } else {
                st.enter(s, ip, m, Callee { inst: instance, def, code: callee }, base)
            };
            let (ip, r, m) = t!(st, next);
            next!(ip, r, m, st, 0)
        }
        FuncKind::Host { host } => exit_to_host(st, Exit::Host { func, host, base, tail, resume: ip.next() }),
    }
}

/// Bounds-checked bulk operations shared by memories and tables (and by the compiler's builtins).
pub(crate) mod bulk {
    use crate::error::TrapCode;

    fn range(len: usize, start: u32, n: u32) -> Option<std::ops::Range<usize>> {
        let end = start as usize + n as usize;
        (end <= len).then_some(start as usize..end)
    }

    pub fn fill<E: Copy>(items: &mut [E], dst: u32, val: E, n: u32) -> Result<(), TrapCode> {
        let r = range(items.len(), dst, n).ok_or(TrapCode::MemoryOutOfBounds)?;
        items[r].fill(val);
        Ok(())
    }

    pub fn copy_within<E: Copy>(items: &mut [E], dst: u32, src: u32, n: u32) -> Result<(), TrapCode> {
        let s = range(items.len(), src, n).ok_or(TrapCode::MemoryOutOfBounds)?;
        range(items.len(), dst, n).ok_or(TrapCode::MemoryOutOfBounds)?;
        items.copy_within(s, dst as usize);
        Ok(())
    }

    pub fn init<E: Copy>(
        items: &mut [E],
        from: &[E],
        dst: u32,
        src: u32,
        n: u32,
        trap: TrapCode,
    ) -> Result<(), TrapCode> {
        let s = range(from.len(), src, n).ok_or(trap)?;
        let d = range(items.len(), dst, n).ok_or(trap)?;
        items[d].copy_from_slice(&from[s]);
        Ok(())
    }
}

// ---- the handlers -----------------------------------------------------------------------------------------

/// Define handlers: `name(ip, r, m, st, s, acc) { body }` where the body decodes its instruction and ends in
/// `next!` or an exit.
macro_rules! handlers {
    ($( $name:ident $(<$mode:ident>)? ($ip:ident, $r:ident, $m:ident, $st:ident, $s:ident, $acc:ident) $body:block )*) => {
        $(
            #[allow(non_snake_case, unused_variables, unused_mut)]
            pub(super) fn $name $(<const $mode: u8>)? (
                $ip: Ip,
                mut $r: Regs,
                mut $m: Mem,
                $st: &mut State,
                $acc: u64,
            ) -> Done {
                let $s: &mut StoreInner = $st.store.get();
                // In mode `METER` this handler sits on a block's `Meter`: charge it, then run the
                // instruction after it.
                $(
                    let $ip = if $mode & acc::METER != 0 {
                        if let Err(done) = charge_meter($ip, $st) {
                            return done;
                        }
                        $ip.next()
                    } else {
                        $ip
                    };
                )?
                $body
            }
        )*
    };
}

/// The loop-latch handlers (`ir::fuse_step`): `x += step`, then branch when compare-branch condition `C`
/// (the `branch` table's number) holds for `x` and the right-hand side. `imm(e)` is an immediate,
/// `slot(s)` a frame slot. They end in two tail calls, not one through a conditional move: the next
/// handler's address must not wait for the comparison. In mode `A` (`loops::carry_induction`) the old
/// `x` comes from the accumulator and the new one goes there as well as to its slot, so that the
/// loop-carried value never waits for a store to reach a load.
macro_rules! latch_handlers {
    ($( $name:ident { $($field:ident),* } => $sk:ident($sv:expr), $rk:ident($rv:expr); )*) => {
        $(
            #[allow(non_snake_case)]
            pub(super) fn $name<const C: u8, const M: u8>(ip: Ip, r: Regs, m: Mem, st: &mut State, acc: u64) -> Done {
                decode!(ip, Instr::$name { x, $($field,)* t, .. });
                let v = (operand!(M, acc::A, r, x as u32, acc) as i32).wrapping_add(latch_operand!(r, $sk($sv)));
                r.set(x as u32, v.to_slot());
                let acc = if M & acc::A != 0 { v.to_slot() } else { acc };
                if holds::<C>(v, latch_operand!(r, $rk($rv))) {
                    next!(ip.jump(t), r, m, st, acc)
                }
                // A latch closes a loop: going round is the straight line, leaving it the branch.
                std::hint::cold_path();
                next!(ip.next(), r, m, st, acc)
            }
        )*
    };
}

/// An operand of a latch handler: an immediate, or the i32 in a 16-bit frame slot.
macro_rules! latch_operand {
    ($r:ident, imm($v:expr)) => {
        $v as i32
    };
    ($r:ident, slot($s:expr)) => {
        $r.get($s as u32) as i32
    };
}

/// Operand `slot` of a handler in accumulator mode `$mode`: the accumulator when the mode has `$bit`.
macro_rules! operand {
    ($mode:ident, $bit:expr, $r:expr, $slot:expr, $acc:expr) => {
        if $mode & $bit != 0 { $acc } else { $r.get($slot) }
    };
}

/// Deliver result `$v` (raw slot bits): to the accumulator in mode `OUT`, else to slot `$d`; continue.
macro_rules! deliver {
    ($mode:ident, $v:expr, $d:expr, $ip:expr, $r:expr, $m:expr, $st:expr, $acc:expr) => {{
        let v: u64 = $v;
        if $mode & acc::OUT != 0 {
            next!($ip, $r, $m, $st, v)
        }
        $r.set($d, v);
        next!($ip, $r, $m, $st, $acc)
    }};
}

/// The handler of generic handler `$f` for accumulator mode `$mode`, among the modes `$k` it supports.
macro_rules! with_mode {
    ($f:ident, $mode:expr, [$($k:literal),*]) => {
        match $mode {
            $( $k => Some($f::<$k> as Handler), )*
            $( m if m == $k | acc::METER => Some($f::<{ $k | acc::METER }> as Handler), )*
            _ => None,
        }
    };
}

/// The handler of latch `$f` for compare-branch condition `$cond`, in mode 0 or `A`.
macro_rules! with_cond {
    ($f:ident, $cond:expr, $mode:expr, [$($k:literal),*]) => {
        match ($cond, $mode) {
            $( ($k, 0) => Some($f::<$k, 0> as Handler), )*
            $( ($k, acc::A) => Some($f::<$k, { acc::A }> as Handler), )*
            _ => None,
        }
    };
}

/// A handler without modes, for mode 0 only.
fn plain(mode: u8, handler: Handler) -> Option<Handler> {
    (mode == 0).then_some(handler)
}

/// Charge the `Meter` at `ip`: spend its gas, trapping when the block costs more than is left.
#[inline(always)]
fn charge_meter(ip: Ip, st: &mut State) -> Result<(), Done> {
    decode!(ip, Instr::Meter { gas });
    if st.counters.spend(gas) { Ok(()) } else { Err(trap(st, TrapCode::CostLimitExceeded)) }
}

/// Handlers of the operators in the `for_each_op` table, and `handler_of` for every instruction.
macro_rules! define_handlers {
    (
        unary { $( $un:ident ($ui:ty => $uo:ty) |$ux:ident| $ue:expr; )* }
        unary_trap { $( $ut:ident ($ti:ty => $to:ty) |$tx:ident| $te:expr; )* }
        binary { $( $bin:ident $(/ $bimm:ident)? ($bi:ty => $bo:ty) |$ba:ident, $bb:ident| $be:expr; )* }
        binary_trap { $( $bt:ident ($ci:ty => $co:ty) |$ca:ident, $cb:ident| $ce:expr; )* }
        load { $( $l:ident / $lat:ident ($lm:ty => $ls:ty); )* }
        store { $( $sto:ident / $stat:ident $(/ $stimm:ident / $stimmat:ident)? ($sm:ty => $ss:ty); )* }
        branch { $( $br:ident / $brimm:ident = $cn:literal |$ra:ident, $rb:ident| $re:expr; )* }
    ) => {
        /// Whether compare-branch condition `C` (the `branch` table's number) holds for `a` and `b`.
        #[inline(always)]
        fn holds<const C: u8>(a: i32, b: i32) -> bool {
            match C {
                $( $cn => { let ($ra, $rb) = (a, b); $re } )*
                _ => unreachable!("no branch condition {C}"),
            }
        }

        mod table_ops {
            use super::*;
            handlers! {
                $( $un<M>(ip, r, m, st, s, acc) {
                    decode!(ip, Instr::$un { d, a });
                    let $ux = <$ui as Slot>::from_slot(operand!(M, acc::A, r, a, acc));
                    let v: $uo = $ue;
                    deliver!(M, v.to_slot(), d, ip.next(), r, m, st, acc)
                } )*
                $( $ut<M>(ip, r, m, st, s, acc) {
                    decode!(ip, Instr::$ut { d, a });
                    let $tx = <$ti as Slot>::from_slot(operand!(M, acc::A, r, a, acc));
                    let v: $to = t!(st, $te);
                    deliver!(M, v.to_slot(), d, ip.next(), r, m, st, acc)
                } )*
                $(
                    $bin<M>(ip, r, m, st, s, acc) {
                        decode!(ip, Instr::$bin { d, a, b });
                        let $ba = <$bi as Slot>::from_slot(operand!(M, acc::A, r, a, acc));
                        let $bb = <$bi as Slot>::from_slot(operand!(M, acc::B, r, b, acc));
                        let v: $bo = $be;
                        deliver!(M, v.to_slot(), d, ip.next(), r, m, st, acc)
                    }
                    $( $bimm<M>(ip, r, m, st, s, acc) {
                        decode!(ip, Instr::$bimm { d, a, imm });
                        let $ba = <$bi as Slot>::from_slot(operand!(M, acc::A, r, a, acc));
                        let $bb = imm as $bi;
                        let v: $bo = $be;
                        deliver!(M, v.to_slot(), d, ip.next(), r, m, st, acc)
                    } )?
                )*
                $( $bt<M>(ip, r, m, st, s, acc) {
                    decode!(ip, Instr::$bt { d, a, b });
                    let $ca = <$ci as Slot>::from_slot(operand!(M, acc::A, r, a, acc));
                    let $cb = <$ci as Slot>::from_slot(operand!(M, acc::B, r, b, acc));
                    let v: $co = t!(st, $ce);
                    deliver!(M, v.to_slot(), d, ip.next(), r, m, st, acc)
                } )*
                $(
                    $l<M>(ip, r, m, st, s, acc) {
                        decode!(ip, Instr::$l { d, a, off });
                        let addr = operand!(M, acc::A, r, a, acc) as u32;
                        let bytes = t!(st, m.load::<{ std::mem::size_of::<$lm>() }>(addr, off));
                        deliver!(M, (<$lm>::from_le_bytes(bytes) as $ls).to_slot(), d, ip.next(), r, m, st, acc)
                    }
                    $lat<M>(ip, r, m, st, s, acc) {
                        decode!(ip, Instr::$lat { d, a, imm });
                        let addr = (operand!(M, acc::A, r, a, acc) as u32).wrapping_add(imm);
                        let bytes = t!(st, m.load::<{ std::mem::size_of::<$lm>() }>(addr, 0));
                        deliver!(M, (<$lm>::from_le_bytes(bytes) as $ls).to_slot(), d, ip.next(), r, m, st, acc)
                    }
                )*
                $(
                    $sto<M>(ip, r, m, st, s, acc) {
                        decode!(ip, Instr::$sto { a, v, off });
                        let x = <$ss as Slot>::from_slot(operand!(M, acc::B, r, v, acc)) as $sm;
                        let addr = operand!(M, acc::A, r, a, acc) as u32;
                        t!(st, m.store(addr, off, x.to_le_bytes()));
                        next!(ip.next(), r, m, st, acc)
                    }
                    $stat<M>(ip, r, m, st, s, acc) {
                        decode!(ip, Instr::$stat { a, v, imm });
                        let x = <$ss as Slot>::from_slot(operand!(M, acc::B, r, v, acc)) as $sm;
                        let addr = (operand!(M, acc::A, r, a, acc) as u32).wrapping_add(imm);
                        t!(st, m.store(addr, 0, x.to_le_bytes()));
                        next!(ip.next(), r, m, st, acc)
                    }
                    $(
                        $stimm<M>(ip, r, m, st, s, acc) {
                            decode!(ip, Instr::$stimm { a, off, v });
                            let x = v as $ss as $sm;
                            let addr = operand!(M, acc::A, r, a, acc) as u32;
                            t!(st, m.store(addr, off, x.to_le_bytes()));
                            next!(ip.next(), r, m, st, acc)
                        }
                        $stimmat<M>(ip, r, m, st, s, acc) {
                            decode!(ip, Instr::$stimmat { a, imm, v });
                            let x = v as $ss as $sm;
                            let addr = (operand!(M, acc::A, r, a, acc) as u32).wrapping_add(imm);
                            t!(st, m.store(addr, 0, x.to_le_bytes()));
                            next!(ip.next(), r, m, st, acc)
                        }
                    )?
                )*
                $(
                    $br<M>(ip, r, m, st, s, acc) {
                        decode!(ip, Instr::$br { a, b, t });
                        let $ra = operand!(M, acc::A, r, a, acc) as i32;
                        let $rb = operand!(M, acc::B, r, b, acc) as i32;
                        next!(if $re { ip.jump(t) } else { ip.next() }, r, m, st, acc)
                    }
                    $brimm<M>(ip, r, m, st, s, acc) {
                        decode!(ip, Instr::$brimm { a, imm, t });
                        let ($ra, $rb) = (operand!(M, acc::A, r, a, acc) as i32, imm);
                        next!(if $re { ip.jump(t) } else { ip.next() }, r, m, st, acc)
                    }
                )*
            }
            latch_handlers! {
                StepBrImm { step, lim } => imm(step), imm(lim);
                StepBr { step, b } => imm(step), slot(b);
                AddBrImm { y, lim } => slot(y), imm(lim);
                AddBr { y, b } => slot(y), slot(b);
            }
        }

        /// The handler of `instr` in accumulator mode `mode` (`ir::acc`; 0 for none). The translator
        /// gives a mode only to instructions that support it (`Instr::acc_dst`, `Instr::acc_operands`).
        pub(crate) fn handler_of(instr: &Instr, mode: u8) -> Handler {
            try_handler_of(instr, mode)
                .unwrap_or_else(|| unreachable!("no handler for {instr:?} in mode {mode}"))
        }

        /// The handler of `instr` in `mode`, if it has that mode.
        pub(crate) fn try_handler_of(instr: &Instr, mode: u8) -> Option<Handler> {
            use table_ops::*;
            use other_ops as h;
            match instr {
                $( Instr::$un { .. } => with_mode!($un, mode, [0, 1, 2, 3]), )*
                $( Instr::$ut { .. } => with_mode!($ut, mode, [0, 1, 2, 3]), )*
                $(
                    Instr::$bin { .. } => with_mode!($bin, mode, [0, 1, 2, 3, 4, 5]),
                    $( Instr::$bimm { .. } => with_mode!($bimm, mode, [0, 1, 2, 3]), )?
                )*
                $( Instr::$bt { .. } => with_mode!($bt, mode, [0, 1, 2, 3, 4, 5]), )*
                $(
                    Instr::$l { .. } => with_mode!($l, mode, [0, 1, 2, 3]),
                    Instr::$lat { .. } => with_mode!($lat, mode, [0, 1, 2, 3]),
                )*
                $(
                    Instr::$sto { .. } => with_mode!($sto, mode, [0, 2, 4]),
                    Instr::$stat { .. } => with_mode!($stat, mode, [0, 2, 4]),
                    $(
                        Instr::$stimm { .. } => with_mode!($stimm, mode, [0, 2]),
                        Instr::$stimmat { .. } => with_mode!($stimmat, mode, [0, 2]),
                    )?
                )*
                $(
                    Instr::$br { .. } => with_mode!($br, mode, [0, 2, 4]),
                    Instr::$brimm { .. } => with_mode!($brimm, mode, [0, 2]),
                )*
                Instr::StepBrImm { cond, .. } => with_cond!(StepBrImm, *cond, mode, [$($cn),*]),
                Instr::StepBr { cond, .. } => with_cond!(StepBr, *cond, mode, [$($cn),*]),
                Instr::AddBrImm { cond, .. } => with_cond!(AddBrImm, *cond, mode, [$($cn),*]),
                Instr::AddBr { cond, .. } => with_cond!(AddBr, *cond, mode, [$($cn),*]),
                Instr::GlobalBr { cond, .. } => match (*cond, mode) {
                    $( ($cn, 0) => Some(h::GlobalBr::<$cn> as Handler), )*
                    _ => None,
                },
                Instr::LoadAcc { .. } => plain(mode, h::LoadAcc),
                Instr::Copy { .. } => { use h::Copy; with_mode!(Copy, mode, [0]) }
                Instr::Copy2 { .. } => plain(mode, h::Copy2),
                Instr::CopySpan { .. } => plain(mode, h::CopySpan),
                Instr::Const32 { .. } => { use h::Const32; with_mode!(Const32, mode, [0]) }
                Instr::Const64 { .. } => { use h::Const64; with_mode!(Const64, mode, [0]) }
                Instr::Const128 { .. } => plain(mode, h::Const128),
                Instr::Select { .. } => { use h::Select; with_mode!(Select, mode, [0, 2]) }
                Instr::Select2 { .. } => plain(mode, h::Select2),
                Instr::SelectImm { .. } => plain(mode, h::SelectImm),
                Instr::SelectGlobalImm { .. } => plain(mode, h::SelectGlobalImm),
                Instr::Br { .. } => { use h::Br; with_mode!(Br, mode, [0]) }
                Instr::ConstBr { .. } => { use h::ConstBr; with_mode!(ConstBr, mode, [0]) }
                Instr::CopyBr { .. } => { use h::CopyBr; with_mode!(CopyBr, mode, [0]) }
                Instr::BrIfNez { .. } => { use h::BrIfNez; with_mode!(BrIfNez, mode, [0, 2]) }
                Instr::BrIfEqz { .. } => { use h::BrIfEqz; with_mode!(BrIfEqz, mode, [0, 2]) }
                Instr::BrTable { .. } => { use h::BrTable; with_mode!(BrTable, mode, [0, 2]) }
                Instr::Return0 => plain(mode, h::Return0),
                Instr::Return1 { .. } => { use h::Return1; with_mode!(Return1, mode, [0, 2]) }
                Instr::ReturnSpan { .. } => plain(mode, h::ReturnSpan),
                Instr::Call { .. } => plain(mode, h::Call),
                Instr::CallImport { .. } => plain(mode, h::CallImport),
                Instr::CallIndirect { .. } => plain(mode, h::CallIndirect),
                Instr::CallIndirectT { .. } => plain(mode, h::CallIndirectT),
                Instr::ReturnCall { .. } => plain(mode, h::ReturnCall),
                Instr::ReturnCallImport { .. } => plain(mode, h::ReturnCallImport),
                Instr::ReturnCallIndirect { .. } => plain(mode, h::ReturnCallIndirect),
                Instr::ReturnCallIndirectT { .. } => plain(mode, h::ReturnCallIndirectT),
                Instr::Aux { .. } => plain(mode, h::Aux),
                Instr::Unreachable => plain(mode, h::Unreachable),
                Instr::Meter { .. } => plain(mode, h::Meter),
                Instr::MeterCount { .. } => plain(mode, h::MeterCount),
                Instr::CheckInterrupt => plain(mode, h::CheckInterrupt),
                Instr::GlobalGet { g, .. } if (*g as usize) < HOT_GLOBALS => {
                    use h::GlobalGetHot;
                    with_mode!(GlobalGetHot, mode, [0, 1])
                }
                Instr::GlobalSet { g, .. } if (*g as usize) < HOT_GLOBALS => {
                    use h::GlobalSetHot;
                    with_mode!(GlobalSetHot, mode, [0, 2])
                }
                Instr::GlobalGet { .. } => { use h::GlobalGet; with_mode!(GlobalGet, mode, [0, 1]) }
                Instr::GlobalSet { .. } => { use h::GlobalSet; with_mode!(GlobalSet, mode, [0, 2]) }
                Instr::GlobalGet2 { .. } => plain(mode, h::GlobalGet2),
                Instr::GlobalSet2 { .. } => plain(mode, h::GlobalSet2),
                Instr::MemorySize { .. } => plain(mode, h::MemorySize),
                Instr::MemoryGrow { .. } => plain(mode, h::MemoryGrow),
                Instr::MemoryFill { .. } => plain(mode, h::MemoryFill),
                Instr::MemoryCopy { .. } => plain(mode, h::MemoryCopy),
                Instr::MemoryCopyMulti { .. } => plain(mode, h::MemoryCopyMulti),
                Instr::SelectMem { .. } => plain(mode, h::SelectMem),
                Instr::MemoryInit { .. } => plain(mode, h::MemoryInit),
                Instr::DataDrop { .. } => plain(mode, h::DataDrop),
                Instr::TableGet { .. } => plain(mode, h::TableGet),
                Instr::TableSet { .. } => plain(mode, h::TableSet),
                Instr::TableSize { .. } => plain(mode, h::TableSize),
                Instr::TableGrow { .. } => plain(mode, h::TableGrow),
                Instr::TableFill { .. } => plain(mode, h::TableFill),
                Instr::TableCopy { .. } => plain(mode, h::TableCopy),
                Instr::TableInit { .. } => plain(mode, h::TableInit),
                Instr::ElemDrop { .. } => plain(mode, h::ElemDrop),
                Instr::RefFunc { .. } => plain(mode, h::RefFunc),
                Instr::Simd { .. } => plain(mode, h::Simd),
                Instr::SimdLane { .. } => plain(mode, h::SimdLane),
                Instr::Shuffle { .. } => plain(mode, h::Shuffle),
                Instr::VLoad { .. } => plain(mode, h::VLoad),
                Instr::VStore { .. } => plain(mode, h::VStore),
                Instr::VLoadLane { .. } => plain(mode, h::VLoadLane),
                Instr::VStoreLane { .. } => plain(mode, h::VStoreLane),
            }
        }
    };
}

for_each_op!(define_handlers);

/// Turn translated code into executable code: each instruction gets its handler, and branch targets
/// become offsets from the branch.
/// Executable code from translated instructions and their modes (`ir::acc`). A `Meter` in mode `METER`
/// gets the handler of the instruction after it in that mode, which charges the meter and runs that
/// instruction in one dispatch.
pub(crate) fn link(mut code: Vec<Instr>, modes: &[u8]) -> Box<[Op]> {
    let handlers: Vec<Handler> = (0..code.len())
        .map(|pc| match code[pc] {
            Instr::Meter { .. } if modes[pc] & acc::METER != 0 => handler_of(&code[pc + 1], modes[pc]),
            ref instr => handler_of(instr, modes[pc]),
        })
        .collect();
    // A target becomes the byte distance from its branch, which `Ip::jump` adds without scaling: one
    // instruction less on every taken branch (`translate` turns away code too large for 32 bits).
    let size = std::mem::size_of::<Op>() as i64;
    for (pc, instr) in code.iter_mut().enumerate() {
        if let Some(t) = instr.target_mut() {
            *t = ((*t as i64 - pc as i64) * size) as i32 as u32;
        }
    }
    code.into_iter().zip(handlers).map(|(instr, handler)| Op::with_handler(instr, handler)).collect()
}

/// Return from the current frame (results already at `fp..`).
macro_rules! ret {
    ($st:expr, $s:expr) => {{
        let depth = $st.frames.len();
        if depth == 0 {
            return returned($st);
        }
        let caller = $st.frames[depth - 1];
        if caller.inst != $st.cur.inst {
            return return_to_other_instance($st, $s);
        }
        $st.frames.truncate(depth - 1);
        let (ip, r, m) = $st.resume_local(caller);
        next!(ip, r, m, $st, 0)
    }};
}

/// `ret!` to a caller in another instance (out of line, so that returns within an instance keep their
/// registers).
#[inline(never)]
fn return_to_other_instance(st: &mut State, s: &mut StoreInner) -> Done {
    let caller = st.frames.pop().expect("a caller frame");
    let (ip, r, m) = st.resume(s, caller);
    next!(ip, r, m, st, 0)
}

/// The `Aux` immediate after the instruction at `ip`.
fn aux(ip: Ip) -> u32 {
    match *ip.next().instr() {
        Instr::Aux { v } => v,
        ref other => unreachable!("expected an immediate, found {other:?}"),
    }
}

mod other_ops {
    use super::*;

    /// `GlobalBr`: branch when compare-branch condition `C` holds for a hot global and the immediate.
    #[allow(non_snake_case)]
    pub(super) fn GlobalBr<const C: u8>(ip: Ip, r: Regs, m: Mem, st: &mut State, acc: u64) -> Done {
        decode!(ip, Instr::GlobalBr { g, imm, t, .. });
        if holds::<C>(st.hot_globals[g as usize % HOT_GLOBALS].get() as i32, imm) {
            next!(ip.jump(t), r, m, st, acc)
        }
        next!(ip.next(), r, m, st, acc)
    }

    handlers! {
        Copy<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::Copy { d, s: src });
            r.set(d, r.get(src));
            next!(ip.next(), r, m, st, acc)
        }
        LoadAcc(ip, r, m, st, s, acc) {
            decode!(ip, Instr::LoadAcc { s: src });
            next!(ip.next(), r, m, st, r.get(src))
        }
        Copy2(ip, r, m, st, s, acc) {
            decode!(ip, Instr::Copy2 { d, s: src });
            r.set128(d, r.get128(src));
            next!(ip.next(), r, m, st, acc)
        }
        CopySpan(ip, r, m, st, s, acc) {
            decode!(ip, Instr::CopySpan { d, s: src, n });
            r.copy(d, src, n);
            next!(ip.next(), r, m, st, acc)
        }
        Const32<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::Const32 { d, v });
            r.set(d, v as u64);
            next!(ip.next(), r, m, st, acc)
        }
        Const64<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::Const64 { d, v });
            r.set(d, v);
            next!(ip.next(), r, m, st, acc)
        }
        Const128(ip, r, m, st, s, acc) {
            decode!(ip, Instr::Const128 { d, idx });
            r.set128(d, st.func().consts[idx as usize]);
            next!(ip.next(), r, m, st, acc)
        }
        Select<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::Select { d, c, b });
            if operand!(M, acc::A, r, c, acc) as u32 == 0 {
                r.set(d, r.get(b));
            }
            next!(ip.next(), r, m, st, acc)
        }
        SelectImm(ip, r, m, st, s, acc) {
            decode!(ip, Instr::SelectImm { d, c, imm });
            if r.get(c) as u32 == 0 {
                r.set(d, imm as u64);
            }
            next!(ip.next(), r, m, st, acc)
        }
        SelectGlobalImm(ip, r, m, st, s, acc) {
            decode!(ip, Instr::SelectGlobalImm { d, g, imm });
            if st.hot_globals[g as usize % HOT_GLOBALS].get() as u32 == 0 {
                r.set(d, imm as u64);
            }
            next!(ip.next(), r, m, st, acc)
        }
        Select2(ip, r, m, st, s, acc) {
            decode!(ip, Instr::Select2 { d, c, b });
            if r.get(c) as u32 == 0 {
                r.set128(d, r.get128(b));
            }
            next!(ip.next(), r, m, st, acc)
        }
        Br<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::Br { t });
            next!(ip.jump(t), r, m, st, acc)
        }
        ConstBr<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::ConstBr { d, v, t });
            r.set(d, v as u64);
            next!(ip.jump(t), r, m, st, acc)
        }
        CopyBr<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::CopyBr { d, s: src, t });
            r.set(d, r.get(src));
            next!(ip.jump(t), r, m, st, acc)
        }
        BrIfNez<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::BrIfNez { c, t });
            next!(if operand!(M, acc::A, r, c, acc) as u32 != 0 { ip.jump(t) } else { ip.next() }, r, m, st, acc)
        }
        BrIfEqz<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::BrIfEqz { c, t });
            next!(if operand!(M, acc::A, r, c, acc) as u32 == 0 { ip.jump(t) } else { ip.next() }, r, m, st, acc)
        }
        BrTable<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::BrTable { i, n });
            let i = operand!(M, acc::A, r, i, acc) as u32;
            next!(ip.add(1 + i.min(n) as usize), r, m, st, acc)
        }
        Return0(ip, r, m, st, s, acc) {
            ret!(st, s)
        }
        Return1<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::Return1 { s: src });
            r.set(0, operand!(M, acc::A, r, src, acc));
            ret!(st, s)
        }
        ReturnSpan(ip, r, m, st, s, acc) {
            decode!(ip, Instr::ReturnSpan { s: src, n });
            r.copy(0, src, n);
            ret!(st, s)
        }
        Call(ip, r, m, st, s, acc) {
            decode!(ip, Instr::Call { f: def, base });
            // SAFETY: `cells` points into the current instance's module (see `State::local_code`).
            let cells = unsafe { &*st.cells };
            let Some(code) = cells.get(def as usize).and_then(|c| c.get()) else {
                std::hint::cold_path();
                return call_slow(ip, r, m, st, s);
            };
            // The accumulator does not live across calls: the callee gets 0, which frees its register.
            match st.enter_fast(ip, Arc::as_ptr(code), def, base) {
                Some((ip, r)) => next!(ip, r, m, st, 0),
                None => {
                    std::hint::cold_path();
                    call_slow(ip, r, m, st, s)
                }
            }
        }
        CallImport(ip, r, m, st, s, acc) {
            decode!(ip, Instr::CallImport { f, base });
            let func = st.ctx.func(f);
            call_store_func(ip, r, m, st, s, func, base, false)
        }
        CallIndirect(ip, r, m, st, s, acc) {
            decode!(ip, Instr::CallIndirect { ty, i, base });
            if let Some((code, def)) = indirect_local(st, s, 0, r.get(i) as u32, ty)
                && let Some((ip, r)) = st.enter_fast(ip, code, def, base)
            {
                next!(ip, r, m, st, 0)
            }
            std::hint::cold_path();
            call_indirect_slow(ip, r, m, st, s)
        }
        CallIndirectT(ip, r, m, st, s, acc) {
            decode!(ip, Instr::CallIndirectT { ty, i, base });
            // Return after the immediate.
            if let Some((code, def)) = indirect_local(st, s, aux(ip), r.get(i) as u32, ty)
                && let Some((ip, r)) = st.enter_fast(ip.next(), code, def, base)
            {
                next!(ip, r, m, st, 0)
            }
            std::hint::cold_path();
            call_indirect_slow(ip, r, m, st, s)
        }
        ReturnCall(ip, r, m, st, s, acc) {
            decode!(ip, Instr::ReturnCall { f: def, base });
            let callee = match st.local_code(s, def) {
                Ok(c) => c,
                Err(e) => return fail(st, e),
            };
            let inst = st.cur.inst;
            let (ip, r, m) = t!(st, st.tail_to(s, r, m, Callee { inst, def, code: callee }, base));
            next!(ip, r, m, st, acc)
        }
        ReturnCallImport(ip, r, m, st, s, acc) {
            decode!(ip, Instr::ReturnCallImport { f, base });
            let func = st.ctx.func(f);
            call_store_func(ip, r, m, st, s, func, base, true)
        }
        ReturnCallIndirect(ip, r, m, st, s, acc) {
            decode!(ip, Instr::ReturnCallIndirect { ty, i, base });
            let func = t!(st, indirect_target(s, st.ctx, 0, r.get(i) as u32, ty));
            call_store_func(ip, r, m, st, s, func, base, true)
        }
        ReturnCallIndirectT(ip, r, m, st, s, acc) {
            decode!(ip, Instr::ReturnCallIndirectT { ty, i, base });
            let func = t!(st, indirect_target(s, st.ctx, aux(ip), r.get(i) as u32, ty));
            call_store_func(ip.next(), r, m, st, s, func, base, true)
        }
        Aux(ip, r, m, st, s, acc) {
            unreachable!("immediate executed as an instruction")
        }
        Unreachable(ip, r, m, st, s, acc) {
            trap(st, TrapCode::Unreachable)
        }
        Meter(ip, r, m, st, s, acc) {
            if let Err(done) = charge_meter(ip, st) {
                return done;
            }
            next!(ip.next(), r, m, st, acc)
        }
        MeterCount(ip, r, m, st, s, acc) {
            decode!(ip, Instr::MeterCount { count, gas });
            st.counters.count(count);
            if !st.counters.spend(gas) {
                return trap(st, TrapCode::CostLimitExceeded);
            }
            next!(ip.next(), r, m, st, acc)
        }
        CheckInterrupt(ip, r, m, st, s, acc) {
            if st.interrupt.load(Ordering::Relaxed) {
                return trap(st, TrapCode::Interrupted);
            }
            next!(ip.next(), r, m, st, acc)
        }
        GlobalGet<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::GlobalGet { d, g });
            deliver!(M, st.ctx.global_get(g) as u64, d, ip.next(), r, m, st, acc)
        }
        // The first globals (in C programs the stack pointer, which every function with a frame reads
        // and writes; in asyncified ones the state checked after every call) are one load away.
        GlobalGetHot<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::GlobalGet { d, g });
            deliver!(M, st.hot_globals[g as usize % HOT_GLOBALS].get(), d, ip.next(), r, m, st, acc)
        }
        GlobalSetHot<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::GlobalSet { s: src, g });
            st.hot_globals[g as usize % HOT_GLOBALS].set(operand!(M, acc::A, r, src, acc));
            next!(ip.next(), r, m, st, acc)
        }
        GlobalSet<M>(ip, r, m, st, s, acc) {
            decode!(ip, Instr::GlobalSet { s: src, g });
            st.ctx.global_set(g, operand!(M, acc::A, r, src, acc) as u128);
            next!(ip.next(), r, m, st, acc)
        }
        GlobalGet2(ip, r, m, st, s, acc) {
            decode!(ip, Instr::GlobalGet2 { d, g });
            r.set128(d, st.ctx.global_get(g));
            next!(ip.next(), r, m, st, acc)
        }
        GlobalSet2(ip, r, m, st, s, acc) {
            decode!(ip, Instr::GlobalSet2 { s: src, g });
            st.ctx.global_set(g, r.get128(src));
            next!(ip.next(), r, m, st, acc)
        }
        MemorySize(ip, r, m, st, s, acc) {
            decode!(ip, Instr::MemorySize { d });
            r.set(d, (m.len() as u64) / crate::vm::PAGE_SIZE);
            next!(ip.next(), r, m, st, acc)
        }
        MemoryGrow(ip, r, m, st, s, acc) {
            decode!(ip, Instr::MemoryGrow { d, a });
            let delta = r.get(a) as u32 as u64;
            let idx = s.instances[st.cur.inst as usize].memories[st.mem_idx as usize];
            let old = s.memories[idx as usize].grow(delta);
            r.set(d, old.map_or(u32::MAX, |o| o as u32) as u64);
            let m = st.ctx.memory(st.mem_idx);
            next!(ip.next(), r, m, st, acc)
        }
        MemoryFill(ip, r, m, st, s, acc) {
            decode!(ip, Instr::MemoryFill { base });
            let (dst, val, n) = (r.get(base) as u32, r.get(base + 1) as u8, r.get(base + 2) as u32);
            t!(st, bulk::fill(m.bytes(), dst, val, n));
            next!(ip.next(), r, m, st, acc)
        }
        MemoryCopy(ip, r, m, st, s, acc) {
            decode!(ip, Instr::MemoryCopy { base });
            let (dst, src, n) = (r.get(base) as u32, r.get(base + 1) as u32, r.get(base + 2) as u32);
            t!(st, bulk::copy_within(m.bytes(), dst, src, n));
            next!(ip.next(), r, m, st, acc)
        }
        MemoryCopyMulti(ip, r, m, st, s, acc) {
            decode!(ip, Instr::MemoryCopyMulti { base, dst_mem, src_mem });
            let (dst, src, n) = (r.get(base) as u32, r.get(base + 1) as u32, r.get(base + 2) as u32);
            let (to, from) = (st.ctx.memory(dst_mem), st.ctx.memory(src_mem));
            if dst_mem == src_mem {
                t!(st, bulk::copy_within(to.bytes(), dst, src, n));
            } else {
                // Distinct memories are distinct mappings: the two slices do not overlap.
                t!(st, bulk::init(to.bytes(), from.bytes(), dst, src, n, TrapCode::MemoryOutOfBounds));
            }
            next!(ip.next(), r, m, st, acc)
        }
        SelectMem(ip, r, m, st, s, acc) {
            decode!(ip, Instr::SelectMem { m: idx });
            st.mem_idx = idx;
            let m = st.ctx.memory(idx);
            next!(ip.next(), r, m, st, acc)
        }
        MemoryInit(ip, r, m, st, s, acc) {
            decode!(ip, Instr::MemoryInit { seg, base });
            let (dst, src, n) = (r.get(base) as u32, r.get(base + 1) as u32, r.get(base + 2) as u32);
            let inst = &s.instances[st.cur.inst as usize];
            let data = &inst.module.inner.bytes[inst.datas[seg as usize].clone()];
            t!(st, bulk::init(m.bytes(), data, dst, src, n, TrapCode::MemoryOutOfBounds));
            next!(ip.next(), r, m, st, acc)
        }
        DataDrop(ip, r, m, st, s, acc) {
            decode!(ip, Instr::DataDrop { seg });
            s.instances[st.cur.inst as usize].datas[seg as usize] = 0..0;
            next!(ip.next(), r, m, st, acc)
        }
        TableGet(ip, r, m, st, s, acc) {
            decode!(ip, Instr::TableGet { d, i, t });
            r.set(d, t!(st, st.ctx.table_get(t, r.get(i) as u32).ok_or(TrapCode::TableOutOfBounds)));
            next!(ip.next(), r, m, st, acc)
        }
        TableSet(ip, r, m, st, s, acc) {
            decode!(ip, Instr::TableSet { i, v, t });
            let (i, v) = (r.get(i) as u32 as usize, r.get(v));
            let table = table_mut(s, st.cur.inst, t);
            *t!(st, table.elements_mut().get_mut(i).ok_or(TrapCode::TableOutOfBounds)) = v;
            next!(ip.next(), r, m, st, acc)
        }
        TableSize(ip, r, m, st, s, acc) {
            decode!(ip, Instr::TableSize { d, t });
            r.set(d, table_mut(s, st.cur.inst, t).elements().len() as u64);
            next!(ip.next(), r, m, st, acc)
        }
        TableGrow(ip, r, m, st, s, acc) {
            decode!(ip, Instr::TableGrow { base, t });
            let (init, delta) = (r.get(base), r.get(base + 1) as u32 as u64);
            let old = table_mut(s, st.cur.inst, t).grow(delta, init);
            r.set(base, old.map_or(u32::MAX, |o| o as u32) as u64);
            next!(ip.next(), r, m, st, acc)
        }
        TableFill(ip, r, m, st, s, acc) {
            decode!(ip, Instr::TableFill { base, t });
            let (i, val, n) = (r.get(base) as u32, r.get(base + 1), r.get(base + 2) as u32);
            let table = table_mut(s, st.cur.inst, t);
            t!(st, bulk::fill(table.elements_mut(), i, val, n).map_err(|_| TrapCode::TableOutOfBounds));
            next!(ip.next(), r, m, st, acc)
        }
        TableCopy(ip, r, m, st, s, acc) {
            decode!(ip, Instr::TableCopy { base, dst, src });
            let (d, sr, n) = (r.get(base) as u32, r.get(base + 1) as u32, r.get(base + 2) as u32);
            t!(st, table_copy(s, st.cur.inst, dst, src, d, sr, n));
            next!(ip.next(), r, m, st, acc)
        }
        TableInit(ip, r, m, st, s, acc) {
            decode!(ip, Instr::TableInit { base, seg });
            let table = aux(ip);
            let (d, sr, n) = (r.get(base) as u32, r.get(base + 1) as u32, r.get(base + 2) as u32);
            let inst = &s.instances[st.cur.inst as usize];
            let elems = &inst.elems[seg as usize];
            let table = &mut s.tables[inst.tables[table as usize] as usize];
            t!(st, bulk::init(table.elements_mut(), elems, d, sr, n, TrapCode::TableOutOfBounds));
            next!(ip.add(2), r, m, st, acc)
        }
        ElemDrop(ip, r, m, st, s, acc) {
            decode!(ip, Instr::ElemDrop { seg });
            s.instances[st.cur.inst as usize].elems[seg as usize] = Box::new([]);
            next!(ip.next(), r, m, st, acc)
        }
        RefFunc(ip, r, m, st, s, acc) {
            decode!(ip, Instr::RefFunc { d, f });
            r.set(d, st.ctx.func(f) as u64 + 1);
            next!(ip.next(), r, m, st, acc)
        }
        Simd(ip, r, m, st, s, acc) {
            decode!(ip, Instr::Simd { op, d, a, b });
            vector::lanewise(r, op, d, a, b);
            next!(ip.next(), r, m, st, acc)
        }
        SimdLane(ip, r, m, st, s, acc) {
            decode!(ip, Instr::SimdLane { op, lane, d, a, b });
            vector::lane(r, op, lane, d, a, b);
            next!(ip.next(), r, m, st, acc)
        }
        Shuffle(ip, r, m, st, s, acc) {
            decode!(ip, Instr::Shuffle { d, a, b });
            let mask = st.func().consts[aux(ip) as usize];
            vector::shuffle(r, d, a, b, mask);
            next!(ip.add(2), r, m, st, acc)
        }
        VLoad(ip, r, m, st, s, acc) {
            decode!(ip, Instr::VLoad { kind, d, a, off });
            t!(st, vector::load(r, m, kind, d, a, off));
            next!(ip.next(), r, m, st, acc)
        }
        VStore(ip, r, m, st, s, acc) {
            decode!(ip, Instr::VStore { a, v, off });
            t!(st, vector::store(r, m, a, v, off));
            next!(ip.next(), r, m, st, acc)
        }
        VLoadLane(ip, r, m, st, s, acc) {
            decode!(ip, Instr::VLoadLane { width, lane, d, base, off });
            t!(st, vector::load_lane(r, m, width, lane, d, base, off));
            next!(ip.next(), r, m, st, acc)
        }
        VStoreLane(ip, r, m, st, s, acc) {
            decode!(ip, Instr::VStoreLane { width, lane, base, off });
            t!(st, vector::store_lane(r, m, width, lane, base, off));
            next!(ip.next(), r, m, st, acc)
        }
    }
}

/// The work of the vector memory handlers, out of line: their 16-byte temporaries would otherwise live in
/// the handler's stack frame, and a handler whose locals have escaped cannot tail-call.
mod vector {
    use super::*;

    #[inline(never)]
    pub(super) fn load(r: Regs, m: Mem, kind: simd::VLoadKind, d: u32, a: u32, off: u32) -> Result<(), TrapCode> {
        let v = simd::vload(kind, load_bytes(m, r.get(a) as u32, off, kind.size())?);
        r.set128(d, v);
        Ok(())
    }

    #[inline(never)]
    pub(super) fn store(r: Regs, m: Mem, a: u32, v: u32, off: u32) -> Result<(), TrapCode> {
        m.store(r.get(a) as u32, off, r.get128(v).to_le_bytes())
    }

    #[inline(never)]
    pub(super) fn load_lane(r: Regs, m: Mem, width: u8, lane: u8, d: u32, base: u32, off: u32) -> Result<(), TrapCode> {
        let bytes = load_bytes(m, r.get(base) as u32, off, width as usize)?;
        let x = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
        let v = r.get128(base + 1);
        let v = match width {
            1 => simd::with_lane(v, lane as usize, x as u8),
            2 => simd::with_lane(v, lane as usize, x as u16),
            4 => simd::with_lane(v, lane as usize, x as u32),
            _ => simd::with_lane(v, lane as usize, x),
        };
        r.set128(d, v);
        Ok(())
    }

    #[inline(never)]
    pub(super) fn store_lane(r: Regs, m: Mem, width: u8, lane: u8, base: u32, off: u32) -> Result<(), TrapCode> {
        let v = r.get128(base + 1);
        let (addr, i) = (r.get(base) as u32, lane as usize);
        match width {
            1 => m.store(addr, off, simd::lane::<u8>(v, i).to_le_bytes()),
            2 => m.store(addr, off, simd::lane::<u16>(v, i).to_le_bytes()),
            4 => m.store(addr, off, simd::lane::<u32>(v, i).to_le_bytes()),
            _ => m.store(addr, off, simd::lane::<u64>(v, i).to_le_bytes()),
        }
    }

    #[inline(never)]
    pub(super) fn lanewise(r: Regs, op: simd::SimdOp, d: u32, a: u32, b: u32) {
        simd::exec(r, op, d, a, b);
    }

    #[inline(never)]
    pub(super) fn lane(r: Regs, op: simd::LaneOp, lane: u8, d: u32, a: u32, b: u32) {
        simd::exec_lane(r, op, lane, d, a, b);
    }

    #[inline(never)]
    pub(super) fn shuffle(r: Regs, d: u32, a: u32, b: u32, mask: u128) {
        r.set128(d, simd::shuffle(r.get128(a), r.get128(b), mask));
    }
}
