//! The execution loop.
//!
//! One loop runs every WebAssembly frame of a call: a wasm-to-wasm call pushes a [`Frame`] on an explicit
//! stack instead of recursing on the host's, so guest recursion is bounded only by the configured depth and
//! value-stack size and can never overflow the host stack. Frames share one value stack (`Vec<u64>`): a
//! callee's frame starts where the caller put the arguments.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::ir::{Instr, Slot, for_each_op};
use super::mem::{Code, Ctx, Mem, Regs};
use super::{CompiledFunc, ops, panic_message, simd, translate};
use crate::error::{Error, Result, TrapCode};
use crate::func::{Caller, HostFunc};
use crate::store::{FuncKind, Store};
use crate::types::{Func, Val, ValType};

/// A suspended caller.
#[derive(Clone, Copy)]
struct Frame {
    func: *const CompiledFunc,
    pc: usize,
    fp: usize,
    inst: u32,
    def: u32,
}

pub(crate) struct Executor<'s, T> {
    store: &'s mut Store<T>,
    frames: Vec<Frame>,
    max_depth: usize,
    max_slots: usize,
}

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
    let expected: Vec<ValType> = results.iter().map(|v| v.ty()).collect();
    let outcome = catch_unwind(AssertUnwindSafe(|| host(Caller { store, instance }, args, results)));
    match outcome {
        Ok(Ok(())) => {
            if results.iter().zip(&expected).any(|(v, &t)| v.ty() != t) {
                return Err(Error::host("host function returned values of the wrong type"));
            }
            Ok(())
        }
        Ok(Err(e)) => Err(e),
        Err(panic) => Err(Error::host(format!("host function panicked: {}", panic_message(&*panic)))),
    }
}

impl<'s, T> Executor<'s, T> {
    /// Run wasm function `func` with `params`, writing `results`.
    pub(crate) fn run(
        store: &'s mut Store<T>,
        stack: &mut Vec<u64>,
        func: Func,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let FuncKind::Wasm { instance, def } = store.inner.funcs[func.0 as usize].kind else {
            unreachable!("host functions are called directly")
        };
        let config = store.inner.engine.config();
        let mut ex = Executor {
            max_depth: config.max_call_depth as usize,
            max_slots: config.max_stack_slots as usize,
            frames: Vec::new(),
            store,
        };
        let entry = ex.compiled(instance, def)?;
        // SAFETY: see `compiled`.
        let f = unsafe { &*entry };
        ex.prepare_frame(stack, 0, f).map_err(|c| ex.trap(c, instance, def))?;
        let mut at = 0;
        for &p in params {
            write_val(stack, at, p);
            at += p.ty().slots() as usize;
        }
        ex.execute(stack, Frame { func: entry, pc: 0, fp: 0, inst: instance, def })?;
        let mut at = 0;
        for r in results.iter_mut() {
            *r = read_val(stack, at, r.ty());
            at += r.ty().slots() as usize;
        }
        Ok(())
    }

    /// The code of defined function `def` of instance `inst`, translating it on first use.
    ///
    /// The pointer stays valid while the store lives: the code sits in an `Arc` in the module's `OnceLock`,
    /// the module is held by the instance, and a store never drops instances.
    fn compiled(&self, inst: u32, def: u32) -> Result<*const CompiledFunc> {
        let module = &self.store.inner.instances[inst as usize].module.inner;
        let cell = &module.code[def as usize];
        if let Some(code) = cell.get() {
            return Ok(Arc::as_ptr(code));
        }
        let code = translate::translate(module, def as usize)
            .map_err(|e| e.with_function(module.func_name(module.num_imported_funcs + def)))?;
        Ok(Arc::as_ptr(cell.get_or_init(|| Arc::new(code))))
    }

    fn ctx(&self, inst: u32) -> Ctx {
        Ctx::new(self.store.inner.instances[inst as usize].vmctx.as_ptr())
    }

    fn func_name(&self, inst: u32, def: u32) -> String {
        let module = &self.store.inner.instances[inst as usize].module.inner;
        module.func_name(module.num_imported_funcs + def)
    }

    fn trap(&self, code: TrapCode, inst: u32, def: u32) -> Error {
        Error::trap(code).with_function(self.func_name(inst, def))
    }

    /// Make room for a frame at `fp` and zero its declared locals.
    fn prepare_frame(&self, stack: &mut Vec<u64>, fp: usize, f: &CompiledFunc) -> Result<(), TrapCode> {
        let need = fp + f.frame_slots as usize;
        if need > stack.len() {
            if need > self.max_slots {
                return Err(TrapCode::CallStackExhausted);
            }
            let len = need.max(stack.len() * 2).max(1024).min(self.max_slots);
            stack.resize(len, 0);
        }
        stack[fp + f.param_slots as usize..fp + f.local_slots as usize].fill(0);
        Ok(())
    }

    /// Call host function `func` (store index) with arguments at `stack[at..]`; results replace them.
    fn call_host_at(&mut self, stack: &mut [u64], at: usize, func: u32, host: u32, inst: u32) -> Result<()> {
        let ty = self.store.inner.funcs[func as usize].ty.clone();
        let mut args = Vec::with_capacity(ty.params().len());
        let mut k = at;
        for &p in ty.params() {
            args.push(read_val(stack, k, p));
            k += p.slots() as usize;
        }
        let mut results: Vec<Val> = ty.results().iter().map(|&t| Val::default_for(t)).collect();
        let host = self.store.hosts[host as usize].clone();
        if self.store.inner.engine.config().measure_host_time {
            let start = std::time::Instant::now();
            let outcome = call_host(&host, self.store, Some(inst), &args, &mut results);
            self.store.inner.host_time += start.elapsed();
            outcome?;
        } else {
            call_host(&host, self.store, Some(inst), &args, &mut results)?;
        }
        let mut k = at;
        for r in results {
            write_val(stack, k, r);
            k += r.ty().slots() as usize;
        }
        Ok(())
    }

    /// The store function behind `call_indirect`: bounds, null and signature checks.
    fn indirect_target(&self, ctx: Ctx, table: u32, index: u32, ty: u32) -> Result<u32, TrapCode> {
        let raw = ctx.table_get(table, index).ok_or(TrapCode::UndefinedElement)?;
        let func = self.store.inner.func_raw(raw).ok_or(TrapCode::UninitializedElement)?;
        if self.store.inner.funcs[func as usize].type_id != ctx.type_id(ty) {
            return Err(TrapCode::IndirectCallTypeMismatch);
        }
        Ok(func)
    }

    fn table_mut(&mut self, inst: u32, t: u32) -> &mut crate::vm::Table {
        let idx = self.store.inner.instances[inst as usize].tables[t as usize];
        &mut self.store.inner.tables[idx as usize]
    }

    fn table_copy(&mut self, inst: u32, dst: u32, src: u32, d: u32, s: u32, n: u32) -> Result<(), TrapCode> {
        let tables = &self.store.inner.instances[inst as usize].tables;
        let (dst, src) = (tables[dst as usize] as usize, tables[src as usize] as usize);
        if dst == src {
            return bulk::copy_within(self.store.inner.tables[dst].elements_mut(), d, s, n)
                .map_err(|_| TrapCode::TableOutOfBounds);
        }
        let source: Vec<u64> = self.store.inner.tables[src].elements().to_vec();
        bulk::init(self.store.inner.tables[dst].elements_mut(), &source, d, s, n, TrapCode::TableOutOfBounds)
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

macro_rules! define_execute {
    (
        unary { $( $un:ident ($ui:ty => $uo:ty) |$ux:ident| $ue:expr; )* }
        unary_trap { $( $ut:ident ($ti:ty => $to:ty) |$tx:ident| $te:expr; )* }
        binary { $( $bin:ident $(/ $bimm:ident)? ($bi:ty => $bo:ty) |$ba:ident, $bb:ident| $be:expr; )* }
        binary_trap { $( $bt:ident ($ci:ty => $co:ty) |$ca:ident, $cb:ident| $ce:expr; )* }
        load { $( $l:ident ($lm:ty => $ls:ty); )* }
        store { $( $st:ident ($sm:ty => $ss:ty); )* }
        branch { $( $br:ident / $brimm:ident |$ra:ident, $rb:ident| $re:expr; )* }
    ) => {
        impl<'s, T> Executor<'s, T> {
            /// Run frames until the entry frame returns.
            fn execute(&mut self, stack: &mut Vec<u64>, entry: Frame) -> Result<()> {
                let mut cur = entry;
                // SAFETY: see `compiled`.
                let mut f: &CompiledFunc = unsafe { &*cur.func };
                let mut ctx = self.ctx(cur.inst);
                let mut mem = ctx.memory0();
                // The memory `mem` is (0 except between `SelectMem` and the instruction it prefixes).
                let mut mem_idx = 0u32;
                let mut pc = 0usize;
                let mut fp = cur.fp;
                let mut regs = Regs::new(stack, fp);
                let mut code = Code::new(&f.code);
                let interrupt = self.store.inner.interrupt.clone();

                macro_rules! g {
                    ($s:expr) => {
                        regs.get($s)
                    };
                }
                macro_rules! t {
                    ($e:expr) => {
                        match $e {
                            Ok(v) => v,
                            Err(code) => return Err(self.trap(code, cur.inst, cur.def)),
                        }
                    };
                }
                // Make `$callee` (defined function `$def` of instance `$inst`) the current function, with its
                // frame at `fp`.
                macro_rules! switch_to {
                    ($inst:expr, $def:expr, $callee:expr) => {{
                        let (inst, def, callee) = ($inst, $def, $callee);
                        if inst != cur.inst {
                            ctx = self.ctx(inst);
                            mem = ctx.memory0();
                        }
                        cur = Frame { func: callee, pc: 0, fp, inst, def };
                        // SAFETY: see `compiled`.
                        f = unsafe { &*callee };
                        code = Code::new(&f.code);
                        pc = 0;
                        t!(self.prepare_frame(stack, fp, f));
                        regs = Regs::new(stack, fp);
                    }};
                }
                // Enter defined function `$def` of instance `$inst` with its frame at `$base` of the current one.
                macro_rules! enter {
                    ($inst:expr, $def:expr, $base:expr) => {{
                        let (inst, def) = ($inst, $def);
                        let callee = self.compiled(inst, def)?;
                        if self.frames.len() >= self.max_depth {
                            t!(Err(TrapCode::CallStackExhausted));
                        }
                        self.frames.push(Frame { pc, fp, ..cur });
                        fp += $base as usize;
                        switch_to!(inst, def, callee);
                    }};
                }
                // Replace the current frame by defined function `$def` of instance `$inst`, whose arguments are
                // at `$base` (a tail call).
                macro_rules! tail_to {
                    ($inst:expr, $def:expr, $base:expr) => {{
                        let (inst, def) = ($inst, $def);
                        let callee = self.compiled(inst, def)?;
                        // SAFETY: see `compiled`.
                        let n = unsafe { (*callee).param_slots };
                        regs.copy(0, $base, n);
                        switch_to!(inst, def, callee);
                    }};
                }
                // Return from the current frame (results already at `fp..`).
                macro_rules! ret {
                    () => {{
                        match self.frames.pop() {
                            None => return Ok(()),
                            Some(caller) => {
                                if caller.inst != cur.inst {
                                    ctx = self.ctx(caller.inst);
                                }
                                cur = caller;
                                // SAFETY: see `compiled`.
                                f = unsafe { &*cur.func };
                                code = Code::new(&f.code);
                                pc = cur.pc;
                                fp = cur.fp;
                                regs = Regs::new(stack, fp);
                                mem = ctx.memory0();
                            }
                        }
                    }};
                }
                // Call store function `$func` with arguments at `$base`, as a tail call if `$tail`.
                macro_rules! call_store_func {
                    ($func:expr, $base:expr, $tail:expr) => {{
                        let func: u32 = $func;
                        let base: u32 = $base;
                        match self.store.inner.funcs[func as usize].kind {
                            FuncKind::Wasm { instance, def } => {
                                if $tail {
                                    tail_to!(instance, def, base);
                                } else {
                                    enter!(instance, def, base);
                                }
                            }
                            FuncKind::Host { host } => {
                                let (inst, def) = (cur.inst, cur.def);
                                if let Err(e) = self.call_host_at(stack, fp + base as usize, func, host, inst) {
                                    return Err(e.with_function(self.func_name(inst, def)));
                                }
                                regs = Regs::new(stack, fp);
                                mem = ctx.memory0();
                                if $tail {
                                    let n = self.store.inner.funcs[func as usize].ty.result_slots();
                                    regs.copy(0, base, n);
                                    ret!();
                                }
                            }
                        }
                    }};
                }

                loop {
                    let instr = code.fetch(pc);
                    pc += 1;
                    match *instr {
                        $( Instr::$un { d, a } => {
                            let $ux = <$ui as Slot>::from_slot(g!(a));
                            let v: $uo = $ue;
                            regs.set(d, v.to_slot());
                        } )*
                        $( Instr::$ut { d, a } => {
                            let $tx = <$ti as Slot>::from_slot(g!(a));
                            let v: $to = t!($te);
                            regs.set(d, v.to_slot());
                        } )*
                        $(
                            Instr::$bin { d, a, b } => {
                                let $ba = <$bi as Slot>::from_slot(g!(a));
                                let $bb = <$bi as Slot>::from_slot(g!(b));
                                let v: $bo = $be;
                                regs.set(d, v.to_slot());
                            }
                            $( Instr::$bimm { d, a, imm } => {
                                let $ba = <$bi as Slot>::from_slot(g!(a));
                                let $bb = imm as $bi;
                                let v: $bo = $be;
                                regs.set(d, v.to_slot());
                            } )?
                        )*
                        $( Instr::$bt { d, a, b } => {
                            let $ca = <$ci as Slot>::from_slot(g!(a));
                            let $cb = <$ci as Slot>::from_slot(g!(b));
                            let v: $co = t!($ce);
                            regs.set(d, v.to_slot());
                        } )*
                        $( Instr::$l { d, a, off } => {
                            let bytes = t!(mem.load::<{ std::mem::size_of::<$lm>() }>(g!(a) as u32, off));
                            regs.set(d, (<$lm>::from_le_bytes(bytes) as $ls).to_slot());
                        } )*
                        $( Instr::$st { a, v, off } => {
                            let x = <$ss as Slot>::from_slot(g!(v)) as $sm;
                            t!(mem.store(g!(a) as u32, off, x.to_le_bytes()));
                        } )*
                        $(
                            Instr::$br { a, b, t } => {
                                let ($ra, $rb) = (g!(a) as i32, g!(b) as i32);
                                if $re {
                                    pc = t as usize;
                                }
                            }
                            Instr::$brimm { a, imm, t } => {
                                let ($ra, $rb) = (g!(a) as i32, imm);
                                if $re {
                                    pc = t as usize;
                                }
                            }
                        )*
                        Instr::Copy { d, s } => regs.set(d, g!(s)),
                        Instr::Copy2 { d, s } => regs.set128(d, regs.get128(s)),
                        Instr::CopySpan { d, s, n } => regs.copy(d, s, n),
                        Instr::Const32 { d, v } => regs.set(d, v as u64),
                        Instr::Const64 { d, v } => regs.set(d, v),
                        Instr::Const128 { d, idx } => regs.set128(d, f.consts[idx as usize]),
                        Instr::Select { d, c, b } => {
                            if g!(c) as u32 == 0 {
                                regs.set(d, g!(b));
                            }
                        }
                        Instr::Select2 { d, c, b } => {
                            if g!(c) as u32 == 0 {
                                regs.set128(d, regs.get128(b));
                            }
                        }
                        Instr::Br { t } => pc = t as usize,
                        Instr::BrIfNez { c, t } => {
                            if g!(c) as u32 != 0 {
                                pc = t as usize;
                            }
                        }
                        Instr::BrIfEqz { c, t } => {
                            if g!(c) as u32 == 0 {
                                pc = t as usize;
                            }
                        }
                        Instr::BrTable { i, n } => pc += (g!(i) as u32).min(n) as usize,
                        Instr::Return0 => ret!(),
                        Instr::Return1 { s } => {
                            regs.set(0, g!(s));
                            ret!();
                        }
                        Instr::ReturnSpan { s, n } => {
                            regs.copy(0, s, n);
                            ret!();
                        }
                        Instr::Call { f: def, base } => enter!(cur.inst, def, base),
                        Instr::CallImport { f: func, base } => call_store_func!(ctx.func(func), base, false),
                        Instr::CallIndirect { ty, i, base } => {
                            let target = t!(self.indirect_target(ctx, 0, g!(i) as u32, ty));
                            call_store_func!(target, base, false);
                        }
                        Instr::CallIndirectT { ty, i, base } => {
                            let Instr::Aux { v: table } = *code.fetch(pc) else { unreachable!("call_indirect without table") };
                            pc += 1;
                            let target = t!(self.indirect_target(ctx, table, g!(i) as u32, ty));
                            call_store_func!(target, base, false);
                        }
                        Instr::ReturnCall { f: def, base } => tail_to!(cur.inst, def, base),
                        Instr::ReturnCallImport { f: func, base } => call_store_func!(ctx.func(func), base, true),
                        Instr::ReturnCallIndirect { ty, i, base } => {
                            let target = t!(self.indirect_target(ctx, 0, g!(i) as u32, ty));
                            call_store_func!(target, base, true);
                        }
                        Instr::ReturnCallIndirectT { ty, i, base } => {
                            let Instr::Aux { v: table } = *code.fetch(pc) else { unreachable!("call_indirect without table") };
                            let target = t!(self.indirect_target(ctx, table, g!(i) as u32, ty));
                            call_store_func!(target, base, true);
                        }
                        Instr::Aux { .. } => unreachable!("immediate executed as an instruction"),
                        Instr::Unreachable => t!(Err(TrapCode::Unreachable)),
                        Instr::Meter { count, gas } => {
                            let counters = self.store.inner.vmstore.get_mut();
                            counters.instruction_count += count as u64;
                            counters.gas_used += gas as u64;
                            if counters.gas_used > counters.gas_limit {
                                counters.gas_used = counters.gas_limit;
                                t!(Err(TrapCode::CostLimitExceeded));
                            }
                        }
                        Instr::CheckInterrupt => {
                            if interrupt.load(Ordering::Relaxed) {
                                t!(Err(TrapCode::Interrupted));
                            }
                        }
                        Instr::GlobalGet { d, g } => regs.set(d, ctx.global_get(g) as u64),
                        Instr::GlobalSet { s, g } => ctx.global_set(g, g!(s) as u128),
                        Instr::GlobalGet2 { d, g } => regs.set128(d, ctx.global_get(g)),
                        Instr::GlobalSet2 { s, g } => ctx.global_set(g, regs.get128(s)),
                        Instr::MemorySize { d } => regs.set(d, (mem.len() as u64) / crate::vm::PAGE_SIZE),
                        Instr::MemoryGrow { d, a } => {
                            let delta = g!(a) as u32 as u64;
                            let idx = self.store.inner.instances[cur.inst as usize].memories[mem_idx as usize];
                            let old = self.store.inner.memories[idx as usize].grow(delta);
                            regs.set(d, old.map_or(u32::MAX, |o| o as u32) as u64);
                            mem = ctx.memory(mem_idx);
                        }
                        Instr::MemoryFill { base } => {
                            let (dst, val, n) = (g!(base) as u32, g!(base + 1) as u8, g!(base + 2) as u32);
                            t!(bulk::fill(mem.bytes(), dst, val, n));
                        }
                        Instr::MemoryCopy { base } => {
                            let (dst, src, n) = (g!(base) as u32, g!(base + 1) as u32, g!(base + 2) as u32);
                            t!(bulk::copy_within(mem.bytes(), dst, src, n));
                        }
                        Instr::SelectMem { m } => {
                            mem = ctx.memory(m);
                            mem_idx = m;
                        }
                        Instr::MemoryCopyMulti { base, dst_mem, src_mem } => {
                            let (dst, src, n) = (g!(base) as u32, g!(base + 1) as u32, g!(base + 2) as u32);
                            let (to, from) = (ctx.memory(dst_mem), ctx.memory(src_mem));
                            if dst_mem == src_mem {
                                t!(bulk::copy_within(to.bytes(), dst, src, n));
                            } else {
                                // Distinct memories are distinct mappings: the two slices do not overlap.
                                t!(bulk::init(to.bytes(), from.bytes(), dst, src, n, TrapCode::MemoryOutOfBounds));
                            }
                        }
                        Instr::MemoryInit { seg, base } => {
                            let (dst, src, n) = (g!(base) as u32, g!(base + 1) as u32, g!(base + 2) as u32);
                            let inst = &self.store.inner.instances[cur.inst as usize];
                            let data = &inst.module.inner.bytes[inst.datas[seg as usize].clone()];
                            t!(bulk::init(mem.bytes(), data, dst, src, n, TrapCode::MemoryOutOfBounds));
                        }
                        Instr::DataDrop { seg } => {
                            self.store.inner.instances[cur.inst as usize].datas[seg as usize] = 0..0;
                        }
                        Instr::TableGet { d, i, t } => {
                            regs.set(d, t!(ctx.table_get(t, g!(i) as u32).ok_or(TrapCode::TableOutOfBounds)));
                        }
                        Instr::TableSet { i, v, t } => {
                            let (i, v) = (g!(i) as u32 as usize, g!(v));
                            let table = self.table_mut(cur.inst, t);
                            *t!(table.elements_mut().get_mut(i).ok_or(TrapCode::TableOutOfBounds)) = v;
                        }
                        Instr::TableSize { d, t } => {
                            regs.set(d, self.table_mut(cur.inst, t).elements().len() as u64);
                        }
                        Instr::TableGrow { base, t } => {
                            let (init, delta) = (g!(base), g!(base + 1) as u32 as u64);
                            let old = self.table_mut(cur.inst, t).grow(delta, init);
                            regs.set(base, old.map_or(u32::MAX, |o| o as u32) as u64);
                        }
                        Instr::TableFill { base, t } => {
                            let (i, val, n) = (g!(base) as u32, g!(base + 1), g!(base + 2) as u32);
                            let table = self.table_mut(cur.inst, t);
                            t!(bulk::fill(table.elements_mut(), i, val, n).map_err(|_| TrapCode::TableOutOfBounds));
                        }
                        Instr::TableCopy { base, dst, src } => {
                            let (d, s, n) = (g!(base) as u32, g!(base + 1) as u32, g!(base + 2) as u32);
                            t!(self.table_copy(cur.inst, dst, src, d, s, n));
                        }
                        Instr::TableInit { base, seg } => {
                            let Instr::Aux { v: table } = *code.fetch(pc) else { unreachable!("table.init without table") };
                            pc += 1;
                            let (d, s, n) = (g!(base) as u32, g!(base + 1) as u32, g!(base + 2) as u32);
                            let inner = &mut self.store.inner;
                            let inst = &inner.instances[cur.inst as usize];
                            let elems = &inst.elems[seg as usize];
                            let table = &mut inner.tables[inst.tables[table as usize] as usize];
                            t!(bulk::init(table.elements_mut(), elems, d, s, n, TrapCode::TableOutOfBounds));
                        }
                        Instr::ElemDrop { seg } => {
                            self.store.inner.instances[cur.inst as usize].elems[seg as usize] = Box::new([]);
                        }
                        Instr::RefFunc { d, f: func } => regs.set(d, ctx.func(func) as u64 + 1),
                        Instr::Simd { op, d, a, b } => simd::exec(regs, op, d, a, b),
                        Instr::SimdLane { op, lane, d, a, b } => simd::exec_lane(regs, op, lane, d, a, b),
                        Instr::Shuffle { d, a, b } => {
                            let Instr::Aux { v: idx } = *code.fetch(pc) else { unreachable!("shuffle without mask") };
                            pc += 1;
                            regs.set128(d, simd::shuffle(regs.get128(a), regs.get128(b), f.consts[idx as usize]));
                        }
                        Instr::VLoad { kind, d, a, off } => {
                            let v = simd::vload(kind, t!(load_bytes(mem, g!(a) as u32, off, kind.size())));
                            regs.set128(d, v);
                        }
                        Instr::VStore { a, v, off } => {
                            t!(mem.store(g!(a) as u32, off, regs.get128(v).to_le_bytes()));
                        }
                        Instr::VLoadLane { width, lane, d, base, off } => {
                            let bytes = t!(load_bytes(mem, g!(base) as u32, off, width as usize));
                            let x = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
                            let v = regs.get128(base + 1);
                            let v = match width {
                                1 => simd::with_lane(v, lane as usize, x as u8),
                                2 => simd::with_lane(v, lane as usize, x as u16),
                                4 => simd::with_lane(v, lane as usize, x as u32),
                                _ => simd::with_lane(v, lane as usize, x),
                            };
                            regs.set128(d, v);
                        }
                        Instr::VStoreLane { width, lane, base, off } => {
                            let v = regs.get128(base + 1);
                            let (addr, i) = (g!(base) as u32, lane as usize);
                            t!(match width {
                                1 => mem.store(addr, off, simd::lane::<u8>(v, i).to_le_bytes()),
                                2 => mem.store(addr, off, simd::lane::<u16>(v, i).to_le_bytes()),
                                4 => mem.store(addr, off, simd::lane::<u32>(v, i).to_le_bytes()),
                                _ => mem.store(addr, off, simd::lane::<u64>(v, i).to_le_bytes()),
                            });
                        }
                    }
                }
            }
        }
    };
}

for_each_op!(define_execute);
