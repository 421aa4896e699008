/**
 * What happens when a server sends `tools/list_changed`: its search entries, its generated module and the idle
 * sandbox processes that preloaded the old one are renewed.
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
 * Renews a server's search entries and generated module after its tool list changed. Never throws: a failure to
 * write is logged.
 *
 * @param connection The server's connection.
 * @param tools Its new tools.
 * @param parts The catalog, the `servers/` folder and the sandbox pool.
 * @returns Resolves once done.
 *
 * @example
 * ```ts ignore
 * await regenerateServer(connections.get("memory")!, tools, { catalog, serversDir, pool });
 * ```
 */
export async function regenerateServer(
  connection: ServerConnection,
  tools: readonly Tool[],
  parts: { catalog: ToolCatalog; serversDir: string; pool?: SandboxPool },
): Promise<void> {
  const server = connection.name;
  parts.catalog.setServerTools(server, tools);
  try {
    await writeServerModule(parts.serversDir, {
      name: server,
      version: connection.serverInfo?.version ?? "unknown",
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
