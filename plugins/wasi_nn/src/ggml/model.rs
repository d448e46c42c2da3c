//! The transformer of a GGUF model, dispatched on `general.architecture`: our own decoders for llama,
//! qwen2, qwen3, phi3 ([`decoder`]) and gemma3 ([`gemma3`]); candle-transformers' quantized llama for
//! llama files with experts (Mixtral). The graph keeps one copy that never runs; every execution context clones it: the
//! clone shares the weights (reference-counted tensors) and has its own, empty KV cache.

use candle_core::quantized::gguf_file::{Content, Value};
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_llama;
use std::collections::HashMap;

use super::{decoder, gemma3, repack};

/// The architectures this backend runs, as GGUF names them.
pub const SUPPORTED: &str = "llama, qwen2, qwen3, gemma3, phi3";

/// A model's weights and, in a context's copy, its KV cache.
#[derive(Clone)]
pub enum Weights {
    /// Dense llama (Llama, Mistral, …), qwen2, qwen3 and phi3 models.
    Decoder(decoder::ModelWeights),
    /// Llama files with experts (`llama.expert_count` > 0: Mixtral), on candle's model.
    Experts(quantized_llama::ModelWeights),
    Gemma3(gemma3::ModelWeights),
}

/// What the backend needs to know about a model besides its weights.
#[derive(Clone, Debug)]
pub struct ModelInfo {
    pub architecture: String,
    /// The longest context the model code can run (candle's models: their rotary tables).
    pub max_context: usize,
    /// The context it was trained with (`<arch>.context_length`), for `ctx-size` 0.
    pub train_context: usize,
    /// `<arch>.pooling_type`, for embedding mode.
    pub pooling: Option<u64>,
    /// Bytes of Q5_0 weights re-encoded as Q8_0 at load ([`repack`]).
    pub repacked_bytes: usize,
}

fn md_usize(md: &HashMap<String, Value>, key: &str) -> Option<usize> {
    md.get(key)?.to_u64().ok().and_then(|v| usize::try_from(v).ok())
}

/// The architecture of a GGUF file's metadata.
pub fn architecture(md: &HashMap<String, Value>) -> Option<String> {
    md.get("general.architecture")?.to_string().ok().cloned()
}

impl Weights {
    /// Read the model of `content`, its tensors from `file` (the whole GGUF file), Q5_0 matrices
    /// re-encoded as Q8_0 ([`repack`]). An architecture this backend does not run is `Err(None)`; a model
    /// candle cannot read is `Err(Some(reason))`.
    pub fn load(mut content: Content, file: &[u8]) -> Result<(Weights, ModelInfo), Option<String>> {
        let arch = architecture(&content.metadata).ok_or(None)?;
        let context = |key: &str| md_usize(&content.metadata, &format!("{arch}.{key}"));
        let trained = context("context_length");
        let pooling = content.metadata.get(&format!("{arch}.pooling_type")).and_then(|v| v.to_u64().ok());
        let experts = arch == "llama" && context("expert_count").is_some_and(|n| n > 0);
        let max_context = match arch.as_str() {
            "llama" if experts => quantized_llama::MAX_SEQ_LEN,
            // Rotary angles are computed per evaluation: no limit of the model code's own (past the
            // trained context a model degrades, as in llama.cpp, which also only warns).
            "llama" | "gemma3" | "qwen2" | "qwen3" | "phi3" => usize::MAX,
            _ => return Err(None),
        };
        let device = Device::Cpu;
        let reader = &mut repack::prepare(&mut content, file);
        let repacked_bytes = reader.extra_bytes();
        let err = |e: candle_core::Error| Some(e.to_string());
        let weights = match arch.as_str() {
            "llama" if experts => {
                Weights::Experts(quantized_llama::ModelWeights::from_gguf(content, reader, &device).map_err(err)?)
            }
            "llama" | "qwen2" | "qwen3" | "phi3" => {
                Weights::Decoder(decoder::ModelWeights::from_gguf(content, reader, &device).map_err(err)?)
            }
            "gemma3" => Weights::Gemma3(gemma3::ModelWeights::from_gguf(content, reader, &device).map_err(err)?),
            _ => return Err(None),
        };
        let train_context = trained.unwrap_or(quantized_llama::MAX_SEQ_LEN).min(max_context);
        Ok((weights, ModelInfo { architecture: arch, max_context, train_context, pooling, repacked_bytes }))
    }

    /// Forget the KV cache.
    pub fn clear(&mut self) {
        match self {
            Weights::Decoder(m) => m.clear_kv_cache(),
            Weights::Experts(m) => m.clear_kv_cache(),
            Weights::Gemma3(m) => m.clear_kv_cache(),
        }
    }

    /// Evaluate `tokens` at positions `pos..` (after the `pos` tokens in the cache): the logits of the
    /// token that follows them.
    pub fn forward(&mut self, tokens: &[u32], pos: usize) -> candle_core::Result<Vec<f32>> {
        let input = Tensor::new(tokens, &Device::Cpu)?.unsqueeze(0)?;
        let logits = match self {
            Weights::Decoder(m) => m.forward(&input, pos)?,
            Weights::Experts(m) => m.forward(&input, pos)?,
            Weights::Gemma3(m) => m.forward(&input, pos)?,
        };
        logits.flatten_all()?.to_dtype(candle_core::DType::F32)?.to_vec1::<f32>()
    }
}

impl Weights {
    /// The final hidden states (after the output norm, before the vocabulary head) of `tokens` at
    /// positions `pos..`, one row of `embedding_length` values per token; `None` for llama files with
    /// experts, which run on candle's model, whose hidden states are not exposed.
    pub fn hidden_states(&mut self, tokens: &[u32], pos: usize) -> candle_core::Result<Option<Vec<Vec<f32>>>> {
        let input = Tensor::new(tokens, &Device::Cpu)?.unsqueeze(0)?;
        let hidden = match self {
            Weights::Decoder(m) => m.hidden(&input, pos)?,
            Weights::Gemma3(m) => m.hidden(&input, pos)?,
            Weights::Experts(_) => return Ok(None),
        };
        Ok(Some(hidden.squeeze(0)?.to_dtype(candle_core::DType::F32)?.to_vec2::<f32>()?))
    }
}

/// The architectures whose hidden states embedding mode can read.
pub const EMBEDDING_ARCHITECTURES: &str = "llama (without experts), qwen2, qwen3, gemma3, phi3";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ggml::testing::tiny_gguf;
    use crate::ggml::tokenizer::Vocab;

    fn load(arch: &str) -> (Weights, Vocab) {
        let bytes = tiny_gguf(arch, 3);
        let content = Content::read(&mut std::io::Cursor::new(&bytes[..])).unwrap();
        let vocab = Vocab::from_metadata(&content.metadata).unwrap();
        let (weights, info) = Weights::load(content, &bytes).unwrap();
        assert_eq!(info.architecture, arch);
        (weights, vocab)
    }

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-3)
    }

    /// Evaluating a prompt at once, in chunks after a cached prefix, or token by token gives the same
    /// logits; contexts cloned from one model do not see each other's cache.
    #[test]
    fn cached_evaluation_matches_and_clones_are_independent() {
        for arch in ["llama", "qwen2", "qwen3", "gemma3", "phi3"] {
            let (template, vocab) = load(arch);
            let tokens = vocab.tokenize(b"hello world once upon a time the quick", true, true);
            assert!(tokens.len() >= 8, "{arch}: {tokens:?}");
            let mut whole = template.clone();
            let expected = whole.forward(&tokens, 0).unwrap();
            let mut chunked = template.clone();
            chunked.forward(&tokens[..3], 0).unwrap();
            let got = chunked.forward(&tokens[3..], 3).unwrap();
            assert!(close(&expected, &got), "{arch}: chunked");
            let mut single = template.clone();
            let mut got = Vec::new();
            for (i, &t) in tokens.iter().enumerate() {
                got = single.forward(&[t], i).unwrap();
            }
            assert!(close(&expected, &got), "{arch}: token by token");
            // Another clone runs a different prompt meanwhile; then `whole` continues as if alone.
            let mut other = template.clone();
            other.forward(&tokens[2..5], 0).unwrap();
            let next = whole.forward(&tokens[..1], tokens.len()).unwrap();
            let mut fresh = template.clone();
            fresh.forward(&tokens, 0).unwrap();
            assert!(close(&next, &fresh.forward(&tokens[..1], tokens.len()).unwrap()), "{arch}: clones");
            // A cleared cache starts over.
            whole.clear();
            assert!(close(&expected, &whole.forward(&tokens, 0).unwrap()), "{arch}: cleared");
        }
    }
}
