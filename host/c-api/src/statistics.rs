//! `WasmEdge_StatisticsContext`: instruction count, gas (total cost), its limit and cost table, and the
//! time spent in wasm. An executor or VM copies its run's counters here after each invocation.

use std::time::Duration;

use crate::ffi::{self, capi};

/// WasmEdge's cost table has an entry per 16-bit opcode; our engine charges by the first byte of the
/// encoding, so a table's first 256 entries are used (prefixed instructions cost their prefix byte's
/// entry).
pub const COST_TABLE_LEN: usize = 256;

/// `WasmEdge_StatisticsContext`.
#[derive(Clone, Debug)]
pub struct Statistics {
    pub instr_count: u64,
    pub total_cost: u64,
    pub wasm_time: Duration,
    pub cost_limit: u64,
    /// `None`: every instruction costs 1.
    pub cost_table: Option<Box<[u64; COST_TABLE_LEN]>>,
}

impl Default for Statistics {
    fn default() -> Self {
        Statistics { instr_count: 0, total_cost: 0, wasm_time: Duration::ZERO, cost_limit: u64::MAX, cost_table: None }
    }
}

impl Statistics {
    /// Instructions per second of wasm time (NaN or infinity when no time was measured, as WasmEdge's
    /// division gives).
    pub fn instr_per_second(&self) -> f64 {
        self.instr_count as f64 / self.wasm_time.as_secs_f64()
    }

    /// Gas metering settings for a run under these statistics.
    pub fn apply(&self, config: &mut wasmedge_host::Config) {
        if let Some(table) = &self.cost_table {
            config.cost_table(**table);
        }
        if self.cost_limit != u64::MAX {
            config.gas_limit(self.cost_limit);
        }
    }
}

capi! {
    fn WasmEdge_StatisticsCreate() -> *mut Statistics {
        ffi::into_raw(Statistics::default())
    }
    fn WasmEdge_StatisticsGetInstrCount(cxt: *const Statistics) -> u64 {
        ffi::get(cxt).map_or(0, |s| s.instr_count)
    }
    fn WasmEdge_StatisticsGetInstrPerSecond(cxt: *const Statistics) -> f64 {
        ffi::get(cxt).map_or(0.0, |s| s.instr_per_second())
    }
    fn WasmEdge_StatisticsGetTotalCost(cxt: *const Statistics) -> u64 {
        ffi::get(cxt).map_or(0, |s| s.total_cost)
    }
    /// Entries past `len` cost 0, as in WasmEdge.
    fn WasmEdge_StatisticsSetCostTable(cxt: *mut Statistics, costs: *mut u64, len: u32) {
        if let Some(s) = ffi::get_mut(cxt) {
            let given = ffi::slice(costs.cast_const(), len);
            let mut table = Box::new([0u64; COST_TABLE_LEN]);
            let n = given.len().min(COST_TABLE_LEN);
            table[..n].copy_from_slice(&given[..n]);
            s.cost_table = Some(table);
        }
    }
    fn WasmEdge_StatisticsSetCostLimit(cxt: *mut Statistics, limit: u64) {
        if let Some(s) = ffi::get_mut(cxt) {
            s.cost_limit = limit;
        }
    }
    /// Resets the counters and time; the table and limit stay.
    fn WasmEdge_StatisticsClear(cxt: *mut Statistics) {
        if let Some(s) = ffi::get_mut(cxt) {
            s.instr_count = 0;
            s.total_cost = 0;
            s.wasm_time = Duration::ZERO;
        }
    }
    fn WasmEdge_StatisticsDelete(cxt: *mut Statistics) {
        ffi::delete(cxt)
    }
}
