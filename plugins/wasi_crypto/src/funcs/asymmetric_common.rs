//! `wasi_ephemeral_crypto_asymmetric_common`: key pairs, public keys and secret keys.

use wasmedge_plugin_sdk::Frame;
use zeroize::Zeroizing;

use super::{give, optional_options};
use crate::array_output::ArrayOutput;
use crate::asymmetric::{AsymmetricAlgorithm, KeyPair, PublicKey, SecretKey};
use crate::error::{CryptoError, Result};
use crate::guest;
use crate::state::CryptoCtx;
use crate::types::{AlgorithmType, KeypairEncoding, PublickeyEncoding, SecretkeyEncoding};

fn algorithm(f: &Frame<'_, '_>, alg_type: u32, ptr: u32, len: u32) -> Result<(AlgorithmType, AsymmetricAlgorithm)> {
    let alg_type = AlgorithmType::from_raw(alg_type)?;
    let name = guest::string(f, ptr, len)?;
    Ok((alg_type, AsymmetricAlgorithm::parse(alg_type, &name)?))
}

/// The arguments every `*_import` function shares: the algorithm, the encoded key and its encoding
/// (parsed by `encoding`), with the output pointer checked.
fn import_args<E>(
    f: &Frame<'_, '_>,
    (alg_type, alg_ptr, alg_len): (u32, u32, u32),
    (encoded_ptr, encoded_len, encoding): (u32, u32, u32),
    out: u32,
    parse: fn(u32) -> Result<E>,
) -> Result<(AsymmetricAlgorithm, E, Zeroizing<Vec<u8>>)> {
    let (_, alg) = algorithm(f, alg_type, alg_ptr, alg_len)?;
    let encoded = Zeroizing::new(guest::bytes(f, encoded_ptr, encoded_len)?);
    let encoding = parse(encoding)?;
    guest::check(f, out, 4)?;
    Ok((alg, encoding, encoded))
}

pub fn keypair_generate(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    alg_type: u32,
    alg_ptr: u32,
    alg_len: u32,
    options_ptr: u32,
    out: u32,
) -> Result<()> {
    let (alg_type, alg) = algorithm(f, alg_type, alg_ptr, alg_len)?;
    optional_options(c, f, options_ptr, alg_type)?;
    guest::check(f, out, 4)?;
    give(f, out, &mut c.keypairs, KeyPair::generate(alg)?)
}

pub fn keypair_import(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    alg_type: u32,
    alg_ptr: u32,
    alg_len: u32,
    encoded_ptr: u32,
    encoded_len: u32,
    encoding: u32,
    out: u32,
) -> Result<()> {
    let (alg, encoding, encoded) = import_args(
        f,
        (alg_type, alg_ptr, alg_len),
        (encoded_ptr, encoded_len, encoding),
        out,
        KeypairEncoding::from_raw,
    )?;
    give(f, out, &mut c.keypairs, KeyPair::import(alg, encoding, &encoded)?)
}

/// Managed key pairs need a secrets manager: not implemented (as in WasmEdge 0.15).
pub fn keypair_generate_managed(
    _: &mut CryptoCtx,
    _: &mut Frame<'_, '_>,
    _manager: u32,
    _alg_type: u32,
    _alg_ptr: u32,
    _alg_len: u32,
    _options_ptr: u32,
    _out: u32,
) -> Result<()> {
    Err(CryptoError::NotImplemented)
}

pub fn keypair_store_managed(
    _: &mut CryptoCtx,
    _: &mut Frame<'_, '_>,
    _manager: u32,
    _keypair: u32,
    _id_ptr: u32,
    _id_max_len: u32,
) -> Result<()> {
    Err(CryptoError::NotImplemented)
}

pub fn keypair_replace_managed(
    _: &mut CryptoCtx,
    _: &mut Frame<'_, '_>,
    _manager: u32,
    _old: u32,
    _new: u32,
    _version_ptr: u32,
) -> Result<()> {
    Err(CryptoError::NotImplemented)
}

pub fn keypair_id(
    _: &mut CryptoCtx,
    _: &mut Frame<'_, '_>,
    _keypair: u32,
    _id_ptr: u32,
    _id_max_len: u32,
    _size_ptr: u32,
    _version_ptr: u32,
) -> Result<()> {
    Err(CryptoError::NotImplemented)
}

pub fn keypair_from_id(
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

pub fn keypair_from_pk_and_sk(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, pk: u32, sk: u32, out: u32) -> Result<()> {
    guest::check(f, out, 4)?;
    let keypair = KeyPair::from_pk_and_sk(c.publickeys.get(pk)?, c.secretkeys.get(sk)?)?;
    give(f, out, &mut c.keypairs, keypair)
}

pub fn keypair_export(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, keypair: u32, encoding: u32, out: u32) -> Result<()> {
    let encoding = KeypairEncoding::from_raw(encoding)?;
    guest::check(f, out, 4)?;
    let encoded = c.keypairs.get(keypair)?.export(encoding)?;
    give(f, out, &mut c.array_outputs, ArrayOutput::new(encoded))
}

pub fn keypair_publickey(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, keypair: u32, out: u32) -> Result<()> {
    guest::check(f, out, 4)?;
    let pk = c.keypairs.get(keypair)?.public_key()?;
    give(f, out, &mut c.publickeys, pk)
}

pub fn keypair_secretkey(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, keypair: u32, out: u32) -> Result<()> {
    guest::check(f, out, 4)?;
    let sk = c.keypairs.get(keypair)?.secret_key()?;
    give(f, out, &mut c.secretkeys, sk)
}

pub fn keypair_close(c: &mut CryptoCtx, _: &mut Frame<'_, '_>, keypair: u32) -> Result<()> {
    c.keypairs.remove(keypair).map(drop)
}

pub fn publickey_import(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    alg_type: u32,
    alg_ptr: u32,
    alg_len: u32,
    encoded_ptr: u32,
    encoded_len: u32,
    encoding: u32,
    out: u32,
) -> Result<()> {
    let (alg, encoding, encoded) = import_args(
        f,
        (alg_type, alg_ptr, alg_len),
        (encoded_ptr, encoded_len, encoding),
        out,
        PublickeyEncoding::from_raw,
    )?;
    give(f, out, &mut c.publickeys, PublicKey::import(alg, encoding, &encoded)?)
}

pub fn publickey_export(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, pk: u32, encoding: u32, out: u32) -> Result<()> {
    let encoding = PublickeyEncoding::from_raw(encoding)?;
    guest::check(f, out, 4)?;
    let encoded = Zeroizing::new(c.publickeys.get(pk)?.export(encoding)?);
    give(f, out, &mut c.array_outputs, ArrayOutput::new(encoded))
}

pub fn publickey_verify(c: &mut CryptoCtx, _: &mut Frame<'_, '_>, pk: u32) -> Result<()> {
    c.publickeys.get(pk)?.verify()
}

pub fn publickey_from_secretkey(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, sk: u32, out: u32) -> Result<()> {
    guest::check(f, out, 4)?;
    let pk = PublicKey::from_secret_key(c.secretkeys.get(sk)?)?;
    give(f, out, &mut c.publickeys, pk)
}

pub fn publickey_close(c: &mut CryptoCtx, _: &mut Frame<'_, '_>, pk: u32) -> Result<()> {
    c.publickeys.remove(pk).map(drop)
}

pub fn secretkey_import(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    alg_type: u32,
    alg_ptr: u32,
    alg_len: u32,
    encoded_ptr: u32,
    encoded_len: u32,
    encoding: u32,
    out: u32,
) -> Result<()> {
    let (alg, encoding, encoded) = import_args(
        f,
        (alg_type, alg_ptr, alg_len),
        (encoded_ptr, encoded_len, encoding),
        out,
        SecretkeyEncoding::from_raw,
    )?;
    give(f, out, &mut c.secretkeys, SecretKey::import(alg, encoding, &encoded)?)
}

pub fn secretkey_export(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, sk: u32, encoding: u32, out: u32) -> Result<()> {
    let encoding = SecretkeyEncoding::from_raw(encoding)?;
    guest::check(f, out, 4)?;
    let encoded = c.secretkeys.get(sk)?.export(encoding)?;
    give(f, out, &mut c.array_outputs, ArrayOutput::new(encoded))
}

pub fn secretkey_close(c: &mut CryptoCtx, _: &mut Frame<'_, '_>, sk: u32) -> Result<()> {
    c.secretkeys.remove(sk).map(drop)
}
