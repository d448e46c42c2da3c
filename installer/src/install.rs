//! Installing a version: resolve it in the index, download and verify every archive, stage the new tree,
//! check it, and switch it into place ([`crate::commit`]); then the `env` file and the profile lines.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::commit::{self, Op, STAGING_PREFIX};
use crate::error::{Error, ErrorKind, Result};
use crate::fetch::{Fetcher, sha256_file};
use crate::index::{Artifact, INDEX_FILE, Index, Kind, Release, SUMS_FILE, Sums, valid_version};
use crate::manifest::{InstalledFile, InstalledPlugin, MANIFEST_FILE, MANIFEST_FORMAT, Manifest, ProfileLine};
use crate::platform::{self, dist_runs_on};
use crate::sign::{PublicKey, SIG_FILE};
use crate::{Ctx, profile};

/// What to install.
#[derive(Clone, Debug)]
pub struct Options {
    pub version: Option<String>,
    pub path: PathBuf,
    pub plugins: Vec<String>,
    pub arch: Option<String>,
    pub os: Option<String>,
    pub dist: Option<String>,
    pub remove_old: bool,
    pub tmpdir: Option<PathBuf>,
    pub base_url: String,
    /// An Ed25519 public key (PEM): each version's `SHA256SUMS` must carry a valid signature by it.
    pub public_key: Option<PathBuf>,
}

/// WasmEdge's plugin names this project does not ship, so asking for one gets a precise answer.
const WASMEDGE_ONLY_PLUGINS: &[&str] = &[
    "wasi_nn-pytorch",
    "wasi_nn-openvino",
    "wasi_nn-tensorflowlite",
    "wasi_nn-burnrs",
    "wasi_nn-whisper",
    "wasi_nn-piper",
    "wasi_nn-chattts",
    "wasi_nn-ggml-cuda",
    "wasi_nn-ggml-noavx",
    "wasmedge_process",
    "wasmedge_tensorflow",
    "wasmedge_tensorflowlite",
    "wasmedge_image",
    "wasmedge_rustls",
    "wasm_bpf",
    "wasmedge_opencvmini",
    "wasmedge_zlib",
    "wasmedge_ffmpeg",
    "wasmedge_stablediffusion",
    "wasmedge_llmc",
    "wasmedge_ocr",
];

/// The release name of a plugin asked for by a WasmEdge or a short name.
fn plugin_alias(name: &str) -> &str {
    match name {
        "wasi_nn" | "wasi-nn" | "wasi_nn-ggml" | "wasi_nn-onnx" => "wasi_nn-ggml",
        "wasi-crypto" => "wasi_crypto",
        other => other,
    }
}

/// One archive chosen for installation.
#[derive(Clone, Debug)]
struct Chosen {
    version: String,
    artifact: Artifact,
}

/// Where optional plugins go in an installation: `lib/wasmedge` under `/usr`, else `plugin`.
pub fn plugin_dir(root: &Path) -> &'static str {
    if root.starts_with("/usr") { "lib/wasmedge" } else { "plugin" }
}

fn abi_major(abi: &str) -> Option<u32> {
    abi.split('.').next()?.parse().ok()
}

pub fn run(ctx: &Ctx, opts: &Options) -> Result<()> {
    let root = absolute(&opts.path)?;
    let fetcher = Fetcher::new(&opts.base_url, ctx.timeout, ctx.interrupted.clone())?;
    let index = Index::parse(&fetcher.text(INDEX_FILE, 16 << 20).map_err(|e| {
        if e.kind() == ErrorKind::Download { Error::download(format!("no release index: {e}")) } else { e }
    })?)?;
    let version = match &opts.version {
        Some(v) => v.trim_start_matches('v').to_string(),
        None => index.latest.clone().ok_or_else(|| Error::verify("the release index lists no versions"))?,
    };
    let release = lookup(&index, &version)?;
    let os = platform::normalize_os(opts.os.as_deref().unwrap_or(std::env::consts::OS))?;
    let arch = match &opts.arch {
        Some(a) => platform::normalize_arch(a)?,
        None => platform::host_arch()?,
    };
    let native = arch == platform::host_arch()? && os == "linux";
    let glibc = platform::host_glibc();
    let runtime = choose_runtime(release, &version, os, arch, opts.dist.as_deref(), native.then_some(glibc))?;
    let runtime_abi = abi_major(&release.plugin_abi)
        .ok_or_else(|| Error::verify(format!("index.toml: bad plugin_abi `{}` for {version}", release.plugin_abi)))?;
    let plugins = choose_plugins(&index, &version, &opts.plugins, &runtime.artifact, runtime_abi)?;
    ctx.say(format!(
        "installing wasmedge {version} ({os} {arch}, {}) into {}{}",
        runtime.artifact.dist,
        root.display(),
        if plugins.is_empty() {
            String::new()
        } else {
            format!(
                " with {}",
                plugins
                    .iter()
                    .map(|p| format!("{}:{}", p.artifact.plugin.as_deref().unwrap_or("?"), p.version))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));

    // Every archive's entry in SHA256SUMS (signed, when a key is given) must agree with the index before
    // anything is downloaded.
    let key = opts.public_key.as_deref().map(PublicKey::from_file).transpose()?;
    if key.is_none() {
        ctx.say("no --public-key given: the checksums are checked, the release's signature is not");
    }
    let mut sums: std::collections::BTreeMap<String, Sums> = Default::default();
    for c in std::iter::once(&runtime).chain(&plugins) {
        if !sums.contains_key(&c.version) {
            let text = fetcher.text(&format!("{}/{SUMS_FILE}", c.version), 1 << 20)?;
            if let Some(key) = &key {
                let sig = fetcher.bytes(&format!("{}/{SIG_FILE}", c.version), 1024).map_err(|e| {
                    Error::verify(format!("release {} is not signed ({e}); nothing was installed", c.version))
                })?;
                if !key.verify(text.as_bytes(), &sig) {
                    return Err(Error::verify(format!(
                        "the signature of {}/{SUMS_FILE} does not verify with the given public key; nothing was installed",
                        c.version
                    )));
                }
                ctx.detail(format!("{}/{SUMS_FILE}: signature verified", c.version));
            }
            sums.insert(c.version.clone(), Sums::parse(&text)?);
        }
        let listed = sums[&c.version].get(&c.artifact.file);
        if listed != Some(c.artifact.sha256.as_str()) {
            return Err(Error::verify(format!(
                "{}/{SUMS_FILE} {} for {}, but index.toml gives {}; refusing to install from an inconsistent release",
                c.version,
                listed.map_or("has no entry".to_string(), |s| format!("gives {s}")),
                c.artifact.file,
                c.artifact.sha256
            )));
        }
    }

    // Create the parent, then hold the lock on it: another installer for a path there waits.
    let mut created_parents = Vec::new();
    let parent = root.parent().ok_or_else(|| Error::usage("the installation path has no parent"))?.to_path_buf();
    commit::create_dirs(&parent, &mut created_parents)?;
    let _lock = match lock(ctx, &parent) {
        Ok(l) => l,
        Err(e) => {
            commit::remove_created(&created_parents);
            return Err(e);
        }
    };
    let existed = root.exists();
    if existed {
        if !root.is_dir() {
            return Err(Error::usage(format!("{} exists and is not a directory", root.display())));
        }
        let n = commit::recover(&root)?;
        if n > 0 {
            ctx.say(format!("rolled back {n} interrupted installation(s) in {}", root.display()));
        }
    }
    let staging = match make_staging(&root, existed) {
        Ok(s) => s,
        Err(e) => {
            commit::remove_created(&created_parents);
            return Err(e);
        }
    };
    let result = stage_and_commit(
        ctx,
        opts,
        &root,
        existed,
        &staging,
        &fetcher,
        &version,
        &runtime,
        &plugins,
        runtime_abi,
        native,
    );
    let _ = std::fs::remove_dir_all(&staging);
    if result.is_err() {
        commit::remove_created(&created_parents);
    }
    let profile_lines = result?;

    // Profiles: after the commit, so a failure here leaves a working installation (and a warning).
    for line in &profile_lines {
        if let Err(e) = profile::apply_add(line) {
            ctx.warn(format!("could not add `{}` to {}: {e}", line.line, line.file.display()));
        }
    }
    if native {
        let out = Command::new(root.join("bin/wasmedge")).arg("--version").output();
        match out {
            Ok(o) if o.status.success() => print!("{}", String::from_utf8_lossy(&o.stdout)),
            Ok(o) => ctx.warn(format!("wasmedge --version failed: {}", String::from_utf8_lossy(&o.stderr).trim())),
            Err(e) => ctx.warn(format!("could not run {}: {e}", root.join("bin/wasmedge").display())),
        }
    }
    ctx.say(format!(
        "installed wasmedge {version} in {}; to use it now: . {}",
        root.display(),
        profile::sh_quote(&root.join("env").display().to_string())
    ));
    Ok(())
}

fn absolute(p: &Path) -> Result<PathBuf> {
    let p = std::path::absolute(p).map_err(|e| Error::io(p.display(), e))?;
    // Lexically clean `.` and `..`, so the path written into env files and profiles is plain.
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    Ok(out)
}

fn lookup<'a>(index: &'a Index, version: &str) -> Result<&'a Release> {
    if !valid_version(version) {
        return Err(Error::usage(format!("`{version}` is not a version (x.y.z)")));
    }
    index.versions.get(version).ok_or_else(|| {
        Error::usage(format!("version {version} does not exist; available: {}", index.sorted_versions().join(", ")))
    })
}

fn platforms(release: &Release, kind: Kind) -> String {
    let mut v: Vec<String> = release
        .archives
        .iter()
        .filter(|a| a.kind == kind)
        .map(|a| format!("{} {} ({})", a.os, a.arch, a.dist))
        .collect();
    v.dedup();
    if v.is_empty() { "none".into() } else { v.join(", ") }
}

/// The runtime archive for the platform. `glibc`: `Some(host glibc)` when installing for this machine.
fn choose_runtime(
    release: &Release,
    version: &str,
    os: &str,
    arch: &str,
    dist: Option<&str>,
    glibc: Option<Option<(u32, u32)>>,
) -> Result<Chosen> {
    let candidates: Vec<&Artifact> =
        release.archives.iter().filter(|a| a.kind == Kind::Runtime && a.os == os && a.arch == arch).collect();
    if candidates.is_empty() {
        return Err(Error::usage(format!(
            "wasmedge {version} has no release for {os} {arch}; it has: {}",
            platforms(release, Kind::Runtime)
        )));
    }
    let chosen = if let Some(dist) = dist {
        candidates.into_iter().find(|a| a.dist == dist).ok_or_else(|| {
            Error::usage(format!(
                "wasmedge {version} has no `{dist}` build for {os} {arch}; it has: {}",
                platforms(release, Kind::Runtime)
            ))
        })?
    } else {
        // The newest baseline this machine runs (for another machine: the oldest baseline).
        let mut ok: Vec<&Artifact> = match glibc {
            Some(host) => candidates.iter().copied().filter(|a| dist_runs_on(&a.dist, host)).collect(),
            None => candidates.clone(),
        };
        ok.sort_by_key(|a| platform::dist_glibc(&a.dist));
        let pick = if glibc.is_some() { ok.last() } else { ok.first() };
        *pick.ok_or_else(|| {
            let have = glibc.flatten().map_or("no glibc".to_string(), |(a, b)| format!("glibc {a}.{b}"));
            Error::usage(format!(
                "no build of wasmedge {version} runs on this machine ({have}); builds: {}; pass --dist to choose one anyway",
                platforms(release, Kind::Runtime)
            ))
        })?
    };
    Ok(Chosen { version: version.to_string(), artifact: chosen.clone() })
}

fn choose_plugins(
    index: &Index,
    version: &str,
    specs: &[String],
    runtime: &Artifact,
    runtime_abi: u32,
) -> Result<Vec<Chosen>> {
    let mut out: Vec<Chosen> = Vec::new();
    let same_platform = |a: &&Artifact| a.kind == Kind::Plugin && a.os == runtime.os && a.arch == runtime.arch;
    let mut specs: Vec<String> =
        specs.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
    if specs.iter().any(|s| s == "all") {
        let release = lookup(index, version)?;
        specs = release.archives.iter().filter(same_platform).filter_map(|a| a.plugin.clone()).collect();
        specs.dedup();
    }
    for spec in specs {
        let (name, pv) = match spec.split_once(':') {
            Some((n, v)) => (n, v.trim_start_matches('v').to_string()),
            None => (spec.as_str(), version.to_string()),
        };
        let name = plugin_alias(name);
        if name == "wasi_logging" {
            continue; // Built into the runtime archive.
        }
        let release = lookup(index, &pv).map_err(|e| Error::usage(format!("plugin {name}: {e}")))?;
        let available: Vec<&Artifact> = release.archives.iter().filter(same_platform).collect();
        let matching: Vec<&Artifact> =
            available.iter().copied().filter(|a| a.plugin.as_deref() == Some(name)).collect();
        let Some(artifact) = matching.iter().find(|a| a.dist == runtime.dist).or(matching.first()).copied() else {
            let mut names: Vec<&str> = available.iter().filter_map(|a| a.plugin.as_deref()).collect();
            names.dedup();
            let names = if names.is_empty() { "none".to_string() } else { names.join(", ") };
            let what = if WASMEDGE_ONLY_PLUGINS.contains(&name) {
                format!("{name} is a WasmEdge plugin this project does not provide")
            } else {
                format!("there is no plugin {name}")
            };
            return Err(Error::usage(format!(
                "{what} in release {pv} for {} {}; plugins of {pv}: {names}",
                runtime.os, runtime.arch
            )));
        };
        // The index's word first (no download for a plugin that cannot load); the library's own record is
        // checked again after download.
        if let Some(abi) = &artifact.plugin_abi
            && abi_major(abi) != Some(runtime_abi)
        {
            return Err(Error::verify(format!(
                "plugin {name} {pv} is built for plugin ABI {abi}, but wasmedge {version} loads plugin ABI {runtime_abi}.x; \
                 install the plugin of a release with a compatible ABI"
            )));
        }
        if !out.iter().any(|c| c.artifact.plugin == artifact.plugin) {
            out.push(Chosen { version: pv, artifact: artifact.clone() });
        }
    }
    Ok(out)
}

/// Hold an advisory lock (`flock`) on `dir`, the directory holding the installation, for the whole run:
/// two installers (or an installer and an uninstall) for one path never interleave; the second waits.
pub fn lock(ctx: &Ctx, dir: &Path) -> Result<std::fs::File> {
    let f = std::fs::File::open(dir).map_err(|e| Error::io(dir.display(), e))?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => {
            ctx.say(format!("waiting for another wasmedge-installer working in {}", dir.display()));
            f.lock().map_err(|e| Error::io(format!("locking {}", dir.display()), e))?;
            Ok(f)
        }
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(format!("locking {}", dir.display()), e)),
    }
}

fn make_staging(root: &Path, existed: bool) -> Result<PathBuf> {
    let staging = if existed {
        root.join(format!("{STAGING_PREFIX}{}", std::process::id()))
    } else {
        let parent = root.parent().ok_or_else(|| Error::usage("the installation path has no parent"))?;
        let name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        parent.join(format!(".{name}{STAGING_PREFIX}{}", std::process::id()))
    };
    std::fs::create_dir(&staging).map_err(|e| Error::io(format!("creating {}", staging.display()), e))?;
    Ok(staging)
}

/// Download, verify, stage, check and switch in; returns the profile lines to add afterwards.
#[allow(clippy::too_many_arguments)]
fn stage_and_commit(
    ctx: &Ctx,
    opts: &Options,
    root: &Path,
    existed: bool,
    staging: &Path,
    fetcher: &Fetcher,
    version: &str,
    runtime: &Chosen,
    plugins: &[Chosen],
    runtime_abi: u32,
    native: bool,
) -> Result<Vec<ProfileLine>> {
    let new = staging.join("new");
    std::fs::create_dir(&new).map_err(|e| Error::io(new.display(), e))?;
    let downloads = match &opts.tmpdir {
        Some(t) => tempfile::Builder::new()
            .prefix("wasmedge-download-")
            .tempdir_in(t)
            .map_err(|e| Error::io(t.display(), e))?,
        None => tempfile::Builder::new()
            .prefix("download-")
            .tempdir_in(staging)
            .map_err(|e| Error::io(staging.display(), e))?,
    };
    let mut archives = Vec::new();
    for c in std::iter::once(runtime).chain(plugins) {
        let dest = downloads.path().join(&c.artifact.file);
        fetcher.download(&format!("{}/{}", c.version, c.artifact.file), &dest, c.artifact.size, &c.artifact.sha256)?;
        ctx.detail(format!("verified {} (sha256 {})", c.artifact.file, c.artifact.sha256));
        archives.push(dest);
    }
    ctx.check_interrupt()?;

    let mut files = crate::archive::extract(&archives[0], &new, true)?;
    if !files.iter().any(|f| f == Path::new("bin/wasmedge")) {
        return Err(Error::verify(format!("{} holds no bin/wasmedge", runtime.artifact.file)));
    }
    let pdir = plugin_dir(root);
    let mut installed_plugins = Vec::new();
    for (c, archive) in plugins.iter().zip(&archives[1..]) {
        let name = c.artifact.plugin.clone().unwrap_or_default();
        let target = new.join(pdir);
        std::fs::create_dir_all(&target).map_err(|e| Error::io(target.display(), e))?;
        let extracted = crate::archive::extract(archive, &target, false)?;
        let mut abi = None;
        for f in &extracted {
            let path = target.join(f);
            if path.extension().is_some_and(|e| e == "so") {
                let info = platform::inspect(&path)?;
                if info.arch != runtime.artifact.arch {
                    return Err(Error::verify(format!(
                        "{}: {} is built for {}",
                        c.artifact.file,
                        f.display(),
                        info.arch
                    )));
                }
                let record = info.plugin_abi.ok_or_else(|| {
                    Error::verify(format!(
                        "{}: {} carries no plugin ABI record; it is not a plugin this runtime loads",
                        c.artifact.file,
                        f.display()
                    ))
                })?;
                if !record.loads_in(runtime_abi) {
                    return Err(Error::verify(format!(
                        "plugin {name} {} is built for plugin ABI {}.{} (read from {}), but wasmedge {version} loads plugin ABI {runtime_abi}.x; nothing was installed",
                        c.version,
                        record.abi_major,
                        record.abi_minor,
                        f.display()
                    )));
                }
                abi = Some(format!("{}.{}", record.abi_major, record.abi_minor));
            }
        }
        let abi = abi.ok_or_else(|| Error::verify(format!("{} holds no plugin library", c.artifact.file)))?;
        ctx.detail(format!("plugin {name} {} (plugin ABI {abi}) is compatible", c.version));
        installed_plugins.push(InstalledPlugin { name, version: c.version.clone(), abi });
        files.extend(extracted.into_iter().map(|f| Path::new(pdir).join(f)));
    }
    drop(downloads);
    ctx.check_interrupt()?;

    std::fs::write(new.join("env"), profile::env_file(root)).map_err(|e| Error::io("writing env", e))?;
    files.push(PathBuf::from("env"));

    if native {
        preflight(staging, &new, pdir, &installed_plugins)?;
    }

    // The manifest: what this install puts, plus what the old one had and is kept (`--remove-old no`).
    let old = if existed { Manifest::read(root)? } else { None };
    let mut manifest = Manifest {
        format: MANIFEST_FORMAT,
        version: version.to_string(),
        plugin_dir: pdir.to_string(),
        plugins: installed_plugins,
        files: Vec::new(),
        profiles: Vec::new(),
    };
    for rel in &files {
        let path = new.join(rel);
        let meta = std::fs::symlink_metadata(&path).map_err(|e| Error::io(path.display(), e))?;
        let entry = if meta.file_type().is_symlink() {
            InstalledFile { path: rel.clone(), sha256: None, link: std::fs::read_link(&path).ok() }
        } else {
            InstalledFile { path: rel.clone(), sha256: Some(sha256_file(&path)?), link: None }
        };
        manifest.files.push(entry);
    }
    let mut ops: Vec<Op> = files.iter().map(|f| Op::Put(f.clone())).collect();
    if let Some(old) = &old {
        for f in &old.files {
            if manifest.file(&f.path).is_some() {
                continue;
            }
            if opts.remove_old {
                ops.push(Op::Remove(f.path.clone()));
            } else if root.join(&f.path).exists() {
                manifest.files.push(f.clone());
            }
        }
        if !opts.remove_old {
            for p in &old.plugins {
                if !manifest.plugins.iter().any(|q| q.name == p.name) {
                    manifest.plugins.push(p.clone());
                }
            }
        }
        // Profile lines the old installation added stay recorded while they are still there.
        manifest.profiles = old.profiles.clone();
    }
    // The profile lines this run adds (applied by the caller after the switch); they replace the records
    // of lines the user has removed since.
    let mut to_add = Vec::new();
    if let Some(home) = dirs::home_dir() {
        let line = profile::source_line(root);
        let shell = std::env::var("SHELL").ok();
        for file in profile::profiles(&home, shell.as_deref()) {
            if let Some(add) = profile::plan_add(&file, &line)? {
                manifest.profiles.retain(|p| p.file != add.file);
                manifest.profiles.push(add.clone());
                to_add.push(add);
            }
        }
    }
    std::fs::write(new.join(MANIFEST_FILE), manifest.to_toml()).map_err(|e| Error::io("writing the manifest", e))?;
    ops.push(Op::Put(PathBuf::from(MANIFEST_FILE)));
    ctx.check_interrupt()?;

    // From here on Ctrl-C waits: the switch is a few renames.
    ctx.committing(true);
    let result = if existed {
        commit::commit(root, staging, &ops)
    } else {
        std::fs::rename(&new, root)
            .map_err(|e| Error::io(format!("moving the new installation to {}", root.display()), e))
    };
    ctx.committing(false);
    result?;
    Ok(to_add)
}

/// Run the staged `wasmedge --version` with only the staged plugins in view: the new runtime must start
/// and load every plugin, or nothing is switched.
fn preflight(staging: &Path, new: &Path, pdir: &str, plugins: &[InstalledPlugin]) -> Result<()> {
    let home = staging.join("empty-home");
    std::fs::create_dir_all(&home).map_err(|e| Error::io(home.display(), e))?;
    let out = Command::new(new.join("bin/wasmedge"))
        .arg("--version")
        .env("HOME", &home)
        .env("WASMEDGE_PLUGIN_PATH", new.join(pdir))
        .env_remove("LIBRARY_PATH")
        .output()
        .map_err(|e| Error::verify(format!("the new wasmedge does not start on this machine: {e}")))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(Error::verify(format!("the new `wasmedge --version` failed ({}): {}", out.status, stderr.trim())));
    }
    for p in plugins {
        let plugin_name = p.name.split('-').next().unwrap_or(&p.name);
        if !stdout.contains(&format!("(plugin \"{plugin_name}\")")) {
            return Err(Error::verify(format!(
                "the new wasmedge does not load plugin {}: {}",
                p.name,
                stderr.lines().find(|l| l.contains("skipped")).unwrap_or(stderr.trim())
            )));
        }
    }
    Ok(())
}
