//! The plugin interface of ABI 1.0, frozen: `abi.rs` is the SDK's `abi.rs` as it was before ABI 1.1 added
//! `PluginMod::sdk_version`. Only the interface is kept; the builder API is not needed by the test plugin.

#[allow(unsafe_code, non_local_definitions)]
pub mod abi;
pub use abi_stable;
