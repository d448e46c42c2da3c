//! WASI preview1 on real C programs (tests/fixtures/wasi, built with wasi-libc).

use std::path::{Path, PathBuf};

use wasmedge_host::{Engine, Linker, Module, Store, TrapCode};
use wasmedge_wasi::{PREVIEW0, PREVIEW1, WasiConfig, WasiState};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/wasi").join(name)
}

struct Run {
    status: Result<i32, wasmedge_host::Error>,
    stdout: String,
    stderr: String,
}

fn run(wasm: &str, args: &[&str], setup: impl FnOnce(&mut WasiConfig)) -> Run {
    let engine = Engine::default();
    let module = Module::from_file(&engine, fixture(wasm)).unwrap();
    let mut config = WasiConfig::new();
    config.arg(wasm).capture_output(true);
    for a in args {
        config.arg(*a);
    }
    setup(&mut config);
    let mut store = Store::new(&engine, WasiState::new(&config).unwrap());
    let mut linker = Linker::new();
    wasmedge_wasi::add_to_linker(&mut linker, &mut store);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let status = wasmedge_wasi::run_command(&mut store, instance);
    let stdout = String::from_utf8(store.data().stdout()).unwrap();
    let stderr = String::from_utf8(store.data().stderr()).unwrap();
    Run { status, stdout, stderr }
}

fn dir_of(tmp: &tempfile::TempDir) -> String {
    tmp.path().to_str().unwrap().to_string()
}

#[test]
fn every_function_of_both_snapshots_is_defined() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, WasiState::new(&WasiConfig::new()).unwrap());
    let mut linker = Linker::new();
    wasmedge_wasi::add_to_linker(&mut linker, &mut store);
    assert_eq!(PREVIEW1.len(), 46);
    assert_eq!(PREVIEW0.len(), 45);
    for name in PREVIEW1 {
        assert!(linker.get("wasi_snapshot_preview1", name).is_some(), "{name}");
    }
    for name in PREVIEW0 {
        assert!(linker.get("wasi_unstable", name).is_some(), "{name}");
    }
    // WasmEdge's socket extension: 26 functions and epoll_oneoff.
    assert_eq!(wasmedge_wasi::net::names().count(), 27);
    for name in wasmedge_wasi::net::names() {
        assert!(linker.get("wasi_snapshot_preview1", name).is_some(), "{name}");
    }
}

#[test]
fn hello_sees_its_arguments_and_only_the_given_environment() {
    let r = run("hello.wasm", &["one", "two words"], |c| {
        c.env("GREETING", "hi there");
    });
    assert_eq!(r.status.unwrap(), 0);
    assert_eq!(
        r.stdout,
        "hello from wasm\nargv[0]=hello.wasm\nargv[1]=one\nargv[2]=two words\nGREETING=hi there\nenvc=1\n"
    );
}

#[test]
fn cat_copy_and_list_through_a_preopen() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("in.txt"), "line one\nline two\n").unwrap();
    let d = dir_of(&tmp);
    let r = run("fs.wasm", &["cat", "/data/in.txt"], |c| {
        c.dir("/data", &d, false);
    });
    assert_eq!((r.status.unwrap(), r.stdout.as_str()), (0, "line one\nline two\n"));
    let r = run("fs.wasm", &["copy", "/data/in.txt", "/data/out.txt"], |c| {
        c.dir("/data", &d, false);
    });
    assert_eq!((r.status.unwrap(), r.stdout.as_str()), (0, "copied 18 bytes\n"));
    assert_eq!(std::fs::read_to_string(tmp.path().join("out.txt")).unwrap(), "line one\nline two\n");
    let r = run("fs.wasm", &["ls", "/data"], |c| {
        c.dir("/data", &d, false);
    });
    let mut names: Vec<&str> = r.stdout.lines().collect();
    names.sort();
    assert_eq!(names, ["in.txt", "out.txt"]);
}

#[test]
fn mkdir_rename_unlink_rmdir() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dir_of(&tmp);
    let fs = |args: &[&str]| {
        let r = run("fs.wasm", args, |c| {
            c.dir(".", &d, false);
        });
        assert_eq!(r.status.as_ref().unwrap(), &0, "{args:?}: {}", r.stdout);
    };
    fs(&["mkdir", "sub"]);
    assert!(tmp.path().join("sub").is_dir());
    fs(&["write", "sub/a.txt", "alpha"]);
    fs(&["rename", "sub/a.txt", "b.txt"]);
    assert_eq!(std::fs::read_to_string(tmp.path().join("b.txt")).unwrap(), "alpha");
    fs(&["unlink", "b.txt"]);
    assert!(!tmp.path().join("b.txt").exists());
    fs(&["rmdir", "sub"]);
    assert!(!tmp.path().join("sub").exists());
}

#[test]
fn readonly_preopen_refuses_every_write_with_erofs() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("keep.txt"), "precious").unwrap();
    std::fs::create_dir(tmp.path().join("dir")).unwrap();
    let d = dir_of(&tmp);
    for args in [
        &["write", "/ro/new.txt", "x"][..],
        &["write", "/ro/keep.txt", "overwrite"],
        &["mkdir", "/ro/made"],
        &["unlink", "/ro/keep.txt"],
        &["rename", "/ro/keep.txt", "/ro/moved.txt"],
        &["rmdir", "/ro/dir"],
        &["write", "/ro/dir/deep.txt", "x"],
    ] {
        let r = run("fs.wasm", args, |c| {
            c.dir("/ro", &d, true);
        });
        assert_eq!(r.status.unwrap(), 1, "{args:?}");
        assert!(r.stdout.contains("Read-only file system"), "{args:?}: {}", r.stdout);
    }
    assert_eq!(std::fs::read_to_string(tmp.path().join("keep.txt")).unwrap(), "precious");
    assert!(!tmp.path().join("new.txt").exists() && !tmp.path().join("made").exists());
    // Reading still works.
    let r = run("fs.wasm", &["cat", "/ro/keep.txt"], |c| {
        c.dir("/ro", &d, true);
    });
    assert_eq!((r.status.unwrap(), r.stdout.as_str()), (0, "precious"));
}

#[test]
fn the_sandbox_holds() {
    let outer = tempfile::tempdir().unwrap();
    let inner = outer.path().join("inner");
    std::fs::create_dir(&inner).unwrap();
    std::fs::write(outer.path().join("secret.txt"), "secret").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outer.path().join("secret.txt"), inner.join("link")).unwrap();
    let d = inner.to_str().unwrap().to_string();
    let secret = outer.path().join("secret.txt");
    for path in ["/box/../secret.txt", secret.to_str().unwrap(), "/box/link", "../secret.txt"] {
        let r = run("fs.wasm", &["escape", path], |c| {
            c.dir("/box", &d, false);
        });
        assert_eq!(r.status.unwrap(), 1, "{path} must not open: {}", r.stdout);
        assert!(r.stdout.starts_with("error: open"), "{path}: {}", r.stdout);
    }
}

#[test]
fn clocks_random_and_sleep() {
    let r = run("misc.wasm", &["clock"], |_| {});
    assert_eq!(r.stdout, "monotonic ok\nrealtime after-2020\n");
    let r = run("misc.wasm", &["random"], |_| {});
    assert_eq!(r.stdout, "random ok\n");
    let start = std::time::Instant::now();
    let r = run("misc.wasm", &["sleep", "50"], |_| {});
    assert_eq!(r.stdout, "slept enough\n");
    assert!(start.elapsed() >= std::time::Duration::from_millis(50));
}

#[test]
fn stdin_to_stdout_filter_and_stderr() {
    let r = run("misc.wasm", &["filter"], |c| {
        c.stdin_bytes(b"Hello, World!\nbye\n".to_vec());
    });
    assert_eq!(r.stdout, "HELLO, WORLD!\nBYE\n");
    let r = run("misc.wasm", &["stderr", "to stderr"], |_| {});
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", "to stderr\n"));
}

#[test]
fn exit_codes_and_traps() {
    assert_eq!(run("misc.wasm", &["exit", "7"], |_| {}).status.unwrap(), 7);
    assert_eq!(run("misc.wasm", &["exit", "0"], |_| {}).status.unwrap(), 0);
    let trap = run("misc.wasm", &["trap"], |_| {}).status.unwrap_err();
    assert_eq!(trap.trap_code(), Some(TrapCode::Unreachable));
    let oob = run("misc.wasm", &["oob"], |_| {}).status.unwrap_err();
    assert_eq!(oob.trap_code(), Some(TrapCode::MemoryOutOfBounds));
}

#[test]
fn a_missing_preopen_is_an_error_before_the_guest_runs() {
    let mut config = WasiConfig::new();
    config.dir("/x", "/definitely/not/here", false);
    let err = WasiState::new(&config).err().expect("must fail");
    assert!(err.message().contains("/definitely/not/here"), "{err}");
}

/// Found by the WASI path fuzzer (tests/fuzz, wasi_paths): `wiggle` traps on a bad guest argument; WasmEdge
/// returns an errno the guest can handle, and so do we.
#[test]
fn bad_guest_arguments_are_errnos_not_traps() {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "f.txt\ff")
      (func (export "rights") (result i32)
        (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 5) (i32.const 1) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 64)))
      (func (export "oflags") (result i32)
        (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 5) (i32.const 0x100) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 64)))
      (func (export "utf8") (result i32)
        (call $open (i32.const 3) (i32.const 0) (i32.const 5) (i32.const 2) (i32.const 1) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 64)))
      (func (export "iovs") (result i32)
        (call $write (i32.const 1) (i32.const 0xfffffff0) (i32.const 4) (i32.const 64)))
      (func (export "out") (result i32)
        (call $prestat (i32.const 3) (i32.const 65535))))"#;
    let buf = wast::parser::ParseBuffer::new(wat).unwrap();
    let bytes = wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, bytes).unwrap();
    let mut config = WasiConfig::new();
    config.dir("/", tmp.path(), false);
    let mut store = Store::new(&engine, WasiState::new(&config).unwrap());
    let mut linker = Linker::new();
    wasmedge_wasi::add_to_linker(&mut linker, &mut store);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    for (name, errno) in [("rights", 28), ("oflags", 28), ("utf8", 25), ("iovs", 21), ("out", 21)] {
        let mut out = [wasmedge_host::Val::I32(-1)];
        instance.get_func(&store, name).unwrap().call(&mut store, &[], &mut out).unwrap();
        assert_eq!(out[0], wasmedge_host::Val::I32(errno), "{name}");
    }
    assert!(!tmp.path().join("f.txt").exists());
}
