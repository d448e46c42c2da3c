//! Wasm to Cranelift IR: one validated function body at a time, plus the trampolines around it.
//!
//! Values live in SSA form: the wasm operand stack is a `Vec<Value>` during translation, locals are
//! frontend `Variable`s, and control-flow merges are block parameters. References are `i64` raw values
//! (0 = null, otherwise store function index + 1), as in the interpreter.
//!
//! Calling convention of every wasm function (Cranelift's `tail`, so `return_call` works everywhere):
//! `(vmctx, caller_vmctx, params…) -> results`. `vmctx` is the callee's instance context; host-call
//! trampolines get the store function index in its place.

use std::collections::HashMap;

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{F32, F64, I8, I8X16, I16, I32, I64};
use cranelift_codegen::ir::{
    self, AbiParam, ArgumentPurpose, Block, BlockArg, ExtFuncData, ExternalName, GlobalValueData, InstBuilder,
    JumpTableData, MemFlagsData, Signature, StackSlotData, StackSlotKind, TrapCode as ClTrap, UserExternalName, Value,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, Variable};
use wasmparser::{BlockType, FunctionBody, MemArg, Operator};

use crate::error::{Error, Result, TrapCode};
use crate::module::ModuleInner;
use crate::types::{FuncType, ValType};
use crate::vm::offsets as off;

/// Name spaces of the functions in a module's code image.
pub(super) const NS_FUNC: u32 = 0;
pub(super) const NS_ARRAY: u32 = 1;
pub(super) const NS_HOST: u32 = 2;

/// The trap code of "a builtin or host function parked an error in the activation".
pub(super) const TRAP_PENDING: u8 = 100;

/// Indices into `vm::native::BUILTINS`.
mod builtin {
    pub const HOST_CALL: usize = 0;
    pub const MEMORY_GROW: usize = 1;
    pub const MEMORY_FILL: usize = 2;
    pub const MEMORY_COPY: usize = 3;
    pub const MEMORY_INIT: usize = 4;
    pub const DATA_DROP: usize = 5;
    pub const TABLE_GROW: usize = 6;
    pub const TABLE_FILL: usize = 7;
    pub const TABLE_COPY: usize = 8;
    pub const TABLE_INIT: usize = 9;
    pub const ELEM_DROP: usize = 10;
}

fn trap(code: TrapCode) -> ClTrap {
    ClTrap::unwrap_user(code as u8)
}

pub(super) fn unsupported(what: &str) -> Error {
    Error::unsupported(format!("the compiler does not support {what} yet"))
}

pub(super) fn ir_type(t: ValType) -> Result<ir::Type> {
    Ok(match t {
        ValType::I32 => I32,
        ValType::I64 | ValType::FuncRef | ValType::ExternRef => I64,
        ValType::F32 => F32,
        ValType::F64 => F64,
        ValType::V128 => I8X16,
    })
}

/// The native signature of a wasm function of type `ty`.
pub(super) fn wasm_signature(ty: &FuncType) -> Result<Signature> {
    let mut sig = Signature::new(CallConv::Tail);
    sig.params.push(AbiParam::special(I64, ArgumentPurpose::VMContext));
    sig.params.push(AbiParam::new(I64));
    for &p in ty.params() {
        sig.params.push(AbiParam::new(ir_type(p)?));
    }
    for &r in ty.results() {
        sig.returns.push(AbiParam::new(ir_type(r)?));
    }
    Ok(sig)
}

/// The signature of array-call trampolines: `extern "C" fn(vmctx, values: *mut u128)`.
pub(super) fn array_signature() -> Signature {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.push(AbiParam::new(I64));
    sig.params.push(AbiParam::new(I64));
    sig
}

fn flags_ro() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly().with_can_move()
}

fn flags_rw() -> MemFlagsData {
    MemFlagsData::trusted()
}

pub(super) fn heap_flags() -> MemFlagsData {
    MemFlagsData::new().with_trap_code(Some(ClTrap::HEAP_OUT_OF_BOUNDS))
}

/// Shared helpers of the function translator and the trampolines.
pub(super) struct Emit<'f> {
    pub(super) b: FunctionBuilder<'f>,
    builtin_sigs: HashMap<usize, ir::SigRef>,
}

impl Emit<'_> {
    fn load(&mut self, ty: ir::Type, flags: MemFlagsData, base: Value, offset: usize) -> Value {
        self.b.ins().load(ty, flags, base, offset as i32)
    }

    fn builtin_sig(&mut self, index: usize, params: &[ir::Type]) -> ir::SigRef {
        if let Some(&s) = self.builtin_sigs.get(&index) {
            return s;
        }
        let mut sig = Signature::new(CallConv::SystemV);
        sig.params.push(AbiParam::new(I64));
        for &p in params {
            sig.params.push(AbiParam::new(p));
        }
        sig.returns.push(AbiParam::new(I32));
        let s = self.b.import_signature(sig);
        self.builtin_sigs.insert(index, s);
        s
    }

    /// Call builtin `index` with `(vmctx, args…)`; its `i32` result.
    fn call_builtin(&mut self, vmctx: Value, index: usize, args: &[Value]) -> Value {
        let types: Vec<ir::Type> = args.iter().map(|&a| self.b.func.dfg.value_type(a)).collect();
        let sig = self.builtin_sig(index, &types);
        let store = self.load(I64, flags_ro(), vmctx, off::CTX_STORE);
        let table = self.load(I64, flags_ro(), store, off::STORE_BUILTINS);
        let f = self.load(I64, flags_ro(), table, index * 8);
        let mut all = vec![vmctx];
        all.extend_from_slice(args);
        let call = self.b.ins().call_indirect(sig, f, &all);
        self.b.inst_results(call)[0]
    }

    /// Call a status builtin: a nonzero result means it parked an error, and native code traps.
    fn call_checked(&mut self, vmctx: Value, index: usize, args: &[Value]) {
        let status = self.call_builtin(vmctx, index, args);
        self.b.ins().trapnz(status, ClTrap::unwrap_user(TRAP_PENDING));
    }

    fn zero(&mut self, ty: ir::Type) -> Value {
        match ty {
            F32 => self.b.ins().f32const(0.0),
            F64 => self.b.ins().f64const(0.0),
            I8X16 => self.vconst(ty, [0; 16]),
            _ => self.b.ins().iconst(ty, 0),
        }
    }

    /// A vector constant.
    pub(super) fn vconst(&mut self, ty: ir::Type, bytes: [u8; 16]) -> Value {
        let c = self.b.func.dfg.constants.insert(ir::ConstantData::from(&bytes[..]));
        self.b.ins().vconst(ty, c)
    }

    /// Vector `v` seen as type `ty` (a free reinterpretation).
    pub(super) fn vec(&mut self, v: Value, ty: ir::Type) -> Value {
        if self.b.func.dfg.value_type(v) == ty {
            return v;
        }
        let flags = MemFlagsData::new().with_endianness(ir::Endianness::Little);
        self.b.ins().bitcast(ty, flags, v)
    }
}

/// Build the array-call trampoline of defined function `def`: load the arguments from `values`, call the
/// function, store its results back.
pub(super) fn array_trampoline(
    func: &mut ir::Function,
    fctx: &mut cranelift_frontend::FunctionBuilderContext,
    cfg: TargetFrontendConfig,
    m: &ModuleInner,
    def: u32,
) -> Result<()> {
    let ty = m.func_type(m.num_imported_funcs + def).clone();
    func.signature = array_signature();
    let mut e = Emit { b: FunctionBuilder::new(func, fctx), builtin_sigs: HashMap::new() };
    let callee_sig = e.b.import_signature(wasm_signature(&ty)?);
    let name = e.b.func.declare_imported_user_function(UserExternalName::new(NS_FUNC, def));
    let callee = e.b.import_function(ExtFuncData {
        name: ExternalName::user(name),
        signature: callee_sig,
        colocated: true,
        patchable: false,
    });
    let entry = e.b.create_block();
    e.b.append_block_params_for_function_params(entry);
    e.b.switch_to_block(entry);
    e.b.seal_block(entry);
    let (vmctx, values) = (e.b.block_params(entry)[0], e.b.block_params(entry)[1]);
    let mut args = vec![vmctx, vmctx];
    for (i, &p) in ty.params().iter().enumerate() {
        args.push(e.load(ir_type(p)?, flags_rw(), values, i * 16));
    }
    let call = e.b.ins().call(callee, &args);
    let results = e.b.inst_results(call).to_vec();
    for (i, r) in results.into_iter().enumerate() {
        e.b.ins().store(flags_rw(), r, values, (i * 16) as i32);
    }
    e.b.ins().return_(&[]);
    e.b.finalize(cfg);
    Ok(())
}

/// Build the host-call trampoline of type `ty_index`: a wasm-convention function that passes its
/// arguments to the runtime in a stack buffer and returns what the runtime wrote there.
pub(super) fn host_trampoline(
    func: &mut ir::Function,
    fctx: &mut cranelift_frontend::FunctionBuilderContext,
    cfg: TargetFrontendConfig,
    m: &ModuleInner,
    ty_index: u32,
) -> Result<()> {
    let ty = m.types[ty_index as usize].clone();
    func.signature = wasm_signature(&ty)?;
    let mut e = Emit { b: FunctionBuilder::new(func, fctx), builtin_sigs: HashMap::new() };
    let entry = e.b.create_block();
    e.b.append_block_params_for_function_params(entry);
    e.b.switch_to_block(entry);
    e.b.seal_block(entry);
    let params = e.b.block_params(entry).to_vec();
    let (func_index, caller) = (params[0], params[1]);
    let n = ty.params().len().max(ty.results().len()).max(1);
    let slot = e.b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, (n * 16) as u32, 4));
    let buf = e.b.ins().stack_addr(I64, slot, 0);
    for (i, &p) in params[2..].iter().enumerate() {
        // Store the full 16 bytes' low part; the runtime reads only the type's width.
        e.b.ins().store(flags_rw(), p, buf, (i * 16) as i32);
    }
    e.call_checked(caller, builtin::HOST_CALL, &[func_index, buf]);
    let mut results = Vec::new();
    for (i, &r) in ty.results().iter().enumerate() {
        results.push(e.load(ir_type(r)?, flags_rw(), buf, i * 16));
    }
    e.b.ins().return_(&results);
    e.b.finalize(cfg);
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

struct Ctrl {
    kind: Kind,
    /// Where `br` to this frame goes: the loop header, or `next`.
    dest: Block,
    /// The block after `end`.
    next: Block,
    params: usize,
    results: usize,
    /// The operand stack height below the frame's parameters.
    height: usize,
    /// The `else` block of an `if` whose `else` was not seen yet, and the parameters to give it.
    else_block: Option<Block>,
    else_args: Vec<Value>,
    /// Whether anything branches to or falls through to `next`.
    next_reached: bool,
}

pub(super) struct Translator<'a, 'f> {
    pub(super) e: Emit<'f>,
    m: &'a ModuleInner,
    vmctx: Value,
    locals: Vec<Variable>,
    stack: Vec<Value>,
    ctrl: Vec<Ctrl>,
    reachable: bool,
    /// Blocks opened inside unreachable code (skipped until their `end`).
    dead_depth: u32,
    sigs: HashMap<u32, ir::SigRef>,
    funcs: HashMap<(u32, u32), ir::FuncRef>,
    interruptible: bool,
    metering: bool,
    /// Every instruction costs 1 gas: blocks spend their gas only, which is also their count.
    uniform_costs: bool,
    /// The open metered block: its count and gas constants (patched when the block ends) and totals.
    meter: Option<Meter>,
}

/// A metered straight-line block, as the interpreter delimits them: the counters are charged once, at its
/// start, with the count and gas of all its instructions, so both backends report the same totals.
struct Meter {
    /// `None` with uniform costs, where the count is not kept apart from the gas.
    count_inst: Option<ir::Inst>,
    gas_inst: ir::Inst,
    count: u32,
    gas: u32,
}

fn block_type(m: &ModuleInner, ty: BlockType) -> Result<(Vec<ir::Type>, Vec<ir::Type>)> {
    Ok(match ty {
        BlockType::Empty => (vec![], vec![]),
        BlockType::Type(t) => (vec![], vec![ir_type(ValType::from_wasmparser(t)?)?]),
        BlockType::FuncType(idx) => {
            let ft = &m.types[idx as usize];
            (
                ft.params().iter().map(|&t| ir_type(t)).collect::<Result<_>>()?,
                ft.results().iter().map(|&t| ir_type(t)).collect::<Result<_>>()?,
            )
        }
    })
}

/// Translate defined function `def` into `func`.
pub(super) fn function(
    func: &mut ir::Function,
    fctx: &mut cranelift_frontend::FunctionBuilderContext,
    cfg: TargetFrontendConfig,
    m: &ModuleInner,
    def: u32,
) -> Result<()> {
    let ty = m.func_type(m.num_imported_funcs + def).clone();
    func.signature = wasm_signature(&ty)?;
    // The stack limit: vmctx -> store context -> stack_limit, checked in the prologue.
    let vmctx_gv = func.create_global_value(GlobalValueData::VMContext);
    let ro = func.dfg.mem_flags.insert_unchecked(MemFlagsData::trusted().with_readonly());
    let store_gv = func.create_global_value(GlobalValueData::Load {
        base: vmctx_gv,
        offset: (off::CTX_STORE as i32).into(),
        global_type: I64,
        flags: ro,
    });
    let limit_gv = func.create_global_value(GlobalValueData::Load {
        base: store_gv,
        offset: (off::STORE_STACK_LIMIT as i32).into(),
        global_type: I64,
        flags: ro,
    });
    func.stack_limit = Some(limit_gv);

    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let params = b.block_params(entry).to_vec();
    let vmctx = params[0];
    let config = m.engine.config();
    let mut t = Translator {
        e: Emit { b, builtin_sigs: HashMap::new() },
        m,
        vmctx,
        locals: Vec::new(),
        stack: Vec::new(),
        ctrl: Vec::new(),
        reachable: true,
        dead_depth: 0,
        sigs: HashMap::new(),
        funcs: HashMap::new(),
        interruptible: config.interruptible,
        metering: config.count_instructions || config.meter_gas,
        uniform_costs: config.uniform_costs(),
        meter: None,
    };
    for (i, &p) in ty.params().iter().enumerate() {
        let var = t.e.b.declare_var(ir_type(p)?);
        t.e.b.def_var(var, params[2 + i]);
        t.locals.push(var);
    }
    let range = m.bodies[def as usize].clone();
    let body = FunctionBody::new(wasmparser::BinaryReader::new(&m.bytes[range.clone()], range.start as u64));
    let mal = |e: wasmparser::BinaryReaderError| Error::malformed(e.message(), e.offset());
    for local in body.get_locals_reader().map_err(mal)? {
        let (count, vt) = local.map_err(mal)?;
        let ty = ir_type(ValType::from_wasmparser(vt)?)?;
        let zero = t.e.zero(ty);
        for _ in 0..count {
            let var = t.e.b.declare_var(ty);
            t.e.b.def_var(var, zero);
            t.locals.push(var);
        }
    }
    let results: Vec<ir::Type> = ty.results().iter().map(|&r| ir_type(r)).collect::<Result<_>>()?;
    let ret = t.e.b.create_block();
    for &r in &results {
        t.e.b.append_block_param(ret, r);
    }
    t.ctrl.push(Ctrl {
        kind: Kind::Func,
        dest: ret,
        next: ret,
        params: 0,
        results: results.len(),
        height: 0,
        else_block: None,
        else_args: vec![],
        next_reached: false,
    });
    t.start_block();
    if t.interruptible {
        t.check_interrupt();
    }
    let mut reader = body.get_operators_reader().map_err(mal)?;
    while !reader.eof() {
        let offset = reader.original_position();
        let op = reader.read().map_err(mal)?;
        t.op(op).map_err(|e| if e.offset().is_none() { e.with_offset(offset) } else { e })?;
    }
    t.close_meter();
    t.e.b.finalize(cfg);
    Ok(())
}

macro_rules! unop {
    ($t:ident, $f:ident) => {{
        let a = $t.pop();
        let r = $t.e.b.ins().$f(a);
        $t.push(r);
    }};
}
macro_rules! binop {
    ($t:ident, $f:ident) => {{
        let b = $t.pop();
        let a = $t.pop();
        let r = $t.e.b.ins().$f(a, b);
        $t.push(r);
    }};
}
macro_rules! icmp {
    ($t:ident, $cc:ident) => {{
        let b = $t.pop();
        let a = $t.pop();
        let c = $t.e.b.ins().icmp(IntCC::$cc, a, b);
        let r = $t.e.b.ins().uextend(I32, c);
        $t.push(r);
    }};
}
macro_rules! fcmp {
    ($t:ident, $cc:ident) => {{
        let b = $t.pop();
        let a = $t.pop();
        let c = $t.e.b.ins().fcmp(FloatCC::$cc, a, b);
        let r = $t.e.b.ins().uextend(I32, c);
        $t.push(r);
    }};
}
macro_rules! conv {
    ($t:ident, $f:ident, $ty:expr) => {{
        let a = $t.pop();
        let r = $t.e.b.ins().$f($ty, a);
        $t.push(r);
    }};
}
macro_rules! load {
    ($t:ident, $m:expr, $ty:expr) => {{
        let addr = $t.addr(&$m)?;
        let r = $t.e.b.ins().load($ty, heap_flags(), addr, 0);
        $t.push(r);
    }};
    ($t:ident, $m:expr, $ty:expr, $f:ident) => {{
        let addr = $t.addr(&$m)?;
        let r = $t.e.b.ins().$f($ty, heap_flags(), addr, 0);
        $t.push(r);
    }};
}
macro_rules! store {
    ($t:ident, $m:expr) => {{
        let v = $t.pop();
        let addr = $t.addr(&$m)?;
        $t.e.b.ins().store(heap_flags(), v, addr, 0);
    }};
    ($t:ident, $m:expr, $f:ident) => {{
        let v = $t.pop();
        let addr = $t.addr(&$m)?;
        $t.e.b.ins().$f(heap_flags(), v, addr, 0);
    }};
}

impl Translator<'_, '_> {
    pub(super) fn pop(&mut self) -> Value {
        self.stack.pop().expect("validated code keeps the operand stack balanced")
    }

    pub(super) fn push(&mut self, v: Value) {
        self.stack.push(v);
    }

    fn popn(&mut self, n: usize) -> Vec<Value> {
        self.stack.split_off(self.stack.len() - n)
    }

    /// `v` in the type values have across block, call and local boundaries: vectors as `i8x16`.
    pub(super) fn canon(&mut self, v: Value) -> Value {
        let ty = self.e.b.func.dfg.value_type(v);
        if ty.is_vector() && ty != I8X16 { self.e.vec(v, I8X16) } else { v }
    }

    fn canon_all(&mut self, vals: &[Value]) -> Vec<Value> {
        vals.iter().map(|&v| self.canon(v)).collect()
    }

    fn args(&mut self, vals: &[Value]) -> Vec<BlockArg> {
        vals.iter().map(|&v| BlockArg::Value(self.canon(v))).collect()
    }

    fn peekn(&self, n: usize) -> &[Value] {
        &self.stack[self.stack.len() - n..]
    }

    fn ld(&mut self, ty: ir::Type, flags: MemFlagsData, base: Value, offset: usize) -> Value {
        self.e.load(ty, flags, base, offset)
    }

    /// Patch the open meter's constants with what its block turned out to hold.
    fn close_meter(&mut self) {
        if let Some(m) = self.meter.take() {
            if let Some(count_inst) = m.count_inst {
                self.e.b.func.replace(count_inst).iconst(I64, m.count as i64);
            }
            self.e.b.func.replace(m.gas_inst).iconst(I64, m.gas as i64);
        }
    }

    /// Start a metered block here (see [`Meter`]).
    fn start_block(&mut self) {
        if !self.metering {
            return;
        }
        self.close_meter();
        if !self.reachable {
            return;
        }
        let inst_of = |b: &FunctionBuilder<'_>, v: Value| b.func.dfg.value_def(v).unwrap_inst();
        let store = self.ld(I64, flags_ro(), self.vmctx, off::CTX_STORE);
        let count_inst = if self.uniform_costs {
            None
        } else {
            let count = self.e.b.ins().iconst(I64, 0);
            let n = self.ld(I64, flags_rw(), store, off::STORE_INSTRUCTION_COUNT);
            let n = self.e.b.ins().iadd(n, count);
            self.e.b.ins().store(flags_rw(), n, store, off::STORE_INSTRUCTION_COUNT as i32);
            Some(inst_of(&self.e.b, count))
        };
        let gas = self.e.b.ins().iconst(I64, 0);
        let gas_inst = inst_of(&self.e.b, gas);
        // Always checked: AOT code must serve runs with and without a limit (no limit leaves u64::MAX).
        let left = self.ld(I64, flags_rw(), store, off::STORE_GAS_LEFT);
        let over = self.e.b.ins().icmp(IntCC::UnsignedLessThan, left, gas);
        let (exhausted, cont) = (self.e.b.create_block(), self.e.b.create_block());
        self.e.b.set_cold_block(exhausted);
        self.e.b.ins().brif(over, exhausted, &[], cont, &[]);
        self.e.b.seal_block(exhausted);
        self.e.b.seal_block(cont);
        self.e.b.switch_to_block(exhausted);
        let zero = self.e.b.ins().iconst(I64, 0);
        self.e.b.ins().store(flags_rw(), zero, store, off::STORE_GAS_LEFT as i32);
        self.e.b.ins().trap(trap(TrapCode::CostLimitExceeded));
        self.e.b.switch_to_block(cont);
        let left = self.e.b.ins().isub(left, gas);
        self.e.b.ins().store(flags_rw(), left, store, off::STORE_GAS_LEFT as i32);
        self.meter = Some(Meter { count_inst, gas_inst, count: 0, gas: 0 });
    }

    /// Add `op` to the open metered block.
    fn charge(&mut self, op: &Operator<'_>) {
        if let Some(m) = &mut self.meter {
            let cost = self.m.engine.config().gas_cost(crate::interp::translate::opcode_byte(op));
            m.count = m.count.saturating_add(1);
            m.gas = m.gas.saturating_add(cost.min(u32::MAX as u64) as u32);
        }
    }

    fn check_interrupt(&mut self) {
        let store = self.ld(I64, flags_ro(), self.vmctx, off::CTX_STORE);
        let flag_ptr = self.ld(I64, flags_ro(), store, off::STORE_INTERRUPT);
        // An atomic load: a plain one inside a loop without stores would be merged with the first
        // iteration's by redundant-load elimination, and the loop would never see the flag change.
        let flag = self.e.b.ins().atomic_load(I8, flags_rw(), flag_ptr);
        self.e.b.ins().trapnz(flag, trap(TrapCode::Interrupted));
    }

    fn sig(&mut self, ty_index: u32) -> Result<ir::SigRef> {
        if let Some(&s) = self.sigs.get(&ty_index) {
            return Ok(s);
        }
        let s = self.e.b.import_signature(wasm_signature(&self.m.types[ty_index as usize])?);
        self.sigs.insert(ty_index, s);
        Ok(s)
    }

    /// A function of this module's code image: (name space, index).
    fn func_ref(&mut self, ns: u32, index: u32, ty_index: u32) -> Result<ir::FuncRef> {
        if let Some(&f) = self.funcs.get(&(ns, index)) {
            return Ok(f);
        }
        let signature = self.sig(ty_index)?;
        let name = self.e.b.func.declare_imported_user_function(UserExternalName::new(ns, index));
        let f = self.e.b.import_function(ExtFuncData {
            name: ExternalName::user(name),
            signature,
            colocated: true,
            patchable: false,
        });
        self.funcs.insert((ns, index), f);
        Ok(f)
    }

    /// The address of a memory access: base + zero-extended address + offset. No bounds check: every
    /// 32-bit memory reserves enough guard space that any such address faults outside the memory.
    pub(super) fn addr(&mut self, m: &MemArg) -> Result<Value> {
        let wasmparser::MemArgTarget::Memory(mem) = m.target else {
            return Err(unsupported("GC array accesses"));
        };
        let a = self.pop();
        let base = self.mem_base(mem);
        let a = self.e.b.ins().uextend(I64, a);
        let mut p = self.e.b.ins().iadd(base, a);
        if m.offset != 0 {
            if m.offset > u32::MAX as u64 {
                return Err(unsupported("memory offsets beyond 4 GiB"));
            }
            p = self.e.b.ins().iadd_imm_s(p, m.offset as i64);
        }
        Ok(p)
    }

    fn vm_memory(&mut self, mem: u32) -> Value {
        if mem == 0 {
            self.ld(I64, flags_ro(), self.vmctx, off::CTX_MEMORY0)
        } else {
            let arr = self.ld(I64, flags_ro(), self.vmctx, off::CTX_MEMORIES);
            self.ld(I64, flags_ro(), arr, mem as usize * 8)
        }
    }

    fn mem_base(&mut self, mem: u32) -> Value {
        let vm = self.vm_memory(mem);
        // A memory's base never changes (its reservation does not move when it grows).
        self.ld(I64, flags_ro(), vm, off::MEMORY_BASE)
    }

    fn vm_table(&mut self, table: u32) -> Value {
        let arr = self.ld(I64, flags_ro(), self.vmctx, off::CTX_TABLES);
        self.ld(I64, flags_ro(), arr, table as usize * 8)
    }

    /// The address of element `index` (an i32) of `table`, trapping with `code` past its end.
    fn table_elem(&mut self, table: u32, index: Value, code: TrapCode) -> Value {
        let vm = self.vm_table(table);
        let len = self.ld(I64, flags_rw(), vm, off::TABLE_LEN);
        let i = self.e.b.ins().uextend(I64, index);
        let oob = self.e.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, i, len);
        self.e.b.ins().trapnz(oob, trap(code));
        let base = self.ld(I64, flags_rw(), vm, off::TABLE_BASE);
        let scaled = self.e.b.ins().ishl_imm_s(i, 3);
        self.e.b.ins().iadd(base, scaled)
    }

    fn global_ptr(&mut self, g: u32) -> Value {
        let arr = self.ld(I64, flags_ro(), self.vmctx, off::CTX_GLOBALS);
        self.ld(I64, flags_ro(), arr, g as usize * 8)
    }

    /// Emit a call to module function `f` (imports first) with `args`; `tail` makes it a `return_call`.
    fn call(&mut self, f: u32, tail: bool) -> Result<()> {
        let ty_index = self.m.funcs[f as usize];
        let nparams = self.m.types[ty_index as usize].params().len();
        let mut args = vec![self.vmctx, self.vmctx];
        let popped = self.popn(nparams);
        let popped = self.canon_all(&popped);
        if f < self.m.num_imported_funcs {
            let imports = self.ld(I64, flags_ro(), self.vmctx, off::CTX_FUNC_IMPORTS);
            let at = f as usize * off::FUNC_IMPORT_SIZE;
            let code = self.ld(I64, flags_ro(), imports, at + off::FUNC_IMPORT_CODE);
            args[0] = self.ld(I64, flags_ro(), imports, at + off::FUNC_IMPORT_VMCTX);
            args.extend(popped);
            let sig = self.sig(ty_index)?;
            self.indirect(sig, code, &args, tail);
        } else {
            args.extend(popped);
            let callee = self.func_ref(NS_FUNC, f - self.m.num_imported_funcs, ty_index)?;
            if tail {
                self.e.b.ins().return_call(callee, &args);
            } else {
                let call = self.e.b.ins().call(callee, &args);
                let results = self.e.b.inst_results(call).to_vec();
                self.stack.extend(results);
            }
        }
        if tail {
            self.reachable = false;
        } else {
            self.start_block();
        }
        Ok(())
    }

    fn indirect(&mut self, sig: ir::SigRef, code: Value, args: &[Value], tail: bool) {
        if tail {
            self.e.b.ins().return_call_indirect(sig, code, args);
        } else {
            let call = self.e.b.ins().call_indirect(sig, code, args);
            let results = self.e.b.inst_results(call).to_vec();
            self.stack.extend(results);
        }
    }

    fn call_indirect(&mut self, ty_index: u32, table: u32, tail: bool) -> Result<()> {
        let index = self.pop();
        let nparams = self.m.types[ty_index as usize].params().len();
        let popped = self.popn(nparams);
        let popped = self.canon_all(&popped);
        let elem = self.table_elem(table, index, TrapCode::UndefinedElement);
        let raw = self.ld(I64, flags_rw(), elem, 0);
        self.e.b.ins().trapz(raw, trap(TrapCode::UninitializedElement));
        let store = self.ld(I64, flags_ro(), self.vmctx, off::CTX_STORE);
        let refs = self.ld(I64, flags_rw(), store, off::STORE_FUNC_REFS);
        let i = self.e.b.ins().iadd_imm_s(raw, -1);
        let scaled = self.e.b.ins().imul_imm_s(i, off::FUNC_REF_SIZE as i64);
        let fr = self.e.b.ins().iadd(refs, scaled);
        let actual = self.ld(I32, flags_rw(), fr, off::FUNC_REF_TYPE_ID);
        let ids = self.ld(I64, flags_ro(), self.vmctx, off::CTX_TYPE_IDS);
        let expected = self.ld(I32, flags_ro(), ids, ty_index as usize * 4);
        let bad = self.e.b.ins().icmp(IntCC::NotEqual, actual, expected);
        self.e.b.ins().trapnz(bad, trap(TrapCode::IndirectCallTypeMismatch));
        let code = self.ld(I64, flags_rw(), fr, off::FUNC_REF_CODE);
        let callee_vmctx = self.ld(I64, flags_rw(), fr, off::FUNC_REF_VMCTX);
        // Functions without native code go through this module's host-call trampoline for the type.
        let tramp = self.func_ref(NS_HOST, ty_index, ty_index)?;
        let tramp = self.e.b.ins().func_addr(I64, tramp);
        let code = self.e.b.ins().select(code, code, tramp);
        let mut args = vec![callee_vmctx, self.vmctx];
        args.extend(popped);
        let sig = self.sig(ty_index)?;
        self.indirect(sig, code, &args, tail);
        if tail {
            self.reachable = false;
        } else {
            self.start_block();
        }
        Ok(())
    }

    /// A bulk memory or table operation: builtin `index` with the immediates `imms` (memory, table or
    /// segment indices), then the three operands (destination, source or value, length).
    fn bulk(&mut self, index: usize, imms: &[u32]) {
        let operands = self.popn(3);
        let mut args: Vec<Value> = imms.iter().map(|&i| self.e.b.ins().iconst(I32, i as i64)).collect();
        args.extend(operands);
        self.e.call_checked(self.vmctx, index, &args);
    }

    fn jump_args(&self, depth: u32) -> (Block, usize) {
        let c = &self.ctrl[self.ctrl.len() - 1 - depth as usize];
        (c.dest, if c.kind == Kind::Loop { c.params } else { c.results })
    }

    fn mark_branch(&mut self, depth: u32) {
        let i = self.ctrl.len() - 1 - depth as usize;
        if self.ctrl[i].kind != Kind::Loop {
            self.ctrl[i].next_reached = true;
        }
    }

    fn op(&mut self, op: Operator<'_>) -> Result<()> {
        if !self.reachable {
            return self.dead_op(op);
        }
        self.charge(&op);
        use Operator as O;
        match op {
            O::Nop => {}
            O::Unreachable => {
                self.e.b.ins().trap(trap(TrapCode::Unreachable));
                self.reachable = false;
            }
            O::Block { blockty } => {
                let (p, r) = block_type(self.m, blockty)?;
                let next = self.e.b.create_block();
                for &t in &r {
                    self.e.b.append_block_param(next, t);
                }
                self.ctrl.push(Ctrl {
                    kind: Kind::Block,
                    dest: next,
                    next,
                    params: p.len(),
                    results: r.len(),
                    height: self.stack.len() - p.len(),
                    else_block: None,
                    else_args: vec![],
                    next_reached: false,
                });
            }
            O::Loop { blockty } => {
                let (p, r) = block_type(self.m, blockty)?;
                let header = self.e.b.create_block();
                for &t in &p {
                    self.e.b.append_block_param(header, t);
                }
                let next = self.e.b.create_block();
                for &t in &r {
                    self.e.b.append_block_param(next, t);
                }
                let vals = self.popn(p.len());
                let a = self.args(&vals);
                self.e.b.ins().jump(header, &a);
                self.e.b.switch_to_block(header);
                self.stack.extend_from_slice(self.e.b.block_params(header));
                self.ctrl.push(Ctrl {
                    kind: Kind::Loop,
                    dest: header,
                    next,
                    params: p.len(),
                    results: r.len(),
                    height: self.stack.len() - p.len(),
                    else_block: None,
                    else_args: vec![],
                    next_reached: false,
                });
                self.start_block();
                if self.interruptible {
                    self.check_interrupt();
                }
            }
            O::If { blockty } => {
                let (p, r) = block_type(self.m, blockty)?;
                let c = self.pop();
                let (then_b, else_b, next) =
                    (self.e.b.create_block(), self.e.b.create_block(), self.e.b.create_block());
                for &t in &r {
                    self.e.b.append_block_param(next, t);
                }
                self.e.b.ins().brif(c, then_b, &[], else_b, &[]);
                self.e.b.seal_block(then_b);
                self.e.b.seal_block(else_b);
                self.e.b.switch_to_block(then_b);
                self.start_block();
                self.ctrl.push(Ctrl {
                    kind: Kind::If,
                    dest: next,
                    next,
                    params: p.len(),
                    results: r.len(),
                    height: self.stack.len() - p.len(),
                    else_block: Some(else_b),
                    else_args: self.peekn(p.len()).to_vec(),
                    next_reached: false,
                });
            }
            O::Else => self.else_()?,
            O::End => self.end(),
            O::Br { relative_depth } => {
                let (dest, n) = self.jump_args(relative_depth);
                let vals = self.peekn(n).to_vec();
                let a = self.args(&vals);
                self.e.b.ins().jump(dest, &a);
                self.mark_branch(relative_depth);
                self.reachable = false;
            }
            O::BrIf { relative_depth } => {
                let c = self.pop();
                let (dest, n) = self.jump_args(relative_depth);
                let vals = self.peekn(n).to_vec();
                let cont = self.e.b.create_block();
                let a = self.args(&vals);
                self.e.b.ins().brif(c, dest, &a, cont, &[]);
                self.mark_branch(relative_depth);
                self.e.b.seal_block(cont);
                self.e.b.switch_to_block(cont);
                self.start_block();
            }
            O::BrTable { targets } => {
                let index = self.pop();
                let mal = |e: wasmparser::BinaryReaderError| Error::malformed(e.message(), e.offset());
                let depths: Vec<u32> = targets.targets().collect::<std::result::Result<_, _>>().map_err(mal)?;
                let mut calls = Vec::with_capacity(depths.len());
                for &d in &depths {
                    let (dest, n) = self.jump_args(d);
                    let vals = self.peekn(n).to_vec();
                    let vals = self.args(&vals);
                    calls.push(self.e.b.func.dfg.block_call(dest, &vals));
                    self.mark_branch(d);
                }
                let (dest, n) = self.jump_args(targets.default());
                let vals = self.peekn(n).to_vec();
                let vals = self.args(&vals);
                let default = self.e.b.func.dfg.block_call(dest, &vals);
                self.mark_branch(targets.default());
                let jt = self.e.b.create_jump_table(JumpTableData::new(default, &calls));
                self.e.b.ins().br_table(index, jt);
                self.reachable = false;
            }
            O::Return => {
                let n = self.ctrl[0].results;
                let vals = self.peekn(n).to_vec();
                let vals = self.canon_all(&vals);
                self.e.b.ins().return_(&vals);
                self.reachable = false;
            }
            O::Call { function_index } => self.call(function_index, false)?,
            O::ReturnCall { function_index } => self.call(function_index, true)?,
            O::CallIndirect { type_index, table_index } => self.call_indirect(type_index, table_index, false)?,
            O::ReturnCallIndirect { type_index, table_index } => self.call_indirect(type_index, table_index, true)?,
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } => {
                let c = self.pop();
                let b = self.pop();
                let a = self.pop();
                let (a, b) = (self.canon(a), self.canon(b));
                let r = self.e.b.ins().select(c, a, b);
                self.push(r);
            }
            O::LocalGet { local_index } => {
                let v = self.e.b.use_var(self.locals[local_index as usize]);
                self.push(v);
            }
            O::LocalSet { local_index } => {
                let v = self.pop();
                let v = self.canon(v);
                self.e.b.def_var(self.locals[local_index as usize], v);
            }
            O::LocalTee { local_index } => {
                let v = *self.stack.last().expect("validated");
                let v = self.canon(v);
                self.e.b.def_var(self.locals[local_index as usize], v);
            }
            O::GlobalGet { global_index } => {
                let gt = self.m.globals[global_index as usize];
                let ty = ir_type(gt.content)?;
                let p = self.global_ptr(global_index);
                let flags = if gt.mutable { flags_rw() } else { flags_ro() };
                let v = self.ld(ty, flags, p, 0);
                self.push(v);
            }
            O::GlobalSet { global_index } => {
                let v = self.pop();
                let p = self.global_ptr(global_index);
                self.e.b.ins().store(flags_rw(), v, p, 0);
            }
            O::I32Const { value } => {
                let v = self.e.b.ins().iconst(I32, value as i64);
                self.push(v);
            }
            O::I64Const { value } => {
                let v = self.e.b.ins().iconst(I64, value);
                self.push(v);
            }
            O::F32Const { value } => {
                let v = self.e.b.ins().f32const(ir::immediates::Ieee32::with_bits(value.bits()));
                self.push(v);
            }
            O::F64Const { value } => {
                let v = self.e.b.ins().f64const(ir::immediates::Ieee64::with_bits(value.bits()));
                self.push(v);
            }

            // Memory.
            O::I32Load { memarg } => load!(self, memarg, I32),
            O::I64Load { memarg } => load!(self, memarg, I64),
            O::F32Load { memarg } => load!(self, memarg, F32),
            O::F64Load { memarg } => load!(self, memarg, F64),
            O::I32Load8S { memarg } => load!(self, memarg, I32, sload8),
            O::I32Load8U { memarg } => load!(self, memarg, I32, uload8),
            O::I32Load16S { memarg } => load!(self, memarg, I32, sload16),
            O::I32Load16U { memarg } => load!(self, memarg, I32, uload16),
            O::I64Load8S { memarg } => load!(self, memarg, I64, sload8),
            O::I64Load8U { memarg } => load!(self, memarg, I64, uload8),
            O::I64Load16S { memarg } => load!(self, memarg, I64, sload16),
            O::I64Load16U { memarg } => load!(self, memarg, I64, uload16),
            O::I64Load32S { memarg } => {
                let addr = self.addr(&memarg)?;
                let r = self.e.b.ins().sload32(heap_flags(), addr, 0);
                self.push(r);
            }
            O::I64Load32U { memarg } => {
                let addr = self.addr(&memarg)?;
                let r = self.e.b.ins().uload32(heap_flags(), addr, 0);
                self.push(r);
            }
            O::I32Store { memarg } | O::I64Store { memarg } | O::F32Store { memarg } | O::F64Store { memarg } => {
                store!(self, memarg)
            }
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => store!(self, memarg, istore8),
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => store!(self, memarg, istore16),
            O::I64Store32 { memarg } => store!(self, memarg, istore32),
            O::MemorySize { mem } => {
                let vm = self.vm_memory(mem);
                let len = self.ld(I64, flags_rw(), vm, off::MEMORY_LEN);
                let pages = self.e.b.ins().ushr_imm_s(len, 16);
                let r = self.e.b.ins().ireduce(I32, pages);
                self.push(r);
            }
            O::MemoryGrow { mem } => {
                let delta = self.pop();
                let m = self.e.b.ins().iconst(I32, mem as i64);
                let r = self.e.call_builtin(self.vmctx, builtin::MEMORY_GROW, &[m, delta]);
                self.push(r);
            }
            O::MemoryFill { mem } => self.bulk(builtin::MEMORY_FILL, &[mem]),
            O::MemoryCopy { dst_mem, src_mem } => self.bulk(builtin::MEMORY_COPY, &[dst_mem, src_mem]),
            O::MemoryInit { data_index, mem } => self.bulk(builtin::MEMORY_INIT, &[mem, data_index]),
            O::DataDrop { data_index } => {
                let s = self.e.b.ins().iconst(I32, data_index as i64);
                self.e.call_builtin(self.vmctx, builtin::DATA_DROP, &[s]);
            }

            // Tables and references.
            O::TableGet { table } => {
                let i = self.pop();
                let p = self.table_elem(table, i, TrapCode::TableOutOfBounds);
                let r = self.ld(I64, flags_rw(), p, 0);
                self.push(r);
            }
            O::TableSet { table } => {
                let v = self.pop();
                let i = self.pop();
                let p = self.table_elem(table, i, TrapCode::TableOutOfBounds);
                self.e.b.ins().store(flags_rw(), v, p, 0);
            }
            O::TableSize { table } => {
                let vm = self.vm_table(table);
                let len = self.ld(I64, flags_rw(), vm, off::TABLE_LEN);
                let r = self.e.b.ins().ireduce(I32, len);
                self.push(r);
            }
            O::TableGrow { table } => {
                let delta = self.pop();
                let init = self.pop();
                let t = self.e.b.ins().iconst(I32, table as i64);
                let r = self.e.call_builtin(self.vmctx, builtin::TABLE_GROW, &[t, init, delta]);
                self.push(r);
            }
            O::TableFill { table } => self.bulk(builtin::TABLE_FILL, &[table]),
            O::TableCopy { dst_table, src_table } => self.bulk(builtin::TABLE_COPY, &[dst_table, src_table]),
            O::TableInit { elem_index, table } => self.bulk(builtin::TABLE_INIT, &[table, elem_index]),
            O::ElemDrop { elem_index } => {
                let s = self.e.b.ins().iconst(I32, elem_index as i64);
                self.e.call_builtin(self.vmctx, builtin::ELEM_DROP, &[s]);
            }
            O::RefNull { .. } => {
                let v = self.e.b.ins().iconst(I64, 0);
                self.push(v);
            }
            O::RefIsNull => {
                let v = self.pop();
                let c = self.e.b.ins().icmp_imm_s(IntCC::Equal, v, 0);
                let r = self.e.b.ins().uextend(I32, c);
                self.push(r);
            }
            O::RefFunc { function_index } => {
                let arr = self.ld(I64, flags_ro(), self.vmctx, off::CTX_FUNCS);
                let f = self.ld(I32, flags_ro(), arr, function_index as usize * 4);
                let f = self.e.b.ins().uextend(I64, f);
                let r = self.e.b.ins().iadd_imm_s(f, 1);
                self.push(r);
            }

            // Integers.
            O::I32Eqz | O::I64Eqz => {
                let a = self.pop();
                let c = self.e.b.ins().icmp_imm_s(IntCC::Equal, a, 0);
                let r = self.e.b.ins().uextend(I32, c);
                self.push(r);
            }
            O::I32Eq | O::I64Eq => icmp!(self, Equal),
            O::I32Ne | O::I64Ne => icmp!(self, NotEqual),
            O::I32LtS | O::I64LtS => icmp!(self, SignedLessThan),
            O::I32LtU | O::I64LtU => icmp!(self, UnsignedLessThan),
            O::I32GtS | O::I64GtS => icmp!(self, SignedGreaterThan),
            O::I32GtU | O::I64GtU => icmp!(self, UnsignedGreaterThan),
            O::I32LeS | O::I64LeS => icmp!(self, SignedLessThanOrEqual),
            O::I32LeU | O::I64LeU => icmp!(self, UnsignedLessThanOrEqual),
            O::I32GeS | O::I64GeS => icmp!(self, SignedGreaterThanOrEqual),
            O::I32GeU | O::I64GeU => icmp!(self, UnsignedGreaterThanOrEqual),
            O::I32Clz | O::I64Clz => unop!(self, clz),
            O::I32Ctz | O::I64Ctz => unop!(self, ctz),
            O::I32Popcnt | O::I64Popcnt => unop!(self, popcnt),
            O::I32Add | O::I64Add => binop!(self, iadd),
            O::I32Sub | O::I64Sub => binop!(self, isub),
            O::I32Mul | O::I64Mul => binop!(self, imul),
            O::I32DivS | O::I64DivS => binop!(self, sdiv),
            O::I32DivU | O::I64DivU => binop!(self, udiv),
            O::I32RemS | O::I64RemS => binop!(self, srem),
            O::I32RemU | O::I64RemU => binop!(self, urem),
            O::I32And | O::I64And => binop!(self, band),
            O::I32Or | O::I64Or => binop!(self, bor),
            O::I32Xor | O::I64Xor => binop!(self, bxor),
            O::I32Shl | O::I64Shl => binop!(self, ishl),
            O::I32ShrS | O::I64ShrS => binop!(self, sshr),
            O::I32ShrU | O::I64ShrU => binop!(self, ushr),
            O::I32Rotl | O::I64Rotl => binop!(self, rotl),
            O::I32Rotr | O::I64Rotr => binop!(self, rotr),
            O::I32Extend8S => self.sign_extend(I8, I32),
            O::I32Extend16S => self.sign_extend(I16, I32),
            O::I64Extend8S => self.sign_extend(I8, I64),
            O::I64Extend16S => self.sign_extend(I16, I64),
            O::I64Extend32S => self.sign_extend(I32, I64),
            O::I32WrapI64 => conv!(self, ireduce, I32),
            O::I64ExtendI32S => conv!(self, sextend, I64),
            O::I64ExtendI32U => conv!(self, uextend, I64),

            // Floats.
            O::F32Eq | O::F64Eq => fcmp!(self, Equal),
            O::F32Ne | O::F64Ne => fcmp!(self, NotEqual),
            O::F32Lt | O::F64Lt => fcmp!(self, LessThan),
            O::F32Gt | O::F64Gt => fcmp!(self, GreaterThan),
            O::F32Le | O::F64Le => fcmp!(self, LessThanOrEqual),
            O::F32Ge | O::F64Ge => fcmp!(self, GreaterThanOrEqual),
            O::F32Abs | O::F64Abs => unop!(self, fabs),
            O::F32Neg | O::F64Neg => unop!(self, fneg),
            O::F32Ceil | O::F64Ceil => unop!(self, ceil),
            O::F32Floor | O::F64Floor => unop!(self, floor),
            O::F32Trunc | O::F64Trunc => unop!(self, trunc),
            O::F32Nearest | O::F64Nearest => unop!(self, nearest),
            O::F32Sqrt | O::F64Sqrt => unop!(self, sqrt),
            O::F32Add | O::F64Add => binop!(self, fadd),
            O::F32Sub | O::F64Sub => binop!(self, fsub),
            O::F32Mul | O::F64Mul => binop!(self, fmul),
            O::F32Div | O::F64Div => binop!(self, fdiv),
            O::F32Min | O::F64Min => binop!(self, fmin),
            O::F32Max | O::F64Max => binop!(self, fmax),
            O::F32Copysign | O::F64Copysign => binop!(self, fcopysign),
            O::I32TruncF32S | O::I32TruncF64S => conv!(self, fcvt_to_sint, I32),
            O::I32TruncF32U | O::I32TruncF64U => conv!(self, fcvt_to_uint, I32),
            O::I64TruncF32S | O::I64TruncF64S => conv!(self, fcvt_to_sint, I64),
            O::I64TruncF32U | O::I64TruncF64U => conv!(self, fcvt_to_uint, I64),
            O::I32TruncSatF32S | O::I32TruncSatF64S => conv!(self, fcvt_to_sint_sat, I32),
            O::I32TruncSatF32U | O::I32TruncSatF64U => conv!(self, fcvt_to_uint_sat, I32),
            O::I64TruncSatF32S | O::I64TruncSatF64S => conv!(self, fcvt_to_sint_sat, I64),
            O::I64TruncSatF32U | O::I64TruncSatF64U => conv!(self, fcvt_to_uint_sat, I64),
            O::F32ConvertI32S | O::F32ConvertI64S => conv!(self, fcvt_from_sint, F32),
            O::F32ConvertI32U | O::F32ConvertI64U => conv!(self, fcvt_from_uint, F32),
            O::F64ConvertI32S | O::F64ConvertI64S => conv!(self, fcvt_from_sint, F64),
            O::F64ConvertI32U | O::F64ConvertI64U => conv!(self, fcvt_from_uint, F64),
            O::F32DemoteF64 => conv!(self, fdemote, F32),
            O::F64PromoteF32 => conv!(self, fpromote, F64),
            O::I32ReinterpretF32 => self.bitcast(I32),
            O::I64ReinterpretF64 => self.bitcast(I64),
            O::F32ReinterpretI32 => self.bitcast(F32),
            O::F64ReinterpretI64 => self.bitcast(F64),
            other => {
                if !self.simd(&other)? {
                    return Err(unsupported(&format!("the `{}` instruction", op_name(&other))));
                }
            }
        }
        Ok(())
    }

    fn sign_extend(&mut self, narrow: ir::Type, wide: ir::Type) {
        let a = self.pop();
        let n = self.e.b.ins().ireduce(narrow, a);
        let r = self.e.b.ins().sextend(wide, n);
        self.push(r);
    }

    fn bitcast(&mut self, ty: ir::Type) {
        let a = self.pop();
        let r = self.e.b.ins().bitcast(ty, MemFlagsData::new(), a);
        self.push(r);
    }

    /// An operator in unreachable code: only the structure matters.
    fn dead_op(&mut self, op: Operator<'_>) -> Result<()> {
        match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => self.dead_depth += 1,
            Operator::Else if self.dead_depth == 0 => self.else_()?,
            Operator::End => {
                if self.dead_depth > 0 {
                    self.dead_depth -= 1;
                } else {
                    self.end();
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn else_(&mut self) -> Result<()> {
        let reachable = self.reachable;
        let c = self.ctrl.last_mut().expect("validated");
        let else_b = c.else_block.take().expect("validated: else follows if");
        let (next, n, height) = (c.next, c.results, c.height);
        c.kind = Kind::Else;
        if reachable {
            c.next_reached = true;
            let vals = self.peekn(n).to_vec();
            let a = self.args(&vals);
            self.e.b.ins().jump(next, &a);
        }
        let c = self.ctrl.last_mut().expect("validated");
        let else_args = std::mem::take(&mut c.else_args);
        self.stack.truncate(height);
        self.stack.extend(else_args);
        self.e.b.switch_to_block(else_b);
        self.reachable = true;
        self.start_block();
        Ok(())
    }

    fn end(&mut self) {
        let mut c = self.ctrl.pop().expect("validated");
        if self.reachable {
            c.next_reached = true;
            let vals = self.peekn(c.results).to_vec();
            let a = self.args(&vals);
            self.e.b.ins().jump(c.next, &a);
        }
        if let Some(else_b) = c.else_block.take() {
            // An `if` without `else`: the false edge passes the parameters through.
            self.e.b.switch_to_block(else_b);
            let vals = self.args(&c.else_args);
            self.e.b.ins().jump(c.next, &vals);
            c.next_reached = true;
        }
        if c.kind == Kind::Loop {
            self.e.b.seal_block(c.dest);
        }
        self.stack.truncate(c.height);
        self.e.b.switch_to_block(c.next);
        self.e.b.seal_block(c.next);
        let params = self.e.b.block_params(c.next).to_vec();
        if c.kind == Kind::Func {
            self.e.b.ins().return_(&params);
            self.reachable = false;
            return;
        }
        self.stack.extend(params);
        self.reachable = c.next_reached;
        if c.kind != Kind::Loop {
            self.start_block();
        }
    }
}

fn op_name(op: &Operator<'_>) -> String {
    let s = format!("{op:?}");
    s.split([' ', '{', '(']).next().unwrap_or("?").to_string()
}
