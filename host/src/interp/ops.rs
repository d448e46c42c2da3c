//! Numeric semantics that differ from Rust's operators: trapping division and truncation, and the float
//! rules of WebAssembly (`min`/`max` with NaN and signed zeros, `nearest`).

use crate::error::TrapCode;

macro_rules! int_div {
    ($($div_s:ident $rem_s:ident $div_u:ident $rem_u:ident: $s:ty, $u:ty;)*) => {$(
        #[inline(always)]
        pub fn $div_s(a: $s, b: $s) -> Result<$s, TrapCode> {
            if b == 0 {
                return Err(TrapCode::IntegerDivideByZero);
            }
            a.checked_div(b).ok_or(TrapCode::IntegerOverflow)
        }
        #[inline(always)]
        pub fn $rem_s(a: $s, b: $s) -> Result<$s, TrapCode> {
            if b == 0 {
                return Err(TrapCode::IntegerDivideByZero);
            }
            Ok(a.wrapping_rem(b))
        }
        #[inline(always)]
        pub fn $div_u(a: $s, b: $s) -> Result<$s, TrapCode> {
            (a as $u).checked_div(b as $u).map(|v| v as $s).ok_or(TrapCode::IntegerDivideByZero)
        }
        #[inline(always)]
        pub fn $rem_u(a: $s, b: $s) -> Result<$s, TrapCode> {
            (a as $u).checked_rem(b as $u).map(|v| v as $s).ok_or(TrapCode::IntegerDivideByZero)
        }
    )*};
}

int_div! {
    i32_div_s i32_rem_s i32_div_u i32_rem_u: i32, u32;
    i64_div_s i64_rem_s i64_div_u i64_rem_u: i64, u64;
}

macro_rules! float_ops {
    ($($min:ident $max:ident $nearest:ident $q:ident: $f:ty, $quiet:expr;)*) => {$(
        #[inline(always)]
        pub fn $min(a: $f, b: $f) -> $f {
            if a.is_nan() || b.is_nan() {
                // The result must be an arithmetic NaN: set the quiet bit of the NaN operand explicitly
                // (LLVM may fold `a + b` to the signalling operand unchanged).
                let nan = if a.is_nan() { a } else { b };
                <$f>::from_bits(nan.to_bits() | $quiet)
            } else if a == 0.0 && b == 0.0 {
                if a.is_sign_negative() { a } else { b }
            } else {
                a.min(b)
            }
        }
        #[inline(always)]
        pub fn $max(a: $f, b: $f) -> $f {
            if a.is_nan() || b.is_nan() {
                let nan = if a.is_nan() { a } else { b };
                <$f>::from_bits(nan.to_bits() | $quiet)
            } else if a == 0.0 && b == 0.0 {
                if a.is_sign_positive() { a } else { b }
            } else {
                a.max(b)
            }
        }
        /// Rounding through libm returns a signalling NaN unchanged; WebAssembly wants it quieted.
        #[inline(always)]
        pub fn $q(a: $f) -> $f {
            if a.is_nan() { <$f>::from_bits(a.to_bits() | $quiet) } else { a }
        }
        #[inline(always)]
        pub fn $nearest(a: $f) -> $f {
            a.round_ties_even()
        }
    )*};
}

float_ops! {
    f32_min f32_max f32_nearest f32_quiet: f32, 1 << 22;
    f64_min f64_max f64_nearest f64_quiet: f64, 1 << 51;
}

/// Trapping float-to-int truncation. `lo` is exclusive (the largest float below the range), `hi` exclusive.
macro_rules! trunc {
    ($($name:ident: $f:ty => $i:ty, $lo:expr, $hi:expr;)*) => {$(
        #[inline(always)]
        pub fn $name(x: $f) -> Result<$i, TrapCode> {
            if x.is_nan() {
                return Err(TrapCode::InvalidConversionToInteger);
            }
            if !(x > $lo && x < $hi) {
                return Err(TrapCode::IntegerOverflow);
            }
            Ok(x as $i)
        }
    )*};
}

trunc! {
    i32_trunc_f32_s: f32 => i32, -2147483904.0f32, 2147483648.0f32;
    i32_trunc_f32_u: f32 => u32, -1.0f32, 4294967296.0f32;
    i32_trunc_f64_s: f64 => i32, -2147483649.0f64, 2147483648.0f64;
    i32_trunc_f64_u: f64 => u32, -1.0f64, 4294967296.0f64;
    i64_trunc_f32_s: f32 => i64, -9223373136366403584.0f32, 9223372036854775808.0f32;
    i64_trunc_f32_u: f32 => u64, -1.0f32, 18446744073709551616.0f32;
    i64_trunc_f64_s: f64 => i64, -9223372036854777856.0f64, 9223372036854775808.0f64;
    i64_trunc_f64_u: f64 => u64, -1.0f64, 18446744073709551616.0f64;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_traps() {
        assert_eq!(i32_div_s(i32::MIN, -1), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i64_div_u(1, 0), Err(TrapCode::IntegerDivideByZero));
        assert_eq!(i32_div_u(-1, 2), Ok(i32::MAX));
    }

    #[test]
    fn truncation_edges() {
        assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN));
        assert_eq!(i32_trunc_f32_s(2147483648.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_trunc_f64_s(-2147483648.9), Ok(i32::MIN));
        assert_eq!(i32_trunc_f64_u(-0.9), Ok(0));
        assert_eq!(i32_trunc_f64_u(-1.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i64_trunc_f64_s(f64::NAN), Err(TrapCode::InvalidConversionToInteger));
        assert_eq!(i64_trunc_f32_s(-9223372036854775808.0), Ok(i64::MIN));
    }

    #[test]
    fn float_min_max() {
        assert!(f32_min(0.0, -0.0).is_sign_negative());
        assert!(f64_max(-0.0, 0.0).is_sign_positive());
        assert!(f32_min(f32::NAN, 1.0).is_nan());
        let signalling = f32::from_bits(0x7fa0_0000);
        assert_eq!(f32_max(1.0, signalling).to_bits(), 0x7fe0_0000, "NaN results are quieted");
        assert_eq!(f64_nearest(2.5), 2.0);
        assert_eq!(f32_nearest(-3.5), -4.0);
    }
}
