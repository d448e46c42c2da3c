//! The compiler backend: native code gives the interpreter's results, traps and errors.

use wasmedge_host::{Backend, Config, Engine, Error, Func, Linker, Module, Store, TrapCode, Val};

fn wat(text: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(text).unwrap();
    wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap()
}

fn config(backend: Backend) -> Config {
    let mut c = Config::new();
    c.backend(backend);
    c
}

/// Run export `name` of `text` with `args` on both backends; both results (or errors, as text).
fn both(text: &str, name: &str, args: &[Val]) -> [Result<Vec<Val>, String>; 2] {
    [Backend::Interpreter, Backend::Compiler].map(|b| run(config(b), text, name, args).map_err(|e| e.to_string()))
}

fn run(config: Config, text: &str, name: &str, args: &[Val]) -> Result<Vec<Val>, Error> {
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat(text))?;
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new();
    linker.func_wrap(&mut store, "env", "twice", |x: i64| x * 2);
    linker.func_wrap(&mut store, "env", "fail", || -> Result<(), Error> { Err(Error::host("the host says no")) });
    let instance = linker.instantiate(&mut store, &module)?;
    let f = instance.get_func(&store, name).unwrap();
    let mut out: Vec<Val> = f.ty(&store).results().iter().map(|&t| Val::default_for(t)).collect();
    f.call(&mut store, args, &mut out)?;
    Ok(out)
}

fn same(text: &str, name: &str, args: &[Val]) -> Result<Vec<Val>, String> {
    let [interp, native] = both(text, name, args);
    assert_eq!(interp, native, "interpreter and compiler disagree on {name}{args:?}");
    native
}

const FIB: &str = r#"(module
  (func $fib (export "fib") (param i64) (result i64)
    (if (result i64) (i64.lt_u (local.get 0) (i64.const 2))
      (then (local.get 0))
      (else (i64.add (call $fib (i64.sub (local.get 0) (i64.const 1)))
                     (call $fib (i64.sub (local.get 0) (i64.const 2)))))))
  (func (export "loop") (param i32) (result i32) (local i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br 0)))
    (local.get 1))
  (func (export "multi") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
  (func (export "table") (param i32) (result i32)
    (block (block (block (br_table 0 1 2 (local.get 0))) (return (i32.const 10))) (return (i32.const 20)))
    (i32.const 30))
  (func (export "floats") (param f64) (result f64 f32 i32)
    (f64.sqrt (local.get 0)) (f32.demote_f64 (f64.nearest (local.get 0))) (i32.trunc_sat_f64_s (local.get 0))))"#;

#[test]
fn integer_code_and_control_flow() {
    assert_eq!(same(FIB, "fib", &[Val::I64(20)]), Ok(vec![Val::I64(6765)]));
    assert_eq!(same(FIB, "loop", &[Val::I32(100)]), Ok(vec![Val::I32(5050)]));
    assert_eq!(same(FIB, "multi", &[Val::I32(1), Val::I32(2)]), Ok(vec![Val::I32(2), Val::I32(1)]));
    for i in 0..5 {
        same(FIB, "table", &[Val::I32(i)]).unwrap();
    }
    same(FIB, "floats", &[Val::from(2.5f64)]).unwrap();
    same(FIB, "floats", &[Val::from(-1e300f64)]).unwrap();
}

const MEMORY: &str = r#"(module
  (memory 1 3)
  (global $g (mut i32) (i32.const 7))
  (data (i32.const 16) "hello")
  (func (export "load") (param i32) (result i32) (i32.load8_u offset=16 (local.get 0)))
  (func (export "store") (param i32 i64) (result i64)
    (i64.store (local.get 0) (local.get 1)) (i64.load (local.get 0)))
  (func (export "grow") (param i32) (result i32 i32) (memory.grow (local.get 0)) (memory.size))
  (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 1) (local.get 1)))
  (func (export "global") (result i32) (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g)))"#;

#[test]
fn memory_and_globals() {
    assert_eq!(same(MEMORY, "load", &[Val::I32(1)]), Ok(vec![Val::I32(b'e' as i32)]));
    assert_eq!(same(MEMORY, "store", &[Val::I32(8), Val::I64(-5)]), Ok(vec![Val::I64(-5)]));
    assert_eq!(same(MEMORY, "grow", &[Val::I32(1)]), Ok(vec![Val::I32(1), Val::I32(2)]));
    assert_eq!(same(MEMORY, "grow", &[Val::I32(5)]), Ok(vec![Val::I32(-1), Val::I32(1)]));
    assert_eq!(same(MEMORY, "global", &[]), Ok(vec![Val::I32(8)]));
    same(MEMORY, "fill", &[Val::I32(0), Val::I32(65536)]).unwrap();
}

#[test]
fn traps_match_the_interpreter() {
    let oob = same(MEMORY, "load", &[Val::I32(65536 - 16)]).unwrap_err();
    assert!(oob.contains("out of bounds memory access"), "{oob}");
    let far = same(MEMORY, "store", &[Val::I32(-1), Val::I64(1)]).unwrap_err();
    assert!(far.contains("out of bounds memory access"), "{far}");
    let fill = same(MEMORY, "fill", &[Val::I32(1), Val::I32(65536)]).unwrap_err();
    assert!(fill.contains("out of bounds memory access"), "{fill}");
    let code = r#"(module
      (func (export "unreachable") unreachable)
      (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
      (func (export "rem") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
      (func (export "trunc") (param f32) (result i32) (i32.trunc_f32_u (local.get 0)))
      (func $deep (export "deep") (param i32) (result i32) (i32.add (call $deep (local.get 0)) (i32.const 1))))"#;
    assert!(same(code, "unreachable", &[]).unwrap_err().contains("unreachable"));
    assert!(same(code, "div", &[Val::I32(1), Val::I32(0)]).unwrap_err().contains("integer divide by zero"));
    assert!(same(code, "div", &[Val::I32(i32::MIN), Val::I32(-1)]).unwrap_err().contains("integer overflow"));
    assert_eq!(same(code, "rem", &[Val::I32(i32::MIN), Val::I32(-1)]), Ok(vec![Val::I32(0)]));
    let nan = same(code, "trunc", &[Val::from(f32::NAN)]).unwrap_err();
    assert!(nan.contains("invalid conversion to integer"), "{nan}");
    assert!(same(code, "trunc", &[Val::from(-1.0f32)]).unwrap_err().contains("integer overflow"));
    // Endless recursion: the native stack limit, not a crash, and the same typed trap.
    let err = run(config(Backend::Compiler), code, "deep", &[Val::I32(0)]).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::CallStackExhausted));
    assert_eq!(err.function(), Some("deep"));
}

const HOST: &str = r#"(module
  (import "env" "twice" (func $twice (param i64) (result i64)))
  (import "env" "fail" (func $fail))
  (type $t (func (param i64) (result i64)))
  (table 3 funcref)
  (elem (i32.const 0) $twice $inc)
  (func $inc (param i64) (result i64) (i64.add (local.get 0) (i64.const 1)))
  (func (export "host") (param i64) (result i64) (call $twice (local.get 0)))
  (func (export "indirect") (param i64 i32) (result i64)
    (call_indirect (type $t) (local.get 0) (local.get 1)))
  (func (export "fail") (call $fail)))"#;

#[test]
fn host_calls_and_call_indirect() {
    assert_eq!(same(HOST, "host", &[Val::I64(21)]), Ok(vec![Val::I64(42)]));
    assert_eq!(same(HOST, "indirect", &[Val::I64(5), Val::I32(0)]), Ok(vec![Val::I64(10)]));
    assert_eq!(same(HOST, "indirect", &[Val::I64(5), Val::I32(1)]), Ok(vec![Val::I64(6)]));
    assert!(same(HOST, "indirect", &[Val::I64(5), Val::I32(2)]).unwrap_err().contains("uninitialized element"));
    assert!(same(HOST, "indirect", &[Val::I64(5), Val::I32(3)]).unwrap_err().contains("undefined element"));
    assert!(same(HOST, "fail", &[]).unwrap_err().contains("the host says no"));
}

#[test]
fn store_stays_usable_after_a_trap_and_nested_calls_work() {
    let engine = Engine::new(config(Backend::Compiler));
    let text = r#"(module
      (import "env" "back" (func $back (param i32) (result i32)))
      (func (export "f") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (unreachable)) (else (call $back (local.get 0)))))
      (func (export "g") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3))))"#;
    let module = Module::new(&engine, wat(text)).unwrap();
    let mut store = Store::new(&engine, None::<Func>);
    let mut linker = Linker::new();
    linker.func_wrap(&mut store, "env", "back", |mut caller: wasmedge_host::Caller<'_, Option<Func>>, x: i32| {
        // Host → wasm while wasm → host is on the stack: a trap inside stays inside.
        let g = caller.data().unwrap();
        let mut out = [Val::I32(0)];
        g.call(caller.store(), &[Val::I32(x)], &mut out).map(|()| if let Val::I32(v) = out[0] { v } else { -1 })
    });
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let g = instance.get_func(&store, "g").unwrap();
    *store.data_mut() = Some(g);
    let f = instance.get_func(&store, "f").unwrap();
    let mut out = [Val::I32(0)];
    for round in 0..3 {
        let err = f.call(&mut store, &[Val::I32(0)], &mut out).unwrap_err();
        assert_eq!(err.trap_code(), Some(TrapCode::Unreachable), "round {round}");
        f.call(&mut store, &[Val::I32(round + 1)], &mut out).unwrap();
        assert_eq!(out[0], Val::I32(3 * (round + 1)));
    }
}

/// Instruction counts and gas as each backend reports them after running `name`, under a cost table
/// (`costs`, where count and gas are kept apart) or with every instruction costing 1.
fn metered(
    backend: Backend,
    costs: bool,
    limit: Option<u64>,
    text: &str,
    name: &str,
    args: &[Val],
) -> (Result<(), String>, u64, u64) {
    let mut c = config(backend);
    c.count_instructions(true);
    if costs {
        let mut table = [1u64; 256];
        table[0x10] = 7; // calls cost more
        table[0x6A] = 3; // i32.add
        c.cost_table(table);
    } else {
        c.meter_gas(true);
    }
    if let Some(limit) = limit {
        c.gas_limit(limit);
    }
    let engine = Engine::new(c);
    let module = Module::new(&engine, wat(text)).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new();
    linker.func_wrap(&mut store, "env", "twice", |x: i64| x * 2);
    linker.func_wrap(&mut store, "env", "fail", || -> Result<(), Error> { Err(Error::host("no")) });
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let f = instance.get_func(&store, name).unwrap();
    let mut out: Vec<Val> = f.ty(&store).results().iter().map(|&t| Val::default_for(t)).collect();
    let r = f.call(&mut store, args, &mut out).map_err(|e| e.to_string());
    (r, store.instruction_count(), store.gas_used())
}

#[test]
fn instruction_counts_and_gas_match_the_interpreter() {
    let cases: &[(&str, &str, &[Val])] = &[
        (FIB, "fib", &[Val::I64(15)]),
        (FIB, "loop", &[Val::I32(50)]),
        (FIB, "table", &[Val::I32(1)]),
        (FIB, "floats", &[Val::from(3.5f64)]),
        (MEMORY, "grow", &[Val::I32(1)]),
        (MEMORY, "load", &[Val::I32(65530)]),
        (HOST, "indirect", &[Val::I64(1), Val::I32(1)]),
        (HOST, "host", &[Val::I64(1)]),
    ];
    for (&(text, name, args), costs) in cases.iter().flat_map(|c| [(c, true), (c, false)]) {
        let interp = metered(Backend::Interpreter, costs, None, text, name, args);
        let native = metered(Backend::Compiler, costs, None, text, name, args);
        assert_eq!(interp, native, "{name}{args:?}");
        assert!(native.1 > 0);
        if !costs {
            assert_eq!(native.1, native.2, "{name}{args:?}: with uniform costs the gas is the count");
        } else if name == "fib" {
            assert!(native.2 > native.1, "{name}{args:?}: the cost table makes calls and adds dearer");
        }
        // A gas limit in the middle of the run stops both at the same point.
        let limit = native.2 / 2;
        let interp = metered(Backend::Interpreter, costs, Some(limit), text, name, args);
        let native = metered(Backend::Compiler, costs, Some(limit), text, name, args);
        assert_eq!(interp, native, "{name}{args:?} with gas limit {limit}");
        if limit > 0 {
            assert!(native.0.unwrap_err().contains("cost limit exceeded"));
            assert_eq!(native.2, limit);
        }
    }
}

#[test]
fn interrupts_stop_native_loops() {
    let mut c = config(Backend::Compiler);
    c.interruptible(true);
    let engine = Engine::new(c);
    let module = Module::new(&engine, wat(r#"(module (func (export "spin") (loop (br 0))))"#)).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let spin = instance.get_func(&store, "spin").unwrap();
    let _limit = store.interrupt_handle().interrupt_after(std::time::Duration::from_millis(50));
    let err = spin.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::Interrupted));
    assert_eq!(err.function(), Some("spin"));
}

#[test]
fn compiled_files_load_as_native_code() {
    let tmp = std::env::temp_dir().join(format!("wasmedge-aot-test-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let interp = Engine::default();
    for out in ["fib.wasm", "fib.so"] {
        let path = tmp.join(out);
        wasmedge_host::compile_to_file(&Engine::new(config(Backend::Compiler)), &wat(FIB), &path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        // The default engine (interpreter) runs the file's native code, with no warning.
        let module = Module::new(&interp, &bytes).unwrap();
        assert!(module.is_native() && module.warnings().is_empty(), "{out}: {:?}", module.warnings());
        let mut store = Store::new(&interp, ());
        let instance = Linker::new().instantiate(&mut store, &module).unwrap();
        let fib = instance.get_func(&store, "fib").unwrap();
        assert_eq!(fib.call_typed::<_, (i64,), i64>(&mut store, (20,)).unwrap(), 6765);
        // Unless asked not to.
        let mut c = Config::new();
        c.use_native_code(false);
        assert!(!Module::new(&Engine::new(c), &bytes).unwrap().is_native());
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// In a child process (this test binary, re-run): handlers are installed by running native code, then
/// something else faults.
fn child(mode: &str) -> std::process::Output {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "faults_outside_native_code_reach_the_previous_handler", "--nocapture"])
        .env("WASMEDGE_FAULT_CHILD", mode)
        .output()
        .unwrap()
}

#[inline(never)]
fn recurse(depth: u64) -> u64 {
    if std::hint::black_box(depth) == u64::MAX {
        return 0;
    }
    let pad = std::hint::black_box([depth; 64]);
    recurse(depth + 1) + pad[3]
}

#[test]
fn faults_outside_native_code_reach_the_previous_handler() {
    use std::os::unix::process::ExitStatusExt;
    match std::env::var("WASMEDGE_FAULT_CHILD").as_deref() {
        Ok(mode) => {
            // Install our handlers (and check they work) by trapping in native code first.
            let err = run(config(Backend::Compiler), MEMORY, "load", &[Val::I32(-1)]).unwrap_err();
            assert_eq!(err.trap_code(), Some(TrapCode::MemoryOutOfBounds));
            if mode == "segv" {
                // SAFETY: none; this deliberately faults, outside any native code.
                unsafe { std::ptr::write_volatile(std::ptr::null_mut::<u64>(), 1) };
            } else {
                // A host function called from native code overflows the Rust stack: Rust's own handler
                // (installed before ours) must report it.
                let engine = Engine::new(config(Backend::Compiler));
                let module = Module::new(&engine, wat(HOST)).unwrap();
                let mut store = Store::new(&engine, ());
                let mut linker = Linker::new();
                linker.func_wrap(&mut store, "env", "twice", |x: i64| recurse(x as u64) as i64);
                linker.func_wrap(&mut store, "env", "fail", || {});
                let instance = linker.instantiate(&mut store, &module).unwrap();
                let f = instance.get_func(&store, "host").unwrap();
                let _ = f.call(&mut store, &[Val::I64(1)], &mut [Val::I64(0)]);
            }
            unreachable!("the fault must end the process");
        }
        Err(_) => {
            let o = child("segv");
            assert_eq!(o.status.signal(), Some(11), "killed by SIGSEGV: {o:?}");
            let o = child("overflow");
            assert_eq!(o.status.signal(), Some(6), "aborted by Rust's overflow reporter: {o:?}");
            assert!(String::from_utf8_lossy(&o.stderr).contains("has overflowed its stack"), "{o:?}");
        }
    }
}

#[test]
fn host_panics_become_errors_and_the_stack_budget_is_configurable() {
    let engine = Engine::new(config(Backend::Compiler));
    let module = Module::new(&engine, wat(HOST)).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new();
    linker.func_wrap(&mut store, "env", "twice", |x: i64| -> i64 {
        if x == 0 { panic!("boom") } else { x * 2 }
    });
    linker.func_wrap(&mut store, "env", "fail", || {});
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let host = instance.get_func(&store, "host").unwrap();
    let mut out = [Val::I64(0)];
    let err = host.call(&mut store, &[Val::I64(0)], &mut out).unwrap_err();
    assert!(err.to_string().contains("host function panicked: boom"), "{err}");
    host.call(&mut store, &[Val::I64(4)], &mut out).unwrap();
    assert_eq!(out[0], Val::I64(8));

    // Recursion depth scales with the native stack budget.
    let deep = r#"(module (func $d (export "d") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
          (else (i32.add (call $d (i32.sub (local.get 0) (i32.const 1))) (i32.const 1))))))"#;
    let depth_ok = |budget: usize, depth: i32| {
        let mut c = config(Backend::Compiler);
        c.max_wasm_stack(budget);
        run(c, deep, "d", &[Val::I32(depth)]).map_err(|e| e.trap_code())
    };
    assert_eq!(depth_ok(1 << 20, 5000), Ok(vec![Val::I32(5000)]));
    assert_eq!(depth_ok(16 << 10, 5000), Err(Some(TrapCode::CallStackExhausted)));
}
