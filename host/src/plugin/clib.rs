//! The way from the `wasmedge` command to WasmEdge's C-API plugins.
//!
//! A C-API plugin is written against `libwasmedge.so`: it creates its modules with the C API's functions and
//! its host functions receive the C API's calling frames. The `wasmedge` command has the engine built in,
//! not that library, so when the plugin search finds such a plugin the command hands its whole command
//! line to this runtime's own `libwasmedge.so` installed beside it (`<prefix>/lib/libwasmedge.so.0` for an
//! installation, `libwasmedge.so` in a build directory), whose driver (`WasmEdge_Driver_UniTool`) is the
//! same command with the C plugins loaded — as WasmEdge's own `wasmedge` executable is a driver over its
//! library. The library is loaded with its symbols global, so that C plugins resolve the C API from it,
//! and is never unloaded.

use std::ffi::{CString, c_char, c_int};
use std::path::{Path, PathBuf};

use libloading::os::unix::{Library, RTLD_GLOBAL, RTLD_NOW};

/// `WasmEdge_Driver_UniTool`'s type.
type DriverFn = unsafe extern "C" fn(c_int, *const *const c_char) -> c_int;

/// This runtime's C library, loaded.
pub struct CLibrary {
    path: PathBuf,
    driver: DriverFn,
}

impl CLibrary {
    /// The library installed beside the running executable, if there is one.
    pub fn beside_executable() -> Option<CLibrary> {
        let exe = std::env::current_exe().ok()?;
        let dir = exe.parent()?;
        [dir.join("../lib/libwasmedge.so.0"), dir.join("libwasmedge.so.0"), dir.join("libwasmedge.so")]
            .into_iter()
            .find(|p| p.is_file())
            .and_then(|p| CLibrary::load(&p).ok())
    }

    /// Load the library at `path` and find its driver.
    pub fn load(path: &Path) -> Result<CLibrary, String> {
        // SAFETY: the library is this runtime's own C API (found in its installation); loading it runs
        // only Rust's and the C library's initialisers.
        let lib = unsafe { Library::open(Some(path), RTLD_NOW | RTLD_GLOBAL) }.map_err(|e| e.to_string())?;
        // SAFETY: `WasmEdge_Driver_UniTool` has this signature in WasmEdge's C API, which the library
        // implements.
        let driver = unsafe { lib.get::<DriverFn>(b"WasmEdge_Driver_UniTool\0") }.map_err(|e| e.to_string())?;
        let driver = *driver;
        // Never unloaded: the driver and the plugins' code live as long as the process.
        std::mem::forget(lib);
        Ok(CLibrary { path: path.to_path_buf(), driver })
    }

    /// The library's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run command line `argv` (the program name first) through the library's driver; its exit status.
    pub fn run(&self, argv: &[String]) -> Result<i32, String> {
        let args: Vec<CString> = argv
            .iter()
            .map(|a| CString::new(a.as_bytes()).map_err(|_| format!("argument {a:?} contains a NUL byte")))
            .collect::<Result<_, _>>()?;
        let mut ptrs: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
        ptrs.push(std::ptr::null());
        let argc = c_int::try_from(args.len()).map_err(|_| "too many arguments".to_string())?;
        // SAFETY: `ptrs` holds `argc` NUL-terminated strings (kept alive by `args`) and a final NULL, as a
        // C `main` receives them; the driver reads them during the call only.
        Ok(unsafe { (self.driver)(argc, ptrs.as_ptr()) })
    }
}
