//! `wasmedge compile [OPTIONS] IN.wasm OUT`: ahead-of-time compilation to a universal wasm (the module
//! plus a `wasmedge` section of native code) or, when OUT ends in `.so`, an ELF shared library.

use std::path::PathBuf;

use clap::Parser;
use wasmedge_host::{Config, Engine, OptLevel};

use crate::args::Proposals;
use crate::log;

/// Compile a WebAssembly module to native code ahead of time.
#[derive(Parser, Debug)]
#[command(name = "wasmedge compile", disable_version_flag = true)]
struct CompileArgs {
    /// Optimisation level: 0, 1, 2, 3, s or z (1-3 are the same to Cranelift; s and z favour size).
    #[arg(long = "optimize", short = 'O', value_name = "LEVEL", default_value = "2")]
    optimize: String,
    /// Check for interrupts at loops and calls, so that `--time-limit` can stop the code.
    #[arg(long)]
    interruptible: bool,
    /// Count instructions (so `--enable-instruction-count` works when running the output).
    #[arg(long)]
    enable_instruction_count: bool,
    /// Meter gas (so `--enable-gas-measuring` and `--gas-limit` work when running the output).
    #[arg(long)]
    enable_gas_measuring: bool,
    /// Accepted for WasmEdge compatibility; time measuring needs no code.
    #[arg(long)]
    enable_time_measuring: bool,
    /// Instruction counting and gas metering.
    #[arg(long)]
    enable_all_statistics: bool,
    /// Compile for any CPU of the architecture (not supported yet).
    #[arg(long)]
    generic_binary: bool,
    #[command(flatten)]
    proposals: Proposals,
    /// The module to compile.
    input: PathBuf,
    /// Where to write the result: `*.so` for a shared library, anything else for a universal wasm.
    output: PathBuf,
}

pub fn main(argv: &[String]) -> i32 {
    let args = match CompileArgs::try_parse_from(
        std::iter::once("wasmedge compile".to_string()).chain(argv.iter().cloned()),
    ) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 1 } else { 0 };
        }
    };
    let level = match args.optimize.as_str() {
        "0" => OptLevel::O0,
        "1" | "2" | "3" => OptLevel::Speed,
        "s" | "z" => OptLevel::SpeedAndSize,
        other => {
            log::error(&format!("invalid optimization level `{other}`: use 0, 1, 2, 3, s or z"));
            return 1;
        }
    };
    if args.generic_binary {
        log::error("--generic-binary is not supported yet: the output runs only on CPUs with this CPU's features");
        return 1;
    }
    let mut config = Config::new();
    args.proposals.apply(&mut config);
    config.opt_level(level);
    config.interruptible(args.interruptible);
    config.count_instructions(args.enable_instruction_count || args.enable_all_statistics);
    config.meter_gas(args.enable_gas_measuring || args.enable_all_statistics);
    let engine = Engine::new(config);
    let bytes = match std::fs::read(&args.input) {
        Ok(b) => b,
        Err(e) => {
            log::error(&format!("cannot read {}: {e}", args.input.display()));
            return 1;
        }
    };
    log::info("compile start");
    let start = std::time::Instant::now();
    match wasmedge_host::compile_to_file(&engine, &bytes, &args.output) {
        Ok(()) => {
            log::info(&format!("compile done ({} ms): {}", start.elapsed().as_millis(), args.output.display()));
            0
        }
        Err(e) => {
            log::error(&format!("compile failed: {}, Code: 0x{:03x}", e.message(), e.code()));
            if let Some(func) = e.function() {
                log::error(&format!("    When compiling function name: \"{func}\""));
            }
            1
        }
    }
}
