//! Value types and values: `WasmEdge_ValType` (8 bytes, WasmEdge's encoding) and `WasmEdge_Value` (a
//! 128-bit payload and its type, 32 bytes).

use std::ffi::c_void;

use crate::ffi::{self, capi};

/// WasmEdge's type codes (the binary format's bytes).
pub mod tc {
    pub const I32: u8 = 0x7F;
    pub const I64: u8 = 0x7E;
    pub const F32: u8 = 0x7D;
    pub const F64: u8 = 0x7C;
    pub const V128: u8 = 0x7B;
    pub const FUNC_REF: u8 = 0x70;
    pub const EXTERN_REF: u8 = 0x6F;
    pub const REF: u8 = 0x64;
    pub const REF_NULL: u8 = 0x63;
    pub const EPSILON: u8 = 0x40;
}

/// `WasmEdge_ValType`: byte 1 "externalized", byte 2 the type code, byte 3 the heap type code (for
/// references), bytes 4-7 a type index; byte 0 is padding.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
#[allow(non_camel_case_types)]
pub struct WasmEdge_ValType {
    pub data: [u8; 8],
}

impl WasmEdge_ValType {
    const fn new(code: u8, heap: u8) -> Self {
        WasmEdge_ValType { data: [0, 0, code, heap, 0, 0, 0, 0] }
    }

    pub fn code(self) -> u8 {
        self.data[2]
    }

    pub(crate) fn heap(self) -> u8 {
        self.data[3]
    }

    /// The same type (padding ignored).
    pub fn same(self, other: WasmEdge_ValType) -> bool {
        self.data[1..] == other.data[1..]
    }

    pub fn is_ref(self) -> bool {
        matches!(self.code(), tc::REF | tc::REF_NULL)
    }

    /// Our engine's type, or `None` for types it does not have (typed and GC references).
    pub fn to_host(self) -> Option<wasmedge_host::ValType> {
        use wasmedge_host::ValType as V;
        Some(match (self.code(), self.heap()) {
            (tc::I32, _) => V::I32,
            (tc::I64, _) => V::I64,
            (tc::F32, _) => V::F32,
            (tc::F64, _) => V::F64,
            (tc::V128, _) => V::V128,
            (tc::REF_NULL, tc::FUNC_REF) => V::FuncRef,
            (tc::REF_NULL, tc::EXTERN_REF) => V::ExternRef,
            _ => return None,
        })
    }

    pub fn from_host(ty: wasmedge_host::ValType) -> Self {
        use wasmedge_host::ValType as V;
        match ty {
            V::I32 => I32,
            V::I64 => I64,
            V::F32 => F32,
            V::F64 => F64,
            V::V128 => V128,
            V::FuncRef => FUNC_REF,
            V::ExternRef => EXTERN_REF,
        }
    }
}

impl ffi::Fallback for WasmEdge_ValType {
    fn fallback() -> Self {
        WasmEdge_ValType::default()
    }
}

pub const I32: WasmEdge_ValType = WasmEdge_ValType::new(tc::I32, tc::EPSILON);
pub const I64: WasmEdge_ValType = WasmEdge_ValType::new(tc::I64, tc::EPSILON);
pub const F32: WasmEdge_ValType = WasmEdge_ValType::new(tc::F32, tc::EPSILON);
pub const F64: WasmEdge_ValType = WasmEdge_ValType::new(tc::F64, tc::EPSILON);
pub const V128: WasmEdge_ValType = WasmEdge_ValType::new(tc::V128, tc::EPSILON);
/// `funcref` is `(ref null func)`, as in WasmEdge.
pub const FUNC_REF: WasmEdge_ValType = WasmEdge_ValType::new(tc::REF_NULL, tc::FUNC_REF);
pub const EXTERN_REF: WasmEdge_ValType = WasmEdge_ValType::new(tc::REF_NULL, tc::EXTERN_REF);

/// Whether `t` is a function reference type (nullable or not).
pub fn is_func_ref(t: WasmEdge_ValType) -> bool {
    t.is_ref() && t.heap() == tc::FUNC_REF
}

/// `WasmEdge_Value`. A reference keeps its type's 8 bytes in the low half of `value` and its pointer in
/// the high half, as WasmEdge does; a null reference has a null pointer.
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct WasmEdge_Value {
    pub value: u128,
    pub ty: WasmEdge_ValType,
}

impl ffi::Fallback for WasmEdge_Value {
    fn fallback() -> Self {
        WasmEdge_Value { value: 0, ty: I32 }
    }
}

impl WasmEdge_Value {
    pub fn new(value: u128, ty: WasmEdge_ValType) -> Self {
        WasmEdge_Value { value, ty }
    }

    /// A reference value of type `ty` pointing at `ptr` (null: a null reference).
    pub fn reference(ty: WasmEdge_ValType, ptr: *const c_void) -> Self {
        let low = u64::from_le_bytes(ty.data) as u128;
        WasmEdge_Value { value: low | ((ptr as usize as u128) << 64), ty }
    }

    /// The pointer of a reference value.
    pub fn ref_ptr(self) -> *mut c_void {
        ((self.value >> 64) as usize) as *mut c_void
    }
}

capi! {
    fn WasmEdge_ValTypeGenI32() -> WasmEdge_ValType {
        I32
    }
    fn WasmEdge_ValTypeGenI64() -> WasmEdge_ValType {
        I64
    }
    fn WasmEdge_ValTypeGenF32() -> WasmEdge_ValType {
        F32
    }
    fn WasmEdge_ValTypeGenF64() -> WasmEdge_ValType {
        F64
    }
    fn WasmEdge_ValTypeGenV128() -> WasmEdge_ValType {
        V128
    }
    fn WasmEdge_ValTypeGenFuncRef() -> WasmEdge_ValType {
        FUNC_REF
    }
    fn WasmEdge_ValTypeGenExternRef() -> WasmEdge_ValType {
        EXTERN_REF
    }
    fn WasmEdge_ValTypeIsEqual(a: WasmEdge_ValType, b: WasmEdge_ValType) -> bool {
        a.same(b)
    }
    fn WasmEdge_ValTypeIsI32(t: WasmEdge_ValType) -> bool {
        t.code() == tc::I32
    }
    fn WasmEdge_ValTypeIsI64(t: WasmEdge_ValType) -> bool {
        t.code() == tc::I64
    }
    fn WasmEdge_ValTypeIsF32(t: WasmEdge_ValType) -> bool {
        t.code() == tc::F32
    }
    fn WasmEdge_ValTypeIsF64(t: WasmEdge_ValType) -> bool {
        t.code() == tc::F64
    }
    fn WasmEdge_ValTypeIsV128(t: WasmEdge_ValType) -> bool {
        t.code() == tc::V128
    }
    /// `(ref null? func)`.
    fn WasmEdge_ValTypeIsFuncRef(t: WasmEdge_ValType) -> bool {
        t.is_ref() && t.heap() == tc::FUNC_REF
    }
    /// `(ref null? extern)`.
    fn WasmEdge_ValTypeIsExternRef(t: WasmEdge_ValType) -> bool {
        t.is_ref() && t.heap() == tc::EXTERN_REF
    }
    fn WasmEdge_ValTypeIsRef(t: WasmEdge_ValType) -> bool {
        t.is_ref()
    }
    fn WasmEdge_ValTypeIsRefNull(t: WasmEdge_ValType) -> bool {
        t.code() == tc::REF_NULL
    }

    fn WasmEdge_ValueGenI32(v: i32) -> WasmEdge_Value {
        WasmEdge_Value::new(v as u32 as u128, I32)
    }
    fn WasmEdge_ValueGenI64(v: i64) -> WasmEdge_Value {
        WasmEdge_Value::new(v as u64 as u128, I64)
    }
    fn WasmEdge_ValueGenF32(v: f32) -> WasmEdge_Value {
        WasmEdge_Value::new(v.to_bits() as u128, F32)
    }
    fn WasmEdge_ValueGenF64(v: f64) -> WasmEdge_Value {
        WasmEdge_Value::new(v.to_bits() as u128, F64)
    }
    fn WasmEdge_ValueGenV128(v: i128) -> WasmEdge_Value {
        WasmEdge_Value::new(v as u128, V128)
    }
    /// A function reference (NULL: a null reference).
    fn WasmEdge_ValueGenFuncRef(f: *const c_void) -> WasmEdge_Value {
        WasmEdge_Value::reference(FUNC_REF, f)
    }
    /// An external reference to any C pointer (NULL: a null reference).
    fn WasmEdge_ValueGenExternRef(r: *mut c_void) -> WasmEdge_Value {
        WasmEdge_Value::reference(EXTERN_REF, r)
    }
    fn WasmEdge_ValueGetI32(v: WasmEdge_Value) -> i32 {
        v.value as u32 as i32
    }
    fn WasmEdge_ValueGetI64(v: WasmEdge_Value) -> i64 {
        v.value as u64 as i64
    }
    fn WasmEdge_ValueGetF32(v: WasmEdge_Value) -> f32 {
        f32::from_bits(v.value as u32)
    }
    fn WasmEdge_ValueGetF64(v: WasmEdge_Value) -> f64 {
        f64::from_bits(v.value as u64)
    }
    fn WasmEdge_ValueGetV128(v: WasmEdge_Value) -> i128 {
        v.value as i128
    }
    fn WasmEdge_ValueIsNullRef(v: WasmEdge_Value) -> bool {
        v.ref_ptr().is_null()
    }
    fn WasmEdge_ValueGetFuncRef(v: WasmEdge_Value) -> *const c_void {
        v.ref_ptr()
    }
    fn WasmEdge_ValueGetExternRef(v: WasmEdge_Value) -> *mut c_void {
        v.ref_ptr()
    }
}
