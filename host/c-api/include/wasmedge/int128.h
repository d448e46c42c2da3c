/*
 * wasmedge/int128.h -- 128-bit integer types used by the WasmEdge C API
 * (v128 values and the storage slot of WasmEdge_Value).
 *
 * On 64-bit targets whose compilers provide __int128 the native type is used,
 * which gives a 16-byte, 16-byte-aligned object.  Elsewhere a plain two-word
 * struct stands in (8-byte aligned), exactly as the upstream header does.
 */
#ifndef WASMEDGE_C_API_INT128_H
#define WASMEDGE_C_API_INT128_H

#include <stdint.h>

#if defined(__x86_64__) || defined(__aarch64__) ||                             \
    (defined(__riscv) && __riscv_xlen == 64)

typedef unsigned __int128 uint128_t;
typedef __int128 int128_t;

#else

typedef struct uint128_t {
  uint64_t Low;
  uint64_t High;
} uint128_t;

typedef struct int128_t {
  uint64_t Low;
  int64_t High;
} int128_t;

#endif

#endif /* WASMEDGE_C_API_INT128_H */
