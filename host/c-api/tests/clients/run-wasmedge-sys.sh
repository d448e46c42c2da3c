#!/usr/bin/env bash
# Build the wasmedge-sys client against our header and the library cargo builds, then run it.
#   host/c-api/tests/clients/run-wasmedge-sys.sh [--release]
# Needs libclang (apt-get install clang) for wasmedge-sys's bindgen, and crates.io.
set -euo pipefail
cd "$(dirname "$0")/../../../.."
profile=debug
if [ "${1:-}" = "--release" ]; then profile=release; fi
cargo build -q -p wasmedge-c-api $([ $profile = release ] && echo --release)
# The library under the names clients link and load it by, in a directory of its own.
lib="$PWD/target/clients/lib"
mkdir -p "$lib"
ln -sf "$PWD/target/$profile/libwasmedge.so" "$lib/libwasmedge.so"
ln -sf "$PWD/target/$profile/libwasmedge.so" "$lib/libwasmedge.so.0"
export WASMEDGE_INCLUDE_DIR="$PWD/host/c-api/include" WASMEDGE_LIB_DIR="$lib" LD_LIBRARY_PATH="$lib"
export CARGO_TARGET_DIR="$PWD/target/clients"
cd host/c-api/tests/clients/wasmedge-sys
cargo run -q
