//! End-to-end tests: the built `wasmedge` binary as a subprocess, checking stdout, stderr, files and exit
//! codes for every option.

use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;
use common::wat_file;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/wasi").join(name).to_str().unwrap().to_string()
}

fn wasmedge(args: &[&str]) -> Output {
    wasmedge_in(args, None, b"")
}

fn wasmedge_in(args: &[&str], cwd: Option<&Path>, stdin: &[u8]) -> Output {
    let mut args: Vec<&str> = args.to_vec();
    // `every_cli_test_passes_under_the_compiler` runs this file again with a flag for every command.
    let extra = std::env::var("WASMEDGE_TEST_FLAG").ok();
    if let Some(flag) = extra.as_deref()
        && args.first() != Some(&"compile")
        && !args.contains(&flag)
    {
        args.insert(usize::from(args.first() == Some(&"run")), flag);
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wasmedge"));
    cmd.args(&args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.env("HOST_ONLY_VARIABLE", "must not reach the guest");
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let mut child = cmd.spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

#[test]
fn version_and_help() {
    for flag in ["-v", "--version"] {
        let o = wasmedge(&[flag]);
        assert_eq!(code(&o), 0);
        assert!(stdout(&o).starts_with("wasmedge version "), "{}", stdout(&o));
    }
    for flag in ["-h", "--help"] {
        let o = wasmedge(&[flag]);
        assert_eq!(code(&o), 0);
        let help = stdout(&o);
        for option in ["--dir", "--env", "--reactor", "--gas-limit", "--enable-all-statistics", "--disable-simd"] {
            assert!(help.contains(option), "help lacks {option}");
        }
        assert!(!help.contains("clap") && !help.contains("`parse`"), "help speaks to users: {help}");
    }
}

#[test]
fn hello_with_args_env_and_argv0() {
    let hello = fixture("hello.wasm");
    let o = wasmedge(&["--env", "GREETING=hi", &hello, "one", "--dir", "-v"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!("hello from wasm\nargv[0]={hello}\nargv[1]=one\nargv[2]=--dir\nargv[3]=-v\nGREETING=hi\nenvc=1\n")
    );
    // `run`, `--opt=value` and `--` give the same result.
    let o = wasmedge(&["run", "--env=GREETING=hi", "--", &hello, "one", "--dir", "-v"]);
    assert_eq!(
        stdout(&o),
        format!("hello from wasm\nargv[0]={hello}\nargv[1]=one\nargv[2]=--dir\nargv[3]=-v\nGREETING=hi\nenvc=1\n")
    );
    // No --env: the host environment is not inherited.
    let o = wasmedge(&[&hello]);
    assert!(stdout(&o).contains("GREETING=(unset)\nenvc=0\n"), "{}", stdout(&o));
}

#[test]
fn unknown_option() {
    let o = wasmedge(&["--frobnicate", &fixture("hello.wasm")]);
    assert_eq!(code(&o), 1);
    assert_eq!(stderr(&o).trim(), "unknown option: --frobnicate");
    let o = wasmedge(&["--frobnicate=3", &fixture("hello.wasm")]);
    assert_eq!(stderr(&o).trim(), "unknown option: --frobnicate");
}

#[test]
fn dir_mappings_cat_copy_and_readonly() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("in.txt"), "data\n").unwrap();
    let fs = fixture("fs.wasm");
    let host = tmp.path().to_str().unwrap();
    // GUEST:HOST
    let o = wasmedge(&["--dir", &format!("/work:{host}"), &fs, "copy", "/work/in.txt", "/work/out.txt"]);
    assert_eq!((code(&o), stdout(&o).as_str()), (0, "copied 5 bytes\n"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(tmp.path().join("out.txt")).unwrap(), "data\n");
    // .:. from the current directory, as in `wasmedge --dir .:. app.wasm`.
    let o = wasmedge_in(&["--dir", ".:.", &fs, "cat", "in.txt"], Some(tmp.path()), b"");
    assert_eq!((code(&o), stdout(&o).as_str()), (0, "data\n"), "{}", stderr(&o));
    // HOST alone maps to the same path.
    let o = wasmedge(&["--dir", host, &fs, "cat", &format!("{host}/in.txt")]);
    assert_eq!(stdout(&o), "data\n", "{}", stderr(&o));
    // GUEST:HOST:readonly refuses writes.
    let o = wasmedge(&["--dir", &format!("/ro:{host}:readonly"), &fs, "write", "/ro/in.txt", "clobber"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("Read-only file system"), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(tmp.path().join("in.txt")).unwrap(), "data\n");
    // Without --dir the guest sees nothing.
    let o = wasmedge(&[&fs, "cat", &format!("{host}/in.txt")]);
    assert_eq!(code(&o), 1);
    // A missing host directory is an error before the guest runs.
    let o = wasmedge(&["--dir", "/x:/definitely/missing", &fs, "ls", "/x"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("/definitely/missing"), "{}", stderr(&o));
}

#[test]
fn open_with_truncate_and_append_pwrite_and_shutdown_of_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let fs = fixture("fs.wasm");
    std::fs::write(tmp.path().join("log.txt"), "old contents\n").unwrap();
    // O_CREAT | O_TRUNC | O_WRONLY | O_APPEND (wasi-libc: truncate + the append fdflag) truncates, then appends.
    let o = wasmedge_in(&["--dir", ".:.", &fs, "truncappend", "log.txt", "new"], Some(tmp.path()), b"");
    assert_eq!((code(&o), stdout(&o).as_str()), (0, "truncated and appended log.txt\n"), "{}", stderr(&o));
    let o = wasmedge_in(&["--dir", ".:.", &fs, "append", "log.txt", "+more"], Some(tmp.path()), b"");
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(tmp.path().join("log.txt")).unwrap(), "new+more");
    // The same through a new file.
    let o = wasmedge_in(&["--dir", ".:.", &fs, "truncappend", "fresh.txt", "x"], Some(tmp.path()), b"");
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(tmp.path().join("fresh.txt")).unwrap(), "x");
    // pwrite writes at its offset and leaves the file offset alone.
    let o = wasmedge_in(&["--dir", ".:.", &fs, "pwrite", "p.txt"], Some(tmp.path()), b"");
    assert_eq!((code(&o), stdout(&o).as_str()), (0, "offset after pwrite 3\nXbcd"), "{}", stderr(&o));
    // shutdown() of something that is not a socket is ENOTSOCK, not EBADF.
    let o = wasmedge(&[&fs, "notsock"]);
    assert_eq!((code(&o), stdout(&o).as_str()), (1, "error: shutdown: Not a socket (errno 57)\n"));
}

#[test]
fn stdin_filter_and_exit_codes() {
    let misc = fixture("misc.wasm");
    let o = wasmedge_in(&[&misc, "filter"], None, b"shout\n");
    assert_eq!((code(&o), stdout(&o).as_str()), (0, "SHOUT\n"));
    assert_eq!(code(&wasmedge(&[&misc, "exit", "42"])), 42);
    assert_eq!(code(&wasmedge(&[&misc, "clock"])), 0);
}

#[test]
fn traps_report_phase_code_and_exit_134() {
    let o = wasmedge(&[&fixture("misc.wasm"), "trap"]);
    assert_eq!(code(&o), 134);
    let err = stderr(&o);
    assert!(err.contains("[error] execution failed: unreachable, Code: 0x40a"), "{err}");
    assert!(err.contains("When executing function name:"), "{err}");
    let o = wasmedge(&[&fixture("misc.wasm"), "oob"]);
    assert_eq!(code(&o), 134);
    assert!(stderr(&o).contains("execution failed: out of bounds memory access, Code: 0x408"), "{}", stderr(&o));
}

#[test]
fn load_validation_and_instantiation_failures_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let o = wasmedge(&["missing.wasm"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("loading failed: invalid path"), "{}", stderr(&o));
    let garbage = tmp.path().join("garbage.wasm");
    std::fs::write(&garbage, b"not wasm at all").unwrap();
    let o = wasmedge(&[garbage.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("[error] loading failed: magic header not detected") && err.contains("Code: 0x103"), "{err}");
    assert_eq!(err.lines().count(), 3, "error, offset and file lines: {err}");
    let bad = tmp.path().join("bad.wasm");
    // (module (func (result i32))) with an empty body: a type mismatch.
    std::fs::write(&bad, b"\0asm\x01\0\0\0\x01\x05\x01\x60\0\x01\x7f\x03\x02\x01\0\x0a\x04\x01\x02\0\x0b").unwrap();
    let o = wasmedge(&[bad.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("validation failed: type mismatch"), "{}", stderr(&o));
    let import =
        wat_file(tmp.path(), "import.wasm", r#"(module (import "env" "missing" (func)) (func (export "_start")))"#);
    let o = wasmedge(&[&import]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("instantiation failed: unknown import"), "{}", stderr(&o));
}

#[test]
fn reactor_mode() {
    let reactor = fixture("reactor.wasm");
    // _initialize runs first (it adds 100 to add's result).
    let o = wasmedge(&["--reactor", &reactor, "add", "1", "2"]);
    assert_eq!((code(&o), stdout(&o).as_str()), (0, "103\n"), "{}", stderr(&o));
    // Without _start, reactor mode is implied.
    let o = wasmedge(&[&reactor, "mul64", "4294967296", "3"]);
    assert_eq!(stdout(&o), "12884901888\n");
    let o = wasmedge(&[&reactor, "half", "5"]);
    assert_eq!(stdout(&o), "2.5\n");
    let o = wasmedge(&[&reactor, "pair", "-7"]);
    assert_eq!(stdout(&o), "-7\n1.5\n");
    let o = wasmedge(&[&reactor, "nothing"]);
    assert_eq!((code(&o), stdout(&o).as_str()), (0, ""));
    let o = wasmedge(&[&reactor]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("A function name is required when reactor mode is enabled."));
    let o = wasmedge(&[&reactor, "no_such_function"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("wasm function not found"), "{}", stderr(&o));
    let o = wasmedge(&[&reactor, "add", "1"]);
    assert_eq!(code(&o), 1);
    let o = wasmedge(&[&reactor, "add", "one", "2"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("not a valid i32"), "{}", stderr(&o));
}

#[test]
fn statistics_flags() {
    let misc = fixture("misc.wasm");
    let o = wasmedge(&["--enable-instruction-count", &misc, "clock"]);
    let err = stderr(&o);
    assert!(err.contains("Executed wasm instructions count: ") && !err.contains("Gas costs"), "{err}");
    let o = wasmedge(&["--enable-gas-measuring", &misc, "clock"]);
    let err = stderr(&o);
    assert!(err.contains("Gas costs: ") && !err.contains("Total execution time"), "{err}");
    let o = wasmedge(&["--enable-time-measuring", &misc, "clock"]);
    let err = stderr(&o);
    assert!(err.contains("Total execution time: ") && err.contains("Host functions execution time: "), "{err}");
    let o = wasmedge(&["--enable-all-statistics", &misc, "clock"]);
    let err = stderr(&o);
    for line in ["Statistics", "Total execution time", "Executed wasm instructions count", "Gas costs", "End"] {
        assert!(err.contains(line), "{line} missing: {err}");
    }
    assert_eq!(stdout(&o), "monotonic ok\nrealtime after-2020\n", "statistics stay off stdout");
    // Counted instructions equal gas at the default cost of 1.
    let count = |s: &str, key: &str| -> u64 {
        s.lines().find_map(|l| l.split_once(key).map(|(_, v)| v.trim().parse().unwrap())).unwrap()
    };
    assert_eq!(count(&err, "instructions count: "), count(&err, "Gas costs: "));
}

#[test]
fn limits() {
    let tmp = tempfile::tempdir().unwrap();
    let spin = wat_file(tmp.path(), "spin.wasm", r#"(module (func (export "_start") (loop (br 0))))"#);
    let o = wasmedge(&["--gas-limit", "1000", &spin]);
    assert_eq!(code(&o), 134);
    assert!(stderr(&o).contains("cost limit exceeded, Code: 0x003"), "{}", stderr(&o));
    let o = wasmedge(&["--time-limit", "200", &spin]);
    assert_eq!(code(&o), 134);
    assert!(stderr(&o).contains("execution interrupted, Code: 0x007"), "{}", stderr(&o));
    let grow = wat_file(
        tmp.path(),
        "grow.wasm",
        r#"(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    let o = wasmedge(&["--memory-page-limit", "4", "--reactor", &grow, "grow", "3"]);
    assert_eq!(stdout(&o), "1\n");
    let o = wasmedge(&["--memory-page-limit=4", "--reactor", &grow, "grow", "4"]);
    assert_eq!(stdout(&o), "-1\n");
}

#[test]
fn proposal_switches() {
    let tmp = tempfile::tempdir().unwrap();
    let simd = wat_file(
        tmp.path(),
        "simd.wasm",
        r#"(module (func (export "f") (result i32) (i32x4.extract_lane 1 (i32x4.splat (i32.const 9)))))"#,
    );
    assert_eq!(stdout(&wasmedge(&[&simd, "f"])), "9\n");
    let o = wasmedge(&["--disable-simd", &simd, "f"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("validation failed") && stderr(&o).contains("SIMD"), "{}", stderr(&o));

    let tail = wat_file(
        tmp.path(),
        "tail.wasm",
        r#"(module (func $f (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
                   (func (export "g") (param i32) (result i32) (return_call $f (local.get 0))))"#,
    );
    assert_eq!(code(&wasmedge(&[&tail, "g", "1"])), 1);
    assert_eq!(stdout(&wasmedge(&["--enable-tail-call", &tail, "g", "1"])), "2\n");
    assert_eq!(stdout(&wasmedge(&["--enable-all", &tail, "g", "1"])), "2\n");

    let ext = wat_file(
        tmp.path(),
        "ext.wasm",
        r#"(module (global i32 (i32.add (i32.const 1) (i32.const 2))) (func (export "f") (result i32) (global.get 0)))"#,
    );
    assert_eq!(code(&wasmedge(&[&ext, "f"])), 1);
    assert_eq!(stdout(&wasmedge(&["--enable-extended-const", &ext, "f"])), "3\n");

    let mm = wat_file(
        tmp.path(),
        "mm.wasm",
        r#"(module (memory 1) (memory $b 2) (func (export "f") (result i32) (memory.size $b)))"#,
    );
    assert_eq!(code(&wasmedge(&[&mm, "f"])), 1);
    assert_eq!(stdout(&wasmedge(&["--enable-multi-memory", &mm, "f"])), "2\n");

    let sign = wat_file(
        tmp.path(),
        "sign.wasm",
        r#"(module (func (export "f") (result i32) (i32.extend8_s (i32.const 255))))"#,
    );
    assert_eq!(stdout(&wasmedge(&[&sign, "f"])), "-1\n");
    assert_eq!(code(&wasmedge(&["--disable-sign-extension-operators", &sign, "f"])), 1);

    let sat = wat_file(
        tmp.path(),
        "sat.wasm",
        r#"(module (func (export "f") (result i32) (i32.trunc_sat_f32_s (f32.const 1e10))))"#,
    );
    assert_eq!(stdout(&wasmedge(&[&sat, "f"])), "2147483647\n");
    assert_eq!(code(&wasmedge(&["--disable-non-trap-float-to-int", &sat, "f"])), 1);

    let mv =
        wat_file(tmp.path(), "mv.wasm", r#"(module (func (export "f") (result i32 i32) (i32.const 1) (i32.const 2)))"#);
    assert_eq!(stdout(&wasmedge(&[&mv, "f"])), "1\n2\n");
    assert_eq!(code(&wasmedge(&["--disable-multi-value", &mv, "f"])), 1);

    let bulk = wat_file(
        tmp.path(),
        "bulk.wasm",
        r#"(module (memory 1) (func (export "f") (memory.fill (i32.const 0) (i32.const 1) (i32.const 4))))"#,
    );
    assert_eq!(code(&wasmedge(&[&bulk, "f"])), 0);
    assert_eq!(code(&wasmedge(&["--disable-bulk-memory", &bulk, "f"])), 1);

    let refs = wat_file(
        tmp.path(),
        "refs.wasm",
        r#"(module (func (export "f") (result i32) (ref.is_null (ref.null extern))))"#,
    );
    assert_eq!(stdout(&wasmedge(&[&refs, "f"])), "1\n");
    assert_eq!(code(&wasmedge(&["--disable-reference-types", &refs, "f"])), 1);

    let mutg = wat_file(
        tmp.path(),
        "mutg.wasm",
        r#"(module (global (export "g") (mut i32) (i32.const 0)) (func (export "f")))"#,
    );
    assert_eq!(code(&wasmedge(&[&mutg, "f"])), 0);
    assert_eq!(code(&wasmedge(&["--disable-import-export-mut-globals", &mutg, "f"])), 1);

    // Switches for proposals the engine cannot run yet are accepted; a module needing them says so.
    let shared = wat_file(tmp.path(), "shared.wasm", "(module (memory 1 1 shared) (func (export \"f\")))");
    let o = wasmedge(&["--enable-threads", &shared, "f"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("not supported by this engine yet: threads"), "{}", stderr(&o));
    for flag in [
        "--enable-function-reference",
        "--enable-gc",
        "--enable-relaxed-simd",
        "--enable-exception-handling",
        "--enable-component",
        "--force-interpreter",
    ] {
        assert_eq!(stdout(&wasmedge(&[flag, &sign, "f"])), "-1\n", "{flag}");
    }
    let o = wasmedge(&["--enable-jit", &sign, "f"]);
    assert_eq!((stdout(&o).as_str(), stderr(&o).as_str()), ("-1\n", ""));
}

#[test]
fn compile_subcommand_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.wasm");
    let out = out.to_str().unwrap();
    let o = wasmedge(&["compile", "/definitely/missing.wasm", out]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("cannot read /definitely/missing.wasm"), "{}", stderr(&o));
    let bad = wat_file(tmp.path(), "bad.wasm", "(module)");
    std::fs::write(&bad, b"\0asm\x01\0\0\0\x01\xff").unwrap();
    let o = wasmedge(&["compile", &bad, out]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("compile failed"), "{}", stderr(&o));
    assert!(!Path::new(out).exists(), "a failed compile leaves no output");
    let o = wasmedge(&["compile", "--optimize", "9", &bad, out]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("invalid optimization level"), "{}", stderr(&o));
}

/// Run this whole file again with `--enable-jit` on every command: each test must pass under the compiler
/// with the interpreter's output.
#[test]
fn every_cli_test_passes_under_the_compiler() {
    if std::env::var_os("WASMEDGE_TEST_FLAG").is_some() {
        return;
    }
    let o = Command::new(std::env::current_exe().unwrap())
        .env("WASMEDGE_TEST_FLAG", "--enable-jit")
        .args(["--skip", "every_cli_test_passes_under_the_compiler"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("test result: ok"), "{}", stdout(&o));
}
