//! The `wasi_logging` plugin: module `wasi:logging/logging` with WasmEdge's function
//! `log(level: i32, context_ptr: i32, context_len: i32, message_ptr: i32, message_len: i32)`.
//!
//! Levels: 0 trace, 1 debug, 2 info, 3 warn, 4 error, 5 critical. The context selects the output: `""` or
//! `"stdout"` writes to stdout, `"stderr"` to stderr, in WasmEdge's line format
//! `[YYYY-mm-dd HH:MM:SS.mmm] [info] message`.
//!
//! WasmEdge treats any other context as a host file path to append to, which lets a guest write anywhere
//! the runtime can — outside its sandbox. This plugin refuses such contexts: a plugin cannot see the
//! guest's preopened directories, so it cannot resolve a path the way WASI would, and it does not guess.
//! The call fails (the guest traps) with a message saying so. An unknown level or a string outside the
//! guest's memory is an error too.

#![deny(unsafe_code)]

use std::io::Write;

use wasmedge_plugin_sdk::{Frame, Module, Plugin};

const LEVELS: [&str; 6] = ["trace", "debug", "info", "warning", "error", "critical"];

/// Where a log line goes.
#[derive(Debug, PartialEq, Eq)]
enum Sink {
    Stdout,
    Stderr,
}

fn sink(context: &str) -> Result<Sink, String> {
    match context {
        "" | "stdout" => Ok(Sink::Stdout),
        "stderr" => Ok(Sink::Stderr),
        path => Err(format!(
            "wasi:logging context \"{path}\" is refused: logging to files would bypass the guest's sandbox; \
             use \"stdout\" or \"stderr\""
        )),
    }
}

fn level_name(level: i32) -> Result<&'static str, String> {
    usize::try_from(level)
        .ok()
        .and_then(|l| LEVELS.get(l).copied())
        .ok_or_else(|| format!("wasi:logging level {level} is not one of 0 (trace) to 5 (critical)"))
}

/// The log line for `level` and `message`, with the current local time.
pub fn format_line(level: &str, message: &str) -> String {
    let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S%.3f");
    format!("[{now}] [{level}] {message}")
}

fn log(frame: &mut Frame<'_, '_>, level: i32, ctx: (u32, u32), msg: (u32, u32)) -> Result<(), String> {
    let level = level_name(level)?;
    let context = frame.read_str(ctx.0, ctx.1)?;
    let message = frame.read_str(msg.0, msg.1)?;
    let line = format_line(level, &message);
    let written = match sink(&context)? {
        Sink::Stdout => writeln!(std::io::stdout().lock(), "{line}"),
        Sink::Stderr => writeln!(std::io::stderr().lock(), "{line}"),
    };
    written.map_err(|e| format!("wasi:logging could not write: {e}"))
}

/// The plugin.
pub fn plugin() -> Plugin {
    Plugin::new("wasi_logging", "WASI logging: wasi:logging/logging", (0, 1, 0, 0)).module(
        Module::new("wasi:logging/logging", "Log lines to stdout or stderr", |_| Ok(())).func(
            "log",
            |_: &mut (), frame: &mut Frame<'_, '_>, level: i32, cptr: u32, clen: u32, mptr: u32, mlen: u32| {
                log(frame, level, (cptr, clen), (mptr, mlen))
            },
        ),
    )
}

wasmedge_plugin_sdk::export_plugin!(plugin());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts() {
        assert_eq!(sink(""), Ok(Sink::Stdout));
        assert_eq!(sink("stdout"), Ok(Sink::Stdout));
        assert_eq!(sink("stderr"), Ok(Sink::Stderr));
        assert!(sink("/etc/passwd").unwrap_err().contains("refused"));
    }

    #[test]
    fn levels() {
        assert_eq!(level_name(2), Ok("info"));
        assert_eq!(level_name(5), Ok("critical"));
        assert!(level_name(6).is_err() && level_name(-1).is_err());
    }

    #[test]
    fn line_format() {
        let line = format_line("info", "hello");
        // [2026-11-22 19:00:00.000] [info] hello
        assert_eq!(line.len(), "[2026-11-22 19:00:00.000] [info] hello".len());
        assert!(line.ends_with("] [info] hello") && line.starts_with('['));
    }
}
