//! Fault tests for the runtime as a process: a guest that exhausts its memory, a disk that is full or a
//! file-size limit during `fd_write`, SIGINT and SIGTERM while a guest runs. (A plugin that aborts is in
//! plugins.rs; 10,000 instantiations in one process are in host/tests/api.rs.)

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::wat_file;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/wasi").join(name).to_str().unwrap().to_string()
}

fn wasmedge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmedge")).args(args).stdin(Stdio::null()).output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const GROW: &str = r#"(module (memory 1)
  (func (export "grow_all") (result i32)
    (block $full (loop $more
      (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
      (br $more)))
    (memory.size))
  (func (export "grow_huge") (result i32) (memory.grow (i32.const 0x10000)))
  (func (export "past_the_end") (i32.store (i32.mul (memory.size) (i32.const 65536)) (i32.const 1))))"#;

#[test]
fn a_guest_that_exhausts_its_memory_gets_minus_one_then_a_trap() {
    let tmp = tempfile::tempdir().unwrap();
    let wasm = wat_file(tmp.path(), "grow.wasm", GROW);
    for flag in [None, Some("--enable-jit")] {
        let with = |args: &[&str]| {
            let mut all: Vec<&str> = flag.into_iter().collect();
            all.extend_from_slice(args);
            wasmedge(&all)
        };
        // Up to the 4 GiB a 32-bit memory can have (WasmEdge's default limit), then memory.grow says -1.
        let o = with(&["--reactor", &wasm, "grow_all"]);
        assert_eq!((o.status.code(), out(&o).as_str()), (Some(0), "65536\n"), "{}", err(&o));
        let o = with(&["--memory-page-limit", "100", "--reactor", &wasm, "grow_all"]);
        assert_eq!((o.status.code(), out(&o).as_str()), (Some(0), "100\n"), "{}", err(&o));
        let o = with(&["--reactor", &wasm, "grow_huge"]);
        assert_eq!(out(&o), "-1\n");
        let o = with(&["--reactor", &wasm, "past_the_end"]);
        assert_eq!(o.status.code(), Some(134));
        assert!(err(&o).contains("out of bounds memory access"), "{}", err(&o));
    }
}

#[test]
fn a_full_disk_during_fd_write_is_enospc() {
    let o = wasmedge(&["--dir", "/dev:/dev", &fixture("fs.wasm"), "write", "/dev/full", "hello"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert_eq!(out(&o), "error: write: No space left on device (errno 51)\n");
}

#[test]
fn a_file_size_limit_during_fd_write_is_efbig_not_a_signal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    // `ulimit -f 0`: any write to a regular file exceeds the limit. Without the runtime ignoring SIGXFSZ,
    // the kernel would kill the process with it.
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f 0 && exec {} --dir /d:{dir} {} write /d/f.txt hello",
            env!("CARGO_BIN_EXE_wasmedge"),
            fixture("fs.wasm")
        ))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{:?} {}", o.status, err(&o));
    assert_eq!(out(&o), "error: write: File too large (errno 22)\n");
    assert_eq!(std::fs::metadata(tmp.path().join("f.txt")).unwrap().len(), 0);
}

/// Writes "complete\n" to `/d/out.txt`, then spins forever.
const WRITE_THEN_SPIN: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "out.txt")
  (data (i32.const 32) "complete\n")
  (func (export "_start")
    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 7) (i32.const 9) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 16)))
    (i32.store (i32.const 20) (i32.const 32)) (i32.store (i32.const 24) (i32.const 9))
    (drop (call $write (i32.load (i32.const 16)) (i32.const 20) (i32.const 1) (i32.const 28)))
    (loop (br 0))))"#;

#[test]
fn sigint_and_sigterm_stop_a_running_guest_and_leave_its_output_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let wasm = wat_file(tmp.path(), "spin.wasm", WRITE_THEN_SPIN);
    let dir = format!("/d:{}", tmp.path().display());
    for (signal, number) in [(rustix::process::Signal::INT, 2), (rustix::process::Signal::TERM, 15)] {
        for flag in [None, Some("--enable-jit")] {
            let _ = std::fs::remove_file(tmp.path().join("out.txt"));
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_wasmedge"));
            cmd.args(flag).args(["--dir", &dir, &wasm]).stdout(Stdio::null()).stderr(Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            // Wait until the guest has written its file and is spinning.
            let start = Instant::now();
            while std::fs::read(tmp.path().join("out.txt")).map(|b| b.len()).unwrap_or(0) < 9 {
                assert!(start.elapsed() < Duration::from_secs(30), "the guest never wrote its file");
                std::thread::sleep(Duration::from_millis(10));
            }
            let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
            rustix::process::kill_process(pid, signal).unwrap();
            let start = Instant::now();
            let status = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break status;
                }
                assert!(start.elapsed() < Duration::from_secs(10), "signal {number} did not stop the guest");
                std::thread::sleep(Duration::from_millis(10));
            };
            assert_eq!(status.signal(), Some(number), "{flag:?}: {status:?}");
            assert_eq!(std::fs::read_to_string(tmp.path().join("out.txt")).unwrap(), "complete\n");
        }
    }
}
