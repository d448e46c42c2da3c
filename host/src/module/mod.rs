//! Loading and validation: bytes in, a validated [`Module`] out.
//!
//! One pass of `wasmparser` decodes every section and validates it, function bodies included (those of a large
//! code section on all cores, once the section is read). The module
//! keeps what instantiation needs (types, imports, segments, exports) and the byte range of every function
//! body; bodies are translated to interpreter code lazily, on their first call (see `interp::translate`).

mod const_expr;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use wasmparser::{
    FuncToValidate, FuncValidatorAllocations, FunctionBody, Parser, Payload, Validator, ValidatorResources,
};

pub(crate) use const_expr::{ConstExpr, ConstOp};

use crate::config::Config;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::interp::CompiledFunc;
use crate::types::{ExternType, FuncType, GlobalType, Limits, MemoryType, TableType, ValType};

/// A validated WebAssembly module. Cheap to clone; instantiate it as often as you like.
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

pub(crate) struct ModuleInner {
    pub engine: Engine,
    pub bytes: Box<[u8]>,
    pub types: Vec<FuncType>,
    /// Engine-wide identity of each type, for `call_indirect` checks across modules.
    pub type_ids: Vec<u32>,
    pub imports: Vec<Import>,
    /// The type index of every function, imported ones first.
    pub funcs: Vec<u32>,
    pub num_imported_funcs: u32,
    pub tables: Vec<TableType>,
    pub num_imported_tables: u32,
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    pub globals: Vec<GlobalType>,
    pub global_inits: Vec<ConstExpr>,
    pub num_imported_globals: u32,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment>,
    /// The byte range of each defined function's body within `bytes`.
    pub bodies: Vec<Range<usize>>,
    /// Interpreter code per defined function, translated on first call.
    pub code: Box<[OnceLock<Arc<CompiledFunc>>]>,
    /// Function names from the `name` custom section, for error messages.
    pub func_names: HashMap<u32, String>,
    /// Native code for every function, when the engine uses the compiler or the module carries it.
    pub native: Option<Arc<crate::compiler::NativeModule>>,
    /// The native-code payload of the ELF file the module came from.
    pub aot_payload: Option<Box<[u8]>>,
    /// Why native code the module carries is not used.
    pub warnings: Vec<String>,
}

/// One import of a module.
#[derive(Clone, Debug)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub ty: ExternType,
}

/// What an export refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
}

/// One export of a module.
#[derive(Clone, Debug)]
pub struct Export {
    pub name: String,
    pub kind: ExportKind,
}

#[derive(Clone, Debug)]
pub(crate) enum SegmentMode {
    Passive,
    Active { index: u32, offset: ConstExpr },
    Declared,
}

#[derive(Clone, Debug)]
pub(crate) struct ElemSegment {
    pub mode: SegmentMode,
    pub items: Vec<ConstExpr>,
}

#[derive(Clone, Debug)]
pub(crate) struct DataSegment {
    pub mode: SegmentMode,
    pub bytes: Range<usize>,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("imports", &self.inner.imports.len())
            .field("functions", &self.inner.funcs.len())
            .field("exports", &self.inner.exports.iter().map(|e| e.name.as_str()).collect::<Vec<_>>())
            .finish()
    }
}

impl Module {
    /// Decode and validate a module from its binary.
    ///
    /// `bytes` may also be the output of `wasmedge compile` (a universal wasm or a shared library): its
    /// native code runs when it was made for this machine and configuration ([`Module::warnings`] says why
    /// not otherwise).
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let bytes = bytes.as_ref();
        let mut inner = if crate::compiler::aot::is_elf(bytes) {
            let (wasm, payload) = crate::compiler::aot::from_elf(bytes)?;
            let mut inner = Builder::new(engine).build(wasm.into())?;
            inner.aot_payload = Some(payload.into());
            inner
        } else {
            Builder::new(engine).build(bytes.into())?
        };
        let mut warnings = Vec::new();
        inner.native = crate::compiler::prepare(&inner, &mut warnings)?;
        inner.warnings = warnings;
        Ok(Module { inner: Arc::new(inner) })
    }

    /// Translate every defined function for the interpreter now instead of on its first call, and return
    /// the size of the code section's bodies and of the translated code, in bytes. For measurements (the
    /// benchmark compares translation speed and size with wasmi's); running a module never needs it.
    #[doc(hidden)]
    pub fn translate_all(&self) -> Result<(usize, usize)> {
        let inner = &self.inner;
        let mut translated = 0;
        for def in 0..inner.code.len() {
            let code = inner.interp_code(def)?;
            translated += std::mem::size_of_val(&*code.code) + std::mem::size_of_val(&*code.consts);
        }
        Ok((inner.bodies.iter().map(|b| b.len()).sum(), translated))
    }

    /// Decode and validate without preparing any code (for `wasmedge compile`).
    pub(crate) fn build_only(engine: &Engine, bytes: &[u8]) -> Result<Module> {
        Ok(Module { inner: Arc::new(Builder::new(engine).build(bytes.into())?) })
    }

    /// Why native code in the module's file is not used (made for another machine, engine version or
    /// configuration, or by another runtime); empty when it runs or when there was none.
    pub fn warnings(&self) -> &[String] {
        &self.inner.warnings
    }

    /// Whether the module runs as native code (compiled now, or loaded from `wasmedge compile` output).
    pub fn is_native(&self) -> bool {
        self.inner.native.is_some()
    }

    /// Read a module from a file.
    pub fn from_file(engine: &Engine, path: impl AsRef<std::path::Path>) -> Result<Module> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(&e))?;
        Module::new(engine, bytes)
    }

    /// The module's imports in order.
    pub fn imports(&self) -> &[Import] {
        &self.inner.imports
    }

    /// The module's exports with their types.
    pub fn exports(&self) -> impl Iterator<Item = (&str, ExternType)> + '_ {
        self.inner.exports.iter().map(|e| (e.name.as_str(), self.inner.extern_type(e.kind)))
    }

    /// The engine this module was loaded with.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }
}

impl ModuleInner {
    /// The interpreter code of defined function `def`, translated on first use and kept in `code`.
    pub fn interp_code(&self, def: usize) -> Result<&Arc<CompiledFunc>> {
        let cell = &self.code[def];
        if let Some(code) = cell.get() {
            return Ok(code);
        }
        let code = crate::interp::translate::translate(self, def)
            .map_err(|e| e.with_function(self.func_name(self.num_imported_funcs + def as u32)))?;
        Ok(cell.get_or_init(|| Arc::new(code)))
    }

    pub fn func_type(&self, func: u32) -> &FuncType {
        &self.types[self.funcs[func as usize] as usize]
    }

    pub fn extern_type(&self, kind: ExportKind) -> ExternType {
        match kind {
            ExportKind::Func(i) => ExternType::Func(self.func_type(i).clone()),
            ExportKind::Table(i) => ExternType::Table(self.tables[i as usize]),
            ExportKind::Memory(i) => ExternType::Memory(self.memories[i as usize]),
            ExportKind::Global(i) => ExternType::Global(self.globals[i as usize]),
        }
    }

    /// A printable name for function `func`: its name-section name, else its export name, else `#index`.
    pub fn func_name(&self, func: u32) -> String {
        if let Some(name) = self.func_names.get(&func) {
            return name.clone();
        }
        self.exports
            .iter()
            .find(|e| e.kind == ExportKind::Func(func))
            .map_or_else(|| format!("#{func}"), |e| e.name.clone())
    }
}

/// A code section at least this large has its function bodies validated in parallel, after it is read (a
/// smaller one is validated body by body as it is read, which costs less than handing work to threads).
const PARALLEL_CODE_BYTES: u32 = 256 * 1024;

/// A function body whose validation `Builder::read` left for later.
type DeferredBody<'b> = (FuncToValidate<ValidatorResources>, FunctionBody<'b>);

/// Validate one function body, reusing the validator's allocations.
fn validate_body(
    func: FuncToValidate<ValidatorResources>,
    body: &FunctionBody<'_>,
    allocs: &mut FuncValidatorAllocations,
) -> std::result::Result<(), wasmparser::BinaryReaderError> {
    let mut fv = func.into_validator(std::mem::take(allocs));
    let result = fv.validate(body);
    *allocs = fv.into_allocations();
    result
}

struct Builder<'e> {
    engine: &'e Engine,
    config: &'e Config,
    m: Partial,
}

#[derive(Default)]
struct Partial {
    types: Vec<FuncType>,
    imports: Vec<Import>,
    funcs: Vec<u32>,
    num_imported_funcs: u32,
    tables: Vec<TableType>,
    num_imported_tables: u32,
    memories: Vec<MemoryType>,
    num_imported_memories: u32,
    globals: Vec<GlobalType>,
    global_inits: Vec<ConstExpr>,
    num_imported_globals: u32,
    exports: Vec<Export>,
    start: Option<u32>,
    elems: Vec<ElemSegment>,
    datas: Vec<DataSegment>,
    bodies: Vec<Range<usize>>,
    func_names: HashMap<u32, String>,
}

fn parse_err(e: wasmparser::BinaryReaderError) -> Error {
    Error::malformed(e.message(), e.offset())
}

impl<'e> Builder<'e> {
    fn new(engine: &'e Engine) -> Self {
        Builder { engine, config: engine.config(), m: Partial::default() }
    }

    fn build(mut self, bytes: Box<[u8]>) -> Result<ModuleInner> {
        let mut deferred = Vec::new();
        let read = self.read(&bytes, &mut deferred);
        // The deferred bodies all come before whatever stopped the reading, so their errors come first.
        self.validate_bodies(deferred, &bytes)?;
        read?;
        let m = self.m;
        let type_ids = m.types.iter().map(|t| self.engine.intern_type(t)).collect();
        let code = (0..m.bodies.len()).map(|_| OnceLock::new()).collect();
        Ok(ModuleInner {
            engine: self.engine.clone(),
            bytes,
            types: m.types,
            type_ids,
            imports: m.imports,
            funcs: m.funcs,
            num_imported_funcs: m.num_imported_funcs,
            tables: m.tables,
            num_imported_tables: m.num_imported_tables,
            memories: m.memories,
            num_imported_memories: m.num_imported_memories,
            globals: m.globals,
            global_inits: m.global_inits,
            num_imported_globals: m.num_imported_globals,
            exports: m.exports,
            start: m.start,
            elems: m.elems,
            datas: m.datas,
            bodies: m.bodies,
            code,
            func_names: m.func_names,
            native: None,
            aot_payload: None,
            warnings: Vec::new(),
        })
    }

    /// Decode and validate every section. Function bodies are validated as they are read, or, in a code
    /// section of at least [`PARALLEL_CODE_BYTES`], left in `deferred` for [`Self::validate_bodies`].
    fn read<'b>(&mut self, bytes: &'b [u8], deferred: &mut Vec<DeferredBody<'b>>) -> Result<()> {
        let mut validator = Validator::new_with_features(self.config.wasm_features());
        let mut allocs = FuncValidatorAllocations::default();
        let mut defer = false;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(parse_err)?;
            match &payload {
                Payload::MemorySection(reader) => {
                    let range = reader.range();
                    check_memory_limit_encoding(&bytes[range.start as usize..range.end as usize], range.start)?;
                }
                Payload::CodeSectionStart { size, .. } => defer = *size >= PARALLEL_CODE_BYTES,
                _ => {}
            }
            let valid = validator.payload(&payload).map_err(|e| self.validation_error(e, bytes))?;
            if let wasmparser::ValidPayload::Func(func, body) = valid {
                if defer {
                    deferred.push((func, body));
                } else {
                    validate_body(func, &body, &mut allocs).map_err(|e| self.validation_error(e, bytes))?;
                }
            }
            self.payload(payload)?;
        }
        Ok(())
    }

    /// Validate the bodies `read` deferred, on all cores; the error of the first invalid one in module
    /// order, as validating them one after another would give.
    fn validate_bodies(&self, bodies: Vec<DeferredBody<'_>>, bytes: &[u8]) -> Result<()> {
        let first_error = bodies
            .into_par_iter()
            .enumerate()
            .map_init(FuncValidatorAllocations::default, |allocs, (i, (func, body))| {
                validate_body(func, &body, allocs).err().map(|e| (i, e))
            })
            .flatten()
            .min_by_key(|(i, _)| *i);
        match first_error {
            Some((_, e)) => Err(self.validation_error(e, bytes)),
            None => Ok(()),
        }
    }

    /// Turn a validator error into ours. If the user switched on proposals this engine does not implement
    /// yet and the module validates with them, say that instead of reporting it invalid.
    fn validation_error(&self, e: wasmparser::BinaryReaderError, bytes: &[u8]) -> Error {
        let unsupported: Vec<&str> = self.config.unsupported_enabled().map(|p| p.name()).collect();
        if !unsupported.is_empty()
            && Validator::new_with_features(self.config.all_enabled_features()).validate_all(bytes).is_ok()
        {
            return Error::unsupported(format!(
                "{} (the module needs a proposal not supported by this engine yet: {})",
                e.message(),
                unsupported.join(", ")
            ))
            .with_offset(e.offset());
        }
        Error::invalid(e.message(), e.offset())
    }

    fn payload(&mut self, payload: Payload<'_>) -> Result<()> {
        match payload {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    let ty = ty.map_err(parse_err)?;
                    let params =
                        ty.params().iter().map(|&t| ValType::from_wasmparser(t)).collect::<Result<Vec<_>>>()?;
                    let results =
                        ty.results().iter().map(|&t| ValType::from_wasmparser(t)).collect::<Result<Vec<_>>>()?;
                    self.m.types.push(FuncType::new(params, results));
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(parse_err)?;
                    let ty = self.import_type(import.ty)?;
                    self.m.imports.push(Import { module: import.module.into(), name: import.name.into(), ty });
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    self.m.funcs.push(ty.map_err(parse_err)?);
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let table = table.map_err(parse_err)?;
                    if let wasmparser::TableInit::Expr(_) = table.init {
                        return Err(Error::unsupported(
                            "table initializer expressions need the function-references proposal, not supported yet",
                        ));
                    }
                    self.m.tables.push(table_type(table.ty)?);
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    self.m.memories.push(memory_type(memory.map_err(parse_err)?)?);
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global.map_err(parse_err)?;
                    self.m.globals.push(global_type(global.ty)?);
                    self.m.global_inits.push(ConstExpr::parse(&global.init_expr)?);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(parse_err)?;
                    let kind = match export.kind {
                        wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => {
                            ExportKind::Func(export.index)
                        }
                        wasmparser::ExternalKind::Table => ExportKind::Table(export.index),
                        wasmparser::ExternalKind::Memory => ExportKind::Memory(export.index),
                        wasmparser::ExternalKind::Global => ExportKind::Global(export.index),
                        wasmparser::ExternalKind::Tag => {
                            return Err(Error::unsupported("exception tags are not supported yet"));
                        }
                    };
                    self.m.exports.push(Export { name: export.name.into(), kind });
                }
            }
            Payload::StartSection { func, .. } => self.m.start = Some(func),
            Payload::ElementSection(reader) => {
                for elem in reader {
                    let elem = elem.map_err(parse_err)?;
                    self.m.elems.push(elem_segment(elem)?);
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data.map_err(parse_err)?;
                    let mode = match data.kind {
                        wasmparser::DataKind::Passive => SegmentMode::Passive,
                        wasmparser::DataKind::Active { memory_index, offset_expr } => {
                            SegmentMode::Active { index: memory_index, offset: ConstExpr::parse(&offset_expr)? }
                        }
                    };
                    let end = data.range.end as usize;
                    self.m.datas.push(DataSegment { mode, bytes: end - data.data.len()..end });
                }
            }
            Payload::CodeSectionEntry(body) => {
                let range = body.range();
                self.m.bodies.push(range.start as usize..range.end as usize);
            }
            Payload::CustomSection(reader) => {
                if let wasmparser::KnownCustom::Name(names) = reader.as_known() {
                    // A broken name section is not an error (the spec says custom sections are ignored).
                    for name in names.into_iter().flatten() {
                        if let wasmparser::Name::Function(map) = name {
                            for naming in map.into_iter().flatten() {
                                self.m.func_names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            Payload::TagSection(_) => return Err(Error::unsupported("exception tags are not supported yet")),
            _ => {}
        }
        Ok(())
    }

    fn import_type(&mut self, ty: wasmparser::TypeRef) -> Result<ExternType> {
        Ok(match ty {
            wasmparser::TypeRef::Func(idx) | wasmparser::TypeRef::FuncExact(idx) => {
                self.m.funcs.push(idx);
                self.m.num_imported_funcs += 1;
                ExternType::Func(self.m.types[idx as usize].clone())
            }
            wasmparser::TypeRef::Table(t) => {
                let t = table_type(t)?;
                self.m.tables.push(t);
                self.m.num_imported_tables += 1;
                ExternType::Table(t)
            }
            wasmparser::TypeRef::Memory(m) => {
                let m = memory_type(m)?;
                self.m.memories.push(m);
                self.m.num_imported_memories += 1;
                ExternType::Memory(m)
            }
            wasmparser::TypeRef::Global(g) => {
                let g = global_type(g)?;
                self.m.globals.push(g);
                self.m.global_inits.push(ConstExpr::default());
                self.m.num_imported_globals += 1;
                ExternType::Global(g)
            }
            wasmparser::TypeRef::Tag(_) => return Err(Error::unsupported("exception tags are not supported yet")),
        })
    }
}

fn table_type(t: wasmparser::TableType) -> Result<TableType> {
    if t.table64 {
        return Err(Error::unsupported("64-bit tables (memory64 proposal) are not supported yet"));
    }
    Ok(TableType {
        element: ValType::from_ref_type(t.element_type)?,
        limits: Limits { min: t.initial, max: t.maximum },
    })
}

fn memory_type(m: wasmparser::MemoryType) -> Result<MemoryType> {
    if m.memory64 {
        return Err(Error::unsupported("64-bit memories (memory64 proposal) are not supported yet"));
    }
    if m.shared {
        return Err(Error::unsupported("shared memories (threads proposal) are not supported yet"));
    }
    if m.page_size_log2.is_some() {
        return Err(Error::unsupported("custom page sizes are not supported yet"));
    }
    Ok(MemoryType { limits: Limits { min: m.initial, max: m.maximum } })
}

fn global_type(g: wasmparser::GlobalType) -> Result<GlobalType> {
    if g.shared {
        return Err(Error::unsupported("shared globals are not supported yet"));
    }
    Ok(GlobalType { content: ValType::from_wasmparser(g.content_type)?, mutable: g.mutable })
}

fn elem_segment(elem: wasmparser::Element<'_>) -> Result<ElemSegment> {
    let mode = match elem.kind {
        wasmparser::ElementKind::Passive => SegmentMode::Passive,
        wasmparser::ElementKind::Declared => SegmentMode::Declared,
        wasmparser::ElementKind::Active { table_index, offset_expr } => {
            SegmentMode::Active { index: table_index.unwrap_or(0), offset: ConstExpr::parse(&offset_expr)? }
        }
    };
    let items = match elem.items {
        wasmparser::ElementItems::Functions(funcs) => funcs
            .into_iter()
            .map(|f| f.map(|f| ConstExpr::from_op(ConstOp::RefFunc(f))).map_err(parse_err))
            .collect::<Result<Vec<_>>>()?,
        wasmparser::ElementItems::Expressions(ty, exprs) => {
            // Reject reference types this engine cannot represent before reading the items.
            ValType::from_ref_type(ty)?;
            exprs.into_iter().map(|e| ConstExpr::parse(&e.map_err(parse_err)?)).collect::<Result<Vec<_>>>()?
        }
    };
    Ok(ElemSegment { mode, items })
}

/// Reject 32-bit memory limits encoded in more than five LEB128 bytes.
///
/// wasmparser reads every memory limit as a `u64` (memory64 needs it) and so accepts a six-byte encoding of
/// a 32-bit limit, which the spec calls malformed ("integer representation too long"). Re-read the limits
/// of 32-bit memories with `read_var_u32`, which enforces the length.
fn check_memory_limit_encoding(section: &[u8], offset: u64) -> Result<()> {
    let mut r = wasmparser::BinaryReader::new(section, offset);
    let count = r.read_var_u32().map_err(parse_err)?;
    for _ in 0..count {
        let flags = r.read_u8().map_err(parse_err)?;
        let memory64 = flags & 0x04 != 0;
        let limits = 1 + usize::from(flags & 0x01 != 0);
        for _ in 0..limits {
            if memory64 {
                r.read_var_u64().map_err(parse_err)?;
            } else {
                r.read_var_u32().map_err(parse_err)?;
            }
        }
        if flags & 0x08 != 0 {
            r.read_var_u32().map_err(parse_err)?;
        }
    }
    Ok(())
}
