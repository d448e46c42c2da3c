//! What the `wasmedge` command does once its arguments are parsed.

use std::path::Path;
use std::time::{Duration, Instant};

use wasmedge_host::plugin::{CLibrary, PluginOption, Plugins, discover, is_c_plugin, plugin_for_import, search_paths};
use wasmedge_host::{
    Backend, Config, Engine, Error, ErrorKind, Func, Instance, Linker, Module, Phase, Store, Val, ValType,
};
use wasmedge_wasi::{NetConfig, NetPolicy, WasiConfig, WasiState, WasiView};

use crate::args::{self, Args};
use crate::log;

/// Exit status for a load, validation or instantiation failure (and for bad usage).
const EXIT_FAILURE: i32 = 1;
/// Exit status for a trap, a timeout or exhausted gas, as WasmEdge reports them.
const EXIT_TRAP: i32 = 134;

/// What a program running the command adds to it: the store guests run in and host modules of its own.
pub trait Embedder {
    /// The data of the store guests run in.
    type Data: WasiView + 'static;
    /// Whether it loads WasmEdge's C-API plugins itself (the plugin search then leaves them to it).
    const LOADS_C_PLUGINS: bool;

    /// Lines for `--version` naming the plugins it loads itself.
    fn plugin_lines(&self) -> Vec<String> {
        Vec::new()
    }

    /// Run `f` with a store for `engine` whose WASI state is `wasi`, and a linker holding the host modules
    /// it provides (the command adds its plugins' modules and WASI to it).
    fn with_store<R>(
        &self,
        engine: &Engine,
        wasi: WasiState,
        f: impl FnOnce(&mut Store<Self::Data>, &mut Linker<Self::Data>) -> R,
    ) -> Result<R, Error>;
}

/// The `wasmedge` executable: a store of WASI state and nothing added. A C-API plugin on the plugin path
/// sends the command line to this runtime's `libwasmedge.so` (see [`CLibrary`]).
pub struct Standalone;

impl Embedder for Standalone {
    type Data = WasiState;
    const LOADS_C_PLUGINS: bool = false;

    fn with_store<R>(
        &self,
        engine: &Engine,
        wasi: WasiState,
        f: impl FnOnce(&mut Store<WasiState>, &mut Linker<WasiState>) -> R,
    ) -> Result<R, Error> {
        Ok(f(&mut Store::new(engine, wasi), &mut Linker::new()))
    }
}

/// Run the command line; returns the process exit status.
pub fn main<E: Embedder>(argv: Vec<String>, embedder: &E) -> i32 {
    if argv.first().is_some_and(|a| a == "compile") {
        return crate::compile::main(&argv[1..]);
    }
    // WasmEdge's C plugins need the C API: with one on the plugin path, run the command in this runtime's C
    // library, which loads them (before any plugin is loaded here, so that they link with that library).
    let files = discover(&search_paths());
    if !E::LOADS_C_PLUGINS
        && files.iter().any(|f| is_c_plugin(f))
        && let Some(lib) = CLibrary::beside_executable()
    {
        let mut full = vec!["wasmedge".to_string()];
        full.extend(argv);
        return lib.run(&full).unwrap_or_else(|e| {
            log::error(&e);
            EXIT_FAILURE
        });
    }
    // Plugins load before the command line is parsed, so that their options are options.
    let plugins = Plugins::load(&files);
    let plugin_options: Vec<PluginOption> = plugins.plugins.iter().flat_map(|p| p.options.clone()).collect();
    let (args, plugin_values) = match args::parse_with(argv, &plugin_options) {
        Ok(parsed) => parsed,
        Err(e) => return usage_error(e),
    };
    for w in &plugins.warnings {
        if !w.c_plugin {
            log::warn(&w.to_string());
        } else if !E::LOADS_C_PLUGINS {
            log::warn(&format!(
                "plugin {} skipped: {}, and none is installed beside this command (<prefix>/lib/libwasmedge.so.0)",
                w.path.display(),
                w.reason
            ));
        }
    }
    if args.version {
        println!("wasmedge version {}", env!("CARGO_PKG_VERSION"));
        for p in &plugins.plugins {
            let v = p.version;
            println!(
                "{} (plugin \"{}\") version {}.{}.{}.{}",
                p.path.display(),
                p.name,
                v.major,
                v.minor,
                v.patch,
                v.build
            );
        }
        for line in embedder.plugin_lines() {
            println!("{line}");
        }
        return 0;
    }
    let Some(file) = args.rest.first().cloned() else {
        eprintln!("error: a WebAssembly FILE is required\n\nUsage: wasmedge [run] [OPTIONS] FILE [ARGS]...");
        return EXIT_FAILURE;
    };
    Runner::new(&args, file, &plugins, &plugin_values).run(embedder)
}

fn usage_error(e: clap::Error) -> i32 {
    use clap::error::{ContextKind, ContextValue, ErrorKind as K};
    match e.kind() {
        K::DisplayHelp | K::DisplayVersion => {
            print!("{e}");
            0
        }
        K::UnknownArgument => {
            let name = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::String(s)) => s.clone(),
                _ => String::from("?"),
            };
            let name = name.split('=').next().unwrap_or(&name).to_string();
            eprintln!("unknown option: {name}");
            EXIT_FAILURE
        }
        _ => {
            eprint!("{e}");
            EXIT_FAILURE
        }
    }
}

struct Runner<'a> {
    args: &'a Args,
    file: String,
    stats: Stats,
    plugins: &'a Plugins,
    plugin_values: &'a args::PluginValues,
}

#[derive(Default, Clone, Copy)]
struct Stats {
    count: bool,
    gas: bool,
    time: bool,
}

impl<'a> Runner<'a> {
    fn new(args: &'a Args, file: String, plugins: &'a Plugins, plugin_values: &'a args::PluginValues) -> Self {
        let all = args.enable_all_statistics;
        let stats = Stats {
            count: all || args.enable_instruction_count,
            gas: all || args.enable_gas_measuring,
            time: all || args.enable_time_measuring,
        };
        Runner { args, file, stats, plugins, plugin_values }
    }

    fn config(&self) -> Config {
        let a = self.args;
        let mut c = Config::new();
        a.proposals.apply(&mut c);
        if a.enable_jit && !a.force_interpreter {
            c.backend(Backend::Compiler);
        }
        c.use_native_code(!a.force_interpreter);
        if let Some(pages) = a.memory_page_limit {
            c.max_memory_pages(pages);
        }
        if let Some(gas) = a.gas_limit {
            c.gas_limit(gas);
        }
        c.count_instructions(self.stats.count);
        c.meter_gas(self.stats.gas || a.gas_limit.is_some());
        c.measure_host_time(self.stats.time);
        c.interruptible(a.time_limit.is_some());
        c
    }

    fn wasi_config(&self) -> WasiConfig {
        let mut w = WasiConfig::new();
        w.arg(&self.file);
        if !self.args.reactor {
            for a in &self.args.rest[1..] {
                w.arg(a);
            }
        }
        for env in &self.args.envs {
            let (name, value) = env.split_once('=').unwrap_or((env, ""));
            w.env(name, value);
        }
        for dir in &self.args.dirs {
            let d = args::parse_dir(dir);
            w.dir(d.guest, d.host, d.readonly);
        }
        let mut net = NetConfig { allow_af_unix: self.args.allow_af_unix, policy: None };
        if !self.args.allow_net.is_empty() || !self.args.deny_net.is_empty() {
            let mut policy = NetPolicy::new();
            if !self.args.allow_net.is_empty() {
                policy.allow(self.args.allow_net.iter().cloned());
            }
            policy.deny(self.args.deny_net.iter().cloned()).on_refuse(log::warn);
            net.policy = Some(policy);
        }
        w.net(net);
        w
    }

    fn run<E: Embedder>(&self, embedder: &E) -> i32 {
        let engine = Engine::new(self.config());
        let module = match self.load(&engine) {
            Ok(m) => m,
            Err(e) => return self.fail(&e),
        };
        let wasi = match WasiState::new(&self.wasi_config()) {
            Ok(w) => w,
            Err(e) => {
                log::error(e.message());
                return EXIT_FAILURE;
            }
        };
        embedder
            .with_store(&engine, wasi, |store, linker| self.run_in(&module, store, linker))
            .unwrap_or_else(|e| self.fail(&e))
    }

    fn run_in<T: WasiView + 'static>(&self, module: &Module, store: &mut Store<T>, linker: &mut Linker<T>) -> i32 {
        for plugin in &self.plugins.plugins {
            if self.args.forbidden_plugins.contains(&plugin.name) {
                continue;
            }
            if let Err(e) = plugin.register(linker, store, self.plugin_values) {
                log::error(e.message());
                return EXIT_FAILURE;
            }
        }
        // WASI last: a plugin cannot replace the built-in WASI modules.
        wasmedge_wasi::add_to_linker(linker, store);
        if let Some(status) = self.missing_plugin(module, linker) {
            return status;
        }
        let _time_limit =
            self.args.time_limit.map(|ms| store.interrupt_handle().interrupt_after(Duration::from_millis(ms)));
        let start = Instant::now();
        let instance = match linker.instantiate(store, module) {
            Ok(i) => i,
            Err(e) => return self.fail(&e),
        };
        let has_start = instance.get_func(store, "_start").is_some();
        let status = if self.args.reactor || !has_start {
            self.reactor(store, instance)
        } else {
            match wasmedge_wasi::run_command(store, instance) {
                Ok(status) => status,
                Err(e) => self.fail(&e),
            }
        };
        self.print_statistics(store, start.elapsed());
        status
    }

    /// If the module imports from a well-known plugin module that nobody provides, say which plugin to
    /// install (instead of a bare "unknown import").
    fn missing_plugin<T>(&self, module: &Module, linker: &Linker<T>) -> Option<i32> {
        let import = module.imports().iter().find(|i| !linker.has_module(&i.module))?;
        let plugin = plugin_for_import(&import.module)?;
        let why = if self.args.forbidden_plugins.iter().any(|f| f == plugin) {
            format!("the {plugin} plugin, which --forbidden-plugin keeps out")
        } else {
            format!("the {plugin} plugin, which is not installed; install it with `install.sh --plugins {plugin}`")
        };
        log::error(&format!(
            "instantiation failed: unknown import: module \"{}\" name \"{}\" comes from {why}, Code: 0x302",
            import.module, import.name
        ));
        Some(EXIT_FAILURE)
    }

    fn load(&self, engine: &Engine) -> Result<Module, Error> {
        let module = Module::from_file(engine, Path::new(&self.file))?;
        for w in module.warnings() {
            log::warn(w);
        }
        Ok(module)
    }

    /// Call the function named after FILE with the remaining arguments, printing its results.
    fn reactor<T>(&self, store: &mut Store<T>, instance: Instance) -> i32 {
        let Some(name) = self.args.rest.get(1) else {
            log::error("A function name is required when reactor mode is enabled.");
            return EXIT_FAILURE;
        };
        if let Some(init) = instance.get_func(store, "_initialize")
            && let Err(e) = init.call(store, &[], &mut [])
        {
            return self.fail(&e);
        }
        let Some(func) = instance.get_func(store, name) else {
            log::error(&format!("execution failed: wasm function not found, Code: 0x005 (function name: \"{name}\")"));
            return EXIT_FAILURE;
        };
        match call_with_strings(store, func, &self.args.rest[2..]) {
            Ok(results) => {
                for r in results {
                    println!("{r}");
                }
                0
            }
            Err(e) => match e.kind() {
                ErrorKind::Exit(status) => *status,
                _ => self.fail(&e),
            },
        }
    }

    /// Print WasmEdge's error lines for `e` and return the exit status it calls for.
    fn fail(&self, e: &Error) -> i32 {
        log::error(&format!("{} failed: {}, Code: 0x{:03x}", e.phase().name(), e.message(), e.code()));
        if let Some(offset) = e.offset() {
            log::error(&format!("    Bytecode offset: 0x{offset:08x}"));
        }
        if let Some(func) = e.function() {
            log::error(&format!("    When executing function name: \"{func}\""));
        }
        if matches!(e.phase(), Phase::Loading | Phase::Validation) {
            log::error(&format!("    File name: \"{}\"", self.file));
        }
        match e.kind() {
            ErrorKind::Trap(_) => EXIT_TRAP,
            ErrorKind::Exit(status) => *status,
            _ => EXIT_FAILURE,
        }
    }

    fn print_statistics<T>(&self, store: &Store<T>, total: Duration) {
        let s = self.stats;
        if !(s.count || s.gas || s.time) {
            return;
        }
        log::info("====================  Statistics  ====================");
        if s.time {
            let host = store.host_time();
            log::info(&format!(" Total execution time: {} ns", total.as_nanos()));
            log::info(&format!(" Wasm instructions execution time: {} ns", total.saturating_sub(host).as_nanos()));
            log::info(&format!(" Host functions execution time: {} ns", host.as_nanos()));
        }
        if s.count {
            let count = store.instruction_count();
            log::info(&format!(" Executed wasm instructions count: {count}"));
            let secs = total.as_secs_f64();
            let ips = if secs > 0.0 { count as f64 / secs } else { 0.0 };
            log::info(&format!(" Instructions per second: {}", ips as u64));
        }
        if s.gas {
            log::info(&format!(" Gas costs: {}", store.gas_used()));
        }
        log::info("=======================   End   ======================");
    }
}

/// Parse `args` by the function's parameter types and call it.
fn call_with_strings<T>(store: &mut Store<T>, func: Func, args: &[String]) -> Result<Vec<Val>, Error> {
    let ty = func.ty(store);
    if args.len() != ty.params().len() {
        return Err(Error::api(format!(
            "function signature mismatch: {} takes {} arguments, {} given",
            ty,
            ty.params().len(),
            args.len()
        )));
    }
    let params = ty.params().iter().zip(args).map(|(&t, s)| parse_val(t, s)).collect::<Result<Vec<_>, _>>()?;
    let mut results: Vec<Val> = ty.results().iter().map(|&t| Val::default_for(t)).collect();
    func.call(store, &params, &mut results)?;
    Ok(results)
}

fn parse_val(ty: ValType, s: &str) -> Result<Val, Error> {
    let bad = || Error::api(format!("argument \"{s}\" is not a valid {ty}"));
    Ok(match ty {
        // Integers accept both signed and unsigned spellings, as WasmEdge's parser does.
        ValType::I32 => Val::I32(s.parse::<i32>().or_else(|_| s.parse::<u32>().map(|v| v as i32)).map_err(|_| bad())?),
        ValType::I64 => Val::I64(s.parse::<i64>().or_else(|_| s.parse::<u64>().map(|v| v as i64)).map_err(|_| bad())?),
        ValType::F32 => Val::from(s.parse::<f32>().map_err(|_| bad())?),
        ValType::F64 => Val::from(s.parse::<f64>().map_err(|_| bad())?),
        ValType::V128 => Val::V128(s.parse::<u128>().map_err(|_| bad())?),
        ValType::FuncRef | ValType::ExternRef => {
            return Err(Error::api(format!("a {ty} argument cannot be given on the command line")));
        }
    })
}
