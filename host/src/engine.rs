//! The engine: a configuration shared by modules and stores, and the registry of function types.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::config::Config;
use crate::types::FuncType;

/// Holds a [`Config`] and what all modules of that config share. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

struct EngineInner {
    config: Config,
    /// Structural function types → small ids, so `call_indirect` compares two integers.
    types: Mutex<HashMap<FuncType, u32>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("config", &self.inner.config).finish()
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(Config::default())
    }
}

impl Engine {
    /// An engine with this configuration.
    pub fn new(config: Config) -> Self {
        Engine { inner: Arc::new(EngineInner { config, types: Mutex::new(HashMap::new()) }) }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The engine-wide id of a function type: equal ids mean structurally equal types.
    pub(crate) fn intern_type(&self, ty: &FuncType) -> u32 {
        let mut types = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        let next = types.len() as u32;
        *types.entry(ty.clone()).or_insert(next)
    }

    /// Whether `other` is a handle to this same engine (not merely one with an equal configuration).
    pub fn same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}
