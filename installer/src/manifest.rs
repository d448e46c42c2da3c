//! The manifest of an installation (`<path>/.wasmedge-manifest.toml`): every file the installer put there
//! with its SHA-256 (or link target), the plugins, and the lines it added to shell profiles. Uninstall
//! removes exactly this and nothing else.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const MANIFEST_FILE: &str = ".wasmedge-manifest.toml";
pub const MANIFEST_FORMAT: u32 = 1;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The runtime version installed.
    pub version: String,
    /// Where optional plugins go, relative to the installation (`plugin` or `lib/wasmedge`).
    pub plugin_dir: String,
    #[serde(default)]
    pub plugins: Vec<InstalledPlugin>,
    #[serde(default)]
    pub files: Vec<InstalledFile>,
    #[serde(default)]
    pub profiles: Vec<ProfileLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalledPlugin {
    pub name: String,
    pub version: String,
    pub abi: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalledFile {
    /// Relative to the installation directory.
    pub path: PathBuf,
    /// The file's SHA-256 as installed (regular files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The link's target (symbolic links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<PathBuf>,
}

/// A line added to a shell profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileLine {
    pub file: PathBuf,
    /// The line, without its newline.
    pub line: String,
    /// The file did not exist: it was created holding only this line.
    pub created: bool,
    /// The file did not end with a newline: one was added before the line.
    pub newline_added: bool,
}

impl Manifest {
    /// The manifest of the installation at `root`, if there is one.
    pub fn read(root: &Path) -> Result<Option<Manifest>> {
        let path = root.join(MANIFEST_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(path.display(), e)),
        };
        let m: Manifest =
            toml::from_str(&text).map_err(|e| Error::verify(format!("{} is damaged: {e}", path.display())))?;
        if m.format != MANIFEST_FORMAT {
            return Err(Error::verify(format!(
                "{} has format {}; this installer knows format {MANIFEST_FORMAT}",
                path.display(),
                m.format
            )));
        }
        for f in &m.files {
            if f.path.is_absolute() || f.path.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
                return Err(Error::verify(format!(
                    "{} lists a path outside the installation: {}",
                    path.display(),
                    f.path.display()
                )));
            }
        }
        Ok(Some(m))
    }

    pub fn to_toml(&self) -> String {
        let head =
            "# Written by wasmedge-installer: the files of this installation. `--uninstall` removes exactly these.\n";
        format!("{head}{}", toml::to_string_pretty(self).expect("a manifest serializes"))
    }

    pub fn file(&self, rel: &Path) -> Option<&InstalledFile> {
        self.files.iter().find(|f| f.path == rel)
    }
}

/// Write `text` to `path` atomically: a temporary file beside it, synced, renamed over it, with `mode`.
pub fn write_atomic(path: &Path, text: &[u8], mode: Option<u32>) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp =
        tempfile::Builder::new().prefix(".wasmedge-tmp-").tempfile_in(dir).map_err(|e| Error::io(dir.display(), e))?;
    tmp.write_all(text).and_then(|_| tmp.as_file().sync_all()).map_err(|e| Error::io(path.display(), e))?;
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(path.display(), e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path.display(), e.error))?;
    Ok(())
}
