//! Values the interpreter hands from one instruction to the next in its accumulator register: the cases
//! where that must not happen (a value read twice, a value crossing a label, a branch target between
//! producer and consumer) and the places it may (every kind of consumer), checked by their results; and
//! loop latches fused into one step-and-branch instruction (every shape, wraparound, signedness). The
//! rules themselves are unit-tested in `interp/translate.rs` and `interp/ir.rs`; the spec suite and the
//! differential test cover the rest.

use wasmedge_host::{Config, Engine, Linker, Module, Store, TrapCode, Val};

fn wat(text: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(text).unwrap();
    wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap()
}

const MODULE: &str = r#"(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (global $h (mut i64) (i64.const 0))
  (global $g4 (mut i32) (i32.const 0))
  (global $g5 (mut i32) (i32.const 0))
  (func $id (param i32) (result i32) local.get 0)
  ;; local.tee of a computed value: read by the tee's copy and again later.
  (func (export "tee") (param i32) (result i32) (local i32)
    (i32.mul (local.tee 1 (i32.add (local.get 0) (i32.const 3))) (local.get 1)))
  ;; A computed value read twice through the stack (tee without fusion).
  (func (export "tee2") (param i32) (result i32) (local i32)
    (i32.add (i32.add (local.get 0) (i32.const 1)) (i32.const 0))
    local.tee 1
    local.get 1
    i32.mul)
  ;; Results of if/else arms consumed right after `end`.
  (func (export "if") (param i32 i32) (result i32)
    (i32.add
      (if (result i32) (local.get 0)
        (then (i32.mul (local.get 1) (i32.const 3)))
        (else (i32.sub (local.get 1) (i32.const 3))))
      (i32.const 1)))
  ;; A value carried by br_if out of a block, consumed after it.
  (func (export "brif") (param i32 i32) (result i32)
    (i32.mul
      (block (result i32)
        (drop (br_if 0 (i32.add (local.get 1) (i32.const 1)) (local.get 0)))
        (i32.const 7))
      (i32.const 2)))
  ;; A loop whose parameter is computed at the back edge and consumed at the head.
  (func (export "loop") (param i32) (result i32) (local i32)
    (i32.const 0)
    (loop (param i32) (result i32)
      (i32.add (i32.const 5))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if 0 (i32.mul (i32.const 1)) (i32.lt_u (local.get 1) (local.get 0)))))
  ;; br_table on a computed index; select on a computed condition; return of a computed value.
  (func (export "table") (param i32) (result i32)
    (block (block (block
      (br_table 0 1 2 (i32.and (local.get 0) (i32.const 3))))
      (return (i32.add (local.get 0) (i32.const 100))))
      (return (i32.add (local.get 0) (i32.const 200))))
    (select (i32.const 1) (i32.const 2) (i32.gt_u (local.get 0) (i32.const 10))))
  ;; global.set of a computed value, global.get consumed at once (hot and other globals, i32 and i64).
  (func (export "globals") (param i32) (result i32)
    (global.set $g (i32.mul (local.get 0) (i32.const 2)))
    (global.set $g5 (i32.add (global.get $g) (i32.const 1)))
    (global.set $g4 (i32.add (global.get $g5) (i32.const 1)))
    (global.set $h (i64.extend_i32_u (global.get $g4)))
    (i32.wrap_i64 (i64.add (global.get $h) (i64.const 1))))
  ;; Loads and stores with computed addresses and values.
  (func (export "memory") (param i32) (result i32)
    (i32.store (i32.add (local.get 0) (i32.const 8)) (i32.mul (local.get 0) (i32.const 3)))
    (i32.store16 (i32.const 64) (i32.load (i32.add (local.get 0) (i32.const 8))))
    (i32.add (i32.load16_u (i32.const 64)) (i32.load8_u (i32.add (local.get 0) (i32.const 8)))))
  ;; Floats and 64-bit integers pass through the same register as raw bits.
  (func (export "float") (param f64 f64) (result f64)
    (f64.mul (f64.sqrt (f64.add (local.get 0) (local.get 1))) (f64.const 2)))
  (func (export "f32") (param f32) (result f32)
    (f32.neg (f32.mul (local.get 0) (local.get 0))))
  (func (export "i64") (param i64) (result i64)
    (i64.rotl (i64.mul (local.get 0) (i64.const 0x100000001)) (i64.const 7)))
  ;; A call's result consumed at once; a trap in the consumer of an accumulated value.
  (func (export "call") (param i32) (result i32)
    (i32.add (call $id (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "div") (param i32) (result i32)
    (i32.div_u (i32.const 1) (i32.sub (local.get 0) (local.get 0))))
  ;; Loop latches: i += C then compare with a constant (down to zero, and up with wraparound unsigned),
  ;; with a local; i += y then compare with a constant or a local (signed).
  (func (export "down") (param i32) (result i32) (local i32)
    (loop
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (br_if 0 (local.tee 0 (i32.add (local.get 0) (i32.const -2)))))
    (local.get 1))
  (func (export "wrap") (param i32) (result i32) (local i32)
    (loop
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if 0 (i32.ge_u (local.tee 0 (i32.add (local.get 0) (i32.const 8))) (i32.const 16))))
    (i32.add (i32.mul (local.get 1) (i32.const 1000)) (local.get 0)))
  (func (export "upto") (param i32) (result i32) (local i32 i32)
    (loop
      (local.set 2 (i32.add (local.get 2) (local.get 1)))
      (br_if 0 (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 3))) (local.get 0))))
    (local.get 2))
  (func (export "stride") (param i32 i32) (result i32) (local i32 i32)
    (local.set 2 (i32.const -100))
    (loop
      (local.set 3 (i32.add (local.get 3) (i32.const 1)))
      (br_if 0 (i32.lt_s (local.tee 2 (i32.add (local.get 2) (local.get 1))) (i32.const 50))))
    (loop
      (local.set 3 (i32.add (local.get 3) (i32.const 1000)))
      (br_if 0 (i32.gt_s (local.tee 2 (i32.add (local.get 0) (local.get 2))) (local.get 1))))
    (i32.add (local.get 3) (local.get 2)))
  (func (export "oob") (param i32)
    (i32.store (i32.add (local.get 0) (i32.const 65535)) (i32.const 1)))
)"#;

fn run(name: &str, args: &[Val]) -> Result<Val, TrapCode> {
    let engine = Engine::new(Config::new());
    let module = Module::new(&engine, wat(MODULE)).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let f = instance.get_func(&store, name).unwrap();
    let mut out: Vec<Val> = f.ty(&store).results().iter().map(|&t| Val::default_for(t)).collect();
    f.call(&mut store, args, &mut out).map_err(|e| e.trap_code().expect("a trap"))?;
    Ok(out.first().copied().unwrap_or(Val::I32(0)))
}

fn i32_of(name: &str, args: &[Val]) -> i32 {
    match run(name, args).unwrap() {
        Val::I32(v) => v,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn values_read_twice_stay_in_their_slots() {
    assert_eq!(i32_of("tee", &[Val::I32(4)]), 49);
    assert_eq!(i32_of("tee2", &[Val::I32(4)]), 25);
}

#[test]
fn values_crossing_a_label_stay_in_their_slots() {
    assert_eq!(i32_of("if", &[Val::I32(1), Val::I32(5)]), 16);
    assert_eq!(i32_of("if", &[Val::I32(0), Val::I32(5)]), 3);
    assert_eq!(i32_of("brif", &[Val::I32(1), Val::I32(5)]), 12);
    assert_eq!(i32_of("brif", &[Val::I32(0), Val::I32(5)]), 14);
    assert_eq!(i32_of("loop", &[Val::I32(4)]), 20);
    assert_eq!(i32_of("loop", &[Val::I32(0)]), 5);
}

#[test]
fn every_kind_of_consumer_reads_the_accumulator() {
    for (x, want) in [(0, 100), (1, 201), (2, 2), (3, 2), (14, 1), (6, 2), (5, 205)] {
        assert_eq!(i32_of("table", &[Val::I32(x)]), want, "table({x})");
    }
    assert_eq!(i32_of("globals", &[Val::I32(5)]), 13);
    assert_eq!(i32_of("memory", &[Val::I32(100)]), 300 + (300 & 0xff));
    assert_eq!(i32_of("call", &[Val::I32(1)]), 3);
    assert_eq!(run("float", &[Val::F64(7f64.to_bits()), Val::F64(9f64.to_bits())]).unwrap(), Val::F64(8f64.to_bits()));
    assert_eq!(run("f32", &[Val::F32(3f32.to_bits())]).unwrap(), Val::F32((-9f32).to_bits()));
    let x: i64 = 0x1234_5678;
    assert_eq!(run("i64", &[Val::I64(x)]).unwrap(), Val::I64(x.wrapping_mul(0x1_0000_0001).rotate_left(7)));
}

#[test]
fn loop_latches_step_and_branch_in_one_instruction() {
    // 10 + 8 + 6 + 4 + 2
    assert_eq!(i32_of("down", &[Val::I32(10)]), 30);
    // From 0xffff_fff0 by 8: 0xffff_fff8 (>= 16, again), 0 (< 16, out): two rounds, ending at 0.
    assert_eq!(i32_of("wrap", &[Val::I32(-16)]), 2000);
    // i = 0, 3, 6, 9 summed while i < 10 after the step: 0 + 3 + 6 + 9.
    assert_eq!(i32_of("upto", &[Val::I32(10)]), 18);
    // Up from -100 by 7 while < 50 (22 rounds, ending at 54), then by -20 while > 7 (34, 14, -6: three
    // rounds).
    assert_eq!(i32_of("stride", &[Val::I32(-20), Val::I32(7)]), 22 + 3000 - 6);
}

#[test]
fn traps_in_a_consumer_of_the_accumulator() {
    assert_eq!(run("div", &[Val::I32(9)]), Err(TrapCode::IntegerDivideByZero));
    assert_eq!(run("oob", &[Val::I32(0)]), Err(TrapCode::MemoryOutOfBounds));
}

/// With metering on, a block's `Meter` and its first instruction run as one handler: counts stay exact and
/// the gas limit still stops the block before it runs.
#[test]
fn metering_fused_into_the_first_instruction_of_a_block() {
    const COUNT: &str = r#"(module (func (export "count") (param i32) (result i32)
        (loop $l (local.set 0 (i32.mul (local.get 0) (i32.const 3)))
                 (local.set 0 (i32.shr_u (local.get 0) (i32.const 2)))
                 (br_if $l (i32.gt_u (local.get 0) (i32.const 2))))
        (local.get 0)))"#;
    let run = |config: Config| {
        let engine = Engine::new(config);
        let module = Module::new(&engine, wat(COUNT)).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new().instantiate(&mut store, &module).unwrap();
        let f = instance.get_func(&store, "count").unwrap();
        let mut out = [Val::I32(0)];
        let result = f.call(&mut store, &[Val::I32(1000)], &mut out);
        (result, out[0], store.instruction_count(), store.gas_used())
    };
    // x * 3 / 4 from 1000 down to 2.
    let mut config = Config::new();
    config.count_instructions(true).meter_gas(true);
    let (result, value, count, gas) = run(config);
    result.unwrap();
    let mut x: u32 = 1000;
    let mut rounds = 0u64;
    loop {
        rounds += 1;
        x = x.wrapping_mul(3) >> 2;
        if x <= 2 {
            break;
        }
    }
    assert_eq!(value, Val::I32(x as i32));
    // loop; 12 instructions per round; end, local.get, end.
    assert_eq!(count, 1 + rounds * 12 + 3);
    assert_eq!(gas, count);
    // A limit in the middle of the third round: the third round's block is not charged in part.
    let mut config = Config::new();
    config.count_instructions(true).gas_limit(1 + 2 * 12 + 5);
    let (result, _, _, gas) = run(config);
    assert_eq!(result.unwrap_err().trap_code(), Some(TrapCode::CostLimitExceeded));
    assert_eq!(gas, 1 + 2 * 12 + 5);
}
