//! The comparison at the heart of the differential test, shared by `tests/tests/differential.rs` (bounded,
//! in `cargo test`) and `tests/fuzz/fuzz_targets/differential.rs` (unbounded, `cargo fuzz`): both include
//! this file as a module. It is not a test target of its own (cargo only builds `tests/*.rs`).

use std::fmt;

#[path = "../fuzzing/smith.rs"]
mod smith;

use arbitrary::Unstructured;
use wasmedge_host::{
    Backend, Config, Engine, ErrorKind, Extern, Linker, Module, Proposal, Store, TrapCode, Val, ValType,
};

/// Fuel that `wasm-smith` threads through every function entry, loop iteration and bulk operation, so
/// each instance runs a bounded amount of code (and recurses at most this deep).
const FUEL: u32 = 1000;

/// How many argument sets each exported function is called with (see [`argument`]).
const ARGUMENT_SETS: usize = 3;

/// The engines, in the order of every `Vec` of per-engine things below.
const ENGINES: [&str; 3] = ["interpreter", "compiler", "wasmi"];

/// The shape of the generated modules: what both of our backends and wasmi implement. With
/// `disallow_traps`, wasm-smith guards loads, divisions, conversions etc. so that code runs deeper.
fn smith_config(disallow_traps: bool) -> wasm_smith::Config {
    wasm_smith::Config {
        disallow_traps,
        // Without a minimum, a random byte stream ends most sections early and many modules have no code.
        min_types: 1,
        min_funcs: 1,
        max_imports: 0,
        max_memories: 1,
        max_tables: 2,
        // Every memory and table has a small maximum: growing past an engine's own limit may legitimately
        // succeed on one engine and fail on another.
        memory_max_size_required: true,
        max_memory32_bytes: 16 << 16,
        table_max_size_required: true,
        max_table_elements: 1000,
        export_everything: true,
        // NaN payloads are nondeterministic; canonical NaNs keep memory and reinterpreted bits comparable.
        canonicalize_nans: true,
        // Our proposals; SIMD needs wasmi's `simd` feature (see Cargo.toml).
        ..smith::our_proposals()
    }
}

/// A module built by `wasm-smith` from `data`, with fuel added so that every call terminates.
pub(crate) fn generate(data: &[u8]) -> Option<Vec<u8>> {
    let mut u = Unstructured::new(data);
    let config = smith_config(u.arbitrary().ok()?);
    let mut module = wasm_smith::Module::new(config, &mut u).ok()?;
    module.ensure_termination(FUEL).ok()?;
    Some(module.to_bytes())
}

fn our_config(backend: Backend) -> Config {
    let mut config = Config::new();
    config
        .backend(backend)
        .proposal(Proposal::TailCall, true)
        .proposal(Proposal::ExtendedConst, true)
        // Fuel bounds recursion at `FUEL` frames; leave compiled code room for them (the test runs on a
        // thread with a big stack).
        .max_wasm_stack(16 << 20);
    config
}

fn wasmi_config() -> wasmi::Config {
    let mut config = wasmi::Config::default();
    config.wasm_tail_call(true).wasm_extended_const(true).set_max_recursion_depth(10 * FUEL as usize);
    config
}

/// How many modules and calls were compared, and how many were left out.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) modules: u64,
    pub(crate) calls: u64,
    /// Calls that trapped (on all engines alike).
    pub(crate) traps: u64,
    /// Modules whose instantiation failed (on all engines alike).
    pub(crate) failed_instantiations: u64,
    /// Modules the compiler does not support.
    pub(crate) unsupported: u64,
    /// Modules abandoned because an engine ran out of stack, whose limit differs between engines.
    pub(crate) stack_exhausted: u64,
    /// Modules where wasmi alone disagreed, excused as its known bug (see [`wasmi_may_miscompile`]).
    pub(crate) wasmi_excused: u64,
}

/// A value as the comparison sees it: every NaN is the same NaN, a reference is only null or not.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    FuncRef { null: bool },
    ExternRef { null: bool },
}

impl Value {
    fn f32(bits: u32) -> Value {
        Value::F32(if f32::from_bits(bits).is_nan() { f32::NAN.to_bits() } else { bits })
    }

    fn f64(bits: u64) -> Value {
        Value::F64(if f64::from_bits(bits).is_nan() { f64::NAN.to_bits() } else { bits })
    }

    fn ours(self) -> Val {
        match self {
            Value::I32(v) => Val::I32(v),
            Value::I64(v) => Val::I64(v),
            Value::F32(v) => Val::F32(v),
            Value::F64(v) => Val::F64(v),
            Value::V128(v) => Val::V128(v),
            Value::FuncRef { .. } => Val::FuncRef(None),
            Value::ExternRef { .. } => Val::ExternRef(None),
        }
    }

    fn wasmi(self) -> wasmi::Val {
        match self {
            Value::I32(v) => wasmi::Val::I32(v),
            Value::I64(v) => wasmi::Val::I64(v),
            Value::F32(v) => wasmi::Val::F32(wasmi::F32::from_bits(v)),
            Value::F64(v) => wasmi::Val::F64(wasmi::F64::from_bits(v)),
            Value::V128(v) => wasmi::Val::V128(v.into()),
            Value::FuncRef { .. } => wasmi::Val::FuncRef(wasmi::Nullable::Null),
            Value::ExternRef { .. } => wasmi::Val::ExternRef(wasmi::Nullable::Null),
        }
    }
}

impl From<&Val> for Value {
    fn from(val: &Val) -> Value {
        match *val {
            Val::I32(v) => Value::I32(v),
            Val::I64(v) => Value::I64(v),
            Val::F32(v) => Value::f32(v),
            Val::F64(v) => Value::f64(v),
            Val::V128(v) => Value::V128(v),
            Val::FuncRef(f) => Value::FuncRef { null: f.is_none() },
            Val::ExternRef(r) => Value::ExternRef { null: r.is_none() },
        }
    }
}

impl From<&wasmi::Val> for Value {
    fn from(val: &wasmi::Val) -> Value {
        match val {
            wasmi::Val::I32(v) => Value::I32(*v),
            wasmi::Val::I64(v) => Value::I64(*v),
            wasmi::Val::F32(v) => Value::f32(v.to_bits()),
            wasmi::Val::F64(v) => Value::f64(v.to_bits()),
            wasmi::Val::V128(v) => Value::V128(v.as_u128()),
            wasmi::Val::FuncRef(f) => Value::FuncRef { null: f.is_null() },
            wasmi::Val::ExternRef(r) => Value::ExternRef { null: r.is_null() },
        }
    }
}

fn wasmi_type(ty: &wasmi::ValType) -> ValType {
    match ty {
        wasmi::ValType::I32 => ValType::I32,
        wasmi::ValType::I64 => ValType::I64,
        wasmi::ValType::F32 => ValType::F32,
        wasmi::ValType::F64 => ValType::F64,
        wasmi::ValType::V128 => ValType::V128,
        wasmi::ValType::FuncRef => ValType::FuncRef,
        wasmi::ValType::ExternRef => ValType::ExternRef,
    }
}

/// Parameter `index` of a call with argument set `set`: all zeros, all ones, then edge values.
fn argument(ty: ValType, set: usize, index: usize) -> Value {
    let int = [0, 1, [-1, i64::from(i32::MIN), 0x1_0000, 7][index % 4]][set];
    let float = [0.0, 1.0, [-0.0, -1.5, 4.5e9, f64::NAN][index % 4]][set];
    match ty {
        ValType::I32 => Value::I32(int as i32),
        ValType::I64 => Value::I64(int),
        ValType::F32 => Value::F32((float as f32).to_bits()),
        ValType::F64 => Value::F64(float.to_bits()),
        ValType::V128 => Value::V128(int as u128),
        ValType::FuncRef => Value::FuncRef { null: true },
        ValType::ExternRef => Value::ExternRef { null: true },
    }
}

/// How a call or an instantiation ended.
#[derive(Clone)]
enum Outcome {
    Returned(Vec<Value>),
    /// Failed; the message is only for the report.
    Failed(Failure, String),
}

#[derive(Clone, Debug)]
enum Failure {
    Ours(ErrorKind),
    /// wasmi's trap code, if the failure was a trap.
    Wasmi(Option<wasmi::TrapCode>),
}

impl Outcome {
    fn is_stack_exhaustion(&self) -> bool {
        matches!(
            self,
            Outcome::Failed(Failure::Ours(ErrorKind::Trap(TrapCode::CallStackExhausted)), _)
                | Outcome::Failed(Failure::Wasmi(Some(wasmi::TrapCode::StackOverflow)), _)
        )
    }

    /// Whether two engines' outcomes agree. Our backends must fail with the same error kind; against wasmi
    /// only traps with an obvious counterpart are compared by kind, other failures only as "failed".
    fn agrees(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Returned(a), Outcome::Returned(b)) => a == b,
            (Outcome::Failed(a, _), Outcome::Failed(b, _)) => match (a, b) {
                (Failure::Ours(a), Failure::Ours(b)) => a == b,
                (Failure::Ours(ErrorKind::Trap(ours)), Failure::Wasmi(Some(theirs)))
                | (Failure::Wasmi(Some(theirs)), Failure::Ours(ErrorKind::Trap(ours))) => {
                    wasmi_trap(*ours).is_none_or(|t| t == *theirs)
                }
                _ => true,
            },
            _ => false,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Returned(values) => write!(f, "returned {values:?}"),
            Outcome::Failed(failure, message) => write!(f, "failed ({failure:?}): {message}"),
        }
    }
}

/// wasmi's code for one of our traps.
fn wasmi_trap(code: TrapCode) -> Option<wasmi::TrapCode> {
    use wasmi::TrapCode as W;
    Some(match code {
        TrapCode::Unreachable => W::UnreachableCodeReached,
        TrapCode::IntegerDivideByZero => W::IntegerDivisionByZero,
        TrapCode::IntegerOverflow => W::IntegerOverflow,
        TrapCode::InvalidConversionToInteger => W::BadConversionToInteger,
        TrapCode::MemoryOutOfBounds => W::MemoryOutOfBounds,
        // wasmi has one code for a table index out of range, whether by `call_indirect` or a table op.
        TrapCode::TableOutOfBounds | TrapCode::UndefinedElement => W::TableOutOfBounds,
        TrapCode::IndirectCallTypeMismatch => W::BadSignature,
        TrapCode::UninitializedElement => W::IndirectCallToNull,
        TrapCode::CallStackExhausted => W::StackOverflow,
        _ => return None,
    })
}

/// An exported entity's type or contents.
#[derive(PartialEq)]
enum State {
    Func { params: Vec<ValType>, results: Vec<ValType> },
    Memory(Vec<u8>),
    Global(Value),
    Table(Vec<Value>),
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            State::Func { params, results } => write!(f, "func {params:?} -> {results:?}"),
            // A memory is too big to print: its size and a checksum tell two apart.
            State::Memory(bytes) => {
                let hash = bytes
                    .iter()
                    .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
                let first = bytes.iter().position(|&b| b != 0);
                write!(f, "memory of {} bytes, FNV-1a {hash:016x}, first nonzero byte at {first:?}", bytes.len())
            }
            State::Global(v) => write!(f, "global {v:?}"),
            State::Table(elements) => write!(f, "table {elements:?}"),
        }
    }
}

/// A module loaded into one engine.
enum Loaded {
    Ours(Engine, Module),
    Wasmi(wasmi::Module),
}

/// An instance in one engine, with its store.
#[expect(clippy::large_enum_variant, reason = "only three live at a time")]
enum Running {
    Ours(Store<()>, wasmedge_host::Instance),
    Wasmi(wasmi::Store<()>, wasmi::Instance),
}

impl Loaded {
    fn instantiate(&self) -> Result<Running, Outcome> {
        match self {
            Loaded::Ours(engine, module) => {
                let mut store = Store::new(engine, ());
                match Linker::new().instantiate(&mut store, module) {
                    Ok(instance) => Ok(Running::Ours(store, instance)),
                    Err(e) => Err(Outcome::Failed(Failure::Ours(e.kind().clone()), e.to_string())),
                }
            }
            Loaded::Wasmi(module) => {
                let mut store = wasmi::Store::new(module.engine(), ());
                match wasmi::Linker::new(module.engine()).instantiate_and_start(&mut store, module) {
                    Ok(instance) => Ok(Running::Wasmi(store, instance)),
                    Err(e) => Err(Outcome::Failed(Failure::Wasmi(e.as_trap_code()), e.to_string())),
                }
            }
        }
    }
}

impl Running {
    /// Call exported function `name`, which the export comparison has shown to exist with these parameters.
    fn call(&mut self, name: &str, args: &[Value]) -> Outcome {
        match self {
            Running::Ours(store, instance) => {
                let func = instance.get_func(store, name).expect("exported function");
                let args: Vec<Val> = args.iter().map(|a| a.ours()).collect();
                let mut results: Vec<Val> = func.ty(store).results().iter().map(|&t| Val::default_for(t)).collect();
                match func.call(store, &args, &mut results) {
                    Ok(()) => Outcome::Returned(results.iter().map(Value::from).collect()),
                    Err(e) => Outcome::Failed(Failure::Ours(e.kind().clone()), e.to_string()),
                }
            }
            Running::Wasmi(store, instance) => {
                let func = instance.get_func(&*store, name).expect("exported function");
                let args: Vec<wasmi::Val> = args.iter().map(|a| a.wasmi()).collect();
                let mut results: Vec<wasmi::Val> =
                    func.ty(&*store).results().iter().map(|&t| wasmi::Val::default_for_ty(t)).collect();
                match func.call(&mut *store, &args, &mut results) {
                    Ok(()) => Outcome::Returned(results.iter().map(Value::from).collect()),
                    Err(e) => Outcome::Failed(Failure::Wasmi(e.as_trap_code()), e.to_string()),
                }
            }
        }
    }

    /// Every export, sorted by name.
    fn exports(&self) -> Vec<(String, State)> {
        let mut exports: Vec<(String, State)> = match self {
            Running::Ours(store, instance) => instance
                .exports(store)
                .map(|(name, ext)| {
                    let state = match ext {
                        Extern::Func(f) => {
                            let ty = f.ty(store);
                            State::Func { params: ty.params().to_vec(), results: ty.results().to_vec() }
                        }
                        Extern::Memory(m) => State::Memory(m.data(store).to_vec()),
                        Extern::Global(g) => State::Global(Value::from(&g.get(store))),
                        Extern::Table(t) => State::Table(
                            (0..t.size(store)).map(|i| Value::from(&t.get(store, i).expect("in bounds"))).collect(),
                        ),
                    };
                    (name.to_string(), state)
                })
                .collect(),
            Running::Wasmi(store, instance) => instance
                .exports(store)
                .map(|export| {
                    let name = export.name().to_string();
                    let state = match export.into_extern() {
                        wasmi::Extern::Func(f) => {
                            let ty = f.ty(store);
                            State::Func {
                                params: ty.params().iter().map(wasmi_type).collect(),
                                results: ty.results().iter().map(wasmi_type).collect(),
                            }
                        }
                        wasmi::Extern::Memory(m) => State::Memory(m.data(store).to_vec()),
                        wasmi::Extern::Global(g) => State::Global(Value::from(&g.get(store))),
                        wasmi::Extern::Table(t) => State::Table(
                            (0..t.size(store))
                                .map(|i| match t.get(store, i).expect("in bounds") {
                                    wasmi::Ref::Func(f) => Value::FuncRef { null: f.is_null() },
                                    wasmi::Ref::Extern(r) => Value::ExternRef { null: r.is_null() },
                                })
                                .collect(),
                        ),
                    };
                    (name, state)
                })
                .collect(),
        };
        exports.sort_by(|a, b| a.0.cmp(&b.0));
        exports
    }
}

/// wasmi 2.0.0 miscompiles a `select` whose condition is `i32.eqz x` (or `i32.eq`/`i32.ne` of `x` and 0) in a
/// function that executed a `global.get` before: it tests the global's value instead of `x`. Generated code
/// is full of both (every function starts by reading the fuel global; with `disallow_traps`, every division
/// is guarded by such a select). Whether `wasm` may contain such a select: an `i32.eqz`/`i32.eq`/`i32.ne`
/// opcode byte right before a `select` one (a scan of all bytes, so it errs only towards suspicion). The same
/// holds for a condition computed by `ref.is_null` (seed 149108: wasmi took the other operand after a
/// `ref.is_null` of a null externref, while our interpreter and compiler agreed).
///
/// wasmi also returns a wrong `v128` through a `br_table` that carries one (seed 195633: the function must
/// return the constant below the table's index; wasmi returned the index in the low half and part of the
/// constant in the high half): any module with both a `br_table` opcode byte and a `v128.const` one.
fn wasmi_may_miscompile(wasm: &[u8]) -> bool {
    wasm.windows(2).any(|w| matches!(w, [0x45..=0x47 | 0xd1, 0x1b | 0x1c]))
        || (wasm.contains(&0x0e) && wasm.windows(2).any(|w| w == [0xfd, 0x0c]))
}

/// Decides whether the engines agree, and whether wasmi is still trusted in the current module.
#[derive(Default)]
struct Judge {
    /// The module may hit wasmi's known bug ([`wasmi_may_miscompile`]).
    wasmi_suspect: bool,
    /// wasmi alone disagreed in a suspect module: from then on only our two engines are compared.
    wasmi_excused: bool,
}

impl Judge {
    /// Whether the engines' `items` (one per engine) agree. Our two engines must always agree; wasmi must too,
    /// except that in a suspect module its first lone disagreement excuses it for the rest of the module.
    fn agree<T>(&mut self, items: &[T], agree: impl Fn(&T, &T) -> bool) -> bool {
        let trusted = if self.wasmi_excused { &items[..2] } else { items };
        if trusted.iter().all(|a| trusted.iter().all(|b| agree(a, b))) {
            return true;
        }
        if self.wasmi_suspect && !self.wasmi_excused && agree(&items[0], &items[1]) {
            self.wasmi_excused = true;
            return true;
        }
        false
    }

    /// Compare every engine's outcome of `what`; `Err` is a report.
    fn outcomes(&mut self, what: &str, outcomes: &[Outcome]) -> Result<(), String> {
        if self.agree(outcomes, Outcome::agrees) {
            return Ok(());
        }
        let mut report = format!("{what}: the engines disagree");
        for (engine, outcome) in ENGINES.iter().zip(outcomes) {
            report += &format!("\n  {engine:>11}: {outcome}");
        }
        Err(report)
    }

    /// Compare the exports (types, memories, globals, tables) of every engine's instance; `Err` is a report.
    fn exports(&mut self, what: &str, instances: &[Running]) -> Result<(), String> {
        let exports: Vec<Vec<(String, State)>> = instances.iter().map(Running::exports).collect();
        if self.agree(&exports, |a, b| a == b) {
            return Ok(());
        }
        let (engine, other) = ENGINES.iter().zip(&exports).find(|(_, e)| *e != &exports[0]).expect("a difference");
        let names = |e: &[(String, State)]| e.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        if names(other) != names(&exports[0]) {
            return Err(format!(
                "{what}: export names differ\n  {:>11}: {:?}\n  {engine:>11}: {:?}",
                ENGINES[0],
                names(&exports[0]),
                names(other)
            ));
        }
        let ((name, a), (_, b)) = exports[0].iter().zip(other).find(|(a, b)| a != b).expect("a difference");
        Err(format!("{what}: export `{name}` differs\n  {:>11}: {a:?}\n  {engine:>11}: {b:?}", ENGINES[0]))
    }
}

/// A fresh instance per engine, or `None` if instantiation failed alike on all of them.
fn instantiate(loaded: &[Loaded], judge: &mut Judge, stats: &mut Stats) -> Result<Option<Vec<Running>>, String> {
    let results: Vec<Result<Running, Outcome>> = loaded.iter().map(Loaded::instantiate).collect();
    let outcomes: Vec<Outcome> =
        results.iter().map(|r| r.as_ref().err().cloned().unwrap_or(Outcome::Returned(Vec::new()))).collect();
    if outcomes.iter().any(Outcome::is_stack_exhaustion) {
        stats.stack_exhausted += 1;
        return Ok(None);
    }
    judge.outcomes("instantiation", &outcomes)?;
    if results.iter().any(Result::is_err) {
        stats.failed_instantiations += 1;
        return Ok(None);
    }
    Ok(Some(results.into_iter().map(|r| r.ok().expect("instantiated")).collect()))
}

/// Run `wasm` on all engines: instantiate it, then, for each exported function, call it on a fresh
/// instance (so that it has the whole fuel) with every argument set and compare the exports afterwards.
/// `Err` is a report of a disagreement.
pub(crate) fn check_module(wasm: &[u8], stats: &mut Stats) -> Result<(), String> {
    let wasmi = wasmi::Module::new(&wasmi::Engine::new(&wasmi_config()), wasm)
        .map_err(|e| format!("wasmi cannot load the module (is the wasm-smith config right?): {e}"))?;
    let interpreter = Engine::new(our_config(Backend::Interpreter));
    let interpreted =
        Module::new(&interpreter, wasm).map_err(|e| format!("the interpreter cannot load the module: {e}"))?;
    let compiler = Engine::new(our_config(Backend::Compiler));
    let compiled = match Module::new(&compiler, wasm) {
        Ok(module) => module,
        Err(e) if *e.kind() == ErrorKind::Unsupported => {
            stats.unsupported += 1;
            return Ok(());
        }
        Err(e) => return Err(format!("the compiler cannot load the module: {e}")),
    };
    let loaded = [Loaded::Ours(interpreter, interpreted), Loaded::Ours(compiler, compiled), Loaded::Wasmi(wasmi)];
    stats.modules += 1;
    let mut judge = Judge { wasmi_suspect: wasmi_may_miscompile(wasm), ..Judge::default() };
    let result = run_exports(&loaded, &mut judge, stats);
    stats.wasmi_excused += u64::from(judge.wasmi_excused);
    result
}

/// The instances and calls of [`check_module`].
fn run_exports(loaded: &[Loaded], judge: &mut Judge, stats: &mut Stats) -> Result<(), String> {
    let Some(instances) = instantiate(loaded, judge, stats)? else { return Ok(()) };
    judge.exports("after instantiation", &instances)?;
    let funcs: Vec<(String, Vec<ValType>)> = instances[0]
        .exports()
        .into_iter()
        .filter_map(|(name, state)| match state {
            State::Func { params, .. } => Some((name, params)),
            _ => None,
        })
        .collect();
    drop(instances);

    for (name, params) in funcs {
        let Some(mut instances) = instantiate(loaded, judge, stats)? else { return Ok(()) };
        for set in 0..ARGUMENT_SETS {
            let args: Vec<Value> = params.iter().enumerate().map(|(i, &ty)| argument(ty, set, i)).collect();
            let outcomes: Vec<Outcome> = instances.iter_mut().map(|i| i.call(&name, &args)).collect();
            if outcomes.iter().any(Outcome::is_stack_exhaustion) {
                stats.stack_exhausted += 1;
                return Ok(());
            }
            judge.outcomes(&format!("call `{name}` with {args:?}"), &outcomes)?;
            stats.calls += 1;
            stats.traps += u64::from(matches!(outcomes[0], Outcome::Failed(..)));
        }
        judge.exports(&format!("after the calls of `{name}`"), &instances)?;
    }
    Ok(())
}
