//! The driver functions: the `wasmedge` command itself, so that a program linking only `libwasmedge.so`
//! (WasmEdge's `wasmedge` executable is one) is the full command line tool.

use std::ffi::c_char;

use crate::ffi::{self, capi};

/// `argv[1..argc]` as strings (the program name dropped); NULL entries end the list.
fn args(argc: i32, argv: *const *const c_char) -> Vec<String> {
    let all = ffi::slice(argv, argc.max(0) as u32);
    all.iter().skip(1).map_while(|&p| ffi::cstr(p)).map(|b| String::from_utf8_lossy(b).into_owned()).collect()
}

capi! {
    /// `wasmedge [run|compile] ...`: returns the exit code.
    fn WasmEdge_Driver_UniTool(argc: i32, argv: *const *const c_char) -> i32 {
        wasmedge_cli::main(args(argc, argv))
    }
    /// `wasmedge run ...`: returns the exit code.
    fn WasmEdge_Driver_Tool(argc: i32, argv: *const *const c_char) -> i32 {
        let mut a = vec!["run".to_string()];
        a.extend(args(argc, argv));
        wasmedge_cli::main(a)
    }
    /// `wasmedge compile ...` (WasmEdge's `wasmedgec`): returns the exit code.
    fn WasmEdge_Driver_Compiler(argc: i32, argv: *const *const c_char) -> i32 {
        let mut a = vec!["compile".to_string()];
        a.extend(args(argc, argv));
        wasmedge_cli::main(a)
    }
}
