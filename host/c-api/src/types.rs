//! Type contexts: function, table, memory, global, import and export types.

use wasmedge_host::{ExternType, FuncType, GlobalType, Limits, MemoryType, TableType};

use crate::basic::{WasmEdge_Limit, WasmEdge_String};
use crate::ffi::{self, capi};
use crate::value::{self, WasmEdge_ValType};

/// `enum WasmEdge_ExternalType`.
pub const EXTERNAL_FUNCTION: u32 = 0;
pub const EXTERNAL_TABLE: u32 = 1;
pub const EXTERNAL_MEMORY: u32 = 2;
pub const EXTERNAL_GLOBAL: u32 = 3;

/// `enum WasmEdge_Mutability`.
pub const MUT_CONST: u32 = 0;
pub const MUT_VAR: u32 = 1;

/// `WasmEdge_FunctionTypeContext`.
#[derive(Clone, Debug)]
pub struct FunctionType {
    pub params: Vec<WasmEdge_ValType>,
    pub results: Vec<WasmEdge_ValType>,
}

impl FunctionType {
    pub fn from_host(ty: &FuncType) -> Self {
        FunctionType {
            params: ty.params().iter().map(|&t| WasmEdge_ValType::from_host(t)).collect(),
            results: ty.results().iter().map(|&t| WasmEdge_ValType::from_host(t)).collect(),
        }
    }

    /// "function signature mismatch" unless `params` are values of exactly the parameter types.
    pub fn check_params(&self, params: &[crate::value::WasmEdge_Value]) -> Result<(), wasmedge_host::Error> {
        if params.len() != self.params.len() || params.iter().zip(&self.params).any(|(v, t)| !v.ty.same(*t)) {
            return Err(wasmedge_host::Error::host_code(
                crate::basic::code::FUNC_SIG_MISMATCH,
                "function signature mismatch",
            ));
        }
        Ok(())
    }

    /// Our engine's type; `None` when a type is one our engine does not have.
    pub fn to_host(&self) -> Option<FuncType> {
        let params: Option<Vec<_>> = self.params.iter().map(|t| t.to_host()).collect();
        let results: Option<Vec<_>> = self.results.iter().map(|t| t.to_host()).collect();
        Some(FuncType::new(params?, results?))
    }
}

fn limit_from_host(l: Limits) -> WasmEdge_Limit {
    WasmEdge_Limit {
        has_max: l.max.is_some(),
        shared: false,
        min: l.min.min(u32::MAX as u64) as u32,
        max: l.max.unwrap_or(0).min(u32::MAX as u64) as u32,
    }
}

pub fn limit_to_host(l: WasmEdge_Limit) -> Limits {
    Limits { min: l.min as u64, max: l.has_max.then_some(l.max as u64) }
}

/// `WasmEdge_TableTypeContext`.
#[derive(Clone, Copy, Debug)]
pub struct TableTypeCtx {
    pub ref_type: WasmEdge_ValType,
    pub limit: WasmEdge_Limit,
}

impl TableTypeCtx {
    pub fn from_host(t: TableType) -> Self {
        TableTypeCtx { ref_type: WasmEdge_ValType::from_host(t.element), limit: limit_from_host(t.limits) }
    }

    pub fn to_host(&self) -> Option<TableType> {
        Some(TableType { element: self.ref_type.to_host()?, limits: limit_to_host(self.limit) })
    }
}

/// `WasmEdge_MemoryTypeContext`.
#[derive(Clone, Copy, Debug)]
pub struct MemoryTypeCtx {
    pub limit: WasmEdge_Limit,
}

impl MemoryTypeCtx {
    pub fn from_host(t: MemoryType) -> Self {
        MemoryTypeCtx { limit: limit_from_host(t.limits) }
    }

    pub fn to_host(&self) -> MemoryType {
        MemoryType { limits: limit_to_host(self.limit) }
    }
}

/// `WasmEdge_GlobalTypeContext`.
#[derive(Clone, Copy, Debug)]
pub struct GlobalTypeCtx {
    pub val_type: WasmEdge_ValType,
    pub mutability: u32,
}

impl GlobalTypeCtx {
    pub fn from_host(t: GlobalType) -> Self {
        GlobalTypeCtx {
            val_type: WasmEdge_ValType::from_host(t.content),
            mutability: if t.mutable { MUT_VAR } else { MUT_CONST },
        }
    }

    pub fn to_host(&self) -> Option<GlobalType> {
        Some(GlobalType { content: self.val_type.to_host()?, mutable: self.mutability == MUT_VAR })
    }
}

/// The type of an import or export, with its type context (which lives as long as the AST module).
#[derive(Clone, Debug)]
pub enum ExternTypeCtx {
    Func(FunctionType),
    Table(TableTypeCtx),
    Memory(MemoryTypeCtx),
    Global(GlobalTypeCtx),
}

impl ExternTypeCtx {
    pub fn from_host(t: &ExternType) -> Self {
        match t {
            ExternType::Func(f) => ExternTypeCtx::Func(FunctionType::from_host(f)),
            ExternType::Table(t) => ExternTypeCtx::Table(TableTypeCtx::from_host(*t)),
            ExternType::Memory(m) => ExternTypeCtx::Memory(MemoryTypeCtx::from_host(*m)),
            ExternType::Global(g) => ExternTypeCtx::Global(GlobalTypeCtx::from_host(*g)),
        }
    }

    pub fn external_type(&self) -> u32 {
        match self {
            ExternTypeCtx::Func(_) => EXTERNAL_FUNCTION,
            ExternTypeCtx::Table(_) => EXTERNAL_TABLE,
            ExternTypeCtx::Memory(_) => EXTERNAL_MEMORY,
            ExternTypeCtx::Global(_) => EXTERNAL_GLOBAL,
        }
    }
}

/// `WasmEdge_ImportTypeContext`, owned by its AST module.
#[derive(Clone, Debug)]
pub struct ImportType {
    pub module: String,
    pub name: String,
    pub ty: ExternTypeCtx,
}

/// `WasmEdge_ExportTypeContext`, owned by its AST module.
#[derive(Clone, Debug)]
pub struct ExportType {
    pub name: String,
    pub ty: ExternTypeCtx,
}

/// `WasmEdge_TagTypeContext`: our engine has no exception handling, so no tag type is ever handed out.
pub struct TagType;

/// Shared accessors of import and export type contexts.
fn ty_of(ty: Option<&ExternTypeCtx>, ast: *const crate::loader::AstModule) -> Option<&ExternTypeCtx> {
    ffi::get(ast)?;
    ty
}

capi! {
    /// NULL lists with a non-zero length are read as empty.
    fn WasmEdge_FunctionTypeCreate(
        params: *const WasmEdge_ValType,
        param_len: u32,
        results: *const WasmEdge_ValType,
        result_len: u32,
    ) -> *mut FunctionType {
        ffi::into_raw(FunctionType {
            params: ffi::slice(params, param_len).to_vec(),
            results: ffi::slice(results, result_len).to_vec(),
        })
    }
    fn WasmEdge_FunctionTypeGetParametersLength(cxt: *const FunctionType) -> u32 {
        ffi::get(cxt).map_or(0, |f| f.params.len() as u32)
    }
    /// Fills at most `len` entries; returns the number of parameters.
    fn WasmEdge_FunctionTypeGetParameters(cxt: *const FunctionType, list: *mut WasmEdge_ValType, len: u32) -> u32 {
        let Some(f) = ffi::get(cxt) else { return 0 };
        let out = ffi::slice_mut(list, len);
        let n = out.len().min(f.params.len());
        out[..n].copy_from_slice(&f.params[..n]);
        f.params.len() as u32
    }
    fn WasmEdge_FunctionTypeGetReturnsLength(cxt: *const FunctionType) -> u32 {
        ffi::get(cxt).map_or(0, |f| f.results.len() as u32)
    }
    fn WasmEdge_FunctionTypeGetReturns(cxt: *const FunctionType, list: *mut WasmEdge_ValType, len: u32) -> u32 {
        let Some(f) = ffi::get(cxt) else { return 0 };
        let out = ffi::slice_mut(list, len);
        let n = out.len().min(f.results.len());
        out[..n].copy_from_slice(&f.results[..n]);
        f.results.len() as u32
    }
    fn WasmEdge_FunctionTypeDelete(cxt: *mut FunctionType) {
        ffi::delete(cxt)
    }

    /// NULL unless `ref_type` is a reference type, as WasmEdge.
    fn WasmEdge_TableTypeCreate(ref_type: WasmEdge_ValType, limit: WasmEdge_Limit) -> *mut TableTypeCtx {
        if !ref_type.is_ref() {
            return std::ptr::null_mut();
        }
        let limit = WasmEdge_Limit { max: if limit.has_max { limit.max } else { 0 }, ..limit };
        ffi::into_raw(TableTypeCtx { ref_type, limit })
    }
    fn WasmEdge_TableTypeGetRefType(cxt: *const TableTypeCtx) -> WasmEdge_ValType {
        ffi::get(cxt).map_or(value::FUNC_REF, |t| t.ref_type)
    }
    fn WasmEdge_TableTypeGetLimit(cxt: *const TableTypeCtx) -> WasmEdge_Limit {
        ffi::get(cxt).map_or(WasmEdge_Limit::default(), |t| t.limit)
    }
    fn WasmEdge_TableTypeDelete(cxt: *mut TableTypeCtx) {
        ffi::delete(cxt)
    }

    fn WasmEdge_MemoryTypeCreate(limit: WasmEdge_Limit) -> *mut MemoryTypeCtx {
        let limit = WasmEdge_Limit { max: if limit.has_max { limit.max } else { 0 }, ..limit };
        ffi::into_raw(MemoryTypeCtx { limit })
    }
    fn WasmEdge_MemoryTypeGetLimit(cxt: *const MemoryTypeCtx) -> WasmEdge_Limit {
        ffi::get(cxt).map_or(WasmEdge_Limit::default(), |t| t.limit)
    }
    fn WasmEdge_MemoryTypeDelete(cxt: *mut MemoryTypeCtx) {
        ffi::delete(cxt)
    }

    /// Always NULL: no tag type exists without exception handling.
    fn WasmEdge_TagTypeGetFunctionType(cxt: *const TagType) -> *const FunctionType {
        let _ = cxt;
        std::ptr::null()
    }

    fn WasmEdge_GlobalTypeCreate(val_type: WasmEdge_ValType, mutability: u32) -> *mut GlobalTypeCtx {
        ffi::into_raw(GlobalTypeCtx { val_type, mutability: if mutability == MUT_VAR { MUT_VAR } else { MUT_CONST } })
    }
    fn WasmEdge_GlobalTypeGetValType(cxt: *const GlobalTypeCtx) -> WasmEdge_ValType {
        ffi::get(cxt).map_or(value::I32, |t| t.val_type)
    }
    fn WasmEdge_GlobalTypeGetMutability(cxt: *const GlobalTypeCtx) -> u32 {
        ffi::get(cxt).map_or(MUT_CONST, |t| t.mutability)
    }
    fn WasmEdge_GlobalTypeDelete(cxt: *mut GlobalTypeCtx) {
        ffi::delete(cxt)
    }

    fn WasmEdge_ImportTypeGetExternalType(cxt: *const ImportType) -> u32 {
        ffi::get(cxt).map_or(EXTERNAL_FUNCTION, |i| i.ty.external_type())
    }
    /// Borrowed from the AST module.
    fn WasmEdge_ImportTypeGetModuleName(cxt: *const ImportType) -> WasmEdge_String {
        ffi::get(cxt).map_or(WasmEdge_String::EMPTY, |i| WasmEdge_String::wrap(&i.module))
    }
    fn WasmEdge_ImportTypeGetExternalName(cxt: *const ImportType) -> WasmEdge_String {
        ffi::get(cxt).map_or(WasmEdge_String::EMPTY, |i| WasmEdge_String::wrap(&i.name))
    }
    fn WasmEdge_ImportTypeGetFunctionType(ast: *const crate::loader::AstModule, cxt: *const ImportType) -> *const FunctionType {
        match ty_of(ffi::get(cxt).map(|i| &i.ty), ast) {
            Some(ExternTypeCtx::Func(f)) => f,
            _ => std::ptr::null(),
        }
    }
    fn WasmEdge_ImportTypeGetTableType(ast: *const crate::loader::AstModule, cxt: *const ImportType) -> *const TableTypeCtx {
        match ty_of(ffi::get(cxt).map(|i| &i.ty), ast) {
            Some(ExternTypeCtx::Table(t)) => t,
            _ => std::ptr::null(),
        }
    }
    fn WasmEdge_ImportTypeGetMemoryType(ast: *const crate::loader::AstModule, cxt: *const ImportType) -> *const MemoryTypeCtx {
        match ty_of(ffi::get(cxt).map(|i| &i.ty), ast) {
            Some(ExternTypeCtx::Memory(m)) => m,
            _ => std::ptr::null(),
        }
    }
    /// Always NULL (no tags).
    fn WasmEdge_ImportTypeGetTagType(ast: *const crate::loader::AstModule, cxt: *const ImportType) -> *const TagType {
        let _ = (ast, cxt);
        std::ptr::null()
    }
    fn WasmEdge_ImportTypeGetGlobalType(ast: *const crate::loader::AstModule, cxt: *const ImportType) -> *const GlobalTypeCtx {
        match ty_of(ffi::get(cxt).map(|i| &i.ty), ast) {
            Some(ExternTypeCtx::Global(g)) => g,
            _ => std::ptr::null(),
        }
    }

    fn WasmEdge_ExportTypeGetExternalType(cxt: *const ExportType) -> u32 {
        ffi::get(cxt).map_or(EXTERNAL_FUNCTION, |e| e.ty.external_type())
    }
    fn WasmEdge_ExportTypeGetExternalName(cxt: *const ExportType) -> WasmEdge_String {
        ffi::get(cxt).map_or(WasmEdge_String::EMPTY, |e| WasmEdge_String::wrap(&e.name))
    }
    fn WasmEdge_ExportTypeGetFunctionType(ast: *const crate::loader::AstModule, cxt: *const ExportType) -> *const FunctionType {
        match ty_of(ffi::get(cxt).map(|e| &e.ty), ast) {
            Some(ExternTypeCtx::Func(f)) => f,
            _ => std::ptr::null(),
        }
    }
    fn WasmEdge_ExportTypeGetTableType(ast: *const crate::loader::AstModule, cxt: *const ExportType) -> *const TableTypeCtx {
        match ty_of(ffi::get(cxt).map(|e| &e.ty), ast) {
            Some(ExternTypeCtx::Table(t)) => t,
            _ => std::ptr::null(),
        }
    }
    fn WasmEdge_ExportTypeGetMemoryType(ast: *const crate::loader::AstModule, cxt: *const ExportType) -> *const MemoryTypeCtx {
        match ty_of(ffi::get(cxt).map(|e| &e.ty), ast) {
            Some(ExternTypeCtx::Memory(m)) => m,
            _ => std::ptr::null(),
        }
    }
    /// Always NULL (no tags).
    fn WasmEdge_ExportTypeGetTagType(ast: *const crate::loader::AstModule, cxt: *const ExportType) -> *const TagType {
        let _ = (ast, cxt);
        std::ptr::null()
    }
    fn WasmEdge_ExportTypeGetGlobalType(ast: *const crate::loader::AstModule, cxt: *const ExportType) -> *const GlobalTypeCtx {
        match ty_of(ffi::get(cxt).map(|e| &e.ty), ast) {
            Some(ExternTypeCtx::Global(g)) => g,
            _ => std::ptr::null(),
        }
    }
}
