//! The backend interface: what the `wasi_ephemeral_nn` functions (`abi.rs`) need from an inference engine.
//! One implementation per encoding (`ggml/` on candle, `onnx.rs` on tract), each behind a cargo feature.
//!
//! A [`Backend`] loads a [`Graph`] (the model, shared by every context on it, never copied); a graph creates
//! [`ExecutionContext`]s (inputs, per-context state such as a KV cache, outputs).

use std::sync::Arc;

/// WasmEdge's `wasi_nn` error numbers (`ErrNo` in its `wasinntypes.h`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrNo {
    InvalidArgument = 1,
    InvalidEncoding = 2,
    MissingMemory = 3,
    Busy = 4,
    RuntimeError = 5,
    UnsupportedOperation = 6,
    TooLarge = 7,
    NotFound = 8,
    EndOfSequence = 100,
    ContextFull = 101,
    PromptTooLong = 102,
    ModelNotFound = 103,
}

/// An error: the number the guest gets and the message the runtime logs (`[WASI-NN] …` on stderr, as
/// WasmEdge does). An empty message logs nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub code: ErrNo,
    pub message: String,
}

impl Error {
    /// An error with a message.
    pub fn new(code: ErrNo, message: impl Into<String>) -> Self {
        Error { code, message: message.into() }
    }

    /// An error the guest sees without a log line (e.g. `NotFound` from `load_by_name`, `EndOfSequence`).
    pub fn quiet(code: ErrNo) -> Self {
        Error { code, message: String::new() }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (wasi-nn error {})", self.message, self.code as u32)
    }
}

impl std::error::Error for Error {}

/// The result of a backend operation.
pub type Result<T> = std::result::Result<T, Error>;

/// Graph encodings, numbered as WasmEdge 0.15 (`autodetect` 5, `ggml` 6 — not the upstream WIT order).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    OpenVino = 0,
    Onnx = 1,
    Tensorflow = 2,
    PyTorch = 3,
    TensorflowLite = 4,
    Autodetect = 5,
    Ggml = 6,
    NeuralSpeed = 7,
    Whisper = 9,
    Mlx = 10,
    Piper = 11,
    ChatTts = 12,
    OpenVinoGenAi = 13,
}

/// Execution targets. There is no accelerator here: `Gpu`/`Tpu` run on the CPU with a log line.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Cpu = 0,
    Gpu = 1,
    Tpu = 2,
    Auto = 3,
}

/// Tensor element types, numbered as WasmEdge 0.15.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TensorType {
    F16 = 0,
    F32 = 1,
    F64 = 2,
    U8 = 3,
    I32 = 4,
    I64 = 5,
}

/// A tensor as the guest passes it to `set_input`: dimensions, element type and raw little-endian bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    pub dims: Vec<u32>,
    pub ty: TensorType,
    pub data: Vec<u8>,
}

/// How `get_output` treats the guest's output buffer length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputBound {
    /// The output must fit in the buffer the guest passed (`TooLarge` otherwise; the needed size is still
    /// written to `bytes_written`).
    BufferLength,
    /// The guest's length is ignored and the whole output is written, bounded only by the end of the guest's
    /// memory (WasmEdge's GGML behaviour, which LlamaEdge depends on: it passes a length of 0 in front of a
    /// large allocation).
    MemorySize,
}

/// An inference engine for one encoding.
pub trait Backend: Send + Sync {
    /// Load a graph from the guest's builders (`load`), or from the builders a `--nn-preload` entry stands for
    /// (`load_by_name*`). The meaning of each builder is the backend's: GGML takes the model bytes (or
    /// `preload:<path>`) at index 0 and metadata JSON at index 1; ONNX the model bytes at index 0.
    fn load(&self, builders: &[Vec<u8>], target: Target) -> Result<Arc<dyn Graph>>;
}

/// A loaded model.
pub trait Graph: Send + Sync {
    /// A new execution context on the graph.
    fn init_execution_context(&self) -> Result<Box<dyn ExecutionContext>>;
}

/// Inputs, state and outputs of one inference on a graph.
pub trait ExecutionContext: Send {
    /// Set input `index`.
    fn set_input(&mut self, index: u32, tensor: Tensor) -> Result<()>;

    /// Run the model on the inputs.
    fn compute(&mut self) -> Result<()>;

    /// The bytes of output `index`.
    fn get_output(&mut self, index: u32) -> Result<Vec<u8>>;

    /// How `get_output` and `get_output_single` treat the guest's buffer length.
    fn output_bound(&self) -> OutputBound {
        OutputBound::BufferLength
    }

    /// One step of a streamed computation (GGML: one token).
    fn compute_single(&mut self) -> Result<()> {
        Err(Error::new(ErrNo::InvalidArgument, "compute_single: Only GGML backend supports compute_single."))
    }

    /// The output of the last step (GGML: the last token's text).
    fn get_output_single(&mut self, _index: u32) -> Result<Vec<u8>> {
        Err(Error::new(ErrNo::InvalidArgument, "get_output_single: Only GGML backend supports get_output_single."))
    }

    /// End a streamed computation.
    fn fini_single(&mut self) -> Result<()> {
        Err(Error::new(ErrNo::InvalidArgument, "fini_single: Only GGML backend supports fini_single."))
    }
}
