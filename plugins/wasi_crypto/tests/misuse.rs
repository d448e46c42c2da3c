//! Misuse of the wasi_crypto plugin through its guest-facing functions: tampered inputs, missing or wrong
//! nonces, nonce reuse, wrong keys, stale, forged and mistyped handles, an exhausted handle table, guest
//! pointers outside memory (an errno, never a trap), streamed array outputs, too-small buffers, and the
//! functions the plugin does not implement. The expected codes are the plugin's contract (its README).

mod common;

use common::*;

const AEADS: &[(&str, usize, usize)] =
    &[("AES-128-GCM", 16, 12), ("AES-256-GCM", 32, 12), ("CHACHA20-POLY1305", 32, 12), ("XCHACHA20-POLY1305", 32, 24)];

fn key_for(len: usize) -> Vec<u8> {
    (0..len as u8).map(|i| i.wrapping_mul(7).wrapping_add(1)).collect()
}

fn expect<T: std::fmt::Debug>(what: &str, r: R<T>, code: u16) {
    if let Err(e) = fails_with(what, r, code) {
        panic!("{e}");
    }
}

// ---- AEADs ----

#[test]
fn aead_tampered_ciphertext_tag_and_aad_are_refused_and_zeroed() {
    let mut g = Guest::new();
    let msg = b"attack at dawn, bring snacks".to_vec();
    for &(alg, key_len, nonce_len) in AEADS {
        let key = key_for(key_len);
        let nonce = vec![9u8; nonce_len];
        let st = g.aead_state(alg, &key, Some(&nonce), b"header").unwrap();
        let ct = g.symmetric_state_encrypt(st, &msg, msg.len() + 16).unwrap();
        g.symmetric_state_close(st).unwrap();
        assert_eq!(ct.len(), msg.len() + 16, "{alg}");

        let decrypt = |g: &mut Guest, data: &[u8], aad: &[u8]| {
            let st = g.aead_state(alg, &key, Some(&nonce), aad).unwrap();
            let r = g.symmetric_state_decrypt_raw(st, data, msg.len());
            g.symmetric_state_close(st).unwrap();
            r
        };
        // Untampered: decrypts.
        let (e, out, n) = decrypt(&mut g, &ct, b"header");
        assert_eq!((e, n as usize), (0, msg.len()), "{alg}");
        assert_eq!(out, msg, "{alg}");
        // Each byte of the ciphertext and of the tag flipped in turn, and a tampered AAD.
        for i in (0..ct.len()).step_by(3).chain([ct.len() - 1]) {
            let mut bad = ct.clone();
            bad[i] ^= 0x01;
            let (e, out, _) = decrypt(&mut g, &bad, b"header");
            assert_eq!(e, errno::INVALID_TAG, "{alg}: byte {i} flipped");
            assert!(out.iter().all(|&b| b == 0), "{alg}: byte {i} flipped, output not zeroed: {out:?}");
        }
        let (e, out, _) = decrypt(&mut g, &ct, b"headeR");
        assert_eq!(e, errno::INVALID_TAG, "{alg}: tampered AAD");
        assert!(out.iter().all(|&b| b == 0), "{alg}: tampered AAD, output not zeroed");

        // Detached: a tampered tag and a tampered ciphertext.
        let (body, tag) = ct.split_at(msg.len());
        let mut bad_tag = tag.to_vec();
        bad_tag[15] ^= 0x80;
        let mut bad_body = body.to_vec();
        bad_body[0] ^= 0x80;
        for (data, t) in [(body, &bad_tag[..]), (&bad_body[..], tag)] {
            let st = g.aead_state(alg, &key, Some(&nonce), b"header").unwrap();
            let (e, out, _) = g.symmetric_state_decrypt_detached_raw(st, data, t, msg.len());
            g.symmetric_state_close(st).unwrap();
            assert_eq!(e, errno::INVALID_TAG, "{alg}: detached, tampered");
            assert!(out.iter().all(|&b| b == 0), "{alg}: detached, output not zeroed");
        }
        // A shortened tag is not a tag.
        let st = g.aead_state(alg, &key, Some(&nonce), b"header").unwrap();
        let r = g.symmetric_state_decrypt_detached(st, body, &tag[..12], msg.len());
        g.symmetric_state_close(st).unwrap();
        assert!(r.is_err(), "{alg}: a 12-byte tag was accepted");
    }
}

#[test]
fn aead_96_bit_nonce_is_required() {
    let mut g = Guest::new();
    for &(alg, key_len, _) in &AEADS[..3] {
        let key = key_for(key_len);
        // No options at all.
        expect(&format!("{alg} without options"), g.aead_state(alg, &key, None, b""), errno::NONCE_REQUIRED);
        // Options without a nonce.
        let k = g.symmetric_key_import(alg, &key).unwrap();
        let o = g.options_open(alg_type::SYMMETRIC).unwrap();
        g.options_set_u64(o, "ops_limit", 3).unwrap();
        expect(
            &format!("{alg} with options but no nonce"),
            g.symmetric_state_open(alg, Some(k), Some(o)),
            errno::NONCE_REQUIRED,
        );
        g.options_close(o).unwrap();
        g.symmetric_key_close(k).unwrap();
    }
}

#[test]
fn aead_wrong_nonce_length_is_invalid_nonce() {
    let mut g = Guest::new();
    for &(alg, key_len, nonce_len) in AEADS {
        let key = key_for(key_len);
        for len in [0, 8, nonce_len - 1, nonce_len + 1, 16, 32] {
            if len == nonce_len {
                continue;
            }
            let r = g.aead_state(alg, &key, Some(&vec![1u8; len]), b"");
            expect(&format!("{alg} with a {len}-byte nonce"), r, errno::INVALID_NONCE);
        }
    }
}

#[test]
fn aead_state_encrypts_once() {
    let mut g = Guest::new();
    for &(alg, key_len, nonce_len) in AEADS {
        let key = key_for(key_len);
        let nonce = vec![3u8; nonce_len];
        let st = g.aead_state(alg, &key, Some(&nonce), b"").unwrap();
        g.symmetric_state_encrypt(st, b"one", 19).unwrap();
        expect(&format!("{alg}: second encrypt"), g.symmetric_state_encrypt(st, b"two", 19), errno::INVALID_OPERATION);
        expect(
            &format!("{alg}: encrypt_detached after encrypt"),
            g.symmetric_state_encrypt_detached(st, b"two", 3),
            errno::INVALID_OPERATION,
        );
        g.symmetric_state_close(st).unwrap();

        let st = g.aead_state(alg, &key, Some(&nonce), b"").unwrap();
        let (_, tag) = g.symmetric_state_encrypt_detached(st, b"one", 3).unwrap();
        g.symmetric_tag_close(tag).unwrap();
        expect(
            &format!("{alg}: encrypt after encrypt_detached"),
            g.symmetric_state_encrypt(st, b"two", 19),
            errno::INVALID_OPERATION,
        );
        g.symmetric_state_close(st).unwrap();
    }
}

#[test]
fn aead_output_buffers_too_small_overflow() {
    let mut g = Guest::new();
    let msg = [7u8; 40];
    for &(alg, key_len, nonce_len) in AEADS {
        let key = key_for(key_len);
        let nonce = vec![5u8; nonce_len];
        let st = g.aead_state(alg, &key, Some(&nonce), b"").unwrap();
        expect(
            &format!("{alg}: encrypt out_len = len + 15"),
            g.symmetric_state_encrypt(st, &msg, msg.len() + 15),
            errno::OVERFLOW,
        );
        g.symmetric_state_close(st).unwrap();
        let st = g.aead_state(alg, &key, Some(&nonce), b"").unwrap();
        expect(
            &format!("{alg}: encrypt_detached out_len = len - 1"),
            g.symmetric_state_encrypt_detached(st, &msg, msg.len() - 1),
            errno::OVERFLOW,
        );
        g.symmetric_state_close(st).unwrap();

        let st = g.aead_state(alg, &key, Some(&nonce), b"").unwrap();
        let ct = g.symmetric_state_encrypt(st, &msg, msg.len() + 16).unwrap();
        g.symmetric_state_close(st).unwrap();
        let st = g.aead_state(alg, &key, Some(&nonce), b"").unwrap();
        expect(
            &format!("{alg}: decrypt out_len = len - 17"),
            g.symmetric_state_decrypt(st, &ct, ct.len() - 17),
            errno::OVERFLOW,
        );
        g.symmetric_state_close(st).unwrap();
        let st = g.aead_state(alg, &key, Some(&nonce), b"").unwrap();
        let (body, tag) = ct.split_at(msg.len());
        expect(
            &format!("{alg}: decrypt_detached out_len = len - 1"),
            g.symmetric_state_decrypt_detached(st, body, tag, body.len() - 1),
            errno::OVERFLOW,
        );
        g.symmetric_state_close(st).unwrap();
        // Exactly sized buffers are fine.
        let st = g.aead_state(alg, &key, Some(&nonce), b"").unwrap();
        assert_eq!(g.symmetric_state_decrypt(st, &ct, msg.len()).unwrap(), msg, "{alg}");
        g.symmetric_state_close(st).unwrap();
    }
}

#[test]
fn xchacha_without_nonce_draws_one() {
    let mut g = Guest::new();
    let key = key_for(32);
    let msg = b"random nonce, read back".to_vec();
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let st = g.aead_state("XCHACHA20-POLY1305", &key, None, b"ad").unwrap();
        let nonce = g.symmetric_state_options_get(st, "nonce", 64).unwrap();
        assert_eq!(nonce.len(), 24, "the drawn nonce: {nonce:?}");
        let ct = g.symmetric_state_encrypt(st, &msg, msg.len() + 16).unwrap();
        g.symmetric_state_close(st).unwrap();
        // Decrypt with that nonce given explicitly.
        let st = g.aead_state("XCHACHA20-POLY1305", &key, Some(&nonce), b"ad").unwrap();
        assert_eq!(g.symmetric_state_decrypt(st, &ct, msg.len()).unwrap(), msg);
        g.symmetric_state_close(st).unwrap();
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "two states drew the same nonce");

    // A given nonce is read back as given (AES-GCM too), and the option name is case-insensitive.
    let k = g.symmetric_key_import("AES-128-GCM", &key_for(16)).unwrap();
    let o = g.options_open(alg_type::SYMMETRIC).unwrap();
    g.options_set(o, "NONCE", &[0x11; 12]).unwrap();
    let st = g.symmetric_state_open("aes-128-gcm", Some(k), Some(o)).unwrap();
    assert_eq!(g.symmetric_state_options_get(st, "nonce", 12).unwrap(), vec![0x11; 12]);
    g.symmetric_state_close(st).unwrap();
}

// ---- keys ----

#[test]
fn wrong_keys_and_key_requirements() {
    let mut g = Guest::new();
    let hmac = g.symmetric_key_import("HMAC/SHA-256", &key_for(32)).unwrap();
    let aes128 = g.symmetric_key_import("AES-128-GCM", &key_for(16)).unwrap();
    let o = g.nonce_options(Some(&[0; 12])).unwrap();
    // A key of another algorithm.
    expect("HMAC key for AES-128-GCM", g.symmetric_state_open("AES-128-GCM", Some(hmac), o), errno::INVALID_KEY);
    expect("AES-128 key for AES-256-GCM", g.symmetric_state_open("AES-256-GCM", Some(aes128), o), errno::INVALID_KEY);
    expect("AES key for HMAC", g.symmetric_state_open("HMAC/SHA-256", Some(aes128), None), errno::INVALID_KEY);
    expect(
        "HMAC/SHA-256 key for HMAC/SHA-512",
        g.symmetric_state_open("HMAC/SHA-512", Some(hmac), None),
        errno::INVALID_KEY,
    );
    // Key required / not supported.
    expect("hash with a key", g.symmetric_state_open("SHA-256", Some(hmac), None), errno::KEY_NOT_SUPPORTED);
    expect("HMAC without a key", g.symmetric_state_open("HMAC/SHA-256", None, None), errno::KEY_REQUIRED);
    expect("AEAD without a key", g.symmetric_state_open("AES-128-GCM", None, o), errno::KEY_REQUIRED);
    expect(
        "HKDF-EXTRACT without a key",
        g.symmetric_state_open("HKDF-EXTRACT/SHA-256", None, None),
        errno::KEY_REQUIRED,
    );
    // Key sizes: AEAD keys are exact, an HKDF-EXPAND key (a PRK) is the hash's length.
    expect("AES-128-GCM key of 15 bytes", g.symmetric_key_import("AES-128-GCM", &key_for(15)), errno::INVALID_KEY);
    expect("AES-256-GCM key of 16 bytes", g.symmetric_key_import("AES-256-GCM", &key_for(16)), errno::INVALID_KEY);
    expect(
        "CHACHA20-POLY1305 key of 33 bytes",
        g.symmetric_key_import("CHACHA20-POLY1305", &key_for(33)),
        errno::INVALID_KEY,
    );
    expect(
        "HKDF-EXPAND/SHA-256 key of 31 bytes",
        g.symmetric_key_import("HKDF-EXPAND/SHA-256", &key_for(31)),
        errno::INVALID_KEY,
    );
    // Keys cannot be generated for hashes.
    assert!(g.symmetric_key_generate("SHA-256", None).is_err());
}

// ---- handles ----

#[test]
fn closed_handles_are_invalid_and_double_close_is_closed() {
    let mut g = Guest::new();
    // options
    let o = g.options_open(alg_type::SYMMETRIC).unwrap();
    g.options_close(o).unwrap();
    expect("options_set on closed options", g.options_set(o, "nonce", &[0; 12]), errno::INVALID_HANDLE);
    expect("options_close twice", g.options_close(o), errno::CLOSED);
    expect("state_open with closed options", g.symmetric_state_open("SHA-256", None, Some(o)), errno::INVALID_HANDLE);
    // symmetric key
    let k = g.symmetric_key_import("HMAC/SHA-256", &key_for(32)).unwrap();
    g.symmetric_key_close(k).unwrap();
    expect(
        "state_open with a closed key",
        g.symmetric_state_open("HMAC/SHA-256", Some(k), None),
        errno::INVALID_HANDLE,
    );
    expect("export of a closed key", g.symmetric_key_export(k), errno::INVALID_HANDLE);
    expect("symmetric_key_close twice", g.symmetric_key_close(k), errno::CLOSED);
    // symmetric state
    let st = g.symmetric_state_open("SHA-256", None, None).unwrap();
    g.symmetric_state_close(st).unwrap();
    expect("absorb on a closed state", g.symmetric_state_absorb(st, b"x"), errno::INVALID_HANDLE);
    expect("squeeze on a closed state", g.symmetric_state_squeeze(st, 32), errno::INVALID_HANDLE);
    expect("clone of a closed state", g.symmetric_state_clone(st), errno::INVALID_HANDLE);
    expect("symmetric_state_close twice", g.symmetric_state_close(st), errno::CLOSED);
    // tag: pull closes it
    let tag = g.mac_tag("HMAC/SHA-256", &key_for(32), b"m").unwrap();
    assert_eq!(g.symmetric_tag_pull(tag, 32).unwrap().len(), 32);
    expect("tag_len after pull", g.symmetric_tag_len(tag), errno::INVALID_HANDLE);
    expect("tag_verify after pull", g.symmetric_tag_verify(tag, &[0; 32]), errno::INVALID_HANDLE);
    expect("tag_close after pull", g.symmetric_tag_close(tag), errno::CLOSED);
    let tag = g.mac_tag("HMAC/SHA-256", &key_for(32), b"m").unwrap();
    g.symmetric_tag_close(tag).unwrap();
    expect("tag_pull after close", g.symmetric_tag_pull(tag, 32), errno::INVALID_HANDLE);
    expect("tag_close twice", g.symmetric_tag_close(tag), errno::CLOSED);
    // array output: closes itself once pulled; explicit pulls after that fail
    let k = g.symmetric_key_import("HMAC/SHA-256", &key_for(32)).unwrap();
    let ao = g.symmetric_key_export(k).unwrap();
    assert_eq!(g.pull(ao).unwrap(), key_for(32));
    expect("array_output_len after the last pull", g.array_output_len(ao), errno::INVALID_HANDLE);
    expect("array_output_pull after the last pull", g.array_output_pull(ao, 32), errno::INVALID_HANDLE);
}

#[test]
fn closed_asymmetric_handles_are_invalid_and_double_close_is_closed() {
    let mut g = Guest::new();
    let kp = g.keypair_generate(alg_type::SIGNATURES, "Ed25519", None).unwrap();
    let pk = g.keypair_publickey(kp).unwrap();
    let sk = g.keypair_secretkey(kp).unwrap();
    let sig = g.sign(kp, b"m").unwrap();
    let vst = g.signature_verification_state_open(pk).unwrap();
    let sst = g.signature_state_open(kp).unwrap();

    g.signature_state_close(sst).unwrap();
    expect("update on a closed signature state", g.signature_state_update(sst, b"x"), errno::INVALID_HANDLE);
    expect("sign on a closed signature state", g.signature_state_sign(sst), errno::INVALID_HANDLE);
    expect("signature_state_close twice", g.signature_state_close(sst), errno::CLOSED);

    g.signature_verification_state_close(vst).unwrap();
    expect(
        "update on a closed verification state",
        g.signature_verification_state_update(vst, b"m"),
        errno::INVALID_HANDLE,
    );
    expect(
        "verify on a closed verification state",
        g.signature_verification_state_verify(vst, sig),
        errno::INVALID_HANDLE,
    );
    expect("verification_state_close twice", g.signature_verification_state_close(vst), errno::CLOSED);

    g.signature_close(sig).unwrap();
    let vst = g.signature_verification_state_open(pk).unwrap();
    expect("verify with a closed signature", g.signature_verification_state_verify(vst, sig), errno::INVALID_HANDLE);
    g.signature_verification_state_close(vst).unwrap();
    expect("export of a closed signature", g.signature_export(sig, sig_enc::RAW), errno::INVALID_HANDLE);
    expect("signature_close twice", g.signature_close(sig), errno::CLOSED);

    g.publickey_close(pk).unwrap();
    expect("export of a closed public key", g.publickey_export(pk, pk_enc::RAW), errno::INVALID_HANDLE);
    expect("verification state of a closed public key", g.signature_verification_state_open(pk), errno::INVALID_HANDLE);
    expect("publickey_close twice", g.publickey_close(pk), errno::CLOSED);

    g.secretkey_close(sk).unwrap();
    expect("export of a closed secret key", g.secretkey_export(sk, sk_enc::RAW), errno::INVALID_HANDLE);
    expect("secretkey_close twice", g.secretkey_close(sk), errno::CLOSED);

    g.keypair_close(kp).unwrap();
    expect("signature state of a closed key pair", g.signature_state_open(kp), errno::INVALID_HANDLE);
    expect("publickey of a closed key pair", g.keypair_publickey(kp), errno::INVALID_HANDLE);
    expect("keypair_close twice", g.keypair_close(kp), errno::CLOSED);
}

#[test]
fn handles_of_another_kind_and_forged_handles_are_invalid() {
    let mut g = Guest::new();
    // One live handle of each symmetric kind (and options, and an array output).
    let o = g.options_open(alg_type::SYMMETRIC).unwrap();
    let k = g.symmetric_key_import("HMAC/SHA-256", &key_for(32)).unwrap();
    let st = g.symmetric_state_open("SHA-256", None, None).unwrap();
    let tag = g.mac_tag("HMAC/SHA-256", &key_for(32), b"m").unwrap();
    let ao = g.symmetric_key_export(k).unwrap();

    for (label, h) in [("options", o), ("key", k), ("tag", tag), ("array_output", ao), ("forged", 0xdead_beef)] {
        expect(&format!("{label} handle as a state"), g.symmetric_state_absorb(h, b"x"), errno::INVALID_HANDLE);
    }
    for (label, h) in [("options", o), ("state", st), ("tag", tag), ("array_output", ao), ("forged", 0x7fff_fff0)] {
        expect(&format!("{label} handle as a key"), g.symmetric_key_export(h), errno::INVALID_HANDLE);
    }
    for (label, h) in [("options", o), ("key", k), ("state", st), ("array_output", ao), ("forged", 12345)] {
        expect(&format!("{label} handle as a tag"), g.symmetric_tag_len(h), errno::INVALID_HANDLE);
    }
    for (label, h) in [("options", o), ("key", k), ("state", st), ("tag", tag), ("forged", u32::MAX)] {
        expect(&format!("{label} handle as an array output"), g.array_output_len(h), errno::INVALID_HANDLE);
    }
    for (label, h) in [("key", k), ("state", st), ("tag", tag), ("array_output", ao), ("forged", 77)] {
        expect(&format!("{label} handle as options"), g.options_set(h, "nonce", &[0; 12]), errno::INVALID_HANDLE);
    }
    // All of them still work as what they are.
    g.options_set(o, "nonce", &[0; 12]).unwrap();
    g.symmetric_state_absorb(st, b"x").unwrap();
    assert_eq!(g.symmetric_tag_len(tag).unwrap(), 32);
    assert_eq!(g.pull(ao).unwrap(), key_for(32));
}

#[test]
fn asymmetric_handles_of_another_kind_are_invalid() {
    let mut g = Guest::new();
    let kp = g.keypair_generate(alg_type::SIGNATURES, "ECDSA_P256_SHA256", None).unwrap();
    let pk = g.keypair_publickey(kp).unwrap();
    let sk = g.keypair_secretkey(kp).unwrap();
    let sig = g.sign(kp, b"m").unwrap();
    let k = g.symmetric_key_import("HMAC/SHA-256", &key_for(32)).unwrap();

    for (label, h) in [("publickey", pk), ("secretkey", sk), ("signature", sig), ("symmetric key", k)] {
        expect(&format!("{label} handle as a key pair"), g.signature_state_open(h), errno::INVALID_HANDLE);
    }
    for (label, h) in [("keypair", kp), ("secretkey", sk), ("signature", sig), ("symmetric key", k)] {
        expect(
            &format!("{label} handle as a public key"),
            g.signature_verification_state_open(h),
            errno::INVALID_HANDLE,
        );
    }
    for (label, h) in [("keypair", kp), ("publickey", pk), ("signature", sig), ("symmetric key", k)] {
        expect(&format!("{label} handle as a secret key"), g.secretkey_export(h, sk_enc::RAW), errno::INVALID_HANDLE);
    }
    let vst = g.signature_verification_state_open(pk).unwrap();
    for (label, h) in [("keypair", kp), ("publickey", pk), ("secretkey", sk), ("symmetric key", k)] {
        expect(
            &format!("{label} handle as a signature"),
            g.signature_verification_state_verify(vst, h),
            errno::INVALID_HANDLE,
        );
    }
    g.signature_verification_state_update(vst, b"m").unwrap();
    g.signature_verification_state_verify(vst, sig).unwrap();
    for (label, h) in [("keypair", kp), ("publickey", pk), ("signature", sig), ("verification state", vst)] {
        expect(
            &format!("{label} handle as a symmetric state"),
            g.symmetric_state_absorb(h, b"x"),
            errno::INVALID_HANDLE,
        );
    }
}

#[test]
fn handle_table_exhaustion_is_too_many_handles() {
    let mut g = Guest::new();
    let mut handles = Vec::with_capacity(65_536);
    for i in 0..65_536 {
        match g.options_open(alg_type::SYMMETRIC) {
            Ok(h) => handles.push(h),
            Err(e) => panic!("options_open #{i} failed with errno {e}"),
        }
        if i % 4096 == 0 {
            g.reset_heap();
        }
    }
    let mut unique = handles.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), handles.len(), "duplicate handles");
    expect("options_open #65,537", g.options_open(alg_type::SYMMETRIC), errno::TOO_MANY_HANDLES);
    // Other kinds have their own tables.
    let k = g.symmetric_key_import("HMAC/SHA-256", &key_for(32)).unwrap();
    g.symmetric_key_close(k).unwrap();
    // Closing one makes room for one.
    g.options_close(handles[1000]).unwrap();
    let h = g.options_open(alg_type::SYMMETRIC).unwrap();
    expect("options_open when full again", g.options_open(alg_type::SYMMETRIC), errno::TOO_MANY_HANDLES);
    g.options_close(h).unwrap();
}

// ---- guest memory ----

/// Every pointer and length is checked: outside the memory is `guest_error` returned as an errno, not a
/// trap.
#[test]
fn pointers_outside_memory_are_guest_error_not_traps() {
    let mut g = Guest::new();
    let m = g.memory_size() as u64;
    let st = g.symmetric_state_open("SHA-256", None, None).unwrap();
    let (alg, alg_len) = g.put_str("SHA-256");
    let (hmac, hmac_len) = g.put_str("HMAC/SHA-256");
    let (ed, ed_len) = g.put_str("Ed25519");
    let (x, x_len) = g.put_str("X25519");
    let (buffer, buffer_len) = g.put_str("buffer");
    let key = g.symmetric_key_import("HMAC/SHA-256", &key_for(32)).unwrap();
    let ao = g.symmetric_key_export(key).unwrap();
    let o = g.options_open(alg_type::SYMMETRIC).unwrap();
    let (name, name_len) = g.put_str("nonce");
    let none = g.opt(None);
    let out = g.out(64);
    let (data, _) = g.put(&[1; 64]);
    let (st, ao, o, key, alg, alg_len, hmac, hmac_len) =
        (st as u64, ao as u64, o as u64, key as u64, alg as u64, alg_len as u64, hmac as u64, hmac_len as u64);
    let (name, name_len, none, out, data) = (name as u64, name_len as u64, none as u64, out as u64, data as u64);
    let (ed, ed_len, x, x_len, buffer, buffer_len) =
        (ed as u64, ed_len as u64, x as u64, x_len as u64, buffer as u64, buffer_len as u64);
    let far = 0xffff_fff0u64;

    let cases: Vec<(&str, &str, Vec<u64>)> = vec![
        // inputs
        (SYMMETRIC, "symmetric_state_absorb", vec![st, m - 4, 100]),
        (SYMMETRIC, "symmetric_state_absorb", vec![st, far, 0x20]),
        (SYMMETRIC, "symmetric_state_absorb", vec![st, data, 0xffff_ffff]),
        (SYMMETRIC, "symmetric_state_absorb", vec![st, m, 1]),
        (SYMMETRIC, "symmetric_state_open", vec![m + 10, 7, none, none, out]),
        (SYMMETRIC, "symmetric_state_open", vec![alg, 0xffff_ffff, none, none, out]),
        (SYMMETRIC, "symmetric_state_open", vec![alg, alg_len, m - 2, none, out]),
        (SYMMETRIC, "symmetric_state_open", vec![alg, alg_len, none, far, out]),
        (SYMMETRIC, "symmetric_key_import", vec![hmac, hmac_len, data, 0x8000_0000, out]),
        (SYMMETRIC, "symmetric_key_import", vec![hmac, hmac_len, far, 32, out]),
        (COMMON, "options_set", vec![o, name, name_len, data, 0xffff_ff00]),
        (COMMON, "options_set", vec![o, far, 5, data, 12]),
        (COMMON, "options_set_u64", vec![o, m - 1, 5, 7]),
        (COMMON, "options_set_guest_buffer", vec![o, buffer, buffer_len, m - 8, 64]),
        (SIGNATURES, "signature_import", vec![ed, ed_len, far, 64, 0, out]),
        (ASYMMETRIC, "publickey_import", vec![0, ed, ed_len, data, 0xffff_ffff, 0, out]),
        (ASYMMETRIC, "keypair_import", vec![0, far, 7, data, 32, 0, out]),
        (ASYMMETRIC, "secretkey_import", vec![2, x, x_len, m - 16, 32, 0, out]),
        // outputs
        (SYMMETRIC, "symmetric_state_squeeze", vec![st, m - 8, 32]),
        (SYMMETRIC, "symmetric_state_squeeze", vec![st, far, 32]),
        (COMMON, "options_open", vec![1, m - 2]),
        (COMMON, "options_open", vec![1, far]),
        (SYMMETRIC, "symmetric_state_open", vec![alg, alg_len, none, none, m - 3]),
        (SYMMETRIC, "symmetric_key_export", vec![key, m]),
        (COMMON, "array_output_len", vec![ao, m - 1]),
        (COMMON, "array_output_pull", vec![ao, m - 4, 32, out]),
        (COMMON, "array_output_pull", vec![ao, out, 32, far]),
        (COMMON, "array_output_pull", vec![ao, out, 0xffff_ffff, out + 40]),
    ];
    for (module, func, args) in &cases {
        match g.try_call(module, func, args) {
            Ok(r) => assert_eq!(r, vec![errno::GUEST_ERROR as u64], "{module}.{func}{args:x?}"),
            Err(trap) => panic!("{module}.{func}{args:x?} trapped: {trap}"),
        }
    }
    // The state and the array output survived the bad calls.
    g.symmetric_state_absorb(st as u32, b"abc").unwrap();
    assert_eq!(
        g.symmetric_state_squeeze(st as u32, 32).unwrap(),
        hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    assert_eq!(g.pull(ao as u32).unwrap(), key_for(32));
}

#[test]
fn aead_pointers_outside_memory_are_guest_error() {
    let mut g = Guest::new();
    let m = g.memory_size() as u64;
    let (data, _) = g.put(&[1; 32]);
    let out = g.out(64) as u64;
    let data = data as u64;
    let (name, name_len) = g.put_str("nonce");
    let (name, name_len) = (name as u64, name_len as u64);
    // `S` stands for a fresh AES-128-GCM state, opened for each call.
    const S: u64 = u64::MAX;
    let cases: Vec<(&str, Vec<u64>)> = vec![
        ("symmetric_state_encrypt", vec![S, m - 16, 48, data, 32, out]),
        ("symmetric_state_encrypt", vec![S, out, 0xffff_fff0, data, 32, out + 56]),
        ("symmetric_state_encrypt", vec![S, out, 48, m - 8, 32, out + 56]),
        ("symmetric_state_encrypt", vec![S, out, 48, data, 32, m]),
        ("symmetric_state_encrypt_detached", vec![S, out, 32, data, 0xffff_ffff, out + 56]),
        ("symmetric_state_encrypt_detached", vec![S, m - 4, 32, data, 32, out + 56]),
        ("symmetric_state_decrypt", vec![S, out, 32, m - 1, 48, out + 56]),
        ("symmetric_state_decrypt", vec![S, m - 8, 32, data, 48, out + 56]),
        ("symmetric_state_decrypt_detached", vec![S, out, 32, data, 32, m - 4, 16, out + 56]),
        ("symmetric_state_absorb", vec![S, m - 1, 2]),
        ("symmetric_state_options_get", vec![S, name, name_len, m - 4, 12, out]),
        ("symmetric_state_options_get", vec![S, m, name_len, out, 12, out + 16]),
        ("symmetric_state_options_get", vec![S, name, name_len, out, 12, m - 2]),
        ("symmetric_state_max_tag_len", vec![S, m - 3]),
    ];
    for (func, args) in &cases {
        let st = g.aead_state("AES-128-GCM", &key_for(16), Some(&[0; 12]), b"").unwrap() as u64;
        let args: Vec<u64> = args.iter().map(|&a| if a == S { st } else { a }).collect();
        match g.try_call(SYMMETRIC, func, &args) {
            Ok(r) => assert_eq!(r, vec![errno::GUEST_ERROR as u64], "{func}{args:x?}"),
            Err(trap) => panic!("{func}{args:x?} trapped: {trap}"),
        }
        g.symmetric_state_close(st as u32).unwrap();
    }
    let tag = g.mac_tag("HMAC/SHA-256", &key_for(32), b"m").unwrap() as u64;
    for args in [vec![tag, m, 16], vec![tag, m - 16, 32], vec![tag, out, 0xffff_ffff]] {
        match g.try_call(SYMMETRIC, "symmetric_tag_verify", &args) {
            Ok(r) => assert_eq!(r, vec![errno::GUEST_ERROR as u64], "symmetric_tag_verify{args:x?}"),
            Err(trap) => panic!("symmetric_tag_verify{args:x?} trapped: {trap}"),
        }
    }
    for args in [vec![tag, m - 8, 32, out], vec![tag, out, 32, m]] {
        match g.try_call(SYMMETRIC, "symmetric_tag_pull", &args) {
            Ok(r) => assert_eq!(r, vec![errno::GUEST_ERROR as u64], "symmetric_tag_pull{args:x?}"),
            Err(trap) => panic!("symmetric_tag_pull{args:x?} trapped: {trap}"),
        }
    }
}

// ---- array outputs and tags ----

#[test]
fn array_output_pulled_in_pieces() {
    let mut g = Guest::new();
    let key = key_for(64);
    let k = g.symmetric_key_import("HMAC/SHA-512", &key).unwrap();
    for piece in [3usize, 1, 7, 64] {
        let ao = g.symmetric_key_export(k).unwrap();
        let mut got = Vec::new();
        while got.len() < key.len() {
            let remaining = g.array_output_len(ao).unwrap() as usize;
            assert_eq!(remaining, key.len() - got.len(), "array_output_len is what is left to pull");
            let chunk = g.array_output_pull(ao, piece).unwrap();
            assert_eq!(chunk.len(), piece.min(remaining), "a pull copies min(remaining, buf_len)");
            got.extend(chunk);
        }
        assert_eq!(got, key, "pieces of {piece}");
        expect("array_output_len after the last piece", g.array_output_len(ao), errno::INVALID_HANDLE);
    }
    // A buffer larger than the output: one pull, the output's length reported.
    let ao = g.symmetric_key_export(k).unwrap();
    assert_eq!(g.array_output_pull(ao, 100).unwrap(), key);
    expect("array_output_pull after everything was pulled", g.array_output_pull(ao, 100), errno::INVALID_HANDLE);
}

#[test]
fn signature_array_output_pulled_in_pieces() {
    let mut g = Guest::new();
    let kp = g.keypair_generate(alg_type::SIGNATURES, "ECDSA_P384_SHA384", None).unwrap();
    let sig = g.sign(kp, b"streamed").unwrap();
    let whole = {
        let ao = g.signature_export(sig, sig_enc::DER).unwrap();
        g.pull(ao).unwrap()
    };
    let ao = g.signature_export(sig, sig_enc::DER).unwrap();
    let mut got = Vec::new();
    loop {
        let chunk = g.array_output_pull(ao, 3).unwrap();
        assert!(!chunk.is_empty() && chunk.len() <= 3);
        got.extend(chunk);
        if got.len() == whole.len() {
            break;
        }
    }
    assert_eq!(got, whole);
    expect("array_output_len after the last piece", g.array_output_len(ao), errno::INVALID_HANDLE);
}

#[test]
fn tag_pull_buffer_sizes() {
    let mut g = Guest::new();
    let full = g.mac("HMAC/SHA-256", &key_for(32), b"msg").unwrap();
    let tag = g.mac_tag("HMAC/SHA-256", &key_for(32), b"msg").unwrap();
    expect("tag_pull into 31 bytes", g.symmetric_tag_pull(tag, 31), errno::OVERFLOW);
    expect("tag_pull into 0 bytes", g.symmetric_tag_pull(tag, 0), errno::OVERFLOW);
    // The refused pull left the tag alone; a larger buffer is fine and gets the tag's length.
    assert_eq!(g.symmetric_tag_len(tag).unwrap(), 32);
    assert_eq!(g.symmetric_tag_pull(tag, 64).unwrap(), full);
    // Verify wants the whole tag.
    let tag = g.mac_tag("HMAC/SHA-256", &key_for(32), b"msg").unwrap();
    expect("tag_verify with 16 bytes", g.symmetric_tag_verify(tag, &full[..16]), errno::INVALID_TAG);
    expect("tag_verify with 33 bytes", g.symmetric_tag_verify(tag, &[&full[..], &[0]].concat()), errno::INVALID_TAG);
    expect("tag_verify with nothing", g.symmetric_tag_verify(tag, &[]), errno::INVALID_TAG);
    g.symmetric_tag_verify(tag, &full).unwrap();
    g.symmetric_tag_close(tag).unwrap();
}

// ---- what the plugin does not do ----

#[test]
fn managed_keys_are_not_implemented() {
    let mut g = Guest::new();
    let nimp = errno::NOT_IMPLEMENTED;
    let o = g.options_open(alg_type::SYMMETRIC).unwrap();
    expect("secrets_manager_open(none)", g.secrets_manager_open(None), nimp);
    expect("secrets_manager_open(options)", g.secrets_manager_open(Some(o)), nimp);
    expect("secrets_manager_close", g.secrets_manager_close(0), nimp);
    expect("secrets_manager_invalidate", g.secrets_manager_invalidate(0, b"id", 1), nimp);
    let k = g.symmetric_key_import("AES-128-GCM", &key_for(16)).unwrap();
    expect("symmetric_key_generate_managed", g.symmetric_key_generate_managed(0, "AES-128-GCM", None), nimp);
    expect("symmetric_key_store_managed", g.symmetric_key_store_managed(0, k, 64), nimp);
    expect("symmetric_key_replace_managed", g.symmetric_key_replace_managed(0, k, k), nimp);
    expect("symmetric_key_id", g.symmetric_key_id(k, 64), nimp);
    expect("symmetric_key_from_id", g.symmetric_key_from_id(0, b"id", 1), nimp);
}

#[test]
fn managed_keypairs_are_not_implemented() {
    let mut g = Guest::new();
    let nimp = errno::NOT_IMPLEMENTED;
    let kp = g.keypair_generate(alg_type::SIGNATURES, "Ed25519", None).unwrap();
    expect("keypair_generate_managed", g.keypair_generate_managed(0, alg_type::SIGNATURES, "Ed25519", None), nimp);
    expect("keypair_store_managed", g.keypair_store_managed(0, kp, 64), nimp);
    expect("keypair_replace_managed", g.keypair_replace_managed(0, kp, kp), nimp);
    expect("keypair_id", g.keypair_id(kp, 64), nimp);
    expect("keypair_from_id", g.keypair_from_id(0, b"id", 1), nimp);
}

#[test]
fn unknown_algorithms_are_unsupported() {
    let mut g = Guest::new();
    let unsup = errno::UNSUPPORTED_ALGORITHM;
    for alg in ["SHA-1", "SHA3-256", "AES-192-GCM", "HMAC/SHA-384", "NOPE", ""] {
        expect(&format!("symmetric_state_open({alg:?})"), g.symmetric_state_open(alg, None, None), unsup);
        expect(&format!("symmetric_key_generate({alg:?})"), g.symmetric_key_generate(alg, None), unsup);
        expect(&format!("symmetric_key_import({alg:?})"), g.symmetric_key_import(alg, &key_for(16)), unsup);
    }
    expect("options_open(3)", g.options_open(3), unsup);
    expect("options_open(0xffff)", g.options_open(0xffff), unsup);
}

#[test]
fn unknown_asymmetric_algorithms_are_unsupported() {
    let mut g = Guest::new();
    let unsup = errno::UNSUPPORTED_ALGORITHM;
    for alg in ["ECDSA_P521_SHA512", "RSA_PKCS1_1024_SHA256", "RSA_PSS_3072_SHA256", "Ed448", "NOPE"] {
        expect(
            &format!("keypair_generate(signatures, {alg:?})"),
            g.keypair_generate(alg_type::SIGNATURES, alg, None),
            unsup,
        );
        expect(&format!("signature_import({alg:?})"), g.signature_import(alg, &[0; 64], sig_enc::RAW), unsup);
    }
    for alg in ["X448", "P521-SHA512", "NOPE"] {
        expect(
            &format!("keypair_generate(key_exchange, {alg:?})"),
            g.keypair_generate(alg_type::KEY_EXCHANGE, alg, None),
            unsup,
        );
    }
    // A name of the other family, and an algorithm type that does not exist.
    expect(
        "keypair_generate(key_exchange, Ed25519)",
        g.keypair_generate(alg_type::KEY_EXCHANGE, "Ed25519", None),
        unsup,
    );
    expect("keypair_generate(signatures, X25519)", g.keypair_generate(alg_type::SIGNATURES, "X25519", None), unsup);
    expect("keypair_generate(7, Ed25519)", g.keypair_generate(7, "Ed25519", None), unsup);
}

#[test]
fn unsupported_encodings() {
    let mut g = Guest::new();
    let enc = errno::UNSUPPORTED_ENCODING;
    let kp = g.keypair_generate(alg_type::SIGNATURES, "Ed25519", None).unwrap();
    let sig = g.sign(kp, b"m").unwrap();
    expect("signature_export(der) of Ed25519", g.signature_export(sig, sig_enc::DER), enc);
    expect(
        "signature_import(der) of Ed25519",
        g.signature_import("Ed25519", &[0x30, 0x06, 2, 1, 1, 2, 1, 1], sig_enc::DER),
        enc,
    );
    expect("signature_export(7)", g.signature_export(sig, 7), enc);
    let pk = g.keypair_publickey(kp).unwrap();
    let sk = g.keypair_secretkey(kp).unwrap();
    expect("keypair_export(local)", g.keypair_export(kp, kp_enc::LOCAL), enc);
    expect("publickey_export(local)", g.publickey_export(pk, pk_enc::LOCAL), enc);
    expect("secretkey_export(local)", g.secretkey_export(sk, sk_enc::LOCAL), enc);
    expect("keypair_import(local)", g.keypair_import(alg_type::SIGNATURES, "Ed25519", &[0; 64], kp_enc::LOCAL), enc);
    expect(
        "publickey_import(local)",
        g.publickey_import(alg_type::SIGNATURES, "Ed25519", &[0; 32], pk_enc::LOCAL),
        enc,
    );
    expect("publickey_export(9)", g.publickey_export(pk, 9), enc);
}

#[test]
fn kem_and_ratchet_are_invalid_operations() {
    let mut g = Guest::new();
    let kp = g.keypair_generate(alg_type::KEY_EXCHANGE, "X25519", None).unwrap();
    let pk = g.keypair_publickey(kp).unwrap();
    let sk = g.keypair_secretkey(kp).unwrap();
    expect("kx_encapsulate(X25519)", g.kx_encapsulate(pk), errno::INVALID_OPERATION);
    expect("kx_decapsulate(X25519)", g.kx_decapsulate(sk, &[0; 32]), errno::INVALID_OPERATION);
}

#[test]
fn ratchet_is_an_invalid_operation() {
    let mut g = Guest::new();
    let st = g.symmetric_state_open("SHA-256", None, None).unwrap();
    expect("symmetric_state_ratchet(SHA-256)", g.symmetric_state_ratchet(st), errno::INVALID_OPERATION);
    let st = g.aead_state("AES-256-GCM", &key_for(32), Some(&[0; 12]), b"").unwrap();
    expect("symmetric_state_ratchet(AES-256-GCM)", g.symmetric_state_ratchet(st), errno::INVALID_OPERATION);
}

#[test]
fn options_names_and_families() {
    let mut g = Guest::new();
    let o = g.options_open(alg_type::SYMMETRIC).unwrap();
    for name in ["context", "salt", "nonce", "Nonce"] {
        g.options_set(o, name, b"0123456789ab").unwrap_or_else(|e| panic!("options_set({name:?}): errno {e}"));
    }
    for name in ["memory_limit", "ops_limit", "PARALLELISM"] {
        g.options_set_u64(o, name, 2).unwrap_or_else(|e| panic!("options_set_u64({name:?}): errno {e}"));
    }
    let buf = g.out(32);
    g.options_set_guest_buffer(o, "buffer", buf, 32).unwrap();
    expect("options_set(\"colour\")", g.options_set(o, "colour", b"x"), errno::UNSUPPORTED_OPTION);
    expect("options_set_u64(\"colour\")", g.options_set_u64(o, "colour", 1), errno::UNSUPPORTED_OPTION);
    for t in [alg_type::SIGNATURES, alg_type::KEY_EXCHANGE] {
        let o = g.options_open(t).unwrap();
        expect(
            &format!("options_set(nonce) on type {t}"),
            g.options_set(o, "nonce", &[0; 12]),
            errno::UNSUPPORTED_OPTION,
        );
        expect(
            &format!("options_set_u64(ops_limit) on type {t}"),
            g.options_set_u64(o, "ops_limit", 1),
            errno::UNSUPPORTED_OPTION,
        );
        g.options_close(o).unwrap();
    }
}
