//! A plugin that says it was built for plugin ABI 2.0: the runtime must refuse it, naming both versions.

use abi_stable::export_root_module;
use wasmedge_plugin_sdk::abi::{ModuleInstanceBox, OptionEntry, PluginDescriptor, PluginMod, PluginModRef, PluginVersion};
use wasmedge_plugin_sdk::abi_stable::prefix_type::PrefixTypeTrait;
use wasmedge_plugin_sdk::abi_stable::std_types::{RErr, RResult, RSlice, RString, RVec};

extern "C" fn describe() -> PluginDescriptor {
    PluginDescriptor {
        name: "future_plugin".into(),
        description: "From the future".into(),
        version: PluginVersion { major: 2, minor: 0, patch: 0, build: 0 },
        modules: RVec::new(),
        options: RVec::new(),
    }
}

extern "C" fn instantiate(_module: u32, _options: RSlice<'_, OptionEntry>) -> RResult<ModuleInstanceBox, RString> {
    RErr("no modules".into())
}

#[export_root_module]
fn root() -> PluginModRef {
    PluginMod { abi_major: 2, abi_minor: 0, describe, instantiate }.leak_into_prefix()
}
