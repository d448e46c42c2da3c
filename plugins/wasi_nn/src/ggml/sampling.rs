//! Picking the next token, in the order of llama.cpp's default sampler chain (the one WasmEdge 0.15
//! builds): repeat/frequency/presence penalties over the last generated tokens, then top-k, top-p and
//! min-p on the raw logits, then the temperature and a seeded draw (candle's `LogitsProcessor`). A
//! temperature of 0 or less takes the most likely token. The same seed gives the same tokens: a sampler
//! is made afresh (and so re-seeded) for every computation, as llama.cpp's is reset.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use candle_core::{Device, Tensor};
use candle_transformers::generation::{LogitsProcessor, Sampling};

use super::metadata::{Config, RANDOM_SEED};

/// A sampler for one computation.
pub struct Sampler {
    temp: f64,
    top_k: i64,
    top_p: f64,
    min_p: f64,
    repeat: f32,
    frequency: f32,
    presence: f32,
    /// How many of the last accepted tokens the penalties consider.
    last_n: usize,
    history: Vec<u32>,
    processor: LogitsProcessor,
}

impl Sampler {
    /// A sampler with `config`'s settings for a context of `n_ctx` tokens.
    pub fn new(config: &Config, n_ctx: usize) -> Sampler {
        // llama.cpp takes the seed as a u32; `LLAMA_DEFAULT_SEED` (0xFFFFFFFF) draws one at random.
        let seed = config.seed as u32;
        let seed = if u64::from(seed) == RANDOM_SEED { RandomState::new().hash_one(0u8) } else { u64::from(seed) };
        let sampling = if config.temp <= 0.0 { Sampling::ArgMax } else { Sampling::All { temperature: config.temp } };
        let last_n = match config.last_n_penalty {
            n if n < 0 => n_ctx,
            n => n as usize,
        };
        Sampler {
            temp: config.temp,
            top_k: config.top_k,
            top_p: config.top_p,
            min_p: config.min_p,
            repeat: config.repeat_penalty as f32,
            frequency: config.frequency_penalty as f32,
            presence: config.presence_penalty as f32,
            last_n,
            history: Vec::new(),
            processor: LogitsProcessor::from_sampling(seed, sampling),
        }
    }

    /// Pick a token from `logits` (one value per vocabulary entry) and remember it for the penalties.
    pub fn sample(&mut self, logits: Vec<f32>) -> candle_core::Result<u32> {
        let mut logits = self.penalize(logits)?;
        let id = if self.temp > 0.0 {
            self.filter(&mut logits);
            let n = logits.len();
            self.processor.sample(&Tensor::from_vec(logits, n, &Device::Cpu)?)?
        } else {
            // Greedy: the first of the largest logits, as llama.cpp's greedy sampler takes it, read in
            // place (a tensor round trip copied the 1 MB of a 262k-token vocabulary for every token).
            let best = logits.iter().enumerate().fold(None, |best: Option<(usize, f32)>, (i, &v)| match best {
                Some((_, b)) if v <= b => best,
                _ if v.is_nan() => best,
                _ => Some((i, v)),
            });
            best.map_or(0, |(i, _)| i as u32)
        };
        self.history.push(id);
        Ok(id)
    }

    fn penalize(&self, logits: Vec<f32>) -> candle_core::Result<Vec<f32>> {
        let window = &self.history[self.history.len().saturating_sub(self.last_n)..];
        if window.is_empty() || (self.repeat == 1.0 && self.frequency == 0.0 && self.presence == 0.0) {
            return Ok(logits);
        }
        let mut logits = if self.repeat != 1.0 {
            let n = logits.len();
            let t = Tensor::from_vec(logits, n, &Device::Cpu)?;
            candle_transformers::utils::apply_repeat_penalty(&t, self.repeat, window)?.to_vec1::<f32>()?
        } else {
            logits
        };
        if self.frequency != 0.0 || self.presence != 0.0 {
            let mut counts: HashMap<u32, u32> = HashMap::new();
            for &t in window {
                *counts.entry(t).or_default() += 1;
            }
            for (t, count) in counts {
                if let Some(l) = logits.get_mut(t as usize) {
                    *l -= count as f32 * self.frequency + self.presence;
                }
            }
        }
        Ok(logits)
    }

    /// top-k, top-p and min-p as llama.cpp applies them (before the temperature): the tokens left out get
    /// a logit of -inf.
    fn filter(&self, logits: &mut [f32]) {
        let n = logits.len();
        let mut order: Vec<usize> = (0..n).collect();
        let by_logit = |a: &usize, b: &usize| logits[*b].total_cmp(&logits[*a]).then(a.cmp(b));
        let mut keep = n;
        if self.top_k > 0 && (self.top_k as usize) < n {
            keep = self.top_k as usize;
            order.select_nth_unstable_by(keep - 1, by_logit);
            order.truncate(keep);
        }
        order.sort_unstable_by(by_logit);
        if self.top_p < 1.0 && !order.is_empty() {
            let max = logits[order[0]];
            let weights: Vec<f64> = order.iter().map(|&i| f64::from(logits[i] - max).exp()).collect();
            let total: f64 = weights.iter().sum();
            let mut cumulative = 0.0;
            for (i, w) in weights.iter().enumerate() {
                cumulative += w / total;
                if cumulative >= self.top_p {
                    keep = keep.min(i + 1);
                    break;
                }
            }
        }
        if self.min_p > 0.0 && !order.is_empty() {
            let floor = logits[order[0]] + (self.min_p as f32).ln();
            let above = order.iter().take_while(|&&i| logits[i] >= floor).count().max(1);
            keep = keep.min(above);
        }
        keep = keep.min(order.len());
        let mut kept = vec![false; n];
        for &i in &order[..keep] {
            kept[i] = true;
        }
        for (l, k) in logits.iter_mut().zip(kept) {
            if !k {
                *l = f32::NEG_INFINITY;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(f: impl FnOnce(&mut Config)) -> Config {
        let mut c = Config::default();
        f(&mut c);
        c
    }

    #[test]
    fn greedy_and_penalties() {
        let mut s = Sampler::new(&config(|c| c.temp = 0.0), 512);
        assert_eq!(s.sample(vec![0.0, 3.0, 1.0]).unwrap(), 1);
        // The first of equal maxima, and NaN never wins.
        assert_eq!(s.sample(vec![f32::NAN, 2.0, 5.0, 5.0, f32::NAN]).unwrap(), 2);
        // A repeat penalty of 4 divides the repeated token's logit: 3/4 < 1.
        let mut s = Sampler::new(&config(|c| (c.temp, c.repeat_penalty) = (0.0, 4.0)), 512);
        assert_eq!(s.sample(vec![0.0, 3.0, 1.0]).unwrap(), 1);
        assert_eq!(s.sample(vec![0.0, 3.0, 1.0]).unwrap(), 2);
        // Presence and frequency: 3 - (1 * 1.5 + 1) < 1.
        let mut s = Sampler::new(&config(|c| (c.temp, c.presence_penalty, c.frequency_penalty) = (0.0, 1.0, 1.5)), 512);
        assert_eq!(s.sample(vec![0.0, 3.0, 1.0]).unwrap(), 1);
        assert_eq!(s.sample(vec![0.0, 3.0, 1.0]).unwrap(), 2);
    }

    #[test]
    fn seeded_sampling_is_deterministic_and_filtered() {
        let logits: Vec<f32> = (0..50).map(|i| (i % 7) as f32 * 0.3).collect();
        let run = |seed: u64| {
            let mut s = Sampler::new(&config(|c| (c.seed, c.temp) = (seed, 1.0)), 512);
            (0..20).map(|_| s.sample(logits.clone()).unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
        // top-k 1 is greedy whatever the temperature.
        let mut s = Sampler::new(&config(|c| (c.seed, c.temp, c.top_k) = (3, 5.0, 1)), 512);
        assert!((0..10).all(|_| s.sample(vec![0.0, 0.5, 0.4]).unwrap() == 1));
        // min-p 0.5 keeps the tokens within ln 2 of the best one.
        let mut s = Sampler::new(&config(|c| (c.seed, c.temp, c.min_p, c.top_p) = (3, 5.0, 0.5, 1.0)), 512);
        assert!((0..30).all(|_| s.sample(vec![0.0, 2.0, 1.9, -5.0]).unwrap() >= 1));
    }
}
