//! The tokenizer of a GGUF model, built from its `tokenizer.ggml.*` metadata the way llama.cpp builds it
//! (`llama-vocab.cpp`), since candle has none:
//!
//! - `llama` vocabularies (SentencePiece): the text is split into UTF-8 characters and the highest-score
//!   pair that is itself a token is merged until none is left; what is not a token falls back to its
//!   `<0xXX>` byte tokens. Spaces are `▁`, and a space is put in front of the text and of every text that
//!   follows a special token (`tokenizer.ggml.add_space_prefix`, default on).
//! - `gpt2` vocabularies (byte-level BPE): the text is split by the pre-tokenizer regexes of
//!   `tokenizer.ggml.pre` (llama.cpp's lists), each piece's bytes are mapped to GPT-2's printable
//!   characters and merged by the rank of `tokenizer.ggml.merges`.
//!
//! Special tokens (control, user-defined and unknown ones) in the text are matched first, longest first,
//! and become their token (WasmEdge tokenizes with `parse_special`). BOS/EOS are added as the vocabulary
//! says (`tokenizer.ggml.add_bos_token`, `…add_eos_token`). Decoding renders every token as llama.cpp's
//! `token_to_piece(special = true)`: control tokens as their text, byte tokens as their byte (so a
//! character can span several pieces), `▁` as a space, GPT-2 characters as their bytes.

use std::collections::{BinaryHeap, HashMap, HashSet};

use candle_core::quantized::gguf_file::Value;
use fancy_regex::Regex;

/// GGUF `tokenizer.ggml.token_type` values.
pub const TYPE_NORMAL: i32 = 1;
pub const TYPE_UNKNOWN: i32 = 2;
pub const TYPE_CONTROL: i32 = 3;
pub const TYPE_USER_DEFINED: i32 = 4;
pub const TYPE_UNUSED: i32 = 5;
pub const TYPE_BYTE: i32 = 6;

// llama.cpp's token attributes.
const ATTR_UNKNOWN: u32 = 1 << 0;
const ATTR_UNUSED: u32 = 1 << 1;
const ATTR_NORMAL: u32 = 1 << 2;
const ATTR_CONTROL: u32 = 1 << 3;
const ATTR_USER_DEFINED: u32 = 1 << 4;
const ATTR_BYTE: u32 = 1 << 5;
const ATTR_LSTRIP: u32 = 1 << 7;
const ATTR_RSTRIP: u32 = 1 << 8;

/// SentencePiece's space.
const SPACE: &str = "\u{2581}";

/// Texts that end generation (llama.cpp's list at the build WasmEdge 0.15 bundles), besides the EOS,
/// EOT and EOM tokens the metadata names.
const EOG_TEXTS: &[&str] = &[
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "<|end_of_text|>",
    "<end_of_utterance>",
];
/// Texts taken as the end-of-turn token when the metadata names none.
const EOT_TEXTS: &[&str] = &[
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "<EOT>",
    "_<EOT>",
    "<\u{ff5c}end\u{2581}of\u{2581}sentence\u{ff5c}>",
    "<end_of_utterance>",
];
/// Fill-in-the-middle tokens that also end generation: pad, repo and file separator.
const FIM_PAD_TEXTS: &[&str] = &["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>"];
const FIM_REP_TEXTS: &[&str] = &["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"];
const FIM_SEP_TEXTS: &[&str] = &["<|file_sep|>"];

// The pre-tokenizer regexes (llama.cpp's, in its adapted forms where it adapted them).
const RE_GPT2: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)";
const RE_LLAMA3: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const RE_QWEN2: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const RE_TEKKEN: &str = r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const RE_GPT4O: &str = r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const RE_DEFAULT: &[&str] = &[r"[\p{P}\$\+<=>\^~\|]+", RE_GPT2, r"\p{N}+", r"[0-9][0-9][0-9]"];

/// The pre-tokenizer of a `gpt2` vocabulary: llama.cpp's regexes for `tokenizer.ggml.pre`, whether a piece
/// that is a token skips the merges, and whether BOS is added by default.
fn pre_tokenizer(pre: &str) -> Option<(Vec<&'static str>, bool, bool)> {
    Some(match pre {
        "" | "default" => (RE_DEFAULT.to_vec(), false, false),
        "llama3" | "llama-v3" | "llama-bpe" | "falcon3" | "falcon-h1" | "pixtral" | "midm-2.0" | "lfm2" => {
            (vec![RE_LLAMA3], true, true)
        }
        "dbrx" | "smaug-bpe" | "glm4" | "chatglm-bpe" => (vec![RE_LLAMA3], false, false),
        "gpt-2" | "phi-2" | "jina-es" | "jina-de" | "gigachat" | "jina-v2-es" | "jina-v2-de" | "a.x-4.0" | "mellum"
        | "exaone4" | "jina-v1-en" | "jina-v2-code" | "roberta-bpe" | "mpt" | "olmo" => (vec![RE_GPT2], false, false),
        "qwen2" | "deepseek-r1-qwen" | "megrez" | "stablelm2" | "hunyuan" => (vec![RE_QWEN2], false, false),
        "starcoder" | "refact" | "command-r" | "smollm" | "codeshell" | "exaone" | "minerva-7b" => {
            (vec![r"\p{N}", RE_GPT2], false, false)
        }
        "tekken" => (vec![RE_TEKKEN], true, true),
        "gpt-4o" | "llama4" => (vec![RE_GPT4O], false, false),
        _ => return None,
    })
}

enum Kind {
    /// SentencePiece (`llama`).
    Spm,
    /// Byte-level BPE (`gpt2`): the pre-tokenizer regexes, applied in turn, and whether a piece that is
    /// already a token skips the merges.
    Bpe { regexes: Vec<Regex>, ignore_merges: bool },
}

/// A model's vocabulary and tokenizer.
pub struct Vocab {
    kind: Kind,
    texts: Vec<Vec<u8>>,
    scores: Vec<f32>,
    attrs: Vec<u32>,
    ids: HashMap<Vec<u8>, u32>,
    /// BPE merge ranks, keyed by `left + ' ' + right`.
    ranks: HashMap<Vec<u8>, u32>,
    bos: Option<u32>,
    eos: Option<u32>,
    /// The separator token (`tokenizer.ggml.seperator_token_id`, llama.cpp's spelling).
    sep: Option<u32>,
    unk: Option<u32>,
    add_bos: bool,
    add_eos: bool,
    add_space_prefix: bool,
    eog: HashSet<u32>,
    /// Special tokens in matching order (longest text first).
    special: Vec<u32>,
    /// Each token's text as output (`token_to_piece` with `special`).
    pieces: Vec<Vec<u8>>,
}

/// What went wrong reading a vocabulary.
pub type VocabError = String;

fn md_u32(md: &HashMap<String, Value>, key: &str) -> Option<u32> {
    let v = md.get(key)?;
    let n: i64 = match v {
        Value::U8(x) => i64::from(*x),
        Value::I8(x) => i64::from(*x),
        Value::U16(x) => i64::from(*x),
        Value::I16(x) => i64::from(*x),
        Value::U32(x) => i64::from(*x),
        Value::I32(x) => i64::from(*x),
        Value::U64(x) => i64::try_from(*x).ok()?,
        Value::I64(x) => *x,
        _ => return None,
    };
    u32::try_from(n).ok()
}

fn md_bool(md: &HashMap<String, Value>, key: &str) -> Option<bool> {
    match md.get(key)? {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

fn md_str<'a>(md: &'a HashMap<String, Value>, key: &str) -> Option<&'a str> {
    match md.get(key)? {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn md_array<'a>(md: &'a HashMap<String, Value>, key: &str) -> Option<&'a [Value]> {
    match md.get(key)? {
        Value::Array(a) => Some(a),
        _ => None,
    }
}

/// GPT-2's map of the 256 byte values to printable characters.
fn byte_to_char(b: u8) -> char {
    byte_chars()[usize::from(b)]
}

fn byte_chars() -> &'static [char; 256] {
    static TABLE: std::sync::OnceLock<[char; 256]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = ['\0'; 256];
        let mut n = 0u32;
        for b in 0..=255u8 {
            let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
            table[usize::from(b)] = if printable {
                char::from(b)
            } else {
                n += 1;
                char::from_u32(255 + n).unwrap_or('\0')
            };
        }
        table
    })
}

fn char_to_byte(c: char) -> Option<u8> {
    static TABLE: std::sync::OnceLock<HashMap<char, u8>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| (0..=255u8).map(|b| (byte_to_char(b), b)).collect()).get(&c).copied()
}

/// The length of the UTF-8 sequence a byte starts, as llama.cpp's `unicode_len_utf8` (1 for a stray
/// continuation byte).
fn utf8_len(b: u8) -> usize {
    const LOOKUP: [usize; 16] = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4];
    LOOKUP[usize::from(b >> 4)]
}

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    if haystack.len() < needle.len() {
        return None;
    }
    (0..=haystack.len() - needle.len()).find(|&i| haystack[i] == first && haystack[i + 1..].starts_with(rest))
}

fn replace_all(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = find(rest, from) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(to);
        rest = &rest[i + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// A piece of the text being tokenized: raw text (a byte range) or a special token already matched.
#[derive(Clone, Copy)]
enum Fragment {
    Text(usize, usize),
    Token(u32),
}

#[derive(Clone, Copy)]
struct Symbol {
    prev: Option<usize>,
    next: Option<usize>,
    start: usize,
    len: usize,
}

/// An SPM merge candidate: the highest score first, then the leftmost.
struct SpmBigram {
    left: usize,
    right: usize,
    score: f32,
    size: usize,
}

impl PartialEq for SpmBigram {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for SpmBigram {}
impl PartialOrd for SpmBigram {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for SpmBigram {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.score.total_cmp(&other.score).then_with(|| other.left.cmp(&self.left))
    }
}

/// A BPE merge candidate: the lowest rank first, then the leftmost.
struct BpeBigram {
    left: usize,
    right: usize,
    text: Vec<u8>,
    rank: u32,
}

impl PartialEq for BpeBigram {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for BpeBigram {}
impl PartialOrd for BpeBigram {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for BpeBigram {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.rank.cmp(&self.rank).then_with(|| other.left.cmp(&self.left))
    }
}

/// Split `text` into UTF-8 characters (llama.cpp's way: by the lead byte, clipped at the end).
fn char_symbols(text: &[u8]) -> Vec<Symbol> {
    let mut symbols = Vec::new();
    let mut offset = 0;
    while offset < text.len() {
        let len = utf8_len(text[offset]).min(text.len() - offset);
        let index = symbols.len();
        symbols.push(Symbol {
            prev: index.checked_sub(1),
            next: (offset + len < text.len()).then_some(index + 1),
            start: offset,
            len,
        });
        offset += len;
    }
    symbols
}

impl Vocab {
    /// The vocabulary of a GGUF file (its bytes).
    pub fn from_gguf(bytes: &[u8]) -> Result<Vocab, VocabError> {
        let content = candle_core::quantized::gguf_file::Content::read(&mut std::io::Cursor::new(bytes))
            .map_err(|e| e.to_string())?;
        Vocab::from_metadata(&content.metadata)
    }

    /// The vocabulary of a GGUF file's metadata.
    pub fn from_metadata(md: &HashMap<String, Value>) -> Result<Vocab, VocabError> {
        let model = md_str(md, "tokenizer.ggml.model").ok_or("the model has no tokenizer.ggml.model")?;
        let tokens = md_array(md, "tokenizer.ggml.tokens").ok_or("the model has no tokenizer.ggml.tokens")?;
        let n = tokens.len();
        let mut texts = Vec::with_capacity(n);
        for (i, t) in tokens.iter().enumerate() {
            match t {
                Value::String(s) if s.is_empty() => texts.push(format!("[EMPTY_{i}]").into_bytes()),
                Value::String(s) => texts.push(s.as_bytes().to_vec()),
                _ => return Err("tokenizer.ggml.tokens is not an array of strings".into()),
            }
        }
        let scores: Vec<f32> = match md_array(md, "tokenizer.ggml.scores") {
            Some(a) => a
                .iter()
                .map(|v| match v {
                    Value::F32(x) => *x,
                    Value::I32(x) => *x as f32,
                    Value::F64(x) => *x as f32,
                    _ => 0.0,
                })
                .chain(std::iter::repeat(0.0))
                .take(n)
                .collect(),
            None => vec![0.0; n],
        };
        let mut attrs: Vec<u32> = match md_array(md, "tokenizer.ggml.token_type") {
            Some(a) => a
                .iter()
                .map(|v| match v {
                    Value::I32(t) => *t,
                    Value::U32(t) => *t as i32,
                    _ => TYPE_NORMAL,
                })
                .chain(std::iter::repeat(TYPE_NORMAL))
                .take(n)
                .map(|t| match t {
                    TYPE_UNKNOWN => ATTR_UNKNOWN,
                    TYPE_UNUSED => ATTR_UNUSED,
                    TYPE_NORMAL => ATTR_NORMAL,
                    TYPE_CONTROL => ATTR_CONTROL,
                    TYPE_USER_DEFINED => ATTR_USER_DEFINED,
                    TYPE_BYTE => ATTR_BYTE,
                    _ => 0,
                })
                .collect(),
            None => vec![ATTR_NORMAL; n],
        };
        let mut ids = HashMap::with_capacity(n);
        for (i, t) in texts.iter().enumerate() {
            if ids.insert(t.clone(), i as u32).is_some() {
                return Err(format!("duplicate token in vocabulary: '{}'", String::from_utf8_lossy(t)));
            }
        }

        let pre = md_str(md, "tokenizer.ggml.pre").unwrap_or("");
        let (kind, mut bos, mut eos, unk, mut add_bos, mut add_space_prefix) = match model {
            "llama" => (Kind::Spm, Some(1), Some(2), Some(0), true, true),
            "gpt2" => {
                let (patterns, ignore_merges, add_bos) =
                    pre_tokenizer(pre).ok_or_else(|| format!("unknown pre-tokenizer type: '{pre}'"))?;
                let regexes = patterns
                    .iter()
                    .map(|p| Regex::new(p).map_err(|e| format!("pre-tokenizer regex: {e}")))
                    .collect::<Result<Vec<_>, _>>()?;
                (Kind::Bpe { regexes, ignore_merges }, Some(11), Some(11), None, add_bos, false)
            }
            other => return Err(format!("unsupported tokenizer '{other}' (supported: llama, gpt2)")),
        };
        let mut ranks = HashMap::new();
        if matches!(kind, Kind::Bpe { .. }) {
            let merges = md_array(md, "tokenizer.ggml.merges").ok_or("cannot find tokenizer merges in model file")?;
            for (rank, m) in merges.iter().enumerate() {
                let Value::String(m) = m else { return Err("tokenizer.ggml.merges is not an array of strings".into()) };
                // Split at the first space after the first byte (a merge's left side may start with one).
                let key = match m.as_bytes().iter().skip(1).position(|&b| b == b' ') {
                    Some(_) => m.as_bytes().to_vec(),
                    None => b" ".to_vec(),
                };
                ranks.entry(key).or_insert(rank as u32);
            }
        }
        if let Some(b) = md_bool(md, "tokenizer.ggml.add_space_prefix") {
            add_space_prefix = b;
        }

        let in_range = |id: Option<u32>| id.filter(|&i| (i as usize) < n);
        let special_id = |key: &str, default: Option<u32>| match md_u32(md, key) {
            Some(id) if (id as usize) < n => Some(id),
            _ => in_range(default),
        };
        bos = special_id("tokenizer.ggml.bos_token_id", bos);
        eos = special_id("tokenizer.ggml.eos_token_id", eos);
        let unk = special_id("tokenizer.ggml.unknown_token_id", unk);
        let sep = special_id("tokenizer.ggml.seperator_token_id", None);
        let mut eot = special_id("tokenizer.ggml.eot_token_id", None);
        let mut eom = special_id("tokenizer.ggml.eom_token_id", None);
        let mut fim_pad = special_id("tokenizer.ggml.fim_pad_token_id", None);
        let mut fim_rep = special_id("tokenizer.ggml.fim_rep_token_id", None);
        let mut fim_sep = special_id("tokenizer.ggml.fim_sep_token_id", None);
        if let Some(b) = md_bool(md, "tokenizer.ggml.add_bos_token") {
            add_bos = b;
        }
        let add_eos = md_bool(md, "tokenizer.ggml.add_eos_token").unwrap_or(false);
        if add_bos && bos.is_none() {
            return Err("tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is not set".into());
        }
        if add_eos && eos.is_none() {
            return Err("tokenizer.ggml.add_eos_token is true, but tokenizer.ggml.eos_token_id is not set".into());
        }

        // Tokens found by their text (llama.cpp: "control-looking" tokens become control tokens).
        let by_text = |list: &[&str]| list.iter().find_map(|t| ids.get(t.as_bytes()).copied());
        for (slot, list) in [
            (&mut eot, EOT_TEXTS),
            (&mut eom, &["<|eom_id|>"][..]),
            (&mut fim_pad, FIM_PAD_TEXTS),
            (&mut fim_rep, FIM_REP_TEXTS),
            (&mut fim_sep, FIM_SEP_TEXTS),
        ] {
            if slot.is_none() {
                *slot = by_text(list);
                if let Some(id) = *slot {
                    attrs[id as usize] |= ATTR_CONTROL;
                }
            }
        }
        let mut eog: HashSet<u32> = [fim_pad, fim_rep, fim_sep].into_iter().flatten().collect();
        for text in EOG_TEXTS {
            if let Some(&id) = ids.get(text.as_bytes()) {
                eog.insert(id);
                attrs[id as usize] |= ATTR_CONTROL;
            }
        }
        eog.extend([eos, eot, eom].into_iter().flatten());

        let mut special: Vec<u32> = (0..n as u32)
            .filter(|&i| attrs[i as usize] & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN) != 0)
            .collect();
        special.sort_by_key(|&i| std::cmp::Reverse(texts[i as usize].len()));

        // llama.cpp's per-model attributes: Phi-3 strips spaces after its special tokens.
        let name = md_str(md, "general.name").unwrap_or("").to_lowercase();
        if name.contains("phi-3") || name.contains("phi3") {
            for &i in &special {
                attrs[i as usize] |= ATTR_RSTRIP;
            }
            if let Some(&i) = ids.get(&b"</s>"[..]) {
                attrs[i as usize] |= ATTR_RSTRIP;
            }
            for t in ["<unk>", "<s>", "<|endoftext|>"] {
                if let Some(&i) = ids.get(t.as_bytes()) {
                    attrs[i as usize] &= !ATTR_RSTRIP;
                }
            }
        }

        let mut vocab = Vocab {
            kind,
            texts,
            scores,
            attrs,
            ids,
            ranks,
            bos,
            eos,
            sep,
            unk,
            add_bos,
            add_eos,
            add_space_prefix,
            eog,
            special,
            pieces: Vec::new(),
        };
        vocab.pieces = (0..n as u32).map(|i| vocab.render(i)).collect();
        Ok(vocab)
    }

    /// The number of tokens.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// Whether the vocabulary is empty.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// The beginning-of-sequence token.
    pub fn bos(&self) -> Option<u32> {
        self.bos
    }

    /// The end-of-sequence token.
    pub fn eos(&self) -> Option<u32> {
        self.eos
    }

    /// The separator token, which embedding models expect at the end of their input.
    pub fn sep(&self) -> Option<u32> {
        self.sep
    }

    /// Whether `id` ends generation (llama.cpp's `llama_vocab_is_eog`).
    pub fn is_eog(&self, id: u32) -> bool {
        self.eog.contains(&id)
    }

    /// The id of the token whose text is `text`.
    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.ids.get(text.as_bytes()).copied()
    }

    /// The text of a token as the model stores it.
    pub fn token_text(&self, id: u32) -> &[u8] {
        self.texts.get(id as usize).map_or(&[], Vec::as_slice)
    }

    /// A token as output text (special tokens included); empty for an unknown id.
    pub fn piece(&self, id: u32) -> &[u8] {
        self.pieces.get(id as usize).map_or(&[], Vec::as_slice)
    }

    /// The output text of `tokens`, concatenated.
    pub fn decode(&self, tokens: &[u32]) -> Vec<u8> {
        tokens.iter().flat_map(|&t| self.piece(t).iter().copied()).collect()
    }

    fn render(&self, id: u32) -> Vec<u8> {
        let attr = self.attrs[id as usize];
        let text = &self.texts[id as usize];
        if attr & (ATTR_UNKNOWN | ATTR_CONTROL | ATTR_USER_DEFINED) != 0 {
            return text.clone();
        }
        if attr & ATTR_NORMAL != 0 {
            return match self.kind {
                Kind::Spm => replace_all(text, SPACE.as_bytes(), b" "),
                Kind::Bpe { .. } => {
                    let s = String::from_utf8_lossy(text);
                    let mut out = Vec::with_capacity(text.len());
                    for c in s.chars() {
                        match char_to_byte(c) {
                            Some(b) => out.push(b),
                            None => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                        }
                    }
                    out
                }
            };
        }
        if attr & ATTR_BYTE != 0 {
            let hex = text.get(3..5).and_then(|h| std::str::from_utf8(h).ok());
            return hex.and_then(|h| u8::from_str_radix(h, 16).ok()).map(|b| vec![b]).unwrap_or_default();
        }
        Vec::new()
    }

    /// Tokenize `text` as WasmEdge does (`common_tokenize(…, add_special, parse_special)`).
    pub fn tokenize(&self, text: &[u8], add_special: bool, parse_special: bool) -> Vec<u32> {
        let fragments = self.partition(text, parse_special);
        let mut out = Vec::new();
        if add_special
            && self.add_bos
            && let Some(bos) = self.bos
        {
            out.push(bos);
        }
        match &self.kind {
            Kind::Spm => {
                let mut prev_special = true;
                for fragment in fragments {
                    match fragment {
                        Fragment::Text(start, end) => {
                            let mut raw = Vec::with_capacity(end - start + 1);
                            if self.add_space_prefix && prev_special {
                                raw.push(b' ');
                            }
                            raw.extend_from_slice(&text[start..end]);
                            self.spm(&replace_all(&raw, b" ", SPACE.as_bytes()), &mut out);
                            prev_special = false;
                        }
                        Fragment::Token(id) => {
                            out.push(id);
                            prev_special = true;
                        }
                    }
                }
            }
            Kind::Bpe { regexes, ignore_merges } => {
                for fragment in fragments {
                    match fragment {
                        Fragment::Text(start, end) => self.bpe(&text[start..end], regexes, *ignore_merges, &mut out),
                        Fragment::Token(id) => out.push(id),
                    }
                }
            }
        }
        if add_special
            && self.add_eos
            && let Some(eos) = self.eos
        {
            out.push(eos);
        }
        out
    }

    /// Split out the special tokens (llama.cpp's `tokenizer_st_partition`).
    fn partition(&self, text: &[u8], parse_special: bool) -> Vec<Fragment> {
        let mut fragments = if text.is_empty() { Vec::new() } else { vec![Fragment::Text(0, text.len())] };
        for &id in &self.special {
            let attr = self.attrs[id as usize];
            if !parse_special && attr & (ATTR_CONTROL | ATTR_UNKNOWN) != 0 {
                continue;
            }
            let needle = &self.texts[id as usize];
            let mut next = Vec::with_capacity(fragments.len());
            for fragment in fragments {
                let Fragment::Text(mut start, end) = fragment else {
                    next.push(fragment);
                    continue;
                };
                while let Some(at) = find(&text[start..end], needle) {
                    let at = start + at;
                    let mut left_end = at;
                    if attr & ATTR_LSTRIP != 0 {
                        while left_end > start && is_c_space(text[left_end - 1]) {
                            left_end -= 1;
                        }
                    }
                    if left_end > start {
                        next.push(Fragment::Text(start, left_end));
                    }
                    next.push(Fragment::Token(id));
                    start = at + needle.len();
                    if attr & ATTR_RSTRIP != 0 {
                        while start < end && is_c_space(text[start]) {
                            start += 1;
                        }
                    }
                }
                if start < end {
                    next.push(Fragment::Text(start, end));
                }
            }
            fragments = next;
        }
        fragments
    }

    fn byte_token(&self, b: u8) -> Option<u32> {
        match self.kind {
            Kind::Spm => {
                let hex = format!("<0x{b:02X}>");
                self.ids.get(hex.as_bytes()).or_else(|| self.ids.get(&[b][..])).copied().or(self.unk)
            }
            Kind::Bpe { .. } => self.ids.get(byte_to_char(b).to_string().as_bytes()).copied(),
        }
    }

    /// SentencePiece: merge the best-scoring pairs of characters (llama.cpp's `llm_tokenizer_spm_session`).
    fn spm(&self, text: &[u8], out: &mut Vec<u32>) {
        let mut symbols = char_symbols(text);
        if symbols.is_empty() {
            return;
        }
        let mut queue = BinaryHeap::new();
        let mut rev_merge: HashMap<Vec<u8>, (usize, usize)> = HashMap::new();
        let try_add = |symbols: &[Symbol],
                       queue: &mut BinaryHeap<SpmBigram>,
                       rev_merge: &mut HashMap<Vec<u8>, (usize, usize)>,
                       left: Option<usize>,
                       right: Option<usize>| {
            let (Some(left), Some(right)) = (left, right) else { return };
            let start = symbols[left].start;
            let piece = &text[start..start + symbols[left].len + symbols[right].len];
            let Some(&id) = self.ids.get(piece) else { return };
            queue.push(SpmBigram { left, right, score: self.scores[id as usize], size: piece.len() });
            rev_merge.insert(piece.to_vec(), (left, right));
        };
        for i in 1..symbols.len() {
            try_add(&symbols, &mut queue, &mut rev_merge, Some(i - 1), Some(i));
        }
        while let Some(bigram) = queue.pop() {
            let (left, right) = (symbols[bigram.left], symbols[bigram.right]);
            if left.len == 0 || right.len == 0 || left.len + right.len != bigram.size {
                continue;
            }
            symbols[bigram.left].len += right.len;
            symbols[bigram.right].len = 0;
            symbols[bigram.left].next = right.next;
            if let Some(next) = right.next {
                symbols[next].prev = Some(bigram.left);
            }
            let prev = symbols[bigram.left].prev;
            let next = symbols[bigram.left].next;
            try_add(&symbols, &mut queue, &mut rev_merge, prev, Some(bigram.left));
            try_add(&symbols, &mut queue, &mut rev_merge, Some(bigram.left), next);
        }
        let mut i = Some(0);
        while let Some(index) = i {
            self.resegment(text, &symbols, &rev_merge, index, out, 0);
            i = symbols[index].next;
        }
    }

    fn resegment(
        &self,
        text: &[u8],
        symbols: &[Symbol],
        rev_merge: &HashMap<Vec<u8>, (usize, usize)>,
        index: usize,
        out: &mut Vec<u32>,
        depth: usize,
    ) {
        let symbol = symbols[index];
        let piece = &text[symbol.start..symbol.start + symbol.len];
        if let Some(&id) = self.ids.get(piece) {
            out.push(id);
            return;
        }
        match rev_merge.get(piece) {
            Some(&(left, right)) if depth < 64 => {
                self.resegment(text, symbols, rev_merge, left, out, depth + 1);
                self.resegment(text, symbols, rev_merge, right, out, depth + 1);
            }
            _ => out.extend(piece.iter().filter_map(|&b| self.byte_token(b))),
        }
    }

    /// Byte-level BPE over the pre-tokenizer's pieces (llama.cpp's `llm_tokenizer_bpe_session`).
    fn bpe(&self, text: &[u8], regexes: &[Regex], ignore_merges: bool, out: &mut Vec<u32>) {
        let text = String::from_utf8_lossy(text);
        for (start, end) in split(&text, regexes) {
            let word: String = text[start..end].bytes().map(byte_to_char).collect();
            let word = word.as_bytes();
            if ignore_merges && let Some(&id) = self.ids.get(word) {
                out.push(id);
                continue;
            }
            let mut symbols = char_symbols(word);
            let mut queue = BinaryHeap::new();
            let add =
                |symbols: &[Symbol], queue: &mut BinaryHeap<BpeBigram>, left: Option<usize>, right: Option<usize>| {
                    let (Some(left), Some(right)) = (left, right) else { return };
                    let (l, r) = (symbols[left], symbols[right]);
                    let mut key = Vec::with_capacity(l.len + r.len + 1);
                    key.extend_from_slice(&word[l.start..l.start + l.len]);
                    key.push(b' ');
                    key.extend_from_slice(&word[r.start..r.start + r.len]);
                    let Some(&rank) = self.ranks.get(&key) else { return };
                    key.remove(l.len);
                    queue.push(BpeBigram { left, right, text: key, rank });
                };
            for i in 1..symbols.len() {
                add(&symbols, &mut queue, Some(i - 1), Some(i));
            }
            while let Some(bigram) = queue.pop() {
                let (l, r) = (symbols[bigram.left], symbols[bigram.right]);
                if l.len == 0 || r.len == 0 {
                    continue;
                }
                // Skip a candidate made stale by an earlier merge.
                if l.start + l.len != r.start || word[l.start..r.start + r.len] != bigram.text[..] {
                    continue;
                }
                symbols[bigram.left].len += r.len;
                symbols[bigram.right].len = 0;
                symbols[bigram.left].next = r.next;
                if let Some(next) = r.next {
                    symbols[next].prev = Some(bigram.left);
                }
                let prev = symbols[bigram.left].prev;
                let next = symbols[bigram.left].next;
                add(&symbols, &mut queue, prev, Some(bigram.left));
                add(&symbols, &mut queue, Some(bigram.left), next);
            }
            let mut i = (!symbols.is_empty()).then_some(0);
            while let Some(index) = i {
                let s = symbols[index];
                let piece = &word[s.start..s.start + s.len];
                match self.ids.get(piece) {
                    Some(&id) => out.push(id),
                    // llama.cpp's fallback: the tokens of the piece's single bytes, where there are any.
                    None => out.extend(piece.iter().filter_map(|&b| self.ids.get(&[b][..]).copied())),
                }
                i = s.next;
            }
        }
    }
}

/// Split `text` by each regex in turn, keeping both the matches and the text between them
/// (llama.cpp's `unicode_regex_split`): byte ranges of `text`.
fn split(text: &str, regexes: &[Regex]) -> Vec<(usize, usize)> {
    let mut pieces = if text.is_empty() { Vec::new() } else { vec![(0, text.len())] };
    for re in regexes {
        let mut next = Vec::with_capacity(pieces.len());
        for (start, end) in pieces {
            let segment = &text[start..end];
            let mut last = 0;
            for m in re.find_iter(segment) {
                // A regex that gives up (backtracking limit) leaves the rest of the segment whole.
                let Ok(m) = m else { break };
                if m.start() == m.end() {
                    continue;
                }
                if m.start() > last {
                    next.push((start + last, start + m.start()));
                }
                next.push((start + m.start(), start + m.end()));
                last = m.end();
            }
            if last < segment.len() {
                next.push((start + last, end));
            }
        }
        pieces = next;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpt2_byte_map() {
        assert_eq!(byte_to_char(b'a'), 'a');
        assert_eq!(byte_to_char(b' '), '\u{120}');
        assert_eq!(byte_to_char(b'\n'), '\u{10a}');
        for b in 0..=255u8 {
            assert_eq!(char_to_byte(byte_to_char(b)), Some(b));
        }
    }

    #[test]
    fn regex_split_keeps_gaps_and_matches() {
        let re = vec![Regex::new(RE_QWEN2).unwrap()];
        let text = "Hello, world  123 it's";
        let parts: Vec<&str> = split(text, &re).into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(parts, ["Hello", ",", " world", " ", " ", "1", "2", "3", " it", "'s"]);
        let re: Vec<Regex> = RE_DEFAULT.iter().map(|p| Regex::new(p).unwrap()).collect();
        let text = "a+b=1234!";
        let parts: Vec<&str> = split(text, &re).into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(parts, ["a", "+", "b", "=", "123", "4", "!"]);
    }
}
