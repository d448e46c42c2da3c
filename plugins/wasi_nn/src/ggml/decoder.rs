//! The Llama-style decoder on quantized GGUF weights, written for this backend on candle's tensor
//! operations: `llama` (dense Llama, Mistral and their kin), `qwen2`, `qwen3` and `phi3`. They differ only
//! in a few switches, read from the GGUF file:
//!
//! | | llama | qwen2 | qwen3 | phi3 |
//! |---|---|---|---|---|
//! | rotary layout | interleaved pairs (`2i, 2i+1`) | NeoX halves (`i, i + d/2`) | NeoX halves | NeoX halves |
//! | Q/K/V biases | — | yes | — | — |
//! | Q/K RMS norm per head | — | — | yes | — |
//! | head width | `embedding_length / head_count` | the same | `attention.key_length` | the same as llama |
//! | Q, K, V and gate, up | separate matrices | separate | separate | one `attn_qkv`, one `ffn_up` (gate then up) |
//!
//! Each block is RMS norm → attention → residual, RMS norm → SiLU-gated MLP → residual, as llama.cpp's
//! graphs for these architectures. It shares with [`super::gemma3`] the KV cache written in place, the
//! grouped-query attention without per-head copies, the quantized embedding table and rotary angles
//! computed per evaluation (so any trained position runs, without tables), and it exposes the final
//! hidden states that embedding mode needs. Llama files with experts (Mixtral) stay on candle's
//! `quantized_llama` ([`super::model`]).
//!
//! A clone shares the weights (reference-counted) and has its own, empty KV cache.

use candle_core::quantized::{QMatMul, gguf_file};
use candle_core::{Device, Module, Result, Tensor};
use candle_transformers::quantized_nn::RmsNorm;

use super::blocks::{Block, CacheSlot, Stack, attend, ends, inv_freq, rotary};
use super::linear::Linear;

/// The Q, K and V projections: three matrices, or one whose output rows are Q's, then K's, then V's.
#[derive(Debug, Clone)]
enum Qkv {
    Separate(Linear, Linear, Linear),
    Fused(Linear),
}

/// The gate and up projections: two matrices, or one whose output rows are the gate's, then up's.
#[derive(Debug, Clone)]
enum GateUp {
    Separate(Linear, Linear),
    Fused(Linear),
}

#[derive(Debug, Clone)]
pub struct Layer {
    qkv: Qkv,
    wo: Linear,
    /// Q, K and V biases (qwen2).
    biases: Option<[Tensor; 3]>,
    /// Per-head RMS norms of Q and K (qwen3).
    qk_norm: Option<(RmsNorm, RmsNorm)>,
    attn_norm: RmsNorm,
    ffn_norm: RmsNorm,
    gate_up: GateUp,
    down: Linear,
    cache: CacheSlot,
}

/// What every layer needs from the model.
#[derive(Debug, Clone)]
pub struct Dims {
    n_head: usize,
    n_kv_head: usize,
    head_dim: usize,
    /// NeoX rotary halves (qwen) rather than interleaved pairs (llama).
    neox: bool,
    inv_freq: Tensor,
}

/// A llama, qwen2, qwen3 or phi3 model with its own KV cache.
pub type ModelWeights = Stack<Layer>;

impl Layer {
    fn attention(&mut self, x: &Tensor, pos: usize, d: &Dims) -> Result<Tensor> {
        let (b, t, _) = x.dims3()?;
        let (q, k, v) = match &self.qkv {
            Qkv::Separate(wq, wk, wv) => (wq.forward(x)?, wk.forward(x)?, wv.forward(x)?),
            Qkv::Fused(w) => {
                let y = w.forward(x)?;
                let (nq, nkv) = (d.n_head * d.head_dim, d.n_kv_head * d.head_dim);
                (y.narrow(2, 0, nq)?, y.narrow(2, nq, nkv)?, y.narrow(2, nq + nkv, nkv)?)
            }
        };
        let heads = |y: Tensor, bias: Option<&Tensor>, n: usize| -> Result<Tensor> {
            let y = match bias {
                Some(bias) => y.broadcast_add(bias)?,
                None => y,
            };
            y.reshape((b, t, n, d.head_dim))?.transpose(1, 2)?.contiguous()
        };
        let bias = |i: usize| self.biases.as_ref().map(|b| &b[i]);
        let mut q = heads(q, bias(0), d.n_head)?;
        let mut k = heads(k, bias(1), d.n_kv_head)?;
        let v = heads(v, bias(2), d.n_kv_head)?;
        if let Some((q_norm, k_norm)) = &self.qk_norm {
            q = q_norm.forward(&q)?;
            k = k_norm.forward(&k)?;
        }
        let (cos, sin) = rotary(&d.inv_freq, pos, t)?;
        let rope = if d.neox { candle_nn::rotary_emb::rope } else { candle_nn::rotary_emb::rope_i };
        let (q, k) = (rope(&q, &cos, &sin)?, rope(&k, &cos, &sin)?);
        let scale = 1.0 / (d.head_dim as f64).sqrt();
        let y = attend(&mut self.cache, (&q, &k, &v), pos, None, scale)?;
        self.wo.forward(&y)
    }
}

impl Block for Layer {
    type Dims = Dims;

    fn cache(&mut self) -> &mut CacheSlot {
        &mut self.cache
    }

    fn forward(&mut self, x: &Tensor, pos: usize, d: &Dims) -> Result<Tensor> {
        let h = self.attention(&self.attn_norm.forward(x)?, pos, d)?;
        let x = (x + h)?;
        let h = self.ffn_norm.forward(&x)?;
        let (gate, up) = match &self.gate_up {
            GateUp::Separate(gate, up) => (gate.forward(&h)?, up.forward(&h)?),
            GateUp::Fused(w) => {
                let y = w.forward(&h)?;
                let n = y.dim(2)? / 2;
                (y.narrow(2, 0, n)?, y.narrow(2, n, n)?)
            }
        };
        let h = self.down.forward(&(candle_nn::ops::silu(&gate)? * up)?)?;
        x + h
    }
}

impl Stack<Layer> {
    /// Read a `llama`, `qwen2`, `qwen3` or `phi3` model from a GGUF file's content and tensor data.
    pub fn from_gguf<R: std::io::Seek + std::io::Read>(
        ct: gguf_file::Content,
        reader: &mut R,
        device: &Device,
    ) -> Result<Self> {
        let arch = super::model::architecture(&ct.metadata).unwrap_or_default();
        let md = |key: &str| {
            ct.metadata.get(&format!("{arch}.{key}")).ok_or_else(|| candle_core::Error::Msg(format!("no {arch}.{key}")))
        };
        let n_head = md("attention.head_count")?.to_u32()? as usize;
        let n_kv_head = md("attention.head_count_kv")?.to_u32()? as usize;
        let n_layer = md("block_count")?.to_u32()? as usize;
        let n_embd = md("embedding_length")?.to_u32()? as usize;
        let eps = md("attention.layer_norm_rms_epsilon")?.to_f32()? as f64;
        let freq_base = md("rope.freq_base").and_then(|v| v.to_f32()).unwrap_or(10_000.0);
        if n_head == 0 {
            candle_core::bail!("{arch}: no attention heads");
        }
        let head_dim = match arch.as_str() {
            "qwen3" => md("attention.key_length")?.to_u32()? as usize,
            _ => n_embd / n_head,
        };
        if let Ok(rope_dim) = md("rope.dimension_count").and_then(|v| v.to_u32())
            && rope_dim as usize != head_dim
        {
            candle_core::bail!("{arch}: rotary embeddings over {rope_dim} of {head_dim} dimensions are not supported");
        }

        let (embeddings, output, norm) = ends(&ct, reader, n_embd, eps, device)?;

        let mut layers = Vec::with_capacity(n_layer);
        for il in 0..n_layer {
            let mut t = |name: &str| ct.tensor(reader, &format!("blk.{il}.{name}"), device);
            let mut mm = |name: &str| QMatMul::from_qtensor(t(&format!("{name}.weight"))?).map(Linear);
            let (qkv, gate_up) = if arch == "phi3" {
                (Qkv::Fused(mm("attn_qkv")?), GateUp::Fused(mm("ffn_up")?))
            } else {
                let qkv = Qkv::Separate(mm("attn_q")?, mm("attn_k")?, mm("attn_v")?);
                (qkv, GateUp::Separate(mm("ffn_gate")?, mm("ffn_up")?))
            };
            let (wo, down) = (mm("attn_output")?, mm("ffn_down")?);
            let mut t = |name: &str| ct.tensor(reader, &format!("blk.{il}.{name}"), device);
            let biases = if arch == "qwen2" {
                let mut bias = |name: &str| t(&format!("{name}.bias"))?.dequantize(device);
                Some([bias("attn_q")?, bias("attn_k")?, bias("attn_v")?])
            } else {
                None
            };
            let mut rms = |name: &str| RmsNorm::from_qtensor(t(&format!("{name}.weight"))?, eps);
            let qk_norm = if arch == "qwen3" { Some((rms("attn_q_norm")?, rms("attn_k_norm")?)) } else { None };
            layers.push(Layer {
                qkv,
                wo,
                biases,
                qk_norm,
                attn_norm: rms("attn_norm")?,
                ffn_norm: rms("ffn_norm")?,
                gate_up,
                down,
                cache: CacheSlot::default(),
            });
        }
        let dims = Dims {
            n_head,
            n_kv_head,
            head_dim,
            neox: arch != "llama",
            inv_freq: inv_freq(head_dim, freq_base, 1.0, device)?,
        };
        Ok(Stack { embeddings, embed_scale: None, blocks: layers, norm, output, dims })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ggml::testing::tiny_gguf;
    use candle_core::DType;
    use candle_transformers::models::{quantized_llama, quantized_phi3, quantized_qwen2, quantized_qwen3};

    /// A candle model's forward pass.
    type Forward = dyn FnMut(&Tensor, usize) -> Tensor;

    fn content(bytes: &[u8]) -> (gguf_file::Content, std::io::Cursor<&[u8]>) {
        let mut reader = std::io::Cursor::new(bytes);
        (gguf_file::Content::read(&mut reader).unwrap(), reader)
    }

    fn max_difference(a: &Tensor, b: &Tensor) -> f32 {
        let a = a.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let b = b.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        assert_eq!(a.len(), b.len());
        a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
    }

    /// Our decoder computes what candle-transformers' llama, qwen2, qwen3 and phi3 compute: a prompt, then
    /// two tokens after the cache.
    #[test]
    fn matches_candles_models() {
        let dev = Device::Cpu;
        let input = |ids: &[u32]| Tensor::new(ids, &dev).unwrap().unsqueeze(0).unwrap();
        let steps: [(&[u32], usize); 3] = [(&[1, 5, 9, 4, 7], 0), (&[3], 5), (&[8], 6)];
        // Logits of magnitude 1.5 to 2.7: llama's and qwen2's are equal to the last bit; candle's qwen3
        // runs its own attention kernel over its cache, which adds in another order (seen: 0.0011 after
        // the cache).
        for (arch, tolerance) in [("llama", 0.0), ("qwen2", 0.0), ("qwen3", 2e-3), ("phi3", 1e-3)] {
            let bytes = tiny_gguf(arch, 5);
            let (ct, mut reader) = content(&bytes);
            let mut ours = ModelWeights::from_gguf(ct, &mut reader, &dev).unwrap();
            let (ct, mut reader) = content(&bytes);
            let mut forward: Box<Forward> = match arch {
                "llama" => {
                    let mut m = quantized_llama::ModelWeights::from_gguf(ct, &mut reader, &dev).unwrap();
                    Box::new(move |x, pos| m.forward(x, pos).unwrap())
                }
                "phi3" => {
                    let mut m = quantized_phi3::ModelWeights::from_gguf(false, ct, &mut reader, &dev).unwrap();
                    Box::new(move |x, pos| m.forward(x, pos).unwrap())
                }
                "qwen3" => {
                    let mut m = quantized_qwen3::ModelWeights::from_gguf(ct, &mut reader, &dev).unwrap();
                    Box::new(move |x, pos| m.forward(x, pos).unwrap())
                }
                _ => {
                    let mut m = quantized_qwen2::ModelWeights::from_gguf(ct, &mut reader, &dev).unwrap();
                    Box::new(move |x, pos| m.forward(x, pos).unwrap())
                }
            };
            for (ids, pos) in steps {
                let x = input(ids);
                let expected = forward(&x, pos).to_dtype(DType::F32).unwrap();
                let got = ours.forward(&x, pos).unwrap();
                let d = max_difference(&expected, &got);
                assert!(d <= tolerance, "{arch} at {pos}: logits differ by {d}");
            }
            // The hidden states end in the logits: the last row through the output matrix.
            let mut again = ours.clone();
            let hidden = again.hidden(&input(steps[0].0), 0).unwrap();
            assert_eq!(hidden.dims(), [1, 5, hidden.dim(2).unwrap()]);
        }
    }

    /// A llama file with experts loads on candle's mixture-of-experts model: the tiny "mixtral" has two
    /// copies of llama's feed-forward network and a router of zeros, so it computes what llama does.
    #[test]
    fn llama_with_experts_runs_on_candles_model() {
        use crate::ggml::model::Weights;
        let load = |arch: &str| {
            let bytes = tiny_gguf(arch, 5);
            let (ct, _) = content(&bytes);
            Weights::load(ct, &bytes).unwrap()
        };
        let (mut dense, dense_info) = load("llama");
        let (mut moe, moe_info) = load("mixtral");
        assert!(matches!(dense, Weights::Decoder(_)) && matches!(moe, Weights::Experts(_)));
        assert_eq!((dense_info.architecture.as_str(), moe_info.architecture.as_str()), ("llama", "llama"));
        for (ids, pos) in [(&[1u32, 5, 9, 4, 7][..], 0), (&[3], 5)] {
            let (a, b) = (dense.forward(ids, pos).unwrap(), moe.forward(ids, pos).unwrap());
            let d = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0f32, f32::max);
            assert!(d < 1e-3, "at {pos}: {d}");
        }
        // Its hidden states are candle's, not reachable: no embeddings.
        assert!(moe.hidden_states(&[1, 5], 0).unwrap().is_none());
    }
}
