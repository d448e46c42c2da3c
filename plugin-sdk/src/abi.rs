//! The binary interface between the runtime and a plugin library. Both sides compile these definitions;
//! `abi_stable` checks at load time that their layouts agree.
//!
//! Evolution: [`PluginMod`] is a prefix type. A later SDK may append fields after the last prefix field;
//! a runtime built with it still loads plugins built with an older SDK of the same [`ABI_MAJOR`] (the
//! missing fields read as absent), and a plugin built with a newer SDK still loads in an older runtime
//! (the runtime never looks at the fields it does not know). A change that cannot be expressed this way
//! bumps [`ABI_MAJOR`], and the runtime refuses such plugins with a message naming both versions.

use abi_stable::library::RootModule;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::std_types::{RBox, RResult, RSlice, RString, RVec};
use abi_stable::{StableAbi, declare_root_module_statics, package_version_strings, sabi_trait};

/// Incompatible changes of the interface bump this.
pub const ABI_MAJOR: u32 = 1;
/// Compatible additions bump this. 1.1 added [`PluginMod::sdk_version`], 1.2
/// [`PluginMod::instantiate_all`].
pub const ABI_MINOR: u32 = 2;

/// The name of the ELF section that holds a plugin's [`AbiRecord`].
pub const ABI_RECORD_SECTION: &str = ".wasmedge_plugin";
/// The first bytes of an [`AbiRecord`].
pub const ABI_RECORD_MAGIC: [u8; 16] = *b"WASMEDGE-PLUGIN\0";

/// The plugin ABI a library was built for, in a fixed layout in its own section ([`ABI_RECORD_SECTION`]),
/// so that tools such as the installer can read it from the file without loading the library. The
/// runtime's own check reads the same record (through the root module), so the two cannot disagree.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AbiRecord {
    /// [`ABI_RECORD_MAGIC`].
    pub magic: [u8; 16],
    /// The layout of this record: 1.
    pub format: u32,
    pub abi_major: u32,
    pub abi_minor: u32,
    pub reserved: u32,
}

impl AbiRecord {
    /// The record of this SDK.
    pub const CURRENT: AbiRecord =
        AbiRecord { magic: ABI_RECORD_MAGIC, format: 1, abi_major: ABI_MAJOR, abi_minor: ABI_MINOR, reserved: 0 };
    /// The size of the record in a file.
    pub const SIZE: usize = 32;

    /// Parse a record from the bytes of its section (`little_endian`: the file's byte order).
    pub fn parse(bytes: &[u8], little_endian: bool) -> Option<AbiRecord> {
        let bytes = bytes.get(..Self::SIZE)?;
        if bytes[..16] != ABI_RECORD_MAGIC {
            return None;
        }
        let word = |i: usize| {
            let b: [u8; 4] = bytes[16 + 4 * i..20 + 4 * i].try_into().expect("4 bytes");
            if little_endian { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) }
        };
        let record = AbiRecord {
            magic: ABI_RECORD_MAGIC,
            format: word(0),
            abi_major: word(1),
            abi_minor: word(2),
            reserved: word(3),
        };
        (record.format == 1).then_some(record)
    }

    /// Whether a runtime supporting ABI `runtime_major.x` loads a plugin with this record: the major
    /// versions must match (see the module documentation for minor versions).
    pub fn loads_in(&self, runtime_major: u32) -> bool {
        self.abi_major == runtime_major
    }
}

/// The type of a WebAssembly value crossing the interface.
#[repr(u8)]
#[derive(StableAbi, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValKind {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
}

/// A WebAssembly value as raw bits (floats as their IEEE bits, `v128` in both words, `lo` first).
#[repr(C)]
#[derive(StableAbi, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawVal {
    pub kind: ValKind,
    pub lo: u64,
    pub hi: u64,
}

/// A plugin's version: major.minor.patch.build.
#[repr(C)]
#[derive(StableAbi, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PluginVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
    pub build: u32,
}

/// How a program option is written on the command line.
#[repr(u8)]
#[derive(StableAbi, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// `--name` (no value).
    Toggle,
    /// `--name 42`.
    Int,
    /// `--name text`.
    String,
    /// `--name a --name b` (repeatable).
    List,
}

/// A program option a plugin adds to the `wasmedge` command.
#[repr(C)]
#[derive(StableAbi, Clone, Debug)]
pub struct OptionDescriptor {
    pub name: RString,
    pub description: RString,
    pub kind: OptionKind,
}

/// The value of a program option, as given on the command line.
#[repr(C)]
#[derive(StableAbi, Clone, Debug, PartialEq, Eq)]
pub struct OptionEntry {
    pub name: RString,
    /// One element for Toggle ("true"), Int and String options; one per occurrence for List options.
    pub values: RVec<RString>,
}

/// One host function of a module.
#[repr(C)]
#[derive(StableAbi, Clone, Debug)]
pub struct FunctionDescriptor {
    pub name: RString,
    pub params: RVec<ValKind>,
    pub results: RVec<ValKind>,
}

/// One module (an importable name) of a plugin.
#[repr(C)]
#[derive(StableAbi, Clone, Debug)]
pub struct ModuleDescriptor {
    pub name: RString,
    pub description: RString,
    pub functions: RVec<FunctionDescriptor>,
}

/// Everything a plugin says about itself.
#[repr(C)]
#[derive(StableAbi, Clone, Debug)]
pub struct PluginDescriptor {
    pub name: RString,
    pub description: RString,
    pub version: PluginVersion,
    pub modules: RVec<ModuleDescriptor>,
    pub options: RVec<OptionDescriptor>,
}

/// What a host function sees of its caller, implemented by the runtime: bounds-checked access to the
/// caller's linear memory 0 as it is at the time of the call.
#[sabi_trait]
pub trait CallingFrame {
    /// The memory's current size in bytes.
    fn memory_size(&self) -> u64;
    /// `len` bytes at `ptr`, or an error if that range is outside the memory.
    fn read(&self, ptr: u32, len: u32) -> RResult<RVec<u8>, RString>;
    /// Write `data` at `ptr`, or an error if that range is outside the memory.
    fn write(&mut self, ptr: u32, data: RSlice<'_, u8>) -> RResult<(), RString>;
}

/// A module instance, created by the plugin and owning the plugin's state for it. The runtime drops it
/// through this interface, so the plugin's own allocator frees it.
#[sabi_trait]
pub trait ModuleInstance: Send {
    /// Call function number `function` of the module (its index in [`ModuleDescriptor::functions`]).
    /// `Err` traps the guest with the message.
    fn call(
        &mut self,
        function: u32,
        frame: CallingFrame_TO<'_, abi_stable::sabi_types::RMut<'_, ()>>,
        args: RSlice<'_, RawVal>,
    ) -> RResult<RVec<RawVal>, RString>;
}

/// An owned module instance crossing the interface.
pub type ModuleInstanceBox = ModuleInstance_TO<'static, RBox<()>>;

/// The root module every plugin library exports (see [`crate::export_plugin`]).
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModRef)))]
#[sabi(missing_field(panic))]
pub struct PluginMod {
    /// The [`ABI_MAJOR`] the plugin was built with.
    pub abi_major: u32,
    /// The [`ABI_MINOR`] the plugin was built with.
    pub abi_minor: u32,
    /// Describe the plugin. Never panics (the SDK catches panics).
    pub describe: extern "C" fn() -> PluginDescriptor,
    /// Instantiate module number `module` with the program options. Never panics.
    #[sabi(last_prefix_field)]
    pub instantiate:
        extern "C" fn(module: u32, options: RSlice<'_, OptionEntry>) -> RResult<ModuleInstanceBox, RString>,
    /// (ABI 1.1) The version of the SDK the plugin was built with, for diagnostics. Plugins built for ABI 1.0
    /// lack it: `PluginModRef::sdk_version()` returns `None` for them.
    #[sabi(missing_field(option))]
    pub sdk_version: extern "C" fn() -> RString,
    /// (ABI 1.2) Instantiate every module of the plugin, in descriptor order, for one guest: the instances
    /// share the state the plugin keeps per guest (see `Scope` in the SDK). Without it (older plugins) the
    /// runtime calls `instantiate` once per module.
    #[sabi(missing_field(option))]
    pub instantiate_all: extern "C" fn(options: RSlice<'_, OptionEntry>) -> RResult<RVec<ModuleInstanceBox>, RString>,
}

impl RootModule for PluginModRef {
    declare_root_module_statics! {PluginModRef}
    const BASE_NAME: &'static str = "wasmedge_plugin";
    const NAME: &'static str = "wasmedge_plugin";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

/// The root module as it was at ABI 1.0, frozen. `abi_stable` lets a loader expect *fewer* fields than a
/// library has, never more; so the runtime loads a plugin with the current [`PluginMod`] first and, if the
/// plugin predates a field, with the oldest layout of the same major ABI. Same type name and package, so
/// the layout check matches plugins built with the 1.0 SDK.
pub mod v1_0 {
    use abi_stable::library::RootModule;
    use abi_stable::sabi_types::VersionStrings;
    use abi_stable::std_types::{RResult, RSlice, RString};
    use abi_stable::{StableAbi, declare_root_module_statics, package_version_strings};

    use super::{ModuleInstanceBox, OptionEntry, PluginDescriptor};

    /// [`super::PluginMod`] without the fields added after ABI 1.0.
    #[repr(C)]
    #[derive(StableAbi)]
    #[sabi(kind(Prefix(prefix_ref = PluginModRef)))]
    #[sabi(missing_field(panic))]
    pub struct PluginMod {
        pub abi_major: u32,
        pub abi_minor: u32,
        pub describe: extern "C" fn() -> PluginDescriptor,
        #[sabi(last_prefix_field)]
        pub instantiate:
            extern "C" fn(module: u32, options: RSlice<'_, OptionEntry>) -> RResult<ModuleInstanceBox, RString>,
    }

    impl RootModule for PluginModRef {
        declare_root_module_statics! {PluginModRef}
        const BASE_NAME: &'static str = "wasmedge_plugin";
        const NAME: &'static str = "wasmedge_plugin";
        const VERSION_STRINGS: VersionStrings = package_version_strings!();
    }
}
