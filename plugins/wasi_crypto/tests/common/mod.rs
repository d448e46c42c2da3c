//! A guest-like wrapper over the SDK's test harness: a bump allocator over the harness memory, helpers to
//! place inputs and read outputs, and one typed helper per wasi-crypto function (WasmEdge's ABI: every
//! function returns a `crypto_errno` and writes its results through guest pointers).

#![allow(dead_code)]

use wasmedge_plugin_sdk::testing::Harness;
use wasmedge_plugin_wasi_crypto::plugin;

pub const COMMON: &str = "wasi_ephemeral_crypto_common";
pub const SYMMETRIC: &str = "wasi_ephemeral_crypto_symmetric";
pub const ASYMMETRIC: &str = "wasi_ephemeral_crypto_asymmetric_common";
pub const SIGNATURES: &str = "wasi_ephemeral_crypto_signatures";
pub const KX: &str = "wasi_ephemeral_crypto_kx";

/// `algorithm_type`.
pub mod alg_type {
    pub const SIGNATURES: u32 = 0;
    pub const SYMMETRIC: u32 = 1;
    pub const KEY_EXCHANGE: u32 = 2;
}

/// `keypair_encoding`.
pub mod kp_enc {
    pub const RAW: u32 = 0;
    pub const PKCS8: u32 = 1;
    pub const PEM: u32 = 2;
    pub const LOCAL: u32 = 3;
}

/// `publickey_encoding` (plus our extension `COMPRESSED_SEC`).
pub mod pk_enc {
    pub const RAW: u32 = 0;
    pub const PKCS8: u32 = 1;
    pub const PEM: u32 = 2;
    pub const SEC: u32 = 3;
    pub const LOCAL: u32 = 4;
    pub const COMPRESSED_SEC: u32 = 5;
}

/// `secretkey_encoding`.
pub mod sk_enc {
    pub const RAW: u32 = 0;
    pub const PKCS8: u32 = 1;
    pub const PEM: u32 = 2;
    pub const SEC: u32 = 3;
    pub const LOCAL: u32 = 4;
}

/// `signature_encoding`.
pub mod sig_enc {
    pub const RAW: u32 = 0;
    pub const DER: u32 = 1;
}

/// `crypto_errno`.
pub mod errno {
    pub const GUEST_ERROR: u16 = 1;
    pub const NOT_IMPLEMENTED: u16 = 2;
    pub const UNSUPPORTED_FEATURE: u16 = 3;
    pub const PROHIBITED_OPERATION: u16 = 4;
    pub const UNSUPPORTED_ENCODING: u16 = 5;
    pub const UNSUPPORTED_ALGORITHM: u16 = 6;
    pub const UNSUPPORTED_OPTION: u16 = 7;
    pub const INVALID_KEY: u16 = 8;
    pub const INVALID_LENGTH: u16 = 9;
    pub const VERIFICATION_FAILED: u16 = 10;
    pub const RNG_ERROR: u16 = 11;
    pub const ALGORITHM_FAILURE: u16 = 12;
    pub const INVALID_SIGNATURE: u16 = 13;
    pub const CLOSED: u16 = 14;
    pub const INVALID_HANDLE: u16 = 15;
    pub const OVERFLOW: u16 = 16;
    pub const INTERNAL_ERROR: u16 = 17;
    pub const TOO_MANY_HANDLES: u16 = 18;
    pub const KEY_NOT_SUPPORTED: u16 = 19;
    pub const KEY_REQUIRED: u16 = 20;
    pub const INVALID_TAG: u16 = 21;
    pub const INVALID_OPERATION: u16 = 22;
    pub const NONCE_REQUIRED: u16 = 23;
    pub const INVALID_NONCE: u16 = 24;
    pub const OPTION_NOT_SET: u16 = 25;
    pub const NOT_FOUND: u16 = 26;
    pub const PARAMETERS_MISSING: u16 = 27;
    pub const IN_PROGRESS: u16 = 28;
    pub const INCOMPATIBLE_KEYS: u16 = 29;
    pub const EXPIRED: u16 = 30;
}

/// A function's result as the guest sees it: the value written through the output pointer, or the errno.
pub type R<T> = Result<T, u16>;

/// The default guest memory: 16 MiB.
pub const MEMORY_SIZE: usize = 16 << 20;

fn errno_result(e: u16) -> R<()> {
    if e == 0 { Ok(()) } else { Err(e) }
}

/// One guest instance of the plugin: its five modules (sharing state) and its memory.
pub struct Guest {
    pub h: Harness,
}

/// The memory helpers (`alloc`, `put`, `out`, `read`, …) are the harness's own.
impl std::ops::Deref for Guest {
    type Target = Harness;
    fn deref(&self) -> &Harness {
        &self.h
    }
}

impl std::ops::DerefMut for Guest {
    fn deref_mut(&mut self) -> &mut Harness {
        &mut self.h
    }
}

impl Default for Guest {
    fn default() -> Self {
        Self::new()
    }
}

impl Guest {
    pub fn new() -> Guest {
        Guest::with_memory(MEMORY_SIZE)
    }

    pub fn with_memory(size: usize) -> Guest {
        let h = Harness::new(&plugin(), &[], size).expect("instantiate the wasi_crypto modules");
        Guest { h }
    }

    pub fn put_str(&mut self, s: &str) -> (u32, u32) {
        self.put(s.as_bytes())
    }

    /// An `opt_options` / `opt_symmetric_key` struct: tag u8 at 0 (0 = some, 1 = none), handle u32 at 4.
    pub fn opt(&mut self, handle: Option<u32>) -> u32 {
        let mut s = [0u8; 8];
        match handle {
            Some(h) => s[4..].copy_from_slice(&h.to_le_bytes()),
            None => s[0] = 1,
        }
        self.put(&s).0
    }

    // ---- calls ----

    /// Call a function; the trap message if it trapped.
    pub fn try_call(&mut self, module: &str, func: &str, args: &[u64]) -> Result<Vec<u64>, String> {
        self.h.call(module, func, args)
    }

    /// Call a function and return its errno; a trap fails the test.
    pub fn call(&mut self, module: &str, func: &str, args: &[u64]) -> u16 {
        match self.try_call(module, func, args) {
            Ok(r) => {
                assert_eq!(r.len(), 1, "{module}.{func} returned {r:?}");
                let e = r[0] as u32;
                assert!(e <= 0xffff, "{module}.{func} returned errno {e}");
                e as u16
            }
            Err(e) => panic!("{module}.{func}{args:?} trapped: {e}"),
        }
    }

    fn call_ok(&mut self, module: &str, func: &str, args: &[u64]) -> R<()> {
        errno_result(self.call(module, func, args))
    }

    /// Call with a trailing u32 output pointer; the value written there.
    fn call_u32(&mut self, module: &str, func: &str, args: &[u64]) -> R<u32> {
        let o = self.out(4);
        let mut a = args.to_vec();
        a.push(o as u64);
        self.call_ok(module, func, &a)?;
        Ok(self.read_u32(o))
    }

    fn call_u64(&mut self, module: &str, func: &str, args: &[u64]) -> R<u64> {
        let o = self.out(8);
        let mut a = args.to_vec();
        a.push(o as u64);
        self.call_ok(module, func, &a)?;
        Ok(self.read_u64(o))
    }

    // ---- wasi_ephemeral_crypto_common ----

    pub fn array_output_len(&mut self, ao: u32) -> R<u32> {
        self.call_u32(COMMON, "array_output_len", &[ao as u64])
    }

    /// One `array_output_pull` into a buffer of `buf_len` bytes: the bytes it reported copying.
    pub fn array_output_pull(&mut self, ao: u32, buf_len: usize) -> R<Vec<u8>> {
        let buf = self.out(buf_len);
        let n = self.call_u32(COMMON, "array_output_pull", &[ao as u64, buf as u64, buf_len as u64])?;
        assert!(n as usize <= buf_len, "array_output_pull reported {n} bytes for a {buf_len}-byte buffer");
        Ok(self.read(buf, n as usize))
    }

    /// The whole content of an array output (`array_output_len`, then one pull of that size).
    pub fn pull(&mut self, ao: u32) -> R<Vec<u8>> {
        let len = self.array_output_len(ao)? as usize;
        let v = self.array_output_pull(ao, len)?;
        assert_eq!(v.len(), len, "array_output_pull copied {} of {len} bytes", v.len());
        Ok(v)
    }

    pub fn options_open(&mut self, alg_type: u32) -> R<u32> {
        self.call_u32(COMMON, "options_open", &[alg_type as u64])
    }

    pub fn options_close(&mut self, opts: u32) -> R<()> {
        self.call_ok(COMMON, "options_close", &[opts as u64])
    }

    pub fn options_set(&mut self, opts: u32, name: &str, value: &[u8]) -> R<()> {
        let (n, nl) = self.put_str(name);
        let (v, vl) = self.put(value);
        self.call_ok(COMMON, "options_set", &[opts as u64, n as u64, nl as u64, v as u64, vl as u64])
    }

    pub fn options_set_u64(&mut self, opts: u32, name: &str, value: u64) -> R<()> {
        let (n, nl) = self.put_str(name);
        self.call_ok(COMMON, "options_set_u64", &[opts as u64, n as u64, nl as u64, value])
    }

    pub fn options_set_guest_buffer(&mut self, opts: u32, name: &str, ptr: u32, len: u32) -> R<()> {
        let (n, nl) = self.put_str(name);
        self.call_ok(COMMON, "options_set_guest_buffer", &[opts as u64, n as u64, nl as u64, ptr as u64, len as u64])
    }

    pub fn secrets_manager_open(&mut self, opts: Option<u32>) -> R<u32> {
        let o = self.opt(opts);
        self.call_u32(COMMON, "secrets_manager_open", &[o as u64])
    }

    pub fn secrets_manager_close(&mut self, sm: u32) -> R<()> {
        self.call_ok(COMMON, "secrets_manager_close", &[sm as u64])
    }

    pub fn secrets_manager_invalidate(&mut self, sm: u32, key_id: &[u8], version: u64) -> R<()> {
        let (k, kl) = self.put(key_id);
        self.call_ok(COMMON, "secrets_manager_invalidate", &[sm as u64, k as u64, kl as u64, version])
    }

    // ---- wasi_ephemeral_crypto_symmetric ----

    pub fn symmetric_key_generate(&mut self, alg: &str, opts: Option<u32>) -> R<u32> {
        let (a, al) = self.put_str(alg);
        let o = self.opt(opts);
        self.call_u32(SYMMETRIC, "symmetric_key_generate", &[a as u64, al as u64, o as u64])
    }

    pub fn symmetric_key_import(&mut self, alg: &str, raw: &[u8]) -> R<u32> {
        let (a, al) = self.put_str(alg);
        let (r, rl) = self.put(raw);
        self.call_u32(SYMMETRIC, "symmetric_key_import", &[a as u64, al as u64, r as u64, rl as u64])
    }

    pub fn symmetric_key_export(&mut self, key: u32) -> R<u32> {
        self.call_u32(SYMMETRIC, "symmetric_key_export", &[key as u64])
    }

    pub fn symmetric_key_close(&mut self, key: u32) -> R<()> {
        self.call_ok(SYMMETRIC, "symmetric_key_close", &[key as u64])
    }

    pub fn symmetric_key_generate_managed(&mut self, sm: u32, alg: &str, opts: Option<u32>) -> R<u32> {
        let (a, al) = self.put_str(alg);
        let o = self.opt(opts);
        self.call_u32(SYMMETRIC, "symmetric_key_generate_managed", &[sm as u64, a as u64, al as u64, o as u64])
    }

    pub fn symmetric_key_store_managed(&mut self, sm: u32, key: u32, id_max_len: usize) -> R<()> {
        let buf = self.out(id_max_len);
        self.call_ok(SYMMETRIC, "symmetric_key_store_managed", &[sm as u64, key as u64, buf as u64, id_max_len as u64])
    }

    pub fn symmetric_key_replace_managed(&mut self, sm: u32, old: u32, new: u32) -> R<u64> {
        self.call_u64(SYMMETRIC, "symmetric_key_replace_managed", &[sm as u64, old as u64, new as u64])
    }

    pub fn symmetric_key_id(&mut self, key: u32, id_max_len: usize) -> R<(Vec<u8>, u64)> {
        let buf = self.out(id_max_len);
        let size = self.out(4);
        let version = self.out(8);
        self.call_ok(
            SYMMETRIC,
            "symmetric_key_id",
            &[key as u64, buf as u64, id_max_len as u64, size as u64, version as u64],
        )?;
        let n = self.read_u32(size) as usize;
        Ok((self.read(buf, n.min(id_max_len)), self.read_u64(version)))
    }

    pub fn symmetric_key_from_id(&mut self, sm: u32, id: &[u8], version: u64) -> R<u32> {
        let (i, il) = self.put(id);
        self.call_u32(SYMMETRIC, "symmetric_key_from_id", &[sm as u64, i as u64, il as u64, version])
    }

    pub fn symmetric_state_open(&mut self, alg: &str, key: Option<u32>, opts: Option<u32>) -> R<u32> {
        let (a, al) = self.put_str(alg);
        let k = self.opt(key);
        let o = self.opt(opts);
        self.call_u32(SYMMETRIC, "symmetric_state_open", &[a as u64, al as u64, k as u64, o as u64])
    }

    pub fn symmetric_state_clone(&mut self, state: u32) -> R<u32> {
        self.call_u32(SYMMETRIC, "symmetric_state_clone", &[state as u64])
    }

    /// `symmetric_state_options_get` into a buffer of `max_len` bytes: the value (of the reported size).
    pub fn symmetric_state_options_get(&mut self, state: u32, name: &str, max_len: usize) -> R<Vec<u8>> {
        let (n, nl) = self.put_str(name);
        let buf = self.out(max_len);
        let size = self.call_u32(
            SYMMETRIC,
            "symmetric_state_options_get",
            &[state as u64, n as u64, nl as u64, buf as u64, max_len as u64],
        )?;
        assert!(size as usize <= max_len, "options_get reported {size} bytes for a {max_len}-byte buffer");
        Ok(self.read(buf, size as usize))
    }

    pub fn symmetric_state_options_get_u64(&mut self, state: u32, name: &str) -> R<u64> {
        let (n, nl) = self.put_str(name);
        self.call_u64(SYMMETRIC, "symmetric_state_options_get_u64", &[state as u64, n as u64, nl as u64])
    }

    pub fn symmetric_state_close(&mut self, state: u32) -> R<()> {
        self.call_ok(SYMMETRIC, "symmetric_state_close", &[state as u64])
    }

    pub fn symmetric_state_absorb(&mut self, state: u32, data: &[u8]) -> R<()> {
        let (d, dl) = self.put(data);
        self.call_ok(SYMMETRIC, "symmetric_state_absorb", &[state as u64, d as u64, dl as u64])
    }

    pub fn symmetric_state_squeeze(&mut self, state: u32, out_len: usize) -> R<Vec<u8>> {
        let o = self.out(out_len);
        self.call_ok(SYMMETRIC, "symmetric_state_squeeze", &[state as u64, o as u64, out_len as u64])?;
        Ok(self.read(o, out_len))
    }

    pub fn symmetric_state_squeeze_tag(&mut self, state: u32) -> R<u32> {
        self.call_u32(SYMMETRIC, "symmetric_state_squeeze_tag", &[state as u64])
    }

    pub fn symmetric_state_squeeze_key(&mut self, state: u32, alg: &str) -> R<u32> {
        let (a, al) = self.put_str(alg);
        self.call_u32(SYMMETRIC, "symmetric_state_squeeze_key", &[state as u64, a as u64, al as u64])
    }

    pub fn symmetric_state_max_tag_len(&mut self, state: u32) -> R<u32> {
        self.call_u32(SYMMETRIC, "symmetric_state_max_tag_len", &[state as u64])
    }

    /// `symmetric_state_encrypt` into a buffer of `out_len` bytes: the bytes it reported writing.
    pub fn symmetric_state_encrypt(&mut self, state: u32, data: &[u8], out_len: usize) -> R<Vec<u8>> {
        let (d, dl) = self.put(data);
        let o = self.out(out_len);
        let n = self.call_u32(
            SYMMETRIC,
            "symmetric_state_encrypt",
            &[state as u64, o as u64, out_len as u64, d as u64, dl as u64],
        )?;
        assert!(n as usize <= out_len, "encrypt reported {n} bytes for a {out_len}-byte buffer");
        Ok(self.read(o, n as usize))
    }

    /// `symmetric_state_encrypt_detached`: (ciphertext of the reported length, tag handle).
    pub fn symmetric_state_encrypt_detached(&mut self, state: u32, data: &[u8], out_len: usize) -> R<(Vec<u8>, u32)> {
        let (d, dl) = self.put(data);
        let o = self.out(out_len);
        let tag = self.call_u32(
            SYMMETRIC,
            "symmetric_state_encrypt_detached",
            &[state as u64, o as u64, out_len as u64, d as u64, dl as u64],
        )?;
        Ok((self.read(o, data.len().min(out_len)), tag))
    }

    /// `symmetric_state_decrypt`, raw: (errno, the whole output buffer after the call, reported size).
    pub fn symmetric_state_decrypt_raw(&mut self, state: u32, data: &[u8], out_len: usize) -> (u16, Vec<u8>, u32) {
        let (d, dl) = self.put(data);
        let o = self.out(out_len);
        let size = self.out(4);
        let e = self.call(
            SYMMETRIC,
            "symmetric_state_decrypt",
            &[state as u64, o as u64, out_len as u64, d as u64, dl as u64, size as u64],
        );
        (e, self.read(o, out_len), self.read_u32(size))
    }

    pub fn symmetric_state_decrypt(&mut self, state: u32, data: &[u8], out_len: usize) -> R<Vec<u8>> {
        let (e, mut buf, n) = self.symmetric_state_decrypt_raw(state, data, out_len);
        errno_result(e)?;
        assert!(n as usize <= out_len, "decrypt reported {n} bytes for a {out_len}-byte buffer");
        buf.truncate(n as usize);
        Ok(buf)
    }

    /// `symmetric_state_decrypt_detached`, raw: (errno, the whole output buffer, reported size).
    pub fn symmetric_state_decrypt_detached_raw(
        &mut self,
        state: u32,
        data: &[u8],
        tag: &[u8],
        out_len: usize,
    ) -> (u16, Vec<u8>, u32) {
        let (d, dl) = self.put(data);
        let (t, tl) = self.put(tag);
        let o = self.out(out_len);
        let size = self.out(4);
        let e = self.call(
            SYMMETRIC,
            "symmetric_state_decrypt_detached",
            &[state as u64, o as u64, out_len as u64, d as u64, dl as u64, t as u64, tl as u64, size as u64],
        );
        (e, self.read(o, out_len), self.read_u32(size))
    }

    pub fn symmetric_state_decrypt_detached(
        &mut self,
        state: u32,
        data: &[u8],
        tag: &[u8],
        out_len: usize,
    ) -> R<Vec<u8>> {
        let (e, mut buf, n) = self.symmetric_state_decrypt_detached_raw(state, data, tag, out_len);
        errno_result(e)?;
        assert!(n as usize <= out_len, "decrypt_detached reported {n} bytes for a {out_len}-byte buffer");
        buf.truncate(n as usize);
        Ok(buf)
    }

    pub fn symmetric_state_ratchet(&mut self, state: u32) -> R<()> {
        self.call_ok(SYMMETRIC, "symmetric_state_ratchet", &[state as u64])
    }

    pub fn symmetric_tag_len(&mut self, tag: u32) -> R<u32> {
        self.call_u32(SYMMETRIC, "symmetric_tag_len", &[tag as u64])
    }

    /// `symmetric_tag_pull` into a buffer of `buf_len` bytes: the bytes it reported copying.
    pub fn symmetric_tag_pull(&mut self, tag: u32, buf_len: usize) -> R<Vec<u8>> {
        let buf = self.out(buf_len);
        let n = self.call_u32(SYMMETRIC, "symmetric_tag_pull", &[tag as u64, buf as u64, buf_len as u64])?;
        assert!(n as usize <= buf_len, "tag_pull reported {n} bytes for a {buf_len}-byte buffer");
        Ok(self.read(buf, n as usize))
    }

    pub fn symmetric_tag_verify(&mut self, tag: u32, raw: &[u8]) -> R<()> {
        let (r, rl) = self.put(raw);
        self.call_ok(SYMMETRIC, "symmetric_tag_verify", &[tag as u64, r as u64, rl as u64])
    }

    pub fn symmetric_tag_close(&mut self, tag: u32) -> R<()> {
        self.call_ok(SYMMETRIC, "symmetric_tag_close", &[tag as u64])
    }

    // ---- wasi_ephemeral_crypto_asymmetric_common ----

    pub fn keypair_generate(&mut self, alg_type: u32, alg: &str, opts: Option<u32>) -> R<u32> {
        let (a, al) = self.put_str(alg);
        let o = self.opt(opts);
        self.call_u32(ASYMMETRIC, "keypair_generate", &[alg_type as u64, a as u64, al as u64, o as u64])
    }

    pub fn keypair_import(&mut self, alg_type: u32, alg: &str, encoded: &[u8], encoding: u32) -> R<u32> {
        let (a, al) = self.put_str(alg);
        let (e, el) = self.put(encoded);
        self.call_u32(
            ASYMMETRIC,
            "keypair_import",
            &[alg_type as u64, a as u64, al as u64, e as u64, el as u64, encoding as u64],
        )
    }

    pub fn keypair_generate_managed(&mut self, sm: u32, alg_type: u32, alg: &str, opts: Option<u32>) -> R<u32> {
        let (a, al) = self.put_str(alg);
        let o = self.opt(opts);
        self.call_u32(
            ASYMMETRIC,
            "keypair_generate_managed",
            &[sm as u64, alg_type as u64, a as u64, al as u64, o as u64],
        )
    }

    pub fn keypair_store_managed(&mut self, sm: u32, kp: u32, id_max_len: usize) -> R<()> {
        let buf = self.out(id_max_len);
        self.call_ok(ASYMMETRIC, "keypair_store_managed", &[sm as u64, kp as u64, buf as u64, id_max_len as u64])
    }

    pub fn keypair_replace_managed(&mut self, sm: u32, old: u32, new: u32) -> R<u64> {
        self.call_u64(ASYMMETRIC, "keypair_replace_managed", &[sm as u64, old as u64, new as u64])
    }

    pub fn keypair_id(&mut self, kp: u32, id_max_len: usize) -> R<(Vec<u8>, u64)> {
        let buf = self.out(id_max_len);
        let size = self.out(4);
        let version = self.out(8);
        self.call_ok(
            ASYMMETRIC,
            "keypair_id",
            &[kp as u64, buf as u64, id_max_len as u64, size as u64, version as u64],
        )?;
        let n = self.read_u32(size) as usize;
        Ok((self.read(buf, n.min(id_max_len)), self.read_u64(version)))
    }

    pub fn keypair_from_id(&mut self, sm: u32, id: &[u8], version: u64) -> R<u32> {
        let (i, il) = self.put(id);
        self.call_u32(ASYMMETRIC, "keypair_from_id", &[sm as u64, i as u64, il as u64, version])
    }

    pub fn keypair_from_pk_and_sk(&mut self, pk: u32, sk: u32) -> R<u32> {
        self.call_u32(ASYMMETRIC, "keypair_from_pk_and_sk", &[pk as u64, sk as u64])
    }

    pub fn keypair_export(&mut self, kp: u32, encoding: u32) -> R<u32> {
        self.call_u32(ASYMMETRIC, "keypair_export", &[kp as u64, encoding as u64])
    }

    pub fn keypair_publickey(&mut self, kp: u32) -> R<u32> {
        self.call_u32(ASYMMETRIC, "keypair_publickey", &[kp as u64])
    }

    pub fn keypair_secretkey(&mut self, kp: u32) -> R<u32> {
        self.call_u32(ASYMMETRIC, "keypair_secretkey", &[kp as u64])
    }

    pub fn keypair_close(&mut self, kp: u32) -> R<()> {
        self.call_ok(ASYMMETRIC, "keypair_close", &[kp as u64])
    }

    pub fn publickey_import(&mut self, alg_type: u32, alg: &str, encoded: &[u8], encoding: u32) -> R<u32> {
        let (a, al) = self.put_str(alg);
        let (e, el) = self.put(encoded);
        self.call_u32(
            ASYMMETRIC,
            "publickey_import",
            &[alg_type as u64, a as u64, al as u64, e as u64, el as u64, encoding as u64],
        )
    }

    pub fn publickey_export(&mut self, pk: u32, encoding: u32) -> R<u32> {
        self.call_u32(ASYMMETRIC, "publickey_export", &[pk as u64, encoding as u64])
    }

    pub fn publickey_verify(&mut self, pk: u32) -> R<()> {
        self.call_ok(ASYMMETRIC, "publickey_verify", &[pk as u64])
    }

    pub fn publickey_from_secretkey(&mut self, sk: u32) -> R<u32> {
        self.call_u32(ASYMMETRIC, "publickey_from_secretkey", &[sk as u64])
    }

    pub fn publickey_close(&mut self, pk: u32) -> R<()> {
        self.call_ok(ASYMMETRIC, "publickey_close", &[pk as u64])
    }

    pub fn secretkey_import(&mut self, alg_type: u32, alg: &str, encoded: &[u8], encoding: u32) -> R<u32> {
        let (a, al) = self.put_str(alg);
        let (e, el) = self.put(encoded);
        self.call_u32(
            ASYMMETRIC,
            "secretkey_import",
            &[alg_type as u64, a as u64, al as u64, e as u64, el as u64, encoding as u64],
        )
    }

    pub fn secretkey_export(&mut self, sk: u32, encoding: u32) -> R<u32> {
        self.call_u32(ASYMMETRIC, "secretkey_export", &[sk as u64, encoding as u64])
    }

    pub fn secretkey_close(&mut self, sk: u32) -> R<()> {
        self.call_ok(ASYMMETRIC, "secretkey_close", &[sk as u64])
    }

    // ---- wasi_ephemeral_crypto_signatures ----

    pub fn signature_export(&mut self, sig: u32, encoding: u32) -> R<u32> {
        self.call_u32(SIGNATURES, "signature_export", &[sig as u64, encoding as u64])
    }

    pub fn signature_import(&mut self, alg: &str, encoded: &[u8], encoding: u32) -> R<u32> {
        let (a, al) = self.put_str(alg);
        let (e, el) = self.put(encoded);
        self.call_u32(SIGNATURES, "signature_import", &[a as u64, al as u64, e as u64, el as u64, encoding as u64])
    }

    pub fn signature_close(&mut self, sig: u32) -> R<()> {
        self.call_ok(SIGNATURES, "signature_close", &[sig as u64])
    }

    pub fn signature_state_open(&mut self, kp: u32) -> R<u32> {
        self.call_u32(SIGNATURES, "signature_state_open", &[kp as u64])
    }

    pub fn signature_state_update(&mut self, state: u32, data: &[u8]) -> R<()> {
        let (d, dl) = self.put(data);
        self.call_ok(SIGNATURES, "signature_state_update", &[state as u64, d as u64, dl as u64])
    }

    /// `signature_state_sign`: a signature handle.
    pub fn signature_state_sign(&mut self, state: u32) -> R<u32> {
        self.call_u32(SIGNATURES, "signature_state_sign", &[state as u64])
    }

    pub fn signature_state_close(&mut self, state: u32) -> R<()> {
        self.call_ok(SIGNATURES, "signature_state_close", &[state as u64])
    }

    pub fn signature_verification_state_open(&mut self, pk: u32) -> R<u32> {
        self.call_u32(SIGNATURES, "signature_verification_state_open", &[pk as u64])
    }

    pub fn signature_verification_state_update(&mut self, state: u32, data: &[u8]) -> R<()> {
        let (d, dl) = self.put(data);
        self.call_ok(SIGNATURES, "signature_verification_state_update", &[state as u64, d as u64, dl as u64])
    }

    pub fn signature_verification_state_verify(&mut self, state: u32, sig: u32) -> R<()> {
        self.call_ok(SIGNATURES, "signature_verification_state_verify", &[state as u64, sig as u64])
    }

    pub fn signature_verification_state_close(&mut self, state: u32) -> R<()> {
        self.call_ok(SIGNATURES, "signature_verification_state_close", &[state as u64])
    }

    // ---- wasi_ephemeral_crypto_kx ----

    /// `kx_dh`: an array output handle.
    pub fn kx_dh(&mut self, pk: u32, sk: u32) -> R<u32> {
        self.call_u32(KX, "kx_dh", &[pk as u64, sk as u64])
    }

    /// `kx_encapsulate`: (secret array output, encapsulated secret array output).
    pub fn kx_encapsulate(&mut self, pk: u32) -> R<(u32, u32)> {
        let s = self.out(4);
        let e = self.out(4);
        self.call_ok(KX, "kx_encapsulate", &[pk as u64, s as u64, e as u64])?;
        Ok((self.read_u32(s), self.read_u32(e)))
    }

    pub fn kx_decapsulate(&mut self, sk: u32, encapsulated: &[u8]) -> R<u32> {
        let (e, el) = self.put(encapsulated);
        self.call_u32(KX, "kx_decapsulate", &[sk as u64, e as u64, el as u64])
    }

    // ---- composites, as a guest would write them ----

    /// The digest of `data` under a hash algorithm, squeezed to `out_len` bytes.
    pub fn hash(&mut self, alg: &str, data: &[u8], out_len: usize) -> R<Vec<u8>> {
        let st = self.symmetric_state_open(alg, None, None)?;
        let r = self.symmetric_state_absorb(st, data).and_then(|()| self.symmetric_state_squeeze(st, out_len));
        self.symmetric_state_close(st).expect("close hash state");
        r
    }

    /// A MAC tag handle for `data` under a fresh key imported from `key`.
    pub fn mac_tag(&mut self, alg: &str, key: &[u8], data: &[u8]) -> R<u32> {
        let k = self.symmetric_key_import(alg, key)?;
        let st = self.symmetric_state_open(alg, Some(k), None);
        self.symmetric_key_close(k).expect("close MAC key");
        let st = st?;
        let r = self.symmetric_state_absorb(st, data).and_then(|()| self.symmetric_state_squeeze_tag(st));
        self.symmetric_state_close(st).expect("close MAC state");
        r
    }

    /// The MAC tag bytes for `data` (`symmetric_tag_len` then `symmetric_tag_pull`).
    pub fn mac(&mut self, alg: &str, key: &[u8], data: &[u8]) -> R<Vec<u8>> {
        let tag = self.mac_tag(alg, key, data)?;
        let len = self.symmetric_tag_len(tag)? as usize;
        let v = self.symmetric_tag_pull(tag, len)?;
        assert_eq!(v.len(), len);
        Ok(v)
    }

    /// `symmetric_key_export` then pull.
    pub fn export_key(&mut self, key: u32) -> R<Vec<u8>> {
        let ao = self.symmetric_key_export(key)?;
        self.pull(ao)
    }

    /// Symmetric options with `nonce` set (None: no options at all).
    pub fn nonce_options(&mut self, nonce: Option<&[u8]>) -> R<Option<u32>> {
        match nonce {
            None => Ok(None),
            Some(n) => {
                let o = self.options_open(alg_type::SYMMETRIC)?;
                self.options_set(o, "nonce", n)?;
                Ok(Some(o))
            }
        }
    }

    /// An AEAD state for `key` and `nonce` that has absorbed `aad` (the key and options handles are
    /// closed again once the state is open).
    pub fn aead_state(&mut self, alg: &str, key: &[u8], nonce: Option<&[u8]>, aad: &[u8]) -> R<u32> {
        let k = self.symmetric_key_import(alg, key)?;
        let opts = self.nonce_options(nonce)?;
        let st = self.symmetric_state_open(alg, Some(k), opts);
        self.symmetric_key_close(k).expect("close AEAD key");
        if let Some(o) = opts {
            self.options_close(o).expect("close options");
        }
        let st = st?;
        if let Err(e) = self.symmetric_state_absorb(st, aad) {
            self.symmetric_state_close(st).expect("close AEAD state");
            return Err(e);
        }
        Ok(st)
    }

    /// Sign `msg` with a key pair: the signature handle.
    pub fn sign(&mut self, kp: u32, msg: &[u8]) -> R<u32> {
        let st = self.signature_state_open(kp)?;
        let r = self.signature_state_update(st, msg).and_then(|()| self.signature_state_sign(st));
        self.signature_state_close(st).expect("close signature state");
        r
    }

    /// Sign `msg` and export the signature in `encoding`.
    pub fn sign_export(&mut self, kp: u32, msg: &[u8], encoding: u32) -> R<Vec<u8>> {
        let sig = self.sign(kp, msg)?;
        let r = self.signature_export(sig, encoding).and_then(|ao| self.pull(ao));
        self.signature_close(sig).expect("close signature");
        r
    }

    /// Verify a signature handle over `msg` with a public key.
    pub fn verify(&mut self, pk: u32, msg: &[u8], sig: u32) -> R<()> {
        let st = self.signature_verification_state_open(pk)?;
        let r = self
            .signature_verification_state_update(st, msg)
            .and_then(|()| self.signature_verification_state_verify(st, sig));
        self.signature_verification_state_close(st).expect("close verification state");
        r
    }

    /// Import an encoded signature and verify it. The error of `signature_import` or of the verification.
    pub fn verify_encoded(&mut self, alg: &str, pk: u32, msg: &[u8], sig: &[u8], encoding: u32) -> R<()> {
        let s = self.signature_import(alg, sig, encoding)?;
        let r = self.verify(pk, msg, s);
        self.signature_close(s).expect("close signature");
        r
    }

    /// `publickey_export` then pull.
    pub fn export_pk(&mut self, pk: u32, encoding: u32) -> R<Vec<u8>> {
        let ao = self.publickey_export(pk, encoding)?;
        self.pull(ao)
    }

    /// `secretkey_export` then pull.
    pub fn export_sk(&mut self, sk: u32, encoding: u32) -> R<Vec<u8>> {
        let ao = self.secretkey_export(sk, encoding)?;
        self.pull(ao)
    }

    /// `keypair_export` then pull.
    pub fn export_kp(&mut self, kp: u32, encoding: u32) -> R<Vec<u8>> {
        let ao = self.keypair_export(kp, encoding)?;
        self.pull(ao)
    }

    /// `kx_dh` then pull.
    pub fn dh(&mut self, pk: u32, sk: u32) -> R<Vec<u8>> {
        let ao = self.kx_dh(pk, sk)?;
        self.pull(ao)
    }
}

/// Counts of a vector family; `finish` prints the line and fails the test on any failure.
pub struct Tally {
    name: String,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub acceptable: usize,
    failures: Vec<String>,
}

impl Tally {
    pub fn new(name: impl Into<String>) -> Tally {
        Tally { name: name.into(), passed: 0, failed: 0, skipped: 0, acceptable: 0, failures: Vec::new() }
    }

    pub fn pass(&mut self) {
        self.passed += 1;
    }

    pub fn skip(&mut self) {
        self.skipped += 1;
    }

    pub fn skip_n(&mut self, n: usize) {
        self.skipped += n;
    }

    /// An "acceptable" Wycheproof vector (either outcome is allowed), counted apart.
    pub fn acceptable(&mut self) {
        self.acceptable += 1;
    }

    pub fn fail(&mut self, msg: impl Into<String>) {
        self.failed += 1;
        self.failures.push(msg.into());
    }

    /// Record `Ok` as a pass and `Err(msg)` as a failure.
    pub fn check(&mut self, r: Result<(), String>) {
        match r {
            Ok(()) => self.pass(),
            Err(m) => self.fail(m),
        }
    }

    pub fn finish(self, min_passed: usize) {
        let acc = if self.acceptable > 0 { format!(", {} acceptable", self.acceptable) } else { String::new() };
        println!("{}: {} passed, {} failed, {} skipped{acc}", self.name, self.passed, self.failed, self.skipped);
        for f in self.failures.iter().take(40) {
            println!("  FAIL {}: {f}", self.name);
        }
        if self.failures.len() > 40 {
            println!("  ... and {} more", self.failures.len() - 40);
        }
        assert_eq!(self.failed, 0, "{}: {} failures (first: {:?})", self.name, self.failed, self.failures.first());
        assert!(
            self.passed >= min_passed,
            "{}: only {} passed, expected at least {min_passed}",
            self.name,
            self.passed
        );
    }
}

/// Attach context to an errno: `g.hash(..).ctx("hash")?` in a function returning `Result<_, String>`.
pub trait Ctx<T> {
    fn ctx(self, what: impl std::fmt::Display) -> Result<T, String>;
}

impl<T> Ctx<T> for R<T> {
    fn ctx(self, what: impl std::fmt::Display) -> Result<T, String> {
        self.map_err(|e| format!("{what}: errno {e}"))
    }
}

/// `Ok` if `got == want`, else a message with both in hex.
pub fn same(what: impl std::fmt::Display, got: &[u8], want: &[u8]) -> Result<(), String> {
    if got == want { Ok(()) } else { Err(format!("{what}: got {}, want {}", to_hex(got), to_hex(want))) }
}

/// `Ok` if `r` failed with exactly `code`.
pub fn fails_with<T: std::fmt::Debug>(what: impl std::fmt::Display, r: R<T>, code: u16) -> Result<(), String> {
    match r {
        Err(e) if e == code => Ok(()),
        Err(e) => Err(format!("{what}: errno {e}, want {code}")),
        Ok(v) => Err(format!("{what}: succeeded ({v:?}), want errno {code}")),
    }
}

pub fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

pub fn to_hex(b: &[u8]) -> String {
    hex::encode(b)
}
