//! Drive our libwasmedge.so through wasmedge-sys 0.19: load, validate, instantiate, call, read memory and
//! globals, and get WasmEdge's error for a trap. Prints `ok ...` lines; panics on any difference.

use wasmedge_sys::{AsInstance, Config, Executor, Loader, Store, Validator, WasiModule, WasmValue};

const LIB: &[u8] = include_bytes!("../../../c/fixtures/lib.wasm");
const WASI: &[u8] = include_bytes!("../../../c/fixtures/wasi.wasm");

fn main() {
    let config = Config::create().expect("config");
    let loader = Loader::create(Some(&config)).expect("loader");
    let module = loader.from_bytes(LIB).expect("module loads");
    Validator::create(Some(&config)).expect("validator").validate(&module).expect("module validates");
    let mut executor = Executor::create(Some(&config), None).expect("executor");
    let mut store = Store::create().expect("store");
    let mut instance = executor.register_named_module(&mut store, &module, "lib").expect("instantiates");
    println!("ok instantiated");

    let mut double = instance.get_func_mut("double").expect("double is exported");
    let results = executor.call_func(&mut double, [WasmValue::from_i32(21)]).expect("double runs");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].to_i32(), 42);
    println!("ok call {}", results[0].to_i32());

    let mut trap = instance.get_func_mut("trap").expect("trap is exported");
    let err = executor.call_func(&mut trap, []).expect_err("trap traps");
    println!("ok trap: {err}");
    assert!(err.to_string().to_lowercase().contains("unreachable"), "{err}");

    assert!(instance.get_func("nope").is_err());

    // A WASI command (it also imports "lib"): its output goes to stdout, its exit code is its argc.
    let mut wasi = WasiModule::create(Some(vec!["prog", "x", "y", "z"]), Some(vec!["K=V"]), Some(vec![".:."]))
        .expect("wasi module");
    executor.register_import_module(&mut store, wasi.as_ref()).expect("wasi registers");
    let command = loader.from_bytes(WASI).expect("command loads");
    let mut active = executor.register_active_module(&mut store, &command).expect("command instantiates");
    let mut start = active.get_func_mut("_start").expect("_start");
    executor.call_func(&mut start, []).expect("_start terminates normally");
    assert_eq!(wasi.exit_code(), 4);
    println!("ok wasi exit {}", wasi.exit_code());
    let _ = wasi.as_mut();
    assert_eq!(store.module_len(), 2);
    assert_eq!(store.module_names(), Some(vec!["lib".to_string(), "wasi_snapshot_preview1".to_string()]));
    println!("ok all");
}
