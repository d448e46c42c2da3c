//! A guest-like wrapper over the SDK's test harness: a bump allocator over the harness memory, helpers to
//! place inputs and read outputs, and one typed helper per `wasi_ephemeral_nn` function (WasmEdge's ABI:
//! every function returns an errno and writes its results through guest pointers).

#![allow(dead_code)]

use wasmedge_plugin_sdk::testing::Harness;
use wasmedge_plugin_wasi_nn::plugin;

pub const NN: &str = "wasi_ephemeral_nn";

/// WasmEdge's `wasi_nn` error numbers.
pub mod errno {
    pub const SUCCESS: u32 = 0;
    pub const INVALID_ARGUMENT: u32 = 1;
    pub const INVALID_ENCODING: u32 = 2;
    pub const MISSING_MEMORY: u32 = 3;
    pub const BUSY: u32 = 4;
    pub const RUNTIME_ERROR: u32 = 5;
    pub const UNSUPPORTED_OPERATION: u32 = 6;
    pub const TOO_LARGE: u32 = 7;
    pub const NOT_FOUND: u32 = 8;
    pub const END_OF_SEQUENCE: u32 = 100;
    pub const CONTEXT_FULL: u32 = 101;
    pub const PROMPT_TOO_LONG: u32 = 102;
    pub const MODEL_NOT_FOUND: u32 = 103;
}

/// Graph encodings (WasmEdge's numbering).
pub mod encoding {
    pub const OPENVINO: u32 = 0;
    pub const ONNX: u32 = 1;
    pub const TENSORFLOW: u32 = 2;
    pub const PYTORCH: u32 = 3;
    pub const TENSORFLOWLITE: u32 = 4;
    pub const AUTODETECT: u32 = 5;
    pub const GGML: u32 = 6;
    pub const NEURALSPEED: u32 = 7;
    pub const WHISPER: u32 = 9;
    pub const MLX: u32 = 10;
    pub const PIPER: u32 = 11;
    pub const CHATTTS: u32 = 12;
    pub const OPENVINO_GENAI: u32 = 13;
}

/// Execution targets.
pub mod target {
    pub const CPU: u32 = 0;
    pub const GPU: u32 = 1;
    pub const TPU: u32 = 2;
    pub const AUTO: u32 = 3;
}

/// Tensor types.
pub mod ty {
    pub const F16: u32 = 0;
    pub const F32: u32 = 1;
    pub const F64: u32 = 2;
    pub const U8: u32 = 3;
    pub const I32: u32 = 4;
    pub const I64: u32 = 5;
}

/// A function's result as the guest sees it: the value written through the output pointer, or the errno.
pub type R<T> = Result<T, u32>;

/// The default guest memory: 2 MiB.
pub const MEMORY_SIZE: usize = 2 << 20;
#[allow(unused_imports)]
pub use wasmedge_plugin_sdk::testing::FILL;

fn errno_result(e: u32) -> R<()> {
    if e == 0 { Ok(()) } else { Err(e) }
}

/// The path of a test fixture.
pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// One guest instance of the plugin: its module and its memory.
pub struct Guest {
    pub h: Harness,
}

/// The memory helpers (`alloc`, `put`, `put_u32s`, `out`, `read`, …) are the harness's own.
impl std::ops::Deref for Guest {
    type Target = Harness;
    fn deref(&self) -> &Harness {
        &self.h
    }
}

impl std::ops::DerefMut for Guest {
    fn deref_mut(&mut self) -> &mut Harness {
        &mut self.h
    }
}

impl Guest {
    /// A guest with no `--nn-preload`.
    pub fn new() -> Guest {
        Guest::with_preloads(&[])
    }

    /// A guest with these `--nn-preload` values.
    pub fn with_preloads(preloads: &[&str]) -> Guest {
        Guest::with(preloads, MEMORY_SIZE)
    }

    pub fn with(preloads: &[&str], size: usize) -> Guest {
        let h = Harness::new(&plugin(), &[("nn-preload", preloads)], size).expect("instantiate wasi_ephemeral_nn");
        Guest { h }
    }

    /// A builder array for `builders` (8 bytes per entry: pointer, length): (pointer, count).
    pub fn builders(&mut self, builders: &[&[u8]]) -> (u32, u32) {
        let mut entries = Vec::new();
        for b in builders {
            let (p, l) = self.put(b);
            entries.extend([p, l]);
        }
        (self.put_u32s(&entries), builders.len() as u32)
    }

    /// A tensor struct (dims pointer, dims count, type, data pointer, data length) pointing to `dims` and
    /// `data`.
    pub fn tensor(&mut self, dims: &[u32], ty: u32, data: &[u8]) -> u32 {
        let d = self.put_u32s(dims);
        let (p, l) = self.put(data);
        self.put_u32s(&[d, dims.len() as u32, ty, p, l])
    }

    // ---- calls ----

    /// Call a function and return its errno; a trap fails the test.
    pub fn call(&mut self, func: &str, args: &[u64]) -> u32 {
        match self.h.call(NN, func, args) {
            Ok(r) => {
                assert_eq!(r.len(), 1, "{func} returned {r:?}");
                r[0] as u32
            }
            Err(e) => panic!("{func}{args:?} trapped: {e}"),
        }
    }

    /// Call with raw u32 arguments.
    pub fn raw(&mut self, func: &str, args: &[u32]) -> u32 {
        let args: Vec<u64> = args.iter().map(|&a| a as u64).collect();
        self.call(func, &args)
    }

    /// Call with a trailing u32 output pointer: the value written there.
    fn call_u32(&mut self, func: &str, args: &[u32]) -> R<u32> {
        let o = self.out(4);
        let mut a = args.to_vec();
        a.push(o);
        errno_result(self.raw(func, &a))?;
        Ok(self.read_u32(o))
    }

    pub fn load(&mut self, builders: &[&[u8]], encoding: u32, target: u32) -> R<u32> {
        let (p, n) = self.builders(builders);
        self.call_u32("load", &[p, n, encoding, target])
    }

    pub fn load_by_name(&mut self, name: &str) -> R<u32> {
        let (n, nl) = self.put(name.as_bytes());
        self.call_u32("load_by_name", &[n, nl])
    }

    pub fn load_by_name_with_config(&mut self, name: &str, config: &[u8]) -> R<u32> {
        let (n, nl) = self.put(name.as_bytes());
        let (c, cl) = self.put(config);
        self.call_u32("load_by_name_with_config", &[n, nl, c, cl])
    }

    pub fn init_execution_context(&mut self, graph: u32) -> R<u32> {
        self.call_u32("init_execution_context", &[graph])
    }

    pub fn set_input(&mut self, ctx: u32, index: u32, dims: &[u32], ty: u32, data: &[u8]) -> R<()> {
        let t = self.tensor(dims, ty, data);
        errno_result(self.raw("set_input", &[ctx, index, t]))
    }

    /// `get_output` (or `get_output_single`) into a buffer of `max` bytes filled with [`FILL`]: the errno,
    /// the bytes_written value and the whole buffer.
    pub fn get_output_raw(&mut self, single: bool, ctx: u32, index: u32, max: u32) -> (u32, u32, Vec<u8>) {
        let buf = self.out(max as usize);
        let bw = self.out(4);
        let f = if single { "get_output_single" } else { "get_output" };
        let e = self.raw(f, &[ctx, index, buf, max, bw]);
        (e, self.read_u32(bw), self.read(buf, max as usize))
    }

    /// `get_output` (or `get_output_single`) with the buffer at `ptr` of `max` bytes: the errno and the
    /// bytes_written value (its slot filled with [`FILL`] first).
    pub fn get_output_at(&mut self, single: bool, ctx: u32, index: u32, ptr: u32, max: u32) -> (u32, u32) {
        let bw = self.out(4);
        let f = if single { "get_output_single" } else { "get_output" };
        let e = self.raw(f, &[ctx, index, ptr, max, bw]);
        (e, self.read_u32(bw))
    }

    /// The bytes of output `index` (buffer of `max` bytes).
    pub fn get_output(&mut self, ctx: u32, index: u32, max: u32) -> R<Vec<u8>> {
        let (e, n, buf) = self.get_output_raw(false, ctx, index, max);
        errno_result(e)?;
        assert!(n <= max, "get_output reported {n} bytes for a {max}-byte buffer");
        Ok(buf[..n as usize].to_vec())
    }

    pub fn compute(&mut self, ctx: u32) -> R<()> {
        errno_result(self.raw("compute", &[ctx]))
    }

    pub fn compute_single(&mut self, ctx: u32) -> R<()> {
        errno_result(self.raw("compute_single", &[ctx]))
    }

    pub fn fini_single(&mut self, ctx: u32) -> R<()> {
        errno_result(self.raw("fini_single", &[ctx]))
    }

    pub fn unload(&mut self, graph: u32) -> R<()> {
        errno_result(self.raw("unload", &[graph]))
    }

    pub fn finalize_execution_context(&mut self, ctx: u32) -> R<()> {
        errno_result(self.raw("finalize_execution_context", &[ctx]))
    }
}

impl Default for Guest {
    fn default() -> Self {
        Self::new()
    }
}

/// f32 values as little-endian bytes.
pub fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Little-endian bytes as f32 values.
pub fn f32_values(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect()
}
