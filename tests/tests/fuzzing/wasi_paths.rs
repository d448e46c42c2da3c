//! The WASI path resolver under arbitrary paths: a guest drives `path_open` (then writes and closes),
//! `path_create_directory`, `path_unlink_file`, `path_remove_directory`, `path_rename`, `path_symlink`,
//! `path_filestat_get` and `path_readlink` with paths built from `..`, `/`, symlinks that point out of the
//! sandbox and raw bytes, on a read-write preopen (fd 3) and a read-only one (fd 4). Afterwards nothing
//! outside the read-write preopen may have changed, the read-only preopen must be as it was, and no call
//! may trap: every refusal is an errno.

use std::collections::BTreeMap;
use std::path::Path;

use arbitrary::Unstructured;
use wasmedge_host::{Engine, Linker, Module, Store, Val};
use wasmedge_wasi::{WasiConfig, WasiState};

const GUEST: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $unlink (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory" (func $rmdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $stat (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink" (func $readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; Path A is at 0, path B at 1024; results go to 4096 and up; "pwned" is at 4200.
  (data (i32.const 4200) "pwned")
  (func (export "open") (param $fd i32) (param $a i32) (param $lookup i32) (param $oflags i32) (param $fdflags i32) (result i32)
    (local $e i32) (local $new i32)
    (local.set $e (call $open (local.get $fd) (local.get $lookup) (i32.const 0) (local.get $a) (local.get $oflags)
      (i64.const -1) (i64.const -1) (local.get $fdflags) (i32.const 4096)))
    (if (local.get $e) (then (return (local.get $e))))
    (local.set $new (i32.load (i32.const 4096)))
    ;; one iovec at 4100: "pwned", 5 bytes
    (i32.store (i32.const 4100) (i32.const 4200))
    (i32.store (i32.const 4104) (i32.const 5))
    (drop (call $write (local.get $new) (i32.const 4100) (i32.const 1) (i32.const 4108)))
    (call $close (local.get $new)))
  (func (export "mkdir") (param $fd i32) (param $a i32) (result i32)
    (call $mkdir (local.get $fd) (i32.const 0) (local.get $a)))
  (func (export "unlink") (param $fd i32) (param $a i32) (result i32)
    (call $unlink (local.get $fd) (i32.const 0) (local.get $a)))
  (func (export "rmdir") (param $fd i32) (param $a i32) (result i32)
    (call $rmdir (local.get $fd) (i32.const 0) (local.get $a)))
  (func (export "rename") (param $fd i32) (param $a i32) (param $fd2 i32) (param $b i32) (result i32)
    (call $rename (local.get $fd) (i32.const 0) (local.get $a) (local.get $fd2) (i32.const 1024) (local.get $b)))
  (func (export "symlink") (param $fd i32) (param $a i32) (param $b i32) (result i32)
    (call $symlink (i32.const 0) (local.get $a) (local.get $fd) (i32.const 1024) (local.get $b)))
  (func (export "stat") (param $fd i32) (param $a i32) (param $lookup i32) (result i32)
    (call $stat (local.get $fd) (local.get $lookup) (i32.const 0) (local.get $a) (i32.const 4096)))
  (func (export "readlink") (param $fd i32) (param $a i32) (result i32)
    (call $readlink (local.get $fd) (i32.const 0) (local.get $a) (i32.const 5000) (i32.const 256) (i32.const 4096))))"#;

const WORDS: [&str; 14] =
    ["..", ".", "", "a.txt", "dir", "b.txt", "escape", "abs", "dotdot", "rolink", "ro", "c.txt", "outside.txt", "new"];

/// A path from the vocabulary (sometimes absolute, sometimes with raw bytes).
fn path(u: &mut Unstructured<'_>) -> arbitrary::Result<Vec<u8>> {
    if u.ratio(1, 8)? {
        let n = u.int_in_range(0..=40)?;
        return u.bytes(n).map(<[u8]>::to_vec);
    }
    let mut p = Vec::new();
    if u.ratio(1, 6)? {
        p.push(b'/');
    }
    for i in 0..u.int_in_range(1..=5)? {
        if i > 0 {
            p.push(b'/');
        }
        p.extend_from_slice(u.choose(&WORDS)?.as_bytes());
    }
    Ok(p)
}

/// Every file and directory under `dir` with its contents (directories as `None`), symlinks by target.
fn snapshot(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let key = p.strip_prefix(dir).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.file_type().is_symlink() {
                out.insert(key, Some(std::fs::read_link(&p).unwrap().into_os_string().into_encoded_bytes()));
            } else if meta.is_dir() {
                out.insert(key, None);
                stack.push(p);
            } else {
                out.insert(key, Some(std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

/// The guest module, compiled once per process.
fn guest() -> &'static [u8] {
    static WASM: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    WASM.get_or_init(|| {
        let buf = wast::parser::ParseBuffer::new(GUEST).unwrap();
        wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap()
    })
}

/// Run the operations `data` describes; panic on an escape, a change to the read-only tree, or a trap.
/// Returns the number of WASI calls made.
pub(crate) fn check_ops(data: &[u8]) -> u64 {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    std::fs::create_dir_all(r.join("sandbox/dir")).unwrap();
    std::fs::create_dir_all(r.join("ro/sub")).unwrap();
    std::fs::write(r.join("outside.txt"), "sentinel").unwrap();
    std::fs::write(r.join("sandbox/a.txt"), "a").unwrap();
    std::fs::write(r.join("sandbox/dir/b.txt"), "b").unwrap();
    std::fs::write(r.join("ro/c.txt"), "c").unwrap();
    std::os::unix::fs::symlink("../outside.txt", r.join("sandbox/escape")).unwrap();
    std::os::unix::fs::symlink(r.join("outside.txt"), r.join("sandbox/abs")).unwrap();
    std::os::unix::fs::symlink("..", r.join("sandbox/dotdot")).unwrap();
    std::os::unix::fs::symlink("../ro/c.txt", r.join("sandbox/rolink")).unwrap();
    std::os::unix::fs::symlink("../outside.txt", r.join("ro/escape")).unwrap();
    let before_outside = std::fs::read(r.join("outside.txt")).unwrap();
    let before_ro = snapshot(&r.join("ro"));

    let engine = Engine::default();
    let module = Module::new(&engine, guest()).unwrap();
    let mut wasi = WasiConfig::new();
    wasi.dir("/sandbox", r.join("sandbox"), false).dir("/ro", r.join("ro"), true);
    let mut store = Store::new(&engine, WasiState::new(&wasi).unwrap());
    let mut linker = Linker::new();
    wasmedge_wasi::add_to_linker(&mut linker, &mut store);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let memory = instance.get_memory(&store, "memory").unwrap();

    let mut u = Unstructured::new(data);
    let mut calls = 0;
    for _ in 0..16 {
        if u.is_empty() {
            break;
        }
        let Ok(op) = u.int_in_range(0u8..=7) else { break };
        let fd = if u.ratio(1, 3).unwrap_or(false) { 4 } else { 3 };
        let (Ok(a), Ok(b)) = (path(&mut u), path(&mut u)) else { break };
        let lookup = i32::from(u.ratio(1, 2).unwrap_or(false)); // SYMLINK_FOLLOW
        // oflags: CREAT 1, DIRECTORY 2, EXCL 4, TRUNC 8; fdflags: APPEND 1 ... NONBLOCK 4
        let oflags = i32::from(u.int_in_range(0u8..=15).unwrap_or(1));
        let fdflags = i32::from(u.int_in_range(0u8..=1).unwrap_or(0));
        let fd2 = if u.ratio(1, 3).unwrap_or(false) { 4 } else { 3 };
        let mem = memory.data_mut(&mut store);
        mem[..a.len()].copy_from_slice(&a);
        mem[1024..1024 + b.len()].copy_from_slice(&b);
        let (al, bl) = (Val::I32(a.len() as i32), Val::I32(b.len() as i32));
        let (name, args): (&str, Vec<Val>) = match op {
            0 => ("open", vec![Val::I32(fd), al, Val::I32(lookup), Val::I32(oflags), Val::I32(fdflags)]),
            1 => ("mkdir", vec![Val::I32(fd), al]),
            2 => ("unlink", vec![Val::I32(fd), al]),
            3 => ("rmdir", vec![Val::I32(fd), al]),
            4 => ("rename", vec![Val::I32(fd), al, Val::I32(fd2), bl]),
            5 => ("symlink", vec![Val::I32(fd), al, bl]),
            6 => ("stat", vec![Val::I32(fd), al, Val::I32(lookup)]),
            _ => ("readlink", vec![Val::I32(fd), al]),
        };
        let f = instance.get_func(&store, name).unwrap();
        let mut out = [Val::I32(0)];
        if let Err(e) = f.call(&mut store, &args, &mut out) {
            panic!("{name}({:?}, {:?}) trapped: {e}", String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
        }
        calls += 1;
        let top: Vec<String> =
            std::fs::read_dir(r).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        let mut top = top;
        top.sort();
        assert_eq!(top, ["outside.txt", "ro", "sandbox"], "{name}: something appeared beside the preopens");
        assert_eq!(std::fs::read(r.join("outside.txt")).unwrap(), before_outside, "{name} wrote outside the sandbox");
        assert_eq!(
            snapshot(&r.join("ro")),
            before_ro,
            "{name}({:?}) changed the read-only preopen",
            String::from_utf8_lossy(&a)
        );
    }
    calls
}
