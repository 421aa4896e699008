/**
 * The orchestrator a command works with: the config's servers, `servers/` beside it, logs on stderr only at
 * warning level and above.
 *
 * @module
 */

import {
  configureLogging,
  type McpConfig,
  MCPOrchestrator,
  type OrchestratorOptions,
} from "../runtime/mod.ts";

/**
 * Creates and initializes an orchestrator for a command.
 *
 * @param config The mcp.json path, or a parsed config.
 * @param options More orchestrator options.
 * @returns The ready orchestrator (dispose it).
 */
export async function openOrchestrator(
  config: string | McpConfig,
  options: Partial<OrchestratorOptions> = {},
): Promise<MCPOrchestrator> {
  await configureLogging(Deno.env.get("MCPX_LOG") === "debug" ? "debug" : "warning");
  const orch = new MCPOrchestrator({ poolSize: 1, ...options, config });
  await orch.initialize();
  return orch;
}
