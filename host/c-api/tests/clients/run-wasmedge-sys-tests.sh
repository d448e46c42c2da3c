#!/usr/bin/env bash
# Run wasmedge-sys 0.19.4's own unit tests against our header and library.
#   host/c-api/tests/clients/run-wasmedge-sys-tests.sh
# The crate comes from crates.io (through the client project's lock file); its tests read fixtures two
# directories above the crate, as laid out in the Rust SDK's repository, so the crate is copied into that
# layout with our own stand-ins for the fixtures (wasmedge-sys-data/; test.wasm is our lib.wasm).
# Needs libclang (apt-get install clang) for the crate's bindgen.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
cd "$root"
cargo build -q -p wasmedge-c-api
lib="$root/target/clients/lib"
mkdir -p "$lib"
ln -sf "$root/target/debug/libwasmedge.so" "$lib/libwasmedge.so"
ln -sf "$root/target/debug/libwasmedge.so" "$lib/libwasmedge.so.0"
# Fetch the crate with the client project's locked versions and find it in cargo's registry.
(cd "$here/wasmedge-sys" && cargo fetch -q)
src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wasmedge-sys-0.19.4 | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/crates" "$work/examples/wasmedge-sys/data"
cp -r "$src" "$work/crates/wasmedge-sys"
printf '\n[workspace]\n' >> "$work/crates/wasmedge-sys/Cargo.toml"
cp "$here/wasmedge-sys-data/fibonacci.wat" "$work/examples/wasmedge-sys/data/"
cp "$root/host/c-api/tests/c/fixtures/lib.wasm" "$work/examples/wasmedge-sys/data/test.wasm"
export WASMEDGE_INCLUDE_DIR="$root/host/c-api/include" WASMEDGE_LIB_DIR="$lib" LD_LIBRARY_PATH="$lib"
export CARGO_TARGET_DIR="$root/target/clients"
cd "$work/crates/wasmedge-sys"
cargo test -q --lib 2>&1 | tee "$work/out.txt" | grep -E "^test result|FAILED|panicked" || true
grep -q "^test result: ok" "$work/out.txt"
