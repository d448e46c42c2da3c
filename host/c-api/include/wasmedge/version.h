/*
 * wasmedge/version.h -- version numbers of the WasmEdge C API implemented by
 * this library (drop-in replacement for libwasmedge 0.15.0).
 */
#ifndef WASMEDGE_C_API_VERSION_H
#define WASMEDGE_C_API_VERSION_H

/* Release string and its numeric components. */
#define WASMEDGE_VERSION "0.15.0"
#define WASMEDGE_VERSION_MAJOR 0
#define WASMEDGE_VERSION_MINOR 15
#define WASMEDGE_VERSION_PATCH 0

/*
 * Plugin ABI revision a plugin must report in
 * WasmEdge_PluginDescriptor.APIVersion to be accepted (upstream name).
 */
#define WasmEdge_Plugin_CurrentAPIVersion 4

/*
 * Convenience aliases for the same number.  Upstream 0.15.0 only has the
 * CMake variable WASMEDGE_API_VERSION ("4"); these macros are an addition of
 * this implementation and do not exist in the upstream header.
 */
#define WASMEDGE_API_VERSION 4
#define WASMEDGE_PLUGIN_API_VERSION 4

#endif /* WASMEDGE_C_API_VERSION_H */
