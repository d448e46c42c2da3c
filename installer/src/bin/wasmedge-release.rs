//! `wasmedge-release`: write one version's archives, `SHA256SUMS` and `index.toml` entry into a release
//! directory (`installer/release.sh` builds the binaries and runs this).

#![forbid(unsafe_code)]

use std::path::PathBuf;

use clap::Parser;
use wasmedge_installer::release;

#[derive(Parser, Debug)]
#[command(name = "wasmedge-release", about = "Write a release of wasmedge into a release directory")]
struct Args {
    /// The release directory (served as the installer's --base-url).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The version to release the binaries as.
    #[arg(long, value_name = "X.Y.Z")]
    version: String,
    /// The wasmedge executable.
    #[arg(long, value_name = "FILE")]
    runtime: PathBuf,
    /// The wasmedge-installer executable.
    #[arg(long, value_name = "FILE")]
    installer: PathBuf,
    /// Another executable shipped in bin/ (e.g. containerd-shim-wasmedge-v1; repeatable).
    #[arg(long = "bin", value_name = "FILE")]
    bins: Vec<PathBuf>,
    /// A plugin shipped inside the runtime archive (lib/wasmedge/).
    #[arg(long = "builtin-plugin", value_name = "FILE")]
    builtin_plugins: Vec<PathBuf>,
    /// An optional plugin, one archive each: NAME=FILE (e.g. wasi_crypto=target/release/libwasmedge_plugin_wasi_crypto.so).
    #[arg(long = "plugin", value_name = "NAME=FILE")]
    plugins: Vec<String>,
    /// A directory of C headers shipped as include/.
    #[arg(long, value_name = "DIR")]
    include: Option<PathBuf>,
    /// The C API library (libwasmedge.so), shipped as lib/libwasmedge.so.0.1.0 with its links.
    #[arg(long = "c-library", value_name = "FILE")]
    c_library: Option<PathBuf>,
    /// Sign the version's SHA256SUMS (SHA256SUMS.sig) with this Ed25519 private key (PKCS#8 PEM, as
    /// `openssl genpkey -algorithm ed25519` writes it).
    #[arg(long = "signing-key", value_name = "FILE")]
    signing_key: Option<PathBuf>,
}

fn main() {
    let args = Args::parse();
    let mut plugins = Vec::new();
    for p in &args.plugins {
        let Some((name, file)) = p.split_once('=') else {
            eprintln!("wasmedge-release: error: --plugin takes NAME=FILE, not `{p}`");
            std::process::exit(2);
        };
        plugins.push((name.to_string(), PathBuf::from(file)));
    }
    let input = release::Input {
        version: args.version.clone(),
        runtime: args.runtime,
        installer: args.installer,
        bins: args.bins,
        builtin_plugins: args.builtin_plugins,
        plugins,
        include: args.include,
        c_library: args.c_library,
        signing_key: args.signing_key.clone(),
    };
    match release::write(&args.out, &input) {
        Ok(r) => {
            if args.signing_key.is_none() {
                eprintln!("wasmedge-release: {} is not signed (no --signing-key)", args.version);
            }
            for a in &r.archives {
                println!("{}/{}/{}  {} bytes  sha256 {}", args.out.display(), args.version, a.file, a.size, a.sha256);
            }
        }
        Err(e) => {
            eprintln!("wasmedge-release: error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
