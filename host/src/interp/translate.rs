//! Translation of a validated function body into interpreter code, on the function's first call.
//!
//! The translator walks the operators once, keeping a compile-time model of the operand stack: every entry
//! knows its type and its *natural slot* (where its value lives in the frame, fixed by the static stack
//! height). An entry produced by `local.get` is an *alias*: it reads the local's slot directly and costs no
//! instruction. Aliases are written out to their natural slots ("materialised") wherever the local could
//! change underneath them: before a `local.set`/`local.tee` of that local, and at the start of every block,
//! so no alias crosses a control-flow boundary.
//!
//! Frame layout: `[params | declared locals | operand stack ...]`; a call passes its arguments at the top of
//! the caller's operand stack, which becomes the callee's parameter area, and the callee leaves its results
//! there.

use wasmparser::{BlockType, FunctionBody, Operator};

use super::CompiledFunc;
use super::ir::{self, Instr, MemOp, NumShape, Numeric, S};
use super::simd;
use crate::error::{Error, Result};
use crate::module::ModuleInner;
use crate::types::ValType;

/// Where an operand's value is until it is materialised in its natural slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Src {
    /// In its natural slot.
    Natural,
    /// In the slot of a local (it came from `local.get`).
    Local(S),
    /// A constant not written anywhere yet (it came from `*.const`); raw slot bits.
    Const(u64),
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    ty: ValType,
    /// Natural slot.
    slot: S,
    src: Src,
}

impl Entry {
    /// The slot holding the value; constants must be materialised first.
    fn read(&self) -> S {
        match self.src {
            Src::Local(l) => l,
            _ => self.slot,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The function body itself: branching to it returns.
    Func,
    Block,
    Loop,
    If,
    Else,
    /// A block, loop or if inside unreachable code: only its nesting is tracked.
    Dead,
}

struct Ctrl {
    kind: Kind,
    /// Operand stack length at the start of the frame, parameters excluded.
    height: usize,
    /// Where the frame's branch values go: results for blocks, parameters for loops.
    base: S,
    params: Vec<ValType>,
    results: Vec<ValType>,
    label: usize,
    /// For `if`: the label of the else arm.
    else_label: Option<usize>,
    /// For `if` with parameters: the parameters are kept below the arm (at `base - param slots`) so the
    /// else arm gets them too. 0 otherwise.
    saved: usize,
    unreachable: bool,
}

#[derive(Default)]
struct Label {
    target: Option<u32>,
    fixups: Vec<usize>,
}

pub(crate) struct Translator<'m> {
    module: &'m ModuleInner,
    code: Vec<Instr>,
    consts: Vec<u128>,
    locals: Vec<(ValType, S)>,
    local_slots: S,
    param_slots: S,
    stack: Vec<Entry>,
    ctrl: Vec<Ctrl>,
    labels: Vec<Label>,
    max_slots: S,
    /// The instruction that produced the top entry, if its destination may be redirected to a local.
    fusable: Option<usize>,
    /// Metering: the current `Meter` instruction.
    meter: Option<usize>,
    /// Natural slots popped by `pop_reg` since the last instruction was emitted: their values die with the
    /// instruction about to be emitted (every caller of `pop_reg` emits the instruction that reads them
    /// next, and none pushes an entry that still refers to them).
    popped: Vec<S>,
    /// Where the last label was bound (a label bound where the next instruction goes makes it a branch
    /// target).
    last_bound: Option<u32>,
    /// Candidates for the accumulator (`ir::acc`): an instruction and the slot it writes, whose value only
    /// the next instruction reads. Checked again and turned into modes by `acc_modes`.
    acc_pairs: Vec<(usize, S)>,
    metering: bool,
    interruptible: bool,
    results: Vec<ValType>,
}

fn block_type(module: &ModuleInner, ty: BlockType) -> (Vec<ValType>, Vec<ValType>) {
    match ty {
        BlockType::Empty => (vec![], vec![]),
        BlockType::Type(t) => (vec![], vec![ValType::from_wasmparser(t).unwrap_or(ValType::I32)]),
        BlockType::FuncType(idx) => {
            let ft = &module.types[idx as usize];
            (ft.params().to_vec(), ft.results().to_vec())
        }
    }
}

fn slots(tys: &[ValType]) -> u32 {
    tys.iter().map(|t| t.slots()).sum()
}

/// The accumulator modes (`ir::acc`) of `code`: for each candidate pair the translator recorded (an
/// instruction, the slot it writes, and the promise that only the next instruction reads that value), the
/// producer leaves the value in the accumulator and the next instruction takes it from there, provided
/// the pair still holds in the final code: the producer still writes that slot, the next instruction
/// reads it in exactly one of its two accumulator positions, and no branch lands on the next instruction.
fn acc_modes(code: &[Instr], pairs: &[(usize, S)]) -> Vec<u8> {
    let mut modes = vec![0u8; code.len()];
    // A `br_table`'s entries count as jumped to; they are `Br`s, never accumulator users, but say so.
    let landings = super::loops::landings(code);
    for &(p, slot) in pairs {
        let q = p + 1;
        if q >= code.len() || landings[q] != 0 || code[p].acc_dst() != Some(slot) || modes[p] & ir::acc::OUT != 0 {
            continue;
        }
        let Some(bit) = code[q].acc_position(slot) else { continue };
        modes[p] |= ir::acc::OUT;
        modes[q] |= bit;
    }
    modes
}

/// Give each `Meter` whose next instruction has a handler in mode `METER` that mode (with the next
/// instruction's own mode), so that one dispatch charges the block and runs its first instruction.
fn fuse_meters(code: &[Instr], modes: &mut [u8]) {
    for k in 0..code.len().saturating_sub(1) {
        if matches!(code[k], Instr::Meter { .. }) {
            let mode = modes[k + 1] | ir::acc::METER;
            if super::exec::try_handler_of(&code[k + 1], mode).is_some() {
                modes[k] = mode;
            }
        }
    }
}

/// Translate defined function `def` of `module`.
pub(crate) fn translate(module: &ModuleInner, def: usize) -> Result<CompiledFunc> {
    let func_index = module.num_imported_funcs as usize + def;
    let ty = module.types[module.funcs[func_index] as usize].clone();
    let range = module.bodies[def].clone();
    let body = FunctionBody::new(wasmparser::BinaryReader::new(&module.bytes[range.clone()], range.start as u64));
    let config = module.engine.config();
    let mut t = Translator {
        module,
        code: Vec::new(),
        consts: Vec::new(),
        locals: Vec::new(),
        local_slots: 0,
        param_slots: 0,
        stack: Vec::new(),
        ctrl: Vec::new(),
        labels: Vec::new(),
        max_slots: 0,
        fusable: None,
        meter: None,
        popped: Vec::new(),
        last_bound: None,
        acc_pairs: Vec::new(),
        metering: config.count_instructions || config.meter_gas,
        interruptible: config.interruptible,
        results: ty.results().to_vec(),
    };
    for &p in ty.params() {
        t.add_local(p);
    }
    t.param_slots = t.local_slots;
    let locals = body.get_locals_reader().map_err(|e| Error::malformed(e.message(), e.offset()))?;
    for local in locals {
        let (count, vt) = local.map_err(|e| Error::malformed(e.message(), e.offset()))?;
        let vt = ValType::from_wasmparser(vt)?;
        for _ in 0..count {
            t.add_local(vt);
        }
    }
    t.max_slots = t.local_slots;
    let label = t.new_label();
    t.ctrl.push(Ctrl {
        kind: Kind::Func,
        height: 0,
        base: 0,
        params: vec![],
        results: ty.results().to_vec(),
        label,
        else_label: None,
        saved: 0,
        unreachable: false,
    });
    t.start_block();
    if t.interruptible {
        t.emit(Instr::CheckInterrupt);
    }
    let mut reader = body.get_operators_reader().map_err(|e| Error::malformed(e.message(), e.offset()))?;
    while !reader.eof() {
        let offset = reader.original_position();
        let op = reader.read().map_err(|e| Error::malformed(e.message(), e.offset()))?;
        t.op(op).map_err(|e| if e.offset().is_none() { e.with_offset(offset) } else { e })?;
    }
    // The executor reads registers and fetches instructions without bounds checks; establish here what
    // makes that sound: the frame covers every slot any instruction touches, every branch lands inside
    // the code, and falling off the end hits `Unreachable` instead of running past it.
    t.emit(Instr::Unreachable);
    let mut modes = acc_modes(&t.code, &t.acc_pairs);
    super::loops::drop_branches_to_next(&mut t.code, &mut modes);
    super::loops::thread_back_edges(&mut t.code, &mut modes);
    super::loops::carry_induction(&mut t.code, &mut modes);
    fuse_meters(&t.code, &mut modes);
    if std::env::var_os("WASMEDGE_DUMP_INTERP").is_some() {
        let name = module.func_name(func_index as u32);
        let listing: String = t
            .code
            .iter()
            .zip(&modes)
            .enumerate()
            .map(|(pc, (i, &mode))| {
                let flag = |bit, c| if mode & bit != 0 { c } else { ' ' };
                let mode =
                    [flag(ir::acc::METER, 'm'), flag(ir::acc::A, 'a'), flag(ir::acc::B, 'b'), flag(ir::acc::OUT, '>')];
                format!("  {pc:4}: {} {i:?}\n", String::from_iter(mode))
            })
            .collect();
        eprintln!("interpreter code of {name} ({} slots):\n{listing}", t.max_slots);
    }
    let len = t.code.len();
    // `exec::link` turns targets into byte distances of 32 bits.
    if len.saturating_mul(std::mem::size_of::<super::mem::Op>()) > i32::MAX as usize {
        return Err(Error::unsupported(format!(
            "function {} is too large for the interpreter ({len} instructions)",
            module.func_name(func_index as u32)
        )));
    }
    let mut frame_slots = (t.max_slots + 2).max(t.local_slots);
    for instr in t.code.iter_mut() {
        frame_slots = frame_slots.max(instr.slot_end());
        if let Some(&mut target) = instr.target_mut()
            && target as usize >= len
        {
            return Err(Error::api(format!(
                "internal error: branch target {target} outside function of {len} instructions"
            )));
        }
    }
    Ok(CompiledFunc {
        code: super::exec::link(t.code, &modes),
        consts: t.consts.into_boxed_slice(),
        param_slots: t.param_slots,
        local_slots: t.local_slots,
        frame_slots,
        fast_slots: CompiledFunc::fast_slots(t.param_slots, t.local_slots, frame_slots),
    })
}

impl<'m> Translator<'m> {
    fn add_local(&mut self, ty: ValType) {
        self.locals.push((ty, self.local_slots));
        self.local_slots += ty.slots();
    }

    // ---- emission -------------------------------------------------------------------------------------

    fn emit(&mut self, instr: Instr) -> usize {
        if self.last_bound != Some(self.pc())
            && let Some(p) = self.code.len().checked_sub(1)
            && let Some(d) = self.code[p].acc_dst()
            && self.popped.contains(&d)
        {
            self.acc_pairs.push((p, d));
        }
        self.popped.clear();
        self.code.push(instr);
        self.fusable = None;
        self.code.len() - 1
    }

    fn pc(&self) -> u32 {
        self.code.len() as u32
    }

    fn new_label(&mut self) -> usize {
        self.labels.push(Label::default());
        self.labels.len() - 1
    }

    /// Bind `label` to the current position and patch every branch to it.
    fn bind(&mut self, label: usize) {
        let pc = self.pc();
        let fixups = std::mem::take(&mut self.labels[label].fixups);
        self.labels[label].target = Some(pc);
        for at in fixups {
            match self.code[at].target_mut() {
                Some(t) => *t = pc,
                None => unreachable!("fixup on {:?}", self.code[at]),
            }
        }
        self.fusable = None;
        self.last_bound = Some(pc);
    }

    fn label_used(&self, label: usize) -> bool {
        !self.labels[label].fixups.is_empty() || self.labels[label].target.is_some()
    }

    /// The target of `label`, recording a fixup at `at` when it is not bound yet.
    fn target(&mut self, label: usize, at: usize) -> u32 {
        match self.labels[label].target {
            Some(t) => t,
            None => {
                self.labels[label].fixups.push(at);
                u32::MAX
            }
        }
    }

    fn emit_br(&mut self, label: usize) {
        let at = self.code.len();
        let t = self.target(label, at);
        self.emit(Instr::Br { t });
        // A constant or a copy just before (a result on its way out of a block) goes with the branch,
        // unless a label lands on the branch. (No entry of a `br_table` follows either.)
        if let Some((mov, br)) = self.last_two()
            && let Some(fused) = ir::fuse_move_branch(&mov, &br)
        {
            self.replace_last_two(fused);
        }
    }

    /// Start a metered block: later operators add their cost to this `Meter`.
    fn start_block(&mut self) {
        if self.metering {
            let meter = if self.module.engine.config().uniform_costs() {
                Instr::Meter { gas: 0 }
            } else {
                Instr::MeterCount { count: 0, gas: 0 }
            };
            self.meter = Some(self.emit(meter));
        }
    }

    fn charge(&mut self, op: &Operator<'_>) {
        if let Some(at) = self.meter {
            match &mut self.code[at] {
                Instr::Meter { gas } => *gas = gas.saturating_add(1),
                Instr::MeterCount { count, gas } => {
                    let cost = self.module.engine.config().gas_cost(opcode_byte(op));
                    *count = count.saturating_add(1);
                    *gas = gas.saturating_add(cost.min(u32::MAX as u64) as u32);
                }
                _ => {}
            }
        }
    }

    // ---- the operand stack ----------------------------------------------------------------------------

    /// The natural slot of the next pushed entry.
    fn top_slot(&self) -> S {
        self.stack.last().map_or(self.local_slots, |e| e.slot + e.ty.slots())
    }

    fn push(&mut self, ty: ValType) -> S {
        let slot = self.top_slot();
        self.stack.push(Entry { ty, slot, src: Src::Natural });
        self.max_slots = self.max_slots.max(slot + ty.slots());
        slot
    }

    fn pop(&mut self) -> Entry {
        // Validation guarantees the operand is there; in unreachable code the caller never gets here.
        self.stack.pop().expect("validated operand stack")
    }

    /// Write the aliases and constants among `range` of the stack out to their natural slots.
    fn materialize(&mut self, range: std::ops::Range<usize>) {
        for i in range {
            let e = self.stack[i];
            self.write_to(e, e.slot);
            self.stack[i].src = Src::Natural;
        }
    }

    /// Emit what puts entry `e`'s value into slot `d` (nothing if it is there already).
    fn write_to(&mut self, e: Entry, d: S) {
        match e.src {
            Src::Const(v) => self.emit_const(e.ty, d, v),
            _ => self.emit_copy(e.ty, d, e.read()),
        }
    }

    fn emit_const(&mut self, ty: ValType, d: S, v: u64) {
        if v >> 32 == 0 && ty != ValType::I64 && ty != ValType::F64 {
            self.emit(Instr::Const32 { d, v: v as u32 });
        } else {
            self.emit(Instr::Const64 { d, v });
        }
    }

    fn materialize_top(&mut self, n: usize) {
        let len = self.stack.len();
        self.materialize(len - n..len);
    }

    /// Pop an operand and return the slot holding it (writing a constant to its natural slot first).
    pub(super) fn pop_reg(&mut self) -> S {
        let e = self.pop();
        match e.src {
            Src::Const(v) => self.emit_const(e.ty, e.slot, v),
            Src::Natural => self.popped.push(e.slot),
            Src::Local(_) => {}
        }
        e.read()
    }

    fn materialize_all(&mut self) {
        self.materialize(0..self.stack.len());
    }

    /// Materialise every alias of the local at `slot`, before it is overwritten.
    fn preserve_local(&mut self, slot: S) {
        for i in 0..self.stack.len() {
            if self.stack[i].src == Src::Local(slot) {
                let e = self.stack[i];
                self.emit_copy(e.ty, e.slot, slot);
                self.stack[i].src = Src::Natural;
            }
        }
    }

    fn emit_copy(&mut self, ty: ValType, d: S, s: S) {
        if d != s {
            self.emit(if ty == ValType::V128 { Instr::Copy2 { d, s } } else { Instr::Copy { d, s } });
        }
    }

    /// Copy the top `tys.len()` entries to the frame slots starting at `dst`.
    fn copy_top_to(&mut self, tys_len: usize, dst: S) {
        let start = self.stack.len() - tys_len;
        let mut d = dst;
        for i in start..self.stack.len() {
            let e = self.stack[i];
            self.write_to(e, d);
            d += e.ty.slots();
        }
    }

    fn needs_copy(&self, n: usize, dst: S) -> bool {
        let start = self.stack.len() - n;
        let mut d = dst;
        for e in &self.stack[start..] {
            if matches!(e.src, Src::Const(_)) || e.read() != d {
                return true;
            }
            d += e.ty.slots();
        }
        false
    }

    fn set_unreachable(&mut self) {
        let frame = self.ctrl.last_mut().expect("control frame");
        frame.unreachable = true;
        let h = frame.height + frame.saved;
        self.stack.truncate(h);
    }

    // ---- branches ------------------------------------------------------------------------------------

    fn frame_at(&self, depth: u32) -> usize {
        self.ctrl.len() - 1 - depth as usize
    }

    fn branch_arity(&self, frame: usize) -> usize {
        let f = &self.ctrl[frame];
        if f.kind == Kind::Loop { f.params.len() } else { f.results.len() }
    }

    /// Emit the copies and jump of a taken branch to frame `frame` (the values stay modelled on the stack).
    fn emit_branch(&mut self, frame: usize) {
        if self.ctrl[frame].kind == Kind::Func {
            self.emit_return();
            return;
        }
        let n = self.branch_arity(frame);
        let base = self.ctrl[frame].base;
        self.copy_top_to(n, base);
        let label = self.ctrl[frame].label;
        self.emit_br(label);
    }

    /// Emit a return of the top entries. Branches to the function frame use this too, on paths that may
    /// not be taken (`br_if`, `br_table` stubs), so it writes values out without changing the model.
    fn emit_return(&mut self) {
        let n = self.results.len();
        let top = self.stack.len() - n;
        match n {
            0 => {
                self.emit(Instr::Return0);
            }
            1 if self.results[0] != ValType::V128 => {
                let e = self.stack[top];
                if let Src::Const(v) = e.src {
                    // Results go to slot 0 onwards; a constant can be written there directly.
                    self.emit_const(e.ty, 0, v);
                    self.emit(Instr::Return0);
                } else {
                    if e.src == Src::Natural {
                        // Nothing runs after the return: its value may come from the accumulator.
                        self.popped.push(e.slot);
                    }
                    self.emit(Instr::Return1 { s: e.read() });
                }
            }
            _ => {
                // Gather the values in their natural slots first: copying straight to slot 0.. could
                // overwrite a local that a later value still reads.
                for i in top..self.stack.len() {
                    let e = self.stack[i];
                    self.write_to(e, e.slot);
                }
                let s = self.stack[top].slot;
                self.emit(Instr::ReturnSpan { s, n: slots(&self.results) });
            }
        }
    }

    // ---- operators -----------------------------------------------------------------------------------

    fn op(&mut self, op: Operator<'_>) -> Result<()> {
        let frame = self.ctrl.last().expect("control frame");
        if frame.unreachable {
            return self.unreachable_op(op);
        }
        self.charge(&op);
        if let Some(n) = ir::numeric(&op) {
            return self.numeric(n);
        }
        if let Some(mem) = ir::memory_op(&op) {
            return self.memory(mem);
        }
        use Operator as O;
        match op {
            O::Unreachable => {
                self.emit(Instr::Unreachable);
                self.set_unreachable();
            }
            O::Nop => {}
            O::Block { blockty } => self.block(Kind::Block, blockty),
            O::Loop { blockty } => self.block(Kind::Loop, blockty),
            O::If { blockty } => self.if_(blockty),
            O::Else => self.else_(),
            O::End => self.end(),
            O::Br { relative_depth } => {
                let f = self.frame_at(relative_depth);
                self.emit_branch(f);
                self.set_unreachable();
            }
            O::BrIf { relative_depth } => self.br_if(relative_depth),
            O::BrTable { targets } => {
                let depths = targets
                    .targets()
                    .chain(std::iter::once(Ok(targets.default())))
                    .collect::<std::result::Result<Vec<u32>, _>>()
                    .map_err(|e| Error::malformed(e.message(), e.offset()))?;
                self.br_table(&depths);
            }
            O::Return => {
                self.emit_return();
                self.set_unreachable();
            }
            O::Call { function_index } => self.call(function_index, false),
            O::ReturnCall { function_index } => self.call(function_index, true),
            O::CallIndirect { type_index, table_index } => self.call_indirect(type_index, table_index, false),
            O::ReturnCallIndirect { type_index, table_index } => self.call_indirect(type_index, table_index, true),
            O::Drop => {
                self.pop();
            }
            O::Select => self.select(),
            O::TypedSelect { .. } => self.select(),
            O::LocalGet { local_index } => {
                let (ty, slot) = self.locals[local_index as usize];
                self.push(ty);
                self.stack.last_mut().expect("pushed").src = Src::Local(slot);
            }
            O::LocalSet { local_index } => {
                self.local_set(local_index, false);
            }
            O::LocalTee { local_index } => {
                self.local_set(local_index, true);
            }
            O::GlobalGet { global_index } => {
                let ty = self.module.globals[global_index as usize].content;
                let d = self.push(ty);
                let g = global_index;
                self.emit_result(if ty == ValType::V128 {
                    Instr::GlobalGet2 { d, g }
                } else {
                    Instr::GlobalGet { d, g }
                });
            }
            O::GlobalSet { global_index } => {
                let ty = self.stack.last().expect("validated operand").ty;
                let (s, g) = (self.pop_reg(), global_index);
                self.emit(if ty == ValType::V128 { Instr::GlobalSet2 { s, g } } else { Instr::GlobalSet { s, g } });
            }
            O::MemorySize { mem } => {
                let d = self.push(ValType::I32);
                self.on_memory(mem, |t| t.emit_result(Instr::MemorySize { d }));
            }
            O::MemoryGrow { mem } => {
                let a = self.pop_reg();
                let d = self.push(ValType::I32);
                self.on_memory(mem, |t| t.emit_result(Instr::MemoryGrow { d, a }));
            }
            O::MemoryFill { mem } => {
                let base = self.pop_operands(3);
                self.on_memory(mem, |t| {
                    t.emit(Instr::MemoryFill { base });
                });
            }
            O::MemoryCopy { dst_mem: 0, src_mem: 0 } => {
                let base = self.pop_operands(3);
                self.emit(Instr::MemoryCopy { base });
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                let base = self.pop_operands(3);
                self.emit(Instr::MemoryCopyMulti { base, dst_mem, src_mem });
            }
            O::MemoryInit { data_index, mem } => {
                let base = self.pop_operands(3);
                self.on_memory(mem, |t| {
                    t.emit(Instr::MemoryInit { seg: data_index, base });
                });
            }
            O::DataDrop { data_index } => {
                self.emit(Instr::DataDrop { seg: data_index });
            }
            O::I32Const { value } => self.constant(ValType::I32, value as u32 as u64),
            O::I64Const { value } => self.constant(ValType::I64, value as u64),
            O::F32Const { value } => self.constant(ValType::F32, value.bits() as u64),
            O::F64Const { value } => self.constant(ValType::F64, value.bits()),
            O::I32ReinterpretF32 => self.retype(ValType::I32),
            O::I64ReinterpretF64 => self.retype(ValType::I64),
            O::F32ReinterpretI32 => self.retype(ValType::F32),
            O::F64ReinterpretI64 => self.retype(ValType::F64),
            O::RefNull { hty } => {
                let ty =
                    if matches!(hty, wasmparser::HeapType::Abstract { ty: wasmparser::AbstractHeapType::Extern, .. }) {
                        ValType::ExternRef
                    } else {
                        ValType::FuncRef
                    };
                self.constant(ty, 0);
            }
            O::RefIsNull => {
                let a = self.pop_reg();
                let d = self.push(ValType::I32);
                self.emit_result(Instr::I64Eqz { d, a });
            }
            O::RefFunc { function_index } => {
                let d = self.push(ValType::FuncRef);
                self.emit_result(Instr::RefFunc { d, f: function_index });
            }
            O::TableGet { table } => {
                let i = self.pop_reg();
                let ty = self.module.tables[table as usize].element;
                let d = self.push(ty);
                self.emit_result(Instr::TableGet { d, i, t: table });
            }
            O::TableSet { table } => {
                let v = self.pop_reg();
                let i = self.pop_reg();
                self.emit(Instr::TableSet { i, v, t: table });
            }
            O::TableSize { table } => {
                let d = self.push(ValType::I32);
                self.emit_result(Instr::TableSize { d, t: table });
            }
            O::TableGrow { table } => {
                let base = self.pop_operands(2);
                self.push(ValType::I32);
                self.emit(Instr::TableGrow { base, t: table });
            }
            O::TableFill { table } => {
                let base = self.pop_operands(3);
                self.emit(Instr::TableFill { base, t: table });
            }
            O::TableCopy { dst_table, src_table } => {
                let base = self.pop_operands(3);
                self.emit(Instr::TableCopy { base, dst: dst_table, src: src_table });
            }
            O::TableInit { elem_index, table } => {
                let base = self.pop_operands(3);
                self.emit(Instr::TableInit { base, seg: elem_index });
                self.emit(Instr::Aux { v: table });
            }
            O::ElemDrop { elem_index } => {
                self.emit(Instr::ElemDrop { seg: elem_index });
            }
            other => return simd::translate(self, other),
        }
        Ok(())
    }

    /// Skip an operator in unreachable code, tracking nesting so `else`/`end` of the frame are found.
    fn unreachable_op(&mut self, op: Operator<'_>) -> Result<()> {
        match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                let height = self.stack.len();
                self.ctrl.push(Ctrl {
                    kind: Kind::Dead,
                    height,
                    base: 0,
                    params: vec![],
                    results: vec![],
                    label: usize::MAX,
                    else_label: None,
                    saved: 0,
                    unreachable: true,
                });
                Ok(())
            }
            Operator::Else => {
                self.else_();
                Ok(())
            }
            Operator::End => {
                self.end();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn emit_result(&mut self, instr: Instr) {
        let at = self.emit(instr);
        self.fusable = Some(at);
    }

    /// Push a constant; it costs an instruction only if it must be written to a slot.
    fn constant(&mut self, ty: ValType, v: u64) {
        self.push(ty);
        self.stack.last_mut().expect("pushed").src = Src::Const(v);
    }

    pub(super) fn constant128(&mut self, v: u128) {
        let d = self.push(ValType::V128);
        let idx = self.add_const(v);
        self.emit(Instr::Const128 { d, idx });
    }

    fn retype(&mut self, ty: ValType) {
        let fusable = self.fusable;
        self.stack.last_mut().expect("validated operand").ty = ty;
        self.fusable = fusable;
    }

    /// Pop `n` operands after writing them to consecutive natural slots; returns the first slot.
    pub(super) fn pop_operands(&mut self, n: usize) -> S {
        self.materialize_top(n);
        let base = self.stack[self.stack.len() - n].slot;
        self.stack.truncate(self.stack.len() - n);
        base
    }

    fn numeric(&mut self, n: Numeric) -> Result<()> {
        let instr = match n.shape {
            NumShape::Unary => {
                let a = self.pop_reg();
                let d = self.push(n.out);
                (n.make)(d, a, 0)
            }
            NumShape::Binary => {
                let rhs = *self.stack.last().expect("validated operand");
                let imm = match (rhs.src, n.make_imm) {
                    // An i32 constant, or an i64 constant that fits in 32 bits, becomes an immediate.
                    (Src::Const(v), Some(make_imm)) if rhs.ty == ValType::I32 || v as i64 == v as i32 as i64 => {
                        Some((make_imm, v as i32))
                    }
                    _ => None,
                };
                match imm {
                    Some((make_imm, imm)) => {
                        self.pop();
                        let a = self.pop_reg();
                        let d = self.push(n.out);
                        make_imm(d, a, imm)
                    }
                    None => {
                        let b = self.pop_reg();
                        let a = self.pop_reg();
                        let d = self.push(n.out);
                        (n.make)(d, a, b)
                    }
                }
            }
        };
        self.emit_result(instr);
        Ok(())
    }

    fn memory(&mut self, op: MemOp) -> Result<()> {
        match op {
            MemOp::Load { make_at, ty, memarg, .. }
                if memarg.offset == 0 && super::ir::memory_index(&memarg) == 0 && self.address_add().is_some() =>
            {
                // `i32.add(x, C)` just computed the address: load from `(x + C) mod 2^32` in one instruction.
                let (at, a, imm) = self.address_add().expect("checked above");
                self.pop();
                let d = self.push(ty);
                self.code[at] = make_at(d, a, imm);
                self.fusable = Some(at);
            }
            MemOp::Load { make, ty, memarg, .. } => {
                let a = self.pop_reg();
                let d = self.push(ty);
                self.on_memory(super::ir::memory_index(&memarg), |t| t.emit_result(make(d, a, memarg.offset as u32)));
            }
            MemOp::Store { make_at, make_imm_at, bytes, memarg, .. }
                if memarg.offset == 0
                    && super::ir::memory_index(&memarg) == 0
                    && self.store_address_add().is_some() =>
            {
                // `i32.add(x, C)` computed the address just before the value was pushed (a local or a
                // constant, which emit nothing): store to `(x + C) mod 2^32` in one instruction.
                let (at, a, imm) = self.store_address_add().expect("checked above");
                let value = self.pop();
                self.pop();
                let constant = match (value.src, make_imm_at) {
                    (Src::Const(v), Some(make)) if bytes <= 4 || v as i64 == v as i32 as i64 => Some((make, v as i32)),
                    _ => None,
                };
                self.code[at] = match constant {
                    Some((make, v)) => make(a, imm, v),
                    None => {
                        if let Src::Const(v) = value.src {
                            // Written where the add was, then the store: the same order as before.
                            self.code.truncate(at);
                            self.acc_pairs.retain(|&(p, _)| p + 1 < at);
                            self.emit_const(value.ty, value.slot, v);
                            self.code.push(make_at(a, value.slot, imm));
                            self.fusable = None;
                            return Ok(());
                        }
                        make_at(a, value.read(), imm)
                    }
                };
                self.fusable = None;
            }
            MemOp::Store { make_imm: Some(make_imm), bytes, memarg, .. }
                if matches!(self.stack.last().map(|e| e.src), Some(Src::Const(v))
                    if bytes <= 4 || v as i64 == v as i32 as i64) =>
            {
                // A constant value: narrow stores keep only its low bytes, 8-byte ones need it to fit
                // in a sign-extended immediate.
                let Src::Const(v) = self.pop().src else { unreachable!("checked above") };
                let a = self.pop_reg();
                self.on_memory(super::ir::memory_index(&memarg), |t| {
                    t.emit(make_imm(a, memarg.offset as u32, v as i32));
                });
            }
            MemOp::Store { make, memarg, .. } => {
                let v = self.pop_reg();
                let a = self.pop_reg();
                self.on_memory(super::ir::memory_index(&memarg), |t| {
                    t.emit(make(a, v, memarg.offset as u32));
                });
            }
        }
        Ok(())
    }

    /// Emit what `emit` emits so that it works on memory `m`: memory 0 needs nothing, any other memory is
    /// selected before and deselected after (multi-memory).
    pub(super) fn on_memory(&mut self, m: u32, emit: impl FnOnce(&mut Self)) {
        if m == 0 {
            emit(self);
        } else {
            self.emit(Instr::SelectMem { m });
            emit(self);
            self.emit(Instr::SelectMem { m: 0 });
        }
    }

    pub(super) fn push_result(&mut self, ty: ValType, make: impl FnOnce(S) -> Instr) {
        let d = self.push(ty);
        let instr = make(d);
        self.emit_result(instr);
    }

    pub(super) fn emit_plain(&mut self, instr: Instr) {
        self.emit(instr);
    }

    pub(super) fn add_const(&mut self, v: u128) -> u32 {
        self.consts.push(v);
        self.consts.len() as u32 - 1
    }

    fn select(&mut self) {
        let c = self.pop_reg();
        // A constant second operand that `Const32` would write becomes the instruction's immediate.
        let len = self.stack.len();
        if let Src::Const(v) = self.stack[len - 1].src
            && v >> 32 == 0
            && !matches!(self.stack[len - 1].ty, ValType::I64 | ValType::F64 | ValType::V128)
        {
            self.pop();
            let a = self.pop();
            let d = self.push(a.ty);
            self.write_to(a, d);
            self.emit(Instr::SelectImm { d, c, imm: v as u32 });
            self.fuse_global_select();
            return;
        }
        let b = self.pop_reg();
        let a = self.pop();
        let d = self.push(a.ty);
        self.write_to(a, d);
        self.emit(if a.ty == ValType::V128 { Instr::Select2 { d, c, b } } else { Instr::Select { d, c, b } });
    }

    /// The `SelectImm` just put last, when the instruction before it read its condition from a hot
    /// global into an operand slot and no label lands on it: both as one `SelectGlobalImm` (asyncify's
    /// `select(x, K, global.get $state)`).
    fn fuse_global_select(&mut self) {
        let Some((read, Instr::SelectImm { d, c, imm })) = self.last_two() else { return };
        if let Some((slot, g)) = self.hot_global_read(read)
            && slot == c
        {
            self.replace_last_two(Instr::SelectGlobalImm { d, g: g as u8, imm });
        }
    }

    fn local_set(&mut self, index: u32, tee: bool) {
        let slot = self.locals[index as usize].1;
        let fusable = self.fusable;
        let v = self.pop();
        if v.src == Src::Local(slot) {
            if tee {
                self.stack.push(v);
            }
            return;
        }
        self.preserve_local(slot);
        // If the value came from the last instruction (and `preserve_local` emitted nothing), make that
        // instruction write the local directly.
        let fused = match fusable {
            Some(at) if at + 1 == self.code.len() && v.src == Src::Natural => match self.code[at].dst_mut() {
                Some(d) if *d == v.slot => {
                    *d = slot;
                    true
                }
                _ => false,
            },
            _ => false,
        };
        if !fused {
            self.write_to(v, slot);
        }
        if tee {
            self.stack.push(if fused { Entry { src: Src::Local(slot), ..v } } else { v });
        }
    }

    // ---- control -------------------------------------------------------------------------------------

    fn block(&mut self, kind: Kind, blockty: BlockType) {
        self.materialize_all();
        let (params, results) = block_type(self.module, blockty);
        let height = self.stack.len() - params.len();
        let base = if params.is_empty() { self.top_slot() } else { self.stack[height].slot };
        let label = self.new_label();
        if kind == Kind::Loop {
            self.bind(label);
            self.start_block();
            if self.interruptible {
                self.emit(Instr::CheckInterrupt);
            }
        }
        self.ctrl.push(Ctrl {
            kind,
            height,
            base,
            params,
            results,
            label,
            else_label: None,
            saved: 0,
            unreachable: false,
        });
    }

    fn if_(&mut self, blockty: BlockType) {
        let producer = self.producer_of_top();
        let c = self.pop_reg();
        self.materialize_all();
        let (params, results) = block_type(self.module, blockty);
        let np = params.len();
        let height = self.stack.len() - np;
        let label = self.new_label();
        let else_label = self.new_label();
        self.cond_branch(producer, c, true, else_label);
        self.start_block();
        let (base, saved) = if np == 0 {
            (self.top_slot(), 0)
        } else {
            // Keep the parameters for the else arm; the then arm works on a copy above them.
            let orig = self.stack[height].slot;
            let n = slots(&params);
            let base = self.top_slot();
            self.emit(Instr::CopySpan { d: base, s: orig, n });
            for &p in &params {
                self.push(p);
            }
            (base, np)
        };
        self.ctrl.push(Ctrl {
            kind: Kind::If,
            height,
            base,
            params,
            results,
            label,
            else_label: Some(else_label),
            saved,
            unreachable: false,
        });
    }

    fn else_(&mut self) {
        let frame = self.ctrl.last().expect("if frame");
        if frame.kind == Kind::Dead {
            return;
        }
        if !frame.unreachable {
            let n = frame.results.len();
            let base = frame.base;
            let label = frame.label;
            self.copy_top_to(n, base);
            self.emit_br(label);
        }
        let frame = self.ctrl.last_mut().expect("if frame");
        frame.kind = Kind::Else;
        frame.unreachable = false;
        let else_label = frame.else_label.take().expect("if has an else label");
        let (height, saved, base) = (frame.height, frame.saved, frame.base);
        let params = frame.params.clone();
        self.stack.truncate(height + saved);
        self.bind(else_label);
        self.start_block();
        if saved > 0 {
            let orig = self.stack[height].slot;
            self.emit(Instr::CopySpan { d: base, s: orig, n: slots(&params) });
        }
        for p in params {
            self.push(p);
        }
    }

    fn end(&mut self) {
        {
            let frame = self.ctrl.last().expect("frame");
            if frame.kind == Kind::If {
                // An `if` without `else`: the false path passes the parameters through.
                self.else_();
            }
        }
        let frame = self.ctrl.pop().expect("frame");
        if frame.kind == Kind::Dead {
            return;
        }
        if frame.kind == Kind::Func {
            if !frame.unreachable {
                self.emit_return();
            }
            return;
        }
        if !frame.unreachable {
            let n = frame.results.len();
            if frame.kind == Kind::Loop {
                self.materialize_top(n);
            } else {
                self.copy_top_to(n, frame.base);
            }
        }
        let reachable = !frame.unreachable || (frame.kind != Kind::Loop && self.label_used(frame.label));
        if frame.kind != Kind::Loop {
            self.bind(frame.label);
        }
        self.stack.truncate(frame.height);
        let out_base = self.top_slot();
        if frame.saved > 0 && reachable {
            self.emit(Instr::CopySpan { d: out_base, s: frame.base, n: slots(&frame.results) });
        }
        for &r in &frame.results {
            self.push(r);
        }
        if frame.kind != Kind::Loop {
            self.start_block();
        }
        if !reachable {
            self.set_unreachable();
        }
    }

    /// When the top entry is the result of the `i32.add` of a constant just emitted: its position, operand
    /// and constant.
    fn address_add(&self) -> Option<(usize, S, u32)> {
        let (at, slot) = self.producer_of_top()?;
        match self.code[at] {
            Instr::I32AddImm { d, a, imm } if at + 1 == self.code.len() && d == slot => Some((at, a, imm as u32)),
            _ => None,
        }
    }

    /// For a store: when the address (below the value) is the result of the `i32.add` of a constant that is
    /// the last instruction emitted, and the value emitted nothing: the add's position, operand and
    /// constant.
    fn store_address_add(&self) -> Option<(usize, S, u32)> {
        let len = self.stack.len();
        let (addr, value) = (self.stack.get(len.checked_sub(2)?)?, self.stack.last()?);
        if addr.src != Src::Natural || value.src == Src::Natural {
            return None;
        }
        let at = self.fusable?;
        match self.code[at] {
            Instr::I32AddImm { d, a, imm } if at + 1 == self.code.len() && d == addr.slot => Some((at, a, imm as u32)),
            _ => None,
        }
    }

    /// The instruction that produced the top entry and its slot, if a branch on it may be fused into it.
    fn producer_of_top(&self) -> Option<(usize, S)> {
        let top = self.stack.last()?;
        (top.src == Src::Natural).then_some(())?;
        self.fusable.map(|at| (at, top.slot))
    }

    /// Jump to `label` when `c` is non-zero (or zero, if `negate`). When `c` is the result of the i32
    /// comparison just emitted (`producer`), the comparison itself becomes the branch.
    fn cond_branch(&mut self, producer: Option<(usize, S)>, c: S, negate: bool, label: usize) {
        if let Some((at, slot)) = producer
            && at + 1 == self.code.len()
            && self.code[at].dst_mut().is_some_and(|d| *d == slot)
            && let Some(mut fused) = ir::fuse_compare(&self.code[at], negate)
        {
            let target = self.target(label, at);
            if let Some(t) = fused.target_mut() {
                *t = target;
            }
            self.code[at] = fused;
            self.fusable = None;
            self.fuse_latch();
            self.fuse_global_test();
            return;
        }
        let at = self.code.len();
        let t = self.target(label, at);
        self.emit(if negate { Instr::BrIfEqz { c, t } } else { Instr::BrIfNez { c, t } });
        self.fuse_latch();
        self.fuse_global_test();
    }

    /// The compare-and-branch `cond_branch` just put last: when it tests, against an immediate, the value
    /// that the instruction before it read from a hot global into an operand slot, and no label lands
    /// on the branch, make the two one `GlobalBr`.
    fn fuse_global_test(&mut self) {
        let Some((read, branch)) = self.last_two() else { return };
        let Some((d, g)) = self.hot_global_read(read) else { return };
        let Some(fused) = ir::fuse_global(g, d, &branch) else { return };
        self.replace_last_two(fused);
    }

    /// For a `global.get` of a hot global (`exec::HOT_GLOBALS`) into an operand slot: that slot and the
    /// global. Not when the slot is below `local_slots`: a local that `local.tee` made the read's
    /// destination, which stays live.
    fn hot_global_read(&self, instr: Instr) -> Option<(S, u32)> {
        match instr {
            Instr::GlobalGet { d, g } if d >= self.local_slots && (g as usize) < super::exec::HOT_GLOBALS => {
                Some((d, g))
            }
            _ => None,
        }
    }

    /// The compare-and-branch `cond_branch` just put last: when the instruction before it adds to the slot
    /// it compares (`i += step; if i < n`), and no label lands on the branch, make the two one instruction.
    fn fuse_latch(&mut self) {
        let Some((update, branch)) = self.last_two() else { return };
        let Some(fused) = ir::fuse_step(&update, &branch) else { return };
        self.replace_last_two(fused);
    }

    /// The last two instructions, when no label lands on the second: a pair that may become one.
    fn last_two(&self) -> Option<(Instr, Instr)> {
        let at = self.code.len().checked_sub(1)?;
        if at == 0 || self.last_bound == Some(at as u32) {
            return None;
        }
        Some((self.code[at - 1], self.code[at]))
    }

    /// Replace the last two instructions by `fused` (which branches where the second did, if it did).
    fn replace_last_two(&mut self, fused: Instr) {
        let at = self.code.len() - 1;
        // The branch moves up by one: so do its pending fixups. Accumulator pairs with either
        // instruction no longer hold.
        for label in &mut self.labels {
            for f in label.fixups.iter_mut().filter(|f| **f == at) {
                *f = at - 1;
            }
        }
        self.acc_pairs.retain(|&(p, _)| p + 2 < at);
        self.code.truncate(at - 1);
        self.code.push(fused);
        self.fusable = None;
    }

    fn br_if(&mut self, depth: u32) {
        let producer = self.producer_of_top();
        let c = self.pop_reg();
        let f = self.frame_at(depth);
        let simple = self.ctrl[f].kind != Kind::Func && {
            let n = self.branch_arity(f);
            !self.needs_copy(n, self.ctrl[f].base)
        };
        if simple {
            let label = self.ctrl[f].label;
            self.cond_branch(producer, c, false, label);
        } else {
            let skip = self.new_label();
            self.cond_branch(producer, c, true, skip);
            self.emit_branch(f);
            self.bind(skip);
        }
        self.start_block();
    }

    fn br_table(&mut self, depths: &[u32]) {
        let i = self.pop_reg();
        let n = depths.len() as u32 - 1;
        self.emit(Instr::BrTable { i, n });
        let mut stubs = Vec::new();
        for &depth in depths {
            let f = self.frame_at(depth);
            let direct = self.ctrl[f].kind != Kind::Func && !self.needs_copy(self.branch_arity(f), self.ctrl[f].base);
            if direct {
                let label = self.ctrl[f].label;
                self.emit_br(label);
            } else {
                let stub = self.new_label();
                self.emit_br(stub);
                stubs.push((stub, f));
            }
        }
        for (stub, f) in stubs {
            self.bind(stub);
            self.emit_branch(f);
        }
        self.set_unreachable();
    }

    fn call_args(&mut self, params: usize) -> S {
        self.materialize_top(params);
        if params == 0 { self.top_slot() } else { self.stack[self.stack.len() - params].slot }
    }

    fn call(&mut self, function_index: u32, tail: bool) {
        let ty = self.module.func_type(function_index).clone();
        let base = self.call_args(ty.params().len());
        let imported = function_index < self.module.num_imported_funcs;
        let def = function_index.wrapping_sub(self.module.num_imported_funcs);
        self.emit(match (imported, tail) {
            (false, false) => Instr::Call { f: def, base },
            (true, false) => Instr::CallImport { f: function_index, base },
            (false, true) => Instr::ReturnCall { f: def, base },
            (true, true) => Instr::ReturnCallImport { f: function_index, base },
        });
        self.finish_call(ty.params().len(), ty.results(), tail);
    }

    fn call_indirect(&mut self, type_index: u32, table: u32, tail: bool) {
        let i = self.pop_reg();
        let ty = self.module.types[type_index as usize].clone();
        let base = self.call_args(ty.params().len());
        let ty_idx = type_index;
        self.emit(match (table == 0, tail) {
            (true, false) => Instr::CallIndirect { ty: ty_idx, i, base },
            (false, false) => Instr::CallIndirectT { ty: ty_idx, i, base },
            (true, true) => Instr::ReturnCallIndirect { ty: ty_idx, i, base },
            (false, true) => Instr::ReturnCallIndirectT { ty: ty_idx, i, base },
        });
        if table != 0 {
            self.emit(Instr::Aux { v: table });
        }
        self.finish_call(ty.params().len(), ty.results(), tail);
    }

    fn finish_call(&mut self, params: usize, results: &[ValType], tail: bool) {
        self.stack.truncate(self.stack.len() - params);
        for &r in results {
            self.push(r);
        }
        if tail {
            self.set_unreachable();
        } else {
            self.start_block();
        }
    }
}

/// The first byte of an operator's encoding, which indexes the gas cost table.
pub(crate) fn opcode_byte(op: &Operator<'_>) -> u8 {
    use Operator as O;
    match op {
        O::Unreachable => 0x00,
        O::Nop => 0x01,
        O::Block { .. } => 0x02,
        O::Loop { .. } => 0x03,
        O::If { .. } => 0x04,
        O::Else => 0x05,
        O::End => 0x0B,
        O::Br { .. } => 0x0C,
        O::BrIf { .. } => 0x0D,
        O::BrTable { .. } => 0x0E,
        O::Return => 0x0F,
        O::Call { .. } => 0x10,
        O::CallIndirect { .. } => 0x11,
        O::ReturnCall { .. } => 0x12,
        O::ReturnCallIndirect { .. } => 0x13,
        O::Drop => 0x1A,
        O::Select => 0x1B,
        O::TypedSelect { .. } => 0x1C,
        O::LocalGet { .. } => 0x20,
        O::LocalSet { .. } => 0x21,
        O::LocalTee { .. } => 0x22,
        O::GlobalGet { .. } => 0x23,
        O::GlobalSet { .. } => 0x24,
        O::TableGet { .. } => 0x25,
        O::TableSet { .. } => 0x26,
        O::I32Const { .. } => 0x41,
        O::I64Const { .. } => 0x42,
        O::F32Const { .. } => 0x43,
        O::F64Const { .. } => 0x44,
        O::RefNull { .. } => 0xD0,
        O::RefIsNull => 0xD1,
        O::RefFunc { .. } => 0xD2,
        _ => match ir::memory_op(op) {
            Some(_) => 0x28,
            None if simd::is_simd(op) => 0xFD,
            None if ir::numeric(op).is_some() => 0x6A,
            None => 0xFC,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ir::acc::{A, B, OUT};

    #[test]
    fn a_value_read_only_by_the_next_instruction_goes_through_the_accumulator() {
        let code = [
            Instr::I32AddImm { d: 4, a: 0, imm: 1 },
            Instr::I32Mul { d: 4, a: 1, b: 4 },
            Instr::Return1 { s: 4 },
            Instr::Unreachable,
        ];
        assert_eq!(acc_modes(&code, &[(0, 4), (1, 4)]), [OUT, B | OUT, A, 0]);
    }

    #[test]
    fn no_accumulator_into_a_branch_target() {
        let code = [Instr::I32AddImm { d: 4, a: 0, imm: 1 }, Instr::BrIfNez { c: 4, t: 1 }, Instr::Unreachable];
        assert_eq!(acc_modes(&code, &[(0, 4)]), [0, 0, 0]);
        // Nor into an entry of a `br_table`.
        let code = [
            Instr::I32AddImm { d: 4, a: 0, imm: 1 },
            Instr::BrTable { i: 4, n: 0 },
            Instr::Br { t: 0 },
            Instr::Unreachable,
        ];
        assert_eq!(acc_modes(&code, &[(0, 4)]), [OUT, A, 0, 0]);
    }

    #[test]
    fn no_accumulator_when_the_pair_no_longer_holds() {
        // The consumer reads the value twice.
        let code = [Instr::I32AddImm { d: 4, a: 0, imm: 1 }, Instr::I32Mul { d: 5, a: 4, b: 4 }, Instr::Unreachable];
        assert_eq!(acc_modes(&code, &[(0, 4)]), [0, 0, 0]);
        // The producer was rewritten to write elsewhere, or is no producer.
        let code = [Instr::I32AddImm { d: 3, a: 0, imm: 1 }, Instr::I32Mul { d: 5, a: 4, b: 1 }, Instr::Unreachable];
        assert_eq!(acc_modes(&code, &[(0, 4)]), [0, 0, 0]);
        let code = [Instr::Copy { d: 4, s: 0 }, Instr::I32Mul { d: 5, a: 4, b: 1 }, Instr::Unreachable];
        assert_eq!(acc_modes(&code, &[(0, 4)]), [0, 0, 0]);
        // The next instruction does not take operands from the accumulator, or not that one.
        let code = [Instr::I32AddImm { d: 4, a: 0, imm: 1 }, Instr::Copy { d: 1, s: 4 }, Instr::Unreachable];
        assert_eq!(acc_modes(&code, &[(0, 4)]), [0, 0, 0]);
        let code = [Instr::I32AddImm { d: 4, a: 0, imm: 1 }, Instr::Select { d: 4, c: 5, b: 6 }, Instr::Unreachable];
        assert_eq!(acc_modes(&code, &[(0, 4)]), [0, 0, 0]);
        // The pair points past the code.
        let code = [Instr::I32AddImm { d: 4, a: 0, imm: 1 }];
        assert_eq!(acc_modes(&code, &[(0, 4)]), [0]);
    }

    #[test]
    fn stores_take_the_address_or_the_value() {
        let code = [
            Instr::I32AddImm { d: 4, a: 0, imm: 1 },
            Instr::I32Store { a: 1, v: 4, off: 0 },
            Instr::I32AddImm { d: 4, a: 0, imm: 1 },
            Instr::I32Store { a: 4, v: 1, off: 0 },
            Instr::Unreachable,
        ];
        assert_eq!(acc_modes(&code, &[(0, 4), (2, 4)]), [OUT, B, OUT, A, 0]);
    }
}
