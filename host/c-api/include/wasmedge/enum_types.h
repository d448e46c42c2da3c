/*
 * wasmedge/enum_types.h -- WebAssembly type related enumerations of the
 * WasmEdge 0.15 C API.
 *
 * Part of the libwasmedge-compatible C API shipped with this runtime.
 * Numeric values are fixed by the upstream ABI: never renumber them.
 */
#ifndef WASMEDGE_C_API_ENUM_TYPES_H
#define WASMEDGE_C_API_ENUM_TYPES_H

/*
 * Type codes.  Core-wasm codes equal their binary-format encoding byte;
 * codes from 0x80 upward are used for component-model value types.
 */
enum WasmEdge_TypeCode {
  /* core WebAssembly */
  WasmEdge_TypeCode_TypeIndex     = 0x00,
  WasmEdge_TypeCode_I32           = 0x7F,
  WasmEdge_TypeCode_I64           = 0x7E,
  WasmEdge_TypeCode_F32           = 0x7D,
  WasmEdge_TypeCode_F64           = 0x7C,
  WasmEdge_TypeCode_V128          = 0x7B,
  WasmEdge_TypeCode_I8            = 0x78,
  WasmEdge_TypeCode_I16           = 0x77,
  WasmEdge_TypeCode_NullFuncRef   = 0x73,
  WasmEdge_TypeCode_NullExternRef = 0x72,
  WasmEdge_TypeCode_NullRef       = 0x71,
  WasmEdge_TypeCode_FuncRef       = 0x70,
  WasmEdge_TypeCode_ExternRef     = 0x6F,
  WasmEdge_TypeCode_AnyRef        = 0x6E,
  WasmEdge_TypeCode_EqRef         = 0x6D,
  WasmEdge_TypeCode_I31Ref        = 0x6C,
  WasmEdge_TypeCode_StructRef     = 0x6B,
  WasmEdge_TypeCode_ArrayRef      = 0x6A,
  WasmEdge_TypeCode_ExnRef        = 0x69,
  WasmEdge_TypeCode_Ref           = 0x64,
  WasmEdge_TypeCode_RefNull       = 0x63,
  WasmEdge_TypeCode_Func          = 0x60,
  WasmEdge_TypeCode_Struct        = 0x5F,
  WasmEdge_TypeCode_Array         = 0x5E,
  WasmEdge_TypeCode_Sub           = 0x50,
  WasmEdge_TypeCode_SubFinal      = 0x4F,
  WasmEdge_TypeCode_Rec           = 0x4E,
  WasmEdge_TypeCode_Epsilon       = 0x40,
  /* component model */
  WasmEdge_TypeCode_U8            = 0x80,
  WasmEdge_TypeCode_U16           = 0x81,
  WasmEdge_TypeCode_U32           = 0x82,
  WasmEdge_TypeCode_U64           = 0x83,
  WasmEdge_TypeCode_String        = 0x84,
  WasmEdge_TypeCode_List          = 0x85,
  WasmEdge_TypeCode_Bool          = 0x86,
  WasmEdge_TypeCode_Tuple         = 0x87,
  WasmEdge_TypeCode_Option        = 0x88,
  WasmEdge_TypeCode_Enum          = 0x89,
  WasmEdge_TypeCode_Result        = 0x8A,
  WasmEdge_TypeCode_Record        = 0x8B,
  WasmEdge_TypeCode_Variant       = 0x8C,
  WasmEdge_TypeCode_Own           = 0x8D
};

/* Mutability of a global. */
enum WasmEdge_Mutability {
  WasmEdge_Mutability_Const = 0x00,
  WasmEdge_Mutability_Var   = 0x01
};

/* Kind of an import or export. */
enum WasmEdge_ExternalType {
  WasmEdge_ExternalType_Function = 0x00,
  WasmEdge_ExternalType_Table    = 0x01,
  WasmEdge_ExternalType_Memory   = 0x02,
  WasmEdge_ExternalType_Global   = 0x03,
  WasmEdge_ExternalType_Tag      = 0x04
};

#endif /* WASMEDGE_C_API_ENUM_TYPES_H */
