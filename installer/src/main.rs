//! `wasmedge-installer`: the options of WasmEdge's `install.sh`, plus `--base-url`, `--timeout` and
//! `--uninstall`. `install.sh` downloads this binary, checks it, and runs it.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use wasmedge_installer::{Ctx, install, uninstall};

/// Where releases are published unless `--base-url` or `WASMEDGE_RELEASE_BASE_URL` says otherwise.
const DEFAULT_BASE_URL: &str = "https://example.invalid/wasmedge-rs/releases";

#[derive(Parser, Debug)]
#[command(
    name = "wasmedge-installer",
    disable_version_flag = true,
    about = "Install, upgrade or uninstall wasmedge and its plugins, verified against the release's SHA256SUMS",
    after_help = "Examples:\n  wasmedge-installer -v 0.15.0 --plugins wasi_crypto:0.14.1\n  wasmedge-installer -p /usr/local --plugins all\n  wasmedge-installer --uninstall -q"
)]
struct Args {
    /// The version to install (default: the newest in the release index).
    #[arg(short = 'v', long = "version", value_name = "VERSION")]
    version: Option<String>,
    /// The installation directory.
    #[arg(short = 'p', long = "path", value_name = "PATH")]
    path: Option<PathBuf>,
    /// Plugins to install: name[:version] (default version: the runtime's), comma- or space-separated, or `all`.
    #[arg(long = "plugins", value_name = "PLUGIN", num_args = 1..)]
    plugins: Vec<String>,
    /// The architecture to install for (x86_64, aarch64; default: this machine's).
    #[arg(long = "machine", visible_alias = "arch", value_name = "ARCH")]
    machine: Option<String>,
    /// The operating system to install for (default: this machine's).
    #[arg(long = "os", value_name = "OS")]
    os: Option<String>,
    /// The build to install (e.g. manylinux_2_28; default: the newest this machine runs).
    #[arg(long = "dist", value_name = "DIST")]
    dist: Option<String>,
    /// Remove the files of the previous installation that the new one does not have.
    #[arg(short = 'r', long = "remove-old", value_name = "yes|no", default_value = "yes", value_parser = ["yes", "no"])]
    remove_old: String,
    /// Where to download archives (default: a staging directory in the installation).
    #[arg(short = 't', long = "tmpdir", value_name = "DIR")]
    tmpdir: Option<PathBuf>,
    /// Show every step.
    #[arg(short = 'V', long = "verbose")]
    verbose: bool,
    /// The release location: http(s)://… or file:///… (default: $WASMEDGE_RELEASE_BASE_URL or the project's).
    #[arg(long = "base-url", value_name = "URL")]
    base_url: Option<String>,
    /// Require each version's SHA256SUMS to be signed by this Ed25519 public key (PEM; default:
    /// $WASMEDGE_RELEASE_PUBLIC_KEY).
    #[arg(long = "public-key", value_name = "FILE")]
    public_key: Option<PathBuf>,
    /// Seconds a download may stay silent before it fails.
    #[arg(long = "timeout", value_name = "SECS", default_value_t = 30)]
    timeout: u64,
    /// Remove the installation at --path instead (exactly the files the installer put there).
    #[arg(long = "uninstall")]
    uninstall: bool,
    /// With --uninstall: do not ask.
    #[arg(short = 'q', long = "quiet")]
    quiet: bool,
}

fn main() {
    let args = Args::parse();
    let ctx = Arc::new(Ctx::new(args.verbose, Duration::from_secs(args.timeout.max(1))));
    ctx.handle_signals();
    let path = match args.path.clone().or_else(|| dirs::home_dir().map(|h| h.join(".wasmedge"))) {
        Some(p) => p,
        None => {
            eprintln!("wasmedge-installer: error: no home directory; pass -p PATH");
            std::process::exit(2);
        }
    };
    let result = if args.uninstall {
        uninstall::run(&ctx, &path, args.quiet)
    } else {
        let base_url = args
            .base_url
            .clone()
            .or_else(|| std::env::var("WASMEDGE_RELEASE_BASE_URL").ok())
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
        let opts = install::Options {
            version: args.version,
            path,
            plugins: args.plugins,
            arch: args.machine,
            os: args.os,
            dist: args.dist,
            remove_old: args.remove_old == "yes",
            tmpdir: args.tmpdir,
            base_url,
            public_key: args.public_key.or_else(|| std::env::var_os("WASMEDGE_RELEASE_PUBLIC_KEY").map(PathBuf::from)),
        };
        install::run(&ctx, &opts)
    };
    if let Err(e) = result {
        eprintln!("wasmedge-installer: error: {e}");
        std::process::exit(e.exit_code());
    }
}
