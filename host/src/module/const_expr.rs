//! Constant expressions: global initialisers, segment offsets and element items.

use crate::error::{Error, Result};

/// One instruction of a constant expression (the validator has already checked which are allowed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ConstOp {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    GlobalGet(u32),
    RefNull,
    RefFunc(u32),
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
}

/// A constant expression, evaluated at instantiation on a small stack of raw values.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ConstExpr {
    pub ops: Vec<ConstOp>,
}

impl ConstExpr {
    pub fn from_op(op: ConstOp) -> Self {
        ConstExpr { ops: vec![op] }
    }

    pub fn parse(expr: &wasmparser::ConstExpr<'_>) -> Result<Self> {
        use wasmparser::Operator as O;
        let mut ops = Vec::new();
        let mut reader = expr.get_operators_reader();
        while !reader.eof() {
            let offset = reader.original_position();
            let op = reader.read().map_err(|e| Error::malformed(e.message(), e.offset()))?;
            ops.push(match op {
                O::I32Const { value } => ConstOp::I32(value),
                O::I64Const { value } => ConstOp::I64(value),
                O::F32Const { value } => ConstOp::F32(value.bits()),
                O::F64Const { value } => ConstOp::F64(value.bits()),
                O::V128Const { value } => ConstOp::V128(u128::from_le_bytes(*value.bytes())),
                O::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
                O::RefNull { .. } => ConstOp::RefNull,
                O::RefFunc { function_index } => ConstOp::RefFunc(function_index),
                O::I32Add => ConstOp::I32Add,
                O::I32Sub => ConstOp::I32Sub,
                O::I32Mul => ConstOp::I32Mul,
                O::I64Add => ConstOp::I64Add,
                O::I64Sub => ConstOp::I64Sub,
                O::I64Mul => ConstOp::I64Mul,
                O::End => break,
                other => {
                    return Err(Error::unsupported(format!("constant expression operator {other:?} is not supported"))
                        .with_offset(offset));
                }
            });
        }
        Ok(ConstExpr { ops })
    }

    /// Evaluate to a raw value. `global` reads an (imported) global's raw value; `func` turns a function
    /// index into its raw reference.
    pub fn eval(&self, global: impl Fn(u32) -> u128, func: impl Fn(u32) -> u128) -> u128 {
        let mut stack: Vec<u128> = Vec::with_capacity(4);
        for op in &self.ops {
            let v = match *op {
                ConstOp::I32(v) => v as u32 as u128,
                ConstOp::I64(v) => v as u64 as u128,
                ConstOp::F32(v) => v as u128,
                ConstOp::F64(v) => v as u128,
                ConstOp::V128(v) => v,
                ConstOp::GlobalGet(g) => global(g),
                ConstOp::RefNull => 0,
                ConstOp::RefFunc(f) => func(f),
                ConstOp::I32Add | ConstOp::I32Sub | ConstOp::I32Mul => {
                    let (b, a) = (stack.pop().unwrap_or(0) as u32, stack.pop().unwrap_or(0) as u32);
                    (match op {
                        ConstOp::I32Add => a.wrapping_add(b),
                        ConstOp::I32Sub => a.wrapping_sub(b),
                        _ => a.wrapping_mul(b),
                    }) as u128
                }
                ConstOp::I64Add | ConstOp::I64Sub | ConstOp::I64Mul => {
                    let (b, a) = (stack.pop().unwrap_or(0) as u64, stack.pop().unwrap_or(0) as u64);
                    (match op {
                        ConstOp::I64Add => a.wrapping_add(b),
                        ConstOp::I64Sub => a.wrapping_sub(b),
                        _ => a.wrapping_mul(b),
                    }) as u128
                }
            };
            stack.push(v);
        }
        stack.pop().unwrap_or(0)
    }
}
