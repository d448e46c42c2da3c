//! Bounded slices of the fuzz targets in `tests/fuzz` (whose logic lives in `tests/fuzzing/`, shared with
//! them): load/validate/instantiate of mutated modules and raw bytes on both backends, the WASI path
//! resolver under arbitrary operations, and the plugin library reader under mutated ELF files. Each runs
//! for a few seconds from fixed seeds, so a failure names its seed; `FUZZ_SLICE_SECONDS` changes the budget.

use std::time::{Duration, Instant};

#[path = "fuzzing/load.rs"]
mod load;
#[path = "fuzzing/plugin_record.rs"]
mod plugin_record;
#[path = "fuzzing/wasi_paths.rs"]
mod wasi_paths;

fn budget() -> Duration {
    let secs = std::env::var("FUZZ_SLICE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(4);
    Duration::from_secs(secs)
}

/// splitmix64 bytes.
fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(1);
    (0..len)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31)) as u8
        })
        .collect()
}

/// Flip a few bytes of `bytes` as `seed` says.
fn mutate(mut bytes: Vec<u8>, seed: u64) -> Vec<u8> {
    let r = random_bytes(seed ^ 0x5eed, 16);
    for k in 0..(1 + r[0] % 4) as usize {
        if bytes.is_empty() {
            break;
        }
        let at = u32::from_le_bytes([r[1 + 3 * k], r[2 + 3 * k], r[3 + 3 * k], 0]) as usize % bytes.len();
        bytes[at] = r[13 + k % 3];
    }
    bytes
}

#[test]
fn load_validate_instantiate_arbitrary_bytes() {
    let start = Instant::now();
    let mut stats = load::LoadStats::default();
    let mut seed = 0u64;
    while start.elapsed() < budget() {
        let mut raw = random_bytes(seed, 256 + (seed as usize % 4) * 512);
        raw[0] |= 1;
        let inputs = match load::module_bytes(&raw) {
            Some(wasm) => vec![wasm.clone(), mutate(wasm, seed)],
            None => vec![],
        };
        let mut header = b"\0asm\x01\0\0\0".to_vec();
        header.extend_from_slice(&raw[..64]);
        for bytes in inputs.iter().chain([&header]) {
            let caught =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| load::check_bytes(bytes, &mut stats)));
            if caught.is_err() {
                let path = std::env::temp_dir().join(format!("load-failure-{seed}.wasm"));
                std::fs::write(&path, bytes).unwrap();
                panic!("seed {seed}: panicked on the module written to {}", path.display());
            }
        }
        seed += 1;
    }
    eprintln!("load slice: {seed} seeds, {stats:?}");
    assert!(stats.instantiated > 0 && stats.calls > 0, "{stats:?}");
}

#[test]
fn wasi_path_resolver_holds_under_arbitrary_operations() {
    let start = Instant::now();
    let (mut seed, mut calls) = (0u64, 0u64);
    while start.elapsed() < budget() {
        let data = random_bytes(seed, 512);
        let caught = std::panic::catch_unwind(|| wasi_paths::check_ops(&data));
        match caught {
            Ok(n) => calls += n,
            Err(e) => panic!("seed {seed}: {}", e.downcast_ref::<String>().cloned().unwrap_or_default()),
        }
        seed += 1;
    }
    eprintln!("wasi path slice: {seed} inputs, {calls} WASI calls");
    assert!(calls > 100);
}

#[test]
fn plugin_library_reader_takes_any_file() {
    let dir = tempfile::tempdir().unwrap();
    let elf = std::fs::read("/bin/true").unwrap_or_else(|_| b"\x7fELF\x02\x01\x01".to_vec());
    let start = Instant::now();
    let mut seed = 0u64;
    while start.elapsed() < budget() {
        let bytes = if seed.is_multiple_of(4) {
            random_bytes(seed, 64 + seed as usize % 1024)
        } else {
            mutate(elf.clone(), seed)
        };
        let caught = std::panic::catch_unwind(|| plugin_record::check_file(&bytes, dir.path()));
        assert!(caught.is_ok(), "seed {seed}");
        seed += 1;
    }
    eprintln!("plugin reader slice: {seed} files");
}
