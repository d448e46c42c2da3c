//! The proposal's enumerations, numbered as in WasmEdge 0.15's `api.hpp` (witx 0.10). A value the guest
//! passes that is not one of them is refused as WasmEdge refuses it.

use crate::error::{CryptoError, Result};

macro_rules! wasi_enum {
    ($(#[$doc:meta])* $name:ident, $err:ident { $($variant:ident = $value:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant = $value),*
        }

        impl $name {
            /// From the raw value a guest passes (the low 16 bits of the i32, as witx's `u16`); other
            /// values are `CryptoError::
            #[doc = stringify!($err)]
            /// `.
            pub fn from_raw(raw: u32) -> Result<Self> {
                match raw {
                    $($value => Ok($name::$variant),)*
                    _ => Err(CryptoError::$err),
                }
            }
        }
    };
}

wasi_enum!(
    /// `algorithm_type`.
    AlgorithmType, UnsupportedAlgorithm { Signatures = 0, Symmetric = 1, KeyExchange = 2 }
);

wasi_enum!(
    /// `keypair_encoding`.
    KeypairEncoding, UnsupportedEncoding { Raw = 0, Pkcs8 = 1, Pem = 2, Local = 3 }
);

wasi_enum!(
    /// `publickey_encoding`. `Sec` imports both the compressed and the uncompressed SEC-1 point form and
    /// exports the uncompressed one; `CompressedSec` (an extension, value 5, after WasmEdge's `Local`)
    /// exports the compressed form.
    PublickeyEncoding, UnsupportedEncoding { Raw = 0, Pkcs8 = 1, Pem = 2, Sec = 3, Local = 4, CompressedSec = 5 }
);

wasi_enum!(
    /// `secretkey_encoding`.
    SecretkeyEncoding, UnsupportedEncoding { Raw = 0, Pkcs8 = 1, Pem = 2, Sec = 3, Local = 4 }
);

wasi_enum!(
    /// `signature_encoding`.
    SignatureEncoding, UnsupportedEncoding { Raw = 0, Der = 1 }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_values() {
        assert_eq!(AlgorithmType::from_raw(2), Ok(AlgorithmType::KeyExchange));
        assert_eq!(AlgorithmType::from_raw(3), Err(CryptoError::UnsupportedAlgorithm));
        assert_eq!(PublickeyEncoding::from_raw(4), Ok(PublickeyEncoding::Local));
        assert_eq!(SignatureEncoding::from_raw(2), Err(CryptoError::UnsupportedEncoding));
    }
}
