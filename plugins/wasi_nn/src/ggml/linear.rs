//! A quantized weight matrix multiplied two ways: for a few rows (generation: one token at a time) with
//! candle's quantized dot products, which read the weights once per row; for many rows (a prompt) by
//! dequantizing the matrix once into a temporary f32 copy and using candle's GEMM, which reuses each weight
//! across all the rows. candle's quantized path has tiled kernels only for rows of a multiple of 256
//! values, so prompt processing of models with other widths (Gemma-3 270M: 640) ran row by row.

use candle_core::quantized::QMatMul;
use candle_core::{Module, Result, Tensor};

/// From this many rows on, a product dequantizes its weights (measured with the LLM benchmark on
/// Gemma-3 270M: below it the quantized dot products win).
pub const DENSE_ROWS: usize = 16;

/// A weight matrix `(out, in)`, applied as `x · wᵀ`.
#[derive(Debug, Clone)]
pub struct Linear(pub QMatMul);

impl Linear {
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let QMatMul::QTensor(w) = &self.0 else { return self.0.forward(x) };
        let dims = x.dims();
        let k = *dims.last().unwrap_or(&0);
        let rows = x.elem_count().checked_div(k).unwrap_or(0);
        if rows < DENSE_ROWS {
            return self.0.forward(x);
        }
        let dense = w.dequantize(x.device())?;
        let (n, _) = dense.dims2()?;
        let mut out_dims = dims.to_vec();
        *out_dims.last_mut().expect("a matrix has dimensions") = n;
        x.reshape((rows, k))?.matmul(&dense.t()?)?.reshape(out_dims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::quantized::{GgmlDType, QTensor};
    use candle_core::{Device, Tensor};

    /// Both paths compute the same product (up to the activations' Q8 rounding on the quantized one).
    #[test]
    fn dense_and_quantized_agree() {
        let dev = Device::Cpu;
        let (n, k) = (8, 64);
        let w: Vec<f32> = (0..n * k).map(|i| ((i * 31 % 17) as f32 - 8.0) / 8.0).collect();
        let w = QTensor::quantize(&Tensor::from_vec(w, (n, k), &dev).unwrap(), GgmlDType::Q8_0).unwrap();
        let linear = Linear(QMatMul::from_qtensor(w).unwrap());
        let x: Vec<f32> = (0..DENSE_ROWS * k).map(|i| ((i * 7 % 13) as f32 - 6.0) / 6.0).collect();
        let x = Tensor::from_vec(x, (1, DENSE_ROWS, k), &dev).unwrap();
        let dense = linear.forward(&x).unwrap();
        assert_eq!(dense.dims(), [1, DENSE_ROWS, n]);
        let rows: Vec<Tensor> = (0..DENSE_ROWS).map(|r| linear.forward(&x.narrow(1, r, 1).unwrap()).unwrap()).collect();
        let quantized = Tensor::cat(&rows, 1).unwrap();
        let a = dense.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let b = quantized.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        for (p, q) in a.iter().zip(&b) {
            assert!((p - q).abs() < 0.05 * p.abs().max(1.0), "{p} vs {q}");
        }
    }
}
