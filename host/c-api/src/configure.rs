//! `WasmEdge_ConfigureContext`: proposals, host registrations, runtime, compiler and statistics
//! settings, turned into our engine's `Config` when a loader, validator, executor or VM is made.

use wasmedge_host::{Config, OptLevel, Proposal};

use crate::ffi::{self, capi};

/// `enum WasmEdge_Proposal`, in the C API's order (which differs from `Proposal::ALL`'s).
pub const PROPOSALS: [Option<Proposal>; 18] = [
    Some(Proposal::ImportExportMutGlobals),
    Some(Proposal::NonTrapFloatToInt),
    Some(Proposal::SignExtension),
    Some(Proposal::MultiValue),
    Some(Proposal::BulkMemory),
    Some(Proposal::ReferenceTypes),
    Some(Proposal::Simd),
    Some(Proposal::TailCall),
    Some(Proposal::ExtendedConst),
    Some(Proposal::FunctionReferences),
    Some(Proposal::Gc),
    Some(Proposal::MultiMemory),
    Some(Proposal::RelaxedSimd),
    // Annotations: a text-format proposal, nothing for a binary engine to do.
    None,
    Some(Proposal::Threads),
    Some(Proposal::ExceptionHandling),
    Some(Proposal::Memory64),
    Some(Proposal::Component),
];
const REFERENCE_TYPES: u32 = 5;
const FUNCTION_REFERENCES: u32 = 9;
const GC: u32 = 10;

/// `enum WasmEdge_HostRegistration`: only `Wasi` (0).
pub const HOST_WASI: u32 = 0;

/// `enum WasmEdge_CompilerOptimizationLevel`: O0, O1, O2, O3, Os, Oz.
const OPT_LEVELS: u32 = 6;

/// `WasmEdge_ConfigureContext`.
#[derive(Clone, Debug)]
pub struct Configure {
    /// Bit `n`: proposal `n` of `enum WasmEdge_Proposal`.
    proposals: u32,
    pub wasi: bool,
    pub max_memory_pages: u32,
    pub force_interpreter: bool,
    pub allow_af_unix: bool,
    pub opt_level: u32,
    pub output_format: u32,
    pub dump_ir: bool,
    pub generic_binary: bool,
    pub interruptible: bool,
    pub count_instructions: bool,
    pub measure_cost: bool,
    pub measure_time: bool,
}

impl Default for Configure {
    /// WasmEdge's defaults: the seven finished proposals, 65536 pages, O3, universal wasm output.
    fn default() -> Self {
        Configure {
            proposals: 0b111_1111,
            wasi: false,
            max_memory_pages: 65536,
            force_interpreter: false,
            allow_af_unix: false,
            opt_level: 3,
            output_format: 1,
            dump_ir: false,
            generic_binary: false,
            interruptible: false,
            count_instructions: false,
            measure_cost: false,
            measure_time: false,
        }
    }
}

impl Configure {
    pub fn has(&self, p: u32) -> bool {
        p < PROPOSALS.len() as u32 && self.proposals & (1 << p) != 0
    }

    /// Add a proposal and those it depends on, as WasmEdge does; unknown values are ignored.
    pub fn add(&mut self, p: u32) {
        if p >= PROPOSALS.len() as u32 {
            return;
        }
        self.proposals |= 1 << p;
        if p == FUNCTION_REFERENCES {
            self.proposals |= 1 << REFERENCE_TYPES;
        }
        if p == GC {
            self.proposals |= (1 << FUNCTION_REFERENCES) | (1 << REFERENCE_TYPES);
        }
    }

    /// Remove a proposal unless an enabled one depends on it, as WasmEdge does.
    pub fn remove(&mut self, p: u32) {
        if p >= PROPOSALS.len() as u32 {
            return;
        }
        if p == FUNCTION_REFERENCES && self.has(GC) {
            return;
        }
        if p == REFERENCE_TYPES && (self.has(GC) || self.has(FUNCTION_REFERENCES)) {
            return;
        }
        self.proposals &= !(1 << p);
    }

    /// Our engine's configuration. Proposals the engine does not implement stay enabled in the config,
    /// so that a module needing them fails to load with "not supported yet" rather than as malformed.
    pub fn to_config(&self) -> Config {
        let mut c = Config::new();
        for (i, p) in PROPOSALS.iter().enumerate() {
            if let Some(p) = p {
                c.proposal(*p, self.has(i as u32));
            }
        }
        c.max_memory_pages(self.max_memory_pages);
        // Forced interpretation ignores native code a module carries.
        c.use_native_code(!self.force_interpreter);
        c.count_instructions(self.count_instructions);
        c.meter_gas(self.measure_cost);
        c.interruptible(self.interruptible);
        c.measure_host_time(self.measure_time);
        c.opt_level(match self.opt_level {
            0 => OptLevel::O0,
            4 | 5 => OptLevel::SpeedAndSize,
            _ => OptLevel::Speed,
        });
        c
    }
}

capi! {
    fn WasmEdge_ConfigureCreate() -> *mut Configure {
        ffi::into_raw(Configure::default())
    }
    fn WasmEdge_ConfigureDelete(cxt: *mut Configure) {
        ffi::delete(cxt)
    }
    fn WasmEdge_ConfigureAddProposal(cxt: *mut Configure, prop: u32) {
        if let Some(c) = ffi::get_mut(cxt) {
            c.add(prop);
        }
    }
    fn WasmEdge_ConfigureRemoveProposal(cxt: *mut Configure, prop: u32) {
        if let Some(c) = ffi::get_mut(cxt) {
            c.remove(prop);
        }
    }
    fn WasmEdge_ConfigureHasProposal(cxt: *const Configure, prop: u32) -> bool {
        ffi::get(cxt).is_some_and(|c| c.has(prop))
    }
    fn WasmEdge_ConfigureAddHostRegistration(cxt: *mut Configure, host: u32) {
        if let (Some(c), HOST_WASI) = (ffi::get_mut(cxt), host) {
            c.wasi = true;
        }
    }
    fn WasmEdge_ConfigureRemoveHostRegistration(cxt: *mut Configure, host: u32) {
        if let (Some(c), HOST_WASI) = (ffi::get_mut(cxt), host) {
            c.wasi = false;
        }
    }
    fn WasmEdge_ConfigureHasHostRegistration(cxt: *const Configure, host: u32) -> bool {
        ffi::get(cxt).is_some_and(|c| host == HOST_WASI && c.wasi)
    }
    fn WasmEdge_ConfigureSetMaxMemoryPage(cxt: *mut Configure, page: u32) {
        if let Some(c) = ffi::get_mut(cxt) {
            c.max_memory_pages = page;
        }
    }
    fn WasmEdge_ConfigureGetMaxMemoryPage(cxt: *const Configure) -> u32 {
        ffi::get(cxt).map_or(0, |c| c.max_memory_pages)
    }
    fn WasmEdge_ConfigureSetForceInterpreter(cxt: *mut Configure, on: bool) {
        if let Some(c) = ffi::get_mut(cxt) {
            c.force_interpreter = on;
        }
    }
    fn WasmEdge_ConfigureIsForceInterpreter(cxt: *const Configure) -> bool {
        ffi::get(cxt).is_some_and(|c| c.force_interpreter)
    }
    fn WasmEdge_ConfigureSetAllowAFUNIX(cxt: *mut Configure, on: bool) {
        if let Some(c) = ffi::get_mut(cxt) {
            c.allow_af_unix = on;
        }
    }
    fn WasmEdge_ConfigureIsAllowAFUNIX(cxt: *const Configure) -> bool {
        ffi::get(cxt).is_some_and(|c| c.allow_af_unix)
    }
    /// An unknown level is ignored.
    fn WasmEdge_ConfigureCompilerSetOptimizationLevel(cxt: *mut Configure, level: u32) {
        if let (Some(c), true) = (ffi::get_mut(cxt), level < OPT_LEVELS) {
            c.opt_level = level;
        }
    }
    /// O0 for NULL, as WasmEdge.
    fn WasmEdge_ConfigureCompilerGetOptimizationLevel(cxt: *const Configure) -> u32 {
        ffi::get(cxt).map_or(0, |c| c.opt_level)
    }
    /// An unknown format is ignored.
    fn WasmEdge_ConfigureCompilerSetOutputFormat(cxt: *mut Configure, format: u32) {
        if let (Some(c), true) = (ffi::get_mut(cxt), format < 2) {
            c.output_format = format;
        }
    }
    /// Wasm for NULL, as WasmEdge.
    fn WasmEdge_ConfigureCompilerGetOutputFormat(cxt: *const Configure) -> u32 {
        ffi::get(cxt).map_or(1, |c| c.output_format)
    }
    fn WasmEdge_ConfigureCompilerSetDumpIR(cxt: *mut Configure, on: bool) {
        if let Some(c) = ffi::get_mut(cxt) {
            c.dump_ir = on;
        }
    }
    fn WasmEdge_ConfigureCompilerIsDumpIR(cxt: *const Configure) -> bool {
        ffi::get(cxt).is_some_and(|c| c.dump_ir)
    }
    fn WasmEdge_ConfigureCompilerSetGenericBinary(cxt: *mut Configure, on: bool) {
        if let Some(c) = ffi::get_mut(cxt) {
            c.generic_binary = on;
        }
    }
    fn WasmEdge_ConfigureCompilerIsGenericBinary(cxt: *const Configure) -> bool {
        ffi::get(cxt).is_some_and(|c| c.generic_binary)
    }
    fn WasmEdge_ConfigureCompilerSetInterruptible(cxt: *mut Configure, on: bool) {
        if let Some(c) = ffi::get_mut(cxt) {
            c.interruptible = on;
        }
    }
    fn WasmEdge_ConfigureCompilerIsInterruptible(cxt: *const Configure) -> bool {
        ffi::get(cxt).is_some_and(|c| c.interruptible)
    }
    fn WasmEdge_ConfigureStatisticsSetInstructionCounting(cxt: *mut Configure, on: bool) {
        if let Some(c) = ffi::get_mut(cxt) {
            c.count_instructions = on;
        }
    }
    fn WasmEdge_ConfigureStatisticsIsInstructionCounting(cxt: *const Configure) -> bool {
        ffi::get(cxt).is_some_and(|c| c.count_instructions)
    }
    fn WasmEdge_ConfigureStatisticsSetCostMeasuring(cxt: *mut Configure, on: bool) {
        if let Some(c) = ffi::get_mut(cxt) {
            c.measure_cost = on;
        }
    }
    fn WasmEdge_ConfigureStatisticsIsCostMeasuring(cxt: *const Configure) -> bool {
        ffi::get(cxt).is_some_and(|c| c.measure_cost)
    }
    fn WasmEdge_ConfigureStatisticsSetTimeMeasuring(cxt: *mut Configure, on: bool) {
        if let Some(c) = ffi::get_mut(cxt) {
            c.measure_time = on;
        }
    }
    fn WasmEdge_ConfigureStatisticsIsTimeMeasuring(cxt: *const Configure) -> bool {
        ffi::get(cxt).is_some_and(|c| c.measure_time)
    }
}
