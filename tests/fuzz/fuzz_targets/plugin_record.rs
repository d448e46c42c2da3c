//! The plugin library reader (ELF inspection and the `.wasmedge_plugin` ABI record) under arbitrary
//! files. `cargo fuzz run plugin_record -s none` from `tests/fuzz`; the logic is
//! `tests/tests/fuzzing/plugin_record.rs`.

#![no_main]

#[path = "../../tests/fuzzing/plugin_record.rs"]
mod plugin_record;

thread_local! {
    static DIR: tempfile::TempDir = tempfile::tempdir().unwrap();
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    DIR.with(|d| plugin_record::check_file(data, d.path()));
});
