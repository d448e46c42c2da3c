//! Tiny GGUF models made at test time (a few hundred kilobytes, fixed seed), for this crate's tests and
//! the CLI's: `tiny_gguf("llama" | "qwen2" | "qwen3" | "gemma3" | "phi3" | "mixtral", seed)`. "mixtral" is
//! the llama model with its feed-forward networks as two experts, both copies of llama's (architecture
//! `llama`, `expert_count` 2, both used, a router of zeros): the same function, through candle's
//! mixture-of-experts code.
//!
//! Each has two layers of width 64 (4 query heads, 2 KV heads), Q8_0 matrices and F32 norms. The
//! attention and feed-forward weights are small random numbers, so the residual stream carries the
//! current token's embedding (random ±1 entries) to the output head, whose row for token `j` is the sum
//! of the embeddings of the tokens that should be followed by `j`. The models therefore continue fixed
//! chains of words (greedily, whatever the seed of the random weights), while every weight is still
//! used:
//!
//! - ` once` → ` upon` → ` a` → ` time` → EOS (`</s>` / `<|endoftext|>`)
//! - ` the` → ` quick` → ` brown` → ` fox` → ` jumps` → ` over` → ` lazy` → ` dog` → ` the` … (no end)
//! - ` hello` → ` world` → `<|im_end|>`, and `<|im_start|>` → ` hello`
//! - ` snow` → the three byte tokens of `☃` (E2 98 83) → EOS
//!
//! The llama, gemma3 and phi3 models have a SentencePiece vocabulary (`<unk>`, `<s>`, `</s>`, the 256
//! `<0xXX>` byte tokens, the control tokens `<|im_start|>`/`<|im_end|>`, the user-defined token
//! `<tool>`, and every piece of the words above); qwen2 and qwen3 a GPT-2 byte-level BPE vocabulary
//! with merges and the `qwen2` pre-tokenizer.

use candle_core::quantized::gguf_file::Value;
use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
use candle_core::{Device, Tensor};

use super::tokenizer::{TYPE_BYTE, TYPE_CONTROL, TYPE_NORMAL, TYPE_UNKNOWN, TYPE_USER_DEFINED};

const DIM: usize = 64;
const HEADS: usize = 4;
const KV_HEADS: usize = 2;
const HEAD_DIM: usize = DIM / HEADS;
const FFN: usize = 128;
const LAYERS: usize = 2;
const CONTEXT: u32 = 256;
/// Scale of the output head: the chain's next token leads the others by about 4 logits.
const OUT_SCALE: f32 = 0.1;
/// Scale of the attention and feed-forward weights.
const SMALL: f32 = 0.02;

const WORDS: &[&str] = &[
    "once", "upon", "a", "time", "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "hello", "world",
    "snow",
];
const CYCLE: &[&str] = &["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "the"];

/// splitmix64, with uniform and normal draws.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f32 {
        ((self.next() >> 40) as f32 + 0.5) / (1u64 << 24) as f32
    }

    fn normal(&mut self) -> f32 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }

    fn sign(&mut self) -> f32 {
        if self.next() & 1 == 0 { 1.0 } else { -1.0 }
    }
}

/// A vocabulary under construction: token texts, scores and types.
#[derive(Default)]
struct VocabBuilder {
    tokens: Vec<String>,
    scores: Vec<f32>,
    types: Vec<i32>,
}

impl VocabBuilder {
    fn add(&mut self, text: &str, score: f32, ty: i32) {
        if !self.tokens.iter().any(|t| t == text) {
            self.tokens.push(text.to_string());
            self.scores.push(score);
            self.types.push(ty);
        }
    }

    fn id(&self, text: &str) -> usize {
        self.tokens.iter().position(|t| t == text).unwrap_or_else(|| panic!("no token {text:?}"))
    }
}

/// The SentencePiece vocabulary and the chains over it (pairs of token texts).
fn spm_vocab() -> (VocabBuilder, Vec<(String, String)>) {
    let mut v = VocabBuilder::default();
    v.add("<unk>", 0.0, TYPE_UNKNOWN);
    v.add("<s>", 0.0, TYPE_CONTROL);
    v.add("</s>", 0.0, TYPE_CONTROL);
    for b in 0..=255u8 {
        v.add(&format!("<0x{b:02X}>"), 0.0, TYPE_BYTE);
    }
    v.add("<|im_start|>", 0.0, TYPE_CONTROL);
    v.add("<|im_end|>", 0.0, TYPE_CONTROL);
    v.add("<tool>", 0.0, TYPE_USER_DEFINED);
    let mut normal: Vec<String> = vec!["\u{2581}".into()];
    normal.extend("abcdefghijklmnopqrstuvwxyz.,!?'".chars().map(String::from));
    for w in WORDS {
        let chars: Vec<char> = format!("\u{2581}{w}").chars().collect();
        for len in (2..=chars.len()).rev() {
            for start in 0..=chars.len() - len {
                normal.push(chars[start..start + len].iter().collect());
            }
        }
    }
    for (i, t) in normal.iter().enumerate() {
        v.add(t, -(i as f32), TYPE_NORMAL);
    }
    let w = |s: &str| format!("\u{2581}{s}");
    let mut chains = vec![
        (w("once"), w("upon")),
        (w("upon"), w("a")),
        (w("a"), w("time")),
        (w("time"), "</s>".into()),
        (w("hello"), w("world")),
        (w("world"), "<|im_end|>".into()),
        ("<|im_start|>".into(), w("hello")),
        ("<s>".into(), w("the")),
        (w("snow"), "<0xE2>".into()),
        ("<0xE2>".into(), "<0x98>".into()),
        ("<0x98>".into(), "<0x83>".into()),
        ("<0x83>".into(), "</s>".into()),
    ];
    chains.extend(CYCLE.windows(2).map(|p| (w(p[0]), w(p[1]))));
    (v, chains)
}

/// GPT-2's printable character for a byte (the same map as the tokenizer's).
fn gpt2_char(b: u8) -> char {
    let mut n = 0u32;
    for x in 0..=255u8 {
        let printable = matches!(x, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        if x == b {
            return if printable { char::from(x) } else { char::from_u32(256 + n).unwrap_or('\0') };
        }
        if !printable {
            n += 1;
        }
    }
    '\0'
}

/// The byte-level BPE vocabulary, its merges and the chains over it.
fn bpe_vocab() -> (VocabBuilder, Vec<String>, Vec<(String, String)>) {
    let mut v = VocabBuilder::default();
    for b in 0..=255u8 {
        v.add(&gpt2_char(b).to_string(), 0.0, TYPE_NORMAL);
    }
    let space = gpt2_char(b' ');
    // Words after a space first (their merges rank first), then bare ones for the start of a prompt.
    let mut words: Vec<String> = WORDS.iter().map(|w| format!("{space}{w}")).collect();
    words.extend(["once", "the", "hello"].iter().map(|w| w.to_string()));
    let mut merges: Vec<String> = Vec::new();
    for word in &words {
        let chars: Vec<char> = word.chars().collect();
        for k in 1..chars.len() {
            let left: String = chars[..k].iter().collect();
            let merge = format!("{left} {}", chars[k]);
            if !merges.contains(&merge) {
                merges.push(merge);
            }
            v.add(&chars[..=k].iter().collect::<String>(), 0.0, TYPE_NORMAL);
        }
    }
    v.add("<|endoftext|>", 0.0, TYPE_CONTROL);
    v.add("<|im_start|>", 0.0, TYPE_CONTROL);
    v.add("<|im_end|>", 0.0, TYPE_CONTROL);
    let w = |s: &str| format!("{space}{s}");
    let b = |x: u8| gpt2_char(x).to_string();
    let mut chains = vec![
        (w("once"), w("upon")),
        ("once".into(), w("upon")),
        (w("upon"), w("a")),
        (w("a"), w("time")),
        (w("time"), "<|endoftext|>".into()),
        (w("hello"), w("world")),
        ("hello".into(), w("world")),
        (w("world"), "<|im_end|>".into()),
        ("<|im_start|>".into(), "hello".into()),
        ("the".into(), w("quick")),
        (w("snow"), b(0xE2)),
        (b(0xE2), b(0x98)),
        (b(0x98), b(0x83)),
        (b(0x83), "<|endoftext|>".into()),
    ];
    chains.extend(CYCLE.windows(2).map(|p| (w(p[0]), w(p[1]))));
    (v, merges, chains)
}

fn tensor(data: Vec<f32>, shape: &[usize]) -> Tensor {
    Tensor::from_vec(data, shape, &Device::Cpu).expect("a tensor of the right size")
}

fn q8(data: Vec<f32>, rows: usize, cols: usize) -> QTensor {
    QTensor::quantize(&tensor(data, &[rows, cols]), GgmlDType::Q8_0).expect("Q8_0 of a 32-multiple width")
}

fn f32_matrix(data: Vec<f32>, rows: usize, cols: usize) -> QTensor {
    QTensor::quantize(&tensor(data, &[rows, cols]), GgmlDType::F32).expect("an F32 tensor")
}

/// The same blocks in a new tensor.
fn copy(t: &QTensor) -> QTensor {
    let data = t.data().expect("a CPU tensor's bytes");
    candle_core::quantized::ggml_file::qtensor_from_ggml(t.dtype(), &data, t.shape().dims().to_vec(), &Device::Cpu)
        .expect("the same blocks")
}

fn f32_tensor(data: Vec<f32>) -> QTensor {
    let n = data.len();
    QTensor::quantize(&tensor(data, &[n]), GgmlDType::F32).expect("an F32 tensor")
}

/// A tiny model of architecture `arch` (`llama`, `qwen2`, `qwen3`, `gemma3`, `phi3`, or `mixtral`: llama
/// with experts): GGUF bytes.
pub fn tiny_gguf(arch: &str, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed ^ 0x5EED_F00D);
    let experts = arch == "mixtral";
    let arch = if experts { "llama" } else { arch };
    let spm = matches!(arch, "llama" | "gemma3" | "phi3");
    let (vocab, merges, chains) = if spm {
        let (v, c) = spm_vocab();
        (v, Vec::new(), c)
    } else {
        bpe_vocab()
    };
    let n_vocab = vocab.tokens.len();

    let embedding: Vec<f32> = (0..n_vocab * DIM).map(|_| rng.sign()).collect();
    let mut output: Vec<f32> = (0..n_vocab * DIM).map(|_| rng.normal() * SMALL).collect();
    for (from, to) in &chains {
        let (from, to) = (vocab.id(from), vocab.id(to));
        for d in 0..DIM {
            output[to * DIM + d] += OUT_SCALE * embedding[from * DIM + d];
        }
    }
    let mut small = |rows: usize, cols: usize| q8((0..rows * cols).map(|_| rng.normal() * SMALL).collect(), rows, cols);
    let kv = KV_HEADS * HEAD_DIM;
    let ones = |n: usize| f32_tensor(vec![1.0; n]);

    let mut tensors: Vec<(String, QTensor)> = vec![
        ("token_embd.weight".into(), q8(embedding, n_vocab, DIM)),
        ("output_norm.weight".into(), ones(DIM)),
        ("output.weight".into(), q8(output, n_vocab, DIM)),
    ];
    for l in 0..LAYERS {
        let name = |n: &str| format!("blk.{l}.{n}");
        tensors.push((name("attn_norm.weight"), ones(DIM)));
        tensors.push((name("ffn_norm.weight"), ones(DIM)));
        tensors.push((name("attn_output.weight"), small(DIM, HEADS * HEAD_DIM)));
        let down = small(DIM, FFN);
        if arch == "phi3" {
            tensors.push((name("attn_qkv.weight"), small(HEADS * HEAD_DIM + 2 * kv, DIM)));
            tensors.push((name("ffn_up.weight"), small(2 * FFN, DIM)));
            tensors.push((name("ffn_down.weight"), down));
            continue;
        }
        tensors.push((name("attn_q.weight"), small(HEADS * HEAD_DIM, DIM)));
        tensors.push((name("attn_k.weight"), small(kv, DIM)));
        tensors.push((name("attn_v.weight"), small(kv, DIM)));
        let (gate, up) = (small(FFN, DIM), small(FFN, DIM));
        if experts {
            tensors.push((name("ffn_gate_inp.weight"), f32_matrix(vec![0.0; 2 * DIM], 2, DIM)));
            for i in 0..2 {
                for (n, t) in [("ffn_gate", &gate), ("ffn_up", &up), ("ffn_down", &down)] {
                    tensors.push((name(&format!("{n}.{i}.weight")), copy(t)));
                }
            }
        } else {
            tensors.push((name("ffn_gate.weight"), gate));
            tensors.push((name("ffn_up.weight"), up));
            tensors.push((name("ffn_down.weight"), down));
        }
        if arch == "qwen2" {
            for (n, len) in [("attn_q.bias", DIM), ("attn_k.bias", kv), ("attn_v.bias", kv)] {
                tensors.push((name(n), f32_tensor(vec![0.0; len])));
            }
        }
        if matches!(arch, "qwen3" | "gemma3") {
            tensors.push((name("attn_q_norm.weight"), ones(HEAD_DIM)));
            tensors.push((name("attn_k_norm.weight"), ones(HEAD_DIM)));
        }
        if arch == "gemma3" {
            // Gemma normalizes the attention and feed-forward outputs: keep them small beside the embedding.
            tensors.push((name("post_attention_norm.weight"), f32_tensor(vec![0.1; DIM])));
            tensors.push((name("post_ffw_norm.weight"), f32_tensor(vec![0.1; DIM])));
        }
    }

    let mut md: Vec<(String, Value)> = vec![
        ("general.architecture".into(), Value::String(arch.into())),
        ("general.name".into(), Value::String(format!("tiny-{arch}"))),
    ];
    let key = |k: &str| format!("{arch}.{k}");
    md.extend([
        (key("context_length"), Value::U32(CONTEXT)),
        (key("embedding_length"), Value::U32(DIM as u32)),
        (key("block_count"), Value::U32(LAYERS as u32)),
        (key("feed_forward_length"), Value::U32(FFN as u32)),
        (key("attention.head_count"), Value::U32(HEADS as u32)),
        (key("attention.head_count_kv"), Value::U32(KV_HEADS as u32)),
        (key("attention.layer_norm_rms_epsilon"), Value::F32(1e-5)),
        (key("rope.dimension_count"), Value::U32(HEAD_DIM as u32)),
        (key("rope.freq_base"), Value::F32(10000.0)),
    ]);
    if experts {
        md.push((key("expert_count"), Value::U32(2)));
        md.push((key("expert_used_count"), Value::U32(2)));
    }
    if matches!(arch, "qwen3" | "gemma3") {
        md.push((key("attention.key_length"), Value::U32(HEAD_DIM as u32)));
        md.push((key("attention.value_length"), Value::U32(HEAD_DIM as u32)));
    }
    if arch == "gemma3" {
        md.push((key("attention.sliding_window"), Value::U32(512)));
    }
    let strings = |v: &[String]| Value::Array(v.iter().map(|s| Value::String(s.clone())).collect());
    md.push(("tokenizer.ggml.tokens".into(), strings(&vocab.tokens)));
    md.push(("tokenizer.ggml.token_type".into(), Value::Array(vocab.types.iter().map(|&t| Value::I32(t)).collect())));
    if spm {
        md.push(("tokenizer.ggml.model".into(), Value::String("llama".into())));
        md.push(("tokenizer.ggml.scores".into(), Value::Array(vocab.scores.iter().map(|&s| Value::F32(s)).collect())));
        md.push(("tokenizer.ggml.bos_token_id".into(), Value::U32(1)));
        md.push(("tokenizer.ggml.eos_token_id".into(), Value::U32(2)));
        md.push(("tokenizer.ggml.unknown_token_id".into(), Value::U32(0)));
        md.push(("tokenizer.ggml.add_bos_token".into(), Value::Bool(true)));
    } else {
        md.push(("tokenizer.ggml.model".into(), Value::String("gpt2".into())));
        md.push(("tokenizer.ggml.pre".into(), Value::String("qwen2".into())));
        md.push(("tokenizer.ggml.merges".into(), strings(&merges)));
        let eot = vocab.id("<|endoftext|>") as u32;
        md.push(("tokenizer.ggml.bos_token_id".into(), Value::U32(eot)));
        md.push(("tokenizer.ggml.eos_token_id".into(), Value::U32(eot)));
        md.push(("tokenizer.ggml.add_bos_token".into(), Value::Bool(false)));
    }

    let md_refs: Vec<(&str, &Value)> = md.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, t)| (k.as_str(), t)).collect();
    let mut out = std::io::Cursor::new(Vec::new());
    gguf_file::write(&mut out, &md_refs, &tensor_refs).expect("writing GGUF to memory");
    out.into_inner()
}

/// The tiny llama model ([`tiny_gguf`]`("llama", seed)`).
pub fn tiny_llama_gguf(seed: u64) -> Vec<u8> {
    tiny_gguf("llama", seed)
}
