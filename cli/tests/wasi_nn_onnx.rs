//! The wasi_nn plugin's ONNX backend end to end: the plugin library is built by cargo as a dev-dependency and found in
//! `$HOME/.wasmedge/plugin`, and a C guest (tests/fixtures/wasi_nn/onnx.c, on WasmEdge's wasi_ephemeral_nn ABI)
//! runs through the `wasmedge` binary on the tiny models of plugins/wasi_nn/tests/fixtures. It loads a model by
//! its `--nn-preload` name (or reads the file itself and calls `load`), sets the inputs, computes and prints the
//! outputs, which must match onnxruntime's (plugins/wasi_nn/tests/fixtures/onnx_reference.json).

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::repo;

fn guest_wasm() -> String {
    repo().join("tests/fixtures/wasi_nn/onnx.wasm").to_str().unwrap().to_string()
}

fn fixtures() -> PathBuf {
    repo().join("plugins/wasi_nn/tests/fixtures")
}

fn model(name: &str) -> String {
    fixtures().join(format!("{name}.onnx")).to_str().unwrap().to_string()
}

// ---- the reference outputs ----

/// A tensor of onnx_reference.json: its numpy dtype, dims, values and little-endian bytes (hex).
#[derive(Debug)]
struct Ref {
    dtype: String,
    dims: Vec<u64>,
    values: Vec<f64>,
    hex: String,
}

/// The value of `"key": ` at or after `at` in `s`, up to (not including) `end`, and where it ends.
fn field<'a>(s: &'a str, at: usize, key: &str, end: char) -> (&'a str, usize) {
    let start = at + s[at..].find(&format!("\"{key}\": ")).unwrap_or_else(|| panic!("no {key}")) + key.len() + 4;
    let len = s[start..].find(end).unwrap();
    (&s[start..start + len], start + len)
}

/// The reference inputs and outputs of `case`. onnx_reference.json (written by make_onnx.py) has one case per
/// line, its tensors' keys in a fixed order, which is all this reader relies on.
fn reference(case: &str) -> (Vec<Ref>, Vec<Ref>) {
    let json = std::fs::read_to_string(fixtures().join("onnx_reference.json")).unwrap();
    let line = json.lines().find(|l| l.starts_with(&format!("\"{case}\": "))).unwrap();
    let tensors = |part: &str| {
        let mut list = Vec::new();
        let mut at = 0;
        while let Some(i) = part[at..].find("\"dtype\": ") {
            let (dtype, next) = field(part, at + i, "dtype", ',');
            let (dims, next) = field(part, next, "dims", ']');
            let (values, next) = field(part, next, "values", ']');
            let (hex, next) = field(part, next, "hex", '}');
            let dims = dims.trim_start_matches('[').split(", ").filter(|d| !d.is_empty()).map(|d| d.parse().unwrap());
            let number = |v: &str| match v {
                "true" => 1.0,
                "false" => 0.0,
                v => v.parse().unwrap(),
            };
            let values = values.trim_start_matches('[').split(", ").filter(|v| !v.is_empty()).map(number);
            list.push(Ref {
                dtype: dtype.trim_matches('"').to_string(),
                dims: dims.collect(),
                values: values.collect(),
                hex: hex.trim_matches('"').to_string(),
            });
            at = next;
        }
        list
    };
    let outputs = line.find("\"outputs\": ").unwrap();
    (tensors(&line[..outputs]), tensors(&line[outputs..]))
}

/// The guest argument for a reference input: `TYPE:DIMS:HEX`, i64 sent as i32 and bool as u8 (the types a
/// wasi-nn guest can pass; the backend widens them).
fn input_arg(r: &Ref) -> String {
    let dims: Vec<String> = r.dims.iter().map(u64::to_string).collect();
    let (ty, hex) = match r.dtype.as_str() {
        "float16" => ("f16", r.hex.clone()),
        "float32" => ("f32", r.hex.clone()),
        "uint8" | "bool" => ("u8", r.hex.clone()),
        "int32" => ("i32", r.hex.clone()),
        "int64" => {
            ("i32", r.values.iter().flat_map(|&v| (v as i32).to_le_bytes()).map(|b| format!("{b:02x}")).collect())
        }
        other => panic!("no guest type for {other}"),
    };
    format!("{ty}:{}:{hex}", dims.join("x"))
}

fn output_type(r: &Ref) -> &'static str {
    match r.dtype.as_str() {
        "float16" => "f16",
        "float32" => "f32",
        "int32" => "i32",
        "int64" => "i64",
        other => panic!("no output type for {other}"),
    }
}

// ---- running the guest ----

/// A HOME whose `.wasmedge/plugin` holds the plugin.
struct Home {
    home: common::Home,
}

impl Home {
    fn new() -> Home {
        Home { home: common::Home::with_plugins(&[&common::dependency_plugin("wasmedge_plugin_wasi_nn")]) }
    }

    fn wasmedge(&self, args: &[&str]) -> Output {
        self.home.wasmedge(args)
    }

    /// Run the guest on `case`'s inputs with `model` (a preload name or `file:PATH`) and the wasmedge options
    /// `options`; check its printed outputs against onnxruntime's.
    fn run_case(&self, options: &[&str], model: &str, case: &str) {
        let (inputs, outputs) = reference(case);
        let types: Vec<&str> = outputs.iter().map(output_type).collect();
        let types = types.join(",");
        let inputs: Vec<String> = inputs.iter().map(input_arg).collect();
        let wasm = guest_wasm();
        let mut args: Vec<&str> = options.to_vec();
        args.extend([wasm.as_str(), model, &types]);
        args.extend(inputs.iter().map(String::as_str));
        let o = self.wasmedge(&args);
        let (stdout, stderr) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert_eq!(o.status.code(), Some(0), "{case}: {stdout}{stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), outputs.len(), "{case}: {stdout}");
        for (i, (line, want)) in lines.iter().zip(&outputs).enumerate() {
            let values = line.strip_prefix(&format!("output {i}:")).unwrap_or_else(|| panic!("{case}: {line}"));
            let got: Vec<f64> = values.split_whitespace().map(|v| v.parse().unwrap()).collect();
            assert_eq!(got.len(), want.values.len(), "{case} output {i}: {line}");
            for (j, (&g, &w)) in got.iter().zip(&want.values).enumerate() {
                let tolerance = if output_type(want) == "f32" { 1e-5 * w.abs() + 1e-6 } else { 0.0 };
                assert!((g - w).abs() <= tolerance, "{case} output {i}[{j}]: {g} vs onnxruntime's {w}");
            }
        }
    }

    /// Run the guest with the wasmedge `options` and the guest arguments `args` where a call must fail: its
    /// stdout (`FUNCTION: error E`) and stderr.
    fn run_failing(&self, options: &[&str], args: &[&str]) -> (String, String) {
        let wasm = guest_wasm();
        let o = self.wasmedge(&[options, &[wasm.as_str()], args].concat());
        let (stdout, stderr) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stdout}{stderr}");
        (stdout.into_owned(), stderr.into_owned())
    }
}

#[test]
fn preloaded_models_run_and_match_onnxruntime() {
    let h = Home::new();
    for case in ["mlp", "conv", "cast", "half", "two_out", "gather"] {
        let preload = format!("m:ONNX:CPU:{}", model(case));
        h.run_case(&["--nn-preload", &preload], "m", case);
    }
    // Autodetect finds ONNX; a GPU target runs on the CPU; several preloads side by side.
    let (a, d) = (format!("a:autodetect:gpu:{}", model("add")), format!("d:onnx:cpu:{}", model("dynamic")));
    h.run_case(&["--nn-preload", &a, "--nn-preload", &d], "a", "add");
    h.run_case(&["--nn-preload", &a, "--nn-preload", &d], "d", "dynamic");
    h.run_case(&["--nn-preload", &a, "--nn-preload", &d], "d", "dynamic_n1");
}

#[test]
fn a_guest_reads_the_model_and_loads_its_bytes() {
    let h = Home::new();
    let dir = format!("/models:{}", fixtures().display());
    h.run_case(&["--dir", &dir], "file:/models/mlp.onnx", "mlp");
    h.run_case(&["--dir", &dir], "file:/models/where.onnx", "where");
}

#[test]
fn failures_reach_the_guest_as_errnos_with_a_log_line() {
    let h = Home::new();
    let add = format!("m:onnx:cpu:{}", model("add"));
    let f32s = format!("f32:2x3:{}", "0000803f".repeat(6));
    // The wrong type: the guest sees InvalidArgument, stderr says what was expected.
    let i32s = format!("i32:2x3:{}", "01000000".repeat(6));
    let (out, err) = h.run_failing(&["--nn-preload", &add], &["m", "f32", &i32s]);
    assert_eq!(out, "set_input 0: error 1\n");
    assert!(err.contains("expected type F32, got I32"), "{err}");
    // A missing input.
    let (out, err) = h.run_failing(&["--nn-preload", &add], &["m", "f32", &f32s]);
    assert_eq!(out, "compute: error 1\n");
    assert!(err.contains("input 1 (\"b\") not set"), "{err}");
    // An output index the model does not have.
    let (out, _) = h.run_failing(&["--nn-preload", &add], &["m", "f32,f32", &f32s, &f32s]);
    assert!(out.ends_with("get_output 1: error 1\n"), "{out}");
    assert!(out.starts_with("output 0: 2 2 2 2 2 2\n"), "{out}");
    // An operator tract does not implement.
    let bad = format!("m:onnx:cpu:{}", model("unsupported"));
    let (out, err) = h.run_failing(&["--nn-preload", &bad], &["m", "f32"]);
    assert_eq!(out, "load_by_name: error 1\n");
    assert!(err.contains("unsupported ONNX operator(s): Det, Unique"), "{err}");
}
