//! The wasi_crypto plugin end to end: the plugin library (built by cargo as a dev-dependency) is found in `$HOME/.wasmedge/plugin`,
//! and a C guest (tests/fixtures/wasi_crypto/crypto.c, built against WasmEdge's wasi-crypto ABI) runs through the
//! `wasmedge` binary. The guest's selftest covers every algorithm and the error cases of the contract; its other
//! commands do one operation each, checked both ways against implementations that share no code with the plugin's
//! RustCrypto crates: `ring` (BoringSSL's code) for SHA-2, HMAC, HKDF, the AEADs, Ed25519, ECDSA P-256/P-384, RSA,
//! X25519 and ECDH, and `secp256k1` (libsecp256k1) for ECDSA over secp256k1.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self as sig, KeyPair as _};
use ring::{aead, agreement, digest, hkdf, hmac};

fn guest_wasm() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/wasi_crypto/crypto.wasm");
    path.to_str().unwrap().to_string()
}

/// A HOME whose `.wasmedge/plugin` holds the plugin, and the guest run in it.
struct Guest {
    home: common::Home,
}

impl Guest {
    fn new() -> Guest {
        Guest { home: common::Home::with_plugins(&[&common::dependency_plugin("wasmedge_plugin_wasi_crypto")]) }
    }

    fn wasmedge(&self, args: &[&str]) -> Output {
        self.home.wasmedge(args)
    }

    /// Run a guest command that must succeed; its output lines are `label hex`.
    fn run(&self, args: &[&str]) -> Lines {
        let wasm = guest_wasm();
        let o = self.wasmedge(&[&[wasm.as_str()], args].concat());
        let (stdout, stderr) = (out(&o), String::from_utf8_lossy(&o.stderr).into_owned());
        assert_eq!(o.status.code(), Some(0), "crypto.wasm {args:?}: {stdout}{stderr}");
        Lines(stdout.lines().map(|l| l.split_once(' ').unwrap_or((l, ""))).map(own).collect(), stdout)
    }

    /// `verify`: whether the guest accepts `signature` of `msg` under `pk`.
    fn verify(&self, alg: &str, pk_enc: u32, pk: &[u8], sig_enc: u32, signature: &[u8], msg: &[u8]) -> String {
        let (pk_enc, sig_enc) = (pk_enc.to_string(), sig_enc.to_string());
        let args = ["verify", alg, &pk_enc, &hex::encode(pk), &sig_enc, &hex::encode(signature), &hex::encode(msg)];
        self.run(&args).1.trim().to_string()
    }
}

fn own((k, v): (&str, &str)) -> (String, String) {
    (k.to_string(), v.to_string())
}

/// A guest command's output, by label.
struct Lines(HashMap<String, String>, String);

impl Lines {
    fn hex(&self, label: &str) -> Vec<u8> {
        let value = self.0.get(label).unwrap_or_else(|| panic!("no `{label}` in {}", self.1));
        hex::decode(value).unwrap()
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn random(len: usize) -> Vec<u8> {
    let mut v = vec![0; len];
    SystemRandom::new().fill(&mut v).unwrap();
    v
}

fn flipped(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut v = bytes.to_vec();
    v[at] ^= 0x01;
    v
}

const PK_RAW: u32 = 0;
const PK_PKCS8: u32 = 1;
const PK_SEC: u32 = 3;
const KP_PKCS8: &str = "1";
const SIG_RAW: u32 = 0;
const SIG_DER: u32 = 1;
const INVALID_TAG: &str = "invalid 21";

/// The selftest's checks, in its order.
const SELFTEST: &[&str] = &[
    "SHA-256",
    "SHA-512",
    "SHA-512/256",
    "HMAC/SHA-256",
    "HMAC/SHA-512",
    "HKDF/SHA-256",
    "HKDF/SHA-512",
    "AES-128-GCM",
    "AES-256-GCM",
    "CHACHA20-POLY1305",
    "XCHACHA20-POLY1305",
    "ECDSA_P256_SHA256",
    "ECDSA_K256_SHA256",
    "ECDSA_P384_SHA384",
    "Ed25519",
    "RSA_PKCS1_2048_SHA256",
    "RSA_PKCS1_2048_SHA384",
    "RSA_PKCS1_2048_SHA512",
    "RSA_PKCS1_3072_SHA384",
    "RSA_PKCS1_3072_SHA512",
    "RSA_PKCS1_4096_SHA512",
    "RSA_PSS_2048_SHA256",
    "RSA_PSS_2048_SHA384",
    "RSA_PSS_2048_SHA512",
    "RSA_PSS_3072_SHA384",
    "RSA_PSS_3072_SHA512",
    "RSA_PSS_4096_SHA512",
    "X25519",
    "P256-SHA256",
    "P384-SHA384",
    "array-output-streams",
    "options",
    "handles",
    "unsupported",
    "guest-memory",
];

#[test]
fn the_guest_selftest_passes_every_check() {
    let g = Guest::new();
    let o = g.wasmedge(&[&guest_wasm(), "selftest"]);
    let stdout = out(&o);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    let failures: Vec<&&str> = lines.iter().filter(|l| !l.starts_with("ok ") && !l.starts_with("selftest:")).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    let names: Vec<&str> = lines.iter().filter_map(|l| l.strip_prefix("ok ")?.split(' ').next()).collect();
    assert_eq!(names, SELFTEST);
    assert_eq!(lines.last(), Some(&format!("selftest: {} passed, 0 failed", SELFTEST.len()).as_str()));
    assert_eq!(o.status.code(), Some(0));
    // The digests are the FIPS 180 ones of "abc".
    assert!(stdout.contains("ok SHA-256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"));
}

#[test]
fn the_plugin_is_listed_by_version() {
    let g = Guest::new();
    let o = g.wasmedge(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    let line = out(&o).lines().find(|l| l.contains("(plugin \"wasi_crypto\")")).map(str::to_string);
    let line = line.unwrap_or_else(|| panic!("wasi_crypto not listed: {}", out(&o)));
    // From HOME: the copy cargo left beside the binary (also searched) comes later and is skipped.
    assert!(line.contains(".wasmedge/plugin/libwasmedge_plugin_wasi_crypto.so"), "{line}");
}

/// HKDF output of any length, for ring.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

#[test]
fn hashes_macs_and_hkdf_match_ring() {
    let g = Guest::new();
    let messages = [Vec::new(), b"abc".to_vec(), random(1000)];
    for msg in &messages {
        let m = hex::encode(msg);
        for (name, alg) in
            [("SHA-256", &digest::SHA256), ("SHA-512", &digest::SHA512), ("SHA-512/256", &digest::SHA512_256)]
        {
            assert_eq!(g.run(&["hash", name, &m]).hex("digest"), digest::digest(alg, msg).as_ref(), "{name}");
        }
        for key in [random(16), random(64), random(200)] {
            for (name, alg) in [("HMAC/SHA-256", hmac::HMAC_SHA256), ("HMAC/SHA-512", hmac::HMAC_SHA512)] {
                let tag = g.run(&["mac", name, &hex::encode(&key), &m]).hex("tag");
                assert_eq!(tag, hmac::sign(&hmac::Key::new(alg, &key), msg).as_ref(), "{name}");
            }
        }
    }
    for (name, alg, mac) in
        [("SHA-256", hkdf::HKDF_SHA256, hmac::HMAC_SHA256), ("SHA-512", hkdf::HKDF_SHA512, hmac::HMAC_SHA512)]
    {
        for (ikm, salt, info, len) in [
            (random(22), random(13), random(10), 42),
            (random(80), Vec::new(), Vec::new(), 1),
            (random(32), random(80), random(50), 1000),
        ] {
            let [i, s, n] = [&ikm, &salt, &info].map(hex::encode);
            let lines = g.run(&["hkdf", name, &i, &s, &n, &len.to_string()]);
            // Extract is HMAC(salt, ikm); expand is ring's.
            assert_eq!(lines.hex("prk"), hmac::sign(&hmac::Key::new(mac, &salt), &ikm).as_ref(), "{name}");
            let mut okm = vec![0; len];
            hkdf::Salt::new(alg, &salt)
                .extract(&ikm)
                .expand(&[info.as_slice()], Len(len))
                .unwrap()
                .fill(&mut okm)
                .unwrap();
            assert_eq!(lines.hex("okm"), okm, "{name} {len}");
        }
    }
}

/// ring's seal: ciphertext || tag.
fn ring_seal(alg: &'static aead::Algorithm, key: &[u8], nonce: &[u8], aad: &[u8], msg: &[u8]) -> Vec<u8> {
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(alg, key).unwrap());
    let mut in_out = msg.to_vec();
    let nonce = aead::Nonce::try_assume_unique_for_key(nonce).unwrap();
    key.seal_in_place_append_tag(nonce, aead::Aad::from(aad), &mut in_out).unwrap();
    in_out
}

fn ring_open(alg: &'static aead::Algorithm, key: &[u8], nonce: &[u8], aad: &[u8], ct: &[u8]) -> Option<Vec<u8>> {
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(alg, key).unwrap());
    let mut in_out = ct.to_vec();
    let nonce = aead::Nonce::try_assume_unique_for_key(nonce).unwrap();
    key.open_in_place(nonce, aead::Aad::from(aad), &mut in_out).ok().map(|pt| pt.to_vec())
}

/// HChaCha20 (draft-irtf-cfrg-xchacha §2.2), written out here: ring has ChaCha20-Poly1305 but not the X variant,
/// which is ChaCha20-Poly1305 under the HChaCha20 subkey of the nonce's first 16 bytes.
fn hchacha20(key: &[u8], nonce: &[u8]) -> [u8; 32] {
    let word = |b: &[u8], i: usize| u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap());
    let mut s = [0u32; 16];
    s[..4].copy_from_slice(&[0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574]);
    for i in 0..8 {
        s[4 + i] = word(key, i);
    }
    for i in 0..4 {
        s[12 + i] = word(nonce, i);
    }
    let qr = |s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize| {
        s[a] = s[a].wrapping_add(s[b]);
        s[d] = (s[d] ^ s[a]).rotate_left(16);
        s[c] = s[c].wrapping_add(s[d]);
        s[b] = (s[b] ^ s[c]).rotate_left(12);
        s[a] = s[a].wrapping_add(s[b]);
        s[d] = (s[d] ^ s[a]).rotate_left(8);
        s[c] = s[c].wrapping_add(s[d]);
        s[b] = (s[b] ^ s[c]).rotate_left(7);
    };
    for _ in 0..10 {
        qr(&mut s, 0, 4, 8, 12);
        qr(&mut s, 1, 5, 9, 13);
        qr(&mut s, 2, 6, 10, 14);
        qr(&mut s, 3, 7, 11, 15);
        qr(&mut s, 0, 5, 10, 15);
        qr(&mut s, 1, 6, 11, 12);
        qr(&mut s, 2, 7, 8, 13);
        qr(&mut s, 3, 4, 9, 14);
    }
    let mut subkey = [0; 32];
    for (i, w) in s[..4].iter().chain(&s[12..]).enumerate() {
        subkey[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
    }
    subkey
}

/// XChaCha20-Poly1305 as (ChaCha20-Poly1305 key, 96-bit nonce).
fn xchacha_to_chacha(key: &[u8], nonce: &[u8]) -> ([u8; 32], Vec<u8>) {
    (hchacha20(key, &nonce[..16]), [&[0; 4], &nonce[16..]].concat())
}

#[test]
fn hchacha20_matches_the_draft_test_vector() {
    let key: Vec<u8> = (0..32).collect();
    let nonce = hex::decode("000000090000004a0000000031415927").unwrap();
    assert_eq!(
        hex::encode(hchacha20(&key, &nonce)),
        "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc"
    );
}

#[test]
fn aeads_match_ring_both_ways() {
    let g = Guest::new();
    let algs = [
        ("AES-128-GCM", &aead::AES_128_GCM, 16),
        ("AES-256-GCM", &aead::AES_256_GCM, 32),
        ("CHACHA20-POLY1305", &aead::CHACHA20_POLY1305, 32),
        ("XCHACHA20-POLY1305", &aead::CHACHA20_POLY1305, 32),
    ];
    for (name, alg, key_len) in algs {
        let xchacha = name.starts_with('X');
        for (aad, msg) in [(random(13), random(100)), (Vec::new(), Vec::new()), (random(1), random(1000))] {
            let (key, nonce) = (random(key_len), random(if xchacha { 24 } else { 12 }));
            let (ring_key, ring_nonce) = if xchacha {
                let (k, n) = xchacha_to_chacha(&key, &nonce);
                (k.to_vec(), n)
            } else {
                (key.clone(), nonce.clone())
            };
            let [k, n, a, m] = [&key, &nonce, &aad, &msg].map(hex::encode);
            // The guest seals what ring seals, and opens it.
            let expected = ring_seal(alg, &ring_key, &ring_nonce, &aad, &msg);
            let ct = g.run(&["seal", name, &k, &n, &a, &m]).hex("ct");
            assert_eq!(hex::encode(&ct), hex::encode(&expected), "{name}");
            assert_eq!(ring_open(alg, &ring_key, &ring_nonce, &aad, &ct).as_deref(), Some(msg.as_slice()), "{name}");
            assert_eq!(g.run(&["open", name, &k, &n, &a, &hex::encode(&expected)]).hex("pt"), msg, "{name}");
            // Tampered ciphertext, tag or associated data: invalid_tag.
            for at in [0, expected.len() - 1] {
                let bad = hex::encode(flipped(&expected, at));
                assert_eq!(g.run(&["open", name, &k, &n, &a, &bad]).1.trim(), INVALID_TAG, "{name}");
            }
            let other_aad = hex::encode([aad.as_slice(), b"!"].concat());
            assert_eq!(g.run(&["open", name, &k, &n, &other_aad, &hex::encode(&expected)]).1.trim(), INVALID_TAG);
        }
        if xchacha {
            // Without a nonce the plugin draws one; ring opens with it.
            let (key, aad, msg) = (random(32), random(7), random(64));
            let lines = g.run(&["seal", name, &hex::encode(&key), "", &hex::encode(&aad), &hex::encode(&msg)]);
            let nonce = lines.hex("nonce");
            assert_eq!(nonce.len(), 24);
            let (ring_key, ring_nonce) = xchacha_to_chacha(&key, &nonce);
            assert_eq!(ring_open(alg, &ring_key, &ring_nonce, &aad, &lines.hex("ct")), Some(msg));
        }
    }
}

/// One DER element at the start of `der`: (tag, contents, the rest).
fn tlv(der: &[u8]) -> (u8, &[u8], &[u8]) {
    let (len, header) = match der[1] {
        n if n < 0x80 => (usize::from(n), 2),
        0x81 => (usize::from(der[2]), 3),
        0x82 => (usize::from(u16::from_be_bytes([der[2], der[3]])), 4),
        n => panic!("DER length form {n:#x}"),
    };
    (der[0], &der[header..header + len], &der[header + len..])
}

/// A SubjectPublicKeyInfo: (the algorithm identifier's contents, the public key).
fn spki(der: &[u8]) -> (&[u8], &[u8]) {
    let (tag, seq, rest) = tlv(der);
    assert!(tag == 0x30 && rest.is_empty(), "not an SPKI: {}", hex::encode(der));
    let (tag, alg, rest) = tlv(seq);
    assert_eq!(tag, 0x30);
    let (tag, bits, rest) = tlv(rest);
    assert!(tag == 0x03 && rest.is_empty() && bits[0] == 0);
    (alg, &bits[1..])
}

/// The SPKI prefixes of uncompressed EC points (the algorithm identifier, then the BIT STRING's header).
const P256_SPKI: &str = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
const P384_SPKI: &str = "3076301006072a8648ce3d020106052b81040022036200";
const K256_SPKI: &str = "3056301006072a8648ce3d020106052b8104000a034200";

#[test]
fn ed25519_matches_ring_both_ways() {
    let g = Guest::new();
    let rng = SystemRandom::new();
    for msg in [random(40), Vec::new()] {
        let m = hex::encode(&msg);
        // The guest signs; ring verifies.
        let lines = g.run(&["sign", "Ed25519", &m]);
        let (pk, signature, kp) = (lines.hex("pk"), lines.hex("sig"), lines.hex("kp"));
        assert_eq!((pk.len(), signature.len()), (32, 64));
        let ring_pk = sig::UnparsedPublicKey::new(&sig::ED25519, &pk);
        ring_pk.verify(&msg, &signature).unwrap();
        assert!(ring_pk.verify(&msg, &flipped(&signature, 10)).is_err());
        assert!(ring_pk.verify(b"other", &signature).is_err());
        // The raw key pair is seed || public key; ring derives the same key from the seed, and signs alike.
        assert_eq!(kp.len(), 64);
        let ring_kp = sig::Ed25519KeyPair::from_seed_and_public_key(&kp[..32], &kp[32..]).unwrap();
        assert_eq!(ring_kp.public_key().as_ref(), pk.as_slice());
        assert_eq!(ring_kp.sign(&msg).as_ref(), signature.as_slice());
        // ring signs; the guest verifies.
        let pkcs8 = sig::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let ring_kp = sig::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let (pk, signature) = (ring_kp.public_key().as_ref().to_vec(), ring_kp.sign(&msg).as_ref().to_vec());
        assert_eq!(g.verify("Ed25519", PK_RAW, &pk, SIG_RAW, &signature, &msg), "valid");
        assert!(g.verify("Ed25519", PK_RAW, &pk, SIG_RAW, &flipped(&signature, 40), &msg).starts_with("invalid "));
        assert!(g.verify("Ed25519", PK_RAW, &pk, SIG_RAW, &signature, b"other").starts_with("invalid "));
    }
}

#[test]
fn ecdsa_p256_and_p384_match_ring_both_ways() {
    let g = Guest::new();
    let rng = SystemRandom::new();
    let algs = [
        (
            "ECDSA_P256_SHA256",
            P256_SPKI,
            32,
            [&sig::ECDSA_P256_SHA256_FIXED, &sig::ECDSA_P256_SHA256_ASN1],
            [&sig::ECDSA_P256_SHA256_FIXED_SIGNING, &sig::ECDSA_P256_SHA256_ASN1_SIGNING],
        ),
        (
            "ECDSA_P384_SHA384",
            P384_SPKI,
            48,
            [&sig::ECDSA_P384_SHA384_FIXED, &sig::ECDSA_P384_SHA384_ASN1],
            [&sig::ECDSA_P384_SHA384_FIXED_SIGNING, &sig::ECDSA_P384_SHA384_ASN1_SIGNING],
        ),
    ];
    for (name, spki_prefix, width, [fixed, asn1], [fixed_signing, asn1_signing]) in algs {
        for msg in [random(77), Vec::new()] {
            let m = hex::encode(&msg);
            // The guest signs; ring verifies both formats; the SPKI is the canonical one.
            let lines = g.run(&["sign", name, &m]);
            let (pk, raw, der) = (lines.hex("pk"), lines.hex("sig"), lines.hex("der"));
            assert!(hex::encode(&pk).starts_with(spki_prefix), "{name} SPKI {}", hex::encode(&pk));
            let point = spki(&pk).1;
            assert_eq!((point.len(), raw.len()), (2 * width + 1, 2 * width), "{name}");
            sig::UnparsedPublicKey::new(fixed, point).verify(&msg, &raw).unwrap();
            sig::UnparsedPublicKey::new(asn1, point).verify(&msg, &der).unwrap();
            assert!(sig::UnparsedPublicKey::new(fixed, point).verify(&msg, &flipped(&raw, width + 3)).is_err());
            assert!(sig::UnparsedPublicKey::new(asn1, point).verify(b"other", &der).is_err());
            // ring reads the guest's PKCS#8 key pair: the same public key.
            let ring_kp = sig::EcdsaKeyPair::from_pkcs8(fixed_signing, &lines.hex("kp"), &rng).unwrap();
            assert_eq!(ring_kp.public_key().as_ref(), point, "{name}");
            // ring signs (its own key, both formats); the guest verifies, with the key as SEC and as SPKI.
            let pkcs8 = sig::EcdsaKeyPair::generate_pkcs8(fixed_signing, &rng).unwrap();
            let ring_kp = sig::EcdsaKeyPair::from_pkcs8(fixed_signing, pkcs8.as_ref(), &rng).unwrap();
            let point = ring_kp.public_key().as_ref().to_vec();
            let spki_der = [hex::decode(spki_prefix).unwrap(), point.clone()].concat();
            let raw = ring_kp.sign(&rng, &msg).unwrap().as_ref().to_vec();
            let asn1_kp = sig::EcdsaKeyPair::from_pkcs8(asn1_signing, pkcs8.as_ref(), &rng).unwrap();
            let der = asn1_kp.sign(&rng, &msg).unwrap().as_ref().to_vec();
            assert_eq!(g.verify(name, PK_SEC, &point, SIG_RAW, &raw, &msg), "valid", "{name}");
            assert_eq!(g.verify(name, PK_PKCS8, &spki_der, SIG_DER, &der, &msg), "valid", "{name}");
            assert_eq!(g.verify(name, PK_SEC, &point, SIG_DER, &der, &msg), "valid", "{name}");
            assert!(g.verify(name, PK_SEC, &point, SIG_RAW, &flipped(&raw, 5), &msg).starts_with("invalid "));
            assert!(g.verify(name, PK_SEC, &point, SIG_RAW, &flipped(&raw, width + 5), &msg).starts_with("invalid "));
            assert!(g.verify(name, PK_PKCS8, &spki_der, SIG_DER, &der, b"other").starts_with("invalid "));
            // The guest imports ring's PKCS#8 key pair and signs for ring's public key.
            let lines = g.run(&["sign", name, &m, KP_PKCS8, &hex::encode(pkcs8.as_ref())]);
            assert_eq!(spki(&lines.hex("pk")).1, point.as_slice());
            sig::UnparsedPublicKey::new(fixed, &point).verify(&msg, &lines.hex("sig")).unwrap();
        }
    }
}

/// An RSA signature algorithm: its wasi-crypto name, modulus bits, ring's verification and signing algorithms,
/// whether signing is deterministic (PKCS#1 v1.5).
type RsaCase = (&'static str, usize, &'static sig::RsaParameters, &'static dyn sig::RsaEncoding, bool);

const RSA: &[RsaCase] = &[
    ("RSA_PKCS1_2048_SHA256", 2048, &sig::RSA_PKCS1_2048_8192_SHA256, &sig::RSA_PKCS1_SHA256, true),
    ("RSA_PKCS1_2048_SHA384", 2048, &sig::RSA_PKCS1_2048_8192_SHA384, &sig::RSA_PKCS1_SHA384, true),
    ("RSA_PKCS1_2048_SHA512", 2048, &sig::RSA_PKCS1_2048_8192_SHA512, &sig::RSA_PKCS1_SHA512, true),
    ("RSA_PKCS1_3072_SHA384", 3072, &sig::RSA_PKCS1_2048_8192_SHA384, &sig::RSA_PKCS1_SHA384, true),
    ("RSA_PKCS1_3072_SHA512", 3072, &sig::RSA_PKCS1_2048_8192_SHA512, &sig::RSA_PKCS1_SHA512, true),
    ("RSA_PKCS1_4096_SHA512", 4096, &sig::RSA_PKCS1_2048_8192_SHA512, &sig::RSA_PKCS1_SHA512, true),
    ("RSA_PSS_2048_SHA256", 2048, &sig::RSA_PSS_2048_8192_SHA256, &sig::RSA_PSS_SHA256, false),
    ("RSA_PSS_2048_SHA384", 2048, &sig::RSA_PSS_2048_8192_SHA384, &sig::RSA_PSS_SHA384, false),
    ("RSA_PSS_2048_SHA512", 2048, &sig::RSA_PSS_2048_8192_SHA512, &sig::RSA_PSS_SHA512, false),
    ("RSA_PSS_3072_SHA384", 3072, &sig::RSA_PSS_2048_8192_SHA384, &sig::RSA_PSS_SHA384, false),
    ("RSA_PSS_3072_SHA512", 3072, &sig::RSA_PSS_2048_8192_SHA512, &sig::RSA_PSS_SHA512, false),
    ("RSA_PSS_4096_SHA512", 4096, &sig::RSA_PSS_2048_8192_SHA512, &sig::RSA_PSS_SHA512, false),
];

#[test]
fn rsa_matches_ring_both_ways() {
    let g = Guest::new();
    let rng = SystemRandom::new();
    for &(name, bits, verification, signing, deterministic) in RSA {
        let msg = random(100);
        // The guest generates a key pair and signs; the SPKI holds an RSAPublicKey of the right size, e = 65537.
        let lines = g.run(&["sign", name, &hex::encode(&msg)]);
        let (pk, signature, kp) = (lines.hex("pk"), lines.hex("sig"), lines.hex("kp"));
        let (alg_id, rsa_pk) = spki(&pk);
        assert_eq!(hex::encode(alg_id), "06092a864886f70d0101010500", "{name}: rsaEncryption, NULL");
        let (_, ints, _) = tlv(rsa_pk);
        let (_, n, rest) = tlv(ints);
        let (_, e, _) = tlv(rest);
        let n = if n[0] == 0 { &n[1..] } else { n };
        assert_eq!((n.len() * 8, n[0] >= 0x80, e), (bits, true, &[1, 0, 1][..]), "{name}");
        assert_eq!(signature.len(), bits / 8, "{name}");
        // ring verifies it, and not a tampered one or another message.
        let ring_pk = sig::UnparsedPublicKey::new(verification, rsa_pk);
        ring_pk.verify(&msg, &signature).unwrap_or_else(|_| panic!("{name}: ring rejects the guest's signature"));
        assert!(ring_pk.verify(&msg, &flipped(&signature, 17)).is_err());
        assert!(ring_pk.verify(b"other", &signature).is_err());
        // ring reads the guest's PKCS#8 key pair (checking its consistency) and signs; the guest verifies.
        let ring_kp = sig::RsaKeyPair::from_pkcs8(&kp).unwrap_or_else(|e| panic!("{name}: ring rejects the key: {e}"));
        assert_eq!(ring_kp.public().modulus_len(), bits / 8);
        let mut ring_sig = vec![0; ring_kp.public().modulus_len()];
        ring_kp.sign(signing, &rng, &msg, &mut ring_sig).unwrap();
        if deterministic {
            assert_eq!(hex::encode(&ring_sig), hex::encode(&signature), "{name}: PKCS#1 v1.5 is deterministic");
        }
        assert_eq!(g.verify(name, PK_PKCS8, &pk, SIG_RAW, &ring_sig, &msg), "valid", "{name}");
        assert!(g.verify(name, PK_PKCS8, &pk, SIG_RAW, &flipped(&ring_sig, 100), &msg).starts_with("invalid "));
        assert!(g.verify(name, PK_PKCS8, &pk, SIG_RAW, &ring_sig, b"other").starts_with("invalid "));
        // The guest imports the key pair back and signs again.
        let again = g.run(&["sign", name, &hex::encode(&msg), KP_PKCS8, &hex::encode(&kp)]);
        assert_eq!(again.hex("pk"), pk);
        ring_pk.verify(&msg, &again.hex("sig")).unwrap();
    }
}

#[test]
fn ecdsa_k256_matches_libsecp256k1_both_ways() {
    use secp256k1::{Message, PublicKey, Secp256k1, SecretKey, ecdsa::Signature};
    let g = Guest::new();
    let secp = Secp256k1::new();
    let name = "ECDSA_K256_SHA256";
    for msg in [random(64), Vec::new()] {
        let digest: [u8; 32] = digest::digest(&digest::SHA256, &msg).as_ref().try_into().unwrap();
        let message = Message::from_digest(digest);
        // The guest signs; libsecp256k1 verifies both formats (it takes only low-S signatures).
        let lines = g.run(&["sign", name, &hex::encode(&msg)]);
        let pk = lines.hex("pk");
        assert!(hex::encode(&pk).starts_with(K256_SPKI), "SPKI {}", hex::encode(&pk));
        let pk = PublicKey::from_slice(spki(&pk).1).unwrap();
        let raw = Signature::from_compact(&lines.hex("sig")).unwrap();
        secp.verify_ecdsa(&message, &raw, &pk).expect("libsecp256k1 verifies the raw signature");
        let der = Signature::from_der(&lines.hex("der")).unwrap();
        assert_eq!(der, raw);
        let other = Message::from_digest(digest::digest(&digest::SHA256, b"other").as_ref().try_into().unwrap());
        assert!(secp.verify_ecdsa(&other, &raw, &pk).is_err());
        if let Ok(tampered) = Signature::from_compact(&flipped(&lines.hex("sig"), 40)) {
            assert!(secp.verify_ecdsa(&message, &tampered, &pk).is_err());
        }
        // libsecp256k1 signs; the guest verifies with the key compressed, uncompressed and as SPKI.
        let sk = loop {
            if let Ok(sk) = SecretKey::from_slice(&random(32)) {
                break sk;
            }
        };
        let pk = PublicKey::from_secret_key(&secp, &sk);
        let signature = secp.sign_ecdsa(&message, &sk);
        let (compact, der) = (signature.serialize_compact(), signature.serialize_der());
        let spki_der = [hex::decode(K256_SPKI).unwrap(), pk.serialize_uncompressed().to_vec()].concat();
        assert_eq!(g.verify(name, PK_SEC, &pk.serialize_uncompressed(), SIG_RAW, &compact, &msg), "valid");
        assert_eq!(g.verify(name, PK_SEC, &pk.serialize(), SIG_DER, &der, &msg), "valid");
        assert_eq!(g.verify(name, PK_PKCS8, &spki_der, SIG_RAW, &compact, &msg), "valid");
        assert!(g.verify(name, PK_SEC, &pk.serialize(), SIG_RAW, &flipped(&compact, 50), &msg).starts_with("invalid "));
        assert!(g.verify(name, PK_SEC, &pk.serialize(), SIG_RAW, &compact, b"other").starts_with("invalid "));
    }
}

#[test]
fn key_exchange_matches_ring() {
    let g = Guest::new();
    let rng = SystemRandom::new();
    for (name, alg, shared_len) in [
        ("X25519", &agreement::X25519, 32),
        ("P256-SHA256", &agreement::ECDH_P256, 32),
        ("P384-SHA384", &agreement::ECDH_P384, 48),
    ] {
        for _ in 0..2 {
            // ring's ephemeral key to the guest; the guest's public key to ring; one shared secret.
            let ring_sk = agreement::EphemeralPrivateKey::generate(alg, &rng).unwrap();
            let ring_pk = ring_sk.compute_public_key().unwrap();
            let lines = g.run(&["dh", name, &hex::encode(ring_pk.as_ref())]);
            let guest_pk = lines.hex("pk");
            let shared =
                agreement::agree_ephemeral(ring_sk, &agreement::UnparsedPublicKey::new(alg, &guest_pk), |k| k.to_vec())
                    .unwrap_or_else(|_| panic!("{name}: ring rejects the guest's public key"));
            assert_eq!(shared.len(), shared_len);
            assert_eq!(hex::encode(lines.hex("shared")), hex::encode(&shared), "{name}");
        }
        if name != "X25519" {
            // A point off the curve is refused, not multiplied.
            let ring_sk = agreement::EphemeralPrivateKey::generate(alg, &rng).unwrap();
            let point = ring_sk.compute_public_key().unwrap().as_ref().to_vec();
            let bad = flipped(&point, point.len() - 1);
            let o = g.wasmedge(&[&guest_wasm(), "dh", name, &hex::encode(bad)]);
            assert_eq!(o.status.code(), Some(1), "{name}: {}", out(&o));
            assert!(String::from_utf8_lossy(&o.stderr).contains("publickey_import"), "{name}");
        }
    }
}

#[test]
fn every_test_passes_under_the_compiler() {
    common::rerun_under_the_compiler("every_test_passes_under_the_compiler");
}
