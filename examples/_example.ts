/**
 * What the numbered examples share: the orchestrator on the embedded default (`mcp.json`: server-memory,
 * server-filesystem over examples/data/, server-everything) and a tidy way to end.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { MCPOrchestrator, type OrchestratorOptions } from "../runtime/mod.ts";

/** The embedded default config. */
export const CONFIG: string = fileURLToPath(new URL("../mcp.json", import.meta.url));

/**
 * An orchestrator on the embedded default, initialized.
 *
 * @param options More options.
 * @returns The orchestrator; dispose it with `await using`.
 */
export async function exampleOrchestrator(
  options: Partial<OrchestratorOptions> = {},
): Promise<MCPOrchestrator> {
  const orch = new MCPOrchestrator({ config: CONFIG, maxConcurrentTasks: 4, ...options });
  await orch.initialize();
  return orch;
}

/** The fields every example task shares. */
export const TASK = { description: "example", status: "pending" as const };
