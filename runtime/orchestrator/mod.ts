/**
 * {@linkcode MCPOrchestrator} and its options, limits and stats.
 *
 * @module
 */

export { MCPOrchestrator } from "./orchestrator.ts";
export {
  DEFAULT_LIMITS,
  type OrchestratorOptions,
  type OrchestratorStats,
  type SearchToolsOptions,
  type ToolProgressEvent,
} from "./options.ts";
