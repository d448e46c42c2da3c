//! Embedding mode (`"embedding": true`): one vector for the prompt, as WasmEdge's `getEmbedding` makes
//! it with llama.cpp — the final hidden states (after the output norm, before the vocabulary head)
//! pooled over the prompt's tokens, normalized, and written as
//! `{"n_embedding": N, "embedding": [v,…]}` with each value printed to 10 significant digits.
//!
//! - Pooling is `pooling-type` (llama.cpp's numbers: 0 none, 1 mean, 2 cls, 3 last, 4 rank), or with
//!   -1 (the default) the model's `<arch>.pooling_type`, else none. With none, llama.cpp returns the
//!   hidden state of the one token WasmEdge asks outputs for: the prompt's last. Rank (rerankers) needs a
//!   classification head these architectures do not have and is refused.
//! - Normalization is `embd-normalize` (llama.cpp's `common_embd_normalize`): -1 none, 0 largest
//!   magnitude scaled to 32760, 1 taxicab, 2 Euclidean (the default), p > 2 the p-norm. WasmEdge 0.15
//!   reads the key but always uses its default (the value never reaches `getEmbedding`); here it counts.

use std::fmt::Write;

/// How the tokens' hidden states become one vector (llama.cpp's `llama_pooling_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pooling {
    None,
    Mean,
    Cls,
    Last,
    Rank,
}

impl Pooling {
    /// The pooling of `pooling-type` `configured`, falling back on the model's `from_model` for -1.
    /// A number llama.cpp does not define is `Err` with that number.
    pub fn resolve(configured: i64, from_model: Option<u64>) -> Result<Pooling, i64> {
        let n = if configured == -1 { from_model.map_or(0, |m| i64::try_from(m).unwrap_or(-2)) } else { configured };
        match n {
            0 => Ok(Pooling::None),
            1 => Ok(Pooling::Mean),
            2 => Ok(Pooling::Cls),
            3 => Ok(Pooling::Last),
            4 => Ok(Pooling::Rank),
            n => Err(n),
        }
    }
}

/// Pool `rows` (one hidden state per prompt token, at least one row) into one vector.
pub fn pool(rows: &[Vec<f32>], pooling: Pooling) -> Vec<f32> {
    match pooling {
        Pooling::Mean => {
            let mut sum = vec![0f64; rows[0].len()];
            for row in rows {
                for (s, v) in sum.iter_mut().zip(row) {
                    *s += f64::from(*v);
                }
            }
            sum.into_iter().map(|s| (s / rows.len() as f64) as f32).collect()
        }
        Pooling::Cls => rows[0].clone(),
        Pooling::None | Pooling::Last | Pooling::Rank => rows[rows.len() - 1].clone(),
    }
}

/// Scale `v` as llama.cpp's `common_embd_normalize` with `norm`.
pub fn normalize(v: &[f32], norm: i64) -> Vec<f32> {
    let sum: f64 = match norm {
        -1 => 1.0,
        0 => v.iter().fold(0f64, |m, x| m.max(f64::from(x.abs()))) / 32760.0,
        2 => v.iter().map(|x| f64::from(*x) * f64::from(*x)).sum::<f64>().sqrt(),
        p => {
            let p = p as f64;
            v.iter().map(|x| f64::from(x.abs()).powf(p)).sum::<f64>().powf(1.0 / p)
        }
    };
    let scale = if sum > 0.0 { (1.0 / sum) as f32 } else { 0.0 };
    v.iter().map(|x| x * scale).collect()
}

/// WasmEdge's embedding output.
pub fn to_json(v: &[f32]) -> String {
    let mut out = format!(r#"{{"n_embedding": {}, "embedding": ["#, v.len());
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&general(f64::from(*x), 10));
    }
    out.push_str("]}");
    out
}

/// `x` to `precision` significant digits as C's `%.<precision>g` and {fmt}'s `{:.<precision>}` print
/// it: fixed notation for exponents from -4 to `precision - 1`, else scientific with a two-digit
/// exponent, trailing zeros dropped.
fn general(x: f64, precision: usize) -> String {
    if x.is_nan() {
        return if x.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf" } else { "inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let precision = precision.max(1);
    let scientific = format!("{:.*e}", precision - 1, x);
    let (mantissa, exponent) = scientific.split_once('e').expect("Rust's {:e} has an exponent");
    let exponent: i32 = exponent.parse().expect("a decimal exponent");
    if exponent < -4 || exponent >= precision as i32 {
        let mut out = trim_zeros(mantissa).to_string();
        let _ = write!(out, "e{}{:02}", if exponent < 0 { '-' } else { '+' }, exponent.unsigned_abs());
        out
    } else {
        let decimals = (precision as i32 - 1 - exponent) as usize;
        trim_zeros(&format!("{x:.decimals$}")).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_format_is_printfs() {
        // Values checked against glibc's printf("%.10g").
        for (x, expected) in [
            (0.1f32 as f64, "0.1000000015"),
            (0.5, "0.5"),
            (-0.25, "-0.25"),
            (1.0, "1"),
            (123456.0, "123456"),
            (1e-5, "1e-05"),
            (-1.2345678901234e-7, "-1.23456789e-07"),
            (0.0001, "0.0001"),
            (12345678901.0, "1.23456789e+10"),
            (9999999999.5, "1e+10"),
            (0.0, "0"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(general(x, 10), expected, "{x}");
        }
    }

    #[test]
    fn pooling_and_normalization() {
        let rows = vec![vec![1.0, 2.0], vec![3.0, 6.0]];
        assert_eq!(pool(&rows, Pooling::Mean), [2.0, 4.0]);
        assert_eq!(pool(&rows, Pooling::Cls), [1.0, 2.0]);
        assert_eq!(pool(&rows, Pooling::None), [3.0, 6.0]);
        assert_eq!(Pooling::resolve(-1, None), Ok(Pooling::None));
        assert_eq!(Pooling::resolve(-1, Some(1)), Ok(Pooling::Mean));
        assert_eq!(Pooling::resolve(3, Some(1)), Ok(Pooling::Last));
        assert_eq!(Pooling::resolve(7, None), Err(7));
        assert_eq!(normalize(&[3.0, -4.0], 2), [0.6, -0.8]);
        assert_eq!(normalize(&[3.0, -4.0], -1), [3.0, -4.0]);
        assert_eq!(normalize(&[1.0, -3.0], 1), [0.25, -0.75]);
        assert_eq!(normalize(&[16380.0, -32760.0], 0), [16380.0 / 32760.0 * 32760.0, -32760.0]);
        assert_eq!(normalize(&[0.0, 0.0], 2), [0.0, 0.0]);
        assert_eq!(to_json(&[0.5, -1.0]), r#"{"n_embedding": 2, "embedding": [0.5,-1]}"#);
    }
}
