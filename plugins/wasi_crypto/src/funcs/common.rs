//! `wasi_ephemeral_crypto_common`: array outputs, options and secrets managers.

use wasmedge_plugin_sdk::Frame;

use super::give;
use crate::error::{CryptoError, Result};
use crate::guest;
use crate::options::Options;
use crate::state::CryptoCtx;
use crate::types::AlgorithmType;

pub fn array_output_len(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, output: u32, size_ptr: u32) -> Result<()> {
    guest::check(f, size_ptr, 4)?;
    let len = guest::size(c.array_outputs.get(output)?.remaining().len())?;
    guest::write_u32(f, size_ptr, len)
}

pub fn array_output_pull(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    output: u32,
    buf: u32,
    buf_len: u32,
    size_ptr: u32,
) -> Result<()> {
    guest::check(f, buf, buf_len)?;
    guest::check(f, size_ptr, 4)?;
    let out = c.array_outputs.get_mut(output)?;
    let n = out.remaining().len().min(buf_len as usize);
    guest::write(f, buf, &out.remaining()[..n])?;
    if out.advance(n) {
        c.array_outputs.remove(output)?;
    }
    guest::write_u32(f, size_ptr, n as u32)
}

pub fn options_open(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, alg_type: u32, out: u32) -> Result<()> {
    let alg_type = AlgorithmType::from_raw(alg_type)?;
    give(f, out, &mut c.options, Options::new(alg_type))
}

pub fn options_close(c: &mut CryptoCtx, _: &mut Frame<'_, '_>, options: u32) -> Result<()> {
    c.options.remove(options).map(drop)
}

pub fn options_set(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    options: u32,
    name_ptr: u32,
    name_len: u32,
    value_ptr: u32,
    value_len: u32,
) -> Result<()> {
    let name = guest::string(f, name_ptr, name_len)?;
    let value = guest::bytes(f, value_ptr, value_len)?;
    c.options.get_mut(options)?.set(&name, &value)
}

pub fn options_set_u64(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    options: u32,
    name_ptr: u32,
    name_len: u32,
    value: u64,
) -> Result<()> {
    let name = guest::string(f, name_ptr, name_len)?;
    c.options.get_mut(options)?.set_u64(&name, value)
}

pub fn options_set_guest_buffer(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    options: u32,
    name_ptr: u32,
    name_len: u32,
    buf: u32,
    buf_len: u32,
) -> Result<()> {
    let name = guest::string(f, name_ptr, name_len)?;
    guest::check(f, buf, buf_len)?;
    c.options.get_mut(options)?.set_guest_buffer(&name, buf, buf_len)
}

/// Secrets managers are not implemented (as in WasmEdge 0.15).
pub fn secrets_manager_open(_: &mut CryptoCtx, _: &mut Frame<'_, '_>, _options: u32, _out: u32) -> Result<()> {
    Err(CryptoError::NotImplemented)
}

pub fn secrets_manager_close(_: &mut CryptoCtx, _: &mut Frame<'_, '_>, _manager: u32) -> Result<()> {
    Err(CryptoError::NotImplemented)
}

pub fn secrets_manager_invalidate(
    _: &mut CryptoCtx,
    _: &mut Frame<'_, '_>,
    _manager: u32,
    _key_id: u32,
    _key_id_len: u32,
    _version: u64,
) -> Result<()> {
    Err(CryptoError::NotImplemented)
}
