//! A guest's `wasi_ephemeral_nn` state: its graphs and execution contexts (two handle tables), the cache
//! of graphs loaded by name, and its `--nn-preload` entries.
//!
//! Handles follow WasmEdge's current design (its `ResourceTable`), which is stricter than 0.15's recycled
//! vector indices: ids count up from 0 in each table and are never reused, a failed load consumes none, a
//! context holds its graph alive, and `unload` only removes the graph's handle (the contexts on it can
//! still be drained and finalized, but no longer set inputs or compute).

use std::collections::HashMap;
use std::sync::Arc;

use crate::backend::{Backend, Encoding, ErrNo, Error, ExecutionContext, Graph, Result, Target};
use crate::log;
use crate::preload::Preloads;

/// Picks the backend for an encoding, given the builders (for `autodetect`): [`crate::abi::backend_for`].
pub type Dispatch = fn(Encoding, &[Vec<u8>]) -> Result<&'static dyn Backend>;

/// What an accelerator target logs: everything runs on the CPU here.
pub const NO_ACCELERATOR: &str = "no GPU/TPU here: running on the CPU";

/// A table of handles: ids from 0, never reused.
struct Table<T> {
    entries: HashMap<u32, T>,
    next: u32,
}

impl<T> Table<T> {
    fn new() -> Self {
        Table { entries: HashMap::new(), next: 0 }
    }

    /// Whether another handle can be made (ids stop short of `u32::MAX`, as WasmEdge's).
    fn has_room(&self) -> bool {
        self.next < u32::MAX
    }

    fn insert(&mut self, value: T) -> Option<u32> {
        if !self.has_room() {
            return None;
        }
        let id = self.next;
        self.next += 1;
        self.entries.insert(id, value);
        Some(id)
    }
}

/// A loaded graph and the preload name it was loaded by, if any.
struct GraphEntry {
    graph: Arc<dyn Graph>,
    name: Option<Vec<u8>>,
}

/// An execution context, the id of its graph and a hold on the graph (which outlives the handle).
struct ContextEntry {
    // Dropped first: the backend's context goes before the graph it may point into.
    context: Box<dyn ExecutionContext>,
    graph_id: u32,
    _graph: Arc<dyn Graph>,
}

/// Which operations a context admits once its graph has been unloaded (WasmEdge's op tiers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admit {
    /// `set_input`, `compute`, `compute_single`: only while the graph is loaded.
    Loaded,
    /// `get_output`, `get_output_single`, `fini_single`: any time (draining after `unload`).
    Any,
}

/// Everything one guest has loaded.
pub struct NnState {
    graphs: Table<GraphEntry>,
    contexts: Table<ContextEntry>,
    /// Name → id of the graph `load_by_name*` built for it.
    names: HashMap<Vec<u8>, u32>,
    preloads: Preloads,
    dispatch: Dispatch,
}

impl NnState {
    /// A guest's empty state with its preload entries, choosing backends with `dispatch`.
    pub fn new(preloads: Preloads, dispatch: Dispatch) -> Self {
        NnState { graphs: Table::new(), contexts: Table::new(), names: HashMap::new(), preloads, dispatch }
    }

    /// Load a graph from `builders` (`load`, and `load_by_name*` on a cache miss with the preload's
    /// `name`): its new id. A failure leaves no trace.
    pub fn load(
        &mut self,
        encoding: Encoding,
        target: Target,
        builders: &[Vec<u8>],
        name: Option<&[u8]>,
    ) -> Result<u32> {
        let backend = (self.dispatch)(encoding, builders)?;
        if !self.graphs.has_room() {
            return Err(Error::new(ErrNo::RuntimeError, "load: graph handle space is exhausted."));
        }
        if matches!(target, Target::Gpu | Target::Tpu) {
            log(NO_ACCELERATOR);
        }
        let graph = backend.load(builders, target)?;
        let entry = GraphEntry { graph, name: name.map(<[u8]>::to_vec) };
        self.graphs
            .insert(entry)
            .ok_or_else(|| Error::new(ErrNo::RuntimeError, "load: graph handle space is exhausted."))
    }

    /// The graph `--nn-preload` entry `name` stands for: the cached one, else one built now (with `config`
    /// appended to its builders when non-empty) and cached if the build succeeds. On a cache hit `config`
    /// is ignored, as in WasmEdge. A name that was not preloaded is `NotFound`, with no log line.
    pub fn load_by_name(&mut self, name: &[u8], config: &[u8]) -> Result<u32> {
        if let Some(&id) = self.names.get(name)
            && self.graphs.entries.contains_key(&id)
        {
            return Ok(id);
        }
        let Some(preload) = self.preloads.get(name) else {
            return Err(Error::quiet(ErrNo::NotFound));
        };
        let (encoding, target) = (preload.encoding, preload.target);
        let mut builders = preload.builders();
        if !config.is_empty() {
            builders.push(config.to_vec());
        }
        let id = self.load(encoding, target, &builders, Some(name))?;
        self.names.insert(name.to_vec(), id);
        Ok(id)
    }

    /// A new execution context on graph `graph_id`: its id.
    pub fn init_execution_context(&mut self, graph_id: u32) -> Result<u32> {
        let Some(entry) = self.graphs.entries.get(&graph_id) else {
            return Err(Error::new(
                ErrNo::InvalidArgument,
                format!("init_execution_context: Graph ID {graph_id} does not exist or is unloaded."),
            ));
        };
        if !self.contexts.has_room() {
            return Err(Error::new(ErrNo::RuntimeError, "init_execution_context: context handle space is exhausted."));
        }
        let graph = entry.graph.clone();
        let context = graph.init_execution_context()?;
        self.contexts.insert(ContextEntry { context, graph_id, _graph: graph }).ok_or_else(|| {
            Error::new(ErrNo::RuntimeError, "init_execution_context: context handle space is exhausted.")
        })
    }

    /// Context `ctx_id` for operation `op` (the function's name, for the messages).
    pub fn context(&mut self, op: &str, ctx_id: u32, admit: Admit) -> Result<&mut dyn ExecutionContext> {
        let Some(entry) = self.contexts.entries.get_mut(&ctx_id) else {
            return Err(Error::new(ErrNo::InvalidArgument, format!("{op}: Context ID {ctx_id} does not exist.")));
        };
        if admit == Admit::Loaded && !self.graphs.entries.contains_key(&entry.graph_id) {
            return Err(Error::new(
                ErrNo::InvalidArgument,
                format!("{op}: Graph ID {} for context ID {ctx_id} does not exist or has released.", entry.graph_id),
            ));
        }
        Ok(entry.context.as_mut())
    }

    /// Remove graph `graph_id`'s handle and its name-cache entry. The model lives on in its contexts.
    pub fn unload(&mut self, graph_id: u32) -> Result<()> {
        let Some(entry) = self.graphs.entries.remove(&graph_id) else {
            return Err(Error::new(
                ErrNo::InvalidArgument,
                format!("unload: Graph ID {graph_id} does not exist or is unloaded."),
            ));
        };
        if let Some(name) = entry.name
            && self.names.get(&name) == Some(&graph_id)
        {
            self.names.remove(&name);
        }
        Ok(())
    }

    /// Remove context `ctx_id`.
    pub fn finalize_execution_context(&mut self, ctx_id: u32) -> Result<()> {
        match self.contexts.entries.remove(&ctx_id) {
            Some(_) => Ok(()),
            None => Err(Error::new(
                ErrNo::InvalidArgument,
                format!("finalize_execution_context: Context ID {ctx_id} does not exist."),
            )),
        }
    }

    /// How many graphs and contexts are open.
    pub fn counts(&self) -> (usize, usize) {
        (self.graphs.entries.len(), self.contexts.entries.len())
    }

    /// The preload entries.
    pub fn preloads(&self) -> &Preloads {
        &self.preloads
    }

    /// Make the next ids `graph` and `context` (to test exhaustion without four billion loads).
    #[cfg(test)]
    pub(crate) fn set_next_ids(&mut self, graph: u32, context: u32) {
        self.graphs.next = graph;
        self.contexts.next = context;
    }
}
