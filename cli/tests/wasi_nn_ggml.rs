//! The wasi_nn plugin's GGML backend end to end: the plugin library is built by cargo as a dev-dependency and found in
//! `$HOME/.wasmedge/plugin`, a tiny GGUF model (made by the plugin crate's `ggml::testing`, random weights
//! wired to continue fixed word chains) is written to a temporary directory and preloaded with
//! `--nn-preload default:GGML:AUTO:<path>`, and WAT guests (assembled here) run through the `wasmedge` binary:
//! `load_by_name("default")`, `init_execution_context`, `set_input(1, metadata)`, `set_input(0, prompt)`, then
//! `compute` + `get_output`, or a `compute_single` + `get_output_single` loop, printing the text. A failing
//! call ends the guest with its error number as the exit code.

mod common;

use std::process::Output;

use wasmedge_plugin_wasi_nn::ggml::testing::tiny_llama_gguf;

/// A HOME whose `.wasmedge/plugin` holds the plugin, and the tiny model beside it.
struct Setup {
    dir: common::Home,
}

impl Setup {
    fn new() -> Setup {
        let dir = common::Home::with_plugins(&[&common::dependency_plugin("wasmedge_plugin_wasi_nn")]);
        std::fs::write(dir.path().join("tiny-llama.gguf"), tiny_llama_gguf(7)).unwrap();
        Setup { dir }
    }

    fn model(&self) -> String {
        self.dir.path().join("tiny-llama.gguf").to_str().unwrap().to_string()
    }

    fn wasmedge(&self, args: &[&str]) -> Output {
        self.dir.wasmedge(args)
    }

    /// Run `guest` with the model preloaded from `model`: exit code, stdout, stderr.
    fn run(&self, model: &str, guest: &Guest) -> (Option<i32>, String, String) {
        let wasm = self.dir.path().join(format!("guest-{}.wasm", rand_name()));
        std::fs::write(&wasm, guest.wasm()).unwrap();
        let preload = format!("default:GGML:AUTO:{model}");
        let o = self.wasmedge(&["--nn-preload", &preload, wasm.to_str().unwrap()]);
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }
}

fn rand_name() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A guest: its metadata JSON, prompt, and whether it streams with `compute_single`.
struct Guest<'a> {
    metadata: &'a str,
    prompt: &'a str,
    stream: bool,
}

/// A WAT string literal of `s`'s bytes.
fn wat_bytes(s: &str) -> String {
    s.bytes().map(|b| format!("\\{b:02x}")).collect()
}

impl Guest<'_> {
    fn wasm(&self) -> Vec<u8> {
        let (md, prompt) = (self.metadata.len(), self.prompt.len());
        let body = if self.stream {
            // compute_single until it fails (EndOfSequence, ContextFull); print each token; exit with that code.
            r#"
    (block $done
      (loop $next
        (local.set $rc (call $compute_single (local.get $ctx)))
        (br_if $done (local.get $rc))
        (call $check (call $get_output_single (local.get $ctx) (i32.const 0) (i32.const 4096) (i32.const 0) (i32.const 1108)))
        (call $print (i32.const 4096) (i32.load (i32.const 1108)))
        (br $next)))
    (call $check (call $fini_single (local.get $ctx)))
    (call $proc_exit (local.get $rc))"#
        } else {
            r#"
    (call $check (call $compute (local.get $ctx)))
    ;; LlamaEdge's way: a length of 0 in front of a big buffer.
    (call $check (call $get_output (local.get $ctx) (i32.const 0) (i32.const 4096) (i32.const 0) (i32.const 1108)))
    (call $print (i32.const 4096) (i32.load (i32.const 1108)))"#
        };
        let text = format!(
            r#"
(module
  (import "wasi_ephemeral_nn" "load_by_name" (func $load_by_name (param i32 i32 i32) (result i32)))
  (import "wasi_ephemeral_nn" "init_execution_context" (func $init (param i32 i32) (result i32)))
  (import "wasi_ephemeral_nn" "set_input" (func $set_input (param i32 i32 i32) (result i32)))
  (import "wasi_ephemeral_nn" "compute" (func $compute (param i32) (result i32)))
  (import "wasi_ephemeral_nn" "get_output" (func $get_output (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_ephemeral_nn" "compute_single" (func $compute_single (param i32) (result i32)))
  (import "wasi_ephemeral_nn" "get_output_single" (func $get_output_single (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_ephemeral_nn" "fini_single" (func $fini_single (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 4)
  (data (i32.const 16) "default")
  ;; Tensors (dims pointer, dims count, type U8, data pointer, data length) and their one dimension.
  (data (i32.const 1024) "\58\04\00\00\01\00\00\00\03\00\00\00\00\08\00\00{md_len}")
  (data (i32.const 1056) "\58\04\00\00\01\00\00\00\03\00\00\00\00\0c\00\00{prompt_len}")
  (data (i32.const 1112) "\01\00\00\00")
  (data (i32.const 2048) "{md}")
  (data (i32.const 3072) "{prompt}")
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $check (param $rc i32)
    (if (local.get $rc) (then (call $proc_exit (local.get $rc)))))
  (func (export "_start") (local $ctx i32) (local $rc i32)
    (call $check (call $load_by_name (i32.const 16) (i32.const 7) (i32.const 1100)))
    (call $check (call $init (i32.load (i32.const 1100)) (i32.const 1104)))
    (local.set $ctx (i32.load (i32.const 1104)))
    (call $check (call $set_input (local.get $ctx) (i32.const 1) (i32.const 1024)))
    (call $check (call $set_input (local.get $ctx) (i32.const 0) (i32.const 1056)))
    {body}))
"#,
            md_len = wat_bytes_u32(md),
            prompt_len = wat_bytes_u32(prompt),
            md = wat_bytes(self.metadata),
            prompt = wat_bytes(self.prompt),
        );
        assert!(md <= 1024 && prompt <= 1024);
        let buf = wast::parser::ParseBuffer::new(&text).unwrap();
        wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap()
    }
}

fn wat_bytes_u32(v: usize) -> String {
    (v as u32).to_le_bytes().iter().map(|b| format!("\\{b:02x}")).collect()
}

const GREEDY: &str = r#"{"temp": 0}"#;

#[test]
fn version_lists_the_plugin() {
    let s = Setup::new();
    let o = s.wasmedge(&["--version"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("(plugin \"wasi_nn\") version"), "{stdout}");
}

#[test]
fn a_guest_generates_text() {
    let s = Setup::new();
    let (code, out, err) = s.run(&s.model(), &Guest { metadata: GREEDY, prompt: "once upon", stream: false });
    assert_eq!(code, Some(0), "{err}");
    // Greedy, so the same for every seed: the chain the tiny model continues, its end token included.
    assert_eq!(out, " a time</s>");
    let (code, out, _) = s.run(&s.model(), &Guest { metadata: GREEDY, prompt: "<|im_start|>", stream: false });
    assert_eq!((code, out.as_str()), (Some(0), " hello world<|im_end|>"));
    // A fixed seed gives the same text in two processes.
    let sampled = Guest { metadata: r#"{"temp": 1.5, "seed": 1234, "n-predict": 12}"#, prompt: "the", stream: false };
    let (a, b) = (s.run(&s.model(), &sampled), s.run(&s.model(), &sampled));
    assert_eq!(a.0, Some(0), "{}", a.2);
    assert_eq!(a.1, b.1);
    // stream-stdout prints each token as it comes, then the guest prints the whole text.
    let streamed =
        Guest { metadata: r#"{"temp": 0, "stream-stdout": true, "n-predict": 3}"#, prompt: "the", stream: false };
    let (code, out, err) = s.run(&s.model(), &streamed);
    assert_eq!((code, out.as_str()), (Some(0), " quick brown fox quick brown fox"), "{err}");
}

#[test]
fn a_guest_streams_tokens_until_the_end_of_the_sequence() {
    let s = Setup::new();
    let (code, out, err) = s.run(&s.model(), &Guest { metadata: GREEDY, prompt: "once", stream: true });
    // EndOfSequence (100) after " upon a time"; the end token itself is not printed by this guest.
    assert_eq!(code, Some(100), "{err}");
    assert_eq!(out, " upon a time");
    // A small context: ContextFull (101) on the 7th token (` dog`, kept in get_output but not printed here).
    let guest = Guest { metadata: r#"{"temp": 0, "ctx-size": 8}"#, prompt: "the", stream: true };
    let (code, out, _) = s.run(&s.model(), &guest);
    assert_eq!((code, out.as_str()), (Some(101), " quick brown fox jumps over lazy"));
}

#[test]
fn errors_reach_the_guest_and_the_log() {
    let s = Setup::new();
    let missing = s.dir.path().join("missing.gguf");
    let (code, _, err) = s.run(missing.to_str().unwrap(), &Guest { metadata: GREEDY, prompt: "once", stream: false });
    assert_eq!(code, Some(103), "{err}");
    assert!(err.contains("[WASI-NN] GGML backend: load: model file not found."), "{err}");
    let (code, _, err) = s.run(&s.model(), &Guest { metadata: "{bad json", prompt: "once", stream: false });
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("[WASI-NN] GGML backend: parse metadata error."), "{err}");
    let (code, _, err) = s.run(&s.model(), &Guest { metadata: r#"{"temp": "hot"}"#, prompt: "once", stream: false });
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("Unable to retrieve the temp option."), "{err}");
    let long = Guest { metadata: r#"{"ctx-size": 8}"#, prompt: "the quick brown fox jumps", stream: false };
    let (code, _, err) = s.run(&s.model(), &long);
    assert_eq!(code, Some(102), "{err}");
    assert!(err.contains("the prompt is too long. Your input has 6 tokens. Please reduce it to 4 tokens."), "{err}");
}

#[test]
fn every_test_passes_under_the_compiler() {
    common::rerun_under_the_compiler("every_test_passes_under_the_compiler");
}
