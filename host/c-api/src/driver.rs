//! The driver functions: the `wasmedge` command itself, so that a program linking only `libwasmedge.so`
//! (WasmEdge's `wasmedge` executable is one) is the full command line tool — with WasmEdge's C plugins,
//! which need this library. Our own `wasmedge` executable runs its command line here when it finds one.

use std::ffi::c_char;

use wasmedge_cli::Embedder;
use wasmedge_host::{Engine, Error, Linker, Store};
use wasmedge_wasi::WasiState;

use crate::ffi::{self, capi};
use crate::plugin::{self, PluginEntry};
use crate::types::{EXTERNAL_FUNCTION, EXTERNAL_GLOBAL, EXTERNAL_MEMORY, EXTERNAL_TABLE};
use crate::world::{HostState, ModuleInstance, World};

/// `argv[1..argc]` as strings (the program name dropped); NULL entries end the list.
fn args(argc: i32, argv: *const *const c_char) -> Vec<String> {
    let all = ffi::slice(argv, argc.max(0) as u32);
    all.iter().skip(1).map_while(|&p| ffi::cstr(p)).map(|b| String::from_utf8_lossy(b).into_owned()).collect()
}

/// The command run by this library: its store is a world of the C API, so that WasmEdge C plugins' modules
/// (made with this library's functions, their host functions given the C API's calling frames) link with
/// the guest like any other module.
struct WithCPlugins;

impl Embedder for WithCPlugins {
    type Data = HostState;
    const LOADS_C_PLUGINS: bool = true;

    fn plugin_lines(&self) -> Vec<String> {
        plugin::load_c_plugins(&wasmedge_host::plugin::search_paths());
        plugin::loaded()
            .into_iter()
            .filter_map(|p| match p {
                PluginEntry::C(c) => {
                    let [a, b, c_, d] = c.version;
                    Some(format!("{} (plugin \"{}\") version {a}.{b}.{c_}.{d}", c.path.display(), c.name))
                }
                PluginEntry::Sdk(_) => None,
            })
            .collect()
    }

    fn with_store<R>(
        &self,
        engine: &Engine,
        wasi: WasiState,
        f: impl FnOnce(&mut Store<HostState>, &mut Linker<HostState>) -> R,
    ) -> Result<R, Error> {
        plugin::load_c_plugins(&wasmedge_host::plugin::search_paths());
        let world = World::new(engine.clone());
        world.store.with(|s| s.data_mut().wasi = Some(wasi));
        let mut linker = Linker::new();
        // The module contexts live until the run ends (their finalizers run then).
        let mut modules: Vec<Box<ModuleInstance>> = Vec::new();
        for p in plugin::loaded() {
            let PluginEntry::C(c) = p else { continue };
            for (name, _, _) in &c.modules {
                let m = p.create_module(name);
                if m.is_null() {
                    return Err(Error::api(format!("plugin \"{}\" failed to create module \"{name}\"", c.name)));
                }
                let m = ffi::take(m);
                m.bind(&world)?;
                let kinds = [EXTERNAL_FUNCTION, EXTERNAL_MEMORY, EXTERNAL_TABLE, EXTERNAL_GLOBAL];
                let names: Vec<String> = kinds.iter().flat_map(|&k| m.names(k)).collect();
                world.store.with(|s| {
                    for n in &names {
                        if let Some(e) = m.export(s, n) {
                            linker.define(&m.name, n, e);
                        }
                    }
                });
                modules.push(m);
            }
        }
        let result = world.store.with(|store| f(store, &mut linker));
        drop(modules);
        Ok(result)
    }
}

/// Run the command, its output flushed before returning to C (this library's standard output is its own).
fn command(argv: Vec<String>) -> i32 {
    let status = wasmedge_cli::main_with(argv, &WithCPlugins);
    let _ = std::io::Write::flush(&mut std::io::stdout());
    status
}

capi! {
    /// `wasmedge [run|compile] ...`: returns the exit code.
    fn WasmEdge_Driver_UniTool(argc: i32, argv: *const *const c_char) -> i32 {
        command(args(argc, argv))
    }
    /// `wasmedge run ...`: returns the exit code.
    fn WasmEdge_Driver_Tool(argc: i32, argv: *const *const c_char) -> i32 {
        let mut a = vec!["run".to_string()];
        a.extend(args(argc, argv));
        command(a)
    }
    /// `wasmedge compile ...` (WasmEdge's `wasmedgec`): returns the exit code.
    fn WasmEdge_Driver_Compiler(argc: i32, argv: *const *const c_char) -> i32 {
        let mut a = vec!["compile".to_string()];
        a.extend(args(argc, argv));
        command(a)
    }
}
