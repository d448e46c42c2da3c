//! `--nn-preload NAME:ENCODING:TARGET:PATH[:PATH…]`: models a guest loads by name (`load_by_name*`).
//!
//! Entries are parsed when a guest's module instance is created, as WasmEdge does; the models themselves
//! are only touched when a guest first asks for the name ([`Preload::builders`]), so a wrong path costs
//! nothing until then and fails that `load_by_name` alone.

use crate::backend::{Encoding, Target};
use crate::log;

/// The plugin option's name.
pub const OPTION: &str = "nn-preload";

/// Its description (WasmEdge's).
pub const DESCRIPTION: &str =
    "Allow preload models from wasinn plugin. Each NN model can be specified as --nn-preload `COMMAND`.";

/// What a bad encoding or target string logs; the entry is skipped.
pub const NOT_SUPPORTED: &str = "Preload Model's Backend or Device is Not Support.";

/// What an unreadable model file logs; the file is left out of the entry's builders.
pub const READ_FAILED: &str = "Preload model fail.";

/// One `--nn-preload` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preload {
    /// The name guests pass to `load_by_name` (case-sensitive, verbatim, possibly empty).
    pub name: String,
    pub encoding: Encoding,
    pub target: Target,
    /// The model is handed to the backend as `preload:<path>` (the backend opens the file) rather than
    /// as the file's bytes: GGML, and PyTorch when spelled `pytorchaoti`, as in WasmEdge.
    pub by_path: bool,
    /// The path fields, in order (empty ones included).
    pub paths: Vec<String>,
}

/// An encoding as `--nn-preload` spells it (lower-cased first): WasmEdge 0.15's table.
fn encoding(s: &str) -> Option<Encoding> {
    Some(match s {
        "openvino" => Encoding::OpenVino,
        "onnx" => Encoding::Onnx,
        "tensorflow" => Encoding::Tensorflow,
        "pytorch" | "pytorchaoti" => Encoding::PyTorch,
        "tensorflowlite" => Encoding::TensorflowLite,
        "autodetect" => Encoding::Autodetect,
        "ggml" => Encoding::Ggml,
        "neuralspeed" => Encoding::NeuralSpeed,
        "whisper" => Encoding::Whisper,
        "mlx" => Encoding::Mlx,
        "piper" => Encoding::Piper,
        "chattts" => Encoding::ChatTts,
        "openvinogenai" => Encoding::OpenVinoGenAi,
        _ => return None,
    })
}

/// A target as `--nn-preload` spells it (lower-cased first); unlike `load`, `auto` is accepted.
fn target(s: &str) -> Option<Target> {
    Some(match s {
        "cpu" => Target::Cpu,
        "gpu" => Target::Gpu,
        "tpu" => Target::Tpu,
        "auto" => Target::Auto,
        _ => return None,
    })
}

/// The `:`-separated fields of an entry as WasmEdge reads them (`std::getline` in a loop): every field
/// between separators, including empty ones, except an empty last one (an entry ending in `:` has no
/// empty trailing path; an empty entry has no fields at all).
fn fields(entry: &str) -> Vec<&str> {
    let mut fields: Vec<&str> = entry.split(':').collect();
    if fields.last() == Some(&"") {
        fields.pop();
    }
    fields
}

impl Preload {
    /// Parse one entry; `None` if its encoding or target is not one WasmEdge knows. Missing fields are
    /// empty: there is no other validation here (a bad path shows at `load_by_name`).
    pub fn parse(entry: &str) -> Option<Preload> {
        let fields = fields(entry);
        let field = |i: usize| fields.get(i).copied().unwrap_or("");
        let encode = field(1).to_ascii_lowercase();
        let encoding = encoding(&encode)?;
        let target = target(&field(2).to_ascii_lowercase())?;
        Some(Preload {
            name: field(0).to_string(),
            encoding,
            target,
            by_path: encoding == Encoding::Ggml || encode == "pytorchaoti",
            paths: fields.iter().skip(3).map(|p| p.to_string()).collect(),
        })
    }

    /// The path fields joined back with `:` (a Windows path `C:\m.gguf` is two fields).
    pub fn joined_path(&self) -> String {
        self.paths.join(":")
    }

    /// The builders the entry stands for, made now (when the graph is first built): `preload:<path>` for
    /// by-path backends; for an `autodetect` entry whose (joined) path is a GGUF file, the same, which the
    /// dispatcher then sends to GGML; otherwise the bytes of each file, a file that cannot be read logging
    /// [`READ_FAILED`] and being left out (the remaining ones are still used, as in WasmEdge).
    pub fn builders(&self) -> Vec<Vec<u8>> {
        let joined = self.joined_path();
        if self.by_path || (self.encoding == Encoding::Autodetect && is_gguf_file(&joined)) {
            return vec![format!("preload:{joined}").into_bytes()];
        }
        self.paths
            .iter()
            .filter_map(|p| match std::fs::read(p) {
                Ok(bytes) => Some(bytes),
                Err(_) => {
                    log(READ_FAILED);
                    None
                }
            })
            .collect()
    }
}

/// The magic number GGUF files start with.
pub const GGUF_MAGIC: &[u8; 4] = b"GGUF";

/// Whether the file at `path` starts with [`GGUF_MAGIC`] (false if it cannot be read).
pub fn is_gguf_file(path: &str) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && &magic == GGUF_MAGIC
}

/// Every `--nn-preload` entry of a guest, by name.
#[derive(Clone, Debug, Default)]
pub struct Preloads {
    entries: Vec<Preload>,
}

impl Preloads {
    /// Parse the option's values: an entry with a bad encoding or target logs [`NOT_SUPPORTED`] and is
    /// skipped; of several entries with one name the first wins.
    pub fn parse<S: AsRef<str>>(values: &[S]) -> Preloads {
        let mut entries: Vec<Preload> = Vec::new();
        for value in values {
            match Preload::parse(value.as_ref()) {
                Some(p) if entries.iter().any(|e| e.name == p.name) => {}
                Some(p) => entries.push(p),
                None => log(NOT_SUPPORTED),
            }
        }
        Preloads { entries }
    }

    /// The entry called `name` (compared byte for byte).
    pub fn get(&self, name: &[u8]) -> Option<&Preload> {
        self.entries.iter().find(|e| e.name.as_bytes() == name)
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[Preload] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_follow_getline() {
        assert_eq!(fields(""), Vec::<&str>::new());
        assert_eq!(fields("a"), ["a"]);
        assert_eq!(fields("a:b:c:"), ["a", "b", "c"]);
        assert_eq!(fields("a:b:c::"), ["a", "b", "c", ""]);
        assert_eq!(fields("a::c:d"), ["a", "", "c", "d"]);
        assert_eq!(fields(":onnx:cpu:x"), ["", "onnx", "cpu", "x"]);
    }

    #[test]
    fn parse_good_entries() {
        let p = Preload::parse("default:GGML:AUTO:/models/m.gguf").unwrap();
        assert_eq!(
            p,
            Preload {
                name: "default".into(),
                encoding: Encoding::Ggml,
                target: Target::Auto,
                by_path: true,
                paths: vec!["/models/m.gguf".into()],
            }
        );
        let p = Preload::parse("Net:OnNx:Gpu:a.onnx:b.onnx").unwrap();
        assert_eq!((p.name.as_str(), p.encoding, p.target, p.by_path), ("Net", Encoding::Onnx, Target::Gpu, false));
        assert_eq!(p.paths, ["a.onnx", "b.onnx"]);
        let p = Preload::parse("x:autodetect:tpu").unwrap();
        assert_eq!((p.encoding, p.target, p.paths.len()), (Encoding::Autodetect, Target::Tpu, 0));
        // `pytorchaoti` is PyTorch handed over by path; `pytorch` is read.
        assert!(Preload::parse("t:PyTorchAOTI:cpu:m.so").unwrap().by_path);
        let p = Preload::parse("t:pytorch:cpu:m.pt").unwrap();
        assert_eq!((p.encoding, p.by_path), (Encoding::PyTorch, false));
        // An empty name is a name.
        assert_eq!(Preload::parse(":ggml:cpu:m").unwrap().name, "");
        // Every WasmEdge 0.15 encoding string is known (the unsupported ones fail at load_by_name).
        for e in [
            "openvino",
            "onnx",
            "tensorflow",
            "pytorch",
            "pytorchaoti",
            "tensorflowlite",
            "autodetect",
            "ggml",
            "neuralspeed",
            "whisper",
            "mlx",
            "piper",
            "chattts",
            "openvinogenai",
        ] {
            assert!(Preload::parse(&format!("n:{e}:cpu:p")).is_some(), "{e}");
        }
    }

    #[test]
    fn parse_bad_entries() {
        for bad in [
            "",
            "name",
            "name:ggml",
            "name:ggml:",
            "name:ggml:npu:m",
            "name:gguf:cpu:m",
            "name:bitnet:cpu:m",
            "name: ggml:cpu:m",
            "name:ggml:cpu :m",
            "name::cpu:m",
        ] {
            assert_eq!(Preload::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn paths_are_joined_plainly() {
        let p = Preload::parse(r"w:ggml:cpu:C:\models\m.gguf").unwrap();
        assert_eq!(p.paths, ["C", r"\models\m.gguf"]);
        assert_eq!(p.builders(), [br"preload:C:\models\m.gguf".to_vec()]);
        // WasmEdge's joiner drops the `:` after a segment equal to the last one (`a:b:a` → `ab:a`); not here.
        let p = Preload::parse("n:ggml:cpu:a:b:a").unwrap();
        assert_eq!(p.builders(), [b"preload:a:b:a".to_vec()]);
        let p = Preload::parse("n:ggml:cpu:a::b").unwrap();
        assert_eq!(p.builders(), [b"preload:a::b".to_vec()]);
        // No path: `preload:` alone (the backend reports the missing model).
        assert_eq!(Preload::parse("n:ggml:cpu").unwrap().builders(), [b"preload:".to_vec()]);
    }

    #[test]
    fn files_are_read_when_asked_and_unreadable_ones_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.onnx");
        let b = dir.path().join("b.onnx");
        std::fs::write(&a, b"first").unwrap();
        let entry = format!("n:onnx:cpu:{}:{}:{}", a.display(), dir.path().join("missing").display(), b.display());
        let p = Preload::parse(&entry).unwrap();
        // b does not exist yet: parsing read nothing, so writing it now is seen.
        std::fs::write(&b, b"second").unwrap();
        assert_eq!(p.builders(), [b"first".to_vec(), b"second".to_vec()]);
        std::fs::remove_file(&a).unwrap();
        assert_eq!(p.builders(), [b"second".to_vec()]);
    }

    #[test]
    fn autodetect_entries_hand_gguf_files_over_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let gguf = dir.path().join("m.gguf");
        let onnx = dir.path().join("m.onnx");
        std::fs::write(&gguf, b"GGUF\x03\0\0\0rest").unwrap();
        std::fs::write(&onnx, b"\x08\x08onnx").unwrap();
        let p = Preload::parse(&format!("g:autodetect:cpu:{}", gguf.display())).unwrap();
        assert_eq!(p.builders(), [format!("preload:{}", gguf.display()).into_bytes()]);
        let p = Preload::parse(&format!("o:autodetect:cpu:{}", onnx.display())).unwrap();
        assert_eq!(p.builders(), [b"\x08\x08onnx".to_vec()]);
        assert!(is_gguf_file(gguf.to_str().unwrap()));
        assert!(!is_gguf_file(onnx.to_str().unwrap()));
        assert!(!is_gguf_file(dir.path().join("missing").to_str().unwrap()));
    }

    #[test]
    fn bad_entries_are_skipped_and_the_first_of_a_name_wins() {
        let p = Preloads::parse(&["a:ggml:cpu:1", "b:nope:cpu:2", "a:onnx:cpu:3", "c:ONNX:npu:4", "A:onnx:cpu:5"]);
        let got: Vec<(&str, Encoding, &str)> =
            p.entries().iter().map(|e| (e.name.as_str(), e.encoding, e.paths[0].as_str())).collect();
        assert_eq!(got, [("a", Encoding::Ggml, "1"), ("A", Encoding::Onnx, "5")]);
        assert_eq!(p.get(b"a").unwrap().paths, ["1"]);
        assert!(p.get(b"b").is_none());
        assert!(p.get(b"c").is_none());
        assert!(p.get(b"a\0").is_none());
    }
}
