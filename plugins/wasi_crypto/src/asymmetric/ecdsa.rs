//! Keys on the short-Weierstrass curves P-256, secp256k1 and P-384 (ECDSA signatures and ECDH key
//! exchange share the key formats), ECDSA signatures and ECDH.
//!
//! Public keys: `Sec` (compressed or uncompressed SEC-1 point in, uncompressed out), `CompressedSec`
//! (either in, compressed out), `Pkcs8` (SubjectPublicKeyInfo DER), `Pem` ("PUBLIC KEY"); `Raw` is refused,
//! as WasmEdge refuses it. Secret keys: `Raw` (fixed-size big-endian scalar), `Sec` (SEC-1 `ECPrivateKey`
//! DER), `Pkcs8`, `Pem` ("PRIVATE KEY"). Key pairs: `Raw`, `Pkcs8`, `Pem`. `Pkcs8` and `Pem` imports of
//! secret keys and key pairs also accept the SEC-1 form ("EC PRIVATE KEY"), as OpenSSL does.

use pkcs8::ObjectIdentifier;
use zeroize::Zeroizing;

use crate::error::{CryptoError, Result, ensure};

/// `id-ecPublicKey`, the algorithm of EC keys in PKCS#8 and SubjectPublicKeyInfo.
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// The PEM label of a SEC-1 `ECPrivateKey`.
const SEC1_PEM_LABEL: &str = "EC PRIVATE KEY";

/// The SEC-1 point-encoding tags accepted on import: compressed (even / odd y) and uncompressed.
const TAG_COMPRESSED_EVEN: u8 = 0x02;
const TAG_COMPRESSED_ODD: u8 = 0x03;
const TAG_UNCOMPRESSED: u8 = 0x04;

/// Whether `bytes` has the shape of a compressed or uncompressed SEC-1 point for a field of `len` bytes
/// (the identity, "compact" and hybrid forms are refused).
fn is_sec1_point_shape(bytes: &[u8], len: usize) -> bool {
    match bytes.first() {
        Some(&TAG_COMPRESSED_EVEN | &TAG_COMPRESSED_ODD) => bytes.len() == 1 + len,
        Some(&TAG_UNCOMPRESSED) => bytes.len() == 1 + 2 * len,
        _ => false,
    }
}

/// The inner `ECPrivateKey` of a PKCS#8 `PrivateKeyInfo` for the curve `curve_oid`.
fn pkcs8_ec_private_key(der: &[u8], curve_oid: ObjectIdentifier) -> Result<&[u8]> {
    let info = pkcs8::PrivateKeyInfo::try_from(der).map_err(|_| CryptoError::InvalidKey)?;
    ensure(info.algorithm.oid == ID_EC_PUBLIC_KEY, CryptoError::InvalidKey)?;
    let params = info.algorithm.parameters_oid().map_err(|_| CryptoError::InvalidKey)?;
    ensure(params == curve_oid, CryptoError::InvalidKey)?;
    Ok(info.private_key)
}

/// The fields of a SEC-1 `ECPrivateKey`.
struct Sec1Key<'a> {
    /// The scalar, left-padded to the field size (some encoders drop leading zero bytes).
    scalar: Zeroizing<Vec<u8>>,
    /// The public key, if present.
    public_key: Option<&'a [u8]>,
}

/// Parse a SEC-1 `ECPrivateKey` for the curve `curve_oid` and a field of `len` bytes.
fn sec1_ec_private_key(der: &[u8], curve_oid: ObjectIdentifier, len: usize) -> Result<Sec1Key<'_>> {
    let key = sec1::EcPrivateKey::try_from(der).map_err(|_| CryptoError::InvalidKey)?;
    if let Some(params) = key.parameters {
        ensure(params.named_curve() == Some(curve_oid), CryptoError::InvalidKey)?;
    }
    ensure(!key.private_key.is_empty() && key.private_key.len() <= len, CryptoError::InvalidKey)?;
    let mut scalar = Zeroizing::new(vec![0u8; len]);
    scalar[len - key.private_key.len()..].copy_from_slice(key.private_key);
    Ok(Sec1Key { scalar, public_key: key.public_key })
}

macro_rules! ec_curve {
    ($module:ident, $krate:ident, $curve:ident, $len:literal $(, $dh:ident)?) => {
        /// Keys and ECDSA signatures on this curve.
        pub(super) mod $module {
            use ::$krate::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
            use ::$krate::ecdsa::{Signature, SigningKey, VerifyingKey};
            use ::$krate::elliptic_curve::sec1::ToEncodedPoint;
            use ::$krate::pkcs8::{AssociatedOid, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
            use ::$krate::{FieldBytes, PublicKey, SecretKey};
            use rand_core::OsRng;
            use zeroize::Zeroizing;

            use crate::asymmetric::{PKCS8_PEM_LABEL, pem_public_key, pem_secret_key, secret_string_bytes};
            use crate::error::{CryptoError, Result, ensure};
            use crate::types::{KeypairEncoding, PublickeyEncoding, SecretkeyEncoding, SignatureEncoding};

            /// The size of a scalar and of a field element, in bytes.
            pub(crate) const LEN: usize = $len;

            /// A new random secret key.
            pub(crate) fn generate() -> SecretKey {
                SecretKey::random(&mut OsRng)
            }

            /// Import a public key.
            pub(crate) fn pk_import(encoding: PublickeyEncoding, encoded: &[u8]) -> Result<PublicKey> {
                match encoding {
                    PublickeyEncoding::Sec | PublickeyEncoding::CompressedSec => {
                        ensure(super::is_sec1_point_shape(encoded, LEN), CryptoError::InvalidKey)?;
                        PublicKey::from_sec1_bytes(encoded).map_err(|_| CryptoError::InvalidKey)
                    }
                    PublickeyEncoding::Pkcs8 => {
                        PublicKey::from_public_key_der(encoded).map_err(|_| CryptoError::InvalidKey)
                    }
                    PublickeyEncoding::Pem => {
                        let der = pem_public_key(encoded)?;
                        PublicKey::from_public_key_der(der.as_bytes()).map_err(|_| CryptoError::InvalidKey)
                    }
                    PublickeyEncoding::Raw | PublickeyEncoding::Local => Err(CryptoError::UnsupportedEncoding),
                }
            }

            /// Export a public key.
            pub(crate) fn pk_export(pk: &PublicKey, encoding: PublickeyEncoding) -> Result<Vec<u8>> {
                match encoding {
                    PublickeyEncoding::Sec => Ok(pk.to_encoded_point(false).as_bytes().to_vec()),
                    PublickeyEncoding::CompressedSec => Ok(pk.to_encoded_point(true).as_bytes().to_vec()),
                    PublickeyEncoding::Pkcs8 => pk
                        .to_public_key_der()
                        .map(|doc| doc.into_vec())
                        .map_err(|_| CryptoError::AlgorithmFailure),
                    PublickeyEncoding::Pem => pk
                        .to_public_key_pem(LineEnding::LF)
                        .map(String::into_bytes)
                        .map_err(|_| CryptoError::AlgorithmFailure),
                    PublickeyEncoding::Raw | PublickeyEncoding::Local => Err(CryptoError::UnsupportedEncoding),
                }
            }

            /// A secret key from its big-endian scalar: exactly `LEN` bytes, in `1..n`.
            fn from_scalar(bytes: &[u8]) -> Result<SecretKey> {
                ensure(bytes.len() == LEN, CryptoError::InvalidKey)?;
                SecretKey::from_bytes(FieldBytes::from_slice(bytes)).map_err(|_| CryptoError::InvalidKey)
            }

            /// A secret key from a SEC-1 `ECPrivateKey`; an included public key must be the secret key's.
            fn from_sec1_der(der: &[u8]) -> Result<SecretKey> {
                let parsed = super::sec1_ec_private_key(der, ::$krate::$curve::OID, LEN)?;
                let sk = from_scalar(&parsed.scalar)?;
                if let Some(pk) = parsed.public_key {
                    let pk = PublicKey::from_sec1_bytes(pk).map_err(|_| CryptoError::InvalidKey)?;
                    ensure(pk == sk.public_key(), CryptoError::InvalidKey)?;
                }
                Ok(sk)
            }

            /// A secret key from PKCS#8 DER, or (as OpenSSL accepts it too) SEC-1 DER.
            fn from_pkcs8_der(der: &[u8]) -> Result<SecretKey> {
                match super::pkcs8_ec_private_key(der, ::$krate::$curve::OID) {
                    Ok(inner) => from_sec1_der(inner),
                    Err(_) => from_sec1_der(der),
                }
            }

            /// A secret key from PEM: PKCS#8 ("PRIVATE KEY") or SEC-1 ("EC PRIVATE KEY").
            fn from_pem(encoded: &[u8]) -> Result<SecretKey> {
                let (label, der) = pem_secret_key(encoded)?;
                match label {
                    PKCS8_PEM_LABEL => super::pkcs8_ec_private_key(der.as_bytes(), ::$krate::$curve::OID)
                        .and_then(from_sec1_der),
                    super::SEC1_PEM_LABEL => from_sec1_der(der.as_bytes()),
                    _ => Err(CryptoError::InvalidKey),
                }
            }

            /// Import a secret key.
            pub(crate) fn sk_import(encoding: SecretkeyEncoding, encoded: &[u8]) -> Result<SecretKey> {
                match encoding {
                    SecretkeyEncoding::Raw => from_scalar(encoded),
                    SecretkeyEncoding::Sec => from_sec1_der(encoded),
                    SecretkeyEncoding::Pkcs8 => from_pkcs8_der(encoded),
                    SecretkeyEncoding::Pem => from_pem(encoded),
                    SecretkeyEncoding::Local => Err(CryptoError::UnsupportedEncoding),
                }
            }

            /// Export a secret key.
            pub(crate) fn sk_export(sk: &SecretKey, encoding: SecretkeyEncoding) -> Result<Zeroizing<Vec<u8>>> {
                match encoding {
                    SecretkeyEncoding::Raw => Ok(Zeroizing::new(Zeroizing::new(sk.to_bytes()).to_vec())),
                    SecretkeyEncoding::Sec => sk.to_sec1_der().map_err(|_| CryptoError::AlgorithmFailure),
                    SecretkeyEncoding::Pkcs8 => sk
                        .to_pkcs8_der()
                        .map(|doc| Zeroizing::new(doc.as_bytes().to_vec()))
                        .map_err(|_| CryptoError::AlgorithmFailure),
                    SecretkeyEncoding::Pem => sk
                        .to_pkcs8_pem(LineEnding::LF)
                        .map(secret_string_bytes)
                        .map_err(|_| CryptoError::AlgorithmFailure),
                    SecretkeyEncoding::Local => Err(CryptoError::UnsupportedEncoding),
                }
            }

            /// Import a key pair (its secret key; the public key is derived).
            pub(crate) fn kp_import(encoding: KeypairEncoding, encoded: &[u8]) -> Result<SecretKey> {
                match encoding {
                    KeypairEncoding::Raw => from_scalar(encoded),
                    KeypairEncoding::Pkcs8 => from_pkcs8_der(encoded),
                    KeypairEncoding::Pem => from_pem(encoded),
                    KeypairEncoding::Local => Err(CryptoError::UnsupportedEncoding),
                }
            }

            /// Export a key pair (as its secret key).
            pub(crate) fn kp_export(sk: &SecretKey, encoding: KeypairEncoding) -> Result<Zeroizing<Vec<u8>>> {
                match encoding {
                    KeypairEncoding::Raw => sk_export(sk, SecretkeyEncoding::Raw),
                    KeypairEncoding::Pkcs8 => sk_export(sk, SecretkeyEncoding::Pkcs8),
                    KeypairEncoding::Pem => sk_export(sk, SecretkeyEncoding::Pem),
                    KeypairEncoding::Local => Err(CryptoError::UnsupportedEncoding),
                }
            }

            /// Import a signature, returned in its raw (fixed-size r ‖ s) form.
            pub(crate) fn sig_import(encoding: SignatureEncoding, encoded: &[u8]) -> Result<Vec<u8>> {
                let sig = match encoding {
                    SignatureEncoding::Raw => Signature::from_slice(encoded),
                    SignatureEncoding::Der => Signature::from_der(encoded),
                }
                .map_err(|_| CryptoError::InvalidSignature)?;
                Ok(sig.to_bytes().to_vec())
            }

            /// The DER encoding of a raw signature.
            pub(crate) fn sig_to_der(raw: &[u8]) -> Result<Vec<u8>> {
                let sig = Signature::from_slice(raw).map_err(|_| CryptoError::AlgorithmFailure)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }

            /// Sign a message digest (RFC 6979 deterministic nonce), returning the raw signature.
            pub(crate) fn sign(sk: &SecretKey, digest: &[u8]) -> Result<Vec<u8>> {
                let signing_key = SigningKey::from(sk);
                let sig: Signature = signing_key.sign_prehash(digest).map_err(|_| CryptoError::AlgorithmFailure)?;
                Ok(sig.to_bytes().to_vec())
            }

            /// Verify a raw signature of a message digest. Both (r, s) and (r, n - s) are valid ECDSA
            /// signatures; s is normalised to the low half first since the secp256k1 verifier refuses high s.
            pub(crate) fn verify(pk: &PublicKey, digest: &[u8], raw: &[u8]) -> Result<()> {
                let sig = Signature::from_slice(raw).map_err(|_| CryptoError::InvalidSignature)?;
                let sig = sig.normalize_s().unwrap_or(sig);
                VerifyingKey::from(pk).verify_prehash(digest, &sig).map_err(|_| CryptoError::VerificationFailed)
            }

            $(
                /// ECDH: the shared point's x-coordinate, as OpenSSL's (and so WasmEdge's) ECDH derives it.
                pub(crate) fn $dh(pk: &PublicKey, sk: &SecretKey) -> Zeroizing<Vec<u8>> {
                    let shared = ::$krate::ecdh::diffie_hellman(sk.to_nonzero_scalar(), pk.as_affine());
                    Zeroizing::new(shared.raw_secret_bytes().to_vec())
                }
            )?
        }
    };
}

ec_curve!(p256, p256, NistP256, 32, dh);
ec_curve!(k256, k256, Secp256k1, 32);
ec_curve!(p384, p384, NistP384, 48, dh);
