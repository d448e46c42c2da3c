//! Known-answer tests of every algorithm of the wasi_crypto plugin, run through the guest-facing functions
//! (WasmEdge's wasm ABI) on the SDK's test harness: FIPS 180-4, RFC 4231, RFC 5869, RFC 6979, RFC 7748 and
//! RFC 8032 examples, the Wycheproof sets, and round trips where no vector applies.
//!
//! Each test prints `<family>: N passed, N failed, N skipped[, N acceptable]` (see it with `--nocapture`).

mod common;

use common::*;
use wycheproof::{HashFunction, TestResult};

// ---------------------------------------------------------------------------------------------------------
// SHA-2 (FIPS 180-4 / NIST CSRC examples)
// ---------------------------------------------------------------------------------------------------------

const MSG448: &str = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const MSG896: &str =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

/// (algorithm, message id, digest): message ids "abc", "" (empty), "448", "896", "million" (10^6 × 'a').
const SHA2: &[(&str, &str, &str)] = &[
    ("SHA-256", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ("SHA-256", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("SHA-256", "448", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ("SHA-256", "896", "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ("SHA-256", "million", "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    (
        "SHA-512",
        "abc",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    ),
    (
        "SHA-512",
        "",
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
    ),
    (
        "SHA-512",
        "448",
        "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445",
    ),
    (
        "SHA-512",
        "896",
        "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
    ),
    (
        "SHA-512",
        "million",
        "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b",
    ),
    ("SHA-512/256", "abc", "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"),
    ("SHA-512/256", "", "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a"),
    ("SHA-512/256", "448", "bde8e1f9f19bb9fd3406c90ec6bc47bd36d8ada9f11880dbc8a22a7078b6a461"),
    ("SHA-512/256", "896", "3928e184fb8690f840da3988121d31be65cb9d3ef83ee6146feac861e19b563a"),
    ("SHA-512/256", "million", "9a59a052930187a97038cae692f30708aa6491923ef5194394dc68d56c74fb21"),
];

fn sha2_message(id: &str) -> Vec<u8> {
    match id {
        "448" => MSG448.as_bytes().to_vec(),
        "896" => MSG896.as_bytes().to_vec(),
        "million" => vec![b'a'; 1_000_000],
        other => other.as_bytes().to_vec(),
    }
}

fn sha2_case(g: &mut Guest, alg: &str, msg: &[u8], want: &[u8]) -> Result<(), String> {
    // One absorb, full squeeze.
    let d = g.hash(alg, msg, want.len()).ctx("hash")?;
    same("digest", &d, want)?;

    // In pieces (three uneven absorbs, one of them empty), a lower-case name, then a truncated squeeze,
    // a full one from the same state, and one longer than the digest.
    let st = g.symmetric_state_open(&alg.to_lowercase(), None, None).ctx("state_open (lower case)")?;
    let cut = msg.len() / 3;
    for part in [&msg[..cut], &[][..], &msg[cut..]] {
        g.symmetric_state_absorb(st, part).ctx("absorb")?;
    }
    let short = g.symmetric_state_squeeze(st, 16).ctx("squeeze(16)")?;
    same("truncated digest", &short, &want[..16])?;
    let full = g.symmetric_state_squeeze(st, want.len()).ctx("squeeze(full)")?;
    same("digest after pieces", &full, want)?;
    fails_with("squeeze(digest + 1)", g.symmetric_state_squeeze(st, want.len() + 1), errno::INVALID_LENGTH)?;
    g.symmetric_state_close(st).ctx("close")?;
    Ok(())
}

#[test]
fn sha2_fips180_examples() {
    let mut g = Guest::new();
    let mut t = Tally::new("sha2 fips180-4");
    for (alg, id, want) in SHA2 {
        let r = sha2_case(&mut g, alg, &sha2_message(id), &hex(want));
        t.check(r.map_err(|e| format!("{alg} {id:?}: {e}")));
    }

    // The state keeps absorbing after a squeeze: the digest covers everything absorbed so far.
    let r = (|| {
        let st = g.symmetric_state_open("SHA-256", None, None).ctx("open")?;
        g.symmetric_state_absorb(st, b"ab").ctx("absorb")?;
        g.symmetric_state_squeeze(st, 32).ctx("squeeze")?;
        g.symmetric_state_absorb(st, b"c").ctx("absorb")?;
        let d = g.symmetric_state_squeeze(st, 32).ctx("squeeze")?;
        g.symmetric_state_close(st).ctx("close")?;
        same("SHA-256(ab | squeeze | c)", &d, &hex(SHA2[0].2))
    })();
    t.check(r);

    // A million 'a' in 10 absorbs of 100,000 bytes.
    let r = (|| {
        let st = g.symmetric_state_open("SHA-512", None, None).ctx("open")?;
        let chunk = vec![b'a'; 100_000];
        for _ in 0..10 {
            g.symmetric_state_absorb(st, &chunk).ctx("absorb")?;
        }
        let d = g.symmetric_state_squeeze(st, 64).ctx("squeeze")?;
        g.symmetric_state_close(st).ctx("close")?;
        same("SHA-512(million a, chunked)", &d, &hex(SHA2[9].2))
    })();
    t.check(r);
    t.finish(SHA2.len() + 2);
}

// ---------------------------------------------------------------------------------------------------------
// HMAC (RFC 4231 test cases 1-7, Wycheproof)
// ---------------------------------------------------------------------------------------------------------

struct Rfc4231 {
    key: Vec<u8>,
    data: Vec<u8>,
    sha256: &'static str,
    sha512: &'static str,
}

fn rfc4231_cases() -> Vec<Rfc4231> {
    let c = |key: Vec<u8>, data: &[u8], sha256, sha512| Rfc4231 { key, data: data.to_vec(), sha256, sha512 };
    vec![
        c(
            vec![0x0b; 20],
            b"Hi There",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
        ),
        c(
            b"Jefe".to_vec(),
            b"what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        ),
        c(
            vec![0xaa; 20],
            &[0xdd; 50],
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
        ),
        c(
            (1..=25).collect(),
            &[0xcd; 50],
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
        ),
        // Test case 5: the RFC gives only the first 128 bits.
        c(vec![0x0c; 20], b"Test With Truncation", "a3b6167473100ee06e0c796c2955552b", "415fad6271580a531d4179bc891d87a6"),
        c(
            vec![0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
        ),
        c(
            vec![0xaa; 131],
            b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
        ),
    ]
}

/// Check a MAC tag against `want` (which may be a truncation of the full tag): the pulled tag (its
/// prefix), `symmetric_tag_verify` of `want` (accepted only if full-length), of the full tag, and of a
/// corrupted one. `valid`: whether `want` is the right (prefix of the) tag.
fn mac_case(g: &mut Guest, alg: &str, key: &[u8], msg: &[u8], want: &[u8], valid: bool) -> Result<(), String> {
    let tag = g.mac(alg, key, msg).ctx("mac")?;
    let full_len = if alg.ends_with("256") { 32 } else { 64 };
    if tag.len() != full_len {
        return Err(format!("tag of {} bytes, want {full_len}", tag.len()));
    }
    let truncated = want.len() < tag.len();
    if valid {
        same("tag", &tag[..want.len()], want)?;
    } else if &tag[..want.len()] == want {
        return Err("an invalid tag equals the computed one".into());
    }

    let h = g.mac_tag(alg, key, msg).ctx("mac_tag")?;
    let r = g.symmetric_tag_verify(h, want);
    g.symmetric_tag_close(h).ctx("tag_close")?;
    if truncated || !valid {
        fails_with(if truncated { "verify(truncated tag)" } else { "verify(invalid tag)" }, r, errno::INVALID_TAG)?;
    } else {
        r.ctx("verify(tag)")?;
    }

    let h = g.mac_tag(alg, key, msg).ctx("mac_tag")?;
    let r = g.symmetric_tag_verify(h, &tag);
    g.symmetric_tag_close(h).ctx("tag_close")?;
    r.ctx("verify(full computed tag)")?;

    let mut bad = tag.clone();
    bad[full_len - 1] ^= 1;
    let h = g.mac_tag(alg, key, msg).ctx("mac_tag")?;
    let r = g.symmetric_tag_verify(h, &bad);
    g.symmetric_tag_close(h).ctx("tag_close")?;
    fails_with("verify(corrupted tag)", r, errno::INVALID_TAG)
}

#[test]
fn hmac_rfc4231() {
    let mut g = Guest::new();
    let mut t = Tally::new("hmac rfc4231");
    for (i, c) in rfc4231_cases().iter().enumerate() {
        for (alg, want) in [("HMAC/SHA-256", c.sha256), ("HMAC/SHA-512", c.sha512)] {
            let r = mac_case(&mut g, alg, &c.key, &c.data, &hex(want), true);
            t.check(r.map_err(|e| format!("{alg} case {}: {e}", i + 1)));
        }
    }
    t.finish(14);
}

#[test]
fn hmac_wycheproof() {
    use wycheproof::mac::{TestName, TestSet};
    let mut g = Guest::new();
    for (name, alg, file) in
        [(TestName::HmacSha256, "HMAC/SHA-256", "hmac_sha256"), (TestName::HmacSha512, "HMAC/SHA-512", "hmac_sha512")]
    {
        let mut t = Tally::new(format!("wycheproof {file} ({alg})"));
        let set = TestSet::load(name).unwrap();
        for group in &set.test_groups {
            for test in &group.tests {
                assert_eq!(test.tag.len() * 8, group.tag_size);
                let valid = test.result != TestResult::Invalid;
                let r = mac_case(&mut g, alg, &test.key, &test.msg, &test.tag, valid);
                t.check(r.map_err(|e| format!("tc {} ({}): {e}", test.tc_id, test.comment)));
            }
        }
        t.finish(150);
    }
}

// ---------------------------------------------------------------------------------------------------------
// HKDF (RFC 5869, Wycheproof)
// ---------------------------------------------------------------------------------------------------------

/// HKDF-EXTRACT then HKDF-EXPAND through the ABI: (PRK as exported, OKM). `salt`/`info` None: no
/// `absorb` call at all.
fn hkdf(
    g: &mut Guest,
    hash: &str,
    ikm: &[u8],
    salt: Option<&[u8]>,
    info: Option<&[u8]>,
    len: usize,
) -> Result<(Vec<u8>, R<Vec<u8>>), String> {
    let extract = format!("HKDF-EXTRACT/{hash}");
    let expand = format!("HKDF-EXPAND/{hash}");
    let k = g.symmetric_key_import(&extract, ikm).ctx("import IKM")?;
    let st = g.symmetric_state_open(&extract, Some(k), None).ctx("open EXTRACT");
    g.symmetric_key_close(k).ctx("close IKM")?;
    let st = st?;
    if let Some(salt) = salt {
        g.symmetric_state_absorb(st, salt).ctx("absorb salt")?;
    }
    let prk = g.symmetric_state_squeeze_key(st, &expand).ctx("squeeze_key")?;
    g.symmetric_state_close(st).ctx("close EXTRACT")?;
    let prk_bytes = g.export_key(prk).ctx("export PRK")?;
    let st = g.symmetric_state_open(&expand, Some(prk), None).ctx("open EXPAND");
    g.symmetric_key_close(prk).ctx("close PRK")?;
    let st = st?;
    if let Some(info) = info {
        g.symmetric_state_absorb(st, info).ctx("absorb info")?;
    }
    let okm = g.symmetric_state_squeeze(st, len);
    g.symmetric_state_close(st).ctx("close EXPAND")?;
    Ok((prk_bytes, okm))
}

/// HKDF-EXPAND alone, with the PRK imported as a key.
fn hkdf_expand(g: &mut Guest, hash: &str, prk: &[u8], info: &[u8], len: usize) -> R<Vec<u8>> {
    let expand = format!("HKDF-EXPAND/{hash}");
    let k = g.symmetric_key_import(&expand, prk)?;
    let st = g.symmetric_state_open(&expand, Some(k), None)?;
    g.symmetric_key_close(k)?;
    let r = g.symmetric_state_absorb(st, info).and_then(|()| g.symmetric_state_squeeze(st, len));
    g.symmetric_state_close(st)?;
    r
}

#[test]
fn hkdf_rfc5869() {
    let mut g = Guest::new();
    let mut t = Tally::new("hkdf rfc5869");
    // (IKM, salt, info, L, PRK, OKM): RFC 5869 A.1-A.3 (SHA-256).
    type Case = (Vec<u8>, Vec<u8>, Vec<u8>, usize, &'static str, &'static str);
    let cases: [Case; 3] = [
        (
            vec![0x0b; 22],
            (0x00..=0x0c).collect(),
            (0xf0..=0xf9).collect(),
            42,
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
        ),
        (
            (0x00..=0x4f).collect(),
            (0x60..=0xaf).collect(),
            (0xb0..=0xff).collect(),
            82,
            "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87",
        ),
        (
            vec![0x0b; 22],
            vec![],
            vec![],
            42,
            "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
        ),
    ];
    for (i, (ikm, salt, info, len, prk, okm)) in cases.iter().enumerate() {
        // Case 3 has no salt and no info: run it once without absorbing at all and once absorbing the
        // empty strings; the proposal makes both the same.
        let variants: &[bool] = if salt.is_empty() { &[false, true] } else { &[true] };
        for &absorb in variants {
            let r = (|| {
                let (p, o) = if absorb {
                    hkdf(&mut g, "SHA-256", ikm, Some(salt), Some(info), *len)?
                } else {
                    hkdf(&mut g, "SHA-256", ikm, None, None, *len)?
                };
                same("PRK", &p, &hex(prk))?;
                same("OKM", &o.ctx("squeeze OKM")?, &hex(okm))?;
                // EXPAND alone from the imported PRK.
                same(
                    "OKM (imported PRK)",
                    &hkdf_expand(&mut g, "SHA-256", &hex(prk), info, *len).ctx("expand")?,
                    &hex(okm),
                )
            })();
            t.check(r.map_err(|e| format!("case {} (absorb: {absorb}): {e}", i + 1)));
        }
    }
    // No salt (no absorb) is a salt of HashLen zeros (RFC 5869 2.2).
    let r = (|| {
        let (p0, _) = hkdf(&mut g, "SHA-256", &cases[2].0, None, None, 42)?;
        let (p1, _) = hkdf(&mut g, "SHA-256", &cases[2].0, Some(&[0; 32]), None, 42)?;
        same("PRK with no salt vs 32 zero bytes", &p0, &p1)?;
        let (p0, _) = hkdf(&mut g, "SHA-512", &cases[2].0, None, None, 42)?;
        let (p1, _) = hkdf(&mut g, "SHA-512", &cases[2].0, Some(&[0; 64]), None, 42)?;
        same("PRK (SHA-512) with no salt vs 64 zero bytes", &p0, &p1)
    })();
    t.check(r);
    // EXPAND refuses more than 255 × HashLen bytes, and gives exactly that much.
    let prk = hex(cases[0].4);
    t.check(fails_with(
        "expand(255*32+1)",
        hkdf_expand(&mut g, "SHA-256", &prk, b"", 255 * 32 + 1),
        errno::INVALID_LENGTH,
    ));
    t.check(
        hkdf_expand(&mut g, "SHA-256", &prk, b"", 255 * 32).ctx("expand(255*32)").map(|o| assert_eq!(o.len(), 8160)),
    );
    t.check(fails_with(
        "expand(255*64+1)",
        hkdf_expand(&mut g, "SHA-512", &[7; 64], b"", 255 * 64 + 1),
        errno::INVALID_LENGTH,
    ));
    t.finish(8);
}

#[test]
fn hkdf_wycheproof() {
    use wycheproof::hkdf::{TestFlag, TestName, TestSet};
    let mut g = Guest::new();
    for (name, hash, file) in
        [(TestName::HkdfSha256, "SHA-256", "hkdf_sha256"), (TestName::HkdfSha512, "SHA-512", "hkdf_sha512")]
    {
        let mut t = Tally::new(format!("wycheproof {file}"));
        let set = TestSet::load(name).unwrap();
        for group in &set.test_groups {
            for test in &group.tests {
                // An empty salt or info: alternately no absorb at all and an absorb of nothing.
                let skip_absorb = test.tc_id % 2 == 0;
                let salt = (!(test.salt.is_empty() && skip_absorb)).then_some(&test.salt[..]);
                let info = (!(test.info.is_empty() && skip_absorb)).then_some(&test.info[..]);
                let r = (|| {
                    let (_, okm) = hkdf(&mut g, hash, &test.ikm, salt, info, test.size)?;
                    match test.result {
                        TestResult::Invalid => {
                            assert!(test.flags.contains(&TestFlag::SizeTooLarge));
                            fails_with("expand (size too large)", okm, errno::INVALID_LENGTH)
                        }
                        _ => same("OKM", &okm.ctx("squeeze OKM")?, &test.okm),
                    }
                })();
                t.check(r.map_err(|e| format!("tc {} ({}, {:?}): {e}", test.tc_id, test.comment, test.flags)));
            }
        }
        t.finish(80);
    }
}

// ---------------------------------------------------------------------------------------------------------
// AEADs (Wycheproof AES-GCM, ChaCha20-Poly1305, XChaCha20-Poly1305)
// ---------------------------------------------------------------------------------------------------------

fn aead_valid(g: &mut Guest, alg: &str, test: &wycheproof::aead::Test, detached: bool) -> Result<(), String> {
    let (key, nonce, aad, pt) = (&test.key[..], &test.nonce[..], &test.aad[..], &test.pt[..]);
    let ct_tag = [&test.ct[..], &test.tag[..]].concat();

    let st = g.aead_state(alg, key, Some(nonce), aad).ctx("open")?;
    let out = g.symmetric_state_encrypt(st, pt, pt.len() + 16);
    g.symmetric_state_close(st).ctx("close")?;
    same("ciphertext||tag", &out.ctx("encrypt")?, &ct_tag)?;

    let st = g.aead_state(alg, key, Some(nonce), aad).ctx("open")?;
    let out = g.symmetric_state_decrypt(st, &ct_tag, test.ct.len());
    g.symmetric_state_close(st).ctx("close")?;
    same("decrypted", &out.ctx("decrypt")?, pt)?;

    if detached {
        let st = g.aead_state(alg, key, Some(nonce), aad).ctx("open")?;
        let out = g.symmetric_state_encrypt_detached(st, pt, pt.len());
        g.symmetric_state_close(st).ctx("close")?;
        let (ct, tag) = out.ctx("encrypt_detached")?;
        same("detached ciphertext", &ct, &test.ct)?;
        let tag_len = g.symmetric_tag_len(tag).ctx("tag_len")?;
        if tag_len != 16 {
            return Err(format!("tag_len {tag_len}"));
        }
        same("detached tag", &g.symmetric_tag_pull(tag, 16).ctx("tag_pull")?, &test.tag)?;

        let st = g.aead_state(alg, key, Some(nonce), aad).ctx("open")?;
        let out = g.symmetric_state_decrypt_detached(st, &test.ct, &test.tag, test.ct.len());
        g.symmetric_state_close(st).ctx("close")?;
        same("decrypted (detached)", &out.ctx("decrypt_detached")?, pt)?;
    }
    Ok(())
}

fn aead_invalid(g: &mut Guest, alg: &str, test: &wycheproof::aead::Test, detached: bool) -> Result<(), String> {
    let (key, nonce, aad) = (&test.key[..], &test.nonce[..], &test.aad[..]);
    let ct_tag = [&test.ct[..], &test.tag[..]].concat();
    let st = g.aead_state(alg, key, Some(nonce), aad).ctx("open")?;
    let (e, out, _) = g.symmetric_state_decrypt_raw(st, &ct_tag, test.ct.len());
    g.symmetric_state_close(st).ctx("close")?;
    if e != errno::INVALID_TAG {
        return Err(format!("decrypt: errno {e}, want {}", errno::INVALID_TAG));
    }
    if out.iter().any(|&b| b != 0) {
        return Err(format!("decrypt failed but left {} in the output", to_hex(&out)));
    }
    if detached {
        let st = g.aead_state(alg, key, Some(nonce), aad).ctx("open")?;
        let (e, out, _) = g.symmetric_state_decrypt_detached_raw(st, &test.ct, &test.tag, test.ct.len());
        g.symmetric_state_close(st).ctx("close")?;
        if e != errno::INVALID_TAG {
            return Err(format!("decrypt_detached: errno {e}, want {}", errno::INVALID_TAG));
        }
        if out.iter().any(|&b| b != 0) {
            return Err(format!("decrypt_detached failed but left {} in the output", to_hex(&out)));
        }
    }
    Ok(())
}

fn aead_set(
    g: &mut Guest,
    name: wycheproof::aead::TestName,
    file: &str,
    alg_for_key_bits: fn(usize) -> Option<&'static str>,
    nonce_bits: usize,
    min_passed: usize,
) {
    let set = wycheproof::aead::TestSet::load(name).unwrap();
    let mut t = Tally::new(format!("wycheproof {file}"));
    let mut nonce_refusals = 0;
    for group in &set.test_groups {
        let Some(alg) = alg_for_key_bits(group.key_size) else {
            t.skip_n(group.tests.len());
            continue;
        };
        if group.tag_size != 128 {
            t.skip_n(group.tests.len());
            continue;
        }
        for test in &group.tests {
            let what = format!("tc {} ({alg}, {:?}, {:?})", test.tc_id, test.comment, test.flags);
            if group.nonce_size != nonce_bits {
                // Another nonce size: refused by symmetric_state_open.
                let r = g.aead_state(alg, &test.key, Some(&test.nonce), &test.aad);
                if let Ok(st) = r {
                    g.symmetric_state_close(st).unwrap();
                }
                let r =
                    fails_with(format!("state_open with a {}-bit nonce", group.nonce_size), r, errno::INVALID_NONCE);
                nonce_refusals += r.is_ok() as usize;
                t.check(r.map_err(|e| format!("{what}: {e}")));
                continue;
            }
            let detached = test.tc_id % 3 == 0;
            let r = match test.result {
                TestResult::Invalid => aead_invalid(g, alg, test, detached),
                _ => aead_valid(g, alg, test, detached),
            };
            t.check(r.map_err(|e| format!("{what}: {e}")));
        }
    }
    println!("  ({file}: {nonce_refusals} of the passes are nonce sizes refused with invalid_nonce)");
    t.finish(min_passed);
}

#[test]
fn aead_wycheproof_aes_gcm() {
    let mut g = Guest::new();
    aead_set(
        &mut g,
        wycheproof::aead::TestName::AesGcm,
        "aes_gcm",
        |bits| match bits {
            128 => Some("AES-128-GCM"),
            256 => Some("AES-256-GCM"),
            _ => None,
        },
        96,
        150,
    );
}

#[test]
fn aead_wycheproof_chacha20_poly1305() {
    let mut g = Guest::new();
    aead_set(
        &mut g,
        wycheproof::aead::TestName::ChaCha20Poly1305,
        "chacha20_poly1305",
        |bits| (bits == 256).then_some("CHACHA20-POLY1305"),
        96,
        300,
    );
}

#[test]
fn aead_wycheproof_xchacha20_poly1305() {
    let mut g = Guest::new();
    aead_set(
        &mut g,
        wycheproof::aead::TestName::XChaCha20Poly1305,
        "xchacha20_poly1305",
        |bits| (bits == 256).then_some("XCHACHA20-POLY1305"),
        192,
        300,
    );
}

// ---------------------------------------------------------------------------------------------------------
// Signatures: shared classification of a verification outcome
// ---------------------------------------------------------------------------------------------------------

/// Record the outcome of verifying a Wycheproof signature vector: valid must verify; invalid must be
/// refused by `signature_import` (invalid_signature) or by the verification (verification_failed);
/// acceptable may go either way.
fn classify(t: &mut Tally, what: &str, result: TestResult, r: R<()>) {
    let refused = matches!(r, Err(errno::INVALID_SIGNATURE | errno::VERIFICATION_FAILED));
    match (result, r) {
        (TestResult::Valid, Ok(())) => t.pass(),
        (TestResult::Valid, Err(e)) => t.fail(format!("{what}: valid signature refused with errno {e}")),
        (TestResult::Invalid, Ok(())) => t.fail(format!("{what}: invalid signature ACCEPTED")),
        (TestResult::Invalid, Err(_)) if refused => t.pass(),
        (TestResult::Acceptable, Ok(())) => t.acceptable(),
        (TestResult::Acceptable, Err(_)) if refused => t.acceptable(),
        (_, Err(e)) => t.fail(format!("{what}: refused with unexpected errno {e} (want 10 or 13)")),
    }
}

fn sha_suffix(h: HashFunction) -> Option<(&'static str, usize)> {
    match h {
        HashFunction::Sha2_256 => Some(("SHA256", 32)),
        HashFunction::Sha2_384 => Some(("SHA384", 48)),
        HashFunction::Sha2_512 => Some(("SHA512", 64)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------------------
// ECDSA (Wycheproof; RFC 6979)
// ---------------------------------------------------------------------------------------------------------

fn ecdsa_set(name: wycheproof::ecdsa::TestName, file: &str, alg: &str, sig_encoding: u32, min_passed: usize) {
    let set = wycheproof::ecdsa::TestSet::load(name).unwrap();
    let mut g = Guest::new();
    let enc_name = if sig_encoding == sig_enc::DER { "der" } else { "raw" };
    let mut t = Tally::new(format!("wycheproof {file} ({alg}, {enc_name} signatures)"));
    for (gi, group) in set.test_groups.iter().enumerate() {
        // Import the key in turn as SEC-1 (uncompressed point), PKCS#8 (SPKI DER) and PEM.
        let (encoded, enc, enc_label): (&[u8], u32, &str) = match gi % 3 {
            0 => (&group.key.key, pk_enc::SEC, "sec"),
            1 => (&group.der, pk_enc::PKCS8, "pkcs8"),
            _ => (group.pem.as_bytes(), pk_enc::PEM, "pem"),
        };
        let pk = match g.publickey_import(alg_type::SIGNATURES, alg, encoded, enc) {
            Ok(pk) => pk,
            Err(e) => {
                for test in &group.tests {
                    t.fail(format!("group {gi} tc {}: publickey_import({enc_label}): errno {e}", test.tc_id));
                }
                continue;
            }
        };
        for test in &group.tests {
            let r = g.verify_encoded(alg, pk, &test.msg, &test.sig, sig_encoding);
            let what = format!("tc {} ({}, {:?})", test.tc_id, test.comment, test.flags);
            classify(&mut t, &what, test.result, r);
        }
        g.publickey_close(pk).unwrap();
    }
    t.finish(min_passed);
}

#[test]
fn ecdsa_wycheproof_p256_sha256_der() {
    ecdsa_set(
        wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256,
        "ecdsa_secp256r1_sha256",
        "ECDSA_P256_SHA256",
        sig_enc::DER,
        300,
    );
}

#[test]
fn ecdsa_wycheproof_p256_sha256_p1363() {
    ecdsa_set(
        wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256P1363,
        "ecdsa_secp256r1_sha256_p1363",
        "ECDSA_P256_SHA256",
        sig_enc::RAW,
        150,
    );
}

#[test]
fn ecdsa_wycheproof_k256_sha256_der() {
    ecdsa_set(
        wycheproof::ecdsa::TestName::EcdsaSecp256k1Sha256,
        "ecdsa_secp256k1_sha256",
        "ECDSA_K256_SHA256",
        sig_enc::DER,
        300,
    );
}

#[test]
fn ecdsa_wycheproof_k256_sha256_p1363() {
    ecdsa_set(
        wycheproof::ecdsa::TestName::EcdsaSecp256k1Sha256P1363,
        "ecdsa_secp256k1_sha256_p1363",
        "ECDSA_K256_SHA256",
        sig_enc::RAW,
        150,
    );
}

#[test]
fn ecdsa_wycheproof_p384_sha384_der() {
    ecdsa_set(
        wycheproof::ecdsa::TestName::EcdsaSecp384r1Sha384,
        "ecdsa_secp384r1_sha384",
        "ECDSA_P384_SHA384",
        sig_enc::DER,
        300,
    );
}

#[test]
fn ecdsa_wycheproof_p384_sha384_p1363() {
    ecdsa_set(
        wycheproof::ecdsa::TestName::EcdsaSecp384r1Sha384P1363,
        "ecdsa_secp384r1_sha384_p1363",
        "ECDSA_P384_SHA384",
        sig_enc::RAW,
        150,
    );
}

/// RFC 6979 A.2.5 (P-256) and A.2.6 (P-384), message "sample": deterministic signatures, through
/// `secretkey_import` + `publickey_from_secretkey` + `keypair_from_pk_and_sk`.
#[test]
fn ecdsa_rfc6979_deterministic() {
    let mut g = Guest::new();
    let mut t = Tally::new("ecdsa rfc6979");
    let cases = [
        (
            "ECDSA_P256_SHA256",
            "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
            "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
            "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
        ),
        (
            "ECDSA_P384_SHA384",
            "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5",
            "04ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64def8f0ea9055866064a254515480bc138015d9b72d7d57244ea8ef9ac0c621896708a59367f9dfb9f54ca84b3f1c9db1288b231c3ae0d4fe7344fd2533264720",
            "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe4699ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8",
        ),
    ];
    for (alg, x, q, sig) in cases {
        let r = (|| {
            let sk =
                g.secretkey_import(alg_type::SIGNATURES, alg, &hex(x), sk_enc::RAW).ctx("secretkey_import(raw)")?;
            let pk = g.publickey_from_secretkey(sk).ctx("publickey_from_secretkey")?;
            same("public key (sec)", &g.export_pk(pk, pk_enc::SEC).ctx("publickey_export(sec)")?, &hex(q))?;
            let kp = g.keypair_from_pk_and_sk(pk, sk).ctx("keypair_from_pk_and_sk")?;
            let s = g.sign_export(kp, b"sample", sig_enc::RAW).ctx("sign")?;
            same("signature (raw r||s)", &s, &hex(sig))?;
            g.verify_encoded(alg, pk, b"sample", &hex(sig), sig_enc::RAW).ctx("verify")?;
            fails_with(
                "verify(other message)",
                g.verify_encoded(alg, pk, b"samplf", &hex(sig), sig_enc::RAW),
                errno::VERIFICATION_FAILED,
            )
        })();
        t.check(r.map_err(|e| format!("{alg}: {e}")));
    }
    t.finish(2);
}

// ---------------------------------------------------------------------------------------------------------
// Ed25519 (Wycheproof; RFC 8032)
// ---------------------------------------------------------------------------------------------------------

#[test]
fn ed25519_wycheproof() {
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).unwrap();
    let mut g = Guest::new();
    let mut t = Tally::new("wycheproof ed25519");
    for (gi, group) in set.test_groups.iter().enumerate() {
        // Ed25519 keys are raw only (as in WasmEdge): the SPKI and PEM forms are refused.
        for (encoded, enc) in [(&group.der[..], pk_enc::PKCS8), (group.pem.as_bytes(), pk_enc::PEM)] {
            let r = g.publickey_import(alg_type::SIGNATURES, "Ed25519", encoded, enc);
            if let Err(e) =
                fails_with(format!("group {gi}: publickey_import(encoding {enc})"), r, errno::UNSUPPORTED_ENCODING)
            {
                t.fail(e);
            }
        }
        let pk = match g.publickey_import(alg_type::SIGNATURES, "Ed25519", &group.key.pk, pk_enc::RAW) {
            Ok(pk) => pk,
            Err(e) => {
                for test in &group.tests {
                    t.fail(format!("group {gi} tc {}: publickey_import(raw): errno {e}", test.tc_id));
                }
                continue;
            }
        };
        for test in &group.tests {
            let r = g.verify_encoded("Ed25519", pk, &test.msg, &test.sig, sig_enc::RAW);
            let what = format!("tc {} ({}, {:?})", test.tc_id, test.comment, test.flags);
            classify(&mut t, &what, test.result, r);
        }
        g.publickey_close(pk).unwrap();
    }
    t.finish(80);
}

/// RFC 8032 7.1 TEST 1 (empty message) and TEST 2.
#[test]
fn ed25519_rfc8032() {
    let mut g = Guest::new();
    let mut t = Tally::new("ed25519 rfc8032");
    let cases = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
    ];
    for (i, (sk_hex, pk_hex, msg, sig)) in cases.iter().enumerate() {
        let r = (|| {
            let sk = g
                .secretkey_import(alg_type::SIGNATURES, "Ed25519", &hex(sk_hex), sk_enc::RAW)
                .ctx("secretkey_import")?;
            let pk = g.publickey_from_secretkey(sk).ctx("publickey_from_secretkey")?;
            same("public key", &g.export_pk(pk, pk_enc::RAW).ctx("publickey_export(raw)")?, &hex(pk_hex))?;
            same("secret key export", &g.export_sk(sk, sk_enc::RAW).ctx("secretkey_export(raw)")?, &hex(sk_hex))?;
            let kp = g.keypair_from_pk_and_sk(pk, sk).ctx("keypair_from_pk_and_sk")?;
            same("signature", &g.sign_export(kp, &hex(msg), sig_enc::RAW).ctx("sign")?, &hex(sig))?;
            // The raw key pair is seed || public key.
            same(
                "key pair export",
                &g.export_kp(kp, kp_enc::RAW).ctx("keypair_export(raw)")?,
                &hex(&format!("{sk_hex}{pk_hex}")),
            )?;
            let kp2 = g
                .keypair_import(alg_type::SIGNATURES, "Ed25519", &hex(&format!("{sk_hex}{pk_hex}")), kp_enc::RAW)
                .ctx("keypair_import(raw)")?;
            same(
                "signature (imported key pair)",
                &g.sign_export(kp2, &hex(msg), sig_enc::RAW).ctx("sign")?,
                &hex(sig),
            )?;
            let pk2 = g
                .publickey_import(alg_type::SIGNATURES, "Ed25519", &hex(pk_hex), pk_enc::RAW)
                .ctx("publickey_import")?;
            g.verify_encoded("Ed25519", pk2, &hex(msg), &hex(sig), sig_enc::RAW).ctx("verify")
        })();
        t.check(r.map_err(|e| format!("test {}: {e}", i + 1)));
    }
    t.finish(2);
}

// ---------------------------------------------------------------------------------------------------------
// RSA PKCS#1 v1.5 and PSS (Wycheproof)
// ---------------------------------------------------------------------------------------------------------

const RSA_SIZES_HASHES: &[(usize, &str)] =
    &[(2048, "SHA256"), (2048, "SHA384"), (2048, "SHA512"), (3072, "SHA384"), (3072, "SHA512"), (4096, "SHA512")];

fn rsa_alg(kind: &str, bits: usize, hash: HashFunction) -> Option<String> {
    let (h, _) = sha_suffix(hash)?;
    RSA_SIZES_HASHES.iter().any(|&(b, hh)| b == bits && hh == h).then(|| format!("RSA_{kind}_{bits}_{h}"))
}

/// Import an RSA public key both from its SPKI DER (`pkcs8`) and its PEM.
fn rsa_keys(g: &mut Guest, alg: &str, der: &[u8], pem: &str) -> Result<(u32, u32), String> {
    let a = g.publickey_import(alg_type::SIGNATURES, alg, der, pk_enc::PKCS8).ctx("publickey_import(pkcs8)")?;
    let b = g.publickey_import(alg_type::SIGNATURES, alg, pem.as_bytes(), pk_enc::PEM).ctx("publickey_import(pem)")?;
    Ok((a, b))
}

#[test]
fn rsa_pkcs1_wycheproof() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let mut g = Guest::new();
    let mut t = Tally::new("wycheproof rsa_signature (RSA_PKCS1_*)");
    let sets = [
        TestName::Rsa2048Sha256,
        TestName::Rsa2048Sha384,
        TestName::Rsa2048Sha512,
        TestName::Rsa3072Sha384,
        TestName::Rsa3072Sha512,
        TestName::Rsa4096Sha512,
        // No algorithm of ours: skipped and counted.
        TestName::Rsa3072Sha256,
        TestName::Rsa4096Sha256,
        TestName::Rsa4096Sha384,
    ];
    for name in sets {
        let set = TestSet::load(name).unwrap();
        for group in &set.test_groups {
            let Some(alg) = rsa_alg("PKCS1", group.key_size, group.hash) else {
                t.skip_n(group.tests.len());
                continue;
            };
            let (der_pk, pem_pk) = match rsa_keys(&mut g, &alg, &group.der, &group.pem) {
                Ok(k) => k,
                Err(e) => {
                    for test in &group.tests {
                        t.fail(format!("{name:?} tc {}: {e}", test.tc_id));
                    }
                    continue;
                }
            };
            for test in &group.tests {
                let pk = if test.tc_id % 2 == 0 { der_pk } else { pem_pk };
                let r = g.verify_encoded(&alg, pk, &test.msg, &test.sig, sig_enc::RAW);
                let what = format!("{name:?} tc {} ({}, {:?})", test.tc_id, test.comment, test.flags);
                classify(&mut t, &what, test.result, r);
            }
            g.publickey_close(der_pk).unwrap();
            g.publickey_close(pem_pk).unwrap();
        }
    }
    t.finish(600);
}

#[test]
fn rsa_pss_wycheproof() {
    use wycheproof::Mgf;
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let mut g = Guest::new();
    let mut t = Tally::new("wycheproof rsa_pss (RSA_PSS_*, MGF1 same hash)");
    let mut other_salt_refusals = 0;
    let sets = [
        TestName::RsaPss2048Sha256Mgf1SaltLen32,
        TestName::RsaPss2048Sha384Mgf1SaltLen48,
        TestName::RsaPss4096Sha512Mgf1SaltLen64,
        TestName::RsaPssmisc,
        // Another salt length: must not verify under our algorithms.
        TestName::RsaPss2048Sha256Mgf1SaltLen0,
        TestName::RsaPss4096Sha512Mgf1SaltLen32,
        // No algorithm of ours (key size and hash): skipped and counted.
        TestName::RsaPss3072Sha256Mgf1SaltLen32,
        TestName::RsaPss4096Sha256Mgf1SaltLen32,
        TestName::RsaPss4096Sha384Mgf1SaltLen48,
    ];
    for name in sets {
        let set = TestSet::load(name).unwrap();
        for group in &set.test_groups {
            let Some(alg) = rsa_alg("PSS", group.key_size, group.hash)
                .filter(|_| group.mgf == Mgf::Mgf1 && group.mgf_hash == Some(group.hash))
            else {
                t.skip_n(group.tests.len());
                continue;
            };
            // Our PSS algorithms sign and verify with a salt exactly as long as the hash: signatures with
            // any other salt length (valid for their own group) must not verify.
            let other_salt = sha_suffix(group.hash).is_some_and(|(_, hlen)| hlen != group.salt_size);
            let (der_pk, pem_pk) = match rsa_keys(&mut g, &alg, &group.der, &group.pem) {
                Ok(k) => k,
                Err(e) => {
                    for test in &group.tests {
                        t.fail(format!("{name:?} tc {}: {e}", test.tc_id));
                    }
                    continue;
                }
            };
            for test in &group.tests {
                let pk = if test.tc_id % 2 == 0 { der_pk } else { pem_pk };
                let r = g.verify_encoded(&alg, pk, &test.msg, &test.sig, sig_enc::RAW);
                let what = format!("{name:?} tc {} ({}, {:?})", test.tc_id, test.comment, test.flags);
                if other_salt {
                    // ... except Wycheproof's "s_len changed to <hash length>" ones, which are ours.
                    let hlen = sha_suffix(group.hash).unwrap().1;
                    let expected = if test.comment == format!("s_len changed to {hlen}") {
                        TestResult::Valid
                    } else {
                        other_salt_refusals += 1;
                        TestResult::Invalid
                    };
                    classify(&mut t, &format!("{what} [sLen {}]", group.salt_size), expected, r);
                    continue;
                }
                classify(&mut t, &what, test.result, r);
            }
            g.publickey_close(der_pk).unwrap();
            g.publickey_close(pem_pk).unwrap();
        }
    }
    println!("  (rsa_pss: {other_salt_refusals} of the passes are signatures with another salt length, refused)");
    t.finish(300);
}

// ---------------------------------------------------------------------------------------------------------
// X25519 (Wycheproof; RFC 7748) and ECDH (Wycheproof ecpoint sets)
// ---------------------------------------------------------------------------------------------------------

/// secretkey_import + publickey_import + kx_dh + pull.
fn dh_vector(g: &mut Guest, alg: &str, sk: &[u8], sk_encoding: u32, pk: &[u8], pk_encoding: u32) -> R<Vec<u8>> {
    let sk = g.secretkey_import(alg_type::KEY_EXCHANGE, alg, sk, sk_encoding)?;
    let pk = match g.publickey_import(alg_type::KEY_EXCHANGE, alg, pk, pk_encoding) {
        Ok(pk) => pk,
        Err(e) => {
            g.secretkey_close(sk).unwrap();
            return Err(e);
        }
    };
    let r = g.dh(pk, sk);
    g.publickey_close(pk).unwrap();
    g.secretkey_close(sk).unwrap();
    r
}

#[test]
fn x25519_wycheproof() {
    use wycheproof::xdh::{TestFlag, TestName, TestSet};
    let set = TestSet::load(TestName::X25519).unwrap();
    let mut g = Guest::new();
    let mut t = Tally::new("wycheproof x25519");
    let mut zero_rejections = 0;
    for group in &set.test_groups {
        for test in &group.tests {
            let what = format!("tc {} ({}, {:?})", test.tc_id, test.comment, test.flags);
            let r = dh_vector(&mut g, "X25519", &test.private_key, sk_enc::RAW, &test.public_key, pk_enc::RAW);
            let zero = test.shared_secret.iter().all(|&b| b == 0);
            if zero {
                // A low-order public key: the all-zero shared secret must be refused.
                assert!(test.flags.contains(&TestFlag::ZeroSharedSecret));
                match r {
                    Err(_) => {
                        zero_rejections += 1;
                        t.pass()
                    }
                    Ok(s) => t.fail(format!("{what}: all-zero shared secret accepted ({})", to_hex(&s))),
                }
                continue;
            }
            match (test.result, r) {
                (_, Ok(s)) if s[..] != test.shared_secret[..] => {
                    t.fail(format!("{what}: shared {} want {}", to_hex(&s), to_hex(&test.shared_secret)))
                }
                (TestResult::Valid, Ok(_)) => t.pass(),
                (TestResult::Valid, Err(e)) => t.fail(format!("{what}: errno {e}")),
                (TestResult::Acceptable, _) => t.acceptable(),
                (TestResult::Invalid, Err(_)) => t.pass(),
                (TestResult::Invalid, Ok(_)) => t.fail(format!("{what}: invalid vector accepted")),
            }
        }
    }
    println!("  (x25519: {zero_rejections} of the passes are all-zero shared secrets refused)");
    t.finish(250);
}

/// RFC 7748 6.1.
#[test]
fn x25519_rfc7748() {
    let mut g = Guest::new();
    let alice_sk = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    let alice_pk = hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    let bob_sk = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    let bob_pk = hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    let shared = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    let mut t = Tally::new("x25519 rfc7748");
    let r = (|| {
        for (sk, pk) in [(&alice_sk, &alice_pk), (&bob_sk, &bob_pk)] {
            let s = g.secretkey_import(alg_type::KEY_EXCHANGE, "X25519", sk, sk_enc::RAW).ctx("secretkey_import")?;
            let p = g.publickey_from_secretkey(s).ctx("publickey_from_secretkey")?;
            same("public key", &g.export_pk(p, pk_enc::RAW).ctx("export")?, pk)?;
            same("secret key export", &g.export_sk(s, sk_enc::RAW).ctx("secretkey_export")?, sk)?;
        }
        same("alice", &dh_vector(&mut g, "X25519", &alice_sk, sk_enc::RAW, &bob_pk, pk_enc::RAW).ctx("dh")?, &shared)?;
        same("bob", &dh_vector(&mut g, "X25519", &bob_sk, sk_enc::RAW, &alice_pk, pk_enc::RAW).ctx("dh")?, &shared)
    })();
    t.check(r);
    t.finish(1);
}

#[test]
fn ecdh_wycheproof_ecpoint() {
    use wycheproof::ecdh::{TestName, TestSet};
    let mut g = Guest::new();
    for (name, file, alg, field) in [
        (TestName::EcdhSecp256r1Ecpoint, "ecdh_secp256r1_ecpoint", "P256-SHA256", 32),
        (TestName::EcdhSecp384r1Ecpoint, "ecdh_secp384r1_ecpoint", "P384-SHA384", 48),
    ] {
        let set = TestSet::load(name).unwrap();
        let mut t = Tally::new(format!("wycheproof {file} ({alg})"));
        for group in &set.test_groups {
            for test in &group.tests {
                let what = format!("tc {} ({}, {:?})", test.tc_id, test.comment, test.flags);
                // The private key is a big-endian integer, possibly with a sign byte: the raw secret key is
                // the scalar at the field's width.
                let stripped: Vec<u8> = test.private_key.iter().copied().skip_while(|&b| b == 0).collect();
                if stripped.len() > field {
                    t.fail(format!("{what}: private key longer than {field} bytes"));
                    continue;
                }
                let mut sk = vec![0u8; field - stripped.len()];
                sk.extend(&stripped);
                let r = dh_vector(&mut g, alg, &sk, sk_enc::RAW, &test.public_key, pk_enc::SEC);
                match (test.result, r) {
                    (_, Ok(s)) if test.result != TestResult::Invalid && s[..] != test.shared_secret[..] => {
                        t.fail(format!("{what}: shared {} want {}", to_hex(&s), to_hex(&test.shared_secret)))
                    }
                    (TestResult::Valid, Ok(_)) => t.pass(),
                    (TestResult::Valid, Err(e)) => t.fail(format!("{what}: errno {e}")),
                    (TestResult::Acceptable, _) => t.acceptable(),
                    (TestResult::Invalid, Err(_)) => t.pass(),
                    (TestResult::Invalid, Ok(s)) => {
                        t.fail(format!("{what}: invalid public key accepted ({})", to_hex(&s)))
                    }
                }
            }
        }
        t.finish(300);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Round trips where vectors can't apply: generated keys of every algorithm
// ---------------------------------------------------------------------------------------------------------

/// Sign with `kp` and verify with `pk` in every signature encoding the algorithm has; a wrong message and a
/// corrupted signature must not verify.
fn sign_verify(g: &mut Guest, alg: &str, kp: u32, pk: u32, raw_len: usize, der: bool) -> Result<(), String> {
    let msg = b"wasi-crypto round trip";
    let raw = g.sign_export(kp, msg, sig_enc::RAW).ctx("sign + export(raw)")?;
    if raw.len() != raw_len {
        return Err(format!("raw signature of {} bytes, want {raw_len}", raw.len()));
    }
    g.verify_encoded(alg, pk, msg, &raw, sig_enc::RAW).ctx("verify(raw)")?;
    // The signature handle straight from signing verifies too.
    let sig = g.sign(kp, msg).ctx("sign")?;
    g.verify(pk, msg, sig).ctx("verify(signature handle)")?;
    g.signature_close(sig).ctx("signature_close")?;
    fails_with(
        "verify(other message)",
        g.verify_encoded(alg, pk, b"wasi-crypto round trip!", &raw, sig_enc::RAW),
        errno::VERIFICATION_FAILED,
    )?;
    let mut bad = raw.clone();
    bad[raw_len / 2] ^= 0x40;
    match g.verify_encoded(alg, pk, msg, &bad, sig_enc::RAW) {
        Err(errno::VERIFICATION_FAILED | errno::INVALID_SIGNATURE) => {}
        other => return Err(format!("verify(corrupted signature): {other:?}")),
    }
    if der {
        let d = g.sign_export(kp, msg, sig_enc::DER).ctx("sign + export(der)")?;
        if d.first() != Some(&0x30) {
            return Err(format!("DER signature {}", to_hex(&d)));
        }
        g.verify_encoded(alg, pk, msg, &d, sig_enc::DER).ctx("verify(der)")?;
        // DER and raw encodings of one signature convert into each other.
        let s = g.signature_import(alg, &d, sig_enc::DER).ctx("signature_import(der)")?;
        let ao = g.signature_export(s, sig_enc::RAW).ctx("signature_export(raw)")?;
        let r = g.pull(ao).ctx("pull")?;
        g.signature_close(s).ctx("signature_close")?;
        if r.len() != raw_len {
            return Err(format!("DER→raw signature of {} bytes", r.len()));
        }
        g.verify_encoded(alg, pk, msg, &r, sig_enc::RAW).ctx("verify(der→raw)")?;
    }
    Ok(())
}

#[test]
fn signature_roundtrip_ecdsa_ed25519() {
    let mut g = Guest::new();
    let mut t = Tally::new("roundtrip ecdsa/ed25519");
    // (algorithm, raw signature length, DER signatures, raw public key length or sec length)
    let algs = [
        ("ECDSA_P256_SHA256", 64, true, 65, 33),
        ("ECDSA_K256_SHA256", 64, true, 65, 33),
        ("ECDSA_P384_SHA384", 96, true, 97, 49),
        ("Ed25519", 64, false, 32, 0),
    ];
    for (alg, sig_len, der, pk_len, compressed_len) in algs {
        for round in 0..3 {
            let r = (|| {
                let kp = g.keypair_generate(alg_type::SIGNATURES, alg, None).ctx("keypair_generate")?;
                let pk = g.keypair_publickey(kp).ctx("keypair_publickey")?;
                sign_verify(&mut g, alg, kp, pk, sig_len, der)?;
                if round > 0 {
                    return Ok(());
                }
                // Public key encodings round trip and verify.
                let encs: &[(u32, &str)] = if der {
                    &[
                        (pk_enc::SEC, "sec"),
                        (pk_enc::COMPRESSED_SEC, "compressed_sec"),
                        (pk_enc::PKCS8, "pkcs8"),
                        (pk_enc::PEM, "pem"),
                    ]
                } else {
                    &[(pk_enc::RAW, "raw")]
                };
                for &(enc, label) in encs {
                    let bytes = g.export_pk(pk, enc).ctx(format!("publickey_export({label})"))?;
                    if (enc == pk_enc::SEC || enc == pk_enc::RAW) && bytes.len() != pk_len {
                        return Err(format!("{label} public key of {} bytes, want {pk_len}", bytes.len()));
                    }
                    if enc == pk_enc::COMPRESSED_SEC && bytes.len() != compressed_len {
                        return Err(format!("compressed public key of {} bytes, want {compressed_len}", bytes.len()));
                    }
                    // Compressed points import under `sec`.
                    let import_enc = if enc == pk_enc::COMPRESSED_SEC { pk_enc::SEC } else { enc };
                    let pk2 = g
                        .publickey_import(alg_type::SIGNATURES, alg, &bytes, import_enc)
                        .ctx(format!("publickey_import({label})"))?;
                    g.publickey_verify(pk2).ctx("publickey_verify")?;
                    sign_verify(&mut g, alg, kp, pk2, sig_len, der)
                        .map_err(|e| format!("with {label} public key: {e}"))?;
                    g.publickey_close(pk2).ctx("publickey_close")?;
                }
                // Key pair export (pkcs8, pem) and import; secret key round trip.
                let kp_encs: &[(u32, &str)] = if der {
                    &[(kp_enc::RAW, "raw"), (kp_enc::PKCS8, "pkcs8"), (kp_enc::PEM, "pem")]
                } else {
                    &[(kp_enc::RAW, "raw")]
                };
                for &(enc, label) in kp_encs {
                    let bytes = g.export_kp(kp, enc).ctx(format!("keypair_export({label})"))?;
                    let kp2 = g
                        .keypair_import(alg_type::SIGNATURES, alg, &bytes, enc)
                        .ctx(format!("keypair_import({label})"))?;
                    sign_verify(&mut g, alg, kp2, pk, sig_len, der)
                        .map_err(|e| format!("with {label} key pair: {e}"))?;
                    g.keypair_close(kp2).ctx("keypair_close")?;
                }
                let sk = g.keypair_secretkey(kp).ctx("keypair_secretkey")?;
                let raw_sk = g.export_sk(sk, sk_enc::RAW).ctx("secretkey_export(raw)")?;
                if raw_sk.len() != sig_len / 2 {
                    return Err(format!("raw secret key of {} bytes", raw_sk.len()));
                }
                if der {
                    // The other secret key encodings round trip to the same raw scalar.
                    for (enc, label) in [(sk_enc::SEC, "sec"), (sk_enc::PKCS8, "pkcs8"), (sk_enc::PEM, "pem")] {
                        let bytes = g.export_sk(sk, enc).ctx(format!("secretkey_export({label})"))?;
                        let s = g
                            .secretkey_import(alg_type::SIGNATURES, alg, &bytes, enc)
                            .ctx(format!("secretkey_import({label})"))?;
                        same(format!("raw key after {label}"), &g.export_sk(s, sk_enc::RAW).ctx("export")?, &raw_sk)?;
                        g.secretkey_close(s).ctx("secretkey_close")?;
                    }
                }
                let sk2 =
                    g.secretkey_import(alg_type::SIGNATURES, alg, &raw_sk, sk_enc::RAW).ctx("secretkey_import(raw)")?;
                let pk3 = g.publickey_from_secretkey(sk2).ctx("publickey_from_secretkey")?;
                same(
                    "public key from the secret key",
                    &g.export_pk(pk3, encs[0].0).ctx("export")?,
                    &g.export_pk(pk, encs[0].0).ctx("export")?,
                )?;
                let kp3 = g.keypair_from_pk_and_sk(pk3, sk2).ctx("keypair_from_pk_and_sk")?;
                sign_verify(&mut g, alg, kp3, pk, sig_len, der).map_err(|e| format!("with a rebuilt key pair: {e}"))?;
                g.keypair_close(kp3).ctx("keypair_close")?;
                g.publickey_close(pk3).ctx("publickey_close")?;
                g.secretkey_close(sk2).ctx("secretkey_close")?;
                g.secretkey_close(sk).ctx("secretkey_close")?;
                g.publickey_close(pk).ctx("publickey_close")?;
                g.keypair_close(kp).ctx("keypair_close")
            })();
            t.check(r.map_err(|e| format!("{alg} round {round}: {e}")));
        }
    }
    t.finish(12);
}

#[test]
fn signature_roundtrip_rsa() {
    let mut g = Guest::new();
    let mut t = Tally::new("roundtrip rsa");
    // One generated key per size, imported (pkcs8) under every algorithm of that size.
    for bits in [2048usize, 3072, 4096] {
        let hashes: Vec<&str> = RSA_SIZES_HASHES.iter().filter(|(b, _)| *b == bits).map(|(_, h)| *h).collect();
        let first = format!("RSA_PKCS1_{bits}_{}", hashes[0]);
        let kp = match g.keypair_generate(alg_type::SIGNATURES, &first, None) {
            Ok(kp) => kp,
            Err(e) => {
                t.fail(format!("{first}: keypair_generate: errno {e}"));
                continue;
            }
        };
        let pkcs8 = match g.export_kp(kp, kp_enc::PKCS8) {
            Ok(b) => b,
            Err(e) => {
                t.fail(format!("{first}: keypair_export(pkcs8): errno {e}"));
                continue;
            }
        };
        let pk = g.keypair_publickey(kp).unwrap();
        let spki = g.export_pk(pk, pk_enc::PKCS8);
        let pem = g.export_pk(pk, pk_enc::PEM);
        for kind in ["PKCS1", "PSS"] {
            for h in &hashes {
                let alg = format!("RSA_{kind}_{bits}_{h}");
                let r = (|| {
                    let kp = g
                        .keypair_import(alg_type::SIGNATURES, &alg, &pkcs8, kp_enc::PKCS8)
                        .ctx("keypair_import(pkcs8)")?;
                    let spki = spki.clone().ctx("publickey_export(pkcs8)")?;
                    let pk = g
                        .publickey_import(alg_type::SIGNATURES, &alg, &spki, pk_enc::PKCS8)
                        .ctx("publickey_import(pkcs8)")?;
                    sign_verify(&mut g, &alg, kp, pk, bits / 8, false)?;
                    let pem = pem.clone().ctx("publickey_export(pem)")?;
                    let pk2 = g
                        .publickey_import(alg_type::SIGNATURES, &alg, &pem, pk_enc::PEM)
                        .ctx("publickey_import(pem)")?;
                    sign_verify(&mut g, &alg, kp, pk2, bits / 8, false)
                        .map_err(|e| format!("with the PEM key: {e}"))?;
                    // A PKCS#1 v1.5 signature does not verify as PSS and vice versa.
                    let other =
                        if kind == "PKCS1" { format!("RSA_PSS_{bits}_{h}") } else { format!("RSA_PKCS1_{bits}_{h}") };
                    let sig = g.sign_export(kp, b"cross", sig_enc::RAW).ctx("sign")?;
                    let opk = g
                        .publickey_import(alg_type::SIGNATURES, &other, &spki, pk_enc::PKCS8)
                        .ctx("publickey_import(other)")?;
                    fails_with(
                        format!("verify as {other}"),
                        g.verify_encoded(&other, opk, b"cross", &sig, sig_enc::RAW),
                        errno::VERIFICATION_FAILED,
                    )?;
                    for p in [pk, pk2, opk] {
                        g.publickey_close(p).ctx("publickey_close")?;
                    }
                    g.keypair_close(kp).ctx("keypair_close")
                })();
                t.check(r.map_err(|e| format!("{alg}: {e}")));
            }
        }
        g.publickey_close(pk).unwrap();
        g.keypair_close(kp).unwrap();
    }
    t.finish(12);
}

#[test]
fn kx_roundtrip() {
    let mut g = Guest::new();
    let mut t = Tally::new("roundtrip kx_dh");
    for (alg, len) in [("X25519", 32), ("P256-SHA256", 32), ("P384-SHA384", 48)] {
        for round in 0..3 {
            let r = (|| {
                let a = g.keypair_generate(alg_type::KEY_EXCHANGE, alg, None).ctx("keypair_generate")?;
                let b = g.keypair_generate(alg_type::KEY_EXCHANGE, alg, None).ctx("keypair_generate")?;
                let (apk, ask) = (g.keypair_publickey(a).ctx("publickey")?, g.keypair_secretkey(a).ctx("secretkey")?);
                let (bpk, bsk) = (g.keypair_publickey(b).ctx("publickey")?, g.keypair_secretkey(b).ctx("secretkey")?);
                let ab = g.dh(bpk, ask).ctx("dh(b.pk, a.sk)")?;
                let ba = g.dh(apk, bsk).ctx("dh(a.pk, b.sk)")?;
                same("shared secrets", &ab, &ba)?;
                if ab.len() != len {
                    return Err(format!("shared secret of {} bytes, want {len}", ab.len()));
                }
                // Through exported and re-imported keys (raw secret key; raw / sec public key).
                let pk_encoding = if alg == "X25519" { pk_enc::RAW } else { pk_enc::SEC };
                let bpk_bytes = g.export_pk(bpk, pk_encoding).ctx("publickey_export")?;
                let ask_bytes = g.export_sk(ask, sk_enc::RAW).ctx("secretkey_export(raw)")?;
                same(
                    "dh of imported keys",
                    &dh_vector(&mut g, alg, &ask_bytes, sk_enc::RAW, &bpk_bytes, pk_encoding).ctx("dh")?,
                    &ab,
                )?;
                for h in [apk, bpk] {
                    g.publickey_close(h).ctx("publickey_close")?;
                }
                for h in [ask, bsk] {
                    g.secretkey_close(h).ctx("secretkey_close")?;
                }
                g.keypair_close(a).ctx("keypair_close")?;
                g.keypair_close(b).ctx("keypair_close")
            })();
            t.check(r.map_err(|e| format!("{alg} round {round}: {e}")));
        }
    }
    t.finish(9);
}

/// Symmetric round trips with generated keys: every AEAD encrypts and decrypts its own output (attached
/// and detached), every MAC verifies its own tag, and exported keys re-import to the same results.
#[test]
fn symmetric_roundtrip_generated_keys() {
    let mut g = Guest::new();
    let mut t = Tally::new("roundtrip symmetric");
    let msg = b"the quick brown fox jumps over the lazy dog".repeat(5);
    for (alg, key_len, nonce_len) in [
        ("AES-128-GCM", 16, 12),
        ("AES-256-GCM", 32, 12),
        ("CHACHA20-POLY1305", 32, 12),
        ("XCHACHA20-POLY1305", 32, 24),
    ] {
        let r = (|| {
            let k = g.symmetric_key_generate(alg, None).ctx("symmetric_key_generate")?;
            let raw = g.export_key(k).ctx("export")?;
            if raw.len() != key_len {
                return Err(format!("generated key of {} bytes", raw.len()));
            }
            g.symmetric_key_close(k).ctx("close")?;
            let nonce = vec![0x42u8; nonce_len];
            let st = g.aead_state(alg, &raw, Some(&nonce), b"aad").ctx("open")?;
            if g.symmetric_state_max_tag_len(st).ctx("max_tag_len")? != 16 {
                return Err("max_tag_len != 16".into());
            }
            // A larger output buffer is fine; the reported size is what was written.
            let ct = g.symmetric_state_encrypt(st, &msg, msg.len() + 100).ctx("encrypt")?;
            g.symmetric_state_close(st).ctx("close")?;
            if ct.len() != msg.len() + 16 {
                return Err(format!("ciphertext of {} bytes", ct.len()));
            }
            let st = g.aead_state(alg, &raw, Some(&nonce), b"aad").ctx("open")?;
            let pt = g.symmetric_state_decrypt(st, &ct, ct.len() + 7).ctx("decrypt")?;
            g.symmetric_state_close(st).ctx("close")?;
            same("decrypted", &pt, &msg)?;
            let st = g.aead_state(alg, &raw, Some(&nonce), b"aad").ctx("open")?;
            let (dct, tag) = g.symmetric_state_encrypt_detached(st, &msg, msg.len()).ctx("encrypt_detached")?;
            g.symmetric_state_close(st).ctx("close")?;
            same("detached ciphertext", &dct, &ct[..msg.len()])?;
            same("detached tag", &g.symmetric_tag_pull(tag, 32).ctx("tag_pull (larger buffer)")?, &ct[msg.len()..])?;
            Ok(())
        })();
        t.check(r.map_err(|e| format!("{alg}: {e}")));
    }
    for (alg, key_len) in [("HMAC/SHA-256", 32), ("HMAC/SHA-512", 64)] {
        let r = (|| {
            let k = g.symmetric_key_generate(alg, None).ctx("symmetric_key_generate")?;
            let raw = g.export_key(k).ctx("export")?;
            if raw.len() != key_len {
                return Err(format!("generated key of {} bytes, want {key_len}", raw.len()));
            }
            let st = g.symmetric_state_open(alg, Some(k), None).ctx("open")?;
            g.symmetric_state_absorb(st, &msg).ctx("absorb")?;
            let tag = g.symmetric_state_squeeze_tag(st).ctx("squeeze_tag")?;
            g.symmetric_state_close(st).ctx("close")?;
            g.symmetric_key_close(k).ctx("close")?;
            let expected = g.mac(alg, &raw, &msg).ctx("mac with the exported key")?;
            g.symmetric_tag_verify(tag, &expected).ctx("verify")?;
            g.symmetric_tag_close(tag).ctx("tag_close")
        })();
        t.check(r.map_err(|e| format!("{alg}: {e}")));
    }
    t.finish(6);
}
