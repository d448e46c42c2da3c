//! `wasi_ephemeral_crypto_symmetric`: keys, states and tags.

use wasmedge_plugin_sdk::Frame;

use super::{give, optional_options};
use crate::array_output::ArrayOutput;
use crate::error::{CryptoError, Result};
use crate::guest;
use crate::state::CryptoCtx;
use crate::symmetric::{SymmetricAlgorithm, SymmetricKey, SymmetricState};
use crate::types::AlgorithmType;

fn algorithm(f: &Frame<'_, '_>, ptr: u32, len: u32) -> Result<SymmetricAlgorithm> {
    SymmetricAlgorithm::parse(&guest::string(f, ptr, len)?)
}

pub fn symmetric_key_generate(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    alg_ptr: u32,
    alg_len: u32,
    options_ptr: u32,
    out: u32,
) -> Result<()> {
    let alg = algorithm(f, alg_ptr, alg_len)?;
    optional_options(c, f, options_ptr, AlgorithmType::Symmetric)?;
    guest::check(f, out, 4)?;
    give(f, out, &mut c.symmetric_keys, SymmetricKey::generate(alg)?)
}

pub fn symmetric_key_import(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    alg_ptr: u32,
    alg_len: u32,
    raw_ptr: u32,
    raw_len: u32,
    out: u32,
) -> Result<()> {
    let alg = algorithm(f, alg_ptr, alg_len)?;
    let raw = zeroize::Zeroizing::new(guest::bytes(f, raw_ptr, raw_len)?);
    guest::check(f, out, 4)?;
    give(f, out, &mut c.symmetric_keys, SymmetricKey::import(alg, &raw)?)
}

pub fn symmetric_key_export(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, key: u32, out: u32) -> Result<()> {
    let raw = c.symmetric_keys.get(key)?.export();
    give(f, out, &mut c.array_outputs, ArrayOutput::new(raw))
}

pub fn symmetric_key_close(c: &mut CryptoCtx, _: &mut Frame<'_, '_>, key: u32) -> Result<()> {
    c.symmetric_keys.remove(key).map(drop)
}

/// Managed keys need a secrets manager: not implemented (as in WasmEdge 0.15).
pub fn symmetric_key_generate_managed(
    _: &mut CryptoCtx,
    _: &mut Frame<'_, '_>,
    _manager: u32,
    _alg_ptr: u32,
    _alg_len: u32,
    _options_ptr: u32,
    _out: u32,
) -> Result<()> {
    Err(CryptoError::NotImplemented)
}

pub fn symmetric_key_store_managed(
    _: &mut CryptoCtx,
    _: &mut Frame<'_, '_>,
    _manager: u32,
    _key: u32,
    _id_ptr: u32,
    _id_max_len: u32,
) -> Result<()> {
    Err(CryptoError::NotImplemented)
}

pub fn symmetric_key_replace_managed(
    _: &mut CryptoCtx,
    _: &mut Frame<'_, '_>,
    _manager: u32,
    _old: u32,
    _new: u32,
    _version_ptr: u32,
) -> Result<()> {
    Err(CryptoError::NotImplemented)
}

pub fn symmetric_key_id(
    _: &mut CryptoCtx,
    _: &mut Frame<'_, '_>,
    _key: u32,
    _id_ptr: u32,
    _id_max_len: u32,
    _size_ptr: u32,
    _version_ptr: u32,
) -> Result<()> {
    Err(CryptoError::NotImplemented)
}

pub fn symmetric_key_from_id(
    _: &mut CryptoCtx,
    _: &mut Frame<'_, '_>,
    _manager: u32,
    _id_ptr: u32,
    _id_len: u32,
    _version: u64,
    _out: u32,
) -> Result<()> {
    Err(CryptoError::NotImplemented)
}

pub fn symmetric_state_open(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    alg_ptr: u32,
    alg_len: u32,
    key_ptr: u32,
    options_ptr: u32,
    out: u32,
) -> Result<()> {
    let alg = algorithm(f, alg_ptr, alg_len)?;
    let key = match guest::optional_handle(f, key_ptr)? {
        Some(h) => Some(c.symmetric_keys.get(h)?),
        None => None,
    };
    let options = optional_options(c, f, options_ptr, AlgorithmType::Symmetric)?;
    guest::check(f, out, 4)?;
    let state = SymmetricState::open(alg, key, options.as_ref())?;
    give(f, out, &mut c.symmetric_states, state)
}

pub fn symmetric_state_clone(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, state: u32, out: u32) -> Result<()> {
    guest::check(f, out, 4)?;
    let copy = c.symmetric_states.get(state)?.try_clone()?;
    give(f, out, &mut c.symmetric_states, copy)
}

pub fn symmetric_state_options_get(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    state: u32,
    name_ptr: u32,
    name_len: u32,
    value_ptr: u32,
    value_len: u32,
    size_ptr: u32,
) -> Result<()> {
    let name = guest::string(f, name_ptr, name_len)?;
    guest::check(f, value_ptr, value_len)?;
    guest::check(f, size_ptr, 4)?;
    let value = c.symmetric_states.get(state)?.options().get(&name)?;
    crate::error::ensure(value.len() <= value_len as usize, CryptoError::Overflow)?;
    guest::write_sized(f, value_ptr, value, size_ptr)
}

pub fn symmetric_state_options_get_u64(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    state: u32,
    name_ptr: u32,
    name_len: u32,
    out: u32,
) -> Result<()> {
    let name = guest::string(f, name_ptr, name_len)?;
    guest::check(f, out, 8)?;
    let value = c.symmetric_states.get(state)?.options().get_u64(&name)?;
    guest::write_u64(f, out, value)
}

pub fn symmetric_state_close(c: &mut CryptoCtx, _: &mut Frame<'_, '_>, state: u32) -> Result<()> {
    c.symmetric_states.remove(state).map(drop)
}

pub fn symmetric_state_absorb(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, state: u32, ptr: u32, len: u32) -> Result<()> {
    let data = guest::bytes(f, ptr, len)?;
    c.symmetric_states.get_mut(state)?.absorb(&data)
}

pub fn symmetric_state_squeeze(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, state: u32, out: u32, len: u32) -> Result<()> {
    guest::check(f, out, len)?;
    let bytes = c.symmetric_states.get_mut(state)?.squeeze(len as usize)?;
    guest::write(f, out, &bytes)
}

pub fn symmetric_state_squeeze_tag(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, state: u32, out: u32) -> Result<()> {
    guest::check(f, out, 4)?;
    let tag = c.symmetric_states.get_mut(state)?.squeeze_tag()?;
    give(f, out, &mut c.symmetric_tags, tag)
}

pub fn symmetric_state_squeeze_key(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    state: u32,
    alg_ptr: u32,
    alg_len: u32,
    out: u32,
) -> Result<()> {
    let alg = algorithm(f, alg_ptr, alg_len)?;
    guest::check(f, out, 4)?;
    let key = c.symmetric_states.get_mut(state)?.squeeze_key(alg)?;
    give(f, out, &mut c.symmetric_keys, key)
}

pub fn symmetric_state_max_tag_len(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, state: u32, size_ptr: u32) -> Result<()> {
    guest::check(f, size_ptr, 4)?;
    let len = c.symmetric_states.get_mut(state)?.max_tag_len()?;
    guest::write_u32(f, size_ptr, guest::size(len)?)
}

pub fn symmetric_state_encrypt(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    state: u32,
    out: u32,
    out_len: u32,
    data_ptr: u32,
    data_len: u32,
    size_ptr: u32,
) -> Result<()> {
    guest::check(f, out, out_len)?;
    guest::check(f, size_ptr, 4)?;
    let data = guest::bytes(f, data_ptr, data_len)?;
    let sealed = c.symmetric_states.get_mut(state)?.encrypt(out_len as usize, &data)?;
    guest::write_sized(f, out, &sealed, size_ptr)
}

pub fn symmetric_state_encrypt_detached(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    state: u32,
    out: u32,
    out_len: u32,
    data_ptr: u32,
    data_len: u32,
    tag_ptr: u32,
) -> Result<()> {
    guest::check(f, out, out_len)?;
    guest::check(f, tag_ptr, 4)?;
    let data = guest::bytes(f, data_ptr, data_len)?;
    let (ciphertext, tag) = c.symmetric_states.get_mut(state)?.encrypt_detached(out_len as usize, &data)?;
    guest::write(f, out, &ciphertext)?;
    give(f, tag_ptr, &mut c.symmetric_tags, tag)
}

/// Write a decryption's plaintext; on `invalid_tag` the output buffer is zeroed.
fn write_plaintext(
    f: &mut Frame<'_, '_>,
    out: u32,
    zero_len: usize,
    size_ptr: u32,
    plaintext: Result<zeroize::Zeroizing<Vec<u8>>>,
) -> Result<()> {
    match plaintext {
        Ok(p) => guest::write_sized(f, out, &p, size_ptr),
        Err(CryptoError::InvalidTag) => {
            guest::write(f, out, &vec![0; zero_len])?;
            Err(CryptoError::InvalidTag)
        }
        Err(e) => Err(e),
    }
}

pub fn symmetric_state_decrypt(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    state: u32,
    out: u32,
    out_len: u32,
    data_ptr: u32,
    data_len: u32,
    size_ptr: u32,
) -> Result<()> {
    guest::check(f, out, out_len)?;
    guest::check(f, size_ptr, 4)?;
    let data = guest::bytes(f, data_ptr, data_len)?;
    let plaintext = c.symmetric_states.get_mut(state)?.decrypt(out_len as usize, &data);
    let zero_len = data.len().saturating_sub(crate::symmetric::TAG_LEN).min(out_len as usize);
    write_plaintext(f, out, zero_len, size_ptr, plaintext)
}

pub fn symmetric_state_decrypt_detached(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    state: u32,
    out: u32,
    out_len: u32,
    data_ptr: u32,
    data_len: u32,
    tag_ptr: u32,
    tag_len: u32,
    size_ptr: u32,
) -> Result<()> {
    guest::check(f, out, out_len)?;
    guest::check(f, size_ptr, 4)?;
    let data = guest::bytes(f, data_ptr, data_len)?;
    let tag = guest::bytes(f, tag_ptr, tag_len)?;
    let plaintext = c.symmetric_states.get_mut(state)?.decrypt_detached(out_len as usize, &data, &tag);
    write_plaintext(f, out, data.len().min(out_len as usize), size_ptr, plaintext)
}

/// No algorithm here ratchets.
pub fn symmetric_state_ratchet(c: &mut CryptoCtx, _: &mut Frame<'_, '_>, state: u32) -> Result<()> {
    c.symmetric_states.get(state)?;
    Err(CryptoError::InvalidOperation)
}

pub fn symmetric_tag_len(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, tag: u32, size_ptr: u32) -> Result<()> {
    guest::check(f, size_ptr, 4)?;
    let len = c.symmetric_tags.get(tag)?.size();
    guest::write_u32(f, size_ptr, guest::size(len)?)
}

pub fn symmetric_tag_pull(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    tag: u32,
    buf: u32,
    buf_len: u32,
    size_ptr: u32,
) -> Result<()> {
    guest::check(f, buf, buf_len)?;
    guest::check(f, size_ptr, 4)?;
    guest::write_sized(f, buf, c.symmetric_tags.get(tag)?.pull(buf_len as usize)?, size_ptr)?;
    c.symmetric_tags.remove(tag).map(drop)
}

pub fn symmetric_tag_verify(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    tag: u32,
    raw_ptr: u32,
    raw_len: u32,
) -> Result<()> {
    let raw = guest::bytes(f, raw_ptr, raw_len)?;
    c.symmetric_tags.get(tag)?.verify(&raw)
}

pub fn symmetric_tag_close(c: &mut CryptoCtx, _: &mut Frame<'_, '_>, tag: u32) -> Result<()> {
    c.symmetric_tags.remove(tag).map(drop)
}
