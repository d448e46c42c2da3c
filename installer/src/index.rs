//! The release location's layout: `index.toml` (the versions and their archives), each version's
//! `SHA256SUMS`, and the names of the files.
//!
//! ```text
//! <base>/index.toml
//! <base>/<V>/SHA256SUMS
//! <base>/<V>/WasmEdge-<V>-<dist>_<arch>.tar.gz                 the runtime
//! <base>/<V>/WasmEdge-plugin-<name>-<V>-<dist>_<arch>.tar.gz   one per optional plugin
//! <base>/<V>/wasmedge-installer-linux-<arch>                   the installer install.sh runs
//! ```

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const INDEX_FILE: &str = "index.toml";
pub const SUMS_FILE: &str = "SHA256SUMS";
/// The format of `index.toml` this installer reads and writes.
pub const INDEX_FORMAT: u32 = 1;

/// `index.toml`: every version on the release location.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub format: u32,
    /// The newest version; a plain `latest = "x.y.z"` line that `install.sh` reads without a TOML parser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<String>,
    #[serde(default)]
    pub versions: BTreeMap<String, Release>,
}

/// One version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// The plugin ABI (`major.minor`) this version's runtime supports: plugins of the same major load.
    pub plugin_abi: String,
    #[serde(default)]
    pub archives: Vec<Artifact>,
}

/// What a release file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Runtime,
    Plugin,
    Installer,
}

/// One file of a version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    pub file: String,
    pub kind: Kind,
    /// The plugin's name in the release (`wasi_crypto`, `wasi_nn-ggml`), for plugin archives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
    /// The plugin ABI the plugin's library was built for, for plugin archives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin_abi: Option<String>,
    pub os: String,
    pub arch: String,
    pub dist: String,
    pub size: u64,
    pub sha256: String,
}

impl Index {
    pub fn parse(text: &str) -> Result<Index> {
        let index: Index = toml::from_str(text).map_err(|e| Error::verify(format!("index.toml is not valid: {e}")))?;
        if index.format != INDEX_FORMAT {
            return Err(Error::verify(format!(
                "index.toml has format {}, this installer reads format {INDEX_FORMAT}: use a newer installer",
                index.format
            )));
        }
        Ok(index)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("an index serializes")
    }

    /// Add or replace one version, and recompute `latest`.
    pub fn put(&mut self, version: &str, release: Release) {
        self.format = INDEX_FORMAT;
        self.versions.insert(version.to_string(), release);
        self.latest = self.versions.keys().max_by(|a, b| compare_versions(a, b)).cloned();
    }

    /// The versions, oldest first.
    pub fn sorted_versions(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.versions.keys().map(String::as_str).collect();
        v.sort_by(|a, b| compare_versions(a, b));
        v
    }
}

/// Order version strings numerically (`0.9.0 < 0.10.0`); a pre-release (`0.15.0-rc.1`) sorts before its
/// release.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    fn split(v: &str) -> (Vec<u64>, Option<&str>) {
        let (core, pre) = match v.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (v, None),
        };
        (core.split('.').map(|n| n.parse().unwrap_or(0)).collect(), pre)
    }
    let (ca, pa) = split(a);
    let (cb, pb) = split(b);
    ca.cmp(&cb).then_with(|| match (pa, pb) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => x.cmp(y),
    })
}

/// Whether `v` is a version string this layout accepts: `x.y.z` with an optional `-pre`, no path characters.
pub fn valid_version(v: &str) -> bool {
    let core = v.split_once('-').map_or(v, |(c, p)| {
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') { "" } else { c }
    });
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

pub fn runtime_archive(version: &str, dist: &str, arch: &str) -> String {
    format!("WasmEdge-{version}-{dist}_{arch}.tar.gz")
}

pub fn plugin_archive(plugin: &str, version: &str, dist: &str, arch: &str) -> String {
    format!("WasmEdge-plugin-{plugin}-{version}-{dist}_{arch}.tar.gz")
}

pub fn installer_binary(arch: &str) -> String {
    format!("wasmedge-installer-linux-{arch}")
}

/// A `SHA256SUMS` file: `<64 hex digits>  <file name>` per line (the format of `sha256sum`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sums(pub BTreeMap<String, String>);

impl Sums {
    pub fn parse(text: &str) -> Result<Sums> {
        let mut sums = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let bad = || Error::verify(format!("SHA256SUMS line {} is not `<sha256>  <file>`: {line:?}", n + 1));
            let (hash, name) = line.split_once(' ').ok_or_else(bad)?;
            let name = name.trim_start_matches([' ', '*']);
            if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) || name.is_empty() || name.contains('/')
            {
                return Err(bad());
            }
            sums.insert(name.to_string(), hash.to_ascii_lowercase());
        }
        Ok(Sums(sums))
    }

    pub fn render(&self) -> String {
        self.0.iter().map(|(name, hash)| format!("{hash}  {name}\n")).collect()
    }

    pub fn get(&self, file: &str) -> Option<&str> {
        self.0.get(file).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_numerically_and_latest_follows() {
        let mut index = Index::default();
        for v in ["0.9.0", "0.15.0", "0.10.1", "0.15.0-rc.1"] {
            index.put(v, Release { plugin_abi: "1.2".into(), archives: vec![] });
        }
        assert_eq!(index.latest.as_deref(), Some("0.15.0"));
        assert_eq!(index.sorted_versions(), ["0.9.0", "0.10.1", "0.15.0-rc.1", "0.15.0"]);
        let text = index.to_toml();
        assert!(text.contains("latest = \"0.15.0\"\n"), "{text}");
        assert_eq!(Index::parse(&text).unwrap(), index);
    }

    #[test]
    fn version_strings_are_checked() {
        for ok in ["0.15.0", "1.2.3-rc.1"] {
            assert!(valid_version(ok), "{ok}");
        }
        for bad in ["0.15", "../0.1.0", "0.1.0/x", "a.b.c", "1.2.3-", "1.2.3-a/b", ""] {
            assert!(!valid_version(bad), "{bad}");
        }
    }

    #[test]
    fn sums_parse_and_render() {
        let h = "ab".repeat(32);
        let sums = Sums::parse(&format!("{h}  a.tar.gz\n\n{} *b\n", "CD".repeat(32))).unwrap();
        assert_eq!(sums.get("a.tar.gz"), Some(h.as_str()));
        assert_eq!(sums.get("b"), Some("cd".repeat(32).as_str()));
        assert_eq!(Sums::parse(&sums.render()).unwrap(), sums);
        for bad in ["xyz  a", &format!("{h}  ../a"), h.as_str()] {
            assert!(Sums::parse(bad).is_err(), "{bad}");
        }
        assert!(Index::parse("format = 7\n").unwrap_err().to_string().contains("format 7"));
    }
}
