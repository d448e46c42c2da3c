//! AEAD states on `aes-gcm` and `chacha20poly1305`.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use chacha20poly1305::{ChaCha20Poly1305, XChaCha20Poly1305};
use zeroize::Zeroizing;

use super::{Aead, SymmetricTag, random};
use crate::error::{CryptoError, Result, ensure};
use crate::options::Options;

/// Every AEAD here has a 128-bit tag.
pub const TAG_LEN: usize = 16;

/// An AEAD state: a key, a nonce and associated data. It encrypts once (a second encryption would reuse
/// the nonce) and decrypts any number of times.
pub struct AeadState {
    aead: Aead,
    key: Zeroizing<Vec<u8>>,
    nonce: Vec<u8>,
    ad: Vec<u8>,
    encrypted: bool,
    pub(super) options: Options,
}

fn seal<C: KeyInit + AeadInPlace>(key: &[u8], nonce: &[u8], ad: &[u8], buf: &mut [u8]) -> Result<Vec<u8>> {
    let cipher = C::new_from_slice(key).map_err(|_| CryptoError::InvalidKey)?;
    let tag = cipher.encrypt_in_place_detached(nonce.into(), ad, buf).map_err(|_| CryptoError::AlgorithmFailure)?;
    Ok(tag.to_vec())
}

fn open<C: KeyInit + AeadInPlace>(key: &[u8], nonce: &[u8], ad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
    let cipher = C::new_from_slice(key).map_err(|_| CryptoError::InvalidKey)?;
    cipher.decrypt_in_place_detached(nonce.into(), ad, buf, tag.into()).map_err(|_| CryptoError::InvalidTag)
}

impl AeadState {
    /// Open with `key` and the `nonce` option, or a random nonce where that is safe.
    pub(super) fn new(aead: Aead, key: &[u8], mut options: Options) -> Result<Self> {
        ensure(key.len() == aead.key_len(), CryptoError::InvalidKey)?;
        let nonce = match options.value("nonce") {
            Some(n) => {
                ensure(n.len() == aead.nonce_len(), CryptoError::InvalidNonce)?;
                n.to_vec()
            }
            None if aead.random_nonce_is_safe() => {
                let n = random(aead.nonce_len())?.to_vec();
                options.set_internal("nonce", &n);
                n
            }
            None => return Err(CryptoError::NonceRequired),
        };
        Ok(AeadState { aead, key: Zeroizing::new(key.to_vec()), nonce, ad: Vec::new(), encrypted: false, options })
    }

    pub(super) fn absorb(&mut self, data: &[u8]) {
        self.ad.extend_from_slice(data);
    }

    fn seal(&mut self, buf: &mut [u8]) -> Result<Vec<u8>> {
        ensure(!self.encrypted, CryptoError::InvalidOperation)?;
        let (key, nonce, ad) = (self.key.as_slice(), self.nonce.as_slice(), self.ad.as_slice());
        let tag = match self.aead {
            Aead::Aes128Gcm => seal::<Aes128Gcm>(key, nonce, ad, buf),
            Aead::Aes256Gcm => seal::<Aes256Gcm>(key, nonce, ad, buf),
            Aead::ChaCha20Poly1305 => seal::<ChaCha20Poly1305>(key, nonce, ad, buf),
            Aead::XChaCha20Poly1305 => seal::<XChaCha20Poly1305>(key, nonce, ad, buf),
        }?;
        self.encrypted = true;
        Ok(tag)
    }

    fn open(&self, buf: &mut [u8], tag: &[u8]) -> Result<()> {
        ensure(tag.len() == TAG_LEN, CryptoError::InvalidTag)?;
        let (key, nonce, ad) = (self.key.as_slice(), self.nonce.as_slice(), self.ad.as_slice());
        let opened = match self.aead {
            Aead::Aes128Gcm => open::<Aes128Gcm>(key, nonce, ad, buf, tag),
            Aead::Aes256Gcm => open::<Aes256Gcm>(key, nonce, ad, buf, tag),
            Aead::ChaCha20Poly1305 => open::<ChaCha20Poly1305>(key, nonce, ad, buf, tag),
            Aead::XChaCha20Poly1305 => open::<XChaCha20Poly1305>(key, nonce, ad, buf, tag),
        };
        if opened.is_err() {
            buf.fill(0);
        }
        opened
    }

    /// Ciphertext‖tag of `data`; the guest's output buffer has `out_len` bytes.
    pub(super) fn encrypt(&mut self, out_len: usize, data: &[u8]) -> Result<Vec<u8>> {
        let needed = data.len().checked_add(TAG_LEN).ok_or(CryptoError::Overflow)?;
        ensure(out_len >= needed, CryptoError::Overflow)?;
        let mut buf = data.to_vec();
        let tag = self.seal(&mut buf)?;
        buf.extend_from_slice(&tag);
        Ok(buf)
    }

    /// Ciphertext of `data` and its tag.
    pub(super) fn encrypt_detached(&mut self, out_len: usize, data: &[u8]) -> Result<(Vec<u8>, SymmetricTag)> {
        ensure(out_len >= data.len(), CryptoError::Overflow)?;
        let mut buf = data.to_vec();
        let tag = self.seal(&mut buf)?;
        Ok((buf, SymmetricTag::new(tag)))
    }

    /// The plaintext of ciphertext‖tag `data`.
    pub(super) fn decrypt(&mut self, out_len: usize, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let len = data.len().checked_sub(TAG_LEN).ok_or(CryptoError::InvalidLength)?;
        ensure(out_len >= len, CryptoError::Overflow)?;
        let mut buf = Zeroizing::new(data[..len].to_vec());
        self.open(&mut buf, &data[len..])?;
        Ok(buf)
    }

    /// The plaintext of ciphertext `data` with `tag`.
    pub(super) fn decrypt_detached(&mut self, out_len: usize, data: &[u8], tag: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        ensure(out_len >= data.len(), CryptoError::Overflow)?;
        let mut buf = Zeroizing::new(data.to_vec());
        self.open(&mut buf, tag)?;
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::AlgorithmType;

    fn with_nonce(n: &[u8]) -> Options {
        let mut o = Options::new(AlgorithmType::Symmetric);
        o.set("nonce", n).unwrap();
        o
    }

    #[test]
    fn seal_open_and_misuse() {
        let key = [7u8; 16];
        let mut s = AeadState::new(Aead::Aes128Gcm, &key, with_nonce(&[1; 12])).unwrap();
        s.absorb(b"ad");
        let ct = s.encrypt(100, b"hello").unwrap();
        assert_eq!(ct.len(), 5 + TAG_LEN);
        assert_eq!(s.encrypt(100, b"again").err(), Some(CryptoError::InvalidOperation));
        assert_eq!(s.decrypt(5, &ct).unwrap().as_slice(), b"hello");
        assert_eq!(s.decrypt(4, &ct).err(), Some(CryptoError::Overflow));
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert_eq!(s.decrypt(5, &bad).err(), Some(CryptoError::InvalidTag));
        assert_eq!(
            AeadState::new(Aead::Aes128Gcm, &key, Options::new(AlgorithmType::Symmetric)).err(),
            Some(CryptoError::NonceRequired)
        );
        assert_eq!(AeadState::new(Aead::Aes128Gcm, &key, with_nonce(&[1; 8])).err(), Some(CryptoError::InvalidNonce));
    }

    #[test]
    fn xchacha_picks_its_nonce() {
        let s = AeadState::new(Aead::XChaCha20Poly1305, &[3; 32], Options::new(AlgorithmType::Symmetric)).unwrap();
        assert_eq!(s.options.get("nonce").unwrap().len(), 24);
    }
}
