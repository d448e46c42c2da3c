//! The pieces our transformers share ([`super::gemma3`], [`super::decoder`]): the model as a stack of
//! blocks between the token embeddings and the vocabulary head, the token-embedding table, a KV cache
//! written in place, rotary angles computed per evaluation, and grouped-query attention.

use std::sync::Arc;

use candle_core::quantized::{QMatMul, QTensor, gguf_file};
use candle_core::{DType, Device, IndexOp, Module, Result, Tensor};
use candle_transformers::quantized_nn::RmsNorm;

/// The token-embedding table: quantized when its rows are whole blocks, else dequantized.
#[derive(Debug, Clone)]
pub enum Embeddings {
    Quantized(Arc<QTensor>),
    Dense(Tensor),
}

impl Embeddings {
    pub fn lookup(&self, ids: &Tensor) -> Result<Tensor> {
        match self {
            Embeddings::Quantized(q) => q.embedding(ids),
            Embeddings::Dense(t) => {
                let (b, s) = ids.dims2()?;
                t.index_select(&ids.flatten_all()?, 0)?.reshape((b, s, t.dim(1)?))
            }
        }
    }

    /// The table `embd`: kept quantized when its rows (`n_embd` values) are whole blocks.
    pub fn new(embd: Arc<QTensor>, n_embd: usize, device: &Device) -> Result<Embeddings> {
        Ok(if n_embd.is_multiple_of(embd.dtype().block_size()) {
            Embeddings::Quantized(embd)
        } else {
            Embeddings::Dense(embd.dequantize(device)?)
        })
    }
}

/// One layer's KV cache: keys and values of positions `start..start + len` in the first `len` rows of
/// buffers with room for more, so that a token's keys and values are written in place instead of the
/// whole cache being copied for every token. A sliding-window layer drops the positions no later query
/// can see only when its buffer is full (then the kept rows move to the front of a new buffer), so a
/// long context costs global layers only.
#[derive(Debug)]
pub(crate) struct Cache {
    pub(crate) k: Tensor,
    v: Tensor,
    pub(crate) start: usize,
    pub(crate) len: usize,
}

/// The rows a cache buffer gets at least beyond what it must hold when it is (re)allocated.
pub(crate) const CACHE_SLACK: usize = 256;

impl Cache {
    /// Store the keys and values `(b, heads, t, head_dim)` of positions `pos..pos + t` and return the
    /// keys and values of positions `visible_from..pos + t` (views into the buffers) with the first of
    /// those positions. Positions before `visible_from` may be dropped: no query now or later sees them.
    fn append(
        slot: &mut Option<Cache>,
        k: &Tensor,
        v: &Tensor,
        pos: usize,
        visible_from: usize,
    ) -> Result<(Tensor, Tensor, usize)> {
        let t = k.dim(2)?;
        let cache = match slot.take() {
            _ if pos == 0 => None,
            Some(c) if c.start + c.len == pos => Some(c),
            _ => candle_core::bail!("evaluating position {pos} without the cache before it"),
        };
        let mut cache = match cache {
            Some(c) if c.len + t <= c.k.dim(2)? => c,
            old => {
                // A new buffer with the rows still needed moved to its front.
                let (start, kept) = match &old {
                    Some(c) => {
                        let from = visible_from.clamp(c.start, pos);
                        (from, pos - from)
                    }
                    None => (pos, 0),
                };
                let (b, heads, _, dim) = k.dims4()?;
                // Room for `CACHE_SLACK` more rows, or half as many again as it holds: a long context
                // is copied a logarithmic number of times, and at most a third of a buffer is unused.
                let capacity = (kept + t + CACHE_SLACK).max((kept + t) * 3 / 2);
                let new_k = Tensor::zeros((b, heads, capacity, dim), k.dtype(), k.device())?;
                let new_v = Tensor::zeros((b, heads, capacity, dim), v.dtype(), v.device())?;
                if let Some(c) = old
                    && kept > 0
                {
                    new_k.slice_set(&c.k.narrow(2, start - c.start, kept)?.contiguous()?, 2, 0)?;
                    new_v.slice_set(&c.v.narrow(2, start - c.start, kept)?.contiguous()?, 2, 0)?;
                }
                Cache { k: new_k, v: new_v, start, len: kept }
            }
        };
        cache.k.slice_set(&k.contiguous()?, 2, cache.len)?;
        cache.v.slice_set(&v.contiguous()?, 2, cache.len)?;
        cache.len += t;
        let from = visible_from.clamp(cache.start, pos);
        let n = pos + t - from;
        let at = from - cache.start;
        let visible = (cache.k.narrow(2, at, n)?, cache.v.narrow(2, at, n)?, from);
        *slot = Some(cache);
        Ok(visible)
    }
}

/// A layer's cache slot. Cloning a model gives the clone an empty cache: the buffers are written in
/// place, so they are never shared.
#[derive(Debug, Default)]
pub struct CacheSlot(pub(crate) Option<Cache>);

impl Clone for CacheSlot {
    fn clone(&self) -> Self {
        CacheSlot(None)
    }
}

/// `cos` and `sin` of the rotary angles for `len` positions from `pos` (`(len, head_dim / 2)` each).
pub fn rotary(inv_freq: &Tensor, pos: usize, len: usize) -> Result<(Tensor, Tensor)> {
    let positions: Vec<f32> = (pos..pos + len).map(|p| p as f32).collect();
    let positions = Tensor::from_vec(positions, (len, 1), inv_freq.device())?;
    let angles = positions.broadcast_mul(&inv_freq.unsqueeze(0)?)?;
    Ok((angles.cos()?, angles.sin()?))
}

/// The additive attention mask of queries at `pos..pos + q_len` over keys at `k_start..pos + q_len`:
/// 0 where a query may look (causal, and within `window` when there is one), -inf elsewhere. The rows
/// are repeated `groups` times, for the query heads that share one key head stacked as rows.
fn mask(
    pos: usize,
    q_len: usize,
    k_start: usize,
    window: Option<usize>,
    groups: usize,
    device: &Device,
) -> Result<Tensor> {
    let k_len = pos + q_len - k_start;
    let mut m = Vec::with_capacity(groups * q_len * k_len);
    for _ in 0..groups {
        for i in pos..pos + q_len {
            for j in k_start..pos + q_len {
                let visible = j <= i && window.is_none_or(|w| i - j < w);
                m.push(if visible { 0f32 } else { f32::NEG_INFINITY });
            }
        }
    }
    Tensor::from_vec(m, (1, 1, groups * q_len, k_len), device)
}

/// The rotary inverse frequencies of `head_dim`-wide heads for `base`, multiplied by `scale`.
pub fn inv_freq(head_dim: usize, base: f32, scale: f32, device: &Device) -> Result<Tensor> {
    let f: Vec<f32> = (0..head_dim).step_by(2).map(|i| scale / base.powf(i as f32 / head_dim as f32)).collect();
    Tensor::new(f.as_slice(), device)
}

/// Scaled dot-product attention of the queries `q` `(b, n_head, t, head_dim)` at positions `pos..pos + t`
/// over the cached positions and these, whose keys and values `k`, `v` `(b, n_kv_head, t, head_dim)` are
/// added to `cache`; causal, and within the last `window` positions when there is one. The result is
/// `(b, t, n_head * head_dim)`.
///
/// Grouped-query attention without copying the keys per query head: the query heads that share a key
/// head are stacked as rows, `(b, n_kv_head, groups * t, head_dim)`.
pub fn attend(
    cache: &mut CacheSlot,
    (q, k, v): (&Tensor, &Tensor, &Tensor),
    pos: usize,
    window: Option<usize>,
    scale: f64,
) -> Result<Tensor> {
    let (b, n_head, t, head_dim) = q.dims4()?;
    let n_kv_head = k.dim(1)?;
    if n_kv_head == 0 || !n_head.is_multiple_of(n_kv_head) {
        candle_core::bail!("{n_head} heads cannot share {n_kv_head} KV heads");
    }
    // Positions in the cache, then these, from the first one the first query can see.
    let visible_from = window.map_or(0, |w| (pos + 1).saturating_sub(w));
    let (k, v, k_start) = Cache::append(&mut cache.0, k, v, pos, visible_from)?;
    let groups = n_head / n_kv_head;
    let q = q.reshape((b, n_kv_head, groups * t, head_dim))?;
    let mut att = (q.matmul(&k.t()?)? * scale)?;
    // One query sees every key from `visible_from` on: no mask needed.
    if t > 1 {
        att = att.broadcast_add(&mask(pos, t, k_start, window, groups, q.device())?)?;
    }
    let att = candle_nn::ops::softmax_last_dim(&att)?;
    att.matmul(&v)?.reshape((b, n_head, t, head_dim))?.transpose(1, 2)?.reshape((b, t, n_head * head_dim))
}

/// One transformer block: its forward pass over `x` at positions `pos..` (after the cached ones).
pub trait Block: Clone + std::fmt::Debug {
    /// What every block needs from the model (head counts, rotary frequencies, …).
    type Dims: Clone + std::fmt::Debug;
    fn forward(&mut self, x: &Tensor, pos: usize, dims: &Self::Dims) -> Result<Tensor>;
    fn cache(&mut self) -> &mut CacheSlot;
}

/// A model: the token embeddings (times `embed_scale` when there is one), its blocks, the output norm
/// and the vocabulary head. A clone shares the weights (reference-counted) and has empty KV caches.
#[derive(Debug, Clone)]
pub struct Stack<B: Block> {
    pub(crate) embeddings: Embeddings,
    pub(crate) embed_scale: Option<f64>,
    pub(crate) blocks: Vec<B>,
    pub(crate) norm: RmsNorm,
    pub(crate) output: QMatMul,
    pub(crate) dims: B::Dims,
}

/// The parts of a GGUF model around its blocks: the embedding table (quantized when its rows are whole
/// blocks), the vocabulary head (`output.weight`, or the embedding table when the model ties them) and
/// the output norm.
pub fn ends<R: std::io::Seek + std::io::Read>(
    ct: &gguf_file::Content,
    reader: &mut R,
    n_embd: usize,
    eps: f64,
    device: &Device,
) -> Result<(Embeddings, QMatMul, RmsNorm)> {
    let embd = Arc::new(ct.tensor(reader, "token_embd.weight", device)?);
    let embeddings = Embeddings::new(embd.clone(), n_embd, device)?;
    let output = match ct.tensor(reader, "output.weight", device) {
        Ok(w) => QMatMul::from_qtensor(w)?,
        Err(_) => QMatMul::from_arc(embd)?,
    };
    let norm = RmsNorm::from_qtensor(ct.tensor(reader, "output_norm.weight", device)?, eps)?;
    Ok((embeddings, output, norm))
}

impl<B: Block> Stack<B> {
    /// Drop the KV caches.
    pub fn clear_kv_cache(&mut self) {
        for block in &mut self.blocks {
            *block.cache() = CacheSlot::default();
        }
    }

    /// The logits of the token after `x` (`(batch, seq_len)` token ids at positions from `pos`, following
    /// the `pos` positions in the cache).
    pub fn forward(&mut self, x: &Tensor, pos: usize) -> Result<Tensor> {
        let (_, t) = x.dims2()?;
        let last = self.trunk(x, pos)?.i((.., t - 1, ..))?;
        self.output.forward(&self.norm.forward(&last)?)?.to_dtype(DType::F32)
    }

    /// The final hidden states of `x`'s tokens (after the output norm): `(batch, seq_len, n_embd)`.
    pub fn hidden(&mut self, x: &Tensor, pos: usize) -> Result<Tensor> {
        let h = self.trunk(x, pos)?;
        self.norm.forward(&h)?.to_dtype(DType::F32)
    }

    /// The embeddings through every block.
    fn trunk(&mut self, x: &Tensor, pos: usize) -> Result<Tensor> {
        let mut h = self.embeddings.lookup(x)?;
        if let Some(scale) = self.embed_scale {
            h = (h * scale)?;
        }
        for block in &mut self.blocks {
            h = block.forward(&h, pos, &self.dims)?;
        }
        Ok(h)
    }
}
