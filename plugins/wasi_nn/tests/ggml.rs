//! The GGML backend through the guest ABI (`wasi_ephemeral_nn` over a test harness memory), on tiny GGUF
//! models generated here (`ggml::testing`): they continue fixed word chains greedily, so the texts below
//! are what any correct implementation produces.
#![cfg(feature = "ggml")]

use std::path::PathBuf;
use std::sync::OnceLock;

use wasmedge_plugin_sdk::testing::Harness;
use wasmedge_plugin_wasi_nn::backend::{Backend, ErrNo, Target};
use wasmedge_plugin_wasi_nn::ggml::testing::tiny_gguf;
use wasmedge_plugin_wasi_nn::ggml::tokenizer::Vocab;
use wasmedge_plugin_wasi_nn::ggml::{GgmlBackend, LLAMA_COMMIT};

const MEMORY: usize = 16 << 20;
/// Where outputs go: the upper half of memory.
const OUT: u32 = 8 << 20;
const GGML: u64 = 6;
const SUCCESS: u32 = 0;
const INVALID_ARGUMENT: u32 = 1;
const INVALID_ENCODING: u32 = 2;
const END_OF_SEQUENCE: u32 = 100;
const CONTEXT_FULL: u32 = 101;
const PROMPT_TOO_LONG: u32 = 102;
const MODEL_NOT_FOUND: u32 = 103;

/// The tiny models, written once to a directory that lives as long as the test process.
fn model_path(arch: &str) -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().unwrap());
    let path = dir.path().join(format!("tiny-{arch}.gguf"));
    if !path.exists() {
        let tmp = dir.path().join(format!("tiny-{arch}.gguf.{:?}", std::thread::current().id()));
        std::fs::write(&tmp, tiny_gguf(arch, 7)).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

/// A guest: the plugin's module over a harness memory (inputs placed by the harness's allocator, below `OUT`).
struct Guest {
    h: Harness,
}

impl Guest {
    fn new(preloads: &[String]) -> Guest {
        let preloads: Vec<&str> = preloads.iter().map(String::as_str).collect();
        let h = Harness::new(&wasmedge_plugin_wasi_nn::plugin(), &[("nn-preload", &preloads)], MEMORY).unwrap();
        Guest { h }
    }

    /// A guest with the tiny model of `arch` preloaded as `default`.
    fn with_model(arch: &str) -> Guest {
        Guest::new(&[format!("default:GGML:AUTO:{}", model_path(arch).display())])
    }

    fn call(&mut self, f: &str, args: &[u64]) -> u32 {
        self.h.call("wasi_ephemeral_nn", f, args).unwrap()[0] as u32
    }

    /// Copy `bytes` into memory: their address.
    fn put(&mut self, bytes: &[u8]) -> u32 {
        let (at, _) = self.h.put(bytes);
        assert!(at as usize + bytes.len() < OUT as usize, "inputs overflow");
        at
    }

    fn u32_at(&self, at: u32) -> u32 {
        self.h.read_u32(at)
    }

    /// Call `f` with an out-parameter appended: `Ok(value)` or `Err(errno)`.
    fn call_out(&mut self, f: &str, args: &[u64]) -> Result<u32, u32> {
        let out = self.put(&[0; 4]);
        let mut args = args.to_vec();
        args.push(u64::from(out));
        match self.call(f, &args) {
            SUCCESS => Ok(self.u32_at(out)),
            e => Err(e),
        }
    }

    fn load_by_name(&mut self, name: &str) -> Result<u32, u32> {
        let p = self.put(name.as_bytes());
        self.call_out("load_by_name", &[p.into(), name.len() as u64])
    }

    fn load_by_name_with_config(&mut self, name: &str, config: &str) -> Result<u32, u32> {
        let p = self.put(name.as_bytes());
        let c = self.put(config.as_bytes());
        self.call_out("load_by_name_with_config", &[p.into(), name.len() as u64, c.into(), config.len() as u64])
    }

    fn load(&mut self, builders: &[&[u8]]) -> Result<u32, u32> {
        let mut array = Vec::new();
        for b in builders {
            let p = self.put(b);
            array.extend_from_slice(&p.to_le_bytes());
            array.extend_from_slice(&(b.len() as u32).to_le_bytes());
        }
        let a = self.put(&array);
        self.call_out("load", &[a.into(), builders.len() as u64, GGML, 0])
    }

    fn init(&mut self, graph: u32) -> u32 {
        self.call_out("init_execution_context", &[graph.into()]).expect("init_execution_context")
    }

    /// A context on the preloaded `default` model.
    fn context(&mut self) -> u32 {
        let g = self.load_by_name("default").expect("load_by_name");
        self.init(g)
    }

    fn set_input(&mut self, ctx: u32, index: u32, data: &[u8]) -> u32 {
        let dims = self.put(&1u32.to_le_bytes());
        let d = self.put(data);
        let mut tensor = Vec::new();
        for v in [dims, 1, 3 /* U8 */, d, data.len() as u32] {
            tensor.extend_from_slice(&v.to_le_bytes());
        }
        let t = self.put(&tensor);
        self.call("set_input", &[ctx.into(), index.into(), t.into()])
    }

    fn metadata(&mut self, ctx: u32, json: &str) {
        assert_eq!(self.set_input(ctx, 1, json.as_bytes()), SUCCESS, "{json}");
    }

    fn prompt(&mut self, ctx: u32, text: &str) {
        assert_eq!(self.set_input(ctx, 0, text.as_bytes()), SUCCESS, "{text}");
    }

    fn compute(&mut self, ctx: u32) -> u32 {
        self.h.reset_heap();
        self.call("compute", &[ctx.into()])
    }

    /// `get_output*` into the upper half of memory with `max_len`: the bytes, or the errno.
    fn output_with(&mut self, f: &str, ctx: u32, index: u32, max_len: u32) -> Result<Vec<u8>, u32> {
        let written = self.put(&[0; 4]);
        match self.call(f, &[ctx.into(), index.into(), OUT.into(), max_len.into(), written.into()]) {
            SUCCESS => {
                let n = self.u32_at(written) as usize;
                Ok(self.h.memory()[OUT as usize..OUT as usize + n].to_vec())
            }
            e => Err(e),
        }
    }

    fn output(&mut self, ctx: u32, index: u32) -> Vec<u8> {
        self.output_with("get_output", ctx, index, 1 << 20).expect("get_output")
    }

    fn text(&mut self, ctx: u32) -> String {
        String::from_utf8(self.output(ctx, 0)).unwrap()
    }

    fn info(&mut self, ctx: u32) -> serde_json::Value {
        serde_json::from_slice(&self.output(ctx, 1)).unwrap()
    }

    /// Prompt, compute (expecting `code`) and the output text.
    fn generate(&mut self, ctx: u32, prompt: &str, code: u32) -> String {
        self.prompt(ctx, prompt);
        assert_eq!(self.compute(ctx), code, "compute on {prompt:?}");
        self.text(ctx)
    }
}

const GREEDY: &str = r#"{"temp": 0}"#;

#[test]
fn tokenizer_round_trips() {
    let vocab = Vocab::from_gguf(&tiny_gguf("llama", 1)).unwrap();
    let id = |t: &str| vocab.token_id(t).unwrap();
    // Words merge into their tokens; BOS first; a space is put in front.
    let tokens = vocab.tokenize(b"once upon a time", true, true);
    assert_eq!(tokens, [1, id("\u{2581}once"), id("\u{2581}upon"), id("\u{2581}a"), id("\u{2581}time")]);
    assert_eq!(vocab.decode(&tokens), b"<s> once upon a time");
    // Unknown characters fall back to their bytes, decoded back to the same UTF-8.
    let tokens = vocab.tokenize("hello ☃x".as_bytes(), false, true);
    assert_eq!(tokens, [id("\u{2581}hello"), id("\u{2581}"), id("<0xE2>"), id("<0x98>"), id("<0x83>"), id("x")]);
    assert_eq!(vocab.decode(&tokens), " hello ☃x".as_bytes());
    assert_eq!(vocab.piece(id("<0xE2>")), [0xE2]);
    // Control and user-defined tokens in the text are matched whole; the text after them gets a space.
    let tokens = vocab.tokenize(b"<|im_start|>hello<tool></s>", true, true);
    assert_eq!(tokens, [1, id("<|im_start|>"), id("\u{2581}hello"), id("<tool>"), 2]);
    assert_eq!(vocab.decode(&tokens), b"<s><|im_start|> hello<tool></s>");
    // Without parse_special control tokens are text (user-defined ones are still matched).
    let tokens = vocab.tokenize(b"</s><tool>", false, false);
    assert!(!tokens.contains(&2) && tokens.contains(&id("<tool>")), "{tokens:?}");
    // End of generation: EOS, and the chat end token found by its text.
    assert!(vocab.is_eog(2) && vocab.is_eog(id("<|im_end|>")) && !vocab.is_eog(id("<|im_start|>")));

    // Byte-level BPE (qwen2 pre-tokenizer, merges): no BOS, no space prefix.
    let vocab = Vocab::from_gguf(&tiny_gguf("qwen2", 1)).unwrap();
    let id = |t: &str| vocab.token_id(t).unwrap();
    let tokens = vocab.tokenize(b"hello world<|im_end|>", true, true);
    assert_eq!(tokens, [id("hello"), id("\u{120}world"), id("<|im_end|>")]);
    assert_eq!(vocab.decode(&tokens), b"hello world<|im_end|>");
    let text = "the fox, 12 snow\n\u{2603}!";
    let tokens = vocab.tokenize(text.as_bytes(), true, true);
    assert_eq!(vocab.decode(&tokens), text.as_bytes());
    assert!(tokens.contains(&id("\u{120}fox")) && tokens.contains(&id("the")), "{tokens:?}");
    assert!(vocab.is_eog(id("<|endoftext|>")) && vocab.is_eog(id("<|im_end|>")));
}

/// The byte-level BPE tokenizer against Hugging Face's, set up as Qwen2's `tokenizer.json` is (the
/// original regex, with its case-insensitive group), on the tiny qwen2 vocabulary and merges.
#[test]
fn bpe_tokenizer_matches_hugging_face() {
    use candle_core::quantized::gguf_file::{Content, Value};
    let bytes = tiny_gguf("qwen2", 1);
    let content = Content::read(&mut std::io::Cursor::new(&bytes[..])).unwrap();
    let strings = |key: &str| -> Vec<String> {
        match &content.metadata[key] {
            Value::Array(a) => a.iter().map(|v| v.to_string().unwrap().clone()).collect(),
            _ => panic!("{key}"),
        }
    };
    let (tokens, merges) = (strings("tokenizer.ggml.tokens"), strings("tokenizer.ggml.merges"));
    let specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];
    let vocab: serde_json::Map<String, serde_json::Value> =
        tokens.iter().enumerate().map(|(i, t)| (t.clone(), i.into())).collect();
    let added: Vec<serde_json::Value> = specials
        .iter()
        .map(|t| {
            let id = tokens.iter().position(|x| x == t).unwrap();
            serde_json::json!({"id": id, "content": t, "single_word": false, "lstrip": false, "rstrip": false,
                "normalized": false, "special": true})
        })
        .collect();
    let byte_level =
        serde_json::json!({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false});
    let json = serde_json::json!({
        "version": "1.0", "truncation": null, "padding": null, "added_tokens": added, "normalizer": null,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"},
             "behavior": "Isolated", "invert": false},
            byte_level]},
        "post_processor": null, "decoder": byte_level,
        "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
            "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
            "vocab": vocab, "merges": merges}
    });
    let reference: tokenizers::Tokenizer = json.to_string().parse().unwrap();
    let ours = Vocab::from_gguf(&bytes).unwrap();
    for text in [
        "the quick brown fox",
        "  the  quick\n\n brown\tfox   ",
        "It's 2024: IT'S snow \u{2603}, 12345 once!?",
        "<|im_start|>hello world<|im_end|>the",
        "\u{dc}n\u{ef}c\u{f6}d\u{e9} w\u{f6}rld \u{4e16}\u{754c}",
        "once\r\nupon\n\na time",
    ] {
        let expected = reference.encode(text, false).unwrap().get_ids().to_vec();
        assert_eq!(ours.tokenize(text.as_bytes(), false, true), expected, "{text:?}");
    }
}

#[test]
fn generates_the_chain_greedily_with_the_eog_token_in_the_output() {
    let mut g = Guest::with_model("llama");
    let ctx = g.context();
    g.metadata(ctx, GREEDY);
    assert_eq!(g.generate(ctx, "once upon", SUCCESS), " a time</s>");
    let info = g.info(ctx);
    assert_eq!(info["input_tokens"], 3);
    assert_eq!(info["output_tokens"], 3);
    assert_eq!(
        String::from_utf8(g.output(ctx, 1)).unwrap(),
        format!(
            r#"{{"input_tokens": 3, "output_tokens": 3, "llama_build_number": 0, "llama_commit": "{LLAMA_COMMIT}"}}"#
        )
    );
    // Special tokens in the prompt; `<|im_end|>` ends generation by its text.
    assert_eq!(g.generate(ctx, "<|im_start|>", SUCCESS), " hello world<|im_end|>");
    // A character made of three byte tokens comes out whole.
    assert_eq!(g.generate(ctx, "snow", SUCCESS), "☃</s>");
    // Computing again on the same prompt regenerates from scratch.
    assert_eq!(g.compute(ctx), SUCCESS);
    assert_eq!(g.text(ctx), "☃</s>");
}

#[test]
fn n_predict_reverse_prompt_and_ignore_eos() {
    let mut g = Guest::with_model("llama");
    let ctx = g.context();
    g.metadata(ctx, r#"{"temp": 0, "n-predict": 5}"#);
    assert_eq!(g.generate(ctx, "the", SUCCESS), " quick brown fox jumps over");
    assert_eq!(g.info(ctx)["output_tokens"], 5);
    g.metadata(ctx, r#"{"n-predict": 0}"#);
    assert_eq!(g.generate(ctx, "the", SUCCESS), "");
    // The reverse prompt ends generation and stays in the output.
    g.metadata(ctx, r#"{"n-predict": -1, "reverse-prompt": "fox"}"#);
    assert_eq!(g.generate(ctx, "the", SUCCESS), " quick brown fox");
    // ignore-eos: generation goes on past the end token.
    g.metadata(ctx, r#"{"n-predict": 6, "reverse-prompt": "", "ignore-eos": true}"#);
    let text = g.generate(ctx, "once", SUCCESS);
    assert!(text.starts_with(" upon a time</s>"), "{text:?}");
    assert_eq!(g.info(ctx)["output_tokens"], 6);
}

#[test]
fn context_full_keeps_the_output_and_long_prompts_are_refused() {
    let mut g = Guest::with_model("llama");
    let ctx = g.context();
    g.metadata(ctx, r#"{"temp": 0, "ctx-size": 16}"#);
    // 2 prompt tokens, then tokens until the 16 positions are used: the 15th cannot be evaluated.
    let text = g.generate(ctx, "the", CONTEXT_FULL);
    assert!(text.starts_with(" quick brown fox jumps over lazy dog the quick"), "{text:?}");
    assert_eq!(g.info(ctx)["output_tokens"], 15);
    // ctx-size - 4 prompt tokens at most.
    g.metadata(ctx, r#"{"ctx-size": 8}"#);
    g.prompt(ctx, "the quick brown");
    assert_eq!(g.compute(ctx), CONTEXT_FULL);
    g.prompt(ctx, "the quick brown fox jumps");
    assert_eq!(g.compute(ctx), PROMPT_TOO_LONG);
    assert_eq!(g.call("compute_single", &[ctx.into()]), PROMPT_TOO_LONG);
}

#[test]
fn sampling_is_deterministic_for_a_seed() {
    let mut g = Guest::with_model("llama");
    let run = |g: &mut Guest, seed: u64| {
        let ctx = g.context();
        g.metadata(
            ctx,
            &format!(r#"{{"temp": 1.5, "top-k": 0, "top-p": 1.0, "min-p": 0, "seed": {seed}, "n-predict": 24}}"#),
        );
        g.prompt(ctx, "the");
        assert_eq!(g.compute(ctx), SUCCESS);
        // Random tokens include byte tokens: not necessarily UTF-8.
        g.output(ctx, 0)
    };
    let a = run(&mut g, 42);
    assert_eq!(a, run(&mut g, 42));
    let others: Vec<Vec<u8>> = (43..46).map(|s| run(&mut g, s)).collect();
    assert!(others.iter().any(|o| *o != a), "{a:?} {others:?}");
    // temp 0 is greedy whatever the seed.
    let ctx = g.context();
    g.metadata(ctx, r#"{"temp": 0, "seed": 9, "n-predict": 3}"#);
    assert_eq!(g.generate(ctx, "the", SUCCESS), " quick brown fox");
    // Penalties change a greedy run: the cycle cannot repeat " the" with a huge presence penalty.
    g.metadata(ctx, r#"{"presence-penalty": 100, "n-predict": 9}"#);
    let text = g.generate(ctx, "the", SUCCESS);
    assert!(text.starts_with(" quick brown fox jumps over lazy dog") && !text.ends_with("dog the quick"), "{text:?}");
}

#[test]
fn compute_single_streams_token_by_token() {
    let mut g = Guest::with_model("llama");
    let ctx = g.context();
    g.metadata(ctx, GREEDY);
    g.prompt(ctx, "once");
    let mut pieces = Vec::new();
    let code = loop {
        match g.call("compute_single", &[ctx.into()]) {
            SUCCESS => pieces.push(g.output_with("get_output_single", ctx, 0, 64).unwrap()),
            code => break code,
        }
    };
    assert_eq!(code, END_OF_SEQUENCE);
    assert_eq!(pieces, [b" upon".to_vec(), b" a".to_vec(), b" time".to_vec()]);
    // The EOG token was appended: get_output_single returns it, get_output has everything.
    assert_eq!(g.output_with("get_output_single", ctx, 0, 64).unwrap(), b"</s>");
    assert_eq!(g.text(ctx), " upon a time</s>");
    assert_eq!(g.info(ctx)["output_tokens"], 4);
    assert_eq!(g.call("fini_single", &[ctx.into()]), SUCCESS);
    assert_eq!(g.text(ctx), "");
    assert_eq!(g.output_with("get_output_single", ctx, 0, 64).unwrap(), b"");
    assert_eq!(g.info(ctx)["input_tokens"], 2);

    // Byte tokens stream as single bytes that join into UTF-8.
    g.prompt(ctx, "snow");
    let mut bytes = Vec::new();
    while g.call("compute_single", &[ctx.into()]) == SUCCESS {
        let piece = g.output_with("get_output_single", ctx, 0, 64).unwrap();
        assert_eq!(piece.len(), 1);
        bytes.extend(piece);
    }
    assert_eq!(bytes, "☃".as_bytes());
    g.call("fini_single", &[ctx.into()]);

    // No n-predict and no reverse prompt in single mode; a full context is ContextFull.
    g.metadata(ctx, r#"{"ctx-size": 8, "n-predict": 1, "reverse-prompt": "quick"}"#);
    g.prompt(ctx, "the");
    let codes: Vec<u32> = (0..7).map(|_| g.call("compute_single", &[ctx.into()])).collect();
    assert_eq!(codes, [0, 0, 0, 0, 0, 0, CONTEXT_FULL]);
    assert_eq!(g.text(ctx), " quick brown fox jumps over lazy dog");
    // After the end the next call starts over from the prompt.
    assert_eq!(g.call("compute_single", &[ctx.into()]), SUCCESS);
    assert_eq!(g.text(ctx), " quick");
}

#[test]
fn each_context_has_its_own_kv_cache_and_settings() {
    let mut g = Guest::with_model("llama");
    let model = std::fs::read(model_path("llama")).unwrap();
    let g0 = g.load(&[&model, GREEDY.as_bytes()]).unwrap();
    let (a, b) = (g.init(g0), g.init(g0));
    g.metadata(b, r#"{"n-predict": 2}"#);
    g.prompt(a, "once");
    g.prompt(b, "the");
    for _ in 0..3 {
        assert_eq!(g.call("compute_single", &[a.into()]), SUCCESS);
        assert_eq!(g.call("compute_single", &[b.into()]), SUCCESS);
    }
    assert_eq!(g.text(a), " upon a time");
    assert_eq!(g.text(b), " quick brown fox");
    // b's n-predict is b's alone.
    assert_eq!(g.compute(a), SUCCESS);
    assert_eq!(g.text(a), " upon a time</s>");
    assert_eq!(g.compute(b), SUCCESS);
    assert_eq!(g.text(b), " quick brown");
    // A new context starts from the graph's settings (greedy, WasmEdge 0.15's ctx-size and n-predict of
    // 512), not from another context's: 510 tokens fill the context, the 511th does not fit.
    let c = g.init(g0);
    g.prompt(c, "the");
    assert_eq!(g.compute(c), CONTEXT_FULL);
    assert_eq!(g.info(c)["output_tokens"], 511);
}

#[test]
fn metadata_errors() {
    let mut g = Guest::with_model("llama");
    let ctx = g.context();
    for bad in ["", "{", "{\"temp\": }", "not json"] {
        assert_eq!(g.set_input(ctx, 1, bad.as_bytes()), INVALID_ENCODING, "{bad:?}");
    }
    for bad in [r#"{"temp": "hot"}"#, r#"{"n-predict": 1.5}"#, r#"{"stream-stdout": 1}"#, r#"{"seed": -1}"#] {
        assert_eq!(g.set_input(ctx, 1, bad.as_bytes()), INVALID_ARGUMENT, "{bad}");
    }
    // Unknown keys and non-objects are accepted.
    assert_eq!(g.set_input(ctx, 1, br#"{"no-such-option": 1, "n-gpu-layers": 99, "threads": 2}"#), SUCCESS);
    assert_eq!(g.set_input(ctx, 1, b"[]"), SUCCESS);
    // At load: builder 1 and the config of load_by_name_with_config.
    let model = std::fs::read(model_path("llama")).unwrap();
    assert_eq!(g.load(&[&model, b"{bad"]), Err(INVALID_ENCODING));
    assert_eq!(g.load(&[&model, br#"{"ctx-size": "big"}"#]), Err(INVALID_ARGUMENT));
    let mut g = Guest::with_model("llama");
    assert_eq!(g.load_by_name_with_config("default", "{"), Err(INVALID_ENCODING));
    let id = g.load_by_name_with_config("default", r#"{"temp": 0, "n-predict": 2}"#).unwrap();
    let ctx = g.init(id);
    assert_eq!(g.generate(ctx, "once", SUCCESS), " upon a");
    // Grammars are refused at compute.
    g.prompt(ctx, "once");
    g.metadata(ctx, r#"{"grammar": "root ::= \"a\""}"#);
    assert_eq!(g.compute(ctx), INVALID_ARGUMENT);
    g.metadata(ctx, r#"{"grammar": ""}"#);
    assert_eq!(g.compute(ctx), SUCCESS);
    // Images need a projector.
    assert_eq!(g.set_input(ctx, 0, b"look: <img src=\"data:image/png;base64,AAAA\">"), INVALID_ARGUMENT);
}

#[test]
fn loading() {
    // A missing preloaded file: ModelNotFound at load_by_name time; bad JSON is found first.
    let missing = std::env::temp_dir().join("no-such-dir-wasi-nn/model.gguf");
    let mut g = Guest::new(&[format!("default:GGML:CPU:{}", missing.display())]);
    assert_eq!(g.load_by_name("default"), Err(MODEL_NOT_FOUND));
    assert_eq!(g.load_by_name_with_config("default", "{"), Err(INVALID_ENCODING));
    assert_eq!(g.load(&[format!("preload:{}", missing.display()).as_bytes()]), Err(MODEL_NOT_FOUND));
    // The model's bytes in builder 0, metadata in builder 1; `preload:` through plain load too.
    let model = std::fs::read(model_path("llama")).unwrap();
    let id = g.load(&[&model, GREEDY.as_bytes()]).unwrap();
    let ctx = g.init(id);
    assert_eq!(g.generate(ctx, "hello", SUCCESS), " world<|im_end|>");
    let id = g.load(&[format!("preload:{}", model_path("llama").display()).as_bytes(), GREEDY.as_bytes()]).unwrap();
    let ctx = g.init(id);
    assert_eq!(g.generate(ctx, "hello", SUCCESS), " world<|im_end|>");
    // Not a GGUF file; no builders.
    assert_eq!(g.load(&[b"GGUF not really"]), Err(INVALID_ARGUMENT));
    assert_eq!(g.load(&[]), Err(INVALID_ARGUMENT));

    // An architecture candle does not run here: InvalidArgument, naming the supported ones.
    let mut bytes = std::io::Cursor::new(Vec::new());
    let arch = candle_core::quantized::gguf_file::Value::String("mamba".into());
    candle_core::quantized::gguf_file::write(&mut bytes, &[("general.architecture", &arch)], &[]).unwrap();
    let e = GgmlBackend.load(&[bytes.into_inner()], Target::Cpu).err().unwrap();
    assert_eq!(e.code, ErrNo::InvalidArgument);
    assert!(e.message.contains("'mamba'") && e.message.contains("llama, qwen2, qwen3, gemma3, phi3"), "{}", e.message);
}

#[test]
fn outputs_ignore_the_buffer_length_as_wasmedge_does() {
    let mut g = Guest::with_model("llama");
    let ctx = g.context();
    g.metadata(ctx, GREEDY);
    g.prompt(ctx, "once");
    assert_eq!(g.compute(ctx), SUCCESS);
    // LlamaEdge passes a length of 0 in front of a large buffer and gets the whole output.
    assert_eq!(g.output_with("get_output", ctx, 0, 0).unwrap(), b" upon a time</s>");
    assert_eq!(g.output_with("get_output", ctx, 1, 0).unwrap(), g.output(ctx, 1));
    // Before any compute: empty outputs, zero counts.
    let fresh = g.context();
    assert_eq!(g.output_with("get_output", fresh, 0, 0).unwrap(), b"");
    assert_eq!(g.output_with("get_output_single", fresh, 0, 0).unwrap(), b"");
    assert_eq!(g.info(fresh)["output_tokens"], 0);
    assert_eq!(g.compute(fresh), INVALID_ARGUMENT, "no prompt set");
}

#[test]
fn prompts_in_batches_give_the_same_text() {
    let mut g = Guest::with_model("llama");
    let ctx = g.context();
    let prompt = "hello world once upon a time the quick brown fox";
    let mut texts = Vec::new();
    for batch in [1, 3, 2048] {
        g.metadata(ctx, &format!(r#"{{"temp": 0, "n-predict": 4, "batch-size": {batch}}}"#));
        texts.push(g.generate(ctx, prompt, SUCCESS));
    }
    assert_eq!(texts[0], " jumps over lazy dog");
    assert!(texts.iter().all(|t| *t == texts[0]), "{texts:?}");
}

#[test]
fn every_architecture_runs() {
    for (arch, prompt, expected) in [
        ("llama", "once", " upon a time</s>"),
        ("qwen2", "once", " upon a time<|endoftext|>"),
        ("qwen3", "<|im_start|>", "hello world<|im_end|>"),
        ("gemma3", "the quick brown fox", " jumps over lazy dog the"),
        ("phi3", "snow", "☃</s>"),
        ("qwen2", " snow", "☃<|endoftext|>"),
    ] {
        let mut g = Guest::with_model(arch);
        let ctx = g.context();
        g.metadata(ctx, r#"{"temp": 0, "n-predict": 5, "batch-size": 2}"#);
        assert_eq!(g.generate(ctx, prompt, SUCCESS), expected, "{arch}");
    }
}

#[test]
fn contexts_outlive_an_unloaded_graph() {
    let mut g = Guest::with_model("llama");
    let graph = g.load_by_name("default").unwrap();
    let ctx = g.init(graph);
    g.metadata(ctx, GREEDY);
    assert_eq!(g.generate(ctx, "once", SUCCESS), " upon a time</s>");
    assert_eq!(g.call("unload", &[graph.into()]), SUCCESS);
    // The outputs can still be read and the stream ended; computing needs the graph.
    assert_eq!(g.text(ctx), " upon a time</s>");
    assert_eq!(g.call("fini_single", &[ctx.into()]), SUCCESS);
    assert_eq!(g.compute(ctx), INVALID_ARGUMENT);
    // Loading the name again builds a new graph.
    let again = g.load_by_name("default").unwrap();
    assert_ne!(again, graph);
    let ctx = g.init(again);
    g.metadata(ctx, GREEDY);
    assert_eq!(g.generate(ctx, "hello", SUCCESS), " world<|im_end|>");
}

/// Embedding mode: the prompt's final hidden state, pooled and normalized, as WasmEdge's JSON — checked
/// against the model's hidden states computed directly.
#[test]
fn embeddings() {
    use wasmedge_plugin_wasi_nn::ggml::model::Weights;
    for arch in ["llama", "qwen2", "qwen3", "gemma3", "phi3"] {
        let bytes = tiny_gguf(arch, 7);
        let content = candle_core::quantized::gguf_file::Content::read(&mut std::io::Cursor::new(&bytes[..])).unwrap();
        let vocab = Vocab::from_gguf(&bytes).unwrap();
        let (weights, _) = Weights::load(content, &bytes).unwrap();
        let prompt = "once upon a time";
        let tokens = vocab.tokenize(prompt.as_bytes(), true, true);
        let rows = weights.clone().hidden_states(&tokens, 0).unwrap().unwrap();
        let l2 = |v: &[f32]| -> Vec<f32> {
            let n = v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
            v.iter().map(|x| (f64::from(*x) / n) as f32).collect()
        };
        let mean: Vec<f32> =
            (0..rows[0].len()).map(|d| rows.iter().map(|r| r[d]).sum::<f32>() / rows.len() as f32).collect();

        let mut g = Guest::with_model(arch);
        let ctx = g.context();
        let embed = |g: &mut Guest, config: &str| -> Vec<f32> {
            g.metadata(ctx, config);
            g.prompt(ctx, prompt);
            assert_eq!(g.compute(ctx), SUCCESS, "{arch} {config}");
            let out: serde_json::Value = serde_json::from_slice(&g.output(ctx, 0)).unwrap();
            let values: Vec<f32> =
                out["embedding"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
            assert_eq!(out["n_embedding"].as_u64(), Some(values.len() as u64));
            // Output 1 still counts the prompt; nothing is generated.
            assert_eq!(g.info(ctx)["input_tokens"].as_u64(), Some(tokens.len() as u64));
            assert_eq!(g.info(ctx)["output_tokens"].as_u64(), Some(0));
            values
        };
        let close = |a: &[f32], b: &[f32]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5);
        // Default: no pooling in the model, so the last token's state, unit length.
        let last = embed(&mut g, r#"{"embedding": true}"#);
        assert_eq!(last.len(), rows[0].len());
        assert!(close(&last, &l2(&rows[rows.len() - 1])), "{arch}: last");
        assert!(close(&embed(&mut g, r#"{"pooling-type": 1}"#), &l2(&mean)), "{arch}: mean");
        assert!(close(&embed(&mut g, r#"{"pooling-type": 2}"#), &l2(&rows[0])), "{arch}: cls");
        let raw = embed(&mut g, r#"{"pooling-type": 3, "embd-normalize": -1}"#);
        assert!(close(&raw, &rows[rows.len() - 1]), "{arch}: not normalized");
        // The same prompt gives the same vector; another prompt another.
        assert_eq!(embed(&mut g, r#"{"embd-normalize": 2}"#), last);
        let before = g.output(ctx, 0);
        g.prompt(ctx, "the quick brown fox");
        assert_eq!(g.compute(ctx), SUCCESS);
        assert_ne!(g.output(ctx, 0), before);
        // Reranking, unknown poolings and prompts longer than the batch are refused.
        for bad in [r#"{"reranking": true}"#, r#"{"pooling-type": 9}"#] {
            g.metadata(ctx, bad);
            g.prompt(ctx, prompt);
            assert_eq!(g.compute(ctx), INVALID_ARGUMENT, "{arch} {bad}");
        }
        g.metadata(ctx, r#"{"pooling-type": -1, "embedding": true, "batch-size": 2}"#);
        assert_eq!(g.compute(ctx), PROMPT_TOO_LONG, "{arch}: batch");
        // Out of embedding mode the same context generates again.
        g.metadata(ctx, r#"{"embedding": false, "batch-size": 512, "temp": 0, "n-predict": 2}"#);
        assert!(!g.generate(ctx, "once", SUCCESS).is_empty());
    }
    // A llama file with experts runs on candle's model, whose hidden states are not exposed: refused,
    // while it still generates as the dense llama does.
    let mut g = Guest::with_model("mixtral");
    let ctx = g.context();
    g.metadata(ctx, r#"{"temp": 0, "n-predict": 3}"#);
    assert_eq!(g.generate(ctx, "once", SUCCESS), " upon a time");
    g.metadata(ctx, r#"{"embedding": true}"#);
    g.prompt(ctx, "once upon a time");
    assert_eq!(g.compute(ctx), INVALID_ARGUMENT);
}
