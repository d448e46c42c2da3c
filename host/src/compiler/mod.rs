//! The compiler backend: every function of a module to native code with Cranelift, when the module loads.
//!
//! | step | where |
//! |---|---|
//! | wasm → Cranelift IR | [`translate`]: one function body, or a trampoline |
//! | IR → machine code | `compile_one`, in parallel over all functions (rayon) |
//! | link | `link`: lay out all functions in one image, patch calls between them, map it read+execute |
//! | run | [`runtime`]: the entry from the host, host calls and builtins, faults → typed traps |
//!
//! A module's code image holds, per defined function, its body (wasm calling convention) and an array-call
//! trampoline (the entry from the host), and per function type a host-call trampoline (how native code calls
//! host functions and functions without native code). Calls inside the image are PC-relative, so the image
//! has no absolute addresses: the runtime reaches everything else through the instance's `VMContext`.

pub mod aot;
pub(crate) mod runtime;
mod simd;
mod translate;

use std::sync::{Arc, OnceLock};

use cranelift_codegen::binemit::Reloc;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{self, ExternalName, LibCall, TrapCode as ClTrap, UserFuncName};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::{Context, FinalizedRelocTarget};
use cranelift_frontend::FunctionBuilderContext;
use rayon::prelude::*;

use crate::config::OptLevel;
use crate::error::{Error, Result, TrapCode};
use crate::module::ModuleInner;
use crate::vm::code::CodeMemory;
use translate::{NS_ARRAY, NS_FUNC, NS_HOST, TRAP_PENDING};

/// A module's native code.
pub(crate) struct NativeModule {
    code: CodeMemory,
    /// Per defined function: its body's start and end offsets.
    funcs: Vec<(u32, u32)>,
    /// Per defined function: its array-call trampoline's offset.
    array: Vec<u32>,
    /// Per type index: its host-call trampoline's offset.
    host: Vec<u32>,
    /// Trap sites (offset in the image, code), sorted by offset.
    traps: Vec<(u32, ClTrap)>,
}

impl NativeModule {
    fn at(&self, offset: u32) -> *const u8 {
        (self.code.base() + offset as usize) as *const u8
    }

    /// The entry of defined function `def` (wasm calling convention).
    pub fn func(&self, def: u32) -> *const u8 {
        self.at(self.funcs[def as usize].0)
    }

    /// The array-call trampoline of defined function `def`.
    pub fn array_entry(&self, def: u32) -> *const u8 {
        self.at(self.array[def as usize])
    }

    /// The host-call trampoline of type `ty`.
    pub fn host_trampoline(&self, ty: u32) -> *const u8 {
        self.at(self.host[ty as usize])
    }

    /// Whether `pc` lies in this module's code.
    pub fn contains(&self, pc: usize) -> bool {
        self.code.contains(pc)
    }

    /// What trapped at `pc` (which must be in this code): our trap code, and the defined function whose
    /// body holds it (`None` for a trampoline). `Err(true)` is a parked error; `Err(false)` a fault at a
    /// place that should not fault.
    pub fn trap_at(&self, pc: usize) -> (Option<u32>, std::result::Result<TrapCode, bool>) {
        let offset = (pc - self.code.base()) as u32;
        let def = self.funcs.iter().position(|&(s, e)| offset >= s && offset < e).map(|d| d as u32);
        let code = match self.traps.binary_search_by_key(&offset, |&(o, _)| o) {
            Ok(i) => trap_code(self.traps[i].1),
            Err(_) => Err(false),
        };
        (def, code)
    }
}

fn trap_code(code: ClTrap) -> std::result::Result<TrapCode, bool> {
    Ok(match code {
        ClTrap::STACK_OVERFLOW => TrapCode::CallStackExhausted,
        ClTrap::INTEGER_OVERFLOW => TrapCode::IntegerOverflow,
        ClTrap::HEAP_OUT_OF_BOUNDS => TrapCode::MemoryOutOfBounds,
        ClTrap::INTEGER_DIVISION_BY_ZERO => TrapCode::IntegerDivideByZero,
        ClTrap::BAD_CONVERSION_TO_INTEGER => TrapCode::InvalidConversionToInteger,
        other => {
            let raw = other.as_raw().get();
            if raw == TRAP_PENDING {
                return Err(true);
            }
            TrapCode::from_u8(raw).ok_or(false)?
        }
    })
}

/// The target ISA for `level`, built once per level: the host's CPU with all the features it has.
pub(crate) fn isa(level: OptLevel) -> Result<&'static OwnedTargetIsa> {
    static ISAS: [OnceLock<std::result::Result<OwnedTargetIsa, String>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let (slot, name) = match level {
        OptLevel::O0 => (&ISAS[0], "none"),
        OptLevel::Speed => (&ISAS[1], "speed"),
        OptLevel::SpeedAndSize => (&ISAS[2], "speed_and_size"),
    };
    let built = slot.get_or_init(|| {
        let mut flags = settings::builder();
        let set = |f: &mut settings::Builder, k: &str, v: &str| f.set(k, v).map_err(|e| format!("{k}={v}: {e}"));
        set(&mut flags, "opt_level", name)?;
        set(&mut flags, "preserve_frame_pointers", "true")?;
        set(&mut flags, "enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" })?;
        set(&mut flags, "enable_heap_access_spectre_mitigation", "false")?;
        set(&mut flags, "enable_table_access_spectre_mitigation", "false")?;
        set(&mut flags, "enable_probestack", "false")?;
        set(&mut flags, "enable_multi_ret_implicit_sret", "true")?;
        set(&mut flags, "unwind_info", "false")?;
        let builder = cranelift_native::builder().map_err(|e| format!("this CPU: {e}"))?;
        builder.finish(settings::Flags::new(flags)).map_err(|e| e.to_string())
    });
    built.as_ref().map_err(|e| Error::unsupported(format!("the compiler cannot target this machine: {e}")))
}

/// One compiled function of the image, before linking.
struct Blob {
    bytes: Vec<u8>,
    align: u32,
    relocs: Vec<(u32, Reloc, Target, i64)>,
    traps: Vec<(u32, ClTrap)>,
}

#[derive(Clone, Copy)]
enum Target {
    /// A function of the image: (name space, index).
    Image(u32, u32),
    /// An offset inside the same function.
    Local(u32),
    LibCall(LibCall),
}

#[derive(Clone, Copy)]
struct Job {
    ns: u32,
    index: u32,
}

/// Compile every function of `m` into one native image.
pub(crate) fn compile(m: &ModuleInner) -> Result<Linked> {
    if !crate::vm::native::SUPPORTED {
        return Err(Error::unsupported("the compiler supports only x86-64 Linux so far"));
    }
    let config = m.engine.config();
    let isa = isa(config.opt_level)?;
    let defs = m.bodies.len() as u32;
    let mut jobs = Vec::with_capacity(2 * defs as usize + m.types.len());
    jobs.extend((0..defs).map(|index| Job { ns: NS_FUNC, index }));
    jobs.extend((0..defs).map(|index| Job { ns: NS_ARRAY, index }));
    jobs.extend((0..m.types.len() as u32).map(|index| Job { ns: NS_HOST, index }));
    let blobs = jobs
        .par_iter()
        .map_init(
            || (Context::new(), FunctionBuilderContext::new()),
            |(ctx, fctx), &job| compile_one(isa, ctx, fctx, m, job),
        )
        .collect::<Result<Vec<Blob>>>()?;
    link(m, &jobs, blobs)
}

fn compile_one(
    isa: &OwnedTargetIsa,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    m: &ModuleInner,
    job: Job,
) -> Result<Blob> {
    ctx.clear();
    ctx.func =
        ir::Function::with_name_signature(UserFuncName::user(job.ns, job.index), ir::Signature::new(CallConv::Tail));
    let cfg = isa.frontend_config();
    let built = match job.ns {
        NS_FUNC => translate::function(&mut ctx.func, fctx, cfg, m, job.index),
        NS_ARRAY => translate::array_trampoline(&mut ctx.func, fctx, cfg, m, job.index),
        _ => translate::host_trampoline(&mut ctx.func, fctx, cfg, m, job.index),
    };
    let name = || match job.ns {
        NS_FUNC => m.func_name(m.num_imported_funcs + job.index),
        NS_ARRAY => format!("entry of {}", m.func_name(m.num_imported_funcs + job.index)),
        _ => format!("host trampoline of type {}", job.index),
    };
    built.map_err(|e| e.with_function(name()))?;
    if std::env::var_os("WASMEDGE_DUMP_CLIF").is_some() {
        eprintln!("; {}\n{}", name(), ctx.func.display());
    }
    let names = ctx.func.params.user_named_funcs().clone();
    let code = ctx
        .compile(&**isa, &mut ControlPlane::default())
        .map_err(|e| Error::unsupported(format!("internal compiler error in {}: {:?}", name(), e.inner)))?;
    let mut relocs = Vec::new();
    for r in code.buffer.relocs() {
        let target = match &r.target {
            FinalizedRelocTarget::ExternalName(ExternalName::User(u)) => {
                let n = &names[*u];
                Target::Image(n.namespace, n.index)
            }
            FinalizedRelocTarget::ExternalName(ExternalName::LibCall(lc)) => Target::LibCall(*lc),
            FinalizedRelocTarget::Func(offset) => Target::Local(*offset),
            FinalizedRelocTarget::ExternalName(other) => {
                return Err(Error::unsupported(format!("internal compiler error: relocation to {other:?}")));
            }
        };
        relocs.push((r.offset, r.kind, target, r.addend));
    }
    let traps = code.buffer.traps().iter().map(|t| (t.offset, t.code)).collect();
    Ok(Blob { bytes: code.code_buffer().to_vec(), align: code.buffer.alignment.max(16), relocs, traps })
}

/// The address of a Cranelift library call (used for rounding when the CPU lacks SSE4.1).
fn libcall(lc: LibCall) -> Result<usize> {
    extern "C" fn ceilf(x: f32) -> f32 {
        x.ceil()
    }
    extern "C" fn ceil(x: f64) -> f64 {
        x.ceil()
    }
    extern "C" fn floorf(x: f32) -> f32 {
        x.floor()
    }
    extern "C" fn floor(x: f64) -> f64 {
        x.floor()
    }
    extern "C" fn truncf(x: f32) -> f32 {
        x.trunc()
    }
    extern "C" fn trunc(x: f64) -> f64 {
        x.trunc()
    }
    extern "C" fn nearestf(x: f32) -> f32 {
        x.round_ties_even()
    }
    extern "C" fn nearest(x: f64) -> f64 {
        x.round_ties_even()
    }
    extern "C" fn fmaf(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
    extern "C" fn fma(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
    Ok(match lc {
        LibCall::CeilF32 => ceilf as *const () as usize,
        LibCall::CeilF64 => ceil as *const () as usize,
        LibCall::FloorF32 => floorf as *const () as usize,
        LibCall::FloorF64 => floor as *const () as usize,
        LibCall::TruncF32 => truncf as *const () as usize,
        LibCall::TruncF64 => trunc as *const () as usize,
        LibCall::NearestF32 => nearestf as *const () as usize,
        LibCall::NearestF64 => nearest as *const () as usize,
        LibCall::FmaF32 => fmaf as *const () as usize,
        LibCall::FmaF64 => fma as *const () as usize,
        other => return Err(Error::unsupported(format!("internal compiler error: library call {other:?}"))),
    })
}

/// How a relocation is patched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RelocKind {
    /// A 32-bit PC-relative displacement (x86-64 calls and RIP-relative operands).
    PcRel4,
    /// A 64-bit absolute address.
    Abs8,
}

/// What a relocation points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RelocTarget {
    /// An offset in the image.
    Image(u32),
    /// A runtime library function (index into [`LIBCALLS`]).
    LibCall(u8),
}

/// A relocation of the linked image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LinkReloc {
    pub site: u32,
    pub kind: RelocKind,
    pub target: RelocTarget,
    pub addend: i64,
}

/// A module's native code before it is mapped: what `wasmedge compile` writes to a file.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Linked {
    pub image: Vec<u8>,
    pub relocs: Vec<LinkReloc>,
    pub funcs: Vec<(u32, u32)>,
    pub array: Vec<u32>,
    pub host: Vec<u32>,
    /// (offset, raw Cranelift trap code), sorted by offset.
    pub traps: Vec<(u32, u8)>,
}

/// The library calls native code may need, by the index relocations use.
const LIBCALLS: [LibCall; 10] = [
    LibCall::CeilF32,
    LibCall::CeilF64,
    LibCall::FloorF32,
    LibCall::FloorF64,
    LibCall::TruncF32,
    LibCall::TruncF64,
    LibCall::NearestF32,
    LibCall::NearestF64,
    LibCall::FmaF32,
    LibCall::FmaF64,
];

/// Lay the blobs out in one image and resolve which relocation points where.
fn link(m: &ModuleInner, jobs: &[Job], blobs: Vec<Blob>) -> Result<Linked> {
    let defs = m.bodies.len();
    let mut image = Vec::new();
    let mut starts = Vec::with_capacity(blobs.len());
    for blob in &blobs {
        let at = image.len().next_multiple_of(blob.align as usize);
        image.resize(at, 0xcc);
        starts.push(at as u32);
        image.extend_from_slice(&blob.bytes);
    }
    if image.len() > i32::MAX as usize {
        return Err(Error::unsupported("the module's native code exceeds 2 GiB"));
    }
    let index_of = |ns: u32, index: u32| -> usize {
        match ns {
            NS_FUNC => index as usize,
            NS_ARRAY => defs + index as usize,
            _ => 2 * defs + index as usize,
        }
    };
    debug_assert!(jobs.iter().enumerate().all(|(i, j)| index_of(j.ns, j.index) == i));
    let mut traps = Vec::new();
    let mut relocs = Vec::new();
    for (blob, &start) in blobs.iter().zip(&starts) {
        traps.extend(blob.traps.iter().map(|&(o, c)| (start + o, c.as_raw().get())));
        for &(offset, kind, target, addend) in &blob.relocs {
            let kind = match kind {
                Reloc::X86CallPCRel4 | Reloc::X86PCRel4 => RelocKind::PcRel4,
                Reloc::Abs8 => RelocKind::Abs8,
                other => return Err(Error::unsupported(format!("internal compiler error: relocation {other:?}"))),
            };
            let target = match target {
                Target::Image(ns, index) => RelocTarget::Image(starts[index_of(ns, index)]),
                Target::Local(o) => RelocTarget::Image(start + o),
                Target::LibCall(lc) => match LIBCALLS.iter().position(|&l| l == lc) {
                    Some(i) => RelocTarget::LibCall(i as u8),
                    None => return Err(Error::unsupported(format!("internal compiler error: library call {lc:?}"))),
                },
            };
            relocs.push(LinkReloc { site: start + offset, kind, target, addend });
        }
    }
    traps.sort_by_key(|&(o, _)| o);
    let funcs = (0..defs).map(|d| (starts[d], starts[d] + blobs[d].bytes.len() as u32)).collect();
    let array = (0..defs).map(|d| starts[defs + d]).collect();
    let host = (0..m.types.len()).map(|t| starts[2 * defs + t]).collect();
    Ok(Linked { image, relocs, funcs, array, host, traps })
}

impl NativeModule {
    /// Map linked code for `m` executable. Everything in `linked` is checked against the module and the
    /// image first (it may come from a file), so a bad table is an error, never a stray write or jump.
    pub(crate) fn map(m: &ModuleInner, linked: Linked) -> Result<NativeModule> {
        let bad = |why: &str| Error::unsupported(format!("native code does not fit the module: {why}"));
        let len = linked.image.len() as u64;
        let defs = m.bodies.len();
        if linked.funcs.len() != defs || linked.array.len() != defs || linked.host.len() != m.types.len() {
            return Err(bad("wrong number of functions"));
        }
        let in_image = |o: u32| (o as u64) < len;
        if !linked.funcs.iter().all(|&(s, e)| s < e && e as u64 <= len)
            || !linked.array.iter().chain(&linked.host).all(|&o| in_image(o))
            || !linked.traps.windows(2).all(|w| w[0].0 < w[1].0)
            || !linked.traps.iter().all(|&(o, c)| in_image(o) && c != 0)
        {
            return Err(bad("an offset lies outside the code"));
        }
        for r in &linked.relocs {
            let size = if r.kind == RelocKind::Abs8 { 8 } else { 4 };
            let target_ok = match r.target {
                RelocTarget::Image(o) => in_image(o),
                RelocTarget::LibCall(i) => (i as usize) < LIBCALLS.len(),
            };
            if r.site as u64 + size > len || !target_ok {
                return Err(bad("a relocation lies outside the code"));
            }
        }
        let patch = |buf: &mut [u8], base: usize| -> std::result::Result<(), String> {
            for r in &linked.relocs {
                let target = match r.target {
                    RelocTarget::Image(o) => base + o as usize,
                    RelocTarget::LibCall(i) => libcall(LIBCALLS[i as usize]).map_err(|e| e.to_string())?,
                };
                let value = (target as i64).wrapping_add(r.addend);
                let site = r.site as usize;
                match r.kind {
                    RelocKind::PcRel4 => {
                        let rel = value.wrapping_sub((base + site) as i64);
                        let rel = i32::try_from(rel).map_err(|_| format!("call offset {rel} out of range"))?;
                        buf[site..site + 4].copy_from_slice(&rel.to_le_bytes());
                    }
                    RelocKind::Abs8 => buf[site..site + 8].copy_from_slice(&value.to_le_bytes()),
                }
            }
            Ok(())
        };
        let code = CodeMemory::new(&linked.image, patch)
            .map_err(|e| Error::instantiation(0x002, format!("cannot map native code: {e}")))?;
        let traps = linked
            .traps
            .iter()
            .map(|&(o, c)| (o, ClTrap::from_raw(std::num::NonZeroU8::new(c).expect("checked above"))))
            .collect();
        Ok(NativeModule { code, funcs: linked.funcs, array: linked.array, host: linked.host, traps })
    }
}

/// The native code of `m`: from its ahead-of-time section when that was made for this machine and
/// configuration, else compiled now if its engine uses the compiler. Reasons for not using an AOT section
/// are pushed to `warnings`.
pub(crate) fn prepare(m: &ModuleInner, warnings: &mut Vec<String>) -> Result<Option<Arc<NativeModule>>> {
    let config = m.engine.config();
    if config.load_native_code {
        match aot::load(m) {
            aot::Found::Code(linked) => match NativeModule::map(m, linked) {
                Ok(code) => return Ok(Some(Arc::new(code))),
                Err(e) => warnings.push(format!("{e}; running the module from its wasm bytes")),
            },
            aot::Found::Unusable(why) => warnings.push(format!("{why}; running the module from its wasm bytes")),
            aot::Found::None => {}
        }
    }
    if config.backend != crate::config::Backend::Compiler {
        return Ok(None);
    }
    let linked = compile(m)?;
    NativeModule::map(m, linked).map(|code| Some(Arc::new(code)))
}
