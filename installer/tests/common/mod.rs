//! What the installer's end-to-end tests share: release trees made by `installer/release.sh` from the
//! binaries of this build, an installation in a temporary HOME, and a local HTTP server.

#![allow(dead_code)]

pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub const OLD: &str = "0.15.0";
pub const NEW: &str = "0.16.0";

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `target/<profile>`, where cargo put the `wasmedge` binary of this build.
fn target_dir() -> PathBuf {
    std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().to_path_buf()
}

/// The binaries a release is made of, copied from this build (debug info stripped when `strip` exists,
/// so the archives stay small).
pub fn prebuilt() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let deps = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
        let wasmedge = target_dir().join("wasmedge");
        assert!(
            wasmedge.exists(),
            "{} is missing: `cargo test --workspace` builds it (or run `cargo build -p wasmedge-cli` first)",
            wasmedge.display()
        );
        let files = [
            wasmedge,
            PathBuf::from(env!("CARGO_BIN_EXE_wasmedge-installer")),
            PathBuf::from(env!("CARGO_BIN_EXE_wasmedge-release")),
            deps.join("libwasmedge_plugin_wasi_logging.so"),
            deps.join("libwasmedge_plugin_wasi_crypto.so"),
        ];
        // The C API library, when this test run built it (`cargo test --workspace` does).
        let c_api = deps.join("libwasmedge.so");
        let files: Vec<PathBuf> = files.into_iter().chain(c_api.exists().then_some(c_api)).collect();
        for f in &files {
            let dest = dir.path().join(f.file_name().unwrap());
            std::fs::copy(f, &dest).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            let _ = Command::new("strip").arg("--strip-debug").arg(&dest).status();
        }
        // The containerd shim is built outside the workspace (cli/containerd-shim/run-tests.sh, into
        // target/shim); without that build, the installer's own binary stands in for it, so that shipping
        // and installing an executable of bin/ is still tested.
        let shim = ["release", "debug"]
            .iter()
            .map(|p| repo().join("target/shim").join(p).join(SHIM))
            .find(|p| p.exists())
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_wasmedge-installer")));
        std::fs::copy(&shim, dir.path().join(SHIM)).unwrap_or_else(|e| panic!("{}: {e}", shim.display()));
        dir
    })
    .path()
}

/// The containerd shim's executable, shipped in bin/.
pub const SHIM: &str = "containerd-shim-wasmedge-v1";

/// Whether the release binaries include the C API library (see [`prebuilt`]).
#[allow(dead_code)] // not every test file asks
pub fn prebuilt_has_c_api() -> bool {
    prebuilt().join("libwasmedge.so").exists()
}

/// Run `installer/release.sh OUT` for `version` with this build's binaries.
pub fn release(out: &Path, version: &str) {
    release_signed(out, version, None);
}

/// [`release`], signed with the private key `key` when given.
pub fn release_signed(out: &Path, version: &str, key: Option<&Path>) {
    let mut c = Command::new("sh");
    c.arg(repo().join("installer/release.sh")).arg(out).env("VERSION", version).env("WASMEDGE_PREBUILT", prebuilt());
    match key {
        Some(k) => c.env("WASMEDGE_RELEASE_SIGNING_KEY", k),
        None => c.env_remove("WASMEDGE_RELEASE_SIGNING_KEY"),
    };
    let o = c.output().unwrap();
    assert!(o.status.success(), "release.sh: {}", String::from_utf8_lossy(&o.stderr));
}

/// A release location holding [`OLD`] and [`NEW`], made once; tests that tamper with it copy it first.
pub fn releases() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        release(dir.path(), OLD);
        release(dir.path(), NEW);
        dir
    })
    .path()
}

/// A copy of [`releases`] to tamper with.
pub fn releases_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let s = Command::new("cp").arg("-a").arg(format!("{}/.", releases().display())).arg(dir.path()).status().unwrap();
    assert!(s.success());
    dir
}

pub fn host_arch() -> &'static str {
    std::env::consts::ARCH
}

/// The dist this build's release carries (from index.toml).
pub fn dist(rel: &Path) -> String {
    let index = std::fs::read_to_string(rel.join("index.toml")).unwrap();
    let line = index.lines().find(|l| l.starts_with("dist = ")).unwrap();
    line.trim_start_matches("dist = ").trim_matches('"').to_string()
}

pub fn runtime_archive(rel: &Path, version: &str) -> String {
    format!("WasmEdge-{version}-{}_{}.tar.gz", dist(rel), host_arch())
}

pub fn plugin_archive(rel: &Path, plugin: &str, version: &str) -> String {
    format!("WasmEdge-plugin-{plugin}-{version}-{}_{}.tar.gz", dist(rel), host_arch())
}

/// Rewrite a release file and fix its size and sha256 in index.toml and SHA256SUMS, as a malicious or
/// broken release would be published consistently.
pub fn republish(rel: &Path, version: &str, file: &str, bytes: &[u8]) {
    let path = rel.join(version).join(file);
    let old = sha256(&std::fs::read(&path).unwrap());
    let old_size = std::fs::metadata(&path).unwrap().len();
    std::fs::write(&path, bytes).unwrap();
    let new = sha256(bytes);
    let sums = rel.join(version).join("SHA256SUMS");
    std::fs::write(&sums, std::fs::read_to_string(&sums).unwrap().replace(&old, &new)).unwrap();
    let index = rel.join("index.toml");
    let text = std::fs::read_to_string(&index).unwrap().replace(&old, &new).replace(
        &format!("size = {old_size}\nsha256 = \"{new}\""),
        &format!("size = {}\nsha256 = \"{new}\"", bytes.len()),
    );
    std::fs::write(&index, text).unwrap();
}

pub fn sha256(bytes: &[u8]) -> String {
    wasmedge_installer::fetch::sha256_hex(bytes)
}

pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A temporary HOME and an installation path in it.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home { dir: tempfile::tempdir().unwrap() }
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    /// The default installation: `$HOME/.wasmedge`.
    pub fn install_dir(&self) -> PathBuf {
        self.path().join(".wasmedge")
    }
    /// A command with this HOME and nothing of the caller's environment that the installer reads.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env("HOME", self.path())
            .env("SHELL", "/bin/sh")
            .env_remove("WASMEDGE_RELEASE_BASE_URL")
            .env_remove("WASMEDGE_RELEASE_PUBLIC_KEY")
            .env_remove("WASMEDGE_PLUGIN_PATH")
            .env_remove("LIBRARY_PATH");
        c
    }
    /// Run the installer with `args`.
    pub fn installer(&self, args: &[&str]) -> Output {
        self.command(env!("CARGO_BIN_EXE_wasmedge-installer")).args(args).output().unwrap()
    }
    /// Run the installed `wasmedge`.
    pub fn wasmedge(&self, args: &[&str]) -> Output {
        self.command(self.install_dir().join("bin/wasmedge")).args(args).output().unwrap()
    }
    /// Every file under the installation with its contents' hash (a snapshot to compare).
    pub fn snapshot(&self) -> Vec<(PathBuf, String)> {
        let mut out = Vec::new();
        walk(&self.install_dir(), &self.install_dir(), &mut out);
        out.sort();
        out
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.is_dir() {
            walk(root, &p, out);
        } else {
            out.push((p.strip_prefix(root).unwrap().to_path_buf(), sha256(&std::fs::read(&p).unwrap_or_default())));
        }
    }
}

/// The wasi_crypto guest of the plugin's tests.
pub fn crypto_guest() -> String {
    repo().join("tests/fixtures/wasi_crypto/crypto.wasm").display().to_string()
}
