//! Give the shared library the SONAME WasmEdge's has, so that programs linked against either find it as
//! `libwasmedge.so.0`.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libwasmedge.so.0");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
