//! Chooses how the interpreter's handlers are chained (see `src/interp/exec.rs`).
//!
//! Optimising builds (`opt-level` 2, 3, `s`, `z`) on 64-bit targets whose LLVM backend makes sibling calls
//! get `interp_tail_calls`: every handler jumps straight to the next one. Dev and test builds of that
//! kind also get `interp_check_tail_calls`, a run-time check that they do. Other builds drive the same
//! handlers from a loop, because without the optimisation each call would keep its stack frame.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(interp_tail_calls)");
    println!("cargo::rustc-check-cfg=cfg(interp_check_tail_calls)");
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let optimising = matches!(opt.as_str(), "2" | "3" | "s" | "z");
    let sibling_calls = matches!(arch.as_str(), "x86_64" | "aarch64" | "riscv64" | "loongarch64" | "s390x");
    if optimising && sibling_calls {
        println!("cargo::rustc-cfg=interp_tail_calls");
        // Dev and test builds check at run time that the host stack does not grow along a chain.
        if std::env::var("PROFILE").as_deref() == Ok("debug") && arch == "x86_64" {
            println!("cargo::rustc-cfg=interp_check_tail_calls");
        }
    }
}
