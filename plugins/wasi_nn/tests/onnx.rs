//! The ONNX backend on the fixtures of tests/fixtures (made by make_onnx.py, with onnxruntime's outputs in
//! onnx_reference.json): first through the backend traits, then through the plugin's guest ABI.

#![cfg(feature = "onnx")]

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use wasmedge_plugin_sdk::testing::Harness;
use wasmedge_plugin_wasi_nn::backend::{
    Backend, ErrNo, Error, ExecutionContext, Graph, OutputBound, Target, Tensor, TensorType,
};
use wasmedge_plugin_wasi_nn::onnx::OnnxBackend;

// ---- fixtures ----

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn model_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(&format!("{name}.onnx"))).unwrap()
}

/// A tensor of onnx_reference.json.
#[derive(Clone, Debug)]
struct Ref {
    name: String,
    dtype: String,
    dims: Vec<u32>,
    values: Vec<f64>,
    bytes: Vec<u8>,
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn parse_ref(v: &Value) -> Ref {
    Ref {
        name: v["name"].as_str().unwrap().to_string(),
        dtype: v["dtype"].as_str().unwrap().to_string(),
        dims: v["dims"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as u32).collect(),
        values: v["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().or_else(|| x.as_bool().map(|b| b as u8 as f64)).unwrap())
            .collect(),
        bytes: unhex(v["hex"].as_str().unwrap()),
    }
}

/// The reference inputs and outputs of `case`.
fn reference(case: &str) -> (Vec<Ref>, Vec<Ref>) {
    static JSON: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    let json = JSON.get_or_init(|| {
        serde_json::from_str(&std::fs::read_to_string(fixture("onnx_reference.json")).unwrap()).unwrap()
    });
    let case = &json[case];
    let list = |k: &str| case[k].as_array().unwrap().iter().map(parse_ref).collect();
    (list("inputs"), list("outputs"))
}

/// The guest tensor for a reference input: the element types a guest can pass, with i64 sent as I32 and
/// bool as U8 (the backend widens them to what the model declares).
fn guest_tensor(r: &Ref) -> Tensor {
    let (ty, data) = match r.dtype.as_str() {
        "float16" => (TensorType::F16, r.bytes.clone()),
        "float32" => (TensorType::F32, r.bytes.clone()),
        "uint8" => (TensorType::U8, r.bytes.clone()),
        "bool" => (TensorType::U8, r.bytes.clone()),
        "int32" => (TensorType::I32, r.bytes.clone()),
        "int64" => (TensorType::I32, r.values.iter().flat_map(|&v| (v as i32).to_le_bytes()).collect()),
        other => panic!("no guest type for {other}"),
    };
    Tensor { dims: r.dims.clone(), ty, data }
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect()
}

/// `got` (raw little-endian bytes) matches the reference output: floats within 1e-5 relative (and 1e-6
/// absolute), everything else byte for byte.
fn assert_matches(got: &[u8], want: &Ref) {
    match want.dtype.as_str() {
        "float32" => {
            let got = f32s(got);
            assert_eq!(got.len(), want.values.len(), "{}: element count", want.name);
            for (i, (&g, &w)) in got.iter().zip(&want.values).enumerate() {
                let tolerance = 1e-5 * w.abs() + 1e-6;
                assert!((g as f64 - w).abs() <= tolerance, "{}[{i}]: {g} vs onnxruntime's {w}", want.name);
            }
        }
        _ => assert_eq!(got, want.bytes, "{} ({})", want.name, want.dtype),
    }
}

// ---- through the backend traits ----

fn load(name: &str) -> Arc<dyn Graph> {
    OnnxBackend.load(&[model_bytes(name)], Target::Cpu).unwrap_or_else(|e| panic!("load {name}: {e}"))
}

/// `load`, without the graph (which has no `Debug`).
fn try_load(builders: &[Vec<u8>]) -> Result<(), Error> {
    OnnxBackend.load(builders, Target::Cpu).map(|_| ())
}

fn ctx(name: &str) -> Box<dyn ExecutionContext> {
    load(name).init_execution_context().unwrap()
}

/// Set the inputs of `case`, compute, and check every output against onnxruntime's.
fn run_case(ctx: &mut dyn ExecutionContext, case: &str) {
    let (inputs, outputs) = reference(case);
    for (i, input) in inputs.iter().enumerate() {
        ctx.set_input(i as u32, guest_tensor(input)).unwrap_or_else(|e| panic!("{case} set_input {i}: {e}"));
    }
    ctx.compute().unwrap_or_else(|e| panic!("{case} compute: {e}"));
    for (i, output) in outputs.iter().enumerate() {
        let got = ctx.get_output(i as u32).unwrap_or_else(|e| panic!("{case} get_output {i}: {e}"));
        assert_matches(&got, output);
    }
}

fn assert_invalid(r: Result<impl std::fmt::Debug, Error>, needles: &[&str]) -> String {
    let e = r.expect_err("expected an error");
    assert_eq!(e.code, ErrNo::InvalidArgument, "{e}");
    for needle in needles {
        assert!(e.message.contains(needle), "{:?} lacks {needle:?}", e.message);
    }
    e.message
}

fn f32_tensor(dims: &[u32], values: &[f32]) -> Tensor {
    Tensor { dims: dims.to_vec(), ty: TensorType::F32, data: values.iter().flat_map(|v| v.to_le_bytes()).collect() }
}

#[test]
fn backend_float_models_match_onnxruntime() {
    for case in ["add", "mlp", "conv"] {
        run_case(&mut *ctx(case), case);
    }
}

#[test]
fn backend_u8_and_i32_inputs_with_outputs_of_two_types() {
    // u8 + i32 → f32, and u8 × i32 → i32.
    run_case(&mut *ctx("cast"), "cast");
    let (_, outputs) = reference("cast");
    assert_eq!(outputs[0].values, [-7.0, 1.0, 5.0, 100128.0, 198.0, 1048831.0]);
}

#[test]
fn backend_f16_input_and_output() {
    run_case(&mut *ctx("half"), "half");
}

#[test]
fn backend_two_outputs_one_of_them_i64() {
    let mut c = ctx("two_out");
    run_case(&mut *c, "two_out");
    assert_eq!(c.get_output(1).unwrap().len(), 16, "two i64 indices");
}

#[test]
fn backend_i32_widens_to_an_i64_input_and_u8_to_a_bool_one() {
    run_case(&mut *ctx("gather"), "gather");
    run_case(&mut *ctx("where"), "where");
    // U8 for a bool must be 0 or 1; an I32 or F32 is not accepted for one.
    let mut c = ctx("where");
    let cond = |data: Vec<u8>, ty| Tensor { dims: vec![4], ty, data };
    assert_invalid(c.set_input(0, cond(vec![0, 1, 2, 1], TensorType::U8)), &["0 or 1, got 2"]);
    assert_invalid(c.set_input(0, cond(vec![0; 16], TensorType::I32)), &["expected type Bool, got I32"]);
    // An F32 for the i64 ids is refused.
    let mut c = ctx("gather");
    assert_invalid(
        c.set_input(0, f32_tensor(&[3], &[1.0, 2.0, 3.0])),
        &["input 0 (\"ids\")", "expected type I64, got F32"],
    );
}

#[test]
fn backend_symbolic_batch_runs_any_batch_on_one_plan() {
    let mut c = ctx("dynamic");
    run_case(&mut *c, "dynamic");
    run_case(&mut *c, "dynamic_n1");
    run_case(&mut *c, "dynamic");
    // The batch is free, the 3 is not.
    assert_invalid(c.set_input(0, f32_tensor(&[2, 2], &[0.0; 4])), &["expected shape [N,3], got [2, 2]"]);
    assert_invalid(c.set_input(0, f32_tensor(&[6], &[0.0; 6])), &["expected shape [N,3], got [6]"]);
}

#[test]
fn backend_unranked_input_is_planned_per_shape() {
    let mut c = ctx("unranked");
    run_case(&mut *c, "unranked");
    let sigmoid = |x: f32| 1.0 / (1.0 + (-x).exp());
    for values in [&[0.0f32, 1.0, -2.0, 3.5, 8.0][..], &[0.25], &[-1.0, 1.0]] {
        c.set_input(0, f32_tensor(&[values.len() as u32], values)).unwrap();
        c.compute().unwrap();
        let got = f32s(&c.get_output(0).unwrap());
        let want: Vec<f32> = values.iter().map(|&x| sigmoid(x)).collect();
        assert!(got.iter().zip(&want).all(|(g, w)| (g - w).abs() < 1e-6), "{got:?} vs {want:?}");
    }
    run_case(&mut *c, "unranked");
    // A scalar is a shape too; the declared type still holds.
    c.set_input(0, f32_tensor(&[], &[0.0])).unwrap();
    c.compute().unwrap();
    assert_eq!(f32s(&c.get_output(0).unwrap()), [0.5]);
    let i32s = Tensor { dims: vec![2], ty: TensorType::I32, data: vec![0; 8] };
    assert_invalid(c.set_input(0, i32s), &["expected type F32, got I32"]);
}

#[test]
fn backend_shape_given_as_an_input_is_planned_by_its_values() {
    // tract cannot plan a Reshape to a shape it does not know: the backend plans it for each shape value.
    let mut c = ctx("reshape_input");
    run_case(&mut *c, "reshape_input");
    run_case(&mut *c, "reshape_input_61");
    run_case(&mut *c, "reshape_input");
    // A shape that does not fit the data is an error of that compute, not of the graph.
    let x = f32_tensor(&[2, 3], &[1.0; 6]);
    c.set_input(0, x).unwrap();
    c.set_input(
        1,
        Tensor { dims: vec![2], ty: TensorType::I32, data: [4i32, 2].iter().flat_map(|v| v.to_le_bytes()).collect() },
    )
    .unwrap();
    assert_invalid(c.compute(), &["cannot be planned", "values of its small inputs fixed"]);
    run_case(&mut *c, "reshape_input_61");
}

#[test]
fn backend_dimension_without_size_or_name_is_free() {
    let mut c = ctx("anydim");
    run_case(&mut *c, "anydim");
    c.set_input(0, f32_tensor(&[1, 2], &[1.0, 2.5])).unwrap();
    c.compute().unwrap();
    assert_eq!(f32s(&c.get_output(0).unwrap()), [3.5]);
    c.set_input(0, f32_tensor(&[0, 2], &[])).unwrap();
    c.compute().unwrap();
    assert!(c.get_output(0).unwrap().is_empty());
    run_case(&mut *c, "anydim");
    assert_invalid(c.set_input(0, f32_tensor(&[1, 3], &[0.0; 3])), &["expected shape [?,2], got [1, 3]"]);
}

#[test]
fn backend_contexts_share_a_graph_and_keep_their_own_inputs_and_outputs() {
    let graph = load("mlp");
    let mut a = graph.init_execution_context().unwrap();
    let mut b = graph.init_execution_context().unwrap();
    let (inputs, outputs) = reference("mlp");
    a.set_input(0, guest_tensor(&inputs[0])).unwrap();
    b.set_input(0, f32_tensor(&[1, 16], &[0.0; 16])).unwrap();
    b.compute().unwrap();
    a.compute().unwrap();
    assert_matches(&a.get_output(0).unwrap(), &outputs[0]);
    let zeros = b.get_output(0).unwrap();
    assert_ne!(zeros, a.get_output(0).unwrap());
    // Softmax of anything sums to 1.
    assert!((f32s(&zeros).iter().sum::<f32>() - 1.0).abs() < 1e-5);
    // Outputs stay until the next compute, even after the inputs change; a context outlives its graph handle.
    drop(graph);
    b.set_input(0, guest_tensor(&inputs[0])).unwrap();
    assert_eq!(b.get_output(0).unwrap(), zeros);
    b.compute().unwrap();
    assert_matches(&b.get_output(0).unwrap(), &outputs[0]);
    assert_eq!(a.output_bound(), OutputBound::BufferLength);
}

#[test]
fn backend_malformed_models_are_invalid_arguments() {
    assert_invalid(try_load(&[]), &["no builder"]);
    assert_invalid(try_load(&[vec![]]), &["not a valid ONNX model", "does not contain a graph"]);
    assert_invalid(try_load(&[b"definitely not protobuf \xff\xff\xff".to_vec()]), &["not a valid ONNX model"]);
    let mlp = model_bytes("mlp");
    assert_invalid(try_load(&[mlp[..mlp.len() / 2].to_vec()]), &["not a valid ONNX model"]);
    // A GGUF header is no ONNX model either.
    assert_invalid(try_load(&[b"GGUF\x03\0\0\0\0\0\0\0".to_vec()]), &["not a valid ONNX model"]);
    // Builders after the first are ignored (load_by_name_with_config appends its config as one).
    let graph = OnnxBackend.load(&[model_bytes("add"), b"{\"config\":1}".to_vec()], Target::Gpu).unwrap();
    run_case(&mut *graph.init_execution_context().unwrap(), "add");
}

#[test]
fn backend_unsupported_operators_are_named() {
    let message = assert_invalid(try_load(&[model_bytes("unsupported")]), &["unsupported ONNX operator"]);
    assert!(message.contains("Det, Unique"), "{message}");
    // tract's own text follows.
    assert!(message.contains("tract:"), "{message}");
}

#[test]
fn backend_input_and_output_errors() {
    let mut c = ctx("add");
    let ok = f32_tensor(&[2, 3], &[1.0; 6]);
    assert_invalid(c.set_input(2, ok.clone()), &["input index 2 out of range", "2 input(s)"]);
    let mut f16 = ok.clone();
    (f16.ty, f16.data) = (TensorType::F16, vec![0; 12]);
    assert_invalid(c.set_input(0, f16), &["input 0 (\"a\")", "expected type F32, got F16"]);
    assert_invalid(
        c.set_input(1, f32_tensor(&[3, 2], &[1.0; 6])),
        &["input 1 (\"b\")", "expected shape [2,3], got [3, 2]"],
    );
    assert_invalid(c.set_input(1, f32_tensor(&[2, 3, 1], &[1.0; 6])), &["expected shape [2,3], got [2, 3, 1]"]);
    let mut short = ok.clone();
    short.data.pop();
    assert_invalid(c.set_input(0, short), &["need 24 bytes of data, got 23"]);
    let mut long = ok.clone();
    long.data.extend([0; 4]);
    assert_invalid(c.set_input(0, long), &["need 24 bytes of data, got 28"]);
    // Nothing computed yet.
    assert_invalid(c.get_output(0), &["compute has not run"]);
    assert_invalid(c.get_output(1), &["output index 1 out of range", "1 output(s)"]);
    // Missing inputs are named.
    assert_invalid(c.compute(), &["input 0 (\"a\"), 1 (\"b\") not set"]);
    c.set_input(0, ok.clone()).unwrap();
    assert_invalid(c.compute(), &["input 1 (\"b\") not set"]);
    c.set_input(1, ok).unwrap();
    c.compute().unwrap();
    assert_eq!(f32s(&c.get_output(0).unwrap()), [2.0; 6]);
    assert_invalid(c.get_output(1), &["output index 1 out of range"]);
    // The streaming calls are GGML's.
    assert_invalid(c.compute_single(), &["Only GGML"]);
    assert_invalid(c.get_output_single(0), &["Only GGML"]);
    assert_invalid(c.fini_single(), &["Only GGML"]);
}

// ---- through the guest ABI ----

const NN: &str = "wasi_ephemeral_nn";
/// Tensor types as the guest numbers them.
const F32: u32 = 1;
const F64: u32 = 2;
const U8: u32 = 3;
const I32: u32 = 4;
const I64: u32 = 5;

/// One guest of the plugin (inputs placed by the harness's allocator).
struct Guest {
    h: Harness,
}

impl Guest {
    fn new(options: &[(&str, &[&str])]) -> Guest {
        let h = Harness::new(&wasmedge_plugin_wasi_nn::plugin(), options, 16 << 20).unwrap();
        Guest { h }
    }

    fn put(&mut self, data: &[u8]) -> u32 {
        self.h.put(data).0
    }

    fn u32_at(&self, p: u32) -> u32 {
        self.h.read_u32(p)
    }

    fn call(&mut self, f: &str, args: &[u32]) -> u32 {
        let args: Vec<u64> = args.iter().map(|&a| a as u64).collect();
        self.h.call(NN, f, &args).unwrap_or_else(|trap| panic!("{f} trapped: {trap}"))[0] as u32
    }

    /// A call that writes one u32 out-parameter (its last argument): the value, or the errno.
    fn call_out(&mut self, f: &str, args: &[u32]) -> Result<u32, u32> {
        let out = self.put(&[0xa5; 4]);
        let e = self.call(f, &[args, &[out]].concat());
        if e == 0 { Ok(self.u32_at(out)) } else { Err(e) }
    }

    fn load(&mut self, builders: &[&[u8]], encoding: u32, target: u32) -> Result<u32, u32> {
        let mut array = Vec::new();
        for b in builders {
            let p = self.put(b);
            array.extend(p.to_le_bytes());
            array.extend((b.len() as u32).to_le_bytes());
        }
        let array = self.put(&array);
        self.call_out("load", &[array, builders.len() as u32, encoding, target])
    }

    fn load_by_name(&mut self, name: &str) -> Result<u32, u32> {
        let p = self.put(name.as_bytes());
        self.call_out("load_by_name", &[p, name.len() as u32])
    }

    fn init(&mut self, graph: u32) -> Result<u32, u32> {
        self.call_out("init_execution_context", &[graph])
    }

    fn set_input(&mut self, ctx: u32, index: u32, dims: &[u32], ty: u32, data: &[u8]) -> u32 {
        let dims_ptr = self.put(&dims.iter().flat_map(|d| d.to_le_bytes()).collect::<Vec<u8>>());
        let data_ptr = self.put(data);
        let tensor: Vec<u8> = [dims_ptr, dims.len() as u32, ty, data_ptr, data.len() as u32]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let tensor = self.put(&tensor);
        self.call("set_input", &[ctx, index, tensor])
    }

    fn set_ref(&mut self, ctx: u32, index: u32, r: &Ref) -> u32 {
        let t = guest_tensor(r);
        self.set_input(ctx, index, &t.dims, t.ty as u32, &t.data)
    }

    /// `get_output` into a buffer of `max` bytes: (errno, bytes_written, the bytes written).
    fn get_output(&mut self, ctx: u32, index: u32, max: u32) -> (u32, u32, Vec<u8>) {
        let out = self.put(&vec![0xa5; max as usize]);
        let written = self.put(&[0; 4]);
        let e = self.call("get_output", &[ctx, index, out, max, written]);
        let n = self.u32_at(written);
        let bytes = self.h.memory()[out as usize..(out + n.min(max)) as usize].to_vec();
        (e, n, bytes)
    }

    /// Set the inputs of `case` on a new context of `graph`, compute, and check the outputs.
    fn run_case(&mut self, graph: u32, case: &str) -> u32 {
        let ctx = self.init(graph).unwrap();
        let (inputs, outputs) = reference(case);
        for (i, input) in inputs.iter().enumerate() {
            assert_eq!(self.set_ref(ctx, i as u32, input), 0, "{case} set_input {i}");
        }
        assert_eq!(self.call("compute", &[ctx]), 0, "{case} compute");
        for (i, output) in outputs.iter().enumerate() {
            let (e, n, bytes) = self.get_output(ctx, i as u32, 4096);
            assert_eq!((e, n as usize), (0, output.bytes.len()), "{case} get_output {i}");
            assert_matches(&bytes, output);
        }
        ctx
    }
}

#[test]
fn abi_load_compute_and_read_every_fixture() {
    let mut g = Guest::new(&[]);
    for case in [
        "add",
        "mlp",
        "conv",
        "cast",
        "half",
        "two_out",
        "gather",
        "where",
        "dynamic",
        "anydim",
        "unranked",
        "reshape_input",
    ] {
        let graph = g.load(&[&model_bytes(case)], 1, 0).unwrap_or_else(|e| panic!("load {case}: {e}"));
        g.run_case(graph, case);
    }
}

#[test]
fn abi_autodetect_and_gpu_targets_run_onnx_on_the_cpu() {
    let mut g = Guest::new(&[]);
    let graph = g.load(&[&model_bytes("mlp")], 5, 0).unwrap();
    g.run_case(graph, "mlp");
    let graph = g.load(&[&model_bytes("conv")], 5, 1).unwrap();
    g.run_case(graph, "conv");
    let graph = g.load(&[&model_bytes("add")], 1, 2).unwrap();
    g.run_case(graph, "add");
}

#[test]
fn abi_preloaded_model_by_name() {
    let entry = format!("m:ONNX:CPU:{}", fixture("add.onnx").display());
    let mut g = Guest::new(&[("nn-preload", &[entry.as_str()])]);
    let graph = g.load_by_name("m").unwrap();
    assert_eq!(g.load_by_name("m"), Ok(graph), "cached");
    g.run_case(graph, "add");
    assert_eq!(g.load_by_name("other"), Err(8), "not preloaded: NotFound");
    // With a config (appended as builder 1, which the ONNX backend ignores).
    let entry = format!("c:onnx:gpu:{}", fixture("conv.onnx").display());
    let mut g = Guest::new(&[("nn-preload", &[entry.as_str()])]);
    let (name, config) = (g.put(b"c"), g.put(b"{}"));
    let graph = g.call_out("load_by_name_with_config", &[name, 1, config, 2]).unwrap();
    g.run_case(graph, "conv");
}

#[test]
fn abi_errors() {
    let mut g = Guest::new(&[]);
    // Bad models.
    assert_eq!(g.load(&[b"not an onnx model \xff\xff"], 1, 0), Err(1));
    assert_eq!(g.load(&[&model_bytes("unsupported")], 1, 0), Err(1));
    assert_eq!(g.load(&[], 1, 0), Err(1));
    // A failed load takes no id: the next graph is 0.
    let graph = g.load(&[&model_bytes("add")], 1, 0).unwrap();
    assert_eq!(graph, 0);
    let ctx = g.init(graph).unwrap();
    let ok: Vec<u8> = [1.5f32; 6].iter().flat_map(|v| v.to_le_bytes()).collect();
    // Wrong type, wrong shape, wrong length, out of range index; F64 and I64 the core refuses.
    assert_eq!(g.set_input(ctx, 0, &[2, 3], I32, &ok), 1);
    assert_eq!(g.set_input(ctx, 0, &[2, 3], F64, &[0; 48]), 1);
    assert_eq!(g.set_input(ctx, 0, &[2, 3], I64, &[0; 48]), 1);
    assert_eq!(g.set_input(ctx, 0, &[6], F32, &ok), 1);
    assert_eq!(g.set_input(ctx, 0, &[2, 3], F32, &ok[..20]), 1);
    assert_eq!(g.set_input(ctx, 2, &[2, 3], F32, &ok), 1);
    // Missing input.
    assert_eq!(g.set_input(ctx, 0, &[2, 3], F32, &ok), 0);
    assert_eq!(g.call("compute", &[ctx]), 1);
    assert_eq!(g.get_output(ctx, 0, 64).0, 1, "nothing computed");
    assert_eq!(g.set_input(ctx, 1, &[2, 3], F32, &ok), 0);
    assert_eq!(g.call("compute", &[ctx]), 0);
    // Bad output index; a buffer too small is TooLarge with the size needed, and nothing written.
    assert_eq!(g.get_output(ctx, 1, 64).0, 1);
    let (e, n, bytes) = g.get_output(ctx, 0, 23);
    assert_eq!((e, n), (7, 24));
    assert!(bytes.iter().all(|&b| b == 0xa5), "nothing written");
    let (e, n, bytes) = g.get_output(ctx, 0, 24);
    assert_eq!((e, n), (0, 24));
    assert_eq!(f32s(&bytes), [3.0; 6]);
    // The streaming calls are GGML's.
    assert_eq!(g.call("compute_single", &[ctx]), 1);
    // U8 for a U8 input, but the wrong one for an F32 input.
    let graph = g.load(&[&model_bytes("cast")], 1, 0).unwrap();
    let ctx = g.init(graph).unwrap();
    assert_eq!(g.set_input(ctx, 0, &[2, 3], U8, &[1; 6]), 0);
    assert_eq!(g.set_input(ctx, 1, &[2, 3], U8, &[1; 6]), 1);
}
