/**
 * The one parser of `"server.tool"` names: `requiredTools` entries, approval rule keys, the tools a skill records,
 * tool search hits. Every place that reads such a name calls {@linkcode parseToolRef}.
 *
 * @module
 */

/**
 * A tool reference: a whole server (`tool` absent) or one tool of it.
 *
 * @example
 * ```ts
 * import { parseToolRef, type ToolRef } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const ref: ToolRef | undefined = parseToolRef("memory.read_graph");
 * assert.deepEqual(ref, { server: "memory", tool: "read_graph" });
 * ```
 */
export interface ToolRef {
  /** The server's name, as configured. */
  server: string;
  /** The tool's name; absent when the reference names the whole server. */
  tool?: string;
}

/**
 * Parses `"server"` or `"server.tool"`.
 *
 * Server names may contain dots (`"acme.crm"`), tool names too. When `serverNames` (the configured servers) is
 * given, the text is a server when it equals one, and otherwise the longest configured name followed by a dot that
 * prefixes it is the server and the rest is the tool: with servers `"acme"` and `"acme.crm"`, `"acme.crm.delete"`
 * is tool `"delete"` of `"acme.crm"`, and `"acme.list"` is tool `"list"` of `"acme"`. Without `serverNames` the
 * text splits at its first dot: the server is what comes before (a server name with a dot cannot be told apart then),
 * the tool everything after, further dots included (`"a.b.c"` is tool `"b.c"` of `"a"`).
 *
 * @param text The reference.
 * @param serverNames The configured server names, when known.
 * @returns The reference, or `undefined` when the text is not a string, is empty, starts or ends with a dot, or
 *   (with `serverNames`) names no configured server.
 *
 * @example
 * ```ts
 * import { parseToolRef } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * const servers = ["acme", "acme.crm", "memory"];
 * assert.deepEqual(parseToolRef("acme.crm.delete", servers), { server: "acme.crm", tool: "delete" });
 * assert.deepEqual(parseToolRef("acme.crm", servers), { server: "acme.crm" });
 * assert.deepEqual(parseToolRef("acme.list", servers), { server: "acme", tool: "list" });
 * assert.equal(parseToolRef("github.search", servers), undefined);
 * assert.deepEqual(parseToolRef("a.b.c"), { server: "a", tool: "b.c" });
 * ```
 */
export function parseToolRef(text: string, serverNames?: readonly string[]): ToolRef | undefined {
  if (typeof text !== "string" || text === "" || text.startsWith(".") || text.endsWith(".")) {
    return undefined;
  }
  if (serverNames === undefined) {
    const dot = text.indexOf(".");
    return dot < 0 ? { server: text } : { server: text.slice(0, dot), tool: text.slice(dot + 1) };
  }
  if (serverNames.includes(text)) return { server: text };
  let server: string | undefined;
  for (const name of serverNames) {
    if (text.startsWith(`${name}.`) && (server === undefined || name.length > server.length)) {
      server = name;
    }
  }
  return server === undefined ? undefined : { server, tool: text.slice(server.length + 1) };
}

/**
 * Writes a reference back as text: `"server"` or `"server.tool"`.
 *
 * @param ref The reference.
 * @returns The text {@linkcode parseToolRef} reads.
 *
 * @example
 * ```ts
 * import { formatToolRef } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 * assert.equal(formatToolRef({ server: "acme.crm", tool: "delete" }), "acme.crm.delete");
 * ```
 */
export function formatToolRef(ref: ToolRef): string {
  return ref.tool === undefined ? ref.server : `${ref.server}.${ref.tool}`;
}
