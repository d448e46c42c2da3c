//! The plugin library reader under arbitrary files: the installer's ELF inspection (architecture, glibc
//! needs, the `.wasmedge_plugin` ABI record) and the record parser itself. Any bytes give a result or an
//! error, never a panic; a record that parses says format 1 and its magic.

use wasmedge_plugin_sdk::abi::{ABI_RECORD_MAGIC, AbiRecord};

pub(crate) fn check_file(bytes: &[u8], dir: &std::path::Path) {
    for le in [true, false] {
        if let Some(r) = AbiRecord::parse(bytes, le) {
            assert_eq!((r.magic, r.format), (ABI_RECORD_MAGIC, 1));
        }
    }
    let path = dir.join("lib.so");
    std::fs::write(&path, bytes).unwrap();
    if let Ok(info) = wasmedge_installer::platform::inspect(&path)
        && let Some(r) = info.plugin_abi
    {
        assert_eq!((r.magic, r.format), (ABI_RECORD_MAGIC, 1));
    }
}
