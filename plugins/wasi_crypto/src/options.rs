//! Options objects (`options_open`/`options_set*`): algorithm parameters a guest sets before opening a
//! state or creating a key.

use std::collections::HashMap;

use zeroize::Zeroizing;

use crate::error::{CryptoError, Result};
use crate::types::AlgorithmType;

const BYTE_OPTIONS: [&str; 3] = ["context", "salt", "nonce"];
const U64_OPTIONS: [&str; 3] = ["memory_limit", "ops_limit", "parallelism"];

/// A set of options for one algorithm type. Only symmetric algorithms take options; signature and
/// key-exchange options objects exist (guests may pass them) but accept none.
#[derive(Clone)]
pub struct Options {
    alg_type: AlgorithmType,
    values: HashMap<&'static str, Zeroizing<Vec<u8>>>,
    u64s: HashMap<&'static str, u64>,
    guest_buffer: Option<(u32, u32)>,
}

/// `name`, lower-cased, if it is one of `names`.
fn known(names: &[&'static str], name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    names.iter().copied().find(|n| *n == lower)
}

impl Options {
    /// An empty options object for `alg_type`.
    pub fn new(alg_type: AlgorithmType) -> Self {
        Options { alg_type, values: HashMap::new(), u64s: HashMap::new(), guest_buffer: None }
    }

    /// The algorithm type the options were opened for.
    pub fn algorithm_type(&self) -> AlgorithmType {
        self.alg_type
    }

    fn names(&self, names: &'static [&'static str]) -> &'static [&'static str] {
        if self.alg_type == AlgorithmType::Symmetric { names } else { &[] }
    }

    /// Set a byte-string option.
    pub fn set(&mut self, name: &str, value: &[u8]) -> Result<()> {
        let name = known(self.names(&BYTE_OPTIONS), name).ok_or(CryptoError::UnsupportedOption)?;
        self.values.insert(name, Zeroizing::new(value.to_vec()));
        Ok(())
    }

    /// Set an integer option.
    pub fn set_u64(&mut self, name: &str, value: u64) -> Result<()> {
        let name = known(self.names(&U64_OPTIONS), name).ok_or(CryptoError::UnsupportedOption)?;
        self.u64s.insert(name, value);
        Ok(())
    }

    /// Set the `buffer` option: a guest memory range (address, length) an algorithm may use as scratch
    /// space. Recorded; no algorithm here needs one.
    pub fn set_guest_buffer(&mut self, name: &str, ptr: u32, len: u32) -> Result<()> {
        known(self.names(&["buffer"]), name).ok_or(CryptoError::UnsupportedOption)?;
        self.guest_buffer = Some((ptr, len));
        Ok(())
    }

    /// A byte-string option: `unsupported_option` for an unknown name, `option_not_set` if not set.
    pub fn get(&self, name: &str) -> Result<&[u8]> {
        let name = known(self.names(&BYTE_OPTIONS), name).ok_or(CryptoError::UnsupportedOption)?;
        self.values.get(name).map(|v| v.as_slice()).ok_or(CryptoError::OptionNotSet)
    }

    /// An integer option, likewise.
    pub fn get_u64(&self, name: &str) -> Result<u64> {
        let name = known(self.names(&U64_OPTIONS), name).ok_or(CryptoError::UnsupportedOption)?;
        self.u64s.get(name).copied().ok_or(CryptoError::OptionNotSet)
    }

    /// A byte-string option if it is set.
    pub fn value(&self, name: &'static str) -> Option<&[u8]> {
        self.values.get(name).map(|v| v.as_slice())
    }

    /// Replace a byte-string option the runtime chose (an automatically generated nonce).
    pub fn set_internal(&mut self, name: &'static str, value: &[u8]) {
        self.values.insert(name, Zeroizing::new(value.to_vec()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symmetric_options() {
        let mut o = Options::new(AlgorithmType::Symmetric);
        assert_eq!(o.get("nonce"), Err(CryptoError::OptionNotSet));
        o.set("Nonce", b"123").unwrap();
        assert_eq!(o.get("nonce"), Ok(&b"123"[..]));
        assert_eq!(o.set("colour", b""), Err(CryptoError::UnsupportedOption));
        assert_eq!(o.set_u64("nonce", 1), Err(CryptoError::UnsupportedOption));
        o.set_u64("ops_limit", 7).unwrap();
        assert_eq!(o.get_u64("OPS_LIMIT"), Ok(7));
        o.set_guest_buffer("buffer", 0, 16).unwrap();
    }

    #[test]
    fn asymmetric_options_accept_none() {
        let mut o = Options::new(AlgorithmType::Signatures);
        assert_eq!(o.set("context", b"x"), Err(CryptoError::UnsupportedOption));
        assert_eq!(o.set_u64("ops_limit", 1), Err(CryptoError::UnsupportedOption));
    }
}
