//! Signed releases: an Ed25519 signature over each version's `SHA256SUMS` (`SHA256SUMS.sig`, the raw 64
//! bytes). Keys are PEM files as OpenSSL writes them (`openssl genpkey -algorithm ed25519`; the public
//! half with `openssl pkey -pubout`), so `install.sh` can check the same signature with `openssl pkeyutl`.
//! The checksums alone catch corruption and a mirror that changed an archive but not the checksums; the
//! signature also catches one that changed both.

use std::path::Path;

use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::error::{Error, Result};

pub const SIG_FILE: &str = "SHA256SUMS.sig";

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path.display(), e))
}

/// Sign `message` with the Ed25519 private key in the PKCS#8 PEM file `key`.
pub fn sign(key: &Path, message: &[u8]) -> Result<[u8; 64]> {
    let key = SigningKey::from_pkcs8_pem(&read(key)?)
        .map_err(|e| Error::usage(format!("{} is not an Ed25519 private key in PEM: {e}", key.display())))?;
    Ok(key.sign(message).to_bytes())
}

/// A public key to check releases with.
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Read an Ed25519 public key from a PEM file (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_file(path: &Path) -> Result<PublicKey> {
        VerifyingKey::from_public_key_pem(&read(path)?)
            .map(PublicKey)
            .map_err(|e| Error::usage(format!("{} is not an Ed25519 public key in PEM: {e}", path.display())))
    }

    /// Check `signature` (the bytes of `SHA256SUMS.sig`) over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(signature) else { return false };
        self.0.verify_strict(message, &Signature::from_bytes(&bytes)).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};

    #[test]
    fn a_signature_verifies_only_for_its_key_and_message() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (SigningKey::from_bytes(&[7; 32]), SigningKey::from_bytes(&[8; 32]));
        let key = tmp.path().join("key.pem");
        std::fs::write(&key, a.to_pkcs8_pem(Default::default()).unwrap().as_bytes()).unwrap();
        for (name, k) in [("a.pub", &a), ("b.pub", &b)] {
            let pem = k.verifying_key().to_public_key_pem(Default::default()).unwrap();
            std::fs::write(tmp.path().join(name), pem).unwrap();
        }
        let sig = sign(&key, b"sums").unwrap();
        let pa = PublicKey::from_file(&tmp.path().join("a.pub")).unwrap();
        let pb = PublicKey::from_file(&tmp.path().join("b.pub")).unwrap();
        assert!(pa.verify(b"sums", &sig));
        assert!(!pa.verify(b"sumz", &sig));
        assert!(!pb.verify(b"sums", &sig));
        assert!(!pa.verify(b"sums", &sig[..63]));
        assert!(PublicKey::from_file(&key).is_err(), "a private key is not a public key");
    }
}
