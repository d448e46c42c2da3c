//! Writing a release location: archives, `SHA256SUMS` and `index.toml` for one version built on this
//! machine (what `installer/release.sh` runs). Several versions, and several platforms of one version,
//! sit side by side: the index and the sums are updated, never overwritten.

use std::path::{Path, PathBuf};

use wasmedge_plugin_sdk::abi::{ABI_MAJOR, ABI_MINOR};

use crate::archive::{self, Entry};
use crate::error::{Error, Result};
use crate::fetch::sha256_file;
use crate::index::{self, Artifact, INDEX_FILE, Index, Kind, Release, SUMS_FILE, Sums};
use crate::manifest::write_atomic;
use crate::platform;
use crate::sign;

/// The files of one release.
#[derive(Clone, Debug, Default)]
pub struct Input {
    pub version: String,
    /// The `wasmedge` executable.
    pub runtime: PathBuf,
    /// The `wasmedge-installer` executable.
    pub installer: PathBuf,
    /// Other executables shipped in `bin/`, e.g. the containerd shim `containerd-shim-wasmedge-v1`.
    pub bins: Vec<PathBuf>,
    /// Plugins shipped in the runtime archive (`lib/wasmedge/`), e.g. wasi_logging.
    pub builtin_plugins: Vec<PathBuf>,
    /// Optional plugins: (release name, library), one archive each.
    pub plugins: Vec<(String, PathBuf)>,
    /// C headers, shipped as `include/` when present.
    pub include: Option<PathBuf>,
    /// The C API library (`libwasmedge.so`), shipped as `lib/libwasmedge.so.0.1.0` with the links
    /// `libwasmedge.so.0` (its SONAME) and `libwasmedge.so`, as WasmEdge's archive has them.
    pub c_library: Option<PathBuf>,
    /// An Ed25519 private key (PKCS#8 PEM) to sign the version's `SHA256SUMS` with.
    pub signing_key: Option<PathBuf>,
}

/// Write the release of `input` under `out`; returns the index entry written.
pub fn write(out: &Path, input: &Input) -> Result<Release> {
    let v = &input.version;
    if !index::valid_version(v) {
        return Err(Error::usage(format!("`{v}` is not a version (x.y.z)")));
    }
    // Architecture and libc baseline, from the binaries themselves.
    let mut arch = None;
    let mut glibc = None;
    let binaries = [&input.runtime, &input.installer]
        .into_iter()
        .chain(&input.builtin_plugins)
        .chain(input.plugins.iter().map(|(_, p)| p));
    let mut plugin_abis = Vec::new();
    for bin in binaries {
        let info = platform::inspect(bin)?;
        if *arch.get_or_insert(info.arch) != info.arch {
            return Err(Error::verify(format!(
                "{} is built for {}, the others for {}",
                bin.display(),
                info.arch,
                arch.unwrap_or("?")
            )));
        }
        glibc = glibc.max(info.glibc);
        plugin_abis.push(info.plugin_abi);
    }
    let arch = arch.expect("at least the runtime");
    let dist = platform::dist_name(glibc);
    let dir = out.join(v);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(dir.display(), e))?;

    let mut artifacts = Vec::new();
    let top = format!("WasmEdge-{v}-Linux");
    let mut entries = vec![
        Entry::file(format!("{top}/bin/wasmedge"), input.runtime.clone()),
        Entry::file(format!("{top}/bin/wasmedge-installer"), input.installer.clone()),
    ];
    for lib in &input.builtin_plugins {
        entries.push(Entry::file(format!("{top}/lib/wasmedge/{}", file_name(lib)), lib.clone()));
    }
    for bin in &input.bins {
        let info = platform::inspect(bin)?;
        if info.arch != arch {
            return Err(Error::verify(format!("{} is built for {}, the others for {arch}", bin.display(), info.arch)));
        }
        let name = file_name(bin);
        if name == "wasmedge" || name == "wasmedge-installer" {
            return Err(Error::usage(format!("{} would replace the runtime's own bin/{name}", bin.display())));
        }
        entries.push(Entry::file(format!("{top}/bin/{name}"), bin.clone()));
    }
    if let Some(lib) = &input.c_library {
        let info = platform::inspect(lib)?;
        if info.arch != arch {
            return Err(Error::verify(format!("{} is built for {}, the others for {arch}", lib.display(), info.arch)));
        }
        entries.push(Entry::file(format!("{top}/lib/libwasmedge.so.0.1.0"), lib.clone()));
        entries.push(Entry::symlink(format!("{top}/lib/libwasmedge.so.0"), "libwasmedge.so.0.1.0"));
        entries.push(Entry::symlink(format!("{top}/lib/libwasmedge.so"), "libwasmedge.so.0"));
    }
    if let Some(include) = &input.include {
        for f in walk(include)? {
            let rel = f.strip_prefix(include).expect("under include").display().to_string();
            entries.push(Entry::file(format!("{top}/include/{rel}"), f));
        }
    }
    let name = index::runtime_archive(v, &dist, arch);
    archive::write(&dir.join(&name), &entries)?;
    artifacts.push(artifact(&dir, name, Kind::Runtime, None, None, arch, &dist)?);

    let plugin_records = &plugin_abis[2 + input.builtin_plugins.len()..];
    for ((plugin, lib), record) in input.plugins.iter().zip(plugin_records) {
        let record = record.ok_or_else(|| {
            Error::verify(format!(
                "{} carries no plugin ABI record: build it with this SDK's export_plugin!",
                lib.display()
            ))
        })?;
        let name = index::plugin_archive(plugin, v, &dist, arch);
        archive::write(&dir.join(&name), &[Entry::file(file_name(lib), lib.clone())])?;
        let abi = format!("{}.{}", record.abi_major, record.abi_minor);
        artifacts.push(artifact(&dir, name, Kind::Plugin, Some(plugin.clone()), Some(abi), arch, &dist)?);
    }
    let name = index::installer_binary(arch);
    let dest = dir.join(&name);
    std::fs::copy(&input.installer, &dest).map_err(|e| Error::io(dest.display(), e))?;
    artifacts.push(artifact(&dir, name, Kind::Installer, None, None, arch, &dist)?);

    // SHA256SUMS: this run's files replace their own lines; other platforms' lines stay.
    let sums_path = dir.join(SUMS_FILE);
    let mut sums = match std::fs::read_to_string(&sums_path) {
        Ok(t) => Sums::parse(&t)?,
        Err(_) => Sums::default(),
    };
    for a in &artifacts {
        sums.0.insert(a.file.clone(), a.sha256.clone());
    }
    let rendered = sums.render();
    write_atomic(&sums_path, rendered.as_bytes(), Some(0o644))?;
    // The signature covers the file as it now is; one made for an earlier content would not verify.
    let sig_path = dir.join(sign::SIG_FILE);
    match &input.signing_key {
        Some(key) => write_atomic(&sig_path, &sign::sign(key, rendered.as_bytes())?, Some(0o644))?,
        None => match std::fs::remove_file(&sig_path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(sig_path.display(), e)),
        },
    }

    let index_path = out.join(INDEX_FILE);
    let mut idx = match std::fs::read_to_string(&index_path) {
        Ok(t) => Index::parse(&t)?,
        Err(_) => Index::default(),
    };
    let mut release = idx.versions.get(v).cloned().unwrap_or_default();
    release.plugin_abi = format!("{ABI_MAJOR}.{ABI_MINOR}");
    release.archives.retain(|a| !artifacts.iter().any(|b| b.file == a.file));
    release.archives.extend(artifacts);
    idx.put(v, release.clone());
    write_atomic(&index_path, idx.to_toml().as_bytes(), Some(0o644))?;
    Ok(release)
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn artifact(
    dir: &Path,
    file: String,
    kind: Kind,
    plugin: Option<String>,
    plugin_abi: Option<String>,
    arch: &str,
    dist: &str,
) -> Result<Artifact> {
    let path = dir.join(&file);
    let size = std::fs::metadata(&path).map_err(|e| Error::io(path.display(), e))?.len();
    Ok(Artifact {
        sha256: sha256_file(&path)?,
        file,
        kind,
        plugin,
        plugin_abi,
        os: "linux".into(),
        arch: arch.into(),
        dist: dist.into(),
        size,
    })
}

fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).map_err(|e| Error::io(dir.display(), e))?.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(walk(&p)?);
        } else {
            out.push(p);
        }
    }
    Ok(out)
}
