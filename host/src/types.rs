//! Value and entity types, and values, as the embedding API sees them.

use std::fmt;
use std::sync::Arc;

use crate::error::{Error, Result};

/// A WebAssembly value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
}

impl ValType {
    /// How many 64-bit interpreter slots a value of this type occupies.
    pub(crate) fn slots(self) -> u32 {
        if self == ValType::V128 { 2 } else { 1 }
    }

    pub(crate) fn from_wasmparser(ty: wasmparser::ValType) -> Result<Self> {
        use wasmparser::ValType as W;
        Ok(match ty {
            W::I32 => ValType::I32,
            W::I64 => ValType::I64,
            W::F32 => ValType::F32,
            W::F64 => ValType::F64,
            W::V128 => ValType::V128,
            W::Ref(r) => ValType::from_ref_type(r)?,
        })
    }

    pub(crate) fn from_ref_type(r: wasmparser::RefType) -> Result<Self> {
        if r.is_func_ref() {
            Ok(ValType::FuncRef)
        } else if r.is_extern_ref() {
            Ok(ValType::ExternRef)
        } else {
            Err(Error::unsupported(format!(
                "reference type {r} needs the function-references or GC proposal, which is not supported yet"
            )))
        }
    }

    /// Whether this is a reference type.
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::FuncRef | ValType::ExternRef)
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
        })
    }
}

/// A function signature. Cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FuncType(Arc<FuncTypeInner>);

#[derive(PartialEq, Eq, Hash)]
struct FuncTypeInner {
    params: Box<[ValType]>,
    results: Box<[ValType]>,
}

impl FuncType {
    /// A signature from parameter and result types.
    pub fn new(params: impl IntoIterator<Item = ValType>, results: impl IntoIterator<Item = ValType>) -> Self {
        FuncType(Arc::new(FuncTypeInner {
            params: params.into_iter().collect(),
            results: results.into_iter().collect(),
        }))
    }

    /// The parameter types.
    pub fn params(&self) -> &[ValType] {
        &self.0.params
    }

    /// The result types.
    pub fn results(&self) -> &[ValType] {
        &self.0.results
    }

    pub(crate) fn result_slots(&self) -> u32 {
        self.results().iter().map(|t| t.slots()).sum()
    }
}

impl fmt::Debug for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |tys: &[ValType]| tys.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" ");
        write!(f, "(func (param {}) (result {}))", list(self.params()), list(self.results()))
    }
}

/// Size limits of a memory (in 64 KiB pages) or a table (in elements).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub min: u64,
    pub max: Option<u64>,
}

impl Limits {
    /// Whether `self` (what is provided) satisfies `required` (what an import asks for).
    pub fn matches(&self, required: &Limits) -> bool {
        self.min >= required.min
            && match (self.max, required.max) {
                (_, None) => true,
                (Some(have), Some(need)) => have <= need,
                (None, Some(_)) => false,
            }
    }
}

/// The type of a linear memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryType {
    pub limits: Limits,
}

/// The type of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableType {
    pub element: ValType,
    pub limits: Limits,
}

/// The type of a global.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalType {
    pub content: ValType,
    pub mutable: bool,
}

/// The type of anything that can be imported or exported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExternType {
    Func(FuncType),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
}

/// A reference to a function in a store; `None` in a [`Val`] is the null reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func(pub(crate) u32);

/// An opaque host reference (`externref`), chosen by the embedder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExternRef(pub u32);

/// A WebAssembly value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    I32(i32),
    I64(i64),
    /// An `f32`, kept as its bits so NaN payloads survive.
    F32(u32),
    /// An `f64`, kept as its bits so NaN payloads survive.
    F64(u64),
    V128(u128),
    FuncRef(Option<Func>),
    ExternRef(Option<ExternRef>),
}

impl Val {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
        }
    }

    /// The zero value of a type (null for references).
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
        }
    }

    /// The `f32` value, if this is one.
    pub fn f32(&self) -> Option<f32> {
        match *self {
            Val::F32(bits) => Some(f32::from_bits(bits)),
            _ => None,
        }
    }

    /// The `f64` value, if this is one.
    pub fn f64(&self) -> Option<f64> {
        match *self {
            Val::F64(bits) => Some(f64::from_bits(bits)),
            _ => None,
        }
    }

    /// Encode as raw interpreter slots (the low slot first). References use 0 for null and index + 1 otherwise.
    pub(crate) fn to_raw(self) -> u128 {
        match self {
            Val::I32(v) => v as u32 as u128,
            Val::I64(v) => v as u64 as u128,
            Val::F32(v) => v as u128,
            Val::F64(v) => v as u128,
            Val::V128(v) => v,
            Val::FuncRef(f) => f.map_or(0, |f| f.0 as u128 + 1),
            Val::ExternRef(r) => r.map_or(0, |r| r.0 as u128 + 1),
        }
    }

    /// Decode raw interpreter slots of type `ty`.
    pub(crate) fn from_raw(ty: ValType, raw: u128) -> Val {
        let lo = raw as u64;
        match ty {
            ValType::I32 => Val::I32(lo as u32 as i32),
            ValType::I64 => Val::I64(lo as i64),
            ValType::F32 => Val::F32(lo as u32),
            ValType::F64 => Val::F64(lo),
            ValType::V128 => Val::V128(raw),
            ValType::FuncRef => Val::FuncRef(if lo == 0 { None } else { Some(Func(lo as u32 - 1)) }),
            ValType::ExternRef => Val::ExternRef(if lo == 0 { None } else { Some(ExternRef(lo as u32 - 1)) }),
        }
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Val::I32(v) => write!(f, "{v}"),
            Val::I64(v) => write!(f, "{v}"),
            Val::F32(v) => write!(f, "{}", f32::from_bits(v)),
            Val::F64(v) => write!(f, "{}", f64::from_bits(v)),
            Val::V128(v) => write!(f, "0x{v:032x}"),
            Val::FuncRef(None) | Val::ExternRef(None) => write!(f, "null"),
            Val::FuncRef(Some(func)) => write!(f, "func#{}", func.0),
            Val::ExternRef(Some(r)) => write!(f, "extern#{}", r.0),
        }
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Self {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Self {
        Val::F32(v.to_bits())
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Self {
        Val::F64(v.to_bits())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_round_trip() {
        for v in [
            Val::I32(-5),
            Val::I64(i64::MIN),
            Val::F32(0x7fc0_0001),
            Val::F64(0xfff8_0000_0000_0001),
            Val::V128(u128::MAX - 3),
            Val::FuncRef(None),
            Val::FuncRef(Some(Func(7))),
            Val::ExternRef(Some(ExternRef(0))),
        ] {
            assert_eq!(Val::from_raw(v.ty(), v.to_raw()), v);
        }
    }

    #[test]
    fn limits_subtyping() {
        let l = |min, max| Limits { min, max };
        assert!(l(2, Some(3)).matches(&l(1, Some(4))));
        assert!(!l(1, None).matches(&l(1, Some(4))));
        assert!(!l(0, Some(1)).matches(&l(1, None)));
    }
}
