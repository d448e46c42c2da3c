//! The per-guest state: one handle table per object kind, shared by the five modules.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::array_output::ArrayOutput;
use crate::asymmetric::{KeyPair, PublicKey, SecretKey, Signature, SignatureState, VerificationState};
use crate::handles::HandleTable;
use crate::options::Options;
use crate::symmetric::{SymmetricKey, SymmetricState, SymmetricTag};

/// Everything a guest has open.
pub struct CryptoCtx {
    pub array_outputs: HandleTable<ArrayOutput>,
    pub options: HandleTable<Options>,
    pub symmetric_keys: HandleTable<SymmetricKey>,
    pub symmetric_states: HandleTable<SymmetricState>,
    pub symmetric_tags: HandleTable<SymmetricTag>,
    pub keypairs: HandleTable<KeyPair>,
    pub publickeys: HandleTable<PublicKey>,
    pub secretkeys: HandleTable<SecretKey>,
    pub signatures: HandleTable<Signature>,
    pub signature_states: HandleTable<SignatureState>,
    pub verification_states: HandleTable<VerificationState>,
}

impl Default for CryptoCtx {
    fn default() -> Self {
        CryptoCtx {
            array_outputs: HandleTable::new(1),
            options: HandleTable::new(2),
            symmetric_keys: HandleTable::new(3),
            symmetric_states: HandleTable::new(4),
            symmetric_tags: HandleTable::new(5),
            keypairs: HandleTable::new(6),
            publickeys: HandleTable::new(7),
            secretkeys: HandleTable::new(8),
            signatures: HandleTable::new(9),
            signature_states: HandleTable::new(10),
            verification_states: HandleTable::new(11),
        }
    }
}

/// The state as each module instance holds it.
pub type Shared = Arc<Mutex<CryptoCtx>>;

/// Lock the state; a panic in an earlier call (caught by the SDK) leaves the tables consistent, so a
/// poisoned lock is taken over.
pub fn lock(shared: &Shared) -> MutexGuard<'_, CryptoCtx> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}
