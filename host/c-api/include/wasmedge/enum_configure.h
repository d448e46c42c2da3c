/*
 * wasmedge/enum_configure.h -- configuration related enumerations of the
 * WasmEdge 0.15 C API.
 *
 * Part of the libwasmedge-compatible C API shipped with this runtime.
 * Numeric values are fixed by the upstream ABI: never renumber them.
 */
#ifndef WASMEDGE_C_API_ENUM_CONFIGURE_H
#define WASMEDGE_C_API_ENUM_CONFIGURE_H

/* WebAssembly proposals that can be switched on or off in a configuration. */
enum WasmEdge_Proposal {
  WasmEdge_Proposal_ImportExportMutGlobals       = 0,
  WasmEdge_Proposal_NonTrapFloatToIntConversions = 1,
  WasmEdge_Proposal_SignExtensionOperators       = 2,
  WasmEdge_Proposal_MultiValue                   = 3,
  WasmEdge_Proposal_BulkMemoryOperations         = 4,
  WasmEdge_Proposal_ReferenceTypes               = 5,
  WasmEdge_Proposal_SIMD                         = 6,
  WasmEdge_Proposal_TailCall                     = 7,
  WasmEdge_Proposal_ExtendedConst                = 8,
  WasmEdge_Proposal_FunctionReferences           = 9,
  WasmEdge_Proposal_GC                           = 10,
  WasmEdge_Proposal_MultiMemories                = 11,
  WasmEdge_Proposal_RelaxSIMD                    = 12,
  WasmEdge_Proposal_Annotations                  = 13,
  WasmEdge_Proposal_Threads                      = 14,
  WasmEdge_Proposal_ExceptionHandling            = 15,
  WasmEdge_Proposal_Memory64                     = 16,
  WasmEdge_Proposal_Component                    = 17
};

/* Built-in host modules that a VM can register automatically. */
enum WasmEdge_HostRegistration {
  WasmEdge_HostRegistration_Wasi = 0
};

/* Optimisation level used by the ahead-of-time compiler. */
enum WasmEdge_CompilerOptimizationLevel {
  WasmEdge_CompilerOptimizationLevel_O0 = 0, /* none */
  WasmEdge_CompilerOptimizationLevel_O1 = 1, /* light, debug friendly */
  WasmEdge_CompilerOptimizationLevel_O2 = 2, /* speed, moderate build cost */
  WasmEdge_CompilerOptimizationLevel_O3 = 3, /* maximum speed */
  WasmEdge_CompilerOptimizationLevel_Os = 4, /* size, keep speed */
  WasmEdge_CompilerOptimizationLevel_Oz = 5  /* minimum size */
};

/* Container format written by the ahead-of-time compiler. */
enum WasmEdge_CompilerOutputFormat {
  WasmEdge_CompilerOutputFormat_Native = 0, /* shared library */
  WasmEdge_CompilerOutputFormat_Wasm = 1    /* wasm with AOT custom section */
};

#endif /* WASMEDGE_C_API_ENUM_CONFIGURE_H */
