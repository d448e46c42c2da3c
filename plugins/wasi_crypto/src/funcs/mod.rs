//! The guest-facing functions, one file per module. Each takes the guest's state, its calling frame and
//! the wasm arguments, checks every pointer before acting, and returns `Ok(())` or the errno.

// The guest-facing functions take the wasm parameters one by one, as the ABI lists them.
#![allow(clippy::too_many_arguments)]

pub mod asymmetric_common;
pub mod common;
pub mod kx;
pub mod signatures;
pub mod symmetric;

use wasmedge_plugin_sdk::Frame;

use crate::error::Result;
use crate::guest;
use crate::handles::HandleTable;
use crate::options::Options;
use crate::state::CryptoCtx;
use crate::types::AlgorithmType;

/// Store `value` in `table` and write its handle at `ptr` (checked first, so a bad pointer leaves no
/// handle behind).
fn give<T>(frame: &mut Frame<'_, '_>, ptr: u32, table: &mut HandleTable<T>, value: T) -> Result<()> {
    guest::check(frame, ptr, 4)?;
    let handle = table.insert(value)?;
    guest::write_u32(frame, ptr, handle)
}

/// The options behind the optional handle at `ptr`, which must be of `alg_type` (else `invalid_handle`).
fn optional_options(
    c: &CryptoCtx,
    frame: &Frame<'_, '_>,
    ptr: u32,
    alg_type: AlgorithmType,
) -> Result<Option<Options>> {
    match guest::optional_handle(frame, ptr)? {
        None => Ok(None),
        Some(h) => {
            let options = c.options.get(h)?;
            crate::error::ensure(options.algorithm_type() == alg_type, crate::error::CryptoError::InvalidHandle)?;
            Ok(Some(options.clone()))
        }
    }
}
