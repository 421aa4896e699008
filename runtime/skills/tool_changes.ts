/**
 * What changed in the tools a skill uses since it was saved, and whether the change can break it.
 *
 * @module
 */

import { canonicalJsonHash } from "../codegen/mod.ts";
import type { Tool } from "../sdk.ts";
import { parseToolRef } from "../tool_ref.ts";
import type { JsonSchema, RecordedTool, ToolChange } from "./types.ts";

/**
 * Records a tool's definition for a later comparison.
 *
 * @param tool The tool as the server lists it.
 * @returns Its hash (the one `_manifest.json` holds), description and input schema.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordTool } from "./tool_changes.ts";
 * const recorded = recordTool({ name: "t", inputSchema: { type: "object" } });
 * assert.equal(recorded.sha256.length, 64);
 * ```
 */
export function recordTool(tool: Tool): RecordedTool {
  const recorded: RecordedTool = {
    sha256: canonicalJsonHash(tool),
    inputSchema: (tool.inputSchema ?? {}) as JsonSchema,
  };
  if (tool.description !== undefined) recorded.description = tool.description;
  return recorded;
}

function typeOf(schema: unknown): string {
  if (schema === null || typeof schema !== "object") return "any";
  const s = schema as JsonSchema;
  if (s.type !== undefined) {
    return Array.isArray(s.type) ? [...s.type].sort().join("|") : String(s.type);
  }
  if (s.$ref !== undefined) return `ref ${String(s.$ref)}`;
  if (Array.isArray(s.enum)) return "enum";
  if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) return "union";
  return "any";
}

/** Hashes of current tool objects: a listing compares many skills against the same few tools. */
const HASHES = new WeakMap<Tool, string>();

function hashOf(tool: Tool): string {
  let hash = HASHES.get(tool);
  if (hash === undefined) {
    hash = canonicalJsonHash(tool);
    HASHES.set(tool, hash);
  }
  return hash;
}

function requiredOf(schema: JsonSchema): Set<string> {
  return new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
}

function describe(schema: JsonSchema): string {
  return typeOf(schema);
}

/**
 * Compares a tool's recorded input schema with its current one.
 *
 * Breaking: a removed parameter, a parameter whose type changed, a new required parameter, a parameter that became
 * required. Compatible: a new optional parameter; any other difference (description, annotations, output schema).
 *
 * @param name The tool, as `server.tool`.
 * @param before What was recorded at save time.
 * @param after The tool as the server lists it now.
 * @returns The changes, empty when the definitions are identical.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareTool, recordTool } from "./tool_changes.ts";
 * const before = recordTool({ name: "t", inputSchema: { type: "object", properties: { q: { type: "string" } } } });
 * const changes = compareTool("s.t", before, {
 *   name: "t",
 *   inputSchema: { type: "object", properties: { q: { type: "string" }, n: { type: "number" } }, required: ["n"] },
 * });
 * assert.deepEqual(changes, [{ tool: "s.t", kind: "breaking", change: 'new required parameter "n"' }]);
 * ```
 */
export function compareTool(name: string, before: RecordedTool, after: Tool): ToolChange[] {
  if (hashOf(after) === before.sha256) return [];
  const changes: ToolChange[] = [];
  const add = (kind: ToolChange["kind"], change: string) =>
    changes.push({ tool: name, kind, change });
  const old = (before.inputSchema.properties ?? {}) as Record<string, JsonSchema>;
  const now = ((after.inputSchema as JsonSchema).properties ?? {}) as Record<string, JsonSchema>;
  const oldRequired = requiredOf(before.inputSchema);
  const nowRequired = requiredOf(after.inputSchema as JsonSchema);
  for (const [key, schema] of Object.entries(old)) {
    if (!(key in now)) add("breaking", `removed parameter "${key}"`);
    else if (describe(schema) !== describe(now[key]!)) {
      add(
        "breaking",
        `parameter "${key}" changed type from ${describe(schema)} to ${describe(now[key]!)}`,
      );
    } else if (nowRequired.has(key) && !oldRequired.has(key)) {
      add("breaking", `parameter "${key}" became required`);
    }
  }
  for (const key of Object.keys(now)) {
    if (key in old) continue;
    if (nowRequired.has(key)) add("breaking", `new required parameter "${key}"`);
    else add("compatible", `new optional parameter "${key}"`);
  }
  if (before.description !== after.description) add("compatible", "changed description");
  if (changes.length === 0) add("compatible", "changed definition");
  return changes;
}

/**
 * Compares every tool a skill uses with the connected servers' current tools.
 *
 * @param tools The tools the skill uses, as `server.tool` (a bare `server` is checked for presence only).
 * @param recorded The definitions recorded at save time, by `server.tool`.
 * @param current The current tools of a server; `undefined` when it is not connected.
 * @param servers The configured server names, to read `server.tool` with `parseToolRef` (server names may hold
 *   dots). Default: unknown, so names split at their first dot.
 * @returns Every change; a removed tool is breaking, an unconnected server is reported as compatible.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareTools } from "./tool_changes.ts";
 * const changes = compareTools(["memory.read_graph"], {}, () => []);
 * assert.deepEqual(changes, [{ tool: "memory.read_graph", kind: "breaking", change: "removed tool" }]);
 * ```
 */
export function compareTools(
  tools: readonly string[],
  recorded: Readonly<Record<string, RecordedTool>>,
  current: (server: string) => readonly Tool[] | undefined,
  servers?: readonly string[],
): ToolChange[] {
  const changes: ToolChange[] = [];
  for (const name of tools) {
    // A server no longer configured reads as one that is not connected.
    const ref = parseToolRef(name, servers) ?? parseToolRef(name);
    if (ref === undefined) continue;
    const { server } = ref;
    const list = current(server);
    if (list === undefined) {
      changes.push({
        tool: name,
        kind: "compatible",
        change: `server "${server}" is not connected`,
      });
      continue;
    }
    if (ref.tool === undefined) continue;
    const tool = list.find((t) => t.name === ref.tool);
    if (tool === undefined) {
      changes.push({ tool: name, kind: "breaking", change: "removed tool" });
      continue;
    }
    const before = recorded[name];
    if (before !== undefined) changes.push(...compareTool(name, before, tool));
  }
  return changes;
}
