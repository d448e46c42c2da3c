//! Lossless re-encoding of GGUF tensors into a block type candle multiplies with SIMD.
//!
//! candle 0.11 multiplies Q5_0 weights with a scalar loop (`vec_dot_unopt`), while Q8_0 has AVX2/NEON
//! kernels. llama.cpp's K-quant files use Q5_0 for every matrix whose rows are not a multiple of 256
//! values (Gemma-3 270M's 640-wide Q, K, gate and up projections in Q4_K_M: 63 M weights), so that loop
//! took about two thirds of a generated token's time. A Q5_0 block is a scale `d` and 32 values
//! `q ∈ 0..32` meaning `d·(q−16)`; a Q8_0 block is a scale and 32 `i8` values meaning `d·q`. With the
//! same scale the values `q−16 ∈ −16..16` are exact, so the conversion changes no weight and no result
//! (the activations are quantized to Q8_0 for either type), at 34 instead of 22 bytes per block.
//!
//! [`Source`] presents the model file with the converted tensors appended after its end, and the
//! [`Content`]'s tensor offsets are moved there, so the architectures' loaders (ours and candle's) read
//! the Q8_0 data as if the file held it.

use std::io::{Read, Seek, SeekFrom};

use candle_core::quantized::GgmlDType;
use candle_core::quantized::gguf_file::Content;

const Q5_0_BLOCK: usize = 22;
const Q8_0_BLOCK: usize = 34;
const VALUES_PER_BLOCK: usize = 32;

/// The model file, with the re-encoded tensors readable after its end.
pub struct Source<'a> {
    file: &'a [u8],
    extra: Vec<u8>,
    pos: u64,
}

impl Source<'_> {
    fn len(&self) -> u64 {
        (self.file.len() + self.extra.len()) as u64
    }

    /// How many bytes of re-encoded tensors this source holds beside the file.
    pub fn extra_bytes(&self) -> usize {
        self.extra.len()
    }
}

impl Read for Source<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let file_len = self.file.len() as u64;
        let (data, at) =
            if self.pos < file_len { (self.file, self.pos) } else { (&self.extra[..], self.pos - file_len) };
        let Ok(at) = usize::try_from(at) else { return Ok(0) };
        let available = data.get(at..).unwrap_or_default();
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Source<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len().checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        let target =
            target.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start"))?;
        self.pos = target;
        Ok(target)
    }
}

/// Re-encode the Q5_0 tensors of `content` (read from `file`) as Q8_0, moving their offsets into the
/// returned source. Tensors whose bytes are not all inside the file are left for the loader to reject.
pub fn prepare<'a>(content: &mut Content, file: &'a [u8]) -> Source<'a> {
    let mut extra = Vec::new();
    let base = content.tensor_data_offset;
    let mut names: Vec<&String> = content
        .tensor_infos
        .iter()
        .filter(|(_, info)| info.ggml_dtype == GgmlDType::Q5_0)
        .map(|(name, _)| name)
        .collect();
    // In file order, so that the appended data is laid out deterministically.
    names.sort_by_key(|name| content.tensor_infos[*name].offset);
    let names: Vec<String> = names.into_iter().cloned().collect();
    for name in names {
        let info = content.tensor_infos.get_mut(&name).expect("a listed tensor");
        let elements = info.shape.elem_count();
        if !elements.is_multiple_of(VALUES_PER_BLOCK) {
            continue;
        }
        let size = elements / VALUES_PER_BLOCK * Q5_0_BLOCK;
        let start = base.checked_add(info.offset).and_then(|s| usize::try_from(s).ok());
        let Some(bytes) = start.and_then(|s| file.get(s..s.checked_add(size)?)) else { continue };
        let at = file.len() + extra.len();
        let Some(offset) = (at as u64).checked_sub(base) else { continue };
        extra.reserve(elements / VALUES_PER_BLOCK * Q8_0_BLOCK);
        q5_0_to_q8_0(bytes, &mut extra);
        info.ggml_dtype = GgmlDType::Q8_0;
        info.offset = offset;
    }
    Source { file, extra, pos: 0 }
}

/// Append the Q8_0 blocks holding exactly the values of the Q5_0 blocks `src` (ggml's layout: an f16
/// scale, 32 high bits, then 16 bytes of low nibbles — values `j` and `j+16` share byte `j`).
fn q5_0_to_q8_0(src: &[u8], dst: &mut Vec<u8>) {
    for block in src.chunks_exact(Q5_0_BLOCK) {
        let (scale, rest) = block.split_at(2);
        let (high, low) = rest.split_at(4);
        let high = u32::from_le_bytes([high[0], high[1], high[2], high[3]]);
        let mut values = [0u8; VALUES_PER_BLOCK];
        for (j, &byte) in low.iter().enumerate() {
            let first = (byte & 0x0f) | (((high >> j) & 1) << 4) as u8;
            let second = (byte >> 4) | (((high >> (j + 16)) & 1) << 4) as u8;
            values[j] = (first as i8 - 16) as u8;
            values[j + 16] = (second as i8 - 16) as u8;
        }
        dst.extend_from_slice(scale);
        dst.extend_from_slice(&values);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::quantized::{QMatMul, ggml_file};
    use candle_core::{Device, Module, Tensor};

    /// Every Q5_0 code (0..32, in both nibbles, with and without the high bit) dequantizes to exactly
    /// the same number after the conversion, and a quantized matrix product gives the same result.
    #[test]
    fn conversion_is_exact() {
        let (rows, cols) = (4, 64);
        let dev = Device::Cpu;
        let mut raw = Vec::new();
        for block in 0..rows * cols / 32 {
            // Scales 0.5, 1, 2, … as f16; block `b` holds codes `b..b+32` modulo 32 in some order.
            raw.extend_from_slice(&(0x3800u16 + 0x400 * (block % 5) as u16).to_le_bytes());
            let code = |j: usize| ((j + block * 7) % 32) as u32;
            let high: u32 = (0..32).map(|j| (code(j) >> 4) << j).sum();
            raw.extend_from_slice(&high.to_le_bytes());
            raw.extend((0..16).map(|j| ((code(j) & 15) | (code(j + 16) & 15) << 4) as u8));
        }
        let q5 = ggml_file::qtensor_from_ggml(GgmlDType::Q5_0, &raw, vec![rows, cols], &dev).unwrap();
        let mut converted = Vec::new();
        q5_0_to_q8_0(&raw, &mut converted);
        assert_eq!(converted.len(), rows * cols / 32 * Q8_0_BLOCK);
        let q8 = ggml_file::qtensor_from_ggml(GgmlDType::Q8_0, &converted, vec![rows, cols], &dev).unwrap();
        let a = q5.dequantize(&dev).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let b = q8.dequantize(&dev).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
        assert_eq!(a, b);
        assert!(a.contains(&-8.0) && a.contains(&7.5), "the extreme codes of scale 0.5");
        let x: Vec<f32> = (0..cols).map(|i| i as f32 / 7.0 - 4.0).collect();
        let x = Tensor::from_vec(x, (1, cols), &dev).unwrap();
        let y5 = QMatMul::from_qtensor(q5).unwrap().forward(&x).unwrap().flatten_all().unwrap();
        let y8 = QMatMul::from_qtensor(q8).unwrap().forward(&x).unwrap().flatten_all().unwrap();
        for (p, q) in y5.to_vec1::<f32>().unwrap().iter().zip(y8.to_vec1::<f32>().unwrap()) {
            assert!((p - q).abs() <= 1e-4 * p.abs().max(1.0), "{p} vs {q}");
        }
    }

    /// The source reads the file, then the appended data; seeks from the end see both.
    #[test]
    fn source_reads_across_the_end() {
        let file = [1u8, 2, 3];
        let mut s = Source { file: &file, extra: vec![4, 5], pos: 0 };
        assert_eq!(s.seek(SeekFrom::End(0)).unwrap(), 5);
        s.seek(SeekFrom::Start(1)).unwrap();
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).unwrap();
        assert_eq!(buf, [2, 3, 4, 5]);
        assert_eq!(s.read(&mut buf).unwrap(), 0);
        assert!(s.seek(SeekFrom::Current(-10)).is_err());
    }
}
