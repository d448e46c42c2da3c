//! A plugin for the runtime's own tests.

#![deny(unsafe_code)]

use wasmedge_plugin_sdk::{Frame, Module, OptionKind, Plugin};

struct State {
    greeting: String,
    summary: String,
    calls: i32,
}

fn plugin() -> Plugin {
    Plugin::new("test_plugin", "Test plugin", (1, 2, 3, 4))
        .option("test-greeting", "What greet writes", OptionKind::String)
        .option("test-loud", "Upper-case the greeting", OptionKind::Toggle)
        .option("test-tag", "Tags (repeatable)", OptionKind::List)
        .option("test-count", "A number", OptionKind::Int)
        .module(
            Module::new("test_plugin", "Functions for tests", |options| {
                let mut greeting = options.string("test-greeting").unwrap_or("hello").to_string();
                if options.toggle("test-loud") {
                    greeting = greeting.to_uppercase();
                }
                let summary = format!(
                    "tags={} count={}",
                    options.list("test-tag").join(","),
                    options.int("test-count").map_or("none".to_string(), |c| c.to_string())
                );
                Ok(State { greeting, summary, calls: 0 })
            })
            .func("add", |_: &mut State, _: &mut Frame<'_, '_>, a: i32, b: i32| Ok(a.wrapping_add(b)))
            .func("greet", |s: &mut State, frame: &mut Frame<'_, '_>, ptr: u32, cap: u32| {
                let n = s.greeting.len().min(cap as usize);
                frame.write(ptr, &s.greeting.as_bytes()[..n])?;
                Ok(n as u32)
            })
            .func("summary", |s: &mut State, frame: &mut Frame<'_, '_>, ptr: u32, cap: u32| {
                let n = s.summary.len().min(cap as usize);
                frame.write(ptr, &s.summary.as_bytes()[..n])?;
                Ok(n as u32)
            })
            .func("count_calls", |s: &mut State, _: &mut Frame<'_, '_>| {
                s.calls += 1;
                Ok(s.calls)
            })
            .func("boom", |_: &mut State, _: &mut Frame<'_, '_>, x: i32| -> Result<i32, String> {
                if x > 0 {
                    panic!("boom {x}");
                }
                Ok(x)
            })
            // A plugin that gives up on the process: no runtime can catch an abort in its own process.
            .func("abort", |_: &mut State, _: &mut Frame<'_, '_>| -> Result<i32, String> { std::process::abort() }),
        )
}

wasmedge_plugin_sdk::export_plugin!(plugin());
