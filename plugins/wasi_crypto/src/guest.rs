//! Guest memory access for the host functions: every pointer and length goes through the SDK's
//! bounds-checked [`Frame`]; a range outside the guest's memory is `guest_error`.

use wasmedge_plugin_sdk::Frame;

use crate::error::{CryptoError, Result};

/// `len` bytes at `ptr`.
pub fn bytes(frame: &Frame<'_, '_>, ptr: u32, len: u32) -> Result<Vec<u8>> {
    frame.read(ptr, len).map_err(|_| CryptoError::GuestError)
}

/// A string of `len` bytes at `ptr` (names are ASCII; other bytes simply match no name).
pub fn string(frame: &Frame<'_, '_>, ptr: u32, len: u32) -> Result<String> {
    Ok(String::from_utf8_lossy(&bytes(frame, ptr, len)?).into_owned())
}

/// Fail with `guest_error` unless `len` bytes at `ptr` lie inside the guest's memory. Output pointers are
/// checked before anything is done, so a bad one has no effect.
pub fn check(frame: &Frame<'_, '_>, ptr: u32, len: u32) -> Result<()> {
    let end = u64::from(ptr) + u64::from(len);
    if end <= frame.memory_size() { Ok(()) } else { Err(CryptoError::GuestError) }
}

/// Write `data` at `ptr`.
pub fn write(frame: &mut Frame<'_, '_>, ptr: u32, data: &[u8]) -> Result<()> {
    frame.write(ptr, data).map_err(|_| CryptoError::GuestError)
}

/// Write a `u32` (a size or a handle) at `ptr`.
pub fn write_u32(frame: &mut Frame<'_, '_>, ptr: u32, value: u32) -> Result<()> {
    write(frame, ptr, &value.to_le_bytes())
}

/// Write `data` at `ptr` and its length at `size_ptr`.
pub fn write_sized(frame: &mut Frame<'_, '_>, ptr: u32, data: &[u8], size_ptr: u32) -> Result<()> {
    write(frame, ptr, data)?;
    write_u32(frame, size_ptr, size(data.len())?)
}

/// Write a `u64` at `ptr`.
pub fn write_u64(frame: &mut Frame<'_, '_>, ptr: u32, value: u64) -> Result<()> {
    write(frame, ptr, &value.to_le_bytes())
}

/// A size as the guest's 32-bit `size`.
pub fn size(len: usize) -> Result<u32> {
    u32::try_from(len).map_err(|_| CryptoError::Overflow)
}

/// An optional handle (`opt_options`, `opt_symmetric_key`): an 8-byte struct at `ptr` with the tag byte
/// at offset 0 (0 = some, 1 = none) and the handle at offset 4.
pub fn optional_handle(frame: &Frame<'_, '_>, ptr: u32) -> Result<Option<u32>> {
    let raw = bytes(frame, ptr, 8)?;
    match raw[0] {
        0 => Ok(Some(u32::from_le_bytes([raw[4], raw[5], raw[6], raw[7]]))),
        1 => Ok(None),
        _ => Err(CryptoError::GuestError),
    }
}
