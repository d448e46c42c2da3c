#!/bin/sh
# installer/release.sh OUT_DIR — build wasmedge, its installer and its plugins (release profile) and write
# this machine's release into OUT_DIR: OUT_DIR/<V>/{WasmEdge-…tar.gz, SHA256SUMS, wasmedge-installer-linux-<arch>}
# and OUT_DIR/index.toml (updated, so several versions sit side by side), plus install.sh and uninstall.sh.
#
#   VERSION=x.y.z          release under this version (default: the workspace's)
#   WASMEDGE_PREBUILT=DIR  take the binaries from DIR instead of building them (tests use this); the
#                          containerd shim (containerd-shim-wasmedge-v1) is shipped when DIR has it
#   WASMEDGE_NO_SHIM=1     build no containerd shim (it needs protobuf-compiler and libseccomp-dev)
#   WASMEDGE_RELEASE_SIGNING_KEY=FILE  sign <V>/SHA256SUMS with this Ed25519 key (PEM, from
#                          `openssl genpkey -algorithm ed25519`), writing <V>/SHA256SUMS.sig
# See docs/release.md.
set -eu

if [ $# -ne 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    echo "usage: [VERSION=x.y.z] [WASMEDGE_PREBUILT=DIR] $0 OUT_DIR" >&2
    exit 2
fi
OUT_DIR=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${VERSION:-}" ]; then
    VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n 1)
fi

if [ -n "${WASMEDGE_PREBUILT:-}" ]; then
    BIN=$WASMEDGE_PREBUILT
else
    (cd "$ROOT" && cargo build --release --locked -p wasmedge-cli -p wasmedge-installer \
        -p wasmedge-plugin-wasi_logging -p wasmedge-plugin-wasi-crypto -p wasmedge-plugin-wasi-nn -p wasmedge-c-api)
    BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release
    # The containerd shim lives outside the workspace (cli/containerd-shim), with its own target directory.
    if [ "${WASMEDGE_NO_SHIM:-}" != 1 ]; then
        (cd "$ROOT/cli/containerd-shim" && CARGO_TARGET_DIR="$ROOT/target/shim" \
            cargo build --release --locked --bin containerd-shim-wasmedge-v1)
        cp "$ROOT/target/shim/release/containerd-shim-wasmedge-v1" "$BIN/"
    fi
fi

for f in wasmedge wasmedge-installer wasmedge-release libwasmedge_plugin_wasi_logging.so libwasmedge_plugin_wasi_crypto.so; do
    [ -f "$BIN/$f" ] || { echo "release.sh: $BIN/$f is missing" >&2; exit 1; }
done
# Ship the binaries without debug info (symbols stay, for backtraces); the build's own copies keep it.
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
for f in wasmedge wasmedge-installer libwasmedge_plugin_wasi_logging.so libwasmedge_plugin_wasi_crypto.so libwasmedge_plugin_wasi_nn.so libwasmedge.so containerd-shim-wasmedge-v1; do
    if [ -f "$BIN/$f" ]; then
        cp "$BIN/$f" "$STAGE/$f"
        if command -v strip >/dev/null 2>&1; then strip --strip-debug "$STAGE/$f"; fi
    fi
done

set -- --plugin "wasi_crypto=$STAGE/libwasmedge_plugin_wasi_crypto.so"
# WasmEdge calls its llama.cpp backend wasi_nn-ggml; ours also runs ONNX models.
if [ -f "$STAGE/libwasmedge_plugin_wasi_nn.so" ]; then
    set -- "$@" --plugin "wasi_nn-ggml=$STAGE/libwasmedge_plugin_wasi_nn.so"
fi

# The C API: libwasmedge.so.0 and its headers (lib/ and include/ of the runtime archive).
if [ -f "$STAGE/libwasmedge.so" ]; then
    set -- "$@" --c-library "$STAGE/libwasmedge.so" --include "$ROOT/host/c-api/include"
fi

# The containerd shim, in bin/ beside wasmedge (docs/kubernetes.md).
if [ -f "$STAGE/containerd-shim-wasmedge-v1" ]; then
    set -- "$@" --bin "$STAGE/containerd-shim-wasmedge-v1"
fi

if [ -n "${WASMEDGE_RELEASE_SIGNING_KEY:-}" ]; then
    set -- "$@" --signing-key "$WASMEDGE_RELEASE_SIGNING_KEY"
fi

mkdir -p "$OUT_DIR"
"$BIN/wasmedge-release" --out "$OUT_DIR" --version "$VERSION" \
    --runtime "$STAGE/wasmedge" --installer "$STAGE/wasmedge-installer" \
    --builtin-plugin "$STAGE/libwasmedge_plugin_wasi_logging.so" "$@"
cp "$ROOT/installer/install.sh" "$ROOT/installer/uninstall.sh" "$OUT_DIR/"
