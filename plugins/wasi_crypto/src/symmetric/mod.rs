//! Symmetric algorithms: hashes, MACs, HKDF and AEADs, behind the proposal's key / state / tag objects.

mod aead;
mod hash;

use rand_core::{OsRng, RngCore};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{CryptoError, Result, ensure};
use crate::options::Options;
pub use aead::{AeadState, TAG_LEN};
pub use hash::{HashState, HkdfExpandState, HkdfExtractState, HmacState};

/// The hash inside an algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    Sha256,
    Sha512,
    Sha512_256,
}

impl Hash {
    /// Output length in bytes.
    pub fn size(self) -> usize {
        match self {
            Hash::Sha256 | Hash::Sha512_256 => 32,
            Hash::Sha512 => 64,
        }
    }
}

/// The AEADs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aead {
    Aes128Gcm,
    Aes256Gcm,
    ChaCha20Poly1305,
    XChaCha20Poly1305,
}

impl Aead {
    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Aead::Aes128Gcm => 16,
            _ => 32,
        }
    }

    /// Nonce length in bytes.
    pub fn nonce_len(self) -> usize {
        match self {
            Aead::XChaCha20Poly1305 => 24,
            _ => 12,
        }
    }

    /// Whether a random nonce is safe (large enough that collisions are negligible), so the runtime may
    /// choose one when the guest does not.
    pub fn random_nonce_is_safe(self) -> bool {
        self == Aead::XChaCha20Poly1305
    }
}

/// A symmetric algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymmetricAlgorithm {
    Hash(Hash),
    Hmac(Hash),
    HkdfExtract(Hash),
    HkdfExpand(Hash),
    Aead(Aead),
}

const NAMES: [(&str, SymmetricAlgorithm); 13] = [
    ("SHA-256", SymmetricAlgorithm::Hash(Hash::Sha256)),
    ("SHA-512", SymmetricAlgorithm::Hash(Hash::Sha512)),
    ("SHA-512/256", SymmetricAlgorithm::Hash(Hash::Sha512_256)),
    ("HMAC/SHA-256", SymmetricAlgorithm::Hmac(Hash::Sha256)),
    ("HMAC/SHA-512", SymmetricAlgorithm::Hmac(Hash::Sha512)),
    ("HKDF-EXTRACT/SHA-256", SymmetricAlgorithm::HkdfExtract(Hash::Sha256)),
    ("HKDF-EXTRACT/SHA-512", SymmetricAlgorithm::HkdfExtract(Hash::Sha512)),
    ("HKDF-EXPAND/SHA-256", SymmetricAlgorithm::HkdfExpand(Hash::Sha256)),
    ("HKDF-EXPAND/SHA-512", SymmetricAlgorithm::HkdfExpand(Hash::Sha512)),
    ("AES-128-GCM", SymmetricAlgorithm::Aead(Aead::Aes128Gcm)),
    ("AES-256-GCM", SymmetricAlgorithm::Aead(Aead::Aes256Gcm)),
    ("CHACHA20-POLY1305", SymmetricAlgorithm::Aead(Aead::ChaCha20Poly1305)),
    ("XCHACHA20-POLY1305", SymmetricAlgorithm::Aead(Aead::XChaCha20Poly1305)),
];

impl SymmetricAlgorithm {
    /// Parse a name, case-insensitively; `unsupported_algorithm` otherwise.
    pub fn parse(name: &str) -> Result<Self> {
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, a)| *a)
            .ok_or(CryptoError::UnsupportedAlgorithm)
    }

    /// The algorithm's name.
    pub fn name(self) -> &'static str {
        NAMES.iter().find(|(_, a)| *a == self).map(|(n, _)| *n).unwrap_or("?")
    }
}

/// Fresh random bytes from the operating system.
pub fn random(len: usize) -> Result<Zeroizing<Vec<u8>>> {
    let mut bytes = Zeroizing::new(vec![0u8; len]);
    OsRng.try_fill_bytes(&mut bytes).map_err(|_| CryptoError::RngError)?;
    Ok(bytes)
}

/// A symmetric key, bound to its algorithm.
#[derive(Clone)]
pub struct SymmetricKey {
    alg: SymmetricAlgorithm,
    raw: Zeroizing<Vec<u8>>,
}

impl SymmetricKey {
    /// A random key for `alg`. Hashes take no key (`key_not_supported`); HKDF-EXPAND keys come from
    /// HKDF-EXTRACT (`unsupported_feature`, as WasmEdge).
    pub fn generate(alg: SymmetricAlgorithm) -> Result<Self> {
        let len = match alg {
            SymmetricAlgorithm::Hash(_) => return Err(CryptoError::KeyNotSupported),
            SymmetricAlgorithm::HkdfExpand(_) => return Err(CryptoError::UnsupportedFeature),
            SymmetricAlgorithm::Hmac(h) | SymmetricAlgorithm::HkdfExtract(h) => h.size(),
            SymmetricAlgorithm::Aead(a) => a.key_len(),
        };
        Ok(SymmetricKey { alg, raw: random(len)? })
    }

    /// A key from its raw bytes: AEAD keys and HKDF-EXPAND pseudorandom keys must have their exact size
    /// (`invalid_key`); HMAC and HKDF-EXTRACT keys may have any.
    pub fn import(alg: SymmetricAlgorithm, raw: &[u8]) -> Result<Self> {
        match alg {
            SymmetricAlgorithm::Hash(_) => return Err(CryptoError::KeyNotSupported),
            SymmetricAlgorithm::HkdfExpand(h) => ensure(raw.len() == h.size(), CryptoError::InvalidKey)?,
            SymmetricAlgorithm::Aead(a) => ensure(raw.len() == a.key_len(), CryptoError::InvalidKey)?,
            SymmetricAlgorithm::Hmac(_) | SymmetricAlgorithm::HkdfExtract(_) => {}
        }
        Ok(SymmetricKey { alg, raw: Zeroizing::new(raw.to_vec()) })
    }

    /// The raw key bytes.
    pub fn export(&self) -> Zeroizing<Vec<u8>> {
        self.raw.clone()
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> SymmetricAlgorithm {
        self.alg
    }

    fn bytes(&self) -> &[u8] {
        &self.raw
    }
}

/// An authentication tag.
pub struct SymmetricTag {
    raw: Zeroizing<Vec<u8>>,
}

impl SymmetricTag {
    /// A tag with these bytes.
    pub fn new(raw: Vec<u8>) -> Self {
        SymmetricTag { raw: Zeroizing::new(raw) }
    }

    /// Its length in bytes.
    pub fn size(&self) -> usize {
        self.raw.len()
    }

    /// The tag bytes, for pulling (`overflow` if `buf_len` is too small).
    pub fn pull(&self, buf_len: usize) -> Result<&[u8]> {
        ensure(buf_len >= self.raw.len(), CryptoError::Overflow)?;
        Ok(&self.raw)
    }

    /// Compare with `expected` in constant time; the whole tag is required (`invalid_tag` otherwise).
    pub fn verify(&self, expected: &[u8]) -> Result<()> {
        let equal = expected.len() == self.raw.len() && bool::from(self.raw.as_slice().ct_eq(expected));
        ensure(equal, CryptoError::InvalidTag)
    }
}

/// An open symmetric state.
pub enum SymmetricState {
    Hash(HashState),
    Hmac(HmacState),
    HkdfExtract(HkdfExtractState),
    HkdfExpand(HkdfExpandState),
    Aead(AeadState),
}

impl SymmetricState {
    /// Open a state for `alg`, with its key if the algorithm takes one, and options.
    pub fn open(alg: SymmetricAlgorithm, key: Option<&SymmetricKey>, options: Option<&Options>) -> Result<Self> {
        let options = options.cloned().unwrap_or_else(|| Options::new(crate::types::AlgorithmType::Symmetric));
        let key = match (alg, key) {
            (SymmetricAlgorithm::Hash(h), None) => return Ok(SymmetricState::Hash(HashState::new(h, options))),
            (SymmetricAlgorithm::Hash(_), Some(_)) => return Err(CryptoError::KeyNotSupported),
            (_, None) => return Err(CryptoError::KeyRequired),
            (_, Some(key)) => key,
        };
        ensure(key.algorithm() == alg, CryptoError::InvalidKey)?;
        let raw = key.bytes();
        Ok(match alg {
            SymmetricAlgorithm::Hash(_) => unreachable!("handled above"),
            SymmetricAlgorithm::Hmac(h) => SymmetricState::Hmac(HmacState::new(h, raw, options)?),
            SymmetricAlgorithm::HkdfExtract(h) => SymmetricState::HkdfExtract(HkdfExtractState::new(h, raw, options)),
            SymmetricAlgorithm::HkdfExpand(h) => SymmetricState::HkdfExpand(HkdfExpandState::new(h, raw, options)?),
            SymmetricAlgorithm::Aead(a) => SymmetricState::Aead(AeadState::new(a, raw, options)?),
        })
    }

    /// The options the state was opened with (with the nonce actually used, for AEADs).
    pub fn options(&self) -> &Options {
        match self {
            SymmetricState::Hash(s) => &s.options,
            SymmetricState::Hmac(s) => &s.options,
            SymmetricState::HkdfExtract(s) => &s.options,
            SymmetricState::HkdfExpand(s) => &s.options,
            SymmetricState::Aead(s) => &s.options,
        }
    }

    /// An independent copy. AEAD states are not copied: two copies would encrypt under the same nonce.
    pub fn try_clone(&self) -> Result<Self> {
        Ok(match self {
            SymmetricState::Hash(s) => SymmetricState::Hash(s.clone()),
            SymmetricState::Hmac(s) => SymmetricState::Hmac(s.clone()),
            SymmetricState::HkdfExtract(s) => SymmetricState::HkdfExtract(s.clone()),
            SymmetricState::HkdfExpand(s) => SymmetricState::HkdfExpand(s.clone()),
            SymmetricState::Aead(_) => return Err(CryptoError::InvalidOperation),
        })
    }

    /// Absorb data: the message (hashes, MACs), salt (HKDF-EXTRACT), info (HKDF-EXPAND) or associated
    /// data (AEADs).
    pub fn absorb(&mut self, data: &[u8]) -> Result<()> {
        match self {
            SymmetricState::Hash(s) => s.absorb(data),
            SymmetricState::Hmac(s) => s.absorb(data),
            SymmetricState::HkdfExtract(s) => s.absorb(data),
            SymmetricState::HkdfExpand(s) => s.absorb(data),
            SymmetricState::Aead(s) => s.absorb(data),
        }
        Ok(())
    }

    /// Squeeze `len` bytes: a (truncated) digest, or HKDF output keying material.
    pub fn squeeze(&mut self, len: usize) -> Result<Zeroizing<Vec<u8>>> {
        match self {
            SymmetricState::Hash(s) => s.squeeze(len),
            SymmetricState::HkdfExpand(s) => s.squeeze(len),
            _ => Err(CryptoError::InvalidOperation),
        }
    }

    /// Squeeze an authentication tag (MACs).
    pub fn squeeze_tag(&mut self) -> Result<SymmetricTag> {
        match self {
            SymmetricState::Hmac(s) => Ok(SymmetricTag::new(s.tag())),
            _ => Err(CryptoError::InvalidOperation),
        }
    }

    /// Squeeze a key for `alg` (HKDF-EXTRACT → the pseudorandom key for the matching HKDF-EXPAND).
    pub fn squeeze_key(&mut self, alg: SymmetricAlgorithm) -> Result<SymmetricKey> {
        match self {
            SymmetricState::HkdfExtract(s) => {
                ensure(alg == SymmetricAlgorithm::HkdfExpand(s.hash()), CryptoError::InvalidOperation)?;
                Ok(SymmetricKey { alg, raw: s.prk() })
            }
            _ => Err(CryptoError::InvalidOperation),
        }
    }

    fn aead(&mut self) -> Result<&mut AeadState> {
        match self {
            SymmetricState::Aead(s) => Ok(s),
            _ => Err(CryptoError::InvalidOperation),
        }
    }

    /// The longest tag the algorithm produces (AEADs).
    pub fn max_tag_len(&mut self) -> Result<usize> {
        self.aead().map(|_| aead::TAG_LEN)
    }

    /// Encrypt `data` into ciphertext‖tag, for an output buffer of `out_len` bytes.
    pub fn encrypt(&mut self, out_len: usize, data: &[u8]) -> Result<Vec<u8>> {
        self.aead()?.encrypt(out_len, data)
    }

    /// Encrypt `data` into ciphertext and a separate tag.
    pub fn encrypt_detached(&mut self, out_len: usize, data: &[u8]) -> Result<(Vec<u8>, SymmetricTag)> {
        self.aead()?.encrypt_detached(out_len, data)
    }

    /// Decrypt ciphertext‖tag.
    pub fn decrypt(&mut self, out_len: usize, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        self.aead()?.decrypt(out_len, data)
    }

    /// Decrypt ciphertext with a separate tag.
    pub fn decrypt_detached(&mut self, out_len: usize, data: &[u8], tag: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        self.aead()?.decrypt_detached(out_len, data, tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (name, alg) in NAMES {
            assert_eq!(SymmetricAlgorithm::parse(&name.to_lowercase()), Ok(alg));
            assert_eq!(alg.name(), name);
        }
        assert_eq!(SymmetricAlgorithm::parse("MD5"), Err(CryptoError::UnsupportedAlgorithm));
    }

    #[test]
    fn keys() {
        let aes = SymmetricAlgorithm::parse("AES-128-GCM").unwrap();
        assert_eq!(SymmetricKey::generate(aes).unwrap().export().len(), 16);
        assert_eq!(SymmetricKey::import(aes, &[0; 15]).err(), Some(CryptoError::InvalidKey));
        let sha = SymmetricAlgorithm::parse("SHA-256").unwrap();
        assert_eq!(SymmetricKey::generate(sha).err(), Some(CryptoError::KeyNotSupported));
        let hmac = SymmetricAlgorithm::parse("HMAC/SHA-512").unwrap();
        assert_eq!(SymmetricKey::generate(hmac).unwrap().export().len(), 64);
        let key = SymmetricKey::import(hmac, b"k").unwrap();
        assert_eq!(SymmetricState::open(aes, Some(&key), None).err(), Some(CryptoError::InvalidKey));
        assert_eq!(SymmetricState::open(hmac, None, None).err(), Some(CryptoError::KeyRequired));
        assert_eq!(SymmetricState::open(sha, Some(&key), None).err(), Some(CryptoError::KeyNotSupported));
    }

    #[test]
    fn tags_verify_in_full_only() {
        let tag = SymmetricTag::new(vec![1, 2, 3, 4]);
        assert!(tag.verify(&[1, 2, 3, 4]).is_ok());
        assert_eq!(tag.verify(&[1, 2, 3]), Err(CryptoError::InvalidTag));
        assert_eq!(tag.verify(&[1, 2, 3, 5]), Err(CryptoError::InvalidTag));
        assert_eq!(tag.pull(3).err(), Some(CryptoError::Overflow));
        assert_eq!(tag.pull(8).unwrap(), &[1, 2, 3, 4]);
    }
}
