//! The interpreter's instruction set.
//!
//! Code is register-style: every operand names a slot of the current frame (`fp + slot`), computed once at
//! translation from WebAssembly's static stack heights. `local.get` costs nothing (the next instruction
//! reads the local's slot directly) and an operation followed by `local.set` writes the local directly.
//!
//! The numeric operators are described once, in [`for_each_numeric`]; the enum variants, the translation
//! from `wasmparser` and the execution are all derived from that table.

/// A slot index relative to the frame pointer.
pub(crate) type S = u32;

/// The accumulator: a value handed from one instruction to the next in a machine register instead of
/// through a frame slot. When an instruction's result is popped by the very next instruction and by
/// nothing else, and no branch lands between them, the producer runs in mode `OUT` (it leaves the result's
/// raw slot bits in the accumulator and writes no slot) and the consumer reads that operand from the
/// accumulator (mode `A` for its first operand, `B` for its second). The instructions stay the same; the
/// mode only picks their handler (`exec::handler_of`). It saves a store and a load, and, more
/// importantly, the store-to-load latency on chains of dependent operations.
pub(crate) mod acc {
    /// The result goes to the accumulator, not to slot `d`.
    pub const OUT: u8 = 1;
    /// The first operand (`a`; the condition of `br_if` and `select`, the index of `br_table`, the value of
    /// `return` and `global.set`) comes from the accumulator.
    pub const A: u8 = 2;
    /// The second operand (`b`; for stores the value `v`) comes from the accumulator.
    pub const B: u8 = 4;
    /// Not the accumulator: on a block's `Meter`, the handler of the next instruction in its mode, which
    /// charges the meter first, so that metering costs no dispatch of its own.
    pub const METER: u8 = 8;
}

/// Values as they live in 64-bit slots.
pub(crate) trait Slot: Copy {
    fn from_slot(raw: u64) -> Self;
    fn to_slot(self) -> u64;
}

impl Slot for i32 {
    #[inline(always)]
    fn from_slot(raw: u64) -> Self {
        raw as u32 as i32
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self as u32 as u64
    }
}
impl Slot for i64 {
    #[inline(always)]
    fn from_slot(raw: u64) -> Self {
        raw as i64
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self as u64
    }
}
impl Slot for f32 {
    #[inline(always)]
    fn from_slot(raw: u64) -> Self {
        f32::from_bits(raw as u32)
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self.to_bits() as u64
    }
}
impl Slot for f64 {
    #[inline(always)]
    fn from_slot(raw: u64) -> Self {
        f64::from_bits(raw)
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self.to_bits()
    }
}

/// Calls `$m!` with the table of operators the interpreter executes with one generic shape each:
/// `unary` (`Name(in => out) |x| expr`), `binary` (`Name / NameImm (in => out) |a, b| expr`, where the
/// optional `NameImm` form takes its second operand as a 32-bit immediate, sign-extended), their trapping
/// forms whose expression is a `Result<out, TrapCode>`, memory accesses `load`/`store`
/// (`Name(memory type => slot type)`), and the fused i32 compare-and-branch forms `branch` (numbered: the
/// number is the `cond` of the step-and-branch instructions).
macro_rules! for_each_op {
    ($m:ident) => {
        $m! {
            unary {
                I32Eqz(i32 => i32) |x| (x == 0) as i32;
                I64Eqz(i64 => i32) |x| (x == 0) as i32;
                I32Clz(i32 => i32) |x| x.leading_zeros() as i32;
                I32Ctz(i32 => i32) |x| x.trailing_zeros() as i32;
                I32Popcnt(i32 => i32) |x| x.count_ones() as i32;
                I64Clz(i64 => i64) |x| x.leading_zeros() as i64;
                I64Ctz(i64 => i64) |x| x.trailing_zeros() as i64;
                I64Popcnt(i64 => i64) |x| x.count_ones() as i64;
                F32Abs(f32 => f32) |x| x.abs();
                F32Neg(f32 => f32) |x| -x;
                F32Ceil(f32 => f32) |x| ops::f32_quiet(x.ceil());
                F32Floor(f32 => f32) |x| ops::f32_quiet(x.floor());
                F32Trunc(f32 => f32) |x| ops::f32_quiet(x.trunc());
                F32Nearest(f32 => f32) |x| ops::f32_quiet(ops::f32_nearest(x));
                F32Sqrt(f32 => f32) |x| x.sqrt();
                F64Abs(f64 => f64) |x| x.abs();
                F64Neg(f64 => f64) |x| -x;
                F64Ceil(f64 => f64) |x| ops::f64_quiet(x.ceil());
                F64Floor(f64 => f64) |x| ops::f64_quiet(x.floor());
                F64Trunc(f64 => f64) |x| ops::f64_quiet(x.trunc());
                F64Nearest(f64 => f64) |x| ops::f64_quiet(ops::f64_nearest(x));
                F64Sqrt(f64 => f64) |x| x.sqrt();
                I32WrapI64(i64 => i32) |x| x as i32;
                I64ExtendI32S(i32 => i64) |x| x as i64;
                I64ExtendI32U(i32 => i64) |x| x as u32 as i64;
                F32ConvertI32S(i32 => f32) |x| x as f32;
                F32ConvertI32U(i32 => f32) |x| x as u32 as f32;
                F32ConvertI64S(i64 => f32) |x| x as f32;
                F32ConvertI64U(i64 => f32) |x| x as u64 as f32;
                F32DemoteF64(f64 => f32) |x| x as f32;
                F64ConvertI32S(i32 => f64) |x| x as f64;
                F64ConvertI32U(i32 => f64) |x| x as u32 as f64;
                F64ConvertI64S(i64 => f64) |x| x as f64;
                F64ConvertI64U(i64 => f64) |x| x as u64 as f64;
                F64PromoteF32(f32 => f64) |x| x as f64;
                I32Extend8S(i32 => i32) |x| x as i8 as i32;
                I32Extend16S(i32 => i32) |x| x as i16 as i32;
                I64Extend8S(i64 => i64) |x| x as i8 as i64;
                I64Extend16S(i64 => i64) |x| x as i16 as i64;
                I64Extend32S(i64 => i64) |x| x as i32 as i64;
                I32TruncSatF32S(f32 => i32) |x| x as i32;
                I32TruncSatF32U(f32 => i32) |x| x as u32 as i32;
                I32TruncSatF64S(f64 => i32) |x| x as i32;
                I32TruncSatF64U(f64 => i32) |x| x as u32 as i32;
                I64TruncSatF32S(f32 => i64) |x| x as i64;
                I64TruncSatF32U(f32 => i64) |x| x as u64 as i64;
                I64TruncSatF64S(f64 => i64) |x| x as i64;
                I64TruncSatF64U(f64 => i64) |x| x as u64 as i64;
            }
            unary_trap {
                I32TruncF32S(f32 => i32) |x| ops::i32_trunc_f32_s(x);
                I32TruncF32U(f32 => i32) |x| ops::i32_trunc_f32_u(x).map(|v| v as i32);
                I32TruncF64S(f64 => i32) |x| ops::i32_trunc_f64_s(x);
                I32TruncF64U(f64 => i32) |x| ops::i32_trunc_f64_u(x).map(|v| v as i32);
                I64TruncF32S(f32 => i64) |x| ops::i64_trunc_f32_s(x);
                I64TruncF32U(f32 => i64) |x| ops::i64_trunc_f32_u(x).map(|v| v as i64);
                I64TruncF64S(f64 => i64) |x| ops::i64_trunc_f64_s(x);
                I64TruncF64U(f64 => i64) |x| ops::i64_trunc_f64_u(x).map(|v| v as i64);
            }
            binary {
                I32Eq / I32EqImm (i32 => i32) |a, b| (a == b) as i32;
                I32Ne / I32NeImm (i32 => i32) |a, b| (a != b) as i32;
                I32LtS / I32LtSImm (i32 => i32) |a, b| (a < b) as i32;
                I32LtU / I32LtUImm (i32 => i32) |a, b| ((a as u32) < (b as u32)) as i32;
                I32GtS / I32GtSImm (i32 => i32) |a, b| (a > b) as i32;
                I32GtU / I32GtUImm (i32 => i32) |a, b| ((a as u32) > (b as u32)) as i32;
                I32LeS / I32LeSImm (i32 => i32) |a, b| (a <= b) as i32;
                I32LeU / I32LeUImm (i32 => i32) |a, b| ((a as u32) <= (b as u32)) as i32;
                I32GeS / I32GeSImm (i32 => i32) |a, b| (a >= b) as i32;
                I32GeU / I32GeUImm (i32 => i32) |a, b| ((a as u32) >= (b as u32)) as i32;
                I64Eq / I64EqImm (i64 => i32) |a, b| (a == b) as i32;
                I64Ne / I64NeImm (i64 => i32) |a, b| (a != b) as i32;
                I64LtS / I64LtSImm (i64 => i32) |a, b| (a < b) as i32;
                I64LtU / I64LtUImm (i64 => i32) |a, b| ((a as u64) < (b as u64)) as i32;
                I64GtS / I64GtSImm (i64 => i32) |a, b| (a > b) as i32;
                I64GtU / I64GtUImm (i64 => i32) |a, b| ((a as u64) > (b as u64)) as i32;
                I64LeS / I64LeSImm (i64 => i32) |a, b| (a <= b) as i32;
                I64LeU / I64LeUImm (i64 => i32) |a, b| ((a as u64) <= (b as u64)) as i32;
                I64GeS / I64GeSImm (i64 => i32) |a, b| (a >= b) as i32;
                I64GeU / I64GeUImm (i64 => i32) |a, b| ((a as u64) >= (b as u64)) as i32;
                F32Eq(f32 => i32) |a, b| (a == b) as i32;
                F32Ne(f32 => i32) |a, b| (a != b) as i32;
                F32Lt(f32 => i32) |a, b| (a < b) as i32;
                F32Gt(f32 => i32) |a, b| (a > b) as i32;
                F32Le(f32 => i32) |a, b| (a <= b) as i32;
                F32Ge(f32 => i32) |a, b| (a >= b) as i32;
                F64Eq(f64 => i32) |a, b| (a == b) as i32;
                F64Ne(f64 => i32) |a, b| (a != b) as i32;
                F64Lt(f64 => i32) |a, b| (a < b) as i32;
                F64Gt(f64 => i32) |a, b| (a > b) as i32;
                F64Le(f64 => i32) |a, b| (a <= b) as i32;
                F64Ge(f64 => i32) |a, b| (a >= b) as i32;
                I32Add / I32AddImm (i32 => i32) |a, b| a.wrapping_add(b);
                I32Sub / I32SubImm (i32 => i32) |a, b| a.wrapping_sub(b);
                I32Mul / I32MulImm (i32 => i32) |a, b| a.wrapping_mul(b);
                I32And / I32AndImm (i32 => i32) |a, b| a & b;
                I32Or / I32OrImm (i32 => i32) |a, b| a | b;
                I32Xor / I32XorImm (i32 => i32) |a, b| a ^ b;
                I32Shl / I32ShlImm (i32 => i32) |a, b| a.wrapping_shl(b as u32);
                I32ShrS / I32ShrSImm (i32 => i32) |a, b| a.wrapping_shr(b as u32);
                I32ShrU / I32ShrUImm (i32 => i32) |a, b| (a as u32).wrapping_shr(b as u32) as i32;
                I32Rotl / I32RotlImm (i32 => i32) |a, b| a.rotate_left(b as u32);
                I32Rotr / I32RotrImm (i32 => i32) |a, b| a.rotate_right(b as u32);
                I64Add / I64AddImm (i64 => i64) |a, b| a.wrapping_add(b);
                I64Sub / I64SubImm (i64 => i64) |a, b| a.wrapping_sub(b);
                I64Mul / I64MulImm (i64 => i64) |a, b| a.wrapping_mul(b);
                I64And / I64AndImm (i64 => i64) |a, b| a & b;
                I64Or / I64OrImm (i64 => i64) |a, b| a | b;
                I64Xor / I64XorImm (i64 => i64) |a, b| a ^ b;
                I64Shl / I64ShlImm (i64 => i64) |a, b| a.wrapping_shl(b as u32);
                I64ShrS / I64ShrSImm (i64 => i64) |a, b| a.wrapping_shr(b as u32);
                I64ShrU / I64ShrUImm (i64 => i64) |a, b| (a as u64).wrapping_shr(b as u32) as i64;
                I64Rotl / I64RotlImm (i64 => i64) |a, b| a.rotate_left(b as u32);
                I64Rotr / I64RotrImm (i64 => i64) |a, b| a.rotate_right(b as u32);
                F32Add(f32 => f32) |a, b| a + b;
                F32Sub(f32 => f32) |a, b| a - b;
                F32Mul(f32 => f32) |a, b| a * b;
                F32Div(f32 => f32) |a, b| a / b;
                F32Min(f32 => f32) |a, b| ops::f32_min(a, b);
                F32Max(f32 => f32) |a, b| ops::f32_max(a, b);
                F32Copysign(f32 => f32) |a, b| a.copysign(b);
                F64Add(f64 => f64) |a, b| a + b;
                F64Sub(f64 => f64) |a, b| a - b;
                F64Mul(f64 => f64) |a, b| a * b;
                F64Div(f64 => f64) |a, b| a / b;
                F64Min(f64 => f64) |a, b| ops::f64_min(a, b);
                F64Max(f64 => f64) |a, b| ops::f64_max(a, b);
                F64Copysign(f64 => f64) |a, b| a.copysign(b);
            }
            binary_trap {
                I32DivS(i32 => i32) |a, b| ops::i32_div_s(a, b);
                I32DivU(i32 => i32) |a, b| ops::i32_div_u(a, b);
                I32RemS(i32 => i32) |a, b| ops::i32_rem_s(a, b);
                I32RemU(i32 => i32) |a, b| ops::i32_rem_u(a, b);
                I64DivS(i64 => i64) |a, b| ops::i64_div_s(a, b);
                I64DivU(i64 => i64) |a, b| ops::i64_div_u(a, b);
                I64RemS(i64 => i64) |a, b| ops::i64_rem_s(a, b);
                I64RemU(i64 => i64) |a, b| ops::i64_rem_u(a, b);
            }
            load {
                I32Load / I32LoadAt (i32 => i32);
                I64Load / I64LoadAt (i64 => i64);
                F32Load / F32LoadAt (f32 => f32);
                F64Load / F64LoadAt (f64 => f64);
                I32Load8S / I32Load8SAt (i8 => i32);
                I32Load8U / I32Load8UAt (u8 => i32);
                I32Load16S / I32Load16SAt (i16 => i32);
                I32Load16U / I32Load16UAt (u16 => i32);
                I64Load8S / I64Load8SAt (i8 => i64);
                I64Load8U / I64Load8UAt (u8 => i64);
                I64Load16S / I64Load16SAt (i16 => i64);
                I64Load16U / I64Load16UAt (u16 => i64);
                I64Load32S / I64Load32SAt (i32 => i64);
                I64Load32U / I64Load32UAt (u32 => i64);
            }
            store {
                I32Store / I32StoreAt / I32StoreImm / I32StoreImmAt (i32 => i32);
                I64Store / I64StoreAt / I64StoreImm / I64StoreImmAt (i64 => i64);
                F32Store / F32StoreAt (f32 => f32);
                F64Store / F64StoreAt (f64 => f64);
                I32Store8 / I32Store8At / I32Store8Imm / I32Store8ImmAt (u8 => i32);
                I32Store16 / I32Store16At / I32Store16Imm / I32Store16ImmAt (u16 => i32);
                I64Store8 / I64Store8At / I64Store8Imm / I64Store8ImmAt (u8 => i64);
                I64Store16 / I64Store16At / I64Store16Imm / I64Store16ImmAt (u16 => i64);
                I64Store32 / I64Store32At / I64Store32Imm / I64Store32ImmAt (u32 => i64);
            }
            branch {
                BrI32Eq / BrI32EqImm = 0 |a, b| a == b;
                BrI32Ne / BrI32NeImm = 1 |a, b| a != b;
                BrI32LtS / BrI32LtSImm = 2 |a, b| a < b;
                BrI32LtU / BrI32LtUImm = 3 |a, b| (a as u32) < (b as u32);
                BrI32GtS / BrI32GtSImm = 4 |a, b| a > b;
                BrI32GtU / BrI32GtUImm = 5 |a, b| (a as u32) > (b as u32);
                BrI32LeS / BrI32LeSImm = 6 |a, b| a <= b;
                BrI32LeU / BrI32LeUImm = 7 |a, b| (a as u32) <= (b as u32);
                BrI32GeS / BrI32GeSImm = 8 |a, b| a >= b;
                BrI32GeU / BrI32GeUImm = 9 |a, b| (a as u32) >= (b as u32);
                BrI32And / BrI32AndImm = 10 |a, b| a & b != 0;
                BrI32AndZ / BrI32AndZImm = 11 |a, b| a & b == 0;
            }
        }
    };
}
pub(crate) use for_each_op;

macro_rules! define_instr {
    (
        unary { $( $un:ident ($ui:ty => $uo:ty) |$ux:ident| $ue:expr; )* }
        unary_trap { $( $ut:ident ($ti:ty => $to:ty) |$tx:ident| $te:expr; )* }
        binary { $( $bin:ident $(/ $bimm:ident)? ($bi:ty => $bo:ty) |$ba:ident, $bb:ident| $be:expr; )* }
        binary_trap { $( $bt:ident ($ci:ty => $co:ty) |$ca:ident, $cb:ident| $ce:expr; )* }
        load { $( $l:ident / $lat:ident ($lm:ty => $ls:ty); )* }
        store { $( $st:ident / $stat:ident $(/ $stimm:ident / $stimmat:ident)? ($sm:ty => $ss:ty); )* }
        branch { $( $br:ident / $brimm:ident = $cn:literal |$ra:ident, $rb:ident| $re:expr; )* }
    ) => {
        /// One interpreter instruction. 16 bytes; operands are frame slots (`d` destination, `a`/`b` inputs).
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub(crate) enum Instr {
            $( $un { d: S, a: S }, )*
            $( $ut { d: S, a: S }, )*
            $( $bin { d: S, a: S, b: S }, $( $bimm { d: S, a: S, imm: i32 }, )? )*
            $( $bt { d: S, a: S, b: S }, )*
            $( $l { d: S, a: S, off: u32 }, $lat { d: S, a: S, imm: u32 }, )*
            $(
                $st { a: S, v: S, off: u32 },
                /// Store to `(a + imm) mod 2^32`.
                $stat { a: S, v: S, imm: u32 },
                $( $stimm { a: S, off: u32, v: i32 }, $stimmat { a: S, imm: u32, v: i32 }, )?
            )*
            $( $br { a: S, b: S, t: u32 }, $brimm { a: S, imm: i32, t: u32 }, )*
            Copy { d: S, s: S },
            /// Put slot `s` in the accumulator: on the way into a loop whose induction variable travels
            /// in the accumulator (`loops::carry_induction`).
            LoadAcc { s: S },
            Copy2 { d: S, s: S },
            CopySpan { d: S, s: S, n: u32 },
            Const32 { d: S, v: u32 },
            Const64 { d: S, v: u64 },
            /// `d..d+2 = consts[idx]` (a v128 constant from the function's pool).
            Const128 { d: S, idx: u32 },
            /// `if c == 0 { d = b }`: `d` already holds the first operand.
            Select { d: S, c: S, b: S },
            Select2 { d: S, c: S, b: S },
            /// `if c == 0 { d = imm }` (a 32-bit constant as the second operand).
            SelectImm { d: S, c: S, imm: u32 },
            /// `if global g == 0 { d = imm }`, for hot global `g` (`exec::HOT_GLOBALS`).
            SelectGlobalImm { d: S, g: u8, imm: u32 },
            Br { t: u32 },
            /// `Const32` and then `Br`: a block's or an `if` arm's constant result on its way out.
            ConstBr { d: S, v: u32, t: u32 },
            /// `Copy` and then `Br`.
            CopyBr { d: S, s: S, t: u32 },
            BrIfNez { c: S, t: u32 },
            BrIfEqz { c: S, t: u32 },
            /// The latch of a counted loop: `x += step` (i32, wrapping), then branch when compare-branch
            /// number `cond` (the `branch` table) holds for `x` and `lim`. 16-bit slots: the translator
            /// fuses only when they fit.
            StepBrImm { cond: u8, x: u16, step: i16, lim: i32, t: u32 },
            /// `x += step`, then compare `x` with slot `b`.
            StepBr { cond: u8, x: u16, b: u16, step: i32, t: u32 },
            /// `x += y` (slot), then compare `x` with `lim`.
            AddBrImm { cond: u8, x: u16, y: u16, lim: i32, t: u32 },
            /// `x += y`, then compare `x` with slot `b`.
            AddBr { cond: u8, x: u16, y: u16, b: u16, t: u32 },
            /// Branch when compare-branch number `cond` holds for the i32 value of hot global `g`
            /// (`exec::HOT_GLOBALS`) and `imm`: `global.get` and a test of it as one instruction
            /// (asyncify's state checks, `global.get $state; i32.const 2; i32.ne; br_if`).
            GlobalBr { cond: u8, g: u8, imm: i32, t: u32 },
            /// Jump to the `min(i, n)`-th of the `n + 1` `Br` instructions that follow.
            BrTable { i: S, n: u32 },
            Return0,
            Return1 { s: S },
            ReturnSpan { s: S, n: u32 },
            /// Call a function defined in this module (index among defined functions); arguments and
            /// results at `base..`.
            Call { f: u32, base: S },
            /// Call through the instance's function table (imports, or any function by module index).
            CallImport { f: u32, base: S },
            CallIndirect { ty: u32, i: S, base: S },
            /// `call_indirect` on a table other than 0; the next instruction is `Aux { v: table }`.
            CallIndirectT { ty: u32, i: S, base: S },
            ReturnCall { f: u32, base: S },
            ReturnCallImport { f: u32, base: S },
            ReturnCallIndirect { ty: u32, i: S, base: S },
            ReturnCallIndirectT { ty: u32, i: S, base: S },
            /// An immediate for the previous instruction; never executed.
            Aux { v: u32 },
            Unreachable,
            /// Start of a metered block with uniform costs: spend `gas`, which is also the block's
            /// instruction count.
            Meter { gas: u32 },
            /// Start of a metered block under a cost table: count `count` instructions and spend `gas`.
            MeterCount { count: u32, gas: u32 },
            CheckInterrupt,
            GlobalGet { d: S, g: u32 },
            GlobalSet { s: S, g: u32 },
            GlobalGet2 { d: S, g: u32 },
            GlobalSet2 { s: S, g: u32 },
            MemorySize { d: S },
            MemoryGrow { d: S, a: S },
            /// `memory.fill` with (dst, value, len) at `base..base+3`.
            MemoryFill { base: S },
            /// `memory.copy` with (dst, src, len) at `base..base+3`.
            MemoryCopy { base: S },
            /// `memory.copy` between memories `dst_mem` and `src_mem` (multi-memory).
            MemoryCopyMulti { base: S, dst_mem: u32, src_mem: u32 },
            /// Make memory `m` the one the following memory instruction uses (multi-memory); memory 0 is
            /// selected again right after it. Never emitted for single-memory code.
            SelectMem { m: u32 },
            /// `memory.init` with (dst, src, len) at `base..base+3`.
            MemoryInit { seg: u32, base: S },
            DataDrop { seg: u32 },
            TableGet { d: S, i: S, t: u32 },
            TableSet { i: S, v: S, t: u32 },
            TableSize { d: S, t: u32 },
            /// `table.grow` with (init, delta) at `base..base+2`; the result replaces `base`.
            TableGrow { base: S, t: u32 },
            /// `table.fill` with (dst, value, len) at `base..base+3`.
            TableFill { base: S, t: u32 },
            /// `table.copy` with (dst, src, len) at `base..base+3`.
            TableCopy { base: S, dst: u32, src: u32 },
            /// `table.init` with (dst, src, len) at `base..base+3`; the next instruction is `Aux { v: table }`.
            TableInit { base: S, seg: u32 },
            ElemDrop { seg: u32 },
            RefFunc { d: S, f: u32 },
            /// A lane-wise SIMD operator (see `simd.rs` for how `a` and `b` are used per shape).
            Simd { op: super::simd::SimdOp, d: S, a: S, b: S },
            /// Extract or replace a lane: `d = a[lane]` or `d = a` with `a[lane] = b`.
            SimdLane { op: super::simd::LaneOp, lane: u8, d: S, a: S, b: S },
            /// `i8x16.shuffle`; the next instruction is `Aux { v: const index of the lane mask }`.
            Shuffle { d: S, a: S, b: S },
            VLoad { kind: super::simd::VLoadKind, d: S, a: S, off: u32 },
            VStore { a: S, v: S, off: u32 },
            /// Load `width` bytes into lane `lane` of the vector at `base + 1`; the address is at `base`.
            VLoadLane { width: u8, lane: u8, d: S, base: S, off: u32 },
            /// Store lane `lane` (`width` bytes) of the vector at `base + 1` at the address at `base`.
            VStoreLane { width: u8, lane: u8, base: S, off: u32 },
        }

        impl Instr {
            /// The destination slot of an instruction whose only effect is to write one slot, so that a
            /// following `local.set` can redirect it.
            pub(crate) fn dst_mut(&mut self) -> Option<&mut S> {
                match self {
                    $( Instr::$un { d, .. } )|*
                    | $( Instr::$ut { d, .. } )|*
                    | $( Instr::$bin { d, .. } $( | Instr::$bimm { d, .. } )? )|*
                    | $( Instr::$bt { d, .. } )|*
                    | $( Instr::$l { d, .. } | Instr::$lat { d, .. } )|*
                    | Instr::Const32 { d, .. }
                    | Instr::Const64 { d, .. }
                    | Instr::GlobalGet { d, .. }
                    | Instr::MemorySize { d }
                    | Instr::MemoryGrow { d, .. }
                    | Instr::TableGet { d, .. }
                    | Instr::TableSize { d, .. }
                    | Instr::RefFunc { d, .. }
                    | Instr::Simd { d, .. }
                    | Instr::SimdLane { d, .. }
                    | Instr::VLoad { d, .. } => Some(d),
                    _ => None,
                }
            }

            /// The slot an instruction that may run in accumulator mode `OUT` writes (see [`acc`]).
            pub(crate) fn acc_dst(&self) -> Option<S> {
                match *self {
                    $( Instr::$un { d, .. } )|*
                    | $( Instr::$ut { d, .. } )|*
                    | $( Instr::$bin { d, .. } $( | Instr::$bimm { d, .. } )? )|*
                    | $( Instr::$bt { d, .. } )|*
                    | $( Instr::$l { d, .. } | Instr::$lat { d, .. } )|*
                    | Instr::GlobalGet { d, .. } => Some(d),
                    _ => None,
                }
            }

            /// The operands an instruction may take from the accumulator: the slots it reads in positions
            /// `A` and `B` (see [`acc`]).
            pub(crate) fn acc_operands(&self) -> (Option<S>, Option<S>) {
                match *self {
                    $( Instr::$un { a, .. } => (Some(a), None), )*
                    $( Instr::$ut { a, .. } => (Some(a), None), )*
                    $( Instr::$bin { a, b, .. } => (Some(a), Some(b)), $( Instr::$bimm { a, .. } => (Some(a), None), )? )*
                    $( Instr::$bt { a, b, .. } => (Some(a), Some(b)), )*
                    $( Instr::$l { a, .. } | Instr::$lat { a, .. } => (Some(a), None), )*
                    $(
                        Instr::$st { a, v, .. } | Instr::$stat { a, v, .. } => (Some(a), Some(v)),
                        $( Instr::$stimm { a, .. } | Instr::$stimmat { a, .. } => (Some(a), None), )?
                    )*
                    $( Instr::$br { a, b, .. } => (Some(a), Some(b)), Instr::$brimm { a, .. } => (Some(a), None), )*
                    Instr::BrIfNez { c, .. } | Instr::BrIfEqz { c, .. } => (Some(c), None),
                    Instr::BrTable { i, .. } => (Some(i), None),
                    Instr::Return1 { s } | Instr::GlobalSet { s, .. } => (Some(s), None),
                    // `select` also reads `d` and `b`: the condition may come from the accumulator only if it
                    // is neither of them.
                    Instr::Select { d, c, b } if d != c && b != c => (Some(c), None),
                    _ => (None, None),
                }
            }

            /// For an instruction that, in mode 0, leaves the accumulator as it found it, writes no slot
            /// but (at most) one, and continues at the next instruction, at its branch target or with a
            /// trap: `Some` of the slot it writes. `None` for every other instruction (calls, returns,
            /// tables of branches, instructions writing several slots or changing the accumulator).
            pub(crate) fn plain_step(&self) -> Option<Option<S>> {
                // In mode 0, the instructions that may leave their result in the accumulator write it to
                // their slot and hand the accumulator on.
                if let Some(d) = self.acc_dst() {
                    return Some(Some(d));
                }
                match *self {
                    Instr::Copy { d, .. }
                    | Instr::Const32 { d, .. }
                    | Instr::Const64 { d, .. }
                    | Instr::Select { d, .. }
                    | Instr::SelectImm { d, .. }
                    | Instr::SelectGlobalImm { d, .. } => Some(Some(d)),
                    $( Instr::$st { .. } | Instr::$stat { .. } $( | Instr::$stimm { .. } | Instr::$stimmat { .. } )? )|*
                    | $( Instr::$br { .. } | Instr::$brimm { .. } )|*
                    | Instr::Br { .. }
                    | Instr::BrIfNez { .. }
                    | Instr::BrIfEqz { .. }
                    | Instr::GlobalBr { .. }
                    | Instr::Meter { .. }
                    | Instr::MeterCount { .. }
                    | Instr::CheckInterrupt
                    | Instr::GlobalSet { .. } => Some(None),
                    _ => None,
                }
            }

            /// The branch target, for instructions that jump.
            pub(crate) fn target_mut(&mut self) -> Option<&mut u32> {
                match self {
                    Instr::Br { t }
                    | Instr::BrIfNez { t, .. }
                    | Instr::BrIfEqz { t, .. }
                    | Instr::StepBrImm { t, .. }
                    | Instr::StepBr { t, .. }
                    | Instr::AddBrImm { t, .. }
                    | Instr::AddBr { t, .. }
                    | Instr::GlobalBr { t, .. }
                    | Instr::ConstBr { t, .. }
                    | Instr::CopyBr { t, .. } => Some(t),
                    $( Instr::$br { t, .. } | Instr::$brimm { t, .. } => Some(t), )*
                    _ => None,
                }
            }

            /// One past the highest frame slot the instruction reads or writes (calls: of the caller's
            /// frame). The translator sizes frames from this, and the executor relies on it.
            pub(crate) fn slot_end(&self) -> u32 {
                let m = |xs: &[u32]| xs.iter().copied().max().unwrap_or(0);
                match *self {
                    $( Instr::$un { d, a } => m(&[d, a]) + 1, )*
                    $( Instr::$ut { d, a } => m(&[d, a]) + 1, )*
                    $( Instr::$bin { d, a, b } => m(&[d, a, b]) + 1, $( Instr::$bimm { d, a, .. } => m(&[d, a]) + 1, )? )*
                    $( Instr::$bt { d, a, b } => m(&[d, a, b]) + 1, )*
                    $( Instr::$l { d, a, .. } | Instr::$lat { d, a, .. } => m(&[d, a]) + 1, )*
                    $(
                        Instr::$st { a, v, .. } | Instr::$stat { a, v, .. } => m(&[a, v]) + 1,
                        $( Instr::$stimm { a, .. } | Instr::$stimmat { a, .. } => a + 1, )?
                    )*
                    $( Instr::$br { a, b, .. } => m(&[a, b]) + 1, Instr::$brimm { a, .. } => a + 1, )*
                    Instr::Copy { d, s } => m(&[d, s]) + 1,
                    Instr::LoadAcc { s } => s + 1,
                    Instr::Copy2 { d, s } => m(&[d, s]) + 2,
                    Instr::CopySpan { d, s, n } => m(&[d, s]) + n,
                    Instr::Const32 { d, .. } | Instr::Const64 { d, .. } => d + 1,
                    Instr::Const128 { d, .. } => d + 2,
                    Instr::Select { d, c, b } => m(&[d, c, b]) + 1,
                    Instr::Select2 { d, c, b } => m(&[d + 1, c, b + 1]) + 1,
                    Instr::SelectImm { d, c, .. } => m(&[d, c]) + 1,
                    Instr::SelectGlobalImm { d, .. } => d + 1,
                    Instr::BrIfNez { c, .. } | Instr::BrIfEqz { c, .. } => c + 1,
                    Instr::StepBrImm { x, .. } => x as u32 + 1,
                    Instr::StepBr { x, b, .. } => m(&[x as u32, b as u32]) + 1,
                    Instr::AddBrImm { x, y, .. } => m(&[x as u32, y as u32]) + 1,
                    Instr::AddBr { x, y, b, .. } => m(&[x as u32, y as u32, b as u32]) + 1,
                    Instr::GlobalBr { .. } => 0,
                    Instr::ConstBr { d, .. } => d + 1,
                    Instr::CopyBr { d, s, .. } => m(&[d, s]) + 1,
                    Instr::BrTable { i, .. } => i + 1,
                    Instr::Return1 { s } => s + 1,
                    Instr::ReturnSpan { s, n } => s + n,
                    Instr::Call { base, .. }
                    | Instr::CallImport { base, .. }
                    | Instr::ReturnCall { base, .. }
                    | Instr::ReturnCallImport { base, .. } => base + 1,
                    Instr::CallIndirect { i, base, .. }
                    | Instr::CallIndirectT { i, base, .. }
                    | Instr::ReturnCallIndirect { i, base, .. }
                    | Instr::ReturnCallIndirectT { i, base, .. } => m(&[i, base]) + 1,
                    Instr::GlobalGet { d, .. } | Instr::MemorySize { d } | Instr::TableSize { d, .. } => d + 1,
                    Instr::RefFunc { d, .. } => d + 1,
                    Instr::GlobalSet { s, .. } => s + 1,
                    Instr::GlobalGet2 { d, .. } => d + 2,
                    Instr::GlobalSet2 { s, .. } => s + 2,
                    Instr::MemoryGrow { d, a } => m(&[d, a]) + 1,
                    Instr::MemoryFill { base }
                    | Instr::MemoryCopy { base }
                    | Instr::MemoryCopyMulti { base, .. }
                    | Instr::MemoryInit { base, .. } => base + 3,
                    Instr::TableGet { d, i, .. } => m(&[d, i]) + 1,
                    Instr::TableSet { i, v, .. } => m(&[i, v]) + 1,
                    Instr::TableGrow { base, .. } => base + 2,
                    Instr::TableFill { base, .. } | Instr::TableCopy { base, .. } | Instr::TableInit { base, .. } => {
                        base + 3
                    }
                    Instr::Simd { d, a, b, .. } => m(&[d, a, b]) + 6,
                    Instr::SimdLane { d, a, b, .. } | Instr::Shuffle { d, a, b } => m(&[d, a, b]) + 2,
                    Instr::VLoad { d, a, .. } => m(&[d + 1, a]) + 1,
                    Instr::VStore { a, v, .. } => m(&[a, v + 1]) + 1,
                    Instr::VLoadLane { d, base, .. } => m(&[d + 1, base + 2]) + 1,
                    Instr::VStoreLane { base, .. } => base + 3,
                    Instr::Br { .. }
                    | Instr::Return0
                    | Instr::Aux { .. }
                    | Instr::Unreachable
                    | Instr::Meter { .. }
                    | Instr::MeterCount { .. }
                    | Instr::CheckInterrupt
                    | Instr::SelectMem { .. }
                    | Instr::DataDrop { .. }
                    | Instr::ElemDrop { .. } => 0,
                }
            }
        }

        /// Translate a numeric operator; `None` if `op` is not one.
        pub(crate) fn numeric(op: &wasmparser::Operator<'_>) -> Option<Numeric> {
            use wasmparser::Operator as O;
            Some(match op {
                $( O::$un => Numeric::unary(|d, a, _| Instr::$un { d, a }, <$uo as ValTypeOf>::TYPE), )*
                $( O::$ut => Numeric::unary(|d, a, _| Instr::$ut { d, a }, <$to as ValTypeOf>::TYPE), )*
                $( O::$bin => Numeric {
                    shape: NumShape::Binary,
                    make: |d, a, b| Instr::$bin { d, a, b },
                    make_imm: None $( .or(Some(|d, a, imm| Instr::$bimm { d, a, imm })) )?,
                    out: <$bo as ValTypeOf>::TYPE,
                }, )*
                $( O::$bt => Numeric {
                    shape: NumShape::Binary,
                    make: |d, a, b| Instr::$bt { d, a, b },
                    make_imm: None,
                    out: <$co as ValTypeOf>::TYPE,
                }, )*
                _ => return None,
            })
        }

        /// Translate a memory access operator: the instruction constructor and the loaded type.
        pub(crate) fn memory_op(op: &wasmparser::Operator<'_>) -> Option<MemOp> {
            use wasmparser::Operator as O;
            Some(match op {
                $( O::$l { memarg } => MemOp::Load {
                    make: |d, a, off| Instr::$l { d, a, off },
                    make_at: |d, a, imm| Instr::$lat { d, a, imm },
                    ty: <$ls as ValTypeOf>::TYPE,
                    memarg: *memarg,
                }, )*
                $( O::$st { memarg } => MemOp::Store {
                    make: |a, v, off| Instr::$st { a, v, off },
                    make_at: |a, v, imm| Instr::$stat { a, v, imm },
                    make_imm: None $( .or(Some(|a, off, v| Instr::$stimm { a, off, v })) )?,
                    make_imm_at: None $( .or(Some(|a, imm, v| Instr::$stimmat { a, imm, v })) )?,
                    bytes: std::mem::size_of::<$sm>() as u32,
                    memarg: *memarg,
                }, )*
                _ => return None,
            })
        }

        /// The fused compare-and-branch for a just-emitted i32 comparison (or `i32.and`: a bit test),
        /// jumping when the comparison holds (the bits are not all zero), or when it fails if `negate`.
        pub(crate) fn fuse_compare(cmp: &Instr, negate: bool) -> Option<Instr> {
            // Each comparison with its negation, in (register, immediate) form.
            const T: u32 = u32::MAX;
            let (reg, imm) = match *cmp {
                Instr::I32Eq { a, b, .. } => (Some(if negate { Instr::BrI32Ne { a, b, t: T } } else { Instr::BrI32Eq { a, b, t: T } }), None),
                Instr::I32Ne { a, b, .. } => (Some(if negate { Instr::BrI32Eq { a, b, t: T } } else { Instr::BrI32Ne { a, b, t: T } }), None),
                Instr::I32LtS { a, b, .. } => (Some(if negate { Instr::BrI32GeS { a, b, t: T } } else { Instr::BrI32LtS { a, b, t: T } }), None),
                Instr::I32LtU { a, b, .. } => (Some(if negate { Instr::BrI32GeU { a, b, t: T } } else { Instr::BrI32LtU { a, b, t: T } }), None),
                Instr::I32GtS { a, b, .. } => (Some(if negate { Instr::BrI32LeS { a, b, t: T } } else { Instr::BrI32GtS { a, b, t: T } }), None),
                Instr::I32GtU { a, b, .. } => (Some(if negate { Instr::BrI32LeU { a, b, t: T } } else { Instr::BrI32GtU { a, b, t: T } }), None),
                Instr::I32LeS { a, b, .. } => (Some(if negate { Instr::BrI32GtS { a, b, t: T } } else { Instr::BrI32LeS { a, b, t: T } }), None),
                Instr::I32LeU { a, b, .. } => (Some(if negate { Instr::BrI32GtU { a, b, t: T } } else { Instr::BrI32LeU { a, b, t: T } }), None),
                Instr::I32GeS { a, b, .. } => (Some(if negate { Instr::BrI32LtS { a, b, t: T } } else { Instr::BrI32GeS { a, b, t: T } }), None),
                Instr::I32GeU { a, b, .. } => (Some(if negate { Instr::BrI32LtU { a, b, t: T } } else { Instr::BrI32GeU { a, b, t: T } }), None),
                Instr::I32EqImm { a, imm, .. } => (None, Some(if negate { Instr::BrI32NeImm { a, imm, t: T } } else { Instr::BrI32EqImm { a, imm, t: T } })),
                Instr::I32NeImm { a, imm, .. } => (None, Some(if negate { Instr::BrI32EqImm { a, imm, t: T } } else { Instr::BrI32NeImm { a, imm, t: T } })),
                Instr::I32LtSImm { a, imm, .. } => (None, Some(if negate { Instr::BrI32GeSImm { a, imm, t: T } } else { Instr::BrI32LtSImm { a, imm, t: T } })),
                Instr::I32LtUImm { a, imm, .. } => (None, Some(if negate { Instr::BrI32GeUImm { a, imm, t: T } } else { Instr::BrI32LtUImm { a, imm, t: T } })),
                Instr::I32GtSImm { a, imm, .. } => (None, Some(if negate { Instr::BrI32LeSImm { a, imm, t: T } } else { Instr::BrI32GtSImm { a, imm, t: T } })),
                Instr::I32GtUImm { a, imm, .. } => (None, Some(if negate { Instr::BrI32LeUImm { a, imm, t: T } } else { Instr::BrI32GtUImm { a, imm, t: T } })),
                Instr::I32LeSImm { a, imm, .. } => (None, Some(if negate { Instr::BrI32GtSImm { a, imm, t: T } } else { Instr::BrI32LeSImm { a, imm, t: T } })),
                Instr::I32LeUImm { a, imm, .. } => (None, Some(if negate { Instr::BrI32GtUImm { a, imm, t: T } } else { Instr::BrI32LeUImm { a, imm, t: T } })),
                Instr::I32GeSImm { a, imm, .. } => (None, Some(if negate { Instr::BrI32LtSImm { a, imm, t: T } } else { Instr::BrI32GeSImm { a, imm, t: T } })),
                Instr::I32GeUImm { a, imm, .. } => (None, Some(if negate { Instr::BrI32LtUImm { a, imm, t: T } } else { Instr::BrI32GeUImm { a, imm, t: T } })),
                Instr::I32And { a, b, .. } => (Some(if negate { Instr::BrI32AndZ { a, b, t: T } } else { Instr::BrI32And { a, b, t: T } }), None),
                Instr::I32AndImm { a, imm, .. } => (None, Some(if negate { Instr::BrI32AndZImm { a, imm, t: T } } else { Instr::BrI32AndImm { a, imm, t: T } })),
                Instr::I32Eqz { a, .. } => {
                    (Some(if negate { Instr::BrIfNez { c: a, t: T } } else { Instr::BrIfEqz { c: a, t: T } }), None)
                }
                _ => return None,
            };
            reg.or(imm)
        }

        /// A compare-and-branch as its condition number, first operand, second operand and target
        /// (`br_if` tests against an immediate 0).
        fn branch_parts(branch: &Instr) -> Option<(u8, S, Rhs, u32)> {
            match *branch {
                $(
                    Instr::$br { a, b, t } => Some(($cn, a, Rhs::Slot(b), t)),
                    Instr::$brimm { a, imm, t } => Some(($cn, a, Rhs::Imm(imm), t)),
                )*
                Instr::BrIfNez { c, t } => Some((1, c, Rhs::Imm(0), t)),
                Instr::BrIfEqz { c, t } => Some((0, c, Rhs::Imm(0), t)),
                _ => None,
            }
        }

        /// `branch` (a compare-and-branch of slot `d` with an immediate, or a `br_if` on `d`) as a test
        /// of hot global `g`, for a `d` that holds the global's value and that nothing else reads.
        pub(crate) fn fuse_global(g: u32, d: S, branch: &Instr) -> Option<Instr> {
            match branch_parts(branch)? {
                (cond, a, Rhs::Imm(imm), t) if a == d => Some(Instr::GlobalBr { cond, g: u8::try_from(g).ok()?, imm, t }),
                _ => None,
            }
        }

        /// `mov` (a `Const32` or `Copy`) followed by `br` (a `Br`) as one instruction.
        pub(crate) fn fuse_move_branch(mov: &Instr, br: &Instr) -> Option<Instr> {
            let Instr::Br { t } = *br else { return None };
            match *mov {
                Instr::Const32 { d, v } => Some(Instr::ConstBr { d, v, t }),
                Instr::Copy { d, s } => Some(Instr::CopyBr { d, s, t }),
                _ => None,
            }
        }

        /// `update` (an `i32.add` of a slot or constant to slot `x`, written back to `x`) followed by
        /// `branch` (a compare-and-branch whose first operand is `x`) as one instruction, when the
        /// slots fit in 16 bits: the latch of a counted loop.
        pub(crate) fn fuse_step(update: &Instr, branch: &Instr) -> Option<Instr> {
            let (cond, a, rhs, t) = branch_parts(branch)?;
            let narrow = |s: S| u16::try_from(s).ok();
            enum Step {
                Imm(i32),
                Slot(u16),
            }
            let (x, step) = match *update {
                Instr::I32AddImm { d, a, imm } if d == a => (d, Step::Imm(imm)),
                Instr::I32Add { d, a, b } if d == a && b != d => (d, Step::Slot(narrow(b)?)),
                Instr::I32Add { d, a, b } if d == b && a != d => (d, Step::Slot(narrow(a)?)),
                _ => return None,
            };
            if a != x || rhs == Rhs::Slot(x) {
                return None;
            }
            let x = narrow(x)?;
            Some(match (step, rhs) {
                (Step::Imm(step), Rhs::Imm(lim)) => {
                    Instr::StepBrImm { cond, x, step: i16::try_from(step).ok()?, lim, t }
                }
                (Step::Imm(step), Rhs::Slot(b)) => Instr::StepBr { cond, x, b: narrow(b)?, step, t },
                (Step::Slot(y), Rhs::Imm(lim)) => Instr::AddBrImm { cond, x, y, lim, t },
                (Step::Slot(y), Rhs::Slot(b)) => Instr::AddBr { cond, x, y, b: narrow(b)?, t },
            })
        }
    };
}

for_each_op!(define_instr);

impl Instr {
    /// The accumulator mode (`acc::A` or `acc::B`) in which this instruction takes the value of `slot`
    /// from the accumulator: the one position of [`Instr::acc_operands`] that reads `slot`, if exactly one
    /// does.
    pub(crate) fn acc_position(&self, slot: S) -> Option<u8> {
        match self.acc_operands() {
            (Some(a), b) if a == slot && b != Some(slot) => Some(acc::A),
            (a, Some(b)) if b == slot && a != Some(slot) => Some(acc::B),
            _ => None,
        }
    }
}

/// The second operand of a compare-and-branch.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rhs {
    Slot(S),
    Imm(i32),
}

/// A numeric operator's translation: shape, constructors and result type.
#[derive(Clone, Copy)]
pub(crate) struct Numeric {
    pub shape: NumShape,
    pub make: fn(S, S, S) -> Instr,
    /// The form with a 32-bit immediate second operand, if there is one.
    pub make_imm: Option<fn(S, S, i32) -> Instr>,
    pub out: crate::types::ValType,
}

impl Numeric {
    fn unary(make: fn(S, S, S) -> Instr, out: crate::types::ValType) -> Self {
        Numeric { shape: NumShape::Unary, make, make_imm: None, out }
    }
}

/// Whether a numeric operator takes one operand or two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumShape {
    Unary,
    Binary,
}

pub(crate) trait ValTypeOf {
    const TYPE: crate::types::ValType;
}
impl ValTypeOf for i32 {
    const TYPE: crate::types::ValType = crate::types::ValType::I32;
}
impl ValTypeOf for i64 {
    const TYPE: crate::types::ValType = crate::types::ValType::I64;
}
impl ValTypeOf for f32 {
    const TYPE: crate::types::ValType = crate::types::ValType::F32;
}
impl ValTypeOf for f64 {
    const TYPE: crate::types::ValType = crate::types::ValType::F64;
}

/// The memory a memory operator accesses (GC array targets need the GC proposal, which is off).
pub(crate) fn memory_index(memarg: &wasmparser::MemArg) -> u32 {
    match memarg.target {
        wasmparser::MemArgTarget::Memory(m) => m,
        wasmparser::MemArgTarget::Array(_) => 0,
    }
}

pub(crate) enum MemOp {
    Load {
        make: fn(S, S, u32) -> Instr,
        /// The form that loads from `(a + imm) mod 2^32` (offset 0): `i32.add` of a constant, then the load.
        make_at: fn(S, S, u32) -> Instr,
        ty: crate::types::ValType,
        memarg: wasmparser::MemArg,
    },
    Store {
        make: fn(S, S, u32) -> Instr,
        /// The form that stores to `(a + imm) mod 2^32` (see `Load::make_at`).
        make_at: fn(S, S, u32) -> Instr,
        /// Constant value and `(a + imm) mod 2^32` address.
        make_imm_at: Option<fn(S, u32, i32) -> Instr>,
        /// The form that stores a constant (an `i32` immediate, sign-extended for 8-byte stores).
        make_imm: Option<fn(S, u32, i32) -> Instr>,
        /// How many bytes the store writes.
        bytes: u32,
        memarg: wasmparser::MemArg,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_stay_small() {
        assert_eq!(std::mem::size_of::<Instr>(), 16);
    }

    #[test]
    fn loop_latches_fuse_only_when_they_fit() {
        let add = Instr::I32AddImm { d: 3, a: 3, imm: 1 };
        let ne = Instr::BrI32NeImm { a: 3, imm: 10, t: 7 };
        assert_eq!(fuse_step(&add, &ne), Some(Instr::StepBrImm { cond: 1, x: 3, step: 1, lim: 10, t: 7 }));
        let nez = Instr::BrIfNez { c: 3, t: 7 };
        assert_eq!(fuse_step(&add, &nez), Some(Instr::StepBrImm { cond: 1, x: 3, step: 1, lim: 0, t: 7 }));
        // `x = y + x` is `x += y` too.
        let add_slot = Instr::I32Add { d: 3, a: 5, b: 3 };
        let lt = Instr::BrI32LtU { a: 3, b: 4, t: 7 };
        assert_eq!(fuse_step(&add_slot, &lt), Some(Instr::AddBr { cond: 3, x: 3, y: 5, b: 4, t: 7 }));
        // Not: the add writes elsewhere, the branch compares something else or `x` on its right, a
        // slot or step that does not fit, a branch that is no compare.
        assert_eq!(fuse_step(&Instr::I32AddImm { d: 4, a: 3, imm: 1 }, &ne), None);
        assert_eq!(fuse_step(&add, &Instr::BrI32NeImm { a: 4, imm: 10, t: 7 }), None);
        assert_eq!(fuse_step(&add, &Instr::BrI32LtU { a: 4, b: 3, t: 7 }), None);
        assert_eq!(fuse_step(&add, &Instr::BrI32LtU { a: 3, b: 3, t: 7 }), None);
        let far = Instr::I32AddImm { d: 70_000, a: 70_000, imm: 1 };
        assert_eq!(fuse_step(&far, &Instr::BrI32NeImm { a: 70_000, imm: 10, t: 7 }), None);
        assert_eq!(fuse_step(&Instr::I32AddImm { d: 3, a: 3, imm: 40_000 }, &ne), None);
        assert!(fuse_step(&Instr::I32AddImm { d: 3, a: 3, imm: 40_000 }, &lt).is_some());
        assert_eq!(fuse_step(&add, &Instr::Br { t: 7 }), None);
    }
}
