//! WASI for the wasmedge runtime: the host modules `wasi_snapshot_preview1` and `wasi_unstable`
//! (preview0), implemented by `wasi-common` on `cap-std`.
//!
//! ```no_run
//! use wasmedge_host::{Engine, Linker, Module, Store};
//! use wasmedge_wasi::{WasiConfig, WasiState};
//!
//! let engine = Engine::default();
//! let module = Module::from_file(&engine, "app.wasm")?;
//! let mut wasi = WasiConfig::new();
//! wasi.arg("app.wasm").env("GREETING", "hi").dir(".", ".", false);
//! let mut store = Store::new(&engine, WasiState::new(&wasi)?);
//! let mut linker = Linker::new();
//! wasmedge_wasi::add_to_linker(&mut linker, &mut store);
//! let instance = linker.instantiate(&mut store, &module)?;
//! let status = wasmedge_wasi::run_command(&mut store, instance)?;
//! # let _ = status;
//! # Ok::<(), wasmedge_host::Error>(())
//! ```
//!
//! Guest pointers are checked by `wiggle` against the caller's memory, which is handed over as a bounds-
//! checked slice; the guest sees only its preopened directories (cap-std refuses `..` escapes, absolute
//! paths and symlinks that leave a preopen), and a preopen mapped `readonly` refuses every write with
//! `EROFS` ([`readonly`]).

#![forbid(unsafe_code)]

mod bindings;
pub mod net;
pub mod open;
pub mod readonly;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use wasi_common::pipe::{ReadPipe, WritePipe};

use wasi_common::WasiCtx;
use wasmedge_host::{Error, ErrorKind, Instance, Linker, Store};

pub use bindings::{PREVIEW0, PREVIEW1};
pub use net::{NetConfig, NetPolicy, NetRule};

/// What a guest gets: arguments, environment, preopened directories, and the host's stdio.
#[derive(Clone, Debug, Default)]
pub struct WasiConfig {
    args: Vec<String>,
    envs: Vec<(String, String)>,
    dirs: Vec<Preopen>,
    stdin: Option<Vec<u8>>,
    capture_output: bool,
    net: NetConfig,
}

/// A host directory mapped into the guest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preopen {
    /// The path the guest uses.
    pub guest: String,
    /// The host directory.
    pub host: PathBuf,
    /// Refuse every write under this directory.
    pub readonly: bool,
}

impl WasiConfig {
    /// Nothing: no arguments, no environment, no directories.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append a guest argument (the first is the program name, `argv[0]`).
    pub fn arg(&mut self, arg: impl Into<String>) -> &mut Self {
        self.args.push(arg.into());
        self
    }

    /// Set a guest environment variable.
    pub fn env(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.envs.push((name.into(), value.into()));
        self
    }

    /// Map host directory `host` to `guest`.
    pub fn dir(&mut self, guest: impl Into<String>, host: impl Into<PathBuf>, readonly: bool) -> &mut Self {
        self.dirs.push(Preopen { guest: guest.into(), host: host.into(), readonly });
        self
    }

    /// Give the guest these bytes as stdin instead of the host's.
    pub fn stdin_bytes(&mut self, bytes: impl Into<Vec<u8>>) -> &mut Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Keep the guest's stdout and stderr in memory ([`WasiState::stdout`]) instead of the host's.
    pub fn capture_output(&mut self, on: bool) -> &mut Self {
        self.capture_output = on;
        self
    }

    /// Networking: `AF_UNIX` and the network policy (by default, as WasmEdge: any IP address, no `AF_UNIX`).
    pub fn net(&mut self, net: NetConfig) -> &mut Self {
        self.net = net;
        self
    }

    /// The preopens, in order.
    pub fn preopens(&self) -> &[Preopen] {
        &self.dirs
    }
}

/// The WASI state of one store; put it in the store's data (or make your data implement [`WasiView`]).
pub struct WasiState {
    ctx: WasiCtx,
    sockets: net::Sockets,
    net: NetConfig,
    stdout: Option<Arc<RwLock<Vec<u8>>>>,
    stderr: Option<Arc<RwLock<Vec<u8>>>>,
}

impl WasiState {
    /// Build the state: open every preopened directory now, so a missing one is reported before the guest
    /// starts.
    pub fn new(config: &WasiConfig) -> Result<WasiState, Error> {
        let mut b = wasi_common::sync::WasiCtxBuilder::new();
        b.inherit_stdio();
        b.args(&config.args).map_err(|e| Error::api(format!("bad WASI argument: {e}")))?;
        b.envs(&config.envs).map_err(|e| Error::api(format!("bad WASI environment variable: {e}")))?;
        if let Some(bytes) = &config.stdin {
            b.stdin(Box::new(ReadPipe::from(bytes.clone())));
        }
        let (mut stdout, mut stderr) = (None, None);
        if config.capture_output {
            let (out, err) = (Arc::new(RwLock::new(Vec::new())), Arc::new(RwLock::new(Vec::new())));
            b.stdout(Box::new(WritePipe::from_shared(out.clone())));
            b.stderr(Box::new(WritePipe::from_shared(err.clone())));
            (stdout, stderr) = (Some(out), Some(err));
        }
        let ctx = b.build();
        for p in &config.dirs {
            let dir = cap_std::fs::Dir::open_ambient_dir(&p.host, cap_std::ambient_authority())
                .map_err(|e| Error::api(format!("cannot open directory {}: {e}", p.host.display())))?;
            let dir = wasi_common::sync::dir::Dir::from_cap_std(dir);
            let dir: Box<dyn wasi_common::WasiDir> = Box::new(open::OpenFixDir::new(Box::new(dir)));
            let dir: Box<dyn wasi_common::WasiDir> =
                if p.readonly { Box::new(readonly::ReadOnlyDir::new(dir)) } else { dir };
            ctx.push_preopened_dir(dir, &p.guest)
                .map_err(|e| Error::api(format!("cannot preopen {}: {e}", p.guest)))?;
        }
        Ok(WasiState { ctx, sockets: net::Sockets::new(), net: config.net.clone(), stdout, stderr })
    }

    /// What the guest wrote to stdout, when [`WasiConfig::capture_output`] is on.
    pub fn stdout(&self) -> Vec<u8> {
        self.stdout.as_ref().map(|b| b.read().unwrap_or_else(|e| e.into_inner()).clone()).unwrap_or_default()
    }

    /// What the guest wrote to stderr, when [`WasiConfig::capture_output`] is on.
    pub fn stderr(&self) -> Vec<u8> {
        self.stderr.as_ref().map(|b| b.read().unwrap_or_else(|e| e.into_inner()).clone()).unwrap_or_default()
    }

    /// The `wasi-common` context.
    pub fn ctx_mut(&mut self) -> &mut WasiCtx {
        &mut self.ctx
    }
}

/// Store data that holds WASI state.
pub trait WasiView {
    /// The WASI state of this store.
    fn wasi_state(&mut self) -> &mut WasiState;

    /// The `wasi-common` context of this store.
    fn wasi(&mut self) -> &mut WasiCtx {
        &mut self.wasi_state().ctx
    }
}

impl WasiView for WasiState {
    fn wasi_state(&mut self) -> &mut WasiState {
        self
    }
}

/// Define `wasi_snapshot_preview1` (with WasmEdge's socket functions) and `wasi_unstable` in `linker`.
pub fn add_to_linker<T: WasiView + 'static>(linker: &mut Linker<T>, store: &mut Store<T>) {
    bindings::add_preview1(linker, store);
    net::add_to_linker(linker, store);
    bindings::add_preview0(linker, store);
}

/// Run a WASI command: call `_start` and turn `proc_exit` into the exit status (0 when `_start` returns).
pub fn run_command<T>(store: &mut Store<T>, instance: Instance) -> Result<i32, Error> {
    let start = instance
        .get_func(store, "_start")
        .ok_or_else(|| Error::api("the module does not export _start (is it a WASI command?)"))?;
    match start.call(store, &[], &mut []) {
        Ok(()) => Ok(0),
        Err(e) => match e.kind() {
            ErrorKind::Exit(status) => Ok(*status),
            _ => Err(e),
        },
    }
}
