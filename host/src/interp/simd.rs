//! SIMD (`v128`) operators: translation and semantics.
//!
//! A `v128` occupies two 64-bit slots (low half first). Every lane-wise operator is written once in
//! [`for_each_simd`] with its shape; the shape says how operands map to slots:
//!
//! | shape | operands → result | slots |
//! |---|---|---|
//! | `unary` | v128 → v128 | `a` |
//! | `binary` | v128, v128 → v128 | `a`, `b` |
//! | `ternary` | v128, v128, v128 → v128 | `a`, `a + 2`, `a + 4` (consecutive) |
//! | `test` | v128 → i32 | `a` |
//! | `shift` | v128, i32 → v128 | `a`, `b` |
//! | `splat` | scalar → v128 | `a` |
//!
//! Lane accesses, shuffles and memory operators have their own instructions (`SimdLane`, `Shuffle`,
//! `VLoad`, `VStore`, `VLoadLane`, `VStoreLane`).

use wasmparser::Operator;

use super::ir::{Instr, S};
use super::mem::Regs;
use super::ops;
use super::translate::Translator;
use crate::error::{Error, Result};
use crate::types::ValType;

/// A lane type: its count in a `v128` and its bits.
pub(crate) trait Lane: Copy {
    const N: usize;
    fn to_bits(self) -> u64;
    fn from_bits(bits: u64) -> Self;
}

macro_rules! lane {
    ($($t:ty, $n:expr, |$b:ident| $from:expr, |$s:ident| $to:expr;)*) => {$(
        impl Lane for $t {
            const N: usize = $n;
            #[inline(always)]
            fn to_bits(self) -> u64 {
                let $s = self;
                $to
            }
            #[inline(always)]
            fn from_bits($b: u64) -> Self {
                $from
            }
        }
    )*};
}

lane! {
    i8, 16, |b| b as i8, |s| s as u8 as u64;
    u8, 16, |b| b as u8, |s| s as u64;
    i16, 8, |b| b as i16, |s| s as u16 as u64;
    u16, 8, |b| b as u16, |s| s as u64;
    i32, 4, |b| b as i32, |s| s as u32 as u64;
    u32, 4, |b| b as u32, |s| s as u64;
    i64, 2, |b| b as i64, |s| s as u64;
    u64, 2, |b| b, |s| s;
    f32, 4, |b| f32::from_bits(b as u32), |s| s.to_bits() as u64;
    f64, 2, |b| f64::from_bits(b), |s| s.to_bits();
}

/// Lane `i` of `v`, read as `L`.
#[inline(always)]
pub(crate) fn lane<L: Lane>(v: u128, i: usize) -> L {
    let width = 128 / L::N;
    let mask = if width == 64 { u64::MAX } else { (1u64 << width) - 1 };
    L::from_bits((v >> (i * width)) as u64 & mask)
}

/// `v` with lane `i` replaced by `x`.
#[inline(always)]
pub(crate) fn with_lane<L: Lane>(v: u128, i: usize, x: L) -> u128 {
    let width = 128 / L::N;
    let mask: u128 = if width == 64 { u64::MAX as u128 } else { (1u128 << width) - 1 };
    (v & !(mask << (i * width))) | (((x.to_bits() as u128) & mask) << (i * width))
}

#[inline(always)]
fn build<L: Lane>(f: impl Fn(usize) -> L) -> u128 {
    (0..L::N).fold(0, |v, i| with_lane(v, i, f(i)))
}

#[inline(always)]
fn map<L: Lane>(a: u128, f: impl Fn(L) -> L) -> u128 {
    build(|i| f(lane(a, i)))
}

#[inline(always)]
fn zip<L: Lane>(a: u128, b: u128, f: impl Fn(L, L) -> L) -> u128 {
    build(|i| f(lane(a, i), lane(b, i)))
}

/// Lane-wise comparison: all ones where `f` holds, zeros elsewhere.
#[inline(always)]
fn cmp<L: Lane>(a: u128, b: u128, f: impl Fn(L, L) -> bool) -> u128 {
    (0..L::N).fold(0, |v, i| {
        let width = 128 / L::N;
        let ones: u128 = if width == 64 { u64::MAX as u128 } else { (1u128 << width) - 1 };
        if f(lane(a, i), lane(b, i)) { v | (ones << (i * width)) } else { v }
    })
}

#[inline(always)]
fn all_true<L: Lane>(a: u128) -> u128 {
    (0..L::N).all(|i| lane::<L>(a, i).to_bits() != 0) as u128
}

#[inline(always)]
fn bitmask<L: Lane>(a: u128) -> u128 {
    let width = 128 / L::N;
    (0..L::N).fold(0, |m, i| m | (((a >> (i * width + width - 1)) & 1) << i))
}

/// Narrow two vectors of wider lanes into one of `L`, saturating.
#[inline(always)]
fn narrow<W: Lane + Into<i64>, L: Lane>(a: u128, b: u128, lo: i64, hi: i64, cast: impl Fn(i64) -> L) -> u128 {
    let half = L::N / 2;
    build(|i| {
        let x: i64 = if i < half { lane::<W>(a, i).into() } else { lane::<W>(b, i - half).into() };
        cast(x.clamp(lo, hi))
    })
}

/// Widen lanes `offset..offset + N(L)` of `a` (of type `W`) to `L`.
#[inline(always)]
fn extend<W: Lane, L: Lane>(a: u128, offset: usize, f: impl Fn(W) -> L) -> u128 {
    build(|i| f(lane::<W>(a, offset + i)))
}

/// Multiply the widened lanes `offset..` of `a` and `b`.
#[inline(always)]
fn ext_mul<W: Lane, L: Lane>(a: u128, b: u128, offset: usize, f: impl Fn(W, W) -> L) -> u128 {
    build(|i| f(lane::<W>(a, offset + i), lane::<W>(b, offset + i)))
}

/// Add adjacent pairs of `W` lanes into `L` lanes.
#[inline(always)]
fn pairwise<W: Lane, L: Lane>(a: u128, f: impl Fn(W, W) -> L) -> u128 {
    build(|i| f(lane::<W>(a, 2 * i), lane::<W>(a, 2 * i + 1)))
}

fn swizzle(a: u128, s: u128) -> u128 {
    build::<u8>(|i| {
        let idx = lane::<u8>(s, i) as usize;
        if idx < 16 { lane::<u8>(a, idx) } else { 0 }
    })
}

fn q15mulr(a: i16, b: i16) -> i16 {
    ((a as i32 * b as i32 + 0x4000) >> 15).clamp(i16::MIN as i32, i16::MAX as i32) as i16
}

fn pmin<F: PartialOrd + Copy>(a: F, b: F) -> F {
    if b < a { b } else { a }
}

fn pmax<F: PartialOrd + Copy>(a: F, b: F) -> F {
    if a < b { b } else { a }
}

/// Calls `$m!` with the table of lane-wise SIMD operators, by shape.
macro_rules! for_each_simd {
    ($m:ident) => {
        $m! {
            unary {
                V128Not |a| !a;
                I8x16Abs |a| map::<i8>(a, |x| x.wrapping_abs());
                I8x16Neg |a| map::<i8>(a, |x| x.wrapping_neg());
                I8x16Popcnt |a| map::<u8>(a, |x| x.count_ones() as u8);
                I16x8Abs |a| map::<i16>(a, |x| x.wrapping_abs());
                I16x8Neg |a| map::<i16>(a, |x| x.wrapping_neg());
                I32x4Abs |a| map::<i32>(a, |x| x.wrapping_abs());
                I32x4Neg |a| map::<i32>(a, |x| x.wrapping_neg());
                I64x2Abs |a| map::<i64>(a, |x| x.wrapping_abs());
                I64x2Neg |a| map::<i64>(a, |x| x.wrapping_neg());
                I16x8ExtAddPairwiseI8x16S |a| pairwise::<i8, i16>(a, |x, y| x as i16 + y as i16);
                I16x8ExtAddPairwiseI8x16U |a| pairwise::<u8, u16>(a, |x, y| x as u16 + y as u16);
                I32x4ExtAddPairwiseI16x8S |a| pairwise::<i16, i32>(a, |x, y| x as i32 + y as i32);
                I32x4ExtAddPairwiseI16x8U |a| pairwise::<u16, u32>(a, |x, y| x as u32 + y as u32);
                I16x8ExtendLowI8x16S |a| extend::<i8, i16>(a, 0, |x| x as i16);
                I16x8ExtendHighI8x16S |a| extend::<i8, i16>(a, 8, |x| x as i16);
                I16x8ExtendLowI8x16U |a| extend::<u8, u16>(a, 0, |x| x as u16);
                I16x8ExtendHighI8x16U |a| extend::<u8, u16>(a, 8, |x| x as u16);
                I32x4ExtendLowI16x8S |a| extend::<i16, i32>(a, 0, |x| x as i32);
                I32x4ExtendHighI16x8S |a| extend::<i16, i32>(a, 4, |x| x as i32);
                I32x4ExtendLowI16x8U |a| extend::<u16, u32>(a, 0, |x| x as u32);
                I32x4ExtendHighI16x8U |a| extend::<u16, u32>(a, 4, |x| x as u32);
                I64x2ExtendLowI32x4S |a| extend::<i32, i64>(a, 0, |x| x as i64);
                I64x2ExtendHighI32x4S |a| extend::<i32, i64>(a, 2, |x| x as i64);
                I64x2ExtendLowI32x4U |a| extend::<u32, u64>(a, 0, |x| x as u64);
                I64x2ExtendHighI32x4U |a| extend::<u32, u64>(a, 2, |x| x as u64);
                F32x4Ceil |a| map::<f32>(a, |x| ops::f32_quiet(x.ceil()));
                F32x4Floor |a| map::<f32>(a, |x| ops::f32_quiet(x.floor()));
                F32x4Trunc |a| map::<f32>(a, |x| ops::f32_quiet(x.trunc()));
                F32x4Nearest |a| map::<f32>(a, |x| ops::f32_quiet(ops::f32_nearest(x)));
                F32x4Abs |a| map::<f32>(a, |x| x.abs());
                F32x4Neg |a| map::<f32>(a, |x| -x);
                F32x4Sqrt |a| map::<f32>(a, |x| x.sqrt());
                F64x2Ceil |a| map::<f64>(a, |x| ops::f64_quiet(x.ceil()));
                F64x2Floor |a| map::<f64>(a, |x| ops::f64_quiet(x.floor()));
                F64x2Trunc |a| map::<f64>(a, |x| ops::f64_quiet(x.trunc()));
                F64x2Nearest |a| map::<f64>(a, |x| ops::f64_quiet(ops::f64_nearest(x)));
                F64x2Abs |a| map::<f64>(a, |x| x.abs());
                F64x2Neg |a| map::<f64>(a, |x| -x);
                F64x2Sqrt |a| map::<f64>(a, |x| x.sqrt());
                I32x4TruncSatF32x4S |a| build::<i32>(|i| lane::<f32>(a, i) as i32);
                I32x4TruncSatF32x4U |a| build::<u32>(|i| lane::<f32>(a, i) as u32);
                F32x4ConvertI32x4S |a| build::<f32>(|i| lane::<i32>(a, i) as f32);
                F32x4ConvertI32x4U |a| build::<f32>(|i| lane::<u32>(a, i) as f32);
                I32x4TruncSatF64x2SZero |a| build::<i32>(|i| if i < 2 { lane::<f64>(a, i) as i32 } else { 0 });
                I32x4TruncSatF64x2UZero |a| build::<u32>(|i| if i < 2 { lane::<f64>(a, i) as u32 } else { 0 });
                F64x2ConvertLowI32x4S |a| build::<f64>(|i| lane::<i32>(a, i) as f64);
                F64x2ConvertLowI32x4U |a| build::<f64>(|i| lane::<u32>(a, i) as f64);
                F32x4DemoteF64x2Zero |a| build::<f32>(|i| if i < 2 { lane::<f64>(a, i) as f32 } else { 0.0 });
                F64x2PromoteLowF32x4 |a| build::<f64>(|i| lane::<f32>(a, i) as f64);
            }
            binary {
                V128And |a, b| a & b;
                V128AndNot |a, b| a & !b;
                V128Or |a, b| a | b;
                V128Xor |a, b| a ^ b;
                I8x16Swizzle |a, b| swizzle(a, b);
                I8x16Eq |a, b| cmp::<i8>(a, b, |x, y| x == y);
                I8x16Ne |a, b| cmp::<i8>(a, b, |x, y| x != y);
                I8x16LtS |a, b| cmp::<i8>(a, b, |x, y| x < y);
                I8x16LtU |a, b| cmp::<u8>(a, b, |x, y| x < y);
                I8x16GtS |a, b| cmp::<i8>(a, b, |x, y| x > y);
                I8x16GtU |a, b| cmp::<u8>(a, b, |x, y| x > y);
                I8x16LeS |a, b| cmp::<i8>(a, b, |x, y| x <= y);
                I8x16LeU |a, b| cmp::<u8>(a, b, |x, y| x <= y);
                I8x16GeS |a, b| cmp::<i8>(a, b, |x, y| x >= y);
                I8x16GeU |a, b| cmp::<u8>(a, b, |x, y| x >= y);
                I16x8Eq |a, b| cmp::<i16>(a, b, |x, y| x == y);
                I16x8Ne |a, b| cmp::<i16>(a, b, |x, y| x != y);
                I16x8LtS |a, b| cmp::<i16>(a, b, |x, y| x < y);
                I16x8LtU |a, b| cmp::<u16>(a, b, |x, y| x < y);
                I16x8GtS |a, b| cmp::<i16>(a, b, |x, y| x > y);
                I16x8GtU |a, b| cmp::<u16>(a, b, |x, y| x > y);
                I16x8LeS |a, b| cmp::<i16>(a, b, |x, y| x <= y);
                I16x8LeU |a, b| cmp::<u16>(a, b, |x, y| x <= y);
                I16x8GeS |a, b| cmp::<i16>(a, b, |x, y| x >= y);
                I16x8GeU |a, b| cmp::<u16>(a, b, |x, y| x >= y);
                I32x4Eq |a, b| cmp::<i32>(a, b, |x, y| x == y);
                I32x4Ne |a, b| cmp::<i32>(a, b, |x, y| x != y);
                I32x4LtS |a, b| cmp::<i32>(a, b, |x, y| x < y);
                I32x4LtU |a, b| cmp::<u32>(a, b, |x, y| x < y);
                I32x4GtS |a, b| cmp::<i32>(a, b, |x, y| x > y);
                I32x4GtU |a, b| cmp::<u32>(a, b, |x, y| x > y);
                I32x4LeS |a, b| cmp::<i32>(a, b, |x, y| x <= y);
                I32x4LeU |a, b| cmp::<u32>(a, b, |x, y| x <= y);
                I32x4GeS |a, b| cmp::<i32>(a, b, |x, y| x >= y);
                I32x4GeU |a, b| cmp::<u32>(a, b, |x, y| x >= y);
                I64x2Eq |a, b| cmp::<i64>(a, b, |x, y| x == y);
                I64x2Ne |a, b| cmp::<i64>(a, b, |x, y| x != y);
                I64x2LtS |a, b| cmp::<i64>(a, b, |x, y| x < y);
                I64x2GtS |a, b| cmp::<i64>(a, b, |x, y| x > y);
                I64x2LeS |a, b| cmp::<i64>(a, b, |x, y| x <= y);
                I64x2GeS |a, b| cmp::<i64>(a, b, |x, y| x >= y);
                F32x4Eq |a, b| cmp::<f32>(a, b, |x, y| x == y);
                F32x4Ne |a, b| cmp::<f32>(a, b, |x, y| x != y);
                F32x4Lt |a, b| cmp::<f32>(a, b, |x, y| x < y);
                F32x4Gt |a, b| cmp::<f32>(a, b, |x, y| x > y);
                F32x4Le |a, b| cmp::<f32>(a, b, |x, y| x <= y);
                F32x4Ge |a, b| cmp::<f32>(a, b, |x, y| x >= y);
                F64x2Eq |a, b| cmp::<f64>(a, b, |x, y| x == y);
                F64x2Ne |a, b| cmp::<f64>(a, b, |x, y| x != y);
                F64x2Lt |a, b| cmp::<f64>(a, b, |x, y| x < y);
                F64x2Gt |a, b| cmp::<f64>(a, b, |x, y| x > y);
                F64x2Le |a, b| cmp::<f64>(a, b, |x, y| x <= y);
                F64x2Ge |a, b| cmp::<f64>(a, b, |x, y| x >= y);
                I8x16NarrowI16x8S |a, b| narrow::<i16, i8>(a, b, i8::MIN as i64, i8::MAX as i64, |x| x as i8);
                I8x16NarrowI16x8U |a, b| narrow::<i16, u8>(a, b, 0, u8::MAX as i64, |x| x as u8);
                I16x8NarrowI32x4S |a, b| narrow::<i32, i16>(a, b, i16::MIN as i64, i16::MAX as i64, |x| x as i16);
                I16x8NarrowI32x4U |a, b| narrow::<i32, u16>(a, b, 0, u16::MAX as i64, |x| x as u16);
                I8x16Add |a, b| zip::<i8>(a, b, |x, y| x.wrapping_add(y));
                I8x16AddSatS |a, b| zip::<i8>(a, b, |x, y| x.saturating_add(y));
                I8x16AddSatU |a, b| zip::<u8>(a, b, |x, y| x.saturating_add(y));
                I8x16Sub |a, b| zip::<i8>(a, b, |x, y| x.wrapping_sub(y));
                I8x16SubSatS |a, b| zip::<i8>(a, b, |x, y| x.saturating_sub(y));
                I8x16SubSatU |a, b| zip::<u8>(a, b, |x, y| x.saturating_sub(y));
                I8x16MinS |a, b| zip::<i8>(a, b, |x, y| x.min(y));
                I8x16MinU |a, b| zip::<u8>(a, b, |x, y| x.min(y));
                I8x16MaxS |a, b| zip::<i8>(a, b, |x, y| x.max(y));
                I8x16MaxU |a, b| zip::<u8>(a, b, |x, y| x.max(y));
                I8x16AvgrU |a, b| zip::<u8>(a, b, |x, y| (x as u16 + y as u16).div_ceil(2) as u8);
                I16x8Q15MulrSatS |a, b| zip::<i16>(a, b, q15mulr);
                I16x8Add |a, b| zip::<i16>(a, b, |x, y| x.wrapping_add(y));
                I16x8AddSatS |a, b| zip::<i16>(a, b, |x, y| x.saturating_add(y));
                I16x8AddSatU |a, b| zip::<u16>(a, b, |x, y| x.saturating_add(y));
                I16x8Sub |a, b| zip::<i16>(a, b, |x, y| x.wrapping_sub(y));
                I16x8SubSatS |a, b| zip::<i16>(a, b, |x, y| x.saturating_sub(y));
                I16x8SubSatU |a, b| zip::<u16>(a, b, |x, y| x.saturating_sub(y));
                I16x8Mul |a, b| zip::<i16>(a, b, |x, y| x.wrapping_mul(y));
                I16x8MinS |a, b| zip::<i16>(a, b, |x, y| x.min(y));
                I16x8MinU |a, b| zip::<u16>(a, b, |x, y| x.min(y));
                I16x8MaxS |a, b| zip::<i16>(a, b, |x, y| x.max(y));
                I16x8MaxU |a, b| zip::<u16>(a, b, |x, y| x.max(y));
                I16x8AvgrU |a, b| zip::<u16>(a, b, |x, y| (x as u32 + y as u32).div_ceil(2) as u16);
                I16x8ExtMulLowI8x16S |a, b| ext_mul::<i8, i16>(a, b, 0, |x, y| x as i16 * y as i16);
                I16x8ExtMulHighI8x16S |a, b| ext_mul::<i8, i16>(a, b, 8, |x, y| x as i16 * y as i16);
                I16x8ExtMulLowI8x16U |a, b| ext_mul::<u8, u16>(a, b, 0, |x, y| x as u16 * y as u16);
                I16x8ExtMulHighI8x16U |a, b| ext_mul::<u8, u16>(a, b, 8, |x, y| x as u16 * y as u16);
                I32x4Add |a, b| zip::<i32>(a, b, |x, y| x.wrapping_add(y));
                I32x4Sub |a, b| zip::<i32>(a, b, |x, y| x.wrapping_sub(y));
                I32x4Mul |a, b| zip::<i32>(a, b, |x, y| x.wrapping_mul(y));
                I32x4MinS |a, b| zip::<i32>(a, b, |x, y| x.min(y));
                I32x4MinU |a, b| zip::<u32>(a, b, |x, y| x.min(y));
                I32x4MaxS |a, b| zip::<i32>(a, b, |x, y| x.max(y));
                I32x4MaxU |a, b| zip::<u32>(a, b, |x, y| x.max(y));
                I32x4DotI16x8S |a, b| build::<i32>(|i| {
                    let p = |j: usize| lane::<i16>(a, j) as i32 * lane::<i16>(b, j) as i32;
                    p(2 * i).wrapping_add(p(2 * i + 1))
                });
                I32x4ExtMulLowI16x8S |a, b| ext_mul::<i16, i32>(a, b, 0, |x, y| x as i32 * y as i32);
                I32x4ExtMulHighI16x8S |a, b| ext_mul::<i16, i32>(a, b, 4, |x, y| x as i32 * y as i32);
                I32x4ExtMulLowI16x8U |a, b| ext_mul::<u16, u32>(a, b, 0, |x, y| x as u32 * y as u32);
                I32x4ExtMulHighI16x8U |a, b| ext_mul::<u16, u32>(a, b, 4, |x, y| x as u32 * y as u32);
                I64x2Add |a, b| zip::<i64>(a, b, |x, y| x.wrapping_add(y));
                I64x2Sub |a, b| zip::<i64>(a, b, |x, y| x.wrapping_sub(y));
                I64x2Mul |a, b| zip::<i64>(a, b, |x, y| x.wrapping_mul(y));
                I64x2ExtMulLowI32x4S |a, b| ext_mul::<i32, i64>(a, b, 0, |x, y| x as i64 * y as i64);
                I64x2ExtMulHighI32x4S |a, b| ext_mul::<i32, i64>(a, b, 2, |x, y| x as i64 * y as i64);
                I64x2ExtMulLowI32x4U |a, b| ext_mul::<u32, u64>(a, b, 0, |x, y| x as u64 * y as u64);
                I64x2ExtMulHighI32x4U |a, b| ext_mul::<u32, u64>(a, b, 2, |x, y| x as u64 * y as u64);
                F32x4Add |a, b| zip::<f32>(a, b, |x, y| x + y);
                F32x4Sub |a, b| zip::<f32>(a, b, |x, y| x - y);
                F32x4Mul |a, b| zip::<f32>(a, b, |x, y| x * y);
                F32x4Div |a, b| zip::<f32>(a, b, |x, y| x / y);
                F32x4Min |a, b| zip::<f32>(a, b, ops::f32_min);
                F32x4Max |a, b| zip::<f32>(a, b, ops::f32_max);
                F32x4PMin |a, b| zip::<f32>(a, b, pmin);
                F32x4PMax |a, b| zip::<f32>(a, b, pmax);
                F64x2Add |a, b| zip::<f64>(a, b, |x, y| x + y);
                F64x2Sub |a, b| zip::<f64>(a, b, |x, y| x - y);
                F64x2Mul |a, b| zip::<f64>(a, b, |x, y| x * y);
                F64x2Div |a, b| zip::<f64>(a, b, |x, y| x / y);
                F64x2Min |a, b| zip::<f64>(a, b, ops::f64_min);
                F64x2Max |a, b| zip::<f64>(a, b, ops::f64_max);
                F64x2PMin |a, b| zip::<f64>(a, b, pmin);
                F64x2PMax |a, b| zip::<f64>(a, b, pmax);
            }
            ternary {
                V128Bitselect |a, b, c| (a & c) | (b & !c);
            }
            test {
                V128AnyTrue |a| (a != 0) as u128;
                I8x16AllTrue |a| all_true::<u8>(a);
                I16x8AllTrue |a| all_true::<u16>(a);
                I32x4AllTrue |a| all_true::<u32>(a);
                I64x2AllTrue |a| all_true::<u64>(a);
                I8x16Bitmask |a| bitmask::<u8>(a);
                I16x8Bitmask |a| bitmask::<u16>(a);
                I32x4Bitmask |a| bitmask::<u32>(a);
                I64x2Bitmask |a| bitmask::<u64>(a);
            }
            shift {
                I8x16Shl |a, s| map::<u8>(a, |x| x.wrapping_shl(s as u32));
                I8x16ShrS |a, s| map::<i8>(a, |x| x.wrapping_shr(s as u32));
                I8x16ShrU |a, s| map::<u8>(a, |x| x.wrapping_shr(s as u32));
                I16x8Shl |a, s| map::<u16>(a, |x| x.wrapping_shl(s as u32));
                I16x8ShrS |a, s| map::<i16>(a, |x| x.wrapping_shr(s as u32));
                I16x8ShrU |a, s| map::<u16>(a, |x| x.wrapping_shr(s as u32));
                I32x4Shl |a, s| map::<u32>(a, |x| x.wrapping_shl(s as u32));
                I32x4ShrS |a, s| map::<i32>(a, |x| x.wrapping_shr(s as u32));
                I32x4ShrU |a, s| map::<u32>(a, |x| x.wrapping_shr(s as u32));
                I64x2Shl |a, s| map::<u64>(a, |x| x.wrapping_shl(s as u32));
                I64x2ShrS |a, s| map::<i64>(a, |x| x.wrapping_shr(s as u32));
                I64x2ShrU |a, s| map::<u64>(a, |x| x.wrapping_shr(s as u32));
            }
            splat {
                I8x16Splat |x| build::<u8>(|_| x as u8);
                I16x8Splat |x| build::<u16>(|_| x as u16);
                I32x4Splat |x| build::<u32>(|_| x as u32);
                I64x2Splat |x| build::<u64>(|_| x as u64);
                F32x4Splat |x| build::<u32>(|_| x as u32);
                F64x2Splat |x| build::<u64>(|_| x as u64);
            }
        }
    };
}

macro_rules! define_simd {
    (
        unary { $( $un:ident |$ua:ident| $ue:expr; )* }
        binary { $( $bin:ident |$ba:ident, $bb:ident| $be:expr; )* }
        ternary { $( $ter:ident |$ta:ident, $tb:ident, $tc:ident| $te:expr; )* }
        test { $( $test:ident |$xa:ident| $xe:expr; )* }
        shift { $( $sh:ident |$sa:ident, $ss:ident| $se:expr; )* }
        splat { $( $sp:ident |$px:ident| $pe:expr; )* }
    ) => {
        /// A lane-wise SIMD operator.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum SimdOp {
            $( $un, )* $( $bin, )* $( $ter, )* $( $test, )* $( $sh, )* $( $sp, )*
        }

        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        enum Shape {
            Unary,
            Binary,
            Ternary,
            Test,
            Shift,
            Splat,
        }

        fn simd_op(op: &Operator<'_>) -> Option<(Shape, SimdOp)> {
            use Operator as O;
            Some(match op {
                $( O::$un => (Shape::Unary, SimdOp::$un), )*
                $( O::$bin => (Shape::Binary, SimdOp::$bin), )*
                $( O::$ter => (Shape::Ternary, SimdOp::$ter), )*
                $( O::$test => (Shape::Test, SimdOp::$test), )*
                $( O::$sh => (Shape::Shift, SimdOp::$sh), )*
                $( O::$sp => (Shape::Splat, SimdOp::$sp), )*
                _ => return None,
            })
        }

        /// Execute a lane-wise SIMD operator on the frame's registers.
        pub(crate) fn exec(r: Regs, op: SimdOp, d: S, a: S, b: S) {
            let v = |s: S| r.get128(s);
            let x = |s: S| r.get(s) as u128;
            let (result, wide): (u128, bool) = match op {
                $( SimdOp::$un => { let $ua = v(a); ($ue, true) } )*
                $( SimdOp::$bin => { let ($ba, $bb) = (v(a), v(b)); ($be, true) } )*
                $( SimdOp::$ter => { let ($ta, $tb, $tc) = (v(a), v(a + 2), v(a + 4)); ($te, true) } )*
                $( SimdOp::$test => { let $xa = v(a); ($xe, false) } )*
                $( SimdOp::$sh => { let ($sa, $ss) = (v(a), x(b)); ($se, true) } )*
                $( SimdOp::$sp => { let $px = x(a); ($pe, true) } )*
            };
            if wide {
                r.set128(d, result);
            } else {
                r.set(d, result as u64);
            }
        }
    };
}

for_each_simd!(define_simd);

/// Loads into a `v128`: how many bytes are read and how they become lanes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VLoadKind {
    Full,
    I8x8S,
    I8x8U,
    I16x4S,
    I16x4U,
    I32x2S,
    I32x2U,
    Splat8,
    Splat16,
    Splat32,
    Splat64,
    Zero32,
    Zero64,
}

/// The `v128` produced by a load of `kind` from the `bytes` read (only the first `kind.size()` matter).
pub(crate) fn vload(kind: VLoadKind, bytes: [u8; 16]) -> u128 {
    let lo = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    let lo8 = lo as u128;
    match kind {
        VLoadKind::Full => u128::from_le_bytes(bytes),
        VLoadKind::I8x8S => extend::<i8, i16>(lo8, 0, |x| x as i16),
        VLoadKind::I8x8U => extend::<u8, u16>(lo8, 0, |x| x as u16),
        VLoadKind::I16x4S => extend::<i16, i32>(lo8, 0, |x| x as i32),
        VLoadKind::I16x4U => extend::<u16, u32>(lo8, 0, |x| x as u32),
        VLoadKind::I32x2S => extend::<i32, i64>(lo8, 0, |x| x as i64),
        VLoadKind::I32x2U => extend::<u32, u64>(lo8, 0, |x| x as u64),
        VLoadKind::Splat8 => build::<u8>(|_| lo as u8),
        VLoadKind::Splat16 => build::<u16>(|_| lo as u16),
        VLoadKind::Splat32 => build::<u32>(|_| lo as u32),
        VLoadKind::Splat64 => build::<u64>(|_| lo),
        VLoadKind::Zero32 => lo as u32 as u128,
        VLoadKind::Zero64 => lo8,
    }
}

impl VLoadKind {
    /// Bytes read from memory.
    pub fn size(self) -> usize {
        match self {
            VLoadKind::Full => 16,
            VLoadKind::Splat8 => 1,
            VLoadKind::Splat16 => 2,
            VLoadKind::Splat32 | VLoadKind::Zero32 => 4,
            _ => 8,
        }
    }
}

/// Whether `op` is a SIMD operator.
pub(crate) fn is_simd(op: &Operator<'_>) -> bool {
    simd_op(op).is_some()
        || matches!(
            op,
            Operator::V128Const { .. }
                | Operator::I8x16Shuffle { .. }
                | Operator::I8x16ExtractLaneS { .. }
                | Operator::I8x16ExtractLaneU { .. }
                | Operator::I16x8ExtractLaneS { .. }
                | Operator::I16x8ExtractLaneU { .. }
                | Operator::I32x4ExtractLane { .. }
                | Operator::I64x2ExtractLane { .. }
                | Operator::F32x4ExtractLane { .. }
                | Operator::F64x2ExtractLane { .. }
                | Operator::I8x16ReplaceLane { .. }
                | Operator::I16x8ReplaceLane { .. }
                | Operator::I32x4ReplaceLane { .. }
                | Operator::I64x2ReplaceLane { .. }
                | Operator::F32x4ReplaceLane { .. }
                | Operator::F64x2ReplaceLane { .. }
        )
        || vmem(op).is_some()
}

/// Lane accesses: extract (signed/unsigned) or replace, with the lane type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LaneOp {
    ExtractI8S,
    ExtractI8U,
    ExtractI16S,
    ExtractI16U,
    Extract32,
    Extract64,
    Replace8,
    Replace16,
    Replace32,
    Replace64,
}

/// Execute a lane access.
pub(crate) fn exec_lane(r: Regs, op: LaneOp, lane_index: u8, d: S, a: S, b: S) {
    let v = r.get128(a);
    let i = lane_index as usize;
    let (scalar, vector) = match op {
        LaneOp::ExtractI8S => (lane::<i8>(v, i) as i32 as u32 as u64, None),
        LaneOp::ExtractI8U => (lane::<u8>(v, i) as u64, None),
        LaneOp::ExtractI16S => (lane::<i16>(v, i) as i32 as u32 as u64, None),
        LaneOp::ExtractI16U => (lane::<u16>(v, i) as u64, None),
        LaneOp::Extract32 => (lane::<u32>(v, i) as u64, None),
        LaneOp::Extract64 => (lane::<u64>(v, i), None),
        LaneOp::Replace8 => (0, Some(with_lane(v, i, r.get(b) as u8))),
        LaneOp::Replace16 => (0, Some(with_lane(v, i, r.get(b) as u16))),
        LaneOp::Replace32 => (0, Some(with_lane(v, i, r.get(b) as u32))),
        LaneOp::Replace64 => (0, Some(with_lane(v, i, r.get(b)))),
    };
    match vector {
        None => r.set(d, scalar),
        Some(v) => r.set128(d, v),
    }
}

/// Shuffle the 32 bytes of `a` and `b` by the 16 lane indices in `mask`.
pub(crate) fn shuffle(a: u128, b: u128, mask: u128) -> u128 {
    build::<u8>(|i| {
        let idx = lane::<u8>(mask, i) as usize;
        if idx < 16 { lane::<u8>(a, idx) } else { lane::<u8>(b, idx - 16) }
    })
}

enum VMem {
    Load(VLoadKind, wasmparser::MemArg),
    Store(wasmparser::MemArg),
    LoadLane(u8, wasmparser::MemArg, u8),
    StoreLane(u8, wasmparser::MemArg, u8),
}

fn vmem(op: &Operator<'_>) -> Option<VMem> {
    use Operator as O;
    use VLoadKind as K;
    Some(match *op {
        O::V128Load { memarg } => VMem::Load(K::Full, memarg),
        O::V128Load8x8S { memarg } => VMem::Load(K::I8x8S, memarg),
        O::V128Load8x8U { memarg } => VMem::Load(K::I8x8U, memarg),
        O::V128Load16x4S { memarg } => VMem::Load(K::I16x4S, memarg),
        O::V128Load16x4U { memarg } => VMem::Load(K::I16x4U, memarg),
        O::V128Load32x2S { memarg } => VMem::Load(K::I32x2S, memarg),
        O::V128Load32x2U { memarg } => VMem::Load(K::I32x2U, memarg),
        O::V128Load8Splat { memarg } => VMem::Load(K::Splat8, memarg),
        O::V128Load16Splat { memarg } => VMem::Load(K::Splat16, memarg),
        O::V128Load32Splat { memarg } => VMem::Load(K::Splat32, memarg),
        O::V128Load64Splat { memarg } => VMem::Load(K::Splat64, memarg),
        O::V128Load32Zero { memarg } => VMem::Load(K::Zero32, memarg),
        O::V128Load64Zero { memarg } => VMem::Load(K::Zero64, memarg),
        O::V128Store { memarg } => VMem::Store(memarg),
        O::V128Load8Lane { memarg, lane } => VMem::LoadLane(1, memarg, lane),
        O::V128Load16Lane { memarg, lane } => VMem::LoadLane(2, memarg, lane),
        O::V128Load32Lane { memarg, lane } => VMem::LoadLane(4, memarg, lane),
        O::V128Load64Lane { memarg, lane } => VMem::LoadLane(8, memarg, lane),
        O::V128Store8Lane { memarg, lane } => VMem::StoreLane(1, memarg, lane),
        O::V128Store16Lane { memarg, lane } => VMem::StoreLane(2, memarg, lane),
        O::V128Store32Lane { memarg, lane } => VMem::StoreLane(4, memarg, lane),
        O::V128Store64Lane { memarg, lane } => VMem::StoreLane(8, memarg, lane),
        _ => return None,
    })
}

/// Translate an operator the scalar translator did not handle: SIMD, or something not supported.
pub(crate) fn translate(t: &mut Translator<'_>, op: Operator<'_>) -> Result<()> {
    use Operator as O;
    if let Some((shape, op)) = simd_op(&op) {
        match shape {
            Shape::Unary | Shape::Test | Shape::Splat => {
                let a = t.pop_reg();
                let ty = if shape == Shape::Test { ValType::I32 } else { ValType::V128 };
                t.push_result(ty, |d| Instr::Simd { op, d, a, b: 0 });
            }
            Shape::Binary | Shape::Shift => {
                let b = t.pop_reg();
                let a = t.pop_reg();
                t.push_result(ValType::V128, |d| Instr::Simd { op, d, a, b });
            }
            Shape::Ternary => {
                let base = t.pop_operands(3);
                t.push_result(ValType::V128, |d| Instr::Simd { op, d, a: base, b: 0 });
            }
        }
        return Ok(());
    }
    if let Some(mem) = vmem(&op) {
        match mem {
            VMem::Load(kind, memarg) => {
                let a = t.pop_reg();
                let off = memarg.offset as u32;
                t.on_memory(super::ir::memory_index(&memarg), |t| {
                    t.push_result(ValType::V128, |d| Instr::VLoad { kind, d, a, off })
                });
            }
            VMem::Store(memarg) => {
                let v = t.pop_reg();
                let a = t.pop_reg();
                let off = memarg.offset as u32;
                t.on_memory(super::ir::memory_index(&memarg), |t| t.emit_plain(Instr::VStore { a, v, off }));
            }
            VMem::LoadLane(width, memarg, lane) => {
                let base = t.pop_operands(2);
                let off = memarg.offset as u32;
                t.on_memory(super::ir::memory_index(&memarg), |t| {
                    t.push_result(ValType::V128, |d| Instr::VLoadLane { width, lane, d, base, off })
                });
            }
            VMem::StoreLane(width, memarg, lane) => {
                let base = t.pop_operands(2);
                let off = memarg.offset as u32;
                t.on_memory(super::ir::memory_index(&memarg), |t| {
                    t.emit_plain(Instr::VStoreLane { width, lane, base, off })
                });
            }
        }
        return Ok(());
    }
    let (lane_op, lane, result) = match op {
        O::V128Const { value } => {
            t.constant128(u128::from_le_bytes(*value.bytes()));
            return Ok(());
        }
        O::I8x16Shuffle { lanes } => {
            let b = t.pop_reg();
            let a = t.pop_reg();
            let idx = t.add_const(u128::from_le_bytes(lanes));
            t.push_result(ValType::V128, |d| Instr::Shuffle { d, a, b });
            t.emit_plain(Instr::Aux { v: idx });
            return Ok(());
        }
        O::I8x16ExtractLaneS { lane } => (LaneOp::ExtractI8S, lane, ValType::I32),
        O::I8x16ExtractLaneU { lane } => (LaneOp::ExtractI8U, lane, ValType::I32),
        O::I16x8ExtractLaneS { lane } => (LaneOp::ExtractI16S, lane, ValType::I32),
        O::I16x8ExtractLaneU { lane } => (LaneOp::ExtractI16U, lane, ValType::I32),
        O::I32x4ExtractLane { lane } => (LaneOp::Extract32, lane, ValType::I32),
        O::I64x2ExtractLane { lane } => (LaneOp::Extract64, lane, ValType::I64),
        O::F32x4ExtractLane { lane } => (LaneOp::Extract32, lane, ValType::F32),
        O::F64x2ExtractLane { lane } => (LaneOp::Extract64, lane, ValType::F64),
        O::I8x16ReplaceLane { lane } => (LaneOp::Replace8, lane, ValType::V128),
        O::I16x8ReplaceLane { lane } => (LaneOp::Replace16, lane, ValType::V128),
        O::I32x4ReplaceLane { lane } | O::F32x4ReplaceLane { lane } => (LaneOp::Replace32, lane, ValType::V128),
        O::I64x2ReplaceLane { lane } | O::F64x2ReplaceLane { lane } => (LaneOp::Replace64, lane, ValType::V128),
        other => {
            let name = format!("{other:?}");
            let name = name.split([' ', '{']).next().unwrap_or("?").to_string();
            return Err(Error::unsupported(format!("instruction {name} is not supported yet")));
        }
    };
    let b = if result == ValType::V128 { t.pop_reg() } else { 0 };
    let a = t.pop_reg();
    t.push_result(result, |d| Instr::SimdLane { op: lane_op, lane, d, a, b });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_round_trip() {
        let v = with_lane(0u128, 3, -2i16);
        assert_eq!(lane::<i16>(v, 3), -2);
        assert_eq!(lane::<u16>(v, 2), 0);
        assert_eq!(bitmask::<u16>(v), 1 << 3);
        let f = build::<f32>(|i| i as f32);
        assert_eq!(lane::<f32>(f, 2), 2.0);
    }

    #[test]
    fn narrow_saturates() {
        let a = build::<i16>(|i| if i == 0 { 300 } else { -300 });
        let v = narrow::<i16, i8>(a, 0, -128, 127, |x| x as i8);
        assert_eq!(lane::<i8>(v, 0), 127);
        assert_eq!(lane::<i8>(v, 1), -128);
    }
}
