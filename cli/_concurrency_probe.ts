/**
 * `mcpx doctor --concurrency <server>`: whether a server loses writes under parallel calls. It runs only against
 * servers the user names, and only for the one shape of server it knows how to probe without touching the user's
 * own data: a knowledge graph with `create_entities`, `open_nodes` and `delete_entities` (server-memory and its
 * kind).
 *
 * @module
 */

import { type McpConfig, ServerConnection } from "../runtime/mod.ts";

/** Parallel writes the probe makes. */
export const PROBE_WRITES = 20;

const GRAPH_TOOLS = ["create_entities", "open_nodes", "delete_entities"] as const;

/** What the probe found for one server. */
export interface ProbeResult {
  /** `false` when writes were lost and the entry does not set `maxConcurrentCalls: 1`, or the probe failed. */
  ok: boolean;
  /** One line for the user. */
  detail: string;
}

/**
 * Probes one configured server: connects to it on a connection of its own with no call limit, creates
 * {@linkcode PROBE_WRITES} uniquely named entities in parallel (one call each), reads back which exist, then deletes
 * them all in one call.
 *
 * @param config The loaded mcp.json.
 * @param server The server's name.
 * @returns Whether it passed, and a line saying what was seen.
 */
export async function probeConcurrency(config: McpConfig, server: string): Promise<ProbeResult> {
  const entry = config.servers[server];
  if (entry === undefined) {
    const names = Object.keys(config.servers).join(", ") || "none";
    return { ok: false, detail: `server "${server}" is not configured (configured: ${names})` };
  }
  const { maxConcurrentCalls: limit, ...unlimited } = entry;
  await using connection = new ServerConnection(server, unlimited);
  try {
    await connection.connect();
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
  const tools = new Set(connection.tools.map((tool) => tool.name));
  if (!GRAPH_TOOLS.every((tool) => tools.has(tool))) {
    return {
      ok: true,
      detail: `server "${server}": no probe for its tools (it probes knowledge-graph servers with ${
        GRAPH_TOOLS.join(", ")
      }); nothing was called`,
    };
  }
  const prefix = `mcpx-doctor-probe-${crypto.randomUUID()}`;
  const names = Array.from({ length: PROBE_WRITES }, (_, i) => `${prefix}-${i}`);
  try {
    const writes = await Promise.allSettled(
      names.map((name) =>
        connection.callTool("create_entities", {
          entities: [{ name, entityType: "mcpx-doctor-probe", observations: ["safe to delete"] }],
        })
      ),
    );
    const found = await connection.callTool("open_nodes", { names });
    const kept =
      (found.structuredContent as { entities?: unknown[] } | undefined)?.entities?.length ??
        countNames(found.content, names);
    const failed = writes.filter((w) => w.status === "rejected" || w.value.isError).length;
    const lost = PROBE_WRITES - kept;
    const seen = `${PROBE_WRITES} parallel create_entities: ${failed} failed, ${kept} kept`;
    if (lost <= 0) {
      return { ok: true, detail: `server "${server}": ${seen}; no lost write seen in this probe` };
    }
    const protectedBy = limit === 1
      ? `its entry's "maxConcurrentCalls": 1 protects it`
      : `set "maxConcurrentCalls": 1 in its mcp.json entry`;
    return {
      ok: limit === 1,
      detail: `server "${server}": ${seen}: it loses writes under parallel calls; ${protectedBy}`,
    };
  } catch (error) {
    return {
      ok: false,
      detail: `server "${server}": the probe failed: ${
        error instanceof Error ? error.message : error
      }`,
    };
  } finally {
    // One call, after every write: the probe's entities are gone whatever the server did with the writes.
    await connection.callTool("delete_entities", { entityNames: names }).catch(() => {});
  }
}

/** How many of `names` appear in a text result (for a server without structured output). */
function countNames(content: unknown, names: string[]): number {
  const text = JSON.stringify(content ?? "");
  return names.filter((name) => text.includes(`${name}\\"`)).length;
}
