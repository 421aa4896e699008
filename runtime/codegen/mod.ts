/**
 * The code generator: turns each MCP server's `tools/list` into TypeScript modules under `servers/<server>/`, one
 * typed function per tool, which agent code imports and calls inside the sandbox.
 *
 * - {@linkcode generateServerModules} renders one server's files in memory (pure, deterministic);
 * - {@linkcode writeServerModules} and {@linkcode writeServerModule} write them, touching only changed files and
 *   removing stale generated ones;
 * - {@linkcode renderToolSignature} gives the declarations an agent needs for one tool;
 * - {@linkcode jsonSchemaToType} and {@linkcode jsonSchemaToDeclarations} convert JSON Schema to TypeScript;
 * - the identifier helpers map tool and server names to function names, namespaces and folders.
 *
 * @example Generate modules for a server
 * ```ts
 * import { generateServerModules } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const files = generateServerModules({
 *   name: "everything",
 *   version: "2.0.0",
 *   tools: [{ name: "get-sum", inputSchema: { type: "object", properties: { a: { type: "number" } } } }],
 * });
 * assert.ok(files.get("everything/getSum.ts")?.includes("export function getSum("));
 * ```
 *
 * @module
 */

export type { Tool } from "../sdk.ts";
export { canonicalJson, canonicalJsonHash } from "./canonical_json.ts";
export { CLIENT_MODULE_PATH, generateClientModule, GENERATED_HEADER_RE } from "./client_module.ts";
export { generateGlobalsModule, GLOBALS_MODULE_PATH } from "./globals_module.ts";
export {
  generateServerModules,
  type Manifest,
  MANIFEST_FILE,
  type ManifestTool,
  renderToolSignature,
  type ServerInput,
} from "./generate_server.ts";
export {
  assignFunctionNames,
  assignServerIdentifiers,
  isIdentifier,
  toFunctionName,
  toolFilePath,
  toServerDirName,
  toServerIdentifier,
  toTypeName,
  uniqueNames,
} from "./identifiers.ts";
export {
  type DeclarationOptions,
  jsonSchemaToDeclarations,
  jsonSchemaToType,
  type TypeOptions,
} from "./json_schema_to_ts.ts";
export {
  type WriteOptions,
  type WriteResult,
  writeServerModule,
  writeServerModules,
} from "./write_server_modules.ts";
export {
  INFERENCE_LIMITS,
  type InferredOutput,
  mergeShapes,
  shapeOf,
  structuredValue,
} from "./output_inference.ts";
export {
  INFERRED_FILE,
  type InferredFile,
  readInferredOutputs,
  writeInferredOutputs,
} from "./inferred_file.ts";
export { RUNTIME_MODULE_FILE } from "./runtime_module.ts";
