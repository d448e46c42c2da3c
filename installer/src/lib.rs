//! `wasmedge-installer`: installs, upgrades and uninstalls wasmedge and its plugins from a release
//! location (`index.toml`, per-version `SHA256SUMS` and archives; see [`index`]). Everything it downloads
//! is checked against the release's checksums before it is unpacked; the new installation is staged
//! beside the old one and switched in with renames ([`commit`]), so a failed or interrupted run leaves the
//! old one working. `wasmedge-release` ([`release`]) writes release locations.

#![forbid(unsafe_code)]

pub mod archive;
pub mod commit;
pub mod error;
pub mod fetch;
pub mod index;
pub mod install;
pub mod manifest;
pub mod platform;
pub mod profile;
pub mod release;
pub mod sign;
pub mod uninstall;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use error::{Error, Result};

/// What every step shares: output settings, the stall timeout and the interrupt flag.
pub struct Ctx {
    pub verbose: bool,
    pub timeout: Duration,
    /// Set by Ctrl-C / SIGTERM.
    pub interrupted: Arc<AtomicBool>,
    committing: AtomicBool,
}

impl Ctx {
    pub fn new(verbose: bool, timeout: Duration) -> Ctx {
        Ctx { verbose, timeout, interrupted: Arc::new(AtomicBool::new(false)), committing: AtomicBool::new(false) }
    }

    /// A step the user always sees (on stderr: stdout carries `wasmedge --version`).
    pub fn say(&self, msg: impl AsRef<str>) {
        eprintln!("wasmedge-installer: {}", msg.as_ref());
    }

    /// A step shown with `--verbose`.
    pub fn detail(&self, msg: impl AsRef<str>) {
        if self.verbose {
            self.say(msg);
        }
    }

    pub fn warn(&self, msg: impl AsRef<str>) {
        eprintln!("wasmedge-installer: warning: {}", msg.as_ref());
    }

    /// Fail with [`error::ErrorKind::Interrupted`] if Ctrl-C was pressed.
    pub fn check_interrupt(&self) -> Result<()> {
        if self.interrupted.load(Ordering::SeqCst) { Err(Error::interrupted()) } else { Ok(()) }
    }

    fn committing(&self, on: bool) {
        self.committing.store(on, Ordering::SeqCst);
    }

    /// Install the Ctrl-C / SIGTERM handler: it sets the flag that downloads and steps check; the switch
    /// into place finishes first.
    pub fn handle_signals(self: &Arc<Ctx>) {
        let ctx = self.clone();
        let _ = ctrlc::set_handler(move || {
            ctx.interrupted.store(true, Ordering::SeqCst);
            if !ctx.committing.load(Ordering::SeqCst) {
                eprintln!("\nwasmedge-installer: interrupted; cleaning up");
            }
        });
    }
}
