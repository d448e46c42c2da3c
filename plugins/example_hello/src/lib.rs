use wasmedge_plugin_sdk::{Frame, Module, OptionKind, Plugin};

fn plugin() -> Plugin {
    Plugin::new("hello", "Greets the guest", (0, 1, 0, 0))
        .option("hello-name", "Who to greet", OptionKind::String)
        .module(
            // The module guests import from, and its state: the name to greet.
            Module::new("hello", "Greeting functions", |options| {
                Ok(options.string("hello-name").unwrap_or("world").to_string())
            })
            // greet(buf, cap) writes "Hello, <name>!" into the guest's memory and returns its length.
            .func("greet", |name: &mut String, frame: &mut Frame, buf: u32, cap: u32| {
                let text = format!("Hello, {name}!");
                let n = text.len().min(cap as usize);
                frame.write(buf, &text.as_bytes()[..n])?;
                Ok(n as u32)
            })
            .func("add", |_: &mut String, _: &mut Frame, a: i32, b: i32| Ok(a + b)),
        )
}

wasmedge_plugin_sdk::export_plugin!(plugin());
