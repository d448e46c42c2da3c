//! `wasm-oci-image`: an OCI image tarball from a `.wasm`, for `ctr image import --all-platforms` (no
//! registry needed). Platform `wasip1/wasm`.
//!
//!   wasm-oci-image --name docker.io/library/hello:latest -o hello.tar hello.wasm [--file /data.txt=./data.txt]

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use containerd_shim_wasmedge::image::{ImageSpec, write_image};

#[derive(Parser)]
#[command(about = "Build an OCI image tarball from a WebAssembly module")]
struct Args {
    /// The module (WebAssembly, or `wasmedge compile` output).
    wasm: PathBuf,
    /// The image's name.
    #[arg(long)]
    name: String,
    /// The tarball to write.
    #[arg(short, long)]
    output: PathBuf,
    /// The module's path in the image, and the entry point.
    #[arg(long, default_value = "/app.wasm")]
    path: String,
    /// Another file: `IMAGE_PATH=HOST_FILE` (repeatable).
    #[arg(long = "file", value_name = "IMAGE_PATH=HOST_FILE")]
    files: Vec<String>,
    /// An environment variable of the image: `NAME=value` (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    env: Vec<String>,
    /// Put the module in a layer of its own (media type application/wasm), not in the file system.
    #[arg(long)]
    wasm_layer: bool,
    /// Another platform than wasip1/wasm, OS/ARCH (for native comparison images: the entry point is then
    /// an executable).
    #[arg(long, value_name = "OS/ARCH")]
    platform: Option<String>,
    /// Default arguments.
    #[arg(last = true)]
    cmd: Vec<String>,
}

fn run(args: Args) -> Result<()> {
    let wasm = std::fs::read(&args.wasm).with_context(|| format!("cannot read {}", args.wasm.display()))?;
    let mut files = Vec::new();
    for f in &args.files {
        let (image_path, host) =
            f.split_once('=').with_context(|| format!("--file {f}: expected IMAGE_PATH=HOST_FILE"))?;
        files.push((image_path.to_string(), std::fs::read(host).with_context(|| format!("cannot read {host}"))?));
    }
    let platform = match &args.platform {
        Some(p) => {
            let (os, arch) = p.split_once('/').with_context(|| format!("--platform {p}: expected OS/ARCH"))?;
            Some((os.to_string(), arch.to_string()))
        }
        None => None,
    };
    let spec = ImageSpec {
        platform,
        name: args.name,
        wasm,
        wasm_path: args.path,
        files,
        cmd: args.cmd,
        env: args.env,
        wasm_layer: args.wasm_layer,
    };
    let out =
        std::fs::File::create(&args.output).with_context(|| format!("cannot create {}", args.output.display()))?;
    write_image(&spec, std::io::BufWriter::new(out))
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wasm-oci-image: {e:#}");
            ExitCode::FAILURE
        }
    }
}
