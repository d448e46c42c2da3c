//! Tests of the asymmetric module: encodings, signatures, key exchange, error codes, and the Wycheproof
//! vectors for every algorithm that has them.

use std::sync::OnceLock;

use super::*;
use crate::types::{
    KeypairEncoding as KpE, PublickeyEncoding as PkE, SecretkeyEncoding as SkE, SignatureEncoding as SigE,
};

const ALL_KP: [KpE; 4] = [KpE::Raw, KpE::Pkcs8, KpE::Pem, KpE::Local];
const ALL_PK: [PkE; 6] = [PkE::Raw, PkE::Pkcs8, PkE::Pem, PkE::Sec, PkE::Local, PkE::CompressedSec];
const ALL_SK: [SkE; 5] = [SkE::Raw, SkE::Pkcs8, SkE::Pem, SkE::Sec, SkE::Local];

fn sig(alg: SignatureAlgorithm) -> AsymmetricAlgorithm {
    AsymmetricAlgorithm::Signatures(alg)
}

fn kx(alg: KxAlgorithm) -> AsymmetricAlgorithm {
    AsymmetricAlgorithm::KeyExchange(alg)
}

fn all_algorithms() -> Vec<AsymmetricAlgorithm> {
    SIGNATURE_ALGORITHMS.into_iter().map(sig).chain(KX_ALGORITHMS.into_iter().map(kx)).collect()
}

/// The encodings each kind of key supports.
fn supported(kind: KeyKind) -> (&'static [KpE], &'static [PkE], &'static [SkE]) {
    match kind {
        KeyKind::P256 | KeyKind::K256 | KeyKind::P384 => (
            &[KpE::Raw, KpE::Pkcs8, KpE::Pem],
            &[PkE::Pkcs8, PkE::Pem, PkE::Sec, PkE::CompressedSec],
            &[SkE::Raw, SkE::Pkcs8, SkE::Pem, SkE::Sec],
        ),
        KeyKind::Ed25519 | KeyKind::X25519 => (&[KpE::Raw], &[PkE::Raw], &[SkE::Raw]),
        KeyKind::Rsa(_) => (&[KpE::Pkcs8, KpE::Pem], &[PkE::Pkcs8, PkE::Pem], &[SkE::Pkcs8, SkE::Pem]),
    }
}

/// One generated RSA key per modulus size (generation is slow), as PKCS#8.
fn rsa_pkcs8(bits: usize) -> &'static [u8] {
    static KEYS: [OnceLock<Zeroizing<Vec<u8>>>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let (slot, alg) = match bits {
        2048 => (&KEYS[0], SignatureAlgorithm::RsaPss2048Sha256),
        3072 => (&KEYS[1], SignatureAlgorithm::RsaPkcs1_3072Sha384),
        _ => (&KEYS[2], SignatureAlgorithm::RsaPss4096Sha512),
    };
    slot.get_or_init(|| {
        let kp = KeyPair::generate(sig(alg)).unwrap();
        let pk = kp.public_key().unwrap();
        assert_eq!(pk.verify(), Ok(()));
        let der = kp.export(KpE::Pkcs8).unwrap();
        let key = <::rsa::RsaPrivateKey as ::rsa::pkcs8::DecodePrivateKey>::from_pkcs8_der(&der).unwrap();
        assert_eq!(*::rsa::traits::PublicKeyParts::e(&key), ::rsa::BigUint::from(65537u32));
        assert_eq!(::rsa::traits::PublicKeyParts::n(&key).bits(), bits);
        der
    })
}

/// A key pair for any algorithm; RSA key pairs share one key per size.
fn keypair(alg: AsymmetricAlgorithm) -> KeyPair {
    match alg.key_kind() {
        KeyKind::Rsa(bits) => KeyPair::import(alg, KpE::Pkcs8, rsa_pkcs8(bits)).unwrap(),
        _ => KeyPair::generate(alg).unwrap(),
    }
}

fn err<T>(r: Result<T>) -> CryptoError {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

#[test]
fn names_parse_case_insensitively() {
    for alg in all_algorithms() {
        let ty = alg.algorithm_type();
        assert_eq!(AsymmetricAlgorithm::parse(ty, alg.name()), Ok(alg));
        assert_eq!(AsymmetricAlgorithm::parse(ty, &alg.name().to_lowercase()), Ok(alg));
        assert_eq!(AsymmetricAlgorithm::parse(ty, &alg.name().to_uppercase()), Ok(alg));
    }
    assert_eq!(SignatureAlgorithm::parse("ed25519"), Ok(SignatureAlgorithm::Ed25519));
    assert_eq!(SignatureAlgorithm::parse("X25519"), Err(CryptoError::UnsupportedAlgorithm));
    assert_eq!(AsymmetricAlgorithm::parse(AlgorithmType::Symmetric, "X25519"), Err(CryptoError::InvalidOperation));
    assert_eq!(
        AsymmetricAlgorithm::parse(AlgorithmType::KeyExchange, "ECDSA_P256_SHA256"),
        Err(CryptoError::UnsupportedAlgorithm)
    );
    assert_eq!(
        AsymmetricAlgorithm::parse(AlgorithmType::Signatures, "P256-SHA256"),
        Err(CryptoError::UnsupportedAlgorithm)
    );
    assert_eq!(AsymmetricAlgorithm::parse(AlgorithmType::Signatures, ""), Err(CryptoError::UnsupportedAlgorithm));
    assert_eq!(
        AsymmetricAlgorithm::parse(AlgorithmType::Signatures, "ECDSA_P256_SHA256\0"),
        Err(CryptoError::UnsupportedAlgorithm)
    );
}

#[test]
fn every_encoding_round_trips() {
    for alg in all_algorithms() {
        let kp = keypair(alg);
        assert_eq!(kp.algorithm(), alg);
        let (kp_encs, pk_encs, sk_encs) = supported(alg.key_kind());
        for enc in ALL_KP {
            if kp_encs.contains(&enc) {
                let bytes = kp.export(enc).unwrap();
                let again = KeyPair::import(alg, enc, &bytes).unwrap();
                assert_eq!(*again.export(enc).unwrap(), *bytes, "{alg:?} {enc:?}");
            } else {
                assert_eq!(err(kp.export(enc)), CryptoError::UnsupportedEncoding, "{alg:?} {enc:?}");
                assert_eq!(err(KeyPair::import(alg, enc, &[0; 64])), CryptoError::UnsupportedEncoding);
            }
        }
        let pk = kp.public_key().unwrap();
        assert_eq!(pk.algorithm(), alg);
        assert_eq!(pk.verify(), Ok(()));
        for enc in ALL_PK {
            if pk_encs.contains(&enc) {
                let bytes = pk.export(enc).unwrap();
                let again = PublicKey::import(alg, enc, &bytes).unwrap();
                assert_eq!(again.export(enc).unwrap(), bytes, "{alg:?} {enc:?}");
            } else {
                assert_eq!(err(pk.export(enc)), CryptoError::UnsupportedEncoding, "{alg:?} {enc:?}");
                assert_eq!(err(PublicKey::import(alg, enc, &[4; 65])), CryptoError::UnsupportedEncoding);
            }
        }
        let sk = kp.secret_key().unwrap();
        assert_eq!(sk.algorithm(), alg);
        for enc in ALL_SK {
            if sk_encs.contains(&enc) {
                let bytes = sk.export(enc).unwrap();
                let again = SecretKey::import(alg, enc, &bytes).unwrap();
                assert_eq!(*again.export(enc).unwrap(), *bytes, "{alg:?} {enc:?}");
            } else {
                assert_eq!(err(sk.export(enc)), CryptoError::UnsupportedEncoding, "{alg:?} {enc:?}");
                assert_eq!(err(SecretKey::import(alg, enc, &[1; 32])), CryptoError::UnsupportedEncoding);
            }
        }
        // The public key derived from the secret key, and the pair rebuilt from both halves.
        let derived = PublicKey::from_secret_key(&sk).unwrap();
        assert_eq!(derived.export(pk_encs[0]).unwrap(), pk.export(pk_encs[0]).unwrap());
        let rebuilt = KeyPair::from_pk_and_sk(&pk, &sk).unwrap();
        assert_eq!(*rebuilt.export(kp_encs[0]).unwrap(), *kp.export(kp_encs[0]).unwrap());
    }
}

#[test]
fn encoded_sizes() {
    for (alg, field) in [
        (sig(SignatureAlgorithm::EcdsaP256Sha256), 32),
        (sig(SignatureAlgorithm::EcdsaK256Sha256), 32),
        (sig(SignatureAlgorithm::EcdsaP384Sha384), 48),
        (kx(KxAlgorithm::P256Sha256), 32),
        (kx(KxAlgorithm::P384Sha384), 48),
    ] {
        let kp = KeyPair::generate(alg).unwrap();
        let pk = kp.public_key().unwrap();
        let uncompressed = pk.export(PkE::Sec).unwrap();
        let compressed = pk.export(PkE::CompressedSec).unwrap();
        assert_eq!((uncompressed.len(), uncompressed[0]), (1 + 2 * field, 4));
        assert_eq!(compressed.len(), 1 + field);
        // Sec and CompressedSec both import either form; Sec exports uncompressed.
        for enc in [PkE::Sec, PkE::CompressedSec] {
            for form in [&uncompressed, &compressed] {
                let imported = PublicKey::import(alg, enc, form).unwrap();
                assert_eq!(imported.export(PkE::Sec).unwrap(), uncompressed);
                assert_eq!(imported.export(PkE::CompressedSec).unwrap(), compressed);
            }
        }
        assert!(String::from_utf8(pk.export(PkE::Pem).unwrap()).unwrap().starts_with("-----BEGIN PUBLIC KEY-----\n"));
        let pem = kp.export(KpE::Pem).unwrap();
        assert!(std::str::from_utf8(&pem).unwrap().starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert_eq!(kp.export(KpE::Raw).unwrap().len(), field);
        assert_eq!(kp.secret_key().unwrap().export(SkE::Raw).unwrap().len(), field);
    }
    let ed = KeyPair::generate(sig(SignatureAlgorithm::Ed25519)).unwrap();
    let ed_raw = ed.export(KpE::Raw).unwrap();
    assert_eq!(ed_raw.len(), 64);
    assert_eq!(*ed.secret_key().unwrap().export(SkE::Raw).unwrap(), ed_raw[..32]);
    assert_eq!(ed.public_key().unwrap().export(PkE::Raw).unwrap(), ed_raw[32..]);
    let x = KeyPair::generate(kx(KxAlgorithm::X25519)).unwrap();
    let x_raw = x.export(KpE::Raw).unwrap();
    assert_eq!(x_raw.len(), 64);
    assert_eq!(x.public_key().unwrap().export(PkE::Raw).unwrap(), x_raw[..32]);
    assert_eq!(*x.secret_key().unwrap().export(SkE::Raw).unwrap(), x_raw[32..]);
    // An X25519 key pair also imports from its secret key alone.
    let from_sk = KeyPair::import(kx(KxAlgorithm::X25519), KpE::Raw, &x_raw[32..]).unwrap();
    assert_eq!(*from_sk.export(KpE::Raw).unwrap(), *x_raw);
    let rsa = keypair(sig(SignatureAlgorithm::RsaPkcs1_2048Sha256));
    let rsa_pem = rsa.export(KpE::Pem).unwrap();
    assert!(std::str::from_utf8(&rsa_pem).unwrap().starts_with("-----BEGIN PRIVATE KEY-----\n"));
}

#[test]
fn alternative_private_key_forms_import() {
    use ::rsa::pkcs1::{EncodeRsaPrivateKey, LineEnding};
    use ::rsa::pkcs8::DecodePrivateKey;
    // SEC-1 `ECPrivateKey` through the Pkcs8 and Pem encodings, as OpenSSL accepts it.
    let alg = sig(SignatureAlgorithm::EcdsaP256Sha256);
    let kp = KeyPair::generate(alg).unwrap();
    let sec1 = kp.secret_key().unwrap().export(SkE::Sec).unwrap();
    let raw = kp.export(KpE::Raw).unwrap();
    let via_pkcs8 = KeyPair::import(alg, KpE::Pkcs8, &sec1).unwrap();
    assert_eq!(*via_pkcs8.export(KpE::Raw).unwrap(), *raw);
    let sec1_pem = p256::SecretKey::from_sec1_der(&sec1).unwrap().to_sec1_pem(LineEnding::LF).unwrap();
    let via_pem = SecretKey::import(alg, SkE::Pem, sec1_pem.as_bytes()).unwrap();
    assert_eq!(*via_pem.export(SkE::Raw).unwrap(), *raw);
    // PKCS#1 `RSAPrivateKey`, DER and PEM.
    let alg = sig(SignatureAlgorithm::RsaPkcs1_2048Sha256);
    let der = rsa_pkcs8(2048);
    let key = ::rsa::RsaPrivateKey::from_pkcs8_der(der).unwrap();
    let pkcs1 = key.to_pkcs1_der().unwrap();
    let kp = KeyPair::import(alg, KpE::Pkcs8, pkcs1.as_bytes()).unwrap();
    assert_eq!(*kp.export(KpE::Pkcs8).unwrap(), *der);
    let pkcs1_pem = key.to_pkcs1_pem(LineEnding::LF).unwrap();
    let sk = SecretKey::import(alg, SkE::Pem, pkcs1_pem.as_bytes()).unwrap();
    assert_eq!(*sk.export(SkE::Pkcs8).unwrap(), *der);
}

#[test]
fn sign_and_verify_every_algorithm() {
    for alg in SIGNATURE_ALGORITHMS {
        let kp = keypair(sig(alg));
        let pk = kp.public_key().unwrap();
        let mut state = SignatureState::open(&kp).unwrap();
        state.update(b"hello, ").unwrap();
        state.update(b"world").unwrap();
        let signature = state.sign().unwrap();
        assert_eq!(signature.algorithm(), alg);
        let raw = signature.export(SigE::Raw).unwrap();
        let expected_len = match alg.key_kind() {
            KeyKind::P256 | KeyKind::K256 | KeyKind::Ed25519 => 64,
            KeyKind::P384 => 96,
            KeyKind::Rsa(bits) => bits / 8,
            KeyKind::X25519 => unreachable!(),
        };
        assert_eq!(raw.len(), expected_len, "{alg:?}");
        let is_ecdsa = matches!(alg.key_kind(), KeyKind::P256 | KeyKind::K256 | KeyKind::P384);

        let verify = |message: &[&[u8]], signature: &Signature| {
            let mut v = VerificationState::open(&pk).unwrap();
            for part in message {
                v.update(part).unwrap();
            }
            v.verify(signature)
        };
        assert_eq!(verify(&[b"hello, world"], &signature), Ok(()), "{alg:?}");
        assert_eq!(verify(&[b"hel", b"", b"lo, world"], &signature), Ok(()));
        assert_eq!(verify(&[b"hello, World"], &signature), Err(CryptoError::VerificationFailed), "{alg:?}");
        assert_eq!(verify(&[b"hello, world!"], &signature), Err(CryptoError::VerificationFailed));

        // Raw and (ECDSA) DER re-import.
        let reimported = Signature::import(alg, SigE::Raw, &raw).unwrap();
        assert_eq!(verify(&[b"hello, world"], &reimported), Ok(()));
        if is_ecdsa {
            let der = signature.export(SigE::Der).unwrap();
            assert_eq!(der[0], 0x30);
            let from_der = Signature::import(alg, SigE::Der, &der).unwrap();
            assert_eq!(from_der.export(SigE::Raw).unwrap(), raw);
            assert_eq!(verify(&[b"hello, world"], &from_der), Ok(()));
        } else {
            assert_eq!(err(signature.export(SigE::Der)), CryptoError::UnsupportedEncoding);
            assert_eq!(err(Signature::import(alg, SigE::Der, &raw)), CryptoError::UnsupportedEncoding);
        }

        // A flipped bit in the signature.
        for position in [0, raw.len() / 2, raw.len() - 1] {
            let mut tampered = raw.clone();
            tampered[position] ^= 0x01;
            if let Ok(tampered) = Signature::import(alg, SigE::Raw, &tampered) {
                assert_eq!(verify(&[b"hello, world"], &tampered), Err(CryptoError::VerificationFailed), "{alg:?}");
            }
        }
        // Wrong lengths.
        assert_eq!(err(Signature::import(alg, SigE::Raw, &raw[1..])), CryptoError::InvalidSignature);
        let mut longer = raw.clone();
        longer.push(0);
        assert_eq!(err(Signature::import(alg, SigE::Raw, &longer)), CryptoError::InvalidSignature);
        assert_eq!(err(Signature::import(alg, SigE::Raw, &[])), CryptoError::InvalidSignature);

        // Signing does not end the state: more data gives a signature of the longer message.
        state.update(b"!").unwrap();
        let longer_signature = state.sign().unwrap();
        assert_eq!(verify(&[b"hello, world!"], &longer_signature), Ok(()));
        // ECDSA and Ed25519 are deterministic.
        if !matches!(alg.key_kind(), KeyKind::Rsa(_)) {
            let mut again = SignatureState::open(&kp).unwrap();
            again.update(b"hello, world!").unwrap();
            assert_eq!(again.sign().unwrap().export(SigE::Raw).unwrap(), longer_signature.export(SigE::Raw).unwrap());
        }
        // The empty message.
        let empty = SignatureState::open(&kp).unwrap().sign().unwrap();
        assert_eq!(verify(&[], &empty), Ok(()));
    }
}

#[test]
fn ecdsa_raw_signatures_are_never_trimmed() {
    // About 1 signature in 128 has a leading zero byte in r or s. Sign at least 600 messages and go on
    // until one such signature was seen (600 alone missed it about once in 110 runs; 20,000 miss it with
    // a chance of e^-78); every raw signature must keep its fixed size and survive a DER round trip.
    let alg = SignatureAlgorithm::EcdsaP256Sha256;
    let kp = KeyPair::generate(sig(alg)).unwrap();
    let mut leading_zero = false;
    for i in 0u32..20_000 {
        if i >= 600 && leading_zero {
            break;
        }
        let mut state = SignatureState::open(&kp).unwrap();
        state.update(&i.to_le_bytes()).unwrap();
        let signature = state.sign().unwrap();
        let raw = signature.export(SigE::Raw).unwrap();
        assert_eq!(raw.len(), 64);
        leading_zero |= raw[0] == 0 || raw[32] == 0;
        let der = signature.export(SigE::Der).unwrap();
        assert_eq!(Signature::import(alg, SigE::Der, &der).unwrap().export(SigE::Raw).unwrap(), raw);
    }
    assert!(leading_zero);
}

#[test]
fn ecdsa_signature_import_is_strict() {
    let alg = SignatureAlgorithm::EcdsaP256Sha256;
    // r = 0 and r = n are out of range.
    assert_eq!(err(Signature::import(alg, SigE::Raw, &[0; 64])), CryptoError::InvalidSignature);
    let n = hex::decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551").unwrap();
    let mut r_is_n = n.clone();
    r_is_n.extend_from_slice(&[1; 32]);
    assert_eq!(err(Signature::import(alg, SigE::Raw, &r_is_n)), CryptoError::InvalidSignature);
    // DER: SEQUENCE { INTEGER 1, INTEGER 1 } is fine; a non-minimal integer, a long-form length or
    // trailing data is not.
    assert!(Signature::import(alg, SigE::Der, &[0x30, 6, 2, 1, 1, 2, 1, 1]).is_ok());
    for bad in [
        &[0x30, 7, 2, 2, 0, 1, 2, 1, 1][..],
        &[0x30, 0x81, 6, 2, 1, 1, 2, 1, 1],
        &[0x30, 6, 2, 1, 1, 2, 1, 1, 0],
        &[0x30, 6, 2, 1, 0xff, 2, 1, 1],
        &[],
    ] {
        assert_eq!(err(Signature::import(alg, SigE::Der, bad)), CryptoError::InvalidSignature, "{bad:?}");
    }
    // A high-s secp256k1 signature (n - s) is still a valid ECDSA signature.
    let kp = KeyPair::generate(sig(SignatureAlgorithm::EcdsaK256Sha256)).unwrap();
    let mut state = SignatureState::open(&kp).unwrap();
    state.update(b"msg").unwrap();
    let low = state.sign().unwrap().export(SigE::Raw).unwrap();
    let s = k256::ecdsa::Signature::from_slice(&low).unwrap();
    let high = k256::ecdsa::Signature::from_scalars(s.r(), -*s.s()).unwrap().to_bytes().to_vec();
    assert_ne!(high, low);
    let high = Signature::import(SignatureAlgorithm::EcdsaK256Sha256, SigE::Raw, &high).unwrap();
    let mut v = VerificationState::open(&kp.public_key().unwrap()).unwrap();
    v.update(b"msg").unwrap();
    assert_eq!(v.verify(&high), Ok(()));
}

#[test]
fn signature_of_another_algorithm_is_invalid() {
    let p256 = keypair(sig(SignatureAlgorithm::EcdsaP256Sha256));
    let k256 = keypair(sig(SignatureAlgorithm::EcdsaK256Sha256));
    let signature = SignatureState::open(&p256).unwrap().sign().unwrap();
    let v = VerificationState::open(&k256.public_key().unwrap()).unwrap();
    assert_eq!(v.verify(&signature), Err(CryptoError::InvalidSignature));
    // The same RSA key under two algorithms.
    let pkcs1 = keypair(sig(SignatureAlgorithm::RsaPkcs1_2048Sha256));
    let pss = keypair(sig(SignatureAlgorithm::RsaPss2048Sha256));
    let signature = SignatureState::open(&pkcs1).unwrap().sign().unwrap();
    let v = VerificationState::open(&pss.public_key().unwrap()).unwrap();
    assert_eq!(v.verify(&signature), Err(CryptoError::InvalidSignature));
    // Another key of the same algorithm.
    let other = keypair(sig(SignatureAlgorithm::EcdsaP256Sha256));
    let signature = SignatureState::open(&p256).unwrap().sign().unwrap();
    let v = VerificationState::open(&other.public_key().unwrap()).unwrap();
    assert_eq!(v.verify(&signature), Err(CryptoError::VerificationFailed));
}

#[test]
fn key_exchange_keys_cannot_sign() {
    for alg in KX_ALGORITHMS {
        let kp = KeyPair::generate(kx(alg)).unwrap();
        assert_eq!(err(SignatureState::open(&kp)), CryptoError::InvalidHandle);
        assert_eq!(err(VerificationState::open(&kp.public_key().unwrap())), CryptoError::InvalidHandle);
    }
}

#[test]
fn dh_agrees_both_ways() {
    for (alg, len) in [(KxAlgorithm::X25519, 32), (KxAlgorithm::P256Sha256, 32), (KxAlgorithm::P384Sha384, 48)] {
        let a = KeyPair::generate(kx(alg)).unwrap();
        let b = KeyPair::generate(kx(alg)).unwrap();
        let ab = dh(&b.public_key().unwrap(), &a.secret_key().unwrap()).unwrap();
        let ba = dh(&a.public_key().unwrap(), &b.secret_key().unwrap()).unwrap();
        assert_eq!(ab.len(), len);
        assert_eq!(*ab, *ba, "{alg:?}");
        let c = KeyPair::generate(kx(alg)).unwrap();
        assert_ne!(*dh(&c.public_key().unwrap(), &a.secret_key().unwrap()).unwrap(), *ab);
    }
}

#[test]
fn dh_errors() {
    let x = KeyPair::generate(kx(KxAlgorithm::X25519)).unwrap();
    let p256 = KeyPair::generate(kx(KxAlgorithm::P256Sha256)).unwrap();
    let p384 = KeyPair::generate(kx(KxAlgorithm::P384Sha384)).unwrap();
    let ecdsa = KeyPair::generate(sig(SignatureAlgorithm::EcdsaP256Sha256)).unwrap();
    let ed = KeyPair::generate(sig(SignatureAlgorithm::Ed25519)).unwrap();
    let (pk, sk) = (|k: &KeyPair| k.public_key().unwrap(), |k: &KeyPair| k.secret_key().unwrap());
    assert_eq!(err(dh(&pk(&x), &sk(&p256))), CryptoError::IncompatibleKeys);
    assert_eq!(err(dh(&pk(&p384), &sk(&p256))), CryptoError::IncompatibleKeys);
    assert_eq!(err(dh(&pk(&ecdsa), &sk(&p256))), CryptoError::InvalidHandle);
    assert_eq!(err(dh(&pk(&p256), &sk(&ecdsa))), CryptoError::InvalidHandle);
    assert_eq!(err(dh(&pk(&ed), &sk(&ed))), CryptoError::InvalidHandle);
    // Low-order X25519 points give the all-zero secret.
    for low_order in [[0u8; 32], {
        let mut one = [0u8; 32];
        one[0] = 1;
        one
    }] {
        let pk = PublicKey::import(kx(KxAlgorithm::X25519), PkE::Raw, &low_order).unwrap();
        assert_eq!(pk.verify(), Err(CryptoError::InvalidKey));
        assert_eq!(err(dh(&pk, &sk(&x))), CryptoError::InvalidKey);
    }
}

#[test]
fn key_pairs_from_mismatched_halves() {
    let a = KeyPair::generate(sig(SignatureAlgorithm::EcdsaP256Sha256)).unwrap();
    let b = KeyPair::generate(sig(SignatureAlgorithm::EcdsaP256Sha256)).unwrap();
    let a_as_kx = KeyPair::import(kx(KxAlgorithm::P256Sha256), KpE::Raw, &a.export(KpE::Raw).unwrap()).unwrap();
    let k = KeyPair::generate(sig(SignatureAlgorithm::EcdsaK256Sha256)).unwrap();
    let (pk, sk) = (|k: &KeyPair| k.public_key().unwrap(), |k: &KeyPair| k.secret_key().unwrap());
    assert_eq!(err(KeyPair::from_pk_and_sk(&pk(&b), &sk(&a))), CryptoError::IncompatibleKeys);
    assert_eq!(err(KeyPair::from_pk_and_sk(&pk(&a_as_kx), &sk(&a))), CryptoError::IncompatibleKeys);
    assert_eq!(err(KeyPair::from_pk_and_sk(&pk(&k), &sk(&a))), CryptoError::IncompatibleKeys);
    let rsa2048 = keypair(sig(SignatureAlgorithm::RsaPkcs1_2048Sha256));
    let rsa2048_pss = keypair(sig(SignatureAlgorithm::RsaPss2048Sha256));
    assert_eq!(err(KeyPair::from_pk_and_sk(&pk(&rsa2048_pss), &sk(&rsa2048))), CryptoError::IncompatibleKeys);
    for alg in [sig(SignatureAlgorithm::Ed25519), kx(KxAlgorithm::X25519)] {
        let (a, b) = (KeyPair::generate(alg).unwrap(), KeyPair::generate(alg).unwrap());
        assert_eq!(err(KeyPair::from_pk_and_sk(&pk(&b), &sk(&a))), CryptoError::IncompatibleKeys);
        assert!(KeyPair::from_pk_and_sk(&pk(&a), &sk(&a)).is_ok());
    }
}

#[test]
fn invalid_keys_are_refused() {
    let p256 = sig(SignatureAlgorithm::EcdsaP256Sha256);
    let p384 = sig(SignatureAlgorithm::EcdsaP384Sha384);
    let k256 = sig(SignatureAlgorithm::EcdsaK256Sha256);
    let n = hex::decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551").unwrap();
    let mut one = [0u8; 32];
    one[31] = 1;
    // Scalars: wrong length, zero, n, n + 1 are refused; 1 and n - 1 are fine.
    for bad in [&[1u8; 31][..], &[1; 33], &[0; 32], &n, &[], &[0xff; 32]] {
        assert_eq!(err(SecretKey::import(p256, SkE::Raw, bad)), CryptoError::InvalidKey);
        assert_eq!(err(KeyPair::import(p256, KpE::Raw, bad)), CryptoError::InvalidKey);
    }
    let mut n_minus_1 = n.clone();
    n_minus_1[31] -= 1;
    assert!(KeyPair::import(p256, KpE::Raw, &n_minus_1).is_ok());
    assert!(KeyPair::import(p256, KpE::Raw, &one).is_ok());
    assert_eq!(err(KeyPair::import(p384, KpE::Raw, &one)), CryptoError::InvalidKey);
    // Points: off the curve, the identity, wrong tags, garbage.
    let kp = KeyPair::generate(p256).unwrap();
    let mut point = kp.public_key().unwrap().export(PkE::Sec).unwrap();
    point[64] ^= 1;
    assert_eq!(err(PublicKey::import(p256, PkE::Sec, &point)), CryptoError::InvalidKey);
    point[64] ^= 1;
    point[0] = 5;
    assert_eq!(err(PublicKey::import(p256, PkE::Sec, &point)), CryptoError::InvalidKey);
    for bad in [&[0u8][..], &[], &[4; 64], &[2; 32], &[3; 34]] {
        assert_eq!(err(PublicKey::import(p256, PkE::Sec, bad)), CryptoError::InvalidKey, "{bad:?}");
    }
    assert_eq!(err(PublicKey::import(p256, PkE::Pkcs8, b"garbage")), CryptoError::InvalidKey);
    assert_eq!(err(PublicKey::import(p256, PkE::Pem, b"garbage")), CryptoError::InvalidKey);
    assert_eq!(err(PublicKey::import(p256, PkE::Pem, &[0xff, 0xfe])), CryptoError::InvalidKey);
    assert_eq!(err(SecretKey::import(p256, SkE::Sec, b"garbage")), CryptoError::InvalidKey);
    assert_eq!(err(KeyPair::import(p256, KpE::Pkcs8, b"garbage")), CryptoError::InvalidKey);
    assert_eq!(err(KeyPair::import(p256, KpE::Pem, b"garbage")), CryptoError::InvalidKey);
    // Keys of another curve.
    let pkcs8 = kp.export(KpE::Pkcs8).unwrap();
    assert_eq!(err(KeyPair::import(k256, KpE::Pkcs8, &pkcs8)), CryptoError::InvalidKey);
    assert_eq!(err(KeyPair::import(p384, KpE::Pkcs8, &pkcs8)), CryptoError::InvalidKey);
    assert_eq!(err(KeyPair::import(k256, KpE::Pem, &kp.export(KpE::Pem).unwrap())), CryptoError::InvalidKey);
    let sec1 = kp.secret_key().unwrap().export(SkE::Sec).unwrap();
    assert_eq!(err(SecretKey::import(k256, SkE::Sec, &sec1)), CryptoError::InvalidKey);
    let spki = kp.public_key().unwrap().export(PkE::Pkcs8).unwrap();
    assert_eq!(err(PublicKey::import(k256, PkE::Pkcs8, &spki)), CryptoError::InvalidKey);
    let pem = kp.public_key().unwrap().export(PkE::Pem).unwrap();
    assert_eq!(err(PublicKey::import(p384, PkE::Pem, &pem)), CryptoError::InvalidKey);
    // A secret key PEM is not a public key PEM, and vice versa.
    assert_eq!(err(PublicKey::import(p256, PkE::Pem, &kp.export(KpE::Pem).unwrap())), CryptoError::InvalidKey);
    assert_eq!(err(KeyPair::import(p256, KpE::Pem, &pem)), CryptoError::InvalidKey);
    // An RSA key as an EC key and the other way round.
    let rsa = sig(SignatureAlgorithm::RsaPkcs1_2048Sha256);
    assert_eq!(err(KeyPair::import(p256, KpE::Pkcs8, rsa_pkcs8(2048))), CryptoError::InvalidKey);
    assert_eq!(err(KeyPair::import(rsa, KpE::Pkcs8, &pkcs8)), CryptoError::InvalidKey);
    assert_eq!(err(PublicKey::import(rsa, PkE::Pkcs8, &spki)), CryptoError::InvalidKey);

    // Ed25519: lengths, a key pair whose halves do not match, an invalid point.
    let ed = sig(SignatureAlgorithm::Ed25519);
    let kp = KeyPair::generate(ed).unwrap();
    let mut raw = kp.export(KpE::Raw).unwrap();
    assert_eq!(err(KeyPair::import(ed, KpE::Raw, &raw[..32])), CryptoError::InvalidKey);
    raw[63] ^= 1;
    assert_eq!(err(KeyPair::import(ed, KpE::Raw, &raw)), CryptoError::InvalidKey);
    assert_eq!(err(SecretKey::import(ed, SkE::Raw, &[1; 31])), CryptoError::InvalidKey);
    assert_eq!(err(PublicKey::import(ed, PkE::Raw, &[1; 33])), CryptoError::InvalidKey);
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    assert_eq!(err(PublicKey::import(ed, PkE::Raw, &not_a_point)), CryptoError::InvalidKey);
    // The identity is a valid encoding but a weak key.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(PublicKey::import(ed, PkE::Raw, &identity).unwrap().verify(), Err(CryptoError::InvalidKey));

    // X25519: lengths, mismatched halves.
    let x = kx(KxAlgorithm::X25519);
    let kp = KeyPair::generate(x).unwrap();
    let mut raw = kp.export(KpE::Raw).unwrap();
    raw[0] ^= 1;
    assert_eq!(err(KeyPair::import(x, KpE::Raw, &raw)), CryptoError::InvalidKey);
    assert_eq!(err(KeyPair::import(x, KpE::Raw, &raw[..63])), CryptoError::InvalidKey);
    assert_eq!(err(PublicKey::import(x, PkE::Raw, &[9; 31])), CryptoError::InvalidKey);
    assert_eq!(err(SecretKey::import(x, SkE::Raw, &[9; 33])), CryptoError::InvalidKey);

    // RSA: a key of another size, garbage.
    let rsa3072 = sig(SignatureAlgorithm::RsaPkcs1_3072Sha384);
    assert_eq!(err(KeyPair::import(rsa3072, KpE::Pkcs8, rsa_pkcs8(2048))), CryptoError::InvalidKey);
    let rsa_kp = keypair(rsa);
    let rsa_spki = rsa_kp.public_key().unwrap().export(PkE::Pkcs8).unwrap();
    assert_eq!(err(PublicKey::import(rsa3072, PkE::Pkcs8, &rsa_spki)), CryptoError::InvalidKey);
    let rsa_pem = rsa_kp.export(KpE::Pem).unwrap();
    assert_eq!(err(SecretKey::import(rsa3072, SkE::Pem, &rsa_pem)), CryptoError::InvalidKey);
    assert_eq!(err(KeyPair::import(rsa, KpE::Pkcs8, b"\x30\x03\x02\x01\x01")), CryptoError::InvalidKey);
    assert_eq!(
        err(PublicKey::import(rsa, PkE::Pem, b"-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n")),
        CryptoError::InvalidKey
    );
    // A corrupted private key (one byte of the private exponent changed) fails the consistency checks.
    let mut corrupted = rsa_pkcs8(2048).to_vec();
    let at = corrupted.len() / 2;
    corrupted[at] ^= 0x10;
    assert_eq!(err(KeyPair::import(rsa, KpE::Pkcs8, &corrupted)), CryptoError::InvalidKey);

    // `Local` is never supported.
    for alg in all_algorithms() {
        assert_eq!(err(KeyPair::import(alg, KpE::Local, &[])), CryptoError::UnsupportedEncoding);
        assert_eq!(err(PublicKey::import(alg, PkE::Local, &[])), CryptoError::UnsupportedEncoding);
        assert_eq!(err(SecretKey::import(alg, SkE::Local, &[])), CryptoError::UnsupportedEncoding);
    }
}

/// A P-256 key and signature made by OpenSSL 3.0 (`openssl ecparam -genkey`, `openssl pkcs8 -topk8`,
/// `openssl dgst -sha256 -sign`) over the message "hello interop".
const OPENSSL_SEC1_PEM: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIKYRjuhuyOmjX6IbTO5CDBsV2RNhkxyC03kyHkCQT1UxoAoGCCqGSM49
AwEHoUQDQgAEYstvVkZJCTsDNd69MIEcrQ4nl/kWcas8Oss1idjp+K/FmsojGILb
nzF2+WEKb07dRS9h12u2d1SUADJyQF8bBw==
-----END EC PRIVATE KEY-----
";
const OPENSSL_PKCS8_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgphGO6G7I6aNfohtM
7kIMGxXZE2GTHILTeTIeQJBPVTGhRANCAARiy29WRkkJOwM13r0wgRytDieX+RZx
qzw6yzWJ2On4r8WayiMYgtufMXb5YQpvTt1FL2HXa7Z3VJQAMnJAXxsH
-----END PRIVATE KEY-----
";
const OPENSSL_SPKI_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYstvVkZJCTsDNd69MIEcrQ4nl/kW
cas8Oss1idjp+K/FmsojGILbnzF2+WEKb07dRS9h12u2d1SUADJyQF8bBw==
-----END PUBLIC KEY-----
";
const OPENSSL_DER_SIGNATURE: &str = "304402206e28829c0c49a664eb186fb700d6dd50cb668fbafb28ab73ed2a90b559ba4aa9\
    0220113825e052f2560d8b5faa427119328f748b09b5794ac25dfa539f2ef64706f6";

#[test]
fn openssl_p256_fixture() {
    let alg = sig(SignatureAlgorithm::EcdsaP256Sha256);
    for pem in [OPENSSL_SEC1_PEM, OPENSSL_PKCS8_PEM] {
        let kp = KeyPair::import(alg, KpE::Pem, pem.as_bytes()).unwrap();
        // Our PKCS#8 and SPKI output is byte for byte OpenSSL's.
        assert_eq!(*kp.export(KpE::Pem).unwrap(), *OPENSSL_PKCS8_PEM.as_bytes());
        assert_eq!(kp.public_key().unwrap().export(PkE::Pem).unwrap(), OPENSSL_SPKI_PEM.as_bytes());
        // CRLF line endings are read too.
        let crlf = pem.replace('\n', "\r\n");
        assert_eq!(
            *KeyPair::import(alg, KpE::Pem, crlf.as_bytes()).unwrap().export(KpE::Raw).unwrap(),
            *kp.export(KpE::Raw).unwrap()
        );
    }
    let pk = PublicKey::import(alg, PkE::Pem, OPENSSL_SPKI_PEM.as_bytes()).unwrap();
    let signature =
        Signature::import(SignatureAlgorithm::EcdsaP256Sha256, SigE::Der, &hex::decode(OPENSSL_DER_SIGNATURE).unwrap())
            .unwrap();
    let mut v = VerificationState::open(&pk).unwrap();
    v.update(b"hello interop").unwrap();
    assert_eq!(v.verify(&signature), Ok(()));
}

#[test]
fn rsa_pss_salt_length_and_pss_keys() {
    use ::rsa::pkcs8::der::Encode;
    use ::rsa::pkcs8::{AlgorithmIdentifierRef, DecodePrivateKey, PrivateKeyInfo};
    let alg = SignatureAlgorithm::RsaPss2048Sha256;
    let der = rsa_pkcs8(2048);
    let key = ::rsa::RsaPrivateKey::from_pkcs8_der(der).unwrap();
    // The salt must be as long as the hash: OpenSSL 3.0's default, the longest salt (256 - 32 - 2 bytes
    // for 2048 bits), is refused as Wycheproof requires.
    let digest = Sha256::digest(b"message");
    let max_salt = key.sign_with_rng(&mut rand_core::OsRng, ::rsa::Pss::new_with_salt::<Sha256>(222), &digest).unwrap();
    let other_salt =
        key.sign_with_rng(&mut rand_core::OsRng, ::rsa::Pss::new_with_salt::<Sha256>(20), &digest).unwrap();
    let kp = KeyPair::import(sig(alg), KpE::Pkcs8, der).unwrap();
    let mut v = VerificationState::open(&kp.public_key().unwrap()).unwrap();
    v.update(b"message").unwrap();
    let hash_salt = key.sign_with_rng(&mut rand_core::OsRng, ::rsa::Pss::new_with_salt::<Sha256>(32), &digest).unwrap();
    assert_eq!(v.verify(&Signature::import(alg, SigE::Raw, &hash_salt).unwrap()), Ok(()));
    for wrong in [max_salt, other_salt] {
        assert_eq!(v.verify(&Signature::import(alg, SigE::Raw, &wrong).unwrap()), Err(CryptoError::VerificationFailed));
    }
    // OpenSSL writes PSS keys with the `id-RSASSA-PSS` algorithm identifier.
    let info = PrivateKeyInfo::try_from(der).unwrap();
    let pss_oid = ::rsa::pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
    let rewrapped = PrivateKeyInfo {
        algorithm: AlgorithmIdentifierRef { oid: pss_oid, parameters: None },
        private_key: info.private_key,
        public_key: None,
    }
    .to_der()
    .unwrap();
    let imported = KeyPair::import(sig(alg), KpE::Pkcs8, &rewrapped).unwrap();
    assert_eq!(*imported.export(KpE::Pkcs8).unwrap(), *der);
    let spki = kp.public_key().unwrap().export(PkE::Pkcs8).unwrap();
    let spki = ::rsa::pkcs8::SubjectPublicKeyInfoRef::try_from(spki.as_slice()).unwrap();
    let rewrapped = ::rsa::pkcs8::SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef { oid: pss_oid, parameters: None },
        subject_public_key: spki.subject_public_key,
    }
    .to_der()
    .unwrap();
    assert!(PublicKey::import(sig(alg), PkE::Pkcs8, &rewrapped).is_ok());
}

#[test]
fn truncated_and_corrupted_inputs_are_errors() {
    // Every prefix and every single-byte corruption of every valid encoding imports or fails cleanly.
    for alg in all_algorithms() {
        let rsa = matches!(alg.key_kind(), KeyKind::Rsa(_));
        if rsa && alg != sig(SignatureAlgorithm::RsaPss2048Sha256) {
            continue;
        }
        let kp = keypair(alg);
        let (kp_encs, pk_encs, sk_encs) = supported(alg.key_kind());
        let step = if rsa { 7 } else { 1 };
        let mutate = |bytes: &[u8], f: &mut dyn FnMut(&[u8])| {
            for len in (0..bytes.len()).step_by(step) {
                f(&bytes[..len]);
                let mut corrupted = bytes.to_vec();
                corrupted[len] ^= 0x41;
                f(&corrupted);
            }
        };
        for &enc in kp_encs {
            mutate(&kp.export(enc).unwrap(), &mut |b| drop(KeyPair::import(alg, enc, b)));
        }
        for &enc in pk_encs {
            mutate(&kp.public_key().unwrap().export(enc).unwrap(), &mut |b| drop(PublicKey::import(alg, enc, b)));
        }
        for &enc in sk_encs {
            mutate(&kp.secret_key().unwrap().export(enc).unwrap(), &mut |b| drop(SecretKey::import(alg, enc, b)));
        }
        if let AsymmetricAlgorithm::Signatures(alg) = alg {
            let signature = SignatureState::open(&kp).unwrap().sign().unwrap();
            for enc in [SigE::Raw, SigE::Der] {
                if let Ok(bytes) = signature.export(enc) {
                    mutate(&bytes, &mut |b| drop(Signature::import(alg, enc, b)));
                }
            }
        }
    }
}

#[test]
fn types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<KeyPair>();
    check::<PublicKey>();
    check::<SecretKey>();
    check::<Signature>();
    check::<SignatureState>();
    check::<VerificationState>();
}

mod wycheproof_vectors {
    use wycheproof::TestResult;

    use super::*;

    /// Check one vector's outcome against its expected result.
    fn check(outcome: bool, result: TestResult, what: &str) {
        match result {
            TestResult::Valid => assert!(outcome, "valid vector refused: {what}"),
            TestResult::Invalid => assert!(!outcome, "invalid vector accepted: {what}"),
            TestResult::Acceptable => {}
        }
    }

    fn verifies(pk: &PublicKey, alg: SignatureAlgorithm, encoding: SigE, msg: &[u8], signature: &[u8]) -> bool {
        let Ok(signature) = Signature::import(alg, encoding, signature) else { return false };
        let mut state = VerificationState::open(pk).unwrap();
        state.update(msg).unwrap();
        state.verify(&signature).is_ok()
    }

    #[test]
    fn ecdsa() {
        use wycheproof::ecdsa::{TestName, TestSet};
        let sets = [
            (TestName::EcdsaSecp256r1Sha256, SignatureAlgorithm::EcdsaP256Sha256, SigE::Der),
            (TestName::EcdsaSecp256r1Sha256P1363, SignatureAlgorithm::EcdsaP256Sha256, SigE::Raw),
            (TestName::EcdsaSecp256k1Sha256, SignatureAlgorithm::EcdsaK256Sha256, SigE::Der),
            (TestName::EcdsaSecp256k1Sha256P1363, SignatureAlgorithm::EcdsaK256Sha256, SigE::Raw),
            (TestName::EcdsaSecp384r1Sha384, SignatureAlgorithm::EcdsaP384Sha384, SigE::Der),
            (TestName::EcdsaSecp384r1Sha384P1363, SignatureAlgorithm::EcdsaP384Sha384, SigE::Raw),
        ];
        for (name, alg, encoding) in sets {
            let set = TestSet::load(name).unwrap();
            for group in set.test_groups {
                let pk = PublicKey::import(sig(alg), PkE::Pkcs8, &group.der).unwrap();
                let sec = PublicKey::import(sig(alg), PkE::Sec, &group.key.key).unwrap();
                assert_eq!(sec.export(PkE::Pkcs8).unwrap(), pk.export(PkE::Pkcs8).unwrap());
                for test in group.tests {
                    let outcome = verifies(&pk, alg, encoding, &test.msg, &test.sig);
                    check(outcome, test.result, &format!("{name:?} #{} {}", test.tc_id, test.comment));
                }
            }
        }
    }

    #[test]
    fn ed25519() {
        use wycheproof::eddsa::{TestName, TestSet};
        let alg = SignatureAlgorithm::Ed25519;
        for group in TestSet::load(TestName::Ed25519).unwrap().test_groups {
            let pk = PublicKey::import(sig(alg), PkE::Raw, &group.key.pk).unwrap();
            for test in group.tests {
                let outcome = verifies(&pk, alg, SigE::Raw, &test.msg, &test.sig);
                check(outcome, test.result, &format!("#{} {}", test.tc_id, test.comment));
            }
        }
    }

    fn hash_of(h: wycheproof::HashFunction) -> Option<HashFunction> {
        match h {
            wycheproof::HashFunction::Sha2_256 => Some(HashFunction::Sha256),
            wycheproof::HashFunction::Sha2_384 => Some(HashFunction::Sha384),
            wycheproof::HashFunction::Sha2_512 => Some(HashFunction::Sha512),
            _ => None,
        }
    }

    /// The RSA algorithm with this padding, modulus size and hash, if there is one.
    fn rsa_algorithm(padding: rsa::Padding, bits: usize, hash: HashFunction) -> Option<SignatureAlgorithm> {
        SIGNATURE_ALGORITHMS.into_iter().find(|alg| {
            alg.rsa_padding() == Some(padding) && alg.key_kind() == KeyKind::Rsa(bits) && alg.hash() == Some(hash)
        })
    }

    #[test]
    fn rsa_pkcs1() {
        use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
        let mut groups = 0;
        for name in [
            TestName::Rsa2048Sha256,
            TestName::Rsa2048Sha384,
            TestName::Rsa2048Sha512,
            TestName::Rsa3072Sha384,
            TestName::Rsa3072Sha512,
            TestName::Rsa4096Sha512,
        ] {
            for group in TestSet::load(name).unwrap().test_groups {
                let Some(hash) = hash_of(group.hash) else { continue };
                let Some(alg) = rsa_algorithm(rsa::Padding::Pkcs1v15, group.key_size, hash) else { continue };
                let Ok(pk) = PublicKey::import(sig(alg), PkE::Pkcs8, &group.der) else {
                    // Only keys of unusual shape (e.g. an even exponent) may be refused.
                    assert!(group.tests.iter().all(|t| t.result != TestResult::Valid), "{name:?}");
                    continue;
                };
                let pem = PublicKey::import(sig(alg), PkE::Pem, group.pem.as_bytes()).unwrap();
                assert_eq!(pem.export(PkE::Pkcs8).unwrap(), pk.export(PkE::Pkcs8).unwrap());
                groups += 1;
                for test in group.tests {
                    let outcome = verifies(&pk, alg, SigE::Raw, &test.msg, &test.sig);
                    check(outcome, test.result, &format!("{name:?} #{} {}", test.tc_id, test.comment));
                }
            }
        }
        assert!(groups >= 6);
    }

    #[test]
    fn rsa_pss() {
        use wycheproof::rsa_pss_verify::{TestName, TestSet};
        let mut groups = 0;
        for name in TestName::all() {
            for group in TestSet::load(name).unwrap().test_groups {
                let Some(hash) = hash_of(group.hash) else { continue };
                let hash_len = match hash {
                    HashFunction::Sha256 => 32,
                    HashFunction::Sha384 => 48,
                    HashFunction::Sha512 => 64,
                };
                if group.mgf != wycheproof::Mgf::Mgf1
                    || group.mgf_hash != Some(group.hash)
                    || group.salt_size != hash_len
                {
                    continue;
                }
                let Some(alg) = rsa_algorithm(rsa::Padding::Pss, group.key_size, hash) else { continue };
                let pk = PublicKey::import(sig(alg), PkE::Pkcs8, &group.der).unwrap();
                groups += 1;
                for test in group.tests {
                    let outcome = verifies(&pk, alg, SigE::Raw, &test.msg, &test.sig);
                    check(outcome, test.result, &format!("{name:?} #{} {}", test.tc_id, test.comment));
                }
            }
        }
        assert!(groups >= 3, "{groups}");
    }

    #[test]
    fn ecdh() {
        use wycheproof::EllipticCurve;
        use wycheproof::ecdh::{EcdhEncoding, TestName, TestSet};
        let mut count = 0;
        for name in [
            TestName::EcdhSecp256r1,
            TestName::EcdhSecp384r1,
            TestName::EcdhSecp256r1Ecpoint,
            TestName::EcdhSecp384r1Ecpoint,
        ] {
            for group in TestSet::load(name).unwrap().test_groups {
                let (alg, len) = match group.curve {
                    EllipticCurve::Secp256r1 => (kx(KxAlgorithm::P256Sha256), 32),
                    EllipticCurve::Secp384r1 => (kx(KxAlgorithm::P384Sha384), 48),
                    _ => continue,
                };
                let pk_encoding = match group.encoding {
                    EcdhEncoding::Asn1 => PkE::Pkcs8,
                    EcdhEncoding::EcPoint => PkE::Sec,
                };
                for test in group.tests {
                    // The private key is an ASN.1 integer: strip a sign byte, left-pad to the field size.
                    let digits: Vec<u8> = test.private_key.iter().copied().skip_while(|&b| b == 0).collect();
                    assert!(digits.len() <= len);
                    let mut scalar = vec![0u8; len - digits.len()];
                    scalar.extend_from_slice(&digits);
                    let sk = SecretKey::import(alg, SkE::Raw, &scalar).unwrap();
                    let shared = PublicKey::import(alg, pk_encoding, &test.public_key).and_then(|pk| dh(&pk, &sk));
                    let outcome = matches!(&shared, Ok(s) if **s == *test.shared_secret);
                    if shared.is_ok() && test.result != TestResult::Invalid {
                        assert!(outcome, "{name:?} #{}: wrong shared secret", test.tc_id);
                    }
                    check(outcome, test.result, &format!("{name:?} #{} {}", test.tc_id, test.comment));
                    count += 1;
                }
            }
        }
        assert!(count > 100);
    }

    #[test]
    fn x25519() {
        use wycheproof::xdh::{TestName, TestSet};
        let alg = kx(KxAlgorithm::X25519);
        for group in TestSet::load(TestName::X25519).unwrap().test_groups {
            for test in group.tests {
                let shared = PublicKey::import(alg, PkE::Raw, &test.public_key).and_then(|pk| {
                    let sk = SecretKey::import(alg, SkE::Raw, &test.private_key)?;
                    dh(&pk, &sk)
                });
                let outcome = matches!(&shared, Ok(s) if **s == *test.shared_secret);
                check(outcome, test.result, &format!("#{} {}", test.tc_id, test.comment));
                // Only the all-zero secret is refused.
                assert_eq!(shared.is_err(), test.shared_secret.iter().all(|&b| b == 0), "#{}", test.tc_id);
            }
        }
    }
}
