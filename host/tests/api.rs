//! The embedding API: host functions, traps, limits and statistics.

use std::time::Duration;

use wasmedge_host::{
    Caller, Config, Engine, Error, ErrorKind, Func, Linker, Module, Phase, Proposal, Store, TrapCode, Val,
};

fn wat(text: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(text).unwrap();
    wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap()
}

fn instance_with(config: Config, text: &str) -> (Store<()>, wasmedge_host::Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat(text)).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    (store, instance)
}

fn call(store: &mut Store<()>, instance: wasmedge_host::Instance, name: &str, args: &[Val]) -> Result<Vec<Val>, Error> {
    let f = instance.get_func(store, name).unwrap();
    let mut out: Vec<Val> = f.ty(store).results().iter().map(|&t| Val::default_for(t)).collect();
    f.call(store, args, &mut out)?;
    Ok(out)
}

const SPIN: &str = r#"(module (func (export "spin") (loop (br 0))))"#;

#[test]
fn gas_limit_stops_an_endless_loop() {
    let mut config = Config::new();
    config.gas_limit(10_000);
    let (mut store, inst) = instance_with(config, SPIN);
    let err = call(&mut store, inst, "spin", &[]).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::CostLimitExceeded));
    assert_eq!(err.code(), 0x003);
    assert_eq!(store.gas_used(), 10_000);
}

#[test]
fn custom_cost_table_is_charged() {
    let mut table = [1u64; 256];
    table[0x6A] = 10; // i32.add
    let mut config = Config::new();
    config.cost_table(table).count_instructions(true);
    let (mut store, inst) =
        instance_with(config, r#"(module (func (export "f") (result i32) i32.const 1 i32.const 2 i32.add))"#);
    assert_eq!(call(&mut store, inst, "f", &[]).unwrap(), vec![Val::I32(3)]);
    // i32.const, i32.const, i32.add, end
    assert_eq!(store.instruction_count(), 4);
    assert_eq!(store.gas_used(), 1 + 1 + 10 + 1);
}

#[test]
fn instruction_count_is_exact_for_a_counted_loop() {
    let mut config = Config::new();
    config.count_instructions(true);
    let (mut store, inst) = instance_with(
        config,
        r#"(module (func (export "count") (param i32) (result i32)
             (loop $l (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br_if $l (local.get 0)))
             (local.get 0)))"#,
    );
    call(&mut store, inst, "count", &[Val::I32(10)]).unwrap();
    // loop; then 10 iterations of 6 instructions (local.get, i32.const, i32.sub, local.set, local.get, br_if);
    // then end (of loop), local.get, end.
    assert_eq!(store.instruction_count(), 1 + 10 * 6 + 3);
}

#[test]
fn interrupt_from_another_thread() {
    let mut config = Config::new();
    config.interruptible(true);
    let (mut store, inst) = instance_with(config, SPIN);
    let handle = store.interrupt_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        handle.interrupt();
    });
    let err = call(&mut store, inst, "spin", &[]).unwrap_err();
    t.join().unwrap();
    assert_eq!(err.trap_code(), Some(TrapCode::Interrupted));
    assert_eq!(err.code(), 0x007);
}

#[test]
fn time_limit_interrupts_a_long_call_and_is_cancelled_by_drop() {
    let mut config = Config::new();
    config.interruptible(true);
    let (mut store, inst) = instance_with(config, SPIN);
    let start = std::time::Instant::now();
    let limit = store.interrupt_handle().interrupt_after(Duration::from_millis(100));
    let err = call(&mut store, inst, "spin", &[]).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::Interrupted));
    assert!(start.elapsed() >= Duration::from_millis(100));
    drop(limit);

    // A limit dropped before it expires never fires.
    store.clear_interrupt();
    let (mut store, inst) = instance_with(
        {
            let mut c = Config::new();
            c.interruptible(true);
            c
        },
        r#"(module (func (export "quick") (result i32) i32.const 1))"#,
    );
    drop(store.interrupt_handle().interrupt_after(Duration::from_millis(20)));
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(call(&mut store, inst, "quick", &[]).unwrap(), vec![Val::I32(1)]);
}

#[test]
fn memory_page_limit_makes_grow_fail() {
    let mut config = Config::new();
    config.max_memory_pages(3);
    let (mut store, inst) = instance_with(
        config,
        r#"(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    assert_eq!(call(&mut store, inst, "grow", &[Val::I32(2)]).unwrap(), vec![Val::I32(1)]);
    assert_eq!(call(&mut store, inst, "grow", &[Val::I32(1)]).unwrap(), vec![Val::I32(-1)]);
}

#[test]
fn memory_above_the_page_limit_fails_instantiation() {
    let mut config = Config::new();
    config.max_memory_pages(10);
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat("(module (memory 11))")).unwrap();
    let err = Linker::<()>::new().instantiate(&mut Store::new(&engine, ()), &module).unwrap_err();
    assert_eq!(err.phase(), Phase::Instantiation);
}

#[test]
fn runaway_recursion_traps_without_overflowing_the_host_stack() {
    let (mut store, inst) = instance_with(
        Config::new(),
        r#"(module (func $f (export "f") (param i64) (result i64) (call $f (local.get 0))))"#,
    );
    let err = call(&mut store, inst, "f", &[Val::I64(1)]).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::CallStackExhausted));
    assert_eq!(err.message(), "call stack exhausted");
}

#[test]
fn call_depth_is_configurable() {
    let text = r#"(module (func $f (export "f") (param i32) (result i32)
        (if (result i32) (local.get 0) (then (call $f (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 7)))))"#;
    let mut config = Config::new();
    config.max_call_depth(100);
    let (mut store, inst) = instance_with(config, text);
    assert_eq!(call(&mut store, inst, "f", &[Val::I32(50)]).unwrap(), vec![Val::I32(7)]);
    let err = call(&mut store, inst, "f", &[Val::I32(500)]).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::CallStackExhausted));
}

#[test]
fn trap_reports_phase_code_and_function() {
    let (mut store, inst) = instance_with(
        Config::new(),
        r#"(module (memory 1) (func $load (export "load") (result i32) (i32.load (i32.const 65535))))"#,
    );
    let err = call(&mut store, inst, "load", &[]).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::MemoryOutOfBounds));
    assert_eq!(err.function(), Some("load"));
    assert_eq!(err.to_string(), "execution failed: out of bounds memory access, Code: 0x408 (in function load)");
}

#[test]
fn host_function_panic_becomes_a_trap() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new();
    linker.func_wrap(&mut store, "env", "boom", |x: i32| -> i32 {
        if x > 0 {
            panic!("host bug");
        }
        x
    });
    let module = Module::new(
        &engine,
        wat(r#"(module (import "env" "boom" (func $b (param i32) (result i32)))
                 (func (export "f") (param i32) (result i32) (call $b (local.get 0))))"#),
    )
    .unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let err = call(&mut store, inst, "f", &[Val::I32(1)]).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::HostError));
    assert!(err.message().contains("host bug"), "{err}");
    // The store is still usable afterwards.
    assert_eq!(call(&mut store, inst, "f", &[Val::I32(0)]).unwrap(), vec![Val::I32(0)]);
}

#[test]
fn host_functions_get_checked_memory_access() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, String::new());
    let mut linker = Linker::new();
    linker.func_wrap(&mut store, "env", "put", |mut c: Caller<'_, String>, ptr: i32, len: i32| {
        let s = c.read_str(ptr as u32, len as u32)?.to_string();
        c.data_mut().push_str(&s);
        c.write(0, b"ok")?;
        Ok::<i32, Error>(s.len() as i32)
    });
    let module = Module::new(
        &engine,
        wat(r#"(module (import "env" "put" (func $p (param i32 i32) (result i32)))
                 (memory (export "memory") 1) (data (i32.const 100) "hello")
                 (func (export "f") (param i32 i32) (result i32) (call $p (local.get 0) (local.get 1))))"#),
    )
    .unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let f = inst.get_func(&store, "f").unwrap();
    assert_eq!(f.call_typed::<_, (i32, i32), i32>(&mut store, (100, 5)).unwrap(), 5);
    assert_eq!(store.data(), "hello");
    let mem = inst.get_memory(&store, "memory").unwrap();
    assert_eq!(&mem.data(&store)[..2], b"ok");
    let err = f.call_typed::<_, (i32, i32), i32>(&mut store, (65530, 10)).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::MemoryOutOfBounds));
}

#[test]
fn host_and_wasm_calls_nest() {
    // wasm -> host -> wasm -> host, through the store handed to the host function.
    let engine = Engine::default();
    let mut store = Store::new(&engine, None::<Func>);
    let mut linker = Linker::new();
    linker.func_wrap(&mut store, "env", "twice", |mut c: Caller<'_, Option<Func>>, x: i32| -> Result<i32, Error> {
        let inc = c.data().expect("inc registered");
        let once: i32 = inc.call_typed(c.store(), (x,))?;
        inc.call_typed(c.store(), (once,))
    });
    let module = Module::new(
        &engine,
        wat(r#"(module (import "env" "twice" (func $t (param i32) (result i32)))
                 (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
                 (func (export "f") (param i32) (result i32) (call $t (local.get 0))))"#),
    )
    .unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    *store.data_mut() = inst.get_func(&store, "inc");
    let f = inst.get_func(&store, "f").unwrap();
    assert_eq!(f.call_typed::<_, (i32,), i32>(&mut store, (40,)).unwrap(), 42);
}

#[test]
fn wrong_arguments_are_an_api_error() {
    let (mut store, inst) = instance_with(Config::new(), r#"(module (func (export "f") (param i32)))"#);
    let err = call(&mut store, inst, "f", &[Val::I64(1)]).unwrap_err();
    assert_eq!(*err.kind(), ErrorKind::Api);
}

#[test]
fn disabled_proposal_is_named() {
    let mut config = Config::new();
    config.proposal(Proposal::Simd, false);
    let engine = Engine::new(config);
    let err = Module::new(&engine, wat(r#"(module (func (result v128) v128.const i64x2 0 0))"#)).unwrap_err();
    assert_eq!(err.phase(), Phase::Validation);
    assert!(err.message().contains("SIMD"), "{err}");
}

#[test]
fn enabled_but_unimplemented_proposal_says_not_supported() {
    let mut config = Config::new();
    config.proposal(Proposal::Memory64, true);
    let engine = Engine::new(config);
    let err = Module::new(&engine, wat("(module (memory i64 1))")).unwrap_err();
    assert_eq!(*err.kind(), ErrorKind::Unsupported);
    assert!(err.message().contains("not supported by this engine yet: memory64"), "{err}");
}

#[test]
fn unknown_import_names_module_and_field() {
    let engine = Engine::default();
    let module = Module::new(&engine, wat(r#"(module (import "wasi_snapshot_preview1" "fd_write" (func)))"#)).unwrap();
    let err = Linker::<()>::new().instantiate(&mut Store::new(&engine, ()), &module).unwrap_err();
    assert_eq!(err.code(), 0x302);
    assert!(err.message().contains("fd_write"));
}

#[test]
fn an_import_resolves_by_signature_to_an_alternate() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new();
    linker.func_wrap(&mut store, "env", "f", |_: Caller<'_, ()>, a: i32| a + 1);
    linker.func_wrap(&mut store, "env", "f_v2", |_: Caller<'_, ()>, a: i32, b: i32| a * b);
    linker.alternate("env", "f", "f_v2");
    let one = Module::new(
        &engine,
        wat(r#"(module (import "env" "f" (func $f (param i32) (result i32)))
        (func (export "run") (result i32) i32.const 41 call $f))"#),
    )
    .unwrap();
    let two = Module::new(
        &engine,
        wat(r#"(module (import "env" "f" (func $f (param i32 i32) (result i32)))
        (func (export "run") (result i32) i32.const 6 i32.const 7 call $f))"#),
    )
    .unwrap();
    for (module, want) in [(&one, 42), (&two, 42)] {
        let instance = linker.instantiate(&mut store, module).unwrap();
        assert_eq!(call(&mut store, instance, "run", &[]).unwrap(), [Val::I32(want)]);
    }
    // A signature neither has: the usual mismatch error, naming the import.
    let three = Module::new(&engine, wat(r#"(module (import "env" "f" (func (param i64))))"#)).unwrap();
    let e = linker.instantiate(&mut store, &three).unwrap_err();
    assert!(e.to_string().contains("incompatible import type") || e.to_string().contains("f"), "{e}");
}

/// The process's virtual size and resident set, in bytes (`/proc/self/statm`).
fn memory_use() -> (u64, u64) {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let mut f = statm.split_whitespace().map(|n| n.parse::<u64>().unwrap() * 4096);
    (f.next().unwrap(), f.next().unwrap())
}

/// A fault test: 10,000 instantiations in one process, each in its own store that is then dropped, with a
/// memory whose page is touched, a table and a global: memory, guard reservations and tables are given
/// back, on both backends.
///
/// It measures the process's memory, so it runs alone: in a child process of this test binary that runs
/// nothing else (other tests running beside it on other threads grow the resident set by tens of MB).
#[test]
fn ten_thousand_instantiations_give_their_memory_back() {
    const CHILD: &str = "WASMEDGE_TEST_MEMORY_CHILD";
    if std::env::var_os(CHILD).is_none() {
        let name = "ten_thousand_instantiations_give_their_memory_back";
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([name, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "the measuring child failed:\n{text}");
        assert!(text.contains("1 passed"), "the child ran no test:\n{text}");
        return;
    }
    use wasmedge_host::Backend;
    let text = r#"(module (memory 1 16) (table 100 funcref) (global $g (mut i32) (i32.const 0))
        (data (i32.const 0) "x")
        (func (export "touch") (result i32)
          (i32.store (i32.const 65532) (i32.const 7))
          (global.set $g (i32.add (global.get $g) (i32.const 1)))
          (i32.add (i32.load8_u (i32.const 0)) (i32.load (i32.const 65532)))))"#;
    for backend in [Backend::Interpreter, Backend::Compiler] {
        let mut config = Config::new();
        config.backend(backend);
        let engine = Engine::new(config);
        let module = Module::new(&engine, wat(text)).unwrap();
        let mut before = (0, 0);
        for i in 0..10_000 {
            if i == 1_000 {
                before = memory_use();
            }
            let mut store = Store::new(&engine, ());
            let instance = Linker::new().instantiate(&mut store, &module).unwrap();
            assert_eq!(call(&mut store, instance, "touch", &[]).unwrap(), [Val::I32(120 + 7)]);
        }
        let after = memory_use();
        let (virt, rss) = (after.0.saturating_sub(before.0), after.1.saturating_sub(before.1));
        eprintln!("{backend:?}: resident set grew by {rss} bytes, virtual size by {virt}");
        // 9,000 leaked instances would be 9,000 × 64 KiB resident and 9,000 × several GiB reserved.
        assert!(rss < 32 << 20, "{backend:?}: resident set grew by {rss} bytes");
        assert!(virt < 1 << 30, "{backend:?}: virtual size grew by {virt} bytes");
    }
}

#[test]
fn translate_all_translates_every_function_up_front_and_the_module_still_runs() {
    let engine = Engine::default();
    let bytes = wat(r#"(module
        (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
        (func (export "twice") (param i32) (result i32) local.get 0 local.get 0 call 0))"#);
    let module = Module::new(&engine, &bytes).unwrap();
    let (code, translated) = module.translate_all().unwrap();
    assert!(code > 0 && code < bytes.len(), "code bytes {code} of {}", bytes.len());
    assert!(translated >= 2 * 24, "at least an instruction per function, got {translated} bytes");
    assert_eq!(module.translate_all().unwrap(), (code, translated), "a second call finds it all done");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    assert_eq!(call(&mut store, instance, "twice", &[Val::I32(21)]).unwrap(), vec![Val::I32(42)]);
}

/// A module whose code section is large enough to be validated in parallel (`PARALLEL_CODE_BYTES`):
/// 3000 functions of about 120 bytes each; function `i` returns `i`, and the functions in `bad` do not
/// validate. `tail` is appended inside the module after the functions.
fn large_module(bad: &[usize], tail: &str) -> Vec<u8> {
    let mut text = String::from("(module\n");
    for i in 0..3000 {
        let mut body = format!("i32.const {i}");
        for _ in 0..40 {
            body.push_str(" i32.const 0 i32.add");
        }
        if bad.contains(&i) {
            body.push_str(" i64.const 1 i32.add");
        }
        text.push_str(&format!("(func (export \"f{i}\") (result i32) {body})\n"));
    }
    text.push_str(tail);
    text.push(')');
    wat(&text)
}

#[test]
fn a_large_code_section_is_validated_in_parallel_and_reports_the_first_invalid_body() {
    let engine = Engine::default();
    let bytes = large_module(&[], "");
    assert!(bytes.len() > 300_000, "{} bytes: too small to be validated in parallel", bytes.len());
    let module = Module::new(&engine, bytes).expect("a valid module loads");
    let mut store = Store::new(&engine, ());
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    assert_eq!(call(&mut store, inst, "f2999", &[]).unwrap(), [Val::I32(2999)]);

    // Two invalid bodies: the error is the first one's, where sequential validation finds it.
    let bytes = large_module(&[2100, 1200], "");
    let expected = wasmparser::Validator::new().validate_all(&bytes).err().expect("invalid");
    let err = Module::new(&engine, bytes).unwrap_err();
    assert_eq!(err.phase(), Phase::Validation);
    assert_eq!(err.offset(), Some(expected.offset()), "{err}");
    assert_eq!(err.message(), expected.message());

    // An invalid body is reported before an invalid data segment after it, as when the bodies are
    // validated while they are read.
    let expected = Module::new(&engine, large_module(&[2999], "")).unwrap_err();
    let err = Module::new(&engine, large_module(&[2999], r#"(data (i32.const 0) "x")"#)).unwrap_err();
    assert!(err.message().contains("type mismatch"), "{err}");
    assert_eq!(err.offset(), expected.offset(), "{err}");

    // With valid bodies, the data segment's own error.
    let bytes = large_module(&[], r#"(data (i32.const 0) "x")"#);
    let err = Module::new(&engine, bytes).unwrap_err();
    assert!(err.message().contains("memory"), "{err}");
}
