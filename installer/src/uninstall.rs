//! Uninstalling: exactly the files the manifest lists (unless changed since), then the directories that
//! became empty, then the profile lines the installer added — every other byte of a profile stays.

use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::Ctx;
use crate::error::{Error, Result};
use crate::fetch::sha256_file;
use crate::manifest::{MANIFEST_FILE, Manifest};
use crate::profile;

pub fn run(ctx: &Ctx, path: &Path, quiet: bool) -> Result<()> {
    let root = std::path::absolute(path).map_err(|e| Error::io(path.display(), e))?;
    let manifest = Manifest::read(&root)?.ok_or_else(|| {
        Error::usage(format!(
            "{} holds no installation made by this installer (no {MANIFEST_FILE}); nothing was removed",
            root.display()
        ))
    })?;
    let _lock = match root.parent() {
        Some(parent) => Some(crate::install::lock(ctx, parent)?),
        None => None,
    };
    crate::commit::recover(&root)?;
    if !quiet && std::io::stdin().is_terminal() {
        eprint!(
            "remove wasmedge {} ({} files) from {}? [y/N] ",
            manifest.version,
            manifest.files.len(),
            root.display()
        );
        std::io::stderr().flush().ok();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).map_err(|e| Error::io("reading the answer", e))?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return Err(Error::usage("uninstall cancelled; nothing was removed"));
        }
    }
    let mut dirs = BTreeSet::new();
    for f in &manifest.files {
        let p = root.join(&f.path);
        let Ok(meta) = std::fs::symlink_metadata(&p) else { continue };
        let ours = match (&f.sha256, &f.link) {
            (_, Some(link)) => meta.file_type().is_symlink() && std::fs::read_link(&p).ok().as_ref() == Some(link),
            (Some(hash), None) => meta.is_file() && sha256_file(&p)? == *hash,
            (None, None) => false,
        };
        if !ours {
            ctx.warn(format!("kept {}: it changed since it was installed", p.display()));
            continue;
        }
        std::fs::remove_file(&p).map_err(|e| Error::io(format!("removing {}", p.display()), e))?;
        ctx.detail(format!("removed {}", p.display()));
        let mut d = f.path.parent();
        while let Some(dir) = d.filter(|d| !d.as_os_str().is_empty()) {
            dirs.insert(dir.to_path_buf());
            d = dir.parent();
        }
    }
    for line in &manifest.profiles {
        match profile::remove(line) {
            Ok(true) => ctx.detail(format!("removed `{}` from {}", line.line, line.file.display())),
            Ok(false) => {}
            Err(e) => ctx.warn(format!("could not remove `{}` from {}: {e}", line.line, line.file.display())),
        }
    }
    let manifest_path = root.join(MANIFEST_FILE);
    std::fs::remove_file(&manifest_path).map_err(|e| Error::io(manifest_path.display(), e))?;
    // Deepest first; a directory holding something of the user's stays.
    let mut dirs: Vec<PathBuf> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(root.join(d));
    }
    let kept = std::fs::remove_dir(&root).is_err() && root.exists();
    ctx.say(format!(
        "uninstalled wasmedge {} from {}{}",
        manifest.version,
        root.display(),
        if kept { " (files that are not ours were kept)" } else { "" }
    ));
    Ok(())
}
