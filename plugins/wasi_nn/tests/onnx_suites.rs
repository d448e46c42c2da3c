//! The ONNX backend on model suites kept outside the repository, in the layout of ONNX's backend test data
//! (a directory per case: `model.onnx` and `test_data_set_0/{input,output}_N.pb`, TensorProtos):
//!
//! - `onnx_node_coverage` runs ONNX's operator tests from Debian's `libonnx-testdata`
//!   (`/usr/include/onnx/backend/test/data/node`, or `$ONNX_NODE_TESTS`) through the backend and checks
//!   that the cases that do not pass are exactly those of `tests/onnx-node-unsupported.txt`, the
//!   checked-in list of unsupported operators (`WASI_NN_RECORD=1` rewrites it from the run);
//! - `onnx_real_models` runs the models that `tests/models/fetch-onnx-models.sh` gathers from PyPI wheels
//!   (RapidOCR's PP-OCRv4 detector, recogniser and classifier on rendered text, Silero VAD, and `onnx`'s
//!   light model zoo) with onnxruntime's outputs as the reference, through the plugin's guest ABI; every
//!   case must match, each float output within 1e-3 relative plus 1e-4 of its largest magnitude.
//!
//! Both need data that `cargo test` does not fetch, so they are `#[ignore]`d; `.ci/run` provides the data
//! and runs them with the rest (`cargo test --workspace -- --include-ignored`).

#![cfg(feature = "onnx")]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use prost::Message as _;
use tract_onnx::pb::{ModelProto, TensorProto};
use wasmedge_plugin_wasi_nn::backend::{Backend, Target, Tensor, TensorType};
use wasmedge_plugin_wasi_nn::onnx::OnnxBackend;

/// A reference tensor: its wasi-nn type (if it has one), shape and little-endian bytes.
struct Ref {
    onnx_type: i32,
    ty: Option<TensorType>,
    dims: Vec<u32>,
    data: Vec<u8>,
}

/// ONNX's `TensorProto.DataType` names, for reports.
fn onnx_type_name(t: i32) -> &'static str {
    const NAMES: [&str; 17] = [
        "undefined",
        "float",
        "uint8",
        "int8",
        "uint16",
        "int16",
        "int32",
        "int64",
        "string",
        "bool",
        "float16",
        "double",
        "uint32",
        "uint64",
        "complex64",
        "complex128",
        "bfloat16",
    ];
    usize::try_from(t).ok().and_then(|i| NAMES.get(i)).copied().unwrap_or("other")
}

/// Read a TensorProto file. `Err` names why it cannot be a wasi-nn tensor.
fn read_tensor(path: &Path) -> Result<Ref, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let t = TensorProto::decode(&bytes[..]).map_err(|_| "not a tensor (sequence, map or optional)".to_string())?;
    let ty = match t.data_type {
        1 => Some(TensorType::F32),
        2 | 9 => Some(TensorType::U8),
        6 => Some(TensorType::I32),
        7 => Some(TensorType::I64),
        10 => Some(TensorType::F16),
        11 => Some(TensorType::F64),
        0 => return Err("not a tensor (sequence, map or optional)".into()),
        _ => None,
    };
    let dims =
        t.dims.iter().map(|&d| u32::try_from(d).map_err(|_| format!("dimension {d}"))).collect::<Result<_, _>>()?;
    let data = if !t.raw_data.is_empty() {
        t.raw_data.clone()
    } else {
        match t.data_type {
            1 => t.float_data.iter().flat_map(|v| v.to_le_bytes()).collect(),
            2 | 9 => t.int32_data.iter().map(|&v| v as u8).collect(),
            10 => t.int32_data.iter().flat_map(|&v| (v as u16).to_le_bytes()).collect(),
            6 => t.int32_data.iter().flat_map(|v| v.to_le_bytes()).collect(),
            7 => t.int64_data.iter().flat_map(|v| v.to_le_bytes()).collect(),
            11 => t.double_data.iter().flat_map(|v| v.to_le_bytes()).collect(),
            _ => Vec::new(),
        }
    };
    Ok(Ref { onnx_type: t.data_type, ty, dims, data })
}

/// The element values of little-endian bytes of `ty`, as f64 (for comparison).
fn values(ty: TensorType, data: &[u8]) -> Vec<f64> {
    match ty {
        TensorType::F16 => data
            .chunks_exact(2)
            .map(|c| f64::from(tract_onnx::prelude::f16::from_bits(u16::from_le_bytes([c[0], c[1]])).to_f32()))
            .collect(),
        TensorType::F32 => data.chunks_exact(4).map(|c| f64::from(f32::from_le_bytes(c.try_into().unwrap()))).collect(),
        TensorType::F64 => data.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect(),
        TensorType::U8 => data.iter().map(|&b| f64::from(b)).collect(),
        TensorType::I32 => data.chunks_exact(4).map(|c| f64::from(i32::from_le_bytes(c.try_into().unwrap()))).collect(),
        TensorType::I64 => data.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().unwrap()) as f64).collect(),
    }
}

/// Whether `got` (bytes of the reference's type) matches `want` within `rtol`/`atol` (exactly for integers).
fn compare(got: &[u8], want: &Ref, rtol: f64, atol: f64) -> Result<(), String> {
    let ty = want.ty.unwrap();
    if got.len() != want.data.len() {
        return Err(format!("output of {} bytes, the reference has {}", got.len(), want.data.len()));
    }
    let float = matches!(ty, TensorType::F16 | TensorType::F32 | TensorType::F64);
    let (g, w) = (values(ty, got), values(ty, &want.data));
    for (i, (&g, &w)) in g.iter().zip(&w).enumerate() {
        let ok =
            if float { (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= atol + rtol * w.abs() } else { g == w };
        if !ok {
            return Err(format!("element {i}: got {g}, want {w}"));
        }
    }
    Ok(())
}

/// One case directory: the model, its inputs and reference outputs (test_data_set_0).
struct Case {
    name: String,
    dir: PathBuf,
}

fn numbered(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for i in 0.. {
        let p = dir.join(format!("{prefix}_{i}.pb"));
        if !p.exists() {
            break;
        }
        files.push(p);
    }
    files
}

fn cases(root: &Path) -> Vec<Case> {
    let mut cases: Vec<Case> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("model.onnx").exists() && p.join("test_data_set_0").is_dir())
        .map(|dir| Case { name: dir.file_name().unwrap().to_string_lossy().into_owned(), dir })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// Why a case does not pass, by kind (the kind is what the checked-in list records).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Pass,
    /// An input or output that a wasi-nn tensor cannot carry (strings, int8, sequences, …).
    NotExpressible(String),
    /// tract cannot load the model (an operator it lacks, mostly).
    Load(String),
    /// Loaded but failed to run.
    Compute(String),
    /// Ran and gave other numbers.
    Mismatch(String),
}

impl Outcome {
    fn kind(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::NotExpressible(_) => "types",
            Outcome::Load(_) => "load",
            Outcome::Compute(_) => "compute",
            Outcome::Mismatch(_) => "mismatch",
        }
    }
    fn reason(&self) -> &str {
        match self {
            Outcome::Pass => "",
            Outcome::NotExpressible(r) | Outcome::Load(r) | Outcome::Compute(r) | Outcome::Mismatch(r) => r,
        }
    }
}

/// The first line of an error, shortened.
fn short(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    if line.chars().count() > 160 { format!("{}…", line.chars().take(160).collect::<String>()) } else { line.into() }
}

/// Run a case through the backend's traits.
fn run_backend(case: &Case, rtol: f64, atol: f64) -> Outcome {
    let data = case.dir.join("test_data_set_0");
    let mut inputs = Vec::new();
    for p in numbered(&data, "input") {
        match read_tensor(&p) {
            Ok(r) if r.ty.is_some() => inputs.push(r),
            Ok(r) => return Outcome::NotExpressible(format!("input of type {}", onnx_type_name(r.onnx_type))),
            Err(e) => return Outcome::NotExpressible(format!("input: {e}")),
        }
    }
    let mut outputs = Vec::new();
    for p in numbered(&data, "output") {
        match read_tensor(&p) {
            Ok(r) if r.ty.is_some() => outputs.push(r),
            Ok(r) => return Outcome::NotExpressible(format!("output of type {}", onnx_type_name(r.onnx_type))),
            Err(e) => return Outcome::NotExpressible(format!("output: {e}")),
        }
    }
    let model = std::fs::read(case.dir.join("model.onnx")).unwrap();
    let graph = match OnnxBackend.load(&[model], Target::Cpu) {
        Ok(g) => g,
        Err(e) => return Outcome::Load(short(&e.message)),
    };
    let mut ctx = match graph.init_execution_context() {
        Ok(c) => c,
        Err(e) => return Outcome::Load(short(&e.message)),
    };
    for (i, r) in inputs.iter().enumerate() {
        let t = Tensor { dims: r.dims.clone(), ty: r.ty.unwrap(), data: r.data.clone() };
        if let Err(e) = ctx.set_input(i as u32, t) {
            return Outcome::Compute(format!("set_input {i}: {}", short(&e.message)));
        }
    }
    if let Err(e) = ctx.compute() {
        return Outcome::Compute(short(&e.message));
    }
    for (i, want) in outputs.iter().enumerate() {
        match ctx.get_output(i as u32) {
            Ok(got) => {
                if let Err(e) = compare(&got, want, rtol, atol) {
                    return Outcome::Mismatch(format!("output {i}: {e}"));
                }
            }
            Err(e) => return Outcome::Compute(format!("get_output {i}: {}", short(&e.message))),
        }
    }
    Outcome::Pass
}

/// The operator types of a model's graph.
fn operators(model: &Path) -> Vec<String> {
    let bytes = std::fs::read(model).unwrap();
    let Ok(m) = ModelProto::decode(&bytes[..]) else { return vec!["?".into()] };
    let mut ops: Vec<String> = m.graph.map(|g| g.node.into_iter().map(|n| n.op_type).collect()).unwrap_or_default();
    ops.sort();
    ops.dedup();
    ops
}

fn list_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/onnx-node-unsupported.txt")
}

/// The checked-in list: test name → kind.
fn read_list() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(list_path()).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?.to_string(), f.next()?.to_string()))
        })
        .collect()
}

#[test]
#[ignore = "needs Debian's libonnx-testdata; run by .ci/run"]
fn onnx_node_coverage() {
    let root = std::env::var_os("ONNX_NODE_TESTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/include/onnx/backend/test/data/node".into());
    let cases = cases(&root);
    assert!(cases.len() > 100, "{}: {} cases; is libonnx-testdata installed?", root.display(), cases.len());
    let mut results = Vec::new();
    for case in &cases {
        let outcome = run_backend(case, 1e-3, 1e-7);
        results.push((case, outcome));
    }
    let mut by_kind = BTreeMap::<&str, usize>::new();
    for (_, o) in &results {
        *by_kind.entry(o.kind()).or_default() += 1;
    }
    println!("{} ONNX node tests from {}: {by_kind:?}", cases.len(), root.display());

    // The operators with failing cases, for the list's header.
    let mut per_op = BTreeMap::<String, (usize, usize)>::new();
    for (case, o) in &results {
        for op in operators(&case.dir.join("model.onnx")) {
            let e = per_op.entry(op).or_default();
            e.1 += 1;
            if *o != Outcome::Pass && o.kind() != "types" {
                e.0 += 1;
            }
        }
    }
    if std::env::var_os("WASI_NN_RECORD").is_some() {
        let mut text = String::from(
            "# ONNX node tests (Debian's libonnx-testdata) that the ONNX backend does not pass, written by\n\
             # `WASI_NN_RECORD=1 cargo test -p wasmedge-plugin-wasi-nn --test onnx_suites -- --ignored onnx_node_coverage`.\n\
             # Kinds: load (tract cannot load the model: mostly an operator it lacks), compute (fails to run),\n\
             # mismatch (other numbers than the reference), types (an input or output no wasi-nn tensor\n\
             # type carries: strings, int8, uint16, sequences; not the backend's fault).\n#\n",
        );
        text += &format!(
            "# Summary: {} tests; {by_kind:?}\n#\n# Operators with failing tests (failing/all, type-only cases not counted):\n",
            cases.len()
        );
        for (op, (bad, all)) in &per_op {
            if *bad > 0 {
                text += &format!("#   {op} {bad}/{all}\n");
            }
        }
        text += "#\n# test\tkind\treason\n";
        for (case, o) in &results {
            if *o != Outcome::Pass {
                text += &format!("{}\t{}\t{}\n", case.name, o.kind(), o.reason().replace('\t', " "));
            }
        }
        std::fs::write(list_path(), text).unwrap();
        println!("wrote {}", list_path().display());
        return;
    }
    let listed = read_list();
    let mut problems = Vec::new();
    for (case, o) in &results {
        match (listed.get(&case.name), o) {
            (None, Outcome::Pass) => {}
            (Some(kind), Outcome::Pass) => {
                problems.push(format!("{} now passes (listed as {kind}): update the list", case.name))
            }
            (None, o) => problems.push(format!("{} fails, not listed: {} {}", case.name, o.kind(), o.reason())),
            (Some(kind), o) if kind != o.kind() => {
                problems.push(format!("{}: listed as {kind}, now {} {}", case.name, o.kind(), o.reason()))
            }
            _ => {}
        }
    }
    assert!(
        problems.is_empty(),
        "{} differences from {}:\n{}",
        problems.len(),
        list_path().display(),
        problems.join("\n")
    );
}

/// Real models tract cannot run, with the reason; the test checks that they still fail (so the list stays
/// true) and that every other model passes.
const REAL_MODELS_UNSUPPORTED: &[(&str, &str)] = &[(
    "silero_vad",
    "tract cannot analyse the `If` on the sample rate: the 8 kHz branch fails shape inference even when the \
     rate is 16000 (silero_vad_op18_ifless, the same model without `If`, runs)",
)];

#[test]
#[ignore = "needs the models of tests/models/fetch-onnx-models.sh; run by .ci/run"]
fn onnx_real_models() {
    let root = std::env::var_os("WASI_NN_ONNX_MODELS")
        .map(PathBuf::from)
        .expect("WASI_NN_ONNX_MODELS: the directory tests/models/fetch-onnx-models.sh prints");
    let cases = cases(&root);
    assert!(cases.len() >= 3, "{}: only {} models", root.display(), cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        // The light models' weights are constants (every class scores the same); the others must have
        // references that vary, or matching them would prove little.
        if !case.name.starts_with("light_") {
            let data = case.dir.join("test_data_set_0");
            let varies = numbered(&data, "output").iter().any(|p| {
                let r = read_tensor(p).unwrap();
                let v = values(r.ty.unwrap(), &r.data);
                v.iter().any(|x| *x != v[0])
            });
            assert!(varies, "{}: every reference output is constant", case.name);
        }
        let known = REAL_MODELS_UNSUPPORTED.iter().find(|(name, _)| *name == case.name);
        match (run_guest(case, 1e-3, 1e-4), known) {
            (Ok(n), None) => println!("{}: {n} outputs match onnxruntime", case.name),
            (Err(e), None) => failures.push(format!("{}: {e}", case.name)),
            (Err(e), Some((_, why))) => println!("{}: unsupported, as listed ({e}): {why}", case.name),
            (Ok(_), Some(_)) => {
                failures.push(format!("{}: now passes; remove it from REAL_MODELS_UNSUPPORTED", case.name))
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Run a case through the plugin's guest ABI (load from bytes, set_input, compute, get_output), the way a
/// guest does: inputs declared int64 are passed as I32 (the ABI takes no I64 tensors, as WasmEdge's).
/// Float outputs match within `rtol` relative plus `scale` times the reference's largest magnitude.
fn run_guest(case: &Case, rtol: f64, scale: f64) -> Result<usize, String> {
    let model = std::fs::read(case.dir.join("model.onnx")).unwrap();
    let data = case.dir.join("test_data_set_0");
    let inputs: Vec<Ref> = numbered(&data, "input").iter().map(|p| read_tensor(p)).collect::<Result<_, _>>()?;
    let outputs: Vec<Ref> = numbered(&data, "output").iter().map(|p| read_tensor(p)).collect::<Result<_, _>>()?;
    let need = model.len() + inputs.iter().chain(&outputs).map(|r| r.data.len() * 2).sum::<usize>();
    let mut g = common::Guest::with(&[], (need + (16 << 20)).next_power_of_two());
    let graph =
        g.load(&[&model], common::encoding::ONNX, common::target::CPU).map_err(|e| format!("load: error {e}"))?;
    let ctx = g.init_execution_context(graph).map_err(|e| format!("init_execution_context: error {e}"))?;
    for (i, r) in inputs.iter().enumerate() {
        let (ty, data) = match r.ty {
            Some(TensorType::I64) => (
                common::ty::I32,
                r.data
                    .chunks_exact(8)
                    .flat_map(|c| (i64::from_le_bytes(c.try_into().unwrap()) as i32).to_le_bytes())
                    .collect(),
            ),
            Some(t) => (t as u32, r.data.clone()),
            None => return Err(format!("input {i} of type {}", onnx_type_name(r.onnx_type))),
        };
        g.set_input(ctx, i as u32, &r.dims, ty, &data).map_err(|e| format!("set_input {i}: error {e}"))?;
    }
    g.compute(ctx).map_err(|e| format!("compute: error {e}"))?;
    for (i, want) in outputs.iter().enumerate() {
        let got =
            g.get_output(ctx, i as u32, want.data.len() as u32).map_err(|e| format!("get_output {i}: error {e}"))?;
        let largest = values(want.ty.unwrap(), &want.data).iter().fold(0f64, |m, v| m.max(v.abs()));
        compare(&got, want, rtol, scale * largest).map_err(|e| format!("output {i}: {e}"))?;
    }
    Ok(outputs.len())
}
