//! One guest run on our engine, as a container's process: what the sandbox hands over from the OCI spec
//! and the image, and nothing of containerd's. Kept apart from the shim machinery so that it can be
//! tested without containerd, root or a container.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use wasmedge_host::plugin::Plugins;
use wasmedge_host::{Config, Engine, ErrorKind, InterruptHandle, Linker, Module, Store};
use wasmedge_wasi::{WasiConfig, WasiState};

/// Where a container's plugins are looked for besides `WASMEDGE_PLUGIN_PATH` (from the container's
/// environment): WasmEdge's user directory under the container's `HOME`, and its install prefixes.
const PLUGIN_DIRS: [&str; 2] = ["/usr/local/lib/wasmedge", "/usr/lib/wasmedge"];

/// Whether `bytes` may be a module this runtime runs: the WebAssembly binary format (plain, or a universal
/// wasm file from `wasmedge compile`), or the shared library `wasmedge compile` writes.
pub fn is_module(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\0asm") || bytes.starts_with(b"\x7fELF")
}

/// A guest to run: the module's bytes (plain wasm, or `wasmedge compile` output), its WASI view of the
/// container, the function to call and the limits.
#[derive(Clone, Debug, Default)]
pub struct Guest {
    pub wasm: Vec<u8>,
    /// WASI arguments, the program's name first.
    pub args: Vec<String>,
    /// `NAME=value` entries, as in the OCI spec.
    pub envs: Vec<String>,
    /// The export to run: `_start` runs a WASI command (its `proc_exit` code is the result), any other
    /// name is called without arguments (after `_initialize`, if the module has one).
    pub func: String,
    /// The host directory the guest sees as `/`: the container's root.
    pub root: PathBuf,
    /// The most linear memory a memory may have, in bytes (from the container's memory limit).
    pub memory_limit: Option<u64>,
    /// Directories (or files) to load plugins from; `None`: the container's usual places.
    pub plugin_paths: Option<Vec<PathBuf>>,
    /// Keep stdout and stderr in memory instead of writing to the process's (for tests).
    pub capture_output: bool,
}

/// How a guest ended.
#[derive(Debug)]
pub struct Outcome {
    /// The exit status: `proc_exit`'s code, or 0.
    pub status: i32,
    /// What the guest wrote, when [`Guest::capture_output`] is set.
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Whether the module ran as native code (`wasmedge compile` output made for this machine).
    pub native: bool,
}

impl Guest {
    /// The places plugins are looked for in a container with environment `envs`.
    pub fn container_plugin_paths(envs: &[String]) -> Vec<PathBuf> {
        let var = |name: &str| envs.iter().find_map(|e| e.strip_prefix(name)?.strip_prefix('='));
        let mut paths: Vec<PathBuf> = var("WASMEDGE_PLUGIN_PATH")
            .map(|v| v.split(':').filter(|p| !p.is_empty()).map(PathBuf::from).collect())
            .unwrap_or_default();
        paths.push(Path::new(var("HOME").unwrap_or("/root")).join(".wasmedge").join("plugin"));
        paths.extend(PLUGIN_DIRS.iter().map(PathBuf::from));
        paths
    }

    /// Run the guest to its end. `started` gets the handle that stops it (a trap with
    /// `TrapCode::Interrupted`) before any of its code runs.
    pub fn run(&self, started: impl FnOnce(InterruptHandle)) -> Result<Outcome> {
        // The container's stderr says why a guest could not run, as the `wasmedge` command would; the
        // shim's log gets the error too.
        self.run_inner(started).inspect_err(|e| eprintln!("[error] {e:#}"))
    }

    fn run_inner(&self, started: impl FnOnce(InterruptHandle)) -> Result<Outcome> {
        let (engine, module) = self.load()?;
        let mut wasi = WasiConfig::new();
        for a in &self.args {
            wasi.arg(a);
        }
        for e in &self.envs {
            let (name, value) = e.split_once('=').unwrap_or((e, ""));
            wasi.env(name, value);
        }
        wasi.dir("/", &self.root, false);
        wasi.capture_output(self.capture_output);
        let state = WasiState::new(&wasi).context("cannot set up WASI")?;
        let mut store = Store::new(&engine, state);
        started(store.interrupt_handle());
        let mut linker = Linker::new();
        let paths = self.plugin_paths.clone().unwrap_or_else(|| Self::container_plugin_paths(&self.envs));
        let plugins = Plugins::load(&paths);
        for w in &plugins.warnings {
            eprintln!("[warning] {w}");
        }
        for plugin in &plugins.plugins {
            plugin.register(&mut linker, &mut store, &[]).with_context(|| format!("plugin {}", plugin.name))?;
        }
        wasmedge_wasi::add_to_linker(&mut linker, &mut store);
        let status = match self.call(&mut linker, &mut store, &module) {
            Ok(status) => status,
            Err(e) => match e.kind() {
                ErrorKind::Exit(status) => *status,
                _ => bail!("{} failed: {}, Code: 0x{:03x}", e.phase().name(), e.message(), e.code()),
            },
        };
        let data = store.data();
        Ok(Outcome { status, stdout: data.stdout(), stderr: data.stderr(), native: module.is_native() })
    }

    /// The engine and the module: interruptible (signals stop the guest through the engine), unless the
    /// module carries native code compiled without interrupt checks, which then runs as it is (a signal
    /// ends the container's process instead).
    fn load(&self) -> Result<(Engine, Module)> {
        let engine_for = |interruptible: bool| {
            let mut config = Config::new();
            config.interruptible(interruptible);
            if let Some(bytes) = self.memory_limit {
                config.max_memory_pages(u32::try_from(bytes / 65536).unwrap_or(u32::MAX));
            }
            Engine::new(config)
        };
        let engine = engine_for(true);
        let module = Module::new(&engine, &self.wasm).context("cannot load the module")?;
        // Warnings say why native code the module carries is not used.
        if !module.is_native() && !module.warnings().is_empty() {
            let plain = engine_for(false);
            if let Ok(native) = Module::new(&plain, &self.wasm)
                && native.is_native()
            {
                return Ok((plain, native));
            }
        }
        for w in module.warnings() {
            eprintln!("[warning] {w}");
        }
        Ok((engine, module))
    }

    fn call(
        &self,
        linker: &mut Linker<WasiState>,
        store: &mut Store<WasiState>,
        module: &Module,
    ) -> Result<i32, wasmedge_host::Error> {
        let instance = linker.instantiate(store, module)?;
        if self.func == "_start" {
            return wasmedge_wasi::run_command(store, instance);
        }
        if let Some(init) = instance.get_func(store, "_initialize") {
            init.call(store, &[], &mut [])?;
        }
        let func = instance
            .get_func(store, &self.func)
            .ok_or_else(|| wasmedge_host::Error::api(format!("the module exports no function \"{}\"", self.func)))?;
        let ty = func.ty(store);
        if !ty.params().is_empty() {
            return Err(wasmedge_host::Error::api(format!(
                "entry point \"{}\" takes arguments ({ty}); a container's entry point takes none",
                self.func
            )));
        }
        let mut results: Vec<_> = ty.results().iter().map(|&t| wasmedge_host::Val::default_for(t)).collect();
        func.call(store, &[], &mut results)?;
        Ok(0)
    }
}

/// The memory limit of the cgroup this process runs in, in bytes, if there is one: cgroup v2's
/// `memory.max` or v1's `memory.limit_in_bytes`, under `cgroup_root` (`/sys/fs/cgroup` in a container).
pub fn cgroup_memory_limit(cgroup_root: &Path) -> Option<u64> {
    let read = |p: PathBuf| std::fs::read_to_string(p).ok();
    let text =
        read(cgroup_root.join("memory.max")).or_else(|| read(cgroup_root.join("memory/memory.limit_in_bytes")))?;
    let bytes: u64 = text.trim().parse().ok()?;
    // v1 reports "no limit" as a number near 2^63.
    (bytes < 1 << 62).then_some(bytes)
}
