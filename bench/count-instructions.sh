#!/usr/bin/env bash
# Count the machine instructions each engine executes per workload, with valgrind's callgrind: a
# deterministic measure, free of this machine's timing noise. Each workload runs at N and 2N; the difference
# is the cost of N units of work without load, validation and translation.
#   apt-get install valgrind
#   bench/count-instructions.sh [workload ...]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p wasmedge-bench --features wasmi --bench compare --no-run 2>/dev/null
bin=$(ls -t target/release/deps/compare-* | grep -v '\.d$' | head -1)
declare -A N=([fib]=22 [loop]=1000000 [sieve]=2 [matmul]=6 [sha256]=4 [memcpy]=10000 [dispatch]=500000 [coremark]=100)
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(fib loop sieve matmul sha256 memcpy dispatch coremark)
count() { # engine workload n
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" --run "$1" "$2" "$3" 2>&1 >/dev/null |
        sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
printf '%-10s %8s %14s %14s %8s\n' workload n "ours Ir" "wasmi Ir" ratio
for w in "${workloads[@]}"; do
    n=${N[$w]}
    if [ "$w" = fib ]; then n2=$((n + 1)); else n2=$((2 * n)); fi
    o=$(( $(count ours "$w" "$n2") - $(count ours "$w" "$n") ))
    m=$(( $(count wasmi "$w" "$n2") - $(count wasmi "$w" "$n") ))
    printf '%-10s %8s %14d %14d %8.2f\n' "$w" "$n" "$o" "$m" "$(echo "$o / $m" | bc -l)"
done
