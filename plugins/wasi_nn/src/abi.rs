//! The guest-facing side of `wasi_ephemeral_nn`, as WasmEdge 0.15 defines it: the twelve functions, the
//! layouts they read from guest memory (builder arrays, tensors), how encodings, targets and tensor types
//! are decoded, which pointer checks come first, and the messages and error numbers of each failure.
//!
//! Every function returns `Ok(())` or an [`Error`]; [`errno`] logs the error's message as a
//! `[WASI-NN] …` line and gives the guest its number. Guest memory is only reached through [`Memory`]
//! (the SDK's bounds-checked [`Frame`] in the plugin), and every pointer is checked before anything
//! happens, so a bad one has no effect.

use wasmedge_plugin_sdk::Frame;

use crate::backend::{Backend, Encoding, ErrNo, Error, OutputBound, Result, Target, Tensor, TensorType};
use crate::log;
use crate::preload::{GGUF_MAGIC, is_gguf_file};
use crate::state::{Admit, NnState};

/// The caller's linear memory as the functions use it.
pub trait Memory {
    /// Its size in bytes.
    fn size(&self) -> u64;
    /// `len` bytes at `ptr`, `None` if out of bounds.
    fn read(&self, ptr: u32, len: u32) -> Option<Vec<u8>>;
    /// Write `bytes` at `ptr`; false (and nothing written) if out of bounds.
    fn write(&mut self, ptr: u32, bytes: &[u8]) -> bool;
}

impl Memory for Frame<'_, '_> {
    fn size(&self) -> u64 {
        self.memory_size()
    }

    fn read(&self, ptr: u32, len: u32) -> Option<Vec<u8>> {
        Frame::read(self, ptr, len).ok()
    }

    fn write(&mut self, ptr: u32, bytes: &[u8]) -> bool {
        Frame::write(self, ptr, bytes).is_ok()
    }
}

// ---- messages of the pointer checks (WasmEdge's) ----

pub const GRAPH_ID_MEMORY: &str = "Failed when accessing the return GraphID memory.";
pub const GRAPH_BUILDER_MEMORY: &str = "Failed when accessing the GraphBuilder memory.";
pub const NAME_MEMORY: &str = "Failed when accessing the Name memory.";
pub const CONFIG_MEMORY: &str = "Failed when accessing the Config memory.";
pub const CONTEXT_MEMORY: &str = "Failed when accessing the Context memory.";
pub const TENSOR_MEMORY: &str = "Failed when accessing the Tensor memory.";
pub const DIMENSION_MEMORY: &str = "Failed when accessing the Dimension memory.";
pub const TENSOR_DATA_MEMORY: &str = "Failed when accessing the TensorData memory.";
pub const OUTPUT_BUFFER_MEMORY: &str = "Failed when accessing the Output Buffer memory.";
pub const BYTES_WRITTEN_MEMORY: &str = "Failed when accessing the BytesWritten memory.";

/// The builder-entry message: `Builder[i]`.
pub fn builder_memory(i: usize) -> String {
    format!("Failed when accessing the Builder[{i}] memory.")
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrNo::InvalidArgument, message)
}

/// The error number of a result for the guest, logging the error's message (if any) on stderr.
/// `EndOfSequence` is a normal end of a stream and is never logged.
pub fn errno(result: Result<()>) -> u32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            if e.code != ErrNo::EndOfSequence && !e.message.is_empty() {
                log(&e.message);
            }
            e.code as u32
        }
    }
}

// ---- guest memory ----

/// Whether `len` bytes at `ptr` lie inside memory (64-bit arithmetic: no wrap-around).
fn in_bounds(mem: &impl Memory, ptr: u32, len: u64) -> bool {
    u64::from(ptr) + len <= mem.size()
}

/// Fail with `message` unless a `u32` can be written at `ptr` (out-parameters are checked first).
fn check_u32(mem: &impl Memory, ptr: u32, message: &str) -> Result<()> {
    if in_bounds(mem, ptr, 4) { Ok(()) } else { Err(invalid(message)) }
}

/// Write a little-endian `u32` at `ptr`.
fn write_u32(mem: &mut impl Memory, ptr: u32, value: u32, message: &str) -> Result<()> {
    if mem.write(ptr, &value.to_le_bytes()) { Ok(()) } else { Err(invalid(message)) }
}

/// `len` bytes at `ptr` as WasmEdge's `getSpan` reads an extent whose size it then compares: an empty
/// extent is accepted wherever it points.
fn span(mem: &impl Memory, ptr: u32, len: u64, message: &str) -> Result<Vec<u8>> {
    if len == 0 {
        return Ok(Vec::new());
    }
    let len = u32::try_from(len).map_err(|_| invalid(message))?;
    mem.read(ptr, len).ok_or_else(|| invalid(message))
}

/// `len` bytes at `ptr` as WasmEdge's `checkAccessBound` admits them: even an empty extent must start
/// inside memory (or at its end).
fn bounded(mem: &impl Memory, ptr: u32, len: u32, message: &str) -> Result<Vec<u8>> {
    if !in_bounds(mem, ptr, u64::from(len)) {
        return Err(invalid(message));
    }
    span(mem, ptr, u64::from(len), message)
}

/// The little-endian `u32` at `at` (callers pass extents they read whole; a short one reads as 0).
fn le_u32(bytes: &[u8], at: usize) -> u32 {
    bytes.get(at..at + 4).and_then(|b| b.try_into().ok()).map_or(0, u32::from_le_bytes)
}

/// The builder array of `load`: `len` entries of 8 bytes (`u32` pointer, `u32` length), and the bytes
/// of each entry.
pub fn read_builders(mem: &impl Memory, ptr: u32, len: u32) -> Result<Vec<Vec<u8>>> {
    let array = span(mem, ptr, u64::from(len) * 8, GRAPH_BUILDER_MEMORY)?;
    array
        .chunks_exact(8)
        .enumerate()
        .map(|(i, entry)| span(mem, le_u32(entry, 0), u64::from(le_u32(entry, 4)), &builder_memory(i)))
        .collect()
}

/// The tensor struct of `set_input` (five little-endian `u32`s: dimensions pointer, dimension count,
/// type, data pointer, data length in bytes), the dimensions and the data it points to.
pub fn read_tensor(mem: &impl Memory, ptr: u32) -> Result<Tensor> {
    if !in_bounds(mem, ptr, 20) {
        return Err(invalid(TENSOR_MEMORY));
    }
    let raw = span(mem, ptr, 20, TENSOR_MEMORY)?;
    let dims = span(mem, le_u32(&raw, 0), u64::from(le_u32(&raw, 4)) * 4, DIMENSION_MEMORY)?;
    let data = span(mem, le_u32(&raw, 12), u64::from(le_u32(&raw, 16)), TENSOR_DATA_MEMORY)?;
    let ty = decode_tensor_type(le_u32(&raw, 8))?;
    Ok(Tensor { dims: dims.chunks_exact(4).map(|d| le_u32(d, 0)).collect(), ty, data })
}

// ---- enumerations ----

/// A `load` encoding: only its low 8 bits count (WasmEdge casts it to `uint8_t`). Numbers WasmEdge has
/// no backend for are `InvalidEncoding`; the ones it has are decoded even when this plugin cannot run
/// them ([`backend_for`] refuses those).
pub fn decode_encoding(raw: u32) -> Result<Encoding> {
    let e = raw as u8;
    Ok(match e {
        0 => Encoding::OpenVino,
        1 => Encoding::Onnx,
        2 => Encoding::Tensorflow,
        3 => Encoding::PyTorch,
        4 => Encoding::TensorflowLite,
        5 => Encoding::Autodetect,
        6 => Encoding::Ggml,
        7 => Encoding::NeuralSpeed,
        9 => Encoding::Whisper,
        10 => Encoding::Mlx,
        11 => Encoding::Piper,
        12 => Encoding::ChatTts,
        13 => Encoding::OpenVinoGenAi,
        _ => return Err(Error::new(ErrNo::InvalidEncoding, format!("Unknown backend {e}. {}", supported()))),
    })
}

/// A `load` target: CPU, GPU or TPU (`AUTO`, 3, is only for `--nn-preload`, as in WasmEdge).
pub fn decode_target(raw: u32) -> Result<Target> {
    match raw {
        0 => Ok(Target::Cpu),
        1 => Ok(Target::Gpu),
        2 => Ok(Target::Tpu),
        _ => Err(invalid(format!("Unknown device {raw}."))),
    }
}

/// A `set_input` tensor type, cast to `u8` first as WasmEdge does: F16, F32, U8 and I32 (F64 and I64 are
/// refused, as in WasmEdge).
pub fn decode_tensor_type(raw: u32) -> Result<TensorType> {
    match raw as u8 {
        0 => Ok(TensorType::F16),
        1 => Ok(TensorType::F32),
        3 => Ok(TensorType::U8),
        4 => Ok(TensorType::I32),
        t => Err(invalid(format!("Unknown tensor type {t}."))),
    }
}

/// The sentence naming the encodings this build runs.
pub fn supported() -> String {
    let mut names = Vec::new();
    if cfg!(feature = "ggml") {
        names.push("ggml (6)");
    }
    if cfg!(feature = "onnx") {
        names.push("onnx (1)");
    }
    if names.is_empty() {
        return "This wasi_nn plugin was built without backends.".into();
    }
    names.push("autodetect (5)");
    let (last, rest) = names.split_last().unwrap_or((&"", &[]));
    format!("This wasi_nn plugin supports {} and {last}.", rest.join(", "))
}

/// Whether builder 0 is a GGUF model: its bytes start with `GGUF`, or it is `preload:<path>` and that
/// file does.
pub fn is_gguf(builders: &[Vec<u8>]) -> bool {
    let Some(first) = builders.first() else { return false };
    if first.starts_with(GGUF_MAGIC) {
        return true;
    }
    match first.strip_prefix(b"preload:") {
        Some(path) => std::str::from_utf8(path).is_ok_and(is_gguf_file),
        None => false,
    }
}

/// The encoding that runs `encoding` here: GGML and ONNX themselves; `autodetect` GGML for a GGUF
/// model ([`is_gguf`]) and ONNX for anything else. Every other encoding is refused with
/// `InvalidArgument`, as WasmEdge refuses a backend it was built without.
pub fn resolve(encoding: Encoding, builders: &[Vec<u8>]) -> Result<Encoding> {
    let not_built = |what: &str| Err(invalid(format!("{what} {}", supported())));
    match encoding {
        Encoding::Ggml | Encoding::Onnx => Ok(encoding),
        Encoding::Autodetect => Ok(if is_gguf(builders) { Encoding::Ggml } else { Encoding::Onnx }),
        Encoding::OpenVino => not_built("OpenVINO backend is not built."),
        Encoding::Tensorflow => not_built("Tensorflow backend is not supported."),
        Encoding::PyTorch => not_built("PyTorch backend is not built."),
        Encoding::TensorflowLite => not_built("TensorflowLite backend is not built."),
        Encoding::NeuralSpeed => not_built(
            "Neural Speed backend is removed due to the upstream end-of-life. Reference: https://github.com/intel/neural-speed.",
        ),
        Encoding::Whisper => not_built("Whisper backend is not built."),
        Encoding::Mlx => not_built("MLX backend is not built."),
        Encoding::Piper => not_built("Piper backend is not supported."),
        Encoding::ChatTts => not_built("ChatTTS backend is not built."),
        Encoding::OpenVinoGenAi => not_built("OpenVINO GenAI backend is not built."),
    }
}

/// The backend for `encoding` ([`resolve`]); a backend whose cargo feature is off is `InvalidArgument`.
pub fn backend_for(encoding: Encoding, builders: &[Vec<u8>]) -> Result<&'static dyn Backend> {
    match resolve(encoding, builders)? {
        Encoding::Ggml => ggml(),
        _ => onnx(),
    }
}

#[cfg(feature = "ggml")]
fn ggml() -> Result<&'static dyn Backend> {
    static GGML: crate::ggml::GgmlBackend = crate::ggml::GgmlBackend;
    Ok(&GGML)
}

#[cfg(not(feature = "ggml"))]
fn ggml() -> Result<&'static dyn Backend> {
    Err(invalid("ggml backend is not built. use the cargo feature \"ggml\" of wasmedge-plugin-wasi-nn to build it."))
}

#[cfg(feature = "onnx")]
fn onnx() -> Result<&'static dyn Backend> {
    static ONNX: crate::onnx::OnnxBackend = crate::onnx::OnnxBackend;
    Ok(&ONNX)
}

#[cfg(not(feature = "onnx"))]
fn onnx() -> Result<&'static dyn Backend> {
    Err(invalid("ONNX backend is not built. use the cargo feature \"onnx\" of wasmedge-plugin-wasi-nn to build it."))
}

// ---- outputs ----

/// Copy an output to the guest (`get_output*`, after the pointer checks): under
/// [`OutputBound::BufferLength`] it must fit in `out_max_len` bytes; under [`OutputBound::MemorySize`]
/// `out_max_len` is ignored and it must fit between `out_ptr` and the end of memory. If it fits, the
/// output is written at `out_ptr` and its length at `bytes_written_ptr`; if not, nothing is written but
/// the length needed, and the result is `TooLarge`.
pub fn write_output(
    mem: &mut impl Memory,
    op: &str,
    bound: OutputBound,
    out_ptr: u32,
    out_max_len: u32,
    bytes_written_ptr: u32,
    output: &[u8],
) -> Result<()> {
    let len = output.len() as u64;
    // An output of 4 GiB or more fits nowhere; its size saturates.
    let needed = u32::try_from(output.len()).unwrap_or(u32::MAX);
    let too_large = match bound {
        OutputBound::BufferLength => (len > u64::from(out_max_len))
            .then(|| format!("{op}: output buffer too small, need {len} bytes but got {out_max_len}.")),
        OutputBound::MemorySize => (!in_bounds(mem, out_ptr, len)).then(|| {
            let room = mem.size().saturating_sub(u64::from(out_ptr));
            format!("{op}: output does not fit in the guest's memory, need {len} bytes but {room} are left.")
        }),
    };
    if let Some(message) = too_large {
        write_u32(mem, bytes_written_ptr, needed, BYTES_WRITTEN_MEMORY)?;
        return Err(Error::new(ErrNo::TooLarge, message));
    }
    if !output.is_empty() && !mem.write(out_ptr, output) {
        return Err(invalid(OUTPUT_BUFFER_MEMORY));
    }
    write_u32(mem, bytes_written_ptr, needed, BYTES_WRITTEN_MEMORY)
}

// ---- the functions ----

/// `load(builder_ptr, builder_len, encoding, target, graph_id_ptr)`.
pub fn load(
    state: &mut NnState,
    mem: &mut impl Memory,
    builder_ptr: u32,
    builder_len: u32,
    encoding: u32,
    target: u32,
    graph_id_ptr: u32,
) -> Result<()> {
    check_u32(mem, graph_id_ptr, GRAPH_ID_MEMORY)?;
    let target = decode_target(target)?;
    let builders = read_builders(mem, builder_ptr, builder_len)?;
    let encoding = decode_encoding(encoding)?;
    let id = state.load(encoding, target, &builders, None)?;
    write_u32(mem, graph_id_ptr, id, GRAPH_ID_MEMORY)
}

/// `load_by_name(name_ptr, name_len, graph_id_ptr)`.
pub fn load_by_name(
    state: &mut NnState,
    mem: &mut impl Memory,
    name_ptr: u32,
    name_len: u32,
    graph_id_ptr: u32,
) -> Result<()> {
    check_u32(mem, graph_id_ptr, GRAPH_ID_MEMORY)?;
    let name = bounded(mem, name_ptr, name_len, NAME_MEMORY)?;
    let id = state.load_by_name(&name, &[])?;
    write_u32(mem, graph_id_ptr, id, GRAPH_ID_MEMORY)
}

/// `load_by_name_with_config(name_ptr, name_len, config_ptr, config_len, graph_id_ptr)`.
pub fn load_by_name_with_config(
    state: &mut NnState,
    mem: &mut impl Memory,
    name_ptr: u32,
    name_len: u32,
    config_ptr: u32,
    config_len: u32,
    graph_id_ptr: u32,
) -> Result<()> {
    check_u32(mem, graph_id_ptr, GRAPH_ID_MEMORY)?;
    let name = bounded(mem, name_ptr, name_len, NAME_MEMORY)?;
    let config = bounded(mem, config_ptr, config_len, CONFIG_MEMORY)?;
    let id = state.load_by_name(&name, &config)?;
    write_u32(mem, graph_id_ptr, id, GRAPH_ID_MEMORY)
}

/// `init_execution_context(graph_id, ctx_id_ptr)`.
pub fn init_execution_context(
    state: &mut NnState,
    mem: &mut impl Memory,
    graph_id: u32,
    ctx_id_ptr: u32,
) -> Result<()> {
    check_u32(mem, ctx_id_ptr, CONTEXT_MEMORY)?;
    let id = state.init_execution_context(graph_id)?;
    write_u32(mem, ctx_id_ptr, id, CONTEXT_MEMORY)
}

/// `set_input(ctx_id, index, tensor_ptr)`: every check of the tensor comes before the context's.
pub fn set_input(state: &mut NnState, mem: &mut impl Memory, ctx_id: u32, index: u32, tensor_ptr: u32) -> Result<()> {
    let tensor = read_tensor(mem, tensor_ptr)?;
    state.context("set_input", ctx_id, Admit::Loaded)?.set_input(index, tensor)
}

/// The pointer checks of `get_output*`: the buffer (an empty one may sit at the end of memory, not past
/// it), then the `bytes_written` out-parameter.
fn check_output_pointers(mem: &impl Memory, out_ptr: u32, out_max_len: u32, bytes_written_ptr: u32) -> Result<()> {
    if !in_bounds(mem, out_ptr, u64::from(out_max_len)) {
        return Err(invalid(OUTPUT_BUFFER_MEMORY));
    }
    check_u32(mem, bytes_written_ptr, BYTES_WRITTEN_MEMORY)
}

/// `get_output(ctx_id, index, out_ptr, out_max_len, bytes_written_ptr)`.
pub fn get_output(
    state: &mut NnState,
    mem: &mut impl Memory,
    ctx_id: u32,
    index: u32,
    out_ptr: u32,
    out_max_len: u32,
    bytes_written_ptr: u32,
) -> Result<()> {
    check_output_pointers(mem, out_ptr, out_max_len, bytes_written_ptr)?;
    let context = state.context("get_output", ctx_id, Admit::Any)?;
    let output = context.get_output(index)?;
    write_output(mem, "get_output", context.output_bound(), out_ptr, out_max_len, bytes_written_ptr, &output)
}

/// `get_output_single(ctx_id, index, out_ptr, out_max_len, bytes_written_ptr)`.
pub fn get_output_single(
    state: &mut NnState,
    mem: &mut impl Memory,
    ctx_id: u32,
    index: u32,
    out_ptr: u32,
    out_max_len: u32,
    bytes_written_ptr: u32,
) -> Result<()> {
    check_output_pointers(mem, out_ptr, out_max_len, bytes_written_ptr)?;
    let context = state.context("get_output_single", ctx_id, Admit::Any)?;
    let output = context.get_output_single(index)?;
    write_output(mem, "get_output_single", context.output_bound(), out_ptr, out_max_len, bytes_written_ptr, &output)
}

/// `compute(ctx_id)`.
pub fn compute(state: &mut NnState, _mem: &mut impl Memory, ctx_id: u32) -> Result<()> {
    state.context("compute", ctx_id, Admit::Loaded)?.compute()
}

/// `compute_single(ctx_id)`: `EndOfSequence` (the stream ended) is returned as it comes, unlogged.
pub fn compute_single(state: &mut NnState, _mem: &mut impl Memory, ctx_id: u32) -> Result<()> {
    state.context("compute_single", ctx_id, Admit::Loaded)?.compute_single()
}

/// `fini_single(ctx_id)`.
pub fn fini_single(state: &mut NnState, _mem: &mut impl Memory, ctx_id: u32) -> Result<()> {
    state.context("fini_single", ctx_id, Admit::Any)?.fini_single()
}

/// `unload(graph_id)`.
pub fn unload(state: &mut NnState, _mem: &mut impl Memory, graph_id: u32) -> Result<()> {
    state.unload(graph_id)
}

/// `finalize_execution_context(ctx_id)`.
pub fn finalize_execution_context(state: &mut NnState, _mem: &mut impl Memory, ctx_id: u32) -> Result<()> {
    state.finalize_execution_context(ctx_id)
}

#[cfg(test)]
mod tests {
    //! The functions over a plain memory and a fake backend pair (test-only; never dispatched by the
    //! plugin): every message and code of the core, with exact texts.

    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::backend::{ExecutionContext, Graph};
    use crate::preload::Preloads;

    const SIZE: usize = 1 << 20;

    struct Mem(Vec<u8>);

    impl Memory for Mem {
        fn size(&self) -> u64 {
            self.0.len() as u64
        }
        fn read(&self, ptr: u32, len: u32) -> Option<Vec<u8>> {
            let end = (ptr as usize).checked_add(len as usize)?;
            self.0.get(ptr as usize..end).map(<[u8]>::to_vec)
        }
        fn write(&mut self, ptr: u32, bytes: &[u8]) -> bool {
            let Some(end) = (ptr as usize).checked_add(bytes.len()) else { return false };
            match self.0.get_mut(ptr as usize..end) {
                Some(dst) => {
                    dst.copy_from_slice(bytes);
                    true
                }
                None => false,
            }
        }
    }

    /// A fake backend: a model `fail` does not load; other models give graphs whose contexts add up
    /// their inputs (output 0: the input bytes in index order) and describe themselves (output 1); models
    /// starting with `stream` also stream three tokens.
    struct Fake(Encoding, OutputBound);

    static FAKE_GGML: Fake = Fake(Encoding::Ggml, OutputBound::MemorySize);
    static FAKE_ONNX: Fake = Fake(Encoding::Onnx, OutputBound::BufferLength);

    fn fake_dispatch(encoding: Encoding, builders: &[Vec<u8>]) -> Result<&'static dyn Backend> {
        Ok(match resolve(encoding, builders)? {
            Encoding::Ggml => &FAKE_GGML,
            _ => &FAKE_ONNX,
        })
    }

    struct FakeGraph {
        description: String,
        bound: OutputBound,
        stream: bool,
    }

    impl Backend for Fake {
        fn load(&self, builders: &[Vec<u8>], target: Target) -> Result<Arc<dyn Graph>> {
            if builders.first().is_some_and(|b| b == b"fail") {
                return Err(Error::new(ErrNo::InvalidArgument, "fake: cannot load"));
            }
            let parts: Vec<String> = builders.iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect();
            Ok(Arc::new(FakeGraph {
                description: format!("{:?} {target:?} [{}]", self.0, parts.join("|")),
                bound: self.1,
                stream: builders.first().is_some_and(|b| b.starts_with(b"stream")),
            }))
        }
    }

    impl Graph for FakeGraph {
        fn init_execution_context(&self) -> Result<Box<dyn ExecutionContext>> {
            let echo = Echo { description: self.description.clone(), bound: self.bound, inputs: BTreeMap::new() };
            if self.stream { Ok(Box::new(Stream { echo, tokens: Vec::new() })) } else { Ok(Box::new(echo)) }
        }
    }

    struct Echo {
        description: String,
        bound: OutputBound,
        inputs: BTreeMap<u32, Tensor>,
    }

    impl ExecutionContext for Echo {
        fn set_input(&mut self, index: u32, tensor: Tensor) -> Result<()> {
            self.inputs.insert(index, tensor);
            Ok(())
        }
        fn compute(&mut self) -> Result<()> {
            if self.inputs.is_empty() { Err(Error::new(ErrNo::InvalidArgument, "fake: no input")) } else { Ok(()) }
        }
        fn get_output(&mut self, index: u32) -> Result<Vec<u8>> {
            match index {
                0 => Ok(self.inputs.values().flat_map(|t| t.data.iter().copied()).collect()),
                1 => Ok(self.description.clone().into_bytes()),
                2 => Ok(format!("{:?}", self.inputs.values().collect::<Vec<_>>()).into_bytes()),
                _ => Err(Error::new(ErrNo::InvalidArgument, format!("fake: no output {index}"))),
            }
        }
        fn output_bound(&self) -> OutputBound {
            self.bound
        }
    }

    struct Stream {
        echo: Echo,
        tokens: Vec<&'static str>,
    }

    impl ExecutionContext for Stream {
        fn set_input(&mut self, index: u32, tensor: Tensor) -> Result<()> {
            self.echo.set_input(index, tensor)
        }
        fn compute(&mut self) -> Result<()> {
            self.echo.compute()
        }
        fn get_output(&mut self, index: u32) -> Result<Vec<u8>> {
            match index {
                0 => Ok(self.tokens.concat().into_bytes()),
                _ => self.echo.get_output(index),
            }
        }
        fn output_bound(&self) -> OutputBound {
            self.echo.bound
        }
        fn compute_single(&mut self) -> Result<()> {
            match ["a", "b", "c"].get(self.tokens.len()) {
                Some(t) => {
                    self.tokens.push(t);
                    Ok(())
                }
                None => Err(Error::new(ErrNo::EndOfSequence, "fake: end")),
            }
        }
        fn get_output_single(&mut self, _index: u32) -> Result<Vec<u8>> {
            Ok(self.tokens.last().copied().unwrap_or("").as_bytes().to_vec())
        }
        fn fini_single(&mut self) -> Result<()> {
            self.tokens.clear();
            Ok(())
        }
    }

    /// A guest: a state with the fake backends, a memory and a bump allocator from 1024.
    struct G {
        s: NnState,
        m: Mem,
        top: u32,
    }

    fn err(code: ErrNo, message: &str) -> Error {
        Error::new(code, message)
    }

    fn inv(message: &str) -> Error {
        err(ErrNo::InvalidArgument, message)
    }

    const END: u32 = SIZE as u32;

    impl G {
        fn new(preloads: &[&str]) -> G {
            G { s: NnState::new(Preloads::parse(preloads), fake_dispatch), m: Mem(vec![0; SIZE]), top: 1024 }
        }

        fn put(&mut self, data: &[u8]) -> u32 {
            let p = self.top;
            self.m.0[p as usize..p as usize + data.len()].copy_from_slice(data);
            self.top += (data.len() as u32 + 8) & !7;
            p
        }

        fn u32_at(&self, p: u32) -> u32 {
            le_u32(&self.m.0, p as usize)
        }

        /// A builder array for `builders`: (pointer, length).
        fn builders(&mut self, builders: &[&[u8]]) -> (u32, u32) {
            let mut array = Vec::new();
            for b in builders {
                let p = self.put(b);
                array.extend_from_slice(&p.to_le_bytes());
                array.extend_from_slice(&(b.len() as u32).to_le_bytes());
            }
            (self.put(&array), builders.len() as u32)
        }

        fn load(&mut self, builders: &[&[u8]], encoding: u32, target: u32) -> Result<u32> {
            let (p, n) = self.builders(builders);
            let out = self.put(&[0xa5; 4]);
            load(&mut self.s, &mut self.m, p, n, encoding, target, out)?;
            Ok(self.u32_at(out))
        }

        fn by_name(&mut self, name: &[u8], config: Option<&[u8]>) -> Result<u32> {
            let n = self.put(name);
            let out = self.put(&[0xa5; 4]);
            match config {
                None => load_by_name(&mut self.s, &mut self.m, n, name.len() as u32, out)?,
                Some(c) => {
                    let cp = self.put(c);
                    load_by_name_with_config(&mut self.s, &mut self.m, n, name.len() as u32, cp, c.len() as u32, out)?
                }
            }
            Ok(self.u32_at(out))
        }

        fn init(&mut self, graph: u32) -> Result<u32> {
            let out = self.put(&[0xa5; 4]);
            init_execution_context(&mut self.s, &mut self.m, graph, out)?;
            Ok(self.u32_at(out))
        }

        /// A tensor struct: (dims pointer, dims count, type, data pointer, data length).
        fn tensor_raw(&mut self, fields: [u32; 5]) -> u32 {
            let bytes: Vec<u8> = fields.iter().flat_map(|f| f.to_le_bytes()).collect();
            self.put(&bytes)
        }

        fn tensor(&mut self, dims: &[u32], ty: u32, data: &[u8]) -> u32 {
            let d: Vec<u8> = dims.iter().flat_map(|d| d.to_le_bytes()).collect();
            let dp = self.put(&d);
            let p = self.put(data);
            self.tensor_raw([dp, dims.len() as u32, ty, p, data.len() as u32])
        }

        fn set_input(&mut self, ctx: u32, index: u32, data: &[u8]) -> Result<()> {
            let t = self.tensor(&[data.len() as u32], 3, data);
            set_input(&mut self.s, &mut self.m, ctx, index, t)
        }

        fn compute(&mut self, ctx: u32) -> Result<()> {
            compute(&mut self.s, &mut self.m, ctx)
        }

        /// `get_output` (or `_single`) into a buffer of `max` bytes filled with 0xa5: (bytes written as
        /// reported, the whole buffer).
        fn output(&mut self, single: bool, ctx: u32, index: u32, max: u32) -> (Result<()>, u32, Vec<u8>) {
            let buf = self.put(&vec![0xa5; max as usize]);
            let bw = self.put(&[0xa5; 4]);
            let f = if single { get_output_single } else { get_output };
            let r = f(&mut self.s, &mut self.m, ctx, index, buf, max, bw);
            (r, self.u32_at(bw), self.m.0[buf as usize..(buf + max) as usize].to_vec())
        }

        fn get(&mut self, ctx: u32, index: u32) -> Result<Vec<u8>> {
            let (r, n, buf) = self.output(false, ctx, index, 4096);
            r.map(|()| buf[..n as usize].to_vec())
        }

        fn describe(&mut self, graph: u32) -> String {
            let c = self.init(graph).unwrap();
            let d = self.get(c, 1).unwrap();
            finalize_execution_context(&mut self.s, &mut self.m, c).unwrap();
            String::from_utf8(d).unwrap()
        }
    }

    #[test]
    fn load_checks_in_wasmedges_order() {
        let mut g = G::new(&[]);
        let (p, n) = g.builders(&[b"model"]);
        // The out-parameter first, then the target, the builders, the encoding.
        for bad in [END - 3, END, u32::MAX] {
            assert_eq!(load(&mut g.s, &mut g.m, u32::MAX, 1, 99, 9, bad), Err(inv(GRAPH_ID_MEMORY)));
        }
        assert_eq!(load(&mut g.s, &mut g.m, u32::MAX, 1, 99, 3, 0), Err(inv("Unknown device 3.")));
        assert_eq!(load(&mut g.s, &mut g.m, u32::MAX, 1, 99, u32::MAX, 0), Err(inv("Unknown device 4294967295.")));
        assert_eq!(load(&mut g.s, &mut g.m, u32::MAX, 1, 99, 0, 0), Err(inv(GRAPH_BUILDER_MEMORY)));
        assert_eq!(load(&mut g.s, &mut g.m, END - 7, 1, 99, 0, 0), Err(inv(GRAPH_BUILDER_MEMORY)));
        // 0x2000_0000 entries are 4 GiB: 0.15's 32-bit product wrapped to 0 here; not this one.
        assert_eq!(load(&mut g.s, &mut g.m, p, 0x2000_0000, 99, 0, 0), Err(inv(GRAPH_BUILDER_MEMORY)));
        let e = load(&mut g.s, &mut g.m, p, n, 99, 0, 0).unwrap_err();
        assert_eq!(e.code, ErrNo::InvalidEncoding);
        assert_eq!(e.message, format!("Unknown backend 99. {}", supported()));
        // A builder pointing out of memory: its index is in the message.
        let good = g.put(b"x");
        let mut array = Vec::new();
        for (ptr, len) in [(good, 1u32), (END - 1, 2)] {
            array.extend_from_slice(&ptr.to_le_bytes());
            array.extend_from_slice(&len.to_le_bytes());
        }
        let a = g.put(&array);
        assert_eq!(load(&mut g.s, &mut g.m, a, 2, 6, 0, 0), Err(inv(&builder_memory(1))));
        assert_eq!(builder_memory(1), "Failed when accessing the Builder[1] memory.");
        // Nothing was loaded.
        assert_eq!(g.s.counts(), (0, 0));
        assert_eq!(g.load(&[b"m"], 1, 0), Ok(0));
    }

    #[test]
    fn empty_extents_pass_where_wasmedge_passes_them() {
        let mut g = G::new(&[":onnx:cpu"]);
        // An empty builder array, or an empty builder, anywhere: accepted (then the encoding decides).
        assert_eq!(load(&mut g.s, &mut g.m, u32::MAX, 0, 8, 0, 0).unwrap_err().code, ErrNo::InvalidEncoding);
        let a = g.put(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
        assert_eq!(load(&mut g.s, &mut g.m, a, 1, 8, 0, 0).unwrap_err().code, ErrNo::InvalidEncoding);
        assert_eq!(load(&mut g.s, &mut g.m, a, 1, 1, 0, 0), Ok(()));
        assert_eq!(g.describe(0), "Onnx Cpu []");
        // A name must lie in memory even when empty; the very end is in memory.
        assert_eq!(load_by_name(&mut g.s, &mut g.m, END + 1, 0, 0), Err(inv(NAME_MEMORY)));
        assert_eq!(load_by_name(&mut g.s, &mut g.m, END, 1, 0), Err(inv(NAME_MEMORY)));
        assert_eq!(load_by_name(&mut g.s, &mut g.m, END - 1, 2, 0), Err(inv(NAME_MEMORY)));
        assert_eq!(load_by_name(&mut g.s, &mut g.m, END, 0, 0), Ok(()));
        assert_eq!(g.u32_at(0), 1);
        // Dimensions and data: empty ones anywhere.
        let c = g.init(0).unwrap();
        let t = g.tensor_raw([u32::MAX, 0, 1, u32::MAX, 0]);
        assert_eq!(set_input(&mut g.s, &mut g.m, c, 0, t), Ok(()));
        // An empty output buffer at the end of memory, not past it.
        let bw = g.put(&[0; 4]);
        assert_eq!(get_output(&mut g.s, &mut g.m, c, 9, END, 0, bw), Err(inv("fake: no output 9")));
        assert_eq!(get_output(&mut g.s, &mut g.m, c, 9, END + 1, 0, bw), Err(inv(OUTPUT_BUFFER_MEMORY)));
        assert_eq!(get_output(&mut g.s, &mut g.m, c, 0, END, 0, bw), Ok(()));
        assert_eq!(g.u32_at(bw), 0);
    }

    #[test]
    fn load_by_name_checks() {
        let mut g = G::new(&["m:onnx:cpu"]);
        let n = g.put(b"m");
        assert_eq!(load_by_name(&mut g.s, &mut g.m, u32::MAX, 5, END - 2), Err(inv(GRAPH_ID_MEMORY)));
        assert_eq!(
            load_by_name_with_config(&mut g.s, &mut g.m, u32::MAX, 5, u32::MAX, 1, END),
            Err(inv(GRAPH_ID_MEMORY))
        );
        assert_eq!(load_by_name(&mut g.s, &mut g.m, n, END, 0), Err(inv(NAME_MEMORY)));
        assert_eq!(load_by_name_with_config(&mut g.s, &mut g.m, n, END, u32::MAX, 1, 0), Err(inv(NAME_MEMORY)));
        assert_eq!(load_by_name_with_config(&mut g.s, &mut g.m, n, 1, END - 1, 2, 0), Err(inv(CONFIG_MEMORY)));
        assert_eq!(load_by_name_with_config(&mut g.s, &mut g.m, n, 1, END + 1, 0, 0), Err(inv(CONFIG_MEMORY)));
        // Not preloaded: NotFound, no message; the out-parameter is untouched.
        assert_eq!(g.by_name(b"M", None), Err(Error::quiet(ErrNo::NotFound)));
        assert_eq!(g.by_name(b"m\0", Some(b"{}")), Err(Error::quiet(ErrNo::NotFound)));
        assert_eq!(g.by_name(b"", None), Err(Error::quiet(ErrNo::NotFound)));
        assert_eq!(g.s.counts(), (0, 0));
        assert_eq!(g.by_name(b"m", None), Ok(0));
    }

    #[test]
    fn encodings() {
        let mut g = G::new(&[]);
        let s = supported();
        let cases: &[(u32, ErrNo, &str)] = &[
            (0, ErrNo::InvalidArgument, "OpenVINO backend is not built."),
            (2, ErrNo::InvalidArgument, "Tensorflow backend is not supported."),
            (3, ErrNo::InvalidArgument, "PyTorch backend is not built."),
            (4, ErrNo::InvalidArgument, "TensorflowLite backend is not built."),
            (
                7,
                ErrNo::InvalidArgument,
                "Neural Speed backend is removed due to the upstream end-of-life. Reference: https://github.com/intel/neural-speed.",
            ),
            (8, ErrNo::InvalidEncoding, "Unknown backend 8."),
            (9, ErrNo::InvalidArgument, "Whisper backend is not built."),
            (10, ErrNo::InvalidArgument, "MLX backend is not built."),
            (11, ErrNo::InvalidArgument, "Piper backend is not supported."),
            (12, ErrNo::InvalidArgument, "ChatTTS backend is not built."),
            (13, ErrNo::InvalidArgument, "OpenVINO GenAI backend is not built."),
            (14, ErrNo::InvalidEncoding, "Unknown backend 14."),
            (255, ErrNo::InvalidEncoding, "Unknown backend 255."),
            // Only the low 8 bits count, and the message shows them.
            (0x100 + 8, ErrNo::InvalidEncoding, "Unknown backend 8."),
            (0xffff_ff0e, ErrNo::InvalidEncoding, "Unknown backend 14."),
            (0x200 + 2, ErrNo::InvalidArgument, "Tensorflow backend is not supported."),
        ];
        for &(raw, code, text) in cases {
            assert_eq!(g.load(&[b"m"], raw, 0), Err(err(code, &format!("{text} {s}"))), "{raw}");
        }
        if cfg!(all(feature = "ggml", feature = "onnx")) {
            assert_eq!(s, "This wasi_nn plugin supports ggml (6), onnx (1) and autodetect (5).");
        }
        assert_eq!(g.s.counts(), (0, 0));
        assert_eq!(g.load(&[b"m"], 6, 0), Ok(0));
        assert_eq!(g.load(&[b"m"], 0x106, 0), Ok(1));
        assert_eq!(g.load(&[b"m"], 1, 0), Ok(2));
        assert_eq!(g.load(&[b"m"], 0xffff_ff01, 0), Ok(3));
        let d: Vec<String> = (0..4).map(|i| g.describe(i)).collect();
        assert_eq!(d, ["Ggml Cpu [m]", "Ggml Cpu [m]", "Onnx Cpu [m]", "Onnx Cpu [m]"]);
    }

    #[test]
    fn autodetect_picks_ggml_for_gguf_and_onnx_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let gguf = dir.path().join("m.gguf");
        std::fs::write(&gguf, b"GGUF\x03\0\0\0").unwrap();
        let preload_gguf = format!("preload:{}", gguf.display());
        let preload_missing = format!("preload:{}", dir.path().join("none").display());
        let mut g = G::new(&[]);
        let cases: &[(&[&[u8]], &str)] = &[
            (&[b"GGUF\x03\0\0\0"], "Ggml"),
            (&[preload_gguf.as_bytes(), b"{\"n\":1}"], "Ggml"),
            (&[preload_missing.as_bytes()], "Onnx"),
            (&[b"GGU"], "Onnx"),
            (&[b"\x08\x07onnx", b"GGUF"], "Onnx"),
            (&[], "Onnx"),
        ];
        for (i, (builders, want)) in cases.iter().enumerate() {
            let id = g.load(builders, 5, 0).unwrap();
            assert_eq!(id, i as u32);
            let d = g.describe(id);
            assert!(d.starts_with(want), "{i}: {d}");
        }
        assert!(!is_gguf(&[]));
    }

    #[test]
    fn targets() {
        let mut g = G::new(&[]);
        for (t, name) in [(0, "Cpu"), (1, "Gpu"), (2, "Tpu")] {
            let id = g.load(&[b"m"], 1, t).unwrap();
            assert_eq!(g.describe(id), format!("Onnx {name} [m]"));
        }
        for t in [3, 4, 0x100] {
            assert_eq!(g.load(&[b"m"], 1, t), Err(inv(&format!("Unknown device {t}."))));
        }
        assert_eq!(decode_target(3), Err(inv("Unknown device 3.")));
    }

    #[test]
    fn tensors() {
        let mut g = G::new(&[]);
        let graph = g.load(&[b"m"], 1, 0).unwrap();
        let c = g.init(graph).unwrap();
        // Pointer checks before the type and the context.
        assert_eq!(set_input(&mut g.s, &mut g.m, 99, 0, END - 19), Err(inv(TENSOR_MEMORY)));
        assert_eq!(set_input(&mut g.s, &mut g.m, 99, 0, u32::MAX), Err(inv(TENSOR_MEMORY)));
        let t = g.tensor_raw([END - 4, 2, 9, 0, 1]);
        assert_eq!(set_input(&mut g.s, &mut g.m, 99, 0, t), Err(inv(DIMENSION_MEMORY)));
        let t = g.tensor_raw([0, 0x4000_0000, 9, 0, 1]);
        assert_eq!(set_input(&mut g.s, &mut g.m, 99, 0, t), Err(inv(DIMENSION_MEMORY)));
        let t = g.tensor_raw([0, 1, 9, END, 1]);
        assert_eq!(set_input(&mut g.s, &mut g.m, 99, 0, t), Err(inv(TENSOR_DATA_MEMORY)));
        // Types: cast to u8; F64, I64 and unknown refused.
        for (ty, shown) in [(2, 2), (5, 5), (6, 6), (255, 255), (0x102, 2), (0x105, 5)] {
            let t = g.tensor(&[1], ty, b"x");
            assert_eq!(set_input(&mut g.s, &mut g.m, c, 0, t), Err(inv(&format!("Unknown tensor type {shown}."))));
        }
        let t = g.tensor(&[1], 1, b"x");
        assert_eq!(set_input(&mut g.s, &mut g.m, 99, 0, t), Err(inv("set_input: Context ID 99 does not exist.")));
        // What the backend gets: the dims, the type and the bytes.
        let mut index = 0;
        for (ty, want) in [(0, TensorType::F16), (1, TensorType::F32), (3, TensorType::U8), (4, TensorType::I32)] {
            for raw in [ty, ty + 0x100] {
                let t = g.tensor(&[2, 3, 0x0102_0304], raw, &[index as u8; 2]);
                assert_eq!(set_input(&mut g.s, &mut g.m, c, index, t), Ok(()));
                let want = Tensor { dims: vec![2, 3, 0x0102_0304], ty: want, data: vec![index as u8; 2] };
                let got = g.get(c, 2).unwrap();
                assert!(String::from_utf8(got).unwrap().ends_with(&format!("{want:?}]")), "{raw}");
                index += 1;
            }
        }
    }

    #[test]
    fn ids_count_up_from_zero_and_are_never_reused() {
        let mut g = G::new(&[]);
        assert_eq!(g.load(&[b"a"], 1, 0), Ok(0));
        assert_eq!(g.load(&[b"fail"], 1, 0), Err(inv("fake: cannot load")));
        assert_eq!(g.load(&[b"b"], 6, 0), Ok(1));
        assert_eq!(g.init(0), Ok(0));
        assert_eq!(g.init(1), Ok(1));
        assert_eq!(g.init(0), Ok(2));
        assert_eq!(g.init(7), Err(inv("init_execution_context: Graph ID 7 does not exist or is unloaded.")));
        assert_eq!(unload(&mut g.s, &mut g.m, 1), Ok(()));
        assert_eq!(finalize_execution_context(&mut g.s, &mut g.m, 2), Ok(()));
        assert_eq!(g.load(&[b"c"], 1, 0), Ok(2));
        assert_eq!(g.init(2), Ok(3));
        assert_eq!(g.s.counts(), (2, 3));
    }

    #[test]
    fn handle_space_exhaustion_is_a_runtime_error() {
        let mut g = G::new(&[]);
        g.s.set_next_ids(u32::MAX - 1, u32::MAX - 1);
        assert_eq!(g.load(&[b"a"], 1, 0), Ok(u32::MAX - 1));
        assert_eq!(g.load(&[b"a"], 1, 0), Err(err(ErrNo::RuntimeError, "load: graph handle space is exhausted.")));
        assert_eq!(g.init(u32::MAX - 1), Ok(u32::MAX - 1));
        let e = err(ErrNo::RuntimeError, "init_execution_context: context handle space is exhausted.");
        assert_eq!(g.init(u32::MAX - 1), Err(e));
    }

    #[test]
    fn init_execution_context_checks() {
        let mut g = G::new(&[]);
        let graph = g.load(&[b"a"], 1, 0).unwrap();
        for bad in [END - 3, END, u32::MAX] {
            assert_eq!(init_execution_context(&mut g.s, &mut g.m, graph, bad), Err(inv(CONTEXT_MEMORY)));
        }
        assert_eq!(init_execution_context(&mut g.s, &mut g.m, 5, END), Err(inv(CONTEXT_MEMORY)));
        assert_eq!(init_execution_context(&mut g.s, &mut g.m, graph, END - 4), Ok(()));
        assert_eq!(g.u32_at(END - 4), 0);
        assert_eq!(g.s.counts(), (1, 1));
    }

    #[test]
    fn unknown_contexts_name_the_function() {
        let mut g = G::new(&[]);
        let m = &mut g.m;
        let s = &mut g.s;
        let msg = |f: &str| inv(&format!("{f}: Context ID 3 does not exist."));
        assert_eq!(compute(s, m, 3), Err(msg("compute")));
        assert_eq!(compute_single(s, m, 3), Err(msg("compute_single")));
        assert_eq!(fini_single(s, m, 3), Err(msg("fini_single")));
        assert_eq!(get_output(s, m, 3, 0, 0, 0, 0), Err(msg("get_output")));
        assert_eq!(get_output_single(s, m, 3, 0, 0, 0, 0), Err(msg("get_output_single")));
        assert_eq!(finalize_execution_context(s, m, 3), Err(msg("finalize_execution_context")));
        assert_eq!(unload(s, m, 3), Err(inv("unload: Graph ID 3 does not exist or is unloaded.")));
        // get_output's pointer checks come before the context's.
        assert_eq!(get_output(s, m, 3, 0, END, 1, 0), Err(inv(OUTPUT_BUFFER_MEMORY)));
        assert_eq!(get_output(s, m, 3, 0, u32::MAX, 0, 0), Err(inv(OUTPUT_BUFFER_MEMORY)));
        assert_eq!(get_output_single(s, m, 3, 0, 0, END + 1, 0), Err(inv(OUTPUT_BUFFER_MEMORY)));
        assert_eq!(get_output(s, m, 3, 0, 0, END, END - 3), Err(inv(BYTES_WRITTEN_MEMORY)));
        assert_eq!(get_output_single(s, m, 3, 0, 0, 0, u32::MAX), Err(inv(BYTES_WRITTEN_MEMORY)));
    }

    #[test]
    fn unload_keeps_contexts_drainable() {
        let mut g = G::new(&[]);
        let graph = g.load(&[b"stream"], 6, 0).unwrap();
        let c = g.init(graph).unwrap();
        g.set_input(c, 0, b"hi").unwrap();
        assert_eq!(compute_single(&mut g.s, &mut g.m, c), Ok(()));
        assert_eq!(unload(&mut g.s, &mut g.m, graph), Ok(()));
        assert_eq!(unload(&mut g.s, &mut g.m, graph), Err(inv("unload: Graph ID 0 does not exist or is unloaded.")));
        let gone = |f: &str| inv(&format!("{f}: Graph ID 0 for context ID 0 does not exist or has released."));
        assert_eq!(g.set_input(c, 0, b"x"), Err(gone("set_input")));
        assert_eq!(g.compute(c), Err(gone("compute")));
        assert_eq!(compute_single(&mut g.s, &mut g.m, c), Err(gone("compute_single")));
        assert_eq!(g.init(graph), Err(inv("init_execution_context: Graph ID 0 does not exist or is unloaded.")));
        // Draining still works.
        assert_eq!(g.get(c, 0), Ok(b"a".to_vec()));
        let (r, n, buf) = g.output(true, c, 0, 8);
        assert_eq!((r, n, &buf[..1]), (Ok(()), 1, &b"a"[..]));
        assert_eq!(fini_single(&mut g.s, &mut g.m, c), Ok(()));
        assert_eq!(g.get(c, 0), Ok(Vec::new()));
        assert_eq!(finalize_execution_context(&mut g.s, &mut g.m, c), Ok(()));
        let e = inv("finalize_execution_context: Context ID 0 does not exist.");
        assert_eq!(finalize_execution_context(&mut g.s, &mut g.m, c), Err(e));
        assert_eq!(g.get(c, 0), Err(inv("get_output: Context ID 0 does not exist.")));
        assert_eq!(g.s.counts(), (0, 0));
    }

    #[test]
    fn many_contexts_per_graph_are_independent() {
        let mut g = G::new(&[]);
        let graph = g.load(&[b"m"], 1, 0).unwrap();
        let a = g.init(graph).unwrap();
        let b = g.init(graph).unwrap();
        g.set_input(a, 0, b"one").unwrap();
        g.set_input(b, 0, b"two").unwrap();
        g.set_input(b, 1, b"+").unwrap();
        assert_eq!(g.compute(a), Ok(()));
        assert_eq!(g.compute(b), Ok(()));
        assert_eq!(g.get(a, 0), Ok(b"one".to_vec()));
        assert_eq!(g.get(b, 0), Ok(b"two+".to_vec()));
        let c = g.init(graph).unwrap();
        assert_eq!(g.compute(c), Err(inv("fake: no input")));
        finalize_execution_context(&mut g.s, &mut g.m, a).unwrap();
        assert_eq!(g.get(b, 0), Ok(b"two+".to_vec()));
    }

    #[test]
    fn streaming_and_its_defaults() {
        let mut g = G::new(&[]);
        let s = g.load(&[b"stream"], 6, 0).unwrap();
        let plain = g.load(&[b"plain"], 1, 0).unwrap();
        let c = g.init(s).unwrap();
        let p = g.init(plain).unwrap();
        let mut got = Vec::new();
        loop {
            match compute_single(&mut g.s, &mut g.m, c) {
                Ok(()) => {
                    let (r, n, buf) = g.output(true, c, 0, 4);
                    r.unwrap();
                    got.extend_from_slice(&buf[..n as usize]);
                }
                Err(e) => {
                    assert_eq!(e.code, ErrNo::EndOfSequence);
                    assert_eq!(errno(Err(e)), 100);
                    break;
                }
            }
        }
        assert_eq!(got, b"abc");
        assert_eq!(g.get(c, 0), Ok(b"abc".to_vec()));
        assert_eq!(fini_single(&mut g.s, &mut g.m, c), Ok(()));
        // A backend that does not stream: WasmEdge 0.15's messages.
        let e = compute_single(&mut g.s, &mut g.m, p).unwrap_err();
        assert_eq!(e, inv("compute_single: Only GGML backend supports compute_single."));
        let (r, _, _) = g.output(true, p, 0, 4);
        assert_eq!(r, Err(inv("get_output_single: Only GGML backend supports get_output_single.")));
        assert_eq!(
            fini_single(&mut g.s, &mut g.m, p),
            Err(inv("fini_single: Only GGML backend supports fini_single."))
        );
    }

    #[test]
    fn outputs_bounded_by_the_buffer() {
        let mut g = G::new(&[]);
        let graph = g.load(&[b"m"], 1, 0).unwrap();
        let c = g.init(graph).unwrap();
        g.set_input(c, 0, b"12345").unwrap();
        let (r, n, buf) = g.output(false, c, 0, 5);
        assert_eq!((r, n, buf), (Ok(()), 5, b"12345".to_vec()));
        let (r, n, buf) = g.output(false, c, 0, 8);
        assert_eq!((r, n, &buf[..]), (Ok(()), 5, &b"12345\xa5\xa5\xa5"[..]));
        // Too small: the size needed, nothing written, TooLarge.
        let (r, n, buf) = g.output(false, c, 0, 4);
        let e = err(ErrNo::TooLarge, "get_output: output buffer too small, need 5 bytes but got 4.");
        assert_eq!((r, n, buf), (Err(e), 5, vec![0xa5; 4]));
        let (r, n, _) = g.output(false, c, 0, 0);
        assert_eq!((r.unwrap_err().code, n), (ErrNo::TooLarge, 5));
        // A backend error leaves bytes_written alone.
        let (r, n, _) = g.output(false, c, 7, 4);
        assert_eq!((r, n), (Err(inv("fake: no output 7")), 0xa5a5_a5a5));
    }

    #[test]
    fn outputs_bounded_by_memory() {
        let mut g = G::new(&[]);
        let graph = g.load(&[b"m"], 6, 0).unwrap();
        let c = g.init(graph).unwrap();
        g.set_input(c, 0, b"12345").unwrap();
        // The buffer length is ignored: LlamaEdge passes 0 in front of a large allocation.
        let (r, n, _) = g.output(false, c, 0, 0);
        assert_eq!((r, n), (Ok(()), 5));
        let p = g.top - 16;
        assert_eq!(&g.m.0[p as usize..p as usize + 5], b"12345");
        // Up to the end of memory and not a byte further.
        let bw = g.put(&[0; 4]);
        assert_eq!(get_output(&mut g.s, &mut g.m, c, 0, END - 5, 0, bw), Ok(()));
        assert_eq!(&g.m.0[SIZE - 5..], b"12345");
        assert_eq!(g.u32_at(bw), 5);
        g.m.0[SIZE - 5..].fill(0);
        let e =
            err(ErrNo::TooLarge, "get_output: output does not fit in the guest's memory, need 5 bytes but 4 are left.");
        assert_eq!(get_output(&mut g.s, &mut g.m, c, 0, END - 4, 0, bw), Err(e));
        assert_eq!(g.u32_at(bw), 5);
        assert!(g.m.0[SIZE - 5..].iter().all(|&b| b == 0));
        assert_eq!(get_output(&mut g.s, &mut g.m, c, 0, END, 0, bw).unwrap_err().code, ErrNo::TooLarge);
    }

    #[test]
    fn write_output_alone() {
        let mut m = Mem(vec![0; 64]);
        for bound in [OutputBound::BufferLength, OutputBound::MemorySize] {
            m.0.fill(0);
            assert_eq!(write_output(&mut m, "op", bound, 8, 4, 0, b"abcd"), Ok(()));
            assert_eq!((&m.0[8..12], le_u32(&m.0, 0)), (&b"abcd"[..], 4));
            assert_eq!(write_output(&mut m, "op", bound, 8, 4, 0, b""), Ok(()));
            assert_eq!(le_u32(&m.0, 0), 0);
            // An empty output at the end of memory.
            assert_eq!(write_output(&mut m, "op", bound, 64, 0, 0, b""), Ok(()));
        }
        m.0.fill(0);
        assert_eq!(
            write_output(&mut m, "op", OutputBound::BufferLength, 8, 3, 0, b"abcd").unwrap_err().code,
            ErrNo::TooLarge
        );
        assert_eq!((le_u32(&m.0, 0), &m.0[8..12]), (4, &[0u8; 4][..]));
        assert_eq!(write_output(&mut m, "op", OutputBound::MemorySize, 60, 0, 0, b"abcd"), Ok(()));
        assert_eq!(
            write_output(&mut m, "op", OutputBound::MemorySize, 61, 100, 0, b"abcd").unwrap_err().code,
            ErrNo::TooLarge
        );
    }

    #[test]
    fn preloads_build_lazily_and_cache_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("m.onnx");
        let entries = [
            format!("net:ONNX:GPU:{}", model.display()),
            "llm:ggml:auto:C:\\m.gguf".to_string(),
            "net:ggml:cpu:other".to_string(),
            "bad:onnx:npu:x".to_string(),
            "fail:ggml:cpu:x".to_string(),
        ];
        let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
        let mut g = G::new(&refs);
        assert_eq!(g.s.preloads().entries().len(), 3);
        // The file is read at the first load_by_name, not before.
        std::fs::write(&model, b"onnx-bytes").unwrap();
        assert_eq!(g.by_name(b"net", Some(b"")), Ok(0));
        assert_eq!(g.describe(0), "Onnx Gpu [onnx-bytes]");
        // Cached: same id; a config is then ignored.
        assert_eq!(g.by_name(b"net", None), Ok(0));
        assert_eq!(g.by_name(b"net", Some(b"{\"ignored\":1}")), Ok(0));
        // GGML: by path, joined plainly; the config is the last builder.
        assert_eq!(g.by_name(b"llm", Some(b"{\"ctx-size\":64}")), Ok(1));
        assert_eq!(g.describe(1), "Ggml Auto [preload:C:\\m.gguf|{\"ctx-size\":64}]");
        assert_eq!(g.by_name(b"bad", None), Err(Error::quiet(ErrNo::NotFound)));
        // Unload evicts the name: the next load_by_name builds a new graph, with a new id.
        assert_eq!(unload(&mut g.s, &mut g.m, 0), Ok(()));
        assert_eq!(g.by_name(b"net", None), Ok(2));
        // A graph loaded with `load` is not in the name cache.
        assert_eq!(g.load(&[b"m"], 1, 0), Ok(3));
        assert_eq!(unload(&mut g.s, &mut g.m, 3), Ok(()));
        assert_eq!(g.by_name(b"net", None), Ok(2));
        assert_eq!(g.s.counts(), (2, 0));
    }

    #[test]
    fn failed_preload_builds_cache_nothing() {
        let mut g = G::new(&["fail:onnx:cpu:/nonexistent/fail", "x:onnx:cpu"]);
        // The file is missing: no builders, which the fake loads; a model `fail` is refused.
        assert_eq!(g.by_name(b"fail", Some(b"fail")), Err(inv("fake: cannot load")));
        assert_eq!(g.s.counts(), (0, 0));
        // 0.15 cached the stale out-parameter here and returned Success; not this.
        assert_eq!(g.by_name(b"fail", Some(b"fail")), Err(inv("fake: cannot load")));
        assert_eq!(g.by_name(b"fail", None), Ok(0));
        assert_eq!(g.describe(0), "Onnx Cpu []");
        assert_eq!(g.by_name(b"x", None), Ok(1));
    }

    #[test]
    fn preloads_of_unsupported_encodings_fail_at_load_by_name() {
        let mut g = G::new(&["ov:OpenVINO:cpu:/nonexistent/a.xml", "tts:piper:tpu"]);
        let s = supported();
        assert_eq!(g.by_name(b"ov", None), Err(inv(&format!("OpenVINO backend is not built. {s}"))));
        assert_eq!(g.by_name(b"tts", None), Err(inv(&format!("Piper backend is not supported. {s}"))));
    }

    #[test]
    fn errno_numbers() {
        assert_eq!(errno(Ok(())), 0);
        for code in [
            ErrNo::InvalidArgument,
            ErrNo::InvalidEncoding,
            ErrNo::MissingMemory,
            ErrNo::Busy,
            ErrNo::RuntimeError,
            ErrNo::UnsupportedOperation,
            ErrNo::TooLarge,
            ErrNo::NotFound,
            ErrNo::EndOfSequence,
            ErrNo::ContextFull,
            ErrNo::PromptTooLong,
            ErrNo::ModelNotFound,
        ] {
            assert_eq!(errno(Err(Error::new(code, "x"))), code as u32);
            assert_eq!(errno(Err(Error::quiet(code))), code as u32);
        }
    }
}
