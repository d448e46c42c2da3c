//! The C API as C programs use it: each file in `tests/c/` is compiled with the system C compiler against
//! our header and linked against the `libwasmedge.so` cargo just built, then run; it prints `ok` lines
//! and exits 0, or says what failed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A directory with the freshly built library under the names a client links and loads it by:
/// `libwasmedge.so` and the SONAME `libwasmedge.so.0` (cargo puts the library beside the test binaries).
fn lib_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(make_lib_dir).clone()
}

fn make_lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let built = exe.parent().expect("deps directory").join("libwasmedge.so");
    assert!(built.exists(), "libwasmedge.so not built: {}", built.display());
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c-api-lib");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["libwasmedge.so", "libwasmedge.so.0"] {
        let link = dir.join(name);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&built, &link).unwrap();
    }
    dir
}

/// A C compiler: `$CC`, `cc` or `clang`.
fn c_compiler() -> String {
    if let Ok(cc) = std::env::var("CC") {
        return cc;
    }
    for cc in ["cc", "clang", "gcc"] {
        if Command::new(cc).arg("--version").output().is_ok_and(|o| o.status.success()) {
            return cc.to_string();
        }
    }
    panic!("no C compiler (cc, clang or gcc) found: apt-get install clang");
}

/// Compile `tests/c/<name>.c` and run it with `args`; returns its stdout. Panics with the program's
/// output when it fails.
pub fn run_c(name: &str, args: &[&str]) -> String {
    let out = run_c_status(name, args);
    assert!(
        out.status.success(),
        "{name} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Compile `tests/c/<name>.c` and run it with `args`.
fn run_c_status(name: &str, args: &[&str]) -> std::process::Output {
    run_c_env(name, args, &[])
}

/// Compile `tests/c/<name>.c` and run it with `args` and the environment variables `envs`.
fn run_c_env(name: &str, args: &[&str], envs: &[(&str, &Path)]) -> std::process::Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = lib_dir();
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c-api");
    std::fs::create_dir_all(&out_dir).unwrap();
    // A file of its own for each compilation: tests running at once may compile the same program, and
    // executing a file another test is writing fails (ETXTBSY).
    static BUILDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let exe = out_dir.join(format!("{name}-{n}"));
    let src = root.join("tests/c").join(format!("{name}.c"));
    let status = Command::new(c_compiler())
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-g"])
        .arg("-I")
        .arg(root.join("include"))
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", lib.display()))
        .arg("-lwasmedge")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .status()
        .expect("run the C compiler");
    assert!(status.success(), "compiling {} failed", src.display());
    // Without cargo's LD_LIBRARY_PATH, which could hold another libwasmedge.so.0: the program's runpath
    // names the library just built.
    Command::new(&exe)
        .args(args)
        .envs(envs.iter().copied())
        .env_remove("LD_LIBRARY_PATH")
        .current_dir(root.join("tests/c"))
        .output()
        .expect("run the C test")
}

#[test]
fn basic_groups_behave_as_wasmedge() {
    let out = run_c("basic", &[]);
    assert!(out.contains("ok version 0.15.0"), "{out}");
    assert!(out.contains("ok all"), "{out}");
}

#[test]
fn loader_validator_and_types() {
    let out = run_c("loader", &[]);
    assert!(out.contains("ok all"), "{out}");
}

#[test]
fn executor_store_and_instances() {
    let out = run_c("executor", &[]);
    assert!(out.contains("ok all"), "{out}");
}

#[test]
fn vm_runs_wasi_and_registered_modules() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c-api-vm");
    std::fs::create_dir_all(&scratch).unwrap();
    let out = run_c("vm", &[scratch.to_str().unwrap()]);
    assert!(out.contains("ok compiler"), "{out}");
    assert!(out.contains("ok async"), "{out}");
    assert!(out.contains("hello from wasi\nok wasi exit 3"), "{out}");
    assert!(out.contains("ok all"), "{out}");
}

/// The example plugin's library (the workspace's build, else built here).
fn example_plugin() -> PathBuf {
    built_plugin("wasmedge-plugin-example_hello", "libwasmedge_plugin_example_hello.so")
}

/// Library `lib` of plugin package `package`: the workspace's build when there is one, else built here.
fn built_plugin(package: &str, lib: &str) -> PathBuf {
    workspace_artifact(lib).unwrap_or_else(|| cargo_build(&["-p", package]).join(lib))
}

/// `name` as `cargo test --workspace` built it (beside the test binaries, or in the profile directory),
/// if it did. Building one package alone unifies features differently and rebuilds its dependencies
/// (minutes, for the command or wasi_nn's backends).
fn workspace_artifact(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    [deps.join(name), deps.parent().unwrap().join(name)].into_iter().find(|p| p.exists())
}

/// `cargo build ARGS` with the profile these tests were built with (so that what `cargo test` built
/// already is reused, not rebuilt with another profile); returns the profile's output directory.
fn cargo_build(args: &[&str]) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
    let profile = if profile_dir.ends_with("release") { "release" } else { "test" };
    let status = Command::new(env!("CARGO"))
        .args(["build", "-q", "--profile", profile])
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .status()
        .unwrap();
    assert!(status.success(), "cargo build {args:?} failed");
    profile_dir
}

/// Build the WasmEdge-native C plugin of `tests/c/cplugin.c` against our header and library.
fn c_plugin() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = lib_dir();
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c-api-plugins");
    std::fs::create_dir_all(&out).unwrap();
    let so = out.join("libwasmedgePluginCMath.so");
    let status = Command::new(c_compiler())
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC"])
        .arg("-I")
        .arg(root.join("include"))
        .arg(root.join("tests/c/cplugin.c"))
        .arg("-o")
        .arg(&so)
        .arg(format!("-L{}", lib.display()))
        .arg("-lwasmedge")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .status()
        .expect("run the C compiler");
    assert!(status.success(), "building the C plugin failed");
    so
}

#[test]
fn plugins_load_list_and_run() {
    let lib = example_plugin();
    let c = c_plugin();
    let out = run_c("plugin", &[lib.to_str().unwrap(), c.to_str().unwrap()]);
    assert!(out.contains("ok vm"), "{out}");
    assert!(out.contains("ok c plugin"), "{out}");
    assert!(out.contains("ok all"), "{out}");
}

#[test]
fn wasi_nn_preloads_come_from_plugin_init_wasinn() {
    let nn = built_plugin("wasmedge-plugin-wasi-nn", "libwasmedge_plugin_wasi_nn.so");
    let out = run_c("nn", &[nn.to_str().unwrap()]);
    assert!(out.contains("ok preloaded\nok not preloaded\nok all"), "{out}");
}

#[test]
fn drivers_are_the_wasmedge_command() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c-api-tool");
    std::fs::create_dir_all(&scratch).unwrap();
    // Run a WASI command: its output and its exit code (the argument count) come back.
    let out = run_c_status("tool", &["uni", "--dir", ".:.", "fixtures/wasi.wasm", "x"]);
    // wasi.wasm imports "lib", which the command line does not provide.
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown import"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_c_status("tool", &["tool", "--reactor", "fixtures/lib.wasm", "double", "21"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "42");
    assert_eq!(out.status.code(), Some(0));
    let out = run_c_status("tool", &["uni", "--version"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("wasmedge version"), "{out:?}");
    // Compile, then run the compiled module.
    let aot = scratch.join("lib-aot.wasm");
    let out = run_c_status("tool", &["compiler", "fixtures/lib.wasm", aot.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run_c_status("tool", &["uni", "--reactor", aot.to_str().unwrap(), "double", "5"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "10");
    // A bad flag is a usage error, as the command's.
    let out = run_c_status("tool", &["uni", "--no-such-flag", "x.wasm"]);
    assert_ne!(out.status.code(), Some(0));
}

/// The `wasmedge` executable: the workspace's build when there is one (`cargo test --workspace` makes it;
/// after changing the command, run that rather than this package's tests alone), else built here.
fn wasmedge_command() -> PathBuf {
    workspace_artifact("wasmedge")
        .unwrap_or_else(|| cargo_build(&["-p", "wasmedge-cli", "--bin", "wasmedge"]).join("wasmedge"))
}

#[test]
fn c_plugins_are_importable_from_the_command() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c-api-command-plugins");
    let _ = std::fs::remove_dir_all(&scratch);
    let plugins = scratch.join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(c_plugin(), plugins.join("libwasmedgePluginCMath.so")).unwrap();
    let wat = scratch.join("square.wasm");
    let text = r#"(module (import "c_math" "mul" (func $mul (param i32 i32) (result i32)))
        (func (export "square") (param i32) (result i32) (call $mul (local.get 0) (local.get 0))))"#;
    let buf = wast::parser::ParseBuffer::new(text).unwrap();
    std::fs::write(&wat, wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap()).unwrap();
    let envs = [("WASMEDGE_PLUGIN_PATH", plugins.as_path()), ("HOME", scratch.as_path())];
    let text = |o: &std::process::Output| {
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    };
    // A thin executable over the library: the driver loads the C plugin.
    let out = run_c_env("tool", &["uni", "--reactor", wat.to_str().unwrap(), "square", "12"], &envs);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "144", "{}", text(&out));
    assert_eq!(out.status.code(), Some(0));
    let out = run_c_env("tool", &["uni", "--version"], &envs);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("(plugin \"c_math_plugin\") version 0.1.0.0"),
        "{}",
        text(&out)
    );
    // Our `wasmedge` executable, installed as a release lays it out (bin/wasmedge, lib/libwasmedge.so.0),
    // hands the command line to the library when it finds a C plugin.
    let prefix = scratch.join("prefix");
    std::fs::create_dir_all(prefix.join("bin")).unwrap();
    std::fs::create_dir_all(prefix.join("lib")).unwrap();
    std::fs::copy(wasmedge_command(), prefix.join("bin/wasmedge")).unwrap();
    std::fs::copy(lib_dir().join("libwasmedge.so"), prefix.join("lib/libwasmedge.so.0")).unwrap();
    let run = |prefix: &Path, args: &[&str]| {
        Command::new(prefix.join("bin/wasmedge"))
            .args(args)
            .envs(envs.iter().copied())
            .env_remove("LD_LIBRARY_PATH")
            .output()
            .unwrap()
    };
    let out = run(&prefix, &["--reactor", wat.to_str().unwrap(), "square", "-3"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "9", "{}", text(&out));
    assert_eq!(out.status.code(), Some(0));
    // A trap and an exit status come back through the library as from the command.
    let out = run(&prefix, &["--reactor", wat.to_str().unwrap(), "missing"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("wasm function not found"), "{}", text(&out));
    // Without the library beside it, the command says why it skipped the plugin.
    std::fs::remove_file(prefix.join("lib/libwasmedge.so.0")).unwrap();
    let out = run(&prefix, &["--reactor", wat.to_str().unwrap(), "square", "2"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("a WasmEdge C-API plugin"), "{}", text(&out));
    assert!(text(&out).contains("none is installed beside this command"), "{}", text(&out));
}

#[test]
fn the_library_exports_every_function_of_the_api() {
    use object::{Object, ObjectSymbol};
    let built = std::env::current_exe().unwrap().parent().unwrap().join("libwasmedge.so");
    let bytes = std::fs::read(&built).unwrap();
    let file = object::File::parse(&*bytes).unwrap();
    let exported: std::collections::BTreeSet<String> = file
        .dynamic_symbols()
        .filter(|s| s.is_definition() && s.is_global())
        .filter_map(|s| s.name().ok().map(str::to_string))
        .collect();
    let wanted = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/exports.txt")).unwrap();
    let missing: Vec<&str> = wanted.lines().filter(|n| !exported.contains(*n)).collect();
    assert!(missing.is_empty(), "not exported: {missing:?}");
    assert_eq!(wanted.lines().count(), 280);
    let extra: Vec<&String> = exported.iter().filter(|n| !wanted.lines().any(|w| w == n.as_str())).collect();
    assert!(extra.iter().all(|n| !n.starts_with("WasmEdge")), "exported beyond the API: {extra:?}");
    // The SONAME clients record.
    let soname = std::process::Command::new("readelf").arg("-d").arg(&built).output();
    if let Ok(o) = soname {
        assert!(String::from_utf8_lossy(&o.stdout).contains("[libwasmedge.so.0]"));
    }
}

#[test]
fn every_function_takes_null_and_zero_without_crashing() {
    // tests/c/null_calls.c is generated from the header by tools/gen-null-calls.py.
    let out = run_c("null_calls", &[]);
    assert!(out.contains("ok 277 functions"), "{out}");
}
