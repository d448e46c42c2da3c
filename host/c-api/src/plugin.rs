//! Plugins: our SDK's plugins and WasmEdge's own C plugins (a library exporting
//! `WasmEdge_Plugin_GetDescriptor`, plugin API version 4 as in WasmEdge 0.15), found on WasmEdge's paths,
//! their modules made into module instances; the options WasmEdge's C API sets for some of them
//! (`WasmEdge_PluginInitWASINN`, and the process plugin's allowed commands).
//!
//! Loaded plugins stay loaded for the life of the process, as in WasmEdge.

use std::collections::HashMap;
use std::ffi::c_char;
use std::sync::Mutex;

use wasmedge_host::plugin::{Plugin, Plugins};

use crate::basic::{LOG_WARN, WasmEdge_String, log};
use crate::ffi::{self, CPluginInfo, capi};
use crate::world::ModuleInstance;

/// The plugin API version of WasmEdge 0.15's C plugins.
pub const C_PLUGIN_API_VERSION: u32 = 4;

/// `WasmEdge_PluginContext`: a loaded plugin of either kind.
pub enum PluginEntry {
    Sdk(Plugin),
    C(CPluginInfo),
}

impl PluginEntry {
    pub fn name(&self) -> &str {
        match self {
            PluginEntry::Sdk(p) => &p.name,
            PluginEntry::C(p) => &p.name,
        }
    }

    pub fn module_names(&self) -> Vec<&str> {
        match self {
            PluginEntry::Sdk(p) => p.modules.iter().map(|m| m.name.as_str()).collect(),
            PluginEntry::C(p) => p.modules.iter().map(|(n, _, _)| n.as_str()).collect(),
        }
    }

    /// A new instance of module `name` (NULL if the plugin has no such module or fails to make it).
    pub fn create_module(&'static self, name: &str) -> *mut ModuleInstance {
        match self {
            PluginEntry::Sdk(p) => {
                if !p.modules.iter().any(|m| m.name == name) {
                    return std::ptr::null_mut();
                }
                ffi::into_raw(ModuleInstance::plugin(p, name.to_string()))
            }
            PluginEntry::C(p) => {
                let Some((_, _, desc)) = p.modules.iter().find(|(n, _, _)| n == name) else {
                    return std::ptr::null_mut();
                };
                // The plugin builds the module with this library's functions and hands it over.
                desc.create.map_or(std::ptr::null_mut(), |create| create(*desc))
            }
        }
    }
}

/// The loaded plugins (leaked: their contexts live as long as the process).
static LOADED: Mutex<Vec<&'static PluginEntry>> = Mutex::new(Vec::new());

/// A plugin's program options: (name, values).
type Options = Vec<(String, Vec<String>)>;

/// Program options set for plugins through the C API, by plugin name.
static OPTIONS: Mutex<Option<HashMap<String, Options>>> = Mutex::new(None);

/// The loaded plugins.
pub fn loaded() -> Vec<&'static PluginEntry> {
    LOADED.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Options set for plugin `name`.
pub fn options_for(name: &str) -> Options {
    OPTIONS.lock().unwrap_or_else(|e| e.into_inner()).as_ref().and_then(|m| m.get(name).cloned()).unwrap_or_default()
}

fn set_option(plugin: &str, option: &str, values: Vec<String>) {
    let mut guard = OPTIONS.lock().unwrap_or_else(|e| e.into_inner());
    let entry = guard.get_or_insert_with(HashMap::new).entry(plugin.to_string()).or_default();
    entry.retain(|(name, _)| name != option);
    entry.push((option.to_string(), values));
}

/// Load the plugins among the shared libraries under `paths`: each file as one of our SDK's plugins, else
/// as a WasmEdge C plugin. A plugin whose name is already loaded is skipped; files that are neither, or of
/// another API version, are logged as warnings.
fn load(paths: &[std::path::PathBuf]) {
    for file in wasmedge_host::plugin::discover(paths) {
        let sdk = Plugins::load(std::slice::from_ref(&file));
        match sdk.plugins.into_iter().next() {
            Some(p) => add(PluginEntry::Sdk(p)),
            None if sdk.warnings.iter().any(|w| w.c_plugin) => load_c(&file),
            None => {
                for w in &sdk.warnings {
                    log(LOG_WARN, &w.to_string());
                }
            }
        }
    }
}

/// Load only the WasmEdge C plugins among the shared libraries under `paths` (for the `wasmedge` command,
/// which loads our SDK's plugins itself).
pub fn load_c_plugins(paths: &[std::path::PathBuf]) {
    for file in wasmedge_host::plugin::discover(paths) {
        if wasmedge_host::plugin::is_c_plugin(&file) {
            load_c(&file);
        }
    }
}

fn load_c(file: &std::path::Path) {
    if loaded().iter().any(|p| matches!(p, PluginEntry::C(c) if c.path == file)) {
        return;
    }
    match ffi::load_c_plugin(file) {
        Ok(c) if c.api_version == C_PLUGIN_API_VERSION => add(PluginEntry::C(c)),
        Ok(c) => {
            let why = format!("plugin API version {}, this runtime loads {C_PLUGIN_API_VERSION}", c.api_version);
            log(LOG_WARN, &format!("plugin {} skipped: {why}", file.display()));
        }
        Err(why) => log(LOG_WARN, &format!("plugin {} skipped: {why}", file.display())),
    }
}

/// Keep `entry` unless a plugin of its name is loaded already.
fn add(entry: PluginEntry) {
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    if !loaded.iter().any(|q| q.name() == entry.name()) {
        loaded.push(Box::leak(Box::new(entry)));
    }
}

fn find(name: &str) -> Option<&'static PluginEntry> {
    loaded().into_iter().find(|p| p.name() == name)
}

fn strings(p: *const *const c_char, len: u32) -> Vec<String> {
    ffi::slice(p, len).iter().filter_map(|&s| ffi::cstr(s)).map(|b| String::from_utf8_lossy(b).into_owned()).collect()
}

capi! {
    /// `WASMEDGE_PLUGIN_PATH`, `$HOME/.wasmedge/plugin`, and the directories beside the program.
    fn WasmEdge_PluginLoadWithDefaultPaths() {
        load(&wasmedge_host::plugin::search_paths());
    }
    /// A plugin file, or a directory searched for plugins.
    fn WasmEdge_PluginLoadFromPath(path: *const c_char) {
        let Some(path) = ffi::path(path) else { return };
        load(&[path.to_path_buf()]);
    }
    fn WasmEdge_PluginListPluginsLength() -> u32 {
        loaded().len() as u32
    }
    /// Names are owned by the loaded plugins (valid for the life of the process).
    fn WasmEdge_PluginListPlugins(names: *mut WasmEdge_String, len: u32) -> u32 {
        let all = loaded();
        for (slot, p) in ffi::slice_mut(names, len).iter_mut().zip(&all) {
            *slot = WasmEdge_String::wrap(p.name());
        }
        all.len() as u32
    }
    fn WasmEdge_PluginFind(name: WasmEdge_String) -> *const PluginEntry {
        find(&name.to_str()).map_or(std::ptr::null(), |p| p)
    }
    fn WasmEdge_PluginGetPluginName(cxt: *const PluginEntry) -> WasmEdge_String {
        ffi::get(cxt).map_or(WasmEdge_String::EMPTY, |p| WasmEdge_String::wrap(p.name()))
    }
    fn WasmEdge_PluginListModuleLength(cxt: *const PluginEntry) -> u32 {
        ffi::get(cxt).map_or(0, |p| p.module_names().len() as u32)
    }
    fn WasmEdge_PluginListModule(cxt: *const PluginEntry, names: *mut WasmEdge_String, len: u32) -> u32 {
        let Some(p) = ffi::get(cxt) else { return 0 };
        let modules = p.module_names();
        for (slot, m) in ffi::slice_mut(names, len).iter_mut().zip(&modules) {
            *slot = WasmEdge_String::wrap(m);
        }
        modules.len() as u32
    }
    /// A module instance of the plugin's module `name` (NULL if it has none by that name), created in the
    /// store it is registered into, with the options set for the plugin.
    fn WasmEdge_PluginCreateModule(cxt: *const PluginEntry, name: WasmEdge_String) -> *mut ModuleInstance {
        let Some(p) = ffi::get(cxt) else { return std::ptr::null_mut() };
        // The context came from the registry, whose entries are 'static.
        let Some(p) = loaded().into_iter().find(|q| std::ptr::eq(*q, p)) else { return std::ptr::null_mut() };
        p.create_module(&name.to_str())
    }
    /// Sets wasi_nn's `nn-preload` option (`alias:backend:target:path`) for modules created afterwards.
    fn WasmEdge_PluginInitWASINN(preloads: *const *const c_char, len: u32) {
        set_option("wasi_nn", "nn-preload", strings(preloads, len));
    }
    /// Sets the process plugin's `allow-command` (and `allow-command-all`) options, for a plugin named
    /// `wasmedge_process` (none ships with this runtime).
    fn WasmEdge_ModuleInstanceInitWasmEdgeProcess(cmds: *const *const c_char, len: u32, allow_all: bool) {
        set_option("wasmedge_process", "allow-command", strings(cmds, len));
        if allow_all {
            set_option("wasmedge_process", "allow-command-all", Vec::new());
        }
    }
}
