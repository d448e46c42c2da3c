//! The ONNX backend (encoding 1) on tract. WasmEdge's own ONNX backend is a stub that fails every call; this
//! one runs the model.
//!
//! - **`load`**: builder 0 holds the model bytes (the whole `.onnx` file; external data is refused, since
//!   there is no model directory to resolve it against). Further builders are ignored, so that
//!   `load_by_name_with_config`, which appends its config as the last builder, works on an ONNX preload. The
//!   model is parsed and, when every input has a known type and rank, optimized into one runnable plan at load
//!   time, shared by every context of the graph (`Arc`, never copied). Input dimensions that are symbolic
//!   (`dim_param`, e.g. a batch `N`) or missing stay symbols in that plan, which tract resolves from the input
//!   shapes at each run. An input of unknown type or rank, or a model tract cannot optimize with symbolic
//!   dimensions, is planned instead at `compute`, for the concrete input types and shapes, and the plans are
//!   cached on the graph by those (up to [`PLANS_PER_GRAPH`], shared by its contexts).
//!   Some models need the *values* of small inputs to be planned — a shape, axes or sizes passed as an input
//!   rather than stored in the model, or a sample rate that an `If` branches on (Silero VAD). When planning
//!   for the shapes fails and the model has numeric inputs of at most [`VALUE_INPUT_MAX`] elements, the plan
//!   is made with those inputs' values fixed, and cached by the values too.
//! - **Errors**: malformed model → `InvalidArgument` with tract's text; operators tract does not implement →
//!   `InvalidArgument` naming them (`unsupported ONNX operator(s): Det, Unique`) followed by tract's text.
//! - **`set_input(index, tensor)`**: input `index` in the model's input order. Its type and each known
//!   dimension must match the model's declaration (`InvalidArgument` with expected vs got otherwise), and the
//!   data must be exactly `product(dims) × element size` bytes, little-endian. As the core rejects F64 and I64
//!   (as WasmEdge does), an input declared I64 takes I32 data and one declared F64 takes F32 data, widened
//!   losslessly; one declared bool takes U8 data of 0s and 1s.
//! - **`compute`**: every input must be set (`InvalidArgument` naming the missing indices); tract's failures
//!   while running are `RuntimeError`. **`get_output(index)`**: the output's raw little-endian bytes,
//!   whatever its type (bool as one byte 0/1; an output of string or other non-numeric type is an error).
//!   Outputs stay readable until the next `compute`.
//! - A panic inside tract is caught and reported as an error of the call rather than unwinding into the
//!   runtime.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use tract_onnx::prelude::{
    DatumType, Framework as _, InferenceFact, InferenceModel, InferenceModelExt as _, IntoRunnable as _,
    IntoTValue as _, IntoTensor, TDim, TValue, TVec, Tensor as TractTensor, TractResult, TypedSimplePlan, f16,
};
use tract_onnx::tract_hir::infer::{Factoid as _, GenericFactoid};

use crate::backend::{Backend, ErrNo, Error, ExecutionContext, Graph, Result, Target, Tensor, TensorType};

/// How many concrete-shape plans a graph planned at `compute` keeps (a guest cycling through more shapes
/// replans; the cache is then emptied and refilled).
pub const PLANS_PER_GRAPH: usize = 16;

/// The largest input whose values a plan may be made for (see the module's documentation).
pub const VALUE_INPUT_MAX: usize = 64;

/// The ONNX backend.
pub struct OnnxBackend;

impl Backend for OnnxBackend {
    fn load(&self, builders: &[Vec<u8>], _target: Target) -> Result<Arc<dyn Graph>> {
        let Some(bytes) = builders.first() else {
            return Err(invalid("load: no builder; builder 0 must hold the ONNX model bytes"));
        };
        let model = guard(ErrNo::InvalidArgument, "load", || Model::load(bytes))?;
        Ok(Arc::new(OnnxGraph { model: Arc::new(model) }))
    }
}

/// A model input as the model declares it.
struct InputSpec {
    name: String,
    /// The element type, when declared.
    datum_type: Option<DatumType>,
    /// The dimensions when the rank is declared: each a size, or `None` for a symbolic or unknown one.
    dims: Option<Vec<Option<usize>>>,
    /// The declared shape for messages, e.g. `[N,3]`, `[?,3]`, `unknown`.
    shape_text: String,
}

impl InputSpec {
    fn from_fact(name: String, fact: &InferenceFact) -> InputSpec {
        let datum_type = fact.datum_type.concretize();
        if fact.shape.is_open() {
            return InputSpec { name, datum_type, dims: None, shape_text: "unknown".into() };
        }
        let dims: Vec<Option<usize>> = fact
            .shape
            .dims()
            .map(|d| d.concretize().and_then(|d| d.to_i64().ok()).and_then(|d| usize::try_from(d).ok()))
            .collect();
        let texts: Vec<String> = fact
            .shape
            .dims()
            .map(|d| match d {
                GenericFactoid::Only(d) => d.to_string(),
                GenericFactoid::Any => "?".to_string(),
            })
            .collect();
        InputSpec { name, datum_type, dims: Some(dims), shape_text: format!("[{}]", texts.join(",")) }
    }

    fn describe(&self, index: usize) -> String {
        format!("input {index} (\"{}\")", self.name)
    }
}

/// The element types and shapes of a run's inputs, and the values of those a plan was made for.
/// (Values as bits: integers and bools widened to `i64`, floats to `f64`.)
type InputShapes = Vec<(DatumType, Vec<usize>, Option<Vec<u64>>)>;

/// Whether an input of this type and element count may have its values fixed in a plan.
fn is_value_input(dt: DatumType, len: Option<usize>) -> bool {
    (dt.is_integer() || dt.is_float() || dt == DatumType::Bool) && len.is_none_or(|n| n <= VALUE_INPUT_MAX)
}

/// The values of a small input, as bits (for a plan cache key).
fn value_bits(t: &TractTensor) -> Option<Vec<u64>> {
    if t.datum_type().is_float() {
        let v = t.cast_to::<f64>().ok()?;
        Some(v.to_plain_array_view::<f64>().ok()?.iter().map(|x| x.to_bits()).collect())
    } else {
        let v = t.cast_to::<i64>().ok()?;
        Some(v.to_plain_array_view::<i64>().ok()?.iter().map(|&x| x as u64).collect())
    }
}

/// How a graph runs.
enum Plan {
    /// One plan, made at load, for every input shape the declaration admits.
    Ready(Arc<TypedSimplePlan>),
    /// Plans made at `compute` for the concrete input types and shapes (and, where needed, the values of
    /// small inputs), cached by them.
    PerShape { model: Box<InferenceModel>, plans: Mutex<Plans> },
}

/// The plans of a [`Plan::PerShape`] graph.
#[derive(Default)]
struct Plans {
    plans: HashMap<InputShapes, Arc<TypedSimplePlan>>,
    /// Input shapes for which only a plan with values fixed works.
    by_value: std::collections::HashSet<InputShapes>,
}

/// A loaded model, shared by its graph and every context on it.
struct Model {
    inputs: Vec<InputSpec>,
    outputs: Vec<String>,
    plan: Plan,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrNo::InvalidArgument, format!("ONNX backend: {}", message.into()))
}

/// Run `f`, turning a panic (from tract, on a model or input it did not expect) into an error with `code`.
fn guard<T>(code: ErrNo, what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let text = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(Error::new(code, format!("ONNX backend: {what}: tract panicked: {text}")))
    })
}

fn optimize(model: InferenceModel) -> TractResult<Arc<TypedSimplePlan>> {
    model.into_optimized()?.into_runnable()
}

impl Model {
    fn load(bytes: &[u8]) -> Result<Model> {
        let mut model = tract_onnx::onnx()
            .model_for_read(&mut &bytes[..])
            .map_err(|e| invalid(format!("load: not a valid ONNX model: {e:#}")))?;

        // tract parses operators it does not implement into placeholders that fail later, at typing: name
        // them now.
        let mut unsupported: Vec<String> = Vec::new();
        for node in model.nodes() {
            let name = node.op.name();
            if let Some(op) = name.strip_prefix("Unimplemented(").and_then(|s| s.strip_suffix(')'))
                && !unsupported.iter().any(|u| u == op)
            {
                unsupported.push(op.to_string());
            }
        }
        if !unsupported.is_empty() {
            let tract = match model.clone().into_typed() {
                Err(e) => format!(" (tract: {e:#})"),
                Ok(_) => String::new(),
            };
            return Err(invalid(format!("load: unsupported ONNX operator(s): {}{tract}", unsupported.join(", "))));
        }

        let model_error = |e: tract_onnx::prelude::TractError| invalid(format!("load: {e:#}"));
        let input_count = model.input_outlets().map_err(model_error)?.len();
        let mut inputs = Vec::with_capacity(input_count);
        for ix in 0..input_count {
            let outlet = model.input_outlets().map_err(model_error)?[ix];
            let name = model.node(outlet.node).name.clone();
            inputs.push(InputSpec::from_fact(name, model.input_fact(ix).map_err(model_error)?));
        }
        let outputs = model
            .output_outlets()
            .map_err(model_error)?
            .iter()
            .map(|o| model.outlet_label(*o).map(str::to_string).unwrap_or_else(|| model.node(o.node).name.clone()))
            .collect();

        // A dimension declared without a size or name becomes a symbol of its own, so that the load-time plan
        // admits any size there.
        for (ix, spec) in inputs.iter().enumerate() {
            let Some(dims) = &spec.dims else { continue };
            for (axis, _) in dims.iter().enumerate().filter(|(_, d)| d.is_none()) {
                let fact = model.input_fact(ix).map_err(model_error)?;
                if fact.shape.dim(axis).is_some_and(|d| d.concretize().is_none()) {
                    let symbol = model.symbols.new_with_prefix(&format!("wasi_nn_in{ix}_dim{axis}_"));
                    model.input_fact_mut(ix).map_err(model_error)?.shape.set_dim(axis, TDim::from(symbol));
                }
            }
        }

        let typed = inputs.iter().all(|s| s.datum_type.is_some() && s.dims.is_some());
        let concrete = typed && inputs.iter().all(|s| s.dims.as_ref().is_some_and(|d| d.iter().all(Option::is_some)));
        // Inputs whose values could be fixed at `compute` if the shapes alone do not make a plan.
        let value_inputs = inputs.iter().any(|s| {
            let len = s.dims.as_ref().and_then(|d| d.iter().try_fold(1usize, |n, d| n.checked_mul((*d)?)));
            s.datum_type.is_none_or(|dt| is_value_input(dt, len))
        });
        let per_shape = |model| Plan::PerShape { model: Box::new(model), plans: Mutex::new(Plans::default()) };
        let cannot = |e: tract_onnx::prelude::TractError| invalid(format!("load: the model cannot be planned: {e:#}"));
        let plan = if concrete && value_inputs {
            // Kept for planning by value at `compute` if the shapes alone fail.
            match optimize(model.clone()) {
                Ok(plan) => Plan::Ready(plan),
                Err(_) => per_shape(model),
            }
        } else if concrete {
            Plan::Ready(optimize(model).map_err(cannot)?)
        } else if let Some(plan) = typed.then(|| optimize(model.clone()).ok()).flatten() {
            Plan::Ready(plan)
        } else {
            per_shape(model)
        };
        Ok(Model { inputs, outputs, plan })
    }

    /// The plan that runs `inputs`.
    fn plan_for(&self, inputs: &[TValue]) -> Result<Arc<TypedSimplePlan>> {
        let (model, plans) = match &self.plan {
            Plan::Ready(plan) => return Ok(plan.clone()),
            Plan::PerShape { model, plans } => (model, plans),
        };
        let shapes: InputShapes = inputs.iter().map(|t| (t.datum_type(), t.shape().to_vec(), None)).collect();
        let mut plans = plans.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let by_value = plans.by_value.contains(&shapes);
        let with_values = || -> InputShapes {
            inputs
                .iter()
                .map(|t| {
                    let values = is_value_input(t.datum_type(), Some(t.len())).then(|| value_bits(t)).flatten();
                    (t.datum_type(), t.shape().to_vec(), values)
                })
                .collect()
        };
        let key = if by_value { with_values() } else { shapes.clone() };
        if let Some(plan) = plans.plans.get(&key) {
            return Ok(plan.clone());
        }
        let text: Vec<String> = shapes.iter().map(|(dt, shape, _)| format!("{dt:?}{shape:?}")).collect();
        let cannot = |e: tract_onnx::prelude::TractError| {
            invalid(format!("compute: the model cannot be planned for inputs {}: {e:#}", text.join(", ")))
        };
        let plan_with = |key: &InputShapes| -> TractResult<Arc<TypedSimplePlan>> {
            let mut model = InferenceModel::clone(model);
            for (ix, (dt, shape, values)) in key.iter().enumerate() {
                let fact = match values {
                    Some(_) => InferenceFact::from(IntoTensor::into_tensor(inputs[ix].clone())),
                    None => InferenceFact::dt_shape(*dt, shape.as_slice()),
                };
                model.set_input_fact(ix, fact)?;
            }
            optimize(model)
        };
        let cannot_valued = |e| {
            let mut err = cannot(e);
            err.message.push_str(" (planned with the values of its small inputs fixed, too)");
            err
        };
        let (key, plan) = if by_value {
            let plan = plan_with(&key).map_err(cannot_valued)?;
            (key, plan)
        } else {
            match plan_with(&key) {
                Ok(plan) => (key, plan),
                Err(e) => {
                    let valued = with_values();
                    if valued == shapes {
                        return Err(cannot(e));
                    }
                    let plan = plan_with(&valued).map_err(cannot_valued)?;
                    plans.by_value.insert(shapes);
                    (valued, plan)
                }
            }
        };
        if plans.plans.len() >= PLANS_PER_GRAPH {
            plans.plans.clear();
            plans.by_value.clear();
        }
        plans.plans.insert(key, plan.clone());
        Ok(plan)
    }
}

/// A loaded ONNX graph.
struct OnnxGraph {
    model: Arc<Model>,
}

impl Graph for OnnxGraph {
    fn init_execution_context(&self) -> Result<Box<dyn ExecutionContext>> {
        Ok(Box::new(OnnxContext {
            inputs: vec![None; self.model.inputs.len()],
            outputs: None,
            model: self.model.clone(),
        }))
    }
}

/// One context: its inputs and the outputs of its last `compute`.
struct OnnxContext {
    model: Arc<Model>,
    inputs: Vec<Option<TValue>>,
    outputs: Option<TVec<TValue>>,
}

fn datum_type_of(ty: TensorType) -> DatumType {
    match ty {
        TensorType::F16 => DatumType::F16,
        TensorType::F32 => DatumType::F32,
        TensorType::F64 => DatumType::F64,
        TensorType::U8 => DatumType::U8,
        TensorType::I32 => DatumType::I32,
        TensorType::I64 => DatumType::I64,
    }
}

fn element_size(ty: TensorType) -> usize {
    match ty {
        TensorType::U8 => 1,
        TensorType::F16 => 2,
        TensorType::F32 | TensorType::I32 => 4,
        TensorType::F64 | TensorType::I64 => 8,
    }
}

/// Decode little-endian `data` into elements of `N` bytes each.
fn decode<const N: usize, T>(data: &[u8], f: impl Fn([u8; N]) -> T) -> Vec<T> {
    data.chunks_exact(N).map(|c| f(c.try_into().expect("chunks_exact yields N bytes"))).collect()
}

/// The tract tensor of `target` type for the guest's little-endian `data` of type `ty` (whose length the
/// caller checked).
fn to_tract(ty: TensorType, target: DatumType, shape: &[usize], data: &[u8]) -> TractResult<TractTensor> {
    match (ty, target) {
        (TensorType::F16, _) => {
            TractTensor::from_shape(shape, &decode(data, |b| f16::from_bits(u16::from_le_bytes(b))))
        }
        (TensorType::F32, DatumType::F64) => {
            TractTensor::from_shape(shape, &decode(data, |b| f32::from_le_bytes(b) as f64))
        }
        (TensorType::F32, _) => TractTensor::from_shape(shape, &decode(data, f32::from_le_bytes)),
        (TensorType::F64, _) => TractTensor::from_shape(shape, &decode(data, f64::from_le_bytes)),
        (TensorType::U8, DatumType::Bool) => {
            if let Some(bad) = data.iter().find(|&&b| b > 1) {
                tract_onnx::prelude::tract_data::internal::bail!(
                    "the model takes bool here; U8 data must be 0 or 1, got {bad}"
                );
            }
            TractTensor::from_shape(shape, &data.iter().map(|&b| b == 1).collect::<Vec<bool>>())
        }
        (TensorType::U8, _) => TractTensor::from_shape(shape, data),
        (TensorType::I32, DatumType::I64) => {
            TractTensor::from_shape(shape, &decode(data, |b| i32::from_le_bytes(b) as i64))
        }
        (TensorType::I32, _) => TractTensor::from_shape(shape, &decode(data, i32::from_le_bytes)),
        (TensorType::I64, _) => TractTensor::from_shape(shape, &decode(data, i64::from_le_bytes)),
    }
}

/// The raw little-endian bytes of a tract tensor (row-major; bool as one byte 0/1).
fn le_bytes(tensor: &TractTensor) -> std::result::Result<Vec<u8>, String> {
    let owned;
    let tensor = if tensor.has_plain_ram_storage() {
        tensor
    } else {
        owned = tensor.clone().into_plain_ram().map_err(|e| format!("{e:#}"))?;
        &owned
    };
    let view = tensor.try_as_plain_ram().map_err(|e| format!("{e:#}"))?;
    macro_rules! le {
        ($t:ty) => {
            view.as_slice::<$t>().map_err(|e| format!("{e:#}"))?.iter().flat_map(|v| v.to_le_bytes()).collect()
        };
    }
    Ok(match tensor.datum_type().unquantized() {
        DatumType::Bool => view.as_slice::<bool>().map_err(|e| format!("{e:#}"))?.iter().map(|&b| b as u8).collect(),
        DatumType::U8 => le!(u8),
        DatumType::U16 => le!(u16),
        DatumType::U32 => le!(u32),
        DatumType::U64 => le!(u64),
        DatumType::I8 => le!(i8),
        DatumType::I16 => le!(i16),
        DatumType::I32 => le!(i32),
        DatumType::I64 => le!(i64),
        DatumType::F16 => view
            .as_slice::<f16>()
            .map_err(|e| format!("{e:#}"))?
            .iter()
            .flat_map(|v| v.to_bits().to_le_bytes())
            .collect(),
        DatumType::F32 => le!(f32),
        DatumType::F64 => le!(f64),
        DatumType::TDim => {
            let ints = tensor.cast_to::<i64>().map_err(|e| format!("{e:#}"))?;
            le_bytes(&ints)?
        }
        dt => return Err(format!("it is of type {dt:?}, which has no byte representation")),
    })
}

impl ExecutionContext for OnnxContext {
    fn set_input(&mut self, index: u32, tensor: Tensor) -> Result<()> {
        let count = self.model.inputs.len();
        let Some(spec) = self.model.inputs.get(index as usize) else {
            return Err(invalid(format!(
                "set_input: input index {index} out of range: the model has {count} input(s)"
            )));
        };
        let what = spec.describe(index as usize);
        let got = datum_type_of(tensor.ty);
        let target = match spec.datum_type {
            None => got,
            Some(expected) if expected == got => got,
            Some(DatumType::I64) if got == DatumType::I32 => DatumType::I64,
            Some(DatumType::F64) if got == DatumType::F32 => DatumType::F64,
            Some(DatumType::Bool) if got == DatumType::U8 => DatumType::Bool,
            Some(expected) => {
                return Err(invalid(format!("set_input: {what}: expected type {expected:?}, got {:?}", tensor.ty)));
            }
        };
        if let Some(dims) = &spec.dims {
            let fits = dims.len() == tensor.dims.len()
                && dims.iter().zip(&tensor.dims).all(|(want, &got)| want.is_none_or(|w| w == got as usize));
            if !fits {
                return Err(invalid(format!(
                    "set_input: {what}: expected shape {}, got {:?}",
                    spec.shape_text, tensor.dims
                )));
            }
        }
        let shape: Vec<usize> = tensor.dims.iter().map(|&d| d as usize).collect();
        let needed = shape.iter().try_fold(element_size(tensor.ty), |n, &d| n.checked_mul(d));
        if needed != Some(tensor.data.len()) {
            let (dims, ty, got) = (&tensor.dims, tensor.ty, tensor.data.len());
            return Err(invalid(match needed {
                Some(n) => format!("set_input: {what}: dims {dims:?} of {ty:?} need {n} bytes of data, got {got}"),
                None => format!("set_input: {what}: dims {dims:?} of {ty:?} are too large (got {got} bytes of data)"),
            }));
        }
        let value = to_tract(tensor.ty, target, &shape, &tensor.data)
            .map_err(|e| invalid(format!("set_input: {what}: {e:#}")))?;
        self.inputs[index as usize] = Some(value.into_tvalue());
        Ok(())
    }

    fn compute(&mut self) -> Result<()> {
        let missing: Vec<String> = self
            .inputs
            .iter()
            .enumerate()
            .filter(|(_, t)| t.is_none())
            .map(|(ix, _)| format!("{ix} (\"{}\")", self.model.inputs[ix].name))
            .collect();
        if !missing.is_empty() {
            return Err(invalid(format!("compute: input {} not set", missing.join(", "))));
        }
        let inputs: TVec<TValue> = self.inputs.iter().flatten().cloned().collect();
        self.outputs = None;
        let model = &self.model;
        let plan = guard(ErrNo::InvalidArgument, "compute", || model.plan_for(&inputs))?;
        let outputs = guard(ErrNo::RuntimeError, "compute", || {
            plan.run(inputs).map_err(|e| Error::new(ErrNo::RuntimeError, format!("ONNX backend: compute: {e:#}")))
        })?;
        self.outputs = Some(outputs);
        Ok(())
    }

    fn get_output(&mut self, index: u32) -> Result<Vec<u8>> {
        let count = self.model.outputs.len();
        if index as usize >= count {
            return Err(invalid(format!(
                "get_output: output index {index} out of range: the model has {count} output(s)"
            )));
        }
        let Some(outputs) = &self.outputs else {
            return Err(invalid("get_output: no outputs: compute has not run (or failed) on this context"));
        };
        let tensor = outputs.get(index as usize).ok_or_else(|| {
            invalid(format!("get_output: output index {index} out of range: the run produced {}", outputs.len()))
        })?;
        le_bytes(tensor).map_err(|e| {
            invalid(format!("get_output: output {index} (\"{}\"): {e}", self.model.outputs[index as usize]))
        })
    }
}
