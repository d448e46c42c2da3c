//! RSA signatures: RSASSA-PKCS1-v1_5 and RSASSA-PSS (MGF1 with the message hash, a salt exactly as long as
//! the hash, for signing and verifying, as Wycheproof expects; OpenSSL 3.0 signs with the longest salt by
//! default, and such signatures do not verify here).
//!
//! Public keys: `Pkcs8` (SubjectPublicKeyInfo DER) and `Pem` ("PUBLIC KEY"). Secret keys and key pairs:
//! `Pkcs8` and `Pem` ("PRIVATE KEY"); their imports also accept PKCS#1 `RSAPrivateKey` DER and PEM ("RSA
//! PRIVATE KEY"), as OpenSSL does. Imported keys may name their algorithm `rsaEncryption` or
//! `id-RSASSA-PSS` (OpenSSL's form for PSS keys); exports use `rsaEncryption`. The modulus must have the
//! algorithm's size. Signatures are `Raw` only: exactly the modulus length.

use ::rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use ::rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding, ObjectIdentifier};
use ::rsa::traits::PublicKeyParts;
use ::rsa::{BigUint, Pkcs1v15Sign, Pss, RsaPrivateKey, RsaPublicKey};
use rand_core::OsRng;
use sha2::{Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

use super::{HashFunction, PKCS8_PEM_LABEL, pem_public_key, pem_secret_key, secret_string_bytes};
use crate::error::{CryptoError, Result, ensure};
use crate::types::{PublickeyEncoding, SecretkeyEncoding, SignatureEncoding};

/// `rsaEncryption`.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-RSASSA-PSS`.
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// The PEM label of a PKCS#1 `RSAPrivateKey`.
const PKCS1_PEM_LABEL: &str = "RSA PRIVATE KEY";
/// The public exponent of generated keys.
const PUBLIC_EXPONENT: u32 = 65537;

/// An RSA signature padding scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Padding {
    Pkcs1v15,
    Pss,
}

/// A new key with a modulus of `bits` bits and e = 65537.
pub(super) fn generate(bits: usize) -> Result<RsaPrivateKey> {
    RsaPrivateKey::new_with_exp(&mut OsRng, bits, &BigUint::from(PUBLIC_EXPONENT))
        .map_err(|_| CryptoError::AlgorithmFailure)
}

/// The number of bits of a big-endian unsigned integer without leading zero bytes.
fn uint_bits(bytes: &[u8]) -> usize {
    match bytes.first() {
        Some(first) => (bytes.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
        None => 0,
    }
}

/// Whether an algorithm identifier names an RSA key.
fn is_rsa_oid(oid: ObjectIdentifier) -> bool {
    oid == RSA_ENCRYPTION || oid == RSASSA_PSS
}

/// A public key from SubjectPublicKeyInfo DER; `InvalidKey` unless its modulus has `bits` bits.
fn pk_from_spki_der(bits: usize, der: &[u8]) -> Result<RsaPublicKey> {
    let spki = pkcs8::SubjectPublicKeyInfoRef::try_from(der).map_err(|_| CryptoError::InvalidKey)?;
    ensure(is_rsa_oid(spki.algorithm.oid), CryptoError::InvalidKey)?;
    let pkcs1 = spki.subject_public_key.as_bytes().ok_or(CryptoError::InvalidKey)?;
    let parsed = ::rsa::pkcs1::RsaPublicKey::try_from(pkcs1).map_err(|_| CryptoError::InvalidKey)?;
    ensure(uint_bits(parsed.modulus.as_bytes()) == bits, CryptoError::InvalidKey)?;
    let pk = RsaPublicKey::from_pkcs1_der(pkcs1).map_err(|_| CryptoError::InvalidKey)?;
    ensure(pk.n().bits() == bits, CryptoError::InvalidKey)?;
    Ok(pk)
}

/// Import a public key.
pub(super) fn pk_import(bits: usize, encoding: PublickeyEncoding, encoded: &[u8]) -> Result<RsaPublicKey> {
    match encoding {
        PublickeyEncoding::Pkcs8 => pk_from_spki_der(bits, encoded),
        PublickeyEncoding::Pem => pk_from_spki_der(bits, pem_public_key(encoded)?.as_bytes()),
        PublickeyEncoding::Raw
        | PublickeyEncoding::Sec
        | PublickeyEncoding::CompressedSec
        | PublickeyEncoding::Local => Err(CryptoError::UnsupportedEncoding),
    }
}

/// Export a public key.
pub(super) fn pk_export(pk: &RsaPublicKey, encoding: PublickeyEncoding) -> Result<Vec<u8>> {
    match encoding {
        PublickeyEncoding::Pkcs8 => {
            pk.to_public_key_der().map(|doc| doc.into_vec()).map_err(|_| CryptoError::AlgorithmFailure)
        }
        PublickeyEncoding::Pem => {
            pk.to_public_key_pem(LineEnding::LF).map(String::into_bytes).map_err(|_| CryptoError::AlgorithmFailure)
        }
        PublickeyEncoding::Raw
        | PublickeyEncoding::Sec
        | PublickeyEncoding::CompressedSec
        | PublickeyEncoding::Local => Err(CryptoError::UnsupportedEncoding),
    }
}

/// Basic sanity of a public key: the modulus has the algorithm's size and is odd, the exponent is odd
/// and greater than 1.
pub(super) fn pk_verify(pk: &RsaPublicKey, bits: usize) -> Result<()> {
    let one = BigUint::from(1u8);
    let odd = |x: &BigUint| (x & &one) == one;
    ensure(pk.n().bits() == bits && odd(pk.n()), CryptoError::InvalidKey)?;
    ensure(*pk.e() > one && odd(pk.e()), CryptoError::InvalidKey)
}

/// A secret key from PKCS#1 `RSAPrivateKey` DER; `InvalidKey` unless its modulus has `bits` bits or if
/// its components are inconsistent.
fn sk_from_pkcs1_der(bits: usize, der: &[u8]) -> Result<RsaPrivateKey> {
    let parsed = ::rsa::pkcs1::RsaPrivateKey::try_from(der).map_err(|_| CryptoError::InvalidKey)?;
    // Check the size before the (costly) consistency checks of the whole key.
    ensure(uint_bits(parsed.modulus.as_bytes()) == bits, CryptoError::InvalidKey)?;
    let sk = RsaPrivateKey::from_pkcs1_der(der).map_err(|_| CryptoError::InvalidKey)?;
    ensure(sk.n().bits() == bits, CryptoError::InvalidKey)?;
    Ok(sk)
}

/// A secret key from PKCS#8 DER, or (as OpenSSL accepts it too) PKCS#1 DER.
fn sk_from_pkcs8_der(bits: usize, der: &[u8]) -> Result<RsaPrivateKey> {
    match pkcs8::PrivateKeyInfo::try_from(der) {
        Ok(info) => {
            ensure(is_rsa_oid(info.algorithm.oid), CryptoError::InvalidKey)?;
            sk_from_pkcs1_der(bits, info.private_key)
        }
        Err(_) => sk_from_pkcs1_der(bits, der),
    }
}

/// Import a secret key (or a key pair).
pub(super) fn sk_import(bits: usize, encoding: SecretkeyEncoding, encoded: &[u8]) -> Result<RsaPrivateKey> {
    match encoding {
        SecretkeyEncoding::Pkcs8 => sk_from_pkcs8_der(bits, encoded),
        SecretkeyEncoding::Pem => {
            let (label, der) = pem_secret_key(encoded)?;
            match label {
                PKCS8_PEM_LABEL => {
                    let info = pkcs8::PrivateKeyInfo::try_from(der.as_bytes()).map_err(|_| CryptoError::InvalidKey)?;
                    ensure(is_rsa_oid(info.algorithm.oid), CryptoError::InvalidKey)?;
                    sk_from_pkcs1_der(bits, info.private_key)
                }
                PKCS1_PEM_LABEL => sk_from_pkcs1_der(bits, der.as_bytes()),
                _ => Err(CryptoError::InvalidKey),
            }
        }
        SecretkeyEncoding::Raw | SecretkeyEncoding::Sec | SecretkeyEncoding::Local => {
            Err(CryptoError::UnsupportedEncoding)
        }
    }
}

/// Export a secret key (or a key pair).
pub(super) fn sk_export(sk: &RsaPrivateKey, encoding: SecretkeyEncoding) -> Result<Zeroizing<Vec<u8>>> {
    match encoding {
        SecretkeyEncoding::Pkcs8 => sk
            .to_pkcs8_der()
            .map(|doc| Zeroizing::new(doc.as_bytes().to_vec()))
            .map_err(|_| CryptoError::AlgorithmFailure),
        SecretkeyEncoding::Pem => {
            sk.to_pkcs8_pem(LineEnding::LF).map(secret_string_bytes).map_err(|_| CryptoError::AlgorithmFailure)
        }
        SecretkeyEncoding::Raw | SecretkeyEncoding::Sec | SecretkeyEncoding::Local => {
            Err(CryptoError::UnsupportedEncoding)
        }
    }
}

/// Import a signature: `Raw`, exactly as long as the modulus.
pub(super) fn sig_import(bits: usize, encoding: SignatureEncoding, encoded: &[u8]) -> Result<Vec<u8>> {
    ensure(encoding == SignatureEncoding::Raw, CryptoError::UnsupportedEncoding)?;
    ensure(encoded.len() == bits / 8, CryptoError::InvalidSignature)?;
    Ok(encoded.to_vec())
}

/// Sign a message digest (with blinding; PSS with a random salt).
pub(super) fn sign(sk: &RsaPrivateKey, padding: Padding, hash: HashFunction, digest: &[u8]) -> Result<Vec<u8>> {
    let signed = match (padding, hash) {
        (Padding::Pkcs1v15, HashFunction::Sha256) => {
            sk.sign_with_rng(&mut OsRng, Pkcs1v15Sign::new::<Sha256>(), digest)
        }
        (Padding::Pkcs1v15, HashFunction::Sha384) => {
            sk.sign_with_rng(&mut OsRng, Pkcs1v15Sign::new::<Sha384>(), digest)
        }
        (Padding::Pkcs1v15, HashFunction::Sha512) => {
            sk.sign_with_rng(&mut OsRng, Pkcs1v15Sign::new::<Sha512>(), digest)
        }
        (Padding::Pss, HashFunction::Sha256) => sk.sign_with_rng(&mut OsRng, Pss::new::<Sha256>(), digest),
        (Padding::Pss, HashFunction::Sha384) => sk.sign_with_rng(&mut OsRng, Pss::new::<Sha384>(), digest),
        (Padding::Pss, HashFunction::Sha512) => sk.sign_with_rng(&mut OsRng, Pss::new::<Sha512>(), digest),
    };
    signed.map_err(|_| CryptoError::AlgorithmFailure)
}

/// Verify a signature of a message digest.
pub(super) fn verify(pk: &RsaPublicKey, padding: Padding, hash: HashFunction, digest: &[u8], sig: &[u8]) -> Result<()> {
    let verified = match (padding, hash) {
        (Padding::Pkcs1v15, HashFunction::Sha256) => pk.verify(Pkcs1v15Sign::new::<Sha256>(), digest, sig),
        (Padding::Pkcs1v15, HashFunction::Sha384) => pk.verify(Pkcs1v15Sign::new::<Sha384>(), digest, sig),
        (Padding::Pkcs1v15, HashFunction::Sha512) => pk.verify(Pkcs1v15Sign::new::<Sha512>(), digest, sig),
        (Padding::Pss, HashFunction::Sha256) => pk.verify(Pss::new::<Sha256>(), digest, sig),
        (Padding::Pss, HashFunction::Sha384) => pk.verify(Pss::new::<Sha384>(), digest, sig),
        (Padding::Pss, HashFunction::Sha512) => pk.verify(Pss::new::<Sha512>(), digest, sig),
    };
    verified.map_err(|_| CryptoError::VerificationFailed)
}
