//! Embedding the engine: load a module, give it a host function, call an export, handle a trap.
//!
//! `cargo run --release -p wasmedge-host --example embed`

use wasmedge_host::{Caller, Config, Engine, Linker, Module, Store, TrapCode};

const WAT: &str = r#"
(module
  (import "host" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "fib(25) computed")
  (func $fib (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "run") (result i32)
    (local $r i32)
    (local.set $r (call $fib (i32.const 25)))
    (call $log (i32.const 16) (i32.const 16))
    (local.get $r))
  (func (export "crash") (result i32)
    (i32.div_s (i32.const 1) (i32.const 0))))
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let wasm = wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(WAT)?)?.encode()?;

    let mut config = Config::new();
    config.count_instructions(true);
    let engine = Engine::new(config);
    let module = Module::new(&engine, &wasm)?;

    // The store holds the embedder's data: here, the lines the guest logged.
    let mut store = Store::new(&engine, Vec::<String>::new());
    let mut linker = Linker::new();
    linker.func_wrap(&mut store, "host", "log", |mut caller: Caller<'_, Vec<String>>, ptr: i32, len: i32| {
        // Guest pointers are checked against the memory's current size.
        let text = caller.read_str(ptr as u32, len as u32)?.to_string();
        caller.data_mut().push(text);
        Ok::<(), wasmedge_host::Error>(())
    });
    let instance = linker.instantiate(&mut store, &module)?;

    let run = instance.get_func(&store, "run").expect("export run");
    let result: i32 = run.call_typed(&mut store, ())?;
    println!("run() = {result}; guest logged {:?}", store.data());
    println!("instructions executed: {}", store.instruction_count());

    let crash = instance.get_func(&store, "crash").expect("export crash");
    let err = crash.call_typed::<_, (), i32>(&mut store, ()).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::IntegerDivideByZero));
    println!("crash() -> {err}");
    Ok(())
}
