//! The `wasi_ephemeral_nn` functions as a guest calls them, through the SDK's harness: the module's shape,
//! every pointer check, the encodings, targets and tensor types, the handles, `--nn-preload`, and a round
//! trip through a real ONNX model (when the ONNX backend is in). The expected codes are WasmEdge 0.15's,
//! except where README.md says otherwise. Exact log messages are checked by the unit tests in `abi.rs`.

mod common;

use common::*;
use wasmedge_plugin_sdk::{OptionKind, ValKind};
use wasmedge_plugin_wasi_nn::plugin;

const FUNCTIONS: [(&str, usize); 12] = [
    ("load", 5),
    ("load_by_name", 3),
    ("load_by_name_with_config", 5),
    ("init_execution_context", 2),
    ("set_input", 3),
    ("get_output", 5),
    ("get_output_single", 5),
    ("compute", 1),
    ("compute_single", 1),
    ("fini_single", 1),
    ("unload", 1),
    ("finalize_execution_context", 1),
];

/// Pointers that are out of bounds for a u32 out-parameter in a guest of `size` bytes.
fn bad_u32_pointers(size: u32) -> [u32; 4] {
    [size - 3, size - 1, size, u32::MAX]
}

#[test]
fn plugin_has_wasmedges_module_and_option() {
    let d = plugin().descriptor();
    assert_eq!(d.name.as_str(), "wasi_nn");
    let v = d.version;
    let want: Vec<u32> = env!("CARGO_PKG_VERSION").split('.').map(|p| p.parse().unwrap()).collect();
    assert_eq!([v.major, v.minor, v.patch], [want[0], want[1], want[2]]);
    assert_eq!(d.modules.len(), 1);
    let m = &d.modules[0];
    assert_eq!(m.name.as_str(), "wasi_ephemeral_nn");
    let got: Vec<(&str, usize)> = m.functions.iter().map(|f| (f.name.as_str(), f.params.len())).collect();
    assert_eq!(got, FUNCTIONS);
    for f in m.functions.iter() {
        assert!(f.params.iter().all(|&k| k == ValKind::I32), "{}", f.name);
        assert_eq!(f.results.as_slice(), &[ValKind::I32], "{}", f.name);
    }
    assert_eq!(d.options.len(), 1);
    assert_eq!(d.options[0].name.as_str(), "nn-preload");
    assert_eq!(d.options[0].kind, OptionKind::List);
    assert!(d.options[0].description.as_str().starts_with("Allow preload models from wasinn plugin."));
}

#[test]
fn no_function_traps_on_any_argument() {
    let mut g = Guest::new();
    let size = g.memory_size();
    let values = [0, 1, 4, size - 4, size, u32::MAX];
    for (f, n) in FUNCTIONS {
        // Every argument position takes each value, the others a small in-bounds pointer.
        for i in 0..n {
            for &v in &values {
                let mut args = vec![2048u32; n];
                args[i] = v;
                let e = g.raw(f, &args);
                assert_ne!(e, errno::SUCCESS, "{f}{args:?}");
            }
        }
    }
}

#[test]
fn load_checks_the_graph_id_pointer_first() {
    let mut g = Guest::new();
    let (p, n) = g.builders(&[b"model"]);
    for bad in bad_u32_pointers(g.memory_size()) {
        // Even with a bad target and an unknown encoding.
        assert_eq!(g.raw("load", &[p, n, 99, 99, bad]), errno::INVALID_ARGUMENT, "{bad}");
    }
    // In bounds at the very end of memory.
    let end = g.memory_size() - 4;
    assert_eq!(g.raw("load", &[p, n, 99, 0, end]), errno::INVALID_ENCODING);
}

#[test]
fn load_checks_the_target_before_the_builders_and_the_encoding() {
    let mut g = Guest::new();
    let o = g.out(4);
    let size = g.memory_size();
    for t in [target::AUTO, 4, 0x100, u32::MAX] {
        // An unknown encoding would be 2: the target is refused first.
        assert_eq!(g.raw("load", &[0, 0, 99, t, o]), errno::INVALID_ARGUMENT, "target {t}");
        assert_eq!(g.raw("load", &[size, 1, 99, t, o]), errno::INVALID_ARGUMENT, "target {t}");
    }
    for t in [target::CPU, target::GPU, target::TPU] {
        assert_eq!(g.raw("load", &[0, 0, 99, t, o]), errno::INVALID_ENCODING, "target {t}");
    }
    assert_eq!(g.read_u32(o), u32::from_le_bytes([FILL; 4]), "a failed load wrote the graph id");
}

#[test]
fn load_checks_the_builders_before_the_encoding() {
    let mut g = Guest::new();
    let o = g.out(4);
    let size = g.memory_size();
    // The array out of bounds, partly out of bounds, or too long to exist (0.15 wrapped 0x2000_0000 × 8
    // to 0 and read out of bounds).
    for (ptr, len) in [(size, 1), (size - 7, 1), (u32::MAX, 1), (0, size / 8 + 1), (0, 0x2000_0000), (0, u32::MAX)] {
        assert_eq!(g.raw("load", &[ptr, len, 99, 0, o]), errno::INVALID_ARGUMENT, "array {ptr} × {len}");
    }
    // An entry pointing out of bounds, in any position.
    let (good, gl) = g.put(b"ok");
    for (ptr, len) in [(size, 1), (size - 1, 2), (u32::MAX, 1), (0, u32::MAX), (good, size)] {
        let first = g.put_u32s(&[ptr, len, good, gl]);
        assert_eq!(g.raw("load", &[first, 2, 99, 0, o]), errno::INVALID_ARGUMENT, "builder 0 = {ptr} × {len}");
        let second = g.put_u32s(&[good, gl, ptr, len]);
        assert_eq!(g.raw("load", &[second, 2, 99, 0, o]), errno::INVALID_ARGUMENT, "builder 1 = {ptr} × {len}");
    }
    // Empty extents are accepted wherever they point, as in WasmEdge: the encoding decides.
    assert_eq!(g.raw("load", &[u32::MAX, 0, 99, 0, o]), errno::INVALID_ENCODING);
    let empty_far = g.put_u32s(&[u32::MAX, 0]);
    assert_eq!(g.raw("load", &[empty_far, 1, 99, 0, o]), errno::INVALID_ENCODING);
    // The array may end exactly at the end of memory.
    let tail = size - 8;
    g.h.memory_mut()[tail as usize..].copy_from_slice(&[good.to_le_bytes(), gl.to_le_bytes()].concat());
    assert_eq!(g.raw("load", &[tail, 1, 99, 0, o]), errno::INVALID_ENCODING);
}

#[test]
fn encodings_by_class() {
    let mut g = Guest::new();
    // Numbers WasmEdge has no backend for: InvalidEncoding.
    for e in [8, 14, 15, 100, 255, 0x100 + 8, 0x1000 + 14, 0xffff_ff0f] {
        assert_eq!(g.load(&[b"m"], e, target::CPU), Err(errno::INVALID_ENCODING), "encoding {e}");
    }
    // WasmEdge's backends this plugin does not have (as a WasmEdge built without them): InvalidArgument.
    for e in [
        encoding::OPENVINO,
        encoding::TENSORFLOW,
        encoding::PYTORCH,
        encoding::TENSORFLOWLITE,
        encoding::NEURALSPEED,
        encoding::WHISPER,
        encoding::MLX,
        encoding::PIPER,
        encoding::CHATTTS,
        encoding::OPENVINO_GENAI,
        0x100,
        0x200 + encoding::TENSORFLOW,
    ] {
        assert_eq!(g.load(&[b"m"], e, target::CPU), Err(errno::INVALID_ARGUMENT), "encoding {e}");
    }
    // GGML, ONNX and autodetect reach a backend, which refuses garbage in its own way.
    for e in [encoding::GGML, encoding::ONNX, encoding::AUTODETECT, 0x100 + encoding::GGML, 0x300 + encoding::ONNX] {
        let r = g.load(&[b"not a model"], e, target::CPU);
        assert!(matches!(r, Err(c) if c != errno::INVALID_ENCODING), "encoding {e}: {r:?}");
    }
}

#[test]
fn load_by_name_checks_and_not_found() {
    let mut g = Guest::with_preloads(&["m:onnx:cpu:/nonexistent/m.onnx"]);
    let size = g.memory_size();
    let (n, nl) = g.put(b"zz");
    let o = g.out(4);
    for bad in bad_u32_pointers(size) {
        assert_eq!(g.raw("load_by_name", &[n, nl, bad]), errno::INVALID_ARGUMENT);
        assert_eq!(g.raw("load_by_name_with_config", &[n, nl, n, nl, bad]), errno::INVALID_ARGUMENT);
    }
    // The name's extent must lie in memory, even an empty one.
    for (ptr, len) in [(size, 1), (size - 1, 2), (size + 1, 0), (u32::MAX, 0), (n, size)] {
        assert_eq!(g.raw("load_by_name", &[ptr, len, o]), errno::INVALID_ARGUMENT, "{ptr} × {len}");
        assert_eq!(g.raw("load_by_name_with_config", &[ptr, len, n, 0, o]), errno::INVALID_ARGUMENT);
    }
    // So must the config's.
    for (ptr, len) in [(size, 1), (size - 1, 2), (size + 1, 0), (u32::MAX, 0), (n, size)] {
        assert_eq!(g.raw("load_by_name_with_config", &[n, nl, ptr, len, o]), errno::INVALID_ARGUMENT);
    }
    // Unknown names: NotFound, the out-parameter untouched.
    assert_eq!(g.raw("load_by_name", &[n, nl, o]), errno::NOT_FOUND);
    assert_eq!(g.raw("load_by_name", &[size, 0, o]), errno::NOT_FOUND);
    assert_eq!(g.raw("load_by_name_with_config", &[n, nl, size, 0, o]), errno::NOT_FOUND);
    assert_eq!(g.read_u32(o), u32::from_le_bytes([FILL; 4]));
    for name in ["M", "m ", " m", "m\0", ""] {
        assert_eq!(g.load_by_name(name), Err(errno::NOT_FOUND), "{name:?}");
        assert_eq!(g.load_by_name_with_config(name, b"{}"), Err(errno::NOT_FOUND), "{name:?}");
    }
}

#[test]
fn unknown_handles() {
    let mut g = Guest::new();
    let size = g.memory_size();
    for id in [0, 1, 7, u32::MAX] {
        assert_eq!(g.init_execution_context(id), Err(errno::INVALID_ARGUMENT));
        assert_eq!(g.set_input(id, 0, &[1], ty::F32, &[0; 4]), Err(errno::INVALID_ARGUMENT));
        assert_eq!(g.get_output(id, 0, 16), Err(errno::INVALID_ARGUMENT));
        assert_eq!(g.get_output_raw(true, id, 0, 16).0, errno::INVALID_ARGUMENT);
        assert_eq!(g.compute(id), Err(errno::INVALID_ARGUMENT));
        assert_eq!(g.compute_single(id), Err(errno::INVALID_ARGUMENT));
        assert_eq!(g.fini_single(id), Err(errno::INVALID_ARGUMENT));
        assert_eq!(g.unload(id), Err(errno::INVALID_ARGUMENT));
        assert_eq!(g.finalize_execution_context(id), Err(errno::INVALID_ARGUMENT));
    }
    // The context-id pointer is checked before the graph.
    for bad in bad_u32_pointers(size) {
        assert_eq!(g.raw("init_execution_context", &[0, bad]), errno::INVALID_ARGUMENT);
    }
    // get_output's buffer and bytes_written pointers: an empty buffer may sit at the end of memory.
    let bw = g.out(4);
    for (ptr, len) in [(size, 1), (size - 1, 2), (size + 1, 0), (u32::MAX, 0), (0, size + 1)] {
        for f in ["get_output", "get_output_single"] {
            assert_eq!(g.raw(f, &[0, 0, ptr, len, bw]), errno::INVALID_ARGUMENT);
        }
    }
    for bad in bad_u32_pointers(size) {
        for f in ["get_output", "get_output_single"] {
            assert_eq!(g.raw(f, &[0, 0, 2048, 16, bad]), errno::INVALID_ARGUMENT);
        }
    }
    assert_eq!(g.raw("get_output", &[0, 0, size, 0, bw]), errno::INVALID_ARGUMENT);
    assert_eq!(g.read_u32(bw), u32::from_le_bytes([FILL; 4]));
}

#[test]
fn set_input_checks_every_pointer_and_the_type() {
    let mut g = Guest::new();
    let size = g.memory_size();
    for bad in [size - 19, size - 1, size, u32::MAX] {
        assert_eq!(g.raw("set_input", &[0, 0, bad]), errno::INVALID_ARGUMENT);
    }
    let (d, _) = g.put(&[1, 0, 0, 0]);
    let (p, l) = g.put(&[0; 4]);
    let cases = [
        [size - 4, 2, ty::F32, p, l],
        [0, 0x4000_0000, ty::F32, p, l],
        [u32::MAX, 1, ty::F32, p, l],
        [d, 1, ty::F32, size, 1],
        [d, 1, ty::F32, p, size],
        [d, 1, ty::F64, p, l],
        [d, 1, ty::I64, p, l],
        [d, 1, 6, p, l],
        [d, 1, 0x102, p, l],
    ];
    for fields in cases {
        let t = g.put_u32s(&fields);
        assert_eq!(g.raw("set_input", &[0, 0, t]), errno::INVALID_ARGUMENT, "{fields:?}");
    }
    // A tensor struct ending exactly at the end of memory is read.
    let tail = size - 20;
    let bytes: Vec<u8> = [d, 1, ty::F32, p, l].iter().flat_map(|v| v.to_le_bytes()).collect();
    g.h.memory_mut()[tail as usize..].copy_from_slice(&bytes);
    assert_eq!(g.raw("set_input", &[0, 0, tail]), errno::INVALID_ARGUMENT);
}

// ---- --nn-preload ----

#[test]
fn preloads_are_parsed_at_startup_and_built_on_first_use() {
    // A model that does not exist: instantiating the module does not look at it.
    let mut g = Guest::with_preloads(&["llm:GGML:AUTO:/nonexistent/model.gguf"]);
    let r = g.load_by_name("llm");
    if cfg!(feature = "ggml") {
        assert_eq!(r, Err(errno::MODEL_NOT_FOUND));
    } else {
        // Without the GGML backend: its feature is off (InvalidArgument, naming what this build runs).
        assert_eq!(r, Err(errno::INVALID_ARGUMENT));
    }
    // A failed build caches nothing: the same failure again, not a stale id.
    assert_eq!(g.load_by_name("llm"), r);
    assert_eq!(g.load_by_name_with_config("llm", b"{\"ctx-size\":64}"), r);
}

#[test]
fn preloads_with_a_bad_backend_or_device_are_skipped() {
    let mut g = Guest::with_preloads(&[
        "a:gguf:cpu:/x",
        "b:ggml:npu:/x",
        "c:bitnet:cpu:/x",
        "d",
        "",
        "e:ggml",
        "f::cpu:/x",
        "ok:ggml:cpu:/nonexistent/x.gguf",
    ]);
    for name in ["a", "b", "c", "d", "", "e", "f"] {
        assert_eq!(g.load_by_name(name), Err(errno::NOT_FOUND), "{name:?}");
    }
    // The good entry after them is there.
    assert!(matches!(g.load_by_name("ok"), Err(e) if e != errno::NOT_FOUND));
}

#[test]
fn preload_names_are_case_sensitive_encodings_and_targets_not() {
    let mut g = Guest::with_preloads(&[
        "Model:GgMl:CpU:/nonexistent/a.gguf",
        "tpu:ONNX:TPU:/nonexistent/b.onnx",
        "auto:AutoDetect:Auto:/nonexistent/c",
        ":onnx:gpu:/nonexistent/d.onnx",
        "ov:OpenVINO:cpu:/nonexistent/e.xml",
    ]);
    for name in ["Model", "tpu", "auto", ""] {
        let r = g.load_by_name(name);
        assert!(matches!(r, Err(e) if e != errno::NOT_FOUND), "{name:?}: {r:?}");
    }
    for name in ["model", "MODEL", "TPU", "Auto"] {
        assert_eq!(g.load_by_name(name), Err(errno::NOT_FOUND), "{name:?}");
    }
    // A known encoding this plugin does not run: as `load` with it.
    assert_eq!(g.load_by_name("ov"), Err(errno::INVALID_ARGUMENT));
}

#[test]
fn preloads_belong_to_each_guest() {
    let entries = ["a:onnx:cpu:/nonexistent/a.onnx"];
    let mut one = Guest::with_preloads(&entries);
    let mut two = Guest::new();
    assert!(matches!(one.load_by_name("a"), Err(e) if e != errno::NOT_FOUND));
    assert_eq!(two.load_by_name("a"), Err(errno::NOT_FOUND));
}

// ---- through a real backend ----

/// The ONNX model the ONNX backend's owner committed: two f32 [2,3] inputs, their sum as output 0.
fn add_model() -> Option<Vec<u8>> {
    if !cfg!(feature = "onnx") {
        return None;
    }
    std::fs::read(fixture("add.onnx")).ok()
}

const A: [f32; 6] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
const B: [f32; 6] = [0.5, -1.0, 10.0, 0.25, -5.0, 100.0];

fn sum() -> Vec<f32> {
    A.iter().zip(B).map(|(a, b)| a + b).collect()
}

/// Set both inputs of the add model and compute.
fn run_add(g: &mut Guest, ctx: u32) {
    g.set_input(ctx, 0, &[2, 3], ty::F32, &f32_bytes(&A)).unwrap();
    g.set_input(ctx, 1, &[2, 3], ty::F32, &f32_bytes(&B)).unwrap();
    g.compute(ctx).unwrap();
}

#[test]
fn onnx_round_trip_through_the_abi() {
    let Some(model) = add_model() else { return };
    let mut g = Guest::new();
    assert_eq!(g.load(&[&model], encoding::ONNX, target::CPU), Ok(0));
    assert_eq!(g.load(&[&model], encoding::AUTODETECT, target::GPU), Ok(1));
    assert_eq!(g.load(&[&model], 0x100 + encoding::ONNX, target::TPU), Ok(2));
    let c0 = g.init_execution_context(0).unwrap();
    let c1 = g.init_execution_context(0).unwrap();
    let c2 = g.init_execution_context(1).unwrap();
    assert_eq!((c0, c1, c2), (0, 1, 2));
    for c in [c0, c1, c2] {
        run_add(&mut g, c);
        assert_eq!(f32_values(&g.get_output(c, 0, 24).unwrap()), sum());
    }
    // A larger buffer: 24 bytes written, the rest untouched.
    let (e, n, buf) = g.get_output_raw(false, c0, 0, 32);
    assert_eq!((e, n), (errno::SUCCESS, 24));
    assert_eq!(&buf[24..], &[FILL; 8]);
    // Too small: TooLarge, the size needed, nothing written.
    for max in [0, 4, 23] {
        let (e, n, buf) = g.get_output_raw(false, c0, 0, max);
        assert_eq!((e, n), (errno::TOO_LARGE, 24), "buffer of {max}");
        assert!(buf.iter().all(|&b| b == FILL));
    }
    // Tensor types: F64 and I64 refused; the type is read as its low byte.
    let data = f32_bytes(&A);
    assert_eq!(g.set_input(c0, 0, &[2, 3], ty::F64, &data), Err(errno::INVALID_ARGUMENT));
    assert_eq!(g.set_input(c0, 0, &[2, 3], ty::I64, &data), Err(errno::INVALID_ARGUMENT));
    assert_eq!(g.set_input(c0, 0, &[2, 3], 0x100 + ty::F32, &data), Ok(()));
    // Streaming is GGML's: InvalidArgument here.
    assert_eq!(g.compute_single(c0), Err(errno::INVALID_ARGUMENT));
    assert_eq!(g.get_output_raw(true, c0, 0, 64).0, errno::INVALID_ARGUMENT);
    assert_eq!(g.fini_single(c0), Err(errno::INVALID_ARGUMENT));

    // Unload: the handle goes, the contexts can still be drained and finalized, not run.
    assert_eq!(g.unload(0), Ok(()));
    assert_eq!(g.unload(0), Err(errno::INVALID_ARGUMENT));
    assert_eq!(g.init_execution_context(0), Err(errno::INVALID_ARGUMENT));
    assert_eq!(f32_values(&g.get_output(c1, 0, 24).unwrap()), sum());
    assert_eq!(g.set_input(c1, 0, &[2, 3], ty::F32, &data), Err(errno::INVALID_ARGUMENT));
    assert_eq!(g.compute(c1), Err(errno::INVALID_ARGUMENT));
    assert_eq!(g.finalize_execution_context(c1), Ok(()));
    assert_eq!(g.finalize_execution_context(c1), Err(errno::INVALID_ARGUMENT));
    assert_eq!(g.get_output(c1, 0, 24), Err(errno::INVALID_ARGUMENT));
    // The other graph's context is unaffected.
    run_add(&mut g, c2);
    assert_eq!(f32_values(&g.get_output(c2, 0, 24).unwrap()), sum());
    // Ids are never reused: the next graph is 3, the next context 3.
    assert_eq!(g.load(&[&model], encoding::ONNX, target::CPU), Ok(3));
    assert_eq!(g.init_execution_context(3), Ok(3));
    assert_eq!(g.finalize_execution_context(c0), Ok(()));
    assert_eq!(g.init_execution_context(1), Ok(4));
    // A failed load consumes no id.
    assert!(g.load(&[b"not a model"], encoding::ONNX, target::CPU).is_err());
    assert_eq!(g.load(&[&model], encoding::ONNX, target::CPU), Ok(4));
}

#[test]
fn onnx_preloads_build_lazily_cache_and_rebuild_after_unload() {
    let Some(model) = add_model() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("add.onnx");
    let entries = [
        format!("add:onnx:cpu:{}", path.display()),
        "add:ggml:cpu:/nonexistent/x.gguf".to_string(),
        format!("extra:onnx:cpu:{}:/nonexistent/second.onnx", fixture("add.onnx").display()),
        format!("auto:autodetect:auto:{}", fixture("add.onnx").display()),
        "gone:onnx:cpu:/nonexistent/x.onnx".to_string(),
    ];
    let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
    let mut g = Guest::with_preloads(&entries);
    // The file does not exist yet when the guest starts: it is read at the first load_by_name.
    std::fs::write(&path, &model).unwrap();
    assert_eq!(g.load_by_name("add"), Ok(0));
    // Cached, config or not (a config is ignored on a cache hit).
    assert_eq!(g.load_by_name("add"), Ok(0));
    assert_eq!(g.load_by_name_with_config("add", b"{\"x\":1}"), Ok(0));
    // The first entry of a name won (the second is a missing GGUF).
    let c = g.init_execution_context(0).unwrap();
    run_add(&mut g, c);
    assert_eq!(f32_values(&g.get_output(c, 0, 24).unwrap()), sum());
    // Unload evicts the name: a new graph, a new id; the old context still drains.
    assert_eq!(g.unload(0), Ok(()));
    assert_eq!(g.load_by_name("add"), Ok(1));
    assert_eq!(f32_values(&g.get_output(c, 0, 24).unwrap()), sum());
    // An unreadable second path is dropped (logged); the entry still loads with the first.
    assert_eq!(g.load_by_name("extra"), Ok(2));
    // Autodetect on an ONNX file, target AUTO (accepted from --nn-preload).
    assert_eq!(g.load_by_name("auto"), Ok(3));
    let c = g.init_execution_context(3).unwrap();
    run_add(&mut g, c);
    assert_eq!(f32_values(&g.get_output(c, 0, 24).unwrap()), sum());
    // No readable file at all: the backend gets no builders and fails; nothing is cached.
    let r = g.load_by_name("gone");
    assert!(matches!(r, Err(e) if e != errno::NOT_FOUND), "{r:?}");
    assert_eq!(g.load_by_name("gone"), r);
    assert_eq!(g.load(&[&model], encoding::ONNX, target::CPU), Ok(4));
}

/// The GGML backend's outputs are bounded by the guest's memory, not by the buffer length it passes.
#[cfg(feature = "ggml")]
#[test]
fn ggml_round_trip_outputs_bounded_by_memory() {
    use wasmedge_plugin_wasi_nn::ggml::testing::tiny_gguf;
    let model = tiny_gguf("llama", 7);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.gguf");
    std::fs::write(&path, &model).unwrap();
    let preload = format!("default:GGML:AUTO:{}", path.display());
    let mut g = Guest::with_preloads(&[&preload]);
    let size = g.memory_size();

    // Autodetect sends GGUF bytes to GGML; load_by_name goes by path, the config as builder 1.
    assert_eq!(g.load(&[&model], encoding::AUTODETECT, target::CPU), Ok(0));
    assert_eq!(g.load_by_name_with_config("default", b"{\"n-predict\": 8}"), Ok(1));
    assert_eq!(g.load_by_name("default"), Ok(1));
    for graph in [0, 1] {
        let ctx = g.init_execution_context(graph).unwrap();
        g.set_input(ctx, 0, &[1], ty::U8, b" once").unwrap();
        g.compute(ctx).unwrap();
        // A buffer "of length 0" gets the whole text, as in WasmEdge 0.15 (LlamaEdge relies on it).
        let at = g.out(4096);
        let (e, n) = g.get_output_at(false, ctx, 0, at, 0);
        assert_eq!(e, errno::SUCCESS);
        let text = g.read(at, n as usize);
        assert!(String::from_utf8_lossy(&text).contains("upon a time"), "{:?}", String::from_utf8_lossy(&text));
        // Up to the very end of memory, and not a byte further.
        let n = text.len() as u32;
        assert_eq!(g.get_output_at(false, ctx, 0, size - n, 0), (errno::SUCCESS, n));
        assert_eq!(g.read(size - n, n as usize), text);
        g.h.memory_mut()[(size - n) as usize..].fill(0);
        assert_eq!(g.get_output_at(false, ctx, 0, size - n + 1, 0), (errno::TOO_LARGE, n));
        assert!(g.read(size - n, n as usize).iter().all(|&b| b == 0));
        // Output 1: the token counts.
        let at = g.out(256);
        let (e, n) = g.get_output_at(false, ctx, 1, at, 0);
        assert_eq!(e, errno::SUCCESS);
        assert!(g.read(at, n as usize).starts_with(b"{\"input_tokens\": "));
    }
    // Streaming: one token per compute_single until EndOfSequence (100), which is returned as is.
    let ctx = g.init_execution_context(1).unwrap();
    g.set_input(ctx, 0, &[1], ty::U8, b" once").unwrap();
    let mut streamed = Vec::new();
    let mut end = None;
    for _ in 0..16 {
        match g.compute_single(ctx) {
            Ok(()) => {
                let at = g.out(64);
                let (e, n) = g.get_output_at(true, ctx, 0, at, 0);
                assert_eq!(e, errno::SUCCESS);
                streamed.extend(g.read(at, n as usize));
            }
            Err(e) => {
                end = Some(e);
                break;
            }
        }
    }
    assert_eq!(end, Some(errno::END_OF_SEQUENCE));
    assert!(String::from_utf8_lossy(&streamed).starts_with(" upon a time"), "{:?}", String::from_utf8_lossy(&streamed));
    assert_eq!(g.fini_single(ctx), Ok(()));
    // Unload evicts the name: the next load_by_name builds graph 2; the old context still drains.
    assert_eq!(g.unload(1), Ok(()));
    assert_eq!(g.compute_single(ctx), Err(errno::INVALID_ARGUMENT));
    assert_eq!(g.fini_single(ctx), Ok(()));
    assert_eq!(g.load_by_name("default"), Ok(2));
}
