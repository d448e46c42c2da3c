//! Exports an `abi_stable` root module of another type: the runtime must refuse it with a warning.

use abi_stable::library::RootModule;
use abi_stable::prefix_type::PrefixTypeTrait;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::{StableAbi, declare_root_module_statics, export_root_module, package_version_strings};

#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = OtherModRef)))]
pub struct OtherMod {
    #[sabi(last_prefix_field)]
    pub answer: extern "C" fn() -> u64,
}

impl RootModule for OtherModRef {
    declare_root_module_statics! {OtherModRef}
    const BASE_NAME: &'static str = "other";
    const NAME: &'static str = "other";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

extern "C" fn answer() -> u64 {
    42
}

#[export_root_module]
fn root() -> OtherModRef {
    OtherMod { answer }.leak_into_prefix()
}
