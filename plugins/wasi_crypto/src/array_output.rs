//! Array outputs: variable-size results (exported keys, signatures, shared secrets) the guest pulls into
//! its own buffers, in one go or in pieces.

use zeroize::Zeroizing;

/// An output not yet (completely) pulled by the guest.
pub struct ArrayOutput {
    data: Zeroizing<Vec<u8>>,
    pos: usize,
}

impl ArrayOutput {
    /// An output holding `data`.
    pub fn new(data: Zeroizing<Vec<u8>>) -> Self {
        ArrayOutput { data, pos: 0 }
    }

    /// Bytes not pulled yet.
    pub fn remaining(&self) -> &[u8] {
        &self.data[self.pos..]
    }

    /// Mark `n` more bytes pulled; true once everything has been.
    pub fn advance(&mut self, n: usize) -> bool {
        self.pos = (self.pos + n).min(self.data.len());
        self.pos == self.data.len()
    }
}
