//! The installer's one error type: a message for the user and a kind that picks the exit code.

use std::fmt;

/// What went wrong, coarsely: it decides the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A bad option, or a version, plugin or platform that does not exist (exit code 2).
    Usage,
    /// A download failed: network, HTTP status, timeout, truncation.
    Download,
    /// A file is not what the release says it is: checksum, size, archive contents, plugin ABI.
    Verify,
    /// Reading or writing the local file system.
    Io,
    /// Ctrl-C or SIGTERM (exit code 130).
    Interrupted,
}

/// An error with the message shown to the user.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into() }
    }
    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Usage, message)
    }
    pub fn download(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Download, message)
    }
    pub fn verify(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Verify, message)
    }
    pub fn interrupted() -> Error {
        Error::new(ErrorKind::Interrupted, "interrupted")
    }
    /// An I/O error on `what` (a path or an action).
    pub fn io(what: impl fmt::Display, e: std::io::Error) -> Error {
        Error::new(ErrorKind::Io, format!("{what}: {e}"))
    }
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Usage => 2,
            ErrorKind::Interrupted => 130,
            _ => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
