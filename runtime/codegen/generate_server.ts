/**
 * Generates the TypeScript modules of one MCP server: a file per tool, an `index.ts` re-exporting them, the
 * `_module.js` the sandbox loads in their place, and a `_manifest.json`, all relative to the generated `servers/`
 * folder.
 *
 * @module
 */

import type { Tool } from "../mcp_types.ts";
import { docLines, renderJsDoc } from "./_jsdoc.ts";
import { LINE_WIDTH } from "./_type_printer.ts";
import { functionHead, type ToolParts, toolParts } from "./_tool_parts.ts";
import { RUNTIME_MODULE_FILE, runtimeModule } from "./runtime_module.ts";
import { canonicalJsonHash } from "./canonical_json.ts";
import type { InferredOutput } from "./output_inference.ts";
import { generatePythonModule, PYTHON_MODULE_FILE } from "../python/mod.ts";
import { CLIENT_MODULE_PATH } from "./client_module.ts";
import {
  assignFunctionNames,
  toFunctionName,
  toolFilePath,
  toServerDirName,
  toTypeName,
} from "./identifiers.ts";

/**
 * A server as the generator needs it: its name in mcp.json, the version it reports, and its tools.
 *
 * @example
 * ```ts
 * import { generateServerModules, type ServerInput } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const server: ServerInput = { name: "memory", version: "0.6.3",
 *   tools: [{ name: "read_graph", inputSchema: { type: "object", properties: {} } }] };
 * const files = generateServerModules(server);
 * assert.match(files.get("memory/index.ts") ?? "", /readGraph/);
 * ```
 */
export interface ServerInput {
  /** The server's name in mcp.json, e.g. `"memory"`; generated code passes it to `callTool`. */
  name: string;
  /** The version the server reports in `initialize` (`serverInfo.version`). */
  version: string;
  /** The tools from `tools/list`, in the order the server lists them. */
  tools: Tool[];
  /**
   * Output shapes inferred from results, by tool name, for tools that declare no `outputSchema` (see
   * `servers/<server>/_inferred.json`). Default: none.
   */
  inferred?: Readonly<Record<string, InferredOutput>>;
}

/** One tool's entry in `_manifest.json`. */
export interface ManifestTool {
  /** The tool's name as the server lists it. */
  name: string;
  /** The generated function's name. */
  function: string;
  /** The generated file, relative to the server's folder. */
  file: string;
  /** SHA-256 (hex) of the tool definition's canonical JSON, to tell when a definition changed. */
  sha256: string;
}

/** The content of `<serverDir>/_manifest.json`. */
export interface Manifest {
  /** Marks the file as the generator's. */
  generator: "mcp-executor";
  /** The server's name in mcp.json. */
  server: string;
  /** The version the server reported. */
  version: string;
  /** Sorted by tool name. */
  tools: ManifestTool[];
}

/** The name of the manifest file in each server folder. */
export const MANIFEST_FILE = "_manifest.json";

/**
 * Generates the modules of one server.
 *
 * Pure and deterministic: the same input gives the same map, byte for byte, with keys sorted. Function names come
 * from {@linkcode assignFunctionNames} in `tools/list` order. The shared `_client.ts` the tool files import is not
 * included; see {@linkcode generateClientModule}.
 *
 * @param server The server's name, version and tools.
 * @returns Relative path (`<serverDir>/<file>`, `/`-separated) to file content.
 *
 * @example Generate a one-tool server
 * ```ts
 * import { generateServerModules } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const files = generateServerModules({
 *   name: "memory",
 *   version: "0.6.3",
 *   tools: [{ name: "read_graph", inputSchema: { type: "object", properties: {} } }],
 * });
 * assert.deepEqual([...files.keys()], [
 *   "memory/__init__.py",
 *   "memory/_manifest.json",
 *   "memory/_module.js",
 *   "memory/index.ts",
 *   "memory/readGraph.ts",
 * ]);
 * ```
 */
export function generateServerModules(server: ServerInput): Map<string, string> {
  const dir = toServerDirName(server.name);
  const header = headerLine(server);
  const functionNames = assignFunctionNames(server.tools.map((tool) => tool.name));
  const files = new Map<string, string>();
  const entries: IndexEntry[] = [];
  server.tools.forEach((tool, i) => {
    const fn = functionNames[i]!;
    const inferred = Object.hasOwn(server.inferred ?? {}, tool.name)
      ? server.inferred![tool.name]
      : undefined;
    const parts = toolParts(server.name, tool, fn, true, inferred);
    files.set(
      toolFilePath(dir, fn),
      toolModule(header, { serverName: server.name, tool, fn, parts }),
    );
    entries.push({
      tool,
      fn,
      hasOutput: parts.outputType !== undefined,
      inputOptional: parts.inputOptional,
    });
  });
  entries.sort((a, b) => compare(a.fn, b.fn));
  files.set(`${dir}/index.ts`, indexModule(header, server, entries));
  files.set(
    `${dir}/${RUNTIME_MODULE_FILE}`,
    runtimeModule(header, {
      name: server.name,
      tools: entries.map(({ tool, fn, inputOptional }) => ({ tool: tool.name, fn, inputOptional })),
    }),
  );
  const manifest: Manifest = {
    generator: "mcp-executor",
    server: server.name,
    version: server.version,
    tools: entries
      .map(({ tool, fn }) => ({
        name: tool.name,
        function: fn,
        file: `${fn}.ts`,
        sha256: canonicalJsonHash(tool),
      }))
      .sort((a, b) => compare(a.name, b.name)),
  };
  files.set(`${dir}/${MANIFEST_FILE}`, `${JSON.stringify(manifest, null, 2)}\n`);
  // Issue 21: the same tools as a Python module, for Python agent code.
  files.set(`${dir}/${PYTHON_MODULE_FILE}`, generatePythonModule(server));
  return new Map([...files].sort(([a], [b]) => compare(a, b)));
}

/**
 * Renders what an agent needs to call a tool: its Input and Output declarations and the function's signature with
 * its JSDoc, without `export`, imports or body. For a search feature's full detail level.
 *
 * @param serverName The server's name in mcp.json.
 * @param tool The tool's definition.
 * @param options `functionName`: the tool's generated function name when a collision renamed it; default
 *   {@linkcode toFunctionName} of the tool's name. `inferred`: the output shape inferred from its results.
 * @returns TypeScript declarations, ending with `function fn(input: X): Promise<Y>;` and a newline.
 *
 * @example A tool's signature
 * ```ts
 * import { renderToolSignature } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const text = renderToolSignature("everything", {
 *   name: "get-sum",
 *   inputSchema: { type: "object", properties: { a: { type: "number" } }, required: ["a"] },
 * });
 * assert.ok(text.endsWith("function getSum(input: GetSumInput): Promise<unknown>;\n"));
 * ```
 */
export function renderToolSignature(
  serverName: string,
  tool: Tool,
  options: { functionName?: string; inferred?: InferredOutput } = {},
): string {
  const fn = options.functionName ?? toFunctionName(tool.name);
  const parts = toolParts(serverName, tool, fn, false, options.inferred);
  const param = `input${parts.inputOptional ? "?" : ""}: ${parts.inputType}`;
  const head = functionHead({
    prefix: "",
    name: fn,
    param,
    returnType: `Promise<${parts.outputType ?? "unknown"}>`,
    end: ";",
  });
  return `${parts.declarations.join("\n\n")}\n\n${parts.doc}${head}\n`;
}

function toolModule(
  header: string,
  { serverName, tool, fn, parts }: { serverName: string; tool: Tool; fn: string; parts: ToolParts },
): string {
  // A tool called `call_tool` would shadow the import.
  const call = fn === "callTool" ? "clientCallTool" : "callTool";
  const importLine = call === "callTool"
    ? `import { callTool } from "../${CLIENT_MODULE_PATH}";`
    : `import { callTool as ${call} } from "../${CLIENT_MODULE_PATH}";`;
  const output = parts.outputType ?? "unknown";
  const param = `input: ${parts.inputType}${parts.inputOptional ? " = {}" : ""}`;
  const head = functionHead({
    prefix: "export ",
    name: fn,
    param,
    returnType: `Promise<${output}>`,
    end: " {",
  });
  const args = [JSON.stringify(serverName), JSON.stringify(tool.name), "input"];
  let body = `  return ${call}<${output}>(${args.join(", ")});`;
  if (body.length > LINE_WIDTH) {
    body = `  return ${call}<${output}>(\n${args.map((a) => `    ${a},\n`).join("")}  );`;
  }
  return `${header}\n\n${importLine}\n\n${
    parts.declarations.join("\n\n")
  }\n\n${parts.doc}${head}\n${body}\n}\n`;
}

type IndexEntry = { tool: Tool; fn: string; hasOutput: boolean; inputOptional: boolean };

function indexModule(header: string, server: ServerInput, entries: readonly IndexEntry[]): string {
  const summary = entries.map(({ tool, fn }) => {
    const first = docLines(tool.description ?? tool.title ?? "")[0] ?? "";
    return `- {@linkcode ${fn}}${first === "" ? "" : `: ${shorten(first, 100)}`}`;
  });
  const doc = renderJsDoc([
    ...docLines(`The tools of MCP server ${JSON.stringify(server.name)} as typed functions.`),
    "",
    ...summary,
    "",
    "@module",
  ], "");
  const exports = entries.map(({ fn, hasOutput }) => {
    const file = `./${fn}.ts`;
    const base = toTypeName(fn);
    const types = [`${base}Input`, ...(hasOutput ? [`${base}Output`] : [])];
    const typeLine = `export type { ${types.join(", ")} } from "${file}";`;
    const typeExport = typeLine.length <= LINE_WIDTH
      ? typeLine
      : `export type {\n${types.map((t) => `  ${t},\n`).join("")}} from "${file}";`;
    return `export { ${fn} } from "${file}";\n${typeExport}`;
  });
  return `${header}\n\n${doc}\n${exports.join("\n")}\n`;
}

/** `// Code generated by mcp-executor from MCP server "memory" 0.6.3. DO NOT EDIT.` */
function headerLine(server: ServerInput): string {
  const version = server.version.replace(/[\p{Cc}\u2028\u2029]+/gu, " ").trim();
  const name = JSON.stringify(server.name).replace(/[\u2028\u2029]/g, " ");
  return `// Code generated by mcp-executor from MCP server ${name}${
    version === "" ? "" : ` ${version}`
  }. DO NOT EDIT.`;
}

/** Cuts text at a word boundary so that it stays under `max` characters. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Locale-independent ordering by UTF-16 code units. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
