//! A plugin built against the ABI 1.0 interface, written directly on that interface.

use wasmedge_plugin_sdk::abi::{
    ABI_MAJOR, ABI_MINOR, CallingFrame_TO, FunctionDescriptor, ModuleDescriptor, ModuleInstance, ModuleInstanceBox,
    ModuleInstance_TO, OptionEntry, PluginDescriptor, PluginMod, PluginModRef, PluginVersion, RawVal, ValKind,
};
use abi_stable::export_root_module;
use wasmedge_plugin_sdk::abi_stable::prefix_type::PrefixTypeTrait;
use wasmedge_plugin_sdk::abi_stable::sabi_trait::TD_Opaque;
use wasmedge_plugin_sdk::abi_stable::sabi_types::RMut;
use wasmedge_plugin_sdk::abi_stable::std_types::{RErr, ROk, RResult, RSlice, RString, RVec};

struct Legacy;

impl ModuleInstance for Legacy {
    fn call(
        &mut self,
        function: u32,
        _frame: CallingFrame_TO<'_, RMut<'_, ()>>,
        args: RSlice<'_, RawVal>,
    ) -> RResult<RVec<RawVal>, RString> {
        match (function, args.as_slice()) {
            (0, [a, b]) => {
                let sum = (a.lo as u32 as i32).wrapping_add(b.lo as u32 as i32).wrapping_mul(10);
                ROk(vec![RawVal { kind: ValKind::I32, lo: sum as u32 as u64, hi: 0 }].into())
            }
            _ => RErr("bad call".into()),
        }
    }
}

extern "C" fn describe() -> PluginDescriptor {
    PluginDescriptor {
        name: "legacy_plugin".into(),
        description: "Built with the ABI 1.0 SDK".into(),
        version: PluginVersion { major: 1, minor: 0, patch: 0, build: 0 },
        modules: vec![ModuleDescriptor {
            name: "legacy".into(),
            description: "".into(),
            functions: vec![FunctionDescriptor {
                name: "add_times_ten".into(),
                params: vec![ValKind::I32, ValKind::I32].into(),
                results: vec![ValKind::I32].into(),
            }]
            .into(),
        }]
        .into(),
        options: RVec::new(),
    }
}

extern "C" fn instantiate(_module: u32, _options: RSlice<'_, OptionEntry>) -> RResult<ModuleInstanceBox, RString> {
    ROk(ModuleInstance_TO::from_value(Legacy, TD_Opaque))
}

#[export_root_module]
fn root() -> PluginModRef {
    PluginMod { abi_major: ABI_MAJOR, abi_minor: ABI_MINOR, describe, instantiate }.leak_into_prefix()
}
