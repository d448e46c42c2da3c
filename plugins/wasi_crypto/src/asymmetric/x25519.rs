//! X25519 (RFC 7748). Every key is `Raw` only, as in WasmEdge: public and secret keys 32 bytes; key pairs
//! are exported as public key ‖ secret key (64 bytes, WasmEdge's layout) and imported from that form (the
//! public half must be the secret key's) or from the 32-byte secret key alone.

use rand_core::OsRng;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use crate::error::{CryptoError, Result, ensure};
use crate::types::{KeypairEncoding, PublickeyEncoding, SecretkeyEncoding};

/// The size of keys and of the shared secret.
const LEN: usize = 32;

/// A new random secret key.
pub(super) fn generate() -> StaticSecret {
    StaticSecret::random_from_rng(OsRng)
}

/// Import a public key: any 32 bytes (RFC 7748 decodes every string).
pub(super) fn pk_import(encoding: PublickeyEncoding, encoded: &[u8]) -> Result<PublicKey> {
    ensure(encoding == PublickeyEncoding::Raw, CryptoError::UnsupportedEncoding)?;
    let bytes: [u8; LEN] = encoded.try_into().map_err(|_| CryptoError::InvalidKey)?;
    Ok(PublicKey::from(bytes))
}

/// Export a public key.
pub(super) fn pk_export(pk: &PublicKey, encoding: PublickeyEncoding) -> Result<Vec<u8>> {
    ensure(encoding == PublickeyEncoding::Raw, CryptoError::UnsupportedEncoding)?;
    Ok(pk.as_bytes().to_vec())
}

/// `InvalidKey` for a point of low order (every exchange with it yields the all-zero secret).
pub(super) fn pk_verify(pk: &PublicKey) -> Result<()> {
    // Any scalar will do: clamped scalars are multiples of the cofactor, so the result is zero exactly
    // for the points of the small subgroup.
    let probe = StaticSecret::from([1u8; LEN]);
    ensure(probe.diffie_hellman(pk).was_contributory(), CryptoError::InvalidKey)
}

/// A secret key from 32 bytes.
fn secret_from(encoded: &[u8]) -> Result<StaticSecret> {
    let bytes: &[u8; LEN] = encoded.try_into().map_err(|_| CryptoError::InvalidKey)?;
    Ok(StaticSecret::from(*bytes))
}

/// Import a secret key: 32 bytes.
pub(super) fn sk_import(encoding: SecretkeyEncoding, encoded: &[u8]) -> Result<StaticSecret> {
    ensure(encoding == SecretkeyEncoding::Raw, CryptoError::UnsupportedEncoding)?;
    secret_from(encoded)
}

/// Export a secret key.
pub(super) fn sk_export(sk: &StaticSecret, encoding: SecretkeyEncoding) -> Result<Zeroizing<Vec<u8>>> {
    ensure(encoding == SecretkeyEncoding::Raw, CryptoError::UnsupportedEncoding)?;
    Ok(Zeroizing::new(sk.as_bytes().to_vec()))
}

/// Import a key pair: public key ‖ secret key (64 bytes; `InvalidKey` unless the public key is the
/// secret key's), or the secret key alone (32 bytes).
pub(super) fn kp_import(encoding: KeypairEncoding, encoded: &[u8]) -> Result<StaticSecret> {
    ensure(encoding == KeypairEncoding::Raw, CryptoError::UnsupportedEncoding)?;
    match encoded.len() {
        LEN => secret_from(encoded),
        len if len == 2 * LEN => {
            let (pk, sk) = encoded.split_at(LEN);
            let sk = secret_from(sk)?;
            ensure(PublicKey::from(&sk).as_bytes().as_slice() == pk, CryptoError::InvalidKey)?;
            Ok(sk)
        }
        _ => Err(CryptoError::InvalidKey),
    }
}

/// Export a key pair: public key ‖ secret key.
pub(super) fn kp_export(sk: &StaticSecret, pk: &PublicKey, encoding: KeypairEncoding) -> Result<Zeroizing<Vec<u8>>> {
    ensure(encoding == KeypairEncoding::Raw, CryptoError::UnsupportedEncoding)?;
    let mut out = Zeroizing::new(Vec::with_capacity(2 * LEN));
    out.extend_from_slice(pk.as_bytes());
    out.extend_from_slice(sk.as_bytes());
    Ok(out)
}

/// The shared secret; `InvalidKey` if it is all zeros (a low-order public key).
pub(super) fn dh(pk: &PublicKey, sk: &StaticSecret) -> Result<Zeroizing<Vec<u8>>> {
    let shared = sk.diffie_hellman(pk);
    ensure(shared.was_contributory(), CryptoError::InvalidKey)?;
    Ok(Zeroizing::new(shared.as_bytes().to_vec()))
}
