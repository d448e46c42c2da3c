//! Test a plugin's host functions the way a guest calls them, without a runtime: a [`Harness`] creates the
//! plugin's modules as the runtime does for one guest and calls them by name over a linear memory the test
//! owns, through the same interface and bounds-checked frame.
//!
//! ```
//! use wasmedge_plugin_sdk::testing::Harness;
//! use wasmedge_plugin_sdk::{Frame, Module, Plugin};
//!
//! let plugin = Plugin::new("p", "", (0, 1, 0, 0)).module(Module::new("m", "", |_| Ok(())).func(
//!     "store",
//!     |_: &mut (), frame: &mut Frame, ptr: u32, value: u32| frame.write(ptr, &value.to_le_bytes()),
//! ));
//! let mut h = Harness::new(&plugin, &[], 65536).unwrap();
//! h.call("m", "store", &[8, 0xdead]).unwrap();
//! assert_eq!(&h.memory()[8..12], &0xdead_u32.to_le_bytes());
//! assert!(h.call("m", "store", &[65534, 1]).is_err());
//! ```

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RResult, RSlice, RVec};

use crate::abi::{self, CallingFrame, CallingFrame_TO, ModuleInstanceBox, RawVal, ValKind};
use crate::{Options, Plugin};

/// A plugin's modules, instantiated for one pretend guest with a linear memory.
pub struct Harness {
    memory: Memory,
    modules: Vec<(abi::ModuleDescriptor, ModuleInstanceBox)>,
}

struct Memory(Vec<u8>);

impl Memory {
    fn range(&self, ptr: u32, len: usize) -> Option<std::ops::Range<usize>> {
        let start = ptr as usize;
        let end = start.checked_add(len)?;
        (end <= self.0.len()).then_some(start..end)
    }
}

impl CallingFrame for Memory {
    fn memory_size(&self) -> u64 {
        self.0.len() as u64
    }

    fn read(&self, ptr: u32, len: u32) -> RResult<RVec<u8>, abi_stable::std_types::RString> {
        match self.range(ptr, len as usize) {
            Some(r) => RResult::ROk(self.0[r].into()),
            None => RResult::RErr(format!("out of bounds memory access: {len} bytes at {ptr}").into()),
        }
    }

    fn write(&mut self, ptr: u32, data: RSlice<'_, u8>) -> RResult<(), abi_stable::std_types::RString> {
        match self.range(ptr, data.len()) {
            Some(r) => {
                self.0[r].copy_from_slice(data.as_slice());
                RResult::ROk(())
            }
            None => RResult::RErr(format!("out of bounds memory access: {} bytes at {ptr}", data.len()).into()),
        }
    }
}

impl Harness {
    /// Create every module of `plugin` for one guest (sharing one [`crate::Scope`], as the runtime does),
    /// with the program `options` (name, values) and a zeroed memory of `memory_size` bytes.
    pub fn new(plugin: &Plugin, options: &[(&str, &[&str])], memory_size: usize) -> Result<Harness, String> {
        let options = Options {
            entries: options
                .iter()
                .map(|(name, values)| (name.to_string(), values.iter().map(|v| v.to_string()).collect()))
                .collect(),
        };
        let instances = plugin.instantiate_all(&options)?;
        let modules = plugin.descriptor().modules.into_iter().zip(instances).collect();
        Ok(Harness { memory: Memory(vec![0; memory_size]), modules })
    }

    /// The guest's memory.
    pub fn memory(&self) -> &[u8] {
        &self.memory.0
    }

    /// The guest's memory, to write inputs.
    pub fn memory_mut(&mut self) -> &mut [u8] {
        &mut self.memory.0
    }

    /// Call `module`.`function` with `args` as the guest would (an `i32` parameter takes the low 32 bits of
    /// its argument). Returns the results as raw bits (an `i32` result zero-extended), or the message the
    /// guest would trap with.
    pub fn call(&mut self, module: &str, function: &str, args: &[u64]) -> Result<Vec<u64>, String> {
        let (descriptor, instance) = self
            .modules
            .iter_mut()
            .find(|(d, _)| d.name.as_str() == module)
            .ok_or_else(|| format!("no module {module}"))?;
        let (number, f) = descriptor
            .functions
            .iter()
            .enumerate()
            .find(|(_, f)| f.name.as_str() == function)
            .ok_or_else(|| format!("no function {module}.{function}"))?;
        if f.params.len() != args.len() {
            return Err(format!("{module}.{function} takes {} arguments, not {}", f.params.len(), args.len()));
        }
        let raw: Vec<RawVal> = f
            .params
            .iter()
            .zip(args)
            .map(|(&kind, &a)| {
                let lo = if matches!(kind, ValKind::I32 | ValKind::F32) { a & 0xffff_ffff } else { a };
                RawVal { kind, lo, hi: 0 }
            })
            .collect();
        let frame = CallingFrame_TO::from_ptr(&mut self.memory, TD_Opaque);
        let results = instance.call(number as u32, frame, raw.as_slice().into()).into_result();
        results.map(|r| r.iter().map(|v| v.lo).collect()).map_err(|e| e.into_string())
    }
}
