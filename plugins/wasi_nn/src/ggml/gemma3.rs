//! Gemma 3 on quantized GGUF weights, written for this backend on candle's tensor operations.
//!
//! candle-transformers 0.11.1 has a `quantized_gemma3`, but it does not compute what Gemma 3 (and
//! llama.cpp) compute, and it is heavy: its feed-forward activation is SiLU where Gemma uses GELU (tanh
//! approximation); it ignores the sliding window once generation is past the prompt; it cannot evaluate
//! several tokens after a cached prefix; it dequantizes the token-embedding table to f32 (671 MB for the
//! 262 144-token vocabulary of Gemma-3 270M, whose weights are 250 MB in all) and precomputes rotary tables
//! for 131 072 positions in every layer (another 1.2 GB for that model, and most of its load time).
//!
//! Here, as in llama.cpp's `gemma3` graph:
//! - the embedding table stays quantized: rows are dequantized on lookup, and the same tensor is the
//!   output projection when the model ties them (no `output.weight`);
//! - rotary angles are computed for the positions of each evaluation (NeoX layout), with the local base
//!   (`rope.local_freq_base`, 10 000) on sliding-window layers and `rope.freq_base` with the linear
//!   `rope.scaling.factor` on the global ones (every `sliding_window_type`-th layer, 6 by default);
//! - a sliding-window layer attends to the last `sliding_window` positions, including its own, and its KV
//!   cache keeps only those (so a long context costs global layers only);
//! - attention is scaled by `key_length^-1/2` (`(n_embd / n_head)^-1/2` for the 62-layer 27B model, as
//!   llama.cpp does); the block is norm → attention → post-norm → residual, norm → GELU-gated MLP →
//!   post-norm → residual; embeddings are scaled by `sqrt(n_embd)`.
//!
//! A clone shares the weights (reference-counted) and has its own KV cache.

use candle_core::quantized::{QMatMul, gguf_file};
use candle_core::{Device, Module, Result, Tensor};
use candle_transformers::quantized_nn::RmsNorm;

use super::blocks::{Block, CacheSlot, Stack, attend, ends, inv_freq, rotary};
use super::linear::Linear;

#[derive(Debug, Clone)]
pub struct Layer {
    wq: Linear,
    wk: Linear,
    wv: Linear,
    wo: Linear,
    q_norm: RmsNorm,
    k_norm: RmsNorm,
    attn_norm: RmsNorm,
    post_attn_norm: RmsNorm,
    ffn_norm: RmsNorm,
    post_ffn_norm: RmsNorm,
    gate: Linear,
    up: Linear,
    down: Linear,
    /// `Some(n)`: a sliding-window layer attending to the last `n` positions.
    window: Option<usize>,
    /// The rotary inverse frequencies (already divided by the scaling factor), `head_dim / 2` of them.
    inv_freq: Tensor,
    cache: CacheSlot,
}

/// A Gemma 3 model with its own KV cache.
pub type ModelWeights = Stack<Layer>;

impl Layer {
    fn attention(&mut self, x: &Tensor, pos: usize, model: &Dims) -> Result<Tensor> {
        let (b, t, _) = x.dims3()?;
        let heads = |m: &Linear, n: usize| -> Result<Tensor> {
            m.forward(x)?.reshape((b, t, n, model.head_dim))?.transpose(1, 2)?.contiguous()
        };
        let q = self.q_norm.forward(&heads(&self.wq, model.n_head)?)?;
        let k = self.k_norm.forward(&heads(&self.wk, model.n_kv_head)?)?;
        let v = heads(&self.wv, model.n_kv_head)?;
        let (cos, sin) = rotary(&self.inv_freq, pos, t)?;
        let q = candle_nn::rotary_emb::rope(&q, &cos, &sin)?;
        let k = candle_nn::rotary_emb::rope(&k, &cos, &sin)?;

        let y = attend(&mut self.cache, (&q, &k, &v), pos, self.window, model.attention_scale)?;
        self.wo.forward(&y)
    }
}

impl Block for Layer {
    type Dims = Dims;

    fn cache(&mut self) -> &mut CacheSlot {
        &mut self.cache
    }

    fn forward(&mut self, x: &Tensor, pos: usize, model: &Dims) -> Result<Tensor> {
        let h = self.attn_norm.forward(x)?;
        let h = self.attention(&h, pos, model)?;
        let x = (x + self.post_attn_norm.forward(&h)?)?;
        let h = self.ffn_norm.forward(&x)?;
        let h = self.down.forward(&(self.gate.forward(&h)?.gelu()? * self.up.forward(&h)?)?)?;
        x + self.post_ffn_norm.forward(&h)?
    }
}

/// The dimensions a layer needs from the model.
#[derive(Debug, Clone)]
pub struct Dims {
    n_head: usize,
    n_kv_head: usize,
    head_dim: usize,
    attention_scale: f64,
}

impl Stack<Layer> {
    /// Read the model from a GGUF file's content and tensor data.
    pub fn from_gguf<R: std::io::Seek + std::io::Read>(
        ct: gguf_file::Content,
        reader: &mut R,
        device: &Device,
    ) -> Result<Self> {
        let md = |key: &str| {
            ct.metadata.get(&format!("gemma3.{key}")).ok_or_else(|| candle_core::Error::Msg(format!("no gemma3.{key}")))
        };
        let n_head = md("attention.head_count")?.to_u32()? as usize;
        let n_kv_head = md("attention.head_count_kv")?.to_u32()? as usize;
        let n_layer = md("block_count")?.to_u32()? as usize;
        let n_embd = md("embedding_length")?.to_u32()? as usize;
        let head_dim = md("attention.key_length")?.to_u32()? as usize;
        let eps = md("attention.layer_norm_rms_epsilon")?.to_f32()? as f64;
        let window = md("attention.sliding_window")?.to_u32()? as usize;
        let pattern = md("attention.sliding_window_type").and_then(|v| v.to_u32()).map_or(6, |v| v as usize).max(1);
        let freq_base = md("rope.freq_base").and_then(|v| v.to_f32()).unwrap_or(1_000_000.0);
        let local_base = md("rope.local_freq_base").and_then(|v| v.to_f32()).unwrap_or(10_000.0);
        let factor = md("rope.scaling.factor").and_then(|v| v.to_f32()).unwrap_or(1.0);
        let scale = if factor > 0.0 { 1.0 / factor } else { 1.0 };
        if n_kv_head == 0 || !n_head.is_multiple_of(n_kv_head) {
            candle_core::bail!("gemma3: {n_head} heads cannot share {n_kv_head} KV heads");
        }
        let attention_scale =
            if n_layer == 62 { 1.0 / ((n_embd / n_head) as f64).sqrt() } else { 1.0 / (head_dim as f64).sqrt() };

        let (embeddings, output, norm) = ends(&ct, reader, n_embd, eps, device)?;
        let global_freq = inv_freq(head_dim, freq_base, scale, device)?;
        let local_freq = inv_freq(head_dim, local_base, 1.0, device)?;

        let mut layers = Vec::with_capacity(n_layer);
        for il in 0..n_layer {
            let mut t = |name: &str| ct.tensor(reader, &format!("blk.{il}.{name}.weight"), device);
            let mut mm = |name: &str| QMatMul::from_qtensor(t(name)?).map(Linear);
            let (wq, wk, wv, wo) = (mm("attn_q")?, mm("attn_k")?, mm("attn_v")?, mm("attn_output")?);
            let (gate, up, down) = (mm("ffn_gate")?, mm("ffn_up")?, mm("ffn_down")?);
            let mut rms =
                |name: &str| RmsNorm::from_qtensor(ct.tensor(reader, &format!("blk.{il}.{name}.weight"), device)?, eps);
            let sliding = (il + 1) % pattern != 0;
            layers.push(Layer {
                wq,
                wk,
                wv,
                wo,
                q_norm: rms("attn_q_norm")?,
                k_norm: rms("attn_k_norm")?,
                attn_norm: rms("attn_norm")?,
                post_attn_norm: rms("post_attention_norm")?,
                ffn_norm: rms("ffn_norm")?,
                post_ffn_norm: rms("post_ffw_norm")?,
                gate,
                up,
                down,
                window: sliding.then_some(window),
                inv_freq: if sliding { local_freq.clone() } else { global_freq.clone() },
                cache: CacheSlot::default(),
            });
        }
        let dims = Dims { n_head, n_kv_head, head_dim, attention_scale };
        Ok(Stack { embeddings, embed_scale: Some((n_embd as f64).sqrt()), blocks: layers, norm, output, dims })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ggml::blocks::CACHE_SLACK;
    use crate::ggml::testing::tiny_gguf;
    use candle_core::quantized::gguf_file::Value;

    /// The tiny Gemma 3 of the tests, with a sliding window of `window` positions.
    fn tiny(window: u32) -> ModelWeights {
        let bytes = tiny_gguf("gemma3", 11);
        let mut reader = std::io::Cursor::new(&bytes[..]);
        let mut content = gguf_file::Content::read(&mut reader).unwrap();
        content.metadata.insert("gemma3.attention.sliding_window".into(), Value::U32(window));
        ModelWeights::from_gguf(content, &mut reader, &Device::Cpu).unwrap()
    }

    fn logits(m: &mut ModelWeights, tokens: &[u32], pos: usize) -> Vec<f32> {
        let x = Tensor::new(tokens, &Device::Cpu).unwrap().unsqueeze(0).unwrap();
        m.forward(&x, pos).unwrap().flatten_all().unwrap().to_vec1().unwrap()
    }

    fn close(a: &[f32], b: &[f32]) -> bool {
        within(a, b, 1e-4)
    }

    fn within(a: &[f32], b: &[f32], tolerance: f32) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < tolerance)
    }

    #[test]
    fn the_sliding_window_is_the_same_masked_or_trimmed_from_the_cache() {
        // Token by token, no mask is built: the same logits as the whole prompt at once.
        let short: Vec<u32> = (3..15).collect();
        let mut single = tiny(3);
        let mut got = Vec::new();
        for (i, t) in short.iter().enumerate() {
            got = logits(&mut single, &[*t], i);
        }
        assert!(close(&logits(&mut tiny(3), &short, 0), &got), "token by token");
        // Long enough for the sliding layers' buffers to fill up and be compacted several times. (Past
        // about 40 positions the whole prompt's attention products add in another order: logits of
        // magnitude 2.4 differ by up to 0.003 from token-by-token evaluation, with or without this
        // cache, so the tolerance is wider here.)
        let tokens: Vec<u32> = (3..15).cycle().take(2 * CACHE_SLACK + 40).collect();
        let expected = logits(&mut tiny(3), &tokens, 0);
        let mut single = tiny(3);
        for (i, t) in tokens.iter().enumerate() {
            got = logits(&mut single, &[*t], i);
        }
        assert!(within(&expected, &got, 1e-2), "token by token, compacted");
        for layer in &single.blocks {
            let cache = layer.cache.0.as_ref().unwrap();
            assert_eq!(cache.start + cache.len, tokens.len());
            if layer.window.is_some() {
                assert!(cache.k.dim(2).unwrap() <= 2 + 1 + CACHE_SLACK && cache.start > 0, "{}", cache.start);
            } else {
                assert_eq!(cache.start, 0);
            }
        }
        // Chunks after a compacted cache.
        let mut chunked = tiny(3);
        let n = tokens.len();
        logits(&mut chunked, &tokens[..n - 20], 0);
        logits(&mut chunked, &tokens[n - 20..n - 7], n - 20);
        assert!(within(&expected, &logits(&mut chunked, &tokens[n - 7..], n - 7), 1e-2), "chunked");
        // A clone starts with an empty cache (the buffers are written in place, never shared).
        assert!(chunked.clone().blocks.iter().all(|l| l.cache.0.is_none()));
        // The window matters: a model that sees everything computes something else.
        let mut wide = tiny(512);
        assert!(!close(&expected, &logits(&mut wide, &tokens, 0)));
        // A position that does not follow the cache is an error, not a silent restart.
        assert!(wide.forward(&Tensor::new(&[1u32], &Device::Cpu).unwrap().unsqueeze(0).unwrap(), 4000).is_err());
    }
}
