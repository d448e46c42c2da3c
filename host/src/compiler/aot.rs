//! Ahead-of-time native code: what `wasmedge compile` writes, and how a module finds it when it loads.
//!
//! Two containers carry the same payload:
//! - a **universal wasm**: the original module with a custom section named `wasmedge` appended; any
//!   runtime can still run it from its wasm bytes;
//! - an **ELF shared library** (`out.so`): section `wasmedge_code` holds the machine code, `.wasmedge`
//!   the rest of the payload and `.wasmedge_wasm` the module. We read it with the `object` crate and map
//!   the code ourselves; it is never `dlopen`ed, so nothing in it runs before it is checked.
//!
//! The payload starts with our magic (WasmEdge's own AOT section has the same name but not the magic),
//! then a header: format version, OS, architecture, the CPU features the code was compiled for, the
//! engine version, how the code was generated (metering, interrupt checks, the cost table), the SHA-256
//! of the module's wasm bytes (without the section), and the SHA-256 of everything after it. Code is only
//! mapped when all of these match this machine, this engine and this configuration; otherwise the module
//! runs from its wasm bytes and the loader says why.
//!
//! AOT files are trusted like executables: the hashes catch a mismatched or damaged file, not a forged one.

use std::ops::Range;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{LinkReloc, Linked, RelocKind, RelocTarget};
use crate::config::Config;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::module::ModuleInner;

/// The custom section's name (the same as WasmEdge's).
pub const SECTION: &str = "wasmedge";
const MAGIC: &[u8; 16] = b"\0wasmedge-rs-aot";
/// 2: metered code counts gas down in `VMStoreContext::gas_left` (1 counted the gas used up).
const FORMAT: u32 = 2;
const ELF_META: &str = ".wasmedge";
const ELF_CODE: &str = "wasmedge_code";
const ELF_WASM: &str = ".wasmedge_wasm";

/// What a module's bytes say about native code.
pub(crate) enum Found {
    /// No AOT section.
    None,
    /// Code for this machine and configuration.
    Code(Linked),
    /// A section that cannot be used, and why.
    Unusable(String),
}

/// The facts code must match to run here.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    os: String,
    arch: String,
    cpu: String,
    engine: String,
}

fn target(config: &Config) -> Result<Target> {
    let isa = super::isa(config.opt_level)?;
    Ok(Target {
        os: std::env::consts::OS.to_string(),
        arch: std::env::consts::ARCH.to_string(),
        cpu: isa.isa_flags().iter().filter(|f| f.as_bool() == Some(true)).map(|f| f.name).collect::<Vec<_>>().join(","),
        engine: format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")),
    })
}

/// How code was generated: what it counts and checks.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct Codegen {
    metering: bool,
    interruptible: bool,
    costs: u64,
}

fn codegen(config: &Config) -> Codegen {
    let mut h = Sha256::new();
    if let Some(table) = &config.cost_table {
        for c in table.iter() {
            h.update(c.to_le_bytes());
        }
    }
    let costs = u64::from_le_bytes(h.finalize()[..8].try_into().expect("8 bytes"));
    Codegen { metering: config.count_instructions || config.meter_gas, interruptible: config.interruptible, costs }
}

impl Codegen {
    /// Whether code generated this way serves a run configured as `run`: it must count (with the same
    /// costs) when the run counts, and check interrupts when the run can be interrupted.
    fn serves(&self, run: &Codegen) -> std::result::Result<(), String> {
        if run.metering && !self.metering {
            return Err("the native code was compiled without instruction counting or gas metering \
                        (`wasmedge compile --enable-gas-measuring`)"
                .into());
        }
        if run.metering && self.costs != run.costs {
            return Err("the native code was compiled with a different gas cost table".into());
        }
        if run.interruptible && !self.interruptible {
            return Err("the native code was compiled without interrupt checks (`wasmedge compile --interruptible`); \
                        a time limit could not stop it"
                .into());
        }
        Ok(())
    }
}

// ---- encoding ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.bytes(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.bytes(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.bytes(n)?).ok()
    }
    /// A count of items of at least `size` bytes each, checked against what is left.
    fn count(&mut self, size: usize) -> Option<usize> {
        let n = self.u32()? as usize;
        (n.checked_mul(size)? <= self.0.len()).then_some(n)
    }
}

/// The payload: header, then tables, then `image length, image` at the very end (so that the ELF
/// container can keep the image in its own section).
fn encode(target: &Target, cg: Codegen, module_hash: &[u8; 32], linked: &Linked) -> Vec<u8> {
    let mut body = Writer::default();
    body.u32(linked.funcs.len() as u32);
    for &(s, e) in &linked.funcs {
        body.u32(s);
        body.u32(e);
    }
    body.u32(linked.array.len() as u32);
    for &a in &linked.array {
        body.u32(a);
    }
    body.u32(linked.host.len() as u32);
    for &h in &linked.host {
        body.u32(h);
    }
    body.u32(linked.traps.len() as u32);
    for &(o, c) in &linked.traps {
        body.u32(o);
        body.u8(c);
    }
    body.u32(linked.relocs.len() as u32);
    for r in &linked.relocs {
        body.u32(r.site);
        body.u8(match r.kind {
            RelocKind::PcRel4 => 0,
            RelocKind::Abs8 => 1,
        });
        match r.target {
            RelocTarget::Image(o) => {
                body.u8(0);
                body.u32(o);
            }
            RelocTarget::LibCall(i) => {
                body.u8(1);
                body.u32(i as u32);
            }
        }
        body.u64(r.addend as u64);
    }
    body.u32(linked.image.len() as u32);
    body.0.extend_from_slice(&linked.image);

    let mut w = Writer::default();
    w.0.extend_from_slice(MAGIC);
    w.u32(FORMAT);
    w.str(&target.os);
    w.str(&target.arch);
    w.str(&target.cpu);
    w.str(&target.engine);
    w.u8(cg.metering as u8);
    w.u8(cg.interruptible as u8);
    w.u64(cg.costs);
    w.0.extend_from_slice(module_hash);
    w.0.extend_from_slice(&Sha256::digest(&body.0));
    w.0.extend_from_slice(&body.0);
    w.0
}

/// Decode a payload and check it against this machine, `config` and the module's hash.
fn decode(payload: &[u8], config: &Config, module_hash: &[u8; 32]) -> std::result::Result<Linked, String> {
    let damaged = || "the native code section is damaged".to_string();
    let mut r = Reader(payload);
    if r.bytes(MAGIC.len()) != Some(MAGIC) {
        return Err("the `wasmedge` section holds native code of another runtime (WasmEdge's own AOT output?)".into());
    }
    let format = r.u32().ok_or_else(damaged)?;
    if format != FORMAT {
        return Err(format!("the native code has format {format}; this engine reads format {FORMAT}"));
    }
    let file = Target {
        os: r.str().ok_or_else(damaged)?.to_string(),
        arch: r.str().ok_or_else(damaged)?.to_string(),
        cpu: r.str().ok_or_else(damaged)?.to_string(),
        engine: r.str().ok_or_else(damaged)?.to_string(),
    };
    let here = target(config).map_err(|e| e.to_string())?;
    if (file.os.as_str(), file.arch.as_str()) != (here.os.as_str(), here.arch.as_str()) {
        return Err(format!(
            "the native code is for {}-{}, this machine is {}-{}",
            file.os, file.arch, here.os, here.arch
        ));
    }
    if file.engine != here.engine {
        return Err(format!("the native code was made by {}, this is {}", file.engine, here.engine));
    }
    if file.cpu != here.cpu {
        return Err(format!(
            "the native code was compiled for other CPU features ({}; this CPU: {})",
            file.cpu, here.cpu
        ));
    }
    let cg = Codegen {
        metering: r.u8().ok_or_else(damaged)? != 0,
        interruptible: r.u8().ok_or_else(damaged)? != 0,
        costs: r.u64().ok_or_else(damaged)?,
    };
    cg.serves(&codegen(config))?;
    if r.bytes(32).ok_or_else(damaged)? != module_hash {
        return Err("the native code was compiled from a different module (hash mismatch)".into());
    }
    let body_hash = r.bytes(32).ok_or_else(damaged)?;
    if Sha256::digest(r.0).as_slice() != body_hash {
        return Err(damaged());
    }
    let mut linked = Linked {
        image: Vec::new(),
        relocs: Vec::new(),
        funcs: Vec::new(),
        array: Vec::new(),
        host: Vec::new(),
        traps: Vec::new(),
    };
    (|| {
        for _ in 0..r.count(8)? {
            linked.funcs.push((r.u32()?, r.u32()?));
        }
        for _ in 0..r.count(4)? {
            linked.array.push(r.u32()?);
        }
        for _ in 0..r.count(4)? {
            linked.host.push(r.u32()?);
        }
        for _ in 0..r.count(5)? {
            linked.traps.push((r.u32()?, r.u8()?));
        }
        for _ in 0..r.count(18)? {
            let site = r.u32()?;
            let kind = match r.u8()? {
                0 => RelocKind::PcRel4,
                1 => RelocKind::Abs8,
                _ => return None,
            };
            let target = match (r.u8()?, r.u32()?) {
                (0, o) => RelocTarget::Image(o),
                (1, i) => RelocTarget::LibCall(u8::try_from(i).ok()?),
                _ => return None,
            };
            linked.relocs.push(LinkReloc { site, kind, target, addend: r.u64()? as i64 });
        }
        let n = r.u32()? as usize;
        linked.image = r.bytes(n)?.to_vec();
        r.0.is_empty().then_some(())
    })()
    .ok_or_else(damaged)?;
    Ok(linked)
}

// ---- containers ---------------------------------------------------------------------------------------------

/// The whole `wasmedge` custom section (header included) and its payload, if `bytes` has one.
fn find_section(bytes: &[u8]) -> Option<(Range<usize>, Range<usize>)> {
    let mut r = wasmparser::BinaryReader::new(bytes, 0);
    r.read_bytes(8).ok()?;
    let mut found = None;
    while !r.eof() {
        let start = r.original_position() as usize;
        let id = r.read_u8().ok()?;
        let size = r.read_var_u32().ok()? as usize;
        let content = r.original_position() as usize;
        let end = content.checked_add(size).filter(|&e| e <= bytes.len())?;
        if id == 0 {
            let mut c = wasmparser::BinaryReader::new(&bytes[content..end], content as u64);
            if c.read_string().ok()? == SECTION {
                found = Some((start..end, c.original_position() as usize..end));
            }
        }
        r.skip(|r| r.read_bytes(size).map(|_| ())).ok()?;
    }
    found
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// The module's wasm bytes without any `wasmedge` section, and that section's payload.
fn split(bytes: &[u8]) -> (Vec<u8>, Option<&[u8]>) {
    match find_section(bytes) {
        Some((whole, payload)) => {
            let mut wasm = bytes[..whole.start].to_vec();
            wasm.extend_from_slice(&bytes[whole.end..]);
            (wasm, Some(&bytes[payload]))
        }
        None => (bytes.to_vec(), None),
    }
}

/// Look for native code for `m`: in its `wasmedge` section, or in the ELF container it came from.
pub(crate) fn load(m: &ModuleInner) -> Found {
    let (hash, payload): ([u8; 32], Vec<u8>) = if let Some(payload) = &m.aot_payload {
        (sha256(&[&m.bytes]), payload.to_vec())
    } else {
        match find_section(&m.bytes) {
            None => return Found::None,
            Some((whole, payload)) => {
                (sha256(&[&m.bytes[..whole.start], &m.bytes[whole.end..]]), m.bytes[payload].to_vec())
            }
        }
    };
    match decode(&payload, m.engine.config(), &hash) {
        Ok(linked) => Found::Code(linked),
        Err(why) => Found::Unusable(why),
    }
}

/// Whether `bytes` is an ELF file.
pub(crate) fn is_elf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x7fELF")
}

/// The wasm module and the native-code payload inside an ELF file written by [`compile_to_file`].
pub(crate) fn from_elf(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    use object::{Object, ObjectSection};
    let bad = |why: String| Error::malformed(format!("not a shared library written by `wasmedge compile`: {why}"), 0);
    let file = object::File::parse(bytes).map_err(|e| bad(e.to_string()))?;
    let section = |name: &str| -> Result<Vec<u8>> {
        let s = file.section_by_name(name).ok_or_else(|| bad(format!("no `{name}` section")))?;
        Ok(s.data().map_err(|e| bad(e.to_string()))?.to_vec())
    };
    let wasm = section(ELF_WASM)?;
    let mut payload = section(ELF_META)?;
    let code = section(ELF_CODE)?;
    payload.extend_from_slice(&(code.len() as u32).to_le_bytes());
    payload.extend_from_slice(&code);
    Ok((wasm, payload))
}

/// Compile the module in `wasm` with `engine`'s configuration and write it to `out`: an ELF shared library
/// when `out` ends in `.so`, else a universal wasm. A `wasmedge` section already in the input (ours or
/// WasmEdge's) is replaced.
pub fn compile_to_file(engine: &Engine, wasm: &[u8], out: &Path) -> Result<()> {
    let shared = out.extension().is_some_and(|e| e == "so");
    write_atomically(out, &compile_module(engine, wasm, shared)?)
}

/// Compile the module in `wasm` with `engine`'s configuration: the bytes of an ELF shared library
/// (`shared_library`) or of a universal wasm.
pub fn compile_module(engine: &Engine, wasm: &[u8], shared_library: bool) -> Result<Vec<u8>> {
    let (wasm, _) = split(wasm);
    let m = crate::module::Module::build_only(engine, &wasm)?;
    let linked = super::compile(&m.inner)?;
    let config = engine.config();
    let payload = encode(&target(config)?, codegen(config), &sha256(&[&wasm]), &linked);
    Ok(if shared_library {
        shared_object(&wasm, &payload, linked.image.len())?
    } else {
        let mut section = Vec::new();
        let name_len = leb(SECTION.len() as u32);
        let size = name_len.len() + SECTION.len() + payload.len();
        section.push(0);
        section.extend_from_slice(&leb(u32::try_from(size).map_err(|_| Error::unsupported("native code over 4 GiB"))?));
        section.extend_from_slice(&name_len);
        section.extend_from_slice(SECTION.as_bytes());
        section.extend_from_slice(&payload);
        [wasm.as_slice(), &section].concat()
    })
}

fn leb(mut v: u32) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// Write through a temporary file and a rename, so a failure never leaves a half-written output.
fn write_atomically(out: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = out.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, out)).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(&e)
    })
}

/// An ELF shared library holding the code in `wasmedge_code`, the rest of the payload in `.wasmedge` and
/// the module in `.wasmedge_wasm`: an object file written with `object`, linked by the system's `cc`.
fn shared_object(wasm: &[u8], payload: &[u8], image_len: usize) -> Result<Vec<u8>> {
    use object::write::{Object, StandardSegment, Symbol, SymbolSection};
    use object::{Architecture, BinaryFormat, Endianness, SectionKind, SymbolFlags, SymbolKind, SymbolScope};
    let arch = match std::env::consts::ARCH {
        "x86_64" => Architecture::X86_64,
        "aarch64" => Architecture::Aarch64,
        other => return Err(Error::unsupported(format!("shared libraries for {other}"))),
    };
    let (meta, code) = payload.split_at(payload.len() - image_len - 4);
    let code = &code[4..];
    let mut obj = Object::new(BinaryFormat::Elf, arch, Endianness::Little);
    let text = obj.add_section(
        obj.segment_name(StandardSegment::Text).to_vec(),
        ELF_CODE.as_bytes().to_vec(),
        SectionKind::Text,
    );
    obj.append_section_data(text, code, 16);
    obj.add_symbol(Symbol {
        name: b"wasmedge_native_code".to_vec(),
        value: 0,
        size: code.len() as u64,
        kind: SymbolKind::Text,
        scope: SymbolScope::Dynamic,
        weak: false,
        section: SymbolSection::Section(text),
        flags: SymbolFlags::None,
    });
    for (name, data) in [(ELF_META, meta), (ELF_WASM, wasm)] {
        let s = obj.add_section(Vec::new(), name.as_bytes().to_vec(), SectionKind::ReadOnlyData);
        obj.append_section_data(s, data, 8);
    }
    let object = obj.write().map_err(|e| Error::host(format!("cannot write the object file: {e}")))?;
    let dir = std::env::temp_dir().join(format!("wasmedge-compile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&e))?;
    let (o, so) = (dir.join("module.o"), dir.join("module.so"));
    let result = (|| {
        std::fs::write(&o, &object).map_err(|e| Error::io(&e))?;
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
        let status = std::process::Command::new(&cc)
            .args(["-shared", "-nostdlib", "-Wl,-z,noexecstack", "-o"])
            .arg(&so)
            .arg(&o)
            .status()
            .map_err(|e| {
                Error::host(format!(
                    "cannot run the linker `{cc}` (install a C toolchain, e.g. `apt-get install gcc`): {e}"
                ))
            })?;
        if !status.success() {
            return Err(Error::host(format!("the linker `{cc}` failed ({status})")));
        }
        std::fs::read(&so).map_err(|e| Error::io(&e))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_and_rejects_damage() {
        let mut config = Config::new();
        config.backend(crate::config::Backend::Compiler);
        let linked = Linked {
            image: vec![0xc3; 64],
            relocs: vec![LinkReloc { site: 4, kind: RelocKind::PcRel4, target: RelocTarget::Image(32), addend: -4 }],
            funcs: vec![(0, 16)],
            array: vec![32],
            host: vec![48],
            traps: vec![(3, 1)],
        };
        let hash = [7u8; 32];
        let payload = encode(&target(&config).unwrap(), codegen(&config), &hash, &linked);
        assert_eq!(decode(&payload, &config, &hash), Ok(linked));
        assert!(decode(&payload, &config, &[8u8; 32]).unwrap_err().contains("different module"));
        let mut damaged = payload.clone();
        *damaged.last_mut().unwrap() ^= 1;
        assert!(decode(&damaged, &config, &hash).unwrap_err().contains("damaged"));
        assert!(decode(&payload[..payload.len() - 1], &config, &hash).unwrap_err().contains("damaged"));
        assert!(decode(b"WasmEdge-AOT....", &config, &hash).unwrap_err().contains("another runtime"));
        let mut timed = config.clone();
        timed.interruptible(true);
        assert!(decode(&payload, &timed, &hash).unwrap_err().contains("--interruptible"));
    }
}
