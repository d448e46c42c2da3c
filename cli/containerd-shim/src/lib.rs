//! A containerd shim on this runtime's engine: `containerd-shim-wasmedge-v1`, a drop-in for the runwasi
//! shim of the same name (containerd runtime `io.containerd.wasmedge.v1`).
//!
//! runwasi's `containerd-shim-wasm` does containerd's side: the ttrpc task service, one container process
//! per container (namespaces, cgroups, the root pivoted to the image's file system, the container's stdio
//! on fds 0-2), and the image's wasm layers. In that process it asks our [`WasmEdgeSandbox`] to run the
//! entry point, which does it in process with [`guest::Guest`]. Signals: SIGKILL ends the process as for
//! any container; SIGTERM, SIGINT and SIGQUIT, which a container's first process would otherwise never
//! get, interrupt the guest and end it with status 128 + the signal.

#![forbid(unsafe_code)]

pub mod guest;
pub mod image;

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use containerd_shim_wasm::sandbox::Sandbox;
use containerd_shim_wasm::sandbox::context::{RuntimeContext, Source};
use containerd_shim_wasm::shim::{Shim, Version, version};
use tokio::signal::unix::{SignalKind, signal};

pub use guest::{Guest, Outcome};

/// The shim: its name is the `wasmedge` of containerd's runtime name and of its state directory.
pub struct WasmEdgeShim;

impl Shim for WasmEdgeShim {
    fn name() -> &'static str {
        "wasmedge"
    }

    fn version() -> Version {
        version!()
    }

    type Sandbox = WasmEdgeSandbox;
}

/// Runs a container's entry point on our engine, in the container's process.
#[derive(Default)]
pub struct WasmEdgeSandbox;

/// How long a guest that got a signal has to stop after its interrupt before the process ends anyway (a
/// guest blocked in a host call checks no interrupt).
const STOP_GRACE: Duration = Duration::from_millis(500);

impl WasmEdgeSandbox {
    /// The guest `ctx` describes: the entry point's module (a file in the container's root, or the image's
    /// wasm layer), arguments (the entry point's path as the program's name), environment, and the
    /// container's memory limit.
    pub fn guest(ctx: &impl RuntimeContext) -> Result<Guest> {
        let entry = ctx.entrypoint();
        let wasm = entry.source.as_bytes()?.into_owned();
        let program = match &entry.source {
            Source::File(path) => path.display().to_string(),
            Source::Oci(_) => {
                let arg0 = ctx.args().first().map(String::as_str).unwrap_or_default();
                arg0.split_once('#').map_or(arg0, |(path, _)| path).to_string()
            }
        };
        let mut args = vec![program];
        args.extend(ctx.args().iter().skip(1).cloned());
        Ok(Guest {
            wasm,
            args,
            envs: ctx.envs().to_vec(),
            func: entry.func,
            root: "/".into(),
            memory_limit: guest::cgroup_memory_limit(Path::new("/sys/fs/cgroup")),
            plugin_paths: None,
            capture_output: false,
        })
    }
}

impl Sandbox for WasmEdgeSandbox {
    async fn run_wasi(&self, ctx: &impl RuntimeContext) -> Result<i32> {
        run_until_signal(Self::guest(ctx)?).await.map(|(status, _)| status)
    }

    /// A module in the binary format, or native code from `wasmedge compile` (a universal wasm file, or
    /// the shared library, which the default check would refuse).
    async fn can_handle(&self, ctx: &impl RuntimeContext) -> Result<()> {
        let entry = ctx.entrypoint();
        let bytes = entry.source.as_bytes().with_context(|| {
            format!("entry point {:?} (args {:?}, cwd {:?})", entry.source, ctx.args(), std::env::current_dir())
        })?;
        if guest::is_module(&bytes) {
            Ok(())
        } else {
            bail!("the entry point is not a WebAssembly module (nor `wasmedge compile` output)")
        }
    }
}

/// Run `guest` on a thread of its own until it ends or the process gets SIGTERM, SIGINT or SIGQUIT, which
/// interrupt it: the exit status (128 + the signal after one) and, if it ended, its outcome.
pub async fn run_until_signal(guest: Guest) -> Result<(i32, Option<Outcome>)> {
    // Handlers first: a signal that comes while the module loads must not be lost.
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut quit = signal(SignalKind::quit())?;
    let (handle_tx, handle_rx) = std::sync::mpsc::channel();
    let (done_tx, mut done_rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new().name("guest".into()).spawn(move || {
        let outcome = guest.run(|handle| {
            let _ = handle_tx.send(handle);
        });
        let _ = done_tx.send(outcome);
    })?;
    let signo = tokio::select! {
        outcome = &mut done_rx => {
            let outcome = outcome??;
            return Ok((outcome.status, Some(outcome)));
        }
        _ = term.recv() => SignalKind::terminate().as_raw_value(),
        _ = int.recv() => SignalKind::interrupt().as_raw_value(),
        _ = quit.recv() => SignalKind::quit().as_raw_value(),
    };
    log::info!("signal {signo}: stopping the guest");
    if let Ok(handle) = handle_rx.try_recv() {
        handle.interrupt();
    }
    // The interrupted guest ends with a trap; its outcome no longer matters, only that it stops.
    let _ = tokio::time::timeout(STOP_GRACE, done_rx).await;
    Ok((128 + signo, None))
}
