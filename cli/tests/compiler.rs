//! Native code from the command line: `--enable-jit` and `wasmedge compile` output (universal wasm and
//! shared library) give the interpreter's stdout, stderr and exit status for every WASI fixture.

use std::path::Path;
use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/wasi").join(name).to_str().unwrap().to_string()
}

fn wasmedge(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmedge")).args(args).current_dir(cwd).output().unwrap()
}

/// What a run shows a user, with log timestamps and the file name (which differs per mode) removed.
fn shown(o: &Output, file: &str) -> (String, String, Option<i32>) {
    let clean = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .lines()
            .map(|l| if l.starts_with('[') { l.split_once("] ").map_or(l, |x| x.1) } else { l })
            .collect::<Vec<_>>()
            .join("\n")
            .replace(file, "FILE")
    };
    (clean(&o.stdout), clean(&o.stderr), o.status.code())
}

#[test]
fn fixtures_run_identically_from_native_code() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("in.txt"), "data\n").unwrap();
    let runs: &[(&str, &[&str])] = &[
        ("hello.wasm", &["one", "two"]),
        ("fs.wasm", &["cat", "in.txt"]),
        ("fs.wasm", &["copy", "in.txt", "out.txt"]),
        ("misc.wasm", &["trap"]),
        ("misc.wasm", &["oob"]),
        ("misc.wasm", &["exit", "42"]),
        ("misc.wasm", &["clock"]),
    ];
    for name in ["hello.wasm", "fs.wasm", "misc.wasm"] {
        let wasm = fixture(name);
        for out in ["aot.wasm", "aot.so"] {
            let o = wasmedge(&["compile", &wasm, out], dir);
            assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
            std::fs::rename(dir.join(out), dir.join(format!("{name}.{out}"))).unwrap();
        }
    }
    for &(name, args) in runs {
        let wasm = fixture(name);
        let run = |pre: &[&str], file: &str| {
            let _ = std::fs::remove_file(dir.join("out.txt"));
            let mut argv = vec!["--dir", ".:."];
            argv.extend_from_slice(pre);
            argv.push(file);
            argv.extend_from_slice(args);
            shown(&wasmedge(&argv, dir), file)
        };
        let interp = run(&[], &wasm);
        assert_eq!(run(&["--enable-jit"], &wasm), interp, "--enable-jit {name} {args:?}");
        for out in ["aot.wasm", "aot.so"] {
            let file = format!("{name}.{out}");
            assert_eq!(run(&[], &file), interp, "{file} {args:?}");
        }
    }
}

#[test]
fn aot_output_that_does_not_fit_falls_back_to_the_wasm_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let o = wasmedge(&["compile", &fixture("hello.wasm"), "hello.wasm"], dir);
    assert_eq!(o.status.code(), Some(0));
    // Compiled without interrupt checks: a time limit needs them, so the module runs from its bytes.
    let o = wasmedge(&["--time-limit", "5000", "hello.wasm"], dir);
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("without interrupt checks") && err.contains("running the module from its wasm bytes"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("hello from wasm"));
    // A damaged code section is noticed, and the module still runs.
    let mut bytes = std::fs::read(dir.join("hello.wasm")).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(dir.join("damaged.wasm"), &bytes).unwrap();
    let o = wasmedge(&["damaged.wasm"], dir);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("damaged"), "{}", String::from_utf8_lossy(&o.stderr));
    // Native code for a different module (the section moved onto another module's bytes).
    let misc = std::fs::read(fixture("misc.wasm")).unwrap();
    let hello = std::fs::read(fixture("hello.wasm")).unwrap();
    let aot = std::fs::read(dir.join("hello.wasm")).unwrap();
    let moved = [misc.as_slice(), &aot[hello.len()..]].concat();
    std::fs::write(dir.join("moved.wasm"), moved).unwrap();
    let o = wasmedge(&["moved.wasm", "exit", "3"], dir);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("different module"), "{}", String::from_utf8_lossy(&o.stderr));
    // A `wasmedge` section of another runtime (WasmEdge's AOT output uses the same name).
    let mut foreign = hello.clone();
    foreign.extend_from_slice(&[0, 13, 8]);
    foreign.extend_from_slice(b"wasmedge");
    foreign.extend_from_slice(&[1, 2, 3, 4]);
    std::fs::write(dir.join("foreign.wasm"), foreign).unwrap();
    let o = wasmedge(&["foreign.wasm"], dir);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("another runtime"), "{}", String::from_utf8_lossy(&o.stderr));
    // --force-interpreter ignores the code without a word.
    let o = wasmedge(&["--force-interpreter", "hello.wasm"], dir);
    assert_eq!((o.status.code(), o.stderr.is_empty()), (Some(0), true));
    // Compiled with --interruptible, a time limit stops native code.
    let spin = dir.join("spin.wat");
    std::fs::write(&spin, "").unwrap();
    let buf = wast::parser::ParseBuffer::new(r#"(module (func (export "_start") (loop (br 0))))"#).unwrap();
    let bytes = wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap();
    std::fs::write(dir.join("spin.wasm"), bytes).unwrap();
    let o = wasmedge(&["compile", "--interruptible", "spin.wasm", "spin.so"], dir);
    assert_eq!(o.status.code(), Some(0));
    let o = wasmedge(&["--time-limit", "100", "spin.so"], dir);
    assert_eq!(o.status.code(), Some(134));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("execution interrupted") && !err.contains("warning"), "{err}");
}
