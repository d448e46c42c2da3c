//! `crypto_errno`: the error codes every wasi-crypto function returns, numbered as in the proposal's witx
//! (and WasmEdge's `api.hpp`).

/// An error a wasi-crypto function reports to the guest. `Success` (0) is not an error and has no variant.
#[repr(u16)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CryptoError {
    /// A guest pointer or length is outside the guest's memory, or a value does not fit its type.
    GuestError = 1,
    NotImplemented = 2,
    UnsupportedFeature = 3,
    ProhibitedOperation = 4,
    UnsupportedEncoding = 5,
    UnsupportedAlgorithm = 6,
    UnsupportedOption = 7,
    InvalidKey = 8,
    InvalidLength = 9,
    VerificationFailed = 10,
    RngError = 11,
    AlgorithmFailure = 12,
    InvalidSignature = 13,
    Closed = 14,
    InvalidHandle = 15,
    Overflow = 16,
    InternalError = 17,
    TooManyHandles = 18,
    KeyNotSupported = 19,
    KeyRequired = 20,
    InvalidTag = 21,
    InvalidOperation = 22,
    NonceRequired = 23,
    InvalidNonce = 24,
    OptionNotSet = 25,
    NotFound = 26,
    ParametersMissing = 27,
    InProgress = 28,
    IncompatibleKeys = 29,
    Expired = 30,
}

impl CryptoError {
    /// The errno value the guest sees.
    pub fn code(self) -> u16 {
        self as u16
    }
}

impl std::fmt::Display for CryptoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?} (crypto_errno {})", self.code())
    }
}

impl std::error::Error for CryptoError {}

/// The result of an operation of this plugin.
pub type Result<T> = std::result::Result<T, CryptoError>;

/// The value a function returns to the guest: 0 on success, the errno otherwise.
pub fn errno(result: Result<()>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => i32::from(e.code()),
    }
}

/// `ensure(cond, err)?`: fail with `err` unless `cond` holds.
pub fn ensure(cond: bool, err: CryptoError) -> Result<()> {
    if cond { Ok(()) } else { Err(err) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_witx_numbering() {
        assert_eq!(CryptoError::GuestError.code(), 1);
        assert_eq!(CryptoError::InvalidHandle.code(), 15);
        assert_eq!(CryptoError::InvalidTag.code(), 21);
        assert_eq!(CryptoError::Expired.code(), 30);
        assert_eq!(errno(Ok(())), 0);
        assert_eq!(errno(Err(CryptoError::Overflow)), 16);
    }
}
