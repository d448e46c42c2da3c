//! `wasi_ephemeral_crypto_kx`: Diffie-Hellman key agreement. None of the algorithms is a KEM, so
//! encapsulation is refused with `invalid_operation` once the key handle is checked.

use wasmedge_plugin_sdk::Frame;

use super::give;
use crate::array_output::ArrayOutput;
use crate::asymmetric;
use crate::error::{CryptoError, Result};
use crate::guest;
use crate::state::CryptoCtx;

pub fn kx_dh(c: &mut CryptoCtx, f: &mut Frame<'_, '_>, pk: u32, sk: u32, out: u32) -> Result<()> {
    guest::check(f, out, 4)?;
    let shared = asymmetric::dh(c.publickeys.get(pk)?, c.secretkeys.get(sk)?)?;
    give(f, out, &mut c.array_outputs, ArrayOutput::new(shared))
}

pub fn kx_encapsulate(
    c: &mut CryptoCtx,
    _: &mut Frame<'_, '_>,
    pk: u32,
    _secret_out: u32,
    _encapsulated_out: u32,
) -> Result<()> {
    c.publickeys.get(pk)?;
    Err(CryptoError::InvalidOperation)
}

pub fn kx_decapsulate(
    c: &mut CryptoCtx,
    _: &mut Frame<'_, '_>,
    sk: u32,
    _encapsulated: u32,
    _encapsulated_len: u32,
    _secret_out: u32,
) -> Result<()> {
    c.secretkeys.get(sk)?;
    Err(CryptoError::InvalidOperation)
}
