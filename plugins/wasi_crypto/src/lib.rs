//! The `wasi_crypto` plugin: WasmEdge's five wasi-crypto modules (`wasi_ephemeral_crypto_common`,
//! `_symmetric`, `_asymmetric_common`, `_signatures`, `_kx`) on the RustCrypto crates. See README.md for
//! the algorithms, the semantics and where they differ from WasmEdge's plugin.
//!
//! Layout: `funcs/` holds the guest-facing functions (one file per module), `symmetric/` and
//! `asymmetric/` the algorithms, `state.rs` the per-guest handle tables the five modules share.

// `deny`, not `forbid`: `export_plugin!` expands to the one `#[allow(unsafe_code)]` item the SDK needs.
#![deny(unsafe_code)]

pub mod array_output;
pub mod asymmetric;
pub mod error;
mod funcs;
mod guest;
pub mod handles;
pub mod options;
pub mod state;
pub mod symmetric;
pub mod types;

use wasmedge_plugin_sdk::{Frame, Module, Plugin};

use error::errno;
use funcs::{asymmetric_common as ac, common, kx, signatures as sig, symmetric as sym};
use state::{Shared, lock};

/// A host function over the shared state: `host!(path::to::function, arg: type, …)` with the wasm
/// parameter types (`u32` for `i32`, `u64` for `i64`); it returns the errno as an `i32`.
macro_rules! host {
    ($f:path $(, $arg:ident: $t:ty)*) => {
        |ctx: &mut Shared, frame: &mut Frame<'_, '_>, $($arg: $t),*| -> Result<i32, String> {
            Ok(errno($f(&mut lock(ctx), frame, $($arg),*)))
        }
    };
}

/// A module of the plugin; every module of one guest shares the guest's [`state::CryptoCtx`].
fn module(name: &str, description: &str) -> Module<Shared> {
    Module::new_in(name, description, |_, scope| Ok(scope.get_or_insert_with(Shared::default)))
}

fn common_module() -> Module<Shared> {
    module("wasi_ephemeral_crypto_common", "wasi-crypto: array outputs, options, secrets managers")
        .func("array_output_len", host!(common::array_output_len, h: u32, size: u32))
        .func("array_output_pull", host!(common::array_output_pull, h: u32, buf: u32, len: u32, size: u32))
        .func("options_open", host!(common::options_open, alg_type: u32, out: u32))
        .func("options_close", host!(common::options_close, h: u32))
        .func("options_set", host!(common::options_set, h: u32, n: u32, nl: u32, v: u32, vl: u32))
        .func("options_set_u64", host!(common::options_set_u64, h: u32, n: u32, nl: u32, v: u64))
        .func(
            "options_set_guest_buffer",
            host!(common::options_set_guest_buffer, h: u32, n: u32, nl: u32, b: u32, bl: u32),
        )
        .func("secrets_manager_open", host!(common::secrets_manager_open, opts: u32, out: u32))
        .func("secrets_manager_close", host!(common::secrets_manager_close, h: u32))
        .func(
            "secrets_manager_invalidate",
            host!(common::secrets_manager_invalidate, h: u32, id: u32, idl: u32, v: u64),
        )
}

fn symmetric_module() -> Module<Shared> {
    module("wasi_ephemeral_crypto_symmetric", "wasi-crypto: hashes, MACs, KDFs and AEADs")
        .func("symmetric_key_generate", host!(sym::symmetric_key_generate, a: u32, al: u32, opts: u32, out: u32))
        .func("symmetric_key_import", host!(sym::symmetric_key_import, a: u32, al: u32, r: u32, rl: u32, out: u32))
        .func("symmetric_key_export", host!(sym::symmetric_key_export, key: u32, out: u32))
        .func("symmetric_key_close", host!(sym::symmetric_key_close, key: u32))
        .func(
            "symmetric_key_generate_managed",
            host!(sym::symmetric_key_generate_managed, m: u32, a: u32, al: u32, opts: u32, out: u32),
        )
        .func("symmetric_key_store_managed", host!(sym::symmetric_key_store_managed, m: u32, k: u32, id: u32, idl: u32))
        .func("symmetric_key_replace_managed", host!(sym::symmetric_key_replace_managed, m: u32, o: u32, n: u32, v: u32))
        .func("symmetric_key_id", host!(sym::symmetric_key_id, k: u32, id: u32, idl: u32, size: u32, v: u32))
        .func("symmetric_key_from_id", host!(sym::symmetric_key_from_id, m: u32, id: u32, idl: u32, v: u64, out: u32))
        .func("symmetric_state_open", host!(sym::symmetric_state_open, a: u32, al: u32, key: u32, opts: u32, out: u32))
        .func("symmetric_state_clone", host!(sym::symmetric_state_clone, s: u32, out: u32))
        .func(
            "symmetric_state_options_get",
            host!(sym::symmetric_state_options_get, s: u32, n: u32, nl: u32, v: u32, vl: u32, size: u32),
        )
        .func("symmetric_state_options_get_u64", host!(sym::symmetric_state_options_get_u64, s: u32, n: u32, nl: u32, out: u32))
        .func("symmetric_state_close", host!(sym::symmetric_state_close, s: u32))
        .func("symmetric_state_absorb", host!(sym::symmetric_state_absorb, s: u32, d: u32, dl: u32))
        .func("symmetric_state_squeeze", host!(sym::symmetric_state_squeeze, s: u32, o: u32, ol: u32))
        .func("symmetric_state_squeeze_tag", host!(sym::symmetric_state_squeeze_tag, s: u32, out: u32))
        .func("symmetric_state_squeeze_key", host!(sym::symmetric_state_squeeze_key, s: u32, a: u32, al: u32, out: u32))
        .func("symmetric_state_max_tag_len", host!(sym::symmetric_state_max_tag_len, s: u32, size: u32))
        .func(
            "symmetric_state_encrypt",
            host!(sym::symmetric_state_encrypt, s: u32, o: u32, ol: u32, d: u32, dl: u32, size: u32),
        )
        .func(
            "symmetric_state_encrypt_detached",
            host!(sym::symmetric_state_encrypt_detached, s: u32, o: u32, ol: u32, d: u32, dl: u32, tag: u32),
        )
        .func(
            "symmetric_state_decrypt",
            host!(sym::symmetric_state_decrypt, s: u32, o: u32, ol: u32, d: u32, dl: u32, size: u32),
        )
        .func(
            "symmetric_state_decrypt_detached",
            host!(sym::symmetric_state_decrypt_detached, s: u32, o: u32, ol: u32, d: u32, dl: u32, t: u32, tl: u32, size: u32),
        )
        .func("symmetric_state_ratchet", host!(sym::symmetric_state_ratchet, s: u32))
        .func("symmetric_tag_len", host!(sym::symmetric_tag_len, t: u32, size: u32))
        .func("symmetric_tag_pull", host!(sym::symmetric_tag_pull, t: u32, b: u32, bl: u32, size: u32))
        .func("symmetric_tag_verify", host!(sym::symmetric_tag_verify, t: u32, r: u32, rl: u32))
        .func("symmetric_tag_close", host!(sym::symmetric_tag_close, t: u32))
}

fn asymmetric_common_module() -> Module<Shared> {
    module("wasi_ephemeral_crypto_asymmetric_common", "wasi-crypto: key pairs, public and secret keys")
        .func("keypair_generate", host!(ac::keypair_generate, t: u32, a: u32, al: u32, opts: u32, out: u32))
        .func("keypair_import", host!(ac::keypair_import, t: u32, a: u32, al: u32, e: u32, el: u32, enc: u32, out: u32))
        .func(
            "keypair_generate_managed",
            host!(ac::keypair_generate_managed, m: u32, t: u32, a: u32, al: u32, opts: u32, out: u32),
        )
        .func("keypair_store_managed", host!(ac::keypair_store_managed, m: u32, kp: u32, id: u32, idl: u32))
        .func("keypair_replace_managed", host!(ac::keypair_replace_managed, m: u32, o: u32, n: u32, v: u32))
        .func("keypair_id", host!(ac::keypair_id, kp: u32, id: u32, idl: u32, size: u32, v: u32))
        .func("keypair_from_id", host!(ac::keypair_from_id, m: u32, id: u32, idl: u32, v: u64, out: u32))
        .func("keypair_from_pk_and_sk", host!(ac::keypair_from_pk_and_sk, pk: u32, sk: u32, out: u32))
        .func("keypair_export", host!(ac::keypair_export, kp: u32, enc: u32, out: u32))
        .func("keypair_publickey", host!(ac::keypair_publickey, kp: u32, out: u32))
        .func("keypair_secretkey", host!(ac::keypair_secretkey, kp: u32, out: u32))
        .func("keypair_close", host!(ac::keypair_close, kp: u32))
        .func(
            "publickey_import",
            host!(ac::publickey_import, t: u32, a: u32, al: u32, e: u32, el: u32, enc: u32, out: u32),
        )
        .func("publickey_export", host!(ac::publickey_export, pk: u32, enc: u32, out: u32))
        .func("publickey_verify", host!(ac::publickey_verify, pk: u32))
        .func("publickey_from_secretkey", host!(ac::publickey_from_secretkey, sk: u32, out: u32))
        .func("publickey_close", host!(ac::publickey_close, pk: u32))
        .func(
            "secretkey_import",
            host!(ac::secretkey_import, t: u32, a: u32, al: u32, e: u32, el: u32, enc: u32, out: u32),
        )
        .func("secretkey_export", host!(ac::secretkey_export, sk: u32, enc: u32, out: u32))
        .func("secretkey_close", host!(ac::secretkey_close, sk: u32))
}

fn signatures_module() -> Module<Shared> {
    module("wasi_ephemeral_crypto_signatures", "wasi-crypto: signatures")
        .func("signature_export", host!(sig::signature_export, s: u32, enc: u32, out: u32))
        .func("signature_import", host!(sig::signature_import, a: u32, al: u32, e: u32, el: u32, enc: u32, out: u32))
        .func("signature_state_open", host!(sig::signature_state_open, kp: u32, out: u32))
        .func("signature_state_update", host!(sig::signature_state_update, s: u32, d: u32, dl: u32))
        .func("signature_state_sign", host!(sig::signature_state_sign, s: u32, out: u32))
        .func("signature_state_close", host!(sig::signature_state_close, s: u32))
        .func("signature_verification_state_open", host!(sig::signature_verification_state_open, pk: u32, out: u32))
        .func(
            "signature_verification_state_update",
            host!(sig::signature_verification_state_update, s: u32, d: u32, dl: u32),
        )
        .func("signature_verification_state_verify", host!(sig::signature_verification_state_verify, s: u32, sig: u32))
        .func("signature_verification_state_close", host!(sig::signature_verification_state_close, s: u32))
        .func("signature_close", host!(sig::signature_close, s: u32))
}

fn kx_module() -> Module<Shared> {
    module("wasi_ephemeral_crypto_kx", "wasi-crypto: key exchange")
        .func("kx_dh", host!(kx::kx_dh, pk: u32, sk: u32, out: u32))
        .func("kx_encapsulate", host!(kx::kx_encapsulate, pk: u32, secret: u32, encapsulated: u32))
        .func("kx_decapsulate", host!(kx::kx_decapsulate, sk: u32, e: u32, el: u32, secret: u32))
}

/// The plugin, version = the workspace's.
pub fn plugin() -> Plugin {
    let version = |s: &str| s.parse().unwrap_or(0);
    Plugin::new(
        "wasi_crypto",
        "WASI cryptography: hashes, MACs, KDFs, AEADs, signatures and key exchange",
        (
            version(env!("CARGO_PKG_VERSION_MAJOR")),
            version(env!("CARGO_PKG_VERSION_MINOR")),
            version(env!("CARGO_PKG_VERSION_PATCH")),
            0,
        ),
    )
    .module(common_module())
    .module(symmetric_module())
    .module(asymmetric_common_module())
    .module(signatures_module())
    .module(kx_module())
}

wasmedge_plugin_sdk::export_plugin!(plugin());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_modules_with_wasmedges_function_counts() {
        let d = plugin().descriptor();
        let counts: Vec<(String, usize)> = d.modules.iter().map(|m| (m.name.to_string(), m.functions.len())).collect();
        let expected = [
            ("wasi_ephemeral_crypto_common", 10),
            ("wasi_ephemeral_crypto_symmetric", 28),
            ("wasi_ephemeral_crypto_asymmetric_common", 20),
            ("wasi_ephemeral_crypto_signatures", 11),
            ("wasi_ephemeral_crypto_kx", 3),
        ];
        assert_eq!(counts, expected.map(|(n, c)| (n.to_string(), c)));
        assert_eq!(d.name.as_str(), "wasi_crypto");
    }

    /// The table lists every function WasmEdge registers, with its wasm parameter types.
    #[test]
    fn signatures_match_wasmedge() {
        use wasmedge_plugin_sdk::ValKind;
        let d = plugin().descriptor();
        let table = include_str!("../tests/wasmedge-signatures.txt");
        let mut n = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let [module, name, params]: [&str; 3] = line.split(' ').collect::<Vec<_>>().try_into().unwrap();
            let m = d.modules.iter().find(|m| m.name.as_str() == module).unwrap();
            let f = m.functions.iter().find(|f| f.name.as_str() == name).unwrap_or_else(|| panic!("{name} missing"));
            let ours: String = f.params.iter().map(|k| if *k == ValKind::I64 { 'I' } else { 'i' }).collect();
            assert!(f.params.iter().all(|k| matches!(k, ValKind::I32 | ValKind::I64)), "{name}");
            assert_eq!(ours, params, "{module}.{name}");
            assert_eq!(f.results.as_slice(), &[ValKind::I32], "{name}");
            n += 1;
        }
        assert_eq!(n, d.modules.iter().map(|m| m.functions.len()).sum::<usize>());
    }
}
