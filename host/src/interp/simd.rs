//! SIMD (`v128`) operators.
//!
//! Not implemented yet: a function that uses one fails on its first call with an error naming the
//! operator, so nothing runs with wrong semantics. Constants, locals, globals, `select` and calls of `v128`
//! values already work (they only move bits).

use wasmparser::Operator;

use super::translate::Translator;
use crate::error::{Error, Result};

/// Whether `op` is a SIMD operator.
pub(crate) fn is_simd(op: &Operator<'_>) -> bool {
    let name = format!("{op:?}");
    name.starts_with("V128")
        || name.starts_with("I8x16")
        || name.starts_with("I16x8")
        || name.starts_with("I32x4")
        || name.starts_with("I64x2")
        || name.starts_with("F32x4")
        || name.starts_with("F64x2")
}

/// Translate an operator the scalar translator did not handle.
pub(crate) fn translate(t: &mut Translator<'_>, op: Operator<'_>) -> Result<()> {
    if let Operator::V128Const { value } = op {
        t.constant128(u128::from_le_bytes(*value.bytes()));
        return Ok(());
    }
    let name = format!("{op:?}");
    let name = name.split([' ', '{']).next().unwrap_or("?").to_string();
    if is_simd(&op) {
        Err(Error::unsupported(format!("SIMD instruction {name} is not supported by the interpreter yet")))
    } else {
        Err(Error::unsupported(format!("instruction {name} is not supported yet")))
    }
}
