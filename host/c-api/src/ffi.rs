//! The C boundary: every unsafe operation of the C API lives here, in small helpers that turn what a C
//! caller passes (raw pointers, lengths, boxed contexts) into Rust references and back.
//!
//! The soundness argument is the C API's contract, as WasmEdge documents it: a pointer argument is NULL or
//! points at what its type says (a context this library created and has not deleted, a buffer of the given
//! length, a NUL-terminated string), valid for the duration of the call. The helpers check for NULL; the
//! rest is the caller's promise, exactly as with WasmEdge's own library.
#![allow(unsafe_code)]

use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What an entry point returns when its body panicked: an error result, NULL, 0 or false. A panic never
/// unwinds into C.
pub trait Fallback {
    fn fallback() -> Self;
}

macro_rules! fallback_default {
    ($($t:ty),*) => {$(
        impl Fallback for $t {
            fn fallback() -> Self {
                Default::default()
            }
        }
    )*};
}
fallback_default!((), bool, u8, u32, u64, i32, i64, f32, f64, i128, u128, usize);

impl<T> Fallback for *const T {
    fn fallback() -> Self {
        std::ptr::null()
    }
}

impl<T> Fallback for *mut T {
    fn fallback() -> Self {
        std::ptr::null_mut()
    }
}

/// Run an entry point's body; a panic becomes the return type's [`Fallback`].
pub fn guard<R: Fallback>(body: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| R::fallback())
}

/// Define exported C functions. Each body is an ordinary (safe) Rust function that may not use `unsafe`;
/// it runs under [`guard`].
macro_rules! capi {
    ($( $(#[$m:meta])* fn $name:ident($($a:ident: $t:ty),* $(,)?) $(-> $r:ty)? $body:block )*) => {$(
        $(#[$m])*
        #[allow(unsafe_code, non_snake_case, clippy::not_unsafe_ptr_arg_deref)]
        #[unsafe(no_mangle)]
        pub extern "C" fn $name($($a: $t),*) $(-> $r)? {
            #[deny(unsafe_code)]
            #[allow(clippy::too_many_arguments)]
            fn body($($a: $t),*) $(-> $r)? $body
            $crate::ffi::guard(move || body($($a),*))
        }
    )*};
}
pub(crate) use capi;

/// The context behind a pointer the library handed out, or `None` for NULL.
pub fn get<'a, T>(p: *const T) -> Option<&'a T> {
    // SAFETY: non-NULL pointers of context types come from `into_raw` and are live (contract above).
    unsafe { p.as_ref() }
}

/// The context behind a pointer, mutably, or `None` for NULL.
pub fn get_mut<'a, T>(p: *mut T) -> Option<&'a mut T> {
    // SAFETY: as in `get`; the C API gives one caller a context at a time (WasmEdge's contexts are not
    // thread-safe either).
    unsafe { p.as_mut() }
}

/// Hand a new context to C.
pub fn into_raw<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Take back and drop a context from `into_raw`; NULL is ignored.
pub fn delete<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: `p` came from `into_raw` and is deleted once (contract above).
        drop(unsafe { Box::from_raw(p) });
    }
}

/// Take ownership of a non-NULL context from `into_raw` (the C caller hands it over).
pub fn take<T>(p: *mut T) -> Box<T> {
    assert!(!p.is_null());
    // SAFETY: `p` came from `into_raw` and its ownership passes to the caller here (contract above).
    unsafe { Box::from_raw(p) }
}

/// The bytes of a NUL-terminated string, or `None` for NULL.
pub fn cstr<'a>(p: *const c_char) -> Option<&'a [u8]> {
    if p.is_null() {
        return None;
    }
    // SAFETY: a non-NULL `const char *` argument is NUL-terminated (contract above).
    Some(unsafe { std::ffi::CStr::from_ptr(p) }.to_bytes())
}

/// A NUL-terminated path argument, or `None` for NULL.
pub fn path<'a>(p: *const c_char) -> Option<&'a std::path::Path> {
    cstr(p).map(|b| std::path::Path::new(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b)))
}

/// `len` elements at `p`; empty when `p` is NULL or `len` is 0.
pub fn slice<'a, T>(p: *const T, len: u32) -> &'a [T] {
    if p.is_null() || len == 0 {
        return &[];
    }
    // SAFETY: a non-NULL buffer argument holds `len` initialised elements (contract above).
    unsafe { std::slice::from_raw_parts(p, len as usize) }
}

/// `len` writable elements at `p`; empty when `p` is NULL or `len` is 0.
pub fn slice_mut<'a, T>(p: *mut T, len: u32) -> &'a mut [T] {
    if p.is_null() || len == 0 {
        return &mut [];
    }
    // SAFETY: a non-NULL output buffer argument has room for `len` elements (contract above).
    unsafe { std::slice::from_raw_parts_mut(p, len as usize) }
}

/// Store `value` through an output pointer; nothing for NULL.
pub fn write_out<T>(p: *mut T, value: T) {
    if !p.is_null() {
        // SAFETY: a non-NULL output pointer points at writable storage for a `T` (contract above).
        unsafe { p.write(value) }
    }
}

/// A heap copy of `bytes` for C (`WasmEdge_String`/`WasmEdge_Bytes` buffers), freed by `free_bytes`
/// with the same length. Empty input gives NULL, as WasmEdge does.
pub fn alloc_bytes(bytes: &[u8]) -> *const u8 {
    if bytes.is_empty() {
        return std::ptr::null();
    }
    Box::into_raw(Box::<[u8]>::from(bytes)).cast::<u8>().cast_const()
}

/// Free a buffer from `alloc_bytes`; NULL is ignored.
pub fn free_bytes(p: *const u8, len: u32) {
    if p.is_null() || len == 0 {
        return;
    }
    let slice = std::ptr::slice_from_raw_parts_mut(p.cast_mut(), len as usize);
    // SAFETY: `p` and `len` describe a buffer from `alloc_bytes` (only created strings and bytes may be
    // deleted, as WasmEdge documents), freed once.
    drop(unsafe { Box::from_raw(slice) });
}

/// Our engine's store for a group of C contexts that link together (see `world.rs`), reachable from any
/// of them. The C API gives one thread at a time a store and everything in it, as WasmEdge's does; this
/// cell relies on that.
pub struct StoreCell<T> {
    store: std::cell::UnsafeCell<T>,
    /// While a host function runs, the store as the engine lent it to the host function (`Caller`), which
    /// every access inside the call goes through instead of the cell.
    lent: std::cell::Cell<*mut T>,
}

// SAFETY: contexts move between threads but are not used from two at once (the C API contract above);
// a store is only reached through `with`, by one thread at a time.
unsafe impl<T: Send> Send for StoreCell<T> {}
// SAFETY: as for `Send`: shared references to the cell are not used concurrently.
unsafe impl<T: Send> Sync for StoreCell<T> {}

impl<T> StoreCell<T> {
    pub fn new(store: T) -> Self {
        StoreCell { store: std::cell::UnsafeCell::new(store), lent: std::cell::Cell::new(std::ptr::null_mut()) }
    }

    /// Run `f` on the store. Not re-entered except through `lend` (every caller in this crate takes the
    /// store for the length of one operation and calls no other context's `with` inside it, except for
    /// host calls, which go through `lend`).
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let lent = self.lent.get();
        let p = if lent.is_null() { self.store.get() } else { lent };
        // SAFETY: outside host calls the cell is the only path to the store and no other reference to it
        // is alive (see above); inside a host call `lent` is the engine's own `&mut` lent to the host
        // function, from which this reference is reborrowed for the length of `f`.
        f(unsafe { &mut *p })
    }

    /// Run `f` (a host function's body) with the store as the engine lent it, so that the C API calls it
    /// makes reach the store through that borrow.
    pub fn lend<R>(&self, store: &mut T, f: impl FnOnce() -> R) -> R {
        let previous = self.lent.replace(store);
        struct Restore<'a, T>(&'a std::cell::Cell<*mut T>, *mut T);
        impl<T> Drop for Restore<'_, T> {
            fn drop(&mut self) {
                self.0.set(self.1);
            }
        }
        let _restore = Restore(&self.lent, previous);
        f()
    }
}

/// A C host function and its data pointer, carried into a Rust closure the engine keeps.
#[derive(Clone, Copy)]
pub struct CHost<F> {
    pub func: F,
    pub data: *mut std::ffi::c_void,
    pub binding: *mut std::ffi::c_void,
}

// SAFETY: the data pointers are the embedder's, passed back to its own callback; WasmEdge calls host
// functions from whatever thread runs the guest in the same way, and thread safety of the data is the
// embedder's (as documented by WasmEdge).
unsafe impl<F: Send> Send for CHost<F> {}
// SAFETY: as for `Send`.
unsafe impl<F: Sync> Sync for CHost<F> {}

/// Call a C function pointer that takes the host function's arguments.
pub fn call_host(
    host: &CHost<crate::world::HostFn>,
    frame: *const crate::world::CallingFrame,
    params: &[crate::value::WasmEdge_Value],
    results: &mut [crate::value::WasmEdge_Value],
) -> crate::basic::WasmEdge_Result {
    match host.func {
        crate::world::HostFn::Direct(f) => f(host.data, frame, params.as_ptr(), results.as_mut_ptr()),
        crate::world::HostFn::Wrap(f) => f(
            host.binding,
            host.data,
            frame,
            params.as_ptr(),
            params.len() as u32,
            results.as_mut_ptr(),
            results.len() as u32,
        ),
    }
}

/// A context pointer moved to the thread that runs an asynchronous invocation.
pub struct SendPtr<T>(pub *mut T);

// SAFETY: the C API contract: while an asynchronous run is in progress the caller does not use the VM or
// executor it runs on (as with WasmEdge's `WasmEdge_Async`), so the other thread is its only user.
unsafe impl<T> Send for SendPtr<T> {}

impl<T> SendPtr<T> {
    /// The pointer (a method, so that closures capture the whole `SendPtr`, not its field).
    pub fn get(&self) -> *mut T {
        self.0
    }
}

/// `WasmEdge_ModuleDescriptor`, as a C plugin declares it.
#[repr(C)]
pub struct CModuleDescriptor {
    pub name: *const c_char,
    pub description: *const c_char,
    pub create: Option<extern "C" fn(*const CModuleDescriptor) -> *mut crate::world::ModuleInstance>,
}

/// `WasmEdge_PluginDescriptor`.
#[repr(C)]
pub struct CPluginDescriptor {
    pub name: *const c_char,
    pub description: *const c_char,
    pub api_version: u32,
    pub version: [u32; 4],
    pub module_count: u32,
    pub program_option_count: u32,
    pub module_descriptions: *const CModuleDescriptor,
    pub program_options: *const std::ffi::c_void,
}

/// A C plugin's descriptor, read once: its strings copied, its module descriptors kept (they are static
/// data of the plugin library, which is never unloaded).
pub struct CPluginInfo {
    pub path: std::path::PathBuf,
    pub name: String,
    pub description: String,
    pub api_version: u32,
    pub version: [u32; 4],
    pub modules: Vec<(String, String, &'static CModuleDescriptor)>,
}

// SAFETY: the descriptors are immutable static data of a library that stays loaded.
unsafe impl Send for CPluginInfo {}
// SAFETY: as for `Send`.
unsafe impl Sync for CPluginInfo {}

fn owned(p: *const c_char) -> String {
    cstr(p).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
}

/// Load a WasmEdge C plugin: a shared library exporting `WasmEdge_Plugin_GetDescriptor`. The library stays
/// loaded for the life of the process (its code backs the modules it creates).
pub fn load_c_plugin(path: &std::path::Path) -> Result<CPluginInfo, String> {
    // SAFETY: loading a plugin runs its initialisers; plugins are trusted code by design (the user put
    // them on the plugin path), as in WasmEdge.
    let lib = unsafe { libloading::Library::new(path) }.map_err(|e| e.to_string())?;
    let lib: &'static libloading::Library = Box::leak(Box::new(lib));
    type GetDescriptor = extern "C" fn() -> *const CPluginDescriptor;
    // SAFETY: the symbol, when present, is WasmEdge's plugin entry point with this signature.
    let get = unsafe { lib.get::<GetDescriptor>(b"WasmEdge_Plugin_GetDescriptor\0") }
        .map_err(|_| "not a plugin: no WasmEdge_Plugin_GetDescriptor".to_string())?;
    let d = get();
    // SAFETY: the descriptor is the plugin's static data, valid while the library is loaded (forever).
    let d: &'static CPluginDescriptor = unsafe { d.as_ref() }.ok_or("WasmEdge_Plugin_GetDescriptor returned NULL")?;
    let descs: &'static [CModuleDescriptor] = if d.module_descriptions.is_null() || d.module_count == 0 {
        &[]
    } else {
        // SAFETY: `module_count` descriptors follow `module_descriptions`, static data of the plugin.
        unsafe { std::slice::from_raw_parts(d.module_descriptions, d.module_count as usize) }
    };
    Ok(CPluginInfo {
        path: path.to_path_buf(),
        name: owned(d.name),
        description: owned(d.description),
        api_version: d.api_version,
        version: d.version,
        modules: descs.iter().map(|m| (owned(m.name), owned(m.description), m)).collect(),
    })
}
