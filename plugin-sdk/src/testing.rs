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
///
/// Tests place inputs and output buffers in that memory with a small bump allocator ([`Harness::alloc`],
/// [`Harness::put`], [`Harness::out`]) that starts at [`HEAP_START`] and wraps around when the memory is
/// used up, so a test that reads each call's outputs right after the call never runs out.
pub struct Harness {
    memory: Memory,
    modules: Vec<(abi::ModuleDescriptor, ModuleInstanceBox)>,
    top: u32,
}

/// Where [`Harness::alloc`] starts: the first KiB is left alone, so no allocation sits at address 0.
pub const HEAP_START: u32 = 1024;

/// What [`Harness::out`] fills output buffers with, so a test sees which bytes a call wrote.
pub const FILL: u8 = 0xa5;

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
        Ok(Harness { memory: Memory(vec![0; memory_size]), modules, top: HEAP_START })
    }

    /// The guest's memory.
    pub fn memory(&self) -> &[u8] {
        &self.memory.0
    }

    /// The guest's memory, to write inputs.
    pub fn memory_mut(&mut self) -> &mut [u8] {
        &mut self.memory.0
    }

    /// The memory's size in bytes.
    pub fn memory_size(&self) -> u32 {
        u32::try_from(self.memory.0.len()).unwrap_or(u32::MAX)
    }

    /// `len` bytes of guest memory, 8-aligned, from the bump allocator (see [`Harness`]).
    ///
    /// # Panics
    /// If `len` does not fit in the memory above [`HEAP_START`].
    pub fn alloc(&mut self, len: usize) -> u32 {
        let len = (len.max(1) + 7) & !7;
        let size = self.memory.0.len() as u64;
        assert!(len as u64 + u64::from(HEAP_START) <= size, "allocation of {len} bytes too large for the memory");
        if u64::from(self.top) + len as u64 > size {
            self.top = HEAP_START;
        }
        let p = self.top;
        self.top += len as u32;
        p
    }

    /// Forget every allocation.
    pub fn reset_heap(&mut self) {
        self.top = HEAP_START;
    }

    /// Place `data` in guest memory: (pointer, length).
    pub fn put(&mut self, data: &[u8]) -> (u32, u32) {
        let p = self.alloc(data.len());
        self.memory.0[p as usize..p as usize + data.len()].copy_from_slice(data);
        (p, data.len() as u32)
    }

    /// Place little-endian `u32`s in guest memory: the pointer.
    pub fn put_u32s(&mut self, values: &[u32]) -> u32 {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.put(&bytes).0
    }

    /// An output buffer of `len` bytes, filled with [`FILL`].
    pub fn out(&mut self, len: usize) -> u32 {
        let p = self.alloc(len);
        self.memory.0[p as usize..p as usize + len].fill(FILL);
        p
    }

    /// `len` bytes of guest memory at `ptr`.
    ///
    /// # Panics
    /// If they are not all within the memory.
    pub fn read(&self, ptr: u32, len: usize) -> Vec<u8> {
        self.memory.0[ptr as usize..ptr as usize + len].to_vec()
    }

    /// The little-endian `u32` at `ptr`.
    pub fn read_u32(&self, ptr: u32) -> u32 {
        u32::from_le_bytes(self.read(ptr, 4).try_into().unwrap())
    }

    /// The little-endian `u64` at `ptr`.
    pub fn read_u64(&self, ptr: u32) -> u64 {
        u64::from_le_bytes(self.read(ptr, 8).try_into().unwrap())
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
