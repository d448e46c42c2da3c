//! The installer end to end: release trees made by `installer/release.sh` from this build, served by a
//! local HTTP server (or `file://`), installed into a temporary HOME, and every failure case leaving the
//! previous installation as it was.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::server::{Fault, Server};
use common::*;

fn ok(o: &std::process::Output) {
    assert!(o.status.success(), "{}", text(o));
}

fn failed_with(o: &std::process::Output, what: &str) {
    assert!(!o.status.success(), "should fail: {}", text(o));
    assert!(text(o).contains(what), "expected `{what}` in:\n{}", text(o));
    assert!(!text(o).contains("panicked"), "{}", text(o));
}

/// The installation works: `wasmedge --version` lists the plugins and the wasi_crypto guest runs.
fn works_with_crypto(home: &Home) {
    let o = home.wasmedge(&["--version"]);
    ok(&o);
    assert!(text(&o).contains("(plugin \"wasi_crypto\")"), "{}", text(&o));
    assert!(text(&o).contains("(plugin \"wasi_logging\")"), "{}", text(&o));
    let o = home.wasmedge(&[&crypto_guest(), "selftest"]);
    ok(&o);
    assert!(text(&o).contains(" passed, 0 failed"), "{}", text(&o));
}

fn no_staging_left(home: &Home) {
    for e in std::fs::read_dir(home.install_dir()).unwrap().flatten() {
        assert!(!e.file_name().to_string_lossy().contains("staging"), "{:?}", e.path());
    }
    for e in std::fs::read_dir(home.path()).unwrap().flatten() {
        assert!(!e.file_name().to_string_lossy().contains("staging"), "{:?}", e.path());
    }
}

/// A HOME with OLD and wasi_crypto installed from `base`, and the snapshot of the installation.
fn installed_old(base: &str) -> (Home, Vec<(std::path::PathBuf, String)>) {
    let home = Home::new();
    ok(&home.installer(&["-v", OLD, "--plugins", "wasi_crypto", "--base-url", base]));
    let snap = home.snapshot();
    (home, snap)
}

#[test]
fn install_reinstall_upgrade_downgrade_and_uninstall_leave_profiles_byte_identical() {
    let server = Server::start(releases());
    let home = Home::new();
    let profile = b"# mine\nexport A=1".to_vec(); // no final newline
    let bashrc = b"alias ll='ls -l'\n".to_vec();
    std::fs::write(home.path().join(".profile"), &profile).unwrap();
    std::fs::write(home.path().join(".bashrc"), &bashrc).unwrap();

    // Fresh install of the newest version, which the index names.
    let o = home.installer(&["--plugins", "wasi_crypto", "--base-url", &server.url]);
    ok(&o);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("wasmedge version"), "the installer shows `wasmedge --version`: {stdout}");
    assert!(stdout.contains("(plugin \"wasi_crypto\")"), "{stdout}");
    let root = home.install_dir();
    let manifest = std::fs::read_to_string(root.join(".wasmedge-manifest.toml")).unwrap();
    assert!(manifest.contains(&format!("version = \"{NEW}\"")), "{manifest}");
    for f in [
        "bin/wasmedge",
        "bin/wasmedge-installer",
        "lib/wasmedge/libwasmedge_plugin_wasi_logging.so",
        "plugin/libwasmedge_plugin_wasi_crypto.so",
        "env",
        &format!("bin/{SHIM}"),
    ] {
        assert!(root.join(f).exists(), "{f}");
    }
    // The C API, when the release has it: the library under its SONAME and the header.
    if prebuilt_has_c_api() {
        let so = root.join("lib/libwasmedge.so.0");
        assert!(std::fs::symlink_metadata(&so).unwrap().file_type().is_symlink());
        assert!(std::fs::metadata(&so).unwrap().len() > 100_000, "resolves to the library");
        assert!(root.join("lib/libwasmedge.so").exists() && root.join("include/wasmedge/wasmedge.h").exists());
    }
    works_with_crypto(&home);
    let line = format!(". '{}/env'", root.display());
    for p in [".profile", ".bashrc"] {
        let t = std::fs::read_to_string(home.path().join(p)).unwrap();
        assert_eq!(t.matches(&line).count(), 1, "{p}: {t}");
    }
    // The env file makes `wasmedge` the one on PATH and the plugins found through LIBRARY_PATH too.
    let o = home
        .command("sh")
        .arg("-c")
        .arg(format!(". '{}/env' && command -v wasmedge && echo \"$LIBRARY_PATH\"", root.display()))
        .output()
        .unwrap();
    assert!(text(&o).contains(&format!("{}/bin/wasmedge\n{}/lib", root.display(), root.display())), "{}", text(&o));
    no_staging_left(&home);

    // The user's own files under the installation.
    std::fs::write(root.join("bin/my-tool"), "mine").unwrap();
    std::fs::write(root.join("plugin/notes.txt"), "mine").unwrap();

    // Reinstall: same files, the profile line still once.
    let before = home.snapshot();
    ok(&home.installer(&["-v", NEW, "--plugins", "wasi_crypto", "--base-url", &server.url]));
    assert_eq!(home.snapshot(), before);
    assert_eq!(std::fs::read_to_string(home.path().join(".profile")).unwrap().matches(&line).count(), 1);

    // Downgrade without plugins: the plugin of the old installation goes (--remove-old yes), user files stay.
    ok(&home.installer(&["-v", OLD, "--base-url", &server.url]));
    assert!(!root.join("plugin/libwasmedge_plugin_wasi_crypto.so").exists());
    assert!(root.join("plugin/notes.txt").exists() && root.join("bin/my-tool").exists());
    let manifest = std::fs::read_to_string(root.join(".wasmedge-manifest.toml")).unwrap();
    assert!(manifest.contains(&format!("version = \"{OLD}\"")), "{manifest}");
    // Upgrade again with the plugin, from file:// this time.
    ok(&home.installer(&[
        "-v",
        NEW,
        "--plugins",
        "wasi_crypto",
        "--base-url",
        &format!("file://{}", releases().display()),
    ]));
    works_with_crypto(&home);

    // Uninstall: nothing of ours left, the user's files kept, the profiles byte-identical.
    let o = home.installer(&["--uninstall", "-q"]);
    ok(&o);
    assert_eq!(std::fs::read(home.path().join(".profile")).unwrap(), profile);
    assert_eq!(std::fs::read(home.path().join(".bashrc")).unwrap(), bashrc);
    let mut left: Vec<_> = home.snapshot().into_iter().map(|(p, _)| p).collect();
    left.sort();
    assert_eq!(left, [Path::new("bin/my-tool"), Path::new("plugin/notes.txt")]);
    std::fs::remove_file(root.join("bin/my-tool")).unwrap();
    std::fs::remove_file(root.join("plugin/notes.txt")).unwrap();
    // A second uninstall finds nothing to do and says so.
    failed_with(&home.installer(&["--uninstall", "-q"]), "holds no installation made by this installer");
}

#[test]
fn an_uninstall_into_an_empty_home_removes_everything_and_the_created_profile() {
    let home = Home::new();
    ok(&home.installer(&["--plugins", "wasi_crypto", "--base-url", &format!("file://{}", releases().display())]));
    assert!(home.path().join(".profile").exists());
    ok(&home.installer(&["--uninstall", "-q", "-p", home.install_dir().to_str().unwrap()]));
    let left: Vec<_> = std::fs::read_dir(home.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_plugin_of_another_version_installs_when_its_abi_is_compatible() {
    let home = Home::new();
    let base = format!("file://{}", releases().display());
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().to_str().unwrap();
    ok(&home.installer(&["-v", NEW, "--plugins", &format!("wasi_crypto:{OLD}"), "--base-url", &base, "-t", t]));
    assert!(std::fs::read_dir(tmp.path()).unwrap().next().is_none(), "--tmpdir is left empty");
    let manifest = std::fs::read_to_string(home.install_dir().join(".wasmedge-manifest.toml")).unwrap();
    assert!(manifest.contains(&format!("name = \"wasi_crypto\"\nversion = \"{OLD}\"")), "{manifest}");
    works_with_crypto(&home);
}

/// The wasi_crypto library with its ABI record saying major version 2.
fn abi2_plugin(rel: &Path, version: &str) -> Vec<u8> {
    let archive = rel.join(version).join(plugin_archive(rel, "wasi_crypto", version));
    let tmp = tempfile::tempdir().unwrap();
    assert!(Command::new("tar").arg("-xzf").arg(&archive).arg("-C").arg(tmp.path()).status().unwrap().success());
    let lib = tmp.path().join("libwasmedge_plugin_wasi_crypto.so");
    let mut bytes = std::fs::read(&lib).unwrap();
    let at = bytes.windows(16).position(|w| w == b"WASMEDGE-PLUGIN\0").unwrap();
    bytes[at + 20..at + 24].copy_from_slice(&2u32.to_le_bytes());
    std::fs::write(&lib, &bytes).unwrap();
    let out = tmp.path().join("p.tar.gz");
    let s = Command::new("tar")
        .arg("-czf")
        .arg(&out)
        .arg("-C")
        .arg(tmp.path())
        .arg("libwasmedge_plugin_wasi_crypto.so")
        .status()
        .unwrap();
    assert!(s.success());
    std::fs::read(out).unwrap()
}

#[test]
fn a_plugin_of_an_incompatible_abi_is_refused_with_the_reason() {
    let rel = releases_copy();
    let (home, snap) = installed_old(&format!("file://{}", rel.path().display()));
    // A release whose plugin library says ABI 2 while the index still says 1.2: read from the plugin.
    let bytes = abi2_plugin(rel.path(), OLD);
    republish(rel.path(), OLD, &plugin_archive(rel.path(), "wasi_crypto", OLD), &bytes);
    let base = format!("file://{}", rel.path().display());
    let o = home.installer(&["-v", NEW, "--plugins", &format!("wasi_crypto:{OLD}"), "--base-url", &base]);
    failed_with(
        &o,
        "is built for plugin ABI 2.2 (read from libwasmedge_plugin_wasi_crypto.so), but wasmedge 0.16.0 loads plugin ABI 1.x",
    );
    assert_eq!(home.snapshot(), snap);
    // And when the index says so too, it is refused before the download.
    let index = rel.path().join("index.toml");
    let t = std::fs::read_to_string(&index).unwrap();
    let from = format!(
        "file = \"{}\"\nkind = \"plugin\"\nplugin = \"wasi_crypto\"\nplugin_abi = \"1.2\"",
        plugin_archive(rel.path(), "wasi_crypto", OLD)
    );
    assert!(t.contains(&from), "{t}");
    std::fs::write(&index, t.replace(&from, &from.replace("1.2", "2.2"))).unwrap();
    let o = home.installer(&["-v", NEW, "--plugins", &format!("wasi_crypto:{OLD}"), "--base-url", &base]);
    failed_with(&o, "is built for plugin ABI 2.2, but wasmedge 0.16.0 loads plugin ABI 1.x");
    assert_eq!(home.snapshot(), snap);
    works_with_crypto(&home);
}

#[test]
fn a_tampered_archive_is_refused_and_the_old_installation_stays() {
    let rel = releases_copy();
    let base = format!("file://{}", rel.path().display());
    let (home, snap) = installed_old(&base);
    let archive = rel.path().join(NEW).join(runtime_archive(rel.path(), NEW));
    let mut bytes = std::fs::read(&archive).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&archive, &bytes).unwrap();
    failed_with(&home.installer(&["-v", NEW, "--base-url", &base]), "does not match its checksum");
    assert_eq!(home.snapshot(), snap);
    no_staging_left(&home);
    works_with_crypto(&home);
}

#[test]
fn a_tampered_sha256sums_entry_is_refused() {
    let rel = releases_copy();
    let base = format!("file://{}", rel.path().display());
    let (home, snap) = installed_old(&base);
    let sums = rel.path().join(NEW).join("SHA256SUMS");
    let name = runtime_archive(rel.path(), NEW);
    let text: String = std::fs::read_to_string(&sums)
        .unwrap()
        .lines()
        .map(|l| if l.ends_with(&name) { format!("{}  {name}\n", "0".repeat(64)) } else { format!("{l}\n") })
        .collect();
    std::fs::write(&sums, text).unwrap();
    failed_with(&home.installer(&["-v", NEW, "--base-url", &base]), "SHA256SUMS gives 0000");
    assert_eq!(home.snapshot(), snap);
}

#[test]
fn a_truncated_download_is_refused() {
    let (home, snap) = installed_old(&format!("file://{}", releases().display()));
    let server = Server::start(releases());
    server.fault(&runtime_archive(releases(), NEW), Fault::Truncate(100_000));
    let o = home.installer(&["-v", NEW, "--base-url", &server.url]);
    failed_with(&o, "after 100000 of");
    assert_eq!(home.snapshot(), snap);
    no_staging_left(&home);
}

#[test]
fn a_stalled_server_times_out_with_a_clear_error() {
    let (home, snap) = installed_old(&format!("file://{}", releases().display()));
    let server = Server::start(releases());
    server.fault(&runtime_archive(releases(), NEW), Fault::Stall);
    let start = Instant::now();
    let o = home.installer(&["-v", NEW, "--timeout", "2", "--base-url", &server.url]);
    failed_with(&o, "timed out");
    assert!(start.elapsed() < Duration::from_secs(30), "{:?}", start.elapsed());
    assert_eq!(home.snapshot(), snap);
    no_staging_left(&home);
}

/// Start an installer of NEW whose runtime download stalls (server kept alive by the caller), and return
/// once its download has started (its staging directory exists).
fn stalled_installer(home: &Home, server: &Server) -> std::process::Child {
    server.fault(&runtime_archive(releases(), NEW), Fault::Stall);
    let child = home
        .command(env!("CARGO_BIN_EXE_wasmedge-installer"))
        .args(["-v", NEW, "--timeout", "20", "--base-url", &server.url])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !std::fs::read_dir(home.install_dir())
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().contains("staging"))
    {
        assert!(start.elapsed() < Duration::from_secs(20));
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

#[test]
fn ctrl_c_during_a_download_leaves_the_old_installation() {
    let (home, snap) = installed_old(&format!("file://{}", releases().display()));
    let server = Server::start(releases());
    let child = stalled_installer(&home, &server);
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    assert!(Command::new("kill").arg("-INT").arg(child.id().to_string()).status().unwrap().success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", text(&o));
    assert!(start.elapsed() < Duration::from_secs(15));
    assert_eq!(home.snapshot(), snap);
    no_staging_left(&home);
}

#[test]
fn unknown_versions_plugins_architectures_and_options_list_what_exists() {
    let base = format!("file://{}", releases().display());
    let home = Home::new();
    failed_with(
        &home.installer(&["-v", "9.9.9", "--base-url", &base]),
        &format!("version 9.9.9 does not exist; available: {OLD}, {NEW}"),
    );
    failed_with(
        &home.installer(&["--machine", "aarch64", "--base-url", &base]),
        &format!("has no release for linux aarch64; it has: linux {}", host_arch()),
    );
    failed_with(
        &home.installer(&["--machine", "sparc", "--base-url", &base]),
        "unknown architecture `sparc`; releases exist for: x86_64, aarch64",
    );
    failed_with(&home.installer(&["--os", "windows", "--base-url", &base]), "releases exist for: linux");
    failed_with(&home.installer(&["--dist", "ubuntu20.04", "--base-url", &base]), "has no `ubuntu20.04` build");
    failed_with(
        &home.installer(&["--plugins", "nope", "--base-url", &base]),
        "there is no plugin nope in release 0.16.0",
    );
    let o = home.installer(&["--plugins", "wasmedge_image", "--base-url", &base]);
    failed_with(&o, "wasmedge_image is a WasmEdge plugin this project does not provide");
    assert!(text(&o).contains("plugins of 0.16.0: wasi_crypto"), "{}", text(&o));
    failed_with(
        &home.installer(&["--plugins", "wasi_crypto:0.1.2", "--base-url", &base]),
        "plugin wasi_crypto: version 0.1.2 does not exist",
    );
    let o = home.installer(&["--frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    failed_with(&o, "unexpected argument '--frobnicate'");
    failed_with(&home.installer(&["-r", "maybe"]), "possible values: yes, no");
    failed_with(&home.installer(&["--base-url", "ftp://x"]), "must start with http://, https:// or file://");
    // A 404 from a server: the whole release location is missing.
    let server = Server::start(&home.path().join("empty"));
    failed_with(&home.installer(&["--base-url", &server.url]), "no release index");
    assert!(!home.install_dir().exists(), "nothing was created");
    assert!(std::fs::read_dir(home.path()).unwrap().next().is_none());
}

/// A release whose plugin archive holds `entries` (tar.gz written by hand), republished consistently.
fn hostile_plugin(rel: &Path, make: impl FnOnce(&Path) -> Vec<&'static str>) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let names = make(tmp.path());
    let out = tmp.path().join("out.tar.gz");
    let mut c = Command::new("tar");
    c.arg("-czPf").arg(&out).arg("-C").arg(tmp.path().join("in"));
    c.args(names);
    assert!(c.status().unwrap().success());
    let name = plugin_archive(rel, "wasi_crypto", NEW);
    republish(rel, NEW, &name, &std::fs::read(out).unwrap());
    name
}

#[test]
fn path_traversal_and_symlink_escapes_are_refused() {
    let rel = releases_copy();
    let base = format!("file://{}", rel.path().display());
    let (home, snap) = installed_old(&base);
    // `../../escaped`: GNU tar stores `..` as given with -P.
    hostile_plugin(rel.path(), |d| {
        std::fs::create_dir_all(d.join("in/sub")).unwrap();
        std::fs::write(d.join("in/escaped"), "x").unwrap();
        vec!["sub/../../in/escaped"]
    });
    let o = home.installer(&["-v", NEW, "--plugins", "wasi_crypto", "--base-url", &base]);
    failed_with(&o, "escapes the installation directory");
    assert_eq!(home.snapshot(), snap);
    // A link pointing out of the installation, then a file written through it.
    hostile_plugin(rel.path(), |d| {
        std::fs::create_dir_all(d.join("in")).unwrap();
        std::os::unix::fs::symlink("/tmp", d.join("in/link")).unwrap();
        vec!["link"]
    });
    let o = home.installer(&["-v", NEW, "--plugins", "wasi_crypto", "--base-url", &base]);
    failed_with(&o, "points outside the installation directory");
    assert_eq!(home.snapshot(), snap);
    no_staging_left(&home);
}

#[test]
fn a_read_only_target_fails_cleanly() {
    let rel = releases_copy();
    let base = format!("file://{}", rel.path().display());
    let (home, snap) = installed_old(&base);
    let root = home.install_dir();
    let installer = env!("CARGO_BIN_EXE_wasmedge-installer");
    let args = format!("-v {NEW} --plugins wasi_crypto --base-url {base}");
    let can_unshare = Command::new("unshare").args(["-m", "true"]).status().is_ok_and(|s| s.success());
    let o = if is_root() && can_unshare {
        // Root ignores permissions: make the directory a read-only mount in a private mount namespace.
        let script = format!(
            "mount --bind '{r}' '{r}' && mount -o remount,bind,ro '{r}' && exec '{installer}' {args}",
            r = root.display()
        );
        home.command("unshare").arg("-m").arg("sh").arg("-c").arg(script).output().unwrap()
    } else if is_root() {
        // Without mount namespaces: run the installer as `nobody`, for whom root's directory is read-only.
        use std::os::unix::fs::PermissionsExt;
        for dir in [home.path(), rel.path()] {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let mut c = home.command("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", installer]).args(args.split(' '));
        c.output().unwrap()
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o555)).unwrap();
        let o = home.command(installer).args(args.split(' ')).output().unwrap();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
        o
    };
    assert!(!o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("Read-only file system") || t.contains("Permission denied"), "{t}");
    assert!(t.contains(&format!("creating {}/.wasmedge-staging-", root.display())), "{t}");
    assert_eq!(home.snapshot(), snap);
    works_with_crypto(&home);
}

fn is_root() -> bool {
    let o = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&o.stdout).trim() == "0"
}

#[test]
fn a_full_disk_fails_cleanly() {
    let base = format!("file://{}", releases().display());
    let (home, snap) = installed_old(&base);
    // Files may not grow past 1 MB (`ulimit -f`; SIGXFSZ ignored so writes fail with EFBIG).
    let script = format!(
        "trap '' XFSZ; ulimit -f 2048; exec '{}' -v {NEW} --plugins wasi_crypto --base-url {base}",
        env!("CARGO_BIN_EXE_wasmedge-installer")
    );
    let o = home.command("sh").arg("-c").arg(script).output().unwrap();
    failed_with(&o, "File too large");
    assert_eq!(home.snapshot(), snap);
    no_staging_left(&home);
}

const ECHO_GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 64))
    (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 4) (i32.load (i32.const 8)))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"#;

#[test]
fn installing_while_the_old_wasmedge_runs() {
    let base = format!("file://{}", releases().display());
    let (home, _) = installed_old(&base);
    let buf = wast::parser::ParseBuffer::new(ECHO_GUEST).unwrap();
    let wasm = home.path().join("echo.wasm");
    std::fs::write(&wasm, wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap()).unwrap();
    let bin = home.install_dir().join("bin/wasmedge");
    let mut running = home.command(&bin).arg(&wasm).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    use std::os::unix::fs::MetadataExt;
    let inode = std::fs::metadata(&bin).unwrap().ino();
    ok(&home.installer(&["-v", NEW, "--plugins", "wasi_crypto", "--base-url", &base]));
    assert_ne!(std::fs::metadata(&bin).unwrap().ino(), inode, "the binary was replaced, not rewritten");
    // The old process is unharmed: it still answers.
    use std::io::Write;
    running.stdin.take().unwrap().write_all(b"still here\n").unwrap();
    let o = running.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stdout), "still here\n");
    works_with_crypto(&home);
}

#[test]
fn an_interrupted_commit_is_rolled_back_by_the_next_run() {
    let base = format!("file://{}", releases().display());
    let (home, _) = installed_old(&base);
    let root = home.install_dir();
    // What a run killed in the middle of its switch leaves: one file moved to backup, the journal.
    let staging = root.join(".wasmedge-staging-999999999");
    std::fs::create_dir_all(staging.join("backup/bin")).unwrap();
    std::fs::create_dir_all(staging.join("new/bin")).unwrap();
    std::fs::rename(root.join("bin/wasmedge"), staging.join("backup/bin/wasmedge")).unwrap();
    std::fs::write(staging.join("new/bin/wasmedge"), "new").unwrap();
    std::fs::write(staging.join("journal"), "put bin/wasmedge\n").unwrap();
    let o = home.installer(&["-v", OLD, "--plugins", "wasi_crypto", "--base-url", &base, "-V"]);
    ok(&o);
    assert!(text(&o).contains("rolled back 1 interrupted installation"), "{}", text(&o));
    no_staging_left(&home);
    works_with_crypto(&home);
}

#[test]
fn a_second_installer_waits_for_the_first() {
    let (home, _) = installed_old(&format!("file://{}", releases().display()));
    let server = Server::start(releases());
    let first = stalled_installer(&home, &server);
    let mut second = home
        .command(env!("CARGO_BIN_EXE_wasmedge-installer"))
        .args(["-v", OLD, "--plugins", "wasi_crypto", "--base-url", &format!("file://{}", releases().display())])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    assert!(second.try_wait().unwrap().is_none(), "the second installer waits while the first holds the lock");
    assert!(Command::new("kill").arg("-INT").arg(first.id().to_string()).status().unwrap().success());
    assert_eq!(first.wait_with_output().unwrap().status.code(), Some(130));
    let o = second.wait_with_output().unwrap();
    ok(&o);
    assert!(text(&o).contains("waiting for another wasmedge-installer"), "{}", text(&o));
    no_staging_left(&home);
    works_with_crypto(&home);
}
