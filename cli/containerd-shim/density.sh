#!/usr/bin/env bash
# Density: N containers of one image started one after another (`ctr run -d`) and left running, then the
# time per start and the memory (PSS, so that shared pages count once) per running container: our shim
# with a WASI program that sleeps, against runc with a static native program that sleeps.
#   cli/containerd-shim/density.sh [N]        (default 50; root, containerd, runc, gcc)
# Starts a containerd of its own (root, state and socket in a temporary directory) and stops it at the end.
set -euo pipefail
N=${1:-50}
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
export CARGO_TARGET_DIR="$ROOT/target/shim"
cargo build -q --release --locked --bins
BIN="$CARGO_TARGET_DIR/release"
T=$(mktemp -d /tmp/density.XXXXXX)
cat > "$T/config.toml" <<TOML
version = 2
root = "$T/root"
state = "$T/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$T/sock"
[ttrpc]
  address = "$T/sock.ttrpc"
TOML
PATH="$BIN:$PATH" containerd --config "$T/config.toml" >"$T/containerd.log" 2>&1 &
CONTAINERD=$!
ctr() { command ctr --address "$T/sock" --namespace density "$@"; }
cleanup() {
    for id in $(ctr tasks ls -q 2>/dev/null); do ctr tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
    sleep 1
    for id in $(ctr tasks ls -q 2>/dev/null); do ctr tasks delete -f "$id" >/dev/null 2>&1 || true; done
    for id in $(ctr containers ls -q 2>/dev/null); do ctr containers delete "$id" >/dev/null 2>&1 || true; done
    kill "$CONTAINERD" 2>/dev/null || true
    wait "$CONTAINERD" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT
for _ in $(seq 100); do ctr version >/dev/null 2>&1 && break; sleep 0.1; done

"$BIN/wasm-oci-image" --name docker.io/library/sleep-wasm:latest -o "$T/wasm.tar" --path /misc.wasm \
    "$ROOT/tests/fixtures/wasi/misc.wasm" -- sleep 600000
printf '#include <unistd.h>\nint main(void) { sleep(600); return 0; }\n' > "$T/sleep.c"
gcc -O2 -static -o "$T/sleep" "$T/sleep.c"
"$BIN/wasm-oci-image" --name docker.io/library/sleep-native:latest --platform linux/amd64 -o "$T/native.tar" \
    --path /sleep "$T/sleep"
ctr images import --all-platforms "$T/wasm.tar" >/dev/null
ctr images import --all-platforms "$T/native.tar" >/dev/null

# The PIDs that exist now (containerd included), to tell the containers' processes from the rest.
pids() { ls /proc | grep -E '^[0-9]+$' | sort; }
pss_of_new() { # PIDs-before-file
    local total=0
    for p in $(comm -13 "$1" <(pids)); do
        local kb
        kb=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || true)
        total=$((total + ${kb:-0}))
    done
    echo "$total"
}
measure() { # name runtime platform image
    local name=$1 runtime=$2 platform=$3 image=$4
    pids > "$T/before"
    local start end
    start=$(date +%s%N)
    for i in $(seq "$N"); do
        ctr run -d --runtime "$runtime" --snapshotter native --platform "$platform" "$image" "$name-$i" >/dev/null
    done
    end=$(date +%s%N)
    sleep 2
    local running
    running=$(ctr tasks ls | grep -c "^$name-.*RUNNING" || true)
    local pss
    pss=$(pss_of_new "$T/before")
    printf '%-28s %3d running  %6.1f ms per start  %8.0f kB PSS per container\n' \
        "$name ($runtime)" "$running" "$(echo "($end - $start) / 1000000 / $N" | bc -l)" "$(echo "$pss / $N" | bc -l)"
    for i in $(seq "$N"); do ctr tasks kill -s SIGKILL "$name-$i" >/dev/null 2>&1 || true; done
    sleep 1
    for i in $(seq "$N"); do
        ctr tasks delete "$name-$i" >/dev/null 2>&1 || true
        ctr containers delete "$name-$i" >/dev/null 2>&1 || true
    done
}
echo "$N containers each, started one after another and left running:"
measure wasm io.containerd.wasmedge.v1 wasip1/wasm docker.io/library/sleep-wasm:latest
measure native io.containerd.runc.v2 linux/amd64 docker.io/library/sleep-native:latest
