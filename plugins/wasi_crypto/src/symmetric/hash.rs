//! Hash, HMAC and HKDF states on `sha2`, `hmac` and `hkdf`.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512, Sha512_256};
use zeroize::Zeroizing;

use super::Hash;
use crate::error::{CryptoError, Result, ensure};
use crate::options::Options;

/// A running hash of one of the three SHA-2 variants.
#[derive(Clone)]
enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
    Sha512_256(Sha512_256),
}

/// A hash state: absorb any number of times, squeeze the digest so far.
#[derive(Clone)]
pub struct HashState {
    hasher: Hasher,
    pub(super) options: Options,
}

impl HashState {
    pub(super) fn new(hash: Hash, options: Options) -> Self {
        let hasher = match hash {
            Hash::Sha256 => Hasher::Sha256(Sha256::new()),
            Hash::Sha512 => Hasher::Sha512(Sha512::new()),
            Hash::Sha512_256 => Hasher::Sha512_256(Sha512_256::new()),
        };
        HashState { hasher, options }
    }

    pub(super) fn absorb(&mut self, data: &[u8]) {
        match &mut self.hasher {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
            Hasher::Sha512_256(h) => h.update(data),
        }
    }

    /// The first `len` bytes of the digest of what was absorbed so far; `invalid_length` past the digest.
    pub(super) fn squeeze(&self, len: usize) -> Result<Zeroizing<Vec<u8>>> {
        let digest = match &self.hasher {
            Hasher::Sha256(h) => h.clone().finalize().to_vec(),
            Hasher::Sha512(h) => h.clone().finalize().to_vec(),
            Hasher::Sha512_256(h) => h.clone().finalize().to_vec(),
        };
        ensure(len <= digest.len(), CryptoError::InvalidLength)?;
        Ok(Zeroizing::new(digest[..len].to_vec()))
    }
}

#[derive(Clone)]
enum HmacInner {
    Sha256(Hmac<Sha256>),
    Sha512(Hmac<Sha512>),
}

/// An HMAC state.
#[derive(Clone)]
pub struct HmacState {
    mac: HmacInner,
    pub(super) options: Options,
}

impl HmacState {
    pub(super) fn new(hash: Hash, key: &[u8], options: Options) -> Result<Self> {
        let mac = match hash {
            Hash::Sha256 => HmacInner::Sha256(Hmac::new_from_slice(key).map_err(|_| CryptoError::InvalidKey)?),
            Hash::Sha512 => HmacInner::Sha512(Hmac::new_from_slice(key).map_err(|_| CryptoError::InvalidKey)?),
            Hash::Sha512_256 => return Err(CryptoError::UnsupportedAlgorithm),
        };
        Ok(HmacState { mac, options })
    }

    pub(super) fn absorb(&mut self, data: &[u8]) {
        match &mut self.mac {
            HmacInner::Sha256(m) => m.update(data),
            HmacInner::Sha512(m) => m.update(data),
        }
    }

    /// The tag of what was absorbed so far (the state stays usable).
    pub(super) fn tag(&self) -> Vec<u8> {
        match &self.mac {
            HmacInner::Sha256(m) => m.clone().finalize().into_bytes().to_vec(),
            HmacInner::Sha512(m) => m.clone().finalize().into_bytes().to_vec(),
        }
    }
}

/// HKDF-EXTRACT: the key is the input keying material; absorbed data is appended to the salt (which
/// starts as the `salt` option, if set).
#[derive(Clone)]
pub struct HkdfExtractState {
    hash: Hash,
    ikm: Zeroizing<Vec<u8>>,
    salt: Vec<u8>,
    pub(super) options: Options,
}

impl HkdfExtractState {
    pub(super) fn new(hash: Hash, ikm: &[u8], options: Options) -> Self {
        let salt = options.value("salt").map(<[u8]>::to_vec).unwrap_or_default();
        HkdfExtractState { hash, ikm: Zeroizing::new(ikm.to_vec()), salt, options }
    }

    pub(super) fn hash(&self) -> Hash {
        self.hash
    }

    pub(super) fn absorb(&mut self, data: &[u8]) {
        self.salt.extend_from_slice(data);
    }

    /// The pseudorandom key (an empty salt is the RFC 5869 default of zeros).
    pub(super) fn prk(&self) -> Zeroizing<Vec<u8>> {
        let salt = Some(self.salt.as_slice());
        Zeroizing::new(match self.hash {
            Hash::Sha512 => hkdf::Hkdf::<Sha512>::extract(salt, &self.ikm).0.to_vec(),
            _ => hkdf::Hkdf::<Sha256>::extract(salt, &self.ikm).0.to_vec(),
        })
    }
}

/// HKDF-EXPAND: the key is the pseudorandom key; absorbed data is appended to the info.
#[derive(Clone)]
pub struct HkdfExpandState {
    hash: Hash,
    prk: Zeroizing<Vec<u8>>,
    info: Vec<u8>,
    pub(super) options: Options,
}

impl HkdfExpandState {
    pub(super) fn new(hash: Hash, prk: &[u8], options: Options) -> Result<Self> {
        ensure(prk.len() == hash.size(), CryptoError::InvalidKey)?;
        Ok(HkdfExpandState { hash, prk: Zeroizing::new(prk.to_vec()), info: Vec::new(), options })
    }

    pub(super) fn absorb(&mut self, data: &[u8]) {
        self.info.extend_from_slice(data);
    }

    /// `len` bytes of output keying material; `invalid_length` past 255 hash lengths.
    pub(super) fn squeeze(&self, len: usize) -> Result<Zeroizing<Vec<u8>>> {
        let mut okm = Zeroizing::new(vec![0u8; len]);
        let expanded = match self.hash {
            Hash::Sha512 => hkdf::Hkdf::<Sha512>::from_prk(&self.prk).map(|h| h.expand(&self.info, &mut okm)),
            _ => hkdf::Hkdf::<Sha256>::from_prk(&self.prk).map(|h| h.expand(&self.info, &mut okm)),
        };
        match expanded {
            Ok(Ok(())) => Ok(okm),
            Ok(Err(_)) => Err(CryptoError::InvalidLength),
            Err(_) => Err(CryptoError::InvalidKey),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::AlgorithmType;

    fn opts() -> Options {
        Options::new(AlgorithmType::Symmetric)
    }

    #[test]
    fn sha256_abc() {
        let mut s = HashState::new(Hash::Sha256, opts());
        s.absorb(b"ab");
        s.absorb(b"c");
        let d = s.squeeze(32).unwrap();
        assert_eq!(d[..4], [0xba, 0x78, 0x16, 0xbf]);
        assert_eq!(s.squeeze(4).unwrap().as_slice(), &d[..4]);
        assert_eq!(s.squeeze(33).err(), Some(CryptoError::InvalidLength));
    }

    #[test]
    fn hkdf_rfc5869_case1() {
        let ikm = [0x0b; 22];
        let salt: Vec<u8> = (0..=0x0c).collect();
        let info: Vec<u8> = (0xf0..=0xf9).collect();
        let mut x = HkdfExtractState::new(Hash::Sha256, &ikm, opts());
        x.absorb(&salt);
        let prk = x.prk();
        assert_eq!(prk[..4], [0x07, 0x77, 0x09, 0x36]);
        let mut e = HkdfExpandState::new(Hash::Sha256, &prk, opts()).unwrap();
        e.absorb(&info);
        assert_eq!(e.squeeze(42).unwrap()[..4], [0x3c, 0xb2, 0x5f, 0x25]);
        assert_eq!(e.squeeze(255 * 32 + 1).err(), Some(CryptoError::InvalidLength));
    }
}
