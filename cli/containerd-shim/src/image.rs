//! OCI image tarballs from a `.wasm`, for `ctr image import` (no registry needed): an OCI image layout
//! (`oci-layout`, `index.json`, `blobs/sha256/…`) holding one image for platform `wasip1/wasm`.
//!
//! Two layouts, as runwasi's shims take them:
//! - **plain**: one ordinary tar layer with the module at its path (and any other files); the entry point
//!   is that path, read from the container's root;
//! - **wasm layer**: the module itself as a layer of media type `application/wasm` (an OCI artifact), which
//!   the shim gets from containerd's content store (containerd 1.6.25, 1.7.7 or 2.0 and later), beside an
//!   ordinary layer for any other files.

use std::io::Write;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The media type of a wasm module layer.
pub const WASM_LAYER: &str = "application/wasm";
const TAR_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

/// What goes into an image.
#[derive(Clone, Debug, Default)]
pub struct ImageSpec {
    /// The image's name, e.g. `docker.io/library/hello:latest`.
    pub name: String,
    pub wasm: Vec<u8>,
    /// Where the module lives in the image (plain layout) and the entry point, e.g. `/app.wasm`.
    pub wasm_path: String,
    /// Other files: path in the image, contents.
    pub files: Vec<(String, Vec<u8>)>,
    /// The image's default arguments (after the entry point).
    pub cmd: Vec<String>,
    /// `NAME=value` entries.
    pub env: Vec<String>,
    /// Put the module in a layer of its own (`application/wasm`) instead of the file system.
    pub wasm_layer: bool,
    /// Another platform than `wasip1/wasm` (os, architecture): for comparisons with native images, whose
    /// entry point is then an executable.
    pub platform: Option<(String, String)>,
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

fn descriptor(media_type: &str, bytes: &[u8]) -> Value {
    json!({ "mediaType": media_type, "digest": sha256(bytes), "size": bytes.len() })
}

/// A tar archive of `files` (parent directories included), as a layer; `executable`, if any, gets mode
/// 0755.
fn tar_layer(files: &[(String, Vec<u8>)], executable: Option<&str>) -> Result<Vec<u8>> {
    let mut b = tar::Builder::new(Vec::new());
    let mut dirs: Vec<String> = Vec::new();
    for (path, contents) in files {
        let rel = path.trim_start_matches('/');
        if rel.is_empty() || rel.split('/').any(|c| c == ".." || c.is_empty()) {
            bail!("bad path in the image: {path:?}");
        }
        let parts: Vec<&str> = rel.split('/').collect();
        for i in 1..parts.len() {
            let dir = parts[..i].join("/");
            if !dirs.contains(&dir) {
                let mut h = tar::Header::new_ustar();
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                b.append_data(&mut h, format!("{dir}/"), std::io::empty())?;
                dirs.push(dir);
            }
        }
        let mut h = tar::Header::new_ustar();
        h.set_mode(if Some(path.as_str()) == executable { 0o755 } else { 0o644 });
        h.set_size(contents.len() as u64);
        b.append_data(&mut h, rel, contents.as_slice())?;
    }
    Ok(b.into_inner()?)
}

/// Write the image `spec` as an OCI image layout tarball to `out`.
pub fn write_image(spec: &ImageSpec, out: impl Write) -> Result<()> {
    if !crate::guest::is_module(&spec.wasm) {
        bail!("the module is neither WebAssembly nor `wasmedge compile` output");
    }
    if !spec.wasm_path.starts_with('/') {
        bail!("the module's path in the image must be absolute: {:?}", spec.wasm_path);
    }
    let mut blobs: Vec<Vec<u8>> = Vec::new();
    let mut layers = Vec::new();
    let mut diff_ids = Vec::new();
    let mut files = spec.files.clone();
    if spec.wasm_layer {
        layers.push(descriptor(WASM_LAYER, &spec.wasm));
        blobs.push(spec.wasm.clone());
    } else {
        files.insert(0, (spec.wasm_path.clone(), spec.wasm.clone()));
    }
    if !files.is_empty() {
        // A native image's entry point is an executable; a module must not be one (the shim would take an
        // executable ELF file, such as `wasmedge compile`'s shared library, for a Linux program).
        let executable = spec.platform.is_some().then_some(spec.wasm_path.as_str());
        let tar = tar_layer(&files, executable)?;
        layers.push(descriptor(TAR_LAYER, &tar));
        diff_ids.push(sha256(&tar));
        blobs.push(tar);
    }
    let (os, arch) = spec.platform.clone().unwrap_or(("wasip1".into(), "wasm".into()));
    let config = serde_json::to_vec(&json!({
        "architecture": arch,
        "os": os,
        "config": { "Entrypoint": [spec.wasm_path], "Cmd": spec.cmd, "Env": spec.env },
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
    }))?;
    let tag = spec.name.rsplit_once(':').filter(|(_, t)| !t.contains('/')).map_or("latest", |(_, t)| t);
    let annotations = json!({
        "io.containerd.image.name": spec.name,
        "org.opencontainers.image.ref.name": tag,
    });
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": descriptor("application/vnd.oci.image.config.v1+json", &config),
        "layers": layers,
    }))?;
    let mut manifest_desc = descriptor("application/vnd.oci.image.manifest.v1+json", &manifest);
    manifest_desc["platform"] = json!({ "os": os, "architecture": arch });
    manifest_desc["annotations"] = annotations;
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [manifest_desc],
    }))?;
    blobs.push(config);
    blobs.push(manifest);

    let mut b = tar::Builder::new(out);
    let mut put = |path: &str, bytes: &[u8]| -> Result<()> {
        let mut h = tar::Header::new_ustar();
        h.set_mode(0o644);
        h.set_size(bytes.len() as u64);
        b.append_data(&mut h, path, bytes).with_context(|| format!("writing {path}"))
    };
    put("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#)?;
    put("index.json", &index)?;
    let mut written: Vec<String> = Vec::new();
    for blob in &blobs {
        let digest = sha256(blob);
        if !written.contains(&digest) {
            put(&format!("blobs/sha256/{}", &digest["sha256:".len()..]), blob)?;
            written.push(digest);
        }
    }
    b.into_inner()?.flush()?;
    Ok(())
}
