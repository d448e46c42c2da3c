#!/usr/bin/env bash
# Build and test the containerd shim (cli/containerd-shim), outside the workspace: its own lock file, and
# its own target directory (target/shim).
#   cli/containerd-shim/run-tests.sh
# Needs protobuf-compiler, libseccomp-dev and pkg-config (containerd-shim-wasm's build), and for the
# end-to-end test root and containerd; run as root, this installs what is missing with apt-get.
set -euo pipefail
cd "$(dirname "$0")"
need=()
command -v protoc >/dev/null || need+=(protobuf-compiler)
pkg-config --exists libseccomp 2>/dev/null || need+=(libseccomp-dev pkg-config)
command -v containerd >/dev/null || need+=(containerd)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
    else
        echo "run-tests.sh: missing ${need[*]} (apt-get install them)" >&2
    fi
fi
export CARGO_TARGET_DIR="$PWD/../../target/shim"
cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked
