//! Engine configuration: proposals, limits and statistics.

use wasmparser::WasmFeatures;

/// A WebAssembly proposal that can be switched on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Proposal {
    ImportExportMutGlobals,
    NonTrapFloatToInt,
    SignExtension,
    MultiValue,
    BulkMemory,
    ReferenceTypes,
    Simd,
    TailCall,
    ExtendedConst,
    MultiMemory,
    FunctionReferences,
    RelaxedSimd,
    Threads,
    ExceptionHandling,
    Gc,
    Memory64,
    Component,
}

impl Proposal {
    /// Every proposal, in WasmEdge's order.
    pub const ALL: [Proposal; 17] = [
        Proposal::ImportExportMutGlobals,
        Proposal::NonTrapFloatToInt,
        Proposal::SignExtension,
        Proposal::MultiValue,
        Proposal::BulkMemory,
        Proposal::ReferenceTypes,
        Proposal::Simd,
        Proposal::TailCall,
        Proposal::ExtendedConst,
        Proposal::MultiMemory,
        Proposal::FunctionReferences,
        Proposal::RelaxedSimd,
        Proposal::Threads,
        Proposal::ExceptionHandling,
        Proposal::Gc,
        Proposal::Memory64,
        Proposal::Component,
    ];

    /// The proposal's name as users know it.
    pub fn name(self) -> &'static str {
        match self {
            Proposal::ImportExportMutGlobals => "import/export of mutable globals",
            Proposal::NonTrapFloatToInt => "non-trapping float-to-int conversions",
            Proposal::SignExtension => "sign-extension operators",
            Proposal::MultiValue => "multi-value",
            Proposal::BulkMemory => "bulk memory operations",
            Proposal::ReferenceTypes => "reference types",
            Proposal::Simd => "SIMD",
            Proposal::TailCall => "tail call",
            Proposal::ExtendedConst => "extended const",
            Proposal::MultiMemory => "multiple memories",
            Proposal::FunctionReferences => "typed function references",
            Proposal::RelaxedSimd => "relaxed SIMD",
            Proposal::Threads => "threads",
            Proposal::ExceptionHandling => "exception handling",
            Proposal::Gc => "garbage collection",
            Proposal::Memory64 => "memory64",
            Proposal::Component => "component model",
        }
    }

    /// Whether WasmEdge enables it by default.
    pub fn default_enabled(self) -> bool {
        matches!(
            self,
            Proposal::ImportExportMutGlobals
                | Proposal::NonTrapFloatToInt
                | Proposal::SignExtension
                | Proposal::MultiValue
                | Proposal::BulkMemory
                | Proposal::ReferenceTypes
                | Proposal::Simd
        )
    }

    /// Whether this engine can run modules that use it.
    pub fn implemented(self) -> bool {
        self.default_enabled() || matches!(self, Proposal::TailCall | Proposal::ExtendedConst | Proposal::MultiMemory)
    }

    fn features(self) -> WasmFeatures {
        match self {
            Proposal::ImportExportMutGlobals => WasmFeatures::MUTABLE_GLOBAL,
            Proposal::NonTrapFloatToInt => WasmFeatures::SATURATING_FLOAT_TO_INT,
            Proposal::SignExtension => WasmFeatures::SIGN_EXTENSION,
            Proposal::MultiValue => WasmFeatures::MULTI_VALUE,
            Proposal::BulkMemory => WasmFeatures::BULK_MEMORY,
            Proposal::ReferenceTypes => WasmFeatures::REFERENCE_TYPES,
            Proposal::Simd => WasmFeatures::SIMD,
            Proposal::TailCall => WasmFeatures::TAIL_CALL,
            Proposal::ExtendedConst => WasmFeatures::EXTENDED_CONST,
            Proposal::MultiMemory => WasmFeatures::MULTI_MEMORY,
            Proposal::FunctionReferences => WasmFeatures::FUNCTION_REFERENCES,
            Proposal::RelaxedSimd => WasmFeatures::RELAXED_SIMD,
            Proposal::Threads => WasmFeatures::THREADS,
            Proposal::ExceptionHandling => WasmFeatures::EXCEPTIONS,
            Proposal::Gc => WasmFeatures::GC,
            Proposal::Memory64 => WasmFeatures::MEMORY64,
            Proposal::Component => WasmFeatures::COMPONENT_MODEL,
        }
    }
}

/// Which backend runs the modules of an engine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Translate each function to register code on its first call and interpret it: instant start.
    #[default]
    Interpreter,
    /// Compile every function to native code with Cranelift when the module is loaded: fast execution.
    Compiler,
}

/// How much the compiler optimises (`wasmedge compile --optimize`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OptLevel {
    /// No optimisation: fastest compilation.
    O0,
    /// Cranelift's "speed" level (levels 1-3 are the same to Cranelift).
    #[default]
    Speed,
    /// Cranelift's "speed_and_size" level (`s` and `z`).
    SpeedAndSize,
}

/// How an engine loads and runs modules. Build one, then hand it to [`crate::Engine::new`].
#[derive(Clone, Debug)]
pub struct Config {
    enabled: Vec<Proposal>,
    pub(crate) max_memory_pages: u32,
    pub(crate) max_call_depth: u32,
    pub(crate) max_stack_slots: u32,
    pub(crate) count_instructions: bool,
    pub(crate) meter_gas: bool,
    pub(crate) gas_limit: Option<u64>,
    pub(crate) cost_table: Option<Box<[u64; 256]>>,
    pub(crate) interruptible: bool,
    pub(crate) measure_host_time: bool,
    pub(crate) backend: Backend,
    pub(crate) opt_level: OptLevel,
    pub(crate) max_wasm_stack: usize,
    pub(crate) load_native_code: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: Proposal::ALL.iter().copied().filter(|p| p.default_enabled()).collect(),
            max_memory_pages: 65536,
            max_call_depth: 10_000,
            max_stack_slots: 16 << 20,
            count_instructions: false,
            meter_gas: false,
            gas_limit: None,
            cost_table: None,
            interruptible: false,
            measure_host_time: false,
            backend: Backend::Interpreter,
            opt_level: OptLevel::Speed,
            max_wasm_stack: 1 << 20,
            load_native_code: true,
        }
    }
}

impl Config {
    /// WasmEdge's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Switch a proposal on or off.
    pub fn proposal(&mut self, proposal: Proposal, on: bool) -> &mut Self {
        self.enabled.retain(|&p| p != proposal);
        if on {
            self.enabled.push(proposal);
        }
        self
    }

    /// Whether a proposal is on.
    pub fn has(&self, proposal: Proposal) -> bool {
        self.enabled.contains(&proposal)
    }

    /// The largest number of 64 KiB pages a memory may have; `memory.grow` beyond it returns -1.
    pub fn max_memory_pages(&mut self, pages: u32) -> &mut Self {
        self.max_memory_pages = pages.min(65536);
        self
    }

    /// How deep calls may nest before execution traps with "call stack exhausted".
    pub fn max_call_depth(&mut self, depth: u32) -> &mut Self {
        self.max_call_depth = depth.max(1);
        self
    }

    /// The backend that runs modules loaded with this config (the interpreter by default).
    pub fn backend(&mut self, backend: Backend) -> &mut Self {
        self.backend = backend;
        self
    }

    /// The backend chosen with [`Config::backend`].
    pub fn selected_backend(&self) -> Backend {
        self.backend
    }

    /// Run the native code that `wasmedge compile` put in a module, when it was made for this machine and
    /// configuration (on by default; off is `--force-interpreter`).
    pub fn use_native_code(&mut self, on: bool) -> &mut Self {
        self.load_native_code = on;
        self
    }

    /// The compiler's optimisation level.
    pub fn opt_level(&mut self, level: OptLevel) -> &mut Self {
        self.opt_level = level;
        self
    }

    /// How many bytes of native stack compiled code may use before it traps with "call stack exhausted"
    /// (1 MiB by default). The compiler's equivalent of [`Config::max_call_depth`]; it is also capped by
    /// what the calling thread's stack has left.
    pub fn max_wasm_stack(&mut self, bytes: usize) -> &mut Self {
        self.max_wasm_stack = bytes.max(4096);
        self
    }

    /// Count executed instructions (read them with [`crate::Store::instruction_count`]).
    pub fn count_instructions(&mut self, on: bool) -> &mut Self {
        self.count_instructions = on;
        self
    }

    /// Measure gas: every instruction costs its entry in the cost table (1 by default).
    pub fn meter_gas(&mut self, on: bool) -> &mut Self {
        self.meter_gas = on;
        self
    }

    /// Stop the guest with "cost limit exceeded" once this much gas is spent; turns gas metering on.
    pub fn gas_limit(&mut self, limit: u64) -> &mut Self {
        self.meter_gas = true;
        self.gas_limit = Some(limit);
        self
    }

    /// The cost of each opcode, indexed by its first byte (prefixed opcodes use their prefix byte).
    pub fn cost_table(&mut self, table: [u64; 256]) -> &mut Self {
        self.meter_gas = true;
        self.cost_table = Some(Box::new(table));
        self
    }

    /// Check an interrupt flag at every loop head and function entry, so that another thread (or a time
    /// limit) can stop the guest with "execution interrupted".
    pub fn interruptible(&mut self, on: bool) -> &mut Self {
        self.interruptible = on;
        self
    }

    /// Measure the time spent in host functions called by the guest (read it with
    /// [`crate::Store::host_time`]).
    pub fn measure_host_time(&mut self, on: bool) -> &mut Self {
        self.measure_host_time = on;
        self
    }

    /// The validator features: enabled proposals that this engine implements. Proposals that are switched
    /// on but not implemented are left off, so a module needing them fails validation; the loader then says
    /// "not supported yet" ([`Config::unsupported_enabled`]).
    pub(crate) fn wasm_features(&self) -> WasmFeatures {
        let mut features = WasmFeatures::MVP | WasmFeatures::FLOATS;
        for p in &self.enabled {
            if p.implemented() {
                features |= p.features();
            }
        }
        features
    }

    /// The validator features of every enabled proposal, implemented or not.
    pub(crate) fn all_enabled_features(&self) -> WasmFeatures {
        self.enabled.iter().fold(WasmFeatures::MVP | WasmFeatures::FLOATS, |f, p| f | p.features())
    }

    /// Proposals the user switched on that this engine cannot run yet.
    pub(crate) fn unsupported_enabled(&self) -> impl Iterator<Item = Proposal> + '_ {
        self.enabled.iter().copied().filter(|p| !p.implemented())
    }

    /// Whether every instruction costs 1 gas, so that the gas used is also the instruction count and
    /// metered code keeps one counter instead of two.
    pub(crate) fn uniform_costs(&self) -> bool {
        self.cost_table.as_ref().is_none_or(|t| t.iter().all(|&c| c == 1))
    }

    pub(crate) fn gas_cost(&self, opcode_byte: u8) -> u64 {
        self.cost_table.as_ref().map_or(1, |t| t[opcode_byte as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_wasmedge() {
        let c = Config::default();
        assert!(c.has(Proposal::Simd) && c.has(Proposal::BulkMemory) && c.has(Proposal::ReferenceTypes));
        assert!(!c.has(Proposal::TailCall) && !c.has(Proposal::Gc) && !c.has(Proposal::Memory64));
        let f = c.wasm_features();
        assert!(f.simd() && f.multi_value() && !f.tail_call() && !f.threads());
    }

    #[test]
    fn unimplemented_proposals_stay_off_in_the_validator() {
        let mut c = Config::default();
        c.proposal(Proposal::Gc, true).proposal(Proposal::TailCall, true);
        assert!(Proposal::MultiMemory.implemented());
        assert!(!c.wasm_features().gc());
        assert!(c.wasm_features().tail_call());
        assert_eq!(c.unsupported_enabled().collect::<Vec<_>>(), vec![Proposal::Gc]);
    }
}
