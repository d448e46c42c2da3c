//! The command line, flag for flag as WasmEdge 0.15 has it: `wasmedge [run] [OPTIONS] FILE [ARGS...]`.
//! Options come before FILE; everything after FILE goes to the guest; `--` ends options.

use clap::{Arg, ArgAction, CommandFactory, FromArgMatches, Parser};
use wasmedge_host::plugin::{OptionKind, PluginOption};
use wasmedge_wasi::NetRule;

/// Run a WebAssembly module: a WASI command (`_start`), or one exported function (reactor mode).
#[derive(Parser, Debug, Default)]
#[command(name = "wasmedge", disable_version_flag = true, about, long_about = None)]
pub struct Args {
    /// Print the version and the loaded plugins.
    #[arg(short = 'v', long)]
    pub version: bool,

    /// Map a host directory into the guest: `HOST`, `GUEST:HOST` or `GUEST:HOST:readonly` (repeatable).
    #[arg(long = "dir", value_name = "GUEST:HOST[:readonly]")]
    pub dirs: Vec<String>,

    /// Set a guest environment variable (repeatable); the host environment is not inherited.
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub envs: Vec<String>,

    /// Call one exported function: `--reactor FILE FUNC [ARGS...]` (calls `_initialize` first if exported).
    #[arg(long)]
    pub reactor: bool,

    /// Print the number of executed instructions at exit.
    #[arg(long)]
    pub enable_instruction_count: bool,
    /// Print the gas spent at exit.
    #[arg(long)]
    pub enable_gas_measuring: bool,
    /// Print the execution time at exit.
    #[arg(long)]
    pub enable_time_measuring: bool,
    /// All three statistics above.
    #[arg(long)]
    pub enable_all_statistics: bool,

    /// Stop the guest once it has spent this much gas (each instruction costs 1).
    #[arg(long, value_name = "N")]
    pub gas_limit: Option<u64>,
    /// The most 64 KiB pages a memory may have; `memory.grow` beyond it fails.
    #[arg(long, value_name = "N")]
    pub memory_page_limit: Option<u32>,
    /// Stop the guest after this many milliseconds.
    #[arg(long, value_name = "MS")]
    pub time_limit: Option<u64>,

    #[command(flatten)]
    pub proposals: Proposals,

    /// Keep this plugin's modules out (repeatable).
    #[arg(long = "forbidden-plugin", value_name = "NAME")]
    pub forbidden_plugins: Vec<String>,

    /// Run with the interpreter, even when FILE carries native code from `wasmedge compile`.
    #[arg(long)]
    pub force_interpreter: bool,
    /// Compile FILE to native code with Cranelift before running it (all functions, on all cores).
    #[arg(long)]
    pub enable_jit: bool,

    /// Let the guest open AF_UNIX sockets (their paths are host paths, outside the preopened directories).
    #[arg(long)]
    pub allow_af_unix: bool,
    /// Let the guest bind, connect and send only to these addresses: `ADDR[/PREFIX][:PORT]`,
    /// `[IPV6][:PORT]` or `*:PORT`, comma-separated (repeatable). Others fail with EACCES and a log line.
    #[arg(long = "allow-net", value_name = "ADDR[:PORT],...", value_delimiter = ',', value_parser = NetRule::parse)]
    pub allow_net: Vec<NetRule>,
    /// Refuse these addresses to the guest, in the form of --allow-net; a match here wins over --allow-net.
    #[arg(long = "deny-net", value_name = "ADDR[:PORT],...", value_delimiter = ',', value_parser = NetRule::parse)]
    pub deny_net: Vec<NetRule>,

    // `parse_with` splits the command line at FILE, so clap itself only ever sees options here.
    /// The WebAssembly file, then the guest's arguments (in reactor mode: the function name and its
    /// arguments).
    #[arg(value_name = "FILE [ARGS]...")]
    pub rest: Vec<String>,
}

/// The proposal switches, shared by running and compiling.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct Proposals {
    #[arg(long, help = "Disable the import/export of mutable globals proposal")]
    pub disable_import_export_mut_globals: bool,
    #[arg(long, help = "Disable the non-trapping float-to-int conversions proposal")]
    pub disable_non_trap_float_to_int: bool,
    #[arg(long, help = "Disable the sign-extension operators proposal")]
    pub disable_sign_extension_operators: bool,
    #[arg(long, help = "Disable the multi-value proposal")]
    pub disable_multi_value: bool,
    #[arg(long, help = "Disable the bulk memory operations proposal")]
    pub disable_bulk_memory: bool,
    #[arg(long, help = "Disable the reference types proposal")]
    pub disable_reference_types: bool,
    #[arg(long, help = "Disable the SIMD proposal")]
    pub disable_simd: bool,
    #[arg(long, help = "Enable the tail call proposal")]
    pub enable_tail_call: bool,
    #[arg(long, help = "Enable the extended const proposal")]
    pub enable_extended_const: bool,
    #[arg(long, help = "Enable the typed function references proposal (not supported yet)")]
    pub enable_function_reference: bool,
    #[arg(long, help = "Enable the GC proposal (not supported yet)")]
    pub enable_gc: bool,
    #[arg(long, help = "Enable the multiple memories proposal")]
    pub enable_multi_memory: bool,
    #[arg(long, help = "Enable the threads proposal (not supported yet)")]
    pub enable_threads: bool,
    #[arg(long, help = "Enable the relaxed SIMD proposal (not supported yet)")]
    pub enable_relaxed_simd: bool,
    #[arg(long, help = "Enable the exception handling proposal (not supported yet)")]
    pub enable_exception_handling: bool,
    #[arg(long, help = "Enable the component model proposal (not supported yet)")]
    pub enable_component: bool,
    #[arg(long, help = "Enable every proposal")]
    pub enable_all: bool,
}

impl Proposals {
    /// The engine configuration these switches ask for.
    pub fn apply(&self, c: &mut wasmedge_host::Config) {
        use wasmedge_host::Proposal;
        let a = self;
        let switches = [
            (Proposal::ImportExportMutGlobals, !a.disable_import_export_mut_globals),
            (Proposal::NonTrapFloatToInt, !a.disable_non_trap_float_to_int),
            (Proposal::SignExtension, !a.disable_sign_extension_operators),
            (Proposal::MultiValue, !a.disable_multi_value),
            (Proposal::BulkMemory, !a.disable_bulk_memory),
            (Proposal::ReferenceTypes, !a.disable_reference_types),
            (Proposal::Simd, !a.disable_simd),
            (Proposal::TailCall, a.enable_tail_call),
            (Proposal::ExtendedConst, a.enable_extended_const),
            (Proposal::FunctionReferences, a.enable_function_reference),
            (Proposal::Gc, a.enable_gc),
            (Proposal::MultiMemory, a.enable_multi_memory),
            (Proposal::Threads, a.enable_threads),
            (Proposal::RelaxedSimd, a.enable_relaxed_simd),
            (Proposal::ExceptionHandling, a.enable_exception_handling),
            (Proposal::Component, a.enable_component),
        ];
        for (p, on) in switches {
            c.proposal(p, on || a.enable_all);
        }
    }
}

/// A preopened directory from `--dir`.
#[derive(Debug, PartialEq, Eq)]
pub struct DirMapping {
    pub guest: String,
    pub host: String,
    pub readonly: bool,
}

/// Parse `HOST`, `GUEST:HOST` or `GUEST:HOST:readonly` (split on the first ':').
pub fn parse_dir(spec: &str) -> DirMapping {
    match spec.split_once(':') {
        None => DirMapping { guest: spec.to_string(), host: spec.to_string(), readonly: false },
        Some((guest, rest)) => {
            let (host, readonly) = match rest.strip_suffix(":readonly") {
                Some(host) => (host, true),
                None => (rest, false),
            };
            DirMapping { guest: guest.to_string(), host: host.to_string(), readonly }
        }
    }
}

/// Values of plugin program options: (name, values), one value for toggles ("true"), ints and strings.
pub type PluginValues = Vec<(String, Vec<String>)>;

/// Parse the command line (without the program name), with the options plugins declare.
pub fn parse_with(argv: Vec<String>, plugin_options: &[PluginOption]) -> Result<(Args, PluginValues), clap::Error> {
    let mut argv = argv;
    // `wasmedge run ...` is the same as `wasmedge ...`.
    if argv.first().is_some_and(|a| a == "run") {
        argv.remove(0);
    }
    // Options only before FILE: split there so that clap never sees the guest's arguments as options.
    let takes_value: Vec<String> =
        plugin_options.iter().filter(|o| o.kind != OptionKind::Toggle).map(|o| format!("--{}", o.name)).collect();
    let file_at = first_positional(&argv, &takes_value);
    let (opts, rest) = match file_at {
        Some(i) => argv.split_at(i),
        None => (&argv[..], &[][..]),
    };
    let mut clap_argv = vec!["wasmedge".to_string()];
    clap_argv.extend(opts.iter().filter(|a| *a != "--").cloned());
    let mut command = Args::command();
    for o in plugin_options {
        let arg = Arg::new(o.name.clone()).long(o.name.clone()).help(o.description.clone());
        command = command.arg(match o.kind {
            OptionKind::Toggle => arg.action(ArgAction::SetTrue),
            OptionKind::Int => arg.action(ArgAction::Set).value_parser(clap::value_parser!(i64)),
            OptionKind::String => arg.action(ArgAction::Set),
            OptionKind::List => arg.action(ArgAction::Append),
        });
    }
    let matches = command.try_get_matches_from(clap_argv)?;
    let mut args = Args::from_arg_matches(&matches)?;
    args.rest.extend(rest.iter().cloned());
    let mut values = PluginValues::new();
    for o in plugin_options {
        let given: Vec<String> = match o.kind {
            OptionKind::Toggle => {
                if matches.get_flag(&o.name) {
                    vec!["true".to_string()]
                } else {
                    vec![]
                }
            }
            OptionKind::Int => matches.get_one::<i64>(&o.name).map(|v| vec![v.to_string()]).unwrap_or_default(),
            OptionKind::String | OptionKind::List => {
                matches.get_many::<String>(&o.name).map(|v| v.cloned().collect()).unwrap_or_default()
            }
        };
        if !given.is_empty() {
            values.push((o.name.clone(), given));
        }
    }
    Ok((args, values))
}

/// Parse without plugin options.
#[cfg(test)]
pub fn parse(argv: Vec<String>) -> Result<Args, clap::Error> {
    parse_with(argv, &[]).map(|(args, _)| args)
}

/// Options that take a value as the next argument (when not written `--opt=value`).
const VALUE_OPTIONS: [&str; 8] = [
    "--dir",
    "--env",
    "--gas-limit",
    "--memory-page-limit",
    "--time-limit",
    "--forbidden-plugin",
    "--allow-net",
    "--deny-net",
];

/// The index of FILE: the first argument that is not an option or an option's value; after `--`, the
/// argument that follows it.
fn first_positional(argv: &[String], plugin_value_options: &[String]) -> Option<usize> {
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        if a == "--" {
            return (i + 1 < argv.len()).then_some(i + 1);
        }
        if !a.starts_with('-') || a == "-" {
            return Some(i);
        }
        if VALUE_OPTIONS.contains(&a.as_str()) || plugin_value_options.iter().any(|o| o == a) {
            i += 1;
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options_stop_at_the_file() {
        let a = parse(argv("--dir .:. --env A=1 app.wasm --dir x -v")).unwrap();
        assert_eq!(a.dirs, ["..:.".replace("..", ".")]);
        assert_eq!(a.envs, ["A=1"]);
        assert_eq!(a.rest, ["app.wasm", "--dir", "x", "-v"]);
        assert!(!a.version);
    }

    #[test]
    fn run_subcommand_equals_equals_form_and_double_dash() {
        let a = parse(argv("run --gas-limit=5 --memory-page-limit 3 -- --weird.wasm 1")).unwrap();
        assert_eq!((a.gas_limit, a.memory_page_limit), (Some(5), Some(3)));
        assert_eq!(a.rest, ["--weird.wasm", "1"]);
    }

    #[test]
    fn unknown_option_is_an_error() {
        let e = parse(argv("--no-such-flag app.wasm")).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::UnknownArgument);
    }

    #[test]
    fn plugin_options_become_options() {
        let opts = [
            PluginOption { name: "nn-preload".into(), description: "preload".into(), kind: OptionKind::List },
            PluginOption { name: "verbose-log".into(), description: "v".into(), kind: OptionKind::Toggle },
            PluginOption { name: "threads".into(), description: "n".into(), kind: OptionKind::Int },
        ];
        let (args, values) = parse_with(
            argv("--nn-preload a:GGML:AUTO:m.gguf --verbose-log --nn-preload b --threads=4 app.wasm --nn-preload x"),
            &opts,
        )
        .unwrap();
        assert_eq!(args.rest, ["app.wasm", "--nn-preload", "x"]);
        assert_eq!(
            values,
            vec![
                ("nn-preload".to_string(), vec!["a:GGML:AUTO:m.gguf".to_string(), "b".to_string()]),
                ("verbose-log".to_string(), vec!["true".to_string()]),
                ("threads".to_string(), vec!["4".to_string()]),
            ]
        );
        assert!(parse_with(argv("--threads four app.wasm"), &opts).is_err());
    }

    #[test]
    fn dir_specs() {
        assert_eq!(parse_dir("/data"), DirMapping { guest: "/data".into(), host: "/data".into(), readonly: false });
        assert_eq!(parse_dir(".:."), DirMapping { guest: ".".into(), host: ".".into(), readonly: false });
        assert_eq!(
            parse_dir("/g:/h/x:readonly"),
            DirMapping { guest: "/g".into(), host: "/h/x".into(), readonly: true }
        );
        assert_eq!(parse_dir("/g:C:/x"), DirMapping { guest: "/g".into(), host: "C:/x".into(), readonly: false });
    }
}
