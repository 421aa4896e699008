/**
 * What an orchestrator does when a server's tool list changes: update the catalog, regenerate the server's module,
 * and replace idle sandbox processes that preloaded the old one.
 *
 * @module
 */

import { writeServerModule } from "../codegen/mod.ts";
import type { ServerConnection } from "../connections/server_connection.ts";
import { logger } from "../log.ts";
import type { SandboxPool } from "../sandbox/mod.ts";
import type { Tool } from "../sdk.ts";
import type { ToolCatalog } from "./tool_catalog.ts";

const log = logger("orchestrator");

/**
 * Applies a server's new tool list; failures are logged, never thrown.
 *
 * @param server The server's name.
 * @param tools Its new tools.
 * @param parts The connection, catalog, `servers/` folder and sandbox pool.
 * @returns Resolves once done.
 *
 * @example
 * ```ts ignore
 * // In MCPOrchestrator, when a connection reports tools/list_changed:
 * await applyToolsChanged("memory", tools, { connection, catalog, serversDir, pool });
 * ```
 */
export async function applyToolsChanged(
  server: string,
  tools: readonly Tool[],
  parts: {
    connection: ServerConnection;
    catalog: ToolCatalog;
    serversDir: string;
    pool?: SandboxPool;
  },
): Promise<void> {
  parts.catalog.setServerTools(server, tools);
  try {
    await writeServerModule(parts.serversDir, {
      name: server,
      version: parts.connection.serverInfo?.version ?? "unknown",
      tools: [...tools],
    });
    // Idle sandbox processes preload the generated modules: replace them so the next task sees the new ones.
    await parts.pool?.recycle();
    log.info("Regenerated {server} after tools/list_changed: {count} tools", {
      server,
      count: tools.length,
    });
  } catch (error) {
    log.error("Cannot regenerate {server}: {error}", { server, error: String(error) });
  }
}
