/**
 * Stand-ins for the code generator's naming and signature rendering, used by {@linkcode ToolIndex} when it is
 * built without codegen hooks (tests, benchmarks, tools outside the generated tree).
 *
 * @module
 */

import type { Tool } from "../sdk.ts";
import { splitWords } from "./_analyze.ts";

const RESERVED_WORDS: ReadonlySet<string> = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while " +
    "with yield let static implements interface package private protected public await").split(" "),
);

/**
 * Returns the camelCase function name of a tool: `"create_pull_request"` gives `"createPullRequest"`,
 * `"API-get-user"` gives `"apiGetUser"`. A result that is not a valid binding name (a reserved word, a leading
 * digit, no letters) gets an underscore.
 *
 * @param _server The server's name (unused by the fallback).
 * @param toolName The tool's name.
 * @returns A valid JavaScript identifier.
 *
 * @example
 * ```ts
 * import { defaultFunctionName } from "./fallbacks.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(defaultFunctionName("github", "create_pull_request"), "createPullRequest");
 * assert.equal(defaultFunctionName("mongodb", "export"), "export_");
 * ```
 */
export function defaultFunctionName(_server: string, toolName: string): string {
  const words = splitWords(toolName);
  const name = words
    .map((word, i) => i === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
  if (name === "" || /^\p{N}/u.test(name)) return `_${name}`;
  return RESERVED_WORDS.has(name) ? `${name}_` : name;
}

/**
 * Returns the folder under `servers/` for a server: its name, with characters other than letters, digits, `_`
 * and `-` replaced by `-`.
 *
 * @param server The server's name.
 * @returns The folder name.
 *
 * @example
 * ```ts
 * import { defaultServerDir } from "./fallbacks.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(defaultServerDir("sequential-thinking"), "sequential-thinking");
 * assert.equal(defaultServerDir("my server"), "my-server");
 * ```
 */
export function defaultServerDir(server: string): string {
  return server.replace(/[^A-Za-z0-9_-]+/g, "-");
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

function typeOf(schema: JsonSchema | undefined): string {
  if (schema === undefined || typeof schema !== "object") return "unknown";
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.length <= 6) {
    return schema.enum.map((value) => JSON.stringify(value)).join(" | ");
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
    case "number":
    case "boolean":
    case "null":
      return type;
    case "integer":
      return "number";
    case "array": {
      const item = typeOf(schema.items);
      return item.includes(" ") ? `(${item})[]` : `${item}[]`;
    }
    case "object":
      return "Record<string, unknown>";
    default:
      return "unknown";
  }
}

/**
 * Renders a one-line TypeScript signature from a tool's input schema, with its top-level parameters and their
 * simple types: `function getSum(input: { a: number; b: number }): Promise<unknown>;`.
 *
 * @param server The server's name, passed to {@linkcode defaultFunctionName}.
 * @param tool The tool.
 * @returns The signature text.
 *
 * @example
 * ```ts
 * import { defaultRenderSignature } from "./fallbacks.ts";
 * import assert from "node:assert/strict";
 *
 * const tool = {
 *   name: "get-sum",
 *   inputSchema: {
 *     type: "object" as const,
 *     properties: { a: { type: "number" }, b: { type: "number" } },
 *     required: ["a", "b"],
 *   },
 * };
 * assert.equal(
 *   defaultRenderSignature("everything", tool),
 *   "function getSum(input: { a: number; b: number }): Promise<unknown>;",
 * );
 * ```
 */
export function defaultRenderSignature(server: string, tool: Tool): string {
  const schema = tool.inputSchema as JsonSchema;
  const required = new Set(schema.required ?? []);
  const params = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
    return `${key}${required.has(name) ? "" : "?"}: ${typeOf(property)}`;
  });
  const optional = required.size === 0 ? "?" : "";
  const input = params.length === 0 ? "" : `input${optional}: { ${params.join("; ")} }`;
  return `function ${defaultFunctionName(server, tool.name)}(${input}): Promise<unknown>;`;
}
