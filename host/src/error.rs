//! One error type for the whole engine.
//!
//! Every failure carries its [`Phase`] (loading, validation, instantiation, execution) and the code WasmEdge
//! uses for it, so a front end can print `execution failed: out of bounds memory access, Code: 0x408`.
//! Traps are [`TrapCode`] values: the interpreter's hot loop only ever moves a one-byte code around; the
//! context (function name, message) is attached once, when the trap leaves the engine.

use std::fmt;

/// The phase of a module's life in which an error happened (WasmEdge's `WasmPhase`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Errors of the runtime itself (bad API use, exhausted resources).
    Runtime,
    /// Decoding the binary.
    Loading,
    /// Checking the decoded module against the spec's typing rules.
    Validation,
    /// Linking imports, allocating and initialising the instance.
    Instantiation,
    /// Running code.
    Execution,
}

impl Phase {
    /// The lower-case name WasmEdge prints, e.g. `execution`.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Runtime => "wasmedge runtime",
            Phase::Loading => "loading",
            Phase::Validation => "validation",
            Phase::Instantiation => "instantiation",
            Phase::Execution => "execution",
        }
    }
}

/// Why execution stopped abnormally.
///
/// The discriminants start at 1 so that `Result<(), TrapCode>` stays one byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TrapCode {
    /// An `unreachable` instruction was executed.
    Unreachable = 1,
    /// Integer division or remainder by zero.
    IntegerDivideByZero,
    /// Signed division overflow (`i32::MIN / -1`).
    IntegerOverflow,
    /// A float-to-int truncation of NaN or an out-of-range value.
    InvalidConversionToInteger,
    /// A memory access outside the linear memory.
    MemoryOutOfBounds,
    /// A table access outside the table.
    TableOutOfBounds,
    /// `call_indirect` to a function of another type.
    IndirectCallTypeMismatch,
    /// `call_indirect` through a null table element.
    UninitializedElement,
    /// `call_indirect` with an index past the table's end.
    UndefinedElement,
    /// The call depth or the value stack limit was reached.
    CallStackExhausted,
    /// The gas limit was reached.
    CostLimitExceeded,
    /// The interrupt flag was raised (time limit or another thread).
    Interrupted,
    /// A host function failed; the error carries its message.
    HostError,
}

impl TrapCode {
    /// The trap code with this discriminant.
    pub(crate) fn from_u8(code: u8) -> Option<TrapCode> {
        const ALL: [TrapCode; 13] = [
            TrapCode::Unreachable,
            TrapCode::IntegerDivideByZero,
            TrapCode::IntegerOverflow,
            TrapCode::InvalidConversionToInteger,
            TrapCode::MemoryOutOfBounds,
            TrapCode::TableOutOfBounds,
            TrapCode::IndirectCallTypeMismatch,
            TrapCode::UninitializedElement,
            TrapCode::UndefinedElement,
            TrapCode::CallStackExhausted,
            TrapCode::CostLimitExceeded,
            TrapCode::Interrupted,
            TrapCode::HostError,
        ];
        ALL.into_iter().find(|&c| c as u8 == code)
    }

    /// The message of the spec testsuite for this trap.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::InvalidConversionToInteger => "invalid conversion to integer",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::CallStackExhausted => "call stack exhausted",
            TrapCode::CostLimitExceeded => "cost limit exceeded",
            TrapCode::Interrupted => "execution interrupted",
            TrapCode::HostError => "host function failed",
        }
    }

    /// WasmEdge's error code for this trap.
    ///
    /// WasmEdge has no code of its own for stack exhaustion; we report its generic runtime error, 0x0002.
    pub fn wasmedge_code(self) -> u32 {
        match self {
            TrapCode::Unreachable => 0x40A,
            TrapCode::IntegerDivideByZero => 0x404,
            TrapCode::IntegerOverflow => 0x405,
            TrapCode::InvalidConversionToInteger => 0x406,
            TrapCode::MemoryOutOfBounds => 0x408,
            TrapCode::TableOutOfBounds => 0x407,
            TrapCode::IndirectCallTypeMismatch => 0x40D,
            TrapCode::UninitializedElement => 0x40B,
            TrapCode::UndefinedElement => 0x40C,
            TrapCode::CallStackExhausted => 0x002,
            TrapCode::CostLimitExceeded => 0x003,
            TrapCode::Interrupted => 0x007,
            TrapCode::HostError => 0x40E,
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// What kind of failure an [`Error`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The binary could not be decoded (phase: loading).
    Malformed,
    /// The module is well-formed but invalid (phase: validation).
    Invalid,
    /// The module uses a feature this engine cannot run yet, or one the config disables.
    Unsupported,
    /// An import could not be resolved.
    UnknownImport,
    /// An import was found but its type does not match.
    IncompatibleImport,
    /// A data or element segment, or a resource limit, failed at instantiation.
    Instantiation,
    /// Execution trapped.
    Trap(TrapCode),
    /// The guest asked to exit with this status (WASI `proc_exit`).
    Exit(i32),
    /// Misuse of the embedding API: wrong argument count or types, unknown export.
    Api,
    /// The module could not be read (missing file, I/O error).
    Io,
}

/// An error from any phase of the engine.
///
/// Boxed so that `Result<T, Error>` stays pointer-sized.
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorInner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct ErrorInner {
    kind: ErrorKind,
    message: String,
    code: u32,
    offset: Option<u64>,
    function: Option<String>,
}

impl Error {
    fn new(kind: ErrorKind, code: u32, message: impl Into<String>) -> Self {
        let mut message: String = message.into();
        // One line, whatever the source (wasmparser's bad-magic message carries a multi-line byte dump).
        if message.contains('\n') {
            message = message.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        Error(Box::new(ErrorInner { kind, message, code, offset: None, function: None }))
    }

    /// A decoding error at a byte offset.
    pub fn malformed(message: impl Into<String>, offset: u64) -> Self {
        let message = message.into();
        let code = wasmedge_load_code(&message);
        Self::new(ErrorKind::Malformed, code, message).with_offset(offset)
    }

    /// A validation error at a byte offset.
    pub fn invalid(message: impl Into<String>, offset: u64) -> Self {
        let message = message.into();
        let code = wasmedge_validation_code(&message);
        Self::new(ErrorKind::Invalid, code, message).with_offset(offset)
    }

    /// A feature that is disabled or not implemented yet.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, 0x119, message)
    }

    /// An import that nothing provides.
    pub fn unknown_import(module: &str, name: &str) -> Self {
        Self::new(ErrorKind::UnknownImport, 0x302, format!("unknown import: module \"{module}\" name \"{name}\""))
    }

    /// An import whose type does not match what is provided.
    pub fn incompatible_import(module: &str, name: &str, why: &str) -> Self {
        Self::new(
            ErrorKind::IncompatibleImport,
            0x301,
            format!("incompatible import type: module \"{module}\" name \"{name}\": {why}"),
        )
    }

    /// An instantiation failure with WasmEdge's code.
    pub fn instantiation(code: u32, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Instantiation, code, message)
    }

    /// A trap.
    pub fn trap(code: TrapCode) -> Self {
        Self::new(ErrorKind::Trap(code), code.wasmedge_code(), code.message())
    }

    /// A host function failure with its own message; it traps the guest.
    pub fn host(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Trap(TrapCode::HostError), TrapCode::HostError.wasmedge_code(), message)
    }

    /// A host function failure with a result code of the host function's choosing (the C API's host
    /// functions return WasmEdge result codes, `category << 24 | code`, which callers get back).
    pub fn host_code(code: u32, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Trap(TrapCode::HostError), code, message)
    }

    /// A request by the guest to exit the process with `status` (not a failure of the engine).
    pub fn exit(status: i32) -> Self {
        Self::new(ErrorKind::Exit(status), 0x001, format!("exit with status {status}"))
    }

    /// A module file that cannot be read: WasmEdge's "invalid path" (0x100) when it does not exist,
    /// "read error" (0x101) otherwise.
    pub fn io(error: &std::io::Error) -> Self {
        let (code, what) =
            if error.kind() == std::io::ErrorKind::NotFound { (0x100, "invalid path") } else { (0x101, "read error") };
        Self::new(ErrorKind::Io, code, format!("{what} ({error})"))
    }

    /// Misuse of the embedding API.
    pub fn api(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Api, 0x002, message)
    }

    /// Attach the byte offset in the module where the error was found.
    pub fn with_offset(mut self, offset: u64) -> Self {
        self.0.offset = Some(offset);
        self
    }

    /// Attach the name of the function that was executing.
    pub fn with_function(mut self, name: impl Into<String>) -> Self {
        if self.0.function.is_none() {
            self.0.function = Some(name.into());
        }
        self
    }

    /// What kind of error this is.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// The trap code, if this is a trap.
    pub fn trap_code(&self) -> Option<TrapCode> {
        match self.0.kind {
            ErrorKind::Trap(code) => Some(code),
            _ => None,
        }
    }

    /// The message without phase, code or offset (what the spec testsuite compares).
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The byte offset in the module, for loading and validation errors.
    pub fn offset(&self) -> Option<u64> {
        self.0.offset
    }

    /// The function that was executing when a trap happened, if known.
    pub fn function(&self) -> Option<&str> {
        self.0.function.as_deref()
    }

    /// WasmEdge's numeric error code, e.g. `0x408`.
    pub fn code(&self) -> u32 {
        self.0.code
    }

    /// The phase, derived from the code as WasmEdge does.
    pub fn phase(&self) -> Phase {
        match self.0.kind {
            ErrorKind::Malformed | ErrorKind::Io => Phase::Loading,
            ErrorKind::Invalid => Phase::Validation,
            ErrorKind::Unsupported => Phase::Loading,
            ErrorKind::UnknownImport | ErrorKind::IncompatibleImport | ErrorKind::Instantiation => Phase::Instantiation,
            ErrorKind::Trap(_) | ErrorKind::Exit(_) => Phase::Execution,
            ErrorKind::Api => Phase::Runtime,
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}, Code: 0x{:03x}", self.phase().name(), self.0.message, self.0.code)?;
        if let Some(offset) = self.0.offset {
            write!(f, " (at offset 0x{offset:x})")?;
        }
        if let Some(func) = &self.0.function {
            write!(f, " (in function {func})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<TrapCode> for Error {
    fn from(code: TrapCode) -> Self {
        Error::trap(code)
    }
}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Map a decoder message to WasmEdge's loading-phase code.
fn wasmedge_load_code(message: &str) -> u32 {
    const TABLE: &[(&str, u32)] = &[
        ("magic header", 0x103),
        ("unknown binary version", 0x104),
        ("malformed section id", 0x105),
        ("section size mismatch", 0x106),
        ("length out of bounds", 0x107),
        ("unexpected content after last section", 0x108),
        ("function and code section have inconsistent lengths", 0x109),
        ("data count and data section have inconsistent lengths", 0x10A),
        ("data count section required", 0x10B),
        ("malformed import kind", 0x10C),
        ("malformed export kind", 0x10D),
        ("zero byte expected", 0x10E),
        ("malformed mutability", 0x10F),
        ("too many locals", 0x110),
        ("malformed value type", 0x111),
        ("malformed element type", 0x112),
        ("malformed reference type", 0x113),
        ("malformed UTF-8", 0x114),
        ("integer too large", 0x115),
        ("integer representation too long", 0x116),
        ("illegal opcode", 0x117),
        ("unexpected end", 0x102),
    ];
    lookup(TABLE, message).unwrap_or(0x119)
}

/// Map a validator message to WasmEdge's validation-phase code.
fn wasmedge_validation_code(message: &str) -> u32 {
    const TABLE: &[(&str, u32)] = &[
        ("alignment must not be larger than natural", 0x201),
        ("type mismatch", 0x202),
        ("unknown label", 0x203),
        ("unknown local", 0x204),
        ("unknown type", 0x206),
        ("unknown function", 0x207),
        ("unknown table", 0x208),
        ("unknown memory", 0x209),
        ("unknown global", 0x20A),
        ("unknown elem segment", 0x20C),
        ("unknown data segment", 0x20D),
        ("undeclared function reference", 0x20E),
        ("constant expression required", 0x20F),
        ("duplicate export name", 0x210),
        ("global is immutable", 0x211),
        ("invalid result arity", 0x214),
        ("multiple tables", 0x215),
        ("multiple memories", 0x216),
        ("size minimum must not be greater than maximum", 0x217),
        ("memory size must be at most", 0x218),
        ("start function", 0x219),
        ("invalid lane index", 0x21A),
    ];
    // Some decoding errors only surface while the validator walks a function body.
    lookup(TABLE, message).unwrap_or_else(|| match wasmedge_load_code(message) {
        0x119 => 0x202,
        code => code,
    })
}

fn lookup(table: &[(&str, u32)], message: &str) -> Option<u32> {
    table.iter().find(|(needle, _)| message.contains(needle)).map(|&(_, code)| code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trap_display_matches_wasmedge() {
        let e = Error::trap(TrapCode::MemoryOutOfBounds).with_function("main");
        assert_eq!(e.to_string(), "execution failed: out of bounds memory access, Code: 0x408 (in function main)");
        assert_eq!(e.phase(), Phase::Execution);
    }

    #[test]
    fn codes_follow_the_message() {
        assert_eq!(Error::malformed("magic header not detected", 0).code(), 0x103);
        assert_eq!(Error::invalid("type mismatch: expected i32", 7).code(), 0x202);
        assert_eq!(Error::unknown_import("env", "f").code(), 0x302);
        assert_eq!(Error::trap(TrapCode::Unreachable).code(), 0x40A);
        assert_eq!(Error::trap(TrapCode::IntegerDivideByZero).code(), 0x404);
    }

    #[test]
    fn error_is_pointer_sized() {
        assert_eq!(std::mem::size_of::<Result<(), Error>>(), std::mem::size_of::<usize>());
        assert_eq!(std::mem::size_of::<Result<(), TrapCode>>(), 1);
    }
}
