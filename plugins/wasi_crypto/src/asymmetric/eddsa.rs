//! Ed25519 (pure EdDSA, RFC 8032). Every key is `Raw` only, as in WasmEdge: public key 32 bytes, secret
//! key the 32-byte seed, key pair seed ‖ public key (64 bytes, the RFC 8032 / libsodium form; the public
//! half must be the seed's). Signatures are 64 bytes, `Raw` only.

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand_core::OsRng;
use zeroize::Zeroizing;

use crate::error::{CryptoError, Result, ensure};
use crate::types::{KeypairEncoding, PublickeyEncoding, SecretkeyEncoding, SignatureEncoding};

/// A new random key.
pub(super) fn generate() -> SigningKey {
    SigningKey::generate(&mut OsRng)
}

/// Import a public key: 32 bytes, a valid point encoding.
pub(super) fn pk_import(encoding: PublickeyEncoding, encoded: &[u8]) -> Result<VerifyingKey> {
    ensure(encoding == PublickeyEncoding::Raw, CryptoError::UnsupportedEncoding)?;
    let bytes: &[u8; 32] = encoded.try_into().map_err(|_| CryptoError::InvalidKey)?;
    VerifyingKey::from_bytes(bytes).map_err(|_| CryptoError::InvalidKey)
}

/// Export a public key.
pub(super) fn pk_export(pk: &VerifyingKey, encoding: PublickeyEncoding) -> Result<Vec<u8>> {
    ensure(encoding == PublickeyEncoding::Raw, CryptoError::UnsupportedEncoding)?;
    Ok(pk.as_bytes().to_vec())
}

/// `InvalidKey` for a point of small order.
pub(super) fn pk_verify(pk: &VerifyingKey) -> Result<()> {
    ensure(!pk.is_weak(), CryptoError::InvalidKey)
}

/// Import a secret key: the 32-byte seed.
pub(super) fn sk_import(encoding: SecretkeyEncoding, encoded: &[u8]) -> Result<SigningKey> {
    ensure(encoding == SecretkeyEncoding::Raw, CryptoError::UnsupportedEncoding)?;
    let seed: &[u8; 32] = encoded.try_into().map_err(|_| CryptoError::InvalidKey)?;
    Ok(SigningKey::from_bytes(seed))
}

/// Export a secret key (its seed).
pub(super) fn sk_export(sk: &SigningKey, encoding: SecretkeyEncoding) -> Result<Zeroizing<Vec<u8>>> {
    ensure(encoding == SecretkeyEncoding::Raw, CryptoError::UnsupportedEncoding)?;
    Ok(Zeroizing::new(Zeroizing::new(sk.to_bytes()).to_vec()))
}

/// Import a key pair: seed ‖ public key, 64 bytes; `InvalidKey` unless the public key is the seed's.
pub(super) fn kp_import(encoding: KeypairEncoding, encoded: &[u8]) -> Result<SigningKey> {
    ensure(encoding == KeypairEncoding::Raw, CryptoError::UnsupportedEncoding)?;
    let bytes: &[u8; 64] = encoded.try_into().map_err(|_| CryptoError::InvalidKey)?;
    SigningKey::from_keypair_bytes(bytes).map_err(|_| CryptoError::InvalidKey)
}

/// Export a key pair: seed ‖ public key.
pub(super) fn kp_export(sk: &SigningKey, encoding: KeypairEncoding) -> Result<Zeroizing<Vec<u8>>> {
    ensure(encoding == KeypairEncoding::Raw, CryptoError::UnsupportedEncoding)?;
    Ok(Zeroizing::new(Zeroizing::new(sk.to_keypair_bytes()).to_vec()))
}

/// Import a signature: 64 bytes, `Raw` only.
pub(super) fn sig_import(encoding: SignatureEncoding, encoded: &[u8]) -> Result<Vec<u8>> {
    ensure(encoding == SignatureEncoding::Raw, CryptoError::UnsupportedEncoding)?;
    ensure(encoded.len() == ed25519_dalek::SIGNATURE_LENGTH, CryptoError::InvalidSignature)?;
    Ok(encoded.to_vec())
}

/// Sign a message.
pub(super) fn sign(sk: &SigningKey, message: &[u8]) -> Vec<u8> {
    sk.sign(message).to_bytes().to_vec()
}

/// Verify a signature of a message.
pub(super) fn verify(pk: &VerifyingKey, message: &[u8], raw: &[u8]) -> Result<()> {
    let bytes: &[u8; 64] = raw.try_into().map_err(|_| CryptoError::InvalidSignature)?;
    let sig = ed25519_dalek::Signature::from_bytes(bytes);
    pk.verify_strict(message, &sig).map_err(|_| CryptoError::VerificationFailed)
}
