//! The interpreter's loop shaping (`interp/loops.rs`): back edges threaded through the loop's test, and
//! induction variables carried in the accumulator. Each loop runs on the interpreter and on the compiler,
//! plain, counted and metered, and with interrupt checks: results, memory, instruction counts, gas and
//! traps must agree. The rewrites themselves are unit-tested in `interp/loops.rs`.

use wasmedge_host::{Backend, Config, Engine, Linker, Module, Store, TrapCode, Val};

fn wat(text: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(text).unwrap();
    wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap()
}

const MODULE: &str = r#"(module
  (memory (export "memory") 1)
  ;; A sieve's marking loop (carried: the body only stores at j + 1024) and a while loop whose back edge
  ;; goes to its test (threaded), as clang emits them. Returns the number of primes below n.
  (func (export "sieve") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $c i32)
    (memory.fill (i32.const 1024) (i32.const 0) (local.get $n))
    (local.set $i (i32.const 2))
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (block $next
          (br_if $next (i32.load8_u offset=1024 (local.get $i)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (local.set $j (i32.add (local.get $i) (local.get $i)))
          (br_if $next (i32.ge_u (local.get $j) (local.get $n)))
          (loop $mark
            (i32.store8 offset=1024 (local.get $j) (i32.const 1))
            (br_if $mark (i32.lt_u (local.tee $j (i32.add (local.get $j) (local.get $i))) (local.get $n)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.get $c))
  ;; Stores j at j for j = from, from + 4, ... while j < to (carried: the store reads j twice, from its
  ;; slot); out of bounds when `to` is large.
  (func (export "fill") (param $from i32) (param $to i32) (result i32) (local $j i32)
    (local.set $j (local.get $from))
    (loop $l
      (i32.store (local.get $j) (local.get $j))
      (br_if $l (i32.lt_s (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $to))))
    (local.get $j))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  ;; A carried loop left early by a branch in its body that compares j: j is read after the loop from
  ;; its slot.
  (func (export "find") (param $v i32) (result i32) (local $j i32)
    (block $found
      (loop $l
        (br_if $found (i32.eq (local.get $j) (local.get $v)))
        (br_if $l (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4))) (i32.const 4096)))))
    (local.get $j))
  ;; An empty body: the latch alone, stepping down.
  (func (export "down") (param $n i32) (result i32)
    (loop $l (br_if $l (i32.gt_s (local.tee $n (i32.sub (local.get $n) (i32.const 3))) (i32.const 0))))
    (local.get $n))
)"#;

struct Run {
    result: Result<Vec<Val>, Option<TrapCode>>,
    count: u64,
    gas: u64,
    memory: Vec<u8>,
}

fn run(config: &Config, calls: &[(&str, &[Val])]) -> Run {
    let engine = Engine::new(config.clone());
    let module = Module::new(&engine, wat(MODULE)).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let mut result = Ok(Vec::new());
    for (name, args) in calls {
        let f = instance.get_func(&store, name).unwrap();
        let mut out = vec![Val::I32(0)];
        match f.call(&mut store, args, &mut out) {
            Ok(()) => result.as_mut().unwrap().push(out[0]),
            Err(e) => {
                result = Err(e.trap_code());
                break;
            }
        }
    }
    let memory = instance.get_memory(&store, "memory").map(|m| m.data(&store)[..8192].to_vec()).unwrap_or_default();
    Run { result, count: store.instruction_count(), gas: store.gas_used(), memory }
}

/// The configurations each call runs under, per backend.
fn configs(backend: Backend) -> Vec<Config> {
    let mut plain = Config::new();
    plain.backend(backend);
    let mut counted = plain.clone();
    counted.count_instructions(true).meter_gas(true);
    let mut interruptible = plain.clone();
    interruptible.interruptible(true);
    vec![plain, counted, interruptible]
}

/// Run `calls` on every configuration of both backends; they must all agree. Returns the interpreter's
/// plain run and the counted one.
fn agree(calls: &[(&str, &[Val])]) -> (Run, Run) {
    let mut runs: Vec<(Backend, Run)> = Vec::new();
    for backend in [Backend::Interpreter, Backend::Compiler] {
        for config in configs(backend) {
            runs.push((backend, run(&config, calls)));
        }
    }
    let (first, rest) = runs.split_first().unwrap();
    for (backend, r) in rest {
        assert_eq!(r.result, first.1.result, "{backend:?} on {calls:?}");
        assert!(r.memory == first.1.memory, "{backend:?} on {calls:?}: memory differs");
    }
    // Counted runs: interpreter and compiler count the same instructions.
    assert_eq!(runs[1].1.count, runs[4].1.count, "instruction counts on {calls:?}");
    assert_eq!(runs[1].1.gas, runs[4].1.gas, "gas on {calls:?}");
    let mut it = runs.into_iter();
    let plain = it.next().unwrap().1;
    let counted = it.next().unwrap().1;
    (plain, counted)
}

fn primes_below(n: usize) -> i32 {
    (2..n).filter(|&k| (2..k).take_while(|d| d * d <= k).all(|d| k % d != 0)).count() as i32
}

#[test]
fn loops_give_the_same_results_on_both_backends_in_every_mode() {
    for n in [0, 2, 3, 10, 100, 1000] {
        let (plain, _) = agree(&[("sieve", &[Val::I32(n)])]);
        assert_eq!(plain.result, Ok(vec![Val::I32(primes_below(n as usize))]), "sieve({n})");
    }
    let (plain, _) = agree(&[("fill", &[Val::I32(8), Val::I32(400)]), ("peek", &[Val::I32(396)])]);
    assert_eq!(plain.result, Ok(vec![Val::I32(400), Val::I32(396)]));
    // The loop runs once when it starts at its end.
    let (plain, _) = agree(&[("fill", &[Val::I32(12), Val::I32(0)]), ("peek", &[Val::I32(12)])]);
    assert_eq!(plain.result, Ok(vec![Val::I32(16), Val::I32(12)]));
    let (plain, _) = agree(&[("find", &[Val::I32(228)])]);
    assert_eq!(plain.result, Ok(vec![Val::I32(228)]));
    // Not found: the latch leaves the loop with j = 4096.
    let (plain, _) = agree(&[("find", &[Val::I32(3)])]);
    assert_eq!(plain.result, Ok(vec![Val::I32(4096)]));
    for n in [1, 3, 10, 11] {
        let (plain, _) = agree(&[("down", &[Val::I32(n)])]);
        assert_eq!(plain.result, Ok(vec![Val::I32(n - 3 * ((n + 2) / 3))]), "down({n})");
    }
}

#[test]
fn a_trap_in_a_carried_loop_leaves_memory_as_far_as_it_got() {
    // The store at j = 65536 traps.
    let (plain, _) = agree(&[("fill", &[Val::I32(0), Val::I32(70000)])]);
    assert_eq!(plain.result, Err(Some(TrapCode::MemoryOutOfBounds)));
    assert_eq!(plain.memory[4000..4004], 4000i32.to_le_bytes());
}

#[test]
fn gas_runs_out_inside_a_threaded_loop_at_the_same_instruction() {
    let (_, counted) = agree(&[("sieve", &[Val::I32(200)])]);
    let full = counted.gas;
    for limit in [full / 3, full / 2 + 1, full - 1] {
        let mut results = Vec::new();
        for backend in [Backend::Interpreter, Backend::Compiler] {
            let mut config = Config::new();
            config.backend(backend).count_instructions(true).gas_limit(limit);
            let r = run(&config, &[("sieve", &[Val::I32(200)])]);
            results.push((r.result, r.gas, r.memory));
        }
        assert_eq!(results[0].0, Err(Some(TrapCode::CostLimitExceeded)), "limit {limit}");
        assert!(results[0] == results[1], "limit {limit}: backends differ");
    }
}
