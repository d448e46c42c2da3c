/* A WasmEdge-native C plugin, built as a shared library against our header and library: module "c_math"
 * with mul(i32, i32) -> i32, made through the C API when the runtime asks for it. */
#include <wasmedge/wasmedge.h>

static WasmEdge_Result mul(void *data, const WasmEdge_CallingFrameContext *frame, const WasmEdge_Value *in,
                           WasmEdge_Value *out) {
  (void)data;
  (void)frame;
  out[0] = WasmEdge_ValueGenI32(WasmEdge_ValueGetI32(in[0]) * WasmEdge_ValueGetI32(in[1]));
  return WasmEdge_Result_Success;
}

static WasmEdge_ModuleInstanceContext *create(const struct WasmEdge_ModuleDescriptor *desc) {
  (void)desc;
  WasmEdge_String name = WasmEdge_StringCreateByCString("c_math");
  WasmEdge_ModuleInstanceContext *module = WasmEdge_ModuleInstanceCreate(name);
  WasmEdge_StringDelete(name);
  WasmEdge_ValType params[2] = {WasmEdge_ValTypeGenI32(), WasmEdge_ValTypeGenI32()};
  WasmEdge_ValType result = WasmEdge_ValTypeGenI32();
  WasmEdge_FunctionTypeContext *type = WasmEdge_FunctionTypeCreate(params, 2, &result, 1);
  WasmEdge_FunctionInstanceContext *func = WasmEdge_FunctionInstanceCreate(type, mul, NULL, 0);
  WasmEdge_FunctionTypeDelete(type);
  WasmEdge_String fname = WasmEdge_StringCreateByCString("mul");
  WasmEdge_ModuleInstanceAddFunction(module, fname, func);
  WasmEdge_StringDelete(fname);
  return module;
}

static WasmEdge_ModuleDescriptor modules[] = {
    {.Name = "c_math", .Description = "Multiplication", .Create = create},
};

static WasmEdge_PluginDescriptor descriptor = {
    .Name = "c_math_plugin",
    .Description = "A C plugin for the C API tests",
    .APIVersion = WasmEdge_Plugin_CurrentAPIVersion,
    .Version = {.Major = 0, .Minor = 1, .Patch = 0, .Build = 0},
    .ModuleCount = 1,
    .ProgramOptionCount = 0,
    .ModuleDescriptions = modules,
    .ProgramOptions = NULL,
};

WASMEDGE_CAPI_PLUGIN_EXPORT const WasmEdge_PluginDescriptor *WasmEdge_Plugin_GetDescriptor(void) {
  return &descriptor;
}
