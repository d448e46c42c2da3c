//! Plugins: shared libraries built with `wasmedge-plugin-sdk` whose modules become importable host modules,
//! registered through the same [`Linker`] host-function API as WASI.
//!
//! Discovery ([`search_paths`]) looks, in order, at every entry of `WASMEDGE_PLUGIN_PATH` (':'-separated,
//! a directory or a file), `$HOME/.wasmedge/plugin`, every entry of `LIBRARY_PATH` joined with `wasmedge`
//! (the installer's `env` file puts `<path>/lib` there), `<prefix>/plugin` and `<prefix>/lib/wasmedge`
//! (prefix: the installation the running executable belongs to, i.e. the parent of its directory; the
//! installer puts plugins in the first for a private install and in the second under `/usr`), and finally
//! the executable's own directory (files named `libwasmedge_plugin_*` only — where a source build puts the
//! plugins it builds). A directory listed twice is searched once.
//! Directories are scanned recursively for shared libraries. The first plugin of a given name wins.
//!
//! Loading never crashes the runtime on a bad file: a file that is not a library, a library without the
//! plugin root module, an interface mismatch, a duplicate name — each is skipped with a [`Warning`]
//! naming the file and the reason. (Libraries are never unloaded: their code may be referenced by
//! functions registered in a store.)

mod clib;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use wasmedge_plugin_sdk::abi::{
    self, ABI_MAJOR, ABI_MINOR, CallingFrame, CallingFrame_TO, OptionEntry, PluginModRef, RawVal, ValKind, v1_0,
};
use wasmedge_plugin_sdk::abi_stable::library::{LibHeader, LibraryError, lib_header_from_path};
use wasmedge_plugin_sdk::abi_stable::sabi_trait::TD_Opaque;
use wasmedge_plugin_sdk::abi_stable::std_types::{RResult, RSlice, RString, RVec};

pub use clib::CLibrary;
pub use wasmedge_plugin_sdk::abi::{OptionKind, PluginVersion};

use crate::error::{Error, Result};
use crate::linker::Linker;
use crate::store::Store;
use crate::types::{FuncType, Val, ValType};

/// A plugin that was skipped, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub path: PathBuf,
    pub reason: String,
    /// The file is one of WasmEdge's C-API plugins (see [`is_c_plugin`]), which only a program using
    /// `libwasmedge.so` can load.
    pub c_plugin: bool,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "plugin {} skipped: {}", self.path.display(), self.reason)
    }
}

/// A program option a plugin declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginOption {
    pub name: String,
    pub description: String,
    pub kind: OptionKind,
}

/// One function of a plugin module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginFunction {
    pub name: String,
    pub ty: FuncType,
}

/// One module of a plugin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginModule {
    pub name: String,
    pub description: String,
    pub functions: Vec<PluginFunction>,
}

/// A loaded plugin.
pub struct Plugin {
    pub path: PathBuf,
    /// The plugin-SDK version it was built with (plugins of ABI 1.0 do not say).
    pub sdk_version: Option<String>,
    /// The plugin ABI version (major, minor) it was built for.
    pub abi: (u32, u32),
    pub name: String,
    pub description: String,
    pub version: PluginVersion,
    pub modules: Vec<PluginModule>,
    pub options: Vec<PluginOption>,
    root: Root,
}

/// A plugin's root module, in the newest layout it has.
#[derive(Clone, Copy)]
enum Root {
    Current(PluginModRef),
    /// Built with the ABI 1.0 SDK.
    V1_0(v1_0::PluginModRef),
}

impl Root {
    fn load(header: &'static LibHeader) -> std::result::Result<Root, LibraryError> {
        match header.init_root_module::<PluginModRef>() {
            Ok(root) => Ok(Root::Current(root)),
            // An older plugin of the same major ABI lacks the newer fields; the layout check ran before
            // anything was initialised, so trying the older layout is safe.
            Err(LibraryError::AbiInstability(_)) => header.init_root_module::<v1_0::PluginModRef>().map(Root::V1_0),
            Err(e) => Err(e),
        }
    }

    fn abi(&self) -> (u32, u32) {
        match self {
            Root::Current(r) => (r.abi_major(), r.abi_minor()),
            Root::V1_0(r) => (r.abi_major(), r.abi_minor()),
        }
    }

    fn describe(&self) -> abi::PluginDescriptor {
        match self {
            Root::Current(r) => (r.describe())(),
            Root::V1_0(r) => (r.describe())(),
        }
    }

    fn instantiate(&self, module: u32, options: RSlice<'_, OptionEntry>) -> RResult<abi::ModuleInstanceBox, RString> {
        match self {
            Root::Current(r) => (r.instantiate())(module, options),
            Root::V1_0(r) => (r.instantiate())(module, options),
        }
    }

    /// Every module for one guest: in one call where the plugin offers it (ABI 1.2), so its modules share
    /// their per-guest state; module by module otherwise.
    fn instantiate_all(
        &self,
        count: usize,
        options: RSlice<'_, OptionEntry>,
    ) -> Result<Vec<abi::ModuleInstanceBox>, String> {
        if let Root::Current(r) = self
            && let Some(all) = r.instantiate_all()
        {
            let instances = all(options).into_result().map_err(RString::into_string)?;
            if instances.len() != count {
                return Err(format!("it created {} modules but describes {count}", instances.len()));
            }
            return Ok(instances.into_iter().collect());
        }
        (0..count)
            .map(|index| self.instantiate(index as u32, options).into_result().map_err(RString::into_string))
            .collect()
    }

    fn sdk_version(&self) -> Option<String> {
        match self {
            Root::Current(r) => r.sdk_version().map(|f| f().into_string()),
            Root::V1_0(_) => None,
        }
    }
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin").field("path", &self.path).field("name", &self.name).finish()
    }
}

/// The plugins found, and the files that were skipped.
#[derive(Debug, Default)]
pub struct Plugins {
    pub plugins: Vec<Plugin>,
    pub warnings: Vec<Warning>,
}

/// Where plugins are looked for, in order.
pub fn search_paths() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::env::var_os("WASMEDGE_PLUGIN_PATH")
        .map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect())
        .unwrap_or_default();
    if let Some(home) = dirs::home_dir() {
        paths.push(home.join(".wasmedge").join("plugin"));
    }
    if let Some(v) = std::env::var_os("LIBRARY_PATH") {
        paths.extend(std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).map(|p| p.join("wasmedge")));
    }
    if let Some(bin) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf)) {
        if let Some(prefix) = bin.parent() {
            paths.push(prefix.join("plugin"));
            paths.push(prefix.join("lib").join("wasmedge"));
        }
        paths.push(bin);
    }
    let mut seen = Vec::new();
    paths.retain(|p| {
        let key = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    paths
}

fn is_shared_library(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("so" | "dylib" | "dll"))
}

/// The shared libraries under `paths` (files as given, directories scanned recursively; the
/// executable's own directory only for `libwasmedge_plugin_*` files).
pub fn discover(paths: &[PathBuf]) -> Vec<PathBuf> {
    let exe_dir = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf));
    let mut found = Vec::new();
    for path in paths {
        if path.is_file() {
            found.push(path.clone());
        } else if Some(path) == exe_dir.as_ref() {
            let mut libs: Vec<PathBuf> = std::fs::read_dir(path)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    is_shared_library(p)
                        && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("libwasmedge_plugin_"))
                })
                .collect();
            libs.sort();
            found.extend(libs);
        } else if path.is_dir() {
            scan(path, 0, &mut found);
        }
    }
    found
}

fn scan(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    if depth > 8 {
        return;
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            scan(&p, depth + 1, found);
        } else if is_shared_library(&p) {
            found.push(p);
        }
    }
}

fn library_error(e: &LibraryError) -> String {
    match e {
        LibraryError::OpenError { .. } => format!("not a loadable shared library ({e})"),
        LibraryError::GetSymbolError { .. } => {
            "not a wasmedge plugin: the library exports no plugin root module".to_string()
        }
        LibraryError::IncompatibleVersionNumber { expected_version, actual_version, .. } => format!(
            "built against plugin SDK {actual_version}, which is incompatible with this runtime's SDK {expected_version}"
        ),
        LibraryError::AbiInstability(detail) if std::env::var_os("WASMEDGE_PLUGIN_DEBUG").is_some() => {
            format!("interface mismatch: {detail}")
        }
        LibraryError::AbiInstability(_) => {
            "its plugin interface does not match this runtime's (built against an incompatible plugin SDK)".to_string()
        }
        other => other.to_string(),
    }
}

fn val_type(k: ValKind) -> ValType {
    match k {
        ValKind::I32 => ValType::I32,
        ValKind::I64 => ValType::I64,
        ValKind::F32 => ValType::F32,
        ValKind::F64 => ValType::F64,
        ValKind::V128 => ValType::V128,
        ValKind::FuncRef => ValType::FuncRef,
        ValKind::ExternRef => ValType::ExternRef,
    }
}

fn val_kind(t: ValType) -> ValKind {
    match t {
        ValType::I32 => ValKind::I32,
        ValType::I64 => ValKind::I64,
        ValType::F32 => ValKind::F32,
        ValType::F64 => ValKind::F64,
        ValType::V128 => ValKind::V128,
        ValType::FuncRef => ValKind::FuncRef,
        ValType::ExternRef => ValKind::ExternRef,
    }
}

fn to_raw(v: &Val) -> RawVal {
    let bits = v.to_raw();
    RawVal { kind: val_kind(v.ty()), lo: bits as u64, hi: (bits >> 64) as u64 }
}

fn from_raw(ty: ValType, r: &RawVal) -> Option<Val> {
    (val_kind(ty) == r.kind).then(|| Val::from_raw(ty, r.lo as u128 | (r.hi as u128) << 64))
}

impl Plugins {
    /// Load every plugin found under `paths` (see [`discover`]).
    pub fn load(paths: &[PathBuf]) -> Plugins {
        let mut out = Plugins::default();
        for path in discover(paths) {
            match load_one(&path) {
                Ok(plugin) => {
                    if let Some(first) = out.plugins.iter().find(|p| p.name == plugin.name) {
                        let reason = format!(
                            "a plugin named \"{}\" was already loaded from {}",
                            plugin.name,
                            first.path.display()
                        );
                        out.warnings.push(Warning { path, reason, c_plugin: false });
                    } else {
                        out.plugins.push(plugin);
                    }
                }
                Err((reason, c_plugin)) => out.warnings.push(Warning { path, reason, c_plugin }),
            }
        }
        out
    }

    /// Load from the standard search paths.
    pub fn load_default() -> Plugins {
        Plugins::load(&search_paths())
    }

    /// The plugin that provides import module `module`, if loaded.
    pub fn provider(&self, module: &str) -> Option<&Plugin> {
        self.plugins.iter().find(|p| p.modules.iter().any(|m| m.name == module))
    }
}

/// Whether the library at `path` is one of WasmEdge's own C-API plugins: it exports
/// `WasmEdge_Plugin_GetDescriptor` from its dynamic symbol table.
pub fn is_c_plugin(path: &Path) -> bool {
    use object::{Object, ObjectSymbol};
    // Only the headers and the dynamic symbol table are read.
    let Ok(f) = std::fs::File::open(path) else { return false };
    let cache = object::ReadCache::new(f);
    let Ok(file) = object::File::parse(&cache) else { return false };
    file.dynamic_symbols().any(|s| !s.is_undefined() && s.name() == Ok("WasmEdge_Plugin_GetDescriptor"))
}

/// Load the plugin at `path`, or say why not (and whether it is a C-API plugin).
fn load_one(path: &Path) -> std::result::Result<Plugin, (String, bool)> {
    let header = lib_header_from_path(path).map_err(|e| match e {
        LibraryError::OpenError { .. } | LibraryError::GetSymbolError { .. } if is_c_plugin(path) => (
            "a WasmEdge C-API plugin (it exports WasmEdge_Plugin_GetDescriptor), loaded only through this runtime's \
             libwasmedge.so"
                .to_string(),
            true,
        ),
        e => (library_error(&e), false),
    })?;
    let header_err = |e: LibraryError| (library_error(&e), false);
    let root = Root::load(header).map_err(header_err)?;
    let (major, minor) = root.abi();
    if major != ABI_MAJOR {
        return Err((
            format!(
                "built for plugin ABI {major}.{minor}, but this runtime supports ABI {ABI_MAJOR}.{ABI_MINOR} (major versions must match)"
            ),
            false,
        ));
    }
    let d = root.describe();
    if d.name.is_empty() {
        return Err((d.description.into_string(), false));
    }
    let modules = d
        .modules
        .iter()
        .map(|m| PluginModule {
            name: m.name.to_string(),
            description: m.description.to_string(),
            functions: m
                .functions
                .iter()
                .map(|f| PluginFunction {
                    name: f.name.to_string(),
                    ty: FuncType::new(f.params.iter().map(|&k| val_type(k)), f.results.iter().map(|&k| val_type(k))),
                })
                .collect(),
        })
        .collect();
    let options = d
        .options
        .iter()
        .map(|o| PluginOption { name: o.name.to_string(), description: o.description.to_string(), kind: o.kind })
        .collect();
    Ok(Plugin {
        path: path.to_path_buf(),
        sdk_version: root.sdk_version(),
        abi: (major, minor),
        name: d.name.into_string(),
        description: d.description.into_string(),
        version: d.version,
        modules,
        options,
        root,
    })
}

/// The caller's memory, as a plugin's host function sees it; every access is bounds-checked here.
struct HostFrame<'a> {
    memory: &'a mut [u8],
}

impl CallingFrame for HostFrame<'_> {
    fn memory_size(&self) -> u64 {
        self.memory.len() as u64
    }

    fn read(&self, ptr: u32, len: u32) -> RResult<RVec<u8>, RString> {
        match crate::func::checked_range(self.memory.len(), ptr, len) {
            Ok(r) => RResult::ROk(self.memory[r].into()),
            Err(_) => RResult::RErr(format!("out of bounds memory access: {len} bytes at {ptr}").into()),
        }
    }

    fn write(&mut self, ptr: u32, data: RSlice<'_, u8>) -> RResult<(), RString> {
        let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        match crate::func::checked_range(self.memory.len(), ptr, len) {
            Ok(r) => {
                self.memory[r].copy_from_slice(data.as_slice());
                RResult::ROk(())
            }
            Err(_) => RResult::RErr(format!("out of bounds memory access: {len} bytes at {ptr}").into()),
        }
    }
}

impl Plugin {
    /// Create the plugin's module instances with the program `options` (name, values) and define their
    /// functions in `linker`.
    pub fn register<T: 'static>(
        &self,
        linker: &mut Linker<T>,
        store: &mut Store<T>,
        options: &[(String, Vec<String>)],
    ) -> Result<()> {
        let entries: RVec<OptionEntry> = options
            .iter()
            .filter(|(name, _)| self.options.iter().any(|o| &o.name == name))
            .map(|(name, values)| OptionEntry {
                name: name.as_str().into(),
                values: values.iter().map(|v| RString::from(v.as_str())).collect(),
            })
            .collect();
        let instances = self
            .root
            .instantiate_all(self.modules.len(), entries.as_rslice())
            .map_err(|e| Error::api(format!("plugin \"{}\" could not create its modules: {e}", self.name)))?;
        for (module, instance) in self.modules.iter().zip(instances) {
            let instance = Arc::new(Mutex::new(instance));
            for (number, function) in module.functions.iter().enumerate() {
                let instance = instance.clone();
                let ty = function.ty.clone();
                let what = format!("{}::{}", module.name, function.name);
                linker.func_new(
                    store,
                    &module.name,
                    &function.name,
                    function.ty.clone(),
                    move |mut caller, args, out| {
                        let raw: Vec<RawVal> = args.iter().map(to_raw).collect();
                        let mut empty = [];
                        let memory = match caller.memory(0) {
                            Some(_) => caller.memory_data_mut(0).unwrap_or(&mut empty),
                            None => &mut empty,
                        };
                        let mut frame = HostFrame { memory };
                        let frame = CallingFrame_TO::from_ptr(&mut frame, TD_Opaque);
                        let mut guard = instance.lock().unwrap_or_else(|e| e.into_inner());
                        let results = guard.call(number as u32, frame, raw.as_slice().into()).into_result();
                        let results = results.map_err(|e| Error::host(format!("{what}: {e}")))?;
                        if results.len() != ty.results().len() {
                            return Err(Error::host(format!("{what} returned {} values", results.len())));
                        }
                        for ((slot, &t), r) in out.iter_mut().zip(ty.results()).zip(results.iter()) {
                            *slot = from_raw(t, r)
                                .ok_or_else(|| Error::host(format!("{what} returned a value of the wrong type")))?;
                        }
                        Ok(())
                    },
                );
            }
        }
        Ok(())
    }
}

/// The plugin a well-known import module comes from, for a helpful message when it is not installed.
pub fn plugin_for_import(module: &str) -> Option<&'static str> {
    match module {
        "wasi_ephemeral_nn" | "wasi_nn" => Some("wasi_nn"),
        m if m.starts_with("wasi_ephemeral_crypto") => Some("wasi_crypto"),
        "wasi:logging/logging" => Some("wasi_logging"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_modules_name_their_plugin() {
        assert_eq!(plugin_for_import("wasi_ephemeral_nn"), Some("wasi_nn"));
        assert_eq!(plugin_for_import("wasi_ephemeral_crypto_symmetric"), Some("wasi_crypto"));
        assert_eq!(plugin_for_import("wasi:logging/logging"), Some("wasi_logging"));
        assert_eq!(plugin_for_import("env"), None);
    }

    #[test]
    fn garbage_files_are_warnings() {
        let dir = std::env::temp_dir().join(format!("wasmedge-plugin-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("garbage.so"), b"not a library").unwrap();
        std::fs::write(dir.join("notes.txt"), b"ignored").unwrap();
        let plugins = Plugins::load(std::slice::from_ref(&dir));
        assert!(plugins.plugins.is_empty());
        assert_eq!(plugins.warnings.len(), 1);
        assert!(plugins.warnings[0].reason.contains("not a loadable shared library"), "{}", plugins.warnings[0]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
