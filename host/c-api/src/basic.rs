//! Version, logging, strings, bytes, results and limits.

use std::ffi::c_char;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::errcodes::ERR_CODES;
use crate::ffi::{self, capi};

/// The C API version this library implements.
pub const VERSION: &std::ffi::CStr = c"0.15.0";
pub const VERSION_MAJOR: u32 = 0;
pub const VERSION_MINOR: u32 = 15;
pub const VERSION_PATCH: u32 = 0;

/// `WasmEdge_String`: a length and a buffer, not NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct WasmEdge_String {
    pub length: u32,
    pub buf: *const c_char,
}

impl WasmEdge_String {
    pub const EMPTY: WasmEdge_String = WasmEdge_String { length: 0, buf: std::ptr::null() };

    /// The string's bytes (empty for NULL).
    pub fn bytes<'a>(self) -> &'a [u8] {
        ffi::slice(self.buf.cast::<u8>(), self.length)
    }

    /// The string as UTF-8 (lossy: names with invalid UTF-8 cannot match any wasm name anyway).
    pub fn to_str(self) -> std::borrow::Cow<'static, str> {
        String::from_utf8_lossy(self.bytes())
    }

    /// A string owned by C (freed with `WasmEdge_StringDelete`).
    pub fn create(bytes: &[u8]) -> WasmEdge_String {
        let length = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        WasmEdge_String { length, buf: ffi::alloc_bytes(&bytes[..length as usize]).cast() }
    }

    /// A string borrowing `s`, which must outlive its use by C (names owned by contexts).
    pub fn wrap(s: &str) -> WasmEdge_String {
        WasmEdge_String { length: u32::try_from(s.len()).unwrap_or(u32::MAX), buf: s.as_ptr().cast() }
    }
}

impl ffi::Fallback for WasmEdge_String {
    fn fallback() -> Self {
        WasmEdge_String::EMPTY
    }
}

/// `WasmEdge_Bytes`: a length and a byte buffer.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct WasmEdge_Bytes {
    pub length: u32,
    pub buf: *const u8,
}

impl WasmEdge_Bytes {
    pub fn bytes<'a>(self) -> &'a [u8] {
        ffi::slice(self.buf, self.length)
    }
}

impl ffi::Fallback for WasmEdge_Bytes {
    fn fallback() -> Self {
        WasmEdge_Bytes { length: 0, buf: std::ptr::null() }
    }
}

/// `WasmEdge_Result`: `category << 24 | code`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub struct WasmEdge_Result {
    pub code: u32,
}

/// Error categories (`enum WasmEdge_ErrCategory`).
pub const CATEGORY_WASM: u32 = 0;
pub const CATEGORY_USER: u32 = 1;

/// WasmEdge's error codes this library returns itself (the engine's errors carry their own).
pub mod code {
    pub const SUCCESS: u32 = 0x00;
    pub const TERMINATED: u32 = 0x01;
    pub const RUNTIME_ERROR: u32 = 0x02;
    pub const COST_LIMIT_EXCEEDED: u32 = 0x03;
    pub const WRONG_VM_WORKFLOW: u32 = 0x04;
    pub const FUNC_NOT_FOUND: u32 = 0x05;
    pub const AOT_DISABLED: u32 = 0x06;
    pub const INTERRUPTED: u32 = 0x07;
    pub const NOT_VALIDATED: u32 = 0x08;
    pub const NON_NULL_REQUIRED: u32 = 0x09;
    pub const SET_VALUE_TO_CONST: u32 = 0x0A;
    pub const SET_VALUE_ERROR_TYPE: u32 = 0x0B;
    pub const USER_DEF_ERROR: u32 = 0x0C;
    pub const INVALID_CONFIGURE: u32 = 0x0D;
    pub const ILLEGAL_PATH: u32 = 0x100;
    pub const READ_ERROR: u32 = 0x101;
    pub const MODULE_NAME_CONFLICT: u32 = 0x300;
    pub const INCOMPATIBLE_IMPORT_TYPE: u32 = 0x301;
    pub const UNKNOWN_IMPORT: u32 = 0x302;
    pub const WRONG_INSTANCE_ADDRESS: u32 = 0x400;
    pub const WRONG_INSTANCE_INDEX: u32 = 0x401;
    pub const FUNC_SIG_MISMATCH: u32 = 0x403;
    pub const HOST_FUNC_ERROR: u32 = 0x40E;
}

impl WasmEdge_Result {
    pub const SUCCESS: WasmEdge_Result = WasmEdge_Result { code: 0 };

    /// A WasmEdge error code (category WASM).
    pub fn wasm(code: u32) -> WasmEdge_Result {
        WasmEdge_Result { code: code & 0x00FF_FFFF }
    }

    /// The result of an engine error: its WasmEdge code; a WASI exit is "terminated", which is OK; a host
    /// function's failure keeps the category and code the host function returned.
    pub fn from_error(e: &wasmedge_host::Error) -> WasmEdge_Result {
        use wasmedge_host::{ErrorKind, TrapCode};
        match e.kind() {
            ErrorKind::Exit(_) => WasmEdge_Result::wasm(code::TERMINATED),
            ErrorKind::Trap(TrapCode::HostError) => WasmEdge_Result { code: e.code() },
            _ => WasmEdge_Result::wasm(e.code()),
        }
    }

    pub fn ok(self) -> bool {
        self.code >> 24 == CATEGORY_WASM && matches!(self.code & 0x00FF_FFFF, code::SUCCESS | code::TERMINATED)
    }
}

impl<E: std::borrow::Borrow<wasmedge_host::Error>> From<Result<(), E>> for WasmEdge_Result {
    fn from(r: Result<(), E>) -> Self {
        match r {
            Ok(()) => WasmEdge_Result::SUCCESS,
            Err(e) => WasmEdge_Result::from_error(e.borrow()),
        }
    }
}

impl ffi::Fallback for WasmEdge_Result {
    fn fallback() -> Self {
        WasmEdge_Result::wasm(code::RUNTIME_ERROR)
    }
}

/// `WasmEdge_Limit`, passed by value.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub struct WasmEdge_Limit {
    pub has_max: bool,
    pub shared: bool,
    pub min: u32,
    pub max: u32,
}

impl ffi::Fallback for WasmEdge_Limit {
    fn fallback() -> Self {
        WasmEdge_Limit::default()
    }
}

// ---- logging -------------------------------------------------------------------------------------------

/// Log levels (`WasmEdge_LogLevel`), and off.
pub const LOG_TRACE: u8 = 0;
pub const LOG_DEBUG: u8 = 1;
pub const LOG_INFO: u8 = 2;
pub const LOG_WARN: u8 = 3;
pub const LOG_ERROR: u8 = 4;
pub const LOG_CRITICAL: u8 = 5;
const LOG_OFF: u8 = 6;

static LOG_LEVEL: AtomicU8 = AtomicU8::new(LOG_INFO);

/// `WasmEdge_LogMessage`, as the log callback receives it.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct WasmEdge_LogMessage {
    pub message: WasmEdge_String,
    pub logger_name: WasmEdge_String,
    pub level: u32,
    pub time: i64,
    pub thread_id: u64,
}

#[allow(non_camel_case_types)]
pub type WasmEdge_LogCallback_t = Option<extern "C" fn(*const WasmEdge_LogMessage)>;

static LOG_CALLBACK: Mutex<WasmEdge_LogCallback_t> = Mutex::new(None);

/// Log `message` at `level`: to the callback if one is set, else to stderr in WasmEdge's format.
pub fn log(level: u8, message: &str) {
    if level < LOG_LEVEL.load(Ordering::Relaxed) {
        return;
    }
    let callback = *LOG_CALLBACK.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(callback) = callback {
        let msg = WasmEdge_LogMessage {
            message: WasmEdge_String::wrap(message),
            logger_name: WasmEdge_String::wrap("WasmEdge"),
            level: level as u32,
            time: chrono::Utc::now().timestamp(),
            thread_id: thread_id(),
        };
        callback(&msg);
        return;
    }
    let name = match level {
        LOG_TRACE => "trace",
        LOG_DEBUG => "debug",
        LOG_INFO => "info",
        LOG_WARN => "warning",
        LOG_ERROR => "error",
        _ => "critical",
    };
    let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S%.3f");
    eprintln!("[{now}] [{name}] {message}");
}

/// This thread's id, as the log message reports it.
fn thread_id() -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::thread::current().id().hash(&mut h);
    h.finish()
}

/// The result of a failed call: the error logged (as WasmEdge logs it), its code returned.
pub fn fail(e: &wasmedge_host::Error) -> WasmEdge_Result {
    log_error(e);
    WasmEdge_Result::from_error(e)
}

/// The result of a call: success, or [`fail`].
pub fn result(r: Result<(), wasmedge_host::Error>) -> WasmEdge_Result {
    match r {
        Ok(()) => WasmEdge_Result::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Log an engine error at error level, as WasmEdge does when an API call fails. A WASI exit is not a
/// failure ("terminated" is success) and is not logged.
pub fn log_error(e: &wasmedge_host::Error) {
    if !matches!(e.kind(), wasmedge_host::ErrorKind::Exit(_)) {
        log(LOG_ERROR, &e.to_string());
    }
}

// ---- the exported functions -------------------------------------------------------------------------

capi! {
    /// The version of the C API implemented, "0.15.0".
    fn WasmEdge_VersionGet() -> *const c_char {
        VERSION.as_ptr()
    }
    fn WasmEdge_VersionGetMajor() -> u32 {
        VERSION_MAJOR
    }
    fn WasmEdge_VersionGetMinor() -> u32 {
        VERSION_MINOR
    }
    fn WasmEdge_VersionGetPatch() -> u32 {
        VERSION_PATCH
    }

    fn WasmEdge_LogSetErrorLevel() {
        LOG_LEVEL.store(LOG_ERROR, Ordering::Relaxed);
    }
    fn WasmEdge_LogSetDebugLevel() {
        LOG_LEVEL.store(LOG_DEBUG, Ordering::Relaxed);
    }
    fn WasmEdge_LogOff() {
        LOG_LEVEL.store(LOG_OFF, Ordering::Relaxed);
    }
    /// An unknown level is ignored, as WasmEdge's `switch` does.
    fn WasmEdge_LogSetLevel(level: u32) {
        if level <= LOG_CRITICAL as u32 {
            LOG_LEVEL.store(level as u8, Ordering::Relaxed);
        }
    }
    /// NULL restores logging to stderr.
    fn WasmEdge_LogSetCallback(callback: WasmEdge_LogCallback_t) {
        *LOG_CALLBACK.lock().unwrap_or_else(|e| e.into_inner()) = callback;
    }

    fn WasmEdge_StringCreateByCString(s: *const c_char) -> WasmEdge_String {
        match ffi::cstr(s) {
            Some(bytes) => WasmEdge_String::create(bytes),
            None => WasmEdge_String::EMPTY,
        }
    }
    fn WasmEdge_StringCreateByBuffer(buf: *const c_char, len: u32) -> WasmEdge_String {
        WasmEdge_String::create(ffi::slice(buf.cast::<u8>(), len))
    }
    /// Borrows `buf`: not to be deleted.
    fn WasmEdge_StringWrap(buf: *const c_char, len: u32) -> WasmEdge_String {
        WasmEdge_String { length: len, buf }
    }
    fn WasmEdge_StringIsEqual(a: WasmEdge_String, b: WasmEdge_String) -> bool {
        a.length == b.length && a.bytes() == b.bytes()
    }
    /// Copies at most `len` bytes, zero-filling `buf` first; returns the bytes copied.
    fn WasmEdge_StringCopy(s: WasmEdge_String, buf: *mut c_char, len: u32) -> u32 {
        let out = ffi::slice_mut(buf.cast::<u8>(), len);
        out.fill(0);
        let n = out.len().min(s.length as usize);
        out[..n].copy_from_slice(&s.bytes()[..n]);
        n as u32
    }
    fn WasmEdge_StringDelete(s: WasmEdge_String) {
        ffi::free_bytes(s.buf.cast(), s.length);
    }

    fn WasmEdge_BytesCreate(buf: *const u8, len: u32) -> WasmEdge_Bytes {
        let bytes = ffi::slice(buf, len);
        WasmEdge_Bytes { length: bytes.len() as u32, buf: ffi::alloc_bytes(bytes) }
    }
    fn WasmEdge_BytesWrap(buf: *const u8, len: u32) -> WasmEdge_Bytes {
        WasmEdge_Bytes { length: len, buf }
    }
    fn WasmEdge_BytesDelete(b: WasmEdge_Bytes) {
        ffi::free_bytes(b.buf, b.length);
    }

    /// Success and "terminated" (a WASI exit) are OK.
    fn WasmEdge_ResultOK(r: WasmEdge_Result) -> bool {
        r.ok()
    }
    fn WasmEdge_ResultGen(category: u32, code: u32) -> WasmEdge_Result {
        WasmEdge_Result { code: (category << 24) | (code & 0x00FF_FFFF) }
    }
    fn WasmEdge_ResultGetCode(r: WasmEdge_Result) -> u32 {
        r.code & 0x00FF_FFFF
    }
    fn WasmEdge_ResultGetCategory(r: WasmEdge_Result) -> u32 {
        r.code >> 24
    }
    /// WasmEdge's message for a code of category WASM; "user defined error code" for user categories.
    fn WasmEdge_ResultGetMessage(r: WasmEdge_Result) -> *const c_char {
        result_message(r).as_ptr()
    }

    fn WasmEdge_LimitIsEqual(a: WasmEdge_Limit, b: WasmEdge_Limit) -> bool {
        a.has_max == b.has_max && a.shared == b.shared && a.min == b.min && a.max == b.max
    }
}

/// The NUL-terminated messages of `ERR_CODES`, made once.
fn result_message(r: WasmEdge_Result) -> &'static std::ffi::CStr {
    use std::sync::OnceLock;
    static MESSAGES: OnceLock<Vec<(u32, std::ffi::CString)>> = OnceLock::new();
    let messages = MESSAGES.get_or_init(|| {
        ERR_CODES
            .iter()
            .map(|&(code, _, msg)| (code, std::ffi::CString::new(msg).expect("messages have no NUL")))
            .collect()
    });
    if r.code >> 24 != CATEGORY_WASM {
        return c"user defined error code";
    }
    let code = r.code & 0x00FF_FFFF;
    match messages.binary_search_by_key(&code, |(c, _)| *c) {
        Ok(i) => &messages[i].1,
        Err(_) => c"unknown error code",
    }
}
