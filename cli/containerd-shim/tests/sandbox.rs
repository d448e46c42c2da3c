//! The sandbox without containerd: guests run as a container's process would run them (arguments,
//! environment, the root preopened as `/`, exit codes, traps, limits, native code), the entry point and
//! module taken from a runtime context as containerd-shim-wasm builds it, and the image builder's output.

use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};

use containerd_shim_wasm::sandbox::context::{Entrypoint, RuntimeContext, Source, WasmLayer};
use containerd_shim_wasmedge::guest::cgroup_memory_limit;
use containerd_shim_wasmedge::image::{ImageSpec, WASM_LAYER, write_image};
use containerd_shim_wasmedge::{Guest, WasmEdgeSandbox};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/wasi").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn wat(text: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(text).unwrap();
    wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap()
}

fn guest(wasm: Vec<u8>, args: &[&str]) -> Guest {
    Guest {
        wasm,
        args: args.iter().map(|s| s.to_string()).collect(),
        func: "_start".into(),
        root: "/".into(),
        plugin_paths: Some(Vec::new()),
        capture_output: true,
        ..Guest::default()
    }
}

fn stdout_of(g: &Guest) -> (i32, String) {
    let out = g.run(|_| {}).unwrap();
    (out.status, String::from_utf8(out.stdout).unwrap())
}

#[test]
fn arguments_and_environment_reach_the_guest() {
    let mut g = guest(fixture("hello.wasm"), &["/hello.wasm", "one", "two words"]);
    g.envs = vec!["GREETING=hi there".into(), "PATH=/usr/bin".into()];
    let (status, out) = stdout_of(&g);
    assert_eq!(status, 0);
    assert_eq!(
        out,
        "hello from wasm\nargv[0]=/hello.wasm\nargv[1]=one\nargv[2]=two words\nGREETING=hi there\nenvc=2\n"
    );
}

#[test]
fn exit_codes_and_traps() {
    assert_eq!(guest(fixture("misc.wasm"), &["misc", "exit", "42"]).run(|_| {}).unwrap().status, 42);
    assert_eq!(guest(fixture("misc.wasm"), &["misc", "exit", "0"]).run(|_| {}).unwrap().status, 0);
    let err = guest(fixture("misc.wasm"), &["misc", "trap"]).run(|_| {}).unwrap_err();
    assert!(err.to_string().contains("unreachable"), "{err}");
    let err = guest(fixture("misc.wasm"), &["misc", "oob"]).run(|_| {}).unwrap_err();
    assert!(err.to_string().contains("out of bounds"), "{err}");
    let err = guest(b"\0asm\x01\0\0\0\x01".to_vec(), &["bad"]).run(|_| {}).unwrap_err();
    assert!(format!("{err:#}").contains("cannot load the module"), "{err:#}");
}

#[test]
fn the_container_root_is_the_guests_root() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("etc")).unwrap();
    std::fs::write(root.path().join("etc/motd"), "from the image\n").unwrap();
    let mut g = guest(fixture("fs.wasm"), &["fs", "cat", "/etc/motd"]);
    g.root = root.path().to_path_buf();
    assert_eq!(stdout_of(&g), (0, "from the image\n".to_string()));
    // Nothing above the root: `..` of `/` is `/`, or refused.
    let mut g = guest(fixture("fs.wasm"), &["fs", "cat", "/../etc/motd"]);
    g.root = root.path().join("etc");
    let out = g.run(|_| {}).unwrap();
    assert_ne!(String::from_utf8_lossy(&out.stdout), "from the image\n");
}

/// `wasm-oci-image`-style entry points: another export than `_start`, called without arguments.
#[test]
fn a_named_entry_point_is_called() {
    let module = wat(r#"(module
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (func (export "_start") (call $exit (i32.const 1)))
        (func (export "seven") (call $exit (i32.const 7)))
        (func (export "returns") (result i32) (i32.const 5))
        (func (export "takes") (param i32)))"#);
    let mut g = guest(module, &["/app.wasm"]);
    for (func, status) in [("_start", 1), ("seven", 7), ("returns", 0)] {
        g.func = func.into();
        assert_eq!(g.run(|_| {}).unwrap().status, status, "{func}");
    }
    g.func = "takes".into();
    assert!(g.run(|_| {}).unwrap_err().to_string().contains("takes arguments"));
    g.func = "missing".into();
    assert!(g.run(|_| {}).unwrap_err().to_string().contains("exports no function \"missing\""));
}

#[test]
fn the_memory_limit_caps_linear_memory() {
    // Traps when `memory.grow` fails.
    let module = wat(r#"(module (memory (export "memory") 2)
        (func (export "_start") (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))))"#);
    let mut g = guest(module.clone(), &["m"]);
    g.memory_limit = Some(3 * 65536);
    assert_eq!(g.run(|_| {}).unwrap().status, 0);
    g.memory_limit = Some(2 * 65536 + 65535);
    assert!(g.run(|_| {}).unwrap_err().to_string().contains("unreachable"));
    g.memory_limit = Some(65536 + 100);
    let err = g.run(|_| {}).unwrap_err();
    assert!(err.to_string().contains("instantiation failed"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    assert_eq!(cgroup_memory_limit(dir.path()), None);
    std::fs::write(dir.path().join("memory.max"), "max\n").unwrap();
    assert_eq!(cgroup_memory_limit(dir.path()), None);
    std::fs::write(dir.path().join("memory.max"), "67108864\n").unwrap();
    assert_eq!(cgroup_memory_limit(dir.path()), Some(64 << 20));
    let v1 = tempfile::tempdir().unwrap();
    std::fs::create_dir(v1.path().join("memory")).unwrap();
    std::fs::write(v1.path().join("memory/memory.limit_in_bytes"), "9223372036854771712\n").unwrap();
    assert_eq!(cgroup_memory_limit(v1.path()), None);
    std::fs::write(v1.path().join("memory/memory.limit_in_bytes"), "1048576\n").unwrap();
    assert_eq!(cgroup_memory_limit(v1.path()), Some(1 << 20));
}

#[test]
fn native_code_from_our_compiler_runs_as_native_code() {
    let wasm = fixture("hello.wasm");
    let engine = wasmedge_host::Engine::new(wasmedge_host::Config::new());
    for shared_library in [false, true] {
        let compiled = wasmedge_host::compile_module(&engine, &wasm, shared_library).unwrap();
        let mut g = guest(compiled, &["/hello.wasm"]);
        g.envs = vec!["GREETING=native".into()];
        let out = g.run(|_| {}).unwrap();
        assert_eq!(out.status, 0);
        assert!(String::from_utf8_lossy(&out.stdout).contains("GREETING=native\n"));
        assert!(out.native, "compiled without interrupt checks, it still runs natively");
    }
    // Compiled with interrupt checks, it runs natively and interruptibly; plain wasm is interpreted.
    let mut config = wasmedge_host::Config::new();
    config.interruptible(true);
    let compiled = wasmedge_host::compile_module(&wasmedge_host::Engine::new(config), &wasm, false).unwrap();
    assert!(guest(compiled, &["/hello.wasm"]).run(|_| {}).unwrap().native);
    assert!(!guest(wasm, &["/hello.wasm"]).run(|_| {}).unwrap().native);
}

/// A runtime context as containerd-shim-wasm's: the OCI spec's arguments and environment, and the
/// image's wasm layers if it has any.
struct Context {
    args: Vec<String>,
    envs: Vec<String>,
    layers: Vec<WasmLayer>,
}

impl RuntimeContext for Context {
    fn args(&self) -> &[String] {
        &self.args
    }
    fn envs(&self) -> &[String] {
        &self.envs
    }
    fn entrypoint(&self) -> Entrypoint<'_> {
        let arg0 = self.args.first().map(String::as_str).unwrap_or("");
        let (path, func) = arg0.split_once('#').unwrap_or((arg0, "_start"));
        Entrypoint {
            func: func.to_string(),
            name: Path::new(path).file_stem().map(|s| s.to_string_lossy().into_owned()),
            arg0: self.args.first().map(Path::new),
            source: if self.layers.is_empty() { Source::File(PathBuf::from(path)) } else { Source::Oci(&self.layers) },
        }
    }
}

fn layer(wasm: &[u8]) -> WasmLayer {
    let descriptor = serde_json::from_value(serde_json::json!({
        "mediaType": WASM_LAYER,
        "digest": format!("sha256:{}", "0".repeat(64)),
        "size": wasm.len(),
    }))
    .unwrap();
    WasmLayer { config: descriptor, layer: wasm.to_vec() }
}

#[test]
fn the_guest_comes_from_the_entry_point_file_or_the_wasm_layer() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.wasm");
    std::fs::write(&file, fixture("hello.wasm")).unwrap();
    let ctx = Context {
        args: vec![format!("{}#main", file.display()), "x".into()],
        envs: vec!["A=1".into()],
        layers: Vec::new(),
    };
    let g = WasmEdgeSandbox::guest(&ctx).unwrap();
    assert_eq!(g.wasm, fixture("hello.wasm"));
    assert_eq!(g.args, [file.display().to_string(), "x".to_string()]);
    assert_eq!(g.envs, ["A=1"]);
    assert_eq!(g.func, "main");
    assert_eq!(g.root, Path::new("/"));

    let ctx = Context { args: vec!["/app.wasm".into()], envs: Vec::new(), layers: vec![layer(&fixture("misc.wasm"))] };
    let g = WasmEdgeSandbox::guest(&ctx).unwrap();
    assert_eq!(g.wasm, fixture("misc.wasm"));
    assert_eq!((g.args.as_slice(), g.func.as_str()), (["/app.wasm".to_string()].as_slice(), "_start"));

    let missing = Context { args: vec!["/no/such.wasm".into()], envs: Vec::new(), layers: Vec::new() };
    assert!(WasmEdgeSandbox::guest(&missing).is_err());
}

#[test]
fn the_sandbox_returns_the_guests_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("misc.wasm");
    std::fs::write(&file, fixture("misc.wasm")).unwrap();
    let ctx = |cmd: &[&str]| Context {
        args: std::iter::once(file.display().to_string()).chain(cmd.iter().map(|s| s.to_string())).collect(),
        envs: Vec::new(),
        layers: Vec::new(),
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    use containerd_shim_wasm::sandbox::Sandbox;
    let sandbox = WasmEdgeSandbox;
    assert_eq!(rt.block_on(sandbox.run_wasi(&ctx(&["exit", "3"]))).unwrap(), 3);
    assert_eq!(rt.block_on(sandbox.run_wasi(&ctx(&["random"]))).unwrap(), 0);
    assert!(rt.block_on(sandbox.run_wasi(&ctx(&["trap"]))).is_err());
    // Which entry points the sandbox takes: modules and `wasmedge compile` output, not other files.
    assert!(rt.block_on(sandbox.can_handle(&ctx(&[]))).is_ok());
    let so = dir.path().join("app.so");
    let engine = wasmedge_host::Engine::new(wasmedge_host::Config::new());
    std::fs::write(&so, wasmedge_host::compile_module(&engine, &fixture("misc.wasm"), true).unwrap()).unwrap();
    let other = dir.path().join("script.sh");
    std::fs::write(&other, "#!/bin/sh\necho hi\n").unwrap();
    let at = |p: &Path| Context { args: vec![p.display().to_string()], envs: Vec::new(), layers: Vec::new() };
    assert!(rt.block_on(sandbox.can_handle(&at(&so))).is_ok());
    let err = rt.block_on(sandbox.can_handle(&at(&other))).unwrap_err();
    assert!(err.to_string().contains("not a WebAssembly module"), "{err}");
}

fn untar(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = tar::Archive::new(bytes);
    archive
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let path = e.path().unwrap().display().to_string();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (path, data)
        })
        .collect()
}

fn blob<'a>(files: &'a [(String, Vec<u8>)], digest: &str) -> &'a [u8] {
    let name = format!("blobs/sha256/{}", digest.strip_prefix("sha256:").unwrap());
    let (_, data) = files.iter().find(|(p, _)| *p == name).unwrap_or_else(|| panic!("no {name}"));
    use sha2::Digest;
    assert_eq!(format!("sha256:{:x}", sha2::Sha256::digest(data)), digest, "{name}'s digest");
    data
}

#[test]
fn images_are_oci_layouts_for_platform_wasip1_wasm() {
    for wasm_layer in [false, true] {
        let spec = ImageSpec {
            name: "docker.io/library/hello:v1".into(),
            wasm: fixture("hello.wasm"),
            wasm_path: "/app.wasm".into(),
            files: vec![("/etc/motd".into(), b"hi\n".to_vec())],
            cmd: vec!["arg".into()],
            env: vec!["GREETING=image".into()],
            wasm_layer,
            platform: None,
        };
        let mut tarball = Vec::new();
        write_image(&spec, &mut tarball).unwrap();
        let files = untar(&tarball);
        let get = |name: &str| &files.iter().find(|(p, _)| p == name).unwrap().1;
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(get("oci-layout")).unwrap()["imageLayoutVersion"],
            "1.0.0"
        );
        let index: serde_json::Value = serde_json::from_slice(get("index.json")).unwrap();
        let desc = &index["manifests"][0];
        assert_eq!(desc["platform"]["os"], "wasip1");
        assert_eq!(desc["platform"]["architecture"], "wasm");
        assert_eq!(desc["annotations"]["io.containerd.image.name"], "docker.io/library/hello:v1");
        assert_eq!(desc["annotations"]["org.opencontainers.image.ref.name"], "v1");
        let manifest: serde_json::Value =
            serde_json::from_slice(blob(&files, desc["digest"].as_str().unwrap())).unwrap();
        let config: serde_json::Value =
            serde_json::from_slice(blob(&files, manifest["config"]["digest"].as_str().unwrap())).unwrap();
        assert_eq!(config["os"], "wasip1");
        assert_eq!(config["config"]["Entrypoint"][0], "/app.wasm");
        assert_eq!(config["config"]["Cmd"][0], "arg");
        assert_eq!(config["config"]["Env"][0], "GREETING=image");
        let layers = manifest["layers"].as_array().unwrap();
        let tar_layer = layers.last().unwrap();
        assert_eq!(config["rootfs"]["diff_ids"][0], tar_layer["digest"]);
        let in_fs = untar(blob(&files, tar_layer["digest"].as_str().unwrap()));
        let has = |p: &str| in_fs.iter().any(|(q, _)| q == p);
        assert!(has("etc/motd"));
        if wasm_layer {
            assert_eq!(layers.len(), 2);
            assert_eq!(layers[0]["mediaType"], WASM_LAYER);
            assert_eq!(blob(&files, layers[0]["digest"].as_str().unwrap()), fixture("hello.wasm"));
            assert!(!has("app.wasm"));
        } else {
            assert_eq!(layers.len(), 1);
            assert_eq!(in_fs.iter().find(|(p, _)| p == "app.wasm").unwrap().1, fixture("hello.wasm"));
        }
    }
    let bad = ImageSpec { wasm: b"not wasm".to_vec(), wasm_path: "/a.wasm".into(), ..ImageSpec::default() };
    assert!(write_image(&bad, Vec::new()).is_err());
    let bad = ImageSpec { wasm: fixture("hello.wasm"), wasm_path: "/../a.wasm".into(), ..ImageSpec::default() };
    assert!(write_image(&bad, Vec::new()).is_err());
}

#[test]
fn plugin_paths_follow_the_containers_environment() {
    let paths = Guest::container_plugin_paths(&["WASMEDGE_PLUGIN_PATH=/p1:/p2".into(), "HOME=/home/u".into()]);
    let s: Vec<Cow<str>> = paths.iter().map(|p| p.to_string_lossy()).collect();
    assert_eq!(s, ["/p1", "/p2", "/home/u/.wasmedge/plugin", "/usr/local/lib/wasmedge", "/usr/lib/wasmedge"]);
    let paths = Guest::container_plugin_paths(&[]);
    assert_eq!(paths[0], Path::new("/root/.wasmedge/plugin"));
}

#[test]
fn a_guest_that_ends_before_any_signal_gives_its_own_status() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (status, outcome) = rt
        .block_on(containerd_shim_wasmedge::run_until_signal(guest(fixture("misc.wasm"), &["misc", "exit", "9"])))
        .unwrap();
    assert_eq!(status, 9);
    assert_eq!(outcome.unwrap().status, 9);
}
