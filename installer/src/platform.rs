//! The platform: this machine's architecture and C library, and what a binary needs, read from its ELF
//! headers (architecture, the newest glibc symbol version it links against, a plugin's ABI record).

use std::path::Path;
use std::process::Command;

use object::{Object, ObjectSection};
use wasmedge_plugin_sdk::abi::{ABI_RECORD_SECTION, AbiRecord};

use crate::error::{Error, Result};

/// The architectures releases are built for, under their release names.
pub const ARCHES: &[&str] = &["x86_64", "aarch64"];
/// The operating systems releases are built for.
pub const OSES: &[&str] = &["linux"];

/// The release name of an architecture given as `uname -m` or a common alias prints it.
pub fn normalize_arch(arch: &str) -> Result<&'static str> {
    match arch.to_ascii_lowercase().as_str() {
        "x86_64" | "amd64" | "x64" => Ok("x86_64"),
        "aarch64" | "arm64" => Ok("aarch64"),
        _ => Err(Error::usage(format!("unknown architecture `{arch}`; releases exist for: {}", ARCHES.join(", ")))),
    }
}

/// The release name of an operating system (`Linux`, `linux`).
pub fn normalize_os(os: &str) -> Result<&'static str> {
    match os.to_ascii_lowercase().as_str() {
        "linux" => Ok("linux"),
        _ => Err(Error::usage(format!(
            "operating system `{os}` is not supported; releases exist for: {}",
            OSES.join(", ")
        ))),
    }
}

/// This machine's architecture.
pub fn host_arch() -> Result<&'static str> {
    normalize_arch(std::env::consts::ARCH)
}

/// This machine's glibc version (`getconf GNU_LIBC_VERSION`), or `None` without glibc.
pub fn host_glibc() -> Option<(u32, u32)> {
    let out = Command::new("getconf").arg("GNU_LIBC_VERSION").output().ok()?;
    parse_glibc(String::from_utf8_lossy(&out.stdout).trim().strip_prefix("glibc ")?)
}

fn parse_glibc(v: &str) -> Option<(u32, u32)> {
    let mut parts = v.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// The glibc a `manylinux_<major>_<minor>` dist needs.
pub fn dist_glibc(dist: &str) -> Option<(u32, u32)> {
    let rest = dist.strip_prefix("manylinux_")?;
    let (major, minor) = rest.split_once('_')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// What [`inspect`] reads from an ELF file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfInfo {
    /// The release name of its architecture.
    pub arch: &'static str,
    /// The newest `GLIBC_x.y` symbol version it needs, if any.
    pub glibc: Option<(u32, u32)>,
    /// The plugin ABI record, for plugin libraries.
    pub plugin_abi: Option<AbiRecord>,
}

/// Read an ELF executable or shared library's architecture, glibc needs and plugin ABI record.
pub fn inspect(path: &Path) -> Result<ElfInfo> {
    let data = std::fs::read(path).map_err(|e| Error::io(path.display(), e))?;
    let file = object::File::parse(&*data)
        .map_err(|e| Error::verify(format!("{} is not an executable or shared library: {e}", path.display())))?;
    let arch = match file.architecture() {
        object::Architecture::X86_64 => "x86_64",
        object::Architecture::Aarch64 => "aarch64",
        other => {
            return Err(Error::verify(format!(
                "{} is built for an unsupported architecture ({other:?})",
                path.display()
            )));
        }
    };
    let glibc = file.section_by_name(".dynstr").and_then(|s| s.data().ok()).and_then(newest_glibc);
    let plugin_abi = file
        .section_by_name(ABI_RECORD_SECTION)
        .and_then(|s| s.data().ok())
        .and_then(|d| AbiRecord::parse(d, file.is_little_endian()));
    Ok(ElfInfo { arch, glibc, plugin_abi })
}

/// The newest `GLIBC_x.y[.z]` among the NUL-separated strings of a dynamic string table.
fn newest_glibc(dynstr: &[u8]) -> Option<(u32, u32)> {
    dynstr
        .split(|&b| b == 0)
        .filter_map(|s| std::str::from_utf8(s).ok()?.strip_prefix("GLIBC_"))
        .filter_map(parse_glibc)
        .max()
}

/// The dist name for binaries needing glibc `needs` (`manylinux_2_34`), or `static` for none.
pub fn dist_name(needs: Option<(u32, u32)>) -> String {
    match needs {
        Some((major, minor)) => format!("manylinux_{major}_{minor}"),
        None => "static".to_string(),
    }
}

/// Whether binaries of `dist` run on a machine with `glibc` (`None`: unknown or no glibc).
pub fn dist_runs_on(dist: &str, glibc: Option<(u32, u32)>) -> bool {
    match (dist_glibc(dist), glibc) {
        (None, _) => dist == "static",
        (Some(need), Some(have)) => need <= have,
        (Some(_), None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_dists() {
        assert_eq!(normalize_arch("amd64").unwrap(), "x86_64");
        assert_eq!(normalize_arch("arm64").unwrap(), "aarch64");
        assert!(normalize_arch("riscv64").unwrap_err().to_string().contains("x86_64, aarch64"));
        assert!(normalize_os("Darwin").unwrap_err().to_string().contains("linux"));
        assert_eq!(dist_glibc("manylinux_2_28"), Some((2, 28)));
        assert!(dist_runs_on("manylinux_2_28", Some((2, 36))));
        assert!(!dist_runs_on("manylinux_2_38", Some((2, 36))));
        assert!(dist_runs_on("static", None) && !dist_runs_on("manylinux_2_17", None));
        assert_eq!(newest_glibc(b"\0libc.so.6\0GLIBC_2.2.5\0GLIBC_2.34\0GLIBC_2.9\0"), Some((2, 34)));
        assert_eq!(dist_name(Some((2, 34))), "manylinux_2_34");
    }

    #[test]
    fn this_test_binary_is_inspected() {
        let info = inspect(&std::env::current_exe().unwrap()).unwrap();
        assert_eq!(info.arch, host_arch().unwrap());
        assert!(info.glibc.is_some() && info.plugin_abi.is_none());
        if let (Some(need), Some(have)) = (info.glibc, host_glibc()) {
            assert!(need <= have);
        }
        let not_elf = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(not_elf.path(), b"#!/bin/sh\n").unwrap();
        assert!(inspect(not_elf.path()).is_err());
    }
}
