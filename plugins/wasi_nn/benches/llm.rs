//! Prompt processing and generation speed of a GGUF model three ways, in one run:
//!
//! 1. **candle alone**: the backend's model code (`ggml::model::Weights`, candle tensors) driven by a plain
//!    greedy loop, the prompt in one forward pass and then one pass per generated token — what the plugin
//!    would cost with no plugin, no guest and no sampler around it;
//! 2. **the plugin through the guest API**: `wasmedge --nn-preload … chat.wasm`, the C guest calling
//!    `compute` once (`ignore-eos`, `n-predict` tokens, `temp` 0); the guest times the call, the plugin's
//!    `enable-log` line splits it into prompt and generation;
//! 3. **llama.cpp** on the same file and thread count, through `llama-cpp-python` when it is importable
//!    (`pip install llama-cpp-python` builds it from source), else reported as not run.
//!
//! ```sh
//! cargo bench -p wasmedge-plugin-wasi-nn --bench llm
//! ```
//!
//! The model is `$WASI_NN_BENCH_MODEL`, else Gemma-3 270M from `tests/models/fetch-gemma3-270m.sh`.
//! `WASI_NN_BENCH_PROMPT_TOKENS` (default 128), `WASI_NN_BENCH_GEN_TOKENS` (default 64) and
//! `WASI_NN_BENCH_RUNS` (default 3; the best run counts) set the sizes; `WASI_NN_BENCH_CANDLE_ONLY` runs
//! the first part only (for iterating on the model code). Figures go to docs/performance.md.
//!
//! The plugin boundary is the guest's time for `compute` against candle alone *fresh*, the runs of the two
//! alternating; the fastest of each is compared, and the median and range of the pairs' ratios show the
//! machine's noise. Fresh, because a new process
//! computes its first prompt more slowly than a warm one (the allocator's heap and the thread pool are
//! still growing), and each `wasmedge` run is a new process, so comparing it with candle's warm runs
//! would charge process start-up to the boundary.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use candle_core::quantized::gguf_file::Content;
use wasmedge_plugin_sdk::testing::Harness;
use wasmedge_plugin_wasi_nn::ggml::model::Weights;
use wasmedge_plugin_wasi_nn::ggml::tokenizer::Vocab;

/// Tokens per second of a prompt pass and of generation.
#[derive(Clone, Copy, Debug)]
struct Speed {
    prompt_ms: f64,
    gen_ms: f64,
}

impl Speed {
    fn pp(&self, n: usize) -> f64 {
        n as f64 * 1e3 / self.prompt_ms
    }
    fn tg(&self, n: usize) -> f64 {
        n as f64 * 1e3 / self.gen_ms
    }
    fn best(runs: &[Speed]) -> Speed {
        let prompt_ms = runs.iter().map(|s| s.prompt_ms).fold(f64::INFINITY, f64::min);
        let gen_ms = runs.iter().map(|s| s.gen_ms).fold(f64::INFINITY, f64::min);
        Speed { prompt_ms, gen_ms }
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn model_path() -> PathBuf {
    if let Ok(p) = std::env::var("WASI_NN_BENCH_MODEL") {
        return p.into();
    }
    let out = Command::new(root().join("tests/models/fetch-gemma3-270m.sh")).output().expect("run the fetch script");
    assert!(out.status.success(), "fetching the model failed: {}", String::from_utf8_lossy(&out.stderr));
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// A prompt of exactly `n` tokens (BOS included): a text repeated and cut to length, as token ids and as
/// the text those ids decode to.
fn prompt(vocab: &Vocab, n: usize) -> (Vec<u32>, String) {
    let sentence = "The quick brown fox jumps over the lazy dog while the river flows quietly past the old mill. ";
    let mut text = String::new();
    while vocab.tokenize(text.as_bytes(), true, false).len() < n + 8 {
        text.push_str(sentence);
    }
    let mut tokens = vocab.tokenize(text.as_bytes(), true, false);
    tokens.truncate(n);
    let without_bos = if vocab.bos() == Some(tokens[0]) { &tokens[1..] } else { &tokens[..] };
    let text = String::from_utf8(vocab.decode(without_bos)).unwrap();
    // The decoded text must tokenize back to the same ids, or the three runs would see different prompts.
    let again = vocab.tokenize(text.as_bytes(), true, false);
    assert_eq!(again, tokens, "the benchmark prompt does not round-trip through the tokenizer");
    (tokens, text)
}

fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &v) in logits.iter().enumerate() {
        if v > logits[best] {
            best = i;
        }
    }
    best as u32
}

/// One greedy run of `weights` (a clone, with an empty cache): the prompt, then `n_gen` tokens.
fn candle_run(weights: &Weights, tokens: &[u32], n_gen: usize) -> Speed {
    let mut m = weights.clone();
    let start = Instant::now();
    let mut next = argmax(&m.forward(tokens, 0).unwrap());
    let prompt_ms = start.elapsed().as_secs_f64() * 1e3;
    let start = Instant::now();
    for i in 0..n_gen {
        next = argmax(&m.forward(&[next], tokens.len() + i).unwrap());
    }
    std::hint::black_box(next);
    Speed { prompt_ms, gen_ms: start.elapsed().as_secs_f64() * 1e3 }
}

/// The plugin's boundary measured in this process, where nothing else differs: the plugin's module over
/// the SDK's test harness (the real ABI and bounds-checked guest memory, no wasm engine: a guest adds
/// one host call per `compute`), `compute` on a context with the prompt set, alternating with bare runs
/// of the same model code. Returns the fastest `compute` and the fastest bare run (ms), and the median
/// of the pairs' ratios.
fn in_process(
    path: &Path,
    weights: &Weights,
    tokens: &[u32],
    text: &str,
    n_gen: usize,
    runs: usize,
) -> (f64, f64, f64) {
    let preload = format!("default:GGML:AUTO:{}", path.display());
    let mut h = Harness::new(&wasmedge_plugin_wasi_nn::plugin(), &[("nn-preload", &[&preload])], 1 << 20).unwrap();
    let call = |h: &mut Harness, f: &str, args: &[u64]| {
        let r = h.call("wasi_ephemeral_nn", f, args).unwrap()[0];
        assert_eq!(r, 0, "{f} failed with {r}");
    };
    let config = format!(r#"{{"n-predict":{n_gen},"ignore-eos":true,"temp":0,"ctx-size":4096,"batch-size":4096}}"#);
    let (name, _) = h.put(b"default");
    let (cfg, _) = h.put(config.as_bytes());
    let graph = h.out(4);
    call(&mut h, "load_by_name_with_config", &[name.into(), 7, cfg.into(), config.len() as u64, graph.into()]);
    let graph = h.read_u32(graph);
    let ctx = h.out(4);
    call(&mut h, "init_execution_context", &[graph.into(), ctx.into()]);
    let ctx = h.read_u32(ctx);
    let dims = h.put_u32s(&[text.len() as u32]);
    let (data, _) = h.put(text.as_bytes());
    let tensor = h.put_u32s(&[dims, 1, 3 /* U8 */, data, text.len() as u32]);
    call(&mut h, "set_input", &[ctx.into(), 0, tensor.into()]);
    let (mut plugin_best, mut bare_best, mut ratios) = (f64::INFINITY, f64::INFINITY, Vec::new());
    for _ in 0..runs {
        let bare = candle_run(weights, tokens, n_gen);
        let start = Instant::now();
        call(&mut h, "compute", &[ctx.into()]);
        let plugin_ms = start.elapsed().as_secs_f64() * 1e3;
        let bare_ms = bare.prompt_ms + bare.gen_ms;
        ratios.push(plugin_ms / bare_ms);
        (plugin_best, bare_best) = (plugin_best.min(plugin_ms), bare_best.min(bare_ms));
    }
    (plugin_best, bare_best, median(ratios))
}

/// Set in the environment of the bench started again for one fresh candle run.
const FRESH_RUN: &str = "WASI_NN_BENCH_FRESH_RUN";

/// One run of candle alone as the first computation of a new process (this bench started again).
fn candle_fresh(path: &Path) -> Speed {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(&exe).env(FRESH_RUN, "1").env("WASI_NN_BENCH_MODEL", path).output().unwrap();
    assert!(out.status.success(), "the fresh candle run failed: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find_map(|l| l.strip_prefix("fresh:")).expect("the fresh run's line");
    let v: Vec<f64> = line.split_whitespace().map(|w| w.parse().unwrap()).collect();
    Speed { prompt_ms: v[0], gen_ms: v[1] }
}

/// The number after `key` in `text` ("… 12 tokens in 345 ms" → key "in").
fn number_after(text: &str, key: &str) -> Option<f64> {
    let rest = &text[text.find(key)? + key.len()..];
    rest.split_whitespace().next()?.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok()
}

/// `wasmedge` and the plugin, built (release) and ready to run the chat guest.
struct Guest {
    root: PathBuf,
    plugins: tempfile::TempDir,
    config: String,
}

impl Guest {
    fn build(n_tokens: usize, n_gen: usize) -> Guest {
        let root = root();
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "--quiet", "-p", "wasmedge-cli", "-p", "wasmedge-plugin-wasi-nn"])
            .current_dir(&root)
            .status()
            .unwrap();
        assert!(status.success(), "building wasmedge and the plugin failed");
        let plugins = tempfile::tempdir().unwrap();
        std::fs::copy(
            root.join("target/release/libwasmedge_plugin_wasi_nn.so"),
            plugins.path().join("libwasmedge_plugin_wasi_nn.so"),
        )
        .unwrap();
        let config = format!(
            r#"{{"n-predict":{n_gen},"ignore-eos":true,"temp":0,"enable-log":true,"ctx-size":{},"batch-size":{}}}"#,
            n_tokens + n_gen + 16,
            n_tokens.max(512)
        );
        Guest { root, plugins, config }
    }

    /// One run of the plugin through `wasmedge` and the chat guest: (the plugin's own split, the guest's
    /// wall time of `compute`).
    fn run(&self, path: &Path, text: &str, n_tokens: usize, n_gen: usize) -> (Speed, f64) {
        let out = Command::new(self.root.join("target/release/wasmedge"))
            .env("WASMEDGE_PLUGIN_PATH", self.plugins.path())
            .arg("--nn-preload")
            .arg(format!("default:GGML:AUTO:{}", path.display()))
            .arg(self.root.join("tests/fixtures/wasi_nn/chat.wasm"))
            .args(["-t", "raw", "-c", &self.config, text])
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "the guest failed:\n{stdout}\n{stderr}");
        let tokens = stdout.lines().find(|l| l.starts_with("tokens 1:")).unwrap();
        assert_eq!(number_after(tokens, "\"input_tokens\":"), Some(n_tokens as f64), "{tokens}");
        assert_eq!(number_after(tokens, "\"output_tokens\":"), Some(n_gen as f64), "{tokens}");
        let log = stderr.lines().find(|l| l.contains("compute: prompt eval")).expect("the plugin's timing line");
        let prompt_ms = number_after(log, "tokens in").unwrap();
        let gen_ms = number_after(&log[log.find("generated").unwrap()..], "tokens in").unwrap();
        let time = stdout.lines().find(|l| l.starts_with("time 1:")).unwrap();
        (Speed { prompt_ms, gen_ms }, number_after(time, "time 1:").unwrap())
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

const LLAMA_CPP: &str = r#"
import sys, time
import numpy as np
import llama_cpp
from llama_cpp import Llama
path, text, n_gen, runs, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
llm = Llama(model_path=path, n_ctx=1024, n_batch=512, n_threads=threads, n_threads_batch=threads, verbose=False)
tokens = llm.tokenize(text.encode(), add_bos=True, special=False)
def argmax():
    logits = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
    return int(np.argmax(np.ctypeslib.as_array(logits, shape=(llm.n_vocab(),))))
best_pp, best_tg = float("inf"), float("inf")
for _ in range(runs):
    llm.reset()
    t = time.perf_counter(); llm.eval(tokens); nxt = argmax(); pp = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(n_gen):
        llm.eval([nxt]); nxt = argmax()
    tg = time.perf_counter() - t
    best_pp, best_tg = min(best_pp, pp), min(best_tg, tg)
print(len(tokens), best_pp * 1e3, best_tg * 1e3)
"#;

/// llama.cpp through llama-cpp-python, if it is installed: (prompt tokens, speed).
fn llama_cpp(path: &Path, text: &str, n_gen: usize, runs: usize) -> Result<(usize, Speed), String> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let out = Command::new(&python)
        .args(["-c", LLAMA_CPP])
        .arg(path)
        .arg(text)
        .args([n_gen.to_string(), runs.to_string(), threads.to_string()])
        .output()
        .map_err(|e| format!("{python}: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.lines().last().unwrap_or("failed").to_string());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Vec<f64> = stdout.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    match v[..] {
        [n, prompt_ms, gen_ms] => Ok((n as usize, Speed { prompt_ms, gen_ms })),
        _ => Err(format!("unexpected output: {stdout}")),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let n_prompt = env_usize("WASI_NN_BENCH_PROMPT_TOKENS", 128);
    let n_gen = env_usize("WASI_NN_BENCH_GEN_TOKENS", 64);
    let runs = env_usize("WASI_NN_BENCH_RUNS", 3).max(1);
    let path = model_path();
    // The file is read and the model loaded once; runs clone the weights (shared) with an empty cache.
    let bytes = std::fs::read(&path).unwrap();
    let vocab = Vocab::from_gguf(&bytes).unwrap();
    let (tokens, text) = prompt(&vocab, n_prompt);
    let (weights, _) = Weights::load(Content::read(&mut Cursor::new(&bytes[..])).unwrap(), &bytes).unwrap();
    if std::env::var_os(FRESH_RUN).is_some() {
        // This process's first computation, right after the load.
        let s = candle_run(&weights, &tokens, n_gen);
        println!("fresh: {} {}", s.prompt_ms, s.gen_ms);
        return;
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "model {}: {n_prompt} prompt tokens, {n_gen} generated (greedy), best of {runs}, {threads} threads",
        path.display()
    );

    // candle alone, warm: the best of `runs` in this process.
    let candle = Speed::best(&(0..runs).map(|_| candle_run(&weights, &tokens, n_gen)).collect::<Vec<_>>());
    let row = |name: &str, s: Speed| {
        println!("{name:<28} prompt {:>8.1} tok/s   generation {:>7.1} tok/s", s.pp(n_prompt), s.tg(n_gen));
    };
    row("candle alone, warm", candle);
    if std::env::var_os("WASI_NN_BENCH_CANDLE_ONLY").is_some() {
        row("candle alone, fresh", candle_fresh(&path));
        return;
    }
    // Fresh candle runs and plugin runs alternate, so that a slow spell of the machine falls on both;
    // the boundary is the median of the pairs' ratios.
    let guest = Guest::build(n_prompt, n_gen);
    let (mut fresh, mut plugin, mut ratios, mut guest_best, mut fresh_best) =
        (Vec::new(), Vec::new(), Vec::new(), f64::INFINITY, f64::INFINITY);
    for _ in 0..runs {
        let f = candle_fresh(&path);
        let (p, guest_ms) = guest.run(&path, &text, n_prompt, n_gen);
        let fresh_ms = f.prompt_ms + f.gen_ms;
        ratios.push(guest_ms / fresh_ms);
        (guest_best, fresh_best) = (guest_best.min(guest_ms), fresh_best.min(fresh_ms));
        fresh.push(f);
        plugin.push(p);
    }
    let (fresh, plugin) = (Speed::best(&fresh), Speed::best(&plugin));
    let (in_plugin, in_bare, in_median) = in_process(&path, &weights, &tokens, &text, n_gen, runs);
    row("candle alone, fresh", fresh);
    row("plugin (its own timing)", plugin);
    // Noise on this kind of machine only adds time, so the fastest runs are the best estimate; the
    // median of the alternating pairs and their range show how much the machine moved meanwhile.
    let spread = ratios.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
    println!(
        "plugin boundary: fastest guest compute {guest_best:.1} ms / fastest candle alone fresh {fresh_best:.1} ms \
         {:+.2}% (target <= 2%); median of {runs} pairs {:+.2}%, range {:+.2}% to {:+.2}%",
        (guest_best / fresh_best - 1.0) * 100.0,
        (median(ratios) - 1.0) * 100.0,
        (spread.0 - 1.0) * 100.0,
        (spread.1 - 1.0) * 100.0
    );
    println!(
        "plugin boundary in one process (SDK harness, warm): fastest compute {in_plugin:.1} ms / fastest bare \
         {in_bare:.1} ms {:+.2}%; median of {runs} pairs {:+.2}% (target <= 2%)",
        (in_plugin / in_bare - 1.0) * 100.0,
        (in_median - 1.0) * 100.0
    );
    println!(
        "plugin / candle alone, fresh: prompt {:.3}x, generation {:.3}x (tokens/s ratio, best runs)",
        plugin.pp(n_prompt) / fresh.pp(n_prompt),
        plugin.tg(n_gen) / fresh.tg(n_gen)
    );
    match llama_cpp(&path, &text, n_gen, runs) {
        Ok((n, llama)) => {
            if n != n_prompt {
                println!("note: llama.cpp tokenized the prompt into {n} tokens, not {n_prompt}");
            }
            let llama_pp = n as f64 * 1e3 / llama.prompt_ms;
            println!("{:<28} prompt {llama_pp:>8.1} tok/s   generation {:>7.1} tok/s", "llama.cpp", llama.tg(n_gen));
            println!(
                "plugin / llama.cpp: prompt {:.3}x, generation {:.3}x (tokens/s ratio; target generation >= 0.6x)",
                plugin.pp(n_prompt) / llama_pp,
                plugin.tg(n_gen) / llama.tg(n_gen)
            );
        }
        Err(e) => println!("llama.cpp: not run ({e}); `pip install llama-cpp-python` to compare"),
    }
}
