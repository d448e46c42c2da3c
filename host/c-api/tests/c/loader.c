/* Loader, validator, AST modules and the type contexts: what a module imports and exports, and the
 * error codes of bad input (missing file, malformed, invalid, NULL arguments). */
#include <stdio.h>
#include <string.h>
#include <wasmedge/wasmedge.h>

#include "check.h"

static int name_is(WasmEdge_String s, const char *want) {
  return s.Length == strlen(want) && memcmp(s.Buf, want, s.Length) == 0;
}

int main(void) {
  WasmEdge_LogOff();
  WasmEdge_LoaderContext *loader = WasmEdge_LoaderCreate(NULL);
  WasmEdge_ValidatorContext *validator = WasmEdge_ValidatorCreate(NULL);
  CHECK(loader && validator);

  /* Bad input. */
  WasmEdge_ASTModuleContext *ast = NULL;
  WasmEdge_Result r = WasmEdge_LoaderParseFromFile(loader, &ast, "fixtures/no-such-file.wasm");
  CHECK(!WasmEdge_ResultOK(r) && WasmEdge_ResultGetCode(r) == WasmEdge_ErrCode_IllegalPath && ast == NULL);
  const uint8_t junk[] = {0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0};
  r = WasmEdge_LoaderParseFromBuffer(loader, &ast, junk, sizeof junk);
  CHECK(WasmEdge_ResultGetCode(r) == WasmEdge_ErrCode_MalformedMagic && ast == NULL);
  CHECK(strcmp(WasmEdge_ResultGetMessage(r), "magic header not detected") == 0);
  r = WasmEdge_LoaderParseFromBuffer(loader, &ast, junk, 3);
  CHECK(WasmEdge_ResultGetCode(r) == WasmEdge_ErrCode_UnexpectedEnd);
  r = WasmEdge_LoaderParseFromFile(NULL, &ast, "fixtures/module.wasm");
  CHECK(WasmEdge_ResultGetCode(r) == WasmEdge_ErrCode_WrongVMWorkflow);
  r = WasmEdge_LoaderParseFromFile(loader, NULL, "fixtures/module.wasm");
  CHECK(WasmEdge_ResultGetCode(r) == WasmEdge_ErrCode_WrongVMWorkflow);
  r = WasmEdge_LoaderParseFromFile(loader, &ast, NULL);
  CHECK(WasmEdge_ResultGetCode(r) == WasmEdge_ErrCode_IllegalPath);
  printf("ok bad input\n");

  /* A well-formed but invalid module loads; the validator rejects it. */
  r = WasmEdge_LoaderParseFromFile(loader, &ast, "fixtures/invalid.wasm");
  CHECK(WasmEdge_ResultOK(r) && ast != NULL);
  r = WasmEdge_ValidatorValidate(validator, ast);
  CHECK(WasmEdge_ResultGetCode(r) == WasmEdge_ErrCode_TypeCheckFailed);
  CHECK(strcmp(WasmEdge_ResultGetMessage(r), "type mismatch") == 0);
  WasmEdge_ASTModuleDelete(ast);
  printf("ok invalid\n");

  /* The full module. */
  ast = NULL;
  r = WasmEdge_LoaderParseFromFile(loader, &ast, "fixtures/module.wasm");
  CHECK(WasmEdge_ResultOK(r) && ast != NULL);
  CHECK(WasmEdge_ResultOK(WasmEdge_ValidatorValidate(validator, ast)));

  uint32_t n = WasmEdge_ASTModuleListImportsLength(ast);
  CHECK(n == 4);
  const WasmEdge_ImportTypeContext *imports[8];
  CHECK(WasmEdge_ASTModuleListImports(ast, imports, 8) == 4);
  CHECK(WasmEdge_ASTModuleListImports(ast, NULL, 8) == 4);
  CHECK(name_is(WasmEdge_ImportTypeGetModuleName(imports[0]), "env"));
  CHECK(name_is(WasmEdge_ImportTypeGetExternalName(imports[0]), "log"));
  CHECK(WasmEdge_ImportTypeGetExternalType(imports[0]) == WasmEdge_ExternalType_Function);
  const WasmEdge_FunctionTypeContext *ft = WasmEdge_ImportTypeGetFunctionType(ast, imports[0]);
  CHECK(ft && WasmEdge_FunctionTypeGetParametersLength(ft) == 1 && WasmEdge_FunctionTypeGetReturnsLength(ft) == 0);
  WasmEdge_ValType vt[4];
  CHECK(WasmEdge_FunctionTypeGetParameters(ft, vt, 4) == 1 && WasmEdge_ValTypeIsI32(vt[0]));
  CHECK(WasmEdge_ImportTypeGetTableType(ast, imports[0]) == NULL);
  CHECK(WasmEdge_ImportTypeGetFunctionType(NULL, imports[0]) == NULL);

  CHECK(WasmEdge_ImportTypeGetExternalType(imports[1]) == WasmEdge_ExternalType_Memory);
  const WasmEdge_MemoryTypeContext *mt = WasmEdge_ImportTypeGetMemoryType(ast, imports[1]);
  WasmEdge_Limit lim = WasmEdge_MemoryTypeGetLimit(mt);
  CHECK(lim.HasMax && lim.Min == 1 && lim.Max == 4 && !lim.Shared);

  CHECK(WasmEdge_ImportTypeGetExternalType(imports[2]) == WasmEdge_ExternalType_Global);
  const WasmEdge_GlobalTypeContext *gt = WasmEdge_ImportTypeGetGlobalType(ast, imports[2]);
  CHECK(WasmEdge_ValTypeIsI32(WasmEdge_GlobalTypeGetValType(gt)));
  CHECK(WasmEdge_GlobalTypeGetMutability(gt) == WasmEdge_Mutability_Const);

  CHECK(WasmEdge_ImportTypeGetExternalType(imports[3]) == WasmEdge_ExternalType_Table);
  const WasmEdge_TableTypeContext *tt = WasmEdge_ImportTypeGetTableType(ast, imports[3]);
  CHECK(WasmEdge_ValTypeIsFuncRef(WasmEdge_TableTypeGetRefType(tt)));
  lim = WasmEdge_TableTypeGetLimit(tt);
  CHECK(!lim.HasMax && lim.Min == 2);
  printf("ok imports\n");

  const WasmEdge_ExportTypeContext *exports[8];
  CHECK(WasmEdge_ASTModuleListExportsLength(ast) == 5);
  CHECK(WasmEdge_ASTModuleListExports(ast, exports, 2) == 5);
  CHECK(WasmEdge_ASTModuleListExports(ast, exports, 8) == 5);
  int seen = 0;
  for (int i = 0; i < 5; i++) {
    WasmEdge_String name = WasmEdge_ExportTypeGetExternalName(exports[i]);
    enum WasmEdge_ExternalType kind = WasmEdge_ExportTypeGetExternalType(exports[i]);
    if (name_is(name, "add")) {
      CHECK(kind == WasmEdge_ExternalType_Function);
      ft = WasmEdge_ExportTypeGetFunctionType(ast, exports[i]);
      CHECK(WasmEdge_FunctionTypeGetParameters(ft, vt, 1) == 2 && WasmEdge_ValTypeIsI32(vt[0]));
      CHECK(WasmEdge_FunctionTypeGetReturns(ft, vt, 4) == 1 && WasmEdge_ValTypeIsI32(vt[0]));
      seen |= 1;
    } else if (name_is(name, "memory")) {
      CHECK(kind == WasmEdge_ExternalType_Memory);
      lim = WasmEdge_MemoryTypeGetLimit(WasmEdge_ExportTypeGetMemoryType(ast, exports[i]));
      CHECK(lim.Min == 1 && lim.HasMax && lim.Max == 4);
      seen |= 2;
    } else if (name_is(name, "counter")) {
      gt = WasmEdge_ExportTypeGetGlobalType(ast, exports[i]);
      CHECK(WasmEdge_ValTypeIsI64(WasmEdge_GlobalTypeGetValType(gt)));
      CHECK(WasmEdge_GlobalTypeGetMutability(gt) == WasmEdge_Mutability_Var);
      seen |= 4;
    } else if (name_is(name, "table")) {
      lim = WasmEdge_TableTypeGetLimit(WasmEdge_ExportTypeGetTableType(ast, exports[i]));
      CHECK(lim.HasMax && lim.Min == 3 && lim.Max == 10);
      CHECK(WasmEdge_ExportTypeGetTagType(ast, exports[i]) == NULL);
      seen |= 8;
    }
  }
  CHECK(seen == 15);
  printf("ok exports\n");

  /* Serialization gives back a module that loads again. */
  WasmEdge_Bytes bytes = {0, NULL};
  CHECK(WasmEdge_ResultOK(WasmEdge_LoaderSerializeASTModule(loader, ast, &bytes)));
  CHECK(bytes.Length > 8 && memcmp(bytes.Buf, "\0asm", 4) == 0);
  WasmEdge_ASTModuleContext *again = NULL;
  CHECK(WasmEdge_ResultOK(WasmEdge_LoaderParseFromBytes(loader, &again, bytes)));
  CHECK(WasmEdge_ASTModuleListExportsLength(again) == 5);
  WasmEdge_ASTModuleDelete(again);
  WasmEdge_BytesDelete(bytes);
  WasmEdge_ASTModuleDelete(ast);

  /* A proposal switched off: the module using it does not load. */
  WasmEdge_ConfigureContext *conf = WasmEdge_ConfigureCreate();
  WasmEdge_ConfigureRemoveProposal(conf, WasmEdge_Proposal_ReferenceTypes);
  WasmEdge_ConfigureRemoveProposal(conf, WasmEdge_Proposal_BulkMemoryOperations);
  WasmEdge_LoaderContext *strict = WasmEdge_LoaderCreate(conf);
  ast = NULL;
  r = WasmEdge_LoaderParseFromFile(strict, &ast, "fixtures/module.wasm");
  CHECK(WasmEdge_ResultOK(r)); /* well-formed: loads */
  r = WasmEdge_ValidatorValidate(validator, ast); /* two tables need reference types */
  CHECK(WasmEdge_ResultGetCode(r) == WasmEdge_ErrCode_MultiTables);
  WasmEdge_ASTModuleDelete(ast);
  WasmEdge_LoaderDelete(strict);
  WasmEdge_ConfigureDelete(conf);

  /* Type contexts made by the client. */
  WasmEdge_ValType params[2] = {WasmEdge_ValTypeGenI64(), WasmEdge_ValTypeGenF32()};
  WasmEdge_FunctionTypeContext *own = WasmEdge_FunctionTypeCreate(params, 2, NULL, 0);
  CHECK(WasmEdge_FunctionTypeGetParametersLength(own) == 2 && WasmEdge_FunctionTypeGetReturnsLength(own) == 0);
  WasmEdge_FunctionTypeDelete(own);
  WasmEdge_Limit tl = {.HasMax = true, .Shared = false, .Min = 1, .Max = 5};
  CHECK(WasmEdge_TableTypeCreate(WasmEdge_ValTypeGenI32(), tl) == NULL);
  WasmEdge_TableTypeContext *tab = WasmEdge_TableTypeCreate(WasmEdge_ValTypeGenExternRef(), tl);
  CHECK(WasmEdge_LimitIsEqual(WasmEdge_TableTypeGetLimit(tab), tl));
  WasmEdge_TableTypeDelete(tab);
  WasmEdge_MemoryTypeContext *mem = WasmEdge_MemoryTypeCreate(tl);
  CHECK(WasmEdge_MemoryTypeGetLimit(mem).Max == 5);
  WasmEdge_MemoryTypeDelete(mem);
  WasmEdge_GlobalTypeContext *glob = WasmEdge_GlobalTypeCreate(WasmEdge_ValTypeGenF64(), WasmEdge_Mutability_Var);
  CHECK(WasmEdge_ValTypeIsF64(WasmEdge_GlobalTypeGetValType(glob)));
  WasmEdge_GlobalTypeDelete(glob);
  CHECK(WasmEdge_FunctionTypeGetParametersLength(NULL) == 0);
  CHECK(WasmEdge_GlobalTypeGetMutability(NULL) == WasmEdge_Mutability_Const);
  printf("ok types\n");

  WasmEdge_ValidatorDelete(validator);
  WasmEdge_LoaderDelete(loader);
  printf("ok all\n");
  return 0;
}
