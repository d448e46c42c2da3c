//! SIMD (`v128`) instructions to Cranelift IR.
//!
//! A `v128` lives as whatever lane type its last operation produced; each operation reinterprets its
//! operands as the lane type it needs ([`Emit::vec`], free), and block, call and local boundaries use
//! `i8x16` ([`Translator::canon`]).

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{F32X4, F64X2, I8, I8X16, I16, I16X8, I32, I32X4, I64, I64X2};
use cranelift_codegen::ir::{self, InstBuilder, Value};
use wasmparser::Operator;

use super::translate::{Translator, heap_flags};
use crate::error::Result;

macro_rules! vun {
    ($t:ident, $ty:expr, $f:ident) => {{
        let a = $t.popv($ty);
        let r = $t.e.b.ins().$f(a);
        $t.push(r);
    }};
}
macro_rules! vbin {
    ($t:ident, $ty:expr, $f:ident) => {{
        let b = $t.popv($ty);
        let a = $t.popv($ty);
        let r = $t.e.b.ins().$f(a, b);
        $t.push(r);
    }};
}
macro_rules! vicmp {
    ($t:ident, $ty:expr, $cc:ident) => {{
        let b = $t.popv($ty);
        let a = $t.popv($ty);
        let r = $t.e.b.ins().icmp(IntCC::$cc, a, b);
        $t.push(r);
    }};
}
macro_rules! vfcmp {
    ($t:ident, $ty:expr, $cc:ident) => {{
        let b = $t.popv($ty);
        let a = $t.popv($ty);
        let r = $t.e.b.ins().fcmp(FloatCC::$cc, a, b);
        $t.push(r);
    }};
}
macro_rules! vshift {
    ($t:ident, $ty:expr, $f:ident) => {{
        let s = $t.pop();
        let a = $t.popv($ty);
        let r = $t.e.b.ins().$f(a, s);
        $t.push(r);
    }};
}
/// Lanes widened from both operands, then multiplied (`extmul`).
macro_rules! extmul {
    ($t:ident, $ty:expr, $widen:ident) => {{
        let b = $t.popv($ty);
        let a = $t.popv($ty);
        let (a, b) = ($t.e.b.ins().$widen(a), $t.e.b.ins().$widen(b));
        let r = $t.e.b.ins().imul(a, b);
        $t.push(r);
    }};
}
macro_rules! extadd {
    ($t:ident, $ty:expr, $low:ident, $high:ident) => {{
        let a = $t.popv($ty);
        let (l, h) = ($t.e.b.ins().$low(a), $t.e.b.ins().$high(a));
        let r = $t.e.b.ins().iadd_pairwise(l, h);
        $t.push(r);
    }};
}
macro_rules! splat {
    ($t:ident, $ty:expr, $narrow:expr) => {{
        let mut x = $t.pop();
        if let Some(n) = $narrow {
            x = $t.e.b.ins().ireduce(n, x);
        }
        let r = $t.e.b.ins().splat($ty, x);
        $t.push(r);
    }};
}

impl Translator<'_, '_> {
    /// Pop a vector as lane type `ty`.
    fn popv(&mut self, ty: ir::Type) -> Value {
        let v = self.pop();
        self.e.vec(v, ty)
    }

    fn extract(&mut self, ty: ir::Type, lane: u8, extend: Option<bool>) {
        let v = self.popv(ty);
        let x = self.e.b.ins().extractlane(v, lane);
        let r = match extend {
            Some(true) => self.e.b.ins().sextend(I32, x),
            Some(false) => self.e.b.ins().uextend(I32, x),
            None => x,
        };
        self.push(r);
    }

    fn replace(&mut self, ty: ir::Type, lane: u8, narrow: Option<ir::Type>) {
        let mut x = self.pop();
        let v = self.popv(ty);
        if let Some(n) = narrow {
            x = self.e.b.ins().ireduce(n, x);
        }
        let r = self.e.b.ins().insertlane(v, x, lane);
        self.push(r);
    }

    /// `pmin`/`pmax`: `b < a ? b : a` (or `a < b ? b : a`), without NaN propagation.
    fn pminmax(&mut self, ty: ir::Type, max: bool) {
        let b = self.popv(ty);
        let a = self.popv(ty);
        let cmp = if max {
            self.e.b.ins().fcmp(FloatCC::LessThan, a, b)
        } else {
            self.e.b.ins().fcmp(FloatCC::LessThan, b, a)
        };
        let cmp = self.e.vec(cmp, ty);
        let r = self.e.b.ins().bitselect(cmp, b, a);
        self.push(r);
    }

    fn load_lane(&mut self, m: &wasmparser::MemArg, lane: u8, ty: ir::Type, vty: ir::Type) -> Result<()> {
        let v = self.popv(vty);
        let addr = self.addr(m)?;
        let x = self.e.b.ins().load(ty, heap_flags(), addr, 0);
        let r = self.e.b.ins().insertlane(v, x, lane);
        self.push(r);
        Ok(())
    }

    fn store_lane(&mut self, m: &wasmparser::MemArg, lane: u8, vty: ir::Type) -> Result<()> {
        let v = self.popv(vty);
        let x = self.e.b.ins().extractlane(v, lane);
        let addr = self.addr(m)?;
        self.e.b.ins().store(heap_flags(), x, addr, 0);
        Ok(())
    }

    fn load_splat(&mut self, m: &wasmparser::MemArg, ty: ir::Type, vty: ir::Type) -> Result<()> {
        let addr = self.addr(m)?;
        let x = self.e.b.ins().load(ty, heap_flags(), addr, 0);
        let r = self.e.b.ins().splat(vty, x);
        self.push(r);
        Ok(())
    }

    fn load_zero(&mut self, m: &wasmparser::MemArg, ty: ir::Type, vty: ir::Type) -> Result<()> {
        let addr = self.addr(m)?;
        let x = self.e.b.ins().load(ty, heap_flags(), addr, 0);
        let r = self.e.b.ins().scalar_to_vector(vty, x);
        self.push(r);
        Ok(())
    }

    /// Translate a SIMD instruction; false if `op` is not one this backend knows.
    pub(super) fn simd(&mut self, op: &Operator<'_>) -> Result<bool> {
        use Operator as O;
        match *op {
            O::V128Load { memarg } => {
                let addr = self.addr(&memarg)?;
                let r = self.e.b.ins().load(I8X16, heap_flags(), addr, 0);
                self.push(r);
            }
            O::V128Store { memarg } => {
                let v = self.pop();
                let addr = self.addr(&memarg)?;
                self.e.b.ins().store(heap_flags(), v, addr, 0);
            }
            O::V128Load8x8S { memarg } => {
                let addr = self.addr(&memarg)?;
                let r = self.e.b.ins().sload8x8(heap_flags(), addr, 0);
                self.push(r);
            }
            O::V128Load8x8U { memarg } => {
                let addr = self.addr(&memarg)?;
                let r = self.e.b.ins().uload8x8(heap_flags(), addr, 0);
                self.push(r);
            }
            O::V128Load16x4S { memarg } => {
                let addr = self.addr(&memarg)?;
                let r = self.e.b.ins().sload16x4(heap_flags(), addr, 0);
                self.push(r);
            }
            O::V128Load16x4U { memarg } => {
                let addr = self.addr(&memarg)?;
                let r = self.e.b.ins().uload16x4(heap_flags(), addr, 0);
                self.push(r);
            }
            O::V128Load32x2S { memarg } => {
                let addr = self.addr(&memarg)?;
                let r = self.e.b.ins().sload32x2(heap_flags(), addr, 0);
                self.push(r);
            }
            O::V128Load32x2U { memarg } => {
                let addr = self.addr(&memarg)?;
                let r = self.e.b.ins().uload32x2(heap_flags(), addr, 0);
                self.push(r);
            }
            O::V128Load8Splat { memarg } => self.load_splat(&memarg, I8, I8X16)?,
            O::V128Load16Splat { memarg } => self.load_splat(&memarg, I16, I16X8)?,
            O::V128Load32Splat { memarg } => self.load_splat(&memarg, I32, I32X4)?,
            O::V128Load64Splat { memarg } => self.load_splat(&memarg, I64, I64X2)?,
            O::V128Load32Zero { memarg } => self.load_zero(&memarg, I32, I32X4)?,
            O::V128Load64Zero { memarg } => self.load_zero(&memarg, I64, I64X2)?,
            O::V128Load8Lane { memarg, lane } => self.load_lane(&memarg, lane, I8, I8X16)?,
            O::V128Load16Lane { memarg, lane } => self.load_lane(&memarg, lane, I16, I16X8)?,
            O::V128Load32Lane { memarg, lane } => self.load_lane(&memarg, lane, I32, I32X4)?,
            O::V128Load64Lane { memarg, lane } => self.load_lane(&memarg, lane, I64, I64X2)?,
            O::V128Store8Lane { memarg, lane } => self.store_lane(&memarg, lane, I8X16)?,
            O::V128Store16Lane { memarg, lane } => self.store_lane(&memarg, lane, I16X8)?,
            O::V128Store32Lane { memarg, lane } => self.store_lane(&memarg, lane, I32X4)?,
            O::V128Store64Lane { memarg, lane } => self.store_lane(&memarg, lane, I64X2)?,
            O::V128Const { value } => {
                let r = self.e.vconst(I8X16, *value.bytes());
                self.push(r);
            }
            O::I8x16Shuffle { lanes } => {
                let b = self.popv(I8X16);
                let a = self.popv(I8X16);
                let mask = self.e.b.func.dfg.immediates.push(ir::ConstantData::from(&lanes[..]));
                let r = self.e.b.ins().shuffle(a, b, mask);
                self.push(r);
            }
            O::I8x16Swizzle => vbin!(self, I8X16, swizzle),
            O::I8x16Splat => splat!(self, I8X16, Some(I8)),
            O::I16x8Splat => splat!(self, I16X8, Some(I16)),
            O::I32x4Splat => splat!(self, I32X4, None::<ir::Type>),
            O::I64x2Splat => splat!(self, I64X2, None::<ir::Type>),
            O::F32x4Splat => splat!(self, F32X4, None::<ir::Type>),
            O::F64x2Splat => splat!(self, F64X2, None::<ir::Type>),
            O::I8x16ExtractLaneS { lane } => self.extract(I8X16, lane, Some(true)),
            O::I8x16ExtractLaneU { lane } => self.extract(I8X16, lane, Some(false)),
            O::I16x8ExtractLaneS { lane } => self.extract(I16X8, lane, Some(true)),
            O::I16x8ExtractLaneU { lane } => self.extract(I16X8, lane, Some(false)),
            O::I32x4ExtractLane { lane } => self.extract(I32X4, lane, None),
            O::I64x2ExtractLane { lane } => self.extract(I64X2, lane, None),
            O::F32x4ExtractLane { lane } => self.extract(F32X4, lane, None),
            O::F64x2ExtractLane { lane } => self.extract(F64X2, lane, None),
            O::I8x16ReplaceLane { lane } => self.replace(I8X16, lane, Some(I8)),
            O::I16x8ReplaceLane { lane } => self.replace(I16X8, lane, Some(I16)),
            O::I32x4ReplaceLane { lane } => self.replace(I32X4, lane, None),
            O::I64x2ReplaceLane { lane } => self.replace(I64X2, lane, None),
            O::F32x4ReplaceLane { lane } => self.replace(F32X4, lane, None),
            O::F64x2ReplaceLane { lane } => self.replace(F64X2, lane, None),

            O::I8x16Eq => vicmp!(self, I8X16, Equal),
            O::I8x16Ne => vicmp!(self, I8X16, NotEqual),
            O::I8x16LtS => vicmp!(self, I8X16, SignedLessThan),
            O::I8x16LtU => vicmp!(self, I8X16, UnsignedLessThan),
            O::I8x16GtS => vicmp!(self, I8X16, SignedGreaterThan),
            O::I8x16GtU => vicmp!(self, I8X16, UnsignedGreaterThan),
            O::I8x16LeS => vicmp!(self, I8X16, SignedLessThanOrEqual),
            O::I8x16LeU => vicmp!(self, I8X16, UnsignedLessThanOrEqual),
            O::I8x16GeS => vicmp!(self, I8X16, SignedGreaterThanOrEqual),
            O::I8x16GeU => vicmp!(self, I8X16, UnsignedGreaterThanOrEqual),
            O::I16x8Eq => vicmp!(self, I16X8, Equal),
            O::I16x8Ne => vicmp!(self, I16X8, NotEqual),
            O::I16x8LtS => vicmp!(self, I16X8, SignedLessThan),
            O::I16x8LtU => vicmp!(self, I16X8, UnsignedLessThan),
            O::I16x8GtS => vicmp!(self, I16X8, SignedGreaterThan),
            O::I16x8GtU => vicmp!(self, I16X8, UnsignedGreaterThan),
            O::I16x8LeS => vicmp!(self, I16X8, SignedLessThanOrEqual),
            O::I16x8LeU => vicmp!(self, I16X8, UnsignedLessThanOrEqual),
            O::I16x8GeS => vicmp!(self, I16X8, SignedGreaterThanOrEqual),
            O::I16x8GeU => vicmp!(self, I16X8, UnsignedGreaterThanOrEqual),
            O::I32x4Eq => vicmp!(self, I32X4, Equal),
            O::I32x4Ne => vicmp!(self, I32X4, NotEqual),
            O::I32x4LtS => vicmp!(self, I32X4, SignedLessThan),
            O::I32x4LtU => vicmp!(self, I32X4, UnsignedLessThan),
            O::I32x4GtS => vicmp!(self, I32X4, SignedGreaterThan),
            O::I32x4GtU => vicmp!(self, I32X4, UnsignedGreaterThan),
            O::I32x4LeS => vicmp!(self, I32X4, SignedLessThanOrEqual),
            O::I32x4LeU => vicmp!(self, I32X4, UnsignedLessThanOrEqual),
            O::I32x4GeS => vicmp!(self, I32X4, SignedGreaterThanOrEqual),
            O::I32x4GeU => vicmp!(self, I32X4, UnsignedGreaterThanOrEqual),
            O::I64x2Eq => vicmp!(self, I64X2, Equal),
            O::I64x2Ne => vicmp!(self, I64X2, NotEqual),
            O::I64x2LtS => vicmp!(self, I64X2, SignedLessThan),
            O::I64x2GtS => vicmp!(self, I64X2, SignedGreaterThan),
            O::I64x2LeS => vicmp!(self, I64X2, SignedLessThanOrEqual),
            O::I64x2GeS => vicmp!(self, I64X2, SignedGreaterThanOrEqual),
            O::F32x4Eq => vfcmp!(self, F32X4, Equal),
            O::F32x4Ne => vfcmp!(self, F32X4, NotEqual),
            O::F32x4Lt => vfcmp!(self, F32X4, LessThan),
            O::F32x4Gt => vfcmp!(self, F32X4, GreaterThan),
            O::F32x4Le => vfcmp!(self, F32X4, LessThanOrEqual),
            O::F32x4Ge => vfcmp!(self, F32X4, GreaterThanOrEqual),
            O::F64x2Eq => vfcmp!(self, F64X2, Equal),
            O::F64x2Ne => vfcmp!(self, F64X2, NotEqual),
            O::F64x2Lt => vfcmp!(self, F64X2, LessThan),
            O::F64x2Gt => vfcmp!(self, F64X2, GreaterThan),
            O::F64x2Le => vfcmp!(self, F64X2, LessThanOrEqual),
            O::F64x2Ge => vfcmp!(self, F64X2, GreaterThanOrEqual),

            O::V128Not => vun!(self, I8X16, bnot),
            O::V128And => vbin!(self, I8X16, band),
            O::V128AndNot => vbin!(self, I8X16, band_not),
            O::V128Or => vbin!(self, I8X16, bor),
            O::V128Xor => vbin!(self, I8X16, bxor),
            O::V128Bitselect => {
                let c = self.popv(I8X16);
                let b = self.popv(I8X16);
                let a = self.popv(I8X16);
                let r = self.e.b.ins().bitselect(c, a, b);
                self.push(r);
            }
            O::V128AnyTrue => {
                let a = self.popv(I8X16);
                let c = self.e.b.ins().vany_true(a);
                let r = self.e.b.ins().uextend(I32, c);
                self.push(r);
            }
            O::I8x16AllTrue | O::I16x8AllTrue | O::I32x4AllTrue | O::I64x2AllTrue => {
                let ty = match op {
                    O::I8x16AllTrue => I8X16,
                    O::I16x8AllTrue => I16X8,
                    O::I32x4AllTrue => I32X4,
                    _ => I64X2,
                };
                let a = self.popv(ty);
                let c = self.e.b.ins().vall_true(a);
                let r = self.e.b.ins().uextend(I32, c);
                self.push(r);
            }
            O::I8x16Bitmask | O::I16x8Bitmask | O::I32x4Bitmask | O::I64x2Bitmask => {
                let ty = match op {
                    O::I8x16Bitmask => I8X16,
                    O::I16x8Bitmask => I16X8,
                    O::I32x4Bitmask => I32X4,
                    _ => I64X2,
                };
                let a = self.popv(ty);
                let r = self.e.b.ins().vhigh_bits(I32, a);
                self.push(r);
            }

            O::I8x16Abs => vun!(self, I8X16, iabs),
            O::I8x16Neg => vun!(self, I8X16, ineg),
            O::I8x16Popcnt => vun!(self, I8X16, popcnt),
            O::I8x16NarrowI16x8S => vbin!(self, I16X8, snarrow),
            O::I8x16NarrowI16x8U => vbin!(self, I16X8, unarrow),
            O::I8x16Shl => vshift!(self, I8X16, ishl),
            O::I8x16ShrS => vshift!(self, I8X16, sshr),
            O::I8x16ShrU => vshift!(self, I8X16, ushr),
            O::I8x16Add => vbin!(self, I8X16, iadd),
            O::I8x16AddSatS => vbin!(self, I8X16, sadd_sat),
            O::I8x16AddSatU => vbin!(self, I8X16, uadd_sat),
            O::I8x16Sub => vbin!(self, I8X16, isub),
            O::I8x16SubSatS => vbin!(self, I8X16, ssub_sat),
            O::I8x16SubSatU => vbin!(self, I8X16, usub_sat),
            O::I8x16MinS => vbin!(self, I8X16, smin),
            O::I8x16MinU => vbin!(self, I8X16, umin),
            O::I8x16MaxS => vbin!(self, I8X16, smax),
            O::I8x16MaxU => vbin!(self, I8X16, umax),
            O::I8x16AvgrU => vbin!(self, I8X16, avg_round),

            O::I16x8ExtAddPairwiseI8x16S => extadd!(self, I8X16, swiden_low, swiden_high),
            O::I16x8ExtAddPairwiseI8x16U => extadd!(self, I8X16, uwiden_low, uwiden_high),
            O::I16x8Abs => vun!(self, I16X8, iabs),
            O::I16x8Neg => vun!(self, I16X8, ineg),
            O::I16x8Q15MulrSatS => vbin!(self, I16X8, sqmul_round_sat),
            O::I16x8NarrowI32x4S => vbin!(self, I32X4, snarrow),
            O::I16x8NarrowI32x4U => vbin!(self, I32X4, unarrow),
            O::I16x8ExtendLowI8x16S => vun!(self, I8X16, swiden_low),
            O::I16x8ExtendHighI8x16S => vun!(self, I8X16, swiden_high),
            O::I16x8ExtendLowI8x16U => vun!(self, I8X16, uwiden_low),
            O::I16x8ExtendHighI8x16U => vun!(self, I8X16, uwiden_high),
            O::I16x8Shl => vshift!(self, I16X8, ishl),
            O::I16x8ShrS => vshift!(self, I16X8, sshr),
            O::I16x8ShrU => vshift!(self, I16X8, ushr),
            O::I16x8Add => vbin!(self, I16X8, iadd),
            O::I16x8AddSatS => vbin!(self, I16X8, sadd_sat),
            O::I16x8AddSatU => vbin!(self, I16X8, uadd_sat),
            O::I16x8Sub => vbin!(self, I16X8, isub),
            O::I16x8SubSatS => vbin!(self, I16X8, ssub_sat),
            O::I16x8SubSatU => vbin!(self, I16X8, usub_sat),
            O::I16x8Mul => vbin!(self, I16X8, imul),
            O::I16x8MinS => vbin!(self, I16X8, smin),
            O::I16x8MinU => vbin!(self, I16X8, umin),
            O::I16x8MaxS => vbin!(self, I16X8, smax),
            O::I16x8MaxU => vbin!(self, I16X8, umax),
            O::I16x8AvgrU => vbin!(self, I16X8, avg_round),
            O::I16x8ExtMulLowI8x16S => extmul!(self, I8X16, swiden_low),
            O::I16x8ExtMulHighI8x16S => extmul!(self, I8X16, swiden_high),
            O::I16x8ExtMulLowI8x16U => extmul!(self, I8X16, uwiden_low),
            O::I16x8ExtMulHighI8x16U => extmul!(self, I8X16, uwiden_high),

            O::I32x4ExtAddPairwiseI16x8S => extadd!(self, I16X8, swiden_low, swiden_high),
            O::I32x4ExtAddPairwiseI16x8U => extadd!(self, I16X8, uwiden_low, uwiden_high),
            O::I32x4Abs => vun!(self, I32X4, iabs),
            O::I32x4Neg => vun!(self, I32X4, ineg),
            O::I32x4ExtendLowI16x8S => vun!(self, I16X8, swiden_low),
            O::I32x4ExtendHighI16x8S => vun!(self, I16X8, swiden_high),
            O::I32x4ExtendLowI16x8U => vun!(self, I16X8, uwiden_low),
            O::I32x4ExtendHighI16x8U => vun!(self, I16X8, uwiden_high),
            O::I32x4Shl => vshift!(self, I32X4, ishl),
            O::I32x4ShrS => vshift!(self, I32X4, sshr),
            O::I32x4ShrU => vshift!(self, I32X4, ushr),
            O::I32x4Add => vbin!(self, I32X4, iadd),
            O::I32x4Sub => vbin!(self, I32X4, isub),
            O::I32x4Mul => vbin!(self, I32X4, imul),
            O::I32x4MinS => vbin!(self, I32X4, smin),
            O::I32x4MinU => vbin!(self, I32X4, umin),
            O::I32x4MaxS => vbin!(self, I32X4, smax),
            O::I32x4MaxU => vbin!(self, I32X4, umax),
            O::I32x4DotI16x8S => {
                let b = self.popv(I16X8);
                let a = self.popv(I16X8);
                let (al, bl) = (self.e.b.ins().swiden_low(a), self.e.b.ins().swiden_low(b));
                let lo = self.e.b.ins().imul(al, bl);
                let (ah, bh) = (self.e.b.ins().swiden_high(a), self.e.b.ins().swiden_high(b));
                let hi = self.e.b.ins().imul(ah, bh);
                let r = self.e.b.ins().iadd_pairwise(lo, hi);
                self.push(r);
            }
            O::I32x4ExtMulLowI16x8S => extmul!(self, I16X8, swiden_low),
            O::I32x4ExtMulHighI16x8S => extmul!(self, I16X8, swiden_high),
            O::I32x4ExtMulLowI16x8U => extmul!(self, I16X8, uwiden_low),
            O::I32x4ExtMulHighI16x8U => extmul!(self, I16X8, uwiden_high),

            O::I64x2Abs => vun!(self, I64X2, iabs),
            O::I64x2Neg => vun!(self, I64X2, ineg),
            O::I64x2ExtendLowI32x4S => vun!(self, I32X4, swiden_low),
            O::I64x2ExtendHighI32x4S => vun!(self, I32X4, swiden_high),
            O::I64x2ExtendLowI32x4U => vun!(self, I32X4, uwiden_low),
            O::I64x2ExtendHighI32x4U => vun!(self, I32X4, uwiden_high),
            O::I64x2Shl => vshift!(self, I64X2, ishl),
            O::I64x2ShrS => vshift!(self, I64X2, sshr),
            O::I64x2ShrU => vshift!(self, I64X2, ushr),
            O::I64x2Add => vbin!(self, I64X2, iadd),
            O::I64x2Sub => vbin!(self, I64X2, isub),
            O::I64x2Mul => vbin!(self, I64X2, imul),
            O::I64x2ExtMulLowI32x4S => extmul!(self, I32X4, swiden_low),
            O::I64x2ExtMulHighI32x4S => extmul!(self, I32X4, swiden_high),
            O::I64x2ExtMulLowI32x4U => extmul!(self, I32X4, uwiden_low),
            O::I64x2ExtMulHighI32x4U => extmul!(self, I32X4, uwiden_high),

            O::F32x4Ceil => vun!(self, F32X4, ceil),
            O::F32x4Floor => vun!(self, F32X4, floor),
            O::F32x4Trunc => vun!(self, F32X4, trunc),
            O::F32x4Nearest => vun!(self, F32X4, nearest),
            O::F32x4Abs => vun!(self, F32X4, fabs),
            O::F32x4Neg => vun!(self, F32X4, fneg),
            O::F32x4Sqrt => vun!(self, F32X4, sqrt),
            O::F32x4Add => vbin!(self, F32X4, fadd),
            O::F32x4Sub => vbin!(self, F32X4, fsub),
            O::F32x4Mul => vbin!(self, F32X4, fmul),
            O::F32x4Div => vbin!(self, F32X4, fdiv),
            O::F32x4Min => vbin!(self, F32X4, fmin),
            O::F32x4Max => vbin!(self, F32X4, fmax),
            O::F32x4PMin => self.pminmax(F32X4, false),
            O::F32x4PMax => self.pminmax(F32X4, true),
            O::F64x2Ceil => vun!(self, F64X2, ceil),
            O::F64x2Floor => vun!(self, F64X2, floor),
            O::F64x2Trunc => vun!(self, F64X2, trunc),
            O::F64x2Nearest => vun!(self, F64X2, nearest),
            O::F64x2Abs => vun!(self, F64X2, fabs),
            O::F64x2Neg => vun!(self, F64X2, fneg),
            O::F64x2Sqrt => vun!(self, F64X2, sqrt),
            O::F64x2Add => vbin!(self, F64X2, fadd),
            O::F64x2Sub => vbin!(self, F64X2, fsub),
            O::F64x2Mul => vbin!(self, F64X2, fmul),
            O::F64x2Div => vbin!(self, F64X2, fdiv),
            O::F64x2Min => vbin!(self, F64X2, fmin),
            O::F64x2Max => vbin!(self, F64X2, fmax),
            O::F64x2PMin => self.pminmax(F64X2, false),
            O::F64x2PMax => self.pminmax(F64X2, true),

            O::I32x4TruncSatF32x4S => {
                let a = self.popv(F32X4);
                let r = self.e.b.ins().fcvt_to_sint_sat(I32X4, a);
                self.push(r);
            }
            O::I32x4TruncSatF32x4U => {
                let a = self.popv(F32X4);
                let r = self.e.b.ins().fcvt_to_uint_sat(I32X4, a);
                self.push(r);
            }
            O::I32x4TruncSatF64x2SZero => {
                let a = self.popv(F64X2);
                let wide = self.e.b.ins().fcvt_to_sint_sat(I64X2, a);
                let zero = self.e.vconst(I64X2, [0; 16]);
                let r = self.e.b.ins().snarrow(wide, zero);
                self.push(r);
            }
            O::I32x4TruncSatF64x2UZero => {
                let a = self.popv(F64X2);
                let wide = self.e.b.ins().fcvt_to_uint_sat(I64X2, a);
                let zero = self.e.vconst(I64X2, [0; 16]);
                let r = self.e.b.ins().uunarrow(wide, zero);
                self.push(r);
            }
            O::F32x4ConvertI32x4S => {
                let a = self.popv(I32X4);
                let r = self.e.b.ins().fcvt_from_sint(F32X4, a);
                self.push(r);
            }
            O::F32x4ConvertI32x4U => {
                let a = self.popv(I32X4);
                let r = self.e.b.ins().fcvt_from_uint(F32X4, a);
                self.push(r);
            }
            O::F64x2ConvertLowI32x4S => {
                let a = self.popv(I32X4);
                let w = self.e.b.ins().swiden_low(a);
                let r = self.e.b.ins().fcvt_from_sint(F64X2, w);
                self.push(r);
            }
            O::F64x2ConvertLowI32x4U => {
                let a = self.popv(I32X4);
                let w = self.e.b.ins().uwiden_low(a);
                let r = self.e.b.ins().fcvt_from_uint(F64X2, w);
                self.push(r);
            }
            O::F32x4DemoteF64x2Zero => vun!(self, F64X2, fvdemote),
            O::F64x2PromoteLowF32x4 => vun!(self, F32X4, fvpromote_low),
            _ => return Ok(false),
        }
        Ok(true)
    }
}
