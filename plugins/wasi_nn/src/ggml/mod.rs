//! The GGML backend (encoding 6): GGUF language models on candle, with WasmEdge 0.15's GGML behaviour —
//! its metadata keys, prompt handling, generation loop, streaming functions, outputs and error numbers.
//!
//! - `load`: builder 0 is `preload:<path>` (the file is memory-mapped and read in place) or the GGUF
//!   bytes themselves (read from memory; WasmEdge writes them to `ggml-model.bin` in the working
//!   directory first). Builder 1, if any, is metadata JSON ([`metadata`]). A missing file is
//!   `ModelNotFound`. The architectures are llama (and Llama-style Mistral/Mixtral files), qwen2,
//!   qwen3, gemma3 and phi3 ([`model`]; our own code for llama, qwen2, qwen3, phi3 in [`decoder`] and
//!   gemma3, candle-transformers' for Mixtral); the tokenizer comes from the file ([`tokenizer`]).
//! - Each execution context has its own copy of the graph's settings and its own KV cache over the
//!   shared weights. (WasmEdge has one KV cache per graph, so two contexts on one graph clobber each
//!   other, and `set_input` metadata changes the graph for every context.)
//! - `set_input(0, prompt)` tokenizes the prompt (special tokens in it are parsed, BOS added as the
//!   model says) and resets the KV cache; `set_input(1, json)` changes this context's settings.
//! - `compute` evaluates the prompt (`PromptTooLong` past `ctx-size - 4` tokens) and samples up to
//!   `n-predict` tokens, stopping after an end-of-generation token or once `reverse-prompt` appears
//!   (both stay in the output); a full context is `ContextFull`, the output kept.
//! - `compute_single` makes one token per call (`EndOfSequence` after an end-of-generation token),
//!   `get_output_single` returns that token's bytes, `fini_single` ends the stream.
//! - Output 1 is `{"input_tokens": N, "output_tokens": M, "llama_build_number": 0, "llama_commit":
//!   "candle-0.11.1"}` (there is no llama.cpp build here); any other index is the generated text.
//!   WasmEdge's GGML ignores the guest's buffer length, so the outputs are bounded by the guest's memory
//!   only ([`OutputBound::MemorySize`]), which LlamaEdge relies on.
//! - Embedding mode (`embedding`): `compute` writes the prompt's vector to output 0 ([`embedding`]), for
//!   the architectures whose hidden states are readable here ([`model::EMBEDDING_ARCHITECTURES`]).
//! - Not here: reranking, grammars, images (`compute`/`set_input` refuse them), GPUs (`n-gpu-layers` is
//!   ignored), `threads` (candle sizes its own pool).

mod blocks;
mod decoder;
pub mod embedding;
mod gemma3;
mod linear;
pub mod metadata;
pub mod model;
mod repack;
pub mod sampling;
#[doc(hidden)]
pub mod testing;
pub mod tokenizer;

use std::io::{Cursor, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use candle_core::quantized::gguf_file::Content;

use crate::backend::{Backend, ErrNo, Error, ExecutionContext, Graph, OutputBound, Result, Target, Tensor};
use metadata::Config;
use model::{ModelInfo, Weights};
use sampling::Sampler;
use tokenizer::Vocab;

/// What output 1 reports as `llama_build_number`: there is no llama.cpp build in this backend.
pub const LLAMA_BUILD_NUMBER: u32 = 0;
/// What output 1 reports as `llama_commit`: the inference library instead of a llama.cpp commit.
pub const LLAMA_COMMIT: &str = "candle-0.11.1";

/// The GGML backend.
pub struct GgmlBackend;

fn error(code: ErrNo, message: impl std::fmt::Display) -> Error {
    Error::new(code, format!("GGML backend: {message}"))
}

/// WasmEdge's `LOG_INFO`: a line with `enable-log`.
fn info(config: &Config, message: impl std::fmt::Display) {
    if config.enable_log {
        crate::log(&format!("GGML backend: {message}"));
    }
}

/// WasmEdge's `LOG_DEBUG`: a line with `enable-debug-log`.
fn debug(config: &Config, message: impl std::fmt::Display) {
    if config.enable_debug_log {
        crate::log(&format!("[WASI-NN][Debug] GGML backend: {message}"));
    }
}

/// A loaded model: what every context on the graph shares.
struct Model {
    /// The weights as loaded; never run, only cloned (with an empty cache) into contexts.
    weights: Weights,
    vocab: Vocab,
    info: ModelInfo,
    /// The graph's settings (builder 1): each new context starts from a copy.
    config: Config,
}

impl Model {
    /// Read a GGUF model from its bytes.
    fn read(bytes: &[u8], config: Config) -> Result<Model> {
        let unable =
            |e: &dyn std::fmt::Display| error(ErrNo::InvalidArgument, format!("load: unable to init model: {e}"));
        let mut reader = Cursor::new(bytes);
        let content = Content::read(&mut reader).map_err(|e| unable(&e))?;
        let arch = model::architecture(&content.metadata).unwrap_or_default();
        let unsupported = || {
            error(
                ErrNo::InvalidArgument,
                format!("load: unsupported model architecture '{arch}'; this backend runs {}.", model::SUPPORTED),
            )
        };
        if !model::SUPPORTED.split(", ").any(|a| a == arch) {
            return Err(unsupported());
        }
        let vocab = Vocab::from_metadata(&content.metadata).map_err(|e| unable(&e))?;
        let (weights, info) = Weights::load(content, bytes).map_err(|e| match e {
            Some(e) => unable(&e),
            None => unsupported(),
        })?;
        Ok(Model { weights, vocab, info, config })
    }
}

/// Read `path` through a memory map.
fn read_file(path: &Path, config: Config) -> Result<Model> {
    let file = std::fs::File::open(path).map_err(|e| {
        error(ErrNo::InvalidArgument, format!("load: unable to open the model file {}: {e}", path.display()))
    })?;
    // SAFETY: the map is only read, and only during this call; the weights are copied out of it. As with
    // llama.cpp's own mmap, a file truncated by another process meanwhile would fault the reads.
    #[allow(unsafe_code)]
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| {
        error(ErrNo::InvalidArgument, format!("load: unable to map the model file {}: {e}", path.display()))
    })?;
    Model::read(&map, config)
}

#[cfg(unix)]
fn bytes_to_path(bytes: &[u8]) -> std::path::PathBuf {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(bytes).into()
}

#[cfg(not(unix))]
fn bytes_to_path(bytes: &[u8]) -> std::path::PathBuf {
    String::from_utf8_lossy(bytes).into_owned().into()
}

impl Backend for GgmlBackend {
    fn load(&self, builders: &[Vec<u8>], _target: Target) -> Result<Arc<dyn Graph>> {
        let Some(source) = builders.first() else {
            return Err(error(ErrNo::InvalidArgument, "load: no model: the builder list is empty."));
        };
        let mut config = Config::default();
        if let Some(json) = builders.get(1) {
            metadata::apply(&mut config, json)?;
        }
        debug(&config, "load");
        info(&config, format_args!("LLAMA_COMMIT {LLAMA_COMMIT}"));
        info(&config, format_args!("LLAMA_BUILD_NUMBER {LLAMA_BUILD_NUMBER}"));
        info(&config, "load: no GPU here: n-gpu-layers is ignored and the model runs on the CPU.");
        let started = Instant::now();
        let model = match source.strip_prefix(b"preload:") {
            Some(path) => {
                let path = bytes_to_path(path);
                if !path.exists() {
                    return Err(error(ErrNo::ModelNotFound, "load: model file not found."));
                }
                read_file(&path, config)?
            }
            None => Model::read(source, config)?,
        };
        info(
            &model.config,
            format_args!(
                "load: {} model, {} tokens in the vocabulary, {} MB of Q5_0 weights re-encoded as Q8_0, loaded in {} ms.",
                model.info.architecture,
                model.vocab.len(),
                model.info.repacked_bytes >> 20,
                started.elapsed().as_millis()
            ),
        );
        debug(&model.config, "load...Done");
        Ok(Arc::new(GgmlGraph(Arc::new(model))))
    }
}

/// A loaded GGUF model.
struct GgmlGraph(Arc<Model>);

impl Graph for GgmlGraph {
    fn init_execution_context(&self) -> Result<Box<dyn ExecutionContext>> {
        let model = self.0.clone();
        debug(&model.config, "initExecCtx");
        info(&model.config, "llama_system_info: candle CPU backend");
        Ok(Box::new(Context {
            weights: model.weights.clone(),
            config: model.config.clone(),
            model,
            inputs: Vec::new(),
            outputs: Vec::new(),
            output_tokens: Vec::new(),
            n_pos: 0,
            single_started: false,
            sampler: None,
            logits: None,
        }))
    }
}

/// How a generation step ended.
enum Step {
    /// A token was generated and evaluated; generation can go on.
    Continue,
    /// An end-of-generation token or the reverse prompt: the sequence is complete.
    End,
}

/// One execution context: its settings, prompt, KV cache and outputs.
struct Context {
    model: Arc<Model>,
    /// The model with this context's KV cache.
    weights: Weights,
    config: Config,
    /// The prompt's tokens.
    inputs: Vec<u32>,
    /// The generated text (bytes: a character may span tokens).
    outputs: Vec<u8>,
    output_tokens: Vec<u32>,
    /// Tokens in the KV cache.
    n_pos: usize,
    single_started: bool,
    sampler: Option<Sampler>,
    /// The logits of the next token, after an evaluation.
    logits: Option<Vec<f32>>,
}

impl Context {
    /// The context size: `ctx-size`, 0 (or less) for the model's training context, at most what candle's
    /// model can run.
    fn n_ctx(&self) -> usize {
        let n = usize::try_from(self.config.ctx_size).unwrap_or(0);
        let n = if n == 0 { self.model.info.train_context } else { n };
        n.min(self.model.info.max_context)
    }

    /// WasmEdge's `clearContext`: an empty KV cache, a fresh sampler, no outputs.
    fn clear(&mut self) {
        let max = self.model.info.max_context;
        if usize::try_from(self.config.ctx_size).is_ok_and(|n| n > max) {
            info(
                &self.config,
                format_args!(
                    "ctx-size {} is more than candle's {} model can run; the context has {max} tokens.",
                    self.config.ctx_size, self.model.info.architecture
                ),
            );
        }
        self.weights.clear();
        self.sampler = Some(Sampler::new(&self.config, self.n_ctx()));
        self.n_pos = 0;
        self.outputs.clear();
        self.output_tokens.clear();
        self.logits = None;
    }

    /// Refuse what this backend cannot compute.
    fn check_supported(&self, op: &str) -> Result<()> {
        if !self.config.grammar.is_empty() {
            return Err(error(
                ErrNo::InvalidArgument,
                format!(
                    "{op}: grammar-constrained sampling (grammar, json-schema) is not supported by this backend yet."
                ),
            ));
        }
        Ok(())
    }

    /// Evaluate `tokens` after the cache's: `ContextFull` if they do not fit.
    fn evaluate(&mut self, tokens: &[u32]) -> Result<()> {
        let n_ctx = self.n_ctx();
        if self.n_pos + tokens.len() > n_ctx {
            info(
                &self.config,
                format_args!(
                    "evaluateTokens: the context if full ({} / {n_ctx} tokens). Please increase your context size.",
                    self.n_pos + tokens.len()
                ),
            );
            return Err(Error::quiet(ErrNo::ContextFull));
        }
        let batch = usize::try_from(self.config.batch_size).unwrap_or(1).max(1);
        for chunk in tokens.chunks(batch) {
            let logits = self
                .weights
                .forward(chunk, self.n_pos)
                .map_err(|e| error(ErrNo::RuntimeError, format!("evaluateTokens: failed to llama_decode: {e}")))?;
            self.n_pos += chunk.len();
            self.logits = Some(logits);
        }
        Ok(())
    }

    /// A prompt is set and fits the context, with four tokens kept for special tokens.
    fn check_prompt(&self, op: &str) -> Result<()> {
        if self.inputs.is_empty() {
            return Err(error(ErrNo::InvalidArgument, format!("{op}: llama input is not set!")));
        }
        if let Some(max) = self.n_ctx().checked_sub(4)
            && self.inputs.len() > max
        {
            return Err(error(
                ErrNo::PromptTooLong,
                format!(
                    "{op}: the prompt is too long. Your input has {} tokens. Please reduce it to {max} tokens.",
                    self.inputs.len()
                ),
            ));
        }
        Ok(())
    }

    /// Evaluate the prompt (WasmEdge's `evaluateInput`).
    fn evaluate_input(&mut self, op: &str) -> Result<()> {
        self.check_prompt(op)?;
        let inputs = std::mem::take(&mut self.inputs);
        let result = self.evaluate(&inputs);
        self.inputs = inputs;
        result.map_err(|e| match e.code {
            ErrNo::ContextFull => error(ErrNo::ContextFull, format!("{op}: failed to evaluate input tokens.")),
            _ => e,
        })
    }

    /// Sample one token, append it to the outputs and evaluate it (WasmEdge's `sampleOutput`). `single`:
    /// the `compute_single` step, without `stream-stdout` and `reverse-prompt`.
    fn sample(&mut self, single: bool) -> Result<Step> {
        let logits = self
            .logits
            .take()
            .ok_or_else(|| error(ErrNo::RuntimeError, "sampleOutput: there is nothing to sample from."))?;
        let n_ctx = self.n_ctx();
        let sampler = self.sampler.get_or_insert_with(|| Sampler::new(&self.config, n_ctx));
        let id = sampler.sample(logits).map_err(|e| error(ErrNo::RuntimeError, format!("sampleOutput: {e}")))?;
        let piece = self.model.vocab.piece(id);
        self.output_tokens.push(id);
        self.outputs.extend_from_slice(piece);
        if !single {
            if self.config.stream_stdout {
                let mut out = std::io::stdout().lock();
                // Like WasmEdge's `fmt::print`, a failed write to stdout does not stop generation.
                let _ = out.write_all(piece).and_then(|()| out.flush());
            }
            let reverse = self.config.reverse_prompt.as_bytes();
            if !reverse.is_empty() && self.outputs.windows(reverse.len()).any(|w| w == reverse) {
                info(&self.config, "sampleOutput: reverse prompt found.");
                return Ok(Step::End);
            }
        }
        if !self.config.ignore_eos && self.model.vocab.is_eog(id) {
            info(&self.config, "sampleOutput: EOS token found.");
            return Ok(Step::End);
        }
        self.evaluate(&[id])?;
        Ok(Step::Continue)
    }

    /// Embedding mode's `compute` (WasmEdge's `getEmbedding`): the prompt's pooled, normalized final
    /// hidden state as JSON in output 0 ([`embedding`]).
    fn embed(&mut self) -> Result<()> {
        debug(&self.config, "getEmbedding");
        let vocab = &self.model.vocab;
        if self.inputs.last().is_some_and(|&last| Some(last) != vocab.sep()) {
            // WasmEdge's LOG_WARN: printed whatever `enable-log` says.
            crate::log(
                "GGML backend: getEmbedding: last token in the prompt is not SEP, 'tokenizer.ggml.add_eos_token' \
                 should be set to 'true' in the GGUF header.",
            );
        }
        let batch = usize::try_from(self.config.batch_size).unwrap_or(0);
        if self.inputs.len() > batch {
            return Err(error(
                ErrNo::PromptTooLong,
                format!(
                    "getEmbedding: the prompt is too long. Your input has {} tokens exceeds batch size {}. Please \
                     reduce the input size or increase your batch-size.",
                    self.inputs.len(),
                    self.config.batch_size
                ),
            ));
        }
        let pooling = embedding::Pooling::resolve(self.config.pooling_type, self.model.info.pooling)
            .map_err(|n| error(ErrNo::InvalidArgument, format!("getEmbedding: unknown pooling-type {n}.")))?;
        if pooling == embedding::Pooling::Rank {
            return Err(error(
                ErrNo::InvalidArgument,
                "getEmbedding: reranking (pooling-type 4) needs a classification head, which this backend does \
                 not support yet.",
            ));
        }
        self.check_prompt("getEmbedding")?;
        let rows = self
            .weights
            .hidden_states(&self.inputs, 0)
            .map_err(|e| error(ErrNo::RuntimeError, format!("getEmbedding: failed to llama_decode: {e}")))?
            .ok_or_else(|| {
                error(
                    ErrNo::InvalidArgument,
                    format!(
                        "getEmbedding: embedding mode is not supported for the {} architecture by this backend yet \
                         (it is for {}).",
                        self.model.info.architecture,
                        model::EMBEDDING_ARCHITECTURES
                    ),
                )
            })?;
        self.n_pos = self.inputs.len();
        let vector = embedding::normalize(&embedding::pool(&rows, pooling), self.config.embd_normalize);
        self.outputs = embedding::to_json(&vector).into_bytes();
        debug(&self.config, "getEmbedding...Done");
        Ok(())
    }

    /// Output 1: the token counts and the build.
    fn metadata(&self) -> Vec<u8> {
        format!(
            r#"{{"input_tokens": {}, "output_tokens": {}, "llama_build_number": {LLAMA_BUILD_NUMBER}, "llama_commit": "{LLAMA_COMMIT}"}}"#,
            self.inputs.len(),
            self.output_tokens.len()
        )
        .into_bytes()
    }
}

/// Whether a prompt carries a base64 image (`<img src="data:image/…;base64,…">`).
fn has_base64_image(prompt: &[u8]) -> bool {
    const BEGIN: &[u8] = b"<img src=\"data:image/";
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let Some(begin) = find(prompt, BEGIN) else { return false };
    let Some(payload) = find(&prompt[begin..], b";base64,") else { return false };
    find(&prompt[begin + payload..], b"\">").is_some()
}

impl ExecutionContext for Context {
    fn set_input(&mut self, index: u32, tensor: Tensor) -> Result<()> {
        debug(&self.config, "setInput");
        if index == 1 {
            let before = self.config.clone();
            metadata::apply(&mut self.config, &tensor.data)?;
            let c = &self.config;
            if c.embedding != before.embedding || c.ctx_size != before.ctx_size || c.batch_size != before.batch_size {
                info(c, "setInput: Reload llama context due to parameters change.");
            }
            if (c.temp, c.top_p, c.top_k, c.min_p, c.seed)
                != (before.temp, before.top_p, before.top_k, before.min_p, before.seed)
                || (c.repeat_penalty, c.presence_penalty, c.frequency_penalty, c.last_n_penalty)
                    != (before.repeat_penalty, before.presence_penalty, before.frequency_penalty, before.last_n_penalty)
            {
                info(c, "setInput: Reallocate llama sampler due to parameters change.");
            }
            debug(&self.config, "setInput: found Metadata, processing...Done");
            return Ok(());
        }
        if has_base64_image(&tensor.data) || !self.config.image.is_empty() {
            let message = if self.config.mmproj.is_empty() {
                "setInput: the given model does not support image input, so a projection model is required."
            } else {
                "setInput: image input (mmproj) is not supported by this backend yet."
            };
            return Err(error(ErrNo::InvalidArgument, message));
        }
        self.weights.clear();
        self.n_pos = 0;
        self.logits = None;
        self.inputs = self.model.vocab.tokenize(&tensor.data, true, true);
        self.single_started = false;
        debug(&self.config, format_args!("setInput: {} prompt tokens...Done", self.inputs.len()));
        Ok(())
    }

    fn compute(&mut self) -> Result<()> {
        debug(&self.config, "compute");
        let started = Instant::now();
        self.clear();
        if self.config.embedding {
            return self.embed();
        }
        self.check_supported("compute")?;
        self.evaluate_input("compute")?;
        let prompt_done = Instant::now();
        let mut remaining = u64::try_from(self.config.n_predict).unwrap_or(u64::MAX);
        let mut result = Ok(());
        while remaining > 0 {
            remaining -= 1;
            match self.sample(false) {
                Ok(Step::Continue) => {}
                Ok(Step::End) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        info(
            &self.config,
            format_args!(
                "compute: prompt eval {} tokens in {} ms, generated {} tokens in {} ms.",
                self.inputs.len(),
                (prompt_done - started).as_millis(),
                self.output_tokens.len(),
                prompt_done.elapsed().as_millis()
            ),
        );
        debug(&self.config, "compute...Done");
        result
    }

    fn get_output(&mut self, index: u32) -> Result<Vec<u8>> {
        Ok(if index == 1 { self.metadata() } else { self.outputs.clone() })
    }

    fn output_bound(&self) -> OutputBound {
        OutputBound::MemorySize
    }

    fn compute_single(&mut self) -> Result<()> {
        if !self.single_started {
            self.clear();
            self.check_supported("compute_single")?;
            self.evaluate_input("compute_single")?;
            self.single_started = true;
        }
        match self.sample(true) {
            Ok(Step::Continue) => Ok(()),
            Ok(Step::End) => {
                self.single_started = false;
                Err(Error::quiet(ErrNo::EndOfSequence))
            }
            Err(e) => {
                self.single_started = false;
                Err(e)
            }
        }
    }

    fn get_output_single(&mut self, index: u32) -> Result<Vec<u8>> {
        if index == 1 {
            return Ok(self.metadata());
        }
        Ok(self.output_tokens.last().map_or_else(Vec::new, |&t| self.model.vocab.piece(t).to_vec()))
    }

    fn fini_single(&mut self) -> Result<()> {
        self.outputs.clear();
        self.output_tokens.clear();
        self.sampler = None;
        self.single_started = false;
        self.n_pos = 0;
        Ok(())
    }
}
