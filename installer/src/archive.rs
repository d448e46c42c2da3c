//! Writing and reading release archives (`.tar.gz`). Extraction refuses anything that would land outside
//! its target: absolute paths, `..`, links pointing out, entries under a link, hard links, devices, FIFOs,
//! and the same path twice.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use crate::error::{Error, Result};

/// One file to put in an archive: its path in the archive and where its bytes come from.
pub struct Entry {
    pub name: String,
    /// The file whose bytes the entry holds (unused for a link).
    pub source: PathBuf,
    /// A symbolic link to this target (relative, within the archive) instead of a file.
    pub link: Option<String>,
}

impl Entry {
    /// A file entry with the bytes of `source`.
    pub fn file(name: impl Into<String>, source: impl Into<PathBuf>) -> Entry {
        Entry { name: name.into(), source: source.into(), link: None }
    }

    /// A symbolic link to `target`, relative to the link's directory (e.g. `libwasmedge.so.0`).
    pub fn symlink(name: impl Into<String>, target: impl Into<String>) -> Entry {
        Entry { name: name.into(), source: PathBuf::new(), link: Some(target.into()) }
    }
}

/// Write a reproducible `.tar.gz`: entries in the given order, owner 0, time 0, mode 0755 for executables
/// and libraries and 0644 otherwise, parent directories written before their files.
pub fn write(dest: &Path, entries: &[Entry]) -> Result<()> {
    let file = std::fs::File::create(dest).map_err(|e| Error::io(dest.display(), e))?;
    let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::best()));
    let mut dirs = BTreeSet::new();
    let err = |e: std::io::Error| Error::io(dest.display(), e);
    for entry in entries {
        let mut prefix = PathBuf::new();
        let parent = Path::new(&entry.name).parent().map(Path::to_path_buf).unwrap_or_default();
        for part in parent.components() {
            prefix.push(part);
            if dirs.insert(prefix.clone()) {
                let mut h = header(tar::EntryType::Directory, 0o755, 0);
                tar.append_data(&mut h, &prefix, std::io::empty()).map_err(err)?;
            }
        }
        if let Some(target) = &entry.link {
            let mut h = header(tar::EntryType::Symlink, 0o777, 0);
            tar.append_link(&mut h, &entry.name, target).map_err(err)?;
            continue;
        }
        let data = std::fs::read(&entry.source).map_err(|e| Error::io(entry.source.display(), e))?;
        let exec = is_executable(&entry.source);
        let mut h = header(tar::EntryType::Regular, if exec { 0o755 } else { 0o644 }, data.len() as u64);
        tar.append_data(&mut h, &entry.name, &*data).map_err(err)?;
    }
    tar.into_inner().and_then(|gz| gz.finish()).and_then(|f| f.sync_all()).map_err(err)
}

fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).map(|m| m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// What was extracted: files (with links) relative to the target, in archive order.
pub type Extracted = Vec<PathBuf>;

/// Extract the `.tar.gz` at `archive` into the directory `target` (which must exist). With `strip_top`,
/// every entry must sit under one top-level directory, which is dropped (`WasmEdge-0.15.0-Linux/bin/…`).
pub fn extract(archive: &Path, target: &Path, strip_top: bool) -> Result<Extracted> {
    let name = archive.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bad = |why: String| Error::verify(format!("{name}: {why}; nothing was installed"));
    let file = std::fs::File::open(archive).map_err(|e| Error::io(archive.display(), e))?;
    let mut tar = tar::Archive::new(GzDecoder::new(file));
    let mut top: Option<String> = None;
    let mut seen = BTreeSet::new();
    let mut files = Vec::new();
    let entries = tar.entries().map_err(|e| bad(format!("not a tar.gz archive ({e})")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| bad(format!("corrupt archive ({e})")))?;
        let raw = entry.path().map_err(|e| bad(format!("bad entry name ({e})")))?.into_owned();
        let mut rel = PathBuf::new();
        for c in raw.components() {
            match c {
                Component::Normal(p) => rel.push(p),
                Component::CurDir => {}
                _ => return Err(bad(format!("entry `{}` escapes the installation directory", raw.display()))),
            }
        }
        if strip_top {
            let mut parts = rel.components();
            let first = parts.next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
            match &top {
                None => top = Some(first),
                Some(t) if *t == first => {}
                Some(t) => return Err(bad(format!("entry `{}` is outside its top directory `{t}`", raw.display()))),
            }
            rel = parts.as_path().to_path_buf();
        }
        if rel.as_os_str().is_empty() {
            continue;
        }
        let kind = entry.header().entry_type();
        if !kind.is_dir() && !seen.insert(rel.clone()) {
            return Err(bad(format!("entry `{}` appears twice", raw.display())));
        }
        let dest = target.join(&rel);
        // Nothing is written through a link: every ancestor inside the target must be a real directory.
        let mut ancestor = target.to_path_buf();
        for c in rel.parent().map(|p| p.components().collect::<Vec<_>>()).unwrap_or_default() {
            ancestor.push(c);
            match std::fs::symlink_metadata(&ancestor) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(bad(format!("entry `{}` would be written through a link", raw.display())));
                }
                Ok(m) if !m.is_dir() => return Err(bad(format!("entry `{}` is under a file", raw.display()))),
                Ok(_) => {}
                Err(_) => std::fs::create_dir(&ancestor).map_err(|e| Error::io(ancestor.display(), e))?,
            }
        }
        match kind {
            tar::EntryType::Directory => {
                if !dest.is_dir() {
                    std::fs::create_dir(&dest).map_err(|e| Error::io(dest.display(), e))?;
                }
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let mode = entry.header().mode().unwrap_or(0o644);
                let mut out = std::fs::File::create(&dest).map_err(|e| Error::io(dest.display(), e))?;
                std::io::copy(&mut entry, &mut out)
                    .map_err(|e| bad(format!("corrupt entry `{}` ({e})", raw.display())))?;
                out.sync_all().map_err(|e| Error::io(dest.display(), e))?;
                use std::os::unix::fs::PermissionsExt;
                let mode = if mode & 0o111 != 0 { 0o755 } else { 0o644 };
                std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(mode))
                    .map_err(|e| Error::io(dest.display(), e))?;
                files.push(rel);
            }
            tar::EntryType::Symlink => {
                let link = entry
                    .link_name()
                    .ok()
                    .flatten()
                    .ok_or_else(|| bad(format!("link `{}` has no target", raw.display())))?
                    .into_owned();
                if !stays_inside(&rel, &link) {
                    return Err(bad(format!(
                        "link `{}` points outside the installation directory (to `{}`)",
                        raw.display(),
                        link.display()
                    )));
                }
                std::os::unix::fs::symlink(&link, &dest).map_err(|e| Error::io(dest.display(), e))?;
                files.push(rel);
            }
            other => return Err(bad(format!("entry `{}` is a {other:?}, which a release never holds", raw.display()))),
        }
    }
    Ok(files)
}

/// Whether a relative link at `rel` pointing to `target` resolves inside the root (lexically).
fn stays_inside(rel: &Path, target: &Path) -> bool {
    if target.is_absolute() {
        return false;
    }
    let mut depth: usize = rel.components().count().saturating_sub(1);
    for c in target.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar.gz written entry by entry with raw headers, so hostile names and types can be made.
    fn raw_archive(dir: &Path, entries: &[(&str, tar::EntryType, &str)]) -> PathBuf {
        let path = dir.join("a.tar.gz");
        let mut tar = tar::Builder::new(GzEncoder::new(std::fs::File::create(&path).unwrap(), Compression::fast()));
        for (name, kind, data) in entries {
            let mut h = header(*kind, 0o644, 0);
            // Names are written into the header directly: `append_data` would refuse `..` itself.
            h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
            if *kind == tar::EntryType::Symlink || *kind == tar::EntryType::Link {
                h.set_link_name(data).unwrap();
                h.set_size(0);
                h.set_cksum();
                tar.append(&h, std::io::empty()).unwrap();
            } else {
                h.set_size(data.len() as u64);
                h.set_cksum();
                tar.append(&h, data.as_bytes()).unwrap();
            }
        }
        tar.into_inner().unwrap().finish().unwrap();
        path
    }

    fn refused(entries: &[(&str, tar::EntryType, &str)], strip: bool, why: &str) {
        let tmp = tempfile::tempdir().unwrap();
        let archive = raw_archive(tmp.path(), entries);
        let target = tmp.path().join("t");
        std::fs::create_dir(&target).unwrap();
        let e = extract(&archive, &target, strip).unwrap_err();
        assert!(e.to_string().contains(why), "{e}");
        assert!(!tmp.path().join("evil").exists());
    }

    use tar::EntryType::{Block, Char, Fifo, Link, Regular, Symlink};

    #[test]
    fn hostile_entries_are_refused() {
        refused(&[("../evil", Regular, "x")], false, "escapes");
        refused(&[("/tmp/evil", Regular, "x")], false, "escapes");
        refused(&[("top/a", Regular, "x"), ("other/b", Regular, "y")], true, "outside its top directory");
        refused(&[("l", Symlink, "../evil")], false, "points outside");
        refused(&[("l", Symlink, "/etc")], false, "points outside");
        refused(&[("d/l", Symlink, "../../evil")], false, "points outside");
        refused(&[("l", Symlink, "."), ("l/f", Regular, "x")], false, "through a link");
        refused(&[("h", Link, "/etc/passwd")], false, "which a release never holds");
        for kind in [Char, Block, Fifo] {
            refused(&[("dev", kind, "")], false, "which a release never holds");
        }
        refused(&[("a", Regular, "x"), ("a", Regular, "y")], false, "appears twice");
    }

    #[test]
    fn a_release_archive_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("wasmedge");
        std::fs::write(&src, b"binary").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&src, std::fs::Permissions::from_mode(0o700)).unwrap();
        let lib = tmp.path().join("lib.so");
        std::fs::write(&lib, b"lib").unwrap();
        let archive = tmp.path().join("r.tar.gz");
        let entries = [
            Entry::file("WasmEdge-1.0.0-Linux/bin/wasmedge", src),
            Entry::file("WasmEdge-1.0.0-Linux/lib/wasmedge/lib.so", lib.clone()),
            Entry::file("WasmEdge-1.0.0-Linux/lib/libx.so.0.1.0", lib),
            Entry::symlink("WasmEdge-1.0.0-Linux/lib/libx.so.0", "libx.so.0.1.0"),
            Entry::symlink("WasmEdge-1.0.0-Linux/lib/libx.so", "libx.so.0"),
        ];
        write(&archive, &entries).unwrap();
        let first = std::fs::read(&archive).unwrap();
        write(&archive, &entries).unwrap();
        assert_eq!(std::fs::read(&archive).unwrap(), first, "archives are reproducible");
        let target = tmp.path().join("t");
        std::fs::create_dir(&target).unwrap();
        let files = extract(&archive, &target, true).unwrap();
        assert_eq!(files[..2], [PathBuf::from("bin/wasmedge"), PathBuf::from("lib/wasmedge/lib.so")]);
        assert_eq!(files.len(), 5);
        // Links written by `write` come out as links, resolving within the tree.
        assert!(std::fs::symlink_metadata(target.join("lib/libx.so")).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(target.join("lib/libx.so")).unwrap(), b"lib");
        let mode = std::fs::metadata(target.join("bin/wasmedge")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
        assert_eq!(std::fs::read(target.join("lib/wasmedge/lib.so")).unwrap(), b"lib");
        // Inside links are kept.
        let a = raw_archive(tmp.path(), &[("lib/libx.so.0", Regular, "x"), ("lib/libx.so", Symlink, "libx.so.0")]);
        let t2 = tmp.path().join("t2");
        std::fs::create_dir(&t2).unwrap();
        extract(&a, &t2, false).unwrap();
        assert_eq!(std::fs::read(t2.join("lib/libx.so")).unwrap(), b"x");
    }
}
