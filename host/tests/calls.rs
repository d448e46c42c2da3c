//! The interpreter's call entries: the fast entry of `call` and `call_indirect` (a translated callee of
//! the same instance with at most `CompiledFunc::FAST_LOCALS` declared local slots, which zeroes them with
//! one store that may also cover the callee's first temporaries) and the slow one for everything else.
//! Each case runs on both backends, which must agree.

use wasmedge_host::{Backend, Config, Engine, Func, Linker, Module, Store, TrapCode, Val};

fn wat(text: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(text).unwrap();
    wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap()
}

/// `dirty` leaves non-zero values in the slots above its call's arguments, then calls; every callee
/// sets its locals before returning, so a second call sees stale values unless its entry zeroes them.
const MODULE: &str = r#"(module
  (import "host" "twice" (func $twice (type $bin)))
  (type $bin (func (param i32 i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $few $many $twice)
  ;; Three declared locals (fast entry): returns their sum (0) plus a + b, then sets them.
  (func $few (type $bin) (local $x i32) (local $y i64) (local $z f64)
    (local.get $x) (i32.wrap_i64 (local.get $y)) (i32.add) (i32.trunc_f64_s (local.get $z)) (i32.add)
    (local.get 0) (i32.add) (local.get 1) (i32.add)
    (local.set $x (i32.const 7)) (local.set $y (i64.const 8)) (local.set $z (f64.const 9)))
  ;; Ten declared locals, v128 among them (slow entry).
  (func $many (type $bin) (local i32 i32 i32 i32 i32 i32 i32 i32 i32) (local $v v128)
    (local.get 2) (local.get 10) (i32.add) (i32x4.extract_lane 3 (local.get $v)) (i32.add)
    (local.get 0) (i32.add) (local.get 1) (i32.add)
    (local.set 2 (i32.const 5)) (local.set 10 (i32.const 6)) (local.set $v (v128.const i32x4 1 2 3 4)))
  ;; Pushes eight values, drops them, and calls `f` of the table with (a, b) at the slots they used;
  ;; twice, returning the sum (a call from the host enters its first callee on the slow entry).
  (func (export "dirty") (param $f i32) (param $a i32) (param $b i32) (result i32)
    (local.get $a) (local.get $b) (i32.const 13) (i32.const 14)
    (local.get $a) (i32.const 16) (local.get $b) (i32.const 18)
    (i32.add) (i32.add) (i32.add) (i32.add) (i32.add) (i32.add) (i32.add) (drop)
    (call_indirect (type $bin) (local.get $a) (local.get $b) (local.get $f))
    (call_indirect (type $bin) (local.get $a) (local.get $b) (local.get $f))
    (i32.add))
  (func (export "direct") (param $a i32) (param $b i32) (result i32)
    (i64.const -1) (i64.const -2) (i64.add) (drop)
    (call $few (local.get $a) (local.get $b))
    (call $many (local.get $a) (local.get $b))
    (call $few (local.get $a) (local.get $b))
    (call $many (local.get $a) (local.get $b))
    (i32.add) (i32.add) (i32.add))
  (func (export "recurse") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call 5 (i32.sub (local.get $n) (i32.const 1))))))))
"#;

fn setup(backend: Backend, max_depth: Option<u32>) -> (Store<()>, wasmedge_host::Instance) {
    let mut config = Config::new();
    config.backend(backend);
    if let Some(depth) = max_depth {
        config.max_call_depth(depth);
    }
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat(MODULE)).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new();
    let twice = Func::wrap(&mut store, |x: i32, _: i32| -> i32 { 2 * x });
    linker.define("host", "twice", twice);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

fn call(store: &mut Store<()>, instance: wasmedge_host::Instance, name: &str, args: &[Val]) -> Result<i32, TrapCode> {
    let f = instance.get_func(store, name).unwrap();
    let mut out = [Val::I32(0)];
    match f.call(store, args, &mut out) {
        Ok(()) => match out[0] {
            Val::I32(v) => Ok(v),
            ref other => panic!("{other:?}"),
        },
        Err(e) => Err(e.trap_code().expect("a trap")),
    }
}

#[test]
fn callees_start_with_zeroed_locals_on_both_entries() {
    for backend in [Backend::Interpreter, Backend::Compiler] {
        let (mut store, inst) = setup(backend, None);
        for _ in 0..3 {
            assert_eq!(
                call(&mut store, inst, "dirty", &[Val::I32(0), Val::I32(30), Val::I32(4)]),
                Ok(68),
                "{backend:?}"
            );
            assert_eq!(
                call(&mut store, inst, "dirty", &[Val::I32(1), Val::I32(30), Val::I32(4)]),
                Ok(68),
                "{backend:?}"
            );
            assert_eq!(call(&mut store, inst, "direct", &[Val::I32(1), Val::I32(2)]), Ok(12), "{backend:?}");
        }
    }
}

#[test]
fn indirect_calls_reach_host_functions_and_trap_as_before() {
    for backend in [Backend::Interpreter, Backend::Compiler] {
        let (mut store, inst) = setup(backend, None);
        // A host function in the table (the slow entry), between fast calls.
        assert_eq!(call(&mut store, inst, "dirty", &[Val::I32(2), Val::I32(21), Val::I32(0)]), Ok(84), "{backend:?}");
        assert_eq!(call(&mut store, inst, "dirty", &[Val::I32(0), Val::I32(1), Val::I32(1)]), Ok(4), "{backend:?}");
        // A null element, then one past the table's end.
        assert_eq!(
            call(&mut store, inst, "dirty", &[Val::I32(3), Val::I32(0), Val::I32(0)]),
            Err(TrapCode::UninitializedElement),
            "{backend:?}"
        );
        assert_eq!(
            call(&mut store, inst, "dirty", &[Val::I32(4), Val::I32(0), Val::I32(0)]),
            Err(TrapCode::UndefinedElement),
            "{backend:?}"
        );
    }
}

#[test]
fn the_call_depth_limit_holds_on_the_fast_entry() {
    for backend in [Backend::Interpreter, Backend::Compiler] {
        let (mut store, inst) = setup(backend, Some(200));
        assert_eq!(call(&mut store, inst, "recurse", &[Val::I32(150)]), Ok(150), "{backend:?}");
        assert_eq!(
            call(&mut store, inst, "recurse", &[Val::I32(100_000)]),
            Err(TrapCode::CallStackExhausted),
            "{backend:?}"
        );
        // The store is usable afterwards, and deep calls still work.
        assert_eq!(call(&mut store, inst, "recurse", &[Val::I32(190)]), Ok(190), "{backend:?}");
    }
}
