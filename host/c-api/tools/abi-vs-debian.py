#!/usr/bin/env python3
"""Compare our C API with the real WasmEdge that Debian ships (trixie: libwasmedge-dev and libwasmedge0,
WasmEdge 0.14.1): struct sizes, alignments and field offsets, enum values, and the exported symbol set.

    tools/abi-vs-debian.py [OURS_LIB]        (default OURS_LIB: target/debug/libwasmedge.so)

The packages are fetched with apt from Debian trixie into target/clients/debian (an apt configuration of
its own: the system's sources are not touched). Needs clang (for the headers' ASTs), cc, nm, dpkg-deb.

Checks, each failing the script when it does not hold:
- every struct both headers define has the same size, alignment and field offsets;
- the library exports every function 0.14.1's does, plus exactly 0.15's three additions;
- enum constants both headers define have the same values, except for the changes 0.15 made, which are
  listed in tools/abi-0.14-to-0.15.txt (that file is the expected difference, so any other drift fails).
"""
import json, os, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, "../../.."))
ours_inc = os.path.join(root, "host/c-api/include")
ours_lib = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "target/debug/libwasmedge.so")
cache = os.path.join(root, "target/clients/debian")
ADDED_IN_015 = {"WasmEdge_LogSetCallback", "WasmEdge_LogSetLevel", "WasmEdge_VMForceDeleteRegisteredModule"}


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def fetch():
    """Debian trixie's libwasmedge-dev and libwasmedge0, extracted under cache/x."""
    x = os.path.join(cache, "x")
    if os.path.exists(os.path.join(x, "usr/include/wasmedge/wasmedge.h")):
        return x
    os.makedirs(os.path.join(cache, "lists/partial"), exist_ok=True)
    os.makedirs(os.path.join(cache, "cache/archives/partial"), exist_ok=True)
    sources = os.path.join(cache, "sources.list")
    with open(sources, "w") as f:
        f.write("deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main\n")
    opts = ["-o", f"Dir::Etc::SourceList={sources}", "-o", "Dir::Etc::SourceParts=/dev/null",
            "-o", f"Dir::State::Lists={cache}/lists", "-o", f"Dir::Cache={cache}/cache"]
    run("apt-get", "-q", *opts, "update")
    run("apt-get", "-q", *opts, "download", "libwasmedge-dev", "libwasmedge0", cwd=cache)
    for deb in os.listdir(cache):
        if deb.endswith(".deb"):
            run("dpkg-deb", "-x", os.path.join(cache, deb), x)
    return x


def declarations(include):
    """Structs (name -> field names) and enum constants of a header set."""
    ast = json.loads(run("clang", "-Xclang", "-ast-dump=json", "-fsyntax-only", "-I", include,
                         os.path.join(include, "wasmedge/wasmedge.h")))
    structs, consts = {}, []
    for d in ast["inner"]:
        if d.get("kind") == "EnumDecl":
            consts += [c["name"] for c in d.get("inner", []) if c.get("kind") == "EnumConstantDecl"]
        if d.get("kind") == "RecordDecl" and d.get("completeDefinition") and d.get("name", "").startswith("WasmEdge_"):
            structs[d["name"]] = [f["name"] for f in d.get("inner", []) if f.get("kind") == "FieldDecl"]
    return structs, consts


def probe(include, structs, consts, tmp, tag):
    """Compile and run a program printing the layouts and values named, against `include`."""
    lines = ["#include <stdio.h>", "#include <stddef.h>", "#include <wasmedge/wasmedge.h>", "int main(void) {"]
    for name, fields in sorted(structs.items()):
        lines.append(f'  printf("size {name} %zu %zu\\n", sizeof(struct {name}), _Alignof(struct {name}));')
        for f in fields:
            lines.append(f'  printf("offset {name}.{f} %zu\\n", offsetof(struct {name}, {f}));')
    for c in consts:
        lines.append(f'  printf("value {c} %lld\\n", (long long){c});')
    lines += ["  return 0;", "}"]
    src, exe = os.path.join(tmp, f"probe-{tag}.c"), os.path.join(tmp, f"probe-{tag}")
    with open(src, "w") as f:
        f.write("\n".join(lines))
    run("cc", "-std=c11", "-I", include, src, "-o", exe)
    return dict(line.rsplit(" ", 1) if line.startswith("value") else (line.split(" ", 2)[0] + " " + line.split(" ", 2)[1], line.split(" ", 2)[2])
                for line in run(exe).splitlines())


def exports(lib):
    out = run("nm", "-D", "--defined-only", lib)
    return {l.split()[-1].split("@")[0] for l in out.splitlines() if l.split()[-1].startswith("WasmEdge_")}


def main():
    theirs = fetch()
    theirs_inc = os.path.join(theirs, "usr/include")
    theirs_lib = os.path.join(theirs, "usr/lib/x86_64-linux-gnu/libwasmedge.so.0.1.0")
    t_structs, t_consts = declarations(theirs_inc)
    o_structs, o_consts = declarations(ours_inc)
    failed = False
    # Layouts of the structs both define (the same fields in both: compared by the probe).
    common = {n: f for n, f in t_structs.items() if n in o_structs}
    missing = sorted(set(t_structs) - set(o_structs))
    if missing:
        print(f"FAIL structs 0.14.1 has and we do not: {missing}")
        failed = True
    both_consts = [c for c in t_consts if c in set(o_consts)]
    with tempfile.TemporaryDirectory() as tmp:
        t = probe(theirs_inc, common, both_consts, tmp, "theirs")
        o = probe(ours_inc, common, both_consts, tmp, "ours")
    layout_diff = [k for k in t if not k.startswith("value") and t[k] != o[k]]
    if layout_diff:
        print(f"FAIL layouts differ: {[(k, t[k], o[k]) for k in layout_diff]}")
        failed = True
    else:
        print(f"ok layouts: {len(common)} structs, {sum(len(f) for f in common.values())} fields identical")
    # Enum values: the differences must be exactly the recorded 0.14 -> 0.15 changes.
    diff = sorted(
        [f"changed {k.split(' ', 1)[1]} {t[k]} -> {o[k]}" for k in t if k.startswith("value") and t[k] != o[k]]
        + [f"removed {c}" for c in t_consts if c not in set(o_consts)]
        + [f"added {c}" for c in o_consts if c not in set(t_consts)]
    )
    expected = [l for l in open(os.path.join(here, "abi-0.14-to-0.15.txt")).read().splitlines() if l and not l.startswith("#")]
    if diff != expected:
        print("FAIL enum differences from 0.14.1 are not the recorded 0.15 changes:")
        for l in sorted(set(diff) ^ set(expected)):
            print(f"  {'unexpected' if l in diff else 'missing'}: {l}")
        failed = True
    else:
        same = sum(1 for k in t if k.startswith("value") and t[k] == o[k])
        print(f"ok enums: {same} constants identical; {len(diff)} differences, all 0.15's recorded changes")
    # Exported functions.
    t_exp, o_exp = exports(theirs_lib), exports(ours_lib)
    if t_exp - o_exp or (o_exp - t_exp) != ADDED_IN_015:
        print(f"FAIL exports: missing {sorted(t_exp - o_exp)}, extra {sorted((o_exp - t_exp) - ADDED_IN_015)}")
        failed = True
    else:
        print(f"ok exports: all {len(t_exp)} of 0.14.1's, plus 0.15's {sorted(ADDED_IN_015)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
