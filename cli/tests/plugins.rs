//! Plugins end to end: the plugin libraries are built by cargo, found through each discovery path, and
//! called by guests through the `wasmedge` binary; bad plugins are warnings, never crashes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

mod common;
use common::wat_file;

/// The target directory the test binary runs from (`target/<profile>`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).unwrap().to_path_buf()
}

/// Build the plugin crates (a no-op when they are up to date) and return the path of `lib<name>.so`.
fn plugin_lib(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "-q", "-p", "wasmedge-test-plugin", "-p", "wasmedge-test-bad-abi", "-p"])
            .args(["wasmedge-plugin-wasi_logging", "-p", "wasmedge-plugin-example_hello"])
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
        if target_dir().ends_with("release") {
            cmd.arg("--release");
        }
        assert!(cmd.status().unwrap().success(), "building the plugin crates failed");
    });
    let path = target_dir().join(format!("lib{name}.so"));
    assert!(path.exists(), "{} missing", path.display());
    path
}

fn copy_to(lib: &Path, dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let dest = dir.join(lib.file_name().unwrap());
    std::fs::copy(lib, &dest).unwrap();
    dest
}

/// Run `wasmedge` with a clean HOME and the given plugin path.
fn run(bin: &Path, home: &Path, plugin_path: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(bin);
    cmd.args(args).env("HOME", home).env_remove("WASMEDGE_PLUGIN_PATH").env_remove("LIBRARY_PATH");
    if let Some(p) = plugin_path {
        cmd.env("WASMEDGE_PLUGIN_PATH", p);
    }
    cmd.output().unwrap()
}

fn wasmedge() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_wasmedge"))
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const TEST_PLUGIN_LINE: &str = "(plugin \"test_plugin\") version 1.2.3.4";

#[test]
fn found_through_plugin_path_entries_dirs_and_files() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = copy_to(&plugin_lib("wasmedge_test_plugin"), &tmp.path().join("plugins/nested"));
    let home = tmp.path().join("home");
    // A directory, scanned recursively; a missing entry before it is harmless.
    let path = format!("/no/such/dir:{}", tmp.path().join("plugins").display());
    let o = run(&wasmedge(), &home, Some(&path), &["--version"]);
    assert!(out(&o).contains(&format!("{} {TEST_PLUGIN_LINE}", lib.display())), "{}", out(&o));
    // A file.
    let o = run(&wasmedge(), &home, Some(lib.to_str().unwrap()), &["--version"]);
    assert!(out(&o).contains(TEST_PLUGIN_LINE), "{}", out(&o));
}

#[test]
fn found_in_home_dot_wasmedge_plugin() {
    let tmp = tempfile::tempdir().unwrap();
    copy_to(&plugin_lib("wasmedge_test_plugin"), &tmp.path().join(".wasmedge/plugin"));
    let o = run(&wasmedge(), tmp.path(), None, &["--version"]);
    assert!(out(&o).contains(TEST_PLUGIN_LINE), "{}", out(&o));
}

#[test]
fn found_in_the_installation_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    // An installation: <prefix>/bin/wasmedge and <prefix>/lib/wasmedge/<plugin>.
    let bin = copy_to(&wasmedge(), &tmp.path().join("prefix/bin"));
    copy_to(&plugin_lib("wasmedge_test_plugin"), &tmp.path().join("prefix/lib/wasmedge"));
    copy_to(&plugin_lib("wasmedge_plugin_wasi_logging"), &tmp.path().join("prefix/lib/wasmedge"));
    let o = run(&bin, &tmp.path().join("home"), None, &["--version"]);
    assert!(out(&o).contains(TEST_PLUGIN_LINE), "{}", out(&o));
    assert!(out(&o).contains("(plugin \"wasi_logging\") version 0.1.0.0"), "{}", out(&o));
}

#[test]
fn found_in_library_path_entries_and_the_private_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    // `$LIBRARY_PATH/wasmedge` for every entry (what the installer's env file sets up).
    let lib = copy_to(&plugin_lib("wasmedge_test_plugin"), &tmp.path().join("b/wasmedge"));
    let home = tmp.path().join("home");
    let entries = format!("{}:{}", tmp.path().join("a").display(), tmp.path().join("b").display());
    let o = Command::new(wasmedge())
        .arg("--version")
        .env("HOME", &home)
        .env_remove("WASMEDGE_PLUGIN_PATH")
        .env("LIBRARY_PATH", &entries)
        .output()
        .unwrap();
    assert!(out(&o).contains(&format!("{} {TEST_PLUGIN_LINE}", lib.display())), "{}", out(&o));
    // `<prefix>/plugin`: where the installer puts plugins outside /usr.
    let bin = copy_to(&wasmedge(), &tmp.path().join("prefix/bin"));
    copy_to(&plugin_lib("wasmedge_test_plugin"), &tmp.path().join("prefix/plugin"));
    let o = run(&bin, &home, None, &["--version"]);
    assert!(out(&o).contains(TEST_PLUGIN_LINE), "{}", out(&o));
}

#[test]
fn the_search_order_is_plugin_path_home_library_path_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let bin = copy_to(&wasmedge(), &tmp.path().join("prefix/bin"));
    let places = [
        tmp.path().join("env"),
        home.join(".wasmedge/plugin"),
        tmp.path().join("lib/wasmedge"),
        tmp.path().join("prefix/plugin"),
        tmp.path().join("prefix/lib/wasmedge"),
    ];
    let libs: Vec<PathBuf> = places.iter().map(|d| copy_to(&plugin_lib("wasmedge_test_plugin"), d)).collect();
    // Take the places away from the front one at a time: the first remaining one is the one loaded.
    for (i, lib) in libs.iter().enumerate() {
        let mut cmd = Command::new(&bin);
        cmd.arg("--version").env("HOME", &home).env("LIBRARY_PATH", tmp.path().join("lib"));
        cmd.env("WASMEDGE_PLUGIN_PATH", if i == 0 { places[0].to_str().unwrap() } else { "" });
        let o = cmd.output().unwrap();
        assert!(out(&o).contains(&format!("{} {TEST_PLUGIN_LINE}", lib.display())), "{i}: {}", out(&o));
        for later in &libs[i + 1..] {
            assert!(err(&o).contains(&format!("plugin {} skipped", later.display())), "{i}: {}", err(&o));
        }
        std::fs::remove_file(lib).unwrap();
    }
}

const GUEST: &str = r#"
(module
  (import "test_plugin" "greet" (func $greet (param i32 i32) (result i32)))
  (import "test_plugin" "summary" (func $summary (param i32 i32) (result i32)))
  (import "test_plugin" "count_calls" (func $count (result i32)))
  (import "test_plugin" "add" (func $add (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (call $print (i32.const 100) (call $greet (i32.const 100) (i32.const 64)))
    (call $print (i32.const 200) (call $summary (i32.const 200) (i32.const 64)))
    (drop (call $count))
    ;; state persists between calls: the second call returns 2, printed as the digit '2'.
    (i32.store8 (i32.const 300) (i32.add (call $count) (i32.const 48)))
    (call $print (i32.const 300) (i32.const 1))
    (if (i32.ne (call $add (i32.const 40) (i32.const 2)) (i32.const 42)) (then unreachable)))
  (func (export "greet_oob") (result i32) (call $greet (i32.const 65534) (i32.const 64))))
"#;

#[test]
fn a_guest_calls_the_plugin_with_its_program_options() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("plugins");
    copy_to(&plugin_lib("wasmedge_test_plugin"), &dir);
    let guest = wat_file(tmp.path(), "guest.wasm", GUEST);
    let home = tmp.path().join("home");
    let o = run(&wasmedge(), &home, dir.to_str(), &[&guest]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(out(&o), "hellotags= count=none2");
    let o = run(
        &wasmedge(),
        &home,
        dir.to_str(),
        &["--test-greeting", "hi there", "--test-loud", "--test-tag", "a", "--test-tag=b", "--test-count", "7", &guest],
    );
    assert_eq!(out(&o), "HI THEREtags=a,b count=72", "{}", err(&o));
    // A write outside the guest's memory is refused by the runtime: a trap, not a crash.
    let o = run(&wasmedge(), &home, dir.to_str(), &["--reactor", &guest, "greet_oob"]);
    assert_eq!(o.status.code(), Some(134));
    assert!(err(&o).contains("out of bounds memory access"), "{}", err(&o));
    // --forbidden-plugin keeps the modules out.
    let o = run(&wasmedge(), &home, dir.to_str(), &["--forbidden-plugin", "test_plugin", &guest]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("unknown import"), "{}", err(&o));
    // Without the plugin, its options are unknown options.
    let o = run(&wasmedge(), &home, Some("/nowhere"), &["--test-loud", &guest]);
    assert_eq!(err(&o).trim(), "unknown option: --test-loud");
}

#[test]
fn a_panicking_host_function_traps_and_the_runtime_survives() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("plugins");
    copy_to(&plugin_lib("wasmedge_test_plugin"), &dir);
    let guest = wat_file(
        tmp.path(),
        "boom.wasm",
        r#"(module (import "test_plugin" "boom" (func $boom (param i32) (result i32)))
                   (func (export "boom") (param i32) (result i32) (call $boom (local.get 0))))"#,
    );
    let o = run(&wasmedge(), &tmp.path().join("home"), dir.to_str(), &[&guest, "boom", "1"]);
    // Exit status 134 as an exit code (a trap), not a signal: the process was not aborted.
    assert_eq!(o.status.code(), Some(134), "{:?}", o.status);
    assert!(err(&o).contains("host function panicked: boom 1"), "{}", err(&o));
    let o = run(&wasmedge(), &tmp.path().join("home"), dir.to_str(), &[&guest, "boom", "0"]);
    assert_eq!((o.status.code(), out(&o).as_str()), (Some(0), "0\n"));
}

/// A fault test: a plugin that calls `abort()` ends the process with SIGABRT, and what the guest wrote
/// before is on disk in full (the runtime buffers no guest output).
#[test]
fn a_plugin_that_aborts_ends_the_process_with_sigabrt() {
    use std::os::unix::process::ExitStatusExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("plugins");
    copy_to(&plugin_lib("wasmedge_test_plugin"), &dir);
    let guest = wat_file(
        tmp.path(),
        "abort.wasm",
        r#"(module (import "test_plugin" "abort" (func $abort (result i32)))
                   (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
                   (memory (export "memory") 1)
                   (data (i32.const 16) "written before the abort\n")
                   (func (export "_start")
                     (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 25))
                     (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
                     (drop (call $abort))))"#,
    );
    let o = run(&wasmedge(), &tmp.path().join("home"), dir.to_str(), &[&guest]);
    assert_eq!(o.status.signal(), Some(6), "{:?}: {}", o.status, err(&o));
    assert_eq!(out(&o), "written before the abort\n");
}

#[test]
fn wasi_logging_through_discovery() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("plugins");
    copy_to(&plugin_lib("wasmedge_plugin_wasi_logging"), &dir);
    let guest = wat_file(
        tmp.path(),
        "log.wasm",
        r#"(module
            (import "wasi:logging/logging" "log" (func $log (param i32 i32 i32 i32 i32)))
            (memory 1)
            (data (i32.const 0) "stderr")
            (data (i32.const 16) "to stdout")
            (data (i32.const 32) "to stderr")
            (data (i32.const 48) "/tmp/wasmedge-escape.log")
            (func (export "_start")
              (call $log (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 9))
              (call $log (i32.const 3) (i32.const 0) (i32.const 6) (i32.const 32) (i32.const 9)))
            (func (export "file") (call $log (i32.const 2) (i32.const 48) (i32.const 24) (i32.const 16) (i32.const 9)))
            (func (export "level") (call $log (i32.const 6) (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 9))))"#,
    );
    let home = tmp.path().join("home");
    let o = run(&wasmedge(), &home, dir.to_str(), &[&guest]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let line = out(&o);
    assert!(line.starts_with('[') && line.ends_with("] [info] to stdout\n"), "{line}");
    assert!(err(&o).contains("] [warning] to stderr\n"), "{}", err(&o));
    let o = run(&wasmedge(), &home, dir.to_str(), &["--reactor", &guest, "file"]);
    assert_eq!(o.status.code(), Some(134));
    assert!(err(&o).contains("is refused"), "{}", err(&o));
    assert!(!Path::new("/tmp/wasmedge-escape.log").exists());
    let o = run(&wasmedge(), &home, dir.to_str(), &["--reactor", &guest, "level"]);
    assert_eq!(o.status.code(), Some(134));
    // A well-known module whose plugin is kept out names the plugin to install.
    let o = run(&wasmedge(), &home, dir.to_str(), &["--forbidden-plugin", "wasi_logging", &guest]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("comes from the wasi_logging plugin"), "{}", err(&o));
}

#[test]
fn bad_plugins_are_warnings_and_the_rest_keep_loading() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("plugins");
    std::fs::create_dir_all(&dir).unwrap();
    // Not a library at all.
    std::fs::write(dir.join("garbage.so"), b"this is not an ELF file").unwrap();
    // A library without the plugin root module.
    let libm = ["/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libm.so.6"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.exists());
    if let Some(libm) = libm {
        std::fs::copy(libm, dir.join("libm.so")).unwrap();
    }
    // An abi_stable library whose root module is something else.
    copy_to(&plugin_lib("wasmedge_test_bad_abi"), &dir);
    // A WasmEdge C-API plugin (it needs libwasmedge.so's functions, which this command does not have).
    let c_plugin = dir.join("libwasmedgePluginC.so");
    let c_source = tmp.path().join("c_plugin.c");
    std::fs::write(&c_source, "void *WasmEdge_Plugin_GetDescriptor(void) { return 0; }\n").unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let built = Command::new(&cc)
        .args(["-shared", "-fPIC", "-o"])
        .arg(&c_plugin)
        .arg(&c_source)
        .status()
        .is_ok_and(|s| s.success());
    // Two plugins with one name.
    let first = copy_to(&plugin_lib("wasmedge_test_plugin"), &dir.join("a"));
    let second = copy_to(&plugin_lib("wasmedge_test_plugin"), &dir.join("b"));
    // The command alone in a directory: no libwasmedge.so beside it to hand the C plugin to.
    let alone = tmp.path().join("bin/wasmedge");
    std::fs::create_dir_all(alone.parent().unwrap()).unwrap();
    std::fs::copy(wasmedge(), &alone).unwrap();
    let o = run(&alone, &tmp.path().join("home"), dir.to_str(), &["--version"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let (stdout, stderr) = (out(&o), err(&o));
    assert_eq!(stdout.matches(TEST_PLUGIN_LINE).count(), 1, "{stdout}");
    assert!(stdout.contains(&first.display().to_string()), "the first one wins: {stdout}");
    let warning = |file: &str, reason: &str| {
        assert!(
            stderr.lines().any(|l| l.contains("[warning]") && l.contains(file) && l.contains(reason)),
            "no warning for {file} ({reason}): {stderr}"
        )
    };
    warning("garbage.so", "not a loadable shared library");
    if libm.is_some() {
        warning("libm.so", "exports no plugin root module");
    }
    warning("libwasmedge_test_bad_abi.so", "does not match this runtime's");
    if built {
        warning("libwasmedgePluginC.so", "a WasmEdge C-API plugin (it exports WasmEdge_Plugin_GetDescriptor)");
        warning("libwasmedgePluginC.so", "none is installed beside this command");
    } else {
        eprintln!("skipped the C-plugin case: no C compiler ({cc})");
    }
    warning(&second.display().to_string(), "already loaded");
}

#[test]
fn the_library_api_reads_descriptors() {
    let plugins = wasmedge_host::plugin::Plugins::load(&[plugin_lib("wasmedge_test_plugin")]);
    assert!(plugins.warnings.is_empty(), "{:?}", plugins.warnings);
    let p = &plugins.plugins[0];
    assert_eq!((p.name.as_str(), p.description.as_str()), ("test_plugin", "Test plugin"));
    assert_eq!(p.modules[0].name, "test_plugin");
    let names: Vec<&str> = p.modules[0].functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["add", "greet", "summary", "count_calls", "boom", "abort"]);
    assert_eq!(p.modules[0].functions[0].ty.to_string(), "(func (param i32 i32) (result i32))");
    assert_eq!(p.options.len(), 4);
    assert!(plugins.provider("test_plugin").is_some());
}

/// Build the separate workspace of plugins made with the frozen ABI 1.0 SDK.
fn legacy_lib(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let dir = BUILT.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let target = target_dir().join("legacy-plugins");
        let status = Command::new(env!("CARGO"))
            .args(["build", "-q", "--manifest-path"])
            .arg(root.join("tests/plugins/legacy/Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .status()
            .unwrap();
        assert!(status.success(), "building the legacy plugins failed");
        target.join("debug")
    });
    dir.join(format!("lib{name}.so"))
}

#[test]
fn a_plugin_built_with_an_older_sdk_of_the_same_major_abi_still_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("plugins");
    copy_to(&legacy_lib("wasmedge_legacy_plugin"), &dir);
    copy_to(&legacy_lib("wasmedge_future_plugin"), &dir);
    let guest = wat_file(
        tmp.path(),
        "legacy.wasm",
        r#"(module (import "legacy" "add_times_ten" (func $f (param i32 i32) (result i32)))
                   (func (export "f") (param i32 i32) (result i32) (call $f (local.get 0) (local.get 1))))"#,
    );
    let o = run(&wasmedge(), &tmp.path().join("home"), dir.to_str(), &[&guest, "f", "2", "3"]);
    assert_eq!((o.status.code(), out(&o).as_str()), (Some(0), "50\n"), "{}", err(&o));
    // The incompatible one is refused, naming both versions.
    assert!(
        err(&o).contains(
            "libwasmedge_future_plugin.so skipped: built for plugin ABI 2.0, but this runtime supports ABI 1.2"
        ),
        "{}",
        err(&o)
    );
    // Through the library: the 1.0 plugin reports no SDK version (a field it predates); a current one does.
    let plugins = wasmedge_host::plugin::Plugins::load(&[
        legacy_lib("wasmedge_legacy_plugin"),
        plugin_lib("wasmedge_test_plugin"),
    ]);
    assert_eq!(plugins.plugins.len(), 2, "{:?}", plugins.warnings);
    assert_eq!((plugins.plugins[0].abi, plugins.plugins[0].sdk_version.as_deref()), ((1, 0), None));
    assert_eq!(plugins.plugins[1].abi, (1, 2));
    assert_eq!(plugins.plugins[1].sdk_version.as_deref(), Some(env!("CARGO_PKG_VERSION")));
}

#[test]
fn the_documented_example_plugin_works() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    copy_to(&plugin_lib("wasmedge_plugin_example_hello"), &home.join(".wasmedge/plugin"));
    // The guest of docs/plugins.md.
    let guest = wat_file(
        tmp.path(),
        "app.wasm",
        r#"(module
  (import "hello" "greet" (func $greet (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))                               ;; iovec.buf
    (i32.store (i32.const 4) (call $greet (i32.const 16) (i32.const 64)))  ;; iovec.len
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    );
    let o = run(&wasmedge(), &home, None, &[&guest]);
    assert_eq!((o.status.code(), out(&o).as_str()), (Some(0), "Hello, world!"), "{}", err(&o));
    let o = run(&wasmedge(), &home, None, &["--hello-name", "plugin author", &guest]);
    assert_eq!(out(&o), "Hello, plugin author!");
}

#[test]
fn a_missing_well_known_plugin_is_named_with_how_to_install_it() {
    let tmp = tempfile::tempdir().unwrap();
    let guest = wat_file(
        tmp.path(),
        "nn.wasm",
        r#"(module (import "wasi_ephemeral_nn" "load" (func (param i32 i32 i32 i32 i32) (result i32)))
                   (func (export "_start")))"#,
    );
    // A copy of the binary away from target/, where cargo leaves the workspace's plugins beside it.
    let alone = tmp.path().join("bin/wasmedge");
    std::fs::create_dir_all(alone.parent().unwrap()).unwrap();
    std::fs::copy(wasmedge(), &alone).unwrap();
    let o = run(&alone, &tmp.path().join("home"), Some("/nowhere"), &[&guest]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains(
            "comes from the wasi_nn plugin, which is not installed; install it with `install.sh --plugins wasi_nn`"
        ),
        "{}",
        err(&o)
    );
}
