//! GGML metadata: the JSON object a guest passes as builder 1 of `load`, as the config of
//! `load_by_name_with_config`, or as input 1 of `set_input` (WasmEdge's `parseMetadata`).
//!
//! Not valid JSON is `InvalidEncoding`; a known key of the wrong JSON type is `InvalidArgument`
//! (`Unable to retrieve the <key> option.`); unknown keys are ignored, and of duplicate keys the first
//! counts. Integers must be integers (`1.0` is not), doubles may be integers, booleans must be booleans.
//! Unlike WasmEdge, a failed parse changes nothing (WasmEdge keeps the keys it applied before the bad one).

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::backend::{ErrNo, Error, Result};

/// `LLAMA_DEFAULT_SEED`: a seed drawn at random for each sampler.
pub const RANDOM_SEED: u64 = 0xFFFF_FFFF;

/// The settings of a graph (its defaults for new contexts) or of one execution context.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub enable_log: bool,
    pub enable_debug_log: bool,
    pub stream_stdout: bool,
    /// Tokens to generate in `compute`; negative: until the end of the sequence or the context.
    pub n_predict: i64,
    pub reverse_prompt: String,
    /// `n-gpu-layers`: accepted and ignored (no GPU here).
    pub n_gpu_layers: i64,
    /// Context size in tokens; 0: the model's training context.
    pub ctx_size: i64,
    /// Prompt tokens evaluated per forward pass.
    pub batch_size: i64,
    pub ubatch_size: i64,
    /// `threads`: accepted and ignored (candle sizes its own thread pool).
    pub threads: i64,
    /// Embedding mode (`embedding`, or `reranking` with any value): `compute` makes one vector.
    pub embedding: bool,
    /// `pooling-type` (llama.cpp's numbers); -1: the model's.
    pub pooling_type: i64,
    /// `embd-normalize`: -1 none, 0 max-abs, 1 taxicab, 2 Euclidean, p > 2 p-norm.
    pub embd_normalize: i64,
    pub temp: f64,
    pub top_p: f64,
    pub top_k: i64,
    pub min_p: f64,
    pub repeat_penalty: f64,
    pub presence_penalty: f64,
    pub frequency_penalty: f64,
    /// Generated tokens the penalties look back on; -1: the context size; 0: none.
    pub last_n_penalty: i64,
    pub seed: u64,
    pub ignore_eos: bool,
    /// A GBNF grammar (`grammar`, or converted from `json-schema`): not supported by this backend.
    pub grammar: String,
    /// A host image path for multimodal prompts (`image`); there is no projector here.
    pub image: String,
    pub mmproj: String,
}

impl Default for Config {
    /// WasmEdge 0.15's defaults (llama.cpp b5896's context and sampling defaults).
    fn default() -> Self {
        Config {
            enable_log: false,
            enable_debug_log: false,
            stream_stdout: false,
            n_predict: 512,
            reverse_prompt: String::new(),
            n_gpu_layers: 0,
            ctx_size: 512,
            batch_size: 2048,
            ubatch_size: 512,
            threads: 4,
            embedding: false,
            pooling_type: -1,
            embd_normalize: 2,
            temp: 0.8,
            top_p: 0.95,
            top_k: 40,
            min_p: 0.05,
            repeat_penalty: 1.0,
            presence_penalty: 0.0,
            frequency_penalty: 0.0,
            last_n_penalty: 64,
            seed: RANDOM_SEED,
            ignore_eos: false,
            grammar: String::new(),
            image: String::new(),
            mmproj: String::new(),
        }
    }
}

/// A JSON document's top level: an object's entries in order (the first of duplicate keys kept), or
/// anything else (accepted, every key skipped, as WasmEdge does).
enum Document {
    Object(Vec<(String, Value)>),
    Other,
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Document;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Document, A::Error> {
                let mut entries: Vec<(String, Value)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Value>()? {
                    if !entries.iter().any(|(k, _)| *k == key) {
                        entries.push((key, value));
                    }
                }
                Ok(Document::Object(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Document, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Document::Other)
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Document, E> {
                Ok(Document::Other)
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<Document, E> {
                Ok(Document::Other)
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<Document, E> {
                Ok(Document::Other)
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<Document, E> {
                Ok(Document::Other)
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<Document, E> {
                Ok(Document::Other)
            }
            fn visit_unit<E>(self) -> std::result::Result<Document, E> {
                Ok(Document::Other)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// JSON types of metadata values.
#[derive(Clone, Copy)]
enum Ty {
    Bool,
    Int,
    Double,
    Str,
}

/// Keys WasmEdge 0.15 reads that change nothing here (llama.cpp CLI, server, GPU, multimodal, TTS and
/// exotic sampler settings): type-checked as WasmEdge does, then ignored.
const IGNORED: &[(&str, Ty)] = &[
    ("main-gpu", Ty::Int),
    ("tensor-split", Ty::Str),
    ("use-mmap", Ty::Bool),
    ("use-mlock", Ty::Bool),
    ("check-tensors", Ty::Bool),
    ("numa", Ty::Int),
    ("tts", Ty::Bool),
    ("model-vocoder", Ty::Str),
    ("tts-output-file", Ty::Str),
    ("tts-speaker-file", Ty::Str),
    ("always-regenerate-image-embd", Ty::Bool),
    ("n-parallel", Ty::Int),
    ("n-sequences", Ty::Int),
    ("rope-freq-base", Ty::Double),
    ("rope-freq-scale", Ty::Double),
    ("yarn-ext-factor", Ty::Double),
    ("yarn-attn-factor", Ty::Double),
    ("yarn-beta-fast", Ty::Double),
    ("yarn-beta-slow", Ty::Double),
    ("yarn-orig-ctx", Ty::Int),
    ("rope-scaling-type", Ty::Int),
    ("attention-type", Ty::Int),
    ("threads-batch", Ty::Int),
    ("mask-valid", Ty::Bool),
    ("priority", Ty::Int),
    ("strict-cpu", Ty::Bool),
    ("poll", Ty::Int),
    ("mask-valid-batch", Ty::Bool),
    ("priority-batch", Ty::Int),
    ("strict-cpu-batch", Ty::Bool),
    ("poll-batch", Ty::Int),
    ("no-kv-offload", Ty::Bool),
    ("cache-type-k", Ty::Int),
    ("cache-type-v", Ty::Int),
    ("no-perf", Ty::Bool),
    ("ctx-shift", Ty::Bool),
    ("warmup", Ty::Bool),
    ("flash-attn", Ty::Bool),
    ("defrag-thold", Ty::Double),
    ("min-keep", Ty::Int),
    ("n-prev", Ty::Int),
    ("n-probs", Ty::Int),
    ("xtc-probability", Ty::Double),
    ("xtc-threshold", Ty::Double),
    ("typ-p", Ty::Double),
    ("dynatemp-range", Ty::Double),
    ("dynatemp-exponent", Ty::Double),
    ("dry-multipier", Ty::Double),
    ("dry-base", Ty::Double),
    ("dry-allowed-length", Ty::Int),
    ("mirostat", Ty::Int),
    ("mirostat-eta", Ty::Double),
    ("no-perf-sampling", Ty::Bool),
    ("timing-per-token", Ty::Bool),
];

fn unable(key: &str) -> Error {
    Error::new(ErrNo::InvalidArgument, format!("GGML backend: Unable to retrieve the {key} option."))
}

fn check(key: &str, value: &Value, ty: Ty) -> Result<()> {
    let ok = match ty {
        Ty::Bool => value.is_boolean(),
        Ty::Int => value.as_i64().is_some(),
        Ty::Double => value.as_f64().is_some(),
        Ty::Str => value.is_string(),
    };
    if ok { Ok(()) } else { Err(unable(key)) }
}

/// Apply the metadata JSON `json` to `config`. On an error `config` is unchanged.
pub fn apply(config: &mut Config, json: &[u8]) -> Result<()> {
    let doc: Document = serde_json::from_slice(json)
        .map_err(|_| Error::new(ErrNo::InvalidEncoding, "GGML backend: parse metadata error."))?;
    let Document::Object(entries) = doc else { return Ok(()) };
    let get = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let mut c = config.clone();

    macro_rules! read {
        ($key:literal, bool, $field:ident) => {
            if let Some(v) = get($key) {
                c.$field = v.as_bool().ok_or_else(|| unable($key))?;
            }
        };
        ($key:literal, int, $field:ident) => {
            if let Some(v) = get($key) {
                c.$field = v.as_i64().ok_or_else(|| unable($key))?;
            }
        };
        ($key:literal, uint, $field:ident) => {
            if let Some(v) = get($key) {
                c.$field = v.as_u64().ok_or_else(|| unable($key))?;
            }
        };
        ($key:literal, double, $field:ident) => {
            if let Some(v) = get($key) {
                c.$field = v.as_f64().ok_or_else(|| unable($key))?;
            }
        };
        ($key:literal, clamped, $field:ident) => {
            if let Some(v) = get($key) {
                c.$field = v.as_f64().ok_or_else(|| unable($key))?.max(0.0);
            }
        };
        ($key:literal, string, $field:ident) => {
            if let Some(v) = get($key) {
                c.$field = v.as_str().ok_or_else(|| unable($key))?.to_string();
            }
        };
    }

    // WasmEdge's order: plugin, model, context, sampling, then per-context settings.
    read!("enable-log", bool, enable_log);
    read!("enable-debug-log", bool, enable_debug_log);
    read!("n-gpu-layers", int, n_gpu_layers);
    if let Some(v) = get("split-mode") {
        let mode = v.as_str().ok_or_else(|| unable("split-mode"))?;
        if !matches!(mode, "none" | "layer" | "row") {
            return Err(Error::new(
                ErrNo::InvalidArgument,
                format!("GGML backend: Unknown split-mode: {mode}. Valid: none, layer, row."),
            ));
        }
    }
    read!("mmproj", string, mmproj);
    read!("embedding", bool, embedding);
    read!("ctx-size", int, ctx_size);
    read!("batch-size", int, batch_size);
    read!("ubatch-size", int, ubatch_size);
    read!("threads", int, threads);
    read!("pooling-type", int, pooling_type);
    read!("embd-normalize", int, embd_normalize);
    if let Some(v) = get("reranking") {
        v.as_bool().ok_or_else(|| unable("reranking"))?;
        c.embedding = true;
        c.pooling_type = 4;
    }
    read!("temp", clamped, temp);
    read!("top-p", clamped, top_p);
    read!("top-k", int, top_k);
    read!("min-p", double, min_p);
    read!("repeat-penalty", clamped, repeat_penalty);
    read!("presence-penalty", clamped, presence_penalty);
    read!("frequency-penalty", clamped, frequency_penalty);
    read!("last-n-penalty", int, last_n_penalty);
    // WasmEdge writes this one to the repeat penalties' window too.
    read!("dry-last-n-penalty", int, last_n_penalty);
    read!("ignore-eos", bool, ignore_eos);
    read!("grammar", string, grammar);
    if let Some(v) = get("json-schema") {
        let schema = v.as_str().ok_or_else(|| unable("json-schema"))?;
        // Any schema means constrained sampling, which `compute` refuses.
        c.grammar = if schema.is_empty() { String::new() } else { format!("json-schema: {schema}") };
    }
    read!("seed", uint, seed);
    read!("stream-stdout", bool, stream_stdout);
    read!("n-predict", int, n_predict);
    read!("reverse-prompt", string, reverse_prompt);
    read!("image", string, image);
    for &(key, ty) in IGNORED {
        if let Some(v) = get(key) {
            check(key, v, ty)?;
        }
    }
    *config = c;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Config> {
        let mut c = Config::default();
        apply(&mut c, json.as_bytes()).map(|()| c)
    }

    #[test]
    fn types_and_errors() {
        let c = parse(
            r#"{"n-predict": 7, "temp": 0, "top-p": 1, "seed": 42, "reverse-prompt": "x", "stream-stdout": true}"#,
        )
        .unwrap();
        assert_eq!((c.n_predict, c.temp, c.top_p, c.seed), (7, 0.0, 1.0, 42));
        assert_eq!((c.reverse_prompt.as_str(), c.stream_stdout), ("x", true));
        assert_eq!(parse(r#"{"temp": -3}"#).unwrap().temp, 0.0);
        for bad in [r#"{"n-predict": 1.0}"#, r#"{"seed": -1}"#, r#"{"enable-log": 1}"#, r#"{"temp": "1"}"#] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.code, ErrNo::InvalidArgument, "{bad}");
            assert!(e.message.starts_with("GGML backend: Unable to retrieve the "), "{}", e.message);
        }
        assert_eq!(parse(r#"{"flash-attn": "on"}"#).unwrap_err().code, ErrNo::InvalidArgument);
        for bad in ["", "{", "{\"a\":}", "nul"] {
            assert_eq!(parse(bad).unwrap_err().code, ErrNo::InvalidEncoding, "{bad}");
        }
        // Not an object, unknown keys: nothing changes.
        assert_eq!(parse("[1, 2]").unwrap(), Config::default());
        assert_eq!(parse(r#"{"no-such-key": [1]}"#).unwrap(), Config::default());
        // The first of duplicate keys counts.
        assert_eq!(parse(r#"{"n-predict": 1, "n-predict": 2}"#).unwrap().n_predict, 1);
        // A failure changes nothing.
        let mut c = Config::default();
        assert!(apply(&mut c, br#"{"n-predict": 3, "ctx-size": "big"}"#).is_err());
        assert_eq!(c, Config::default());
        assert!(parse(r#"{"reranking": false}"#).unwrap().embedding);
    }
}
