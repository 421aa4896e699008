/**
 * A task's `requiredTools`, checked against the configured servers and turned into the allowlist every tool call
 * is checked against.
 *
 * @module
 */

import { parseToolRef } from "../tool_ref.ts";

/** Which tools of which servers a task may call. `"*"` means every tool of that server. */
export type Allowlist = Map<string, "*" | Set<string>>;

/**
 * Parses `requiredTools` entries: a server name (`"memory"`), or a server and a tool (`"memory.read_graph"`).
 * Server names may contain dots; the longest configured name that fits wins (see `parseToolRef`).
 *
 * @param requiredTools The task's entries.
 * @param servers The configured server names.
 * @returns The allowlist.
 * @throws {TypeError} When an entry names no configured server (the message lists the configured ones).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAllowlist, isAllowed } from "./allowlist.ts";
 * const allow = parseAllowlist(["memory.read_graph", "filesystem"], ["memory", "filesystem"]);
 * assert.ok(isAllowed(allow, "memory", "read_graph"));
 * assert.ok(!isAllowed(allow, "memory", "delete_entities"));
 * assert.ok(isAllowed(allow, "filesystem", "read_text_file"));
 * ```
 */
export function parseAllowlist(
  requiredTools: readonly string[],
  servers: readonly string[],
): Allowlist {
  const allow: Allowlist = new Map();
  for (const entry of requiredTools) {
    if (typeof entry !== "string" || entry === "") {
      throw new TypeError(
        `Cannot run task: requiredTools entries must be non-empty strings, got ${
          JSON.stringify(entry)
        }`,
      );
    }
    const ref = parseToolRef(entry, servers);
    if (ref === undefined) {
      throw new TypeError(
        `Cannot run task: requiredTools entry "${entry}" names no configured server (configured: ${
          servers.map((s) => `"${s}"`).join(", ") || "none"
        })`,
      );
    }
    const { server, tool } = ref;
    if (tool === undefined) {
      allow.set(server, "*");
      continue;
    }
    const current = allow.get(server);
    if (current === "*") continue;
    const tools = current ?? new Set<string>();
    tools.add(tool);
    allow.set(server, tools);
  }
  return allow;
}

/**
 * Whether the allowlist lets a call through.
 *
 * @param allow The task's allowlist.
 * @param server The server the call names.
 * @param tool The tool the call names.
 * @returns `true` when the server is allowed whole or the tool is listed.
 */
export function isAllowed(allow: Allowlist, server: string, tool: string): boolean {
  const entry = allow.get(server);
  return entry === "*" || (entry !== undefined && entry.has(tool));
}
