//! `wasi_ephemeral_crypto_signatures`: signatures, signing and verification states.

use wasmedge_plugin_sdk::Frame;
use zeroize::Zeroizing;

use super::give;
use crate::array_output::ArrayOutput;
use crate::asymmetric::{Signature, SignatureAlgorithm, SignatureState, VerificationState};
use crate::error::Result;
use crate::guest;
use crate::state::CryptoCtx;
use crate::types::SignatureEncoding;

pub fn signature_export(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    signature: u32,
    encoding: u32,
    out: u32,
) -> Result<()> {
    let encoding = SignatureEncoding::from_raw(encoding)?;
    guest::check(f, out, 4)?;
    let encoded = Zeroizing::new(c.signatures.get(signature)?.export(encoding)?);
    give(f, out, &mut c.array_outputs, ArrayOutput::new(encoded))
}

pub fn signature_import(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    alg_ptr: u32,
    alg_len: u32,
    encoded_ptr: u32,
    encoded_len: u32,
    encoding: u32,
    out: u32,
) -> Result<()> {
    let alg = SignatureAlgorithm::parse(&guest::string(f, alg_ptr, alg_len)?)?;
    let encoded = guest::bytes(f, encoded_ptr, encoded_len)?;
    let encoding = SignatureEncoding::from_raw(encoding)?;
    guest::check(f, out, 4)?;
    give(f, out, &mut c.signatures, Signature::import(alg, encoding, &encoded)?)
}

pub fn signature_state_open(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, keypair: u32, out: u32) -> Result<()> {
    guest::check(f, out, 4)?;
    let state = SignatureState::open(c.keypairs.get(keypair)?)?;
    give(f, out, &mut c.signature_states, state)
}

pub fn signature_state_update(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, state: u32, ptr: u32, len: u32) -> Result<()> {
    let data = guest::bytes(f, ptr, len)?;
    c.signature_states.get_mut(state)?.update(&data)
}

pub fn signature_state_sign(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, state: u32, out: u32) -> Result<()> {
    guest::check(f, out, 4)?;
    let signature = c.signature_states.get_mut(state)?.sign()?;
    give(f, out, &mut c.signatures, signature)
}

pub fn signature_state_close(c: &mut CryptoCtx, _: &mut Frame<'_, '_>, state: u32) -> Result<()> {
    c.signature_states.remove(state).map(drop)
}

pub fn signature_verification_state_open(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, pk: u32, out: u32) -> Result<()> {
    guest::check(f, out, 4)?;
    let state = VerificationState::open(c.publickeys.get(pk)?)?;
    give(f, out, &mut c.verification_states, state)
}

pub fn signature_verification_state_update(
    c: &mut CryptoCtx,
    f: &mut Frame<'_, '_>,
    state: u32,
    ptr: u32,
    len: u32,
) -> Result<()> {
    let data = guest::bytes(f, ptr, len)?;
    c.verification_states.get_mut(state)?.update(&data)
}

pub fn signature_verification_state_verify(
    c: &mut CryptoCtx,
    _: &mut Frame<'_, '_>,
    state: u32,
    signature: u32,
) -> Result<()> {
    c.verification_states.get(state)?.verify(c.signatures.get(signature)?)
}

pub fn signature_verification_state_close(c: &mut CryptoCtx, _: &mut Frame<'_, '_>, state: u32) -> Result<()> {
    c.verification_states.remove(state).map(drop)
}

pub fn signature_close(c: &mut CryptoCtx, _: &mut Frame<'_, '_>, signature: u32) -> Result<()> {
    c.signatures.remove(signature).map(drop)
}
