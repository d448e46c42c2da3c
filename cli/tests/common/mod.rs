//! What the end-to-end tests share: WAT compiled to a file, the plugin libraries cargo built for this test
//! binary, a temporary HOME whose `.wasmedge/plugin` holds them, to run the `wasmedge` binary in, and the
//! re-run of a whole test file under the compiler.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Compile WAT to `dir/name`; the path as a string, for a command line.
pub fn wat_file(dir: &Path, name: &str, text: &str) -> String {
    let buf = wast::parser::ParseBuffer::new(text).unwrap();
    let bytes = wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The shared library of a plugin crate that is a dev-dependency of this package (`wasi_crypto`,
/// `wasi_nn`): cargo builds every crate type of a dependency, so the `cdylib` sits beside this test
/// binary, up to date, without a second cargo run. `name` is the library's name (`wasmedge_plugin_wasi_nn`).
pub fn dependency_plugin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().unwrap().join(format!("lib{name}.so"));
    assert!(path.exists(), "{} missing: is the plugin crate a dev-dependency of wasmedge-cli?", path.display());
    path
}

/// A temporary HOME whose `.wasmedge/plugin` holds copies of the given plugin libraries.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn with_plugins(libs: &[&Path]) -> Home {
        let dir = tempfile::tempdir().unwrap();
        let plugins = dir.path().join(".wasmedge/plugin");
        std::fs::create_dir_all(&plugins).unwrap();
        for lib in libs {
            std::fs::copy(lib, plugins.join(lib.file_name().unwrap())).unwrap();
        }
        Home { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Run `wasmedge args…` with this HOME (and no `WASMEDGE_PLUGIN_PATH`).
    pub fn wasmedge(&self, args: &[&str]) -> Output {
        // `rerun_under_the_compiler` runs a test file again with a flag for every command.
        let mut args = args.to_vec();
        let extra = std::env::var("WASMEDGE_TEST_FLAG").ok();
        if let Some(flag) = extra.as_deref()
            && !args.contains(&flag)
        {
            args.insert(0, flag);
        }
        Command::new(env!("CARGO_BIN_EXE_wasmedge"))
            .args(&args)
            .env("HOME", self.dir.path())
            .env_remove("WASMEDGE_PLUGIN_PATH")
            .output()
            .unwrap()
    }
}

/// Run the calling test binary again with `--enable-jit` on every `Home::wasmedge` command, skipping
/// `this_test`; every test must pass under the compiler too.
#[allow(dead_code)]
pub fn rerun_under_the_compiler(this_test: &str) {
    if std::env::var_os("WASMEDGE_TEST_FLAG").is_some() {
        return;
    }
    let o = Command::new(std::env::current_exe().unwrap())
        .env("WASMEDGE_TEST_FLAG", "--enable-jit")
        .args(["--skip", this_test])
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success() && stdout.contains("test result: ok"), "{stdout}\n{stderr}");
}
