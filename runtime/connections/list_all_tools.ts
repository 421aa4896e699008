/**
 * {@linkcode listAllTools}: every page of a server's `tools/list`.
 *
 * @module
 */

import type { Tool } from "../mcp_types.ts";
import type { Client } from "../sdk.ts";

/**
 * Lists a server's tools across every page of `tools/list`, stopping when a server repeats a cursor (which would
 * otherwise loop forever).
 *
 * @param client A connected SDK client.
 * @param timeoutMs The deadline of each page's request; default: the SDK's.
 * @returns The tools, in the order the server gave them.
 * @throws {Error} What the SDK throws when a page fails or times out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Client, InMemoryTransport, McpServer } from "../sdk.ts";
 * import { listAllTools } from "./list_all_tools.ts";
 * const server = new McpServer({ name: "s", version: "1" });
 * server.registerTool("ping", { description: "Answers pong" }, () => ({ content: [{ type: "text", text: "pong" }] }));
 * const [a, b] = InMemoryTransport.createLinkedPair();
 * await server.connect(a);
 * const client = new Client({ name: "c", version: "1" });
 * await client.connect(b);
 * assert.deepEqual((await listAllTools(client)).map((t) => t.name), ["ping"]);
 * await client.close();
 * ```
 */
export async function listAllTools(client: Client, timeoutMs?: number): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  const seen = new Set<string>();
  do {
    const page = await client.listTools(
      cursor === undefined ? {} : { cursor },
      timeoutMs === undefined ? undefined : { timeout: timeoutMs },
    );
    tools.push(...page.tools);
    cursor = page.nextCursor;
    if (cursor !== undefined) {
      if (seen.has(cursor)) break;
      seen.add(cursor);
    }
  } while (cursor !== undefined);
  return tools;
}
