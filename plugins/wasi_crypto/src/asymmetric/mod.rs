//! Asymmetric algorithms: key pairs, public and secret keys in every encoding, signatures (ECDSA, Ed25519,
//! RSA PKCS#1 v1.5 and PSS) and key exchange (X25519, ECDH over P-256 and P-384).
//!
//! Encodings each algorithm accepts (anything else, and `Local` everywhere, is `UnsupportedEncoding`):
//!
//! - ECDSA P-256 / K-256 / P-384 and P256-SHA256 / P384-SHA384: public key `Sec`, `CompressedSec`, `Pkcs8`
//!   (SubjectPublicKeyInfo DER), `Pem`; secret key `Raw` (big-endian scalar), `Sec` (SEC-1 `ECPrivateKey`
//!   DER), `Pkcs8`, `Pem`; key pair `Raw`, `Pkcs8`, `Pem`.
//! - Ed25519: `Raw` only: public key 32 bytes, secret key the 32-byte seed, key pair seed ‖ public key.
//! - X25519: `Raw` only: public and secret key 32 bytes, key pair public key ‖ secret key (64 bytes, as
//!   WasmEdge; a 32-byte secret key alone is imported too).
//! - RSA (PKCS#1 v1.5 and PSS): public key `Pkcs8` (SubjectPublicKeyInfo DER), `Pem`; secret key and key
//!   pair `Pkcs8`, `Pem`.
//!
//! As WasmEdge (OpenSSL) does, raw EC public keys are refused, EC secret-key / key-pair `Pkcs8` and `Pem`
//! imports also accept the SEC-1 `ECPrivateKey` form ("EC PRIVATE KEY"), and RSA secret-key / key-pair
//! imports also accept PKCS#1 `RSAPrivateKey` ("RSA PRIVATE KEY"). RSA keys whose algorithm identifier is
//! `id-RSASSA-PSS` (as OpenSSL writes for PSS keys) are imported too; exports always use `rsaEncryption`.
//!
//! Signature encodings: ECDSA `Raw` (fixed-size r ‖ s) and `Der`; Ed25519 and RSA `Raw` only.

mod ecdsa;
mod eddsa;
mod rsa;
mod x25519;

use std::sync::Arc;

use sha2::{Digest, Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

use crate::error::{CryptoError, Result, ensure};
use crate::types::{AlgorithmType, KeypairEncoding, PublickeyEncoding, SecretkeyEncoding, SignatureEncoding};

/// A signature algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// `ECDSA_P256_SHA256`: ECDSA over NIST P-256 with SHA-256.
    EcdsaP256Sha256,
    /// `ECDSA_K256_SHA256`: ECDSA over secp256k1 with SHA-256.
    EcdsaK256Sha256,
    /// `ECDSA_P384_SHA384`: ECDSA over NIST P-384 with SHA-384.
    EcdsaP384Sha384,
    /// `Ed25519`: pure Ed25519 (RFC 8032).
    Ed25519,
    /// `RSA_PKCS1_2048_SHA256`: RSASSA-PKCS1-v1_5, 2048-bit modulus, SHA-256.
    RsaPkcs1_2048Sha256,
    /// `RSA_PKCS1_2048_SHA384`: RSASSA-PKCS1-v1_5, 2048-bit modulus, SHA-384.
    RsaPkcs1_2048Sha384,
    /// `RSA_PKCS1_2048_SHA512`: RSASSA-PKCS1-v1_5, 2048-bit modulus, SHA-512.
    RsaPkcs1_2048Sha512,
    /// `RSA_PKCS1_3072_SHA384`: RSASSA-PKCS1-v1_5, 3072-bit modulus, SHA-384.
    RsaPkcs1_3072Sha384,
    /// `RSA_PKCS1_3072_SHA512`: RSASSA-PKCS1-v1_5, 3072-bit modulus, SHA-512.
    RsaPkcs1_3072Sha512,
    /// `RSA_PKCS1_4096_SHA512`: RSASSA-PKCS1-v1_5, 4096-bit modulus, SHA-512.
    RsaPkcs1_4096Sha512,
    /// `RSA_PSS_2048_SHA256`: RSASSA-PSS (MGF1 with the same hash, salt = hash length), 2048 bits, SHA-256.
    RsaPss2048Sha256,
    /// `RSA_PSS_2048_SHA384`: RSASSA-PSS, 2048-bit modulus, SHA-384.
    RsaPss2048Sha384,
    /// `RSA_PSS_2048_SHA512`: RSASSA-PSS, 2048-bit modulus, SHA-512.
    RsaPss2048Sha512,
    /// `RSA_PSS_3072_SHA384`: RSASSA-PSS, 3072-bit modulus, SHA-384.
    RsaPss3072Sha384,
    /// `RSA_PSS_3072_SHA512`: RSASSA-PSS, 3072-bit modulus, SHA-512.
    RsaPss3072Sha512,
    /// `RSA_PSS_4096_SHA512`: RSASSA-PSS, 4096-bit modulus, SHA-512.
    RsaPss4096Sha512,
}

/// A key-exchange algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KxAlgorithm {
    /// `X25519`: X25519 Diffie-Hellman (RFC 7748).
    X25519,
    /// `P256-SHA256`: ECDH over NIST P-256; the shared secret is the 32-byte x-coordinate.
    P256Sha256,
    /// `P384-SHA384`: ECDH over NIST P-384; the shared secret is the 48-byte x-coordinate.
    P384Sha384,
}

/// An asymmetric algorithm, of either family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AsymmetricAlgorithm {
    /// A signature algorithm.
    Signatures(SignatureAlgorithm),
    /// A key-exchange algorithm.
    KeyExchange(KxAlgorithm),
}

const SIGNATURE_ALGORITHMS: [SignatureAlgorithm; 16] = [
    SignatureAlgorithm::EcdsaP256Sha256,
    SignatureAlgorithm::EcdsaK256Sha256,
    SignatureAlgorithm::EcdsaP384Sha384,
    SignatureAlgorithm::Ed25519,
    SignatureAlgorithm::RsaPkcs1_2048Sha256,
    SignatureAlgorithm::RsaPkcs1_2048Sha384,
    SignatureAlgorithm::RsaPkcs1_2048Sha512,
    SignatureAlgorithm::RsaPkcs1_3072Sha384,
    SignatureAlgorithm::RsaPkcs1_3072Sha512,
    SignatureAlgorithm::RsaPkcs1_4096Sha512,
    SignatureAlgorithm::RsaPss2048Sha256,
    SignatureAlgorithm::RsaPss2048Sha384,
    SignatureAlgorithm::RsaPss2048Sha512,
    SignatureAlgorithm::RsaPss3072Sha384,
    SignatureAlgorithm::RsaPss3072Sha512,
    SignatureAlgorithm::RsaPss4096Sha512,
];

const KX_ALGORITHMS: [KxAlgorithm; 3] = [KxAlgorithm::X25519, KxAlgorithm::P256Sha256, KxAlgorithm::P384Sha384];

impl AsymmetricAlgorithm {
    /// Parse a name (case-insensitive) of the given family.
    pub fn parse(alg_type: AlgorithmType, name: &str) -> Result<Self> {
        match alg_type {
            AlgorithmType::Signatures => SignatureAlgorithm::parse(name).map(AsymmetricAlgorithm::Signatures),
            AlgorithmType::KeyExchange => KxAlgorithm::parse(name).map(AsymmetricAlgorithm::KeyExchange),
            AlgorithmType::Symmetric => Err(CryptoError::InvalidOperation),
        }
    }

    /// The canonical name of the algorithm.
    pub fn name(self) -> &'static str {
        match self {
            AsymmetricAlgorithm::Signatures(alg) => alg.name(),
            AsymmetricAlgorithm::KeyExchange(alg) => alg.name(),
        }
    }

    /// The family of the algorithm.
    pub fn algorithm_type(self) -> AlgorithmType {
        match self {
            AsymmetricAlgorithm::Signatures(_) => AlgorithmType::Signatures,
            AsymmetricAlgorithm::KeyExchange(_) => AlgorithmType::KeyExchange,
        }
    }

    /// The kind of key the algorithm uses.
    fn key_kind(self) -> KeyKind {
        match self {
            AsymmetricAlgorithm::Signatures(alg) => alg.key_kind(),
            AsymmetricAlgorithm::KeyExchange(KxAlgorithm::X25519) => KeyKind::X25519,
            AsymmetricAlgorithm::KeyExchange(KxAlgorithm::P256Sha256) => KeyKind::P256,
            AsymmetricAlgorithm::KeyExchange(KxAlgorithm::P384Sha384) => KeyKind::P384,
        }
    }
}

impl SignatureAlgorithm {
    /// Parse a signature algorithm name (case-insensitive).
    pub fn parse(name: &str) -> Result<Self> {
        SIGNATURE_ALGORITHMS
            .into_iter()
            .find(|alg| alg.name().eq_ignore_ascii_case(name))
            .ok_or(CryptoError::UnsupportedAlgorithm)
    }

    /// The canonical name of the algorithm.
    pub fn name(self) -> &'static str {
        match self {
            SignatureAlgorithm::EcdsaP256Sha256 => "ECDSA_P256_SHA256",
            SignatureAlgorithm::EcdsaK256Sha256 => "ECDSA_K256_SHA256",
            SignatureAlgorithm::EcdsaP384Sha384 => "ECDSA_P384_SHA384",
            SignatureAlgorithm::Ed25519 => "Ed25519",
            SignatureAlgorithm::RsaPkcs1_2048Sha256 => "RSA_PKCS1_2048_SHA256",
            SignatureAlgorithm::RsaPkcs1_2048Sha384 => "RSA_PKCS1_2048_SHA384",
            SignatureAlgorithm::RsaPkcs1_2048Sha512 => "RSA_PKCS1_2048_SHA512",
            SignatureAlgorithm::RsaPkcs1_3072Sha384 => "RSA_PKCS1_3072_SHA384",
            SignatureAlgorithm::RsaPkcs1_3072Sha512 => "RSA_PKCS1_3072_SHA512",
            SignatureAlgorithm::RsaPkcs1_4096Sha512 => "RSA_PKCS1_4096_SHA512",
            SignatureAlgorithm::RsaPss2048Sha256 => "RSA_PSS_2048_SHA256",
            SignatureAlgorithm::RsaPss2048Sha384 => "RSA_PSS_2048_SHA384",
            SignatureAlgorithm::RsaPss2048Sha512 => "RSA_PSS_2048_SHA512",
            SignatureAlgorithm::RsaPss3072Sha384 => "RSA_PSS_3072_SHA384",
            SignatureAlgorithm::RsaPss3072Sha512 => "RSA_PSS_3072_SHA512",
            SignatureAlgorithm::RsaPss4096Sha512 => "RSA_PSS_4096_SHA512",
        }
    }

    /// The kind of key the algorithm uses.
    fn key_kind(self) -> KeyKind {
        use SignatureAlgorithm::*;
        match self {
            EcdsaP256Sha256 => KeyKind::P256,
            EcdsaK256Sha256 => KeyKind::K256,
            EcdsaP384Sha384 => KeyKind::P384,
            Ed25519 => KeyKind::Ed25519,
            RsaPkcs1_2048Sha256 | RsaPkcs1_2048Sha384 | RsaPkcs1_2048Sha512 | RsaPss2048Sha256 | RsaPss2048Sha384
            | RsaPss2048Sha512 => KeyKind::Rsa(2048),
            RsaPkcs1_3072Sha384 | RsaPkcs1_3072Sha512 | RsaPss3072Sha384 | RsaPss3072Sha512 => KeyKind::Rsa(3072),
            RsaPkcs1_4096Sha512 | RsaPss4096Sha512 => KeyKind::Rsa(4096),
        }
    }

    /// The hash function the message is digested with (`None`: Ed25519 signs the message itself).
    fn hash(self) -> Option<HashFunction> {
        use SignatureAlgorithm::*;
        match self {
            EcdsaP256Sha256 | EcdsaK256Sha256 | RsaPkcs1_2048Sha256 | RsaPss2048Sha256 => Some(HashFunction::Sha256),
            EcdsaP384Sha384 | RsaPkcs1_2048Sha384 | RsaPkcs1_3072Sha384 | RsaPss2048Sha384 | RsaPss3072Sha384 => {
                Some(HashFunction::Sha384)
            }
            RsaPkcs1_2048Sha512 | RsaPkcs1_3072Sha512 | RsaPkcs1_4096Sha512 | RsaPss2048Sha512 | RsaPss3072Sha512
            | RsaPss4096Sha512 => Some(HashFunction::Sha512),
            Ed25519 => None,
        }
    }

    /// The RSA padding scheme, for the RSA algorithms.
    fn rsa_padding(self) -> Option<rsa::Padding> {
        use SignatureAlgorithm::*;
        match self {
            RsaPkcs1_2048Sha256 | RsaPkcs1_2048Sha384 | RsaPkcs1_2048Sha512 | RsaPkcs1_3072Sha384
            | RsaPkcs1_3072Sha512 | RsaPkcs1_4096Sha512 => Some(rsa::Padding::Pkcs1v15),
            RsaPss2048Sha256 | RsaPss2048Sha384 | RsaPss2048Sha512 | RsaPss3072Sha384 | RsaPss3072Sha512
            | RsaPss4096Sha512 => Some(rsa::Padding::Pss),
            EcdsaP256Sha256 | EcdsaK256Sha256 | EcdsaP384Sha384 | Ed25519 => None,
        }
    }
}

impl KxAlgorithm {
    /// Parse a key-exchange algorithm name (case-insensitive).
    pub fn parse(name: &str) -> Result<Self> {
        KX_ALGORITHMS
            .into_iter()
            .find(|alg| alg.name().eq_ignore_ascii_case(name))
            .ok_or(CryptoError::UnsupportedAlgorithm)
    }

    /// The canonical name of the algorithm.
    pub fn name(self) -> &'static str {
        match self {
            KxAlgorithm::X25519 => "X25519",
            KxAlgorithm::P256Sha256 => "P256-SHA256",
            KxAlgorithm::P384Sha384 => "P384-SHA384",
        }
    }
}

/// The kind of key an algorithm uses; algorithms of the same kind share the key code (but not the keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyKind {
    P256,
    K256,
    P384,
    Ed25519,
    X25519,
    /// RSA with a modulus of this many bits.
    Rsa(usize),
}

/// The hash functions signatures use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HashFunction {
    Sha256,
    Sha384,
    Sha512,
}

/// The public half of a key, of any kind.
#[derive(Clone)]
enum PkInner {
    P256(p256::PublicKey),
    K256(k256::PublicKey),
    P384(p384::PublicKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    X25519(x25519_dalek::PublicKey),
    Rsa(::rsa::RsaPublicKey),
}

/// The secret half of a key, of any kind. Every variant zeroizes itself on drop.
enum SkInner {
    P256(p256::SecretKey),
    K256(k256::SecretKey),
    P384(p384::SecretKey),
    Ed25519(ed25519_dalek::SigningKey),
    X25519(x25519_dalek::StaticSecret),
    Rsa(::rsa::RsaPrivateKey),
}

impl SkInner {
    /// The public key of this secret key.
    fn public_key(&self) -> PkInner {
        match self {
            SkInner::P256(sk) => PkInner::P256(sk.public_key()),
            SkInner::K256(sk) => PkInner::K256(sk.public_key()),
            SkInner::P384(sk) => PkInner::P384(sk.public_key()),
            SkInner::Ed25519(sk) => PkInner::Ed25519(sk.verifying_key()),
            SkInner::X25519(sk) => PkInner::X25519(x25519_dalek::PublicKey::from(sk)),
            SkInner::Rsa(sk) => PkInner::Rsa(sk.to_public_key()),
        }
    }
}

impl PkInner {
    /// Whether two public keys are the same key.
    fn same_key(&self, other: &PkInner) -> bool {
        match (self, other) {
            (PkInner::P256(a), PkInner::P256(b)) => a == b,
            (PkInner::K256(a), PkInner::K256(b)) => a == b,
            (PkInner::P384(a), PkInner::P384(b)) => a == b,
            (PkInner::Ed25519(a), PkInner::Ed25519(b)) => a == b,
            (PkInner::X25519(a), PkInner::X25519(b)) => a.as_bytes() == b.as_bytes(),
            (PkInner::Rsa(a), PkInner::Rsa(b)) => a == b,
            _ => false,
        }
    }
}

/// A key pair: a secret key and its public key.
#[derive(Clone)]
pub struct KeyPair {
    alg: AsymmetricAlgorithm,
    sk: Arc<SkInner>,
    pk: Arc<PkInner>,
}

/// A public key.
#[derive(Clone)]
pub struct PublicKey {
    alg: AsymmetricAlgorithm,
    inner: Arc<PkInner>,
}

/// A secret key.
#[derive(Clone)]
pub struct SecretKey {
    alg: AsymmetricAlgorithm,
    inner: Arc<SkInner>,
}

/// A signature, kept in its raw encoding (fixed-size r ‖ s for ECDSA).
#[derive(Clone)]
pub struct Signature {
    alg: SignatureAlgorithm,
    raw: Vec<u8>,
}

/// A signing state: the message signed so far (its running hash, or the message itself for Ed25519).
pub struct SignatureState {
    alg: SignatureAlgorithm,
    sk: Arc<SkInner>,
    message: MessageState,
}

/// A verification state: the message verified so far.
pub struct VerificationState {
    alg: SignatureAlgorithm,
    pk: Arc<PkInner>,
    message: MessageState,
}

macro_rules! debug_by_algorithm {
    ($($ty:ident),*) => {
        $(impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty)).field("alg", &self.alg).finish_non_exhaustive()
            }
        })*
    };
}
debug_by_algorithm!(KeyPair, PublicKey, SecretKey, Signature, SignatureState, VerificationState);

/// The message of a signing or verification state.
#[derive(Clone)]
enum MessageState {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
    /// Ed25519 (pure EdDSA) needs the whole message.
    Buffer(Vec<u8>),
}

impl MessageState {
    fn new(alg: SignatureAlgorithm) -> MessageState {
        match alg.hash() {
            Some(HashFunction::Sha256) => MessageState::Sha256(Sha256::new()),
            Some(HashFunction::Sha384) => MessageState::Sha384(Sha384::new()),
            Some(HashFunction::Sha512) => MessageState::Sha512(Sha512::new()),
            None => MessageState::Buffer(Vec::new()),
        }
    }

    fn update(&mut self, data: &[u8]) -> Result<()> {
        match self {
            MessageState::Sha256(h) => h.update(data),
            MessageState::Sha384(h) => h.update(data),
            MessageState::Sha512(h) => h.update(data),
            MessageState::Buffer(buf) => {
                buf.try_reserve(data.len()).map_err(|_| CryptoError::Overflow)?;
                buf.extend_from_slice(data);
            }
        }
        Ok(())
    }

    /// The digest of the message so far (the state itself is left as it is, so that more data can follow),
    /// or the message itself for Ed25519.
    fn digest(&self) -> std::borrow::Cow<'_, [u8]> {
        match self {
            MessageState::Sha256(h) => h.clone().finalize().to_vec().into(),
            MessageState::Sha384(h) => h.clone().finalize().to_vec().into(),
            MessageState::Sha512(h) => h.clone().finalize().to_vec().into(),
            MessageState::Buffer(buf) => buf.as_slice().into(),
        }
    }
}

impl KeyPair {
    /// Generate a key pair for the algorithm (RSA: a modulus of the algorithm's size, e = 65537).
    pub fn generate(alg: AsymmetricAlgorithm) -> Result<KeyPair> {
        let sk = match alg.key_kind() {
            KeyKind::P256 => SkInner::P256(ecdsa::p256::generate()),
            KeyKind::K256 => SkInner::K256(ecdsa::k256::generate()),
            KeyKind::P384 => SkInner::P384(ecdsa::p384::generate()),
            KeyKind::Ed25519 => SkInner::Ed25519(eddsa::generate()),
            KeyKind::X25519 => SkInner::X25519(x25519::generate()),
            KeyKind::Rsa(bits) => SkInner::Rsa(rsa::generate(bits)?),
        };
        Ok(KeyPair::from_secret(alg, sk))
    }

    /// Import a key pair in the given encoding.
    pub fn import(alg: AsymmetricAlgorithm, encoding: KeypairEncoding, encoded: &[u8]) -> Result<KeyPair> {
        if encoding == KeypairEncoding::Local {
            return Err(CryptoError::UnsupportedEncoding);
        }
        let sk = match alg.key_kind() {
            KeyKind::P256 => SkInner::P256(ecdsa::p256::kp_import(encoding, encoded)?),
            KeyKind::K256 => SkInner::K256(ecdsa::k256::kp_import(encoding, encoded)?),
            KeyKind::P384 => SkInner::P384(ecdsa::p384::kp_import(encoding, encoded)?),
            KeyKind::Ed25519 => SkInner::Ed25519(eddsa::kp_import(encoding, encoded)?),
            KeyKind::X25519 => SkInner::X25519(x25519::kp_import(encoding, encoded)?),
            KeyKind::Rsa(bits) => SkInner::Rsa(rsa::sk_import(bits, kp_to_sk_encoding(encoding)?, encoded)?),
        };
        Ok(KeyPair::from_secret(alg, sk))
    }

    /// Export the key pair in the given encoding.
    pub fn export(&self, encoding: KeypairEncoding) -> Result<Zeroizing<Vec<u8>>> {
        if encoding == KeypairEncoding::Local {
            return Err(CryptoError::UnsupportedEncoding);
        }
        match (&*self.sk, &*self.pk) {
            (SkInner::P256(sk), _) => ecdsa::p256::kp_export(sk, encoding),
            (SkInner::K256(sk), _) => ecdsa::k256::kp_export(sk, encoding),
            (SkInner::P384(sk), _) => ecdsa::p384::kp_export(sk, encoding),
            (SkInner::Ed25519(sk), _) => eddsa::kp_export(sk, encoding),
            (SkInner::X25519(sk), PkInner::X25519(pk)) => x25519::kp_export(sk, pk, encoding),
            (SkInner::X25519(_), _) => Err(CryptoError::InternalError),
            (SkInner::Rsa(sk), _) => rsa::sk_export(sk, kp_to_sk_encoding(encoding)?),
        }
    }

    /// The algorithm of the key pair.
    pub fn algorithm(&self) -> AsymmetricAlgorithm {
        self.alg
    }

    /// The public key of the key pair.
    pub fn public_key(&self) -> Result<PublicKey> {
        Ok(PublicKey { alg: self.alg, inner: Arc::clone(&self.pk) })
    }

    /// The secret key of the key pair.
    pub fn secret_key(&self) -> Result<SecretKey> {
        Ok(SecretKey { alg: self.alg, inner: Arc::clone(&self.sk) })
    }

    /// A key pair from a public key and its secret key: `IncompatibleKeys` unless both are of the same
    /// algorithm and the public key is the secret key's.
    pub fn from_pk_and_sk(pk: &PublicKey, sk: &SecretKey) -> Result<KeyPair> {
        ensure(pk.alg == sk.alg, CryptoError::IncompatibleKeys)?;
        ensure(sk.inner.public_key().same_key(&pk.inner), CryptoError::IncompatibleKeys)?;
        Ok(KeyPair { alg: sk.alg, sk: Arc::clone(&sk.inner), pk: Arc::clone(&pk.inner) })
    }

    fn from_secret(alg: AsymmetricAlgorithm, sk: SkInner) -> KeyPair {
        let pk = sk.public_key();
        KeyPair { alg, sk: Arc::new(sk), pk: Arc::new(pk) }
    }
}

/// RSA key pairs are encoded as their secret key.
fn kp_to_sk_encoding(encoding: KeypairEncoding) -> Result<SecretkeyEncoding> {
    match encoding {
        KeypairEncoding::Pkcs8 => Ok(SecretkeyEncoding::Pkcs8),
        KeypairEncoding::Pem => Ok(SecretkeyEncoding::Pem),
        KeypairEncoding::Raw | KeypairEncoding::Local => Err(CryptoError::UnsupportedEncoding),
    }
}

impl PublicKey {
    /// Import a public key in the given encoding.
    pub fn import(alg: AsymmetricAlgorithm, encoding: PublickeyEncoding, encoded: &[u8]) -> Result<PublicKey> {
        if encoding == PublickeyEncoding::Local {
            return Err(CryptoError::UnsupportedEncoding);
        }
        let inner = match alg.key_kind() {
            KeyKind::P256 => PkInner::P256(ecdsa::p256::pk_import(encoding, encoded)?),
            KeyKind::K256 => PkInner::K256(ecdsa::k256::pk_import(encoding, encoded)?),
            KeyKind::P384 => PkInner::P384(ecdsa::p384::pk_import(encoding, encoded)?),
            KeyKind::Ed25519 => PkInner::Ed25519(eddsa::pk_import(encoding, encoded)?),
            KeyKind::X25519 => PkInner::X25519(x25519::pk_import(encoding, encoded)?),
            KeyKind::Rsa(bits) => PkInner::Rsa(rsa::pk_import(bits, encoding, encoded)?),
        };
        Ok(PublicKey { alg, inner: Arc::new(inner) })
    }

    /// Export the public key in the given encoding.
    pub fn export(&self, encoding: PublickeyEncoding) -> Result<Vec<u8>> {
        match &*self.inner {
            PkInner::P256(pk) => ecdsa::p256::pk_export(pk, encoding),
            PkInner::K256(pk) => ecdsa::k256::pk_export(pk, encoding),
            PkInner::P384(pk) => ecdsa::p384::pk_export(pk, encoding),
            PkInner::Ed25519(pk) => eddsa::pk_export(pk, encoding),
            PkInner::X25519(pk) => x25519::pk_export(pk, encoding),
            PkInner::Rsa(pk) => rsa::pk_export(pk, encoding),
        }
    }

    /// Check that the key is usable: `InvalidKey` for an RSA key that fails basic sanity checks, a
    /// small-order Ed25519 point or a low-order X25519 point (EC points are validated on import).
    pub fn verify(&self) -> Result<()> {
        match &*self.inner {
            // The types only hold points on the curve that are not the identity.
            PkInner::P256(_) | PkInner::K256(_) | PkInner::P384(_) => Ok(()),
            PkInner::Ed25519(pk) => eddsa::pk_verify(pk),
            PkInner::X25519(pk) => x25519::pk_verify(pk),
            PkInner::Rsa(pk) => match self.alg.key_kind() {
                KeyKind::Rsa(bits) => rsa::pk_verify(pk, bits),
                _ => Err(CryptoError::InternalError),
            },
        }
    }

    /// The public key of a secret key.
    pub fn from_secret_key(sk: &SecretKey) -> Result<PublicKey> {
        Ok(PublicKey { alg: sk.alg, inner: Arc::new(sk.inner.public_key()) })
    }

    /// The algorithm of the key.
    pub fn algorithm(&self) -> AsymmetricAlgorithm {
        self.alg
    }
}

impl SecretKey {
    /// Import a secret key in the given encoding.
    pub fn import(alg: AsymmetricAlgorithm, encoding: SecretkeyEncoding, encoded: &[u8]) -> Result<SecretKey> {
        if encoding == SecretkeyEncoding::Local {
            return Err(CryptoError::UnsupportedEncoding);
        }
        let inner = match alg.key_kind() {
            KeyKind::P256 => SkInner::P256(ecdsa::p256::sk_import(encoding, encoded)?),
            KeyKind::K256 => SkInner::K256(ecdsa::k256::sk_import(encoding, encoded)?),
            KeyKind::P384 => SkInner::P384(ecdsa::p384::sk_import(encoding, encoded)?),
            KeyKind::Ed25519 => SkInner::Ed25519(eddsa::sk_import(encoding, encoded)?),
            KeyKind::X25519 => SkInner::X25519(x25519::sk_import(encoding, encoded)?),
            KeyKind::Rsa(bits) => SkInner::Rsa(rsa::sk_import(bits, encoding, encoded)?),
        };
        Ok(SecretKey { alg, inner: Arc::new(inner) })
    }

    /// Export the secret key in the given encoding.
    pub fn export(&self, encoding: SecretkeyEncoding) -> Result<Zeroizing<Vec<u8>>> {
        if encoding == SecretkeyEncoding::Local {
            return Err(CryptoError::UnsupportedEncoding);
        }
        match &*self.inner {
            SkInner::P256(sk) => ecdsa::p256::sk_export(sk, encoding),
            SkInner::K256(sk) => ecdsa::k256::sk_export(sk, encoding),
            SkInner::P384(sk) => ecdsa::p384::sk_export(sk, encoding),
            SkInner::Ed25519(sk) => eddsa::sk_export(sk, encoding),
            SkInner::X25519(sk) => x25519::sk_export(sk, encoding),
            SkInner::Rsa(sk) => rsa::sk_export(sk, encoding),
        }
    }

    /// The algorithm of the key.
    pub fn algorithm(&self) -> AsymmetricAlgorithm {
        self.alg
    }
}

impl Signature {
    /// Import a signature in the given encoding: `InvalidSignature` if it is malformed (wrong length, not
    /// strict DER, ECDSA scalars out of range), `UnsupportedEncoding` for `Der` with Ed25519 and RSA.
    pub fn import(alg: SignatureAlgorithm, encoding: SignatureEncoding, encoded: &[u8]) -> Result<Signature> {
        let raw = match alg.key_kind() {
            KeyKind::P256 => ecdsa::p256::sig_import(encoding, encoded)?,
            KeyKind::K256 => ecdsa::k256::sig_import(encoding, encoded)?,
            KeyKind::P384 => ecdsa::p384::sig_import(encoding, encoded)?,
            KeyKind::Ed25519 => eddsa::sig_import(encoding, encoded)?,
            KeyKind::Rsa(bits) => rsa::sig_import(bits, encoding, encoded)?,
            KeyKind::X25519 => return Err(CryptoError::InternalError),
        };
        Ok(Signature { alg, raw })
    }

    /// Export the signature in the given encoding.
    pub fn export(&self, encoding: SignatureEncoding) -> Result<Vec<u8>> {
        match (self.alg.key_kind(), encoding) {
            (_, SignatureEncoding::Raw) => Ok(self.raw.clone()),
            (KeyKind::P256, SignatureEncoding::Der) => ecdsa::p256::sig_to_der(&self.raw),
            (KeyKind::K256, SignatureEncoding::Der) => ecdsa::k256::sig_to_der(&self.raw),
            (KeyKind::P384, SignatureEncoding::Der) => ecdsa::p384::sig_to_der(&self.raw),
            (_, SignatureEncoding::Der) => Err(CryptoError::UnsupportedEncoding),
        }
    }

    /// The algorithm of the signature.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.alg
    }
}

impl SignatureState {
    /// Start signing with a key pair: `InvalidHandle` for a key-exchange key pair.
    pub fn open(kp: &KeyPair) -> Result<SignatureState> {
        let AsymmetricAlgorithm::Signatures(alg) = kp.alg else {
            return Err(CryptoError::InvalidHandle);
        };
        Ok(SignatureState { alg, sk: Arc::clone(&kp.sk), message: MessageState::new(alg) })
    }

    /// Append data to the message.
    pub fn update(&mut self, data: &[u8]) -> Result<()> {
        self.message.update(data)
    }

    /// Sign the message so far (more data may follow, for another signature of the longer message).
    pub fn sign(&mut self) -> Result<Signature> {
        let digest = self.message.digest();
        let raw = match &*self.sk {
            SkInner::P256(sk) => ecdsa::p256::sign(sk, &digest)?,
            SkInner::K256(sk) => ecdsa::k256::sign(sk, &digest)?,
            SkInner::P384(sk) => ecdsa::p384::sign(sk, &digest)?,
            SkInner::Ed25519(sk) => eddsa::sign(sk, &digest),
            SkInner::Rsa(sk) => {
                let padding = self.alg.rsa_padding().ok_or(CryptoError::InternalError)?;
                let hash = self.alg.hash().ok_or(CryptoError::InternalError)?;
                rsa::sign(sk, padding, hash, &digest)?
            }
            SkInner::X25519(_) => return Err(CryptoError::InvalidHandle),
        };
        Ok(Signature { alg: self.alg, raw })
    }
}

impl VerificationState {
    /// Start verifying with a public key: `InvalidHandle` for a key-exchange key.
    pub fn open(pk: &PublicKey) -> Result<VerificationState> {
        let AsymmetricAlgorithm::Signatures(alg) = pk.alg else {
            return Err(CryptoError::InvalidHandle);
        };
        Ok(VerificationState { alg, pk: Arc::clone(&pk.inner), message: MessageState::new(alg) })
    }

    /// Append data to the message.
    pub fn update(&mut self, data: &[u8]) -> Result<()> {
        self.message.update(data)
    }

    /// Verify a signature of the message so far: `InvalidSignature` if the signature is of another
    /// algorithm, `VerificationFailed` if it does not match.
    pub fn verify(&self, signature: &Signature) -> Result<()> {
        ensure(signature.alg == self.alg, CryptoError::InvalidSignature)?;
        let digest = self.message.digest();
        match &*self.pk {
            PkInner::P256(pk) => ecdsa::p256::verify(pk, &digest, &signature.raw),
            PkInner::K256(pk) => ecdsa::k256::verify(pk, &digest, &signature.raw),
            PkInner::P384(pk) => ecdsa::p384::verify(pk, &digest, &signature.raw),
            PkInner::Ed25519(pk) => eddsa::verify(pk, &digest, &signature.raw),
            PkInner::Rsa(pk) => {
                let padding = self.alg.rsa_padding().ok_or(CryptoError::InternalError)?;
                let hash = self.alg.hash().ok_or(CryptoError::InternalError)?;
                rsa::verify(pk, padding, hash, &digest, &signature.raw)
            }
            PkInner::X25519(_) => Err(CryptoError::InvalidHandle),
        }
    }
}

/// The Diffie-Hellman shared secret of `pk` and `sk`: `InvalidHandle` for signature keys,
/// `IncompatibleKeys` for keys of different algorithms, `InvalidKey` for an all-zero X25519 result.
pub fn dh(pk: &PublicKey, sk: &SecretKey) -> Result<Zeroizing<Vec<u8>>> {
    ensure(
        pk.alg.algorithm_type() == AlgorithmType::KeyExchange && sk.alg.algorithm_type() == AlgorithmType::KeyExchange,
        CryptoError::InvalidHandle,
    )?;
    ensure(pk.alg == sk.alg, CryptoError::IncompatibleKeys)?;
    match (&*pk.inner, &*sk.inner) {
        (PkInner::X25519(pk), SkInner::X25519(sk)) => x25519::dh(pk, sk),
        (PkInner::P256(pk), SkInner::P256(sk)) => Ok(ecdsa::p256::dh(pk, sk)),
        (PkInner::P384(pk), SkInner::P384(sk)) => Ok(ecdsa::p384::dh(pk, sk)),
        _ => Err(CryptoError::IncompatibleKeys),
    }
}

/// A PEM document's text: `InvalidKey` if it is not UTF-8.
fn pem_text(encoded: &[u8]) -> Result<&str> {
    std::str::from_utf8(encoded).map_err(|_| CryptoError::InvalidKey)
}

/// Decode a PEM public key ("PUBLIC KEY") to its DER bytes.
fn pem_public_key(encoded: &[u8]) -> Result<pkcs8::Document> {
    let (label, doc) = pkcs8::Document::from_pem(pem_text(encoded)?).map_err(|_| CryptoError::InvalidKey)?;
    ensure(label == "PUBLIC KEY", CryptoError::InvalidKey)?;
    Ok(doc)
}

/// Decode a PEM secret key to its label and DER bytes.
fn pem_secret_key(encoded: &[u8]) -> Result<(&str, pkcs8::SecretDocument)> {
    pkcs8::SecretDocument::from_pem(pem_text(encoded)?).map_err(|_| CryptoError::InvalidKey)
}

/// A PEM text as secret bytes.
fn secret_string_bytes(pem: Zeroizing<String>) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(pem.as_bytes().to_vec())
}

/// The PEM label of an unencrypted PKCS#8 private key.
const PKCS8_PEM_LABEL: &str = "PRIVATE KEY";

#[cfg(test)]
mod tests;
