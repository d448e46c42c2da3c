//! Instructions fused with the branch after them: a hot global with the test of it (`GlobalBr`:
//! `global.get`, a comparison with a constant and `br_if`/`if`, as asyncify instruments every call), and
//! a block's result with the branch out of the block (`ConstBr`, `CopyBr`); and the cases that must not
//! fuse. Each module runs on the interpreter and on the compiler, plain and metered; both must agree.

use wasmedge_host::{Backend, Config, Engine, Linker, Module, Store, Val};

fn wat(text: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(text).unwrap();
    wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap()
}

const MODULE: &str = r#"(module
  (global $state (mut i32) (i32.const 0))
  (global $g1 (mut i32) (i32.const 0))
  (global $g2 (mut i32) (i32.const 0))
  (global $g3 (mut i32) (i32.const 0))
  (global $cold (mut i32) (i32.const 0))
  ;; Counts $state down from n, leaving the loop when it reaches 2; returns the iterations in which it
  ;; was not 7.
  (func (export "ne") (param $n i32) (result i32) (local $k i32)
    (global.set $state (local.get $n))
    (block $out
      (loop $l
        (br_if $out (i32.eq (global.get $state) (i32.const 2)))
        (if (i32.ne (global.get $state) (i32.const 7))
          (then (local.set $k (i32.add (local.get $k) (i32.const 1)))))
        (global.set $state (i32.sub (global.get $state) (i32.const 1)))
        (br $l)))
    (local.get $k))
  ;; `if` on a global (branch when zero), and `br_if` on it (when not zero).
  (func (export "if") (param $v i32) (result i32)
    (global.set $g1 (local.get $v))
    (if (result i32) (global.get $g1) (then (i32.const 10)) (else (i32.const 20)))
    (block $b (result i32)
      (br_if $b (i32.const 1) (global.get $g1))
      (drop)
      (i32.const 2))
    (i32.add))
  ;; Unsigned and signed comparisons with a negative constant.
  (func (export "cmp") (param $v i32) (result i32)
    (global.set $g2 (local.get $v))
    (block $u (result i32)
      (br_if $u (i32.const 1) (i32.lt_u (global.get $g2) (i32.const -1)))
      (drop)
      (i32.const 0))
    (block $s (result i32)
      (br_if $s (i32.const 4) (i32.gt_s (global.get $g2) (i32.const -1)))
      (drop)
      (i32.const 0))
    (i32.add))
  ;; The global's value also goes to a local (`local.tee`): no fusion, the local must hold it.
  (func (export "tee") (param $v i32) (result i32) (local $x i32)
    (global.set $g3 (local.get $v))
    (block $b
      (br_if $b (i32.eq (local.tee $x (global.get $g3)) (i32.const 7))))
    (local.get $x))
  ;; Results of `if` arms and blocks on their way out: constants, copies of locals, and a loop whose
  ;; back edge lands on the branch of an arm. Sums them over v iterations.
  (func (export "arms") (param $v i32) (result i32) (local $i i32) (local $sum i32) (local $x i32)
    (loop $l
      (local.set $x (i32.mul (local.get $i) (i32.const 3)))
      (local.set $sum (i32.add (local.get $sum)
        (if (result i32) (i32.and (local.get $i) (i32.const 1))
          (then (i32.const 100))
          (else (local.get $x)))))
      (local.set $sum (i32.add (local.get $sum)
        (block $b (result i32)
          (br_if $b (local.get $i) (i32.gt_u (local.get $i) (i32.const 4)))
          (drop)
          (if (result i32) (i32.eqz (local.get $i)) (then (local.get $sum)) (else (i32.const -1))))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $v))))
    (local.get $sum))
  ;; `select` with a constant second operand: on a hot global (asyncify's pattern), on a local, on a
  ;; global kept by `local.tee`, and of i64 and f32 values.
  (func (export "select") (param $v i32) (result i32) (local $c i32)
    (global.set $g1 (local.get $v))
    (select (i32.add (local.get $v) (i32.const 1000)) (i32.const 5) (global.get $g1))
    (select (i32.const 2000) (i32.const 7) (i32.and (local.get $v) (i32.const 2)))
    (i32.add)
    (select (i32.const 4000) (i32.const 9) (local.tee $c (global.get $g1)))
    (i32.add)
    (local.get $c)
    (i32.add)
    (i32.wrap_i64 (select (i64.const 8000) (i64.const 0x100000003) (local.get $v)))
    (i32.add)
    (i32.trunc_f32_s (select (f32.const 16000) (f32.const 1.5) (local.get $v)))
    (i32.add))
  ;; A global past the hot ones.
  (func (export "cold") (param $v i32) (result i32)
    (global.set $cold (local.get $v))
    (block $b (result i32)
      (br_if $b (i32.const 1) (i32.ne (global.get $cold) (i32.const 5)))
      (drop)
      (i32.const 0)))
)"#;

fn run(backend: Backend, metered: bool, name: &str, arg: i32) -> i32 {
    let mut config = Config::new();
    config.backend(backend);
    if metered {
        config.count_instructions(true).meter_gas(true);
    }
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat(MODULE)).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let f = instance.get_func(&store, name).unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[Val::I32(arg)], &mut out).unwrap();
    match out[0] {
        Val::I32(v) => v,
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn global_tests_give_the_same_results_on_both_backends() {
    let cases: &[(&str, i32, i32)] = &[
        ("ne", 10, 7),
        ("ne", 5, 3),
        ("ne", 2, 0),
        ("if", 0, 22),
        ("if", 3, 11),
        ("cmp", -1, 0),
        ("cmp", 5, 5),
        ("cmp", -7, 1),
        ("tee", 7, 7),
        ("tee", 9, 9),
        ("arms", 1, 0),
        ("arms", 2, 99),
        ("arms", 10, 591),
        ("select", 0, 5 + 7 + 9 + 3 + 1),
        ("select", 1, 1001 + 7 + 4000 + 1 + 8000 + 16000),
        ("select", 2, 1002 + 2000 + 4000 + 2 + 8000 + 16000),
        ("cold", 5, 0),
        ("cold", 6, 1),
    ];
    for &(name, arg, expected) in cases {
        for backend in [Backend::Interpreter, Backend::Compiler] {
            for metered in [false, true] {
                assert_eq!(
                    run(backend, metered, name, arg),
                    expected,
                    "{name}({arg}) on {backend:?}, metered {metered}"
                );
            }
        }
    }
}
